//! In-process HTTP tests: the whole router, driven request by request as a browser or a script
//! would, on a fresh SQLite database (and on PostgreSQL for the sign-in round trip).

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::app::{MANAGER, STAFF};
use std::time::Duration;
use stockroom::server::clock::Clock;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_visitors_are_sent_to_login_and_told_where_they_were_going() {
    let app = common::app::start().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_page_has_the_named_fields_and_button() {
    let app = common::app::start().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_sets_a_hardened_cookie_and_returns_to_the_page_asked_for() {
    let app = common::app::start().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_never_redirects_off_site() {
    let app = common::app::start().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_shows_invalid_email_or_password_without_javascript() {
    let app = common::app::start().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_401_for_scripts_and_unknown_emails_look_the_same() {
    let app = common::app::start().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_server_function_call_is_a_400_not_a_500() {
    let app = common::app::start().await;
    let reply = app.call("/api/login", "password=x", None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inventory_is_in_the_html_before_any_javascript_runs() {
    let app = common::app::start().await;
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
        "Reorder",
        "Parties",
        "Employees",
        "Sign out",
    ] {
        assert!(
            reply.body.contains(&format!(">{link}<")),
            "navigation lacks {link}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_their_islands_but_no_copy_of_their_data_for_hydration() {
    let app = common::app::start().await;
    let cookie = app.sign_in(MANAGER).await;
    let reply = app.get("/inventory?q=rice", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .body
            .contains(r#"<leptos-island data-component="ProductSearch"#),
        "the search box is an island"
    );
    // Live search swaps this region for the same region of the next results page.
    let region = reply
        .body
        .find(r#"<div id="inventory-results">"#)
        .expect("the results region");
    assert!(reply.body[region..].contains("Basmati Rice"));
    // Islands mode: the table is plain HTML; only islands' own data is serialised.
    assert!(
        !reply.body.contains("__RESOLVED_RESOURCES["),
        "no resource data in the page"
    );
    assert!(
        !reply.body.contains("Rice Flour&quot;"),
        "no product in island props"
    );
    let sell = app.get("/sell", Some(&cookie)).await;
    assert!(sell
        .body
        .contains(r#"<leptos-island data-component="BillForm"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_without_javascript_filters_the_table() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let reply = app.get("/inventory?q=RICE", Some(&cookie)).await;
    assert!(reply.body.contains("Basmati Rice") && reply.body.contains("Rice Flour"));
    assert!(!reply.body.contains("Toor Dal"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_do_not_see_employees_and_get_a_403_there() {
    let app = common::app::start().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_clock_dates_what_it_records_and_idles_sessions_out() {
    let app = common::app::start_at(Clock::fixed(1_760_000_000)).await;
    let cookie = app.sign_in(MANAGER).await;
    app.clock.advance(Duration::from_secs(60));
    app.post_form("/api/logout", "", "/inventory", Some(&cookie))
        .await;
    let trail: Vec<(String, i64)> =
        sqlx::query_as("SELECT action, at FROM audit_log WHERE action LIKE 'sign%' ORDER BY id")
            .fetch_all(app.db().pool_for_tests())
            .await
            .unwrap();
    assert_eq!(
        trail,
        [
            ("sign_in".to_owned(), 1_760_000_000),
            ("sign_out".to_owned(), 1_760_000_060)
        ]
    );
    // The harness's sessions idle out after an hour: of the app's time, not the machine's.
    let cookie = app.sign_in(MANAGER).await;
    app.clock.advance(Duration::from_secs(3_599));
    assert_eq!(
        app.get("/inventory", Some(&cookie)).await.status,
        StatusCode::OK
    );
    app.clock.advance(Duration::from_secs(3_601));
    assert_eq!(
        app.get("/inventory", Some(&cookie)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session_on_the_server() {
    let app = common::app::start().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_refuse_signed_out_callers_with_401() {
    let app = common::app::start().await;
    let reply = app.call("/api/products/list", "q=rice", None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(!reply.body.contains("Rice"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_get_a_404_page() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let reply = app.get("/no-such-page", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains("Page not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_without_a_session() {
    let app = common::app::start().await;
    let reply = app.get("/healthz", None).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_assets_are_precompressed_and_cached_for_a_year() {
    let app = common::app::start().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let app = common::app::start().await;
    let request = Request::get("/login")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.header(header::CONTENT_ENCODING), "gzip");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_sign_in_and_inventory_work_on_postgresql() {
    let Some(db) = common::postgres().await else {
        return;
    };
    let app = common::app::start_on(db).await;
    let cookie = app.sign_in(MANAGER).await;
    let reply = app.get("/inventory?q=dal", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("Toor Dal") && !reply.body.contains("Basmati"));
}

/// Every test builds its own app, so routers are built while other tests' pages render. Building
/// one used to switch resource loading off for the whole process for a moment, and a page whose
/// data was first asked for in that moment never finished (leptos-rs/leptos#4773; the suites saw
/// it as a rare 503 after the 30 s deadline). Routes are now found once per process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_routers_never_stalls_a_page_being_rendered() {
    let app = std::sync::Arc::new(common::app::start().await);
    let manager = app.sign_in(MANAGER).await;
    let renders = tokio::spawn({
        let app = app.clone();
        async move {
            for _ in 0..150 {
                let page = tokio::time::timeout(
                    Duration::from_secs(15),
                    app.get("/inventory", Some(&manager)),
                )
                .await
                .expect("a page rendered while routers are built still finishes");
                assert_eq!(page.status, StatusCode::OK);
                assert!(page.body.contains("Toor Dal"));
            }
        }
    });
    let mut built = 0;
    while !renders.is_finished() {
        app.build_another_router();
        built += 1;
        tokio::task::yield_now().await;
    }
    renders.await.unwrap();
    assert!(built > 0, "routers were built while pages rendered");
}
