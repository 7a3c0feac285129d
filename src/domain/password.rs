//! Passwords as people choose them: long enough, not too long to hash, never printed.

use std::fmt;

/// The shortest password accepted for a new account.
pub const MIN_LEN: usize = 10;
/// Argon2 hashes anything, but a megabyte password is only a way to burn CPU.
pub const MAX_LEN: usize = 256;

/// A password that meets the policy. Its `Debug` output is redacted so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

/// Why a new password is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {MIN_LEN} characters")]
    TooShort,
    #[error("Use at most {MAX_LEN} characters")]
    TooLong,
    #[error("Choose a password that is not mostly one repeated character")]
    Repetitive,
}

impl Password {
    /// Checks a new password against the policy.
    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        let chars = input.chars().count();
        if chars < MIN_LEN {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_LEN {
            return Err(PasswordError::TooLong);
        }
        let mut distinct: Vec<char> = input.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 4 {
            return Err(PasswordError::Repetitive);
        }
        Ok(Self(input.to_owned()))
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_and_repetitive_passwords_are_refused() {
        assert_eq!(Password::parse("short"), Err(PasswordError::TooShort));
        assert_eq!(
            Password::parse(&"ab".repeat(200)),
            Err(PasswordError::TooLong)
        );
        assert_eq!(
            Password::parse("aaaaaaaaaaaa"),
            Err(PasswordError::Repetitive)
        );
    }

    #[test]
    fn a_reasonable_password_is_accepted_and_never_printed() {
        let password = Password::parse("tea-and-biscuits-42").unwrap();
        assert_eq!(password.expose(), "tea-and-biscuits-42");
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
