//! The navigation bar: the links of PRODUCT.md (Employees for managers only) and `Sign out`.

use crate::api::auth::{Logout, SessionInfo};
use crate::domain::product::capped_count;
use leptos::prelude::*;
use leptos_router::components::A;

/// The links every signed-in person sees, in order.
const LINKS: [(&str, &str); 8] = [
    ("/", "Dashboard"),
    ("/inventory", "Inventory"),
    ("/buy", "Buy"),
    ("/sell", "Sell"),
    ("/bills", "Bills"),
    ("/transactions", "Transactions"),
    ("/reorder", "Reorder"),
    ("/parties", "Parties"),
];

/// The top bar. `info` is `None` only while signed out (the sign-out redirect in flight);
/// `expiring` counts the lots expiring within 3 days, shown as a badge beside `Expiry`.
#[component]
pub fn Nav(info: Option<SessionInfo>, expiring: Option<i64>) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let is_manager = info.as_ref().is_some_and(|i| i.user.role.is_manager());
    let shop = info
        .as_ref()
        .map_or_else(|| "Stockroom".to_owned(), |i| i.shop_name.clone());
    let who = info
        .as_ref()
        .map(|i| format!("{} ({})", i.user.full_name(), i.user.role));
    view! {
        <header class="topbar">
            <a class="brand" href="/">{shop}</a>
            <nav aria-label="Main">
                <ul class="nav-links">
                    {LINKS
                        .into_iter()
                        .map(|(href, label)| view! { <li><A href=href exact={href == "/"}>{label}</A></li> })
                        .collect_view()}
                    <li>
                        <A href="/expiry">"Expiry"</A>
                        // Beside the link, not inside it: the link's name stays "Expiry".
                        {expiring.filter(|n| *n > 0).map(|n| {
                            // Counted up to COUNT_CAP + 1 (1,001): beyond the cap, "1,000+".
                            let n = capped_count(n);
                            view! {
                                // The count and what it counts in words (a `span` may not carry
                                // `aria-label`: axe-core's aria-prohibited-attr).
                                <span class="badge danger" title="Lots expiring within 3 days">
                                    <span aria-hidden="true">{n.clone()}</span>
                                    <span class="visually-hidden">{format!("{n} lots expiring within 3 days")}</span>
                                </span>
                            }
                        })}
                    </li>
                    {is_manager.then(|| view! { <li><A href="/employees">"Employees"</A></li> })}
                </ul>
            </nav>
            <div class="session">
                {who.map(|who| view! { <span class="who">{who}</span> })}
                <A href="/profile" attr:class="profile-link">"Profile"</A>
                <ActionForm action=logout attr:class="signout">
                    <button type="submit" class="button secondary">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
    }
}
