//! Faults of the database itself, on real servers (the `stockroom` binary over loopback HTTP):
//!
//! - PostgreSQL stopped in the middle of a sales load and started again 7 s later (a throwaway
//!   cluster of this test's own, never the shared server): while it is down every sale is
//!   answered 503 "not answering" with `Retry-After: 5` (never a 500, never a partial bill) and
//!   `/healthz` says 503; once it is back the same server process records sales again within a
//!   few seconds, without a restart.
//! - SQLite on a full disk (an 8 MiB tmpfs filled to the last byte): a sale is answered 503
//!   "Storage full" with `Retry-After: 60` and writes nothing; once the filler is deleted the
//!   same sale (same key) is recorded, once.
//!
//! Run as root (CI does) so the cluster can run as `postgres` and the tmpfs can be mounted; see
//! `tests/outage` for what happens elsewhere. Figures are in RELIABILITY.md.

mod binary;
mod common;
mod outage;

use binary::{Scratch, Server};
use common::wire::{call, http, sign_in};
use common::{assert_bills_complete, assert_ledger_holds, encode, scalar};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stockroom::server::storage::{Db, PoolSettings};

const MANAGER: (&str, &str) = ("manager@faults.test", "faults-passphrase-1");
const PRODUCTS: [&str; 3] = ["Fault Rice", "Fault Dal", "Fault Tea"];

/// A `stockroom serve` on `url`, with the manager these tests sign in as.
fn serve(scratch: &Scratch, url: &str) -> Server {
    let env = [
        ("DATABASE_URL", url),
        ("DATABASE_MAX_CONNECTIONS", "8"),
        ("STOCKROOM_ADMIN_EMAIL", MANAGER.0),
        ("STOCKROOM_ADMIN_PASSWORD", MANAGER.1),
    ];
    let (child, lines) = Server::start(&scratch.0, &env);
    Server::listening(child, &lines)
}

fn bill_form(product: &str, quantity: i64, key: &str) -> String {
    encode(&[
        ("party_name", "Walk-in Customer"),
        ("lines[0][product]", product),
        ("lines[0][quantity]", &quantity.to_string()),
        ("lines[0][amount]", "12.50"),
        ("key", key),
    ])
}

/// One request's fate.
#[derive(Clone, Debug)]
struct Answer {
    key: String,
    sent: Instant,
    answered: Instant,
    /// The status, or the transport error (the server never went away, so there should be none).
    status: Result<u16, String>,
    retry_after: Option<String>,
    body: String,
}

impl Answer {
    fn ok(&self) -> bool {
        matches!(self.status, Ok(200..=299))
    }
}

async fn sell(addr: SocketAddr, cookie: &str, product: &str, quantity: i64, key: &str) -> Answer {
    let sent = Instant::now();
    let reply = call(
        addr,
        cookie,
        "/api/sales",
        &bill_form(product, quantity, key),
    )
    .await;
    let answered = Instant::now();
    match reply {
        Ok(reply) => Answer {
            key: key.to_owned(),
            sent,
            answered,
            status: Ok(reply.status),
            retry_after: reply.header("retry-after").map(str::to_owned),
            body: reply.text(),
        },
        Err(error) => Answer {
            key: key.to_owned(),
            sent,
            answered,
            status: Err(error.to_string()),
            retry_after: None,
            body: String::new(),
        },
    }
}

async fn buy(addr: SocketAddr, cookie: &str, product: &str, quantity: i64, key: &str) {
    let reply = call(
        addr,
        cookie,
        "/api/purchases",
        &bill_form(product, quantity, key),
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 200, "buying stock: {}", reply.text());
}

