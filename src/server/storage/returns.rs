//! Returns: a bill of its own kind (`sale_return`, `purchase_return`) that names the original
//! bill and, per line, the original line it gives back (PRODUCT.md, "Returns").
//!
//! Why a line never comes back more often than it left, on any number of instances: the return
//! first locks the original bill's row (a no-op update), then reads what earlier returns gave
//! back. A second return of the same bill waits at that lock until the first commits, and then
//! reads its lines too. Units go back into (or out of) lots and products through the same
//! conditional updates as every other recording ([`super::ledger`]).

use super::audit::{self, Actor, NewEntry};
use super::keys;
use super::ledger::{self, NewMovement, Tx};
use super::stock::{self, RecordError, Recorded};
use super::summaries::Tally;
use super::{stored, Db, StorageError};
use crate::domain::bill::{bill_number, line_total, BillKind};
use crate::domain::bill_return::{ReturnLine, ReturnableLine};
use crate::domain::correction::{average_after_return, put_back, refund_share, Taken};
use crate::domain::employee::AuditAction;
use crate::domain::ledger::MovementKind;
use crate::domain::measure::UnitsError;
use crate::domain::stock::lot_part;
use crate::domain::{Measure, Money};
use sqlx::Row;
use std::collections::HashMap;

/// A return to record.
#[derive(Clone, Debug)]
pub struct ReturnInput {
    pub original_bill_id: i64,
    pub lines: Vec<ReturnLine>,
    pub reason: String,
    /// The form's one-time key, as stored (`return:…`).
    pub key: String,
    pub now: i64,
}

/// Why a return was not recorded. Nothing was written in any of these cases. `line` is the
/// line's place in the form.
#[derive(Debug, thiserror::Error)]
pub enum ReturnError {
    #[error("no such bill")]
    NotFound,
    #[error("a return cannot itself be returned")]
    IsAReturn,
    #[error("that line is not on the bill")]
    UnknownLine { line: usize },
    #[error("At most {} of {product} can come back", Measure::new(unit, *loose).show(*returnable))]
    TooMany {
        line: usize,
        product: String,
        /// In the product's own unit.
        returnable: i64,
        unit: String,
        loose: bool,
    },
    #[error("{error}")]
    Units { line: usize, error: UnitsError },
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl From<sqlx::Error> for ReturnError {
    fn from(error: sqlx::Error) -> Self {
        ReturnError::Record(error.into())
    }
}

impl From<StorageError> for ReturnError {
    fn from(error: StorageError) -> Self {
        ReturnError::Record(RecordError::Storage(error))
    }
}

/// An original bill as a return sees it.
struct Original {
    kind: BillKind,
    party_id: Option<i64>,
    party_name: String,
    party_phone: Option<String>,
    party_address: Option<String>,
    subtotal: Money,
    tax: Money,
    tax_rate_bp: i64,
}

/// A line of the original bill with what earlier returns gave back of it.
#[derive(Clone, Debug)]
struct OriginalLine {
    line_id: i64,
    product_id: i64,
    product: String,
    unit: String,
    loose: bool,
    quantity: i64,
    /// Per the product's shown unit (per kg for loose goods kept in grams).
    unit_price: Money,
    line_total: Money,
    /// Lines recorded with tax per product keep their rate, code and tax; older ones do not.
    tax_rate_bp: Option<i64>,
    tax_code: Option<String>,
    tax: Option<Money>,
    returned: i64,
}

async fn original<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    executor: E,
    id: i64,
) -> Result<Option<Original>, StorageError> {
    let row = sqlx::query(
        "SELECT kind, party_id, party_name, party_phone, party_address, subtotal, tax, tax_rate_bp FROM bills WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(executor)
    .await?;
    row.map(|r| {
        Ok(Original {
            kind: stored(&r, "kind")?,
            party_id: r.try_get("party_id")?,
            party_name: r.try_get("party_name")?,
            party_phone: r.try_get("party_phone")?,
            party_address: r.try_get("party_address")?,
            subtotal: Money::from_minor(r.try_get("subtotal")?),
            tax: Money::from_minor(r.try_get("tax")?),
            tax_rate_bp: r.try_get("tax_rate_bp")?,
        })
    })
    .transpose()
}

/// The original bill's lines in their order, with what has come back of each.
async fn original_lines<'e, E>(executor: E, id: i64) -> Result<Vec<OriginalLine>, StorageError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows = sqlx::query(
        "SELECT l.id, l.product_id, p.name, p.unit, p.loose, l.quantity, l.unit_price, l.line_total, \
                l.tax_rate_bp, l.tax_code, l.tax, \
                COALESCE((SELECT CAST(SUM(r.quantity) AS BIGINT) FROM bill_lines r WHERE r.original_line_id = l.id), 0) AS returned \
         FROM bill_lines l JOIN products p ON p.id = l.product_id \
         WHERE l.bill_id = $1 ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OriginalLine {
                line_id: r.try_get("id")?,
                product_id: r.try_get("product_id")?,
                product: r.try_get("name")?,
                unit: r.try_get("unit")?,
                loose: r.try_get::<i64, _>("loose")? != 0,
                quantity: r.try_get("quantity")?,
                unit_price: Money::from_minor(r.try_get("unit_price")?),
                line_total: Money::from_minor(r.try_get("line_total")?),
                tax_rate_bp: r.try_get("tax_rate_bp")?,
                tax_code: r.try_get("tax_code")?,
                tax: r.try_get::<Option<i64>, _>("tax")?.map(Money::from_minor),
                returned: r.try_get("returned")?,
            })
        })
        .collect()
}

