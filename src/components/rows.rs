//! `Rows`: how many rows a long list shows (25, 50 or 100), kept in the address as `rows=` so a
//! link, a bookmark and the paging links keep it. A plain GET form with a `Show` button, which
//! works without JavaScript; it carries the page's other query values (filters, search, sort)
//! but not its place (cursors and page number), since a new page size starts at the top.

use crate::domain::paging::{rows_per_page, ROW_CHOICES};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The rows per page this address asks for, else `default`.
pub fn rows_asked(default: i64) -> i64 {
    let asked = use_query_map()
        .get_untracked()
        .get("rows")
        .and_then(|r| r.trim().parse().ok());
    rows_per_page(asked, default)
}

/// The `Rows` picker for the list at `path`, showing `current`.
#[component]
pub fn RowsPicker(#[prop(into)] path: String, current: i64) -> impl IntoView {
    let kept = use_query_map()
        .get_untracked()
        .into_iter()
        .filter(|(k, _)| !matches!(&**k, "before" | "after" | "page" | "rows"))
        .map(|(k, v)| view! { <input type="hidden" name=k.to_string() value=v/> })
        .collect_view();
    let options = ROW_CHOICES
        .into_iter()
        .map(|n| view! { <option value=n selected=n == current>{n}</option> })
        .collect_view();
    view! {
        <form action=path method="get" class="rows-picker">
            {kept}
            <label for="rows">"Rows"</label>
            <select id="rows" name="rows">{options}</select>
            <button type="submit" class="button secondary">"Show"</button>
        </form>
    }
}
