-- The reporting point's settings per organisation: whether receipt is
-- acknowledged automatically (with the standard message) and how many
-- years a case is kept after it ended.
CREATE TABLE case_settings (
    org_id BIGINT PRIMARY KEY REFERENCES organisations(id),
    auto_acknowledge BIGINT NOT NULL DEFAULT 0,
    retention_years BIGINT NOT NULL DEFAULT 5,
    updated_at BIGINT NOT NULL
);
