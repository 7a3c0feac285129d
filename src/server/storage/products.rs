//! Products: the catalogue and each product's stock position.

use super::{classify, flag, like_escape, placeholders, Arg, Backend, Conditions, Db, Result};
use crate::domain::product::{ProductSort, COUNT_CAP};
use crate::domain::product_form::ProductDraft;
use crate::domain::{search, Money, Product, ProductPage};
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, name, sku, unit, loose, quantity, average_cost, selling_price, \
                       lower_limit, upper_limit, tax_rate_bp, tax_code";

fn product_from(row: &AnyRow) -> Result<Product> {
    Ok(Product {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        sku: row.try_get("sku")?,
        unit: row.try_get("unit")?,
        loose: row.try_get::<i64, _>("loose")? != 0,
        quantity: row.try_get("quantity")?,
        average_cost: Some(Money::from_minor(row.try_get("average_cost")?)),
        selling_price: Money::from_minor(row.try_get("selling_price")?),
        lower_limit: row.try_get("lower_limit")?,
        upper_limit: row.try_get("upper_limit")?,
        tax_rate_bp: row
            .try_get::<Option<i64>, _>("tax_rate_bp")?
            .and_then(|r| u32::try_from(r).ok()),
        tax_code: row.try_get("tax_code")?,
    })
}

/// A product to add to the catalogue (stock arrives later, through purchases).
#[derive(Clone, Debug)]
pub struct NewProduct<'a> {
    pub name: &'a str,
    pub sku: Option<&'a str>,
    pub unit: &'a str,
    pub loose: bool,
    pub selling_price: Money,
    pub lower_limit: Option<i64>,
    pub upper_limit: Option<i64>,
}

/// Adds a product; a name that folds to an existing one is a conflict on `name_key`.
pub async fn insert(db: &Db, product: &NewProduct<'_>, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO products (name, name_key, sku, unit, loose, selling_price, lower_limit, upper_limit, \
                               created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(product.name.trim())
    .bind(search::fold(product.name))
    .bind(product.sku)
    .bind(product.unit)
    .bind(flag(product.loose))
    .bind(product.selling_price.minor())
    .bind(product.lower_limit)
    .bind(product.upper_limit)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .map_err(classify)?;
    Ok(row.try_get("id")?)
}

/// How a search finds the products whose folded name contains the typed text.
enum NameMatch {
    /// No search.
    All,
    /// SQLite, three characters or more: the trigram index `products_search` (migration 0008),
    /// queried with this FTS5 phrase, and the `LIKE` pattern for reading along an order.
    Trigrams { phrase: String, pattern: String },
    /// A `LIKE` pattern: PostgreSQL answers it from its trigram index (`products_name_trgm`),
    /// SQLite by reading names in order (only for one- or two-character searches).
    Like(String),
}

/// Below this many matches a page of search results is read from the matches themselves
/// (looked up and sorted); from it on, along the list's order, where matches come often enough
/// that a page fills after a short walk.
const FEW_MATCHES: i64 = 300;

impl NameMatch {
    fn new(db: &Db, query: Option<&str>) -> Self {
        let Some(folded) = query.and_then(search::query) else {
            return Self::All;
        };
        let pattern = format!("%{}%", like_escape(&folded));
        if db.backend() == Backend::Sqlite && folded.chars().count() >= 3 {
            // One FTS5 phrase: the text in double quotes, its own quotes doubled.
            let phrase = format!("\"{}\"", folded.replace('"', "\"\""));
            Self::Trigrams { phrase, pattern }
        } else {
            Self::Like(pattern)
        }
    }

    /// The listed products matching the search (by name, or the exact SKU `sku`), if any;
    /// `few` says the matches are few enough to read from the trigram index directly.
    fn conditions(&self, sku: &str, few: bool) -> Conditions {
        let mut conditions = Conditions::default();
        conditions.push("archived = 0", []);
        match self {
            Self::All => {}
            Self::Trigrams { phrase, .. } if few => conditions.push(
                "id IN (SELECT rowid FROM products_search WHERE products_search MATCH ? \
                        UNION SELECT id FROM products WHERE sku = ?)",
                [Arg::Text(phrase.clone()), Arg::Text(sku.to_owned())],
            ),
            Self::Trigrams { pattern, .. } | Self::Like(pattern) => conditions.push(
                "(name_key LIKE ? ESCAPE '\\' OR sku = ?)",
                [Arg::Text(pattern.clone()), Arg::Text(sku.to_owned())],
            ),
        }
        conditions
    }
}

