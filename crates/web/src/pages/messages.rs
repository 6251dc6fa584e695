//! In-app messages: the notifications of the signed-in person.

use super::render;
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::Form;
use crate::view::{Layout, MessageRow, MessagesPage};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use integer_store::notifications;

pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let items = notifications::of_person(&mut conn, p.org, p.person, 100).await?;
    render(&MessagesPage {
        l: Layout::new(&s.ctx, "messages-title"),
        rows: items
            .iter()
            .map(|n| MessageRow {
                at: jiff::Timestamp::from_second(n.at)
                    .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                text_key: format!("message-{}", n.kind),
                href: match (n.kind.as_str(), n.declaration_id) {
                    ("declaration.to_decide", Some(_)) => "/beoordelen".to_string(),
                    (_, Some(id)) => format!("/verklaringen/{id}"),
                    ("check.started" | "check.reminder", None) => "/actualisatie".to_string(),
                    ("deputy.appointed", None) => "/beoordelen".to_string(),
                    (kind, None) if kind.starts_with("case.") => "/zaken".to_string(),
                    ("code.review_due", None) => "/organisatie/gedragscode-gelezen".to_string(),
                    _ => "/".to_string(),
                },
                unread: !n.read,
            })
            .collect(),
    })
}

/// Marks every message read (each person only their own).
pub async fn read_all(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    notifications::mark_all_read(&mut conn, p.org, p.person).await?;
    Ok(Redirect::to("/berichten").into_response())
}
