//! Who may use what, over HTTP: the authorization matrix of every page and server function the
//! app registers × {signed out, staff, manager}, cross-site request refusal, sign-in throttling,
//! sessions that end when an account is deactivated or its password changes, and the security
//! headers.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::app::{App, MANAGER, STAFF};
use std::collections::BTreeSet;
use stockroom::server::sessions::Throttle;

/// What an endpoint requires, as this test expects it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    Anyone,
    SignedIn,
    Manager,
}
use Need::{Anyone, Manager, SignedIn};

/// Every page route. A route the app serves that is missing here fails the test.
const PAGES: &[(&str, Need)] = &[
    ("/login", Anyone),
    ("/", SignedIn),
    ("/inventory", SignedIn),
    ("/inventory/import", Manager),
    ("/inventory/{id}", SignedIn),
    ("/buy", SignedIn),
    ("/sell", SignedIn),
    ("/bills", SignedIn),
    ("/bills/{id}", SignedIn),
    ("/bills/{id}/return", Manager),
    ("/transactions", SignedIn),
    ("/expiry", SignedIn),
    ("/reorder", SignedIn),
    ("/parties", SignedIn),
    ("/parties/{id}", SignedIn),
    ("/profile", SignedIn),
    ("/employees", Manager),
    ("/employees/new", Manager),
    ("/employees/audit", Manager),
    ("/employees/{id}", Manager),
];

/// Every server function. One the app registers that is missing here fails the test.
const FUNCTIONS: &[(&str, Need)] = &[
    ("/api/login", Anyone),
    ("/api/logout", Anyone),
    ("/api/session", Anyone),
    ("/api/products/list", SignedIn),
    ("/api/products/suggest", SignedIn),
    ("/api/products/scan", SignedIn),
    ("/api/products/named", SignedIn),
    ("/api/products/assign-barcode", SignedIn),
    ("/api/products/get", SignedIn),
    ("/api/products/update", SignedIn),
    ("/api/products/remove", Manager),
    ("/api/bills/list", SignedIn),
    ("/api/bills/get", SignedIn),
    ("/api/movements/list", SignedIn),
    ("/api/expiry/list", SignedIn),
    ("/api/expiry/count", SignedIn),
    ("/api/reorder/list", SignedIn),
    ("/api/parties/list", SignedIn),
    ("/api/parties/get", SignedIn),
    ("/api/parties/suggest", SignedIn),
    // Everyone sees parties; only managers change them.
    ("/api/parties/update", Manager),
    ("/api/form-key", SignedIn),
    ("/api/purchases", SignedIn),
    ("/api/sales", SignedIn),
    ("/api/profile/password", SignedIn),
    // Staff get the sales figures only; cost, spent and profit are left out for them.
    ("/api/dashboard", SignedIn),
    ("/api/employees/list", Manager),
    ("/api/employees/get", Manager),
    ("/api/employees/create", Manager),
    ("/api/employees/update", Manager),
    ("/api/employees/password", Manager),
    ("/api/employees/deactivate", Manager),
    ("/api/employees/reactivate", Manager),
    ("/api/employees/delete", Manager),
    ("/api/audit/list", Manager),
    ("/api/stock/count", Manager),
    ("/api/stock/write-off", Manager),
    ("/api/bills/returnable", Manager),
    ("/api/bills/return", Manager),
    ("/api/inventory/import/preview", Manager),
    ("/api/inventory/import", Manager),
    ("/api/profile/sign-out-everywhere", SignedIn),
];

/// Routes the router adds by hand (not Leptos pages), checked the same way.
const OTHER_ROUTES: &[(&str, Need)] = &[
    ("/healthz", Anyone),
    ("/bills/{id}/invoice.pdf", SignedIn),
    ("/bills/{id}/receipt.pdf", SignedIn),
    ("/labels.pdf", SignedIn),
    ("/inventory.csv", SignedIn),
    ("/bills.csv", SignedIn),
    ("/transactions.csv", SignedIn),
    ("/manifest.webmanifest", Anyone),
    ("/icons/icon-192.png", Anyone),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    SignedOut,
    Staff,
    Manager,
}

/// What came back, sorted into the outcomes the table speaks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    /// Sent to the sign-in page.
    ToLogin,
    Unauthorized,
    Forbidden,
    /// Served (any status below 500 that is none of the above: 200, a redirect elsewhere, a
    /// 400 for missing arguments, a 404 for a missing record).
    Served,
}

