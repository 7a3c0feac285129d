//! `/employees` (the list), `/employees/new` (`Add employee`) and `/employees/{id}` (edit,
//! deactivate, reactivate, delete). Managers only: the layout shows everyone else the 403 page
//! (see `api::access`). Every form is a plain form post that works without JavaScript; a refused
//! one comes back with what was typed and a message next to each field.

use crate::api::people::{
    get_employee, list_employees, CreateEmployee, DeactivateEmployee, DeleteEmployee, EmployeeList,
    ReactivateEmployee, ResetEmployeePassword, UpdateEmployee,
};
use crate::components::confirm::{self, AskFirst, ConfirmPage};
use crate::components::status::set_status;
use crate::components::table::TableRegion;
use crate::components::time::shop_time;
use crate::domain::employee::{Employee, EmployeeForm, Gender};
use crate::error::AppError;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

/// The list of every account, with role and active state.
#[component]
pub fn EmployeesPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_employees());
    let query = use_query_map().get_untracked();
    let created = query.get("created").and_then(|id| id.parse::<i64>().ok());
    let deleted = query.get("deleted").is_some();
    view! {
        <Title text="Employees"/>
        <div class="page-head">
            <h1>"Employees"</h1>
            <div class="actions">
                <a href="/employees/audit">"Audit trail"</a>
                <a href="/employees/new" class="button primary">"Add employee"</a>
            </div>
        </div>
        {deleted.then(|| view! { <p class="notice" role="status">"The account was deleted."</p> })}
        <Suspense fallback=|| view! { <p class="muted">"Loading employees…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => {
                        set_status(e.status());
                        Either::Left(view! { <p class="form-error" role="alert">{e.to_string()}</p> })
                    }
                    Ok(EmployeeList { employees, me }) => {
                        let added = created
                            .and_then(|id| employees.iter().find(|e| e.user.id == id))
                            .map(|e| view! { <p class="notice" role="status">{format!("Added {}.", e.user.full_name())}</p> });
                        let rows = employees
                            .into_iter()
                            .map(|employee| view! { <EmployeeRow employee me/> })
                            .collect_view();
                        Either::Right(view! {
                            {added}
                            <TableRegion label="Employees">
                                <table class="data">
                                    <thead><tr>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"Email"</th>
                                        <th scope="col">"Gender"</th>
                                        <th scope="col" class="num">"Age"</th>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"Status"</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </TableRegion>
                        })
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn EmployeeRow(employee: Employee, me: i64) -> impl IntoView {
    let you = (employee.user.id == me).then_some(" (you)");
    let (status, class) = if employee.active {
        ("Active", "badge info")
    } else {
        ("Deactivated", "badge danger")
    };
    let name = employee.user.full_name();
    let email = employee.user.email.to_string();
    let role = role_label(employee.user.role);
    view! {
        <tr>
            <td><a href=format!("/employees/{}", employee.user.id)>{name}</a>{you}</td>
            <td>{email}</td>
            <td>{employee.gender.map(Gender::label)}</td>
            <td class="num">{employee.age}</td>
            <td>{role}</td>
            <td><span class=class>{status}</span></td>
        </tr>
    }
}

fn role_label(role: crate::domain::Role) -> &'static str {
    if role.is_manager() {
        "Manager"
    } else {
        "Staff"
    }
}

/// What a refused plain-form submit brought back in the query, if it did.
fn typed_after_refusal() -> Option<EmployeeForm> {
    use_query_map().get_untracked().get("__err")?;
    Some(crate::api::form::typed())
}

/// A field's message, from the last refused submit.
fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.for_field(field)).map(
            |m| view! { <p class="field-error" role="alert" id=format!("{field}-error")>{m}</p> },
        )
    }
}

