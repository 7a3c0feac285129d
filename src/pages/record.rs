//! `/buy` and `/sell`: one form for both kinds of bill. Without JavaScript `Add line` reloads
//! the form (GET) with one more line and everything typed so far; hydrated, it adds the line at
//! once. The form posts as a plain HTML form in both cases (a full page load), so it behaves the
//! same with and without JavaScript: a failed submit comes back with the typed values and a
//! message next to each field (the server-function error in `__err`, which `ServerAction` reads);
//! a recorded one lands on the bill's page.
//!
//! Hydrated, each `Product` field suggests matching products as you type (a `<datalist>` filled
//! from `suggest_products`), and picking one fills an empty price field with the product's
//! selling price (sale) or average cost (purchase).

use crate::api::products::{suggest_products, Suggestion};
use crate::api::stock::{new_form_key, RecordPurchase, RecordSale};
use crate::domain::bill::BillKind;
use crate::domain::bill_form::{line_field, BillForm};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// Lines shown on a fresh form.
const DEFAULT_ROWS: usize = 3;
/// The most lines the form offers.
const MAX_ROWS: usize = 100;

/// `/buy`: record a purchase.
#[component]
pub fn BuyPage() -> impl IntoView {
    let action = ServerAction::<RecordPurchase>::new();
    let error = action.value().get_untracked().and_then(Result::err);
    view! { <BillPage kind=BillKind::Purchase error action_url=RecordPurchase::url()/> }
}

/// `/sell`: record a sale.
#[component]
pub fn SellPage() -> impl IntoView {
    let action = ServerAction::<RecordSale>::new();
    let error = action.value().get_untracked().and_then(Result::err);
    view! { <BillPage kind=BillKind::Sale error action_url=RecordSale::url()/> }
}

/// The page around the form: its title, and what the server knows when it renders the form (the
/// form as typed before a failed submit or `Add line` — the same [`BillForm`] that was posted —,
/// the error, a fresh one-time key).
#[component]
fn BillPage(kind: BillKind, error: Option<AppError>, action_url: &'static str) -> impl IntoView {
    let typed: BillForm = crate::api::form::typed();
    let rows = typed.rows().unwrap_or(DEFAULT_ROWS).clamp(1, MAX_ROWS);
    let key = Resource::new(|| (), |_| new_form_key());
    let title = match kind {
        BillKind::Purchase => "Buy",
        BillKind::Sale => "Sell",
    };
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let (typed, error) = (typed.clone(), error.clone());
                Suspend::new(async move {
                    let key = key.await.unwrap_or_default();
                    view! {
                        <BillFormIsland kind rows typed error key action_url=action_url.to_owned()/>
                    }
                })
            }}
        </Suspense>
    }
}

