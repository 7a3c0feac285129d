//! Signing in and out, and who is signed in.

use crate::domain::{Currency, User};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What every signed-in page needs to know about the session and the shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: User,
    pub shop_name: String,
    pub currency: Currency,
}

/// Checks the email and password; on success starts a new session (cookie) and sends the
/// browser to `next` (a local path) or the dashboard.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::auth::{safe_next, SignInError};
    let state = super::context::state()?;
    match state.sessions.sign_in(&state.db, &email, &password).await {
        Ok((user, cookie)) => {
            tracing::info!(user_id = user.id, "signed in");
            let response = expect_context::<leptos_axum::ResponseOptions>();
            response.insert_header(axum::http::header::SET_COOKIE, cookie);
            leptos_axum::redirect(&safe_next(next.as_deref()));
            Ok(())
        }
        Err(SignInError::Invalid) => Err(AppError::InvalidCredentials),
        Err(SignInError::Storage(error)) => Err(error.into()),
    }
}

/// Ends this browser's session on the server and clears its cookie.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::auth::SessionToken;
    use crate::server::storage::sessions;
    let state = super::context::state()?;
    let parts = expect_context::<axum::http::request::Parts>();
    if let Some(SessionToken(hash)) = parts.extensions.get::<SessionToken>() {
        sessions::delete(&state.db, hash).await?;
    }
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(
        axum::http::header::SET_COOKIE,
        state.sessions.clear_cookie(),
    );
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user with the shop's name and currency; `None` when signed out.
#[server(prefix = "/api", endpoint = "session")]
pub async fn current_session() -> Result<Option<SessionInfo>, AppError> {
    let state = super::context::state()?;
    Ok(super::context::current_user().map(|user| SessionInfo {
        user,
        shop_name: state.config.shop_name.clone(),
        currency: state.config.currency.clone(),
    }))
}