fn seen(reply: &common::app::Reply) -> Seen {
    let location = reply.header(header::LOCATION);
    match reply.status {
        s if s.is_redirection() && location.starts_with("/login") => Seen::ToLogin,
        StatusCode::UNAUTHORIZED => Seen::Unauthorized,
        StatusCode::FORBIDDEN => Seen::Forbidden,
        s => {
            assert!(
                s.as_u16() < 500,
                "a server error is not an answer: {s} {}",
                reply.body
            );
            Seen::Served
        }
    }
}

fn expected_for_page(need: Need, who: Who) -> Seen {
    match (need, who) {
        (Anyone, _) => Seen::Served,
        (_, Who::SignedOut) => Seen::ToLogin,
        (Manager, Who::Staff) => Seen::Forbidden,
        _ => Seen::Served,
    }
}

fn expected_for_function(need: Need, who: Who) -> Seen {
    match (need, who) {
        (Anyone, _) => Seen::Served,
        (_, Who::SignedOut) => Seen::Unauthorized,
        (Manager, Who::Staff) => Seen::Forbidden,
        _ => Seen::Served,
    }
}

/// A fresh session for `who` (a fresh one each time, since some calls end it, e.g. logout).
async fn cookie(app: &App, who: Who) -> Option<String> {
    match who {
        Who::SignedOut => None,
        Who::Staff => Some(app.sign_in(STAFF).await),
        Who::Manager => Some(app.sign_in(MANAGER).await),
    }
}

fn table_paths(table: &[(&str, Need)]) -> BTreeSet<String> {
    table.iter().map(|(p, _)| (*p).to_owned()).collect()
}

