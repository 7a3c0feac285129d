//! Demo data for trying the app and for browser tests (a handful of everyday products), and
//! simulated history at any scale for benchmarks ([`bulk`]).

pub mod bulk;
mod catalogue;
pub mod simulate;

use super::storage::{products, Db, StorageError};
use crate::domain::Money;

/// Name, unit, loose, selling price in minor units (per kg for loose goods kept in grams:
/// `domain::measure`), lower limit (in the product's own unit).
const DEMO: [(&str, &str, bool, i64, Option<i64>); 12] = [
    ("Basmati Rice 5kg", "pcs", false, 64_900, Some(5)),
    ("Toor Dal", "g", true, 16_000, Some(2_000)),
    ("Sunflower Oil 1L", "pcs", false, 17_500, Some(6)),
    ("Sugar", "g", true, 4_800, Some(5_000)),
    ("Assam Tea 250g", "pcs", false, 14_000, Some(4)),
    ("Wheat Atta 10kg", "pcs", false, 45_000, Some(3)),
    ("Turmeric Powder 100g", "pcs", false, 3_800, None),
    ("Rice Flour 1kg", "pcs", false, 6_200, Some(2)),
    ("Full Cream Milk 500ml", "pcs", false, 3_300, Some(10)),
    ("Glucose Biscuits", "pcs", false, 1_000, Some(12)),
    ("Bath Soap", "pcs", false, 4_500, None),
    ("चाय मसाला 50g", "pcs", false, 6_000, None),
];

/// Adds the demo products that are not there yet, as created at `now`; returns how many were
/// added.
pub async fn demo_products(db: &Db, now: i64) -> Result<usize, StorageError> {
    let mut added = 0;
    for (name, unit, loose, price, lower) in DEMO {
        let product = products::NewProduct {
            name,
            sku: None,
            unit,
            loose,
            selling_price: Money::from_minor(price),
            lower_limit: lower,
            upper_limit: None,
        };
        match products::insert(db, &product, now).await {
            Ok(_) => added += 1,
            Err(StorageError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(added)
}
