//! The HTTP face of the app: one router with its layers ([`router`]), the handlers that are not
//! Leptos routes, and the serve loop.

mod exports;
mod handlers;
mod imports;
pub mod install;
mod layers;
mod serve;

pub use serve::serve;

use super::state::AppState;
use crate::app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::OnceLock;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Hashed asset names never change content, so browsers may keep them for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The largest request body accepted: forms are a few kilobytes; anything bigger is refused with
/// 413 before it is read (at once when `Content-Length` says so), by `layers::read_body_in_time`,
/// which holds every route to its [`body_limit`].
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Where a catalogue file is uploaded: the one route allowed a larger body
/// ([`imports::UPLOAD_BODY_BYTES`], 10 MiB and its form).
pub const IMPORT_CHECK_PATH: &str = "/inventory/import/check";

/// The largest body accepted at `path`.
pub fn body_limit(path: &str) -> usize {
    if path == IMPORT_CHECK_PATH {
        imports::UPLOAD_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// A request that has produced no response after this long is answered 503 (and logged) rather
/// than held open: every statement is bounded well below it (pool 5 s, SQLite busy 10 s), so
/// only a server render that never finishes would get here (see [`routes`] for the one cause
/// found, and fixed).
pub const RESPONSE_DEADLINE: Duration = Duration::from_secs(30);

/// The app's routes, found once per process and shared by every router built in it.
///
/// Finding them renders the app once with resource loading switched off by a flag that
/// `leptos_server` keeps for the whole process (leptos-rs/leptos#4773): a resource that another
/// render, on another thread, first polls while that flag is up waits forever, and its page with
/// it. One server builds one router before it listens, so it never met this; the test suites
/// build a router per test, in parallel, and about one run in six had a page hang until the
/// response deadline. Finding the routes once, before anything in the process can render, closes
/// that window for good (`tests/reliability.rs` builds routers while pages render).
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application as one router: pages, server functions, assets, health.
pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let routes = routes();
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
        .route("/healthz", get(handlers::healthz))
        .route("/bills/{id}/invoice.pdf", get(handlers::invoice_pdf))
        .route("/bills/{id}/receipt.pdf", get(handlers::receipt_pdf))
        .route("/labels.pdf", get(handlers::labels_pdf))
        .route("/inventory.csv", get(exports::inventory))
        .route("/bills.csv", get(exports::bills))
        .route("/transactions.csv", get(exports::transactions))
        .route(
            IMPORT_CHECK_PATH,
            post(imports::check_file).layer(DefaultBodyLimit::max(imports::UPLOAD_BODY_BYTES)),
        )
        .route("/manifest.webmanifest", get(install::manifest_file))
        .route("/icons/{file}", get(install::icon_file))
        .leptos_routes_with_context(&state, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(layers::server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::server::middleware::session_layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::server::security::same_origin_only,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::read_body_in_time,
        ));
    let app = layers::answer_within(app, RESPONSE_DEADLINE)
        .layer(middleware::from_fn(crate::server::security::headers))
        .layer(TraceLayer::new_for_http());
    // Added after the layers, so no session is needed and nothing is compressed or buffered.
    let app = if test_routes {
        app.route("/__test/slow", get(handlers::slow))
    } else {
        app
    };
    app.with_state(state)
}
