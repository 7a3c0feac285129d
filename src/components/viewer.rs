//! Who is looking at the page being rendered, known on the server without a round trip: the
//! session middleware has already resolved the request's cookie.
//!
//! Why not a resource: pages are rendered on the server only (islands mode), so the answer is
//! at hand synchronously, and deciding what to render from it needs no `Suspense` — a
//! `Suspense` whose child creates resources is the shape that once left renders unfinished.

use crate::domain::Role;

/// The role of the signed-in person this page is rendered for, if any.
pub fn role() -> Option<Role> {
    #[cfg(feature = "ssr")]
    return crate::api::context::current_user().map(|user| user.role);
    #[cfg(not(feature = "ssr"))]
    None
}

/// The shop's currency (from its configuration).
pub fn currency() -> crate::domain::Currency {
    #[cfg(feature = "ssr")]
    return crate::api::context::state()
        .map(|state| state.config.currency.clone())
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    crate::domain::Currency::default()
}

/// Whether a manager is looking.
pub fn is_manager() -> bool {
    role().is_some_and(Role::is_manager)
}
