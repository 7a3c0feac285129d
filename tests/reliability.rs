//! Reliability under what a busy shop and the internet throw at it: several real server processes
//! on one PostgreSQL database selling concurrently, a `kill -9` in the middle of the load, retries
//! of one submit on two instances, SQLite under many writers, oversized and traversal requests, and
//! hostile input to every server function. Loopback only; sizes are modest so the file runs in
//! well under three minutes on two cores. See RELIABILITY.md for the figures.

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::wire::{call, http, parse_response};
use common::{assert_bills_complete, assert_ledger_holds, encode, scalar, urlencode};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stockroom::server::storage::Db;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The load tests run one at a time: together on two cores they would starve each other's
/// connection pools (a request waiting over 5 s for a connection is answered 500).
static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const ADMIN: (&str, &str) = ("manager@reliability.test", "reliability-passphrase");

/// Signs in as the manager every server of this file is started with.
async fn sign_in(addr: SocketAddr) -> String {
    common::wire::sign_in(addr, ADMIN).await
}

// ---------------------------------------------------------------------------------------------
// Real server processes.

/// A free loopback port never handed out before in this process: tests run in parallel, and a
/// port freed by a killed instance must not go to another test's server (whose `/healthz` would
/// then answer for it).
fn free_addr() -> SocketAddr {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let mut given = GIVEN.lock().unwrap();
        if !given.contains(&addr.port()) {
            given.push(addr.port());
            return addr;
        }
    }
}

struct Server {
    child: Option<Child>,
    addr: SocketAddr,
    url: String,
    env: Vec<(&'static str, &'static str)>,
}

impl Server {
    fn spawn(url: &str, addr: SocketAddr, env: &[(&str, &str)]) -> Child {
        Command::new(env!("CARGO_BIN_EXE_stockroom"))
            .arg("serve")
            .envs(env.iter().copied())
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("DATABASE_URL", url)
            .env("DATABASE_MAX_CONNECTIONS", "8")
            .env("LISTEN_ADDR", addr.to_string())
            .env("STOCKROOM_ADMIN_EMAIL", ADMIN.0)
            .env("STOCKROOM_ADMIN_PASSWORD", ADMIN.1)
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(if std::env::var_os("RELIABILITY_SERVER_LOGS").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::null())
            .spawn()
            .expect("start the stockroom binary")
    }

    async fn start(url: &str) -> Server {
        Self::start_with(url, &[]).await
    }

    /// A server with extra environment (short timeouts, say).
    async fn start_with(url: &str, env: &[(&'static str, &'static str)]) -> Server {
        let addr = free_addr();
        let mut server = Server {
            child: Some(Self::spawn(url, addr, env)),
            addr,
            url: url.to_owned(),
            env: env.to_vec(),
        };
        server.wait_healthy(Duration::from_secs(30)).await;
        server
    }

    /// Polls `/healthz` until it answers 200; returns how long that took.
    async fn wait_healthy(&mut self, limit: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("the server on {} exited: {status}", self.addr);
            }
            if let Ok(reply) = http(self.addr, "GET", "/healthz", &[], b"").await {
                if reply.status == 200 {
                    return started.elapsed();
                }
            }
            assert!(
                started.elapsed() < limit,
                "the server on {} did not become healthy in {limit:?}",
                self.addr
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// `kill -9`: no shutdown, no draining.
    fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
        }
    }

    /// Starts the process again on the same address; returns how long until it served `/healthz`.
    async fn restart(&mut self) -> Duration {
        self.kill9();
        self.child = Some(Self::spawn(&self.url, self.addr, &self.env));
        self.wait_healthy(Duration::from_secs(30)).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

// ---------------------------------------------------------------------------------------------
// Load: sales and purchases with random products, quantities and instances.

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Sale,
    Purchase,
}

#[derive(Clone, Debug)]
struct Op {
    kind: Kind,
    product: usize,
    quantity: i64,
    key: String,
    instance: usize,
}

