//! Recording purchases and sales. The forms post text; this module turns it into a bill or into
//! messages next to the fields that need fixing.

use crate::domain::bill::{clean_name, BillKind, MAX_LINES, MAX_NAME_CHARS, MAX_UNIT_PRICE};
use crate::domain::money::MoneyError;
use crate::domain::stock::parse_quantity;
use crate::domain::Money;
use crate::error::{AppError, FieldError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One line of the purchase or sale form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineForm {
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub quantity: String,
    /// Unit cost (purchase) or unit price (sale).
    #[serde(default)]
    pub amount: String,
    /// Purchases: `YYYY-MM-DD`, or empty.
    #[serde(default)]
    pub expires_on: String,
}

impl LineForm {
    fn is_blank(&self) -> bool {
        [
            &self.product,
            &self.quantity,
            &self.amount,
            &self.expires_on,
        ]
        .iter()
        .all(|f| f.trim().is_empty())
    }
}

/// A line that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedLine {
    pub product: String,
    pub quantity: i64,
    pub amount: Money,
    pub expires_on: Option<String>,
}

/// The form field name of line `index`'s `part`, e.g. `lines[2][quantity]`.
pub fn line_field(index: usize, part: &str) -> String {
    format!("lines[{index}][{part}]")
}

/// Checks a bill's party and lines, collecting every problem. Blank lines are ignored.
pub fn parse_bill(
    kind: BillKind,
    party: &str,
    lines: &[LineForm],
) -> Result<(String, Vec<ParsedLine>), AppError> {
    let mut errors = Vec::new();
    let party = match clean_name(party) {
        None => {
            let who = if kind == BillKind::Purchase {
                "supplier"
            } else {
                "customer"
            };
            errors.push(FieldError::new(
                "party_name",
                format!("Enter the {who}'s name"),
            ));
            String::new()
        }
        Some(name) if name.chars().count() > MAX_NAME_CHARS => {
            errors.push(FieldError::new(
                "party_name",
                format!("Use at most {MAX_NAME_CHARS} characters"),
            ));
            String::new()
        }
        Some(name) => name,
    };
    let filled: Vec<(usize, &LineForm)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.is_blank())
        .collect();
    if filled.is_empty() {
        errors.push(FieldError::new(
            line_field(0, "product"),
            "Add at least one product",
        ));
    }
    if filled.len() > MAX_LINES {
        errors.push(FieldError::new(
            line_field(MAX_LINES, "product"),
            format!("A bill has at most {MAX_LINES} lines"),
        ));
    }
    let mut parsed = Vec::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (index, line) in filled.into_iter().take(MAX_LINES) {
        let mut ok = true;
        let mut fail = |part: &str, message: String| {
            errors.push(FieldError::new(line_field(index, part), message));
            ok = false;
        };
        let product = clean_name(&line.product).unwrap_or_default();
        if product.is_empty() {
            fail("product", "Enter a product".into());
        } else if product.chars().count() > MAX_NAME_CHARS {
            fail(
                "product",
                format!("Use at most {MAX_NAME_CHARS} characters"),
            );
        } else {
            let key = crate::domain::search::fold(&product);
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                fail(
                    "product",
                    format!(
                        "This product is already on line {}: change that line's quantity",
                        first + 1
                    ),
                );
            } else {
                seen.push((key, index));
            }
        }
        let quantity = parse_quantity(&line.quantity).unwrap_or_else(|e| {
            fail("quantity", e.to_string());
            0
        });
        let amount = match Money::parse(&line.amount) {
            Ok(m) if m.minor() > MAX_UNIT_PRICE => Err(MoneyError::TooLarge),
            other => other,
        }
        .unwrap_or_else(|e| {
            fail("amount", e.to_string());
            Money::ZERO
        });
        let expires_on = match (kind, line.expires_on.trim()) {
            (_, "") | (BillKind::Sale, _) => None,
            (BillKind::Purchase, text) => match parse_date(text) {
                Some(date) => Some(date),
                None => {
                    fail("expires_on", "Enter a date like 2026-12-31".into());
                    None
                }
            },
        };
        if ok {
            parsed.push(ParsedLine {
                product,
                quantity,
                amount,
                expires_on,
            });
        }
    }
    if errors.is_empty() {
        Ok((party, parsed))
    } else {
        Err(AppError::InvalidFields(errors))
    }
}

/// A calendar date `YYYY-MM-DD` between the years 2000 and 2199, normalised.
pub fn parse_date(text: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text.trim(), &format).ok()?;
    (2000..2200)
        .contains(&date.year())
        .then(|| date.format(&format).ok())
        .flatten()
}

