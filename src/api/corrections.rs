//! Correcting the books, for managers: stock counts and write-offs (on a product's page and on
//! `/expiry`), and returns of a sale or a purchase (`/bills/{id}/return`). Forms are parsed in
//! the domain ([`crate::domain::correction`], [`crate::domain::bill_return`]); each recording is
//! one transaction in storage; a refused plain-form submit goes back to its page with what was
//! typed ([`super::form`]).

use crate::domain::bill::BillKind;
use crate::domain::bill_return::{ReturnLineForm, ReturnableLine};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Records a stock count of product `id`; the browser goes back to the product's page.
#[server(prefix = "/api", endpoint = "stock/count")]
pub async fn record_count(
    id: i64,
    #[server(default)] counted: String,
    #[server(default)] reason: String,
    #[server(default)] key: String,
) -> Result<(), AppError> {
    use crate::domain::correction::CountForm;
    use leptos::server_fn::ServerFn;
    let form = CountForm {
        counted,
        reason,
        key,
    };
    let result = server::count(id, &form).await;
    if let Err(error) = &result {
        super::form::back_to_form(&format!("/inventory/{id}"), RecordCount::PATH, &form, error);
    }
    result
}

/// Writes off units of lot `lot` (all that is left unless `quantity` says otherwise). `from`
/// says where the browser goes back to: `expiry` (the expiry list) or the product's page.
#[server(prefix = "/api", endpoint = "stock/write-off")]
pub async fn write_off(
    lot: i64,
    #[server(default)] quantity: String,
    #[server(default)] reason: String,
    #[server(default)] key: String,
    #[server(default)] from: String,
) -> Result<(), AppError> {
    use crate::domain::correction::WriteOffForm;
    let form = WriteOffForm {
        lot,
        quantity,
        reason,
        key,
    };
    server::write_off(lot, &form, from == "expiry").await
}

/// A bill's lines as its return page shows them (managers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnPage {
    pub bill_id: i64,
    pub kind: BillKind,
    pub party_name: String,
    pub lines: Vec<ReturnableLine>,
}

/// What each line of bill `id` may still give back.
#[server(prefix = "/api", endpoint = "bills/returnable")]
pub async fn returnable(id: i64) -> Result<ReturnPage, AppError> {
    use crate::server::storage::{history, returns};
    super::context::require_manager()?;
    let state = super::context::state()?;
    let (kind, lines) = match returns::returnable(&state.db, id).await? {
        None => return Err(AppError::NotFound),
        Some(Err(_)) => {
            return Err(AppError::invalid(
                "bill",
                "This bill is a return: return goods from the original bill",
            ))
        }
        Some(Ok(found)) => found,
    };
    let bill = history::bill(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ReturnPage {
        bill_id: id,
        kind,
        party_name: bill.party_name,
        lines,
    })
}

/// Records a return of goods from bill `bill`; the browser lands on the new return bill.
#[server(prefix = "/api", endpoint = "bills/return")]
pub async fn record_return(
    bill: i64,
    #[server(default)] lines: Vec<ReturnLineForm>,
    #[server(default)] reason: String,
    #[server(default)] key: String,
) -> Result<i64, AppError> {
    use crate::domain::bill_return::ReturnForm;
    use leptos::server_fn::ServerFn;
    let form = ReturnForm { lines, reason, key };
    let result = server::record_return(bill, &form).await;
    if let Err(error) = &result {
        super::form::back_to_form(
            &format!("/bills/{bill}/return"),
            RecordReturn::PATH,
            &form,
            error,
        );
    }
    result
}

#[cfg(feature = "ssr")]
mod server {
    //! The server half of the functions above.

    use crate::domain::bill_return::{quantity_field, ReturnForm};
    use crate::domain::correction::{CountForm, WriteOffForm};
    use crate::error::AppError;
    use crate::server::storage::corrections::{self, CorrectionError, CountInput, WriteOffInput};
    use crate::server::storage::returns::{self, ReturnError, ReturnInput};
    use crate::server::storage::stock::RecordError;

    /// A used or mangled key, as the form shows it.
    fn key_error(message: &str) -> AppError {
        AppError::Conflict {
            field: "key".into(),
            message: message.into(),
        }
    }

    fn correction_error(error: CorrectionError, quantity_field: &str) -> AppError {
        match error {
            CorrectionError::NotFound => AppError::NotFound,
            CorrectionError::LotEmpty => {
                AppError::invalid(quantity_field, "This lot has nothing left")
            }
            CorrectionError::NotEnoughInLot { shown, .. } => {
                AppError::invalid(quantity_field, format!("This lot holds only {shown}"))
            }
            CorrectionError::Units(error) => AppError::invalid(quantity_field, error),
            CorrectionError::ForeignKey => {
                key_error("This form belongs to another session: reload the page")
            }
            CorrectionError::InFlight => {
                key_error("This is still being recorded: wait a moment and reload")
            }
            CorrectionError::Storage(e) => e.into(),
        }
    }

