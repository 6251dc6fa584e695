//! The prevention and learning registers through the API (`/api/v1`),
//! with personal tokens: the same decisions and scopes as the pages (HR
//! and the integrity office see everyone, a manager their team, an
//! employee only their own oath record), 403 for what the page refuses,
//! 404 for another organisation's ids, 422 for bad input.

mod common;

use common::{TestApp, email_of};
use integer_domain::audit::Credential;
use integer_domain::learning::{
    Deliberation, RiskArea, Training, TrainingKind, VulnerableFunction,
};
use integer_domain::org::{EmploymentType, OrgId, PersonId, Role, UnitId, UnitKind};
use integer_domain::values::Email;
use integer_store::learning::Author;
use integer_store::people::{self, PersonFields};
use integer_store::testing::{add_person, both};
use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::Value;

fn today() -> Date {
    integer_domain::counsel::today()
}

fn days_ago(n: i64) -> Date {
    today().checked_sub(n.days()).unwrap()
}

/// Sets a person's start date and unit.
async fn set_start(app: &TestApp, org: OrgId, id: PersonId, start: Date, unit: Option<UnitId>) {
    let mut tx = app.db.store.begin_write().await.unwrap();
    let p = people::get(&mut tx, org, id).await.unwrap().unwrap();
    let fields = PersonFields {
        name: p.name,
        email: Email::parse(&p.email).unwrap(),
        employee_number: None,
        function_title: p.function_title,
        salary_scale: None,
        employment_type: EmploymentType::CivilServant,
        unit_id: unit.or(p.unit_id),
        manager_id: p.manager_id,
        start_date: Some(start),
        end_date: None,
        top_official: p.top_official,
        designated_function: p.designated_function,
    };
    people::update(&mut tx, org, id, &fields).await.unwrap();
    tx.commit().await.unwrap();
}

