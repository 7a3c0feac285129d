//! The dashboard's sums: six aggregate statements (sums over indexed time ranges, grouped by
//! month or by product), run side by side, whatever the size of the ledger. No movement or bill
//! is loaded into Rust one by one; the largest answer is one row per chart month.

use super::{history, Backend, Db, Result};
use crate::domain::dashboard::{
    fill_months, Alerts, Figures, MonthTotals, ProductTotals, StockAlert, Totals, ALERT_ROWS,
    TOP_PRODUCTS,
};
use crate::domain::period::Month;
use crate::domain::product::COUNT_CAP;
use crate::domain::Money;
use crate::server::zone::ShopZone;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What to add up for one dashboard.
#[derive(Clone, Debug)]
pub struct DashboardQuery {
    /// The period's first second (Unix, included).
    pub start: i64,
    /// The first second after the period (Unix, excluded).
    pub end: i64,
    /// The chart's months, oldest first.
    pub months: Vec<Month>,
    /// Lots with stock left that expire on or before this date count as expiring.
    pub expiring_until: crate::domain::Day,
    /// The time of the request (Unix): months that ended well before it are final.
    pub now: i64,
    /// The shop's time zone: where each chart month begins and ends.
    pub zone: ShopZone,
}

/// A chart month and the instants it spans in the shop's zone: `[start, stop)`.
#[derive(Clone, Copy, Debug)]
struct MonthSpan {
    month: Month,
    start: i64,
    stop: i64,
}

impl MonthSpan {
    fn of(month: Month, zone: &ShopZone) -> Self {
        Self {
            month,
            start: month.start(zone),
            stop: month.next().start(zone),
        }
    }
}

/// How long after a month ends its sums are taken as final: a bill is stamped with the time
/// it is recorded, so one stamped in the last second of a month commits moments later at most.
const MONTH_SETTLES_SECS: i64 = 3_600;

/// The chart's sums of months that have ended, remembered by the process. Bills are
/// append-only (the ledger refuses edits and deletes) and stamped with the time they are
/// recorded, so an ended month's sums never change: summing a year of bills (~180,000 at
/// chain scale) on every dashboard view would be the same answer each time. Every instance
/// keeps its own copy, and they agree. Only `stockroom seed` writes bills into the past; it
/// runs against a database before the server starts.
///
/// A month is remembered by the instants it spans, not by its name: the same month in another
/// time zone is another range of bills, so a process reading the ledger in a new
/// `SHOP_TIMEZONE` sums it afresh instead of reusing the old zone's figures.
#[derive(Clone, Debug, Default)]
pub struct ClosedMonths(Arc<Mutex<HashMap<(i64, i64), MonthTotals>>>);

/// How many dashboards are summed at once in this process. Each runs six aggregate statements
/// side by side; a crowd of them only shares the same cores more thinly while every SQLite
/// connection holds its own sort memory (64 at once took a server to 260 MB). The rest wait
/// their turn, and the statements of each run at full speed.
pub const DASHBOARDS_AT_ONCE: usize = 2;

impl ClosedMonths {
    fn known(&self, span: &MonthSpan) -> Option<MonthTotals> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&(span.start, span.stop))
            .copied()
    }

    fn remember(&self, span: &MonthSpan, totals: MonthTotals) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((span.start, span.stop), totals);
    }
}

/// Every figure of the dashboard, for every role (the caller filters by role).
pub async fn figures(db: &Db, query: &DashboardQuery) -> Result<Figures> {
    // The semaphore lives as long as the pool and is never closed.
    let _turn = db.dashboard_turns.acquire().await.ok();
    let (bill_sums, months, products, (low_stock, overstock), snapshot, expiring) = tokio::try_join!(
        bill_sums(db, query.start, query.end),
        monthly(db, &query.months, &query.zone, query.now),
        sales_by_product(db, query.start, query.end),
        stock_alerts(db),
        stock_snapshot(db),
        history::expiring_count(db, query.expiring_until),
    )?;
    let (earned, spent, cost_of_goods) = bill_sums;
    Ok(Figures {
        totals: Totals {
            earned,
            spent,
            cost_of_goods,
            losses: products.losses,
            units_sold: products.units_sold,
            units_bought: products.units_bought,
        },
        months,
        top_by_revenue: products.by_revenue,
        top_by_units: products.by_units,
        low_stock,
        overstock,
        stock_value: snapshot.0,
        has_history: snapshot.1,
        expiring_lots: expiring,
    })
}

fn money(row: &AnyRow, column: &str) -> Result<Money> {
    Ok(Money::from_minor(row.try_get(column)?))
}

