-- An organisation's own revisions of its policy preset (edited in the web
-- interface or with `integer policy set`). The newest revision is in force;
-- without one the bundled preset named in organisations.preset is.
CREATE TABLE preset_revisions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    revision INTEGER NOT NULL,
    source TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (org_id, revision)
);
