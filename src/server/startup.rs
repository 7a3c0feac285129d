//! Putting the server together: database, first manager, the router with its layers, and a
//! serve loop that drains in-flight requests on SIGTERM.

use super::clock;
use super::config::Config;
use super::middleware::CurrentUser;
use super::passwords::hash_password;
use super::sessions::{SessionPolicy, Throttle};
use super::state::AppState;
use super::storage::{self, users, Db, PoolSettings};
use crate::app::{shell, App};
use crate::domain::{Email, Password, Role};
use crate::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Hashed asset names never change content, so browsers may keep them for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The largest request body accepted: forms are a few kilobytes; anything bigger is refused with
/// 413 before it is read (at once when `Content-Length` says so).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A request that has produced no response after this long is answered 503 (and logged) rather
/// than held open: every statement is bounded well below it (pool 5 s, SQLite busy 10 s), so
/// only a server render that never finishes gets here — one was seen, rarely, in the test suite.
pub const RESPONSE_DEADLINE: Duration = Duration::from_secs(30);

/// Connects to the database, applies migrations and creates the first manager if configured.
pub async fn prepare(config: Config, leptos_options: LeptosOptions) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url, &pool_settings(&config))
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot open the database at {}: {e}",
                storage::redact(&config.database_url)
            )
        })?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("database migration failed, not starting: {e}"))?;
    if let Some((email, password)) = &config.admin {
        if users::count(&db).await? == 0 {
            create_manager(&db, email, "Shop", "Manager", password).await?;
            tracing::info!(%email, "created the first manager from STOCKROOM_ADMIN_EMAIL");
        }
    } else if users::count(&db).await? == 0 {
        tracing::warn!(
            "no accounts yet: set STOCKROOM_ADMIN_EMAIL and STOCKROOM_ADMIN_PASSWORD, \
             or run `stockroom create-manager --email you@shop.example`"
        );
    }
    let sessions = SessionPolicy {
        idle: config.session_idle,
        max_age: config.session_max_age,
        secure_cookie: config.cookie_secure,
        throttle: Throttle::default(),
    };
    Ok(AppState {
        db,
        config: Arc::new(config),
        sessions,
        leptos_options,
    })
}

/// The database pool as configured (`DATABASE_MAX_CONNECTIONS`, `DATABASE_*_SECONDS`).
pub fn pool_settings(config: &Config) -> PoolSettings {
    PoolSettings {
        max_connections: config.database_max_connections,
        acquire_timeout: config.database_acquire_timeout,
        idle_timeout: config.database_idle_timeout,
        max_lifetime: config.database_max_lifetime,
    }
}

/// Creates a manager account; an easily guessed password is refused with the reason.
pub async fn create_manager(
    db: &Db,
    email: &Email,
    first: &str,
    last: &str,
    password: &Password,
) -> anyhow::Result<i64> {
    password
        .check_strength(&[email.as_str(), first, last])
        .map_err(|e| anyhow::anyhow!("password for {email}: {e}"))?;
    let hash = hash_password(password).await?;
    let account = users::NewAccount {
        email,
        first_name: first,
        last_name: last,
        role: Role::Manager,
        password_hash: &hash,
    };
    match users::insert(db, &account, clock::now()).await {
        Ok(id) => Ok(id),
        Err(storage::StorageError::Conflict { .. }) => {
            anyhow::bail!("an account with the email {email} already exists")
        }
        Err(e) => Err(e.into()),
    }
}

/// The whole application as one router: pages, server functions, assets, health.
pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    let pkg_dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let pkg = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            |res: &Response<_>| {
                res.status()
                    .is_success()
                    .then(|| HeaderValue::from_static(IMMUTABLE))
            },
        ))
        .service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let test_routes = state.config.test_routes;
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/bills/{id}/invoice.pdf", get(invoice_pdf))
        .leptos_routes_with_context(&state, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            super::middleware::session_layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            super::security::same_origin_only,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            read_body_in_time,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn(answer_in_time))
        .layer(middleware::from_fn(super::security::headers))
        .layer(TraceLayer::new_for_http());
    // Added after the layers, so no session is needed and nothing is compressed or buffered.
    let app = if test_routes {
        app.route("/__test/slow", get(slow))
    } else {
        app
    };
    app.with_state(state)
}

/// `GET /__test/slow?ms=N` (only with `STOCKROOM_TEST_ROUTES`): answers 200 after N
/// milliseconds, at most a minute. The container rehearsal uses it to have a request in flight
/// while it sends SIGTERM; the image never enables it.
async fn slow(
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
async fn healthz(State(state): State<AppState>) -> Response {
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
async fn invoice_pdf(
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
        super::invoice::render(&config.shop_name, &bill, &config.currency)
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

/// Server functions answer every error with 500; this gives each [`AppError`] its own status
/// (401, 403, 404, 409, 422, 400) in one place, so no function can forget to.
async fn server_fn_status(request: Request, next: Next) -> Response {
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

/// Serves until SIGTERM or Ctrl-C, then stops accepting, lets in-flight requests finish, and
/// closes the database pool — all within `SHUTDOWN_TIMEOUT_SECONDS`, after which it returns
/// anyway (the container runtime would otherwise kill it mid-write a few seconds later).
///
/// Each connection is served by hyper directly (rather than `axum::serve`) so that slow or
/// silent clients are bounded: a request head must arrive within `HEADER_READ_TIMEOUT_SECONDS`
/// (which also ends idle keep-alive connections), and its body within
/// `REQUEST_BODY_TIMEOUT_SECONDS` (see [`read_body_in_time`]).
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let db = state.db.clone();
    let grace = state.config.shutdown_timeout;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.config.header_read_timeout);
    let purge = tokio::spawn(purge_sessions(state.clone()));
    let app = router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let signal = shutdown_signal();
    tokio::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        // The peer address feeds sign-in throttling per client (see `client::client_addr`).
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                app.clone().oneshot(request)
            });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection closed with an error");
            }
        });
    }
    // Stop accepting at once; open connections finish their request and close.
    drop(listener);
    purge.abort();
    let drained = tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_ok();
    if drained {
        tracing::info!("in-flight requests finished");
    } else {
        tracing::warn!(
            seconds = grace.as_secs(),
            "requests still in flight after SHUTDOWN_TIMEOUT_SECONDS; stopping anyway"
        );
    }
    // Closing waits for connections in use; after a forced stop some never come back.
    if tokio::time::timeout(Duration::from_secs(2), db.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use; leaving them to the exit");
    }
    tracing::info!("stopped");
    Ok(())
}

/// See [`RESPONSE_DEADLINE`].
async fn answer_in_time(request: Request, next: Next) -> Response {
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
async fn read_body_in_time(
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

/// Deletes dead sessions once an hour.
async fn purge_sessions(state: AppState) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3_600));
    loop {
        every_hour.tick().await;
        match state.sessions.purge(&state.db).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "purged expired sessions"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "purging sessions failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
