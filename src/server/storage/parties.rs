//! Parties: suppliers and customers, remembered from the bills that name them. A party is
//! matched on `name_key` (the name folded by [`Name::key`], case and spacing ignored), so
//! "ravi  traders" on a bill is Ravi Traders.
//!
//! Every bill belongs to the party it names: the recorder upserts the party in the bill's own
//! transaction ([`remember`]; a concurrent first bill of the same new party waits on the unique
//! key and then updates the row the other inserted). Bills recorded before parties existed are
//! linked by [`link_bills`], which only looks at bills without a party, so running it again
//! changes nothing. A bill keeps the name, phone and address it was recorded with; renaming a
//! party changes the party, not its past bills.

use super::history::{self, BillFilter};
use super::{classify, like_escape, Arg, Conditions, Db, Result, StorageError};
use crate::domain::bill::BillKind;
use crate::domain::bill_form::Party;
use crate::domain::ledger::{BillSummary, Page, Seek};
use crate::domain::party::{sides_of, PartyDraft, PartyPage, PartyRow, PartySuggestion};
use crate::domain::{search, Money, Name};
use futures_util::TryStreamExt;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// What a bill (or, when linking, a party's bills) says about its party.
struct Seen<'a> {
    name: &'a str,
    key: &'a str,
    phone: Option<&'a str>,
    address: Option<&'a str>,
    supplier: bool,
    customer: bool,
    first_at: i64,
    last_at: i64,
}

/// The upsert. A new bill's phone and address replace what the party had (`newest`); old
/// bills being linked only fill what is missing, since the party may already hold newer ones.
fn upsert_sql(newest: bool) -> String {
    let (phone, address) = if newest {
        (
            "COALESCE(excluded.phone, parties.phone)",
            "COALESCE(excluded.address, parties.address)",
        )
    } else {
        (
            "COALESCE(parties.phone, excluded.phone)",
            "COALESCE(parties.address, excluded.address)",
        )
    };
    format!(
        "INSERT INTO parties (name, name_key, phone, address, is_supplier, is_customer, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (name_key) DO UPDATE SET phone = {phone}, address = {address}, \
             is_supplier = CASE WHEN excluded.is_supplier = 1 THEN 1 ELSE parties.is_supplier END, \
             is_customer = CASE WHEN excluded.is_customer = 1 THEN 1 ELSE parties.is_customer END, \
             updated_at = CASE WHEN excluded.updated_at > parties.updated_at THEN excluded.updated_at ELSE parties.updated_at END \
         RETURNING id"
    )
}

async fn upsert(
    conn: &mut AnyConnection,
    seen: &Seen<'_>,
    newest: bool,
) -> Result<i64, sqlx::Error> {
    sqlx::query(&upsert_sql(newest))
        .bind(seen.name)
        .bind(seen.key)
        .bind(seen.phone)
        .bind(seen.address)
        .bind(super::flag(seen.supplier))
        .bind(super::flag(seen.customer))
        .bind(seen.first_at)
        .bind(seen.last_at)
        .fetch_one(conn)
        .await?
        .try_get("id")
}

/// The party a new bill of `kind` names, created or brought up to date (its phone and address
/// are the bill's, where the bill has them), inside the bill's transaction. Returns its id.
pub(crate) async fn remember(
    conn: &mut AnyConnection,
    party: &Party,
    kind: BillKind,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (supplier, customer) = sides_of(kind);
    let key = party.name.key();
    let seen = Seen {
        name: party.name.as_str(),
        key: &key,
        phone: party.phone.as_deref(),
        address: party.address.as_deref(),
        supplier,
        customer,
        first_at: now,
        last_at: now,
    };
    upsert(conn, &seen, true).await
}

/// What the unlinked bills of one party say, oldest first.
#[derive(Default)]
struct Gathered {
    /// The name as its latest bill spelled it.
    name: String,
    /// Every spelling on its bills (each is linked by its exact text).
    spellings: BTreeSet<String>,
    phone: Option<String>,
    address: Option<String>,
    supplier: bool,
    customer: bool,
    first_at: i64,
    last_at: i64,
}

