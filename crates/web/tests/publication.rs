//! Publication of side activities follows designation (docs/OPEN-DATA.md),
//! through the real application, per role: the administrator designates;
//! the person in a designated function is told, sees the exact text,
//! corrects it and confirms it; the approver sees the correction; nobody
//! can refuse publication, and without a reaction it is published when the
//! notice period ends; entries leave when the person is no longer
//! designated or the side activity ends. Others may not change the
//! designation; the four presets' defaults are shown.

mod common;

use common::{TestApp, email_of, hidden};
use integer_domain::org::Role;
use integer_domain::policy::{AnswerType, Kind, bundled_preset, questions};
use integer_store::testing::{both, sqlite};
use reqwest::Client;

const DESIGNATION: &str = "/organisatie/aangewezen-functies";

/// Answers every side-activity question of a preset with "no" (unknown
/// numbers), paid "yes".
fn side_activity(preset: &str) -> Vec<(String, String)> {
    let mut out = vec![("soort".to_string(), Kind::SideActivity.code().to_string())];
    for q in questions(bundled_preset(preset).unwrap(), Kind::SideActivity) {
        let value = match (q.field, q.answer) {
            ("paid", _) => "ja".to_string(),
            (_, AnswerType::Flag) => "nee".to_string(),
            _ => String::new(),
        };
        out.push((q.field.to_string(), value));
    }
    out
}

