//! The reporter's identity on a case (`/zaken/{id}/melder`).
//!
//! Wbk art. 1a and directive 2019/1937 art. 16: the persons who receive
//! and handle the report (the case's owner, members and committee) may
//! know who reported; beyond them the identity is disclosed only with the
//! reporter's express, written consent (asked and answered in the mailbox)
//! or under a legal obligation, confirmed by a second handler with its
//! ground, the reporter told beforehand unless that would endanger the
//! investigation. Anyone on the team may ask, saying to whom and why; the
//! handlers decide and are the ones notified. Who may do what is
//! `authz`'s decision on the relation the store computed; every look at
//! the identity and every step is an audit row in the step's transaction.

use super::cases::{Done, Performed, conflict};
use super::meldpunt::{datetime_of, no_store};
use super::{render, render_status};
use crate::AppState;
use crate::ctx::{CurrentUser, SignedIn};
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Relation, Resource, Target, decide};
use integer_domain::disclosure::{
    self, Basis, Decision, DisclosureState, Informing, RequestText, field,
};
use integer_domain::i18n::Lang;
use integer_domain::org::PersonId;
use integer_store::case_disclosures::{self as disclosures, NewRequest};
use integer_store::cases::{self, EntryKind, Identity};
use integer_store::{audit, declarations::notify};

/// The case actions this module performs (pages and API).
pub const ACTIONS: &[&str] = &[
    "identiteit-aanvragen",
    "identiteit-besluit",
    "identiteit-informeren",
];

/// The identity as one line: name, e-mail, phone.
pub fn identity_line(i: &Identity) -> String {
    [i.name.as_str(), i.email.as_str(), i.phone.as_str()]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

pub struct RequestView {
    pub id: i64,
    pub by: String,
    pub recipient: String,
    pub reason: String,
    pub legal: bool,
    pub ground: String,
    pub state_key: String,
    pub asked: String,
    pub answered: String,
    pub note: String,
    pub informed: String,
    pub not_informed: String,
    /// This person may decide it now (a handler, not the one who asked).
    pub may_decide: bool,
    /// This person may tell the reporter now (legal, not yet told).
    pub may_inform: bool,
}

pub struct MemberOption {
    pub id: i64,
    pub name: String,
    pub role_key: String,
}

#[derive(Template)]
#[template(path = "case_reporter.html")]
pub struct ReporterPage {
    pub l: Layout,
    pub id: i64,
    pub number: String,
    pub mode_key: String,
    pub identity_stored: bool,
    /// The identity, when this person may read it.
    pub identity: Option<String>,
    pub requests: Vec<RequestView>,
    /// Team members outside the handling circle, as recipients.
    pub members: Vec<MemberOption>,
    pub may_request: bool,
    pub errors: FieldErrors,
    pub done: bool,
    pub base: String,
}

/// The relation to the case's identity, deciding that the person is on
/// the team at all (404 for another organisation's case).
async fn identity_relation(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Relation, AppError> {
    let p = &user.principal;
    let mut conn = state.store.conn().await?;
    let relation = cases::identity_relation(&mut conn, &state.key, p.org, id, p.person)
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
    Ok(relation)
}

fn permits(user: &CurrentUser, action: Action, relation: Relation) -> bool {
    let p = &user.principal;
    decide(
        p,
        action,
        Resource::CaseIdentity,
        Target {
            org: p.org,
            relation,
        },
    )
    .is_ok()
}

/// `GET /zaken/{id}/melder`: the reporter's identity (for those who may
/// read it; audited) and the requests to disclose it.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let relation = identity_relation(&state, &s.user, id).await?;
    let p = &s.user.principal;
    let may_read = permits(&s.user, Action::View, relation);
    let mut tx = state.store.begin_write().await?;
    let identity = if may_read {
        cases::identity(&mut tx, &state.key, id).await?
    } else {
        None
    };
    // Every look at the identity is accounted for; otherwise the page is
    // a look at the case.
    let (action, detail) = match &identity {
        Some(_) => ("case.identity_viewed", serde_json::json!({})),
        None => ("case.viewed", serde_json::json!({"page": "reporter"})),
    };
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            action,
            "case",
            id,
            detail,
        ),
    )
    .await?;
    tx.commit().await?;
    let page = page(
        &state,
        &s,
        id,
        relation,
        identity.as_ref().map(identity_line),
        FieldErrors::default(),
        q.done(),
    )
    .await?;
    no_store(render(&page)?)
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    id: i64,
    relation: Relation,
    identity: Option<String>,
    errors: FieldErrors,
    done: bool,
) -> Result<ReporterPage, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let c = cases::get(&mut conn, &state.key, p.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let identity_stored = cases::has_identity(&mut conn, id).await?;
    let requests = disclosures::list(&mut conn, &state.key, id).await?;
    let team = cases::team(&mut conn, id).await?;
    let may_decide = permits(&s.user, Action::Decide, relation);
    Ok(ReporterPage {
        l: Layout::new(&s.ctx, "disclosure-title"),
        id,
        number: c.number.clone(),
        mode_key: format!("case-identity-{}", c.identity_mode.code()),
        identity_stored,
        identity,
        requests: requests
            .into_iter()
            .map(|r| RequestView {
                id: r.id,
                may_decide: may_decide
                    && r.state == DisclosureState::Pending
                    && r.requested_by != p.person,
                may_inform: may_decide
                    && r.state == DisclosureState::Legal
                    && r.informed_at.is_none(),
                recipient: if r.recipient.is_empty() {
                    r.requested_by_name.clone()
                } else {
                    r.recipient
                },
                by: r.requested_by_name,
                reason: r.reason,
                legal: r.basis == Basis::Legal,
                ground: r.ground.unwrap_or_default(),
                state_key: format!("disclosure-state-{}", r.state.code()),
                asked: r.asked_at.map(datetime_of).unwrap_or_default(),
                answered: r.answered_at.map(datetime_of).unwrap_or_default(),
                note: r.answer_note.unwrap_or_default(),
                informed: r.informed_at.map(datetime_of).unwrap_or_default(),
                not_informed: r.not_informed.unwrap_or_default(),
            })
            .collect(),
        members: team
            .into_iter()
            .filter(|m| m.role.may_receive_disclosure())
            .map(|m| MemberOption {
                id: m.person.0,
                name: m.name,
                role_key: format!("case-team-{}", m.role.code()),
            })
            .collect(),
        may_request: identity_stored && permits(&s.user, Action::Create, relation),
        errors,
        done,
        base: format!("/zaken/{id}"),
    })
}

