//! The dashboard: its sums for a hand-built ledger on both databases, and over HTTP the page,
//! the empty shop, a bad period, and the role split (staff never receive cost figures).

mod common;

use axum::http::{header, StatusCode};
use common::app::{App, MANAGER, STAFF};
use common::TestDb;
use stockroom::domain::bill::BillKind;
use stockroom::domain::calendar::Zone;
use stockroom::domain::dashboard::{
    Alerts, Dashboard, Figures, MonthTotals, ProductTotals, StockAlert, Totals,
};
use stockroom::domain::period::{Month, Period};
use stockroom::domain::{Currency, Money, Role};
use stockroom::server::clock::Clock;
use stockroom::server::storage::dashboard::{figures, DashboardQuery};
use stockroom::server::storage::products::{self, NewProduct};
use stockroom::server::storage::stock::{record, BillInput};
use stockroom::server::zone::ShopZone;

/// The machine's time: these figures are recorded and read at today's date.
fn now() -> i64 {
    Clock::system().now()
}

/// These figures are read in UTC, as the fixtures' times are written.
fn utc() -> ShopZone {
    ShopZone::utc()
}

/// Unix seconds of a UTC date and time.
fn at(date: &str, hour: u8, minute: u8, second: u8) -> i64 {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &format)
        .unwrap()
        .with_hms(hour, minute, second)
        .unwrap()
        .assume_utc()
        .unix_timestamp()
}

async fn product(t: &TestDb, name: &str, lower: Option<i64>, upper: Option<i64>) {
    let product = NewProduct {
        name,
        sku: None,
        unit: "pcs",
        loose: false,
        selling_price: Money::ZERO,
        lower_limit: lower,
        upper_limit: upper,
    };
    products::insert(&t.db, &product, 0).await.unwrap();
}

/// Records a bill at `when`: lines of (product, quantity, unit amount in minor units, expiry).
async fn bill(
    t: &TestDb,
    user: i64,
    kind: BillKind,
    when: i64,
    lines: &[(&str, i64, i64, Option<&str>)],
) {
    let input = BillInput {
        kind,
        party: common::party("Party"),
        lines: common::numbered(
            lines
                .iter()
                .map(|(product, quantity, amount, expiry)| {
                    common::line(product, *quantity, *amount, *expiry)
                })
                .collect(),
        ),
        tax_rate_bp: 0,
        user_id: user,
        key: format!("{kind:?}-{when}"),
        now: when,
    };
    record(&t.db, &input).await.unwrap();
}

/// Three months of a small shop. Rice comes in two lots (₹50 then ₹60), so a sale of 15 costs
/// 10 × ₹50 + 5 × ₹60. Curd expires in two days; a sale in April falls outside Jan–Mar.
async fn fixture(t: &TestDb) {
    let user = common::clerk(&t.db, "clerk@shop.test").await;
    product(t, "Rice", Some(5), None).await;
    product(t, "Dal", None, Some(10)).await;
    let curd_expiry = utc().day_of(now()).plus_days(2).unwrap().to_string();
    use BillKind::{Purchase, Sale};
    bill(
        t,
        user,
        Purchase,
        at("2025-01-10", 9, 0, 0),
        &[("Rice", 10, 5_000, None), ("Dal", 20, 3_000, None)],
    )
    .await;
    // The last second of January is still January (UTC).
    bill(
        t,
        user,
        Purchase,
        at("2025-01-31", 23, 59, 59),
        &[("Curd", 4, 2_000, Some(&curd_expiry))],
    )
    .await;
    bill(
        t,
        user,
        Purchase,
        at("2025-02-05", 10, 0, 0),
        &[("Rice", 10, 6_000, None)],
    )
    .await;
    bill(
        t,
        user,
        Sale,
        at("2025-02-20", 12, 0, 0),
        &[("Rice", 15, 8_000, None)],
    )
    .await;
    // The first second of March is March.
    bill(
        t,
        user,
        Sale,
        at("2025-03-01", 0, 0, 0),
        &[("Dal", 5, 4_500, None), ("Rice", 2, 8_500, None)],
    )
    .await;
    bill(
        t,
        user,
        Sale,
        at("2025-04-02", 8, 0, 0),
        &[("Dal", 1, 5_000, None)],
    )
    .await;
}

