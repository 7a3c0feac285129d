//! `/reorder`: what to order, and from whom. The filters are a GET form; the list is a second
//! GET form whose ticked rows `Create purchase` carries to `/buy` (see
//! [`crate::domain::reorder::OrderPick`]), so both work without JavaScript.

use crate::api::reorder::{list_reorder, REORDER_ROWS};
use crate::components::table::TableRegion;
use crate::domain::reorder::DEFAULT_DAYS;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The reorder list with its `Days` and `Supplier` filters.
#[component]
pub fn ReorderPage() -> impl IntoView {
    let query = use_query_map();
    let days = Memo::new(move |_| {
        query
            .read()
            .get("days")
            .and_then(|d| d.trim().parse::<i64>().ok())
    });
    let supplier = Memo::new(move |_| {
        query
            .read()
            .get("supplier")
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    });
    let list = Resource::new(
        move || (days.get(), supplier.get()),
        |(days, supplier)| list_reorder(days, supplier),
    );
    let shown_days = move || days.get().unwrap_or(DEFAULT_DAYS).to_string();
    let shown_supplier = move || supplier.get().unwrap_or_default();
    view! {
        <Title text="Reorder"/>
        <h1>"Reorder"</h1>
        <p class="muted">"Products at or below their lower limit, or selling fast enough to run out within the chosen days (at their average daily sales over the last 28 days)."</p>
        <form action="/reorder" method="get" class="filters">
            <div class="field">
                <label for="days">"Days"</label>
                <input id="days" name="days" type="number" min="0" max="365" value=shown_days/>
            </div>
            <div class="field">
                <label for="supplier">"Supplier"</label>
                <input id="supplier" name="supplier" type="search" value=shown_supplier/>
            </div>
            <button type="submit" class="button secondary">"Show"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.rows.is_empty() => view! {
                        <p class="empty">"Nothing needs ordering."</p>
                    }.into_any(),
                    Ok(list) => {
                        let more = (list.total > list.rows.len() as i64).then(|| view! {
                            <p class="muted">{format!("The {REORDER_ROWS} most urgent of {} products; choose fewer days or a supplier to see the rest.", list.total_text())}</p>
                        });
                        let rows = list.rows.into_iter().enumerate().map(|(i, row)| {
                            let field = |part: &str| format!("order[{i}][{part}]");
                            let left = row.days_left.map_or_else(|| "No sales".to_owned(), |d| d.to_string());
                            // In kg for loose goods kept in grams, as `/buy` takes a loose quantity.
                            let measure = row.measure();
                            let lower = row.lower_limit.map_or_else(String::new, |l| measure.show(l));
                            view! {
                                <tr>
                                    <td>
                                        <input type="checkbox" name=field("product") value=row.product.clone()
                                            aria-label=format!("Order {}", row.product)/>
                                        <input type="hidden" name=field("quantity") value=measure.number(row.suggested)/>
                                        <input type="hidden" name=field("supplier") value=row.last_supplier.clone().unwrap_or_default()/>
                                    </td>
                                    <td><a href=format!("/inventory/{}", row.product_id)>{row.product}</a></td>
                                    <td class="num">{measure.show(row.on_hand)}</td>
                                    <td class="num">{lower}</td>
                                    <td class="num">{left}</td>
                                    <td class="num">{measure.show(row.suggested)}</td>
                                    <td>{row.last_supplier.unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            {more}
                            <form action="/buy" method="get">
                                <TableRegion label="What to order">
                                    <table class="data">
                                        <thead><tr>
                                            <th scope="col"><span class="visually-hidden">"Order"</span></th>
                                            <th scope="col">"Product"</th>
                                            <th scope="col" class="num">"On hand"</th>
                                            <th scope="col" class="num">"Lower limit"</th>
                                            <th scope="col" class="num">"Days left"</th>
                                            <th scope="col" class="num">"Suggested order"</th>
                                            <th scope="col">"Last supplier"</th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </TableRegion>
                                <button type="submit" class="button">"Create purchase"</button>
                            </form>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
