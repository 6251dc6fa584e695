//! `/api/v1`: JSON for other systems, authenticated with a personal API
//! token (`Authorization: Bearer int_...`, made with `integer token
//! create`). The same authorization decisions as the pages.

use crate::AppState;
use crate::ctx::CurrentUser;
use crate::error::AppError;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Principal, Relation, Resource, Scope, Target, decide};
use integer_domain::org::{PersonId, RoleSet};
use integer_domain::prevention as prevention_rules;
use integer_store::learning as learning_store;
use integer_store::prevention as prevention_store;
use integer_store::{orgs, people, tokens, units};
use jiff::civil::Date;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/people", get(list_people))
        .route("/people/{id}", get(person))
        .route("/units", get(list_units))
        .route("/policy/check", axum::routing::post(policy_check))
        .route("/cases", get(list_cases))
        .route("/cases/{id}", get(case_detail))
        .route(
            "/annual-report/{year}",
            get(crate::pages::annual_report::api),
        )
        .route("/cases/{id}/{action}", axum::routing::post(case_action))
        .route("/reports", axum::routing::post(file_report))
        .route("/prevention/oaths", get(prevention_oaths))
        .route("/prevention/screening", get(prevention_screening))
        .route(
            "/prevention/acknowledgements",
            get(prevention_acknowledgements),
        )
        .route("/learning/trainings", get(learning_trainings))
        .route("/learning/sessions", get(learning_sessions))
        .route("/learning/team", get(learning_team))
        .route("/vulnerable-functions", get(vulnerable_functions))
}

fn clock_json(c: integer_domain::case::Clock) -> Value {
    use integer_domain::case::Clock;
    match c {
        Clock::NotStarted => json!({"status": "not_started"}),
        Clock::Met { on, due, late } => {
            json!({"status": if late { "met_late" } else { "met" }, "done_on": on.to_string(), "due": due.to_string()})
        }
        Clock::Running { due, days_left } => {
            json!({"status": "running", "due": due.to_string(), "days_left": days_left})
        }
        Clock::Overdue { due, days_over } => {
            json!({"status": "overdue", "due": due.to_string(), "days_over": days_over})
        }
    }
}

