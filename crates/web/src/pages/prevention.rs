//! Prevention pages (docs/PREVENTION.md): the register of oaths and
//! affirmations with the list of people not sworn in on time
//! (`/organisatie/eed`), the texts (`/organisatie/eed/tekst`), screening at
//! hiring (`/organisatie/screening`) with the preset's rule on hiring a
//! former employee, "I have read the code of conduct"
//! (`/organisatie/gedragscode-gelezen`) with who has not yet, and the
//! organisation's settings (`/organisatie/preventie-instellingen`).

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
use integer_domain::authz::{Action, Permit, Resource, Target, decide, may};
use integer_domain::i18n::Lang;
use integer_domain::org::PersonId;
use integer_domain::policy::{self, AnswerType, Kind};
use integer_domain::prevention::{
    self as rules, BodyKind, OathKind, Screening, ScreeningInput, ScreeningItem, field,
};
use integer_store::prevention::{self as store, By};
use integer_store::{StoreError, people};
use jiff::civil::Date;

/// The longest lists shown on one page.
const LIST_LIMIT: i64 = 500;

fn today() -> Date {
    integer_domain::counsel::today()
}

fn by(s: &SignedIn) -> By {
    By {
        person: s.user.principal.person,
        actor: s.user.actor(),
        credential: s.user.credential,
    }
}

fn permit(s: &SignedIn, action: Action, resource: Resource) -> Result<Permit, AppError> {
    let p = &s.user.principal;
    decide(p, action, resource, Target::org(p.org)).map_err(|_| AppError::Forbidden)
}

fn problems_to_errors(lang: Lang, problems: &[(&'static str, Problem)]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (f, p) in problems {
        errors.add(lang, f, p);
    }
    errors
}

/// Loads a person of the caller's organisation and decides on them with
/// their relation to the caller; another organisation's id is not found.
async fn subject(
    state: &AppState,
    s: &SignedIn,
    raw_id: &str,
    action: Action,
    resource: Resource,
) -> Result<(people::Person, Permit), AppError> {
    let id = PersonId(raw_id.parse().map_err(|_| AppError::NotFound)?);
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let person = people::get(&mut conn, p.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let relation = people::relation(&mut conn, p.org, p.person, id).await?;
    let permit = decide(
        p,
        action,
        resource,
        Target {
            org: p.org,
            relation,
        },
    )
    .map_err(|_| AppError::Forbidden)?;
    Ok((person, permit))
}

fn kind_key(code: Option<&str>) -> &'static str {
    code.and_then(OathKind::from_code)
        .map(OathKind::label_key)
        .unwrap_or("prevention-oath-none")
}

fn date_text(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| integer_domain::case::local_date(t).to_string())
        .unwrap_or_default()
}

#[derive(serde::Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    opgeslagen: Option<String>,
}

// --- Oath register --------------------------------------------------------

pub struct OathRowView {
    pub href: String,
    pub name: String,
    pub unit: String,
    pub start_date: String,
    pub due: String,
    pub kind_key: &'static str,
    pub taken_on: String,
    pub before_whom: String,
}

fn oath_row_view(r: &store::OathRow, days: i64) -> OathRowView {
    let start: Option<Date> = r.start_date.as_deref().and_then(|d| d.parse().ok());
    OathRowView {
        href: format!("/organisatie/eed/{}", r.person.0),
        name: r.name.clone(),
        unit: r.unit.clone().unwrap_or_default(),
        start_date: r.start_date.clone().unwrap_or_default(),
        due: start
            .map(|d| rules::oath_due(d, days).to_string())
            .unwrap_or_default(),
        kind_key: kind_key(r.kind.as_deref()),
        taken_on: r.taken_on.clone().unwrap_or_default(),
        before_whom: r.before_whom.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "prevention_oath_list.html")]
pub struct OathListPage {
    pub l: Layout,
    pub days_text: String,
    pub overdue: Vec<OathRowView>,
    pub register: Vec<OathRowView>,
    pub limit: i64,
}

