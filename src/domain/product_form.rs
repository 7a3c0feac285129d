//! The product form on `/inventory/{id}`: what it posts ([`ProductForm`]) and
//! [`ProductForm::parse`], which gives a [`ProductDraft`] of typed values or every problem at
//! once.

use super::bill::MAX_UNIT_PRICE;
use super::money::MoneyError;
use super::product::{parse_sku, parse_unit, Product};
use super::tax::{parse_rate, parse_tax_code, percent};
use super::text::Name;
use super::{Measure, Money};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The highest stock limit accepted.
pub const MAX_LIMIT: i64 = 1_000_000_000;

/// The product form as posted. `sku` and `unit` are `None` when the form did not send them (an
/// older form, a direct call): the product keeps what it has.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub selling_price: String,
    #[serde(default)]
    pub lower_limit: String,
    #[serde(default)]
    pub upper_limit: String,
    /// A checkbox: present (`on`) when ticked.
    #[serde(default)]
    pub loose: Option<String>,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    /// A percentage; empty: the shop's rate.
    #[serde(default)]
    pub tax_rate: Option<String>,
    #[serde(default)]
    pub tax_code: Option<String>,
}

/// A product form that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductDraft {
    pub name: Name,
    pub selling_price: Money,
    pub lower_limit: Option<i64>,
    pub upper_limit: Option<i64>,
    pub loose: bool,
    /// `None`: keep the product's SKU; `Some(None)`: remove it.
    pub sku: Option<Option<String>>,
    /// `None`: keep the product's unit.
    pub unit: Option<String>,
    /// `None`: keep; `Some(None)`: the shop's rate.
    pub tax_rate_bp: Option<Option<u32>>,
    /// `None`: keep; `Some(None)`: no code.
    pub tax_code: Option<Option<String>>,
}

/// An optional stock limit in the product's measure (kg for loose goods kept in grams): empty
/// is none, otherwise a quantity from 0.
pub fn parse_limit(text: &str, measure: &Measure) -> Result<Option<i64>, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match measure.parse_count(text, MAX_LIMIT) {
        Ok(n) => Ok(Some(n)),
        Err(_) if measure.has_decimals() => {
            Err("Enter a quantity from 0 with up to three decimals, or leave it empty")
        }
        Err(_) => Err("Enter a whole number from 0, or leave it empty"),
    }
}

impl ProductForm {
    /// The form filled with what a product has now.
    pub fn of(product: &Product) -> Self {
        let measure = product.measure();
        let limit = |l: Option<i64>| l.map(|l| measure.number(l)).unwrap_or_default();
        Self {
            name: product.name.clone(),
            // Not set: an empty field (with a `Not set` placeholder), never `0.00`.
            selling_price: product
                .listed_price()
                .map(Money::to_plain)
                .unwrap_or_default(),
            lower_limit: limit(product.lower_limit),
            upper_limit: limit(product.upper_limit),
            loose: product.loose.then(|| "on".to_owned()),
            sku: Some(product.sku.clone().unwrap_or_default()),
            unit: Some(product.unit.clone()),
            tax_rate: Some(product.tax_rate_bp.map(percent).unwrap_or_default()),
            tax_code: Some(product.tax_code.clone().unwrap_or_default()),
        }
    }

