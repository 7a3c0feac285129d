//! Corrections and returns on both databases: counts, write-offs, sale and purchase returns,
//! replayed keys, races between instances, and the dashboard's figures after a mixed day
//! worked out by hand.

mod common;

use common::{assert_ledger_holds, line, numbered, scalar};
use sqlx::Row;
use stockroom::domain::bill::BillKind;
use stockroom::domain::bill_form::Line;
use stockroom::domain::bill_return::ReturnLine;
use stockroom::domain::calendar::Zone;
use stockroom::domain::period::Month;
use stockroom::domain::{Day, Money};
use stockroom::server::storage::audit::Actor;
use stockroom::server::storage::corrections::{self, CorrectionError, CountInput, WriteOffInput};
use stockroom::server::storage::dashboard::{figures, DashboardQuery};
use stockroom::server::storage::returns::{self, ReturnError, ReturnInput};
use stockroom::server::storage::stock::{record, BillInput, Recorded};
use stockroom::server::storage::{Db, PoolSettings};
use stockroom::server::zone::ShopZone;

/// 2026-01-15 10:00 UTC.
const NOW: i64 = 1_768_471_200;

async fn manager(db: &Db) -> Actor {
    Actor {
        id: common::clerk(db, "owner@shop.test").await,
        email: "owner@shop.test".into(),
        client_addr: "127.0.0.1".into(),
    }
}

async fn bill(
    db: &Db,
    kind: BillKind,
    actor: &Actor,
    key: &str,
    tax: u32,
    lines: Vec<Line>,
) -> i64 {
    let input = BillInput {
        kind,
        party: common::party("Ravi Traders"),
        lines: numbered(lines),
        tax_rate_bp: tax,
        user_id: actor.id,
        key: key.into(),
        now: NOW,
    };
    record(db, &input).await.unwrap().bill_id()
}

