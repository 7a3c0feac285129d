//! The purchase and sale form: what it posts ([`BillForm`], also what a page is refilled from
//! after a refused submit or `Add line`), and [`BillForm::parse`], which turns it into a
//! [`BillDraft`] of typed values or every field's problem at once. Each draft line keeps its
//! form index, so storage's answers ("not enough stock on line 3") land next to the right field.

use super::bill::{BillKind, MAX_LINES, MAX_UNIT_PRICE};
use super::calendar::Day;
use super::measure::Typed;
use super::money::MoneyError;
use super::search;
use super::text::{optional_note, FormKey, Name};
use super::Money;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The longest phone number kept.
pub const MAX_PHONE_CHARS: usize = 40;
/// The longest address kept.
pub const MAX_ADDRESS_CHARS: usize = 300;
/// How much of each typed value a refilled form carries back (the address bar is not a store).
const REFILL_CHARS: usize = 500;

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
    /// Whether nothing was typed in this line (such lines are ignored).
    pub fn is_blank(&self) -> bool {
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

/// The whole form as posted (field names as in PRODUCT.md's forms: `party_name`,
/// `lines[0][product]`, …). `rows` is how many lines the form shows; it is not posted by the
/// submit button, only by `Add line` and by a refill.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillForm {
    #[serde(default)]
    pub party_name: String,
    #[serde(default)]
    pub party_phone: String,
    #[serde(default)]
    pub party_address: String,
    #[serde(default)]
    pub lines: Vec<LineForm>,
    #[serde(default, skip_serializing)]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<String>,
    /// A code typed or scanned into `Barcode` without JavaScript: the page adds its product.
    #[serde(default, skip_serializing)]
    pub barcode: String,
    /// A line's `Remove` without JavaScript: the page drops that line.
    #[serde(default, skip_serializing)]
    pub remove: Option<String>,
    /// Rows ticked on `/reorder` (its `Create purchase`): the page makes them lines (see
    /// [`BillForm::take_order`]).
    #[serde(default, skip_serializing)]
    pub order: Vec<super::reorder::OrderPick>,
}

/// The form field name of line `index`'s `part`, e.g. `lines[2][quantity]`.
pub fn line_field(index: usize, part: &str) -> String {
    format!("lines[{index}][{part}]")
}

/// The party a bill names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    pub name: Name,
    pub phone: Option<String>,
    pub address: Option<String>,
}

impl Party {
    /// Checks a party's typed name, phone and address, whose form fields are called `fields`
    /// (name, phone, address); every problem goes into `errors`, an empty name as `missing`.
    /// The bill form and the party form of `/parties/{id}` both check through here.
    pub fn parse(
        typed: [&str; 3],
        fields: [&str; 3],
        missing: &str,
        errors: &mut Vec<FieldError>,
    ) -> Option<Party> {
        let [name, phone, address] = typed;
        let [name_field, phone_field, address_field] = fields;
        let before = errors.len();
        let name = Name::parse(name)
            .map_err(|e| errors.push(FieldError::new(name_field, e.message(missing))))
            .ok();
        let mut note = |field: &str, text: &str, max: usize| {
            optional_note(text, max)
                .map_err(|e| errors.push(FieldError::new(field, e)))
                .ok()
                .flatten()
        };
        let phone = note(phone_field, phone, MAX_PHONE_CHARS);
        let address = note(address_field, address, MAX_ADDRESS_CHARS);
        match name {
            Some(name) if errors.len() == before => Some(Party {
                name,
                phone,
                address,
            }),
            _ => None,
        }
    }
}

/// The typed quantity with one more unit (`2` → `3`, `1.5` → `2.5`); `1` when nothing sensible
/// was typed.
pub fn one_more(typed: &str) -> String {
    let before = Typed::parse(typed).map_or(0, Typed::thousandths);
    Typed::whole(1).plus(before).to_text()
}

/// One checked line of a bill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Where the line stands in the form (blank lines count): `lines[index][…]`.
    pub index: usize,
    /// The product's name as typed (a purchase of an unknown name creates it).
    pub product: Name,
    /// As typed, up to three decimals: the recorder turns it into the product's own units
    /// ([`Measure::units`](super::Measure::units): kg for loose goods kept in grams, whole
    /// numbers for the rest), once it knows the product.
    pub quantity: Typed,
    /// Unit cost for purchases, unit price for sales (per kg for loose goods).
    pub unit_amount: Money,
    /// Purchases only.
    pub expires_on: Option<Day>,
}

/// A bill form that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillDraft {
    pub kind: BillKind,
    pub party: Party,
    pub lines: Vec<Line>,
    pub key: FormKey,
}