    /// Checks every field, collecting every problem. Limits are read in the measure the
    /// product will have: the form's unit (or `pcs` when it sends none) and its `Loose` box.
    pub fn parse(&self) -> Result<ProductDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let loose = self
            .loose
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "false");
        let name = Name::parse(&self.name)
            .map_err(|e| errors.push(FieldError::new("name", e.message("Enter a name"))))
            .ok();
        // An empty price leaves it not set (zero, see `Product::listed_price`).
        let selling_price = match Money::parse(&self.selling_price) {
            Err(MoneyError::Empty) => Money::ZERO,
            Ok(p) if p.minor() <= MAX_UNIT_PRICE => p,
            Ok(_) => {
                errors.push(FieldError::new("selling_price", "The amount is too large"));
                Money::ZERO
            }
            Err(e) => {
                errors.push(FieldError::new("selling_price", e));
                Money::ZERO
            }
        };
        let sku = self.sku.as_deref().map(|s| {
            parse_sku(s)
                .map_err(|e| errors.push(FieldError::new("sku", e)))
                .unwrap_or_default()
        });
        let unit = self.unit.as_deref().and_then(|u| {
            parse_unit(u)
                .map_err(|e| errors.push(FieldError::new("unit", e)))
                .ok()
        });
        let tax_rate_bp = self.tax_rate.as_deref().map(|t| match t.trim() {
            "" => None,
            text => parse_rate(text)
                .map_err(|e| errors.push(FieldError::new("tax_rate", e)))
                .ok(),
        });
        let tax_code = self.tax_code.as_deref().map(|t| {
            parse_tax_code(t)
                .map_err(|e| errors.push(FieldError::new("tax_code", e)))
                .unwrap_or_default()
        });
        let measure = Measure::new(unit.as_deref().unwrap_or("pcs"), loose);
        let mut limit = |field: &str, text: &str| {
            parse_limit(text, &measure)
                .map_err(|e| errors.push(FieldError::new(field, e)))
                .unwrap_or_default()
        };
        let lower_limit = limit("lower_limit", &self.lower_limit);
        let upper_limit = limit("upper_limit", &self.upper_limit);
        if let (Some(l), Some(u)) = (lower_limit, upper_limit) {
            if u < l {
                errors.push(FieldError::new(
                    "upper_limit",
                    "The upper limit cannot be below the lower limit",
                ));
            }
        }
        match name {
            Some(name) if errors.is_empty() => Ok(ProductDraft {
                name,
                selling_price,
                lower_limit,
                upper_limit,
                loose,
                sku,
                unit,
                tax_rate_bp,
                tax_code,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ProductForm {
        ProductForm {
            name: " Basmati  Rice ".into(),
            selling_price: "649".into(),
            lower_limit: "5".into(),
            upper_limit: "".into(),
            loose: Some("on".into()),
            sku: Some(" 8901 ".into()),
            unit: None,
            tax_rate: Some("5".into()),
            tax_code: Some("0401".into()),
        }
    }

    #[test]
    fn a_complete_form_becomes_a_draft() {
        let draft = form().parse().unwrap();
        assert_eq!(draft.name.as_str(), "Basmati Rice");
        assert_eq!(draft.selling_price, Money::from_minor(64_900));
        assert_eq!((draft.lower_limit, draft.upper_limit), (Some(5), None));
        assert!(draft.loose);
        assert_eq!(draft.sku, Some(Some("8901".into())));
        assert_eq!(draft.unit, None, "an absent unit keeps the product's");
        assert_eq!(draft.tax_rate_bp, Some(Some(500)));
        assert_eq!(draft.tax_code, Some(Some("0401".into())));
        let cleared = ProductForm {
            sku: Some(String::new()),
            loose: None,
            ..form()
        }
        .parse()
        .unwrap();
        assert_eq!((cleared.sku, cleared.loose), (Some(None), false));
    }

    #[test]
    fn an_empty_selling_price_leaves_it_not_set_and_shows_empty() {
        let draft = ProductForm {
            selling_price: "  ".into(),
            ..form()
        }
        .parse()
        .unwrap();
        assert_eq!(draft.selling_price, Money::ZERO);
        let product = Product {
            id: 1,
            name: "Loose Rice".into(),
            sku: None,
            unit: "g".into(),
            loose: true,
            quantity: 0,
            average_cost: None,
            selling_price: Money::ZERO,
            lower_limit: None,
            upper_limit: None,
            tax_rate_bp: None,
            tax_code: None,
        };
        assert_eq!(ProductForm::of(&product).selling_price, "");
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let bad = ProductForm {
            name: " ".into(),
            selling_price: "12.345".into(),
            lower_limit: "10".into(),
            upper_limit: "2".into(),
            loose: None,
            sku: Some("a b".into()),
            unit: Some("5kg".into()),
            tax_rate: Some("101".into()),
            tax_code: Some("<b>".into()),
        };
        let fields: Vec<String> = bad
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "selling_price",
                "sku",
                "unit",
                "tax_rate",
                "tax_code",
                "upper_limit"
            ]
        );
        let pcs = Measure::pieces();
        assert!(parse_limit("-1", &pcs).is_err());
        assert!(parse_limit("1000000001", &pcs).is_err());
        assert!(parse_limit("2.5", &pcs).is_err());
        assert_eq!(parse_limit(" ", &pcs), Ok(None));
        // Loose goods kept in grams have their limits in kg.
        assert_eq!(
            parse_limit("2.5", &Measure::new("g", true)),
            Ok(Some(2_500))
        );
    }
}
