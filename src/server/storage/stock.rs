//! Recording purchases and sales. A purchase brings stock in as lots and moves the average cost;
//! a sale takes stock out first-expiry-first-out. Each bill is one transaction — all of it or
//! none of it — guarded by a one-time key (see [`super::keys`]) so a repeated submit records once.
//!
//! Why stock never goes negative, on any number of instances, is [`super::ledger`]'s note:
//! conditional decrements under row locks. Lines are processed in product-id order so two bills
//! never wait on each other's locks (no deadlock).

use super::ledger::{self, NewLot, NewMovement, Tx};
use super::summaries::{self, Tally};
use super::{classify, keys, Db, StorageError};
use crate::domain::bill::{line_total, BillKind, Totals};
use crate::domain::bill_form::{BillDraft, Line, Party};
use crate::domain::ledger::MovementKind;
use crate::domain::measure::{Said, UnitsError};
use crate::domain::stock::sell as take_from_lots;
use crate::domain::{Measure, Money, Name};
use sqlx::Row;

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
    #[error("Not enough stock of {product}: {} available", crate::domain::Measure::new(unit, *loose).show(*available))]
    NotEnoughStock {
        line: usize,
        product: String,
        /// In the product's own unit.
        available: i64,
        unit: String,
        loose: bool,
    },
    #[error("{error}")]
    Units { line: usize, error: UnitsError },
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
    if bill.kind.is_return() {
        // Returns name an original bill and its lines: `returns::record` records them.
        tracing::error!(
            kind = bill.kind.as_str(),
            "a return was sent to the bill recorder"
        );
        return Err(RecordError::Storage(StorageError::NotFound));
    }
    let mut tx = db.begin_write().await?;
    // The key is claimed first, inside the transaction: a concurrent submit with the same key
    // waits here (PostgreSQL) or behind the write lock (SQLite) and then sees the committed bill.
    if !keys::claim(&mut tx, &bill.key, bill.user_id, bill.now).await? {
        tx.rollback().await?;
        return replay(db, &bill.key, bill.user_id).await;
    }

    // The party first, then the products (in id order): every recording takes its locks in
    // that order.
    let party_id = super::parties::remember(&mut tx, &bill.party, bill.kind, bill.now).await?;

    // Resolve every product first (its tax rate prices the line), then work through them in id
    // order (see the module note).
    let mut lines = Vec::with_capacity(bill.lines.len());
    for (position, line) in bill.lines.iter().enumerate() {
        let product = if bill.kind == BillKind::Purchase {
            // A product bought for the first time as `25 kg` (or `2 L`) is kept in g (ml) and
            // sold loose; without a unit it is packaged (`pcs`).
            let measure = line
                .quantity
                .said()
                .map_or_else(Measure::pieces, Said::new_product);
            find_or_create_product(&mut tx, &line.product, &measure, bill.now).await?
        } else {
            find_product(&mut tx, &line.product).await?.ok_or_else(|| {
                RecordError::UnknownProduct {
                    line: line.index,
                    name: line.product.to_string(),
                }
            })?
        };
        // The typed quantity in the product's own units: kilograms with decimals for loose
        // goods kept in grams, whole numbers for the rest.
        let measure = product.measure();
        let quantity = measure
            .units_of(line.quantity, &product.name)
            .map_err(|error| RecordError::Units {
                line: line.index,
                error,
            })?;
        let amount =
            line_total(&measure, quantity, line.unit_amount).ok_or(RecordError::TooLarge)?;
        lines.push((
            position,
            product,
            Units {
                line,
                quantity,
                amount,
            },
        ));
    }
    let priced = Totals::of_lines(lines.iter().map(|(_, product, units)| {
        let rate = product.tax_rate_bp.unwrap_or(bill.tax_rate_bp);
        (units.amount, rate)
    }))
    .map_err(|_| RecordError::TooLarge)?;
    let totals = priced.totals;

    let bill_id: i64 = sqlx::query(
        "INSERT INTO bills (kind, party_name, party_phone, party_address, subtotal, tax_rate_bp, tax, total, \
                            created_by, created_at, party_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
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
    .bind(party_id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;

    let mut ordered: Vec<_> = lines.iter().zip(&priced.lines).collect();
    ordered.sort_by_key(|((position, product, _), _)| (product.id, *position));
    let mut cost_of_goods = Money::ZERO;
    let mut tally = summaries::Tally::new(db, bill.now);
    for ((position, product, units), taxed) in ordered {
        let line = units.line;
        sqlx::query(
            "INSERT INTO bill_lines (bill_id, line_no, product_id, quantity, unit_price, line_total, expires_on, \
                                     tax_rate_bp, tax_code, tax) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(bill_id)
        .bind(i64::try_from(*position).unwrap_or(i64::MAX) + 1)
        .bind(product.id)
        .bind(units.quantity)
        .bind(line.unit_amount.minor())
        .bind(taxed.taxable.minor())
        .bind(line.expires_on.map(|d| d.to_string()))
        .bind(i64::from(taxed.rate_bp))
        .bind(product.tax_code.as_deref())
        .bind(taxed.tax.minor())
        .execute(&mut *tx)
        .await?;
        if bill.kind.takes_stock_out() {
            let cost = sell(&mut tx, &mut tally, bill, bill_id, product, units).await?;
            cost_of_goods = Money::from_minor(cost_of_goods.minor().saturating_add(cost.minor()));
        } else {
            receive(&mut tx, &mut tally, bill, bill_id, product, units).await?;
        }
    }
    if bill.kind == BillKind::Sale {
        sqlx::query("UPDATE bills SET cost_of_goods = $1 WHERE id = $2")
            .bind(cost_of_goods.minor())
            .bind(bill_id)
            .execute(&mut *tx)
            .await?;
    }
    tally.write(&mut tx).await?;
    keys::fulfil(&mut tx, &bill.key, keys::Recorded::Bill(bill_id)).await?;
    tx.commit().await?;
    Ok(Recorded::New(bill_id))
}

/// The answer to a key that was used before.
pub(crate) async fn replay(db: &Db, key: &str, user_id: i64) -> Result<Recorded, RecordError> {
    match keys::replay(db, key, user_id).await? {
        Ok(keys::Recorded::Bill(id)) => Ok(Recorded::Replayed(id)),
        Ok(keys::Recorded::Correction(_)) | Err(keys::Unanswered::ForeignKey) => {
            Err(RecordError::ForeignKey)
        }
        Err(keys::Unanswered::InFlight) => Err(RecordError::InFlight),
    }
}

/// A line of the form with its quantity in the product's own units and its amount.
struct Units<'a> {
    line: &'a Line,
    quantity: i64,
    amount: Money,
}

/// A product as the recorder needs it.
#[derive(Clone, Debug)]
struct ProductRef {
    id: i64,
    name: String,
    unit: String,
    loose: bool,
    /// `None`: the shop's rate.
    tax_rate_bp: Option<u32>,
    tax_code: Option<String>,
}

const PRODUCT_REF: &str = "id, name, unit, loose, tax_rate_bp, tax_code";

impl ProductRef {
    fn measure(&self) -> Measure {
        Measure::new(self.unit.clone(), self.loose)
    }
}

fn product_ref(row: &sqlx::any::AnyRow) -> Result<ProductRef, sqlx::Error> {
    Ok(ProductRef {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        unit: row.try_get("unit")?,
        loose: row.try_get::<i64, _>("loose")? != 0,
        tax_rate_bp: row
            .try_get::<Option<i64>, _>("tax_rate_bp")?
            .and_then(|r| u32::try_from(r).ok()),
        tax_code: row.try_get("tax_code")?,
    })
}

async fn find_product(tx: &mut Tx, name: &Name) -> Result<Option<ProductRef>, RecordError> {
    // An exact SKU or barcode first (a scanner types it into the `Product` field), then the name.
    let row = sqlx::query(&format!(
        "SELECT {PRODUCT_REF} FROM products WHERE archived = 0 AND (sku = $1 OR name_key = $2) \
         ORDER BY CASE WHEN sku = $1 THEN 0 ELSE 1 END LIMIT 1"
    ))
    .bind(name.as_str())
    .bind(name.key())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(product_ref).transpose()?)
}

