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
    use crate::server::middleware::safe_next;
    use crate::server::sessions::SignInError;
    use crate::server::storage::sessions;
    let state = super::context::state()?;
    let client = super::context::client_addr();
    let device = use_context::<axum::http::request::Parts>().and_then(|parts| {
        crate::server::sessions::device_cookie(&parts.headers).map(str::to_owned)
    });
    match state
        .sessions
        .sign_in(&state.db, &email, &password, &client, device.as_deref())
        .await
    {
        Ok(signed_in) => {
            let user = signed_in.user;
            tracing::info!(user_id = user.id, "signed in");
            // A session this browser already had ends: one browser, one session.
            if let Some(old) = super::context::session_hash() {
                sessions::delete(&state.db, &old).await?;
            }
            let response = expect_context::<leptos_axum::ResponseOptions>();
            response.append_header(axum::http::header::SET_COOKIE, signed_in.session_cookie);
            response.append_header(axum::http::header::SET_COOKIE, signed_in.device_cookie);
            leptos_axum::redirect(&safe_next(next.as_deref()));
            Ok(())
        }
        Err(SignInError::Invalid) => Err(AppError::InvalidCredentials),
        Err(SignInError::Throttled { retry_after_secs }) => {
            tracing::warn!(%client, "sign-in throttled");
            let response = expect_context::<leptos_axum::ResponseOptions>();
            if let Ok(value) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.insert_header(axum::http::header::RETRY_AFTER, value);
            }
            Err(AppError::TooManyAttempts { retry_after_secs })
        }
        Err(SignInError::Storage(error)) => Err(error.into()),
    }
}

/// Ends this browser's session on the server and clears its cookie.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::domain::employee::AuditAction;
    use crate::server::storage::{audit, sessions};
    let state = super::context::state()?;
    if let Some(hash) = super::context::session_hash() {
        sessions::delete(&state.db, &hash).await?;
        if let Some(user) = super::context::current_user() {
            let actor = super::context::actor(&user);
            let entry = audit::NewEntry::by(
                &actor,
                super::context::now(),
                AuditAction::SignedOut,
                (user.id, user.email.as_str()),
                "",
            );
            audit::record(&state.db, &entry).await?;
        }
    }
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(
        axum::http::header::SET_COOKIE,
        state.sessions.clear_cookie(),
    );
    leptos_axum::redirect("/login");
    Ok(())
}

/// `Sign out everywhere`: ends every session of the signed-in person (this browser's too, and
/// any they left open on another device), clears this browser's cookie and goes to `/login`.
#[server(prefix = "/api", endpoint = "profile/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::domain::employee::AuditAction;
    use crate::server::storage::{audit, sessions};
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let ended = sessions::delete_for_user(&state.db, user.id).await?;
    let actor = super::context::actor(&user);
    let detail = format!("everywhere ({ended} sessions)");
    let entry = audit::NewEntry::by(
        &actor,
        super::context::now(),
        AuditAction::SignedOut,
        (user.id, user.email.as_str()),
        &detail,
    );
    audit::record(&state.db, &entry).await?;
    tracing::info!(
        user_id = user.id,
        sessions_ended = ended,
        "signed out everywhere"
    );
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

/// Changes the signed-in person's own password. The current password is required; the new one
/// must be long and hard enough to guess, and typed twice alike. Every other session of this
/// person ends at once (a stolen session does not survive the change); this one stays.
#[server(prefix = "/api", endpoint = "profile/password")]
pub async fn change_password(
    #[server(default)] current_password: String,
    #[server(default)] new_password: String,
    #[server(default)] repeat_password: String,
) -> Result<(), AppError> {
    use super::context::now;
    use crate::domain::Password;
    use crate::error::FieldError;
    use crate::server::passwords::{hash_password, verify_password};
    use crate::server::storage::{people, users};
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let account = users::find_by_id(&state.db, user.id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if !verify_password(&current_password, &account.password_hash).await {
        return Err(AppError::invalid(
            "current_password",
            "This is not your current password",
        ));
    }
    let mut errors = Vec::new();
    let password = match Password::parse(&new_password).and_then(|p| {
        p.check_strength(&[
            user.email.as_str(),
            &user.first_name,
            &user.last_name,
            &state.config.shop_name,
        ])
        .map(|()| p)
    }) {
        Ok(password) => Some(password),
        Err(e) => {
            errors.push(FieldError::new("new_password", e));
            None
        }
    };
    if new_password == current_password {
        errors.push(FieldError::new(
            "new_password",
            "Choose a password different from the current one",
        ));
    }
    if repeat_password != new_password {
        errors.push(FieldError::new(
            "repeat_password",
            "The two new passwords are not the same",
        ));
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors));
    };
    let hash = hash_password(&password).await.map_err(|e| {
        tracing::error!(error = %e, "hashing a password failed");
        AppError::Internal
    })?;
    let actor = super::context::actor(&user);
    let keep = super::context::session_hash();
    let ended =
        people::change_own_password(&state.db, &actor, &hash, keep.as_deref(), now()).await?;
    tracing::info!(
        user_id = user.id,
        other_sessions_ended = ended,
        "password changed"
    );
    leptos_axum::redirect("/profile?changed=1");
    Ok(())
}
