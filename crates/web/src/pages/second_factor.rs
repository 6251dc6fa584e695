//! The second factor (TOTP) at sign-in, for the roles of
//! `integer_domain::authz::SECOND_FACTOR_ROLES`: enrolment (a new secret,
//! confirmed with a first code), the code step of every later sign-in,
//! cancelling, and an administrator's reset. A session on this step is not
//! signed in for any other page (see `ctx.rs`). See docs/SECOND-FACTOR.md.

use super::auth::{client_ip, safe_back};
use super::{render, render_status};
use crate::AppState;
use crate::ctx::{SESSION_COOKIE, SecondFactorStep, SignedIn, set_cookie};
use crate::error::{AppError, encode};
use crate::forms::{FieldErrors, Form};
use crate::security::throttle_key;
use crate::view::Layout;
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Resource, Target, decide, requires_second_factor};
use integer_domain::i18n::{Catalog, Lang};
use integer_domain::org::{PersonId, RoleSet};
use integer_domain::totp as code;
use integer_store::orgs::Organisation;
use integer_store::{Db, audit, people, sessions, totp};
use std::net::SocketAddr;

/// The code step of a sign-in.
pub const STEP_PATH: &str = "/inloggen/tweede-stap";
/// Enrolment: the first sign-in, or the first after a reset.
pub const ENROL_PATH: &str = "/inloggen/tweede-stap/instellen";

/// Where a session that owes the second factor goes next: the code step,
/// or enrolment when the person has none yet.
pub async fn step_path(
    db: &mut Db,
    org: &Organisation,
    person: PersonId,
    back_to: &str,
) -> Result<String, AppError> {
    let base = if totp::is_enrolled(db, org.id, person).await? {
        STEP_PATH
    } else {
        ENROL_PATH
    };
    Ok(format!("{base}?terug={}", encode(&safe_back(back_to))))
}

#[derive(serde::Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    terug: String,
}

#[derive(Template)]
#[template(path = "second_factor_code.html")]
pub struct CodePage {
    pub l: Layout,
    pub csrf: String,
    pub back_to: String,
    pub errors: FieldErrors,
    pub form_error: Option<String>,
}

#[derive(Template)]
#[template(path = "second_factor_enrol.html")]
pub struct EnrolPage {
    pub l: Layout,
    pub csrf: String,
    pub back_to: String,
    /// The secret in blocks of four, for typing it over.
    pub secret_grouped: String,
    pub otpauth_uri: String,
    /// The same URI as a QR code (inline SVG).
    pub qr_svg: Option<String>,
    pub errors: FieldErrors,
    pub form_error: Option<String>,
}

#[derive(Template)]
#[template(path = "second_factor_person.html")]
pub struct PersonFactorPage {
    pub l: Layout,
    pub person: people::Person,
    pub required: bool,
    /// When enrolment was confirmed (a date); `None`: not enrolled.
    pub enrolled_on: Option<String>,
    /// A secret was shown but not yet confirmed.
    pub pending: bool,
    pub reset_done: bool,
}

impl PersonFactorPage {
    fn with_name(&self, key: &str) -> String {
        self.l.tf(key, &[("name", &self.person.name)])
    }

    fn enrolled_text(&self, date: &str) -> String {
        self.l
            .tf("second-factor-person-enrolled", &[("date", date)])
    }
}

/// Which of the two forms a code was typed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Enrol,
    SignIn,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Enrol => "enrol",
            Stage::SignIn => "sign_in",
        }
    }
}

/// What a form with mistakes shows again.
struct Outcome {
    errors: FieldErrors,
    form_error: Option<String>,
    status: StatusCode,
}

impl Outcome {
    fn ok() -> Self {
        Outcome {
            errors: FieldErrors::default(),
            form_error: None,
            status: StatusCode::OK,
        }
    }

    fn field(lang: Lang, problem: &Problem) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(lang, "code", problem);
        Outcome {
            errors,
            form_error: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

fn code_page(step: &SecondFactorStep, back_to: &str, o: Outcome) -> Result<Response, AppError> {
    let page = CodePage {
        l: Layout::new(&step.ctx, "second-factor-code-title"),
        csrf: step.pending.csrf.clone(),
        back_to: safe_back(back_to),
        errors: o.errors,
        form_error: o.form_error,
    };
    render_status(o.status, &page)
}

fn enrol_page(
    step: &SecondFactorStep,
    secret: &[u8],
    back_to: &str,
    o: Outcome,
) -> Result<Response, AppError> {
    let l = Layout::new(&step.ctx, "second-factor-enrol-title");
    let uri = code::otpauth_uri(&step.pending.email, secret);
    let qr_svg = qr_svg(&uri, l.t("second-factor-enrol-qr-label"));
    let page = EnrolPage {
        csrf: step.pending.csrf.clone(),
        back_to: safe_back(back_to),
        secret_grouped: code::grouped(&code::base32_encode(secret)),
        otpauth_uri: uri,
        qr_svg,
        errors: o.errors,
        form_error: o.form_error,
        l,
    };
    render_status(o.status, &page)
}

/// The URI as an inline SVG QR code with an accessible name; `None` if it
/// does not fit in a QR code (it always does: about 120 characters).
fn qr_svg(uri: &str, label: &str) -> Option<String> {
    use qrcode::render::svg;
    let qr = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let image = qr
        .render()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Inline in HTML: without the XML declaration, named for screen readers.
    let start = image.find("<svg")?;
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    Some(image[start..].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" focusable=\"false\" "),
        1,
    ))
}

