-- Parties (issue 19): the suppliers and customers a shop deals with, remembered from the bills
-- that name them and matched on `name_key` (the name folded: case and spacing ignored, as
-- `domain::Name::key` folds it). A bill keeps the name, phone and address it was recorded with;
-- `party_id` says whose bill it is.
--
-- Expand only: bills recorded before this migration are linked by
-- `storage::parties::link_bills`, which `Db::migrate` runs after the migrations in the same
-- locked run (the fold is Unicode-aware and done in Rust, which SQLite's `lower` is not). It
-- touches only bills whose `party_id` is NULL, so running it again changes nothing.
CREATE TABLE parties (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL UNIQUE,
    phone       TEXT,
    address     TEXT,
    is_supplier INTEGER NOT NULL DEFAULT 0 CHECK (is_supplier IN (0, 1)),
    is_customer INTEGER NOT NULL DEFAULT 0 CHECK (is_customer IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

ALTER TABLE bills ADD COLUMN party_id INTEGER REFERENCES parties (id);
-- A party's bills newest first (its page pages along this index), and its sums on `/parties`.
CREATE INDEX bills_by_party ON bills (party_id, created_at, id);
-- What the linking still has to do, by the name it links on: empty once every bill is linked.
CREATE INDEX bills_unlinked ON bills (party_name) WHERE party_id IS NULL;
