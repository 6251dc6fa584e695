//! The statements (docs/OPERATIONS.md, "Toegankelijkheid en privacy"):
//!
//! - the accessibility statement of the installation
//!   (*toegankelijkheidsverklaring*, after the Dutch model statement) at
//!   `/toegankelijkheid`, linked from every page's footer and readable
//!   without an account; administrators edit it at
//!   `/organisatie/toegankelijkheid`. No saved statement: the default
//!   (partially compliant with WCAG 2.1 AA, self-evaluated with axe-core).
//! - the privacy statement of each organisation (GDPR art. 13): a link, a
//!   text, or both, edited by its administrators at `/organisatie/privacy`
//!   and shown on the public report form, the receipt, the mailbox and
//!   `/o/{org}/privacy`. Nothing set: a default text on what the reporting
//!   point processes.
//!
//! Access is the administrator's through `authz` (update the organisation).
//! Bad input re-renders the form with its errors and stores nothing; a save
//! is compare-and-set on the version shown and audited in its transaction.

use super::meldpunt::{date_of, no_store};
use super::{render, render_status};
use crate::AppState;
use crate::ctx::{Ctx, SignedIn, lang_from_headers};
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::authz::{Action, Resource, Target, decide, may};
use integer_domain::i18n::{Catalog, Lang};
use integer_store::statements::{self as store, Accessibility, By, Privacy};
use integer_store::{Db, StoreError, orgs};

/// The longest organisation name.
pub const ORGANISATION_MAX: usize = 200;
/// The longest web address.
pub const URL_MAX: usize = 500;
/// The longest description of the evaluation method.
pub const METHOD_MAX: usize = 2_000;
/// The longest list of known limitations.
pub const LIMITATIONS_MAX: usize = 10_000;
/// The longest privacy statement text.
pub const PRIVACY_TEXT_MAX: usize = 20_000;

/// The status shown when no statement was saved: partially compliant.
pub const DEFAULT_STATUS: &str = "partially_compliant";

#[derive(serde::Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    opgeslagen: Option<String>,
}

/// Only administrators edit the statements.
fn admin(s: &SignedIn) -> Result<(), AppError> {
    let p = &s.user.principal;
    decide(
        p,
        Action::Update,
        Resource::Organisation,
        Target::org(p.org),
    )
    .map_err(|_| AppError::Forbidden)?;
    Ok(())
}

fn by(s: &SignedIn) -> By {
    By {
        org: s.user.principal.org,
        actor: s.user.actor(),
        credential: s.user.credential,
    }
}

fn errors_of(lang: Lang, problems: &[(&'static str, Problem)]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (field, p) in problems {
        errors.add(lang, field, p);
    }
    errors
}

/// A context for the public pages: no session is looked at (as on the
/// reporting point's own public pages).
fn public_ctx(headers: &HeaderMap, path: String) -> Ctx {
    Ctx {
        lang: lang_from_headers(headers),
        path,
        user: None,
        demo: false,
    }
}

// --- Checking input -----------------------------------------------------------

/// Keeps a value's problem for its field; the value when it is fine.
fn take<T>(
    problems: &mut Vec<(&'static str, Problem)>,
    field: &'static str,
    result: Result<Option<T>, Problem>,
) -> Option<T> {
    match result {
        Ok(v) => v,
        Err(p) => {
            problems.push((field, p));
            None
        }
    }
}

/// A text: trimmed, line ends as `\n`, at most `max` characters, no
/// control characters but line ends and tabs; empty is `None`.
pub fn text(raw: &str, max: usize) -> Result<Option<String>, Problem> {
    let v = raw.replace("\r\n", "\n");
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(Problem::new("error-text-too-long").with("max", max.to_string()));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Problem::new("statements-error-characters"));
    }
    Ok(Some(v.to_string()))
}

/// A web address: `https://` or `http://`, a host, no spaces or quotes;
/// empty is `None`.
pub fn web_address(raw: &str) -> Result<Option<String>, Problem> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > URL_MAX {
        return Err(Problem::new("error-text-too-long").with("max", URL_MAX.to_string()));
    }
    let lower = v.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or("");
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let clean = !v.chars().any(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\'' | '\\' | '`')
    });
    if host.is_empty() || !clean {
        return Err(Problem::new("statements-error-url").with("value", v));
    }
    Ok(Some(v.to_string()))
}

/// An e-mail address (stored lower-case); empty is `None`.
pub fn email(raw: &str) -> Result<Option<String>, Problem> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    integer_domain::values::Email::parse(raw).map(|e| Some(e.as_str().to_string()))
}

