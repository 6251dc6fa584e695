//! Case handling for the case team: the list of one's cases with the
//! clocks of the whistleblower act, a case with its steps, team, messages,
//! notes, tasks and files, staff entry of oral reports and the reporter's
//! corrections to their minutes, and emergency access. The reporter's
//! identity and requests to disclose it are in `case_identity`.
//!
//! Need to know: every request goes through `authz::decide` with the
//! relation the store computed (team member, named, or nothing), and every
//! look at a case leaves an audit row.

use super::meldpunt::{
    FileView, Filer, MessageView, ReportValues, date_of, datetime_of, form_page, no_store,
    read_upload, size_text, submit,
};
use super::{render, render_status};
use crate::AppState;
use crate::ctx::{CurrentUser, SignedIn};
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::Layout;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Relation, Resource, Target, decide};
use integer_domain::case::{
    self as case, Category, Clock, Finding, IdentityMode, Measure, Mover, State as CaseState,
    TeamRole, TransitionInput,
};
use integer_domain::org::{PersonId, Role};
use integer_store::cases::{self, CaseRecord, EntryKind};
use integer_store::{StoreError, audit, people};

fn today() -> jiff::civil::Date {
    case::local_date(jiff::Timestamp::now())
}

pub struct ClockView {
    pub text_key: String,
    pub due: String,
    pub days: i64,
    pub alert: bool,
}

fn clock_view(c: Clock) -> ClockView {
    match c {
        Clock::NotStarted => ClockView {
            text_key: "case-clock-not-started".into(),
            due: String::new(),
            days: 0,
            alert: false,
        },
        Clock::Met { on, due, late } => ClockView {
            text_key: if late {
                "case-clock-met-late".into()
            } else {
                "case-clock-met".into()
            },
            due: format!("{on} / {due}"),
            days: 0,
            alert: false,
        },
        Clock::Running { due, days_left } => ClockView {
            text_key: "case-clock-running".into(),
            due: due.to_string(),
            days: days_left,
            alert: days_left <= 2,
        },
        Clock::Overdue { due, days_over } => ClockView {
            text_key: "case-clock-overdue".into(),
            due: due.to_string(),
            days: days_over,
            alert: true,
        },
    }
}

pub struct CaseRow {
    pub href: String,
    pub number: String,
    pub title: String,
    pub kind_key: String,
    pub state_key: String,
    pub received: String,
    pub ack: ClockView,
    pub feedback: ClockView,
    pub role_key: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
pub struct CasesPage {
    pub l: Layout,
    pub overdue: Vec<CaseRow>,
    pub this_week: Vec<CaseRow>,
    pub rows: Vec<CaseRow>,
    pub may_create: bool,
    pub may_set_handlers: bool,
    pub intake: String,
    pub alternate: String,
    pub complaints: String,
    pub auto_acknowledge: bool,
    pub retention_years: i16,
    /// Requests to disclose a reporter's identity that wait for this
    /// person's decision: (link, case number).
    pub identity_requests: Vec<(String, String)>,
    pub may_edit_info: bool,
    pub errors: FieldErrors,
}

/// `GET /zaken`: my cases, what is overdue and what is due this week.
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let p = &s.user.principal;
    decide(p, Action::List, Resource::Case, Target::org(p.org)).map_err(|_| AppError::Forbidden)?;
    list_page(&state, &s, FieldErrors::default(), StatusCode::OK).await
}

