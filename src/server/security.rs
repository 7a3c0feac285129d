//! Browser-facing defences on every response: refusing cross-site state changes (CSRF), and the
//! security headers (Content-Security-Policy with a per-response nonce for Leptos' inline
//! hydration scripts, `nosniff`, `Referrer-Policy`, no framing).
//!
//! **CSRF.** A request that can change something (any method but GET, HEAD, OPTIONS, TRACE) is
//! refused with 403 when the browser says it comes from another site: `Sec-Fetch-Site` is
//! `cross-site` or `same-site`, or its `Origin` (or, without one, its `Referer`) is not this
//! app's origin. This app's origin is `PUBLIC_URL` when configured, otherwise the request's own
//! `Host`. A request with neither `Origin` nor `Referer` is allowed: browsers send `Origin` on
//! every cross-site POST (and `fetch`), so such a request comes from a script such as `curl`,
//! which cannot ride on a visitor's cookies anyway. The session cookie is also `SameSite=Lax`,
//! so most browsers would not attach it to a cross-site POST in the first place.

use super::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy of responses that are not pages (JSON, PDF, assets, redirects): nothing may run
/// or load, nothing may frame them.
const DEFAULT_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The Content-Security-Policy of a page whose inline scripts carry `nonce`.
///
/// - scripts: our own files and the inline scripts Leptos writes (hydration, resource data),
///   each marked with this response's nonce; `'wasm-unsafe-eval'` lets the WASM compile;
/// - styles: our stylesheet and nonce-marked `<style>`; `style` *attributes* are allowed
///   (`style-src-attr`), as bar widths and the like need them and they cannot run code;
/// - everything else from our own origin only; never framed (`frame-ancestors 'none'`).
pub fn page_policy(nonce: &str, live_reload: bool) -> String {
    // `cargo leptos watch` reloads the page through a WebSocket on another port.
    let connect = if live_reload { " ws: wss:" } else { "" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'{connect}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page policy with this render's nonce on the response being rendered. Called from
/// the HTML shell, where Leptos has just made the nonce its inline scripts will carry.
pub fn provide_page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let live_reload = std::env::var_os("LEPTOS_WATCH").is_some();
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce, live_reload)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Adds the security headers to every response; pages keep the policy the shell set.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_POLICY));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Refuses cross-site requests that could change something (see the module note).
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if safe || is_same_origin(request.headers(), state.config.public_url.as_deref()) {
        return next.run(request).await;
    }
    tracing::warn!(
        method = %request.method(),
        path = request.uri().path(),
        origin = ?request.headers().get(header::ORIGIN),
        referer = ?request.headers().get(header::REFERER),
        "refused a cross-site request"
    );
    (
        StatusCode::FORBIDDEN,
        "Refused: this request came from another site.",
    )
        .into_response()
}

/// `scheme://host[:port]` of an absolute URL, lower-cased, default ports dropped.
fn origin_of(url: &str) -> Option<(String, String)> {
    let uri: Uri = url.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?;
    let host = authority.host().to_ascii_lowercase();
    let port = match (scheme.as_str(), authority.port_u16()) {
        ("http", Some(80)) | ("https", Some(443)) | (_, None) => String::new(),
        (_, Some(port)) => format!(":{port}"),
    };
    Some((scheme, format!("{host}{port}")))
}

/// Whether a state-changing request comes from this app's own pages (see the module note).
pub fn is_same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site") {
            return false;
        }
    }
    let claimed = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(origin), _) => origin,
        (None, Some(referer)) => referer,
        // Not a browser acting for a visitor (see the module note).
        (None, None) => return true,
    };
    // `Origin: null` (sandboxed frames, privacy redirects) or garbage: not ours.
    let Some((scheme, authority)) = origin_of(claimed) else {
        return false;
    };
    match public_url.and_then(origin_of) {
        Some(ours) => ours == (scheme, authority),
        // Without PUBLIC_URL, compare with the Host the browser addressed; the scheme is not
        // known behind a TLS-terminating proxy, so only host and port are compared.
        None => text(header::HOST).is_some_and(|host| {
            let host = host.trim().to_ascii_lowercase();
            let host = match scheme.as_str() {
                "http" => host.strip_suffix(":80").map(str::to_owned).unwrap_or(host),
                "https" => host.strip_suffix(":443").map(str::to_owned).unwrap_or(host),
                _ => host,
            };
            host == authority
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_apps_own_origin_is_accepted() {
        let own = headers(&[
            ("host", "shop.example:3000"),
            ("origin", "http://shop.example:3000"),
        ]);
        assert!(is_same_origin(&own, None));
        let by_referer = headers(&[
            ("host", "shop.example"),
            ("referer", "https://shop.example/buy?x=1"),
        ]);
        assert!(is_same_origin(&by_referer, None));
        let configured = headers(&[("origin", "https://Shop.Example")]);
        assert!(is_same_origin(&configured, Some("https://shop.example/")));
    }

    #[test]
    fn other_origins_are_refused() {
        for (name, value) in [
            ("origin", "https://evil.example"),
            ("origin", "null"),
            ("referer", "https://evil.example/shop.example"),
            ("origin", "http://shop.example.evil.example"),
        ] {
            let request = headers(&[("host", "shop.example"), (name, value)]);
            assert!(!is_same_origin(&request, None), "{name}: {value}");
        }
        let wrong_scheme = headers(&[("origin", "http://shop.example")]);
        assert!(!is_same_origin(&wrong_scheme, Some("https://shop.example")));
        let cross = headers(&[
            ("host", "shop.example"),
            ("origin", "http://shop.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(!is_same_origin(&cross, None));
    }

    #[test]
    fn scripts_without_origin_or_referer_are_not_browsers_and_pass() {
        assert!(is_same_origin(&headers(&[("host", "shop.example")]), None));
    }

    #[test]
    fn the_page_policy_lets_only_nonced_scripts_and_wasm_run() {
        let policy = page_policy("abc", false);
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline'; script"));
        assert!(!policy.contains("ws:"));
        assert!(page_policy("abc", true).contains("connect-src 'self' ws: wss:"));
    }
}
