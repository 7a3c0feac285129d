//! Bills: one per purchase or sale, with the party, lines, and totals in minor units. The
//! totals' arithmetic lives here ([`Totals`]), for the recorder and the seeder alike.

use super::calendar::Day;
use super::tax::{summarize, tax_on, RateSummary, TaxedLine};
use super::{Measure, Money};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The highest unit price or cost a line may carry: ₹1,00,00,000.00 (10^9 minor units). With
/// at most [`super::stock::MAX_LINE_QUANTITY`] per line, no line total nears `i64::MAX`.
pub const MAX_UNIT_PRICE: i64 = 1_000_000_000;
/// The most lines one bill may have.
pub const MAX_LINES: usize = 100;

/// Purchase (stock in), sale (stock out), or a return of either (its own bill, linked to the
/// original).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BillKind {
    Purchase,
    Sale,
    /// Goods a customer brought back: units in, money refunded.
    SaleReturn,
    /// Goods sent back to the supplier: units out, money refunded to the shop.
    PurchaseReturn,
}

impl BillKind {
    /// Every kind.
    pub const ALL: [BillKind; 4] = [
        BillKind::Purchase,
        BillKind::Sale,
        BillKind::SaleReturn,
        BillKind::PurchaseReturn,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            BillKind::Purchase => "purchase",
            BillKind::Sale => "sale",
            BillKind::SaleReturn => "sale_return",
            BillKind::PurchaseReturn => "purchase_return",
        }
    }

    /// "Purchase", "Sale", "Sale return", "Purchase return", for people.
    pub fn label(self) -> &'static str {
        match self {
            BillKind::Purchase => "Purchase",
            BillKind::Sale => "Sale",
            BillKind::SaleReturn => "Sale return",
            BillKind::PurchaseReturn => "Purchase return",
        }
    }

    /// The kind of bill that returns goods of a bill of this kind (`None` for a return).
    pub fn return_kind(self) -> Option<Self> {
        match self {
            BillKind::Sale => Some(BillKind::SaleReturn),
            BillKind::Purchase => Some(BillKind::PurchaseReturn),
            BillKind::SaleReturn | BillKind::PurchaseReturn => None,
        }
    }

    /// The kind of bill a return of this kind gives goods back from (`None` for an original).
    pub fn original_kind(self) -> Option<Self> {
        match self {
            BillKind::SaleReturn => Some(BillKind::Sale),
            BillKind::PurchaseReturn => Some(BillKind::Purchase),
            BillKind::Sale | BillKind::Purchase => None,
        }
    }

    /// Whether this is a return of another bill.
    pub fn is_return(self) -> bool {
        self.return_kind().is_none()
    }

    /// Whether the bill's goods leave the shop (a sale, a return to the supplier).
    pub fn takes_stock_out(self) -> bool {
        matches!(self, BillKind::Sale | BillKind::PurchaseReturn)
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
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown bill kind {s:?}"))
    }
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

/// A line's amount: quantity × unit price ÷ the measure's scale, rounded half-up
/// ([`Measure::amount`]; loose goods are priced per kg), or `None` when it would overflow.
pub fn line_total(measure: &Measure, quantity: i64, unit_amount: Money) -> Option<Money> {
    measure.amount(quantity, unit_amount)
}

/// A bill's lines priced: each line's amount and tax, and the bill's totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Priced {
    pub totals: Totals,
    /// In the order given: the line's amount (`taxable`), its rate and its tax.
    pub lines: Vec<TaxedLine>,
}

impl Totals {
    /// The totals of lines given as `(amount, tax rate in basis points)`, each amount a
    /// [`line_total`]: each line's tax is rounded half-up to a minor unit on its own, and the
    /// bill's tax is their sum (PRODUCT.md, "Tax").
    pub fn of_lines(lines: impl IntoIterator<Item = (Money, u32)>) -> Result<Priced, TooLarge> {
        let mut priced = Priced::default();
        let (mut subtotal, mut tax) = (0i64, 0i64);
        for (taxable, rate_bp) in lines {
            let line_tax = tax_on(taxable, rate_bp);
            subtotal = subtotal.checked_add(taxable.minor()).ok_or(TooLarge)?;
            tax = tax.checked_add(line_tax.minor()).ok_or(TooLarge)?;
            priced.lines.push(TaxedLine {
                taxable,
                rate_bp,
                tax: line_tax,
            });
        }
        priced.totals = Totals {
            subtotal: Money::from_minor(subtotal),
            tax: Money::from_minor(tax),
            total: Money::from_minor(subtotal.checked_add(tax).ok_or(TooLarge)?),
        };
        Ok(priced)
    }
}