#[derive(Clone, Debug)]
enum Outcome {
    /// 2xx with this bill id.
    Recorded(i64),
    /// 4xx (or 5xx, which the checks reject) with the body.
    Refused(u16, String),
    /// No answer: the connection failed (the instance was killed).
    Lost(
        #[expect(
            dead_code,
            reason = "read only through the derived Debug of failure messages, which dead-code analysis ignores"
        )]
        String,
    ),
}

fn product_name(i: usize) -> String {
    format!("Reliable Product {i}")
}

fn bill_form(op: &Op) -> String {
    let name = product_name(op.product);
    let quantity = op.quantity.to_string();
    let party = match op.kind {
        Kind::Sale => "Walk-in Customer",
        Kind::Purchase => "Steady Supplier",
    };
    encode(&[
        ("party_name", party),
        ("lines[0][product]", &name),
        ("lines[0][quantity]", &quantity),
        ("lines[0][amount]", "12.50"),
        ("key", &op.key),
    ])
}

async fn submit(addrs: &[SocketAddr], cookie: &str, op: &Op, instance: usize) -> Outcome {
    let path = match op.kind {
        Kind::Sale => "/api/sales",
        Kind::Purchase => "/api/purchases",
    };
    match call(addrs[instance], cookie, path, &bill_form(op)).await {
        Ok(reply) if (200..300).contains(&reply.status) => {
            let text = reply.text();
            let id = text
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("a 2xx without a bill id: {text}"));
            Outcome::Recorded(id)
        }
        Ok(reply) => Outcome::Refused(reply.status, reply.text()),
        Err(error) => Outcome::Lost(error.to_string()),
    }
}

/// `sales` sales and `purchases` purchases of 1–3 units over `products` products, shuffled and
/// spread round-robin-at-random over `instances` instances.
fn plan(
    rng: &mut Rng,
    tag: &str,
    sales: usize,
    purchases: usize,
    products: usize,
    instances: usize,
) -> Vec<Op> {
    let mut ops: Vec<Op> = (0..sales + purchases)
        .map(|i| Op {
            kind: if i < sales {
                Kind::Sale
            } else {
                Kind::Purchase
            },
            product: rng.below(products),
            quantity: 1 + rng.below(3) as i64,
            key: format!("reliability-{tag}-{i:05}-{:08x}", rng.next() as u32),
            instance: rng.below(instances),
        })
        .collect();
    for i in (1..ops.len()).rev() {
        let j = rng.below(i + 1);
        ops.swap(i, j);
    }
    ops
}

/// Sends every op at once (one task each) and returns the outcomes in order; `done` counts answers.
async fn run_all(
    addrs: &[SocketAddr],
    cookie: &str,
    ops: &[Op],
    done: Arc<AtomicUsize>,
) -> Vec<tokio::task::JoinHandle<Outcome>> {
    ops.iter()
        .map(|op| {
            let (addrs, cookie, op, done) =
                (addrs.to_vec(), cookie.to_owned(), op.clone(), done.clone());
            tokio::spawn(async move {
                let outcome = submit(&addrs, &cookie, &op, op.instance).await;
                done.fetch_add(1, Ordering::Relaxed);
                outcome
            })
        })
        .collect()
}

