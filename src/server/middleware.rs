//! The session middleware: resolves the session cookie on every request, enforces the access
//! table, and refuses what the caller may not do in a form a browser or a script can act on.

use super::client::{client_addr, ClientAddr};
use super::sessions::{session_cookie, token_hash};
use super::state::AppState;
use crate::api::access::{self, Access};
use crate::domain::User;
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

/// The signed-in user, put in the request's extensions by [`session_layer`].
#[derive(Clone, Debug)]
pub struct CurrentUser(pub User);

/// The hash of the request's session cookie, for sign-out.
#[derive(Clone, Debug)]
pub struct SessionToken(pub String);

/// Resolves the session cookie into a [`CurrentUser`] and the caller's [`ClientAddr`] for
/// everything downstream, and enforces the access table ([`access::required`]) on every request:
///
/// - signed out, on a page: sent to `/login?next=…`; on a server function: 401;
/// - staff, on a manager-only server function: 403; on a manager-only page: the page renders
///   (the layout shows the 403 page, with status 403, from the same table);
/// - signed in, on `/login`: sent to the dashboard.
///
/// A plain HTML form (JavaScript off) that is refused is sent where a browser can show why: to
/// `/login`, or back to its page with the error, as server functions do for their own errors.
pub async fn session_layer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    // Assets and health checks never need to know who asks: spare them the session lookup.
    let path = request.uri().path().to_owned();
    let needs = access::required(&path);
    if needs == Access::Public && path != "/login" && !path.starts_with("/api/") {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let client = client_addr(peer, request.headers());
    request.extensions_mut().insert(ClientAddr(client));
    let token = session_cookie(request.headers()).map(str::to_owned);
    let user = match &token {
        Some(token) => match state.sessions.resolve(&state.db, token).await {
            Ok(user) => user,
            Err(error) => {
                tracing::error!(%error, "session lookup failed");
                return database_fault(&request, &error);
            }
        },
        None => None,
    };
    let is_page_visit = matches!(*request.method(), Method::GET | Method::HEAD);
    let is_api = path.starts_with("/api/");
    match (user, needs) {
        (Some(_), Access::Public) if is_page_visit && path == "/login" => {
            return Redirect::to("/").into_response();
        }
        (None, Access::SignedIn | Access::Manager) => {
            if is_api || !is_page_visit {
                return refuse(&request, AppError::NotSignedIn);
            }
            let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
            return Redirect::to(&login_url(target)).into_response();
        }
        (Some(user), Access::Manager) if !user.role.is_manager() && (is_api || !is_page_visit) => {
            return refuse(&request, AppError::Forbidden);
        }
        (Some(user), _) => {
            request.extensions_mut().insert(CurrentUser(user));
            if let Some(token) = token {
                request
                    .extensions_mut()
                    .insert(SessionToken(token_hash(&token)));
            }
        }
        (None, Access::Public) => {}
    }
    next.run(request).await
}

/// `/login`, remembering where the visitor was going.
fn login_url(target: &str) -> String {
    if target == "/" || target.is_empty() {
        "/login".to_owned()
    } else {
        let next: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
        format!("/login?next={next}")
    }
}

/// The answer to a refused server-function call: the error as JSON with its status for scripts
/// and the hydrated app; for a plain HTML form, a redirect to `/login` (signed out) or back to
/// the form's page with the error in `__err`, where the page shows it.
fn refuse(request: &Request, error: AppError) -> Response {
    use axum::http::StatusCode;
    use leptos::server_fn::error::ServerFnUrlError;
    let headers = request.headers();
    let plain_form = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let referer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<axum::http::Uri>().ok());
    if plain_form {
        let back = referer
            .as_ref()
            .and_then(|uri| uri.path_and_query())
            .map_or("/", |pq| pq.as_str());
        if error == AppError::NotSignedIn {
            return Redirect::to(&login_url(back)).into_response();
        }
        let path = request.uri().path();
        if let Ok(url) =
            ServerFnUrlError::new(path, error.clone()).to_url(&format!("http://x{back}"))
        {
            let local = format!("{}?{}", url.path(), url.query().unwrap_or_default());
            return Redirect::to(&local).into_response();
        }
    }
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN);
    let body = serde_json::to_string(&error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The answer when the database fails under the session lookup, before any handler ran: 503
/// with `Retry-After` and what is wrong (not answering, or storage full; see
/// [`crate::server::storage::fault`]), as JSON for server-function calls and as text for pages.
fn database_fault(request: &Request, error: &crate::server::storage::StorageError) -> Response {
    use crate::server::storage::fault::{self, Fault};
    let error = AppError::from(fault::of_storage(error).unwrap_or(Fault::NotAnswering));
    let retry_after = error.retry_after_secs().unwrap_or(5);
    let status = axum::http::StatusCode::SERVICE_UNAVAILABLE;
    if request.uri().path().starts_with("/api/") {
        let body = serde_json::to_string(&error).unwrap_or_default();
        let headers = [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::RETRY_AFTER, retry_after.to_string()),
        ];
        return (status, headers, body).into_response();
    }
    let headers = [(header::RETRY_AFTER, retry_after.to_string())];
    (status, headers, error.to_string()).into_response()
}

/// Where to go after signing in: only a path on this site (never `//evil.example`), else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/inventory?q=rice")), "/inventory?q=rice");
        for bad in [
            Some("//evil.example"),
            Some("https://evil.example"),
            Some("/\\evil"),
            None,
        ] {
            assert_eq!(safe_next(bad), "/");
        }
    }
}