/// `GET /api/v1/cases`: the cases the token's owner is on the team of,
/// with the clocks of the whistleblower act.
async fn list_cases(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Value>, AppError> {
    let p = &u.principal;
    decide(p, Action::List, Resource::Case, Target::org(p.org)).map_err(|_| AppError::Forbidden)?;
    let mut conn = state.store.conn().await?;
    let today = integer_domain::case::local_date(jiff::Timestamp::now());
    let rows = integer_store::cases::list_for(&mut conn, &state.key, p.org, p.person).await?;
    Ok(Json(json!({
        "cases": rows.iter().map(|c| json!({
            "id": c.id,
            "number": c.number,
            "kind": c.kind.code(),
            "state": c.state.code(),
            "title": c.title,
            "received_at": c.received_at,
            "acknowledgement": clock_json(c.ack_clock(today)),
            "feedback": clock_json(c.feedback_clock(today)),
            "team_role": c.role.map(|r| r.code()),
        })).collect::<Vec<_>>()
    })))
}

/// `GET /api/v1/cases/{id}`: one case for its team (audited like a page
/// view). Internal notes included; the reporter's identity is not.
async fn case_detail(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    let p = &u.principal;
    let mut tx = state.store.begin_write().await?;
    let relation = integer_store::cases::relation(&mut tx, &state.key, p.org, id, p.person)
        .await?
        .ok_or(AppError::NotFound)?;
    decide(
        p,
        Action::View,
        Resource::Case,
        Target {
            org: p.org,
            relation,
        },
    )
    .map_err(|_| AppError::Forbidden)?;
    let c = integer_store::cases::get(&mut tx, &state.key, p.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let entries = integer_store::cases::entries(&mut tx, &state.key, id, false).await?;
    let disclosures = integer_store::case_disclosures::list(&mut tx, &state.key, id).await?;
    integer_store::audit::append(
        &mut tx,
        &integer_store::audit::event(
            Some(p.org.0),
            u.actor(),
            Credential::ApiToken,
            "case.viewed",
            "case",
            id,
            json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    let today = integer_domain::case::local_date(jiff::Timestamp::now());
    Ok(Json(json!({
        "id": c.id,
        "number": c.number,
        "kind": c.kind.code(),
        "channel": c.channel.code(),
        "identity_mode": c.identity_mode.code(),
        "state": c.state.code(),
        "category": c.category,
        "finding": c.finding.map(|f| f.code()),
        "measures": c.measures.iter().map(|m| m.code()).collect::<Vec<_>>(),
        "title": c.title,
        "body": c.body,
        "received_at": c.received_at,
        "acknowledged_at": c.acknowledged_at,
        "acknowledgement": clock_json(c.ack_clock(today)),
        "feedback": clock_json(c.feedback_clock(today)),
        "person_informed_at": c.person_informed_at,
        "entries": entries.iter().map(|e| json!({
            "kind": e.kind.code(),
            "author": e.author_name,
            "body": e.body,
            "at": e.created_at,
            "files": e.files.iter().map(|f| json!({"id": f.id, "name": f.name, "size": f.size, "type": f.mime})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        // Requests to disclose the reporter's identity (never the identity).
        "disclosures": disclosures.iter().map(|r| json!({
            "id": r.id,
            "basis": r.basis.code(),
            "state": r.state.code(),
            "recipient": r.recipient,
            "reason": r.reason,
            "requested_by": r.requested_by.0,
        })).collect::<Vec<_>>(),
        "version": c.version,
    })))
}

/// A request with a valid API token.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(AppError::Unauthorized)?;
        let mut conn = state.store.conn().await?;
        let (_, org_id, person_id) = tokens::authenticate(&mut conn, token)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let person = people::get(&mut conn, org_id, person_id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let org = orgs::get(&mut conn, org_id).await?;
        if org.is_demo && !state.config.demo_mode {
            return Err(AppError::Unauthorized);
        }
        Ok(ApiUser(CurrentUser {
            principal: Principal {
                org: org_id,
                person: person_id,
                roles: RoleSet::new(person.roles),
            },
            name: person.name,
            org,
            csrf: String::new(),
            session_hash: String::new(),
            credential: Credential::ApiToken,
            unread: 0,
        }))
    }
}

async fn me(ApiUser(u): ApiUser) -> Json<Value> {
    Json(json!({
        "person_id": u.principal.person.0,
        "name": u.name,
        "organisation": {"slug": u.org.slug, "name": u.org.name, "preset": u.org.preset},
        "roles": u.principal.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    }))
}

#[derive(serde::Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    per_page: Option<i64>,
}

async fn list_people(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, AppError> {
    let p = &u.principal;
    let permit = decide(p, Action::List, Resource::Person, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let mut conn = state.store.conn().await?;
    let per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let page = people::list(
        &mut conn,
        p.org,
        permit.scope(),
        &q.q,
        q.page.unwrap_or(1).max(1),
        per_page,
    )
    .await?;
    Ok(Json(json!({
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages(),
    })))
}

async fn person(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    let p = &u.principal;
    let mut conn = state.store.conn().await?;
    let person = people::get(&mut conn, p.org, PersonId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let relation = people::relation(&mut conn, p.org, p.person, person.id).await?;
    decide(
        p,
        Action::View,
        Resource::Person,
        Target {
            org: p.org,
            relation,
        },
    )
    .map_err(|_| AppError::Forbidden)?;
    Ok(Json(
        serde_json::to_value(person).map_err(|e| AppError::Internal(e.into()))?,
    ))
}

async fn list_units(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Value>, AppError> {
    let p = &u.principal;
    decide(p, Action::List, Resource::Unit, Target::org(p.org)).map_err(|_| AppError::Forbidden)?;
    let mut conn = state.store.conn().await?;
    let all = units::list(&mut conn, p.org).await?;
    Ok(Json(json!({ "items": all })))
}

/// A 422 answer that says what to fix, in both languages.
fn unprocessable(
    code: &str,
    field: Option<&str>,
    nl: String,
    en: String,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = json!({"error": code, "field": field, "message": {"nl": nl, "en": en}});
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// `POST /api/v1/policy/check` with `{"org": PRESET, "declaration": {...}}`:
/// the same decision as `integer policy check` and the "Mag dit?" page.
async fn policy_check(
    ApiUser(u): ApiUser,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    use integer_domain::policy;
    let p = &u.principal;
    decide(p, Action::View, Resource::PolicyCheck, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return Ok(unprocessable(
                "malformed_json",
                None,
                format!(
                    "De inhoud is geen geldige JSON (regel {}, kolom {}).",
                    e.line(),
                    e.column()
                ),
                format!(
                    "The body is not valid JSON (line {}, column {}).",
                    e.line(),
                    e.column()
                ),
            ));
        }
    };
    let Some(object) = value.as_object() else {
        return Ok(unprocessable(
            "not_an_object",
            None,
            "Stuur een object: {\"org\": ..., \"declaration\": {...}}.".into(),
            "Send an object: {\"org\": ..., \"declaration\": {...}}.".into(),
        ));
    };
    if let Some(extra) = object.keys().find(|k| *k != "org" && *k != "declaration") {
        return Ok(unprocessable(
            "unknown_field",
            Some(extra),
            format!("Onbekend veld \"{extra}\"; gebruik alleen \"org\" en \"declaration\"."),
            format!("Unknown field \"{extra}\"; use only \"org\" and \"declaration\"."),
        ));
    }
    let names = policy::preset_names().join(", ");
    let Some(preset) = object
        .get("org")
        .and_then(Value::as_str)
        .and_then(policy::bundled_preset)
    else {
        return Ok(unprocessable(
            "unknown_preset",
            Some("org"),
            format!("Geef in \"org\" een bekende preset: {names}."),
            format!("Give a known preset in \"org\": {names}."),
        ));
    };
    let declaration = match object
        .get("declaration")
        .map(policy::declaration_from_value)
    {
        Some(Ok(d)) => d,
        Some(Err(e)) => {
            return Ok(unprocessable(
                e.code(),
                e.field(),
                e.message_nl(),
                e.message_en(),
            ));
        }
        None => {
            return Ok(unprocessable(
                "missing_declaration",
                Some("declaration"),
                "Het veld \"declaration\" ontbreekt.".into(),
                "The field \"declaration\" is missing.".into(),
            ));
        }
    };
    Ok(Json(policy::decide(preset, &declaration)).into_response())
}

/// The API's names for case actions and their fields, mapped onto the
/// form fields the pages use, so both go through the same checks.
const CASE_ACTIONS: &[(&str, &str)] = &[
    ("acknowledge", "ontvangst"),
    ("message", "bericht"),
    ("note", "notitie"),
    ("step", "stap"),
    ("category", "categorie"),
    ("team", "team"),
    ("remove_member", "team-weg"),
    ("named", "betrokkene"),
    ("task", "taak"),
    ("task_done", "taak-klaar"),
    ("person_informed", "geinformeerd"),
    ("request_identity", "identiteit-aanvragen"),
    ("decide_identity", "identiteit-besluit"),
    ("inform_reporter", "identiteit-informeren"),
    ("answer_correction", "verslag-antwoord"),
    ("emergency", "noodtoegang"),
];

const CASE_FIELDS: &[(&str, &str)] = &[
    ("version", "versie"),
    ("text", "tekst"),
    ("acknowledgement", "bericht"),
    ("to", "naar"),
    ("reason", "reden"),
    ("finding", "bevinding"),
    ("measures", "maatregel"),
    ("category", "categorie"),
    ("email", "email"),
    ("role", "rol"),
    ("person", "persoon"),
    ("title", "titel"),
    ("date", "datum"),
    ("task", "taak"),
    ("delay_reason", "uitstel"),
    ("request", "verzoek"),
    ("feedback", "terugkoppeling"),
    ("decision", "besluit"),
    // The reporter's identity (docs/MELDPUNT.md, "Identity").
    ("basis", "grondslag"),
    ("recipient", "ontvanger"),
    ("recipient_member", "ontvanger_lid"),
    ("reason", "reden-identiteit"),
    ("ground", "grond"),
    ("inform", "informeren"),
    ("explanation", "uitleg"),
    ("not_beforehand", "niet_vooraf"),
    // Answering the reporter's correction of the minutes.
    ("correction", "correctie"),
    ("accept", "besluit"),
    ("minutes", "verslag"),
    ("answer", "antwoord"),
];

/// A JSON object as form fields: strings and numbers as they are, `true`
/// as "ja", arrays as repeated fields; unknown keys are refused.
fn json_to_form(value: &Value, fields: &[(&str, &str)]) -> Result<crate::forms::Form, String> {
    let object = value.as_object().ok_or("the body must be a JSON object")?;
    let mut out = Vec::new();
    for (k, v) in object {
        let name = fields
            .iter()
            .find(|(api, _)| api == k)
            .map(|(_, form)| *form)
            .ok_or_else(|| format!("unknown field '{k}'"))?;
        let mut push = |v: &Value| -> Result<(), String> {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(true) => "ja".to_string(),
                Value::Bool(false) => String::new(),
                Value::Null => String::new(),
                _ => return Err(format!("field '{k}' has the wrong type")),
            };
            out.push((name.to_string(), text));
            Ok(())
        };
        match v {
            Value::Array(items) => items.iter().try_for_each(&mut push)?,
            v => push(v)?,
        }
    }
    Ok(crate::forms::Form(out))
}

fn field_errors(
    errors: crate::forms::FieldErrors,
    fields: &[(&str, &str)],
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let list: Vec<Value> = errors
        .0
        .iter()
        .map(|e| {
            let api = fields
                .iter()
                .find(|(_, form)| *form == e.field)
                .map(|(api, _)| *api)
                .unwrap_or(e.field.as_str());
            json!({"field": api, "message": e.message})
        })
        .collect();
    (
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({"errors": list})),
    )
        .into_response()
}

/// `POST /api/v1/cases/{id}/{action}` with a JSON object: the same actions
/// and checks as the case page (see docs/MELDPUNT.md). Field messages come
/// in the language of `Accept-Language`.
async fn case_action(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiUser(u): ApiUser,
    Path((id, action)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let lang = crate::ctx::lang_from_headers(&headers);
    let Some((_, form_action)) = CASE_ACTIONS.iter().find(|(api, _)| *api == action) else {
        return Err(AppError::NotFound);
    };
    let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    // The acknowledgement's own message uses the `bericht` field; for a
    // message to the reporter the text is `tekst` (as on the page).
    let form = match json_to_form(&value, CASE_FIELDS) {
        Ok(f) => f,
        Err(e) => {
            return Ok(unprocessable("bad_body", None, e.clone(), e));
        }
    };
    // The minutes' answer: `accept: true` or `false`, as the page's buttons;
    // an identity decision is `ask`, `decline` or `confirm` on both.
    let mut form = form;
    if action == "answer_correction" {
        for (name, v) in form.0.iter_mut() {
            if name == "besluit" {
                *v = if v == "ja" { "overnemen" } else { "afwijzen" }.to_string();
            }
        }
    }
    match crate::pages::cases::perform(&state, &u, lang, id, form_action, &form).await? {
        crate::pages::cases::Performed::Done(_) => {
            Ok(Json(json!({"ok": true, "case": id})).into_response())
        }
        crate::pages::cases::Performed::Invalid(errors) => Ok(field_errors(errors, CASE_FIELDS)),
    }
}

const REPORT_FIELDS: &[(&str, &str)] = &[
    ("kind", "soort"),
    ("identity", "identiteit"),
    ("category", "categorie"),
    ("title", "onderwerp"),
    ("text", "melding"),
    ("phone", "telefoon"),
    ("about_office", "over_bureau"),
];

/// `POST /api/v1/reports`: the token's owner files a report as on
/// `/melden` (named, confidential or anonymous); answers with the number
/// and the receipt code, shown once.
async fn file_report(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiUser(u): ApiUser,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let p = &u.principal;
    decide(p, Action::Create, Resource::Report, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let lang = crate::ctx::lang_from_headers(&headers);
    let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let form = match json_to_form(&value, REPORT_FIELDS) {
        Ok(f) => f,
        Err(e) => return Ok(unprocessable("bad_body", None, e.clone(), e)),
    };
    let upload = crate::pages::meldpunt::Upload {
        fields: form,
        files: Vec::new(),
    };
    let org = u.org.clone();
    let filer = crate::pages::meldpunt::Filer::Employee(&u);
    match crate::pages::meldpunt::file_report(&state, lang, &org, &filer, upload).await? {
        crate::pages::meldpunt::Filing::Filed { id, number, code } => Ok((
            axum::http::StatusCode::CREATED,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({"id": id, "number": number, "receipt_code": code})),
        )
            .into_response()),
        crate::pages::meldpunt::Filing::Invalid(_, errors) => {
            Ok(field_errors(errors, REPORT_FIELDS))
        }
    }
}

// --- Prevention, learning and vulnerable functions (read-only) -----------
//
// The same decisions as the pages (`pages::prevention`, `pages::learning`,
// `pages::vulnerable`), so a token sees what its owner sees there. The row
// shapes (`*_json`) are shared with `integer export`.

/// The most rows one list answers with (the answer says `limit`).
pub const EXPORT_LIMIT: i64 = 10_000;

/// The name of a scope in answers: `organisation`, `team` or `own`.
pub fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Organisation => "organisation",
        Scope::Team(_) => "team",
        Scope::Own(_) => "own",
    }
}

fn permit_for(
    p: &Principal,
    action: Action,
    resource: Resource,
    relation: Relation,
) -> Result<Scope, AppError> {
    decide(
        p,
        action,
        resource,
        Target {
            org: p.org,
            relation,
        },
    )
    .map(|permit| permit.scope())
    .map_err(|_| AppError::Forbidden)
}

fn parse_date(raw: Option<&str>) -> Option<Date> {
    raw.and_then(|d| d.parse().ok())
}

/// One person of the oath register (or the overdue list): the oath if any,
/// the last day to take it and whether that day has passed.
pub fn oath_row_json(r: &prevention_store::OathRow, days: i64, today: Date) -> Value {
    let start = parse_date(r.start_date.as_deref());
    json!({
        "person_id": r.person.0,
        "name": r.name,
        "unit": r.unit,
        "start_date": r.start_date,
        "due": start.map(|d| prevention_rules::oath_due(d, days).to_string()),
        "overdue": prevention_rules::oath_overdue(start, None, r.kind.is_some(), days, today),
        "kind": r.kind,
        "taken_on": r.taken_on,
        "before_whom": r.before_whom,
    })
}

/// A hire with their screening dates, the items that apply and those open.
pub fn hire_json(h: &prevention_store::Hire) -> Value {
    use integer_domain::prevention::ScreeningItem;
    let open = h.screening.open_items(h.employment);
    let mut v = json!({
        "person_id": h.person.0,
        "name": h.name,
        "employment_type": h.employment.as_str(),
        "start_date": h.start_date,
        "required": prevention_rules::required_items(h.employment)
            .iter()
            .map(|i| i.code())
            .collect::<Vec<_>>(),
        "open": open.iter().map(|i| i.code()).collect::<Vec<_>>(),
        "complete": open.is_empty(),
        "former_left_on": h.screening.former_left_on.map(|d| d.to_string()),
        "compelling_reasons": h.screening.compelling_reasons,
    });
    for item in ScreeningItem::ALL {
        v[item.code()] = json!(h.screening.date_of(item).map(|d| d.to_string()));
    }
    v
}

/// Someone who has not acknowledged the code in force.
pub fn unacknowledged_json(u: &prevention_store::Unacknowledged) -> Value {
    json!({
        "person_id": u.person.0,
        "name": u.name,
        "unit": u.unit,
        "last_version": u.last_version,
    })
}

pub fn training_json(t: &learning_store::TrainingRecord) -> Value {
    json!({
        "id": t.id,
        "person_id": t.person.0,
        "person": t.person_name,
        "kind": t.kind,
        "title": t.title,
        "date": t.date,
        "completed": t.completed,
    })
}

pub fn hr_conversation_json(h: &learning_store::HrConversation) -> Value {
    json!({
        "id": h.id,
        "person_id": h.person.0,
        "person": h.person_name,
        "date": h.date,
    })
}

pub fn session_json(d: &learning_store::Session) -> Value {
    json!({
        "id": d.id,
        "unit_id": d.unit.0,
        "unit": d.unit_name,
        "date": d.date,
        "attendees": d.attendees,
        "topics": d.topics,
        "theme": d.theme,
    })
}

pub fn meeting_json(m: &learning_store::TeamMeeting) -> Value {
    json!({
        "id": m.id,
        "unit_id": m.unit.0,
        "unit": m.unit_name,
        "date": m.date,
    })
}

/// An entry of the register of vulnerable functions; `overdue` as on the
/// page (the review date has passed).
pub fn vulnerable_json(e: &integer_store::vulnerable::Entry, today: Date) -> Value {
    json!({
        "id": e.id,
        "unit_id": e.unit.0,
        "unit": e.unit_name,
        "name": e.name,
        "area": e.area,
        "risks": e.risks,
        "measures": e.measures,
        "owner_id": e.owner.0,
        "owner": e.owner_name,
        "review_on": e.review_on,
        "overdue": e.review_on < today.to_string(),
        "financial": e.financial,
        "publication": e.publication,
        "created_on": e.created_on,
    })
}

/// A year from the query string or the command line: absent is this year;
/// `None` when it is not a number or lies outside 1900–2200.
pub fn parse_year(raw: Option<&str>) -> Option<i64> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Some(i64::from(integer_domain::learning::today().year())),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|y| (1900..=2200).contains(y)),
    }
}

/// The 422 for a bad year, naming the field.
fn bad_year(field: &str) -> axum::response::Response {
    unprocessable(
        "bad_year",
        Some(field),
        format!("\"{field}\" moet een jaartal zijn tussen 1900 en 2200, zoals 2025."),
        format!("\"{field}\" must be a year between 1900 and 2200, such as 2025."),
    )
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    manager: Option<String>,
}

/// `GET /api/v1/prevention/oaths`: who is not sworn in on time and the
/// register, as on `/organisatie/eed` (Oath list, filtered by scope);
/// without the list, one's own record (Oath view of one's own).
async fn prevention_oaths(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Value>, AppError> {
    let p = &u.principal;
    let today = integer_domain::counsel::today();
    let mut conn = state.store.conn().await?;
    let days = prevention_store::settings(&mut conn, p.org)
        .await?
        .settings
        .oath_days;
    let (scope, overdue, register) = match permit_for(
        p,
        Action::List,
        Resource::Oath,
        Relation::None,
    ) {
        Ok(scope) => {
            let before = prevention_rules::overdue_before(today, days);
            let overdue =
                prevention_store::not_sworn(&mut conn, p.org, scope, before, today, EXPORT_LIMIT)
                    .await?;
            let register =
                prevention_store::oath_register(&mut conn, p.org, scope, today, EXPORT_LIMIT)
                    .await?;
            (
                scope,
                overdue
                    .iter()
                    .map(|r| oath_row_json(r, days, today))
                    .collect::<Vec<_>>(),
                register
                    .iter()
                    .map(|r| oath_row_json(r, days, today))
                    .collect::<Vec<_>>(),
            )
        }
        Err(_) => {
            // As the page: only one's own record (`/organisatie/eed/{id}`).
            let me = people::get(&mut conn, p.org, p.person)
                .await?
                .ok_or(AppError::NotFound)?;
            let relation = people::relation(&mut conn, p.org, p.person, p.person).await?;
            let scope = permit_for(p, Action::View, Resource::Oath, relation)?;
            let record = prevention_store::oath_of(&mut conn, p.org, p.person).await?;
            let start = parse_date(me.start_date.as_deref());
            let end = parse_date(me.end_date.as_deref());
            let row = json!({
                "person_id": me.id.0,
                "name": me.name,
                "unit": me.unit_name,
                "start_date": me.start_date,
                "due": start.map(|d| prevention_rules::oath_due(d, days).to_string()),
                "overdue": prevention_rules::oath_overdue(start, end, record.is_some(), days, today),
                "kind": record.as_ref().map(|r| r.kind.clone()),
                "taken_on": record.as_ref().map(|r| r.taken_on.clone()),
                "before_whom": record.as_ref().map(|r| r.before_whom.clone()),
            });
            let overdue = if row["overdue"] == json!(true) {
                vec![row.clone()]
            } else {
                Vec::new()
            };
            (scope, overdue, vec![row])
        }
    };
    Ok(Json(json!({
        "scope": scope_name(scope),
        "oath_days": days,
        "today": today.to_string(),
        "overdue": overdue,
        "register": register,
        "limit": EXPORT_LIMIT,
    })))
}

/// `GET /api/v1/prevention/screening`: hires of the last twelve months
/// (and upcoming ones, and anyone whose screening was started) with their
/// items, as on `/organisatie/screening` (Screening list: HR).
async fn prevention_screening(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Value>, AppError> {
    let p = &u.principal;
    permit_for(p, Action::List, Resource::Screening, Relation::None)?;
    let today = integer_domain::counsel::today();
    let since = today.checked_sub(jiff::ToSpan::years(1)).unwrap_or(today);
    let mut conn = state.store.conn().await?;
    let hires = prevention_store::hires(&mut conn, p.org, since, today, EXPORT_LIMIT).await?;
    Ok(Json(json!({
        "since": since.to_string(),
        "hires": hires.iter().map(hire_json).collect::<Vec<_>>(),
        "limit": EXPORT_LIMIT,
    })))
}

/// `GET /api/v1/prevention/acknowledgements`: the code in force, one's own
/// acknowledgement, and (Code acknowledgement list, filtered by scope) who
/// has not acknowledged it, as on `/organisatie/gedragscode-gelezen`.
async fn prevention_acknowledgements(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Value>, AppError> {
    let p = &u.principal;
    permit_for(
        p,
        Action::Create,
        Resource::CodeAcknowledgement,
        Relation::None,
    )?;
    let today = integer_domain::counsel::today();
    let mut conn = state.store.conn().await?;
    let effective = crate::preset::effective(&mut conn, p.org, &u.org.preset).await?;
    let digest = effective.preset.digest.clone();
    let mine = prevention_store::acknowledgement_of(&mut conn, p.org, p.person).await?;
    let list = permit_for(
        p,
        Action::List,
        Resource::CodeAcknowledgement,
        Relation::None,
    )
    .ok();
    let (pending, total) = match list {
        Some(scope) => {
            let (rows, total) = prevention_store::not_acknowledged(
                &mut conn,
                p.org,
                scope,
                &digest,
                today,
                EXPORT_LIMIT,
            )
            .await?;
            (
                Some(rows.iter().map(unacknowledged_json).collect::<Vec<_>>()),
                Some(total),
            )
        }
        None => (None, None),
    };
    // The review date, for the organisation-wide readers (as the page).
    let review = if list == Some(Scope::Organisation) {
        let settings = prevention_store::settings(&mut conn, p.org).await?.settings;
        match settings.code_reviewed_on {
            None => {
                json!({"reviewed_on": null, "next": null, "years": settings.review_years, "due": false})
            }
            Some(reviewed) => {
                let next = prevention_rules::next_review(reviewed, settings.review_years);
                json!({
                    "reviewed_on": reviewed.to_string(),
                    "next": next.to_string(),
                    "years": settings.review_years,
                    "due": prevention_rules::review_reminder_due(next, today),
                })
            }
        }
    } else {
        Value::Null
    };
    Ok(Json(json!({
        "version": effective.preset.version,
        "digest": digest,
        "mine": mine.as_ref().map(|a| json!({
            "version": a.preset_version,
            "at": a.at,
            "current": !prevention_rules::must_acknowledge(&digest, Some(&a.digest)),
        })),
        "scope": list.map(scope_name),
        "not_acknowledged": pending,
        "not_acknowledged_total": total,
        "review": review,
        "limit": EXPORT_LIMIT,
    })))
}

/// `GET /api/v1/learning/trainings?year=YYYY`: the year's training records
/// and HR conversations with integrity, as on `/organisatie/trainingen`
/// (Training list, filtered by scope).
async fn learning_trainings(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<YearQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let p = &u.principal;
    let scope = permit_for(p, Action::List, Resource::Training, Relation::None)?;
    let Some(year) = parse_year(q.year.as_deref()) else {
        return Ok(bad_year("year"));
    };
    let mut conn = state.store.conn().await?;
    let trainings =
        learning_store::trainings(&mut conn, p.org, scope, None, Some(year), EXPORT_LIMIT).await?;
    let hr =
        learning_store::hr_conversations(&mut conn, p.org, scope, None, Some(year), EXPORT_LIMIT)
            .await?;
    Ok(Json(json!({
        "year": year,
        "scope": scope_name(scope),
        "trainings": trainings.iter().map(training_json).collect::<Vec<_>>(),
        "hr_conversations": hr.iter().map(hr_conversation_json).collect::<Vec<_>>(),
        "limit": EXPORT_LIMIT,
    }))
    .into_response())
}

/// `GET /api/v1/learning/sessions?year=YYYY`: moral deliberation sessions
/// and team meetings with integrity of the units the token's owner may see,
/// as on `/organisatie/moreel-beraad` (Moral deliberation list).
async fn learning_sessions(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<YearQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let p = &u.principal;
    let scope = permit_for(p, Action::List, Resource::MoralDeliberation, Relation::None)?;
    let Some(year) = parse_year(q.year.as_deref()) else {
        return Ok(bad_year("year"));
    };
    let mut conn = state.store.conn().await?;
    let sessions = learning_store::sessions(&mut conn, p.org, scope, year).await?;
    let meetings = learning_store::team_meetings(&mut conn, p.org, scope, year).await?;
    Ok(Json(json!({
        "year": year,
        "scope": scope_name(scope),
        "sessions": sessions.iter().map(session_json).collect::<Vec<_>>(),
        "team_meetings": meetings.iter().map(meeting_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `GET /api/v1/learning/team[?manager=ID]`: a manager's direct reports at
/// a glance with the team's sessions and meetings of this year, as on
/// `/team/integriteit` (Team overview view; HR and the integrity office
/// may ask for any manager).
async fn learning_team(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<YearQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let p = &u.principal;
    let scope = permit_for(p, Action::View, Resource::TeamOverview, Relation::None)?;
    let asked = match q.manager.as_deref().map(str::trim) {
        None | Some("") => p.person,
        Some(raw) => match raw.parse::<i64>() {
            Ok(id) => PersonId(id),
            Err(_) => {
                return Ok(unprocessable(
                    "bad_manager",
                    Some("manager"),
                    "\"manager\" moet het nummer (id) van een leidinggevende zijn.".into(),
                    "\"manager\" must be the id of a manager.".into(),
                ));
            }
        },
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
    let year = i64::from(integer_domain::learning::today().year());
    let members = learning_store::team_overview(&mut conn, p.org, asked).await?;
    let sessions = learning_store::sessions(&mut conn, p.org, manager_scope, year).await?;
    let meetings = learning_store::team_meetings(&mut conn, p.org, manager_scope, year).await?;
    let effective = crate::preset::effective(&mut conn, p.org, &u.org.preset).await?;
    let digest = effective.preset.digest.clone();
    let mut rows = Vec::with_capacity(members.len());
    for m in members {
        let oath = prevention_store::oath_of(&mut conn, p.org, m.person).await?;
        let ack = prevention_store::acknowledgement_of(&mut conn, p.org, m.person).await?;
        rows.push(json!({
            "person_id": m.person.0,
            "name": m.name,
            "function": m.function_title,
            "introduction": m.introduction,
            "last_elearning": m.last_elearning,
            "last_hr_conversation": m.last_hr_conversation,
            "oath": oath.map(|o| o.taken_on),
            "code_acknowledged": ack.as_ref().map(|a| json!({
                "version": a.preset_version,
                "current": a.digest == digest,
            })),
        }));
    }
    Ok(Json(json!({
        "manager": {"id": manager.id.0, "name": manager.name},
        "year": year,
        "members": rows,
        "sessions": sessions.iter().map(session_json).collect::<Vec<_>>(),
        "team_meetings": meetings.iter().map(meeting_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `GET /api/v1/vulnerable-functions`: the register with the overdue flag,
/// as on `/organisatie/kwetsbare-functies` (Vulnerable function list).
async fn vulnerable_functions(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Value>, AppError> {
    let p = &u.principal;
    permit_for(
        p,
        Action::List,
        Resource::VulnerableFunction,
        Relation::None,
    )?;
    let today = integer_domain::learning::today();
    let mut conn = state.store.conn().await?;
    let entries = integer_store::vulnerable::list(&mut conn, p.org).await?;
    let rows: Vec<Value> = entries.iter().map(|e| vulnerable_json(e, today)).collect();
    let overdue = rows.iter().filter(|r| r["overdue"] == json!(true)).count();
    Ok(Json(json!({
        "today": today.to_string(),
        "entries": rows,
        "overdue": overdue,
    })))
}