/// `GET /organisatie/eed`: who is not sworn in on time, and the register,
/// within the caller's scope. Someone who may see only their own record
/// goes to it.
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let p = &s.user.principal;
    let scope = match permit(&s, Action::List, Resource::Oath) {
        Ok(permit) => permit.scope(),
        Err(_) => {
            subject(
                &state,
                &s,
                &p.person.0.to_string(),
                Action::View,
                Resource::Oath,
            )
            .await?;
            return Ok(Redirect::to(&format!("/organisatie/eed/{}", p.person.0)).into_response());
        }
    };
    let today = today();
    let mut conn = state.store.conn().await?;
    let days = store::settings(&mut conn, p.org).await?.settings.oath_days;
    let before = rules::overdue_before(today, days);
    let overdue = store::not_sworn(&mut conn, p.org, scope, before, today, LIST_LIMIT).await?;
    let register = store::oath_register(&mut conn, p.org, scope, today, LIST_LIMIT).await?;
    let l = Layout::new(&s.ctx, "prevention-oath-title");
    render(&OathListPage {
        days_text: l.tf("prevention-oath-days", &[("days", &days.to_string())]),
        l,
        overdue: overdue.iter().map(|r| oath_row_view(r, days)).collect(),
        register: register.iter().map(|r| oath_row_view(r, days)).collect(),
        limit: LIST_LIMIT,
    })
}

#[derive(Template)]
#[template(path = "prevention_oath_texts.html")]
pub struct OathTextsPage {
    pub l: Layout,
    pub oath: Vec<String>,
    pub affirmation: Vec<String>,
    pub source: String,
}

/// `GET /organisatie/eed/tekst`: the oath and the affirmation for the
/// organisation's kind of body, with their source.
pub async fn texts(State(_state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    permit(&s, Action::View, Resource::CodeOfConduct)?;
    let t = rules::oath_texts(BodyKind::of_preset(&s.user.org.preset));
    let own = |k| t.paragraphs(k).into_iter().map(String::from).collect();
    render(&OathTextsPage {
        l: Layout::new(&s.ctx, "prevention-oath-texts-title"),
        oath: own(OathKind::Oath),
        affirmation: own(OathKind::Affirmation),
        source: match s.ctx.lang {
            Lang::Nl => t.source.clone(),
            Lang::En => t.source_en.clone(),
        },
    })
}

pub struct Choice {
    pub code: &'static str,
    pub label_key: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "prevention_oath_person.html")]
pub struct OathPersonPage {
    pub l: Layout,
    pub person_id: i64,
    pub name: String,
    pub start_date: String,
    pub due: String,
    pub overdue: bool,
    pub record: Option<OathRowView>,
    pub recorded_text: String,
    /// The form for HR (`None`: may only look).
    pub can_record: bool,
    pub kinds: Vec<Choice>,
    pub date: String,
    pub before_whom: String,
    pub version: i64,
    pub errors: FieldErrors,
    pub saved: bool,
}

struct OathForm<'a> {
    kind: &'a str,
    date: &'a str,
    before_whom: &'a str,
}

async fn oath_person_page(
    state: &AppState,
    s: &SignedIn,
    person: &people::Person,
    form: Option<OathForm<'_>>,
    errors: FieldErrors,
    saved: bool,
) -> Result<OathPersonPage, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let days = store::settings(&mut conn, p.org).await?.settings.oath_days;
    let record = store::oath_of(&mut conn, p.org, person.id).await?;
    let start: Option<Date> = person.start_date.as_deref().and_then(|d| d.parse().ok());
    let end: Option<Date> = person.end_date.as_deref().and_then(|d| d.parse().ok());
    let l = Layout::new(&s.ctx, "prevention-oath-person-title");
    let recorded_text = record
        .as_ref()
        .map(|r| {
            l.tf(
                "prevention-oath-recorded-by",
                &[
                    ("name", r.recorded_by.as_deref().unwrap_or("–")),
                    ("date", &date_text(r.recorded_at)),
                ],
            )
        })
        .unwrap_or_default();
    let (kind, date, before) = match &form {
        Some(f) => (
            f.kind.to_string(),
            f.date.to_string(),
            f.before_whom.to_string(),
        ),
        None => match &record {
            Some(r) => (r.kind.clone(), r.taken_on.clone(), r.before_whom.clone()),
            None => (String::new(), String::new(), String::new()),
        },
    };
    let chosen = OathKind::from_code(&kind);
    Ok(OathPersonPage {
        recorded_text,
        l,
        person_id: person.id.0,
        name: person.name.clone(),
        start_date: person.start_date.clone().unwrap_or_default(),
        due: start
            .map(|d| rules::oath_due(d, days).to_string())
            .unwrap_or_default(),
        overdue: rules::oath_overdue(start, end, record.is_some(), days, today()),
        record: record.as_ref().map(|r| OathRowView {
            href: String::new(),
            name: person.name.clone(),
            unit: String::new(),
            start_date: String::new(),
            due: String::new(),
            kind_key: kind_key(Some(&r.kind)),
            taken_on: r.taken_on.clone(),
            before_whom: r.before_whom.clone(),
        }),
        can_record: may(p, Action::Create, Resource::Oath),
        kinds: OathKind::ALL
            .iter()
            .map(|k| Choice {
                code: k.code(),
                label_key: k.label_key(),
                checked: chosen == Some(*k),
            })
            .collect(),
        date,
        before_whom: before,
        version: record.as_ref().map_or(0, |r| r.version),
        errors,
        saved,
    })
}

