//! Writing and reading the audit trail. [`append`] is called inside the
//! transaction of the change it records.
//!
//! Rows are hashed with the process's audit key ([`set_key`]), which the
//! `integer` binary loads from outside the database before it opens the
//! store; tests use [`use_test_key`]. Without a key nothing is
//! appended: a row hashed with a made-up key would look tampered with later.

use crate::{Backend, Db, Result, Store, StoreError, now_micros};
use integer_domain::audit::{
    AuditEvent, AuditKey, AuditRow, ChainBreak, ChainHash, ChainVerifier, Checkpoint, Credential,
    row_hash,
};
use sqlx::Row;
use std::sync::OnceLock;

static KEY: OnceLock<AuditKey> = OnceLock::new();

/// Sets the process's audit key, once. Setting another key later is an
/// error (one process, one chain key).
pub fn set_key(key: AuditKey) -> anyhow::Result<()> {
    let set = KEY.get_or_init(|| key.clone());
    anyhow::ensure!(
        *set == key,
        "another audit key is already in use in this process"
    );
    Ok(())
}

/// The audit key of test processes: one known key, so that a test can
/// write with the store into a database that the `integer` binary (given
/// the same key, `INTEGER__SECURITY__AUDIT_KEY`) also writes. Never used
/// outside tests.
pub const TEST_KEY_HEX: &str = "746573742d61756469742d6b65792d6f662d696e74656765722d746573747321";

/// Sets [`TEST_KEY_HEX`] as this process's audit key, unless one is set.
pub fn use_test_key() {
    KEY.get_or_init(|| AuditKey::parse(TEST_KEY_HEX).expect("a valid key"));
}

/// The process's audit key, if one is set.
pub fn key() -> Option<&'static AuditKey> {
    KEY.get()
}

fn required_key() -> Result<&'static AuditKey> {
    KEY.get().ok_or_else(|| {
        StoreError::Other(anyhow::anyhow!(
            "no audit key: the audit trail cannot be written (set security.audit_key_file)"
        ))
    })
}

