//! The dashboard's figures: what the database sums up, how profit is worked out, and which
//! figures each role may see. Pure, so the page, the server function and the tests share one
//! definition.

use super::period::{Month, Period};
use super::{Currency, Measure, Money, Role};
use serde::{Deserialize, Serialize};

/// Rows in each `Top products` list.
pub const TOP_PRODUCTS: i64 = 5;
/// Rows shown of `Low stock` and of overstock (the rest are counted).
pub const ALERT_ROWS: i64 = 10;

/// Sales minus the cost of the goods sold (saturating: no amount here comes near the limits).
pub fn profit(earned: Money, cost_of_goods: Money) -> Money {
    Money::from_minor(earned.minor().saturating_sub(cost_of_goods.minor()))
}

/// A period's sums, as the database adds them up. Amounts are before tax, and net of returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sales bills' subtotals minus sale returns'.
    pub earned: Money,
    /// Purchase bills' subtotals minus purchase returns'.
    pub spent: Money,
    /// What the lots the sales consumed had cost, minus what returned units had cost.
    pub cost_of_goods: Money,
    /// Cost of units written off, plus units counted missing, minus units counted surplus.
    pub losses: Money,
    pub units_sold: i64,
    pub units_bought: i64,
}

/// One month's sums (as [`Totals`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonthTotals {
    pub earned: Money,
    pub spent: Money,
    pub cost_of_goods: Money,
    pub losses: Money,
}

/// One product's sales in the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductTotals {
    pub product_id: i64,
    pub name: String,
    pub unit: String,
    /// Sold loose: with `unit`, how `units` reads.
    pub loose: bool,
    pub revenue: Money,
    pub units: i64,
    /// What the lots sold had cost.
    pub cost: Money,
}

/// A product outside its stock limits: `limit` is the lower one for low stock, the upper one
/// for overstock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAlert {
    pub product_id: i64,
    pub name: String,
    pub unit: String,
    /// Sold loose: with `unit`, how the quantity and the limit read ([`StockAlert::measure`]).
    #[serde(default)]
    pub loose: bool,
    pub quantity: i64,
    pub limit: i64,
}

impl StockAlert {
    /// How the alert's quantity and limit read.
    pub fn measure(&self) -> Measure {
        Measure::new(self.unit.clone(), self.loose)
    }
}

/// A few alerts and how many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alerts {
    pub rows: Vec<StockAlert>,
    pub total: i64,
}

/// Everything the database answers for one dashboard, before the role filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub totals: Totals,
    /// One entry per chart month, oldest first, zero where nothing happened.
    pub months: Vec<(Month, MonthTotals)>,
    pub top_by_revenue: Vec<ProductTotals>,
    pub top_by_units: Vec<ProductTotals>,
    pub low_stock: Alerts,
    pub overstock: Alerts,
    /// Stock on hand at the cost of the lots it is in.
    pub stock_value: Money,
    /// Lots with stock left expiring within 3 days (or expired).
    pub expiring_lots: i64,
    /// Whether any bill was ever recorded.
    pub has_history: bool,
}

/// Puts the database's per-month rows (months without bills missing) onto `months`, with zeros
/// where nothing happened. Other rows are ignored.
pub fn fill_months(months: &[Month], rows: &[(Month, MonthTotals)]) -> Vec<(Month, MonthTotals)> {
    months
        .iter()
        .map(|month| {
            let totals = rows
                .iter()
                .find(|(m, _)| m == month)
                .map(|(_, t)| *t)
                .unwrap_or_default();
            (*month, totals)
        })
        .collect()
}

/// Managers-only figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Costs {
    pub spent: Money,
    pub cost_of_goods: Money,
    pub profit: Money,
    pub stock_value: Money,
    /// Written off and counted missing, at cost (PRODUCT.md, "Dashboard").
    pub losses: Money,
}

/// One bar group of the chart; `spent`, `profit` and `losses` only for managers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthPoint {
    pub month: Month,
    pub earned: Money,
    pub spent: Option<Money>,
    pub profit: Option<Money>,
    pub losses: Option<Money>,
}

/// A row of `Top products`; `profit` only for managers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopProduct {
    pub product_id: i64,
    pub name: String,
    pub unit: String,
    /// Sold loose: with `unit`, how `units` reads ([`TopProduct::measure`]).
    #[serde(default)]
    pub loose: bool,
    pub revenue: Money,
    pub units: i64,
    pub profit: Option<Money>,
}

impl TopProduct {
    /// How the product's units sold read.
    pub fn measure(&self) -> Measure {
        Measure::new(self.unit.clone(), self.loose)
    }
}

/// What the dashboard shows one person: sales figures for everyone, costs only for managers.
///
/// The split: staff see what they sell and what needs attention — `Earned`, units sold and
/// bought, the monthly earned chart, top products by revenue and units, low stock, overstock and
/// expiring lots. Managers also see `Spent`, the cost of goods sold, `Profit` (totals, per month
/// and per product) and the stock's value at cost. Built on the server, so staff never receive
/// the managers' figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub period: Period,
    pub currency: Currency,
    pub has_history: bool,
    pub earned: Money,
    pub units_sold: i64,
    pub units_bought: i64,
    /// `None` for staff.
    pub costs: Option<Costs>,
    pub months: Vec<MonthPoint>,
    pub top_by_revenue: Vec<TopProduct>,
    pub top_by_units: Vec<TopProduct>,
    pub low_stock: Alerts,
    pub overstock: Alerts,
    pub expiring_lots: i64,
}

