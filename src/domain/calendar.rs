//! Calendar dates and instants as people read and type them. [`Day`] is a calendar date (an
//! expiry date, a filter's `From`); an instant is stored as Unix seconds (UTC) and read through
//! the shop's [`Zone`]: which day it falls on, when a day begins, and the wall-clock
//! [`LocalTime`] people see. The written forms — `YYYY-MM-DD` for a date, `YYYY-MM-DD HH:MM` for
//! a time, ISO 8601 with the offset for exports — are defined here and nowhere else.
//!
//! The zone rules themselves (the IANA database behind `SHOP_TIMEZONE`) live on the server, in
//! `server::zone::ShopZone`: nothing here knows an offset, so the browser's WASM carries none.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use time::format_description::FormatItem;
use time::macros::format_description;

/// `YYYY-MM-DD`: how dates are typed, stored and shown.
const DAY: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");
/// `YYYY-MM-DD HH:MM`: how an instant is shown.
const MINUTE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day] [hour]:[minute]");
/// ISO 8601 with the offset, `2026-02-01T00:30:00+05:30`: how an instant is exported.
const ISO_8601: &[FormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
);

/// The years a form accepts: a typo such as `0226-01-01` is refused, not stored.
const YEARS: std::ops::Range<i32> = 2000..2200;

/// Seconds in a day on a calendar without zones (a [`Day::key`] step; not every local day).
const KEY_SECS: i64 = 86_400;

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

    /// The day of a year, month (1–12) and day of the month, if it exists.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Self> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Self)
    }

    /// The year, month (1–12) and day of the month.
    pub fn ymd(self) -> (i32, u8, u8) {
        (self.0.year(), u8::from(self.0.month()), self.0.day())
    }

    /// The date `days` later (earlier when negative), if it exists.
    pub fn plus_days(self, days: i64) -> Option<Self> {
        self.0.checked_add(time::Duration::days(days)).map(Self)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        (later.0 - self.0).whole_days()
    }

    /// This day as an ordered number (86,400 a day from 1970-01-01), what a list's cursor
    /// carries. Not an instant: when the day begins depends on the shop's [`Zone`].
    pub fn key(self) -> i64 {
        self.0.midnight().assume_utc().unix_timestamp()
    }

    /// The day a [`Day::key`] stands for (the day it falls in, for a key between two).
    pub fn from_key(key: i64) -> Self {
        let midnight = key.div_euclid(KEY_SECS) * KEY_SECS;
        Self(
            time::OffsetDateTime::from_unix_timestamp(midnight)
                .map_or(time::Date::MIN, time::OffsetDateTime::date),
        )
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

/// An instant as a clock on the shop's wall reads it: date, time and the offset from UTC then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime(time::OffsetDateTime);

impl LocalTime {
    /// The reading `day` at `hour:minute:second`, `offset_secs` east of UTC (19,800 in India),
    /// if those make a time.
    pub fn new(day: Day, hour: u8, minute: u8, second: u8, offset_secs: i32) -> Option<Self> {
        let time = time::Time::from_hms(hour, minute, second).ok()?;
        let offset = time::UtcOffset::from_whole_seconds(offset_secs).ok()?;
        Some(Self(day.0.with_time(time).assume_offset(offset)))
    }

    /// The calendar day it falls on.
    pub fn day(self) -> Day {
        Day(self.0.date())
    }

    /// Hour (0–23), minute and second on the wall clock.
    pub fn hms(self) -> (u8, u8, u8) {
        (self.0.hour(), self.0.minute(), self.0.second())
    }

    /// Seconds east of UTC at that moment.
    pub fn offset_secs(self) -> i32 {
        self.0.offset().whole_seconds()
    }

    /// `2026-02-01T00:30:00+05:30`: ISO 8601 with the offset, for exports.
    pub fn iso8601(self) -> String {
        self.0.format(ISO_8601).unwrap_or_default()
    }
}

impl fmt::Display for LocalTime {
    /// `YYYY-MM-DD HH:MM`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.format(MINUTE).unwrap_or_default())
    }
}

