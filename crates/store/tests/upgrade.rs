//! Upgrades and the two schemas: a database made by the first release is
//! brought to the current schema with its data intact; the migration
//! runner refuses databases it cannot vouch for; and SQLite and PostgreSQL
//! end with the same tables, columns, nullability and indexes.

use integer_domain::crypto::InstallationKey;
use integer_store::testing::{TestDb, both, both_empty};
use integer_store::{Backend, Store, key_check, migrate};
use sqlx::Row;
use std::collections::BTreeMap;

const RELEASE_0_1_SQLITE: &str = include_str!("fixtures/release-0.1/sqlite.sql");
const RELEASE_0_1_POSTGRES: &str = include_str!("fixtures/release-0.1/postgres.sql");

async fn load_release_0_1(db: &TestDb) {
    let sql = match db.store.backend() {
        Backend::Sqlite => RELEASE_0_1_SQLITE,
        Backend::Postgres => RELEASE_0_1_POSTGRES,
    };
    sqlx::raw_sql(sql)
        .execute(db.store.pool())
        .await
        .expect("the first release's schema loads");
}

async fn scalar_text(store: &Store, sql: &'static str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_database_of_the_first_release_upgrades_with_its_data_intact() {
    for db in both_empty().await {
        load_release_0_1(&db).await;
        assert_eq!(
            migrate::applied_versions(&db.store).await.unwrap(),
            (1..=7).collect::<Vec<_>>()
        );
        let applied = migrate::run(&db.store).await.expect(db.name);
        let newer = migrate::known_versions().iter().filter(|v| **v > 7).count();
        assert_eq!(applied, newer, "{}", db.name);
        // The data of the first release is still there, and usable.
        assert_eq!(
            scalar_text(&db.store, "SELECT name FROM organisations WHERE id = 1").await,
            "Gemeente Oud"
        );
        assert_eq!(
            scalar_text(&db.store, "SELECT email FROM people WHERE id = 2").await,
            "bram@oud.nl"
        );
        assert_eq!(
            scalar_text(
                &db.store,
                "SELECT description FROM declarations WHERE id = 1"
            )
            .await,
            "Kerstpakket van leverancier"
        );
        let value: i64 = sqlx::query_scalar("SELECT value_cents FROM declarations WHERE id = 1")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
        assert_eq!(value, 4000);
        // The old migrations got their checksums, the new ones were recorded with theirs.
        let missing: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM integer_migrations WHERE checksum IS NULL")
                .fetch_one(db.store.pool())
                .await
                .unwrap();
        assert_eq!(missing, 0, "{}", db.name);
        // A second start changes nothing and passes the check.
        assert_eq!(migrate::run(&db.store).await.unwrap(), 0);
        migrate::check(&db.store).await.unwrap();
        // New rows after the upgrade do not collide with the old ones.
        let mut tx = db.store.begin_write().await.unwrap();
        let slug = integer_domain::values::Slug::parse("nieuw").unwrap();
        let org = integer_store::orgs::create(&mut tx, &slug, "Gemeente Nieuw", "dalfsen", false)
            .await
            .expect(db.name);
        assert_ne!(org.id.0, 1);
        tx.commit().await.unwrap();
        // No key was ever used: any key is accepted, and recorded.
        let evidence = key_check::evidence(&db.store).await.unwrap();
        assert!(!evidence.has_key(), "{}", db.name);
    }
}

#[tokio::test]
async fn a_migration_the_binary_does_not_know_refuses_to_start_and_changes_nothing() {
    for db in both().await {
        sqlx::query(
            "INSERT INTO integer_migrations (version, name, applied_at, checksum) VALUES (9999, 'from_the_future', 0, 'x')",
        )
        .execute(db.store.pool())
        .await
        .unwrap();
        let err = migrate::run(&db.store).await.unwrap_err().to_string();
        assert!(
            err.contains("9999")
                && err.contains("nieuwere versie")
                && err.contains("newer version"),
            "{err}"
        );
        assert!(migrate::check(&db.store).await.is_err());
    }
}

