//! Requests to disclose a reporter's identity beyond the persons who
//! receive and handle the report (Wbk art. 1a; directive 2019/1937 art.
//! 16; the states are `integer_domain::disclosure`). To whom, why, the
//! legal ground, the reporter's note and why the reporter was not told
//! beforehand are sealed with the case key. Every change is
//! compare-and-set on the request's state; the caller writes the audit row
//! in the same transaction.

use crate::cases::{case_key, open, open_opt};
use crate::{Db, Result, StoreError, now};
use integer_domain::case::TeamRole;
use integer_domain::crypto::InstallationKey;
use integer_domain::disclosure::{Basis, DisclosureState, Informing};
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

/// A request as filed.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub basis: Basis,
    /// To whom, as the requester wrote it.
    pub recipient: String,
    /// The team member who would read the identity in Integer, if the
    /// recipient is one.
    pub recipient_person: Option<PersonId>,
    pub reason: String,
    /// The legal obligation (basis legal).
    pub ground: String,
}

/// A request as the team (and, in part, the reporter) reads it.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: i64,
    pub case_id: i64,
    pub basis: Basis,
    pub state: DisclosureState,
    pub requested_by: PersonId,
    pub requested_by_name: String,
    pub recipient: String,
    pub recipient_person: Option<PersonId>,
    pub reason: String,
    pub ground: Option<String>,
    pub decided_by: Option<PersonId>,
    pub decided_at: Option<i64>,
    pub asked_at: Option<i64>,
    pub answered_at: Option<i64>,
    /// What the reporter wrote with their answer.
    pub answer_note: Option<String>,
    /// When the reporter was told of a disclosure under a legal obligation.
    pub informed_at: Option<i64>,
    /// Why the reporter was not told beforehand.
    pub not_informed: Option<String>,
    pub created_at: i64,
}

fn field(what: &str, id: i64) -> String {
    format!("disclosure-{what}:{id}")
}

/// The SQL list of team roles that handle a report, from the domain's rule.
fn handler_roles() -> String {
    TeamRole::ALL
        .iter()
        .filter(|r| r.handles_report())
        .map(|r| format!("'{}'", r.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Files a request in `state` (the domain's `initial_state`).
pub async fn file(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
    by: PersonId,
    state: DisclosureState,
    new: &NewRequest,
) -> Result<i64> {
    let k = case_key(db, key, case_id).await?;
    let t = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO case_identity_requests (case_id, requested_by, reason, state, created_at, basis, \
         recipient, recipient_person, asked_at) VALUES ($1,$2,$3,$4,$5,$6,$3,$7,$8) RETURNING id",
    )
    .bind(case_id)
    .bind(by.0)
    .bind(Vec::<u8>::new())
    .bind(state.code())
    .bind(t)
    .bind(new.basis.code())
    .bind(new.recipient_person.map(|p| p.0))
    .bind((state == DisclosureState::Asked).then_some(t))
    .fetch_one(&mut *db)
    .await?;
    let ground = new.ground.trim();
    sqlx::query(
        "UPDATE case_identity_requests SET reason = $1, recipient = $2, ground = $3 WHERE id = $4",
    )
    .bind(k.seal_str(case_id, &field("reason", id), &new.reason))
    .bind(k.seal_str(case_id, &field("recipient", id), &new.recipient))
    .bind((!ground.is_empty()).then(|| k.seal_str(case_id, &field("ground", id), ground)))
    .bind(id)
    .execute(&mut *db)
    .await?;
    crate::cases::touch(db, case_id).await?;
    Ok(id)
}

/// A handler's decision on a pending request (compare-and-set: still
/// pending, and never by the one who asked). `informing` goes with a
/// confirmed legal obligation.
pub async fn decide(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
    request: i64,
    by: PersonId,
    to: DisclosureState,
    informing: Option<&Informing>,
) -> Result<()> {
    let k = case_key(db, key, case_id).await?;
    let t = now();
    let (informed_at, not_informed) = match informing {
        Some(Informing::Beforehand { .. }) => (Some(t), None),
        Some(Informing::NotBeforehand { why }) => (
            None,
            Some(k.seal_str(case_id, &field("not-informed", request), why)),
        ),
        None => (None, None),
    };
    let done = sqlx::query(
        "UPDATE case_identity_requests SET state = $1, decided_by = $2, decided_at = $3, \
         asked_at = CASE WHEN $1 = 'asked' THEN $3 ELSE asked_at END, \
         informed_at = $4, not_informed = $5 \
         WHERE id = $6 AND case_id = $7 AND state = 'pending' AND requested_by <> $2",
    )
    .bind(to.code())
    .bind(by.0)
    .bind(t)
    .bind(informed_at)
    .bind(not_informed)
    .bind(request)
    .bind(case_id)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("disclosure request changed".into()));
    }
    crate::cases::touch(db, case_id).await
}

/// The reporter's written answer to a request put to them
/// (compare-and-set: still asked).
pub async fn answer(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
    request: i64,
    to: DisclosureState,
    note: &str,
) -> Result<()> {
    let k = case_key(db, key, case_id).await?;
    let note = note.trim();
    let done = sqlx::query(
        "UPDATE case_identity_requests SET state = $1, answered_at = $2, answer_note = $3 \
         WHERE id = $4 AND case_id = $5 AND state = 'asked'",
    )
    .bind(to.code())
    .bind(now())
    .bind((!note.is_empty()).then(|| k.seal_str(case_id, &field("note", request), note)))
    .bind(request)
    .bind(case_id)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("disclosure request changed".into()));
    }
    crate::cases::touch(db, case_id).await
}

