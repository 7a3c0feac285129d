//! Employees as managers see them, the form that creates or edits one, and the audit trail of
//! who changed whom, who signed in, and who corrected the stock (counts, write-offs, returns).

use super::{Email, Role, User};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The youngest and oldest age the form accepts.
pub const AGE_RANGE: std::ops::RangeInclusive<i64> = 14..=120;
/// The longest first or last name.
pub const MAX_NAME_CHARS: usize = 100;

/// How a person describes themself; `None` where they would rather not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    Female,
    Male,
    Other,
}

impl Gender {
    /// Every choice, in the order the form offers them.
    pub const ALL: [Gender; 3] = [Gender::Female, Gender::Male, Gender::Other];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Gender::Female => "Female",
            Gender::Male => "Male",
            Gender::Other => "Other",
        }
    }

    /// Parses a stored or submitted value; empty means "not said".
    pub fn parse(text: &str) -> Result<Option<Gender>, &'static str> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "female" => Ok(Some(Gender::Female)),
            "male" => Ok(Some(Gender::Male)),
            "other" => Ok(Some(Gender::Other)),
            _ => Err("Choose one of the listed options"),
        }
    }
}

/// An account with what managers see of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employee {
    pub user: User,
    pub age: Option<i64>,
    pub gender: Option<Gender>,
    pub active: bool,
    pub created_at: i64,
    /// Whether the person has recorded bills or stock movements (then they can only be
    /// deactivated, never deleted: the books name them).
    pub has_history: bool,
}

/// The employee form, as typed (never the password, which is not sent back to any page).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmployeeForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub age: String,
    pub gender: String,
    pub role: String,
}

impl EmployeeForm {
    /// The form filled with what an account has now.
    pub fn of(employee: &Employee) -> Self {
        Self {
            first_name: employee.user.first_name.clone(),
            last_name: employee.user.last_name.clone(),
            email: employee.user.email.to_string(),
            age: employee.age.map(|a| a.to_string()).unwrap_or_default(),
            gender: employee
                .gender
                .map(|g| g.as_str().to_owned())
                .unwrap_or_default(),
            role: employee.user.role.as_str().to_owned(),
        }
    }
}

/// An employee form that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeeDraft {
    pub first_name: String,
    pub last_name: String,
    pub email: Email,
    pub age: Option<i64>,
    pub gender: Option<Gender>,
    pub role: Role,
}

fn clean_name(field: &str, text: &str, missing: &str, errors: &mut Vec<FieldError>) -> String {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(FieldError::new(field, missing));
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::new(
            field,
            format!("Use at most {MAX_NAME_CHARS} characters"),
        ));
    } else if name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "Use letters, spaces and punctuation",
        ));
    }
    name
}

/// Parses an age: empty is "not said", otherwise a whole number in [`AGE_RANGE`].
pub fn parse_age(text: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(age) if AGE_RANGE.contains(&age) => Ok(Some(age)),
        _ => Err(format!(
            "Enter an age in whole years from {} to {}, or leave it empty",
            AGE_RANGE.start(),
            AGE_RANGE.end()
        )),
    }
}

impl EmployeeForm {
    /// Checks every field, collecting every problem.
    pub fn parse(&self) -> Result<EmployeeDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let first_name = clean_name(
            "first_name",
            &self.first_name,
            "Enter a first name",
            &mut errors,
        );
        let last_name = clean_name(
            "last_name",
            &self.last_name,
            "Enter a last name",
            &mut errors,
        );
        let email = Email::parse(&self.email)
            .map_err(|e| errors.push(FieldError::new("email", e)))
            .ok();
        let age = parse_age(&self.age)
            .map_err(|e| errors.push(FieldError::new("age", e)))
            .ok()
            .flatten();
        let gender = Gender::parse(&self.gender)
            .map_err(|e| errors.push(FieldError::new("gender", e)))
            .ok()
            .flatten();
        let role = self
            .role
            .parse::<Role>()
            .map_err(|e| errors.push(FieldError::new("role", e)))
            .ok();
        match (email, role) {
            (Some(email), Some(role)) if errors.is_empty() => Ok(EmployeeDraft {
                first_name,
                last_name,
                email,
                age,
                gender,
                role,
            }),
            _ => Err(errors),
        }
    }
}

/// What an audit line records. Stored by its code; shown by its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    SignedIn,
    SignInFailed,
    SignInThrottled,
    SignedOut,
    EmployeeCreated,
    EmployeeUpdated,
    EmployeeDeactivated,
    EmployeeReactivated,
    EmployeeDeleted,
    PasswordChanged,
    PasswordReset,
    StockCounted,
    StockWrittenOff,
    SaleReturned,
    PurchaseReturned,
    CatalogueImported,
}

