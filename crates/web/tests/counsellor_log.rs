//! The confidential counsellors' log through the real application: a
//! counsellor records consultations without names and sees only their own;
//! the integrity office sees the counts and never an entry; everyone else
//! is refused; bad input is named per field in Dutch and English.

mod common;

use common::{TestApp, email_of, hidden};
use integer_domain::audit::Credential;
use integer_domain::counsel::{ConsultationInput, parse_consultation, today};
use integer_domain::org::{EmploymentType, OrgId, PersonId, Role};
use integer_domain::values::Email;
use integer_store::counsellor_log::{self as log, Author};
use integer_store::people::{self, PersonFields};
use integer_store::testing::{both, sqlite};
use reqwest::Client;

/// Adds a counsellor who can sign in (the test app has one per role).
async fn add_counsellor(app: &mut TestApp, org: OrgId, email: &str) -> PersonId {
    let store = &app.db.store;
    let mut tx = store.begin_write().await.unwrap();
    let fields = PersonFields {
        name: "Tweede Vertrouwenspersoon".into(),
        email: Email::parse(email).unwrap(),
        employee_number: None,
        function_title: None,
        salary_scale: None,
        employment_type: EmploymentType::CivilServant,
        unit_id: None,
        manager_id: None,
        start_date: None,
        end_date: None,
        top_official: false,
        designated_function: false,
    };
    let id = people::insert(&mut tx, org, &fields).await.unwrap();
    people::add_roles(&mut tx, org, id, &[Role::Counsellor])
        .await
        .unwrap();
    people::set_password_hash(&mut tx, org, id, common::password_hash())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.ids.insert(email.to_string(), id);
    id
}

fn today_text() -> String {
    today().to_string()
}

/// A complete entry as the form posts it; `extra` replaces or adds fields.
fn entry(date: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("datum", date),
        ("onderwerp", "undesirable_behaviour"),
        ("soort", "bullying"),
        ("wie", "employee"),
        ("actie", "listening"),
        ("actie", "advice"),
        ("contacten", "2"),
        ("contact", "first"),
    ]
    .iter()
    .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    form.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    form
}

