//! Editing the organisation's policy preset (admin): start from the preset
//! in force, change it, and save a new revision. Every save is validated
//! (errors with line and column), versioned (compare-and-set on the
//! revision number) and audited.

use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::Form;
use crate::view::{Layout, PresetEditPage, PresetProblemView, RevisionView};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Resource, Target, decide};
use integer_domain::i18n::Lang;
use integer_domain::policy::Preset;
use integer_store::{StoreError, audit, presets};

#[derive(serde::Deserialize)]
pub struct Saved {
    #[serde(default)]
    opgeslagen: Option<String>,
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    source: Option<String>,
    expected: Option<i64>,
    problems: Vec<PresetProblemView>,
    message_key: Option<&'static str>,
) -> Result<PresetEditPage, AppError> {
    let org = &s.user.org;
    let mut conn = state.store.conn().await?;
    let effective = crate::preset::effective(&mut conn, org.id, &org.preset).await?;
    let history = presets::history(&mut conn, org.id).await?;
    let (publish_names, escalation_days) =
        integer_store::publication::settings(&mut conn, org.id).await?;
    Ok(PresetEditPage {
        publish_names,
        escalation_days: escalation_days.to_string(),
        settings_errors: crate::forms::FieldErrors::default(),
        l: Layout::new(&s.ctx, "preset-title"),
        base: org.preset.clone(),
        revision: effective.revision,
        version: effective.preset.version.clone(),
        expected: expected.unwrap_or(effective.revision),
        source: source.unwrap_or(effective.source),
        problems,
        message_key,
        history: history
            .into_iter()
            .map(|(revision, digest, by, at)| RevisionView {
                revision,
                digest: digest.chars().take(12).collect(),
                by,
                at: jiff::Timestamp::from_second(at)
                    .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default(),
            })
            .collect(),
    })
}

fn check(s: &SignedIn, action: Action) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(p, action, Resource::Organisation, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    Ok(())
}

pub async fn form(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<Saved>,
) -> Result<Response, AppError> {
    check(&s, Action::View)?;
    let saved = q.opgeslagen.is_some().then_some("preset-saved");
    render(&page(&state, &s, None, None, Vec::new(), saved).await?)
}

pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    check(&s, Action::Update)?;
    let source = form.get("bron").replace("\r\n", "\n");
    let expected: i64 = form
        .get("revisie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let org = s.user.org.clone();
    // Validate with every problem located, before anything is stored.
    let preset = match Preset::from_toml_str(&org.preset, &source) {
        Ok(p) => p,
        Err(e) => {
            let problems = e
                .problems
                .iter()
                .map(|p| PresetProblemView {
                    location: match (p.line, p.column) {
                        (Some(l), Some(c)) => format!("{l}:{c}"),
                        (Some(l), None) => l.to_string(),
                        _ => String::new(),
                    },
                    path: p.path.clone(),
                    reason: match s.ctx.lang {
                        Lang::Nl => p.reason_nl.clone(),
                        Lang::En => p.reason_en.clone(),
                    },
                })
                .collect();
            let view = page(&state, &s, Some(source), Some(expected), problems, None).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let mut tx = state.store.begin_write().await?;
    match presets::save(
        &mut tx,
        org.id,
        expected,
        &source,
        &preset.digest,
        &s.user.actor(),
    )
    .await
    {
        Ok(revision) => {
            audit::append(
                &mut tx,
                &audit::event(
                    Some(org.id.0),
                    s.user.actor(),
                    Credential::Session,
                    "policy.preset_changed",
                    "preset_revision",
                    revision,
                    serde_json::json!({"revision": revision, "digest": preset.digest, "version": preset.version}),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/organisatie/gedragsregels?opgeslagen=1").into_response())
        }
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let view = page(
                &state,
                &s,
                Some(source),
                Some(expected),
                Vec::new(),
                Some("preset-conflict"),
            )
            .await?;
            render_status(StatusCode::CONFLICT, &view)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /organisatie/instellingen`: publication of names, escalation days.
pub async fn save_settings(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    check(&s, Action::Update)?;
    let lang = s.ctx.lang;
    let publish_names = form.get("namen") == "ja";
    let days = match form.get("escalatie").trim().parse::<i64>() {
        Ok(d) if (1..=365).contains(&d) => d,
        _ => {
            let mut view = page(&state, &s, None, None, Vec::new(), None).await?;
            view.escalation_days = form.get("escalatie").to_string();
            view.settings_errors.add(
                lang,
                "escalatie",
                &integer_domain::Problem::new("settings-error-days"),
            );
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let org = s.user.org.id;
    let mut tx = state.store.begin_write().await?;
    integer_store::publication::set_settings(&mut tx, org, publish_names, days).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.0),
            s.user.actor(),
            Credential::Session,
            "organisation.settings_changed",
            "organisation",
            org.0,
            serde_json::json!({"publish_names": publish_names, "escalation_days": days}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/organisatie/gedragsregels?opgeslagen=1").into_response())
}