/// The date of the last evaluation: `YYYY-MM-DD`, not in the future.
pub fn evaluation_date(raw: &str) -> Result<Option<String>, Problem> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<jiff::civil::Date>() {
        Ok(d) if d <= integer_domain::counsel::today() => Ok(Some(d.to_string())),
        Ok(_) => Err(Problem::new("a11y-error-date-future")),
        Err(_) => Err(Problem::new("a11y-error-date").with("value", v)),
    }
}

// --- The accessibility statement ------------------------------------------------

/// The statement shown while none was saved.
pub fn default_accessibility() -> Accessibility {
    Accessibility {
        status: DEFAULT_STATUS.to_string(),
        ..Accessibility::default()
    }
}

/// The accessibility form's values as entered.
#[derive(Debug, Clone, Default)]
pub struct AccessibilityValues {
    pub status: String,
    pub organisation: String,
    pub email: String,
    pub url: String,
    pub evaluated_on: String,
    pub method: String,
    pub limitations: String,
}

impl AccessibilityValues {
    fn from_statement(s: &Accessibility) -> AccessibilityValues {
        AccessibilityValues {
            status: s.status.clone(),
            organisation: s.organisation.clone(),
            email: s.contact_email.clone().unwrap_or_default(),
            url: s.contact_url.clone().unwrap_or_default(),
            evaluated_on: s.evaluated_on.clone().unwrap_or_default(),
            method: s.method.clone().unwrap_or_default(),
            limitations: s.limitations.clone().unwrap_or_default(),
        }
    }

    fn from_form(f: &Form) -> AccessibilityValues {
        AccessibilityValues {
            status: f.get("status").to_string(),
            organisation: f.get("organisatie").to_string(),
            email: f.get("email").to_string(),
            url: f.get("webadres").to_string(),
            evaluated_on: f.get("beoordeeld_op").to_string(),
            method: f.get("methode").to_string(),
            limitations: f.get("beperkingen").to_string(),
        }
    }
}

/// Checks the form; every problem with its field, in the form's order.
pub fn parse_accessibility(
    v: &AccessibilityValues,
) -> Result<Accessibility, Vec<(&'static str, Problem)>> {
    let mut problems = Vec::new();
    let status = if store::ACCESSIBILITY_STATUSES.contains(&v.status.as_str()) {
        v.status.clone()
    } else {
        problems.push(("status", Problem::new("a11y-error-status")));
        String::new()
    };
    let organisation = take(
        &mut problems,
        "organisatie",
        text(&v.organisation, ORGANISATION_MAX),
    )
    .unwrap_or_default();
    let contact_email = take(&mut problems, "email", email(&v.email));
    let contact_url = take(&mut problems, "webadres", web_address(&v.url));
    let evaluated_on = take(
        &mut problems,
        "beoordeeld_op",
        evaluation_date(&v.evaluated_on),
    );
    let method = take(&mut problems, "methode", text(&v.method, METHOD_MAX));
    let limitations = take(
        &mut problems,
        "beperkingen",
        text(&v.limitations, LIMITATIONS_MAX),
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Accessibility {
        status,
        organisation,
        contact_email,
        contact_url,
        evaluated_on,
        method,
        limitations,
    })
}

#[derive(Template)]
#[template(path = "accessibility_statement.html")]
pub struct AccessibilityPage {
    pub l: Layout,
    /// Who wants everyone to be able to use Integer.
    pub intro: String,
    /// `a11y-status-{code}`: the status's name.
    pub status_key: String,
    /// `a11y-status-{code}-text`: what the status means.
    pub status_text_key: String,
    /// How it was evaluated (the standard text unless one was entered).
    pub method: String,
    pub evaluated_on: Option<String>,
    pub limitations: Option<String>,
    pub contact_email: Option<String>,
    pub contact_url: Option<String>,
    /// When it was last saved; `None`: the default statement.
    pub updated: Option<String>,
    /// An administrator reads it: a link to the form.
    pub can_edit: bool,
}

