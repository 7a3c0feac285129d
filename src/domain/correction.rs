//! Corrections to the books, always as new movements (the ledger is append-only): a stock count
//! (the difference to what the books say becomes an `adjustment`), a write-off of one lot's
//! units, and the arithmetic of returns — which lots the units go back to, what share of the
//! tax is refunded, and the average cost after goods go back to a supplier. Pure, so the rules
//! can be checked exhaustively.

use super::measure::Typed;
use super::stock::{QuantityError, Shortfall, Take, MAX_LINE_QUANTITY};
use super::text::{optional_note, FormKey};
use super::{Measure, Money};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The longest reason kept.
pub const MAX_REASON_CHARS: usize = 200;
/// The reason a write-off gets unless someone says otherwise.
pub const DEFAULT_WRITE_OFF_REASON: &str = "Expired";
/// The most a count may find on a shelf.
pub const MAX_COUNTED: i64 = 1_000_000_000;

/// A required reason: why stock was corrected or returned.
fn parse_reason(text: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match optional_note(text, MAX_REASON_CHARS) {
        Ok(Some(reason)) => Some(reason),
        Ok(None) => {
            errors.push(FieldError::new(
                "reason",
                "Say why, e.g. Damaged or Stock-take",
            ));
            None
        }
        Err(e) => {
            errors.push(FieldError::new("reason", e));
            None
        }
    }
}

fn parse_key(text: &str, errors: &mut Vec<FieldError>) -> Option<FormKey> {
    FormKey::parse(text)
        .map_err(|e| errors.push(FieldError::new("key", e)))
        .ok()
}

/// The `Count stock` form on a product's page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountForm {
    pub counted: String,
    pub reason: String,
    pub key: String,
}

/// A checked count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountDraft {
    /// What is on the shelf, in the product's own unit (grams for loose goods typed in kg).
    pub counted: i64,
    pub reason: String,
    pub key: FormKey,
}

impl CountForm {
    /// Checks every field, collecting every problem. `measure` is the product's: a loose
    /// product kept in grams is counted in kg, with up to three decimals.
    pub fn parse(&self, measure: &Measure) -> Result<CountDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let counted = match measure.parse_count(&self.counted, MAX_COUNTED) {
            Ok(n) => Some(n),
            Err(e) => {
                let message = match e {
                    QuantityError::Empty => "Enter what you counted".to_owned(),
                    QuantityError::Negative => "A count cannot be below zero".to_owned(),
                    QuantityError::TooLarge => {
                        format!("Enter at most {}", measure.show(MAX_COUNTED))
                    }
                    other => other.to_string(),
                };
                errors.push(FieldError::new("counted", message));
                None
            }
        };
        let reason = parse_reason(&self.reason, &mut errors);
        let key = parse_key(&self.key, &mut errors);
        match (counted, reason, key) {
            (Some(counted), Some(reason), Some(key)) if errors.is_empty() => Ok(CountDraft {
                counted,
                reason,
                key,
            }),
            _ => Err(errors),
        }
    }
}

/// The `Write off` form of one lot (on `/expiry` and on the product's page).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WriteOffForm {
    /// Which lot (a hidden field): a refused form's message goes next to that lot's row.
    pub lot: i64,
    /// Empty: everything left in the lot.
    pub quantity: String,
    pub reason: String,
    pub key: String,
}

/// A checked write-off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteOffDraft {
    /// `None`: everything left in the lot. As typed: the recorder turns it into the lot's
    /// product's units ([`Measure::units`]).
    pub quantity: Option<Typed>,
    pub reason: String,
    pub key: FormKey,
}

impl WriteOffForm {
    /// Checks every field, collecting every problem. An empty reason is `Expired`.
    pub fn parse(&self) -> Result<WriteOffDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let quantity = match self.quantity.trim() {
            "" => None,
            text => Typed::parse(text)
                .map_err(|e| errors.push(FieldError::new("quantity", e)))
                .ok(),
        };
        let reason = if self.reason.trim().is_empty() {
            Some(DEFAULT_WRITE_OFF_REASON.to_owned())
        } else {
            parse_reason(&self.reason, &mut errors)
        };
        let key = parse_key(&self.key, &mut errors);
        match (reason, key) {
            (Some(reason), Some(key)) if errors.is_empty() => Ok(WriteOffDraft {
                quantity,
                reason,
                key,
            }),
            _ => Err(errors),
        }
    }
}

