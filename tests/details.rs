//! The details a shopkeeper notices (issue 22), over HTTP without JavaScript: destructive
//! buttons ask first on a page of their own, prices not set read `Not set` and cannot be sold
//! blank, rows per page, the bills list's summary, password confirmation, signing out
//! everywhere, and the web app manifest.

mod common;

use axum::http::{header, StatusCode};
use common::app::{App, MANAGER, STAFF};
use stockroom::domain::bill::BillKind;
use stockroom::domain::bill_form::Line;
use stockroom::domain::ledger::Seek;
use stockroom::domain::{Email, Role};
use stockroom::server::storage::stock::{record, BillInput};
use stockroom::server::storage::users::{self, NewAccount};
use stockroom::server::storage::{history, sessions, Db};

async fn staff_id(app: &App) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
        .bind(STAFF.0)
        .fetch_one(app.db().pool_for_tests())
        .await
        .unwrap()
}

async fn count(app: &App, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(id)
        .fetch_one(app.db().pool_for_tests())
        .await
        .unwrap()
}

/// The page around the first `needle` (for a failing assertion's message).
fn around<'a>(body: &'a str, needle: &str) -> &'a str {
    let at = body.find(needle).unwrap_or(0);
    let start = body.floor_char_boundary(at.saturating_sub(300));
    let end = body.floor_char_boundary((at + 300).min(body.len()));
    &body[start..end]
}

