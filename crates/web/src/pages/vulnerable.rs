//! The register of vulnerable functions and processes
//! (`/organisatie/kwetsbare-functies`): the entries whose review date has
//! passed, the register per unit, adding (integrity office), an entry's
//! page with who holds the function, changing it and recording a review
//! (compare-and-set on the version shown). docs/LEARNING.md.

use super::learning::{Choice, author, problems_to_errors};
use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::authz::{Action, Resource, Target, decide, may};
use integer_domain::learning::{self, RiskArea, VulnerableFunction, VulnerableInput, field};
use integer_domain::org::{PersonId, UnitId};
use integer_store::learning as learning_store;
use integer_store::people;
use integer_store::vulnerable::{self as store, Entry};

fn check(s: &SignedIn, action: Action) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(p, action, Resource::VulnerableFunction, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    Ok(())
}

pub struct EntryRow {
    pub id: i64,
    pub unit: String,
    pub name: String,
    pub area_key: String,
    pub owner: String,
    pub review_on: String,
    pub overdue: bool,
    pub financial: bool,
    pub publication: bool,
}

fn rows(entries: &[Entry]) -> Vec<EntryRow> {
    let today = learning::today().to_string();
    entries
        .iter()
        .map(|e| EntryRow {
            id: e.id,
            unit: e.unit_name.clone(),
            name: e.name.clone(),
            area_key: format!("vulnerable-area-{}", e.area),
            owner: e.owner_name.clone(),
            review_on: e.review_on.clone(),
            overdue: e.review_on < today,
            financial: e.financial,
            publication: e.publication,
        })
        .collect()
}

/// The entry form, as new, as stored, or as last submitted.
#[derive(Default)]
pub struct EntryForm {
    pub action: String,
    pub units: Vec<Choice>,
    pub name: String,
    pub areas: Vec<Choice>,
    pub risks: String,
    pub measures: String,
    pub owner: String,
    /// Only when adding: later the date moves with a review.
    pub with_review: bool,
    pub review: String,
    pub financial: bool,
    pub publication: bool,
    pub version: i64,
    pub errors: FieldErrors,
}

/// What the form posted, as text.
#[derive(Default)]
struct Posted {
    unit: String,
    name: String,
    area: String,
    risks: String,
    measures: String,
    owner: String,
    review: String,
    financial: bool,
    publication: bool,
}

impl Posted {
    fn of(form: &Form) -> Posted {
        Posted {
            unit: form.get(field::UNIT).to_string(),
            name: form.get(field::NAME).to_string(),
            area: form.get(field::AREA).to_string(),
            risks: form.get(field::RISKS).to_string(),
            measures: form.get(field::MEASURES).to_string(),
            owner: form.get(field::OWNER).to_string(),
            review: form.get(field::REVIEW).to_string(),
            financial: form.has("financieel"),
            publication: form.has("publicatie"),
        }
    }

    fn from_entry(e: &Entry, owner_email: String) -> Posted {
        Posted {
            unit: e.unit.0.to_string(),
            name: e.name.clone(),
            area: e.area.clone(),
            risks: e.risks.clone(),
            measures: e.measures.clone(),
            owner: owner_email,
            review: e.review_on.clone(),
            financial: e.financial,
            publication: e.publication,
        }
    }
}

async fn entry_form(
    state: &AppState,
    s: &SignedIn,
    action: String,
    posted: &Posted,
    with_review: bool,
    version: i64,
    errors: FieldErrors,
) -> Result<EntryForm, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let units = learning_store::units_in_scope(
        &mut conn,
        p.org,
        integer_domain::authz::Scope::Organisation,
    )
    .await?;
    let l = Layout::new(&s.ctx, "vulnerable-title");
    Ok(EntryForm {
        action,
        units: units
            .iter()
            .map(|(id, name)| Choice {
                code: id.0.to_string(),
                label: name.clone(),
                checked: id.0.to_string() == posted.unit.trim(),
            })
            .collect(),
        name: posted.name.clone(),
        areas: RiskArea::ALL
            .iter()
            .map(|a| Choice {
                code: a.code().to_string(),
                label: l.t(&format!("vulnerable-area-{}", a.code())).to_string(),
                checked: posted.area.trim() == a.code(),
            })
            .collect(),
        risks: posted.risks.clone(),
        measures: posted.measures.clone(),
        owner: posted.owner.clone(),
        with_review,
        review: posted.review.clone(),
        financial: posted.financial,
        publication: posted.publication,
        version,
        errors,
    })
}

#[derive(Template)]
#[template(path = "vulnerable_list.html")]
pub struct ListPage {
    pub l: Layout,
    pub overdue: Vec<EntryRow>,
    pub entries: Vec<EntryRow>,
    pub can_create: bool,
    pub form: EntryForm,
}

