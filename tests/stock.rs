//! The stock ledger on both databases: purchases make lots, sales take them first-expiry-first-
//! out, an oversell changes nothing, repeated keys record once, and concurrency never oversells.

mod common;

use common::{assert_ledger_holds, scalar};
use sqlx::Row;
use stockroom::domain::bill::BillKind;
use stockroom::domain::bill_form::Line;
use stockroom::domain::ledger::{ExpiringLot, Page, Seek};
use stockroom::domain::product::COUNT_CAP;
use stockroom::domain::Day;
use stockroom::server::storage::history::{expiring, expiring_count};
use stockroom::server::storage::stock::{record, BillInput, RecordError, Recorded};
use stockroom::server::storage::Db;

use common::line;

fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

fn bill(kind: BillKind, user_id: i64, key: &str, lines: Vec<Line>) -> BillInput {
    BillInput {
        kind,
        party: common::party("Ravi Traders"),
        lines: common::numbered(lines),
        tax_rate_bp: 0,
        user_id,
        key: key.into(),
        now: 1_760_000_000,
    }
}

async fn quantity(db: &Db, name: &str) -> i64 {
    sqlx::query("SELECT quantity FROM products WHERE name = $1")
        .bind(name)
        .fetch_one(db.pool_for_tests())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

on_both_backends! {
    async fn the_badge_is_counted_again_after_a_write_and_soon_after_another_instances(t: TestDb) {
        use stockroom::server::storage::history::{expiring_badge, BADGE_FRESH_FOR};
        common::clerk(&t.db, "clerk@shop.test").await;
        let until = Day::parse("2026-01-17").unwrap();
        let soon = Some("2026-01-16");
        assert_eq!(expiring_badge(&t.db, until).await.unwrap(), 0);
        common::bill(&t.db, BillKind::Purchase, common::party("Ravi Traders"), "p1", 0, vec![line("Milk", 2, 3_000, soon)]).await;
        assert_eq!(expiring_badge(&t.db, until).await.unwrap(), 1, "this process's write shows at once");
        // Another instance: a handle of its own on the same database.
        let other = Db::connect(&t.url, &stockroom::server::storage::PoolSettings::default()).await.unwrap();
        common::bill(&other, BillKind::Purchase, common::party("Ravi Traders"), "p2", 0, vec![line("Curd", 2, 3_000, soon)]).await;
        assert_eq!(expiring_badge(&t.db, until).await.unwrap(), 1, "kept between this process's writes");
        assert_eq!(expiring_badge(&t.db, Day::parse("2026-01-18").unwrap()).await.unwrap(), 2, "a new day counts again");
        tokio::time::sleep(BADGE_FRESH_FOR).await;
        assert_eq!(expiring_badge(&t.db, until).await.unwrap(), 2, "another instance's write shows within seconds");
        other.close().await;
    }

    async fn the_expiry_list_pages_soonest_first_both_ways_and_the_badge_count_is_capped(t: TestDb) {
        expiry_list_pages_soonest_first_both_ways_and_the_badge_count_is_capped(t).await;
    }

    async fn a_purchase_creates_products_lots_movements_and_the_average_cost(t: TestDb) {
        let user = common::clerk(&t.db, "c@shop.in").await;
        let first = bill(BillKind::Purchase, user, "k1", vec![line("Basmati Rice", 10, 100, None), line("Milk", 5, 3_000, Some("2026-12-01"))]);
        assert!(matches!(record(&t.db, &first).await.unwrap(), Recorded::New(_)));
        record(&t.db, &bill(BillKind::Purchase, user, "k2", vec![line("basmati  rice", 10, 200, None)])).await.unwrap();
        assert_eq!(quantity(&t.db, "Basmati Rice").await, 20);
        assert_eq!(scalar(&t.db, "SELECT average_cost FROM products WHERE name = 'Basmati Rice'").await, 150);
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM lots").await, 3);
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM movements WHERE kind = 'purchase'").await, 3);
        assert_eq!(scalar(&t.db, "SELECT total FROM bills ORDER BY id LIMIT 1").await, 10 * 100 + 5 * 3_000);
        assert_ledger_holds(&t.db).await;
    }

    async fn a_sale_across_three_lots_takes_the_earliest_expiry_first(t: TestDb) {
        let user = common::clerk(&t.db, "c@shop.in").await;
        for (key, expiry, cost) in [("p1", Some("2027-03-01"), 300), ("p2", Some("2027-01-01"), 100), ("p3", None, 500)] {
            record(&t.db, &bill(BillKind::Purchase, user, key, vec![line("Curd", 4, cost, expiry)])).await.unwrap();
        }
        let sale = record(&t.db, &bill(BillKind::Sale, user, "s1", vec![line("Curd", 9, 1_000, None)])).await.unwrap();
        let remaining: Vec<(i64, i64)> = sqlx::query("SELECT unit_cost, remaining FROM lots ORDER BY id")
            .fetch_all(t.db.pool_for_tests())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
            .collect();
        assert_eq!(remaining, [(300, 0), (100, 0), (500, 3)]);
        let cogs = scalar(&t.db, &format!("SELECT cost_of_goods FROM bills WHERE id = {}", sale.bill_id())).await;
        assert_eq!(cogs, 4 * 100 + 4 * 300 + 500);
        assert_eq!(quantity(&t.db, "Curd").await, 3);
        assert_ledger_holds(&t.db).await;
    }

    async fn an_oversold_sale_changes_nothing_and_names_the_product(t: TestDb) {
        let user = common::clerk(&t.db, "c@shop.in").await;
        record(&t.db, &bill(BillKind::Purchase, user, "p", vec![line("Tea", 3, 100, None), line("Sugar", 50, 5, None)])).await.unwrap();
        let before = scalar(&t.db, "SELECT COUNT(*) FROM movements").await;
        let oversell = bill(BillKind::Sale, user, "s", vec![line("Sugar", 10, 6, None), line("Tea", 4, 150, None)]);
        match record(&t.db, &oversell).await.unwrap_err() {
            RecordError::NotEnoughStock { line, product, available, .. } => {
                assert_eq!((line, product.as_str(), available), (1, "Tea", 3));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM movements").await, before);
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM bills").await, 1);
        assert_eq!(quantity(&t.db, "Sugar").await, 50);
        // The key was not spent on the failure: the corrected bill can use it.
        let fixed = bill(BillKind::Sale, user, "s", vec![line("Tea", 3, 150, None)]);
        assert!(matches!(record(&t.db, &fixed).await.unwrap(), Recorded::New(_)));
        assert_ledger_holds(&t.db).await;
    }

    async fn selling_an_unknown_product_is_refused(t: TestDb) {
        let user = common::clerk(&t.db, "c@shop.in").await;
        let err = record(&t.db, &bill(BillKind::Sale, user, "s", vec![line("Ghost", 1, 1, None)])).await.unwrap_err();
        assert!(matches!(err, RecordError::UnknownProduct { line: 0, .. }), "{err:?}");
    }

    async fn the_same_key_records_once_and_belongs_to_its_user(t: TestDb) {
        let user = common::clerk(&t.db, "c@shop.in").await;
        let other = common::clerk(&t.db, "d@shop.in").await;
        let purchase = bill(BillKind::Purchase, user, "same-key", vec![line("Salt", 5, 20, None)]);
        let first = record(&t.db, &purchase).await.unwrap();
        let again = record(&t.db, &purchase).await.unwrap();
        assert_eq!(again, Recorded::Replayed(first.bill_id()));
        assert_eq!(quantity(&t.db, "Salt").await, 5);
        let stolen = bill(BillKind::Purchase, other, "same-key", vec![line("Salt", 5, 20, None)]);
        assert!(matches!(record(&t.db, &stolen).await.unwrap_err(), RecordError::ForeignKey));
    }

    async fn the_ledger_refuses_edits_and_deletes(t: TestDb) {
        let user = common::clerk(&t.db, "c@shop.in").await;
        record(&t.db, &bill(BillKind::Purchase, user, "p", vec![line("Oil", 1, 1, None)])).await.unwrap();
        assert!(sqlx::query("UPDATE movements SET quantity = 99").execute(t.db.pool_for_tests()).await.is_err());
        assert!(sqlx::query("DELETE FROM movements").execute(t.db.pool_for_tests()).await.is_err());
    }

    async fn fifty_simultaneous_sales_against_twenty_in_stock_sell_exactly_twenty(t: TestDb) {
        let user = common::clerk(&t.db, "c@shop.in").await;
        record(&t.db, &bill(BillKind::Purchase, user, "p", vec![line("Eggs", 20, 500, Some("2026-12-24"))])).await.unwrap();
        let sales = (0..50).map(|i| {
            let db = t.db.clone();
            tokio::spawn(async move { record(&db, &bill(BillKind::Sale, user, &format!("s{i}"), vec![line("Eggs", 1, 700, None)])).await })
        });
        let mut sold = 0;
        for sale in futures_join(sales).await {
            match sale {
                Ok(Recorded::New(_)) => sold += 1,
                Err(RecordError::NotEnoughStock { available: 0, .. }) => {}
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!(sold, 20);
        assert_eq!(quantity(&t.db, "Eggs").await, 0);
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM movements WHERE kind = 'sale'").await, 20);
        assert_ledger_holds(&t.db).await;
    }

    async fn ten_concurrent_submits_of_one_key_make_one_bill(t: TestDb) {
        let user = common::clerk(&t.db, "c@shop.in").await;
        let submits = (0..10).map(|_| {
            let db = t.db.clone();
            tokio::spawn(async move { record(&db, &bill(BillKind::Purchase, user, "double-click", vec![line("Ghee", 2, 900, None)])).await })
        });
        let ids: Vec<i64> = futures_join(submits).await.into_iter().map(|r| r.unwrap().bill_id()).collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM bills").await, 1);
        assert_eq!(quantity(&t.db, "Ghee").await, 2);
    }
}

/// Every page of the expiry list up to `until`, read forwards (`Later`) and back (`Sooner`).
async fn expiry_pages(db: &Db, until: &str, per_page: i64) -> (Vec<Vec<i64>>, Vec<Vec<i64>>) {
    let ids = |page: &Page<ExpiringLot>| page.rows.iter().map(|l| l.lot_id).collect::<Vec<_>>();
    let (mut forward, mut back) = (Vec::new(), Vec::new());
    let mut page = expiring(db, day("2026-01-10"), day(until), Seek::Newest, per_page)
        .await
        .unwrap();
    assert!(page.newer.is_none());
    forward.push(ids(&page));
    while let Some(later) = page.older {
        page = expiring(
            db,
            day("2026-01-10"),
            day(until),
            Seek::Before(later),
            per_page,
        )
        .await
        .unwrap();
        forward.push(ids(&page));
    }
    back.push(ids(&page));
    while let Some(sooner) = page.newer {
        page = expiring(
            db,
            day("2026-01-10"),
            day(until),
            Seek::After(sooner),
            per_page,
        )
        .await
        .unwrap();
        back.push(ids(&page));
    }
    back.reverse();
    (forward, back)
}

async fn expiry_list_pages_soonest_first_both_ways_and_the_badge_count_is_capped(
    t: common::TestDb,
) {
    let user = common::clerk(&t.db, "c@shop.in").await;
    // Seven dated lots over four days (two share a day), one lot without a date, one beyond the window.
    let dates = [
        "2026-01-12",
        "2026-01-08",
        "2026-01-10",
        "2026-01-08",
        "2026-01-11",
        "2026-01-09",
        "2026-01-13",
    ];
    let mut lines: Vec<Line> = dates
        .iter()
        .enumerate()
        .map(|(i, d)| line(&format!("Curd {i}"), 2, 40, Some(d)))
        .collect();
    lines.push(line("Salt", 5, 20, None));
    lines.push(line("Ghee", 5, 90, Some("2026-02-01")));
    record(&t.db, &bill(BillKind::Purchase, user, "lots", lines))
        .await
        .unwrap();
    let (forward, back) = expiry_pages(&t.db, "2026-01-13", 3).await;
    assert_eq!(forward.len(), 3);
    assert_eq!(forward, back, "paging back retraces the pages");
    let all: Vec<i64> = forward.concat();
    let order: Vec<(String, i64)> = sqlx::query(
        "SELECT expires_on, id FROM lots WHERE expires_on <= '2026-01-13' ORDER BY expires_on, id",
    )
    .fetch_all(t.db.pool_for_tests())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    assert_eq!(
        all,
        order.iter().map(|(_, id)| *id).collect::<Vec<_>>(),
        "soonest first, every lot once"
    );
    let first = expiring(&t.db, day("2026-01-10"), day("2026-01-13"), Seek::Newest, 3)
        .await
        .unwrap();
    assert_eq!(
        (
            first.rows[0].expires_on.to_string().as_str(),
            first.rows[0].days_left
        ),
        ("2026-01-08", -2)
    );
    // Sold-out lots leave the list.
    record(
        &t.db,
        &bill(
            BillKind::Sale,
            user,
            "sell",
            vec![line("Curd 1", 2, 60, None)],
        ),
    )
    .await
    .unwrap();
    assert_eq!(expiring_count(&t.db, day("2026-01-13")).await.unwrap(), 6);
    assert_eq!(
        expiry_pages(&t.db, "2026-01-13", 3).await.0.concat().len(),
        6
    );
    // The badge counts exactly up to COUNT_CAP, then says "more" (COUNT_CAP + 1).
    sqlx::query("UPDATE lots SET expires_on = '2026-01-09' WHERE remaining > 0")
        .execute(t.db.pool_for_tests())
        .await
        .unwrap();
    let product: i64 = scalar(&t.db, "SELECT MIN(product_id) FROM lots").await;
    for chunk in 0..11 {
        let values = (0..100)
            .map(|i| {
                format!(
                    "({product}, 1, 1, 1, 10, '2026-01-09', {})",
                    chunk * 100 + i
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!("INSERT INTO lots (product_id, bill_id, quantity_in, remaining, unit_cost, expires_on, received_at) VALUES {values}"))
            .execute(t.db.pool_for_tests()).await.unwrap();
    }
    assert_eq!(
        expiring_count(&t.db, day("2026-01-13")).await.unwrap(),
        COUNT_CAP + 1
    );
}

/// Awaits every task, in order.
async fn futures_join<T>(tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        out.push(task.await.unwrap());
    }
    out
}
