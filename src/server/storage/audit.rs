//! The audit trail: sign-ins (successful, failed, refused), every change to an employee, and
//! every correction of the stock (counts, write-offs, returns), with who did it, when, and from
//! which address. Append-only (database triggers refuse edits).

use super::keyset::{self, Keyset, Order};
use super::{Conditions, Db, Result};
use crate::domain::employee::{AuditAction, AuditEntry};
use crate::domain::ledger::{Cursor, Page, Seek};
use sqlx::Row;

/// Who acts: the signed-in person and the address the request came from.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: i64,
    pub email: String,
    pub client_addr: String,
}

/// One line to write.
#[derive(Clone, Debug)]
pub struct NewEntry<'a> {
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_email: Option<&'a str>,
    pub action: AuditAction,
    pub target_id: Option<i64>,
    pub target_email: Option<&'a str>,
    pub detail: &'a str,
    pub client_addr: &'a str,
}

impl<'a> NewEntry<'a> {
    /// `actor` did `action` to the account `target` (id, e-mail).
    pub fn by(
        actor: &'a Actor,
        at: i64,
        action: AuditAction,
        target: (i64, &'a str),
        detail: &'a str,
    ) -> Self {
        Self {
            at,
            actor_id: Some(actor.id),
            actor_email: Some(&actor.email),
            action,
            target_id: Some(target.0),
            target_email: Some(target.1),
            detail,
            client_addr: &actor.client_addr,
        }
    }
}

impl<'a> NewEntry<'a> {
    /// `actor` corrected the stock (`detail` says what, of which product, and why).
    pub fn about_stock(actor: &'a Actor, at: i64, action: AuditAction, detail: &'a str) -> Self {
        Self {
            at,
            actor_id: Some(actor.id),
            actor_email: Some(&actor.email),
            action,
            target_id: None,
            target_email: None,
            detail,
            client_addr: &actor.client_addr,
        }
    }
}

/// Writes one line through `executor` (the pool, or a transaction so the line commits with the
/// change it describes).
pub(crate) async fn insert<'e, E>(executor: E, entry: &NewEntry<'_>) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log \
         (at, actor_id, actor_email, action, target_id, target_email, detail, client_addr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.at)
    .bind(entry.actor_id)
    .bind(entry.actor_email)
    .bind(entry.action.code())
    .bind(entry.target_id)
    .bind(entry.target_email)
    .bind(entry.detail)
    .bind(entry.client_addr)
    .execute(executor)
    .await?;
    Ok(())
}

/// Writes one line on its own.
pub async fn record(db: &Db, entry: &NewEntry<'_>) -> Result<()> {
    insert(db.pool(), entry).await
}

/// Newest first along `audit_log_recent (at, id)`.
const TRAIL: Keyset = Keyset {
    order: Order::NewestFirst,
    key: "at",
    id: "id",
};

/// The trail, newest first, a page of `per_page` from `seek`.
pub async fn list(db: &Db, seek: Seek, per_page: i64) -> Result<Page<AuditEntry>> {
    keyset::page(
        db,
        "SELECT id, at, actor_email, action, target_email, detail, client_addr FROM audit_log",
        Conditions::default(),
        TRAIL,
        seek,
        per_page,
        |row| {
            let code: String = row.try_get("action")?;
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: row.try_get("at")?,
                actor: row.try_get("actor_email")?,
                action: AuditAction::from_code(&code).ok_or_else(|| {
                    sqlx::Error::Decode(format!("unknown audit action {code:?}").into())
                })?,
                target: row.try_get("target_email")?,
                detail: row.try_get("detail")?,
                client_addr: row.try_get("client_addr")?,
            })
        },
        |e| Cursor { at: e.at, id: e.id },
    )
    .await
}
