//! `/login`: the sign-in form. Works as a plain form post without JavaScript.

use crate::api::auth::Login;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The `Password` field with `Show password`. The checkbox exists only once the page has
/// hydrated: without JavaScript a checkbox cannot turn a password field into a text field, and a
/// second plain-text field would be filled and remembered by password managers as the password,
/// so the page without JavaScript keeps the ordinary field (which every browser can reveal).
#[island]
fn PasswordField() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let shown = RwSignal::new(false);
    view! {
        <div class="field">
            <label for="password">"Password"</label>
            <input
                id="password"
                name="password"
                type=move || if shown.get() { "text" } else { "password" }
                autocomplete="current-password"
                required
            />
            {move || hydrated.get().then(|| view! {
                <div class="checkbox">
                    <input
                        id="show-password"
                        type="checkbox"
                        prop:checked=move || shown.get()
                        on:change=move |ev| shown.set(event_target_checked(&ev))
                    />
                    <label for="show-password">"Show password"</label>
                </div>
            })}
        </div>
    }
}

/// Email, password, `Sign in`; a wrong pair shows "Invalid email or password".
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || {
        login
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Sign in"/>
        <main class="login-page">
            <section class="card login-card" aria-labelledby="login-title">
                <h1 id="login-title">"Stockroom"</h1>
                <p class="muted">"Sign in to your shop."</p>
                <ActionForm action=login attr:class="form">
                    <input type="hidden" name="next" value=next/>
                    <div class="field">
                        <label for="email">"Email"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required autofocus/>
                    </div>
                    <PasswordField/>
                    {move || error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit" class="button primary" disabled=move || login.pending().get()>
                        "Sign in"
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
