//! Shop-scale and chain-scale data for benchmarks: `stockroom seed --products N --movements M`.
//! The history is simulated ([`super::simulate`]) through the app's own ledger rules, then
//! loaded in bulk by [`crate::server::storage::bulk`] into an empty database.

use super::simulate::simulate;
use crate::server::storage::{bulk, Db, StorageError};

/// What to seed.
#[derive(Clone, Debug)]
pub struct Plan {
    pub products: usize,
    pub movements: usize,
    pub seed: u64,
    /// The end of the simulated history (Unix seconds); it starts two years earlier.
    pub now: i64,
    pub tax_rate_bp: u32,
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
    Ok(Seeded {
        products: shop.products.len(),
        bills: shop.bills.len(),
        bill_lines: shop.lines.len(),
        lots: shop.lots.len(),
        movements: shop.movements.len(),
    })
}
