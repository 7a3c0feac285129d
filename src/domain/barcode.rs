//! Barcodes a shop gives its own goods: EAN-13 numbers in the GS1 "in-store" range (prefixes
//! 200–299, never issued to a manufacturer), with their check digit.

/// The EAN-13 check digit of twelve digits: the weighted sum (1, 3, 1, 3, …) rounded up to a
/// multiple of ten. `None` unless `body` is twelve ASCII digits.
pub fn ean13_check(body: &str) -> Option<char> {
    if body.len() != 12 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10)
}

/// The in-store EAN-13 `prefix` (200–299) followed by `number` in nine digits and the check
/// digit; `None` outside that range.
pub fn in_store_ean13(prefix: u16, number: u64) -> Option<String> {
    if !(200..=299).contains(&prefix) || number > 999_999_999 {
        return None;
    }
    let body = format!("{prefix:03}{number:09}");
    Some(format!("{body}{}", ean13_check(&body)?))
}

/// Whether `code` is an EAN-13 with a right check digit.
pub fn is_ean13(code: &str) -> bool {
    code.len() == 13 && ean13_check(&code[..12]).is_some_and(|c| code.ends_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_digits_match_published_codes() {
        // A real product code and the GS1 example.
        assert_eq!(ean13_check("890106612345"), Some('5'));
        assert_eq!(ean13_check("400638133393"), Some('1'));
        assert!(is_ean13("4006381333931"));
        assert!(!is_ean13("4006381333932"));
        assert_eq!(ean13_check("12345"), None);
    }

    #[test]
    fn in_store_codes_stay_in_their_range() {
        assert_eq!(
            in_store_ean13(200, 42).as_deref().map(|c| &c[..12]),
            Some("200000000042")
        );
        assert!(in_store_ean13(199, 1).is_none() && in_store_ean13(300, 1).is_none());
        assert!(in_store_ean13(200, 1_000_000_000).is_none());
    }

    proptest! {
        #[test]
        fn every_in_store_code_is_a_valid_ean13(prefix in 200u16..=299, number in 0u64..1_000_000_000) {
            let code = in_store_ean13(prefix, number).unwrap();
            prop_assert!(is_ean13(&code));
            prop_assert!(code.starts_with(&prefix.to_string()));
        }
    }
}
