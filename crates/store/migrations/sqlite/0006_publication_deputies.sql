-- The public register of side activities, deputies of absent managers, and
-- escalation of requests that wait too long.

-- Whether the public register shows names (else only function titles).
ALTER TABLE organisations ADD COLUMN publish_names INTEGER NOT NULL DEFAULT 1;
-- After how many days a waiting request goes one level up.
ALTER TABLE organisations ADD COLUMN escalation_days INTEGER NOT NULL DEFAULT 14;

-- Set when the person agreed to what will appear in the public register.
ALTER TABLE declarations ADD COLUMN published_at INTEGER;
-- The last time the person confirmed the declaration is still correct.
ALTER TABLE declarations ADD COLUMN reviewed_at INTEGER;

CREATE TABLE deputies (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    manager_id INTEGER NOT NULL REFERENCES people(id),
    deputy_id INTEGER NOT NULL REFERENCES people(id),
    -- Unix seconds; the deputy decides from 'starts_at' until 'ends_at'.
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX deputies_deputy ON deputies(org_id, deputy_id, ends_at);
CREATE INDEX deputies_manager ON deputies(org_id, manager_id, ends_at);
