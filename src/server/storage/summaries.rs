//! Summaries: what a page reads instead of the ledger, so that its cost follows the rows it
//! shows and not the shop's age (migrations 0018 and 0019). Days and months are the shop's
//! calendar, in its time zone ([`Db::zone`]).
//!
//! - `daily_sales`, `monthly_sales`: each product's net units sold (sales less customer
//!   returns), what they brought in and what their lots had cost, per day and per month.
//! - `daily_totals`: the whole shop's sums per day ([`DayTotals`]: earned, spent, cost of
//!   goods, losses, units sold and bought, the stock's change in value), in [`STRIPES`] rows.
//! - `products.sold_recent`: the sum of a product's last [`SALES_WINDOW_DAYS`] days of
//!   `daily_sales`, the window ending on `sales_window.last_day`: the rate `/reorder` projects
//!   with, read from the product's own row (and the index `products_running_out`).
//!
//! **Kept by the recording transaction.** Every movement is appended through
//! `ledger::insert_movement`, which counts it in the recording's [`Tally`]; the tally is written
//! (three statements at most) just before the recording commits, so the summaries commit or
//! roll back with the movements. The rate changes in the same row update that takes or adds
//! the stock (`ledger::take_stock`, `ledger::add_stock`), so a sold line writes its product's
//! row once. All are increments of rows the transaction holds or inserts, so concurrent
//! recordings (on any number of instances) never lose one: PostgreSQL serialises them on the
//! row locks, SQLite on its write lock.
//!
//! **Moved on once a day.** When the shop's day changes, the first reader ([`catch_up`])
//! subtracts the days that left the window, under a lock that waits for the writers of the
//! moment and holds off new ones for those few milliseconds (PostgreSQL: `LOCK TABLE products
//! IN EXCLUSIVE MODE`, which readers pass; SQLite: its write lock), so no sale falls between.
//! A sale adds to the rate only when its day is still inside the current window, so a movement
//! recorded with an old time (tests, imports of history) cannot count twice.
//!
//! **Rebuilt from the ledger** by [`rebuild`] (`stockroom rebuild-summaries`, after `stockroom
//! seed`, and on its own at start-up when `SHOP_TIMEZONE` is not the zone the days were counted
//! in). It says how many rows it found different: 0 is the proof that the kept sums equal the
//! ledger.

use super::ledger::{NewMovement, Tx};
use super::{Backend, Db, Result};
use crate::domain::calendar::Zone;
use crate::domain::ledger::MovementKind;
use crate::domain::period::Month;
use crate::domain::reorder::SALES_WINDOW_DAYS;
use crate::domain::Day;
use crate::server::zone::ShopZone;
use sqlx::Row;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};

/// A product's [`Measure::scale`](crate::domain::Measure::scale) in SQL, over `products p`;
/// a test holds the two together.
pub(crate) const SCALE: &str =
    "(CASE WHEN p.loose = 1 AND p.unit IN ('g', 'ml') THEN 1000 ELSE 1 END)";

/// The movement kinds the sales sums count (their quantities are negative out, positive back).
const SALE_KINDS: &str = "kind IN ('sale', 'sale_return')";

/// A day of the shop's calendar as `daily_sales` stores it: days from 1970-01-01.
pub fn day_number(day: Day) -> i64 {
    day.key().div_euclid(86_400)
}

/// The shop's day at `now`, as stored.
pub(crate) fn today(db: &Db, now: i64) -> i64 {
    day_number(db.zone().day_of(now))
}

/// The shop's month a [`day_number`] falls in, as `monthly_sales` stores it ([`Month::index`]).
pub fn month_number(day: i64) -> i64 {
    Month::of(Day::from_key(day.saturating_mul(86_400)).date()).index()
}

/// How many rows each day's shop totals are split into. A recording adds its sums to one of
/// them, taken in turn, so recordings committing at the same moment (PostgreSQL holds a row's
/// lock until commit) seldom wait on each other; a day's figure is the sum of its stripes.
pub const STRIPES: i64 = 16;

/// The stripe the next recording of this process adds to.
static NEXT_STRIPE: AtomicI64 = AtomicI64::new(0);

