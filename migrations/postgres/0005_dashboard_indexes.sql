-- The dashboard sums bills and sale movements over a time range. These covering indexes hold
-- every column those sums read, so a year of a busy shop is one index range scan, never a
-- lookup of each row in the table.
CREATE INDEX bills_sums_by_time ON bills (created_at, kind, subtotal, cost_of_goods);
CREATE INDEX movements_sums_by_kind ON movements (kind, created_at, product_id, quantity, unit_amount, unit_cost);
