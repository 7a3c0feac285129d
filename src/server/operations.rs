//! The operator's commands that are not the server: `check-config` (what the environment says,
//! secrets masked, and whether the database answers) and `healthcheck` (the container's probe).

use super::config::settings::SETTINGS;
use super::config::Config;
use super::startup::pool_settings;
use super::storage::{self, maintenance, Backend, Db};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// The effective settings, one `(variable, value)` per line in the order of
/// [`SETTINGS`], with secrets masked.
pub fn effective_settings(config: &Config) -> Vec<(&'static str, String)> {
    SETTINGS
        .iter()
        .filter_map(|setting| Some((setting.name, (setting.show?)(config))))
        .collect()
}

/// The settings as an aligned block of text.
pub fn settings_report(config: &Config) -> String {
    let settings = effective_settings(config);
    let width = settings.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (key, value) in settings {
        let _ = writeln!(out, "  {key:<width$}  {value}");
    }
    out
}

/// Connects to the configured database without changing it and describes what answered:
/// the engine, whether the connection is encrypted (PostgreSQL) and the migration status.
pub async fn database_report(config: &Config) -> anyhow::Result<String> {
    if let Some(file) = maintenance::sqlite_file(config.database_url.expose()) {
        if !file.exists() {
            return Ok(format!(
                "SQLite file {} does not exist yet; the server creates it at start-up",
                file.display()
            ));
        }
    }
    let settings = storage::PoolSettings {
        max_connections: Some(1),
        ..pool_settings(config)
    };
    let db = Db::connect(config.database_url.expose(), &settings)
        .await
        .map_err(|e| {
            anyhow::anyhow!("cannot reach the database at {}: {e}", config.database_url)
        })?;
    db.ping().await?;
    let status = maintenance::migration_status(&db).await?;
    let engine = match db.backend() {
        Backend::Sqlite => "SQLite".to_owned(),
        Backend::Postgres => match maintenance::tls_version(&db).await? {
            Some(version) => format!("PostgreSQL over TLS ({version})"),
            None => {
                "PostgreSQL, NOT encrypted (add ?sslmode=verify-full&sslrootcert=… to require TLS)"
                    .to_owned()
            }
        },
    };
    db.close().await;
    let pending = status.known - status.applied;
    let migrations = match pending {
        0 => format!("all {} migrations applied", status.known),
        n if n > 0 => format!(
            "{} of {} migrations applied; {n} will run at start-up",
            status.applied, status.known
        ),
        _ => format!(
            "{} migrations applied but this binary knows only {}: it is older than the database",
            status.applied, status.known
        ),
    };
    Ok(format!("{engine}, reachable; {migrations}"))
}

/// `stockroom healthcheck`: asks the server on `listen` for `/healthz` and fails unless it
/// answers 200 within `timeout`. A wildcard listen address is probed on loopback.
pub async fn healthcheck(listen: SocketAddr, timeout: Duration) -> anyhow::Result<()> {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let addr = SocketAddr::new(ip, listen.port());
    let probe = async {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let request = http::Request::get("/healthz")
            .header(http::header::HOST, addr.to_string())
            .body(axum::body::Body::empty())?;
        let response = sender.send_request(request).await?;
        anyhow::Ok(response.status())
    };
    let status = tokio::time::timeout(timeout, probe)
        .await
        .map_err(|_| anyhow::anyhow!("http://{addr}/healthz did not answer within {timeout:?}"))?
        .map_err(|e| anyhow::anyhow!("http://{addr}/healthz: {e}"))?;
    anyhow::ensure!(
        status == http::StatusCode::OK,
        "http://{addr}/healthz answered {status}"
    );
    Ok(())
}