/// `GET /inloggen/tweede-stap`: the code form (enrolment if there is no
/// second factor yet).
pub async fn code_form(
    State(state): State<AppState>,
    step: SecondFactorStep,
    Query(q): Query<BackQuery>,
) -> Result<Response, AppError> {
    let mut conn = state.store.conn().await?;
    if !totp::is_enrolled(&mut conn, step.pending.org.id, step.pending.person).await? {
        let next = step_path(&mut conn, &step.pending.org, step.pending.person, &q.terug).await?;
        return Ok(Redirect::to(&next).into_response());
    }
    code_page(&step, &q.terug, Outcome::ok())
}

/// `GET /inloggen/tweede-stap/instellen`: a secret to add to an app (the
/// same one on every reload until it is confirmed).
pub async fn enrol_form(
    State(state): State<AppState>,
    step: SecondFactorStep,
    Query(q): Query<BackQuery>,
) -> Result<Response, AppError> {
    let p = &step.pending;
    let mut tx = state.store.begin_write().await?;
    let factor =
        totp::start_enrolment(&mut tx, p.org.id, p.person, &code::generate_secret()).await?;
    tx.commit().await?;
    if factor.is_enrolled() {
        let next = format!("{STEP_PATH}?terug={}", encode(&safe_back(&q.terug)));
        return Ok(Redirect::to(&next).into_response());
    }
    enrol_page(&step, &factor.secret, &q.terug, Outcome::ok())
}

/// `POST /inloggen/tweede-stap`.
pub async fn code_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    step: SecondFactorStep,
    form: Form,
) -> Result<Response, AppError> {
    submit(&state, peer, &headers, step, form, Stage::SignIn).await
}

/// `POST /inloggen/tweede-stap/instellen`: the first code confirms
/// enrolment.
pub async fn enrol_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    step: SecondFactorStep,
    form: Form,
) -> Result<Response, AppError> {
    submit(&state, peer, &headers, step, form, Stage::Enrol).await
}

async fn submit(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    step: SecondFactorStep,
    form: Form,
    stage: Stage,
) -> Result<Response, AppError> {
    let p = &step.pending;
    form.verify_csrf(&p.csrf)?;
    let lang = step.ctx.lang;
    let back_to = form.get("terug").to_string();
    let mut conn = state.store.conn().await?;
    let factor = totp::get(&mut conn, p.org.id, p.person).await?;
    // A form of the other stage (a reset in between, another tab): the
    // right page again.
    let factor = match factor {
        Some(f) if f.is_enrolled() == (stage == Stage::SignIn) => f,
        _ => {
            let next = step_path(&mut conn, &p.org, p.person, &back_to).await?;
            return Ok(Redirect::to(&next).into_response());
        }
    };
    let again = |o: Outcome| match stage {
        Stage::Enrol => enrol_page(&step, &factor.secret, &back_to, o),
        Stage::SignIn => code_page(&step, &back_to, o),
    };
    // A mistyped code (letters, too short) is not a guess: not counted.
    let typed = match code::parse_code(form.get("code")) {
        Ok(c) => c,
        Err(problem) => return again(Outcome::field(lang, &problem)),
    };

    // Throttled like passwords: per person and per address.
    let cfg = &state.config;
    let person_key = throttle_key(
        &state.pepper,
        "second-factor",
        &format!("{}:{}", p.org.id.0, p.person.0),
    );
    let ip_key = throttle_key(&state.pepper, "ip", &client_ip(state, headers, peer));
    let person_failures =
        sessions::recent_failures(&mut conn, &person_key, cfg.login_window_secs).await?;
    let ip_failures = sessions::recent_failures(&mut conn, &ip_key, cfg.login_window_secs).await?;
    if person_failures >= cfg.login_max_failures_per_account
        || ip_failures >= cfg.login_max_failures_per_ip
    {
        tracing::warn!("second factor throttled");
        let minutes = (cfg.login_window_secs / 60).to_string();
        return again(Outcome {
            form_error: Some(Catalog::bundled().format(
                lang,
                "second-factor-error-throttled",
                &[("minutes", minutes)],
            )),
            status: StatusCode::TOO_MANY_REQUESTS,
            ..Outcome::ok()
        });
    }
    drop(conn);

    let now = integer_store::now();
    let matched = code::verify(&factor.secret, &typed, now, factor.last_step);
    let mut tx = state.store.begin_write().await?;
    // Compare-and-set on the last step: of two requests with one code,
    // only the first gets through.
    let accepted = match (matched, stage) {
        (Some(s), Stage::Enrol) => totp::confirm_enrolment(&mut tx, p.org.id, p.person, s).await?,
        (Some(s), Stage::SignIn) => totp::accept_step(&mut tx, p.org.id, p.person, s).await?,
        (None, _) => false,
    };
    if !accepted {
        // Right code, but its step was used already.
        let replayed = code::verify(&factor.secret, &typed, now, None).is_some();
        sessions::record_failure(&mut tx, &person_key).await?;
        sessions::record_failure(&mut tx, &ip_key).await?;
        audit::append(
            &mut tx,
            &audit::event(
                Some(p.org.id.0),
                p.actor(),
                Credential::Session,
                "second_factor.failed",
                "person",
                p.person.0,
                serde_json::json!({"stage": stage.as_str(), "replayed": replayed}),
            ),
        )
        .await?;
        tx.commit().await?;
        let key = if replayed {
            "second-factor-error-replayed"
        } else {
            "second-factor-error-wrong"
        };
        return again(Outcome::field(lang, &Problem::new(key)));
    }
    sessions::mark_second_factor(&mut tx, &p.session_hash).await?;
    sessions::clear_failures(&mut tx, &person_key).await?;
    let action = match stage {
        Stage::Enrol => "second_factor.enrolled",
        Stage::SignIn => "second_factor.verified",
    };
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.id.0),
            p.actor(),
            Credential::Session,
            action,
            "person",
            p.person.0,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&safe_back(&back_to)).into_response())
}

