//! The annual integrity report (docs/ANNUAL-REPORT.md).
//!
//! - `/jaarverslag?jaar=YYYY`: the internal, exact report for the integrity
//!   office, the director and the board; the office writes the narrative
//!   (`POST /jaarverslag/tekst`, compare-and-set) and publishes
//!   (`POST /jaarverslag/publiceren`), which freezes it.
//! - `/jaarverslag/csv`, `/jaarverslag/json` (`?versie=openbaar` for the
//!   publishable version): exports.
//! - `/o/{org}/jaarverslag/{year}` (and `.json`, `.csv`): the published,
//!   suppressed report for everyone, no sign-in, from its snapshot.
//! - `GET /api/v1/annual-report/{year}`: the internal report as JSON.

use super::render_status;
use crate::AppState;
use crate::api::ApiUser;
use crate::ctx::{Ctx, SignedIn, lang_from_headers};
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::annual_report::chart::{Bar, bar_chart};
use integer_domain::annual_report::{
    self as rules, Document, NARRATIVE_FIELDS, Narrative, OrgRef, ReportData, Shown, Version,
};
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Resource, Target, decide, may};
use integer_domain::i18n::{Catalog, Lang};
use integer_domain::org::OrgId;
use integer_store::StoreError;
use integer_store::annual_report::{self as store, Author, Saved};
use integer_store::orgs;
use jiff::civil::Date;

/// One row of a table as shown.
pub struct RowView {
    pub label: String,
    pub text: String,
    /// The exact value, or empty when suppressed (for tests and scripts).
    pub value: String,
}

pub struct TableView {
    pub dom_id: String,
    pub caption: String,
    pub head: String,
    pub rows: Vec<RowView>,
    pub total: Option<RowView>,
    /// An inline SVG bar chart.
    pub chart: Option<String>,
}

pub struct SectionView {
    pub id: String,
    pub title: String,
    /// The narrative that belongs here, in paragraphs.
    pub narrative: Vec<String>,
    pub tables: Vec<TableView>,
    pub note: Option<String>,
}

pub struct TrendView {
    pub label: String,
    pub cells: Vec<RowView>,
}

/// A report ready for the templates, every text in the reader's language.
pub struct DocView {
    pub year: i32,
    pub publishable: bool,
    pub empty: bool,
    pub made_on: String,
    pub introduction: Vec<String>,
    pub outlook: Vec<String>,
    pub sections: Vec<SectionView>,
    pub trend_years: Vec<i32>,
    pub trends: Vec<TrendView>,
    pub trend_chart: String,
}

fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn cell(label: String, shown: Shown, c: &Catalog, lang: Lang) -> RowView {
    RowView {
        label,
        text: rules::display(shown, c, lang),
        value: match shown {
            Shown::Exact(n) => n.to_string(),
            _ => String::new(),
        },
    }
}

