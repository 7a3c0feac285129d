//! Catalogue imports: which product each row updates, the checked upload kept for an hour,
//! and applying it.
//!
//! Why an import is all or nothing and records once: every row is written in one transaction
//! that first sets the upload's `imported_at` where it is still empty (`UPDATE … WHERE
//! imported_at IS NULL`). A second `Import` — a double click, a retry, another instance —
//! waits for that row (PostgreSQL's row lock, SQLite's write lock), then finds it set and
//! writes nothing. The rows are matched to products again inside the transaction; should the
//! catalogue have changed since the check, nothing is written and the manager checks again.

use super::audit::{self, Actor, NewEntry};
use super::ledger::{self, NewLot, NewMovement, Tx};
use super::summaries::Tally;
use super::{classify, flag, placeholders, Db, Result, StorageError};
use crate::domain::employee::AuditAction;
use crate::domain::import::{ImportRow, Problem, Report};
use crate::domain::ledger::MovementKind;
use crate::domain::search::fold;
use crate::domain::stock::Position;
use crate::domain::{Measure, Money};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

/// How long a checked upload can be imported.
pub const KEEP_SECS: i64 = 3_600;

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("This upload is not known or has expired. Check the file again.")]
    Gone,
    #[error("The file has problems; fix them and check it again.")]
    HasProblems,
    #[error("The catalogue changed since the file was checked. Check the file again.")]
    Changed,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for ImportError {
    fn from(error: sqlx::Error) -> Self {
        Self::Storage(classify(error))
    }
}

/// What an `Import` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imported {
    pub products: i64,
    /// The upload had been imported already: nothing more was recorded.
    pub replayed: bool,
}

/// The products a file's rows could update, by folded name and by SKU: only those its rows
/// name, so what an import holds grows with the file, not with the shop's catalogue.
struct Catalogue {
    names: HashMap<String, Known>,
    skus: HashMap<String, Known>,
}

/// A product of the catalogue a file names.
#[derive(Clone)]
struct Known {
    id: i64,
    name: String,
    measure: Measure,
    /// Whether it has movements: then its measure (kg or g) can no longer change.
    moved: bool,
}

/// Keys looked up per statement: well inside both databases' limits on parameters.
const LOOKUP_CHUNK: usize = 500;

async fn catalogue(conn: &mut sqlx::AnyConnection, rows: &[ImportRow]) -> Result<Catalogue> {
    let mut catalogue = Catalogue {
        names: HashMap::new(),
        skus: HashMap::new(),
    };
    let names: BTreeSet<String> = rows.iter().map(|r| fold(&r.form.name)).collect();
    let skus: BTreeSet<String> = rows
        .iter()
        .filter_map(|r| r.sku().map(str::to_owned))
        .collect();
    for (column, keys) in [("name_key", names), ("sku", skus)] {
        let keys: Vec<String> = keys.into_iter().collect();
        for chunk in keys.chunks(LOOKUP_CHUNK) {
            let sql = format!(
                "SELECT id, name, name_key, sku, unit, loose, \
                        CAST(CASE WHEN EXISTS (SELECT 1 FROM movements m WHERE m.product_id = products.id) \
                                  THEN 1 ELSE 0 END AS BIGINT) AS moved \
                 FROM products WHERE {column} IN ({})",
                placeholders(1, chunk.len())
            );
            let query = chunk
                .iter()
                .fold(sqlx::query(&sql), |q, key| q.bind(key.clone()));
            for r in query.fetch_all(&mut *conn).await? {
                let known = Known {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    measure: Measure::new(
                        r.try_get::<String, _>("unit")?,
                        r.try_get::<i64, _>("loose")? != 0,
                    ),
                    moved: r.try_get::<i64, _>("moved")? != 0,
                };
                if let Some(sku) = r.try_get::<Option<String>, _>("sku")? {
                    catalogue.skus.insert(sku, known.clone());
                }
                catalogue.names.insert(r.try_get("name_key")?, known);
            }
        }
    }
    Ok(catalogue)
}

/// The product each row updates (by SKU, else by name, case-insensitive; `None`: a new one),
/// and the rows that would clash with the catalogue.
fn match_rows(catalogue: &Catalogue, rows: &[ImportRow]) -> (Vec<Option<i64>>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut claimed: HashMap<i64, u64> = HashMap::new();
    let targets = rows
        .iter()
        .map(|row| {
            let by_sku = row.sku().and_then(|s| catalogue.skus.get(s));
            let by_name = catalogue.names.get(&fold(&row.form.name));
            let target = match (by_sku, by_name) {
                (Some(a), Some(b)) if a.id != b.id => {
                    problems.push(Problem::new(
                        row.line,
                        "sku",
                        format!("This SKU is {}'s, but {} has this name", a.name, b.name),
                    ));
                    None
                }
                (Some(known), _) | (None, Some(known)) => {
                    problems.extend(measure_problem(row, known));
                    Some(known.id)
                }
                (None, None) => None,
            };
            if let Some(id) = target {
                if let Some(first) = claimed.insert(id, row.line) {
                    problems.push(Problem::new(
                        row.line,
                        "name",
                        format!("Line {first} updates the same product"),
                    ));
                }
            }
            target
        })
        .collect();
    (targets, problems)
}

