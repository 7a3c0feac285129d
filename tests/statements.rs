//! The statement-count guard: the most SQL statements each page may run (the session lookup
//! included), on both databases, counted from sqlx's own per-statement events as `make bench`
//! counts them on a real server. A page's cost is its round trips: a change that adds one to
//! every render (a badge counted again, a lookup per row) fails here, not months later in a
//! benchmark. The limits are today's counts; lower them when a page gets cheaper.
//!
//! One test in its own binary: the counter is process-wide (SQLite runs statements on its
//! worker threads), so nothing else may run statements while it counts.

mod common;

use common::app::{App, MANAGER};
use common::{line, scalar};
use std::sync::atomic::{AtomicUsize, Ordering};
use stockroom::domain::bill::BillKind;
use stockroom::server::storage::stock::{record, BillInput};

/// (page, the most statements it may run on SQLite, on PostgreSQL), signed in as a manager
/// (`/login` as a visitor). `{product}` and `{bill}` stand for a product's and a bill's id.
const LIMITS: &[(&str, usize, usize)] = &[
    ("/login", 0, 0),
    ("/inventory", 2, 2),
    ("/inventory?q=rice", 3, 2),
    ("/inventory/{product}", 4, 4),
    ("/transactions", 2, 2),
    ("/expiry", 2, 2),
    ("/reorder", 2, 2),
    ("/bills", 2, 2),
    ("/bills/{bill}", 4, 4),
    ("/parties", 2, 2),
    ("/", 4, 4),
];

async fn counted(app: &App, counter: &AtomicUsize, path: &str, cookie: &str) -> usize {
    // The sign-in page as a visitor sees it (a signed-in person is sent on).
    let cookie = (path != "/login").then_some(cookie);
    let before = counter.load(Ordering::SeqCst);
    let reply = app.get(path, cookie).await;
    assert_eq!(reply.status, axum::http::StatusCode::OK, "{path}");
    counter.load(Ordering::SeqCst) - before
}

async fn check(app: App, postgres: bool, counter: &AtomicUsize) -> Vec<String> {
    let user_id = scalar(app.db(), "SELECT MIN(id) FROM users").await;
    for (kind, key, product, quantity) in [
        (BillKind::Purchase, "p1", "Basmati Rice", 40),
        (BillKind::Sale, "s1", "Basmati Rice", 3),
    ] {
        let input = BillInput {
            kind,
            party: common::party("Ravi Traders"),
            lines: common::numbered(vec![line(product, quantity, 10_000, None)]),
            tax_rate_bp: 0,
            user_id,
            key: key.into(),
            now: stockroom::server::clock::Clock::system().now(),
        };
        record(app.db(), &input).await.unwrap();
    }
    let cookie = app.sign_in(MANAGER).await;
    let product = app.product_id("Basmati Rice").await;
    let bill = scalar(app.db(), "SELECT MAX(id) FROM bills").await;
    let mut over = Vec::new();
    for (page, sqlite_limit, postgres_limit) in LIMITS {
        let path = page
            .replace("{product}", &product.to_string())
            .replace("{bill}", &bill.to_string());
        // The first view warms what a page keeps (the sales window's day, the navigation's
        // badge): the guard is on the views after it.
        // (Twice: moving the sales window on is a write, after which the badge is counted again.)
        for _ in 0..2 {
            counted(&app, counter, &path, &cookie).await;
        }
        let ran = counted(&app, counter, &path, &cookie).await;
        let limit = if postgres {
            *postgres_limit
        } else {
            *sqlite_limit
        };
        let backend = if postgres { "postgres" } else { "sqlite" };
        println!("[{backend}] {page}: {ran} statements (at most {limit})");
        if ran > limit {
            over.push(format!(
                "[{backend}] {page} ran {ran} statements, more than {limit}"
            ));
        }
    }
    over
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_runs_no_more_statements_than_it_did() {
    let counter = common::statements::count_statements();
    let mut over = check(common::app::start().await, false, &counter).await;
    if let Some(t) = common::postgres().await {
        over.extend(check(common::app::start_on(t).await, true, &counter).await);
    }
    assert!(over.is_empty(), "{over:#?}");
}
