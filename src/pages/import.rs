//! `/inventory/import` (managers): bring a catalogue in from a CSV file. `CSV file` and `Check
//! file` post the file (a plain multipart form) to `/inventory/import/check`, which lands back
//! here with `?upload=…`: the preview (products to create and update, opening stock, every
//! problem as `Line N: …`). `Import` applies exactly that, once, and the page then reads
//! `Imported N products`.

use crate::api::imports::{import_preview, ImportCatalogue};
use crate::domain::import::Preview;
use crate::error::AppError;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The import page.
#[component]
pub fn ImportPage() -> impl IntoView {
    let upload = use_query_map()
        .get_untracked()
        .get("upload")
        .filter(|u| !u.is_empty());
    let preview = Resource::new(
        {
            let upload = upload.clone();
            move || upload.clone()
        },
        |upload| async move {
            match upload {
                Some(upload) => import_preview(upload).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Import CSV"/>
        <div class="page-head">
            <h1>"Import CSV"</h1>
            <a href="/inventory">"Back to inventory"</a>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Reading the file…"</p> }>
            {move || {
                let upload = upload.clone();
                Suspend::new(async move {
                    match preview.await {
                        Ok(Some(preview)) => Either::Left(view! {
                            <PreviewView preview upload=upload.unwrap_or_default()/>
                        }),
                        Ok(None) => Either::Right(None),
                        Err(e) => Either::Right(Some(view! {
                            <p class="form-error" role="alert">{e.to_string()}</p>
                        })),
                    }
                })
            }}
        </Suspense>
        <CheckForm/>
    }
}

/// `CSV file` and `Check file`: a plain multipart form.
#[component]
fn CheckForm() -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="h-check">
            <h2 id="h-check">"Check a file"</h2>
            <p class="muted">
                "A header row names the columns: name (required), sku, unit, selling_price, "
                "tax_rate, tax_code, lower_limit, upper_limit, loose, quantity, unit_cost, "
                "expires_on. A row whose SKU or name matches a product updates it; the others "
                "create products. A quantity enters as opening stock at its unit cost. "
                "A loose product kept in g (ml) gives its quantity and limits in kg (L) and its "
                "prices per kg (per L), as the inventory export writes them. "
                "UTF-8 or Windows-1252, commas, semicolons or tabs, up to 10 MiB."
            </p>
            <form action="/inventory/import/check" method="post" enctype="multipart/form-data" class="form">
                <div class="field">
                    <label for="csv-file">"CSV file"</label>
                    <input id="csv-file" name="file" type="file" accept=".csv,.txt,text/csv" required/>
                </div>
                <button type="submit" class="button primary">"Check file"</button>
            </form>
        </section>
    }
}

/// What a checked file would do, its problems, and `Import` when there are none.
#[component]
fn PreviewView(preview: Preview, upload: String) -> impl IntoView {
    let action = ServerAction::<ImportCatalogue>::new();
    let error: Option<AppError> = action.value().get_untracked().and_then(Result::err);
    let currency = crate::components::viewer::currency();
    let Preview {
        file_name,
        creates,
        updates,
        opening_products,
        opening_units,
        opening_value,
        problems,
        more_problems,
        unknown_columns,
        imported,
    } = preview;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let summary = match imported {
        Some(n) => Either::Left(view! {
            <p class="notice" role="status">{format!("Imported {n} products")}</p>
        }),
        None => Either::Right(view! {
            <dl class="facts">
                <dt>"To create"</dt><dd>{format!("{creates} to create")}</dd>
                <dt>"To update"</dt><dd>{format!("{updates} to update")}</dd>
                <dt>"Opening stock"</dt>
                <dd>{format!(
                    "{} in {}, worth {}",
                    plural(usize::try_from(opening_units).unwrap_or_default(), "unit", "units"),
                    plural(opening_products, "product", "products"),
                    currency.format(opening_value),
                )}</dd>
            </dl>
        }),
    };
    let ready = problems.is_empty() && imported.is_none();
    view! {
        <section class="card" aria-labelledby="h-preview">
            <h2 id="h-preview">{format!("Checked: {file_name}")}</h2>
            {summary}
            {(!unknown_columns.is_empty()).then(|| view! {
                <p class="muted">{format!("Columns not imported: {}", unknown_columns.join(", "))}</p>
            })}
            {(!problems.is_empty()).then(|| view! {
                <div role="alert">
                    <p class="form-error">"Nothing was imported. Fix these problems and check the file again:"</p>
                    <ul class="problems">
                        {problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                    </ul>
                    {(more_problems > 0).then(|| view! { <p class="muted">{format!("…and {more_problems} more")}</p> })}
                </div>
            })}
            {error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            {ready.then(|| view! {
                <ActionForm action attr:class="form">
                    <input type="hidden" name="upload" value=upload/>
                    <button type="submit" class="button primary">"Import"</button>
                </ActionForm>
            })}
        </section>
    }
}
