//! At the counter: tax per product (kept on each bill line, refunded at the line's rate),
//! products found by barcode (the `Barcode` field without JavaScript, the `Product` field, the
//! inventory search), the 80 mm receipt, and shelf labels whose barcodes scan.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::app::{App, MANAGER, STAFF};
use common::{encode, line, numbered, scalar};
use sqlx::Row;
use stockroom::domain::bill::BillKind;
use stockroom::domain::bill_return::ReturnLine;
use stockroom::domain::product_form::ProductDraft;
use stockroom::domain::{Money, Name};
use stockroom::server::storage::audit::Actor;
use stockroom::server::storage::products::{self, NewProduct};
use stockroom::server::storage::returns::{self, ReturnInput};
use stockroom::server::storage::stock::{record, BillInput};
use stockroom::server::storage::Db;

const NOW: i64 = 1_768_471_200;

async fn actor(db: &Db) -> Actor {
    Actor {
        id: common::clerk(db, "till@shop.test").await,
        email: "till@shop.test".into(),
        client_addr: "127.0.0.1".into(),
    }
}

/// A product with its own tax rate and code (and a SKU), and one paying the shop's rate.
async fn catalogue(db: &Db) -> (i64, i64) {
    let new = |name, sku| NewProduct {
        name,
        sku,
        unit: "pcs",
        loose: false,
        selling_price: Money::from_minor(10_000),
        lower_limit: None,
        upper_limit: None,
    };
    let ghee = products::insert(db, &new("Ghee 1L", Some("8901")), 0)
        .await
        .unwrap();
    let salt = products::insert(db, &new("Salt", None), 0).await.unwrap();
    set_tax(db, ghee, Some(500), Some("0405")).await;
    (ghee, salt)
}

async fn set_tax(db: &Db, id: i64, rate: Option<u32>, code: Option<&str>) {
    let p = products::get(db, id).await.unwrap().unwrap();
    let change = ProductDraft {
        name: Name::parse(&p.name).unwrap(),
        selling_price: p.selling_price,
        lower_limit: None,
        upper_limit: None,
        loose: false,
        sku: None,
        unit: None,
        tax_rate_bp: Some(rate),
        tax_code: Some(code.map(str::to_owned)),
    };
    products::update(db, id, &change, 1).await.unwrap();
}

async fn trade(
    db: &Db,
    actor: &Actor,
    kind: BillKind,
    key: &str,
    lines: Vec<stockroom::domain::bill_form::Line>,
) -> i64 {
    let input = BillInput {
        kind,
        party: common::party("Asha"),
        lines: numbered(lines),
        // The shop's rate: 18 %.
        tax_rate_bp: 1_800,
        user_id: actor.id,
        key: key.into(),
        now: NOW,
    };
    record(db, &input).await.unwrap().bill_id()
}

/// Each line of `bill`: its rate, tax code and tax.
async fn line_taxes(db: &Db, bill: i64) -> Vec<(i64, Option<String>, i64)> {
    sqlx::query(
        "SELECT tax_rate_bp, tax_code, tax FROM bill_lines WHERE bill_id = $1 ORDER BY line_no",
    )
    .bind(bill)
    .fetch_all(db.pool_for_tests())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get::<i64, _>(0),
            r.get::<Option<String>, _>(1),
            r.get::<i64, _>(2),
        )
    })
    .collect()
}

