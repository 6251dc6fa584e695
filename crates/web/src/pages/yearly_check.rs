//! The yearly check: employees confirm their side activities and interests
//! (or state they have none); the integrity office starts the campaign,
//! follows the progress per unit, sends reminders, and keeps each year.

use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::{CheckAdminPage, CheckPage, CheckProgressRow, CheckYearRow, Layout};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Resource, Scope, Target, decide};
use integer_store::declarations::{self as store, Filter};
use integer_store::{StoreError, audit, yearly_check};

fn check(s: &SignedIn, action: Action) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(p, action, Resource::YearlyCheck, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    Ok(())
}

#[derive(serde::Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    klaar: Option<String>,
}

/// `GET /actualisatie`: the person's side activities and interests and the
/// answer to this year's check.
pub async fn mine(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    check(&s, Action::View)?;
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let campaign = yearly_check::current(&mut conn, p.org).await?;
    let answered = match &campaign {
        Some(c) => yearly_check::response_of(&mut conn, c.id, p.person).await?,
        None => None,
    };
    let mut rows = Vec::new();
    for kind in yearly_check::KINDS {
        let filter = Filter {
            person: Some(p.person),
            kind: Some(kind.to_string()),
            ..Default::default()
        };
        let page = store::list(&mut conn, p.org, Scope::Own(p.person), &filter, 1, 100).await?;
        rows.extend(
            page.items
                .iter()
                .filter(|d| d.status != "withdrawn" && d.status != "refused")
                .map(super::declarations::row),
        );
    }
    render(&CheckPage {
        l: Layout::new(&s.ctx, "check-title"),
        year: campaign.as_ref().map(|c| c.year),
        answered,
        rows,
        done: q.klaar.is_some(),
        errors: FieldErrors::default(),
    })
}

/// `POST /actualisatie`: "alles klopt nog" or "niets te melden".
pub async fn answer(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    check(&s, Action::Update)?;
    let p = &s.user.principal;
    let lang = s.ctx.lang;
    let mut conn = state.store.conn().await?;
    let campaign = yearly_check::current(&mut conn, p.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let active = yearly_check::active_count(&mut conn, p.org, p.person).await?;
    drop(conn);
    let response = match form.get("antwoord") {
        "bevestigd" => "confirmed",
        "geen" if active == 0 => "none",
        "geen" => {
            // A nil return while something is registered: withdraw it first.
            let mut errors = FieldErrors::default();
            errors.add(lang, "antwoord", &Problem::new("check-error-none"));
            let page = CheckPage {
                l: Layout::new(&s.ctx, "check-title"),
                year: Some(campaign.year),
                answered: None,
                rows: Vec::new(),
                done: false,
                errors,
            };
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        _ => return Err(AppError::BadRequest),
    };
    let mut tx = state.store.begin_write().await?;
    match yearly_check::respond(&mut tx, p.org, campaign.id, p.person, response).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "check.answered",
            "check_campaign",
            campaign.id,
            serde_json::json!({"response": response}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/actualisatie?klaar=1").into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct AdminQuery {
    #[serde(default)]
    herinnerd: Option<String>,
    #[serde(default)]
    gestart: Option<String>,
}

async fn admin_page(
    state: &AppState,
    s: &SignedIn,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<CheckAdminPage, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let campaign = yearly_check::current(&mut conn, p.org).await?;
    let progress = match &campaign {
        Some(c) => yearly_check::progress(&mut conn, p.org, c.id).await?,
        None => Vec::new(),
    };
    let history = yearly_check::history(&mut conn, p.org).await?;
    let percent = |a: i64, n: i64| if n == 0 { 0 } else { a * 100 / n };
    let this_year = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .year();
    Ok(CheckAdminPage {
        l: Layout::new(&s.ctx, "check-admin-title"),
        year: campaign.as_ref().map(|c| c.year),
        next_year: i64::from(this_year),
        total_people: progress.iter().map(|r| r.people).sum(),
        total_answered: progress.iter().map(|r| r.answered).sum(),
        progress: progress
            .iter()
            .map(|r| CheckProgressRow {
                unit: r.unit.clone().unwrap_or_default(),
                people: r.people,
                answered: r.answered,
                percent: percent(r.answered, r.people),
            })
            .collect(),
        history: history
            .iter()
            .map(|(year, people, answered, none)| CheckYearRow {
                year: *year,
                answered: *answered,
                none: *none,
                percent: percent(*answered, *people),
            })
            .collect(),
        errors,
        notice,
    })
}

/// `GET /actualisatie/beheer`: the integrity office's view.
pub async fn admin(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<AdminQuery>,
) -> Result<Response, AppError> {
    check(&s, Action::List)?;
    let catalog = integer_domain::i18n::Catalog::bundled();
    let notice = if let Some(n) = q.herinnerd {
        Some(catalog.format(s.ctx.lang, "check-reminded", &[("n", n)]))
    } else {
        q.gestart
            .map(|_| catalog.get(s.ctx.lang, "check-started").to_string())
    };
    render(&admin_page(&state, &s, FieldErrors::default(), notice).await?)
}

/// `POST /actualisatie/beheer/start`: starts a year's campaign.
pub async fn start(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    check(&s, Action::Create)?;
    let p = &s.user.principal;
    let lang = s.ctx.lang;
    let mut errors = FieldErrors::default();
    let year = match form.get("jaar").trim().parse::<i64>() {
        Ok(y) if (2000..=2100).contains(&y) => Some(y),
        _ => {
            errors.add(lang, "jaar", &Problem::new("check-error-year"));
            None
        }
    };
    if let Some(year) = year {
        let mut tx = state.store.begin_write().await?;
        match yearly_check::start(&mut tx, p.org, year, p.person).await {
            Ok(id) => {
                audit::append(
                    &mut tx,
                    &audit::event(
                        Some(p.org.0),
                        s.user.actor(),
                        Credential::Session,
                        "check.started",
                        "check_campaign",
                        id,
                        serde_json::json!({"year": year}),
                    ),
                )
                .await?;
                tx.commit().await?;
                return Ok(Redirect::to("/actualisatie/beheer?gestart=1").into_response());
            }
            Err(StoreError::Conflict(_)) => {
                errors.add(lang, "jaar", &Problem::new("check-error-exists"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = admin_page(&state, &s, errors, None).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

/// `POST /actualisatie/beheer/herinneren`: reminds who has not answered.
pub async fn remind(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    check(&s, Action::Create)?;
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    let campaign = yearly_check::current(&mut tx, p.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let n = yearly_check::remind(&mut tx, p.org, campaign.id).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "check.reminded",
            "check_campaign",
            campaign.id,
            serde_json::json!({"reminded": n}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/actualisatie/beheer?herinnerd={n}")).into_response())
}
