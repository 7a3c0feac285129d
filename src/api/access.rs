//! Who may open what: the one table of access rules for pages and server functions. The server's
//! session middleware enforces it on every request (signed out → `/login` or 401; staff on a
//! manager-only server function → 403), and the signed-in layout asks [`allows`] whether to
//! render the page or the 403 page. Each server function still checks its caller itself
//! (`context::require_*`), so a rule missing here fails closed rather than open.

use crate::domain::Role;

/// What a path requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person (the default for every path not listed).
    SignedIn,
    /// Signed-in managers only.
    Manager,
}

/// Paths that differ from the default ([`Access::SignedIn`]). A rule matches its path exactly
/// and every path below it (`/employees` covers `/employees/7`, not `/employeesx`); a `*`
/// segment matches any one segment (`/bills/*/return` covers `/bills/7/return`).
const RULES: &[(&str, Access)] = &[
    ("/login", Access::Public),
    ("/healthz", Access::Public),
    ("/favicon.ico", Access::Public),
    // Installing: browsers fetch the manifest and its icons without the session cookie.
    ("/manifest.webmanifest", Access::Public),
    ("/icons", Access::Public),
    ("/pkg", Access::Public),
    ("/api/login", Access::Public),
    ("/api/logout", Access::Public),
    ("/api/session", Access::Public),
    ("/employees", Access::Manager),
    ("/api/employees", Access::Manager),
    ("/api/audit", Access::Manager),
    ("/api/products/remove", Access::Manager),
    // Parties: everyone sees them; managers change their name, phone and address.
    ("/api/parties/update", Access::Manager),
    // Corrections: counts, write-offs and returns (PRODUCT.md, "Who uses it").
    ("/api/stock", Access::Manager),
    ("/api/bills/return", Access::Manager),
    ("/api/bills/returnable", Access::Manager),
    ("/bills/*/return", Access::Manager),
    // The catalogue import: the page, the upload and its server functions.
    ("/inventory/import", Access::Manager),
    ("/api/inventory/import", Access::Manager),
];

/// Whether `rule` covers `path`: segment by segment, `*` matching any one.
fn covers(rule: &str, path: &str) -> bool {
    let mut path = path.split('/');
    rule.split('/')
        .all(|segment| path.next().is_some_and(|p| segment == "*" || segment == p))
}

/// What `path` requires. The most specific (longest) matching rule wins.
pub fn required(path: &str) -> Access {
    RULES
        .iter()
        .filter(|(rule, _)| covers(rule, path))
        .max_by_key(|(rule, _)| rule.len())
        .map_or(Access::SignedIn, |(_, access)| *access)
}

/// Whether someone with `role` (`None`: signed out) may open `path`.
pub fn allows(path: &str, role: Option<Role>) -> bool {
    match required(path) {
        Access::Public => true,
        Access::SignedIn => role.is_some(),
        Access::Manager => role.is_some_and(Role::is_manager),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_cover_a_path_and_everything_below_it() {
        assert_eq!(required("/employees"), Access::Manager);
        assert_eq!(required("/employees/7"), Access::Manager);
        assert_eq!(required("/employees/audit"), Access::Manager);
        assert_eq!(required("/employeesx"), Access::SignedIn);
        assert_eq!(required("/pkg/stockroom.js"), Access::Public);
        assert_eq!(required("/api/employees/create"), Access::Manager);
        assert_eq!(required("/bills/7/return"), Access::Manager);
        assert_eq!(required("/bills/7"), Access::SignedIn);
        assert_eq!(required("/bills/7/invoice.pdf"), Access::SignedIn);
        assert_eq!(required("/api/stock/count"), Access::Manager);
    }

    #[test]
    fn anything_not_listed_needs_a_signed_in_person() {
        for path in [
            "/",
            "/inventory",
            "/api/products/list",
            "/no-such-page",
            "/api",
        ] {
            assert_eq!(required(path), Access::SignedIn, "{path}");
        }
        assert_eq!(required("/login"), Access::Public);
        assert_eq!(required("/loginx"), Access::SignedIn);
    }

    #[test]
    fn managers_open_everything_staff_all_but_the_manager_pages() {
        assert!(allows("/employees/7", Some(Role::Manager)));
        assert!(!allows("/employees/7", Some(Role::Staff)));
        assert!(allows("/inventory", Some(Role::Staff)));
        assert!(!allows("/inventory", None));
        assert!(allows("/login", None));
    }
}