/// The view of a document in `lang`.
pub fn doc_view(doc: &Document, lang: Lang) -> DocView {
    let c = Catalog::bundled();
    let sections = rules::section_ids(doc)
        .into_iter()
        .map(|id| {
            let tables: Vec<TableView> = doc
                .tables
                .iter()
                .filter(|t| t.section == id)
                .map(|t| {
                    let dom_id = format!("tabel-{}", t.id.replace(['.', '_'], "-"));
                    let caption = c.get(lang, &t.caption_key).to_string();
                    let rows: Vec<RowView> = t
                        .rows
                        .iter()
                        .map(|r| cell(c.get(lang, &r.label_key).to_string(), r.shown, c, lang))
                        .collect();
                    let chart = t.chart.then(|| {
                        let bars: Vec<Bar> = t
                            .rows
                            .iter()
                            .zip(&rows)
                            .map(|(r, v)| Bar {
                                label: v.label.clone(),
                                shown: r.shown,
                                text: v.text.clone(),
                            })
                            .collect();
                        bar_chart(&format!("grafiek-{dom_id}"), &caption, &bars)
                    });
                    TableView {
                        caption,
                        head: c.get(lang, &t.head_key).to_string(),
                        rows,
                        total: t
                            .total
                            .map(|s| cell(c.get(lang, "report-total").to_string(), s, c, lang)),
                        chart,
                        dom_id,
                    }
                })
                .collect();
            let narrative = match id.as_str() {
                "reports" => paragraphs(&doc.narrative.cases),
                "declarations" => paragraphs(&doc.narrative.prevention),
                _ => Vec::new(),
            };
            let not_held = id == "yearly_check"
                && doc
                    .tables
                    .iter()
                    .any(|t| t.id == "yearly_check.answers" && t.total == Some(Shown::Exact(0)));
            SectionView {
                title: c.get(lang, &rules::section_title(doc, &id)).to_string(),
                id,
                narrative,
                tables,
                note: not_held.then(|| c.get(lang, "report-check-not-held").to_string()),
            }
        })
        .collect();
    let trend_years: Vec<i32> = doc
        .trends
        .first()
        .map(|t| t.values.iter().map(|(y, _)| *y).collect())
        .unwrap_or_default();
    let trends: Vec<TrendView> = doc
        .trends
        .iter()
        .map(|t| TrendView {
            label: c.get(lang, &t.label_key).to_string(),
            cells: t
                .values
                .iter()
                .map(|(y, s)| cell(y.to_string(), *s, c, lang))
                .collect(),
        })
        .collect();
    let trend_chart = trends
        .first()
        .zip(doc.trends.first())
        .map(|(view, t)| {
            let bars: Vec<Bar> = t
                .values
                .iter()
                .zip(&view.cells)
                .map(|((y, s), v)| Bar {
                    label: y.to_string(),
                    shown: *s,
                    text: v.text.clone(),
                })
                .collect();
            bar_chart(
                "grafiek-ontwikkeling",
                c.get(lang, "report-trends-chart"),
                &bars,
            )
        })
        .unwrap_or_default();
    DocView {
        year: doc.year,
        publishable: doc.version == Version::Publishable,
        empty: doc.empty,
        made_on: doc.made_on.clone(),
        introduction: paragraphs(&doc.narrative.introduction),
        outlook: paragraphs(&doc.narrative.outlook),
        sections,
        trend_years,
        trends,
        trend_chart,
    }
}

pub struct NarrativeField {
    pub name: &'static str,
    pub label_key: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "annual_report.html")]
pub struct ReportPage {
    pub l: Layout,
    pub year: String,
    pub problem: Option<String>,
    pub doc: Option<DocView>,
    pub notice_key: Option<&'static str>,
    pub status_text: String,
    pub published: bool,
    pub can_edit: bool,
    pub can_export: bool,
    pub version: i64,
    pub fields: Vec<NarrativeField>,
    pub errors: FieldErrors,
    pub public_href: String,
}

#[derive(Template)]
#[template(path = "annual_report_public.html")]
pub struct PublicPage {
    pub l: Layout,
    pub intro: String,
    pub problem: Option<String>,
    pub doc: Option<DocView>,
    pub base_href: String,
}

#[derive(Template)]
#[template(path = "annual_report_document.html")]
pub struct StandalonePage {
    pub l: Layout,
    pub org_name: String,
    pub made_on_text: String,
    pub doc: Option<DocView>,
}

/// The whole report as one self-contained HTML file (the CLI's
/// `--format html`; later the input of the PDF).
pub fn standalone_html(doc: &Document, org_name: &str, lang: Lang) -> anyhow::Result<String> {
    let l = Layout::bare(lang, "report-title");
    let page = StandalonePage {
        made_on_text: l.tf("report-made-on", &[("date", &doc.made_on)]),
        l,
        org_name: org_name.to_string(),
        doc: Some(doc_view(doc, lang)),
    };
    Ok(page.render()?)
}

fn today() -> Date {
    integer_domain::case::local_date(jiff::Timestamp::now())
}

fn permit(s: &SignedIn, action: Action) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(p, action, Resource::AnnualReport, Target::org(p.org))
        .map(|_| ())
        .map_err(|_| AppError::Forbidden)
}

#[derive(serde::Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    jaar: Option<String>,
    #[serde(default)]
    versie: Option<String>,
    #[serde(default)]
    opgeslagen: Option<String>,
    #[serde(default)]
    gepubliceerd: Option<String>,
}

/// The year asked for; last year when none was given.
fn year_of(raw: Option<&str>) -> Result<i32, Problem> {
    match raw.map(str::trim) {
        None | Some("") => Ok(i32::from(today().year()) - 1),
        Some(raw) => rules::check_year(raw, today()),
    }
}

/// The report's exact data: the frozen snapshot once published, else
/// computed now.
async fn data_for(
    db: &mut integer_store::Db,
    org: OrgId,
    year: i32,
    saved: Option<&Saved>,
) -> Result<ReportData, AppError> {
    if let Some(data) = saved.and_then(|s| s.data.clone()) {
        return Ok(data);
    }
    Ok(store::report_data(db, org, year, today(), &|_| {}).await?)
}

