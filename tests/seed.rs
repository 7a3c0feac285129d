//! The benchmark seeder writes a history that obeys every ledger rule, on both databases, and
//! leaves the app able to record more on top of it.

mod common;

use common::{assert_ledger_holds, scalar};
use stockroom::domain::bill::BillKind;
use stockroom::server::seed::bulk::{seed, Plan, SeedError};
use stockroom::server::storage::stock::{record, BillInput, Recorded};

const NOW: i64 = 1_790_000_000;

fn plan() -> Plan {
    Plan {
        products: 120,
        movements: 3_000,
        seed: 11,
        now: NOW,
        tax_rate_bp: 500,
        zone: stockroom::server::zone::ShopZone::utc(),
    }
}

on_both_backends! {
    async fn a_seeded_shop_keeps_the_ledger_invariant_and_takes_new_bills(t: TestDb) {
        let done = seed(&t.db, &t.url, &plan()).await.unwrap();
        assert_eq!(done.products, 120);
        assert!(done.movements >= 3_000);
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM movements").await, done.movements as i64);
        assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM bills").await, done.bills as i64);
        assert_ledger_holds(&t.db).await;
        // Lots are consumed in full before a later one is touched only under FEFO; at least
        // the totals must agree: every bill's total is its lines' sum plus 5% tax.
        let wrong_totals = scalar(
            &t.db,
            "SELECT COUNT(*) FROM bills b WHERE b.subtotal <> \
               (SELECT CAST(SUM(l.line_total) AS BIGINT) FROM bill_lines l WHERE l.bill_id = b.id) \
               OR b.total <> b.subtotal + b.tax",
        )
        .await;
        assert_eq!(wrong_totals, 0);
        // Sales' cost of goods is what their movements took from lots, and their subtotal what
        // their movements brought in (loose goods are priced per kg: the movements keep the
        // money, split over lots to the paisa).
        let wrong_cost = scalar(
            &t.db,
            "SELECT COUNT(*) FROM bills b WHERE b.kind = 'sale' AND (b.cost_of_goods <> \
               (SELECT CAST(SUM(-m.cost) AS BIGINT) FROM movements m WHERE m.bill_id = b.id) \
               OR b.subtotal <> (SELECT CAST(SUM(-m.amount) AS BIGINT) FROM movements m WHERE m.bill_id = b.id))",
        )
        .await;
        assert!(
            scalar(&t.db, "SELECT COUNT(*) FROM products WHERE loose = 1 AND unit = 'g' AND quantity > 0").await > 0,
            "the seeded shop sells loose goods"
        );
        assert_eq!(wrong_cost, 0);
        // Expired leftovers were written off, so the expiry list is what a shop would see.
        assert!(scalar(&t.db, "SELECT COUNT(*) FROM movements WHERE kind = 'write_off' AND bill_id IS NULL").await > 0);
        assert!(scalar(&t.db, "SELECT MAX(created_at) FROM movements").await <= NOW);

        // The app records on top of the seeded data (ids and sequences moved past it).
        let user = scalar(&t.db, "SELECT MIN(id) FROM users").await;
        let name: String = sqlx::query_scalar("SELECT name FROM products WHERE quantity > 0 ORDER BY id LIMIT 1")
            .fetch_one(t.db.pool_for_tests())
            .await
            .unwrap();
        let sale = BillInput {
            kind: BillKind::Sale,
            party: common::party("After the seed"),
            lines: vec![common::line(&name, 1, 100, None)],
            tax_rate_bp: 0,
            user_id: user,
            key: "after-seed".into(),
            now: NOW + 60,
        };
        assert!(matches!(record(&t.db, &sale).await.unwrap(), Recorded::New(_)));
        let purchase = BillInput { kind: BillKind::Purchase, key: "after-seed-2".into(), ..sale };
        assert!(matches!(record(&t.db, &purchase).await.unwrap(), Recorded::New(_)));
        assert_ledger_holds(&t.db).await;

        // A second seed refuses a shop with data.
        assert!(matches!(seed(&t.db, &t.url, &plan()).await, Err(SeedError::NotEmpty(_))));
    }
}
