//! Loose goods in the units people think in, on both databases: rice kept in grams is bought,
//! sold, returned, counted and written off in kilograms at prices per kilogram, and the bill,
//! the ledger's movements, the lots' value and the dashboard's sums agree to the paisa even
//! when a line is split over lots and every part of it has half a paisa to round.

mod common;

use common::{assert_bills_complete, assert_ledger_holds, line, party, scalar};
use stockroom::domain::bill::BillKind;
use stockroom::domain::bill_form::Line;
use stockroom::domain::bill_return::ReturnLine;
use stockroom::domain::measure::Typed;
use stockroom::domain::product_form::ProductDraft;
use stockroom::domain::{Measure, Money, Name};
use stockroom::server::storage::audit::Actor;
use stockroom::server::storage::corrections::{self, CountInput, WriteOffInput};
use stockroom::server::storage::products::{self, NewProduct, MEASURE_FIXED};
use stockroom::server::storage::returns::{self, ReturnInput};
use stockroom::server::storage::stock::{record, BillInput, RecordError};
use stockroom::server::storage::{Db, StorageError};

const NOON: i64 = 1_768_478_400;

/// A line of `typed` (as a person types it: `0.333` is 333 g of a loose product) at `amount`
/// minor units per kg.
fn kg(product: &str, typed: &str, amount: i64) -> Line {
    Line {
        quantity: Typed::parse(typed).unwrap(),
        ..line(product, 1, amount, None)
    }
}

async fn bill(db: &Db, kind: BillKind, key: &str, lines: Vec<Line>) -> i64 {
    common::bill(db, kind, party("Ravi Traders"), key, NOON, lines).await
}

fn actor(id: i64) -> Actor {
    Actor {
        id,
        email: "clerk@shop.test".into(),
        client_addr: "127.0.0.1".into(),
    }
}

async fn rice(db: &Db) -> i64 {
    let rice = NewProduct {
        name: "Sona Masoori Rice",
        sku: None,
        unit: "g",
        loose: true,
        selling_price: Money::from_minor(14_500),
        lower_limit: None,
        upper_limit: None,
    };
    products::insert(db, &rice, NOON).await.unwrap()
}

