//! Text cells as spreadsheets read them: the formula-injection guard on the way out (a cell
//! starting `=`, `+`, `-`, `@`, tab or CR is a formula to Excel and LibreOffice, so it gets a
//! leading `'`) and its undoing on the way back in, so an export imports as the same text.

use std::borrow::Cow;

/// Whether a spreadsheet would read `text` as a formula, or `text` is itself a guarded cell
/// (a `'` before such text): then it needs a `'` of its own so [`unguard`] gives it back whole.
fn needs_guard(text: &str) -> bool {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        Some('\'') => needs_guard(&text[1..]),
        _ => false,
    }
}

/// A text cell safe to open in a spreadsheet: `'` before text that would be a formula.
/// Numbers are written as numbers and never pass through here.
pub fn guard(text: &str) -> Cow<'_, str> {
    if needs_guard(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A cell read back: the `'` that [`guard`] added, taken off again.
pub fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_a_spreadsheet_would_run_gets_a_leading_quote() {
        for (text, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+91 98450", "'+91 98450"),
            ("-5 Soap", "'-5 Soap"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tTab", "'\tTab"),
            ("\rCR", "'\rCR"),
            ("'=already", "''=already"),
        ] {
            assert_eq!(guard(text), want, "{text:?}");
        }
        for plain in ["Basmati Rice", "चावल", "", "5 kg", "a=b", "'quoted", "x-1"] {
            assert_eq!(guard(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn reading_a_guarded_cell_takes_the_quote_off_and_nothing_else() {
        assert_eq!(unguard("'=1+1"), "=1+1");
        assert_eq!(unguard("''=1"), "'=1");
        assert_eq!(unguard("'quoted"), "'quoted");
        assert_eq!(unguard("plain"), "plain");
    }

    proptest! {
        #[test]
        fn any_text_survives_guard_then_unguard(text in "['=+@\\-\t\r a-zक-ह]{0,8}") {
            let guarded = guard(&text);
            prop_assert_eq!(unguard(&guarded), text.as_str());
        }
    }
}
