//! Stock counts and write-offs: corrections that are new movements, never edits. Each is one
//! transaction — the correction's row (what, why, who), its movements, the product's and lots'
//! stock, and a line in the audit trail — guarded by the form's one-time key.
//!
//! A count is measured against the quantity on hand *at commit*: the product's row is locked
//! before it is read, so a sale racing the count either lands before it (and the count sees its
//! result) or after it (and takes from what was counted). Stock never goes negative: every
//! decrement is conditional (see [`super::ledger`]).

use super::audit::{self, Actor, NewEntry};
use super::keys::{self, Recorded, Unanswered};
use super::ledger::{self, NewLot, NewMovement, Tx};
use super::summaries::Tally;
use super::{Db, StorageError};
use crate::domain::correction::{count_change, CountChange};
use crate::domain::employee::AuditAction;
use crate::domain::ledger::MovementKind;
use crate::domain::measure::{Typed, UnitsError};
use crate::domain::stock::{lot_part, sell};
use crate::domain::{Measure, Money};
use sqlx::Row;

/// A stock count to record.
#[derive(Clone, Debug)]
pub struct CountInput {
    pub product_id: i64,
    /// What is on the shelf.
    pub counted: i64,
    pub reason: String,
    /// The form's one-time key, as stored (`count:…`).
    pub key: String,
    pub now: i64,
}

/// A write-off to record.
#[derive(Clone, Debug)]
pub struct WriteOffInput {
    pub lot_id: i64,
    /// `None`: everything left in the lot. As typed: kg for loose goods kept in grams.
    pub quantity: Option<Typed>,
    pub reason: String,
    /// The form's one-time key, as stored (`write_off:…`).
    pub key: String,
    pub now: i64,
}

/// A recorded correction: its id and its product, for the page to go back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Corrected {
    pub correction_id: i64,
    pub product_id: i64,
    /// Whether an earlier submit with the same key recorded it.
    pub replayed: bool,
}

/// Why a correction was not recorded. Nothing was written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    #[error("no such product or lot")]
    NotFound,
    #[error("this lot has nothing left to write off")]
    LotEmpty,
    #[error("the lot holds only {shown}")]
    NotEnoughInLot {
        /// In the product's own unit.
        available: i64,
        /// As people read it (`1.5 kg`).
        shown: String,
    },
    #[error(transparent)]
    Units(#[from] UnitsError),
    #[error("this form was already used by someone else")]
    ForeignKey,
    #[error("this form is still being recorded")]
    InFlight,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for CorrectionError {
    fn from(error: sqlx::Error) -> Self {
        CorrectionError::Storage(error.into())
    }
}

/// A product as a correction needs it.
struct Item {
    name: String,
    measure: Measure,
}

async fn item(tx: &mut Tx, id: i64) -> Result<Option<Item>, sqlx::Error> {
    let row = sqlx::query("SELECT name, unit, loose FROM products WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| {
        Ok(Item {
            name: r.try_get("name")?,
            measure: Measure::new(
                r.try_get::<String, _>("unit")?,
                r.try_get::<i64, _>("loose")? != 0,
            ),
        })
    })
    .transpose()
}

/// What the correction row says.
struct NewCorrection<'a> {
    kind: &'static str,
    product_id: i64,
    lot_id: Option<i64>,
    counted: Option<i64>,
    on_hand: i64,
    reason: &'a str,
}

