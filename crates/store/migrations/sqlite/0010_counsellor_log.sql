-- The confidential counsellors' log: one row per consultation, structured
-- fields only (codes from integer_domain::counsel), never a name or a free
-- text. Only counts leave the log.

CREATE TABLE counsellor_log (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    counsellor_id INTEGER NOT NULL REFERENCES people(id),
    -- YYYY-MM-DD; `year` is its year, kept for the yearly counts.
    consulted_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    topic TEXT NOT NULL,
    -- Only for undesirable behaviour.
    behaviour TEXT,
    visitor TEXT NOT NULL,
    contacts INTEGER NOT NULL CHECK (contacts BETWEEN 1 AND 50),
    first_contact INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX counsellor_log_own ON counsellor_log (org_id, counsellor_id, year);
CREATE INDEX counsellor_log_year ON counsellor_log (org_id, year);

-- What was done: one row per action of an entry.
CREATE TABLE counsellor_log_actions (
    entry_id INTEGER NOT NULL REFERENCES counsellor_log(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    PRIMARY KEY (entry_id, action)
);
