//! `/parties` and `/parties/{id}`: the suppliers and customers the shop's bills name, what was
//! bought from and sold to each, and (managers) their name, phone and address. Searching is a
//! plain GET form, live as you type once hydrated; the edit is a plain form post.

use crate::api::parties::{get_party, list_parties, PartyDetail, PartyListing, UpdateParty};
use crate::api::parties::{BILLS_PER_PAGE, PER_PAGE};
use crate::components::pager::Pager;
use crate::components::rows::{rows_asked, RowsPicker};
use crate::components::status::set_status;
use crate::components::table::TableRegion;
use crate::components::time::shop_time;
use crate::components::viewer;
use crate::domain::bill::bill_number;
use crate::domain::party::PartyForm;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The party list.
#[component]
pub fn PartiesPage() -> impl IntoView {
    let (search, page) = use_query_map().with_untracked(|query| {
        (
            query.get("q").unwrap_or_default(),
            query
                .get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(1),
        )
    });
    let rows = rows_asked(PER_PAGE);
    let listing = Resource::new(
        {
            let search = search.clone();
            move || (search.clone(), page)
        },
        move |(q, page)| list_parties((!q.trim().is_empty()).then_some(q), Some(page), Some(rows)),
    );
    view! {
        <Title text="Parties"/>
        <div class="page-head">
            <h1>"Parties"</h1>
            <RowsPicker path="/parties" current=rows/>
        </div>
        <p class="muted">"The suppliers and customers your bills name, remembered as you buy and sell."</p>
        <PartySearch search=search.clone() rows/>
        // Live search replaces this region with the same region of the next address.
        <div id="party-results">
            <Suspense fallback=|| view! { <p class="muted">"Loading parties…"</p> }>
                {move || {
                    let search = search.clone();
                    Suspend::new(async move {
                        match listing.await {
                            Ok(listing) => Either::Left(view! { <PartyTable listing search rows/> }),
                            Err(e) => Either::Right(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// The search form: a plain GET form to `/parties`; hydrated, the table follows the typing.
#[island]
fn PartySearch(search: String, rows: i64) -> impl IntoView {
    let on_input = move |ev: leptos::ev::Event| {
        let href = parties_href(&event_target_value(&ev), 1, rows);
        #[cfg(feature = "hydrate")]
        crate::components::swap::show_region_soon(href, "party-results");
        #[cfg(not(feature = "hydrate"))]
        let _ = href;
    };
    view! {
        <form action="/parties" method="get" class="search" role="search">
            <label for="party-search">"Search parties"</label>
            <input
                id="party-search"
                type="search"
                name="q"
                autocomplete="off"
                placeholder="Name or phone"
                value=search
                on:input=on_input
            />
            {(rows != PER_PAGE).then(|| view! { <input type="hidden" name="rows" value=rows/> })}
            <button type="submit" class="button secondary">"Search"</button>
        </form>
    }
}

/// The address of the party list for a search, a page and rows per page (defaults left out).
fn parties_href(search: &str, page: i64, rows: i64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if !search.trim().is_empty() {
        query.append_pair("q", search);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    if rows != PER_PAGE {
        query.append_pair("rows", &rows.to_string());
    }
    match query.finish() {
        query if query.is_empty() => "/parties".to_owned(),
        query => format!("/parties?{query}"),
    }
}

/// One page of parties with its paging links.
#[component]
fn PartyTable(listing: PartyListing, search: String, rows: i64) -> impl IntoView {
    let PartyListing { page, currency } = listing;
    if page.rows.is_empty() {
        let message = if search.trim().is_empty() {
            "No parties yet. They appear here when a bill names a supplier or a customer."
        } else {
            "No parties match your search."
        };
        return Either::Left(view! { <p class="empty">{message}</p> });
    }
    let link = move |n: i64| parties_href(&search, n, rows);
    let previous = (page.page > 1).then(|| link(page.page - 1));
    let next = page.has_next.then(|| link(page.page + 1));
    let party_rows = page
        .rows
        .into_iter()
        .map(|p| {
            let kind = p.kind();
            view! {
                <tr>
                    <td><a href=format!("/parties/{}", p.id)>{p.name}</a></td>
                    <td>{kind}</td>
                    <td class="num">{p.bills}</td>
                    <td class="num">{currency.format(p.bought)}</td>
                    <td class="num">{currency.format(p.sold)}</td>
                    <td>{p.last_bill_at.map(shop_time).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <TableRegion label="Parties">
            <table class="data">
                <thead><tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col" class="num">"Bills"</th>
                    <th scope="col" class="num">"Bought from"</th>
                    <th scope="col" class="num">"Sold to"</th>
                    <th scope="col">"Last bill"</th>
                </tr></thead>
                <tbody>{party_rows}</tbody>
            </table>
        </TableRegion>
        {(previous.is_some() || next.is_some()).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {previous.map(|href| view! { <a href=href>"Previous"</a> })}
                {next.map(|href| view! { <a href=href>"Next"</a> })}
            </nav>
        })}
    })
}

/// One party: its details (editable by managers) and its bills, newest first.
#[component]
pub fn PartyPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let seek = Memo::new(move |_| (query.read().get("before"), query.read().get("after")));
    let rows = rows_asked(BILLS_PER_PAGE);
    let detail = Resource::new(
        move || (id.get(), seek.get()),
        move |(id, (before, after))| async move {
            match id {
                Some(id) => get_party(id, before, after, Some(rows)).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the party…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => Either::Left(view! { <PartyView detail rows/> }),
                    Err(e) => {
                        set_status(e.status());
                        Either::Right(view! { <Title text="Party"/> <h1>"Party not found"</h1> <p>{e.to_string()}</p> })
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn PartyView(detail: PartyDetail, rows: i64) -> impl IntoView {
    let PartyDetail {
        party,
        bills,
        currency,
    } = detail;
    let saved = use_query_map().get_untracked().get("saved").is_some();
    let path = format!("/parties/{}", party.id);
    let edit = viewer::is_manager().then(|| view! { <EditParty party=party.clone()/> });
    let facts = view! {
        <dl class="facts">
            <dt>"Kind"</dt><dd>{party.kind()}</dd>
            <dt>"Phone"</dt><dd>{party.phone.clone().unwrap_or_default()}</dd>
            <dt>"Address"</dt><dd>{party.address.clone().unwrap_or_default()}</dd>
            <dt>"Bills"</dt><dd>{party.bills}</dd>
            <dt>"Bought from"</dt><dd>{currency.format(party.bought)}</dd>
            <dt>"Sold to"</dt><dd>{currency.format(party.sold)}</dd>
        </dl>
    };
    let bill_rows = bills
        .rows
        .into_iter()
        .map(|b| {
            view! {
                <tr>
                    <td><a href=format!("/bills/{}", b.id)>{bill_number(b.kind, b.id)}</a></td>
                    <td>{shop_time(b.created_at)}</td>
                    <td>{b.kind.label()}</td>
                    <td class="num">{currency.format(b.total)}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = bills.newer.is_none() && bills.older.is_none() && party.bills == 0;
    view! {
        <Title text=party.name.clone()/>
        <div class="page-head">
            <h1>{party.name.clone()}</h1>
            <a href="/parties">"Back to parties"</a>
        </div>
        {saved.then(|| view! { <p class="notice" role="status">"Saved."</p> })}
        {facts}
        {edit}
        <section aria-labelledby="h-party-bills">
            <div class="page-head">
                <h2 id="h-party-bills">"Bills"</h2>
                <RowsPicker path=path current=rows/>
            </div>
            {if empty {
                Either::Left(view! { <p class="empty">"No bills name this party."</p> })
            } else {
                Either::Right(view! {
                    <TableRegion label="Bills of this party">
                        <table class="data">
                            <thead><tr>
                                <th scope="col">"Bill"</th>
                                <th scope="col">"Date"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col" class="num">"Total"</th>
                            </tr></thead>
                            <tbody>{bill_rows}</tbody>
                        </table>
                    </TableRegion>
                    <Pager newer=bills.newer older=bills.older/>
                })
            }}
        </section>
    }
}

/// Managers: the party's `Name`, `Phone` and `Address`, and `Save`.
#[component]
fn EditParty(party: crate::domain::party::PartyRow) -> impl IntoView {
    let update = ServerAction::<UpdateParty>::new();
    // After a refused save the fields show what was typed, not what is stored.
    let typed = if use_query_map().get_untracked().get("__err").is_some() {
        crate::api::form::typed::<PartyForm>()
    } else {
        PartyForm::of(&party)
    };
    let error = move |field: &'static str| {
        move || {
            update
                .value()
                .get()
                .and_then(Result::err)
                .and_then(|e| e.for_field(field))
                .map(|m| view! { <p class="field-error" role="alert" id=format!("{field}-error")>{m}</p> })
        }
    };
    view! {
        <ActionForm action=update attr:class="form card">
            <input type="hidden" name="id" value=party.id/>
            <div class="field">
                <label for="name">"Name"</label>
                <input id="name" name="name" value=typed.name required/>
                {error("name")}
            </div>
            <div class="field">
                <label for="phone">"Phone"</label>
                <input id="phone" name="phone" type="tel" value=typed.phone/>
                {error("phone")}
            </div>
            <div class="field">
                <label for="address">"Address"</label>
                <input id="address" name="address" value=typed.address/>
                {error("address")}
            </div>
            <p class="muted">"Past bills keep the name, phone and address they were recorded with."</p>
            <button type="submit" class="button primary">"Save"</button>
        </ActionForm>
    }
}
