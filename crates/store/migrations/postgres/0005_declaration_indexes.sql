-- Declarations at scale (a million rows in one organisation): indexes for
-- the register's filters, and a generation per organisation
-- that changes with every change to its declarations, so that the register
-- can keep its counts until something changes.

-- The register filtered by kind, status or unit, newest first; the id
-- breaks ties, so it is in the index too (the kind index of 0003 lacked it).
DROP INDEX declarations_kind;
CREATE INDEX declarations_kind ON declarations(org_id, kind, created_at, id);
CREATE INDEX declarations_status ON declarations(org_id, status, created_at, id);
CREATE INDEX declarations_unit ON declarations(org_id, unit_id, created_at, id);

-- A random number per organisation, new after every statement that
-- inserts, updates or deletes its declarations (see `declarations::list`).
CREATE TABLE declaration_generations (
    org_id BIGINT PRIMARY KEY REFERENCES organisations(id),
    generation BIGINT NOT NULL
);
INSERT INTO declaration_generations (org_id, generation)
    SELECT id, floor(random() * 9007199254740991)::bigint FROM organisations;

CREATE FUNCTION declarations_new_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO declaration_generations (org_id, generation)
        SELECT org_id, floor(random() * 9007199254740991)::bigint FROM (SELECT DISTINCT org_id FROM changed) c
        ON CONFLICT (org_id) DO UPDATE SET generation = excluded.generation;
    RETURN NULL;
END
$$;
CREATE TRIGGER declarations_generation_insert AFTER INSERT ON declarations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION declarations_new_generation();
CREATE TRIGGER declarations_generation_update AFTER UPDATE ON declarations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION declarations_new_generation();
CREATE TRIGGER declarations_generation_delete AFTER DELETE ON declarations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION declarations_new_generation();
