-- The yearly check (jaarlijkse actualisatie): every employee confirms that
-- their side activities and interests are still correct, or states none.

CREATE TABLE check_campaigns (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    year INTEGER NOT NULL,
    started_by INTEGER NOT NULL REFERENCES people(id),
    started_at INTEGER NOT NULL,
    UNIQUE (org_id, year)
);

CREATE TABLE check_responses (
    campaign_id INTEGER NOT NULL REFERENCES check_campaigns(id),
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    -- 'confirmed' (still correct) or 'none' (nothing to declare).
    response TEXT NOT NULL,
    responded_at INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, person_id)
);
