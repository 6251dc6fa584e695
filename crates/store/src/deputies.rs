//! Deputies: while a manager is away, a colleague decides in their place.
//! The request stays routed to the manager; the deputy sees it too.

use crate::{Db, Result, now};
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Deputy {
    pub id: i64,
    pub manager_id: PersonId,
    pub deputy_id: PersonId,
    pub deputy_name: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

pub async fn add(
    db: &mut Db,
    org: OrgId,
    manager: PersonId,
    deputy: PersonId,
    starts_at: i64,
    ends_at: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO deputies (org_id, manager_id, deputy_id, starts_at, ends_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org.0)
    .bind(manager.0)
    .bind(deputy.0)
    .bind(starts_at)
    .bind(ends_at)
    .bind(now())
    .fetch_one(db)
    .await?)
}

/// Ends an arrangement early (only the manager's own).
pub async fn end(db: &mut Db, org: OrgId, manager: PersonId, id: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE deputies SET ends_at = $1 WHERE id = $2 AND org_id = $3 AND manager_id = $4 AND ends_at > $1")
        .bind(now())
        .bind(id)
        .bind(org.0)
        .bind(manager.0)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The arrangements of a manager that have not ended.
pub async fn of_manager(db: &mut Db, org: OrgId, manager: PersonId) -> Result<Vec<Deputy>> {
    let rows = sqlx::query(
        "SELECT d.id, d.manager_id, d.deputy_id, p.name AS deputy_name, d.starts_at, d.ends_at \
         FROM deputies d JOIN people p ON p.id = d.deputy_id \
         WHERE d.org_id = $1 AND d.manager_id = $2 AND d.ends_at > $3 ORDER BY d.starts_at",
    )
    .bind(org.0)
    .bind(manager.0)
    .bind(now())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Deputy {
                id: r.try_get("id")?,
                manager_id: PersonId(r.try_get("manager_id")?),
                deputy_id: PersonId(r.try_get("deputy_id")?),
                deputy_name: r.try_get("deputy_name")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
            })
        })
        .collect()
}

/// The managers the person stands in for right now.
pub async fn standing_in_for(db: &mut Db, org: OrgId, deputy: PersonId) -> Result<Vec<PersonId>> {
    let t = now();
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT manager_id FROM deputies WHERE org_id = $1 AND deputy_id = $2 AND starts_at <= $3 AND ends_at > $3",
    )
    .bind(org.0)
    .bind(deputy.0)
    .bind(t)
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(PersonId).collect())
}
