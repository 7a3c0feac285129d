//! Live updates without a second renderer: fetch the server's own HTML for an address and put one
//! region of it in place of the same region of the open page (as Turbo frames or htmx do). The
//! server stays the only place that renders a table, and the WASM carries no copy of it.

use std::cell::Cell;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long typing must pause before the page is asked for: one request per pause, not per key.
const PAUSE: Duration = Duration::from_millis(150);

thread_local! {
    /// The newest request's number; an older answer arriving late is dropped.
    static LATEST: Cell<u64> = const { Cell::new(0) };
}

/// After a pause in typing, shows the region `region` (an element id) of the page at `href`
/// and puts `href` in the address bar. A newer call supersedes this one. If the page cannot be
/// fetched or was redirected (a session that ended sends the visitor to sign in), `href` is
/// loaded as a whole page instead, which is what a plain form submit would have done.
pub fn show_region_soon(href: String, region: &'static str) {
    let ticket = LATEST.with(|latest| {
        let next = latest.get() + 1;
        latest.set(next);
        next
    });
    leptos::prelude::set_timeout(
        move || {
            if is_latest(ticket) {
                leptos::task::spawn_local(async move {
                    if let Err(error) = swap(&href, region, ticket).await {
                        leptos::logging::warn!(
                            "live update of {href} fell back to a page load: {error:?}"
                        );
                        let _ = leptos::prelude::window().location().set_href(&href);
                    }
                });
            }
        },
        PAUSE,
    );
}

fn is_latest(ticket: u64) -> bool {
    LATEST.with(Cell::get) == ticket
}

async fn swap(href: &str, region: &str, ticket: u64) -> Result<(), JsValue> {
    let window = leptos::prelude::window();
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(href))
        .await?
        .dyn_into()?;
    if !response.ok() || response.redirected() {
        return Err(JsValue::from_str("not an ordinary answer"));
    }
    let html = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    if !is_latest(ticket) {
        return Ok(());
    }
    let fresh = web_sys::DomParser::new()?
        .parse_from_string(&html, web_sys::SupportedType::TextHtml)?
        .get_element_by_id(region);
    let current = window.document().and_then(|d| d.get_element_by_id(region));
    let (Some(fresh), Some(current)) = (fresh, current) else {
        return Err(JsValue::from_str("the region is missing"));
    };
    current.set_inner_html(&fresh.inner_html());
    window
        .history()?
        .replace_state_with_url(&JsValue::NULL, "", Some(href))?;
    Ok(())
}
