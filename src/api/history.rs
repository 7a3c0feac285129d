//! Reading the books: bills, the ledger history, and what is about to expire.

use crate::domain::bill::Bill;
#[cfg(feature = "ssr")]
use crate::domain::calendar::{Day, Zone};
#[cfg(feature = "ssr")]
use crate::domain::ledger::Seek;
use crate::domain::ledger::{BillSummary, ExpiringLot, Movement, Page};
use crate::domain::Currency;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows per page of the history lists unless `Rows` says otherwise.
pub const PER_PAGE: i64 = 50;
/// The expiry window when the page does not choose one.
pub const DEFAULT_EXPIRY_DAYS: i64 = 3;

/// A page of data with the currency to show it in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priced<T> {
    pub data: T,
    pub currency: Currency,
}

#[cfg(feature = "ssr")]
fn priced<T>(data: T) -> Result<Priced<T>, AppError> {
    Ok(Priced {
        data,
        currency: super::context::state()?.config.currency.clone(),
    })
}

/// Bills, newest first; `before`/`after` are the cursors of the neighbouring pages.
#[server(prefix = "/api", endpoint = "bills/list")]
pub async fn list_bills(
    #[server(default)] before: Option<String>,
    #[server(default)] after: Option<String>,
    #[server(default)] rows: Option<i64>,
) -> Result<Priced<Page<BillSummary>>, AppError> {
    super::context::require_user()?;
    let state = super::context::state()?;
    let seek = Seek::from_params(before.as_deref(), after.as_deref());
    let per_page = crate::domain::paging::rows_per_page(rows, PER_PAGE);
    let page = crate::server::storage::history::bills(&state.db, seek, per_page).await?;
    priced(page)
}

/// One bill with its lines.
#[server(prefix = "/api", endpoint = "bills/get")]
pub async fn get_bill(id: i64) -> Result<Priced<Bill>, AppError> {
    super::context::require_user()?;
    let state = super::context::state()?;
    let bill = crate::server::storage::history::bill(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    priced(bill)
}

/// Ledger movements, newest first, filtered by product name, type and date range (`YYYY-MM-DD`,
/// both ends inclusive, days of the shop's time zone).
#[server(prefix = "/api", endpoint = "movements/list")]
pub async fn list_movements(
    #[server(default)] product: Option<String>,
    #[server(default)] kind: Option<String>,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
    #[server(default)] before: Option<String>,
    #[server(default)] after: Option<String>,
    #[server(default)] rows: Option<i64>,
) -> Result<Priced<Page<Movement>>, AppError> {
    super::context::require_user()?;
    let state = super::context::state()?;
    let filter = movement_filter(&state.config.zone, product, kind, from, to)?;
    let seek = Seek::from_params(before.as_deref(), after.as_deref());
    let per_page = crate::domain::paging::rows_per_page(rows, PER_PAGE);
    let page =
        crate::server::storage::history::movements(&state.db, &filter, seek, per_page).await?;
    priced(page)
}

/// The ledger filter of `/transactions` (and its export): product name, type and date range
/// (`YYYY-MM-DD`, both ends inclusive, days of the shop's `zone`).
#[cfg(feature = "ssr")]
pub(crate) fn movement_filter(
    zone: &impl Zone,
    product: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<crate::server::storage::history::MovementFilter, AppError> {
    let kind = match kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(kind) => Some(
            kind.parse::<crate::domain::ledger::MovementKind>()
                .map_err(|_| AppError::invalid("kind", "Choose a type from the list"))?,
        ),
    };
    // `To` includes its whole day: the filter ends where the next local day starts (23 or 25
    // hours later across a daylight-saving change).
    let day_start = |field: &str, text: Option<String>, after: i64| match text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => Ok(None),
        Some(text) => {
            let day = Day::parse(text).map_err(|e| AppError::invalid(field, e))?;
            let day = day.plus_days(after).ok_or(AppError::Internal)?;
            Ok::<_, AppError>(Some(zone.start_of(day)))
        }
    };
    Ok(crate::server::storage::history::MovementFilter {
        product,
        product_id: None,
        kind,
        from: day_start("from", from, 0)?,
        until: day_start("to", to, 1)?,
    })
}

/// Lots with stock left expiring within `days` days (default 3) of the shop's today (in its
/// time zone), including expired ones, soonest first, a page at a time (`before`: later lots, `after`: sooner ones).
#[server(prefix = "/api", endpoint = "expiry/list")]
pub async fn expiring_lots(
    #[server(default)] days: Option<i64>,
    #[server(default)] before: Option<String>,
    #[server(default)] after: Option<String>,
) -> Result<Page<ExpiringLot>, AppError> {
    super::context::require_user()?;
    let state = super::context::state()?;
    let days = days.unwrap_or(DEFAULT_EXPIRY_DAYS);
    if !(0..=3_650).contains(&days) {
        return Err(AppError::invalid("days", "Choose between 0 and 3650 days"));
    }
    let today = state.config.zone.day_of(super::context::now());
    let until = today.plus_days(days).ok_or(AppError::Internal)?;
    let seek = Seek::from_params(before.as_deref(), after.as_deref());
    Ok(crate::server::storage::history::expiring(&state.db, today, until, seek, PER_PAGE).await?)
}

/// How many lots expire within the default window (up to `COUNT_CAP + 1`): the navigation's badge.
#[server(prefix = "/api", endpoint = "expiry/count")]
pub async fn expiring_count() -> Result<i64, AppError> {
    super::context::require_user()?;
    let state = super::context::state()?;
    let until = state
        .config
        .zone
        .day_of(super::context::now())
        .plus_days(DEFAULT_EXPIRY_DAYS)
        .ok_or(AppError::Internal)?;
    Ok(crate::server::storage::history::expiring_badge(&state.db, until).await?)
}
