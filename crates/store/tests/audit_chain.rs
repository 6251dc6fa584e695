//! The keyed audit chain against someone who can write the database but has
//! not the audit key: a changed, deleted or inserted row, a re-chained
//! history, a deleted emergency-access row and (with a checkpoint) a cut
//! tail are all seen; a chain from before the key is checked and re-keyed
//! once, and a broken one is not. On SQLite and PostgreSQL.

use integer_domain::audit::{AuditEvent, ChainBreak, Credential, GENESIS_HASH, legacy_row_hash};
use integer_store::testing::{TestDb, both};
use integer_store::{Backend, Store, audit};

fn event(i: i64, action: &str) -> AuditEvent {
    audit::event(
        Some(1),
        format!("person:{i}"),
        Credential::Session,
        action,
        "case",
        i,
        serde_json::json!({"i": i}),
    )
}

/// Appends `n` rows; row 4 (when there is one) is an emergency access.
async fn fill(store: &Store, n: i64) {
    for i in 1..=n {
        let action = if i == 4 {
            "case.emergency_access"
        } else {
            "case.viewed"
        };
        let mut tx = store.begin_write().await.unwrap();
        audit::append(&mut tx, &event(i, action)).await.unwrap();
        tx.commit().await.unwrap();
    }
}

/// Runs SQL as someone with write access to the database, past the
/// append-only guard.
async fn tamper(store: &Store, statements: &[&str]) {
    let mut conn = store.conn().await.unwrap();
    let guards: &[&str] = match store.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER IF EXISTS audit_log_no_update",
            "DROP TRIGGER IF EXISTS audit_log_no_delete",
        ],
        Backend::Postgres => &["DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log"],
    };
    for sql in guards.iter().chain(statements) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// seq, at, org, actor, credential, action, object type, object id, detail.
type StoredRow = (
    i64,
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    String,
);

