//! The frame of every signed-in page: navigation on top, the page below. (Manager-only pages wrap
//! themselves in `ManagerOnly`; wrapping the `Outlet` in a `Suspend` here made server renders
//! fetch each page's data up to three times and, under load, occasionally never finish.)

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
    // That count is asked for on every navigation, so it is also how an open page learns that
    // its session has ended (signed out elsewhere, deactivated, password changed): it then goes
    // to the sign-in page, as a full page load would.
    Effect::new(move |_| {
        if let Some(Err(AppError::NotSignedIn)) = expiring.get() {
            go_to_sign_in(&location.pathname.get_untracked());
        }
    });
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

/// Loads the sign-in page (a full load, so nothing of the ended session stays in memory).
fn go_to_sign_in(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let target = format!("/login?next={}", crate::domain::search::urlencode(path));
        if let Err(error) = window().location().set_href(&target) {
            leptos::logging::error!("could not go to the sign-in page: {error:?}");
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
