//! The one error type that crosses the server-function boundary. Its variants are things a user
//! can act on; anything else is `Internal`, whose cause is logged on the server and never sent.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

/// An error a page or a server-function caller can show or act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Sign in first (401).
    #[error("Sign in to continue")]
    NotSignedIn,
    /// The email/password pair is wrong, or the account is inactive (401). One message for all,
    /// so the response does not tell whether an account exists.
    #[error("Invalid email or password")]
    InvalidCredentials,
    /// Too many failed sign-ins for this account or from this address (429). Says when to try
    /// again, and is the same whether or not the account exists.
    #[error("Too many attempts. Try again in {}.", wait_words(*retry_after_secs))]
    TooManyAttempts { retry_after_secs: u64 },
    /// Signed in, but this is for managers (403).
    #[error("Only a manager can do this")]
    Forbidden,
    /// No such thing (404).
    #[error("Not found")]
    NotFound,
    /// A field's value is not acceptable (422); `field` is the form field's name.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// Several fields are not acceptable (422): every problem of a form at once.
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    InvalidFields(Vec<FieldError>),
    /// The value clashes with what exists, e.g. a name already taken (409).
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// A line asks for more than is on hand (409); `field` is that line's quantity field. Its
    /// JSON carries the sentence too (`message`), for callers that show it as it is.
    #[error("Not enough stock of {product}: {} available", shortfall::shown(unit, *loose, *available))]
    #[serde(
        serialize_with = "shortfall::serialize",
        deserialize_with = "shortfall::deserialize"
    )]
    NotEnoughStock {
        field: String,
        product: String,
        /// In the product's own unit (`unit`); loose goods kept in grams read in kg.
        available: i64,
        unit: String,
        loose: bool,
    },
    /// The request itself is malformed: missing or mistyped arguments (400).
    #[error("The request was not understood: {0}")]
    BadRequest(String),
    /// Something failed on our side; the details are in the server log (500).
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The database did not answer: it is stopped, restarting or unreachable, or every
    /// connection stayed busy past the acquire timeout. Nothing was done (503, `Retry-After: 5`).
    #[error("The database is not answering right now (busy or unreachable): nothing was saved. Please try again in a few seconds.")]
    NotAnswering,
    /// The database's disk is full: nothing was written (503, `Retry-After: 60`). It lasts until
    /// someone frees space, so callers are asked to wait longer.
    #[error("Storage full: the database has no room left, so nothing was saved. Free some disk space on the server, then try again.")]
    StorageFull,
}

mod shortfall {
    //! [`AppError::NotEnoughStock`] as JSON: its fields plus the sentence people read.

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wire {
        field: String,
        product: String,
        available: i64,
        unit: String,
        #[serde(default)]
        loose: bool,
        #[serde(default)]
        message: String,
    }

    /// What is available, as people read it (`1.5 kg`, `3 pcs`).
    pub fn shown(unit: &str, loose: bool, available: i64) -> String {
        crate::domain::Measure::new(unit, loose).show(available)
    }

    #[expect(
        clippy::ptr_arg,
        reason = "serde hands a variant's fields over as they are declared"
    )]
    pub fn serialize<S: Serializer>(
        field: &String,
        product: &String,
        available: &i64,
        unit: &String,
        loose: &bool,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        Wire {
            message: format!(
                "Not enough stock of {product}: {} available",
                shown(unit, *loose, *available)
            ),
            field: field.clone(),
            product: product.clone(),
            available: *available,
            unit: unit.clone(),
            loose: *loose,
        }
        .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<(String, String, i64, String, bool), D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        Ok((
            wire.field,
            wire.product,
            wire.available,
            wire.unit,
            wire.loose,
        ))
    }
}

/// What is wrong with one form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// A message for `field`.
    pub fn new(field: impl Into<String>, message: impl ToString) -> Self {
        Self {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

impl AppError {
    /// An invalid-field error.
    pub fn invalid(field: &str, message: impl ToString) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: message.to_string(),
        }
    }

    /// Whether this error belongs next to a field (otherwise it is shown above the form).
    pub fn is_about_a_field(&self) -> bool {
        matches!(
            self,
            Self::Invalid { .. }
                | Self::InvalidFields(_)
                | Self::Conflict { .. }
                | Self::NotEnoughStock { .. }
        )
    }

    /// The message for `field`, if this error is about that field.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid { field: f, message } | Self::Conflict { field: f, message }
                if f == field =>
            {
                Some(message.clone())
            }
            Self::NotEnoughStock { field: f, .. } if f == field => Some(self.to_string()),
            Self::InvalidFields(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// The HTTP status a server-function caller receives with this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotSignedIn | Self::InvalidCredentials => 401,
            Self::Forbidden => 403,
            Self::TooManyAttempts { .. } => 429,
            Self::NotFound => 404,
            Self::Invalid { .. } | Self::InvalidFields(_) => 422,
            Self::Conflict { .. } | Self::NotEnoughStock { .. } => 409,
            Self::BadRequest(_) => 400,
            Self::Internal => 500,
            Self::NotAnswering | Self::StorageFull => 503,
        }
    }

    /// The `Retry-After` (seconds) that goes with this error's status, if any.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
            // Seconds: a server restarting, or a pool draining, is back within them.
            Self::NotAnswering => Some(5),
            // A full disk stays full until someone acts: no point asking again every second.
            Self::StorageFull => Some(60),
            _ => None,
        }
    }
}