async fn join(handles: Vec<tokio::task::JoinHandle<Outcome>>) -> Vec<Outcome> {
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// Buys `each` units of every product on instance 0.
async fn seed_stock(addr: SocketAddr, cookie: &str, products: usize, each: i64) {
    for product in 0..products {
        let op = Op {
            kind: Kind::Purchase,
            product,
            quantity: each,
            key: format!("reliability-seed-{product:04}-stock"),
            instance: 0,
        };
        match submit(&[addr], cookie, &op, 0).await {
            Outcome::Recorded(_) => {}
            other => panic!("seeding stock failed: {other:?}"),
        }
    }
}

async fn on_hand(db: &Db, product: usize) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT quantity FROM products WHERE name = $1")
        .bind(product_name(product))
        .fetch_one(db.pool_for_tests())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// The books after a load: nothing negative, the ledger invariant, every 2xx exactly one bill of
/// its kind, and on-hand = seeded + recorded purchases − recorded sales (so refusals changed
/// nothing; so did 503 "busy" answers to overload). Returns (recorded sales, refused sales, 503s).
async fn assert_books(
    db: &Db,
    ops: &[Op],
    outcomes: &[Outcome],
    products: usize,
    seeded_each: i64,
) -> (usize, usize, usize) {
    assert_ledger_holds(db).await;
    assert_bills_complete(db).await;
    let mut expected = vec![seeded_each; products];
    let (mut sale_ids, mut purchase_ids) = (Vec::new(), Vec::new());
    let (mut refused_sales, mut busy) = (0, 0);
    for (op, outcome) in ops.iter().zip(outcomes) {
        match (op.kind, outcome) {
            (Kind::Sale, Outcome::Recorded(id)) => {
                sale_ids.push(*id);
                expected[op.product] -= op.quantity;
            }
            (Kind::Purchase, Outcome::Recorded(id)) => {
                purchase_ids.push(*id);
                expected[op.product] += op.quantity;
            }
            (Kind::Sale, Outcome::Refused(409, body)) if body.contains("Not enough stock") => {
                refused_sales += 1;
            }
            // Overload: no connection in time, answered 503 "not answering (busy or
            // unreachable)". Nothing was saved (the totals below prove it).
            (_, Outcome::Refused(503, body)) if body.contains("NotAnswering") => busy += 1,
            (_, other) => panic!("{op:?} ended {other:?}"),
        }
    }
    for ids in [&mut sale_ids, &mut purchase_ids] {
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "two submits answered with one bill");
    }
    assert_eq!(
        scalar(db, "SELECT COUNT(*) FROM bills WHERE kind = 'sale'").await,
        sale_ids.len() as i64,
        "sale bills vs 2xx sales"
    );
    assert_eq!(
        scalar(db, "SELECT COUNT(*) FROM bills WHERE kind = 'purchase'").await,
        (purchase_ids.len() + products) as i64,
        "purchase bills vs 2xx purchases (+ the seeding ones)"
    );
    for (product, want) in expected.iter().enumerate() {
        let have = on_hand(db, product).await;
        assert!(have >= 0);
        assert_eq!(have, *want, "on hand of {}", product_name(product));
    }
    (sale_ids.len(), refused_sales, busy)
}

// ---------------------------------------------------------------------------------------------
// 1. Many instances, one PostgreSQL.

