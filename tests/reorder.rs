//! The reorder list on both databases against a shop worked out by hand (the window, sale
//! returns, archived products, the supplier filter, the cap), and over HTTP without JavaScript:
//! `/reorder` lists what to order and `Create purchase` lands on `/buy` with the lines filled.

mod common;

use common::app::{App, STAFF};
use common::{encode, give_back, line};
use stockroom::domain::bill::BillKind;
use stockroom::domain::bill_form::Line;
use stockroom::domain::reorder::ReorderRow;
use stockroom::domain::Money;
use stockroom::server::storage::products::{self, NewProduct};
use stockroom::server::storage::reorder::{list, ReorderQuery};
use stockroom::server::storage::Db;

/// 2026-01-15 10:00 UTC.
const NOW: i64 = 1_768_471_200;
const DAY: i64 = 86_400;

async fn bill(db: &Db, kind: BillKind, party: &str, key: &str, at: i64, lines: Vec<Line>) -> i64 {
    common::bill(db, kind, common::party(party), key, at, lines).await
}

async fn add_product(db: &Db, name: &str, unit: &str, lower: Option<i64>, upper: Option<i64>) {
    let product = NewProduct {
        name,
        sku: None,
        unit,
        // Kept and typed in whole grams (not loose: loose goods are typed in kg, see
        // tests/loose.rs), so the projections below read in grams.
        loose: false,
        selling_price: Money::from_minor(1_000),
        lower_limit: lower,
        upper_limit: upper,
    };
    products::insert(db, &product, 0).await.unwrap();
}

/// The shop of the storage tests, at [`NOW`]:
/// - Toor Dal (lower 5, upper 20): 30 bought from Ravi Traders, 26 sold ten days ago: 4 left,
///   26 in 28 days, 4 × 28 / 26 = 4 days left; order 20 − 4 = 16.
/// - Basmati Rice (grams, no limits): 20 kg from Ravi Traders, 2 kg later from Asha Wholesale;
///   15 kg sold before the window, 6 kg in it of which 1 kg came back: 2 kg left, 5 kg net in
///   28 days, 2000 × 28 / 5000 = 11 days left (listed from 11 days; 10 would list it only if
///   the return were ignored); order 5000 − 2000 = 3000 g.
/// - Salt (lower 5): 3 bought from Ravi Traders, never sold: at its limit, order 5 − 3 = 2.
/// - Tea (lower 10): 50 left, 10 sold in the window: 140 days left, not listed.
/// - Oil (no limits): 1 left, its sale 29 days ago is outside the window: not listed.
/// - Soap (lower 5): 1 left, but archived: not listed.
async fn seed(db: &Db) {
    common::clerk(db, "clerk@shop.test").await;
    add_product(db, "Toor Dal", "pcs", Some(5), Some(20)).await;
    add_product(db, "Basmati Rice", "g", None, None).await;
    add_product(db, "Salt", "pcs", Some(5), None).await;
    add_product(db, "Tea", "pcs", Some(10), None).await;
    add_product(db, "Soap", "pcs", Some(5), None).await;
    let old = NOW - 60 * DAY;
    bill(
        db,
        BillKind::Purchase,
        "Ravi Traders",
        "p1",
        old,
        vec![
            line("Toor Dal", 30, 8_000, None),
            line("Basmati Rice", 20_000, 10, None),
            line("Salt", 3, 2_000, None),
            line("Tea", 60, 500, None),
            line("Oil", 10, 15_000, None),
            line("Soap", 1, 3_000, None),
        ],
    )
    .await;
    bill(
        db,
        BillKind::Purchase,
        "Asha Wholesale",
        "p2",
        NOW - 30 * DAY,
        vec![line("Basmati Rice", 2_000, 11, None)],
    )
    .await;
    bill(
        db,
        BillKind::Sale,
        "Walk-in",
        "s1",
        NOW - 50 * DAY,
        vec![line("Basmati Rice", 15_000, 20, None)],
    )
    .await;
    bill(
        db,
        BillKind::Sale,
        "Walk-in",
        "s2",
        NOW - 29 * DAY,
        vec![line("Oil", 9, 20_000, None)],
    )
    .await;
    bill(
        db,
        BillKind::Sale,
        "Walk-in",
        "s3",
        NOW - 10 * DAY,
        vec![
            line("Toor Dal", 26, 10_000, None),
            line("Tea", 10, 800, None),
        ],
    )
    .await;
    let rice_sale = bill(
        db,
        BillKind::Sale,
        "Walk-in",
        "s4",
        NOW - 5 * DAY,
        vec![line("Basmati Rice", 6_000, 20, None)],
    )
    .await;
    give_back(db, rice_sale, 1_000, "r1", NOW - 4 * DAY).await;
    sqlx::query("UPDATE products SET archived = 1 WHERE name = 'Soap'")
        .execute(db.pool_for_tests())
        .await
        .unwrap();
}

