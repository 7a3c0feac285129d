//! The managers' correction forms that sit on other pages: `Count stock` on a product's page,
//! and a lot's `Write off` (on a product's page and on `/expiry`). Plain form posts: a refused
//! one comes back with what was typed and the message next to the field (see `api::form`).

use crate::api::corrections::{RecordCount, WriteOff};
use crate::api::form::{fresh_key, typed};
use crate::domain::correction::{CountForm, WriteOffForm, DEFAULT_WRITE_OFF_REASON};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The message for `field` in `error`, next to the field.
fn message(error: &Option<AppError>, field: &str) -> Option<impl IntoView> {
    error
        .as_ref()
        .and_then(|e| e.for_field(field))
        .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
}

/// A general message (not about one field) in `error`.
fn general(error: &Option<AppError>) -> Option<impl IntoView> {
    error
        .as_ref()
        .filter(|e| !e.is_about_a_field() || e.for_field("key").is_some())
        .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
}

/// Whether the page was sent back after a refused submit.
fn refused() -> bool {
    use_query_map().get_untracked().get("__err").is_some()
}

/// `Count stock`: what is on the shelf, and why it was counted.
#[component]
pub fn CountStock(product_id: i64, unit: String) -> impl IntoView {
    let action = ServerAction::<RecordCount>::new();
    let error = action.value().get_untracked().and_then(Result::err);
    let typed: CountForm = if error.is_some() {
        typed()
    } else {
        CountForm::default()
    };
    let counted = use_query_map().get_untracked().get("counted").is_some();
    view! {
        <section class="card correction" aria-labelledby="h-count">
            <h2 id="h-count">"Count stock"</h2>
            {counted.then(|| view! { <p class="notice" role="status">"Count recorded."</p> })}
            <p class="muted">"What is on the shelf now. The difference to the books is recorded as an adjustment."</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="id" value=product_id/>
                <input type="hidden" name="key" value=fresh_key()/>
                <div class="field">
                    <label for="counted">"Counted quantity"</label>
                    <div class="with-unit">
                        <input id="counted" name="counted" inputmode="decimal" value=typed.counted aria-describedby="counted-error"/>
                        <span class="unit">{unit}</span>
                    </div>
                    <div id="counted-error">{message(&error, "counted")}</div>
                </div>
                <div class="field">
                    <label for="count-reason">"Reason"</label>
                    <input id="count-reason" name="reason" value=typed.reason placeholder="Stock-take" aria-describedby="count-reason-error"/>
                    <div id="count-reason-error">{message(&error, "reason")}</div>
                </div>
                {general(&error)}
                <button type="submit" class="button primary">"Record count"</button>
            </ActionForm>
        </section>
    }
}

/// A lot's `Write off` form. On `/expiry` (`from = "expiry"`) it is the button alone (everything
/// left, reason `Expired`); on a product's page it also asks `Quantity` and `Reason`.
#[component]
pub fn WriteOffLot(
    lot_id: i64,
    from: &'static str,
    #[prop(optional)] fields: bool,
) -> impl IntoView {
    let action = ServerAction::<WriteOff>::new();
    let error = action.value().get_untracked().and_then(Result::err);
    let typed: WriteOffForm = if error.is_some() && refused() {
        typed()
    } else {
        WriteOffForm::default()
    };
    // Only the lot whose form was refused shows the message and the typing.
    let (error, typed) = if typed.lot == lot_id {
        (error, typed)
    } else {
        (None, WriteOffForm::default())
    };
    let reason = if typed.reason.is_empty() {
        DEFAULT_WRITE_OFF_REASON.to_owned()
    } else {
        typed.reason.clone()
    };
    let quantity_id = format!("write-off-{lot_id}-quantity");
    let reason_id = format!("write-off-{lot_id}-reason");
    let inputs = if fields {
        Some(view! {
            <div class="field compact">
                <label for=quantity_id.clone()>"Quantity"</label>
                <input id=quantity_id.clone() name="quantity" inputmode="decimal" value=typed.quantity.clone() placeholder="all"/>
                {message(&error, "quantity")}
            </div>
            <div class="field compact">
                <label for=reason_id.clone()>"Reason"</label>
                <input id=reason_id name="reason" value=reason.clone()/>
                {message(&error, "reason")}
            </div>
        }.into_any())
    } else {
        Some(
            view! {
                <input type="hidden" name="reason" value=reason.clone()/>
                {message(&error, "quantity")}
            }
            .into_any(),
        )
    };
    view! {
        <ActionForm action attr:class="inline-form write-off" attr:novalidate=true>
            <input type="hidden" name="lot" value=lot_id/>
            <input type="hidden" name="from" value=from/>
            <input type="hidden" name="key" value=fresh_key()/>
            {inputs}
            {general(&error)}
            <button type="submit" class="button danger small">"Write off"</button>
        </ActionForm>
    }
}
