//! Test harness: a fresh database per test on each backend, dropped when the test ends.
//!
//! SQLite tests use a new file in a temporary folder. PostgreSQL tests create a database named
//! `stockroom_test_…` on `TEST_POSTGRES_URL` and drop it afterwards. Without that variable the
//! PostgreSQL half is skipped with a notice — unless `REQUIRE_POSTGRES` is set (as CI does), when
//! a missing server fails the test instead of passing silently.
// Not `expect`: each test binary uses a different part of the harness, so whether anything is
// unused depends on the binary (and an unfulfilled `expect` would fail the one that uses all).
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

pub mod app;
pub mod statements;
pub mod wire;

use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};
use stockroom::server::storage::{Db, PoolSettings};

/// A staff account that records bills in storage tests (it never signs in).
pub async fn clerk(db: &Db, email: &str) -> i64 {
    use stockroom::domain::{Email, Role};
    use stockroom::server::storage::users::{self, NewAccount};
    let email = Email::parse(email).unwrap();
    let account = NewAccount {
        email: &email,
        first_name: "C",
        last_name: "K",
        role: Role::Staff,
        password_hash: "x",
    };
    users::insert(db, &account, 0).await.unwrap()
}

/// A checked bill line for storage tests: `quantity` of `product` at `amount` minor units,
/// optionally expiring; it stands first in its form (see [`numbered`]).
pub fn line(
    product: &str,
    quantity: i64,
    amount: i64,
    expires_on: Option<&str>,
) -> stockroom::domain::bill_form::Line {
    stockroom::domain::bill_form::Line {
        index: 0,
        product: stockroom::domain::Name::parse(product).unwrap(),
        // As typed: whole units (the products these tests sell are packaged).
        quantity: stockroom::domain::measure::Typed::whole(quantity),
        unit_amount: stockroom::domain::Money::from_minor(amount),
        expires_on: expires_on.map(|d| stockroom::domain::Day::parse(d).unwrap()),
    }
}

/// The lines as a form numbers them: line `i` is `lines[i]`.
pub fn numbered(
    lines: Vec<stockroom::domain::bill_form::Line>,
) -> Vec<stockroom::domain::bill_form::Line> {
    lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| stockroom::domain::bill_form::Line { index, ..line })
        .collect()
}

/// A party with a name only.
pub fn party(name: &str) -> stockroom::domain::bill_form::Party {
    stockroom::domain::bill_form::Party {
        name: stockroom::domain::Name::parse(name).unwrap(),
        phone: None,
        address: None,
    }
}

/// A form body or query string of `pairs`, encoded as a browser does.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Text percent-encoded for a query value.
pub fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The one-time key of the first form in `html` after `marker`.
pub fn key_after(html: &str, marker: &str) -> String {
    let from = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let needle = r#"name="key" value=""#;
    let start = from + html[from..].find(needle).expect("the form carries a key") + needle.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// The one number a query answers.
pub async fn scalar(db: &Db, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_one(db.pool_for_tests())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// on hand = sum of movements = sum of lot remainders, for every product; nothing negative.
/// And the sales summaries the recording transactions keep equal the ledger's sales.
pub async fn assert_ledger_holds(db: &Db) {
    assert_summaries_hold(db).await;
    let broken = scalar(
        db,
        "SELECT COUNT(*) FROM products p WHERE p.quantity < 0 \
           OR p.quantity <> (SELECT COALESCE(CAST(SUM(m.quantity) AS BIGINT), 0) FROM movements m WHERE m.product_id = p.id) \
           OR p.quantity <> (SELECT COALESCE(CAST(SUM(l.remaining) AS BIGINT), 0) FROM lots l WHERE l.product_id = p.id)",
    )
    .await;
    assert_eq!(broken, 0, "the ledger invariant is broken");
}

/// The kept summaries (each product's sales per day and per month, its 28-day rate, and the
/// shop's totals per day) are what the ledger says: recounting them finds no row different,
/// and the stock's value by its movements is its value by its lots.
pub async fn assert_summaries_hold(db: &Db) {
    let found = stockroom::server::storage::summaries::check(db)
        .await
        .unwrap();
    assert_eq!(
        (
            found.rows_differed,
            found.rates_differed,
            found.months_differed,
            found.totals_differed,
            found.stock_value_off
        ),
        (0, 0, 0, 0, 0),
        "the sales summaries differ from the ledger: {found:?}"
    );
}

/// Every bill is whole: it has lines, its subtotal is their sum, and its movements move exactly
/// its lines' quantities. No key is left claimed without a bill.
pub async fn assert_bills_complete(db: &Db) {
    let broken = scalar(
        db,
        "SELECT COUNT(*) FROM bills b WHERE \
            NOT EXISTS (SELECT 1 FROM bill_lines l WHERE l.bill_id = b.id) \
         OR b.subtotal <> (SELECT COALESCE(SUM(l.line_total), 0) FROM bill_lines l WHERE l.bill_id = b.id) \
         OR (SELECT COALESCE(SUM(l.quantity), 0) FROM bill_lines l WHERE l.bill_id = b.id) <> \
            (SELECT COALESCE(SUM(CASE WHEN m.quantity < 0 THEN -m.quantity ELSE m.quantity END), 0) \
               FROM movements m WHERE m.bill_id = b.id)",
    )
    .await;
    assert_eq!(broken, 0, "{broken} bills are incomplete");
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM idempotency_keys WHERE bill_id IS NULL"
        )
        .await,
        0,
        "a key is claimed without a bill"
    );
}

