-- Learning and prevention (integer_domain::learning): training records,
-- integrity in the HR conversation cycle, moral deliberation sessions and
-- integrity on team meeting agendas per unit, and the register of
-- vulnerable functions and processes with its review history.
-- Dates are 'YYYY-MM-DD' text; `year` is the date's year, kept for the
-- yearly figures. Booleans are 0/1, times Unix seconds.

CREATE TABLE training_records (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    -- 'introduction', 'elearning' or 'course'.
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX training_records_person ON training_records (org_id, person_id, held_on);
CREATE INDEX training_records_year ON training_records (org_id, year, kind);

CREATE TABLE hr_conversations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    held_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    UNIQUE (person_id, held_on)
);
CREATE INDEX hr_conversations_year ON hr_conversations (org_id, year);

CREATE TABLE moral_deliberations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    held_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    attendees INTEGER NOT NULL CHECK (attendees BETWEEN 1 AND 1000),
    -- Dilemma topics without names, at most 500 characters.
    topics TEXT NOT NULL,
    theme TEXT,
    recorded_by INTEGER NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX moral_deliberations_year ON moral_deliberations (org_id, year, unit_id);

CREATE TABLE team_meetings (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    held_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    UNIQUE (unit_id, held_on)
);
CREATE INDEX team_meetings_year ON team_meetings (org_id, year, unit_id);

CREATE TABLE vulnerable_functions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    area TEXT NOT NULL,
    risks TEXT NOT NULL,
    measures TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES people(id),
    -- The next review is due on this date.
    review_on TEXT NOT NULL,
    financial INTEGER NOT NULL DEFAULT 0,
    publication INTEGER NOT NULL DEFAULT 0,
    -- The day it was entered in the register.
    created_on TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX vulnerable_functions_unit ON vulnerable_functions (org_id, unit_id);

-- Every review: when it was done, when it was due, the next date set.
CREATE TABLE vulnerable_reviews (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    function_id INTEGER NOT NULL REFERENCES vulnerable_functions(id),
    reviewed_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    next_on TEXT NOT NULL,
    reviewed_by INTEGER NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX vulnerable_reviews_function ON vulnerable_reviews (function_id, reviewed_on);
