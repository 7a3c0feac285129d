//! Stockroom: inventory management for small shops. One crate, two halves: the server (`ssr`)
//! renders every page and answers server functions; the browser (`hydrate`) brings the page's
//! islands (`#[island]`: live search, the bill form, the period picker, chart readouts) to life.
//! Everything else is plain server HTML, so links and forms are ordinary page loads.
//!
//! Dependencies point one way: `pages` → `api` → `server::storage` → `domain`.

pub mod api;
pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

/// The browser entry point: hydrates the islands of the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