/// The document of a version: a published report's publishable version is
/// the one stored when it was published.
fn document_of(
    data: &ReportData,
    saved: Option<&Saved>,
    version: Version,
) -> Result<Document, AppError> {
    let narrative = saved.map(|s| s.narrative.clone()).unwrap_or_default();
    if version == Version::Publishable
        && let Some(doc) = saved.map(|s| s.public_document()).transpose()?.flatten()
    {
        return Ok(doc);
    }
    Ok(rules::document(data, &narrative, version))
}

struct PageInput<'a> {
    year_text: String,
    year: Option<i32>,
    problem: Option<String>,
    notice_key: Option<&'static str>,
    /// What was typed (after a refused save), else the stored narrative.
    typed: Option<&'a Narrative>,
    errors: FieldErrors,
}

async fn report_page(
    state: &AppState,
    s: &SignedIn,
    input: PageInput<'_>,
) -> Result<ReportPage, AppError> {
    let p = &s.user.principal;
    let l = Layout::new(&s.ctx, "report-title");
    let mut page = ReportPage {
        year: input.year_text,
        problem: input.problem,
        doc: None,
        notice_key: input.notice_key,
        status_text: String::new(),
        published: false,
        can_edit: false,
        can_export: may(p, Action::Export, Resource::AnnualReport),
        version: 0,
        fields: Vec::new(),
        errors: input.errors,
        public_href: String::new(),
        l,
    };
    let Some(year) = input.year else {
        return Ok(page);
    };
    let mut conn = state.store.conn().await?;
    let saved = store::get(&mut conn, p.org, year).await?;
    let data = data_for(&mut conn, p.org, year, saved.as_ref()).await?;
    drop(conn);
    let doc = document_of(&data, saved.as_ref(), Version::Internal)?;
    let published_at = saved.as_ref().and_then(|s| s.published_at);
    page.published = published_at.is_some();
    page.status_text = match published_at {
        Some(t) => page
            .l
            .tf("report-published-on", &[("date", &store::day(t))]),
        None => page.l.t("report-not-published").to_string(),
    };
    page.can_edit = !page.published && may(p, Action::Update, Resource::AnnualReport);
    page.version = saved.as_ref().map_or(0, |s| s.version);
    let stored = saved
        .as_ref()
        .map(|s| s.narrative.clone())
        .unwrap_or_default();
    let narrative = input.typed.unwrap_or(&stored);
    page.fields = NARRATIVE_FIELDS
        .iter()
        .map(|(name, label_key)| NarrativeField {
            name,
            label_key,
            value: narrative.field(name).to_string(),
        })
        .collect();
    page.public_href = format!("/o/{}/jaarverslag/{year}", s.user.org.slug);
    page.year = year.to_string();
    page.doc = Some(doc_view(&doc, s.ctx.lang));
    Ok(page)
}

fn problem_text(lang: Lang, p: &Problem) -> String {
    Catalog::bundled().render(lang, p)
}

/// `GET /jaarverslag?jaar=YYYY`: the internal report.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    permit(&s, Action::View)?;
    let notice_key = if q.gepubliceerd.is_some() {
        Some("report-published")
    } else if q.opgeslagen.is_some() {
        Some("report-saved")
    } else {
        None
    };
    let (year, problem) = match year_of(q.jaar.as_deref()) {
        Ok(y) => (Some(y), None),
        Err(p) => (None, Some(problem_text(s.ctx.lang, &p))),
    };
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let input = PageInput {
        year_text: q.jaar.clone().unwrap_or_default(),
        year,
        problem,
        notice_key,
        typed: None,
        errors: FieldErrors::default(),
    };
    render_status(status, &report_page(&state, &s, input).await?)
}

fn narrative_of(form: &Form) -> Narrative {
    Narrative {
        introduction: form.get("inleiding").to_string(),
        cases: form.get("meldingen").to_string(),
        prevention: form.get("preventie").to_string(),
        outlook: form.get("vooruitblik").to_string(),
    }
}

fn author(s: &SignedIn) -> Author {
    Author {
        person: Some(s.user.principal.person),
        actor: s.user.actor(),
        credential: Credential::Session,
    }
}

/// A page that says what went wrong with the form, at `status`.
async fn refused(
    state: &AppState,
    s: &SignedIn,
    status: StatusCode,
    year: Option<i32>,
    problem: Problem,
    typed: Option<&Narrative>,
) -> Result<Response, AppError> {
    let input = PageInput {
        year_text: year.map(|y| y.to_string()).unwrap_or_default(),
        year,
        problem: Some(problem_text(s.ctx.lang, &problem)),
        notice_key: None,
        typed,
        errors: FieldErrors::default(),
    };
    render_status(status, &report_page(state, s, input).await?)
}