/// The same answers as a "Mag dit?" query string.
fn query(preset: &str) -> String {
    side_activity(preset)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Files a side activity; returns its id.
async fn file(app: &TestApp, c: &Client, preset: &str, what: &str, where_: &str) -> i64 {
    let csrf = app.csrf(c).await;
    let answers = side_activity(preset);
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf", csrf.as_str()),
        ("omschrijving", what),
        ("derde", where_),
    ];
    form.extend(answers.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let r = c
        .post(app.url("/verklaringen"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    loc.trim_start_matches("/verklaringen/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The manager approves a declaration (the version shown on its page).
async fn approve(app: &TestApp, manager: &Client, id: i64) {
    let (_, html) = page(app, manager, &format!("/verklaringen/{id}")).await;
    let version = attr(&html, "data-version");
    let csrf = hidden(&html, "csrf");
    let r = manager
        .post(app.url(&format!("/verklaringen/{id}/besluit")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("besluit", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
}

fn attr(html: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let i = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[i..].split('"').next().unwrap().to_string()
}

/// The version the publication's forms carry.
fn publication_version(html: &str) -> String {
    let at = html
        .find("/publicatietekst\"")
        .unwrap_or_else(|| panic!("no correction form: {html}"));
    attr(&html[at..], "name=\"versie\" value")
}

async fn register(app: &TestApp) -> serde_json::Value {
    reqwest::get(app.url("/o/alpha/nevenfuncties.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn activities(v: &serde_json::Value) -> Vec<String> {
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["activity"].as_str().unwrap().to_string())
        .collect()
}

async fn post(app: &TestApp, c: &Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf(c).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(form);
    c.post(app.url(path)).form(&all).send().await.unwrap()
}

#[tokio::test]
async fn an_administrator_designates_and_the_person_corrects_and_confirms_the_text() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee_email = email_of(Role::Employee);
        let counsellor_email = email_of(Role::Counsellor);
        let mut conn = app.db.store.conn().await.unwrap();
        // Leidschendam-Voorburg designates nothing by default.
        integer_store::testing::set_preset(&mut conn, app.alpha, "leidschendam-voorburg").await;
        integer_store::testing::set_function_title(&mut conn, &employee_email, Some("Inkoper"))
            .await;
        integer_store::testing::set_function_title(
            &mut conn,
            &counsellor_email,
            Some("Beleidsmedewerker"),
        )
        .await;
        let manager_id = app.id(&email_of(Role::Manager));
        integer_store::testing::set_manager(&mut conn, app.id(&counsellor_email), Some(manager_id))
            .await;
        drop(conn);

        // Neither an employee nor the integrity office may change it; the
        // office (and HR) may read it.
        let employee = app.signed_in(&employee_email).await;
        assert_eq!(page(&app, &employee, DESIGNATION).await.0, 403);
        let form = [("versie", "0"), ("functies", "Inkoper"), ("dagen", "14")];
        assert_eq!(
            post(&app, &employee, DESIGNATION, &form).await.status(),
            403
        );
        let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
        let (status, html) = page(&app, &office, DESIGNATION).await;
        assert_eq!(status, 200);
        assert!(!html.contains("name=\"functies\""), "read only: {html}");
        assert_eq!(post(&app, &office, DESIGNATION, &form).await.status(), 403);

        // The administrator: the preset's default, then mistakes per field
        // in Dutch and in English, then the designation.
        let admin = app.signed_in(&email_of(Role::Admin)).await;
        let (status, html) = page(&app, &admin, DESIGNATION).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("leidschendam-voorburg") && html.contains("Niemand is aangewezen."),
            "{html}"
        );
        let bad = [("versie", "0"), ("vanaf_schaal", "30"), ("dagen", "99")];
        let r = post(&app, &admin, DESIGNATION, &bad).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Vul een salarisschaal in van 1 tot en met 18")
                && html.contains("Vul een aantal dagen in van 0 tot en met 60"),
            "{html}"
        );
        admin.get(app.url("/taal/en")).send().await.unwrap();
        let html = post(&app, &admin, DESIGNATION, &bad)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Enter a salary scale from 1 to 18")
                && html.contains("Enter a number of days from 0 to 60"),
            "{html}"
        );
        admin.get(app.url("/taal/nl")).send().await.unwrap();
        let r = post(&app, &admin, DESIGNATION, &form).await;
        assert_eq!(r.status(), 303);
        let (_, html) = page(&app, &admin, DESIGNATION).await;
        assert!(
            html.contains("Alpha employee") && html.contains("aangewezen functie"),
            "{html}"
        );
        assert!(!html.contains("Alpha counsellor"));
        // Saving on top of a version that is gone is refused.
        let r = post(&app, &admin, DESIGNATION, &form).await;
        assert_eq!(r.status(), 409);

        // The employee in the designated function files a side activity;
        // the manager approves it. Not yet public: the person is told first.
        let manager = app.signed_in(&email_of(Role::Manager)).await;
        let id = file(
            &app,
            &employee,
            "leidschendam-voorburg",
            "Bestuurslid",
            "Stichting Park",
        )
        .await;
        approve(&app, &manager, id).await;
        assert!(activities(&register(&app).await).is_empty());
        let (_, html) = page(&app, &employee, "/berichten").await;
        assert!(
            html.contains("Je nevenfunctie wordt openbaar gemaakt"),
            "{html}"
        );

        // The employee sees the exact text, with no way to refuse, and
        // cannot remove it.
        let (_, html) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        assert!(
            html.contains("id=\"publicatie\"")
                && html.contains("Bestuurslid")
                && html.contains("Stichting Park")
                && html.contains("wordt openbaar gemaakt op")
                && html.contains("wettelijke plicht"),
            "{html}"
        );
        let version = publication_version(&html);
        let r = post(
            &app,
            &employee,
            &format!("/verklaringen/{id}/publicatietekst"),
            &[
                ("versie", &version),
                ("activiteit", "  "),
                ("organisatie", ""),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("weglaten kan niet") && html.contains("aria-invalid"),
            "{html}"
        );
        // A correction.
        let r = post(
            &app,
            &employee,
            &format!("/verklaringen/{id}/publicatietekst"),
            &[
                ("versie", &version),
                ("activiteit", "Bestuurslid (onbezoldigd)"),
                ("organisatie", "Stichting Parkbeheer"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        // The old version is gone.
        let r = post(
            &app,
            &employee,
            &format!("/verklaringen/{id}/publicatietekst"),
            &[
                ("versie", &version),
                ("activiteit", "x"),
                ("organisatie", "y"),
            ],
        )
        .await;
        assert_eq!(r.status(), 409);

        // The manager sees what changed and is told; only the person acts.
        let (_, html) = page(&app, &manager, &format!("/verklaringen/{id}")).await;
        assert!(
            html.contains("id=\"publicatie-correctie\"")
                && html.contains("Bestuurslid (onbezoldigd)")
                && html.contains("Oorspronkelijke tekst: Bestuurslid (Stichting Park)"),
            "{html}"
        );
        assert!(!html.contains("/publicatietekst\""));
        let (_, messages) = page(&app, &manager, "/berichten").await;
        assert!(messages.contains("openbare tekst van een nevenfunctie gecorrigeerd"));
        let r = post(
            &app,
            &manager,
            &format!("/verklaringen/{id}/publicatietekst"),
            &[("versie", "2"), ("activiteit", "x"), ("organisatie", "y")],
        )
        .await;
        assert_eq!(r.status(), 403);
        let (_, html) = page(&app, &office, &format!("/verklaringen/{id}")).await;
        assert!(html.contains("id=\"publicatie-correctie\""), "{html}");

        // The employee confirms: public at once, as corrected.
        let (_, html) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        let version = publication_version(&html);
        let r = post(
            &app,
            &employee,
            &format!("/verklaringen/{id}/publiceren"),
            &[("versie", &version)],
        )
        .await;
        assert_eq!(r.status(), 303);
        let v = register(&app).await;
        assert_eq!(activities(&v), ["Bestuurslid (onbezoldigd)"]);
        let e = &v["entries"][0];
        assert_eq!(e["name"], "Alpha employee");
        assert_eq!(e["function_title"], "Inkoper");
        assert_eq!(e["organisation"], "Stichting Parkbeheer");
        // Leidschendam-Voorburg's rules never ask whether it is paid.
        assert_eq!(e["paid"], false);
        assert!(v["updated"].is_string());

        // A colleague who is not designated: declared and approved, never
        // published.
        let counsellor = app.signed_in(&counsellor_email).await;
        let (_, html) = page(
            &app,
            &counsellor,
            &format!("/mag-dit/vragen?{}", query("leidschendam-voorburg")),
        )
        .await;
        assert!(html.contains("id=\"uitkomst\"") && !html.contains("publicatie-melding"));
        let other = file(
            &app,
            &counsellor,
            "leidschendam-voorburg",
            "Trainer",
            "Hockeyclub",
        )
        .await;
        approve(&app, &manager, other).await;
        let (_, html) = page(&app, &counsellor, &format!("/verklaringen/{other}")).await;
        assert!(!html.contains("id=\"publicatie\""), "{html}");
        assert_eq!(activities(&register(&app).await).len(), 1);

        // The audit trail has the designation and the person's actions.
        let mut conn = app.db.store.conn().await.unwrap();
        let org_rows = integer_store::testing::audit_rows(&mut conn, "organisation").await;
        assert!(org_rows.iter().any(|(a, _)| a == "designation.changed"));
        let rows = integer_store::testing::audit_rows(&mut conn, "declaration").await;
        for action in [
            "publication.announced",
            "publication.corrected",
            "publication.confirmed",
        ] {
            assert!(rows.iter().any(|(a, _)| a == action), "{action}");
        }
    }
}

#[tokio::test]
async fn without_a_reaction_it_is_published_and_it_leaves_when_no_longer_designated_or_ended() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let email = email_of(Role::Employee);
        // Maastricht (the test organisation's preset): top officials.
        let mut conn = app.db.store.conn().await.unwrap();
        integer_store::testing::set_employee_facts(&mut conn, &email, Some(15), true, false).await;
        drop(conn);
        let employee = app.signed_in(&email).await;
        let manager = app.signed_in(&email_of(Role::Manager)).await;
        // "Mag dit?" tells a top official it will be published.
        let (_, html) = page(
            &app,
            &employee,
            &format!("/mag-dit/vragen?{}", query("maastricht")),
        )
        .await;
        assert!(
            html.contains("id=\"publicatie-melding\"") && html.contains("topfunctionaris"),
            "{html}"
        );
        let id = file(
            &app,
            &employee,
            "maastricht",
            "Lid raad van commissarissen",
            "Woonstichting",
        )
        .await;
        approve(&app, &manager, id).await;
        assert!(activities(&register(&app).await).is_empty());
        // The person does nothing; the notice period (14 days) ends.
        let mut conn = app.db.store.conn().await.unwrap();
        integer_store::testing::age_publication(&mut conn, id, 15 * 86_400).await;
        drop(conn);
        assert_eq!(
            activities(&register(&app).await),
            ["Lid raad van commissarissen"]
        );
        let (_, html) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        assert!(
            html.contains("staat in het openbare register sinds")
                && !html.contains("/publiceren\""),
            "{html}"
        );

        // No longer a top official: out of the register; back again: in.
        let mut conn = app.db.store.conn().await.unwrap();
        integer_store::testing::set_employee_facts(&mut conn, &email, Some(15), false, false).await;
        drop(conn);
        assert!(activities(&register(&app).await).is_empty());
        let (_, html) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        assert!(
            html.contains("staat nu niet in het openbare register"),
            "{html}"
        );
        let mut conn = app.db.store.conn().await.unwrap();
        integer_store::testing::set_employee_facts(&mut conn, &email, Some(15), true, false).await;
        drop(conn);
        assert_eq!(activities(&register(&app).await).len(), 1);

        // The side activity ends: not in the future, then today.
        let (_, html) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        let version = attr(&html, "data-version");
        let today = integer_domain::case::local_date(jiff::Timestamp::now());
        let later = today.tomorrow().unwrap().tomorrow().unwrap().to_string();
        let r = post(
            &app,
            &employee,
            &format!("/verklaringen/{id}/beeindigen"),
            &[("versie", &version), ("einddatum", &later)],
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("in de toekomst"));
        // Only the person reports it.
        let r = post(
            &app,
            &manager,
            &format!("/verklaringen/{id}/beeindigen"),
            &[("versie", &version), ("einddatum", "2020-01-01")],
        )
        .await;
        assert_eq!(r.status(), 403);
        let today = today.to_string();
        let r = post(
            &app,
            &employee,
            &format!("/verklaringen/{id}/beeindigen"),
            &[("versie", &version), ("einddatum", &today)],
        )
        .await;
        assert_eq!(r.status(), 303);
        assert!(activities(&register(&app).await).is_empty());
        let (_, html) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        assert!(html.contains("id=\"beeindigd\""), "{html}");
    }
}

#[tokio::test]
async fn the_four_presets_defaults_are_shown_and_followed() {
    let app = TestApp::spawn(sqlite().await).await;
    let admin = app.signed_in(&email_of(Role::Admin)).await;
    let email = email_of(Role::Employee);
    for (preset, top, scale, designated) in [
        ("maastricht", true, "", true),
        ("provincie-limburg", false, "14", true),
        ("leidschendam-voorburg", false, "", false),
        ("dalfsen", false, "", false),
    ] {
        let mut conn = app.db.store.conn().await.unwrap();
        integer_store::testing::set_preset(&mut conn, app.alpha, preset).await;
        // A top official in scale 14: designated where the code says so.
        integer_store::testing::set_employee_facts(&mut conn, &email, Some(14), true, false).await;
        drop(conn);
        let (status, html) = page(&app, &admin, DESIGNATION).await;
        assert_eq!(status, 200, "{preset}");
        assert!(html.contains(&format!("<code>{preset}</code>")), "{preset}");
        assert_eq!(
            html.contains("name=\"topfunctionarissen\" value=\"ja\" type=\"checkbox\" checked"),
            top,
            "{preset}"
        );
        assert!(
            html.contains(&format!(
                "name=\"vanaf_schaal\" type=\"text\" inputmode=\"numeric\" value=\"{scale}\""
            )),
            "{preset}: {html}"
        );
        // The code's own section is linked.
        assert!(html.contains("href=\"/gedragscode/"), "{preset}");
        assert_eq!(
            html.contains(
                "<a class=\"utrecht-link utrecht-link--html-a\" href=\"/organisatie/mensen/"
            ) && html.contains("Alpha employee"),
            designated,
            "{preset}"
        );
    }
}
