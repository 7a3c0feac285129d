-- People and access: employee details, an audit trail of sign-ins and employee changes, and
-- recent sign-in failures (throttling works across instances because it lives here, not in memory).
ALTER TABLE users ADD COLUMN age INTEGER CHECK (age IS NULL OR age BETWEEN 14 AND 120);
ALTER TABLE users ADD COLUMN gender TEXT CHECK (gender IS NULL OR gender IN ('female', 'male', 'other'));

-- Who did what to whom, and from where. No foreign keys: the trail outlives deleted accounts, so
-- it keeps the e-mail addresses as they were at the time.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER,
    actor_email  TEXT,
    action       TEXT    NOT NULL,
    target_id    INTEGER,
    target_email TEXT,
    detail       TEXT    NOT NULL DEFAULT '',
    client_addr  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_recent ON audit_log (at, id);

-- The trail is append-only, like the ledger.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Failed sign-ins of the last little while, per typed account name and per client address.
CREATE TABLE sign_in_failures (
    id          INTEGER PRIMARY KEY,
    account_key TEXT    NOT NULL,                -- the e-mail as typed, trimmed and lower-cased
    client_addr TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_account ON sign_in_failures (account_key, at);
CREATE INDEX sign_in_failures_client ON sign_in_failures (client_addr, at);
