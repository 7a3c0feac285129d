//! Every environment variable the server reads, declared once: its name, what an unset one
//! means, how its text is parsed, and one line on what it does. [`Config::from_lookup`] parses
//! from these, `check-config` prints from [`SETTINGS`], and a test holds README's
//! "Configuration" table to it.

use super::database_url::DatabaseUrl;
use super::parse::*;
use super::{Config, LogFormat};
use crate::domain::{Email, Password};
use crate::server::storage::Backend;
use crate::server::zone::ShopZone;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// What every setting tells about itself: one row of README's table and of `check-config`.
#[derive(Clone, Copy)]
pub struct About {
    pub name: &'static str,
    /// The text an unset variable stands for; empty for "nothing" (README shows `—`).
    pub default: &'static str,
    /// What it does, as README's table says it.
    pub doc: &'static str,
    /// Its effective value for `check-config`, secrets masked; `None` for a variable that is
    /// read beside the configuration (by the allocator, the log filter or Leptos).
    pub show: Option<fn(&Config) -> String>,
}

/// A variable [`Config::from_lookup`] parses into a `T`.
pub struct Setting<T> {
    pub about: About,
    pub(super) parse: fn(&str) -> Result<T, String>,
}

impl<T> Setting<T> {
    const fn new(
        name: &'static str,
        default: &'static str,
        doc: &'static str,
        parse: fn(&str) -> Result<T, String>,
        show: fn(&Config) -> String,
    ) -> Self {
        let about = About {
            name,
            default,
            doc,
            show: Some(show),
        };
        Self { about, parse }
    }
}

impl About {
    /// A variable something else reads, listed so that the README and the table agree.
    const fn read_elsewhere(name: &'static str, default: &'static str, doc: &'static str) -> Self {
        Self {
            name,
            default,
            doc,
            show: None,
        }
    }

    /// This setting as a row of README's configuration table.
    pub fn readme_row(&self) -> String {
        let default = match self.default {
            "" => "—".to_owned(),
            value => format!("`{value}`"),
        };
        format!("| `{}` | {default} | {} |", self.name, self.doc)
    }
}

fn secs(d: Duration) -> String {
    d.as_secs().to_string()
}

fn set_or(value: Option<String>, unset: &str) -> String {
    value.unwrap_or_else(|| unset.to_owned())
}

pub const DATABASE_URL: Setting<DatabaseUrl> = Setting::new(
    "DATABASE_URL",
    "sqlite://data/stockroom.db",
    "`sqlite://PATH` (created if missing; WAL mode) or `postgres://USER:PASS@HOST/DB` (`?sslmode=require` for TLS)",
    DatabaseUrl::parse,
    |c| c.database_url.to_string(),
);
pub const DATABASE_MAX_CONNECTIONS: Setting<Option<u32>> = Setting::new(
    "DATABASE_MAX_CONNECTIONS",
    "",
    "pool size; unset, 4 on SQLite (one writer at a time, a page cache per connection) and 10 on PostgreSQL",
    optional_connections,
    |c| match c.database_max_connections {
        Some(n) => n.to_string(),
        None => format!(
            "(not set: {} on SQLite, {} on PostgreSQL)",
            Backend::Sqlite.default_pool_size(),
            Backend::Postgres.default_pool_size()
        ),
    },
);
pub const DATABASE_ACQUIRE_TIMEOUT_SECONDS: Setting<Duration> = Setting::new(
    "DATABASE_ACQUIRE_TIMEOUT_SECONDS",
    "5",
    "how long a request waits for a database connection",
    positive_seconds,
    |c| secs(c.database_acquire_timeout),
);
pub const DATABASE_IDLE_TIMEOUT_SECONDS: Setting<Duration> = Setting::new(
    "DATABASE_IDLE_TIMEOUT_SECONDS",
    "600",
    "pooled connections are closed when idle this long",
    positive_seconds,
    |c| secs(c.database_idle_timeout),
);
pub const DATABASE_MAX_LIFETIME_SECONDS: Setting<Duration> = Setting::new(
    "DATABASE_MAX_LIFETIME_SECONDS",
    "1800",
    "pooled connections are replaced at this age",
    positive_seconds,
    |c| secs(c.database_max_lifetime),
);
pub const LISTEN_ADDR: Setting<SocketAddr> = Setting::new(
    "LISTEN_ADDR",
    "127.0.0.1:3000",
    "address to serve on (`0.0.0.0:8000` in the container); wins over `LEPTOS_SITE_ADDR`",
    socket_addr,
    |c| c.listen_addr.to_string(),
);
pub const LEPTOS_SITE_ADDR: Setting<Option<SocketAddr>> = Setting::new(
    "LEPTOS_SITE_ADDR",
    "",
    "the address to serve on when `LISTEN_ADDR` is unset (`cargo leptos watch` and `serve` set it)",
    optional_socket_addr,
    |c| set_or(c.leptos_site_addr.map(|a| a.to_string()), "(not set)"),
);
pub const LOG_FORMAT: Setting<LogFormat> = Setting::new(
    "LOG_FORMAT",
    "pretty",
    "`pretty` or `json`",
    log_format,
    |c| match c.log_format {
        LogFormat::Json => "json".into(),
        LogFormat::Pretty => "pretty".into(),
    },
);
pub const LOG_DIR: Setting<Option<PathBuf>> = Setting::new(
    "LOG_DIR",
    "",
    "also write daily log files here (`/var/log/server` in the container)",
    optional_path,
    |c| {
        let dir = c.log_dir.as_ref().map(|d| d.display().to_string());
        set_or(dir, "(not set: stdout only)")
    },
);
pub const LOG_MAX_FILES: Setting<usize> = Setting::new(
    "LOG_MAX_FILES",
    "7",
    "how many daily log files `LOG_DIR` keeps",
    count,
    |c| c.log_max_files.to_string(),
);
pub const SHUTDOWN_TIMEOUT_SECONDS: Setting<Duration> = Setting::new(
    "SHUTDOWN_TIMEOUT_SECONDS",
    "8",
    "after SIGTERM, how long in-flight requests may take before the process exits anyway",
    seconds,
    |c| secs(c.shutdown_timeout),
);
pub const HEADER_READ_TIMEOUT_SECONDS: Setting<Duration> = Setting::new(
    "HEADER_READ_TIMEOUT_SECONDS",
    "30",
    "a client must send a request's head within this; idle keep-alive connections close after it too",
    positive_seconds,
    |c| secs(c.header_read_timeout),
);
pub const REQUEST_BODY_TIMEOUT_SECONDS: Setting<Duration> = Setting::new(
    "REQUEST_BODY_TIMEOUT_SECONDS",
    "30",
    "a client must send a request's body within this (then 408)",
    positive_seconds,
    |c| secs(c.request_body_timeout),
);
pub const MIMALLOC_ALLOW_THP: About = About::read_elsewhere(
    "MIMALLOC_ALLOW_THP",
    "1",
    "the binary never asks for transparent huge pages (with them the peak was ~20 MB higher); 0 also refuses them where the host gives them unasked (THP `always`)",
);
pub const RUST_LOG: About =
    About::read_elsewhere("RUST_LOG", "info", "log filter (`tracing` syntax)");
