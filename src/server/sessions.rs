//! Server-side sessions behind an opaque cookie: signing in (with throttling), the cookie, and
//! resolving, ending and purging sessions.
//!
//! Why our own small session table rather than a session crate: the session must live in the
//! database (any instance serves any request) on SQLite and PostgreSQL through one code path,
//! and a user's sessions must be revocable all at once (sign-out, deactivation, password change).
//! The cookie carries 256 random bits; the table keeps only their SHA-256.
//!
//! Sign-in throttling counts recent failures per typed account name and per client address in the
//! database (see `storage::throttle`), so every instance enforces the same limits. A browser
//! that has signed in to an account before carries a device cookie (`storage::devices`); for
//! that account it is held only to its own failures, so whoever knows the owner's e-mail can
//! burn the account's budget for new browsers but cannot keep the owner's own browser out
//! (OWASP's account-lockout denial of service).

use super::clock::Clock;
use super::passwords::{decoy_hash, verify_password};
use super::storage::audit::{self, NewEntry};
use super::storage::{devices, sessions, throttle, users, Db, StorageError};
use crate::domain::employee::AuditAction;
use crate::domain::{Email, User};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::http::{header, HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "stockroom_session";

/// The device cookie's name: a random secret that outlives sessions and says "this browser has
/// signed in here before". It signs no one in; it only changes how sign-in is throttled.
pub const DEVICE_COOKIE: &str = "stockroom_device";

/// How long a device cookie lasts, and a known browser is remembered unused: 400 days, the most
/// browsers keep a cookie.
const DEVICE_MAX_AGE_SECS: i64 = 400 * 24 * 60 * 60;

/// How often a session's `last_seen_at` is written: often enough for idle expiry, rarely enough
/// that reading a page is not a database write.
const TOUCH_EVERY_SECS: i64 = 60;

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
    /// A browser known to the account is held to its own failures (`per_account` of them) and to
    /// nothing else; any other browser to the account's and its address's.
    fn blocked_until(&self, failures: &throttle::RecentFailures, known: bool) -> Option<i64> {
        let until = |times: &[i64], limit: usize| {
            // The count drops below the limit once this failure leaves the window.
            (times.len() >= limit.max(1))
                .then(|| times[times.len() - limit.max(1)] + self.window_secs())
        };
        if known {
            return until(&failures.device, self.per_account);
        }
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
    /// The time sessions start, idle and expire by: [`AppState`](super::state::AppState)'s
    /// clock.
    pub clock: Clock,
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
    /// name or `client` has failed too often lately — or, for a browser known to the account
    /// (`device`, the device cookie's secret), unless that browser has. Every attempt goes to the
    /// audit trail. Returns the user and the `Set-Cookie` values (session, device).
    pub async fn sign_in(
        &self,
        db: &Db,
        email: &str,
        password: &str,
        client: &str,
        device: Option<&str>,
    ) -> Result<SignedIn, SignInError> {
        let key = account_key(email);
        let now = self.clock.now();
        let device_hash = device.map(token_hash);
        let known = match &device_hash {
            Some(hash) => devices::knows(db, hash, &key).await?,
            None => false,
        };
        let known_device = device_hash.as_deref().filter(|_| known);
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
        let since = now - self.throttle.window_secs();
        let recent = throttle::recent(db, &key, client, known_device, since).await?;
        if let Some(until) = self.throttle.blocked_until(&recent, known) {
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
                throttle::record_failure(db, &key, client, known_device, now).await?;
                let entry = entry(AuditAction::SignInFailed, account_id, why.unwrap_or(""));
                audit::record(db, &entry).await?;
                return Err(SignInError::Invalid);
            }
        };
        match known_device {
            // The owner's own browser got in: the failures others ran up still count against
            // new browsers.
            Some(hash) => throttle::clear_device(db, hash).await?,
            None => throttle::clear_account(db, &key).await?,
        }
        let device = device.map_or_else(new_token, str::to_owned);
        devices::remember(db, &token_hash(&device), account.user.id, now).await?;
        let token = new_token();
        let max_age = i64::try_from(self.max_age.as_secs()).unwrap_or(i64::MAX / 2);
        sessions::create(db, &token_hash(&token), account.user.id, now, now + max_age).await?;
        let signed_in = NewEntry {
            actor_id: account_id,
            actor_email: Some(account.user.email.as_str()),
            ..entry(AuditAction::SignedIn, account_id, "")
        };
        audit::record(db, &signed_in).await?;
        Ok(SignedIn {
            user: account.user,
            session_cookie: self.cookie(SESSION_COOKIE, &token, max_age),
            device_cookie: self.cookie(DEVICE_COOKIE, &device, DEVICE_MAX_AGE_SECS),
        })
    }

    /// A `Set-Cookie` value carrying a secret.
    fn cookie(&self, name: &str, token: &str, max_age: i64) -> HeaderValue {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ))
        .expect("a fixed name, a hex token and fixed attributes are a valid header value")
    }

    /// The `Set-Cookie` value that removes the session cookie from the browser.
    pub fn clear_cookie(&self) -> HeaderValue {
        self.cookie(SESSION_COOKIE, "", 0)
    }

    /// The live session behind a cookie secret, refreshing its idle clock now and then.
    pub async fn resolve(&self, db: &Db, token: &str) -> Result<Option<User>, StorageError> {
        let hash = token_hash(token);
        let now = self.clock.now();
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
        let now = self.clock.now();
        throttle::purge(db, now - self.throttle.window_secs()).await?;
        devices::purge(db, now - DEVICE_MAX_AGE_SECS).await?;
        sessions::purge(db, now, self.idle_since(now)).await
    }
}

/// A signed-in user and the cookies to set: a new session, and the device cookie (kept or new).
#[derive(Debug)]
pub struct SignedIn {
    pub user: User,
    pub session_cookie: HeaderValue,
    pub device_cookie: HeaderValue,
}

/// The session secret from a request's `Cookie` headers, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE)
}

/// The device secret from a request's `Cookie` headers, if it looks like one of ours (a secret
/// of any other shape is ignored and replaced at the next sign-in).
pub fn device_cookie(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, DEVICE_COOKIE)
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn cookie<'h>(headers: &'h HeaderMap, wanted: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == wanted && !value.is_empty())
        .map(|(_, value)| value)
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
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
