//! The audit trail of the organisation, for the admin and the privacy
//! officer. Rows name actors by id, never by name.

use super::render;
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::view::{AuditPage, AuditRowView, Layout};
use axum::extract::{Query, State};
use axum::response::Response;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Resource, Target, decide};
use integer_store::audit;

#[derive(serde::Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    voor: Option<i64>,
}

const PER_PAGE: i64 = 50;

pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let p = &s.user.principal;
    decide(p, Action::View, Resource::AuditTrail, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let mut tx = state.store.begin_write().await?;
    let rows = audit::recent(&mut tx, p.org.0, PER_PAGE, q.voor).await?;
    // Looking at the audit trail is itself recorded.
    audit::append(
        &mut tx,
        &audit::event(
            Some(p.org.0),
            s.user.actor(),
            Credential::Session,
            "audit.viewed",
            "organisation",
            p.org.0,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    let older = (rows.len() as i64 == PER_PAGE).then(|| {
        format!(
            "/organisatie/audit?voor={}",
            rows.last().map(|r| r.seq).unwrap_or(0)
        )
    });
    let view = AuditPage {
        l: Layout::new(&s.ctx, "audit-title"),
        rows: rows
            .into_iter()
            .map(|r| AuditRowView {
                seq: r.seq,
                at: jiff::Timestamp::from_microsecond(r.at)
                    .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
                    .unwrap_or_default(),
                // Emergency access to a case stands out, with its reason.
                alert: r.event.action == "case.emergency_access",
                note: if r.event.action == "case.emergency_access" {
                    serde_json::from_str::<serde_json::Value>(&r.event.detail)
                        .ok()
                        .and_then(|v| v.get("reason").and_then(|x| x.as_str()).map(str::to_string))
                        .unwrap_or_default()
                } else {
                    String::new()
                },
                actor: r.event.actor,
                credential: r.event.credential.as_str().to_string(),
                action: r.event.action,
                object: format!("{} {}", r.event.object_type, r.event.object_id),
            })
            .collect(),
        older,
    };
    render(&view)
}
