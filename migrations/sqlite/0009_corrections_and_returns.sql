-- Corrections and returns (PRODUCT.md, "Corrections", "Returns", "Opening stock"): stock counts
-- and write-offs grouped as corrections, returns as bills of their own linked to the original,
-- lots that no bill made (a count's surplus, opening stock), and the new movement kinds.
--
-- SQLite cannot widen a CHECK constraint or drop a NOT NULL in place, so bills, lots and
-- movements are rebuilt the documented way (create, copy, drop, rename, re-index). Foreign keys
-- are off while migrations run and checked before they commit (see `Db::migrate`).

CREATE TABLE corrections (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('count', 'write_off')),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    lot_id      INTEGER REFERENCES lots (id),          -- write-offs: the lot
    counted     INTEGER CHECK (counted >= 0),          -- counts: what was on the shelf
    on_hand     INTEGER NOT NULL,                      -- what the books said at commit
    reason      TEXT    NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX corrections_by_product ON corrections (product_id, created_at);

CREATE TABLE bills_rebuilt (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (kind IN ('purchase', 'sale', 'sale_return', 'purchase_return')),
    party_name       TEXT    NOT NULL,
    party_phone      TEXT,
    party_address    TEXT,
    subtotal         INTEGER NOT NULL CHECK (subtotal >= 0),
    tax_rate_bp      INTEGER NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    tax              INTEGER NOT NULL CHECK (tax >= 0),
    total            INTEGER NOT NULL CHECK (total >= 0),
    cost_of_goods    INTEGER NOT NULL DEFAULT 0,  -- sales: what the sold lots cost; sale returns: what the returned units had cost
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL,
    original_bill_id INTEGER REFERENCES bills (id),  -- returns: the bill they give goods back from
    reason           TEXT                             -- returns: why
);
INSERT INTO bills_rebuilt (id, kind, party_name, party_phone, party_address, subtotal, tax_rate_bp, tax,
                           total, cost_of_goods, created_by, created_at)
    SELECT id, kind, party_name, party_phone, party_address, subtotal, tax_rate_bp, tax,
           total, cost_of_goods, created_by, created_at FROM bills;
DROP TABLE bills;
ALTER TABLE bills_rebuilt RENAME TO bills;
CREATE INDEX bills_recent ON bills (created_at, id);
CREATE INDEX bills_sums_by_time ON bills (created_at, kind, subtotal, cost_of_goods);
CREATE INDEX bills_returns ON bills (original_bill_id, id) WHERE original_bill_id IS NOT NULL;

-- Returns name the original line they give back.
ALTER TABLE bill_lines ADD COLUMN original_line_id INTEGER REFERENCES bill_lines (id);
CREATE INDEX bill_lines_returned ON bill_lines (original_line_id) WHERE original_line_id IS NOT NULL;

CREATE TABLE lots_rebuilt (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products (id),
    bill_id       INTEGER REFERENCES bills (id),          -- NULL: a count's surplus, opening stock
    quantity_in   INTEGER NOT NULL CHECK (quantity_in > 0),
    remaining     INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= quantity_in),
    unit_cost     INTEGER NOT NULL CHECK (unit_cost >= 0),
    expires_on    TEXT,                                   -- YYYY-MM-DD; NULL = does not expire
    received_at   INTEGER NOT NULL,
    correction_id INTEGER REFERENCES corrections (id)     -- a count's surplus: that count
);
INSERT INTO lots_rebuilt (id, product_id, bill_id, quantity_in, remaining, unit_cost, expires_on, received_at)
    SELECT id, product_id, bill_id, quantity_in, remaining, unit_cost, expires_on, received_at FROM lots;
DROP TABLE lots;
ALTER TABLE lots_rebuilt RENAME TO lots;
CREATE INDEX lots_open_by_product ON lots (product_id, expires_on, received_at, id) WHERE remaining > 0;
CREATE INDEX lots_open_by_expiry ON lots (expires_on, id) WHERE remaining > 0 AND expires_on IS NOT NULL;
CREATE INDEX lots_open_value ON lots (unit_cost, remaining) WHERE remaining > 0;
CREATE INDEX lots_by_bill ON lots (bill_id, product_id) WHERE bill_id IS NOT NULL;

CREATE TABLE movements_rebuilt (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('purchase', 'sale', 'adjustment', 'write_off',
                                                   'sale_return', 'purchase_return', 'opening_stock')),
    quantity      INTEGER NOT NULL CHECK (quantity <> 0),   -- signed: in > 0, out < 0
    unit_amount   INTEGER NOT NULL CHECK (unit_amount >= 0),-- cost (in) or price (out)
    unit_cost     INTEGER NOT NULL CHECK (unit_cost >= 0),  -- the lot's cost, for profit
    lot_id        INTEGER REFERENCES lots (id),
    bill_id       INTEGER REFERENCES bills (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    correction_id INTEGER REFERENCES corrections (id)      -- counts and write-offs
);
INSERT INTO movements_rebuilt (id, product_id, kind, quantity, unit_amount, unit_cost, lot_id, bill_id, user_id, created_at)
    SELECT id, product_id, kind, quantity, unit_amount, unit_cost, lot_id, bill_id, user_id, created_at FROM movements;
DROP TABLE movements;
ALTER TABLE movements_rebuilt RENAME TO movements;
CREATE INDEX movements_recent ON movements (created_at, id);
CREATE INDEX movements_by_product ON movements (product_id, created_at, id);
CREATE INDEX movements_by_kind ON movements (kind, created_at, id);
CREATE INDEX movements_sums_by_kind ON movements (kind, created_at, product_id, quantity, unit_amount, unit_cost);
CREATE INDEX movements_by_bill ON movements (bill_id, product_id) WHERE bill_id IS NOT NULL;

-- The ledger stays append-only.
CREATE TRIGGER movements_no_update BEFORE UPDATE ON movements
BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;
CREATE TRIGGER movements_no_delete BEFORE DELETE ON movements
BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;

-- A correction's one-time key remembers the correction it recorded, as a bill's does.
ALTER TABLE idempotency_keys ADD COLUMN correction_id INTEGER REFERENCES corrections (id);
