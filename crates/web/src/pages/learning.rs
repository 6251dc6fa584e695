//! Learning (docs/LEARNING.md): one's own trainings and HR conversations
//! (`/mijn-integriteit`), the training records with the bulk form and
//! integrity in HR conversations (`/organisatie/trainingen`), a person's
//! records (`/organisatie/trainingen/persoon/{id}`), moral deliberation
//! sessions and team meetings with integrity per unit
//! (`/organisatie/moreel-beraad`), and a manager's team at a glance
//! (`/team/integriteit`). Every decision goes through `authz::decide`.

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
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Permit, Relation, Resource, Scope, Target, decide, may};
use integer_domain::learning::{
    self, DeliberationInput, Theme, TrainingInput, TrainingKind, field,
};
use integer_domain::org::{PersonId, UnitId};
use integer_store::StoreError;
use integer_store::learning::{self as store, Author};
use integer_store::{people, prevention};

/// Most people listed to pick from without choosing a unit first.
const PICK_LIMIT: i64 = 300;
/// Most rows on a list page.
const LIST_LIMIT: i64 = 1000;

/// One option of a select, radio or checkbox group.
pub struct Choice {
    pub code: String,
    pub label: String,
    pub checked: bool,
}

pub struct TrainingRow {
    pub id: i64,
    pub person_id: i64,
    pub person: String,
    pub kind_key: String,
    pub title: String,
    pub date: String,
    pub completed: bool,
    pub version: i64,
}

pub struct HrRow {
    pub person_id: i64,
    pub person: String,
    pub date: String,
}

fn training_rows(records: &[store::TrainingRecord]) -> Vec<TrainingRow> {
    records
        .iter()
        .map(|r| TrainingRow {
            id: r.id,
            person_id: r.person.0,
            person: r.person_name.clone(),
            kind_key: format!("learning-kind-{}", r.kind),
            title: r.title.clone(),
            date: r.date.clone(),
            completed: r.completed,
            version: r.version,
        })
        .collect()
}

fn hr_rows(records: &[store::HrConversation]) -> Vec<HrRow> {
    records
        .iter()
        .map(|r| HrRow {
            person_id: r.person.0,
            person: r.person_name.clone(),
            date: r.date.clone(),
        })
        .collect()
}

/// Who writes, for the audit rows.
pub(crate) fn author(s: &SignedIn) -> Author {
    Author {
        person: s.user.principal.person,
        actor: s.user.actor(),
        credential: Credential::Session,
    }
}

pub(crate) fn problems_to_errors(
    s: &SignedIn,
    problems: &[(&'static str, Problem)],
) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (f, p) in problems {
        errors.add(s.ctx.lang, f, p);
    }
    errors
}

fn permit(
    s: &SignedIn,
    action: Action,
    resource: Resource,
    relation: Relation,
) -> Result<Permit, AppError> {
    let p = &s.user.principal;
    decide(
        p,
        action,
        resource,
        Target {
            org: p.org,
            relation,
        },
    )
    .map_err(|_| AppError::Forbidden)
}

#[derive(serde::Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    opgeslagen: Option<String>,
    #[serde(default)]
    verwijderd: Option<String>,
    #[serde(default)]
    jaar: Option<String>,
    #[serde(default)]
    eenheid: Option<String>,
    #[serde(default)]
    leidinggevende: Option<String>,
}

// ---------------------------------------------------------------- own page

#[derive(Template)]
#[template(path = "learning_mine.html")]
pub struct MinePage {
    pub l: Layout,
    pub title: String,
    pub trainings: Vec<TrainingRow>,
    pub hr: Vec<HrRow>,
    /// Names link to a person's page (not on one's own page).
    pub link_people: bool,
    pub can_update: bool,
}

/// `GET /mijn-integriteit`: one's own trainings and HR conversations.
pub async fn mine(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let scope = permit(&s, Action::View, Resource::Training, Relation::Own)?.scope();
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let trainings =
        store::trainings(&mut conn, p.org, scope, Some(p.person), None, LIST_LIMIT).await?;
    let hr =
        store::hr_conversations(&mut conn, p.org, scope, Some(p.person), None, LIST_LIMIT).await?;
    let l = Layout::new(&s.ctx, "learning-mine-title");
    render(&MinePage {
        title: l.t("learning-mine-title").to_string(),
        l,
        trainings: training_rows(&trainings),
        hr: hr_rows(&hr),
        link_people: false,
        can_update: false,
    })
}

