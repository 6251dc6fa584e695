//! Migrations, one SQL file per backend and version, compiled into the
//! binary and applied in order, each in its own transaction.

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

async fn apply(store: &Store, conn: &mut sqlx::AnyConnection) -> anyhow::Result<usize> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS integer_migrations (\
         version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
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
        let sql = match store.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("migration {} ({})", m.version, m.name))?;
        sqlx::query(
            "INSERT INTO integer_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(crate::now())
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