/// The `<form …>` element that posts to `action`, if the page has one.
fn post_form_to(body: &str, action: &str) -> bool {
    body.contains(&format!(r#"action="{action}""#)) && body.contains(r#"method="post""#)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_product_asks_on_a_page_of_its_own_and_only_confirm_deletes() {
    let app = common::app::start().await;
    let manager = app.sign_in(MANAGER).await;
    let id = app.product_id("Toor Dal").await;
    let page = app.get(&format!("/inventory/{id}"), Some(&manager)).await;
    assert!(
        page.body.contains(">Delete product</button>"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(r#"action="/api/products/remove""#),
        "the product page itself never posts the delete"
    );
    assert!(page.body.contains(&format!(r#"action="/inventory/{id}""#)));
    assert!(page.body.contains(r#"name="confirm" value="delete""#));

    let ask = app
        .get(&format!("/inventory/{id}?confirm=delete"), Some(&manager))
        .await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("Delete Toor Dal?"), "{}", ask.body);
    assert!(post_form_to(&ask.body, "/api/products/remove"));
    assert!(ask.body.contains(">Confirm</button>"));
    assert!(
        ask.body.contains(&format!(
            r#"<a href="/inventory/{id}" class="button secondary">Cancel</a>"#
        )),
        "{}",
        around(&ask.body, "Cancel")
    );
    let products = "SELECT COUNT(*) FROM products WHERE id = $1";
    assert_eq!(count(&app, products, id).await, 1, "asking changes nothing");

    let done = app
        .post_form(
            "/api/products/remove",
            &format!("id={id}"),
            &format!("/inventory/{id}?confirm=delete"),
            Some(&manager),
        )
        .await;
    assert!(done.status.is_redirection(), "{}", done.status);
    assert_eq!(count(&app, products, id).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_asking_to_delete_a_product_get_no_confirm_form() {
    let app = common::app::start().await;
    let staff = app.sign_in(STAFF).await;
    let id = app.product_id("Toor Dal").await;
    let ask = app
        .get(&format!("/inventory/{id}?confirm=delete"), Some(&staff))
        .await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(!ask.body.contains(">Confirm</button>"));
    assert!(!ask.body.contains(">Delete product</button>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivate_and_delete_employee_ask_first_and_cancel_goes_back() {
    let app = common::app::start().await;
    let manager = app.sign_in(MANAGER).await;
    let id = staff_id(&app).await;
    let page = app.get(&format!("/employees/{id}"), Some(&manager)).await;
    for button in [">Deactivate</button>", ">Delete employee</button>"] {
        assert!(page.body.contains(button), "{button}: {}", page.body);
    }
    for action in ["/api/employees/deactivate", "/api/employees/delete"] {
        assert!(
            !page.body.contains(&format!(r#"action="{action}""#)),
            "{action} only on its confirmation page"
        );
    }
    for (what, action, question) in [
        (
            "deactivate",
            "/api/employees/deactivate",
            "Deactivate Test Person?",
        ),
        ("delete", "/api/employees/delete", "Delete Test Person?"),
    ] {
        let ask = app
            .get(&format!("/employees/{id}?confirm={what}"), Some(&manager))
            .await;
        assert_eq!(ask.status, StatusCode::OK);
        assert!(ask.body.contains(question), "{what}: {}", ask.body);
        assert!(post_form_to(&ask.body, action), "{what}");
        assert!(ask.body.contains(">Confirm</button>"));
        assert!(
            ask.body.contains(&format!(
                r#"<a href="/employees/{id}" class="button secondary">Cancel</a>"#
            )),
            "{}",
            around(&ask.body, "Cancel")
        );
    }
    let active = "SELECT COUNT(*) FROM users WHERE id = $1 AND active = 1";
    assert_eq!(count(&app, active, id).await, 1, "asking changes nothing");
    let done = app
        .post_form(
            "/api/employees/deactivate",
            &format!("id={id}"),
            &format!("/employees/{id}?confirm=deactivate"),
            Some(&manager),
        )
        .await;
    assert!(done.status.is_redirection());
    assert_eq!(count(&app, active, id).await, 0);
    let again = app
        .get(
            &format!("/employees/{id}?confirm=deactivate"),
            Some(&manager),
        )
        .await;
    assert!(
        !again.body.contains(">Confirm</button>"),
        "a deactivated person is not asked about again"
    );
}

async fn seller(db: &Db, email: &str) -> i64 {
    let email = Email::parse(email).unwrap();
    let account = NewAccount {
        email: &email,
        first_name: "Shop",
        last_name: "Person",
        role: Role::Manager,
        password_hash: "hash",
    };
    users::insert(db, &account, 0).await.unwrap()
}

fn purchase(user_id: i64, key: &str, names: &[&str]) -> BillInput {
    BillInput {
        kind: BillKind::Purchase,
        party: common::party("Ravi Traders"),
        lines: names
            .iter()
            .enumerate()
            .map(|(index, name)| Line {
                index,
                ..common::line(name, 5, 1_000, None)
            })
            .collect(),
        tax_rate_bp: 0,
        user_id,
        key: key.into(),
        now: 1_760_000_000,
    }
}

on_both_backends! {
    async fn the_bill_list_counts_items_and_names_the_first_two_in_one_page(t: TestDb) {
        let user = seller(&t.db, "owner@shop.test").await;
        let four = record(&t.db, &purchase(user, "key-four-lines-0001", &["Tea", "Sugar", "Atta", "Ghee"]))
            .await
            .unwrap()
            .bill_id();
        let one = record(&t.db, &purchase(user, "key-one-line-00001", &["Salt"]))
            .await
            .unwrap()
            .bill_id();
        let page = history::bills(&t.db, Seek::Newest, 25).await.unwrap();
        let row = |id: i64| page.rows.iter().find(|b| b.id == id).unwrap();
        assert_eq!(row(four).items, 4);
        assert_eq!(row(four).first_products, ["Tea", "Sugar"]);
        assert_eq!(row(four).contents(), "Tea, Sugar and 2 more");
        assert_eq!((row(one).items, row(one).contents()), (1, "Salt".to_owned()));
    }

    async fn a_purchase_names_the_products_it_created_and_no_others(t: TestDb) {
        let user = seller(&t.db, "owner@shop.test").await;
        let first = record(&t.db, &purchase(user, "key-first-buy-00001", &["Tea"]))
            .await
            .unwrap()
            .bill_id();
        let second = record(&t.db, &purchase(user, "key-second-buy-0001", &["Tea", "New Ghee"]))
            .await
            .unwrap()
            .bill_id();
        let names = |bill: stockroom::domain::bill::Bill| {
            bill.added.into_iter().map(|(_, name)| name).collect::<Vec<_>>()
        };
        let first = history::bill(&t.db, first).await.unwrap().unwrap();
        assert_eq!(names(first), ["Tea"]);
        let second = history::bill(&t.db, second).await.unwrap().unwrap();
        assert_eq!(names(second), ["New Ghee"], "Tea was bought before");
    }

    async fn signing_out_everywhere_ends_every_session_of_that_person_only(t: TestDb) {
        let me = seller(&t.db, "me@shop.test").await;
        let other = seller(&t.db, "other@shop.test").await;
        let far = 2_000_000_000;
        for (hash, user) in [("phone", me), ("laptop", me), ("theirs", other)] {
            sessions::create(&t.db, hash, user, 1_000, far).await.unwrap();
        }
        assert_eq!(sessions::delete_for_user(&t.db, me).await.unwrap(), 2);
        for hash in ["phone", "laptop"] {
            assert!(sessions::find(&t.db, hash, 1_001, 0).await.unwrap().is_none(), "{hash}");
        }
        assert!(sessions::find(&t.db, "theirs", 1_001, 0).await.unwrap().is_some());
    }
}

/// The one-time key the form page embeds.
async fn form_key(app: &App, page: &str, cookie: &str) -> String {
    common::key_after(&app.get(page, Some(cookie)).await.body, "<form")
}

/// Where a reply sends the browser, as a local path.
fn location(reply: &common::app::Reply) -> String {
    reply
        .header(header::LOCATION)
        .replace("http://localhost", "")
}

/// Buys 5 of a product no one has heard of; returns the bill's page.
async fn buy_new(app: &App, cookie: &str, name: &str) -> String {
    let key = form_key(app, "/buy", cookie).await;
    let body = common::encode(&[
        ("party_name", "Ravi Traders"),
        ("lines[0][product]", name),
        ("lines[0][quantity]", "5"),
        ("lines[0][amount]", "80"),
        ("key", &key),
    ]);
    let reply = app
        .post_form("/api/purchases", &body, "/buy", Some(cookie))
        .await;
    let bill = location(&reply);
    assert!(bill.starts_with("/bills/"), "{bill} {}", reply.body);
    bill
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_a_purchase_created_reads_not_set_and_its_bill_links_to_set_the_price() {
    let app = common::app::start().await;
    let manager = app.sign_in(MANAGER).await;
    let bill = buy_new(&app, &manager, "Loose Jaggery").await;
    let id = app.product_id("Loose Jaggery").await;
    let page = app.get(&bill, Some(&manager)).await;
    assert!(page.body.contains("Added Loose Jaggery"), "{}", page.body);
    assert!(page
        .body
        .contains(&format!(r#"<a href="/inventory/{id}">Set price</a>"#)));

    let list = app.get("/inventory?q=jaggery", Some(&manager)).await;
    assert!(list.body.contains("Not set"), "{}", list.body);
    assert!(!list.body.contains("₹0.00"));
    let product = app.get(&format!("/inventory/{id}"), Some(&manager)).await;
    assert!(
        product.body.contains("Selling price: Not set"),
        "{}",
        around(&product.body, "Selling price:")
    );
    assert!(product.body.contains(r#"placeholder="Not set""#));
    assert!(!product.body.contains(r#"value="0.00""#));

    let known = app.product_id("Toor Dal").await;
    let priced = app
        .get(&format!("/inventory/{known}"), Some(&manager))
        .await;
    assert!(priced.body.contains("Selling price: ₹160.00"));
    let again = buy_new(&app, &manager, "Toor Dal").await;
    let page = app.get(&again, Some(&manager)).await;
    assert!(
        !page.body.contains("Added Toor Dal"),
        "an old product is not new"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selling_a_product_without_a_price_at_a_blank_price_is_refused_with_a_link_to_it() {
    let app = common::app::start().await;
    let staff = app.sign_in(STAFF).await;
    buy_new(&app, &staff, "Loose Jaggery").await;
    let id = app.product_id("Loose Jaggery").await;
    let key = form_key(&app, "/sell", &staff).await;
    let sale = |amount: &str| {
        common::encode(&[
            ("party_name", "Asha"),
            ("lines[0][product]", "loose jaggery"),
            ("lines[0][quantity]", "1"),
            ("lines[0][amount]", amount),
            ("key", &key),
        ])
    };
    let reply = app
        .post_form("/api/sales", &sale(""), "/sell", Some(&staff))
        .await;
    let back = location(&reply);
    assert!(back.starts_with("/sell?"), "{back}");
    let page = app.get(&back, Some(&staff)).await;
    assert!(
        page.body.contains(
            "Loose Jaggery has no selling price yet: set it on its page, or type the price here"
        ),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!(
        r#"<a href="/inventory/{id}">Set the price of Loose Jaggery</a>"#
    )));
    let sales = "SELECT COUNT(*) FROM bills WHERE kind = 'sale' AND id > $1";
    assert_eq!(count(&app, sales, 0).await, 0, "nothing was sold");

    let typed = app
        .post_form("/api/sales", &sale("12.50"), "/sell", Some(&staff))
        .await;
    assert!(
        location(&typed).starts_with("/bills/"),
        "a typed price sells it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_per_page_offers_25_50_and_100_and_is_kept_in_the_address() {
    use stockroom::domain::Money;
    use stockroom::server::storage::products::{self, NewProduct};
    let app = common::app::start().await;
    for n in 0..30 {
        let name = format!("Spice {n:02}");
        let product = NewProduct {
            name: &name,
            sku: None,
            unit: "pcs",
            loose: false,
            selling_price: Money::from_minor(1_000),
            lower_limit: None,
            upper_limit: None,
        };
        products::insert(app.db(), &product, 0).await.unwrap();
    }
    let manager = app.sign_in(MANAGER).await;
    let shown = |body: &str| body.matches(r#"id="pick-"#).count();
    let page = app.get("/inventory", Some(&manager)).await;
    assert_eq!(shown(&page.body), 25);
    for n in [25, 50, 100] {
        assert!(
            page.body.contains(&format!(r#"<option value="{n}""#)),
            "{n}"
        );
    }
    assert!(page.body.contains(r#"<label for="rows">Rows</label>"#));
    let fifty = app.get("/inventory?rows=50", Some(&manager)).await;
    assert_eq!(shown(&fifty.body), 33);
    assert!(fifty.body.contains(r#"<option value="50" selected"#));
    let sorted = app
        .get("/inventory?rows=50&sort=name_desc", Some(&manager))
        .await;
    assert!(
        sorted.body.contains(r#"href="/inventory?rows=50""#)
            && sorted.body.contains("/inventory?sort=quantity&amp;rows=50"),
        "sorting keeps the rows: {}",
        sorted.body
    );
    let junk = app.get("/inventory?rows=100000", Some(&manager)).await;
    assert_eq!(shown(&junk.body), 25, "only the offered sizes");

    for list in ["/bills", "/transactions"] {
        let page = app.get(&format!("{list}?rows=100"), Some(&manager)).await;
        assert_eq!(page.status, StatusCode::OK, "{list}");
        assert!(
            page.body.contains(r#"<option value="100" selected"#),
            "{list}"
        );
        assert!(page.body.contains(&format!(r#"action="{list}""#)), "{list}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bill_in_the_list_shows_its_items_and_a_download_invoice_link() {
    let app = common::app::start().await;
    let staff = app.sign_in(STAFF).await;
    let bill = buy_new(&app, &staff, "Loose Jaggery").await;
    let list = app.get("/bills", Some(&staff)).await;
    assert!(list.body.contains(">Items</th>"));
    assert!(list.body.contains("1 item"));
    assert!(list.body.contains("Loose Jaggery"));
    assert!(
        list.body.contains(&format!(
            r#"<a href="{bill}/invoice.pdf">Download invoice</a>"#
        )),
        "{}",
        list.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_password_typed_differently_twice_is_refused_next_to_confirm_password() {
    let app = common::app::start().await;
    let manager = app.sign_in(MANAGER).await;
    let form = app.get("/employees/new", Some(&manager)).await;
    assert!(form
        .body
        .contains(r#"<label for="confirm_password">Confirm password</label>"#));
    let body = common::encode(&[
        ("first_name", "Meena"),
        ("last_name", "Iyer"),
        ("email", "meena@shop.test"),
        ("age", "31"),
        ("gender", "female"),
        ("password", "saffron-lantern-river-7"),
        ("confirm_password", "saffron-lantern-river-8"),
        ("role", "staff"),
    ]);
    let reply = app
        .post_form(
            "/api/employees/create",
            &body,
            "/employees/new",
            Some(&manager),
        )
        .await;
    let back = location(&reply);
    assert!(back.starts_with("/employees/new?"), "{back}");
    let page = app.get(&back, Some(&manager)).await;
    assert!(
        page.body.contains(
            r#"id="confirm_password-error" class="field-error">The two passwords are not the same"#
        ),
        "{}",
        around(&page.body, "field-error")
    );
    let people = "SELECT COUNT(*) FROM users WHERE id > $1 AND email = 'meena@shop.test'";
    assert_eq!(count(&app, people, 0).await, 0);

    let id = staff_id(&app).await;
    let reset = common::encode(&[
        ("id", &id.to_string()),
        ("new_password", "saffron-lantern-river-7"),
        ("confirm_password", "saffron-lantern-river"),
    ]);
    let reply = app
        .post_form(
            "/api/employees/password",
            &reset,
            &format!("/employees/{id}"),
            Some(&manager),
        )
        .await;
    let page = app.get(&location(&reply), Some(&manager)).await;
    assert!(
        page.body.contains("The two passwords are not the same"),
        "{}",
        page.body
    );
    app.sign_in(STAFF).await; // the old password still works
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_password_is_only_offered_once_the_login_page_has_hydrated() {
    let app = common::app::start().await;
    let page = app.get("/login", None).await;
    assert!(page
        .body
        .contains(r#"<label for="password">Password</label>"#));
    assert!(page.body.contains(r#"type="password""#));
    assert!(
        page.body.contains("<leptos-island"),
        "the field is an island"
    );
    assert!(
        !page.body.contains("Show password"),
        "without JavaScript there is no checkbox that could not work"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_everywhere_ends_every_session_of_this_person_and_no_one_elses() {
    let app = common::app::start().await;
    let phone = app.sign_in(MANAGER).await;
    let laptop = app.sign_in(MANAGER).await;
    let staff = app.sign_in(STAFF).await;
    let profile = app.get("/profile", Some(&laptop)).await;
    assert!(profile.body.contains(">Sign out everywhere</button>"));
    assert!(post_form_to(
        &profile.body,
        "/api/profile/sign-out-everywhere"
    ));
    let reply = app
        .post_form(
            "/api/profile/sign-out-everywhere",
            "",
            "/profile",
            Some(&laptop),
        )
        .await;
    assert_eq!(location(&reply), "/login");
    assert!(
        reply.header(header::SET_COOKIE).contains("Max-Age=0"),
        "{:?}",
        reply.headers
    );
    for cookie in [&phone, &laptop] {
        let page = app.get("/inventory", Some(cookie)).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "signed out");
    }
    assert_eq!(
        app.get("/inventory", Some(&staff)).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_is_served_to_anyone_with_its_type_a_long_cache_and_real_icons() {
    let app = common::app::start().await;
    let reply = app.get("/manifest.webmanifest", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "application/manifest+json"
    );
    assert!(reply
        .header(header::CACHE_CONTROL)
        .contains("max-age=604800"));
    let manifest: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(manifest["name"], "Stockroom");
    assert!(manifest["short_name"].is_string());
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["theme_color"], "#0b6e4f");
    let icons = manifest["icons"].as_array().unwrap();
    for (size, purpose) in [
        (192, "any"),
        (512, "any"),
        (192, "maskable"),
        (512, "maskable"),
    ] {
        let icon = icons
            .iter()
            .find(|i| i["sizes"] == format!("{size}x{size}") && i["purpose"] == purpose)
            .unwrap_or_else(|| panic!("no {size} px {purpose} icon"));
        let src = icon["src"].as_str().unwrap();
        let request = axum::http::Request::get(src)
            .header(header::HOST, "localhost")
            .body(axum::body::Body::empty())
            .unwrap();
        let (status, headers, png) = app.send_raw(request).await;
        assert_eq!(status, StatusCode::OK, "{src}");
        assert_eq!(headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{src}");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (size, size), "{src}");
    }
    let page = app.get("/login", None).await;
    assert!(page
        .body
        .contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#));
    assert!(page
        .body
        .contains(r##"<meta name="theme-color" content="#0b6e4f">"##));
    assert_eq!(
        app.get("/icons/nope.png", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_employees_list_shows_gender_and_age() {
    let app = common::app::start().await;
    let manager = app.sign_in(MANAGER).await;
    let body = common::encode(&[
        ("first_name", "Meena"),
        ("last_name", "Iyer"),
        ("email", "meena@shop.test"),
        ("age", "31"),
        ("gender", "female"),
        ("password", "saffron-lantern-river-7"),
        ("confirm_password", "saffron-lantern-river-7"),
        ("role", "staff"),
    ]);
    let reply = app
        .post_form(
            "/api/employees/create",
            &body,
            "/employees/new",
            Some(&manager),
        )
        .await;
    assert!(
        location(&reply).starts_with("/employees?created="),
        "{}",
        reply.body
    );
    let list = app.get("/employees", Some(&manager)).await;
    for header in [">Gender</th>", ">Age</th>"] {
        assert!(list.body.contains(header), "{header}");
    }
    let row = list.body.split("meena@shop.test").nth(1).unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("Female") && row.contains(">31<"), "{row}");
}
