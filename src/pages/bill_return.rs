//! `/bills/{id}/return` (managers): give goods of a sale or a purchase back. One `Return
//! quantity` per line of the original bill, a `Reason`, `Record return`; it lands on the new
//! return bill. A refused submit comes back with the quantities typed and the message beside
//! the line.

use crate::api::corrections::{returnable, RecordReturn, ReturnPage};
use crate::api::form::{fresh_key, typed};
use crate::components::status::set_status;
use crate::components::table::TableRegion;
use crate::domain::bill::{bill_number, BillKind};
use crate::domain::bill_return::{quantity_field, ReturnForm};
use crate::error::AppError;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The return page.
#[component]
pub fn ReturnItemsPage() -> impl IntoView {
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok());
    let page = Resource::new(
        move || id,
        |id| async move {
            match id {
                Some(id) => returnable(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the bill…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => Either::Left(view! { <ReturnFormView page/> }),
                    Err(e) => {
                        set_status(e.status());
                        Either::Right(view! {
                            <Title text="Return items"/>
                            <h1>"Return items"</h1>
                            <p class="form-error" role="alert">{e.to_string()}</p>
                        })
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReturnFormView(page: ReturnPage) -> impl IntoView {
    let action = ServerAction::<RecordReturn>::new();
    let error = action.value().get_untracked().and_then(Result::err);
    let typed: ReturnForm = if error.is_some() {
        typed()
    } else {
        ReturnForm::default()
    };
    let number = bill_number(page.kind, page.bill_id);
    let (moved, back) = if page.kind == BillKind::Sale {
        ("Sold", "the customer brings back")
    } else {
        ("Bought", "goes back to the supplier")
    };
    let message = |field: &str| {
        error
            .as_ref()
            .and_then(|e| e.for_field(field))
            .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
    };
    let reason_message = message("reason");
    let rows = page
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let field = quantity_field(i);
            let id = format!("return-{i}");
            let product_id = format!("return-{i}-product");
            let value = typed
                .lines
                .get(i)
                .map(|l| l.quantity.clone())
                .unwrap_or_default();
            let measure = line.measure();
            // Loose goods take decimals (kg): a keyboard with a decimal point.
            let inputmode = if measure.has_decimals() {
                "decimal"
            } else {
                "numeric"
            };
            view! {
                <tr>
                    <td id=product_id.clone()>{line.product.clone()}</td>
                    <td class="num">{measure.show(line.quantity)}</td>
                    <td class="num">{measure.show(line.returned)}</td>
                    <td class="num">{measure.show(line.returnable)}</td>
                    <td>
                        <input type="hidden" name=format!("lines[{i}][line]") value=line.line_id/>
                        <label for=id.clone() class="visually-hidden">"Return quantity"</label>
                        <input
                            id=id
                            name=field.clone()
                            inputmode=inputmode
                            value=value
                            disabled=line.returnable == 0
                            aria-describedby=product_id
                        />
                        {message(&field)}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let general = error
        .as_ref()
        .filter(|e| {
            !e.is_about_a_field() || e.for_field("key").is_some() || e.for_field("bill").is_some()
        })
        .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> });
    view! {
        <Title text=format!("Return items · {number}")/>
        <div class="page-head">
            <h1>"Return items"</h1>
            <a href=format!("/bills/{}", page.bill_id)>{format!("Back to {number}")}</a>
        </div>
        <p class="muted">{format!("From {number} ({}): enter what {back}.", page.party_name)}</p>
        <ActionForm action attr:class="form" attr:novalidate=true>
            <input type="hidden" name="bill" value=page.bill_id/>
            <input type="hidden" name="key" value=fresh_key()/>
            <TableRegion label="Lines to return">
                <table class="data">
                    <thead><tr>
                        <th scope="col">"Product"</th>
                        <th scope="col" class="num">{moved}</th>
                        <th scope="col" class="num">"Returned"</th>
                        <th scope="col" class="num">"Can return"</th>
                        <th scope="col">"Return quantity"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </TableRegion>
            <div class="field">
                <label for="return-reason">"Reason"</label>
                <input id="return-reason" name="reason" value=typed.reason.clone() placeholder="Damaged"/>
                {reason_message}
            </div>
            {general}
            <button type="submit" class="button primary">"Record return"</button>
        </ActionForm>
    }
}