/// Links every bill without a party to the party its name matches, creating the parties that
/// do not exist yet (the latest bill's spelling, phone and address; supplier and customer by
/// the kinds of its bills; created and updated at its first and latest bill). Bills whose name
/// is blank are left unlinked. Idempotent: linked bills are never looked at again. Returns how
/// many bills were linked.
pub async fn link_bills(conn: &mut AnyConnection) -> Result<u64> {
    let mut parties: BTreeMap<String, Gathered> = BTreeMap::new();
    {
        let mut rows = sqlx::query(
            "SELECT party_name, party_phone, party_address, kind, created_at FROM bills \
             WHERE party_id IS NULL ORDER BY created_at, id",
        )
        .fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let spelled: String = row.try_get("party_name")?;
            let Ok(name) = Name::parse(&spelled) else {
                continue;
            };
            let kind: BillKind = super::stored(&row, "kind")?;
            let at: i64 = row.try_get("created_at")?;
            let party = parties.entry(name.key()).or_insert_with(|| Gathered {
                first_at: at,
                ..Gathered::default()
            });
            party.name = name.as_str().to_owned();
            party.spellings.insert(spelled);
            let phone: Option<String> = row.try_get("party_phone")?;
            let address: Option<String> = row.try_get("party_address")?;
            party.phone = phone
                .filter(|p| !p.trim().is_empty())
                .or(party.phone.take());
            party.address = address
                .filter(|a| !a.trim().is_empty())
                .or(party.address.take());
            let (supplier, customer) = sides_of(kind);
            party.supplier |= supplier;
            party.customer |= customer;
            party.last_at = at;
        }
    }
    let mut linked = 0;
    for (key, party) in &parties {
        let seen = Seen {
            name: &party.name,
            key,
            phone: party.phone.as_deref(),
            address: party.address.as_deref(),
            supplier: party.supplier,
            customer: party.customer,
            first_at: party.first_at,
            last_at: party.last_at,
        };
        let id = upsert(conn, &seen, false).await?;
        for spelled in &party.spellings {
            linked += sqlx::query(
                "UPDATE bills SET party_id = $1 WHERE party_id IS NULL AND party_name = $2",
            )
            .bind(id)
            .bind(spelled)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        }
    }
    if linked > 0 {
        tracing::info!(
            bills = linked,
            parties = parties.len(),
            "linked bills to parties"
        );
    }
    Ok(linked)
}

/// [`link_bills`] in a transaction of its own (the seeder's bulk load writes bills without
/// parties).
pub async fn link_all(db: &Db) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    let linked = link_bills(&mut tx).await?;
    tx.commit().await?;
    Ok(linked)
}

/// The columns of a [`PartyRow`], its bills summed by subqueries along `bills_by_party`.
const ROW: &str = "SELECT p.id, p.name, p.phone, p.address, p.is_supplier, p.is_customer, \
     (SELECT COUNT(*) FROM bills b WHERE b.party_id = p.id) AS bills, \
     (SELECT COALESCE(CAST(SUM(CASE b.kind WHEN 'purchase' THEN b.total WHEN 'purchase_return' THEN -b.total ELSE 0 END) AS BIGINT), 0) \
        FROM bills b WHERE b.party_id = p.id) AS bought, \
     (SELECT COALESCE(CAST(SUM(CASE b.kind WHEN 'sale' THEN b.total WHEN 'sale_return' THEN -b.total ELSE 0 END) AS BIGINT), 0) \
        FROM bills b WHERE b.party_id = p.id) AS sold, \
     (SELECT MAX(b.created_at) FROM bills b WHERE b.party_id = p.id) AS last_bill_at \
     FROM parties p";