impl BillForm {
    /// Checks the party, every filled line (blank ones are ignored) and the form's key,
    /// collecting every problem.
    pub fn parse(&self, kind: BillKind) -> Result<BillDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let who = if kind == BillKind::Purchase {
            "Enter the supplier's name"
        } else {
            "Enter the customer's name"
        };
        let party = Party::parse(
            [&self.party_name, &self.party_phone, &self.party_address],
            ["party_name", "party_phone", "party_address"],
            who,
            &mut errors,
        );
        let lines = self.parse_lines(kind, &mut errors);
        let key = FormKey::parse(&self.key)
            .map_err(|e| errors.push(FieldError::new("key", e)))
            .ok();
        match (party, key) {
            (Some(party), Some(key)) if errors.is_empty() => Ok(BillDraft {
                kind,
                party,
                lines,
                key,
            }),
            _ => Err(errors),
        }
    }

    fn parse_lines(&self, kind: BillKind, errors: &mut Vec<FieldError>) -> Vec<Line> {
        let filled: Vec<(usize, &LineForm)> = self
            .lines
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
            let before = errors.len();
            let mut fail = |part: &str, message: String| {
                errors.push(FieldError::new(line_field(index, part), message));
            };
            let product = match Name::parse(&line.product) {
                Err(e) => {
                    fail("product", e.message("Enter a product"));
                    None
                }
                Ok(name) => match seen.iter().find(|(k, _)| *k == name.key()) {
                    Some((_, first)) => {
                        fail(
                            "product",
                            format!(
                                "This product is already on line {}: change that line's quantity",
                                first + 1
                            ),
                        );
                        None
                    }
                    None => {
                        seen.push((name.key(), index));
                        Some(name)
                    }
                },
            };
            let quantity = Typed::parse(&line.quantity)
                .map_err(|e| fail("quantity", e.to_string()))
                .ok();
            let amount = match Money::parse(&line.amount) {
                Ok(m) if m.minor() > MAX_UNIT_PRICE => Err(MoneyError::TooLarge),
                other => other,
            }
            .map_err(|e| fail("amount", e.to_string()))
            .ok();
            let expires_on = match line.expires_on.trim() {
                text if kind == BillKind::Purchase && !text.is_empty() => Day::parse(text)
                    .map_err(|e| fail("expires_on", e.to_string()))
                    .ok(),
                _ => None,
            };
            if let (Some(product), Some(quantity), Some(unit_amount), true) =
                (product, quantity, amount, errors.len() == before)
            {
                parsed.push(Line {
                    index,
                    product,
                    quantity,
                    unit_amount,
                    expires_on,
                });
            }
        }
        parsed
    }

    /// The form as it goes back into the address bar to be refilled: every value cut to a sane
    /// length, and how many lines it had.
    pub fn for_refill(&self) -> Self {
        let cut = |text: &String| text.chars().take(REFILL_CHARS).collect::<String>();
        Self {
            party_name: cut(&self.party_name),
            party_phone: cut(&self.party_phone),
            party_address: cut(&self.party_address),
            lines: self
                .lines
                .iter()
                .map(|l| LineForm {
                    product: cut(&l.product),
                    quantity: cut(&l.quantity),
                    amount: cut(&l.amount),
                    expires_on: cut(&l.expires_on),
                })
                .collect(),
            key: String::new(),
            rows: Some(self.lines.len().to_string()),
            barcode: String::new(),
            remove: None,
            order: Vec::new(),
        }
    }

    /// How many lines the form asked to show, if it said (kept as text so that junk in the
    /// address bar costs only this, not everything typed).
    pub fn rows(&self) -> Option<usize> {
        self.rows.as_deref().and_then(|n| n.trim().parse().ok())
    }

    /// Adds one of the product named `name` (a scan): one more on the line that already names
    /// it (by name, or by the code that was scanned), else on the first empty line with `amount`
    /// as its price, else on a new line.
    pub fn add_one(&mut self, name: &str, code: &str, amount: &str) {
        let same = |typed: &str| {
            search::fold(typed) == search::fold(name) || (!code.is_empty() && typed.trim() == code)
        };
        if let Some(line) = self.lines.iter_mut().find(|l| same(&l.product)) {
            line.quantity = one_more(&line.quantity);
            if line.amount.trim().is_empty() {
                line.amount = amount.to_owned();
            }
            return;
        }
        let fresh = LineForm {
            product: name.to_owned(),
            quantity: "1".into(),
            amount: amount.to_owned(),
            expires_on: String::new(),
        };
        if let Some(blank) = self.lines.iter().position(LineForm::is_blank) {
            self.lines[blank] = fresh;
        } else if self.lines.len() < MAX_LINES {
            self.lines.push(fresh);
        }
    }

    /// Drops line `index` (a `Remove` without JavaScript).
    pub fn remove_line(&mut self, index: usize) {
        if index < self.lines.len() {
            self.lines.remove(index);
        }
    }

    /// What was typed into line `index`'s `part` (empty when nothing).
    pub fn typed(&self, index: usize, part: &str) -> &str {
        self.lines.get(index).map_or("", |l| match part {
            "product" => &l.product,
            "quantity" => &l.quantity,
            "amount" => &l.amount,
            "expires_on" => &l.expires_on,
            _ => "",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    fn line(product: &str, quantity: &str, amount: &str, expires_on: &str) -> LineForm {
        LineForm {
            product: product.into(),
            quantity: quantity.into(),
            amount: amount.into(),
            expires_on: expires_on.into(),
        }
    }

    fn form(party: &str, lines: &[LineForm]) -> BillForm {
        BillForm {
            party_name: party.into(),
            lines: lines.to_vec(),
            key: "0123456789abcdef".into(),
            ..BillForm::default()
        }
    }

    fn parse_bill(kind: BillKind, party: &str, lines: &[LineForm]) -> Result<BillDraft, AppError> {
        form(party, lines)
            .parse(kind)
            .map_err(AppError::InvalidFields)
    }

    #[test]
    fn a_good_purchase_parses_and_blank_lines_are_ignored() {
        let lines = [
            line("Rice", "10", "45.50", "2026-12-01"),
            LineForm::default(),
            line(" Dal ", "2", "100", ""),
        ];
        let draft = parse_bill(BillKind::Purchase, " Ravi  Traders ", &lines).unwrap();
        let (party, parsed) = (draft.party.name.as_str(), draft.lines);
        assert_eq!(party, "Ravi Traders");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].unit_amount, Money::from_minor(4_550));
        assert_eq!(
            parsed[0].expires_on.map(|d| d.to_string()).as_deref(),
            Some("2026-12-01")
        );
        assert_eq!(parsed[1].product.as_str(), "Dal");
        assert_eq!(parsed[1].index, 2, "a line keeps its place in the form");
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let lines = [
            line("", "0", "-1", "2026-13-45"),
            line("Rice", "1.2345", "abc", ""),
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
    fn the_party_details_and_the_key_are_checked_with_the_lines() {
        let mut bad = form("Asha", &[line("Tea", "1", "10", "")]);
        bad.party_phone = "9".repeat(41);
        bad.key = "x".into();
        let err = AppError::InvalidFields(bad.parse(BillKind::Sale).unwrap_err());
        assert!(err.for_field("party_phone").is_some());
        assert!(err.for_field("key").unwrap().contains("expired"));
    }

    #[test]
    fn a_scan_adds_one_to_the_line_of_its_product_or_fills_a_new_one() {
        let mut form = form("Asha", &[line("Tea", "2", "10", ""), LineForm::default()]);
        form.add_one("tea", "8901", "12.00");
        assert_eq!(
            (form.typed(0, "quantity"), form.typed(0, "amount")),
            ("3", "10")
        );
        form.add_one("Sugar 1kg", "8902", "45.00");
        assert_eq!(
            (
                form.typed(1, "product"),
                form.typed(1, "quantity"),
                form.typed(1, "amount")
            ),
            ("Sugar 1kg", "1", "45.00")
        );
        form.add_one("Sugar 1kg", "8902", "45.00");
        assert_eq!((form.lines.len(), form.typed(1, "quantity")), (2, "2"));
        form.lines[0].product = "8903".into();
        form.add_one("Milk", "8903", "30.00");
        assert_eq!(
            form.typed(0, "quantity"),
            "4",
            "a line that names the code is the same product"
        );
        form.add_one("Salt", "8904", "20.00");
        assert_eq!(form.lines.len(), 3);
        form.remove_line(1);
        assert_eq!(form.typed(1, "product"), "Salt");
    }

    #[test]
    fn a_refill_carries_the_typing_back_cut_to_size_without_the_key() {
        let mut typed = form(
            "Asha",
            &[line(&"x".repeat(600), "1", "", ""), LineForm::default()],
        );
        typed.party_address = "12 Main St".into();
        let refill = typed.for_refill();
        assert_eq!(refill.rows(), Some(2));
        assert_eq!(refill.lines[0].product.chars().count(), 500);
        assert_eq!(refill.typed(0, "quantity"), "1");
        assert_eq!(refill.typed(7, "quantity"), "");
        assert!(refill.key.is_empty());
    }
}
