//! Prevention through the real application: the oath register and who is
//! not sworn in on time, screening at hiring with the preset's rule on a
//! former employee, acknowledging the code of conduct (and again after it
//! changed), who may see what, and bad input in both languages.

mod common;

use common::{TestApp, email_of, hidden, location};
use integer_domain::org::{EmploymentType, OrgId, PersonId, Role};
use integer_domain::values::Email;
use integer_store::people::{self, PersonFields};
use integer_store::testing::{add_person, audit_rows, both, set_preset};
use jiff::ToSpan;
use jiff::civil::Date;
use reqwest::Client;

fn today() -> Date {
    integer_domain::counsel::today()
}

fn days_ago(n: i64) -> Date {
    today().checked_sub(n.days()).unwrap()
}

/// Sets a person's start and end date and kind of employment.
async fn set_employment(
    app: &TestApp,
    org: OrgId,
    id: PersonId,
    start: Option<Date>,
    end: Option<Date>,
    employment: EmploymentType,
) {
    let mut tx = app.db.store.begin_write().await.unwrap();
    let p = people::get(&mut tx, org, id).await.unwrap().unwrap();
    let fields = PersonFields {
        name: p.name,
        email: Email::parse(&p.email).unwrap(),
        employee_number: None,
        function_title: p.function_title,
        salary_scale: None,
        employment_type: employment,
        unit_id: p.unit_id,
        manager_id: p.manager_id,
        start_date: start,
        end_date: end,
        top_official: p.top_official,
        designated_function: p.designated_function,
    };
    people::update(&mut tx, org, id, &fields).await.unwrap();
    tx.commit().await.unwrap();
}

async fn page(app: &TestApp, client: &Client, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(app: &TestApp, client: &Client, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = client.post(app.url(path)).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let body = if status == 303 {
        location(&r)
    } else {
        r.text().await.unwrap()
    };
    (status, body)
}

/// The part of a page from an element's id to the end of its table.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    match html.find(&marker) {
        Some(start) => {
            let rest = &html[start..];
            &rest[..rest.find("</table>").unwrap_or(rest.len())]
        }
        None => "",
    }
}

