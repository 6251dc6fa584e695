//! The second factor (TOTP) of a person: the shared secret, when enrolment
//! was confirmed, and the last accepted time step (a code works once).
//! Checking codes is `integer_domain::totp`; whether a session has passed
//! the second factor is in [`crate::sessions`].
//!
//! The secret is stored as is for now. The lead may wrap it with the
//! installation key (authenticated encryption, the person id as associated
//! data) like other encrypted records; only this module reads or writes it.

use crate::{Db, Result, now};
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

/// A person's second factor as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SecondFactor {
    pub secret: Vec<u8>,
    pub created_at: i64,
    /// `None` while enrolment waits for the first correct code.
    pub enrolled_at: Option<i64>,
    /// The last accepted time step.
    pub last_step: Option<i64>,
}

impl SecondFactor {
    pub fn is_enrolled(&self) -> bool {
        self.enrolled_at.is_some()
    }
}

/// Never prints the secret.
impl std::fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondFactor")
            .field("secret", &"<hidden>")
            .field("created_at", &self.created_at)
            .field("enrolled_at", &self.enrolled_at)
            .field("last_step", &self.last_step)
            .finish()
    }
}

pub async fn get(db: &mut Db, org: OrgId, person: PersonId) -> Result<Option<SecondFactor>> {
    let row = sqlx::query(
        "SELECT secret, created_at, enrolled_at, last_step FROM person_totp \
         WHERE org_id = $1 AND person_id = $2",
    )
    .bind(org.0)
    .bind(person.0)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(SecondFactor {
        secret: r.try_get("secret")?,
        created_at: r.try_get("created_at")?,
        enrolled_at: r.try_get("enrolled_at")?,
        last_step: r.try_get("last_step")?,
    }))
}

/// Whether the person has a confirmed second factor.
pub async fn is_enrolled(db: &mut Db, org: OrgId, person: PersonId) -> Result<bool> {
    Ok(get(db, org, person).await?.is_some_and(|f| f.is_enrolled()))
}

/// The secret to enrol with: the one already waiting for confirmation (so
/// that reloading the page does not change what the app has scanned), else
/// `new_secret`, stored now. Call in a write transaction.
pub async fn start_enrolment(
    db: &mut Db,
    org: OrgId,
    person: PersonId,
    new_secret: &[u8],
) -> Result<SecondFactor> {
    sqlx::query(
        "INSERT INTO person_totp (person_id, org_id, secret, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (person_id) DO NOTHING",
    )
    .bind(person.0)
    .bind(org.0)
    .bind(new_secret)
    .bind(now())
    .execute(&mut *db)
    .await?;
    get(db, org, person)
        .await?
        .ok_or(crate::StoreError::NotFound)
}

/// Confirms enrolment with the first correct code's step. False when
/// already enrolled (another tab was first) or the step is not newer than
/// the last accepted one.
pub async fn confirm_enrolment(
    db: &mut Db,
    org: OrgId,
    person: PersonId,
    step: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE person_totp SET enrolled_at = $1, last_step = $2 \
         WHERE org_id = $3 AND person_id = $4 AND enrolled_at IS NULL \
         AND (last_step IS NULL OR last_step < $2)",
    )
    .bind(now())
    .bind(step)
    .bind(org.0)
    .bind(person.0)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records an accepted code's step, compare-and-set: false when this step
/// or a later one was accepted already (a replayed code, or two tabs).
pub async fn accept_step(db: &mut Db, org: OrgId, person: PersonId, step: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE person_totp SET last_step = $1 \
         WHERE org_id = $2 AND person_id = $3 AND enrolled_at IS NOT NULL \
         AND (last_step IS NULL OR last_step < $1)",
    )
    .bind(step)
    .bind(org.0)
    .bind(person.0)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the person's second factor (an administrator's reset) and takes
/// the passed second factor from their sessions, so that they enrol again
/// before their next page. Returns whether there was one.
pub async fn reset(db: &mut Db, org: OrgId, person: PersonId) -> Result<bool> {
    let removed = sqlx::query("DELETE FROM person_totp WHERE org_id = $1 AND person_id = $2")
        .bind(org.0)
        .bind(person.0)
        .execute(&mut *db)
        .await?;
    crate::sessions::clear_second_factor(db, org, person).await?;
    Ok(removed.rows_affected() > 0)
}
