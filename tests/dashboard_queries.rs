//! One dashboard page costs the same small number of SQL statements with 10 movements as with
//! 500 and more: every figure is an aggregate, never a loop over rows.
//!
//! Statements are counted from sqlx's own `sqlx::query` events (one per statement executed),
//! through a process-wide tracing subscriber; this file holds a single test so no other test's
//! statements are counted with it.

mod common;

use common::app::MANAGER;
use common::TestDb;
use sqlx::Row;
use std::sync::atomic::{AtomicUsize, Ordering};
use stockroom::domain::bill::BillKind;
use stockroom::server::storage::stock::{record, BillInput};
use stockroom::server::storage::Db;

/// Adds `count` one-line bills (purchases and sales of five products, spread over the last
/// year), each making a movement (two when a sale spans two lots).
async fn add_bills(db: &Db, user: i64, first: usize, count: usize) {
    let now = stockroom::server::clock::Clock::system().now();
    for i in first..first + count {
        let product = format!("Product {}", (i / 2) % 5);
        // Alternate: buy 10 of a product, then sell 3 of it.
        let (kind, quantity, amount) = if i % 2 == 0 {
            (BillKind::Purchase, 10, 1_000 + i as i64)
        } else {
            (BillKind::Sale, 3, 2_000)
        };
        let bill = BillInput {
            kind,
            party: common::party("Party"),
            lines: vec![common::line(&product, quantity, amount, None)],
            tax_rate_bp: 0,
            user_id: user,
            key: format!("bulk-{i}"),
            now: now - 300 * 86_400 + i as i64 * 600,
        };
        record(db, &bill).await.unwrap();
    }
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(db.pool_for_tests())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// Statements run by one render of `/` for the last 12 months (after a warm-up render).
async fn statements_per_render(
    app: &common::app::App,
    cookie: &str,
    statements: &AtomicUsize,
) -> usize {
    for _ in 0..2 {
        assert!(app
            .get("/?period=12m", Some(cookie))
            .await
            .body
            .contains(">Earned</span>"));
    }
    let before = statements.load(Ordering::SeqCst);
    let page = app.get("/?period=12m", Some(cookie)).await;
    let after = statements.load(Ordering::SeqCst);
    assert!(page.body.contains(">Top products</h2>"));
    after - before
}

/// Counts a dashboard's statements for a shop in `zone` (months cut at its local midnights).
async fn check(t: TestDb, backend: &str, zone: &str, statements: &AtomicUsize) {
    let db = t.db.clone();
    let app = common::app::start_in(t, zone, stockroom::server::clock::Clock::system()).await;
    let cookie = app.sign_in(MANAGER).await;
    let user = scalar(&db, "SELECT id FROM users ORDER BY id LIMIT 1").await;

    add_bills(&db, user, 0, 10).await;
    let few = scalar(&db, "SELECT COUNT(*) FROM movements").await;
    let small = statements_per_render(&app, &cookie, statements).await;

    add_bills(&db, user, 10, 490).await;
    let many = scalar(&db, "SELECT COUNT(*) FROM movements").await;
    assert!(few <= 12 && many >= 500, "{few} and {many} movements");
    let large = statements_per_render(&app, &cookie, statements).await;

    eprintln!("{backend} in {zone}: {small} statements per render with {few} movements, {large} with {many}");
    assert!(small > 0, "{backend}: statements were not counted at all");
    assert_eq!(small, large, "{backend}: statements grew with the ledger");
    // The whole page: the session, the period's and months' sums, the top products, the stock
    // alerts (the navigation's badge is kept between writes).
    assert!(small <= 4, "{backend}: {small} statements for one page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_per_dashboard_render_do_not_grow_with_the_ledger() {
    let statements = common::statements::count_statements();
    check(common::sqlite().await, "SQLite", "UTC", &statements).await;
    check(
        common::sqlite().await,
        "SQLite",
        "Asia/Kathmandu",
        &statements,
    )
    .await;
    if let Some(pg) = common::postgres().await {
        check(pg, "PostgreSQL", "UTC", &statements).await;
    }
    if let Some(pg) = common::postgres().await {
        check(pg, "PostgreSQL", "America/New_York", &statements).await;
    }
}
