//! Employees and the audit trail, for managers: list, create, edit, deactivate or reactivate,
//! delete (only someone who recorded nothing), and who did what.
#![expect(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field (its client stub too)"
)]

use crate::domain::employee::{AuditEntry, Employee};
use crate::domain::ledger::Page;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How many audit lines one page shows.
pub const AUDIT_PER_PAGE: i64 = 50;

/// Every account, and which one is the manager looking (who cannot deactivate themself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeList {
    pub employees: Vec<Employee>,
    pub me: i64,
}

/// Every account: active first, then by name.
#[server(prefix = "/api", endpoint = "employees/list")]
pub async fn list_employees() -> Result<EmployeeList, AppError> {
    use crate::server::storage::people;
    let manager = super::context::require_manager()?;
    let state = super::context::state()?;
    Ok(EmployeeList {
        employees: people::list_employees(&state.db).await?,
        me: manager.id,
    })
}

/// One account, for its edit page.
#[server(prefix = "/api", endpoint = "employees/get")]
pub async fn get_employee(id: i64) -> Result<EmployeeList, AppError> {
    use crate::server::storage::people;
    let manager = super::context::require_manager()?;
    let state = super::context::state()?;
    let employee = people::get_employee(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(EmployeeList {
        employees: vec![employee],
        me: manager.id,
    })
}

/// Creates an account; the browser goes back to the list, which names the new person.
#[server(prefix = "/api", endpoint = "employees/create")]
pub async fn create_employee(
    #[server(default)] first_name: String,
    #[server(default)] last_name: String,
    #[server(default)] email: String,
    #[server(default)] age: String,
    #[server(default)] gender: String,
    #[server(default)] password: String,
    #[server(default)] confirm_password: String,
    #[server(default)] role: String,
) -> Result<(), AppError> {
    use crate::domain::employee::EmployeeForm;
    use crate::server::storage::people;
    use leptos::server_fn::ServerFn;
    let manager = super::context::require_manager()?;
    let state = super::context::state()?;
    let form = EmployeeForm {
        first_name,
        last_name,
        email,
        age,
        gender,
        role,
    };
    let outcome = async {
        let typed = (password.as_str(), confirm_password.as_str());
        let (draft, password) = server::check(&form, Some(typed), &state)?;
        let hash = server::hash(password.as_ref()).await?;
        let actor = super::context::actor(&manager);
        let id = people::create_employee(&state.db, &draft, &hash, &actor, super::context::now())
            .await
            .map_err(|e| server::people_error(e, server::Change::Create))?;
        tracing::info!(user_id = id, by = manager.id, "employee created");
        leptos_axum::redirect(&format!("/employees?created={id}"));
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(error) = &outcome {
        super::form::back_to_form("/employees/new", CreateEmployee::PATH, &form, error);
    }
    outcome
}

/// Saves an account's details.
#[server(prefix = "/api", endpoint = "employees/update")]
pub async fn update_employee(
    id: i64,
    #[server(default)] first_name: String,
    #[server(default)] last_name: String,
    #[server(default)] email: String,
    #[server(default)] age: String,
    #[server(default)] gender: String,
    #[server(default)] role: String,
) -> Result<(), AppError> {
    use crate::domain::employee::EmployeeForm;
    use crate::server::storage::people;
    use leptos::server_fn::ServerFn;
    let manager = super::context::require_manager()?;
    let state = super::context::state()?;
    let form = EmployeeForm {
        first_name,
        last_name,
        email,
        age,
        gender,
        role,
    };
    let outcome = async {
        let (draft, _) = server::check(&form, None, &state)?;
        let actor = super::context::actor(&manager);
        people::update_employee(&state.db, id, &draft, &actor, super::context::now())
            .await
            .map_err(|e| server::people_error(e, server::Change::Update))?;
        tracing::info!(user_id = id, by = manager.id, "employee updated");
        leptos_axum::redirect(&format!("/employees/{id}?saved=1"));
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(error) = &outcome {
        super::form::back_to_form(
            &format!("/employees/{id}"),
            UpdateEmployee::PATH,
            &form,
            error,
        );
    }
    outcome
}

/// Sets a new password for someone who forgot theirs; it signs them out everywhere (but for the
/// manager's own session, when it is their own account).
#[server(prefix = "/api", endpoint = "employees/password")]
pub async fn reset_employee_password(
    id: i64,
    #[server(default)] new_password: String,
    #[server(default)] confirm_password: String,
) -> Result<(), AppError> {
    use crate::domain::Password;
    use crate::error::FieldError;
    use crate::server::storage::people;
    let manager = super::context::require_manager()?;
    let state = super::context::state()?;
    let person = people::get_employee(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let related = [
        person.user.email.as_str(),
        person.user.first_name.as_str(),
        person.user.last_name.as_str(),
        state.config.shop_name.as_str(),
    ];
    let mut errors = Vec::new();
    let password = Password::parse(&new_password)
        .and_then(|p| p.check_strength(&related).map(|()| p))
        .map_err(|e| errors.push(FieldError::new("new_password", e)))
        .ok();
    if let Err(e) = crate::domain::password::confirmed(&new_password, &confirm_password) {
        errors.push(FieldError::new("confirm_password", e));
    }
    let password = match password {
        Some(password) if errors.is_empty() => password,
        _ => return Err(AppError::InvalidFields(errors)),
    };
    let hash = server::hash(Some(&password)).await?;
    let keep = (id == manager.id)
        .then(super::context::session_hash)
        .flatten();
    let actor = super::context::actor(&manager);
    let ended = people::reset_password(
        &state.db,
        id,
        &hash,
        keep.as_deref(),
        &actor,
        super::context::now(),
    )
    .await
    .map_err(|e| server::people_error(e, server::Change::ResetPassword))?;
    tracing::info!(
        user_id = id,
        by = manager.id,
        sessions_ended = ended,
        "password reset"
    );
    leptos_axum::redirect(&format!("/employees/{id}?password=1"));
    Ok(())
}

/// Deactivates an account: its sessions end at once and it can no longer sign in.
#[server(prefix = "/api", endpoint = "employees/deactivate")]
pub async fn deactivate_employee(id: i64) -> Result<(), AppError> {
    server::set_active(id, false).await
}

/// Lets a deactivated account sign in again.
#[server(prefix = "/api", endpoint = "employees/reactivate")]
pub async fn reactivate_employee(id: i64) -> Result<(), AppError> {
    server::set_active(id, true).await
}

/// Deletes an account that has recorded nothing; anyone with history is deactivated instead.
#[server(prefix = "/api", endpoint = "employees/delete")]
pub async fn delete_employee(id: i64) -> Result<(), AppError> {
    use crate::server::storage::people;
    let manager = super::context::require_manager()?;
    let state = super::context::state()?;
    let actor = super::context::actor(&manager);
    people::delete_employee(&state.db, id, &actor, super::context::now())
        .await
        .map_err(|e| server::people_error(e, server::Change::Delete))?;
    tracing::info!(user_id = id, by = manager.id, "employee deleted");
    leptos_axum::redirect("/employees?deleted=1");
    Ok(())
}

/// The audit trail, newest first; `before`/`after` are the cursors of the neighbouring pages.
#[server(prefix = "/api", endpoint = "audit/list")]
pub async fn list_audit(
    #[server(default)] before: Option<String>,
    #[server(default)] after: Option<String>,
) -> Result<Page<AuditEntry>, AppError> {
    use crate::domain::ledger::Seek;
    use crate::server::storage::audit;
    super::context::require_manager()?;
    let state = super::context::state()?;
    let seek = Seek::from_params(before.as_deref(), after.as_deref());
    Ok(audit::list(&state.db, seek, AUDIT_PER_PAGE).await?)
}

#[cfg(feature = "ssr")]
mod server {
    //! The server half shared by the functions above.

    use crate::domain::employee::{EmployeeDraft, EmployeeForm};
    use crate::domain::Password;
    use crate::error::{AppError, FieldError};
    use crate::server::state::AppState;
    use crate::server::storage::people::PeopleError;

    /// Checks the form and, for a new account, its password and `Confirm password`, collecting
    /// every problem at once.
    pub fn check(
        form: &EmployeeForm,
        password: Option<(&str, &str)>,
        state: &AppState,
    ) -> Result<(EmployeeDraft, Option<Password>), AppError> {
        let draft = form.parse();
        let mut errors = draft.as_ref().err().cloned().unwrap_or_default();
        let related = [
            form.email.trim(),
            form.first_name.trim(),
            form.last_name.trim(),
            state.config.shop_name.as_str(),
        ];
        let password = password.and_then(|(text, again)| {
            let checked = Password::parse(text)
                .and_then(|p| p.check_strength(&related).map(|()| p))
                .map_err(|e| errors.push(FieldError::new("password", e)))
                .ok();
            if let Err(e) = crate::domain::password::confirmed(text, again) {
                errors.push(FieldError::new("confirm_password", e));
            }
            checked
        });
        match draft {
            Ok(draft) if errors.is_empty() => Ok((draft, password)),
            _ => Err(AppError::InvalidFields(errors)),
        }
    }

    /// Hashes a checked password.
    pub async fn hash(password: Option<&Password>) -> Result<String, AppError> {
        let password = password.ok_or(AppError::Internal)?;
        crate::server::passwords::hash_password(password)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "hashing a password failed");
                AppError::Internal
            })
    }

    /// Which change to an account was refused.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Change {
        Create,
        Update,
        ResetPassword,
        SetActive,
        Delete,
    }

    /// What a manager reads when a change is refused, next to the field of the form that made
    /// it (`account` is the account section's buttons).
    pub fn people_error(error: PeopleError, change: Change) -> AppError {
        let conflict = |field: &str, message: &str| AppError::Conflict {
            field: field.to_owned(),
            message: message.to_owned(),
        };
        let field = match change {
            Change::Update => "role",
            Change::ResetPassword => "new_password",
            Change::Create | Change::SetActive | Change::Delete => "account",
        };
        match (error, change) {
            (PeopleError::NotFound, _) => AppError::NotFound,
            (PeopleError::EmailTaken, _) => {
                conflict("email", "Another account already uses this email")
            }
            (PeopleError::LastManager, _) => conflict(
                field,
                "The shop needs an active manager: make someone else a manager first",
            ),
            (PeopleError::OwnAccount, Change::Update) => conflict(
                field,
                "You cannot take away your own manager role: ask another manager",
            ),
            (PeopleError::OwnAccount, Change::Delete) => {
                conflict(field, "You cannot delete your own account")
            }
            (PeopleError::OwnAccount, _) => {
                conflict(field, "You cannot deactivate your own account")
            }
            (PeopleError::HasHistory, _) => conflict(
                "account",
                "This person has recorded bills or stock movements, so they stay in the books: \
                 deactivate them instead",
            ),
            (PeopleError::Storage(e), _) => e.into(),
        }
    }

    /// Deactivates or reactivates account `id`.
    pub async fn set_active(id: i64, active: bool) -> Result<(), AppError> {
        use crate::server::storage::people;
        let manager = crate::api::context::require_manager()?;
        let state = crate::api::context::state()?;
        let actor = crate::api::context::actor(&manager);
        people::set_active(&state.db, id, active, &actor, crate::api::context::now())
            .await
            .map_err(|e| people_error(e, Change::SetActive))?;
        tracing::info!(
            user_id = id,
            by = manager.id,
            active,
            "employee active state set"
        );
        let outcome = if active { "reactivated" } else { "deactivated" };
        leptos_axum::redirect(&format!("/employees/{id}?{outcome}=1"));
        Ok(())
    }
}
