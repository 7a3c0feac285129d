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

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
pub(super) async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// `GET /bills/{id}/invoice.pdf`: the bill as a PDF, for signed-in users. Rendering takes a
/// few milliseconds of CPU, so it runs on a blocking thread.
pub(super) async fn invoice_pdf(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    user: Option<axum::Extension<CurrentUser>>,
) -> Response {
    if user.is_none() {
        return (StatusCode::UNAUTHORIZED, "Sign in to continue").into_response();
    }
    let Ok(id) = id.parse::<i64>() else {
        return (StatusCode::NOT_FOUND, "No such bill").into_response();
    };
    let bill = match storage::history::bill(&state.db, id).await {
        Ok(Some(bill)) => bill,
        Ok(None) => return (StatusCode::NOT_FOUND, "No such bill").into_response(),
        Err(error) => {
            tracing::error!(%error, bill_id = id, "loading a bill for its invoice failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let number = bill.number();
    let config = state.config.clone();
    match tokio::task::spawn_blocking(move || {
        crate::server::invoice::render(&config.shop_name, &bill, &config.currency, &config.zone)
    })
    .await
    {
        Ok(pdf) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{number}.pdf\""),
                ),
                (header::CACHE_CONTROL, "private, no-cache".to_owned()),
            ],
            pdf,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, bill_id = id, "rendering an invoice failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
