//! What every request knows: the language, and the signed-in person (from
//! the session cookie, looked up in the database on each request).

use crate::AppState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use integer_domain::audit::Credential;
use integer_domain::authz::{Principal, requires_second_factor};
use integer_domain::i18n::Lang;
use integer_domain::org::{PersonId, RoleSet};
use integer_store::orgs::Organisation;
use integer_store::{orgs, people, sessions};

pub const SESSION_COOKIE: &str = "integer_session";
pub const LANG_COOKIE: &str = "integer_lang";
pub const LOGIN_CSRF_COOKIE: &str = "integer_csrf";

/// The value of a cookie in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, and Secure when the
/// server is configured behind TLS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// The language: the switch's cookie, else `Accept-Language`, else Dutch.
pub fn lang_from_headers(headers: &HeaderMap) -> Lang {
    if let Some(lang) = cookie(headers, LANG_COOKIE).and_then(Lang::from_code) {
        return lang;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// The signed-in person.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub principal: Principal,
    pub name: String,
    pub org: Organisation,
    /// The session's CSRF token (empty for API tokens, which need none).
    pub csrf: String,
    pub session_hash: String,
    pub credential: Credential,
    /// Unread in-app notifications (shown in the navigation).
    pub unread: i64,
}

impl CurrentUser {
    /// How audit rows name this person: by id, never by name.
    pub fn actor(&self) -> String {
        format!("person:{}", self.principal.person.0)
    }
}

/// A session that passed the password but still owes the second factor
/// (TOTP). Such a session is not signed in for any page: [`Ctx`] has no
/// user, and only the second-factor pages (through [`SecondFactorStep`])
/// see it.
#[derive(Debug, Clone)]
pub struct PendingSecondFactor {
    pub org: Organisation,
    pub person: PersonId,
    pub name: String,
    pub email: String,
    pub csrf: String,
    pub session_hash: String,
}

impl PendingSecondFactor {
    pub fn actor(&self) -> String {
        format!("person:{}", self.person.0)
    }
}

/// What a session cookie leads to.
enum Loaded {
    SignedIn(Box<CurrentUser>),
    Pending(Box<PendingSecondFactor>),
}

/// Request context for pages: language, path, and the person if signed in.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    /// Path and query of this request (for the language switch and for
    /// coming back after sign-in).
    pub path: String,
    pub user: Option<CurrentUser>,
    pub demo: bool,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_from_headers(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let loaded = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(secret) if !secret.is_empty() => load_user(state, secret).await?,
            _ => None,
        };
        let user = match loaded {
            Some(Loaded::SignedIn(user)) => Some(*user),
            Some(Loaded::Pending(pending)) => {
                // Kept aside for the second-factor pages only.
                parts.extensions.insert(*pending);
                None
            }
            None => None,
        };
        Ok(Ctx {
            lang,
            path,
            user,
            demo: state.config.demo_mode,
        })
    }
}

async fn load_user(state: &AppState, secret: &str) -> Result<Option<Loaded>, AppError> {
    let mut conn = state.store.conn().await?;
    let cfg = &state.config;
    let Some(session) = sessions::load(
        &mut conn,
        secret,
        cfg.idle_timeout_secs,
        cfg.absolute_timeout_secs,
    )
    .await?
    else {
        return Ok(None);
    };
    let Some(person) = people::get(&mut conn, session.org_id, session.person_id).await? else {
        return Ok(None);
    };
    let org = orgs::get(&mut conn, session.org_id).await?;
    // Demo organisations are usable only while the server runs in demo mode.
    if org.is_demo && !cfg.demo_mode {
        return Ok(None);
    }
    sessions::touch(&mut conn, &session).await?;
    let roles = RoleSet::new(person.roles);
    // Checked on every request, so that a role that adds the requirement
    // takes effect at once, and a reset as well.
    if requires_second_factor(&roles) && session.second_factor_at.is_none() {
        return Ok(Some(Loaded::Pending(Box::new(PendingSecondFactor {
            org,
            person: session.person_id,
            name: person.name,
            email: person.email,
            csrf: session.csrf_token,
            session_hash: session.id_hash,
        }))));
    }
    let unread =
        integer_store::notifications::unread(&mut conn, session.org_id, session.person_id).await?;
    Ok(Some(Loaded::SignedIn(Box::new(CurrentUser {
        principal: Principal {
            org: session.org_id,
            person: session.person_id,
            roles,
        },
        name: person.name,
        org,
        csrf: session.csrf_token,
        session_hash: session.id_hash,
        credential: Credential::Session,
        unread,
    }))))
}

/// A signed-in request; anything else is sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub ctx: Ctx,
    pub user: CurrentUser,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        match ctx.user.clone() {
            Some(user) => Ok(SignedIn { ctx, user }),
            None => Err(AppError::SignIn { back_to: ctx.path }),
        }
    }
}

/// A session on its second-factor step. Anyone else goes to `/inloggen`,
/// which sends a signed-in person on to where they were going.
#[derive(Debug, Clone)]
pub struct SecondFactorStep {
    pub ctx: Ctx,
    pub pending: PendingSecondFactor,
}

impl FromRequestParts<AppState> for SecondFactorStep {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        match parts.extensions.remove::<PendingSecondFactor>() {
            Some(pending) => Ok(SecondFactorStep { ctx, pending }),
            None => Err(AppError::SignIn {
                back_to: "/".into(),
            }),
        }
    }
}

/// The request context and, if the session is on its second-factor step,
/// that step (for the sign-in page, which sends such a session on).
#[derive(Debug, Clone)]
pub struct CtxAndStep {
    pub ctx: Ctx,
    pub pending: Option<PendingSecondFactor>,
}

impl FromRequestParts<AppState> for CtxAndStep {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let pending = parts.extensions.remove::<PendingSecondFactor>();
        Ok(CtxAndStep { ctx, pending })
    }
}
