//! Reading what was recorded: bills, the ledger, and lots with stock left.

use super::keyset::{self, Keyset, Order};
use super::{like_escape, stored, stored_day, Arg, Conditions, Db, Result};
use crate::domain::bill::{Bill, BillKind, BillLine};
use crate::domain::ledger::{
    BillSummary, Cursor, ExpiringLot, Movement, MovementKind, OpenLot, Page, Seek,
};
use crate::domain::product::COUNT_CAP;
use crate::domain::{search, Day, Money};
use sqlx::Row;

/// Newest first along `(created_at, id)` (the `bills_recent` index).
const BILLS: Keyset = Keyset {
    order: Order::NewestFirst,
    key: "created_at",
    id: "id",
};

/// Newest first along `(m.created_at, m.id)` (`movements_recent` and the per-product and
/// per-kind indexes that end in the same columns).
const MOVEMENTS: Keyset = Keyset {
    order: Order::NewestFirst,
    key: "m.created_at",
    id: "m.id",
};

/// Soonest first along `lots_open_by_expiry (expires_on, id)`.
const EXPIRING: Keyset = Keyset {
    order: Order::SoonestFirst,
    key: "l.expires_on",
    id: "l.id",
};

/// Which bills a bill list shows.
#[derive(Clone, Copy, Debug, Default)]
pub struct BillFilter {
    /// Only this party's (read along `bills_by_party`).
    pub party_id: Option<i64>,
}

/// Bills, newest first, a page of `per_page` from `seek`.
pub async fn bills(db: &Db, seek: Seek, per_page: i64) -> Result<Page<BillSummary>> {
    bills_where(db, BillFilter::default(), seek, per_page).await
}

/// The bills `filter` keeps, newest first, a page of `per_page` from `seek`.
pub async fn bills_where(
    db: &Db,
    filter: BillFilter,
    seek: Seek,
    per_page: i64,
) -> Result<Page<BillSummary>> {
    let mut conditions = Conditions::default();
    if let Some(party) = filter.party_id {
        conditions.push("party_id = ?", [Arg::Int(party)]);
    }
    keyset::page(
        db,
        // The item count and first names ride along as subqueries on `bill_lines`' unique
        // `(bill_id, line_no)` index: one statement for the whole page, never one per row.
        "SELECT id, kind, party_name, total, created_at, \
                (SELECT COUNT(*) FROM bill_lines l WHERE l.bill_id = bills.id) AS items, \
                (SELECT p.name FROM bill_lines l JOIN products p ON p.id = l.product_id \
                 WHERE l.bill_id = bills.id ORDER BY l.line_no LIMIT 1) AS first_product, \
                (SELECT p.name FROM bill_lines l JOIN products p ON p.id = l.product_id \
                 WHERE l.bill_id = bills.id ORDER BY l.line_no LIMIT 1 OFFSET 1) AS second_product \
         FROM bills",
        conditions,
        BILLS,
        seek,
        per_page,
        |r| {
            Ok(BillSummary {
                id: r.try_get("id")?,
                kind: stored(r, "kind")?,
                party_name: r.try_get("party_name")?,
                total: Money::from_minor(r.try_get("total")?),
                created_at: r.try_get("created_at")?,
                items: r.try_get("items")?,
                first_products: [
                    r.try_get::<Option<String>, _>("first_product")?,
                    r.try_get::<Option<String>, _>("second_product")?,
                ]
                .into_iter()
                .flatten()
                .collect(),
            })
        },
        |b| Cursor {
            at: b.created_at,
            id: b.id,
        },
    )
    .await
}

