//! The box around every table: on a phone a table may be wider than the screen, and then it
//! scrolls sideways inside this box while the page itself never does. The box is a labelled
//! region that takes the keyboard focus (`tabindex="0"`), so keyboard users can scroll it with
//! the arrow keys and screen readers announce what it holds (WCAG 2.1.1; axe-core's
//! `scrollable-region-focusable`).

use leptos::prelude::*;

/// A labelled, focusable, sideways-scrolling region holding a table (or, with `class`, another
/// wide drawing such as a chart).
#[component]
pub fn TableRegion(
    /// What the region holds, e.g. "Products": its accessible name.
    #[prop(into)]
    label: String,
    /// The box's class: `table-wrap` (a table's frame) unless told.
    #[prop(default = "table-wrap")]
    class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class=class role="region" aria-label=label tabindex="0">
            {children()}
        </div>
    }
}
