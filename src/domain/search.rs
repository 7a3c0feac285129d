//! How names are compared and searched: trimmed, inner spaces folded, case ignored.

/// The longest search text we act on; longer input is cut, not refused.
pub const MAX_QUERY_CHARS: usize = 100;

/// The comparison key of a name: what "the same name" means for uniqueness and search.
pub fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The folded form of a search box's text, cut to a sane length; `None` when nothing is left.
pub fn query(text: &str) -> Option<String> {
    let folded: String = fold(text).chars().take(MAX_QUERY_CHARS).collect();
    (!folded.is_empty()).then_some(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differing_only_in_case_and_spacing_fold_alike() {
        assert_eq!(fold("  Basmati   Rice "), fold("basmati rice"));
        assert_eq!(fold("ÇAY"), "çay");
    }

    #[test]
    fn an_empty_search_is_no_search_and_a_huge_one_is_cut() {
        assert_eq!(query("   "), None);
        assert_eq!(query(&"x".repeat(10_000)).unwrap().len(), MAX_QUERY_CHARS);
    }
}
