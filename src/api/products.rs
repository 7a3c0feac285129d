//! The product catalogue: lists, suggestions, one product's page, and changes to it (parsed
//! by [`crate::domain::product_form::ProductForm::parse`]).
#![expect(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field (its client stub too)"
)]

use crate::domain::{Currency, ProductPage};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How many products one page of the inventory shows unless `Rows` says otherwise.
pub const PER_PAGE: i64 = 25;

/// A page of products with the currency to show their prices in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductListing {
    pub page: ProductPage,
    pub currency: Currency,
}

/// Products in `sort` order (`name`, `name_desc`, `quantity`, `quantity_desc`), optionally only
/// those matching `q` (part of the name, or the whole SKU); `page` starts at 1; `rows` per
/// page is 25, 50 or 100 ([`crate::domain::paging::ROW_CHOICES`]).
#[server(prefix = "/api", endpoint = "products/list")]
pub async fn list_products(
    #[server(default)] q: Option<String>,
    #[server(default)] page: Option<i64>,
    #[server(default)] sort: Option<String>,
    #[server(default)] rows: Option<i64>,
) -> Result<ProductListing, AppError> {
    use crate::domain::product::ProductSort;
    use crate::server::storage::products;
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let page = page.unwrap_or(1).clamp(1, 1_000_000);
    let sort = ProductSort::parse(sort.as_deref().unwrap_or_default());
    let per_page = crate::domain::paging::rows_per_page(rows, PER_PAGE);
    let mut page = products::list(&state.db, q.as_deref(), sort, page, per_page).await?;
    page.products = page
        .products
        .into_iter()
        .map(|p| p.for_role(user.role))
        .collect();
    Ok(ProductListing {
        page,
        currency: state.config.currency.clone(),
    })
}

/// A product as the buy and sell forms know it: offered while typing, found by a scan, and
/// priced in the form's live totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Its page is `/inventory/{id}` (where a price not set is set).
    pub id: i64,
    pub name: String,
    pub sku: Option<String>,
    pub unit: String,
    /// Sold loose: with `unit`, its [`Suggestion::measure`].
    pub loose: bool,
    pub quantity: i64,
    /// The selling price as the form's field takes it (`45.00`); empty while it is not set.
    pub selling_price: String,
    /// The average cost, likewise (what a purchase most likely pays again); managers only.
    pub average_cost: Option<String>,
    /// The rate the line will be taxed at: the product's own, or the shop's.
    pub tax_rate_bp: u32,
}

impl Suggestion {
    /// What the form offers of `product`, seen by someone of `role` in a shop taxing at
    /// `shop_rate_bp`.
    #[cfg(feature = "ssr")]
    fn of(product: crate::domain::Product, role: crate::domain::Role, shop_rate_bp: u32) -> Self {
        let p = product.for_role(role);
        Self {
            id: p.id,
            selling_price: p
                .listed_price()
                .map(crate::domain::Money::to_plain)
                .unwrap_or_default(),
            average_cost: p.average_cost.map(crate::domain::Money::to_plain),
            tax_rate_bp: p.tax_rate_bp.unwrap_or(shop_rate_bp),
            name: p.name,
            sku: p.sku,
            unit: p.unit,
            loose: p.loose,
            quantity: p.quantity,
        }
    }

    /// How its quantities read and are typed (kg for loose goods kept in grams).
    pub fn measure(&self) -> crate::domain::Measure {
        crate::domain::Measure::new(self.unit.clone(), self.loose)
    }

    /// Whether its selling price is set (a product a purchase created has none yet).
    pub fn has_price(&self) -> bool {
        !self.selling_price.is_empty()
    }

    /// Whether the text typed in a `Product` field means this product (its name, case and
    /// spacing ignored, or its exact SKU).
    pub fn is_named_by(&self, typed: &str) -> bool {
        crate::domain::search::fold(typed) == crate::domain::search::fold(&self.name)
            || self.sku.as_deref().is_some_and(|sku| sku == typed.trim())
    }
}

