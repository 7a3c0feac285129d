//! The sales summaries on both databases: kept by the recording transactions day after day
//! (sales, customer returns, purchase returns that are not sales), moved on as the days pass,
//! recounted from the ledger with no row different; a wrong sum is found and mended; the days
//! are the shop's days and a new `SHOP_TIMEZONE` recounts them; and sales racing on two
//! instances, with a rebuild among them, lose no increment.

mod common;

use common::{assert_ledger_holds, assert_summaries_hold, give_back, line, scalar};
use stockroom::domain::bill::BillKind;
use stockroom::domain::bill_form::Line;
use stockroom::server::storage::summaries::{self, Rebuilt};
use stockroom::server::storage::{Db, PoolSettings};
use stockroom::server::zone::ShopZone;

/// 2026-01-15 12:00 UTC (17:30 in Kolkata).
const NOON: i64 = 1_768_478_400;
const DAY: i64 = 86_400;

async fn bill(db: &Db, kind: BillKind, key: &str, at: i64, lines: Vec<Line>) -> i64 {
    let party = if kind == BillKind::Sale {
        "Walk-in"
    } else {
        "Ravi Traders"
    };
    common::bill(db, kind, common::party(party), key, at, lines).await
}

async fn sold_recent(db: &Db, product: &str) -> i64 {
    scalar(
        db,
        &format!("SELECT sold_recent FROM products WHERE name = '{product}'"),
    )
    .await
}

async fn sold_on(db: &Db, product: &str, at: i64) -> i64 {
    let day = summaries::day_number(stockroom::domain::calendar::Zone::day_of(db.zone(), at));
    scalar(
        db,
        &format!(
            "SELECT COALESCE(CAST(SUM(d.sold) AS BIGINT), 0) FROM daily_sales d JOIN products p ON p.id = d.product_id \
             WHERE p.name = '{product}' AND d.day = {day}"
        ),
    )
    .await
}

/// Sixty days of a shop that opens with the summaries built: each day a sale of one of three
/// products, every seventh day a customer returning part of the day's sale, every tenth a
/// purchase returned to its supplier; the window is moved on some days and not on others (the
/// gaps are days nobody opened `/reorder`).
async fn sixty_days(db: &Db) -> i64 {
    common::clerk(db, "clerk@shop.test").await;
    summaries::rebuild(db, NOON).await.unwrap();
    let purchase = bill(
        db,
        BillKind::Purchase,
        "p0",
        NOON,
        vec![
            line("Tea", 10_000, 100, None),
            line("Rice", 10_000, 10, None),
            line("Salt", 10_000, 5, None),
        ],
    )
    .await;
    let mut now = NOON;
    for day in 0..60 {
        now = NOON + day * DAY;
        let product = ["Tea", "Rice", "Salt"][usize::try_from(day % 3).unwrap()];
        let sale = bill(
            db,
            BillKind::Sale,
            &format!("s{day}"),
            now,
            vec![line(product, day % 5 + 1, 200, None)],
        )
        .await;
        if day % 7 == 0 {
            give_back(db, sale, 1, &format!("r{day}"), now + 60).await;
        }
        if day % 10 == 0 {
            give_back(db, purchase, 1, &format!("pr{day}"), now).await;
        }
        if day % 4 != 3 {
            summaries::catch_up(db, now).await.unwrap();
        }
    }
    summaries::catch_up(db, now).await.unwrap();
    now
}

/// Seven products over forty days across the turn of a month (January into February): each day
/// a purchase or a sale of some of them, every fifth day a customer returning part of a sale,
/// every ninth a purchase partly returned to its supplier. Returns the last instant.
async fn forty_days(db: &Db) -> i64 {
    common::clerk(db, "clerk@shop.test").await;
    let products = ["Tea", "Rice", "Salt", "Dal", "Oil", "Soap", "Milk"];
    let mut now = NOON;
    for day in 0..40 {
        now = NOON - 14 * DAY + day * DAY;
        let buy: Vec<Line> = products
            .iter()
            .enumerate()
            .filter(|(i, _)| (day + *i as i64) % 4 == 0)
            .map(|(i, p)| line(p, 50 + day, 100 + 7 * i as i64 + day, None))
            .collect();
        let purchase = if buy.is_empty() {
            None
        } else {
            Some(bill(db, BillKind::Purchase, &format!("p{day}"), now, buy).await)
        };
        let sell: Vec<Line> = products
            .iter()
            .enumerate()
            .filter(|(i, _)| day >= 4 && (day * 3 + *i as i64) % 5 < 2)
            .map(|(i, p)| line(p, (day + i as i64) % 6 + 1, 300 + 11 * i as i64, None))
            .collect();
        if !sell.is_empty() {
            let sale = bill(db, BillKind::Sale, &format!("s{day}"), now + 3_600, sell).await;
            if day % 5 == 0 {
                give_back(db, sale, 1, &format!("r{day}"), now + 7_200).await;
            }
        }
        if let (Some(purchase), 0) = (purchase, day % 9) {
            give_back(db, purchase, 2, &format!("pr{day}"), now + 1_800).await;
        }
    }
    now
}

