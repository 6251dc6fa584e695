//! The publication of a side activity in a designated function, on the
//! declaration's page (docs/OPEN-DATA.md): the exact text as it will
//! appear, confirming it (published at once) or correcting it, and
//! reporting that the side activity ended. Publication is a legal duty
//! (Ambtenarenwet 2017, article 8): there is no way to refuse it; without a
//! reaction it is published when the notice period ends.

use super::render_status;
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::{EndView, PublicationView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::authz::{Action, Relation, Resource, Target, decide};
use integer_domain::declaration::Status;
use integer_domain::designation::{self as rules, Ground, field};
use integer_domain::i18n::{Catalog, Lang};
use integer_domain::values::parse_date;
use integer_store::declarations::{self as store, DeclarationRecord};
use integer_store::publication::{self, day};
use integer_store::{Db, StoreError, audit, people};

/// The form field of the end date.
const END_DATE: &str = "einddatum";

/// The audit actor of the signed-in person.
pub(crate) fn by(s: &SignedIn) -> publication::By {
    publication::By {
        actor: s.user.actor(),
        credential: s.user.credential,
    }
}

/// Why someone is designated, in words.
pub(crate) fn ground_text(lang: Lang, ground: Ground) -> String {
    let c = Catalog::bundled();
    match ground {
        Ground::SalaryScale(n) => c.format(lang, ground.label_key(), &[("scale", n.to_string())]),
        _ => c.get(lang, ground.label_key()).to_string(),
    }
}

fn standing(d: &DeclarationRecord) -> bool {
    matches!(
        d.status(),
        Status::Approved | Status::ApprovedWithConditions | Status::Registered
    )
}

/// The publication and end sections of a declaration's page, for the one
/// looking (the person acts; whoever may see the declaration sees the text
/// and its corrections).
pub(super) async fn sections(
    db: &mut Db,
    s: &SignedIn,
    d: &DeclarationRecord,
    relation: Relation,
) -> Result<(Option<PublicationView>, EndView), AppError> {
    if d.kind != "side_activity" {
        return Ok((None, EndView::default()));
    }
    let p = &s.user.principal;
    let lang = s.ctx.lang;
    let target = Target {
        org: p.org,
        relation,
    };
    let ended_on = publication::ended_on(&mut *db, p.org, d.id).await?;
    let end = EndView {
        can_end: decide(p, Action::Update, Resource::Declaration, target).is_ok()
            && standing(d)
            && ended_on.is_none(),
        ended_on,
        date: String::new(),
    };
    if decide(p, Action::View, Resource::Publication, target).is_err() {
        return Ok((None, end));
    }
    let Some(x) = publication::get(&mut *db, p.org, d.id).await? else {
        return Ok((None, end));
    };
    let ground = publication::applies(&mut *db, p.org, d.id).await?;
    let (publish_names, _) = publication::settings(&mut *db, p.org).await?;
    let person = people::get(&mut *db, p.org, d.person_id).await?;
    let (activity, organisation) = x.text(&d.description, d.third_party.as_deref());
    let entry = publication::entry(
        publish_names,
        &d.person_name,
        person.as_ref().and_then(|m| m.function_title.as_deref()),
        activity,
        organisation,
        &d.answers,
        d.conditions.as_deref(),
        d.decided_at.unwrap_or(d.created_at),
        None,
    );
    let now = integer_store::now();
    let may_act = decide(p, Action::Update, Resource::Publication, target).is_ok();
    Ok((
        Some(PublicationView {
            form_activity: activity.to_string(),
            form_organisation: organisation.unwrap_or_default().to_string(),
            entry,
            basis: ground.map(|g| ground_text(lang, g)),
            public: x.is_public(now),
            since: day(x.public_since()),
            informed: day(x.informed_at),
            seen: x.seen_at.map(day),
            corrected: x.corrected_at.map(day),
            original_activity: d.description.clone(),
            original_organisation: d.third_party.clone(),
            can_act: may_act && ground.is_some(),
            version: x.version,
        }),
        end,
    ))
}

/// Loads a declaration whose publication the caller may act on (only the
/// person it is about).
async fn load_own(
    state: &AppState,
    s: &SignedIn,
    id: i64,
) -> Result<(DeclarationRecord, Relation), AppError> {
    let (d, relation) = super::declarations::load(state, s, id, Action::View).await?;
    let p = &s.user.principal;
    decide(
        p,
        Action::Update,
        Resource::Publication,
        Target {
            org: p.org,
            relation,
        },
    )
    .map_err(|_| AppError::Forbidden)?;
    Ok((d, relation))
}

fn version_of(form: &Form) -> Result<i64, AppError> {
    form.get("versie").parse().map_err(|_| AppError::BadRequest)
}

/// `POST /verklaringen/{id}/publiceren`: the person confirms the text; it
/// is published at once instead of at the end of the notice period.
pub async fn confirm(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    load_own(&state, &s, id).await?;
    let version = version_of(&form)?;
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    if publication::applies(&mut tx, p.org, id).await?.is_none() {
        return Err(AppError::Conflict);
    }
    match publication::confirm(&mut tx, p.org, id, p.person, version).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            s.user.credential,
            "publication.confirmed",
            "declaration",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/verklaringen/{id}?gepubliceerd=1")).into_response())
}

/// `POST /verklaringen/{id}/publicatietekst`: the person corrects the text
/// that appears (reworded, never removed). The approver is told; the
/// declaration's history keeps the text before and after.
pub async fn correct(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let (d, relation) = load_own(&state, &s, id).await?;
    let version = version_of(&form)?;
    let lang = s.ctx.lang;
    let typed_activity = form.get(field::PUBLIC_ACTIVITY).to_string();
    let typed_organisation = form.get(field::PUBLIC_ORGANISATION).to_string();
    let checked = rules::check_public_text(
        &typed_activity,
        &typed_organisation,
        d.third_party.is_some(),
    );
    let (activity, organisation) = match checked {
        Ok(text) => text,
        Err(problems) => {
            let mut errors = FieldErrors::default();
            for (f, problem) in &problems {
                errors.add(lang, f, problem);
            }
            let mut view =
                super::declarations::page(&state, &s, d, relation, errors, None, "", "", "")
                    .await?;
            if let Some(pubv) = view.publication.as_mut() {
                pubv.form_activity = typed_activity;
                pubv.form_organisation = typed_organisation;
            }
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    if publication::applies(&mut tx, p.org, id).await?.is_none() {
        return Err(AppError::Conflict);
    }
    let x = publication::get(&mut tx, p.org, id)
        .await?
        .ok_or(AppError::Conflict)?;
    let before = x.text(&d.description, d.third_party.as_deref());
    match publication::correct(
        &mut tx,
        p.org,
        id,
        p.person,
        version,
        &activity,
        organisation.as_deref(),
        before,
    )
    .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    }
    // The one who approved it sees what the person changed.
    if let Some(decider) = d.decided_by.filter(|by| *by != p.person) {
        store::notify(&mut tx, p.org, decider, "publication.corrected", Some(id)).await?;
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            s.user.credential,
            "publication.corrected",
            "declaration",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/verklaringen/{id}?gecorrigeerd=1")).into_response())
}

/// `POST /verklaringen/{id}/beeindigen`: the person reports that the side
/// activity ended; from that day on it is out of the public register.
pub async fn end(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let (d, relation) = super::declarations::load(&state, &s, id, Action::Update).await?;
    let version = version_of(&form)?;
    let lang = s.ctx.lang;
    if d.kind != "side_activity" || !standing(&d) {
        return Err(AppError::Conflict);
    }
    let today = integer_domain::case::local_date(jiff::Timestamp::now());
    let raw = form.get(END_DATE).to_string();
    let date = match parse_date(&raw) {
        Ok(date) if date <= today => Ok(date),
        Ok(_) => Err(Problem::new("publication-error-end-future")),
        Err(problem) => Err(problem),
    };
    let date = match date {
        Ok(date) => date,
        Err(problem) => {
            let mut errors = FieldErrors::default();
            errors.add(lang, END_DATE, &problem);
            let mut view =
                super::declarations::page(&state, &s, d, relation, errors, None, "", "", "")
                    .await?;
            view.end.date = raw;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let p = &s.user.principal;
    let mut tx = state.store.begin_write().await?;
    match publication::end_side_activity(&mut tx, p.org, id, p.person, version, &date.to_string())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    }
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            s.user.credential,
            "declaration.ended",
            "declaration",
            id,
            serde_json::json!({"ended_on": date.to_string()}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/verklaringen/{id}?beeindigd=1")).into_response())
}
