//! Paging links for cursor-paged lists (bills, the ledger, the audit trail, expiring lots).

use crate::domain::ledger::Cursor;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What a list's paging links say: newest-first lists page `Newest` / `Newer` / `Older`;
/// the expiry list, soonest first, `Soonest` / `Sooner` / `Later`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PagerLabels {
    pub first: &'static str,
    pub back: &'static str,
    pub forward: &'static str,
}

impl PagerLabels {
    pub const NEWEST_FIRST: Self = Self {
        first: "Newest",
        back: "Newer",
        forward: "Older",
    };
    pub const SOONEST_FIRST: Self = Self {
        first: "Soonest",
        back: "Sooner",
        forward: "Later",
    };
}

/// `Newer` / `Older` links for a cursor-paged list, keeping the page's other query values.
#[component]
pub fn Pager(
    newer: Option<Cursor>,
    older: Option<Cursor>,
    #[prop(default = PagerLabels::NEWEST_FIRST)] labels: PagerLabels,
) -> impl IntoView {
    // The page's other query values (filters) carry over; the cursors do not.
    let kept: Vec<(String, String)> = use_query_map()
        .get_untracked()
        .into_iter()
        .filter(|(k, _)| !matches!(&**k, "before" | "after" | "page"))
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let link = |cursor: Option<(&str, Cursor)>| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(&kept);
        if let Some((name, cursor)) = cursor {
            query.append_pair(name, &cursor.to_param());
        }
        format!("?{}", query.finish())
    };
    let newest = link(None);
    let newer_href = newer.map(|c| link(Some(("after", c))));
    let older_href = older.map(|c| link(Some(("before", c))));
    (newer.is_some() || older.is_some()).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {newer.is_some().then(|| view! { <a href=newest>{labels.first}</a> })}
                {newer_href.map(|href| view! { <a href=href>{labels.back}</a> })}
                {older_href.map(|href| view! { <a href=href>{labels.forward}</a> })}
            </nav>
        }
    })
}