/// `/healthz`'s status, or `None` without an answer.
async fn health(addr: SocketAddr) -> Option<u16> {
    http(addr, "GET", "/healthz", &[], b"")
        .await
        .ok()
        .map(|reply| reply.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stopped_mid_load_answers_503_and_recovers_without_a_restart() {
    let Some(cluster) = outage::Cluster::start() else {
        return;
    };
    let scratch = Scratch::new();
    let server = serve(&scratch, &cluster.url());
    let addr = server.addr;
    let cookie = sign_in(addr, MANAGER).await;
    for (i, product) in PRODUCTS.iter().enumerate() {
        buy(
            addr,
            &cookie,
            product,
            100_000,
            &format!("faults-seed-{i:04}-stock"),
        )
        .await;
    }

    // Six clients selling one unit at a time, each sale with a key of its own, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Vec::<Answer>::new()));
    let counter = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..6)
        .map(|client| {
            let (stop, answers, counter, cookie) = (
                stop.clone(),
                answers.clone(),
                counter.clone(),
                cookie.clone(),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let key = format!("faults-pg-{client}-{n:06}-sale");
                    let answer = sell(addr, &cookie, PRODUCTS[n % 3], 1, &key).await;
                    let refused = !answer.ok();
                    answers.lock().unwrap().push(answer);
                    if refused {
                        // As a till would: wait a little before the next try.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            })
        })
        .collect();
    let recorded = || answers.lock().unwrap().iter().filter(|a| a.ok()).count();

    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(recorded() > 0, "no sale was recorded before the outage");

    // The database goes away for 7 s.
    tokio::task::block_in_place(|| cluster.stop());
    let down_at = Instant::now();
    // While it is down: /healthz, and a sale of our own (the clients' timing varies with the
    // machine's load; this one is surely sent and answered inside the outage).
    let (health_during, probe) = tokio::join!(
        async {
            let health_during = health(addr).await;
            (health_during, down_at.elapsed())
        },
        sell(
            addr,
            &cookie,
            PRODUCTS[0],
            1,
            "faults-pg-probe-during-outage"
        )
    );
    let (health_during, health_took) = health_during;
    let left = Duration::from_secs(7).saturating_sub(down_at.elapsed());
    tokio::time::sleep(left).await;
    let outage = down_at.elapsed();
    tokio::task::block_in_place(|| cluster.start_again());
    let up_at = Instant::now();

    // Recovery: the first sale recorded after the database is back (sales sent in the last
    // seconds of the outage wait for a connection, and are among the first).
    let recovered_after = loop {
        let first = answers
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.answered >= up_at && a.ok())
            .map(|a| a.answered)
            .min();
        if let Some(at) = first {
            break at.duration_since(up_at);
        }
        assert!(
            up_at.elapsed() < Duration::from_secs(30),
            "no sale was recorded within 30 s of the database's return"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut healthy_after = None;
    for _ in 0..300 {
        if health(addr).await == Some(200) {
            healthy_after = Some(up_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }
    let mut answers = answers.lock().unwrap().clone();
    answers.push(probe.clone());

    // Every answer is a bill or a 503 that says when to try again; none is lost or a 500.
    let mut refused = 0;
    for answer in &answers {
        match &answer.status {
            Ok(200..=299) => {}
            Ok(503) => {
                refused += 1;
                assert_eq!(
                    answer.retry_after.as_deref(),
                    Some("5"),
                    "a 503 without Retry-After: 5: {answer:?}"
                );
                assert!(
                    answer.body.contains("NotAnswering"),
                    "a 503 that does not say the database is not answering: {answer:?}"
                );
            }
            _ => panic!("during a database outage a sale ended {answer:?}"),
        }
    }
    // Sales sent and answered while the database was down were all refused (those sent in its
    // last seconds waited for a connection and were recorded once it was back).
    let during: Vec<_> = answers
        .iter()
        .filter(|a| a.sent >= down_at && a.answered < up_at)
        .collect();
    let timeline = || {
        let at = |t: Instant| {
            if t >= down_at {
                format!("+{}ms", t.duration_since(down_at).as_millis())
            } else {
                format!("-{}ms", down_at.duration_since(t).as_millis())
            }
        };
        answers
            .iter()
            .filter(|a| {
                !a.ok()
                    || (a.answered + Duration::from_millis(300) > down_at
                        && a.sent < up_at + Duration::from_millis(300))
            })
            .map(|a| format!("{} → {} {:?}", at(a.sent), at(a.answered), a.status))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        probe.sent >= down_at && probe.answered < up_at && !probe.ok(),
        "the sale sent during the outage: {probe:?}"
    );
    assert!(
        !during.is_empty(),
        "no sale was tried during the outage (back at +{}ms):\n{}",
        up_at.duration_since(down_at).as_millis(),
        timeline()
    );
    assert!(
        during.iter().all(|a| !a.ok()),
        "a sale was recorded while the database was down"
    );
    assert_eq!(
        health_during,
        Some(503),
        "/healthz during the outage (answered in {health_took:?})"
    );
    let healthy_after = healthy_after.expect("/healthz never said 200 again");
    assert!(
        recovered_after < Duration::from_secs(5),
        "sales recorded again only {recovered_after:?} after the database returned"
    );
    let after: Vec<_> = answers.iter().filter(|a| a.sent >= up_at).collect();
    assert!(after.iter().any(|a| a.ok()));

    // The books: every bill whole, the ledger exact, every 2xx a bill, and no bill a 503 left
    // behind except those whose commit reached the database before the answer was lost.
    let db = Db::connect(&cluster.url(), &PoolSettings::default())
        .await
        .unwrap();
    assert_ledger_holds(&db).await;
    assert_bills_complete(&db).await;
    let sales = scalar(&db, "SELECT COUNT(*) FROM bills WHERE kind = 'sale'").await;
    let answered_ok = answers.iter().filter(|a| a.ok()).count() as i64;
    assert!(
        answered_ok <= sales && sales <= answered_ok + refused,
        "{sales} sale bills for {answered_ok} recorded answers and {refused} refusals"
    );
    let sold = scalar(
        &db,
        "SELECT COALESCE(CAST(SUM(quantity) AS BIGINT), 0) FROM bill_lines l \
         JOIN bills b ON b.id = l.bill_id WHERE b.kind = 'sale'",
    )
    .await;
    let on_hand = scalar(&db, "SELECT CAST(SUM(quantity) AS BIGINT) FROM products").await;
    assert_eq!(on_hand, 3 * 100_000 - sold, "stock moved without a bill");
    db.close().await;
    eprintln!(
        "postgres outage: {} sales sent; {answered_ok} recorded, {refused} answered 503 \
         (Retry-After: 5); database down {outage:?}; /healthz 503 during it (in {health_took:?}); \
         first sale recorded {} ms after the database was back, /healthz 200 after {} ms; \
         {sales} sale bills, all whole",
        answers.len(),
        recovered_after.as_millis(),
        healthy_after.as_millis()
    );
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_answers_storage_full_and_records_again_once_space_is_freed() {
    let Some(disk) = outage::SmallDisk::mount("8m") else {
        return;
    };
    let file = disk.dir.join("shop.db");
    let url = format!("sqlite://{}", file.display());
    let scratch = Scratch::new();
    let server = serve(&scratch, &url);
    let addr = server.addr;
    let cookie = sign_in(addr, MANAGER).await;
    buy(addr, &cookie, PRODUCTS[0], 1_000, "faults-full-seed-stock").await;
    let first = sell(addr, &cookie, PRODUCTS[0], 1, "faults-full-0000-before").await;
    assert!(first.ok(), "{first:?}");

    let db = Db::connect(&url, &PoolSettings::default()).await.unwrap();
    let counts = |db: Db| async move {
        let mut out = Vec::new();
        for table in [
            "bills",
            "bill_lines",
            "movements",
            "lots",
            "idempotency_keys",
        ] {
            out.push(scalar(&db, &format!("SELECT COUNT(*) FROM {table}")).await);
        }
        out.push(scalar(&db, "SELECT CAST(SUM(quantity) AS BIGINT) FROM products").await);
        out
    };

    // Fill the disk. The first sales may still fit in pages SQLite already has; one soon does
    // not, and that one must be refused whole.
    let filler = disk.dir.join("filler");
    let filled = disk.fill(&filler);
    let mut refusal = None;
    for n in 1..=200 {
        let before = counts(db.clone()).await;
        let key = format!("faults-full-{n:04}-sale");
        let answer = sell(addr, &cookie, PRODUCTS[0], 1, &key).await;
        if answer.ok() {
            continue;
        }
        assert_eq!(answer.status, Ok(503), "{answer:?}");
        assert_eq!(answer.retry_after.as_deref(), Some("60"), "{answer:?}");
        assert!(answer.body.contains("StorageFull"), "{answer:?}");
        assert_eq!(
            counts(db.clone()).await,
            before,
            "a refused sale wrote something"
        );
        refusal = Some((n, answer));
        break;
    }
    let (tries, refused) = refusal.expect("200 sales fitted on a full disk");
    // Still full: another sale is refused the same way.
    let again = sell(addr, &cookie, PRODUCTS[0], 1, &refused.key).await;
    assert_eq!(again.status, Ok(503), "{again:?}");

    // Space is freed: the same sale (same key) is recorded, once, by the same server process.
    std::fs::remove_file(&filler).unwrap();
    let freed_at = Instant::now();
    let retried = sell(addr, &cookie, PRODUCTS[0], 1, &refused.key).await;
    let took = freed_at.elapsed();
    assert!(retried.ok(), "after freeing space: {retried:?}");
    let replay = sell(addr, &cookie, PRODUCTS[0], 1, &refused.key).await;
    assert_eq!(replay.body, retried.body, "the retry was recorded twice");
    let next = sell(addr, &cookie, PRODUCTS[0], 1, "faults-full-9999-after").await;
    assert!(next.ok(), "{next:?}");

    assert_ledger_holds(&db).await;
    assert_bills_complete(&db).await;
    let sales = scalar(&db, "SELECT COUNT(*) FROM bills WHERE kind = 'sale'").await;
    assert_eq!(sales, 1 + (tries as i64 - 1) + 1 + 1, "sale bills");
    use sqlx::Row;
    let integrity: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(db.pool_for_tests())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(integrity, "ok");
    db.close().await;
    eprintln!(
        "sqlite full disk: filler of {filled} bytes; sale {tries} after filling answered 503 \
         Storage full (Retry-After: 60), nothing written; after freeing space the same key was \
         recorded in {} ms, once",
        took.as_millis()
    );
    assert!(server.terminate().success());
}
