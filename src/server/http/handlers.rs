//! The routes that are not Leptos pages or server functions: the health check, invoice PDFs,
//! and a slow route for rehearsals.

use crate::server::middleware::CurrentUser;
use crate::server::state::AppState;
use crate::server::storage;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// `GET /__test/slow?ms=N` (only with `STOCKROOM_TEST_ROUTES`): answers 200 after N
/// milliseconds, at most a minute. The container rehearsal uses it to have a request in flight
/// while it sends SIGTERM; the image never enables it.
pub(super) async fn slow(
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let ms = query
        .get("ms")
        .and_then(|ms| ms.parse::<u64>().ok())
        .unwrap_or(1_000)
        .min(60_000);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    (StatusCode::OK, format!("answered after {ms} ms\n")).into_response()
}

/// `GET /healthz`: 200 when the database answers, 503 (with `Retry-After`) when it does not.
/// While the database is down each check waits for the pool's acquire timeout before it says
/// so; the pool reconnects by itself once the database is back (see `storage::fault`).
pub(super) async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                "database unreachable",
            )
                .into_response()
        }
    }
}

/// The printouts of one bill.
#[derive(Clone, Copy, Debug)]
enum Printout {
    /// The A4 invoice (a credit note for a return).
    Invoice,
    /// The 80 mm till receipt.
    Receipt,
}

/// `GET /bills/{id}/invoice.pdf`: the bill as an A4 PDF, for signed-in users.
pub(super) async fn invoice_pdf(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    user: Option<axum::Extension<CurrentUser>>,
) -> Response {
    bill_pdf(state, &id, user.is_some(), Printout::Invoice).await
}

/// `GET /bills/{id}/receipt.pdf`: the bill as an 80 mm till receipt, for signed-in users.
pub(super) async fn receipt_pdf(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    user: Option<axum::Extension<CurrentUser>>,
) -> Response {
    bill_pdf(state, &id, user.is_some(), Printout::Receipt).await
}

/// A PDF answer (rendered on a blocking thread: a few milliseconds of CPU) named `name`.
async fn pdf(name: String, render: impl FnOnce() -> Vec<u8> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(render).await {
        Ok(pdf) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}.pdf\""),
                ),
                (header::CACHE_CONTROL, "private, no-cache".to_owned()),
            ],
            pdf,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, %name, "rendering a PDF failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn bill_pdf(state: AppState, id: &str, signed_in: bool, printout: Printout) -> Response {
    if !signed_in {
        return (StatusCode::UNAUTHORIZED, "Sign in to continue").into_response();
    }
    let Ok(id) = id.parse::<i64>() else {
        return (StatusCode::NOT_FOUND, "No such bill").into_response();
    };
    let bill = match storage::history::bill(&state.db, id).await {
        Ok(Some(bill)) => bill,
        Ok(None) => return (StatusCode::NOT_FOUND, "No such bill").into_response(),
        Err(error) => {
            tracing::error!(%error, bill_id = id, "loading a bill for its PDF failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let config = state.config.clone();
    let name = match printout {
        Printout::Invoice => bill.number(),
        Printout::Receipt => format!("{}-receipt", bill.number()),
    };
    pdf(name, move || match printout {
        Printout::Invoice => {
            crate::server::invoice::render(&config.shop_name, &bill, &config.currency, &config.zone)
        }
        Printout::Receipt => crate::server::invoice::receipt::render(
            &config.shop_name,
            &bill,
            &config.currency,
            &config.zone,
        ),
    })
    .await
}

/// `GET /labels.pdf?product=ID&product=ID…&copies=N`: shelf labels of the products chosen on
/// `/inventory` or a product's page, `copies` of each, for signed-in users.
pub(super) async fn labels_pdf(
    State(state): State<AppState>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    user: Option<axum::Extension<CurrentUser>>,
) -> Response {
    use crate::server::invoice::labels::{self, Item, MAX_COPIES};
    if user.is_none() {
        return (StatusCode::UNAUTHORIZED, "Sign in to continue").into_response();
    }
    let mut ids = Vec::new();
    let mut copies = 1usize;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*key {
            "product" => ids.extend(value.trim().parse::<i64>().ok()),
            "copies" => copies = value.trim().parse().unwrap_or(1).clamp(1, MAX_COPIES),
            _ => {}
        }
    }
    ids.truncate(500);
    let mut items = Vec::new();
    for id in ids {
        match storage::products::get(&state.db, id).await {
            Ok(Some(product)) => items.push(Item {
                per: product.measure().per(),
                name: product.name,
                price: product.selling_price,
                code: product.sku,
            }),
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, product_id = id, "loading a product for its label failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    }
    if items.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose at least one product to label",
        )
            .into_response();
    }
    let config = state.config.clone();
    pdf("labels".into(), move || {
        labels::render(&config.shop_name, &items, copies, &config.currency)
    })
    .await
}