/// What is left of the lot purchase `bill_id` made of `product_id`: (lot id, remaining, cost).
async fn purchase_lot<'e, E>(
    executor: E,
    bill_id: i64,
    product_id: i64,
) -> Result<Option<(i64, i64, Money)>, StorageError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(
        "SELECT id, remaining, unit_cost FROM lots WHERE bill_id = $1 AND product_id = $2",
    )
    .bind(bill_id)
    .bind(product_id)
    .fetch_optional(executor)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("id")?,
            r.try_get("remaining")?,
            Money::from_minor(r.try_get("unit_cost")?),
        ))
    })
    .transpose()
}

/// Bill `id`'s lines as its return page shows them, with what each may still give back; `None`
/// for no such bill, `Some(Err(…))` for a bill that is itself a return.
pub async fn returnable(
    db: &Db,
    id: i64,
) -> Result<Option<Result<(BillKind, Vec<ReturnableLine>), ReturnError>>, StorageError> {
    let Some(bill) = original(db.pool(), id).await? else {
        return Ok(None);
    };
    if bill.kind.is_return() {
        return Ok(Some(Err(ReturnError::IsAReturn)));
    }
    let mut out = Vec::new();
    for line in original_lines(db.pool(), id).await? {
        let mut left = line.quantity - line.returned;
        if bill.kind == BillKind::Purchase {
            let in_lot = purchase_lot(db.pool(), id, line.product_id)
                .await?
                .map_or(0, |(_, remaining, _)| remaining);
            left = left.min(in_lot);
        }
        out.push(ReturnableLine {
            line_id: line.line_id,
            product_id: line.product_id,
            product: line.product,
            unit: line.unit,
            loose: line.loose,
            quantity: line.quantity,
            returned: line.returned,
            returnable: left.max(0),
        });
    }
    Ok(Some(Ok((bill.kind, out))))
}

