//! Online backup of a SQLite database: `VACUUM INTO` writes a consistent
//! copy while the server keeps running. PostgreSQL is backed up with
//! `pg_dump` (docs/OPERATIONS.md).

use crate::{Backend, Store};
use anyhow::{Context, bail};
use std::path::Path;

pub async fn sqlite_backup(store: &Store, target: &Path) -> anyhow::Result<()> {
    if store.backend() != Backend::Sqlite {
        bail!(
            "integer backup maakt alleen kopieën van SQLite; gebruik pg_dump voor PostgreSQL (docs/OPERATIONS.md) / \
             integer backup copies SQLite only; use pg_dump for PostgreSQL (docs/OPERATIONS.md)"
        );
    }
    if target.exists() {
        bail!(
            "{} bestaat al; kies een nieuw bestand / {} exists already; choose a new file",
            target.display(),
            target.display()
        );
    }
    let target_str = target.to_str().context("backup path is not valid UTF-8")?;
    let mut conn = store.pool().acquire().await?;
    sqlx::query("VACUUM INTO $1")
        .bind(target_str)
        .execute(&mut *conn)
        .await
        .context("VACUUM INTO")?;
    Ok(())
}