/// The employee (managed by Mia Manager) in a unit, started 120 days ago;
/// Otto, without a manager, started 200 days ago; both trained this year;
/// a session of the unit; a vulnerable function overdue for review.
async fn seed(app: &TestApp) -> PersonId {
    let store = &app.db.store;
    let mut tx = store.begin_write().await.unwrap();
    let unit = integer_store::units::create(
        &mut tx,
        app.alpha,
        None,
        "Vergunningen",
        UnitKind::Department,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let employee = app.id(&email_of(Role::Employee));
    set_start(app, app.alpha, employee, days_ago(120), Some(unit)).await;
    let otto = add_person(
        store,
        app.alpha,
        "Otto Other",
        "otto@alpha.nl",
        Role::Employee,
        None,
    )
    .await;
    set_start(app, app.alpha, otto, days_ago(200), None).await;
    let hr = app.id(&email_of(Role::Hr));
    let who = Author {
        person: hr,
        actor: format!("person:{}", hr.0),
        credential: Credential::Session,
    };
    let mut tx = store.begin_write().await.unwrap();
    integer_store::learning::add_trainings(
        &mut tx,
        app.alpha,
        &who,
        &Training {
            kind: TrainingKind::Introduction,
            title: "Introductie moreel oordeelsvermogen".into(),
            date: today(),
            completed: true,
        },
        &[employee, otto],
    )
    .await
    .unwrap();
    integer_store::learning::add_session(
        &mut tx,
        app.alpha,
        &who,
        unit,
        &Deliberation {
            date: today(),
            attendees: 7,
            topics: "Een cadeau van een aanvrager".into(),
            theme: None,
        },
    )
    .await
    .unwrap();
    integer_store::vulnerable::add(
        &mut tx,
        app.alpha,
        &who,
        unit,
        hr,
        &VulnerableFunction {
            name: "Vergunningverlener".into(),
            area: RiskArea::Permits,
            risks: "Druk van aanvragers".into(),
            measures: "Vier ogen".into(),
            financial: true,
            publication: false,
        },
        days_ago(1),
        days_ago(400),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    employee
}

async fn token(app: &TestApp, email: &str) -> String {
    let org = if email.ends_with("@beta.nl") {
        app.beta
    } else {
        app.alpha
    };
    let mut conn = app.db.store.conn().await.unwrap();
    integer_store::tokens::create(&mut conn, org, app.id(email), "t")
        .await
        .unwrap()
        .1
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let r = TestApp::client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|r| {
            r["name"]
                .as_str()
                .or(r["person"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn hr_and_the_office_see_the_whole_registers() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = seed(&app).await;
        let hr = token(&app, &email_of(Role::Hr)).await;

        let (status, oaths) = get(&app, &hr, "/api/v1/prevention/oaths").await;
        assert_eq!(status, 200, "{oaths}");
        assert_eq!(oaths["scope"], "organisation");
        assert_eq!(oaths["oath_days"], 90);
        let overdue = names(&oaths["overdue"]);
        assert_eq!(
            overdue,
            ["Otto Other", "Alpha employee"],
            "longest waiting first"
        );
        let register = names(&oaths["register"]);
        assert!(register.contains(&"Alpha hr".to_string()));
        assert!(
            !register.iter().any(|n| n.starts_with("Beta")),
            "{register:?}"
        );
        let row = &oaths["overdue"][1];
        assert_eq!(row["person_id"], employee.0);
        assert_eq!(row["overdue"], true);
        assert_eq!(row["kind"], Value::Null);
        assert_eq!(row["due"], (days_ago(120) + 90.days()).to_string());

        let (status, screening) = get(&app, &hr, "/api/v1/prevention/screening").await;
        assert_eq!(status, 200, "{screening}");
        let hires = screening["hires"].as_array().unwrap();
        let hire = hires
            .iter()
            .find(|h| h["person_id"] == employee.0)
            .expect("the employee is a recent hire");
        assert_eq!(hire["employment_type"], "civil_servant");
        assert_eq!(hire["complete"], false);
        assert_eq!(hire["vog_requested"], Value::Null);
        let open: Vec<&str> = hire["open"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            open,
            ["vog_requested", "vog_received", "references", "diplomas"]
        );

        let (status, acks) = get(&app, &hr, "/api/v1/prevention/acknowledgements").await;
        assert_eq!(status, 200, "{acks}");
        assert_eq!(acks["scope"], "organisation");
        assert!(!acks["version"].as_str().unwrap().is_empty(), "{acks}");
        assert_eq!(acks["digest"].as_str().unwrap().len(), 64, "{acks}");
        assert_eq!(acks["mine"], Value::Null);
        let pending = names(&acks["not_acknowledged"]);
        assert!(pending.contains(&"Otto Other".to_string()));
        assert_eq!(
            acks["not_acknowledged_total"].as_u64().unwrap() as usize,
            pending.len()
        );
        assert!(acks["review"].is_object(), "{acks}");

        let year = today().year();
        let (status, trainings) = get(
            &app,
            &hr,
            &format!("/api/v1/learning/trainings?year={year}"),
        )
        .await;
        assert_eq!(status, 200, "{trainings}");
        assert_eq!(trainings["year"], year);
        let mut trained = names(&trainings["trainings"]);
        trained.sort();
        assert_eq!(trained, ["Alpha employee", "Otto Other"]);
        assert_eq!(trainings["trainings"][0]["kind"], "introduction");
        let (_, last_year) = get(
            &app,
            &hr,
            &format!("/api/v1/learning/trainings?year={}", year - 1),
        )
        .await;
        assert_eq!(last_year["trainings"], serde_json::json!([]));

        let (status, vulnerable) = get(&app, &hr, "/api/v1/vulnerable-functions").await;
        assert_eq!(status, 200, "{vulnerable}");
        assert_eq!(vulnerable["entries"][0]["name"], "Vergunningverlener");
        assert_eq!(vulnerable["entries"][0]["overdue"], true);
        assert_eq!(vulnerable["overdue"], 1);

        // Any manager's team; another organisation's id is not found.
        let mia = app.id(&email_of(Role::Manager));
        let (status, team) = get(
            &app,
            &hr,
            &format!("/api/v1/learning/team?manager={}", mia.0),
        )
        .await;
        assert_eq!(status, 200, "{team}");
        assert_eq!(names(&team["members"]), ["Alpha employee"]);
        assert_eq!(team["members"][0]["introduction"], today().to_string());
        assert_eq!(team["sessions"][0]["attendees"], 7);
        let beta = app.id("admin@beta.nl");
        let (status, _) = get(
            &app,
            &hr,
            &format!("/api/v1/learning/team?manager={}", beta.0),
        )
        .await;
        assert_eq!(status, 404);

        // HR may not list sessions (the integrity office may), as the page.
        let (status, _) = get(&app, &hr, "/api/v1/learning/sessions").await;
        assert_eq!(status, 403);
        let office = token(&app, &email_of(Role::IntegrityOffice)).await;
        let (status, sessions) = get(
            &app,
            &office,
            &format!("/api/v1/learning/sessions?year={year}"),
        )
        .await;
        assert_eq!(status, 200, "{sessions}");
        assert_eq!(sessions["scope"], "organisation");
        assert_eq!(sessions["sessions"][0]["unit"], "Vergunningen");
        assert_eq!(
            sessions["sessions"][0]["topics"],
            "Een cadeau van een aanvrager"
        );
        // The office sees oaths too, but screening is HR's alone.
        let (status, _) = get(&app, &office, "/api/v1/prevention/oaths").await;
        assert_eq!(status, 200);
        let (status, _) = get(&app, &office, "/api/v1/prevention/screening").await;
        assert_eq!(status, 403);
    }
}

#[tokio::test]
async fn an_employee_sees_only_their_own_oath() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = seed(&app).await;
        let t = token(&app, &email_of(Role::Employee)).await;

        let (status, body) = get(&app, &t, "/api/v1/prevention/screening").await;
        assert_eq!(status, 403, "{body}");

        let (status, oaths) = get(&app, &t, "/api/v1/prevention/oaths").await;
        assert_eq!(status, 200, "{oaths}");
        assert_eq!(oaths["scope"], "own");
        assert_eq!(names(&oaths["register"]), ["Alpha employee"]);
        assert_eq!(oaths["register"][0]["person_id"], employee.0);
        assert_eq!(oaths["register"][0]["overdue"], true);
        assert_eq!(names(&oaths["overdue"]), ["Alpha employee"]);

        // Acknowledging is for everyone; the list is not.
        let (status, acks) = get(&app, &t, "/api/v1/prevention/acknowledgements").await;
        assert_eq!(status, 200, "{acks}");
        assert_eq!(acks["not_acknowledged"], Value::Null);
        assert_eq!(acks["scope"], Value::Null);
        assert_eq!(acks["review"], Value::Null);

        for path in [
            "/api/v1/learning/trainings",
            "/api/v1/learning/sessions",
            "/api/v1/learning/team",
            "/api/v1/vulnerable-functions",
        ] {
            let (status, body) = get(&app, &t, path).await;
            assert_eq!(status, 403, "{path}: {body}");
        }

        // Without a token: 401.
        let r = TestApp::client()
            .get(app.url("/api/v1/prevention/oaths"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
}

#[tokio::test]
async fn a_manager_sees_their_team() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        seed(&app).await;
        let t = token(&app, &email_of(Role::Manager)).await;

        let (status, oaths) = get(&app, &t, "/api/v1/prevention/oaths").await;
        assert_eq!(status, 200, "{oaths}");
        assert_eq!(oaths["scope"], "team");
        assert_eq!(names(&oaths["register"]), ["Alpha employee"]);
        assert_eq!(names(&oaths["overdue"]), ["Alpha employee"]);

        let (status, acks) = get(&app, &t, "/api/v1/prevention/acknowledgements").await;
        assert_eq!(status, 200);
        assert_eq!(acks["scope"], "team");
        assert_eq!(names(&acks["not_acknowledged"]), ["Alpha employee"]);
        assert_eq!(acks["review"], Value::Null);

        let (status, trainings) = get(&app, &t, "/api/v1/learning/trainings").await;
        assert_eq!(status, 200);
        assert_eq!(trainings["scope"], "team");
        assert_eq!(names(&trainings["trainings"]), ["Alpha employee"]);

        let (status, sessions) = get(&app, &t, "/api/v1/learning/sessions").await;
        assert_eq!(status, 200, "{sessions}");
        assert_eq!(sessions["sessions"][0]["unit"], "Vergunningen");

        let (status, team) = get(&app, &t, "/api/v1/learning/team").await;
        assert_eq!(status, 200, "{team}");
        assert_eq!(names(&team["members"]), ["Alpha employee"]);
        // Another manager's team: 403; an unknown id: 404.
        let hr = app.id(&email_of(Role::Hr));
        let (status, _) = get(&app, &t, &format!("/api/v1/learning/team?manager={}", hr.0)).await;
        assert_eq!(status, 403);
        let (status, _) = get(&app, &t, "/api/v1/learning/team?manager=999999").await;
        assert_eq!(status, 404);

        for path in [
            "/api/v1/prevention/screening",
            "/api/v1/vulnerable-functions",
        ] {
            let (status, _) = get(&app, &t, path).await;
            assert_eq!(status, 403, "{path}");
        }
    }
}

#[tokio::test]
async fn bad_input_answers_422_in_both_languages() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let office = token(&app, &email_of(Role::IntegrityOffice)).await;
        for path in [
            "/api/v1/learning/trainings?year=abc",
            "/api/v1/learning/trainings?year=1800",
            "/api/v1/learning/sessions?year=20x5",
            "/api/v1/learning/sessions?year=99999",
        ] {
            let (status, body) = get(&app, &office, path).await;
            assert_eq!(status, 422, "{path}: {body}");
            assert_eq!(body["error"], "bad_year");
            assert_eq!(body["field"], "year");
            assert!(body["message"]["nl"].as_str().unwrap().contains("jaartal"));
            assert!(body["message"]["en"].as_str().unwrap().contains("year"));
        }
        let (status, body) = get(&app, &office, "/api/v1/learning/team?manager=abc").await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["field"], "manager");
        // Refused before the input is looked at: 403, not 422.
        let employee = token(&app, &email_of(Role::Employee)).await;
        let (status, _) = get(&app, &employee, "/api/v1/learning/trainings?year=abc").await;
        assert_eq!(status, 403);
    }
}
