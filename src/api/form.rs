//! The one form responder. Every recording form is a plain HTML form that works without
//! JavaScript; when its server function refuses it, the browser is sent back to the form's page
//! with everything that was typed (the form's own struct, written into the query string) and
//! the error in the `__path`/`__err` pair that `ServerAction` reads. The page reads the same
//! struct back with [`typed`]. (The default, the bare `Referer`, would lose what was typed.)

use leptos::prelude::GetUntracked as _;
use serde::de::DeserializeOwned;
#[cfg(feature = "ssr")]
use serde::Serialize;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// Whether this request is a plain HTML form post (a browser without JavaScript), which must be
/// answered with a page to go to rather than with JSON.
#[cfg(feature = "ssr")]
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .is_some_and(|parts| accepts_html(&parts.headers))
}

/// Whether a request's `Accept` asks for a page.
#[cfg(feature = "ssr")]
pub fn accepts_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// `back` (a local path, with or without a query) with the error of the server function at
/// `fn_path` added, as a local address to redirect to.
#[cfg(feature = "ssr")]
pub fn error_url(back: &str, fn_path: &str, error: &AppError) -> Option<String> {
    use leptos::server_fn::error::ServerFnUrlError;
    let url = ServerFnUrlError::new(fn_path, error.clone())
        .to_url(&format!("http://form{back}"))
        .ok()?;
    Some(format!(
        "{}?{}",
        url.path(),
        url.query().unwrap_or_default()
    ))
}

/// For a plain form post that `error` refused: back to `page` with `typed` in the query and
/// the error beside it. Does nothing for script callers, which get the error as JSON.
#[cfg(feature = "ssr")]
pub fn back_to_form(page: &str, fn_path: &str, typed: &impl Serialize, error: &AppError) {
    if !is_plain_form_post() {
        return;
    }
    let query = serde_qs::to_string(typed).unwrap_or_default();
    if let Some(url) = error_url(&format!("{page}?{query}"), fn_path, error) {
        leptos_axum::redirect(&url);
    }
}

/// A new one-time key for a form the server renders (pages render on the server only; the
/// browser half never calls this).
pub fn fresh_key() -> String {
    #[cfg(feature = "ssr")]
    return crate::server::sessions::random_key();
    #[cfg(not(feature = "ssr"))]
    String::new()
}

/// What this page's address says was typed: the form's struct read from the query string (the
/// refill after a refused submit, or a GET form such as `Add line`). Anything unreadable is the
/// empty form.
pub fn typed<T: DeserializeOwned + Default>() -> T {
    let search = leptos_router::hooks::use_location().search.get_untracked();
    from_query(&search)
}

/// A form's struct from a query string (`a=1&lines[0][product]=Tea`; brackets may be
/// percent-encoded, as browsers send them).
pub fn from_query<T: DeserializeOwned + Default>(query: &str) -> T {
    serde_qs::Config::new(5, false)
        .deserialize_str(query.trim_start_matches('?'))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bill_form::{BillForm, LineForm};

    #[test]
    fn a_form_survives_the_trip_through_the_address_bar() {
        let form = BillForm {
            party_name: "Asha & Sons = ₹".into(),
            lines: vec![
                LineForm {
                    product: "चाय, 250g [loose]".into(),
                    quantity: "2".into(),
                    ..LineForm::default()
                },
                LineForm::default(),
                LineForm {
                    amount: "10.50".into(),
                    ..LineForm::default()
                },
            ],
            rows: Some("3".into()),
            ..BillForm::default()
        };
        let query = serde_qs::to_string(&form).unwrap();
        assert_eq!(from_query::<BillForm>(&query), form, "{query}");
    }

    #[test]
    fn a_browser_get_with_encoded_brackets_reads_the_same() {
        let query = "party_name=Ravi&lines%5B0%5D%5Bproduct%5D=Tea&lines%5B1%5D%5Bproduct%5D=&rows=4&key=abc";
        let form: BillForm = from_query(query);
        assert_eq!(form.party_name, "Ravi");
        assert_eq!(form.lines.len(), 2);
        assert_eq!(form.lines[0].product, "Tea");
        assert_eq!(form.rows(), Some(4));
        assert_eq!(
            from_query::<BillForm>("rows=lots&party_name=A").rows(),
            None
        );
    }
}
