//! Storage stories that must hold on SQLite and on PostgreSQL alike; each
//! runs once per backend on a fresh database.

use integer_domain::audit::{ChainBreak, Credential};
use integer_domain::authz::{Relation, Scope};
use integer_domain::import::parse_people_csv;
use integer_domain::org::{EmploymentType, OrgId, PersonId, Role, UnitKind};
use integer_domain::values::{Email, EmployeeNumber, SalaryScale, Slug};
use integer_store::people::PersonFields;
use integer_store::testing::{TestDb, both};
use integer_store::{Store, StoreError, audit, import, orgs, people, sessions, tokens, units};

fn fields(name: &str, email: &str, number: Option<&str>) -> PersonFields {
    PersonFields {
        name: name.to_string(),
        email: Email::parse(email).unwrap(),
        employee_number: number.map(|n| EmployeeNumber::parse(n).unwrap()),
        function_title: Some("Adviseur".into()),
        salary_scale: SalaryScale::new(10),
        employment_type: EmploymentType::CivilServant,
        unit_id: None,
        manager_id: None,
        start_date: None,
        end_date: None,
        top_official: false,
        designated_function: false,
    }
}

async fn org(store: &Store, slug: &str) -> OrgId {
    let mut tx = store.begin_write().await.unwrap();
    let o = orgs::create(
        &mut tx,
        &Slug::parse(slug).unwrap(),
        slug,
        "maastricht",
        false,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    o.id
}

async fn person(
    store: &Store,
    org: OrgId,
    name: &str,
    email: &str,
    manager: Option<PersonId>,
) -> PersonId {
    let mut tx = store.begin_write().await.unwrap();
    let mut f = fields(name, email, None);
    f.manager_id = manager;
    let id = people::insert(&mut tx, org, &f).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn migrations_are_idempotent() {
    for db in both().await {
        assert_eq!(
            integer_store::migrate::run(&db.store).await.unwrap(),
            0,
            "{}",
            db.name
        );
        assert!(db.store.ping().await);
    }
}

#[tokio::test]
async fn organisations_are_isolated() {
    for TestDb { store, name, .. } in both().await {
        let a = org(&store, "org-a").await;
        let b = org(&store, "org-b").await;
        let anna = person(&store, a, "Anna", "anna@a.nl", None).await;
        let mut conn = store.conn().await.unwrap();
        assert!(
            people::get(&mut conn, a, anna).await.unwrap().is_some(),
            "{name}"
        );
        assert!(
            people::get(&mut conn, b, anna).await.unwrap().is_none(),
            "{name}: another org's id must not resolve"
        );
        let list = people::list(&mut conn, b, Scope::Organisation, "", 1, 10)
            .await
            .unwrap();
        assert_eq!(list.total, 0, "{name}");
        // The same e-mail may exist in two organisations, not twice in one.
        drop(conn);
        person(&store, b, "Anna B", "anna@a.nl", None).await;
        let mut tx = store.begin_write().await.unwrap();
        let dup = people::insert(&mut tx, a, &fields("Dup", "anna@a.nl", None)).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict(_))),
            "{name}: {dup:?}"
        );
        // A manager from another organisation is refused.
        let mut f = fields("X", "x@b.nl", None);
        f.manager_id = Some(anna);
        assert!(people::insert(&mut tx, b, &f).await.is_err(), "{name}");
    }
}

