//! Bills: one per purchase or sale, with the party, lines, and totals in minor units. The
//! totals' arithmetic lives here ([`Totals`]), for the recorder and the seeder alike.

use super::calendar::Day;
use super::Money;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The highest unit price or cost a line may carry: ₹1,00,00,000.00 (10^9 minor units). With
/// at most [`super::stock::MAX_LINE_QUANTITY`] per line, no line total nears `i64::MAX`.
pub const MAX_UNIT_PRICE: i64 = 1_000_000_000;
/// The most lines one bill may have.
pub const MAX_LINES: usize = 100;

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

/// A bill's amounts: the sum of its lines, the tax on that sum, and what is paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
}

/// A bill whose amounts would not fit the books (far beyond any shop's bill).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("The bill's total is too large")]
pub struct TooLarge;

/// A line's amount: quantity × unit price, or `None` when it would overflow.
pub fn line_total(quantity: i64, unit_amount: Money) -> Option<Money> {
    quantity
        .checked_mul(unit_amount.minor())
        .map(Money::from_minor)
}

impl Totals {
    /// The totals of lines given as `(quantity, unit amount)`, taxed at `tax_rate_bp` basis
    /// points (half-up to a minor unit).
    pub fn of(
        lines: impl IntoIterator<Item = (i64, Money)>,
        tax_rate_bp: u32,
    ) -> Result<Self, TooLarge> {
        let subtotal = lines
            .into_iter()
            .try_fold(0i64, |sum, (quantity, unit)| {
                line_total(quantity, unit).and_then(|t| sum.checked_add(t.minor()))
            })
            .map(Money::from_minor)
            .ok_or(TooLarge)?;
        let tax = tax_on(subtotal, tax_rate_bp);
        let total = subtotal
            .minor()
            .checked_add(tax.minor())
            .map(Money::from_minor)
            .ok_or(TooLarge)?;
        Ok(Self {
            subtotal,
            tax,
            total,
        })
    }
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
    pub expires_on: Option<Day>,
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
    fn totals_sum_the_lines_then_tax_the_sum() {
        let lines = [(3, Money::from_minor(3_333)), (1, Money::from_minor(1))];
        let totals = Totals::of(lines, 1_800).unwrap();
        assert_eq!(totals.subtotal, Money::from_minor(10_000));
        assert_eq!(totals.tax, Money::from_minor(1_800));
        assert_eq!(totals.total, Money::from_minor(11_800));
        assert_eq!(Totals::of([], 1_800).unwrap(), Totals::default());
        assert_eq!(
            Totals::of([(i64::MAX, Money::from_minor(2))], 0),
            Err(TooLarge)
        );
    }

    #[test]
    fn bill_numbers_say_their_kind() {
        assert_eq!(bill_number(BillKind::Sale, 42), "S-000042");
        assert_eq!(bill_number(BillKind::Purchase, 1_234_567), "P-1234567");
    }
}
