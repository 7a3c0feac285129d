//! Employees as managers keep them: list, create, edit, deactivate, delete, and password
//! changes. Every change writes its audit line in the same transaction, so the trail never misses
//! a change nor records one that was rolled back.

use super::audit::{self, Actor, NewEntry};
use super::users::user_from;
use super::{classify, flag, Db, Result, StorageError};
use crate::domain::employee::{AuditAction, Employee, EmployeeDraft, Gender};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Why a change to an employee was refused. Nothing was written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("no such employee")]
    NotFound,
    #[error("another account has this e-mail")]
    EmailTaken,
    /// The change would leave the shop without an active manager.
    #[error("the last active manager")]
    LastManager,
    /// Managers cannot deactivate, demote or delete themselves.
    #[error("one's own account")]
    OwnAccount,
    /// The person has recorded bills or movements: deactivate instead.
    #[error("has history")]
    HasHistory,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for PeopleError {
    fn from(error: sqlx::Error) -> Self {
        Self::Storage(error.into())
    }
}

const EMPLOYEE_COLUMNS: &str = "u.id, u.email, u.first_name, u.last_name, u.role, u.active, \
     u.age, u.gender, u.created_at, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM bills b WHERE b.created_by = u.id) \
               OR EXISTS (SELECT 1 FROM movements m WHERE m.user_id = u.id) \
          THEN 1 ELSE 0 END AS BIGINT) AS has_history";

fn employee_from(row: &AnyRow) -> Result<Employee> {
    let gender: Option<String> = row.try_get("gender")?;
    let gender = match gender {
        Some(text) => Gender::parse(&text).map_err(|e| sqlx::Error::Decode(e.into()))?,
        None => None,
    };
    Ok(Employee {
        user: user_from(row)?,
        age: row.try_get("age")?,
        gender,
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: row.try_get("created_at")?,
        has_history: row.try_get::<i64, _>("has_history")? != 0,
    })
}

/// Every account: active ones first, then by name.
pub async fn list_employees(db: &Db) -> Result<Vec<Employee>> {
    let sql = format!(
        "SELECT {EMPLOYEE_COLUMNS} FROM users u \
         ORDER BY u.active DESC, LOWER(u.first_name), LOWER(u.last_name), u.id"
    );
    sqlx::query(&sql)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(employee_from)
        .collect()
}

/// One account as managers see it.
pub async fn get_employee(db: &Db, id: i64) -> Result<Option<Employee>> {
    let sql = format!("SELECT {EMPLOYEE_COLUMNS} FROM users u WHERE u.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(employee_from).transpose()
}

fn taken(error: sqlx::Error) -> PeopleError {
    match classify(error) {
        StorageError::Conflict { .. } => PeopleError::EmailTaken,
        other => PeopleError::Storage(other),
    }
}

/// Creates an account from the employee form; `password_hash` is already hashed.
pub async fn create_employee(
    db: &Db,
    draft: &EmployeeDraft,
    password_hash: &str,
    actor: &Actor,
    now: i64,
) -> Result<i64, PeopleError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO users \
         (email, first_name, last_name, role, active, password_hash, created_at, age, gender) \
         VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8) RETURNING id",
    )
    .bind(draft.email.as_str())
    .bind(&draft.first_name)
    .bind(&draft.last_name)
    .bind(draft.role.as_str())
    .bind(password_hash)
    .bind(now)
    .bind(draft.age)
    .bind(draft.gender.map(Gender::as_str))
    .fetch_one(&mut *tx)
    .await
    .map_err(taken)?
    .try_get("id")?;
    let detail = format!(
        "{} ({})",
        format!("{} {}", draft.first_name, draft.last_name).trim(),
        draft.role
    );
    let entry = NewEntry::by(
        actor,
        now,
        AuditAction::EmployeeCreated,
        (id, draft.email.as_str()),
        &detail,
    );
    audit::insert(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// Locks every active manager's row until the transaction ends, then counts the active managers
/// other than `except`. On PostgreSQL two concurrent demotions of two different managers would
/// otherwise each see the other still in place and leave the shop with none; with the rows
/// locked the second waits and then counts what the first committed. (SQLite's write
/// transaction already runs alone; the no-op update is harmless there.)
async fn other_active_managers(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    except: i64,
) -> Result<i64> {
    sqlx::query("UPDATE users SET role = role WHERE role = 'manager' AND active = 1")
        .execute(&mut **tx)
        .await?;
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM users WHERE role = 'manager' AND active = 1 AND id <> $1",
    )
    .bind(except)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?)
}

