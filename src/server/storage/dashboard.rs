//! The dashboard's figures, read from the summaries (`storage::summaries`, migration 0019)
//! and never from the ledger: the period's and the chart months' sums are a few rows of
//! `daily_totals` per day, a month's top products the first rows of an index of
//! `monthly_sales`, any other period's the products sold in it (`monthly_sales` for its whole
//! months, `daily_sales` for the days at its ends). What a view costs follows the days and the
//! products it shows, not the shop's age. Four statements, run side by side.

use super::summaries::{day_number, TOTALS};
use super::{history, Backend, Db, Result};
use crate::domain::dashboard::{
    fill_months, Alerts, Figures, MonthTotals, ProductTotals, StockAlert, Totals, ALERT_ROWS,
    TOP_PRODUCTS,
};
use crate::domain::period::{Month, Period};
use crate::domain::product::COUNT_CAP;
use crate::domain::{Day, Money};
use sqlx::any::AnyRow;
use sqlx::Row;

/// What to add up for one dashboard: whole days of the shop's calendar (in the zone the
/// summaries are counted in, [`Db::zone`]).
#[derive(Clone, Debug)]
pub struct DashboardQuery {
    /// The period's first day.
    pub from: Day,
    /// The period's last day (included).
    pub to: Day,
    /// The chart's months, oldest first.
    pub months: Vec<Month>,
    /// The shop's day of the request: nothing is recorded after it.
    pub today: Day,
    /// Lots with stock left that expire on or before this date count as expiring.
    pub expiring_until: Day,
}

impl DashboardQuery {
    /// The dashboard of `period` on the shop's day `today`.
    pub fn of(period: &Period, today: Day, expiring_until: Day) -> Self {
        Self {
            from: Day::from_date(period.first_day()),
            to: Day::from_date(period.last_day()),
            months: period.chart_months(),
            today,
            expiring_until,
        }
    }
}

/// Every figure of the dashboard, for every role (the caller filters by role).
pub async fn figures(db: &Db, query: &DashboardQuery) -> Result<Figures> {
    let (sums, products, (low_stock, overstock), expiring) = tokio::try_join!(
        day_sums(db, query),
        top_products(db, query),
        stock_alerts(db),
        history::expiring_badge(db, query.expiring_until),
    )?;
    let period = sums.period;
    Ok(Figures {
        totals: Totals {
            earned: Money::from_minor(period.earned),
            spent: Money::from_minor(period.spent),
            cost_of_goods: Money::from_minor(period.cost_of_goods),
            losses: Money::from_minor(period.losses),
            units_sold: period.units_sold,
            units_bought: period.units_bought,
        },
        months: sums.months,
        top_by_revenue: products.by_revenue,
        top_by_units: products.by_units,
        low_stock,
        overstock,
        stock_value: Money::from_minor(sums.stock_value),
        has_history: sums.has_history,
        expiring_lots: expiring,
    })
}

fn money(row: &AnyRow, column: &str) -> Result<Money> {
    Ok(Money::from_minor(row.try_get(column)?))
}

/// What one read of `daily_totals` gives.
struct DaySums {
    period: super::summaries::DayTotals,
    months: Vec<(Month, MonthTotals)>,
    stock_value: i64,
    has_history: bool,
}

/// The days a month spans, as the summaries number them.
fn month_days(month: Month) -> (i64, i64) {
    (
        day_number(Day::from_date(month.first_day())),
        day_number(Day::from_date(month.last_day())),
    )
}