on_both_backends! {
    async fn rice_sold_loose_in_kg_agrees_to_the_paisa_on_bills_lots_and_summaries(t: TestDb) {
        let db = &t.db;
        let clerk = common::clerk(db, "clerk@shop.test").await;
        let id = rice(db).await;
        // Two lots: 111 g at ₹101.11 / kg (₹11.22321 → ₹11.22) and 500 g at ₹100.01 / kg
        // (₹50.005 → ₹50.01).
        let first = bill(db, BillKind::Purchase, "p1", vec![kg("Sona Masoori Rice", "0.111", 10_111)]).await;
        bill(db, BillKind::Purchase, "p2", vec![kg("Sona Masoori Rice", "0.5", 10_001)]).await;
        assert_eq!(scalar(db, &format!("SELECT subtotal FROM bills WHERE id = {first}")).await, 1_122);

        // 0.222 kg at ₹145.00 / kg is exactly ₹32.19, taken 111 g from each lot. Each 111 g
        // alone is ₹16.095, which rounds to ₹16.10: priced on their own the parts would make
        // ₹32.20. As parts of the line they are ₹16.10 and ₹16.09.
        let sale = bill(db, BillKind::Sale, "s1", vec![kg("Sona Masoori Rice", "0.222", 14_500)]).await;
        assert_eq!(scalar(db, &format!("SELECT subtotal FROM bills WHERE id = {sale}")).await, 3_219);
        assert_eq!(
            scalar(db, &format!("SELECT CAST(SUM(amount) AS BIGINT) FROM movements WHERE bill_id = {sale}")).await,
            -3_219,
            "the lots' parts of the line add up to the line"
        );
        // What the sold rice cost: all of the first lot (₹11.22) and the second lot's value
        // before less after (₹50.01 − ₹38.90 = ₹11.11, where 111 g alone would be ₹11.10).
        assert_eq!(
            scalar(db, &format!("SELECT cost_of_goods FROM bills WHERE id = {sale}")).await,
            1_122 + 1_111
        );

        // 111 g come back: the refund is the first 111 g of the line (₹16.095 → ₹16.10), and
        // they go back into the second lot, which holds 500 g again.
        let line_id = scalar(db, &format!("SELECT MIN(id) FROM bill_lines WHERE bill_id = {sale}")).await;
        let give_back = ReturnInput {
            original_bill_id: sale,
            lines: vec![ReturnLine { index: 0, line_id, quantity: Typed::parse("0.111").unwrap() }],
            reason: "Damaged".into(),
            key: "return:r1".into(),
            now: NOON,
        };
        let back = returns::record(db, &give_back, &actor(clerk)).await.unwrap().bill_id();
        assert_eq!(scalar(db, &format!("SELECT subtotal FROM bills WHERE id = {back}")).await, 1_610);
        assert_ledger_holds(db).await;
        assert_bills_complete(db).await;

        // The shop's totals for the day are the bills' subtotals, to the paisa.
        assert_eq!(
            scalar(db, "SELECT CAST(SUM(earned) AS BIGINT) FROM daily_totals").await,
            scalar(db, "SELECT CAST(SUM(CASE WHEN kind = 'sale' THEN subtotal WHEN kind = 'sale_return' THEN -subtotal ELSE 0 END) AS BIGINT) FROM bills").await
        );
        assert_eq!(
            scalar(db, "SELECT CAST(SUM(spent) AS BIGINT) FROM daily_totals").await,
            1_122 + 5_001
        );

        // A count in kg, and a write-off of part of a lot in kg.
        let count = CountInput {
            product_id: id,
            counted: 250,
            reason: "Stock-take".into(),
            key: "count:rice".into(),
            now: NOON,
        };
        corrections::count(db, &count, &actor(clerk)).await.unwrap();
        let lot = scalar(db, &format!("SELECT MAX(id) FROM lots WHERE product_id = {id} AND remaining > 0")).await;
        let write_off = WriteOffInput {
            lot_id: lot,
            quantity: Some(Typed::parse("0.033").unwrap()),
            reason: "Damp".into(),
            key: "write_off:rice".into(),
            now: NOON,
        };
        corrections::write_off(db, &write_off, &actor(clerk)).await.unwrap();
        assert_eq!(scalar(db, &format!("SELECT quantity FROM products WHERE id = {id}")).await, 217);
        assert_ledger_holds(db).await;

        // People read it in kg.
        let product = products::get(db, id).await.unwrap().unwrap();
        assert_eq!(product.measure().show(product.quantity), "0.217 kg");

        // More than there is: the message says what is left in kg, and nothing is recorded.
        let input = BillInput {
            kind: BillKind::Sale,
            party: party("Walk-in"),
            lines: vec![kg("Sona Masoori Rice", "1", 14_500)],
            tax_rate_bp: 0,
            user_id: clerk,
            key: "sale:too-much".into(),
            now: NOON,
        };
        let refused = record(db, &input).await.unwrap_err();
        assert_eq!(refused.to_string(), "Not enough stock of Sona Masoori Rice: 0.217 kg available");
    }

    async fn packaged_goods_take_whole_numbers_and_a_product_with_history_keeps_its_measure(t: TestDb) {
        let db = &t.db;
        let clerk = common::clerk(db, "clerk@shop.test").await;
        bill(db, BillKind::Purchase, "p1", vec![line("Bath Soap", 10, 4_500, None)]).await;
        let input = BillInput {
            kind: BillKind::Sale,
            party: party("Walk-in"),
            lines: vec![kg("Bath Soap", "1.5", 5_000)],
            tax_rate_bp: 0,
            user_id: clerk,
            key: "sale:half-a-soap".into(),
            now: NOON,
        };
        let refused = record(db, &input).await.unwrap_err();
        assert!(matches!(refused, RecordError::Units { line: 0, .. }), "{refused:?}");
        assert_eq!(refused.to_string(), "Bath Soap is counted in whole pcs: enter a whole number");
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM bills WHERE kind = 'sale'").await, 0);

        // Rice with history cannot stop being loose (its prices are per kg); one without can.
        let id = rice(db).await;
        let draft = |loose: bool| ProductDraft {
            name: Name::parse("Sona Masoori Rice").unwrap(),
            selling_price: Money::from_minor(14_500),
            lower_limit: None,
            upper_limit: None,
            loose,
            sku: None,
            unit: None,
            tax_rate_bp: None,
            tax_code: None,
        };
        products::update(db, id, &draft(false), NOON).await.unwrap();
        products::update(db, id, &draft(true), NOON).await.unwrap();
        bill(db, BillKind::Purchase, "p2", vec![kg("Sona Masoori Rice", "2.5", 9_000)]).await;
        let fixed = products::update(db, id, &draft(false), NOON).await.unwrap_err();
        assert!(
            matches!(&fixed, StorageError::Conflict { constraint } if constraint == MEASURE_FIXED),
            "{fixed:?}"
        );
        let product = products::get(db, id).await.unwrap().unwrap();
        assert_eq!(product.measure(), Measure::new("g", true));
        assert_eq!(product.quantity, 2_500);

        // A name bought for the first time as `2.5 kg` (or `1.5 L`) is a loose product kept in
        // grams (millilitres); a unit that measures something else is refused by name.
        bill(
            db,
            BillKind::Purchase,
            "p3",
            vec![kg("Jaggery", "2.5 kg", 6_000), kg("Groundnut Oil", "1500 ml", 18_000), kg("Matches", "10 pcs", 100)],
        )
        .await;
        let measured = |name: &'static str| async move {
            let found = products::named(db, &[name.to_owned()]).await.unwrap().remove(0);
            (found.measure(), found.quantity)
        };
        assert_eq!(measured("Jaggery").await, (Measure::new("g", true), 2_500));
        assert_eq!(measured("Groundnut Oil").await, (Measure::new("ml", true), 1_500));
        assert_eq!(measured("Matches").await, (Measure::pieces(), 10));
        assert_eq!(
            scalar(db, "SELECT subtotal FROM bills WHERE id = (SELECT MAX(id) FROM bills)").await,
            15_000 + 27_000 + 1_000
        );
        let input = BillInput {
            lines: vec![kg("Bath Soap", "2 kg", 5_000)],
            key: "sale:soap-by-weight".into(),
            ..input
        };
        let refused = record(db, &input).await.unwrap_err();
        assert_eq!(refused.to_string(), "Bath Soap is counted in pcs: enter its quantity in pcs");
    }
}

