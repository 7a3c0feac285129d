//! Faults of the database itself, told apart from mistakes in a request: the server is not
//! answering (stopped, restarting, unreachable, or every connection busy past the acquire
//! timeout), or its storage is full. Both are answered 503 with a `Retry-After` (5 s and 60 s:
//! see [`crate::error::AppError::NotAnswering`] and [`crate::error::AppError::StorageFull`]), and in
//! both nothing was written: every write is one transaction, rolled back when any of it fails.
//!
//! The pool recovers from either by itself, without a restart, thanks to two guards installed in
//! [`super::Db::connect`]: connections are pinged before they are handed out (sqlx's
//! `test_before_acquire`, on by default and set explicitly so nobody turns it off), and
//! [`still_in_a_transaction`] discards a connection that comes back still inside a
//! transaction. The second matters on SQLite: a statement that fails with `SQLITE_FULL` can
//! roll the transaction back inside SQLite, so sqlx's own `ROLLBACK` then fails and its
//! transaction count stays at one; such a connection refuses every later `BEGIN IMMEDIATE`
//! ("invalid savepoint statement"), and recording would stay broken after space was freed.

/// What is wrong with the database, as far as a caller can act on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// No connection could be had or kept: the server is down, restarting, unreachable, or so
    /// busy that none came free in time. Worth retrying within seconds.
    NotAnswering,
    /// The disk (or the PostgreSQL tablespace) is full. Retrying helps only once someone has
    /// freed space, so callers are asked to wait longer.
    StorageFull,
}

impl From<Fault> for crate::error::AppError {
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::NotAnswering => Self::NotAnswering,
            Fault::StorageFull => Self::StorageFull,
        }
    }
}

/// SQLite's primary result code for "database or disk is full" (extended codes keep it in the
/// low byte).
const SQLITE_FULL: i64 = 13;

/// PostgreSQL SQLSTATEs that mean the connection or the server is going away or not there
/// yet: class 08 (connection exception), `57P01` admin shutdown, `57P02` crash shutdown,
/// `57P03` cannot connect now (starting up or shutting down).
fn postgres_not_answering(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// The fault behind `error`, if it is one of the database itself (and not, say, a constraint
/// or a bug in a statement).
pub fn of(error: &sqlx::Error) -> Option<Fault> {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => Some(Fault::NotAnswering),
        sqlx::Error::Database(db) => {
            let code = db.code()?;
            if code == "53100" {
                return Some(Fault::StorageFull);
            }
            if postgres_not_answering(&code) {
                return Some(Fault::NotAnswering);
            }
            match code.parse::<i64>() {
                Ok(sqlite) if sqlite & 0xff == SQLITE_FULL => Some(Fault::StorageFull),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The fault behind a storage error (see [`of`]).
pub fn of_storage(error: &super::StorageError) -> Option<Fault> {
    match error {
        super::StorageError::Database(error) => of(error),
        super::StorageError::Migration(sqlx::migrate::MigrateError::Execute(error)) => of(error),
        _ => None,
    }
}

/// A pool hook (`after_release` and `before_acquire`): keep the connection only if it is not
/// inside a transaction. A connection a failed transaction left open is closed instead of being
/// handed to the next request (see the module note).
pub(crate) fn still_in_a_transaction(conn: &sqlx::AnyConnection) -> bool {
    let open = sqlx::Connection::is_in_transaction(conn);
    if open {
        tracing::warn!(
            "a database connection came back inside a transaction; closing it instead of reusing it"
        );
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_not_answering() {
        assert_eq!(of(&sqlx::Error::PoolTimedOut), Some(Fault::NotAnswering));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(of(&sqlx::Error::Io(refused)), Some(Fault::NotAnswering));
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(of(&sqlx::Error::Io(reset)), Some(Fault::NotAnswering));
        assert_eq!(of(&sqlx::Error::RowNotFound), None);
    }

    #[test]
    fn sqlstates_and_sqlite_codes_are_sorted() {
        assert!(postgres_not_answering("57P01"));
        assert!(postgres_not_answering("08006"));
        assert!(!postgres_not_answering("23505"));
        assert!(!postgres_not_answering("53100"));
    }

    #[tokio::test]
    async fn a_full_sqlite_database_is_storage_full() {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::raw_sql("CREATE TABLE t (x BLOB); PRAGMA max_page_count = 8;")
            .execute(&mut conn)
            .await
            .unwrap();
        let error = sqlx::query("INSERT INTO t VALUES (zeroblob(100000))")
            .execute(&mut conn)
            .await
            .unwrap_err();
        assert_eq!(of(&error), Some(Fault::StorageFull), "{error:?}");
    }
}
