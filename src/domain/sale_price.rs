//! Selling a product whose price is not set: a sale line left without a `Unit price` is
//! refused (the bill form says so for any blank amount); when the line's product has no selling
//! price yet the message says that, so the shopkeeper sets it (the form links to the product)
//! or types the price for this sale.

use super::bill_form::{line_field, BillForm};
use super::search::fold;
use super::Product;
use crate::error::FieldError;

/// What a sale line without a price says when `name` has no selling price yet.
pub fn no_price_message(name: &str) -> String {
    format!("{name} has no selling price yet: set it on its page, or type the price here")
}

/// Rewrites the `Unit price` errors of `form`'s lines that were left blank and name a product of
/// `products` without a selling price, so they say what is missing.
pub fn explain_unpriced(form: &BillForm, products: &[Product], errors: &mut [FieldError]) {
    for (index, line) in form.lines.iter().enumerate() {
        if !line.amount.trim().is_empty() || line.product.trim().is_empty() {
            continue;
        }
        let typed = fold(&line.product);
        let unpriced = products.iter().find(|p| {
            (fold(&p.name) == typed || p.sku.as_deref() == Some(line.product.trim()))
                && p.listed_price().is_none()
        });
        let Some(product) = unpriced else { continue };
        let field = line_field(index, "amount");
        for error in errors.iter_mut().filter(|e| e.field == field) {
            error.message = no_price_message(&product.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bill::BillKind;
    use crate::domain::bill_form::LineForm;
    use crate::domain::Money;

    fn product(name: &str, price: i64) -> Product {
        Product {
            id: 7,
            name: name.into(),
            sku: Some("8901".into()),
            unit: "pcs".into(),
            loose: false,
            quantity: 5,
            average_cost: None,
            selling_price: Money::from_minor(price),
            lower_limit: None,
            upper_limit: None,
            tax_rate_bp: None,
            tax_code: None,
        }
    }

    fn sale(lines: &[(&str, &str)]) -> BillForm {
        BillForm {
            party_name: "Walk-in".into(),
            key: "k".repeat(32),
            lines: lines
                .iter()
                .map(|(product, amount)| LineForm {
                    product: (*product).into(),
                    quantity: "1".into(),
                    amount: (*amount).into(),
                    expires_on: String::new(),
                })
                .collect(),
            ..BillForm::default()
        }
    }

    #[test]
    fn a_blank_price_on_a_product_without_one_says_so() {
        let form = sale(&[("new tea", ""), ("Sugar", "")]);
        let mut errors = form.parse(BillKind::Sale).unwrap_err();
        let products = [product("New Tea", 0), product("Sugar", 4_500)];
        explain_unpriced(&form, &products, &mut errors);
        let message = |field: &str| {
            errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
                .unwrap()
        };
        assert_eq!(message("lines[0][amount]"), no_price_message("New Tea"));
        assert_ne!(
            message("lines[1][amount]"),
            no_price_message("Sugar"),
            "a priced product keeps the usual message"
        );
    }

    #[test]
    fn a_typed_price_sells_a_product_without_one() {
        let form = sale(&[("New Tea", "12.00")]);
        assert!(form.parse(BillKind::Sale).is_ok());
    }
}
