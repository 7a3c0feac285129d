//! `/profile`: who you are, changing your own password (the current one is required; a change
//! signs you out everywhere else), and `Sign out everywhere`.

use crate::api::auth::{ChangePassword, SignOutEverywhere};
use crate::components::layout::Session;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The profile page.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let Session(session) = expect_context::<Session>();
    let change = ServerAction::<ChangePassword>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    // After a change the server sends the browser back here with `?changed=1`.
    let query = use_query_map();
    let changed = move || query.read().get("changed").is_some();
    let message = move |field: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| e.for_field(field))
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        }
    };
    let general = move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid { .. } | AppError::InvalidFields(_)))
            .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
    };
    let password = move |id: &'static str, label: &'static str, auto: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id name=id type="password" autocomplete=auto required/>
                {message(id)}
            </div>
        }
    };
    view! {
        <Title text="Your profile"/>
        <h1>"Your profile"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                session.await.ok().flatten().map(|info| view! {
                    <dl class="facts">
                        <dt>"Name"</dt><dd>{info.user.full_name()}</dd>
                        <dt>"Email"</dt><dd>{info.user.email.to_string()}</dd>
                        <dt>"Role"</dt><dd>{if info.user.role.is_manager() { "Manager" } else { "Staff" }}</dd>
                    </dl>
                })
            })}
        </Suspense>
        <h2>"Change password"</h2>
        {move || changed().then(|| view! {
            <p class="notice" role="status">"Your password has been changed. Your other sessions have been signed out."</p>
        })}
        <ActionForm action=change attr:class="form card">
            {password("current_password", "Current password", "current-password")}
            {password("new_password", "New password", "new-password")}
            {password("repeat_password", "Repeat new password", "new-password")}
            {general}
            <button type="submit" class="button primary">"Change password"</button>
        </ActionForm>
        <h2>"Sessions"</h2>
        <ActionForm action=everywhere attr:class="form card">
            <p class="muted">"Signed in on a phone you lost, or a shared computer? This ends every session of yours, this one too."</p>
            <button type="submit" class="button danger">"Sign out everywhere"</button>
        </ActionForm>
    }
}