/// Up to eight products whose name starts with or contains `q` (or whose SKU is `q`), those
/// starting with it first: the suggestions under the `Product` fields.
#[server(prefix = "/api", endpoint = "products/suggest", input = leptos::server_fn::codec::GetUrl)]
pub async fn suggest_products(q: String) -> Result<Vec<Suggestion>, AppError> {
    use crate::server::storage::products;
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let found = products::suggest(&state.db, &q, 8).await?;
    let rate = state.config.tax_rate_bp;
    Ok(found
        .into_iter()
        .map(|p| Suggestion::of(p, user.role, rate))
        .collect())
}

/// The product whose SKU/barcode is `code`, if any: what a scan on `/buy` or `/sell` adds.
#[server(prefix = "/api", endpoint = "products/scan", input = leptos::server_fn::codec::GetUrl)]
pub async fn scan_product(code: String) -> Result<Option<Suggestion>, AppError> {
    use crate::server::storage::products;
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let rate = state.config.tax_rate_bp;
    Ok(products::by_code(&state.db, &code)
        .await?
        .map(|p| Suggestion::of(p, user.role, rate)))
}

/// What a bill form's typed `Product` fields (and a scanned code, if any) name, for the page
/// the server renders: each field's product (to price its line), the shop's rate, and the
/// scanned product (`None` when the code matches nothing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedProducts {
    pub lines: Vec<Option<Suggestion>>,
    pub shop_rate_bp: u32,
    pub scanned: Option<Suggestion>,
}

/// The products the `Product` fields `typed` name, and the one `barcode` names.
#[server(prefix = "/api", endpoint = "products/named")]
pub async fn form_products(
    #[server(default)] typed: Vec<String>,
    #[server(default)] barcode: String,
) -> Result<NamedProducts, AppError> {
    use crate::server::storage::products;
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let rate = state.config.tax_rate_bp;
    let found: Vec<Suggestion> = products::named(&state.db, &typed)
        .await?
        .into_iter()
        .map(|p| Suggestion::of(p, user.role, rate))
        .collect();
    let scanned = match barcode.trim() {
        "" => None,
        code => products::by_code(&state.db, code)
            .await?
            .map(|p| Suggestion::of(p, user.role, rate)),
    };
    Ok(NamedProducts {
        lines: typed
            .iter()
            .map(|t| found.iter().find(|s| s.is_named_by(t)).cloned())
            .collect(),
        shop_rate_bp: rate,
        scanned,
    })
}

/// A product with its open lots and latest movements, for its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub product: crate::domain::Product,
    pub lots: Vec<crate::domain::ledger::OpenLot>,
    pub movements: Vec<crate::domain::ledger::Movement>,
    pub currency: Currency,
    /// The shop's `TAX_RATE`, which a product without a rate of its own pays.
    pub shop_tax_rate_bp: u32,
}

/// One product, its lots (first-expiry-first-out) and its 20 latest movements.
#[server(prefix = "/api", endpoint = "products/get")]
pub async fn get_product(id: i64) -> Result<ProductDetail, AppError> {
    use crate::server::storage::{history, products};
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let product = products::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?
        .for_role(user.role);
    let lots = history::open_lots(&state.db, id).await?;
    let filter = history::MovementFilter {
        product_id: Some(id),
        ..Default::default()
    };
    let movements = history::movements(&state.db, &filter, Default::default(), 20)
        .await?
        .rows;
    Ok(ProductDetail {
        product,
        lots,
        movements,
        currency: state.config.currency.clone(),
        shop_tax_rate_bp: state.config.tax_rate_bp,
    })
}

