//! The HTML shell and the route table: every route of PRODUCT.md, rendered on the server; only
//! the islands inside a page are hydrated in the browser.

use crate::components::layout::Layout;
use crate::components::status::NotFound;
use crate::pages::{
    audit::AuditPage,
    bill_return::ReturnItemsPage,
    bills::{BillPage, BillsPage},
    dashboard::DashboardPage,
    employees::{EmployeePage, EmployeesPage, NewEmployeePage},
    history::{ExpiryPage, TransactionsPage},
    import::ImportPage,
    inventory::InventoryPage,
    login::LoginPage,
    parties::{PartiesPage, PartyPage},
    product::ProductPage,
    profile::ProfilePage,
    record::{BuyPage, SellPage},
    reorder::ReorderPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The document around the app: head, hashed assets, hydration scripts. On the server it also
/// sets the page's Content-Security-Policy with the nonce Leptos puts on its inline scripts.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::security::provide_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options=options.clone() islands=true/>
                <HashedStylesheet options id="leptos"/>
                <link rel="icon" href="/favicon.ico"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icons/icon-192.png"/>
                // The installed app's colour (`server::http::install::THEME_COLOUR`).
                <meta name="theme-color" content="#0b6e4f"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The document title for a page. leptos_meta writes the server-rendered `<title>` unescaped,
/// so a product named `</title><script>…` would run: the server escapes it here. (The browser
/// sets `document.title` as plain text, so it gets the text as is.)
fn page_title(page: String) -> String {
    let title = if page.is_empty() {
        "Stockroom".to_owned()
    } else {
        format!("{page} · Stockroom")
    };
    #[cfg(feature = "ssr")]
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    title
}

/// The application: the sign-in page, and every other page inside the signed-in layout.
///
/// Every route renders with `SsrMode::Async`: the server waits for the page's data and sends
/// complete HTML, so pages work with JavaScript off and set their HTTP status (404, 403) in time.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=page_title/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=Layout ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/inventory") view=InventoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/inventory/import") view=ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/inventory/:id") view=ProductPage ssr=SsrMode::Async/>
                    <Route path=path!("/buy") view=BuyPage ssr=SsrMode::Async/>
                    <Route path=path!("/sell") view=SellPage ssr=SsrMode::Async/>
                    <Route path=path!("/bills") view=BillsPage ssr=SsrMode::Async/>
                    <Route path=path!("/bills/:id") view=BillPage ssr=SsrMode::Async/>
                    <Route path=path!("/bills/:id/return") view=ReturnItemsPage ssr=SsrMode::Async/>
                    <Route path=path!("/transactions") view=TransactionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/expiry") view=ExpiryPage ssr=SsrMode::Async/>
                    <Route path=path!("/reorder") view=ReorderPage ssr=SsrMode::Async/>
                    <Route path=path!("/parties") view=PartiesPage ssr=SsrMode::Async/>
                    <Route path=path!("/parties/:id") view=PartyPage ssr=SsrMode::Async/>
                    // Who may open which page is decided in one place, `api::access`, which the
                    // layout consults before rendering any of these.
                    <Route path=path!("/employees") view=EmployeesPage ssr=SsrMode::Async/>
                    <Route path=path!("/employees/new") view=NewEmployeePage ssr=SsrMode::Async/>
                    <Route path=path!("/employees/audit") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/employees/:id") view=EmployeePage ssr=SsrMode::Async/>
                    <Route path=path!("/profile") view=ProfilePage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
