//! Learning and vulnerable functions through the real application:
//! training records per role (own, team, everyone, another organisation),
//! the bulk form, moral deliberation by a manager for their own unit only,
//! a manager's team at a glance, the register of vulnerable functions with
//! an overdue review and who holds a function, bad input in Dutch and
//! English, and forms without the CSRF token.

mod common;

use common::{TestApp, email_of};
use integer_domain::learning::today;
use integer_domain::org::{Role, UnitId, UnitKind};
use integer_store::testing::sqlite;
use integer_store::units;
use reqwest::Client;

async fn post(app: &TestApp, c: &Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf(c).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    c.post(app.url(path)).form(&form).send().await.unwrap()
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Two units of alpha; the employee (a direct report of the manager) works
/// in the first, as "Inkoper".
async fn with_units(app: &TestApp) -> (UnitId, UnitId) {
    let store = &app.db.store;
    let mut tx = store.begin_write().await.unwrap();
    let a = units::create(&mut tx, app.alpha, None, "Team Inkoop", UnitKind::Team)
        .await
        .unwrap();
    let b = units::create(&mut tx, app.alpha, None, "Team Handhaving", UnitKind::Team)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut conn = store.conn().await.unwrap();
    integer_store::testing::execute(
        &mut conn,
        "UPDATE people SET function_title = 'Inkoper' WHERE email = 'employee@alpha.nl'",
    )
    .await;
    let sql: &'static str = Box::leak(
        format!(
            "UPDATE people SET unit_id = {} WHERE email = 'employee@alpha.nl'",
            a.0
        )
        .into_boxed_str(),
    );
    integer_store::testing::execute(&mut conn, sql).await;
    (a, b)
}