#[tokio::test]
async fn hr_records_oaths_and_sees_who_is_not_sworn_in() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = app.id(&email_of(Role::Employee));
        set_employment(
            &app,
            app.alpha,
            employee,
            Some(days_ago(120)),
            None,
            EmploymentType::CivilServant,
        )
        .await;
        // Someone who started as long ago but has left is not on the list.
        let left = add_person(
            &app.db.store,
            app.alpha,
            "Lotte Vertrokken",
            "lotte@alpha.nl",
            Role::Employee,
            None,
        )
        .await;
        set_employment(
            &app,
            app.alpha,
            left,
            Some(days_ago(120)),
            Some(days_ago(10)),
            EmploymentType::CivilServant,
        )
        .await;
        // A recent starter is still within the 90 days.
        let recent = add_person(
            &app.db.store,
            app.alpha,
            "Rik Recent",
            "rik@alpha.nl",
            Role::Employee,
            None,
        )
        .await;
        set_employment(
            &app,
            app.alpha,
            recent,
            Some(days_ago(30)),
            None,
            EmploymentType::CivilServant,
        )
        .await;

        let hr = app.signed_in(&email_of(Role::Hr)).await;
        let (status, html) = page(&app, &hr, "/organisatie/eed").await;
        assert_eq!(status, 200);
        let overdue = table(&html, "te-laat");
        assert!(overdue.contains("Alpha employee"), "{html}");
        assert!(!overdue.contains("Lotte Vertrokken"));
        assert!(!overdue.contains("Rik Recent"));
        assert!(html.contains("binnen 90 dagen"));

        // HR records the oath.
        let path = format!("/organisatie/eed/{}", employee.0);
        let (_, html) = page(&app, &hr, &path).await;
        let csrf = hidden(&html, "csrf");
        let taken = days_ago(5).to_string();
        let (status, to) = post(
            &app,
            &hr,
            &path,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("soort", "affirmation"),
                ("datum", &taken),
                ("ten_overstaan", "J. Jansen, gemeentesecretaris"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{to}");
        assert_eq!(to, format!("{path}?opgeslagen=1"));
        let (_, html) = page(&app, &hr, "/organisatie/eed").await;
        assert!(!table(&html, "te-laat").contains("Alpha employee"));
        let register = table(&html, "register");
        assert!(register.contains("Belofte") && register.contains(&taken));
        assert!(register.contains("J. Jansen, gemeentesecretaris"));

        // Recording it a second time from a stale page is a conflict.
        let (status, html) = post(
            &app,
            &hr,
            &path,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("soort", "oath"),
                ("datum", &taken),
                ("ten_overstaan", "Iemand anders"),
            ],
        )
        .await;
        assert_eq!(status, 409);
        assert!(html.contains("Iemand anders heeft dit intussen gewijzigd"));
        // A correction on the version shown works.
        let (status, _) = post(
            &app,
            &hr,
            &path,
            &[
                ("csrf", &csrf),
                ("versie", "1"),
                ("soort", "oath"),
                ("datum", &taken),
                ("ten_overstaan", "M. de Vries, burgemeester"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let mut conn = app.db.store.conn().await.unwrap();
        let rows = audit_rows(&mut conn, "oath").await;
        let actions: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(actions, ["oath.recorded", "oath.corrected"]);

        // The administrator sets a longer period: nobody is late any more.
        let admin = app.signed_in(&email_of(Role::Admin)).await;
        let (status, html) = page(&app, &admin, "/organisatie/preventie-instellingen").await;
        assert_eq!(status, 200);
        let csrf = hidden(&html, "csrf");
        let other = add_person(
            &app.db.store,
            app.alpha,
            "Olga Ouder",
            "olga@alpha.nl",
            Role::Employee,
            None,
        )
        .await;
        set_employment(
            &app,
            app.alpha,
            other,
            Some(days_ago(150)),
            None,
            EmploymentType::CivilServant,
        )
        .await;
        let (_, html) = page(&app, &hr, "/organisatie/eed").await;
        assert!(table(&html, "te-laat").contains("Olga Ouder"));
        let (status, _) = post(
            &app,
            &admin,
            "/organisatie/preventie-instellingen",
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("eed_dagen", "200"),
                ("code_vastgesteld", "2024-03-01"),
                ("herzien_jaren", "2"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&app, &hr, "/organisatie/eed").await;
        assert!(!table(&html, "te-laat").contains("Olga Ouder"));
        assert!(html.contains("binnen 200 dagen"));
        // A stale settings form is refused.
        let (status, _) = post(
            &app,
            &admin,
            "/organisatie/preventie-instellingen",
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("eed_dagen", "30"),
                ("code_vastgesteld", ""),
                ("herzien_jaren", "2"),
            ],
        )
        .await;
        assert_eq!(status, 409);
        // The texts for a municipality.
        let (status, html) = page(&app, &hr, "/organisatie/eed/tekst").await;
        assert_eq!(status, 200);
        assert!(html.contains("Zo waarlijk helpe mij God almachtig"));
        assert!(html.contains("Uitvoeringsbesluit Ambtenarenwet 2017"));
    }
}

#[tokio::test]
async fn who_may_see_what() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee_id = app.id(&email_of(Role::Employee));
        let hr_id = app.id(&email_of(Role::Hr));
        for id in [employee_id, hr_id] {
            set_employment(
                &app,
                app.alpha,
                id,
                Some(days_ago(120)),
                None,
                EmploymentType::CivilServant,
            )
            .await;
        }
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        let manager = app.signed_in(&email_of(Role::Manager)).await;
        let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
        let hr = app.signed_in(&email_of(Role::Hr)).await;

        // The employee is sent to their own record, and sees only that.
        let r = employee
            .get(app.url("/organisatie/eed"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let own = format!("/organisatie/eed/{}", employee_id.0);
        assert_eq!(location(&r), own);
        let (status, html) = page(&app, &employee, &own).await;
        assert_eq!(status, 200);
        assert!(html.contains("nog geen eed of belofte"));
        assert!(!html.contains("name=\"ten_overstaan\""), "no form");
        let (status, _) = page(&app, &employee, &format!("/organisatie/eed/{}", hr_id.0)).await;
        assert_eq!(status, 403);
        let csrf = app.csrf(&employee).await;
        let (status, _) = post(
            &app,
            &employee,
            &own,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("soort", "oath"),
                ("datum", "2025-01-01"),
                ("ten_overstaan", "Ikzelf"),
            ],
        )
        .await;
        assert_eq!(status, 403);

        // A manager sees their team (the employee), not others.
        let (status, html) = page(&app, &manager, "/organisatie/eed").await;
        assert_eq!(status, 200);
        let overdue = table(&html, "te-laat");
        assert!(overdue.contains("Alpha employee"));
        assert!(!overdue.contains("Alpha hr"));
        let (status, _) = page(&app, &manager, &own).await;
        assert_eq!(status, 200);
        let (status, _) = page(&app, &manager, &format!("/organisatie/eed/{}", hr_id.0)).await;
        assert_eq!(status, 403);

        // HR and the integrity office see everyone; only HR records.
        for client in [&hr, &office] {
            let (status, html) = page(&app, client, "/organisatie/eed").await;
            assert_eq!(status, 200);
            let overdue = table(&html, "te-laat");
            assert!(overdue.contains("Alpha employee") && overdue.contains("Alpha hr"));
        }
        let csrf = app.csrf(&office).await;
        let (status, _) = post(
            &app,
            &office,
            &own,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("soort", "oath"),
                ("datum", "2025-01-01"),
                ("ten_overstaan", "X"),
            ],
        )
        .await;
        assert_eq!(status, 403);

        // Screening is HR's only.
        for client in [&employee, &manager, &office] {
            let (status, _) = page(&app, client, "/organisatie/screening").await;
            assert_eq!(status, 403);
            let (status, _) = page(
                &app,
                client,
                &format!("/organisatie/screening/{}", employee_id.0),
            )
            .await;
            assert_eq!(status, 403);
        }
        let (status, _) = page(&app, &hr, "/organisatie/screening").await;
        assert_eq!(status, 200);

        // Another organisation's person does not exist from here.
        let beta = app.id("employee@beta.nl");
        for path in [
            format!("/organisatie/eed/{}", beta.0),
            format!("/organisatie/screening/{}", beta.0),
        ] {
            let (status, _) = page(&app, &hr, &path).await;
            assert_eq!(status, 404, "{path}");
        }
        let csrf = app.csrf(&hr).await;
        let (status, _) = post(
            &app,
            &hr,
            &format!("/organisatie/eed/{}", beta.0),
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("soort", "oath"),
                ("datum", "2025-01-01"),
                ("ten_overstaan", "X"),
            ],
        )
        .await;
        assert_eq!(status, 404);

        // Settings are the administrator's.
        let (status, _) = page(&app, &hr, "/organisatie/preventie-instellingen").await;
        assert_eq!(status, 403);
    }
}