pub const SHOP_NAME: Setting<String> = Setting::new(
    "SHOP_NAME",
    "Stockroom",
    "shown in the top bar",
    text,
    |c| c.shop_name.clone(),
);
pub const CURRENCY: Setting<String> = Setting::new(
    "CURRENCY",
    "INR",
    "ISO code; amounts show with 2 decimals",
    currency_code,
    |c| c.currency.code.clone(),
);
pub const CURRENCY_SYMBOL: Setting<Option<String>> = Setting::new(
    "CURRENCY_SYMBOL",
    "",
    "the currency's symbol; unset, the usual one for `CURRENCY` (`₹` for INR, `$`, `€`, `£`), else the code",
    optional_text,
    |c| c.currency.symbol.clone(),
);
pub const TAX_RATE: Setting<u32> = Setting::new(
    "TAX_RATE",
    "0",
    "percent, up to two decimals (`18`, `5.5`)",
    parse_percent_bp,
    |c| format!("{}.{:02}%", c.tax_rate_bp / 100, c.tax_rate_bp % 100),
);
pub const SHOP_TIMEZONE: Setting<ShopZone> = Setting::new(
    "SHOP_TIMEZONE",
    crate::server::zone::DEFAULT_ZONE,
    "the shop's time zone, an IANA name (`Europe/Berlin`, `America/New_York`, `UTC`): every date and time shown or typed — bill times, today, days left, date filters, the dashboard's days and months, PDFs — is in it; an unknown name stops the server",
    ShopZone::named,
    |c| c.zone.name().to_owned(),
);
pub const COOKIE_SECURE: Setting<bool> = Setting::new(
    "COOKIE_SECURE",
    "false",
    "mark the session cookie `Secure` (set it when served over HTTPS)",
    flag,
    |c| c.cookie_secure.to_string(),
);
pub const PUBLIC_URL: Setting<Option<String>> = Setting::new(
    "PUBLIC_URL",
    "",
    "the address people open, e.g. `https://shop.example`: the only origin allowed to change things (see *Security*); unset, the request's `Host` is trusted",
    public_url,
    |c| set_or(c.public_url.clone(), "(not set: the request's Host)"),
);
pub const SESSION_IDLE_MINUTES: Setting<Duration> = Setting::new(
    "SESSION_IDLE_MINUTES",
    "720",
    "a session ends after this much inactivity",
    minutes,
    |c| (c.session_idle.as_secs() / 60).to_string(),
);
pub const SESSION_MAX_DAYS: Setting<Duration> = Setting::new(
    "SESSION_MAX_DAYS",
    "7",
    "a session ends at this age",
    days,
    |c| (c.session_max_age.as_secs() / 86_400).to_string(),
);
pub const STOCKROOM_ADMIN_EMAIL: Setting<Option<Email>> = Setting::new(
    "STOCKROOM_ADMIN_EMAIL",
    "",
    "the first manager, created at start-up when there are no accounts (with `STOCKROOM_ADMIN_PASSWORD`)",
    optional_email,
    |c| {
        let email = c.admin.as_ref().map(|(email, _)| email.to_string());
        set_or(email, "(not set)")
    },
);
pub const STOCKROOM_ADMIN_PASSWORD: Setting<Option<Password>> = Setting::new(
    "STOCKROOM_ADMIN_PASSWORD",
    "",
    "the first manager's password (set both or neither); never printed",
    optional_password,
    |c| {
        let hidden = c.admin.as_ref().map(|_| "(set, hidden)".to_owned());
        set_or(hidden, "(not set)")
    },
);
pub const STOCKROOM_TEST_ROUTES: Setting<bool> = Setting::new(
    "STOCKROOM_TEST_ROUTES",
    "false",
    "serve `/__test/slow` for rehearsals and tests; the image never sets it",
    flag,
    |c| c.test_routes.to_string(),
);
pub const LEPTOS_SITE_ROOT: About = About::read_elsewhere(
    "LEPTOS_SITE_ROOT",
    "target/site",
    "where the built assets are",
);

