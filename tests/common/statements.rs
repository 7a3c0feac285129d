//! Counting the SQL statements a piece of work runs, from sqlx's own per-statement events
//! (target `sqlx::query`, one per statement executed), through a process-wide tracing
//! subscriber: a test binary that counts holds one test, so no other test's statements count.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Counts sqlx's statement events, but SQLite's `PRAGMA`s: those set up a new connection (the
/// pool opens them as it needs) or give back sort memory, and are not the work's reads.
struct Statements(Arc<AtomicUsize>);

/// Whether an event's `summary` (the statement's first words) is a `PRAGMA`.
#[derive(Default)]
struct Pragma(bool);

impl tracing::field::Visit for Pragma {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}")
                .trim_start_matches('"')
                .to_ascii_uppercase()
                .starts_with("PRAGMA");
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "summary" {
            self.0 = value.to_ascii_uppercase().starts_with("PRAGMA");
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            let mut pragma = Pragma::default();
            event.record(&mut pragma);
            if !pragma.0 {
                if std::env::var_os("STATEMENTS_DEBUG").is_some() {
                    eprintln!("statement: {event:?}");
                }
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

/// Installs the counter as this process's only subscriber; returns the count so far.
pub fn count_statements() -> Arc<AtomicUsize> {
    let counter = Arc::new(AtomicUsize::new(0));
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(Statements(counter.clone())),
    )
    .expect("the only subscriber of this binary");
    counter
}
