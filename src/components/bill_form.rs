//! The bill form of `/buy` and `/sell`, an island built for a queue at the counter: a `Barcode`
//! field above the lines (a scanner types the code and Enter), one compact row per line on a
//! desktop (`Product`, `Quantity`, `Unit price`/`Unit cost`, the line's amount, a remove
//! control), and the subtotal, tax and total under the lines.
//!
//! It is one form that works without JavaScript: `Add line`, `Add by barcode` (also what Enter
//! in `Barcode` presses) and each line's remove control submit it as a GET to the page, which
//! comes back with the change made and everything typed kept (see `pages::record`); the
//! totals are the server's. Hydrated, all of that happens at once: the fields are signals, a
//! scan asks the server for the product and adds one to its line (Enter never submits the bill
//! and the field keeps focus), and the totals follow the typing, taxed per line at each
//! product's rate (the domain's [`Totals::of_lines`], the rule the server records with).

use crate::api::products::{scan_product, suggest_products, Suggestion};
use crate::components::party_fields::{PartyFields, PartyTyped};
use crate::domain::bill::{line_total, BillKind, Totals};
use crate::domain::bill_form::{line_field, one_more, BillForm, LineForm};
use crate::domain::measure::{Said, Typed};
use crate::domain::{Currency, Measure, Money};
use crate::error::AppError;
use leptos::prelude::*;

/// The most lines the form offers.
pub const MAX_ROWS: usize = 100;

/// One line's fields, as signals.
#[derive(Clone, Copy)]
struct Line {
    id: usize,
    product: RwSignal<String>,
    quantity: RwSignal<String>,
    amount: RwSignal<String>,
    expires_on: RwSignal<String>,
}

impl Line {
    fn new(id: usize, typed: &LineForm) -> Self {
        Self {
            id,
            product: RwSignal::new(typed.product.clone()),
            quantity: RwSignal::new(typed.quantity.clone()),
            amount: RwSignal::new(typed.amount.clone()),
            expires_on: RwSignal::new(typed.expires_on.clone()),
        }
    }

    fn is_blank(&self) -> bool {
        [self.product, self.quantity, self.amount, self.expires_on]
            .iter()
            .all(|f| f.with_untracked(|v| v.trim().is_empty()))
    }
}

/// What a line usually costs or sells for: the price a scan or a pick fills in.
pub fn usual_price(kind: BillKind, product: &Suggestion) -> String {
    let price = if kind == BillKind::Purchase {
        // Staff do not see costs: their purchase form leaves the cost to them.
        product.average_cost.clone().unwrap_or_default()
    } else {
        product.selling_price.clone()
    };
    if price == "0.00" {
        String::new()
    } else {
        price
    }
}