/// `GET /organisatie/trainingen/persoon/{id}`: a person's trainings and
/// HR conversations (HR and the office: anyone; a manager: a direct
/// report; anyone: themselves).
pub async fn person(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = PersonId(id.parse().map_err(|_| AppError::NotFound)?);
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    // Another organisation's id looks like one that does not exist.
    let subject = people::get(&mut conn, p.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let relation = people::relation(&mut conn, p.org, p.person, id).await?;
    let scope = permit(&s, Action::View, Resource::Training, relation)?.scope();
    let trainings = store::trainings(&mut conn, p.org, scope, Some(id), None, LIST_LIMIT).await?;
    let hr = store::hr_conversations(&mut conn, p.org, scope, Some(id), None, LIST_LIMIT).await?;
    let l = Layout::new(&s.ctx, "learning-person-title");
    render(&MinePage {
        title: format!("{}: {}", l.t("learning-person-title"), subject.name),
        can_update: may(p, Action::Update, Resource::Training),
        l,
        trainings: training_rows(&trainings),
        hr: hr_rows(&hr),
        link_people: false,
    })
}

// ---------------------------------------------------------- training list

/// The bulk training form, as new or as last submitted.
#[derive(Default)]
pub struct TrainingForm {
    pub kinds: Vec<Choice>,
    pub title: String,
    pub date: String,
    pub completed: String,
    /// Units to narrow the list of people by.
    pub units: Vec<Choice>,
    pub people: Vec<Choice>,
    /// Too many people to list without a unit.
    pub too_many: bool,
    pub emails: String,
    pub errors: FieldErrors,
}

#[derive(Default)]
pub struct HrForm {
    pub person: String,
    pub date: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "learning_trainings.html")]
pub struct TrainingsPage {
    pub l: Layout,
    pub year: String,
    pub year_heading: String,
    pub trainings: Vec<TrainingRow>,
    pub hr: Vec<HrRow>,
    pub team_only: bool,
    pub can_create: bool,
    pub can_update: bool,
    pub link_people: bool,
    pub notice: Option<String>,
    pub form: TrainingForm,
    pub hr_form: HrForm,
}

fn year_of(raw: Option<&str>) -> i64 {
    raw.and_then(|y| y.trim().parse::<i64>().ok())
        .filter(|y| (1900..=2200).contains(y))
        .unwrap_or_else(|| i64::from(learning::today().year()))
}

async fn training_form(
    state: &AppState,
    s: &SignedIn,
    unit: Option<UnitId>,
    input: &TrainingInput<'_>,
    picked: &[&str],
    emails: &str,
    errors: FieldErrors,
) -> Result<TrainingForm, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let l = Layout::new(&s.ctx, "learning-trainings-title");
    let units = store::units_in_scope(&mut conn, p.org, Scope::Organisation).await?;
    let people = store::people_to_pick(&mut conn, p.org, unit, PICK_LIMIT + 1).await?;
    let too_many = people.len() as i64 > PICK_LIMIT;
    Ok(TrainingForm {
        kinds: TrainingKind::ALL
            .iter()
            .map(|k| Choice {
                code: k.code().to_string(),
                label: l.t(&format!("learning-kind-{}", k.code())).to_string(),
                checked: input.kind == k.code(),
            })
            .collect(),
        title: input.title.to_string(),
        date: input.date.to_string(),
        completed: input.completed.to_string(),
        units: units
            .iter()
            .map(|(id, name)| Choice {
                code: id.0.to_string(),
                label: name.clone(),
                checked: unit == Some(*id),
            })
            .collect(),
        people: if too_many {
            Vec::new()
        } else {
            people
                .iter()
                .map(|(id, name, email)| Choice {
                    code: id.0.to_string(),
                    label: format!("{name} ({email})"),
                    checked: picked.contains(&id.0.to_string().as_str()),
                })
                .collect()
        },
        too_many,
        emails: emails.to_string(),
        errors,
    })
}