/// Every setting, in the order README's table and `check-config` list them.
pub const SETTINGS: [About; 28] = [
    DATABASE_URL.about,
    DATABASE_MAX_CONNECTIONS.about,
    DATABASE_ACQUIRE_TIMEOUT_SECONDS.about,
    DATABASE_IDLE_TIMEOUT_SECONDS.about,
    DATABASE_MAX_LIFETIME_SECONDS.about,
    LISTEN_ADDR.about,
    LEPTOS_SITE_ADDR.about,
    LOG_FORMAT.about,
    LOG_DIR.about,
    LOG_MAX_FILES.about,
    SHUTDOWN_TIMEOUT_SECONDS.about,
    HEADER_READ_TIMEOUT_SECONDS.about,
    REQUEST_BODY_TIMEOUT_SECONDS.about,
    MIMALLOC_ALLOW_THP,
    RUST_LOG,
    SHOP_NAME.about,
    CURRENCY.about,
    CURRENCY_SYMBOL.about,
    TAX_RATE.about,
    SHOP_TIMEZONE.about,
    COOKIE_SECURE.about,
    PUBLIC_URL.about,
    SESSION_IDLE_MINUTES.about,
    SESSION_MAX_DAYS.about,
    STOCKROOM_ADMIN_EMAIL.about,
    STOCKROOM_ADMIN_PASSWORD.about,
    STOCKROOM_TEST_ROUTES.about,
    LEPTOS_SITE_ROOT,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    /// The rows of README's "## Configuration" table.
    fn readme_rows() -> Vec<&'static str> {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let section = readme
            .split_once("\n## Configuration\n")
            .expect("README has a Configuration section")
            .1;
        let section = section.split_once("\n## ").map_or(section, |(s, _)| s);
        section
            .lines()
            .filter(|line| line.starts_with("| `"))
            .collect()
    }

    #[test]
    fn the_readme_lists_every_setting_with_its_default_and_no_other() {
        let expected: Vec<String> = SETTINGS.iter().map(About::readme_row).collect();
        let readme = readme_rows();
        let names = |rows: &[&str]| -> Vec<String> {
            rows.iter()
                .filter_map(|row| row.split('`').nth(1).map(str::to_owned))
                .collect()
        };
        let expected_refs: Vec<&str> = expected.iter().map(String::as_str).collect();
        assert_eq!(names(&readme), names(&expected_refs), "variables differ");
        assert_eq!(
            readme,
            expected_refs,
            "README's configuration table should read:\n{}",
            expected.join("\n")
        );
    }

    #[test]
    fn the_configuration_reads_exactly_the_settings_it_shows() {
        let asked = RefCell::new(BTreeSet::new());
        Config::from_lookup(|key| {
            asked.borrow_mut().insert(key.to_owned());
            None
        })
        .unwrap();
        let shown: BTreeSet<String> = SETTINGS
            .iter()
            .filter(|s| s.show.is_some())
            .map(|s| s.name.to_owned())
            .collect();
        assert_eq!(asked.into_inner(), shown);
    }

    #[test]
    fn names_are_unique() {
        let names: BTreeSet<&str> = SETTINGS.iter().map(|s| s.name).collect();
        assert_eq!(names.len(), SETTINGS.len());
    }
}
