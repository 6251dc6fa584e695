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
use integer_domain::authz::{Action, Principal, Resource, Target, decide};
use integer_domain::org::{PersonId, RoleSet};
use integer_store::{orgs, people, tokens, units};
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
    // The identity decision: `approve` or `refuse`, as the page's buttons.
    let mut form = form;
    for (name, v) in form.0.iter_mut() {
        if name == "besluit" {
            *v = match v.as_str() {
                "approve" => "toestaan".to_string(),
                _ => "weigeren".to_string(),
            };
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
