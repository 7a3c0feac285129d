//! What a person may do: a manager (the owner) everything, staff the daily work.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role. Managers also manage employees and see cost and profit figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Manager,
    Staff,
}

impl Role {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Staff => "staff",
        }
    }

    /// Whether this role may use manager-only pages and functions.
    pub fn is_manager(self) -> bool {
        self == Role::Manager
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was neither `manager` nor `staff`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("Choose manager or staff")]
pub struct UnknownRole;

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "manager" => Ok(Role::Manager),
            "staff" => Ok(Role::Staff),
            _ => Err(UnknownRole),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [Role::Manager, Role::Staff] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(" Manager ".parse::<Role>(), Ok(Role::Manager));
        assert_eq!("admin".parse::<Role>(), Err(UnknownRole));
    }
}
