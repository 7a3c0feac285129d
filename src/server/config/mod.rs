//! Configuration from environment variables (a `.env` file is read in development), parsed
//! once at start-up from the table in [`settings`]: every problem is reported together, and
//! secrets never print.

mod database_url;
mod parse;
pub mod settings;

pub use database_url::DatabaseUrl;

use crate::domain::{Currency, Email, Password};
use crate::server::zone::ShopZone;
use settings::Setting;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the server reads from its environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://…` (default `sqlite://data/stockroom.db`) or `postgres://…`; prints masked.
    pub database_url: DatabaseUrl,
    pub database_max_connections: Option<u32>,
    /// How long a request waits for a pooled (or new) connection before it fails.
    pub database_acquire_timeout: Duration,
    /// A pooled connection unused this long is closed.
    pub database_idle_timeout: Duration,
    /// A pooled connection is replaced at this age (fail-overs, rotated credentials).
    pub database_max_lifetime: Duration,
    /// `LISTEN_ADDR`, else `LEPTOS_SITE_ADDR`, else `127.0.0.1:3000`.
    pub listen_addr: SocketAddr,
    /// `LEPTOS_SITE_ADDR`, as cargo-leptos sets it (already followed by `listen_addr`).
    pub leptos_site_addr: Option<SocketAddr>,
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
    /// `SHOP_TIMEZONE`: the zone every date and time people see or type is in.
    pub zone: ShopZone,
    /// Whether the session cookie is marked `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    pub session_idle: Duration,
    pub session_max_age: Duration,
    /// The first manager, created at start-up when no account exists yet. [`Password`] never
    /// prints.
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
        use settings::*;
        let mut env = Reader {
            lookup: &lookup,
            problems: Vec::new(),
        };
        // Every setting is read before any is used, so that every problem is noted.
        let database_url = env.read(&DATABASE_URL);
        let database_max_connections = env.read(&DATABASE_MAX_CONNECTIONS);
        let database_acquire_timeout = env.read(&DATABASE_ACQUIRE_TIMEOUT_SECONDS);
        let database_idle_timeout = env.read(&DATABASE_IDLE_TIMEOUT_SECONDS);
        let database_max_lifetime = env.read(&DATABASE_MAX_LIFETIME_SECONDS);
        let listen_addr = env.read(&LISTEN_ADDR);
        let leptos_site_addr = env.read(&LEPTOS_SITE_ADDR);
        let log_format = env.read(&LOG_FORMAT);
        let log_dir = env.read(&LOG_DIR);
        let log_max_files = env.read(&LOG_MAX_FILES);
        let shutdown_timeout = env.read(&SHUTDOWN_TIMEOUT_SECONDS);
        let header_read_timeout = env.read(&HEADER_READ_TIMEOUT_SECONDS);
        let request_body_timeout = env.read(&REQUEST_BODY_TIMEOUT_SECONDS);
        let shop_name = env.read(&SHOP_NAME);
        let currency_code = env.read(&CURRENCY);
        let currency_symbol = env.read(&CURRENCY_SYMBOL);
        let tax_rate_bp = env.read(&TAX_RATE);
        let zone = env.read(&SHOP_TIMEZONE);
        let cookie_secure = env.read(&COOKIE_SECURE);
        let public_url = env.read(&PUBLIC_URL);
        let session_idle = env.read(&SESSION_IDLE_MINUTES);
        let session_max_age = env.read(&SESSION_MAX_DAYS);
        let admin_email = env.read(&STOCKROOM_ADMIN_EMAIL);
        let admin_password = env.read(&STOCKROOM_ADMIN_PASSWORD);
        let test_routes = env.read(&STOCKROOM_TEST_ROUTES);
        if env.is_set(&STOCKROOM_ADMIN_EMAIL) != env.is_set(&STOCKROOM_ADMIN_PASSWORD) {
            env.problems.push(
                "STOCKROOM_ADMIN_EMAIL and STOCKROOM_ADMIN_PASSWORD go together: set both or neither"
                    .into(),
            );
        }
        let listen_set = env.is_set(&LISTEN_ADDR);
        let problems = env.problems;
        // A value is `None` exactly when its problem was noted, so this builds a configuration
        // whenever there are no problems.
        let config = (move || {
            let currency_code = currency_code?;
            let leptos_site_addr = leptos_site_addr?;
            Some(Self {
                database_url: database_url?,
                database_max_connections: database_max_connections?,
                database_acquire_timeout: database_acquire_timeout?,
                database_idle_timeout: database_idle_timeout?,
                database_max_lifetime: database_max_lifetime?,
                listen_addr: match (listen_set, leptos_site_addr) {
                    (false, Some(site)) => site,
                    _ => listen_addr?,
                },
                leptos_site_addr,
                log_format: log_format?,
                log_dir: log_dir?,
                log_max_files: log_max_files?,
                shutdown_timeout: shutdown_timeout?,
                header_read_timeout: header_read_timeout?,
                request_body_timeout: request_body_timeout?,
                test_routes: test_routes?,
                shop_name: shop_name?,
                currency: Currency {
                    symbol: currency_symbol?
                        .unwrap_or_else(|| parse::default_symbol(&currency_code)),
                    code: currency_code,
                },
                tax_rate_bp: tax_rate_bp?,
                zone: zone?,
                cookie_secure: cookie_secure?,
                session_idle: session_idle?,
                session_max_age: session_max_age?,
                admin: admin_email?.zip(admin_password?),
                public_url: public_url?,
            })
        })();
        match config {
            Some(config) if problems.is_empty() => Ok(config),
            _ => Err(ConfigError(problems)),
        }
    }
}

