//! Integer's persistence: one store over SQLite (the embedded default) and
//! PostgreSQL. The same SQL (with `$1` placeholders) runs on both through
//! sqlx's `Any` driver; where the backends differ, [`Backend`] says which one
//! is in use. Migrations are per backend (`migrations/sqlite`,
//! `migrations/postgres`).
//!
//! Transactions belong to the caller: a handler begins one with
//! [`Store::begin_write`], calls the repository functions of the modules
//! below with it (the change and its audit row), and commits.

pub mod annual_report;
pub mod audit;
pub mod backup;
pub mod case_disclosures;
pub mod case_minutes;
pub mod cases;
pub mod counsellor_log;
pub mod declarations;
pub mod deputies;
pub mod escalation;
pub mod import;
pub mod key_check;
pub mod learning;
pub mod mail_outbox;
pub mod meldpunt_info;
pub mod migrate;
pub mod notifications;
pub mod orgs;
pub mod people;
pub mod presets;
pub mod prevention;
pub mod publication;
pub mod seed;
pub mod sessions;
pub mod statements;
pub mod testing;
pub mod tokens;
pub mod totp;
pub mod units;
pub mod vulnerable;
pub mod yearly_check;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::Any;
pub use sqlx::Error as SqlxError;

/// A transaction owned by the caller.
pub type Tx = sqlx::Transaction<'static, Any>;
/// A pooled connection for reads outside a transaction.
pub type Conn = sqlx::pool::PoolConnection<Any>;
/// What repository functions take: a transaction or a plain connection.
pub type Db = AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached (down, pool exhausted or closed).
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// A uniqueness rule was broken, or a compare-and-set found the row
    /// changed.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e),
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_string())
            }
            sqlx::Error::Database(db) if is_unavailable_code(db.code().as_deref()) => {
                StoreError::Unavailable(e)
            }
            _ => StoreError::Other(anyhow::Error::new(e)),
        }
    }
}

/// PostgreSQL codes for "cannot serve now" (admin shutdown, database gone,
/// too many connections); SQLite's busy and locked after the time-out.
fn is_unavailable_code(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("57P01" | "57P02" | "57P03" | "3D000" | "53300" | "5" | "6")
    )
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Why a database URL was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    #[error(
        "Onbekend soort database-adres '{0}': gebruik sqlite://PAD of postgres://... / \
         Unknown database URL scheme '{0}': use sqlite://PATH or postgres://..."
    )]
    UnknownScheme(String),
    #[error(
        "Een SQLite-database in het geheugen kan niet gedeeld worden; geef een bestand op / \
         An in-memory SQLite database cannot be shared; give a file path"
    )]
    InMemory,
}

/// Decides the backend from the URL's scheme, refusing anything unknown
/// (never silently creating an empty file somewhere).
pub fn backend_for_url(url: &str) -> Result<Backend, UrlError> {
    let scheme = url.split(':').next().unwrap_or("");
    match scheme {
        "sqlite" => {
            if url.contains(":memory:") || url.contains("mode=memory") {
                Err(UrlError::InMemory)
            } else {
                Ok(Backend::Sqlite)
            }
        }
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        other => Err(UrlError::UnknownScheme(other.to_string())),
    }
}

/// The file a SQLite URL points at.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| std::path::PathBuf::from(path))
}

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// The database: a pool and the backend it talks to.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects (creating a SQLite file and its directory when needed) and
    /// sets SQLite up for durability: WAL, `synchronous=FULL`, foreign keys
    /// and a busy time-out.
    pub async fn connect(url: &str, settings: &PoolSettings) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = backend_for_url(url)?;
        let mut url = url.to_string();
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_path(&url)
                && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') {
                    "&mode=rwc"
                } else {
                    "?mode=rwc"
                });
            }
        }
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A connection for reads.
    pub async fn conn(&self) -> Result<Conn> {
        Ok(self.pool.acquire().await?)
    }

    /// A transaction for reads that must see one consistent state.
    pub async fn begin_read(&self) -> Result<Tx> {
        Ok(self.pool.begin().await?)
    }

    /// A transaction that will write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so that a read followed by a write never
    /// fails half-way because another writer came first.
    pub async fn begin_write(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Is the database reachable now?
    pub async fn ping(&self) -> bool {
        match self.pool.acquire().await {
            Ok(mut c) => sqlx::query("SELECT 1").execute(&mut *c).await.is_ok(),
            Err(_) => false,
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Unix time in seconds.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Unix time in microseconds (audit rows).
pub fn now_micros() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

/// Booleans are stored as 0/1 integers on both backends.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// 256 random bits, URL-safe hex: session ids, tokens, CSRF tokens.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// SHA-256 of a secret, hex: how sessions and tokens are stored.
pub fn sha256_hex(value: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(value.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_schemes_are_refused() {
        assert_eq!(backend_for_url("sqlite://data/x.db"), Ok(Backend::Sqlite));
        assert_eq!(backend_for_url("postgres://u@h/db"), Ok(Backend::Postgres));
        assert_eq!(
            backend_for_url("postgresql://u@h/db"),
            Ok(Backend::Postgres)
        );
        assert!(matches!(
            backend_for_url("mysql://x"),
            Err(UrlError::UnknownScheme(_))
        ));
        assert!(matches!(
            backend_for_url("data/x.db"),
            Err(UrlError::UnknownScheme(_))
        ));
        assert_eq!(backend_for_url("sqlite::memory:"), Err(UrlError::InMemory));
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/x.db?mode=rwc").unwrap(),
            std::path::PathBuf::from("data/x.db")
        );
        assert_eq!(
            sqlite_path("sqlite:/tmp/a.db").unwrap(),
            std::path::PathBuf::from("/tmp/a.db")
        );
    }
}
