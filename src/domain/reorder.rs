//! What to order: the projection of when a product runs out at its recent rate of sale, the
//! quantity to order, and the `Create purchase` hand-over from `/reorder` to the purchase form.
//! All of it is integer arithmetic in the product's own unit (pieces, grams, millilitres).
//!
//! The rate is the net units sold (sales minus sale returns) over the last [`SALES_WINDOW_DAYS`]
//! local days. "Runs out within `days`" is `on_hand / (sold / 28) <= days`, compared as
//! `on_hand * 28 <= sold * days` so that storage filters with exactly the same rule, in SQL.

use super::bill::MAX_LINES;
use super::bill_form::{BillForm, LineForm};
use super::search;
use serde::{Deserialize, Serialize};

/// How many local days of sales the rate averages over (today included).
pub const SALES_WINDOW_DAYS: i64 = 28;
/// The projection window when the page does not choose one.
pub const DEFAULT_DAYS: i64 = 7;
/// The longest projection window offered.
pub const MAX_DAYS: i64 = 365;

/// What the books say about one product: enough to decide whether and how much to order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Demand {
    pub on_hand: i64,
    pub lower_limit: Option<i64>,
    pub upper_limit: Option<i64>,
    /// Net units sold over the last [`SALES_WINDOW_DAYS`] days (returns may make it negative in
    /// the books; it counts as no sales).
    pub sold: i64,
}

impl Demand {
    /// Net sales in the window, never below zero.
    fn sold(&self) -> i64 {
        self.sold.max(0)
    }

    /// Whole days until the stock on hand runs out at the average daily rate (rounded down:
    /// 10 units at 3 a day last 3 days), or `None` when nothing sold in the window.
    pub fn days_left(&self) -> Option<i64> {
        let sold = self.sold();
        (sold > 0).then(|| self.on_hand.max(0).saturating_mul(SALES_WINDOW_DAYS) / sold)
    }

    /// Whether the product is at or below its lower limit.
    pub fn at_lower_limit(&self) -> bool {
        self.lower_limit.is_some_and(|l| self.on_hand <= l)
    }

    /// Whether the product belongs on the reorder list for a window of `days`: at or below its
    /// lower limit, or projected to run out within `days` days.
    pub fn needs_order(&self, days: i64) -> bool {
        let sold = self.sold();
        self.at_lower_limit()
            || (sold > 0
                && self.on_hand.max(0).saturating_mul(SALES_WINDOW_DAYS)
                    <= sold.saturating_mul(days))
    }

    /// How many units to order: up to the upper limit, or, without one, enough to cover
    /// [`SALES_WINDOW_DAYS`] days of sales (and at least up to the lower limit). Never negative.
    pub fn suggested_order(&self) -> i64 {
        let target = self
            .upper_limit
            .unwrap_or_else(|| self.sold().max(self.lower_limit.unwrap_or(0)));
        target.saturating_sub(self.on_hand.max(0)).max(0)
    }
}

/// One row of `/reorder`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReorderRow {
    pub product_id: i64,
    pub product: String,
    pub unit: String,
    /// Sold loose: with `unit`, how its quantities read ([`ReorderRow::measure`]).
    #[serde(default)]
    pub loose: bool,
    pub on_hand: i64,
    pub lower_limit: Option<i64>,
    pub days_left: Option<i64>,
    pub suggested: i64,
    /// The supplier of the latest purchase bill with this product.
    pub last_supplier: Option<String>,
}

impl ReorderRow {
    /// How the row's quantities read (kg for loose goods kept in grams).
    pub fn measure(&self) -> super::Measure {
        super::Measure::new(self.unit.clone(), self.loose)
    }
}

/// The list `/reorder` shows: its most urgent rows and how many products need ordering in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReorderList {
    pub rows: Vec<ReorderRow>,
    /// Exact up to [`COUNT_CAP`](super::product::COUNT_CAP); beyond it, `COUNT_CAP + 1`.
    pub total: i64,
}