/// `POST /jaarverslag/tekst`: the integrity office saves the narrative.
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    permit(&s, Action::Update)?;
    let year = match rules::check_year(form.get("jaar"), today()) {
        Ok(y) => y,
        Err(p) => return refused(&state, &s, StatusCode::BAD_REQUEST, None, p, None).await,
    };
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let narrative = narrative_of(&form);
    let problems = narrative.check();
    if !problems.is_empty() {
        let mut errors = FieldErrors::default();
        for (f, p) in &problems {
            errors.add(s.ctx.lang, f, p);
        }
        let input = PageInput {
            year_text: year.to_string(),
            year: Some(year),
            problem: None,
            notice_key: None,
            typed: Some(&narrative),
            errors,
        };
        let page = report_page(&state, &s, input).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    match store::save_narrative(&mut tx, p.org, year, version, &narrative, &author(&s)).await {
        Ok(_) => tx.commit().await?,
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let problem = Problem::new("report-conflict");
            return refused(
                &state,
                &s,
                StatusCode::CONFLICT,
                Some(year),
                problem,
                Some(&narrative),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/jaarverslag?jaar={year}&opgeslagen=1")).into_response())
}

/// `POST /jaarverslag/publiceren`: the integrity office publishes; the
/// report is frozen from then on.
pub async fn publish(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    permit(&s, Action::Update)?;
    let year = match rules::check_year(form.get("jaar"), today()) {
        Ok(y) => y,
        Err(p) => return refused(&state, &s, StatusCode::BAD_REQUEST, None, p, None).await,
    };
    if let Err(p) = rules::check_publishable_year(year, today()) {
        return refused(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(year),
            p,
            None,
        )
        .await;
    }
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    let data = store::report_data(&mut tx, p.org, year, today(), &|_| {}).await?;
    match store::publish(&mut tx, p.org, year, version, &data, &author(&s)).await {
        Ok(_) => tx.commit().await?,
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let problem = Problem::new("report-conflict");
            return refused(&state, &s, StatusCode::CONFLICT, Some(year), problem, None).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/jaarverslag?jaar={year}&gepubliceerd=1")).into_response())
}

/// The report as a tagged PDF (PDF/A-2a and PDF/UA-1), see `integer_pdf`.
pub fn pdf(doc: &Document, org_name: &str, lang: Lang) -> anyhow::Result<Vec<u8>> {
    let d = today();
    let model = integer_pdf::annual::doc(
        doc,
        org_name,
        lang,
        (d.year() as u16, d.month() as u8, d.day() as u8),
    );
    Ok(integer_pdf::render(&model)?)
}

fn pdf_response(
    doc: &Document,
    org_name: &str,
    lang: Lang,
    file: &str,
) -> Result<Response, AppError> {
    let body = pdf(doc, org_name, lang).map_err(AppError::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.pdf\""),
            ),
        ],
        body,
    )
        .into_response())
}

