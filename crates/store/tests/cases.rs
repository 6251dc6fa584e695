//! The reporting point's cases on SQLite and PostgreSQL: filing seals the
//! content and opens it again, numbers per organisation and year, need to
//! know (team, named), compare-and-set steps and clocks, the mailbox, key
//! rotation and crypto-shredding.

use integer_domain::authz::Relation;
use integer_domain::case::{CaseKind, Channel, Finding, IdentityMode, State, TeamRole};
use integer_domain::crypto::InstallationKey;
use integer_domain::org::{OrgId, PersonId, Role};
use integer_domain::values::Slug;
use integer_store::cases::{self, EntryKind, Identity, NewCase, NewFile};
use integer_store::testing::{TestDb, add_person, both};
use integer_store::{Store, StoreError, orgs};

async fn org(store: &Store, slug: &str) -> OrgId {
    let mut tx = store.begin_write().await.unwrap();
    let id = orgs::create(
        &mut tx,
        &Slug::parse(slug).unwrap(),
        slug,
        "maastricht",
        false,
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    id
}

fn new_case(text: &str, team: Vec<(PersonId, TeamRole)>, receipt: &str) -> NewCase {
    NewCase {
        kind: CaseKind::Report,
        channel: Channel::WebPublic,
        identity_mode: IdentityMode::Confidential,
        category: Some("fraud".into()),
        title: "Kas".into(),
        body: text.into(),
        identity: Some(Identity {
            name: "Jan Melder".into(),
            email: "jan@example.org".into(),
            phone: String::new(),
            person_id: None,
        }),
        reporter_tag: None,
        created_by: None,
        received_at: 1_790_000_000,
        receipt_hash: receipt.into(),
        named: Vec::new(),
        files: vec![NewFile {
            name: "bon.pdf".into(),
            mime: "application/pdf".into(),
            content: b"%PDF-1.7 kasbon".to_vec(),
        }],
        team,
        alternate: false,
    }
}

#[tokio::test]
async fn cases_seal_route_step_and_shred() {
    for TestDb { store, name, .. } in both().await {
        let key = InstallationKey::generate();
        let a = org(&store, "case-a").await;
        let b = org(&store, "case-b").await;
        let owner = add_person(&store, a, "Olga", "olga@a.nl", Role::IntegrityOffice, None).await;
        let other = add_person(&store, a, "Otto", "otto@a.nl", Role::IntegrityOffice, None).await;
        let named = add_person(&store, a, "Nico", "nico@a.nl", Role::Manager, None).await;

        let mut tx = store.begin_write().await.unwrap();
        let first = cases::create(
            &mut tx,
            &key,
            a,
            &new_case("geld uit de kas", vec![(owner, TeamRole::Owner)], "h1"),
        )
        .await
        .unwrap();
        let second = cases::create(
            &mut tx,
            &key,
            a,
            &new_case("tweede", vec![(owner, TeamRole::Owner)], "h2"),
        )
        .await
        .unwrap();
        let elsewhere = cases::create(&mut tx, &key, b, &new_case("elders", vec![], "h3"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(first.number, "2026-0001", "{name}");
        assert_eq!(second.number, "2026-0002", "{name}");
        assert_eq!(
            elsewhere.number, "2026-0001",
            "{name}: numbers per organisation"
        );

        let mut conn = store.conn().await.unwrap();
        // Sealed at rest, open through the module.
        let raw: Vec<u8> = integer_store::testing::bytes(
            &mut conn,
            "SELECT body FROM cases WHERE id = $1",
            first.id,
        )
        .await;
        assert!(!raw.windows(4).any(|w| w == b"kas "), "{name}");
        let c = cases::get(&mut conn, &key, a, first.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.body, "geld uit de kas");
        assert_eq!(c.state, State::Received);
        assert_eq!(
            c.ack_due, "2026-09-28",
            "{name}: 7 Dutch days after receipt"
        );
        assert!(
            cases::get(&mut conn, &key, b, first.id)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        assert_eq!(
            cases::identity(&mut conn, &key, first.id)
                .await
                .unwrap()
                .unwrap()
                .name,
            "Jan Melder"
        );
        let files = cases::files(&mut conn, &key, first.id).await.unwrap();
        let (meta, content) = cases::file(&mut conn, &key, first.id, files[0].id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (meta.name.as_str(), content.as_slice()),
            ("bon.pdf", b"%PDF-1.7 kasbon".as_slice())
        );
        // Another installation key opens nothing.
        assert!(
            cases::get(&mut conn, &InstallationKey::generate(), a, first.id)
                .await
                .is_err(),
            "{name}"
        );

        // Need to know.
        assert_eq!(
            cases::relation(&mut conn, &key, a, first.id, owner)
                .await
                .unwrap(),
            Some(Relation::CaseTeam)
        );
        assert_eq!(
            cases::relation(&mut conn, &key, a, first.id, other)
                .await
                .unwrap(),
            Some(Relation::None)
        );
        assert_eq!(
            cases::relation(&mut conn, &key, b, first.id, owner)
                .await
                .unwrap(),
            None
        );
        drop(conn);
        let mut tx = store.begin_write().await.unwrap();
        cases::set_team_member(&mut tx, &key, a, first.id, named, TeamRole::Member, owner)
            .await
            .unwrap();
        cases::add_named(&mut tx, &key, a, first.id, named)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        assert_eq!(
            cases::relation(&mut conn, &key, a, first.id, named)
                .await
                .unwrap(),
            Some(Relation::Named),
            "{name}"
        );
        assert!(
            cases::list_for(&mut conn, &key, a, named)
                .await
                .unwrap()
                .is_empty(),
            "{name}: named left the team"
        );
        let mut tx = store.begin_write().await.unwrap();
        let refused =
            cases::set_team_member(&mut tx, &key, a, first.id, named, TeamRole::Member, owner)
                .await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{name}");
        drop(tx);
        assert_eq!(
            cases::list_for(&mut conn, &key, a, owner)
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            cases::named(&mut conn, &key, first.id).await.unwrap()[0].1,
            "Nico"
        );

        // Steps are compare-and-set; acknowledging starts the 3-month clock.
        let mut tx = store.begin_write().await.unwrap();
        cases::mark(&mut tx, a, first.id, c.version, cases::Mark::Acknowledged)
            .await
            .unwrap();
        let stale = cases::transition(
            &mut tx,
            &key,
            a,
            first.id,
            c.version,
            State::Intake,
            None,
            None,
            &[],
            5,
        )
        .await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{name}");
        let c = cases::get(&mut tx, &key, a, first.id)
            .await
            .unwrap()
            .unwrap();
        assert!(c.feedback_due.is_some());
        cases::transition(
            &mut tx,
            &key,
            a,
            first.id,
            c.version,
            State::NotPursued,
            Some("buiten onze bevoegdheid"),
            None,
            &[],
            5,
        )
        .await
        .unwrap();
        cases::add_entry(
            &mut tx,
            &key,
            first.id,
            EntryKind::ToReporter,
            Some(owner),
            "Wij nemen het niet in behandeling",
            &[],
        )
        .await
        .unwrap();
        cases::add_entry(
            &mut tx,
            &key,
            first.id,
            EntryKind::Note,
            Some(owner),
            "intern",
            &[],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let c = cases::get(&mut conn, &key, a, first.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.state, State::NotPursued);
        assert_eq!(c.exit_reason.as_deref(), Some("buiten onze bevoegdheid"));
        assert!(c.retention_until.is_some());
        let for_reporter = cases::entries(&mut conn, &key, first.id, true)
            .await
            .unwrap();
        assert!(for_reporter.iter().all(|e| e.body != "intern"), "{name}");
        assert!(
            for_reporter
                .iter()
                .any(|e| e.body == "Wij nemen het niet in behandeling")
        );

        // Mailbox lookup by the receipt hash, per organisation.
        assert_eq!(
            cases::mailbox_case(&mut conn, a, "h1").await.unwrap(),
            Some(first.id)
        );
        assert_eq!(cases::mailbox_case(&mut conn, b, "h1").await.unwrap(), None);

        // Key rotation re-wraps every key; the old key no longer opens.
        let new_key = InstallationKey::generate();
        let mut tx = store.begin_write().await.unwrap();
        assert_eq!(cases::rewrap_all(&mut tx, &key, &new_key).await.unwrap(), 3);
        tx.commit().await.unwrap();
        assert_eq!(
            cases::get(&mut conn, &new_key, a, second.id)
                .await
                .unwrap()
                .unwrap()
                .body,
            "tweede"
        );
        assert!(cases::get(&mut conn, &key, a, second.id).await.is_err());

        // Shredding: only expired cases, and nothing of them remains.
        let later = integer_domain::case::local_date(jiff::Timestamp::now())
            .checked_add(jiff::Span::new().years(6))
            .unwrap();
        let expired = cases::expired(&mut conn, later).await.unwrap();
        assert_eq!(
            expired.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![first.id],
            "{name}"
        );
        let mut tx = store.begin_write().await.unwrap();
        cases::shred(&mut tx, first.id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            cases::get(&mut conn, &new_key, a, first.id)
                .await
                .unwrap()
                .is_none()
        );
        for table in [
            "case_keys",
            "case_files",
            "case_entries",
            "case_identities",
            "case_named",
            "case_mailboxes",
        ] {
            let left = integer_store::testing::count(
                &mut conn,
                &format!("{table} WHERE case_id = {}", first.id),
            )
            .await;
            assert_eq!(left, 0, "{name}: {table}");
        }
        let _ = Finding::Proven;
    }
}

#[tokio::test]
async fn concurrent_reports_get_distinct_numbers() {
    for TestDb { store, name, .. } in both().await {
        let key = InstallationKey::generate();
        let a = org(&store, "case-c").await;
        let mut tasks = Vec::new();
        for i in 0..12 {
            let store = store.clone();
            let key = key.clone();
            tasks.push(tokio::spawn(async move {
                for attempt in 0..20 {
                    let mut tx = store.begin_write().await.unwrap();
                    match cases::create(
                        &mut tx,
                        &key,
                        a,
                        &new_case("gelijktijdig", vec![], &format!("r{i}")),
                    )
                    .await
                    {
                        Ok(c) => {
                            tx.commit().await.unwrap();
                            return c.number;
                        }
                        Err(e) if attempt < 19 => {
                            drop(tx);
                            let _ = e;
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
                unreachable!()
            }));
        }
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.unwrap());
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 12, "{name}");
    }
}

#[tokio::test]
async fn clocks_remind_the_owner_once_and_escalate_to_the_team() {
    for TestDb { store, name, .. } in both().await {
        let key = InstallationKey::generate();
        let a = org(&store, "case-r").await;
        let owner = add_person(&store, a, "Olga", "olga@r.nl", Role::IntegrityOffice, None).await;
        let member = add_person(&store, a, "Mo", "mo@r.nl", Role::IntegrityOffice, None).await;
        let mut tx = store.begin_write().await.unwrap();
        // Received 2026-09-21: acknowledgement due 2026-09-28.
        let c = cases::create(
            &mut tx,
            &key,
            a,
            &new_case(
                "klok",
                vec![(owner, TeamRole::Owner), (member, TeamRole::Member)],
                "hr",
            ),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let day = |d: &str| d.parse::<jiff::civil::Date>().unwrap();
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            cases::send_reminders(&mut tx, day("2026-09-22"))
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
        let soon = cases::send_reminders(&mut tx, day("2026-09-26"))
            .await
            .unwrap();
        assert_eq!(soon.len(), 1, "{name}");
        assert_eq!(
            (soon[0].clock, soon[0].stage, soon[0].to.clone()),
            ("acknowledgement", "due_soon", vec![owner])
        );
        // Once only.
        assert!(
            cases::send_reminders(&mut tx, day("2026-09-27"))
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
        let late = cases::send_reminders(&mut tx, day("2026-09-29"))
            .await
            .unwrap();
        assert_eq!(late.len(), 1, "{name}");
        assert_eq!(late[0].stage, "overdue");
        let mut to = late[0].to.clone();
        to.sort_by_key(|p| p.0);
        assert_eq!(to, vec![owner, member], "{name}");
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let notes =
            integer_store::testing::count(&mut conn, "notifications WHERE kind = 'case.deadline'")
                .await;
        assert_eq!(notes, 3, "{name}");
        let _ = c;
    }
}

#[tokio::test]
async fn settings_default_and_upsert() {
    for TestDb { store, name, .. } in both().await {
        let a = org(&store, "case-s").await;
        let mut conn = store.conn().await.unwrap();
        assert_eq!(
            cases::settings(&mut conn, a).await.unwrap(),
            cases::Settings::default(),
            "{name}"
        );
        for years in [3, 9] {
            let wanted = cases::Settings {
                auto_acknowledge: years == 3,
                retention_years: years,
            };
            cases::set_settings(&mut conn, a, wanted).await.unwrap();
            assert_eq!(
                cases::settings(&mut conn, a).await.unwrap(),
                wanted,
                "{name}"
            );
        }
    }
}