async fn reorder(db: &Db, days: i64, supplier: Option<&str>, limit: i64) -> (Vec<ReorderRow>, i64) {
    let query = ReorderQuery {
        now: NOW,
        days,
        supplier: supplier.map(str::to_owned),
        limit,
    };
    let found = list(db, &query).await.unwrap();
    (found.rows, found.total)
}

/// (product, on hand, lower limit, days left, suggested order, last supplier)
type Seen = (String, i64, Option<i64>, Option<i64>, i64, Option<String>);

fn seen(rows: &[ReorderRow]) -> Vec<Seen> {
    rows.iter()
        .map(|r| {
            (
                r.product.clone(),
                r.on_hand,
                r.lower_limit,
                r.days_left,
                r.suggested,
                r.last_supplier.clone(),
            )
        })
        .collect()
}

fn row(
    product: &str,
    on_hand: i64,
    lower: Option<i64>,
    left: Option<i64>,
    order: i64,
    supplier: &str,
) -> Seen {
    (
        product.into(),
        on_hand,
        lower,
        left,
        order,
        Some(supplier.into()),
    )
}

on_both_backends! {
    async fn the_reorder_list_matches_the_one_worked_out_by_hand(t: TestDb) {
        seed(&t.db).await;
        let dal = row("Toor Dal", 4, Some(5), Some(4), 16, "Ravi Traders");
        let rice = row("Basmati Rice", 2_000, None, Some(11), 3_000, "Asha Wholesale");
        let salt = row("Salt", 3, Some(5), None, 2, "Ravi Traders");
        let (week, total) = reorder(&t.db, 7, None, 100).await;
        assert_eq!(seen(&week), vec![dal.clone(), salt.clone()]);
        assert_eq!(total, 2);
        assert_eq!(seen(&reorder(&t.db, 10, None, 100).await.0), vec![dal.clone(), salt.clone()],
                   "the returned kilo of rice is not a sale");
        let (fortnight, total) = reorder(&t.db, 14, None, 100).await;
        assert_eq!(seen(&fortnight), vec![dal.clone(), rice.clone(), salt.clone()]);
        assert_eq!(total, 3);
        assert_eq!(seen(&reorder(&t.db, 0, None, 100).await.0), vec![dal.clone(), salt.clone()],
                   "at the lower limit is listed whatever the window");
    }

    async fn the_list_is_filtered_by_last_supplier_and_capped_with_its_total(t: TestDb) {
        seed(&t.db).await;
        let (asha, total) = reorder(&t.db, 14, Some(" asha WHOLESALE "), 100).await;
        assert_eq!(seen(&asha), vec![row("Basmati Rice", 2_000, None, Some(11), 3_000, "Asha Wholesale")]);
        assert_eq!(total, 1);
        let ravi: Vec<String> = reorder(&t.db, 14, Some("Ravi Traders"), 100).await.0.into_iter().map(|r| r.product).collect();
        assert_eq!(ravi, ["Toor Dal", "Salt"]);
        let spaced: Vec<String> = reorder(&t.db, 14, Some("  RAVI   traders "), 100).await.0.into_iter().map(|r| r.product).collect();
        assert_eq!(spaced, ["Toor Dal", "Salt"], "matched as parties are: case and spacing ignored");
        assert!(reorder(&t.db, 14, Some("Nobody"), 100).await.0.is_empty());
        let (first, total) = reorder(&t.db, 14, None, 1).await;
        assert_eq!((seen(&first), total), (vec![row("Toor Dal", 4, Some(5), Some(4), 16, "Ravi Traders")], 3));
    }

    async fn a_long_list_shows_its_first_page_and_counts_up_to_the_cap(t: TestDb) {
        common::clerk(&t.db, "clerk@shop.test").await;
        // 1,005 products at their limit that never sold: the list's last part, by name.
        let mut tx = t.db.pool_for_tests().begin().await.unwrap();
        for i in 0..1_005 {
            sqlx::query("INSERT INTO products (name, name_key, lower_limit, created_at, updated_at) VALUES ($1, $2, 5, 0, 0)")
                .bind(format!("Item {i:04}")).bind(format!("item {i:04}"))
                .execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        let (rows, total) = reorder(&t.db, 7, None, 100).await;
        assert_eq!(total, 1_001, "counted up to the cap and one more");
        assert_eq!(stockroom::domain::reorder::ReorderList { rows: rows.clone(), total }.total_text(), "1,000+");
        let names: Vec<String> = rows.into_iter().map(|r| r.product).collect();
        let expected: Vec<String> = (0..100).map(|i| format!("Item {i:04}")).collect();
        assert_eq!(names, expected);
    }

    async fn a_purchase_that_fills_the_shelf_takes_the_product_off_the_list(t: TestDb) {
        seed(&t.db).await;
        bill(&t.db, BillKind::Purchase, "Asha Wholesale", "p3", NOW - 60, vec![line("Toor Dal", 16, 8_000, None)]).await;
        let products: Vec<String> = reorder(&t.db, 7, None, 100).await.0.into_iter().map(|r| r.product).collect();
        assert_eq!(products, ["Salt"], "20 on hand sell out in 21 days");
        let (month, _) = reorder(&t.db, 30, None, 100).await;
        let dal: Vec<ReorderRow> = month.into_iter().filter(|r| r.product == "Toor Dal").collect();
        assert_eq!(seen(&dal), vec![row("Toor Dal", 20, Some(5), Some(21), 0, "Asha Wholesale")],
                   "the latest purchase names the supplier; full to the upper limit, order nothing");
    }
}

/// The `name`/`value` pairs a browser sends for the form holding `marker`, with only the
/// checkboxes whose value is in `ticked` (attributes as this app renders them: `name` before
/// `value`).
fn submitted(html: &str, marker: &str, ticked: &[&str]) -> Vec<(String, String)> {
    let end = html.find(marker).expect("the form is on the page");
    let start = html[..end].rfind("<form").expect("inside a form");
    let attr = |tag: &str, name: &str| {
        let needle = format!(r#" {name}=""#);
        tag.find(&needle).map(|i| {
            let rest = &tag[i + needle.len()..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
    };
    html[start..end]
        .split("<input")
        .skip(1)
        .filter_map(|tag| {
            let tag = &tag[..tag.find('>').unwrap()];
            let (name, value) = (attr(tag, "name")?, attr(tag, "value").unwrap_or_default());
            let checkbox = attr(tag, "type").as_deref() == Some("checkbox");
            (!checkbox || ticked.contains(&value.as_str())).then_some((name, value))
        })
        .collect()
}

/// The value of the input named `name` in `html` (empty when it has none), if there is one.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!(r#"name="{name}""#))?;
    let start = html[..at].rfind("<input")?;
    let tag = &html[start..start + html[start..].find('>')?];
    Some(tag.find(r#" value=""#).map_or_else(String::new, |i| {
        let rest = &tag[i + r#" value=""#.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }))
}

async fn buy_dal(app: &App, cookie: &str) {
    let html = app.get("/buy", Some(cookie)).await.body;
    let key = common::key_after(&html, "<form");
    let body = encode(&[
        ("party_name", "Ravi Traders"),
        ("lines[0][product]", "Toor Dal"),
        ("lines[0][quantity]", "2"),
        ("lines[0][amount]", "80.00"),
        ("key", &key),
    ]);
    let reply = app
        .post_form("/api/purchases", &body, "/buy", Some(cookie))
        .await;
    assert!(reply.status.is_redirection(), "{}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_create_purchase_lands_on_the_purchase_form_filled() {
    let app = common::app::start().await;
    let cookie = app.sign_in(STAFF).await;
    buy_dal(&app, &cookie).await;
    // The test shop's three products have a lower limit of 5 and no upper limit; nothing sold.
    let page = app.get("/reorder", Some(&cookie)).await.body;
    for name in [
        ">Days</label>",
        ">Product<",
        ">On hand<",
        ">Lower limit<",
        ">Days left<",
        ">Suggested order<",
        ">Last supplier<",
        ">Create purchase</button>",
        r#"href="/reorder""#,
    ] {
        assert!(page.contains(name), "reorder page lacks {name}");
    }
    assert!(page.contains(r#"aria-label="Order Toor Dal""#));
    let picked = submitted(&page, "Create purchase", &["Toor Dal"]);
    assert!(
        picked
            .iter()
            .any(|(n, v)| n.ends_with("[quantity]") && v == "3"),
        "{picked:?}"
    );
    let query: Vec<(&str, &str)> = picked
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let form = app
        .get(&format!("/buy?{}", encode(&query)), Some(&cookie))
        .await;
    assert_eq!(form.status, 200);
    let form = form.body;
    let value = |name: &str| input_value(&form, name);
    assert_eq!(
        value("party_name").as_deref(),
        Some("Ravi Traders"),
        "its last supplier fills Supplier"
    );
    assert_eq!(value("lines[0][product]").as_deref(), Some("Toor Dal"));
    assert_eq!(
        value("lines[0][quantity]").as_deref(),
        Some("3"),
        "5 − 2 on hand"
    );
    assert_eq!(
        value("lines[1][product]").as_deref(),
        Some(""),
        "rows not ticked stay behind"
    );
    let filtered = app
        .get("/reorder?days=7&supplier=ravi+traders", Some(&cookie))
        .await
        .body;
    assert!(filtered.contains("Order Toor Dal") && !filtered.contains("Order Rice Flour"));
    let refused = app.get("/reorder?days=1000", Some(&cookie)).await.body;
    assert!(
        refused.contains("Choose between 0 and 365 days"),
        "an absurd window is refused with a reason"
    );
    let dashboard = app.get("/", Some(&cookie)).await.body;
    assert!(
        dashboard.contains(r#"<a href="/reorder">What to reorder</a>"#),
        "the Low stock panel links to /reorder"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reorder_list_counts_sales_of_the_last_28_local_days() {
    use stockroom::server::clock::Clock;
    // 2026-01-15 00:30 in Kolkata (UTC+5:30) is 2026-01-14 19:00 UTC: the window opens at
    // 2025-12-19 00:00 Kolkata, 2025-12-18 18:30 UTC.
    let clock = Clock::fixed(1_768_417_200);
    let app = common::app::start_in(common::sqlite().await, "Asia/Kolkata", clock).await;
    let opens = 1_768_417_200 - 27 * DAY - 30 * 60;
    let db = app.db();
    bill(
        db,
        BillKind::Purchase,
        "Ravi Traders",
        "p1",
        opens - 10 * DAY,
        vec![line("Toor Dal", 100, 100, None)],
    )
    .await;
    bill(
        db,
        BillKind::Sale,
        "Walk-in",
        "s1",
        opens - 1,
        vec![line("Toor Dal", 50, 200, None)],
    )
    .await;
    bill(
        db,
        BillKind::Sale,
        "Walk-in",
        "s2",
        opens,
        vec![line("Toor Dal", 28, 200, None)],
    )
    .await;
    let cookie = app.sign_in(STAFF).await;
    let page = app.get("/reorder?days=30", Some(&cookie)).await.body;
    // 22 left at 1 a day (the 50 sold a second before the window do not count): 22 days left,
    // order 28 − 22 = 6.
    let at = page.find("Order Toor Dal").expect("listed");
    let after = &page[at..];
    assert!(
        after.contains(">22<") && after.contains(">6 pcs<"),
        "{after}"
    );
}