async fn list_page(
    state: &AppState,
    s: &SignedIn,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let summaries = cases::list_for(&mut conn, &state.key, p.org, p.person).await?;
    let today = today();
    let mut overdue = Vec::new();
    let mut this_week = Vec::new();
    let mut rows = Vec::new();
    for c in summaries {
        let ack = c.ack_clock(today);
        let fb = c.feedback_clock(today);
        let open = !c.state.is_final();
        let row = || CaseRow {
            href: format!("/zaken/{}", c.id),
            number: c.number.clone(),
            title: c.title.clone(),
            kind_key: format!("case-kind-{}", c.kind.code()),
            state_key: format!("case-state-{}", c.state.code()),
            received: date_of(c.received_at),
            ack: clock_view(ack),
            feedback: clock_view(fb),
            role_key: c
                .role
                .map(|r| format!("case-team-{}", r.code()))
                .unwrap_or_default(),
        };
        if open && (ack.is_overdue() || fb.is_overdue()) {
            overdue.push(row());
        } else if open && (ack.due_within(7) || fb.due_within(7)) {
            this_week.push(row());
        }
        rows.push(row());
    }
    let may_set_handlers = p.roles.has(Role::IntegrityOffice);
    let mut intake = Vec::new();
    let mut alternate = Vec::new();
    let mut complaints = Vec::new();
    for (kind, out) in [
        ("intake", &mut intake),
        ("alternate", &mut alternate),
        ("complaints", &mut complaints),
    ] {
        for id in cases::handlers(&mut conn, p.org, kind).await? {
            if let Some(person) = people::get(&mut conn, p.org, id).await? {
                out.push(person.email.to_string());
            }
        }
    }
    let (intake, alternate, complaints) = (
        intake.join(", "),
        alternate.join(", "),
        complaints.join(", "),
    );
    let settings = cases::settings(&mut conn, p.org).await?;
    // Only the handlers of a case decide on its requests (Wbk art. 1a);
    // the store finds the cases this person handles.
    let identity_requests =
        integer_store::case_disclosures::pending_for(&mut conn, p.org, p.person)
            .await?
            .into_iter()
            .map(|(case_id, number, request)| {
                (format!("/zaken/{case_id}/melder#verzoek-{request}"), number)
            })
            .collect();
    let page = CasesPage {
        l: Layout::new(&s.ctx, "cases-title"),
        overdue,
        this_week,
        rows,
        may_create: decide(p, Action::Create, Resource::Case, Target::org(p.org)).is_ok(),
        may_set_handlers,
        intake,
        alternate,
        complaints,
        auto_acknowledge: settings.auto_acknowledge,
        retention_years: settings.retention_years,
        identity_requests,
        may_edit_info: decide(
            p,
            Action::Update,
            Resource::ReportingInfo,
            Target::org(p.org),
        )
        .is_ok(),
        errors,
    };
    no_store(render_status(status, &page)?)
}