/// Migrates a fresh database at `url` up to (not including) 0020, records a loose product
/// priced per gram the way earlier versions did (with a packaged one beside it), applies the
/// rest, and checks that prices and costs of the loose goods became per kg while every amount,
/// total and stock value stayed what it was.
async fn migration_of_loose_goods(url: &str, folder: &str) {
    use sqlx::migrate::Migrator;
    use sqlx::{Connection, Row};
    use std::borrow::Cow;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let all = Migrator::new(std::path::Path::new(folder)).await.unwrap();
    let before = Migrator {
        migrations: Cow::Owned(all.iter().filter(|m| m.version < 20).cloned().collect()),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    };
    before.run(&mut conn).await.unwrap();
    for sql in [
        "INSERT INTO users (id, email, first_name, last_name, role, password_hash, created_at) \
         VALUES (1, 'm@shop.test', 'M', 'K', 'manager', 'x', 0)",
        // Rice at 14 paise a gram (₹140 / kg), bought at 10 paise; soap per piece.
        "INSERT INTO products (id, name, name_key, unit, loose, selling_price, average_cost, quantity, created_at, updated_at) \
         VALUES (1, 'Rice', 'rice', 'g', 1, 14, 10, 700, 0, 0), (2, 'Soap', 'soap', 'pcs', 0, 4500, 3000, 3, 0, 0)",
        "INSERT INTO bills (id, kind, party_name, subtotal, tax_rate_bp, tax, total, created_by, created_at) \
         VALUES (1, 'purchase', 'Ravi', 19000, 0, 0, 19000, 1, 0), (2, 'sale', 'Asha', 4200, 0, 0, 4200, 1, 1)",
        "INSERT INTO bill_lines (bill_id, line_no, product_id, quantity, unit_price, line_total) \
         VALUES (1, 1, 1, 1000, 10, 10000), (1, 2, 2, 3, 3000, 9000), (2, 1, 1, 300, 14, 4200)",
        "INSERT INTO lots (id, product_id, bill_id, quantity_in, remaining, unit_cost, received_at) \
         VALUES (1, 1, 1, 1000, 700, 10, 0), (2, 2, 1, 3, 3, 3000, 0)",
        "INSERT INTO movements (product_id, kind, quantity, unit_amount, unit_cost, lot_id, bill_id, user_id, created_at) \
         VALUES (1, 'purchase', 1000, 10, 10, 1, 1, 1, 0), (2, 'purchase', 3, 3000, 3000, 2, 1, 1, 0), \
                (1, 'sale', -300, 14, 10, 1, 2, 1, 1)",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    all.run(&mut conn).await.unwrap();
    async fn row(conn: &mut sqlx::AnyConnection, sql: &str) -> Vec<i64> {
        let row = sqlx::query(sql).fetch_one(conn).await.unwrap();
        (0..row.len())
            .map(|i| row.try_get::<i64, _>(i).unwrap())
            .collect()
    }
    assert_eq!(
        row(
            &mut conn,
            "SELECT selling_price, average_cost FROM products WHERE id = 1"
        )
        .await,
        [14_000, 10_000]
    );
    assert_eq!(
        row(
            &mut conn,
            "SELECT selling_price, average_cost FROM products WHERE id = 2"
        )
        .await,
        [4_500, 3_000]
    );
    assert_eq!(
        row(&mut conn, "SELECT unit_cost FROM lots WHERE id = 1").await,
        [10_000]
    );
    assert_eq!(
        row(&mut conn, "SELECT unit_cost FROM lots WHERE id = 2").await,
        [3_000]
    );
    assert_eq!(
        row(
            &mut conn,
            "SELECT unit_price, line_total FROM bill_lines WHERE bill_id = 2"
        )
        .await,
        [14_000, 4_200]
    );
    assert_eq!(
        row(
            &mut conn,
            "SELECT unit_amount, unit_cost, amount, cost FROM movements WHERE kind = 'sale'"
        )
        .await,
        [14_000, 10_000, -4_200, -3_000]
    );
    assert_eq!(
        row(
            &mut conn,
            "SELECT amount, cost FROM movements WHERE kind = 'purchase' AND product_id = 2"
        )
        .await,
        [9_000, 9_000]
    );
    // The ledger is append-only again.
    assert!(sqlx::query("UPDATE movements SET amount = 0")
        .execute(&mut conn)
        .await
        .is_err());
    // The rice left is worth what it was: 700 g at ₹100.00 / kg.
    let rice = Measure::new("g", true);
    assert_eq!(
        rice.amount(700, Money::from_minor(10_000)),
        Some(Money::from_minor(7_000))
    );
}

#[tokio::test]
async fn the_migration_prices_loose_goods_per_kg_and_keeps_every_amount_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("stockroom_loose_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/before.db?mode=rwc", dir.display());
    migration_of_loose_goods(&url, "migrations/sqlite").await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_migration_prices_loose_goods_per_kg_and_keeps_every_amount_on_postgres() {
    use sqlx::Connection;
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("REQUIRE_POSTGRES").is_none(),
            "REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not"
        );
        return;
    };
    let name = format!("stockroom_loose_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    migration_of_loose_goods(
        &common::with_database(&admin_url, &name),
        "migrations/postgres",
    )
    .await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}
