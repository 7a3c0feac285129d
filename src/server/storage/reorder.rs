//! The reorder list: products at or below their lower limit, or projected to run out within a
//! window at their net sales of the last 28 local days (the rule is [`Demand::needs_order`],
//! written here in SQL as the same integer comparison), most urgent first, with the supplier of
//! each product's latest purchase.
//!
//! Why one page costs the same in a shop's tenth year as in its first, and about what it shows
//! however long the list (100,000 products, 1,000,000 movements, 43,000 of them to order: see
//! BENCHMARKS.md): nothing here reads the ledger's sales, and nothing sorts the whole list.
//! Each product's 28-day sales are kept on its own row (`sold_recent`, see
//! [`super::summaries`]); the list is three parts that do not overlap, each read in the list's
//! order from a partial index that holds only its rows ([`parts`], migration 0018), so a page of
//! 100 reads about 100 entries of each; the total is counted up to [`COUNT_CAP`]` + 1`; and the
//! last supplier is looked up only for the rows shown, one step down `movements_last_purchase`
//! each (migration 0014). Filtering by supplier looks it up for each row read until the page is
//! full, and matches the supplier as parties are matched: on the folded name
//! (`parties.name_key`).

use super::{summaries, Backend, Db, Result};
use crate::domain::product::COUNT_CAP;
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

/// Whole days of stock left at the product's rate: exactly the expression of the indexes
/// `products_running_out` and `products_at_limit_selling` (migration 0018).
const DAYS_LEFT: &str = "quantity * 28 / sold_recent";

/// `column` of the latest purchase bill `b` with the product `{id}` (its supplier's name is
/// `b.party_name`; `p` is the supplier's party).
fn last_purchase(id: &str, column: &str) -> String {
    format!(
        "(SELECT {column} FROM movements m JOIN bills b ON b.id = m.bill_id \
          LEFT JOIN parties p ON p.id = b.party_id \
          WHERE m.product_id = {id} AND m.kind = 'purchase' \
          ORDER BY m.created_at DESC, m.id DESC LIMIT 1)"
    )
}

/// The list in three parts that do not overlap, `$1` the days, each read in the list's order
/// along an index of its own, so a page reads about as many index entries as it shows and
/// nothing is sorted but the page:
/// 1. selling, and running out within `$1` days (`products_running_out`, from its start: whole
///    days left up to `$1`, the exact rule then dropping those a fraction of a day past it);
/// 2. selling and at the lower limit, but not running out that soon (`products_at_limit_selling`,
///    from `$1` whole days on);
/// 3. at the lower limit and not selling (`products_at_limit_unsold`, by name).
///
/// Each is (SQLite hint, conditions, order within the part).
fn parts(backend: Backend) -> [(String, String, String); 3] {
    // SQLite, with statistics, prefers to walk every product; pin the partial indexes that hold
    // just the rows each part reads (and fail loudly should they stop fitting). PostgreSQL picks
    // them unaided.
    let hint = |index: &str| match backend {
        Backend::Sqlite => format!("products INDEXED BY {index}"),
        Backend::Postgres => "products".to_owned(),
    };
    let by_days = format!("{DAYS_LEFT}, name_key, id");
    [
        (
            hint("products_running_out"),
            format!(
                "archived = 0 AND sold_recent > 0 AND {DAYS_LEFT} <= $1 \
                 AND quantity * {SALES_WINDOW_DAYS} <= sold_recent * $1"
            ),
            by_days.clone(),
        ),
        (
            hint("products_at_limit_selling"),
            format!(
                "archived = 0 AND sold_recent > 0 AND quantity <= lower_limit AND {DAYS_LEFT} >= $1 \
                 AND quantity * {SALES_WINDOW_DAYS} > sold_recent * $1"
            ),
            by_days,
        ),
        (
            hint("products_at_limit_unsold"),
            "archived = 0 AND sold_recent <= 0 AND quantity <= lower_limit".to_owned(),
            "name_key, id".to_owned(),
        ),
    ]
}

/// The reorder list for `query`: its first `limit` rows, most urgent first, and how many
/// products it holds in all (up to [`COUNT_CAP`]` + 1`: a chain can have tens of thousands
/// to order), in one statement.
pub async fn list(db: &Db, query: &ReorderQuery) -> Result<ReorderList> {
    summaries::catch_up(db, query.now).await?;
    let supplier = query
        .supplier
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    // The supplier is matched as parties are: on the name folded (case and spacing ignored, in
    // any script), the fold done here in Rust as when the party was saved.
    let of_supplier = match supplier {
        Some(_) => format!(" AND {} = $4", last_purchase("products.id", "p.name_key")),
        None => String::new(),
    };
    const COLUMNS: &str =
        "id, name, name_key, unit, loose, quantity, lower_limit, upper_limit, sold_recent AS sold";
    let parts = parts(db.backend());
    let pages = parts
        .iter()
        .map(|(from, conditions, order)| {
            format!(
                "SELECT * FROM (SELECT {COLUMNS} FROM {from} WHERE {conditions}{of_supplier} \
                 ORDER BY {order} LIMIT $2) AS part"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let counts = parts
        .iter()
        .map(|(from, conditions, _)| {
            format!(
                "(SELECT COUNT(*) FROM (SELECT 1 FROM {from} WHERE {conditions}{of_supplier} \
                 LIMIT $3) AS capped)"
            )
        })
        .collect::<Vec<_>>()
        .join(" + ");
    let sql = format!(
        "SELECT c.*, {} AS supplier, {counts} AS total FROM \
         (SELECT * FROM ({pages}) AS parts ORDER BY {ORDER} LIMIT $2) c ORDER BY {ORDER}",
        last_purchase("c.id", "b.party_name")
    );
    let mut statement = sqlx::query(&sql)
        .bind(query.days)
        .bind(query.limit)
        .bind(COUNT_CAP + 1);
    if let Some(supplier) = supplier {
        statement = statement.bind(crate::domain::search::fold(supplier));
    }
    let rows = statement.fetch_all(db.pool()).await?;
    let total = match rows.first() {
        Some(row) => row.try_get::<i64, _>("total")?.min(COUNT_CAP + 1),
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
                loose: row.try_get::<i64, _>("loose")? != 0,
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
