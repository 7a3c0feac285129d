//! Databases a test may break: a throwaway PostgreSQL cluster of its own (initdb in a temporary
//! folder, on a free port; never the shared server on 5432) that the test stops and starts, and
//! a small tmpfs a test can fill. Both are removed by `Drop`, however the test ends: the cluster
//! is stopped (`immediate`) and its folder deleted, the file system unmounted.
//!
//! Without PostgreSQL's binaries, or without root for `mount`, the tests say so and pass only
//! when `REQUIRE_POSTGRES` is unset; CI sets it, so there a missing piece fails the test.
// Not `expect`: whether a part of the harness is unused depends on the test binary.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Skips (with a notice) when fault tests may, fails when `REQUIRE_POSTGRES` says they must run.
fn missing<T>(what: &str) -> Option<T> {
    assert!(
        std::env::var_os("REQUIRE_POSTGRES").is_none(),
        "REQUIRE_POSTGRES is set, but this fault test cannot run: {what}"
    );
    eprintln!("note: skipping a database fault test: {what}");
    None
}

fn scratch_dir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    std::env::temp_dir().join(format!(
        "stockroom-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The folder of PostgreSQL's server binaries: `PG_BIN_DIR`, else the newest
/// `/usr/lib/postgresql/*/bin` (Debian's layout), else wherever `pg_config --bindir` says.
fn postgres_bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    dir.join("initdb").exists().then_some(dir)
}

/// A PostgreSQL cluster that exists for one test, in a folder of its own, on a free port.
/// `initdb` and `postgres` refuse to run as root, so as root they run as the `postgres` user.
pub struct Cluster {
    root: PathBuf,
    data: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    pub port: u16,
}

impl Cluster {
    /// Creates and starts the cluster, or `None` (with a notice) where it cannot be made.
    pub fn start() -> Option<Cluster> {
        let Some(bin) = postgres_bin_dir() else {
            return missing("no PostgreSQL server binaries (initdb); set PG_BIN_DIR");
        };
        let as_postgres = is_root();
        let root = scratch_dir("pg-cluster");
        std::fs::create_dir_all(&root).unwrap();
        let mut cluster = Cluster {
            data: root.join("data"),
            root,
            bin,
            as_postgres,
            port: 0,
        };
        if as_postgres {
            let out = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&cluster.root)
                .output()
                .unwrap();
            assert!(out.status.success(), "chown: {}", said(&out));
        }
        let out = cluster.run(
            "initdb",
            &[
                "-D",
                cluster.data.to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(out.status.success(), "initdb failed: {}", said(&out));
        cluster.port = free_port();
        cluster.start_again();
        Some(cluster)
    }

    /// `bin/NAME ARGS`, as the `postgres` user when we are root.
    fn run(&self, name: &str, args: &[&str]) -> Output {
        let program = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command
            .args(args)
            .current_dir(&self.root)
            .env_remove("PGDATA")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {name}: {e}"))
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server (again) on its port and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40",
            self.port,
            self.root.display()
        );
        let log = self.root.join("server.log");
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}\n{}",
            said(&out),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Stops the server as an operator's `pg_ctl stop` (or a restart) does: `fast` ends every
    /// session at once, rolling back what was in flight.
    pub fn stop(&self) {
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
        assert!(out.status.success(), "pg_ctl stop failed: {}", said(&out));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.data.join("postmaster.pid").exists() {
            let _ = self.run(
                "pg_ctl",
                &[
                    "-D",
                    self.data.to_str().unwrap(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
            );
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A TCP port on loopback that nothing listens on just now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A tmpfs of `size` (e.g. `8m`) mounted on a new folder, unmounted and removed on drop.
pub struct SmallDisk {
    pub dir: PathBuf,
}

impl SmallDisk {
    /// Mounts it, or `None` (with a notice) where this process may not mount.
    pub fn mount(size: &str) -> Option<SmallDisk> {
        if !is_root() {
            return missing("mounting a small tmpfs needs root");
        }
        let dir = scratch_dir("small-disk");
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(&dir)
            .output()
            .unwrap();
        if !out.status.success() {
            let _ = std::fs::remove_dir(&dir);
            return missing(&format!("mount -t tmpfs failed: {}", said(&out)));
        }
        Some(SmallDisk { dir })
    }

    /// Writes a file at `path` until the disk is full; returns how many bytes it holds.
    pub fn fill(&self, path: &Path) -> u64 {
        use std::io::Write;
        let mut file = std::fs::File::create(path).unwrap();
        let chunk = vec![0x5a_u8; 64 * 1024];
        let mut written = 0_u64;
        // Large writes first, then small ones, so the last few bytes are taken too.
        for size in [chunk.len(), 4096, 512, 1] {
            loop {
                match file.write(&chunk[..size]) {
                    Ok(0) => break,
                    Ok(n) => written += n as u64,
                    Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
                    Err(e) => panic!("filling the disk: {e}"),
                }
            }
        }
        let _ = file.sync_all();
        written
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazy: a server killed a moment ago may still hold a file open.
        let unmounted = (0..50).any(|_| {
            let out = Command::new("umount").arg(&self.dir).output();
            let done = out.is_ok_and(|o| o.status.success());
            if !done {
                std::thread::sleep(Duration::from_millis(100));
            }
            done
        });
        if !unmounted {
            let _ = Command::new("umount").arg("-l").arg(&self.dir).output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