/// One bill with its lines, or `None`.
pub async fn bill(db: &Db, id: i64) -> Result<Option<Bill>> {
    let Some(row) = sqlx::query(
        "SELECT b.id, b.kind, b.party_id, b.party_name, b.party_phone, b.party_address, b.subtotal, b.tax_rate_bp, b.tax, \
                b.total, b.created_at, b.original_bill_id, b.reason, u.first_name, u.last_name \
         FROM bills b JOIN users u ON u.id = b.created_by WHERE b.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let lines = sqlx::query(
        "SELECT l.id, l.product_id, p.name, p.unit, p.loose, l.quantity, l.unit_price, l.line_total, l.expires_on, \
                l.tax_rate_bp, l.tax_code, l.tax \
         FROM bill_lines l JOIN products p ON p.id = l.product_id WHERE l.bill_id = $1 ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(BillLine {
            line_id: r.try_get("id")?,
            product_id: r.try_get("product_id")?,
            product: r.try_get("name")?,
            unit: r.try_get("unit")?,
            loose: r.try_get::<i64, _>("loose")? != 0,
            quantity: r.try_get("quantity")?,
            unit_price: Money::from_minor(r.try_get("unit_price")?),
            line_total: Money::from_minor(r.try_get("line_total")?),
            expires_on: stored_day(r, "expires_on")?,
            tax_rate_bp: r
                .try_get::<Option<i64>, _>("tax_rate_bp")?
                .and_then(|t| u32::try_from(t).ok()),
            tax_code: r.try_get("tax_code")?,
            tax: r.try_get::<Option<i64>, _>("tax")?.map(Money::from_minor),
        })
    })
    .collect::<Result<_>>()?;
    let returns = sqlx::query("SELECT id FROM bills WHERE original_bill_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let kind: BillKind = stored(&row, "kind")?;
    // A product this purchase created: made at the bill's instant, and its first movement ever
    // is one of this bill's (a product entered earlier without stock is not new).
    let added = if kind == BillKind::Purchase {
        sqlx::query(
            "SELECT p.id, p.name FROM bill_lines l JOIN products p ON p.id = l.product_id \
             WHERE l.bill_id = $1 AND p.created_at = (SELECT b.created_at FROM bills b WHERE b.id = $1) \
               AND (SELECT m.bill_id FROM movements m \
                 WHERE m.product_id = l.product_id ORDER BY m.id LIMIT 1) = $1 \
             ORDER BY l.line_no",
        )
        .bind(id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_>>()?
    } else {
        Vec::new()
    };
    let first: String = row.try_get("first_name")?;
    let last: String = row.try_get("last_name")?;
    Ok(Some(Bill {
        id: row.try_get("id")?,
        kind,
        party_id: row.try_get("party_id")?,
        party_name: row.try_get("party_name")?,
        party_phone: row.try_get("party_phone")?,
        party_address: row.try_get("party_address")?,
        subtotal: Money::from_minor(row.try_get("subtotal")?),
        tax_rate_bp: u32::try_from(row.try_get::<i64, _>("tax_rate_bp")?).unwrap_or_default(),
        tax: Money::from_minor(row.try_get("tax")?),
        total: Money::from_minor(row.try_get("total")?),
        created_at: row.try_get("created_at")?,
        created_by: format!("{first} {last}").trim().to_owned(),
        lines,
        original_bill_id: row.try_get("original_bill_id")?,
        reason: row.try_get("reason")?,
        returns,
        added,
    }))
}

/// Filters of the ledger history.
#[derive(Clone, Debug, Default)]
pub struct MovementFilter {
    /// Part of the product's name.
    pub product: Option<String>,
    /// Exactly this product.
    pub product_id: Option<i64>,
    pub kind: Option<MovementKind>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
}

/// Ledger movements matching `filter`, newest first, a page of `per_page` from `seek`.
pub async fn movements(
    db: &Db,
    filter: &MovementFilter,
    seek: Seek,
    per_page: i64,
) -> Result<Page<Movement>> {
    let mut conditions = Conditions::default();
    if let Some(q) = filter.product.as_deref().and_then(search::query) {
        conditions.push(
            "p.name_key LIKE ? ESCAPE '\\'",
            [Arg::Text(format!("%{}%", like_escape(&q)))],
        );
    }
    if let Some(kind) = filter.kind {
        conditions.push("m.kind = ?", [Arg::Text(kind.as_str().to_owned())]);
    }
    if let Some(from) = filter.from {
        conditions.push("m.created_at >= ?", [Arg::Int(from)]);
    }
    if let Some(until) = filter.until {
        conditions.push("m.created_at < ?", [Arg::Int(until)]);
    }
    if let Some(id) = filter.product_id {
        conditions.push("m.product_id = ?", [Arg::Int(id)]);
    }
    keyset::page(
        db,
        "SELECT m.id, m.created_at, m.product_id, p.name, p.unit, p.loose, m.kind, m.quantity, m.unit_amount, m.bill_id \
         FROM movements m JOIN products p ON p.id = m.product_id",
        conditions,
        MOVEMENTS,
        seek,
        per_page,
        |r| {
            Ok(Movement {
                id: r.try_get("id")?,
                created_at: r.try_get("created_at")?,
                product_id: r.try_get("product_id")?,
                product: r.try_get("name")?,
                unit: r.try_get("unit")?,
                loose: r.try_get::<i64, _>("loose")? != 0,
                kind: stored(r, "kind")?,
                quantity: r.try_get("quantity")?,
                unit_amount: Money::from_minor(r.try_get("unit_amount")?),
                bill_id: r.try_get("bill_id")?,
            })
        },
        |m| Cursor {
            at: m.created_at,
            id: m.id,
        },
    )
    .await
}

/// A product's lots with stock left, first-expiry-first-out.
pub async fn open_lots(db: &Db, product_id: i64) -> Result<Vec<OpenLot>> {
    let rows = sqlx::query(
        "SELECT l.id, l.remaining, l.expires_on FROM lots l \
         WHERE l.product_id = $1 AND l.remaining > 0 \
         ORDER BY CASE WHEN l.expires_on IS NULL THEN 1 ELSE 0 END, l.expires_on, l.received_at, l.id",
    )
    .bind(product_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OpenLot {
                lot_id: r.try_get("id")?,
                remaining: r.try_get("remaining")?,
                expires_on: stored_day(r, "expires_on")?,
            })
        })
        .collect()
}