/// Sums of movements, as the dashboard reports them (amounts in minor units, before tax, net
/// of returns): what a day's row of `daily_totals` holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayTotals {
    /// Sales at their price, less customer returns.
    pub earned: i64,
    /// Purchases at their cost, less what went back to suppliers.
    pub spent: i64,
    /// What the lots sold had cost, less what customers' returns had cost.
    pub cost_of_goods: i64,
    /// Written off and counted missing at cost, less counted surplus.
    pub losses: i64,
    pub units_sold: i64,
    pub units_bought: i64,
    /// The stock's value at lot cost, in less out: every kind of movement.
    pub stock_change: i64,
}

/// One product's sales in a day or month: units, price and lot cost, net of customer returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ProductSales {
    sold: i64,
    revenue: i64,
    cost: i64,
}

impl DayTotals {
    /// Adds one movement (quantity signed: in > 0, out < 0) to the sums it counts in. The SQL
    /// of [`recount`] is the same rule over the ledger; the summaries' equality test holds the
    /// two together.
    fn add(&mut self, kind: MovementKind, quantity: i64, at_price: i64, at_cost: i64) {
        let sum = |total: &mut i64, part: i64| *total = total.saturating_add(part);
        match kind {
            MovementKind::Sale | MovementKind::SaleReturn => {
                sum(&mut self.earned, -at_price);
                sum(&mut self.cost_of_goods, -at_cost);
                sum(&mut self.units_sold, -quantity);
            }
            MovementKind::Purchase | MovementKind::PurchaseReturn => {
                sum(&mut self.spent, at_price);
                sum(&mut self.units_bought, quantity);
            }
            MovementKind::WriteOff | MovementKind::Adjustment => sum(&mut self.losses, -at_cost),
            MovementKind::OpeningStock => {}
        }
        sum(&mut self.stock_change, at_cost);
    }
}

/// What one recording transaction adds to the summaries: gathered as it appends its movements
/// ([`super::ledger::insert_movement`] takes the tally), written by [`Tally::write`] just before
/// it commits, so the summaries commit or roll back with the movements. A product's rows are
/// written by the transaction that holds its row's lock, and the shop's totals are increments,
/// so concurrent recordings on any number of instances never lose one.
#[must_use = "a tally must be written before the transaction commits"]
#[derive(Debug)]
pub(crate) struct Tally {
    backend: Backend,
    day: i64,
    totals: DayTotals,
    moved: bool,
    /// Sales per product, in product id order.
    products: BTreeMap<i64, ProductSales>,
}

impl Tally {
    /// A tally for a recording at `now`: its movements count on the shop's day at `now`.
    pub(crate) fn new(db: &Db, now: i64) -> Self {
        Self {
            backend: db.backend(),
            day: today(db, now),
            totals: DayTotals::default(),
            moved: false,
            products: BTreeMap::new(),
        }
    }

    /// The shop's day the movements count on (a [`day_number`]).
    pub(crate) fn day(&self) -> i64 {
        self.day
    }

    /// Counts one movement being appended.
    pub(crate) fn add(&mut self, movement: &NewMovement) {
        let (quantity, amount, cost) = (movement.quantity, movement.amount, movement.cost);
        self.totals.add(movement.kind, quantity, amount, cost);
        self.moved = true;
        if matches!(movement.kind, MovementKind::Sale | MovementKind::SaleReturn) {
            let sales = self.products.entry(movement.product_id).or_default();
            sales.sold = sales.sold.saturating_sub(quantity);
            sales.revenue = sales.revenue.saturating_sub(amount);
            sales.cost = sales.cost.saturating_sub(cost);
        }
    }