    pub async fn count(id: i64, form: &CountForm) -> Result<(), AppError> {
        let manager = crate::api::context::require_manager()?;
        let state = crate::api::context::state()?;
        // The count is typed in the product's measure (kg for loose goods kept in grams).
        let product = crate::server::storage::products::get(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let draft = form
            .parse(&product.measure())
            .map_err(AppError::InvalidFields)?;
        let input = CountInput {
            product_id: id,
            counted: draft.counted,
            reason: draft.reason,
            key: format!("count:{}", draft.key.as_str()),
            now: crate::api::context::now(),
        };
        let actor = crate::api::context::actor(&manager);
        let done = corrections::count(&state.db, &input, &actor)
            .await
            .map_err(|e| correction_error(e, "counted"))?;
        tracing::info!(
            product_id = id,
            by = manager.id,
            replay = done.replayed,
            "stock counted"
        );
        leptos_axum::redirect(&format!("/inventory/{id}?counted=1"));
        Ok(())
    }

    pub async fn write_off(
        lot: i64,
        form: &WriteOffForm,
        from_expiry: bool,
    ) -> Result<(), AppError> {
        let manager = crate::api::context::require_manager()?;
        let state = crate::api::context::state()?;
        let outcome = async {
            let draft = form.parse().map_err(AppError::InvalidFields)?;
            let input = WriteOffInput {
                lot_id: lot,
                quantity: draft.quantity,
                reason: draft.reason,
                key: format!("write_off:{}", draft.key.as_str()),
                now: crate::api::context::now(),
            };
            let actor = crate::api::context::actor(&manager);
            corrections::write_off(&state.db, &input, &actor)
                .await
                .map_err(|e| correction_error(e, "quantity"))
        }
        .await;
        match outcome {
            Ok(done) => {
                tracing::info!(
                    lot_id = lot,
                    by = manager.id,
                    replay = done.replayed,
                    "stock written off"
                );
                let back = if from_expiry {
                    "/expiry?written_off=1".to_owned()
                } else {
                    format!("/inventory/{}?written_off=1", done.product_id)
                };
                leptos_axum::redirect(&back);
                Ok(())
            }
            Err(error) => {
                // Back to where the button was, with the message beside that lot's form.
                use leptos::server_fn::ServerFn;
                let page = if from_expiry {
                    "/expiry".to_owned()
                } else {
                    product_page(lot).await
                };
                crate::api::form::back_to_form(&page, super::WriteOff::PATH, form, &error);
                Err(error)
            }
        }
    }

    /// The page of the product lot `lot` belongs to (the inventory when there is none).
    async fn product_page(lot: i64) -> String {
        let Ok(state) = crate::api::context::state() else {
            return "/inventory".into();
        };
        match crate::server::storage::history::lot_product(&state.db, lot).await {
            Ok(Some(product)) => format!("/inventory/{product}"),
            _ => "/inventory".into(),
        }
    }

    pub async fn record_return(bill: i64, form: &ReturnForm) -> Result<i64, AppError> {
        let manager = crate::api::context::require_manager()?;
        let state = crate::api::context::state()?;
        let draft = form.parse().map_err(AppError::InvalidFields)?;
        let input = ReturnInput {
            original_bill_id: bill,
            lines: draft.lines,
            reason: draft.reason,
            key: format!("return:{}", draft.key.as_str()),
            now: crate::api::context::now(),
        };
        let actor = crate::api::context::actor(&manager);
        match returns::record(&state.db, &input, &actor).await {
            Ok(recorded) => {
                let id = recorded.bill_id();
                tracing::info!(
                    bill_id = id,
                    original = bill,
                    by = manager.id,
                    "return recorded"
                );
                leptos_axum::redirect(&format!("/bills/{id}"));
                Ok(id)
            }
            Err(ReturnError::NotFound) => Err(AppError::NotFound),
            Err(ReturnError::IsAReturn) => Err(AppError::invalid(
                "bill",
                "This bill is a return: return goods from the original bill",
            )),
            Err(ReturnError::UnknownLine { line }) => Err(AppError::invalid(
                &quantity_field(line),
                "This line is not on the bill: reload the page",
            )),
            Err(error @ (ReturnError::TooMany { line, .. } | ReturnError::Units { line, .. })) => {
                Err(AppError::Invalid {
                    field: quantity_field(line),
                    message: error.to_string(),
                })
            }
            Err(ReturnError::Record(RecordError::ForeignKey)) => Err(key_error(
                "This form belongs to another session: reload the page",
            )),
            Err(ReturnError::Record(RecordError::InFlight)) => Err(key_error(
                "This return is still being recorded: wait a moment and reload",
            )),
            Err(ReturnError::Record(RecordError::Storage(e))) => Err(e.into()),
            Err(ReturnError::Record(other)) => {
                tracing::error!(error = %other, "a return failed unexpectedly");
                Err(AppError::Internal)
            }
        }
    }
}
