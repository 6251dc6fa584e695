-- The audit chain is keyed (HMAC-SHA256 under an audit key outside the
-- database; see integer_domain::audit). keyed = 1 once every row is hashed
-- with the key: a new database from the start, an older one when Integer
-- first starts with its audit key (integer_store::audit::key_legacy_chain).
ALTER TABLE audit_head ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;
UPDATE audit_head SET keyed = 1 WHERE seq = 0;