/// `POST /zaken/behandelaars`: who receives new reports, and who handles
/// reports about the office or the director (e-mail addresses).
pub async fn set_handlers(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let p = &s.user.principal;
    decide(
        p,
        Action::Create,
        Resource::CaseEmergency,
        Target::org(p.org),
    )
    .map_err(|_| AppError::Forbidden)?;
    let lang = s.ctx.lang;
    let mut errors = FieldErrors::default();
    let mut conn = state.store.conn().await?;
    let mut lists = Vec::new();
    for (field, kind) in [
        ("intake", "intake"),
        ("alternatief", "alternate"),
        ("klachten", "complaints"),
    ] {
        let mut ids = Vec::new();
        for email in form
            .get(field)
            .split([',', ';', ' ', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            match people::by_email(&mut conn, p.org, email).await? {
                Some(id) => ids.push(id),
                None => errors.add(
                    lang,
                    field,
                    &Problem::new("case-error-person").with("email", email),
                ),
            }
        }
        lists.push((kind, ids));
    }
    drop(conn);
    if !errors.is_empty() {
        return list_page(&state, &s, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let retention = match form.get("bewaartermijn").trim() {
        "" => Some(5),
        t => t.parse::<i16>().ok().filter(|y| (1..=100).contains(y)),
    };
    let Some(retention_years) = retention else {
        errors.add(lang, "bewaartermijn", &Problem::new("case-error-retention"));
        return list_page(&state, &s, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let settings = cases::Settings {
        auto_acknowledge: form.get("automatisch") == "ja",
        retention_years,
    };
    let mut tx = state.store.begin_write().await?;
    for (kind, ids) in &lists {
        cases::set_handlers(&mut tx, p.org, kind, ids).await?;
    }
    cases::set_settings(&mut tx, p.org, settings).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "case.handlers_set",
            "organisation",
            p.org.0,
            serde_json::json!({"intake": lists[0].1.iter().map(|x| x.0).collect::<Vec<_>>(),
                               "alternate": lists[1].1.iter().map(|x| x.0).collect::<Vec<_>>(),
                               "complaints": lists[2].1.iter().map(|x| x.0).collect::<Vec<_>>(),
                               "auto_acknowledge": settings.auto_acknowledge,
                               "retention_years": settings.retention_years}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/zaken").into_response())
}

/// `GET /zaken/nieuw`: staff enter a report received by phone, letter, in a
/// meeting, or passed on by a counsellor with the reporter's consent.
pub async fn new_form(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let p = &s.user.principal;
    decide(p, Action::Create, Resource::Case, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let mut page = form_page(
        &s.ctx,
        &s.user.org,
        &Filer::Staff(&s.user),
        ReportValues::default(),
        FieldErrors::default(),
        Vec::new(),
    );
    // What the reporter must be told, for staff to tell an oral reporter.
    page.info = super::meldpunt_info::for_org(&state, s.ctx.lang, &s.user.org).await?;
    no_store(render(&page)?)
}

/// `POST /zaken/nieuw`.
pub async fn new_submit(
    State(state): State<AppState>,
    s: SignedIn,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let upload = read_upload(multipart).await?;
    upload.fields.verify_csrf(&s.user.csrf)?;
    let p = &s.user.principal;
    decide(p, Action::Create, Resource::Case, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let org = s.user.org.clone();
    submit(&state, &s.ctx, &org, Filer::Staff(&s.user), upload).await
}

/// Loads a case for `action`, deciding with the relation the store found;
/// another organisation's case, or one that does not exist, is a 404.
pub(crate) async fn load(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    resource: Resource,
    action: Action,
) -> Result<Relation, AppError> {
    let p = &user.principal;
    let mut conn = state.store.conn().await?;
    let relation = cases::relation(&mut conn, &state.key, p.org, id, p.person)
        .await?
        .ok_or(AppError::NotFound)?;
    decide(
        p,
        action,
        resource,
        Target {
            org: p.org,
            relation,
        },
    )
    .map_err(|_| AppError::Forbidden)?;
    Ok(relation)
}

pub struct TeamView {
    pub person: i64,
    pub name: String,
    pub role_key: String,
    pub emergency: bool,
}

pub struct TaskView {
    pub id: i64,
    pub title: String,
    pub due: String,
    pub done: bool,
    pub overdue: bool,
}

/// A correction the reporter proposed to the minutes, as the team reads it.
pub struct CorrectionView {
    pub id: i64,
    pub proposal: String,
    pub at: String,
    pub state_key: String,
    pub pending: bool,
    pub answer: String,
    pub answered: String,
    pub by: String,
    pub minutes_before: String,
}

pub struct Opt {
    pub code: &'static str,
    pub label_key: String,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub l: Layout,
    pub c: CaseRecord,
    pub kind_key: String,
    pub state_key: String,
    pub channel_key: String,
    pub identity_key: String,
    pub category_key: String,
    pub finding_key: String,
    pub measure_keys: Vec<String>,
    pub received: String,
    pub acknowledged: String,
    pub ack: ClockView,
    pub feedback: ClockView,
    pub person_informed: String,
    pub minutes_confirmed: String,
    pub next: Vec<Opt>,
    pub findings: Vec<Opt>,
    pub measures: Vec<Opt>,
    pub categories: Vec<Opt>,
    pub roles: Vec<Opt>,
    pub team: Vec<TeamView>,
    pub named: Vec<String>,
    pub entries: Vec<MessageView>,
    pub tasks: Vec<TaskView>,
    /// A named reporter's name, for those the reporter agreed may know it.
    pub identity_line: Option<String>,
    pub identity_stored: bool,
    /// Whether this person may read the identity (on the reporter page).
    pub may_read_identity: bool,
    pub open_requests: usize,
    pub corrections: Vec<CorrectionView>,
    pub errors: FieldErrors,
    pub base: String,
    pub exit_reason: String,
    pub done: bool,
}

fn opts<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, prefix: &str) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt {
            code: code(*v),
            label_key: format!("{prefix}{}", code(*v)),
        })
        .collect()
}

#[derive(serde::Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    klaar: Option<String>,
}

impl Done {
    /// Whether the page comes back after a change (`?klaar=1`).
    pub fn done(&self) -> bool {
        self.klaar.is_some()
    }
}

/// `GET /zaken/{id}`: the case, for its team. Audited.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    load(&state, &s.user, id, Resource::Case, Action::View).await?;
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "case.viewed",
            "case",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    let page = case_page(&state, &s, id, FieldErrors::default(), q.klaar.is_some()).await?;
    no_store(render(&page)?)
}

async fn case_page(
    state: &AppState,
    s: &SignedIn,
    id: i64,
    errors: FieldErrors,
    done: bool,
) -> Result<CasePage, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let c = cases::get(&mut conn, &state.key, p.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = today();
    let team = cases::team(&mut conn, id).await?;
    let named = cases::named(&mut conn, &state.key, id).await?;
    let entries = cases::entries(&mut conn, &state.key, id, false).await?;
    let tasks = cases::tasks(&mut conn, &state.key, id).await?;
    let requests = integer_store::case_disclosures::list(&mut conn, &state.key, id).await?;
    let identity_stored = cases::has_identity(&mut conn, id).await?;
    let identity_relation = cases::identity_relation(&mut conn, &state.key, p.org, id, p.person)
        .await?
        .ok_or(AppError::NotFound)?;
    let may_read_identity = decide(
        p,
        Action::View,
        Resource::CaseIdentity,
        Target {
            org: p.org,
            relation: identity_relation,
        },
    )
    .is_ok();
    // A named reporter agreed to the team knowing their name: it is shown
    // here. A confidential reporter's identity is opened on the reporter
    // page, each time audited (Wbk art. 1a).
    let identity_line = if c.identity_mode == IdentityMode::Named && may_read_identity {
        cases::identity(&mut conn, &state.key, id)
            .await?
            .map(|i| super::case_identity::identity_line(&i))
    } else {
        None
    };
    let corrections = integer_store::case_minutes::list(&mut conn, &state.key, id).await?;
    let base = format!("/zaken/{id}");
    Ok(CasePage {
        l: Layout::new(&s.ctx, "case-title"),
        kind_key: format!("case-kind-{}", c.kind.code()),
        state_key: format!("case-state-{}", c.state.code()),
        channel_key: format!("case-channel-{}", c.channel.code()),
        identity_key: format!("case-identity-{}", c.identity_mode.code()),
        category_key: c
            .category
            .as_deref()
            .map(|x| format!("case-category-{x}"))
            .unwrap_or_default(),
        finding_key: c
            .finding
            .map(|f| format!("case-finding-{}", f.code()))
            .unwrap_or_default(),
        measure_keys: c
            .measures
            .iter()
            .map(|m| format!("case-measure-{}", m.code()))
            .collect(),
        received: datetime_of(c.received_at),
        acknowledged: c.acknowledged_at.map(date_of).unwrap_or_default(),
        ack: clock_view(c.ack_clock(today)),
        feedback: clock_view(c.feedback_clock(today)),
        person_informed: c.person_informed_at.map(date_of).unwrap_or_default(),
        minutes_confirmed: c.minutes_confirmed_at.map(date_of).unwrap_or_default(),
        next: c
            .state
            .next()
            .iter()
            .map(|n| Opt {
                code: n.code(),
                label_key: format!("case-state-{}", n.code()),
            })
            .collect(),
        findings: opts(Finding::ALL, Finding::code, "case-finding-"),
        measures: opts(Measure::ALL, Measure::code, "case-measure-"),
        categories: opts(Category::ALL, Category::code, "case-category-"),
        roles: opts(&TeamRole::ALL[..5], TeamRole::code, "case-team-"),
        team: team
            .iter()
            .map(|m| TeamView {
                person: m.person.0,
                name: m.name.clone(),
                role_key: format!("case-team-{}", m.role.code()),
                emergency: m.role == TeamRole::Emergency,
            })
            .collect(),
        named: named.into_iter().map(|(_, n)| n).collect(),
        entries: entries
            .into_iter()
            .map(|e| MessageView {
                from_reporter: e.kind == EntryKind::FromReporter,
                at: datetime_of(e.created_at),
                body: e.body,
                author: e.author_name.unwrap_or_default(),
                kind_key: format!("case-entry-{}", e.kind.code()),
                files: e
                    .files
                    .iter()
                    .map(|f| FileView {
                        name: f.name.clone(),
                        size: size_text(f.size),
                        href: format!("{base}/bijlage/{}", f.id),
                    })
                    .collect(),
            })
            .collect(),
        tasks: tasks
            .into_iter()
            .map(|t| TaskView {
                overdue: t.done_at.is_none() && t.due_on < today.to_string(),
                id: t.id,
                title: t.title,
                due: t.due_on,
                done: t.done_at.is_some(),
            })
            .collect(),
        identity_line,
        identity_stored,
        may_read_identity,
        open_requests: requests.iter().filter(|r| r.state.is_open()).count(),
        corrections: corrections
            .into_iter()
            .map(|x| CorrectionView {
                id: x.id,
                pending: x.state == integer_domain::case::CorrectionState::Pending,
                state_key: format!("minutes-correction-{}", x.state.code()),
                proposal: x.proposal,
                at: datetime_of(x.proposed_at),
                answer: x.answer.unwrap_or_default(),
                answered: x.answered_at.map(datetime_of).unwrap_or_default(),
                by: x.answered_by_name.unwrap_or_default(),
                minutes_before: x.minutes_before.unwrap_or_default(),
            })
            .collect(),
        errors,
        exit_reason: c.exit_reason.clone().unwrap_or_default(),
        base,
        c,
        done,
    })
}

/// `GET /zaken/{id}/bijlage/{file}`: a download, audited.
pub async fn download(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    load(&state, &s.user, id, Resource::Case, Action::View).await?;
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    let (meta, content) = cases::file(&mut tx, &state.key, id, file)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "case.file_downloaded",
            "case",
            id,
            serde_json::json!({"file": file}),
        ),
    )
    .await?;
    tx.commit().await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        meta.name
            .chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .collect::<String>()
    );
    let mut r = (
        [
            (header::CONTENT_TYPE, meta.mime.clone()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response();
    r.headers_mut()
        .insert("x-content-type-options", "nosniff".parse().expect("static"));
    no_store(r)
}

#[derive(Template)]
#[template(path = "case_emergency.html")]
pub struct EmergencyPage {
    pub l: Layout,
    pub id: i64,
    pub errors: FieldErrors,
}

/// `GET /zaken/{id}/noodtoegang`: the coordinator opens a case they are not
/// on, with a written reason.
pub async fn emergency_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    load(&state, &s.user, id, Resource::CaseEmergency, Action::Create).await?;
    no_store(render(&EmergencyPage {
        l: Layout::new(&s.ctx, "case-emergency-title"),
        id,
        errors: FieldErrors::default(),
    })?)
}

/// `POST /zaken/{id}/noodtoegang`.
pub async fn emergency(
    state: State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    act(state, s, Path((id, "noodtoegang".to_string())), form).await
}

pub(crate) fn conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict,
        e => e.into(),
    }
}

