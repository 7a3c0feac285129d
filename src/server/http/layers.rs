//! What every request passes through on its way in and out: a status per server-function
//! error, a deadline for the answer, and a deadline (and size limit) for the body.

use super::{body_limit, RESPONSE_DEADLINE};
use crate::error::AppError;
use crate::server::state::AppState;
use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use std::time::Duration;
use tower::timeout::error::Elapsed;
use tower::timeout::TimeoutLayer;
use tower::ServiceBuilder;

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
        // 503s (the database not answering, its storage full) and 429s say when to ask again.
        if let Some(secs) = error.retry_after_secs() {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Answers every request within `deadline` ([`RESPONSE_DEADLINE`] in the app): one that has
/// produced no response by then gets 503 with `Retry-After`, and a log line names it.
///
/// The deadline is tower's `TimeoutLayer`, which reports an expired request as an error that
/// [`answer_late`] turns into that answer. tower-http's `TimeoutLayer` would do the timing too,
/// but it answers with an empty 503 of its own: no `Retry-After`, no text, and no way to log
/// which request it was.
pub(super) fn answer_within<S>(router: Router<S>, deadline: Duration) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(answer_late))
            .layer(TimeoutLayer::new(deadline)),
    )
}

/// The answer to a request the deadline cut short (see [`answer_within`]).
async fn answer_late(method: Method, uri: Uri, error: BoxError) -> Response {
    let asked = format!("{method} {}", uri.path());
    if !error.is::<Elapsed>() {
        // Nothing under the deadline fails (axum's routes are infallible); should that change,
        // say so rather than call it slow.
        tracing::error!(request = %asked, %error, "the request failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    tracing::error!(request = %asked, "no response within {RESPONSE_DEADLINE:?}; answered 503");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        "The page took too long; please try again",
    )
        .into_response()
}

/// Reads a request's whole body (at most [`body_limit`] of its path: forms are small, a
/// catalogue upload is not; one whose `Content-Length` is larger is refused unread) before the
/// handler runs, within `REQUEST_BODY_TIMEOUT_SECONDS`: a client that sends its headers and
/// then trickles or stalls gets 408 and its connection closed, instead of holding a task and
/// (for a server function) a database transaction's worth of waiting.
///
/// Written by hand because tower-http's `RequestBodyTimeoutLayer` does another job: its timer
/// restarts with every chunk (a client trickling a byte a second is never cut off), and when it
/// fires, whichever extractor reads the body sees an error and answers it its own way, not 408
/// with `Connection: close`. `RequestBodyLimitLayer` (in the router) still refuses a body
/// whose `Content-Length` is too large before any of it is read.
pub(super) async fn read_body_in_time(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let max = body_limit(parts.uri.path());
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return too_large(parts.uri.path());
    }
    let limit = state.config.request_body_timeout;
    match tokio::time::timeout(limit, axum::body::to_bytes(body, max)).await {
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
                self::too_large(parts.uri.path())
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

/// 413, saying what is too large where a person can act on it.
fn too_large(path: &str) -> Response {
    let message = if path == super::IMPORT_CHECK_PATH {
        super::imports::TOO_LARGE
    } else {
        "The request is too large"
    };
    (StatusCode::PAYLOAD_TOO_LARGE, message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt as _;

    async fn ask(app: Router, path: &str) -> Response {
        let request = Request::get(path).body(Body::empty()).unwrap();
        app.oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn a_request_without_an_answer_by_the_deadline_gets_503_and_retry_after() {
        let slow = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    "too late"
                }),
            )
            .route("/quick", get(|| async { "in time" }));
        let app = answer_within(slow, Duration::from_millis(50));
        let late = ask(app.clone(), "/slow").await;
        assert_eq!(late.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(late.headers()[header::RETRY_AFTER], "1");
        let body = axum::body::to_bytes(late.into_body(), 1_000).await.unwrap();
        assert_eq!(&body[..], b"The page took too long; please try again");
        assert_eq!(ask(app, "/quick").await.status(), StatusCode::OK);
    }
}
