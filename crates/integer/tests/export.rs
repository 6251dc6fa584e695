//! `integer export` as a real process against a seeded SQLite file: every
//! register as CSV and JSON (to a file and to standard output), and bad
//! input (an unknown organisation, a bad year) with exit code 2.

use integer_domain::audit::Credential;
use integer_domain::learning::{
    Deliberation, RiskArea, Training, TrainingKind, VulnerableFunction,
};
use integer_domain::org::{EmploymentType, Role, UnitKind};
use integer_domain::values::Email;
use integer_store::learning::Author;
use integer_store::people::{self, PersonFields};
use integer_store::testing::add_person;
use integer_store::{PoolSettings, Store, orgs};
use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn cmd(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_integer"));
    c.env_remove("INTEGER_CONFIG")
        .env(
            "INTEGER_DATABASE_URL",
            format!("sqlite://{}", dir.join("integer.db").display()),
        )
        .env("INTEGER__LOG__LEVEL", "warn")
        // The key the test writes with in-process too.
        .env(
            "INTEGER__SECURITY__AUDIT_KEY",
            integer_store::audit::TEST_KEY_HEX,
        )
        .current_dir(dir);
    c
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn today() -> Date {
    integer_domain::counsel::today()
}

/// An organisation with its administrator, Ada (started 120 days ago, not
/// sworn in, trained this year) in a unit with a session, "=Eva" (a name
/// a spreadsheet would run), and a vulnerable function overdue for review.
async fn setup(dir: &Path) {
    let pw = dir.join("pw");
    std::fs::write(&pw, "a long enough password").unwrap();
    let out = cmd(dir)
        .args([
            "admin",
            "create",
            "--org",
            "testgem",
            "--org-name",
            "Gemeente Test",
            "--preset",
            "dalfsen",
            "--email",
            "beheer@test.nl",
            "--name",
            "Beheer Der",
            "--password-file",
        ])
        .arg(&pw)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let url = format!("sqlite://{}", dir.join("integer.db").display());
    integer_store::audit::use_test_key();
    let store = Store::connect(&url, &PoolSettings::default())
        .await
        .unwrap();
    let mut conn = store.conn().await.unwrap();
    let org = orgs::by_slug(&mut conn, "testgem")
        .await
        .unwrap()
        .unwrap()
        .id;
    drop(conn);
    let ada = add_person(&store, org, "Ada Aal", "ada@test.nl", Role::Employee, None).await;
    let eva = add_person(&store, org, "=Eva", "eva@test.nl", Role::Employee, None).await;
    let mut tx = store.begin_write().await.unwrap();
    let unit =
        integer_store::units::create(&mut tx, org, None, "Burgerzaken", UnitKind::Department)
            .await
            .unwrap();
    let p = people::get(&mut tx, org, ada).await.unwrap().unwrap();
    people::update(
        &mut tx,
        org,
        ada,
        &PersonFields {
            name: p.name,
            email: Email::parse(&p.email).unwrap(),
            employee_number: None,
            function_title: None,
            salary_scale: None,
            employment_type: EmploymentType::CivilServant,
            unit_id: Some(unit),
            manager_id: None,
            start_date: Some(today().checked_sub(120.days()).unwrap()),
            end_date: None,
            top_official: false,
            designated_function: false,
        },
    )
    .await
    .unwrap();
    let who = Author {
        person: ada,
        actor: "cli".into(),
        credential: Credential::Cli,
    };
    integer_store::learning::add_trainings(
        &mut tx,
        org,
        &who,
        &Training {
            kind: TrainingKind::Elearning,
            title: "E-learning integriteit".into(),
            date: today(),
            completed: true,
        },
        &[ada, eva],
    )
    .await
    .unwrap();
    integer_store::learning::add_session(
        &mut tx,
        org,
        &who,
        unit,
        &Deliberation {
            date: today(),
            attendees: 5,
            topics: "Nevenwerk bij een leverancier".into(),
            theme: None,
        },
    )
    .await
    .unwrap();
    integer_store::vulnerable::add(
        &mut tx,
        org,
        &who,
        unit,
        ada,
        &VulnerableFunction {
            name: "Kassier".into(),
            area: RiskArea::Cash,
            risks: "Kasverschillen".into(),
            measures: "Dagelijkse telling".into(),
            financial: true,
            publication: true,
        },
        today().checked_sub(3.days()).unwrap(),
        today().checked_sub(400.days()).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
}

fn export(dir: &Path, args: &[&str]) -> Output {
    cmd(dir).arg("export").args(args).output().unwrap()
}

/// Runs an export in JSON to a file and reads it.
fn export_json(dir: &Path, what: &str, extra: &[&str]) -> Value {
    let file = dir.join(format!("{what}.json"));
    let out = cmd(dir)
        .args([
            "export", "--org", "testgem", "--what", what, "--format", "json",
        ])
        .args(extra)
        .arg("--out")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("written to"), "{}", text(&out));
    serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()
}

fn names(rows: &Value) -> Vec<&str> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().or(r["person"].as_str()).unwrap())
        .collect()
}

