//! Declarations through the real application: filing from "Mag dit?",
//! routing, deciding, the registers and their exports.

mod common;

use common::{TestApp, email_of, hidden};
use integer_domain::org::{PersonId, Role};
use integer_store::testing::{both, sqlite};
use reqwest::Client;

/// A EUR 30 bunch of flowers, answered for the Maastricht preset.
const FLOWERS: &[(&str, &str)] = &[
    ("soort", "gift"),
    ("value_eur", "30"),
    ("customary_thank_you", "ja"),
    ("sent_to_home_address", "nee"),
    ("procurement_ongoing", "nee"),
    ("intent_to_influence", "nee"),
    ("refusal_would_offend", "nee"),
    ("refusal_impractical", "nee"),
    ("prior_permission", "nee"),
    ("appearance_of_corruption", "minimal"),
];

async fn file(
    app: &TestApp,
    c: &Client,
    answers: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = app.csrf(c).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(answers);
    form.extend_from_slice(extra);
    c.post(app.url("/verklaringen"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

fn id_of(r: &reqwest::Response) -> i64 {
    let loc = r.headers()["location"].to_str().unwrap();
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

async fn decide(
    app: &TestApp,
    c: &Client,
    id: i64,
    version: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = app.csrf(c).await;
    let mut all = vec![("csrf", csrf.as_str()), ("versie", version)];
    all.extend_from_slice(form);
    c.post(app.url(&format!("/verklaringen/{id}/besluit")))
        .form(&all)
        .send()
        .await
        .unwrap()
}

/// The publication's version on a declaration's page (its forms carry it).
fn publication_version(html: &str) -> String {
    let form = html
        .find("/publiceren\"")
        .unwrap_or_else(|| panic!("no confirmation form: {html}"));
    attr(&html[form..], "name=\"versie\" value")
}

fn attr(html: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let i = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    html[i..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn flowers_in_maastricht_from_declaration_to_register() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        // The answer page offers to file it.
        let q: String = FLOWERS
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let (_, answer) = page(&app, &employee, &format!("/mag-dit/vragen?{q}")).await;
        assert!(answer.contains("action=\"/verklaringen\""));
        let r = file(
            &app,
            &employee,
            FLOWERS,
            &[
                ("omschrijving", "Bos bloemen van een inwoner"),
                ("derde", "Mevr. Jansen"),
                ("datum", "01-03-2025"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let id = id_of(&r);
        let (_, html) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        assert_eq!(attr(&html, "data-status"), "submitted");
        assert!(
            html.contains("Mia Manager"),
            "routed to the employee's manager"
        );
        assert!(
            html.contains("Lever het in"),
            "the rule's obligations are shown"
        );

        // The manager decides from the inbox page, with the gift's destination.
        let manager = app.signed_in(&email_of(Role::Manager)).await;
        let (_, inbox) = page(&app, &manager, "/beoordelen").await;
        assert!(inbox.contains("Bos bloemen van een inwoner"));
        let (_, detail) = page(&app, &manager, &format!("/verklaringen/{id}")).await;
        let version = attr(&detail, "data-version");
        let r = decide(
            &app,
            &manager,
            id,
            &version,
            &[("besluit", "approve"), ("bestemming", "hand_in")],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, inbox) = page(&app, &manager, "/beoordelen").await;
        assert!(
            !inbox.contains("Bos bloemen van een inwoner"),
            "decided items leave the inbox"
        );

        // The integrity office's register shows it, with its destination.
        let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
        let (status, register) = page(&app, &office, "/registers?soort=gift").await;
        assert_eq!(status, 200);
        assert!(register.contains("Bos bloemen van een inwoner") && register.contains("€ 30,00"));
        let (_, json) = page(&app, &office, "/registers/export.json?soort=gift").await;
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["items"][0]["destination"], "hand_in");
        assert_eq!(v["items"][0]["status"], "approved");
        assert_eq!(v["items"][0]["preset_version"], "2025.2");
        // And the employee sees the outcome in "mijn meldingen".
        let (_, mine) = page(&app, &employee, "/verklaringen").await;
        assert!(mine.contains("data-status=\"approved\""));
    }
}

#[tokio::test]
async fn a_managers_own_declaration_goes_to_their_manager() {
    let app = TestApp::spawn(sqlite().await).await;
    // Make the director the manager's manager.
    let mut conn = app.db.store.conn().await.unwrap();
    let mia = app.id(&email_of(Role::Manager));
    let director = app.id(&email_of(Role::Director));
    integer_store::testing::set_manager(&mut conn, mia, Some(director)).await;
    drop(conn);
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    let r = file(
        &app,
        &manager,
        FLOWERS,
        &[("omschrijving", "Fles wijn na een lezing")],
    )
    .await;
    let id = id_of(&r);
    let (_, own_inbox) = page(&app, &manager, "/beoordelen").await;
    assert!(
        !own_inbox.contains("Fles wijn"),
        "nobody decides their own declaration"
    );
    let boss = app.signed_in(&email_of(Role::Director)).await;
    let (_, inbox) = page(&app, &boss, "/beoordelen").await;
    assert!(inbox.contains("Fles wijn na een lezing"));
    let (status, _) = page(&app, &boss, &format!("/verklaringen/{id}")).await;
    assert_eq!(status, 200);
    // Without a manager of one's own it goes to the director's queue.
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let r = file(
        &app,
        &office,
        FLOWERS,
        &[("omschrijving", "Boekenbon van een leverancier")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, inbox) = page(&app, &boss, "/beoordelen").await;
    assert!(inbox.contains("Boekenbon van een leverancier"));
}

#[tokio::test]
async fn a_dalfsen_side_activity_goes_to_the_board() {
    let app = TestApp::spawn(sqlite().await).await;
    let board = integer_store::testing::add_person(
        &app.db.store,
        app.beta,
        "Bestuurder Beta",
        "board@beta.nl",
        Role::Board,
        Some(common::password_hash()),
    )
    .await;
    let employee = app.signed_in("employee@beta.nl").await;
    // Answer exactly the questions the Dalfsen preset asks: an unpaid
    // activity that touches nothing of the municipality.
    use integer_domain::policy::{AnswerType, Kind, bundled_preset, questions};
    let preset = bundled_preset("dalfsen").unwrap();
    let mut answers: Vec<(String, String)> = vec![("soort".into(), "side_activity".into())];
    for q in questions(preset, Kind::SideActivity) {
        let value = match q.answer {
            AnswerType::Flag => "nee",
            AnswerType::Number => "2",
            AnswerType::Appearance => "none",
            AnswerType::Choice(options) => options[options.len() - 1],
            AnswerType::Listed => "",
        };
        answers.push((q.field.to_string(), value.to_string()));
    }
    let pairs: Vec<(&str, &str)> = answers
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = file(
        &app,
        &employee,
        &pairs,
        &[("omschrijving", "Penningmeester van de voetbalclub")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let id = id_of(&r);
    let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
    assert!(
        detail.contains("Het bestuur"),
        "routed to the board's queue: {detail}"
    );
    let c = app.signed_in("board@beta.nl").await;
    let _ = board;
    let (_, inbox) = page(&app, &c, "/beoordelen").await;
    assert!(inbox.contains("Penningmeester van de voetbalclub"));
}

#[tokio::test]
async fn concurrent_decisions_one_wins_the_other_is_told() {
    let app = TestApp::spawn(sqlite().await).await;
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let id = id_of(&file(&app, &employee, FLOWERS, &[("omschrijving", "Bloemen")]).await);
    let first = app.signed_in(&email_of(Role::Manager)).await;
    let second = app.signed_in(&email_of(Role::Manager)).await;
    let (_, detail) = page(&app, &first, &format!("/verklaringen/{id}")).await;
    let version = attr(&detail, "data-version");
    let (a, b) = tokio::join!(
        decide(&app, &first, id, &version, &[("besluit", "approve")]),
        decide(
            &app,
            &second,
            id,
            &version,
            &[("besluit", "refuse"), ("toelichting", "Te duur")]
        ),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "exactly one decision wins");
    let loser = if a.status() == 409 { a } else { b };
    assert!(
        loser
            .text()
            .await
            .unwrap()
            .contains("Iemand anders heeft intussen")
    );
}

#[tokio::test]
async fn who_sees_which_declarations() {
    let app = TestApp::spawn(sqlite().await).await;
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let id = id_of(&file(&app, &employee, FLOWERS, &[("omschrijving", "Bloemen")]).await);
    let path = format!("/verklaringen/{id}");
    for (role, expected) in [
        (Role::Employee, 200), // own
        (Role::Manager, 200),  // the manager, who decides it
        (Role::IntegrityOffice, 200),
        (Role::Hr, 200),
        (Role::Counsellor, 403),
        (Role::Board, 403),
        (Role::Director, 403),
        (Role::Investigator, 403),
        (Role::PrivacyOfficer, 403),
        (Role::Admin, 403),
    ] {
        let c = app.signed_in(&email_of(role)).await;
        assert_eq!(page(&app, &c, &path).await.0, expected, "{role:?} views");
        let register = page(&app, &c, "/registers").await.0;
        // The privacy officer reaches the register as a keeper of data
        // leaks (it then shows data leaks only).
        let may_list = matches!(
            role,
            Role::IntegrityOffice | Role::Hr | Role::Manager | Role::PrivacyOfficer
        );
        assert_eq!(
            register,
            if may_list { 200 } else { 403 },
            "{role:?} register"
        );
        let export = page(&app, &c, "/registers/export.csv").await.0;
        assert_eq!(
            export,
            if role == Role::IntegrityOffice {
                200
            } else {
                403
            },
            "{role:?} export"
        );
        // Deciding is for the approver only.
        if role != Role::Manager {
            let r = decide(&app, &c, id, "1", &[("besluit", "approve")]).await;
            assert_eq!(r.status(), 403, "{role:?} decides");
        }
    }
    let beta = app.signed_in("admin@beta.nl").await;
    assert_eq!(
        page(&app, &beta, &path).await.0,
        404,
        "another organisation"
    );
    // Looks by others are audited.
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let _ = page(&app, &office, &path).await;
    let admin = app.signed_in(&email_of(Role::Admin)).await;
    let (_, audit) = page(&app, &admin, "/organisatie/audit").await;
    assert!(audit.contains("declaration.viewed"));
}

#[tokio::test]
async fn bad_input_is_explained_field_by_field() {
    let app = TestApp::spawn(sqlite().await).await;
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let long = "x".repeat(201);
    for (extra, message) in [
        (vec![("omschrijving", "")], "Beschrijf kort"),
        (
            vec![("omschrijving", "ok"), ("datum", "gisteren")],
            "geen geldige datum",
        ),
        (
            vec![("omschrijving", "ok"), ("derde", long.as_str())],
            "te lang",
        ),
    ] {
        let r = file(&app, &employee, FLOWERS, &extra).await;
        assert_eq!(r.status(), 422, "{extra:?}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(message) && html.contains("integer-error-summary"),
            "{message}"
        );
    }
    // Answers that do not fit the questions are refused outright.
    let r = file(
        &app,
        &employee,
        &[("soort", "gift"), ("value_eur", "-3")],
        &[("omschrijving", "x")],
    )
    .await;
    assert_eq!(r.status(), 400);
    // Filing for someone who is not in one's team is refused.
    let other = app.id(&email_of(Role::Counsellor)).0.to_string();
    let r = file(
        &app,
        &employee,
        FLOWERS,
        &[("omschrijving", "x"), ("namens", other.as_str())],
    )
    .await;
    assert_eq!(r.status(), 403);

    let id = id_of(&file(&app, &employee, FLOWERS, &[("omschrijving", "Bloemen")]).await);
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    for (form, message) in [
        (vec![], "Kies een besluit"),
        (vec![("besluit", "refuse")], "Geef een toelichting"),
        (
            vec![("besluit", "ask_information"), ("toelichting", " ")],
            "Geef een toelichting",
        ),
        (
            vec![("besluit", "approve_with_conditions")],
            "Schrijf de voorwaarden op",
        ),
        (
            vec![("besluit", "approve"), ("bestemming", "verkopen")],
            "Kies een bestemming",
        ),
        (vec![("besluit", "goedkeuren")], "Kies een besluit"),
    ] {
        let r = decide(&app, &manager, id, "1", &form).await;
        assert_eq!(r.status(), 422, "{form:?}");
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
    // Register filters explain themselves too.
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let (status, html) = page(
        &app,
        &office,
        "/registers?van=morgen&min=veel&soort=omkoping",
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("geen geldige datum")
            && html.contains("is geen bedrag")
            && html.contains("Kies een soort")
    );
}

#[tokio::test]
async fn asking_for_information_withdrawing_and_empty_exports() {
    let app = TestApp::spawn(sqlite().await).await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let (status, csv) = page(&app, &office, "/registers/export.csv").await;
    assert_eq!(status, 200);
    assert_eq!(
        csv.lines().count(),
        1,
        "an empty register exports its header: {csv}"
    );
    let (_, json) = page(&app, &office, "/registers/export.json").await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap()["items"],
        serde_json::json!([])
    );

    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let id = id_of(
        &file(
            &app,
            &employee,
            FLOWERS,
            &[("omschrijving", "=HYPERLINK(\"x\")")],
        )
        .await,
    );
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    let r = decide(
        &app,
        &manager,
        id,
        "1",
        &[
            ("besluit", "ask_information"),
            ("toelichting", "Van wie precies?"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
    assert_eq!(attr(&detail, "data-status"), "info_requested");
    let csrf = hidden(&detail, "csrf");
    let version = attr(&detail, "data-version");
    let r = employee
        .post(app.url(&format!("/verklaringen/{id}/aanvullen")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("aanvulling", "Van de buurvrouw"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, inbox) = page(&app, &manager, "/beoordelen").await;
    assert!(inbox.contains("HYPERLINK"), "back with the approver");
    let (_, csv) = page(&app, &office, "/registers/export.csv").await;
    assert!(
        csv.contains("'=HYPERLINK"),
        "formulas are neutralised in CSV: {csv}"
    );
    let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
    let version = attr(&detail, "data-version");
    let r = employee
        .post(app.url(&format!("/verklaringen/{id}/intrekken")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("reden", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
    assert_eq!(attr(&detail, "data-status"), "withdrawn");
    assert!(detail.contains("Ingetrokken"), "history kept");
    let _ = PersonId(0);
}

/// Answers every question a preset asks for a kind: the given values, and
/// "no" / unknown for the rest.
fn answers_for(
    preset: &str,
    kind: integer_domain::policy::Kind,
    given: &[(&str, &str)],
) -> Vec<(String, String)> {
    use integer_domain::policy::{AnswerType, bundled_preset, questions};
    let mut out = vec![("soort".to_string(), kind.code().to_string())];
    for q in questions(bundled_preset(preset).unwrap(), kind) {
        let value = given
            .iter()
            .find(|(k, _)| *k == q.field)
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| match q.answer {
                AnswerType::Flag => "nee".into(),
                AnswerType::Number => String::new(),
                AnswerType::Appearance => String::new(),
                AnswerType::Choice(options) => options[options.len() - 1].into(),
                AnswerType::Listed => String::new(),
            });
        out.push((q.field.to_string(), value));
    }
    out
}

#[tokio::test]
async fn a_limburg_scale_14_side_activity_is_published_once_the_person_saw_it() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let mut conn = app.db.store.conn().await.unwrap();
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
        let answers = answers_for(
            "provincie-limburg",
            integer_domain::policy::Kind::SideActivity,
            &[("paid", "ja"), ("hours_per_week", "3")],
        );
        let pairs: Vec<(&str, &str)> = answers
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let r = file(
            &app,
            &employee,
            &pairs,
            &[
                ("omschrijving", "Lid raad van toezicht"),
                ("derde", "Stichting Limburgs Landschap"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let id = id_of(&r);
        let json = |app: &TestApp| {
            let url = app.url("/o/alpha/nevenfuncties.json");
            async move {
                reqwest::get(url)
                    .await
                    .unwrap()
                    .json::<serde_json::Value>()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            json(&app).await["entries"],
            serde_json::json!([]),
            "nothing before approval"
        );
        let manager = app.signed_in(&email_of(Role::Manager)).await;
        let r = decide(
            &app,
            &manager,
            id,
            "1",
            &[
                ("besluit", "approve_with_conditions"),
                (
                    "voorwaarden",
                    "Niet betrokken bij subsidies aan de stichting",
                ),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        assert_eq!(
            json(&app).await["entries"],
            serde_json::json!([]),
            "nothing before the person saw the text (the notice period runs)"
        );
        // The person is told, sees exactly what will appear, and confirms
        // it: published at once (refusing is not offered).
        let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        assert!(
            detail.contains("id=\"publicatie\"") && detail.contains("Stichting Limburgs Landschap"),
            "{detail}"
        );
        assert!(detail.contains("salarisschaal 14 of hoger"), "{detail}");
        assert!(detail.contains("wettelijke plicht"), "{detail}");
        let csrf = hidden(&detail, "csrf");
        let version = publication_version(&detail);
        let r = employee
            .post(app.url(&format!("/verklaringen/{id}/publiceren")))
            .form(&[("csrf", csrf.as_str()), ("versie", version.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let v = json(&app).await;
        let e = &v["entries"][0];
        assert_eq!(e["name"], "Alpha employee");
        assert_eq!(e["activity"], "Lid raad van toezicht");
        assert_eq!(e["organisation"], "Stichting Limburgs Landschap");
        assert_eq!(e["paid"], true);
        assert_eq!(
            e["conditions"],
            "Niet betrokken bij subsidies aan de stichting"
        );
        assert!(v["updated"].is_string());
        // CSV and the HTML page, without signing in.
        let csv = reqwest::get(app.url("/o/alpha/nevenfuncties.csv"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            csv.starts_with("name,function_title,activity")
                && csv.contains("Lid raad van toezicht")
        );
        let html = reqwest::get(app.url("/o/alpha/nevenfuncties"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Register van nevenfuncties") && html.contains("Lid raad van toezicht")
        );
        assert!(!html.contains("Uitloggen"));
        // Nothing of another organisation, and no register for an unknown one.
        let beta = reqwest::get(app.url("/o/beta/nevenfuncties.json"))
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(beta["entries"], serde_json::json!([]));
        assert_eq!(
            reqwest::get(app.url("/o/nergens/nevenfuncties.json"))
                .await
                .unwrap()
                .status(),
            404
        );
    }
}

#[tokio::test]
async fn an_ordinary_side_activity_is_never_published() {
    let app = TestApp::spawn(sqlite().await).await;
    let mut conn = app.db.store.conn().await.unwrap();
    integer_store::testing::set_preset(&mut conn, app.alpha, "provincie-limburg").await;
    integer_store::testing::set_employee_facts(
        &mut conn,
        &email_of(Role::Employee),
        Some(9),
        false,
        false,
    )
    .await;
    drop(conn);
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let answers = answers_for(
        "provincie-limburg",
        integer_domain::policy::Kind::SideActivity,
        &[("paid", "ja")],
    );
    let pairs: Vec<(&str, &str)> = answers
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let id = id_of(
        &file(
            &app,
            &employee,
            &pairs,
            &[("omschrijving", "Trainer zwemclub")],
        )
        .await,
    );
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    decide(&app, &manager, id, "1", &[("besluit", "approve")]).await;
    let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
    assert!(
        !detail.contains("id=\"publicatie\""),
        "scale 9 is not designated"
    );
    let csrf = hidden(&detail, "csrf");
    let version = attr(&detail, "data-version");
    let r = employee
        .post(app.url(&format!("/verklaringen/{id}/publiceren")))
        .form(&[("csrf", csrf.as_str()), ("versie", version.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let v: serde_json::Value = reqwest::get(app.url("/o/alpha/nevenfuncties.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["entries"], serde_json::json!([]));
}

#[tokio::test]
async fn a_deputy_decides_while_the_manager_is_away() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        let id = id_of(
            &file(
                &app,
                &employee,
                FLOWERS,
                &[("omschrijving", "Bloemen tijdens vakantie")],
            )
            .await,
        );
        let manager = app.signed_in(&email_of(Role::Manager)).await;
        let csrf = app.csrf(&manager).await;
        let today = jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date();
        let until = today
            .checked_add(jiff::Span::new().days(14))
            .unwrap()
            .to_string();
        // Bad input first: unknown colleague, oneself, an end before the start.
        for (email, from, to, message) in [
            (
                "niemand@alpha.nl",
                today.to_string(),
                until.clone(),
                "Er is geen collega",
            ),
            (
                email_of(Role::Manager).leak() as &str,
                today.to_string(),
                until.clone(),
                "uzelf niet",
            ),
            (
                email_of(Role::Director).leak() as &str,
                until.clone(),
                today.to_string(),
                "vóór de startdatum",
            ),
            (
                email_of(Role::Director).leak() as &str,
                "morgen".to_string(),
                until.clone(),
                "geen geldige datum",
            ),
        ] {
            let r = manager
                .post(app.url("/beoordelen/vervanging"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("vervanger", email),
                    ("van", from.as_str()),
                    ("tot", to.as_str()),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{email}");
            assert!(r.text().await.unwrap().contains(message), "{message}");
        }
        let director = email_of(Role::Director);
        let r = manager
            .post(app.url("/beoordelen/vervanging"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("vervanger", director.as_str()),
                ("van", today.to_string().as_str()),
                ("tot", until.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let deputy = app.signed_in(&director).await;
        let (_, inbox) = page(&app, &deputy, "/beoordelen").await;
        assert!(
            inbox.contains("Bloemen tijdens vakantie"),
            "the deputy sees it"
        );
        let r = decide(&app, &deputy, id, "1", &[("besluit", "approve")]).await;
        assert_eq!(r.status(), 303, "and may decide it");
        // An employee cannot appoint deputies.
        let csrf_e = app.csrf(&employee).await;
        let r = employee
            .post(app.url("/beoordelen/vervanging"))
            .form(&[
                ("csrf", csrf_e.as_str()),
                ("vervanger", director.as_str()),
                ("van", today.to_string().as_str()),
                ("tot", until.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
}

#[tokio::test]
async fn a_request_waiting_too_long_goes_one_level_up() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let mut conn = app.db.store.conn().await.unwrap();
        integer_store::testing::set_manager(
            &mut conn,
            app.id(&email_of(Role::Manager)),
            Some(app.id(&email_of(Role::Director))),
        )
        .await;
        drop(conn);
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        let id = id_of(
            &file(
                &app,
                &employee,
                FLOWERS,
                &[("omschrijving", "Wacht al lang")],
            )
            .await,
        );
        // Not yet overdue: nothing moves.
        let mut tx = app.db.store.begin_write().await.unwrap();
        assert!(
            integer_store::escalation::escalate_overdue(&mut tx)
                .await
                .unwrap()
                .is_empty()
        );
        tx.commit().await.unwrap();
        // The organisation waits 14 days by default; pretend 15 have passed.
        let mut conn = app.db.store.conn().await.unwrap();
        integer_store::testing::age_declaration(&mut conn, id, 15 * 86_400).await;
        drop(conn);
        let mut tx = app.db.store.begin_write().await.unwrap();
        let moved = integer_store::escalation::escalate_overdue(&mut tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(moved.len(), 1);
        let boss = app.signed_in(&email_of(Role::Director)).await;
        let (_, inbox) = page(&app, &boss, "/beoordelen").await;
        assert!(
            inbox.contains("Wacht al lang"),
            "the next manager has it now"
        );
        let manager = app.signed_in(&email_of(Role::Manager)).await;
        let (_, inbox) = page(&app, &manager, "/beoordelen").await;
        assert!(!inbox.contains("Wacht al lang"));
        let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        assert!(
            detail.contains("Doorgezet naar de volgende leidinggevende"),
            "history shows it"
        );
        let v = integer_store::audit::verify(&app.db.store).await.unwrap();
        assert!(v.result.is_ok());
    }
}

#[tokio::test]
async fn organisation_settings_hide_names_in_the_public_register() {
    let app = TestApp::spawn(sqlite().await).await;
    let admin = app.signed_in(&email_of(Role::Admin)).await;
    let csrf = app.csrf(&admin).await;
    for bad in ["0", "veertien", "400"] {
        let r = admin
            .post(app.url("/organisatie/instellingen"))
            .form(&[("csrf", csrf.as_str()), ("escalatie", bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{bad}");
        assert!(r.text().await.unwrap().contains("heel aantal dagen"));
    }
    let r = admin
        .post(app.url("/organisatie/instellingen"))
        .form(&[("csrf", csrf.as_str()), ("escalatie", "7")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mut conn = app.db.store.conn().await.unwrap();
    assert_eq!(
        integer_store::publication::settings(&mut conn, app.alpha)
            .await
            .unwrap(),
        (false, 7)
    );
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let csrf_e = app.csrf(&employee).await;
    let r = employee
        .post(app.url("/organisatie/instellingen"))
        .form(&[
            ("csrf", csrf_e.as_str()),
            ("escalatie", "7"),
            ("namen", "ja"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn amending_keeps_the_history_and_reopens_a_decision() {
    let app = TestApp::spawn(sqlite().await).await;
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let id = id_of(
        &file(
            &app,
            &employee,
            FLOWERS,
            &[("omschrijving", "Bloemen van mevrouw A")],
        )
        .await,
    );
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    assert_eq!(
        decide(&app, &manager, id, "1", &[("besluit", "approve")])
            .await
            .status(),
        303
    );
    let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
    let csrf = hidden(&detail, "csrf");
    let version = attr(&detail, "data-version");
    let amend = |form: Vec<(&'static str, String)>| {
        let mut all = vec![("csrf", csrf.clone()), ("versie", version.clone())];
        all.extend(form);
        employee
            .post(app.url(&format!("/verklaringen/{id}/wijzigen")))
            .form(&all)
            .send()
    };
    let r = amend(vec![
        ("omschrijving", "Bloemen van mevrouw B".into()),
        ("reden", String::new()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("reden van de wijziging"));
    let r = amend(vec![
        ("omschrijving", "Bloemen van mevrouw B".into()),
        ("reden", "Verkeerde naam".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
    assert_eq!(
        attr(&detail, "data-status"),
        "submitted",
        "the decision was about the old text"
    );
    assert!(detail.contains("Gewijzigd") && detail.contains("Bloemen van mevrouw B"));
    let (_, inbox) = page(&app, &manager, "/beoordelen").await;
    assert!(
        inbox.contains("Bloemen van mevrouw B"),
        "back with the approver"
    );
    // Stale version: refused.
    let r = amend(vec![("omschrijving", "x".into()), ("reden", "y".into())])
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // Someone else cannot amend it.
    let other = app.signed_in(&email_of(Role::Manager)).await;
    let csrf_o = app.csrf(&other).await;
    let r = other
        .post(app.url(&format!("/verklaringen/{id}/wijzigen")))
        .form(&[
            ("csrf", csrf_o.as_str()),
            ("versie", "3"),
            ("omschrijving", "x"),
            ("reden", "y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn the_register_exports_as_a_real_ods_spreadsheet() {
    let app = TestApp::spawn(sqlite().await).await;
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    file(
        &app,
        &employee,
        FLOWERS,
        &[("omschrijving", "Bloemen & <wijn>")],
    )
    .await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let r = office
        .get(app.url("/registers/export.ods"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.oasis.opendocument.spreadsheet"
    );
    let bytes = r.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.ods");
    std::fs::write(&path, &bytes).unwrap();
    // Python's zipfile checks every CRC and reads the sheet back.
    let check = "import sys, zipfile\n\
                 z = zipfile.ZipFile(sys.argv[1])\n\
                 assert z.testzip() is None\n\
                 assert z.namelist()[0] == 'mimetype'\n\
                 assert z.read('mimetype') == b'application/vnd.oasis.opendocument.spreadsheet'\n\
                 print(z.read('content.xml').decode())";
    let out = std::process::Command::new("python3")
        .args(["-c", check, path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let content = String::from_utf8_lossy(&out.stdout);
    assert!(
        content.contains("Bloemen &amp; &lt;wijn&gt;") && content.contains("preset_version"),
        "{content}"
    );
    let employee_export = employee
        .get(app.url("/registers/export.ods"))
        .send()
        .await
        .unwrap();
    assert_eq!(employee_export.status(), 403);
}

#[tokio::test]
async fn messages_tell_who_must_act() {
    let app = TestApp::spawn(sqlite().await).await;
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let id = id_of(&file(&app, &employee, FLOWERS, &[("omschrijving", "Bloemen")]).await);
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    let (_, home) = page(&app, &manager, "/").await;
    assert!(home.contains("integer-badge"), "the unread count shows");
    let (_, messages) = page(&app, &manager, "/berichten").await;
    assert!(messages.contains("Er wacht een melding of aanvraag op uw besluit"));
    assert!(!messages.contains("Bloemen"), "messages carry no content");
    decide(&app, &manager, id, "1", &[("besluit", "approve")]).await;
    let (_, messages) = page(&app, &employee, "/berichten").await;
    assert!(
        messages.contains(&format!("/verklaringen/{id}")) && messages.contains("Er is besloten")
    );
    let csrf = app.csrf(&employee).await;
    let r = employee
        .post(app.url("/berichten/gelezen"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, home) = page(&app, &employee, "/").await;
    assert!(!home.contains("integer-badge"));
}

#[tokio::test]
async fn standard_conditions_can_be_ticked() {
    let app = TestApp::spawn(sqlite().await).await;
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let id = id_of(&file(&app, &employee, FLOWERS, &[("omschrijving", "Bloemen")]).await);
    let manager = app.signed_in(&email_of(Role::Manager)).await;
    let r = decide(
        &app,
        &manager,
        id,
        "1",
        &[
            ("besluit", "approve_with_conditions"),
            ("standaard", "outside_hours"),
            ("standaard", "report_changes"),
            ("standaard", "onbekend"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "ticked conditions are enough");
    let (_, detail) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
    assert!(
        detail.contains("Alleen buiten werktijd; Meld wijzigingen meteen aan je leidinggevende"),
        "{detail}"
    );
}

/// A misdirected e-mail, answered for the Maastricht preset (which leaves
/// data leaks to the AVG in the baseline).
const MISDIRECTED_EMAIL: &[(&str, &str)] = &[
    ("soort", "data_leak"),
    ("people_affected", "12"),
    ("sensitive_data", "nee"),
    ("contained", "nee"),
];

#[tokio::test]
async fn a_data_leak_is_filed_by_an_employee_and_reaches_the_manager() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        let (_, kinds) = page(&app, &employee, "/mag-dit").await;
        assert!(kinds.contains("value=\"data_leak\""), "offered in Mag dit?");
        // The notification's facts are asked one by one.
        let (status, first) = page(&app, &employee, "/mag-dit/vragen?soort=data_leak").await;
        assert_eq!(status, 200);
        assert!(first.contains("name=\"people_affected\""), "{first}");
        let q: String = MISDIRECTED_EMAIL
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let (_, answer) = page(&app, &employee, &format!("/mag-dit/vragen?{q}")).await;
        assert_eq!(attr(&answer, "data-verdict"), "report");
        assert_eq!(attr(&answer, "data-approver"), "manager");
        assert_eq!(
            attr(&answer, "data-obligations"),
            "report_immediately report_to_manager notify_authority register limit_damage"
        );
        assert!(answer.contains("AVG artikel 33"), "cites the law");
        assert!(answer.contains("Wanneer ontdekte u het?"), "asks when");

        let r = file(
            &app,
            &employee,
            MISDIRECTED_EMAIL,
            &[
                (
                    "omschrijving",
                    "Brief met namen en adressen van aanvragers naar de verkeerde ontvanger gemaild",
                ),
                ("datum", "01-03-2025"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let id = id_of(&r);
        let (_, html) = page(&app, &employee, &format!("/verklaringen/{id}")).await;
        assert_eq!(attr(&html, "data-status"), "submitted");
        assert!(html.contains("Mia Manager"), "routed to the manager");

        // The manager finds it in the inbox and takes note of it.
        let manager = app.signed_in(&email_of(Role::Manager)).await;
        let (_, inbox) = page(&app, &manager, "/beoordelen").await;
        assert!(inbox.contains("verkeerde ontvanger gemaild"), "{inbox}");
        let (status, detail) = page(&app, &manager, &format!("/verklaringen/{id}")).await;
        assert_eq!(status, 200);
        let version = attr(&detail, "data-version");
        let r = decide(&app, &manager, id, &version, &[("besluit", "approve")]).await;
        assert_eq!(r.status(), 303);

        // The register's kind filter finds it, and only it.
        let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
        let (status, register) = page(&app, &office, "/registers?soort=data_leak").await;
        assert_eq!(status, 200);
        assert!(register.contains("verkeerde ontvanger gemaild"));
        let (_, gifts) = page(&app, &office, "/registers?soort=gift").await;
        assert!(!gifts.contains("verkeerde ontvanger gemaild"));
    }
}

#[tokio::test]
async fn the_privacy_officer_sees_data_leaks_and_nothing_else() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        let r = file(
            &app,
            &employee,
            MISDIRECTED_EMAIL,
            &[
                (
                    "omschrijving",
                    "Bestand met adressen naar de verkeerde ontvanger gemaild",
                ),
                ("datum", "01-03-2025"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let leak = id_of(&r);
        let r = file(
            &app,
            &employee,
            FLOWERS,
            &[("omschrijving", "Bos tulpen van een leverancier")],
        )
        .await;
        assert_eq!(r.status(), 303);
        let gift = id_of(&r);

        let privacy = app.signed_in(&email_of(Role::PrivacyOfficer)).await;
        let (_, home) = page(&app, &privacy, "/").await;
        assert!(home.contains("href=\"/registers\""), "the nav offers it");

        // The register shows the data leak, never the gift, whatever the
        // query string asks for.
        let (status, register) = page(&app, &privacy, "/registers").await;
        assert_eq!(status, 200);
        assert!(
            register.contains("verkeerde ontvanger gemaild"),
            "{register}"
        );
        assert!(!register.contains("Bos tulpen"), "{register}");
        let (status, gifts) = page(&app, &privacy, "/registers?soort=gift").await;
        assert_eq!(status, 200);
        assert!(!gifts.contains("Bos tulpen"), "{gifts}");
        assert!(
            gifts.contains("verkeerde ontvanger gemaild"),
            "forced filter"
        );
        let (_, searched) = page(&app, &privacy, "/registers?q=tulpen").await;
        assert!(!searched.contains("Bos tulpen"), "{searched}");

        // The gift's page stays closed; the data leak's page opens.
        let (status, _) = page(&app, &privacy, &format!("/verklaringen/{gift}")).await;
        assert!(matches!(status, 403 | 404), "gift page: {status}");
        let (status, html) = page(&app, &privacy, &format!("/verklaringen/{leak}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("verkeerde ontvanger gemaild"), "{html}");
        // Looking is all: no decision, and no export (no rule for it).
        let version = attr(&html, "data-version");
        let r = decide(&app, &privacy, leak, &version, &[("besluit", "approve")]).await;
        assert_eq!(r.status(), 403);
        let (status, _) = page(&app, &privacy, "/registers/export.csv?soort=gift").await;
        assert_eq!(status, 403);
    }
}