#[tokio::test]
async fn people_search_pages_and_scopes() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let boss = person(&store, o, "Bea Baas", "bea@o.nl", None).await;
        for i in 0..30 {
            let manager = if i < 3 { Some(boss) } else { None };
            person(
                &store,
                o,
                &format!("Medewerker {i:02}"),
                &format!("m{i}@o.nl"),
                manager,
            )
            .await;
        }
        let mut conn = store.conn().await.unwrap();
        let all = people::list(&mut conn, o, Scope::Organisation, "", 1, 10)
            .await
            .unwrap();
        assert_eq!(
            (all.total, all.items.len(), all.pages()),
            (31, 10, 4),
            "{name}"
        );
        let last = people::list(&mut conn, o, Scope::Organisation, "", 4, 10)
            .await
            .unwrap();
        assert_eq!(last.items.len(), 1, "{name}");
        let found = people::list(&mut conn, o, Scope::Organisation, "MEDEWERKER 1", 1, 50)
            .await
            .unwrap();
        assert_eq!(found.total, 10, "{name}: case-insensitive search");
        let literal = people::list(&mut conn, o, Scope::Organisation, "%", 1, 50)
            .await
            .unwrap();
        assert_eq!(literal.total, 0, "{name}: LIKE wildcards are escaped");
        let team = people::list(&mut conn, o, Scope::Team(boss), "", 1, 50)
            .await
            .unwrap();
        assert_eq!(team.total, 3, "{name}");
        let own = people::list(&mut conn, o, Scope::Own(boss), "", 1, 50)
            .await
            .unwrap();
        assert_eq!(own.total, 1, "{name}");
        let report = team.items[0].id;
        assert_eq!(
            people::relation(&mut conn, o, boss, report).await.unwrap(),
            Relation::DirectReport
        );
        assert_eq!(
            people::relation(&mut conn, o, report, boss).await.unwrap(),
            Relation::None
        );
        assert_eq!(
            people::relation(&mut conn, o, boss, boss).await.unwrap(),
            Relation::Own
        );
    }
}

#[tokio::test]
async fn roles_and_units() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let p = person(&store, o, "Piet", "piet@o.nl", None).await;
        let mut tx = store.begin_write().await.unwrap();
        people::set_roles(&mut tx, o, p, &[Role::Employee, Role::Hr, Role::Admin])
            .await
            .unwrap();
        people::add_roles(&mut tx, o, p, &[Role::Hr, Role::Manager])
            .await
            .unwrap();
        let dir = units::create(&mut tx, o, None, "Directie Ruimte", UnitKind::Directorate)
            .await
            .unwrap();
        let team = units::create(&mut tx, o, Some(dir), "Team Wonen", UnitKind::Team)
            .await
            .unwrap();
        let again = units::create(&mut tx, o, Some(dir), "Team Wonen", UnitKind::Team).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{name}");
        let path = units::find_or_create_path(
            &mut tx,
            o,
            &["Directie Ruimte".into(), "Team Wonen".into()],
        )
        .await
        .unwrap();
        assert_eq!(path, Some(team), "{name}");
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        assert_eq!(
            people::roles(&mut conn, p).await.unwrap(),
            vec![Role::Employee, Role::Manager, Role::Hr, Role::Admin],
            "{name}"
        );
        let all = units::list(&mut conn, o).await.unwrap();
        let tree = units::tree(&all);
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].children[0].unit.name, "Team Wonen");
        assert_eq!(units::path_of(&all, team), "Directie Ruimte / Team Wonen");
    }
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_nothing() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let mut tx = store.begin_write().await.unwrap();
        people::insert(&mut tx, o, &fields("Weg", "weg@o.nl", None))
            .await
            .unwrap();
        audit::append(
            &mut tx,
            &audit::event(
                Some(o.0),
                "cli",
                Credential::Cli,
                "x",
                "y",
                1,
                serde_json::json!({}),
            ),
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        assert_eq!(people::count(&mut conn, o).await.unwrap(), 0, "{name}");
        drop(conn);
        assert!(
            audit::verify(&store).await.unwrap().result.is_ok(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn import_is_idempotent_and_resolves_managers_later_in_the_file() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let csv = "employee_number,email,name,unit,manager,roles\n\
                   2,b@o.nl,Bram,Directie / Team A,1,\n\
                   1,a@o.nl,Anna,Directie,,manager\n";
        let parsed = parse_people_csv(csv.as_bytes()).unwrap();
        for round in 0..2 {
            let mut tx = store.begin_write().await.unwrap();
            let report = import::apply(&mut tx, o, &parsed, false, &|_| {})
                .await
                .unwrap();
            assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
            if round == 0 {
                assert_eq!((report.created, report.updated), (2, 0), "{name}");
            } else {
                assert_eq!((report.created, report.updated), (0, 2), "{name}");
            }
            tx.commit().await.unwrap();
        }
        let mut conn = store.conn().await.unwrap();
        assert_eq!(
            people::count(&mut conn, o).await.unwrap(),
            2,
            "{name}: never duplicates"
        );
        let anna = people::by_employee_number(&mut conn, o, "1")
            .await
            .unwrap()
            .unwrap();
        let bram = people::by_employee_number(&mut conn, o, "2")
            .await
            .unwrap()
            .unwrap();
        let b = people::get(&mut conn, o, bram).await.unwrap().unwrap();
        assert_eq!(b.manager_id, Some(anna), "{name}");
        assert_eq!(b.unit_name.as_deref(), Some("Team A"), "{name}");
        let a = people::get(&mut conn, o, anna).await.unwrap().unwrap();
        assert!(
            a.roles.contains(&Role::Manager) && a.roles.contains(&Role::Employee),
            "{name}"
        );
    }
}

#[tokio::test]
async fn import_reports_bad_lines_and_cycles() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let csv = "employee_number,email,name,manager\n\
                   1,a@o.nl,Anna,2\n\
                   2,b@o.nl,Bram,1\n\
                   3,c@o.nl,Cor,99\n\
                   4,d@o.nl,Dirk,\n";
        let parsed = parse_people_csv(csv.as_bytes()).unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let report = import::apply(&mut tx, o, &parsed, false, &|_| {})
            .await
            .unwrap();
        let lines: Vec<(u64, &str)> = report
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert!(
            lines.contains(&(2, "manager")) && lines.contains(&(3, "manager")),
            "{name}: {lines:?}"
        );
        assert!(
            lines.contains(&(4, "manager")),
            "{name}: unknown manager: {lines:?}"
        );
        assert_eq!(
            (report.created, report.updated),
            (0, 0),
            "{name}: nothing written"
        );
        tx.rollback().await.unwrap();
        // With skip_invalid only the good line goes in.
        let mut tx = store.begin_write().await.unwrap();
        let report = import::apply(&mut tx, o, &parsed, true, &|_| {})
            .await
            .unwrap();
        assert_eq!(report.created, 1, "{name}");
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        assert_eq!(people::count(&mut conn, o).await.unwrap(), 1, "{name}");
    }
}

