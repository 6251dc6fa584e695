//! Escalation: a request that waits longer than the organisation's set
//! number of days with one manager goes to that manager's manager (or, at
//! the top, to the director's queue). Run by the server now and then, and
//! by `integer escalate`; compare-and-set, so several instances may run it.

use crate::{Db, Result, audit, now};
use integer_domain::audit::Credential;
use integer_domain::declaration::Route;
use integer_domain::org::{OrgId, PersonId};
use integer_domain::policy::Approver;
use sqlx::Row;

/// One request moved on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalated {
    pub org: OrgId,
    pub declaration: i64,
    pub from: PersonId,
    pub to: Route,
}

/// Moves every overdue request one level up, in the caller's transaction.
pub async fn escalate_overdue(db: &mut Db) -> Result<Vec<Escalated>> {
    let t = now();
    let rows = sqlx::query(
        "SELECT d.id, d.org_id, d.person_id, d.route_person_id, d.version FROM declarations d \
         JOIN organisations o ON o.id = d.org_id \
         WHERE d.status = 'submitted' AND d.route_person_id IS NOT NULL \
         AND d.routed_at < $1 - o.escalation_days * 86400 ORDER BY d.id LIMIT 500",
    )
    .bind(t)
    .fetch_all(&mut *db)
    .await?;
    let mut done = Vec::new();
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let org = OrgId(r.try_get("org_id")?);
        let declarant = PersonId(r.try_get("person_id")?);
        let from = PersonId(r.try_get("route_person_id")?);
        let version: i64 = r.try_get("version")?;
        // One level up from the current approver, never to the declarant.
        let chain = crate::declarations::manager_chain(&mut *db, org, from).await?;
        let to = chain
            .into_iter()
            .find(|m| *m != declarant)
            .map(Route::Person)
            .unwrap_or(Route::Queue(Approver::Director));
        let (person, queue) = match to {
            Route::Person(p) => (Some(p.0), None),
            Route::Queue(q) => (None, Some(q.code())),
        };
        let moved = sqlx::query(
            "UPDATE declarations SET route_person_id = $1, route_queue = $2, routed_at = $3, updated_at = $3, \
             version = version + 1 WHERE id = $4 AND version = $5 AND status = 'submitted'",
        )
        .bind(person)
        .bind(queue)
        .bind(t)
        .bind(id)
        .bind(version)
        .execute(&mut *db)
        .await?;
        if moved.rows_affected() != 1 {
            continue;
        }
        sqlx::query(
            "INSERT INTO declaration_events (org_id, declaration_id, at, actor, action, detail) \
             VALUES ($1, $2, $3, 'system', 'escalated', $4)",
        )
        .bind(org.0)
        .bind(id)
        .bind(t)
        .bind(serde_json::json!({"from": from.0}).to_string())
        .execute(&mut *db)
        .await?;
        crate::declarations::notify_route(
            &mut *db,
            org,
            id,
            Some(to),
            declarant,
            "declaration.to_decide",
        )
        .await?;
        audit::append(
            &mut *db,
            &audit::event(
                Some(org.0),
                "system",
                Credential::System,
                "declaration.escalated",
                "declaration",
                id,
                serde_json::json!({"from": from.0}),
            ),
        )
        .await?;
        done.push(Escalated {
            org,
            declaration: id,
            from,
            to,
        });
    }
    Ok(done)
}
