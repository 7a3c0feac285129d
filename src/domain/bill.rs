//! Bills: one per purchase or sale, with the party, lines, and totals in minor units.

use super::Money;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The highest unit price or cost a line may carry: ₹1,00,00,000.00 (10^9 minor units). With
/// at most [`super::stock::MAX_LINE_QUANTITY`] per line, no line total nears `i64::MAX`.
pub const MAX_UNIT_PRICE: i64 = 1_000_000_000;
/// The most lines one bill may have.
pub const MAX_LINES: usize = 100;
/// The longest name (product or party) kept.
pub const MAX_NAME_CHARS: usize = 120;

/// Purchase (stock in) or sale (stock out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BillKind {
    Purchase,
    Sale,
}

impl BillKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            BillKind::Purchase => "purchase",
            BillKind::Sale => "sale",
        }
    }

    /// "Purchase" / "Sale", for people.
    pub fn label(self) -> &'static str {
        match self {
            BillKind::Purchase => "Purchase",
            BillKind::Sale => "Sale",
        }
    }
}

impl fmt::Display for BillKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BillKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "purchase" => Ok(BillKind::Purchase),
            "sale" => Ok(BillKind::Sale),
            other => Err(format!("unknown bill kind {other:?}")),
        }
    }
}

/// Tax on `subtotal` at `rate_bp` basis points, rounded half-up to a minor unit.
pub fn tax_on(subtotal: Money, rate_bp: u32) -> Money {
    let value = i128::from(subtotal.minor()) * i128::from(rate_bp);
    let rounded = (2 * value + 10_000) / 20_000;
    Money::from_minor(i64::try_from(rounded).unwrap_or(i64::MAX))
}

/// Cleans a name typed by a person: trimmed, inner runs of spaces folded, control characters
/// removed. `None` when nothing is left.
pub fn clean_name(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

/// One line of a recorded bill, as shown on the bill page and the invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillLine {
    pub product_id: i64,
    pub product: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub line_total: Money,
    pub expires_on: Option<String>,
}

/// A recorded bill with its lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    pub id: i64,
    pub kind: BillKind,
    pub party_name: String,
    pub party_phone: Option<String>,
    pub party_address: Option<String>,
    pub subtotal: Money,
    pub tax_rate_bp: u32,
    pub tax: Money,
    pub total: Money,
    pub created_at: i64,
    pub created_by: String,
    pub lines: Vec<BillLine>,
}

impl Bill {
    /// The bill's number as people quote it: `S-000042` for sales, `P-000042` for purchases.
    pub fn number(&self) -> String {
        bill_number(self.kind, self.id)
    }
}

/// The printed number of bill `id` of `kind`.
pub fn bill_number(kind: BillKind, id: i64) -> String {
    let prefix = match kind {
        BillKind::Purchase => 'P',
        BillKind::Sale => 'S',
    };
    format!("{prefix}-{id:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_rounds_half_up_to_a_minor_unit() {
        assert_eq!(
            tax_on(Money::from_minor(10_000), 1_800),
            Money::from_minor(1_800)
        );
        assert_eq!(tax_on(Money::from_minor(1), 5_000), Money::from_minor(1)); // 0.5 → 1
        assert_eq!(tax_on(Money::from_minor(1), 4_900), Money::ZERO); // 0.49 → 0
        assert_eq!(tax_on(Money::from_minor(12_345), 0), Money::ZERO);
    }

    #[test]
    fn names_are_cleaned_of_spacing_and_control_characters() {
        assert_eq!(
            clean_name("  Ravi \t Traders\n"),
            Some("Ravi Traders".into())
        );
        assert_eq!(clean_name("a\0b"), Some("a b".into()));
        assert_eq!(clean_name(" \u{7} "), None);
    }

    #[test]
    fn bill_numbers_say_their_kind() {
        assert_eq!(bill_number(BillKind::Sale, 42), "S-000042");
        assert_eq!(bill_number(BillKind::Purchase, 1_234_567), "P-1234567");
    }
}