#[tokio::test]
async fn import_refuses_an_email_that_belongs_to_someone_else() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let mut tx = store.begin_write().await.unwrap();
        people::insert(&mut tx, o, &fields("Anna", "a@o.nl", Some("1")))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let parsed =
            parse_people_csv(b"employee_number,email,name\n2,a@o.nl,Other Anna\n").unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let report = import::apply(&mut tx, o, &parsed, false, &|_| {})
            .await
            .unwrap();
        assert_eq!(report.errors.len(), 1, "{name}");
        assert_eq!(report.errors[0].column, "email", "{name}");
    }
}

#[tokio::test]
async fn audit_chain_detects_a_changed_row() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        for i in 0..5 {
            let mut tx = store.begin_write().await.unwrap();
            audit::append(
                &mut tx,
                &audit::event(
                    Some(o.0),
                    "cli",
                    Credential::Cli,
                    "test.event",
                    "thing",
                    i,
                    serde_json::json!({"i": i}),
                ),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let v = audit::verify(&store).await.unwrap();
        assert_eq!((v.rows_checked, v.result.clone()), (5, Ok(())), "{name}");
        // The trail refuses changes through the application's own SQL...
        let mut conn = store.conn().await.unwrap();
        let blocked = sqlx::query("UPDATE audit_log SET action = 'x' WHERE seq = 3")
            .execute(&mut *conn)
            .await;
        assert!(blocked.is_err(), "{name}: append-only trigger");
        // ...and someone who removes the guard is still caught.
        let drop_guard = if store.backend() == integer_store::Backend::Sqlite {
            "DROP TRIGGER audit_log_no_update"
        } else {
            "DROP TRIGGER audit_log_no_update ON audit_log"
        };
        sqlx::raw_sql(drop_guard).execute(&mut *conn).await.unwrap();
        sqlx::query("UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 3")
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let v = audit::verify(&store).await.unwrap();
        assert_eq!(v.result, Err(ChainBreak::Changed { seq: 3 }), "{name}");
    }
}

