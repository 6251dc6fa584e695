//! Prevention storage on SQLite and PostgreSQL: the year's figures for the
//! annual report from a small data set whose numbers are computed by hand,
//! and the code review reminder, sent once per review date.

use integer_domain::audit::Credential;
use integer_domain::org::{EmploymentType, OrgId, PersonId, Role};
use integer_domain::prevention::{Oath, OathKind, Screening, Settings};
use integer_domain::values::{Email, Slug};
use integer_store::people::{self, PersonFields};
use integer_store::prevention::{self as store, By, PreventionFigures};
use integer_store::testing::{add_person, both, count};
use integer_store::{Store, orgs};
use jiff::ToSpan;
use jiff::civil::{Date, date};

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

/// Adds a person with these dates and kind of employment.
async fn person(
    store: &Store,
    org: OrgId,
    name: &str,
    start: Option<Date>,
    end: Option<Date>,
    employment: EmploymentType,
) -> PersonId {
    let email = format!("{}@{}.nl", name.to_lowercase(), org.0);
    let id = add_person(store, org, name, &email, Role::Employee, None).await;
    let mut tx = store.begin_write().await.unwrap();
    let fields = PersonFields {
        name: name.to_string(),
        email: Email::parse(&email).unwrap(),
        employee_number: None,
        function_title: None,
        salary_scale: None,
        employment_type: employment,
        unit_id: None,
        manager_id: None,
        start_date: start,
        end_date: end,
        top_official: false,
        designated_function: false,
    };
    people::update(&mut tx, org, id, &fields).await.unwrap();
    tx.commit().await.unwrap();
    id
}

fn by(person: PersonId) -> By {
    By {
        person,
        actor: format!("person:{}", person.0),
        credential: Credential::Session,
    }
}

