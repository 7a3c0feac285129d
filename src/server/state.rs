//! What every request handler shares: the database, the configuration, the session policy and
//! the clock.

use super::clock::Clock;
use super::config::Config;
use super::sessions::SessionPolicy;
use super::storage::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Shared, cheaply cloned application state.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub sessions: SessionPolicy,
    /// The time for everything a request records or compares (`api::context::now`); the same
    /// clock as `sessions.clock`.
    pub clock: Clock,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