async fn product(db: &Db, name: &str) -> i64 {
    sqlx::query("SELECT id FROM products WHERE name = $1")
        .bind(name)
        .fetch_one(db.pool_for_tests())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn on_hand(db: &Db, name: &str) -> i64 {
    scalar(
        db,
        &format!("SELECT quantity FROM products WHERE name = '{name}'"),
    )
    .await
}

async fn average(db: &Db, name: &str) -> i64 {
    scalar(
        db,
        &format!("SELECT average_cost FROM products WHERE name = '{name}'"),
    )
    .await
}

/// The lot bill `bill` made of `name`: (id, remaining).
async fn lot_of(db: &Db, bill: i64, name: &str) -> (i64, i64) {
    let row = sqlx::query(
        "SELECT l.id, l.remaining FROM lots l JOIN products p ON p.id = l.product_id WHERE l.bill_id = $1 AND p.name = $2",
    )
    .bind(bill)
    .bind(name)
    .fetch_one(db.pool_for_tests())
    .await
    .unwrap();
    (row.try_get(0).unwrap(), row.try_get(1).unwrap())
}

/// The bill line of `name` on `bill`.
async fn line_of(db: &Db, bill: i64, name: &str) -> i64 {
    sqlx::query(
        "SELECT l.id FROM bill_lines l JOIN products p ON p.id = l.product_id WHERE l.bill_id = $1 AND p.name = $2",
    )
    .bind(bill)
    .bind(name)
    .fetch_one(db.pool_for_tests())
    .await
    .unwrap()
    .try_get(0)
    .unwrap()
}

fn count_of(product_id: i64, counted: i64, key: &str) -> CountInput {
    CountInput {
        product_id,
        counted,
        reason: "Stock-take".into(),
        key: format!("count:{key}"),
        now: NOW + 60,
    }
}

fn write_off_of(lot_id: i64, quantity: Option<i64>, key: &str) -> WriteOffInput {
    WriteOffInput {
        lot_id,
        quantity: quantity.map(stockroom::domain::measure::Typed::whole),
        reason: "Expired".into(),
        key: format!("write_off:{key}"),
        now: NOW + 60,
    }
}

fn return_of(bill: i64, lines: &[(i64, i64)], key: &str) -> ReturnInput {
    ReturnInput {
        original_bill_id: bill,
        lines: lines
            .iter()
            .enumerate()
            .map(|(index, &(line_id, quantity))| ReturnLine {
                index,
                line_id,
                quantity: stockroom::domain::measure::Typed::whole(quantity),
            })
            .collect(),
        reason: "Damaged".into(),
        key: format!("return:{key}"),
        now: NOW + 120,
    }
}

/// The shop of the worked example (see `a_mixed_day_gives_the_figures_worked_out_by_hand`).
struct Shop {
    actor: Actor,
    p1: i64,
    p2: i64,
    s1: i64,
}

async fn mixed_day(db: &Db) -> Shop {
    let actor = manager(db).await;
    // P1: Milk 10 at ₹20 (expires 20 Jan) and Rice 20 at ₹50; P2: Milk 10 at ₹30 (10 Feb).
    let p1 = bill(
        db,
        BillKind::Purchase,
        &actor,
        "p1",
        0,
        vec![
            line("Milk", 10, 2_000, Some("2026-01-20")),
            line("Rice", 20, 5_000, None),
        ],
    )
    .await;
    let p2 = bill(
        db,
        BillKind::Purchase,
        &actor,
        "p2",
        0,
        vec![line("Milk", 10, 3_000, Some("2026-02-10"))],
    )
    .await;
    // S1 (18% tax): Milk 12 at ₹40 (10 from the first lot, 2 from the second), Rice 5 at ₹70.
    let s1 = bill(
        db,
        BillKind::Sale,
        &actor,
        "s1",
        1_800,
        vec![line("Milk", 12, 4_000, None), line("Rice", 5, 7_000, None)],
    )
    .await;
    Shop { actor, p1, p2, s1 }
}

on_both_backends! {
    async fn a_count_below_the_books_takes_units_first_expiry_first_at_their_cost(t: TestDb) {
        let shop = mixed_day(&t.db).await;
        let rice = product(&t.db, "Rice").await;
        let done = corrections::count(&t.db, &count_of(rice, 13, "c1"), &shop.actor).await.unwrap();
        assert!(!done.replayed);
        assert_eq!(on_hand(&t.db, "Rice").await, 13);
        assert_eq!(scalar(&t.db, "SELECT CAST(SUM(quantity * unit_cost) AS BIGINT) FROM movements WHERE kind = 'adjustment'").await, -2 * 5_000);
        assert_eq!(scalar(&t.db, "SELECT on_hand FROM corrections").await, 15, "the books at commit");
        assert_eq!(average(&t.db, "Rice").await, 5_000, "a shortfall leaves the average");
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'stock_counted'").await, 1);
        assert_ledger_holds(&t.db).await;
    }

    async fn a_count_above_the_books_enters_a_lot_at_the_average_cost_without_expiry(t: TestDb) {
        let shop = mixed_day(&t.db).await;
        let milk = product(&t.db, "Milk").await;
        corrections::count(&t.db, &count_of(milk, 11, "c1"), &shop.actor).await.unwrap();
        assert_eq!(on_hand(&t.db, "Milk").await, 11);
        let lot = sqlx::query("SELECT quantity_in, unit_cost, expires_on, bill_id FROM lots WHERE correction_id IS NOT NULL")
            .fetch_one(t.db.pool_for_tests()).await.unwrap();
        let (quantity, cost): (i64, i64) = (lot.try_get(0).unwrap(), lot.try_get(1).unwrap());
        let (expires, bill): (Option<String>, Option<i64>) = (lot.try_get(2).unwrap(), lot.try_get(3).unwrap());
        assert_eq!((quantity, cost, expires, bill), (3, 2_500, None, None));
        // An equal count records the count and moves nothing.
        let before = scalar(&t.db, "SELECT COUNT(*) FROM movements").await;
        corrections::count(&t.db, &count_of(milk, 11, "c2"), &shop.actor).await.unwrap();
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM movements").await, before);
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM corrections").await, 2);
        assert_ledger_holds(&t.db).await;
    }

    async fn a_write_off_removes_a_lots_units_and_never_more_than_it_holds(t: TestDb) {
        let shop = mixed_day(&t.db).await;
        let (lot, remaining) = lot_of(&t.db, shop.p2, "Milk").await;
        assert_eq!(remaining, 8);
        let too_many = corrections::write_off(&t.db, &write_off_of(lot, Some(9), "w1"), &shop.actor).await;
        assert!(matches!(too_many, Err(CorrectionError::NotEnoughInLot { available: 8, .. })), "{too_many:?}");
        assert_eq!(on_hand(&t.db, "Milk").await, 8, "nothing changed");
        corrections::write_off(&t.db, &write_off_of(lot, Some(3), "w1"), &shop.actor).await.unwrap();
        assert_eq!((lot_of(&t.db, shop.p2, "Milk").await.1, on_hand(&t.db, "Milk").await), (5, 5));
        corrections::write_off(&t.db, &write_off_of(lot, None, "w2"), &shop.actor).await.unwrap();
        assert_eq!((lot_of(&t.db, shop.p2, "Milk").await.1, on_hand(&t.db, "Milk").await), (0, 0));
        let empty = corrections::write_off(&t.db, &write_off_of(lot, None, "w3"), &shop.actor).await;
        assert!(matches!(empty, Err(CorrectionError::LotEmpty)), "{empty:?}");
        assert_eq!(scalar(&t.db, "SELECT CAST(SUM(-quantity * unit_cost) AS BIGINT) FROM movements WHERE kind = 'write_off'").await, 8 * 3_000);
        assert_ledger_holds(&t.db).await;
    }

    async fn a_replayed_correction_records_once(t: TestDb) {
        let shop = mixed_day(&t.db).await;
        let rice = product(&t.db, "Rice").await;
        let first = corrections::count(&t.db, &count_of(rice, 10, "same"), &shop.actor).await.unwrap();
        let again = corrections::count(&t.db, &count_of(rice, 10, "same"), &shop.actor).await.unwrap();
        assert_eq!((again.correction_id, again.replayed), (first.correction_id, true));
        assert_eq!(on_hand(&t.db, "Rice").await, 10);
        let (lot, _) = lot_of(&t.db, shop.p2, "Milk").await;
        let w = corrections::write_off(&t.db, &write_off_of(lot, Some(1), "once"), &shop.actor).await.unwrap();
        let w2 = corrections::write_off(&t.db, &write_off_of(lot, Some(1), "once"), &shop.actor).await.unwrap();
        assert_eq!((w2.correction_id, w2.replayed), (w.correction_id, true));
        assert_eq!(on_hand(&t.db, "Milk").await, 7);
        assert_ledger_holds(&t.db).await;
    }

    async fn a_sale_return_puts_units_back_into_their_lots_and_refunds_a_share_of_the_tax(t: TestDb) {
        let shop = mixed_day(&t.db).await;
        let milk_line = line_of(&t.db, shop.s1, "Milk").await;
        let recorded = returns::record(&t.db, &return_of(shop.s1, &[(milk_line, 3)], "r1"), &shop.actor).await.unwrap();
        let r1 = recorded.bill_id();
        assert!(matches!(recorded, Recorded::New(_)));
        // Undoing the sale from its end: 2 into the second lot (₹30), 1 into the first (₹20).
        assert_eq!(lot_of(&t.db, shop.p2, "Milk").await.1, 10);
        assert_eq!(lot_of(&t.db, shop.p1, "Milk").await.1, 1);
        assert_eq!(on_hand(&t.db, "Milk").await, 11);
        let row = sqlx::query("SELECT kind, subtotal, tax, total, cost_of_goods, original_bill_id FROM bills WHERE id = $1")
            .bind(r1).fetch_one(t.db.pool_for_tests()).await.unwrap();
        let kind: String = row.try_get(0).unwrap();
        let sums: Vec<i64> = (1..6).map(|i| row.try_get(i).unwrap()).collect();
        // 3 × ₹40; tax: ₹149.40 × 120/830 = ₹21.60; the units had cost 2 × ₹30 + ₹20.
        assert_eq!((kind.as_str(), sums), ("sale_return", vec![12_000, 2_160, 14_160, 8_000, shop.s1]));
        // (8 × 25.00 + 2 × 30.00) / 10 = 26.00, then (10 × 26.00 + 20.00) / 11 = 25.45.
        assert_eq!(average(&t.db, "Milk").await, 2_545);
        // At most what is still out: 12 sold, 3 back.
        let too_many = returns::record(&t.db, &return_of(shop.s1, &[(milk_line, 10)], "r2"), &shop.actor).await;
        assert!(matches!(too_many, Err(ReturnError::TooMany { line: 0, returnable: 9, .. })), "{too_many:?}");
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM bills WHERE kind = 'sale_return'").await, 1, "nothing written");
        returns::record(&t.db, &return_of(shop.s1, &[(milk_line, 9)], "r2"), &shop.actor).await.unwrap();
        assert_eq!(on_hand(&t.db, "Milk").await, 20);
        assert_eq!(scalar(&t.db, "SELECT CAST(SUM(tax) AS BIGINT) FROM bills WHERE kind = 'sale_return'").await,
                   scalar(&t.db, &format!("SELECT tax * 48000 / 83000 FROM bills WHERE id = {}", shop.s1)).await,
                   "everything of a line back: its share of the tax, no more");
        assert_ledger_holds(&t.db).await;
    }

    async fn a_purchase_return_takes_units_out_of_its_lot_and_moves_the_average_cost(t: TestDb) {
        let shop = mixed_day(&t.db).await;
        let milk_line = line_of(&t.db, shop.p2, "Milk").await;
        // P2's lot has 8 left (2 were sold): more cannot go back.
        let too_many = returns::record(&t.db, &return_of(shop.p2, &[(milk_line, 9)], "pr"), &shop.actor).await;
        assert!(matches!(too_many, Err(ReturnError::TooMany { returnable: 8, .. })), "{too_many:?}");
        returns::record(&t.db, &return_of(shop.p2, &[(milk_line, 4)], "pr"), &shop.actor).await.unwrap();
        assert_eq!((lot_of(&t.db, shop.p2, "Milk").await.1, on_hand(&t.db, "Milk").await), (4, 4));
        // (8 × 25.00 − 4 × 30.00) / 4 = 20.00, within the ₹30 of the lot still holding stock: 30.00.
        assert_eq!(average(&t.db, "Milk").await, 3_000);
        assert_eq!(scalar(&t.db, "SELECT subtotal FROM bills WHERE kind = 'purchase_return'").await, 4 * 3_000);
        // A return is not returned.
        let r = scalar(&t.db, "SELECT id FROM bills WHERE kind = 'purchase_return'").await;
        let again = returns::record(&t.db, &return_of(r, &[(milk_line, 1)], "pr2"), &shop.actor).await;
        assert!(matches!(again, Err(ReturnError::IsAReturn)), "{again:?}");
        assert_ledger_holds(&t.db).await;
    }

    async fn a_replayed_return_records_once(t: TestDb) {
        let shop = mixed_day(&t.db).await;
        let rice_line = line_of(&t.db, shop.s1, "Rice").await;
        let input = return_of(shop.s1, &[(rice_line, 2)], "twice");
        let first = returns::record(&t.db, &input, &shop.actor).await.unwrap();
        let again = returns::record(&t.db, &input, &shop.actor).await.unwrap();
        assert_eq!(again, Recorded::Replayed(first.bill_id()));
        assert_eq!(on_hand(&t.db, "Rice").await, 17);
    }

    async fn twenty_returns_of_one_line_on_two_instances_never_return_more_than_was_sold(t: TestDb) {
        let shop = mixed_day(&t.db).await;
        let rice_line = line_of(&t.db, shop.s1, "Rice").await;
        let second = Db::connect(&t.url, &PoolSettings::default()).await.unwrap();
        let tasks: Vec<_> = (0..20).map(|i| {
            let db = if i % 2 == 0 { t.db.clone() } else { second.clone() };
            let (actor, input) = (shop.actor.clone(), return_of(shop.s1, &[(rice_line, 1)], &format!("race-{i}")));
            tokio::spawn(async move { returns::record(&db, &input, &actor).await })
        }).collect();
        let mut back = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(Recorded::New(_)) => back += 1,
                Err(ReturnError::TooMany { returnable: 0, .. }) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(back, 5, "5 were sold");
        assert_eq!(on_hand(&t.db, "Rice").await, 20);
        assert_ledger_holds(&t.db).await;
        second.close().await;
    }

    async fn a_count_racing_a_sale_leaves_the_count_less_what_sold_after_it(t: TestDb) {
        let actor = manager(&t.db).await;
        let second = Db::connect(&t.url, &PoolSettings::default()).await.unwrap();
        for round in 0..5 {
            let name = format!("Tea {round}");
            bill(&t.db, BillKind::Purchase, &actor, &format!("tp{round}"), 0, vec![line(&name, 10, 100, None)]).await;
            let id = product(&t.db, &name).await;
            let (db, a, n) = (second.clone(), actor.clone(), name.clone());
            let sale = tokio::spawn(async move {
                let input = BillInput {
                    kind: BillKind::Sale,
                    party: common::party("Asha"),
                    lines: numbered(vec![line(&n, 3, 200, None)]),
                    tax_rate_bp: 0,
                    user_id: a.id,
                    key: format!("ts{round}"),
                    now: NOW + 1,
                };
                record(&db, &input).await.unwrap().bill_id()
            });
            let counted = corrections::count(&t.db, &count_of(id, 10, &format!("tc{round}")), &actor).await.unwrap();
            let sale_bill = sale.await.unwrap();
            let sale_first = scalar(&t.db, &format!("SELECT MIN(id) FROM movements WHERE bill_id = {sale_bill}")).await
                < scalar(&t.db, &format!("SELECT COALESCE(MIN(id), 1000000000) FROM movements WHERE correction_id = {}", counted.correction_id)).await;
            let on_hand_at_count = scalar(&t.db, &format!("SELECT on_hand FROM corrections WHERE id = {}", counted.correction_id)).await;
            let expected = if on_hand_at_count == 7 { 10 } else { 7 };
            assert_eq!(on_hand(&t.db, &name).await, expected, "round {round}: sale first: {sale_first}, books at the count: {on_hand_at_count}");
        }
        assert_ledger_holds(&t.db).await;
        second.close().await;
    }

    async fn a_mixed_day_gives_the_figures_worked_out_by_hand(t: TestDb) {
        let shop = mixed_day(&t.db).await;
        let rice = product(&t.db, "Rice").await;
        let milk_sold = line_of(&t.db, shop.s1, "Milk").await;
        returns::record(&t.db, &return_of(shop.s1, &[(milk_sold, 3)], "r1"), &shop.actor).await.unwrap();
        corrections::count(&t.db, &count_of(rice, 13, "c1"), &shop.actor).await.unwrap();
        let (first_milk_lot, _) = lot_of(&t.db, shop.p1, "Milk").await;
        corrections::write_off(&t.db, &write_off_of(first_milk_lot, None, "w1"), &shop.actor).await.unwrap();
        let milk_bought = line_of(&t.db, shop.p2, "Milk").await;
        returns::record(&t.db, &return_of(shop.p2, &[(milk_bought, 5)], "pr1"), &shop.actor).await.unwrap();
        corrections::count(&t.db, &count_of(rice, 15, "c2"), &shop.actor).await.unwrap();

        let month = Month { year: 2026, month: 1 };
        let today = ShopZone::utc().day_of(NOW + 3_600);
        let query = DashboardQuery {
            from: Day::from_ymd(2026, 1, 1).unwrap(),
            to: Day::from_ymd(2026, 1, 31).unwrap(),
            months: vec![month],
            today,
            expiring_until: today.plus_days(3).unwrap(),
        };
        let f = figures(&t.db, &query).await.unwrap();
        let m = Money::from_minor;
        // Earned: S1 (12 × ₹40 + 5 × ₹70 = ₹830) less the return (3 × ₹40).
        assert_eq!(f.totals.earned, m(83_000 - 12_000));
        // Spent: P1 (10 × ₹20 + 20 × ₹50) and P2 (10 × ₹30), less 5 × ₹30 back to the supplier.
        assert_eq!(f.totals.spent, m(120_000 + 30_000 - 15_000));
        // Cost of goods: 10 × ₹20 + 2 × ₹30 + 5 × ₹50, less what the 3 returned units cost (2 × ₹30 + ₹20).
        assert_eq!(f.totals.cost_of_goods, m(26_000 + 25_000 - 8_000));
        // Losses: 2 rice counted missing (₹100) + the last milk of P1's lot (₹20) − 2 rice found (₹100).
        assert_eq!(f.totals.losses, m(10_000 + 2_000 - 10_000));
        assert_eq!((f.totals.units_sold, f.totals.units_bought), (17 - 3, 40 - 5));
        assert_eq!(f.months[0].1.losses, m(2_000));
        assert_eq!(f.months[0].1.earned, m(71_000));
        // Left: 5 milk at ₹30, 13 + 2 rice at ₹50.
        assert_eq!(f.stock_value, m(5 * 3_000 + 15 * 5_000));
        assert_eq!(f.top_by_units[0].units, 9, "milk, net of the return");
        assert_ledger_holds(&t.db).await;
    }
}

// ---- Over HTTP, as a browser without JavaScript sends the forms ---------------------------

mod http {
    use super::*;
    use axum::http::{header, StatusCode};
    use common::app::{App, MANAGER, STAFF};
    use common::{encode, key_after};

    async fn manager_id(app: &App) -> i64 {
        scalar(
            app.db(),
            "SELECT id FROM users WHERE email = 'manager@shop.test'",
        )
        .await
    }

    /// Buys `quantity` of `name` (expiring on `expires`) and sells `sold` of it; returns the
    /// sale's id.
    async fn stock_up(
        app: &App,
        name: &str,
        quantity: i64,
        expires: Option<&str>,
        sold: i64,
    ) -> i64 {
        let user = manager_id(app).await;
        let input = |kind, key: &str, lines| BillInput {
            kind,
            party: common::party("Ravi Traders"),
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
                "http-p",
                numbered(vec![line(name, quantity, 1_000, expires)]),
            ),
        )
        .await
        .unwrap();
        if sold == 0 {
            return 0;
        }
        record(
            app.db(),
            &input(
                BillKind::Sale,
                "http-s",
                numbered(vec![line(name, sold, 1_500, None)]),
            ),
        )
        .await
        .unwrap()
        .bill_id()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_manager_counts_stock_on_the_product_page_and_a_bad_count_changes_nothing() {
        let app = common::app::start().await;
        stock_up(&app, "Basmati Rice", 10, None, 0).await;
        let id = app.product_id("Basmati Rice").await;
        let cookie = app.sign_in(MANAGER).await;
        let page = app
            .get(&format!("/inventory/{id}"), Some(&cookie))
            .await
            .body;
        for name in [
            ">Count stock</h2>",
            ">Counted quantity</label>",
            ">Reason</label>",
            ">Record count</button>",
            ">Write off</button>",
        ] {
            assert!(page.contains(name), "the product page lacks {name}");
        }
        let key = key_after(&page, "h-count");
        let path = format!("/inventory/{id}");
        let bad = app
            .post_form(
                "/api/stock/count",
                &encode(&[
                    ("id", &id.to_string()),
                    ("counted", "-1"),
                    ("reason", "Stock-take"),
                    ("key", &key),
                ]),
                &path,
                Some(&cookie),
            )
            .await;
        let back = bad.header(header::LOCATION).to_owned();
        assert!(back.starts_with(&format!("/inventory/{id}?")), "{back}");
        let shown = app.get(&back, Some(&cookie)).await.body;
        assert!(shown.contains("A count cannot be below zero"), "{shown}");
        assert!(shown.contains(r#"value="-1""#), "the typing is kept");
        assert_eq!(on_hand(app.db(), "Basmati Rice").await, 10);
        let ok = app
            .post_form(
                "/api/stock/count",
                &encode(&[
                    ("id", &id.to_string()),
                    ("counted", "7"),
                    ("reason", "Stock-take"),
                    ("key", &key),
                ]),
                &path,
                Some(&cookie),
            )
            .await;
        assert_eq!(
            ok.header(header::LOCATION),
            format!("/inventory/{id}?counted=1")
        );
        assert_eq!(on_hand(app.db(), "Basmati Rice").await, 7);
        let after = app
            .get(&format!("/inventory/{id}?counted=1"), Some(&cookie))
            .await
            .body;
        assert!(
            after.contains("Count recorded.") && after.contains(">Adjustment<"),
            "the history names the kind"
        );
        // Staff see none of this, and its server functions refuse them.
        let staff = app.sign_in(STAFF).await;
        let theirs = app
            .get(&format!("/inventory/{id}"), Some(&staff))
            .await
            .body;
        assert!(
            !theirs.contains("Record count")
                && !theirs.contains(">Write off</button>")
                && !theirs.contains("average cost")
        );
        let refused = app
            .call(
                "/api/stock/count",
                &encode(&[
                    ("id", &id.to_string()),
                    ("counted", "1"),
                    ("reason", "x"),
                    ("key", &key),
                ]),
                Some(&staff),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(on_hand(app.db(), "Basmati Rice").await, 7);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_expiring_lot_is_written_off_from_the_expiry_list() {
        let app = common::app::start().await;
        let soon = ShopZone::utc()
            .day_of(stockroom::server::clock::Clock::system().now())
            .plus_days(1)
            .unwrap()
            .to_string();
        stock_up(&app, "Toor Dal", 6, Some(&soon), 1).await;
        let cookie = app.sign_in(MANAGER).await;
        let page = app.get("/expiry", Some(&cookie)).await.body;
        assert!(
            page.contains("Toor Dal") && page.contains(">Write off</button>"),
            "{page}"
        );
        let lot = scalar(app.db(), "SELECT id FROM lots").await.to_string();
        let key = key_after(&page, "Toor Dal");
        let done = app
            .post_form(
                "/api/stock/write-off",
                &encode(&[
                    ("lot", &lot),
                    ("from", "expiry"),
                    ("reason", "Expired"),
                    ("key", &key),
                ]),
                "/expiry",
                Some(&cookie),
            )
            .await;
        assert_eq!(done.header(header::LOCATION), "/expiry?written_off=1");
        let after = app.get("/expiry?written_off=1", Some(&cookie)).await.body;
        assert!(
            after.contains("Written off.") && !after.contains(">Toor Dal<"),
            "{after}"
        );
        assert_eq!(on_hand(app.db(), "Toor Dal").await, 0);
        let history = app
            .get("/transactions?kind=write_off", Some(&cookie))
            .await
            .body;
        assert!(
            history.contains(">Write-off<"),
            "the ledger shows the label, not the stored word"
        );
        let staff = app.sign_in(STAFF).await;
        assert!(!app
            .get("/expiry", Some(&staff))
            .await
            .body
            .contains(">Write off</button>"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_return_is_refused_beyond_what_was_sold_and_otherwise_lands_on_the_new_bill() {
        let app = common::app::start().await;
        let sale = stock_up(&app, "Rice Flour", 8, None, 5).await;
        let cookie = app.sign_in(MANAGER).await;
        let bill_page = app.get(&format!("/bills/{sale}"), Some(&cookie)).await.body;
        assert!(bill_page.contains(">Return items</a>"));
        let form_page = format!("/bills/{sale}/return");
        let page = app.get(&form_page, Some(&cookie)).await.body;
        for name in [
            ">Return quantity</label>",
            ">Reason</label>",
            ">Record return</button>",
        ] {
            assert!(page.contains(name), "the return page lacks {name}");
        }
        let line = line_of(app.db(), sale, "Rice Flour").await.to_string();
        let key = key_after(&page, r#"name="bill""#);
        let form = |quantity: &str| {
            encode(&[
                ("bill", &sale.to_string()),
                ("lines[0][line]", &line),
                ("lines[0][quantity]", quantity),
                ("reason", "Damaged"),
                ("key", &key),
            ])
        };
        let too_many = app
            .post_form("/api/bills/return", &form("6"), &form_page, Some(&cookie))
            .await;
        let back = too_many.header(header::LOCATION).to_owned();
        assert!(
            back.starts_with(&format!("/bills/{sale}/return?")),
            "{back}"
        );
        let shown = app.get(&back, Some(&cookie)).await.body;
        assert!(
            shown.contains("At most 5 pcs of Rice Flour can come back"),
            "{shown}"
        );
        assert_eq!(
            scalar(
                app.db(),
                "SELECT COUNT(*) FROM bills WHERE kind = 'sale_return'"
            )
            .await,
            0
        );
        let done = app
            .post_form("/api/bills/return", &form("2"), &form_page, Some(&cookie))
            .await;
        let new_bill = done.header(header::LOCATION).to_owned();
        assert!(new_bill.starts_with("/bills/"), "{new_bill}");
        let shown = app.get(&new_bill, Some(&cookie)).await.body;
        assert!(
            shown.contains("Sale return SR-") && shown.contains("Return of"),
            "{shown}"
        );
        assert!(
            !shown.contains(">Return items</a>"),
            "a return is not returned"
        );
        let original = app.get(&format!("/bills/{sale}"), Some(&cookie)).await.body;
        assert!(original.contains(">Returns</h2>") && original.contains("SR-"));
        assert!(app
            .get("/bills", Some(&cookie))
            .await
            .body
            .contains(">Sale return<"));
        assert_eq!(on_hand(app.db(), "Rice Flour").await, 5);
        let staff = app.sign_in(STAFF).await;
        assert!(!app
            .get(&format!("/bills/{sale}"), Some(&staff))
            .await
            .body
            .contains("Return items"));
        assert_eq!(
            app.get(&form_page, Some(&staff)).await.status,
            StatusCode::FORBIDDEN
        );
    }
}
