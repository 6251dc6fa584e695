-- Declarations (gifts, invitations, side activities, ...), their history,
-- and in-app notifications.

CREATE TABLE declarations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    -- The person the declaration is about, and who filed it (a manager may
    -- file on behalf of a team member).
    person_id INTEGER NOT NULL REFERENCES people(id),
    filed_by INTEGER NOT NULL REFERENCES people(id),
    unit_id INTEGER REFERENCES units(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Where it waits: one person, or the queue of a role.
    route_person_id INTEGER REFERENCES people(id),
    route_queue TEXT,
    routed_at INTEGER NOT NULL,
    -- The policy engine's decision when it was filed.
    verdict TEXT NOT NULL,
    approver TEXT,
    obligations TEXT NOT NULL,
    preset_version TEXT NOT NULL,
    answers TEXT NOT NULL,
    description TEXT NOT NULL,
    third_party TEXT,
    value_cents INTEGER,
    event_date TEXT,
    -- The approver's decision.
    outcome TEXT,
    conditions TEXT,
    reason TEXT,
    destination TEXT,
    decided_by INTEGER REFERENCES people(id),
    decided_at INTEGER,
    info_response TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- Compare-and-set: every change bumps it.
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX declarations_person ON declarations(org_id, person_id, created_at);
CREATE INDEX declarations_route_person ON declarations(org_id, route_person_id, status);
CREATE INDEX declarations_route_queue ON declarations(org_id, route_queue, status);
CREATE INDEX declarations_register ON declarations(org_id, created_at, id);
CREATE INDEX declarations_kind ON declarations(org_id, kind, created_at);

CREATE TABLE declaration_events (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    declaration_id INTEGER NOT NULL REFERENCES declarations(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX declaration_events_declaration ON declaration_events(declaration_id, id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    declaration_id INTEGER REFERENCES declarations(id),
    read_at INTEGER
);
CREATE INDEX notifications_person ON notifications(person_id, read_at, id);
