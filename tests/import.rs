//! The catalogue import in storage, on both databases: creates, updates and opening stock in
//! one transaction; a file with one bad row, or a catalogue that changed since the check,
//! writes nothing; a replayed or racing `Import` records once; opening stock is neither
//! spending nor a loss. HTTP tests without JavaScript are in `tests/import_http.rs`.

mod common;

use common::{assert_ledger_holds, scalar};
use stockroom::domain::calendar::Zone;
use stockroom::domain::import::{check, Header, Report};
use stockroom::domain::period::Month;
use stockroom::domain::{Day, Money};
use stockroom::server::csv_format::records;
use stockroom::server::storage::audit::Actor;
use stockroom::server::storage::dashboard::{figures, DashboardQuery};
use stockroom::server::storage::imports::{self, ImportError};
use stockroom::server::storage::products::{self, NewProduct};
use stockroom::server::storage::Db;
use stockroom::server::zone::ShopZone;

/// 2026-01-15 10:00 UTC.
const NOW: i64 = 1_768_471_200;

/// A checked report of `file`, matched to `db`'s catalogue.
async fn checked(db: &Db, file: &str) -> Report {
    let mut rows = records(file.as_bytes()).unwrap().into_iter();
    let header = Header::parse(&rows.next().unwrap().1).unwrap();
    let checked = check(&header, rows);
    let mut report = Report {
        file_name: "test.csv".into(),
        rows: checked.rows,
        unknown_columns: checked.unknown_columns,
        ..Report::default()
    };
    report.add_problems(checked.problems);
    if report.problems.is_empty() {
        imports::plan(db, &mut report).await.unwrap();
    }
    report
}

/// The person `user` importing from a fixed address.
fn actor(user: i64, email: &str) -> Actor {
    Actor {
        id: user,
        email: email.to_owned(),
        client_addr: "203.0.113.9".to_owned(),
    }
}

/// Keeps `report` as upload `id` of a new manager, who imports it.
async fn kept(db: &Db, id: &str, report: &Report) -> Actor {
    let email = format!("{id}@shop.test");
    let user = common::clerk(db, &email).await;
    imports::save(db, id, user, report, NOW).await.unwrap();
    actor(user, &email)
}

async fn shop(db: &Db) {
    for (name, sku) in [("Toor Dal", Some("TD1")), ("Salt", None)] {
        let product = NewProduct {
            name,
            sku,
            unit: "pcs",
            loose: false,
            selling_price: Money::from_minor(16_000),
            lower_limit: Some(5),
            upper_limit: None,
        };
        products::insert(db, &product, 0).await.unwrap();
    }
}

const FILE: &str = "name;sku;unit;selling_price;quantity;unit_cost;expires_on;tax_rate\n\
                    toor dal;;;170,00;10;120;2026-06-30;5\n\
                    बासमती चावल;BR1;g;0.70;5000;0.40;;\n\
                    \"Ghee, \"\"pure\"\"\";;ml;;;;;\n";

async fn count(db: &Db, sql: &str) -> i64 {
    scalar(db, sql).await
}