/// Matches a checked file's rows to the catalogue: fills `report.targets` and adds clashes to
/// its problems.
/// What is wrong with how a row measures an existing product, if anything: a product with
/// history keeps its scale (kg or g: its stored prices are per one of them), and a row that sets
/// quantities must read them in the product's measure, so none is taken in the wrong unit.
fn measure_problem(row: &ImportRow, known: &Known) -> Option<Problem> {
    let read_in = row.measure();
    let after = Measure::new(
        row.form
            .unit
            .clone()
            .unwrap_or_else(|| known.measure.unit.clone()),
        if row.has_loose {
            read_in.loose
        } else {
            known.measure.loose
        },
    );
    if known.moved && after.scale() != known.measure.scale() {
        return Some(Problem::new(
            row.line,
            "loose",
            format!(
                "{} has stock history in {}: it cannot change between loose and packaged",
                known.name,
                known.measure.shown_unit()
            ),
        ));
    }
    (row.sets_quantities() && after.scale() != read_in.scale()).then(|| {
        Problem::new(
            row.line,
            "unit",
            format!(
                "{} is counted in {}: give this row its unit and loose cells to set its quantities",
                known.name,
                after.shown_unit()
            ),
        )
    })
}

pub async fn plan(db: &Db, report: &mut Report) -> Result<()> {
    let mut conn = db.pool().acquire().await?;
    let catalogue = catalogue(&mut conn, &report.rows).await?;
    drop(conn);
    let (targets, problems) = match_rows(&catalogue, &report.rows);
    report.targets = targets;
    report.add_problems(problems);
    Ok(())
}

