//! Text people type into forms, made safe to keep: names (trimmed, inner spaces folded, no
//! control characters, bounded), optional notes such as a phone or an address, and the
//! one-time key every recording form carries.

use super::search;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest name (product or party) kept.
pub const MAX_NAME_CHARS: usize = 120;

/// A cleaned, non-empty name of at most [`MAX_NAME_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Name(String);

/// Why text is not a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameError {
    /// Nothing but spaces (each form says what it expected).
    Empty,
    /// More than [`MAX_NAME_CHARS`] characters.
    TooLong,
}

impl NameError {
    /// The message next to the field, with `missing` for an empty one ("Enter a name").
    pub fn message(self, missing: &str) -> String {
        match self {
            NameError::Empty => missing.to_owned(),
            NameError::TooLong => format!("Use at most {MAX_NAME_CHARS} characters"),
        }
    }
}

impl Name {
    /// A name as typed: control characters become spaces, runs of spaces fold into one, the
    /// ends are trimmed.
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let cleaned = clean_name(text).ok_or(NameError::Empty)?;
        if cleaned.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        Ok(Self(cleaned))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What "the same name" compares: case and spacing ignored (see [`search::fold`]).
    pub fn key(&self) -> String {
        search::fold(&self.0)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Cleans a name typed by a person: trimmed, inner runs of spaces folded, control characters
/// removed. `None` when nothing is left.
pub fn clean_name(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Optional free text (a phone number, an address): control characters but line breaks become
/// spaces, the ends are trimmed; `Ok(None)` when empty, an error past `max` characters.
pub fn optional_note(text: &str, max: usize) -> Result<Option<String>, String> {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    let text = text.trim();
    if text.chars().count() > max {
        return Err(format!("Use at most {max} characters"));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// The one-time key of a recording form (see PRODUCT.md, "Idempotent submits"): 16 to 100
/// letters, digits or dashes, as the server hands them out.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FormKey(String);

/// The message for a missing or mangled form key.
pub const EXPIRED_FORM: &str = "This form has expired: reload the page and submit again";

impl FormKey {
    /// A key sent back by a form.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let key = text.trim();
        let ok = (16..=100).contains(&key.len())
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        ok.then(|| Self(key.to_owned())).ok_or(EXPIRED_FORM)
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_of_spacing_and_control_characters() {
        assert_eq!(
            clean_name("  Ravi \t Traders\n"),
            Some("Ravi Traders".into())
        );
        assert_eq!(clean_name("a\0b"), Some("a b".into()));
        assert_eq!(clean_name(" \u{7} "), None);
    }

    #[test]
    fn a_name_is_non_empty_and_bounded() {
        assert_eq!(
            Name::parse(" Basmati  Rice ").unwrap().as_str(),
            "Basmati Rice"
        );
        assert_eq!(Name::parse("Basmati  RICE").unwrap().key(), "basmati rice");
        assert_eq!(Name::parse("\t"), Err(NameError::Empty));
        assert_eq!(Name::parse(&"x".repeat(121)), Err(NameError::TooLong));
        assert!(Name::parse(&"x".repeat(120)).is_ok());
        assert_eq!(
            NameError::Empty.message("Enter a product"),
            "Enter a product"
        );
    }

    #[test]
    fn notes_keep_line_breaks_and_are_bounded() {
        assert_eq!(optional_note("  ", 10), Ok(None));
        assert_eq!(
            optional_note(" 12\u{7}Main\nSt ", 40),
            Ok(Some("12 Main\nSt".into()))
        );
        assert!(optional_note(&"9".repeat(41), 40).is_err());
    }

    #[test]
    fn form_keys_are_long_plain_tokens() {
        assert!(FormKey::parse("0123456789abcdef").is_ok());
        assert!(FormKey::parse("short").is_err());
        assert!(FormKey::parse("0123456789abcdef<script>").is_err());
        assert!(FormKey::parse(&"a".repeat(101)).is_err());
    }
}