on_both_backends! {
    async fn each_line_pays_its_products_rate_and_keeps_it_when_the_product_changes(t: TestDb) {
        let actor = actor(&t.db).await;
        let (ghee, _) = catalogue(&t.db).await;
        trade(&t.db, &actor, BillKind::Purchase, "p", vec![line("Ghee 1L", 10, 40_000, None), line("Salt", 10, 2_000, None)]).await;
        // 3 × ₹100 at 5 % = ₹15.00; 1 × ₹50.03 at the shop's 18 % = ₹9.0054 → ₹9.01.
        let sale = trade(&t.db, &actor, BillKind::Sale, "s", vec![line("Ghee 1L", 3, 10_000, None), line("Salt", 1, 5_003, None)]).await;
        assert_eq!(line_taxes(&t.db, sale).await, vec![(500, Some("0405".to_owned()), 1_500), (1_800, None, 901)]);
        assert_eq!(scalar(&t.db, &format!("SELECT tax FROM bills WHERE id = {sale}")).await, 1_500 + 901);
        // A later change to the product leaves the past bill as it was.
        set_tax(&t.db, ghee, Some(1_200), None).await;
        assert_eq!(line_taxes(&t.db, sale).await[0], (500, Some("0405".to_owned()), 1_500));
        let later = trade(&t.db, &actor, BillKind::Sale, "s2", vec![line("Ghee 1L", 1, 10_000, None)]).await;
        assert_eq!(line_taxes(&t.db, later).await, vec![(1_200, None, 1_200)]);
        // A return refunds at the line's own rate: one of three ghee back, a third of ₹15.
        let ghee_line = scalar(&t.db, &format!("SELECT id FROM bill_lines WHERE bill_id = {sale} AND line_no = 1")).await;
        let input = ReturnInput {
            original_bill_id: sale,
            lines: vec![ReturnLine { index: 0, line_id: ghee_line, quantity: stockroom::domain::measure::Typed::whole(1) }],
            reason: "Damaged".into(),
            key: "return:r".into(),
            now: NOW + 60,
        };
        let back = returns::record(&t.db, &input, &actor).await.unwrap().bill_id();
        assert_eq!(scalar(&t.db, &format!("SELECT tax FROM bills WHERE id = {back}")).await, 500);
        assert_eq!(line_taxes(&t.db, back).await, vec![(500, Some("0405".to_owned()), 500)]);
        common::assert_ledger_holds(&t.db).await;
    }

    async fn a_product_field_that_holds_a_barcode_names_that_product(t: TestDb) {
        let actor = actor(&t.db).await;
        catalogue(&t.db).await;
        trade(&t.db, &actor, BillKind::Purchase, "p", vec![line("8901", 5, 40_000, None)]).await;
        assert_eq!(scalar(&t.db, "SELECT quantity FROM products WHERE name = 'Ghee 1L'").await, 5);
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM products").await, 2, "no product named 8901");
        trade(&t.db, &actor, BillKind::Sale, "s", vec![line("8901", 2, 10_000, None)]).await;
        assert_eq!(scalar(&t.db, "SELECT quantity FROM products WHERE name = 'Ghee 1L'").await, 3);
    }

    async fn an_assigned_barcode_is_a_valid_in_store_ean13_and_never_replaces_a_code(t: TestDb) {
        let (ghee, salt) = catalogue(&t.db).await;
        let code = products::assign_barcode(&t.db, salt, 2).await.unwrap().unwrap();
        assert!(code.starts_with("200") && stockroom::domain::barcode::is_ean13(&code), "{code}");
        assert_eq!(products::get(&t.db, salt).await.unwrap().unwrap().sku, Some(code));
        assert_eq!(products::assign_barcode(&t.db, ghee, 3).await.unwrap(), None);
        assert_eq!(products::get(&t.db, ghee).await.unwrap().unwrap().sku.as_deref(), Some("8901"));
    }
}