async fn oath(store: &Store, org: OrgId, hr: PersonId, who: PersonId, on: Date) {
    let mut tx = store.begin_write().await.unwrap();
    let o = Oath {
        kind: OathKind::Oath,
        taken_on: on,
        before_whom: "De gemeentesecretaris".into(),
    };
    store::record_oath(&mut tx, org, &by(hr), who, 0, &o)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn screening(store: &Store, org: OrgId, hr: PersonId, who: PersonId, s: Screening) {
    let mut tx = store.begin_write().await.unwrap();
    store::save_screening(&mut tx, org, &by(hr), who, 0, &s)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn acknowledge(store: &Store, org: OrgId, who: PersonId, digest: &str) {
    let mut tx = store.begin_write().await.unwrap();
    assert!(
        store::acknowledge(&mut tx, org, &by(who), "2025.1", digest)
            .await
            .unwrap()
    );
    // Once per version: a second click changes nothing.
    assert!(
        !store::acknowledge(&mut tx, org, &by(who), "2025.1", digest)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_years_figures_match_a_hand_computed_data_set() {
    for db in both().await {
        let s = &db.store;
        let a = org(s, "alpha").await;
        let b = org(s, "beta").await;
        let hr = add_person(s, a, "Hr", "hr@a.nl", Role::Hr, None).await;
        // The HR person has no start date: in service, never overdue.
        use EmploymentType::{CivilServant, Intern};
        let p1 = person(s, a, "Een", Some(date(2020, 1, 1)), None, CivilServant).await;
        let p2 = person(s, a, "Twee", Some(date(2024, 3, 1)), None, CivilServant).await;
        let p3 = person(s, a, "Drie", Some(date(2024, 6, 1)), None, Intern).await;
        let _p4 = person(s, a, "Vier", Some(date(2024, 11, 15)), None, CivilServant).await;
        let p5 = person(
            s,
            a,
            "Vijf",
            Some(date(2019, 5, 1)),
            Some(date(2024, 6, 30)),
            CivilServant,
        )
        .await;
        let p6 = person(s, a, "Zes", Some(date(2025, 2, 1)), None, CivilServant).await;
        let _p7 = person(s, a, "Zeven", None, None, CivilServant).await;
        let _p8 = person(
            s,
            a,
            "Acht",
            Some(date(2018, 1, 1)),
            Some(date(2023, 12, 31)),
            CivilServant,
        )
        .await;
        let p9 = person(s, a, "Negen", Some(date(2023, 5, 1)), None, CivilServant).await;
        // Another organisation's records never count.
        let other = person(s, b, "Ander", Some(date(2024, 2, 1)), None, CivilServant).await;

        oath(s, a, hr, p1, date(2020, 2, 1)).await;
        oath(s, a, hr, p2, date(2024, 4, 15)).await;
        oath(s, a, hr, p5, date(2024, 1, 10)).await;
        oath(s, a, hr, p6, date(2025, 2, 10)).await;
        oath(s, a, hr, p9, date(2025, 1, 10)).await;
        oath(s, b, hr, other, date(2024, 3, 1)).await;
        screening(
            s,
            a,
            hr,
            p2,
            Screening {
                vog_requested: Some(date(2024, 2, 1)),
                vog_received: Some(date(2024, 2, 20)),
                ..Default::default()
            },
        )
        .await;
        screening(
            s,
            a,
            hr,
            p3,
            Screening {
                declaration: Some(date(2024, 5, 28)),
                ..Default::default()
            },
        )
        .await;
        screening(
            s,
            b,
            hr,
            other,
            Screening {
                vog_received: Some(date(2024, 1, 20)),
                declaration: Some(date(2024, 1, 20)),
                ..Default::default()
            },
        )
        .await;
        let digest = integer_domain::policy::bundled_preset("maastricht")
            .unwrap()
            .digest
            .clone();
        for who in [p1, p2, p5] {
            acknowledge(s, a, who, &digest).await;
        }
        acknowledge(s, a, p3, "an-older-version").await;
        // The acknowledgements were made during 2024.
        let mut conn = s.conn().await.unwrap();
        let in_2024 = date(2024, 12, 1)
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_second();
        sqlx::query("UPDATE code_acknowledgements SET acknowledged_at = $1")
            .bind(in_2024)
            .execute(&mut *conn)
            .await
            .unwrap();

        let f = store::year_figures(&mut conn, a, 2024).await.unwrap();
        assert_eq!(
            f,
            PreventionFigures {
                year: 2024,
                // Hr (no start date), Een, Twee, Drie, Vier, Vijf (left
                // in June), Zeven (no start date), Negen.
                people_in_service: 8,
                // Twee (April) and Vijf (January).
                oaths_taken: 2,
                // In service on 31 December and sworn by then: Een, Twee.
                sworn_in_at_year_end: 2,
                // Started before 2 October 2024 (90 days before 31
                // December) without an oath by then: Drie, Negen.
                oath_overdue_at_year_end: 2,
                // Twee, Drie, Vier.
                hires: 3,
                hires_vog_received: 1,
                hires_declaration_signed: 1,
                // Een and Twee; Vijf left, Drie read an older version.
                code_acknowledged: 2,
                oath_days: 90,
            },
            "{}",
            db.name
        );

        // A longer period for the oath: Drie (started 1 June) is not late
        // at the end of 2024 with 250 days.
        let mut tx = s.begin_write().await.unwrap();
        let settings = Settings {
            oath_days: 250,
            ..Default::default()
        };
        store::set_settings(&mut tx, a, &by(hr), 0, &settings)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let f = store::year_figures(&mut conn, a, 2024).await.unwrap();
        assert_eq!(f.oath_overdue_at_year_end, 1, "{}", db.name);
        assert_eq!(f.oath_days, 250);

        // A year with nothing in it.
        let f = store::year_figures(&mut conn, a, 2010).await.unwrap();
        assert_eq!(f.people_in_service, 2, "Hr and Zeven: no start date");
        assert_eq!((f.oaths_taken, f.hires, f.code_acknowledged), (0, 0, 0));
    }
}

#[tokio::test]
async fn the_code_review_reminder_goes_once_per_review_date() {
    for db in both().await {
        let s = &db.store;
        let a = org(s, "alpha").await;
        let b = org(s, "beta").await;
        let office = add_person(s, a, "Ina", "ina@a.nl", Role::IntegrityOffice, None).await;
        let _other_office = add_person(s, b, "Bob", "bob@b.nl", Role::IntegrityOffice, None).await;
        let today = integer_domain::counsel::today();
        // Alpha's next review is in 10 days; beta's in a year.
        for (org, reviewed) in [
            (
                a,
                today
                    .checked_sub(2.years())
                    .unwrap()
                    .checked_add(10.days())
                    .unwrap(),
            ),
            (b, today.checked_sub(1.year()).unwrap()),
        ] {
            let mut tx = s.begin_write().await.unwrap();
            let settings = Settings {
                code_reviewed_on: Some(reviewed),
                ..Default::default()
            };
            store::set_settings(&mut tx, org, &by(office), 0, &settings)
                .await
                .unwrap();
            // A second save from the same (stale) form is refused.
            let stale = store::set_settings(&mut tx, org, &by(office), 0, &settings).await;
            assert!(matches!(stale, Err(integer_store::StoreError::Conflict(_))));
            tx.commit().await.unwrap();
        }
        let mut tx = s.begin_write().await.unwrap();
        assert_eq!(
            store::send_review_reminders(&mut tx, today).await.unwrap(),
            1
        );
        assert_eq!(
            store::send_review_reminders(&mut tx, today).await.unwrap(),
            0
        );
        tx.commit().await.unwrap();
        let mut conn = s.conn().await.unwrap();
        let kinds: Vec<(i64, String)> =
            sqlx::query_as("SELECT person_id, kind FROM notifications ORDER BY id")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        assert_eq!(
            kinds,
            [(office.0, "code.review_due".to_string())],
            "{}",
            db.name
        );
        assert_eq!(count(&mut conn, "code_review_reminders").await, 1);
    }
}
