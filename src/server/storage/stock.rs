//! Recording bills. A purchase brings stock in as lots and moves the average cost; a sale takes
//! stock out first-expiry-first-out. Each bill is one transaction — all of it or none of it —
//! guarded by a one-time key so a repeated submit records once.
//!
//! Why stock never goes negative, on any number of instances: a sale decrements a product with
//! `UPDATE … SET quantity = quantity - n WHERE quantity >= n`. On PostgreSQL that row update
//! locks the product until commit, so concurrent sales of one product queue and each sees the
//! previous one's result; on SQLite the `BEGIN IMMEDIATE` write lock serialises writers. Lines are
//! processed in product-id order so two bills never wait on each other's locks (no deadlock).

use super::{classify, stored_day, Db, StorageError};
use crate::domain::bill::{line_total, BillKind, Totals};
use crate::domain::bill_form::{BillDraft, Line, Party};
use crate::domain::ledger::MovementKind;
use crate::domain::stock::{sell as take_from_lots, LotStock, Position};
use crate::domain::{Money, Name};
use sqlx::{Any, Row, Transaction};

/// A bill to record: a checked form (see [`BillDraft`]) and who records it when.
#[derive(Clone, Debug)]
pub struct BillInput {
    pub kind: BillKind,
    pub party: Party,
    pub lines: Vec<Line>,
    pub tax_rate_bp: u32,
    pub user_id: i64,
    /// The form's one-time key, as stored (unique across kinds).
    pub key: String,
    pub now: i64,
}

impl BillInput {
    /// The bill a checked form asks for.
    pub fn from_draft(draft: BillDraft, tax_rate_bp: u32, user_id: i64, now: i64) -> Self {
        Self {
            kind: draft.kind,
            key: format!("{}:{}", draft.kind.as_str(), draft.key.as_str()),
            party: draft.party,
            lines: draft.lines,
            tax_rate_bp,
            user_id,
            now,
        }
    }
}

/// The outcome of recording: a new bill, or the bill an earlier submit with the same key made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    New(i64),
    Replayed(i64),
}

impl Recorded {
    /// The bill's id either way.
    pub fn bill_id(self) -> i64 {
        match self {
            Recorded::New(id) | Recorded::Replayed(id) => id,
        }
    }
}

/// Why a bill was not recorded. Nothing was written in any of these cases. `line` is the
/// line's place in the form ([`Line::index`]).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("Not enough stock of {product}: {available} {unit} available")]
    NotEnoughStock {
        line: usize,
        product: String,
        available: i64,
        unit: String,
    },
    #[error("There is no product named {name}")]
    UnknownProduct { line: usize, name: String },
    #[error("This form was already used by someone else")]
    ForeignKey,
    #[error("This form is still being recorded; try again in a moment")]
    InFlight,
    #[error("The bill's total is too large")]
    TooLarge,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for RecordError {
    fn from(error: sqlx::Error) -> Self {
        RecordError::Storage(classify(error))
    }
}