async fn post(
    app: &TestApp,
    c: &Client,
    path: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let csrf = app.csrf(c).await;
    let mut form = vec![("csrf".to_string(), csrf)];
    form.extend_from_slice(fields);
    c.post(app.url(path)).form(&form).send().await.unwrap()
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The ids of the entries listed on the log page.
fn listed(html: &str) -> Vec<i64> {
    html.split("data-entry=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse().unwrap())
        .collect()
}

async fn record(app: &TestApp, c: &Client, fields: &[(String, String)]) -> i64 {
    let r = post(app, c, "/vertrouwenspersoon", fields).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let (_, html) = page(app, c, "/vertrouwenspersoon").await;
    *listed(&html).iter().max().expect("the new entry is listed")
}

/// The count in a table row of the counts page, by its label.
fn count(html: &str, table: &str, label: &str) -> i64 {
    let start = html
        .find(&format!("id=\"cijfers-{table}\""))
        .unwrap_or_else(|| panic!("no table {table}"));
    let rest = &html[start..];
    let row = rest
        .find(&format!(">{label}</th>"))
        .unwrap_or_else(|| panic!("no row {label} in {table}"));
    let cell = &rest[row..];
    let marker = "data-count=\"";
    let i = cell.find(marker).unwrap() + marker.len();
    cell[i..].split('"').next().unwrap().parse().unwrap()
}

fn total(html: &str, table: &str) -> i64 {
    let start = html.find(&format!("id=\"cijfers-{table}\"")).unwrap();
    let rest = &html[start..];
    let marker = "data-total=\"";
    let i = rest.find(marker).unwrap() + marker.len();
    rest[i..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_counsellor_records_and_sees_only_their_own_entries() {
    for db in both().await {
        let mut app = TestApp::spawn(db).await;
        let alpha = app.alpha;
        add_counsellor(&mut app, alpha, "tweede@alpha.nl").await;
        let vera = app.signed_in(&email_of(Role::Counsellor)).await;
        let (status, html) = page(&app, &vera, "/vertrouwenspersoon").await;
        assert_eq!(status, 200);
        assert!(html.contains("href=\"/vertrouwenspersoon\""), "nav item");
        assert!(!html.contains("<textarea"), "no free text, ever");
        let older = record(&app, &vera, &entry(&today_text(), &[])).await;
        let newer = record(
            &app,
            &vera,
            &entry(
                &today_text(),
                &[("onderwerp", "integrity_question"), ("soort", "")],
            ),
        )
        .await;
        let (_, html) = page(&app, &vera, "/vertrouwenspersoon").await;
        assert_eq!(listed(&html), [newer, older], "most recent first");
        assert!(html.contains("Pesten"));

        // Another counsellor sees neither the list nor the entry.
        let wim = app.signed_in("tweede@alpha.nl").await;
        let (status, html) = page(&app, &wim, "/vertrouwenspersoon").await;
        assert_eq!(status, 200);
        assert!(listed(&html).is_empty(), "{html}");
        let (status, _) = page(&app, &wim, &format!("/vertrouwenspersoon/{older}")).await;
        assert_eq!(status, 404);
        let mut fields = entry(&today_text(), &[]);
        fields.push(("versie".into(), "1".into()));
        let r = post(&app, &wim, &format!("/vertrouwenspersoon/{older}"), &fields).await;
        assert_eq!(r.status(), 404, "no correcting someone else's entry");
        let r = post(
            &app,
            &wim,
            &format!("/vertrouwenspersoon/{older}/verwijderen"),
            &[("versie".into(), "1".into())],
        )
        .await;
        assert_eq!(r.status(), 404, "no deleting someone else's entry");

        // The author corrects (compare-and-set) and deletes.
        let (status, edit) = page(&app, &vera, &format!("/vertrouwenspersoon/{older}")).await;
        assert_eq!(status, 200);
        assert_eq!(hidden(&edit, "versie"), "1");
        let mut fields = entry(&today_text(), &[("wie", "outsider")]);
        fields.push(("versie".into(), "1".into()));
        let r = post(
            &app,
            &vera,
            &format!("/vertrouwenspersoon/{older}"),
            &fields,
        )
        .await;
        assert_eq!(r.status(), 303);
        let r = post(
            &app,
            &vera,
            &format!("/vertrouwenspersoon/{older}"),
            &fields,
        )
        .await;
        assert_eq!(r.status(), 409, "a stale version is refused");
        let (_, html) = page(&app, &vera, "/vertrouwenspersoon").await;
        assert!(html.contains("Iemand van buiten de organisatie"));
        let r = post(
            &app,
            &vera,
            &format!("/vertrouwenspersoon/{newer}/verwijderen"),
            &[("versie".into(), "1".into())],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = page(&app, &vera, "/vertrouwenspersoon").await;
        assert_eq!(listed(&html), [older]);
    }
}

#[tokio::test]
async fn the_integrity_office_sees_counts_but_no_entries_and_the_counts_are_right() {
    for db in both().await {
        let mut app = TestApp::spawn(db).await;
        let alpha = app.alpha;
        add_counsellor(&mut app, alpha, "tweede@alpha.nl").await;
        let vera = app.signed_in(&email_of(Role::Counsellor)).await;
        let wim = app.signed_in("tweede@alpha.nl").await;
        let date = today_text();
        record(&app, &vera, &entry(&date, &[])).await;
        record(
            &app,
            &vera,
            &entry(
                &date,
                &[
                    ("soort", "intimidation"),
                    ("contacten", "3"),
                    ("contact", "follow_up"),
                ],
            ),
        )
        .await;
        record(
            &app,
            &wim,
            &entry(
                &date,
                &[
                    ("onderwerp", "integrity_concern"),
                    ("soort", ""),
                    ("wie", "manager"),
                    ("actie", "report_filed"),
                ],
            ),
        )
        .await;

        let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
        let (status, _) = page(&app, &office, "/vertrouwenspersoon").await;
        assert_eq!(status, 403, "no entry list for the integrity office");
        let year = today().year();
        let (status, html) = page(
            &app,
            &office,
            &format!("/vertrouwenspersoon/cijfers?jaar={year}"),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            html.contains("href=\"/vertrouwenspersoon/cijfers\""),
            "nav item"
        );
        assert!(listed(&html).is_empty());
        assert!(html.contains("data-consultations=\"3\""), "{html}");
        assert!(html.contains("data-contacts=\"7\""));
        assert_eq!(count(&html, "onderwerp", "Ongewenst gedrag"), 2);
        assert_eq!(
            count(
                &html,
                "onderwerp",
                "Zorg over integriteit (vermoeden van een misstand)"
            ),
            1
        );
        assert_eq!(count(&html, "onderwerp", "Integriteitsvraag"), 0);
        assert_eq!(total(&html, "onderwerp"), 3);
        assert_eq!(count(&html, "soort", "Pesten"), 1);
        assert_eq!(count(&html, "soort", "Intimidatie"), 1);
        assert_eq!(total(&html, "soort"), 2);
        assert_eq!(count(&html, "wie", "Medewerker"), 2);
        assert_eq!(count(&html, "wie", "Leidinggevende"), 1);
        // The third entry's actions replace the default two.
        assert_eq!(count(&html, "actie", "Luisteren"), 1 + 1);
        assert_eq!(count(&html, "actie", "Melding gedaan"), 1);
        assert_eq!(total(&html, "actie"), 2 + 2 + 1);
        // A year without entries.
        let (_, empty) = page(&app, &office, "/vertrouwenspersoon/cijfers?jaar=2001").await;
        assert!(empty.contains("data-consultations=\"0\""));

        let r = office
            .get(app.url(&format!("/vertrouwenspersoon/cijfers.csv?jaar={year}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("group,code,label,count"));
        assert!(csv.contains("total,consultations,Gesprekken,3"), "{csv}");
        assert!(csv.contains("behaviour,bullying,Pesten,1"));
        assert!(csv.contains("visitor,manager,Leidinggevende,1"));

        // Counsellors see the counts too.
        let (status, html) = page(&app, &vera, "/vertrouwenspersoon/cijfers").await;
        assert_eq!(status, 200);
        assert!(html.contains("data-consultations=\"3\""));
    }
}

#[tokio::test]
async fn everyone_else_is_refused() {
    let app = TestApp::spawn(sqlite().await).await;
    for role in [
        Role::Employee,
        Role::Hr,
        Role::PrivacyOfficer,
        Role::Manager,
        Role::Admin,
    ] {
        let c = app.signed_in(&email_of(role)).await;
        for path in [
            "/vertrouwenspersoon",
            "/vertrouwenspersoon/cijfers",
            "/vertrouwenspersoon/cijfers.csv",
            "/vertrouwenspersoon/1",
        ] {
            let (status, _) = page(&app, &c, path).await;
            assert_eq!(status, 403, "{role:?} {path}");
        }
        let r = post(&app, &c, "/vertrouwenspersoon", &entry(&today_text(), &[])).await;
        assert_eq!(r.status(), 403, "{role:?}");
        let (_, home) = page(&app, &c, "/").await;
        assert!(
            !home.contains("href=\"/vertrouwenspersoon"),
            "{role:?}: no nav item"
        );
    }
}

#[tokio::test]
async fn bad_input_is_named_per_field_in_dutch_and_english() {
    let app = TestApp::spawn(sqlite().await).await;
    let vera = app.signed_in(&email_of(Role::Counsellor)).await;
    let tomorrow = today().tomorrow().unwrap().to_string();
    /// The form, the field in error, and its Dutch and English message.
    type BadCase<'a> = (Vec<(String, String)>, &'a str, &'a str, &'a str);
    let cases: [BadCase; 4] = [
        (
            entry(&today_text(), &[("onderwerp", ""), ("soort", "")]),
            "onderwerp",
            "Kies het onderwerp van het gesprek.",
            "Choose the topic of the consultation.",
        ),
        (
            entry(&today_text(), &[("onderwerp", "integrity_question")]),
            "soort",
            "Een soort ongewenst gedrag hoort alleen bij het onderwerp ongewenst gedrag",
            "A kind of undesirable behaviour only goes with the topic undesirable behaviour",
        ),
        (
            entry(&today_text(), &[("contacten", "0")]),
            "contacten",
            "Vul het aantal contacten in als heel getal van 1 tot en met 50.",
            "Enter the number of contacts as a whole number from 1 to 50.",
        ),
        (
            entry(&tomorrow, &[]),
            "datum",
            "De datum ligt in de toekomst",
            "The date is in the future",
        ),
    ];
    for (fields, field, nl, _) in &cases {
        let r = post(&app, &vera, "/vertrouwenspersoon", fields).await;
        assert_eq!(r.status(), 422, "{field}");
        let html = r.text().await.unwrap();
        assert!(html.contains(nl), "{field}: {html}");
        assert!(
            html.contains(&format!("href=\"#{field}\"")),
            "{field}: summary links to it"
        );
        assert!(
            html.contains(&format!("id=\"{field}-fout\"")),
            "{field}: shown at the field"
        );
        assert!(html.contains("aria-invalid=\"true\"") || field != &"datum");
    }
    let (_, _) = page(&app, &vera, "/taal/en?terug=/vertrouwenspersoon").await;
    for (fields, field, _, en) in &cases {
        let r = post(&app, &vera, "/vertrouwenspersoon", fields).await;
        assert_eq!(r.status(), 422, "{field}");
        let html = r.text().await.unwrap();
        assert!(html.contains(en), "{field}: {html}");
    }
    let (_, html) = page(&app, &vera, "/vertrouwenspersoon").await;
    assert!(listed(&html).is_empty(), "nothing was recorded");
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn(sqlite().await).await;
    let vera = app.signed_in(&email_of(Role::Counsellor)).await;
    let r = vera
        .post(app.url("/vertrouwenspersoon"))
        .form(&entry(&today_text(), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let mut forged = entry(&today_text(), &[]);
    forged.push(("csrf".into(), "not-the-token".into()));
    let r = vera
        .post(app.url("/vertrouwenspersoon"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (_, html) = page(&app, &vera, "/vertrouwenspersoon").await;
    assert!(listed(&html).is_empty());
}

#[tokio::test]
async fn another_organisations_entry_is_not_found() {
    let mut app = TestApp::spawn(sqlite().await).await;
    let beta = app.beta;
    let beta_counsellor = add_counsellor(&mut app, beta, "vp@beta.nl").await;
    let input = ConsultationInput {
        date: &today_text(),
        topic: "other",
        behaviour: "",
        visitor: "outsider",
        actions: vec!["advice"],
        contacts: "1",
        contact: "first",
    };
    let consultation = parse_consultation(&input, today()).unwrap();
    let mut tx = app.db.store.begin_write().await.unwrap();
    let id = log::add(
        &mut tx,
        app.beta,
        &Author {
            person: beta_counsellor,
            actor: format!("person:{}", beta_counsellor.0),
            credential: Credential::Session,
        },
        &consultation,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let vera = app.signed_in(&email_of(Role::Counsellor)).await;
    let (status, _) = page(&app, &vera, &format!("/vertrouwenspersoon/{id}")).await;
    assert_eq!(status, 404);
    let mut fields = entry(&today_text(), &[]);
    fields.push(("versie".into(), "1".into()));
    let r = post(&app, &vera, &format!("/vertrouwenspersoon/{id}"), &fields).await;
    assert_eq!(r.status(), 404);
    let (status, _) = page(&app, &vera, "/vertrouwenspersoon/geen-getal").await;
    assert_eq!(status, 404);
}