/// `GET /organisatie/eed/{id}`: a person's oath or affirmation; HR records
/// or corrects it here.
pub async fn person(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    let (person, _) = subject(&state, &s, &id, Action::View, Resource::Oath).await?;
    let page = oath_person_page(
        &state,
        &s,
        &person,
        None,
        FieldErrors::default(),
        n.opgeslagen.is_some(),
    )
    .await?;
    render(&page)
}

/// `POST /organisatie/eed/{id}`: HR records the oath (version 0) or
/// corrects it (compare-and-set on the version shown).
pub async fn record(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let action = if version == 0 {
        Action::Create
    } else {
        Action::Update
    };
    let (person, _) = subject(&state, &s, &id, action, Resource::Oath).await?;
    let input = OathForm {
        kind: form.get(field::KIND),
        date: form.get(field::DATE),
        before_whom: form.get(field::BEFORE_WHOM),
    };
    let lang = s.ctx.lang;
    let oath = match rules::parse_oath(input.kind, input.date, input.before_whom, today()) {
        Ok(o) => o,
        Err(problems) => {
            let errors = problems_to_errors(lang, &problems);
            let page = oath_person_page(&state, &s, &person, Some(input), errors, false).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    match store::record_oath(&mut tx, p.org, &by(&s), person.id, version, &oath).await {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add(lang, field::DATE, &Problem::new("prevention-error-changed"));
            let page = oath_person_page(&state, &s, &person, Some(input), errors, false).await?;
            return render_status(StatusCode::CONFLICT, &page);
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/organisatie/eed/{}?opgeslagen=1", person.id.0)).into_response())
}

// --- Screening ------------------------------------------------------------

pub struct HireView {
    pub href: String,
    pub name: String,
    pub employment_key: &'static str,
    pub start_date: String,
    pub open_keys: Vec<String>,
}

#[derive(Template)]
#[template(path = "prevention_screening_list.html")]
pub struct ScreeningListPage {
    pub l: Layout,
    pub open: Vec<HireView>,
    pub complete: Vec<HireView>,
}

/// `GET /organisatie/screening`: hires of the last twelve months (and
/// upcoming ones, and anyone whose screening was started), with the items
/// still open.
pub async fn screening_list(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    permit(&s, Action::List, Resource::Screening)?;
    let p = &s.user.principal;
    let today = today();
    let since = today.checked_sub(jiff::ToSpan::years(1)).unwrap_or(today);
    let mut conn = state.store.conn().await?;
    let hires = store::hires(&mut conn, p.org, since, today, LIST_LIMIT).await?;
    let (mut open, mut complete) = (Vec::new(), Vec::new());
    for h in &hires {
        let items = h.screening.open_items(h.employment);
        let view = HireView {
            href: format!("/organisatie/screening/{}", h.person.0),
            name: h.name.clone(),
            employment_key: h.employment.label_key(),
            start_date: h.start_date.clone().unwrap_or_default(),
            open_keys: items.iter().map(|i| i.label_key()).collect(),
        };
        if items.is_empty() {
            complete.push(view);
        } else {
            open.push(view);
        }
    }
    render(&ScreeningListPage {
        l: Layout::new(&s.ctx, "prevention-screening-title"),
        open,
        complete,
    })
}

pub struct ItemField {
    pub name: &'static str,
    pub label_key: String,
    pub required: bool,
    pub value: String,
}

/// The engine's answer for hiring this former employee.
pub struct FormerDecision {
    pub months: i64,
    pub verdict_key: String,
    pub alert: &'static str,
    pub explanation: String,
    pub preset_version: String,
    pub file_href: String,
}

#[derive(Template)]
#[template(path = "prevention_screening_person.html")]
pub struct ScreeningPersonPage {
    pub l: Layout,
    pub person_id: i64,
    pub name: String,
    pub employment_key: &'static str,
    pub start_date: String,
    pub items: Vec<ItemField>,
    pub former: bool,
    pub left_on: String,
    pub compelling: bool,
    pub decision: Option<FormerDecision>,
    pub version: i64,
    pub errors: FieldErrors,
    pub saved: bool,
}

/// Asks the policy engine about hiring a former employee, exactly as the
/// "Mag dit?" page does, with the facts known here (the other questions
/// count as "no"); the link opens "Mag dit?" with them filled in.
async fn former_decision(
    state: &AppState,
    s: &SignedIn,
    person: &people::Person,
    left: Date,
    compelling: bool,
) -> Result<FormerDecision, AppError> {
    let mut conn = state.store.conn().await?;
    let effective = crate::preset::effective(&mut conn, s.user.org.id, &s.user.org.preset).await?;
    let preset = &effective.preset;
    let kind = Kind::HireFormerEmployee;
    let hired = person
        .start_date
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(today);
    let months = rules::months_between(left, hired);
    let mut answers = Vec::new();
    let mut href = format!("/mag-dit/vragen?soort={}", kind.code());
    for q in policy::questions(preset, kind) {
        match (q.field, q.answer) {
            ("months_since_departure", AnswerType::Number) => {
                answers.push((q, super::policy::Answer::Number(Some(months as f64))));
                href.push_str(&format!("&{}={months}", q.field));
            }
            ("compelling_reasons", AnswerType::Flag) => {
                answers.push((q, super::policy::Answer::Flag(compelling)));
                let yes = if compelling { "ja" } else { "nee" };
                href.push_str(&format!("&{}={yes}", q.field));
            }
            _ => {}
        }
    }
    let (_, decision) = super::policy::evaluate(preset, kind, &answers, person)?;
    let verdict = decision.verdict.code();
    Ok(FormerDecision {
        months,
        verdict_key: format!("verdict-{verdict}"),
        alert: match verdict {
            "allowed" => "ok",
            "report" => "info",
            "approval_required" => "warning",
            _ => "error",
        },
        explanation: match s.ctx.lang {
            Lang::Nl => decision.explanation.nl.clone(),
            Lang::En => decision.explanation.en.clone(),
        },
        preset_version: decision.preset_version.clone(),
        file_href: href,
    })
}

async fn screening_page(
    state: &AppState,
    s: &SignedIn,
    person: &people::Person,
    submitted: Option<&Form>,
    errors: FieldErrors,
    saved: bool,
) -> Result<ScreeningPersonPage, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let stored = store::screening_of(&mut conn, p.org, person.id).await?;
    drop(conn);
    let current = stored
        .as_ref()
        .map(|r| r.screening.clone())
        .unwrap_or_default();
    let required = rules::required_items(person.employment_type);
    let items = ScreeningItem::ALL
        .iter()
        .map(|i| ItemField {
            name: i.field(),
            label_key: i.label_key(),
            required: required.contains(i),
            value: match submitted {
                Some(f) => f.get(i.field()).to_string(),
                None => current
                    .date_of(*i)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            },
        })
        .collect();
    let (former, left_on, compelling) = match submitted {
        Some(f) => (
            f.get(field::FORMER) == "ja",
            f.get(field::LEFT_ON).to_string(),
            f.get(field::COMPELLING) == "ja",
        ),
        None => (
            current.former_left_on.is_some(),
            current
                .former_left_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            current.compelling_reasons,
        ),
    };
    let decision = match (submitted, current.former_left_on) {
        (None, Some(left)) => {
            Some(former_decision(state, s, person, left, current.compelling_reasons).await?)
        }
        _ => None,
    };
    Ok(ScreeningPersonPage {
        l: Layout::new(&s.ctx, "prevention-screening-person-title"),
        person_id: person.id.0,
        name: person.name.clone(),
        employment_key: person.employment_type.label_key(),
        start_date: person.start_date.clone().unwrap_or_default(),
        items,
        former,
        left_on,
        compelling,
        decision,
        version: stored.as_ref().map_or(0, |r| r.version),
        errors,
        saved,
    })
}

/// `GET /organisatie/screening/{id}`: a hire's screening, for HR.
pub async fn screening_person(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    let (person, _) = subject(&state, &s, &id, Action::View, Resource::Screening).await?;
    let page = screening_page(
        &state,
        &s,
        &person,
        None,
        FieldErrors::default(),
        n.opgeslagen.is_some(),
    )
    .await?;
    render(&page)
}

/// `POST /organisatie/screening/{id}`: saves the screening dates
/// (compare-and-set on the version shown).
pub async fn screening_save(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let action = if version == 0 {
        Action::Create
    } else {
        Action::Update
    };
    let (person, _) = subject(&state, &s, &id, action, Resource::Screening).await?;
    let input = ScreeningInput {
        vog_requested: form.get(field::VOG_REQUESTED),
        vog_received: form.get(field::VOG_RECEIVED),
        references: form.get(field::REFERENCES),
        diplomas: form.get(field::DIPLOMAS),
        declaration: form.get(field::DECLARATION),
        former: form.get(field::FORMER) == "ja",
        left_on: form.get(field::LEFT_ON),
        compelling: form.get(field::COMPELLING) == "ja",
    };
    let lang = s.ctx.lang;
    let screening: Screening = match rules::parse_screening(&input, today()) {
        Ok(sc) => sc,
        Err(problems) => {
            let errors = problems_to_errors(lang, &problems);
            let page = screening_page(&state, &s, &person, Some(&form), errors, false).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    match store::save_screening(&mut tx, p.org, &by(&s), person.id, version, &screening).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add(
                lang,
                field::VOG_REQUESTED,
                &Problem::new("prevention-error-changed"),
            );
            let page = screening_page(&state, &s, &person, Some(&form), errors, false).await?;
            return render_status(StatusCode::CONFLICT, &page);
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/organisatie/screening/{}?opgeslagen=1",
        person.id.0
    ))
    .into_response())
}

// --- Code of conduct acknowledgement --------------------------------------

pub struct PendingView {
    pub name: String,
    pub unit: String,
    pub last_version: String,
}

#[derive(Template)]
#[template(path = "prevention_code.html")]
pub struct CodePage {
    pub l: Layout,
    pub version: String,
    /// The digest of the version shown: the one acknowledged on submit.
    pub digest: String,
    /// "You acknowledged version X on DATE" (empty: not this version).
    pub acknowledged_text: String,
    /// An earlier version was acknowledged: the code changed since.
    pub changed_text: String,
    pub can_list: bool,
    pub pending: Vec<PendingView>,
    pub pending_total: i64,
    pub pending_text: String,
    /// The review date, for the organisation-wide readers.
    pub review_text: String,
    pub review_due: bool,
    pub saved: bool,
}

/// `GET /organisatie/gedragscode-gelezen`: whether the signed-in person
/// acknowledged the code in force, the button if not, and (HR, the
/// integrity office; a manager for their team) who has not yet.
pub async fn code(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    permit(&s, Action::Create, Resource::CodeAcknowledgement)?;
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let effective = crate::preset::effective(&mut conn, p.org, &s.user.org.preset).await?;
    let (version, digest) = (
        effective.preset.version.clone(),
        effective.preset.digest.clone(),
    );
    let mine = store::acknowledgement_of(&mut conn, p.org, p.person).await?;
    let l = Layout::new(&s.ctx, "prevention-code-title");
    let (acknowledged_text, changed_text) = match &mine {
        Some(a) if !rules::must_acknowledge(&digest, Some(&a.digest)) => (
            l.tf(
                "prevention-code-acknowledged",
                &[("version", &a.preset_version), ("date", &date_text(a.at))],
            ),
            String::new(),
        ),
        Some(a) => (
            String::new(),
            l.tf(
                "prevention-code-changed",
                &[("version", &a.preset_version), ("date", &date_text(a.at))],
            ),
        ),
        None => (String::new(), String::new()),
    };
    let list_permit = decide(
        p,
        Action::List,
        Resource::CodeAcknowledgement,
        Target::org(p.org),
    )
    .ok();
    let (pending, pending_total) = match list_permit {
        Some(permit) => {
            store::not_acknowledged(
                &mut conn,
                p.org,
                permit.scope(),
                &digest,
                today(),
                LIST_LIMIT,
            )
            .await?
        }
        None => (Vec::new(), 0),
    };
    let organisation_wide =
        list_permit.is_some_and(|p| p.scope() == integer_domain::authz::Scope::Organisation);
    let settings = store::settings(&mut conn, p.org).await?.settings;
    let (review_text, review_due) = match (organisation_wide, settings.code_reviewed_on) {
        (false, _) => (String::new(), false),
        (true, None) => (l.t("prevention-code-review-unset").to_string(), false),
        (true, Some(reviewed)) => {
            let next = rules::next_review(reviewed, settings.review_years);
            (
                l.tf(
                    "prevention-code-review",
                    &[
                        ("reviewed", &reviewed.to_string()),
                        ("next", &next.to_string()),
                        ("years", &settings.review_years.to_string()),
                    ],
                ),
                rules::review_reminder_due(next, today()),
            )
        }
    };
    render(&CodePage {
        pending_text: l.tf(
            "prevention-code-pending-count",
            &[("n", &pending_total.to_string())],
        ),
        acknowledged_text,
        changed_text,
        l,
        version,
        digest,
        can_list: list_permit.is_some(),
        pending: pending
            .into_iter()
            .map(|u| PendingView {
                name: u.name,
                unit: u.unit.unwrap_or_default(),
                last_version: u.last_version.unwrap_or_default(),
            })
            .collect(),
        pending_total,
        review_text,
        review_due,
        saved: n.opgeslagen.is_some(),
    })
}

/// `POST /organisatie/gedragscode-gelezen`: "I have read the code of
/// conduct and know the rules", for the version in force now.
pub async fn acknowledge(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    permit(&s, Action::Create, Resource::CodeAcknowledgement)?;
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    let effective = crate::preset::effective(&mut tx, p.org, &s.user.org.preset).await?;
    // The version read is the one acknowledged; a page shown before a
    // change cannot acknowledge the new text unseen.
    if form.get("digest") != effective.preset.digest {
        return Err(AppError::Conflict);
    }
    store::acknowledge(
        &mut tx,
        p.org,
        &by(&s),
        &effective.preset.version,
        &effective.preset.digest,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/organisatie/gedragscode-gelezen?opgeslagen=1").into_response())
}

// --- Settings -------------------------------------------------------------

#[derive(Template)]
#[template(path = "prevention_settings.html")]
pub struct SettingsPage {
    pub l: Layout,
    pub oath_days: String,
    pub reviewed_on: String,
    pub review_years: String,
    pub version: i64,
    pub errors: FieldErrors,
    pub saved: bool,
}

/// `GET /organisatie/preventie-instellingen` (administrator).
pub async fn settings(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    permit(&s, Action::Update, Resource::Organisation)?;
    let mut conn = state.store.conn().await?;
    let stored = store::settings(&mut conn, s.user.principal.org).await?;
    render(&SettingsPage {
        l: Layout::new(&s.ctx, "prevention-settings-title"),
        oath_days: stored.settings.oath_days.to_string(),
        reviewed_on: stored
            .settings
            .code_reviewed_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        review_years: stored.settings.review_years.to_string(),
        version: stored.version,
        errors: FieldErrors::default(),
        saved: n.opgeslagen.is_some(),
    })
}

/// `POST /organisatie/preventie-instellingen`: compare-and-set on the
/// version shown.
pub async fn save_settings(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    permit(&s, Action::Update, Resource::Organisation)?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let lang = s.ctx.lang;
    let again = |errors: FieldErrors| SettingsPage {
        l: Layout::new(&s.ctx, "prevention-settings-title"),
        oath_days: form.get(field::OATH_DAYS).to_string(),
        reviewed_on: form.get(field::REVIEWED_ON).to_string(),
        review_years: form.get(field::REVIEW_YEARS).to_string(),
        version,
        errors,
        saved: false,
    };
    let parsed = rules::parse_settings(
        form.get(field::OATH_DAYS),
        form.get(field::REVIEWED_ON),
        form.get(field::REVIEW_YEARS),
        today(),
    );
    let settings = match parsed {
        Ok(v) => v,
        Err(problems) => {
            let page = again(problems_to_errors(lang, &problems));
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    match store::set_settings(&mut tx, p.org, &by(&s), version, &settings).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add(
                lang,
                field::OATH_DAYS,
                &Problem::new("prevention-error-changed"),
            );
            return render_status(StatusCode::CONFLICT, &again(errors));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/organisatie/preventie-instellingen?opgeslagen=1").into_response())
}