#[tokio::test]
async fn screening_items_and_the_open_list() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let hire = add_person(
            &app.db.store,
            app.alpha,
            "Hanna Nieuw",
            "hanna@alpha.nl",
            Role::Employee,
            None,
        )
        .await;
        set_employment(
            &app,
            app.alpha,
            hire,
            Some(days_ago(10)),
            None,
            EmploymentType::CivilServant,
        )
        .await;
        let intern = add_person(
            &app.db.store,
            app.alpha,
            "Ivo Stagiair",
            "ivo@alpha.nl",
            Role::Employee,
            None,
        )
        .await;
        set_employment(
            &app,
            app.alpha,
            intern,
            Some(days_ago(3)),
            None,
            EmploymentType::Intern,
        )
        .await;
        let hr = app.signed_in(&email_of(Role::Hr)).await;
        let (status, html) = page(&app, &hr, "/organisatie/screening").await;
        assert_eq!(status, 200);
        let open = table(&html, "open");
        assert!(open.contains("Hanna Nieuw") && open.contains("VOG ontvangen op"));
        assert!(
            open.contains("Ivo Stagiair") && open.contains("Integriteitsverklaring getekend op")
        );
        // People who started long ago are not hires.
        assert!(!open.contains("Alpha employee"));

        let path = format!("/organisatie/screening/{}", hire.0);
        let (_, html) = page(&app, &hr, &path).await;
        let csrf = hidden(&html, "csrf");
        let d = days_ago(20).to_string();
        let (status, _) = post(
            &app,
            &hr,
            &path,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("vog_aangevraagd", &d),
                ("vog_ontvangen", ""),
                ("referenties", &d),
                ("diplomas", &d),
                ("verklaring", ""),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&app, &hr, "/organisatie/screening").await;
        let open = table(&html, "open");
        assert!(open.contains("Hanna Nieuw") && open.contains("VOG ontvangen op"));
        assert!(!open.contains("Referenties nagetrokken op"));
        let (status, _) = post(
            &app,
            &hr,
            &path,
            &[
                ("csrf", &csrf),
                ("versie", "1"),
                ("vog_aangevraagd", &d),
                ("vog_ontvangen", &days_ago(2).to_string()),
                ("referenties", &d),
                ("diplomas", &d),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&app, &hr, "/organisatie/screening").await;
        assert!(!table(&html, "open").contains("Hanna Nieuw"));
        assert!(table(&html, "klaar").contains("Hanna Nieuw"));
        let mut conn = app.db.store.conn().await.unwrap();
        assert_eq!(audit_rows(&mut conn, "screening").await.len(), 2);
    }
}

