//! Sign-in, sign-out and the language switch.

use super::render_status;
use crate::AppState;
use crate::ctx::{
    Ctx, CtxAndStep, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SignedIn, cookie, set_cookie,
};
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::security::{same_secret, throttle_key, verify_password};
use crate::view::{Layout, LoginPage, OrgOption};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::i18n::Catalog;
use integer_domain::values::Email;
use integer_store::{audit, orgs, people, sessions};
use std::net::SocketAddr;

/// Only local paths are followed after sign-in, the second factor or a
/// language switch (no open redirect to another site): decided in one place,
/// [`integer_domain::return_path`].
pub fn safe_back(target: &str) -> String {
    integer_domain::return_path::safe_return_path(target)
}

#[derive(serde::Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    terug: String,
}

/// What the sign-in page shows besides the form itself.
struct LoginView<'a> {
    selected: &'a str,
    email: &'a str,
    back_to: &'a str,
    errors: FieldErrors,
    form_error: Option<String>,
    status: StatusCode,
    /// The double-submit token to keep (from the cookie), or a new one.
    csrf: Option<&'a str>,
}

impl<'a> LoginView<'a> {
    fn new(selected: &'a str, email: &'a str, back_to: &'a str, csrf: Option<&'a str>) -> Self {
        LoginView {
            selected,
            email,
            back_to,
            errors: FieldErrors::default(),
            form_error: None,
            status: StatusCode::OK,
            csrf,
        }
    }
}

async fn login_page(state: &AppState, ctx: &Ctx, v: LoginView<'_>) -> Result<Response, AppError> {
    let LoginView {
        selected,
        email,
        back_to,
        errors,
        form_error,
        status,
        csrf,
    } = v;
    let mut conn = state.store.conn().await?;
    let orgs = orgs::list(&mut conn).await?;
    let login_csrf = csrf
        .map(str::to_string)
        .unwrap_or_else(integer_store::random_token);
    let page = LoginPage {
        l: Layout::new(ctx, "login-title"),
        orgs: orgs
            .iter()
            .map(|o| OrgOption {
                slug: o.slug.clone(),
                name: o.name.clone(),
                selected: o.slug == selected,
            })
            .collect(),
        email: email.to_string(),
        back_to: safe_back(back_to),
        login_csrf: login_csrf.clone(),
        errors,
        form_error,
    };
    let mut response = render_status(status, &page)?;
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LOGIN_CSRF_COOKIE,
            &login_csrf,
            None,
            state.config.secure_cookies,
        )
        .parse()
        .map_err(|_| AppError::BadRequest)?,
    );
    Ok(response)
}

pub async fn login_form(
    State(state): State<AppState>,
    CtxAndStep { ctx, pending }: CtxAndStep,
    headers: HeaderMap,
    Query(q): Query<BackQuery>,
) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_back(&q.terug)).into_response());
    }
    // Password done, second factor not yet: that step comes next (every
    // page a pending session asks for is sent here first).
    if let Some(p) = pending {
        let mut conn = state.store.conn().await?;
        let next = super::second_factor::step_path(&mut conn, &p.org, p.person, &q.terug).await?;
        return Ok(Redirect::to(&next).into_response());
    }
    let csrf = cookie(&headers, LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() == 64)
        .map(str::to_string);
    login_page(
        &state,
        &ctx,
        LoginView::new("", "", &q.terug, csrf.as_deref()),
    )
    .await
}

