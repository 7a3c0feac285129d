//! Calendar dates and instants as people read and type them. [`Day`] is a calendar date (an
//! expiry date, a filter's `From`); an instant is stored as Unix seconds and shown with
//! [`format_time`]. The one written form of a date, `YYYY-MM-DD`, is defined here and nowhere
//! else.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use time::format_description::FormatItem;
use time::macros::format_description;

/// `YYYY-MM-DD`: how dates are typed, stored and shown.
const DAY: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");
/// `YYYY-MM-DD HH:MM`: how an instant is shown.
const MINUTE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day] [hour]:[minute]");

/// The years a form accepts: a typo such as `0226-01-01` is refused, not stored.
const YEARS: std::ops::Range<i32> = 2000..2200;

/// Seconds in a day.
pub const DAY_SECS: i64 = 86_400;

/// A calendar date (no time, no zone), e.g. when a lot expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(time::Date);

/// Why text is not a date a form accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Enter a date like 2026-12-31")]
pub struct DayError;

impl Day {
    /// A date typed into a form: `YYYY-MM-DD`, a real calendar day, in the years 2000–2199.
    pub fn parse(text: &str) -> Result<Self, DayError> {
        let date = time::Date::parse(text.trim(), DAY).map_err(|_| DayError)?;
        YEARS
            .contains(&date.year())
            .then_some(Self(date))
            .ok_or(DayError)
    }

    /// A date as stored (any year the database holds; no range check).
    pub fn from_stored(text: &str) -> Option<Self> {
        time::Date::parse(text.trim(), DAY).ok().map(Self)
    }

    /// The UTC calendar date of a Unix time.
    pub fn of_unix(unix: i64) -> Self {
        Self(
            time::OffsetDateTime::from_unix_timestamp(unix)
                .map_or(time::Date::MIN, time::OffsetDateTime::date),
        )
    }

    /// The first second of this day (Unix, UTC).
    pub fn start(self) -> i64 {
        self.0.midnight().assume_utc().unix_timestamp()
    }

    /// The date `days` later (earlier when negative), if it exists.
    pub fn plus_days(self, days: i64) -> Option<Self> {
        self.0.checked_add(time::Duration::days(days)).map(Self)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        (later.0 - self.0).whole_days()
    }

    /// The underlying date, for calendar arithmetic inside the domain.
    pub(crate) fn date(self) -> time::Date {
        self.0
    }

    /// The day of a date from the domain's calendar arithmetic.
    pub(crate) fn from_date(date: time::Date) -> Self {
        Self(date)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.format(DAY).unwrap_or_default())
    }
}

impl FromStr for Day {
    type Err = DayError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Day::from_stored(&text).ok_or_else(|| serde::de::Error::custom("not a YYYY-MM-DD date"))
    }
}

/// "YYYY-MM-DD HH:MM" in UTC for a Unix time.
pub fn format_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(MINUTE).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_calendar_days_in_a_sane_year() {
        assert_eq!(
            Day::parse(" 2026-02-28 ").unwrap().to_string(),
            "2026-02-28"
        );
        for bad in [
            "2026-02-30",
            "26-02-01",
            "2026/02/01",
            "1999-12-31",
            "2200-01-01",
            "tomorrow",
            "",
        ] {
            assert_eq!(Day::parse(bad), Err(DayError), "{bad}");
        }
        assert!(
            Day::from_stored("1999-12-31").is_some(),
            "stored dates are read as they are"
        );
    }

    #[test]
    fn days_count_and_step_across_months() {
        let day = Day::parse("2026-12-30").unwrap();
        assert_eq!(day.plus_days(3).unwrap().to_string(), "2027-01-02");
        assert_eq!(day.days_until(Day::parse("2026-12-25").unwrap()), -5);
        assert_eq!(Day::of_unix(1_764_064_800).to_string(), "2025-11-25");
        assert_eq!(Day::parse("2025-01-01").unwrap().start(), 1_735_689_600);
    }

    #[test]
    fn days_travel_as_their_text() {
        let day = Day::parse("2026-07-04").unwrap();
        let json = serde_json::to_string(&day).unwrap();
        assert_eq!(json, "\"2026-07-04\"");
        assert_eq!(serde_json::from_str::<Day>(&json).unwrap(), day);
    }

    #[test]
    fn instants_show_to_the_minute_in_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00");
        assert_eq!(format_time(1_764_064_800), "2025-11-25 10:00");
    }
}
