//! The installation key's check value in the database (see
//! [`InstallationKey::check_value`]): what lets every command that opens
//! case data refuse a wrong, old or missing key before it writes anything.

use crate::migrate::{applied_versions, table_exists};
use crate::{Db, Store};
use integer_domain::crypto::InstallationKey;
use sqlx::Row;

/// Migration that added `installation.key_check`.
const KEY_CHECK_MIGRATION: i64 = 15;
/// Migration that added `case_keys`.
const CASES_MIGRATION: i64 = 8;

/// What the database says about the key it was used with, read without
/// changing anything (also on a database from an older schema).
#[derive(Debug, Default, Clone)]
pub struct KeyEvidence {
    /// The recorded check value, if any.
    pub recorded: Option<String>,
    /// The key versions (fingerprints) of the stored case keys.
    pub case_key_versions: Vec<String>,
}

impl KeyEvidence {
    /// Whether the database holds anything sealed with an installation key
    /// or a record of one: then a key may never be made up for it.
    pub fn has_key(&self) -> bool {
        self.recorded.is_some() || !self.case_key_versions.is_empty()
    }

    /// Whether `key` is the key this database was used with (or the
    /// database has none yet).
    pub fn accepts(&self, key: &InstallationKey) -> bool {
        match &self.recorded {
            Some(check) => key.matches_check(check),
            None => self.case_key_versions.iter().all(|v| *v == key.version()),
        }
    }
}

pub async fn evidence(store: &Store) -> anyhow::Result<KeyEvidence> {
    let versions = applied_versions(store).await?;
    let mut conn = store.pool().acquire().await?;
    let mut found = KeyEvidence::default();
    if versions.contains(&KEY_CHECK_MIGRATION)
        && table_exists(&mut conn, store.backend(), "installation").await?
    {
        found.recorded = sqlx::query("SELECT key_check FROM installation WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get::<Option<String>, _>("key_check"))
            .transpose()?
            .flatten();
    }
    if versions.contains(&CASES_MIGRATION) {
        found.case_key_versions =
            sqlx::query_scalar("SELECT DISTINCT key_version FROM case_keys ORDER BY key_version")
                .fetch_all(&mut *conn)
                .await?;
    }
    Ok(found)
}

/// Records `key`'s check value when none is recorded yet.
pub async fn record_if_absent(db: &mut Db, key: &InstallationKey) -> crate::Result<()> {
    sqlx::query("UPDATE installation SET key_check = $1 WHERE id = 1 AND key_check IS NULL")
        .bind(key.check_value())
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Replaces the check value (key rotation, in the rotation's transaction).
pub async fn replace(db: &mut Db, key: &InstallationKey) -> crate::Result<()> {
    sqlx::query("UPDATE installation SET key_check = $1 WHERE id = 1")
        .bind(key.check_value())
        .execute(&mut *db)
        .await?;
    Ok(())
}