/// The statement counting the products that meet `conditions`, up to the number bound to
/// parameter `cap` (`COUNT_CAP + 1`), as column `n`: the count stops reading at the cap.
fn capped_count_sql(conditions: &Conditions, cap: usize) -> String {
    format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM products {} LIMIT ${cap}) AS capped",
        conditions.where_sql()
    )
}

/// How many listed products match, up to `COUNT_CAP + 1`.
async fn count_matches(db: &Db, matching: &NameMatch, sku: &str) -> Result<i64> {
    let row = match matching {
        // The index holds exactly the listed products' names: no product row is read.
        NameMatch::Trigrams { phrase, .. } => {
            sqlx::query(
                "SELECT COUNT(*) AS n FROM (SELECT rowid AS id FROM products_search WHERE products_search MATCH $1 \
                 UNION SELECT id FROM products WHERE sku = $2 AND archived = 0 LIMIT $3) AS capped",
            )
            .bind(phrase.clone())
            .bind(sku.to_owned())
            .bind(COUNT_CAP + 1)
            .fetch_one(db.pool())
            .await?
        }
        NameMatch::All | NameMatch::Like(_) => {
            let conditions = matching.conditions(sku, false);
            let sql = capped_count_sql(&conditions, conditions.next_param());
            conditions
                .bind(sqlx::query(&sql))
                .bind(COUNT_CAP + 1)
                .fetch_one(db.pool())
                .await?
        }
    };
    Ok(row.try_get("n")?)
}

/// One page of the products that are not archived, in `sort` order, optionally those whose
/// folded name contains `query` or whose SKU is `query`. `page` starts at 1.
pub async fn list(
    db: &Db,
    query: Option<&str>,
    sort: ProductSort,
    page: i64,
    per_page: i64,
) -> Result<ProductPage> {
    let page = page.max(1);
    let matching = NameMatch::new(db, query);
    let sku = query.map(str::trim).unwrap_or_default();
    // Each order has an index (migration 0006) that also serves the archived filter.
    let order = match sort {
        ProductSort::Name => "name_key, id",
        ProductSort::NameDesc => "name_key DESC, id DESC",
        ProductSort::Quantity => "quantity, name_key, id",
        ProductSort::QuantityDesc => "quantity DESC, name_key DESC, id DESC",
    };
    // A trigram search reads its page one way or another by how many match, so it counts
    // first. Every other list counts in the page's own statement (a subquery run once, reusing
    // the page's parameters): one round trip fewer on every view of `/inventory`.
    let counted_first = match &matching {
        NameMatch::Trigrams { .. } => Some(count_matches(db, &matching, sku).await?),
        NameMatch::All | NameMatch::Like(_) => None,
    };
    let conditions = matching.conditions(sku, counted_first.is_some_and(|n| n < FEW_MATCHES));
    let (limit, offset, cap) = (
        conditions.next_param(),
        conditions.next_param() + 1,
        conditions.next_param() + 2,
    );
    let total_sql = match counted_first {
        Some(_) => String::new(),
        None => format!(", ({}) AS total", capped_count_sql(&conditions, cap)),
    };
    let sql = format!(
        "SELECT {COLUMNS}{total_sql} FROM products {} ORDER BY {order} LIMIT ${limit} OFFSET ${offset}",
        conditions.where_sql(),
    );
    let mut query = conditions
        .bind(sqlx::query(&sql))
        .bind(per_page + 1)
        .bind((page - 1).saturating_mul(per_page));
    if counted_first.is_none() {
        query = query.bind(COUNT_CAP + 1);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let total = match (counted_first, rows.first()) {
        (Some(n), _) => n,
        (None, Some(row)) => row.try_get("total")?,
        // A page past the end has no row to carry the count.
        (None, None) => count_matches(db, &matching, sku).await?,
    };
    let mut products = rows.iter().map(product_from).collect::<Result<Vec<_>>>()?;
    let has_next = products.len() as i64 > per_page;
    products.truncate(usize::try_from(per_page).unwrap_or_default());
    Ok(ProductPage {
        products,
        total,
        page,
        per_page,
        has_next,
    })
}

/// Where [`list_after`] goes on from: the last product it gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct After {
    quantity: i64,
    name_key: String,
}

