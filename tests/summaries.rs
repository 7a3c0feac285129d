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
        assert_eq!(rebuilt, Rebuilt { days: 60, rows: 60, rows_differed: 0, rates_differed: 0 });
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
        let second = Db::connect(&t.url, &PoolSettings::default()).await.unwrap();
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
}
