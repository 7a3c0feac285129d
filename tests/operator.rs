//! The operator's commands against a real database: `backup` makes sound copies while bills are
//! being recorded (and refuses what it cannot do), `check-config` lists every problem at once,
//! masks secrets and says whether the database answers.

mod binary;
mod common;

use binary::{migration_files, run, Scratch, Server};
use sqlx::Row;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use stockroom::domain::bill::BillKind;
use stockroom::server::storage::stock::{record, BillInput};
use stockroom::server::storage::{maintenance, Db, PoolSettings};

fn bill(kind: BillKind, user_id: i64, key: String, product: &str, quantity: i64) -> BillInput {
    BillInput {
        kind,
        party: common::party("Ravi Traders"),
        lines: vec![common::line(product, quantity, 1_250, None)],
        tax_rate_bp: 0,
        user_id,
        key,
        now: 1_760_000_000,
    }
}

/// Products whose quantity is not the sum of their movements (or of their lots).
async fn ledger_breaks(db: &Db) -> i64 {
    sqlx::query(
        "SELECT COUNT(*) FROM products p WHERE p.quantity < 0 \
           OR p.quantity <> (SELECT COALESCE(CAST(SUM(m.quantity) AS BIGINT), 0) FROM movements m WHERE m.product_id = p.id) \
           OR p.quantity <> (SELECT COALESCE(CAST(SUM(l.remaining) AS BIGINT), 0) FROM lots l WHERE l.product_id = p.id)",
    )
    .fetch_one(db.pool_for_tests())
    .await
    .unwrap()
    .try_get(0)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_taken_while_bills_are_recorded_open_and_keep_the_ledger_exact() {
    let t = common::sqlite().await;
    let user = common::clerk(&t.db, "clerk@shop.test").await;
    let stop = Arc::new(AtomicBool::new(false));
    let writer = keep_selling(t.db.clone(), user, stop.clone());
    let scratch = Scratch::new();
    let env = [("DATABASE_URL", t.url.as_str())];
    let mut copies = Vec::new();
    for n in 0..3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let copy = scratch.0.join(format!("backups/copy-{n}.db"));
        let out = tokio::task::spawn_blocking({
            let (dir, copy, url) = (scratch.0.clone(), copy.clone(), t.url.clone());
            move || {
                let path = copy.to_str().unwrap();
                run(&dir, &[("DATABASE_URL", &url)], &["backup", path])
            }
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("integrity ok"));
        copies.push(copy);
    }
    stop.store(true, Ordering::Relaxed);
    let bills = writer.await.unwrap();
    assert!(bills > 0, "no bills were recorded while backing up");

    let mut movements_seen = Vec::new();
    for copy in &copies {
        let url = format!("sqlite://{}", copy.display());
        let restored = Db::connect(&url, &PoolSettings::default()).await.unwrap();
        restored
            .migrate()
            .await
            .expect("the copy has the current schema");
        assert_eq!(ledger_breaks(&restored).await, 0, "{}", copy.display());
        let movements: i64 = sqlx::query("SELECT COUNT(*) FROM movements")
            .fetch_one(restored.pool_for_tests())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        movements_seen.push(movements);
        restored.close().await;
    }
    // Later copies saw more of the writes: they were taken while writing went on.
    assert!(
        movements_seen.windows(2).all(|w| w[0] <= w[1]),
        "{movements_seen:?}"
    );
    assert!(movements_seen[2] > 0, "{movements_seen:?}");

    let again = run(&scratch.0, &env, &["backup", copies[0].to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn backup_of_a_postgres_database_points_to_pg_dump_and_fails() {
    let Ok(url) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("note: TEST_POSTGRES_URL is not set; skipping");
        return;
    };
    let scratch = Scratch::new();
    let out = run(
        &scratch.0,
        &[("DATABASE_URL", &url)],
        &["backup", "copy.db"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pg_dump") && stderr.contains("snapshots"),
        "{stderr}"
    );
    assert!(!scratch.0.join("copy.db").exists());
}

#[test]
fn backup_of_a_missing_sqlite_file_creates_nothing() {
    let scratch = Scratch::new();
    let url = format!("sqlite://{}/none.db", scratch.0.display());
    let out = run(
        &scratch.0,
        &[("DATABASE_URL", &url)],
        &["backup", "copy.db"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no database"));
    assert!(!scratch.0.join("none.db").exists() && !scratch.0.join("copy.db").exists());
}

#[test]
fn check_config_reports_every_problem_at_once() {
    let scratch = Scratch::new();
    let out = run(
        &scratch.0,
        &[
            ("DATABASE_URL", "postgres://app:pw@db/shop?sslmode=bogus"),
            ("LISTEN_ADDR", "nowhere"),
            ("LOG_FORMAT", "xml"),
            ("DATABASE_ACQUIRE_TIMEOUT_SECONDS", "0"),
            ("SHUTDOWN_TIMEOUT_SECONDS", "soon"),
            ("TAX_RATE", "250"),
            ("STOCKROOM_ADMIN_EMAIL", "boss@shop.test"),
        ],
        &["check-config"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for key in [
        "DATABASE_URL: sslmode=bogus",
        "LISTEN_ADDR",
        "LOG_FORMAT",
        "DATABASE_ACQUIRE_TIMEOUT_SECONDS",
        "SHUTDOWN_TIMEOUT_SECONDS",
        "TAX_RATE",
        "STOCKROOM_ADMIN_EMAIL and STOCKROOM_ADMIN_PASSWORD",
    ] {
        assert!(stderr.contains(key), "{key} missing from:\n{stderr}");
    }
    assert!(!stderr.contains("pw@"), "{stderr}");
}

#[test]
fn check_config_prints_the_effective_settings_with_secrets_masked() {
    let scratch = Scratch::new();
    let url = format!("sqlite://{}/shop.db", scratch.0.display());
    let out = run(
        &scratch.0,
        &[
            ("DATABASE_URL", &url),
            ("STOCKROOM_ADMIN_EMAIL", "boss@shop.test"),
            ("STOCKROOM_ADMIN_PASSWORD", "a-very-secret-passphrase"),
            ("LOG_DIR", "/var/log/server"),
        ],
        &["check-config"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("boss@shop.test") && stdout.contains("(set, hidden)"),
        "{stdout}"
    );
    assert!(!stdout.contains("a-very-secret-passphrase"), "{stdout}");
    assert!(
        stdout.contains("LOG_DIR") && stdout.contains("/var/log/server"),
        "{stdout}"
    );
    // Checking changes nothing: a missing SQLite file is reported, not created.
    assert!(stdout.contains("does not exist yet"), "{stdout}");
    assert!(!scratch.0.join("shop.db").exists());

    let env = [("DATABASE_URL", url.as_str())];
    assert!(run(&scratch.0, &env, &["migrate"]).status.success());
    let out = run(&scratch.0, &env, &["check-config"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = format!("all {} migrations applied", migration_files("sqlite"));
    assert!(
        stdout.contains("Database: SQLite, reachable;") && stdout.contains(&all),
        "{stdout}"
    );
}

#[test]
fn check_config_fails_when_the_database_does_not_answer() {
    let scratch = Scratch::new();
    let out = run(
        &scratch.0,
        &[
            ("DATABASE_URL", "postgres://app:hunter2@127.0.0.1:9/shop"),
            ("DATABASE_ACQUIRE_TIMEOUT_SECONDS", "2"),
        ],
        &["check-config"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot reach the database at postgres://app:***@127.0.0.1:9/shop"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

async fn bills_in(db: &Db) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM bills")
        .fetch_one(db.pool_for_tests())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// Records purchase and sale pairs on `db` until `stop` is set; returns how many pairs.
fn keep_selling(db: Db, user: i64, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let mut pairs = 0;
        while !stop.load(Ordering::Relaxed) {
            let product = ["Rice", "Dal", "Tea"][pairs % 3];
            record(
                &db,
                &bill(BillKind::Purchase, user, format!("p{pairs}"), product, 5),
            )
            .await
            .unwrap();
            record(
                &db,
                &bill(BillKind::Sale, user, format!("s{pairs}"), product, 3),
            )
            .await
            .unwrap();
            pairs += 1;
        }
        pairs
    })
}

/// A server started on `env` answers `/healthz` and stops cleanly on SIGTERM.
async fn serves_and_stops(scratch: &Scratch, env: &[(&str, &str)]) {
    let (child, lines) = Server::start(&scratch.0, env);
    let server = Server::listening(child, &lines);
    stockroom::server::operations::healthcheck(server.addr, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(server.terminate().success());
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_sales_restores_with_the_server_stopped_and_the_books_intact() {
    let t = common::sqlite().await;
    let user = common::clerk(&t.db, "clerk@shop.test").await;
    let scratch = Scratch::new();
    let env = [("DATABASE_URL", t.url.as_str())];
    let stop = Arc::new(AtomicBool::new(false));
    let writer = keep_selling(t.db.clone(), user, stop.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let copy = scratch.0.join("shop-backup.db");
    let out = tokio::task::spawn_blocking({
        let (dir, copy, url) = (scratch.0.clone(), copy.clone(), t.url.clone());
        move || {
            run(
                &dir,
                &[("DATABASE_URL", &url)],
                &["backup", copy.to_str().unwrap()],
            )
        }
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    assert!(writer.await.unwrap() > 0);
    let live_bills = bills_in(&t.db).await;
    let copied = Db::connect(
        &format!("sqlite://{}", copy.display()),
        &PoolSettings::default(),
    )
    .await
    .unwrap();
    let backup_bills = bills_in(&copied).await;
    copied.close().await;
    assert!(
        0 < backup_bills && backup_bills < live_bills,
        "the copy is a moment during the writes: {backup_bills} of {live_bills}"
    );
    t.db.close().await;

    // Not over a running server, and not from something that is not a sound backup.
    let (child, lines) = Server::start(&scratch.0, &env);
    let server = Server::listening(child, &lines);
    let refused = run(&scratch.0, &env, &["restore", copy.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("in use by a running Stockroom"),
        "{}",
        text(&refused)
    );
    assert!(server.terminate().success());
    let junk = scratch.0.join("junk.db");
    std::fs::write(
        &junk,
        b"this is not a database, just bytes, but long enough",
    )
    .unwrap();
    let refused = run(&scratch.0, &env, &["restore", junk.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("is not a sound database"),
        "{}",
        text(&refused)
    );
    let missing = run(&scratch.0, &env, &["restore", "no-such-file.db"]);
    assert!(
        text(&missing).contains("there is no backup"),
        "{}",
        text(&missing)
    );

    let file = maintenance::sqlite_file(&t.url).unwrap();
    let restored = run(&scratch.0, &env, &["restore", copy.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", text(&restored));
    let said = text(&restored);
    assert!(
        said.contains(&format!("{backup_bills} bills")) && said.contains("kept at"),
        "{said}"
    );
    let kept = said
        .lines()
        .find_map(|line| line.strip_prefix("the database it replaced is kept at "))
        .unwrap()
        .trim()
        .to_owned();

    let db = Db::connect(&t.url, &PoolSettings::default()).await.unwrap();
    assert_eq!(
        bills_in(&db).await,
        backup_bills,
        "the bills up to the backup"
    );
    assert_eq!(ledger_breaks(&db).await, 0);
    db.close().await;
    let old = Db::connect(&format!("sqlite://{kept}"), &PoolSettings::default())
        .await
        .unwrap();
    assert_eq!(
        bills_in(&old).await,
        live_bills,
        "the replaced database is kept whole"
    );
    old.close().await;
    assert!(file.exists());

    // The server starts on the restored database and serves.
    serves_and_stops(&scratch, &env).await;
}

/// The PostgreSQL procedure of docs/deploy.md ("Backups and restores"), run for real: pg_dump
/// while sales go on, pg_restore into a new database, a server on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pg_dump_taken_during_sales_restores_into_a_new_database_with_the_books_intact() {
    let Some(t) = common::postgres().await else {
        return;
    };
    let Some(fresh) = binary::EmptyPostgres::create().await else {
        return;
    };
    let user = common::clerk(&t.db, "clerk@shop.test").await;
    let scratch = Scratch::new();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = keep_selling(t.db.clone(), user, stop.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dump = scratch.0.join("stockroom.dump");
    // The test's own thread waits for pg_dump; the writer goes on on the runtime's workers.
    let out = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(&t.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    assert!(writer.await.unwrap() > 0);
    let live_bills = bills_in(&t.db).await;

    let out = std::process::Command::new("pg_restore")
        .args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
        ])
        .arg(&fresh.url)
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let db = Db::connect(&fresh.url, &PoolSettings::default())
        .await
        .unwrap();
    let restored_bills = bills_in(&db).await;
    assert!(
        0 < restored_bills && restored_bills <= live_bills,
        "{restored_bills} of {live_bills}"
    );
    assert_eq!(ledger_breaks(&db).await, 0);
    let status = maintenance::migration_status(&db).await.unwrap();
    assert_eq!(
        status.applied, status.known,
        "the dump carries the schema's version"
    );
    db.close().await;

    let env = [("DATABASE_URL", fresh.url.as_str())];
    serves_and_stops(&scratch, &env).await;
}