/// The bill form, an island: hydrated, `Add line` adds a line at once and each `Product` field
/// suggests products as you type.
#[island]
fn BillFormIsland(
    kind: BillKind,
    rows: usize,
    typed: BillForm,
    error: Option<AppError>,
    key: String,
    action_url: String,
) -> impl IntoView {
    let typed = StoredValue::new(typed);
    let line_value = move |i: usize, part: &str| typed.with_value(|f| f.typed(i, part).to_owned());
    let rows = RwSignal::new(rows);
    // After hydration `Add line` is an ordinary button; before it (and without JS) it submits
    // the form as a GET to this page with one more row.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let (party, amount_label, submit, page) = match kind {
        BillKind::Purchase => ("Supplier", "Unit cost", "Record purchase", "/buy"),
        BillKind::Sale => ("Customer", "Unit price", "Record sale", "/sell"),
    };
    let error = StoredValue::new(error);
    let message = move |field: String| {
        error.with_value(|error| {
            error
                .as_ref()
                .and_then(|e| e.for_field(&field))
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        })
    };
    let general = error.with_value(|error| {
        error
            .as_ref()
            .filter(|e| !e.is_about_a_field())
            .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
    });
    let input = move |id: String,
                      value: String,
                      label: &'static str,
                      kind: &'static str,
                      extra: Option<&'static str>| {
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
    // What was last typed into a `Product` field, and the products it suggests.
    let typed_product = RwSignal::new(String::new());
    let suggestions = Resource::new(
        move || typed_product.get(),
        |typed| async move {
            if typed.trim().is_empty() {
                Ok(Vec::new())
            } else {
                suggest_products(typed).await
            }
        },
    );
    let product_input = move |i: usize| {
        let id = line_field(i, "product");
        let value = line_value(i, "product");
        let described = format!("{id}-error");
        let amount_ref = NodeRef::<leptos::html::Input>::new();
        let amount_id = line_field(i, "amount");
        let amount_value = line_value(i, "amount");
        let amount_described = format!("{amount_id}-error");
        // Picking a suggestion fills an empty price with the usual one.
        let on_change = move |ev: leptos::ev::Event| {
            let name = event_target_value(&ev);
            let Some(Ok(found)) = suggestions.get_untracked() else {
                return;
            };
            let Some(product) = found.iter().find(|s: &&Suggestion| s.name == name) else {
                return;
            };
            let usual = match kind {
                BillKind::Sale => product.selling_price.clone(),
                BillKind::Purchase => product.average_cost.clone(),
            };
            if let Some(amount) = amount_ref.get_untracked() {
                if amount.value().trim().is_empty() && usual != "0.00" {
                    amount.set_value(&usual);
                }
            }
        };
        view! {
            <div class="field">
                <label for=id.clone()>"Product"</label>
                <input
                    id=id.clone()
                    name=id.clone()
                    type="text"
                    value=value
                    list="product-suggestions"
                    autocomplete="off"
                    aria-describedby=described.clone()
                    on:input=move |ev| typed_product.set(event_target_value(&ev))
                    on:change=on_change
                />
                <div id=described>{message(id)}</div>
            </div>
            {input(line_field(i, "quantity"), line_value(i, "quantity"), "Quantity", "text", Some("numeric"))}
            <div class="field">
                <label for=amount_id.clone()>{amount_label}</label>
                <input
                    id=amount_id.clone()
                    name=amount_id.clone()
                    type="text"
                    value=amount_value
                    inputmode="decimal"
                    aria-describedby=amount_described.clone()
                    node_ref=amount_ref
                />
                <div id=amount_described>{message(amount_id)}</div>
            </div>
        }
    };
    let line = move |i: usize| {
        view! {
            <fieldset class="line">
                <legend>{format!("Line {}", i + 1)}</legend>
                {product_input(i)}
                {(kind == BillKind::Purchase).then(|| input(line_field(i, "expires_on"), line_value(i, "expires_on"), "Expiry date", "date", None))}
            </fieldset>
        }
    };
    view! {
        <form method="post" action=action_url class="form bill-form" novalidate=true>
            <input type="hidden" name="key" value=key/>
            <div class="party">
                {input("party_name".into(), typed.with_value(|f| f.party_name.clone()), party, "text", None)}
                {input("party_phone".into(), typed.with_value(|f| f.party_phone.clone()), "Phone", "tel", None)}
                {input("party_address".into(), typed.with_value(|f| f.party_address.clone()), "Address", "text", None)}
            </div>
            // Keyed, so adding a line leaves the lines already typed in as they are.
            <div class="lines">
                <For each=move || 0..rows.get() key=|i| *i let:i>
                    {line(i)}
                </For>
            </div>
            <datalist id="product-suggestions">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        suggestions
                            .await
                            .unwrap_or_default()
                            .into_iter()
                            .map(|s| {
                                let label = match kind {
                                    BillKind::Sale => format!("{} {} in stock", s.quantity, s.unit),
                                    BillKind::Purchase => format!("{} {} on hand", s.quantity, s.unit),
                                };
                                view! { <option value=s.name>{label}</option> }
                            })
                            .collect_view()
                    })}
                </Transition>
            </datalist>
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
