//! Browsers known to an account: each has signed in to it before. Found by the hash of the
//! device cookie's secret, as sessions are; one browser may be known to several accounts (a
//! shared counter computer).

use super::{Db, Result};

/// Whether the browser behind `token_hash` has signed in to the account `account_key` (the
/// e-mail, trimmed and lower-cased) before.
pub async fn knows(db: &Db, token_hash: &str, account_key: &str) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT d.user_id FROM known_devices d JOIN users u ON u.id = d.user_id \
         WHERE d.token_hash = $1 AND LOWER(u.email) = $2",
    )
    .bind(token_hash)
    .bind(account_key)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// Notes that the browser behind `token_hash` signed in to `user_id` now.
pub async fn remember(db: &Db, token_hash: &str, user_id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO known_devices (token_hash, user_id, created_at, last_signed_in_at) \
         VALUES ($1, $2, $3, $3) \
         ON CONFLICT (token_hash, user_id) DO UPDATE SET last_signed_in_at = excluded.last_signed_in_at",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Forgets browsers that have not signed in since `before`.
pub async fn purge(db: &Db, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM known_devices WHERE last_signed_in_at <= $1")
        .bind(before)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
