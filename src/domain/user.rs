//! The people who sign in, as the rest of the app sees them.

use super::{Email, Role};
use serde::{Deserialize, Serialize};

/// A signed-in person: who they are and what they may do. Never carries the password hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
}

impl User {
    /// "First Last", for greetings and audit lines.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }
}
