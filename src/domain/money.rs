//! Money as an integer number of minor units (paise, cents): no floats where money is kept or summed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest amount a single price or cost may have: 10^13 minor units (₹100 billion). Sums of
/// up to ~900,000 such amounts still fit in an `i64`, and no shop needs more.
pub const MAX_AMOUNT: i64 = 10_000_000_000_000;

/// An amount of money in minor units of the shop's currency.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Money(i64);

/// Why text is not an amount of money.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Enter an amount")]
    Empty,
    #[error("Enter an amount like 12.50")]
    Malformed,
    #[error("Use at most two digits after the decimal point")]
    TooPrecise,
    #[error("The amount cannot be negative")]
    Negative,
    #[error("The amount is too large")]
    TooLarge,
}

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// An amount from minor units.
    pub const fn from_minor(minor: i64) -> Self {
        Self(minor)
    }

    /// The amount in minor units.
    pub const fn minor(self) -> i64 {
        self.0
    }

    /// Parses what a person types into a price field: digits, an optional decimal point with at
    /// most two digits, optional thousands separators and currency symbol. Never negative.
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let cleaned: String = input
            .trim()
            .trim_start_matches(|c: char| !(c.is_ascii_digit() || c == '-' || c == '.'))
            .chars()
            .filter(|c| *c != ',' && *c != '_' && !c.is_whitespace())
            .collect();
        if cleaned.is_empty() {
            return Err(if input.trim().is_empty() {
                MoneyError::Empty
            } else {
                MoneyError::Malformed
            });
        }
        if cleaned.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(MoneyError::Malformed);
        }
        if fraction.len() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError::TooLarge)?
        };
        let fraction: i64 = format!("{fraction:0<2}")
            .parse()
            .map_err(|_| MoneyError::Malformed)?;
        let minor = whole
            .checked_mul(100)
            .and_then(|m| m.checked_add(fraction))
            .filter(|m| *m <= MAX_AMOUNT)
            .ok_or(MoneyError::TooLarge)?;
        Ok(Self(minor))
    }

    /// The amount as a plain decimal with two places, for form fields ("1234.50").
    pub fn to_plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// The shop's currency: ISO code and symbol, from configuration (default INR, ₹).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Currency {
    pub code: String,
    pub symbol: String,
}

impl Default for Currency {
    fn default() -> Self {
        Self {
            code: "INR".into(),
            symbol: "₹".into(),
        }
    }
}

impl Currency {
    /// Formats an amount for people: symbol, grouped digits, two decimals. Rupees group the Indian
    /// way (₹1,23,456.00); other currencies in thousands ($123,456.00).
    pub fn format(&self, amount: Money) -> String {
        let plain = amount.to_plain();
        let (sign, plain) = plain
            .strip_prefix('-')
            .map_or(("", plain.as_str()), |p| ("-", p));
        let (whole, fraction) = plain.split_once('.').unwrap_or((plain, "00"));
        let grouped = if self.code == "INR" {
            group_indian(whole)
        } else {
            group_thousands(whole)
        };
        format!("{sign}{}{grouped}.{fraction}", self.symbol)
    }
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn group_indian(digits: &str) -> String {
    if digits.len() <= 3 {
        return digits.to_owned();
    }
    let (head, last3) = digits.split_at(digits.len() - 3);
    let mut out = String::new();
    for (i, c) in head.chars().enumerate() {
        if i > 0 && (head.len() - i).is_multiple_of(2) {
            out.push(',');
        }
        out.push(c);
    }
    out.push(',');
    out.push_str(last3);
    out
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_become_minor_units() {
        for (text, minor) in [
            ("12", 1200),
            ("12.5", 1250),
            ("12.05", 1205),
            (".5", 50),
            ("₹ 1,234.00", 123_400),
            ("0", 0),
        ] {
            assert_eq!(Money::parse(text), Ok(Money::from_minor(minor)), "{text}");
        }
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse("abc"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse("1.2.3"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse("1.234"), Err(MoneyError::TooPrecise));
        assert_eq!(Money::parse("-5"), Err(MoneyError::Negative));
        assert_eq!(
            Money::parse("99999999999999999999999"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(Money::parse("100000000001"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn rupees_group_the_indian_way_and_dollars_in_thousands() {
        let inr = Currency::default();
        assert_eq!(inr.format(Money::from_minor(12_345_678)), "₹1,23,456.78");
        assert_eq!(inr.format(Money::from_minor(99_900)), "₹999.00");
        assert_eq!(inr.format(Money::from_minor(-150)), "-₹1.50");
        let usd = Currency {
            code: "USD".into(),
            symbol: "$".into(),
        };
        assert_eq!(usd.format(Money::from_minor(12_345_678)), "$123,456.78");
        assert_eq!(usd.format(Money::ZERO), "$0.00");
    }
}