async fn insert_correction(
    tx: &mut Tx,
    c: &NewCorrection<'_>,
    actor: &Actor,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO corrections (kind, product_id, lot_id, counted, on_hand, reason, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(c.kind)
    .bind(c.product_id)
    .bind(c.lot_id)
    .bind(c.counted)
    .bind(c.on_hand)
    .bind(c.reason)
    .bind(actor.id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")
}

/// An adjustment of `quantity` (signed) from or into a lot costing `cost`, which changes the
/// lot's value by `at_cost` (signed like the quantity).
#[expect(clippy::too_many_arguments, reason = "one movement's facts")]
fn adjustment(
    product_id: i64,
    quantity: i64,
    cost: Money,
    at_cost: Money,
    lot_id: i64,
    correction_id: i64,
    actor: &Actor,
    now: i64,
) -> NewMovement {
    NewMovement {
        product_id,
        kind: MovementKind::Adjustment,
        quantity,
        unit_amount: cost,
        unit_cost: cost,
        amount: at_cost.minor(),
        cost: at_cost.minor(),
        lot_id: Some(lot_id),
        bill_id: None,
        correction_id: Some(correction_id),
        user_id: actor.id,
        created_at: now,
    }
}

/// Claims the key, or answers with what an earlier submit recorded.
async fn claim_or_replay(
    db: &Db,
    tx: &mut Tx,
    key: &str,
    actor: &Actor,
    now: i64,
) -> Result<Option<Corrected>, CorrectionError> {
    if keys::claim(tx, key, actor.id, now).await? {
        return Ok(None);
    }
    match keys::replay(db, key, actor.id).await? {
        Ok(Recorded::Correction(id)) => {
            let product_id: i64 = sqlx::query("SELECT product_id FROM corrections WHERE id = $1")
                .bind(id)
                .fetch_one(db.pool())
                .await?
                .try_get("product_id")?;
            Ok(Some(Corrected {
                correction_id: id,
                product_id,
                replayed: true,
            }))
        }
        Ok(Recorded::Bill(_)) | Err(Unanswered::ForeignKey) => Err(CorrectionError::ForeignKey),
        Err(Unanswered::InFlight) => Err(CorrectionError::InFlight),
    }
}

/// Records a stock count by `actor`: the difference to what is on hand at commit becomes one
/// adjustment (nothing moves when they agree). A shortfall takes units from the lots
/// first-expiry-first-out at their cost; a surplus enters as a lot at the average cost, without
/// expiry.
pub async fn count(
    db: &Db,
    input: &CountInput,
    actor: &Actor,
) -> Result<Corrected, CorrectionError> {
    let mut tx = db.begin_write().await?;
    if let Some(replayed) = claim_or_replay(db, &mut tx, &input.key, actor, input.now).await? {
        tx.rollback().await?;
        return Ok(replayed);
    }
    let product_id = input.product_id;
    let Some(item) = item(&mut tx, product_id).await? else {
        return Err(CorrectionError::NotFound);
    };
    let position = ledger::lock_position(&mut tx, product_id, input.now).await?;
    let row = NewCorrection {
        kind: "count",
        product_id,
        lot_id: None,
        counted: Some(input.counted),
        on_hand: position.quantity,
        reason: &input.reason,
    };
    let correction_id = insert_correction(&mut tx, &row, actor, input.now).await?;
    let mut tally = Tally::new(db, input.now);
    match count_change(position.quantity, input.counted) {
        CountChange::None => {}
        CountChange::Shortfall(missing) => {
            if ledger::take_stock(&mut tx, product_id, missing, input.now, None)
                .await?
                .is_some()
            {
                // The row is locked and was just read: this cannot fail but for a broken ledger.
                return Err(StorageError::NotFound.into());
            }
            let lots = ledger::open_lots(&mut tx, product_id).await?;
            let taken = sell(&lots, missing, &item.measure).map_err(|short| {
                tracing::error!(
                    product_id,
                    ?short,
                    "lots disagree with the product's quantity"
                );
                CorrectionError::Storage(StorageError::NotFound)
            })?;
            for take in &taken.takes {
                ledger::take_from_lot(&mut tx, take.lot_id, take.quantity).await?;
                let m = adjustment(
                    product_id,
                    -take.quantity,
                    take.unit_cost,
                    Money::from_minor(-take.cost.minor()),
                    take.lot_id,
                    correction_id,
                    actor,
                    input.now,
                );
                ledger::insert_movement(&mut tx, &mut tally, &m).await?;
            }
        }
        CountChange::Surplus(found) => {
            let cost = position.average_cost;
            let lot = NewLot {
                product_id,
                bill_id: None,
                correction_id: Some(correction_id),
                quantity: found,
                unit_cost: cost,
                expires_on: None,
                received_at: input.now,
            };
            let lot_id = ledger::insert_lot(&mut tx, &lot).await?;
            // Units at the average cost leave the average where it is.
            ledger::add_stock(&mut tx, product_id, found, cost, None).await?;
            let at_cost = item.measure.amount(found, cost).unwrap_or_default();
            let m = adjustment(
                product_id,
                found,
                cost,
                at_cost,
                lot_id,
                correction_id,
                actor,
                input.now,
            );
            ledger::insert_movement(&mut tx, &mut tally, &m).await?;
        }
    }
    let detail = format!(
        "{}: counted {}, the books said {}. {}",
        item.name,
        item.measure.show(input.counted),
        item.measure.show(position.quantity),
        input.reason,
    );
    let entry = NewEntry::about_stock(actor, input.now, AuditAction::StockCounted, &detail);
    audit::insert(&mut *tx, &entry).await?;
    tally.write(&mut tx).await?;
    keys::fulfil(&mut tx, &input.key, Recorded::Correction(correction_id)).await?;
    tx.commit().await?;
    Ok(Corrected {
        correction_id,
        product_id,
        replayed: false,
    })
}

/// Records a write-off by `actor`: units of one lot leave the stock at the lot's cost.
pub async fn write_off(
    db: &Db,
    input: &WriteOffInput,
    actor: &Actor,
) -> Result<Corrected, CorrectionError> {
    let mut tx = db.begin_write().await?;
    if let Some(replayed) = claim_or_replay(db, &mut tx, &input.key, actor, input.now).await? {
        tx.rollback().await?;
        return Ok(replayed);
    }
    let Some(lot) = sqlx::query("SELECT product_id, unit_cost FROM lots WHERE id = $1")
        .bind(input.lot_id)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Err(CorrectionError::NotFound);
    };
    let product_id: i64 = lot.try_get("product_id")?;
    let cost = Money::from_minor(lot.try_get("unit_cost")?);
    let Some(item) = item(&mut tx, product_id).await? else {
        return Err(CorrectionError::NotFound);
    };
    // The product first, as every recording does (no two transactions wait on each other).
    let position = ledger::lock_position(&mut tx, product_id, input.now).await?;
    let remaining: i64 = sqlx::query("SELECT remaining FROM lots WHERE id = $1")
        .bind(input.lot_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("remaining")?;
    let quantity = match input.quantity {
        None => remaining,
        Some(typed) => item.measure.units_of(typed, &item.name)?,
    };
    if remaining == 0 {
        return Err(CorrectionError::LotEmpty);
    }
    let not_enough = || CorrectionError::NotEnoughInLot {
        available: remaining,
        shown: item.measure.show(remaining),
    };
    if quantity > remaining {
        return Err(not_enough());
    }
    let Some(held) = ledger::take_from_lot(&mut tx, input.lot_id, quantity).await? else {
        return Err(not_enough());
    };
    let at_cost = lot_part(&item.measure, held, quantity, cost);
    if ledger::take_stock(&mut tx, product_id, quantity, input.now, None)
        .await?
        .is_some()
    {
        return Err(StorageError::NotFound.into());
    }
    let row = NewCorrection {
        kind: "write_off",
        product_id,
        lot_id: Some(input.lot_id),
        counted: None,
        on_hand: position.quantity,
        reason: &input.reason,
    };
    let correction_id = insert_correction(&mut tx, &row, actor, input.now).await?;
    let mut tally = Tally::new(db, input.now);
    let m = NewMovement {
        product_id,
        kind: MovementKind::WriteOff,
        quantity: -quantity,
        unit_amount: cost,
        unit_cost: cost,
        amount: -at_cost.minor(),
        cost: -at_cost.minor(),
        lot_id: Some(input.lot_id),
        bill_id: None,
        correction_id: Some(correction_id),
        user_id: actor.id,
        created_at: input.now,
    };
    ledger::insert_movement(&mut tx, &mut tally, &m).await?;
    let detail = format!(
        "{}: wrote off {} of lot {}. {}",
        item.name,
        item.measure.show(quantity),
        input.lot_id,
        input.reason
    );
    let entry = NewEntry::about_stock(actor, input.now, AuditAction::StockWrittenOff, &detail);
    audit::insert(&mut *tx, &entry).await?;
    tally.write(&mut tx).await?;
    keys::fulfil(&mut tx, &input.key, Recorded::Correction(correction_id)).await?;
    tx.commit().await?;
    Ok(Corrected {
        correction_id,
        product_id,
        replayed: false,
    })
}
