//! Returns: the `/bills/{id}/return` form (a `Return quantity` per line of the original bill, a
//! `Reason`) and what each line may still give back. A sale return brings units back from a
//! customer; a purchase return sends them back to the supplier (PRODUCT.md, "Returns").

use super::correction::{return_quantity, MAX_REASON_CHARS};
use super::measure::Typed;
use super::text::{optional_note, FormKey};
use super::Measure;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// One line of the return form, as typed. `line` is the original bill line's id (a hidden
/// field), so the form means the same lines however the bill is shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReturnLineForm {
    pub line: String,
    pub quantity: String,
}

/// The return form as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReturnForm {
    pub lines: Vec<ReturnLineForm>,
    pub reason: String,
    #[serde(skip_serializing)]
    pub key: String,
}

/// One line to give back: `quantity` of the original bill line `line_id`, as typed (kg for
/// loose goods kept in grams; the recorder turns it into the product's units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReturnLine {
    /// Where the line stands in the form: `lines[index][quantity]`.
    pub index: usize,
    pub line_id: i64,
    pub quantity: Typed,
}

/// A checked return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnDraft {
    pub lines: Vec<ReturnLine>,
    pub reason: String,
    pub key: FormKey,
}

/// The field of line `index`'s return quantity.
pub fn quantity_field(index: usize) -> String {
    format!("lines[{index}][quantity]")
}

impl ReturnForm {
    /// Checks every field, collecting every problem; lines left at 0 or empty are not returned,
    /// and at least one must be.
    pub fn parse(&self) -> Result<ReturnDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut lines = Vec::new();
        for (index, line) in self.lines.iter().enumerate() {
            let Ok(line_id) = line.line.trim().parse::<i64>() else {
                errors.push(FieldError::new(
                    quantity_field(index),
                    "This line is not on the bill: reload the page",
                ));
                continue;
            };
            match return_quantity(&line.quantity) {
                Ok(None) => {}
                Ok(Some(quantity)) => lines.push(ReturnLine {
                    index,
                    line_id,
                    quantity,
                }),
                Err(e) => errors.push(FieldError::new(quantity_field(index), e)),
            }
        }
        if lines.is_empty() && errors.is_empty() {
            errors.push(FieldError::new(
                quantity_field(0),
                "Enter how many come back on at least one line",
            ));
        }
        let reason = match optional_note(&self.reason, MAX_REASON_CHARS) {
            Ok(Some(reason)) => Some(reason),
            Ok(None) => {
                errors.push(FieldError::new(
                    "reason",
                    "Say why, e.g. Damaged or Wrong item",
                ));
                None
            }
            Err(e) => {
                errors.push(FieldError::new("reason", e));
                None
            }
        };
        let key = FormKey::parse(&self.key)
            .map_err(|e| errors.push(FieldError::new("key", e)))
            .ok();
        match (reason, key) {
            (Some(reason), Some(key)) if errors.is_empty() => {
                Ok(ReturnDraft { lines, reason, key })
            }
            _ => Err(errors),
        }
    }
}

/// A line of an original bill as the return page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnableLine {
    pub line_id: i64,
    pub product_id: i64,
    pub product: String,
    pub unit: String,
    /// Sold loose: with `unit`, how its quantities read ([`ReturnableLine::measure`]).
    #[serde(default)]
    pub loose: bool,
    /// Sold or bought on the original bill.
    pub quantity: i64,
    /// Given back by earlier returns.
    pub returned: i64,
    /// What this line may still give back: sold minus returned (sales); what is left of the
    /// lot the purchase made, at most bought minus returned (purchases).
    pub returnable: i64,
}

impl ReturnableLine {
    /// How the line's quantities read and are typed.
    pub fn measure(&self) -> Measure {
        Measure::new(self.unit.clone(), self.loose)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, quantity: &str) -> ReturnLineForm {
        ReturnLineForm {
            line: id.into(),
            quantity: quantity.into(),
        }
    }

    #[test]
    fn only_lines_with_a_quantity_come_back() {
        let form = ReturnForm {
            lines: vec![line("11", ""), line("12", "2"), line("13", "0")],
            reason: "Damaged".into(),
            key: "0123456789abcdef".into(),
        };
        let draft = form.parse().unwrap();
        assert_eq!(
            draft.lines,
            [ReturnLine {
                index: 1,
                line_id: 12,
                quantity: Typed::whole(2)
            }]
        );
    }

    #[test]
    fn a_return_needs_a_line_a_reason_and_sane_numbers() {
        let nothing = ReturnForm {
            lines: vec![line("11", "")],
            reason: String::new(),
            key: "0123456789abcdef".into(),
        };
        let fields: Vec<String> = nothing
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["lines[0][quantity]", "reason"]);
        let junk = ReturnForm {
            lines: vec![line("x", "1"), line("12", "-1"), line("13", "1.2345")],
            reason: "Damaged".into(),
            key: "short".into(),
        };
        let fields: Vec<String> = junk
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "lines[0][quantity]",
                "lines[1][quantity]",
                "lines[2][quantity]",
                "key"
            ]
        );
    }
}