#[tokio::test]
async fn hiring_a_former_employee_shows_the_presets_decision() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        // Alpha follows the Maastricht code: within 2 years only for
        // compelling reasons.
        let hire = add_person(
            &app.db.store,
            app.alpha,
            "Frits Terug",
            "frits@alpha.nl",
            Role::Employee,
            None,
        )
        .await;
        let start = days_ago(1);
        set_employment(
            &app,
            app.alpha,
            hire,
            Some(start),
            None,
            EmploymentType::Hired,
        )
        .await;
        let left = start.checked_sub(12.months()).unwrap().to_string();
        let hr = app.signed_in(&email_of(Role::Hr)).await;
        let path = format!("/organisatie/screening/{}", hire.0);
        let (_, html) = page(&app, &hr, &path).await;
        assert!(!html.contains("oud-medewerker-uitkomst"));
        let csrf = hidden(&html, "csrf");
        let (status, _) = post(
            &app,
            &hr,
            &path,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("oud_medewerker", "ja"),
                ("uit_dienst", &left),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&app, &hr, &path).await;
        let outcome = &html[html.find("oud-medewerker-uitkomst").expect("decision")..];
        assert!(outcome.contains("Dit mag niet"), "{outcome}");
        assert!(outcome.contains("Hoofdstuk 2 regel 4"));
        assert!(html.contains("months_since_departure=12"));
        assert!(html.contains("compelling_reasons=nee"));
        assert!(html.contains("soort=hire_former_employee"));

        let (status, _) = post(
            &app,
            &hr,
            &path,
            &[
                ("csrf", &csrf),
                ("versie", "1"),
                ("oud_medewerker", "ja"),
                ("uit_dienst", &left),
                ("zwaarwegend", "ja"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&app, &hr, &path).await;
        let outcome = &html[html.find("oud-medewerker-uitkomst").unwrap()..];
        assert!(
            outcome.contains("Alleen met toestemming vooraf"),
            "{outcome}"
        );
        // The link opens "Mag dit?" with these answers.
        let href = html
            .split("id=\"oud-medewerker-melden\" href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        let (status, _) = page(&app, &hr, &href).await;
        assert_eq!(status, 200, "{href}");
    }
}

#[tokio::test]
async fn acknowledging_the_code_and_again_after_it_changed() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        let (status, html) = page(&app, &employee, "/gedragscode").await;
        assert_eq!(status, 200);
        assert!(html.contains("/organisatie/gedragscode-gelezen"));
        let (status, html) = page(&app, &employee, "/organisatie/gedragscode-gelezen").await;
        assert_eq!(status, 200);
        assert!(html.contains("gelezen-knop"));
        assert!(!html.contains("niet-gelezen"), "an employee sees no list");
        let csrf = hidden(&html, "csrf");
        let digest = hidden(&html, "digest");
        let (status, _) = post(
            &app,
            &employee,
            "/organisatie/gedragscode-gelezen",
            &[("digest", digest.as_str())],
        )
        .await;
        assert_eq!(status, 403, "no CSRF token");
        let (status, to) = post(
            &app,
            &employee,
            "/organisatie/gedragscode-gelezen",
            &[("csrf", &csrf), ("digest", &digest)],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(to, "/organisatie/gedragscode-gelezen?opgeslagen=1");
        let (_, html) = page(&app, &employee, "/organisatie/gedragscode-gelezen").await;
        assert!(html.contains("U heeft versie 2025.2 gelezen en bevestigd op"));
        assert!(!html.contains("gelezen-knop"));

        // HR sees who has not yet; the manager sees only their team.
        let hr = app.signed_in(&email_of(Role::Hr)).await;
        let (_, html) = page(&app, &hr, "/organisatie/gedragscode-gelezen").await;
        let pending = table(&html, "niet-gelezen");
        assert!(pending.contains("Alpha hr"));
        assert!(!pending.contains("Alpha employee"));
        assert!(html.contains("Er is nog geen datum van vaststelling"));
        let manager = app.signed_in(&email_of(Role::Manager)).await;
        let (_, html) = page(&app, &manager, "/organisatie/gedragscode-gelezen").await;
        assert!(html.contains("data-count=\"0\""), "the team has read it");
        assert!(!html.contains("herziening"), "no review date for a manager");

        // The organisation's code changes: the employee is asked again, and
        // a page shown before the change cannot acknowledge the new text.
        let mut conn = app.db.store.conn().await.unwrap();
        set_preset(&mut conn, app.alpha, "dalfsen").await;
        drop(conn);
        let (_, html) = page(&app, &employee, "/organisatie/gedragscode-gelezen").await;
        assert!(html.contains("gelezen-knop"));
        assert!(html.contains("De gedragscode is daarna gewijzigd"));
        let (status, _) = post(
            &app,
            &employee,
            "/organisatie/gedragscode-gelezen",
            &[("csrf", &csrf), ("digest", &digest)],
        )
        .await;
        assert_eq!(status, 409);
        let (_, html) = page(&app, &manager, "/organisatie/gedragscode-gelezen").await;
        assert!(table(&html, "niet-gelezen").contains("Alpha employee"));
        let mut conn = app.db.store.conn().await.unwrap();
        assert_eq!(audit_rows(&mut conn, "code_acknowledgement").await.len(), 1);
    }
}