const PRODUCTS: usize = 6;
const SEEDED: i64 = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_three_instances_500_concurrent_sales() {
    let Some(t) = common::postgres().await else {
        return;
    };
    let _heavy = HEAVY.lock().await;
    let servers = [
        Server::start(&t.url).await,
        Server::start(&t.url).await,
        Server::start(&t.url).await,
    ];
    let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let cookie = sign_in(addrs[0]).await;
    seed_stock(addrs[0], &cookie, PRODUCTS, SEEDED).await;

    // 500 sales of 1–3 units (about 1,000 units asked for) against 240 seeded + ~100 bought:
    // most products run out, so many sales must be refused.
    let mut rng = Rng(0x5EED_0001);
    let ops = plan(&mut rng, "many", 500, 50, PRODUCTS, addrs.len());
    let started = Instant::now();
    let outcomes = join(run_all(&addrs, &cookie, &ops, Arc::default()).await).await;
    let elapsed = started.elapsed();
    let (sold, refused, busy) = assert_books(&t.db, &ops, &outcomes, PRODUCTS, SEEDED).await;
    assert!(sold > 0 && refused > 0, "sold {sold}, refused {refused}");
    eprintln!(
        "three instances: {} requests in {elapsed:.1?}; {sold} sales recorded, {refused} refused, \
         {busy} answered 503 busy",
        ops.len()
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Retries across instances.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_same_key_on_two_instances_makes_one_bill() {
    let Some(t) = common::postgres().await else {
        return;
    };
    let _heavy = HEAVY.lock().await;
    let servers = [Server::start(&t.url).await, Server::start(&t.url).await];
    let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let cookie = sign_in(addrs[0]).await;
    seed_stock(addrs[0], &cookie, 1, 100).await;
    const TRIES: usize = 25;
    for i in 0..TRIES {
        let kind = if i % 5 == 4 {
            Kind::Purchase
        } else {
            Kind::Sale
        };
        let op = Op {
            kind,
            product: 0,
            quantity: 2,
            key: format!("reliability-retry-{i:04}-two-instances"),
            instance: 0,
        };
        let (a, b) = tokio::join!(
            submit(&addrs, &cookie, &op, 0),
            submit(&addrs, &cookie, &op, 1)
        );
        match (&a, &b) {
            (Outcome::Recorded(x), Outcome::Recorded(y)) => {
                assert_eq!(x, y, "both callers see the same bill")
            }
            _ => panic!("retry {i}: {a:?} / {b:?}"),
        }
    }
    assert_eq!(
        scalar(&t.db, "SELECT COUNT(*) FROM bills WHERE kind = 'sale'").await,
        20
    );
    assert_eq!(
        scalar(&t.db, "SELECT COUNT(*) FROM bills WHERE kind = 'purchase'").await,
        1 + 5
    );
    // 100 − 20 sales × 2 + 5 purchases × 2
    assert_eq!(on_hand(&t.db, 0).await, 70);
    assert_ledger_holds(&t.db).await;
}

// ---------------------------------------------------------------------------------------------
// 3. Crash: kill -9 one instance in the middle of the load.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_kill_9_mid_load_loses_nothing() {
    let Some(t) = common::postgres().await else {
        return;
    };
    let _heavy = HEAVY.lock().await;
    let mut servers = [
        Server::start(&t.url).await,
        Server::start(&t.url).await,
        Server::start(&t.url).await,
    ];
    let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let cookie = sign_in(addrs[0]).await;
    seed_stock(addrs[0], &cookie, PRODUCTS, SEEDED).await;

    let mut rng = Rng(0x5EED_0003);
    let ops = plan(&mut rng, "crash", 300, 30, PRODUCTS, addrs.len());
    let done = Arc::new(AtomicUsize::new(0));
    let handles = run_all(&addrs, &cookie, &ops, done.clone()).await;
    // Kill instance 1 once a fifth of the answers are in: its in-flight requests die with it.
    while done.load(Ordering::Relaxed) < ops.len() / 5 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    servers[1].kill9();
    let mut outcomes = join(handles).await;

    // Straight after the crash, before anything is retried: every bill is whole or absent.
    assert_ledger_holds(&t.db).await;
    assert_bills_complete(&t.db).await;

    let took = servers[1].restart().await;
    assert!(
        took < Duration::from_secs(1),
        "the restarted instance took {took:?} to serve"
    );

    // The clients that got no answer submit again (same key) to the restarted instance: each
    // gets the bill the crashed instance committed, or it is recorded (or refused) now.
    let committed_before: Vec<i64> = {
        use sqlx::Row;
        sqlx::query("SELECT id FROM bills")
            .fetch_all(t.db.pool_for_tests())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<i64, _>(0).unwrap())
            .collect()
    };
    let (mut lost, mut were_committed) = (0, 0);
    for (op, outcome) in ops.iter().zip(outcomes.iter_mut()) {
        if let Outcome::Lost(_) = outcome {
            assert_eq!(op.instance, 1, "only the killed instance drops requests");
            lost += 1;
            *outcome = submit(&addrs, &cookie, op, 1).await;
            if let Outcome::Recorded(id) = outcome {
                if committed_before.contains(id) {
                    were_committed += 1;
                }
            }
        }
    }
    let (sold, refused, busy) = assert_books(&t.db, &ops, &outcomes, PRODUCTS, SEEDED).await;
    eprintln!(
        "kill -9: {} requests, {lost} without an answer ({were_committed} of them had committed), \
         restart served in {took:?}; {sold} sales recorded, {refused} refused, {busy} answered 503 busy",
        ops.len()
    );
}

