//! Declarations: filing one from a "Mag dit?" answer, "mijn meldingen", a
//! declaration's page with its history, the approver's decision, the
//! inbox, and the registers with filters and export.

use super::policy::{Reading, evaluate, read_answers, result_page};
use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::{AppError, encode};
use crate::forms::{FieldErrors, Form};
use crate::view::{
    AnswerView, DeclarationPage, DeclarationRow, DeclarationsPage, EventView, FilingForm,
    InboxPage, Layout, RegisterFilters, TeamOption,
};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Permit, Relation, Resource, Scope, Target, decide};
use integer_domain::declaration::{self as decl, GiftDestination, Outcome, Status};
use integer_domain::i18n::{Catalog, Lang};
use integer_domain::org::{PersonId, Role};
use integer_domain::policy::{self, Kind, Question};
use integer_domain::values::{parse_date, parse_optional_text};
use integer_store::declarations::{self as store, DeclarationRecord, Filter, NewDeclaration};
use integer_store::{Db, StoreError, audit, people};
use std::collections::HashMap;

use integer_store::publication::day as date_of;

/// Euros with a Dutch decimal comma: "€ 30,00".
pub fn euros(cents: Option<i64>) -> String {
    match cents {
        Some(c) => format!("€ {},{:02}", c / 100, c % 100),
        None => String::new(),
    }
}

pub(crate) fn row(d: &DeclarationRecord) -> DeclarationRow {
    DeclarationRow {
        id: d.id,
        person: d.person_name.clone(),
        kind_key: format!("kind-{}", d.kind),
        status_key: format!("status-{}", d.status),
        status: d.status.clone(),
        created: date_of(d.created_at),
        value: euros(d.value_cents),
        unit: d.unit_name.clone().unwrap_or_default(),
        description: d.description.chars().take(120).collect(),
        version: d.version,
    }
}

/// A line of a list page.
fn line_row(d: &store::DeclarationLine) -> DeclarationRow {
    DeclarationRow {
        id: d.id,
        person: d.person_name.clone(),
        kind_key: format!("kind-{}", d.kind),
        status_key: format!("status-{}", d.status),
        status: d.status.clone(),
        created: date_of(d.created_at),
        value: euros(d.value_cents),
        unit: d.unit_name.clone().unwrap_or_default(),
        description: d.description.chars().take(120).collect(),
        version: d.version,
    }
}

/// The filing form under a "Mag dit?" answer: the answers travel along as
/// hidden fields; a manager may choose a team member to file for.
pub async fn filing_form(
    db: &mut Db,
    s: &SignedIn,
    preset: &policy::Preset,
    kind: Kind,
    questions: &[Question],
    params: &HashMap<String, String>,
) -> Result<FilingForm, AppError> {
    let mut hidden = vec![("soort".to_string(), kind.code().to_string())];
    hidden.extend(super::policy::carried(preset, kind, params, questions));
    let p = &s.user.principal;
    let mut team = Vec::new();
    if p.roles.has(Role::Manager) {
        let reports = people::list(db, p.org, Scope::Team(p.person), "", 1, 200).await?;
        team = reports
            .items
            .into_iter()
            .map(|r| TeamOption {
                id: r.id.0,
                name: r.name,
                selected: false,
            })
            .collect();
    }
    Ok(FilingForm {
        hidden,
        team,
        ..Default::default()
    })
}