on_both_backends! {
    async fn an_import_creates_updates_and_enters_opening_stock_in_one_go(t: TestDb) {
        shop(&t.db).await;
        // Semicolons between cells, and a decimal comma as such files have it.
        let report = checked(&t.db, FILE).await;
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let preview = report.preview();
        assert_eq!((preview.creates, preview.updates), (2, 1));
        assert_eq!((preview.opening_products, preview.opening_units), (2, 5_010));
        assert_eq!(preview.opening_value, Money::from_minor(10 * 12_000 + 5_000 * 40));
        let user = kept(&t.db, "u1", &report).await;
        let done = imports::apply(&t.db, "u1", &user, NOW + 60).await.unwrap();
        assert_eq!((done.products, done.replayed), (3, false));
        assert_eq!(
            count(&t.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'catalogue_imported' \
                          AND actor_email = 'u1@shop.test' AND client_addr = '203.0.113.9' \
                          AND detail = 'test.csv: 2 created, 1 updated, opening stock of 5010 units in 2 products'").await,
            1,
            "the audit trail says who imported what"
        );

        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM products").await, 4);
        assert_eq!(count(&t.db, "SELECT selling_price FROM products WHERE name = 'Toor Dal'").await, 17_000);
        assert_eq!(count(&t.db, "SELECT lower_limit FROM products WHERE name = 'Toor Dal'").await, 5, "an absent cell keeps");
        assert_eq!(count(&t.db, "SELECT tax_rate_bp FROM products WHERE name = 'Toor Dal'").await, 500);
        assert_eq!(count(&t.db, "SELECT quantity FROM products WHERE sku = 'BR1'").await, 5_000);
        assert_eq!(count(&t.db, "SELECT average_cost FROM products WHERE sku = 'BR1'").await, 40);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM products WHERE name = 'Ghee, \"pure\"' AND unit = 'ml' AND quantity = 0").await, 1);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM movements WHERE kind = 'opening_stock'").await, 2);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM lots WHERE expires_on = '2026-06-30' AND remaining = 10 AND bill_id IS NULL").await, 1);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM bills").await, 0, "opening stock is not a purchase bill");
        assert_ledger_holds(&t.db).await;

        // Not spending, not a loss, not units bought; it is stock the shop holds.
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
        assert_eq!((f.totals.spent, f.totals.losses), (Money::ZERO, Money::ZERO));
        assert_eq!(f.totals.units_bought, 0);
        assert_eq!(f.stock_value, Money::from_minor(10 * 12_000 + 5_000 * 40));
    }

    async fn a_file_with_one_bad_row_can_be_checked_but_never_imported(t: TestDb) {
        shop(&t.db).await;
        let file = "name,quantity,unit_cost\nRice,5,10\nDal,-1,10\nSugar,2,1\n";
        let report = checked(&t.db, file).await;
        let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems, ["Line 3: quantity: Enter a whole number from 0, or leave it empty"]);
        let user = kept(&t.db, "bad", &report).await;
        let refused = imports::apply(&t.db, "bad", &user, NOW).await;
        assert!(matches!(refused, Err(ImportError::HasProblems)), "{refused:?}");
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM products").await, 2);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM movements").await, 0);
        let (_, imported) = imports::get(&t.db, "bad", user.id, NOW).await.unwrap().unwrap();
        assert_eq!(imported, None);
    }

    async fn a_catalogue_that_changed_since_the_check_writes_nothing(t: TestDb) {
        shop(&t.db).await;
        let report = checked(&t.db, "name,selling_price,quantity,unit_cost\nToor Dal,99,5,10\nJaggery,50,3,20\n").await;
        let user = kept(&t.db, "late", &report).await;
        // Someone adds Jaggery by hand between the check and the import.
        let jaggery = NewProduct { name: "JAGGERY", sku: None, unit: "pcs", loose: false, selling_price: Money::ZERO, lower_limit: None, upper_limit: None };
        products::insert(&t.db, &jaggery, 0).await.unwrap();
        let refused = imports::apply(&t.db, "late", &user, NOW).await;
        assert!(matches!(refused, Err(ImportError::Changed)), "{refused:?}");
        assert_eq!(count(&t.db, "SELECT selling_price FROM products WHERE name = 'Toor Dal'").await, 16_000, "the update before it was undone");
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM movements").await, 0);
        assert_ledger_holds(&t.db).await;
    }

    async fn a_replayed_import_records_once(t: TestDb) {
        let report = checked(&t.db, "name,quantity,unit_cost\nRice,5,10\n").await;
        let user = kept(&t.db, "twice", &report).await;
        let first = imports::apply(&t.db, "twice", &user, NOW).await.unwrap();
        let again = imports::apply(&t.db, "twice", &user, NOW + 5).await.unwrap();
        assert_eq!((first.replayed, again.replayed), (false, true));
        assert_eq!(again.products, 1);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM movements").await, 1);
        assert_eq!(count(&t.db, "SELECT quantity FROM products WHERE name = 'Rice'").await, 5);
        let other = actor(common::clerk(&t.db, "other@shop.test").await, "other@shop.test");
        assert!(matches!(imports::apply(&t.db, "twice", &other, NOW).await, Err(ImportError::Gone)), "another manager's upload");
        assert_ledger_holds(&t.db).await;
    }

    async fn two_instances_importing_one_upload_at_once_record_it_once(t: TestDb) {
        let report = checked(&t.db, "name,quantity,unit_cost\nRice,5,10\nDal,3,20\n").await;
        let user = kept(&t.db, "race", &report).await;
        let second = Db::connect(&t.url, &stockroom::server::storage::PoolSettings::default()).await.unwrap();
        let (a, b) = tokio::join!(
            imports::apply(&t.db, "race", &user, NOW),
            imports::apply(&second, "race", &user, NOW),
        );
        let replays = [a.unwrap().replayed, b.unwrap().replayed];
        assert_eq!(replays.iter().filter(|r| !**r).count(), 1, "{replays:?}");
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM movements").await, 2);
        assert_ledger_holds(&t.db).await;
    }

    async fn an_upload_past_its_hour_cannot_be_imported(t: TestDb) {
        let report = checked(&t.db, "name\nRice\n").await;
        let user = kept(&t.db, "old", &report).await;
        let late = imports::apply(&t.db, "old", &user, NOW + imports::KEEP_SECS).await;
        assert!(matches!(late, Err(ImportError::Gone)), "{late:?}");
        assert!(imports::get(&t.db, "old", user.id, NOW + imports::KEEP_SECS).await.unwrap().is_none());
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM products").await, 0);
    }

    async fn rows_that_clash_with_the_catalogue_are_problems_before_anything_is_kept(t: TestDb) {
        shop(&t.db).await;
        let report = checked(&t.db, "name,sku\nSalt,TD1\nToor Dal,\ntoor dal 2,TD1x\n").await;
        let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "Line 2: sku: This SKU is Toor Dal's, but Salt has this name",
            ]
        );
        let twice = checked(&t.db, "name,sku\nRenamed,TD1\ntoor dal,\n").await;
        let problems: Vec<String> = twice.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems, ["Line 3: name: Line 2 updates the same product"]);
    }

    async fn a_file_longer_than_one_lookup_matches_every_row_it_names(t: TestDb) {
        // The rows are matched by looking up only the names and SKUs the file holds, a few
        // hundred per statement: rows far past the first statement's keys match as well.
        let mut first = String::from("name,sku\n");
        for n in 0..1_200 {
            first.push_str(&format!("Item {n:04},S{n:04}\n"));
        }
        let report = checked(&t.db, &first).await;
        assert_eq!(report.preview().creates, 1_200);
        let user = kept(&t.db, "first", &report).await;
        imports::apply(&t.db, "first", &user, NOW).await.unwrap();

        // Even rows by SKU under a new name, odd rows by name in other letters, and new ones.
        let mut second = String::from("name,sku,lower_limit\n");
        for n in 0..1_200 {
            if n % 2 == 0 {
                second.push_str(&format!("Renamed {n:04},S{n:04},3\n"));
            } else {
                second.push_str(&format!("ITEM  {n:04},,3\n"));
            }
        }
        for n in 0..10 {
            second.push_str(&format!("New {n},,3\n"));
        }
        let report = checked(&t.db, &second).await;
        assert!(report.problems.is_empty(), "{:?}", &report.problems[..1]);
        let preview = report.preview();
        assert_eq!((preview.creates, preview.updates), (10, 1_200));
        let user = kept(&t.db, "second", &report).await;
        imports::apply(&t.db, "second", &user, NOW + 60).await.unwrap();
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM products").await, 1_210);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM products WHERE lower_limit = 3").await, 1_210);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM products WHERE name = 'Renamed 1198' AND sku = 'S1198'").await, 1);

        // A clash between two products both found past the first statement's keys.
        let clash = checked(&t.db, "name,sku\nRenamed 1196,S1198\n").await;
        let problems: Vec<String> = clash.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems, ["Line 2: sku: This SKU is Renamed 1198's, but Renamed 1196 has this name"]);
    }
}

