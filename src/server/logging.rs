//! Logs: one line per event on stdout — JSON for log collectors, readable text for people — and,
//! when `LOG_DIR` is set, the same lines in daily files there, a bounded number of them kept.

use super::config::LogFormat;
use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::{Layered, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer, Registry};

/// What the output layers sit on: the filter applies to all of them (a filter inside a list of
/// layers would be overruled by its neighbours' interest).
type Filtered = Layered<EnvFilter, Registry>;

/// Log files are named `stockroom.YYYY-MM-DD.log`.
pub const FILE_PREFIX: &str = "stockroom";
pub const FILE_SUFFIX: &str = "log";

/// Keeps the log files' writer thread alive; dropping it flushes what is still buffered, so
/// hold it until the process ends.
#[must_use = "dropping the guard stops writing log files"]
pub struct LogGuard {
    _worker: Option<WorkerGuard>,
}

/// Where logs go.
#[derive(Clone, Copy, Debug)]
pub struct LogTargets<'a> {
    pub format: LogFormat,
    /// Also write daily files here.
    pub dir: Option<&'a Path>,
    /// How many daily files to keep.
    pub max_files: usize,
}

/// Installs the global subscriber. `RUST_LOG` filters (default `info`, quieter for sqlx).
///
/// A log folder that cannot be written to does not stop the server: stdout still works (and is
/// what a container runtime collects anyway), so the problem is logged there as a warning.
pub fn init(targets: LogTargets<'_>) -> LogGuard {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let mut layers = vec![format_layer(targets.format, fmt::layer())];
    let (guard, problem) = match targets.dir {
        None => (None, None),
        Some(dir) => match file_appender(dir, targets.max_files) {
            Ok(appender) => {
                let (writer, guard) = tracing_appender::non_blocking(appender);
                let layer = fmt::layer().with_ansi(false).with_writer(writer);
                layers.push(format_layer(targets.format, layer));
                (Some(guard), None)
            }
            Err(error) => (None, Some(format!("{}: {error}", dir.display()))),
        },
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(layers)
        .init();
    if let Some(problem) = problem {
        tracing::warn!(%problem, "cannot write log files; logging to stdout only");
    }
    LogGuard { _worker: guard }
}

fn format_layer<W>(
    format: LogFormat,
    layer: fmt::Layer<Filtered, fmt::format::DefaultFields, fmt::format::Format, W>,
) -> Box<dyn Layer<Filtered> + Send + Sync>
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    match format {
        LogFormat::Json => layer.json().flatten_event(true).boxed(),
        LogFormat::Pretty => layer.boxed(),
    }
}

/// A daily file in `dir` (created if missing), keeping the newest `max_files`.
fn file_appender(dir: &Path, max_files: usize) -> anyhow::Result<RollingFileAppender> {
    std::fs::create_dir_all(dir)?;
    Ok(RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(max_files.max(1))
        .build(dir)?)
}
