//! A stress harness for server renders: every page route, for both roles, with and without query
//! strings, and plain-form round trips (a refused form sent back to its page), rendered
//! concurrently thousands of times while routers are built beside them (what each test's app
//! does at its start, and what used to leave a render unfinished: see `server::http::routes`).
//! Any render not finished within a few seconds fails the run, named with its route; so does any
//! 5xx.
//!
//! `STRESS_RENDERS` sets how many renders (default 2,000, about 20 s here: part of `make test`);
//! `make soak` runs 100,000.

mod common;

use axum::http::StatusCode;
use common::app::{App, MANAGER, STAFF};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stockroom::domain::bill::BillKind;
use stockroom::server::storage::stock::{record, BillInput};

/// A render that takes longer than this is reported as unfinished.
const UNFINISHED: Duration = Duration::from_secs(5);

async fn manager_id(app: &App) -> i64 {
    common::scalar(
        app.db(),
        &format!("SELECT id FROM users WHERE email = '{}'", MANAGER.0),
    )
    .await
}

/// A purchase and a sale, so bill, product and return pages have something to show.
async fn a_day_of_trade(app: &App) -> (i64, i64) {
    let user_id = manager_id(app).await;
    let bill = |kind, key: &str, quantity| BillInput {
        kind,
        party: common::party("Ravi Traders"),
        lines: vec![common::line(
            "Toor Dal",
            quantity,
            12_000,
            Some("2030-01-31"),
        )],
        tax_rate_bp: 500,
        user_id,
        key: key.to_owned(),
        now: 1_760_000_000,
    };
    record(app.db(), &bill(BillKind::Purchase, "stress-p", 40))
        .await
        .unwrap();
    let sale = record(app.db(), &bill(BillKind::Sale, "stress-s", 3))
        .await
        .unwrap();
    (sale.bill_id(), app.product_id("Toor Dal").await)
}

/// Every page route worth rendering, as `(path, JavaScript-off form to post first)`.
fn routes(bill: i64, product: i64, employee: i64) -> Vec<(String, Option<(&'static str, String)>)> {
    let pages = [
        "/".to_owned(),
        "/login".to_owned(),
        "/inventory".to_owned(),
        "/inventory?q=rice".to_owned(),
        "/inventory?q=zzz-nothing&sort=name".to_owned(),
        format!("/inventory/{product}"),
        "/buy".to_owned(),
        "/buy?rows=4".to_owned(),
        "/sell".to_owned(),
        "/bills".to_owned(),
        format!("/bills/{bill}"),
        format!("/bills/{bill}/return"),
        "/transactions".to_owned(),
        "/transactions?kind=sale".to_owned(),
        "/expiry".to_owned(),
        "/expiry?days=30".to_owned(),
        "/employees".to_owned(),
        "/employees/new".to_owned(),
        "/employees/audit".to_owned(),
        format!("/employees/{employee}"),
        "/profile".to_owned(),
        "/no-such-page".to_owned(),
    ];
    let mut all: Vec<_> = pages.into_iter().map(|page| (page, None)).collect();
    // Refused plain forms: the answer sends the browser back to the page with what was typed.
    all.push((
        "/sell".to_owned(),
        Some((
            "/api/sales",
            common::encode(&[
                ("party_name", "Walk-in"),
                ("key", "stress-oversell"),
                ("lines[0][product]", "Toor Dal"),
                ("lines[0][quantity]", "100000"),
                ("lines[0][amount]", "150"),
            ]),
        )),
    ));
    all.push((
        "/buy".to_owned(),
        Some((
            "/api/purchases",
            common::encode(&[
                ("party_name", ""),
                ("key", "stress-bad"),
                ("lines[0][product]", ""),
                ("lines[0][quantity]", "-3"),
                ("lines[0][amount]", "abc"),
            ]),
        )),
    ));
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_to_the_end_under_concurrent_load() {
    let renders: usize = std::env::var("STRESS_RENDERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let app = Arc::new(common::app::start().await);
    let (bill, product) = a_day_of_trade(&app).await;
    let employee = common::scalar(
        app.db(),
        &format!("SELECT id FROM users WHERE email = '{}'", STAFF.0),
    )
    .await;
    let cookies = [app.sign_in(MANAGER).await, app.sign_in(STAFF).await];
    let routes = Arc::new(routes(bill, product, employee));
    let next = Arc::new(AtomicUsize::new(0));
    let problems = Arc::new(Mutex::new(Vec::<String>::new()));
    let slowest = Arc::new(Mutex::new((Duration::ZERO, String::new())));
    let started = Instant::now();
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let (app, routes, next, problems, slowest, cookies) = (
                app.clone(),
                routes.clone(),
                next.clone(),
                problems.clone(),
                slowest.clone(),
                cookies.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= renders {
                        break;
                    }
                    let (path, form) = &routes[n % routes.len()];
                    let role = (n / routes.len()) % 2;
                    let cookie = cookies[role].as_str();
                    let who = ["manager", "staff"][role];
                    let began = Instant::now();
                    let outcome = tokio::time::timeout(UNFINISHED, async {
                        if let Some((action, body)) = form {
                            let sent = app.post_form(action, body, path, Some(cookie)).await;
                            assert!(!sent.status.is_server_error(), "{action}: {}", sent.status);
                        }
                        app.get(path, Some(cookie)).await.status
                    })
                    .await;
                    let took = began.elapsed();
                    match outcome {
                        Err(_) => problems
                            .lock()
                            .unwrap()
                            .push(format!("{who} GET {path}: unfinished after {UNFINISHED:?}")),
                        Ok(status) if status.is_server_error() => problems
                            .lock()
                            .unwrap()
                            .push(format!("{who} GET {path}: {status}")),
                        Ok(_) => {}
                    }
                    let mut slow = slowest.lock().unwrap();
                    if took > slow.0 {
                        *slow = (took, format!("{who} GET {path}"));
                    }
                }
            })
        })
        .collect();
    // Meanwhile, routers are built as the other tests' apps build theirs.
    let mut built = 0;
    while workers.iter().any(|w| !w.is_finished()) {
        app.build_another_router();
        built += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let problems = problems.lock().unwrap().clone();
    let (slow, route) = slowest.lock().unwrap().clone();
    eprintln!(
        "stress: {renders} renders of {} routes × 2 roles in {:.1} s, {built} routers built \
         meanwhile; slowest {slow:?} ({route}); {} problems",
        routes.len(),
        started.elapsed().as_secs_f64(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        app.get("/healthz", None).await.status,
        StatusCode::OK,
        "the app still answers"
    );
}
