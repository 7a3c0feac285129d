//! The catalogue import, for managers: the preview of a checked upload and `Import`. The file
//! itself arrives as a plain multipart form at `/inventory/import/check`
//! (`server::http::imports`), which checks it, keeps the report and lands on the preview.

use crate::domain::import::Preview;
use crate::error::AppError;
use leptos::prelude::*;

/// The preview of checked upload `upload` (the manager's own, within its hour).
#[server(prefix = "/api", endpoint = "inventory/import/preview")]
pub async fn import_preview(upload: String) -> Result<Preview, AppError> {
    use crate::server::storage::imports;
    let manager = super::context::require_manager()?;
    let state = super::context::state()?;
    let (report, imported) = imports::get(&state.db, &upload, manager.id, super::context::now())
        .await?
        .ok_or_else(gone)?;
    Ok(Preview {
        imported,
        ..report.preview()
    })
}

/// Imports checked upload `upload`: every row or none, once (a second `Import` records
/// nothing more). The browser lands on the upload's page, which reads `Imported N products`.
#[server(prefix = "/api", endpoint = "inventory/import")]
pub async fn import_catalogue(#[server(default)] upload: String) -> Result<i64, AppError> {
    use crate::server::storage::imports::{self, ImportError};
    let manager = super::context::require_manager()?;
    let (manager_id, actor) = (manager.id, super::context::actor(&manager));
    let state = super::context::state()?;
    // On a task of its own: a large file on a slow database may outlast the response deadline,
    // and the import then still finishes (or rolls back) whole rather than being cut off; the
    // upload's page says which.
    let (db, id, now) = (state.db.clone(), upload.clone(), super::context::now());
    let done = tokio::spawn(async move { imports::apply(&db, &id, &actor, now).await })
        .await
        .map_err(|error| {
            tracing::error!(%error, "an import's task failed");
            AppError::Internal
        })?
        .map_err(|error| match error {
            ImportError::Gone => gone(),
            ImportError::Storage(e) => e.into(),
            other => AppError::Conflict {
                field: "upload".into(),
                message: other.to_string(),
            },
        })?;
    tracing::info!(
        by = manager_id,
        products = done.products,
        replay = done.replayed,
        "catalogue imported"
    );
    let upload: String = form_urlencoded::byte_serialize(upload.as_bytes()).collect();
    leptos_axum::redirect(&format!("/inventory/import?upload={upload}"));
    Ok(done.products)
}

#[cfg(feature = "ssr")]
fn gone() -> AppError {
    AppError::Conflict {
        field: "upload".into(),
        message: "This upload is not known or has expired. Check the file again.".into(),
    }
}
