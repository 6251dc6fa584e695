//! Personal API tokens for `/api/v1`. The token is shown once; only its
//! SHA-256 hash is stored.

use crate::{Db, Result, now, sha256_hex};
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

/// The prefix makes a leaked token recognisable to secret scanners.
pub const PREFIX: &str = "int_";

/// Creates a token and returns it in full (the only time it is known).
pub async fn create(
    db: &mut Db,
    org: OrgId,
    person: PersonId,
    name: &str,
) -> Result<(i64, String)> {
    let token = format!("{PREFIX}{}", crate::random_token());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (org_id, person_id, name, token_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org.0)
    .bind(person.0)
    .bind(name)
    .bind(sha256_hex(&token))
    .bind(now())
    .fetch_one(db)
    .await?;
    Ok((id, token))
}

/// The owner of a valid, unrevoked token.
pub async fn authenticate(db: &mut Db, token: &str) -> Result<Option<(i64, OrgId, PersonId)>> {
    let row = sqlx::query(
        "SELECT id, org_id, person_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(sha256_hex(token))
    .fetch_optional(&mut *db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let id: i64 = r.try_get("id")?;
    let last: Option<i64> = r.try_get("last_used_at")?;
    if last.is_none_or(|l| now() - l > 60) {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now())
            .bind(id)
            .execute(db)
            .await?;
    }
    Ok(Some((
        id,
        OrgId(r.try_get("org_id")?),
        PersonId(r.try_get("person_id")?),
    )))
}

pub async fn revoke(db: &mut Db, org: OrgId, id: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND org_id = $3 AND revoked_at IS NULL")
        .bind(now())
        .bind(id)
        .bind(org.0)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