fn accessibility_page(
    ctx: &Ctx,
    stored: Option<store::StoredAccessibility>,
    can_edit: bool,
) -> AccessibilityPage {
    let lang = ctx.lang;
    let catalog = Catalog::bundled();
    let (s, updated) = match stored {
        Some(st) => (st.statement, Some(date_of(st.updated_at))),
        None => (default_accessibility(), None),
    };
    let intro = if s.organisation.is_empty() {
        catalog.get(lang, "a11y-intro").to_string()
    } else {
        catalog.format(
            lang,
            "a11y-intro-org",
            &[("organisation", s.organisation.clone())],
        )
    };
    AccessibilityPage {
        l: Layout::new(ctx, "a11y-title"),
        intro,
        status_key: format!("a11y-status-{}", s.status),
        status_text_key: format!("a11y-status-{}-text", s.status),
        method: s
            .method
            .unwrap_or_else(|| catalog.get(lang, "a11y-method-default").to_string()),
        evaluated_on: s.evaluated_on,
        limitations: s.limitations,
        contact_email: s.contact_email,
        contact_url: s.contact_url,
        updated,
        can_edit,
    }
}

/// `GET /toegankelijkheid`: the statement, for everyone.
pub async fn accessibility(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let stored = {
        let mut conn = state.store.conn().await?;
        store::accessibility(&mut conn).await?
    };
    let can_edit = ctx
        .user
        .as_ref()
        .is_some_and(|u| may(&u.principal, Action::Update, Resource::Organisation));
    render(&accessibility_page(&ctx, stored, can_edit))
}

pub struct StatusChoice {
    pub code: &'static str,
    pub label_key: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "accessibility_edit.html")]
pub struct AccessibilityEditPage {
    pub l: Layout,
    pub v: AccessibilityValues,
    pub statuses: Vec<StatusChoice>,
    /// The version this edit builds on (0: none saved yet).
    pub version: i64,
    pub errors: FieldErrors,
    pub saved: bool,
    /// When it was last saved; `None`: the default applies.
    pub last_saved: Option<String>,
}

fn accessibility_edit(
    s: &SignedIn,
    v: AccessibilityValues,
    version: i64,
    errors: FieldErrors,
    saved: bool,
    last_saved: Option<String>,
) -> AccessibilityEditPage {
    let statuses = store::ACCESSIBILITY_STATUSES
        .iter()
        .map(|&code| StatusChoice {
            code,
            label_key: format!("a11y-status-{code}"),
            selected: code == v.status,
        })
        .collect();
    AccessibilityEditPage {
        l: Layout::new(&s.ctx, "a11y-edit-title"),
        v,
        statuses,
        version,
        errors,
        saved,
        last_saved,
    }
}

/// `GET /organisatie/toegankelijkheid`: the administrator's form.
pub async fn accessibility_form(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    admin(&s)?;
    let stored = {
        let mut conn = state.store.conn().await?;
        store::accessibility(&mut conn).await?
    };
    let (statement, version, last_saved) = match stored {
        Some(st) => (st.statement, st.version, Some(date_of(st.updated_at))),
        None => (default_accessibility(), 0, None),
    };
    render(&accessibility_edit(
        &s,
        AccessibilityValues::from_statement(&statement),
        version,
        FieldErrors::default(),
        n.opgeslagen.is_some(),
        last_saved,
    ))
}