/// Saves a product's name, selling price, limits, loose flag, and (when sent) SKU and unit.
#[server(prefix = "/api", endpoint = "products/update")]
pub async fn update_product(
    id: i64,
    #[server(default)] name: String,
    #[server(default)] selling_price: String,
    #[server(default)] lower_limit: String,
    #[server(default)] upper_limit: String,
    #[server(default)] loose: Option<String>,
    #[server(default)] sku: Option<String>,
    #[server(default)] unit: Option<String>,
    #[server(default)] tax_rate: Option<String>,
    #[server(default)] tax_code: Option<String>,
) -> Result<(), AppError> {
    use leptos::server_fn::ServerFn;
    let form = crate::domain::product_form::ProductForm {
        name,
        selling_price,
        lower_limit,
        upper_limit,
        loose,
        sku,
        unit,
        tax_rate,
        tax_code,
    };
    let result = save_product(id, &form).await;
    if let Err(error) = &result {
        super::form::back_to_form(
            &format!("/inventory/{id}"),
            UpdateProduct::PATH,
            &form,
            error,
        );
    }
    result
}

#[cfg(feature = "ssr")]
async fn save_product(
    id: i64,
    form: &crate::domain::product_form::ProductForm,
) -> Result<(), AppError> {
    use crate::server::storage::{products, StorageError};
    super::context::require_user()?;
    let state = super::context::state()?;
    // Limits are read in the product's measure, so a form without a unit (a direct call) is
    // read in the unit the product has.
    let mut form = form.clone();
    if form.unit.is_none() {
        form.unit = products::get(&state.db, id).await?.map(|p| p.unit);
    }
    let draft = form.parse().map_err(AppError::InvalidFields)?;
    match products::update(&state.db, id, &draft, super::context::now()).await {
        Ok(()) => {
            leptos_axum::redirect(&format!("/inventory/{id}?saved=1"));
            Ok(())
        }
        Err(StorageError::Conflict { constraint }) if constraint == products::MEASURE_FIXED => {
            Err(AppError::Conflict {
                field: "loose".into(),
                message:
                    "This product's stock history is counted in its unit, so it cannot change \
                          between loose and packaged. To sell something loose, buy it under a new \
                          name with its quantity in kg or L (for example 25 kg)"
                        .into(),
            })
        }
        Err(StorageError::Conflict { constraint }) if constraint.contains("sku") => {
            Err(AppError::Conflict {
                field: "sku".into(),
                message: "Another product already has this SKU".into(),
            })
        }
        Err(StorageError::Conflict { .. }) => Err(AppError::Conflict {
            field: "name".into(),
            message: "Another product already has this name".into(),
        }),
        Err(StorageError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// Gives a product without a SKU an in-store EAN-13 barcode (for its labels); the browser goes
/// back to the product's page.
#[server(prefix = "/api", endpoint = "products/assign-barcode")]
pub async fn assign_barcode(id: i64) -> Result<(), AppError> {
    use crate::server::storage::{products, StorageError};
    super::context::require_user()?;
    let state = super::context::state()?;
    match products::assign_barcode(&state.db, id, super::context::now()).await {
        Ok(code) => {
            tracing::info!(product_id = id, ?code, "barcode assigned");
            leptos_axum::redirect(&format!("/inventory/{id}?barcode=1"));
            Ok(())
        }
        Err(StorageError::NotFound) => Err(AppError::NotFound),
        Err(StorageError::Conflict { .. }) => Err(AppError::Conflict {
            field: "sku".into(),
            message: "No free in-store barcode is left for this product: type one in".into(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// Managers only: deletes a product without history, archives one with history.
#[server(prefix = "/api", endpoint = "products/remove")]
pub async fn remove_product(id: i64) -> Result<(), AppError> {
    use crate::server::storage::{products, StorageError};
    let manager = super::context::require_manager()?;
    let state = super::context::state()?;
    match products::remove(&state.db, id, super::context::now()).await {
        Ok(removed) => {
            tracing::info!(
                product_id = id,
                user_id = manager.id,
                ?removed,
                "product removed"
            );
            leptos_axum::redirect("/inventory");
            Ok(())
        }
        Err(StorageError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}