/// The sums every bill-based figure needs, as SQL select-list items over bills `b`: net of
/// returns, which are bills of their own kind with positive amounts.
const BILL_SUMS: &str = "\
    COALESCE(CAST(SUM(CASE WHEN b.kind = 'sale' THEN b.subtotal \
                           WHEN b.kind = 'sale_return' THEN -b.subtotal ELSE 0 END) AS BIGINT), 0) AS earned, \
    COALESCE(CAST(SUM(CASE WHEN b.kind = 'purchase' THEN b.subtotal \
                           WHEN b.kind = 'purchase_return' THEN -b.subtotal ELSE 0 END) AS BIGINT), 0) AS spent, \
    COALESCE(CAST(SUM(CASE WHEN b.kind = 'sale' THEN b.cost_of_goods \
                           WHEN b.kind = 'sale_return' THEN -b.cost_of_goods ELSE 0 END) AS BIGINT), 0) AS cost_of_goods";

/// The movements whose cost is a loss (or, for a counted surplus, a gain back).
const LOSS_KINDS: &str = "('write_off', 'adjustment')";

/// The period's earned, spent and cost of goods sold (bill subtotals, before tax).
async fn bill_sums(db: &Db, start: i64, end: i64) -> Result<(Money, Money, Money)> {
    let row = sqlx::query(&format!(
        "SELECT {BILL_SUMS} FROM bills b WHERE b.created_at >= $1 AND b.created_at < $2"
    ))
    .bind(start)
    .bind(end)
    .fetch_one(db.pool())
    .await?;
    Ok((
        money(&row, "earned")?,
        money(&row, "spent")?,
        money(&row, "cost_of_goods")?,
    ))
}

/// The same sums per chart month. Months that ended are remembered ([`ClosedMonths`]), so a
/// view sums only the months not yet known — usually just the current one. The months'
/// boundaries in the shop's time zone (a month in a daylight-saving zone is an hour short or
/// long; one in India starts at 18:30 UTC) are computed here from the zone's rules and joined
/// as a small table, so each month is one index range scan and both databases run the same SQL.
async fn monthly(
    db: &Db,
    months: &[Month],
    zone: &ShopZone,
    now: i64,
) -> Result<Vec<(Month, MonthTotals)>> {
    let mut known = Vec::new();
    let mut missing = Vec::new();
    for span in months.iter().map(|m| MonthSpan::of(*m, zone)) {
        match db.closed_months.known(&span) {
            Some(totals) => known.push((span.month, totals)),
            None => missing.push(span),
        }
    }
    if !missing.is_empty() {
        let summed = sum_months(db, &missing).await?;
        let names: Vec<Month> = missing.iter().map(|span| span.month).collect();
        for (span, (month, totals)) in missing.iter().zip(fill_months(&names, &summed)) {
            if span.stop + MONTH_SETTLES_SECS <= now {
                db.closed_months.remember(span, totals);
            }
            known.push((month, totals));
        }
    }
    Ok(fill_months(months, &known))
}

/// Sums the months of `spans` from the bills: one row per month that has any.
async fn sum_months(db: &Db, spans: &[MonthSpan]) -> Result<Vec<(Month, MonthTotals)>> {
    let bounds = (0..spans.len())
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "WITH months (start, stop) AS (VALUES {bounds}), \
         sums AS (SELECT m.start, {BILL_SUMS} \
                  FROM months m JOIN bills b ON b.created_at >= m.start AND b.created_at < m.stop \
                  GROUP BY m.start), \
         lost AS (SELECT m.start, CAST(SUM(-x.quantity * x.unit_cost) AS BIGINT) AS losses \
                  FROM months m JOIN movements x ON x.kind IN {LOSS_KINDS} \
                       AND x.created_at >= m.start AND x.created_at < m.stop \
                  GROUP BY m.start) \
         SELECT m.start, COALESCE(s.earned, 0) AS earned, COALESCE(s.spent, 0) AS spent, \
                COALESCE(s.cost_of_goods, 0) AS cost_of_goods, COALESCE(l.losses, 0) AS losses \
         FROM months m LEFT JOIN sums s ON s.start = m.start LEFT JOIN lost l ON l.start = m.start \
         WHERE s.start IS NOT NULL OR l.start IS NOT NULL"
    );
    let mut statement = sqlx::query(&sql);
    for span in spans {
        statement = statement.bind(span.start).bind(span.stop);
    }
    let rows = db.fetch_all_then_shrink(statement).await?;
    let mut summed = Vec::with_capacity(rows.len());
    for r in &rows {
        let start: i64 = r.try_get("start")?;
        // Each row starts one of the spans bound above.
        let Some(span) = spans.iter().find(|span| span.start == start) else {
            continue;
        };
        let totals = MonthTotals {
            earned: money(r, "earned")?,
            spent: money(r, "spent")?,
            cost_of_goods: money(r, "cost_of_goods")?,
            losses: money(r, "losses")?,
        };
        summed.push((span.month, totals));
    }
    Ok(summed)
}