/// `POST /organisatie/toegankelijkheid`: compare-and-set on the version
/// shown; bad input changes nothing.
pub async fn accessibility_save(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    admin(&s)?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let lang = s.ctx.lang;
    let values = AccessibilityValues::from_form(&form);
    let statement = match parse_accessibility(&values) {
        Ok(statement) => statement,
        Err(problems) => {
            let page =
                accessibility_edit(&s, values, version, errors_of(lang, &problems), false, None);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let mut tx = state.store.begin_write().await?;
    match store::set_accessibility(&mut tx, &by(&s), version, &statement).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add(lang, "status", &Problem::new("statements-error-changed"));
            let page = accessibility_edit(&s, values, version, errors, false, None);
            return render_status(StatusCode::CONFLICT, &page);
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/organisatie/toegankelijkheid?opgeslagen=1").into_response())
}

// --- The privacy statement --------------------------------------------------------

/// What the reporting point's pages show about privacy.
#[derive(Debug, Clone)]
pub struct PrivacyNotice {
    /// The organisation's own statement on the web.
    pub url: Option<String>,
    /// Its text, shown in a `<details>` (and in full on the page).
    pub text: Option<String>,
    /// `/o/{org}/privacy`
    pub page_href: String,
    /// The default text's sentence on how long a case is kept (the
    /// organisation's retention period), in the visitor's language.
    pub retention: String,
}

/// The organisation's privacy notice, with a connection at hand.
pub async fn privacy_notice(
    db: &mut Db,
    lang: Lang,
    org: &orgs::Organisation,
) -> Result<PrivacyNotice, AppError> {
    let stored = store::privacy(&mut *db, org.id).await?;
    let years = integer_store::cases::settings(&mut *db, org.id)
        .await?
        .retention_years;
    Ok(PrivacyNotice {
        url: stored.statement.url,
        text: stored.statement.text,
        page_href: format!("/o/{}/privacy", org.slug),
        retention: Catalog::bundled().format(
            lang,
            "privacy-default-retention",
            &[("years", years.to_string())],
        ),
    })
}

/// The notice for a page of the reporting point (`Some`: shown).
pub async fn notice(
    state: &AppState,
    lang: Lang,
    org: &orgs::Organisation,
) -> Result<Option<PrivacyNotice>, AppError> {
    let mut conn = state.store.conn().await?;
    Ok(Some(privacy_notice(&mut conn, lang, org).await?))
}

#[derive(Template)]
#[template(path = "privacy_statement.html")]
pub struct PrivacyPage {
    pub l: Layout,
    pub organisation: String,
    pub pn: PrivacyNotice,
    pub form_href: String,
}

/// `GET /o/{org}/privacy`: the organisation's privacy statement for
/// reporters (no account; no session is looked at, no cookie is set).
pub async fn privacy_public(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let ctx = public_ctx(&headers, format!("/o/{slug}/privacy"));
    let mut conn = state.store.conn().await?;
    let org = orgs::by_slug(&mut conn, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let pn = privacy_notice(&mut conn, ctx.lang, &org).await?;
    drop(conn);
    no_store(render(&PrivacyPage {
        l: Layout::new(&ctx, "privacy-title"),
        organisation: org.name.clone(),
        pn,
        form_href: format!("/o/{}/melden", org.slug),
    })?)
}

#[derive(Template)]
#[template(path = "privacy_edit.html")]
pub struct PrivacyEditPage {
    pub l: Layout,
    pub url: String,
    pub text: String,
    /// The version this edit builds on (0: none saved yet).
    pub version: i64,
    pub errors: FieldErrors,
    pub saved: bool,
    /// `/o/{org}/privacy`
    pub public_href: String,
}

fn privacy_edit(
    s: &SignedIn,
    url: String,
    text: String,
    version: i64,
    errors: FieldErrors,
    saved: bool,
) -> PrivacyEditPage {
    PrivacyEditPage {
        l: Layout::new(&s.ctx, "privacy-edit-title"),
        url,
        text,
        version,
        errors,
        saved,
        public_href: format!("/o/{}/privacy", s.user.org.slug),
    }
}

/// `GET /organisatie/privacy`: the administrator's form.
pub async fn privacy_form(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    admin(&s)?;
    let stored = {
        let mut conn = state.store.conn().await?;
        store::privacy(&mut conn, s.user.principal.org).await?
    };
    render(&privacy_edit(
        &s,
        stored.statement.url.unwrap_or_default(),
        stored.statement.text.unwrap_or_default(),
        stored.version,
        FieldErrors::default(),
        n.opgeslagen.is_some(),
    ))
}

/// Checks the privacy form; every problem with its field.
pub fn parse_privacy(url: &str, body: &str) -> Result<Privacy, Vec<(&'static str, Problem)>> {
    let mut problems = Vec::new();
    let url = take(&mut problems, "webadres", web_address(url));
    let text = take(&mut problems, "tekst", text(body, PRIVACY_TEXT_MAX));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Privacy { url, text })
}

/// `POST /organisatie/privacy`: compare-and-set on the version shown; bad
/// input changes nothing. Both fields empty bring back the default text.
pub async fn privacy_save(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    admin(&s)?;
    let version: i64 = form
        .get("versie")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let lang = s.ctx.lang;
    let again = |errors: FieldErrors| {
        privacy_edit(
            &s,
            form.get("webadres").to_string(),
            form.get("tekst").to_string(),
            version,
            errors,
            false,
        )
    };
    let statement = match parse_privacy(form.get("webadres"), form.get("tekst")) {
        Ok(statement) => statement,
        Err(problems) => {
            let page = again(errors_of(lang, &problems));
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let mut tx = state.store.begin_write().await?;
    match store::set_privacy(&mut tx, &by(&s), version, &statement).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add(lang, "webadres", &Problem::new("statements-error-changed"));
            return render_status(StatusCode::CONFLICT, &again(errors));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/organisatie/privacy?opgeslagen=1").into_response())
}
