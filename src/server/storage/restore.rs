//! Putting a SQLite backup back: `stockroom restore PATH`.
//!
//! A restore must never be the second disaster. So it refuses while any Stockroom still has the
//! database open (every server holds a shared lock on `<database>-lock` for as long as it runs;
//! a restore needs that lock exclusively), checks the copy before touching anything (SQLite's
//! integrity check, a Stockroom schema, no migration newer than this binary), keeps the database
//! it replaces (renamed with its `-wal`/`-shm` files to `<database>.before-restore-<time>`), and
//! puts the copy in place under a temporary name, flushed, then renamed: the database is the old
//! one or the restored one, never half of either.

use super::maintenance::{counts_of, integrity_of, migration_status_of};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// Why nothing was restored. The database is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(
        "`stockroom restore` restores SQLite databases only. For PostgreSQL, restore a pg_dump \
         with pg_restore into a new database (docs/deploy.md, \"Backups and restores\")"
    )]
    Postgres,
    #[error("there is no backup at {0}")]
    NoBackup(PathBuf),
    #[error(
        "the database at {0} is in use by a running Stockroom: stop the server (every instance) \
         and run the restore again"
    )]
    InUse(PathBuf),
    #[error("{path} is not a sound database: {why}")]
    Unsound { path: PathBuf, why: String },
    #[error(
        "{path} was made by a newer Stockroom ({applied} migrations; this one knows {known}): \
         restore it with that version"
    )]
    Newer {
        path: PathBuf,
        applied: i64,
        known: i64,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A running server's claim on its SQLite database: while it is held, no restore replaces it.
#[derive(Debug)]
pub struct InUse {
    _lock: File,
}

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-lock");
    PathBuf::from(name)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RestoreError {
    let path = path.to_owned();
    move |source| RestoreError::Io { path, source }
}

fn open_lock(database: &Path) -> Result<File, RestoreError> {
    let path = lock_path(database);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io(&path))
}

/// Claims `database` for a server (a shared lock: several processes may serve one file, as the
/// tests do; a restore waits for none of them and refuses while any holds it).
pub fn claim(database: &Path) -> Result<InUse, RestoreError> {
    if let Some(parent) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let lock = open_lock(database)?;
    // A restore holds the lock only for the moment of the swap; a server starting right then
    // waits for it.
    lock.lock_shared().map_err(io(&lock_path(database)))?;
    Ok(InUse { _lock: lock })
}

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    pub database: PathBuf,
    pub bytes: u64,
    pub bills: i64,
    pub products: i64,
    pub applied: i64,
    pub known: i64,
    /// Where the database it replaced was kept, if there was one.
    pub kept: Option<PathBuf>,
}

/// Replaces the SQLite database at `database` with the backup at `backup`, `now` naming the kept
/// copy of the old one.
pub async fn restore_sqlite(
    backup: &Path,
    database: &Path,
    now: i64,
) -> Result<Restored, RestoreError> {
    if !backup.is_file() {
        return Err(RestoreError::NoBackup(backup.to_owned()));
    }
    let lock = open_lock(database)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Err(RestoreError::InUse(database.to_owned())),
        Err(TryLockError::Error(error)) => return Err(io(&lock_path(database))(error)),
    }
    let unsound = |why: String| RestoreError::Unsound {
        path: backup.to_owned(),
        why,
    };
    let integrity = integrity_of(backup)
        .await
        .map_err(|e| unsound(e.to_string()))?;
    if integrity != "ok" {
        return Err(unsound(integrity));
    }
    let status = migration_status_of(backup)
        .await
        .map_err(|e| unsound(e.to_string()))?;
    if status.applied == 0 {
        return Err(unsound("it holds no Stockroom data".to_owned()));
    }
    let (bills, products) = counts_of(backup)
        .await
        .map_err(|e| unsound(e.to_string()))?;
    if status.applied > status.known {
        return Err(RestoreError::Newer {
            path: backup.to_owned(),
            applied: status.applied,
            known: status.known,
        });
    }

    if let Some(parent) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let with_suffix = |path: &Path, suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let partial = with_suffix(database, &format!(".restoring-{}", std::process::id()));
    let copied = std::fs::copy(backup, &partial)
        .and_then(|_| File::open(&partial))
        .and_then(|file| file.sync_all());
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(io(&partial)(error));
    }
    let kept = if database.exists() {
        let kept = with_suffix(database, &format!(".before-restore-{now}"));
        for suffix in ["-wal", "-shm"] {
            let side = with_suffix(database, suffix);
            if side.exists() {
                let to = with_suffix(&kept, suffix);
                std::fs::rename(&side, &to).map_err(io(&side))?;
            }
        }
        std::fs::rename(database, &kept).map_err(io(database))?;
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&partial, database).map_err(io(database))?;
    let bytes = std::fs::metadata(database).map_err(io(database))?.len();
    drop(lock);
    Ok(Restored {
        database: database.to_owned(),
        bytes,
        bills,
        products,
        applied: status.applied,
        known: status.known,
        kept,
    })
}
