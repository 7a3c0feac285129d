//! `/buy` and `/sell`: one form for both kinds of bill (the island in
//! [`crate::components::bill_form`]). Without JavaScript `Add line`, `Add by barcode` and a
//! line's remove control reload the form (GET) with the change made and everything typed so
//! far — this page makes the change, as it does for the rows `Create purchase` brings from
//! `/reorder`. The form posts as a plain HTML form in both cases (a full
//! page load): a failed submit comes back with the typed values and a message next to each field
//! (the server-function error in `__err`, which `ServerAction` reads); a recorded one lands on
//! the bill's page.

use crate::api::form::fresh_key;
use crate::api::products::{form_products, Suggestion};
use crate::api::stock::{RecordPurchase, RecordSale};
use crate::components::bill_form::{usual_price, BillFormIsland, MAX_ROWS};
use crate::domain::bill::BillKind;
use crate::domain::bill_form::BillForm;
use crate::domain::search::fold;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// Lines shown on a fresh form.
const DEFAULT_ROWS: usize = 3;

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

/// The page around the form: its title, and what the server knows when it renders the form —
/// the form as typed before a failed submit, `Add line`, a scan or a removal without JavaScript
/// (the same [`BillForm`] that was posted, with that change made), the products its lines name,
/// the error, and a fresh one-time key.
#[component]
fn BillPage(kind: BillKind, error: Option<AppError>, action_url: &'static str) -> impl IntoView {
    let mut typed: BillForm = crate::api::form::typed();
    if let Some(index) = typed
        .remove
        .take()
        .and_then(|i| i.trim().parse::<usize>().ok())
    {
        typed.remove_line(index);
    }
    // `Create purchase` on /reorder: its ticked rows become lines, priced below once the
    // products are looked up.
    let ordered = typed.take_order();
    let code = std::mem::take(&mut typed.barcode).trim().to_owned();
    let names: Vec<String> = typed.lines.iter().map(|l| l.product.clone()).collect();
    let lookup = {
        let code = code.clone();
        Resource::new(|| (), move |_| form_products(names.clone(), code.clone()))
    };
    let title = if kind == BillKind::Purchase {
        "Buy"
    } else {
        "Sell"
    };
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let (mut typed, error, code) = (typed.clone(), error.clone(), code.clone());
                Suspend::new(async move {
                    let found = lookup.await.ok();
                    let shop_rate_bp = found.as_ref().map_or(0, |f| f.shop_rate_bp);
                    let mut known: Vec<Suggestion> = found
                        .as_ref()
                        .map(|f| f.lines.iter().flatten().cloned().collect())
                        .unwrap_or_default();
                    if ordered {
                        for line in typed.lines.iter_mut().filter(|l| l.amount.trim().is_empty()) {
                            let same = |p: &&Suggestion| fold(&p.name) == fold(&line.product);
                            if let Some(product) = known.iter().find(same) {
                                line.amount = usual_price(kind, product);
                            }
                        }
                    }
                    let mut scan_error = None;
                    if !code.is_empty() {
                        match found.and_then(|f| f.scanned) {
                            Some(product) => {
                                typed.add_one(&product.name, &code, &usual_price(kind, &product));
                                known.push(product);
                            }
                            None => scan_error = Some(format!("No product with barcode {code}")),
                        }
                    }
                    let rows = typed.rows().unwrap_or(DEFAULT_ROWS).clamp(1, MAX_ROWS);
                    view! {
                        <BillFormIsland
                            kind rows typed known shop_rate_bp
                            currency=crate::components::viewer::currency()
                            error scan_error
                            key=fresh_key()
                            action_url=action_url.to_owned()
                        />
                    }
                })
            }}
        </Suspense>
        // The camera scanner (where the browser has `BarcodeDetector`): a few lines of script
        // that only these two pages load, so no other page and no WASM carries it.
        <script type="module" src="/scan.js"></script>
    }
}