fn csv_response(doc: &Document, file: &str) -> Result<Response, AppError> {
    let body = rules::to_csv(doc).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /jaarverslag/{csv|json}?jaar=YYYY[&versie=openbaar]`.
pub async fn export(
    State(state): State<AppState>,
    s: SignedIn,
    Path(format): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    permit(&s, Action::Export)?;
    if format != "csv" && format != "json" && format != "pdf" {
        return Err(AppError::NotFound);
    }
    let year = year_of(q.jaar.as_deref()).map_err(|_| AppError::BadRequest)?;
    let version = if q.versie.as_deref() == Some("openbaar") {
        Version::Publishable
    } else {
        Version::Internal
    };
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let saved = store::get(&mut conn, p.org, year).await?;
    let data = data_for(&mut conn, p.org, year, saved.as_ref()).await?;
    drop(conn);
    let doc = document_of(&data, saved.as_ref(), version)?;
    let org = &s.user.org;
    let file = format!("jaarverslag-{}-{year}-{}", org.slug, version.code());
    if format == "csv" {
        return csv_response(&doc, &file);
    }
    if format == "pdf" {
        return pdf_response(&doc, &org.name, s.ctx.lang, &file);
    }
    let published = saved.as_ref().and_then(|s| s.published_at).map(store::day);
    let body = rules::to_json(
        &doc,
        OrgRef {
            slug: &org.slug,
            name: &org.name,
        },
        published.as_deref(),
        s.ctx.lang,
    );
    Ok(axum::Json(body).into_response())
}

/// `GET /o/{org}/jaarverslag/{year}`, `{year}.json`, `{year}.csv`: the
/// published report, for everyone.
pub async fn public(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let lang = lang_from_headers(&headers);
    let mut conn = state.store.conn().await?;
    let org = orgs::by_slug(&mut conn, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let (raw, format) = match file.rsplit_once('.') {
        Some((y, "json")) => (y, "json"),
        Some((y, "csv")) => (y, "csv"),
        Some((y, "pdf")) => (y, "pdf"),
        Some(_) => return Err(AppError::NotFound),
        None => (file.as_str(), "html"),
    };
    let ctx = Ctx {
        lang,
        path: format!("/o/{slug}/jaarverslag/{file}"),
        user: None,
        demo: false,
    };
    let page = |problem: Option<String>, doc: Option<DocView>, year: &str| {
        let l = Layout::new(&ctx, "report-public-title");
        PublicPage {
            intro: l.tf("report-public-intro", &[("org", &org.name), ("year", year)]),
            l,
            problem,
            doc,
            base_href: format!("/o/{}/jaarverslag/{year}", org.slug),
        }
    };
    let year = match rules::check_year(raw, today()) {
        Ok(y) => y,
        Err(p) if p.key == "report-error-future" => {
            let text = problem_text(lang, &p);
            return match format {
                "html" => render_status(StatusCode::BAD_REQUEST, &page(Some(text), None, raw)),
                _ => Ok((StatusCode::BAD_REQUEST, text).into_response()),
            };
        }
        Err(_) => return Err(AppError::NotFound),
    };
    let saved = store::get(&mut conn, org.id, year).await?;
    drop(conn);
    let Some(doc) = saved
        .as_ref()
        .filter(|s| s.published_at.is_some())
        .map(|s| s.public_document())
        .transpose()?
        .flatten()
    else {
        return Err(AppError::NotFound);
    };
    let cache = (header::CACHE_CONTROL, "public, max-age=300");
    match format {
        "json" => {
            let published = saved.and_then(|s| s.published_at).map(store::day);
            let body = rules::to_json(
                &doc,
                OrgRef {
                    slug: &org.slug,
                    name: &org.name,
                },
                published.as_deref(),
                lang,
            );
            Ok(([cache], axum::Json(body)).into_response())
        }
        "pdf" => {
            let mut r = pdf_response(
                &doc,
                &org.name,
                lang,
                &format!("jaarverslag-{}-{year}", org.slug),
            )?;
            r.headers_mut()
                .insert(cache.0, cache.1.parse().expect("static header"));
            Ok(r)
        }
        "csv" => {
            let mut r = csv_response(&doc, &format!("jaarverslag-{}-{year}", org.slug))?;
            r.headers_mut()
                .insert(cache.0, cache.1.parse().expect("static header"));
            Ok(r)
        }
        _ => {
            let view = doc_view(&doc, lang);
            let mut r = render_status(StatusCode::OK, &page(None, Some(view), &year.to_string()))?;
            r.headers_mut()
                .insert(cache.0, cache.1.parse().expect("static header"));
            Ok(r)
        }
    }
}

/// `GET /api/v1/annual-report/{year}`: the internal report as JSON, with
/// the exact figures.
pub async fn api(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let p = &u.principal;
    decide(p, Action::View, Resource::AnnualReport, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let year = match rules::check_year(&raw, today()) {
        Ok(y) => y,
        Err(problem) => {
            let c = Catalog::bundled();
            let body = serde_json::json!({
                "error": problem.key,
                "message": {"nl": c.render(Lang::Nl, &problem), "en": c.render(Lang::En, &problem)},
            });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response());
        }
    };
    let mut conn = state.store.conn().await?;
    let saved = store::get(&mut conn, p.org, year).await?;
    let data = data_for(&mut conn, p.org, year, saved.as_ref()).await?;
    drop(conn);
    let doc = document_of(&data, saved.as_ref(), Version::Internal)?;
    let published = saved.as_ref().and_then(|s| s.published_at).map(store::day);
    let mut body = rules::to_json(
        &doc,
        OrgRef {
            slug: &u.org.slug,
            name: &u.org.name,
        },
        published.as_deref(),
        Lang::Nl,
    );
    body["figures"] =
        serde_json::to_value(&data.figures).map_err(|e| AppError::Internal(e.into()))?;
    Ok(axum::Json(body).into_response())
}
