//! The books over HTTP, as a browser without JavaScript drives them: buy, sell, oversell, the
//! bill page and invoice, the ledger history and the expiry list.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::app::{App, MANAGER, STAFF};

/// The one-time key the form page embeds.
async fn form_key(app: &App, page: &str, cookie: &str) -> String {
    let html = app.get(page, Some(cookie)).await.body;
    let start = html
        .find(r#"name="key" value=""#)
        .expect("the form carries a key")
        + r#"name="key" value=""#.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", common::urlencode(k), common::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn buy(app: &App, cookie: &str, lines: &[(&str, &str, &str, &str)]) -> (StatusCode, String) {
    let key = form_key(app, "/buy", cookie).await;
    let mut pairs = vec![
        ("party_name", "Ravi Traders"),
        ("party_phone", "98450 12345"),
        ("key", key.as_str()),
    ];
    let names: Vec<[String; 4]> = (0..lines.len())
        .map(|i| {
            ["product", "quantity", "amount", "expires_on"].map(|p| format!("lines[{i}][{p}]"))
        })
        .collect();
    for (i, (product, quantity, cost, expiry)) in lines.iter().enumerate() {
        for (name, value) in names[i].iter().zip([product, quantity, cost, expiry]) {
            pairs.push((name.as_str(), value));
        }
    }
    let reply = app
        .post_form("/api/purchases", &encode(&pairs), "/buy", Some(cookie))
        .await;
    (reply.status, reply.header(header::LOCATION).to_owned())
}

async fn sell(
    app: &App,
    cookie: &str,
    product: &str,
    quantity: &str,
    price: &str,
    key: &str,
) -> (StatusCode, String) {
    let pairs = [
        ("party_name", "Asha"),
        ("lines[0][product]", product),
        ("lines[0][quantity]", quantity),
        ("lines[0][amount]", price),
        ("key", key),
    ];
    let reply = app
        .post_form("/api/sales", &encode(&pairs), "/sell", Some(cookie))
        .await;
    (reply.status, reply.header(header::LOCATION).to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_and_a_sale_land_on_their_bills_and_in_the_books() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let (status, location) = buy(
        &app,
        &cookie,
        &[
            ("Paneer 200g", "10", "80", "2099-01-01"),
            ("Jaggery", "5", "60.50", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(location.starts_with("/bills/"), "{location}");
    let bill = app.get(&location, Some(&cookie)).await;
    for needle in [
        "Purchase P-",
        "Ravi Traders",
        "Paneer 200g",
        "₹800.00",
        "₹1,102.50",
        "Download invoice",
    ] {
        assert!(bill.body.contains(needle), "bill page lacks {needle}");
    }
    // The average cost is for managers (PRODUCT.md, "Who sees costs"); staff see the quantity.
    let manager = app.sign_in(MANAGER).await;
    let inventory = app.get("/inventory?q=paneer", Some(&manager)).await.body;
    assert!(
        inventory.contains("10 pcs") && inventory.contains("₹80.00"),
        "quantity and average cost"
    );
    let theirs = app.get("/inventory?q=paneer", Some(&cookie)).await.body;
    assert!(
        theirs.contains("10 pcs") && !theirs.contains("₹80.00") && !theirs.contains("Cost price")
    );

    let key = form_key(&app, "/sell", &cookie).await;
    let (status, location) = sell(&app, &cookie, "paneer 200G", "4", "95", &key).await;
    assert_eq!(status, StatusCode::FOUND);
    // The same key again (a double click, the back button) shows the same bill and sells nothing more.
    let (_, again) = sell(&app, &cookie, "paneer 200G", "4", "95", &key).await;
    assert_eq!(again, location);
    assert!(app
        .get("/inventory?q=paneer", Some(&cookie))
        .await
        .body
        .contains("6 pcs"));

    let history = app
        .get("/transactions?product=paneer", Some(&cookie))
        .await
        .body;
    assert!(
        history.contains("+10 pcs") && history.contains("-4 pcs"),
        "{history}"
    );
    let sales_only = app.get("/transactions?kind=sale", Some(&cookie)).await.body;
    assert!(!sales_only.contains("Jaggery"));
    let bills = app.get("/bills", Some(&cookie)).await.body;
    for header in [">Bill<", ">Date<", ">Party<", ">Kind<", ">Total<"] {
        assert!(bills.contains(header), "bill list lacks {header}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversell_comes_back_to_the_form_with_what_was_typed_and_changes_nothing() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    buy(&app, &cookie, &[("Ghee 1L", "2", "550", "")]).await;
    let key = form_key(&app, "/sell", &cookie).await;
    let (status, location) = sell(&app, &cookie, "Ghee 1L", "3", "600", &key).await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(location.starts_with("/sell?"), "{location}");
    let page = app.get(&location, Some(&cookie)).await.body;
    assert!(
        page.contains("Not enough stock of Ghee 1L: 2 pcs available"),
        "{page}"
    );
    assert!(
        page.contains(r#"value="Ghee 1L""#),
        "the typed product is still there"
    );
    assert!(app
        .get("/inventory?q=ghee", Some(&cookie))
        .await
        .body
        .contains("2 pcs"));
    assert_eq!(
        app.get("/bills", Some(&cookie))
            .await
            .body
            .matches("S-0")
            .count(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_422_for_scripts_with_every_field_named() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let long = "x".repeat(10_000);
    let form = encode(&[
        ("party_name", ""),
        ("lines[0][product]", &long),
        ("lines[0][quantity]", "-5"),
        ("lines[0][amount]", "abc"),
        ("lines[0][expires_on]", "2026-02-30"),
        ("key", "short"),
    ]);
    let reply = app.call("/api/purchases", &form, Some(&cookie)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    for field in [
        "party_name",
        "lines[0][product]",
        "lines[0][quantity]",
        "lines[0][amount]",
        "lines[0][expires_on]",
    ] {
        assert!(
            reply.body.contains(field),
            "no message for {field}: {}",
            reply.body
        );
    }
    assert_eq!(
        app.get("/bills", Some(&cookie))
            .await
            .body
            .matches("P-0")
            .count(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_line_without_javascript_keeps_what_was_typed() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let page = app
        .get(
            "/buy?rows=4&party_name=Ravi&lines%5B0%5D%5Bproduct%5D=Salt",
            Some(&cookie),
        )
        .await
        .body;
    assert_eq!(page.matches(">Product</label>").count(), 4);
    assert!(page.contains(r#"value="Ravi""#) && page.contains(r#"value="Salt""#));
    for name in [
        ">Supplier</label>",
        ">Phone</label>",
        ">Address</label>",
        ">Quantity</label>",
        ">Unit cost</label>",
        ">Expiry date</label>",
        ">Add line</button>",
        ">Record purchase</button>",
    ] {
        assert!(page.contains(name), "buy page lacks {name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lots_expiring_soon_are_listed_and_counted_in_the_navigation() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    // The app under test runs in UTC (tests/common/app.rs).
    let today = stockroom::domain::calendar::Zone::day_of(
        &stockroom::server::zone::ShopZone::utc(),
        stockroom::server::clock::Clock::system().now(),
    );
    let soon = today.plus_days(2).unwrap().to_string();
    let later = today.plus_days(400).unwrap().to_string();
    buy(
        &app,
        &cookie,
        &[
            ("Curd 400g", "6", "35", &soon),
            ("Rice 1kg", "10", "60", &later),
        ],
    )
    .await;
    let page = app.get("/expiry", Some(&cookie)).await.body;
    assert!(
        page.contains("Curd 400g") && !page.contains("Rice 1kg"),
        "{page}"
    );
    for header in [
        ">Product<",
        ">Quantity<",
        ">Expires<",
        ">Days left<",
        ">Days</label>",
    ] {
        assert!(page.contains(header), "expiry page lacks {header}");
    }
    assert!(page.contains("1 lots expiring within 3 days"));
    let wider = app.get("/expiry?days=500", Some(&cookie)).await.body;
    assert!(wider.contains("Rice 1kg"));
    let refused = app.get("/expiry?days=100000", Some(&cookie)).await.body;
    assert!(
        refused.contains("Choose between 0 and 3650 days"),
        "an absurd window is refused with a reason"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_cannot_remove_products_and_managers_archive_those_with_history() {
    let app = common::app::start().await;
    let staff = app.sign_in(STAFF).await;
    buy(&app, &staff, &[("Soap", "1", "30", "")]).await;
    let id = app.product_id("Soap").await;
    assert_eq!(
        app.call("/api/products/remove", &format!("id={id}"), Some(&staff))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let manager = app.sign_in(MANAGER).await;
    assert_eq!(
        app.call("/api/products/remove", &format!("id={id}"), Some(&manager))
            .await
            .status,
        StatusCode::OK
    );
    assert!(
        !app.get("/inventory", Some(&manager))
            .await
            .body
            .contains("Soap"),
        "archived products leave the list"
    );
    assert_eq!(
        app.get(&format!("/inventory/{id}"), Some(&manager))
            .await
            .status,
        StatusCode::OK,
        "but stay in the books"
    );
    let fresh = app.product_id("Toor Dal").await;
    assert_eq!(
        app.call(
            "/api/products/remove",
            &format!("id={fresh}"),
            Some(&manager)
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/inventory/{fresh}"), Some(&manager))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_is_edited_with_messages_next_to_bad_fields() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let id = app.product_id("Toor Dal").await;
    let page = app
        .get(&format!("/inventory/{id}"), Some(&cookie))
        .await
        .body;
    for name in [
        ">Name</label>",
        ">Selling price</label>",
        ">Lower limit</label>",
        ">Upper limit</label>",
        ">Loose</label>",
        ">Save</button>",
    ] {
        assert!(page.contains(name), "product page lacks {name}");
    }
    assert!(
        !page.contains(">Delete product</button>"),
        "staff see no delete button"
    );
    let bad = app
        .call(
            "/api/products/update",
            &format!("id={id}&name=Basmati+Rice&selling_price=1.234&lower_limit=-1"),
            Some(&cookie),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let taken = app
        .call(
            "/api/products/update",
            &format!("id={id}&name=basmati+rice&selling_price=1"),
            Some(&cookie),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let ok = app
        .call(
            "/api/products/update",
            &format!(
                "id={id}&name=Toor+Dal+1kg&selling_price=175&lower_limit=5&upper_limit=50&loose=on"
            ),
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(app
        .get("/inventory", Some(&cookie))
        .await
        .body
        .contains("Toor Dal 1kg"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invoice_is_a_real_pdf_for_signed_in_users_only() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    let (_, location) = buy(&app, &cookie, &[("चाय मसाला 50g", "3", "45", "")]).await;
    let path = format!("{location}/invoice.pdf");
    let request = Request::get(&path)
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let reply = app.send_raw(request).await;
    assert_eq!(reply.0, StatusCode::OK);
    assert_eq!(
        reply.1.get(header::CONTENT_TYPE).unwrap(),
        "application/pdf"
    );
    assert!(reply.2.starts_with(b"%PDF"));
    assert_eq!(
        app.get(&path, None).await.status,
        StatusCode::SEE_OTHER,
        "signed out: sent to sign in"
    );
    assert_eq!(
        app.get("/bills/999999/invoice.pdf", Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