async fn list_page(state: &AppState, s: &SignedIn, form: EntryForm) -> Result<ListPage, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let overdue = store::overdue(&mut conn, p.org, learning::today()).await?;
    let entries = store::list(&mut conn, p.org).await?;
    Ok(ListPage {
        l: Layout::new(&s.ctx, "vulnerable-title"),
        overdue: rows(&overdue),
        entries: rows(&entries),
        can_create: may(p, Action::Create, Resource::VulnerableFunction),
        form,
    })
}

/// `GET /organisatie/kwetsbare-functies`: the overdue reviews, the
/// register, and (for the integrity office) the form to add an entry.
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    check(&s, Action::List)?;
    let form = entry_form(
        &state,
        &s,
        "/organisatie/kwetsbare-functies".into(),
        &Posted::default(),
        true,
        0,
        FieldErrors::default(),
    )
    .await?;
    render(&list_page(&state, &s, form).await?)
}

/// Checks the posted entry: the fields, the unit and the owner (by
/// e-mail), and when adding the first review date.
async fn checked(
    state: &AppState,
    s: &SignedIn,
    posted: &Posted,
    with_review: bool,
) -> Result<
    Result<
        (
            VulnerableFunction,
            UnitId,
            PersonId,
            Option<jiff::civil::Date>,
        ),
        FieldErrors,
    >,
    AppError,
> {
    let p = &s.user.principal;
    let input = VulnerableInput {
        name: &posted.name,
        area: &posted.area,
        risks: &posted.risks,
        measures: &posted.measures,
        financial: posted.financial,
        publication: posted.publication,
    };
    let mut problems = Vec::new();
    let mut conn = state.store.conn().await?;
    let unit = match posted.unit.trim().parse::<i64>() {
        Ok(id) if learning_store::unit_exists(&mut conn, p.org, UnitId(id)).await? => {
            Some(UnitId(id))
        }
        _ => {
            problems.push((field::UNIT, Problem::new("learning-error-unit-missing")));
            None
        }
    };
    let checked = learning::parse_vulnerable(&input);
    if let Err(ps) = &checked {
        problems.extend(ps.iter().cloned());
    }
    let email = posted.owner.trim().to_lowercase();
    let owner = if email.is_empty() {
        problems.push((field::OWNER, Problem::new("vulnerable-error-owner-missing")));
        None
    } else {
        let found = people::by_email(&mut conn, p.org, &email).await?;
        if found.is_none() {
            problems.push((
                field::OWNER,
                Problem::new("learning-error-unknown-email").with("value", email),
            ));
        }
        found
    };
    let review = if with_review {
        learning::parse_review_date(
            &posted.review,
            learning::today(),
            field::REVIEW,
            &mut problems,
        )
    } else {
        None
    };
    let order = [
        field::UNIT,
        field::NAME,
        field::AREA,
        field::RISKS,
        field::MEASURES,
        field::OWNER,
        field::REVIEW,
    ];
    problems.sort_by_key(|(f, _)| order.iter().position(|o| o == f));
    Ok(match (checked, unit, owner) {
        (Ok(f), Some(unit), Some(owner)) if problems.is_empty() => Ok((f, unit, owner, review)),
        _ => Err(problems_to_errors(s, &problems)),
    })
}

/// `POST /organisatie/kwetsbare-functies`: adds an entry.
pub async fn add(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    check(&s, Action::Create)?;
    let posted = Posted::of(&form);
    let (f, unit, owner, review) = match checked(&state, &s, &posted, true).await? {
        Ok((f, unit, owner, Some(review))) => (f, unit, owner, review),
        Ok(_) => return Err(AppError::BadRequest),
        Err(errors) => {
            let form = entry_form(
                &state,
                &s,
                "/organisatie/kwetsbare-functies".into(),
                &posted,
                true,
                0,
                errors,
            )
            .await?;
            let page = list_page(&state, &s, form).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    let id = store::add(
        &mut tx,
        p.org,
        &author(&s),
        unit,
        owner,
        &f,
        review,
        learning::today(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/organisatie/kwetsbare-functies/{id}?opgeslagen=1"
    ))
    .into_response())
}

pub struct HolderRow {
    pub name: String,
    pub email: String,
}

pub struct ReviewRow {
    pub reviewed_on: String,
    pub due_on: String,
    pub next_on: String,
    pub late: bool,
}

#[derive(Template)]
#[template(path = "vulnerable_entry.html")]
pub struct EntryPage {
    pub l: Layout,
    pub e: Entry,
    pub area_key: String,
    pub overdue: bool,
    pub holders: Vec<HolderRow>,
    pub reviews: Vec<ReviewRow>,
    pub notice_key: Option<&'static str>,
    pub can_update: bool,
    pub form: EntryForm,
    pub review_done: String,
    pub review_next: String,
    pub review_errors: FieldErrors,
}

#[derive(serde::Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    opgeslagen: Option<String>,
    #[serde(default)]
    herzien: Option<String>,
}

