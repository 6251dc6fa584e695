-- Foundation: organisations, units, people, roles, sign-in, audit trail.
-- Booleans are INTEGER 0/1 and times are Unix seconds (audit: microseconds)
-- on both backends, so that one set of queries serves both.

CREATE TABLE installation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pepper TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    preset TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    parent_id INTEGER REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX units_org_parent ON units(org_id, parent_id);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    employee_number TEXT,
    function_title TEXT,
    salary_scale INTEGER,
    employment_type TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    manager_id INTEGER REFERENCES people(id),
    start_date TEXT,
    end_date TEXT,
    top_official INTEGER NOT NULL DEFAULT 0,
    designated_function INTEGER NOT NULL DEFAULT 0,
    search_key TEXT NOT NULL,
    password_hash TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (org_id, email),
    UNIQUE (org_id, employee_number)
);
CREATE INDEX people_org_name ON people(org_id, name, id);
CREATE INDEX people_manager ON people(manager_id);
CREATE INDEX people_unit ON people(unit_id);

CREATE TABLE role_memberships (
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
);
CREATE INDEX role_memberships_org_role ON role_memberships(org_id, role);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    key_hash TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures(key_hash, at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);

CREATE TABLE people_imports (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    created_by INTEGER NOT NULL REFERENCES people(id),
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    org_id INTEGER,
    actor TEXT NOT NULL,
    credential TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log(org_id, seq);

-- Append-only: the application never changes or removes an audit row.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
