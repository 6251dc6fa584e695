//! Migrations, one SQL file per backend and version, compiled into the
//! binary and applied in order, each in its own transaction.
//!
//! Every applied migration is recorded with the SHA-256 checksum of the SQL
//! that ran. Before anything is applied, the recorded ones are compared with
//! the binary's: a database that has a migration this binary does not know
//! (made by a newer version of Integer) or whose applied migration differs
//! from the binary's is refused with [`MigrationError`], and nothing is
//! changed. Databases from before checksums were recorded get the
//! binary's checksums on their first upgrade.

use crate::{Backend, Store};
use anyhow::Context;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "preset_revisions",
        sqlite: include_str!("../migrations/sqlite/0002_preset_revisions.sql"),
        postgres: include_str!("../migrations/postgres/0002_preset_revisions.sql"),
    },
    Migration {
        version: 3,
        name: "declarations",
        sqlite: include_str!("../migrations/sqlite/0003_declarations.sql"),
        postgres: include_str!("../migrations/postgres/0003_declarations.sql"),
    },
    Migration {
        version: 4,
        name: "mail",
        sqlite: include_str!("../migrations/sqlite/0004_mail.sql"),
        postgres: include_str!("../migrations/postgres/0004_mail.sql"),
    },
    Migration {
        version: 5,
        name: "declaration_indexes",
        sqlite: include_str!("../migrations/sqlite/0005_declaration_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0005_declaration_indexes.sql"),
    },
    Migration {
        version: 6,
        name: "publication_deputies",
        sqlite: include_str!("../migrations/sqlite/0006_publication_deputies.sql"),
        postgres: include_str!("../migrations/postgres/0006_publication_deputies.sql"),
    },
    Migration {
        version: 7,
        name: "yearly_check",
        sqlite: include_str!("../migrations/sqlite/0007_yearly_check.sql"),
        postgres: include_str!("../migrations/postgres/0007_yearly_check.sql"),
    },
    Migration {
        version: 8,
        name: "cases",
        sqlite: include_str!("../migrations/sqlite/0008_cases.sql"),
        postgres: include_str!("../migrations/postgres/0008_cases.sql"),
    },
    Migration {
        version: 9,
        name: "totp",
        sqlite: include_str!("../migrations/sqlite/0009_totp.sql"),
        postgres: include_str!("../migrations/postgres/0009_totp.sql"),
    },
    Migration {
        version: 10,
        name: "counsellor_log",
        sqlite: include_str!("../migrations/sqlite/0010_counsellor_log.sql"),
        postgres: include_str!("../migrations/postgres/0010_counsellor_log.sql"),
    },
    Migration {
        version: 11,
        name: "prevention",
        sqlite: include_str!("../migrations/sqlite/0011_prevention.sql"),
        postgres: include_str!("../migrations/postgres/0011_prevention.sql"),
    },
    Migration {
        version: 12,
        name: "learning",
        sqlite: include_str!("../migrations/sqlite/0012_learning.sql"),
        postgres: include_str!("../migrations/postgres/0012_learning.sql"),
    },
    Migration {
        version: 13,
        name: "annual_report",
        sqlite: include_str!("../migrations/sqlite/0013_annual_report.sql"),
        postgres: include_str!("../migrations/postgres/0013_annual_report.sql"),
    },
    Migration {
        version: 14,
        name: "case_settings",
        sqlite: include_str!("../migrations/sqlite/0014_case_settings.sql"),
        postgres: include_str!("../migrations/postgres/0014_case_settings.sql"),
    },
    Migration {
        version: 15,
        name: "key_check",
        sqlite: include_str!("../migrations/sqlite/0015_key_check.sql"),
        postgres: include_str!("../migrations/postgres/0015_key_check.sql"),
    },
    Migration {
        version: 16,
        name: "statements",
        sqlite: include_str!("../migrations/sqlite/0016_statements.sql"),
        postgres: include_str!("../migrations/postgres/0016_statements.sql"),
    },
    Migration {
        version: 17,
        name: "wbk",
        sqlite: include_str!("../migrations/sqlite/0017_wbk.sql"),
        postgres: include_str!("../migrations/postgres/0017_wbk.sql"),
    },
    Migration {
        version: 18,
        name: "publication",
        sqlite: include_str!("../migrations/sqlite/0018_publication.sql"),
        postgres: include_str!("../migrations/postgres/0018_publication.sql"),
    },
    Migration {
        version: 19,
        name: "audit_key",
        sqlite: include_str!("../migrations/sqlite/0019_audit_key.sql"),
        postgres: include_str!("../migrations/postgres/0019_audit_key.sql"),
    },
];

/// Applies the migrations not yet applied; returns how many ran.
pub async fn run(store: &Store) -> anyhow::Result<usize> {
    let mut conn = store.pool().acquire().await?;
    if store.backend() == Backend::Postgres {
        // Several instances may start at once: one migrates, the others wait.
        sqlx::query("SELECT pg_advisory_lock(4711)")
            .execute(&mut *conn)
            .await?;
    }
    let result = apply(store, &mut conn).await;
    if store.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(4711)")
            .execute(&mut *conn)
            .await?;
    }
    result
}

