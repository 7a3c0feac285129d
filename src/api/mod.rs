//! Server functions: thin, public endpoints at fixed paths under `/api/`. Each one authenticates
//! and authorizes its caller, parses input into domain types, calls storage, and maps errors to
//! [`crate::error::AppError`].

pub mod access;
pub mod auth;
pub mod corrections;
pub mod dashboard;
pub mod form;
pub mod history;
pub mod imports;
pub mod parties;
pub mod people;
pub mod products;
pub mod reorder;
pub mod stock;

#[cfg(feature = "ssr")]
pub mod context {
    //! What a server function knows about its request: the shared state and who is calling.

    use crate::domain::User;
    use crate::error::AppError;
    use crate::server::middleware::CurrentUser;
    use crate::server::state::AppState;
    use leptos::prelude::use_context;

    /// The application state, provided to every server function and page render.
    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server-function context");
            AppError::Internal
        })
    }

    /// Now, in seconds since the Unix epoch, by the state's clock (which a test may set).
    /// Outside a request, where there is no state, the system clock.
    pub fn now() -> i64 {
        leptos::prelude::with_context::<AppState, _>(|state| state.clock.now())
            .unwrap_or_else(|| crate::server::clock::Clock::system().now())
    }

    /// The signed-in user of this request, if any (resolved by the session middleware).
    pub fn current_user() -> Option<User> {
        use_context::<axum::http::request::Parts>()?
            .extensions
            .get::<CurrentUser>()
            .map(|c| c.0.clone())
    }

    /// The signed-in user, or [`AppError::NotSignedIn`].
    pub fn require_user() -> Result<User, AppError> {
        current_user().ok_or(AppError::NotSignedIn)
    }

    /// The signed-in manager, or [`AppError::NotSignedIn`] / [`AppError::Forbidden`].
    pub fn require_manager() -> Result<User, AppError> {
        let user = require_user()?;
        if user.role.is_manager() {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The address this request came from (for throttling and the audit trail).
    pub fn client_addr() -> String {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| {
                parts
                    .extensions
                    .get::<crate::server::client::ClientAddr>()
                    .map(|c| c.0.clone())
            })
            .unwrap_or_else(|| "unknown".to_owned())
    }

    /// The hash of this request's session, if signed in.
    pub fn session_hash() -> Option<String> {
        use_context::<axum::http::request::Parts>()?
            .extensions
            .get::<crate::server::middleware::SessionToken>()
            .map(|t| t.0.clone())
    }

    /// `user` as the actor of an audited change made by this request.
    pub fn actor(user: &User) -> crate::server::storage::audit::Actor {
        crate::server::storage::audit::Actor {
            id: user.id,
            email: user.email.as_str().to_owned(),
            client_addr: client_addr(),
        }
    }
}
