//! Passwords as people choose them: long enough, not too long to hash, hard to guess, never
//! printed. The length rules are here for both halves; the guessability check runs on the server
//! only (the `zxcvbn` estimator's word lists would weigh down the WASM bundle).

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
    /// Easy to guess: common, a dictionary word, a keyboard pattern, or made of the person's own
    /// name or e-mail. The text says why and how to do better.
    #[error("This password is too easy to guess. {0}")]
    Weak(String),
}

/// The lowest `zxcvbn` score accepted (0–4): 3 means more than 10^8 guesses, "safely
/// unguessable" for an online attack on a throttled sign-in form.
#[cfg(feature = "ssr")]
const MIN_SCORE: u8 = 3;

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

    /// Checks a new password (for an account, a password change, or `create-manager`) against
    /// the strength estimator; `related` are words an attacker would try first: the person's
    /// names and e-mail, the shop's name.
    #[cfg(feature = "ssr")]
    pub fn check_strength(&self, related: &[&str]) -> Result<(), PasswordError> {
        let mut inputs: Vec<&str> = related.iter().copied().filter(|s| !s.is_empty()).collect();
        // The parts of an e-mail address are guessed separately.
        inputs.extend(
            related
                .iter()
                .filter_map(|s| s.split_once('@'))
                .flat_map(|(local, domain)| [local, domain]),
        );
        inputs.push("stockroom");
        let estimate = zxcvbn::zxcvbn(&self.0, &inputs);
        if u8::from(estimate.score()) >= MIN_SCORE {
            return Ok(());
        }
        let mut reason = String::new();
        if let Some(feedback) = estimate.feedback() {
            if let Some(warning) = feedback.warning() {
                reason.push_str(&warning.to_string());
            }
            if let Some(suggestion) = feedback.suggestions().first() {
                if !reason.is_empty() {
                    reason.push(' ');
                }
                reason.push_str(&suggestion.to_string());
            }
        }
        if reason.is_empty() {
            reason.push_str("Add another word or two. Uncommon words are better.");
        }
        Err(PasswordError::Weak(reason))
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What a new-password form says when its confirmation differs from the password.
pub const NOT_THE_SAME: &str = "The two passwords are not the same";

/// Checks that a new password was typed the same twice (`Confirm password`), so a typo does not
/// lock someone out.
pub fn confirmed(password: &str, confirmation: &str) -> Result<(), &'static str> {
    if password == confirmation {
        Ok(())
    } else {
        Err(NOT_THE_SAME)
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
    fn a_new_password_must_be_typed_the_same_twice() {
        assert_eq!(confirmed("saffron-lantern", "saffron-lantern"), Ok(()));
        assert_eq!(
            confirmed("saffron-lantern", "saffron-lanterm"),
            Err(NOT_THE_SAME)
        );
        assert_eq!(confirmed("saffron-lantern", ""), Err(NOT_THE_SAME));
    }

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

    #[cfg(feature = "ssr")]
    fn strength(password: &str, related: &[&str]) -> Result<(), PasswordError> {
        Password::parse(password).unwrap().check_strength(related)
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn common_passwords_are_refused_with_a_reason() {
        for common in [
            "password123",
            "qwertyuiop",
            "1234567890",
            "iloveyou12",
            "letmein123",
        ] {
            match strength(common, &[]) {
                Err(PasswordError::Weak(reason)) => {
                    assert!(reason.len() > 10, "{common}: no reason given");
                }
                other => panic!("{common} was not refused: {other:?}"),
            }
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_password_made_of_the_persons_own_name_or_email_is_refused() {
        let related = ["priya@kirana.in", "Priya", "Sharma"];
        assert!(matches!(
            strength("sharmapriya", &related),
            Err(PasswordError::Weak(_))
        ));
        assert!(matches!(
            strength("kirana.in2024", &related),
            Err(PasswordError::Weak(_))
        ));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn long_uncommon_passphrases_are_accepted() {
        for good in [
            "tea-and-biscuits-42",
            "e2e-manager-passphrase",
            "copper kettle under mango tree",
            "Gz7#rQ2!vLx9",
        ] {
            assert_eq!(
                strength(good, &["asha@shop.in", "Asha", "Rao"]),
                Ok(()),
                "{good}"
            );
        }
    }

    #[test]
    fn a_reasonable_password_is_accepted_and_never_printed() {
        let password = Password::parse("tea-and-biscuits-42").unwrap();
        assert_eq!(password.expose(), "tea-and-biscuits-42");
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
