//! What the history pages show: bills in a list, ledger movements, and lots near expiry.

use super::bill::BillKind;
use super::Money;
use serde::{Deserialize, Serialize};

/// A row of the bill list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillSummary {
    pub id: i64,
    pub kind: BillKind,
    pub party_name: String,
    pub total: Money,
    pub created_at: i64,
}

/// A row of the ledger history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub id: i64,
    pub created_at: i64,
    pub product_id: i64,
    pub product: String,
    pub unit: String,
    /// `purchase`, `sale`, `adjustment` or `write_off`.
    pub kind: String,
    pub quantity: i64,
    pub unit_amount: Money,
    pub bill_id: Option<i64>,
}

/// A lot with stock left that expires soon (or has expired).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringLot {
    pub lot_id: i64,
    pub product_id: i64,
    pub product: String,
    pub unit: String,
    pub remaining: i64,
    pub expires_on: String,
    /// Negative once expired.
    pub days_left: i64,
}

/// A place in a newest-first list: the time and id of a row. Lists page by cursor, not by
/// offset, so the millionth row costs what the first does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub at: i64,
    pub id: i64,
}

impl Cursor {
    /// From a `before`/`after` query value, `"{at}.{id}"`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (at, id) = text.trim().split_once('.')?;
        Some(Self {
            at: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }

    /// The query value.
    pub fn to_param(self) -> String {
        format!("{}.{}", self.at, self.id)
    }
}

/// Which way from a cursor a page reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Seek {
    /// The newest rows.
    #[default]
    Newest,
    /// The rows just older than the cursor.
    Before(Cursor),
    /// The rows just newer than the cursor.
    After(Cursor),
}

impl Seek {
    /// From the page's `before` and `after` query values (`before` wins).
    pub fn from_params(before: Option<&str>, after: Option<&str>) -> Self {
        match (
            before.and_then(Cursor::parse),
            after.and_then(Cursor::parse),
        ) {
            (Some(c), _) => Seek::Before(c),
            (None, Some(c)) => Seek::After(c),
            (None, None) => Seek::Newest,
        }
    }
}

/// One page of a newest-first list, with where the neighbouring pages start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Set when there are older rows: `?before=` this.
    pub older: Option<Cursor>,
    /// Set when there are newer rows: `?after=` this.
    pub newer: Option<Cursor>,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with one extra (to learn whether more exist), in the
    /// order the query read them (newest first for `Newest`/`Before`, oldest first for `After`).
    pub fn from_probe(
        mut rows: Vec<T>,
        per_page: usize,
        seek: Seek,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> Self {
        let more = rows.len() > per_page;
        rows.truncate(per_page);
        if let Seek::After(_) = seek {
            rows.reverse();
        }
        let first = rows.first().map(&cursor_of);
        let last = rows.last().map(&cursor_of);
        let (older, newer) = match seek {
            Seek::Newest => (last.filter(|_| more), None),
            Seek::Before(_) => (last.filter(|_| more), first),
            Seek::After(_) => (last, first.filter(|_| more)),
        };
        Self { rows, older, newer }
    }
}

/// "YYYY-MM-DD HH:MM" in UTC for a Unix time.
pub fn format_time(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// Days from `today` to `date` (both `YYYY-MM-DD`); negative when `date` has passed.
pub fn days_between(today: &str, date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let (a, b) = (
        time::Date::parse(today, &format).ok()?,
        time::Date::parse(date, &format).ok()?,
    );
    Some((b - a).whole_days())
}

/// The date `days` after `today` (`YYYY-MM-DD`).
pub fn add_days(today: &str, days: i64) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(today, &format)
        .ok()?
        .checked_add(time::Duration::days(days))?;
    date.format(&format).ok()
}

/// Today's date in UTC for a Unix time.
pub fn date_of(unix: i64) -> String {
    format_time(unix).chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = Cursor {
            at: 1_790_000_000,
            id: 42,
        };
        assert_eq!(Cursor::parse(&c.to_param()), Some(c));
        for junk in ["", "1", "a.b", "1.2.3", "9999999999999999999999.1"] {
            assert_eq!(Cursor::parse(junk), None, "{junk}");
        }
        assert_eq!(
            Seek::from_params(Some("5.1"), Some("6.2")),
            Seek::Before(Cursor { at: 5, id: 1 })
        );
        assert_eq!(
            Seek::from_params(None, Some("6.2")),
            Seek::After(Cursor { at: 6, id: 2 })
        );
        assert_eq!(Seek::from_params(Some("x"), None), Seek::Newest);
    }

    #[test]
    fn pages_know_their_neighbours() {
        let at = |id: i64| Cursor { at: id * 10, id };
        // Newest first: 9, 8, 7 shown, 6 probes for more.
        let page = Page::from_probe(vec![9, 8, 7, 6], 3, Seek::Newest, |&i| at(i));
        assert_eq!(
            (page.rows.as_slice(), page.older, page.newer),
            (&[9, 8, 7][..], Some(at(7)), None)
        );
        let last = Page::from_probe(vec![3, 2], 3, Seek::Before(at(4)), |&i| at(i));
        assert_eq!((last.older, last.newer), (None, Some(at(3))));
        // Going back up: read oldest first, shown newest first.
        let up = Page::from_probe(vec![7, 8, 9, 10], 3, Seek::After(at(6)), |&i| at(i));
        assert_eq!(
            (up.rows.as_slice(), up.older, up.newer),
            (&[9, 8, 7][..], Some(at(7)), Some(at(9)))
        );
        let top = Page::from_probe(vec![7, 8], 3, Seek::After(at(6)), |&i| at(i));
        assert_eq!((top.rows.as_slice(), top.newer), (&[8, 7][..], None));
    }

    #[test]
    fn dates_and_times_format_and_count() {
        assert_eq!(format_time(0), "1970-01-01 00:00");
        assert_eq!(date_of(1_764_064_800), "2025-11-25");
        assert_eq!(days_between("2026-11-25", "2026-11-28"), Some(3));
        assert_eq!(days_between("2026-11-25", "2026-11-20"), Some(-5));
        assert_eq!(add_days("2026-12-30", 3).as_deref(), Some("2027-01-02"));
    }
}
