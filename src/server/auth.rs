//! Who is asking: argon2id password hashes (computed off the async threads), server-side
//! sessions behind an opaque cookie, and the middleware that resolves the cookie on every request.
//!
//! Why our own small session table rather than a session crate: the session must live in the
//! database (any instance serves any request) on SQLite and PostgreSQL through one code path,
//! and a user's sessions must be revocable all at once (sign-out, deactivation, password change).
//! The cookie carries 256 random bits; the table keeps only their SHA-256.
//!
//! Sign-in throttling counts recent failures per typed account name and per client address in the
//! database (see `storage::throttle`), so every instance enforces the same limits.

use super::state::AppState;
use super::storage::audit::{self, NewEntry};
use super::storage::{sessions, throttle, users, Db, StorageError};
use crate::api::access::{self, Access};
use crate::domain::employee::AuditAction;
use crate::domain::search::urlencode;
use crate::domain::{Email, Password, User};
use crate::error::AppError;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "stockroom_session";

/// How often a session's `last_seen_at` is written: often enough for idle expiry, rarely enough
/// that reading a page is not a database write.
const TOUCH_EVERY_SECS: i64 = 60;

/// The signed-in user, put in the request's extensions by [`session_layer`].
#[derive(Clone, Debug)]
pub struct CurrentUser(pub User);

/// The hash of the request's session cookie, for sign-out.
#[derive(Clone, Debug)]
pub struct SessionToken(pub String);

/// The address the request came from (see [`client_addr`]), for throttling and the audit trail.
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

/// Whether an address belongs to a private network or this machine: a proxy in front of us, or
/// a client on the shop's own network.
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
    }
}

/// The client's address. A connection from a public address is the client itself. One from an
/// internal address is taken to be a proxy (nginx on Elastic Beanstalk, a load balancer): then
/// the client is the right-most public address in `X-Forwarded-For`, or, when every address
/// there is internal (a shop's own network), the right-most one, which the nearest proxy added.
/// Without a peer address (in-process tests) the header is read the same way.
pub fn client_addr(peer: Option<IpAddr>, headers: &HeaderMap) -> String {
    if let Some(ip) = peer.filter(|ip| !is_internal(*ip)) {
        return ip.to_string();
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !is_internal(**ip))
        .or(forwarded.last())
        .copied()
        .or(peer)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Hashes a password with argon2id on a blocking thread (it takes tens of milliseconds on purpose).
pub async fn hash_password(password: &Password) -> anyhow::Result<String> {
    let secret = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(secret.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// Checks a password against a stored hash on a blocking thread.
pub async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, checked when the email is unknown so that a wrong email takes as
/// long as a wrong password and the response does not tell whether an account exists.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"no account has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// A new random session secret for the cookie.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A random key (128 bits, hex) for one-time form keys.
pub fn random_key() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the sessions table keys on: the SHA-256 of the cookie's secret.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Why signing in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown email, wrong password or inactive account: deliberately one case.
    #[error("Invalid email or password")]
    Invalid,
    /// Too many recent failures for this account name or from this address; whether the account
    /// exists makes no difference.
    #[error("too many attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Sign-in throttling: at most `per_account` failures for one account name and `per_client`
/// from one address within `window`; beyond that, sign-in is refused until the oldest of those
/// failures is older than `window`.
#[derive(Clone, Debug)]
pub struct Throttle {
    pub window: Duration,
    pub per_account: usize,
    pub per_client: usize,
}

impl Default for Throttle {
    /// 5 tries per account and 30 per address in 15 minutes: plenty for typos, a crawl for
    /// guessing (about 480 guesses a day per account).
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15 * 60),
            per_account: 5,
            per_client: 30,
        }
    }
}

impl Throttle {
    fn window_secs(&self) -> i64 {
        i64::try_from(self.window.as_secs()).unwrap_or(i64::MAX / 2)
    }

    /// When sign-in opens again, if it is closed now. `times` are failure times, oldest first.
    fn blocked_until(&self, failures: &throttle::RecentFailures) -> Option<i64> {
        let until = |times: &[i64], limit: usize| {
            // The count drops below the limit once this failure leaves the window.
            (times.len() >= limit.max(1))
                .then(|| times[times.len() - limit.max(1)] + self.window_secs())
        };
        until(&failures.account, self.per_account).max(until(&failures.client, self.per_client))
    }
}

/// Session policy: lifetimes, cookie attributes and sign-in throttling.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub max_age: Duration,
    pub secure_cookie: bool,
    pub throttle: Throttle,
}