/// The period's sums, each chart month's, and the stock's value (the sum of every day's
/// change), in one statement: a range of `daily_totals` per span, a few rows a day.
async fn day_sums(db: &Db, query: &DashboardQuery) -> Result<DaySums> {
    let mut spans = vec![(day_number(query.from), day_number(query.to))];
    spans.extend(query.months.iter().map(|m| month_days(*m)));
    let values = (0..spans.len())
        .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
        .collect::<Vec<_>>()
        .join(", ");
    let summed = TOTALS
        .split(", ")
        .map(|c| format!("COALESCE(CAST(SUM(t.{c}) AS BIGINT), 0) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let zeros = TOTALS
        .split(", ")
        .map(|c| {
            if c == "stock_change" {
                "COALESCE(CAST(SUM(t.stock_change) AS BIGINT), 0)"
            } else {
                "0"
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    // Span -1: every day (the stock's value); span -2: whether any bill exists.
    let sql = format!(
        "WITH spans (k, first_day, last_day) AS (VALUES {values}) \
         SELECT s.k AS k, {summed} FROM spans s \
           JOIN daily_totals t ON t.day >= s.first_day AND t.day <= s.last_day GROUP BY s.k \
         UNION ALL SELECT -1, {zeros} FROM daily_totals t \
         UNION ALL SELECT -2, (SELECT COUNT(*) FROM (SELECT 1 FROM bills LIMIT 1) AS one_bill), {} ",
        vec!["0"; TOTALS.split(", ").count() - 1].join(", ")
    );
    let mut statement = sqlx::query(&sql);
    for (k, (first, last)) in spans.iter().enumerate() {
        statement = statement
            .bind(i64::try_from(k).unwrap_or(i64::MAX))
            .bind(*first)
            .bind(*last);
    }
    let rows = statement.fetch_all(db.pool()).await?;
    let mut sums = DaySums {
        period: Default::default(),
        months: Vec::new(),
        stock_value: 0,
        has_history: false,
    };
    let mut months = Vec::new();
    for r in &rows {
        let k: i64 = r.try_get("k")?;
        let totals = super::summaries::DayTotals {
            earned: r.try_get("earned")?,
            spent: r.try_get("spent")?,
            cost_of_goods: r.try_get("cost_of_goods")?,
            losses: r.try_get("losses")?,
            units_sold: r.try_get("units_sold")?,
            units_bought: r.try_get("units_bought")?,
            stock_change: r.try_get("stock_change")?,
        };
        match k {
            -2 => sums.has_history = totals.earned > 0,
            -1 => sums.stock_value = totals.stock_change,
            0 => sums.period = totals,
            _ => {
                let Some(month) = usize::try_from(k - 1)
                    .ok()
                    .and_then(|i| query.months.get(i))
                else {
                    continue;
                };
                months.push((
                    *month,
                    MonthTotals {
                        earned: Money::from_minor(totals.earned),
                        spent: Money::from_minor(totals.spent),
                        cost_of_goods: Money::from_minor(totals.cost_of_goods),
                        losses: Money::from_minor(totals.losses),
                    },
                ));
            }
        }
    }
    sums.months = fill_months(&query.months, &months);
    Ok(sums)
}

/// Both `Top products` boards.
struct TopProducts {
    by_revenue: Vec<ProductTotals>,
    by_units: Vec<ProductTotals>,
}

/// How a period's days split into what the summaries hold: whole months (`monthly_sales`),
/// and the days before the first and after the last of them (`daily_sales`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Split {
    /// Whole months, first and last ([`Month::index`]); none when first > last.
    months: (i64, i64),
    /// Days before the whole months, first and last (none when first > last).
    head: (i64, i64),
    /// Days after the whole months.
    tail: (i64, i64),
}

impl Split {
    /// `from..=to`, where nothing is recorded after `today`: a period that reaches today
    /// holds the rest of today's month too (none of it has happened).
    fn of(from: Day, to: Day, today: Day) -> Self {
        let (from_day, to_day) = (day_number(from), day_number(to));
        let first = Month::of(from.date());
        let first = if month_days(first).0 == from_day {
            first
        } else {
            first.next()
        };
        let last = Month::of(to.date());
        let reaches_end = month_days(last).1 == to_day || to >= today;
        let last = if reaches_end { last } else { last.back(1) };
        if first > last {
            return Self {
                months: (1, 0),
                head: (from_day, to_day),
                tail: (1, 0),
            };
        }
        Self {
            months: (first.index(), last.index()),
            head: (from_day, month_days(first).0 - 1),
            tail: (month_days(last).1 + 1, to_day),
        }
    }

    fn one_month(&self) -> Option<i64> {
        (self.months.0 == self.months.1 && self.head.0 > self.head.1 && self.tail.0 > self.tail.1)
            .then_some(self.months.0)
    }
}

/// The columns both boards show, from rows `s` (`product_id`, `revenue`, `units`, `cost`).
const BOARD: &str = "s.product_id, p.name, p.unit, p.loose, s.revenue, s.units, s.cost";
const BY_REVENUE: &str = "revenue DESC, units DESC, product_id";
const BY_UNITS: &str = "units DESC, revenue DESC, product_id";

/// The period's top products by revenue and by units. One month (the dashboard's usual
/// period): the first rows of `monthly_sales_by_revenue` and `_by_units`. Any other: the
/// products sold in it summed, then ranked.
async fn top_products(db: &Db, query: &DashboardQuery) -> Result<TopProducts> {
    let split = Split::of(query.from, query.to, query.today);
    let rows = if let Some(month) = split.one_month() {
        let ranked = |order: &str| {
            format!(
                "SELECT product_id, revenue, sold AS units, cost FROM monthly_sales \
                 WHERE month = $1 AND sold > 0 ORDER BY month, {} LIMIT $2",
                order.replace("units", "sold")
            )
        };
        let sql = format!(
            "SELECT 'revenue' AS board, {BOARD} FROM ({}) s JOIN products p ON p.id = s.product_id \
             UNION ALL \
             SELECT 'units' AS board, {BOARD} FROM ({}) s JOIN products p ON p.id = s.product_id",
            ranked(BY_REVENUE),
            ranked(BY_UNITS)
        );
        sqlx::query(&sql)
            .bind(month)
            .bind(TOP_PRODUCTS)
            .fetch_all(db.pool())
            .await?
    } else {
        // Pinned on SQLite: with statistics its planner may walk the primary key instead.
        let (months, days) = match db.backend() {
            Backend::Sqlite => (
                "monthly_sales INDEXED BY monthly_sales_by_revenue",
                "daily_sales INDEXED BY daily_sales_by_day",
            ),
            Backend::Postgres => ("monthly_sales", "daily_sales"),
        };
        let sql = format!(
            "WITH sold_rows AS ( \
               SELECT product_id, sold, revenue, cost FROM {months} WHERE month >= $1 AND month <= $2 \
               UNION ALL \
               SELECT product_id, sold, revenue, cost FROM {days} WHERE day >= $3 AND day <= $4 \
               UNION ALL \
               SELECT product_id, sold, revenue, cost FROM {days} WHERE day >= $5 AND day <= $6), \
             sold AS (SELECT product_id, CAST(SUM(revenue) AS BIGINT) AS revenue, CAST(SUM(sold) AS BIGINT) AS units, \
                             CAST(SUM(cost) AS BIGINT) AS cost FROM sold_rows GROUP BY product_id), \
             by_revenue AS (SELECT * FROM sold WHERE units > 0 ORDER BY {BY_REVENUE} LIMIT $7), \
             by_units AS (SELECT * FROM sold WHERE units > 0 ORDER BY {BY_UNITS} LIMIT $7) \
             SELECT 'revenue' AS board, {BOARD} FROM by_revenue s JOIN products p ON p.id = s.product_id \
             UNION ALL \
             SELECT 'units' AS board, {BOARD} FROM by_units s JOIN products p ON p.id = s.product_id"
        );
        sqlx::query(&sql)
            .bind(split.months.0)
            .bind(split.months.1)
            .bind(split.head.0)
            .bind(split.head.1)
            .bind(split.tail.0)
            .bind(split.tail.1)
            .bind(TOP_PRODUCTS)
            .fetch_all(db.pool())
            .await?
    };
    let mut top = TopProducts {
        by_revenue: Vec::new(),
        by_units: Vec::new(),
    };
    for r in &rows {
        let board: String = r.try_get("board")?;
        let list = if board == "revenue" {
            &mut top.by_revenue
        } else {
            &mut top.by_units
        };
        list.push(ProductTotals {
            product_id: r.try_get("product_id")?,
            name: r.try_get("name")?,
            unit: r.try_get("unit")?,
            loose: r.try_get::<i64, _>("loose")? != 0,
            revenue: money(r, "revenue")?,
            units: r.try_get("units")?,
            cost: money(r, "cost")?,
        });
    }
    // The joins above keep no order: put each board back in its own.
    top.by_revenue.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.revenue),
            std::cmp::Reverse(p.units),
            p.product_id,
        )
    });
    top.by_units.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.units),
            std::cmp::Reverse(p.revenue),
            p.product_id,
        )
    });
    Ok(top)
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
           (SELECT 'low' AS level, id, name, unit, loose, quantity, lower_limit AS stock_limit \
            FROM {low} WHERE {LOW} ORDER BY {LOW_STOCK_ORDER} LIMIT $1) lows \
         UNION ALL \
         SELECT * FROM \
           (SELECT 'over' AS level, id, name, unit, loose, quantity, upper_limit AS stock_limit \
            FROM {over} WHERE {OVER} ORDER BY name_key, id LIMIT $1) highs \
         UNION ALL \
         SELECT 'low_total', COUNT(*), NULL, NULL, 0, 0, 0 FROM (SELECT 1 FROM {low} WHERE {LOW} LIMIT $2) AS l \
         UNION ALL \
         SELECT 'over_total', COUNT(*), NULL, NULL, 0, 0, 0 FROM (SELECT 1 FROM {over} WHERE {OVER} LIMIT $2) AS o"
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
            loose: r.try_get::<i64, _>("loose")? != 0,
            quantity: r.try_get("quantity")?,
            limit: r.try_get("stock_limit")?,
        });
    }
    Ok((low, over))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn month(year: i32, month: u8) -> i64 {
        Month { year, month }.index()
    }

    #[test]
    fn a_month_to_date_is_one_whole_month() {
        let split = Split::of(day("2026-03-01"), day("2026-03-15"), day("2026-03-15"));
        assert_eq!(split.one_month(), Some(month(2026, 3)));
        let past = Split::of(day("2026-02-01"), day("2026-02-28"), day("2026-03-15"));
        assert_eq!(past.one_month(), Some(month(2026, 2)));
    }

    #[test]
    fn a_range_splits_into_whole_months_and_the_days_at_its_ends() {
        // 14 Feb – 15 Mar, today 20 Mar: no whole month; all days.
        let split = Split::of(day("2026-02-14"), day("2026-03-15"), day("2026-03-20"));
        assert!(split.months.0 > split.months.1);
        assert_eq!(
            split.head,
            (day_number(day("2026-02-14")), day_number(day("2026-03-15")))
        );
        assert_eq!(split.one_month(), None);
        // 20 Jan – 10 Apr (today): February to April whole, 20–31 Jan as days.
        let split = Split::of(day("2026-01-20"), day("2026-04-10"), day("2026-04-10"));
        assert_eq!(split.months, (month(2026, 2), month(2026, 4)));
        assert_eq!(
            split.head,
            (day_number(day("2026-01-20")), day_number(day("2026-01-31")))
        );
        assert!(split.tail.0 > split.tail.1);
        // 1 Jan – 10 Mar, today 1 Jun: January and February whole, 1–10 March as days.
        let split = Split::of(day("2026-01-01"), day("2026-03-10"), day("2026-06-01"));
        assert_eq!(split.months, (month(2026, 1), month(2026, 2)));
        assert!(split.head.0 > split.head.1);
        assert_eq!(
            split.tail,
            (day_number(day("2026-03-01")), day_number(day("2026-03-10")))
        );
    }
}