/// The name, email, age, gender and role fields, filled with `typed`.
#[component]
fn PersonFields(typed: EmployeeForm, error: Signal<Option<AppError>>) -> impl IntoView {
    let text = move |id: &'static str,
                     label: &'static str,
                     value: String,
                     kind: &'static str,
                     auto: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id name=id type=kind value=value autocomplete=auto aria-describedby=format!("{id}-error")/>
                {field_error(error, id)}
            </div>
        }
    };
    let gender = typed.gender.clone();
    let gender_options = Gender::ALL
        .into_iter()
        .map(|g| view! { <option value=g.as_str() selected={gender == g.as_str()}>{g.label()}</option> })
        .collect_view();
    let manager = typed.role == "manager";
    view! {
        {text("first_name", "First name", typed.first_name, "text", "off")}
        {text("last_name", "Last name", typed.last_name, "text", "off")}
        {text("email", "Email", typed.email, "email", "off")}
        <div class="field">
            <label for="age">"Age"</label>
            <input id="age" name="age" inputmode="numeric" value=typed.age aria-describedby="age-error"/>
            {field_error(error, "age")}
        </div>
        <div class="field">
            <label for="gender">"Gender"</label>
            <select id="gender" name="gender">
                <option value="" selected=typed.gender.is_empty()>"Prefer not to say"</option>
                {gender_options}
            </select>
            {field_error(error, "gender")}
        </div>
        <div class="field">
            <label for="role">"Role"</label>
            <select id="role" name="role">
                <option value="staff" selected=!manager>"Staff"</option>
                <option value="manager" selected=manager>"Manager"</option>
            </select>
            {field_error(error, "role")}
        </div>
    }
}

/// The fields the employee forms show messages beside.
const FIELDS: [&str; 8] = [
    "first_name",
    "last_name",
    "email",
    "age",
    "gender",
    "role",
    "password",
    "confirm_password",
];

/// A message for errors that belong to no field of the form.
fn general_error(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| FIELDS.iter().all(|f| e.for_field(f).is_none()))
            .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
    }
}

/// `/employees/new`: the `Add employee` form.
#[component]
pub fn NewEmployeePage() -> impl IntoView {
    let create = ServerAction::<CreateEmployee>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let typed = typed_after_refusal().unwrap_or(EmployeeForm {
        role: "staff".into(),
        ..EmployeeForm::default()
    });
    view! {
        <Title text="Add employee"/>
        <div class="page-head">
            <h1>"Add employee"</h1>
            <a href="/employees">"Back to employees"</a>
        </div>
        <ActionForm action=create attr:class="form card" attr:novalidate=true>
            <PersonFields typed error/>
            <div class="field">
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-error password-hint"/>
                <p class="muted" id="password-hint">"At least 10 characters; a few uncommon words work well."</p>
                {field_error(error, "password")}
            </div>
            <div class="field">
                <label for="confirm_password">"Confirm password"</label>
                <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" aria-describedby="confirm_password-error"/>
                {field_error(error, "confirm_password")}
            </div>
            {general_error(error)}
            <button type="submit" class="button primary">"Create employee"</button>
        </ActionForm>
    }
}