/// The reporter page again, with what to fix (422).
pub async fn invalid(
    state: &AppState,
    s: &SignedIn,
    id: i64,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let relation = identity_relation(state, &s.user, id).await?;
    let page = page(state, s, id, relation, None, errors, false).await?;
    no_store(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
}

fn event(
    user: &CurrentUser,
    action: &str,
    id: i64,
    detail: serde_json::Value,
) -> integer_domain::audit::AuditEvent {
    audit::event(
        Some(user.principal.org.0),
        user.actor(),
        user.credential,
        action,
        "case",
        id,
        detail,
    )
}

/// Every step on the identity, for the pages and the API alike.
pub async fn perform(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    id: i64,
    action: &str,
    form: &Form,
) -> Result<Performed, AppError> {
    let relation = identity_relation(state, user, id).await?;
    let done = Performed::Done(format!("/zaken/{id}/melder?klaar=1"));
    match action {
        "identiteit-aanvragen" => {
            if !permits(user, Action::Create, relation) {
                return Err(AppError::Forbidden);
            }
            request(state, user, lang, id, relation, form).await
        }
        "identiteit-besluit" => {
            if !permits(user, Action::Decide, relation) {
                return Err(AppError::Forbidden);
            }
            decide_request(state, user, lang, id, form).await
        }
        "identiteit-informeren" => {
            if !permits(user, Action::Decide, relation) {
                return Err(AppError::Forbidden);
            }
            inform(state, user, lang, id, form).await
        }
        _ => Err(AppError::NotFound),
    }
    .map(|p| match p {
        Performed::Done(_) => done,
        invalid => invalid,
    })
}

fn invalid_with(lang: Lang, problems: Vec<(&'static str, Problem)>) -> Performed {
    let mut errors = FieldErrors::default();
    for (f, problem) in problems {
        errors.add(lang, f, &problem);
    }
    Performed::Invalid(errors)
}

/// Someone on the team asks to disclose the identity to someone: to whom,
/// why, and on which basis.
async fn request(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    id: i64,
    relation: Relation,
    form: &Form,
) -> Result<Performed, AppError> {
    let p = &user.principal;
    let mut problems = Vec::new();
    let basis = Basis::from_code(form.get(field::BASIS));
    if basis.is_none() {
        problems.push((field::BASIS, Problem::new("disclosure-error-basis")));
    }
    let mut tx = state.store.begin_write().await?;
    if !cases::has_identity(&mut tx, id).await? {
        problems.push((field::RECIPIENT, Problem::new("disclosure-error-anonymous")));
    }
    // A recipient on the team reads it in Integer; only someone outside
    // the handling circle (the handlers know it already).
    let team = cases::team(&mut tx, id).await?;
    let member = match form.get(field::RECIPIENT_MEMBER).trim() {
        "" => None,
        raw => {
            let found = raw.parse::<i64>().ok().and_then(|m| {
                team.iter()
                    .find(|t| t.person.0 == m && t.role.may_receive_disclosure())
            });
            if found.is_none() {
                problems.push((
                    field::RECIPIENT_MEMBER,
                    Problem::new("disclosure-error-member"),
                ));
            }
            found
        }
    };
    let recipient = match (form.get(field::RECIPIENT).trim(), member) {
        ("", Some(m)) => m.name.clone(),
        (text, _) => text.to_string(),
    };
    let text = RequestText {
        recipient,
        reason: form.get("reden").trim().to_string(),
        ground: form.get(field::GROUND).trim().to_string(),
    };
    if let Some(basis) = basis {
        problems.extend(disclosure::check_request(basis, &text));
    }
    let Some(basis) = basis.filter(|_| problems.is_empty()) else {
        drop(tx);
        return Ok(invalid_with(lang, problems));
    };
    // A handler asking for consent puts the question to the reporter at
    // once; anything else waits for a handler (a second one, for a
    // disclosure without consent).
    let handles = permits(user, Action::Decide, relation);
    let initial = disclosure::initial_state(basis, handles);
    let request = disclosures::file(
        &mut tx,
        &state.key,
        id,
        p.person,
        initial,
        &NewRequest {
            basis,
            recipient: text.recipient,
            recipient_person: member.map(|m| m.person),
            reason: text.reason,
            ground: text.ground,
        },
    )
    .await?;
    audit::append(
        &mut tx,
        &event(
            user,
            "case.identity_requested",
            id,
            serde_json::json!({"request": request, "basis": basis.code(),
                "recipient_member": member.map(|m| m.person.0), "state": initial.code()}),
        ),
    )
    .await?;
    if initial == DisclosureState::Asked {
        audit::append(
            &mut tx,
            &event(
                user,
                "case.identity_consent_asked",
                id,
                serde_json::json!({"request": request}),
            ),
        )
        .await?;
    } else {
        // Everyone who may decide it is told (and only they).
        for decider in disclosures::deciders(&mut tx, id, p.person).await? {
            notify(&mut tx, p.org, decider, "case.identity_request", None).await?;
        }
    }
    tx.commit().await?;
    Ok(Performed::Done(String::new()))
}

/// A handler decides a pending request: ask the reporter, decline, or
/// confirm the legal obligation (then: tell the reporter now, or why not).
async fn decide_request(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    id: i64,
    form: &Form,
) -> Result<Performed, AppError> {
    let p = &user.principal;
    let request_id: i64 = form
        .get("verzoek")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let Some(decision) = Decision::from_code(form.get(field::DECISION)) else {
        return Ok(invalid_with(
            lang,
            vec![(field::DECISION, Problem::new("disclosure-error-decision"))],
        ));
    };
    let mut tx = state.store.begin_write().await?;
    let r = disclosures::get(&mut tx, &state.key, id, request_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if r.requested_by == p.person {
        // Never one's own request: a second person decides.
        return Err(AppError::Conflict);
    }
    let to = match disclosure::decide(r.state, r.basis, decision) {
        Ok(to) => to,
        Err(problem) if problem.key == "disclosure-error-not-pending" => {
            return Err(AppError::Conflict);
        }
        Err(problem) => {
            drop(tx);
            return Ok(invalid_with(lang, vec![(field::DECISION, problem)]));
        }
    };
    let informing = if to == DisclosureState::Legal {
        match disclosure::check_informing(
            form.get("informeren"),
            form.get(field::EXPLANATION),
            form.get(field::WHY_NOT),
        ) {
            Ok(i) => Some(i),
            Err(problems) => {
                drop(tx);
                return Ok(invalid_with(lang, problems));
            }
        }
    } else {
        None
    };
    disclosures::decide(
        &mut tx,
        &state.key,
        id,
        request_id,
        p.person,
        to,
        informing.as_ref(),
    )
    .await
    .map_err(conflict)?;
    if let Some(Informing::Beforehand { explanation }) = &informing {
        // The reporter is told beforehand, with the reasons in writing
        // (directive 2019/1937 art. 16 lid 3).
        cases::add_entry(
            &mut tx,
            &state.key,
            id,
            EntryKind::ToReporter,
            Some(p.person),
            explanation,
            &[],
        )
        .await?;
    }
    let (action, detail) = match to {
        DisclosureState::Asked => (
            "case.identity_consent_asked",
            serde_json::json!({"request": request_id}),
        ),
        DisclosureState::Legal => (
            "case.identity_disclosed_legal",
            serde_json::json!({"request": request_id,
                "informed_beforehand": matches!(informing, Some(Informing::Beforehand { .. }))}),
        ),
        _ => (
            "case.identity_declined",
            serde_json::json!({"request": request_id}),
        ),
    };
    audit::append(&mut tx, &event(user, action, id, detail)).await?;
    notify(
        &mut tx,
        p.org,
        r.requested_by,
        "case.identity_decided",
        None,
    )
    .await?;
    if to.discloses()
        && let Some(recipient) = r.recipient_person.filter(|x| *x != r.requested_by)
    {
        notify(&mut tx, p.org, recipient, "case.identity_disclosed", None).await?;
    }
    tx.commit().await?;
    Ok(Performed::Done(String::new()))
}

/// A handler tells the reporter afterwards of a disclosure under a legal
/// obligation that they were not told of beforehand.
async fn inform(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    id: i64,
    form: &Form,
) -> Result<Performed, AppError> {
    let p = &user.principal;
    let request_id: i64 = form
        .get("verzoek")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let explanation = match disclosure::check_informing("ja", form.get(field::EXPLANATION), "") {
        Ok(Informing::Beforehand { explanation }) => explanation,
        Ok(Informing::NotBeforehand { .. }) => unreachable!("asked for 'ja'"),
        Err(problems) => return Ok(invalid_with(lang, problems)),
    };
    let mut tx = state.store.begin_write().await?;
    disclosures::informed_later(&mut tx, id, request_id)
        .await
        .map_err(conflict)?;
    cases::add_entry(
        &mut tx,
        &state.key,
        id,
        EntryKind::ToReporter,
        Some(p.person),
        &explanation,
        &[],
    )
    .await?;
    audit::append(
        &mut tx,
        &event(
            user,
            "case.identity_reporter_informed",
            id,
            serde_json::json!({"request": request_id}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Performed::Done(String::new()))
}

/// The people to tell that the reporter answered: who asked and the
/// handlers; the recipient, when the identity may now reach them.
pub async fn answered(
    db: &mut integer_store::Db,
    org: integer_domain::org::OrgId,
    r: &disclosures::Request,
    consented: bool,
) -> Result<(), AppError> {
    let mut told: Vec<PersonId> = disclosures::deciders(db, r.case_id, r.requested_by).await?;
    told.push(r.requested_by);
    told.sort_by_key(|p| p.0);
    told.dedup();
    for person in &told {
        notify(db, org, *person, "case.identity_answer", None).await?;
    }
    if consented && let Some(recipient) = r.recipient_person.filter(|x| !told.contains(x)) {
        notify(db, org, recipient, "case.identity_disclosed", None).await?;
    }
    Ok(())
}
