//! The annual integrity report through the real application: who may see
//! the internal report, the narrative (CSRF, compare-and-set, limits),
//! publishing (which freezes the report), the public page with "< 5" where
//! the internal one shows 3, the exports and the API, and bad input.

mod common;

use common::{TestApp, email_of, hidden};
use integer_domain::case::{CaseKind, Channel, IdentityMode};
use integer_domain::crypto::InstallationKey;
use integer_domain::org::{OrgId, Role};
use integer_store::cases::{self, NewCase};
use integer_store::testing::{both, sqlite};
use reqwest::Client;

fn this_year() -> i32 {
    i32::from(integer_domain::case::local_date(jiff::Timestamp::now()).year())
}

fn last_year() -> i32 {
    this_year() - 1
}

/// Files `n` reports of fraud in the middle of `year`.
async fn reports(app: &TestApp, org: OrgId, year: i32, n: usize) {
    let key = InstallationKey::generate();
    let received = format!("{year}-06-15T10:00:00Z")
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    for _ in 0..n {
        let mut tx = app.db.store.begin_write().await.unwrap();
        cases::create(
            &mut tx,
            &key,
            org,
            &NewCase {
                kind: CaseKind::Report,
                channel: Channel::WebPublic,
                identity_mode: IdentityMode::Anonymous,
                category: Some("fraud".into()),
                title: "t".into(),
                body: "b".into(),
                identity: None,
                reporter_tag: None,
                created_by: None,
                received_at: received,
                receipt_hash: integer_store::random_token(),
                named: Vec::new(),
                files: Vec::new(),
                team: Vec::new(),
                alternate: false,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(app: &TestApp, c: &Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf(c).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    c.post(app.url(path)).form(&form).send().await.unwrap()
}

/// The shown text of a row in a report table, by its label.
fn cell(html: &str, table: &str, label: &str) -> String {
    let start = html
        .find(&format!("id=\"{table}\""))
        .unwrap_or_else(|| panic!("no table {table}"));
    let rest = &html[start..];
    let row = rest
        .find(&format!(">{label}</th>"))
        .unwrap_or_else(|| panic!("no row {label} in {table}"));
    let cell = &rest[row..];
    let i = cell.find("<td").unwrap();
    let text = &cell[i..];
    let text = &text[text.find('>').unwrap() + 1..];
    // The escaped "<" of "< 5" back as it reads.
    text[..text.find("</td>").unwrap()]
        .replace("&#60;", "<")
        .replace("&lt;", "<")
}

#[tokio::test]
async fn only_the_office_the_director_and_the_board_see_the_internal_report() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let path = format!("/jaarverslag?jaar={}", last_year());
        for role in [Role::IntegrityOffice, Role::Director, Role::Board] {
            let c = app.signed_in(&email_of(role)).await;
            let (status, html) = page(&app, &c, &path).await;
            assert_eq!(status, 200, "{role:?}");
            assert!(
                html.contains("href=\"/jaarverslag\""),
                "nav entry for {role:?}"
            );
            assert!(html.contains("id=\"tabel-reports-category\""));
            // Only the office writes and publishes.
            assert_eq!(
                html.contains("action=\"/jaarverslag/publiceren\""),
                role == Role::IntegrityOffice,
                "{role:?}"
            );
        }
        for role in [
            Role::Employee,
            Role::Hr,
            Role::PrivacyOfficer,
            Role::Admin,
            Role::Manager,
        ] {
            let c = app.signed_in(&email_of(role)).await;
            let (status, html) = page(&app, &c, &path).await;
            assert_eq!(status, 403, "{role:?}");
            let (status, _) =
                page(&app, &c, &format!("/jaarverslag/csv?jaar={}", last_year())).await;
            assert_eq!(status, 403, "{role:?}");
            let (_, home) = page(&app, &c, "/").await;
            assert!(!home.contains("href=\"/jaarverslag\""), "{role:?}: {html}");
        }
        // The director reads but may not write or publish.
        let dir = app.signed_in(&email_of(Role::Director)).await;
        let year = last_year().to_string();
        let r = post(
            &app,
            &dir,
            "/jaarverslag/tekst",
            &[("jaar", &year), ("versie", "0"), ("inleiding", "x")],
        )
        .await;
        assert_eq!(r.status(), 403);
        let r = post(
            &app,
            &dir,
            "/jaarverslag/publiceren",
            &[("jaar", &year), ("versie", "0")],
        )
        .await;
        assert_eq!(r.status(), 403);
    }
}

#[tokio::test]
async fn the_office_writes_the_narrative_with_csrf_and_compare_and_set() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
        let year = last_year().to_string();
        let path = format!("/jaarverslag?jaar={year}");
        // Without the CSRF token: refused.
        let r = office
            .post(app.url("/jaarverslag/tekst"))
            .form(&[("jaar", year.as_str()), ("versie", "0"), ("inleiding", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let (_, html) = page(&app, &office, &path).await;
        assert_eq!(hidden(&html, "versie"), "0");
        let r = post(
            &app,
            &office,
            "/jaarverslag/tekst",
            &[
                ("jaar", &year),
                ("versie", "0"),
                ("inleiding", "Een jaar <b>met</b> aandacht."),
                ("vooruitblik", "Meer moreel beraad."),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = page(&app, &office, &format!("{path}&opgeslagen=1")).await;
        assert!(html.contains("De toelichting is opgeslagen."));
        assert!(
            html.contains("Een jaar &#60;b&#62;met&#60;/b&#62; aandacht."),
            "escaped"
        );
        assert!(!html.contains("<b>met</b>"));
        assert_eq!(hidden(&html, "versie"), "1");
        // A second writer on the old version loses, and keeps their text.
        let r = post(
            &app,
            &office,
            "/jaarverslag/tekst",
            &[
                ("jaar", &year),
                ("versie", "0"),
                ("inleiding", "Mijn versie"),
            ],
        )
        .await;
        assert_eq!(r.status(), 409);
        let html = r.text().await.unwrap();
        assert!(html.contains("Iemand anders heeft de toelichting intussen gewijzigd"));
        assert!(html.contains(">Mijn versie</textarea>"));
        // Too long: the field says so.
        let long = "a".repeat(10_001);
        let r = post(
            &app,
            &office,
            "/jaarverslag/tekst",
            &[("jaar", &year), ("versie", "1"), ("meldingen", &long)],
        )
        .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"meldingen-fout\""), "{html}");
    }
}

#[tokio::test]
async fn publishing_freezes_and_the_public_sees_less_than_5_where_the_office_sees_3() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let year = last_year();
        let y = year.to_string();
        reports(&app, app.alpha, year, 3).await;
        reports(&app, app.beta, year, 7).await;
        let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
        let path = format!("/jaarverslag?jaar={y}");
        let (_, html) = page(&app, &office, &path).await;
        assert_eq!(
            cell(
                &html,
                "tabel-reports-category",
                "Fraude, diefstal of verduistering"
            ),
            "3"
        );
        assert!(html.contains("<svg"), "charts");
        assert!(html.contains("role=\"img\""));
        // Not public before it is published.
        let anon = TestApp::client();
        let (status, _) = page(&app, &anon, &format!("/o/alpha/jaarverslag/{y}")).await;
        assert_eq!(status, 404);

        let r = post(
            &app,
            &office,
            "/jaarverslag/tekst",
            &[
                ("jaar", &y),
                ("versie", "0"),
                ("inleiding", "Drie meldingen."),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        // Publishing the current year is refused: it has not ended.
        let this = this_year().to_string();
        let r = post(
            &app,
            &office,
            "/jaarverslag/publiceren",
            &[("jaar", &this), ("versie", "0")],
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("is nog niet voorbij"));
        let r = post(
            &app,
            &office,
            "/jaarverslag/publiceren",
            &[("jaar", &y), ("versie", "1")],
        )
        .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let (_, html) = page(&app, &office, &format!("{path}&gepubliceerd=1")).await;
        assert!(html.contains("Het jaarverslag is gepubliceerd."));
        assert!(
            !html.contains("action=\"/jaarverslag/tekst\""),
            "no more editing"
        );

        // The public page: no sign-in, "< 5" for the 3, the narrative.
        let (status, public) = page(&app, &anon, &format!("/o/alpha/jaarverslag/{y}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            cell(
                &public,
                "tabel-reports-category",
                "Fraude, diefstal of verduistering"
            ),
            "< 5"
        );
        assert!(public.contains("Drie meldingen."));
        assert!(
            !public.contains("data-value=\"3\""),
            "the 3 appears nowhere"
        );

        // Later data changes nothing in the published report.
        reports(&app, app.alpha, year, 20).await;
        let (_, again) = page(&app, &anon, &format!("/o/alpha/jaarverslag/{y}")).await;
        assert_eq!(again, public);
        let (_, html) = page(&app, &office, &path).await;
        assert_eq!(
            cell(
                &html,
                "tabel-reports-category",
                "Fraude, diefstal of verduistering"
            ),
            "3"
        );
        let r = post(
            &app,
            &office,
            "/jaarverslag/tekst",
            &[("jaar", &y), ("versie", "2"), ("inleiding", "Later")],
        )
        .await;
        assert_eq!(r.status(), 409);
        let r = post(
            &app,
            &office,
            "/jaarverslag/publiceren",
            &[("jaar", &y), ("versie", "2")],
        )
        .await;
        assert_eq!(r.status(), 409);

        // JSON and CSV of the public version.
        let r = anon
            .get(app.url(&format!("/o/alpha/jaarverslag/{y}.json")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let json: serde_json::Value = r.json().await.unwrap();
        assert_eq!(json["version"], "publishable");
        assert_eq!(json["year"], year);
        assert_eq!(json["narrative"]["introduction"], "Drie meldingen.");
        let fraud = &json["sections"][0]["tables"][0]["rows"][1];
        assert_eq!(fraud["code"], "fraud");
        assert_eq!(fraud["shown"], "< 5");
        assert!(fraud["value"].is_null());
        let csv = anon
            .get(app.url(&format!("/o/alpha/jaarverslag/{y}.csv")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(csv.starts_with("section,figure,year,value,version\n"));
        assert!(
            csv.contains(&format!(
                "reports,reports.category.fraud,{y},< 5,publishable\n"
            )),
            "{csv}"
        );

        // The internal exports and the API keep the exact 3.
        let csv = page(&app, &office, &format!("/jaarverslag/csv?jaar={y}"))
            .await
            .1;
        assert!(
            csv.contains(&format!("reports,reports.category.fraud,{y},3,internal\n")),
            "{csv}"
        );
        let (_, json) = page(
            &app,
            &office,
            &format!("/jaarverslag/json?jaar={y}&versie=openbaar"),
        )
        .await;
        assert!(json.contains("\"< 5\""));
        let mut conn = app.db.store.conn().await.unwrap();
        let (_, token) = integer_store::tokens::create(
            &mut conn,
            app.alpha,
            app.id(&email_of(Role::Director)),
            "t",
        )
        .await
        .unwrap();
        let (_, employee_token) = integer_store::tokens::create(
            &mut conn,
            app.alpha,
            app.id(&email_of(Role::Employee)),
            "t",
        )
        .await
        .unwrap();
        drop(conn);
        let api = reqwest::Client::new();
        let r = api
            .get(app.url(&format!("/api/v1/annual-report/{y}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let json: serde_json::Value = r.json().await.unwrap();
        assert_eq!(json["version"], "internal");
        assert_eq!(json["figures"]["reports"]["received"], 3, "frozen");
        assert_eq!(json["sections"][0]["tables"][0]["rows"][1]["value"], 3);
        let r = api
            .get(app.url(&format!("/api/v1/annual-report/{y}")))
            .bearer_auth(&employee_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = api
            .get(app.url(&format!("/api/v1/annual-report/{}", this_year() + 1)))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let json: serde_json::Value = r.json().await.unwrap();
        assert_eq!(json["error"], "report-error-future");
    }
}

#[tokio::test]
async fn bad_input_future_year_empty_year_and_unknown_organisation() {
    let app = TestApp::spawn(sqlite().await).await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let future = (this_year() + 1).to_string();
    let (status, html) = page(&app, &office, &format!("/jaarverslag?jaar={future}")).await;
    assert_eq!(status, 400);
    assert!(
        html.contains(&format!("{future} ligt in de toekomst")),
        "{html}"
    );
    let (status, html) = page(&app, &office, "/jaarverslag?jaar=elf").await;
    assert_eq!(status, 400);
    assert!(html.contains("is geen jaar"));
    // A year without data: zeros and a note, not an error.
    let (status, html) = page(&app, &office, "/jaarverslag?jaar=2003").await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"geen-gegevens\""));
    assert_eq!(
        cell(
            &html,
            "tabel-reports-category",
            "Fraude, diefstal of verduistering"
        ),
        "0"
    );
    let anon = TestApp::client();
    let (status, _) = page(&app, &anon, "/o/bestaat-niet/jaarverslag/2025").await;
    assert_eq!(status, 404);
    let (status, _) = page(&app, &anon, "/o/bestaat-niet/jaarverslag/2025.json").await;
    assert_eq!(status, 404);
    let r = anon
        .get(app.url(&format!("/o/alpha/jaarverslag/{future}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("is in the future"));
    let (status, _) = page(&app, &anon, "/o/alpha/jaarverslag/2003").await;
    assert_eq!(status, 404, "not published");
    let (status, _) = page(&app, &anon, "/o/alpha/jaarverslag/2003.pdf").await;
    assert_eq!(status, 404);
    // Unknown export formats.
    let (status, _) = page(&app, &office, "/jaarverslag/xml?jaar=2003").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_report_downloads_as_pdf_for_the_office_and_once_published_for_everyone() {
    let app = TestApp::spawn(sqlite().await).await;
    let year = last_year();
    let y = year.to_string();
    reports(&app, app.alpha, year, 3).await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let r = office
        .get(app.url(&format!("/jaarverslag/pdf?jaar={y}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let r = employee
        .get(app.url(&format!("/jaarverslag/pdf?jaar={y}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let anon = TestApp::client();
    let r = anon
        .get(app.url(&format!("/o/alpha/jaarverslag/{y}.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "not before it is published");
    let (_, html) = page(&app, &office, &format!("/jaarverslag?jaar={y}")).await;
    let csrf = hidden(&html, "csrf");
    let r = office
        .post(app.url("/jaarverslag/publiceren"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("jaar", y.as_str()),
            ("versie", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = anon
        .get(app.url(&format!("/o/alpha/jaarverslag/{y}.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
}
