//! Server-side sessions and sign-in throttling, both in the database so that
//! several server instances behind a load balancer share them.

use crate::{Db, Result, now, sha256_hex};
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

/// A live session as loaded for a request.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id_hash: String,
    pub org_id: OrgId,
    pub person_id: PersonId,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// When this session passed the second factor (TOTP); `None`: not.
    pub second_factor_at: Option<i64>,
}

/// Creates a session and returns the secret that goes into the cookie; only
/// its hash is stored.
pub async fn create(db: &mut Db, org: OrgId, person: PersonId) -> Result<(String, SessionRecord)> {
    let secret = crate::random_token();
    let record = SessionRecord {
        id_hash: sha256_hex(&secret),
        org_id: org,
        person_id: person,
        csrf_token: crate::random_token(),
        created_at: now(),
        last_seen_at: now(),
        second_factor_at: None,
    };
    sqlx::query(
        "INSERT INTO sessions (id_hash, org_id, person_id, csrf_token, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&record.id_hash)
    .bind(org.0)
    .bind(person.0)
    .bind(&record.csrf_token)
    .bind(record.created_at)
    .bind(record.last_seen_at)
    .execute(db)
    .await?;
    Ok((secret, record))
}

/// Loads the session for a cookie secret if it has not timed out (idle or
/// absolute); a timed-out session is removed.
pub async fn load(
    db: &mut Db,
    secret: &str,
    idle_secs: i64,
    absolute_secs: i64,
) -> Result<Option<SessionRecord>> {
    let id_hash = sha256_hex(secret);
    let row = sqlx::query(
        "SELECT id_hash, org_id, person_id, csrf_token, created_at, last_seen_at, second_factor_at \
         FROM sessions WHERE id_hash = $1",
    )
    .bind(&id_hash)
    .fetch_optional(&mut *db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let record = SessionRecord {
        id_hash: r.try_get("id_hash")?,
        org_id: OrgId(r.try_get("org_id")?),
        person_id: PersonId(r.try_get("person_id")?),
        csrf_token: r.try_get("csrf_token")?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        second_factor_at: r.try_get("second_factor_at")?,
    };
    let t = now();
    if t - record.last_seen_at > idle_secs || t - record.created_at > absolute_secs {
        delete(db, &record.id_hash).await?;
        return Ok(None);
    }
    Ok(Some(record))
}

/// Records activity, at most once a minute per session (to spare writes).
pub async fn touch(db: &mut Db, record: &SessionRecord) -> Result<()> {
    let t = now();
    if t - record.last_seen_at >= 60 {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(t)
            .bind(&record.id_hash)
            .execute(db)
            .await?;
    }
    Ok(())
}

/// Marks the session as having passed the second factor.
pub async fn mark_second_factor(db: &mut Db, id_hash: &str) -> Result<()> {
    sqlx::query("UPDATE sessions SET second_factor_at = $1 WHERE id_hash = $2")
        .bind(now())
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Takes the passed second factor from all sessions of a person (after a
/// reset): their next request asks for it again.
pub async fn clear_second_factor(db: &mut Db, org: OrgId, person: PersonId) -> Result<()> {
    sqlx::query("UPDATE sessions SET second_factor_at = NULL WHERE org_id = $1 AND person_id = $2")
        .bind(org.0)
        .bind(person.0)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete(db: &mut Db, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes sessions past their absolute time-out, old sign-in failures and
/// stale import uploads.
pub async fn purge_expired(db: &mut Db, absolute_secs: i64, window_secs: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE created_at < $1")
        .bind(now() - absolute_secs)
        .execute(&mut *db)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(now() - window_secs)
        .execute(&mut *db)
        .await?;
    // Uploaded import files hold personal data: keep an unconfirmed one a
    // day at most, and no content of applied ones.
    sqlx::query("DELETE FROM people_imports WHERE created_at < $1")
        .bind(now() - 24 * 3600)
        .execute(db)
        .await?;
    Ok(())
}

/// Sign-in failures within the window for a throttling key (an account or an
/// IP address, hashed with the installation's pepper: no address is stored).
pub async fn recent_failures(db: &mut Db, key_hash: &str, window_secs: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE key_hash = $1 AND at > $2")
            .bind(key_hash)
            .bind(now() - window_secs)
            .fetch_one(db)
            .await?,
    )
}

pub async fn record_failure(db: &mut Db, key_hash: &str) -> Result<()> {
    sqlx::query("INSERT INTO login_failures (key_hash, at) VALUES ($1, $2)")
        .bind(key_hash)
        .bind(now())
        .execute(db)
        .await?;
    Ok(())
}

pub async fn clear_failures(db: &mut Db, key_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE key_hash = $1")
        .bind(key_hash)
        .execute(db)
        .await?;
    Ok(())
}