#[tokio::test]
async fn bad_input_gets_clear_field_errors_in_both_languages() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = app.id(&email_of(Role::Employee));
        let hr = app.signed_in(&email_of(Role::Hr)).await;
        let path = format!("/organisatie/eed/{}", employee.0);
        let csrf = app.csrf(&hr).await;
        let future = today().checked_add(3.days()).unwrap().to_string();
        let oath = [
            ("csrf", csrf.as_str()),
            ("versie", "0"),
            ("soort", ""),
            ("datum", future.as_str()),
            ("ten_overstaan", ""),
        ];
        let (status, html) = post(&app, &hr, &path, &oath).await;
        assert_eq!(status, 422);
        assert!(html.contains("Kies eed of belofte."));
        assert!(html.contains(&format!("De datum {future} ligt in de toekomst")));
        assert!(html.contains("Vul in ten overstaan van wie"));
        assert!(html.contains("aria-invalid=\"true\""));
        let (status, html) = post(
            &app,
            &hr,
            &path,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("soort", "oath"),
                ("datum", "31-02-2025"),
                ("ten_overstaan", "X"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("geen geldige datum"));

        let screening = format!("/organisatie/screening/{}", employee.0);
        let vog = [
            ("csrf", csrf.as_str()),
            ("versie", "0"),
            ("vog_aangevraagd", "2025-03-10"),
            ("vog_ontvangen", "2025-03-01"),
            ("oud_medewerker", "ja"),
            ("uit_dienst", ""),
        ];
        let (status, html) = post(&app, &hr, &screening, &vog).await;
        assert_eq!(status, 422);
        assert!(html.contains(
            "De VOG kan niet ontvangen zijn (2025-03-01) vóór hij is aangevraagd (2025-03-10)."
        ));
        assert!(html.contains("Vul in wanneer de oud-medewerker uit dienst ging."));

        // The same in English.
        let r = hr.get(app.url("/taal/en?terug=/")).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let (status, html) = post(&app, &hr, &path, &oath).await;
        assert_eq!(status, 422);
        assert!(html.contains("Choose oath or affirmation."));
        assert!(html.contains(&format!("The date {future} is in the future")));
        assert!(html.contains("Enter before whom"));
        let (status, html) = post(&app, &hr, &screening, &vog).await;
        assert_eq!(status, 422);
        assert!(html.contains(
            "The VOG cannot have been received (2025-03-01) before it was requested (2025-03-10)."
        ));

        // Without the CSRF token nothing is written.
        let (status, _) = post(
            &app,
            &hr,
            &path,
            &[
                ("versie", "0"),
                ("soort", "oath"),
                ("datum", "2025-01-01"),
                ("ten_overstaan", "X"),
            ],
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = post(&app, &hr, &screening, &[("versie", "0")]).await;
        assert_eq!(status, 403);
        let mut conn = app.db.store.conn().await.unwrap();
        assert!(audit_rows(&mut conn, "oath").await.is_empty());
        assert!(audit_rows(&mut conn, "screening").await.is_empty());
    }
}
