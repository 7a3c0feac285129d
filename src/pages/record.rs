//! `/buy` and `/sell`: one form for both kinds of bill. Without JavaScript `Add line` reloads
//! the form (GET) with one more line and everything typed so far; hydrated, it adds the line at
//! once. The form posts as a plain HTML form in both cases (a full page load), so it behaves the
//! same with and without JavaScript: a failed submit comes back with the typed values and a
//! message next to each field (the server-function error in `__err`, which `ServerAction` reads);
//! a recorded one lands on the bill's page.

use crate::api::stock::{line_field, new_form_key, RecordPurchase, RecordSale};
use crate::domain::bill::BillKind;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Lines shown on a fresh form.
const DEFAULT_ROWS: usize = 3;
/// The most lines the form offers.
const MAX_ROWS: usize = 100;

/// `/buy`: record a purchase.
#[component]
pub fn BuyPage() -> impl IntoView {
    let action = ServerAction::<RecordPurchase>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! { <BillForm kind=BillKind::Purchase error action_url=RecordPurchase::url()/> }
}

/// `/sell`: record a sale.
#[component]
pub fn SellPage() -> impl IntoView {
    let action = ServerAction::<RecordSale>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! { <BillForm kind=BillKind::Sale error action_url=RecordSale::url()/> }
}

#[component]
fn BillForm(
    kind: BillKind,
    error: Signal<Option<AppError>>,
    action_url: &'static str,
) -> impl IntoView {
    let query = use_query_map();
    let typed = move |name: &str| query.read_untracked().get(name).unwrap_or_default();
    let initial_rows = typed("rows")
        .parse::<usize>()
        .unwrap_or(DEFAULT_ROWS)
        .clamp(1, MAX_ROWS);
    let rows = RwSignal::new(initial_rows);
    // After hydration `Add line` is an ordinary button; before it (and without JS) it submits
    // the form as a GET to this page with one more row.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let key = Resource::new(|| (), |_| new_form_key());
    let (title, party, amount_label, submit, page) = match kind {
        BillKind::Purchase => ("Buy", "Supplier", "Unit cost", "Record purchase", "/buy"),
        BillKind::Sale => ("Sell", "Customer", "Unit price", "Record sale", "/sell"),
    };
    let message = move |field: String| {
        move || {
            error
                .get()
                .and_then(|e| e.for_field(&field))
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        }
    };
    let general = move || {
        error
            .get()
            .filter(|e| {
                !matches!(
                    e,
                    AppError::Invalid { .. }
                        | AppError::InvalidFields(_)
                        | AppError::Conflict { .. }
                )
            })
            .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
    };
    let input =
        move |id: String, label: &'static str, kind: &'static str, extra: Option<&'static str>| {
            let value = typed(&id);
            let described = format!("{id}-error");
            view! {
                <div class="field">
                    <label for=id.clone()>{label}</label>
                    <input
                        id=id.clone()
                        name=id.clone()
                        type=kind
                        value=value
                        inputmode=extra
                        aria-describedby=described.clone()
                    />
                    <div id=described>{message(id)}</div>
                </div>
            }
        };
    let line = move |i: usize| {
        view! {
            <fieldset class="line">
                <legend>{format!("Line {}", i + 1)}</legend>
                {input(line_field(i, "product"), "Product", "text", None)}
                {input(line_field(i, "quantity"), "Quantity", "text", Some("numeric"))}
                {input(line_field(i, "amount"), amount_label, "text", Some("decimal"))}
                {(kind == BillKind::Purchase).then(|| input(line_field(i, "expires_on"), "Expiry date", "date", None))}
            </fieldset>
        }
    };
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <form method="post" action=action_url class="form bill-form" novalidate=true>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let key = key.await.unwrap_or_default();
                    view! { <input type="hidden" name="key" value=key/> }
                })}
            </Suspense>
            <div class="party">
                {input("party_name".into(), party, "text", None)}
                {input("party_phone".into(), "Phone", "tel", None)}
                {input("party_address".into(), "Address", "text", None)}
            </div>
            <div class="lines">{move || (0..rows.get()).map(line).collect_view()}</div>
            {general}
            <div class="actions">
                <button
                    type=move || if hydrated.get() { "button" } else { "submit" }
                    class="button secondary"
                    formaction=page
                    formmethod="get"
                    name="rows"
                    value=move || (rows.get() + 1).min(MAX_ROWS).to_string()
                    on:click=move |ev| {
                        ev.prevent_default();
                        rows.update(|n| *n = (*n + 1).min(MAX_ROWS));
                    }
                >
                    "Add line"
                </button>
                <button type="submit" class="button primary">{submit}</button>
            </div>
        </form>
    }
}
