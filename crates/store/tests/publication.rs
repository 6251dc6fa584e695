//! The public register of side activities on SQLite and PostgreSQL:
//! publication follows the organisation's designation (docs/OPEN-DATA.md).
//! The stories: the presets' defaults and compare-and-set on the setting;
//! who is told, when an entry becomes public (confirmed, or the notice
//! period over), corrections, and how entries leave (no longer designated,
//! left, ended, withdrawn); a preset's `publish` alone publishes nothing.

use integer_domain::audit::Credential;
use integer_domain::declaration::{Outcome, Status};
use integer_domain::designation::Designation;
use integer_domain::org::{EmploymentType, OrgId, PersonId, Role};
use integer_domain::values::{Email, SalaryScale, Slug};
use integer_store::declarations::{self, NewDeclaration};
use integer_store::people::{self, PersonFields};
use integer_store::publication::{self as store, By};
use integer_store::testing::{add_person, audit_rows, both, count};
use integer_store::{Store, StoreError, orgs};

const DAY: i64 = 86_400;

fn cli() -> By {
    By {
        actor: "cli".into(),
        credential: Credential::Cli,
    }
}

async fn org(store: &Store, slug: &str, preset: &str) -> OrgId {
    let mut tx = store.begin_write().await.unwrap();
    let id = orgs::create(&mut tx, &Slug::parse(slug).unwrap(), slug, preset, false)
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    id
}

