//! The organisation's designated functions (*aangewezen functies*,
//! `/organisatie/aangewezen-functies`): which functions have their side
//! activities published (Ambtenarenwet 2017, article 8; docs/OPEN-DATA.md).
//! The administrator designates top officials, salary scales from N up and
//! function titles, and the notice period; people designated one by one
//! carry the flag of their personnel record. Until it is saved the preset's
//! default applies (`policies/designation/`). Every save is checked,
//! compare-and-set on the version shown, audited, and tells the people it
//! newly covers, in one transaction.

use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::authz::{Action, Resource, Target, decide};
use integer_domain::designation::{self as rules, Designation, field};
use integer_domain::i18n::Lang;
use integer_domain::policy::bundled_preset;
use integer_store::{StoreError, publication};

/// At most this many designated people are listed on the page.
const LISTED: usize = 200;

/// A person the designation covers.
pub struct DesignatedRow {
    pub href: String,
    pub name: String,
    pub function_title: String,
    pub salary_scale: String,
    pub ground: String,
}

/// A section of the code of conduct the preset's default comes from.
pub struct CitationLink {
    pub href: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "designation.html")]
pub struct DesignationPage {
    pub l: Layout,
    pub can_edit: bool,
    pub top_officials: bool,
    pub from_scale: String,
    pub titles: String,
    pub notice_days: String,
    pub version: i64,
    pub errors: FieldErrors,
    pub saved: bool,
    pub announced: usize,
    /// The preset whose default applies while nothing is saved.
    pub preset: String,
    pub customised: bool,
    /// The preset's default in the visitor's language, and its sources.
    pub default_text: String,
    pub citations: Vec<CitationLink>,
    pub people: Vec<DesignatedRow>,
    pub total: usize,
}

#[derive(serde::Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    opgeslagen: Option<String>,
    #[serde(default)]
    aangekondigd: Option<usize>,
}

fn permit(s: &SignedIn, action: Action) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(p, action, Resource::Designation, Target::org(p.org))
        .map(|_| ())
        .map_err(|_| AppError::Forbidden)
}

/// The page for `shown` (what is stored, or what was typed).
async fn page(
    state: &AppState,
    s: &SignedIn,
    shown: Option<(&Form, FieldErrors)>,
) -> Result<DesignationPage, AppError> {
    let p = &s.user.principal;
    let lang = s.ctx.lang;
    let mut conn = state.store.conn().await?;
    let stored = publication::designation(&mut conn, p.org).await?;
    let (people, total) =
        publication::designated_people(&mut conn, p.org, &stored.designation, LISTED).await?;
    let default = rules::bundled_default(&stored.preset);
    let code = bundled_preset(&stored.preset);
    let d = &stored.designation;
    let mut view = DesignationPage {
        l: Layout::new(&s.ctx, "designation-title"),
        can_edit: decide(p, Action::Update, Resource::Designation, Target::org(p.org)).is_ok(),
        top_officials: d.top_officials,
        from_scale: d
            .from_salary_scale
            .map(|n| n.to_string())
            .unwrap_or_default(),
        titles: d.titles_text(),
        notice_days: d.notice_days.to_string(),
        version: stored.version,
        errors: FieldErrors::default(),
        saved: false,
        announced: 0,
        preset: stored.preset.clone(),
        customised: stored.version > 0,
        default_text: default
            .map(|d| match lang {
                Lang::Nl => d.nl.clone(),
                Lang::En => d.en.clone(),
            })
            .unwrap_or_default(),
        citations: default
            .map(|d| {
                d.citations
                    .iter()
                    .map(|c| CitationLink {
                        href: format!("/gedragscode/{}#s-{}", c.document, c.section),
                        title: code
                            .and_then(|preset| preset.resolve(c))
                            .map(|section| section.title.clone())
                            .unwrap_or_else(|| format!("{} {}", c.document, c.section)),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        people: people
            .into_iter()
            .map(|person| DesignatedRow {
                href: format!("/organisatie/mensen/{}", person.id.0),
                name: person.name,
                function_title: person.function_title.unwrap_or_default(),
                salary_scale: person
                    .salary_scale
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                ground: super::publication::ground_text(lang, person.ground),
            })
            .collect(),
        total,
    };
    if let Some((form, errors)) = shown {
        view.top_officials = form.get(field::TOP_OFFICIALS) == "ja";
        view.from_scale = form.get(field::FROM_SCALE).to_string();
        view.titles = form.get(field::FUNCTION_TITLES).to_string();
        view.notice_days = form.get(field::NOTICE_DAYS).to_string();
        view.version = form.get("versie").parse().unwrap_or(view.version);
        view.errors = errors;
    }
    Ok(view)
}

/// `GET /organisatie/aangewezen-functies`.
pub async fn form(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    permit(&s, Action::View)?;
    let mut view = page(&state, &s, None).await?;
    view.saved = n.opgeslagen.is_some();
    view.announced = n.aangekondigd.unwrap_or(0);
    render(&view)
}

/// `POST /organisatie/aangewezen-functies` (administrator).
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    permit(&s, Action::Update)?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let lang = s.ctx.lang;
    let parsed = rules::parse_form(
        form.get(field::TOP_OFFICIALS),
        form.get(field::FROM_SCALE),
        form.get(field::FUNCTION_TITLES),
        form.get(field::NOTICE_DAYS),
    );
    let designation: Designation = match parsed {
        Ok(d) => d,
        Err(problems) => {
            let mut errors = FieldErrors::default();
            for (f, problem) in &problems {
                errors.add(lang, f, problem);
            }
            let view = page(&state, &s, Some((&form, errors))).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let p = &s.user.principal;
    let by = super::publication::by(&s);
    let mut tx = state.store.begin_write().await?;
    let announced =
        match publication::set_designation(&mut tx, p.org, &by, version, &designation).await {
            Ok(n) => n,
            Err(StoreError::Conflict(_)) => {
                drop(tx);
                let mut errors = FieldErrors::default();
                errors.add(
                    lang,
                    field::TOP_OFFICIALS,
                    &Problem::new("designation-error-changed"),
                );
                let mut view = page(&state, &s, Some((&form, errors))).await?;
                // Saving again overwrites the newer version knowingly.
                let mut conn = state.store.conn().await?;
                view.version = publication::designation(&mut conn, p.org).await?.version;
                return render_status(StatusCode::CONFLICT, &view);
            }
            Err(e) => return Err(e.into()),
        };
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/organisatie/aangewezen-functies?opgeslagen=1&aangekondigd={announced}"
    ))
    .into_response())
}