#[tokio::test]
async fn concurrent_writers_keep_one_chain() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let mut tasks = Vec::new();
        for i in 0..16 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = store.begin_write().await.unwrap();
                people::insert(
                    &mut tx,
                    o,
                    &fields(&format!("P{i}"), &format!("p{i}@o.nl"), None),
                )
                .await
                .unwrap();
                audit::append(
                    &mut tx,
                    &audit::event(
                        Some(o.0),
                        "cli",
                        Credential::Cli,
                        "person.created",
                        "person",
                        i,
                        serde_json::json!({}),
                    ),
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let v = audit::verify(&store).await.unwrap();
        assert_eq!((v.rows_checked, v.result), (16, Ok(())), "{name}");
    }
}

#[tokio::test]
async fn sessions_time_out_and_throttling_counts() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let p = person(&store, o, "Sam", "sam@o.nl", None).await;
        let mut conn = store.conn().await.unwrap();
        let (secret, record) = sessions::create(&mut conn, o, p).await.unwrap();
        assert_ne!(secret, record.id_hash, "{name}: only the hash is stored");
        assert!(
            sessions::load(&mut conn, &secret, 60, 3600)
                .await
                .unwrap()
                .is_some(),
            "{name}"
        );
        assert!(
            sessions::load(&mut conn, "wrong", 60, 3600)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        // Idle time-out: pretend the last activity was long ago.
        sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 7200")
            .execute(&mut *conn)
            .await
            .unwrap();
        assert!(
            sessions::load(&mut conn, &secret, 60, 100_000)
                .await
                .unwrap()
                .is_none(),
            "{name}: idle"
        );
        let (secret2, _) = sessions::create(&mut conn, o, p).await.unwrap();
        sqlx::query("UPDATE sessions SET created_at = created_at - 90000")
            .execute(&mut *conn)
            .await
            .unwrap();
        assert!(
            sessions::load(&mut conn, &secret2, 1_000_000, 3600)
                .await
                .unwrap()
                .is_none(),
            "{name}: absolute"
        );

        for _ in 0..3 {
            sessions::record_failure(&mut conn, "k").await.unwrap();
        }
        assert_eq!(
            sessions::recent_failures(&mut conn, "k", 900)
                .await
                .unwrap(),
            3,
            "{name}"
        );
        sessions::clear_failures(&mut conn, "k").await.unwrap();
        assert_eq!(
            sessions::recent_failures(&mut conn, "k", 900)
                .await
                .unwrap(),
            0,
            "{name}"
        );
    }
}

