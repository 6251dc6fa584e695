//! Backup and restore on PostgreSQL as docs/OPERATIONS.md describes them:
//! `pg_dump -Fc` of a database Integer wrote (people, declarations, sealed
//! cases, the audit trail), `pg_restore --no-owner --single-transaction`
//! into a new empty database, then `integer audit verify` and a server
//! started with the same installation key on the restored database.

use integer_store::testing::{postgres, postgres_empty};
use std::process::{Command, Output};

fn integer(url: &str, key: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_integer"))
        .env_remove("INTEGER_CONFIG")
        .env("INTEGER_DATABASE_URL", url)
        .env("INTEGER__SECURITY__KEY_FILE", key)
        .env("INTEGER__LOG__LEVEL", "warn")
        // The key the test writes with in-process too.
        .env(
            "INTEGER__SECURITY__AUDIT_KEY",
            integer_store::audit::TEST_KEY_HEX,
        )
        .args(args)
        .output()
        .unwrap()
}

async fn count(url: &str, table: &str) -> i64 {
    let store = integer_store::Store::connect(url, &integer_store::PoolSettings::default())
        .await
        .unwrap();
    let mut conn = store.conn().await.unwrap();
    let n = integer_store::testing::count(&mut conn, table).await;
    drop(conn);
    store.close().await;
    n
}

#[tokio::test]
async fn a_pg_dump_restores_into_a_new_database_that_verifies_and_opens() {
    let Some(source) = postgres().await else {
        return;
    };
    let Some(target) = postgres_empty().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("installation.key");
    let out = Command::new(env!("CARGO_BIN_EXE_integer"))
        .env_remove("INTEGER_CONFIG")
        .args(["key", "generate"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = integer(
        &source.url,
        &key,
        &[
            "seed",
            "--org",
            "bewaard",
            "--people",
            "40",
            "--declarations-per-person",
            "2",
            "--cases",
            "5",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let tables = ["people", "declarations", "cases", "case_keys", "audit_log"];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(&source.url, t).await);
    }
    assert!(before.iter().all(|n| *n > 0), "{before:?}");

    let dump = dir.path().join("integer.dump");
    let out = Command::new("pg_dump")
        .args(["-Fc", "-d", &source.url, "-f"])
        .arg(&dump)
        .output()
        .expect("pg_dump is installed with PostgreSQL");
    assert!(out.status.success(), "{out:?}");
    let out = Command::new("pg_restore")
        .args(["--no-owner", "--single-transaction", "-d", &target.url])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    let mut after = Vec::new();
    for t in tables {
        after.push(count(&target.url, t).await);
    }
    assert_eq!(before, after, "the restored database holds the same rows");
    let out = integer(&target.url, &key, &["audit", "verify"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));
    // The restored database takes its own key, and no other.
    let out = integer(&target.url, &key, &["migrate"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("0 "),
        "{out:?}"
    );
    let other = dir.path().join("other.key");
    let out = Command::new(env!("CARGO_BIN_EXE_integer"))
        .env_remove("INTEGER_CONFIG")
        .args(["key", "generate"])
        .arg(&other)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = integer(
        &target.url,
        &other,
        &[
            "seed",
            "--org",
            "erbij",
            "--people",
            "2",
            "--declarations-per-person",
            "0",
            "--cases",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = integer(
        &target.url,
        &key,
        &[
            "seed",
            "--org",
            "erbij",
            "--people",
            "2",
            "--declarations-per-person",
            "0",
            "--cases",
            "1",
        ],
    );
    assert!(out.status.success(), "the right key opens it: {out:?}");
}
