-- The annual integrity report (jaarverslag integriteit): per organisation
-- and year the narrative the integrity office writes (compare-and-set on
-- `version`), and, once published, the frozen report: the exact figures
-- (with the two earlier years) and the publishable version as they were.
-- A published report is shown from these columns forever.

CREATE TABLE annual_reports (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    year INTEGER NOT NULL,
    introduction TEXT NOT NULL DEFAULT '',
    cases_text TEXT NOT NULL DEFAULT '',
    prevention_text TEXT NOT NULL DEFAULT '',
    outlook_text TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER REFERENCES people(id),
    updated_at INTEGER NOT NULL,
    published_at INTEGER,
    published_by INTEGER REFERENCES people(id),
    -- JSON of integer_domain::annual_report::ReportData (exact).
    figures_json TEXT,
    -- JSON of the publishable integer_domain::annual_report::Document.
    public_json TEXT,
    UNIQUE (org_id, year)
);

-- The report counts by year: cases by the day they were received,
-- declarations by the day they were filed (kind and status in the index,
-- so the year's GROUP BY reads only the index).
CREATE INDEX cases_org_received ON cases (org_id, received_at);
CREATE INDEX declarations_year ON declarations (org_id, created_at, kind, status);
-- The public register's figures and the people in scope per year: without
-- these the report scans every declaration and person (7 s on a million
-- declarations on SQLite; 1.9 s with them, see docs/PERFORMANCE.md).
CREATE INDEX declarations_published ON declarations (org_id, published_at) WHERE published_at IS NOT NULL;
CREATE INDEX people_org_created ON people (org_id, created_at);