async fn figures_for(t: &TestDb, from: &str, to: &str) -> (Period, Figures) {
    let today = utc().day_of(now());
    let period = Period::resolve(Some("custom"), Some(from), Some(to), today).unwrap();
    let query = DashboardQuery::of(&period, today, today.plus_days(3).unwrap());
    let figures = figures(&t.db, &query).await.unwrap();
    (period, figures)
}

fn month_totals(earned: i64, spent: i64, cost_of_goods: i64) -> MonthTotals {
    MonthTotals {
        earned: Money::from_minor(earned),
        spent: Money::from_minor(spent),
        cost_of_goods: Money::from_minor(cost_of_goods),
        losses: Money::ZERO,
    }
}

fn top(id_of: &[(String, i64)], name: &str, revenue: i64, units: i64, cost: i64) -> ProductTotals {
    ProductTotals {
        product_id: id_of.iter().find(|(n, _)| n == name).unwrap().1,
        name: name.into(),
        unit: "pcs".into(),
        loose: false,
        revenue: Money::from_minor(revenue),
        units,
        cost: Money::from_minor(cost),
    }
}

async fn product_ids(t: &TestDb) -> Vec<(String, i64)> {
    use sqlx::Row;
    sqlx::query("SELECT name, id FROM products")
        .fetch_all(t.db.pool_for_tests())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
        .collect()
}