/// Times `Check file` (read, check, match) and `Import` of a 10,000-row file with opening
/// stock on each backend. Not part of the suite; run it with
/// `cargo test --release --features ssr --test import -- --ignored --nocapture timing`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test: run it by name"]
async fn timing_a_ten_thousand_row_import() {
    let mut file = String::from("name,sku,unit,selling_price,quantity,unit_cost,expires_on\n");
    for n in 0..10_000 {
        file.push_str(&format!(
            "\"Product {n:05}, large\",SKU{n:05},pcs,{}.50,{},{}.25,2027-06-30\n",
            10 + n % 500,
            1 + n % 40,
            5 + n % 300
        ));
    }
    let mut backends = vec![("SQLite", common::sqlite().await)];
    backends.extend(common::postgres().await.map(|t| ("PostgreSQL", t)));
    for (name, t) in backends {
        let started = std::time::Instant::now();
        let report = checked(&t.db, &file).await;
        let check = started.elapsed();
        assert!(report.problems.is_empty(), "{:?}", &report.problems[..1]);
        let user = kept(&t.db, "bench", &report).await;
        let started = std::time::Instant::now();
        let done = imports::apply(&t.db, "bench", &user, NOW).await.unwrap();
        let import = started.elapsed();
        assert_eq!(done.products, 10_000);
        println!("{name}: Check file {check:?}, Import {import:?} (10,000 rows)");
        assert_ledger_holds(&t.db).await;
    }
}
