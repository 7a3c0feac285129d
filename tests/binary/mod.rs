//! The `stockroom` binary as tests run it: a scratch working folder, a clean environment, servers
//! on free ports found from their log, stopped with SIGTERM (or killed if a test fails first),
//! and empty PostgreSQL databases.
// Not `expect`: whether a part of the harness is unused depends on the test binary.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

use sqlx::Connection;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use stockroom::server::config::settings::SETTINGS;

/// Every variable the binary reads (its settings table, and what Leptos reads beside it), so a
/// developer's environment cannot leak into a test.
fn config_keys() -> impl Iterator<Item = &'static str> {
    SETTINGS
        .iter()
        .map(|setting| setting.name)
        .chain(["LEPTOS_HASH_FILES", "LEPTOS_OUTPUT_NAME"])
}

/// A folder of its own for one test (the binary's working directory), removed at the end.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "stockroom-deploy-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `stockroom ARGS` in `dir` with exactly `env` as its configuration.
pub fn stockroom(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stockroom"));
    command.current_dir(dir).args(args);
    for key in config_keys() {
        command.env_remove(key);
    }
    command.env("RUST_LOG", "info,sqlx=warn");
    command.envs(env.iter().copied());
    command
}

pub fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    stockroom(dir, env, args).output().unwrap()
}

/// A child process that is killed if the test ends (or fails) while it still runs.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// A `stockroom serve` process on a free port, found from its "listening" log line.
pub struct Server {
    pub child: Running,
    pub addr: SocketAddr,
}

impl Server {
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> (Running, mpsc::Receiver<String>) {
        let mut env = env.to_vec();
        env.extend([
            ("LISTEN_ADDR", "127.0.0.1:0"),
            ("LOG_FORMAT", "json"),
            ("LEPTOS_OUTPUT_NAME", "stockroom"),
        ]);
        let mut child = stockroom(dir, &env, &["serve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        // Read every line (a full pipe would block the server) and pass them on.
        let (lines, receiver) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        (Running(child), receiver)
    }

    /// Waits for the "listening" line of a started server.
    pub fn listening(child: Running, lines: &mpsc::Receiver<String>) -> Self {
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = lines.recv_timeout(left) else {
                break;
            };
            let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if let Some(addr) = event["addr"].as_str() {
                return Server {
                    addr: addr.parse().unwrap(),
                    child,
                };
            }
        }
        panic!("the server did not start listening");
    }

    /// Sends SIGTERM and returns the exit status once the process is gone.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.0.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.0.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "still running 20 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A PostgreSQL database that exists, empty, for one test; `None` without TEST_POSTGRES_URL.
pub struct EmptyPostgres {
    admin_url: String,
    name: String,
    pub url: String,
}

impl EmptyPostgres {
    pub async fn create() -> Option<Self> {
        let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("REQUIRE_POSTGRES").is_none(),
                "REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not"
            );
            eprintln!("note: TEST_POSTGRES_URL is not set; skipping this PostgreSQL test");
            return None;
        };
        let name = format!(
            "stockroom_deploy_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let url = crate::common::with_database(&admin_url, &name);
        Some(EmptyPostgres {
            admin_url,
            name,
            url,
        })
    }
}

impl EmptyPostgres {
    /// Drops the database now, disconnecting whoever uses it (as losing the server would).
    pub fn drop_now(&self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(&drop).execute(&mut admin).await;
                    }
                });
        })
        .join();
    }
}

impl Drop for EmptyPostgres {
    fn drop(&mut self) {
        self.drop_now();
    }
}

pub fn migration_files(backend: &str) -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    std::fs::read_dir(dir).unwrap().count() as i64
}
