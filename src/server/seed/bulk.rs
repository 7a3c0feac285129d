//! Shop-scale and chain-scale data for benchmarks: `stockroom seed --products N --movements M`.
//! The history is simulated ([`super::simulate`]) through the app's own ledger rules, then
//! loaded in bulk by [`crate::server::storage::bulk`] into an empty database.

use super::simulate::simulate;
use crate::domain::calendar::Zone;
use crate::server::storage::{bulk, Db, StorageError};
use crate::server::zone::ShopZone;

/// What to seed.
#[derive(Clone, Debug)]
pub struct Plan {
    pub products: usize,
    pub movements: usize,
    pub seed: u64,
    /// The end of the simulated history (Unix seconds); it starts two years earlier.
    pub now: i64,
    pub tax_rate_bp: u32,
    /// The shop's time zone: the days lots expire on and expired lots are written off.
    pub zone: ShopZone,
}

/// Twelve hours after the start of the shop's today at `now`: where a seeded history ends, so
/// that the same seed gives the same data all day, and the history ends today in the shop.
pub fn midday_today(zone: &ShopZone, now: i64) -> i64 {
    zone.start_of(zone.day_of(now)) + 12 * 3_600
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub products: usize,
    pub bills: usize,
    pub bill_lines: usize,
    pub lots: usize,
    pub movements: usize,
}

/// Why seeding did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seeding needs a database without products or bills (this one has {0} rows); use a fresh DATABASE_URL")]
    NotEmpty(i64),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Seeds the empty shop (no products, no bills) behind `db` (opened from `url`) with `plan`.
/// Refuses a shop that has data.
pub async fn seed(db: &Db, url: &str, plan: &Plan) -> Result<Seeded, SeedError> {
    let existing = bulk::existing_rows(db).await?;
    if existing > 0 {
        return Err(SeedError::NotEmpty(existing));
    }
    let user_id = bulk::seed_user(db, plan.now).await?;
    let started = std::time::Instant::now();
    let shop = simulate(plan, user_id);
    tracing::info!(elapsed = ?started.elapsed(), "simulated the history");
    bulk::load(db, url, &shop).await?;
    // The loader writes bills as an older version did, without their party: link them.
    crate::server::storage::parties::link_all(db).await?;
    // ... and without their sales summaries: count them from the ledger.
    crate::server::storage::summaries::rebuild(db, plan.now).await?;
    bulk::settle(db).await?;
    Ok(Seeded {
        products: shop.products.len(),
        bills: shop.bills.len(),
        bill_lines: shop.lines.len(),
        lots: shop.lots.len(),
        movements: shop.movements.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_history_ends_at_midday_of_the_shops_today() {
        // 2026-06-15 12:00 UTC is already 02:00 on the 16th in Kiritimati (+14).
        let noon_utc = 1_781_524_800;
        let kiritimati = ShopZone::named("Pacific/Kiritimati").unwrap();
        let end = midday_today(&kiritimati, noon_utc);
        assert_eq!(kiritimati.show(end), "2026-06-16 12:00");
        assert_eq!(midday_today(&ShopZone::utc(), noon_utc), noon_utc);
        let pago_pago = ShopZone::named("Pacific/Pago_Pago").unwrap();
        assert_eq!(
            pago_pago.show(midday_today(&pago_pago, noon_utc)),
            "2026-06-15 12:00"
        );
    }
}