/// The name a sign-in attempt is counted under: the e-mail as typed, trimmed and lower-cased
/// (whether or not such an account exists, so throttling tells nothing about that either).
fn account_key(email: &str) -> String {
    email.trim().to_lowercase().chars().take(254).collect()
}

impl SessionPolicy {
    fn idle_since(&self, now: i64) -> i64 {
        now - i64::try_from(self.idle.as_secs()).unwrap_or(i64::MAX / 2)
    }

    /// Checks the credentials and opens a new session (always a new id), unless this account
    /// name or `client` has failed too often lately. Every attempt goes to the audit trail.
    /// Returns the user and the `Set-Cookie` value.
    pub async fn sign_in(
        &self,
        db: &Db,
        email: &str,
        password: &str,
        client: &str,
    ) -> Result<(User, HeaderValue), SignInError> {
        let key = account_key(email);
        let now = now();
        let entry = |action: AuditAction, target_id: Option<i64>, detail: &'static str| NewEntry {
            at: now,
            actor_id: None,
            actor_email: None,
            action,
            target_id,
            target_email: Some(&key),
            detail,
            client_addr: client,
        };
        let recent = throttle::recent(db, &key, client, now - self.throttle.window_secs()).await?;
        if let Some(until) = self.throttle.blocked_until(&recent) {
            audit::record(db, &entry(AuditAction::SignInThrottled, None, "")).await?;
            return Err(SignInError::Throttled {
                retry_after_secs: u64::try_from(until - now).unwrap_or(0).max(1),
            });
        }
        let account = match Email::parse(email) {
            Ok(email) => users::find_by_email(db, &email).await?,
            Err(_) => None,
        };
        let failure = match &account {
            None => {
                verify_password(password, decoy_hash()).await;
                Some("no such account")
            }
            Some(account) if !verify_password(password, &account.password_hash).await => {
                Some("wrong password")
            }
            Some(account) if !account.active => Some("account deactivated"),
            Some(_) => None,
        };
        let account_id = account.as_ref().map(|a| a.user.id);
        let account = match (failure, account) {
            (None, Some(account)) => account,
            (why, _) => {
                throttle::record_failure(db, &key, client, now).await?;
                let entry = entry(AuditAction::SignInFailed, account_id, why.unwrap_or(""));
                audit::record(db, &entry).await?;
                return Err(SignInError::Invalid);
            }
        };
        throttle::clear_account(db, &key).await?;
        let token = new_token();
        let max_age = i64::try_from(self.max_age.as_secs()).unwrap_or(i64::MAX / 2);
        sessions::create(db, &token_hash(&token), account.user.id, now, now + max_age).await?;
        let signed_in = NewEntry {
            actor_id: account_id,
            actor_email: Some(account.user.email.as_str()),
            ..entry(AuditAction::SignedIn, account_id, "")
        };
        audit::record(db, &signed_in).await?;
        Ok((account.user, self.cookie(&token, max_age)))
    }

    /// The `Set-Cookie` value carrying a session secret.
    fn cookie(&self, token: &str, max_age: i64) -> HeaderValue {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ))
        .expect("hex token and fixed attributes are a valid header value")
    }

    /// The `Set-Cookie` value that removes the session cookie from the browser.
    pub fn clear_cookie(&self) -> HeaderValue {
        self.cookie("", 0)
    }

    /// The live session behind a cookie secret, refreshing its idle clock now and then.
    pub async fn resolve(&self, db: &Db, token: &str) -> Result<Option<User>, StorageError> {
        let hash = token_hash(token);
        let now = now();
        let Some(live) = sessions::find(db, &hash, now, self.idle_since(now)).await? else {
            return Ok(None);
        };
        if now - live.last_seen_at >= TOUCH_EVERY_SECS {
            sessions::touch(db, &hash, now).await?;
        }
        Ok(Some(live.user))
    }

    /// Deletes sessions that have expired or idled out, and sign-in failures that no longer
    /// count.
    pub async fn purge(&self, db: &Db) -> Result<u64, StorageError> {
        let now = now();
        throttle::purge(db, now - self.throttle.window_secs()).await?;
        sessions::purge(db, now, self.idle_since(now)).await
    }
}

/// The session secret from a request's `Cookie` headers, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

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
                return (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "The database is not answering. Try again shortly.",
                )
                    .into_response();
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
        format!("/login?next={}", urlencode(target))
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
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; stockroom_session=abc123; x=1"),
        );
        assert_eq!(session_cookie(&headers), Some("abc123"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("stockroom_session="),
        );
        assert_eq!(session_cookie(&headers), None);
    }

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

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
