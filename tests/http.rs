//! In-process HTTP tests: the whole router, driven request by request as a browser or a script
//! would, on a fresh SQLite database (and on PostgreSQL for the sign-in round trip).

mod common;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use common::TestDb;
use http_body_util::BodyExt;
use std::sync::Arc;
use stockroom::domain::{Email, Money, Password, Role};
use stockroom::server::auth::{hash_password, SessionPolicy};
use stockroom::server::config::Config;
use stockroom::server::startup;
use stockroom::server::state::AppState;
use stockroom::server::storage::products::{self, NewProduct};
use stockroom::server::storage::users::{self, NewAccount};
use tower::ServiceExt;

const MANAGER: (&str, &str) = ("manager@shop.test", "manager-passphrase");
const STAFF: (&str, &str) = ("staff@shop.test", "staff-passphrase-1");

/// A running app (in-process) over a test database with a manager, a staff member and products.
struct App {
    router: Router,
    site: std::path::PathBuf,
    _db: TestDb,
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

async fn app_on(t: TestDb) -> App {
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
    let config = Config::from_lookup(|_| None).unwrap();
    let state = AppState {
        db: t.db.clone(),
        config: Arc::new(config),
        sessions: SessionPolicy {
            idle: std::time::Duration::from_secs(3_600),
            max_age: std::time::Duration::from_secs(86_400),
            secure_cookie: false,
        },
        leptos_options: options,
    };
    App {
        router: startup::router(state),
        site,
        _db: t,
    }
}

fn rand_suffix() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed) << 20
}

