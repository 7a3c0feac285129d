//! The reorder list: products at or below their lower limit, or projected to run out within a
//! window at their net sales of the last 28 local days (the rule is [`Demand::needs_order`],
//! written here in SQL as the same integer comparison), most urgent first, with the supplier of
//! each product's latest purchase.
//!
//! Why it stays fast at chain scale (100,000 products, 1,000,000 movements): the sales are one
//! range scan of the covering index `movements_sums_by_kind` (kind, time, product, quantity),
//! grouped once per view, never a scan of a product's ledger; the products at their limit come
//! from the partial index `products_to_reorder`; and the last supplier is looked up only for the
//! rows shown, one step down `movements_last_purchase` each (migration 0014). Filtering by
//! supplier looks it up for every candidate instead, still one index step each.

use super::{Backend, Db, Result};
use crate::domain::reorder::{Demand, ReorderList, ReorderRow, SALES_WINDOW_DAYS};
use sqlx::Row;

/// What to list.
#[derive(Clone, Debug)]
pub struct ReorderQuery {
    /// The sales window, `[since, until)` in Unix seconds.
    pub since: i64,
    pub until: i64,
    /// List products projected to run out within this many days.
    pub days: i64,
    /// Only products whose last supplier is this one (case-insensitively).
    pub supplier: Option<String>,
    /// The most rows to return.
    pub limit: i64,
}

/// Most urgent first: the fewest days left, then products that did not sell (listed for their
/// lower limit), each by name.
const ORDER: &str = "CASE WHEN sold > 0 THEN 0 ELSE 1 END, \
                     CASE WHEN sold > 0 THEN quantity * 28 / sold ELSE 0 END, name_key, id";

/// The supplier of the product `{id}`'s latest purchase.
fn last_supplier(id: &str) -> String {
    format!(
        "(SELECT b.party_name FROM movements m JOIN bills b ON b.id = m.bill_id \
          WHERE m.product_id = {id} AND m.kind = 'purchase' \
          ORDER BY m.created_at DESC, m.id DESC LIMIT 1)"
    )
}

/// The candidates (`picked`): `$1`/`$2` the sales window, `$3` the days. Every product that
/// sold in the window and every one at its limit is grouped once, in one pass (a product at its
/// limit that did not sell adds a row of 0), and kept if the rule lists it.
fn picked(backend: Backend) -> String {
    // SQLite, with statistics, prefers to walk every product; pin the partial index that holds
    // just the ones at their limit. PostgreSQL picks it unaided.
    let low = match backend {
        Backend::Sqlite => "products INDEXED BY products_to_reorder",
        Backend::Postgres => "products",
    };
    format!(
        "WITH picked AS ( \
            SELECT p.id, p.name, p.name_key, p.unit, p.quantity, p.lower_limit, p.upper_limit, s.sold \
            FROM (SELECT product_id, -CAST(SUM(quantity) AS BIGINT) AS sold FROM ( \
                    SELECT product_id, quantity FROM movements \
                    WHERE kind IN ('sale', 'sale_return') AND created_at >= $1 AND created_at < $2 \
                    UNION ALL \
                    SELECT id, 0 FROM {low} WHERE archived = 0 AND quantity <= lower_limit) u \
                  GROUP BY product_id) s \
            JOIN products p ON p.id = s.product_id \
            WHERE p.archived = 0 AND (p.quantity <= p.lower_limit \
                  OR (s.sold > 0 AND p.quantity * {SALES_WINDOW_DAYS} <= s.sold * $3)))"
    )
}

/// The reorder list for `query`: its first `limit` rows, most urgent first, and how many
/// products it holds in all.
pub async fn list(db: &Db, query: &ReorderQuery) -> Result<ReorderList> {
    let picked = picked(db.backend());
    let supplier = query
        .supplier
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let rows = match supplier {
        None => {
            let sql = format!(
                "{picked} SELECT c.*, {} AS supplier FROM \
                 (SELECT picked.*, COUNT(*) OVER () AS total FROM picked ORDER BY {ORDER} LIMIT $4) c \
                 ORDER BY {ORDER}",
                last_supplier("c.id")
            );
            sqlx::query(&sql)
                .bind(query.since)
                .bind(query.until)
                .bind(query.days)
                .bind(query.limit)
                .fetch_all(db.pool())
                .await?
        }
        Some(supplier) => {
            let sql = format!(
                "{picked}, named AS (SELECT picked.*, {} AS supplier FROM picked) \
                 SELECT named.*, COUNT(*) OVER () AS total FROM named \
                 WHERE LOWER(supplier) = LOWER($4) ORDER BY {ORDER} LIMIT $5",
                last_supplier("picked.id")
            );
            sqlx::query(&sql)
                .bind(query.since)
                .bind(query.until)
                .bind(query.days)
                .bind(supplier.to_owned())
                .bind(query.limit)
                .fetch_all(db.pool())
                .await?
        }
    };
    let total = match rows.first() {
        Some(row) => row.try_get("total")?,
        None => 0,
    };
    let rows = rows
        .iter()
        .map(|row| {
            let demand = Demand {
                on_hand: row.try_get("quantity")?,
                lower_limit: row.try_get("lower_limit")?,
                upper_limit: row.try_get("upper_limit")?,
                sold: row.try_get("sold")?,
            };
            debug_assert!(demand.needs_order(query.days), "SQL and the rule agree");
            Ok(ReorderRow {
                product_id: row.try_get("id")?,
                product: row.try_get("name")?,
                unit: row.try_get("unit")?,
                on_hand: demand.on_hand,
                lower_limit: demand.lower_limit,
                days_left: demand.days_left(),
                suggested: demand.suggested_order(),
                last_supplier: row.try_get("supplier")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ReorderList { rows, total })
}