/// Optional free text (phone, address): trimmed, bounded, `None` when empty.
#[cfg(feature = "ssr")]
fn optional_text(
    text: &str,
    field: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    let text = text.trim();
    if text.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("Use at most {max} characters"),
        ));
        return None;
    }
    (!text.is_empty()).then(|| text.to_owned())
}

/// A new one-time key for a recording form.
#[server(prefix = "/api", endpoint = "form-key")]
pub async fn new_form_key() -> Result<String, AppError> {
    super::context::require_user()?;
    Ok(crate::server::sessions::random_key())
}

/// Records a purchase; returns the bill's id. The browser is sent to the bill's page.
#[server(prefix = "/api", endpoint = "purchases")]
pub async fn record_purchase(
    #[server(default)] party_name: String,
    #[server(default)] party_phone: String,
    #[server(default)] party_address: String,
    #[server(default)] lines: Vec<LineForm>,
    #[server(default)] key: String,
) -> Result<i64, AppError> {
    record(
        BillKind::Purchase,
        party_name,
        party_phone,
        party_address,
        lines,
        key,
    )
    .await
}

/// Records a sale; returns the bill's id. The browser is sent to the bill's page.
#[server(prefix = "/api", endpoint = "sales")]
pub async fn record_sale(
    #[server(default)] party_name: String,
    #[server(default)] party_phone: String,
    #[server(default)] party_address: String,
    #[server(default)] lines: Vec<LineForm>,
    #[server(default)] key: String,
) -> Result<i64, AppError> {
    record(
        BillKind::Sale,
        party_name,
        party_phone,
        party_address,
        lines,
        key,
    )
    .await
}

/// Where a failed plain-form submit (JavaScript off) goes: back to the form page with everything
/// that was typed, plus the error in the `__path`/`__err` pair that `ServerAction` reads. (The
/// default, the bare `Referer`, would lose what was typed.)
#[cfg(feature = "ssr")]
fn back_to_form(kind: BillKind, fields: &[(String, String)], error: &AppError) {
    use leptos::server_fn::error::ServerFnUrlError;
    use leptos::server_fn::ServerFn;
    let plain_form_post = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if !plain_form_post {
        return;
    }
    let (page, path) = match kind {
        BillKind::Purchase => ("/buy", RecordPurchase::PATH),
        BillKind::Sale => ("/sell", RecordSale::PATH),
    };
    let query: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                crate::domain::search::urlencode(k),
                crate::domain::search::urlencode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    if let Ok(url) =
        ServerFnUrlError::new(path, error.clone()).to_url(&format!("http://form{page}?{query}"))
    {
        leptos_axum::redirect(&format!(
            "{}?{}",
            url.path(),
            url.query().unwrap_or_default()
        ));
    }
}

/// The submitted form as query pairs, to refill it.
#[cfg(feature = "ssr")]
fn form_fields(
    party_name: &str,
    party_phone: &str,
    party_address: &str,
    lines: &[LineForm],
) -> Vec<(String, String)> {
    let mut fields = vec![
        ("party_name".to_owned(), party_name.to_owned()),
        ("party_phone".to_owned(), party_phone.to_owned()),
        ("party_address".to_owned(), party_address.to_owned()),
        ("rows".to_owned(), lines.len().to_string()),
    ];
    for (i, line) in lines.iter().enumerate() {
        for (part, value) in [
            ("product", &line.product),
            ("quantity", &line.quantity),
            ("amount", &line.amount),
            ("expires_on", &line.expires_on),
        ] {
            if !value.is_empty() {
                fields.push((line_field(i, part), value.chars().take(500).collect()));
            }
        }
    }
    fields
}

#[cfg(feature = "ssr")]
async fn record(
    kind: BillKind,
    party_name: String,
    party_phone: String,
    party_address: String,
    lines: Vec<LineForm>,
    key: String,
) -> Result<i64, AppError> {
    let fields = form_fields(&party_name, &party_phone, &party_address, &lines);
    let result = record_checked(kind, party_name, party_phone, party_address, lines, key).await;
    if let Err(error) = &result {
        back_to_form(kind, &fields, error);
    }
    result
}

