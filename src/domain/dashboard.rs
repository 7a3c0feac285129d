//! The dashboard's rules: which dates a period choice means, how months are bucketed (UTC for
//! now), how profit is worked out, and which figures each role may see. Pure, so the page, the
//! server function and the tests share one definition.

use super::{Currency, Money, Role};
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};

/// Rows in each `Top products` list.
pub const TOP_PRODUCTS: i64 = 5;
/// Rows shown of `Low stock` and of overstock (the rest are counted).
pub const ALERT_ROWS: i64 = 10;
/// Months the chart shows when the period is shorter.
pub const CHART_MONTHS: u32 = 12;
/// Months the chart shows at most (a longer custom range charts its last 36 months).
pub const MAX_CHART_MONTHS: u32 = 36;

/// The periods the selector offers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodKind {
    #[default]
    ThisMonth,
    Last30Days,
    Last12Months,
    Custom,
}

impl PeriodKind {
    /// Every choice, in the selector's order.
    pub const ALL: [PeriodKind; 4] = [
        PeriodKind::ThisMonth,
        PeriodKind::Last30Days,
        PeriodKind::Last12Months,
        PeriodKind::Custom,
    ];

    /// The value in the page's address (`?period=…`).
    pub fn param(self) -> &'static str {
        match self {
            PeriodKind::ThisMonth => "month",
            PeriodKind::Last30Days => "30d",
            PeriodKind::Last12Months => "12m",
            PeriodKind::Custom => "custom",
        }
    }

    /// What the selector shows.
    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::ThisMonth => "This month",
            PeriodKind::Last30Days => "Last 30 days",
            PeriodKind::Last12Months => "Last 12 months",
            PeriodKind::Custom => "Custom range",
        }
    }

    /// The choice named by `param`, if any.
    pub fn from_param(param: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.param() == param.trim())
    }
}

/// Why a period cannot be shown; [`PeriodError::field`] names the form field to blame.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("Choose a period from the list")]
    UnknownKind,
    #[error("Enter a start date like 2026-01-31")]
    BadFrom,
    #[error("Enter an end date like 2026-12-31")]
    BadTo,
    #[error("The end date must not be before the start date")]
    Reversed,
}

impl PeriodError {
    /// The form field this error belongs next to.
    pub fn field(&self) -> &'static str {
        match self {
            PeriodError::UnknownKind => "period",
            PeriodError::BadFrom => "from",
            PeriodError::BadTo | PeriodError::Reversed => "to",
        }
    }
}

/// A chosen period: whole days from `from` to `to`, both included (`YYYY-MM-DD`, UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: String,
    pub to: String,
}

/// Trimmed text, or `None` when there is none.
fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn parse_day(text: &str) -> Option<Date> {
    let date = Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).ok()?;
    // The same years the bill forms accept.
    (2000..2200).contains(&date.year()).then_some(date)
}

fn day_text(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

fn day_start(date: Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp()
}

/// The UTC date of a Unix time (1970-01-01 if out of range).
pub fn utc_date(unix: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(unix).map_or(Date::MIN, OffsetDateTime::date)
}

impl Period {
    /// The period a request asks for, on the day `now` (Unix seconds) falls on. No `period` but
    /// a date means a custom range; no `period` and no dates means this month. A preset ignores
    /// dates sent with it (the form always sends them).
    pub fn resolve(
        period: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        now: i64,
    ) -> Result<Self, PeriodError> {
        let (from, to) = (given(from), given(to));
        let kind = match given(period) {
            Some(text) => PeriodKind::from_param(text).ok_or(PeriodError::UnknownKind)?,
            None if from.is_some() || to.is_some() => PeriodKind::Custom,
            None => PeriodKind::ThisMonth,
        };
        let today = utc_date(now);
        let (first, last) = match kind {
            PeriodKind::ThisMonth => (today.replace_day(1).unwrap_or(today), today),
            PeriodKind::Last30Days => (today.saturating_sub(Duration::days(29)), today),
            PeriodKind::Last12Months => (Month::of(today).back(11).first_day(), today),
            PeriodKind::Custom => {
                let first = from.and_then(parse_day).ok_or(PeriodError::BadFrom)?;
                let last = to.and_then(parse_day).ok_or(PeriodError::BadTo)?;
                if last < first {
                    return Err(PeriodError::Reversed);
                }
                (first, last)
            }
        };
        Ok(Self {
            kind,
            from: day_text(first),
            to: day_text(last),
        })
    }

    fn first_day(&self) -> Date {
        parse_day(&self.from).unwrap_or(Date::MIN)
    }

    fn last_day(&self) -> Date {
        parse_day(&self.to).unwrap_or(Date::MIN)
    }

    /// The first second of the period (Unix, included).
    pub fn start(&self) -> i64 {
        day_start(self.first_day())
    }

    /// The first second after the period (Unix, excluded).
    pub fn end(&self) -> i64 {
        day_start(self.last_day()) + 86_400
    }

    /// The months the chart shows: the 12 months up to the period's last one, or every month of
    /// a longer period (its last [`MAX_CHART_MONTHS`] at most). Oldest first.
    pub fn chart_months(&self) -> Vec<Month> {
        let last = Month::of(self.last_day());
        let own = last.months_since(Month::of(self.first_day())) + 1;
        let count = own.clamp(CHART_MONTHS, MAX_CHART_MONTHS);
        let first = last.back(count - 1);
        std::iter::successors(Some(first), |m| Some(m.next()))
            .take(count as usize)
            .collect()
    }

    /// "1 Mar 2026 – 15 Mar 2026", for headings.
    pub fn describe(&self) -> String {
        let format = format_description!("[day padding:none] [month repr:short] [year]");
        let show = |d: Date| d.format(format).unwrap_or_default();
        format!("{} – {}", show(self.first_day()), show(self.last_day()))
    }
}

/// A calendar month (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
}

