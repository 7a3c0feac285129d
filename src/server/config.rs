//! Configuration from environment variables (a `.env` file is read in development), validated
//! once at start-up: every problem is reported together, and secrets never print.

use crate::domain::{Currency, Email, Password};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the server reads from its environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://…` (default `sqlite://data/stockroom.db`) or `postgres://…`.
    pub database_url: String,
    pub database_max_connections: u32,
    /// How long a request waits for a pooled (or new) connection before it fails.
    pub database_acquire_timeout: Duration,
    /// A pooled connection unused this long is closed.
    pub database_idle_timeout: Duration,
    /// A pooled connection is replaced at this age (fail-overs, rotated credentials).
    pub database_max_lifetime: Duration,
    pub listen_addr: SocketAddr,
    pub log_format: LogFormat,
    /// When set, logs also go to daily files here (`/var/log/server` in the container).
    pub log_dir: Option<PathBuf>,
    /// How many daily log files `log_dir` keeps.
    pub log_max_files: usize,
    /// After SIGTERM, how long in-flight requests may take before the process exits anyway.
    pub shutdown_timeout: Duration,
    /// How long a client has to send a request's head (line and headers); also how long an
    /// idle keep-alive connection is kept. Stalled or silent connections are closed after it.
    pub header_read_timeout: Duration,
    /// How long a client has to send a request's body once its head has arrived.
    pub request_body_timeout: Duration,
    /// Routes for rehearsals and tests only (`/__test/slow`); the image never sets this.
    pub test_routes: bool,
    pub shop_name: String,
    pub currency: Currency,
    /// Tax in basis points (1800 = 18%).
    pub tax_rate_bp: u32,
    /// Whether the session cookie is marked `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    pub session_idle: Duration,
    pub session_max_age: Duration,
    /// The first manager, created at start-up when no account exists yet.
    pub admin: Option<(Email, Password)>,
    /// `PUBLIC_URL`: the address people open (`https://shop.example`), the only origin allowed
    /// to change things; unset, a request's own `Host` is trusted instead.
    pub public_url: Option<String>,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// For people at a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The problems found in the environment, one per line.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let mut parse = |key: &str, default: &str, check: &dyn Fn(&str) -> Result<(), String>| {
            let value = lookup(key).unwrap_or_else(|| default.to_owned());
            if let Err(why) = check(&value) {
                problems.push(format!("{key}: {why}"));
            }
            value
        };
        let number = |v: &str| {
            v.trim()
                .parse::<u64>()
                .map(drop)
                .map_err(|_| format!("expected a whole number, got {v:?}"))
        };
        let database_url = parse(
            "DATABASE_URL",
            "sqlite://data/stockroom.db",
            &check_database_url,
        );
        let max_conn = parse("DATABASE_MAX_CONNECTIONS", "10", &number);
        let listen = parse("LISTEN_ADDR", "127.0.0.1:3000", &|v| {
            v.parse::<SocketAddr>()
                .map(drop)
                .map_err(|_| format!("expected HOST:PORT such as 0.0.0.0:8000, got {v:?}"))
        });
        let log_format = parse("LOG_FORMAT", "pretty", &|v| match v {
            "pretty" | "json" => Ok(()),
            _ => Err(format!("expected pretty or json, got {v:?}")),
        });
        // Operations: pool timeouts, log files, shutdown.
        let positive = |v: &str| match v.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(()),
            _ => Err(format!("expected a whole number above 0, got {v:?}")),
        };
        let acquire = parse("DATABASE_ACQUIRE_TIMEOUT_SECONDS", "5", &positive);
        let pool_idle = parse("DATABASE_IDLE_TIMEOUT_SECONDS", "600", &positive);
        let lifetime = parse("DATABASE_MAX_LIFETIME_SECONDS", "1800", &positive);
        let log_dir = parse("LOG_DIR", "", &|_| Ok(()));
        let log_files = parse("LOG_MAX_FILES", "7", &positive);
        let shutdown = parse("SHUTDOWN_TIMEOUT_SECONDS", "8", &number);
        let header_read = parse("HEADER_READ_TIMEOUT_SECONDS", "30", &positive);
        let body_read = parse("REQUEST_BODY_TIMEOUT_SECONDS", "30", &positive);
        let test_routes = parse("STOCKROOM_TEST_ROUTES", "false", &|v| {
            parse_bool(v).map(drop)
        });
        let currency_code = parse("CURRENCY", "INR", &|v| {
            if v.len() == 3 && v.chars().all(|c| c.is_ascii_uppercase()) {
                Ok(())
            } else {
                Err(format!(
                    "expected a three-letter ISO code such as INR, got {v:?}"
                ))
            }
        });
        let tax = parse("TAX_RATE", "0", &|v| parse_percent_bp(v).map(drop));
        let cookie_secure = parse("COOKIE_SECURE", "false", &|v| parse_bool(v).map(drop));
        let idle = parse("SESSION_IDLE_MINUTES", "720", &number);
        let max_age = parse("SESSION_MAX_DAYS", "7", &number);
        let shop_name = lookup("SHOP_NAME").unwrap_or_else(|| "Stockroom".into());
        let symbol = lookup("CURRENCY_SYMBOL").unwrap_or_else(|| default_symbol(&currency_code));

        let admin = match (
            lookup("STOCKROOM_ADMIN_EMAIL"),
            lookup("STOCKROOM_ADMIN_PASSWORD"),
        ) {
            (None, None) => None,
            (Some(email), Some(password)) => {
                let email = Email::parse(&email).map_err(|e| format!("STOCKROOM_ADMIN_EMAIL: {e}"));
                let password = Password::parse(&password)
                    .map_err(|e| format!("STOCKROOM_ADMIN_PASSWORD: {e}"));
                match (email, password) {
                    (Ok(email), Ok(password)) => Some((email, password)),
                    (email, password) => {
                        problems.extend(email.err());
                        problems.extend(password.err());
                        None
                    }
                }
            }
            _ => {
                problems.push("STOCKROOM_ADMIN_EMAIL and STOCKROOM_ADMIN_PASSWORD go together: set both or neither".into());
                None
            }
        };

        let public_url = lookup("PUBLIC_URL").map(|v| v.trim().trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            let ok = url.parse::<http::Uri>().is_ok_and(|u| {
                matches!(u.scheme_str(), Some("http" | "https"))
                    && u.authority().is_some()
                    && matches!(u.path(), "" | "/")
            });
            if !ok {
                problems.push(format!(
                    "PUBLIC_URL: expected the address people open, such as https://shop.example, got {url:?}"
                ));
            }
        }

        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        // Every value below was checked above.
        let int = |v: &str| v.trim().parse::<u64>().unwrap_or_default();
        Ok(Self {
            database_url,
            database_max_connections: u32::try_from(int(&max_conn)).unwrap_or(u32::MAX).max(1),
            database_acquire_timeout: Duration::from_secs(int(&acquire)),
            database_idle_timeout: Duration::from_secs(int(&pool_idle)),
            database_max_lifetime: Duration::from_secs(int(&lifetime)),
            listen_addr: listen.parse().expect("checked above"),
            log_format: if log_format == "json" {
                LogFormat::Json
            } else {
                LogFormat::Pretty
            },
            log_dir: (!log_dir.is_empty()).then(|| PathBuf::from(log_dir)),
            log_max_files: usize::try_from(int(&log_files)).unwrap_or(usize::MAX),
            shutdown_timeout: Duration::from_secs(int(&shutdown)),
            header_read_timeout: Duration::from_secs(int(&header_read)),
            request_body_timeout: Duration::from_secs(int(&body_read)),
            test_routes: parse_bool(&test_routes).unwrap_or_default(),
            shop_name,
            currency: Currency {
                code: currency_code,
                symbol,
            },
            tax_rate_bp: parse_percent_bp(&tax).unwrap_or_default(),
            cookie_secure: parse_bool(&cookie_secure).unwrap_or_default(),
            session_idle: Duration::from_secs(int(&idle).saturating_mul(60).max(60)),
            session_max_age: Duration::from_secs(int(&max_age).saturating_mul(86_400).max(3_600)),
            admin,
            public_url,
        })
    }
}