/// `/employees/{id}`: edit one account; deactivate, reactivate or delete it.
#[component]
pub fn EmployeePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    // Keyed on the query too: after a change the server sends the browser back here with
    // `?saved=1` (or `?deactivated=1`…), which must show the record as it now is.
    let search = use_location().search;
    let detail = Resource::new(
        move || (id.get(), search.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_employee(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(EmployeeList { mut employees, me }) if !employees.is_empty() => {
                        view! { <EmployeeView employee=employees.remove(0) me/> }.into_any()
                    }
                    Ok(_) | Err(AppError::NotFound) => {
                        set_status(404);
                        view! { <Title text="Employee"/> <h1>"Employee not found"</h1> <p><a href="/employees">"Back to employees"</a></p> }.into_any()
                    }
                    Err(e) => {
                        set_status(e.status());
                        view! { <Title text="Employee"/> <h1>"Employee"</h1> <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn EmployeeView(employee: Employee, me: i64) -> impl IntoView {
    let update = ServerAction::<UpdateEmployee>::new();
    let deactivate = ServerAction::<DeactivateEmployee>::new();
    let reactivate = ServerAction::<ReactivateEmployee>::new();
    let delete = ServerAction::<DeleteEmployee>::new();
    let reset = ServerAction::<ResetEmployeePassword>::new();
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let reset_error = Signal::derive(move || reset.value().get().and_then(Result::err));
    let account_error = Signal::derive(move || {
        deactivate
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| reactivate.value().get().and_then(Result::err))
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let query = use_query_map().get_untracked();
    let saved = query.get("saved").is_some();
    let password_set = query.get("password").is_some();
    let changed = if query.get("deactivated").is_some() {
        Some("Deactivated: signed out everywhere, and cannot sign in.")
    } else if query.get("reactivated").is_some() {
        Some("Reactivated: this person can sign in again.")
    } else {
        None
    };
    let typed = typed_after_refusal().unwrap_or_else(|| EmployeeForm::of(&employee));
    let id = employee.user.id;
    let is_me = id == me;
    let name = employee.user.full_name();
    let status = if employee.active {
        "Active"
    } else {
        "Deactivated"
    };
    let account = if employee.active {
        Either::Left((!is_me).then(|| {
            view! {
                <AskFirst page=format!("/employees/{id}") what="deactivate" label="Deactivate"/>
            }
        }))
    } else {
        Either::Right(view! {
            <ActionForm action=reactivate attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button secondary">"Reactivate"</button>
            </ActionForm>
        })
    };
    let removable = !is_me && !employee.has_history;
    let asked = confirm::asked();
    let confirming = match asked.as_deref() {
        Some("deactivate") if employee.active && !is_me => Some((
            format!("Deactivate {name}?"),
            "They are signed out at once and cannot sign in until reactivated; their bills stay in the books.",
            true,
        )),
        Some("delete") if removable => Some((
            format!("Delete {name}?"),
            "They have recorded nothing, so their account is deleted for good.",
            false,
        )),
        _ => None,
    };
    if let Some((question, consequence, deactivating)) = confirming {
        let form = if deactivating {
            Either::Left(view! {
                <ActionForm action=deactivate attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="button danger">"Confirm"</button>
                </ActionForm>
            })
        } else {
            Either::Right(view! {
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="button danger">"Confirm"</button>
                </ActionForm>
            })
        };
        return view! {
            <ConfirmPage question consequence=consequence.to_owned() back=format!("/employees/{id}")>
                {form}
            </ConfirmPage>
            {move || account_error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        }
        .into_any();
    }
    view! {
        <Title text=name.clone()/>
        <div class="page-head">
            <h1>{name}</h1>
            <a href="/employees">"Back to employees"</a>
        </div>
        <p class="stock-line">
            {format!("{} · {} · added {}", role_label(employee.user.role), status, shop_time(employee.created_at))}
        </p>
        {saved.then(|| view! { <p class="notice" role="status">"Saved."</p> })}
        {changed.map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <ActionForm action=update attr:class="form card" attr:novalidate=true>
            <input type="hidden" name="id" value=id/>
            <PersonFields typed error/>
            {general_error(error)}
            <button type="submit" class="button primary">"Save"</button>
        </ActionForm>
        <h2>"Password"</h2>
        {password_set.then(|| view! {
            <p class="notice" role="status">"New password set. Every other session of this account has ended."</p>
        })}
        <ActionForm action=reset attr:class="form card">
            <input type="hidden" name="id" value=id/>
            <div class="field">
                <label for="new_password">"New password"</label>
                <input id="new_password" name="new_password" type="password" autocomplete="new-password" aria-describedby="new_password-hint"/>
                <p class="muted" id="new_password-hint">"For someone who forgot theirs. It signs them out everywhere."</p>
                {field_error(reset_error, "new_password")}
            </div>
            <div class="field">
                <label for="confirm_password">"Confirm password"</label>
                <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" aria-describedby="confirm_password-error"/>
                {field_error(reset_error, "confirm_password")}
            </div>
            {move || reset_error.get().filter(|e| e.for_field("new_password").is_none() && e.for_field("confirm_password").is_none()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            <button type="submit" class="button secondary">"Set password"</button>
        </ActionForm>
        <section class="danger-zone" aria-label="Account">
            <h2>"Account"</h2>
            <p class="muted">
                {if is_me {
                    "This is your own account: another manager can deactivate it."
                } else {
                    "A deactivated person is signed out at once and cannot sign in; their bills stay in the books."
                }}
            </p>
            <div class="actions">
                {account}
                {removable.then(|| view! {
                    <AskFirst page=format!("/employees/{id}") what="delete" label="Delete employee"/>
                })}
            </div>
            {move || account_error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </section>
    }
    .into_any()
}
