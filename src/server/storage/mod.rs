//! The only place SQL lives. One copy of each statement serves SQLite and PostgreSQL through
//! sqlx's `Any` driver; the backend is chosen at run time from `DATABASE_URL`.
//!
//! Portability rules every statement here follows: `$1`-style parameters (SQLite accepts them
//! too), integers for booleans (0/1) and times (Unix seconds), `RETURNING` for new ids, and
//! `CAST(... AS BIGINT)` around sums (PostgreSQL would otherwise answer NUMERIC).

pub mod audit;
pub mod bulk;
pub mod corrections;
pub mod dashboard;
pub mod devices;
pub mod fault;
pub mod history;
pub mod imports;
pub mod keys;
pub(crate) mod keyset;
pub(crate) mod ledger;
pub mod maintenance;
pub mod parties;
pub mod people;
pub mod products;
pub mod reorder;
pub mod restore;
pub mod returns;
pub mod sessions;
pub mod stock;
pub mod summaries;
pub mod throttle;
pub mod users;

use crate::server::zone::ShopZone;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::AnyPool;
use sqlx::Executor;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database engine is behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The pool size when none is configured. SQLite writes one transaction at a time and
    /// every pooled connection keeps its own page cache, so a few connections do all it can:
    /// at 100,000 products, 4 instead of 10 took `make bench`'s peak RSS from 195 MB to 95 MB
    /// with the list pages as fast (BENCHMARKS.md, 2026-12-08). PostgreSQL's server does the
    /// work; its connections cost this process little.
    pub fn default_pool_size(self) -> u32 {
        match self {
            Self::Sqlite => 4,
            Self::Postgres => 10,
        }
    }
}

/// A failure of the storage layer, sorted into what callers can act on.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A unique constraint refused the write; `constraint` names it (e.g. `users_email_key`).
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported DATABASE_URL: {0}")]
    UnsupportedUrl(String),
}

/// Shorthand for storage results.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Turns unique violations into [`StorageError::Conflict`], leaving other errors as they are.
pub(crate) fn classify(error: sqlx::Error) -> StorageError {
    if let sqlx::Error::Database(db) = &error {
        if db.is_unique_violation() {
            let constraint = db
                .constraint()
                .map(str::to_owned)
                // SQLite names the columns in its message instead of a constraint.
                .unwrap_or_else(|| db.message().to_owned());
            return StorageError::Conflict { constraint };
        }
    }
    StorageError::Database(error)
}

/// A value for a statement built at run time.
#[derive(Clone, Debug)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// `AND`-ed conditions with their parameters, numbered as they are added, so a list query has
/// only the conditions its filters need: a planner can use an index for `kind = $1`, but not
/// for `($1 IS NULL OR kind = $1)`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Conditions {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Conditions {
    /// Adds `clause`, whose `?`s take `args` in order.
    pub(crate) fn push(&mut self, clause: &str, args: impl IntoIterator<Item = Arg>) {
        let mut text = String::with_capacity(clause.len() + 4);
        let mut args = args.into_iter();
        for part in clause.split('?').enumerate() {
            if part.0 > 0 {
                self.args.push(args.next().unwrap_or(Arg::Int(0)));
                text.push_str(&format!("${}", self.args.len()));
            }
            text.push_str(part.1);
        }
        self.clauses.push(text);
    }

    /// `WHERE …`, or nothing.
    pub(crate) fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// The number the next parameter would get.
    pub(crate) fn next_param(&self) -> usize {
        self.args.len() + 1
    }

    /// Binds the parameters to `query`, in order.
    pub(crate) fn bind<'q>(
        &self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for arg in &self.args {
            query = match arg {
                Arg::Int(v) => query.bind(*v),
                Arg::Text(v) => query.bind(v.clone()),
            };
        }
        query
    }
}

/// `$from, $from+1, …`: `n` numbered parameters, for an `IN (…)` list.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pool settings an operator may tune.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    /// `None`: the backend's [`Backend::default_pool_size`].
    pub max_connections: Option<u32>,
    /// How long to wait for a connection (pooled or new) before failing the request.
    pub acquire_timeout: Duration,
    /// Close connections unused this long.
    pub idle_timeout: Duration,
    /// Replace connections at this age, so a fail-over or a rotated password is picked up.
    pub max_lifetime: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(600),
            max_lifetime: Duration::from_secs(1_800),
        }
    }
}