on_both_backends! {
    async fn the_figures_of_three_months_equal_the_sums_worked_out_by_hand(t: TestDb) {
        fixture(&t).await;
        let ids = product_ids(&t).await;
        let (period, f) = figures_for(&t, "2025-01-01", "2025-03-31").await;
        assert_eq!(f.totals, Totals {
            // Sales: 15 × ₹80 + 5 × ₹45 + 2 × ₹85.
            earned: Money::from_minor(120_000 + 22_500 + 17_000),
            // Purchases: 10 × ₹50 + 20 × ₹30, 4 × ₹20, 10 × ₹60.
            spent: Money::from_minor(50_000 + 60_000 + 8_000 + 60_000),
            // Lots consumed: 10 × ₹50 + 5 × ₹60 for the first sale; 5 × ₹30 + 2 × ₹60 for the second.
            cost_of_goods: Money::from_minor(50_000 + 30_000 + 15_000 + 12_000),
            losses: Money::ZERO,
            units_sold: 15 + 5 + 2,
            units_bought: 10 + 20 + 4 + 10,
        });
        let months: Vec<(String, MonthTotals)> = f.months.iter().map(|(m, t)| (m.key(), *t)).collect();
        assert_eq!(months.len(), 12, "Apr 2024 to Mar 2025");
        assert_eq!(months[0].0, "2024-04");
        assert!(months[..9].iter().all(|(_, t)| *t == MonthTotals::default()));
        assert_eq!(months[9], ("2025-01".into(), month_totals(0, 118_000, 0)));
        assert_eq!(months[10], ("2025-02".into(), month_totals(120_000, 60_000, 80_000)));
        assert_eq!(months[11], ("2025-03".into(), month_totals(39_500, 0, 27_000)));
        assert_eq!(f.top_by_revenue, vec![
            top(&ids, "Rice", 120_000 + 17_000, 17, 80_000 + 12_000),
            top(&ids, "Dal", 22_500, 5, 15_000),
        ]);
        assert_eq!(f.top_by_units, f.top_by_revenue);
        // Left now (after April's sale too): Rice 3 × ₹60, Dal 14 × ₹30, Curd 4 × ₹20.
        assert_eq!(f.stock_value, Money::from_minor(18_000 + 42_000 + 8_000));
        let id = |name: &str| ids.iter().find(|(n, _)| n == name).unwrap().1;
        let alert = |name: &str, quantity, limit| StockAlert { product_id: id(name), name: name.into(), unit: "pcs".into(), loose: false, quantity, limit };
        assert_eq!(f.low_stock, Alerts { rows: vec![alert("Rice", 3, 5)], total: 1 });
        assert_eq!(f.overstock, Alerts { rows: vec![alert("Dal", 14, 10)], total: 1 });
        assert_eq!(f.expiring_lots, 1, "the curd");
        assert!(f.has_history);

        let manager = Dashboard::for_role(f.clone(), period.clone(), Currency::default(), Role::Manager);
        let costs = manager.costs.unwrap();
        assert_eq!(costs.profit, Money::from_minor(159_500 - 107_000));
        assert_eq!(manager.months[10].profit, Some(Money::from_minor(40_000)));
        assert_eq!(manager.top_by_revenue[0].profit, Some(Money::from_minor(45_000)));
        let staff = Dashboard::for_role(f, period, Currency::default(), Role::Staff);
        assert_eq!((staff.earned, staff.costs), (Money::from_minor(159_500), None));
    }

    async fn periods_cut_at_midnight_utc(t: TestDb) {
        fixture(&t).await;
        // From 21 Feb: only the sale of the first second of March.
        let (_, f) = figures_for(&t, "2025-02-21", "2025-03-31").await;
        assert_eq!((f.totals.earned, f.totals.cost_of_goods), (Money::from_minor(39_500), Money::from_minor(27_000)));
        assert_eq!((f.totals.spent, f.totals.units_sold, f.totals.units_bought), (Money::ZERO, 7, 0));
        // Up to 28 Feb: that sale is out.
        let (_, f) = figures_for(&t, "2025-02-01", "2025-02-28").await;
        assert_eq!((f.totals.earned, f.totals.spent), (Money::from_minor(120_000), Money::from_minor(60_000)));
        assert_eq!(f.top_by_units.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Rice"]);
        // A day with nothing: zeros, and the shop still has history.
        let (_, f) = figures_for(&t, "2025-01-01", "2025-01-01").await;
        assert_eq!(f.totals, Totals::default());
        assert!(f.top_by_revenue.is_empty() && f.has_history);
    }

    async fn a_bill_shows_at_once_in_its_own_day_and_month(t: TestDb) {
        fixture(&t).await;
        let user = common::clerk(&t.db, "late@shop.test").await;
        let (_, before) = figures_for(&t, "2025-01-01", "2025-03-31").await;
        // A bill recorded with a time in an ended month (as `stockroom seed` does): the period
        // and that month's bar both count it, and no other month changes.
        bill(&t, user, BillKind::Purchase, at("2025-02-10", 9, 0, 0), &[("Dal", 1, 1_000, None)]).await;
        let (_, after) = figures_for(&t, "2025-01-01", "2025-03-31").await;
        assert_eq!(after.totals.spent.minor(), before.totals.spent.minor() + 1_000);
        for ((month, b), (_, a)) in before.months.iter().zip(&after.months) {
            let added = if *month == (Month { year: 2025, month: 2 }) { 1_000 } else { 0 };
            assert_eq!(a.spent.minor(), b.spent.minor() + added, "{month:?}");
            assert_eq!(a.earned, b.earned, "{month:?}");
        }
        // Today's sale shows in this month's bar on the next view.
        let this_month = |f: &Figures| f.months.last().unwrap().1;
        let today = utc().day_of(now()).to_string();
        let (_, first) = figures_for(&t, &today, &today).await;
        bill(&t, user, BillKind::Sale, now(), &[("Dal", 1, 2_500, None)]).await;
        let (_, second) = figures_for(&t, &today, &today).await;
        assert_eq!(this_month(&second).earned.minor(), this_month(&first).earned.minor() + 2_500);
        assert_eq!(second.totals.earned.minor(), first.totals.earned.minor() + 2_500);
    }

    async fn an_empty_shop_adds_up_to_nothing(t: TestDb) {
        product(&t, "Rice", Some(5), None).await;
        let (_, f) = figures_for(&t, "2025-01-01", "2025-12-31").await;
        assert!(!f.has_history);
        assert_eq!(f.totals, Totals::default());
        assert!(f.months.iter().all(|(_, m)| *m == MonthTotals::default()));
        assert_eq!(f.stock_value, Money::ZERO);
        assert_eq!(f.low_stock.total, 1, "out of stock with a lower limit is low stock");
        let months: Vec<Month> = f.months.iter().map(|(m, _)| *m).collect();
        assert_eq!(months.len(), 12);
    }
}

// ---- Over HTTP: the page and the server function -------------------------------------------

fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", common::urlencode(k), common::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn form_key(app: &App, page: &str, cookie: &str) -> String {
    let html = app.get(page, Some(cookie)).await.body;
    let marker = r#"name="key" value=""#;
    let start = html.find(marker).expect("the form carries a key") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// Records a one-line bill through the form, as a browser without JavaScript would.
async fn post_bill(
    app: &App,
    cookie: &str,
    kind: BillKind,
    product: &str,
    quantity: &str,
    amount: &str,
) {
    let (page, endpoint) = match kind {
        BillKind::Purchase => ("/buy", "/api/purchases"),
        BillKind::Sale => ("/sell", "/api/sales"),
        other => panic!("{other:?} has no form of its own"),
    };
    let key = form_key(app, page, cookie).await;
    let form = encode(&[
        ("party_name", "Ravi"),
        ("lines[0][product]", product),
        ("lines[0][quantity]", quantity),
        ("lines[0][amount]", amount),
        ("key", &key),
    ]);
    let reply = app.post_form(endpoint, &form, page, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    assert!(reply.header(header::LOCATION).starts_with("/bills/"));
}

/// Buys 10 Toor Dal at ₹123.45 and sells 4 at ₹200: earned ₹800.00, spent ₹1,234.50, cost of
/// goods 4 × ₹123.45 = ₹493.80, profit ₹306.20.
async fn trade(app: &App) {
    let staff = app.sign_in(STAFF).await;
    post_bill(app, &staff, BillKind::Purchase, "Toor Dal", "10", "123.45").await;
    post_bill(app, &staff, BillKind::Sale, "Toor Dal", "4", "200").await;
}

const MANAGER_ONLY: [&str; 4] = ["₹1,234.50", "₹493.80", "₹306.20", "₹740.70"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_see_every_figure_heading_and_an_svg_chart() {
    let app = common::app::start().await;
    trade(&app).await;
    let cookie = app.sign_in(MANAGER).await;
    let page = app.get("/", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.body;
    for heading in [
        ">Sales</h2>",
        ">Profit</h2>",
        ">Top products</h2>",
        ">Low stock</h2>",
    ] {
        assert!(html.contains(heading), "no heading {heading}");
    }
    for (label, value) in [
        ("Earned", "₹800.00"),
        ("Spent", "₹1,234.50"),
        ("Profit", "₹306.20"),
    ] {
        let at = html
            .find(&format!(">{label}</span>"))
            .unwrap_or_else(|| panic!("no figure {label}"));
        let shown = &html[at..][html[at..].find("figure-value").unwrap()..];
        let shown = &shown[..shown.find("</span>").unwrap()];
        assert!(shown.contains(value), "{label} is not {value}: {shown}");
    }
    // Stock value at cost: 6 left × ₹123.45.
    assert!(html.contains("₹740.70"));
    assert!(
        html.contains("<svg") && html.contains(r#"role="img""#),
        "the chart is server-rendered SVG"
    );
    assert!(html.contains("Earned and spent by month"));
    assert!(html.contains("<title>"), "each month has a tooltip");
    // Out of stock with a lower limit of 5: low stock, linking to the product.
    let rice = app.product_id("Basmati Rice").await;
    assert!(html.contains(&format!(r#"href="/inventory/{rice}""#)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_receive_sales_figures_but_no_cost_or_profit() {
    let app = common::app::start().await;
    trade(&app).await;
    let staff = app.sign_in(STAFF).await;

    let reply = app.call("/api/dashboard", "", Some(&staff)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(json["earned"], 80_000);
    assert!(json["costs"].is_null(), "{json}");
    let months = json["months"].as_array().unwrap();
    assert!(months
        .iter()
        .all(|m| m["spent"].is_null() && m["profit"].is_null()));
    assert!(json["top_by_revenue"][0]["profit"].is_null());
    for minor in ["123450", "49380", "30620", "74070"] {
        assert!(
            !reply.body.contains(minor),
            "staff received {minor}: {}",
            reply.body
        );
    }

    let html = app.get("/", Some(&staff)).await.body;
    assert!(html.contains("₹800.00") && html.contains(">Earned</span>"));
    assert!(
        html.contains(">Profit</h2>"),
        "the heading stays, with a note"
    );
    for hidden in
        MANAGER_ONLY
            .iter()
            .chain(&[">Spent</span>", ">Profit</span>", "Earned and spent"])
    {
        assert!(!html.contains(hidden), "staff page shows {hidden}");
    }

    let manager = app.sign_in(MANAGER).await;
    let json: serde_json::Value =
        serde_json::from_str(&app.call("/api/dashboard", "", Some(&manager)).await.body).unwrap();
    assert_eq!(json["costs"]["spent"], 123_450);
    assert_eq!(json["costs"]["profit"], 30_620);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_shop_gets_a_welcome_instead_of_empty_charts() {
    let app = common::app::start().await;
    let cookie = app.sign_in(MANAGER).await;
    let html = app.get("/", Some(&cookie)).await.body;
    assert!(html.contains("Nothing has been bought or sold yet"));
    assert!(!html.contains("<svg"), "no chart of zeros");
    assert!(!html.contains(">Earned</span>"), "no row of zero figures");
    for heading in [
        ">Sales</h2>",
        ">Profit</h2>",
        ">Top products</h2>",
        ">Low stock</h2>",
    ] {
        assert!(html.contains(heading), "no heading {heading}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn periods_are_chosen_with_a_get_form_and_bad_ranges_are_explained() {
    let app = common::app::start().await;
    trade(&app).await;
    let cookie = app.sign_in(MANAGER).await;
    let html = app.get("/", Some(&cookie)).await.body;
    let class_at = html
        .find(r#"class="period-form""#)
        .expect("the period form");
    let form = &html[html[..class_at].rfind("<form").unwrap()..];
    let form = &form[..form.find('>').unwrap()];
    assert!(
        form.contains(r#"method="get""#) && form.contains(r#"action="/""#),
        "a GET form: {form}"
    );
    for control in [
        r#"name="period""#,
        r#"name="from""#,
        r#"name="to""#,
        ">This month</option>",
        ">Last 30 days</option>",
        ">Last 12 months</option>",
        ">Custom range</option>",
    ] {
        assert!(html.contains(control), "no {control}");
    }
    // Long ago: nothing earned then, but the shop has history, so figures show as zero.
    let old = app
        .get(
            "/?period=custom&from=2001-01-01&to=2001-01-31",
            Some(&cookie),
        )
        .await
        .body;
    assert!(old.contains(">Earned</span>") && old.contains("₹0.00"));
    assert!(old.contains("Nothing was bought or sold in these months"));

    let bad = app
        .get(
            "/?period=custom&from=2025-03-01&to=2025-01-01",
            Some(&cookie),
        )
        .await
        .body;
    assert!(
        bad.contains("The end date must not be before the start date"),
        "{bad}"
    );
    let reply = app
        .call(
            "/api/dashboard",
            "period=custom&from=2025-03-01&to=yesterday",
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains(r#""to""#), "{}", reply.body);
    assert_eq!(
        app.call("/api/dashboard", "period=fortnight", Some(&cookie))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.call("/api/dashboard", "", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}
