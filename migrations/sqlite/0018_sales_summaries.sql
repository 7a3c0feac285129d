-- Sales summaries (issues 19 and 20): what the reorder list and, later, the dashboard read instead
-- of the ledger. Kept by the transaction that records each sale and each customer return (see
-- `storage::summaries`), rebuilt from the ledger by `stockroom rebuild-summaries`.
--
-- Each product's net units sold (sales less customer returns) on each day of the shop's calendar
-- (`day`: the date counted in days from 1970-01-01), in the shop's time zone.
CREATE TABLE daily_sales (
    product_id INTEGER NOT NULL REFERENCES products (id),
    day        INTEGER NOT NULL,
    sold       INTEGER NOT NULL,
    PRIMARY KEY (product_id, day)
);
-- The days leaving the sales window, read once a day when the window moves on.
CREATE INDEX daily_sales_by_day ON daily_sales (day, product_id, sold);

-- Each product's net units sold over the 28 days of the window that ends on
-- `sales_window.last_day` (today included): the rate `/reorder` projects with.
ALTER TABLE products ADD COLUMN sold_recent INTEGER NOT NULL DEFAULT 0;

-- The window `products.sold_recent` covers, and the time zone its days were counted in. A zone
-- other than the configured `SHOP_TIMEZONE` (and the empty one here, before the first build)
-- makes the next start rebuild the summaries from the ledger.
CREATE TABLE sales_window (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_day INTEGER NOT NULL,
    zone     TEXT NOT NULL
);
INSERT INTO sales_window (id, last_day, zone) VALUES (1, 0, '');

-- The products that sold in the window by whole days of stock left at that rate (the reorder
-- list's second half, and its order): "runs out within N days" reads only the products that do.
-- The expression must stay exactly as `storage::reorder` writes it.
CREATE INDEX products_running_out ON products ((quantity * 28 / sold_recent), name_key, id)
    WHERE archived = 0 AND sold_recent > 0;

-- The rest of the reorder list, each part in the list's order (see `storage::reorder`): the
-- products at their lower limit that sell, by days left, and those that do not sell, by name.
-- They replace 0014's `products_to_reorder`, which held both parts in no useful order.
CREATE INDEX products_at_limit_selling ON products ((quantity * 28 / sold_recent), name_key, id)
    WHERE archived = 0 AND sold_recent > 0 AND quantity <= lower_limit;
CREATE INDEX products_at_limit_unsold ON products (name_key, id)
    WHERE archived = 0 AND sold_recent <= 0 AND quantity <= lower_limit;
DROP INDEX products_to_reorder;
