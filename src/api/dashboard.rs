//! The dashboard's one server function: the figures of a period, filtered by the caller's role
//! here on the server, so staff never receive cost or profit figures.

use crate::domain::dashboard::Dashboard;
use crate::error::AppError;
use leptos::prelude::*;

/// The dashboard for `period` (`month`, `30d`, `12m` or `custom`; see
/// [`crate::domain::period::Period::resolve`]) with `from`/`to` dates (`YYYY-MM-DD`) for a
/// custom range, all days and months in the shop's time zone (`SHOP_TIMEZONE`). Managers get every figure; staff get the sales figures only.
#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn load_dashboard(
    #[server(default)] period: Option<String>,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
) -> Result<Dashboard, AppError> {
    use crate::domain::calendar::Zone;
    use crate::domain::period::Period;
    use crate::server::storage::dashboard::{figures, DashboardQuery};
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let now = super::context::now();
    let zone = state.config.zone.clone();
    let today = zone.day_of(now);
    let period = Period::resolve(period.as_deref(), from.as_deref(), to.as_deref(), today)
        .map_err(|e| AppError::invalid(e.field(), e))?;
    let expiring_until = today
        .plus_days(super::history::DEFAULT_EXPIRY_DAYS)
        .ok_or(AppError::Internal)?;
    let query = DashboardQuery::of(&period, today, expiring_until);
    let figures = figures(&state.db, &query).await?;
    Ok(Dashboard::for_role(
        figures,
        period,
        state.config.currency.clone(),
        user.role,
    ))
}
