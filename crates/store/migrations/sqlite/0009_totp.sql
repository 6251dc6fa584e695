-- The second factor (TOTP) of people whose roles require it
-- (integer_domain::authz::SECOND_FACTOR_ROLES), and whether a session has
-- passed it. See docs/SECOND-FACTOR.md.

CREATE TABLE person_totp (
    person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    -- The shared secret (20 bytes). Stored as is for now; see
    -- crates/store/src/totp.rs.
    secret BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    -- NULL while enrolment waits for the first correct code.
    enrolled_at INTEGER,
    -- The last accepted time step: a code for this step or an earlier one
    -- is refused (replay protection).
    last_step INTEGER
);
CREATE INDEX person_totp_org ON person_totp(org_id);

-- When this session passed the second factor; NULL: not (yet). A session
-- of a person who requires a second factor is not signed in until it is set.
ALTER TABLE sessions ADD COLUMN second_factor_at INTEGER;
