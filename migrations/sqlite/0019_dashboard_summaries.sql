-- The dashboard's summaries (issue 20): what every dashboard figure reads instead of the ledger.
-- Kept by the transaction that records each movement (see `storage::summaries`), rebuilt from
-- the ledger by `stockroom rebuild-summaries`; days and months are the shop's own, in its time
-- zone (`day`: days from 1970-01-01; `month`: year * 12 + month - 1).

-- Each product's sales on each day also carry what they brought in and what their lots had cost,
-- net of customer returns: the top products of any period are summed from these rows.
ALTER TABLE daily_sales ADD COLUMN revenue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_sales ADD COLUMN cost INTEGER NOT NULL DEFAULT 0;
DROP INDEX daily_sales_by_day;
CREATE INDEX daily_sales_by_day ON daily_sales (day, product_id, sold, revenue, cost);

-- The same per calendar month, each month's products kept in both of the dashboard's orders, so
-- a month's top products are the first rows of an index.
CREATE TABLE monthly_sales (
    product_id INTEGER NOT NULL REFERENCES products (id),
    month      INTEGER NOT NULL,
    sold       INTEGER NOT NULL,
    revenue    INTEGER NOT NULL,
    cost       INTEGER NOT NULL,
    PRIMARY KEY (product_id, month)
);
CREATE INDEX monthly_sales_by_revenue ON monthly_sales (month, revenue DESC, sold DESC, product_id, cost);
CREATE INDEX monthly_sales_by_units ON monthly_sales (month, sold DESC, revenue DESC, product_id, cost);

-- The whole shop's sums per day, net of returns: earned and cost of goods (sales), spent
-- (purchases), losses (write-offs and counts, at cost), units sold and bought, and the change in
-- the stock's value at lot cost (every kind of movement). Each recording adds its sums to one of
-- a few stripes of its day, so concurrent recordings rarely wait on the same row; a figure is the
-- sum of its days' stripes. Stored in key order, so a span of days is one range of the table.
CREATE TABLE daily_totals (
    day           INTEGER NOT NULL,
    stripe        INTEGER NOT NULL,
    earned        INTEGER NOT NULL,
    spent         INTEGER NOT NULL,
    cost_of_goods INTEGER NOT NULL,
    losses        INTEGER NOT NULL,
    units_sold    INTEGER NOT NULL,
    units_bought  INTEGER NOT NULL,
    stock_change  INTEGER NOT NULL,
    PRIMARY KEY (day, stripe)
) WITHOUT ROWID;

-- The zone no counting was done in: the next start rebuilds every summary from the ledger, which
-- fills the rows above for the shop's history.
UPDATE sales_window SET zone = '';
