//! The HTTP status of a server render, and the pages that say "no": 403 and 404.

use leptos::prelude::*;
use leptos_meta::Title;

/// Sets the HTTP status of the page being rendered on the server (a no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(code),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Unknown routes: a 404 with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Not found"/>
        <main class="page">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address."</p>
            <p><a href="/">"Go to the dashboard"</a></p>
        </main>
    }
}

/// The 403 page: signed in, but this is for managers. Sets the status on the server.
#[component]
pub fn Forbidden() -> impl IntoView {
    set_status(403);
    view! {
        <Title text="Not allowed"/>
        <h1>"Not allowed"</h1>
        <p>"This page is for managers. Ask the shop's manager if you need something here."</p>
    }
}
