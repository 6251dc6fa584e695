//! In-app notifications: what a person is told (a request waits, a decision
//! was taken, the yearly check started). The same rows feed the e-mail
//! outbox (`mail_outbox`).

use crate::{Db, Result, now};
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Notification {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub declaration_id: Option<i64>,
    pub read: bool,
}

/// The newest notifications of a person.
pub async fn of_person(
    db: &mut Db,
    org: OrgId,
    person: PersonId,
    limit: i64,
) -> Result<Vec<Notification>> {
    let rows = sqlx::query(
        "SELECT id, at, kind, declaration_id, read_at FROM notifications \
         WHERE org_id = $1 AND person_id = $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(org.0)
    .bind(person.0)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Notification {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                kind: r.try_get("kind")?,
                declaration_id: r.try_get("declaration_id")?,
                read: r.try_get::<Option<i64>, _>("read_at")?.is_some(),
            })
        })
        .collect()
}

/// How many notifications the person has not read.
pub async fn unread(db: &mut Db, org: OrgId, person: PersonId) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE org_id = $1 AND person_id = $2 AND read_at IS NULL",
    )
    .bind(org.0)
    .bind(person.0)
    .fetch_one(db)
    .await?)
}

/// Marks all of the person's notifications read.
pub async fn mark_all_read(db: &mut Db, org: OrgId, person: PersonId) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE org_id = $2 AND person_id = $3 AND read_at IS NULL",
    )
    .bind(now())
    .bind(org.0)
    .bind(person.0)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// How many notifications wait for their e-mail (for monitoring).
pub async fn mail_backlog(db: &mut Db) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE mailed_at IS NULL AND mail_gave_up_at IS NULL",
    )
    .fetch_one(&mut *db)
    .await?)
}
