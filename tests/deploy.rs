//! The deployed binary on several instances: started at the same moment against one fresh
//! database they all come up, every migration is applied exactly once, and each stops cleanly on
//! SIGTERM; PostgreSQL connections are encrypted (and verified) exactly when the URL asks.

mod binary;
mod common;

use binary::{migration_files, EmptyPostgres, Scratch, Server};
use sqlx::{Connection, Row};
use std::time::Duration;
use stockroom::server::operations::healthcheck;
use stockroom::server::storage::maintenance::{self, MigrationStatus};
use stockroom::server::storage::{Db, PoolSettings};

/// Starts `instances` servers at the same moment on `url`, checks each answers /healthz, that
/// every migration was applied exactly once, and that each stops cleanly on SIGTERM.
async fn instances_start_together_and_migrate_once(url: &str, backend: &str, instances: usize) {
    let scratch = Scratch::new();
    let env = [("DATABASE_URL", url), ("DATABASE_MAX_CONNECTIONS", "3")];
    let started: Vec<_> = (0..instances)
        .map(|_| Server::start(&scratch.0, &env))
        .collect();
    let servers: Vec<Server> = started
        .into_iter()
        .map(|(child, lines)| Server::listening(child, &lines))
        .collect();
    for server in &servers {
        healthcheck(server.addr, Duration::from_secs(5))
            .await
            .unwrap_or_else(|e| panic!("instance at {} is not healthy: {e}", server.addr));
    }
    let db = Db::connect(url, &PoolSettings::default()).await.unwrap();
    let known = migration_files(backend);
    assert_eq!(
        maintenance::migration_status(&db).await.unwrap(),
        MigrationStatus {
            applied: known,
            known
        }
    );
    let versions: Vec<(i64, i64)> = sqlx::query(
        "SELECT version, COUNT(*) FROM _sqlx_migrations GROUP BY version ORDER BY version",
    )
    .fetch_all(db.pool_for_tests())
    .await
    .unwrap()
    .iter()
    .map(|row| (row.try_get(0).unwrap(), row.try_get(1).unwrap()))
    .collect();
    assert_eq!(versions.len() as i64, known, "{versions:?}");
    assert!(versions.iter().all(|(_, n)| *n == 1), "{versions:?}");
    db.close().await;
    for server in servers {
        assert!(server.terminate().success(), "an instance did not exit 0");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_starting_together_on_a_fresh_postgres_database_migrate_once() {
    let Some(pg) = EmptyPostgres::create().await else {
        return;
    };
    instances_start_together_and_migrate_once(&pg.url, "postgres", 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_starting_together_on_a_fresh_sqlite_file_migrate_once() {
    let scratch = Scratch::new();
    let url = format!("sqlite://{}/shop.db", scratch.0.display());
    instances_start_together_and_migrate_once(&url, "sqlite", 3).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_fails_while_the_database_is_gone_and_sigterm_still_stops_cleanly() {
    let Some(pg) = EmptyPostgres::create().await else {
        return;
    };
    let scratch = Scratch::new();
    let env = [
        ("DATABASE_URL", pg.url.as_str()),
        ("DATABASE_ACQUIRE_TIMEOUT_SECONDS", "2"),
    ];
    let (child, lines) = Server::start(&scratch.0, &env);
    let server = Server::listening(child, &lines);
    healthcheck(server.addr, Duration::from_secs(5))
        .await
        .unwrap();
    pg.drop_now();
    let error = healthcheck(server.addr, Duration::from_secs(10))
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("503"), "{error}");
    let probe = binary::run(
        &scratch.0,
        &[("LISTEN_ADDR", &server.addr.to_string())],
        &["healthcheck", "--timeout", "10"],
    );
    assert_eq!(probe.status.code(), Some(1));
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_logs_json_to_stdout_and_log_dir_filtered_by_rust_log() {
    let scratch = Scratch::new();
    let url = format!("sqlite://{}/shop.db", scratch.0.display());
    let logs = scratch.0.join("logs");
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("LOG_DIR", logs.to_str().unwrap()),
        ("RUST_LOG", "info"),
    ];
    let (child, lines) = Server::start(&scratch.0, &env);
    let server = Server::listening(child, &lines);
    // Each request makes DEBUG events (tower_http's trace layer), which RUST_LOG=info drops.
    for _ in 0..3 {
        healthcheck(server.addr, Duration::from_secs(5))
            .await
            .unwrap();
    }
    assert!(server.terminate().success());
    let stdout: Vec<String> = lines.iter().collect();
    let file = std::fs::read_dir(&logs)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "log"))
        .expect("a log file in LOG_DIR");
    let written = std::fs::read_to_string(file).unwrap();
    for text in [stdout.join("\n"), written] {
        let events: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
            .collect();
        let messages: Vec<&str> = events
            .iter()
            .filter_map(|event| event["message"].as_str())
            .collect();
        assert!(
            messages.contains(&"in-flight requests finished"),
            "{messages:?}"
        );
        for event in &events {
            let level = event["level"].as_str().unwrap_or_default();
            assert!(["INFO", "WARN", "ERROR"].contains(&level), "{event}");
        }
    }
}

/// `url` with `params` added to its query.
fn with_params(url: &str, params: &str) -> String {
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}{params}")
}

async fn tls_version(url: &str) -> Result<Option<String>, String> {
    let settings = PoolSettings {
        max_connections: Some(1),
        acquire_timeout: Duration::from_secs(5),
        ..PoolSettings::default()
    };
    let db = Db::connect(url, &settings)
        .await
        .map_err(|e| e.to_string())?;
    let version = maintenance::tls_version(&db)
        .await
        .map_err(|e| e.to_string());
    db.close().await;
    version
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_are_encrypted_exactly_when_the_url_asks() {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("note: TEST_POSTGRES_URL is not set; skipping");
        return;
    };
    let mut plain = sqlx::PgConnection::connect(&with_params(&admin_url, "sslmode=disable"))
        .await
        .unwrap();
    let server_tls: String = sqlx::query_scalar("SHOW ssl")
        .fetch_one(&mut plain)
        .await
        .unwrap();
    let cert_file: String = sqlx::query_scalar("SHOW ssl_cert_file")
        .fetch_one(&mut plain)
        .await
        .unwrap();
    plain.close().await.unwrap();

    assert_eq!(
        tls_version(&with_params(&admin_url, "sslmode=disable")).await,
        Ok(None)
    );
    let required = tls_version(&with_params(&admin_url, "sslmode=require")).await;
    if server_tls == "on" {
        let version = required
            .unwrap()
            .expect("sslmode=require gave a plain connection");
        assert!(version.starts_with("TLS"), "{version}");
    } else {
        assert!(
            required.is_err(),
            "sslmode=require connected to a server without TLS"
        );
        return;
    }

    // verify-full checks the chain and the name: with the server's own (self-signed) certificate
    // as the root it connects by the certificate's name; with another root it refuses.
    if std::fs::read(&cert_file).is_err() {
        eprintln!("note: {cert_file} is not readable here; skipping the verify-full half");
        return;
    }
    let mut by_name = url::Url::parse(&admin_url).unwrap();
    by_name.set_host(Some("localhost")).unwrap();
    let verified = with_params(
        by_name.as_str(),
        &format!("sslmode=verify-full&sslrootcert={cert_file}"),
    );
    match tls_version(&verified).await {
        Ok(Some(_)) => {}
        other => {
            eprintln!("note: the server's certificate does not name localhost ({other:?}); skipping verify-full");
            return;
        }
    }
    let wrong_root = with_params(
        by_name.as_str(),
        "sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt",
    );
    assert!(
        tls_version(&wrong_root).await.is_err(),
        "verify-full accepted an unknown root"
    );
}