/// `POST /verklaringen`: files the answers as a declaration. The decision
/// is computed again here from the answers; nothing from the page is
/// trusted.
pub async fn file(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let lang = s.ctx.lang;
    let p = s.user.principal.clone();
    let params: HashMap<String, String> = form.0.iter().cloned().collect();
    let kind = params
        .get("soort")
        .and_then(|k| Kind::from_code(k))
        .ok_or(AppError::BadRequest)?;
    let mut conn = state.store.conn().await?;
    let effective = crate::preset::effective(&mut conn, p.org, &s.user.org.preset).await?;
    let preset = effective.preset.clone();
    let questions = policy::questions(&preset, kind);
    let Reading::Complete(answers) = read_answers(&preset, kind, &questions, &params) else {
        return Err(AppError::BadRequest);
    };
    // For whom: oneself, or (a manager) a direct report.
    let declarant = match form.get("namens").trim() {
        "" => p.person,
        raw => PersonId(raw.parse().map_err(|_| AppError::BadRequest)?),
    };
    let relation = people::relation(&mut conn, p.org, p.person, declarant).await?;
    decide(
        &p,
        Action::Create,
        Resource::Declaration,
        Target {
            org: p.org,
            relation,
        },
    )
    .map_err(|_| AppError::Forbidden)?;
    let person = people::get(&mut conn, p.org, declarant)
        .await?
        .ok_or(AppError::NotFound)?;
    let (mut value, decision) = evaluate(&preset, kind, &answers, &person)?;
    keep_texts(&preset, kind, &questions, &params, &mut value);

    let mut errors = FieldErrors::default();
    let TextFields {
        description,
        third_party,
        event_date,
    } = read_text_fields(lang, &form, &mut errors);
    if !errors.is_empty() {
        let mut filing = filing_form(&mut conn, &s, &preset, kind, &questions, &params).await?;
        filing.description = description;
        filing.third_party = form.get("derde").to_string();
        filing.event_date = form.get("datum").to_string();
        filing.errors = errors;
        for t in &mut filing.team {
            t.selected = t.id == declarant.0;
        }
        let page = result_page(&s, kind, &preset, &decision, "/mag-dit".into(), filing);
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }

    let status = decl::initial_status(decision.verdict, decision.approver);
    let route = match (status, decision.approver) {
        (Status::Submitted, Some(approver)) => {
            let chain = store::manager_chain(&mut conn, p.org, declarant).await?;
            Some(decl::route(approver, declarant, &chain))
        }
        _ => None,
    };
    drop(conn);
    let value_cents = value
        .get("value_eur")
        .and_then(|v| v.as_f64())
        .map(|e| (e * 100.0).round() as i64);
    let new = NewDeclaration {
        person: declarant,
        filed_by: p.person,
        unit: person.unit_id,
        kind: kind.code().to_string(),
        status,
        route,
        verdict: decision.verdict.code().to_string(),
        approver: decision.approver.map(|a| a.code().to_string()),
        obligations: decision
            .obligations
            .iter()
            .map(|o| o.code().to_string())
            .collect(),
        preset_version: decision.preset_version.clone(),
        answers: value.to_string(),
        description,
        third_party,
        value_cents,
        event_date,
    };
    let mut tx = state.store.begin_write().await?;
    let id = store::insert(&mut tx, p.org, &new, &s.user.actor()).await?;
    store::notify_route(
        &mut tx,
        p.org,
        id,
        route,
        declarant,
        "declaration.to_decide",
    )
    .await?;
    if declarant != p.person {
        store::notify(
            &mut tx,
            p.org,
            declarant,
            "declaration.filed_for_you",
            Some(id),
        )
        .await?;
    }
    // A registered side activity (nobody decides) of a person in a
    // designated function is announced for publication at once.
    if kind == Kind::SideActivity && status == Status::Registered {
        let by = super::publication::by(&s);
        integer_store::publication::sync(&mut tx, p.org, Some(declarant), &by).await?;
    }
    audit::append(
        &mut tx,
        &audit::event(Some(p.org.0), s.user.actor(), Credential::Session, "declaration.filed", "declaration", id,
            serde_json::json!({"kind": kind.code(), "status": status.code(), "preset_version": decision.preset_version})),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/verklaringen/{id}?ingediend=1")).into_response())
}

/// Keeps, beside the declaration's fields, what the preset said when the
/// answers were given, so that the declaration reads the same after the
/// preset changes: a questionnaire's questions with their answers, and the
/// text of a restricted-interest entry.
fn keep_texts(
    preset: &policy::Preset,
    kind: Kind,
    questions: &[Question],
    params: &HashMap<String, String>,
    value: &mut serde_json::Value,
) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    for q in questions {
        let Some(qn) = preset.questionnaire(kind, q.field) else {
            continue;
        };
        let given: Vec<serde_json::Value> = qn
            .questions
            .iter()
            .enumerate()
            .filter_map(|(i, text)| {
                params
                    .get(&super::policy::control_field(i + 1))
                    .map(|v| serde_json::json!({"nl": text.nl, "en": text.en, "answer": v == "ja"}))
            })
            .collect();
        if given.len() == qn.questions.len() {
            map.insert("control_questions".into(), serde_json::json!(given));
        }
    }
    let entry = map
        .get("restricted_interest")
        .and_then(|v| v.as_str())
        .and_then(|id| preset.restricted_interest(id));
    if let Some(entry) = entry {
        map.insert(
            "restricted_interest_text".into(),
            serde_json::json!({"nl": entry.text.nl, "en": entry.text.en}),
        );
    }
}

/// The answers kept with a declaration, as question and answer in the
/// reader's language.
fn answer_views(lang: Lang, answers: &serde_json::Value) -> Vec<AnswerView> {
    let c = Catalog::bundled();
    let dutch = lang == Lang::Nl;
    let text_of = |v: &serde_json::Value| {
        v.get(if dutch { "nl" } else { "en" })
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let Some(map) = answers.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| !matches!(k.as_str(), "kind" | "employee" | "restricted_interest_text"))
        .flat_map(|(k, v)| match (k.as_str(), v) {
            ("control_questions", serde_json::Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    // Filed before the questions were preset data: the
                    // bundled texts of the six control questions.
                    serde_json::Value::Bool(_) => AnswerView {
                        question: c.get(lang, &format!("control-{}", i + 1)).to_string(),
                        answer: answer_text(lang, item),
                    },
                    _ => AnswerView {
                        question: text_of(item),
                        answer: answer_text(
                            lang,
                            item.get("answer").unwrap_or(&serde_json::Value::Null),
                        ),
                    },
                })
                .collect::<Vec<_>>(),
            ("item", serde_json::Value::String(code)) => vec![AnswerView {
                question: c.get(lang, "q-item").to_string(),
                answer: c.get(lang, &format!("item-{code}")).to_string(),
            }],
            ("restricted_interest", serde_json::Value::String(id)) => vec![AnswerView {
                question: c.get(lang, "q-restricted_interest").to_string(),
                answer: map
                    .get("restricted_interest_text")
                    .map(text_of)
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| id.clone()),
            }],
            _ => vec![AnswerView {
                question: c.get(lang, &format!("q-{k}")).to_string(),
                answer: answer_text(lang, v),
            }],
        })
        .collect()
}

