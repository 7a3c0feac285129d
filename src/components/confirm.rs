//! Asking before destroying: `Delete product`, `Delete employee` and `Deactivate` never post
//! straight away. Their button is a plain GET form to the same page with `confirm=<what>`,
//! which then shows only the question, the real POST form (button `Confirm`) and a `Cancel`
//! link back — so the question works without JavaScript, and nothing changes until `Confirm`.

use leptos::prelude::*;
use leptos_meta::Title;

/// The button that asks first: a GET form to `page` with `confirm=<what>`.
#[component]
pub fn AskFirst(
    /// The page that shows the question (the current page).
    page: String,
    /// What to confirm, the `confirm` value the page looks for.
    what: &'static str,
    /// The button's text (an accessible name of PRODUCT.md).
    label: &'static str,
) -> impl IntoView {
    view! {
        <form method="get" action=page class="inline-form">
            <input type="hidden" name="confirm" value=what/>
            <button type="submit" class="button danger">{label}</button>
        </form>
    }
}

/// What `confirm` the address asks for, if any.
pub fn asked() -> Option<String> {
    leptos_router::hooks::use_query_map()
        .get_untracked()
        .get("confirm")
}

/// The confirmation page: `question` as the heading, `consequence` under it, then `children`
/// (the POST form with its hidden fields and a `Confirm` button) and `Cancel` back to `back`.
#[component]
pub fn ConfirmPage(
    question: String,
    consequence: String,
    back: String,
    children: Children,
) -> impl IntoView {
    view! {
        <Title text=question.clone()/>
        <section class="card confirm" aria-labelledby="h-confirm">
            <h1 id="h-confirm">{question}</h1>
            <p>{consequence}</p>
            <div class="actions">
                {children()}
                <a class="button secondary" href=back>"Cancel"</a>
            </div>
        </section>
    }
}