/// What a count does to the stock on hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountChange {
    /// The shelf matches the books: nothing is recorded.
    None,
    /// Fewer on the shelf: this many units leave, first-expiry-first-out.
    Shortfall(i64),
    /// More on the shelf: this many units enter as a lot at the average cost.
    Surplus(i64),
}

/// The change a count of `counted` makes when the books say `on_hand`.
pub fn count_change(on_hand: i64, counted: i64) -> CountChange {
    match counted - on_hand {
        0 => CountChange::None,
        d if d < 0 => CountChange::Shortfall(-d),
        d => CountChange::Surplus(d),
    }
}

/// `value × part / whole`, rounded half-up to a minor unit (0 when `whole` is 0).
fn pro_rata(value: Money, part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    let numerator = i128::from(value.minor()) * i128::from(part.clamp(0, whole));
    let whole = i128::from(whole);
    i64::try_from((2 * numerator + whole) / (2 * whole)).unwrap_or(i64::MAX)
}

/// The share of `value` (a bill's tax) that returning `now` more of `whole` (its subtotal)
/// refunds, when `before` was returned already. Each return refunds the difference of the
/// rounded shares before and after it, so the refunds of any number of partial returns add up
/// to exactly the rounded share of everything returned — never more than `value`, and all of it
/// once everything is back.
pub fn refund_share(value: Money, whole: i64, before: i64, now: i64) -> Money {
    let after = before.saturating_add(now);
    Money::from_minor(pro_rata(value, after, whole) - pro_rata(value, before, whole))
}

/// The moving average cost after `qty_out` units of a lot that cost `lot_cost` go back to the
/// supplier: `(qty_before × avg_before − qty_out × lot_cost) / (qty_before − qty_out)`, half-up,
/// unchanged when nothing is left. The average can disagree with the lots still on hand (it
/// also remembers what was sold), so the result is kept within `range`, the lowest and highest
/// cost of the product's lots: it never turns negative or leaves the prices actually paid.
pub fn average_after_return(
    qty_before: i64,
    avg_before: Money,
    qty_out: i64,
    lot_cost: Money,
    range: (Money, Money),
) -> Money {
    let left = i128::from(qty_before) - i128::from(qty_out);
    if left <= 0 {
        return avg_before;
    }
    let value = i128::from(qty_before) * i128::from(avg_before.minor())
        - i128::from(qty_out) * i128::from(lot_cost.minor());
    // Half-up for either sign: floor((2·value + left) / (2·left)).
    let rounded = (2 * value + left).div_euclid(2 * left);
    let (low, high) = (
        range.0.minor().min(range.1.minor()),
        range.0.minor().max(range.1.minor()),
    );
    Money::from_minor(i64::try_from(rounded).unwrap_or(i64::MAX).clamp(low, high))
}

/// What a sale took from one lot, and how much of that has come back already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    pub lot_id: i64,
    pub taken: i64,
    pub returned: i64,
    pub unit_cost: Money,
    /// The order the sale took from the lots (first-expiry-first-out), earliest first.
    pub order: i64,
}

/// Puts `quantity` returned units back into the lots the sale took them from, undoing the sale
/// from its end (the lot taken from last gets its units back first), never more into a lot
/// than came out of it. Refuses when less than `quantity` is still out.
pub fn put_back(takes: &[Taken], quantity: i64) -> Result<Vec<Take>, Shortfall> {
    let out = |t: &Taken| (t.taken - t.returned).max(0);
    let available: i64 = takes.iter().map(out).sum();
    if quantity > available || quantity <= 0 {
        return Err(Shortfall {
            requested: quantity,
            available,
        });
    }
    let mut ordered: Vec<&Taken> = takes.iter().filter(|t| out(t) > 0).collect();
    ordered.sort_by_key(|t| std::cmp::Reverse((t.order, t.lot_id)));
    let mut left = quantity;
    let mut puts = Vec::new();
    for lot in ordered {
        if left == 0 {
            break;
        }
        let put = left.min(out(lot));
        puts.push(Take {
            lot_id: lot.lot_id,
            quantity: put,
            unit_cost: lot.unit_cost,
            // What the units add to the lot's value depends on what it holds when they go
            // back: the recorder prices each put with `stock::lot_part` as it makes it.
            cost: Money::ZERO,
        });
        left -= put;
    }
    Ok(puts)
}

