//! `/employees/audit`: the audit trail (sign-ins and employee changes), for managers.

use crate::api::people::list_audit;
use crate::components::pager::Pager;
use crate::components::status::set_status;
use crate::components::table::TableRegion;
use crate::components::time::{shop_time, zone_name};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Who did what, when and from where; newest first.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let seek = Memo::new(move |_| (query.read().get("before"), query.read().get("after")));
    let trail = Resource::new(
        move || seek.get(),
        |(before, after)| list_audit(before, after),
    );
    view! {
        <Title text="Audit trail"/>
        <div class="page-head">
            <h1>"Audit trail"</h1>
            <a href="/employees">"Back to employees"</a>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading the audit trail…"</p> }>
            {move || Suspend::new(async move {
                match trail.await {
                    Err(e) => {
                        set_status(e.status());
                        Either::Left(view! { <p class="form-error" role="alert">{e.to_string()}</p> })
                    }
                    Ok(page) => {
                        let rows = page.rows.into_iter().map(|entry| view! {
                            <tr>
                                <td>{shop_time(entry.at)}</td>
                                <td>{entry.actor.unwrap_or_else(|| "—".to_owned())}</td>
                                <td>{entry.action.label()}</td>
                                <td>{entry.target.unwrap_or_default()}</td>
                                <td>{entry.detail}</td>
                                <td>{entry.client_addr}</td>
                            </tr>
                        }).collect_view();
                        Either::Right(view! {
                            <TableRegion label="Audit trail">
                                <table class="data">
                                    <thead><tr>
                                        <th scope="col">{format!("When ({})", zone_name())}</th>
                                        <th scope="col">"Who"</th>
                                        <th scope="col">"What"</th>
                                        <th scope="col">"Account"</th>
                                        <th scope="col">"Details"</th>
                                        <th scope="col">"Address"</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </TableRegion>
                            <Pager newer=page.newer older=page.older/>
                        })
                    }
                }
            })}
        </Transition>
    }
}
