//! Stock rules: quantities, lots consumed first-expiry-first-out, and the moving average cost.
//! Pure functions, so the same rules can be checked exhaustively in tests; the recorder
//! (`server::storage::stock`) and the seeder both call [`Position::receive`] and [`sell`].

use super::calendar::Day;
use super::{Measure, Money};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The most one line of a bill may move: a million units (grams, pieces…) keeps every product of
/// quantity and price within `i64` with room to spare.
pub const MAX_LINE_QUANTITY: i64 = 1_000_000;

/// Why text is not a quantity.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("Enter a quantity")]
    Empty,
    #[error("Enter a whole number")]
    NotWhole,
    #[error("Enter a number, like 2 or 1.5")]
    NotANumber,
    #[error("Use at most three digits after the decimal point")]
    TooPrecise,
    #[error("Write the unit as kg, g, L, ml or pcs, or leave it out")]
    UnknownUnit,
    #[error("This product is counted in another unit")]
    OtherUnit,
    #[error("The quantity cannot be negative")]
    Negative,
    #[error("The quantity must be more than zero")]
    NotPositive,
    #[error("That is more than one line can hold")]
    TooLarge,
}

/// The moving weighted average cost after receiving `qty_in` at `unit_cost`:
/// `(qty_before × avg_before + qty_in × unit_cost) / (qty_before + qty_in)`, rounded half-up to a
/// minor unit. Computed in 128 bits, so no realistic stock overflows.
pub fn average_cost(qty_before: i64, avg_before: Money, qty_in: i64, unit_cost: Money) -> Money {
    let before = i128::from(qty_before.max(0));
    let incoming = i128::from(qty_in.max(0));
    let total_qty = before + incoming;
    if total_qty == 0 {
        return unit_cost;
    }
    let value = before * i128::from(avg_before.minor()) + incoming * i128::from(unit_cost.minor());
    // Half-up for non-negative values: floor((2·value + qty) / (2·qty)).
    let rounded = (2 * value + total_qty) / (2 * total_qty);
    Money::from_minor(i64::try_from(rounded).unwrap_or(i64::MAX))
}

/// A lot with stock left, as the sale allocator sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotStock {
    pub id: i64,
    pub remaining: i64,
    pub unit_cost: Money,
    /// `None` for goods that do not expire.
    pub expires_on: Option<Day>,
    /// When the lot was received (Unix seconds), for ties.
    pub received_at: i64,
}

/// First-expiry-first-out: earliest expiry first, lots without expiry last, ties by oldest
/// purchase, then by id.
pub fn fefo(a: &LotStock, b: &LotStock) -> Ordering {
    let expiry = match (&a.expires_on, &b.expires_on) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    expiry
        .then(a.received_at.cmp(&b.received_at))
        .then(a.id.cmp(&b.id))
}

/// How much a sale takes from one lot, and what those units cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Take {
    pub lot_id: i64,
    pub quantity: i64,
    pub unit_cost: Money,
    /// The lot's value before the take less its value after ([`lot_part`]): the takes of a
    /// lot add up to its value to the paisa, loose goods priced per kg included.
    pub cost: Money,
}

/// What taking `quantity` from a lot holding `remaining` at `unit_cost` costs: the lot's value
/// before less its value after, each its [`Measure::amount`]. Putting units back (a return) is
/// the same with the two swapped, so a lot's movements always add up to its value.
pub fn lot_part(measure: &Measure, remaining: i64, quantity: i64, unit_cost: Money) -> Money {
    measure
        .part(remaining.saturating_sub(quantity), remaining, unit_cost)
        .unwrap_or(Money::from_minor(i64::MAX))
}

/// Not enough stock: what was asked for and what there is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub requested: i64,
    pub available: i64,
}

/// Splits a sale of `quantity` over `lots` first-expiry-first-out. Refuses (changing nothing)
/// when the lots hold less than asked.
pub fn allocate(
    lots: &[LotStock],
    quantity: i64,
    measure: &Measure,
) -> Result<Vec<Take>, Shortfall> {
    let available: i64 = lots.iter().map(|l| l.remaining.max(0)).sum();
    if quantity > available {
        return Err(Shortfall {
            requested: quantity,
            available,
        });
    }
    let mut ordered: Vec<&LotStock> = lots.iter().filter(|l| l.remaining > 0).collect();
    ordered.sort_by(|a, b| fefo(a, b));
    let mut left = quantity;
    let mut takes = Vec::new();
    for lot in ordered {
        if left == 0 {
            break;
        }
        let take = left.min(lot.remaining);
        takes.push(Take {
            lot_id: lot.id,
            quantity: take,
            unit_cost: lot.unit_cost,
            cost: lot_part(measure, lot.remaining, take, lot.unit_cost),
        });
        left -= take;
    }
    Ok(takes)
}

