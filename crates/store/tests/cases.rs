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

        // Need to know: the owner handles the report (Wbk art. 1a).
        assert_eq!(
            cases::relation(&mut conn, &key, a, first.id, owner)
                .await
                .unwrap(),
            Some(Relation::CaseHandler)
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

/// A case to put through the Wbk stories: `created_by` set makes it the
/// minutes of an oral report.
fn wbk_case(
    mode: IdentityMode,
    team: Vec<(PersonId, TeamRole)>,
    receipt: &str,
    created_by: Option<PersonId>,
) -> NewCase {
    NewCase {
        identity_mode: mode,
        created_by,
        body: "Verslag: de melder zag contant geld wisselen.".into(),
        files: Vec::new(),
        ..new_case("wbk", team, receipt)
    }
}

#[tokio::test]
async fn the_feedback_clock_runs_without_an_acknowledgement() {
    use integer_domain::case::feedback_due;
    for TestDb { store, name, .. } in both().await {
        let key = InstallationKey::generate();
        let a = org(&store, "case-clock").await;
        let owner = add_person(&store, a, "Olga", "olga@k.nl", Role::IntegrityOffice, None).await;
        let mut tx = store.begin_write().await.unwrap();
        // Received on 21 September 2026: the 7 days end on 28 September,
        // so the 3 months end on 28 December, acknowledged or not.
        let old = cases::create(
            &mut tx,
            &key,
            a,
            &new_case("oud", vec![(owner, TeamRole::Owner)], "k1"),
        )
        .await
        .unwrap();
        let mut fresh = new_case("nieuw", vec![(owner, TeamRole::Owner)], "k2");
        fresh.received_at = integer_store::now();
        let fresh = cases::create(&mut tx, &key, a, &fresh).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let c = cases::get(&mut conn, &key, a, old.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.feedback_due.as_deref(), Some("2026-12-28"), "{name}");
        let day = |d: &str| d.parse::<jiff::civil::Date>().unwrap();
        assert_eq!(
            c.feedback_clock(day("2026-12-20")),
            integer_domain::case::Clock::Running {
                due: day("2026-12-28"),
                days_left: 8
            },
            "{name}: running without an acknowledgement"
        );
        drop(conn);
        // Acknowledged long after the 7 days: the clock does not move.
        let mut tx = store.begin_write().await.unwrap();
        cases::mark(&mut tx, a, old.id, c.version, cases::Mark::Acknowledged)
            .await
            .unwrap();
        let c = cases::get(&mut tx, &key, a, old.id).await.unwrap().unwrap();
        assert_eq!(c.feedback_due.as_deref(), Some("2026-12-28"), "{name}");
        // Acknowledged at once: three months from today.
        let f = cases::get(&mut tx, &key, a, fresh.id)
            .await
            .unwrap()
            .unwrap();
        cases::mark(&mut tx, a, fresh.id, f.version, cases::Mark::Acknowledged)
            .await
            .unwrap();
        let f = cases::get(&mut tx, &key, a, fresh.id)
            .await
            .unwrap()
            .unwrap();
        let at = |s: i64| jiff::Timestamp::from_second(s).unwrap();
        assert_eq!(
            f.feedback_due,
            Some(feedback_due(at(f.received_at), f.acknowledged_at.map(at)).to_string()),
            "{name}"
        );
        tx.commit().await.unwrap();
        // The reminder of the 3-month clock comes without an
        // acknowledgement too (the case below was never acknowledged).
        let mut tx = store.begin_write().await.unwrap();
        let never = cases::create(
            &mut tx,
            &key,
            a,
            &new_case("nooit", vec![(owner, TeamRole::Owner)], "k3"),
        )
        .await
        .unwrap();
        let sent = cases::send_reminders(&mut tx, day("2026-12-22"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            sent.iter()
                .any(|r| r.case_id == never.id && r.clock == "feedback" && r.stage == "due_soon"),
            "{name}: {sent:?}"
        );
    }
}

#[tokio::test]
async fn the_upgrade_gives_every_case_its_feedback_day() {
    for TestDb { store, name, .. } in both().await {
        let key = InstallationKey::generate();
        let a = org(&store, "case-upgrade").await;
        let mut ids = Vec::new();
        let mut tx = store.begin_write().await.unwrap();
        for i in 0..5 {
            ids.push(
                cases::create(&mut tx, &key, a, &new_case("x", vec![], &format!("u{i}")))
                    .await
                    .unwrap()
                    .id,
            );
        }
        // As a database from before 0017 has them: no due day without an
        // acknowledgement, and a late acknowledgement's later day.
        for (id, ack_due, feedback_due) in [
            (ids[0], "2026-11-30", None),
            (ids[1], "2027-11-30", None),
            (ids[2], "2026-01-31", None),
            (ids[3], "2026-03-15", Some("2026-05-01")),
            (ids[4], "2026-03-15", Some("2026-07-20")),
        ] {
            sqlx::query("UPDATE cases SET ack_due = $1, feedback_due = $2 WHERE id = $3")
                .bind(ack_due)
                .bind(feedback_due)
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        // The migration's own statement, as it runs on this backend.
        let migration = match store.backend() {
            integer_store::Backend::Sqlite => include_str!("../migrations/sqlite/0017_wbk.sql"),
            integer_store::Backend::Postgres => {
                include_str!("../migrations/postgres/0017_wbk.sql")
            }
        };
        let start = migration.find("UPDATE cases SET feedback_due").unwrap();
        let statement = &migration[start..start + migration[start..].find(';').unwrap()];
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string()))
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let mut got = Vec::new();
        for id in &ids {
            got.push(
                cases::get(&mut conn, &key, a, *id)
                    .await
                    .unwrap()
                    .unwrap()
                    .feedback_due
                    .unwrap(),
            );
        }
        assert_eq!(
            got,
            [
                "2027-02-28",
                "2028-02-29",
                "2026-04-30",
                "2026-05-01",
                "2026-06-15"
            ],
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_identity_is_disclosed_only_with_consent_or_under_the_law() {
    use integer_domain::disclosure::{self, Basis, Decision, DisclosureState, Informing};
    use integer_store::case_disclosures::{self as disclosures, NewRequest};
    for TestDb { store, name, .. } in both().await {
        let key = InstallationKey::generate();
        let a = org(&store, "case-id").await;
        let owner = add_person(&store, a, "Olga", "olga@i.nl", Role::IntegrityOffice, None).await;
        let member = add_person(&store, a, "Mo", "mo@i.nl", Role::IntegrityOffice, None).await;
        let investigator = add_person(&store, a, "Ivo", "ivo@i.nl", Role::Investigator, None).await;
        let director = add_person(&store, a, "Dirk", "dirk@i.nl", Role::Director, None).await;
        let outsider =
            add_person(&store, a, "Otto", "otto@i.nl", Role::IntegrityOffice, None).await;
        let team = vec![
            (owner, TeamRole::Owner),
            (member, TeamRole::Member),
            (investigator, TeamRole::Investigator),
            (director, TeamRole::Decider),
        ];
        let mut tx = store.begin_write().await.unwrap();
        let confidential = cases::create(
            &mut tx,
            &key,
            a,
            &wbk_case(IdentityMode::Confidential, team.clone(), "i1", None),
        )
        .await
        .unwrap()
        .id;
        let named = cases::create(
            &mut tx,
            &key,
            a,
            &wbk_case(IdentityMode::Named, team.clone(), "i2", None),
        )
        .await
        .unwrap()
        .id;
        cases::set_team_member(
            &mut tx,
            &key,
            a,
            named,
            outsider,
            TeamRole::Emergency,
            outsider,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        // Who stands where to the identity.
        let mut conn = store.conn().await.unwrap();
        let mut rel = async |case: i64, p: PersonId| {
            cases::identity_relation(&mut conn, &key, a, case, p)
                .await
                .unwrap()
        };
        assert_eq!(rel(confidential, owner).await, Some(Relation::CaseHandler));
        assert_eq!(rel(confidential, member).await, Some(Relation::CaseHandler));
        assert_eq!(
            rel(confidential, investigator).await,
            Some(Relation::CaseTeam)
        );
        assert_eq!(rel(confidential, director).await, Some(Relation::CaseTeam));
        assert_eq!(rel(confidential, outsider).await, Some(Relation::None));
        // A named reporter agreed to the team knowing; not to emergency access.
        assert_eq!(
            rel(named, investigator).await,
            Some(Relation::IdentityRecipient),
            "{name}"
        );
        assert_eq!(
            rel(named, outsider).await,
            Some(Relation::CaseTeam),
            "{name}"
        );

        // The investigator asks; the handlers decide and are the ones told.
        let ask = |recipient: &str, person: PersonId, basis: Basis, ground: &str| NewRequest {
            basis,
            recipient: recipient.into(),
            recipient_person: Some(person),
            reason: "Om de melder als getuige te horen".into(),
            ground: ground.into(),
        };
        let mut tx = store.begin_write().await.unwrap();
        let r1 = disclosures::file(
            &mut tx,
            &key,
            confidential,
            investigator,
            disclosure::initial_state(Basis::Consent, false),
            &ask(
                "Onderzoeker Ivo (extern bureau)",
                investigator,
                Basis::Consent,
                "",
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            disclosures::deciders(&mut tx, confidential, investigator)
                .await
                .unwrap(),
            vec![owner, member],
            "{name}"
        );
        assert_eq!(
            disclosures::pending_for(&mut tx, a, owner).await.unwrap(),
            vec![(confidential, "2026-0001".to_string(), r1)],
            "{name}"
        );
        assert!(
            disclosures::pending_for(&mut tx, a, investigator)
                .await
                .unwrap()
                .is_empty()
        );
        // The one who asked never decides; a handler puts it to the reporter.
        let to =
            disclosure::decide(DisclosureState::Pending, Basis::Consent, Decision::Ask).unwrap();
        assert!(matches!(
            disclosures::decide(&mut tx, &key, confidential, r1, investigator, to, None).await,
            Err(StoreError::Conflict(_))
        ));
        disclosures::decide(&mut tx, &key, confidential, r1, owner, to, None)
            .await
            .unwrap();
        assert!(
            matches!(
                disclosures::decide(&mut tx, &key, confidential, r1, member, to, None).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: decided once"
        );
        tx.commit().await.unwrap();
        // Asked, not yet answered: still nothing for the investigator.
        let mut conn = store.conn().await.unwrap();
        assert_eq!(
            cases::identity_relation(&mut conn, &key, a, confidential, investigator)
                .await
                .unwrap(),
            Some(Relation::CaseTeam)
        );
        drop(conn);
        // The reporter consents in writing.
        let mut tx = store.begin_write().await.unwrap();
        disclosures::answer(
            &mut tx,
            &key,
            confidential,
            r1,
            DisclosureState::Consented,
            "Alleen aan de onderzoeker, graag.",
        )
        .await
        .unwrap();
        assert!(matches!(
            disclosures::answer(
                &mut tx,
                &key,
                confidential,
                r1,
                DisclosureState::Refused,
                ""
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        // The director's own request is declined by a handler.
        let r2 = disclosures::file(
            &mut tx,
            &key,
            confidential,
            director,
            DisclosureState::Pending,
            &ask("De algemeen directeur", director, Basis::Consent, ""),
        )
        .await
        .unwrap();
        disclosures::decide(
            &mut tx,
            &key,
            confidential,
            r2,
            member,
            DisclosureState::Declined,
            None,
        )
        .await
        .unwrap();
        // A court order: a handler asks, a second handler confirms it and
        // writes down why the reporter is not told beforehand.
        let r3 = disclosures::file(
            &mut tx,
            &key,
            confidential,
            owner,
            disclosure::initial_state(Basis::Legal, true),
            &ask(
                "De directeur, voor de aangifte bij de politie",
                director,
                Basis::Legal,
                "Vordering van de officier van justitie, art. 126nd Sv",
            ),
        )
        .await
        .unwrap();
        let why = Informing::NotBeforehand {
            why: "Het strafrechtelijk onderzoek zou worden geschaad.".into(),
        };
        assert!(matches!(
            disclosures::decide(
                &mut tx,
                &key,
                confidential,
                r3,
                owner,
                DisclosureState::Legal,
                Some(&why)
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        disclosures::decide(
            &mut tx,
            &key,
            confidential,
            r3,
            member,
            DisclosureState::Legal,
            Some(&why),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut conn = store.conn().await.unwrap();
        for p in [investigator, director] {
            assert_eq!(
                cases::identity_relation(&mut conn, &key, a, confidential, p)
                    .await
                    .unwrap(),
                Some(Relation::IdentityRecipient),
                "{name}"
            );
        }
        let list = disclosures::list(&mut conn, &key, confidential)
            .await
            .unwrap();
        let states: Vec<_> = list.iter().map(|r| r.state).collect();
        assert_eq!(
            states,
            [
                DisclosureState::Consented,
                DisclosureState::Declined,
                DisclosureState::Legal
            ]
        );
        assert_eq!(list[0].recipient, "Onderzoeker Ivo (extern bureau)");
        assert_eq!(
            list[0].answer_note.as_deref(),
            Some("Alleen aan de onderzoeker, graag.")
        );
        assert!(list[0].asked_at.is_some() && list[0].answered_at.is_some());
        assert_eq!(
            list[2].ground.as_deref(),
            Some("Vordering van de officier van justitie, art. 126nd Sv")
        );
        assert_eq!(
            list[2].not_informed.as_deref(),
            Some("Het strafrechtelijk onderzoek zou worden geschaad.")
        );
        assert_eq!(list[2].informed_at, None);
        // Sealed at rest.
        let raw = integer_store::testing::bytes(
            &mut conn,
            "SELECT ground FROM case_identity_requests WHERE id = $1",
            r3,
        )
        .await;
        assert!(!raw.windows(7).any(|w| w == b"officie"), "{name}");
        drop(conn);
        // Told afterwards, once.
        let mut tx = store.begin_write().await.unwrap();
        disclosures::informed_later(&mut tx, confidential, r3)
            .await
            .unwrap();
        assert!(matches!(
            disclosures::informed_later(&mut tx, confidential, r3).await,
            Err(StoreError::Conflict(_))
        ));
        cases::shred(&mut tx, confidential).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        assert_eq!(
            integer_store::testing::count(
                &mut conn,
                &format!("case_identity_requests WHERE case_id = {confidential}")
            )
            .await,
            0,
            "{name}: shredded"
        );
    }
}

#[tokio::test]
async fn the_reporter_corrects_the_minutes_before_confirming_them() {
    use integer_domain::case::CorrectionState;
    use integer_store::case_minutes;
    for TestDb { store, name, .. } in both().await {
        let key = InstallationKey::generate();
        let a = org(&store, "case-minutes").await;
        let owner = add_person(&store, a, "Olga", "olga@m.nl", Role::IntegrityOffice, None).await;
        let mut tx = store.begin_write().await.unwrap();
        let oral = cases::create(
            &mut tx,
            &key,
            a,
            &wbk_case(
                IdentityMode::Anonymous,
                vec![(owner, TeamRole::Owner)],
                "m1",
                Some(owner),
            ),
        )
        .await
        .unwrap()
        .id;
        let written = cases::create(
            &mut tx,
            &key,
            a,
            &wbk_case(
                IdentityMode::Anonymous,
                vec![(owner, TeamRole::Owner)],
                "m2",
                None,
            ),
        )
        .await
        .unwrap()
        .id;
        // Only minutes can be corrected.
        assert!(matches!(
            case_minutes::propose(&mut tx, &key, a, written, "iets").await,
            Err(StoreError::Conflict(_))
        ));
        let c1 = case_minutes::propose(&mut tx, &key, a, oral, "Het was geen geld maar bonnen.")
            .await
            .unwrap();
        assert!(matches!(
            case_minutes::propose(&mut tx, &key, a, oral, "nog een").await,
            Err(StoreError::Conflict(_))
        ));
        // Not confirmed while a proposal waits.
        let c = cases::get(&mut tx, &key, a, oral).await.unwrap().unwrap();
        assert!(matches!(
            cases::mark(&mut tx, a, oral, c.version, cases::Mark::MinutesConfirmed).await,
            Err(StoreError::Conflict(_))
        ));
        case_minutes::answer(
            &mut tx,
            &key,
            a,
            oral,
            c1,
            c.version,
            None,
            "U zei toen 'geld'; wij laten het staan.",
            owner,
        )
        .await
        .unwrap();
        let c2 = case_minutes::propose(&mut tx, &key, a, oral, "Het waren bonnen, echt.")
            .await
            .unwrap();
        let stale = case_minutes::answer(
            &mut tx,
            &key,
            a,
            oral,
            c2,
            c.version - 1,
            Some("Verslag: de melder zag bonnen wisselen."),
            "Aangepast.",
            owner,
        )
        .await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{name}");
        tx.commit().await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let c = cases::get(&mut tx, &key, a, oral).await.unwrap().unwrap();
        case_minutes::answer(
            &mut tx,
            &key,
            a,
            oral,
            c2,
            c.version,
            Some("Verslag: de melder zag bonnen wisselen."),
            "Aangepast.",
            owner,
        )
        .await
        .unwrap();
        let c = cases::get(&mut tx, &key, a, oral).await.unwrap().unwrap();
        assert_eq!(c.body, "Verslag: de melder zag bonnen wisselen.", "{name}");
        cases::mark(&mut tx, a, oral, c.version, cases::Mark::MinutesConfirmed)
            .await
            .unwrap();
        assert!(matches!(
            case_minutes::propose(&mut tx, &key, a, oral, "te laat").await,
            Err(StoreError::Conflict(_))
        ));
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let all = case_minutes::list(&mut conn, &key, oral).await.unwrap();
        assert_eq!(
            all.iter().map(|x| x.state).collect::<Vec<_>>(),
            [CorrectionState::Rejected, CorrectionState::Accepted]
        );
        assert_eq!(all[0].minutes_before, None);
        assert_eq!(
            all[1].minutes_before.as_deref(),
            Some("Verslag: de melder zag contant geld wisselen."),
            "{name}: the earlier minutes stay on record"
        );
        assert_eq!(all[1].answered_by_name.as_deref(), Some("Olga"));
        assert!(!case_minutes::pending(&mut conn, oral).await.unwrap());
    }
}

#[tokio::test]
async fn reporting_point_texts_are_saved_whole_and_compare_and_set() {
    use integer_domain::audit::Credential;
    use integer_domain::meldpunt_texts::{InfoTopic, Override};
    use integer_store::meldpunt_info;
    use integer_store::statements::By;
    for TestDb { store, name, .. } in both().await {
        let a = org(&store, "case-info").await;
        let by = By {
            org: a,
            actor: "person:1".into(),
            credential: Credential::Session,
        };
        let mut conn = store.conn().await.unwrap();
        let none = meldpunt_info::get(&mut conn, a).await.unwrap();
        assert_eq!((none.version, none.texts.len()), (0, 0), "{name}");
        drop(conn);
        let oral = Override {
            nl: "Bel 043 350 40 00.".into(),
            en: "Call +31 43 350 40 00.".into(),
            source: String::new(),
        };
        let mut tx = store.begin_write().await.unwrap();
        meldpunt_info::set(&mut tx, &by, 0, &[(InfoTopic::Oral, oral.clone())])
            .await
            .unwrap();
        assert!(matches!(
            meldpunt_info::set(&mut tx, &by, 0, &[]).await,
            Err(StoreError::Conflict(_))
        ));
        tx.commit().await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let counsellor = Override {
            nl: "Vertrouwenspersoon: mevrouw De Vries.".into(),
            en: "Counsellor: Ms De Vries.".into(),
            source: "Regeling vertrouwenspersonen art. 2".into(),
        };
        meldpunt_info::set(
            &mut tx,
            &by,
            1,
            &[(InfoTopic::Counsellor, counsellor.clone())],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let now = meldpunt_info::get(&mut conn, a).await.unwrap();
        assert_eq!(now.version, 2, "{name}");
        assert_eq!(now.get(InfoTopic::Counsellor), Some(&counsellor));
        assert_eq!(now.get(InfoTopic::Oral), None, "{name}: replaced whole");
        let rows = integer_store::testing::audit_rows(&mut conn, "organisation").await;
        assert_eq!(
            rows.iter()
                .filter(|(action, _)| action == "meldpunt.info_set")
                .count(),
            2,
            "{name}"
        );
    }
}