/// Records that the reporter was told afterwards of a disclosure under a
/// legal obligation that they were not told of beforehand.
pub async fn informed_later(db: &mut Db, case_id: i64, request: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE case_identity_requests SET informed_at = $1 \
         WHERE id = $2 AND case_id = $3 AND state = 'legal' AND informed_at IS NULL",
    )
    .bind(now())
    .bind(request)
    .bind(case_id)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("disclosure request changed".into()));
    }
    crate::cases::touch(db, case_id).await
}

const COLUMNS: &str = "r.id, r.case_id, r.basis, r.state, r.requested_by, p.name AS requested_by_name, \
    r.recipient, r.recipient_person, r.reason, r.ground, r.decided_by, r.decided_at, r.asked_at, \
    r.answered_at, r.answer_note, r.informed_at, r.not_informed, r.created_at";

fn bad(what: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!(
        "unknown code in case_identity_requests.{what}"
    ))
}

/// The requests of a case, oldest first, opened.
pub async fn list(db: &mut Db, key: &InstallationKey, case_id: i64) -> Result<Vec<Request>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM case_identity_requests r JOIN people p ON p.id = r.requested_by \
         WHERE r.case_id = $1 ORDER BY r.id"
    )))
    .bind(case_id)
    .fetch_all(&mut *db)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let k = case_key(db, key, case_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let recipient: Option<Vec<u8>> = r.try_get("recipient")?;
        // Requests from before the Wbk flow have no recipient: the one who
        // asked was it, and their reason was sealed under the old name.
        let (recipient, reason_field) = match recipient {
            Some(sealed) => (
                open(&k, case_id, &field("recipient", id), &sealed)?,
                field("reason", id),
            ),
            None => (String::new(), "identity_request".to_string()),
        };
        out.push(Request {
            id,
            case_id,
            basis: Basis::from_code(&r.try_get::<String, _>("basis")?)
                .ok_or_else(|| bad("basis"))?,
            state: DisclosureState::from_code(&r.try_get::<String, _>("state")?)
                .ok_or_else(|| bad("state"))?,
            requested_by: PersonId(r.try_get("requested_by")?),
            requested_by_name: r.try_get("requested_by_name")?,
            recipient,
            recipient_person: r
                .try_get::<Option<i64>, _>("recipient_person")?
                .map(PersonId),
            reason: open(
                &k,
                case_id,
                &reason_field,
                &r.try_get::<Vec<u8>, _>("reason")?,
            )?,
            ground: open_opt(&k, case_id, &field("ground", id), r.try_get("ground")?)?,
            decided_by: r.try_get::<Option<i64>, _>("decided_by")?.map(PersonId),
            decided_at: r.try_get("decided_at")?,
            asked_at: r.try_get("asked_at")?,
            answered_at: r.try_get("answered_at")?,
            answer_note: open_opt(&k, case_id, &field("note", id), r.try_get("answer_note")?)?,
            informed_at: r.try_get("informed_at")?,
            not_informed: open_opt(
                &k,
                case_id,
                &field("not-informed", id),
                r.try_get("not_informed")?,
            )?,
            created_at: r.try_get("created_at")?,
        });
    }
    Ok(out)
}

/// One request of a case.
pub async fn get(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
    request: i64,
) -> Result<Option<Request>> {
    Ok(list(db, key, case_id)
        .await?
        .into_iter()
        .find(|r| r.id == request))
}

/// Whether a consented or legal disclosure names `person` as the one who
/// may read the identity in Integer.
pub async fn disclosed_to(db: &mut Db, case_id: i64, person: PersonId) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM case_identity_requests WHERE case_id = $1 AND recipient_person = $2 \
         AND state IN ('consented', 'legal')",
    )
    .bind(case_id)
    .bind(person.0)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Who may decide a pending request of the case: its handlers, except the
/// one who asked. They are the ones notified.
pub async fn deciders(db: &mut Db, case_id: i64, requester: PersonId) -> Result<Vec<PersonId>> {
    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT person_id FROM case_team WHERE case_id = $1 AND person_id <> $2 \
         AND role IN ({}) ORDER BY person_id",
        handler_roles()
    )))
    .bind(case_id)
    .bind(requester.0)
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(PersonId).collect())
}

/// Requests waiting for `person`'s decision: pending, on a case they
/// handle, not their own. As (case id, case number, request id).
pub async fn pending_for(
    db: &mut Db,
    org: OrgId,
    person: PersonId,
) -> Result<Vec<(i64, String, i64)>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.id, c.number, r.id AS request FROM case_identity_requests r \
         JOIN cases c ON c.id = r.case_id \
         JOIN case_team t ON t.case_id = c.id AND t.person_id = $2 AND t.role IN ({}) \
         WHERE c.org_id = $1 AND r.state = 'pending' AND r.requested_by <> $2 ORDER BY r.id",
        handler_roles()
    )))
    .bind(org.0)
    .bind(person.0)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("number")?,
                r.try_get("request")?,
            ))
        })
        .collect()
}