/// How many migrations the database records as applied (`None` before the first).
async fn applied_migrations(conn: &mut sqlx::AnyConnection) -> Option<i64> {
    sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(conn)
        .await
        .ok()
        .and_then(|row| sqlx::Row::try_get(&row, 0).ok())
}

/// The key of the PostgreSQL advisory lock held while migrating ("stockrm" in ASCII, so it is
/// recognisable in `pg_locks`). Every instance uses the same key, so they queue on it.
const MIGRATION_LOCK_KEY: i64 = 0x0073_746f_636b_726d;

/// The shared database handle: cheap to clone, one pool per process.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// The shop's time zone: the calendar the sales summaries count days in (see
    /// [`summaries`]). `SHOP_TIMEZONE`'s default until [`Db::in_zone`] says otherwise.
    zone: ShopZone,
    /// The last shop day this handle saw the sales window reach (see [`summaries::catch_up`]).
    summaries_day: Arc<AtomicI64>,
    /// Write transactions this process began (see [`history::expiring_badge`]).
    writes_begun: Arc<AtomicU64>,
    /// The navigation's badge between writes (see [`history::expiring_badge`]).
    expiry_badge: history::BadgeMemo,
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating a missing SQLite file and
    /// its folder. SQLite runs in WAL mode with a busy timeout so readers never block the writer
    /// and a second writer waits instead of failing.
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(
                settings
                    .max_connections
                    .unwrap_or(backend.default_pool_size()),
            )
            .acquire_timeout(settings.acquire_timeout)
            .idle_timeout(settings.idle_timeout)
            .max_lifetime(settings.max_lifetime)
            // A database that went away and came back: dead connections are found by a ping
            // before use, and one a failed write left inside a transaction is closed (see
            // `fault`), so the pool heals without a restart.
            .test_before_acquire(true)
            .after_release(|conn, _meta| {
                Box::pin(async move { Ok(!fault::still_in_a_transaction(conn)) })
            })
            .before_acquire(|conn, _meta| {
                Box::pin(async move { Ok(!fault::still_in_a_transaction(conn)) })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Self {
            pool,
            backend,
            zone: ShopZone::default(),
            summaries_day: Arc::new(AtomicI64::new(i64::MIN)),
            writes_begun: Arc::new(AtomicU64::new(0)),
            expiry_badge: history::BadgeMemo::default(),
        })
    }

    /// This handle for a shop in `zone` (`SHOP_TIMEZONE`): the days its sales summaries count.
    pub fn in_zone(mut self, zone: ShopZone) -> Self {
        self.zone = zone;
        self.summaries_day = Arc::new(AtomicI64::new(i64::MIN));
        self
    }

    /// The shop's time zone.
    pub fn zone(&self) -> &ShopZone {
        &self.zone
    }

    pub(crate) fn summaries_day(&self) -> &AtomicI64 {
        &self.summaries_day
    }

    /// How many write transactions this process has begun.
    pub(crate) fn writes_begun(&self) -> u64 {
        self.writes_begun.load(Ordering::Acquire)
    }

    pub(crate) fn expiry_badge(&self) -> &history::BadgeMemo {
        &self.expiry_badge
    }

    /// Applies pending migrations, safely when several instances start at once: the first
    /// takes a lock and migrates, the others wait for it and then find nothing left to do.
    ///
    /// PostgreSQL: one connection holds a session-level advisory lock around the whole run and
    /// is then closed, which releases the lock even when a migration failed halfway (sqlx's own
    /// lock would stay with a pooled connection in that case). SQLite: `BEGIN IMMEDIATE` takes
    /// the database's write lock for the run; other processes wait on the busy timeout.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = self.pool.acquire().await?.detach();
                // `pg_advisory_lock` returns `void`, which the Any driver cannot decode.
                let locked = sqlx::query("SELECT 1 FROM (SELECT pg_advisory_lock($1)) AS held")
                    .bind(MIGRATION_LOCK_KEY)
                    .execute(&mut conn)
                    .await;
                let outcome = match locked {
                    Ok(_) => POSTGRES_MIGRATIONS
                        .run_direct(&mut conn)
                        .await
                        .map_err(StorageError::from),
                    Err(error) => Err(error.into()),
                };
                // Bills recorded before parties existed, linked under the same lock.
                let outcome = match outcome {
                    Ok(()) => parties::link_bills(&mut conn).await.map(drop),
                    Err(error) => Err(error),
                };
                let _ = sqlx::Connection::close(conn).await;
                outcome?;
            }
            Backend::Sqlite => {
                // A connection of its own with foreign keys off (SQLite ignores the pragma
                // inside a transaction), so a migration can rebuild a table others refer to,
                // as SQLite's documentation prescribes; the links are checked before commit.
                // It is closed afterwards, never returned to the pool with checks off.
                let mut conn = self.pool.acquire().await?.detach();
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut conn)
                    .await?;
                let outcome = async {
                    let mut tx = sqlx::Connection::begin_with(&mut conn, "BEGIN IMMEDIATE").await?;
                    let before = applied_migrations(&mut tx).await;
                    SQLITE_MIGRATIONS.run_direct(&mut *tx).await?;
                    // Bills recorded before parties existed (see `parties::link_bills`).
                    parties::link_bills(&mut tx).await?;
                    // The links are checked when a migration ran: the check reads every row
                    // that refers to another (7 s at a million movements), which a start with
                    // nothing to migrate has no reason to pay.
                    let broken = if applied_migrations(&mut tx).await != before {
                        sqlx::query("PRAGMA foreign_key_check")
                            .fetch_all(&mut *tx)
                            .await?
                    } else {
                        Vec::new()
                    };
                    if !broken.is_empty() {
                        tx.rollback().await?;
                        return Err(StorageError::Migration(
                            sqlx::migrate::MigrateError::Execute(sqlx::Error::Protocol(format!(
                                "{} rows would break foreign keys",
                                broken.len()
                            ))),
                        ));
                    }
                    tx.commit().await?;
                    Ok(())
                }
                .await;
                let _ = sqlx::Connection::close(conn).await;
                outcome?;
            }
        }
        Ok(())
    }

    /// Answers when the database does (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing with
    /// "database is locked" when it upgrades a read to a write.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        // Whatever it writes, what this process keeps between writes is read afresh after it.
        self.writes_begun.fetch_add(1, Ordering::AcqRel);
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// The pool, for the storage modules.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool, for tests that check what the storage functions wrote.
    #[doc(hidden)]
    pub fn pool_for_tests(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection (on shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StorageError::UnsupportedUrl(redact(url)))
    }
}

