//! Recent failed sign-ins, per account name, per client address and per known browser. Kept in the database rather
//! than in memory so that every instance behind a load balancer sees the same count.

use super::{Db, Result};
use sqlx::Row;

/// The most failure times read back per key: a limit is far below this.
const MAX_READ: i64 = 1_000;

/// Failure times (Unix seconds, oldest first) since `since`, for an account and for an address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentFailures {
    pub account: Vec<i64>,
    pub client: Vec<i64>,
    /// The failures of the browser the attempt came from, when it is known to the account
    /// (see `storage::devices`); empty otherwise.
    pub device: Vec<i64>,
}

/// Notes a failed sign-in; `device` is the device cookie's hash when the browser is known to the
/// account it tried.
pub async fn record_failure(
    db: &Db,
    account_key: &str,
    client_addr: &str,
    device: Option<&str>,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_failures (account_key, client_addr, device, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(account_key)
    .bind(client_addr)
    .bind(device)
    .bind(at)
    .execute(db.pool())
    .await?;
    Ok(())
}

async fn times(db: &Db, column: &str, key: &str, since: i64) -> Result<Vec<i64>> {
    // `column` is one of three fixed names, never user input.
    let sql = format!(
        "SELECT at FROM sign_in_failures WHERE {column} = $1 AND at > $2 ORDER BY at LIMIT $3"
    );
    sqlx::query(&sql)
        .bind(key)
        .bind(since)
        .bind(MAX_READ)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|row| row.try_get("at").map_err(Into::into))
        .collect()
}

/// The failures after `since` for this account name and this address, and for this known
/// browser if there is one.
pub async fn recent(
    db: &Db,
    account_key: &str,
    client_addr: &str,
    device: Option<&str>,
    since: i64,
) -> Result<RecentFailures> {
    Ok(RecentFailures {
        account: times(db, "account_key", account_key, since).await?,
        client: times(db, "client_addr", client_addr, since).await?,
        device: match device {
            Some(device) => times(db, "device", device, since).await?,
            None => Vec::new(),
        },
    })
}

/// Forgets a known browser's failures (after it signed in).
pub async fn clear_device(db: &Db, device: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE device = $1")
        .bind(device)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Forgets an account's failures (after a successful sign-in). The address keeps its count, so
/// signing in to one's own account does not reset a guessing run against others.
pub async fn clear_account(db: &Db, account_key: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE account_key = $1")
        .bind(account_key)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Deletes failures at or before `before`: they no longer count.
pub async fn purge(db: &Db, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
        .bind(before)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