#[cfg(feature = "ssr")]
async fn record_checked(
    kind: BillKind,
    party_name: String,
    party_phone: String,
    party_address: String,
    lines: Vec<LineForm>,
    key: String,
) -> Result<i64, AppError> {
    use crate::server::storage::stock::{self, BillInput, LineInput, RecordError};
    let user = super::context::require_user()?;
    let state = super::context::state()?;
    let (party, parsed) = parse_bill(kind, &party_name, &lines)?;
    let mut errors = Vec::new();
    let party_phone = optional_text(&party_phone, "party_phone", 40, &mut errors);
    let party_address = optional_text(&party_address, "party_address", 300, &mut errors);
    let key = key.trim();
    if key.len() < 16
        || key.len() > 100
        || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.push(FieldError::new(
            "key",
            "This form has expired: reload the page and submit again",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors));
    }
    // Which form line each parsed line came from, for messages next to the right field.
    let form_index: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.is_blank())
        .map(|(i, _)| i)
        .collect();
    let bill = BillInput {
        kind,
        party_name: party,
        party_phone,
        party_address,
        lines: parsed
            .into_iter()
            .map(|l| LineInput {
                product: l.product,
                quantity: l.quantity,
                unit_amount: l.amount,
                expires_on: l.expires_on,
            })
            .collect(),
        tax_rate_bp: state.config.tax_rate_bp,
        user_id: user.id,
        key: format!("{}:{key}", kind.as_str()),
        now: super::context::now(),
    };
    let at = |line: usize| form_index.get(line).copied().unwrap_or(line);
    match stock::record(&state.db, &bill).await {
        Ok(recorded) => {
            let id = recorded.bill_id();
            tracing::info!(
                bill_id = id,
                kind = kind.as_str(),
                user_id = user.id,
                replay = matches!(recorded, stock::Recorded::Replayed(_)),
                "bill recorded"
            );
            leptos_axum::redirect(&format!("/bills/{id}"));
            Ok(id)
        }
        Err(RecordError::NotEnoughStock {
            line,
            product,
            available,
            unit,
        }) => Err(AppError::Conflict {
            field: line_field(at(line), "quantity"),
            message: format!("Not enough stock of {product}: {available} {unit} available"),
        }),
        Err(RecordError::UnknownProduct { line, name }) => Err(AppError::Invalid {
            field: line_field(at(line), "product"),
            message: format!("There is no product named {name}"),
        }),
        Err(RecordError::ForeignKey) => Err(AppError::Conflict {
            field: "key".into(),
            message: "This form belongs to another session: reload the page".into(),
        }),
        Err(RecordError::InFlight) => Err(AppError::Conflict {
            field: "key".into(),
            message: "This bill is still being recorded: wait a moment and reload".into(),
        }),
        Err(RecordError::TooLarge) => Err(AppError::invalid(
            "lines[0][amount]",
            "The bill's total is too large",
        )),
        Err(RecordError::Storage(error)) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(product: &str, quantity: &str, amount: &str, expires_on: &str) -> LineForm {
        LineForm {
            product: product.into(),
            quantity: quantity.into(),
            amount: amount.into(),
            expires_on: expires_on.into(),
        }
    }

    #[test]
    fn a_good_purchase_parses_and_blank_lines_are_ignored() {
        let lines = [
            line("Rice", "10", "45.50", "2026-12-01"),
            LineForm::default(),
            line(" Dal ", "2", "100", ""),
        ];
        let (party, parsed) = parse_bill(BillKind::Purchase, " Ravi  Traders ", &lines).unwrap();
        assert_eq!(party, "Ravi Traders");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].amount, Money::from_minor(4_550));
        assert_eq!(parsed[0].expires_on.as_deref(), Some("2026-12-01"));
        assert_eq!(parsed[1].product, "Dal");
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let lines = [
            line("", "0", "-1", "2026-13-45"),
            line("Rice", "1.5", "abc", ""),
            line("RICE", "99999999999", "100000000000", ""),
            line(&"x".repeat(10_000), "1", "1", ""),
        ];
        let err = parse_bill(BillKind::Purchase, "", &lines).unwrap_err();
        for field in [
            "party_name",
            "lines[0][product]",
            "lines[0][quantity]",
            "lines[0][amount]",
            "lines[0][expires_on]",
            "lines[1][quantity]",
            "lines[1][amount]",
            "lines[2][product]",
            "lines[2][quantity]",
            "lines[2][amount]",
            "lines[3][product]",
        ] {
            assert!(
                err.for_field(field).is_some(),
                "no message for {field}: {err:?}"
            );
        }
        assert!(err
            .for_field("lines[2][product]")
            .unwrap()
            .contains("already on line 2"));
    }

    #[test]
    fn an_empty_bill_asks_for_a_product() {
        let err = parse_bill(BillKind::Sale, "Asha", &[LineForm::default()]).unwrap_err();
        assert_eq!(
            err.for_field("lines[0][product]").as_deref(),
            Some("Add at least one product")
        );
    }

    #[test]
    fn dates_must_be_real_calendar_days() {
        assert_eq!(parse_date("2026-02-28").as_deref(), Some("2026-02-28"));
        for bad in [
            "2026-02-30",
            "26-02-01",
            "2026/02/01",
            "1999-12-31",
            "tomorrow",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