impl ReorderList {
    /// How many products need ordering, as a person reads it: `1,000+` beyond the cap.
    pub fn total_text(&self) -> String {
        super::product::capped_count(self.total)
    }
}

/// A row ticked on `/reorder`, as the `Create purchase` GET sends it to `/buy`: the checkbox
/// sends `order[i][product]` only when ticked; `quantity` and `supplier` are hidden fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPick {
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub supplier: String,
}

impl BillForm {
    /// Turns the rows ticked on `/reorder` into lines of this form (into its blank lines first,
    /// at most [`MAX_LINES`]), and names their supplier when the form names none and every
    /// ticked row has the same one. A suggested quantity of 0 is left for the person to type.
    /// Returns whether any row was ticked.
    pub fn take_order(&mut self) -> bool {
        let picks: Vec<OrderPick> = std::mem::take(&mut self.order)
            .into_iter()
            .filter(|p| !p.product.trim().is_empty())
            .collect();
        if picks.is_empty() {
            return false;
        }
        if self.party_name.trim().is_empty() {
            let first = search::fold(&picks[0].supplier);
            if !first.is_empty() && picks.iter().all(|p| search::fold(&p.supplier) == first) {
                self.party_name = picks[0].supplier.trim().to_owned();
            }
        }
        self.lines.retain(|l| !l.is_blank());
        for pick in picks {
            if self.lines.len() >= MAX_LINES {
                break;
            }
            let quantity = match pick.quantity.trim() {
                "0" => String::new(),
                q => q.to_owned(),
            };
            self.lines.push(LineForm {
                product: pick.product.trim().to_owned(),
                quantity,
                ..LineForm::default()
            });
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn demand(on_hand: i64, lower: Option<i64>, upper: Option<i64>, sold: i64) -> Demand {
        Demand {
            on_hand,
            lower_limit: lower,
            upper_limit: upper,
            sold,
        }
    }

    #[test]
    fn a_product_without_sales_has_no_projection_and_is_listed_only_at_its_lower_limit() {
        let idle = demand(4, Some(5), Some(20), 0);
        assert_eq!(idle.days_left(), None);
        assert!(idle.needs_order(7));
        assert_eq!(idle.suggested_order(), 16);
        assert!(!demand(6, Some(5), Some(20), 0).needs_order(365));
        assert!(
            demand(5, Some(5), None, 0).needs_order(0),
            "at the limit counts"
        );
    }

    #[test]
    fn a_product_without_limits_is_listed_by_its_projection_and_ordered_for_28_days() {
        // 56 sold in 28 days: 2 a day; 10 on hand last 5 days.
        let free = demand(10, None, None, 56);
        assert_eq!(free.days_left(), Some(5));
        assert!(free.needs_order(7) && free.needs_order(5));
        assert!(!free.needs_order(4));
        assert_eq!(free.suggested_order(), 46);
        assert_eq!(demand(0, None, None, 0).suggested_order(), 0);
        assert!(!demand(0, None, None, 0).needs_order(365));
    }

    #[test]
    fn a_product_selling_faster_than_its_upper_limit_is_filled_to_the_limit_only() {
        // 280 a month (10 a day), shelf holds 50, 30 on hand: 3 days left, order 20.
        let fast = demand(30, Some(10), Some(50), 280);
        assert_eq!(fast.days_left(), Some(3));
        assert!(fast.needs_order(7));
        assert_eq!(fast.suggested_order(), 20);
        assert_eq!(
            demand(60, None, Some(50), 2_800).suggested_order(),
            0,
            "above the upper limit: nothing, never negative"
        );
    }

    #[test]
    fn loose_goods_are_projected_and_ordered_in_grams() {
        // 14 kg of rice sold in 28 days (500 g a day), 1.2 kg on hand, 5 kg lower limit.
        let rice = demand(1_200, Some(5_000), None, 14_000);
        assert_eq!(rice.days_left(), Some(2));
        assert!(rice.needs_order(7));
        assert_eq!(rice.suggested_order(), 12_800);
        // 700 g sold (25 g a day) with 100 g left: 4 days.
        assert_eq!(demand(100, None, None, 700).days_left(), Some(4));
    }

    #[test]
    fn more_returns_than_sales_count_as_no_sales() {
        let returned = demand(3, None, None, -4);
        assert_eq!(returned.days_left(), None);
        assert!(!returned.needs_order(365));
        assert_eq!(returned.suggested_order(), 0);
    }

    #[test]
    fn ticked_rows_become_lines_and_name_their_one_supplier() {
        let mut form = BillForm {
            lines: vec![LineForm::default()],
            order: vec![
                OrderPick {
                    product: "Toor Dal".into(),
                    quantity: "15".into(),
                    supplier: "Ravi Traders".into(),
                },
                OrderPick {
                    product: String::new(),
                    quantity: "9".into(),
                    supplier: "Other".into(),
                },
                OrderPick {
                    product: "Rice".into(),
                    quantity: "0".into(),
                    supplier: "ravi traders".into(),
                },
            ],
            ..BillForm::default()
        };
        assert!(form.take_order());
        assert_eq!(form.party_name, "Ravi Traders");
        assert_eq!(
            form.lines.len(),
            2,
            "the blank line is filled, the unticked row left out"
        );
        assert_eq!(
            (form.typed(0, "product"), form.typed(0, "quantity")),
            ("Toor Dal", "15")
        );
        assert_eq!(
            (form.typed(1, "product"), form.typed(1, "quantity")),
            ("Rice", "")
        );
        assert!(form.order.is_empty());
        assert!(!form.take_order(), "nothing left to take");
    }

    #[test]
    fn ticked_rows_of_several_suppliers_leave_the_supplier_to_the_person() {
        let pick = |product: &str, supplier: &str| OrderPick {
            product: product.into(),
            quantity: "1".into(),
            supplier: supplier.into(),
        };
        let mut form = BillForm {
            order: vec![pick("Tea", "A"), pick("Salt", "B")],
            ..BillForm::default()
        };
        assert!(form.take_order());
        assert_eq!(form.party_name, "");
        let mut named = BillForm {
            party_name: "Chosen".into(),
            order: vec![pick("Tea", "A")],
            ..BillForm::default()
        };
        named.take_order();
        assert_eq!(named.party_name, "Chosen", "a typed supplier stays");
    }

    proptest! {
        #[test]
        fn the_suggestion_is_never_negative_and_never_overfills(
            on_hand in 0i64..1_000_000,
            lower in proptest::option::of(0i64..1_000_000),
            upper in proptest::option::of(0i64..1_000_000),
            sold in -1_000i64..1_000_000,
        ) {
            let d = demand(on_hand, lower, upper, sold);
            let order = d.suggested_order();
            prop_assert!(order >= 0);
            if let Some(upper) = upper {
                prop_assert!(order == 0 || on_hand + order == upper);
            } else {
                prop_assert!(on_hand + order >= sold.max(0).max(lower.unwrap_or(0)));
            }
        }

        #[test]
        fn listed_by_projection_exactly_when_days_left_is_within_the_window(
            on_hand in 0i64..1_000_000,
            sold in 1i64..1_000_000,
            days in 0i64..=MAX_DAYS,
        ) {
            let d = demand(on_hand, None, None, sold);
            let left = d.days_left().unwrap();
            // Whole days rounded down: listed exactly when the fractional days left are <= days.
            prop_assert_eq!(d.needs_order(days), on_hand * SALES_WINDOW_DAYS <= sold * days);
            prop_assert!(!d.needs_order(days) || left <= days);
            prop_assert!(left * sold <= on_hand * SALES_WINDOW_DAYS);
        }
    }
}
