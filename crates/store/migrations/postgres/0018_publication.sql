-- Publication of side activities follows designation (Ambtenarenwet 2017,
-- article 8; docs/OPEN-DATA.md): the employer designates functions, and an
-- approved or registered side activity of a person in one is published
-- after the person was shown the exact text (they may correct it, not
-- refuse it). Times are Unix seconds, dates YYYY-MM-DD text; `updated_by`
-- is the audit actor (`person:ID`), never a name.

-- An organisation's designated functions. No row: the default of its
-- preset (policies/designation/<preset>.toml).
CREATE TABLE designations (
    org_id BIGINT PRIMARY KEY REFERENCES organisations(id),
    top_officials BIGINT NOT NULL,
    -- Everyone in this salary scale or higher; NULL: no scale designated.
    from_salary_scale BIGINT,
    -- Designated function titles, one per line.
    function_titles TEXT NOT NULL,
    -- Days between telling the person and publication.
    notice_days BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

-- One row per side activity whose person was told it will be published.
-- It is public from `confirmed_at` (the person confirmed the text) or
-- `due_at` (the notice period ended), whichever comes first, for as long
-- as the side activity stands and its person is designated.
CREATE TABLE publications (
    declaration_id BIGINT PRIMARY KEY REFERENCES declarations(id),
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    -- The person's correction of the public text; NULL: the declaration's
    -- own description and third party.
    public_activity TEXT,
    public_organisation TEXT,
    informed_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    -- When the person first looked at the text.
    seen_at BIGINT,
    confirmed_at BIGINT,
    corrected_at BIGINT,
    version BIGINT NOT NULL
);
CREATE INDEX publications_org ON publications (org_id, due_at);
CREATE INDEX publications_person ON publications (org_id, person_id);

-- The day a side activity ended (reported by the person); from then on it
-- is no longer in the public register.
ALTER TABLE declarations ADD COLUMN ended_on TEXT;

-- Entries the person agreed to under the consent rule (declarations.
-- published_at, no longer written) stay public: they were told and
-- confirmed at that moment.
INSERT INTO publications (declaration_id, org_id, person_id, informed_at, due_at, seen_at,
    confirmed_at, version)
SELECT id, org_id, person_id, published_at, published_at, published_at, published_at, 1
FROM declarations
WHERE kind = 'side_activity' AND published_at IS NOT NULL;
