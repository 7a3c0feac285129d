//! The shop's own clock (`SHOP_TIMEZONE`), on both databases, with the settable clock: bills
//! shown at their local time and counted in their local month, months and `Last 30 days` cut
//! at local midnights across daylight-saving changes, and `Days left` turning at local
//! midnight on both sides of the date line. Every instant below is written out in UTC by hand
//! from the zone's published rules, so the code under test never checks itself.

mod common;
mod zone;

use axum::body::Body;
use axum::http::{header, Request};
use common::app::{start_in, App, MANAGER};
use common::TestDb;
use stockroom::domain::bill::BillKind;
use stockroom::domain::calendar::Zone;
use stockroom::domain::period::Period;
use stockroom::server::clock::Clock;
use stockroom::server::storage::dashboard::{figures, DashboardQuery};
use stockroom::server::storage::summaries;
use stockroom::server::storage::Db;
use stockroom::server::zone::ShopZone;
use zone::{dashboard, lot_at, money, post_bill, purchase_at, someone, spent, utc};

/// What a month of bills must sum to in a zone, and in UTC on the same database.
struct MonthCase {
    zone: &'static str,
    /// (UTC instant, amount): one unit purchased at that cost, amounts powers of ten.
    bills: [(&'static str, i64); 7],
    /// The spring-forward day and what its 23 hours hold.
    change_day: (&'static str, i64),
    /// February, March and April in the zone.
    months: [i64; 3],
    /// March read in UTC.
    utc_march: i64,
}

const NEW_YORK: MonthCase = MonthCase {
    zone: "America/New_York",
    bills: [
        ("2026-03-01 04:59:59", 1),         // 28 Feb 23:59:59 EST
        ("2026-03-01 05:00:00", 10),        // 1 Mar 00:00 EST
        ("2026-03-08 06:59:59", 100),       // 8 Mar 01:59:59 EST, before the clocks skip
        ("2026-03-08 07:00:00", 1_000),     // 8 Mar 03:00 EDT
        ("2026-03-09 03:59:59", 10_000),    // 8 Mar 23:59:59 EDT, the 23-hour day's last second
        ("2026-04-01 03:59:59", 100_000),   // 31 Mar 23:59:59 EDT
        ("2026-04-01 04:00:00", 1_000_000), // 1 Apr 00:00 EDT
    ],
    change_day: ("2026-03-08", 11_100),
    months: [1, 111_110, 1_000_000],
    utc_march: 11_111,
};

const BERLIN: MonthCase = MonthCase {
    zone: "Europe/Berlin",
    bills: [
        ("2026-02-28 22:59:59", 1),         // 28 Feb 23:59:59 CET
        ("2026-02-28 23:00:00", 10),        // 1 Mar 00:00 CET
        ("2026-03-29 00:59:59", 100),       // 29 Mar 01:59:59 CET, before the clocks skip
        ("2026-03-29 01:00:00", 1_000),     // 29 Mar 03:00 CEST
        ("2026-03-29 21:59:59", 10_000),    // 29 Mar 23:59:59 CEST
        ("2026-03-31 21:59:59", 100_000),   // 31 Mar 23:59:59 CEST
        ("2026-03-31 22:00:00", 1_000_000), // 1 Apr 00:00 CEST
    ],
    change_day: ("2026-03-29", 11_100),
    months: [1, 111_110, 1_000_000],
    utc_march: 1_111_100,
};

/// Long after the months above: they are closed, so their sums are remembered.
const JUNE: &str = "2026-06-01 00:00:00";

/// `Spent` from `from` to `to` in `zone`, and the chart's February and March: read as a
/// server in `zone` does, whose start recounts the summaries when they were counted in another.
async fn spent_in(db: &Db, zone: &ShopZone, from: &str, to: &str) -> (i64, [i64; 2]) {
    let now = utc(JUNE);
    let db = db.clone().in_zone(zone.clone());
    summaries::catch_up(&db, now).await.unwrap();
    let today = zone.day_of(now);
    let period = Period::resolve(Some("custom"), Some(from), Some(to), today).unwrap();
    let query = DashboardQuery::of(&period, today, today);
    let figures = figures(&db, &query).await.unwrap();
    let month = |key: &str| {
        figures
            .months
            .iter()
            .find(|(m, _)| m.key() == key)
            .map_or(0, |(_, t)| t.spent.minor())
    };
    let chart = [month("2026-02"), month("2026-03")];
    (figures.totals.spent.minor(), chart)
}

async fn a_month_sums_its_local_bounds(t: TestDb, case: MonthCase) {
    let user = common::clerk(&t.db, "clerk@shop.test").await;
    for (when, cost) in case.bills {
        purchase_at(&t.db, user, utc(when), "Rice", cost).await;
    }
    let zone = ShopZone::named(case.zone).unwrap();
    let (march, chart) = spent_in(&t.db, &zone, "2026-03-01", "2026-03-31").await;
    assert_eq!(march, case.months[1], "{}: March", case.zone);
    assert_eq!(
        chart,
        [case.months[0], case.months[1]],
        "{}: the chart's months",
        case.zone
    );
    let (april, _) = spent_in(&t.db, &zone, "2026-04-01", "2026-04-30").await;
    assert_eq!(april, case.months[2], "{}: April", case.zone);
    let (day, sum) = case.change_day;
    assert_eq!(
        spent_in(&t.db, &zone, day, day).await.0,
        sum,
        "{}: the 23-hour day {day}",
        case.zone
    );
    // Read again, the same.
    assert_eq!(
        spent_in(&t.db, &zone, "2026-03-01", "2026-03-31").await,
        (march, chart)
    );
    // The same ledger read in another zone is counted afresh in that zone's days.
    let (utc_march, utc_chart) =
        spent_in(&t.db, &ShopZone::utc(), "2026-03-01", "2026-03-31").await;
    assert_eq!((utc_march, utc_chart[1]), (case.utc_march, case.utc_march));
}

/// An app in `zone` with the clock at `now` (UTC text) and a signed-in manager.
async fn shop(t: TestDb, zone: &str, now: &str) -> (App, Clock, String) {
    let clock = Clock::fixed(utc(now));
    let app = start_in(t, zone, clock.clone()).await;
    let cookie = app.sign_in(MANAGER).await;
    (app, clock, cookie)
}

/// `(product, Days left)` of `/api/expiry/list` (3 days), and the navigation's count.
async fn expiring(app: &App, cookie: &str) -> (Vec<(String, i64)>, i64) {
    let list = app.call("/api/expiry/list", "", Some(cookie)).await.body;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let rows = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["product"].as_str().unwrap().to_owned(),
                r["days_left"].as_i64().unwrap(),
            )
        })
        .collect();
    let count = app.call("/api/expiry/count", "", Some(cookie)).await.body;
    (rows, count.trim().parse().unwrap())
}