/// Why a database cannot be migrated by this binary.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "De database heeft migratie {version} ({name}), die deze versie van Integer niet kent: \
         ze is gemaakt door een nieuwere versie. Start die versie (of een nieuwere), of zet de \
         back-up van voor de upgrade terug. / The database has migration {version} ({name}), \
         which this version of Integer does not know: a newer version made it. Run that version \
         (or a newer one), or restore the backup taken before the upgrade."
    )]
    Unknown { version: i64, name: String },
    #[error(
        "Migratie {version} ({name}) in de database verschilt van die in deze versie van Integer \
         (controlesom {found}, verwacht {expected}). Het schema is buiten Integer om gewijzigd of \
         deze versie is niet de officiële; zet een back-up terug of neem contact op met de \
         beheerder. / Migration {version} ({name}) in the database differs from this version's \
         (checksum {found}, expected {expected}). The schema was changed outside Integer or this \
         build is not the released one; restore a backup or ask your administrator."
    )]
    Changed {
        version: i64,
        name: String,
        found: String,
        expected: String,
    },
}

impl Migration {
    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }

    fn checksum(&self, backend: Backend) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(self.sql(backend).as_bytes()))
    }
}

/// Whether `table` exists (without creating anything or logging notices).
pub async fn table_exists(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
) -> anyhow::Result<bool> {
    let sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let n: i64 = sqlx::query_scalar(sql)
        .bind(table)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

async fn column_exists(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
    column: &str,
) -> anyhow::Result<bool> {
    let sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM pragma_table_info($1) WHERE name = $2",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2"
        }
    };
    let n: i64 = sqlx::query_scalar(sql)
        .bind(table)
        .bind(column)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

/// The versions applied to this database, without changing it (empty for
/// a new database).
pub async fn applied_versions(store: &Store) -> anyhow::Result<Vec<i64>> {
    let mut conn = store.pool().acquire().await?;
    if !table_exists(&mut conn, store.backend(), "integer_migrations").await? {
        return Ok(Vec::new());
    }
    Ok(
        sqlx::query_scalar("SELECT version FROM integer_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Every migration version this binary knows, in order.
pub fn known_versions() -> Vec<i64> {
    MIGRATIONS.iter().map(|m| m.version).collect()
}

/// The newest migration this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Checks the applied migrations against the binary's, without changing
/// the database: an unknown or changed migration is a [`MigrationError`].
/// Migrations from before checksums were recorded are taken as they are.
pub async fn check(store: &Store) -> anyhow::Result<()> {
    let mut conn = store.pool().acquire().await?;
    check_conn(store.backend(), &mut conn).await
}

async fn check_conn(backend: Backend, conn: &mut sqlx::AnyConnection) -> anyhow::Result<()> {
    if !table_exists(conn, backend, "integer_migrations").await? {
        return Ok(());
    }
    let with_checksums = column_exists(conn, backend, "integer_migrations", "checksum").await?;
    let sql = if with_checksums {
        "SELECT version, name, checksum FROM integer_migrations ORDER BY version"
    } else {
        "SELECT version, name, NULL AS checksum FROM integer_migrations ORDER BY version"
    };
    let rows: Vec<(i64, String, Option<String>)> =
        sqlx::query_as(sql).fetch_all(&mut *conn).await?;
    for (version, name, found) in rows {
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == version) else {
            return Err(MigrationError::Unknown { version, name }.into());
        };
        let expected = m.checksum(backend);
        if let Some(found) = found
            && found != expected
        {
            return Err(MigrationError::Changed {
                version,
                name,
                found,
                expected,
            }
            .into());
        }
    }
    Ok(())
}

async fn apply(store: &Store, conn: &mut sqlx::AnyConnection) -> anyhow::Result<usize> {
    let backend = store.backend();
    check_conn(backend, conn).await?;
    if !table_exists(conn, backend, "integer_migrations").await? {
        sqlx::raw_sql(
            "CREATE TABLE integer_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             applied_at BIGINT NOT NULL, checksum TEXT)",
        )
        .execute(&mut *conn)
        .await?;
    } else if !column_exists(conn, backend, "integer_migrations", "checksum").await? {
        // A database from before checksums: record the binary's for what
        // it applied (the versions were checked above).
        let mut tx = store.begin_write().await?;
        sqlx::raw_sql("ALTER TABLE integer_migrations ADD COLUMN checksum TEXT")
            .execute(&mut *tx)
            .await?;
        for m in MIGRATIONS {
            sqlx::query("UPDATE integer_migrations SET checksum = $1 WHERE version = $2")
                .bind(m.checksum(backend))
                .bind(m.version)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    let mut applied = 0;
    for m in MIGRATIONS {
        let mut tx = store.begin_write().await?;
        let done: Option<i64> =
            sqlx::query_scalar("SELECT version FROM integer_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            continue;
        }
        sqlx::raw_sql(m.sql(backend))
            .execute(&mut *tx)
            .await
            .with_context(|| format!("migration {} ({})", m.version, m.name))?;
        sqlx::query(
            "INSERT INTO integer_migrations (version, name, applied_at, checksum) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(crate::now())
        .bind(m.checksum(backend))
        .execute(&mut *tx)
        .await?;
        if m.version == 1 {
            let pepper = crate::random_token();
            sqlx::query("INSERT INTO installation (id, pepper, created_at) VALUES (1, $1, $2)")
                .bind(pepper)
                .bind(crate::now())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        applied += 1;
    }
    Ok(applied)
}

/// The installation's secret pepper, used to hash sign-in throttling keys.
pub async fn pepper(conn: &mut sqlx::AnyConnection) -> crate::Result<String> {
    Ok(
        sqlx::query_scalar("SELECT pepper FROM installation WHERE id = 1")
            .fetch_one(conn)
            .await?,
    )
}
