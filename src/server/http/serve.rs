//! The serve loop: hyper per connection (for the header-read timeout), a graceful drain on
//! SIGTERM, and the hourly purge of dead sessions.

use super::router;
use crate::server::state::AppState;
use axum::extract::Request;
use std::time::Duration;

/// Serves until SIGTERM or Ctrl-C, then stops accepting, lets in-flight requests finish, and
/// closes the database pool — all within `SHUTDOWN_TIMEOUT_SECONDS`, after which it returns
/// anyway (the container runtime would otherwise kill it mid-write a few seconds later).
///
/// Each connection is served by hyper directly (rather than `axum::serve`) so that slow or
/// silent clients are bounded: a request head must arrive within `HEADER_READ_TIMEOUT_SECONDS`
/// (which also ends idle keep-alive connections), and its body within
/// `REQUEST_BODY_TIMEOUT_SECONDS` (see [`super::layers::read_body_in_time`]).
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let db = state.db.clone();
    let grace = state.config.shutdown_timeout;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.config.header_read_timeout);
    let purge = tokio::spawn(purge_sessions(state.clone()));
    let app = router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let signal = shutdown_signal();
    tokio::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        // The peer address feeds sign-in throttling per client (see `server::client::client_addr`).
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                app.clone().oneshot(request)
            });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection closed with an error");
            }
        });
    }
    // Stop accepting at once; open connections finish their request and close.
    drop(listener);
    purge.abort();
    let drained = tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_ok();
    if drained {
        tracing::info!("in-flight requests finished");
    } else {
        tracing::warn!(
            seconds = grace.as_secs(),
            "requests still in flight after SHUTDOWN_TIMEOUT_SECONDS; stopping anyway"
        );
    }
    // Closing waits for connections in use; after a forced stop some never come back.
    if tokio::time::timeout(Duration::from_secs(2), db.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use; leaving them to the exit");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Deletes dead sessions once an hour.
async fn purge_sessions(state: AppState) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3_600));
    loop {
        every_hour.tick().await;
        match state.sessions.purge(&state.db).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "purged expired sessions"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "purging sessions failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
