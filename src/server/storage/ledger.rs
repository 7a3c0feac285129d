//! The ledger's moves inside a recording transaction, shared by bills (`stock`), returns
//! (`returns`) and corrections (`corrections`): lock a product's stock position, take or add
//! units, open or refill lots, and append movements. The rules (average cost, first-expiry-
//! first-out) are the domain's; this module only reads and writes them.
//!
//! Why stock never goes negative, on any number of instances: every decrement is
//! `UPDATE … SET quantity = quantity - n WHERE quantity >= n` (and the same on a lot's
//! `remaining`). On PostgreSQL that row update locks the row until commit, so concurrent
//! recordings of one product queue and each sees the previous one's result; on SQLite the
//! `BEGIN IMMEDIATE` write lock serialises writers. Callers touch products in id order, so two
//! transactions never wait on each other's locks.

use super::stored_day;
use super::summaries::{self, Tally};
use crate::domain::ledger::MovementKind;
use crate::domain::stock::{LotStock, Position};
use crate::domain::{Day, Money};
use sqlx::{Any, Row, Transaction};

/// A writing transaction.
pub(crate) type Tx = Transaction<'static, Any>;

/// Locks product `id`'s row (a no-op update) and reads its position: nobody else can change it
/// until this transaction ends, so what is computed from it stays true.
pub(crate) async fn lock_position(tx: &mut Tx, id: i64, now: i64) -> Result<Position, sqlx::Error> {
    sqlx::query("UPDATE products SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query("SELECT quantity, average_cost FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Position {
        quantity: row.try_get("quantity")?,
        average_cost: Money::from_minor(row.try_get("average_cost")?),
    })
}

/// Adds `quantity` (≥ 0) to product `id` and sets its average cost. `returned_on`: the shop's
/// day (a [`summaries::day_number`]) when the units come back from a customer, which takes them
/// off the product's sales rate in the same row update.
pub(crate) async fn add_stock(
    tx: &mut Tx,
    id: i64,
    quantity: i64,
    average_cost: Money,
    returned_on: Option<i64>,
) -> Result<(), sqlx::Error> {
    let rate = match returned_on {
        Some(_) => format!(
            ", sold_recent = sold_recent - {}",
            summaries::rate_change("$1", "$4")
        ),
        None => String::new(),
    };
    let sql = format!(
        "UPDATE products SET quantity = quantity + $1, average_cost = $2{rate} WHERE id = $3"
    );
    let mut statement = sqlx::query(&sql)
        .bind(quantity)
        .bind(average_cost.minor())
        .bind(id);
    if let Some(day) = returned_on {
        statement = statement.bind(day);
    }
    statement.execute(&mut **tx).await?;
    Ok(())
}

/// Takes `quantity` from product `id` if it has that many: `Ok(None)` when done, otherwise
/// `Ok(Some(available))` and nothing changed. `sold_on`: the shop's day (a
/// [`summaries::day_number`]) when the units are sold, which adds them to the product's sales
/// rate in the same row update (one write of the row per line, as without the rate).
pub(crate) async fn take_stock(
    tx: &mut Tx,
    id: i64,
    quantity: i64,
    now: i64,
    sold_on: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    let rate = match sold_on {
        Some(_) => format!(
            ", sold_recent = sold_recent + {}",
            summaries::rate_change("$1", "$4")
        ),
        None => String::new(),
    };
    let sql = format!(
        "UPDATE products SET quantity = quantity - $1, updated_at = $2{rate} WHERE id = $3 AND quantity >= $1"
    );
    let mut statement = sqlx::query(&sql).bind(quantity).bind(now).bind(id);
    if let Some(day) = sold_on {
        statement = statement.bind(day);
    }
    let taken = statement.execute(&mut **tx).await?.rows_affected();
    if taken == 1 {
        return Ok(None);
    }
    let available: i64 = sqlx::query("SELECT quantity FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("quantity")?;
    Ok(Some(available))
}

/// Sets product `id`'s average cost.
pub(crate) async fn set_average_cost(
    tx: &mut Tx,
    id: i64,
    average_cost: Money,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE products SET average_cost = $1 WHERE id = $2")
        .bind(average_cost.minor())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Product `id`'s lots with stock left, as the allocator sees them.
pub(crate) async fn open_lots(tx: &mut Tx, id: i64) -> Result<Vec<LotStock>, super::StorageError> {
    let rows = sqlx::query(
        "SELECT id, remaining, unit_cost, expires_on, received_at FROM lots WHERE product_id = $1 AND remaining > 0",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LotStock {
                id: r.try_get("id")?,
                remaining: r.try_get("remaining")?,
                unit_cost: Money::from_minor(r.try_get("unit_cost")?),
                expires_on: stored_day(r, "expires_on")?,
                received_at: r.try_get("received_at")?,
            })
        })
        .collect()
}