#[tokio::test]
async fn trainings_are_recorded_in_bulk_and_seen_per_role() {
    let app = TestApp::spawn(sqlite().await).await;
    let hr = app.signed_in(&email_of(Role::Hr)).await;
    let employee_id = app.id(&email_of(Role::Employee)).0.to_string();
    let date = today().to_string();
    // One training for the employee (picked) and the counsellor (typed).
    let r = post(
        &app,
        &hr,
        "/organisatie/trainingen",
        &[
            ("soort", "introduction"),
            ("titel", "Introductietraining integriteit"),
            ("datum", &date),
            ("afgerond", "ja"),
            ("deelnemer", &employee_id),
            ("deelnemers", "Counsellor@alpha.nl, "),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let r = post(
        &app,
        &hr,
        "/organisatie/trainingen/hr-gesprek",
        &[("hr_persoon", "employee@alpha.nl"), ("hr_datum", &date)],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The same conversation twice is named at the date.
    let r = post(
        &app,
        &hr,
        "/organisatie/trainingen/hr-gesprek",
        &[("hr_persoon", "employee@alpha.nl"), ("hr_datum", &date)],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("al een HR-gesprek vastgelegd")
    );

    // The employee sees their own, and nothing of the list.
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let (status, html) = page(&app, &employee, "/mijn-integriteit").await;
    assert_eq!(status, 200);
    assert!(html.contains("Introductietraining integriteit"));
    assert!(html.contains("hr-gesprekken"));
    assert_eq!(
        page(&app, &employee, "/organisatie/trainingen").await.0,
        403
    );
    let counsellor_id = app.id(&email_of(Role::Counsellor)).0;
    assert_eq!(
        page(
            &app,
            &employee,
            &format!("/organisatie/trainingen/persoon/{counsellor_id}")
        )
        .await
        .0,
        403
    );

    // The manager sees their direct report's record, not the counsellor's,
    // and may not record.
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    let (status, html) = page(&app, &manager, "/organisatie/trainingen").await;
    assert_eq!(status, 200);
    assert!(html.contains("Alpha employee"));
    assert!(!html.contains("Alpha counsellor"));
    assert!(!html.contains("method=\"post\" action=\"/organisatie/trainingen\""));
    let (status, _) = page(
        &app,
        &manager,
        &format!("/organisatie/trainingen/persoon/{employee_id}"),
    )
    .await;
    assert_eq!(status, 200);
    let r = post(
        &app,
        &manager,
        "/organisatie/trainingen/hr-gesprek",
        &[("hr_persoon", "employee@alpha.nl"), ("hr_datum", &date)],
    )
    .await;
    assert_eq!(r.status(), 403);

    // The integrity office sees everyone.
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let (status, html) = page(&app, &office, "/organisatie/trainingen").await;
    assert_eq!(status, 200);
    assert!(html.contains("Alpha employee") && html.contains("Alpha counsellor"));

    // Another organisation's person does not exist here.
    let beta = app.id("employee@beta.nl").0;
    assert_eq!(
        page(
            &app,
            &hr,
            &format!("/organisatie/trainingen/persoon/{beta}")
        )
        .await
        .0,
        404
    );
    // Nor may a person of another organisation be added by e-mail.
    let r = post(
        &app,
        &hr,
        "/organisatie/trainingen",
        &[
            ("soort", "elearning"),
            ("titel", "E-learning"),
            ("datum", &date),
            ("afgerond", "ja"),
            ("deelnemers", "employee@beta.nl"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Er is niemand met het e-mailadres employee@beta.nl")
    );
}

#[tokio::test]
async fn moral_deliberation_by_a_manager_for_their_own_unit_only() {
    let app = TestApp::spawn(sqlite().await).await;
    let (a, b) = with_units(&app).await;
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    let date = today().to_string();
    let (status, html) = page(&app, &manager, "/organisatie/moreel-beraad").await;
    assert_eq!(status, 200);
    assert!(html.contains("Team Inkoop") && !html.contains("Team Handhaving"));
    assert!(html.contains("Schrijf geen namen"));
    let a_id = a.0.to_string();
    let session = |unit: &str| {
        vec![
            ("eenheid", unit.to_string()),
            ("datum", date.clone()),
            ("aanwezigen", "9".to_string()),
            ("onderwerpen", "Uitnodiging van een leverancier".to_string()),
            ("thema", "gifts".to_string()),
        ]
    };
    let fields = session(&a_id);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&app, &manager, "/organisatie/moreel-beraad", &fields).await;
    assert_eq!(r.status(), 303);
    let fields = session(&b.0.to_string());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&app, &manager, "/organisatie/moreel-beraad", &fields).await;
    assert_eq!(r.status(), 403, "another unit");
    let r = post(
        &app,
        &manager,
        "/organisatie/moreel-beraad/werkoverleg",
        &[("wo_eenheid", &a_id), ("wo_datum", &date)],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = page(&app, &manager, "/organisatie/moreel-beraad").await;
    assert!(html.contains("Uitnodiging van een leverancier"));
    assert!(html.contains("werkoverleggen"));

    // The office records for any unit; an employee may not at all.
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let fields = session(&b.0.to_string());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        post(&app, &office, "/organisatie/moreel-beraad", &fields)
            .await
            .status(),
        303
    );
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    assert_eq!(
        page(&app, &employee, "/organisatie/moreel-beraad").await.0,
        403
    );

    // Bad input: attendees 0 and 1001, a date ahead, in Dutch and English.
    let tomorrow = today().tomorrow().unwrap().to_string();
    for n in ["0", "1001"] {
        let r = post(
            &app,
            &manager,
            "/organisatie/moreel-beraad",
            &[
                ("eenheid", &a_id),
                ("datum", &tomorrow),
                ("aanwezigen", n),
                ("onderwerpen", "Dilemma"),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Vul het aantal aanwezigen in als getal van 1 tot en met 1000."));
        assert!(html.contains("Deze datum ligt in de toekomst."));
    }
    page(&app, &manager, "/taal/en?terug=/").await;
    let r = post(
        &app,
        &manager,
        "/organisatie/moreel-beraad",
        &[
            ("eenheid", &a_id),
            ("datum", &tomorrow),
            ("aanwezigen", "0"),
            ("onderwerpen", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Enter the number of attendees as a number from 1 to 1000."));
    assert!(html.contains("This date lies in the future."));
    assert!(html.contains("Name the dilemmas discussed briefly, without names."));
}

#[tokio::test]
async fn a_manager_sees_their_team_at_a_glance() {
    let app = TestApp::spawn(sqlite().await).await;
    let (a, _) = with_units(&app).await;
    let hr = app.signed_in(&email_of(Role::Hr)).await;
    let employee_id = app.id(&email_of(Role::Employee)).0.to_string();
    let r = post(
        &app,
        &hr,
        "/organisatie/trainingen",
        &[
            ("soort", "introduction"),
            ("titel", "Morele oordeelsvorming"),
            ("datum", "2026-01-15"),
            ("afgerond", "ja"),
            ("deelnemer", &employee_id),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    let date = today().to_string();
    post(
        &app,
        &manager,
        "/organisatie/moreel-beraad",
        &[
            ("eenheid", &a.0.to_string()),
            ("datum", &date),
            ("aanwezigen", "6"),
            ("onderwerpen", "Nevenfunctie bij een leverancier"),
        ],
    )
    .await;
    let (status, html) = page(&app, &manager, "/team/integriteit").await;
    assert_eq!(status, 200);
    let row = &html[html
        .find(&format!("data-person=\"{employee_id}\""))
        .expect("the direct report")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("2026-01-15"), "{row}");
    assert!(html.contains("Nevenfunctie bij een leverancier"));
    assert!(html.contains("Eed of belofte") && html.contains("Gedragscode gelezen"));
    // HR may look at the manager's team; an employee may not look at all.
    let manager_id = app.id(&email_of(Role::Manager)).0;
    let (status, html) = page(
        &app,
        &hr,
        &format!("/team/integriteit?leidinggevende={manager_id}"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("data-person=\"{employee_id}\"")));
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    assert_eq!(page(&app, &employee, "/team/integriteit").await.0, 403);
    // A manager may not look at another manager's team.
    let hr_id = app.id(&email_of(Role::Hr)).0;
    assert_eq!(
        page(
            &app,
            &manager,
            &format!("/team/integriteit?leidinggevende={hr_id}")
        )
        .await
        .0,
        403
    );
}

#[tokio::test]
async fn vulnerable_functions_with_overdue_review_and_holders() {
    let app = TestApp::spawn(sqlite().await).await;
    let (a, _) = with_units(&app).await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let next_year = format!("{}-06-01", today().year() + 1);
    let a_id = a.0.to_string();
    let entry = |area: &'static str, review: String| {
        vec![
            ("eenheid", a_id.clone()),
            ("naam", "Inkoper".to_string()),
            ("gebied", area.to_string()),
            (
                "risicos",
                "Belangenverstrengeling bij aanbestedingen".to_string(),
            ),
            ("maatregelen", "Vier-ogenprincipe".to_string()),
            ("eigenaar", "manager@alpha.nl".to_string()),
            ("herziening", review),
            ("financieel", "1".to_string()),
        ]
    };
    // Missing area, in Dutch and English.
    let fields = entry("", next_year.clone());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&app, &office, "/organisatie/kwetsbare-functies", &fields).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Kies het gebied."));
    page(&app, &office, "/taal/en?terug=/").await;
    let r = post(&app, &office, "/organisatie/kwetsbare-functies", &fields).await;
    assert!(r.text().await.unwrap().contains("Choose the area."));
    page(&app, &office, "/taal/nl?terug=/").await;

    let fields = entry("procurement", next_year.clone());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&app, &office, "/organisatie/kwetsbare-functies", &fields).await;
    assert_eq!(r.status(), 303);
    let at = common::location(&r);
    let (status, html) = page(&app, &office, &at).await;
    assert_eq!(status, 200);
    // The employee of the unit holds "Inkoper".
    let holders = &html[html.find("id=\"bekleders\"").unwrap()..];
    assert!(holders.contains("Alpha employee"), "{holders}");
    let (_, html) = page(&app, &office, "/organisatie/kwetsbare-functies").await;
    assert!(
        html.contains(
            "Er zijn geen functies of processen waarvan de herzieningsdatum is verstreken."
        )
    );

    // The review date passes.
    let mut conn = app.db.store.conn().await.unwrap();
    integer_store::testing::execute(
        &mut conn,
        "UPDATE vulnerable_functions SET review_on = '2020-01-01'",
    )
    .await;
    drop(conn);
    let (_, html) = page(&app, &office, "/organisatie/kwetsbare-functies").await;
    let overdue = &html[html
        .find("id=\"verlopen-lijst\"")
        .expect("the overdue list")..];
    assert!(overdue.contains("Inkoper"));
    // The designated people for other modules.
    let mut conn = app.db.store.conn().await.unwrap();
    let designated = integer_store::vulnerable::designated_people(&mut conn, app.alpha)
        .await
        .unwrap();
    assert_eq!(
        designated,
        vec![(app.id(&email_of(Role::Employee)), true, false)]
    );
    drop(conn);

    // HR reads, may not add; an employee sees nothing.
    let hr = app.signed_in(&email_of(Role::Hr)).await;
    assert_eq!(page(&app, &hr, &at).await.0, 200);
    assert_eq!(
        post(&app, &hr, "/organisatie/kwetsbare-functies", &fields)
            .await
            .status(),
        403
    );
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    assert_eq!(
        page(&app, &employee, "/organisatie/kwetsbare-functies")
            .await
            .0,
        403
    );
    // For beta's integrity office, alpha's entry does not exist.
    let mut tx = app.db.store.begin_write().await.unwrap();
    integer_store::people::add_roles(
        &mut tx,
        app.beta,
        app.id("admin@beta.nl"),
        &[Role::IntegrityOffice],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let beta_office = app.signed_in("admin@beta.nl").await;
    assert_eq!(page(&app, &beta_office, &at).await.0, 404);

    // A review: done today, next in the past is refused; then accepted.
    let date = today().to_string();
    let version = html_version(&page(&app, &office, &at).await.1);
    let r = post(
        &app,
        &office,
        &format!("{}/herzien", at.split('?').next().unwrap()),
        &[
            ("versie", &version),
            ("herzien_op", &date),
            ("herziening", "2020-01-02"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("De volgende herziening moet na")
    );
    let r = post(
        &app,
        &office,
        &format!("{}/herzien", at.split('?').next().unwrap()),
        &[
            ("versie", &version),
            ("herzien_op", &date),
            ("herziening", &next_year),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The same version again is a conflict.
    let r = post(
        &app,
        &office,
        &format!("{}/herzien", at.split('?').next().unwrap()),
        &[
            ("versie", &version),
            ("herzien_op", &date),
            ("herziening", &next_year),
        ],
    )
    .await;
    assert_eq!(r.status(), 409);
}

fn html_version(html: &str) -> String {
    let marker = "data-version=\"";
    let i = html.find(marker).unwrap() + marker.len();
    html[i..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn(sqlite().await).await;
    let (a, _) = with_units(&app).await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let date = today().to_string();
    let a_id = a.0.to_string();
    for (path, fields) in [
        (
            "/organisatie/trainingen",
            vec![
                ("soort", "elearning"),
                ("titel", "E"),
                ("datum", date.as_str()),
                ("afgerond", "ja"),
                ("deelnemers", "employee@alpha.nl"),
            ],
        ),
        (
            "/organisatie/trainingen/hr-gesprek",
            vec![
                ("hr_persoon", "employee@alpha.nl"),
                ("hr_datum", date.as_str()),
            ],
        ),
        (
            "/organisatie/moreel-beraad",
            vec![
                ("eenheid", a_id.as_str()),
                ("datum", date.as_str()),
                ("aanwezigen", "3"),
                ("onderwerpen", "Dilemma"),
            ],
        ),
        (
            "/organisatie/moreel-beraad/werkoverleg",
            vec![("wo_eenheid", a_id.as_str()), ("wo_datum", date.as_str())],
        ),
        ("/organisatie/kwetsbare-functies", vec![("naam", "Kassier")]),
    ] {
        let r = office
            .post(app.url(path))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    let mut conn = app.db.store.conn().await.unwrap();
    for table in [
        "training_records",
        "hr_conversations",
        "moral_deliberations",
        "team_meetings",
        "vulnerable_functions",
    ] {
        assert_eq!(
            integer_store::testing::count(&mut conn, table).await,
            0,
            "{table}"
        );
    }
}