/// How a shop's clock reads instants: the day one falls on, when a day begins, the wall-clock
/// time. The server's `ShopZone` answers from the IANA rules of `SHOP_TIMEZONE`, where a day
/// can last 23 or 25 hours; nothing else may assume a day starts at a multiple of 86,400.
pub trait Zone {
    /// The wall-clock reading at `unix` (seconds since the epoch), or `None` beyond the
    /// calendar's years.
    fn local(&self, unix: i64) -> Option<LocalTime>;

    /// The first second of `day` (Unix): its midnight, or the end of a daylight-saving gap that
    /// swallows midnight.
    fn start_of(&self, day: Day) -> i64;

    /// The calendar day `unix` falls on (the earliest day, beyond the calendar's years).
    fn day_of(&self, unix: i64) -> Day {
        self.local(unix)
            .map_or(Day(time::Date::MIN), LocalTime::day)
    }

    /// `YYYY-MM-DD HH:MM` on the wall clock (empty beyond the calendar's years).
    fn show(&self, unix: i64) -> String {
        self.local(unix).map(|t| t.to_string()).unwrap_or_default()
    }
}

/// UTC, for the domain's own tests: instants as the epoch counts them.
#[cfg(test)]
pub(crate) struct Utc;

#[cfg(test)]
impl Zone for Utc {
    fn local(&self, unix: i64) -> Option<LocalTime> {
        time::OffsetDateTime::from_unix_timestamp(unix)
            .ok()
            .map(LocalTime)
    }

    fn start_of(&self, day: Day) -> i64 {
        day.0.midnight().assume_utc().unix_timestamp()
    }
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
        assert_eq!(Utc.day_of(1_764_064_800).to_string(), "2025-11-25");
        assert_eq!(
            Utc.start_of(Day::parse("2025-01-01").unwrap()),
            1_735_689_600
        );
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
        assert_eq!(Utc.show(0), "1970-01-01 00:00");
        assert_eq!(Utc.show(1_764_064_800), "2025-11-25 10:00");
    }

    #[test]
    fn day_keys_keep_their_order_and_come_back_as_the_same_day() {
        for text in ["1970-01-01", "1969-12-31", "2026-03-08", "2199-12-31"] {
            let day = Day::from_stored(text).unwrap();
            assert_eq!(Day::from_key(day.key()), day, "{text}");
            assert_eq!(Day::from_key(day.key() + 86_399), day, "{text}");
        }
        assert_eq!(Day::from_key(86_400).to_string(), "1970-01-02");
        let (a, b) = (
            Day::parse("2026-01-31").unwrap(),
            Day::parse("2026-02-01").unwrap(),
        );
        assert!(a.key() < b.key());
        assert_eq!(Day::from_ymd(2026, 2, 29), None);
        assert_eq!(Day::from_ymd(2028, 2, 29).unwrap().ymd(), (2028, 2, 29));
    }

    #[test]
    fn a_local_time_shows_its_wall_clock_and_exports_its_offset() {
        let day = Day::parse("2026-02-01").unwrap();
        let india = LocalTime::new(day, 0, 30, 0, 19_800).unwrap();
        assert_eq!(india.to_string(), "2026-02-01 00:30");
        assert_eq!(india.iso8601(), "2026-02-01T00:30:00+05:30");
        let newfoundland = LocalTime::new(day, 21, 5, 9, -12_600).unwrap();
        assert_eq!(newfoundland.iso8601(), "2026-02-01T21:05:09-03:30");
        assert_eq!(
            LocalTime::new(day, 0, 0, 0, 0).unwrap().iso8601(),
            "2026-02-01T00:00:00+00:00"
        );
        assert_eq!(
            (india.day(), india.hms(), india.offset_secs()),
            (day, (0, 30, 0), 19_800)
        );
        assert_eq!(LocalTime::new(day, 24, 0, 0, 0), None);
    }
}