    /// Adds what was counted to `daily_sales`, `monthly_sales` and `daily_totals`, in one
    /// round trip whatever the number of lines: on PostgreSQL one statement (the product rows
    /// as data-modifying `WITH` parts), on SQLite the three statements in one call. Parameters:
    /// `$1` day, `$2` month, `$3` stripe, `$4`–`$10` the shop's totals, then four per product.
    pub(crate) async fn write(self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        if !self.moved {
            return Ok(());
        }
        let totals = format!(
            "INSERT INTO daily_totals (day, stripe, {TOTALS}) VALUES ($1, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (day, stripe) DO UPDATE SET {}",
            TOTALS
                .split(", ")
                .map(|c| format!("{c} = daily_totals.{c} + excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let sales = |table: &str, key: &str, period: &str| {
            let rows = (0..self.products.len())
                .map(|i| {
                    let p = 11 + 4 * i;
                    format!("(${p}, {period}, ${}, ${}, ${})", p + 1, p + 2, p + 3)
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "INSERT INTO {table} (product_id, {key}, sold, revenue, cost) VALUES {rows} \
                 ON CONFLICT (product_id, {key}) DO UPDATE SET sold = {table}.sold + excluded.sold, \
                 revenue = {table}.revenue + excluded.revenue, cost = {table}.cost + excluded.cost"
            )
        };
        let sql = if self.products.is_empty() {
            totals
        } else {
            let (days, months) = (
                sales("daily_sales", "day", "$1"),
                sales("monthly_sales", "month", "$2"),
            );
            match self.backend {
                Backend::Postgres => {
                    format!("WITH d AS ({days} RETURNING 1), m AS ({months} RETURNING 1) {totals}")
                }
                Backend::Sqlite => format!("{days}; {months}; {totals}"),
            }
        };
        let t = self.totals;
        let stripe = NEXT_STRIPE
            .fetch_add(1, Ordering::Relaxed)
            .rem_euclid(STRIPES);
        let mut statement = sqlx::query(&sql)
            .bind(self.day)
            .bind(month_number(self.day))
            .bind(stripe);
        for total in [
            t.earned,
            t.spent,
            t.cost_of_goods,
            t.losses,
            t.units_sold,
            t.units_bought,
            t.stock_change,
        ] {
            statement = statement.bind(total);
        }
        for (product_id, sales) in &self.products {
            statement = statement
                .bind(*product_id)
                .bind(sales.sold)
                .bind(sales.revenue)
                .bind(sales.cost);
        }
        statement.execute(&mut **tx).await?;
        Ok(())
    }
}

/// The columns of `daily_totals` that hold sums, in [`DayTotals`]' order.
pub(crate) const TOTALS: &str =
    "earned, spent, cost_of_goods, losses, units_sold, units_bought, stock_change";

/// The rate's change when `units` are sold (negative: returned) on the shop's day `$day` of
/// `ledger::take_stock` / `add_stock`: the units count while that day is in the window.
pub(crate) fn rate_change(units: &str, day: &str) -> String {
    format!(
        "CASE WHEN {day} > (SELECT last_day FROM sales_window WHERE id = 1) - {SALES_WINDOW_DAYS} \
         THEN {units} ELSE 0 END"
    )
}

/// Brings the sales window up to the shop's day at `now`: nothing when it is there already
/// (one atomic read, after the first look of the day), otherwise the days that left it are
/// taken out, or everything is rebuilt when the days were counted in another time zone.
pub async fn catch_up(db: &Db, now: i64) -> Result<()> {
    let today = today(db, now);
    if db.summaries_day().load(Ordering::Relaxed) >= today {
        return Ok(());
    }
    let (last_day, zone) = window(db.pool()).await?;
    let current = if zone != db.zone().name() || last_day < today {
        let mut tx = begin_exclusive(db).await?;
        let (last_day, zone) = window(&mut *tx).await?;
        let current = if zone != db.zone().name() {
            tracing::info!(
                from = %zone,
                to = db.zone().name(),
                "the sales summaries were counted in another time zone: rebuilding them"
            );
            recount(db.zone(), &mut tx, today).await?;
            set_window(db, &mut tx, today).await?;
            today
        } else if last_day < today {
            roll(&mut tx, last_day, today).await?;
            set_window(db, &mut tx, today).await?;
            today
        } else {
            last_day
        };
        tx.commit().await?;
        current
    } else {
        // The window is ahead of this instance's clock (another instance passed midnight a
        // moment earlier): its window is the one to read.
        last_day
    };
    db.summaries_day().store(current, Ordering::Relaxed);
    Ok(())
}

/// What [`rebuild`] found and did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rebuilt {
    /// Days of the shop's calendar the ledger's sales span.
    pub days: i64,
    /// Product-days of sales the ledger holds.
    pub rows: i64,
    /// Product-days whose kept sum differed from the ledger (missing, extra or another number).
    pub rows_differed: i64,
    /// Products whose kept 28-day sales differed from the ledger.
    pub rates_differed: i64,
    /// Product-months whose kept sums differed from the ledger.
    pub months_differed: i64,
    /// Days whose kept shop totals differed from the ledger.
    pub totals_differed: i64,
    /// The stock's value by its movements at cost less its value by its lots (minor units):
    /// anything but 0 is a ledger that disagrees with itself, which no rebuild mends.
    pub stock_value_off: i64,
}

/// Recomputes every summary from the ledger in the shop's time zone, with the window ending on
/// the shop's day at `now`; says how many kept rows differed, and replaces them. Writers wait
/// while it runs (seconds at a million movements).
pub async fn rebuild(db: &Db, now: i64) -> Result<Rebuilt> {
    let today = today(db, now);
    let mut tx = begin_exclusive(db).await?;
    let rebuilt = recount(db.zone(), &mut tx, today).await?;
    set_window(db, &mut tx, today).await?;
    tx.commit().await?;
    db.summaries_day().store(today, Ordering::Relaxed);
    Ok(rebuilt)
}

/// Recomputes every summary from the ledger as [`rebuild`] would for the window the kept ones
/// claim (`sales_window.last_day`), says how many kept rows differ, and changes nothing. The
/// tests' proof that the recording transactions keep the sums equal to the ledger.
pub async fn check(db: &Db) -> Result<Rebuilt> {
    let mut tx = begin_exclusive(db).await?;
    let (last_day, zone) = window(&mut *tx).await?;
    // In the zone the kept days were counted in (this handle's before any was).
    let zone = ShopZone::named(&zone).unwrap_or_else(|_| db.zone().clone());
    let found = recount(&zone, &mut tx, last_day).await?;
    tx.rollback().await?;
    Ok(found)
}

/// A write transaction that holds off every other writer of products (and so of summaries)
/// until it ends.
async fn begin_exclusive(db: &Db) -> Result<Tx> {
    let mut tx = db.begin_write().await?;
    if db.backend() == Backend::Postgres {
        sqlx::query("LOCK TABLE products IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    Ok(tx)
}

/// The day the kept window ends on, and the zone its days were counted in.
async fn window<'e, E>(executor: E) -> Result<(i64, String)>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query("SELECT last_day, zone FROM sales_window WHERE id = 1")
        .fetch_one(executor)
        .await?;
    Ok((row.try_get("last_day")?, row.try_get("zone")?))
}

/// Moves the rates from the window ending on `last_day` to the one ending on `today`: the days
/// that leave it, `(last_day − 28, today − 28]`, come off each product's rate.
async fn roll(tx: &mut Tx, last_day: i64, today: i64) -> Result<()> {
    sqlx::query(
        "UPDATE products SET sold_recent = sold_recent - (SELECT CAST(SUM(d.sold) AS BIGINT) \
             FROM daily_sales d WHERE d.product_id = products.id AND d.day > $1 AND d.day <= $2) \
         WHERE id IN (SELECT product_id FROM daily_sales WHERE day > $1 AND day <= $2)",
    )
    .bind(last_day - SALES_WINDOW_DAYS)
    .bind(today - SALES_WINDOW_DAYS)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records that the kept rates are for the window ending on `last_day`, counted in this
/// handle's zone.
async fn set_window(db: &Db, tx: &mut Tx, last_day: i64) -> Result<()> {
    sqlx::query("UPDATE sales_window SET last_day = $1, zone = $2 WHERE id = 1")
        .bind(last_day)
        .bind(db.zone().name().to_owned())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn count(tx: &mut Tx, sql: &str) -> Result<i64> {
    Ok(sqlx::query(sql).fetch_one(&mut **tx).await?.try_get(0)?)
}

/// What each column of `daily_totals` sums over a day's movements: [`DayTotals::add`] in SQL.
const FRESH_TOTALS: &str = "\
    COALESCE(CAST(SUM(CASE WHEN kind IN ('sale', 'sale_return') THEN -amount ELSE 0 END) AS BIGINT), 0), \
    COALESCE(CAST(SUM(CASE WHEN kind IN ('purchase', 'purchase_return') THEN amount ELSE 0 END) AS BIGINT), 0), \
    COALESCE(CAST(SUM(CASE WHEN kind IN ('sale', 'sale_return') THEN -cost ELSE 0 END) AS BIGINT), 0), \
    COALESCE(CAST(SUM(CASE WHEN kind IN ('write_off', 'adjustment') THEN -cost ELSE 0 END) AS BIGINT), 0), \
    COALESCE(CAST(SUM(CASE WHEN kind IN ('sale', 'sale_return') THEN -quantity ELSE 0 END) AS BIGINT), 0), \
    COALESCE(CAST(SUM(CASE WHEN kind IN ('purchase', 'purchase_return') THEN quantity ELSE 0 END) AS BIGINT), 0), \
    COALESCE(CAST(SUM(cost) AS BIGINT), 0)";

/// Every kind of movement, so a day's range is read from `movements_sums_by_kind`, which covers
/// every column the sums need.
const ALL_KINDS: &str = "kind IN ('purchase', 'sale', 'adjustment', 'write_off', 'sale_return', \
                         'purchase_return', 'opening_stock')";

/// Rows of `kept` not in `fresh` plus rows of `fresh` (by key) not in `kept`.
async fn differing(tx: &mut Tx, fresh: &str, kept: &str, key: &str) -> Result<i64> {
    Ok(count(
        tx,
        &format!("SELECT COUNT(*) FROM ({fresh} EXCEPT {kept}) AS missing"),
    )
    .await?
        + count(
            tx,
            &format!(
                "SELECT COUNT(*) FROM (SELECT {key} FROM ({kept}) AS k EXCEPT SELECT {key} FROM ({fresh}) AS f) AS extra"
            ),
        )
        .await?)
}

/// Counts the ledger afresh into every summary (each product's rate for the window ending on
/// `last_day`), and says how many kept rows differed. The rate is the sum of the days after
/// `last_day − 28`, days after `last_day` included, as `ledger::take_stock` keeps it (a
/// movement timed ahead of the window counts now and leaves it when the window passes it by).
async fn recount(zone: &ShopZone, tx: &mut Tx, last_day: i64) -> Result<Rebuilt> {
    let span = sqlx::query(&format!(
        "SELECT MIN(created_at) AS first, MAX(created_at) AS last FROM movements WHERE {ALL_KINDS}"
    ))
    .fetch_one(&mut **tx)
    .await?;
    let first: Option<i64> = span.try_get("first")?;
    let last: Option<i64> = span.try_get("last")?;

    for table in ["fresh_sales", "fresh_totals"] {
        sqlx::query(&format!("DROP TABLE IF EXISTS {table}"))
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "CREATE TEMPORARY TABLE fresh_sales (product_id BIGINT NOT NULL, day BIGINT NOT NULL, \
         month BIGINT NOT NULL, sold BIGINT NOT NULL, revenue BIGINT NOT NULL, cost BIGINT NOT NULL, \
         PRIMARY KEY (product_id, day))",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query(&format!(
        "CREATE TEMPORARY TABLE fresh_totals (day BIGINT PRIMARY KEY, {})",
        TOTALS
            .split(", ")
            .map(|c| format!("{c} BIGINT NOT NULL"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .execute(&mut **tx)
    .await?;
    let mut days = 0;
    if let (Some(first), Some(last)) = (first, last) {
        let mut day = zone.day_of(first);
        let end = zone.day_of(last);
        // One range of `movements_sums_by_kind` per day, each day's bounds from the zone's rules
        // (a day in a daylight-saving zone is an hour short or long).
        while day <= end {
            let Some(next) = day.plus_days(1) else { break };
            let number = day_number(day);
            sqlx::query(&format!(
                "INSERT INTO fresh_sales (product_id, day, month, sold, revenue, cost) \
                 SELECT product_id, $3, $4, -CAST(SUM(quantity) AS BIGINT), -CAST(SUM(amount) AS BIGINT), \
                        -CAST(SUM(cost) AS BIGINT) FROM movements \
                 WHERE {SALE_KINDS} AND created_at >= $1 AND created_at < $2 GROUP BY product_id"
            ))
            .bind(zone.start_of(day))
            .bind(zone.start_of(next))
            .bind(number)
            .bind(month_number(number))
            .execute(&mut **tx)
            .await?;
            sqlx::query(&format!(
                "INSERT INTO fresh_totals (day, {TOTALS}) SELECT $3, {FRESH_TOTALS} FROM movements \
                 WHERE {ALL_KINDS} AND created_at >= $1 AND created_at < $2 HAVING COUNT(*) > 0"
            ))
            .bind(zone.start_of(day))
            .bind(zone.start_of(next))
            .bind(number)
            .execute(&mut **tx)
            .await?;
            days += 1;
            day = next;
        }
    }
    let rows = count(tx, "SELECT COUNT(*) FROM fresh_sales").await?;
    let rows_differed = differing(
        tx,
        "SELECT product_id, day, sold, revenue, cost FROM fresh_sales",
        "SELECT product_id, day, sold, revenue, cost FROM daily_sales",
        "product_id, day",
    )
    .await?;
    let fresh_months = "SELECT product_id, month, CAST(SUM(sold) AS BIGINT) AS sold, \
                        CAST(SUM(revenue) AS BIGINT) AS revenue, CAST(SUM(cost) AS BIGINT) AS cost \
                        FROM fresh_sales GROUP BY product_id, month";
    let months_differed = differing(
        tx,
        fresh_months,
        "SELECT product_id, month, sold, revenue, cost FROM monthly_sales",
        "product_id, month",
    )
    .await?;
    let summed = TOTALS
        .split(", ")
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let totals_differed = differing(
        tx,
        &format!("SELECT day, {TOTALS} FROM fresh_totals"),
        &format!("SELECT day, {summed} FROM daily_totals GROUP BY day"),
        "day",
    )
    .await?;
    // The ledger's two accounts of the stock's value: its movements at cost, and its lots, each
    // lot's value its `Measure::amount` (half-up, per kg for loose goods kept in grams).
    let stock_value_off = count(
        tx,
        &format!(
            "SELECT COALESCE((SELECT CAST(SUM(stock_change) AS BIGINT) FROM fresh_totals), 0) \
                  - COALESCE((SELECT CAST(SUM((2 * l.remaining * l.unit_cost + {SCALE}) / (2 * {SCALE})) AS BIGINT) \
                              FROM lots l JOIN products p ON p.id = l.product_id WHERE l.remaining > 0), 0)"
        ),
    )
    .await?;
    for (table, columns, fresh) in [
        (
            "daily_sales",
            "product_id, day, sold, revenue, cost",
            "SELECT product_id, day, sold, revenue, cost FROM fresh_sales".to_owned(),
        ),
        (
            "monthly_sales",
            "product_id, month, sold, revenue, cost",
            fresh_months.to_owned(),
        ),
        (
            "daily_totals",
            &format!("day, stripe, {TOTALS}"),
            format!("SELECT day, 0, {TOTALS} FROM fresh_totals"),
        ),
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut **tx)
            .await?;
        sqlx::query(&format!("INSERT INTO {table} ({columns}) {fresh}"))
            .execute(&mut **tx)
            .await?;
    }
    for table in ["fresh_sales", "fresh_totals"] {
        sqlx::query(&format!("DROP TABLE {table}"))
            .execute(&mut **tx)
            .await?;
    }
    let recent = "SELECT CAST(SUM(d.sold) AS BIGINT) FROM daily_sales d \
                  WHERE d.product_id = products.id AND d.day > $1";
    let rates_differed = sqlx::query(&format!(
        "UPDATE products SET sold_recent = COALESCE(({recent}), 0) \
         WHERE sold_recent <> COALESCE(({recent}), 0)"
    ))
    .bind(last_day - SALES_WINDOW_DAYS)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(Rebuilt {
        days,
        rows,
        rows_differed,
        rates_differed: i64::try_from(rates_differed).unwrap_or(i64::MAX),
        months_differed,
        totals_differed,
        stock_value_off,
    })
}