// ---------------------------------------------------------------------------------------------
// 4. SQLite under write load.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_200_concurrent_writers() {
    let _heavy = HEAVY.lock().await;
    let t = common::sqlite().await;
    let server = Server::start(&t.url).await;
    let addrs = [server.addr];
    let cookie = sign_in(addrs[0]).await;
    seed_stock(addrs[0], &cookie, PRODUCTS, SEEDED).await;
    let mut rng = Rng(0x5EED_0004);
    let ops = plan(&mut rng, "sqlite", 150, 50, PRODUCTS, 1);
    let outcomes = join(run_all(&addrs, &cookie, &ops, Arc::default()).await).await;
    for outcome in &outcomes {
        if let Outcome::Refused(status, body) = outcome {
            assert!(!body.contains("locked"), "{status} {body}");
            assert!(*status < 500, "{status} {body}");
        }
    }
    let (sold, refused, busy) = assert_books(&t.db, &ops, &outcomes, PRODUCTS, SEEDED).await;
    assert_eq!(busy, 0, "SQLite answered 503");
    eprintln!("SQLite: 200 writers; {sold} sales recorded, {refused} refused");
}

// ---------------------------------------------------------------------------------------------
// 5. Transport.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_oversized_bodies_traversal_and_slow_clients() {
    let t = common::sqlite().await;
    let server = Server::start_with(
        &t.url,
        &[
            ("HEADER_READ_TIMEOUT_SECONDS", "1"),
            ("REQUEST_BODY_TIMEOUT_SECONDS", "1"),
        ],
    )
    .await;
    let addr = server.addr;
    let cookie = sign_in(addr).await;

    // A body over the limit is refused from its Content-Length, before it is sent.
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!(
                "POST /api/purchases HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 104857600\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut raw = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut raw))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let reply = parse_response(&raw[..n]).unwrap();
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert!(started.elapsed() < Duration::from_secs(5));
    // Just over the limit, sent whole: 413 too; just under: an ordinary answer (no key → 422).
    let limit = stockroom::server::http::MAX_BODY_BYTES;
    for (size, want) in [(limit + 1, 413), (limit - 1_000, 422)] {
        let body = format!("party_name={}", "a".repeat(size - "party_name=".len()));
        let reply = call(addr, &cookie, "/api/purchases", &body).await.unwrap();
        assert_eq!(reply.status, want, "a {size}-byte body");
    }
    assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM bills").await, 0);

    // `..` and encoded traversal under /pkg (and elsewhere) never reach files outside the site
    // folder (the server runs in the repository: Cargo.toml is three levels above target/site/pkg).
    let mut tried = 0;
    for prefix in ["/pkg/", "/"] {
        for up in [
            "..",
            "%2e%2e",
            "%2E%2E",
            ".%2e",
            "%252e%252e",
            "..%5c",
            "....",
            "..;",
        ] {
            for sep in ["/", "%2f", "%2F", "%5c", "\\"] {
                for depth in [1, 3, 6] {
                    for target in ["Cargo.toml", "etc/passwd"] {
                        let path =
                            format!("{prefix}{}{target}", format!("{up}{sep}").repeat(depth));
                        let reply = http(addr, "GET", &path, &[("Cookie", &cookie)], b"")
                            .await
                            .unwrap();
                        let text = reply.text();
                        tried += 1;
                        assert!(
                            !text.contains("[package]") && !text.contains("root:x:0:0"),
                            "{path} escaped the site folder"
                        );
                        assert!(reply.status < 500, "{path}: {}", reply.status);
                    }
                }
            }
        }
    }

    // Slow clients (this server runs with 1-second timeouts): 200 connections, 50 of each kind,
    // that send nothing, stall half-way through the head, trickle the head a byte at a time, or
    // stall half-way through a body. None stops the server answering others; all are dropped.
    let started = Instant::now();
    let mut stalled = Vec::new();
    for i in 0..200 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let opening: &[u8] = match i % 4 {
            0 => b"",
            1 => b"GET /inventory HTTP/1.1\r\nHost: x\r\nUser-Ag",
            2 => b"G",
            _ => b"POST /api/sales HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nparty",
        };
        s.write_all(opening).await.unwrap();
        stalled.push((i % 4, s));
    }
    let asked = Instant::now();
    let health = http(addr, "GET", "/healthz", &[], b"").await.unwrap();
    assert_eq!(health.status, 200);
    assert!(asked.elapsed() < Duration::from_secs(2));
    // The tricklers send a byte every 200 ms: still too slow to finish a head in a second.
    let trickle = async {
        for _ in 0..15 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            for (_, s) in stalled.iter_mut().filter(|(kind, _)| *kind == 2) {
                let _ = s.write_all(b"E").await;
            }
        }
    };
    trickle.await;
    let mut answers = std::collections::BTreeMap::<String, usize>::new();
    for (kind, mut s) in stalled {
        let mut seen = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            let mut buf = [0u8; 1024];
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        assert!(
            closed.is_ok(),
            "a slow client of kind {kind} was still connected 8 s after connecting"
        );
        let status = parse_response(&seen).map_or("closed".to_owned(), |r| r.status.to_string());
        if kind == 3 {
            assert_eq!(
                status, "408",
                "a stalled body is answered 408 Request Timeout"
            );
        } else {
            assert_eq!(
                status, "closed",
                "a stalled head is dropped without an answer"
            );
        }
        *answers.entry(format!("kind {kind}: {status}")).or_default() += 1;
    }
    let dropped_in = started.elapsed();
    assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM bills").await, 0);
    // And an ordinary client on a fresh connection is served as before.
    let health = http(addr, "GET", "/healthz", &[], b"").await.unwrap();
    assert_eq!(health.status, 200);
    eprintln!("transport: 200 slow clients all dropped within {dropped_in:?}: {answers:?}");
    eprintln!("transport: {tried} traversal paths tried, none escaped");
}

