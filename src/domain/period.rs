//! Periods and months for the dashboard: which days a period choice means and which months
//! its chart shows. Days and months are the shop's own (its [`Zone`]): a period starts at the
//! first second of its first local day and ends before the first second after its last, so a
//! month in a daylight-saving zone is summed over its 743 or 745 hours, not a multiple of 24.

use super::calendar::{Day, Zone};
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, Duration};

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

/// A chosen period: whole days from `from` to `to`, both included (`YYYY-MM-DD`, the shop's
/// calendar days).
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

/// A date the form accepts (the same years the bill forms do).
fn parse_day(text: &str) -> Option<Date> {
    Day::parse(text).ok().map(Day::date)
}

fn day_text(date: Date) -> String {
    Day::from_date(date).to_string()
}

impl Period {
    /// The period a request asks for on the shop's day `today`. No `period` but a date means a
    /// custom range; no `period` and no dates means this month. A preset ignores dates sent with
    /// it (the form always sends them).
    pub fn resolve(
        period: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: Day,
    ) -> Result<Self, PeriodError> {
        let (from, to) = (given(from), given(to));
        let kind = match given(period) {
            Some(text) => PeriodKind::from_param(text).ok_or(PeriodError::UnknownKind)?,
            None if from.is_some() || to.is_some() => PeriodKind::Custom,
            None => PeriodKind::ThisMonth,
        };
        let today = today.date();
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

    /// The period's first day.
    pub fn first_day(&self) -> Date {
        parse_day(&self.from).unwrap_or(Date::MIN)
    }

    /// The period's last day.
    pub fn last_day(&self) -> Date {
        parse_day(&self.to).unwrap_or(Date::MIN)
    }

    /// The first second of the period in `zone` (Unix, included).
    pub fn start(&self, zone: &impl Zone) -> i64 {
        zone.start_of(Day::from_date(self.first_day()))
    }

    /// The first second after the period in `zone` (Unix, excluded): the start of the next day,
    /// however long the last one was.
    pub fn end(&self, zone: &impl Zone) -> i64 {
        let next = self.last_day().next_day().unwrap_or(Date::MAX);
        zone.start_of(Day::from_date(next))
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

/// A calendar month (the shop's).
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

    /// Months from January of year 0: what the summaries store (`monthly_sales.month`).
    pub fn index(self) -> i64 {
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

    /// The month's first day.
    pub fn first_day(self) -> Date {
        time::Month::try_from(self.month)
            .ok()
            .and_then(|m| Date::from_calendar_date(self.year, m, 1).ok())
            .unwrap_or(Date::MIN)
    }

    /// The month's last day.
    pub fn last_day(self) -> Date {
        self.next().first_day().previous_day().unwrap_or(Date::MIN)
    }

    /// The first second of the month in `zone` (Unix).
    pub fn start(self, zone: &impl Zone) -> i64 {
        zone.start_of(Day::from_date(self.first_day()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Utc;

    /// 2026-03-15 10:00 UTC.
    const MID_MARCH: i64 = 1_773_568_800;

    fn resolve(period: &str, from: &str, to: &str) -> Result<Period, PeriodError> {
        Period::resolve(Some(period), Some(from), Some(to), Utc.day_of(MID_MARCH))
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
        assert_eq!(custom.start(&Utc), 1_735_689_600, "2025-01-01 00:00 UTC");
        assert_eq!(custom.end(&Utc), 1_743_465_600, "2025-04-01 00:00 UTC");
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
        assert_eq!(dec.start(&Utc), 1_764_547_200, "2025-12-01 00:00 UTC");
        assert_eq!(
            Month {
                year: 2026,
                month: 2
            }
            .months_since(dec),
            2
        );
        assert_eq!(dec.months_since(dec.next()), 0);
        assert_eq!(Month::of(Utc.day_of(MID_MARCH).date()).key(), "2026-03");
    }
}
