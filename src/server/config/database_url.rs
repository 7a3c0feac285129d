//! `DATABASE_URL`: checked before connecting (a PostgreSQL URL's TLS parameters included), and
//! never printed with its password.

use crate::server::storage;
use std::fmt;

/// Where the data lives: `sqlite:…` or `postgres://…`. The URL may carry a password, so
/// `Debug` and `Display` show it masked (`postgres://app:***@db/shop`); only
/// [`expose`](Self::expose) gives the whole text, to hand to the driver.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// A URL sqlx will accept (see [`check_database_url`]).
    pub fn parse(v: &str) -> Result<Self, String> {
        check_database_url(v).map(|()| Self(v.to_owned()))
    }

    /// The whole URL, password included: for connecting, never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&storage::redact(&self.0))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl PartialEq<&str> for DatabaseUrl {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
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
pub(super) fn check_database_url(v: &str) -> Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_database_url_prints_without_its_password() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db/shop").unwrap();
        assert_eq!(url.to_string(), "postgres://app:***@db/shop");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://app:s3cret@db/shop");
    }
}
