//! Writing and reading the audit trail. [`append`] is called inside the
//! transaction of the change it records.

use crate::{Db, Result, Store, now_micros};
use integer_domain::audit::{
    AuditEvent, AuditRow, ChainBreak, ChainVerifier, Credential, row_hash,
};
use sqlx::Row;

/// Appends an event to the chain. The `UPDATE ... RETURNING` on the chain
/// head serialises writers (a row lock on PostgreSQL; SQLite write
/// transactions are serial already), so the chain never forks.
pub async fn append(db: &mut Db, event: &AuditEvent) -> Result<i64> {
    let row = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *db)
        .await?;
    let seq: i64 = row.try_get("seq")?;
    let prev_hash: String = row.try_get("hash")?;
    let at = now_micros();
    let hash = row_hash(seq, at, event, &prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, org_id, actor, credential, action, object_type, \
         object_id, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
    )
    .bind(seq)
    .bind(at)
    .bind(event.org_id)
    .bind(&event.actor)
    .bind(event.credential.as_str())
    .bind(&event.action)
    .bind(&event.object_type)
    .bind(&event.object_id)
    .bind(&event.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *db)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *db)
        .await?;
    Ok(seq)
}

fn row_from(r: &sqlx::any::AnyRow) -> Result<AuditRow> {
    let credential: String = r.try_get("credential")?;
    Ok(AuditRow {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        event: AuditEvent {
            org_id: r.try_get("org_id")?,
            actor: r.try_get("actor")?,
            // An unknown credential cannot hash to the stored value; keep the
            // row and let the hash check name it as changed.
            credential: Credential::parse(&credential).unwrap_or(Credential::System),
            action: r.try_get("action")?,
            object_type: r.try_get("object_type")?,
            object_id: r.try_get("object_id")?,
            detail: r.try_get("detail")?,
        },
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// The result of checking the whole chain.
#[derive(Debug)]
pub struct Verification {
    pub rows_checked: u64,
    pub result: std::result::Result<(), ChainBreak>,
}

/// Checks every row in order, in pages, and the head at the end.
pub async fn verify(store: &Store) -> Result<Verification> {
    let mut tx = store.begin_read().await?;
    let mut verifier = ChainVerifier::default();
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(
            "SELECT seq, at, org_id, actor, credential, action, object_type, object_id, detail, \
             prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000",
        )
        .bind(after)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let row = row_from(r)?;
            after = row.seq;
            if let Err(e) = verifier.check(&row) {
                return Ok(Verification {
                    rows_checked: verifier.rows_checked,
                    result: Err(e),
                });
            }
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let result = verifier.finish(head.try_get("seq")?, &head.try_get::<String, _>("hash")?);
    Ok(Verification {
        rows_checked: verifier.rows_checked,
        result,
    })
}

/// The newest rows of one organisation, for the audit page.
pub async fn recent(
    db: &mut Db,
    org_id: i64,
    limit: i64,
    before_seq: Option<i64>,
) -> Result<Vec<AuditRow>> {
    let rows = sqlx::query(
        "SELECT seq, at, org_id, actor, credential, action, object_type, object_id, detail, \
         prev_hash, hash FROM audit_log WHERE org_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind(org_id)
    .bind(before_seq.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(row_from).collect()
}

/// Shorthand for building an event.
pub fn event(
    org_id: Option<i64>,
    actor: impl Into<String>,
    credential: Credential,
    action: &str,
    object_type: &str,
    object_id: impl ToString,
    detail: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        org_id,
        actor: actor.into(),
        credential,
        action: action.to_string(),
        object_type: object_type.to_string(),
        object_id: object_id.to_string(),
        detail: detail.to_string(),
    }
}
