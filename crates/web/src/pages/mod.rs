//! The pages, one module per group.

pub mod annual_report;
pub mod audit;
pub mod auth;
pub mod case_identity;
pub mod cases;
pub mod counsellor_log;
pub mod declarations;
pub mod designation;
pub mod home;
pub mod import;
pub mod learning;
pub mod meldpunt;
pub mod meldpunt_info;
pub mod messages;
pub mod ops;
pub mod people;
pub mod policy;
pub mod preset_edit;
pub mod prevention;
pub mod public_register;
pub mod publication;
pub mod second_factor;
pub mod statements;
pub mod units;
pub mod vulnerable;
pub mod yearly_check;

use crate::error::AppError;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Renders a template as an HTML page.
pub fn render(template: &impl Template) -> Result<Response, AppError> {
    render_status(StatusCode::OK, template)
}

/// Renders a page with another status (a form with mistakes: 422).
pub fn render_status(status: StatusCode, template: &impl Template) -> Result<Response, AppError> {
    let html = template
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok((
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}
