//! Every export route through the one writer (integer_domain::export): a
//! side activity and a declaration whose texts a spreadsheet would run as
//! formulas come out inert in every CSV (registers, the public register,
//! the counsellors' counts, the annual report) and as plain text cells in
//! the ODS; an unknown format exports nothing and audits nothing.

mod common;

use common::{TestApp, email_of, hidden};
use integer_domain::export::is_formula;
use integer_domain::org::Role;
use integer_domain::policy::{AnswerType, Kind, bundled_preset, questions};
use integer_store::testing::sqlite;
use reqwest::Client;

const ACTIVITY: &str = "=HYPERLINK(\"http://evil.example\",\"klik\")";
const WHERE: &str = "@SUM(1+1)";
const CONDITIONS: &str = "+cmd|' /C calc'!A0";

async fn post(app: &TestApp, c: &Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf(c).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(form);
    c.post(app.url(path)).form(&all).send().await.unwrap()
}

async fn text(c: &Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn attr_after(html: &str, anchor: &str, name: &str) -> String {
    let at = html
        .find(anchor)
        .unwrap_or_else(|| panic!("no {anchor}: {html}"));
    let marker = format!("{name}=\"");
    let rest = &html[at..];
    let i = rest.find(&marker).unwrap() + marker.len();
    rest[i..].split('"').next().unwrap().to_string()
}

/// Every cell of a CSV file; none may be a formula.
fn assert_inert(what: &str, csv_text: &str) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!is_formula(cell), "{what}: a formula cell {cell:?}");
            cells += 1;
        }
    }
    cells
}

async fn audit_rows(app: &TestApp) -> i64 {
    let mut conn = app.db.store.conn().await.unwrap();
    integer_store::testing::count(&mut conn, "audit_log").await
}

#[tokio::test]
async fn every_export_neutralises_formulas() {
    let app = TestApp::spawn(sqlite().await).await;
    let mut conn = app.db.store.conn().await.unwrap();
    // Provincie Limburg publishes the side activities of scale 14 and up.
    integer_store::testing::set_preset(&mut conn, app.alpha, "provincie-limburg").await;
    integer_store::testing::set_employee_facts(
        &mut conn,
        &email_of(Role::Employee),
        Some(14),
        false,
        false,
    )
    .await;
    drop(conn);
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let mut form: Vec<(String, String)> = vec![
        ("soort".into(), Kind::SideActivity.code().into()),
        ("omschrijving".into(), ACTIVITY.into()),
        ("derde".into(), WHERE.into()),
    ];
    for q in questions(
        bundled_preset("provincie-limburg").unwrap(),
        Kind::SideActivity,
    ) {
        let value = match (q.field, q.answer) {
            ("paid", _) => "ja",
            (_, AnswerType::Flag) => "nee",
            (_, AnswerType::Number) => "2",
            _ => "",
        };
        form.push((q.field.into(), value.into()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = post(&app, &employee, "/verklaringen", &pairs).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let id: i64 = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/verklaringen/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    let (_, html) = text(&manager, app.url(&format!("/verklaringen/{id}"))).await;
    let version = attr_after(&html, "data-version", "data-version");
    let csrf = hidden(&html, "csrf");
    let r = manager
        .post(app.url(&format!("/verklaringen/{id}/besluit")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("besluit", "approve_with_conditions"),
            ("voorwaarden", CONDITIONS),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    // The employee confirms the text: published at once.
    let (_, html) = text(&employee, app.url(&format!("/verklaringen/{id}"))).await;
    let version = attr_after(&html, "/publiceren\"", "name=\"versie\" value");
    let r = post(
        &app,
        &employee,
        &format!("/verklaringen/{id}/publiceren"),
        &[("versie", &version)],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());

    // The public register: the formula is there, as text.
    let public = Client::new();
    let (status, csv) = text(&public, app.url("/o/alpha/nevenfuncties.csv")).await;
    assert_eq!(status, 200);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(assert_inert("public register", &csv) > 9);
    let (_, json) = text(&public, app.url("/o/alpha/nevenfuncties.json")).await;
    assert!(
        json.contains("=HYPERLINK"),
        "JSON keeps the text as it is: {json}"
    );

    // The integrity office's register, every format.
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let (status, csv) = text(&office, app.url("/registers/export.csv")).await;
    assert_eq!(status, 200);
    assert!(
        csv.contains("'=HYPERLINK") && csv.contains("'@SUM") && csv.contains("'+cmd"),
        "{csv}"
    );
    assert_inert("register csv", &csv);
    let r = office
        .get(app.url("/registers/export.ods"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let ods = r.bytes().await.unwrap();
    let content = String::from_utf8_lossy(&ods);
    // Typed text cells: inert without an apostrophe.
    assert!(
        content.contains("office:value-type=\"string\"><text:p>=HYPERLINK(&quot;"),
        "{content}"
    );
    assert!(!content.contains("'=HYPERLINK"));
    assert!(!content.contains("table:formula"));

    // The counsellors' counts and the annual report.
    let (status, csv) = text(&office, app.url("/vertrouwenspersoon/cijfers.csv")).await;
    assert_eq!(status, 200, "{csv}");
    assert_inert("counsellor counts", &csv);
    let year = integer_domain::case::local_date(jiff::Timestamp::now()).year();
    let (status, csv) = text(&office, app.url(&format!("/jaarverslag/csv?jaar={year}"))).await;
    assert_eq!(status, 200, "{csv}");
    assert_inert("annual report", &csv);

    // An unknown format: nothing exported, nothing audited.
    let before = audit_rows(&app).await;
    for bad in [
        "/registers/export.xlsx",
        "/registers/anything",
        "/jaarverslag/xls?jaar=2026",
    ] {
        let r = office.get(app.url(bad)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }
    assert_eq!(
        audit_rows(&app).await,
        before,
        "no audit row for an unknown format"
    );
}