// ---------------------------------------------------------------------------------------------
// 6. Hostile input to every server function.

/// What a write would change: row counts and on-hand totals.
async fn snapshot(db: &Db) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM bills",
        "SELECT COUNT(*) FROM bill_lines",
        "SELECT COUNT(*) FROM movements",
        "SELECT COUNT(*) FROM lots",
        "SELECT COUNT(*) FROM products",
        "SELECT COUNT(*) FROM users",
        "SELECT COUNT(*) FROM idempotency_keys",
        "SELECT COALESCE(SUM(quantity), 0) FROM products",
        "SELECT COALESCE(SUM(LENGTH(name) + selling_price + archived), 0) FROM products",
    ] {
        out.push(scalar(db, sql).await);
    }
    out
}

const FIELDS: &[&str] = &[
    "id",
    "name",
    "q",
    "page",
    "sort",
    "selling_price",
    "lower_limit",
    "upper_limit",
    "loose",
    "sku",
    "unit",
    "party_name",
    "party_phone",
    "party_address",
    "key",
    "before",
    "after",
    "product",
    "kind",
    "from",
    "to",
    "days",
    "email",
    "password",
    "next",
    "lines[0][product]",
    "lines[0][quantity]",
    "lines[0][amount]",
    "lines[0][expires_on]",
    "lines[1][quantity]",
];