/// Adds `mode=rwc` (create if missing) and creates the file's folder.
fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = std::path::Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                StorageError::UnsupportedUrl(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
    }
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if !params.iter().any(|p| p.starts_with("mode=")) {
        params.push("mode=rwc");
    }
    Ok(format!("sqlite://{path}?{}", params.join("&")))
}

/// A URL fit for logs and error messages: the password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A `YYYY-MM-DD` column (NULL is `None`) as a [`crate::domain::Day`].
pub(crate) fn stored_day(
    row: &sqlx::any::AnyRow,
    column: &str,
) -> Result<Option<crate::domain::Day>> {
    use sqlx::Row;
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| {
        crate::domain::Day::from_stored(&t).ok_or_else(|| {
            StorageError::Database(sqlx::Error::Decode(
                format!("{column}: not a date: {t:?}").into(),
            ))
        })
    })
    .transpose()
}

/// A text column holding a stored name of a domain enum (a bill or movement kind).
pub(crate) fn stored<T>(row: &sqlx::any::AnyRow, column: &str) -> Result<T>
where
    T: std::str::FromStr<Err = String>,
{
    use sqlx::Row;
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|e: String| StorageError::Database(sqlx::Error::Decode(e.into())))
}

/// Booleans are stored as 0/1 integers (see the module note).
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// Escapes `%`, `_` and `\` so user text matches literally inside `LIKE … ESCAPE '\'`.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/shop"),
            "postgres://app:***@db:5432/shop"
        );
        assert_eq!(redact("postgres://app@db/shop"), "postgres://app@db/shop");
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn sqlite_urls_create_missing_files() {
        let dir = std::env::temp_dir().join(format!("stockroom-url-{}", std::process::id()));
        let url = format!("sqlite://{}/a.db", dir.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.is_dir());
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:").unwrap(),
            "sqlite://:memory:?mode=rwc"
        );
        assert!(prepare_sqlite_url("sqlite://x.db?mode=ro")
            .unwrap()
            .ends_with("?mode=ro"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn like_metacharacters_match_literally() {
        assert_eq!(like_escape(r"50%_off\"), r"50\%\_off\\");
    }

    #[test]
    fn only_sqlite_and_postgres_urls_are_accepted() {
        assert_eq!(backend_of("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgresql://h/db").unwrap(), Backend::Postgres);
        assert!(backend_of("mysql://root:pw@h/db")
            .unwrap_err()
            .to_string()
            .contains("root:***@"));
    }
}
