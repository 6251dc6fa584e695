//! Fresh databases for tests, on both backends: a new SQLite file, and a new
//! PostgreSQL database per test on the server named by
//! `INTEGER_TEST_POSTGRES_URL` (default: the local server at
//! 127.0.0.1:5432). When that server is not reachable the PostgreSQL half is
//! skipped with a note, unless `INTEGER_REQUIRE_POSTGRES=1` (as in CI),
//! which makes it a failure.

use crate::{PoolSettings, Store, migrate};
use std::time::Duration;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated store and what keeps it alive (the SQLite directory).
pub struct TestDb {
    pub store: Store,
    pub name: &'static str,
    pub url: String,
    _dir: Option<tempfile_dir::Dir>,
}

mod tempfile_dir {
    /// A directory removed on drop (no dependency on `tempfile` here).
    pub struct Dir(pub std::path::PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn settings() -> PoolSettings {
    PoolSettings {
        max_connections: 5,
        acquire_timeout: Duration::from_secs(10),
    }
}

pub async fn sqlite() -> TestDb {
    sqlite_with(true).await
}

async fn sqlite_with(migrated: bool) -> TestDb {
    crate::audit::use_test_key();
    let dir = std::env::temp_dir().join(format!("integer-test-{}", crate::random_token()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}/test.db", dir.display());
    let store = Store::connect(&url, &settings())
        .await
        .expect("sqlite connects");
    if migrated {
        migrate::run(&store).await.expect("sqlite migrates");
    }
    TestDb {
        store,
        name: "sqlite",
        url,
        _dir: Some(tempfile_dir::Dir(dir)),
    }
}

fn admin_url() -> String {
    std::env::var("INTEGER_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

fn required() -> bool {
    std::env::var("INTEGER_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A new database on the test PostgreSQL server, or `None` (with a note)
/// when there is no server and it is not required.
pub async fn postgres() -> Option<TestDb> {
    postgres_with(true).await
}

async fn postgres_with(migrated: bool) -> Option<TestDb> {
    crate::audit::use_test_key();
    sqlx::any::install_default_drivers();
    let admin = admin_url();
    let mut conn = match tokio::time::timeout(
        Duration::from_secs(5),
        <sqlx::AnyConnection as sqlx::Connection>::connect(&admin),
    )
    .await
    {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return skip(&format!("{e}")),
        Err(_) => return skip("time-out"),
    };
    let now = crate::now();
    // Clear away databases of test runs older than an hour.
    let old: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'integer_t_%'")
            .fetch_all(&mut conn)
            .await
            .unwrap_or_default();
    for name in old {
        let stamp = name
            .split('_')
            .nth(2)
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(now);
        if now - stamp > 3600 {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\""
            )))
            .execute(&mut conn)
            .await;
        }
    }
    let name = format!("integer_t_{now}_{}", &crate::random_token()[..12]);
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin.clone());
    let url = format!("{base}/{name}");
    let store = Store::connect(&url, &settings())
        .await
        .expect("postgres connects");
    if migrated {
        migrate::run(&store).await.expect("postgres migrates");
    }
    Some(TestDb {
        store,
        name: "postgres",
        url,
        _dir: None,
    })
}

fn skip(reason: &str) -> Option<TestDb> {
    if required() {
        panic!(
            "INTEGER_REQUIRE_POSTGRES=1 but PostgreSQL at {} is not reachable: {reason}",
            admin_url()
        );
    }
    eprintln!(
        "note: PostgreSQL half skipped ({reason}); set INTEGER_TEST_POSTGRES_URL or start PostgreSQL"
    );
    None
}

/// A new, empty PostgreSQL database (no migrations), or `None` as
/// [`postgres`].
pub async fn postgres_empty() -> Option<TestDb> {
    postgres_with(false).await
}

/// Both backends with empty databases (no migrations applied), for
/// upgrade tests.
pub async fn both_empty() -> Vec<TestDb> {
    let mut dbs = vec![sqlite_with(false).await];
    if let Some(pg) = postgres_with(false).await {
        dbs.push(pg);
    }
    dbs
}

/// Both backends (PostgreSQL only when reachable).
pub async fn both() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        dbs.push(pg);
    }
    dbs
}

/// Rows in a table (for assertions in tests).
pub async fn count(db: &mut crate::Db, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(db)
        .await
        .expect("count")
}

/// Runs a statement as is (tests that tamper with the database on purpose).
pub async fn execute(db: &mut crate::Db, statement: &'static str) {
    sqlx::raw_sql(statement)
        .execute(db)
        .await
        .expect("statement");
}

/// Sets the facts about a person that the policy engine reads (tests of the
/// "Mag dit?" page, which takes them from the personnel record).
pub async fn set_employee_facts(
    db: &mut crate::Db,
    email: &str,
    salary_scale: Option<i64>,
    top_official: bool,
    designated_function: bool,
) {
    sqlx::query(
        "UPDATE people SET salary_scale = $1, top_official = $2, designated_function = $3 WHERE email = $4",
    )
    .bind(salary_scale)
    .bind(crate::flag(top_official))
    .bind(crate::flag(designated_function))
    .bind(email)
    .execute(db)
    .await
    .expect("update employee facts");
}

/// Sets a person's manager (tests of routing).
pub async fn set_manager(
    db: &mut crate::Db,
    person: integer_domain::org::PersonId,
    manager: Option<integer_domain::org::PersonId>,
) {
    sqlx::query("UPDATE people SET manager_id = $1 WHERE id = $2")
        .bind(manager.map(|m| m.0))
        .bind(person.0)
        .execute(db)
        .await
        .expect("set manager");
}

/// Adds a person with a role and a password (tests).
pub async fn add_person(
    store: &crate::Store,
    org: integer_domain::org::OrgId,
    name: &str,
    email: &str,
    role: integer_domain::org::Role,
    password_hash: Option<&str>,
) -> integer_domain::org::PersonId {
    let mut tx = store.begin_write().await.expect("tx");
    let fields = crate::people::PersonFields {
        name: name.to_string(),
        email: integer_domain::values::Email::parse(email).expect("email"),
        employee_number: None,
        function_title: None,
        salary_scale: None,
        employment_type: integer_domain::org::EmploymentType::CivilServant,
        unit_id: None,
        manager_id: None,
        start_date: None,
        end_date: None,
        top_official: false,
        designated_function: false,
    };
    let id = crate::people::insert(&mut tx, org, &fields)
        .await
        .expect("insert");
    crate::people::add_roles(&mut tx, org, id, &[role])
        .await
        .expect("role");
    if let Some(hash) = password_hash {
        crate::people::set_password_hash(&mut tx, org, id, hash)
            .await
            .expect("password");
    }
    tx.commit().await.expect("commit");
    id
}

/// Switches an organisation to another preset (tests).
pub async fn set_preset(db: &mut crate::Db, org: integer_domain::org::OrgId, preset: &str) {
    sqlx::query("UPDATE organisations SET preset = $1 WHERE id = $2")
        .bind(preset)
        .bind(org.0)
        .execute(db)
        .await
        .expect("set preset");
}

/// Moves a declaration's routing time back (tests of escalation).
pub async fn age_declaration(db: &mut crate::Db, id: i64, seconds: i64) {
    sqlx::query("UPDATE declarations SET routed_at = routed_at - $1 WHERE id = $2")
        .bind(seconds)
        .bind(id)
        .execute(db)
        .await
        .expect("age declaration");
}

/// The audit rows (action, detail) about one kind of object, in order.
pub async fn audit_rows(db: &mut crate::Db, object_type: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT action, detail FROM audit_log WHERE object_type = $1 ORDER BY seq")
        .bind(object_type)
        .fetch_all(db)
        .await
        .expect("audit rows")
}

/// The audit rows (action, actor) about one kind of object, in order.
pub async fn audit_actors(db: &mut crate::Db, object_type: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT action, actor FROM audit_log WHERE object_type = $1 ORDER BY seq")
        .bind(object_type)
        .fetch_all(db)
        .await
        .expect("audit rows")
}

/// One bytes value from a query with one integer parameter (tests that
/// look at what is stored).
pub async fn bytes(db: &mut crate::Db, sql: &'static str, id: i64) -> Vec<u8> {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(db)
        .await
        .expect("bytes")
}

/// Sets a person's function title (tests of designation by function).
pub async fn set_function_title(db: &mut crate::Db, email: &str, title: Option<&str>) {
    sqlx::query("UPDATE people SET function_title = $1 WHERE email = $2")
        .bind(title.map(str::to_string))
        .bind(email)
        .execute(db)
        .await
        .expect("set function title");
}

/// Moves a publication's notice back in time by `seconds` (tests of
/// publication when the notice period ends), as a controlled clock would.
pub async fn age_publication(db: &mut crate::Db, declaration: i64, seconds: i64) {
    sqlx::query(
        "UPDATE publications SET informed_at = informed_at - $1, due_at = due_at - $1 \
         WHERE declaration_id = $2",
    )
    .bind(seconds)
    .bind(declaration)
    .execute(db)
    .await
    .expect("age publication");
}