/// Keeps a checked upload of `user_id` for [`KEEP_SECS`]; returns its id. Uploads past their
/// hour are cleared on the way.
pub async fn save(db: &Db, id: &str, user_id: i64, report: &Report, now: i64) -> Result<()> {
    let json = serde_json::to_string(report).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query("DELETE FROM imports WHERE expires_at <= $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query(
        "INSERT INTO imports (id, user_id, report_json, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(user_id)
    .bind(json)
    .bind(now)
    .bind(now + KEEP_SECS)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A kept upload of `user_id` that has not expired: its report and how many products it
/// imported, if it has been.
pub async fn get(
    db: &Db,
    id: &str,
    user_id: i64,
    now: i64,
) -> Result<Option<(Report, Option<i64>)>> {
    let Some(row) = sqlx::query(
        "SELECT report_json, imported FROM imports WHERE id = $1 AND user_id = $2 AND expires_at > $3",
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let report = read_report(&row.try_get::<String, _>("report_json")?)?;
    Ok(Some((report, row.try_get("imported")?)))
}

fn read_report(json: &str) -> Result<Report> {
    serde_json::from_str(json).map_err(|e| StorageError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// Applies upload `id` of `actor`: every row in one transaction, once, with a line in the
/// audit trail saying what the file did (a replay writes neither).
pub async fn apply(db: &Db, id: &str, actor: &Actor, now: i64) -> Result<Imported, ImportError> {
    let user_id = actor.id;
    let mut tx = db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE imports SET imported_at = $1 WHERE id = $2 AND user_id = $3 AND imported_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let row =
        sqlx::query("SELECT report_json, imported FROM imports WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(ImportError::Gone)?;
    if claimed == 0 {
        return match row.try_get::<Option<i64>, _>("imported")? {
            Some(products) => Ok(Imported {
                products,
                replayed: true,
            }),
            None => Err(ImportError::Gone),
        };
    }
    let report = read_report(&row.try_get::<String, _>("report_json")?)?;
    if !report.problems.is_empty() || report.more_problems > 0 {
        return Err(ImportError::HasProblems);
    }
    let (targets, clashes) = match_rows(&catalogue(&mut tx, &report.rows).await?, &report.rows);
    if targets != report.targets || !clashes.is_empty() {
        return Err(ImportError::Changed);
    }
    let detail = audit_detail(&report);
    // Existing products in id order (see `ledger`'s note on lock order), then the new ones.
    let mut order: Vec<(Option<i64>, &ImportRow)> = targets.into_iter().zip(&report.rows).collect();
    order.sort_by_key(|(target, _)| (target.is_none(), *target));
    let mut tally = Tally::new(db, now);
    for (target, row) in order {
        let product = match target {
            Some(product) => {
                update(&mut tx, product, row, now).await?;
                product
            }
            None => insert(&mut tx, row, now).await?,
        };
        if let Some(opening) = row.opening {
            // A new product was inserted holding its opening stock already.
            if target.is_some() {
                let position = ledger::lock_position(&mut tx, product, now).await?;
                let after = position.receive(opening.quantity, opening.unit_cost);
                let average = after.average_cost;
                ledger::add_stock(&mut tx, product, opening.quantity, average, None).await?;
            }
            let lot = NewLot {
                product_id: product,
                bill_id: None,
                correction_id: None,
                quantity: opening.quantity,
                unit_cost: opening.unit_cost,
                expires_on: opening.expires_on,
                received_at: now,
            };
            let lot_id = ledger::insert_lot(&mut tx, &lot).await?;
            let value = row
                .measure()
                .amount(opening.quantity, opening.unit_cost)
                .unwrap_or_default()
                .minor();
            let movement = NewMovement {
                product_id: product,
                kind: MovementKind::OpeningStock,
                quantity: opening.quantity,
                unit_amount: opening.unit_cost,
                unit_cost: opening.unit_cost,
                amount: value,
                cost: value,
                lot_id: Some(lot_id),
                bill_id: None,
                correction_id: None,
                user_id,
                created_at: now,
            };
            ledger::insert_movement(&mut tx, &mut tally, &movement).await?;
        }
    }
    let products = i64::try_from(report.rows.len()).unwrap_or(i64::MAX);
    sqlx::query("UPDATE imports SET imported = $1 WHERE id = $2")
        .bind(products)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let entry = NewEntry::about_stock(actor, now, AuditAction::CatalogueImported, &detail);
    audit::insert(&mut *tx, &entry).await?;
    tally.write(&mut tx).await?;
    tx.commit().await?;
    Ok(Imported {
        products,
        replayed: false,
    })
}

/// The audit line of an import: the file, what it created and updated, and its opening stock.
fn audit_detail(report: &Report) -> String {
    let preview = report.preview();
    format!(
        "{}: {} created, {} updated, opening stock of {} units in {} products",
        preview.file_name,
        preview.creates,
        preview.updates,
        preview.opening_units,
        preview.opening_products
    )
}

/// A row's checked values (it passed [`crate::domain::product_form::ProductForm::parse`] at
/// the check, and parsing is pure, so it passes again).
fn draft(row: &ImportRow) -> Result<crate::domain::product_form::ProductDraft, ImportError> {
    row.form.parse().map_err(|_| ImportError::HasProblems)
}

async fn insert(tx: &mut Tx, row: &ImportRow, now: i64) -> Result<i64, ImportError> {
    let d = draft(row)?;
    // One statement instead of three for the opening stock's position (see `apply`).
    let stock = row
        .opening
        .map(|o| Position::default().receive(o.quantity, o.unit_cost))
        .unwrap_or_default();
    let inserted = sqlx::query(
        "INSERT INTO products (name, name_key, sku, unit, loose, selling_price, lower_limit, upper_limit, \
                               tax_rate_bp, tax_code, created_at, updated_at, quantity, average_cost) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13) RETURNING id",
    )
    .bind(d.name.as_str())
    .bind(d.name.key())
    .bind(d.sku.flatten())
    .bind(d.unit.unwrap_or_else(|| "pcs".to_owned()))
    .bind(flag(d.loose))
    .bind(d.selling_price.minor())
    .bind(d.lower_limit)
    .bind(d.upper_limit)
    .bind(d.tax_rate_bp.flatten().map(i64::from))
    .bind(d.tax_code.flatten())
    .bind(now)
    .bind(stock.quantity)
    .bind(stock.average_cost.minor())
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| conflict_is_change(classify(e)))?;
    Ok(inserted.try_get("id")?)
}

/// Updates a product with what the row gives; an empty cell keeps what the product has, and
/// so does a name that differs only in case or spacing (`toor dal` keeps `Toor Dal`).
async fn update(tx: &mut Tx, id: i64, row: &ImportRow, now: i64) -> Result<(), ImportError> {
    let d = draft(row)?;
    let price = row.has_price.then_some(d.selling_price).map(Money::minor);
    sqlx::query(
        "UPDATE products SET name = CASE WHEN name_key = $2 THEN name ELSE $1 END, name_key = $2, sku = COALESCE($3, sku), unit = COALESCE($4, unit), \
                loose = COALESCE($5, loose), selling_price = COALESCE($6, selling_price), \
                lower_limit = COALESCE($7, lower_limit), upper_limit = COALESCE($8, upper_limit), \
                tax_rate_bp = COALESCE($9, tax_rate_bp), tax_code = COALESCE($10, tax_code), updated_at = $11 \
         WHERE id = $12",
    )
    .bind(d.name.as_str())
    .bind(d.name.key())
    .bind(d.sku.flatten())
    .bind(d.unit)
    .bind(row.has_loose.then(|| flag(d.loose)))
    .bind(price)
    .bind(d.lower_limit)
    .bind(d.upper_limit)
    .bind(d.tax_rate_bp.flatten().map(i64::from))
    .bind(d.tax_code.flatten())
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(|e| conflict_is_change(classify(e)))?;
    Ok(())
}

/// A unique name or SKU taken between the check and the import: the catalogue changed.
fn conflict_is_change(error: StorageError) -> ImportError {
    match error {
        StorageError::Conflict { .. } => ImportError::Changed,
        other => ImportError::Storage(other),
    }
}
