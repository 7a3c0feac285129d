//! Loading a whole simulated shop at once (`stockroom seed --products N --movements M`): large
//! multi-row `INSERT`s on SQLite and `COPY` on PostgreSQL, in one transaction, which is what
//! makes a million movements take seconds rather than hours. The rows come from
//! `server::seed::simulate`, which runs them through the app's own ledger rules.

use super::{Backend, Db, StorageError};
use crate::domain::bill::BillKind;
use crate::domain::ledger::MovementKind;
use crate::domain::Day;
use sqlx::Row;
use std::fmt::Write as _;

/// Rows per SQLite `INSERT` statement.
const ROWS_PER_INSERT: usize = 2_000;

/// A product row. Indexes (`product`, `bill`, `lot`) below are positions in [`Shop`]'s vectors.
#[derive(Clone, Debug, Default)]
pub struct ProductRow {
    pub name: String,
    pub name_key: String,
    pub sku: String,
    pub unit: String,
    pub loose: bool,
    pub selling_price: i64,
    pub lower_limit: Option<i64>,
    pub upper_limit: Option<i64>,
    pub quantity: i64,
    pub average_cost: i64,
}

/// A bill row.
#[derive(Clone, Debug)]
pub struct BillRow {
    pub kind: BillKind,
    pub party: String,
    pub subtotal: i64,
    pub tax: i64,
    pub total: i64,
    pub cost_of_goods: i64,
    pub created_at: i64,
}

/// A bill line row.
#[derive(Clone, Debug)]
pub struct LineRow {
    pub bill: usize,
    pub line_no: i64,
    pub product: usize,
    pub quantity: i64,
    pub unit_price: i64,
    pub line_total: i64,
    pub expires_on: Option<Day>,
    pub tax_rate_bp: i64,
    pub tax: i64,
}

/// A lot row.
#[derive(Clone, Debug)]
pub struct LotRow {
    pub product: usize,
    pub bill: usize,
    pub quantity_in: i64,
    pub remaining: i64,
    pub unit_cost: i64,
    pub expires_on: Option<Day>,
    pub received_at: i64,
}

/// A movement row.
#[derive(Clone, Debug)]
pub struct MovementRow {
    pub product: usize,
    pub kind: MovementKind,
    pub quantity: i64,
    pub unit_amount: i64,
    pub unit_cost: i64,
    /// The money moved at `unit_amount` and at the lot's cost, signed like `quantity`
    /// (`ledger::NewMovement`).
    pub amount: i64,
    pub cost: i64,
    pub lot: usize,
    /// Write-offs have no bill.
    pub bill: Option<usize>,
    pub created_at: i64,
}

/// A whole shop to load, recorded by `user_id` at `tax_rate_bp`.
#[derive(Clone, Debug, Default)]
pub struct Shop {
    pub user_id: i64,
    pub tax_rate_bp: u32,
    pub products: Vec<ProductRow>,
    pub bills: Vec<BillRow>,
    pub lines: Vec<LineRow>,
    pub lots: Vec<LotRow>,
    pub movements: Vec<MovementRow>,
}

/// How many products and bills the database holds (seeding needs none).
pub async fn existing_rows(db: &Db) -> Result<i64, StorageError> {
    Ok(
        sqlx::query("SELECT (SELECT COUNT(*) FROM products) + (SELECT COUNT(*) FROM bills) AS n")
            .fetch_one(db.pool())
            .await?
            .try_get("n")?,
    )
}

/// The first manager records the history; a shop without accounts gets an inactive author that
/// cannot sign in (its password hash is not a hash).
pub async fn seed_user(db: &Db, now: i64) -> Result<i64, StorageError> {
    let row = sqlx::query("SELECT MIN(id) AS id FROM users WHERE role = 'manager'")
        .fetch_one(db.pool())
        .await?;
    if let Some(id) = row.try_get::<Option<i64>, _>("id")? {
        return Ok(id);
    }
    Ok(sqlx::query(
        "INSERT INTO users (email, first_name, last_name, role, active, password_hash, created_at) \
         VALUES ('seed@stockroom.invalid', 'Seed', 'Data', 'staff', 0, '!', $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(db.pool())
    .await?
    .try_get("id")?)
}

/// One field of a row to load.
enum Value<'a> {
    Int(i64),
    Text(&'a str),
    Day(Day),
    Null,
}

impl Value<'_> {
    fn opt_int(value: Option<i64>) -> Self {
        value.map_or(Value::Null, Value::Int)
    }
}

/// Writes row `i`'s fields into the buffer.
type RowFn<'a> = Box<dyn Fn(&mut Vec<Value<'a>>, usize) + 'a>;

/// A table's rows as the loader sees them: its columns, and each row's fields in that order.
struct Table<'a> {
    name: &'static str,
    columns: &'static str,
    rows: RowFn<'a>,
    len: usize,
}