/// The dashboard of `from..=to` (UTC days), read as the server reads it.
async fn dashboard_of(
    db: &Db,
    from: &str,
    to: &str,
    now: i64,
) -> stockroom::domain::dashboard::Figures {
    use stockroom::domain::calendar::Zone;
    use stockroom::domain::period::Period;
    use stockroom::server::storage::dashboard::{figures, DashboardQuery};
    let today = ShopZone::utc().day_of(now);
    let period = Period::resolve(Some("custom"), Some(from), Some(to), today).unwrap();
    figures(db, &DashboardQuery::of(&period, today, today))
        .await
        .unwrap()
}

/// A period's totals (earned, spent, cost of goods, units sold and bought) and its top
/// products by revenue (id, revenue, units, cost).
type Board = ([i64; 5], Vec<(i64, i64, i64, i64)>);

/// The same figures summed straight from the ledger's movements, `[start, end)`: earned,
/// spent, cost of goods, units sold and bought, and the top five products by revenue as
/// `(product, revenue, units, cost)`.
async fn ledger_figures(db: &Db, start: i64, end: i64) -> Board {
    use sqlx::Row;
    let within = format!("created_at >= {start} AND created_at < {end}");
    let sums = [
        "CASE WHEN kind IN ('sale', 'sale_return') THEN -quantity * unit_amount ELSE 0 END",
        "CASE WHEN kind IN ('purchase', 'purchase_return') THEN quantity * unit_amount ELSE 0 END",
        "CASE WHEN kind IN ('sale', 'sale_return') THEN -quantity * unit_cost ELSE 0 END",
        "CASE WHEN kind IN ('sale', 'sale_return') THEN -quantity ELSE 0 END",
        "CASE WHEN kind IN ('purchase', 'purchase_return') THEN quantity ELSE 0 END",
    ];
    let mut totals = [0; 5];
    for (total, sum) in totals.iter_mut().zip(sums) {
        *total = scalar(
            db,
            &format!(
                "SELECT COALESCE(CAST(SUM({sum}) AS BIGINT), 0) FROM movements WHERE {within}"
            ),
        )
        .await;
    }
    let top = sqlx::query(&format!(
        "SELECT product_id, CAST(SUM(-quantity * unit_amount) AS BIGINT) AS revenue, CAST(SUM(-quantity) AS BIGINT) AS units, \
                CAST(SUM(-quantity * unit_cost) AS BIGINT) AS cost \
         FROM movements WHERE kind IN ('sale', 'sale_return') AND {within} GROUP BY product_id \
         HAVING SUM(-quantity) > 0 ORDER BY revenue DESC, units DESC, product_id LIMIT 5"
    ))
    .fetch_all(db.pool_for_tests())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect();
    (totals, top)
}

/// What [`dashboard_of`] says, in [`ledger_figures`]' shape.
fn shown(f: &stockroom::domain::dashboard::Figures) -> Board {
    let t = &f.totals;
    (
        [
            t.earned.minor(),
            t.spent.minor(),
            t.cost_of_goods.minor(),
            t.units_sold,
            t.units_bought,
        ],
        f.top_by_revenue
            .iter()
            .map(|p| (p.product_id, p.revenue.minor(), p.units, p.cost.minor()))
            .collect(),
    )
}

/// Net units of `product` sold on the days `from..=to` of [`sixty_days`], worked out from its
/// rules rather than from the database.
fn expected_sales(product: usize, from: i64, to: i64) -> i64 {
    (from..=to)
        .filter(|day| day % 3 == i64::try_from(product).unwrap())
        .map(|day| day % 5 + 1 - i64::from(day % 7 == 0))
        .sum()
}