/// Records a bill of `kind` from or to `party` at `at`, as the first user, at the shop's rate
/// of 0 (products may have their own), under the one-time `key`; its id.
pub async fn bill(
    db: &Db,
    kind: stockroom::domain::bill::BillKind,
    party: stockroom::domain::bill_form::Party,
    key: &str,
    at: i64,
    lines: Vec<stockroom::domain::bill_form::Line>,
) -> i64 {
    let input = stockroom::server::storage::stock::BillInput {
        kind,
        party,
        lines: numbered(lines),
        tax_rate_bp: 0,
        user_id: scalar(db, "SELECT MIN(id) FROM users").await,
        key: key.into(),
        now: at,
    };
    stockroom::server::storage::stock::record(db, &input)
        .await
        .unwrap()
        .bill_id()
}

/// Gives back `quantity` of the first line of bill `original` (a sale's to the shop, a
/// purchase's to its supplier) at `at`, as the first user, under the key `return:{key}`.
pub async fn give_back(db: &Db, original: i64, quantity: i64, key: &str, at: i64) -> i64 {
    let line_id = scalar(
        db,
        &format!("SELECT MIN(id) FROM bill_lines WHERE bill_id = {original}"),
    )
    .await;
    let actor = stockroom::server::storage::audit::Actor {
        id: scalar(db, "SELECT MIN(id) FROM users").await,
        email: "clerk@shop.test".into(),
        client_addr: "127.0.0.1".into(),
    };
    let input = stockroom::server::storage::returns::ReturnInput {
        original_bill_id: original,
        lines: vec![stockroom::domain::bill_return::ReturnLine {
            index: 0,
            line_id,
            quantity: stockroom::domain::measure::Typed::whole(quantity),
        }],
        reason: "Damaged".into(),
        key: format!("return:{key}"),
        now: at,
    };
    stockroom::server::storage::returns::record(db, &input, &actor)
        .await
        .unwrap()
        .bill_id()
}

/// A database that exists for one test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Folder(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "stockroom_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// A migrated SQLite database in a new file.
pub async fn sqlite() -> TestDb {
    let dir = std::env::temp_dir().join(unique_name());
    let url = format!("sqlite://{}/test.db", dir.display());
    // Storage tests count the summaries' days in UTC, as they write their instants.
    let db = Db::connect(&url, &PoolSettings::default())
        .await
        .expect("open SQLite")
        .in_zone(stockroom::server::zone::ShopZone::utc());
    db.migrate().await.expect("migrate SQLite");
    TestDb {
        db,
        url,
        cleanup: Cleanup::Folder(dir),
    }
}

/// A migrated PostgreSQL database of its own, or `None` (with a notice) when none is configured.
pub async fn postgres() -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("REQUIRE_POSTGRES").is_none(),
            "REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not"
        );
        eprintln!("note: TEST_POSTGRES_URL is not set; skipping the PostgreSQL half of this test");
        return None;
    };
    let name = unique_name();
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TEST_POSTGRES_URL: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let url = with_database(&admin_url, &name);
    let db = Db::connect(&url, &PoolSettings::default())
        .await
        .expect("open PostgreSQL")
        .in_zone(stockroom::server::zone::ShopZone::utc());
    db.migrate().await.expect("migrate PostgreSQL");
    Some(TestDb {
        db,
        url,
        cleanup: Cleanup::Postgres { admin_url, name },
    })
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let cut = base
        .rfind('/')
        .filter(|i| *i > "postgres://".len())
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..cut]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Folder(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; a thread of its own may block on another.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    runtime.block_on(async {
                        if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut admin)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Writes each test body once per backend: `mod sqlite { … }` and `mod postgres { … }`, so a
/// failure names the backend it failed on.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($db:ident: TestDb) $body:block)*) => {
        mod sqlite {
            #[allow(
                unused_imports,
                reason = "not `expect`: whether a test body uses its file's imports depends on the invocation"
            )]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $db = $crate::common::sqlite().await;
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(
                unused_imports,
                reason = "not `expect`: whether a test body uses its file's imports depends on the invocation"
            )]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some($db) = $crate::common::postgres().await else { return };
                    $body
                }
            )*
        }
    };
}