/// Reads settings through a lookup, noting every problem on the way.
struct Reader<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<String>,
}

impl Reader<'_> {
    fn is_set<T>(&self, setting: &Setting<T>) -> bool {
        (self.lookup)(setting.about.name).is_some()
    }

    /// The setting's value, from the environment or else its default; `None` when the text does
    /// not parse, with the problem noted.
    fn read<T>(&mut self, setting: &Setting<T>) -> Option<T> {
        let name = setting.about.name;
        let text = (self.lookup)(name).unwrap_or_else(|| setting.about.default.to_owned());
        (setting.parse)(&text)
            .map_err(|why| self.problems.push(format!("{name}: {why}")))
            .ok()
    }
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
        assert_eq!(c.zone.name(), "Asia/Kolkata");
    }

    #[test]
    fn the_shop_timezone_is_an_iana_name_and_an_unknown_one_is_named() {
        let c = config(&[("SHOP_TIMEZONE", "America/New_York")]).unwrap();
        assert_eq!(c.zone.name(), "America/New_York");
        let text = config(&[("SHOP_TIMEZONE", "Asia/Bangalore")])
            .unwrap_err()
            .to_string();
        assert!(
            text.contains(r#"SHOP_TIMEZONE: unknown time zone "Asia/Bangalore""#),
            "{text}"
        );
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
        // Unset, the pool's size is the database's own default (Backend::default_pool_size).
        assert_eq!(c.database_max_connections, None);
        assert_eq!(
            config(&[("DATABASE_MAX_CONNECTIONS", "3")])
                .unwrap()
                .database_max_connections,
            Some(3)
        );
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
            ("DATABASE_MAX_CONNECTIONS", "ten"),
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
            "DATABASE_MAX_CONNECTIONS",
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
    fn printing_the_configuration_shows_no_password() {
        let c = config(&[
            ("DATABASE_URL", "postgres://u:s3cret@h/db"),
            ("STOCKROOM_ADMIN_EMAIL", "boss@shop.in"),
            ("STOCKROOM_ADMIN_PASSWORD", "correct-horse-9"),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(printed.contains("postgres://u:***@h/db"), "{printed}");
        for secret in ["s3cret", "correct-horse-9"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert_eq!(c.database_url.expose(), "postgres://u:s3cret@h/db");
    }

    #[test]
    fn cargo_leptos_site_addr_is_the_listen_address_unless_listen_addr_is_set() {
        let c = config(&[("LEPTOS_SITE_ADDR", "127.0.0.1:3005")]).unwrap();
        assert_eq!(c.listen_addr.to_string(), "127.0.0.1:3005");
        let c = config(&[
            ("LEPTOS_SITE_ADDR", "127.0.0.1:3005"),
            ("LISTEN_ADDR", "0.0.0.0:8000"),
        ])
        .unwrap();
        assert_eq!(c.listen_addr.to_string(), "0.0.0.0:8000");
        let text = config(&[("LEPTOS_SITE_ADDR", "anywhere")])
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("LEPTOS_SITE_ADDR: expected HOST:PORT"),
            "{text}"
        );
    }

    #[test]
    fn a_currency_without_a_symbol_gets_its_usual_one() {
        let c = config(&[("CURRENCY", "EUR")]).unwrap();
        assert_eq!(
            (c.currency.code.as_str(), c.currency.symbol.as_str()),
            ("EUR", "€")
        );
        let c = config(&[("CURRENCY", "EUR"), ("CURRENCY_SYMBOL", "EUR ")]).unwrap();
        assert_eq!(c.currency.symbol, "EUR ");
    }
}
