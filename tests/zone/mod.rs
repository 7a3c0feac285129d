//! Helpers of the time-zone tests: instants written as UTC by hand (never computed by the zone
//! rules under test), bills recorded at them, and the dashboard read over HTTP.

use crate::common::app::App;
use axum::http::header;
use stockroom::domain::bill::BillKind;
use stockroom::domain::dashboard::Dashboard;
use stockroom::domain::Money;
use stockroom::server::storage::stock::{record, BillInput};
use stockroom::server::storage::Db;

/// Unix seconds of `YYYY-MM-DD HH:MM:SS` in UTC.
pub fn utc(text: &str) -> i64 {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(text, &format)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .assume_utc()
        .unix_timestamp()
}

/// The first account of the database (the one bills are recorded by).
pub async fn someone(db: &Db) -> i64 {
    crate::common::scalar(db, "SELECT id FROM users ORDER BY id LIMIT 1").await
}

/// Records a purchase of one unit of `product` at `unit_cost` minor units at `when`; the
/// amounts of a test are powers of ten, so a sum tells exactly which bills it took.
pub async fn purchase_at(db: &Db, user: i64, when: i64, product: &str, unit_cost: i64) {
    let bill = BillInput {
        kind: BillKind::Purchase,
        party: crate::common::party("Supplier"),
        lines: vec![crate::common::line(product, 1, unit_cost, None)],
        tax_rate_bp: 0,
        user_id: user,
        key: format!("purchase-{when}-{product}"),
        now: when,
    };
    record(db, &bill).await.unwrap();
}

/// A lot of `quantity` units of `product` expiring on `expires_on`, bought at `when`.
pub async fn lot_at(db: &Db, user: i64, when: i64, product: &str, expires_on: &str) {
    let bill = BillInput {
        kind: BillKind::Purchase,
        party: crate::common::party("Supplier"),
        lines: vec![crate::common::line(product, 5, 100, Some(expires_on))],
        tax_rate_bp: 0,
        user_id: user,
        key: format!("lot-{when}-{product}"),
        now: when,
    };
    record(db, &bill).await.unwrap();
}

/// The dashboard `/api/dashboard` answers for `query` (e.g. `period=30d`).
pub async fn dashboard(app: &App, cookie: &str, query: &str) -> Dashboard {
    let reply = app.call("/api/dashboard", query, Some(cookie)).await;
    assert!(
        reply.status.is_success(),
        "{query}: {} {}",
        reply.status,
        reply.body
    );
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{e}: {}", reply.body))
}

/// The managers' `Spent` of a dashboard, in minor units.
pub fn spent(d: &Dashboard) -> i64 {
    d.costs.expect("a manager's dashboard").spent.minor()
}

/// The one-time key of the first form on `page`.
pub async fn form_key(app: &App, page: &str, cookie: &str) -> String {
    let html = app.get(page, Some(cookie)).await.body;
    assert!(
        html.contains(r#"name="key""#),
        "{page} has no form key: {html}"
    );
    crate::common::key_after(&html, r#"name="key""#)
}

/// Posts the `/buy` or `/sell` form for one line and returns the new bill's page.
pub async fn post_bill(
    app: &App,
    cookie: &str,
    kind: BillKind,
    (product, quantity, amount): (&str, &str, &str),
) -> String {
    let (page, path) = match kind {
        BillKind::Purchase => ("/buy", "/api/purchases"),
        _ => ("/sell", "/api/sales"),
    };
    let key = form_key(app, page, cookie).await;
    let form = crate::common::encode(&[
        ("party_name", "Asha"),
        ("lines[0][product]", product),
        ("lines[0][quantity]", quantity),
        ("lines[0][amount]", amount),
        ("key", &key),
    ]);
    let reply = app.post_form(path, &form, page, Some(cookie)).await;
    let location = reply.header(header::LOCATION).to_owned();
    assert!(
        location.starts_with("/bills/"),
        "{path}: {} {location} {}",
        reply.status,
        reply.body
    );
    location
}

/// `minor` as money, for readable assertions.
pub fn money(minor: i64) -> Money {
    Money::from_minor(minor)
}