impl Month {
    /// The month `date` falls in.
    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: u8::from(date.month()),
        }
    }

    /// `YYYY-MM`.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// "Mar".
    pub fn short(self) -> &'static str {
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        NAMES[usize::from(self.month.clamp(1, 12) - 1)]
    }

    /// "Mar 2026".
    pub fn label(self) -> String {
        format!("{} {}", self.short(), self.year)
    }

    fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    fn from_index(index: i64) -> Self {
        Self {
            year: i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX),
            month: u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1),
        }
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        Self::from_index(self.index() + 1)
    }

    /// The month `n` months before this one.
    pub fn back(self, n: u32) -> Self {
        Self::from_index(self.index() - i64::from(n))
    }

    /// Whole months from `earlier` to this one (0 when `earlier` is not earlier).
    pub fn months_since(self, earlier: Month) -> u32 {
        u32::try_from(self.index() - earlier.index()).unwrap_or(0)
    }

    fn first_day(self) -> Date {
        time::Month::try_from(self.month)
            .ok()
            .and_then(|m| Date::from_calendar_date(self.year, m, 1).ok())
            .unwrap_or(Date::MIN)
    }

    /// The first second of the month (Unix).
    pub fn start(self) -> i64 {
        day_start(self.first_day())
    }
}

/// Sales minus the cost of the goods sold (saturating: no amount here comes near the limits).
pub fn profit(earned: Money, cost_of_goods: Money) -> Money {
    Money::from_minor(earned.minor().saturating_sub(cost_of_goods.minor()))
}

/// A period's sums, as the database adds them up. Amounts are before tax.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sales bills' subtotals.
    pub earned: Money,
    /// Purchase bills' subtotals.
    pub spent: Money,
    /// What the lots the sales consumed had cost.
    pub cost_of_goods: Money,
    pub units_sold: i64,
    pub units_bought: i64,
}

/// One month's sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonthTotals {
    pub earned: Money,
    pub spent: Money,
    pub cost_of_goods: Money,
}

/// One product's sales in the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductTotals {
    pub product_id: i64,
    pub name: String,
    pub unit: String,
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
    pub quantity: i64,
    pub limit: i64,
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

