//! The public register of side activities: which declarations appear, what
//! of them appears, and the person's consent before anything is published.
//!
//! An entry appears when the policy engine gave the side activity the
//! `publish` obligation (the preset decides who is designated: top
//! officials, salary scale 14 and up, ...), it was approved or registered,
//! and the person agreed to exactly what will be shown.

use crate::{Db, Result, StoreError, now};
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

/// Statuses whose side activities may be public.
pub const PUBLIC_STATUSES: [&str; 3] = ["approved", "approved_with_conditions", "registered"];

/// Whether a declaration belongs in the public register once consented.
pub fn publishable(kind: &str, status: &str, obligations: &[String]) -> bool {
    kind == "side_activity"
        && PUBLIC_STATUSES.contains(&status)
        && obligations.iter().any(|o| o == "publish")
}

/// One line of the public register: only what may be public.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicEntry {
    /// `None` when the organisation does not publish names.
    pub name: Option<String>,
    pub function_title: Option<String>,
    pub activity: String,
    pub organisation: Option<String>,
    pub paid: bool,
    pub conditions: Option<String>,
    /// `YYYY-MM-DD`
    pub approved_on: String,
    /// `YYYY-MM-DD`: the last confirmation, else the approval.
    pub reviewed_on: String,
}

/// A Unix time as its UTC date, `YYYY-MM-DD`.
pub fn day(ts: i64) -> String {
    jiff::Timestamp::from_second(ts)
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date()
                .to_string()
        })
        .unwrap_or_default()
}

/// Builds the public entry for a declaration (also for the preview the
/// person sees before consenting).
#[allow(clippy::too_many_arguments)]
pub fn entry(
    publish_names: bool,
    name: &str,
    function_title: Option<&str>,
    description: &str,
    third_party: Option<&str>,
    answers: &str,
    conditions: Option<&str>,
    approved_at: i64,
    reviewed_at: Option<i64>,
) -> PublicEntry {
    let paid = serde_json::from_str::<serde_json::Value>(answers)
        .ok()
        .and_then(|v| v.get("paid").and_then(|p| p.as_bool()))
        .unwrap_or(false);
    PublicEntry {
        name: publish_names.then(|| name.to_string()),
        function_title: function_title.map(str::to_string),
        activity: description.to_string(),
        organisation: third_party.map(str::to_string),
        paid,
        conditions: conditions.map(str::to_string),
        approved_on: day(approved_at),
        reviewed_on: day(reviewed_at.unwrap_or(approved_at)),
    }
}

/// The organisation's publication settings: (publish names, escalation days).
pub async fn settings(db: &mut Db, org: OrgId) -> Result<(bool, i64)> {
    let row = sqlx::query("SELECT publish_names, escalation_days FROM organisations WHERE id = $1")
        .bind(org.0)
        .fetch_one(db)
        .await?;
    Ok((
        row.try_get::<i64, _>("publish_names")? != 0,
        row.try_get("escalation_days")?,
    ))
}

pub async fn set_settings(
    db: &mut Db,
    org: OrgId,
    publish_names: bool,
    escalation_days: i64,
) -> Result<()> {
    sqlx::query("UPDATE organisations SET publish_names = $1, escalation_days = $2 WHERE id = $3")
        .bind(crate::flag(publish_names))
        .bind(escalation_days)
        .bind(org.0)
        .execute(db)
        .await?;
    Ok(())
}

/// The person agrees to publication (compare-and-set on the version).
pub async fn consent(
    db: &mut Db,
    org: OrgId,
    id: i64,
    person: PersonId,
    expected_version: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE declarations SET published_at = $1, updated_at = $1, version = version + 1 \
         WHERE id = $2 AND org_id = $3 AND person_id = $4 AND version = $5 AND published_at IS NULL \
         AND kind = 'side_activity' AND status IN ('approved', 'approved_with_conditions', 'registered')",
    )
    .bind(now())
    .bind(id)
    .bind(org.0)
    .bind(person.0)
    .bind(expected_version)
    .execute(db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("declaration changed".into()));
    }
    Ok(())
}

/// The published register of an organisation, by name, and when it last
/// changed.
pub async fn register(db: &mut Db, org: OrgId) -> Result<(Vec<PublicEntry>, Option<String>)> {
    let (publish_names, _) = settings(db, org).await?;
    let rows = sqlx::query(
        "SELECT p.name, p.function_title, d.description, d.third_party, d.answers, d.conditions, \
         d.obligations, d.status, d.kind, COALESCE(d.decided_at, d.created_at) AS approved_at, d.reviewed_at, \
         d.published_at \
         FROM declarations d JOIN people p ON p.id = d.person_id \
         WHERE d.org_id = $1 AND d.kind = 'side_activity' AND d.published_at IS NOT NULL \
         AND d.status IN ('approved', 'approved_with_conditions', 'registered') \
         ORDER BY p.name, d.id",
    )
    .bind(org.0)
    .fetch_all(db)
    .await?;
    let mut entries = Vec::new();
    let mut last: Option<i64> = None;
    for r in rows {
        let obligations: String = r.try_get("obligations")?;
        let obligations: Vec<String> = obligations.split_whitespace().map(str::to_string).collect();
        let kind: String = r.try_get("kind")?;
        let status: String = r.try_get("status")?;
        if !publishable(&kind, &status, &obligations) {
            continue;
        }
        let approved_at: i64 = r.try_get("approved_at")?;
        let reviewed_at: Option<i64> = r.try_get("reviewed_at")?;
        let published_at: i64 = r.try_get("published_at")?;
        last = Some(
            last.unwrap_or(0)
                .max(published_at)
                .max(reviewed_at.unwrap_or(0))
                .max(approved_at),
        );
        let name: String = r.try_get("name")?;
        let title: Option<String> = r.try_get("function_title")?;
        let description: String = r.try_get("description")?;
        let third: Option<String> = r.try_get("third_party")?;
        let answers: String = r.try_get("answers")?;
        let conditions: Option<String> = r.try_get("conditions")?;
        entries.push(entry(
            publish_names,
            &name,
            title.as_deref(),
            &description,
            third.as_deref(),
            &answers,
            conditions.as_deref(),
            approved_at,
            reviewed_at,
        ));
    }
    Ok((entries, last.map(day)))
}

/// When a declaration was published (its consent), if it was.
pub async fn published_at(db: &mut Db, org: OrgId, id: i64) -> Result<Option<i64>> {
    let v: Option<Option<i64>> =
        sqlx::query_scalar("SELECT published_at FROM declarations WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org.0)
            .fetch_optional(db)
            .await?;
    Ok(v.flatten())
}