async fn trainings_page(
    state: &AppState,
    s: &SignedIn,
    year: i64,
    notice: Option<String>,
    form: TrainingForm,
    hr_form: HrForm,
) -> Result<TrainingsPage, AppError> {
    let scope = permit(s, Action::List, Resource::Training, Relation::None)?.scope();
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let trainings = store::trainings(&mut conn, p.org, scope, None, Some(year), LIST_LIMIT).await?;
    let hr = store::hr_conversations(&mut conn, p.org, scope, None, Some(year), LIST_LIMIT).await?;
    let l = Layout::new(&s.ctx, "learning-trainings-title");
    Ok(TrainingsPage {
        year_heading: l.tf("learning-year-shown", &[("year", &year.to_string())]),
        l,
        year: year.to_string(),
        trainings: training_rows(&trainings),
        hr: hr_rows(&hr),
        team_only: matches!(scope, Scope::Team(_)),
        can_create: may(p, Action::Create, Resource::Training),
        can_update: may(p, Action::Update, Resource::Training),
        link_people: true,
        notice,
        form,
        hr_form,
    })
}

fn unit_param(raw: Option<&str>) -> Option<UnitId> {
    raw.and_then(|u| u.trim().parse::<i64>().ok())
        .filter(|u| *u > 0)
        .map(UnitId)
}

/// `GET /organisatie/trainingen`: the year's records that the person may
/// see (HR and the office: everyone; a manager: their team), with the
/// forms for those who record.
pub async fn trainings(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    permit(&s, Action::List, Resource::Training, Relation::None)?;
    let l = Layout::new(&s.ctx, "learning-trainings-title");
    let notice = match (&q.opgeslagen, &q.verwijderd) {
        (Some(n), _) if n == "hr" => Some(l.t("learning-saved-hr").to_string()),
        (Some(n), _) => match n.parse::<i64>() {
            Ok(n) => Some(l.tf("learning-saved-trainings", &[("n", &n.to_string())])),
            Err(_) => Some(l.t("learning-saved").to_string()),
        },
        _ => None,
    };
    let today = learning::today().to_string();
    let input = TrainingInput {
        date: &today,
        completed: "ja",
        ..Default::default()
    };
    let unit = unit_param(q.eenheid.as_deref());
    let form = training_form(&state, &s, unit, &input, &[], "", FieldErrors::default()).await?;
    let hr_form = HrForm {
        date: today.clone(),
        ..Default::default()
    };
    let year = year_of(q.jaar.as_deref());
    render(&trainings_page(&state, &s, year, notice, form, hr_form).await?)
}

/// Splits typed e-mail addresses on new lines, commas, semicolons and
/// spaces.
fn typed_emails(raw: &str) -> Vec<String> {
    raw.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect()
}

/// `POST /organisatie/trainingen`: one training for the people picked and
/// typed (HR and the integrity office).
pub async fn add_training(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    permit(&s, Action::Create, Resource::Training, Relation::None)?;
    let p = &s.user.principal;
    let input = TrainingInput {
        kind: form.get(field::KIND),
        title: form.get(field::TITLE),
        date: form.get(field::DATE),
        completed: form.get(field::COMPLETED),
    };
    let picked = form.all("deelnemer");
    let emails = form.get(field::PEOPLE);
    let mut problems = match learning::parse_training(&input, learning::today()) {
        Ok(_) => Vec::new(),
        Err(p) => p,
    };
    let mut people_ids: Vec<PersonId> = Vec::new();
    for raw in &picked {
        let id = PersonId(raw.trim().parse().map_err(|_| AppError::BadRequest)?);
        if !people_ids.contains(&id) {
            people_ids.push(id);
        }
    }
    {
        let mut conn = state.store.conn().await?;
        for email in typed_emails(emails) {
            match people::by_email(&mut conn, p.org, &email).await? {
                Some(id) if !people_ids.contains(&id) => people_ids.push(id),
                Some(_) => {}
                None => problems.push((
                    field::PEOPLE,
                    Problem::new("learning-error-unknown-email").with("value", email),
                )),
            }
        }
    }
    if people_ids.is_empty() && !problems.iter().any(|(f, _)| *f == field::PEOPLE) {
        problems.push((field::PEOPLE, Problem::new("learning-error-people-missing")));
    }
    let training = match learning::parse_training(&input, learning::today()) {
        Ok(t) if problems.is_empty() => t,
        _ => {
            let errors = problems_to_errors(&s, &problems);
            let unit = unit_param(Some(form.get("eenheid")));
            let tf = training_form(&state, &s, unit, &input, &picked, emails, errors).await?;
            let hr_form = HrForm {
                date: learning::today().to_string(),
                ..Default::default()
            };
            let year = year_of(None);
            let page = trainings_page(&state, &s, year, None, tf, hr_form).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let mut tx = state.store.begin_write().await?;
    let ids = store::add_trainings(&mut tx, p.org, &author(&s), &training, &people_ids).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/organisatie/trainingen?opgeslagen={}&jaar={}",
        ids.len(),
        training.date.year()
    ))
    .into_response())
}