/// What one scan of the period's movements gives.
struct ProductSums {
    by_revenue: Vec<ProductTotals>,
    by_units: Vec<ProductTotals>,
    units_sold: i64,
    units_bought: i64,
    losses: Money,
}

/// The period's purchase and sale movements summed per product and kind in one pass (each sale
/// movement carries its price and the cost of the lot it came from); both `Top products` lists
/// and the units sold and bought are cut from that in SQL.
async fn sales_by_product(db: &Db, start: i64, end: i64) -> Result<ProductSums> {
    // Once SQLite has statistics (ANALYZE, `PRAGMA optimize`) its planner prefers skipping
    // through `movements_by_product` and reading every row from the table — three times slower
    // on a year of a busy shop. Pin the covering index there; PostgreSQL chooses it unaided.
    let movements = match db.backend() {
        Backend::Sqlite => "movements INDEXED BY movements_sums_by_kind",
        Backend::Postgres => "movements",
    };
    // Both boards are ranked on the sums alone and only their rows are joined with `products`:
    // joining every product sold in the period first (22,000 at chain scale) cost more than
    // the sums. Ties are broken by product id, so the order is stable.
    let sql = format!(
        "WITH t AS ( \
           SELECT product_id, kind, CAST(SUM(-quantity * unit_amount) AS BIGINT) AS revenue, \
                  CAST(SUM(-quantity) AS BIGINT) AS units, CAST(SUM(-quantity * unit_cost) AS BIGINT) AS cost \
           FROM {movements} WHERE kind IN ('sale', 'purchase', 'sale_return', 'purchase_return', \
                                            'write_off', 'adjustment') \
                AND created_at >= $1 AND created_at < $2 \
           GROUP BY product_id, kind), \
         sold AS (SELECT product_id, CAST(SUM(revenue) AS BIGINT) AS revenue, CAST(SUM(units) AS BIGINT) AS units, \
                         CAST(SUM(cost) AS BIGINT) AS cost \
                  FROM t WHERE kind IN ('sale', 'sale_return') GROUP BY product_id), \
         by_revenue AS (SELECT * FROM sold WHERE units > 0 \
                        ORDER BY revenue DESC, units DESC, product_id LIMIT $3), \
         by_units AS (SELECT * FROM sold WHERE units > 0 \
                      ORDER BY units DESC, revenue DESC, product_id LIMIT $3) \
         SELECT 'revenue' AS board, r.product_id, p.name, p.unit, r.revenue, r.units, r.cost \
         FROM by_revenue r JOIN products p ON p.id = r.product_id \
         UNION ALL \
         SELECT 'units' AS board, u.product_id, p.name, p.unit, u.revenue, u.units, u.cost \
         FROM by_units u JOIN products p ON p.id = u.product_id \
         UNION ALL \
         SELECT t.kind AS board, NULL, NULL, NULL, 0, COALESCE(CAST(SUM(t.units) AS BIGINT), 0), \
                COALESCE(CAST(SUM(t.cost) AS BIGINT), 0) \
         FROM t GROUP BY t.kind"
    );
    let query = sqlx::query(&sql).bind(start).bind(end).bind(TOP_PRODUCTS);
    let rows = db.fetch_all_then_shrink(query).await?;
    let mut sums = ProductSums {
        by_revenue: Vec::new(),
        by_units: Vec::new(),
        units_sold: 0,
        units_bought: 0,
        losses: Money::ZERO,
    };
    for r in &rows {
        let board: String = r.try_get("board")?;
        let list = match board.as_str() {
            "revenue" => &mut sums.by_revenue,
            "units" => &mut sums.by_units,
            // Sale quantities are negative in the ledger, so `units` already counts them up;
            // a sale return's are positive and count them down.
            "sale" | "sale_return" => {
                sums.units_sold += r.try_get::<i64, _>("units")?;
                continue;
            }
            "purchase" | "purchase_return" => {
                sums.units_bought -= r.try_get::<i64, _>("units")?;
                continue;
            }
            // What left the shelf for nothing, at cost (a surplus counts back).
            _ => {
                sums.losses = Money::from_minor(sums.losses.minor() + r.try_get::<i64, _>("cost")?);
                continue;
            }
        };
        list.push(ProductTotals {
            product_id: r.try_get("product_id")?,
            name: r.try_get("name")?,
            unit: r.try_get("unit")?,
            revenue: money(r, "revenue")?,
            units: r.try_get("units")?,
            cost: money(r, "cost")?,
        });
    }
    // The joins above keep no order: put each board back in its own.
    let key = |p: &ProductTotals| {
        (
            std::cmp::Reverse(p.revenue),
            std::cmp::Reverse(p.units),
            p.product_id,
        )
    };
    sums.by_revenue.sort_by_key(key);
    sums.by_units.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.units),
            std::cmp::Reverse(p.revenue),
            p.product_id,
        )
    });
    Ok(sums)
}