#[tokio::test]
async fn an_applied_migration_that_changed_refuses_to_start() {
    for db in both().await {
        sqlx::query("UPDATE integer_migrations SET checksum = 'abc' WHERE version = 3")
            .execute(db.store.pool())
            .await
            .unwrap();
        let err = migrate::run(&db.store).await.unwrap_err().to_string();
        assert!(
            err.contains("Migratie 3") && err.contains("Migration 3"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn the_key_check_records_the_first_key_and_refuses_another() {
    for db in both().await {
        let key = InstallationKey::generate();
        let before = key_check::evidence(&db.store).await.unwrap();
        assert!(!before.has_key() && before.accepts(&key));
        let mut tx = db.store.begin_write().await.unwrap();
        key_check::record_if_absent(&mut tx, &key).await.unwrap();
        // Recording again never overwrites.
        key_check::record_if_absent(&mut tx, &InstallationKey::generate())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let after = key_check::evidence(&db.store).await.unwrap();
        assert!(after.has_key());
        assert!(after.accepts(&key), "{}", db.name);
        assert!(!after.accepts(&InstallationKey::generate()), "{}", db.name);
    }
}

/// Tables, their columns with nullability, and index names.
type Schema = BTreeMap<String, (Vec<(String, bool)>, Vec<String>)>;

async fn schema(store: &Store) -> Schema {
    let pool = store.pool();
    let tables: Vec<String> = match store.backend() {
        Backend::Sqlite => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ),
        Backend::Postgres => sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
        ),
    }
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Schema::new();
    for table in tables {
        let (columns, indexes) = match store.backend() {
            Backend::Sqlite => {
                let cols = sqlx::query(
                    "SELECT name, \"notnull\" AS nn, pk FROM pragma_table_info($1) ORDER BY name",
                )
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap()
                .into_iter()
                .map(|r| {
                    let nn: i64 = r.get("nn");
                    let pk: i64 = r.get("pk");
                    (r.get::<String, _>("name"), nn == 1 || pk > 0)
                })
                .collect();
                let idx = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 \
                     AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name",
                )
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
                (cols, idx)
            }
            Backend::Postgres => {
                let cols = sqlx::query(
                    "SELECT column_name::text AS name, is_nullable::text AS nullable FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name",
                )
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap()
                .into_iter()
                .map(|r| (r.get::<String, _>("name"), r.get::<String, _>("nullable") == "NO"))
                .collect();
                let idx = sqlx::query_scalar(
                    "SELECT indexname::text FROM pg_indexes i WHERE schemaname = current_schema() \
                     AND tablename = $1 AND NOT EXISTS \
                     (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY indexname",
                )
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
                (cols, idx)
            }
        };
        out.insert(table, (columns, indexes));
    }
    out
}

#[tokio::test]
async fn sqlite_and_postgresql_end_with_the_same_schema() {
    let dbs = both().await;
    let [sqlite, postgres] = dbs.as_slice() else {
        eprintln!("note: schema comparison skipped: no PostgreSQL");
        return;
    };
    let a = schema(&sqlite.store).await;
    let b = schema(&postgres.store).await;
    let mut drift = Vec::new();
    for table in a
        .keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (a.get(table), b.get(table)) {
            (Some(x), Some(y)) => {
                if x.0 != y.0 {
                    drift.push(format!(
                        "{table}: columns differ:\n  sqlite   {:?}\n  postgres {:?}",
                        x.0, y.0
                    ));
                }
                if x.1 != y.1 {
                    drift.push(format!(
                        "{table}: indexes differ:\n  sqlite   {:?}\n  postgres {:?}",
                        x.1, y.1
                    ));
                }
            }
            (Some(_), None) => drift.push(format!("{table}: only in SQLite")),
            (None, Some(_)) => drift.push(format!("{table}: only in PostgreSQL")),
            (None, None) => unreachable!(),
        }
    }
    assert!(a.len() > 20, "the schema was read: {} tables", a.len());
    assert!(
        drift.is_empty(),
        "the schemas drifted:\n{}",
        drift.join("\n")
    );
}

/// Side activities published with the person's consent under the first
/// release's rule stay in the register after the upgrade (they were told
/// and confirmed then); one that waited for consent is announced by the
/// next run and published after the notice period (docs/OPEN-DATA.md).
#[tokio::test]
async fn consented_entries_of_the_first_release_stay_in_the_register() {
    for db in both_empty().await {
        load_release_0_1(&db).await;
        // Anna is a top official of a Maastricht organisation: one side
        // activity she agreed to publish, one still waiting for her.
        sqlx::raw_sql(
            "INSERT INTO declarations (id, org_id, person_id, filed_by, unit_id, kind, status, \
             route_person_id, route_queue, routed_at, verdict, approver, obligations, preset_version, \
             answers, description, third_party, value_cents, event_date, outcome, conditions, reason, \
             destination, decided_by, decided_at, info_response, created_at, updated_at, version, \
             published_at) VALUES \
             (2, 1, 1, 1, 1, 'side_activity', 'registered', NULL, NULL, 1735689600, 'report', NULL, \
             'report_to_manager publish', 'maastricht@1', '{\"paid\":true}', 'Lid raad van toezicht', \
             'Stichting Oud', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1735689600, \
             1735776000, 2, 1735776000), \
             (3, 1, 1, 1, 1, 'side_activity', 'registered', NULL, NULL, 1735689600, 'report', NULL, \
             'report_to_manager publish', 'maastricht@1', '{\"paid\":false}', 'Voorzitter koor', \
             'Koor', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1735689600, 1735689600, 1, \
             NULL)",
        )
        .execute(db.store.pool())
        .await
        .expect(db.name);
        migrate::run(&db.store).await.expect(db.name);
        let org = integer_domain::org::OrgId(1);
        let now = integer_store::now();
        let mut conn = db.store.conn().await.unwrap();
        let activities = |entries: Vec<integer_store::publication::PublicEntry>| {
            entries.into_iter().map(|e| e.activity).collect::<Vec<_>>()
        };
        let (entries, updated) = integer_store::publication::register(&mut conn, org, now)
            .await
            .unwrap();
        assert_eq!(
            activities(entries),
            ["Lid raad van toezicht"],
            "{}",
            db.name
        );
        assert_eq!(updated.as_deref(), Some("2025-01-02"));
        drop(conn);
        let by = integer_store::publication::By {
            actor: "cli".into(),
            credential: integer_domain::audit::Credential::Cli,
        };
        let mut tx = db.store.begin_write().await.unwrap();
        let announced = integer_store::publication::sync(&mut tx, org, None, &by)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(announced, [3], "{}", db.name);
        let mut conn = db.store.conn().await.unwrap();
        let (later, _) = integer_store::publication::register(&mut conn, org, now + 15 * 86_400)
            .await
            .unwrap();
        assert_eq!(
            activities(later),
            ["Lid raad van toezicht", "Voorzitter koor"]
        );
    }
}