/// Writes the simulated shop. Ids are explicit (1-based positions after the tables' current
/// maximum), so rows link up without reading ids back.
///
/// PostgreSQL loads with `COPY` on a connection of its own; SQLite with multi-row `INSERT`s.
/// Both in one transaction, with per-row foreign-key checks off: the links are right by
/// construction, and checking three million of them one at a time is most of the cost. (On a
/// PostgreSQL role that may not turn them off they simply run.)
pub async fn load(db: &Db, url: &str, shop: &Shop) -> Result<(), StorageError> {
    let mut bases = [0i64; 5];
    for (slot, table) in ["products", "bills", "bill_lines", "lots", "movements"]
        .iter()
        .enumerate()
    {
        bases[slot] = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS n FROM {table}"))
            .fetch_one(db.pool())
            .await?
            .try_get("n")?;
    }
    let tables = tables(shop, bases);
    match db.backend() {
        Backend::Sqlite => load_sqlite(db, &tables).await?,
        Backend::Postgres => load_postgres(url, &tables).await?,
    }
    Ok(())
}

/// After a bulk load and what follows it (parties linked, summaries counted): statistics for
/// the planner; on PostgreSQL also the visibility map, which index-only scans (the dashboard's
/// sums) need and which autovacuum would otherwise set minutes later; on SQLite the write-ahead
/// log folded into the database, so the server's first start does not read it all back.
pub async fn settle(db: &Db) -> Result<(), StorageError> {
    let statements: &[&str] = match db.backend() {
        Backend::Sqlite => &["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"],
        Backend::Postgres => &["VACUUM (ANALYZE)"],
    };
    for statement in statements {
        sqlx::query(statement).execute(db.pool()).await?;
    }
    Ok(())
}

fn tables(shop: &Shop, bases: [i64; 5]) -> Vec<Table<'_>> {
    let [product_id, bill_id, line_id, lot_id, movement_id] = bases;
    let id = |base: i64, index: usize| Value::Int(base + index as i64 + 1);
    let now = shop.bills.last().map_or(0, |b| b.created_at);
    let user = shop.user_id;
    let rate = i64::from(shop.tax_rate_bp);
    vec![
        Table {
            name: "products",
            columns: "id, name, name_key, sku, unit, loose, selling_price, average_cost, quantity, \
                      lower_limit, upper_limit, archived, created_at, updated_at",
            len: shop.products.len(),
            rows: Box::new(move |out, i| {
                let p = &shop.products[i];
                out.extend([
                    id(product_id, i),
                    Value::Text(&p.name),
                    Value::Text(&p.name_key),
                    Value::Text(&p.sku),
                    Value::Text(&p.unit),
                    Value::Int(i64::from(p.loose)),
                    Value::Int(p.selling_price),
                    Value::Int(p.average_cost),
                    Value::Int(p.quantity),
                    Value::opt_int(p.lower_limit),
                    Value::opt_int(p.upper_limit),
                    Value::Int(0),
                    Value::Int(now),
                    Value::Int(now),
                ]);
            }),
        },
        Table {
            name: "bills",
            columns: "id, kind, party_name, subtotal, tax_rate_bp, tax, total, cost_of_goods, created_by, created_at",
            len: shop.bills.len(),
            rows: Box::new(move |out, i| {
                let b = &shop.bills[i];
                out.extend([
                    id(bill_id, i),
                    Value::Text(b.kind.as_str()),
                    Value::Text(&b.party),
                    Value::Int(b.subtotal),
                    Value::Int(rate),
                    Value::Int(b.tax),
                    Value::Int(b.total),
                    Value::Int(b.cost_of_goods),
                    Value::Int(user),
                    Value::Int(b.created_at),
                ]);
            }),
        },
        Table {
            name: "bill_lines",
            columns: "id, bill_id, line_no, product_id, quantity, unit_price, line_total, expires_on, tax_rate_bp, tax",
            len: shop.lines.len(),
            rows: Box::new(move |out, i| {
                let l = &shop.lines[i];
                out.extend([
                    id(line_id, i),
                    id(bill_id, l.bill),
                    Value::Int(l.line_no),
                    id(product_id, l.product),
                    Value::Int(l.quantity),
                    Value::Int(l.unit_price),
                    Value::Int(l.line_total),
                    l.expires_on.map_or(Value::Null, Value::Day),
                    Value::Int(l.tax_rate_bp),
                    Value::Int(l.tax),
                ]);
            }),
        },
        Table {
            name: "lots",
            columns: "id, product_id, bill_id, quantity_in, remaining, unit_cost, expires_on, received_at",
            len: shop.lots.len(),
            rows: Box::new(move |out, i| {
                let l = &shop.lots[i];
                out.extend([
                    id(lot_id, i),
                    id(product_id, l.product),
                    id(bill_id, l.bill),
                    Value::Int(l.quantity_in),
                    Value::Int(l.remaining),
                    Value::Int(l.unit_cost),
                    l.expires_on.map_or(Value::Null, Value::Day),
                    Value::Int(l.received_at),
                ]);
            }),
        },
        Table {
            name: "movements",
            columns: "id, product_id, kind, quantity, unit_amount, unit_cost, lot_id, bill_id, user_id, created_at, \
                      amount, cost",
            len: shop.movements.len(),
            rows: Box::new(move |out, i| {
                let m = &shop.movements[i];
                out.extend([
                    id(movement_id, i),
                    id(product_id, m.product),
                    Value::Text(m.kind.as_str()),
                    Value::Int(m.quantity),
                    Value::Int(m.unit_amount),
                    Value::Int(m.unit_cost),
                    id(lot_id, m.lot),
                    m.bill.map_or(Value::Null, |b| id(bill_id, b)),
                    Value::Int(user),
                    Value::Int(m.created_at),
                    Value::Int(m.amount),
                    Value::Int(m.cost),
                ]);
            }),
        },
    ]
}