/// The lowest and highest cost of product `id`'s lots that hold stock (after the change being
/// recorded), if any do.
pub(crate) async fn open_cost_range(
    tx: &mut Tx,
    id: i64,
) -> Result<Option<(Money, Money)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT MIN(unit_cost) AS low, MAX(unit_cost) AS high FROM lots WHERE product_id = $1 AND remaining > 0",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let (low, high): (Option<i64>, Option<i64>) = (row.try_get("low")?, row.try_get("high")?);
    Ok(low
        .zip(high)
        .map(|(l, h)| (Money::from_minor(l), Money::from_minor(h))))
}

/// A lot to open.
pub(crate) struct NewLot {
    pub product_id: i64,
    /// The purchase that brought it; `None` for a count's surplus or opening stock.
    pub bill_id: Option<i64>,
    pub correction_id: Option<i64>,
    pub quantity: i64,
    pub unit_cost: Money,
    pub expires_on: Option<Day>,
    pub received_at: i64,
}

/// Opens a lot; returns its id.
pub(crate) async fn insert_lot(tx: &mut Tx, lot: &NewLot) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO lots (product_id, bill_id, correction_id, quantity_in, remaining, unit_cost, expires_on, received_at) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING id",
    )
    .bind(lot.product_id)
    .bind(lot.bill_id)
    .bind(lot.correction_id)
    .bind(lot.quantity)
    .bind(lot.unit_cost.minor())
    .bind(lot.expires_on.map(|d| d.to_string()))
    .bind(lot.received_at)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")
}

/// Takes `quantity` out of lot `id` if it holds that many: what the lot held before, or `None`
/// (and nothing changed) when it does not hold that many. With the lot's cost, what it held
/// prices the units taken ([`lot_part`](crate::domain::stock::lot_part)).
pub(crate) async fn take_from_lot(
    tx: &mut Tx,
    id: i64,
    quantity: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE lots SET remaining = remaining - $1 WHERE id = $2 AND remaining >= $1 RETURNING remaining",
    )
    .bind(quantity)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok(r.try_get::<i64, _>("remaining")? + quantity))
        .transpose()
}

/// Puts `quantity` back into lot `id`, never above what entered it: what the lot holds after,
/// or `None` (and nothing changed) when it would hold more than entered it.
pub(crate) async fn put_into_lot(
    tx: &mut Tx,
    id: i64,
    quantity: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE lots SET remaining = remaining + $1 WHERE id = $2 AND remaining + $1 <= quantity_in \
         RETURNING remaining",
    )
    .bind(quantity)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| r.try_get("remaining")).transpose()
}

/// A movement to append to the ledger.
pub(crate) struct NewMovement {
    pub product_id: i64,
    pub kind: MovementKind,
    /// Signed: in > 0, out < 0.
    pub quantity: i64,
    /// Price (out to a customer) or cost (in), per the product's shown unit (per kg for loose
    /// goods kept in grams: `domain::measure`).
    pub unit_amount: Money,
    /// The lot's cost, for profit and losses.
    pub unit_cost: Money,
    /// The money moved at `unit_amount`, signed like `quantity`: its part of the bill line
    /// (`Measure::part`), so a line split over lots adds up to the line.
    pub amount: i64,
    /// The money moved at the lot's cost, signed like `quantity`: the change of the lot's value
    /// (`stock::lot_part`), so the movements at cost add up to the lots' value.
    pub cost: i64,
    pub lot_id: Option<i64>,
    pub bill_id: Option<i64>,
    pub correction_id: Option<i64>,
    pub user_id: i64,
    pub created_at: i64,
}

/// Appends a movement, and counts it in the recording's summaries (`tally`).
pub(crate) async fn insert_movement(
    tx: &mut Tx,
    tally: &mut Tally,
    m: &NewMovement,
) -> Result<(), sqlx::Error> {
    tally.add(m);
    sqlx::query(
        "INSERT INTO movements (product_id, kind, quantity, unit_amount, unit_cost, lot_id, bill_id, correction_id, user_id, created_at, \
                                amount, cost) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(m.product_id)
    .bind(m.kind.as_str())
    .bind(m.quantity)
    .bind(m.unit_amount.minor())
    .bind(m.unit_cost.minor())
    .bind(m.lot_id)
    .bind(m.bill_id)
    .bind(m.correction_id)
    .bind(m.user_id)
    .bind(m.created_at)
    .bind(m.amount)
    .bind(m.cost)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
