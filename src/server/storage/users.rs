//! People who sign in: accounts and their password hashes.

use super::{classify, flag, Db, Result};
use crate::domain::{Email, Role, User};
use sqlx::any::AnyRow;
use sqlx::Row;

/// An account as stored, with its hash, for sign-in checks only.
#[derive(Clone, Debug)]
pub struct Account {
    pub user: User,
    pub active: bool,
    pub password_hash: String,
}

/// What is needed to create an account; the password is already hashed.
#[derive(Clone, Debug)]
pub struct NewAccount<'a> {
    pub email: &'a Email,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

pub(super) const COLUMNS: &str = "id, email, first_name, last_name, role, active, password_hash";

/// Reads the `id, email, first_name, last_name, role` columns of a row into a [`User`].
pub(super) fn user_from(row: &AnyRow) -> Result<User> {
    let email: String = row.try_get("email")?;
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        // Stored values were parsed on the way in; a row that fails is a corrupt database.
        email: Email::parse(&email).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        role: role.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
    })
}

pub(super) fn account_from(row: &AnyRow) -> Result<Account> {
    Ok(Account {
        user: user_from(row)?,
        active: row.try_get::<i64, _>("active")? != 0,
        password_hash: row.try_get("password_hash")?,
    })
}

/// Creates an account; a taken email is a [`super::StorageError::Conflict`].
pub async fn insert(db: &Db, account: &NewAccount<'_>, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO users (email, first_name, last_name, role, active, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(account.email.as_str())
    .bind(account.first_name)
    .bind(account.last_name)
    .bind(account.role.as_str())
    .bind(flag(true))
    .bind(account.password_hash)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .map_err(classify)?
    .try_get("id")
    .map_err(Into::into)
}

/// The account with this email, active or not.
pub async fn find_by_email(db: &Db, email: &Email) -> Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    let row = sqlx::query(&sql)
        .bind(email.as_str())
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(account_from).transpose()
}

/// How many accounts exist (the first manager is created only when there are none).
pub async fn count(db: &Db) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(db.pool())
        .await?
        .try_get("n")?)
}

/// The account with this id, with its hash (for checking a current password).
pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(account_from).transpose()
}
