//! Parties: the list of suppliers and customers, one party with its bills, a manager's edit of
//! its name, phone and address (parsed by [`PartyForm::parse`]), and the suggestions under the
//! bill forms' `Supplier`/`Customer` fields.

#[cfg(feature = "ssr")]
use crate::domain::ledger::Seek;
use crate::domain::ledger::{BillSummary, Page};
#[cfg(feature = "ssr")]
use crate::domain::party::PartyForm;
use crate::domain::party::{PartyPage, PartyRow, PartySuggestion};
use crate::domain::Currency;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Parties one page of `/parties` shows unless `Rows` says otherwise.
pub const PER_PAGE: i64 = 25;
/// Bills one page of `/parties/{id}` shows unless `Rows` says otherwise.
pub const BILLS_PER_PAGE: i64 = 25;

/// A page of parties with the currency to show their sums in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyListing {
    pub page: PartyPage,
    pub currency: Currency,
}

/// Parties in name order whose name or phone contains `q` (all without it); `page` from 1.
#[server(prefix = "/api", endpoint = "parties/list")]
pub async fn list_parties(
    #[server(default)] q: Option<String>,
    #[server(default)] page: Option<i64>,
    #[server(default)] rows: Option<i64>,
) -> Result<PartyListing, AppError> {
    super::context::require_user()?;
    let state = super::context::state()?;
    let page = page.unwrap_or(1).clamp(1, 1_000_000);
    let per_page = crate::domain::paging::rows_per_page(rows, PER_PAGE);
    let page =
        crate::server::storage::parties::list(&state.db, q.as_deref(), page, per_page).await?;
    Ok(PartyListing {
        page,
        currency: state.config.currency.clone(),
    })
}

/// One party, its sums, and a page of its bills newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyDetail {
    pub party: PartyRow,
    pub bills: Page<BillSummary>,
    pub currency: Currency,
}

/// One party and a page of its bills, newest first (`before`/`after`: the neighbouring pages'
/// cursors).
#[server(prefix = "/api", endpoint = "parties/get")]
pub async fn get_party(
    id: i64,
    #[server(default)] before: Option<String>,
    #[server(default)] after: Option<String>,
    #[server(default)] rows: Option<i64>,
) -> Result<PartyDetail, AppError> {
    use crate::server::storage::parties;
    super::context::require_user()?;
    let state = super::context::state()?;
    let party = parties::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let seek = Seek::from_params(before.as_deref(), after.as_deref());
    let per_page = crate::domain::paging::rows_per_page(rows, BILLS_PER_PAGE);
    let bills = parties::bills(&state.db, id, seek, per_page).await?;
    Ok(PartyDetail {
        party,
        bills,
        currency: state.config.currency.clone(),
    })
}

/// Managers: saves a party's name, phone and address; the browser goes back to its page.
#[server(prefix = "/api", endpoint = "parties/update")]
pub async fn update_party(
    id: i64,
    #[server(default)] name: String,
    #[server(default)] phone: String,
    #[server(default)] address: String,
) -> Result<(), AppError> {
    use leptos::server_fn::ServerFn;
    let form = PartyForm {
        name,
        phone,
        address,
    };
    let result = save_party(id, &form).await;
    if let Err(error) = &result {
        super::form::back_to_form(&format!("/parties/{id}"), UpdateParty::PATH, &form, error);
    }
    result
}

#[cfg(feature = "ssr")]
async fn save_party(id: i64, form: &PartyForm) -> Result<(), AppError> {
    use crate::server::storage::{parties, StorageError};
    let manager = super::context::require_manager()?;
    let state = super::context::state()?;
    let draft = form.parse().map_err(AppError::InvalidFields)?;
    match parties::update(&state.db, id, &draft, super::context::now()).await {
        Ok(()) => {
            tracing::info!(party_id = id, user_id = manager.id, "party saved");
            leptos_axum::redirect(&format!("/parties/{id}?saved=1"));
            Ok(())
        }
        Err(StorageError::Conflict { .. }) => Err(AppError::Conflict {
            field: "name".into(),
            message: crate::domain::party::NAME_TAKEN.into(),
        }),
        Err(StorageError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// Up to eight known parties whose name contains `q`, those on `kind`'s side (`purchase`:
/// suppliers, `sale`: customers) first: the suggestions under `Supplier` and `Customer`.
#[server(prefix = "/api", endpoint = "parties/suggest", input = leptos::server_fn::codec::GetUrl)]
pub async fn suggest_parties(
    q: String,
    #[server(default)] kind: String,
) -> Result<Vec<PartySuggestion>, AppError> {
    use crate::domain::bill::BillKind;
    super::context::require_user()?;
    let state = super::context::state()?;
    let kind = kind.parse::<BillKind>().unwrap_or(BillKind::Sale);
    Ok(crate::server::storage::parties::suggest(&state.db, &q, kind, 8).await?)
}
