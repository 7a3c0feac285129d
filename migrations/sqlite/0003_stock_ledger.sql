-- Bills (purchases and sales), their lines, purchased lots, the append-only stock ledger, and
-- one-time keys that make every recording submit idempotent.
CREATE TABLE bills (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('purchase', 'sale')),
    party_name    TEXT    NOT NULL,
    party_phone   TEXT,
    party_address TEXT,
    subtotal      INTEGER NOT NULL CHECK (subtotal >= 0),
    tax_rate_bp   INTEGER NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    tax           INTEGER NOT NULL CHECK (tax >= 0),
    total         INTEGER NOT NULL CHECK (total >= 0),
    cost_of_goods INTEGER NOT NULL DEFAULT 0,    -- sales: what the sold lots cost
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX bills_recent ON bills (created_at, id);

CREATE TABLE bill_lines (
    id         INTEGER PRIMARY KEY,
    bill_id    INTEGER NOT NULL REFERENCES bills (id),
    line_no    INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    unit_price INTEGER NOT NULL CHECK (unit_price >= 0),  -- cost for purchases, price for sales
    line_total INTEGER NOT NULL CHECK (line_total >= 0),
    expires_on TEXT,                                      -- purchases: YYYY-MM-DD
    UNIQUE (bill_id, line_no)
);
CREATE INDEX bill_lines_product ON bill_lines (product_id);

CREATE TABLE lots (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    bill_id     INTEGER NOT NULL REFERENCES bills (id),
    quantity_in INTEGER NOT NULL CHECK (quantity_in > 0),
    remaining   INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= quantity_in),
    unit_cost   INTEGER NOT NULL CHECK (unit_cost >= 0),
    expires_on  TEXT,                                     -- YYYY-MM-DD; NULL = does not expire
    received_at INTEGER NOT NULL
);
CREATE INDEX lots_open_by_product ON lots (product_id, expires_on, received_at, id) WHERE remaining > 0;
CREATE INDEX lots_open_by_expiry ON lots (expires_on) WHERE remaining > 0 AND expires_on IS NOT NULL;

CREATE TABLE movements (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('purchase', 'sale', 'adjustment', 'write_off')),
    quantity    INTEGER NOT NULL CHECK (quantity <> 0),   -- signed: in > 0, out < 0
    unit_amount INTEGER NOT NULL CHECK (unit_amount >= 0),-- cost (in) or price (out)
    unit_cost   INTEGER NOT NULL CHECK (unit_cost >= 0),  -- the lot's cost, for profit
    lot_id      INTEGER REFERENCES lots (id),
    bill_id     INTEGER REFERENCES bills (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX movements_recent ON movements (created_at, id);
CREATE INDEX movements_by_product ON movements (product_id, created_at, id);
CREATE INDEX movements_by_kind ON movements (kind, created_at, id);

CREATE TABLE idempotency_keys (
    key        TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    bill_id    INTEGER REFERENCES bills (id),
    created_at INTEGER NOT NULL
);

-- The ledger is append-only: a mistake is corrected by a new movement, never by editing one.
CREATE TRIGGER movements_no_update BEFORE UPDATE ON movements
BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;
CREATE TRIGGER movements_no_delete BEFORE DELETE ON movements
BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;