/// Records a return of `input.original_bill_id` by `actor` atomically and idempotently; the
/// result names the new return bill.
pub async fn record(db: &Db, input: &ReturnInput, actor: &Actor) -> Result<Recorded, ReturnError> {
    let mut tx = db.begin_write().await?;
    if !keys::claim(&mut tx, &input.key, actor.id, input.now).await? {
        tx.rollback().await?;
        return Ok(stock::replay(db, &input.key, actor.id).await?);
    }
    let id = input.original_bill_id;
    let Some(bill) = original(&mut *tx, id).await? else {
        return Err(ReturnError::NotFound);
    };
    let Some(kind) = bill.kind.return_kind() else {
        return Err(ReturnError::IsAReturn);
    };
    // Returns of one bill queue here (see the module note).
    sqlx::query("UPDATE bills SET cost_of_goods = cost_of_goods WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let originals = original_lines(&mut *tx, id).await?;
    let by_id: HashMap<i64, &OriginalLine> = originals.iter().map(|l| (l.line_id, l)).collect();
    let mut lines = Vec::with_capacity(input.lines.len());
    for typed in &input.lines {
        let original = by_id
            .get(&typed.line_id)
            .ok_or(ReturnError::UnknownLine { line: typed.index })?;
        let measure = original.measure();
        let quantity = measure
            .units_of(typed.quantity, &original.product)
            .map_err(|error| ReturnError::Units {
                line: typed.index,
                error,
            })?;
        let line = Back {
            index: typed.index,
            quantity,
        };
        if quantity > original.quantity - original.returned {
            return Err(too_many(
                &line,
                original,
                original.quantity - original.returned,
            ));
        }
        lines.push((line, *original));
    }
    // The money: each line at its original price, as the part of the original line between
    // what came back before and after (`Measure::part`), so partial returns add up to the line
    // to the paisa; its tax refunded at the line's own rate, in proportion to the share of the
    // line coming back (see `refund_share`). A bill from before tax per product was taxed as a
    // whole: its tax is refunded in proportion to its subtotal.
    let value = |quantity: i64, o: &OriginalLine| {
        line_total(&o.measure(), quantity, o.unit_price).map_or(0, Money::minor)
    };
    let back = |l: &Back, o: &OriginalLine| {
        o.measure()
            .part(o.returned, o.returned + l.quantity, o.unit_price)
            .map_or(0, Money::minor)
    };
    let subtotal = lines.iter().map(|(l, o)| back(l, o)).sum::<i64>();
    let line_taxes: Vec<Option<Money>> = lines
        .iter()
        .map(|(l, o)| {
            o.tax.map(|tax| {
                refund_share(tax, o.line_total.minor(), value(o.returned, o), back(l, o))
            })
        })
        .collect();
    let tax = if line_taxes.iter().all(Option::is_some) {
        Money::from_minor(line_taxes.iter().flatten().map(|t| t.minor()).sum())
    } else {
        let returned_before: i64 = originals.iter().map(|o| value(o.returned, o)).sum();
        refund_share(bill.tax, bill.subtotal.minor(), returned_before, subtotal)
    };
    let return_id: i64 = sqlx::query(
        "INSERT INTO bills (kind, party_name, party_phone, party_address, subtotal, tax_rate_bp, tax, total, \
                            created_by, created_at, original_bill_id, reason, party_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(&bill.party_name)
    .bind(bill.party_phone.as_deref())
    .bind(bill.party_address.as_deref())
    .bind(subtotal)
    .bind(bill.tax_rate_bp)
    .bind(tax.minor())
    .bind(subtotal + tax.minor())
    .bind(actor.id)
    .bind(input.now)
    .bind(id)
    .bind(&input.reason)
    // A return belongs to its original's party, whatever the party is called now.
    .bind(bill.party_id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    // Work through products in id order, as every recording does.
    let mut ordered: Vec<(usize, &(Back, &OriginalLine))> = lines.iter().enumerate().collect();
    ordered.sort_by_key(|(position, (_, o))| (o.product_id, *position));
    let mut cost_of_goods = 0i64;
    let mut tally = Tally::new(db, input.now);
    let mut said = Vec::new();
    for (position, (line, original)) in ordered {
        sqlx::query(
            "INSERT INTO bill_lines (bill_id, line_no, product_id, quantity, unit_price, line_total, original_line_id, \
                                     tax_rate_bp, tax_code, tax) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(return_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX) + 1)
        .bind(original.product_id)
        .bind(line.quantity)
        .bind(original.unit_price.minor())
        .bind(back(line, original))
        .bind(original.line_id)
        .bind(original.tax_rate_bp)
        .bind(original.tax_code.as_deref())
        .bind(line_taxes[position].map(Money::minor))
        .execute(&mut *tx)
        .await?;
        let context = Context {
            original_bill_id: id,
            return_id,
            actor,
            now: input.now,
        };
        if kind == BillKind::SaleReturn {
            cost_of_goods += take_back(&mut tx, &mut tally, &context, line, original)
                .await?
                .minor();
        } else {
            send_back(&mut tx, &mut tally, &context, line, original).await?;
        }
        said.push(format!(
            "{} {}",
            original.measure().show(line.quantity),
            original.product
        ));
    }
    if kind == BillKind::SaleReturn {
        sqlx::query("UPDATE bills SET cost_of_goods = $1 WHERE id = $2")
            .bind(cost_of_goods)
            .bind(return_id)
            .execute(&mut *tx)
            .await?;
    }
    let (action, back) = if kind == BillKind::SaleReturn {
        (AuditAction::SaleReturned, "came back from")
    } else {
        (AuditAction::PurchaseReturned, "went back to")
    };
    let detail = format!(
        "{}: {} {back} {}. {}",
        bill_number(bill.kind, id),
        said.join(", "),
        bill.party_name,
        input.reason
    );
    audit::insert(
        &mut *tx,
        &NewEntry::about_stock(actor, input.now, action, &detail),
    )
    .await?;
    tally.write(&mut tx).await?;
    keys::fulfil(&mut tx, &input.key, keys::Recorded::Bill(return_id)).await?;
    tx.commit().await?;
    Ok(Recorded::New(return_id))
}

/// A line of the return in the product's own units.
struct Back {
    /// Where the line stands in the form.
    index: usize,
    quantity: i64,
}

impl OriginalLine {
    fn measure(&self) -> Measure {
        Measure::new(self.unit.clone(), self.loose)
    }
}

fn too_many(line: &Back, original: &OriginalLine, returnable: i64) -> ReturnError {
    ReturnError::TooMany {
        line: line.index,
        product: original.product.clone(),
        returnable: returnable.max(0),
        unit: original.unit.clone(),
        loose: original.loose,
    }
}

/// Who records which return of which bill, when.
struct Context<'a> {
    original_bill_id: i64,
    return_id: i64,
    actor: &'a Actor,
    now: i64,
}

impl Context<'_> {
    /// A movement of `quantity` (signed) of lot `lot_id`: `priced` is its unit price and the
    /// money it moves at that price, `costed` the lot's unit cost and the money at cost (both
    /// signed like the quantity).
    fn movement(
        &self,
        kind: MovementKind,
        product_id: i64,
        quantity: i64,
        priced: (Money, Money),
        costed: (Money, Money),
        lot_id: i64,
    ) -> NewMovement {
        NewMovement {
            product_id,
            kind,
            quantity,
            unit_amount: priced.0,
            unit_cost: costed.0,
            amount: priced.1.minor(),
            cost: costed.1.minor(),
            lot_id: Some(lot_id),
            bill_id: Some(self.return_id),
            correction_id: None,
            user_id: self.actor.id,
            created_at: self.now,
        }
    }
}

/// A sale return's line: the units go back into the lots the sale took them from, at their
/// cost (so the cost of goods sold goes down by as much), and move the average cost as any
/// stock coming in does. Returns what the units had cost.
async fn take_back(
    tx: &mut Tx,
    tally: &mut Tally,
    context: &Context<'_>,
    line: &Back,
    original: &OriginalLine,
) -> Result<Money, ReturnError> {
    let measure = original.measure();
    let product_id = original.product_id;
    let mut position = ledger::lock_position(tx, product_id, context.now).await?;
    let taken = sqlx::query(
        "SELECT m.lot_id, m.id, -m.quantity AS taken, m.unit_cost, \
                COALESCE((SELECT CAST(SUM(b.quantity) AS BIGINT) FROM movements b JOIN bills r ON r.id = b.bill_id \
                          WHERE r.original_bill_id = $1 AND b.product_id = $2 AND b.lot_id = m.lot_id \
                            AND b.kind = 'sale_return'), 0) AS returned \
         FROM movements m WHERE m.bill_id = $1 AND m.product_id = $2 AND m.kind = 'sale' ORDER BY m.id",
    )
    .bind(context.original_bill_id)
    .bind(product_id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| {
        Ok(Taken {
            lot_id: r.try_get("lot_id")?,
            order: r.try_get("id")?,
            taken: r.try_get("taken")?,
            returned: r.try_get("returned")?,
            unit_cost: Money::from_minor(r.try_get("unit_cost")?),
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let puts = put_back(&taken, line.quantity)
        .map_err(|short| too_many(line, original, short.available))?;
    let mut cost = 0i64;
    // The refund of each put is its part of the original line after what came back before.
    let mut back = original.returned;
    for put in &puts {
        let Some(holds) = ledger::put_into_lot(tx, put.lot_id, put.quantity).await? else {
            return Err(too_many(line, original, 0));
        };
        position = position.receive(put.quantity, put.unit_cost);
        let at_cost = lot_part(&measure, holds, put.quantity, put.unit_cost);
        cost += at_cost.minor();
        let at_price = measure
            .part(back, back + put.quantity, original.unit_price)
            .unwrap_or_default();
        back += put.quantity;
        let m = context.movement(
            MovementKind::SaleReturn,
            product_id,
            put.quantity,
            (original.unit_price, at_price),
            (put.unit_cost, at_cost),
            put.lot_id,
        );
        ledger::insert_movement(tx, tally, &m).await?;
    }
    let day = Some(tally.day());
    ledger::add_stock(tx, product_id, line.quantity, position.average_cost, day).await?;
    Ok(Money::from_minor(cost))
}

/// A purchase return's line: the units leave the lot the purchase made (at most what is left
/// of it), and the average cost gives back their share (see [`average_after_return`]).
async fn send_back(
    tx: &mut Tx,
    tally: &mut Tally,
    context: &Context<'_>,
    line: &Back,
    original: &OriginalLine,
) -> Result<(), ReturnError> {
    let measure = original.measure();
    let product_id = original.product_id;
    let position = ledger::lock_position(tx, product_id, context.now).await?;
    let Some((lot_id, remaining, cost)) =
        purchase_lot(&mut **tx, context.original_bill_id, product_id).await?
    else {
        return Err(too_many(line, original, 0));
    };
    if line.quantity > remaining {
        return Err(too_many(line, original, remaining));
    }
    let Some(held) = ledger::take_from_lot(tx, lot_id, line.quantity).await? else {
        return Err(too_many(line, original, remaining));
    };
    if let Some(available) =
        ledger::take_stock(tx, product_id, line.quantity, context.now, None).await?
    {
        return Err(too_many(line, original, available));
    }
    let average = match ledger::open_cost_range(tx, product_id).await? {
        Some(range) => average_after_return(
            position.quantity,
            position.average_cost,
            line.quantity,
            cost,
            range,
        ),
        None => position.average_cost,
    };
    ledger::set_average_cost(tx, product_id, average).await?;
    let at_price = measure
        .part(
            original.returned,
            original.returned + line.quantity,
            original.unit_price,
        )
        .unwrap_or_default();
    let at_cost = lot_part(&measure, held, line.quantity, cost);
    let m = context.movement(
        MovementKind::PurchaseReturn,
        product_id,
        -line.quantity,
        (original.unit_price, Money::from_minor(-at_price.minor())),
        (cost, Money::from_minor(-at_cost.minor())),
        lot_id,
    );
    ledger::insert_movement(tx, tally, &m).await?;
    Ok(())
}
