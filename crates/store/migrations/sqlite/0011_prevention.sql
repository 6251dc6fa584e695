-- Prevention (docs/PREVENTION.md): the oath or affirmation, screening at
-- hiring, acknowledgements of the code of conduct, the organisation's
-- settings for them, and the code review reminders already sent.
-- Dates are YYYY-MM-DD text, times Unix seconds, booleans 0/1.

-- One row per organisation; absent means the defaults (90 days for the
-- oath, review every 2 years, no review date).
CREATE TABLE prevention_settings (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    oath_days INTEGER NOT NULL CHECK (oath_days BETWEEN 1 AND 730),
    code_reviewed_on TEXT,
    review_years INTEGER NOT NULL CHECK (review_years BETWEEN 1 AND 10),
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The register of oaths and affirmations: one per person.
CREATE TABLE oaths (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    -- oath or affirmation
    kind TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    before_whom TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people(id),
    recorded_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (person_id)
);
CREATE INDEX oaths_org ON oaths (org_id, taken_on);

-- Screening at hiring: one row per person, each item's date once done.
CREATE TABLE screenings (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    vog_requested_on TEXT,
    vog_received_on TEXT,
    references_checked_on TEXT,
    diplomas_checked_on TEXT,
    declaration_signed_on TEXT,
    -- A former employee hired again: when they left, and whether there are
    -- compelling reasons (the preset's hire_former_employee rule).
    former_left_on TEXT,
    compelling_reasons INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES people(id),
    updated_at INTEGER NOT NULL
);
CREATE INDEX screenings_org ON screenings (org_id);

-- "I have read the code of conduct": per person and version of the code
-- in force (the preset's digest; the version is its label).
CREATE TABLE code_acknowledgements (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    preset_version TEXT NOT NULL,
    digest TEXT NOT NULL,
    acknowledged_at INTEGER NOT NULL,
    UNIQUE (person_id, digest)
);
CREATE INDEX code_acknowledgements_org ON code_acknowledgements (org_id, digest);

-- Reminders of the code's review date, once per organisation and date.
CREATE TABLE code_review_reminders (
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    due_on TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, due_on)
);
