//! CSV exports of `/inventory`, `/bills` and `/transactions` with the page's own search, sort
//! and filters. The body is streamed a page of rows at a time, each page read from storage
//! only when the client has taken the last one, so memory stays flat however long the ledger
//! is. Amounts are plain decimals with `.`, times ISO 8601 with the shop's offset, text cells
//! guarded against formula injection, and staff get no cost columns.

use crate::domain::bill::bill_number;
use crate::domain::calendar::Zone;
use crate::domain::ledger::{MovementKind, Seek};
use crate::domain::product::ProductSort;
use crate::domain::Role;
use crate::server::csv_format::{catalogue_header, catalogue_row, encode, text, Row};
use crate::server::middleware::CurrentUser;
use crate::server::state::AppState;
use crate::server::storage::{self, history};
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// Rows read from storage (and written to the client) per chunk.
const ROWS_PER_CHUNK: i64 = 500;

/// The rows of one chunk and the state that reads the next (`None`: that was the last).
type Chunk<S> = storage::Result<(Vec<Row>, Option<S>)>;

/// `GET /inventory.csv?q=…&sort=…`: every product the inventory's search matches, in its order.
pub(super) async fn inventory(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    user: Option<Extension<CurrentUser>>,
) -> Response {
    let Some(role) = role_of(user.as_ref()) else {
        return signed_out();
    };
    let search = query
        .get("q")
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty());
    let sort = ProductSort::parse(query.get("sort").map_or("", String::as_str));
    let manager = role.is_manager();
    let header = catalogue_header(manager);
    let db = state.db.clone();
    let read = move |after: Option<storage::products::After>| {
        let (db, search) = (db.clone(), search.clone());
        async move {
            let (products, next) = storage::products::list_after(
                &db,
                search.as_deref(),
                sort,
                after.as_ref(),
                ROWS_PER_CHUNK,
            )
            .await?;
            let rows = products.iter().map(|p| catalogue_row(p, manager)).collect();
            Ok::<_, storage::StorageError>((rows, next.map(Some)))
        }
    };
    csv_response(&state, "inventory", header, None, read).await
}

/// `GET /bills.csv`: every bill, newest first.
pub(super) async fn bills(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
) -> Response {
    if role_of(user.as_ref()).is_none() {
        return signed_out();
    }
    let header = ["bill", "date", "party", "kind", "total"];
    let (db, config) = (state.db.clone(), state.config.clone());
    let read = move |seek: Seek| {
        let (db, config) = (db.clone(), config.clone());
        async move {
            let page = history::bills(&db, seek, ROWS_PER_CHUNK).await?;
            let rows = page
                .rows
                .into_iter()
                .map(|b| {
                    vec![
                        bill_number(b.kind, b.id),
                        time(&config.zone, b.created_at),
                        text(&b.party_name),
                        b.kind.label().to_owned(),
                        b.total.to_plain(),
                    ]
                })
                .collect();
            Ok::<_, storage::StorageError>((rows, page.older.map(Seek::Before)))
        }
    };
    csv_response(&state, "bills", &header, Seek::Newest, read).await
}

