//! Parties: the suppliers and customers a shop deals with, remembered from the bills that name
//! them and matched on the name with case and spacing ignored ([`Name::key`](super::text::Name::key)). What `/parties`
//! lists ([`PartyRow`]), what the `Supplier`/`Customer` fields suggest ([`PartySuggestion`]),
//! and the edit form of `/parties/{id}` ([`PartyForm::parse`]).

use super::bill::BillKind;
use super::bill_form::Party;
use super::Money;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The message beside `Name` when another party already has the name typed.
pub const NAME_TAKEN: &str = "Another party already has this name";

/// Which side of the counter a bill of `kind` puts its party on: `(supplier, customer)`.
pub fn sides_of(kind: BillKind) -> (bool, bool) {
    match kind {
        BillKind::Purchase | BillKind::PurchaseReturn => (true, false),
        BillKind::Sale | BillKind::SaleReturn => (false, true),
    }
}

/// "Supplier", "Customer" or "Supplier and customer", for people.
pub fn kind_label(is_supplier: bool, is_customer: bool) -> &'static str {
    match (is_supplier, is_customer) {
        (true, true) => "Supplier and customer",
        (true, false) => "Supplier",
        (false, true) => "Customer",
        (false, false) => "No bills",
    }
}

/// A party with what its bills add up to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyRow {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub is_supplier: bool,
    pub is_customer: bool,
    /// How many bills name it (returns included).
    pub bills: i64,
    /// Purchases from it, net of purchase returns.
    pub bought: Money,
    /// Sales to it, net of sale returns.
    pub sold: Money,
    /// When its latest bill was recorded (Unix seconds), if any.
    pub last_bill_at: Option<i64>,
}

impl PartyRow {
    /// Its kind, for people (see [`kind_label`]).
    pub fn kind(&self) -> &'static str {
        kind_label(self.is_supplier, self.is_customer)
    }
}

/// A page of parties in name order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyPage {
    pub rows: Vec<PartyRow>,
    /// Starts at 1.
    pub page: i64,
    pub has_next: bool,
}

/// A known party offered under `Supplier`/`Customer`, with what it fills in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartySuggestion {
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
}

impl PartySuggestion {
    /// Whether `typed` names this party (case and spacing ignored).
    pub fn is_named_by(&self, typed: &str) -> bool {
        let typed = super::search::fold(typed);
        !typed.is_empty() && typed == super::search::fold(&self.name)
    }
}

/// The party form of `/parties/{id}`, as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
}

/// A party form that passed every check: the same checked party a bill names.
pub type PartyDraft = Party;

impl PartyForm {
    /// The form filled with what `party` holds.
    pub fn of(party: &PartyRow) -> Self {
        Self {
            name: party.name.clone(),
            phone: party.phone.clone().unwrap_or_default(),
            address: party.address.clone().unwrap_or_default(),
        }
    }

    /// Checks every field, collecting every problem.
    pub fn parse(&self) -> Result<PartyDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        Party::parse(
            [&self.name, &self.phone, &self.address],
            ["name", "phone", "address"],
            "Enter a name",
            &mut errors,
        )
        .ok_or(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bill_form::MAX_PHONE_CHARS;

    #[test]
    fn a_party_is_a_supplier_by_purchases_and_a_customer_by_sales() {
        assert_eq!(sides_of(BillKind::Purchase), (true, false));
        assert_eq!(sides_of(BillKind::PurchaseReturn), (true, false));
        assert_eq!(sides_of(BillKind::Sale), (false, true));
        assert_eq!(sides_of(BillKind::SaleReturn), (false, true));
        assert_eq!(kind_label(true, true), "Supplier and customer");
        assert_eq!(kind_label(false, true), "Customer");
    }

    #[test]
    fn a_suggestion_is_named_by_its_name_in_any_case_and_spacing() {
        let ravi = PartySuggestion {
            name: "Ravi Traders".into(),
            phone: None,
            address: None,
        };
        assert!(ravi.is_named_by("  ravi   TRADERS "));
        assert!(!ravi.is_named_by("Ravi"));
        assert!(!ravi.is_named_by(""));
    }

    #[test]
    fn the_party_form_cleans_its_fields_and_names_every_problem() {
        let form = PartyForm {
            name: "  Asha   Wholesale ".into(),
            phone: " 98450 12345 ".into(),
            address: String::new(),
        };
        let draft = form.parse().unwrap();
        assert_eq!(draft.name.as_str(), "Asha Wholesale");
        assert_eq!(draft.phone.as_deref(), Some("98450 12345"));
        assert_eq!(draft.address, None);
        let bad = PartyForm {
            name: " ".into(),
            phone: "9".repeat(MAX_PHONE_CHARS + 1),
            address: String::new(),
        };
        let fields: Vec<String> = bad
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "phone"]);
    }
}
