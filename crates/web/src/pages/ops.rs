//! Health checks and the static files compiled into the binary.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            "database unavailable",
        )
            .into_response()
    }
}

const STATIC_FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../static/app.css"),
    ),
    (
        "vendor/utrecht/component-library.css",
        "text/css; charset=utf-8",
        include_str!("../../static/vendor/utrecht/component-library.css"),
    ),
    (
        "vendor/utrecht/design-tokens.css",
        "text/css; charset=utf-8",
        include_str!("../../static/vendor/utrecht/design-tokens.css"),
    ),
    (
        "vendor/utrecht/LICENSE-component-library-css",
        "text/plain; charset=utf-8",
        include_str!("../../static/vendor/utrecht/LICENSE-component-library-css"),
    ),
    (
        "vendor/utrecht/LICENSE-design-tokens",
        "text/plain; charset=utf-8",
        include_str!("../../static/vendor/utrecht/LICENSE-design-tokens"),
    ),
];

pub async fn static_file(Path(path): Path<String>) -> Result<Response, AppError> {
    let (_, mime, body) = STATIC_FILES
        .iter()
        .find(|(p, _, _)| *p == path)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *body,
    )
        .into_response())
}
