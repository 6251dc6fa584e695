-- The installation key's check value (see integer_domain::crypto::
-- InstallationKey::check_value): a known text sealed with the key, so that
-- a server started with another key refuses to start. NULL until the first
-- start with a key records it.
ALTER TABLE installation ADD COLUMN key_check TEXT;
