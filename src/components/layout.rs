//! The frame of every signed-in page: navigation on top, the page below — or the 403 page, when
//! the access table ([`crate::api::access`]) says the person looking may not open this route.
//! That decision is made from the request's own session (see [`super::viewer`]), not from a
//! resource: wrapping the `Outlet` in a `Suspend` made server renders fetch each page's data up
//! to three times and, under load, occasionally never finish.
//!
//! Every navigation is a page load, so a session that ended elsewhere (signed out, deactivated,
//! password changed) is noticed by the server on the next click, which sends the visitor to the
//! sign-in page.

use super::nav::Nav;
use super::status::Forbidden;
use super::viewer;
use crate::api::access;
use crate::api::auth::{current_session, SessionInfo};
use crate::api::history::expiring_count;
use crate::error::AppError;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

/// The signed-in session, loaded once per page load and shared with every page below the layout.
#[derive(Clone, Copy)]
pub struct Session(pub Resource<Result<Option<SessionInfo>, AppError>>);

/// Navigation plus the current route's page.
#[component]
pub fn Layout() -> impl IntoView {
    let session = Resource::new(|| (), |_| current_session());
    let expiring = Resource::new(|| (), |_| expiring_count());
    provide_context(Session(session));
    let path = use_location().pathname.get_untracked();
    let page = if access::allows(&path, viewer::role()) {
        Either::Left(view! { <Outlet/> })
    } else {
        Either::Right(view! { <Forbidden/> })
    };
    view! {
        <Suspense fallback=|| view! { <header class="topbar"></header> }>
            {move || Suspend::new(async move {
                let info = session.await.ok().flatten();
                let expiring = expiring.await.ok();
                view! { <Nav info expiring/> }
            })}
        </Suspense>
        <main id="main" class="page">
            {page}
        </main>
    }
}