/// Recomputes the whole chain as plain SHA-256 (all an attacker without the
/// key can do), and the head with it.
async fn rechain_without_key(store: &Store) {
    let rows: Vec<StoredRow> = sqlx::query_as(
        "SELECT seq, at, org_id, actor, credential, action, object_type, object_id, detail \
             FROM audit_log ORDER BY seq",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut prev = GENESIS_HASH.to_string();
    let mut updates = Vec::new();
    for (seq, at, org_id, actor, credential, action, object_type, object_id, detail) in rows {
        let e = AuditEvent {
            org_id,
            actor,
            credential: Credential::parse(&credential).unwrap(),
            action,
            object_type,
            object_id,
            detail,
        };
        let hash = legacy_row_hash(seq, at, &e, &prev);
        updates.push(format!(
            "UPDATE audit_log SET prev_hash = '{prev}', hash = '{hash}' WHERE seq = {seq}"
        ));
        prev = hash;
    }
    updates.push(format!(
        "UPDATE audit_head SET hash = '{prev}' WHERE id = 1"
    ));
    let refs: Vec<&str> = updates.iter().map(String::as_str).collect();
    tamper(store, &refs).await;
}

async fn result(store: &Store) -> Result<(), ChainBreak> {
    audit::verify(store).await.unwrap().result
}

#[tokio::test]
async fn every_kind_of_tampering_is_seen() {
    for TestDb { name, .. } in both().await {
        // A fresh database per case.
        let cases: Vec<(&str, Vec<&str>, bool, ChainBreak)> = vec![
            (
                "changed row",
                vec!["UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 3"],
                false,
                ChainBreak::Changed { seq: 3 },
            ),
            (
                "deleted row",
                vec!["DELETE FROM audit_log WHERE seq = 2"],
                false,
                ChainBreak::Removed {
                    after_seq: 1,
                    next_seq: 3,
                },
            ),
            (
                "deleted emergency access",
                vec!["DELETE FROM audit_log WHERE action = 'case.emergency_access'"],
                false,
                ChainBreak::Removed {
                    after_seq: 3,
                    next_seq: 5,
                },
            ),
            (
                "inserted row",
                vec![
                    "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3",
                    "INSERT INTO audit_log (seq, at, org_id, actor, credential, action, object_type, object_id, detail, prev_hash, hash) \
                     SELECT 3, at, org_id, actor, credential, 'case.viewed', object_type, object_id, detail, hash, hash FROM audit_log WHERE seq = 2",
                ],
                false,
                ChainBreak::Changed { seq: 3 },
            ),
            (
                "re-chained after a change",
                vec!["UPDATE audit_log SET actor = 'person:77' WHERE seq = 2"],
                true,
                ChainBreak::Changed { seq: 1 },
            ),
        ];
        for (what, sql, rechain, expected) in cases {
            let db = match name {
                "sqlite" => integer_store::testing::sqlite().await,
                _ => integer_store::testing::postgres().await.unwrap(),
            };
            fill(&db.store, 6).await;
            assert_eq!(
                result(&db.store).await,
                Ok(()),
                "{name}: {what}: intact first"
            );
            tamper(&db.store, &sql).await;
            if rechain {
                rechain_without_key(&db.store).await;
            }
            assert_eq!(result(&db.store).await, Err(expected), "{name}: {what}");
        }
    }
}

#[tokio::test]
async fn a_cut_tail_is_seen_against_the_checkpoint() {
    for TestDb { store, name, .. } in both().await {
        fill(&store, 6).await;
        let checkpoint = audit::checkpoint(&store).await.unwrap();
        assert_eq!(checkpoint.seq, 6);
        fill(&store, 2).await;
        let v = audit::verify_against(&store, Some(checkpoint.clone()))
            .await
            .unwrap();
        assert_eq!(v.result, Ok(()), "{name}: intact with its checkpoint");
        // The last four rows go and the head is set back to row 4: the chain
        // and its head agree, only the checkpoint tells.
        let head: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 4")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let set_head = format!("UPDATE audit_head SET seq = 4, hash = '{head}' WHERE id = 1");
        tamper(&store, &["DELETE FROM audit_log WHERE seq > 4", &set_head]).await;
        assert_eq!(
            result(&store).await,
            Ok(()),
            "{name}: without the checkpoint"
        );
        let v = audit::verify_against(&store, Some(checkpoint))
            .await
            .unwrap();
        assert_eq!(
            v.result,
            Err(ChainBreak::TailRemoved {
                last_seq: 4,
                head_seq: 6
            }),
            "{name}"
        );
    }
}

/// A chain written before the audit key: plain SHA-256 rows.
async fn legacy_chain(store: &Store, n: i64) {
    let mut prev = GENESIS_HASH.to_string();
    let mut sql = vec!["UPDATE audit_head SET keyed = 0 WHERE id = 1".to_string()];
    for seq in 1..=n {
        let e = event(seq, "case.viewed");
        let at = 1_700_000_000_000_000 + seq;
        let hash = legacy_row_hash(seq, at, &e, &prev);
        sql.push(format!(
            "INSERT INTO audit_log (seq, at, org_id, actor, credential, action, object_type, object_id, detail, prev_hash, hash) \
             VALUES ({seq}, {at}, 1, '{}', 'session', 'case.viewed', 'case', '{seq}', '{}', '{prev}', '{hash}')",
            e.actor, e.detail
        ));
        prev = hash;
    }
    sql.push(format!(
        "UPDATE audit_head SET seq = {n}, hash = '{prev}' WHERE id = 1"
    ));
    let mut conn = store.conn().await.unwrap();
    for s in sql {
        sqlx::raw_sql(sqlx::AssertSqlSafe(s))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_chain_from_before_the_key_is_checked_and_keyed_once() {
    for TestDb { store, name, .. } in both().await {
        legacy_chain(&store, 5).await;
        assert!(!audit::is_keyed(&store).await.unwrap());
        assert_eq!(
            result(&store).await,
            Ok(()),
            "{name}: the plain chain verifies"
        );
        // Nothing is appended to a chain that is not keyed.
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            audit::append(&mut tx, &event(9, "case.viewed"))
                .await
                .is_err()
        );
        drop(tx);
        assert_eq!(audit::key_legacy_chain(&store).await.unwrap(), Some(5));
        assert!(audit::is_keyed(&store).await.unwrap());
        assert_eq!(audit::key_legacy_chain(&store).await.unwrap(), None, "once");
        let v = audit::verify(&store).await.unwrap();
        assert_eq!((v.rows_checked, v.result), (6, Ok(())), "{name}");
        let last: String = sqlx::query_scalar("SELECT action FROM audit_log WHERE seq = 6")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(last, "audit.chain_keyed");
        // The contents stayed as they were, and the guard is back.
        let actor: String = sqlx::query_scalar("SELECT actor FROM audit_log WHERE seq = 3")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(actor, "person:3");
        let blocked = sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 3")
            .execute(store.pool())
            .await;
        assert!(blocked.is_err(), "{name}: append-only again");
        // A plain re-chain after keying is seen.
        rechain_without_key(&store).await;
        assert_eq!(result(&store).await, Err(ChainBreak::Changed { seq: 1 }));
    }
}

#[tokio::test]
async fn a_broken_chain_from_before_the_key_is_not_keyed() {
    for TestDb { store, name, .. } in both().await {
        legacy_chain(&store, 5).await;
        tamper(
            &store,
            &["UPDATE audit_log SET detail = '{}' WHERE seq = 2"],
        )
        .await;
        let err = audit::key_legacy_chain(&store)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("niet intact") && err.contains("broken"),
            "{name}: {err}"
        );
        assert!(!audit::is_keyed(&store).await.unwrap(), "{name}");
        assert_eq!(result(&store).await, Err(ChainBreak::Changed { seq: 2 }));
    }
}
