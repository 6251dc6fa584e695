//! Errors of the web layer and the friendly pages that show them. Handlers
//! return [`AppError`]; the [`error_pages`] middleware turns any error
//! status into a page in the visitor's language (or JSON under `/api/`).

use crate::view::ErrorPage;
use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::i18n::Lang;
use integer_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not signed in: go to the sign-in page and come back.
    #[error("sign-in required")]
    SignIn { back_to: String },
    /// Go elsewhere first (the reporter's mailbox sign-in).
    #[error("redirect")]
    Redirect(String),
    /// No valid API token.
    #[error("unauthorized")]
    Unauthorized,
    #[error("bad request")]
    BadRequest,
    #[error("CSRF token missing or wrong")]
    Csrf,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("database unavailable")]
    Unavailable,
    #[error("conflict")]
    Conflict,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => AppError::Unavailable,
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(_) => AppError::Conflict,
            StoreError::Other(e) => AppError::Internal(e),
        }
    }
}

impl From<integer_store::SqlxError> for AppError {
    fn from(e: integer_store::SqlxError) -> Self {
        StoreError::from(e).into()
    }
}

/// Which error page to show; carried from the handler to the middleware.
#[derive(Debug, Clone, Copy)]
pub struct ErrorMarker;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Redirect(to) => return Redirect::to(to).into_response(),
            AppError::SignIn { back_to } => {
                let target = format!("/inloggen?terug={}", encode(back_to));
                return Redirect::to(&target).into_response();
            }
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(e) => {
                // Logged once, here, without personal data (errors carry
                // none: values are bound, not formatted into messages).
                tracing::error!(error = %e, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        if matches!(self, AppError::Unavailable) {
            tracing::warn!("database unavailable");
        }
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorMarker);
        response
    }
}

pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// What a panicking handler answers; logged without the panic's message,
/// which might hold request data.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(ErrorMarker);
    response
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// Renders error statuses as pages (or JSON for the API) in the visitor's
/// language. Bodies of handlers that render their own page with an error
/// status (a form with mistakes: 422) are left alone.
pub async fn error_pages(req: Request, next: Next) -> Response {
    let lang = crate::ctx::lang_from_headers(req.headers());
    let is_api = req.uri().path().starts_with("/api/");
    let request_id = req
        .extensions()
        .get::<crate::logging::RequestId>()
        .map(|r| r.0.clone());
    let response = next.run(req).await;
    let status = response.status();
    let own_page = response.extensions().get::<ErrorMarker>().is_some();
    let rendered_elsewhere = response.headers().contains_key(header::CONTENT_TYPE) && !own_page;
    let is_error = status.is_client_error() || status.is_server_error();
    if !is_error
        || (rendered_elsewhere
            && status != StatusCode::PAYLOAD_TOO_LARGE
            && status != StatusCode::METHOD_NOT_ALLOWED)
    {
        return response;
    }
    let key = match status {
        StatusCode::NOT_FOUND => "error-404",
        StatusCode::FORBIDDEN => "error-403",
        StatusCode::PAYLOAD_TOO_LARGE => "error-413",
        StatusCode::SERVICE_UNAVAILABLE => "error-503",
        StatusCode::CONFLICT => "error-409",
        StatusCode::UNAUTHORIZED => "error-401",
        StatusCode::METHOD_NOT_ALLOWED => "error-405",
        s if s.is_server_error() => "error-500",
        _ => "error-400",
    };
    if is_api {
        let catalog = integer_domain::i18n::Catalog::bundled();
        let body = serde_json::json!({
            "error": key,
            "message": {
                "nl": catalog.get(Lang::Nl, &format!("{key}-text")),
                "en": catalog.get(Lang::En, &format!("{key}-text")),
            },
            "request_id": request_id,
        });
        return (status, axum::Json(body)).into_response();
    }
    let mut page = ErrorPage::new(lang, key);
    page.request_id = request_id;
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(_) => status.into_response(),
    }
}
