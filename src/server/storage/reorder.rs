//! The reorder list: products at or below their lower limit, or projected to run out within a
//! window at their net sales of the last 28 local days (the rule is [`Demand::needs_order`],
//! written here in SQL as the same integer comparison), most urgent first, with the supplier of
//! each product's latest purchase.
//!
//! Why one page costs the same in a shop's tenth year as in its first (100,000 products,
//! 1,000,000 movements: see BENCHMARKS.md): nothing here reads the ledger's sales. Each
//! product's 28-day sales are kept on its own row (`sold_recent`, see [`super::summaries`]);
//! the products that run out within N days are one range of the index `products_running_out`
//! (whole days left, then name), the products at their limit the partial index
//! `products_to_reorder`; and the last supplier is looked up only for the rows shown, one step
//! down `movements_last_purchase` each (migration 0014). Filtering by supplier looks it up for
//! every candidate instead, still one index step each, and matches the supplier as parties are
//! matched: on the folded name (`parties.name_key`).

use super::{summaries, Backend, Db, Result};
use crate::domain::reorder::{Demand, ReorderList, ReorderRow, SALES_WINDOW_DAYS};
use sqlx::Row;

// `products_running_out` (migration 0018) spells the window out as 28.
const _: () = assert!(
    SALES_WINDOW_DAYS == 28,
    "change migration 0018's index with the window"
);

/// What to list.
#[derive(Clone, Debug)]
pub struct ReorderQuery {
    /// The moment of the view: the sales window is the shop's last 28 days up to it.
    pub now: i64,
    /// List products projected to run out within this many days.
    pub days: i64,
    /// Only products whose last supplier is this one (case and spacing ignored).
    pub supplier: Option<String>,
    /// The most rows to return.
    pub limit: i64,
}

/// Most urgent first: the fewest days left, then products that did not sell (listed for their
/// lower limit), each by name.
const ORDER: &str = "CASE WHEN sold > 0 THEN 0 ELSE 1 END, \
                     CASE WHEN sold > 0 THEN quantity * 28 / sold ELSE 0 END, name_key, id";

/// `column` of the latest purchase bill `b` with the product `{id}` (its supplier's name is
/// `b.party_name`, its id `b.id`).
fn last_purchase(id: &str, column: &str) -> String {
    format!(
        "(SELECT {column} FROM movements m JOIN bills b ON b.id = m.bill_id \
          WHERE m.product_id = {id} AND m.kind = 'purchase' \
          ORDER BY m.created_at DESC, m.id DESC LIMIT 1)"
    )
}

/// The candidates (`picked`), `$1` the days: the products at their limit, and those whose
/// stock lasts at most `$1` days at their rate. The second half's range is on whole days
/// (`quantity * 28 / sold_recent`, exactly the expression of `products_running_out`), and the
/// exact rule then drops the products a fraction of a day past it.
fn picked(backend: Backend) -> String {
    // SQLite, with statistics, prefers to walk every product; pin the partial indexes that hold
    // just the rows each half reads (and fail loudly should they stop fitting). PostgreSQL picks
    // them unaided.
    let (low, running_out) = match backend {
        Backend::Sqlite => (
            "products INDEXED BY products_to_reorder",
            "products INDEXED BY products_running_out",
        ),
        Backend::Postgres => ("products", "products"),
    };
    const COLUMNS: &str =
        "id, name, name_key, unit, quantity, lower_limit, upper_limit, sold_recent AS sold";
    format!(
        "WITH picked AS ( \
            SELECT {COLUMNS} FROM {low} WHERE archived = 0 AND quantity <= lower_limit \
            UNION \
            SELECT {COLUMNS} FROM {running_out} WHERE archived = 0 AND sold_recent > 0 \
              AND quantity * 28 / sold_recent <= $1 \
              AND quantity * {SALES_WINDOW_DAYS} <= sold_recent * $1)"
    )
}

/// The reorder list for `query`: its first `limit` rows, most urgent first, and how many
/// products it holds in all.
pub async fn list(db: &Db, query: &ReorderQuery) -> Result<ReorderList> {
    summaries::catch_up(db, query.now).await?;
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
                 (SELECT picked.*, COUNT(*) OVER () AS total FROM picked ORDER BY {ORDER} LIMIT $2) c \
                 ORDER BY {ORDER}",
                last_purchase("c.id", "b.party_name")
            );
            sqlx::query(&sql)
                .bind(query.days)
                .bind(query.limit)
                .fetch_all(db.pool())
                .await?
        }
        Some(supplier) => {
            // The supplier is matched as parties are: on the name folded (case and spacing
            // ignored, in any script), the fold done here in Rust as when the party was saved.
            let sql = format!(
                "{picked}, bought AS (SELECT picked.*, {} AS last_bill FROM picked), \
                 matched AS (SELECT bought.*, b.party_name AS supplier FROM bought \
                             JOIN bills b ON b.id = bought.last_bill JOIN parties p ON p.id = b.party_id \
                             WHERE p.name_key = $2) \
                 SELECT matched.*, COUNT(*) OVER () AS total FROM matched ORDER BY {ORDER} LIMIT $3",
                last_purchase("picked.id", "b.id")
            );
            sqlx::query(&sql)
                .bind(query.days)
                .bind(crate::domain::search::fold(supplier))
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