/// Records a purchase or a sale atomically and idempotently.
pub async fn record(db: &Db, bill: &BillInput) -> Result<Recorded, RecordError> {
    let totals = Totals::of(
        bill.lines.iter().map(|l| (l.quantity.get(), l.unit_amount)),
        bill.tax_rate_bp,
    )
    .map_err(|_| RecordError::TooLarge)?;

    let mut tx = db.begin_write().await?;
    // The key is claimed first, inside the transaction: a concurrent submit with the same key
    // waits here (PostgreSQL) or behind the write lock (SQLite) and then sees the committed bill.
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys (key, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
    )
    .bind(&bill.key)
    .bind(bill.user_id)
    .bind(bill.now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        tx.rollback().await?;
        return replay(db, &bill.key, bill.user_id).await;
    }

    let bill_id: i64 = sqlx::query(
        "INSERT INTO bills (kind, party_name, party_phone, party_address, subtotal, tax_rate_bp, tax, total, \
                            created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(bill.kind.as_str())
    .bind(bill.party.name.as_str())
    .bind(bill.party.phone.as_deref())
    .bind(bill.party.address.as_deref())
    .bind(totals.subtotal.minor())
    .bind(i64::from(bill.tax_rate_bp))
    .bind(totals.tax.minor())
    .bind(totals.total.minor())
    .bind(bill.user_id)
    .bind(bill.now)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;

    // Resolve every product first, then work through them in id order (see the module note).
    let mut lines = Vec::with_capacity(bill.lines.len());
    for (position, line) in bill.lines.iter().enumerate() {
        let product = match bill.kind {
            BillKind::Purchase => find_or_create_product(&mut tx, &line.product, bill.now).await?,
            BillKind::Sale => find_product(&mut tx, &line.product).await?.ok_or_else(|| {
                RecordError::UnknownProduct {
                    line: line.index,
                    name: line.product.to_string(),
                }
            })?,
        };
        lines.push((position, product, line));
    }
    lines.sort_by_key(|(position, product, _)| (product.id, *position));

    let mut cost_of_goods = Money::ZERO;
    for (position, product, line) in &lines {
        sqlx::query(
            "INSERT INTO bill_lines (bill_id, line_no, product_id, quantity, unit_price, line_total, expires_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(bill_id)
        .bind(i64::try_from(*position).unwrap_or(i64::MAX) + 1)
        .bind(product.id)
        .bind(line.quantity.get())
        .bind(line.unit_amount.minor())
        .bind(line_total(line.quantity.get(), line.unit_amount).map_or(0, Money::minor))
        .bind(line.expires_on.map(|d| d.to_string()))
        .execute(&mut *tx)
        .await?;
        match bill.kind {
            BillKind::Purchase => receive(&mut tx, bill, bill_id, product, line).await?,
            BillKind::Sale => {
                let cost = sell(&mut tx, bill, bill_id, product, line).await?;
                cost_of_goods =
                    Money::from_minor(cost_of_goods.minor().saturating_add(cost.minor()));
            }
        }
    }
    if bill.kind == BillKind::Sale {
        sqlx::query("UPDATE bills SET cost_of_goods = $1 WHERE id = $2")
            .bind(cost_of_goods.minor())
            .bind(bill_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE idempotency_keys SET bill_id = $1 WHERE key = $2")
        .bind(bill_id)
        .bind(&bill.key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Recorded::New(bill_id))
}

/// The answer to a key that was used before.
async fn replay(db: &Db, key: &str, user_id: i64) -> Result<Recorded, RecordError> {
    let row = sqlx::query("SELECT user_id, bill_id FROM idempotency_keys WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else {
        return Err(RecordError::InFlight);
    };
    if row.try_get::<i64, _>("user_id")? != user_id {
        return Err(RecordError::ForeignKey);
    }
    match row.try_get::<Option<i64>, _>("bill_id")? {
        Some(bill_id) => Ok(Recorded::Replayed(bill_id)),
        None => Err(RecordError::InFlight),
    }
}

/// A product as the recorder needs it.
#[derive(Clone, Debug)]
struct ProductRef {
    id: i64,
    name: String,
    unit: String,
}

fn product_ref(row: &sqlx::any::AnyRow) -> Result<ProductRef, sqlx::Error> {
    Ok(ProductRef {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        unit: row.try_get("unit")?,
    })
}

async fn find_product(
    tx: &mut Transaction<'static, Any>,
    name: &Name,
) -> Result<Option<ProductRef>, RecordError> {
    let row =
        sqlx::query("SELECT id, name, unit FROM products WHERE name_key = $1 AND archived = 0")
            .bind(name.key())
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.as_ref().map(product_ref).transpose()?)
}

/// The product with this name; a purchase of an unknown name creates it (and a purchase of an
/// archived one brings it back).
async fn find_or_create_product(
    tx: &mut Transaction<'static, Any>,
    name: &Name,
    now: i64,
) -> Result<ProductRef, RecordError> {
    let row = sqlx::query(
        "INSERT INTO products (name, name_key, created_at, updated_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (name_key) DO UPDATE SET archived = 0 RETURNING id, name, unit",
    )
    .bind(name.as_str())
    .bind(name.key())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(product_ref(&row)?)
}

/// Stock in: a new lot, a movement, and the product's quantity and moving average cost.
async fn receive(
    tx: &mut Transaction<'static, Any>,
    bill: &BillInput,
    bill_id: i64,
    product: &ProductRef,
    line: &Line,
) -> Result<(), RecordError> {
    // Lock the row first (a no-op update), then read: the average is computed from the quantity
    // no one else can change until we commit.
    sqlx::query("UPDATE products SET updated_at = $1 WHERE id = $2")
        .bind(bill.now)
        .bind(product.id)
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query("SELECT quantity, average_cost FROM products WHERE id = $1")
        .bind(product.id)
        .fetch_one(&mut **tx)
        .await?;
    let before = Position {
        quantity: row.try_get("quantity")?,
        average_cost: Money::from_minor(row.try_get("average_cost")?),
    };
    let quantity = line.quantity.get();
    let after = before.receive(quantity, line.unit_amount);
    sqlx::query("UPDATE products SET quantity = quantity + $1, average_cost = $2 WHERE id = $3")
        .bind(quantity)
        .bind(after.average_cost.minor())
        .bind(product.id)
        .execute(&mut **tx)
        .await?;
    let lot_id: i64 = sqlx::query(
        "INSERT INTO lots (product_id, bill_id, quantity_in, remaining, unit_cost, expires_on, received_at) \
         VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id",
    )
    .bind(product.id)
    .bind(bill_id)
    .bind(quantity)
    .bind(line.unit_amount.minor())
    .bind(line.expires_on.map(|d| d.to_string()))
    .bind(bill.now)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    insert_movement(
        tx,
        bill,
        bill_id,
        product.id,
        quantity,
        line.unit_amount,
        line.unit_amount,
        lot_id,
    )
    .await
}

/// Stock out: the conditional decrement, then lots first-expiry-first-out. Returns the cost of
/// the goods sold.
async fn sell(
    tx: &mut Transaction<'static, Any>,
    bill: &BillInput,
    bill_id: i64,
    product: &ProductRef,
    line: &Line,
) -> Result<Money, RecordError> {
    let quantity = line.quantity.get();
    let taken = sqlx::query(
        "UPDATE products SET quantity = quantity - $1, updated_at = $2 WHERE id = $3 AND quantity >= $1",
    )
    .bind(quantity)
    .bind(bill.now)
    .bind(product.id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if taken == 0 {
        let available: i64 = sqlx::query("SELECT quantity FROM products WHERE id = $1")
            .bind(product.id)
            .fetch_one(&mut **tx)
            .await?
            .try_get("quantity")?;
        return Err(RecordError::NotEnoughStock {
            line: line.index,
            product: product.name.clone(),
            available,
            unit: product.unit.clone(),
        });
    }
    let rows = sqlx::query(
        "SELECT id, remaining, unit_cost, expires_on, received_at FROM lots WHERE product_id = $1 AND remaining > 0",
    )
    .bind(product.id)
    .fetch_all(&mut **tx)
    .await?;
    let lots = rows
        .iter()
        .map(|r| {
            Ok(LotStock {
                id: r.try_get("id")?,
                remaining: r.try_get("remaining")?,
                unit_cost: Money::from_minor(r.try_get("unit_cost")?),
                expires_on: stored_day(r, "expires_on")?,
                received_at: r.try_get("received_at")?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let sale = take_from_lots(&lots, quantity).map_err(|short| {
        // The product's quantity said yes but its lots say no: the ledger is inconsistent.
        tracing::error!(
            product_id = product.id,
            ?short,
            "lots disagree with the product's quantity"
        );
        RecordError::Storage(StorageError::NotFound)
    })?;
    for take in &sale.takes {
        sqlx::query("UPDATE lots SET remaining = remaining - $1 WHERE id = $2 AND remaining >= $1")
            .bind(take.quantity)
            .bind(take.lot_id)
            .execute(&mut **tx)
            .await?;
        insert_movement(
            tx,
            bill,
            bill_id,
            product.id,
            -take.quantity,
            line.unit_amount,
            take.unit_cost,
            take.lot_id,
        )
        .await?;
    }
    Ok(sale.cost_of_goods)
}

#[expect(
    clippy::too_many_arguments,
    reason = "one per column; a struct would only rename them"
)]
async fn insert_movement(
    tx: &mut Transaction<'static, Any>,
    bill: &BillInput,
    bill_id: i64,
    product_id: i64,
    quantity: i64,
    unit_amount: Money,
    unit_cost: Money,
    lot_id: i64,
) -> Result<(), RecordError> {
    sqlx::query(
        "INSERT INTO movements (product_id, kind, quantity, unit_amount, unit_cost, lot_id, bill_id, user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(product_id)
    .bind(MovementKind::of_bill(bill.kind).as_str())
    .bind(quantity)
    .bind(unit_amount.minor())
    .bind(unit_cost.minor())
    .bind(lot_id)
    .bind(bill_id)
    .bind(bill.user_id)
    .bind(bill.now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