/// `GET /transactions.csv?product=…&kind=…&from=…&to=…`: every movement the filters match,
/// newest first. Staff get no amount on counts, write-offs and opening stock: there it is the
/// lots' cost (PRODUCT.md, "Who sees costs"). Quantities, their unit and unit prices are as the
/// page shows them: `1.5`, `kg` and a price per kg for loose goods kept in grams.
pub(super) async fn transactions(
    State(state): State<AppState>,
    Query(mut query): Query<HashMap<String, String>>,
    user: Option<Extension<CurrentUser>>,
) -> Response {
    let Some(role) = role_of(user.as_ref()) else {
        return signed_out();
    };
    let filter = match crate::api::history::movement_filter(
        &state.config.zone,
        query.remove("product"),
        query.remove("kind"),
        query.remove("from"),
        query.remove("to"),
    ) {
        Ok(filter) => Arc::new(filter),
        Err(error) => return (StatusCode::UNPROCESSABLE_ENTITY, error.to_string()).into_response(),
    };
    let header = [
        "date",
        "product",
        "type",
        "quantity",
        "unit",
        "unit_price",
        "bill",
    ];
    let (db, config) = (state.db.clone(), state.config.clone());
    let read = move |seek: Seek| {
        let (db, config, filter) = (db.clone(), config.clone(), filter.clone());
        async move {
            let page = history::movements(&db, &filter, seek, ROWS_PER_CHUNK).await?;
            let rows = page
                .rows
                .into_iter()
                .map(|m| {
                    // As on screen: a loose product kept in grams moves in kg at a price per kg.
                    let measure = m.measure();
                    let amount = if shows_amount(m.kind, role) {
                        m.unit_amount.to_plain()
                    } else {
                        String::new()
                    };
                    vec![
                        time(&config.zone, m.created_at),
                        text(&m.product),
                        m.kind.label().to_owned(),
                        measure.number(m.quantity),
                        text(measure.shown_unit()),
                        amount,
                        m.bill_id.map(|id| id.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            Ok::<_, storage::StorageError>((rows, page.older.map(Seek::Before)))
        }
    };
    csv_response(&state, "transactions", &header, Seek::Newest, read).await
}

/// Whether `role` may see a movement's unit amount: a price or a bill's cost, yes; the lots'
/// cost of a count, a write-off or opening stock only for managers (it is what losses sum).
fn shows_amount(kind: MovementKind, role: Role) -> bool {
    role.is_manager()
        || !matches!(
            kind,
            MovementKind::Adjustment | MovementKind::WriteOff | MovementKind::OpeningStock
        )
}

fn role_of(user: Option<&Extension<CurrentUser>>) -> Option<Role> {
    user.map(|u| u.0 .0.role)
}

fn signed_out() -> Response {
    (StatusCode::UNAUTHORIZED, "Sign in to continue").into_response()
}

/// An instant as ISO 8601 with the shop's offset at that moment.
fn time(zone: &impl Zone, unix: i64) -> String {
    zone.local(unix).map(|t| t.iso8601()).unwrap_or_default()
}

/// The download: the first chunk is read before answering, so a database that fails at once
/// gets an error page rather than an empty file; later chunks are read as the client takes them.
async fn csv_response<S, F, Fut>(
    state: &AppState,
    name: &str,
    header: &[&str],
    start: S,
    read: F,
) -> Response
where
    S: Send + 'static,
    F: Fn(S) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Chunk<S>> + Send + 'static,
{
    let first = match read(start).await {
        Ok((rows, next)) => match encode(Some(header), &rows) {
            Ok(bytes) => (bytes, next),
            Err(error) => {
                tracing::error!(%error, export = name, "encoding the first rows of an export failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
        Err(error) => {
            tracing::error!(%error, export = name, "reading the first rows of an export failed");
            // When to try again: as for any page when the database is not answering or full.
            let retry_after = storage::fault::of_storage(&error)
                .map(crate::error::AppError::from)
                .and_then(|e| e.retry_after_secs())
                .unwrap_or(5);
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, retry_after.to_string())],
                "The export could not be read. Try again shortly.",
            )
                .into_response();
        }
    };
    let read = Arc::new(read);
    let export = name.to_owned();
    let rest = futures_util::stream::unfold(first.1, move |next| {
        let (read, export) = (read.clone(), export.clone());
        async move {
            let state = next?;
            match read(state).await {
                Ok((rows, next)) => match encode(None, &rows) {
                    Ok(bytes) => Some((Ok(bytes), next)),
                    Err(error) => Some((Err(broken(&export, &error)), None)),
                },
                Err(error) => Some((Err(broken(&export, &error)), None)),
            }
        }
    });
    let head = futures_util::stream::once(std::future::ready(Ok::<_, std::io::Error>(first.0)));
    // Fused: the compression layer may poll once more after the end, which `unfold` forbids.
    let body = Body::from_stream(futures_util::StreamExt::fuse(
        futures_util::StreamExt::chain(head, rest),
    ));
    let day = state.config.zone.day_of(state.clock.now());
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"stockroom-{name}-{day}.csv\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// An export cut short mid-stream: logged, and the connection ends so the client sees a
/// failed download rather than a file that looks complete.
fn broken(export: &str, error: &dyn std::fmt::Display) -> std::io::Error {
    tracing::error!(%error, export, "an export failed part way");
    std::io::Error::other("export failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_see_prices_and_bill_costs_but_not_the_costs_behind_losses() {
        for kind in MovementKind::ALL {
            assert!(shows_amount(kind, Role::Manager));
        }
        assert!(shows_amount(MovementKind::Sale, Role::Staff));
        assert!(shows_amount(MovementKind::Purchase, Role::Staff));
        assert!(!shows_amount(MovementKind::WriteOff, Role::Staff));
        assert!(!shows_amount(MovementKind::Adjustment, Role::Staff));
        assert!(!shows_amount(MovementKind::OpeningStock, Role::Staff));
    }
}
