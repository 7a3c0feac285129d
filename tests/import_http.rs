//! The catalogue import over HTTP, as a browser without JavaScript sends it: upload → preview →
//! `Import`; 413 for an oversized file; hostile files get a message and write nothing, never a
//! 5xx; staff are refused; an exported inventory imports into a fresh shop as the same products.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::app::{App, MANAGER, STAFF};
use common::scalar;

/// A product as the round trip compares it: name, SKU, unit, loose, quantity, price, limits,
/// tax rate and code, average cost.
type CatalogueRow = (
    String,
    Option<String>,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    i64,
);

const BOUNDARY: &str = "----stockroom-test-boundary";

/// A multipart body with `file` as the `file` field, as a browser's form sends it.
fn multipart(file_name: &str, file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts `file` to `Check file`; returns the reply.
async fn check_file(app: &App, cookie: &str, file: &[u8]) -> common::app::Reply {
    let request = Request::post("/inventory/import/check")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://localhost/inventory/import")
        .header(header::COOKIE, cookie)
        .body(Body::from(multipart("shop.csv", file)))
        .unwrap();
    app.send(request).await
}

/// Checks `file` and follows the redirect to its preview page.
async fn preview(app: &App, cookie: &str, file: &[u8]) -> (String, String) {
    let reply = check_file(app, cookie, file).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.header(header::LOCATION).to_owned();
    assert!(
        location.starts_with("/inventory/import?upload="),
        "{location}"
    );
    let page = app.get(&location, Some(cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let upload = location.split('=').nth(1).unwrap().to_owned();
    (upload, page.body)
}

async fn products(app: &App) -> i64 {
    scalar(app.db(), "SELECT COUNT(*) FROM products").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_checked_previewed_and_imported_once_without_javascript() {
    let app = common::app::start().await;
    let cookie = app.sign_in(MANAGER).await;
    let page = app.get("/inventory/import", Some(&cookie)).await;
    assert!(page.body.contains(r#"enctype="multipart/form-data""#));
    assert!(page.body.contains(">CSV file<") && page.body.contains(">Check file<"));

    let bad = "name,selling_price,quantity,unit_cost,colour\nJaggery,50,abc,20,brown\nGhee,600,2,450,yellow\n";
    let (_, body) = preview(&app, &cookie, bad.as_bytes()).await;
    assert!(
        body.contains("Line 2: quantity: Enter a whole number from 0, or leave it empty"),
        "{body}"
    );
    assert!(body.contains("Columns not imported: colour"));
    assert!(
        !body.contains(">Import<"),
        "nothing to import while there are problems"
    );
    assert_eq!(products(&app).await, 3);

    let good = bad.replace("abc", "5");
    let (upload, body) = preview(&app, &cookie, good.as_bytes()).await;
    assert!(
        body.contains("2 to create") && body.contains("0 to update"),
        "{body}"
    );
    assert!(body.contains("7 units in 2 products"), "{body}");
    assert!(body.contains(">Import<"));
    assert_eq!(products(&app).await, 3, "checking writes nothing");

    for _ in 0..2 {
        let reply = app
            .post_form(
                "/api/inventory/import",
                &format!("upload={upload}"),
                &format!("/inventory/import?upload={upload}"),
                Some(&cookie),
            )
            .await;
        assert!(
            reply.status.is_redirection(),
            "{} {}",
            reply.status,
            reply.body
        );
        let landing = reply.header(header::LOCATION).to_owned();
        assert_eq!(landing, format!("/inventory/import?upload={upload}"));
        let page = app.get(&landing, Some(&cookie)).await;
        assert!(page.body.contains("Imported 2 products"), "{}", page.body);
        assert!(!page.body.contains(">Import<"));
    }
    assert_eq!(products(&app).await, 5);
    assert_eq!(
        scalar(
            app.db(),
            "SELECT COUNT(*) FROM movements WHERE kind = 'opening_stock'"
        )
        .await,
        2,
        "the second Import recorded nothing"
    );
    common::assert_ledger_holds(app.db()).await;
    let ledger = app
        .get("/transactions?kind=opening_stock", Some(&cookie))
        .await;
    assert!(ledger.body.contains("Opening stock") && ledger.body.contains("Ghee"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_over_ten_mebibytes_is_refused_with_413() {
    let app = common::app::start().await;
    let cookie = app.sign_in(MANAGER).await;
    // Announced too large: refused before the body is read.
    let request = Request::post("/inventory/import/check")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, (20 << 20).to_string())
        .header(header::REFERER, "http://localhost/inventory/import")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.body.contains("larger than 10 MiB"), "{}", reply.body);
    // Sent whole, a file just over the limit inside a body the route still takes.
    let mut file = b"name\n".to_vec();
    file.resize(10 * 1024 * 1024 + 1, b'a');
    let reply = check_file(&app, &cookie, &file).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    // Every other route keeps its 1 MiB.
    let big = "a".repeat((1 << 20) + 10);
    let reply = app
        .post_form("/api/products/update", &big, "/inventory", Some(&cookie))
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(products(&app).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_files_get_a_message_and_write_nothing() {
    let app = common::app::start().await;
    let cookie = app.sign_in(MANAGER).await;
    let wide = (0..10_000)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let huge_cell = format!("name\n{}\n", "x".repeat(1 << 20));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "The file is empty"),
        (
            "header only",
            b"name,sku\n".to_vec(),
            "no products under its header",
        ),
        (
            "no name column",
            b"sku,unit\nA1,pcs\n".to_vec(),
            "with a name column",
        ),
        (
            "10,000 columns",
            format!("name,{wide}\nRice\n").into_bytes(),
            "more than 100 columns",
        ),
        ("a 1 MiB cell", huge_cell.into_bytes(), "Line 2: name:"),
        ("NUL bytes", b"name\nRi\0ce\n".to_vec(), "NUL bytes"),
        (
            "unbalanced quotes",
            b"name,sku\n\"Rice,A1\nDal,B2\n".to_vec(),
            "never closed",
        ),
        ("UTF-16", b"\xff\xfen\x00a\x00m\x00e\x00".to_vec(), "UTF-16"),
    ];
    for (what, file, message) in cases {
        let reply = check_file(&app, &cookie, &file).await;
        assert!(reply.status.as_u16() < 500, "{what}: {}", reply.status);
        let (_, body) = preview(&app, &cookie, &file).await;
        assert!(body.contains(message), "{what}: no {message:?} in the page");
        assert!(!body.contains(">Import<"), "{what}");
    }
    // Windows-1252 (Excel's "CSV (Comma delimited)") is read, not refused.
    let (_, body) = preview(&app, &cookie, b"name;selling_price\nCaf\xe9 Mocha;120\n").await;
    assert!(body.contains("1 to create"), "{body}");
    assert_eq!(products(&app).await, 3);
    assert_eq!(scalar(app.db(), "SELECT COUNT(*) FROM movements").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_can_neither_check_nor_import_a_file() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let page = app.get("/inventory/import", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let reply = check_file(&app, &cookie, b"name\nRice\n").await;
    assert!(
        reply.status == StatusCode::FORBIDDEN || reply.header(header::LOCATION).contains("__err"),
        "{} {}",
        reply.status,
        reply.body
    );
    let reply = app
        .call("/api/inventory/import", "upload=x", Some(&cookie))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(scalar(app.db(), "SELECT COUNT(*) FROM imports").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_inventory_imports_into_a_fresh_shop_as_the_same_products() {
    let from = common::app::start().await;
    let manager = from.sign_in(MANAGER).await;
    let file = "name,sku,unit,selling_price,tax_rate,tax_code,lower_limit,upper_limit,loose,quantity,unit_cost,expires_on\n\
                \"=Cola, \"\"diet\"\"\",C1,ml,45.5,18,2202,0.01,0.1,yes,0.3,250,2027-01-31\n\
                चाय पत्ती,,pcs,120,,,,,no,,,\n";
    let (upload, _) = preview(&from, &manager, file.as_bytes()).await;
    let done = from
        .post_form(
            "/api/inventory/import",
            &format!("upload={upload}"),
            "/inventory/import",
            Some(&manager),
        )
        .await;
    assert!(done.status.is_redirection());
    let exported = from.get("/inventory.csv", Some(&manager)).await;
    assert_eq!(exported.status, StatusCode::OK);

    let to = common::app::start().await;
    let manager_to = to.sign_in(MANAGER).await;
    sqlx::query("DELETE FROM products")
        .execute(to.db().pool_for_tests())
        .await
        .unwrap();
    let (upload, body) = preview(&to, &manager_to, exported.body.as_bytes()).await;
    assert!(body.contains("5 to create"), "{body}");
    let done = to
        .post_form(
            "/api/inventory/import",
            &format!("upload={upload}"),
            "/inventory/import",
            Some(&manager_to),
        )
        .await;
    assert!(done.status.is_redirection());
    let catalogue = |app: &App| {
        let pool = app.db().pool_for_tests().clone();
        async move {
            sqlx::query_as::<_, CatalogueRow>(
                "SELECT name, sku, unit, loose, quantity, selling_price, lower_limit, upper_limit, tax_rate_bp, tax_code, average_cost \
                 FROM products ORDER BY name",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let (a, b) = (catalogue(&from).await, catalogue(&to).await);
    assert_eq!(a, b);
    assert!(a.iter().any(|p| p.0 == "=Cola, \"diet\"" && p.4 == 300));
}