/// "5 minutes", "1 minute", "40 seconds": how long to wait, rounded up.
pub fn wait_words(secs: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if secs < 60 {
        plural(secs.max(1), "second")
    } else {
        plural(secs.div_ceil(60), "minute")
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            // Deserialization on the server: a request body that is not UTF-8 text.
            ServerFnErrorErr::Args(why)
            | ServerFnErrorErr::MissingArg(why)
            | ServerFnErrorErr::Deserialization(why) => Self::BadRequest(why),
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                Self::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::server::storage::StorageError> for AppError {
    fn from(error: crate::server::storage::StorageError) -> Self {
        use crate::server::storage::fault::{self, Fault};
        match fault::of_storage(&error) {
            Some(Fault::NotAnswering) => {
                tracing::warn!(%error, "the database is not answering: answering 503");
                Self::NotAnswering
            }
            Some(Fault::StorageFull) => {
                tracing::error!(%error, "the database's storage is full: answering 503");
                Self::StorageFull
            }
            None => {
                tracing::error!(%error, "storage failed");
                Self::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_maps_to_the_status_a_caller_expects() {
        assert_eq!(AppError::NotSignedIn.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::invalid("name", "Enter a name").status(), 422);
        assert_eq!(AppError::BadRequest("x".into()).status(), 400);
        assert_eq!(AppError::Internal.status(), 500);
        assert_eq!(AppError::NotAnswering.status(), 503);
        assert_eq!(AppError::StorageFull.status(), 503);
        assert_eq!(AppError::NotAnswering.retry_after_secs(), Some(5));
        assert_eq!(AppError::StorageFull.retry_after_secs(), Some(60));
        assert_eq!(AppError::Internal.retry_after_secs(), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn an_exhausted_pool_or_a_lost_server_is_not_answering_not_broken() {
        use crate::server::storage::StorageError;
        let busy = AppError::from(StorageError::Database(sqlx::Error::PoolTimedOut));
        assert_eq!(busy, AppError::NotAnswering);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let gone = AppError::from(StorageError::Database(sqlx::Error::Io(refused)));
        assert_eq!(gone, AppError::NotAnswering);
        let broken = AppError::from(StorageError::Database(sqlx::Error::RowNotFound));
        assert_eq!(broken, AppError::Internal);
    }

    #[test]
    fn throttled_sign_ins_say_when_to_try_again() {
        let error = AppError::TooManyAttempts {
            retry_after_secs: 299,
        };
        assert_eq!(error.status(), 429);
        assert_eq!(
            error.to_string(),
            "Too many attempts. Try again in 5 minutes."
        );
        assert_eq!(wait_words(60), "1 minute");
        assert_eq!(wait_words(61), "2 minutes");
        assert_eq!(wait_words(1), "1 second");
        assert_eq!(wait_words(0), "1 second");
        assert_eq!(wait_words(45), "45 seconds");
    }

    #[test]
    fn field_errors_are_found_by_field_name() {
        let error = AppError::invalid("email", "Enter an email address");
        assert_eq!(
            error.for_field("email").as_deref(),
            Some("Enter an email address")
        );
        assert_eq!(error.for_field("password"), None);
    }

    #[test]
    fn a_shortfall_names_the_product_next_to_its_line() {
        let error = AppError::NotEnoughStock {
            field: "lines[1][quantity]".into(),
            product: "Tea".into(),
            available: 3,
            unit: "pcs".into(),
            loose: false,
        };
        assert_eq!(error.status(), 409);
        assert_eq!(
            error.for_field("lines[1][quantity]").as_deref(),
            Some("Not enough stock of Tea: 3 pcs available")
        );
        assert!(error.is_about_a_field());
        assert!(!AppError::Internal.is_about_a_field());
        let json = serde_json::to_string(&error).unwrap();
        assert!(json.contains("Not enough stock of Tea"), "{json}");
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), error);
    }

    #[test]
    fn missing_arguments_are_the_callers_mistake() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::MissingArg("email".into()));
        assert_eq!(error.status(), 400);
    }
}