/// The text fields of a declaration as filed or amended.
struct TextFields {
    description: String,
    third_party: Option<String>,
    event_date: Option<String>,
}

/// Reads and checks the text fields; problems go to `errors` by field.
fn read_text_fields(lang: Lang, form: &Form, errors: &mut FieldErrors) -> TextFields {
    let description = form.get("omschrijving").trim().to_string();
    if description.is_empty() {
        errors.add(
            lang,
            "omschrijving",
            &Problem::new("decl-error-description"),
        );
    } else if description.chars().count() > 4000 {
        errors.add(
            lang,
            "omschrijving",
            &Problem::new("error-text-too-long").with("max", "4000"),
        );
    }
    let third_party = parse_optional_text(form.get("derde"), 200)
        .map_err(|e| errors.add(lang, "derde", &e))
        .ok()
        .flatten();
    let event_date = match form.get("datum").trim() {
        "" => None,
        raw => parse_date(raw)
            .map_err(|e| errors.add(lang, "datum", &e))
            .ok()
            .map(|d| d.to_string()),
    };
    TextFields {
        description,
        third_party,
        event_date,
    }
}

/// What the caller may do with declarations for `action` on `target`: the
/// declaration permit, or else the data-leak permit with the kind forced to
/// data leaks (`Some("data_leak")`). Both come from `authz::decide`.
fn declaration_permit(
    p: &integer_domain::authz::Principal,
    action: Action,
    target: Target,
) -> Result<(Permit, Option<&'static str>), AppError> {
    if let Ok(permit) = decide(p, action, Resource::Declaration, target) {
        return Ok((permit, None));
    }
    decide(p, action, Resource::DataLeak, target)
        .map(|permit| (permit, Some(Kind::DataLeak.code())))
        .map_err(|_| AppError::Forbidden)
}

/// Loads a declaration of the caller's organisation and checks `action`.
pub(super) async fn load(
    state: &AppState,
    s: &SignedIn,
    id: i64,
    action: Action,
) -> Result<(DeclarationRecord, Relation), AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let d = store::get(&mut conn, p.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let relation = store::relation(&mut conn, p.org, p.person, &p.roles, &d).await?;
    let target = Target {
        org: p.org,
        relation,
    };
    // Only looking is ever let in as a keeper of data leaks; any other
    // action asks the declaration rules alone.
    let forced = if action == Action::View {
        declaration_permit(p, action, target)?.1
    } else {
        decide(p, action, Resource::Declaration, target).map_err(|_| AppError::Forbidden)?;
        None
    };
    if forced.is_some_and(|kind| d.kind != kind) {
        return Err(AppError::Forbidden);
    }
    Ok((d, relation))
}

