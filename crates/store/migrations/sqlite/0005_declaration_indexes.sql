-- Declarations at scale (a million rows in one organisation): indexes for
-- the register's filters, and a generation per organisation
-- that changes with every change to its declarations, so that the register
-- can keep its counts until something changes.

-- The register filtered by status or unit, newest first (the rowid, the
-- id, follows the last column: it breaks ties in the same order).
CREATE INDEX declarations_status ON declarations(org_id, status, created_at);
CREATE INDEX declarations_unit ON declarations(org_id, unit_id, created_at);

-- A random number per organisation, new after every insert, update or
-- delete of its declarations (see `declarations::list`).
CREATE TABLE declaration_generations (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    generation INTEGER NOT NULL
);
INSERT INTO declaration_generations (org_id, generation) SELECT id, random() FROM organisations;

CREATE TRIGGER declarations_generation_insert AFTER INSERT ON declarations
BEGIN
    INSERT INTO declaration_generations (org_id, generation) VALUES (NEW.org_id, random())
        ON CONFLICT (org_id) DO UPDATE SET generation = excluded.generation;
END;
CREATE TRIGGER declarations_generation_update AFTER UPDATE ON declarations
BEGIN
    INSERT INTO declaration_generations (org_id, generation) VALUES (NEW.org_id, random())
        ON CONFLICT (org_id) DO UPDATE SET generation = excluded.generation;
END;
CREATE TRIGGER declarations_generation_delete AFTER DELETE ON declarations
BEGIN
    INSERT INTO declaration_generations (org_id, generation) VALUES (OLD.org_id, random())
        ON CONFLICT (org_id) DO UPDATE SET generation = excluded.generation;
END;