/// A return quantity as typed: `None` for a line left empty or at 0, else a positive quantity
/// (turned into the product's units once the line is known: [`Measure::units`]).
pub fn return_quantity(text: &str) -> Result<Option<Typed>, QuantityError> {
    match text.trim() {
        "" | "0" => Ok(None),
        text => Typed::parse(text).map(Some),
    }
}

/// The largest return quantity a line may name.
pub const MAX_RETURN: i64 = MAX_LINE_QUANTITY;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: &str = "0123456789abcdef";

    #[test]
    fn a_count_needs_a_whole_number_a_reason_and_the_key() {
        let pcs = Measure::pieces();
        let ok = CountForm {
            counted: " 1,200 ".into(),
            reason: "Stock-take".into(),
            key: KEY.into(),
        }
        .parse(&pcs)
        .unwrap();
        assert_eq!((ok.counted, ok.reason.as_str()), (1_200, "Stock-take"));
        let zero = CountForm {
            counted: "0".into(),
            reason: "Shelf empty".into(),
            key: KEY.into(),
        };
        assert_eq!(
            zero.parse(&pcs).unwrap().counted,
            0,
            "an empty shelf is a count"
        );
        let bad = CountForm {
            counted: "-2".into(),
            reason: " ".into(),
            key: "x".into(),
        };
        let fields: Vec<String> = bad
            .parse(&pcs)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["counted", "reason", "key"]);
        for junk in ["", "1.5", "lots", "1000000001"] {
            let form = CountForm {
                counted: junk.into(),
                ..zero.clone()
            };
            assert!(form.parse(&pcs).is_err(), "{junk}");
        }
        // Loose rice kept in grams is counted in kilograms.
        let rice = CountForm {
            counted: "12.25".into(),
            ..zero.clone()
        };
        assert_eq!(
            rice.parse(&Measure::new("g", true)).unwrap().counted,
            12_250
        );
    }

    #[test]
    fn a_write_off_takes_everything_unless_told_and_is_expired_unless_told() {
        let all = WriteOffForm {
            key: KEY.into(),
            ..WriteOffForm::default()
        }
        .parse()
        .unwrap();
        assert_eq!((all.quantity, all.reason.as_str()), (None, "Expired"));
        let some = WriteOffForm {
            lot: 7,
            quantity: "3".into(),
            reason: "Damaged".into(),
            key: KEY.into(),
        }
        .parse()
        .unwrap();
        assert_eq!(some.quantity.map(Typed::thousandths), Some(3_000));
        assert!(WriteOffForm {
            quantity: "0".into(),
            key: KEY.into(),
            ..WriteOffForm::default()
        }
        .parse()
        .is_err());
    }

    #[test]
    fn counts_become_shortfalls_or_surpluses() {
        assert_eq!(count_change(10, 10), CountChange::None);
        assert_eq!(count_change(10, 8), CountChange::Shortfall(2));
        assert_eq!(count_change(0, 5), CountChange::Surplus(5));
    }

    #[test]
    fn the_average_after_a_return_follows_the_formula_and_stays_in_range() {
        let m = Money::from_minor;
        // 10 at 1.50 on hand (lots at 1.00 and 2.00); 5 of the 2.00 lot go back: 1.00 left.
        assert_eq!(
            average_after_return(10, m(150), 5, m(200), (m(100), m(200))),
            m(100)
        );
        // Half-up: (3 × 1.00 − 1 × 0.99) / 2 = 1.005 → 1.01.
        assert_eq!(
            average_after_return(3, m(100), 1, m(99), (m(99), m(101))),
            m(101)
        );
        // Nothing left: unchanged.
        assert_eq!(
            average_after_return(4, m(150), 4, m(200), (m(100), m(200))),
            m(150)
        );
        // The average remembered sold stock: the formula would go negative; the range holds it.
        assert_eq!(
            average_after_return(10, m(150), 9, m(200), (m(100), m(200))),
            m(100)
        );
    }

    #[test]
    fn partial_refunds_add_up_to_the_share_of_what_came_back() {
        let tax = Money::from_minor(100); // on a subtotal of 3 units' worth
        let first = refund_share(tax, 3, 0, 1);
        let second = refund_share(tax, 3, 1, 1);
        let third = refund_share(tax, 3, 2, 1);
        assert_eq!((first.minor(), second.minor(), third.minor()), (33, 34, 33));
        assert_eq!(first.minor() + second.minor() + third.minor(), 100);
        assert_eq!(refund_share(tax, 0, 0, 1), Money::ZERO);
    }

    #[test]
    fn returned_units_go_back_to_the_lots_taken_last_first() {
        let m = Money::from_minor;
        let takes = [
            Taken {
                lot_id: 7,
                taken: 4,
                returned: 0,
                unit_cost: m(100),
                order: 0,
            },
            Taken {
                lot_id: 9,
                taken: 2,
                returned: 1,
                unit_cost: m(300),
                order: 1,
            },
        ];
        let puts = put_back(&takes, 3).unwrap();
        let got: Vec<(i64, i64)> = puts.iter().map(|t| (t.lot_id, t.quantity)).collect();
        assert_eq!(got, [(9, 1), (7, 2)]);
        assert_eq!(
            put_back(&takes, 6),
            Err(Shortfall {
                requested: 6,
                available: 5
            })
        );
        assert!(put_back(&takes, 0).is_err());
    }

    /// A whole product's ledger in memory, moved only by the domain's rules.
    #[derive(Default)]
    struct Model {
        position: crate::domain::stock::Position,
        lots: Vec<crate::domain::stock::LotStock>,
        /// Per sale: what it took from which lot, and what came back of it.
        sales: Vec<Vec<Taken>>,
        /// Per purchase: the lot it made.
        purchases: Vec<usize>,
        movements: i64,
        costs: Vec<i64>,
    }

    impl Model {
        fn take(&mut self, quantity: i64) {
            let sale =
                crate::domain::stock::sell(&self.lots, quantity, &Measure::pieces()).unwrap();
            for t in &sale.takes {
                self.lots
                    .iter_mut()
                    .find(|l| l.id == t.lot_id)
                    .unwrap()
                    .remaining -= t.quantity;
            }
            self.position.quantity -= quantity;
            self.movements -= quantity;
        }

        fn open_lot(&mut self, quantity: i64, cost: i64) -> usize {
            let id = self.lots.len() as i64;
            self.lots.push(crate::domain::stock::LotStock {
                id,
                remaining: quantity,
                unit_cost: Money::from_minor(cost),
                expires_on: None,
                received_at: id,
            });
            self.costs.push(cost);
            self.position = self.position.receive(quantity, Money::from_minor(cost));
            self.movements += quantity;
            self.lots.len() - 1
        }

        fn apply(&mut self, (op, a, b): (u8, i64, i64)) {
            match op % 6 {
                0 => {
                    let lot = self.open_lot(a, b);
                    self.purchases.push(lot);
                }
                1 if a <= self.position.quantity => {
                    let sale =
                        crate::domain::stock::sell(&self.lots, a, &Measure::pieces()).unwrap();
                    let order = self.sales.len() as i64 * 1_000;
                    let takes = sale.takes.iter().enumerate().map(|(i, t)| Taken {
                        lot_id: t.lot_id,
                        taken: t.quantity,
                        returned: 0,
                        unit_cost: t.unit_cost,
                        order: order + i as i64,
                    });
                    self.sales.push(takes.collect());
                    self.take(a);
                }
                2 => match count_change(self.position.quantity, a) {
                    CountChange::None => {}
                    CountChange::Shortfall(n) => self.take(n),
                    CountChange::Surplus(n) => {
                        let cost = self.position.average_cost.minor();
                        let avg = self.position.average_cost;
                        self.open_lot(n, cost);
                        self.position.average_cost = avg;
                    }
                },
                3 if !self.lots.is_empty() => {
                    let i = (a as usize) % self.lots.len();
                    let q = b.min(self.lots[i].remaining);
                    if q > 0 {
                        self.lots[i].remaining -= q;
                        self.position.quantity -= q;
                        self.movements -= q;
                    }
                }
                4 if !self.sales.is_empty() => {
                    let s = (a as usize) % self.sales.len();
                    if let Ok(puts) = put_back(&self.sales[s], b) {
                        for p in puts {
                            let taken = self.sales[s]
                                .iter_mut()
                                .find(|t| t.lot_id == p.lot_id)
                                .unwrap();
                            taken.returned += p.quantity;
                            self.lots
                                .iter_mut()
                                .find(|l| l.id == p.lot_id)
                                .unwrap()
                                .remaining += p.quantity;
                            self.position = self.position.receive(p.quantity, p.unit_cost);
                            self.movements += p.quantity;
                        }
                    }
                }
                5 if !self.purchases.is_empty() => {
                    let lot = self.purchases[(a as usize) % self.purchases.len()];
                    let q = b.min(self.lots[lot].remaining);
                    if q > 0 {
                        let cost = self.lots[lot].unit_cost;
                        self.lots[lot].remaining -= q;
                        let open: Vec<i64> = self
                            .lots
                            .iter()
                            .filter(|l| l.remaining > 0)
                            .map(|l| l.unit_cost.minor())
                            .collect();
                        let before = self.position;
                        self.position.quantity -= q;
                        self.movements -= q;
                        if let (Some(low), Some(high)) = (open.iter().min(), open.iter().max()) {
                            self.position.average_cost = average_after_return(
                                before.quantity,
                                before.average_cost,
                                q,
                                cost,
                                (Money::from_minor(*low), Money::from_minor(*high)),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }

    proptest! {
        #[test]
        fn refunds_never_exceed_the_tax_and_a_full_return_refunds_all_of_it(
            tax in 0i64..1_000_000, whole in 1i64..10_000, steps in prop::collection::vec(1i64..50, 1..20),
        ) {
            let tax = Money::from_minor(tax);
            let mut returned = 0;
            let mut refunded = 0;
            for step in steps {
                let now = step.min(whole - returned);
                if now <= 0 { break; }
                refunded += refund_share(tax, whole, returned, now).minor();
                returned += now;
                prop_assert!(refunded <= tax.minor());
            }
            let rest = whole - returned;
            refunded += refund_share(tax, whole, returned, rest).minor();
            prop_assert_eq!(refunded, tax.minor());
        }

        #[test]
        fn any_mix_of_purchases_sales_counts_write_offs_and_returns_keeps_the_books_true(
            ops in prop::collection::vec((any::<u8>(), 1i64..40, 0i64..500), 1..80),
        ) {
            let mut model = Model::default();
            for op in ops {
                model.apply(op);
                let in_lots: i64 = model.lots.iter().map(|l| l.remaining).sum();
                prop_assert!(model.lots.iter().all(|l| l.remaining >= 0));
                prop_assert_eq!(model.position.quantity, in_lots);
                prop_assert_eq!(model.position.quantity, model.movements);
                for sale in &model.sales {
                    prop_assert!(sale.iter().all(|t| t.returned <= t.taken), "more came back than left");
                }
                if let (Some(low), Some(high)) = (model.costs.iter().min(), model.costs.iter().max()) {
                    let avg = model.position.average_cost.minor();
                    prop_assert!((*low..=*high).contains(&avg), "average {} outside {}..={}", avg, low, high);
                }
            }
        }

        #[test]
        fn putting_back_never_puts_more_into_a_lot_than_came_out(
            lots in prop::collection::vec((1i64..20, 0i64..20, 0i64..1_000), 1..8), quantity in 1i64..100,
        ) {
            let takes: Vec<Taken> = lots.iter().enumerate().map(|(i, &(taken, returned, cost))| Taken {
                lot_id: i as i64, taken, returned: returned.min(taken), unit_cost: Money::from_minor(cost), order: i as i64,
            }).collect();
            let out: i64 = takes.iter().map(|t| t.taken - t.returned).sum();
            match put_back(&takes, quantity) {
                Err(short) => prop_assert!(quantity > out && short.available == out),
                Ok(puts) => {
                    prop_assert_eq!(puts.iter().map(|p| p.quantity).sum::<i64>(), quantity);
                    for p in &puts {
                        let t = takes.iter().find(|t| t.lot_id == p.lot_id).unwrap();
                        prop_assert!(p.quantity > 0 && p.quantity <= t.taken - t.returned);
                        prop_assert_eq!(p.unit_cost, t.unit_cost);
                    }
                }
            }
        }
    }
}
