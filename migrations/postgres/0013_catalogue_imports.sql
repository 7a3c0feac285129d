-- Catalogue imports (issue 16): a checked upload is kept here as its report (the rows exactly
-- as the preview showed them, the product each updates, and every problem) in JSON, so
-- `Import` applies them without the file. It expires an hour after the check.
-- `imported_at` is set in the import's own transaction, once: a second `Import` of the same
-- upload finds it set and records nothing more.
CREATE TABLE imports (
    id          TEXT    PRIMARY KEY,                  -- random, 128 bits (hex)
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    report_json TEXT    NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    imported_at BIGINT,
    imported    BIGINT CHECK (imported IS NULL OR imported >= 0)
);
CREATE INDEX imports_expiry ON imports (expires_at);
