//! `POST /inventory/import/check`: the `Check file` form (plain multipart, works without
//! JavaScript). The file is read, checked row by row and matched to the catalogue; the report
//! is kept (`storage::imports`) and the browser lands on its preview,
//! `/inventory/import?upload=…`. Nothing is written to the catalogue here.

use crate::domain::import::{check, Header, Problem, Report, MAX_FILE_BYTES};
use crate::server::csv_format::records;
use crate::server::middleware::CurrentUser;
use crate::server::state::AppState;
use crate::server::storage::imports;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

/// The largest body the check route takes: the file plus the multipart form around it.
pub const UPLOAD_BODY_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;

/// What a file too large for the import is told.
pub const TOO_LARGE: &str = "The file is larger than 10 MiB. Split it into smaller files.";

/// The uploaded file: its name and bytes, or why it could not be read.
async fn file_of(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(String, Vec<u8>), Problem> {
    let unreadable = || {
        Problem::new(
            0,
            "",
            "The upload could not be read. Choose the file again.",
        )
    };
    let mut multipart = multipart.map_err(|_| unreadable())?;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("file") {
            let name: String = field
                .file_name()
                .unwrap_or("upload.csv")
                .chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect();
            let bytes = field.bytes().await.map_err(|_| unreadable())?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(Problem::new(0, "", "Choose a CSV file to check"))
}

/// The report of a file: every row checked, or the one problem that stopped reading it.
fn report_of(file_name: String, bytes: &[u8]) -> Report {
    let mut report = Report {
        file_name,
        ..Report::default()
    };
    let mut rows = match records(bytes) {
        Ok(rows) => rows.into_iter(),
        Err(problem) => {
            report.add_problems([problem]);
            return report;
        }
    };
    let header = match rows.next().map(|(_, cells)| Header::parse(&cells)) {
        Some(Ok(header)) => header,
        Some(Err(problem)) => {
            report.add_problems([problem]);
            return report;
        }
        None => {
            report.add_problems([Problem::new(0, "", "The file is empty")]);
            return report;
        }
    };
    let checked = check(&header, rows);
    if checked.rows.is_empty() && checked.problems.is_empty() {
        report.add_problems([Problem::new(
            0,
            "",
            "The file has no products under its header",
        )]);
    }
    report.rows = checked.rows;
    report.unknown_columns = checked.unknown_columns;
    report.add_problems(checked.problems);
    report
}

pub(super) async fn check_file(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(Extension(CurrentUser(user))) = user else {
        return (StatusCode::UNAUTHORIZED, "Sign in to continue").into_response();
    };
    if !user.role.is_manager() {
        return (StatusCode::FORBIDDEN, "Only a manager can do this").into_response();
    }
    let mut report = match file_of(multipart).await {
        Ok((_, bytes)) if bytes.len() > MAX_FILE_BYTES => {
            return (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE).into_response();
        }
        // Reading 50,000 rows is some milliseconds of CPU: off the async workers.
        Ok((name, bytes)) => {
            match tokio::task::spawn_blocking(move || report_of(name, &bytes)).await {
                Ok(report) => report,
                Err(error) => {
                    tracing::error!(%error, "checking an import failed");
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            }
        }
        Err(problem) => {
            let mut report = Report::default();
            report.add_problems([problem]);
            report
        }
    };
    let now = state.clock.now();
    let saved = async {
        if report.problems.is_empty() {
            imports::plan(&state.db, &mut report).await?;
        }
        let id = crate::server::sessions::random_key();
        imports::save(&state.db, &id, user.id, &report, now).await?;
        Ok::<_, crate::server::storage::StorageError>(id)
    }
    .await;
    match saved {
        Ok(id) => Redirect::to(&format!("/inventory/import?upload={id}")).into_response(),
        Err(error) => {
            tracing::error!(%error, "keeping an import's report failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The file could not be checked just now. Try again shortly.",
            )
                .into_response()
        }
    }
}