/// `POST /organisatie/trainingen/hr-gesprek`: integrity was on the agenda
/// of a person's HR conversation (HR and the integrity office; the rule
/// for `Training` does not let managers record).
pub async fn add_hr(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    permit(&s, Action::Create, Resource::Training, Relation::None)?;
    let p = &s.user.principal;
    const PERSON: &str = "hr_persoon";
    const DATE: &str = "hr_datum";
    let mut problems = Vec::new();
    let date = learning::parse_past_date(form.get(DATE), learning::today(), DATE, &mut problems);
    let email = form.get(PERSON).trim().to_lowercase();
    let mut conn = state.store.conn().await?;
    let person = if email.is_empty() {
        problems.push((PERSON, Problem::new("learning-error-person-missing")));
        None
    } else {
        let found = people::by_email(&mut conn, p.org, &email).await?;
        if found.is_none() {
            problems.push((
                PERSON,
                Problem::new("learning-error-unknown-email").with("value", email.clone()),
            ));
        }
        found
    };
    drop(conn);
    let mut outcome = None;
    if let (Some(person), Some(date)) = (person, date)
        && problems.is_empty()
    {
        let mut tx = state.store.begin_write().await?;
        match store::add_hr_conversation(&mut tx, p.org, &author(&s), person, date).await {
            Ok(_) => {
                tx.commit().await?;
                outcome = Some(date);
            }
            Err(StoreError::Conflict(_)) => {
                problems.push((DATE, Problem::new("learning-error-hr-exists")));
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(date) = outcome {
        return Ok(Redirect::to(&format!(
            "/organisatie/trainingen?opgeslagen=hr&jaar={}",
            date.year()
        ))
        .into_response());
    }
    let today = learning::today().to_string();
    let input = TrainingInput {
        date: &today,
        completed: "ja",
        ..Default::default()
    };
    let tf = training_form(&state, &s, None, &input, &[], "", FieldErrors::default()).await?;
    let hr_form = HrForm {
        person: form.get(PERSON).to_string(),
        date: form.get(DATE).to_string(),
        errors: problems_to_errors(&s, &problems),
    };
    let page = trainings_page(&state, &s, year_of(None), None, tf, hr_form).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `POST /organisatie/trainingen/{id}/afgerond`: marks a training
/// completed (compare-and-set on the version shown).
pub async fn mark_completed(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    permit(&s, Action::Update, Resource::Training, Relation::None)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    store::set_completed(
        &mut tx,
        p.org,
        &author(&s),
        id,
        version,
        true,
        learning::today(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/organisatie/trainingen?opgeslagen=1").into_response())
}

// ------------------------------------------------------- moral deliberation

pub struct SessionRow {
    pub id: i64,
    pub unit: String,
    pub date: String,
    pub attendees: i64,
    pub topics: String,
    pub theme_key: Option<String>,
    pub version: i64,
}

pub struct MeetingRow {
    pub unit: String,
    pub date: String,
}

#[derive(Default)]
pub struct SessionForm {
    pub units: Vec<Choice>,
    pub date: String,
    pub attendees: String,
    pub topics: String,
    pub themes: Vec<Choice>,
    pub errors: FieldErrors,
}

#[derive(Default)]
pub struct MeetingForm {
    pub units: Vec<Choice>,
    pub date: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "learning_deliberation.html")]
pub struct DeliberationPage {
    pub l: Layout,
    pub sessions_caption: String,
    pub meetings_caption: String,
    pub sessions: Vec<SessionRow>,
    pub meetings: Vec<MeetingRow>,
    pub can_record: bool,
    pub notice_key: Option<&'static str>,
    pub form: SessionForm,
    pub meeting: MeetingForm,
}

fn session_rows(sessions: &[store::Session]) -> Vec<SessionRow> {
    sessions
        .iter()
        .map(|d| SessionRow {
            id: d.id,
            unit: d.unit_name.clone(),
            date: d.date.clone(),
            attendees: d.attendees,
            topics: d.topics.clone(),
            theme_key: d.theme.as_ref().map(|t| format!("learning-theme-{t}")),
            version: d.version,
        })
        .collect()
}

fn meeting_rows(meetings: &[store::TeamMeeting]) -> Vec<MeetingRow> {
    meetings
        .iter()
        .map(|m| MeetingRow {
            unit: m.unit_name.clone(),
            date: m.date.clone(),
        })
        .collect()
}

fn unit_choices(units: &[(UnitId, String)], chosen: &str) -> Vec<Choice> {
    units
        .iter()
        .map(|(id, name)| Choice {
            code: id.0.to_string(),
            label: name.clone(),
            checked: id.0.to_string() == chosen,
        })
        .collect()
}

async fn deliberation_page(
    state: &AppState,
    s: &SignedIn,
    notice_key: Option<&'static str>,
    input: &DeliberationInput<'_>,
    unit: &str,
    errors: FieldErrors,
    meeting: (&str, &str, FieldErrors),
) -> Result<DeliberationPage, AppError> {
    let scope = permit(s, Action::List, Resource::MoralDeliberation, Relation::None)?.scope();
    let p = &s.user.principal;
    let year = i64::from(learning::today().year());
    let mut conn = state.store.conn().await?;
    let units = store::units_in_scope(&mut conn, p.org, scope).await?;
    let sessions = store::sessions(&mut conn, p.org, scope, year).await?;
    let meetings = store::team_meetings(&mut conn, p.org, scope, year).await?;
    let l = Layout::new(&s.ctx, "learning-deliberation-title");
    let y = year.to_string();
    Ok(DeliberationPage {
        sessions_caption: l.tf("learning-sessions-caption", &[("year", &y)]),
        meetings_caption: l.tf("learning-meetings-caption", &[("year", &y)]),
        sessions: session_rows(&sessions),
        meetings: meeting_rows(&meetings),
        can_record: may(p, Action::Create, Resource::MoralDeliberation) && !units.is_empty(),
        notice_key,
        form: SessionForm {
            units: unit_choices(&units, unit),
            date: input.date.to_string(),
            attendees: input.attendees.to_string(),
            topics: input.topics.to_string(),
            themes: Theme::ALL
                .iter()
                .map(|t| Choice {
                    code: t.code().to_string(),
                    label: l.t(&format!("learning-theme-{}", t.code())).to_string(),
                    checked: input.theme == t.code(),
                })
                .collect(),
            errors,
        },
        meeting: MeetingForm {
            units: unit_choices(&units, meeting.0),
            date: meeting.1.to_string(),
            errors: meeting.2,
        },
        l,
    })
}

/// `GET /organisatie/moreel-beraad`: this year's sessions and team
/// meetings of the units the person may see, with the forms.
pub async fn deliberations(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    let notice = if q.opgeslagen.is_some() {
        Some("learning-saved")
    } else if q.verwijderd.is_some() {
        Some("learning-deleted")
    } else {
        None
    };
    let today = learning::today().to_string();
    let input = DeliberationInput {
        date: &today,
        ..Default::default()
    };
    let page = deliberation_page(
        &state,
        &s,
        notice,
        &input,
        "",
        FieldErrors::default(),
        ("", &today, FieldErrors::default()),
    )
    .await?;
    render(&page)
}

/// The unit a session or meeting is for: it must exist in the
/// organisation (else 404) and, for a manager, be one they manage (else
/// 403). An empty choice is a field problem.
async fn unit_for(
    state: &AppState,
    s: &SignedIn,
    scope: Scope,
    raw: &str,
    name: &'static str,
    problems: &mut Vec<(&'static str, Problem)>,
) -> Result<Option<UnitId>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        problems.push((name, Problem::new("learning-error-unit-missing")));
        return Ok(None);
    }
    let unit = UnitId(raw.parse().map_err(|_| AppError::NotFound)?);
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    if !store::unit_exists(&mut conn, p.org, unit).await? {
        return Err(AppError::NotFound);
    }
    let allowed = store::units_in_scope(&mut conn, p.org, scope).await?;
    if !allowed.iter().any(|(id, _)| *id == unit) {
        return Err(AppError::Forbidden);
    }
    Ok(Some(unit))
}

/// `POST /organisatie/moreel-beraad`: records a session (a manager for
/// their units, the integrity office for all).
pub async fn add_session(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let scope = permit(
        &s,
        Action::Create,
        Resource::MoralDeliberation,
        Relation::None,
    )?
    .scope();
    let mut problems = Vec::new();
    let unit = unit_for(
        &state,
        &s,
        scope,
        form.get(field::UNIT),
        field::UNIT,
        &mut problems,
    )
    .await?;
    let input = DeliberationInput {
        date: form.get(field::DATE),
        attendees: form.get(field::ATTENDEES),
        topics: form.get(field::TOPICS),
        theme: form.get(field::THEME),
    };
    let checked = learning::parse_deliberation(&input, learning::today());
    if let Err(p) = &checked {
        problems.extend(p.iter().cloned());
    }
    let (Some(unit), Ok(session)) = (unit, checked) else {
        // Keep the form's field order in the summary.
        let order = [
            field::UNIT,
            field::DATE,
            field::ATTENDEES,
            field::TOPICS,
            field::THEME,
        ];
        problems.sort_by_key(|(f, _)| order.iter().position(|o| o == f));
        let today = learning::today().to_string();
        let page = deliberation_page(
            &state,
            &s,
            None,
            &input,
            form.get(field::UNIT),
            problems_to_errors(&s, &problems),
            ("", &today, FieldErrors::default()),
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    store::add_session(&mut tx, p.org, &author(&s), unit, &session).await?;
    tx.commit().await?;
    Ok(Redirect::to("/organisatie/moreel-beraad?opgeslagen=1").into_response())
}

/// `POST /organisatie/moreel-beraad/werkoverleg`: integrity was on the
/// agenda of a unit's team meeting.
pub async fn add_meeting(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let scope = permit(
        &s,
        Action::Create,
        Resource::MoralDeliberation,
        Relation::None,
    )?
    .scope();
    const UNIT: &str = "wo_eenheid";
    const DATE: &str = "wo_datum";
    let mut problems = Vec::new();
    let unit = unit_for(&state, &s, scope, form.get(UNIT), UNIT, &mut problems).await?;
    let date = learning::parse_past_date(form.get(DATE), learning::today(), DATE, &mut problems);
    if let (Some(unit), Some(date)) = (unit, date) {
        let p = &s.user.principal;
        let mut tx = state.store.begin_write().await?;
        match store::add_team_meeting(&mut tx, p.org, &author(&s), unit, date).await {
            Ok(_) => {
                tx.commit().await?;
                return Ok(Redirect::to("/organisatie/moreel-beraad?opgeslagen=1").into_response());
            }
            Err(StoreError::Conflict(_)) => {
                problems.push((DATE, Problem::new("learning-error-meeting-exists")));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let today = learning::today().to_string();
    let input = DeliberationInput {
        date: &today,
        ..Default::default()
    };
    let page = deliberation_page(
        &state,
        &s,
        None,
        &input,
        "",
        FieldErrors::default(),
        (
            form.get(UNIT),
            form.get(DATE),
            problems_to_errors(&s, &problems),
        ),
    )
    .await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `POST /organisatie/moreel-beraad/{id}/verwijderen`: removes a session
/// recorded by mistake (compare-and-set on the version shown).
pub async fn delete_session(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let scope = permit(
        &s,
        Action::Update,
        Resource::MoralDeliberation,
        Relation::None,
    )?
    .scope();
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    store::delete_session(&mut tx, p.org, &author(&s), scope, id, version).await?;
    tx.commit().await?;
    Ok(Redirect::to("/organisatie/moreel-beraad?verwijderd=1").into_response())
}

// ------------------------------------------------------------ team overview

pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub function: String,
    pub introduction: Option<String>,
    pub elearning: Option<String>,
    pub hr: Option<String>,
    /// The date of the oath or affirmation (`integer_store::prevention`).
    pub oath: Option<String>,
    /// Whether the current code of conduct was acknowledged, as text.
    pub acknowledged: String,
}

#[derive(Template)]
#[template(path = "learning_team.html")]
pub struct TeamPage {
    pub l: Layout,
    pub heading: String,
    pub members: Vec<MemberRow>,
    pub sessions_caption: String,
    pub meetings_caption: String,
    pub sessions: Vec<SessionRow>,
    pub meetings: Vec<MeetingRow>,
    pub can_see_records: bool,
}

/// `GET /team/integriteit`: a manager's direct reports at a glance, with
/// the team's sessions and meetings of this year. HR and the integrity
/// office may look at any manager's team (`?leidinggevende=ID`).
pub async fn team(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    let scope = permit(&s, Action::View, Resource::TeamOverview, Relation::None)?.scope();
    let p = &s.user.principal;
    let asked = match q.leidinggevende.as_deref().map(str::trim) {
        None | Some("") => p.person,
        Some(raw) => PersonId(raw.parse().map_err(|_| AppError::NotFound)?),
    };
    let mut conn = state.store.conn().await?;
    let manager = people::get(&mut conn, p.org, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    let manager_scope = match scope {
        Scope::Organisation => Scope::Team(asked),
        Scope::Team(me) if me == asked => scope,
        _ => return Err(AppError::Forbidden),
    };
    let year = i64::from(learning::today().year());
    let members = store::team_overview(&mut conn, p.org, asked).await?;
    let sessions = store::sessions(&mut conn, p.org, manager_scope, year).await?;
    let meetings = store::team_meetings(&mut conn, p.org, manager_scope, year).await?;
    let l = Layout::new(&s.ctx, "learning-team-title");
    // The oath and the code acknowledgement come from the prevention
    // module; "current" means the digest of the code in force now.
    let effective = crate::preset::effective(&mut conn, p.org, &s.user.org.preset).await?;
    let digest = effective.preset.digest.clone();
    let mut rows = Vec::with_capacity(members.len());
    for m in members {
        let oath = prevention::oath_of(&mut conn, p.org, m.person).await?;
        let ack = prevention::acknowledgement_of(&mut conn, p.org, m.person).await?;
        let acknowledged = match ack {
            Some(a) if a.digest == digest => l.tf(
                "learning-team-ack-current",
                &[("version", &a.preset_version)],
            ),
            Some(a) => l.tf("learning-team-ack-old", &[("version", &a.preset_version)]),
            None => l.t("learning-not-yet").to_string(),
        };
        rows.push(MemberRow {
            id: m.person.0,
            name: m.name,
            function: m.function_title.unwrap_or_default(),
            introduction: m.introduction,
            elearning: m.last_elearning,
            hr: m.last_hr_conversation,
            oath: oath.map(|o| o.taken_on),
            acknowledged,
        });
    }
    let y = year.to_string();
    render(&TeamPage {
        heading: l.tf("learning-team-of", &[("name", &manager.name)]),
        sessions_caption: l.tf("learning-sessions-caption", &[("year", &y)]),
        meetings_caption: l.tf("learning-meetings-caption", &[("year", &y)]),
        members: rows,
        sessions: session_rows(&sessions),
        meetings: meeting_rows(&meetings),
        can_see_records: may(p, Action::List, Resource::Training),
        l,
    })
}