/// A sale of `quantity` Basmati Rice (given the SKU `8901234567890`) on the test app.
async fn rice_for_sale(app: &App, quantity: i64) -> i64 {
    let id = app.product_id("Basmati Rice").await;
    sqlx::query("UPDATE products SET sku = '8901234567890' WHERE id = $1")
        .bind(id)
        .execute(app.db().pool_for_tests())
        .await
        .unwrap();
    let user = scalar(
        app.db(),
        "SELECT id FROM users WHERE email = 'manager@shop.test'",
    )
    .await;
    let input = |kind, key: &str, lines| BillInput {
        kind,
        party: common::party("Asha"),
        lines,
        tax_rate_bp: 0,
        user_id: user,
        key: key.into(),
        now: NOW,
    };
    record(
        app.db(),
        &input(
            BillKind::Purchase,
            "rp",
            numbered(vec![line("Basmati Rice", 20, 50_000, None)]),
        ),
    )
    .await
    .unwrap();
    record(
        app.db(),
        &input(
            BillKind::Sale,
            "rs",
            numbered(vec![line("Basmati Rice", quantity, 64_900, None)]),
        ),
    )
    .await
    .unwrap()
    .bill_id()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_scan_adds_the_product_and_a_second_scan_adds_one_more() {
    let app = common::app::start().await;
    rice_for_sale(&app, 1).await;
    let cookie = app.sign_in(STAFF).await;
    let first = app
        .get(
            &format!(
                "/sell?{}",
                encode(&[
                    ("party_name", "Asha"),
                    ("barcode", "8901234567890"),
                    ("scan", "1")
                ])
            ),
            Some(&cookie),
        )
        .await
        .body;
    assert!(
        first.contains(r#"value="Basmati Rice""#),
        "the scanned product fills a line"
    );
    assert!(
        first.contains(r#"value="1""#) && first.contains(r#"value="649.00""#),
        "one, at its selling price"
    );
    assert!(first.contains(r#"value="Asha""#), "what was typed stays");
    let second = app
        .get(
            &format!(
                "/sell?{}",
                encode(&[
                    ("party_name", "Asha"),
                    ("lines[0][product]", "Basmati Rice"),
                    ("lines[0][quantity]", "1"),
                    ("lines[0][amount]", "649.00"),
                    ("barcode", "8901234567890"),
                ])
            ),
            Some(&cookie),
        )
        .await
        .body;
    assert!(
        second.contains(r#"value="2""#),
        "the same code again: one more on that line"
    );
    assert_eq!(second.matches(r#"value="Basmati Rice""#).count(), 1);
    // The totals are the server's without JavaScript: 2 × ₹649.
    assert!(second.contains("₹1,298.00"), "the total is shown");
    let unknown = app
        .get("/sell?barcode=0000000000000", Some(&cookie))
        .await
        .body;
    assert!(unknown.contains("No product with barcode 0000000000000"));
    // Removing a line without JavaScript.
    let removed = app
        .get(
            &format!(
                "/sell?{}",
                encode(&[
                    ("lines[0][product]", "Salt"),
                    ("lines[1][product]", "Dal"),
                    ("remove", "0")
                ])
            ),
            Some(&cookie),
        )
        .await
        .body;
    assert!(!removed.contains(r#"value="Salt""#) && removed.contains(r#"value="Dal""#));
    for name in [
        ">Barcode</label>",
        ">Add by barcode</button>",
        ">Scan with camera</button>",
        "Remove line 1",
    ] {
        assert!(first.contains(name), "the sell page lacks {name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_the_inventory_for_a_barcode_opens_its_product() {
    let app = common::app::start().await;
    rice_for_sale(&app, 1).await;
    let cookie = app.sign_in(STAFF).await;
    let reply = app.get("/inventory?q=8901234567890", Some(&cookie)).await;
    let id = app.product_id("Basmati Rice").await;
    assert!(
        reply.status.is_redirection(),
        "{} {:?} {}",
        reply.status,
        reply.headers,
        &reply.body[reply.body.len().saturating_sub(3000)..]
    );
    assert_eq!(reply.header(header::LOCATION), format!("/inventory/{id}"));
    let part = app.get("/inventory?q=8901", Some(&cookie)).await;
    assert_eq!(part.status, StatusCode::OK, "only an exact code jumps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_is_an_80_mm_pdf_and_the_bill_page_shows_tax_per_rate() {
    let app = common::app::start().await;
    let sale = rice_for_sale(&app, 2).await;
    let cookie = app.sign_in(STAFF).await;
    let page = app.get(&format!("/bills/{sale}"), Some(&cookie)).await.body;
    assert!(
        page.contains(">Print receipt</a>") && page.contains("Tax (0%)"),
        "{page}"
    );
    let request = Request::get(format!("/bills/{sale}/receipt.pdf"))
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = app.send_raw(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    let text = String::from_utf8_lossy(&body);
    let media = text
        .split("/MediaBox")
        .nth(1)
        .expect("a page with a media box");
    let width: f32 = media
        .trim_start()
        .trim_start_matches('[')
        .split_whitespace()
        .nth(2)
        .and_then(|w| w.trim_end_matches(']').parse().ok())
        .expect("a width");
    assert!(
        (width - 226.77).abs() < 0.1,
        "80 mm is 226.77 pt, not {width}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_label_sheet_prints_barcodes_that_scan_back_to_the_sku() {
    let app = common::app::start().await;
    rice_for_sale(&app, 1).await;
    let cookie = app.sign_in(MANAGER).await;
    let id = app.product_id("Basmati Rice").await;
    let request = Request::get(format!("/labels.pdf?product={id}&copies=3"))
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    let (status, _, pdf) = app.send_raw(request).await;
    assert_eq!(status, StatusCode::OK);
    let dir = std::env::temp_dir().join(format!("stockroom-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("labels.pdf"), &pdf).unwrap();
    let run = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| {
                panic!("{program} is needed (scripts/setup.sh --test installs it): {e}")
            })
    };
    let render = run(
        "pdftoppm",
        &[
            "-r",
            "300",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "labels.pdf",
            "sheet",
        ],
    );
    assert!(
        render.status.success(),
        "{}",
        String::from_utf8_lossy(&render.stderr)
    );
    let image = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .expect("a rendered page");
    let scan = run("zbarimg", &["--quiet", "--raw", image.to_str().unwrap()]);
    let read = String::from_utf8_lossy(&scan.stdout);
    assert!(
        read.lines().any(|l| l.trim() == "8901234567890"),
        "the labels' barcodes scan back: {read:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    // Nothing chosen: no PDF.
    let none = Request::get("/labels.pdf?copies=2")
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send_raw(none).await.0, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_without_a_code_is_given_one_from_its_page() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let id = app.product_id("Toor Dal").await;
    let page = app
        .get(&format!("/inventory/{id}"), Some(&cookie))
        .await
        .body;
    for name in [
        ">Assign barcode</button>",
        ">Print labels</button>",
        ">Copies</label>",
        ">Tax rate</label>",
        ">Tax code</label>",
    ] {
        assert!(page.contains(name), "the product page lacks {name}");
    }
    let done = app
        .post_form(
            "/api/products/assign-barcode",
            &format!("id={id}"),
            &format!("/inventory/{id}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        done.header(header::LOCATION),
        format!("/inventory/{id}?barcode=1")
    );
    let sku: String = sqlx::query("SELECT sku FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(app.db().pool_for_tests())
        .await
        .unwrap()
        .get(0);
    assert!(stockroom::domain::barcode::is_ean13(&sku) && sku.starts_with("200"));
    // A bad tax rate is refused next to its field and changes nothing.
    let bad = app
        .post_form(
            "/api/products/update",
            &format!("id={id}&name=Toor+Dal&selling_price=160&tax_rate=101"),
            &format!("/inventory/{id}"),
            Some(&cookie),
        )
        .await;
    let back = app
        .get(bad.header(header::LOCATION), Some(&cookie))
        .await
        .body;
    assert!(back.contains("Enter a percentage from 0 to 100"), "{back}");
    assert_eq!(
        scalar(
            app.db(),
            &format!("SELECT COALESCE(tax_rate_bp, -1) FROM products WHERE id = {id}")
        )
        .await,
        -1
    );
}
