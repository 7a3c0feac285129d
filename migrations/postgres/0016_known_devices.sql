-- Browsers that have signed in to an account before, so that failed guesses at that account
-- from elsewhere cannot keep its owner out (sign-in throttling skips the account-wide budget
-- for them and counts their own failures instead).
CREATE TABLE known_devices (
    token_hash        TEXT    NOT NULL,          -- SHA-256 of the device cookie's secret
    user_id           BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at        BIGINT  NOT NULL,
    last_signed_in_at BIGINT  NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX known_devices_last_signed_in_at ON known_devices (last_signed_in_at);

-- A failure from a browser known to the account it tried: counted against that browser.
ALTER TABLE sign_in_failures ADD COLUMN device TEXT;
CREATE INDEX sign_in_failures_device ON sign_in_failures (device, at);
