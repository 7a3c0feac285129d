-- The reorder list (`/reorder`) at chain scale: each index holds only the rows its query reads.
--
-- The products at or below their lower limit, the list's first half, read without visiting the
-- others. (Its second half, the products that sold in the last 28 days, comes from one range of
-- `movements_sums_by_kind`, which already holds kind, time, product and quantity.)
CREATE INDEX products_to_reorder ON products (id) WHERE archived = 0 AND quantity <= lower_limit;

-- A product's latest purchase, and so its last supplier: one step down this index per row shown,
-- however many sales the product has.
CREATE INDEX movements_last_purchase ON movements (product_id, created_at, id, bill_id) WHERE kind = 'purchase';