async fn load_sqlite(db: &Db, tables: &[Table<'_>]) -> Result<(), StorageError> {
    // A connection of its own, closed afterwards (never back in the pool with checks off).
    let mut conn = db.pool().acquire().await?.detach();
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut conn)
        .await?;
    sqlx::query("PRAGMA cache_size = -262144")
        .execute(&mut conn)
        .await?;
    let mut tx = sqlx::Connection::begin(&mut conn).await?;
    let mut fields = Vec::new();
    for table in tables {
        let started = std::time::Instant::now();
        let mut start = 0;
        while start < table.len {
            let end = (start + ROWS_PER_INSERT).min(table.len);
            let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, table.columns);
            for i in start..end {
                fields.clear();
                (table.rows)(&mut fields, i);
                if i != start {
                    sql.push(',');
                }
                sql.push('(');
                for (n, field) in fields.iter().enumerate() {
                    if n > 0 {
                        sql.push(',');
                    }
                    match field {
                        Value::Int(v) => write!(sql, "{v}").unwrap_or_default(),
                        Value::Text(t) => {
                            write!(sql, "'{}'", t.replace('\'', "''")).unwrap_or_default()
                        }
                        Value::Day(d) => write!(sql, "'{d}'").unwrap_or_default(),
                        Value::Null => sql.push_str("NULL"),
                    }
                }
                sql.push(')');
            }
            sqlx::query(&sql)
                .persistent(false)
                .execute(&mut *tx)
                .await?;
            start = end;
        }
        tracing::info!(table = table.name, rows = table.len, elapsed = ?started.elapsed(), "loaded");
    }
    tx.commit().await?;
    Ok(())
}

async fn load_postgres(url: &str, tables: &[Table<'_>]) -> Result<(), StorageError> {
    use sqlx::postgres::PgConnection;
    use sqlx::Connection as _;
    let mut conn = PgConnection::connect(url).await?;
    if let Err(e) = sqlx::query("SET session_replication_role = replica")
        .execute(&mut conn)
        .await
    {
        tracing::info!("foreign keys stay checked while seeding: {e}");
    }
    let mut tx = conn.begin().await?;
    let mut fields = Vec::new();
    for table in tables {
        let started = std::time::Instant::now();
        let mut copy = tx
            .copy_in_raw(&format!(
                "COPY {} ({}) FROM STDIN WITH (FORMAT csv)",
                table.name, table.columns
            ))
            .await?;
        let mut csv = String::with_capacity(1 << 20);
        for i in 0..table.len {
            fields.clear();
            (table.rows)(&mut fields, i);
            for (n, field) in fields.iter().enumerate() {
                if n > 0 {
                    csv.push(',');
                }
                match field {
                    Value::Int(v) => write!(csv, "{v}").unwrap_or_default(),
                    Value::Text(t) => {
                        write!(csv, "\"{}\"", t.replace('"', "\"\"")).unwrap_or_default()
                    }
                    Value::Day(d) => write!(csv, "{d}").unwrap_or_default(),
                    Value::Null => {}
                }
            }
            csv.push('\n');
            if csv.len() > (1 << 20) {
                copy.send(csv.as_bytes()).await?;
                csv.clear();
            }
        }
        if !csv.is_empty() {
            copy.send(csv.as_bytes()).await?;
        }
        copy.finish().await?;
        tracing::info!(table = table.name, rows = table.len, elapsed = ?started.elapsed(), "loaded");
        // Explicit ids leave the identity sequence behind; move it past the loaded rows.
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{0}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {0}), false)",
            table.name
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}