/// Puts the database's per-month rows (keyed by the month's first second; months without
/// bills missing) onto `months`, with zeros where nothing happened. Other rows are ignored.
pub fn fill_months(months: &[Month], rows: &[(i64, MonthTotals)]) -> Vec<(Month, MonthTotals)> {
    months
        .iter()
        .map(|month| {
            let start = month.start();
            let totals = rows
                .iter()
                .find(|(s, _)| *s == start)
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
}

/// One bar group of the chart; `spent` and `profit` only for managers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthPoint {
    pub month: Month,
    pub earned: Money,
    pub spent: Option<Money>,
    pub profit: Option<Money>,
}

/// A row of `Top products`; `profit` only for managers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopProduct {
    pub product_id: i64,
    pub name: String,
    pub unit: String,
    pub revenue: Money,
    pub units: i64,
    pub profit: Option<Money>,
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
            }),
            months: months
                .into_iter()
                .map(|(month, t)| MonthPoint {
                    month,
                    earned: t.earned,
                    spent: manager.then_some(t.spent),
                    profit: manager.then(|| profit(t.earned, t.cost_of_goods)),
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15 10:00 UTC.
    const MID_MARCH: i64 = 1_773_568_800;

    fn resolve(period: &str, from: &str, to: &str) -> Result<Period, PeriodError> {
        Period::resolve(Some(period), Some(from), Some(to), MID_MARCH)
    }

    fn range(p: &Period) -> (&str, &str) {
        (p.from.as_str(), p.to.as_str())
    }

    #[test]
    fn presets_cover_whole_days_up_to_today() {
        assert_eq!(
            range(&resolve("", "", "").unwrap()),
            ("2026-03-01", "2026-03-15")
        );
        assert_eq!(
            range(&resolve("30d", "", "").unwrap()),
            ("2026-02-14", "2026-03-15")
        );
        assert_eq!(
            range(&resolve("12m", "", "").unwrap()),
            ("2025-04-01", "2026-03-15")
        );
        let month = resolve("month", "2020-01-01", "2020-02-01").unwrap();
        assert_eq!(
            (month.kind, range(&month)),
            (PeriodKind::ThisMonth, ("2026-03-01", "2026-03-15")),
            "a preset ignores the dates the form sends along"
        );
    }

    #[test]
    fn a_custom_range_needs_two_dates_in_order() {
        let custom = resolve("custom", "2025-01-01", "2025-03-31").unwrap();
        assert_eq!(custom.kind, PeriodKind::Custom);
        assert_eq!(custom.start(), 1_735_689_600, "2025-01-01 00:00 UTC");
        assert_eq!(custom.end(), 1_743_465_600, "2025-04-01 00:00 UTC");
        assert_eq!(
            resolve("", "2025-01-01", "2025-01-01").unwrap().kind,
            PeriodKind::Custom,
            "dates alone mean a custom range"
        );
        assert_eq!(
            resolve("custom", "", "2025-01-01"),
            Err(PeriodError::BadFrom)
        );
        assert_eq!(
            resolve("custom", "2025-01-01", "2025-02-30"),
            Err(PeriodError::BadTo)
        );
        assert_eq!(
            resolve("custom", "2025-03-01", "2025-01-01"),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            resolve("custom", "1900-01-01", "2025-01-01"),
            Err(PeriodError::BadFrom)
        );
        assert_eq!(resolve("week", "", ""), Err(PeriodError::UnknownKind));
        assert_eq!(PeriodError::Reversed.field(), "to");
    }

    #[test]
    fn the_chart_shows_twelve_months_or_the_whole_longer_period() {
        let months = resolve("month", "", "").unwrap().chart_months();
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].label(), "Apr 2025");
        assert_eq!(months[11].label(), "Mar 2026");
        let long = resolve("custom", "2023-06-10", "2025-02-01")
            .unwrap()
            .chart_months();
        assert_eq!(long.len(), 21);
        assert_eq!(
            (long[0].key(), long[20].key()),
            ("2023-06".into(), "2025-02".into())
        );
        let huge = resolve("custom", "2001-01-01", "2025-12-31")
            .unwrap()
            .chart_months();
        assert_eq!(huge.len(), MAX_CHART_MONTHS as usize);
        assert_eq!(huge[0].key(), "2023-01");
    }

    #[test]
    fn months_step_across_years_and_start_at_midnight_utc() {
        let dec = Month {
            year: 2025,
            month: 12,
        };
        assert_eq!(
            dec.next(),
            Month {
                year: 2026,
                month: 1
            }
        );
        assert_eq!(
            Month {
                year: 2026,
                month: 1
            }
            .back(13),
            Month {
                year: 2024,
                month: 12
            }
        );
        assert_eq!(dec.start(), 1_764_547_200, "2025-12-01 00:00 UTC");
        assert_eq!(
            Month {
                year: 2026,
                month: 2
            }
            .months_since(dec),
            2
        );
        assert_eq!(dec.months_since(dec.next()), 0);
        assert_eq!(Month::of(utc_date(MID_MARCH)).key(), "2026-03");
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
        let filled = fill_months(
            &months,
            &[(months[1].start(), feb), (december.start(), feb)],
        );
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
            revenue: money(1_000),
            units: 2,
            cost: money(700),
        };
        Figures {
            totals: Totals {
                earned: money(1_000),
                spent: money(5_000),
                cost_of_goods: money(700),
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
        let period = resolve("", "", "").unwrap();
        let d = Dashboard::for_role(figures(), period, Currency::default(), Role::Manager);
        let costs = d.costs.unwrap();
        assert_eq!(costs.profit, Money::from_minor(300));
        assert_eq!(costs.spent, Money::from_minor(5_000));
        assert_eq!(costs.stock_value, Money::from_minor(2_800));
        assert_eq!(d.months[0].profit, Some(Money::from_minor(300)));
        assert_eq!(d.top_by_units[0].profit, Some(Money::from_minor(300)));
        assert!(!d.chart_is_empty());
    }

    #[test]
    fn staff_get_sales_but_no_costs_anywhere() {
        let period = resolve("", "", "").unwrap();
        let d = Dashboard::for_role(figures(), period, Currency::default(), Role::Staff);
        assert_eq!(d.earned, Money::from_minor(1_000));
        assert_eq!(d.units_bought, 10);
        assert_eq!(d.costs, None);
        assert!(d
            .months
            .iter()
            .all(|m| m.spent.is_none() && m.profit.is_none()));
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