/// A concrete address for a route pattern: ids of records that exist where there are some.
fn concrete(pattern: &str, staff_id: i64) -> String {
    pattern
        .replace("/employees/{id}", &format!("/employees/{staff_id}"))
        .replace("{id}", "1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_server_function_answers_each_role_as_the_table_says() {
    let app = common::app::start().await;
    let staff_id = sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
        .bind(STAFF.0)
        .fetch_one(app.db().pool_for_tests())
        .await
        .unwrap();

    // The pages, from the app's own route list.
    let served_pages: BTreeSet<String> = leptos_axum::generate_route_list(stockroom::app::App)
        .iter()
        .map(|route| match route.path() {
            "" => "/".to_owned(),
            path => path.to_owned(),
        })
        .collect();
    assert_eq!(
        served_pages,
        table_paths(PAGES),
        "the page table and the app's routes differ: add the new route to PAGES with who may open it"
    );
    // The server functions, from the registry the router serves.
    let functions: Vec<(String, Method)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_owned(), method))
        .collect();
    let served_functions: BTreeSet<String> = functions.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(
        served_functions,
        table_paths(FUNCTIONS),
        "the function table and the registered server functions differ: add the new one to FUNCTIONS"
    );

    let mut wrong = Vec::new();
    for who in [Who::SignedOut, Who::Staff, Who::Manager] {
        for (pattern, need) in PAGES.iter().chain(OTHER_ROUTES) {
            let path = concrete(pattern, staff_id);
            let reply = app.get(&path, cookie(&app, who).await.as_deref()).await;
            let (got, want) = (seen(&reply), expected_for_page(*need, who));
            if got != want {
                wrong.push(format!(
                    "GET {path} as {who:?}: {got:?} ({}), expected {want:?}",
                    reply.status
                ));
            }
        }
        for (path, method) in &functions {
            let need = FUNCTIONS.iter().find(|(p, _)| p == path).unwrap().1;
            let mut request = Request::builder()
                .method(method.clone())
                .uri(path.as_str())
                .header(header::ACCEPT, "application/json")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            if let Some(cookie) = cookie(&app, who).await {
                request = request.header(header::COOKIE, cookie);
            }
            let reply = app.send(request.body(Body::empty()).unwrap()).await;
            let (got, want) = (seen(&reply), expected_for_function(need, who));
            if got != want {
                wrong.push(format!(
                    "{method} {path} as {who:?}: {got:?} ({} {}), expected {want:?}",
                    reply.status, reply.body
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_the_403_page_and_no_employees_link() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let reply = app.get("/employees/new", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("Not allowed"));
    assert!(!reply.body.contains("Create employee"));
    assert!(!reply.body.contains(">Employees<"));
    assert!(reply.body.contains(">Profile<"));
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", common::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn new_person(email: &str) -> String {
    form(&[
        ("first_name", "Meena"),
        ("last_name", "Iyer"),
        ("email", email),
        ("age", "31"),
        ("gender", "female"),
        ("password", "saffron-lantern-river-7"),
        ("confirm_password", "saffron-lantern-river-7"),
        ("role", "staff"),
    ])
}

async fn users_named(app: &App, email: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.db().pool_for_tests())
        .await
        .unwrap()
}

/// A state-changing call as a browser sends it, with `origin`/`referer` as given.
async fn browser_post(
    app: &App,
    path: &str,
    body: String,
    cookie: &str,
    headers: &[(&str, &str)],
) -> common::app::Reply {
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.send(request.body(Body::from(body)).unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_origin_post_is_refused_and_the_same_from_our_origin_works() {
    let app = common::app::start().await;
    let cookie = app.sign_in(MANAGER).await;
    for headers in [
        &[("origin", "http://evil.example")][..],
        &[("referer", "http://evil.example/localhost")][..],
        &[("origin", "null")][..],
        &[
            ("origin", "http://localhost"),
            ("sec-fetch-site", "cross-site"),
        ][..],
    ] {
        let reply = browser_post(
            &app,
            "/api/employees/create",
            new_person("meena@shop.test"),
            &cookie,
            headers,
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{headers:?}: {}",
            reply.body
        );
        assert_eq!(
            users_named(&app, "meena@shop.test").await,
            0,
            "{headers:?} created someone"
        );
    }
    let reply = browser_post(
        &app,
        "/api/employees/create",
        new_person("meena@shop.test"),
        &cookie,
        &[
            ("origin", "http://localhost"),
            ("sec-fetch-site", "same-origin"),
        ],
    )
    .await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{} {}",
        reply.status,
        reply.body
    );
    assert_eq!(users_named(&app, "meena@shop.test").await, 1);
    // Signing out is a state change too.
    let reply = browser_post(
        &app,
        "/api/logout",
        String::new(),
        &cookie,
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/inventory", Some(&cookie)).await.status,
        StatusCode::OK
    );
}

async fn login_from(app: &App, email: &str, password: &str, addr: &str) -> common::app::Reply {
    let request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", addr)
        .body(Body::from(form(&[
            ("email", email),
            ("password", password),
        ])))
        .unwrap();
    app.send(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_throttling_kicks_in_per_account_tells_when_and_lifts_after_the_window() {
    let throttle = Throttle {
        window: std::time::Duration::from_secs(2),
        per_account: 3,
        per_client: 100,
    };
    let app = common::app::start_with(common::sqlite().await, throttle).await;
    for addr in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let reply = login_from(&app, MANAGER.0, "wrong-password", addr).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused, from any address, saying when to come back.
    let refused = login_from(&app, MANAGER.0, MANAGER.1, "203.0.113.4").await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.body
    );
    let error: stockroom::error::AppError = serde_json::from_str(&refused.body).unwrap();
    assert!(
        error
            .to_string()
            .starts_with("Too many attempts. Try again in"),
        "{error}"
    );
    assert!(refused.headers.get(header::SET_COOKIE).is_none());
    assert!(!refused.header(header::RETRY_AFTER).is_empty());
    // An account that does not exist is throttled the same way: the answer tells nothing.
    for _ in 0..3 {
        login_from(&app, "ghost@shop.test", "wrong-password", "203.0.113.5").await;
    }
    let ghost = login_from(&app, "ghost@shop.test", "wrong-password", "203.0.113.5").await;
    assert_eq!(ghost.status, refused.status);
    assert!(ghost.body.contains("TooManyAttempts"), "{}", ghost.body);
    // Another account is not affected.
    assert_eq!(
        login_from(&app, STAFF.0, STAFF.1, "203.0.113.4")
            .await
            .status,
        StatusCode::OK
    );

    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    let reply = login_from(&app, MANAGER.0, MANAGER.1, "203.0.113.4").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the window has passed: {}",
        reply.body
    );
    assert!(reply
        .header(header::SET_COOKIE)
        .starts_with("stockroom_session="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_throttling_also_counts_per_client_address() {
    let throttle = Throttle {
        window: std::time::Duration::from_secs(60),
        per_account: 100,
        per_client: 3,
    };
    let app = common::app::start_with(common::sqlite().await, throttle).await;
    for n in 0..3 {
        let reply = login_from(
            &app,
            &format!("guess{n}@shop.test"),
            "wrong-password",
            "203.0.113.9",
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let refused = login_from(&app, STAFF.0, STAFF.1, "203.0.113.9").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        login_from(&app, STAFF.0, STAFF.1, "198.51.100.7")
            .await
            .status,
        StatusCode::OK
    );
}

/// Signs in from `addr` as a browser holding `device` (its device cookie) would.
async fn login_with_device(
    app: &App,
    (email, password): (&str, &str),
    addr: &str,
    device: &str,
) -> common::app::Reply {
    let request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", addr)
        .header(header::COOKIE, device)
        .body(Body::from(form(&[
            ("email", email),
            ("password", password),
        ])))
        .unwrap();
    app.send(request).await
}

/// The device cookie (`stockroom_device=…`) a successful sign-in set.
fn device_cookie_of(reply: &common::app::Reply) -> String {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("stockroom_device="))
        .and_then(|v| v.split(';').next())
        .expect("a successful sign-in sets the device cookie")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_at_the_owners_email_do_not_keep_the_owner_out_of_their_own_browser() {
    let app = common::app::start().await;
    let shop = "198.51.100.20";
    let first = login_from(&app, MANAGER.0, MANAGER.1, shop).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let device = device_cookie_of(&first);
    let cookie = first.header(header::SET_COOKIE);
    assert!(cookie.starts_with("stockroom_session="), "{cookie}");
    assert!(
        device.len() > "stockroom_device=".len() + 32,
        "a long random secret: {device}"
    );

    // Someone who knows the e-mail spends its whole budget from elsewhere...
    for _ in 0..5 {
        let guess = login_from(&app, MANAGER.0, "a-guess", "203.0.113.66").await;
        assert_eq!(guess.status, StatusCode::UNAUTHORIZED);
    }
    let more = login_from(&app, MANAGER.0, "a-guess", "203.0.113.66").await;
    assert_eq!(more.status, StatusCode::TOO_MANY_REQUESTS);
    // ...and from many other addresses: new browsers stay throttled, right password or not.
    let new_browser = login_from(&app, MANAGER.0, MANAGER.1, "192.0.2.1").await;
    assert_eq!(new_browser.status, StatusCode::TOO_MANY_REQUESTS);
    // A made-up device cookie is no key either.
    let forged = format!("stockroom_device={}", "ab".repeat(32));
    let forged = login_with_device(&app, MANAGER, "192.0.2.2", &forged).await;
    assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS);
    // Nor is the manager's device cookie for another account.
    let other = login_with_device(&app, (STAFF.0, "a-guess"), shop, &device).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);

    // The owner's own browser gets in, at once, and keeps its device cookie.
    let owner = login_with_device(&app, MANAGER, shop, &device).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
    assert_eq!(device_cookie_of(&owner), device);
    let session = owner
        .header(header::SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get("/inventory", Some(&session)).await.status,
        StatusCode::OK
    );
    // The guessing still counts against new browsers.
    let still = login_from(&app, MANAGER.0, MANAGER.1, "192.0.2.3").await;
    assert_eq!(still.status, StatusCode::TOO_MANY_REQUESTS);

    // A known browser is throttled on its own failures: five typos, then a wait.
    for _ in 0..5 {
        let typo = login_with_device(&app, (MANAGER.0, "typo"), shop, &device).await;
        assert_eq!(typo.status, StatusCode::UNAUTHORIZED);
    }
    let after = login_with_device(&app, MANAGER, shop, &device).await;
    assert_eq!(after.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_plain_form_sign_in_shows_when_to_try_again() {
    let throttle = Throttle {
        window: std::time::Duration::from_secs(300),
        per_account: 1,
        per_client: 100,
    };
    let app = common::app::start_with(common::sqlite().await, throttle).await;
    let body = form(&[("email", MANAGER.0), ("password", "wrong-password")]);
    app.post_form("/api/login", &body, "/login", None).await;
    let reply = app.post_form("/api/login", &body, "/login", None).await;
    let back = reply
        .header(header::LOCATION)
        .replace("http://localhost", "");
    let page = app.get(&back, None).await;
    assert!(
        page.body
            .contains("Too many attempts. Try again in 5 minutes."),
        "{}",
        page.body
    );
}

async fn deactivate(app: &App, manager: &str, id: i64) -> common::app::Reply {
    app.call(
        "/api/employees/deactivate",
        &format!("id={id}"),
        Some(manager),
    )
    .await
}

async fn id_of(app: &App, email: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.db().pool_for_tests())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_persons_open_session_stops_working_on_its_next_request() {
    let app = common::app::start().await;
    let staff = app.sign_in(STAFF).await;
    assert_eq!(
        app.get("/inventory", Some(&staff)).await.status,
        StatusCode::OK
    );
    let manager = app.sign_in(MANAGER).await;
    let reply = deactivate(&app, &manager, id_of(&app, STAFF.0).await).await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{} {}",
        reply.status,
        reply.body
    );

    let page = app.get("/inventory", Some(&staff)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.header(header::LOCATION).starts_with("/login"));
    assert_eq!(
        app.call("/api/products/list", "", Some(&staff))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(
            "/api/login",
            &form(&[("email", STAFF.0), ("password", STAFF.1)]),
            None
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    let sessions = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(id_of(&app, STAFF.0).await)
        .fetch_one(app.db().pool_for_tests())
        .await
        .unwrap();
    assert_eq!(
        sessions, 0,
        "deactivation deletes the sessions on the server"
    );
    // A manager cannot lock themself out.
    let own = deactivate(&app, &manager, id_of(&app, MANAGER.0).await).await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    assert!(own.body.contains("your own account"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_ones_password_ends_the_other_sessions_and_keeps_this_one() {
    let app = common::app::start().await;
    let here = app.sign_in(STAFF).await;
    let elsewhere = app.sign_in(STAFF).await;
    let change = |current: &str, new: &str, repeat: &str| {
        form(&[
            ("current_password", current),
            ("new_password", new),
            ("repeat_password", repeat),
        ])
    };
    let wrong = app
        .call(
            "/api/profile/password",
            &change("nope", "marigold-tiffin-bicycle", "marigold-tiffin-bicycle"),
            Some(&here),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("not your current password"),
        "{}",
        wrong.body
    );
    let weak = app
        .call(
            "/api/profile/password",
            &change(STAFF.1, "password123", "password123"),
            Some(&here),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("too easy to guess"), "{}", weak.body);
    let typo = app
        .call(
            "/api/profile/password",
            &change(
                STAFF.1,
                "marigold-tiffin-bicycle",
                "marigold-tiffin-bicycel",
            ),
            Some(&here),
        )
        .await;
    assert!(typo.body.contains("not the same"), "{}", typo.body);
    assert_eq!(
        app.get("/inventory", Some(&elsewhere)).await.status,
        StatusCode::OK,
        "nothing changed yet"
    );

    let done = app
        .call(
            "/api/profile/password",
            &change(
                STAFF.1,
                "marigold-tiffin-bicycle",
                "marigold-tiffin-bicycle",
            ),
            Some(&here),
        )
        .await;
    assert!(
        done.status.is_success() || done.status.is_redirection(),
        "{} {}",
        done.status,
        done.body
    );
    assert_eq!(
        app.get("/inventory", Some(&here)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/inventory", Some(&elsewhere)).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.call(
            "/api/login",
            &form(&[("email", STAFF.0), ("password", STAFF.1)]),
            None
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    app.sign_in((STAFF.0, "marigold-tiffin-bicycle")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_manage_employees_with_plain_forms_and_see_it_in_the_audit_trail() {
    let app = common::app::start().await;
    let manager = app.sign_in(MANAGER).await;
    let page = app.get("/employees/new", Some(&manager)).await;
    for label in [
        "First name",
        "Last name",
        "Email",
        "Age",
        "Gender",
        "Password",
        "Role",
    ] {
        assert!(
            page.body.contains(&format!(">{label}</label>")),
            "no {label} field"
        );
    }
    assert!(page.body.contains(">Create employee</button>"));
    let list = app.get("/employees", Some(&manager)).await;
    assert!(list.body.contains(">Add employee</a>"));

    // A refused form comes back with what was typed and the reasons, without JavaScript.
    let bad = form(&[
        ("first_name", "Meena"),
        ("email", "meena@"),
        ("password", "qwertyuiop"),
        ("role", "staff"),
    ]);
    let reply = app
        .post_form(
            "/api/employees/create",
            &bad,
            "/employees/new",
            Some(&manager),
        )
        .await;
    let back = reply.header(header::LOCATION).to_owned();
    assert!(back.starts_with("/employees/new?"), "{back}");
    let page = app.get(&back, Some(&manager)).await;
    for message in [
        "Enter a last name",
        "Enter an email address like",
        "too easy to guess",
    ] {
        assert!(page.body.contains(message), "missing {message}");
    }
    assert!(page.body.contains(r#"value="Meena""#), "the typing is kept");
    assert!(
        !page.body.contains("qwertyuiop"),
        "a password is never sent back"
    );

    let reply = app
        .post_form(
            "/api/employees/create",
            &new_person("meena@shop.test"),
            "/employees/new",
            Some(&manager),
        )
        .await;
    let to = reply.header(header::LOCATION).to_owned();
    assert!(to.starts_with("/employees?created="), "{to} {}", reply.body);
    let list = app.get(&to, Some(&manager)).await;
    assert!(list.body.contains("Added Meena Iyer."));
    assert!(list.body.contains("meena@shop.test"));
    let meena = id_of(&app, "meena@shop.test").await;
    let cookie = app
        .sign_in(("meena@shop.test", "saffron-lantern-river-7"))
        .await;
    assert_eq!(
        app.get("/employees", Some(&cookie)).await.status,
        StatusCode::FORBIDDEN
    );

    let edit = form(&[
        ("id", &meena.to_string()),
        ("first_name", "Meena"),
        ("last_name", "Iyer"),
        ("email", "meena@shop.test"),
        ("age", ""),
        ("gender", ""),
        ("role", "manager"),
    ]);
    let reply = app
        .post_form(
            "/api/employees/update",
            &edit,
            &format!("/employees/{meena}"),
            Some(&manager),
        )
        .await;
    assert_eq!(
        reply.header(header::LOCATION),
        format!("/employees/{meena}?saved=1")
    );
    assert_eq!(
        app.get("/employees", Some(&cookie)).await.status,
        StatusCode::OK,
        "promoted at once"
    );

    let reply = app
        .post_form(
            "/api/employees/delete",
            &format!("id={meena}"),
            &format!("/employees/{meena}"),
            Some(&manager),
        )
        .await;
    assert_eq!(reply.header(header::LOCATION), "/employees?deleted=1");
    assert_eq!(users_named(&app, "meena@shop.test").await, 0);

    let trail = app.get("/employees/audit", Some(&manager)).await;
    for words in [
        "Signed in",
        "Employee created",
        "Employee changed",
        "role staff → manager",
        "Employee deleted",
        "meena@shop.test",
    ] {
        assert!(trail.body.contains(words), "audit trail lacks {words}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_in_the_audit_trail_with_the_address() {
    let app = common::app::start().await;
    login_from(&app, "ghost@shop.test", "whatever-it-is", "198.51.100.23").await;
    let manager = app.sign_in(MANAGER).await;
    let trail = app.get("/employees/audit", Some(&manager)).await;
    for words in [
        "Sign-in failed",
        "ghost@shop.test",
        "no such account",
        "198.51.100.23",
    ] {
        assert!(trail.body.contains(words), "audit trail lacks {words}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers_and_pages_a_nonce_for_their_scripts() {
    let app = common::app::start().await;
    for path in [
        "/login",
        "/healthz",
        "/inventory",
        "/pkg/stockroom.abc123.wasm",
        "/no-such-page",
    ] {
        let reply = app.get(path, None).await;
        assert_eq!(
            reply.header(header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
        assert_eq!(reply.header(header::X_FRAME_OPTIONS), "DENY", "{path}");
        assert_eq!(
            reply.header(header::REFERRER_POLICY),
            "same-origin",
            "{path}"
        );
        assert!(
            reply
                .header(header::CONTENT_SECURITY_POLICY)
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
    }
    let page = app.get("/login", None).await;
    let policy = page.header(header::CONTENT_SECURITY_POLICY).to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page policy has a nonce");
    assert!(policy.contains("'wasm-unsafe-eval'"));
    assert!(
        !policy.contains("'unsafe-inline'; script")
            && !policy.contains("script-src 'unsafe-inline'")
    );
    let scripts = page.body.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        page.body.matches(&format!(r#"nonce="{nonce}""#)).count(),
        scripts,
        "every inline script carries the nonce"
    );
    let again = app.get("/login", None).await;
    assert_ne!(
        again.header(header::CONTENT_SECURITY_POLICY),
        policy,
        "a new nonce per response"
    );
}
