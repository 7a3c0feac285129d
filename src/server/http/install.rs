//! Installing the app ("Add to Home Screen"): the web app manifest and its icons, served by the
//! server itself so an install works on any host. The icons are drawn by `scripts/icons.py` into
//! `public/icons/` and built into the binary. Neither carries a hash in its name, so they are
//! cached for a week rather than for ever: a new icon reaches phones within days.

use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// How long browsers keep the manifest and the icons.
const CACHE: &str = "public, max-age=604800";
/// The brand colour: the installed app's title bar and splash screen.
pub const THEME_COLOUR: &str = "#0b6e4f";

/// The icons by file name: 192 and 512 px, plain (`any`) and `maskable`.
const ICONS: &[(&str, &[u8])] = &[
    (
        "icon-192.png",
        include_bytes!("../../../public/icons/icon-192.png"),
    ),
    (
        "icon-512.png",
        include_bytes!("../../../public/icons/icon-512.png"),
    ),
    (
        "maskable-192.png",
        include_bytes!("../../../public/icons/maskable-192.png"),
    ),
    (
        "maskable-512.png",
        include_bytes!("../../../public/icons/maskable-512.png"),
    ),
];

/// The manifest of a shop called `shop_name`.
pub fn manifest(shop_name: &str) -> serde_json::Value {
    let icon = |file: &str, size: u32, purpose: &str| {
        serde_json::json!({
            "src": format!("/icons/{file}"),
            "sizes": format!("{size}x{size}"),
            "type": "image/png",
            "purpose": purpose,
        })
    };
    let short: String = shop_name.chars().take(12).collect();
    serde_json::json!({
        "name": shop_name,
        "short_name": short.trim(),
        "description": "What the shop holds, bought and sold, and what is about to expire.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": THEME_COLOUR,
        "icons": [
            icon("icon-192.png", 192, "any"),
            icon("icon-512.png", 512, "any"),
            icon("maskable-192.png", 192, "maskable"),
            icon("maskable-512.png", 512, "maskable"),
        ],
    })
}

/// `GET /manifest.webmanifest`, for anyone (browsers fetch it without the session cookie).
pub(super) async fn manifest_file(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, CACHE),
        ],
        manifest(&state.config.shop_name).to_string(),
    )
        .into_response()
}

/// `GET /icons/{file}`: one of [`ICONS`], else 404.
pub(super) async fn icon_file(Path(file): Path<String>) -> Response {
    match ICONS.iter().find(|(name, _)| *name == file) {
        Some((_, bytes)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, CACHE),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