async fn load(state: &AppState, s: &SignedIn, raw: &str) -> Result<Entry, AppError> {
    let id: i64 = raw.parse().map_err(|_| AppError::NotFound)?;
    let mut conn = state.store.conn().await?;
    store::get(&mut conn, s.user.principal.org, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn entry_page(
    state: &AppState,
    s: &SignedIn,
    e: Entry,
    notice_key: Option<&'static str>,
    posted: Option<(&Posted, FieldErrors)>,
    review: (&str, &str, FieldErrors),
) -> Result<EntryPage, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let holders = store::holders(&mut conn, p.org, e.id).await?;
    let reviews = store::reviews(&mut conn, p.org, e.id).await?;
    let owner_email = people::get(&mut conn, p.org, e.owner)
        .await?
        .map(|o| o.email)
        .unwrap_or_default();
    drop(conn);
    let stored = Posted::from_entry(&e, owner_email);
    let (posted, errors) = match posted {
        Some((p, errors)) => (p, errors),
        None => (&stored, FieldErrors::default()),
    };
    let form = entry_form(
        state,
        s,
        format!("/organisatie/kwetsbare-functies/{}", e.id),
        posted,
        false,
        e.version,
        errors,
    )
    .await?;
    let today = learning::today();
    Ok(EntryPage {
        l: Layout::new(&s.ctx, "vulnerable-entry-title"),
        area_key: format!("vulnerable-area-{}", e.area),
        overdue: e.review_on < today.to_string(),
        holders: holders
            .into_iter()
            .map(|(_, name, email)| HolderRow { name, email })
            .collect(),
        reviews: reviews
            .into_iter()
            .map(|r| ReviewRow {
                late: r.reviewed_on > r.due_on,
                reviewed_on: r.reviewed_on,
                due_on: r.due_on,
                next_on: r.next_on,
            })
            .collect(),
        notice_key,
        can_update: may(p, Action::Update, Resource::VulnerableFunction),
        form,
        review_done: review.0.to_string(),
        review_next: review.1.to_string(),
        review_errors: review.2,
        e,
    })
}

/// `GET /organisatie/kwetsbare-functies/{id}`: an entry, who holds the
/// function, its reviews, and the forms for the integrity office.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    check(&s, Action::View)?;
    let e = load(&state, &s, &id).await?;
    let notice = if q.herzien.is_some() {
        Some("vulnerable-reviewed")
    } else if q.opgeslagen.is_some() {
        Some("vulnerable-saved")
    } else {
        None
    };
    let today = learning::today().to_string();
    let page = entry_page(
        &state,
        &s,
        e,
        notice,
        None,
        (&today, "", FieldErrors::default()),
    )
    .await?;
    render(&page)
}

/// `POST /organisatie/kwetsbare-functies/{id}`: changes an entry.
pub async fn update(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    check(&s, Action::Update)?;
    let e = load(&state, &s, &id).await?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let posted = Posted::of(&form);
    let (f, unit, owner) = match checked(&state, &s, &posted, false).await? {
        Ok((f, unit, owner, _)) => (f, unit, owner),
        Err(errors) => {
            let today = learning::today().to_string();
            let page = entry_page(
                &state,
                &s,
                e,
                None,
                Some((&posted, errors)),
                (&today, "", FieldErrors::default()),
            )
            .await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    store::update(&mut tx, p.org, &author(&s), e.id, version, unit, owner, &f).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/organisatie/kwetsbare-functies/{}?opgeslagen=1",
        e.id
    ))
    .into_response())
}

/// `POST /organisatie/kwetsbare-functies/{id}/herzien`: records a review
/// and the next review date.
pub async fn review(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    check(&s, Action::Update)?;
    let e = load(&state, &s, &id).await?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let done = form.get(field::REVIEWED);
    let next = form.get(field::REVIEW);
    let (reviewed, next_on) = match learning::parse_review(done, next, learning::today()) {
        Ok(v) => v,
        Err(problems) => {
            let errors = problems_to_errors(&s, &problems);
            let page = entry_page(&state, &s, e, None, None, (done, next, errors)).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    store::review(
        &mut tx,
        p.org,
        &author(&s),
        e.id,
        version,
        reviewed,
        next_on,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/organisatie/kwetsbare-functies/{}?herzien=1",
        e.id
    ))
    .into_response())
}