on_both_backends! {
    async fn sixty_days_of_kept_sums_equal_the_ledger(t: TestDb) {
        let end = sixty_days(&t.db).await;
        // The window ends on day 59: days 32..=59.
        assert_eq!(sold_recent(&t.db, "Tea").await, expected_sales(0, 32, 59));
        assert_eq!(sold_recent(&t.db, "Rice").await, expected_sales(1, 32, 59));
        assert_eq!(sold_recent(&t.db, "Salt").await, expected_sales(2, 32, 59));
        // Day 49 (49 % 3 = 1, Rice): 5 sold, 1 back the same day.
        assert_eq!(sold_on(&t.db, "Rice", NOON + 49 * DAY).await, 4);
        assert_ledger_holds(&t.db).await;
        let rebuilt = summaries::rebuild(&t.db, end).await.unwrap();
        assert_eq!(
            rebuilt,
            Rebuilt {
                days: 60,
                rows: 60,
                rows_differed: 0,
                rates_differed: 0,
                months_differed: 0,
                totals_differed: 0,
                stock_value_off: 0,
            }
        );
        // Ten days on, nothing sold since: the window lost days 32..=41.
        summaries::catch_up(&t.db, end + 10 * DAY).await.unwrap();
        assert_eq!(sold_recent(&t.db, "Tea").await, expected_sales(0, 42, 59));
        assert_summaries_hold(&t.db).await;
    }

    async fn a_wrong_sum_is_found_and_mended(t: TestDb) {
        let end = sixty_days(&t.db).await;
        sqlx::query("UPDATE daily_sales SET sold = sold + 1 WHERE day = (SELECT MAX(day) FROM daily_sales)")
            .execute(t.db.pool_for_tests()).await.unwrap();
        sqlx::query("UPDATE products SET sold_recent = sold_recent + 5 WHERE name = 'Salt'")
            .execute(t.db.pool_for_tests()).await.unwrap();
        sqlx::query("DELETE FROM daily_sales WHERE day = (SELECT MIN(day) FROM daily_sales)")
            .execute(t.db.pool_for_tests()).await.unwrap();
        let found = summaries::check(&t.db).await.unwrap();
        assert_eq!((found.rows_differed, found.rates_differed), (2, 1), "{found:?}");
        assert_eq!(summaries::check(&t.db).await.unwrap(), found, "a check changes nothing");
        let mended = summaries::rebuild(&t.db, end).await.unwrap();
        assert_eq!((mended.rows_differed, mended.rates_differed), (2, 1));
        assert_summaries_hold(&t.db).await;
        assert_eq!(sold_recent(&t.db, "Salt").await, expected_sales(2, 32, 59));
    }

    async fn the_days_are_the_shops_and_a_new_time_zone_recounts_them(t: TestDb) {
        let utc = t.db.clone().in_zone(ShopZone::utc());
        common::clerk(&utc, "clerk@shop.test").await;
        summaries::rebuild(&utc, NOON).await.unwrap();
        bill(&utc, BillKind::Purchase, "p", NOON, vec![line("Tea", 100, 100, None)]).await;
        // 20:00 UTC on the 15th is 01:30 on the 16th in Kolkata.
        let evening = NOON + 8 * 3_600;
        bill(&utc, BillKind::Sale, "s", evening, vec![line("Tea", 3, 200, None)]).await;
        assert_eq!(sold_on(&utc, "Tea", NOON).await, 3, "the 15th in UTC");
        let kolkata = t.db.clone().in_zone(ShopZone::named("Asia/Kolkata").unwrap());
        assert_eq!(sold_on(&kolkata, "Tea", evening).await, 0, "not yet counted in Kolkata's days");
        summaries::catch_up(&kolkata, evening).await.unwrap();
        assert_eq!(sold_on(&kolkata, "Tea", evening).await, 3, "the 16th in Kolkata");
        assert_eq!(sold_on(&kolkata, "Tea", NOON).await, 0, "nothing on the 15th in Kolkata");
        assert_eq!(sold_recent(&kolkata, "Tea").await, 3);
        assert_summaries_hold(&kolkata).await;
    }

    async fn sales_racing_on_two_instances_with_a_rebuild_among_them_lose_nothing(t: TestDb) {
        common::clerk(&t.db, "clerk@shop.test").await;
        summaries::rebuild(&t.db, NOON).await.unwrap();
        bill(&t.db, BillKind::Purchase, "p", NOON, vec![line("Tea", 1_000, 100, None), line("Rice", 1_000, 10, None)]).await;
        let second = Db::connect(&t.url, &PoolSettings::default()).await.unwrap().in_zone(ShopZone::utc());
        let tasks: Vec<_> = (0..24).map(|i| {
            let db = if i % 2 == 0 { t.db.clone() } else { second.clone() };
            tokio::spawn(async move {
                if i == 12 {
                    summaries::rebuild(&db, NOON + 60).await.unwrap();
                }
                let lines = vec![line("Tea", 2, 200, None), line("Rice", 1, 20, None)];
                bill(&db, BillKind::Sale, &format!("race-{i}"), NOON + 60, lines).await
            })
        }).collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(sold_recent(&t.db, "Tea").await, 48);
        assert_eq!(sold_recent(&t.db, "Rice").await, 24);
        assert_eq!(sold_on(&t.db, "Tea", NOON).await, 48);
        assert_ledger_holds(&t.db).await;
        second.close().await;
    }
    async fn the_dashboard_from_the_summaries_equals_the_ledger(t: TestDb) {
        let end = forty_days(&t.db).await;
        assert_ledger_holds(&t.db).await;
        // NOON - 14 days is 2026-01-01 12:00 UTC; the forty days run to 9 February.
        let cases = [
            ("2026-01-01", "2026-01-31"), // one whole month: the first rows of its index
            ("2026-02-01", "2026-02-09"), // this month to date: the same
            ("2025-12-20", "2026-02-09"), // a whole January, February to date, days of December
            ("2026-01-10", "2026-01-20"), // days only
            ("2026-01-25", "2026-02-03"), // days across the turn of the month
        ];
        for (from, to) in cases {
            let start = stockroom::domain::calendar::Zone::start_of(&ShopZone::utc(), stockroom::domain::Day::parse(from).unwrap());
            let last = stockroom::domain::Day::parse(to).unwrap().plus_days(1).unwrap();
            let stop = stockroom::domain::calendar::Zone::start_of(&ShopZone::utc(), last);
            let expected = ledger_figures(&t.db, start, stop).await;
            assert!(expected.1.len() == 5 || from == "2026-02-01", "{from}: a board to rank: {expected:?}");
            assert_eq!(shown(&dashboard_of(&t.db, from, to, end).await), expected, "{from} to {to}");
        }
        let f = dashboard_of(&t.db, "2026-01-01", "2026-02-09", end).await;
        let lots = scalar(&t.db, "SELECT CAST(SUM(remaining * unit_cost) AS BIGINT) FROM lots").await;
        assert_eq!(f.stock_value.minor(), lots, "the stock's value is its lots'");
        let january = f.months.iter().find(|(m, _)| m.key() == "2026-01").unwrap().1;
        assert_eq!(january.earned.minor(), ledger_figures(&t.db, NOON - 14 * DAY - 12 * 3_600, NOON + 17 * DAY - 12 * 3_600).await.0[0]);
    }

    async fn a_wrong_shop_total_or_month_is_found_and_mended(t: TestDb) {
        let end = forty_days(&t.db).await;
        let before = dashboard_of(&t.db, "2026-01-01", "2026-01-31", end).await;
        sqlx::query("UPDATE daily_totals SET earned = earned + 100 WHERE day = (SELECT MIN(day) FROM daily_totals)")
            .execute(t.db.pool_for_tests()).await.unwrap();
        sqlx::query("UPDATE monthly_sales SET revenue = revenue + 1 WHERE product_id = (SELECT MIN(product_id) FROM monthly_sales)")
            .execute(t.db.pool_for_tests()).await.unwrap();
        let found = summaries::check(&t.db).await.unwrap();
        assert_eq!((found.totals_differed, found.months_differed, found.rows_differed), (1, 2, 0), "{found:?}");
        assert_ne!(dashboard_of(&t.db, "2026-01-01", "2026-01-31", end).await, before);
        let mended = summaries::rebuild(&t.db, end).await.unwrap();
        assert_eq!((mended.totals_differed, mended.months_differed), (1, 2));
        assert_summaries_hold(&t.db).await;
        assert_eq!(dashboard_of(&t.db, "2026-01-01", "2026-01-31", end).await, before);
        assert_eq!(summaries::rebuild(&t.db, end).await.unwrap().totals_differed, 0);
    }
}
