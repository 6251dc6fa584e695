//! Corrections the reporter proposes to the minutes of an oral report
//! before confirming them (directive 2019/1937 art. 18 lid 2 to 4), and
//! the handler's answer. The minutes are the case's `body`; an accepted
//! correction replaces them and keeps the text as it was before, so that
//! every version stays on record. Proposal, answer and earlier minutes are
//! sealed with the case key. The caller writes the audit row in the same
//! transaction.

use crate::cases::{case_key, open, open_opt};
use crate::{Db, Result, StoreError, now};
use integer_domain::case::CorrectionState;
use integer_domain::crypto::InstallationKey;
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct Correction {
    pub id: i64,
    pub proposal: String,
    pub proposed_at: i64,
    pub state: CorrectionState,
    /// The minutes before an accepted correction replaced them.
    pub minutes_before: Option<String>,
    /// The handler's answer to the reporter.
    pub answer: Option<String>,
    pub answered_by: Option<PersonId>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<i64>,
}

fn field(what: &str, id: i64) -> String {
    format!("minutes-{what}:{id}")
}

/// The reporter proposes a correction: only to minutes (a report staff
/// entered), not yet confirmed, and with no other proposal waiting.
pub async fn propose(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
    proposal: &str,
) -> Result<i64> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO case_minutes_corrections (case_id, proposal, proposed_at, state) \
         SELECT id, $1, $2, 'pending' FROM cases WHERE id = $3 AND org_id = $4 \
         AND created_by IS NOT NULL AND minutes_confirmed_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM case_minutes_corrections m \
         WHERE m.case_id = $3 AND m.state = 'pending') RETURNING id",
    )
    .bind(Vec::<u8>::new())
    .bind(now())
    .bind(case_id)
    .bind(org.0)
    .fetch_optional(&mut *db)
    .await?;
    let id = id.ok_or_else(|| StoreError::Conflict("minutes cannot be corrected now".into()))?;
    let k = case_key(db, key, case_id).await?;
    sqlx::query("UPDATE case_minutes_corrections SET proposal = $1 WHERE id = $2")
        .bind(k.seal_str(case_id, &field("proposal", id), proposal))
        .bind(id)
        .execute(&mut *db)
        .await?;
    crate::cases::touch(db, case_id).await?;
    Ok(id)
}

/// A handler answers a pending correction. Accepted: `minutes` become the
/// case's minutes (compare-and-set on the case's version). Either way the
/// answer goes to the reporter.
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
    correction: i64,
    expected_version: i64,
    minutes: Option<&str>,
    answer: &str,
    by: PersonId,
) -> Result<()> {
    let k = case_key(db, key, case_id).await?;
    let t = now();
    let before = match minutes {
        Some(new_minutes) => {
            let row = sqlx::query(
                "SELECT body FROM cases WHERE id = $1 AND org_id = $2 AND created_by IS NOT NULL \
                 AND minutes_confirmed_at IS NULL",
            )
            .bind(case_id)
            .bind(org.0)
            .fetch_optional(&mut *db)
            .await?
            .ok_or_else(|| StoreError::Conflict("minutes confirmed".into()))?;
            let before = open(&k, case_id, "body", &row.try_get::<Vec<u8>, _>("body")?)?;
            let done = sqlx::query(
                "UPDATE cases SET body = $1, updated_at = $2, version = version + 1 \
                 WHERE id = $3 AND org_id = $4 AND version = $5",
            )
            .bind(k.seal_str(case_id, "body", new_minutes))
            .bind(t)
            .bind(case_id)
            .bind(org.0)
            .bind(expected_version)
            .execute(&mut *db)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict("case changed".into()));
            }
            Some(k.seal_str(case_id, &field("before", correction), &before))
        }
        None => None,
    };
    let state = if minutes.is_some() {
        CorrectionState::Accepted
    } else {
        CorrectionState::Rejected
    };
    let done = sqlx::query(
        "UPDATE case_minutes_corrections SET state = $1, minutes_before = $2, answer = $3, \
         answered_by = $4, answered_at = $5 WHERE id = $6 AND case_id = $7 AND state = 'pending'",
    )
    .bind(state.code())
    .bind(before)
    .bind(k.seal_str(case_id, &field("answer", correction), answer))
    .bind(by.0)
    .bind(t)
    .bind(correction)
    .bind(case_id)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("correction changed".into()));
    }
    crate::cases::touch(db, case_id).await
}

/// The corrections of a case, oldest first, opened.
pub async fn list(db: &mut Db, key: &InstallationKey, case_id: i64) -> Result<Vec<Correction>> {
    let rows = sqlx::query(
        "SELECT m.id, m.proposal, m.proposed_at, m.state, m.minutes_before, m.answer, m.answered_by, \
         p.name AS answered_by_name, m.answered_at FROM case_minutes_corrections m \
         LEFT JOIN people p ON p.id = m.answered_by WHERE m.case_id = $1 ORDER BY m.id",
    )
    .bind(case_id)
    .fetch_all(&mut *db)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let k = case_key(db, key, case_id).await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(Correction {
                id,
                proposal: open(
                    &k,
                    case_id,
                    &field("proposal", id),
                    &r.try_get::<Vec<u8>, _>("proposal")?,
                )?,
                proposed_at: r.try_get("proposed_at")?,
                state: CorrectionState::from_code(&r.try_get::<String, _>("state")?).ok_or_else(
                    || StoreError::Other(anyhow::anyhow!("unknown correction state")),
                )?,
                minutes_before: open_opt(
                    &k,
                    case_id,
                    &field("before", id),
                    r.try_get("minutes_before")?,
                )?,
                answer: open_opt(&k, case_id, &field("answer", id), r.try_get("answer")?)?,
                answered_by: r.try_get::<Option<i64>, _>("answered_by")?.map(PersonId),
                answered_by_name: r.try_get("answered_by_name")?,
                answered_at: r.try_get("answered_at")?,
            })
        })
        .collect()
}

/// Whether a proposal waits for a handler's answer.
pub async fn pending(db: &mut Db, case_id: i64) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM case_minutes_corrections WHERE case_id = $1 AND state = 'pending'",
    )
    .bind(case_id)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}
