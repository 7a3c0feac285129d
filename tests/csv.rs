//! CSV exports over HTTP: headers, every matching row, the page's search and filters, times in
//! the shop's zone, the formula guard, staff without cost columns, signed-out visitors refused.

mod common;

use axum::http::{header, StatusCode};
use common::app::{App, MANAGER, STAFF};
use stockroom::domain::bill::BillKind;
use stockroom::domain::Money;
use stockroom::server::clock::Clock;
use stockroom::server::storage::audit::Actor;
use stockroom::server::storage::corrections::{self, CountInput};
use stockroom::server::storage::products::{self, NewProduct};
use stockroom::server::storage::stock::{record, BillInput};

/// 2026-01-15 10:00 UTC (15:30 in India).
const NOW: i64 = 1_768_471_200;

/// The rows of a CSV download (its byte-order mark dropped), the header first.
fn rows(body: &str) -> Vec<Vec<String>> {
    let body = body
        .strip_prefix('\u{feff}')
        .expect("an export starts with a byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let at = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[at].clone()).collect()
}

async fn manager_id(app: &App) -> i64 {
    common::scalar(
        app.db(),
        "SELECT id FROM users WHERE email = 'manager@shop.test'",
    )
    .await
}

/// A purchase of 20 Toor Dal at 100.00 and 10 Basmati Rice at 500.00, a sale of 3 Toor Dal
/// at 160.00 and a count that finds one Basmati Rice missing.
async fn trade(app: &App) {
    let user = manager_id(app).await;
    let bill = |kind, key: &str, lines| BillInput {
        kind,
        party: common::party("Ravi Traders"),
        lines: common::numbered(lines),
        tax_rate_bp: 0,
        user_id: user,
        key: key.into(),
        now: NOW,
    };
    let purchase = bill(
        BillKind::Purchase,
        "p1",
        vec![
            common::line("Toor Dal", 20, 10_000, Some("2026-03-01")),
            common::line("Basmati Rice", 10, 50_000, None),
        ],
    );
    record(app.db(), &purchase).await.unwrap();
    let sale = bill(
        BillKind::Sale,
        "s1",
        vec![common::line("Toor Dal", 3, 16_000, None)],
    );
    record(app.db(), &sale).await.unwrap();
    let actor = Actor {
        id: user,
        email: MANAGER.0.into(),
        client_addr: "127.0.0.1".into(),
    };
    let count = CountInput {
        product_id: app.product_id("Basmati Rice").await,
        counted: 9,
        reason: "Damaged".into(),
        key: "count:c1".into(),
        now: NOW,
    };
    corrections::count(app.db(), &count, &actor).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inventory_export_is_a_dated_attachment_of_every_product_the_search_matches() {
    let app = common::app::start_at(Clock::fixed(NOW)).await;
    // More products than one chunk holds, so the export reads several pages.
    for n in 0..1_050 {
        let name = format!("Spice {n:04}");
        let product = NewProduct {
            name: &name,
            sku: None,
            unit: "g",
            loose: true,
            selling_price: Money::from_minor(1_000 + n),
            lower_limit: None,
            upper_limit: None,
        };
        products::insert(app.db(), &product, 0).await.unwrap();
    }
    let cookie = app.sign_in(MANAGER).await;
    let reply = app.get("/inventory.csv", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        reply.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"stockroom-inventory-2026-01-15.csv\""
    );
    let all = rows(&reply.body);
    assert_eq!(
        all[0],
        [
            "name",
            "sku",
            "unit",
            "loose",
            "quantity",
            "selling_price",
            "tax_rate",
            "tax_code",
            "lower_limit",
            "upper_limit",
            "average_cost"
        ]
    );
    assert_eq!(all.len(), 1 + 3 + 1_050, "every product, not one page");
    let names = column(&all, "name");
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "in the inventory's default order, A to Z");
    let rice = &all[1];
    assert_eq!(
        rice,
        &[
            "Basmati Rice",
            "",
            "pcs",
            "no",
            "0",
            "649.00",
            "",
            "",
            "5",
            "",
            "0.00"
        ]
    );

    // The page's search and sort are the export's.
    let reply = app
        .get("/inventory.csv?q=rice&sort=name_desc", Some(&cookie))
        .await;
    assert_eq!(
        column(&rows(&reply.body), "name"),
        ["Rice Flour", "Basmati Rice"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_a_spreadsheet_would_run_is_guarded_and_numbers_stay_numbers() {
    let app = common::app::start_at(Clock::fixed(NOW)).await;
    for name in [
        "=HYPERLINK(\"http://evil\")",
        "-5 Soap",
        "चावल, \"बासमती\"\nनया",
    ] {
        let product = NewProduct {
            name,
            sku: None,
            unit: "pcs",
            loose: false,
            selling_price: Money::ZERO,
            lower_limit: None,
            upper_limit: None,
        };
        products::insert(app.db(), &product, 0).await.unwrap();
    }
    let cookie = app.sign_in(MANAGER).await;
    let all = rows(&app.get("/inventory.csv", Some(&cookie)).await.body);
    let names = column(&all, "name");
    assert!(
        names.contains(&"'=HYPERLINK(\"http://evil\")".to_owned()),
        "{names:?}"
    );
    assert!(names.contains(&"'-5 Soap".to_owned()), "{names:?}");
    assert!(
        names.contains(&"चावल, \"बासमती\"\nनया".to_owned()),
        "{names:?}"
    );
    trade(&app).await;
    let ledger = rows(&app.get("/transactions.csv", Some(&cookie)).await.body);
    assert!(
        column(&ledger, "quantity").contains(&"-3".to_owned()),
        "a negative quantity is a number, not guarded text"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ledger_export_follows_the_filters_and_reads_the_shops_clock() {
    let app =
        common::app::start_in(common::sqlite().await, "Asia/Kolkata", Clock::fixed(NOW)).await;
    trade(&app).await;
    let cookie = app.sign_in(MANAGER).await;
    let reply = app.get("/transactions.csv", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"stockroom-transactions-2026-01-15.csv\""
    );
    let all = rows(&reply.body);
    assert_eq!(
        all[0],
        [
            "date",
            "product",
            "type",
            "quantity",
            "unit",
            "unit_price",
            "bill"
        ]
    );
    assert_eq!(all.len(), 1 + 4);
    assert!(column(&all, "date")
        .iter()
        .all(|d| d == "2026-01-15T15:30:00+05:30"));

    let sales = rows(
        &app.get("/transactions.csv?kind=sale&product=dal", Some(&cookie))
            .await
            .body,
    );
    assert_eq!(sales.len(), 2, "{sales:?}");
    assert_eq!(&sales[1][1..6], ["Toor Dal", "Sale", "-3", "pcs", "160.00"]);
    let none = rows(
        &app.get("/transactions.csv?from=2026-01-16", Some(&cookie))
            .await
            .body,
    );
    assert_eq!(none.len(), 1, "only the header");
    let bad = app
        .get("/transactions.csv?from=yesterday", Some(&cookie))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let bills = app.get("/bills.csv", Some(&cookie)).await;
    assert_eq!(
        bills.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"stockroom-bills-2026-01-15.csv\""
    );
    let bills = rows(&bills.body);
    assert_eq!(bills[0], ["bill", "date", "party", "kind", "total"]);
    assert_eq!(column(&bills, "kind"), ["Sale", "Purchase"]);
    assert_eq!(column(&bills, "total"), ["480.00", "7000.00"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_exports_carry_no_cost_and_signed_out_visitors_get_none() {
    let app = common::app::start_at(Clock::fixed(NOW)).await;
    trade(&app).await;
    let cookie = app.sign_in(STAFF).await;
    let inventory = rows(&app.get("/inventory.csv", Some(&cookie)).await.body);
    assert!(
        !inventory[0].iter().any(|h| h.contains("cost")),
        "{:?}",
        inventory[0]
    );
    let ledger = rows(&app.get("/transactions.csv", Some(&cookie)).await.body);
    let types = column(&ledger, "type");
    let amounts = column(&ledger, "unit_price");
    for (kind, amount) in types.iter().zip(&amounts) {
        match kind.as_str() {
            "Adjustment" => assert_eq!(amount, "", "a count's cost is a manager's figure"),
            _ => assert!(!amount.is_empty(), "{kind} shows its price"),
        }
    }
    assert!(types.contains(&"Adjustment".to_owned()));
    let manager = app.sign_in(MANAGER).await;
    let ledger = rows(&app.get("/transactions.csv", Some(&manager)).await.body);
    assert!(column(&ledger, "unit_price").iter().all(|a| !a.is_empty()));

    for path in ["/inventory.csv", "/bills.csv", "/transactions.csv"] {
        let reply = app.get(path, None).await;
        assert!(reply.status.is_redirection(), "{path}: {}", reply.status);
        assert!(reply.header(header::LOCATION).starts_with("/login"));
        assert!(!reply.body.contains("Toor Dal"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_pages_link_their_exports_with_their_filters() {
    let app = common::app::start().await;
    let manager = app.sign_in(MANAGER).await;
    let page = app
        .get("/inventory?q=rice&sort=name_desc", Some(&manager))
        .await;
    assert!(
        page.body
            .contains(r#"href="/inventory.csv?q=rice&amp;sort=name_desc""#),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Import CSV<"));
    let staff = app.sign_in(STAFF).await;
    let page = app.get("/inventory", Some(&staff)).await;
    assert!(page.body.contains(">Export CSV<"));
    assert!(
        !page.body.contains(">Import CSV<"),
        "importing is for managers"
    );
    let page = app
        .get("/transactions?kind=sale&product=dal", Some(&staff))
        .await;
    assert!(
        page.body
            .contains(r#"href="/transactions.csv?product=dal&amp;kind=sale""#),
        "{}",
        page.body
    );
    let page = app.get("/bills", Some(&staff)).await;
    assert!(page.body.contains(r#"href="/bills.csv""#));
}

/// Browsers ask for compressed answers: the compression layer then polls the export's stream once
/// more after its end, which a bare `unfold` stream answers with a panic (and the browser with
/// ERR_EMPTY_RESPONSE). Seen in the browser journey; this is its test without a browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_stream_to_the_end_when_the_browser_asks_for_compression() {
    let app = common::app::start().await;
    trade(&app).await;
    let cookie = app.sign_in(MANAGER).await;
    for path in ["/inventory.csv", "/bills.csv", "/transactions.csv"] {
        let request = axum::http::Request::get(path)
            .header(header::COOKIE, cookie.as_str())
            .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
            .body(axum::body::Body::empty())
            .unwrap();
        let reply = app.send(request).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(
            reply
                .header(header::CONTENT_DISPOSITION)
                .starts_with("attachment"),
            "{path}"
        );
    }
}

/// An export whose first rows cannot be read answers 503 with when to try again (as pages do),
/// not a broken download.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_that_cannot_be_read_says_when_to_try_again() {
    let app = common::app::start().await;
    let cookie = app.sign_in(MANAGER).await;
    sqlx::query("ALTER TABLE bills RENAME TO bills_away")
        .execute(app.db().pool_for_tests())
        .await
        .unwrap();
    let reply = app.get("/bills.csv", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.header(header::RETRY_AFTER), "5");
    assert!(reply.body.contains("Try again shortly"), "{}", reply.body);
}
