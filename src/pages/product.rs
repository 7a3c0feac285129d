//! `/inventory/{id}`: edit a product, see its lots and latest movements; managers remove it
//! (deleted without history, archived with).

use crate::api::products::{
    get_product, AssignBarcode, ProductDetail, RemoveProduct, UpdateProduct,
};
use crate::components::confirm::{self, AskFirst, ConfirmPage};
use crate::components::corrections::{CountStock, WriteOffLot};
use crate::components::status::set_status;
use crate::components::table::TableRegion;
use crate::components::time::shop_time;
use crate::components::viewer;
use crate::domain::product_form::ProductForm;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::ops::Not;

/// The product page.
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let detail = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_product(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the product…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => Either::Left(view! { <ProductView detail/> }),
                    Err(e) => {
                        set_status(e.status());
                        Either::Right(view! { <Title text="Product"/> <h1>"Product not found"</h1> <p>{e.to_string()}</p> })
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProductView(detail: ProductDetail) -> impl IntoView {
    let ProductDetail {
        product,
        lots,
        movements,
        currency,
        shop_tax_rate_bp,
    } = detail;
    let shop_rate = format!(
        "{}% (the shop's rate)",
        crate::domain::tax::percent(shop_tax_rate_bp)
    );
    let update = ServerAction::<UpdateProduct>::new();
    let remove = ServerAction::<RemoveProduct>::new();
    let saved = use_query_map().get_untracked().get("saved").is_some();
    let error = move |field: &'static str| {
        move || {
            update
                .value()
                .get()
                .and_then(Result::err)
                .and_then(|e| e.for_field(field))
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        }
    };
    let remove_error = move || {
        remove
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
    };
    let id = product.id;
    if viewer::is_manager() && confirm::asked().as_deref() == Some("delete") {
        let consequence = if movements.is_empty() {
            "It has no history, so it is deleted for good."
        } else {
            "It has history, so it is archived: kept in the books, hidden from lists."
        };
        return view! {
            <ConfirmPage
                question=format!("Delete {}?", product.name)
                consequence=consequence.to_owned()
                back=format!("/inventory/{id}")
            >
                <ActionForm action=remove attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="button danger">"Confirm"</button>
                </ActionForm>
            </ConfirmPage>
            {remove_error}
        }
        .into_any();
    }
    let manager_controls = viewer::is_manager().then(|| {
        view! {
            <div class="danger-zone">
                <p class="muted">"A product with history is archived (kept in the books, hidden from lists); one without is deleted."</p>
                <AskFirst page=format!("/inventory/{id}") what="delete" label="Delete product"/>
            </div>
        }
    });
    // After a refused save the fields show what was typed, not what is stored.
    let typed = if use_query_map().get_untracked().get("__err").is_some() {
        crate::api::form::typed::<ProductForm>()
    } else {
        ProductForm::of(&product)
    };
    let level = product.stock_level().label();
    let price = product.listed_price();
    // Quantities in kg and prices per kg for loose goods kept in grams.
    let measure = product.measure();
    // Limits of loose goods kept in grams are typed in kg, with decimals.
    let limit_mode = if measure.has_decimals() {
        "decimal"
    } else {
        "numeric"
    };
    let manager = viewer::is_manager();
    let lot_rows = lots.into_iter().map(|lot| view! {
        <tr>
            <td class="num">{measure.show(lot.remaining)}</td>
            <td>{lot.expires_on.map_or_else(|| "No expiry".to_owned(), |d| d.to_string())}</td>
            {manager.then(|| view! { <td><WriteOffLot lot_id=lot.lot_id from="product" fields=true/></td> })}
        </tr>
    }).collect_view();
    let written_off = use_query_map().get_untracked().get("written_off").is_some();
    let barcode_assigned = use_query_map().get_untracked().get("barcode").is_some();
    let has_code = product.sku.is_some();
    let assign = ServerAction::<AssignBarcode>::new();
    let count = manager.then(
        || view! { <CountStock product_id=product.id unit=measure.shown_unit().to_owned()/> },
    );
    let movement_rows = movements.into_iter().map(|m| {
        let sign = if m.quantity > 0 { "+" } else { "" };
        view! {
            <tr>
                <td>{shop_time(m.created_at)}</td>
                <td>{match m.bill_id {
                    Some(b) => Either::Left(view! { <a href=format!("/bills/{b}")>{m.kind.label()}</a> }),
                    None => Either::Right(m.kind.label()),
                }}</td>
                <td class="num">{format!("{sign}{}", measure.show(m.quantity))}</td>
                <td class="num">{measure.price(currency.format(m.unit_amount))}</td>
            </tr>
        }
    }).collect_view();
    view! {
        <Title text=product.name.clone()/>
        <div class="page-head">
            <h1>{product.name.clone()}</h1>
            <a href="/inventory">"Back to inventory"</a>
        </div>
        <p class="stock-line">
            {format!("{} in stock", measure.show(product.quantity))}
            {product.average_cost.map(|cost| format!(" · average cost {}", measure.price(currency.format(cost))))}
            " " {level.map(|l| view! { <span class="badge warn">{l}</span> })}
        </p>
        <p class="price-line">
            {format!(
                "Selling price: {}",
                price.map_or_else(|| crate::domain::product::NOT_SET.to_owned(), |p| measure.price(currency.format(p))),
            )}
        </p>
        {saved.then(|| view! { <p class="notice" role="status">"Saved."</p> })}
        <ActionForm action=update attr:class="form card">
            <input type="hidden" name="id" value=product.id/>
            <div class="field">
                <label for="name">"Name"</label>
                <input id="name" name="name" value=typed.name required/>
                {error("name")}
            </div>
            <div class="field">
                <label for="selling_price">"Selling price"</label>
                <input id="selling_price" name="selling_price" inputmode="decimal" value=typed.selling_price placeholder=crate::domain::product::NOT_SET aria-describedby="selling_price-hint"/>
                <p class="muted" id="selling_price-hint">{measure.per().map_or_else(
                    || "Per unit sold.".to_owned(),
                    |per| format!("Per {}: loose goods are priced {per} and sold in {} with up to three decimals.", measure.shown_unit(), measure.shown_unit()),
                )}</p>
                {error("selling_price")}
            </div>
            <div class="field">
                <label for="tax_rate">"Tax rate"</label>
                <input id="tax_rate" name="tax_rate" inputmode="decimal" value=typed.tax_rate.clone().unwrap_or_default() placeholder=shop_rate aria-describedby="tax_rate-hint"/>
                <p class="muted" id="tax_rate-hint">"Percent; leave empty for the shop's rate. Past bills keep the rate they were recorded with."</p>
                {error("tax_rate")}
            </div>
            <div class="field">
                <label for="tax_code">"Tax code"</label>
                <input id="tax_code" name="tax_code" value=typed.tax_code.clone().unwrap_or_default() placeholder="HSN/SAC, e.g. 0401"/>
                {error("tax_code")}
            </div>
            <div class="field">
                <label for="sku">"SKU / barcode"</label>
                <input id="sku" name="sku" autocomplete="off" value=typed.sku.unwrap_or_default()/>
                {error("sku")}
            </div>
            <div class="field">
                <label for="unit">"Unit"</label>
                <input id="unit" name="unit" list="unit-options" value=typed.unit.unwrap_or_default()/>
                <datalist id="unit-options">
                    <option value="pcs"></option>
                    <option value="g"></option>
                    <option value="kg"></option>
                    <option value="ml"></option>
                    <option value="l"></option>
                    <option value="m"></option>
                </datalist>
                {error("unit")}
            </div>
            <div class="field">
                <label for="lower_limit">"Lower limit"</label>
                <input id="lower_limit" name="lower_limit" inputmode=limit_mode value=typed.lower_limit/>
                {error("lower_limit")}
            </div>
            <div class="field">
                <label for="upper_limit">"Upper limit"</label>
                <input id="upper_limit" name="upper_limit" inputmode=limit_mode value=typed.upper_limit/>
                {error("upper_limit")}
            </div>
            <div class="field checkbox">
                <input id="loose" name="loose" type="checkbox" value="on" checked=typed.loose.is_some()/>
                <label for="loose">"Loose"</label>
                <p class="muted">"Loose goods kept in g or ml are counted in kg or L and priced per kg or L. Once stock has moved a product keeps its way; a purchase of a new name as 25 kg or 2 L makes it loose."</p>
                {error("loose")}
            </div>
            <button type="submit" class="button primary">"Save"</button>
        </ActionForm>
        <section class="card labels" aria-labelledby="h-labels">
            <h2 id="h-labels">"Labels"</h2>
            {barcode_assigned.then(|| view! { <p class="notice" role="status">"Barcode assigned."</p> })}
            {has_code.not().then(|| view! {
                <ActionForm action=assign attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <p class="muted">"This product has no barcode yet. Give it one of the shop's own (an EAN-13 from 200) to scan and label it."</p>
                    <button type="submit" class="button secondary">"Assign barcode"</button>
                </ActionForm>
            })}
            <form action="/labels.pdf" method="get" class="inline-form" target="_blank">
                <input type="hidden" name="product" value=id/>
                <div class="field compact">
                    <label for="copies">"Copies"</label>
                    <input id="copies" name="copies" type="number" min="1" max="240" value="1" inputmode="numeric"/>
                </div>
                <button type="submit" class="button secondary">"Print labels"</button>
            </form>
        </section>
        {manager_controls}
        {count}
        <h2>"Lots"</h2>
        {written_off.then(|| view! { <p class="notice" role="status">"Written off."</p> })}
        <TableRegion label="Lots">
            <table class="data">
                <thead><tr>
                    <th scope="col" class="num">"Remaining"</th>
                    <th scope="col">"Expires"</th>
                    {manager.then(|| view! { <th scope="col">"Write off"</th> })}
                </tr></thead>
                <tbody>{lot_rows}</tbody>
            </table>
        </TableRegion>
        <h2>"Latest movements"</h2>
        <TableRegion label="Latest movements">
            <table class="data">
                <thead><tr><th scope="col">"Date"</th><th scope="col">"Type"</th><th scope="col" class="num">"Quantity"</th><th scope="col" class="num">"Unit price"</th></tr></thead>
                <tbody>{movement_rows}</tbody>
            </table>
        </TableRegion>
    }
    .into_any()
}
