//! Operator tasks on the database: a consistent backup copy of a SQLite database taken while the
//! app runs, how far the schema is migrated (for `stockroom check-config`), and looking at a
//! SQLite file without changing it (for `stockroom restore`, see `storage::restore`).

use super::{Backend, Db, Result, StorageError, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use sqlx::migrate::Migrator;
use sqlx::{Connection, Row};
use std::path::{Path, PathBuf};

/// Why a backup was not made. Nothing is left at the destination in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "`stockroom backup` copies SQLite databases only. For PostgreSQL use its own tools: \
         `pg_dump --format=custom --file=stockroom.dump \"$DATABASE_URL\"`, or on RDS the \
         automated backups and manual snapshots (see docs/deploy.md)"
    )]
    Postgres,
    #[error("{0} already exists; choose a new file name (a backup never overwrites)")]
    Exists(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the copy failed its integrity check: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for BackupError {
    fn from(error: sqlx::Error) -> Self {
        BackupError::Storage(error.into())
    }
}

/// What a finished backup wrote.
#[derive(Clone, Debug)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
}

/// Copies the SQLite database to `dest` while the app keeps running.
///
/// `VACUUM INTO` reads one consistent snapshot (a read transaction, which in WAL mode never
/// blocks the app's writers) and writes a compact, self-contained database file. It is written
/// under a temporary name, checked with `PRAGMA integrity_check`, flushed to disk and only then
/// renamed to `dest`, so `dest` is either a whole, sound copy or absent.
pub async fn backup_sqlite(db: &Db, dest: &Path) -> Result<Backup, BackupError> {
    if db.backend() == Backend::Postgres {
        return Err(BackupError::Postgres);
    }
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_owned()));
    }
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| BackupError::Io { path, source }
    };
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let mut partial = dest.as_os_str().to_owned();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);

    let outcome = async {
        sqlx::query("VACUUM INTO $1")
            .bind(partial.to_string_lossy().into_owned())
            .execute(db.pool())
            .await?;
        check_integrity(&partial).await?;
        std::fs::File::open(&partial)
            .and_then(|file| file.sync_all())
            .map_err(io(&partial))?;
        std::fs::rename(&partial, dest).map_err(io(dest))?;
        Ok::<_, BackupError>(())
    }
    .await;
    if let Err(error) = outcome {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    let bytes = std::fs::metadata(dest).map_err(io(dest))?.len();
    Ok(Backup {
        path: dest.to_owned(),
        bytes,
    })
}

/// Opens the copy on its own, read-only, and asks SQLite whether it is sound.
async fn check_integrity(path: &Path) -> Result<(), BackupError> {
    let verdict = integrity_of(path).await?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(BackupError::Corrupt(verdict))
    }
}

/// A read-only connection to a SQLite file, for looking at a copy without changing it.
async fn open_read_only(path: &Path) -> Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", path.display());
    Ok(sqlx::AnyConnection::connect(&url).await?)
}

/// SQLite's verdict on a file: `ok`, or what is wrong.
pub async fn integrity_of(path: &Path) -> Result<String> {
    let mut conn = open_read_only(path).await?;
    let verdict: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    conn.close().await?;
    Ok(verdict)
}

/// How many bills and products a SQLite Stockroom file holds.
pub async fn counts_of(path: &Path) -> Result<(i64, i64)> {
    let mut conn = open_read_only(path).await?;
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM bills) AS bills, (SELECT COUNT(*) FROM products) AS products",
    )
    .fetch_one(&mut conn)
    .await?;
    let counts = (row.try_get("bills")?, row.try_get("products")?);
    conn.close().await?;
    Ok(counts)
}

/// [`migration_status`] of a SQLite file, read without changing it.
pub async fn migration_status_of(path: &Path) -> Result<MigrationStatus> {
    let mut conn = open_read_only(path).await?;
    let status = applied_of(&mut conn, &SQLITE_MIGRATIONS).await;
    conn.close().await?;
    status
}

async fn applied_of(
    conn: &mut sqlx::AnyConnection,
    migrator: &Migrator,
) -> Result<MigrationStatus> {
    let known = i64::try_from(migrator.iter().count()).unwrap_or(i64::MAX);
    let applied = match sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await
    {
        Ok(row) => row.try_get::<i64, _>(0)?,
        Err(sqlx::Error::Database(error)) if missing_table(error.message()) => 0,
        Err(error) => return Err(error.into()),
    };
    Ok(MigrationStatus { applied, known })
}

/// How many of the migrations this binary knows have been applied to the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MigrationStatus {
    pub applied: i64,
    pub known: i64,
}

/// Reads `_sqlx_migrations` (no table yet counts as nothing applied). Changes nothing.
pub async fn migration_status(db: &Db) -> Result<MigrationStatus> {
    let migrator = match db.backend() {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    let mut conn = db.pool().acquire().await?;
    applied_of(&mut conn, migrator).await
}

/// The TLS version of this session to PostgreSQL, or `None` when it is not encrypted (or the
/// database is SQLite, a local file).
pub async fn tls_version(db: &Db) -> Result<Option<String>> {
    if db.backend() == Backend::Sqlite {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT CAST(ssl AS INTEGER), COALESCE(version, '') FROM pg_stat_ssl \
         WHERE pid = pg_backend_pid()",
    )
    .fetch_one(db.pool())
    .await?;
    let encrypted: i32 = row.try_get(0)?;
    Ok((encrypted == 1).then(|| row.try_get(1)).transpose()?)
}

fn missing_table(message: &str) -> bool {
    // SQLite: "no such table: …"; PostgreSQL: "relation "…" does not exist".
    message.contains("no such table") || message.contains("does not exist")
}

/// The file behind a `sqlite:` URL (`None` for in-memory databases and other URLs).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split_once('?').map_or(rest, |(path, _)| path);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite:///data/stockroom.db"),
            Some(PathBuf::from("/data/stockroom.db"))
        );
        assert_eq!(
            sqlite_file("sqlite://data/x.db?mode=rwc"),
            Some(PathBuf::from("data/x.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://db/shop"), None);
    }
}