/// Appends an event to the chain. The `UPDATE ... RETURNING` on the chain
/// head serialises writers (a row lock on PostgreSQL; SQLite write
/// transactions are serial already), so the chain never forks.
pub async fn append(db: &mut Db, event: &AuditEvent) -> Result<i64> {
    let key = required_key()?;
    let row =
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash, keyed")
            .fetch_one(&mut *db)
            .await?;
    let seq: i64 = row.try_get("seq")?;
    let prev_hash: String = row.try_get("hash")?;
    let keyed: i64 = row.try_get("keyed")?;
    if keyed != 1 {
        return Err(StoreError::Other(anyhow::anyhow!(
            "the audit chain of this database is not keyed yet (start Integer with its audit key)"
        )));
    }
    let at = now_micros();
    let hash = row_hash(key, seq, at, event, &prev_hash);
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

/// Whether the chain is keyed (false for a database from before the audit
/// key, also one whose schema was not migrated yet).
pub async fn is_keyed(store: &Store) -> Result<bool> {
    let versions = crate::migrate::applied_versions(store)
        .await
        .map_err(StoreError::Other)?;
    if !versions.contains(&KEYED_MIGRATION) {
        return Ok(false);
    }
    let keyed: i64 = sqlx::query_scalar("SELECT keyed FROM audit_head WHERE id = 1")
        .fetch_one(store.pool())
        .await?;
    Ok(keyed == 1)
}

/// Whether the chain holds any row.
pub async fn has_rows(store: &Store) -> Result<bool> {
    let versions = crate::migrate::applied_versions(store)
        .await
        .map_err(StoreError::Other)?;
    if versions.is_empty() {
        return Ok(false);
    }
    let seq: i64 = sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1")
        .fetch_one(store.pool())
        .await?;
    Ok(seq > 0)
}

/// Migration that added `audit_head.keyed`.
const KEYED_MIGRATION: i64 = 19;

/// Checks every row in order, in pages, and the head at the end: keyed
/// with the process's audit key (plain SHA-256 for a chain from before the
/// key), and against `checkpoint` when one is given.
pub async fn verify(store: &Store) -> Result<Verification> {
    verify_against(store, None).await
}

pub async fn verify_against(store: &Store, checkpoint: Option<Checkpoint>) -> Result<Verification> {
    let hash = if is_keyed(store).await? {
        ChainHash::Keyed(required_key()?.clone())
    } else {
        ChainHash::Legacy
    };
    let mut verifier = ChainVerifier::new(hash);
    if let Some(cp) = checkpoint {
        verifier = match verifier.with_checkpoint(cp) {
            Ok(v) => v,
            Err(e) => {
                return Ok(Verification {
                    rows_checked: 0,
                    result: Err(e),
                });
            }
        };
    }
    verify_with(store, verifier).await
}

async fn verify_with(store: &Store, mut verifier: ChainVerifier) -> Result<Verification> {
    let mut tx = store.begin_read().await?;
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

/// A checkpoint of the chain's head now, made with the process's key.
pub async fn checkpoint(store: &Store) -> Result<Checkpoint> {
    let key = required_key()?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(store.pool())
        .await?;
    Ok(Checkpoint::new(
        key,
        head.try_get("seq")?,
        &head.try_get::<String, _>("hash")?,
        crate::now(),
    ))
}

/// Re-keys a chain from before the audit key, once: checks the plain
/// SHA-256 chain, then, in one transaction, hashes every row again with the
/// key (the rows' contents stay as they were), marks the chain keyed and
/// appends `audit.chain_keyed` with the old head. A broken plain chain is
/// not re-keyed (that would hide what was done to it): the error says so.
/// Returns the number of rows re-keyed, or `None` when the chain was keyed.
pub async fn key_legacy_chain(store: &Store) -> anyhow::Result<Option<u64>> {
    if is_keyed(store).await? {
        return Ok(None);
    }
    let key = required_key()?.clone();
    let legacy = verify_with(store, ChainVerifier::new(ChainHash::Legacy)).await?;
    if let Err(e) = legacy.result {
        anyhow::bail!(
            "De audittrail van deze database is niet intact ({e}); Integer versleutelt hem niet \
             met de auditsleutel zolang dat zo is. Controleer met `integer audit verify`, zoek uit \
             wat er gebeurde en zet zo nodig een back-up terug. / The audit trail of this \
             database is broken ({e}); Integer does not key it while it is. Check it with \
             `integer audit verify`, find out what happened, and restore a backup if needed."
        );
    }
    let mut tx = store.begin_write().await?;
    let old_head: String = sqlx::query_scalar("SELECT hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    match store.backend() {
        Backend::Sqlite => {
            sqlx::raw_sql("DROP TRIGGER audit_log_no_update")
                .execute(&mut *tx)
                .await?
        }
        Backend::Postgres => {
            sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
                .execute(&mut *tx)
                .await?
        }
    };
    let mut prev = integer_domain::audit::GENESIS_HASH.to_string();
    let mut after = 0_i64;
    let mut n = 0_u64;
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
            let hash = row_hash(&key, row.seq, row.at, &row.event, &prev);
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(row.seq)
                .execute(&mut *tx)
                .await?;
            prev = hash;
            n += 1;
        }
    }
    match store.backend() {
        Backend::Sqlite => {
            sqlx::raw_sql(
                "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
                 BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            )
            .execute(&mut *tx)
            .await?
        }
        Backend::Postgres => {
            sqlx::raw_sql("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
                .execute(&mut *tx)
                .await?
        }
    };
    sqlx::query("UPDATE audit_head SET hash = $1, keyed = 1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut *tx)
        .await?;
    append(
        &mut tx,
        &event(
            None,
            "system",
            Credential::System,
            "audit.chain_keyed",
            "audit_log",
            0,
            serde_json::json!({"rows": n, "legacy_head": old_head}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(n))
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