#[tokio::test]
async fn api_tokens_are_hashed_and_revocable() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let p = person(&store, o, "Tom", "tom@o.nl", None).await;
        let mut conn = store.conn().await.unwrap();
        let (id, token) = tokens::create(&mut conn, o, p, "test").await.unwrap();
        assert!(token.starts_with(tokens::PREFIX));
        let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_ne!(stored, token, "{name}");
        assert_eq!(
            tokens::authenticate(&mut conn, &token)
                .await
                .unwrap()
                .map(|t| t.2),
            Some(p),
            "{name}"
        );
        assert!(tokens::revoke(&mut conn, o, id).await.unwrap());
        assert!(
            tokens::authenticate(&mut conn, &token)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn seeding_builds_a_hierarchy() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "seeded").await;
        let data = integer_domain::synthetic::generate("seeded", 1200);
        let mut tx = store.begin_write().await.unwrap();
        let ids = integer_store::seed::insert(&mut tx, o, &data, &|_| {})
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ids.len(), 1200, "{name}");
        let mut conn = store.conn().await.unwrap();
        assert_eq!(people::count(&mut conn, o).await.unwrap(), 1200, "{name}");
        // Every manager link points at the person the data names.
        for (i, p) in data.people.iter().enumerate().step_by(97) {
            let got = people::get(&mut conn, o, PersonId(ids[i]))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                got.manager_id,
                p.manager.map(|m| PersonId(ids[m])),
                "{name}"
            );
            assert_eq!(got.email, p.email);
        }
        for role in Role::ALL {
            assert!(
                !people::with_role(&mut conn, o, role)
                    .await
                    .unwrap()
                    .is_empty(),
                "{name}: {role:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_partial_import_changes_only_its_columns() {
    for TestDb { store, name, .. } in both().await {
        let o = org(&store, "org").await;
        let full = parse_people_csv(
            b"employee_number,email,name,function_title,salary_scale,start_date,top_official\n7,z@o.nl,Zoe,Jurist,11,2020-01-01,ja\n",
        )
        .unwrap();
        let narrow =
            parse_people_csv(b"employee_number,email,name\n7,z@o.nl,Zoe Zandstra\n").unwrap();
        let cleared =
            parse_people_csv(b"employee_number,email,name,salary_scale\n7,z@o.nl,Zoe Zandstra,\n")
                .unwrap();
        for parsed in [&full, &narrow] {
            let mut tx = store.begin_write().await.unwrap();
            import::apply(&mut tx, o, parsed, false, &|_| {})
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let mut conn = store.conn().await.unwrap();
        let id = people::by_employee_number(&mut conn, o, "7")
            .await
            .unwrap()
            .unwrap();
        let p = people::get(&mut conn, o, id).await.unwrap().unwrap();
        assert_eq!(p.name, "Zoe Zandstra", "{name}");
        assert_eq!(
            p.function_title.as_deref(),
            Some("Jurist"),
            "{name}: absent column kept"
        );
        assert_eq!(p.salary_scale, Some(11), "{name}");
        assert_eq!(p.start_date.as_deref(), Some("2020-01-01"), "{name}");
        assert!(p.top_official, "{name}");
        drop(conn);
        let mut tx = store.begin_write().await.unwrap();
        import::apply(&mut tx, o, &cleared, false, &|_| {})
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let p = people::get(&mut conn, o, id).await.unwrap().unwrap();
        assert_eq!(
            p.salary_scale, None,
            "{name}: an empty cell in a present column clears"
        );
        assert_eq!(p.function_title.as_deref(), Some("Jurist"), "{name}");
        // The search still finds the employee number kept from the record.
        let found = people::list(&mut conn, o, Scope::Organisation, "7", 1, 10)
            .await
            .unwrap();
        assert_eq!(found.total, 1, "{name}");
    }
}

/// A consultation for the counsellors' log, from the form's codes.
fn consultation(
    date: &str,
    topic: &str,
    behaviour: &str,
    actions: &[&str],
) -> integer_domain::counsel::Consultation {
    use integer_domain::counsel::{ConsultationInput, parse_consultation};
    let input = ConsultationInput {
        date,
        topic,
        behaviour,
        visitor: "employee",
        actions: actions.to_vec(),
        contacts: "2",
        contact: "first",
    };
    parse_consultation(&input, jiff::civil::date(2025, 12, 31)).expect("a valid consultation")
}

#[tokio::test]
async fn the_counsellors_log_keeps_entries_to_their_author_and_counts_them() {
    use integer_store::counsellor_log::{self as log, Author};
    for TestDb { store, name, .. } in both().await {
        let a = org(&store, "org-a").await;
        let b = org(&store, "org-b").await;
        let c1 = person(&store, a, "Vera", "vera@a.nl", None).await;
        let c2 = person(&store, a, "Wim", "wim@a.nl", None).await;
        let author = |p: PersonId| Author {
            person: p,
            actor: format!("person:{}", p.0),
            credential: Credential::Session,
        };
        let mut tx = store.begin_write().await.unwrap();
        let first = log::add(
            &mut tx,
            a,
            &author(c1),
            &consultation(
                "2025-03-01",
                "undesirable_behaviour",
                "bullying",
                &["listening"],
            ),
        )
        .await
        .unwrap();
        let second = log::add(
            &mut tx,
            a,
            &author(c1),
            &consultation(
                "2025-05-01",
                "integrity_question",
                "",
                &["advice", "referral"],
            ),
        )
        .await
        .unwrap();
        log::add(
            &mut tx,
            a,
            &author(c2),
            &consultation(
                "2025-04-01",
                "undesirable_behaviour",
                "bullying",
                &["advice"],
            ),
        )
        .await
        .unwrap();
        // Another year does not count in 2025.
        log::add(
            &mut tx,
            a,
            &author(c2),
            &consultation("2024-12-31", "other", "", &["advice"]),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut conn = store.conn().await.unwrap();
        let mine = log::list(&mut conn, a, Scope::Own(c1), 2025).await.unwrap();
        assert_eq!(
            mine.iter().map(|e| e.id).collect::<Vec<_>>(),
            [second, first],
            "{name}: own entries, most recent first"
        );
        assert_eq!(mine[0].actions, ["advice", "referral"], "{name}");
        assert_eq!(mine[1].behaviour.as_deref(), Some("bullying"), "{name}");
        assert_eq!(
            log::list(&mut conn, a, Scope::Own(c2), 2025)
                .await
                .unwrap()
                .len(),
            1,
            "{name}"
        );
        assert!(
            log::list(&mut conn, a, Scope::Organisation, 2025)
                .await
                .unwrap()
                .is_empty(),
            "{name}: never listed organisation-wide"
        );
        assert!(
            log::get(&mut conn, a, Scope::Own(c2), first)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            log::get(&mut conn, b, Scope::Own(c1), first)
                .await
                .unwrap()
                .is_none()
        );

        let counts = log::counts(&mut conn, a, 2025).await.unwrap();
        assert_eq!(counts.consultations, 3, "{name}");
        assert_eq!(counts.contacts, 6, "{name}");
        assert_eq!(counts.first_contacts, 3, "{name}");
        let n = |g: &log::Group, code: &str| g.iter().find(|(c, _)| c == code).unwrap().1;
        assert_eq!(n(&counts.by_topic, "undesirable_behaviour"), 2, "{name}");
        assert_eq!(n(&counts.by_topic, "integrity_concern"), 0, "{name}");
        assert_eq!(n(&counts.by_behaviour, "bullying"), 2, "{name}");
        assert_eq!(n(&counts.by_visitor, "employee"), 3, "{name}");
        assert_eq!(n(&counts.by_action, "advice"), 2, "{name}");
        assert_eq!(counts.by_action.len(), 6, "{name}: every action listed");
        assert_eq!(
            log::counts(&mut conn, b, 2025).await.unwrap().consultations,
            0,
            "{name}: another organisation counts apart"
        );
        drop(conn);

        // Corrections: the author only, compare-and-set, not across years.
        let fixed = consultation("2025-03-02", "integrity_concern", "", &["mediation"]);
        let mut tx = store.begin_write().await.unwrap();
        assert!(matches!(
            log::correct(&mut tx, a, &author(c2), first, 1, &fixed).await,
            Err(StoreError::Conflict(_))
        ));
        log::correct(&mut tx, a, &author(c1), first, 1, &fixed)
            .await
            .unwrap();
        assert!(
            matches!(
                log::correct(&mut tx, a, &author(c1), first, 1, &fixed).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: a stale version is refused"
        );
        let other_year = consultation("2024-03-02", "other", "", &["advice"]);
        assert!(
            matches!(
                log::correct(&mut tx, a, &author(c1), first, 2, &other_year).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: an entry never moves to another year"
        );
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let e = log::get(&mut conn, a, Scope::Own(c1), first)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (e.version, e.topic.as_str(), e.behaviour, e.actions.clone()),
            (2, "integrity_concern", None, vec!["mediation".to_string()]),
            "{name}"
        );
        drop(conn);

        // Deletion: the author only.
        let mut tx = store.begin_write().await.unwrap();
        assert!(matches!(
            log::delete(&mut tx, a, &author(c2), first, 2).await,
            Err(StoreError::Conflict(_))
        ));
        log::delete(&mut tx, a, &author(c1), first, 2)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        assert_eq!(
            log::counts(&mut conn, a, 2025).await.unwrap().consultations,
            2,
            "{name}"
        );
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE object_type = 'counsellor_log'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(audited, 6, "{name}: four added, one corrected, one deleted");
        drop(conn);
        assert!(
            audit::verify(&store).await.unwrap().result.is_ok(),
            "{name}"
        );
    }
}
