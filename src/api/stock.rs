//! Recording purchases and sales: the form is parsed in the domain
//! ([`crate::domain::bill_form::BillForm::parse`]) and recorded by storage in one transaction;
//! a refused plain-form submit goes back to its page with what was typed (see [`super::form`]).

#[cfg(feature = "ssr")]
use crate::domain::bill::BillKind;
#[cfg(feature = "ssr")]
use crate::domain::bill_form::BillForm;
use crate::domain::bill_form::LineForm;
use crate::error::AppError;
use leptos::prelude::*;

/// A new one-time key for a recording form.
#[server(prefix = "/api", endpoint = "form-key")]
pub async fn new_form_key() -> Result<String, AppError> {
    super::context::require_user()?;
    Ok(crate::server::sessions::random_key())
}

/// Records a purchase; returns the bill's id. The browser is sent to the bill's page.
#[server(prefix = "/api", endpoint = "purchases")]
pub async fn record_purchase(
    #[server(default)] party_name: String,
    #[server(default)] party_phone: String,
    #[server(default)] party_address: String,
    #[server(default)] lines: Vec<LineForm>,
    #[server(default)] key: String,
) -> Result<i64, AppError> {
    let form = posted(party_name, party_phone, party_address, lines, key);
    record(BillKind::Purchase, form).await
}

/// Records a sale; returns the bill's id. The browser is sent to the bill's page.
#[server(prefix = "/api", endpoint = "sales")]
pub async fn record_sale(
    #[server(default)] party_name: String,
    #[server(default)] party_phone: String,
    #[server(default)] party_address: String,
    #[server(default)] lines: Vec<LineForm>,
    #[server(default)] key: String,
) -> Result<i64, AppError> {
    let form = posted(party_name, party_phone, party_address, lines, key);
    record(BillKind::Sale, form).await
}

/// The form as its server function received it.
#[cfg(feature = "ssr")]
fn posted(
    party_name: String,
    party_phone: String,
    party_address: String,
    lines: Vec<LineForm>,
    key: String,
) -> BillForm {
    BillForm {
        party_name,
        party_phone,
        party_address,
        lines,
        key,
        ..BillForm::default()
    }
}

/// The page each kind of bill is recorded on, and its server function's path.
#[cfg(feature = "ssr")]
fn form_page(kind: BillKind) -> (&'static str, &'static str) {
    use leptos::server_fn::ServerFn;
    if kind == BillKind::Purchase {
        ("/buy", RecordPurchase::PATH)
    } else {
        ("/sell", RecordSale::PATH)
    }
}

#[cfg(feature = "ssr")]
async fn record(kind: BillKind, form: BillForm) -> Result<i64, AppError> {
    let result = record_checked(kind, &form).await;
    if let Err(error) = &result {
        let (page, path) = form_page(kind);
        super::form::back_to_form(page, path, &form.for_refill(), error);
    }
    result
}

#[cfg(feature = "ssr")]
async fn record_checked(kind: BillKind, form: &BillForm) -> Result<i64, AppError> {
    use crate::domain::bill_form::line_field;
    use crate::server::storage::stock::{self, BillInput, RecordError};
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let draft = match form.parse(kind) {
        Ok(draft) => draft,
        Err(mut errors) => {
            if kind == BillKind::Sale {
                let names: Vec<String> = form.lines.iter().map(|l| l.product.clone()).collect();
                let products = crate::server::storage::products::named(&state.db, &names).await?;
                crate::domain::sale_price::explain_unpriced(form, &products, &mut errors);
            }
            return Err(AppError::InvalidFields(errors));
        }
    };
    let bill = BillInput::from_draft(
        draft,
        state.config.tax_rate_bp,
        user.id,
        super::context::now(),
    );
    match stock::record(&state.db, &bill).await {
        Ok(recorded) => {
            let id = recorded.bill_id();
            tracing::info!(
                bill_id = id,
                kind = kind.as_str(),
                user_id = user.id,
                replay = matches!(recorded, stock::Recorded::Replayed(_)),
                "bill recorded"
            );
            leptos_axum::redirect(&format!("/bills/{id}"));
            Ok(id)
        }
        Err(RecordError::NotEnoughStock {
            line,
            product,
            available,
            unit,
            loose,
        }) => Err(AppError::NotEnoughStock {
            field: line_field(line, "quantity"),
            product,
            available,
            unit,
            loose,
        }),
        Err(RecordError::Units { line, error }) => Err(AppError::Invalid {
            field: line_field(line, "quantity"),
            message: error.to_string(),
        }),
        Err(RecordError::UnknownProduct { line, name }) => Err(AppError::Invalid {
            field: line_field(line, "product"),
            message: format!("There is no product named {name}"),
        }),
        Err(RecordError::ForeignKey) => Err(AppError::Conflict {
            field: "key".into(),
            message: "This form belongs to another session: reload the page".into(),
        }),
        Err(RecordError::InFlight) => Err(AppError::Conflict {
            field: "key".into(),
            message: "This bill is still being recorded: wait a moment and reload".into(),
        }),
        Err(RecordError::TooLarge) => Err(AppError::invalid(
            "lines[0][amount]",
            "The bill's total is too large",
        )),
        Err(RecordError::Storage(error)) => Err(error.into()),
    }
}
