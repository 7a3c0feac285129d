//! Start-up: the database (connected and migrated), the first manager, and the shared state.

use super::clock::Clock;
use super::config::Config;
use super::passwords::hash_password;
use super::sessions::{SessionPolicy, Throttle};
use super::state::AppState;
use super::storage::{self, users, Db, PoolSettings};
use crate::domain::{Email, Password, Role};
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Connects to the database, applies migrations and creates the first manager if configured.
pub async fn prepare(config: Config, leptos_options: LeptosOptions) -> anyhow::Result<AppState> {
    let clock = Clock::system();
    let db = Db::connect(config.database_url.expose(), &pool_settings(&config))
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database at {}: {e}", config.database_url))?
        .in_zone(config.zone.clone());
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("database migration failed, not starting: {e}"))?;
    // The sales summaries, counted afresh if `SHOP_TIMEZONE` changed or they never were, and
    // moved on to today, before the first page needs them.
    storage::summaries::catch_up(&db, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("cannot bring the sales summaries up to date: {e}"))?;
    if let Some((email, password)) = &config.admin {
        if users::count(&db).await? == 0 {
            create_manager(&db, email, "Shop", "Manager", password, clock.now()).await?;
            tracing::info!(%email, "created the first manager from STOCKROOM_ADMIN_EMAIL");
        }
    } else if users::count(&db).await? == 0 {
        tracing::warn!(
            "no accounts yet: set STOCKROOM_ADMIN_EMAIL and STOCKROOM_ADMIN_PASSWORD, \
             or run `stockroom create-manager --email you@shop.example`"
        );
    }
    let sessions = SessionPolicy {
        idle: config.session_idle,
        max_age: config.session_max_age,
        secure_cookie: config.cookie_secure,
        throttle: Throttle::default(),
        clock: clock.clone(),
    };
    Ok(AppState {
        db,
        config: Arc::new(config),
        sessions,
        clock,
        leptos_options,
    })
}

/// The database pool as configured (`DATABASE_MAX_CONNECTIONS`, `DATABASE_*_SECONDS`).
pub fn pool_settings(config: &Config) -> PoolSettings {
    PoolSettings {
        max_connections: config.database_max_connections,
        acquire_timeout: config.database_acquire_timeout,
        idle_timeout: config.database_idle_timeout,
        max_lifetime: config.database_max_lifetime,
    }
}

/// Creates a manager account at `now`; an easily guessed password is refused with the reason.
pub async fn create_manager(
    db: &Db,
    email: &Email,
    first: &str,
    last: &str,
    password: &Password,
    now: i64,
) -> anyhow::Result<i64> {
    password
        .check_strength(&[email.as_str(), first, last])
        .map_err(|e| anyhow::anyhow!("password for {email}: {e}"))?;
    let hash = hash_password(password).await?;
    let account = users::NewAccount {
        email,
        first_name: first,
        last_name: last,
        role: Role::Manager,
        password_hash: &hash,
    };
    match users::insert(db, &account, now).await {
        Ok(id) => Ok(id),
        Err(storage::StorageError::Conflict { .. }) => {
            anyhow::bail!("an account with the email {email} already exists")
        }
        Err(e) => Err(e.into()),
    }
}