/// A product's stock position: what is on hand and its moving average cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub quantity: i64,
    pub average_cost: Money,
}

impl Position {
    /// The position after receiving `quantity` at `unit_cost` (see [`average_cost`]).
    pub fn receive(self, quantity: i64, unit_cost: Money) -> Self {
        Self {
            quantity: self.quantity.saturating_add(quantity),
            average_cost: average_cost(self.quantity, self.average_cost, quantity, unit_cost),
        }
    }
}

/// What selling from a product's lots takes: from which lots, and what those units cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sale {
    pub takes: Vec<Take>,
    pub cost_of_goods: Money,
}

/// Sells `quantity` from `lots` first-expiry-first-out, or refuses (changing nothing) when they
/// hold less.
pub fn sell(lots: &[LotStock], quantity: i64, measure: &Measure) -> Result<Sale, Shortfall> {
    let takes = allocate(lots, quantity, measure)?;
    let cost_of_goods = cost_of(&takes);
    Ok(Sale {
        takes,
        cost_of_goods,
    })
}

/// The cost of goods of a set of takes, in minor units (saturating; bounded by line limits).
pub fn cost_of(takes: &[Take]) -> Money {
    Money::from_minor(
        takes
            .iter()
            .map(|t| t.cost.minor())
            .fold(0i64, i64::saturating_add),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lot(
        id: i64,
        remaining: i64,
        cost: i64,
        expires_on: Option<&str>,
        received_at: i64,
    ) -> LotStock {
        LotStock {
            id,
            remaining,
            unit_cost: Money::from_minor(cost),
            expires_on: expires_on.map(|d| Day::parse(d).unwrap()),
            received_at,
        }
    }

    #[test]
    fn the_average_cost_is_weighted_and_rounded_half_up() {
        // 10 at 1.00 and 10 at 2.00 → 1.50
        assert_eq!(
            average_cost(10, Money::from_minor(100), 10, Money::from_minor(200)),
            Money::from_minor(150)
        );
        // 2 at 0.01 and 1 at 0.02 → 0.0133… → 0.01; 1 at 0.01 and 1 at 0.02 → 0.015 → 0.02 (half up)
        assert_eq!(
            average_cost(2, Money::from_minor(1), 1, Money::from_minor(2)),
            Money::from_minor(1)
        );
        assert_eq!(
            average_cost(1, Money::from_minor(1), 1, Money::from_minor(2)),
            Money::from_minor(2)
        );
        // From nothing, the average is the purchase cost.
        assert_eq!(
            average_cost(0, Money::ZERO, 5, Money::from_minor(999)),
            Money::from_minor(999)
        );
    }

    #[test]
    fn a_sale_takes_the_earliest_expiry_first_and_undated_lots_last() {
        let lots = [
            lot(1, 5, 100, None, 1),
            lot(2, 5, 200, Some("2026-12-31"), 2),
            lot(3, 5, 300, Some("2026-12-01"), 3),
            lot(4, 5, 400, Some("2026-12-01"), 0),
        ];
        let takes = allocate(&lots, 17, &Measure::pieces()).unwrap();
        let order: Vec<(i64, i64)> = takes.iter().map(|t| (t.lot_id, t.quantity)).collect();
        assert_eq!(order, [(4, 5), (3, 5), (2, 5), (1, 2)]);
        assert_eq!(
            cost_of(&takes),
            Money::from_minor(5 * 400 + 5 * 300 + 5 * 200 + 2 * 100)
        );
    }

    #[test]
    fn a_sale_of_more_than_there_is_takes_nothing() {
        let lots = [lot(1, 3, 100, None, 1), lot(2, 4, 100, None, 2)];
        assert_eq!(
            allocate(&lots, 8, &Measure::pieces()),
            Err(Shortfall {
                requested: 8,
                available: 7
            })
        );
    }

    #[test]
    fn receiving_moves_the_position_and_selling_costs_the_lots_taken() {
        let position = Position::default()
            .receive(10, Money::from_minor(100))
            .receive(10, Money::from_minor(200));
        assert_eq!(
            position,
            Position {
                quantity: 20,
                average_cost: Money::from_minor(150)
            }
        );
        let lots = [
            lot(1, 10, 100, None, 1),
            lot(2, 10, 200, Some("2026-01-01"), 2),
        ];
        let sale = sell(&lots, 12, &Measure::pieces()).unwrap();
        assert_eq!(sale.cost_of_goods, Money::from_minor(10 * 200 + 2 * 100));
        assert_eq!(sale.takes.len(), 2);
        assert!(sell(&lots, 21, &Measure::pieces()).is_err());
    }

    fn arb_lots() -> impl Strategy<Value = Vec<LotStock>> {
        prop::collection::vec(
            (
                0i64..50,
                0i64..10_000,
                prop::option::of(0u32..60),
                0i64..1_000,
            ),
            0..12,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (remaining, cost, day, at))| LotStock {
                    id: i as i64 + 1,
                    remaining,
                    unit_cost: Money::from_minor(cost),
                    expires_on: day.map(|d| {
                        Day::parse(&format!("2026-{:02}-{:02}", 1 + d / 28, 1 + d % 28)).unwrap()
                    }),
                    received_at: at,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn allocation_takes_exactly_the_quantity_in_fefo_order(lots in arb_lots(), quantity in 1i64..300) {
            let available: i64 = lots.iter().map(|l| l.remaining).sum();
            match allocate(&lots, quantity, &Measure::pieces()) {
                Err(short) => prop_assert!(quantity > available && short.available == available),
                Ok(takes) => {
                    prop_assert_eq!(takes.iter().map(|t| t.quantity).sum::<i64>(), quantity);
                    let by_id = |id: i64| lots.iter().find(|l| l.id == id).unwrap();
                    for t in &takes {
                        prop_assert!(t.quantity > 0 && t.quantity <= by_id(t.lot_id).remaining);
                    }
                    // Every lot before the last one taken from is emptied, and none is skipped.
                    for pair in takes.windows(2) {
                        let (a, b) = (by_id(pair[0].lot_id), by_id(pair[1].lot_id));
                        prop_assert_ne!(fefo(a, b), Ordering::Greater);
                        prop_assert_eq!(pair[0].quantity, a.remaining);
                    }
                    let last = by_id(takes.last().unwrap().lot_id);
                    for l in lots.iter().filter(|l| l.remaining > 0 && fefo(l, last) == Ordering::Less) {
                        prop_assert!(takes.iter().any(|t| t.lot_id == l.id), "lot {} skipped", l.id);
                    }
                }
            }
        }

        #[test]
        fn the_average_cost_lies_between_the_old_average_and_the_new_cost(
            qty in 0i64..1_000_000, avg in 0i64..10_000_000, qin in 1i64..1_000_000, cost in 0i64..10_000_000,
        ) {
            let result = average_cost(qty, Money::from_minor(avg), qin, Money::from_minor(cost)).minor();
            prop_assert!(result >= avg.min(cost) && result <= avg.max(cost));
        }

        #[test]
        fn random_purchases_and_sales_keep_stock_equal_to_the_lots(
            ops in prop::collection::vec((any::<bool>(), 1i64..40, 0i64..500), 1..60),
        ) {
            // The ledger invariant: on hand = sum of movements = sum of lot remainders.
            let mut lots: Vec<LotStock> = Vec::new();
            let mut movements: i64 = 0;
            for (i, (buy, qty, cost)) in ops.into_iter().enumerate() {
                if buy {
                    lots.push(LotStock { id: i as i64, remaining: qty, unit_cost: Money::from_minor(cost), expires_on: None, received_at: i as i64 });
                    movements += qty;
                } else if let Ok(takes) = allocate(&lots, qty, &Measure::pieces()) {
                    for t in takes {
                        lots.iter_mut().find(|l| l.id == t.lot_id).unwrap().remaining -= t.quantity;
                        movements -= t.quantity;
                    }
                }
                prop_assert!(lots.iter().all(|l| l.remaining >= 0));
                prop_assert_eq!(lots.iter().map(|l| l.remaining).sum::<i64>(), movements);
            }
        }

        #[test]
        fn loose_goods_sold_over_many_lots_keep_the_movements_at_cost_equal_to_the_lots_value(
            ops in prop::collection::vec((any::<bool>(), 1i64..5_000, 0i64..50_000), 1..60),
        ) {
            // Grams at a cost per kg: each take is priced as the lot's value before less after,
            // so the costs of the movements always add up to what the lots still hold.
            let rice = Measure::new("g", true);
            let value = |lots: &[LotStock]| -> i64 {
                lots.iter().map(|l| rice.amount(l.remaining, l.unit_cost).unwrap().minor()).sum()
            };
            let mut lots: Vec<LotStock> = Vec::new();
            let mut at_cost: i64 = 0;
            for (i, (buy, qty, cost)) in ops.into_iter().enumerate() {
                if buy {
                    let unit_cost = Money::from_minor(cost);
                    lots.push(LotStock { id: i as i64, remaining: qty, unit_cost, expires_on: None, received_at: i as i64 });
                    at_cost += rice.amount(qty, unit_cost).unwrap().minor();
                } else if let Ok(sale) = sell(&lots, qty, &rice) {
                    for t in &sale.takes {
                        lots.iter_mut().find(|l| l.id == t.lot_id).unwrap().remaining -= t.quantity;
                    }
                    at_cost -= sale.cost_of_goods.minor();
                }
                prop_assert_eq!(value(&lots), at_cost);
            }
        }
    }
}
