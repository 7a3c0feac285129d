//! An in-process app for HTTP tests: the whole router over a fresh database with a manager, a
//! staff member and three products, driven request by request as a browser or a script would.

use super::TestDb;
use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use sqlx::Row;
use std::sync::Arc;
use stockroom::domain::{Email, Money, Password, Role};
use stockroom::server::clock::Clock;
use stockroom::server::config::Config;
use stockroom::server::http;
use stockroom::server::passwords::hash_password;
use stockroom::server::sessions::{SessionPolicy, Throttle};
use stockroom::server::state::AppState;
use stockroom::server::storage::products::{self, NewProduct};
use stockroom::server::storage::users::{self, NewAccount};
use tower::ServiceExt;

pub const MANAGER: (&str, &str) = ("manager@shop.test", "manager-passphrase");
pub const STAFF: (&str, &str) = ("staff@shop.test", "staff-passphrase-1");

/// A running app (in-process) over a test database with a manager, a staff member and products.
pub struct App {
    router: Router,
    state: AppState,
    /// The app's clock: the system's, or one the test sets (see [`start_at`]).
    pub clock: Clock,
    site: std::path::PathBuf,
    db: TestDb,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.site);
    }
}

async fn add_account(t: &TestDb, (email, password): (&str, &str), role: Role) {
    let email = Email::parse(email).unwrap();
    let hash = hash_password(&Password::parse(password).unwrap())
        .await
        .unwrap();
    let account = NewAccount {
        email: &email,
        first_name: "Test",
        last_name: "Person",
        role,
        password_hash: &hash,
    };
    users::insert(&t.db, &account, 0).await.unwrap();
}

/// The shop's time zone of a test app unless the test names one: the existing tests write and
/// read their times in UTC.
const TEST_ZONE: &str = "UTC";

pub async fn start_on(t: TestDb) -> App {
    start_with(t, Throttle::default()).await
}

/// An app whose sign-in throttling follows `throttle` (a short window lets a test see it lift).
pub async fn start_with(t: TestDb, throttle: Throttle) -> App {
    launch(t, throttle, Clock::system(), TEST_ZONE).await
}

/// An app on SQLite whose clock the test sets and moves through [`App::clock`].
pub async fn start_at(clock: Clock) -> App {
    launch(super::sqlite().await, Throttle::default(), clock, TEST_ZONE).await
}

/// An app over `t` for a shop in `zone` (`SHOP_TIMEZONE`), with a clock the test sets.
pub async fn start_in(t: TestDb, zone: &str, clock: Clock) -> App {
    launch(t, Throttle::default(), clock, zone).await
}

async fn launch(t: TestDb, throttle: Throttle, clock: Clock, zone: &str) -> App {
    add_account(&t, MANAGER, Role::Manager).await;
    add_account(&t, STAFF, Role::Staff).await;
    for (name, price) in [
        ("Basmati Rice", 64_900),
        ("Rice Flour", 6_200),
        ("Toor Dal", 16_000),
    ] {
        let product = NewProduct {
            name,
            sku: None,
            unit: "pcs",
            loose: false,
            selling_price: Money::from_minor(price),
            lower_limit: Some(5),
            upper_limit: None,
        };
        products::insert(&t.db, &product, 0).await.unwrap();
    }
    // A site folder with one hashed, precompressed asset, as `cargo leptos build` leaves it.
    let site = std::env::temp_dir().join(format!(
        "stockroom-site-{}",
        t.url.len() ^ std::process::id() as usize ^ rand_suffix()
    ));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/stockroom.abc123.wasm"), b"\0asm fake module").unwrap();
    std::fs::write(site.join("pkg/stockroom.abc123.wasm.br"), b"brotli bytes").unwrap();
    let options = leptos::config::LeptosOptions::builder()
        .output_name("stockroom")
        .site_root(site.display().to_string())
        .site_pkg_dir("pkg")
        .build();
    let config =
        Config::from_lookup(|key| (key == "SHOP_TIMEZONE").then(|| zone.to_owned())).unwrap();
    let state = AppState {
        db: t.db.clone().in_zone(config.zone.clone()),
        config: Arc::new(config),
        sessions: SessionPolicy {
            idle: std::time::Duration::from_secs(3_600),
            max_age: std::time::Duration::from_secs(86_400),
            secure_cookie: false,
            throttle,
            clock: clock.clone(),
        },
        clock: clock.clone(),
        leptos_options: options,
    };
    App {
        router: http::router(state.clone()),
        state,
        clock,
        site,
        db: t,
    }
}

fn rand_suffix() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed) << 20
}

pub async fn start() -> App {
    start_on(super::sqlite().await).await
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn reply(response: Response<Body>) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

impl App {
    pub async fn send(&self, mut request: Request<Body>) -> Reply {
        // As a browser would: every request names the host it is addressed to.
        request
            .headers_mut()
            .entry(header::HOST)
            .or_insert(header::HeaderValue::from_static("localhost"));
        let asked = format!("{} {}", request.method(), request.uri());
        // A render that never finishes fails its test here, by name, instead of stalling the run.
        let response = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.router.clone().oneshot(request),
        )
        .await
        .unwrap_or_else(|_| panic!("{asked}: no answer within 60 s"));
        reply(response.unwrap()).await
    }

    /// Builds the whole router again, as every test's app does at its start, and drops it.
    pub fn build_another_router(&self) {
        drop(http::router(self.state.clone()));
    }

    /// The test database, to check what the app wrote: the app's handle (in its time zone).
    pub fn db(&self) -> &stockroom::server::storage::Db {
        &self.state.db
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// A form post as a browser without JavaScript sends it.
    pub async fn post_form(
        &self,
        path: &str,
        form: &str,
        referer: &str,
        cookie: Option<&str>,
    ) -> Reply {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, format!("http://localhost{referer}"));
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    /// A server-function call as the hydrated app (or a script) makes it.
    pub async fn call(&self, path: &str, form: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    /// Sends a request and returns status, headers and the raw body.
    pub async fn send_raw(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        (
            parts.status,
            parts.headers,
            body.collect().await.unwrap().to_bytes().to_vec(),
        )
    }

    /// The id of the product with this exact name.
    pub async fn product_id(&self, name: &str) -> i64 {
        sqlx::query("SELECT id FROM products WHERE name = $1")
            .bind(name)
            .fetch_one(self.db.db.pool_for_tests())
            .await
            .unwrap()
            .try_get(0)
            .unwrap()
    }

    /// Signs in through the form and returns the `name=value` of the session cookie.
    pub async fn sign_in(&self, (email, password): (&str, &str)) -> String {
        let reply = self
            .post_form(
                "/api/login",
                &format!("email={email}&password={password}"),
                "/login",
                None,
            )
            .await;
        assert!(
            reply.status.is_redirection(),
            "sign-in failed: {} {}",
            reply.status,
            reply.body
        );
        let cookie = reply.header(header::SET_COOKIE);
        assert!(
            cookie.starts_with("stockroom_session="),
            "no session cookie: {cookie:?}"
        );
        cookie.split(';').next().unwrap().to_owned()
    }
}
