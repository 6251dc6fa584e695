//! The public register of side activities (`/o/{org}/nevenfuncties`, and
//! `.csv` and `.json` at stable addresses; docs/OPEN-DATA.md). No sign-in,
//! no cookies. Publication follows designation: the side activities of
//! people in designated functions, once they were shown the text and
//! confirmed it or the notice period passed.

use super::render;
use crate::AppState;
use crate::ctx::lang_from_headers;
use crate::error::AppError;
use crate::view::{Layout, PublicRegisterPage};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use integer_store::{orgs, publication};

async fn load(
    state: &AppState,
    slug: &str,
) -> Result<
    (
        orgs::Organisation,
        Vec<publication::PublicEntry>,
        Option<String>,
    ),
    AppError,
> {
    let mut conn = state.store.conn().await?;
    let org = orgs::by_slug(&mut conn, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let (entries, updated) = publication::register(&mut conn, org.id, integer_store::now()).await?;
    Ok((org, entries, updated))
}

/// `GET /o/{org}/nevenfuncties` (HTML), `.json` and `.csv`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, entries, updated) = load(&state, &slug).await?;
    let cache = (header::CACHE_CONTROL, "public, max-age=300");
    match file.as_str() {
        "nevenfuncties" => {
            let lang = lang_from_headers(&headers);
            let ctx = crate::ctx::Ctx {
                lang,
                path: format!("/o/{slug}/nevenfuncties"),
                user: None,
                demo: false,
            };
            let page = PublicRegisterPage {
                l: Layout::new(&ctx, "public-title"),
                organisation: org.name.clone(),
                slug: org.slug.clone(),
                updated: updated.unwrap_or_default(),
                entries,
            };
            let mut response = render(&page)?;
            response
                .headers_mut()
                .insert(cache.0, cache.1.parse().expect("static header"));
            Ok(response)
        }
        "nevenfuncties.json" => {
            let body = serde_json::json!({
                "organisation": {"slug": org.slug, "name": org.name},
                "updated": updated,
                "entries": entries,
            });
            Ok(([cache], axum::Json(body)).into_response())
        }
        "nevenfuncties.csv" => {
            // The one CSV writer: formulas neutralised (a published side
            // activity is text its holder wrote).
            let mut w = integer_domain::export::CsvWriter::new(&[
                "name",
                "function_title",
                "activity",
                "organisation",
                "paid",
                "conditions",
                "approved_on",
                "reviewed_on",
                "register_updated",
            ]);
            for e in &entries {
                w.row(&[
                    e.name.clone().unwrap_or_default(),
                    e.function_title.clone().unwrap_or_default(),
                    e.activity.clone(),
                    e.organisation.clone().unwrap_or_default(),
                    (if e.paid { "yes" } else { "no" }).to_string(),
                    e.conditions.clone().unwrap_or_default(),
                    e.approved_on.clone(),
                    e.reviewed_on.clone(),
                    updated.clone().unwrap_or_default(),
                ]);
            }
            let body = w.finish();
            Ok((
                [cache, (header::CONTENT_TYPE, "text/csv; charset=utf-8")],
                body,
            )
                .into_response())
        }
        _ => Err(AppError::NotFound),
    }
}
