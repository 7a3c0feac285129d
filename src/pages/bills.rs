//! `/bills` and `/bills/{id}`: what was bought and sold, with a printable invoice.

use crate::api::history::{get_bill, list_bills, PER_PAGE};
use crate::components::pager::Pager;
use crate::components::rows::{rows_asked, RowsPicker};
use crate::components::status::set_status;
use crate::components::table::TableRegion;
use crate::components::time::shop_time;
use crate::components::viewer;
use crate::domain::bill::bill_number;
use crate::domain::bill::{Bill, BillKind};
use crate::domain::tax::percent;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The bill list, newest first.
#[component]
pub fn BillsPage() -> impl IntoView {
    let query = use_query_map();
    let seek = Memo::new(move |_| (query.read().get("before"), query.read().get("after")));
    let rows = rows_asked(PER_PAGE);
    let bills = Resource::new(
        move || seek.get(),
        move |(before, after)| list_bills(before, after, Some(rows)),
    );
    view! {
        <Title text="Bills"/>
        <div class="page-head">
            <h1>"Bills"</h1>
            <a class="button secondary" href="/bills.csv" rel="external">"Export CSV"</a>
            <RowsPicker path="/bills" current=rows/>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading bills…"</p> }>
            {move || Suspend::new(async move {
                match bills.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(priced) if priced.data.rows.is_empty() => view! {
                        <p class="empty">"No bills yet. Record a purchase under Buy or a sale under Sell."</p>
                    }.into_any(),
                    Ok(priced) => {
                        let currency = priced.currency;
                        let page = priced.data;
                        let rows = page.rows.into_iter().map(|b| {
                            let number = bill_number(b.kind, b.id);
                            let items = match b.items {
                                1 => "1 item".to_owned(),
                                n => format!("{n} items"),
                            };
                            let contents = b.contents();
                            view! {
                                <tr>
                                    <td><a href=format!("/bills/{}", b.id)>{number}</a></td>
                                    <td>{shop_time(b.created_at)}</td>
                                    <td>{b.party_name}</td>
                                    <td>{b.kind.label()}</td>
                                    <td class="items">{items} <span class="muted">{contents}</span></td>
                                    <td class="num">{currency.format(b.total)}</td>
                                    <td><a href=format!("/bills/{}/invoice.pdf", b.id)>"Download invoice"</a></td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <TableRegion label="Bills">
                                <table class="data">
                                    <thead><tr>
                                        <th scope="col">"Bill"</th>
                                        <th scope="col">"Date"</th>
                                        <th scope="col">"Party"</th>
                                        <th scope="col">"Kind"</th>
                                        <th scope="col">"Items"</th>
                                        <th scope="col" class="num">"Total"</th>
                                        <th scope="col">"Invoice"</th>
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

/// A line's tax code and rate, under its product, when it was recorded with its own.
fn tax_note(code: Option<&str>, rate_bp: Option<u32>) -> Option<impl IntoView> {
    let mut parts = Vec::new();
    if let Some(code) = code {
        parts.push(format!("HSN/SAC {code}"));
    }
    if let Some(rate) = rate_bp {
        parts.push(format!("Tax {}%", percent(rate)));
    }
    (!parts.is_empty()).then(|| view! { <span class="muted line-note">{parts.join(" · ")}</span> })
}

/// How a bill links to its returns, or a return to its bill.
struct BillLinks<'a> {
    bill: &'a Bill,
}

impl BillLinks<'_> {
    /// A return: which bill it gives goods back from, and why.
    fn origin(&self) -> Option<impl IntoView> {
        let (original, kind) = (self.bill.original_bill_id?, self.bill.kind.original_kind()?);
        let reason = self.bill.reason.clone().unwrap_or_default();
        Some(view! {
            <p class="stock-line">
                "Return of " <a href=format!("/bills/{original}")>{bill_number(kind, original)}</a>
                {(!reason.is_empty()).then(|| format!(" · {reason}"))}
            </p>
        })
    }

    /// An original bill: the returns recorded against it.
    fn returns(&self) -> Option<impl IntoView> {
        let kind = self.bill.kind.return_kind()?;
        (!self.bill.returns.is_empty()).then(|| {
            let links = self
                .bill
                .returns
                .iter()
                .map(|id| view! { <li><a href=format!("/bills/{id}")>{bill_number(kind, *id)}</a></li> })
                .collect_view();
            view! {
                <section aria-labelledby="h-returns">
                    <h2 id="h-returns">"Returns"</h2>
                    <ul class="inline-list">{links}</ul>
                </section>
            }
        })
    }

    /// Managers, on an original bill: `Return items`.
    fn return_items(&self) -> Option<impl IntoView> {
        (viewer::is_manager() && !self.bill.kind.is_return()).then(|| {
            view! { <a class="button secondary" href=format!("/bills/{}/return", self.bill.id)>"Return items"</a> }
        })
    }
}

/// One bill: party, lines, totals, and the invoice link.
#[component]
pub fn BillPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let bill = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_bill(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the bill…"</p> }>
            {move || Suspend::new(async move {
                match bill.await {
                    Err(e) => {
                        set_status(e.status());
                        Either::Left(view! { <Title text="Bill"/> <h1>"Bill not found"</h1> <p>{e.to_string()}</p> })
                    }
                    Ok(priced) => {
                        let currency = priced.currency;
                        let mut b = priced.data;
                        let number = b.number();
                        let summary = b.tax_summary();
                        let lines = std::mem::take(&mut b.lines).into_iter().map(|l| {
                            let measure = l.measure();
                            view! {
                                <tr>
                                    <td>
                                        <a href=format!("/inventory/{}", l.product_id)>{l.product}</a>
                                        {tax_note(l.tax_code.as_deref(), l.tax_rate_bp)}
                                    </td>
                                    <td class="num">{measure.show(l.quantity)}</td>
                                    <td class="num">{measure.price(currency.format(l.unit_price))}</td>
                                    <td class="num">{currency.format(l.line_total)}</td>
                                </tr>
                            }
                        }).collect_view();
                        let single = summary.len() == 1;
                        let tax_rows = summary.into_iter().map(|rate| {
                            let label = if single {
                                format!("Tax ({}%)", percent(rate.rate_bp))
                            } else {
                                format!("Tax ({}%) on {}", percent(rate.rate_bp), currency.format(rate.taxable))
                            };
                            view! { <tr><th scope="row" colspan="3">{label}</th><td class="num">{currency.format(rate.tax)}</td></tr> }
                        }).collect_view();
                        let added = (!b.added.is_empty()).then(|| {
                            let items = std::mem::take(&mut b.added).into_iter().map(|(id, name)| view! {
                                <li>{format!("Added {name}")} " · " <a href=format!("/inventory/{id}")>"Set price"</a></li>
                            }).collect_view();
                            // The list inside the status box: `role` on the `ul` itself would take its
                            // list semantics away (axe-core: listitem, aria-allowed-role).
                            view! { <div class="notice added" role="status" aria-label="New products"><ul>{items}</ul></div> }
                        });
                        let links = BillLinks { bill: &b };
                        let (origin, returns, return_link) = (links.origin(), links.returns(), links.return_items());
                        Either::Right(view! {
                            <Title text=number.clone()/>
                            <div class="page-head">
                                <h1>{format!("{} {number}", b.kind.label())}</h1>
                                <div class="actions">
                                    {return_link}
                                    {matches!(b.kind, BillKind::Sale | BillKind::SaleReturn).then(|| view! {
                                        <a class="button secondary" href=format!("/bills/{}/receipt.pdf", b.id)>"Print receipt"</a>
                                    })}
                                    <a class="button secondary" href=format!("/bills/{}/invoice.pdf", b.id)>"Download invoice"</a>
                                </div>
                            </div>
                            {added}
                            {origin}
                            {returns}
                            <dl class="facts">
                                <dt>"Date"</dt><dd>{shop_time(b.created_at)}</dd>
                                <dt>"Party"</dt><dd>{match b.party_id {
                                    Some(party) => Either::Left(view! { <a href=format!("/parties/{party}")>{b.party_name.clone()}</a> }),
                                    None => Either::Right(b.party_name.clone()),
                                }}</dd>
                                {b.party_phone.clone().map(|p| view! { <dt>"Phone"</dt><dd>{p}</dd> })}
                                {b.party_address.clone().map(|a| view! { <dt>"Address"</dt><dd>{a}</dd> })}
                                <dt>"Recorded by"</dt><dd>{b.created_by.clone()}</dd>
                            </dl>
                            <TableRegion label="Bill lines">
                                <table class="data">
                                    <thead><tr>
                                        <th scope="col">"Product"</th>
                                        <th scope="col" class="num">"Quantity"</th>
                                        <th scope="col" class="num">"Unit price"</th>
                                        <th scope="col" class="num">"Amount"</th>
                                    </tr></thead>
                                    <tbody>{lines}</tbody>
                                    <tfoot>
                                        <tr><th scope="row" colspan="3">"Subtotal"</th><td class="num">{currency.format(b.subtotal)}</td></tr>
                                        {tax_rows}
                                        <tr><th scope="row" colspan="3">"Total"</th><td class="num total">{currency.format(b.total)}</td></tr>
                                    </tfoot>
                                </table>
                            </TableRegion>
                        })
                    }
                }
            })}
        </Suspense>
    }
}
