//! The people import in the web interface: upload, preview (the import run
//! in a transaction that is rolled back), then apply.

use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::security::same_secret;
use crate::view::{ImportErrorRow, ImportPage, ImportPreviewPage, Layout};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Resource, Target, decide};
use integer_domain::i18n::{Catalog, Lang};
use integer_domain::import::{LineError, parse_people_csv};
use integer_store::audit;
use integer_store::import::{self, ImportReport};

fn check(s: &SignedIn) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(
        p,
        Action::Import,
        Resource::PeopleImport,
        Target::org(p.org),
    )
    .map_err(|_| AppError::Forbidden)?;
    Ok(())
}

pub async fn form(s: SignedIn) -> Result<Response, AppError> {
    check(&s)?;
    render(&ImportPage {
        l: Layout::new(&s.ctx, "import-title"),
        errors: FieldErrors::default(),
        file_error: None,
    })
}

fn error_rows(lang: Lang, errors: &[LineError]) -> Vec<ImportErrorRow> {
    let catalog = Catalog::bundled();
    errors
        .iter()
        .map(|e| ImportErrorRow {
            line: e.line,
            column: e.column.clone(),
            message: catalog.render(lang, &e.problem),
        })
        .collect()
}

fn file_problem(s: &SignedIn, problem: &Problem) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    errors.add(s.ctx.lang, "bestand", problem);
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ImportPage {
            l: Layout::new(&s.ctx, "import-title"),
            errors,
            file_error: None,
        },
    )
}

pub async fn upload(
    State(state): State<AppState>,
    s: SignedIn,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    check(&s)?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::PayloadTooLarge);
            }
            Err(_) => return Err(AppError::BadRequest),
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|_| AppError::BadRequest)?,
            Some("bestand") => {
                let name: String = field
                    .file_name()
                    .unwrap_or("import.csv")
                    .chars()
                    .take(200)
                    .collect();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        AppError::PayloadTooLarge
                    } else {
                        AppError::BadRequest
                    }
                })?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    if !same_secret(&csrf, &s.user.csrf) {
        return Err(AppError::Csrf);
    }
    let Some((file_name, content)) = file.filter(|(_, c)| !c.is_empty()) else {
        return file_problem(&s, &Problem::new("import-error-no-file"));
    };
    let parsed = match parse_people_csv(&content) {
        Ok(p) => p,
        Err(e) => return file_problem(&s, &e.0),
    };
    let p = &s.user.principal;
    // Keep the file (so that any server instance can apply it), then run
    // the import in a transaction that is rolled back: the preview.
    let mut tx = state.store.begin_write().await?;
    let import_id = import::save_pending(&mut tx, p.org, p.person, &file_name, &content).await?;
    tx.commit().await?;
    let mut tx = state.store.begin_write().await?;
    let report = import::apply(&mut tx, p.org, &parsed, true, &|_| {}).await?;
    tx.rollback().await?;
    preview(&s, import_id, file_name, &report, false, StatusCode::OK)
}

fn preview(
    s: &SignedIn,
    import_id: i64,
    file_name: String,
    report: &ImportReport,
    applied: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    render_status(
        status,
        &ImportPreviewPage {
            l: Layout::new(
                &s.ctx,
                if applied {
                    "import-done-title"
                } else {
                    "import-preview-title"
                },
            ),
            import_id,
            file_name,
            created: report.created,
            updated: report.updated,
            skipped: report.skipped,
            line_errors: error_rows(s.ctx.lang, &report.errors),
            applied,
        },
    )
}

pub async fn apply(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    check(&s)?;
    let p = &s.user.principal;
    let skip_invalid = form.get("sla_over") == "ja";
    let mut tx = state.store.begin_write().await?;
    let Some((file_name, content)) = import::load_pending(&mut tx, p.org, id).await? else {
        return Err(AppError::NotFound);
    };
    let parsed = match parse_people_csv(&content) {
        Ok(p) => p,
        Err(e) => return file_problem(&s, &e.0),
    };
    let report = import::apply(&mut tx, p.org, &parsed, skip_invalid, &|_| {}).await?;
    if !report.errors.is_empty() && !skip_invalid {
        // Nothing is written when any line is bad, unless asked to skip.
        tx.rollback().await?;
        return preview(
            &s,
            id,
            file_name,
            &report,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if !import::mark_applied(&mut tx, p.org, id).await? {
        return Err(AppError::Conflict);
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "people.imported",
            "people_import",
            id,
            serde_json::json!({"created": report.created, "updated": report.updated, "skipped": report.skipped}),
        ),
    )
    .await?;
    // Function titles, salary scales and flags may have changed: whoever
    // is now designated is told their side activities will be published.
    integer_store::publication::sync(&mut tx, p.org, None, &super::publication::by(&s)).await?;
    tx.commit().await?;
    preview(&s, id, file_name, &report, true, StatusCode::OK)
}