async fn app() -> App {
    app_on(common::sqlite().await).await
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
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
    async fn send(&self, request: Request<Body>) -> Reply {
        reply(self.router.clone().oneshot(request).await.unwrap()).await
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// A form post as a browser without JavaScript sends it.
    async fn post_form(
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
    async fn call(&self, path: &str, form: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    /// Signs in through the form and returns the `name=value` of the session cookie.
    async fn sign_in(&self, (email, password): (&str, &str)) -> String {
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

#[tokio::test]
async fn signed_out_visitors_are_sent_to_login_and_told_where_they_were_going() {
    let app = app().await;
    let reply = app.get("/inventory?q=rice", None).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reply.header(header::LOCATION),
        "/login?next=%2Finventory%3Fq%3Drice"
    );
    for path in ["/", "/employees", "/no-such-page"] {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            reply.header(header::LOCATION).starts_with("/login"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_login_page_has_the_named_fields_and_button() {
    let app = app().await;
    let reply = app.get("/login", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    for needle in [
        r#"<label for="email">Email</label>"#,
        r#"<label for="password">Password</label>"#,
        ">Sign in</button>",
    ] {
        assert!(reply.body.contains(needle), "missing {needle}");
    }
    assert!(
        reply.body.contains("/pkg/stockroom"),
        "the page loads the app's assets"
    );
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn signing_in_sets_a_hardened_cookie_and_returns_to_the_page_asked_for() {
    let app = app().await;
    let reply = app
        .post_form(
            "/api/login",
            "email=MANAGER%40shop.test&password=manager-passphrase&next=%2Finventory",
            "/login",
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    assert_eq!(reply.header(header::LOCATION), "/inventory");
    let cookie = reply.header(header::SET_COOKIE);
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
}

#[tokio::test]
async fn sign_in_never_redirects_off_site() {
    let app = app().await;
    let reply = app
        .post_form(
            "/api/login",
            "email=manager%40shop.test&password=manager-passphrase&next=%2F%2Fevil.example",
            "/login",
            None,
        )
        .await;
    assert_eq!(reply.header(header::LOCATION), "/");
}

#[tokio::test]
async fn a_wrong_password_shows_invalid_email_or_password_without_javascript() {
    let app = app().await;
    let reply = app
        .post_form(
            "/api/login",
            "email=manager%40shop.test&password=nope",
            "/login",
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert!(reply.headers.get(header::SET_COOKIE).is_none());
    let back = reply
        .header(header::LOCATION)
        .replace("http://localhost", "");
    assert!(back.starts_with("/login?"), "{back}");
    let page = app.get(&back, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Invalid email or password"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_wrong_password_is_a_401_for_scripts_and_unknown_emails_look_the_same() {
    let app = app().await;
    let wrong = app
        .call(
            "/api/login",
            "email=manager%40shop.test&password=nope",
            None,
        )
        .await;
    let unknown = app
        .call("/api/login", "email=ghost%40shop.test&password=nope", None)
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!((unknown.status, &unknown.body), (wrong.status, &wrong.body));
}

#[tokio::test]
async fn a_malformed_server_function_call_is_a_400_not_a_500() {
    let app = app().await;
    let reply = app.call("/api/login", "password=x", None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
}

#[tokio::test]
async fn the_inventory_is_in_the_html_before_any_javascript_runs() {
    let app = app().await;
    let cookie = app.sign_in(MANAGER).await;
    let reply = app.get("/inventory", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK);
    for needle in [
        "Basmati Rice",
        "Rice Flour",
        "Toor Dal",
        "₹649.00",
        ">Search products</label>",
        ">Cost price</th>",
    ] {
        assert!(reply.body.contains(needle), "missing {needle}");
    }
    assert!(
        reply.body.contains(r#"href="/inventory/"#),
        "names link to the product page"
    );
    for link in [
        "Dashboard",
        "Inventory",
        "Buy",
        "Sell",
        "Bills",
        "Transactions",
        "Expiry",
        "Employees",
        "Sign out",
    ] {
        assert!(
            reply.body.contains(&format!(">{link}<")),
            "navigation lacks {link}"
        );
    }
}

#[tokio::test]
async fn searching_without_javascript_filters_the_table() {
    let app = app().await;
    let cookie = app.sign_in(STAFF).await;
    let reply = app.get("/inventory?q=RICE", Some(&cookie)).await;
    assert!(reply.body.contains("Basmati Rice") && reply.body.contains("Rice Flour"));
    assert!(!reply.body.contains("Toor Dal"));
}

#[tokio::test]
async fn staff_do_not_see_employees_and_get_a_403_there() {
    let app = app().await;
    let cookie = app.sign_in(STAFF).await;
    let page = app.get("/inventory", Some(&cookie)).await;
    assert!(!page.body.contains(">Employees<"));
    let reply = app.get("/employees", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let manager = app.sign_in(MANAGER).await;
    assert_eq!(
        app.get("/employees", Some(&manager)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = app().await;
    let cookie = app.sign_in(MANAGER).await;
    let reply = app
        .post_form("/api/logout", "", "/inventory", Some(&cookie))
        .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(reply.header(header::LOCATION), "/login");
    assert!(reply.header(header::SET_COOKIE).contains("Max-Age=0"));
    // The old cookie, replayed, no longer opens anything.
    let again = app.get("/inventory", Some(&cookie)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.call("/api/products/list", "", Some(&cookie))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn server_functions_refuse_signed_out_callers_with_401() {
    let app = app().await;
    let reply = app.call("/api/products/list", "q=rice", None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(!reply.body.contains("Rice"));
}

#[tokio::test]
async fn unknown_routes_get_a_404_page() {
    let app = app().await;
    let cookie = app.sign_in(STAFF).await;
    let reply = app.get("/no-such-page", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains("Page not found"));
}

#[tokio::test]
async fn health_answers_without_a_session() {
    let app = app().await;
    let reply = app.get("/healthz", None).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn hashed_assets_are_precompressed_and_cached_for_a_year() {
    let app = app().await;
    let request = Request::get("/pkg/stockroom.abc123.wasm")
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::CONTENT_ENCODING), "br");
    assert_eq!(reply.body, "brotli bytes");
    assert_eq!(
        reply.header(header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    let missing = app.get("/pkg/nothing.wasm", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_ne!(
        missing.header(header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let app = app().await;
    let request = Request::get("/login")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.header(header::CONTENT_ENCODING), "gzip");
}

#[tokio::test]
async fn the_same_sign_in_and_inventory_work_on_postgresql() {
    let Some(db) = common::postgres().await else {
        return;
    };
    let app = app_on(db).await;
    let cookie = app.sign_in(MANAGER).await;
    let reply = app.get("/inventory?q=dal", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("Toor Dal") && !reply.body.contains("Basmati"));
}
