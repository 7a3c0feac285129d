//! The shop's time zone (`SHOP_TIMEZONE`, an IANA name such as `Asia/Kolkata`): the rules that
//! turn a stored instant (UTC Unix seconds) into the day and time a person in the shop reads,
//! and a day they type into the first second it begins.
//!
//! The rules come from the tz database compiled into the binary (jiff's bundle), so the
//! distroless image, which has no `/usr/share/zoneinfo`, reads them exactly as a laptop does.
//! The ledger stores nothing by zone: instants stay UTC and calendar dates stay dates. Only the
//! summaries count days in the zone (`storage::summaries`), and a start in another
//! `SHOP_TIMEZONE` recounts them, so changing it re-reads all history in the new zone.

use crate::domain::calendar::{Day, LocalTime, Zone};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The zone a shop runs in when `SHOP_TIMEZONE` is unset (our default currency is the rupee).
pub const DEFAULT_ZONE: &str = "Asia/Kolkata";

/// A shop's time zone: its IANA name and rules. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ShopZone {
    name: String,
    rules: TimeZone,
}

impl ShopZone {
    /// The zone called `name` in the IANA database (any letter case; its canonical spelling is
    /// kept). Fixed offsets (`+05:30`) and `Etc/Unknown` are refused: a shop's clock follows the
    /// rules of a place, daylight saving and all.
    pub fn named(name: &str) -> Result<Self, String> {
        let name = name.trim();
        let refused = || {
            format!(
                "unknown time zone {name:?}: use an IANA name such as Asia/Kolkata, \
                 Europe/Berlin or America/New_York"
            )
        };
        let rules = TimeZone::get(name).map_err(|_| refused())?;
        let canonical = rules.iana_name().ok_or_else(refused)?.to_owned();
        Ok(Self {
            name: canonical,
            rules,
        })
    }

    /// UTC.
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            rules: TimeZone::UTC,
        }
    }

    /// The IANA name, e.g. `Asia/Kolkata`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Default for ShopZone {
    fn default() -> Self {
        Self::named(DEFAULT_ZONE).unwrap_or_else(|_| Self::utc())
    }
}

impl Zone for ShopZone {
    fn local(&self, unix: i64) -> Option<LocalTime> {
        let zoned = Timestamp::from_second(unix)
            .ok()?
            .to_zoned_datetime(self.rules.clone());
        let day = Day::from_ymd(
            i32::from(zoned.year()),
            u8::try_from(zoned.month()).ok()?,
            u8::try_from(zoned.day()).ok()?,
        )?;
        LocalTime::new(
            day,
            u8::try_from(zoned.hour()).ok()?,
            u8::try_from(zoned.minute()).ok()?,
            u8::try_from(zoned.second()).ok()?,
            zoned.offset().seconds(),
        )
    }

