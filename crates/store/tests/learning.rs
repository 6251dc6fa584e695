//! Learning and vulnerable functions on SQLite and PostgreSQL: a small
//! organisation's year 2025 told as a story, with every figure for the
//! annual report computed by hand; who holds a designated function; scopes;
//! compare-and-set.

use integer_domain::audit::Credential;
use integer_domain::authz::Scope;
use integer_domain::learning::{
    Deliberation, RiskArea, Theme, Training, TrainingKind, VulnerableFunction,
};
use integer_domain::org::{EmploymentType, OrgId, PersonId, Role, UnitId, UnitKind};
use integer_domain::values::{Email, Slug};
use integer_store::learning::{self, Author, LearningFigures};
use integer_store::people::{self, PersonFields};
use integer_store::testing::{TestDb, both};
use integer_store::vulnerable::{self, VulnerableFigures};
use integer_store::{StoreError, orgs, units};
use jiff::civil::Date;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

#[allow(clippy::too_many_arguments)]
async fn person(
    db: &TestDb,
    org: OrgId,
    email: &str,
    unit: Option<UnitId>,
    function: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
    manager: Option<PersonId>,
) -> PersonId {
    let mut tx = db.store.begin_write().await.unwrap();
    let fields = PersonFields {
        name: email.split('@').next().unwrap().to_string(),
        email: Email::parse(email).unwrap(),
        employee_number: None,
        function_title: function.map(str::to_string),
        salary_scale: None,
        employment_type: EmploymentType::CivilServant,
        unit_id: unit,
        manager_id: manager,
        start_date: start.map(d),
        end_date: end.map(d),
        top_official: false,
        designated_function: false,
    };
    let id = people::insert(&mut tx, org, &fields).await.unwrap();
    people::add_roles(&mut tx, org, id, &[Role::Employee])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn training(kind: TrainingKind, date: &str, completed: bool) -> Training {
    Training {
        kind,
        title: "Morele oordeelsvorming".into(),
        date: d(date),
        completed,
    }
}

fn session(date: &str, attendees: u32) -> Deliberation {
    Deliberation {
        date: d(date),
        attendees,
        topics: "Cadeau van een leverancier".into(),
        theme: Some(Theme::Gifts),
    }
}

fn function(name: &str, area: RiskArea, financial: bool, publication: bool) -> VulnerableFunction {
    VulnerableFunction {
        name: name.into(),
        area,
        risks: "Belangenverstrengeling".into(),
        measures: "Vier-ogenprincipe".into(),
        financial,
        publication,
    }
}

async fn story(db: &TestDb) {
    let store = &db.store;
    let mut tx = store.begin_write().await.unwrap();
    let org = orgs::create(
        &mut tx,
        &Slug::parse("leren").unwrap(),
        "Gemeente Leren",
        "leidschendam-voorburg",
        false,
    )
    .await
    .unwrap()
    .id;
    let other = orgs::create(
        &mut tx,
        &Slug::parse("ander").unwrap(),
        "Gemeente Ander",
        "maastricht",
        false,
    )
    .await
    .unwrap()
    .id;
    let a = units::create(&mut tx, org, None, "Inkoop", UnitKind::Team)
        .await
        .unwrap();
    let b = units::create(&mut tx, org, None, "Vergunningen", UnitKind::Team)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // HR records everything; no dates known, so in service.
    let hr = person(db, org, "hr@leren.nl", None, None, None, None, None).await;
    let boss = person(db, org, "baas@leren.nl", Some(a), None, None, None, None).await;
    let p1 = person(
        db,
        org,
        "p1@leren.nl",
        Some(a),
        Some("Inkoper"),
        Some("2020-01-01"),
        None,
        Some(boss),
    )
    .await;
    let p2 = person(
        db,
        org,
        "p2@leren.nl",
        Some(b),
        Some("vergunningverlener "),
        Some("2024-06-01"),
        None,
        Some(boss),
    )
    .await;
    // Left before the end of the year.
    let p3 = person(
        db,
        org,
        "p3@leren.nl",
        Some(b),
        Some("Inkoper"),
        Some("2025-02-01"),
        Some("2025-10-31"),
        None,
    )
    .await;
    // Started after the year.
    let p4 = person(
        db,
        org,
        "p4@leren.nl",
        Some(a),
        None,
        Some("2026-01-15"),
        None,
        None,
    )
    .await;
    let p5 = person(db, org, "p5@leren.nl", Some(a), None, None, None, None).await;
    let outsider = person(db, other, "x@ander.nl", None, None, None, None, None).await;
    let who = Author {
        person: hr,
        actor: format!("person:{}", hr.0),
        credential: Credential::Session,
    };

    let mut tx = store.begin_write().await.unwrap();
    use TrainingKind::*;
    for (t, people) in [
        (training(Introduction, "2025-03-01", true), vec![p1, p3]),
        (training(Introduction, "2025-04-01", true), vec![p1]),
        (training(Introduction, "2024-07-01", true), vec![p2]),
        (training(Introduction, "2026-01-20", true), vec![p4]),
        (training(Introduction, "2025-05-01", false), vec![p5]),
        (training(Elearning, "2025-05-05", true), vec![p1]),
        (training(Elearning, "2025-06-06", true), vec![p2]),
        (training(Elearning, "2025-09-09", true), vec![p2]),
        (training(Elearning, "2025-07-07", false), vec![p5]),
        (training(Elearning, "2024-12-31", true), vec![p1]),
        (training(Course, "2025-08-08", true), vec![p1, p2]),
    ] {
        learning::add_trainings(&mut tx, org, &who, &t, &people)
            .await
            .unwrap();
    }
    for (p, date) in [(p1, "2025-02-02"), (p2, "2025-03-03"), (p2, "2024-11-11")] {
        learning::add_hr_conversation(&mut tx, org, &who, p, d(date))
            .await
            .unwrap();
    }
    for (unit, date, n) in [
        (a, "2025-03-01", 8),
        (a, "2025-09-01", 5),
        (b, "2025-05-05", 12),
        (b, "2024-12-12", 7),
    ] {
        learning::add_session(&mut tx, org, &who, unit, &session(date, n))
            .await
            .unwrap();
    }
    for (unit, date) in [(a, "2025-01-10"), (a, "2025-02-10"), (b, "2026-01-05")] {
        learning::add_team_meeting(&mut tx, org, &who, unit, d(date))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    // Refusals: someone of another organisation, the same HR conversation
    // twice, a unit of another organisation.
    let mut tx = store.begin_write().await.unwrap();
    assert!(matches!(
        learning::add_trainings(
            &mut tx,
            org,
            &who,
            &training(Course, "2025-01-01", true),
            &[p1, outsider]
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        learning::add_hr_conversation(&mut tx, org, &who, p1, d("2025-02-02")).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        learning::add_session(&mut tx, other, &who, a, &session("2025-01-01", 3)).await,
        Err(StoreError::NotFound)
    ));
    drop(tx);

    let mut conn = store.conn().await.unwrap();
    let figures = learning::year_figures(&mut conn, org, 2025).await.unwrap();
    assert_eq!(
        figures,
        LearningFigures {
            year: 2025,
            // p1 (twice, counted once) and p3.
            introduction_completed_in_year: 2,
            // hr, boss, p1, p2, p5 (p3 left, p4 not yet started).
            in_service_at_year_end: 5,
            // p1 (2025) and p2 (2024).
            introduction_completed_in_service: 2,
            // p1 05-05, p2 06-06 and 09-09 (p5 not completed, 2024 not).
            elearnings_completed: 3,
            hr_conversations: 2,
            deliberation_sessions: 3,
            deliberation_attendance: 8 + 5 + 12,
            units_with_session: 2,
            team_meetings: 2,
        },
        "{}",
        db.name
    );
    let empty = learning::year_figures(&mut conn, org, 2019).await.unwrap();
    assert_eq!(empty.deliberation_sessions, 0);
    assert_eq!(empty.deliberation_attendance, 0);

    // Scopes: the manager of p1 and p2 sees only their records, and the
    // units they work in (a and b).
    let team = learning::trainings(&mut conn, org, Scope::Team(boss), None, Some(2025), 100)
        .await
        .unwrap();
    assert!(team.iter().all(|t| t.person == p1 || t.person == p2));
    // p1: two introductions, an e-learning, a course; p2: two e-learnings, a course.
    assert_eq!(team.len(), 7);
    let own = learning::trainings(&mut conn, org, Scope::Own(p5), None, None, 100)
        .await
        .unwrap();
    assert_eq!(own.len(), 2);
    let units_of_boss = learning::managed_units(&mut conn, org, boss).await.unwrap();
    assert_eq!(units_of_boss.len(), 2);
    let overview = learning::team_overview(&mut conn, org, boss).await.unwrap();
    let row1 = overview.iter().find(|m| m.person == p1).unwrap();
    assert_eq!(row1.introduction.as_deref(), Some("2025-03-01"));
    assert_eq!(row1.last_elearning.as_deref(), Some("2025-05-05"));
    assert_eq!(row1.last_hr_conversation.as_deref(), Some("2025-02-02"));
    drop(conn);

    // Compare-and-set: marking p5's planned introduction completed twice
    // with the same version fails the second time.
    let mut conn = store.conn().await.unwrap();
    let planned = learning::trainings(&mut conn, org, Scope::Own(p5), None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kind == "introduction")
        .unwrap();
    drop(conn);
    let today = d("2026-11-01");
    let mut tx = store.begin_write().await.unwrap();
    learning::set_completed(&mut tx, org, &who, planned.id, planned.version, true, today)
        .await
        .unwrap();
    assert!(matches!(
        learning::set_completed(&mut tx, org, &who, planned.id, planned.version, true, today).await,
        Err(StoreError::Conflict(_))
    ));
    tx.commit().await.unwrap();

    // The register.
    let mut tx = store.begin_write().await.unwrap();
    let e1 = vulnerable::add(
        &mut tx,
        org,
        &who,
        a,
        boss,
        &function("Inkoper", RiskArea::Procurement, true, false),
        d("2025-06-01"),
        d("2024-05-01"),
    )
    .await
    .unwrap();
    let e2 = vulnerable::add(
        &mut tx,
        org,
        &who,
        b,
        boss,
        &function("Vergunningverlener", RiskArea::Permits, false, true),
        d("2025-08-01"),
        d("2025-02-01"),
    )
    .await
    .unwrap();
    let e3 = vulnerable::add(
        &mut tx,
        org,
        &who,
        a,
        boss,
        &function("Kassier", RiskArea::Cash, false, false),
        d("2025-04-01"),
        d("2025-03-01"),
    )
    .await
    .unwrap();
    let _e4 = vulnerable::add(
        &mut tx,
        org,
        &who,
        b,
        boss,
        &function("Handhaver", RiskArea::Enforcement, false, false),
        d("2027-01-01"),
        d("2026-02-01"),
    )
    .await
    .unwrap();
    let e5 = vulnerable::add(
        &mut tx,
        org,
        &who,
        a,
        boss,
        &function("Adviseur", RiskArea::Other, false, false),
        d("2025-03-01"),
        d("2025-01-01"),
    )
    .await
    .unwrap();
    // On time (due 2025-06-01), late (due 2025-03-01), late and after the
    // year (so E3 was overdue at the end of 2025).
    vulnerable::review(&mut tx, org, &who, e1, 1, d("2025-05-20"), d("2026-05-20"))
        .await
        .unwrap();
    vulnerable::review(&mut tx, org, &who, e5, 1, d("2025-04-15"), d("2026-12-31"))
        .await
        .unwrap();
    vulnerable::review(&mut tx, org, &who, e3, 1, d("2026-01-10"), d("2027-01-10"))
        .await
        .unwrap();
    assert!(matches!(
        vulnerable::review(&mut tx, org, &who, e1, 1, d("2025-05-21"), d("2026-05-21")).await,
        Err(StoreError::Conflict(_))
    ));
    tx.commit().await.unwrap();

    let mut conn = store.conn().await.unwrap();
    let figures = vulnerable::year_figures(&mut conn, org, 2025)
        .await
        .unwrap();
    assert_eq!(
        figures,
        VulnerableFigures {
            year: 2025,
            // E1, E2, E3, E5 (E4 entered in 2026).
            entries: 4,
            designated_financial: 1,
            designated_publication: 1,
            // E1 and E5 (E3's review was in 2026).
            reviews: 2,
            reviewed_on_time: 1,
            // E2 (never reviewed, due 2025-08-01) and E3 (due 2025-04-01,
            // reviewed only in 2026).
            overdue_at_year_end: 2,
            by_area: vec![
                ("procurement".into(), 1),
                ("permits".into(), 1),
                ("cash".into(), 1),
                ("sensitive_information".into(), 0),
                ("enforcement".into(), 0),
                ("other".into(), 1),
            ],
        },
        "{}",
        db.name
    );
    // Today (2026-11-01 in this story): E1's review of 2026-05-20 and E2's
    // have passed.
    let overdue: Vec<i64> = vulnerable::overdue(&mut conn, org, today)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(overdue, vec![e2, e1]);
    // p1 holds "Inkoper" in unit a; p2 "vergunningverlener " in b (case and
    // spaces aside); p3 is an "Inkoper" of the wrong unit.
    assert_eq!(
        vulnerable::designated_people(&mut conn, org).await.unwrap(),
        vec![(p1, true, false), (p2, false, true)]
    );
    let holders = vulnerable::holders(&mut conn, org, e1).await.unwrap();
    assert_eq!(holders.iter().map(|h| h.0).collect::<Vec<_>>(), vec![p1]);
    assert!(
        vulnerable::get(&mut conn, other, e1)
            .await
            .unwrap()
            .is_none()
    );
    let _ = p3;
    let rows = integer_store::testing::audit_rows(&mut conn, "vulnerable_function").await;
    assert_eq!(rows.len(), 5 + 3);
}

#[tokio::test]
async fn the_year_of_learning_on_both_backends() {
    for db in both().await {
        story(&db).await;
    }
}
