-- Loose goods in the units people think in (issue 22): a loose product kept in grams or
-- millilitres is priced per kilogram or litre (`domain::measure`), because a price per gram
-- cannot be kept in whole paise (₹145 / kg is 14.5 paise a gram).
--
-- 1. Every movement keeps the money it moved, signed like its quantity: `amount` at its price
--    or cost, `cost` at its lot's cost. Summaries sum these, so a line split over several lots
--    adds up to its bill line to the paisa. Until now both were quantity × unit, which is what
--    they are filled with here.
-- 2. The unit prices and costs of loose goods kept in g or ml become per 1,000 of the unit:
--    exactly 1,000 times what they were, so every amount, total and stock value is unchanged.
--
-- The ledger stays append-only: its guard is lifted for these two statements only.
DROP TRIGGER movements_no_update;

ALTER TABLE movements ADD COLUMN amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE movements ADD COLUMN cost INTEGER NOT NULL DEFAULT 0;
UPDATE movements SET amount = quantity * unit_amount, cost = quantity * unit_cost;

UPDATE movements SET unit_amount = unit_amount * 1000, unit_cost = unit_cost * 1000
 WHERE product_id IN (SELECT id FROM products WHERE loose = 1 AND unit IN ('g', 'ml'));

CREATE TRIGGER movements_no_update BEFORE UPDATE ON movements
BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;

UPDATE lots SET unit_cost = unit_cost * 1000
 WHERE product_id IN (SELECT id FROM products WHERE loose = 1 AND unit IN ('g', 'ml'));
UPDATE bill_lines SET unit_price = unit_price * 1000
 WHERE product_id IN (SELECT id FROM products WHERE loose = 1 AND unit IN ('g', 'ml'));
UPDATE products SET selling_price = selling_price * 1000, average_cost = average_cost * 1000
 WHERE loose = 1 AND unit IN ('g', 'ml');

-- The summaries' rebuild reads a day's sums from this index alone.
DROP INDEX movements_sums_by_kind;
CREATE INDEX movements_sums_by_kind ON movements (kind, created_at, product_id, quantity, amount, cost);
