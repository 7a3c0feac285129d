//! Instants as the shop reads them: in its own time zone (`SHOP_TIMEZONE`), known on the server
//! while it renders the page, like [`super::viewer`] — no resource, no round trip. Pages are
//! rendered on the server only (islands mode), so the browser build never shows a time from
//! here and carries no zone rules.

/// `YYYY-MM-DD HH:MM` on the shop's wall clock at `unix`. Empty outside a request, where there
/// is no shop to ask (a wrong time would be worse than none).
pub fn shop_time(unix: i64) -> String {
    #[cfg(feature = "ssr")]
    {
        use crate::domain::calendar::Zone;
        leptos::prelude::with_context::<crate::server::state::AppState, _>(|state| {
            state.config.zone.show(unix)
        })
        .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = unix;
        String::new()
    }
}

/// The shop's time zone, e.g. `Asia/Kolkata`, for headings that say which clock they read.
pub fn zone_name() -> String {
    #[cfg(feature = "ssr")]
    return leptos::prelude::with_context::<crate::server::state::AppState, _>(|state| {
        state.config.zone.name().to_owned()
    })
    .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    String::new()
}
