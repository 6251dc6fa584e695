-- The statements an installation and its organisations publish
-- (docs/OPERATIONS.md, "Toegankelijkheid en privacy"). Absent rows mean
-- the defaults the pages show. Dates are YYYY-MM-DD text, times Unix
-- seconds; `updated_by` is the audit actor (`person:ID`), never a name.

-- The accessibility statement of the installation (toegankelijkheids-
-- verklaring, after the Dutch model statement): one row, id 1. Status A to
-- D of the model: compliant (voldoet volledig), partially_compliant
-- (voldoet gedeeltelijk), first_measures (eerste maatregelen genomen),
-- not_compliant (voldoet niet).
CREATE TABLE accessibility_statement (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    status TEXT NOT NULL CHECK (status IN ('compliant', 'partially_compliant', 'first_measures', 'not_compliant')),
    organisation TEXT NOT NULL,
    contact_email TEXT,
    contact_url TEXT,
    evaluated_on TEXT,
    method TEXT,
    limitations TEXT,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);

-- The privacy statement per organisation (GDPR art. 13), shown on the
-- public report form and the reporter's mailbox: a link to the
-- organisation's own statement, a text, or both.
CREATE TABLE privacy_statement (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    url TEXT,
    text TEXT,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);
