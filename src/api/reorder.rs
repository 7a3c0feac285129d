//! What to order: the reorder list of `/reorder`.

use crate::domain::reorder::ReorderList;
#[cfg(feature = "ssr")]
use crate::domain::reorder::{DEFAULT_DAYS, MAX_DAYS};
use crate::error::AppError;
use leptos::prelude::*;

/// The most rows `/reorder` shows (the most urgent first; the filters narrow the rest).
pub const REORDER_ROWS: i64 = 100;

/// Products at or below their lower limit, or projected to run out within `days` (default 7) at
/// their net sales of the last 28 days of the shop's calendar (today included), most urgent
/// first; `supplier` keeps those whose latest purchase was from that supplier.
#[server(prefix = "/api", endpoint = "reorder/list")]
pub async fn list_reorder(
    #[server(default)] days: Option<i64>,
    #[server(default)] supplier: Option<String>,
) -> Result<ReorderList, AppError> {
    use crate::server::storage::reorder::{list, ReorderQuery};
    super::context::require_user()?;
    let state = super::context::state()?;
    let days = days.unwrap_or(DEFAULT_DAYS);
    if !(0..=MAX_DAYS).contains(&days) {
        return Err(AppError::invalid(
            "days",
            format!("Choose between 0 and {MAX_DAYS} days"),
        ));
    }
    if supplier.as_deref().is_some_and(|s| s.chars().count() > 200) {
        return Err(AppError::invalid(
            "supplier",
            "That supplier name is too long",
        ));
    }
    let query = ReorderQuery {
        now: super::context::now(),
        days,
        supplier,
        limit: REORDER_ROWS,
    };
    Ok(list(&state.db, &query).await?)
}