    fn start_of(&self, day: Day) -> i64 {
        let (year, month, dom) = day.ymd();
        // jiff resolves a midnight that a daylight-saving gap skips to the end of the gap: the
        // first second the day has. Only dates near year ±9999 fail; they start at their key.
        i16::try_from(year)
            .ok()
            .and_then(|year| {
                let month = i8::try_from(month).ok()?;
                let dom = i8::try_from(dom).ok()?;
                jiff::civil::Date::new(year, month, dom).ok()
            })
            .and_then(|date| date.to_zoned_datetime(self.rules.clone()).ok())
            .and_then(|zoned| zoned.start_of_day().ok())
            .map_or_else(|| day.key(), |start| start.timestamp().as_second())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> ShopZone {
        ShopZone::named(name).unwrap()
    }

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    /// Hours from the start of `text` to the start of the next day in `zone`.
    fn hours_in(zone: &ShopZone, text: &str) -> i64 {
        let d = day(text);
        (zone.start_of(d.plus_days(1).unwrap()) - zone.start_of(d)) / 3_600
    }

    #[test]
    fn names_are_iana_names_in_their_canonical_spelling() {
        assert_eq!(zone("asia/kolkata").name(), "Asia/Kolkata");
        assert_eq!(zone(" UTC ").name(), "UTC");
        assert_eq!(ShopZone::default().name(), DEFAULT_ZONE);
        for bad in ["Mars/Olympus_Mons", "+05:30", "IST5:30", "Etc/Unknown", ""] {
            let why = ShopZone::named(bad).unwrap_err();
            assert!(why.contains("unknown time zone"), "{bad}: {why}");
            assert!(
                why.contains(&format!("{:?}", bad.trim())),
                "names it: {why}"
            );
        }
    }

    #[test]
    fn india_reads_half_an_hour_past_the_utc_hour() {
        let india = zone("Asia/Kolkata");
        // 2026-01-31 18:00 UTC and 19:00 UTC.
        assert_eq!(india.show(1_769_882_400), "2026-01-31 23:30");
        assert_eq!(india.show(1_769_886_000), "2026-02-01 00:30");
        assert_eq!(india.day_of(1_769_886_000), day("2026-02-01"));
        assert_eq!(
            india.start_of(day("2026-02-01")),
            1_769_884_200,
            "18:30 UTC"
        );
        assert_eq!(
            india.local(1_769_886_000).unwrap().iso8601(),
            "2026-02-01T00:30:00+05:30"
        );
    }

    #[test]
    fn nepal_days_begin_at_a_quarter_past_six_utc() {
        let nepal = zone("Asia/Kathmandu");
        // 2026-02-28 18:15 UTC is midnight in Kathmandu (+05:45).
        assert_eq!(nepal.start_of(day("2026-03-01")), 1_772_302_500);
        assert_eq!(nepal.show(1_772_302_500), "2026-03-01 00:00");
        assert_eq!(nepal.show(1_772_302_499), "2026-02-28 23:59");
    }

    #[test]
    fn daylight_saving_days_last_twenty_three_and_twenty_five_hours() {
        let new_york = zone("America/New_York");
        assert_eq!(hours_in(&new_york, "2026-03-08"), 23);
        assert_eq!(hours_in(&new_york, "2026-11-01"), 25);
        assert_eq!(hours_in(&new_york, "2026-03-09"), 24);
        let berlin = zone("Europe/Berlin");
        assert_eq!(hours_in(&berlin, "2026-03-29"), 23);
        assert_eq!(hours_in(&berlin, "2026-10-25"), 25);
        // Half past two on the spring-forward night never happens in New York; 01:59 does.
        let before_the_gap = new_york.start_of(day("2026-03-08")) + 2 * 3_600 - 60;
        assert_eq!(new_york.show(before_the_gap), "2026-03-08 01:59");
        assert_eq!(new_york.show(before_the_gap + 60), "2026-03-08 03:00");
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_its_clocks_do() {
        // Chile springs forward at midnight: 2026-09-06 begins at 01:00 local (-03:00).
        let santiago = zone("America/Santiago");
        let start = santiago.start_of(day("2026-09-06"));
        assert_eq!(santiago.show(start), "2026-09-06 01:00");
        assert_eq!(santiago.day_of(start - 1), day("2026-09-05"));
        assert_eq!(hours_in(&santiago, "2026-09-06"), 23);
    }

    #[test]
    fn the_date_line_puts_kiritimati_and_pago_pago_a_day_apart() {
        // 2026-06-15 12:00 UTC.
        let noon = 1_781_524_800;
        assert_eq!(zone("Pacific/Kiritimati").show(noon), "2026-06-16 02:00");
        assert_eq!(zone("Pacific/Pago_Pago").show(noon), "2026-06-15 01:00");
        assert_eq!(
            zone("Pacific/Kiritimati")
                .local(noon)
                .unwrap()
                .offset_secs(),
            14 * 3_600
        );
    }

    #[test]
    fn instants_beyond_the_calendar_show_nothing() {
        let india = zone("Asia/Kolkata");
        assert_eq!(india.show(i64::MAX), "");
        assert_eq!(india.local(i64::MIN), None);
        assert_eq!(ShopZone::utc().show(0), "1970-01-01 00:00");
    }
}