/// The order of the low-stock list, lowest share of the limit first: written exactly as in the
/// partial index `products_low_stock` (migration 0007), so both databases read the first rows
/// off that index instead of sorting every product below its limit.
const LOW_STOCK_ORDER: &str = "CAST(quantity AS REAL) / CAST(lower_limit AS REAL), name_key, id";

/// Products below their lower limit (lowest share of the limit first) and above their upper
/// limit (by name): the first [`ALERT_ROWS`] of each, with how many there are in all, counted
/// up to [`COUNT_CAP`]` + 1` (a simulated chain has tens of thousands below their limit).
async fn stock_alerts(db: &Db) -> Result<(Alerts, Alerts)> {
    const LOW: &str = "archived = 0 AND quantity < lower_limit";
    const OVER: &str = "archived = 0 AND quantity > upper_limit";
    // With statistics, SQLite counts by walking `products_by_quantity` and reading every
    // product (90 ms at 100,000); pin the partial indexes, which hold just the rows counted.
    // PostgreSQL picks them unaided.
    let (low, over) = match db.backend() {
        Backend::Sqlite => (
            "products INDEXED BY products_low_stock",
            "products INDEXED BY products_overstock",
        ),
        Backend::Postgres => ("products", "products"),
    };
    let rows = sqlx::query(&format!(
        "SELECT * FROM \
           (SELECT 'low' AS level, id, name, unit, quantity, lower_limit AS stock_limit \
            FROM {low} WHERE {LOW} ORDER BY {LOW_STOCK_ORDER} LIMIT $1) lows \
         UNION ALL \
         SELECT * FROM \
           (SELECT 'over' AS level, id, name, unit, quantity, upper_limit AS stock_limit \
            FROM {over} WHERE {OVER} ORDER BY name_key, id LIMIT $1) highs \
         UNION ALL \
         SELECT 'low_total', COUNT(*), NULL, NULL, 0, 0 FROM (SELECT 1 FROM {low} WHERE {LOW} LIMIT $2) AS l \
         UNION ALL \
         SELECT 'over_total', COUNT(*), NULL, NULL, 0, 0 FROM (SELECT 1 FROM {over} WHERE {OVER} LIMIT $2) AS o"
    ))
    .bind(ALERT_ROWS)
    .bind(COUNT_CAP + 1)
    .fetch_all(db.pool())
    .await?;
    let (mut low, mut over) = (Alerts::default(), Alerts::default());
    for r in &rows {
        let level: String = r.try_get("level")?;
        let alerts = match level.as_str() {
            "low_total" => {
                low.total = r.try_get("id")?;
                continue;
            }
            "over_total" => {
                over.total = r.try_get("id")?;
                continue;
            }
            "low" => &mut low,
            _ => &mut over,
        };
        alerts.rows.push(StockAlert {
            product_id: r.try_get("id")?,
            name: r.try_get("name")?,
            unit: r.try_get("unit")?,
            quantity: r.try_get("quantity")?,
            limit: r.try_get("stock_limit")?,
        });
    }
    Ok((low, over))
}

/// The stock on hand at the cost of the lots it sits in, and whether any bill exists at all.
async fn stock_snapshot(db: &Db) -> Result<(Money, bool)> {
    let row = sqlx::query(
        "SELECT (SELECT COALESCE(CAST(SUM(remaining * unit_cost) AS BIGINT), 0) FROM lots WHERE remaining > 0) AS stock_value, \
                (SELECT COUNT(*) FROM (SELECT 1 FROM bills LIMIT 1) AS one_bill) AS has_history",
    )
    .fetch_one(db.pool())
    .await?;
    Ok((
        money(&row, "stock_value")?,
        row.try_get::<i64, _>("has_history")? > 0,
    ))
}
