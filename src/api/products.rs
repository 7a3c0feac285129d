//! The product catalogue.

use crate::domain::{Currency, ProductPage};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How many products one page of the inventory shows.
pub const PER_PAGE: i64 = 25;

/// A page of products with the currency to show their prices in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductListing {
    pub page: ProductPage,
    pub currency: Currency,
}

/// Products by name, optionally only those matching `q`; `page` starts at 1.
#[server(prefix = "/api", endpoint = "products/list")]
pub async fn list_products(
    #[server(default)] q: Option<String>,
    #[server(default)] page: Option<i64>,
) -> Result<ProductListing, AppError> {
    use crate::server::storage::products;
    super::context::require_user()?;
    let state = super::context::state()?;
    let page = page.unwrap_or(1).clamp(1, 1_000_000);
    let page = products::list(&state.db, q.as_deref(), page, PER_PAGE).await?;
    Ok(ProductListing {
        page,
        currency: state.config.currency.clone(),
    })
}