fn answer_text(lang: Lang, value: &serde_json::Value) -> String {
    let c = Catalog::bundled();
    match value {
        serde_json::Value::Bool(true) => c.get(lang, "yes").to_string(),
        serde_json::Value::Bool(false) => c.get(lang, "no").to_string(),
        serde_json::Value::Number(n) => n
            .to_string()
            .replace('.', if lang == Lang::Nl { "," } else { "." }),
        serde_json::Value::String(code) => c.get(lang, &format!("appearance-{code}")).to_string(),
        other => other.to_string(),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    ingediend: Option<String>,
    #[serde(default)]
    besloten: Option<String>,
    #[serde(default)]
    ingetrokken: Option<String>,
    #[serde(default)]
    aangevuld: Option<String>,
    #[serde(default)]
    gepubliceerd: Option<String>,
    #[serde(default)]
    gewijzigd: Option<String>,
    #[serde(default)]
    gecorrigeerd: Option<String>,
    #[serde(default)]
    beeindigd: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn page(
    state: &AppState,
    s: &SignedIn,
    d: DeclarationRecord,
    relation: Relation,
    errors: FieldErrors,
    notice_key: Option<&'static str>,
    chosen: &str,
    conditions: &str,
    reason: &str,
) -> Result<DeclarationPage, AppError> {
    let p = &s.user.principal;
    let lang = s.ctx.lang;
    let catalog = Catalog::bundled();
    let target = Target {
        org: p.org,
        relation,
    };
    let can_decide = decide(p, Action::Decide, Resource::Declaration, target).is_ok()
        && d.status() == Status::Submitted;
    let own = decide(p, Action::Update, Resource::Declaration, target).is_ok();
    let mut conn = state.store.conn().await?;
    let events = store::events(&mut conn, p.org, d.id).await?;
    let answers: serde_json::Value = serde_json::from_str(&d.answers).unwrap_or_default();
    let answer_views = answer_views(lang, &answers);
    let route = match (&d.route_person_name, &d.route_queue) {
        (Some(name), _) => name.clone(),
        (None, Some(q)) => catalog.get(lang, &format!("approver-{q}")).to_string(),
        _ => String::new(),
    };
    // The public register: the text as it appears, and the end.
    let (publication, end) = super::publication::sections(&mut conn, s, &d, relation).await?;
    Ok(DeclarationPage {
        publication,
        end,
        l: Layout::new(&s.ctx, "decl-title"),
        kind_key: format!("kind-{}", d.kind),
        status_key: format!("status-{}", d.status),
        verdict_key: format!("verdict-{}", d.verdict),
        route,
        value: euros(d.value_cents),
        answers: answer_views,
        events: events
            .into_iter()
            .map(|e| EventView {
                at: jiff::Timestamp::from_second(e.at)
                    .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                actor: e.actor,
                action_key: format!("event-{}", e.action),
            })
            .collect(),
        can_decide,
        can_withdraw: own && d.status() != Status::Withdrawn,
        can_respond: own && d.status() == Status::InfoRequested,
        is_gift: d.kind == "gift",
        errors,
        notice_key,
        chosen: chosen.to_string(),
        conditions: conditions.to_string(),
        reason: reason.to_string(),
        d,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    let (d, relation) = load(&state, &s, id, Action::View).await?;
    let notice = if n.ingediend.is_some() {
        Some("decl-filed")
    } else if n.besloten.is_some() {
        Some("decl-decided")
    } else if n.ingetrokken.is_some() {
        Some("decl-withdrawn")
    } else if n.aangevuld.is_some() {
        Some("decl-responded")
    } else if n.gepubliceerd.is_some() {
        Some("publication-confirmed")
    } else if n.gewijzigd.is_some() {
        Some("decl-amended")
    } else if n.gecorrigeerd.is_some() {
        Some("publication-corrected")
    } else if n.beeindigd.is_some() {
        Some("publication-ended")
    } else {
        None
    };
    // The person has now seen the text that is (or will be) public.
    if relation == Relation::Own && d.kind == "side_activity" {
        let p = &s.user.principal;
        let mut tx = state.store.begin_write().await?;
        integer_store::publication::mark_seen(&mut tx, p.org, id, p.person).await?;
        tx.commit().await?;
    }
    // Every look at a declaration by someone else than its owner is audited.
    if relation != Relation::Own {
        let p = &s.user.principal;
        let mut tx = state.store.begin_write().await?;
        audit::append(
            &mut tx,
            &audit::event(
                Some(p.org.0),
                s.user.actor(),
                Credential::Session,
                "declaration.viewed",
                "declaration",
                id,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
    }
    render(
        &page(
            &state,
            &s,
            d,
            relation,
            FieldErrors::default(),
            notice,
            "",
            "",
            "",
        )
        .await?,
    )
}

pub async fn decide_on(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let (d, relation) = load(&state, &s, id, Action::Decide).await?;
    let lang = s.ctx.lang;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    // Standard conditions (ticked) come first, then the free text; they
    // are stored in the language the decider used, as they read them.
    let catalog = Catalog::bundled();
    let mut parts: Vec<String> = form
        .all("standaard")
        .iter()
        .filter(|code| STANDARD_CONDITIONS.contains(code))
        .map(|code| catalog.get(lang, &format!("condition-{code}")).to_string())
        .collect();
    let free = form.get("voorwaarden").trim();
    if !free.is_empty() {
        parts.push(free.to_string());
    }
    let conditions = parts.join("; ");
    let reason = form.get("toelichting").trim().to_string();
    let mut errors = FieldErrors::default();
    if d.version != version {
        // Someone changed the declaration after this form was shown (a
        // colleague decided it a moment ago): the same answer as a lost
        // compare-and-set, whichever side of the commit we read.
        errors.add(lang, "besluit", &Problem::new("decl-error-changed"));
        let view = page(
            &state,
            &s,
            d,
            relation,
            errors,
            None,
            form.get("besluit"),
            &conditions,
            &reason,
        )
        .await?;
        return render_status(StatusCode::CONFLICT, &view);
    }
    let outcome = Outcome::from_code(form.get("besluit"));
    let destination = match form.get("bestemming").trim() {
        "" => None,
        code => match GiftDestination::from_code(code) {
            Some(dest) if d.kind == "gift" => Some(dest),
            _ => {
                errors.add(lang, "bestemming", &Problem::new("decl-error-destination"));
                None
            }
        },
    };
    match outcome {
        None => errors.add(lang, "besluit", &Problem::new("decl-error-outcome")),
        Some(o) => {
            for (field, problem) in decl::check_decision(d.status(), o, &conditions, &reason) {
                errors.add(lang, field, &problem);
            }
        }
    }
    let from_inbox = form.get("terug") == "inbox";
    if let (Some(outcome), true) = (outcome, errors.is_empty()) {
        let p = &s.user.principal;
        let mut tx = state.store.begin_write().await?;
        let result = store::decide(
            &mut tx,
            p.org,
            id,
            version,
            outcome,
            (!conditions.is_empty()).then_some(conditions.as_str()),
            (!reason.is_empty()).then_some(reason.as_str()),
            destination.map(|d| d.code()),
            p.person,
        )
        .await;
        match result {
            Ok(()) => {
                store::notify(&mut tx, p.org, d.person_id, "declaration.decided", Some(id)).await?;
                // An approved side activity of a person in a designated
                // function: they are told and shown the public text.
                if d.kind == Kind::SideActivity.code()
                    && matches!(outcome, Outcome::Approve | Outcome::ApproveWithConditions)
                {
                    let by = super::publication::by(&s);
                    integer_store::publication::sync(&mut tx, p.org, Some(d.person_id), &by)
                        .await?;
                }
                audit::append(
                    &mut tx,
                    &audit::event(Some(p.org.0), s.user.actor(), Credential::Session, "declaration.decided", "declaration", id,
                        serde_json::json!({"outcome": outcome.code(), "destination": destination.map(|d| d.code())})),
                )
                .await?;
                tx.commit().await?;
                let to = if from_inbox {
                    "/beoordelen?besloten=1".to_string()
                } else {
                    format!("/verklaringen/{id}?besloten=1")
                };
                return Ok(Redirect::to(&to).into_response());
            }
            Err(StoreError::Conflict(_)) => {
                drop(tx);
                errors.add(lang, "besluit", &Problem::new("decl-error-changed"));
                let mut conn = state.store.conn().await?;
                let fresh = store::get(&mut conn, s.user.principal.org, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                drop(conn);
                let view = page(
                    &state,
                    &s,
                    fresh,
                    relation,
                    errors,
                    None,
                    form.get("besluit"),
                    &conditions,
                    &reason,
                )
                .await?;
                return render_status(StatusCode::CONFLICT, &view);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = page(
        &state,
        &s,
        d,
        relation,
        errors,
        None,
        form.get("besluit"),
        &conditions,
        &reason,
    )
    .await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

/// `POST /verklaringen/{id}/wijzigen`: the employee corrects the text
/// fields, with a reason (the history keeps the old values).
pub async fn amend(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let (d, relation) = load(&state, &s, id, Action::Update).await?;
    let lang = s.ctx.lang;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let mut errors = FieldErrors::default();
    let TextFields {
        description,
        third_party,
        event_date,
    } = read_text_fields(lang, &form, &mut errors);
    let reason = form.get("reden").trim().to_string();
    if reason.is_empty() || reason.chars().count() > 2000 {
        errors.add(lang, "reden", &Problem::new("decl-error-amend-reason"));
    }
    if !errors.is_empty() {
        let view = page(&state, &s, d, relation, errors, None, "", "", "").await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    let status = match store::amend(
        &mut tx,
        p.org,
        id,
        p.person,
        version,
        &description,
        third_party.as_deref(),
        event_date.as_deref(),
        &reason,
    )
    .await
    {
        Ok(st) => st,
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    };
    if status == Status::Submitted && d.status() != Status::Submitted {
        let route = d.route();
        store::notify_route(
            &mut tx,
            p.org,
            id,
            route,
            d.person_id,
            "declaration.to_decide",
        )
        .await?;
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "declaration.amended",
            "declaration",
            id,
            serde_json::json!({"status": status.code()}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/verklaringen/{id}?gewijzigd=1")).into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let (d, _) = load(&state, &s, id, Action::Update).await?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let reason: String = form.get("reden").trim().chars().take(2000).collect();
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    match store::withdraw(&mut tx, p.org, id, p.person, version, &reason).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    }
    if let Some(approver) = d.route_person_id {
        store::notify(&mut tx, p.org, approver, "declaration.withdrawn", Some(id)).await?;
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "declaration.withdrawn",
            "declaration",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/verklaringen/{id}?ingetrokken=1")).into_response())
}

pub async fn respond(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let (d, relation) = load(&state, &s, id, Action::Update).await?;
    let lang = s.ctx.lang;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let text = form.get("aanvulling").trim().to_string();
    if text.is_empty() || text.chars().count() > 4000 {
        let mut errors = FieldErrors::default();
        errors.add(lang, "aanvulling", &Problem::new("decl-error-response"));
        let view = page(&state, &s, d, relation, errors, None, "", "", "").await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    match store::respond(&mut tx, p.org, id, p.person, version, &text).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    }
    let route = d.route();
    store::notify_route(
        &mut tx,
        p.org,
        id,
        route,
        d.person_id,
        "declaration.to_decide",
    )
    .await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "declaration.information_added",
            "declaration",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/verklaringen/{id}?aangevuld=1")).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct InboxQuery {
    #[serde(default)]
    besloten: Option<String>,
    #[serde(default)]
    vervanging: Option<String>,
}

/// `GET /beoordelen`: everything that waits for the caller's decision, with
/// a one-click approval for the plain cases, and (for managers) who stands
/// in for them while they are away.
pub async fn inbox(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<InboxQuery>,
) -> Result<Response, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let items = store::inbox(&mut conn, p.org, p.person, &p.roles, 200).await?;
    let catalog = Catalog::bundled();
    let done = q
        .besloten
        .map(|_| catalog.get(s.ctx.lang, "decl-decided").to_string())
        .or_else(|| {
            q.vervanging
                .map(|_| catalog.get(s.ctx.lang, "deputy-saved").to_string())
        });
    let can_deputise = decide(p, Action::Create, Resource::Deputy, Target::org(p.org)).is_ok();
    let deputies = if can_deputise {
        integer_store::deputies::of_manager(&mut conn, p.org, p.person)
            .await?
            .into_iter()
            .map(|d| crate::view::DeputyView {
                id: d.id,
                name: d.deputy_name,
                from: date_of(d.starts_at),
                until: date_of(d.ends_at - 1),
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&InboxPage {
        l: Layout::new(&s.ctx, "inbox-title"),
        rows: items.iter().map(row).collect(),
        done,
        can_deputise,
        deputies,
        errors: FieldErrors::default(),
        deputy_email: String::new(),
        deputy_from: String::new(),
        deputy_until: String::new(),
    })
}

/// `POST /beoordelen/vervanging`: a manager names a deputy for a period.
pub async fn add_deputy(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let p = s.user.principal.clone();
    decide(&p, Action::Create, Resource::Deputy, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let lang = s.ctx.lang;
    let mut errors = FieldErrors::default();
    let mut conn = state.store.conn().await?;
    let deputy = match integer_domain::values::Email::parse(form.get("vervanger")) {
        Ok(email) => match people::by_email(&mut conn, p.org, email.as_str()).await? {
            Some(id) if id == p.person => {
                errors.add(lang, "vervanger", &Problem::new("deputy-error-self"));
                None
            }
            Some(id) => Some(id),
            None => {
                errors.add(lang, "vervanger", &Problem::new("deputy-error-unknown"));
                None
            }
        },
        Err(e) => {
            errors.add(lang, "vervanger", &e);
            None
        }
    };
    let day = |field: &str, errors: &mut FieldErrors| match parse_date(form.get(field)) {
        Ok(d) => d
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp().as_second()),
        Err(e) => {
            errors.add(lang, field, &e);
            None
        }
    };
    let from = day("van", &mut errors);
    let until = day("tot", &mut errors).map(|t| t + 86_400);
    if let (Some(f), Some(u)) = (from, until)
        && u <= f
    {
        errors.add(lang, "tot", &Problem::new("error-end-before-start"));
    }
    if let (Some(deputy), Some(from), Some(until), true) = (deputy, from, until, errors.is_empty())
    {
        drop(conn);
        let mut tx = state.store.begin_write().await?;
        let id =
            integer_store::deputies::add(&mut tx, p.org, p.person, deputy, from, until).await?;
        store::notify(&mut tx, p.org, deputy, "deputy.appointed", None).await?;
        audit::append(
            &mut tx,
            &audit::event(
                Some(p.org.0),
                s.user.actor(),
                Credential::Session,
                "deputy.appointed",
                "deputy",
                id,
                serde_json::json!({"deputy": deputy.0}),
            ),
        )
        .await?;
        tx.commit().await?;
        return Ok(Redirect::to("/beoordelen?vervanging=1").into_response());
    }
    let items = store::inbox(&mut conn, p.org, p.person, &p.roles, 200).await?;
    let view = InboxPage {
        l: Layout::new(&s.ctx, "inbox-title"),
        rows: items.iter().map(row).collect(),
        done: None,
        can_deputise: true,
        deputies: Vec::new(),
        errors,
        deputy_email: form.get("vervanger").to_string(),
        deputy_from: form.get("van").to_string(),
        deputy_until: form.get("tot").to_string(),
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

/// `POST /beoordelen/vervanging/{id}/beeindigen`: ends one's own arrangement.
pub async fn end_deputy(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let p = &s.user.principal;
    decide(p, Action::Update, Resource::Deputy, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let mut tx = state.store.begin_write().await?;
    if !integer_store::deputies::end(&mut tx, p.org, p.person, id).await? {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "deputy.ended",
            "deputy",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/beoordelen?vervanging=1").into_response())
}

/// The query string of a register page, for its links.
#[derive(serde::Deserialize, Default, Clone)]
pub struct RegisterQuery {
    #[serde(default)]
    soort: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    eenheid: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    pagina: Option<String>,
    /// The page links' keyset cursors (`created_at.id`): the page starts
    /// after ("na") the previous page's last row, or ends before ("voor")
    /// the next page's first row, so a deep page costs no more than the first.
    #[serde(default)]
    na: Option<String>,
    #[serde(default)]
    voor: Option<String>,
}

impl RegisterQuery {
    fn query_string(&self) -> String {
        format!(
            "soort={}&status={}&eenheid={}&van={}&tot={}&min={}&max={}&q={}",
            encode(&self.soort),
            encode(&self.status),
            encode(&self.eenheid),
            encode(&self.van),
            encode(&self.tot),
            encode(&self.min),
            encode(&self.max),
            encode(&self.q)
        )
    }
}

fn euros_to_cents(raw: &str) -> Result<Option<i64>, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.replace(',', ".").parse::<f64>() {
        Ok(v) if (0.0..1e10).contains(&v) => Ok(Some((v * 100.0).round() as i64)),
        _ => Err(Problem::new("decl-error-amount").with("value", raw)),
    }
}

/// Reads the filters; bad ones are reported per field and left out.
fn read_filter(lang: Lang, q: &RegisterQuery, errors: &mut FieldErrors) -> Filter {
    let mut f = Filter {
        query: q.q.chars().take(100).collect(),
        ..Default::default()
    };
    if !q.soort.is_empty() {
        match Kind::from_code(&q.soort) {
            Some(k) => f.kind = Some(k.code().to_string()),
            None => errors.add(lang, "soort", &Problem::new("decl-error-filter-kind")),
        }
    }
    if !q.status.is_empty() {
        match Status::from_code(&q.status) {
            Some(st) => f.status = Some(st.code().to_string()),
            None => errors.add(lang, "status", &Problem::new("decl-error-filter-status")),
        }
    }
    if !q.eenheid.is_empty() {
        match q.eenheid.parse::<i64>() {
            Ok(u) => f.unit = Some(integer_domain::org::UnitId(u)),
            Err(_) => errors.add(lang, "eenheid", &Problem::new("units-error-parent")),
        }
    }
    let day_start = |d: jiff::civil::Date| {
        d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .ok()
    };
    if !q.van.is_empty() {
        match parse_date(&q.van) {
            Ok(d) => f.from = day_start(d),
            Err(p) => errors.add(lang, "van", &p),
        }
    }
    if !q.tot.is_empty() {
        match parse_date(&q.tot) {
            // "tot en met": the whole last day counts.
            Ok(d) => f.until = d.tomorrow().ok().and_then(day_start),
            Err(p) => errors.add(lang, "tot", &p),
        }
    }
    match euros_to_cents(&q.min) {
        Ok(v) => f.min_cents = v,
        Err(p) => errors.add(lang, "min", &p),
    }
    match euros_to_cents(&q.max) {
        Ok(v) => f.max_cents = v,
        Err(p) => errors.add(lang, "max", &p),
    }
    f
}

pub const PER_PAGE: i64 = 25;
/// At most this many units in the register's unit filter (a large
/// organisation offers its top levels; the filter includes the units below).
const UNIT_CHOICES: usize = 200;

async fn list_page(
    state: &AppState,
    s: &SignedIn,
    q: RegisterQuery,
    mode: &'static str,
    filed: bool,
) -> Result<Response, AppError> {
    let p = &s.user.principal;
    let lang = s.ctx.lang;
    let catalog = Catalog::bundled();
    let mut q = q;
    let (scope, forced) = if mode == "mine" {
        (Scope::Own(p.person), None)
    } else {
        let (permit, forced) = declaration_permit(p, Action::List, Target::org(p.org))?;
        (permit.scope(), forced)
    };
    // A keeper of data leaks sees data leaks only, whatever the query asks.
    if let Some(kind) = forced {
        q.soort = kind.to_string();
    }
    let mut errors = FieldErrors::default();
    let mut filter = read_filter(lang, &q, &mut errors);
    if mode == "mine" {
        filter.person = Some(p.person);
    }
    let page_no = q
        .pagina
        .as_deref()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let start = match (q.na.as_deref(), q.voor.as_deref()) {
        (Some(c), _) => store::PageStart::after(c),
        (None, Some(c)) => store::PageStart::before(c),
        (None, None) => None,
    };
    let mut conn = state.store.conn().await?;
    let page = store::lines_at(&mut conn, p.org, scope, &filter, page_no, PER_PAGE, start).await?;
    let unit_choices = if mode == "mine" {
        Vec::new()
    } else {
        store::unit_choices(&mut conn, p.org, UNIT_CHOICES).await?
    };
    drop(conn);
    let base = if mode == "mine" {
        "/verklaringen"
    } else {
        "/registers"
    };
    let qs = q.query_string();
    let page_no = page.page;
    let pages = page.pages();
    // The neighbours are linked through the rows at this page's edges.
    let prev = match page.items.first() {
        Some(_) if page_no == 2 => Some(format!("{base}?{qs}&pagina=1")),
        Some(first) if page_no > 2 => Some(format!(
            "{base}?{qs}&pagina={}&voor={}",
            page_no - 1,
            store::PageStart::cursor(first)
        )),
        _ => (page_no > 1).then(|| format!("{base}?{qs}&pagina={}", page_no - 1)),
    };
    let next = match page.items.last() {
        Some(last) if page_no < pages => Some(format!(
            "{base}?{qs}&pagina={}&na={}",
            page_no + 1,
            store::PageStart::cursor(last)
        )),
        _ => (page_no < pages).then(|| format!("{base}?{qs}&pagina={}", page_no + 1)),
    };
    let filters = RegisterFilters {
        kinds: Kind::ALL
            .iter()
            .filter(|k| forced.is_none_or(|kind| k.code() == kind))
            .map(|k| {
                (
                    k.code(),
                    catalog.get(lang, &format!("kind-{}", k.code())).to_string(),
                )
            })
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|st| {
                (
                    st.code(),
                    catalog
                        .get(lang, &format!("status-{}", st.code()))
                        .to_string(),
                )
            })
            .collect(),
        units: unit_choices
            .into_iter()
            .map(|(id, path)| (id.0, path))
            .collect(),
        kind: q.soort.clone(),
        status: q.status.clone(),
        unit: q.eenheid.clone(),
        from: q.van.clone(),
        until: q.tot.clone(),
        min: q.min.clone(),
        max: q.max.clone(),
        q: q.q.clone(),
        errors,
    };
    let view = DeclarationsPage {
        l: Layout::new(
            &s.ctx,
            if mode == "mine" {
                "mine-title"
            } else {
                "register-title"
            },
        ),
        mode,
        rows: page.items.iter().map(line_row).collect(),
        total: page.total,
        page: page_no,
        pages,
        prev,
        next,
        can_export: mode == "register"
            && declaration_permit(p, Action::Export, Target::org(p.org)).is_ok(),
        export_query: qs,
        filters,
        filed,
    };
    render(&view)
}

pub async fn mine(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &s, q, "mine", false).await
}

pub async fn register(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &s, q, "register", false).await
}

/// `GET /registers/export.{csv,json,ods}`: the filtered register, all
/// pages.
pub async fn export(
    State(state): State<AppState>,
    s: SignedIn,
    Path(format): Path<String>,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    // An unknown format is not an export: nothing is read or audited.
    if !matches!(format.as_str(), "export.json" | "export.csv" | "export.ods") {
        return Err(AppError::NotFound);
    }
    let p = &s.user.principal;
    let (permit, forced) = declaration_permit(p, Action::Export, Target::org(p.org))?;
    let mut q = q;
    if let Some(kind) = forced {
        q.soort = kind.to_string();
    }
    let mut errors = FieldErrors::default();
    let filter = read_filter(s.ctx.lang, &q, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::BadRequest);
    }
    let mut tx = state.store.begin_write().await?;
    let mut all = Vec::new();
    // A thousand at a time, each batch after the last row of the one
    // before (keyset: the last batch costs what the first costs).
    let mut page_no = 1;
    let mut start = None;
    loop {
        let page = store::list_at(
            &mut tx,
            p.org,
            permit.scope(),
            &filter,
            page_no,
            1000,
            start,
        )
        .await?;
        let done = page.items.len() < 1000;
        start = page
            .items
            .last()
            .map(|d| store::PageStart::After(d.created_at, d.id));
        all.extend(page.items);
        if done {
            break;
        }
        page_no += 1;
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "register.exported",
            "organisation",
            p.org.0,
            serde_json::json!({"format": format, "rows": all.len()}),
        ),
    )
    .await?;
    tx.commit().await?;
    let name = format!("register-{}", s.user.org.slug);
    match format.as_str() {
        "export.json" => {
            let body = serde_json::to_vec_pretty(&serde_json::json!({"items": all}))
                .map_err(|e| AppError::Internal(e.into()))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "application/json".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.json\""),
                    ),
                ],
                body,
            )
                .into_response())
        }
        "export.csv" => {
            let mut w = integer_domain::export::CsvWriter::new(&EXPORT_HEADER);
            for d in &all {
                w.row(&export_row(d));
            }
            let body = w.finish();
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.csv\""),
                    ),
                ],
                body,
            )
                .into_response())
        }
        "export.ods" => {
            let rows: Vec<Vec<String>> = all.iter().map(export_row).collect();
            let body = integer_domain::export::ods::spreadsheet("Register", &EXPORT_HEADER, &rows);
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.oasis.opendocument.spreadsheet".to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.ods\""),
                    ),
                ],
                body,
            )
                .into_response())
        }
        _ => Err(AppError::NotFound),
    }
}