/// One line of a recorded bill, as shown on the bill page and the invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillLine {
    /// The line's own id (a return names the lines it gives back).
    pub line_id: i64,
    pub product_id: i64,
    pub product: String,
    pub unit: String,
    /// Sold loose: with `unit`, how the quantity reads ([`BillLine::measure`]).
    #[serde(default)]
    pub loose: bool,
    pub quantity: i64,
    /// Per the measure's shown unit (per kg for loose goods kept in grams).
    pub unit_price: Money,
    pub line_total: Money,
    pub expires_on: Option<Day>,
    /// The rate in force when the line was recorded; `None` on bills taxed as a whole (before
    /// tax per product).
    pub tax_rate_bp: Option<u32>,
    pub tax_code: Option<String>,
    pub tax: Option<Money>,
}

impl BillLine {
    /// How the line's quantity and unit price read.
    pub fn measure(&self) -> Measure {
        Measure::new(self.unit.clone(), self.loose)
    }
}

/// A recorded bill with its lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    pub id: i64,
    pub kind: BillKind,
    /// The party it belongs to (`/parties/{id}`); `None` for a bill not linked yet.
    #[serde(default)]
    pub party_id: Option<i64>,
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
    /// A return: the bill it gives goods back from.
    pub original_bill_id: Option<i64>,
    /// A return: why.
    pub reason: Option<String>,
    /// An original bill: the returns recorded against it, oldest first.
    pub returns: Vec<i64>,
    /// A purchase: the products it created (id, name), in line order; they start without a
    /// selling price.
    #[serde(default)]
    pub added: Vec<(i64, String)>,
}

impl Bill {
    /// The bill's number as people quote it: `S-000042` for sales, `P-000042` for purchases.
    pub fn number(&self) -> String {
        bill_number(self.kind, self.id)
    }

    /// The tax per rate, as the bill page and the invoice print it. A bill from before tax per
    /// product was taxed as a whole: one rate, its subtotal and its tax.
    pub fn tax_summary(&self) -> Vec<RateSummary> {
        let taxed: Option<Vec<TaxedLine>> = self
            .lines
            .iter()
            .map(|l| {
                Some(TaxedLine {
                    taxable: l.line_total,
                    rate_bp: l.tax_rate_bp?,
                    tax: l.tax?,
                })
            })
            .collect();
        match taxed {
            Some(lines) if !lines.is_empty() => summarize(&lines),
            _ => vec![RateSummary {
                rate_bp: self.tax_rate_bp,
                taxable: self.subtotal,
                tax: self.tax,
            }],
        }
    }
}

/// The printed number of bill `id` of `kind`: `P-`, `S-`, and `SR-`/`PR-` for returns.
pub fn bill_number(kind: BillKind, id: i64) -> String {
    let prefix = match kind {
        BillKind::Purchase => "P",
        BillKind::Sale => "S",
        BillKind::SaleReturn => "SR",
        BillKind::PurchaseReturn => "PR",
    };
    format!("{prefix}-{id:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_is_taxed_at_its_own_rate_and_the_bill_sums_them() {
        let m = Money::from_minor;
        // 3 × ₹33.33 at 18 % (₹99.99 → ₹18.00) and 1 × ₹0.03 at 5 % (0.15 paise → 0).
        let priced = Totals::of_lines([(m(9_999), 1_800), (m(3), 500)]).unwrap();
        assert_eq!(priced.totals.subtotal, m(10_002));
        assert_eq!(priced.totals.tax, m(1_800));
        assert_eq!(priced.totals.total, m(11_802));
        assert_eq!(priced.lines[0].tax, m(1_800));
        assert_eq!(priced.lines[1].tax, Money::ZERO);
        assert_eq!(Totals::of_lines([]).unwrap(), Priced::default());
        assert_eq!(
            Totals::of_lines([(m(i64::MAX), 0), (m(1), 0)]),
            Err(TooLarge)
        );
        assert_eq!(line_total(&Measure::pieces(), i64::MAX, m(2)), None);
    }

    #[test]
    fn bill_numbers_say_their_kind() {
        assert_eq!(bill_number(BillKind::Sale, 42), "S-000042");
        assert_eq!(bill_number(BillKind::Purchase, 1_234_567), "P-1234567");
        assert_eq!(bill_number(BillKind::SaleReturn, 7), "SR-000007");
        for kind in BillKind::ALL {
            assert_eq!(kind.as_str().parse::<BillKind>(), Ok(kind));
        }
        assert_eq!(BillKind::Sale.return_kind(), Some(BillKind::SaleReturn));
        assert!(BillKind::PurchaseReturn.is_return() && BillKind::PurchaseReturn.takes_stock_out());
    }
}