impl AuditAction {
    /// Every action, for parsing.
    pub const ALL: [AuditAction; 16] = [
        AuditAction::SignedIn,
        AuditAction::SignInFailed,
        AuditAction::SignInThrottled,
        AuditAction::SignedOut,
        AuditAction::EmployeeCreated,
        AuditAction::EmployeeUpdated,
        AuditAction::EmployeeDeactivated,
        AuditAction::EmployeeReactivated,
        AuditAction::EmployeeDeleted,
        AuditAction::PasswordChanged,
        AuditAction::PasswordReset,
        AuditAction::StockCounted,
        AuditAction::StockWrittenOff,
        AuditAction::SaleReturned,
        AuditAction::PurchaseReturned,
        AuditAction::CatalogueImported,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignInThrottled => "sign_in_throttled",
            AuditAction::SignedOut => "sign_out",
            AuditAction::EmployeeCreated => "employee_created",
            AuditAction::EmployeeUpdated => "employee_updated",
            AuditAction::EmployeeDeactivated => "employee_deactivated",
            AuditAction::EmployeeReactivated => "employee_reactivated",
            AuditAction::EmployeeDeleted => "employee_deleted",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::StockCounted => "stock_counted",
            AuditAction::StockWrittenOff => "stock_written_off",
            AuditAction::SaleReturned => "sale_returned",
            AuditAction::PurchaseReturned => "purchase_returned",
            AuditAction::CatalogueImported => "catalogue_imported",
        }
    }

    /// The words a manager reads.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "Signed in",
            AuditAction::SignInFailed => "Sign-in failed",
            AuditAction::SignInThrottled => "Sign-in refused: too many attempts",
            AuditAction::SignedOut => "Signed out",
            AuditAction::EmployeeCreated => "Employee created",
            AuditAction::EmployeeUpdated => "Employee changed",
            AuditAction::EmployeeDeactivated => "Employee deactivated",
            AuditAction::EmployeeReactivated => "Employee reactivated",
            AuditAction::EmployeeDeleted => "Employee deleted",
            AuditAction::PasswordChanged => "Changed own password",
            AuditAction::PasswordReset => "Set a new password",
            AuditAction::StockCounted => "Counted stock",
            AuditAction::StockWrittenOff => "Wrote off stock",
            AuditAction::SaleReturned => "Took back sold goods",
            AuditAction::PurchaseReturned => "Returned goods to a supplier",
            AuditAction::CatalogueImported => "Imported the catalogue from a file",
        }
    }

    /// The action with this stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// One line of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    /// Who did it (their e-mail then); `None` for attempts by nobody signed in.
    pub actor: Option<String>,
    pub action: AuditAction,
    /// Whom it was done to (their e-mail then), or the e-mail typed at a failed sign-in.
    pub target: Option<String>,
    pub detail: String,
    pub client_addr: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> EmployeeForm {
        EmployeeForm {
            first_name: " Asha ".into(),
            last_name: "Rao".into(),
            email: "Asha@Shop.in".into(),
            age: "29".into(),
            gender: "female".into(),
            role: "staff".into(),
        }
    }

    #[test]
    fn a_complete_form_becomes_a_draft() {
        let draft = form().parse().unwrap();
        assert_eq!(draft.first_name, "Asha");
        assert_eq!(draft.email.as_str(), "asha@shop.in");
        assert_eq!(draft.age, Some(29));
        assert_eq!(draft.gender, Some(Gender::Female));
        assert_eq!(draft.role, Role::Staff);
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let bad = EmployeeForm {
            first_name: "  ".into(),
            last_name: "x".repeat(101),
            email: "nope".into(),
            age: "7".into(),
            gender: "robot".into(),
            role: "owner".into(),
        };
        let errors = bad.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["first_name", "last_name", "email", "age", "gender", "role"]
        );
    }

    #[test]
    fn age_and_gender_may_be_left_empty() {
        let draft = EmployeeForm {
            age: " ".into(),
            gender: String::new(),
            ..form()
        }
        .parse()
        .unwrap();
        assert_eq!((draft.age, draft.gender), (None, None));
        assert!(parse_age("29.5").is_err());
        assert!(parse_age("121").is_err());
    }

    #[test]
    fn audit_actions_round_trip_through_their_codes() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(action.code()), Some(action));
        }
        assert_eq!(AuditAction::from_code("nonsense"), None);
    }
}