impl Dashboard {
    /// The figures `role` may see.
    pub fn for_role(figures: Figures, period: Period, currency: Currency, role: Role) -> Self {
        let manager = role.is_manager();
        let Figures {
            totals,
            months,
            top_by_revenue,
            top_by_units,
            low_stock,
            overstock,
            stock_value,
            expiring_lots,
            has_history,
        } = figures;
        let top = |rows: Vec<ProductTotals>| {
            rows.into_iter()
                .map(|p| TopProduct {
                    profit: manager.then(|| profit(p.revenue, p.cost)),
                    product_id: p.product_id,
                    name: p.name,
                    unit: p.unit,
                    loose: p.loose,
                    revenue: p.revenue,
                    units: p.units,
                })
                .collect()
        };
        Self {
            period,
            currency,
            has_history,
            earned: totals.earned,
            units_sold: totals.units_sold,
            units_bought: totals.units_bought,
            costs: manager.then(|| Costs {
                spent: totals.spent,
                cost_of_goods: totals.cost_of_goods,
                profit: profit(totals.earned, totals.cost_of_goods),
                stock_value,
                losses: totals.losses,
            }),
            months: months
                .into_iter()
                .map(|(month, t)| MonthPoint {
                    month,
                    earned: t.earned,
                    spent: manager.then_some(t.spent),
                    profit: manager.then(|| profit(t.earned, t.cost_of_goods)),
                    losses: manager.then_some(t.losses),
                })
                .collect(),
            top_by_revenue: top(top_by_revenue),
            top_by_units: top(top_by_units),
            low_stock,
            overstock,
            expiring_lots,
        }
    }

    /// Whether nothing was bought or sold in any of the chart's months (no chart is drawn then).
    pub fn chart_is_empty(&self) -> bool {
        self.months.iter().all(|m| {
            m.earned == Money::ZERO
                && m.spent.unwrap_or_default() == Money::ZERO
                && m.profit.unwrap_or_default() == Money::ZERO
                && m.losses.unwrap_or_default() == Money::ZERO
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn this_month() -> Period {
        use crate::domain::calendar::{Utc, Zone};
        Period::resolve(None, None, None, Utc.day_of(1_773_568_800)).unwrap()
    }

    #[test]
    fn missing_months_are_zero_and_unknown_keys_ignored() {
        let months = [
            Month {
                year: 2025,
                month: 1,
            },
            Month {
                year: 2025,
                month: 2,
            },
        ];
        let feb = MonthTotals {
            earned: Money::from_minor(500),
            ..MonthTotals::default()
        };
        let december = Month {
            year: 2024,
            month: 12,
        };
        let filled = fill_months(&months, &[(months[1], feb), (december, feb)]);
        assert_eq!(
            filled,
            vec![(months[0], MonthTotals::default()), (months[1], feb)]
        );
    }

    fn figures() -> Figures {
        let money = Money::from_minor;
        let product = ProductTotals {
            product_id: 1,
            name: "Rice".into(),
            unit: "pcs".into(),
            loose: false,
            revenue: money(1_000),
            units: 2,
            cost: money(700),
        };
        Figures {
            totals: Totals {
                earned: money(1_000),
                spent: money(5_000),
                cost_of_goods: money(700),
                losses: money(40),
                units_sold: 2,
                units_bought: 10,
            },
            months: vec![(
                Month {
                    year: 2025,
                    month: 1,
                },
                MonthTotals {
                    earned: money(1_000),
                    spent: money(5_000),
                    cost_of_goods: money(700),
                    losses: money(40),
                },
            )],
            top_by_revenue: vec![product.clone()],
            top_by_units: vec![product],
            stock_value: money(2_800),
            has_history: true,
            ..Figures::default()
        }
    }

    #[test]
    fn managers_get_costs_and_profit() {
        let period = this_month();
        let d = Dashboard::for_role(figures(), period, Currency::default(), Role::Manager);
        let costs = d.costs.unwrap();
        assert_eq!(costs.profit, Money::from_minor(300));
        assert_eq!(costs.spent, Money::from_minor(5_000));
        assert_eq!(costs.stock_value, Money::from_minor(2_800));
        assert_eq!(d.months[0].profit, Some(Money::from_minor(300)));
        assert_eq!(d.top_by_units[0].profit, Some(Money::from_minor(300)));
        assert!(!d.chart_is_empty());
        assert_eq!(costs.losses, Money::from_minor(40));
        assert_eq!(d.months[0].losses, Some(Money::from_minor(40)));
    }

    #[test]
    fn staff_get_sales_but_no_costs_anywhere() {
        let period = this_month();
        let d = Dashboard::for_role(figures(), period, Currency::default(), Role::Staff);
        assert_eq!(d.earned, Money::from_minor(1_000));
        assert_eq!(d.units_bought, 10);
        assert_eq!(d.costs, None);
        assert!(d
            .months
            .iter()
            .all(|m| m.spent.is_none() && m.profit.is_none()));
        assert!(
            d.months.iter().all(|m| m.losses.is_none()),
            "no losses for staff"
        );
        assert!(d
            .top_by_revenue
            .iter()
            .chain(&d.top_by_units)
            .all(|p| p.profit.is_none()));
        assert_eq!(
            profit(Money::from_minor(5), Money::from_minor(9)),
            Money::from_minor(-4)
        );
    }
}
