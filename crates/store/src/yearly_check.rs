//! The yearly check (*jaarlijkse actualisatie*): a campaign per organisation
//! and year; each person confirms their side activities and interests are
//! still correct, or states they have none; the result is kept per year.

use crate::{Db, Result, StoreError, now};
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Campaign {
    pub id: i64,
    pub year: i64,
    pub started_at: i64,
}

/// What the yearly check is about.
pub const KINDS: [&str; 2] = ["side_activity", "financial_interest"];

/// Starts the campaign of `year` and tells everyone; one per year.
pub async fn start(db: &mut Db, org: OrgId, year: i64, by: PersonId) -> Result<i64> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM check_campaigns WHERE org_id = $1 AND year = $2")
            .bind(org.0)
            .bind(year)
            .fetch_optional(&mut *db)
            .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict("campaign exists".into()));
    }
    let t = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO check_campaigns (org_id, year, started_by, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(org.0)
    .bind(year)
    .bind(by.0)
    .bind(t)
    .fetch_one(&mut *db)
    .await?;
    sqlx::query(
        "INSERT INTO notifications (org_id, person_id, at, kind) \
         SELECT org_id, id, $2, 'check.started' FROM people WHERE org_id = $1",
    )
    .bind(org.0)
    .bind(t)
    .execute(db)
    .await?;
    Ok(id)
}

/// The newest campaign of the organisation.
pub async fn current(db: &mut Db, org: OrgId) -> Result<Option<Campaign>> {
    let row = sqlx::query("SELECT id, year, started_at FROM check_campaigns WHERE org_id = $1 ORDER BY year DESC LIMIT 1")
        .bind(org.0)
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        Ok(Campaign {
            id: r.try_get("id")?,
            year: r.try_get("year")?,
            started_at: r.try_get("started_at")?,
        })
    })
    .transpose()
}

/// The person's answer in a campaign, if any.
pub async fn response_of(db: &mut Db, campaign: i64, person: PersonId) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT response FROM check_responses WHERE campaign_id = $1 AND person_id = $2",
    )
    .bind(campaign)
    .bind(person.0)
    .fetch_optional(db)
    .await?)
}

/// How many of the person's side activities and interests are in force.
pub async fn active_count(db: &mut Db, org: OrgId, person: PersonId) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM declarations WHERE org_id = $1 AND person_id = $2 \
         AND kind IN ('side_activity', 'financial_interest') \
         AND status IN ('submitted', 'info_requested', 'approved', 'approved_with_conditions', 'registered')",
    )
    .bind(org.0)
    .bind(person.0)
    .fetch_one(db)
    .await?)
}

/// Records the answer (once per campaign): "confirmed" also marks the
/// person's side activities and interests as reviewed now.
pub async fn respond(
    db: &mut Db,
    org: OrgId,
    campaign: i64,
    person: PersonId,
    response: &str,
) -> Result<()> {
    let t = now();
    let done = sqlx::query(
        "INSERT INTO check_responses (campaign_id, org_id, person_id, response, responded_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (campaign_id, person_id) DO NOTHING",
    )
    .bind(campaign)
    .bind(org.0)
    .bind(person.0)
    .bind(response)
    .bind(t)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("already answered".into()));
    }
    if response == "confirmed" {
        sqlx::query(
            "UPDATE declarations SET reviewed_at = $1 WHERE org_id = $2 AND person_id = $3 \
             AND kind IN ('side_activity', 'financial_interest') \
             AND status IN ('approved', 'approved_with_conditions', 'registered')",
        )
        .bind(t)
        .bind(org.0)
        .bind(person.0)
        .execute(db)
        .await?;
    }
    Ok(())
}

/// Progress per unit: (unit name, people, answered).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitProgress {
    pub unit: Option<String>,
    pub people: i64,
    pub answered: i64,
}

pub async fn progress(db: &mut Db, org: OrgId, campaign: i64) -> Result<Vec<UnitProgress>> {
    let rows = sqlx::query(
        "SELECT u.name AS unit, COUNT(p.id) AS people, COUNT(r.person_id) AS answered \
         FROM people p LEFT JOIN units u ON u.id = p.unit_id \
         LEFT JOIN check_responses r ON r.person_id = p.id AND r.campaign_id = $2 \
         WHERE p.org_id = $1 GROUP BY u.id, u.name ORDER BY u.name",
    )
    .bind(org.0)
    .bind(campaign)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(UnitProgress {
                unit: r.try_get("unit")?,
                people: r.try_get("people")?,
                answered: r.try_get("answered")?,
            })
        })
        .collect()
}

/// Reminds everyone who has not answered; returns how many.
pub async fn remind(db: &mut Db, org: OrgId, campaign: i64) -> Result<u64> {
    let done = sqlx::query(
        "INSERT INTO notifications (org_id, person_id, at, kind) \
         SELECT p.org_id, p.id, $3, 'check.reminder' FROM people p WHERE p.org_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM check_responses r WHERE r.campaign_id = $2 AND r.person_id = p.id)",
    )
    .bind(org.0)
    .bind(campaign)
    .bind(now())
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Every year's result: (year, people now, answered, answered "none").
pub async fn history(db: &mut Db, org: OrgId) -> Result<Vec<(i64, i64, i64, i64)>> {
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE org_id = $1")
        .bind(org.0)
        .fetch_one(&mut *db)
        .await?;
    let rows = sqlx::query(
        "SELECT c.year, COUNT(r.person_id) AS answered, \
         SUM(CASE WHEN r.response = 'none' THEN 1 ELSE 0 END) AS nil_returns \
         FROM check_campaigns c LEFT JOIN check_responses r ON r.campaign_id = c.id \
         WHERE c.org_id = $1 GROUP BY c.id, c.year ORDER BY c.year DESC",
    )
    .bind(org.0)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let nil: Option<i64> = r.try_get("nil_returns")?;
            Ok((
                r.try_get("year")?,
                people,
                r.try_get("answered")?,
                nil.unwrap_or(0),
            ))
        })
        .collect()
}