/// The bill form. `known` are the products the typed lines name (for their tax rate), and
/// `scan_error` what the last scan without JavaScript said.
#[island]
pub fn BillFormIsland(
    kind: BillKind,
    rows: usize,
    typed: BillForm,
    known: Vec<Suggestion>,
    shop_rate_bp: u32,
    currency: Currency,
    error: Option<AppError>,
    scan_error: Option<String>,
    key: String,
    action_url: String,
) -> impl IntoView {
    let count = rows.max(typed.lines.len()).clamp(1, MAX_ROWS);
    let blank = LineForm::default();
    let lines = RwSignal::new(
        (0..count)
            .map(|i| Line::new(i, typed.lines.get(i).unwrap_or(&blank)))
            .collect::<Vec<_>>(),
    );
    let next_id = StoredValue::new(count);
    let known = RwSignal::new(known);
    // After hydration the GET buttons are ordinary buttons; before it (and without JS) they
    // submit the form to this page.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let get_or_button = move || if hydrated.get() { "button" } else { "submit" };
    let (amount_label, submit, page) = if kind == BillKind::Purchase {
        ("Unit cost", "Record purchase", "/buy")
    } else {
        ("Unit price", "Record sale", "/sell")
    };
    let field_message = |field: &str| error.as_ref().and_then(|e| e.for_field(field));
    let party_typed = PartyTyped {
        name: typed.party_name.clone(),
        phone: typed.party_phone.clone(),
        address: typed.party_address.clone(),
        errors: [
            field_message("party_name"),
            field_message("party_phone"),
            field_message("party_address"),
        ],
    };
    let error = StoredValue::new(error);
    let message = move |field: String| -> Option<AnyView> {
        error.with_value(|error| {
            error
                .as_ref()
                .and_then(|e| e.for_field(&field))
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> }.into_any())
        })
    };
    let general = error.with_value(|error| {
        error
            .as_ref()
            .filter(|e| !e.is_about_a_field())
            .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
    });
    let currency = StoredValue::new(currency);
    let money = move |m: Money| currency.with_value(|c| c.format(m));

    // Pricing: each line at its product's rate (the shop's for a product not known yet).
    let rate_of = move |name: &str| {
        known
            .with(|k| {
                k.iter()
                    .find(|s| s.is_named_by(name))
                    .map(|s| s.tax_rate_bp)
            })
            .unwrap_or(shop_rate_bp)
    };
    // Quantities in the product's measure: kg with decimals for loose goods kept in grams; a
    // product not known yet in the unit typed after its quantity (`25 kg`), as the recorder
    // creates it.
    let measure_of = move |name: &str, typed: Typed| {
        known
            .with(|k| {
                k.iter()
                    .find(|s| s.is_named_by(name))
                    .map(Suggestion::measure)
            })
            .unwrap_or_else(|| typed.said().map_or_else(Measure::pieces, Said::new_product))
    };
    let priced = move |line: &Line| -> Option<(Money, u32)> {
        let typed = Typed::parse(&line.quantity.get()).ok()?;
        let amount = Money::parse(&line.amount.get()).ok()?;
        let name = line.product.get();
        let measure = measure_of(&name, typed);
        let quantity = measure.units(typed).ok()?;
        Some((line_total(&measure, quantity, amount)?, rate_of(&name)))
    };
    let totals = Memo::new(move |_| {
        let priced = lines.with(|ls| ls.iter().filter_map(priced).collect::<Vec<_>>());
        Totals::of_lines(priced)
            .map(|p| p.totals)
            .unwrap_or_default()
    });

    // Scanning: one more of the scanned product on its line, else a new line.
    let barcode = RwSignal::new(String::new());
    let scan_error = RwSignal::new(scan_error);
    let add_one = move |product: &Suggestion, code: &str| {
        let same = |line: &Line| {
            line.product
                .with_untracked(|typed| product.is_named_by(typed) || typed.trim() == code)
        };
        let found = lines.with_untracked(|ls| ls.iter().copied().find(same));
        if let Some(line) = found {
            line.quantity.set(one_more(&line.quantity.get_untracked()));
            if line.amount.with_untracked(|a| a.trim().is_empty()) {
                line.amount.set(usual_price(kind, product));
            }
            return;
        }
        let fresh = LineForm {
            product: product.name.clone(),
            quantity: "1".into(),
            amount: usual_price(kind, product),
            expires_on: String::new(),
        };
        let empty = lines.with_untracked(|ls| ls.iter().copied().find(Line::is_blank));
        match empty {
            Some(line) => {
                line.product.set(fresh.product);
                line.quantity.set(fresh.quantity);
                line.amount.set(fresh.amount);
            }
            None if lines.with_untracked(Vec::len) < MAX_ROWS => {
                let id = next_id.get_value();
                next_id.set_value(id + 1);
                lines.update(|ls| ls.push(Line::new(id, &fresh)));
            }
            None => {}
        }
    };
    let on_scan = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Enter" {
            return;
        }
        // A scanner's Enter adds the product; it never submits the bill.
        ev.prevent_default();
        let code = barcode.get_untracked().trim().to_owned();
        barcode.set(String::new());
        if code.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            match scan_product(code.clone()).await {
                Ok(Some(product)) => {
                    scan_error.set(None);
                    if !known.with_untracked(|k| k.iter().any(|s| s.name == product.name)) {
                        known.update(|k| k.push(product.clone()));
                    }
                    add_one(&product, &code);
                }
                Ok(None) => scan_error.set(Some(format!("No product with barcode {code}"))),
                Err(e) => scan_error.set(Some(e.to_string())),
            }
        });
    };

    // Suggestions under the `Product` fields, and the price of the one picked.
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
    let picked = move |line: Line| {
        let name = line.product.get_untracked();
        let Some(Ok(found)) = suggestions.get_untracked() else {
            return;
        };
        let Some(product) = found.into_iter().find(|s| s.is_named_by(&name)) else {
            return;
        };
        if line.amount.with_untracked(|a| a.trim().is_empty()) {
            line.amount.set(usual_price(kind, &product));
        }
        if !known.with_untracked(|k| k.iter().any(|s| s.name == product.name)) {
            known.update(|k| k.push(product));
        }
    };

    let field = move |line: Line,
                      part: &'static str,
                      label: &'static str,
                      signal: RwSignal<String>,
                      mode: Option<&'static str>,
                      kind_attr: &'static str| {
        let index = move || lines.with(|ls| ls.iter().position(|l| l.id == line.id).unwrap_or(0));
        let id = format!("line-{}-{part}", line.id);
        let described = format!("{id}-error");
        let initial = signal.get_untracked();
        // A sale line refused for want of a price whose product has none yet links to it.
        let set_price = move || {
            let refused = error.with_value(|e| {
                e.as_ref()
                    .is_some_and(|e| e.for_field(&line_field(index(), part)).is_some())
            });
            if kind != BillKind::Sale || part != "amount" || !refused {
                return None;
            }
            let typed = line.product.get();
            known
                .with(|k| k.iter().find(|s| s.is_named_by(&typed)).cloned())
                .filter(|s| !s.has_price())
                .map(|s| {
                    view! {
                        <a href=format!("/inventory/{}", s.id)>{format!("Set the price of {}", s.name)}</a>
                    }
                })
        };
        view! {
            <div class=format!("field cell-{part}")>
                <label for=id.clone()>{label}</label>
                <input
                    id=id.clone()
                    name=move || line_field(index(), part)
                    type=kind_attr
                    value=initial
                    prop:value=move || signal.get()
                    inputmode=mode
                    aria-describedby=described.clone()
                    on:input=move |ev| signal.set(event_target_value(&ev))
                />
                <div id=described>{move || message(line_field(index(), part))} {set_price}</div>
            </div>
        }
    };
    let row = move |line: Line| {
        let index = move || lines.with(|ls| ls.iter().position(|l| l.id == line.id).unwrap_or(0));
        let product_id = format!("line-{}-product", line.id);
        let described = format!("{product_id}-error");
        let initial = line.product.get_untracked();
        let amount = move || {
            priced(&line)
                .map(|(amount, _)| amount)
                .map(money)
                .unwrap_or_default()
        };
        view! {
            <div class="line" role="group" aria-label=move || format!("Line {}", index() + 1)>
                <div class="field cell-product">
                    <label for=product_id.clone()>"Product"</label>
                    <input
                        id=product_id.clone()
                        name=move || line_field(index(), "product")
                        type="text"
                        value=initial
                        prop:value=move || line.product.get()
                        list="product-suggestions"
                        autocomplete="off"
                        aria-describedby=described.clone()
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            line.product.set(text.clone());
                            typed_product.set(text);
                        }
                        on:change=move |_| picked(line)
                    />
                    <div id=described>{move || message(line_field(index(), "product"))}</div>
                </div>
                {field(line, "quantity", "Quantity", line.quantity, Some("decimal"), "text")}
                {field(line, "amount", amount_label, line.amount, Some("decimal"), "text")}
                {(kind == BillKind::Purchase).then(|| field(line, "expires_on", "Expiry date", line.expires_on, None, "date"))}
                <output class="cell-total num" aria-label="Amount">{amount}</output>
                <button
                    type=get_or_button
                    class="remove"
                    formaction=page
                    formmethod="get"
                    name="remove"
                    value=move || index().to_string()
                    aria-label=move || format!("Remove line {}", index() + 1)
                    on:click=move |ev| {
                        ev.prevent_default();
                        lines.update(|ls| ls.retain(|l| l.id != line.id));
                    }
                >
                    "✕"
                </button>
            </div>
        }
    };
    let form_class = if kind == BillKind::Purchase {
        "form bill-form purchase"
    } else {
        "form bill-form sale"
    };
    let rows_after_add = move || (lines.with(Vec::len) + 1).min(MAX_ROWS).to_string();
    view! {
        <form method="post" action=action_url class=form_class novalidate=true>
            <input type="hidden" name="key" value=key/>
            <div class="party">
                <PartyFields kind typed=party_typed/>
            </div>
            <div class="scan">
                <div class="field">
                    <label for="barcode">"Barcode"</label>
                    <div class="with-button">
                        <input
                            id="barcode"
                            name="barcode"
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            aria-describedby="barcode-error"
                            prop:value=move || barcode.get()
                            on:input=move |ev| barcode.set(event_target_value(&ev))
                            on:keydown=on_scan
                        />
                        // Without JavaScript this is the form's first button, so Enter in
                        // `Barcode` presses it: the page comes back with the product added.
                        <button type=get_or_button class="button secondary" formaction=page formmethod="get" name="scan" value="1">
                            "Add by barcode"
                        </button>
                        <button type="button" class="button secondary" id="scan-camera" hidden=true>"Scan with camera"</button>
                    </div>
                    <div id="barcode-error">
                        {move || scan_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    </div>
                </div>
            </div>
            <div class="lines">
                <div class="line-head" aria-hidden="true">
                    <span>"Product"</span><span>"Quantity"</span><span>{amount_label}</span>
                    {(kind == BillKind::Purchase).then(|| view! { <span>"Expiry date"</span> })}
                    <span class="num">"Amount"</span><span></span>
                </div>
                <For each=move || lines.get() key=|line| line.id let:line>
                    {row(line)}
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
                                let stock = s.measure().show(s.quantity);
                                let label = if kind == BillKind::Purchase {
                                    format!("{stock} on hand")
                                } else {
                                    format!("{stock} in stock")
                                };
                                view! { <option value=s.name>{label}</option> }
                            })
                            .collect_view()
                    })}
                </Transition>
            </datalist>
            {general}
            <div class="bill-footer">
                <dl class="bill-totals" aria-live="polite">
                    <dt>"Subtotal"</dt><dd class="num">{move || money(totals.get().subtotal)}</dd>
                    <dt>"Tax"</dt><dd class="num">{move || money(totals.get().tax)}</dd>
                    <dt class="total">"Total"</dt><dd class="num total">{move || money(totals.get().total)}</dd>
                </dl>
                <div class="actions">
                    <button
                        type=get_or_button
                        class="button secondary"
                        formaction=page
                        formmethod="get"
                        name="rows"
                        value=rows_after_add
                        on:click=move |ev| {
                            ev.prevent_default();
                            if lines.with_untracked(Vec::len) < MAX_ROWS {
                                let id = next_id.get_value();
                                next_id.set_value(id + 1);
                                lines.update(|ls| ls.push(Line::new(id, &LineForm::default())));
                            }
                        }
                    >
                        "Add line"
                    </button>
                    <button type="submit" class="button primary">{submit}</button>
                </div>
            </div>
        </form>
    }
}
