//! How a variable's text becomes a typed value, with the message an operator reads when it does
//! not. An empty text is an unset variable (`from_env` treats blank values as unset too).

use super::LogFormat;
use crate::domain::{Email, Password};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// `0`, `8`, `600`.
pub(super) fn whole(v: &str) -> Result<u64, String> {
    v.trim()
        .parse::<u64>()
        .map_err(|_| format!("expected a whole number, got {v:?}"))
}

/// `1`, `5`, `600`: for limits where 0 would mean "never works".
pub(super) fn positive(v: &str) -> Result<u64, String> {
    match v.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("expected a whole number above 0, got {v:?}")),
    }
}

pub(super) fn seconds(v: &str) -> Result<Duration, String> {
    whole(v).map(Duration::from_secs)
}

pub(super) fn positive_seconds(v: &str) -> Result<Duration, String> {
    positive(v).map(Duration::from_secs)
}

/// Minutes, at least one.
pub(super) fn minutes(v: &str) -> Result<Duration, String> {
    whole(v).map(|n| Duration::from_secs(n.saturating_mul(60).max(60)))
}

/// Days, at least an hour's worth.
pub(super) fn days(v: &str) -> Result<Duration, String> {
    whole(v).map(|n| Duration::from_secs(n.saturating_mul(86_400).max(3_600)))
}

/// A pool of at least one connection.
pub(super) fn connections(v: &str) -> Result<u32, String> {
    whole(v).map(|n| u32::try_from(n).unwrap_or(u32::MAX).max(1))
}

pub(super) fn optional_connections(v: &str) -> Result<Option<u32>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    connections(v).map(Some)
}

pub(super) fn count(v: &str) -> Result<usize, String> {
    positive(v).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

pub(super) fn flag(v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got {v:?}")),
    }
}

pub(super) fn text(v: &str) -> Result<String, String> {
    Ok(v.to_owned())
}

/// Unset is `None`.
pub(super) fn optional_text(v: &str) -> Result<Option<String>, String> {
    Ok((!v.is_empty()).then(|| v.to_owned()))
}

pub(super) fn optional_path(v: &str) -> Result<Option<PathBuf>, String> {
    Ok((!v.is_empty()).then(|| PathBuf::from(v)))
}

pub(super) fn socket_addr(v: &str) -> Result<SocketAddr, String> {
    v.parse::<SocketAddr>()
        .map_err(|_| format!("expected HOST:PORT such as 0.0.0.0:8000, got {v:?}"))
}

pub(super) fn optional_socket_addr(v: &str) -> Result<Option<SocketAddr>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    socket_addr(v).map(Some)
}

pub(super) fn log_format(v: &str) -> Result<LogFormat, String> {
    match v {
        "pretty" => Ok(LogFormat::Pretty),
        "json" => Ok(LogFormat::Json),
        _ => Err(format!("expected pretty or json, got {v:?}")),
    }
}

pub(super) fn currency_code(v: &str) -> Result<String, String> {
    if v.len() == 3 && v.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(v.to_owned())
    } else {
        Err(format!(
            "expected a three-letter ISO code such as INR, got {v:?}"
        ))
    }
}

/// The symbol people expect for a currency code, when `CURRENCY_SYMBOL` does not say.
pub(super) fn default_symbol(code: &str) -> String {
    match code {
        "INR" => "₹".into(),
        "USD" | "AUD" | "CAD" | "SGD" => "$".into(),
        "EUR" => "€".into(),
        "GBP" => "£".into(),
        other => format!("{other} "),
    }
}

/// "18" or "5.5" percent, as basis points; at most 100%.
pub(super) fn parse_percent_bp(v: &str) -> Result<u32, String> {
    let v = v.trim().trim_end_matches('%');
    let (whole, fraction) = v.split_once('.').unwrap_or((v, ""));
    let err =
        || format!("expected a percentage between 0 and 100 with at most two decimals, got {v:?}");
    if fraction.len() > 2 || whole.is_empty() {
        return Err(err());
    }
    let whole: u32 = whole.parse().map_err(|_| err())?;
    let fraction: u32 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<2}").parse().map_err(|_| err())?
    };
    let bp = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(err)?;
    if bp > 10_000 {
        return Err(err());
    }
    Ok(bp)
}

/// The address people open, as an origin without a trailing slash: `https://shop.example`.
pub(super) fn public_url(v: &str) -> Result<Option<String>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    let url = v.trim().trim_end_matches('/').to_owned();
    let ok = url.parse::<http::Uri>().is_ok_and(|u| {
        matches!(u.scheme_str(), Some("http" | "https"))
            && u.authority().is_some()
            && matches!(u.path(), "" | "/")
    });
    if ok {
        Ok(Some(url))
    } else {
        Err(format!(
            "expected the address people open, such as https://shop.example, got {url:?}"
        ))
    }
}

pub(super) fn optional_email(v: &str) -> Result<Option<Email>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    Email::parse(v).map(Some).map_err(|e| e.to_string())
}

/// The password's own rules (length, variety); the strength check needs the account's names
/// and runs when the manager is created.
pub(super) fn optional_password(v: &str) -> Result<Option<Password>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    Password::parse(v).map(Some).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_rates_are_percentages_kept_as_basis_points() {
        assert_eq!(parse_percent_bp("18"), Ok(1800));
        assert_eq!(parse_percent_bp("5.5%"), Ok(550));
        assert_eq!(parse_percent_bp("12.25"), Ok(1225));
        assert!(parse_percent_bp("12.345").is_err());
        assert!(parse_percent_bp("-1").is_err());
    }
}
