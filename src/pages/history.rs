//! `/transactions` (the ledger, filterable) and `/expiry` (lots about to expire).

use crate::api::history::{expiring_lots, list_movements, DEFAULT_EXPIRY_DAYS, PER_PAGE};
use crate::components::corrections::WriteOffLot;
use crate::components::pager::{Pager, PagerLabels};
use crate::components::rows::{rows_asked, RowsPicker};
use crate::components::table::TableRegion;
use crate::components::time::shop_time;
use crate::components::viewer;
use crate::domain::ledger::MovementKind;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The ledger history with filters: product, type, date range.
#[component]
pub fn TransactionsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &'static str| query.read().get(name).filter(|v| !v.is_empty());
    let filters = Memo::new(move |_| {
        (
            param("product"),
            param("kind"),
            param("from"),
            param("to"),
            param("before"),
            param("after"),
        )
    });
    let rows = rows_asked(PER_PAGE);
    let movements = Resource::new(
        move || filters.get(),
        move |(product, kind, from, to, before, after)| {
            list_movements(product, kind, from, to, before, after, Some(rows))
        },
    );
    let current = move |name: &'static str| query.read_untracked().get(name).unwrap_or_default();
    let kind_now = current("kind");
    let export = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for name in ["product", "kind", "from", "to"] {
            let value = current(name);
            if !value.is_empty() {
                query.append_pair(name, &value);
            }
        }
        match query.finish() {
            query if query.is_empty() => "/transactions.csv".to_owned(),
            query => format!("/transactions.csv?{query}"),
        }
    };
    view! {
        <Title text="Transactions"/>
        <div class="page-head">
            <h1>"Transactions"</h1>
            <a class="button secondary" href=export rel="external">"Export CSV"</a>
        </div>
        <form action="/transactions" method="get" class="filters" role="search">
            <div class="field">
                <label for="f-product">"Product name"</label>
                <input id="f-product" name="product" type="search" value=current("product")/>
            </div>
            <div class="field">
                <label for="f-kind">"Type"</label>
                <select id="f-kind" name="kind">
                    <option value="" selected=kind_now.is_empty()>"All"</option>
                    {MovementKind::ALL
                        .into_iter()
                        .map(|kind| view! { <option value=kind.as_str() selected=kind_now == kind.as_str()>{kind.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-from">"From"</label>
                <input id="f-from" name="from" type="date" value=current("from")/>
            </div>
            <div class="field">
                <label for="f-to">"To"</label>
                <input id="f-to" name="to" type="date" value=current("to")/>
            </div>
            {(rows != PER_PAGE).then(|| view! { <input type="hidden" name="rows" value=rows/> })}
            <button type="submit" class="button secondary">"Filter"</button>
        </form>
        <RowsPicker path="/transactions" current=rows/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match movements.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(priced) if priced.data.rows.is_empty() => view! {
                        <p class="empty">"No stock movements match."</p>
                    }.into_any(),
                    Ok(priced) => {
                        let currency = priced.currency;
                        let page = priced.data;
                        let rows = page.rows.into_iter().map(|m| {
                            let measure = m.measure();
                            let sign = if m.quantity > 0 { "+" } else { "" };
                            view! {
                                <tr>
                                    <td>{shop_time(m.created_at)}</td>
                                    <td><a href=format!("/inventory/{}", m.product_id)>{m.product}</a></td>
                                    <td>
                                        {match m.bill_id {
                                            Some(id) => Either::Left(view! { <a href=format!("/bills/{id}")>{m.kind.label()}</a> }),
                                            None => Either::Right(m.kind.label()),
                                        }}
                                    </td>
                                    <td class="num">{format!("{sign}{}", measure.show(m.quantity))}</td>
                                    <td class="num">{measure.price(currency.format(m.unit_amount))}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <TableRegion label="Transactions">
                                <table class="data">
                                    <thead><tr>
                                        <th scope="col">"Date"</th>
                                        <th scope="col">"Product"</th>
                                        <th scope="col">"Type"</th>
                                        <th scope="col" class="num">"Quantity"</th>
                                        <th scope="col" class="num">"Unit price"</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </TableRegion>
                            <Pager newer=page.newer older=page.older/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Lots with stock left that expire within the chosen number of days, or have expired.
#[component]
pub fn ExpiryPage() -> impl IntoView {
    let query = use_query_map();
    let days = Memo::new(move |_| {
        query
            .read()
            .get("days")
            .and_then(|d| d.trim().parse::<i64>().ok())
    });
    let cursor = move |name: &'static str| query.read().get(name).filter(|v| !v.is_empty());
    let lots = Resource::new(
        move || (days.get(), cursor("before"), cursor("after")),
        |(days, before, after)| expiring_lots(days, before, after),
    );
    let shown = move || days.get().unwrap_or(DEFAULT_EXPIRY_DAYS).to_string();
    view! {
        <Title text="Expiry"/>
        <h1>"Expiry"</h1>
        {query.read_untracked().get("written_off").map(|_| view! { <p class="notice" role="status">"Written off."</p> })}
        <form action="/expiry" method="get" class="filters">
            <div class="field">
                <label for="days">"Days"</label>
                <input id="days" name="days" type="number" min="0" max="3650" value=shown/>
            </div>
            <button type="submit" class="button secondary">"Show"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match lots.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(page) if page.rows.is_empty() => view! {
                        <p class="empty">"Nothing expires in this window."</p>
                    }.into_any(),
                    Ok(page) => {
                        let (newer, older) = (page.newer, page.older);
                        let manager = viewer::is_manager();
                        let rows = page.rows.into_iter().map(|lot| {
                            let (class, left) = match lot.days_left {
                                d if d < 0 => ("badge danger", format!("Expired {} days ago", -d)),
                                0 => ("badge danger", "Today".to_owned()),
                                d => ("badge warn", d.to_string()),
                            };
                            let remaining = lot.measure().show(lot.remaining);
                            view! {
                                <tr>
                                    <td><a href=format!("/inventory/{}", lot.product_id)>{lot.product}</a></td>
                                    <td class="num">{remaining}</td>
                                    <td>{lot.expires_on.to_string()}</td>
                                    <td><span class=class>{left}</span></td>
                                    {manager.then(|| view! { <td><WriteOffLot lot_id=lot.lot_id from="expiry"/></td> })}
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <TableRegion label="Expiring lots">
                                <table class="data">
                                    <thead><tr>
                                        <th scope="col">"Product"</th>
                                        <th scope="col" class="num">"Quantity"</th>
                                        <th scope="col">"Expires"</th>
                                        <th scope="col">"Days left"</th>
                                        {manager.then(|| view! { <th scope="col"><span class="visually-hidden">"Write off"</span></th> })}
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </TableRegion>
                            <Pager newer older labels=PagerLabels::SOONEST_FIRST/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