/// The account `id` inside a transaction, or [`PeopleError::NotFound`].
async fn current(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
) -> Result<Employee, PeopleError> {
    let sql = format!("SELECT {EMPLOYEE_COLUMNS} FROM users u WHERE u.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await?;
    row.as_ref()
        .map(employee_from)
        .transpose()?
        .ok_or(PeopleError::NotFound)
}

/// What changed, in words, for the audit line.
fn describe_changes(before: &Employee, after: &EmployeeDraft) -> String {
    let mut changes = Vec::new();
    let name_before = before.user.full_name();
    let name_after = format!("{} {}", after.first_name, after.last_name)
        .trim()
        .to_owned();
    if name_before != name_after {
        changes.push(format!("name {name_before} → {name_after}"));
    }
    if before.user.email != after.email {
        changes.push(format!("email {} → {}", before.user.email, after.email));
    }
    if before.user.role != after.role {
        changes.push(format!("role {} → {}", before.user.role, after.role));
    }
    let show_age = |age: Option<i64>| age.map_or("not said".to_owned(), |a| a.to_string());
    if before.age != after.age {
        changes.push(format!(
            "age {} → {}",
            show_age(before.age),
            show_age(after.age)
        ));
    }
    let show_gender = |g: Option<Gender>| g.map_or("not said", Gender::label);
    if before.gender != after.gender {
        changes.push(format!(
            "gender {} → {}",
            show_gender(before.gender),
            show_gender(after.gender)
        ));
    }
    if changes.is_empty() {
        "no changes".to_owned()
    } else {
        changes.join("; ")
    }
}

/// Saves the employee form for account `id`. Demoting oneself or the last active manager is
/// refused.
pub async fn update_employee(
    db: &Db,
    id: i64,
    draft: &EmployeeDraft,
    actor: &Actor,
    now: i64,
) -> Result<(), PeopleError> {
    let mut tx = db.begin_write().await?;
    let before = current(&mut tx, id).await?;
    let demoting = before.user.role.is_manager() && !draft.role.is_manager();
    if demoting && id == actor.id {
        return Err(PeopleError::OwnAccount);
    }
    if demoting && before.active && other_active_managers(&mut tx, id).await? == 0 {
        return Err(PeopleError::LastManager);
    }
    sqlx::query(
        "UPDATE users SET email = $2, first_name = $3, last_name = $4, role = $5, age = $6, \
         gender = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(draft.email.as_str())
    .bind(&draft.first_name)
    .bind(&draft.last_name)
    .bind(draft.role.as_str())
    .bind(draft.age)
    .bind(draft.gender.map(Gender::as_str))
    .execute(&mut *tx)
    .await
    .map_err(taken)?;
    let detail = describe_changes(&before, draft);
    let entry = NewEntry::by(
        actor,
        now,
        AuditAction::EmployeeUpdated,
        (id, before.user.email.as_str()),
        &detail,
    );
    audit::insert(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password for account `id` (a manager's reset for someone who forgot theirs) and
/// ends every session of that person except `keep_session` (the manager's own, when resetting
/// their own password here). Returns how many sessions ended.
pub async fn reset_password(
    db: &Db,
    id: i64,
    password_hash: &str,
    keep_session: Option<&str>,
    actor: &Actor,
    now: i64,
) -> Result<u64, PeopleError> {
    let mut tx = db.begin_write().await?;
    let before = current(&mut tx, id).await?;
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(&mut *tx)
        .await?;
    let ended = super::sessions::delete_for_user_except(&mut *tx, id, keep_session).await?;
    let detail = format!("{ended} sessions ended");
    let entry = NewEntry::by(
        actor,
        now,
        AuditAction::PasswordReset,
        (id, before.user.email.as_str()),
        &detail,
    );
    audit::insert(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Deactivates (ending every session of that person at once) or reactivates account `id`.
/// Deactivating oneself or the last active manager is refused.
pub async fn set_active(
    db: &Db,
    id: i64,
    active: bool,
    actor: &Actor,
    now: i64,
) -> Result<(), PeopleError> {
    let mut tx = db.begin_write().await?;
    let before = current(&mut tx, id).await?;
    if !active {
        if id == actor.id {
            return Err(PeopleError::OwnAccount);
        }
        if before.active
            && before.user.role.is_manager()
            && other_active_managers(&mut tx, id).await? == 0
        {
            return Err(PeopleError::LastManager);
        }
    }
    sqlx::query("UPDATE users SET active = $2 WHERE id = $1")
        .bind(id)
        .bind(flag(active))
        .execute(&mut *tx)
        .await?;
    if !active {
        super::sessions::delete_for_user_except(&mut *tx, id, None).await?;
    }
    let action = if active {
        AuditAction::EmployeeReactivated
    } else {
        AuditAction::EmployeeDeactivated
    };
    let entry = NewEntry::by(actor, now, action, (id, before.user.email.as_str()), "");
    audit::insert(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes account `id` when the person has recorded nothing (no bills, no movements).
pub async fn delete_employee(db: &Db, id: i64, actor: &Actor, now: i64) -> Result<(), PeopleError> {
    let mut tx = db.begin_write().await?;
    let before = current(&mut tx, id).await?;
    if id == actor.id {
        return Err(PeopleError::OwnAccount);
    }
    if before.has_history {
        return Err(PeopleError::HasHistory);
    }
    if before.active
        && before.user.role.is_manager()
        && other_active_managers(&mut tx, id).await? == 0
    {
        return Err(PeopleError::LastManager);
    }
    // One-time form keys that never became a bill are not history.
    sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND bill_id IS NULL")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    super::sessions::delete_for_user_except(&mut *tx, id, None).await?;
    let deleted = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await;
    match deleted {
        Ok(_) => {}
        // Anything else that names the person (a table added later) keeps them.
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            return Err(PeopleError::HasHistory)
        }
        Err(e) => return Err(e.into()),
    }
    let detail = before.user.full_name();
    let entry = NewEntry::by(
        actor,
        now,
        AuditAction::EmployeeDeleted,
        (id, before.user.email.as_str()),
        &detail,
    );
    audit::insert(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a person's own new password and ends their other sessions (all but `keep_session`).
pub async fn change_own_password(
    db: &Db,
    actor: &Actor,
    password_hash: &str,
    keep_session: Option<&str>,
    now: i64,
) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(actor.id)
        .bind(password_hash)
        .execute(&mut *tx)
        .await?;
    let ended = super::sessions::delete_for_user_except(&mut *tx, actor.id, keep_session).await?;
    let detail = format!("{ended} other sessions ended");
    let entry = NewEntry::by(
        actor,
        now,
        AuditAction::PasswordChanged,
        (actor.id, actor.email.as_str()),
        &detail,
    );
    audit::insert(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(ended)
}