/// Conditions an approver can tick instead of writing them out.
pub const STANDARD_CONDITIONS: [&str; 4] = [
    "outside_hours",
    "no_involvement",
    "no_resources",
    "report_changes",
];

const EXPORT_HEADER: [&str; 17] = [
    "id",
    "person",
    "unit",
    "kind",
    "status",
    "verdict",
    "approver",
    "value_eur",
    "third_party",
    "event_date",
    "description",
    "outcome",
    "conditions",
    "destination",
    "filed_at",
    "decided_at",
    "preset_version",
];

/// One declaration as a row of the CSV and ODS exports.
fn export_row(d: &DeclarationRecord) -> Vec<String> {
    let value = d
        .value_cents
        .map(|c| format!("{}.{:02}", c / 100, c % 100))
        .unwrap_or_default();
    vec![
        d.id.to_string(),
        d.person_name.clone(),
        d.unit_name.as_deref().unwrap_or("").to_string(),
        d.kind.clone(),
        d.status.clone(),
        d.verdict.clone(),
        d.approver.clone().unwrap_or_default(),
        value,
        d.third_party.as_deref().unwrap_or("").to_string(),
        d.event_date.clone().unwrap_or_default(),
        d.description.clone(),
        d.outcome.clone().unwrap_or_default(),
        d.conditions.as_deref().unwrap_or("").to_string(),
        d.destination.clone().unwrap_or_default(),
        date_of(d.created_at),
        d.decided_at.map(date_of).unwrap_or_default(),
        d.preset_version.clone(),
    ]
}
