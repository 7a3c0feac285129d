//! Server-side sessions: a row per signed-in browser, found by the hash of its cookie's secret.

use super::{Db, Result};
use crate::domain::User;
use sqlx::Row;

/// Creates a session for `user_id` that ends at `expires_at` at the latest.
pub async fn create(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A live session's user and when the session was last seen.
#[derive(Clone, Debug)]
pub struct LiveSession {
    pub user: User,
    pub last_seen_at: i64,
}

/// The active user behind a session that has neither expired nor idled past `idle_since`.
pub async fn find(
    db: &Db,
    token_hash: &str,
    now: i64,
    idle_since: i64,
) -> Result<Option<LiveSession>> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.first_name, u.last_name, u.role, s.last_seen_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(now)
    .bind(idle_since)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(LiveSession {
        user: super::users::user_from(&row)?,
        last_seen_at: row.try_get("last_seen_at")?,
    }))
}

/// Records activity, which keeps the session from idling out.
pub async fn touch(db: &Db, token_hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends one session (sign-out).
pub async fn delete(db: &Db, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends every session of a user (password change, deactivation).
pub async fn delete_for_user(db: &Db, user_id: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

/// Removes sessions that can no longer be used, so the table does not grow forever.
pub async fn purge(db: &Db, now: i64, idle_since: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(idle_since)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session of a user except `keep` (the hash of the session making the change, when
/// people change their own password); returns how many ended. Runs on `executor`, so a password
/// change or deactivation and the sessions it ends commit together.
pub(crate) async fn delete_for_user_except<'e, E>(
    executor: E,
    user_id: i64,
    keep: Option<&str>,
) -> Result<u64>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        // No token hash is empty, so `''` keeps none.
        .bind(keep.unwrap_or(""))
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}