/// PostgreSQL's `sslmode` values, as libpq and sqlx know them.
const SSL_MODES: [&str; 6] = [
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

/// `sqlite:…`, or `postgres://…` whose TLS parameters sqlx will accept: a known `sslmode` and
/// an `sslrootcert` that is a file (the RDS CA bundle, for `verify-full`).
fn check_database_url(v: &str) -> Result<(), String> {
    if v.starts_with("sqlite:") {
        return Ok(());
    }
    if !(v.starts_with("postgres://") || v.starts_with("postgresql://")) {
        return Err("expected sqlite://PATH or postgres://USER@HOST/DB".into());
    }
    let url = url::Url::parse(v).map_err(|e| format!("not a valid URL: {e}"))?;
    let mut problems = Vec::new();
    for (key, value) in url.query_pairs() {
        match &*key {
            "sslmode" | "ssl-mode" if !SSL_MODES.contains(&&*value) => problems.push(format!(
                "sslmode={value} is not one of {}",
                SSL_MODES.join(", ")
            )),
            "sslrootcert" | "ssl-root-cert" | "ssl-ca"
                if !std::path::Path::new(&*value).is_file() =>
            {
                problems.push(format!("sslrootcert={value} is not a file"));
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

fn default_symbol(code: &str) -> String {
    match code {
        "INR" => "₹".into(),
        "USD" | "AUD" | "CAD" | "SGD" => "$".into(),
        "EUR" => "€".into(),
        "GBP" => "£".into(),
        other => format!("{other} "),
    }
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got {v:?}")),
    }
}

/// "18" or "5.5" percent, as basis points; at most 100%.
fn parse_percent_bp(v: &str) -> Result<u32, String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn an_empty_environment_gives_a_working_sqlite_shop_in_rupees() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/stockroom.db");
        assert_eq!(c.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.currency, Currency::default());
        assert_eq!(c.tax_rate_bp, 0);
        assert!(c.admin.is_none());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = config(&[
            ("DATABASE_URL", "mysql://x"),
            ("LISTEN_ADDR", "nowhere"),
            ("TAX_RATE", "150"),
            ("STOCKROOM_ADMIN_EMAIL", "boss@shop.in"),
        ])
        .unwrap_err();
        let text = err.to_string();
        for key in [
            "DATABASE_URL",
            "LISTEN_ADDR",
            "TAX_RATE",
            "STOCKROOM_ADMIN_EMAIL and STOCKROOM_ADMIN_PASSWORD",
        ] {
            assert!(text.contains(key), "{key} missing from {text}");
        }
    }

    #[test]
    fn the_admin_password_is_checked_and_never_printed() {
        let err = config(&[
            ("STOCKROOM_ADMIN_EMAIL", "boss@shop.in"),
            ("STOCKROOM_ADMIN_PASSWORD", "short"),
        ])
        .unwrap_err();
        assert!(err
            .to_string()
            .contains("STOCKROOM_ADMIN_PASSWORD: Use at least"));
        let ok = config(&[
            ("STOCKROOM_ADMIN_EMAIL", "boss@shop.in"),
            ("STOCKROOM_ADMIN_PASSWORD", "correct-horse-9"),
        ])
        .unwrap();
        assert!(!format!("{ok:?}").contains("correct-horse-9"));
    }

    #[test]
    fn operations_settings_have_container_friendly_defaults_and_are_checked() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_acquire_timeout, Duration::from_secs(5));
        assert_eq!(c.shutdown_timeout, Duration::from_secs(8));
        assert_eq!(c.header_read_timeout, Duration::from_secs(30));
        assert_eq!(c.request_body_timeout, Duration::from_secs(30));
        assert_eq!(c.log_dir, None);
        assert_eq!(c.log_max_files, 7);
        assert!(!c.test_routes);
        let c = config(&[
            ("LOG_DIR", "/var/log/server"),
            ("SHUTDOWN_TIMEOUT_SECONDS", "0"),
        ])
        .unwrap();
        assert_eq!(c.log_dir, Some(PathBuf::from("/var/log/server")));
        assert_eq!(c.shutdown_timeout, Duration::ZERO);
        let text = config(&[
            ("DATABASE_ACQUIRE_TIMEOUT_SECONDS", "0"),
            ("LOG_MAX_FILES", "many"),
            ("SHUTDOWN_TIMEOUT_SECONDS", "-1"),
            ("HEADER_READ_TIMEOUT_SECONDS", "0"),
            ("REQUEST_BODY_TIMEOUT_SECONDS", "forever"),
            ("STOCKROOM_TEST_ROUTES", "maybe"),
        ])
        .unwrap_err()
        .to_string();
        for key in [
            "DATABASE_ACQUIRE_TIMEOUT_SECONDS",
            "LOG_MAX_FILES",
            "SHUTDOWN_TIMEOUT_SECONDS",
            "HEADER_READ_TIMEOUT_SECONDS",
            "REQUEST_BODY_TIMEOUT_SECONDS",
            "STOCKROOM_TEST_ROUTES",
        ] {
            assert!(text.contains(key), "{key} missing from {text}");
        }
    }

    #[test]
    fn the_public_url_is_an_origin() {
        let c = config(&[("PUBLIC_URL", "https://shop.example/")]).unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://shop.example"));
        assert!(config(&[]).unwrap().public_url.is_none());
        for bad in [
            "shop.example",
            "ftp://shop.example",
            "https://shop.example/app",
        ] {
            assert!(config(&[("PUBLIC_URL", bad)]).is_err(), "{bad}");
        }
    }

    #[test]
    fn postgres_tls_parameters_are_checked_before_connecting() {
        assert!(check_database_url("postgres://u:p@db/shop?sslmode=require").is_ok());
        assert!(check_database_url("postgresql://u@db/shop").is_ok());
        let bad = check_database_url(
            "postgres://u:secret@db/shop?sslmode=verify-everything&sslrootcert=/no/such.pem",
        )
        .unwrap_err();
        assert!(bad.contains("sslmode=verify-everything"), "{bad}");
        assert!(
            bad.contains("sslrootcert=/no/such.pem is not a file"),
            "{bad}"
        );
        assert!(!bad.contains("secret"), "{bad}");
        let bundle = std::env::temp_dir().join(format!("rds-ca-{}.pem", std::process::id()));
        std::fs::write(&bundle, "-----BEGIN CERTIFICATE-----\n").unwrap();
        let url = format!(
            "postgres://u@db/shop?sslmode=verify-full&sslrootcert={}",
            bundle.display()
        );
        assert!(check_database_url(&url).is_ok());
        std::fs::remove_file(bundle).unwrap();
    }

    #[test]
    fn tax_rates_are_percentages_kept_as_basis_points() {
        assert_eq!(parse_percent_bp("18"), Ok(1800));
        assert_eq!(parse_percent_bp("5.5%"), Ok(550));
        assert_eq!(parse_percent_bp("12.25"), Ok(1225));
        assert!(parse_percent_bp("12.345").is_err());
        assert!(parse_percent_bp("-1").is_err());
    }
}
