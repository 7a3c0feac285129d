//! What the history pages show: bills in a list, ledger movements and their kinds, and lots
//! with stock left (near expiry, or on a product's page).

use super::bill::BillKind;
use super::calendar::Day;
use super::{Measure, Money};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use super::paging::{Cursor, Page, Seek};

/// A row of the bill list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillSummary {
    pub id: i64,
    pub kind: BillKind,
    pub party_name: String,
    pub total: Money,
    pub created_at: i64,
    /// How many lines the bill has.
    pub items: i64,
    /// The names of its first products (at most [`BillSummary::NAMED`]), in line order.
    pub first_products: Vec<String>,
}

impl BillSummary {
    /// How many product names a bill list row shows.
    pub const NAMED: usize = 2;

    /// What the row says the bill holds: `Tea, Sugar and 3 more`, `Tea`, or nothing.
    pub fn contents(&self) -> String {
        let names = self.first_products.join(", ");
        let more = self.items - self.first_products.len() as i64;
        if more > 0 && !names.is_empty() {
            format!("{names} and {more} more")
        } else {
            names
        }
    }
}

/// What a ledger movement records. One place for its stored value, the value a filter sends,
/// and the words people read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MovementKind {
    /// Stock in from a purchase bill.
    Purchase,
    /// Stock out on a sale bill.
    Sale,
    /// A correction after counting the shelf.
    Adjustment,
    /// Stock taken out because it expired or was damaged.
    WriteOff,
    /// Stock back from a customer, into the lots it was sold from.
    SaleReturn,
    /// Stock back to a supplier, out of the lots its purchase made.
    PurchaseReturn,
    /// Stock a shop had before it used Stockroom (a catalogue import): not a purchase.
    OpeningStock,
}

impl MovementKind {
    /// Every kind, in the order the `Type` filter offers them.
    pub const ALL: [MovementKind; 7] = [
        MovementKind::Purchase,
        MovementKind::Sale,
        MovementKind::Adjustment,
        MovementKind::WriteOff,
        MovementKind::SaleReturn,
        MovementKind::PurchaseReturn,
        MovementKind::OpeningStock,
    ];

    /// The stored value (the `movements.kind` column), also the `Type` filter's value.
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Purchase => "purchase",
            MovementKind::Sale => "sale",
            MovementKind::Adjustment => "adjustment",
            MovementKind::WriteOff => "write_off",
            MovementKind::SaleReturn => "sale_return",
            MovementKind::PurchaseReturn => "purchase_return",
            MovementKind::OpeningStock => "opening_stock",
        }
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            MovementKind::Purchase => "Purchase",
            MovementKind::Sale => "Sale",
            MovementKind::Adjustment => "Adjustment",
            MovementKind::WriteOff => "Write-off",
            MovementKind::SaleReturn => "Sale return",
            MovementKind::PurchaseReturn => "Purchase return",
            MovementKind::OpeningStock => "Opening stock",
        }
    }

    /// The movement a bill of `kind` records.
    pub fn of_bill(kind: BillKind) -> Self {
        match kind {
            BillKind::Purchase => MovementKind::Purchase,
            BillKind::Sale => MovementKind::Sale,
            BillKind::SaleReturn => MovementKind::SaleReturn,
            BillKind::PurchaseReturn => MovementKind::PurchaseReturn,
        }
    }
}

impl fmt::Display for MovementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MovementKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown movement kind {s:?}"))
    }
}

/// A row of the ledger history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub id: i64,
    pub created_at: i64,
    pub product_id: i64,
    pub product: String,
    pub unit: String,
    /// Sold loose: with `unit`, how its quantity and unit amount read.
    #[serde(default)]
    pub loose: bool,
    pub kind: MovementKind,
    pub quantity: i64,
    pub unit_amount: Money,
    pub bill_id: Option<i64>,
}

/// A lot with stock left that expires soon (or has expired).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringLot {
    pub lot_id: i64,
    pub product_id: i64,
    pub product: String,
    pub unit: String,
    /// Sold loose: with `unit`, how its quantity and unit amount read.
    #[serde(default)]
    pub loose: bool,
    pub remaining: i64,
    pub expires_on: Day,
    /// Negative once expired.
    pub days_left: i64,
}

/// One of a product's lots with stock left, as its page lists them (first-expiry-first-out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenLot {
    pub lot_id: i64,
    pub remaining: i64,
    /// `None` for goods that do not expire.
    pub expires_on: Option<Day>,
}

impl Movement {
    /// How its quantity and unit amount read (kg and per kg for loose goods kept in grams).
    pub fn measure(&self) -> Measure {
        Measure::new(self.unit.clone(), self.loose)
    }
}

impl ExpiringLot {
    /// How its quantity reads.
    pub fn measure(&self) -> Measure {
        Measure::new(self.unit.clone(), self.loose)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bill_row_names_its_first_products_and_counts_the_rest() {
        let row = |items: i64, names: &[&str]| BillSummary {
            id: 1,
            kind: BillKind::Sale,
            party_name: "Walk-in".into(),
            total: Money::ZERO,
            created_at: 0,
            items,
            first_products: names.iter().map(|n| (*n).to_owned()).collect(),
        };
        assert_eq!(
            row(5, &["Tea", "Sugar"]).contents(),
            "Tea, Sugar and 3 more"
        );
        assert_eq!(row(2, &["Tea", "Sugar"]).contents(), "Tea, Sugar");
        assert_eq!(row(1, &["Tea"]).contents(), "Tea");
        assert_eq!(row(0, &[]).contents(), "");
    }

    #[test]
    fn movement_kinds_round_trip_through_their_stored_value() {
        for kind in MovementKind::ALL {
            assert_eq!(kind.as_str().parse::<MovementKind>(), Ok(kind));
        }
        assert!("refund".parse::<MovementKind>().is_err());
        assert_eq!(MovementKind::WriteOff.label(), "Write-off");
        assert_eq!(MovementKind::of_bill(BillKind::Sale), MovementKind::Sale);
    }
}
