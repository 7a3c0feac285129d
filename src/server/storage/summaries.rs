//! Sales summaries: what a page reads instead of the ledger, so that its cost follows the rows
//! it shows and not the shop's age (migration 0018).
//!
//! - `daily_sales`: each product's net units sold (sales less customer returns) on each day of
//!   the shop's calendar, in the shop's time zone ([`Db::zone`]).
//! - `products.sold_recent`: the sum of a product's last [`SALES_WINDOW_DAYS`] days of
//!   `daily_sales`, the window ending on `sales_window.last_day`: the rate `/reorder` projects
//!   with, read from the product's own row (and the index `products_running_out`).
//!
//! **Kept by the recording transaction.** [`add_sold`] runs inside the transaction that
//! records a sale ([`super::stock`]) or a customer return ([`super::returns`]), so a summary
//! commits or rolls back with its movements. Both statements are increments of rows the
//! transaction already holds or inserts, so concurrent sales (on any number of instances)
//! never lose one: PostgreSQL serialises them on the row locks, SQLite on its write lock.
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

use super::ledger::Tx;
use super::{Backend, Db, Result};
use crate::domain::calendar::Zone;
use crate::domain::reorder::SALES_WINDOW_DAYS;
use crate::domain::Day;
use sqlx::Row;
use std::sync::atomic::Ordering;

/// The movement kinds the sales sums count (their quantities are negative out, positive back).
const SALE_KINDS: &str = "kind IN ('sale', 'sale_return')";

/// A day of the shop's calendar as `daily_sales` stores it: days from 1970-01-01.
pub fn day_number(day: Day) -> i64 {
    day.key().div_euclid(86_400)
}

/// The shop's day at `now`, as stored.
fn today(db: &Db, now: i64) -> i64 {
    day_number(db.zone().day_of(now))
}

/// Adds `sold` units (negative for a return) to `product_id`'s sales on the shop's day `day`
/// (a [`day_number`]), inside the recording transaction.
pub(crate) async fn add_sold(
    tx: &mut Tx,
    product_id: i64,
    day: i64,
    sold: i64,
) -> Result<(), sqlx::Error> {
    // The product's row first: every writer locks products before the summaries.
    sqlx::query(&format!(
        "UPDATE products SET sold_recent = sold_recent + $1 \
         WHERE id = $2 AND $3 > (SELECT last_day FROM sales_window WHERE id = 1) - {SALES_WINDOW_DAYS}"
    ))
    .bind(sold)
    .bind(product_id)
    .bind(day)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO daily_sales (product_id, day, sold) VALUES ($1, $2, $3) \
         ON CONFLICT (product_id, day) DO UPDATE SET sold = daily_sales.sold + excluded.sold",
    )
    .bind(product_id)
    .bind(day)
    .bind(sold)
    .execute(&mut **tx)
    .await?;
    Ok(())
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
            recount(db, &mut tx, today).await?;
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
}

/// Recomputes every summary from the ledger in the shop's time zone, with the window ending on
/// the shop's day at `now`; says how many kept rows differed, and replaces them. Writers wait
/// while it runs (seconds at a million movements).
pub async fn rebuild(db: &Db, now: i64) -> Result<Rebuilt> {
    let today = today(db, now);
    let mut tx = begin_exclusive(db).await?;
    let rebuilt = recount(db, &mut tx, today).await?;
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
    let (last_day, _) = window(&mut *tx).await?;
    let found = recount(db, &mut tx, last_day).await?;
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

/// Counts the ledger's sales afresh into `daily_sales` and each product's rate for the window
/// ending on `last_day`, and says how many kept rows differed. The rate is the sum of the days
/// after `last_day − 28`, days after `last_day` included, as [`add_sold`] keeps it (a movement
/// timed ahead of the window counts now and leaves it when the window passes it by).
async fn recount(db: &Db, tx: &mut Tx, last_day: i64) -> Result<Rebuilt> {
    let zone = db.zone();
    let span = sqlx::query(&format!(
        "SELECT MIN(created_at) AS first, MAX(created_at) AS last FROM movements WHERE {SALE_KINDS}"
    ))
    .fetch_one(&mut **tx)
    .await?;
    let first: Option<i64> = span.try_get("first")?;
    let last: Option<i64> = span.try_get("last")?;

    sqlx::query("DROP TABLE IF EXISTS fresh_sales")
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "CREATE TEMPORARY TABLE fresh_sales (product_id BIGINT NOT NULL, day BIGINT NOT NULL, \
         sold BIGINT NOT NULL, PRIMARY KEY (product_id, day))",
    )
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
            sqlx::query(&format!(
                "INSERT INTO fresh_sales (product_id, day, sold) \
                 SELECT product_id, $3, -CAST(SUM(quantity) AS BIGINT) FROM movements \
                 WHERE {SALE_KINDS} AND created_at >= $1 AND created_at < $2 GROUP BY product_id"
            ))
            .bind(zone.start_of(day))
            .bind(zone.start_of(next))
            .bind(day_number(day))
            .execute(&mut **tx)
            .await?;
            days += 1;
            day = next;
        }
    }
    let rows = count(tx, "SELECT COUNT(*) FROM fresh_sales").await?;
    let rows_differed = count(
        tx,
        "SELECT COUNT(*) FROM (SELECT product_id, day, sold FROM fresh_sales \
         EXCEPT SELECT product_id, day, sold FROM daily_sales) AS missing",
    )
    .await?
        + count(
            tx,
            "SELECT COUNT(*) FROM (SELECT product_id, day FROM daily_sales \
             EXCEPT SELECT product_id, day FROM fresh_sales) AS extra",
        )
        .await?;
    sqlx::query("DELETE FROM daily_sales")
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO daily_sales (product_id, day, sold) SELECT product_id, day, sold FROM fresh_sales")
        .execute(&mut **tx)
        .await?;
    sqlx::query("DROP TABLE fresh_sales")
        .execute(&mut **tx)
        .await?;
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
    })
}
