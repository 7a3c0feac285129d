//! The frame of every signed-in page: navigation on top, the page below.

use super::nav::Nav;
use crate::api::auth::{current_session, SessionInfo};
use crate::api::history::expiring_count;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::Outlet;

/// The signed-in session, loaded once per page load and shared with every page below the layout.
#[derive(Clone, Copy)]
pub struct Session(pub Resource<Result<Option<SessionInfo>, AppError>>);

/// Navigation plus the current route's page.
#[component]
pub fn Layout() -> impl IntoView {
    let session = Resource::new(|| (), |_| current_session());
    // Counted again on every navigation, so the badge follows purchases and sales.
    let location = leptos_router::hooks::use_location();
    let expiring = Resource::new(move || location.pathname.get(), |_| expiring_count());
    provide_context(Session(session));
    view! {
        <Transition fallback=|| view! { <header class="topbar"></header> }>
            {move || Suspend::new(async move {
                let info = session.await.ok().flatten();
                let expiring = expiring.await.ok();
                view! { <Nav info expiring/> }
            })}
        </Transition>
        <main id="main" class="page">
            <Outlet/>
        </main>
    }
}