/// A person with the facts designation reads.
async fn person(
    store: &Store,
    org: OrgId,
    name: &str,
    title: &str,
    scale: Option<u8>,
    flag: bool,
    end: Option<&str>,
) -> PersonId {
    let email = format!("{}@{}.nl", name.to_lowercase(), org.0);
    let id = add_person(store, org, name, &email, Role::Employee, None).await;
    let mut tx = store.begin_write().await.unwrap();
    let fields = PersonFields {
        name: name.to_string(),
        email: Email::parse(&email).unwrap(),
        employee_number: None,
        function_title: Some(title.to_string()),
        salary_scale: scale.and_then(SalaryScale::new),
        employment_type: EmploymentType::CivilServant,
        unit_id: None,
        manager_id: None,
        start_date: None,
        end_date: end.map(|e| e.parse().unwrap()),
        top_official: false,
        designated_function: flag,
    };
    people::update(&mut tx, org, id, &fields).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// A side activity, filed and (when `approver` is given) approved.
async fn side_activity(
    store: &Store,
    org: OrgId,
    who: PersonId,
    what: &str,
    where_: &str,
    obligations: &[&str],
    approver: Option<PersonId>,
) -> i64 {
    let mut tx = store.begin_write().await.unwrap();
    let id = declarations::insert(
        &mut tx,
        org,
        &NewDeclaration {
            person: who,
            filed_by: who,
            unit: None,
            kind: "side_activity".into(),
            status: if approver.is_some() {
                Status::Submitted
            } else {
                Status::Registered
            },
            route: None,
            verdict: "report".into(),
            approver: None,
            obligations: obligations.iter().map(|o| o.to_string()).collect(),
            preset_version: "test".into(),
            answers: r#"{"kind":"side_activity","paid":true}"#.into(),
            description: what.into(),
            third_party: Some(where_.into()),
            value_cents: None,
            event_date: None,
        },
        "test",
    )
    .await
    .unwrap();
    if let Some(by) = approver {
        declarations::decide(
            &mut tx,
            org,
            id,
            1,
            Outcome::ApproveWithConditions,
            Some("Buiten werktijd"),
            None,
            None,
            by,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    id
}

async fn sync(store: &Store, org: OrgId) -> Vec<i64> {
    let mut tx = store.begin_write().await.unwrap();
    let ids = store::sync(&mut tx, org, None, &cli()).await.unwrap();
    tx.commit().await.unwrap();
    ids
}

async fn activities(store: &Store, org: OrgId, at: i64) -> Vec<String> {
    let mut conn = store.conn().await.unwrap();
    let (entries, _) = store::register(&mut conn, org, at).await.unwrap();
    entries.into_iter().map(|e| e.activity).collect()
}

async fn set(
    store: &Store,
    org: OrgId,
    expected: i64,
    d: &Designation,
) -> Result<usize, StoreError> {
    let mut tx = store.begin_write().await.unwrap();
    let n = store::set_designation(&mut tx, org, &cli(), expected, d).await?;
    tx.commit().await.unwrap();
    Ok(n)
}

#[tokio::test]
async fn the_presets_defaults_apply_until_an_administrator_saves_one() {
    for db in both().await {
        let s = &db.store;
        let maastricht = org(s, "maastricht", "maastricht").await;
        let limburg = org(s, "limburg", "provincie-limburg").await;
        let lv = org(s, "leidschendam", "leidschendam-voorburg").await;
        let dalfsen = org(s, "dalfsen", "dalfsen").await;
        let mut conn = s.conn().await.unwrap();
        let m = store::designation(&mut conn, maastricht).await.unwrap();
        assert_eq!(
            (m.version, m.designation.top_officials),
            (0, true),
            "{}",
            db.name
        );
        let l = store::designation(&mut conn, limburg).await.unwrap();
        assert_eq!(l.designation.from_salary_scale, Some(14));
        for none in [lv, dalfsen] {
            let d = store::designation(&mut conn, none)
                .await
                .unwrap()
                .designation;
            assert!(
                !d.top_officials && d.from_salary_scale.is_none() && d.function_titles.is_empty()
            );
        }
        drop(conn);
        // Leidschendam-Voorburg designates its own: compare-and-set.
        let own = Designation {
            top_officials: true,
            from_salary_scale: Some(15),
            function_titles: vec!["Inkoper".into(), "Gemeentesecretaris".into()],
            notice_days: 7,
        };
        set(s, lv, 0, &own).await.unwrap();
        assert!(matches!(
            set(s, lv, 0, &own).await,
            Err(StoreError::Conflict(_))
        ));
        let mut conn = s.conn().await.unwrap();
        let saved = store::designation(&mut conn, lv).await.unwrap();
        assert_eq!(
            (saved.version, &saved.designation),
            (1, &own),
            "{}",
            db.name
        );
        drop(conn);
        set(s, lv, 1, &Designation::default()).await.unwrap();
        assert!(matches!(
            set(s, lv, 1, &own).await,
            Err(StoreError::Conflict(_))
        ));
        let mut conn = s.conn().await.unwrap();
        assert_eq!(
            store::designation(&mut conn, lv).await.unwrap().designation,
            Designation::default()
        );
        // Every save is audited; the refused ones are not.
        let rows = audit_rows(&mut conn, "organisation").await;
        let changed = rows
            .iter()
            .filter(|(a, _)| a == "designation.changed")
            .count();
        assert_eq!(changed, 2, "{}", db.name);
        // Another organisation's setting is untouched.
        assert_eq!(
            store::designation(&mut conn, dalfsen)
                .await
                .unwrap()
                .version,
            0
        );
    }
}

#[tokio::test]
async fn publication_follows_designation_from_notice_to_leaving() {
    for db in both().await {
        let s = &db.store;
        let o = org(s, "limburg", "provincie-limburg").await;
        let boss = add_person(s, o, "Baas", "baas@l.nl", Role::Manager, None).await;
        let anna = person(s, o, "Anna", "Directeur Ruimte", Some(14), false, None).await;
        let bram = person(s, o, "Bram", "Beleidsmedewerker", Some(9), false, None).await;
        let cees = person(s, o, "Cees", "Inkoper", Some(9), true, None).await;
        let dirk = person(
            s,
            o,
            "Dirk",
            "Directeur",
            Some(16),
            false,
            Some("2020-01-31"),
        )
        .await;
        let a = side_activity(
            s,
            o,
            anna,
            "Lid raad van toezicht",
            "Stichting Landschap",
            &[],
            Some(boss),
        )
        .await;
        let b = side_activity(s, o, bram, "Trainer zwemclub", "Zwemclub", &[], Some(boss)).await;
        let c = side_activity(s, o, cees, "Penningmeester", "Vereniging", &[], None).await;
        let d = side_activity(s, o, dirk, "Bestuurslid", "Museum", &[], Some(boss)).await;

        // Scale 14 (the preset's default) and the personal flag are
        // designated; scale 9 is not, and nobody who left is.
        let now = integer_store::now();
        assert_eq!(sync(s, o).await, vec![a, c], "{}", db.name);
        assert_eq!(sync(s, o).await, Vec::<i64>::new(), "announced once");
        let mut conn = s.conn().await.unwrap();
        assert_eq!(count(&mut conn, "publications").await, 2);
        let told: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE kind = 'publication.to_review' AND person_id = $1",
        )
        .bind(anna.0)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(told, 1);
        // Nothing is public before the notice period ends...
        drop(conn);
        assert!(activities(s, o, now).await.is_empty(), "{}", db.name);
        // ...and all of it after, without anyone's consent.
        assert_eq!(
            activities(s, o, now + 15 * DAY).await,
            ["Lid raad van toezicht", "Penningmeester"]
        );

        // Anna confirms: public at once. A second confirmation is refused.
        let mut tx = s.begin_write().await.unwrap();
        let x = store::get(&mut tx, o, a).await.unwrap().unwrap();
        assert_eq!(
            x.due_at - x.informed_at,
            14 * DAY,
            "the default notice period"
        );
        store::confirm(&mut tx, o, a, anna, x.version)
            .await
            .unwrap();
        assert!(matches!(
            store::confirm(&mut tx, o, a, anna, x.version + 1).await,
            Err(StoreError::Conflict(_))
        ));
        // Someone else cannot confirm or correct it.
        let y = store::get(&mut tx, o, c).await.unwrap().unwrap();
        assert!(
            store::confirm(&mut tx, o, c, anna, y.version)
                .await
                .is_err()
        );
        tx.commit().await.unwrap();
        assert_eq!(activities(s, o, now).await, ["Lid raad van toezicht"]);

        // Cees corrects the text: the register shows the correction, the
        // history keeps both texts; a stale version is refused.
        let mut tx = s.begin_write().await.unwrap();
        store::correct(
            &mut tx,
            o,
            c,
            cees,
            y.version,
            "Penningmeester (onbezoldigd)",
            Some("Vereniging Dorpsbelang"),
            ("Penningmeester", Some("Vereniging")),
        )
        .await
        .unwrap();
        assert!(
            store::correct(&mut tx, o, c, cees, y.version, "x", None, ("x", None))
                .await
                .is_err()
        );
        tx.commit().await.unwrap();
        let mut conn = s.conn().await.unwrap();
        let (entries, updated) = store::register(&mut conn, o, now + 15 * DAY).await.unwrap();
        let e = entries
            .iter()
            .find(|e| e.name.as_deref() == Some("Cees"))
            .unwrap();
        assert_eq!(e.activity, "Penningmeester (onbezoldigd)");
        assert_eq!(e.organisation.as_deref(), Some("Vereniging Dorpsbelang"));
        assert!(e.paid);
        assert!(updated.is_some());
        let events = declarations::events(&mut conn, o, c).await.unwrap();
        let corrected = events
            .iter()
            .find(|e| e.action == "publication_corrected")
            .expect("a correction in the history");
        assert!(
            corrected.detail.contains("\"Penningmeester\"")
                && corrected.detail.contains("Dorpsbelang"),
            "{}",
            corrected.detail
        );
        let conditions = entries
            .iter()
            .find(|e| e.name.as_deref() == Some("Anna"))
            .unwrap();
        assert_eq!(conditions.conditions.as_deref(), Some("Buiten werktijd"));
        drop(conn);

        // The administrator designates Bram's function: he is told.
        let mut own = Designation {
            from_salary_scale: Some(14),
            function_titles: vec!["beleidsmedewerker".into()],
            notice_days: 0,
            ..Designation::default()
        };
        assert_eq!(set(s, o, 0, &own).await.unwrap(), 1, "{}", db.name);
        // A notice period of 0: public at once, with the person told.
        assert!(
            activities(s, o, integer_store::now() + 1)
                .await
                .contains(&"Trainer zwemclub".to_string())
        );
        let mut conn = s.conn().await.unwrap();
        assert!(store::get(&mut conn, o, b).await.unwrap().is_some());
        assert!(
            store::get(&mut conn, o, d).await.unwrap().is_none(),
            "Dirk left"
        );
        drop(conn);

        // Scale 14 is no longer designated: Anna leaves the register; Cees
        // (designated personally) and Bram (his function) stay.
        own.from_salary_scale = None;
        set(s, o, 1, &own).await.unwrap();
        let later = now + 15 * DAY;
        assert_eq!(
            activities(s, o, later).await,
            ["Trainer zwemclub", "Penningmeester (onbezoldigd)"]
        );
        let mut conn = s.conn().await.unwrap();
        assert!(store::applies(&mut conn, o, a).await.unwrap().is_none());
        drop(conn);

        // Cees's side activity ends: out of the register from that day on.
        let mut tx = s.begin_write().await.unwrap();
        let version = declarations::get(&mut tx, o, c)
            .await
            .unwrap()
            .unwrap()
            .version;
        let today = store::day(integer_store::now());
        store::end_side_activity(&mut tx, o, c, cees, version, &today)
            .await
            .unwrap();
        assert!(
            store::end_side_activity(&mut tx, o, c, cees, version + 1, &today)
                .await
                .is_err(),
            "ended once"
        );
        // Bram withdraws his.
        let version = declarations::get(&mut tx, o, b)
            .await
            .unwrap()
            .unwrap()
            .version;
        declarations::withdraw(&mut tx, o, b, bram, version, "gestopt")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(activities(s, o, later).await.is_empty(), "{}", db.name);

        // The announcements were audited.
        let mut conn = s.conn().await.unwrap();
        let rows = audit_rows(&mut conn, "declaration").await;
        let announced = rows
            .iter()
            .filter(|(a, _)| a == "publication.announced")
            .count();
        assert_eq!(announced, 3);
    }
}

#[tokio::test]
async fn designation_alone_decides_not_a_presets_publish_obligation() {
    for db in both().await {
        let s = &db.store;
        // Dalfsen designates nobody by default.
        let o = org(s, "dalfsen", "dalfsen").await;
        let eva = person(s, o, "Eva", "Teamleider", Some(11), false, None).await;
        let ruled = side_activity(
            s,
            o,
            eva,
            "Lid rekenkamer",
            "Rekenkamer",
            &["publish"],
            None,
        )
        .await;
        let email = format!("eva@{}.nl", o.0);
        // A `publish` obligation frozen in a decision publishes nothing.
        assert_eq!(sync(s, o).await, Vec::<i64>::new(), "{}", db.name);
        // Designated one by one: she is told, and it is published.
        let mut conn = s.conn().await.unwrap();
        integer_store::testing::set_employee_facts(&mut conn, &email, Some(11), false, true).await;
        drop(conn);
        assert_eq!(sync(s, o).await, vec![ruled], "{}", db.name);
        assert_eq!(
            activities(s, o, integer_store::now() + 15 * DAY).await,
            ["Lid rekenkamer"]
        );
        // No longer designated: out, whatever the decision said.
        let mut conn = s.conn().await.unwrap();
        integer_store::testing::set_employee_facts(&mut conn, &email, Some(11), false, false).await;
        drop(conn);
        assert!(
            activities(s, o, integer_store::now() + 15 * DAY)
                .await
                .is_empty()
        );
        // Another organisation's register shows nothing of it.
        let other = org(s, "ander", "dalfsen").await;
        assert!(
            activities(s, other, integer_store::now() + 15 * DAY)
                .await
                .is_empty()
        );
    }
}