/// The product with this SKU or name; a purchase of an unknown name creates it in `measure`
/// (and a purchase of an archived one brings it back as it was).
async fn find_or_create_product(
    tx: &mut Tx,
    name: &Name,
    measure: &Measure,
    now: i64,
) -> Result<ProductRef, RecordError> {
    if let Some(found) = find_product(tx, name).await? {
        return Ok(found);
    }
    let row = sqlx::query(&format!(
        "INSERT INTO products (name, name_key, created_at, updated_at, unit, loose) VALUES ($1, $2, $3, $3, $4, $5) \
         ON CONFLICT (name_key) DO UPDATE SET archived = 0 RETURNING {PRODUCT_REF}"
    ))
    .bind(name.as_str())
    .bind(name.key())
    .bind(now)
    .bind(measure.unit.as_str())
    .bind(i64::from(measure.loose))
    .fetch_one(&mut **tx)
    .await?;
    Ok(product_ref(&row)?)
}

/// Stock in: a new lot, a movement, and the product's quantity and moving average cost.
async fn receive(
    tx: &mut Tx,
    tally: &mut Tally,
    bill: &BillInput,
    bill_id: i64,
    product: &ProductRef,
    units: &Units<'_>,
) -> Result<(), RecordError> {
    let (line, quantity) = (units.line, units.quantity);
    let after = ledger::lock_position(tx, product.id, bill.now)
        .await?
        .receive(quantity, line.unit_amount);
    ledger::add_stock(tx, product.id, quantity, after.average_cost, None).await?;
    let lot = NewLot {
        product_id: product.id,
        bill_id: Some(bill_id),
        correction_id: None,
        quantity,
        unit_cost: line.unit_amount,
        expires_on: line.expires_on,
        received_at: bill.now,
    };
    let lot_id = ledger::insert_lot(tx, &lot).await?;
    ledger::insert_movement(
        tx,
        tally,
        &NewMovement {
            amount: units.amount.minor(),
            cost: units.amount.minor(),
            ..movement(
                bill,
                bill_id,
                product.id,
                quantity,
                line.unit_amount,
                line.unit_amount,
                lot_id,
            )
        },
    )
    .await?;
    Ok(())
}