/// The products that are not archived, matching `query` as [`list`] matches them, in `sort`
/// order, `per_page` at a time from `after` (from the first without), and where the next read
/// goes on from (`None`: that was the last). For exports: each read is one range of the order's
/// index, so a catalogue of any size is read in one pass and nothing is counted. (`list` pages
/// by number and counts the matches, which a page shows; an export of 100,000 products read that
/// way took 42 s on PostgreSQL.)
pub async fn list_after(
    db: &Db,
    query: Option<&str>,
    sort: ProductSort,
    after: Option<&After>,
    per_page: i64,
) -> Result<(Vec<Product>, Option<After>)> {
    let matching = NameMatch::new(db, query);
    let sku = query.map(str::trim).unwrap_or_default();
    let mut conditions = matching.conditions(sku, false);
    // Names are unique, so a name (after the quantity, in the quantity orders) marks a place.
    let (order, seek) = match sort {
        ProductSort::Name => ("name_key", "name_key > ?"),
        ProductSort::NameDesc => ("name_key DESC", "name_key < ?"),
        ProductSort::Quantity => ("quantity, name_key", "(quantity, name_key) > (?, ?)"),
        ProductSort::QuantityDesc => (
            "quantity DESC, name_key DESC",
            "(quantity, name_key) < (?, ?)",
        ),
    };
    if let Some(after) = after {
        let key = Arg::Text(after.name_key.clone());
        match sort {
            ProductSort::Name | ProductSort::NameDesc => conditions.push(seek, [key]),
            ProductSort::Quantity | ProductSort::QuantityDesc => {
                conditions.push(seek, [Arg::Int(after.quantity), key]);
            }
        }
    }
    let rows = conditions
        .bind(sqlx::query(&format!(
            "SELECT {COLUMNS}, name_key FROM products {} ORDER BY {order} LIMIT ${}",
            conditions.where_sql(),
            conditions.next_param()
        )))
        .bind(per_page + 1)
        .fetch_all(db.pool())
        .await?;
    let more = rows.len() as i64 > per_page;
    let rows = &rows[..rows
        .len()
        .min(usize::try_from(per_page).unwrap_or_default())];
    let next = match rows.last() {
        Some(last) if more => Some(After {
            quantity: last.try_get("quantity")?,
            name_key: last.try_get("name_key")?,
        }),
        _ => None,
    };
    let products = rows.iter().map(product_from).collect::<Result<Vec<_>>>()?;
    Ok((products, next))
}

/// The listed product whose SKU/barcode is exactly `code` (what a scanner types).
pub async fn by_code(db: &Db, code: &str) -> Result<Option<Product>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM products WHERE sku = $1 AND archived = 0"
    ))
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(product_from).transpose()
}

/// The listed products a bill form's `Product` fields name: by exact SKU or by name (case and
/// spacing ignored), one statement for the whole form.
pub async fn named(db: &Db, typed: &[String]) -> Result<Vec<Product>> {
    let typed: Vec<&String> = typed
        .iter()
        .filter(|t| !t.trim().is_empty())
        .take(100)
        .collect();
    if typed.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM products WHERE archived = 0 AND (name_key IN ({}) OR sku IN ({}))",
        placeholders(1, typed.len()),
        placeholders(typed.len() + 1, typed.len())
    );
    let mut query = sqlx::query(&sql);
    for t in &typed {
        query = query.bind(search::fold(t));
    }
    for t in &typed {
        query = query.bind(t.trim().to_owned());
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter().map(product_from).collect()
}

/// Up to `limit` products for a typed prefix: names starting with it first (an index range
/// scan on `name_key`), then names containing it, then an exact SKU.
pub async fn suggest(db: &Db, typed: &str, limit: i64) -> Result<Vec<Product>> {
    let Some(folded) = search::query(typed) else {
        return Ok(Vec::new());
    };
    let escaped = like_escape(&folded);
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, CASE WHEN name_key LIKE $1 ESCAPE '\\' THEN 0 ELSE 1 END AS rank \
         FROM products \
         WHERE archived = 0 AND (name_key LIKE $2 ESCAPE '\\' OR sku = $3) \
         ORDER BY rank, name_key LIMIT $4"
    ))
    .bind(format!("{escaped}%"))
    .bind(format!("%{escaped}%"))
    .bind(typed.trim())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(product_from).collect()
}

/// One product (archived or not), or `None`.
pub async fn get(db: &Db, id: i64) -> Result<Option<Product>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM products WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(product_from).transpose()
}

/// The constraint a [`update`] conflict names when the change would measure a product with
/// history in another scale (kg and g): its stored prices and costs are per one of them.
pub const MEASURE_FIXED: &str = "measure_fixed_by_history";

