//! What a reporter is told (the public form, the staff form, the mailbox)
//! and where the organisation sets its own texts
//! (`/organisatie/meldpunt-informatie`, integrity office and
//! administrators): how a report is handled and within which terms, oral
//! reports, the confidential counsellor, the external route, the
//! protection against retaliation. The preset's defaults come from
//! `policies/meldpunt/<preset>.toml` (`integer_domain::meldpunt_texts`).

use super::meldpunt::no_store;
use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::authz::{Action, Resource, Target, decide};
use integer_domain::i18n::Lang;
use integer_domain::meldpunt_texts::{self, InfoTopic, Override, paragraphs};
use integer_store::statements::By;
use integer_store::{StoreError, meldpunt_info, orgs};

/// One topic as a reporter reads it.
#[derive(Clone)]
pub struct InfoSection {
    pub id: String,
    pub title_key: String,
    pub paragraphs: Vec<String>,
    /// Document and section; empty when the organisation gave none.
    pub source: String,
}

/// The texts a reporter of `org` reads, in `lang`: the organisation's
/// own where it set one, else its preset's.
pub async fn sections(
    db: &mut integer_store::Db,
    lang: Lang,
    org: &orgs::Organisation,
) -> Result<Vec<InfoSection>, AppError> {
    let own = meldpunt_info::get(db, org.id).await?;
    let defaults = meldpunt_texts::for_preset(&org.preset);
    Ok(InfoTopic::ALL
        .iter()
        .map(|topic| {
            let (text, source) = match own.get(*topic) {
                Some(o) => (
                    match lang {
                        Lang::Nl => o.nl.as_str(),
                        Lang::En => o.en.as_str(),
                    },
                    o.source.as_str(),
                ),
                None => {
                    let d = defaults.topic(*topic);
                    (d.text(lang), d.source(lang))
                }
            };
            InfoSection {
                id: format!("info-{}", topic.field()),
                title_key: topic.title_key(),
                paragraphs: paragraphs(text).into_iter().map(str::to_string).collect(),
                source: source.to_string(),
            }
        })
        .collect())
}

/// [`sections`] with a connection of its own.
pub async fn for_org(
    state: &AppState,
    lang: Lang,
    org: &orgs::Organisation,
) -> Result<Vec<InfoSection>, AppError> {
    let mut conn = state.store.conn().await?;
    sections(&mut conn, lang, org).await
}

/// One topic on the settings page: the preset's default and the
/// organisation's own text.
pub struct TopicForm {
    pub field: &'static str,
    pub title_key: String,
    pub default_nl: String,
    pub default_en: String,
    pub default_source: String,
    pub nl: String,
    pub en: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "meldpunt_info_edit.html")]
pub struct EditPage {
    pub l: Layout,
    pub topics: Vec<TopicForm>,
    pub version: i64,
    pub public_href: String,
    pub errors: FieldErrors,
    pub saved: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    opgeslagen: Option<String>,
}

fn allowed(s: &SignedIn) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(
        p,
        Action::Update,
        Resource::ReportingInfo,
        Target::org(p.org),
    )
    .map(|_| ())
    .map_err(|_| AppError::Forbidden)
}

fn edit_page(
    s: &SignedIn,
    values: impl Fn(InfoTopic) -> (String, String, String),
    version: i64,
    errors: FieldErrors,
    saved: bool,
) -> EditPage {
    let defaults = meldpunt_texts::for_preset(&s.user.org.preset);
    EditPage {
        l: Layout::new(&s.ctx, "meldpunt-info-edit-title"),
        topics: InfoTopic::ALL
            .iter()
            .map(|t| {
                let d = defaults.topic(*t);
                let (nl, en, source) = values(*t);
                TopicForm {
                    field: t.field(),
                    title_key: t.title_key(),
                    default_nl: d.nl.trim().to_string(),
                    default_en: d.en.trim().to_string(),
                    default_source: d.source(s.ctx.lang).to_string(),
                    nl,
                    en,
                    source,
                }
            })
            .collect(),
        version,
        public_href: format!("/o/{}/melden", s.user.org.slug),
        errors,
        saved,
    }
}

/// `GET /organisatie/meldpunt-informatie`.
pub async fn form(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<Saved>,
) -> Result<Response, AppError> {
    allowed(&s)?;
    let mut conn = state.store.conn().await?;
    let own = meldpunt_info::get(&mut conn, s.user.principal.org).await?;
    let page = edit_page(
        &s,
        |t| match own.get(t) {
            Some(o) => (o.nl.clone(), o.en.clone(), o.source.clone()),
            None => Default::default(),
        },
        own.version,
        FieldErrors::default(),
        q.opgeslagen.is_some(),
    );
    no_store(render(&page)?)
}

/// `POST /organisatie/meldpunt-informatie`: every topic at once; empty
/// texts fall back to the preset. Compare-and-set on the version, audited.
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    allowed(&s)?;
    let lang = s.ctx.lang;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let value =
        |t: InfoTopic, suffix: &str| form.get(&format!("{}-{suffix}", t.field())).to_string();
    let mut errors = FieldErrors::default();
    let mut texts: Vec<(InfoTopic, Override)> = Vec::new();
    for t in InfoTopic::ALL {
        match meldpunt_texts::check_override(
            *t,
            &value(*t, "nl"),
            &value(*t, "en"),
            &value(*t, "bron"),
        ) {
            Ok(Some(o)) => texts.push((*t, o)),
            Ok(None) => {}
            Err(problems) => {
                for (f, p) in problems {
                    errors.add(lang, &f, &p);
                }
            }
        }
    }
    if !errors.is_empty() {
        let page = edit_page(
            &s,
            |t| (value(t, "nl"), value(t, "en"), value(t, "bron")),
            version,
            errors,
            false,
        );
        return no_store(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?);
    }
    let by = By {
        org: s.user.principal.org,
        actor: s.user.actor(),
        credential: s.user.credential,
    };
    let mut tx = state.store.begin_write().await?;
    match meldpunt_info::set(&mut tx, &by, version, &texts).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/organisatie/meldpunt-informatie?opgeslagen=1").into_response())
}
