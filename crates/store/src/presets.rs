//! Revisions of an organisation's policy preset. Saving is compare-and-set
//! on the revision number: two people editing at once cannot both win.

use crate::{Db, Result, StoreError, now};
use integer_domain::org::OrgId;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub revision: i64,
    pub source: String,
    pub digest: String,
    pub created_by: String,
    pub created_at: i64,
}

/// The revision in force, if the organisation has edited its preset.
pub async fn latest(db: &mut Db, org: OrgId) -> Result<Option<Revision>> {
    let row = sqlx::query(
        "SELECT revision, source, digest, created_by, created_at FROM preset_revisions \
         WHERE org_id = $1 ORDER BY revision DESC LIMIT 1",
    )
    .bind(org.0)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Revision {
            revision: r.try_get("revision")?,
            source: r.try_get("source")?,
            digest: r.try_get("digest")?,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

/// Revision numbers, authors and times, newest first (without the text).
pub async fn history(db: &mut Db, org: OrgId) -> Result<Vec<(i64, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT revision, digest, created_by, created_at FROM preset_revisions \
         WHERE org_id = $1 ORDER BY revision DESC LIMIT 50",
    )
    .bind(org.0)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("revision")?,
                r.try_get("digest")?,
                r.try_get("created_by")?,
                r.try_get("created_at")?,
            ))
        })
        .collect()
}

/// Saves a new revision on top of `expected` (0: the bundled preset).
/// Fails with `Conflict` when someone saved another revision meanwhile.
pub async fn save(
    db: &mut Db,
    org: OrgId,
    expected: i64,
    source: &str,
    digest: &str,
    created_by: &str,
) -> Result<i64> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT MAX(revision) FROM preset_revisions WHERE org_id = $1")
            .bind(org.0)
            .fetch_one(&mut *db)
            .await?;
    if current.unwrap_or(0) != expected {
        return Err(StoreError::Conflict("preset revision changed".into()));
    }
    let revision = expected + 1;
    // The unique (org_id, revision) key settles a race between two savers.
    sqlx::query(
        "INSERT INTO preset_revisions (org_id, revision, source, digest, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org.0)
    .bind(revision)
    .bind(source)
    .bind(digest)
    .bind(created_by)
    .bind(now())
    .execute(db)
    .await?;
    Ok(revision)
}
