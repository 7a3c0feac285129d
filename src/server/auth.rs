//! Who is asking: argon2id password hashes (computed off the async threads), server-side
//! sessions behind an opaque cookie, and the middleware that resolves the cookie on every request.
//!
//! Why our own small session table rather than a session crate: the session must live in the
//! database (any instance serves any request) on SQLite and PostgreSQL through one code path,
//! and a user's sessions must be revocable all at once (sign-out, deactivation, password change).
//! The cookie carries 256 random bits; the table keeps only their SHA-256.

use super::state::AppState;
use super::storage::{sessions, users, Db, StorageError};
use crate::domain::search::urlencode;
use crate::domain::{Email, Password, User};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
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
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Session policy: lifetimes and cookie attributes.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub max_age: Duration,
    pub secure_cookie: bool,
}

impl SessionPolicy {
    fn idle_since(&self, now: i64) -> i64 {
        now - i64::try_from(self.idle.as_secs()).unwrap_or(i64::MAX / 2)
    }

    /// Checks the credentials and opens a new session (always a new id). Returns the user and the
    /// `Set-Cookie` value.
    pub async fn sign_in(
        &self,
        db: &Db,
        email: &str,
        password: &str,
    ) -> Result<(User, HeaderValue), SignInError> {
        let account = match Email::parse(email) {
            Ok(email) => users::find_by_email(db, &email).await?,
            Err(_) => None,
        };
        let Some(account) = account else {
            verify_password(password, decoy_hash()).await;
            return Err(SignInError::Invalid);
        };
        if !verify_password(password, &account.password_hash).await || !account.active {
            return Err(SignInError::Invalid);
        }
        let token = new_token();
        let now = now();
        let max_age = i64::try_from(self.max_age.as_secs()).unwrap_or(i64::MAX / 2);
        sessions::create(db, &token_hash(&token), account.user.id, now, now + max_age).await?;
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

    /// Deletes sessions that have expired or idled out.
    pub async fn purge(&self, db: &Db) -> Result<u64, StorageError> {
        let now = now();
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

/// Paths anyone may fetch without signing in. Server functions (`/api/`) check for themselves,
/// so that a signed-out call gets a 401 rather than a redirect to a page.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/favicon.ico"
        || path.starts_with("/pkg/")
        || path.starts_with("/api/")
}

/// Resolves the session cookie into a [`CurrentUser`] for everything downstream, and sends
/// signed-out visitors of pages to `/login?next=…` (and signed-in ones away from `/login`).
pub async fn session_layer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    // Assets and health checks never need to know who asks: spare them the session lookup.
    let path = request.uri().path();
    if path.starts_with("/pkg/") || path == "/healthz" || path == "/favicon.ico" {
        return next.run(request).await;
    }
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
    let path = request.uri().path().to_owned();
    let is_page_visit = matches!(*request.method(), Method::GET | Method::HEAD);
    match user {
        Some(user) => {
            if is_page_visit && path == "/login" {
                return Redirect::to("/").into_response();
            }
            request.extensions_mut().insert(CurrentUser(user));
            if let Some(token) = token {
                request
                    .extensions_mut()
                    .insert(SessionToken(token_hash(&token)));
            }
        }
        None if is_page_visit && !is_public(&path) => {
            let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
            let next = if target == "/" {
                String::new()
            } else {
                format!("?next={}", urlencode(target))
            };
            return Redirect::to(&format!("/login{next}")).into_response();
        }
        None => {}
    }
    next.run(request).await
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
