//! What every request passes through on its way in and out: a status per server-function
//! error, a deadline for the answer, and a deadline (and size limit) for the body.

use super::{MAX_BODY_BYTES, RESPONSE_DEADLINE};
use crate::error::AppError;
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Server functions answer every error with 500; this gives each [`AppError`] its own status
/// (401, 403, 404, 409, 422, 400) in one place, so no function can forget to.
pub(super) async fn server_fn_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_fn_error = response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && response
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER);
    if !is_fn_error {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "error body too large").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if error == AppError::Busy {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// See [`RESPONSE_DEADLINE`].
pub(super) async fn answer_in_time(request: Request, next: Next) -> Response {
    let asked = format!("{} {}", request.method(), request.uri().path());
    match tokio::time::timeout(RESPONSE_DEADLINE, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!(request = %asked, "no response within {RESPONSE_DEADLINE:?}; answered 503");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "1")],
                "The page took too long; please try again",
            )
                .into_response()
        }
    }
}

/// Reads a request's whole body (at most [`MAX_BODY_BYTES`]; forms are small) before the
/// handler runs, within `REQUEST_BODY_TIMEOUT_SECONDS`: a client that sends its headers and
/// then trickles or stalls gets 408 and its connection closed, instead of holding a task and
/// (for a server function) a database transaction's worth of waiting.
pub(super) async fn read_body_in_time(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let limit = state.config.request_body_timeout;
    match tokio::time::timeout(limit, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(error)) => {
            let too_large =
                std::iter::successors(Some(&error as &(dyn std::error::Error + 'static)), |e| {
                    e.source()
                })
                .any(|e| e.is::<http_body_util::LengthLimitError>());
            if too_large {
                (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large").into_response()
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    "The request body could not be read",
                )
                    .into_response()
            }
        }
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            [(header::CONNECTION, "close")],
            "The request took too long to arrive; please try again",
        )
            .into_response(),
    }
}