fn party_row(row: &sqlx::any::AnyRow) -> Result<PartyRow> {
    Ok(PartyRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        phone: row.try_get("phone")?,
        address: row.try_get("address")?,
        is_supplier: row.try_get::<i64, _>("is_supplier")? == 1,
        is_customer: row.try_get::<i64, _>("is_customer")? == 1,
        bills: row.try_get("bills")?,
        bought: Money::from_minor(row.try_get("bought")?),
        sold: Money::from_minor(row.try_get("sold")?),
        last_bill_at: row.try_get("last_bill_at")?,
    })
}

/// Parties in name order, `per_page` at a time (`page` from 1), optionally only those whose
/// name or phone contains `q`.
pub async fn list(db: &Db, q: Option<&str>, page: i64, per_page: i64) -> Result<PartyPage> {
    let mut conditions = Conditions::default();
    if let Some(q) = q.and_then(search::query) {
        let pattern = format!("%{}%", like_escape(&q));
        conditions.push(
            "(p.name_key LIKE ? ESCAPE '\\' OR p.phone LIKE ? ESCAPE '\\')",
            [Arg::Text(pattern.clone()), Arg::Text(pattern)],
        );
    }
    let page = page.max(1);
    let n = conditions.next_param();
    let sql = format!(
        "{ROW} {} ORDER BY p.name_key, p.id LIMIT ${n} OFFSET ${}",
        conditions.where_sql(),
        n + 1
    );
    let mut rows = conditions
        .bind(sqlx::query(&sql))
        .bind(per_page + 1)
        .bind((page - 1).saturating_mul(per_page))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(party_row)
        .collect::<Result<Vec<_>>>()?;
    let has_next = rows.len() > usize::try_from(per_page).unwrap_or_default();
    rows.truncate(usize::try_from(per_page).unwrap_or_default());
    Ok(PartyPage {
        rows,
        page,
        has_next,
    })
}

/// One party with its sums, or `None`.
pub async fn get(db: &Db, id: i64) -> Result<Option<PartyRow>> {
    sqlx::query(&format!("{ROW} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(party_row)
        .transpose()
}

/// A party's bills, newest first, a page of `per_page` from `seek` (along `bills_by_party`).
pub async fn bills(db: &Db, id: i64, seek: Seek, per_page: i64) -> Result<Page<BillSummary>> {
    history::bills_where(db, BillFilter { party_id: Some(id) }, seek, per_page).await
}

/// Saves a party's name, phone and address. Another party with the same name (case and
/// spacing ignored) refuses it with [`StorageError::Conflict`] and nothing changes.
pub async fn update(db: &Db, id: i64, draft: &PartyDraft, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE parties SET name = $1, name_key = $2, phone = $3, address = $4, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(draft.name.as_str())
    .bind(draft.name.key())
    .bind(draft.phone.as_deref())
    .bind(draft.address.as_deref())
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await
    .map_err(classify)?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound);
    }
    Ok(())
}

/// Up to `limit` parties whose name starts with or contains `q`, those of `kind`'s side
/// (suppliers for a purchase) first, then those starting with it, then by name.
pub async fn suggest(db: &Db, q: &str, kind: BillKind, limit: i64) -> Result<Vec<PartySuggestion>> {
    let Some(q) = search::query(q) else {
        return Ok(Vec::new());
    };
    let side = if sides_of(kind).0 {
        "is_supplier"
    } else {
        "is_customer"
    };
    let rows = sqlx::query(&format!(
        "SELECT name, phone, address FROM parties WHERE name_key LIKE $1 ESCAPE '\\' \
         ORDER BY CASE WHEN {side} = 1 THEN 0 ELSE 1 END, \
                  CASE WHEN name_key LIKE $2 ESCAPE '\\' THEN 0 ELSE 1 END, name_key \
         LIMIT $3"
    ))
    .bind(format!("%{}%", like_escape(&q)))
    .bind(format!("{}%", like_escape(&q)))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PartySuggestion {
                name: r.try_get("name")?,
                phone: r.try_get("phone")?,
                address: r.try_get("address")?,
            })
        })
        .collect()
}
