-- The reporting point (Meldpunt): cases, their keys, the reporter's
-- identity and mailbox, messages, notes, files, the case team.
-- Every column that holds what a reporter or handler wrote is sealed with
-- the case's own key (XChaCha20-Poly1305; see docs/SECURITY.md); the key is
-- stored wrapped by the installation key, which is not in the database.

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    -- Per organisation and year: 2026-0001.
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    identity_mode TEXT NOT NULL,
    state TEXT NOT NULL,
    category TEXT,
    finding TEXT,
    -- Measures as a comma-separated list of codes.
    measures TEXT NOT NULL DEFAULT '',
    -- 1 when routed around the integrity office or the director.
    alternate INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    -- Due days as YYYY-MM-DD (Dutch calendar days).
    ack_due TEXT NOT NULL,
    acknowledged_at INTEGER,
    feedback_due TEXT,
    feedback_at INTEGER,
    person_informed_at INTEGER,
    person_informed_delay BLOB,
    minutes_confirmed_at INTEGER,
    closed_at INTEGER,
    retention_until TEXT,
    title BLOB NOT NULL,
    body BLOB NOT NULL,
    exit_reason BLOB,
    created_by INTEGER REFERENCES people(id),
    -- Keyed tag of a signed-in reporter who gave their name (not their id).
    reporter_tag TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX cases_org_state ON cases (org_id, state);
CREATE INDEX cases_reporter_tag ON cases (reporter_tag);

CREATE TABLE case_numbers (
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (org_id, year)
);

-- Destroying a row here makes the case unreadable (crypto-shredding).
CREATE TABLE case_keys (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    key_version TEXT NOT NULL,
    wrapped BLOB NOT NULL
);

CREATE TABLE case_identities (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    sealed BLOB NOT NULL
);

-- The receipt code, only as a deterministic Argon2id hash.
CREATE TABLE case_mailboxes (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    receipt_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE case_mailbox_sessions (
    token_hash TEXT PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    expires_at INTEGER NOT NULL
);

-- Messages with the reporter, internal notes, minutes, system lines.
CREATE TABLE case_entries (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    author_id INTEGER REFERENCES people(id),
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX case_entries_case ON case_entries (case_id, id);

CREATE TABLE case_files (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    entry_id INTEGER REFERENCES case_entries(id),
    name BLOB NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    from_reporter INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX case_files_case ON case_files (case_id);

CREATE TABLE case_team (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    added_by INTEGER REFERENCES people(id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_team_person ON case_team (person_id);

-- People named as involved: a keyed tag to check against, and the person
-- id sealed for the team to read.
CREATE TABLE case_named (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    tag TEXT NOT NULL,
    sealed_person BLOB NOT NULL,
    PRIMARY KEY (case_id, tag)
);

CREATE TABLE case_tasks (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    title BLOB NOT NULL,
    due_on TEXT NOT NULL,
    done_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE case_identity_requests (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    requested_by INTEGER NOT NULL REFERENCES people(id),
    reason BLOB NOT NULL,
    state TEXT NOT NULL,
    decided_by INTEGER REFERENCES people(id),
    decided_at INTEGER,
    created_at INTEGER NOT NULL
);

-- Who receives new reports (intake) and who handles reports about the
-- integrity office or the director (alternate).
CREATE TABLE case_handlers (
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    PRIMARY KEY (org_id, person_id, kind)
);

-- Reminders sent about a case's clocks, once per clock and stage
-- ('due_soon', 'overdue'), so several instances never send one twice.
CREATE TABLE case_reminders (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    clock TEXT NOT NULL,
    stage TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, clock, stage)
);
