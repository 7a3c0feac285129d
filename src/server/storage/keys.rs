//! One-time form keys: every recording (a bill, a return, a count, a write-off) claims its
//! form's key first, inside its own transaction, and remembers what it recorded under it. A
//! second submit of the same key — a double click, a retry, the back button, another instance —
//! waits for the first (PostgreSQL's unique index; SQLite's write lock) and then answers with the
//! same record instead of writing again.

use super::{Db, StorageError};
use sqlx::{Any, Row, Transaction};

/// What a key recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// A bill (a purchase, a sale, or a return).
    Bill(i64),
    /// A stock count or a write-off.
    Correction(i64),
}

/// Why a used key has no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unanswered {
    /// The key is someone else's.
    ForeignKey,
    /// The first submit has not committed yet.
    InFlight,
}

/// Claims `key` for `user_id`; `false` when it was claimed before (then roll back and
/// [`replay`]).
pub(crate) async fn claim(
    tx: &mut Transaction<'static, Any>,
    key: &str,
    user_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys (key, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

/// Remembers what the claimed `key` recorded (in the same transaction).
pub(crate) async fn fulfil(
    tx: &mut Transaction<'static, Any>,
    key: &str,
    recorded: Recorded,
) -> Result<(), sqlx::Error> {
    let (column, id) = match recorded {
        Recorded::Bill(id) => ("bill_id", id),
        Recorded::Correction(id) => ("correction_id", id),
    };
    sqlx::query(&format!(
        "UPDATE idempotency_keys SET {column} = $1 WHERE key = $2"
    ))
    .bind(id)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What an earlier submit with `key` recorded, if it was `user_id`'s and has committed.
pub(crate) async fn replay(
    db: &Db,
    key: &str,
    user_id: i64,
) -> Result<Result<Recorded, Unanswered>, StorageError> {
    let row =
        sqlx::query("SELECT user_id, bill_id, correction_id FROM idempotency_keys WHERE key = $1")
            .bind(key)
            .fetch_optional(db.pool())
            .await?;
    let Some(row) = row else {
        return Ok(Err(Unanswered::InFlight));
    };
    if row.try_get::<i64, _>("user_id")? != user_id {
        return Ok(Err(Unanswered::ForeignKey));
    }
    let bill: Option<i64> = row.try_get("bill_id")?;
    let correction: Option<i64> = row.try_get("correction_id")?;
    Ok(match (bill, correction) {
        (Some(id), _) => Ok(Recorded::Bill(id)),
        (None, Some(id)) => Ok(Recorded::Correction(id)),
        (None, None) => Err(Unanswered::InFlight),
    })
}