/// Saves a product's facts; a name (or SKU) taken by another product is a conflict, and so is
/// a change between loose kg and g (or packaged) of a product with movements ([`MEASURE_FIXED`]).
pub async fn update(db: &Db, id: i64, change: &ProductDraft, now: i64) -> Result<()> {
    let Some(current) = get(db, id).await? else {
        return Err(super::StorageError::NotFound);
    };
    let before = current.measure();
    let after = crate::domain::Measure::new(
        change.unit.clone().unwrap_or_else(|| before.unit.clone()),
        change.loose,
    );
    if after.scale() != before.scale() {
        let moved = sqlx::query("SELECT 1 AS moved FROM movements WHERE product_id = $1 LIMIT 1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .is_some();
        if moved {
            return Err(super::StorageError::Conflict {
                constraint: MEASURE_FIXED.to_owned(),
            });
        }
    }
    let done = sqlx::query(
        "UPDATE products SET name = $1, name_key = $2, selling_price = $3, lower_limit = $4, upper_limit = $5, \
                             loose = $6, updated_at = $7, \
                             sku = CASE WHEN $9 = 1 THEN $10 ELSE sku END, unit = COALESCE($11, unit), \
                             tax_rate_bp = CASE WHEN $12 = 1 THEN $13 ELSE tax_rate_bp END, \
                             tax_code = CASE WHEN $14 = 1 THEN $15 ELSE tax_code END \
         WHERE id = $8",
    )
    .bind(change.name.as_str())
    .bind(change.name.key())
    .bind(change.selling_price.minor())
    .bind(change.lower_limit)
    .bind(change.upper_limit)
    .bind(flag(change.loose))
    .bind(now)
    .bind(id)
    .bind(i64::from(change.sku.is_some()))
    .bind(change.sku.clone().flatten())
    .bind(change.unit.as_deref())
    .bind(i64::from(change.tax_rate_bp.is_some()))
    .bind(change.tax_rate_bp.flatten().map(i64::from))
    .bind(i64::from(change.tax_code.is_some()))
    .bind(change.tax_code.clone().flatten())
    .execute(db.pool())
    .await
    .map_err(classify)?;
    if done.rows_affected() == 0 {
        return Err(super::StorageError::NotFound);
    }
    Ok(())
}

/// What happened to a product a manager removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removed {
    /// It had no history and is gone.
    Deleted,
    /// It has history, so it stays in the books but leaves the lists.
    Archived,
}

/// Gives product `id`, which has no SKU, an in-store EAN-13 (prefix 200, then 201… should that
/// number be taken) and returns it; a product that already has a code keeps it (`Ok(None)`).
pub async fn assign_barcode(db: &Db, id: i64, now: i64) -> Result<Option<String>> {
    let number = u64::try_from(id).unwrap_or_default();
    for prefix in 200..=299 {
        let Some(code) = crate::domain::barcode::in_store_ean13(prefix, number) else {
            break;
        };
        let done = sqlx::query(
            "UPDATE products SET sku = $1, updated_at = $2 WHERE id = $3 AND sku IS NULL",
        )
        .bind(&code)
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await
        .map_err(classify);
        match done {
            Ok(r) if r.rows_affected() == 1 => return Ok(Some(code)),
            Ok(_) => {
                return match get(db, id).await? {
                    Some(_) => Ok(None),
                    None => Err(super::StorageError::NotFound),
                }
            }
            // Someone typed this very number as another product's SKU: the next prefix.
            Err(super::StorageError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Err(super::StorageError::Conflict {
        constraint: "products_sku_key".into(),
    })
}

/// Deletes a product without history, archives one with history. One transaction, so a
/// purchase racing the delete either lands first (and the product is archived) or finds no product.
pub async fn remove(db: &Db, id: i64, now: i64) -> Result<Removed> {
    let mut tx = db.begin_write().await?;
    let history: i64 = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM movements WHERE product_id = $1) + (SELECT COUNT(*) FROM bill_lines WHERE product_id = $1) AS n",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("n")?;
    let (sql, removed) = if history == 0 {
        ("DELETE FROM products WHERE id = $1", Removed::Deleted)
    } else {
        (
            "UPDATE products SET archived = 1, updated_at = $2 WHERE id = $1",
            Removed::Archived,
        )
    };
    let mut query = sqlx::query(sql).bind(id);
    if removed == Removed::Archived {
        query = query.bind(now);
    }
    if query.execute(&mut *tx).await?.rows_affected() == 0 {
        return Err(super::StorageError::NotFound);
    }
    tx.commit().await?;
    Ok(removed)
}