/// `POST /zaken/{id}/{action}`: every change to a case.
pub async fn act(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, action)): Path<(i64, String)>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    match perform(&state, &s.user, s.ctx.lang, id, &action, &form).await? {
        Performed::Done(to) => Ok(Redirect::to(&to).into_response()),
        Performed::Invalid(errors) if super::case_identity::ACTIONS.contains(&action.as_str()) => {
            super::case_identity::invalid(&state, &s, id, errors).await
        }
        Performed::Invalid(errors) if action == "noodtoegang" => no_store(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EmergencyPage {
                l: Layout::new(&s.ctx, "case-emergency-title"),
                id,
                errors,
            },
        )?),
        Performed::Invalid(errors) => case_error(&state, &s, id, errors).await,
    }
}

/// What an action on a case came to.
pub enum Performed {
    /// Done; where the page goes next.
    Done(String),
    /// Not done: what to fix, per field.
    Invalid(FieldErrors),
}

/// Every change to a case, for the pages and the API alike: authorization,
/// checks, the change and its audit row in one transaction. The caller
/// checked the CSRF token (pages) or the API token.
pub async fn perform(
    state: &AppState,
    user: &CurrentUser,
    lang: integer_domain::i18n::Lang,
    id: i64,
    action: &str,
    form: &Form,
) -> Result<Performed, AppError> {
    let state = state.clone();
    let p = &user.principal;
    let base = format!("/zaken/{id}");
    let mut errors = FieldErrors::default();
    if action == "noodtoegang" {
        load(&state, user, id, Resource::CaseEmergency, Action::Create).await?;
        let reason = form.get("reden").trim();
        if reason.chars().count() < 10 {
            errors.add(lang, "reden", &Problem::new("case-error-emergency-reason"));
            return Ok(Performed::Invalid(errors));
        }
        let mut tx = state.store.begin_write().await?;
        cases::set_team_member(
            &mut tx,
            &state.key,
            p.org,
            id,
            p.person,
            TeamRole::Emergency,
            p.person,
        )
        .await
        .map_err(conflict)?;
        audit::append(
            &mut tx,
            &audit::event(
                Some(p.org.0),
                user.actor(),
                user.credential,
                "case.emergency_access",
                "case",
                id,
                serde_json::json!({"reason": reason}),
            ),
        )
        .await?;
        for owner in cases::owners(&mut tx, id).await? {
            integer_store::declarations::notify(&mut tx, p.org, owner, "case.emergency", None)
                .await?;
        }
        tx.commit().await?;
        return Ok(Performed::Done(base));
    }
    // The reporter's identity: requests, decisions, telling the reporter.
    if super::case_identity::ACTIONS.contains(&action) {
        return super::case_identity::perform(&state, user, lang, id, action, form).await;
    }
    load(&state, user, id, Resource::Case, Action::Update).await?;
    let version: i64 = form.get("versie").parse().unwrap_or(-1);
    let mut tx = state.store.begin_write().await?;
    let c = cases::get(&mut tx, &state.key, p.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let event: (&str, serde_json::Value) = match action {
        "ontvangst" => {
            cases::mark(&mut tx, p.org, id, version, cases::Mark::Acknowledged)
                .await
                .map_err(conflict)?;
            let text = form.get("bericht").trim();
            let text = if text.is_empty() {
                integer_domain::i18n::Catalog::bundled()
                    .get(lang, "case-ack-default")
                    .to_string()
            } else {
                text.to_string()
            };
            cases::add_entry(
                &mut tx,
                &state.key,
                id,
                EntryKind::ToReporter,
                Some(p.person),
                &text,
                &[],
            )
            .await?;
            ("case.acknowledged", serde_json::json!({}))
        }
        "bericht" | "notitie" => {
            let text = form.get("tekst").trim().to_string();
            for (field, problem) in case::check_text("tekst", &text, true) {
                errors.add(lang, field, &problem);
            }
            if !errors.is_empty() {
                drop(tx);
                return Ok(Performed::Invalid(errors));
            }
            let kind = if action == "bericht" {
                EntryKind::ToReporter
            } else {
                EntryKind::Note
            };
            cases::add_entry(&mut tx, &state.key, id, kind, Some(p.person), &text, &[]).await?;
            let feedback = action == "bericht" && form.get("terugkoppeling") == "ja";
            if feedback {
                if c.acknowledged_at.is_none() {
                    cases::mark(&mut tx, p.org, id, version, cases::Mark::Acknowledged)
                        .await
                        .map_err(conflict)?;
                    let fresh = cases::get(&mut tx, &state.key, p.org, id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    cases::mark(
                        &mut tx,
                        p.org,
                        id,
                        fresh.version,
                        cases::Mark::FeedbackGiven,
                    )
                    .await
                    .map_err(conflict)?;
                } else {
                    cases::mark(&mut tx, p.org, id, version, cases::Mark::FeedbackGiven)
                        .await
                        .map_err(conflict)?;
                }
            }
            if action == "bericht" {
                (
                    "case.message_sent",
                    serde_json::json!({"feedback": feedback}),
                )
            } else {
                ("case.note_added", serde_json::json!({}))
            }
        }
        "stap" => {
            let to = CaseState::from_code(form.get("naar"));
            let input = TransitionInput {
                reason: form.get("reden").trim().to_string(),
                finding: Finding::from_code(form.get("bevinding")),
                measures: form
                    .all("maatregel")
                    .iter()
                    .filter_map(|m| Measure::from_code(m))
                    .collect(),
            };
            let mover = Mover {
                may_decide: decide(
                    p,
                    Action::Decide,
                    Resource::Case,
                    Target {
                        org: p.org,
                        relation: Relation::CaseTeam,
                    },
                )
                .is_ok(),
            };
            match to {
                None => errors.add(lang, "naar", &Problem::new("case-error-transition")),
                Some(to) => {
                    for (field, problem) in case::check_transition(c.state, to, &input, mover) {
                        errors.add(lang, field, &problem);
                    }
                }
            }
            if !errors.is_empty() {
                drop(tx);
                return Ok(Performed::Invalid(errors));
            }
            let to = to.expect("checked");
            let retention = cases::settings(&mut tx, p.org).await?.retention_years;
            cases::transition(
                &mut tx,
                &state.key,
                p.org,
                id,
                version,
                to,
                Some(input.reason.as_str()),
                input.finding,
                &input.measures,
                retention,
            )
            .await
            .map_err(conflict)?;
            cases::add_entry(
                &mut tx,
                &state.key,
                id,
                EntryKind::System,
                Some(p.person),
                to.code(),
                &[],
            )
            .await?;
            (
                "case.state_changed",
                serde_json::json!({"from": c.state.code(), "to": to.code(),
                "finding": input.finding.map(|f| f.code()), "measures": input.measures.iter().map(|m| m.code()).collect::<Vec<_>>()}),
            )
        }
        "categorie" => {
            let cat = match form.get("categorie") {
                "" => None,
                x => Some(Category::from_code(x).ok_or(AppError::BadRequest)?.code()),
            };
            cases::set_category(&mut tx, p.org, id, version, cat)
                .await
                .map_err(conflict)?;
            ("case.category_set", serde_json::json!({"category": cat}))
        }
        "team" => {
            let email = form.get("email").trim();
            let role = TeamRole::from_code(form.get("rol")).filter(|r| *r != TeamRole::Emergency);
            let person = people::by_email(&mut tx, p.org, email).await?;
            match (person, role) {
                (Some(person), Some(role)) => {
                    match cases::set_team_member(
                        &mut tx, &state.key, p.org, id, person, role, p.person,
                    )
                    .await
                    {
                        Ok(()) => {}
                        Err(StoreError::Conflict(_)) => {
                            errors.add(lang, "email", &Problem::new("case-error-named-on-team"))
                        }
                        Err(e) => return Err(e.into()),
                    }
                    if errors.is_empty() {
                        integer_store::declarations::notify(
                            &mut tx,
                            p.org,
                            person,
                            "case.team",
                            None,
                        )
                        .await?;
                    }
                }
                (None, _) => errors.add(
                    lang,
                    "email",
                    &Problem::new("case-error-person").with("email", email),
                ),
                (_, None) => errors.add(lang, "rol", &Problem::new("case-error-role")),
            }
            if !errors.is_empty() {
                drop(tx);
                return Ok(Performed::Invalid(errors));
            }
            (
                "case.team_changed",
                serde_json::json!({"person": person.map(|x| x.0), "role": role.map(|r| r.code())}),
            )
        }
        "team-weg" => {
            let person: i64 = form
                .get("persoon")
                .parse()
                .map_err(|_| AppError::BadRequest)?;
            cases::remove_team_member(&mut tx, id, PersonId(person)).await?;
            ("case.team_changed", serde_json::json!({"removed": person}))
        }
        "betrokkene" => {
            let email = form.get("email").trim();
            match people::by_email(&mut tx, p.org, email).await? {
                Some(person) => cases::add_named(&mut tx, &state.key, p.org, id, person).await?,
                None => {
                    errors.add(
                        lang,
                        "betrokkene",
                        &Problem::new("case-error-person").with("email", email),
                    );
                    drop(tx);
                    return Ok(Performed::Invalid(errors));
                }
            }
            // The audit row says someone was named, not who.
            ("case.person_named", serde_json::json!({}))
        }
        "taak" => {
            let title = form.get("titel").trim();
            let due = form.get("datum").trim();
            if title.is_empty() || title.chars().count() > 200 {
                errors.add(lang, "titel", &Problem::new("case-error-task"));
            }
            if due.parse::<jiff::civil::Date>().is_err() {
                errors.add(lang, "datum", &Problem::new("case-error-date"));
            }
            if !errors.is_empty() {
                drop(tx);
                return Ok(Performed::Invalid(errors));
            }
            let task = cases::add_task(&mut tx, &state.key, id, title, due, p.person).await?;
            (
                "case.task_added",
                serde_json::json!({"task": task, "due": due}),
            )
        }
        "taak-klaar" => {
            let task: i64 = form.get("taak").parse().map_err(|_| AppError::BadRequest)?;
            cases::finish_task(&mut tx, id, task).await?;
            ("case.task_done", serde_json::json!({"task": task}))
        }
        "geinformeerd" => {
            let date = form.get("datum").trim();
            let delay = form.get("uitstel").trim();
            let at = if date.is_empty() {
                None
            } else {
                match date.parse::<jiff::civil::Date>() {
                    Ok(d) if d <= today() => d
                        .to_zoned_datetime(case::amsterdam())
                        .ok()
                        .map(|z| z.timestamp().as_second() + 12 * 3600),
                    _ => {
                        errors.add(lang, "datum", &Problem::new("case-error-date"));
                        None
                    }
                }
            };
            if at.is_none() && delay.is_empty() && errors.is_empty() {
                errors.add(lang, "uitstel", &Problem::new("case-error-informed"));
            }
            if !errors.is_empty() {
                drop(tx);
                return Ok(Performed::Invalid(errors));
            }
            cases::person_informed(
                &mut tx,
                &state.key,
                p.org,
                id,
                version,
                at,
                (!delay.is_empty()).then_some(delay),
            )
            .await
            .map_err(conflict)?;
            (
                "case.person_informed",
                serde_json::json!({"informed": at.is_some(), "delayed": !delay.is_empty()}),
            )
        }
        "verslag-antwoord" => {
            // A handler answers the reporter's proposed correction of the
            // minutes: taken over (the minutes as rewritten) or not, and
            // why (directive 2019/1937 art. 18).
            let correction: i64 = form
                .get("correctie")
                .parse()
                .map_err(|_| AppError::BadRequest)?;
            let accept = match form.get("besluit") {
                "overnemen" => true,
                "afwijzen" => false,
                _ => {
                    errors.add(lang, "antwoord", &Problem::new("minutes-error-decision"));
                    drop(tx);
                    return Ok(Performed::Invalid(errors));
                }
            };
            let answer = form.get("antwoord").trim();
            let minutes = form.get("verslag").trim();
            for (field, problem) in case::check_text("antwoord", answer, true) {
                errors.add(lang, field, &problem);
            }
            if accept {
                for (field, problem) in case::check_text("verslag", minutes, true) {
                    errors.add(lang, field, &problem);
                }
            }
            if !errors.is_empty() {
                drop(tx);
                return Ok(Performed::Invalid(errors));
            }
            integer_store::case_minutes::answer(
                &mut tx,
                &state.key,
                p.org,
                id,
                correction,
                version,
                accept.then_some(minutes),
                answer,
                p.person,
            )
            .await
            .map_err(conflict)?;
            (
                "case.minutes_correction_answered",
                serde_json::json!({"correction": correction, "accepted": accept}),
            )
        }
        _ => return Err(AppError::NotFound),
    };
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            user.actor(),
            user.credential,
            event.0,
            "case",
            id,
            event.1,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Performed::Done(format!("{base}?klaar=1")))
}

async fn case_error(
    state: &AppState,
    s: &SignedIn,
    id: i64,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let page = case_page(state, s, id, errors, false).await?;
    no_store(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
}
