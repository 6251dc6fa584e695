//! Reading form posts. Every state-changing form of a signed-in person goes
//! through [`Form::verify_csrf`]; the sign-in form uses a double-submit
//! cookie instead (there is no session yet).

use crate::error::AppError;
use crate::security::same_secret;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use integer_domain::Problem;

/// An `application/x-www-form-urlencoded` body, keeping repeated fields.
#[derive(Debug, Clone, Default)]
pub struct Form(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Over-size bodies surface here as 413 from the body limit.
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest
            }
        })?;
        Ok(Form(form_urlencoded::parse(&bytes).into_owned().collect()))
    }
}

impl Form {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// Refuses the request unless the form carries the session's token.
    pub fn verify_csrf(&self, expected: &str) -> Result<(), AppError> {
        if same_secret(self.get("csrf"), expected) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }
}

/// A mistake in one field of a form, shown next to the field and in the
/// error summary at the top.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Collects field errors in the visitor's language.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, lang: integer_domain::i18n::Lang, field: &str, problem: &Problem) {
        let message = integer_domain::i18n::Catalog::bundled().render(lang, problem);
        self.0.push(FieldError {
            field: field.to_string(),
            message,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for a field, for the template.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}
