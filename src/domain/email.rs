//! E-mail addresses as sign-in names: trimmed, lower-cased, and plausibly shaped.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest address RFC 5321 allows in a path.
const MAX_LEN: usize = 254;

/// A normalised e-mail address (trimmed, lower case), so that uniqueness and sign-in ignore case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

/// Why a string is not an e-mail address, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address")]
    Empty,
    #[error("An email address has at most 254 characters")]
    TooLong,
    #[error("Enter an email address like name@example.com")]
    Malformed,
}

impl Email {
    /// Parses user input into an address: one `@`, a non-empty local part, a domain with a dot,
    /// no spaces or control characters. Deliverability is not our business here.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = email.split_once('@').ok_or(EmailError::Malformed)?;
        let well_formed = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if well_formed {
            Ok(Self(email))
        } else {
            Err(EmailError::Malformed)
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Asha@Shop.IN ").unwrap().as_str(),
            "asha@shop.in"
        );
    }

    #[test]
    fn shapes_that_are_not_addresses_are_refused() {
        for bad in [
            "",
            "   ",
            "asha",
            "@shop.in",
            "asha@",
            "asha@shop",
            "a b@shop.in",
            "a@b@c.in",
            "a@.in",
            "a@in.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn an_overlong_address_is_refused() {
        let long = format!("{}@shop.in", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }
}