/// The client's address, for throttling only (never stored: hashed).
pub(crate) fn client_ip(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    crate::security::client_address(&state.config.trusted_proxies, headers, peer.ip()).to_string()
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: Ctx,
    headers: HeaderMap,
    form: Form,
) -> Result<Response, AppError> {
    let lang = ctx.lang;
    let catalog = Catalog::bundled();
    // Double-submit check: the form must carry the cookie's token.
    let cookie_token = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if !same_secret(cookie_token, form.get("csrf")) {
        return Err(AppError::Csrf);
    }
    let slug = form.get("organisatie").trim().to_string();
    let email_raw = form.get("email").trim().to_string();
    let password = form.get("wachtwoord").to_string();
    let back_to = form.get("terug").to_string();

    let mut errors = FieldErrors::default();
    let mut conn = state.store.conn().await?;
    let org = orgs::by_slug(&mut conn, &slug).await?;
    if org.is_none() {
        errors.add(
            lang,
            "organisatie",
            &Problem::new("login-error-organisation"),
        );
    }
    let email = match Email::parse(&email_raw) {
        Ok(e) => Some(e),
        Err(p) => {
            errors.add(lang, "email", &p);
            None
        }
    };
    if password.is_empty() {
        errors.add(
            lang,
            "wachtwoord",
            &Problem::new("login-error-password-missing"),
        );
    }
    let (Some(org), Some(email), true) = (org, email, errors.is_empty()) else {
        drop(conn);
        let v = LoginView {
            errors,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..LoginView::new(&slug, &email_raw, &back_to, Some(cookie_token))
        };
        return login_page(&state, &ctx, v).await;
    };

    // Throttling per account and per address, before any password work.
    let cfg = &state.config;
    let account_key = throttle_key(&state.pepper, "account", &format!("{}:{}", org.id.0, email));
    let ip_key = throttle_key(&state.pepper, "ip", &client_ip(&state, &headers, peer));
    let account_failures =
        sessions::recent_failures(&mut conn, &account_key, cfg.login_window_secs).await?;
    let ip_failures = sessions::recent_failures(&mut conn, &ip_key, cfg.login_window_secs).await?;
    if account_failures >= cfg.login_max_failures_per_account
        || ip_failures >= cfg.login_max_failures_per_ip
    {
        tracing::warn!("sign-in throttled");
        let minutes = (cfg.login_window_secs / 60).to_string();
        let msg = catalog.format(lang, "login-error-throttled", &[("minutes", minutes)]);
        drop(conn);
        let v = LoginView {
            form_error: Some(msg),
            status: StatusCode::TOO_MANY_REQUESTS,
            ..LoginView::new(&slug, &email_raw, &back_to, Some(cookie_token))
        };
        return login_page(&state, &ctx, v).await;
    }

    let found = people::credentials(&mut conn, org.id, email.as_str()).await?;
    drop(conn);
    // Unknown users are checked against a dummy hash, so that the answer
    // takes as long and says the same.
    let (person, hash) = match found {
        Some((id, Some(hash))) => (Some(id), hash),
        _ => (None, state.dummy_hash.as_ref().clone()),
    };
    let password_ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    // Demo accounts work only while the server runs in demo mode.
    let allowed = password_ok && person.is_some() && (!org.is_demo || cfg.demo_mode);

    let mut tx = state.store.begin_write().await?;
    if !allowed {
        sessions::record_failure(&mut tx, &account_key).await?;
        sessions::record_failure(&mut tx, &ip_key).await?;
        audit::append(
            &mut tx,
            &audit::event(
                Some(org.id.0),
                "anonymous",
                Credential::Anonymous,
                "session.sign_in_failed",
                "organisation",
                org.id.0,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        let msg = catalog.get(lang, "login-error-invalid").to_string();
        let v = LoginView {
            form_error: Some(msg),
            status: StatusCode::UNAUTHORIZED,
            ..LoginView::new(&slug, &email_raw, &back_to, Some(cookie_token))
        };
        return login_page(&state, &ctx, v).await;
    }
    let person = person.expect("checked above");
    sessions::clear_failures(&mut tx, &account_key).await?;
    // A new session id at every sign-in; an old one from this browser goes.
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        sessions::delete(&mut tx, &integer_store::sha256_hex(old)).await?;
    }
    let (secret, _record) = sessions::create(&mut tx, org.id, person).await?;
    // Sensitive roles sign in with a second factor: the session is not
    // signed in until that step is done (see ctx.rs).
    let roles = integer_domain::org::RoleSet::new(people::roles(&mut tx, person).await?);
    let next = if integer_domain::authz::requires_second_factor(&roles) {
        super::second_factor::step_path(&mut tx, &org, person, &back_to).await?
    } else {
        safe_back(&back_to)
    };
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.id.0),
            format!("person:{}", person.0),
            Credential::Session,
            "session.signed_in",
            "person",
            person.0,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;

    let mut response = Redirect::to(&next).into_response();
    let h = response.headers_mut();
    let cookie = set_cookie(SESSION_COOKIE, &secret, None, cfg.secure_cookies);
    h.append(
        header::SET_COOKIE,
        cookie.parse().map_err(|_| AppError::BadRequest)?,
    );
    let clear = set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), cfg.secure_cookies);
    h.append(
        header::SET_COOKIE,
        clear.parse().map_err(|_| AppError::BadRequest)?,
    );
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let mut tx = state.store.begin_write().await?;
    sessions::delete(&mut tx, &s.user.session_hash).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(s.user.org.id.0),
            s.user.actor(),
            Credential::Session,
            "session.signed_out",
            "person",
            s.user.principal.person.0,
            serde_json::json!({}),
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

/// `GET /taal/en?terug=/pad`: remembers the language in a cookie (a
/// preference, not a change of data) and goes back.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<BackQuery>,
) -> Result<Response, AppError> {
    let lang = integer_domain::i18n::Lang::from_code(&code).ok_or(AppError::NotFound)?;
    let mut response = Redirect::to(&safe_back(&q.terug)).into_response();
    let cookie = set_cookie(
        LANG_COOKIE,
        lang.code(),
        Some(365 * 24 * 3600),
        state.config.secure_cookies,
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie.parse().map_err(|_| AppError::BadRequest)?,
    );
    Ok(response)
}