#[tokio::test]
async fn every_register_as_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir).await;
    let year = today().year().to_string();

    let oaths = export_json(dir, "oaths", &[]);
    assert_eq!(oaths["organisation"], "testgem");
    assert_eq!(oaths["what"], "oaths");
    assert_eq!(oaths["oath_days"], 90);
    assert_eq!(names(&oaths["rows"]), ["=Eva", "Ada Aal", "Beheer Der"]);
    assert_eq!(oaths["rows"][1]["overdue"], true);
    assert_eq!(oaths["rows"][2]["overdue"], false);

    // CSV on standard output.
    let out = export(
        dir,
        &["--org", "testgem", "--what", "not-sworn", "--format", "csv"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("person_id,name,unit,start_date,due,overdue,kind,taken_on,before_whom")
    );
    let ada = lines.next().unwrap();
    assert!(ada.contains(",Ada Aal,Burgerzaken,"), "{csv}");
    assert!(ada.contains(",true,,,"), "{csv}");
    assert_eq!(lines.next(), None, "only Ada is overdue: {csv}");

    let file = dir.join("screening.csv");
    let out = cmd(dir)
        .args([
            "export",
            "--org",
            "testgem",
            "--what",
            "screening",
            "--format",
            "csv",
            "--out",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(csv.starts_with("person_id,name,employment_type,start_date,vog_requested,"));
    assert!(
        csv.contains("vog_requested; vog_received; references; diplomas"),
        "{csv}"
    );
    let screening = export_json(dir, "screening", &[]);
    assert_eq!(names(&screening["rows"]), ["Ada Aal"]);
    assert_eq!(screening["rows"][0]["complete"], false);

    let acks = export_json(dir, "acknowledgements", &[]);
    assert_eq!(acks["digest"].as_str().unwrap().len(), 64);
    assert_eq!(acks["rows"].as_array().unwrap().len(), 3);
    let out = export(
        dir,
        &[
            "--org",
            "testgem",
            "--what",
            "acknowledgements",
            "--format",
            "csv",
        ],
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("person_id,name,unit,last_version\n"),
        "{csv}"
    );
    // A name a spreadsheet would run is made inert.
    assert!(csv.contains(",'=Eva,"), "{csv}");

    let trainings = export_json(dir, "trainings", &["--year", &year]);
    assert_eq!(trainings["year"], today().year());
    let rows = trainings["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["record"] == "training" && r["kind"] == "elearning")
    );
    let earlier = export_json(dir, "trainings", &["--year", "2001"]);
    assert_eq!(earlier["rows"], serde_json::json!([]));

    let out = export(
        dir,
        &["--org", "testgem", "--what", "sessions", "--format", "csv"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("record,id,unit_id,unit,date,attendees,topics,theme\nsession,"),
        "{csv}"
    );
    assert!(csv.contains(",Burgerzaken,"), "{csv}");
    assert!(csv.contains(",5,Nevenwerk bij een leverancier,"), "{csv}");

    let vulnerable = export_json(dir, "vulnerable", &[]);
    assert_eq!(vulnerable["rows"][0]["name"], "Kassier");
    assert_eq!(vulnerable["rows"][0]["overdue"], true);
    assert_eq!(vulnerable["rows"][0]["owner"], "Ada Aal");
}

#[tokio::test]
async fn unknown_organisation_and_bad_year_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir).await;
    let out = export(
        dir,
        &["--org", "nergens", "--what", "oaths", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("organisation 'nergens' does not exist"));
    assert!(text(&out).contains("organisatie 'nergens' bestaat niet"));
    assert!(out.stdout.is_empty());

    for year in ["abc", "1800"] {
        let out = export(
            dir,
            &[
                "--org",
                "testgem",
                "--what",
                "trainings",
                "--year",
                year,
                "--format",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            text(&out).contains("--year must be a year"),
            "{}",
            text(&out)
        );
    }
    let out = export(
        dir,
        &[
            "--org", "testgem", "--what", "oaths", "--year", "2024", "--format", "json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
