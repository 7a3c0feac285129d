//! The dashboard's sums: six aggregate queries (sums over indexed time ranges, grouped by month
//! or by product), run side by side, whatever the size of the ledger. No movement or bill is
//! loaded into Rust one by one; the largest answer is one row per chart month.

use super::{history, Backend, Db, Result};
use crate::domain::dashboard::{
    fill_months, Alerts, Figures, Month, MonthTotals, ProductTotals, StockAlert, Totals,
    ALERT_ROWS, TOP_PRODUCTS,
};
use crate::domain::Money;
use sqlx::any::AnyRow;
use sqlx::Row;

/// What to add up for one dashboard.
#[derive(Clone, Debug)]
pub struct DashboardQuery {
    /// The period's first second (Unix, included).
    pub start: i64,
    /// The first second after the period (Unix, excluded).
    pub end: i64,
    /// The chart's months, oldest first.
    pub months: Vec<Month>,
    /// Lots with stock left that expire on or before this date (`YYYY-MM-DD`) count as expiring.
    pub expiring_until: String,
}

/// Every figure of the dashboard, for every role (the caller filters by role).
pub async fn figures(db: &Db, query: &DashboardQuery) -> Result<Figures> {
    let (
        totals,
        months,
        (top_by_revenue, top_by_units),
        (low_stock, overstock),
        snapshot,
        expiring,
    ) = tokio::try_join!(
        totals(db, query.start, query.end),
        monthly(db, &query.months),
        top_products(db, query.start, query.end),
        stock_alerts(db),
        stock_snapshot(db),
        history::expiring_count(db, &query.expiring_until),
    )?;
    Ok(Figures {
        totals,
        months,
        top_by_revenue,
        top_by_units,
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

/// The period's bill sums (before tax) and the units its movements moved. Both halves read an
/// index on `created_at`.
async fn totals(db: &Db, start: i64, end: i64) -> Result<Totals> {
    let row = sqlx::query(
        "SELECT b.earned, b.spent, b.cost_of_goods, m.units_sold, m.units_bought FROM \
           (SELECT COALESCE(CAST(SUM(CASE WHEN kind = 'sale' THEN subtotal ELSE 0 END) AS BIGINT), 0) AS earned, \
                   COALESCE(CAST(SUM(CASE WHEN kind = 'purchase' THEN subtotal ELSE 0 END) AS BIGINT), 0) AS spent, \
                   COALESCE(CAST(SUM(CASE WHEN kind = 'sale' THEN cost_of_goods ELSE 0 END) AS BIGINT), 0) AS cost_of_goods \
            FROM bills WHERE created_at >= $1 AND created_at < $2) b \
         CROSS JOIN \
           (SELECT COALESCE(CAST(SUM(CASE WHEN kind = 'sale' THEN -quantity ELSE 0 END) AS BIGINT), 0) AS units_sold, \
                   COALESCE(CAST(SUM(CASE WHEN kind = 'purchase' THEN quantity ELSE 0 END) AS BIGINT), 0) AS units_bought \
            FROM movements WHERE kind IN ('sale', 'purchase') AND created_at >= $1 AND created_at < $2) m",
    )
    .bind(start)
    .bind(end)
    .fetch_one(db.pool())
    .await?;
    Ok(Totals {
        earned: money(&row, "earned")?,
        spent: money(&row, "spent")?,
        cost_of_goods: money(&row, "cost_of_goods")?,
        units_sold: row.try_get("units_sold")?,
        units_bought: row.try_get("units_bought")?,
    })
}

/// `YYYY-MM` of a Unix-seconds column, in UTC: the one place the two databases' SQL differs.
fn month_of(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("strftime('%Y-%m', {column}, 'unixepoch')"),
        Backend::Postgres => {
            format!("to_char(to_timestamp({column}) AT TIME ZONE 'UTC', 'YYYY-MM')")
        }
    }
}

/// Bill sums per month over the chart's months (one row per month that had a bill).
async fn monthly(db: &Db, months: &[Month]) -> Result<Vec<(Month, MonthTotals)>> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(&format!(
        "SELECT {month} AS month, \
                COALESCE(CAST(SUM(CASE WHEN kind = 'sale' THEN subtotal ELSE 0 END) AS BIGINT), 0) AS earned, \
                COALESCE(CAST(SUM(CASE WHEN kind = 'purchase' THEN subtotal ELSE 0 END) AS BIGINT), 0) AS spent, \
                COALESCE(CAST(SUM(CASE WHEN kind = 'sale' THEN cost_of_goods ELSE 0 END) AS BIGINT), 0) AS cost_of_goods \
         FROM bills WHERE created_at >= $1 AND created_at < $2 GROUP BY month",
        month = month_of(db.backend(), "created_at"),
    ))
    .bind(first.start())
    .bind(last.next().start())
    .fetch_all(db.pool())
    .await?;
    let rows = rows
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<String, _>("month")?,
                MonthTotals {
                    earned: money(r, "earned")?,
                    spent: money(r, "spent")?,
                    cost_of_goods: money(r, "cost_of_goods")?,
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(fill_months(months, &rows))
}

/// The best-selling products of the period, by revenue and by units: the sale movements are
/// summed per product once (each movement carries its price and the cost of the lot it came
/// from), and both top lists are cut from that in SQL.
async fn top_products(
    db: &Db,
    start: i64,
    end: i64,
) -> Result<(Vec<ProductTotals>, Vec<ProductTotals>)> {
    let rows = sqlx::query(
        "WITH t AS ( \
           SELECT product_id, CAST(SUM(-quantity * unit_amount) AS BIGINT) AS revenue, \
                  CAST(SUM(-quantity) AS BIGINT) AS units, CAST(SUM(-quantity * unit_cost) AS BIGINT) AS cost \
           FROM movements WHERE kind = 'sale' AND created_at >= $1 AND created_at < $2 GROUP BY product_id) \
         SELECT * FROM \
           (SELECT 'revenue' AS board, t.product_id, p.name, p.unit, t.revenue, t.units, t.cost \
            FROM t JOIN products p ON p.id = t.product_id \
            ORDER BY t.revenue DESC, t.units DESC, p.name_key, t.product_id LIMIT $3) by_revenue \
         UNION ALL \
         SELECT * FROM \
           (SELECT 'units' AS board, t.product_id, p.name, p.unit, t.revenue, t.units, t.cost \
            FROM t JOIN products p ON p.id = t.product_id \
            ORDER BY t.units DESC, t.revenue DESC, p.name_key, t.product_id LIMIT $3) by_units",
    )
    .bind(start)
    .bind(end)
    .bind(TOP_PRODUCTS)
    .fetch_all(db.pool())
    .await?;
    let (mut by_revenue, mut by_units) = (Vec::new(), Vec::new());
    for r in &rows {
        let board: String = r.try_get("board")?;
        let list = if board == "revenue" {
            &mut by_revenue
        } else {
            &mut by_units
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
    Ok((by_revenue, by_units))
}

/// Products below their lower limit (lowest share of the limit first) and above their upper
/// limit (by name): the first [`ALERT_ROWS`] of each, with how many there are in all.
async fn stock_alerts(db: &Db) -> Result<(Alerts, Alerts)> {
    let rows = sqlx::query(
        "SELECT * FROM \
           (SELECT 'low' AS level, id, name, unit, quantity, lower_limit AS stock_limit, COUNT(*) OVER () AS total \
            FROM products WHERE archived = 0 AND quantity < lower_limit \
            ORDER BY CAST(quantity AS REAL) / CAST(lower_limit AS REAL), name_key, id LIMIT $1) lows \
         UNION ALL \
         SELECT * FROM \
           (SELECT 'over' AS level, id, name, unit, quantity, upper_limit AS stock_limit, COUNT(*) OVER () AS total \
            FROM products WHERE archived = 0 AND quantity > upper_limit \
            ORDER BY name_key, id LIMIT $1) highs",
    )
    .bind(ALERT_ROWS)
    .fetch_all(db.pool())
    .await?;
    let (mut low, mut over) = (Alerts::default(), Alerts::default());
    for r in &rows {
        let level: String = r.try_get("level")?;
        let alerts = if level == "low" { &mut low } else { &mut over };
        alerts.total = r.try_get("total")?;
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