/// Stock out: the conditional decrement, then lots first-expiry-first-out. Returns the cost of
/// the goods sold.
async fn sell(
    tx: &mut Tx,
    tally: &mut Tally,
    bill: &BillInput,
    bill_id: i64,
    product: &ProductRef,
    units: &Units<'_>,
) -> Result<Money, RecordError> {
    let (line, quantity, measure) = (units.line, units.quantity, product.measure());
    if let Some(available) =
        ledger::take_stock(tx, product.id, quantity, bill.now, Some(tally.day())).await?
    {
        return Err(RecordError::NotEnoughStock {
            line: line.index,
            product: product.name.clone(),
            available,
            unit: product.unit.clone(),
            loose: product.loose,
        });
    }
    let lots = ledger::open_lots(tx, product.id).await?;
    let sale = take_from_lots(&lots, quantity, &measure).map_err(|short| {
        // The product's quantity said yes but its lots say no: the ledger is inconsistent.
        tracing::error!(
            product_id = product.id,
            ?short,
            "lots disagree with the product's quantity"
        );
        RecordError::Storage(StorageError::NotFound)
    })?;
    // Each lot's part of the line is priced as the difference of running amounts, so the
    // movements add up to the bill line to the paisa (`Measure::part`).
    let mut sold = 0i64;
    for take in &sale.takes {
        ledger::take_from_lot(tx, take.lot_id, take.quantity).await?;
        let amount = measure
            .part(sold, sold + take.quantity, line.unit_amount)
            .ok_or(RecordError::TooLarge)?;
        sold += take.quantity;
        ledger::insert_movement(
            tx,
            tally,
            &NewMovement {
                amount: -amount.minor(),
                cost: -take.cost.minor(),
                ..movement(
                    bill,
                    bill_id,
                    product.id,
                    -take.quantity,
                    line.unit_amount,
                    take.unit_cost,
                    take.lot_id,
                )
            },
        )
        .await?;
    }
    Ok(sale.cost_of_goods)
}

/// A movement of `bill`'s.
fn movement(
    bill: &BillInput,
    bill_id: i64,
    product_id: i64,
    quantity: i64,
    unit_amount: Money,
    unit_cost: Money,
    lot_id: i64,
) -> NewMovement {
    NewMovement {
        product_id,
        kind: MovementKind::of_bill(bill.kind),
        quantity,
        unit_amount,
        unit_cost,
        amount: 0,
        cost: 0,
        lot_id: Some(lot_id),
        bill_id: Some(bill_id),
        correction_id: None,
        user_id: bill.user_id,
        created_at: bill.now,
    }
}