/// Local midnight turns `Days left` of a lot expiring tomorrow from 1 to 0, and brings one
/// four days off into the 3-day window and the badge. `last_second` is the UTC instant of
/// 23:59:59 on the shop's today.
async fn days_turn_at_local_midnight(t: TestDb, zone: &str, last_second: &str, days: [&str; 2]) {
    let (app, clock, cookie) = shop(t, zone, last_second).await;
    let user = someone(app.db()).await;
    lot_at(app.db(), user, utc(last_second) - 86_400, "Curd", days[0]).await;
    lot_at(app.db(), user, utc(last_second) - 86_400, "Paneer", days[1]).await;
    let before = expiring(&app, &cookie).await;
    assert_eq!(
        before,
        (vec![("Curd".to_owned(), 1)], 1),
        "{zone}: 23:59:59"
    );
    clock.advance(std::time::Duration::from_secs(1));
    let after = expiring(&app, &cookie).await;
    let expected = vec![("Curd".to_owned(), 0), ("Paneer".to_owned(), 3)];
    assert_eq!(after, (expected, 2), "{zone}: midnight");
    let page = app.get("/expiry", Some(&cookie)).await.body;
    assert!(
        page.contains("2 lots expiring within 3 days"),
        "{zone}: the badge"
    );
}

/// `Spent` of `Last 30 days` in `zone` at `now`, its first and last day.
async fn last_30_days(
    t: TestDb,
    zone: &str,
    now: &str,
    bills: &[(&str, i64)],
) -> (i64, String, String) {
    let (app, _clock, cookie) = shop(t, zone, now).await;
    let user = someone(app.db()).await;
    for (when, cost) in bills {
        purchase_at(app.db(), user, utc(when), "Rice", *cost).await;
    }
    let d = dashboard(&app, &cookie, "period=30d").await;
    (spent(&d), d.period.from, d.period.to)
}