fn hostile_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "abc",
        "-1",
        "0",
        "-0",
        "1.5",
        "-9223372036854775808",
        "9223372036854775807",
        "9223372036854775808",
        "99999999999999999999999999999999",
        "1e308",
        "NaN",
        "inf",
        "0x10",
        "' OR 1=1 --",
        "'); DROP TABLE bills; --",
        "\" OR \"\"=\"",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "\0",
        "a\0b",
        "%00",
        "%",
        "../../etc/passwd",
        "//evil.example/",
        "javascript:alert(1)",
        "\r\nSet-Cookie: x=y",
        "\u{202e}\u{feff}",
        "😀",
        "true",
        "null",
        "[]",
        "{}",
        "2026-02-30",
        "9999-99-99",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("A".repeat(1_000_000));
    v.push("é".repeat(100_000));
    v
}

/// Raw bodies no form encoder would make.
fn raw_bodies() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = [
        &b""[..],
        b"\xff\xfe\xfd=\xff",
        b"name=\xc3\x28&party_name=\xed\xa0\x80",
        b"%ff%fe=%c3%28&id=%ed%a0%80",
        b"lines=abc",
        b"lines[0]=x",
        b"lines[99999999999][product]=x",
        b"lines[18446744073709551616][quantity]=1",
        b"lines[0][0][0][0][0]=x",
        b"lines[][product]=x&lines[][quantity]=1",
        b"a[b[c]]]=&[=&]=",
        b"=&&==&",
        b"id=1&id=2&id=3",
        b"{\"id\": \"x\", \"lines\": [1, 2]}",
        b"\0\0\0\0",
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    let mut many = String::new();
    for i in 0..2_000 {
        many.push_str(&format!("lines[{i}][product]=p{i}&lines[{i}][quantity]=1&"));
    }
    v.push(many.into_bytes());
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_to_every_server_function() {
    use leptos::server_fn::axum::server_fn_paths;
    let t = common::sqlite().await;
    let db = t.db.clone();
    let server = Server::start(&t.url).await;
    let addr = server.addr;
    let mut cookie = sign_in(addr).await;
    let mut paths: Vec<(String, String)> = server_fn_paths()
        .map(|(p, m)| (p.to_owned(), m.to_string()))
        .collect();
    paths.sort();
    for required in [
        "/api/sales",
        "/api/purchases",
        "/api/products/update",
        "/api/login",
    ] {
        assert!(
            paths.iter().any(|(p, _)| p == required),
            "{required} not registered: {paths:?}"
        );
    }
    let values = hostile_values();
    let mut bodies: Vec<(Vec<u8>, &str)> = Vec::new();
    let form = "application/x-www-form-urlencoded";
    for value in &values {
        let pairs: Vec<(&str, &str)> = FIELDS.iter().map(|f| (*f, value.as_str())).collect();
        bodies.push((encode(&pairs).into_bytes(), form));
    }
    for raw in raw_bodies() {
        bodies.push((raw, form));
    }
    let mut rng = Rng(0x5EED_0006);
    for _ in 0..40 {
        let mut pairs = Vec::new();
        for _ in 0..1 + rng.below(8) {
            let value = &values[rng.below(values.len() - 2)]; // the 1 MB ones are covered above
            pairs.push((FIELDS[rng.below(FIELDS.len())], value.as_str()));
        }
        let mut body = encode(&pairs).into_bytes();
        if rng.below(4) == 0 {
            let at = rng.below(body.len() + 1);
            let junk: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
            body.splice(at..at, junk);
        }
        bodies.push((body, form));
    }
    for ct in [
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
        "",
    ] {
        bodies.push((
            b"{\"id\":1,\"name\":[\"x\"],\"lines\":{\"a\":1}}".to_vec(),
            ct,
        ));
    }

    let mut tried = 0;
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for (path, method) in &paths {
        for (body, content_type) in &bodies {
            for accept in ["application/json", "text/html"] {
                let before = snapshot(&db).await;
                let origin = format!("http://{addr}");
                let mut headers = vec![
                    ("Accept", accept),
                    ("Origin", origin.as_str()),
                    ("Cookie", cookie.as_str()),
                ];
                if !content_type.is_empty() {
                    headers.push(("Content-Type", content_type));
                }
                let reply = if method == "GET" {
                    // A URL is capped well below a body: hyper refuses heads over ~400 KB.
                    let query: String = String::from_utf8_lossy(&body[..body.len().min(16_000)])
                        .replace(['#', ' '], "")
                        .chars()
                        .filter(|c| !c.is_control())
                        .collect();
                    http(addr, "GET", &format!("{path}?{query}"), &headers, b"").await
                } else {
                    http(addr, "POST", path, &headers, body).await
                }
                .unwrap_or_else(|e| panic!("{path}: no answer: {e}"));
                tried += 1;
                *statuses.entry(reply.status).or_default() += 1;
                let shown = || String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                assert!(
                    reply.status < 500,
                    "{path} {accept} {} for {:?}: {}",
                    reply.status,
                    shown(),
                    reply.text()
                );
                if reply.status >= 400 {
                    // (hyper itself answers a bare 400 to a URL it cannot parse, before the app)
                    assert!(
                        !reply.body.is_empty() || method == "GET" && reply.status == 400,
                        "{path}: a {} without a message",
                        reply.status
                    );
                    assert_eq!(
                        snapshot(&db).await,
                        before,
                        "{path} wrote on a refusal: {:?}",
                        shown()
                    );
                }
                if path.ends_with("/logout") {
                    // The hostile sign-ins above are (rightly) throttled per address; forget
                    // them so the manager can sign back in and the sweep goes on.
                    sqlx::query("DELETE FROM sign_in_failures")
                        .execute(db.pool_for_tests())
                        .await
                        .unwrap();
                    cookie = sign_in(addr).await;
                }
            }
        }
    }
    // Nothing above was a complete, valid bill: no stock moved at all.
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM bills").await, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM movements").await, 0);
    assert_ledger_holds(&db).await;
    eprintln!(
        "hostile input: {} server functions × {} bodies × 2 = {tried} calls; statuses {statuses:?}",
        paths.len(),
        bodies.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_names_render_inert() {
    let app = common::app::start().await;
    let cookie = app.sign_in(common::app::MANAGER).await;
    // `</title>` first: leptos_meta wrote titles unescaped, so this broke out of `<title>`.
    let evil = "</title><script>alert(1)</script>";
    let party = "\"><img src=x onerror=alert(1)>";
    let form = encode(&[
        ("party_name", party),
        ("lines[0][product]", evil),
        ("lines[0][quantity]", "3"),
        ("lines[0][amount]", "10"),
        ("key", "reliability-xss-0001-key"),
    ]);
    let reply = app.call("/api/purchases", &form, Some(&cookie)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let bill: i64 = reply.body.trim().parse().unwrap();
    let product = app.product_id(evil).await;
    let mut pages = vec![
        "/inventory".to_owned(),
        format!("/inventory?q={}", urlencode(evil)),
        format!("/inventory/{product}"),
        format!("/bills/{bill}"),
        "/bills".to_owned(),
        "/transactions".to_owned(),
        format!(
            "/sell?party_name={}&lines%5B0%5D%5Bproduct%5D={}",
            urlencode(party),
            urlencode(evil)
        ),
    ];
    pages.push(format!("/buy?party_name={}", urlencode(evil)));
    for page in &pages {
        let reply = app.get(page, Some(&cookie)).await;
        assert_eq!(reply.status, 200, "{page}");
        if let Some(at) = reply.body.find(evil) {
            panic!(
                "{page} renders a live script: …{}…",
                &reply.body[at.saturating_sub(300)..(at + 60).min(reply.body.len())]
            );
        }
        assert!(
            !reply.body.contains("<img src=x"),
            "{page} renders a live tag"
        );
    }
    for page in &pages[..4] {
        assert!(
            app.get(page, Some(&cookie))
                .await
                .body
                .contains("&lt;script"),
            "{page} lacks the escaped name"
        );
    }
    let (status, headers, pdf) = app
        .send_raw(
            Request::get(format!("/bills/{bill}/invoice.pdf"))
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.starts_with(b"%PDF"));
}