/// `POST /inloggen/tweede-stap/annuleren`: ends the half-signed-in session.
pub async fn cancel(
    State(state): State<AppState>,
    step: SecondFactorStep,
    form: Form,
) -> Result<Response, AppError> {
    let p = &step.pending;
    form.verify_csrf(&p.csrf)?;
    let mut tx = state.store.begin_write().await?;
    sessions::delete(&mut tx, &p.session_hash).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.id.0),
            p.actor(),
            Credential::Session,
            "session.signed_out",
            "person",
            p.person.0,
            serde_json::json!({"second_factor": "cancelled"}),
        ),
    )
    .await?;
    tx.commit().await?;
    let mut response = Redirect::to("/inloggen").into_response();
    let clear = set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies);
    response.headers_mut().append(
        header::SET_COOKIE,
        clear.parse().map_err(|_| AppError::BadRequest)?,
    );
    Ok(response)
}

/// A person of the caller's organisation whose access the caller manages
/// (the same permission as changing their roles: administrators).
async fn load_managed(state: &AppState, s: &SignedIn, id: i64) -> Result<people::Person, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let person = people::get(&mut conn, p.org, PersonId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let relation = people::relation(&mut conn, p.org, p.person, person.id).await?;
    decide(
        p,
        Action::Update,
        Resource::PersonRoles,
        Target {
            org: p.org,
            relation,
        },
    )
    .map_err(|_| AppError::Forbidden)?;
    Ok(person)
}

#[derive(serde::Deserialize)]
pub struct ResetQuery {
    #[serde(default)]
    hersteld: Option<String>,
}

/// `GET /organisatie/mensen/{id}/tweede-stap`: a person's second factor,
/// for administrators.
pub async fn person_status(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<ResetQuery>,
) -> Result<Response, AppError> {
    let person = load_managed(&state, &s, id).await?;
    let mut conn = state.store.conn().await?;
    let factor = totp::get(&mut conn, s.user.principal.org, person.id).await?;
    let enrolled_on = factor.as_ref().and_then(|f| f.enrolled_at).map(|at| {
        jiff::Timestamp::from_second(at)
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default()
    });
    let page = PersonFactorPage {
        l: Layout::new(&s.ctx, "second-factor-person-title"),
        required: requires_second_factor(&RoleSet::new(person.roles.clone())),
        pending: factor.as_ref().is_some_and(|f| !f.is_enrolled()),
        enrolled_on,
        person,
        reset_done: q.hersteld.is_some(),
    };
    render(&page)
}

/// `POST /organisatie/mensen/{id}/tweede-stap/herstellen`: removes the
/// person's second factor (a lost phone); they enrol again before their
/// next page.
pub async fn reset(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let person = load_managed(&state, &s, id).await?;
    let org = s.user.principal.org;
    let mut tx = state.store.begin_write().await?;
    let had_one = totp::reset(&mut tx, org, person.id).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.0),
            s.user.actor(),
            Credential::Session,
            "second_factor.reset",
            "person",
            person.id.0,
            serde_json::json!({"had_second_factor": had_one}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/organisatie/mensen/{}/tweede-stap?hersteld=1",
        person.id.0
    ))
    .into_response())
}