on_both_backends! {
    async fn india_books_each_sale_on_its_local_day_and_shows_its_local_time(t: TestDb) {
        let (app, clock, cookie) = shop(t, "Asia/Kolkata", "2026-01-31 12:00:00").await;
        post_bill(&app, &cookie, BillKind::Purchase, ("Basmati Rice", "10", "500")).await;
        // Hours pass: the session's idle limit (one hour in tests) signs the manager out.
        clock.set(utc("2026-01-31 18:00:00")); // 23:30 on 31 January in India
        let cookie = app.sign_in(MANAGER).await;
        let late = post_bill(&app, &cookie, BillKind::Sale, ("Basmati Rice", "1", "700")).await;
        clock.set(utc("2026-01-31 19:00:00")); // 00:30 on 1 February in India
        let cookie = app.sign_in(MANAGER).await;
        let early = post_bill(&app, &cookie, BillKind::Sale, ("Basmati Rice", "2", "700")).await;

        let bills = app.get("/bills", Some(&cookie)).await.body;
        for local in ["<td>2026-01-31 23:30</td>", "<td>2026-02-01 00:30</td>", "<td>2026-01-31 17:30</td>"] {
            assert!(bills.contains(local), "/bills lacks {local}: {bills}");
        }
        assert!(!bills.contains("2026-01-31 18:00") && !bills.contains("2026-01-31 19:00"), "UTC times on /bills");
        assert!(app.get(&late, Some(&cookie)).await.body.contains("2026-01-31 23:30"));
        assert!(app.get(&early, Some(&cookie)).await.body.contains("2026-02-01 00:30"));

        let january = dashboard(&app, &cookie, "period=custom&from=2026-01-01&to=2026-01-31").await;
        let february = dashboard(&app, &cookie, "period=custom&from=2026-02-01&to=2026-02-28").await;
        assert_eq!((january.earned, february.earned), (money(70_000), money(140_000)));
        assert_eq!(spent(&january), 500_000, "the purchase at 17:30 is January's");
        let month = |key: &str| february.months.iter().find(|m| m.month.key() == key).unwrap().earned;
        assert_eq!((month("2026-01"), month("2026-02")), (money(70_000), money(140_000)));
        let this_month = dashboard(&app, &cookie, "period=month").await;
        assert_eq!((this_month.period.from.as_str(), this_month.earned), ("2026-02-01", money(140_000)));

        let first_of_february = app.get("/transactions?from=2026-02-01&to=2026-02-01", Some(&cookie)).await.body;
        assert!(first_of_february.contains("-2 pcs") && !first_of_february.contains("-1 pcs"), "{first_of_february}");
        let last_of_january = app.get("/transactions?from=2026-01-31&to=2026-01-31", Some(&cookie)).await.body;
        assert!(last_of_january.contains("-1 pcs") && !last_of_january.contains("-2 pcs"));

        let audit = app.get("/employees/audit", Some(&cookie)).await.body;
        assert!(audit.contains("When (Asia/Kolkata)") && audit.contains("2026-01-31 17:30"), "{audit}");
        assert!(app.get("/", Some(&cookie)).await.body.contains("Asia/Kolkata time"));
        let invoice = Request::get(format!("{early}/invoice.pdf"))
            .header(header::COOKIE, &cookie)
            .header(header::HOST, "localhost")
            .body(Body::empty())
            .unwrap();
        let (status, _, pdf) = app.send_raw(invoice).await;
        assert!(status.is_success(), "{status}");
        assert!(String::from_utf8_lossy(&pdf).contains("D:20260201003000+05'30"), "the PDF's date");
    }

    async fn new_york_sums_the_month_of_its_spring_forward_day_by_local_midnights(t: TestDb) {
        a_month_sums_its_local_bounds(t, NEW_YORK).await;
    }

    async fn berlin_sums_the_month_of_its_spring_forward_day_by_local_midnights(t: TestDb) {
        a_month_sums_its_local_bounds(t, BERLIN).await;
    }

    async fn last_30_days_in_new_york_span_the_25_hour_day_and_end_at_local_midnight(t: TestDb) {
        let bills = [
            ("2026-10-22 03:59:59", 1),       // 21 Oct 23:59:59 EDT: the day before
            ("2026-10-22 04:00:00", 10),      // 22 Oct 00:00 EDT: the first day
            ("2026-11-01 05:30:00", 100),     // 1 Nov 01:30 EDT
            ("2026-11-01 06:30:00", 1_000),   // 1 Nov 01:30 EST, the repeated hour
            ("2026-11-21 04:59:59", 10_000),  // 20 Nov 23:59:59 EST: today's last second
            ("2026-11-21 05:00:00", 100_000), // 21 Nov 00:00 EST: tomorrow
        ];
        let (spent, from, to) = last_30_days(t, "America/New_York", "2026-11-20 17:00:00", &bills).await;
        assert_eq!((spent, from.as_str(), to.as_str()), (11_110, "2026-10-22", "2026-11-20"));
    }

    async fn last_30_days_in_berlin_span_the_23_hour_day_and_end_at_local_midnight(t: TestDb) {
        let bills = [
            ("2026-03-11 22:59:59", 1),      // 11 Mar 23:59:59 CET
            ("2026-03-11 23:00:00", 10),     // 12 Mar 00:00 CET
            ("2026-03-29 01:30:00", 100),    // 29 Mar 03:30 CEST
            ("2026-04-10 21:59:59", 1_000),  // 10 Apr 23:59:59 CEST
            ("2026-04-10 22:00:00", 10_000), // 11 Apr 00:00 CEST
        ];
        let (spent, from, to) = last_30_days(t, "Europe/Berlin", "2026-04-10 10:00:00", &bills).await;
        assert_eq!((spent, from.as_str(), to.as_str()), (1_110, "2026-03-12", "2026-04-10"));
    }

    async fn days_left_turn_at_midnight_in_kiritimati_fourteen_hours_ahead_of_utc(t: TestDb) {
        // 16 June 23:59:59 at UTC+14.
        days_turn_at_local_midnight(t, "Pacific/Kiritimati", "2026-06-16 09:59:59", ["2026-06-17", "2026-06-20"]).await;
    }

    async fn days_left_turn_at_midnight_in_pago_pago_eleven_hours_behind_utc(t: TestDb) {
        // 15 June 23:59:59 at UTC-11.
        days_turn_at_local_midnight(t, "Pacific/Pago_Pago", "2026-06-16 10:59:59", ["2026-06-16", "2026-06-19"]).await;
    }
}
