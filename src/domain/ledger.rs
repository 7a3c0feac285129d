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

/// One page of rows and how many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// The number of the last page (at least 1).
    pub fn last_page(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
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
    fn dates_and_times_format_and_count() {
        assert_eq!(format_time(0), "1970-01-01 00:00");
        assert_eq!(date_of(1_764_064_800), "2025-11-25");
        assert_eq!(days_between("2026-11-25", "2026-11-28"), Some(3));
        assert_eq!(days_between("2026-11-25", "2026-11-20"), Some(-5));
        assert_eq!(add_days("2026-12-30", 3).as_deref(), Some("2027-01-02"));
    }
}
