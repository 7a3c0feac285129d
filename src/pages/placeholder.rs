//! Pages with nothing of their own yet, the 404 page, and the manager-only guard (403).

use crate::components::layout::Session;
use leptos::either::Either;
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

/// A page that is on its way.
#[component]
pub fn ComingSoon(title: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <p class="empty">"This page is coming soon."</p>
    }
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

/// Shows `children` to managers and a 403 page to everyone else.
#[component]
pub fn ManagerOnly(children: ChildrenFn) -> impl IntoView {
    let Session(session) = expect_context::<Session>();
    let children = StoredValue::new(children);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let manager = session.await.ok().flatten().is_some_and(|info| info.user.role.is_manager());
                if manager {
                    Either::Left(children.with_value(|children| children()))
                } else {
                    Either::Right(view! { <Forbidden/> })
                }
            })}
        </Suspense>
    }
}