/// The product lot `lot` belongs to.
pub async fn lot_product(db: &Db, lot: i64) -> Result<Option<i64>> {
    Ok(sqlx::query("SELECT product_id FROM lots WHERE id = $1")
        .bind(lot)
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get("product_id"))
        .transpose()?)
}

/// Lots with stock left that expire on or before `until`, soonest first, a page of `per_page`
/// from `seek` (`Newest` is the soonest page, `Before` reads later lots, `After` sooner ones).
/// Read along `lots_open_by_expiry (expires_on, id)`, so a page costs the same however many
/// lots have expired. `today` fills in `days_left`.
pub async fn expiring(
    db: &Db,
    today: Day,
    until: Day,
    seek: Seek,
    per_page: i64,
) -> Result<Page<ExpiringLot>> {
    let mut conditions = Conditions::default();
    conditions.push(
        "l.remaining > 0 AND l.expires_on IS NOT NULL AND l.expires_on <= ?",
        [Arg::Text(until.to_string())],
    );
    keyset::page(
        db,
        "SELECT l.id, l.product_id, p.name, p.unit, p.loose, l.remaining, l.expires_on \
         FROM lots l JOIN products p ON p.id = l.product_id",
        conditions,
        EXPIRING,
        seek,
        per_page,
        |r| {
            let expires_on = stored_day(r, "expires_on")?.unwrap_or(today);
            Ok(ExpiringLot {
                lot_id: r.try_get("id")?,
                product_id: r.try_get("product_id")?,
                product: r.try_get("name")?,
                unit: r.try_get("unit")?,
                loose: r.try_get::<i64, _>("loose")? != 0,
                remaining: r.try_get("remaining")?,
                days_left: today.days_until(expires_on),
                expires_on,
            })
        },
        |lot| Cursor {
            at: lot.expires_on.key(),
            id: lot.lot_id,
        },
    )
    .await
}

/// How many lots with stock left expire on or before `until`, counted up to
/// [`COUNT_CAP`]` + 1` (beyond that the badge says "1,000+"): every page shows it, and a
/// chain's ledger can hold tens of thousands of lots past their date.
pub async fn expiring_count(db: &Db, until: Day) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM lots \
         WHERE remaining > 0 AND expires_on IS NOT NULL AND expires_on <= $1 LIMIT $2) AS capped",
    )
    .bind(until.to_string())
    .bind(COUNT_CAP + 1)
    .fetch_one(db.pool())
    .await?
    .try_get("n")?)
}

/// How long the navigation's badge is reused when this process wrote nothing since it was
/// counted: writes on other instances show within this.
pub const BADGE_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(2);

/// The navigation's badge as last counted: for `until`, after the process's `writes`-th write
/// transaction began, at `at`.
#[derive(Clone, Copy, Debug)]
struct Badge {
    until: Day,
    writes: u64,
    at: std::time::Instant,
    count: i64,
}

/// The badge every page shows, kept by the process between writes (see [`expiring_badge`]).
#[derive(Clone, Debug, Default)]
pub struct BadgeMemo(std::sync::Arc<std::sync::Mutex<Option<Badge>>>);

impl BadgeMemo {
    fn get(&self) -> Option<Badge> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set(&self, badge: Badge) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(badge);
    }
}

/// [`expiring_count`] for the navigation's badge, which every page shows: counted again only
/// when this process began a write since (any write transaction, see `Db::begin_write`), the
/// day moved on, or [`BADGE_FRESH_FOR`] passed (for the writes of other instances). A page
/// view then runs one statement fewer: its session lookup and its own reads.
pub async fn expiring_badge(db: &Db, until: Day) -> Result<i64> {
    // Read before counting: a write that begins while the count runs makes it stale at once.
    let writes = db.writes_begun();
    if let Some(badge) = db.expiry_badge().get() {
        if badge.until == until && badge.writes == writes && badge.at.elapsed() < BADGE_FRESH_FOR {
            return Ok(badge.count);
        }
    }
    let at = std::time::Instant::now();
    let count = expiring_count(db, until).await?;
    db.expiry_badge().set(Badge {
        until,
        writes,
        at,
        count,
    });
    Ok(count)
}
