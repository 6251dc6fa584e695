//! The reporting point over HTTP: the public form, the receipt and the
//! reporter's mailbox, case handling by the team, need to know, bad input
//! and encryption at rest.

mod common;

use common::{PASSWORD, TestApp, email_of, hidden, location};
use integer_domain::org::Role;
use integer_store::testing::{add_person, sqlite};
use reqwest::multipart::{Form as Multi, Part};

const PHRASE: &str = "de wethouder kreeg een gratis keuken van aannemer Zonneveld";

fn report_form(text: &str, identity: &str) -> Multi {
    Multi::new()
        .text("onderwerp", "Keuken")
        .text("melding", text.to_string())
        .text("identiteit", identity.to_string())
}

/// Files a public report; returns (number, receipt code).
async fn public_report(app: &TestApp, form: Multi) -> (String, String) {
    let r = TestApp::client()
        .post(app.url("/o/alpha/melden"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().get("set-cookie").is_none(),
        "the public form sets no cookie"
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let code = html
        .split("data-code=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let number = html
        .split("<strong>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    (number, code)
}

fn case_id_in(list_html: &str, number: &str) -> i64 {
    let at = list_html
        .find(&format!(">{number}</a>"))
        .unwrap_or_else(|| panic!("{number} not in list"));
    let before = &list_html[..at];
    let href = before.rsplit("href=\"/zaken/").next().unwrap();
    href.split('"').next().unwrap().parse().unwrap()
}

async fn mailbox(app: &TestApp, code: &str) -> reqwest::Client {
    let c = TestApp::client();
    let r = c
        .post(app.url("/o/alpha/melden/postbus"))
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    c
}

#[tokio::test]
async fn anonymous_report_acknowledged_question_and_answer() {
    for db in integer_store::testing::both().await {
        anonymous_story(TestApp::spawn(db).await).await;
    }
}

async fn anonymous_story(app: TestApp) {
    let form = report_form(PHRASE, "anonymous").part(
        "bijlage",
        Part::bytes(b"%PDF-1.7 offerte keuken".to_vec()).file_name("offerte.pdf"),
    );
    let (number, code) = public_report(&app, form).await;
    assert_eq!(code.len(), 24);

    // The integrity office (the default intake) sees it, with its clocks.
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let list = office
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = case_id_in(&list, &number);
    let page = office
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(PHRASE));
    assert!(page.contains("offerte.pdf"));
    let csrf = hidden(&page, "csrf");
    let version = hidden(&page, "versie");
    let r = office
        .post(app.url(&format!("/zaken/{id}/ontvangst")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("bericht", "Ontvangen, dank u."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = office
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let version = hidden(&page, "versie");
    let r = office
        .post(app.url(&format!("/zaken/{id}/bericht")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("tekst", "Wanneer was dat precies?"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // An internal note never reaches the reporter.
    office
        .post(app.url(&format!("/zaken/{id}/notitie")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("tekst", "Interne inschatting: serieus"),
        ])
        .send()
        .await
        .unwrap();

    // The reporter opens the mailbox with the code, typed loosely.
    let typed = code.to_lowercase().replace('-', " ");
    let reporter = mailbox(&app, &typed).await;
    let inbox = reporter
        .get(app.url("/o/alpha/melden/postbus/zaak"))
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);
    let html = inbox.text().await.unwrap();
    assert!(html.contains("Wanneer was dat precies?"));
    assert!(html.contains("Ontvangen, dank u."));
    assert!(!html.contains("Interne inschatting"));
    let csrf = hidden(&html, "csrf");
    // Without the form token the answer is refused.
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/bericht"))
        .multipart(Multi::new().text("bericht", "zonder token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/bericht"))
        .multipart(
            Multi::new()
                .text("csrf", csrf)
                .text("bericht", "Op 3 maart, na de raadsvergadering."),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = office
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Op 3 maart, na de raadsvergadering."));

    // Every look was audited, without the content.
    let mut conn = app.db.store.conn().await.unwrap();
    let rows = integer_store::testing::audit_rows(&mut conn, "case").await;
    let actions: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
    for a in [
        "case.received",
        "case.viewed",
        "case.acknowledged",
        "case.message_sent",
        "case.mailbox_opened",
        "case.reporter_message",
    ] {
        assert!(actions.contains(&a), "{a} missing in {actions:?}");
    }
    assert!(rows.iter().all(|(_, d)| !d.contains("wethouder")));
}

#[tokio::test]
async fn wrong_receipts_say_nothing_and_are_throttled() {
    let app = TestApp::spawn(sqlite().await).await;
    let (_, code) = public_report(&app, report_form("Iets gezien", "anonymous")).await;
    let c = TestApp::client();
    let mut statuses = Vec::new();
    let mut messages = Vec::new();
    for guess in [
        "ABCD-EFGH-JKMN-PQRS-TVWX",
        "kort",
        "ABCD-EFGH-JKMN-PQRS-TVWY",
    ] {
        let r = c
            .post(app.url("/o/alpha/melden/postbus"))
            .form(&[("code", guess)])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        let html = r.text().await.unwrap();
        messages.push(
            html.split("id=\"code-fout\">")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(statuses, [422, 422, 422]);
    assert!(
        messages.windows(2).all(|w| w[0] == w[1]),
        "no hint whether a code exists"
    );
    // Another organisation's form does not open this mailbox.
    let r = c
        .post(app.url("/o/beta/melden/postbus"))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    for _ in 0..7 {
        c.post(app.url("/o/alpha/melden/postbus"))
            .form(&[("code", "ABCD-EFGH-JKMN-PQRS-TVWX")])
            .send()
            .await
            .unwrap();
    }
    // Now even the right code waits.
    let r = c
        .post(app.url("/o/alpha/melden/postbus"))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn bad_input_is_explained_and_scripts_are_inert() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = TestApp::client();
    // Empty text and a confidential report without a name.
    let r = c
        .post(app.url("/o/alpha/melden"))
        .multipart(
            Multi::new()
                .text("melding", "")
                .text("identiteit", "confidential"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Schrijf wat u wilt melden."));
    assert!(html.contains("Vul een naam in, of kies"));
    // A program dressed up as a photo, and a file over the limit.
    let r = c
        .post(app.url("/o/alpha/melden"))
        .header("accept-language", "en")
        .multipart(
            report_form("Zie bijlage", "anonymous")
                .part(
                    "bijlage",
                    Part::bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec())
                        .file_name("foto.jpg"),
                )
                .part(
                    "bijlage",
                    Part::bytes(vec![b'a'; 10 * 1024 * 1024 + 1]).file_name("groot.txt"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("The file foto.jpg is not a PDF"), "{html}");
    assert!(html.contains("The file groot.txt is larger than 10 MB"));
    // A script in the text is shown as text.
    let (number, _) = public_report(
        &app,
        report_form("<script>alert('x')</script> zag ik", "anonymous"),
    )
    .await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let list = office
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = case_id_in(&list, &number);
    let page = office
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;alert") || page.contains("&#60;script&#62;alert"));
    // The staff form without its CSRF token is refused.
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let r = employee
        .post(app.url("/melden"))
        .multipart(report_form("Zonder token", "anonymous"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn need_to_know_for_every_role() {
    let mut app = TestApp::spawn(sqlite().await).await;
    let alpha = app.alpha;
    let hash = common::password_hash();
    // A second integrity office member.
    let io2 = add_person(
        &app.db.store,
        alpha,
        "Tweede Integriteit",
        "io2@alpha.nl",
        Role::IntegrityOffice,
        Some(hash),
    )
    .await;
    app.ids.insert("io2@alpha.nl".to_string(), io2);
    // Route new reports to the first office member only.
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let csrf = app.csrf(&office).await;
    let r = office
        .post(app.url("/zaken/behandelaars"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("intake", email_of(Role::IntegrityOffice).as_str()),
            ("alternatief", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (number, _) = public_report(&app, report_form(PHRASE, "anonymous")).await;
    let (other_number, _) = public_report(&app, report_form("Andere zaak", "anonymous")).await;
    let list = office
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = case_id_in(&list, &number);
    let other_id = case_id_in(&list, &other_number);
    let page = office
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let version = hidden(&page, "versie");
    // The investigator works on the other case; the manager is named here.
    let r = office
        .post(app.url(&format!("/zaken/{other_id}/team")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", "0"),
            ("email", email_of(Role::Investigator).as_str()),
            ("rol", "investigator"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = office
        .post(app.url(&format!("/zaken/{id}/betrokkene")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("email", email_of(Role::Manager).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // A named person cannot be put on the team.
    let r = office
        .post(app.url(&format!("/zaken/{id}/team")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", "0"),
            ("email", email_of(Role::Manager).as_str()),
            ("rol", "member"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    let path = format!("/zaken/{id}");
    for (who, want) in [
        (email_of(Role::IntegrityOffice), 200),
        ("io2@alpha.nl".to_string(), 403),
        (email_of(Role::Investigator), 403),
        (email_of(Role::Manager), 403),
        (email_of(Role::PrivacyOfficer), 403),
        (email_of(Role::Director), 403),
        (email_of(Role::Employee), 403),
        (email_of(Role::Admin), 403),
        ("admin@beta.nl".to_string(), 404),
        ("employee@beta.nl".to_string(), 404),
    ] {
        let c = app.signed_in(&who).await;
        let r = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), want, "{who} on {path}");
        let r = c
            .get(app.url(&format!("{path}/bijlage/1")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            if want == 200 { 404 } else { want },
            "{who} download"
        );
    }
    // The investigator reaches their own case, not this one.
    let inv = app.signed_in(&email_of(Role::Investigator)).await;
    assert_eq!(
        inv.get(app.url(&format!("/zaken/{other_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let inv_list = inv
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(inv_list.contains(&other_number) && !inv_list.contains(&number));
    // The privacy officer reads the audit trail, which names the case but
    // holds none of its content.
    let po = app.signed_in(&email_of(Role::PrivacyOfficer)).await;
    let audit = po.get(app.url("/organisatie/audit")).send().await.unwrap();
    assert_eq!(audit.status(), 200);
    assert!(!audit.text().await.unwrap().contains("wethouder"));
    // Emergency access by the second office member: a reason is required,
    // and then it stands out in the audit trail.
    let io2 = app.signed_in("io2@alpha.nl").await;
    let csrf2 = app.csrf(&io2).await;
    let r = io2
        .post(app.url(&format!("{path}/noodtoegang")))
        .form(&[("csrf", csrf2.as_str()), ("reden", "kort")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = io2
        .post(app.url(&format!("{path}/noodtoegang")))
        .form(&[
            ("csrf", csrf2.as_str()),
            ("reden", "Eigenaar ziek, termijn verloopt morgen"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(io2.get(app.url(&path)).send().await.unwrap().status(), 200);
    let mut conn = app.db.store.conn().await.unwrap();
    let n = integer_store::testing::count(
        &mut conn,
        "audit_log WHERE action = 'case.emergency_access'",
    )
    .await;
    assert_eq!(n, 1);
    // It stands out in the audit trail, with its reason.
    let audit = po
        .get(app.url("/organisatie/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("Noodtoegang"));
    assert!(audit.contains("Eigenaar ziek, termijn verloopt morgen"));
    // The manager (named) cannot use emergency access either: not their role.
    let mgr = app.signed_in(&email_of(Role::Manager)).await;
    let csrf3 = app.csrf(&mgr).await;
    let r = mgr
        .post(app.url(&format!("{path}/noodtoegang")))
        .form(&[
            ("csrf", csrf3.as_str()),
            ("reden", "Ik wil weten wat er over mij staat"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn reports_about_the_office_go_around_it() {
    let app = TestApp::spawn(sqlite().await).await;
    let (number, _) = public_report(
        &app,
        report_form(
            "Het integriteitsbureau doet niets met meldingen",
            "anonymous",
        )
        .text("over_bureau", "ja"),
    )
    .await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let list = office
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&number), "not routed to the office");
    // The board (the default alternate) has it.
    let board = app.signed_in(&email_of(Role::Board)).await;
    let list = board
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&number));
}

#[tokio::test]
async fn staff_entry_overdue_lists_steps_and_the_handler_opens_the_identity() {
    let app = TestApp::spawn(sqlite().await).await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let csrf = app.csrf(&office).await;
    let ten_days_ago = integer_domain::case::local_date(jiff::Timestamp::now())
        .checked_sub(jiff::Span::new().days(10))
        .unwrap()
        .to_string();
    let r = office
        .post(app.url("/zaken/nieuw"))
        .multipart(
            Multi::new()
                .text("csrf", csrf.clone())
                .text("kanaal", "phone")
                .text("ontvangen_op", ten_days_ago)
                .text("soort", "report")
                .text("onderwerp", "Telefonische melding")
                .text(
                    "melding",
                    "Verslag: de melder zag contant geld wisselen bij de balie.",
                )
                .text("identiteit", "confidential")
                .text("naam", "Petra Pieters")
                .text("email", "petra@example.org"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let receipt = r.text().await.unwrap();
    let code = receipt
        .split("data-code=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let number = receipt
        .split("<strong>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let list = office
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let overdue = list
        .split("id=\"te-laat\"")
        .nth(1)
        .expect("an overdue table");
    assert!(overdue.contains("Telefonische melding"));
    let id = case_id_in(&list, &number);

    // The reporter confirms the minutes in the mailbox.
    let reporter = mailbox(&app, &code).await;
    let html = reporter
        .get(app.url("/o/alpha/melden/postbus/zaak"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("contant geld"));
    let mcsrf = hidden(&html, "csrf");
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/verslag"))
        .form(&[("csrf", mcsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // Steps: a reason is required to drop it; the decision is the director's.
    let page = office
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Verslag bevestigd"));
    assert!(
        !page.contains("Petra Pieters"),
        "confidential: hidden until approved"
    );
    let v = hidden(&page, "versie");
    let step = |to: &'static str, extra: Vec<(&'static str, &'static str)>, v: String| {
        let office = office.clone();
        let csrf = csrf.clone();
        let url = app.url(&format!("/zaken/{id}/stap"));
        async move {
            let mut form = vec![("csrf", csrf), ("versie", v), ("naar", to.to_string())];
            form.extend(extra.into_iter().map(|(k, v)| (k, v.to_string())));
            office.post(url).form(&form).send().await.unwrap()
        }
    };
    let r = step("not_pursued", vec![], v.clone()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Schrijf de reden op"));
    assert_eq!(step("intake", vec![], v.clone()).await.status(), 303);
    // A stale version loses.
    assert_eq!(step("investigation", vec![], v).await.status(), 409);
    let version = |html: &str| hidden(html, "versie");
    let page = office
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        step("investigation", vec![], version(&page)).await.status(),
        303
    );
    let page = office
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = step("decision", vec![("bevinding", "proven")], version(&page)).await;
    assert_eq!(r.status(), 422, "only the director decides");

    // Identity (Wbk art. 1a): the office handles the report and may open
    // the identity, on the reporter page, each time audited; it is not on
    // the case page.
    let page = office
        .get(app.url(&format!("/zaken/{id}/melder")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Petra Pieters"), "the handler may know");
    let mut conn = app.db.store.conn().await.unwrap();
    let viewed = integer_store::testing::audit_rows(&mut conn, "case")
        .await
        .into_iter()
        .filter(|(action, _)| action == "case.identity_viewed")
        .count();
    assert_eq!(viewed, 1);
    drop(conn);
    let director = app.signed_in(&email_of(Role::Director)).await;
    let dcsrf = app.csrf(&director).await;
    // With the director on the team (role decision), the decision is taken.
    let r = office
        .post(app.url(&format!("/zaken/{id}/team")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", "0"),
            ("email", email_of(Role::Director).as_str()),
            ("rol", "decider"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // On the team to decide, the director still does not get the identity
    // without the reporter's consent.
    let reporter_page = director
        .get(app.url(&format!("/zaken/{id}/melder")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!reporter_page.contains("Petra Pieters"));
    let page = director
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = director
        .post(app.url(&format!("/zaken/{id}/stap")))
        .form(&[
            ("csrf", dcsrf.as_str()),
            ("versie", version(&page).as_str()),
            ("naar", "decision"),
            ("bevinding", "partly_proven"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let _ = PASSWORD;
    let _ = location(&r);
}

#[tokio::test]
async fn the_phrase_is_nowhere_at_rest() {
    let db = sqlite().await;
    let url = db.url.clone();
    let app = TestApp::spawn(db).await;
    let form = report_form(PHRASE, "confidential")
        .text("naam", "Jan Klokkenluider")
        .part(
            "bijlage",
            Part::bytes(format!("Bijlage: {PHRASE}").into_bytes()).file_name("notitie.txt"),
        );
    let (_, code) = public_report(&app, form).await;
    let reporter = mailbox(&app, &code).await;
    let html = reporter
        .get(app.url("/o/alpha/melden/postbus/zaak"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&html, "csrf");
    reporter
        .post(app.url("/o/alpha/melden/postbus/bericht"))
        .multipart(
            Multi::new()
                .text("csrf", csrf)
                .text("bericht", format!("Nog iets: {PHRASE}")),
        )
        .send()
        .await
        .unwrap();
    // A request to disclose the identity: to whom, why and the ground are
    // sealed like the rest (the reporter's consent note too).
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let ocsrf = app.csrf(&office).await;
    let list = office
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = list
        .split("href=\"/zaken/")
        .filter_map(|x| x.split('"').next()?.parse::<i64>().ok())
        .next()
        .unwrap();
    let r = office
        .post(app.url(&format!("/zaken/{id}/identiteit-aanvragen")))
        .form(&[
            ("csrf", ocsrf.as_str()),
            ("grondslag", "legal"),
            ("ontvanger", "Rechercheur Zonneveld"),
            ("reden", "De wethouder wordt verhoord"),
            ("grond", "Bevel rechter-commissaris inzake Zonneveld"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let backup = std::env::temp_dir().join(format!(
        "integer-backup-{}.db",
        integer_store::random_token()
    ));
    integer_store::backup::sqlite_backup(&app.db.store, &backup)
        .await
        .unwrap();
    let path = integer_store::sqlite_path(&url).unwrap();
    let dir = path.parent().unwrap();
    let mut checked = 0;
    let needles: [&[u8]; 4] = [
        b"wethouder",
        b"Zonneveld",
        b"Klokkenluider",
        code.as_bytes(),
    ];
    for entry in std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .chain([backup.clone()])
    {
        let bytes = std::fs::read(&entry).unwrap();
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds {:?}",
                entry.display(),
                String::from_utf8_lossy(needle)
            );
        }
        checked += 1;
    }
    assert!(checked >= 2, "database file and backup checked");
    let _ = std::fs::remove_file(backup);
}

#[tokio::test]
async fn the_case_api_answers_the_team_only() {
    let app = TestApp::spawn(sqlite().await).await;
    let (number, _) = public_report(&app, report_form(PHRASE, "anonymous")).await;
    let mut conn = app.db.store.conn().await.unwrap();
    let mut tokens = Vec::new();
    for role in [Role::IntegrityOffice, Role::Investigator, Role::Employee] {
        let id = app.id(&email_of(role));
        tokens.push(
            integer_store::tokens::create(&mut conn, app.alpha, id, "t")
                .await
                .unwrap()
                .1,
        );
    }
    let (office, investigator, employee) =
        (tokens[0].clone(), tokens[1].clone(), tokens[2].clone());
    drop(conn);
    let c = TestApp::client();
    let list: serde_json::Value = c
        .get(app.url("/api/v1/cases"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let case = &list["cases"][0];
    assert_eq!(case["number"], number.as_str());
    assert_eq!(case["acknowledgement"]["status"], "running");
    // The 3-month clock runs without an acknowledgement too (directive
    // 2019/1937 art. 9(1)(f)): from the end of the 7 days at the latest.
    assert_eq!(case["feedback"]["status"], "running");
    let ack_due: jiff::civil::Date = case["acknowledgement"]["due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        case["feedback"]["due"],
        ack_due
            .checked_add(jiff::Span::new().months(3))
            .unwrap()
            .to_string()
    );
    let id = case["id"].as_i64().unwrap();
    let detail: serde_json::Value = c
        .get(app.url(&format!("/api/v1/cases/{id}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["body"], PHRASE);
    // Not on the team: 403; no case role at all: 403 on the list.
    let r = c
        .get(app.url(&format!("/api/v1/cases/{id}")))
        .bearer_auth(&investigator)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let list: serde_json::Value = c
        .get(app.url("/api/v1/cases"))
        .bearer_auth(&investigator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["cases"].as_array().unwrap().len(), 0);
    let r = c
        .get(app.url("/api/v1/cases"))
        .bearer_auth(&employee)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .get(app.url("/api/v1/cases/999999"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn complaints_go_to_the_committee() {
    let mut app = TestApp::spawn(sqlite().await).await;
    let member = add_person(
        &app.db.store,
        app.alpha,
        "Commissielid",
        "commissie@alpha.nl",
        Role::Employee,
        Some(common::password_hash()),
    )
    .await;
    app.ids.insert("commissie@alpha.nl".to_string(), member);
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let csrf = app.csrf(&office).await;
    let r = office
        .post(app.url("/zaken/behandelaars"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("intake", ""),
            ("alternatief", ""),
            ("klachten", "commissie@alpha.nl"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let ecsrf = app.csrf(&employee).await;
    let r = employee
        .post(app.url("/melden"))
        .multipart(
            Multi::new()
                .text("csrf", ecsrf)
                .text("soort", "complaint")
                .text("onderwerp", "Pesten")
                .text("melding", "Mijn collega wordt al maanden gepest.")
                .text("identiteit", "named"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The office does not get it; the committee member does (through the
    // team, not through a role), and the reporter sees it under "mine".
    let list = office
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("Pesten"));
    let committee = app.signed_in("commissie@alpha.nl").await;
    let mine = employee
        .get(app.url("/melden"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains("Pesten"), "the named reporter's own list");
    let href = mine
        .split("href=\"/melden/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let id: i64 = href.parse().unwrap();
    let r = committee
        .get(app.url(&format!("/zaken/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Klacht over ongewenst gedrag"));
    // The named reporter follows it signed in, without a receipt.
    let own = employee
        .get(app.url(&format!("/melden/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    // Nobody else reaches it that way.
    let other = app.signed_in(&email_of(Role::Manager)).await;
    assert_eq!(
        other
            .get(app.url(&format!("/melden/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn cases_are_handled_through_the_api_too() {
    let app = TestApp::spawn(sqlite().await).await;
    let mut conn = app.db.store.conn().await.unwrap();
    let mut tokens = Vec::new();
    for role in [Role::IntegrityOffice, Role::Employee, Role::Investigator] {
        let id = app.id(&email_of(role));
        tokens.push(
            integer_store::tokens::create(&mut conn, app.alpha, id, "t")
                .await
                .unwrap()
                .1,
        );
    }
    drop(conn);
    let (office, employee, investigator) =
        (tokens[0].clone(), tokens[1].clone(), tokens[2].clone());
    let c = TestApp::client();
    // An employee files a report through the API and gets a receipt.
    let r = c
        .post(app.url("/api/v1/reports"))
        .bearer_auth(&employee)
        .json(&serde_json::json!({"text": PHRASE, "identity": "confidential", "category": "corruption"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let filed: serde_json::Value = r.json().await.unwrap();
    assert_eq!(filed["receipt_code"].as_str().unwrap().len(), 24);
    let id = filed["id"].as_i64().unwrap();
    // Bad input is explained per field.
    let r = c
        .post(app.url("/api/v1/reports"))
        .bearer_auth(&employee)
        .json(&serde_json::json!({"text": "", "identity": "somehow"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"text") && fields.contains(&"identity"),
        "{body}"
    );
    // The office acknowledges, asks, and moves it on; a stale version loses.
    let post = |action: &str, body: serde_json::Value, token: &str| {
        c.post(app.url(&format!("/api/v1/cases/{id}/{action}")))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    assert_eq!(
        post("acknowledge", serde_json::json!({"version": 1}), &office)
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        post(
            "message",
            serde_json::json!({"text": "Wie was erbij?", "version": 2}),
            &office
        )
        .await
        .unwrap()
        .status(),
        200
    );
    let r = post(
        "step",
        serde_json::json!({"to": "not_pursued", "version": 2}),
        &office,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "reason");
    assert_eq!(
        post(
            "step",
            serde_json::json!({"to": "intake", "version": 1}),
            &office
        )
        .await
        .unwrap()
        .status(),
        409
    );
    assert_eq!(
        post(
            "step",
            serde_json::json!({"to": "intake", "version": 2}),
            &office
        )
        .await
        .unwrap()
        .status(),
        200
    );
    assert_eq!(
        post("nonsense", serde_json::json!({}), &office)
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        post("note", serde_json::json!({"colour": "red"}), &office)
            .await
            .unwrap()
            .status(),
        422
    );
    // Someone not on the team cannot act on it.
    assert_eq!(
        post("note", serde_json::json!({"text": "hallo"}), &investigator)
            .await
            .unwrap()
            .status(),
        403
    );
    let detail: serde_json::Value = c
        .get(app.url(&format!("/api/v1/cases/{id}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["state"], "intake");
    assert_eq!(detail["acknowledgement"]["status"], "met");
    assert!(
        detail["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["body"] == "Wie was erbij?")
    );
    // The identity through the API: the investigator, once on the team,
    // asks for the reporter's consent; a handler puts it to the reporter.
    let inv = app.id(&email_of(Role::Investigator)).0;
    assert_eq!(
        post(
            "team",
            serde_json::json!({"email": email_of(Role::Investigator), "role": "investigator"}),
            &office
        )
        .await
        .unwrap()
        .status(),
        200
    );
    let r = post(
        "request_identity",
        serde_json::json!({"basis": "consent", "recipient_member": inv, "reason": "kort"}),
        &investigator,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "reason");
    assert_eq!(
        post(
            "request_identity",
            serde_json::json!({"basis": "consent", "recipient_member": inv,
                "reason": "Om de melder te horen als getuige"}),
            &investigator
        )
        .await
        .unwrap()
        .status(),
        200
    );
    let detail: serde_json::Value = c
        .get(app.url(&format!("/api/v1/cases/{id}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let request = detail["disclosures"][0]["id"].as_i64().unwrap();
    assert_eq!(detail["disclosures"][0]["state"], "pending");
    assert_eq!(
        post(
            "decide_identity",
            serde_json::json!({"request": request, "decision": "ask"}),
            &investigator
        )
        .await
        .unwrap()
        .status(),
        403
    );
    assert_eq!(
        post(
            "decide_identity",
            serde_json::json!({"request": request, "decision": "confirm"}),
            &office
        )
        .await
        .unwrap()
        .status(),
        422,
        "consent is not confirmed by a handler"
    );
    assert_eq!(
        post(
            "decide_identity",
            serde_json::json!({"request": request, "decision": "ask"}),
            &office
        )
        .await
        .unwrap()
        .status(),
        200
    );
}

#[tokio::test]
async fn receipt_can_be_acknowledged_automatically() {
    let app = TestApp::spawn(sqlite().await).await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let csrf = app.csrf(&office).await;
    let r = office
        .post(app.url("/zaken/behandelaars"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("automatisch", "ja"),
            ("bewaartermijn", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Vul een aantal jaren in van 1 tot en met 100.")
    );
    let r = office
        .post(app.url("/zaken/behandelaars"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("automatisch", "ja"),
            ("bewaartermijn", "7"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, code) = public_report(&app, report_form("Iets met de kas", "anonymous")).await;
    let reporter = mailbox(&app, &code).await;
    let html = reporter
        .get(app.url("/o/alpha/melden/postbus/zaak"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Wij hebben uw melding ontvangen"),
        "the standard acknowledgement"
    );
    assert!(!html.contains("nog niet"), "acknowledged: {html}");
    let list = office
        .get(app.url("/zaken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("value=\"7\""),
        "the retention setting is shown"
    );
}

async fn get_text(client: &reqwest::Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

async fn notified(app: &TestApp, email: &str, kind: &str) -> usize {
    let mut conn = app.db.store.conn().await.unwrap();
    integer_store::notifications::of_person(&mut conn, app.alpha, app.id(email), 100)
        .await
        .unwrap()
        .iter()
        .filter(|n| n.kind == kind)
        .count()
}

async fn case_actions(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.db.store.conn().await.unwrap();
    integer_store::testing::audit_actors(&mut conn, "case").await
}

#[tokio::test]
async fn the_identity_is_disclosed_only_with_consent_or_under_the_law() {
    for db in integer_store::testing::both().await {
        identity_story(TestApp::spawn(db).await).await;
    }
}

/// Wbk art. 1a per role: the handlers know the reporter; the investigator
/// and the director get the identity only with the reporter's written
/// consent (asked and answered in the mailbox) or under a legal obligation
/// confirmed by a second handler; someone outside the team and a named
/// person are refused; everyone who may decide is told.
async fn identity_story(mut app: TestApp) {
    // A second office member: both receive the reports, both handle them.
    let second = "bureau2@alpha.nl";
    let id2 = add_person(
        &app.db.store,
        app.alpha,
        "Tweede Bureau",
        second,
        Role::IntegrityOffice,
        Some(common::password_hash()),
    )
    .await;
    app.ids.insert(second.to_string(), id2);
    let (number, code) = public_report(
        &app,
        report_form(PHRASE, "confidential").text("naam", "Petra Pieters"),
    )
    .await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let csrf = app.csrf(&office).await;
    let list = get_text(&office, app.url("/zaken")).await;
    let id = case_id_in(&list, &number);
    for (email, role) in [
        (email_of(Role::Investigator), "investigator"),
        (email_of(Role::Director), "decider"),
    ] {
        let r = office
            .post(app.url(&format!("/zaken/{id}/team")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("versie", "0"),
                ("email", email.as_str()),
                ("rol", role),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
    }
    let melder = app.url(&format!("/zaken/{id}/melder"));

    // Outside the team: refused, also asking.
    let hr = app.signed_in(&email_of(Role::Hr)).await;
    assert_eq!(hr.get(melder.clone()).send().await.unwrap().status(), 403);
    let hr_csrf = app.csrf(&hr).await;
    let r = hr
        .post(app.url(&format!("/zaken/{id}/identiteit-aanvragen")))
        .form(&[
            ("csrf", hr_csrf.as_str()),
            ("grondslag", "consent"),
            ("ontvanger", "HR"),
            ("reden", "Voor het personeelsdossier"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // The handler may know.
    assert!(
        get_text(&office, melder.clone())
            .await
            .contains("Petra Pieters")
    );

    // The investigator does not, and asks, saying to whom and why.
    let investigator = app.signed_in(&email_of(Role::Investigator)).await;
    let icsrf = app.csrf(&investigator).await;
    let page = get_text(&investigator, melder.clone()).await;
    assert!(!page.contains("Petra Pieters"));
    let investigator_id = app.id(&email_of(Role::Investigator)).0.to_string();
    let r = investigator
        .post(app.url(&format!("/zaken/{id}/identiteit-aanvragen")))
        .form(&[
            ("csrf", icsrf.as_str()),
            ("grondslag", "consent"),
            ("ontvanger_lid", investigator_id.as_str()),
            ("ontvanger", ""),
            ("reden", "kort"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("ten minste 10 tekens"));
    let r = investigator
        .post(app.url(&format!("/zaken/{id}/identiteit-aanvragen")))
        .form(&[
            ("csrf", icsrf.as_str()),
            ("grondslag", "consent"),
            ("ontvanger_lid", investigator_id.as_str()),
            ("ontvanger", ""),
            (
                "reden",
                "Om de melder als getuige te horen in het onderzoek",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // Everyone who may decide is told; the one who asked cannot decide.
    assert_eq!(
        notified(
            &app,
            &email_of(Role::IntegrityOffice),
            "case.identity_request"
        )
        .await,
        1
    );
    assert_eq!(notified(&app, second, "case.identity_request").await, 1);
    assert_eq!(
        notified(&app, &email_of(Role::Investigator), "case.identity_request").await,
        0
    );
    assert_eq!(
        notified(&app, &email_of(Role::Director), "case.identity_request").await,
        0
    );
    let page = get_text(&investigator, melder.clone()).await;
    assert!(
        !page.contains("name=\"verzoek\""),
        "no decision for the one who asked"
    );
    // The office sees it waiting on /zaken and puts it to the reporter.
    let list = get_text(&office, app.url("/zaken")).await;
    assert!(
        list.split("id=\"identiteitsverzoeken\"")
            .nth(1)
            .unwrap()
            .contains(&number)
    );
    let page = get_text(&office, melder.clone()).await;
    assert!(page.contains("Om de melder als getuige te horen"));
    let request = hidden(&page, "verzoek");
    let r = investigator
        .post(app.url(&format!("/zaken/{id}/identiteit-besluit")))
        .form(&[
            ("csrf", icsrf.as_str()),
            ("verzoek", request.as_str()),
            ("besluit", "ask"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "not a handler");
    let r = office
        .post(app.url(&format!("/zaken/{id}/identiteit-besluit")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("verzoek", request.as_str()),
            ("besluit", "ask"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let bureau2 = app.signed_in(second).await;
    let csrf2 = app.csrf(&bureau2).await;
    let r = bureau2
        .post(app.url(&format!("/zaken/{id}/identiteit-besluit")))
        .form(&[
            ("csrf", csrf2.as_str()),
            ("verzoek", request.as_str()),
            ("besluit", "decline"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "decided once");

    // The reporter reads to whom and why, and answers in writing.
    let reporter = mailbox(&app, &code).await;
    let html = get_text(&reporter, app.url("/o/alpha/melden/postbus/zaak")).await;
    assert!(html.contains("Wij vragen uw toestemming"));
    assert!(html.contains("Alpha investigator"));
    assert!(html.contains("Om de melder als getuige te horen"));
    let english = reporter
        .get(app.url("/o/alpha/melden/postbus/zaak"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("We ask for your consent"));
    let mcsrf = hidden(&html, "csrf");
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/toestemming"))
        .form(&[("csrf", mcsrf.as_str()), ("verzoek", request.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Kies of u toestemming geeft")
    );
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/toestemming"))
        .form(&[
            ("csrf", mcsrf.as_str()),
            ("verzoek", request.as_str()),
            ("antwoord", "ja"),
            ("toelichting", "Alleen voor het onderzoek."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = get_text(
        &reporter,
        app.url("/o/alpha/melden/postbus/zaak?beantwoord=1"),
    )
    .await;
    assert!(html.contains("Uw antwoord is vastgelegd."));
    assert!(html.contains("u gaf toestemming"));
    assert!(!html.contains("Wij vragen uw toestemming"));
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/toestemming"))
        .form(&[
            ("csrf", mcsrf.as_str()),
            ("verzoek", request.as_str()),
            ("antwoord", "nee"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "answered once");
    // Now the investigator may know; the director still not.
    assert!(
        get_text(&investigator, melder.clone())
            .await
            .contains("Petra Pieters")
    );
    assert_eq!(
        notified(&app, &email_of(Role::Investigator), "case.identity_answer").await,
        1
    );
    assert_eq!(
        notified(
            &app,
            &email_of(Role::IntegrityOffice),
            "case.identity_answer"
        )
        .await,
        1
    );
    let director = app.signed_in(&email_of(Role::Director)).await;
    let dcsrf = app.csrf(&director).await;
    assert!(
        !get_text(&director, melder.clone())
            .await
            .contains("Petra Pieters")
    );

    // The director's own request is declined by a handler.
    let director_id = app.id(&email_of(Role::Director)).0.to_string();
    let r = director
        .post(app.url(&format!("/zaken/{id}/identiteit-aanvragen")))
        .form(&[
            ("csrf", dcsrf.as_str()),
            ("grondslag", "consent"),
            ("ontvanger_lid", director_id.as_str()),
            ("reden", "Voor het besluit over maatregelen"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = get_text(&office, melder.clone()).await;
    let request = page
        .split("name=\"verzoek\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = office
        .post(app.url(&format!("/zaken/{id}/identiteit-besluit")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("verzoek", request.as_str()),
            ("besluit", "decline"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        notified(&app, &email_of(Role::Director), "case.identity_decided").await,
        1
    );
    assert!(
        !get_text(&director, melder.clone())
            .await
            .contains("Petra Pieters")
    );

    // A legal obligation: one handler records it, another confirms it and
    // tells the reporter beforehand, in writing.
    let r = office
        .post(app.url(&format!("/zaken/{id}/identiteit-aanvragen")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("grondslag", "legal"),
            ("ontvanger_lid", director_id.as_str()),
            ("ontvanger", "De algemeen directeur, voor de aangifte"),
            ("reden", "De officier van justitie vordert de naam"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "the ground is required");
    let r = office
        .post(app.url(&format!("/zaken/{id}/identiteit-aanvragen")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("grondslag", "legal"),
            ("ontvanger_lid", director_id.as_str()),
            ("ontvanger", "De algemeen directeur, voor de aangifte"),
            ("reden", "De officier van justitie vordert de naam"),
            ("grond", "Vordering officier van justitie, art. 126nd Sv"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = get_text(&bureau2, melder.clone()).await;
    let legal = page
        .split("name=\"verzoek\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = office
        .post(app.url(&format!("/zaken/{id}/identiteit-besluit")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("verzoek", legal.as_str()),
            ("besluit", "confirm"),
            ("informeren", "ja"),
            (
                "uitleg",
                "Wij moeten uw naam geven aan de officier van justitie.",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "never one's own request");
    let r = bureau2
        .post(app.url(&format!("/zaken/{id}/identiteit-besluit")))
        .form(&[
            ("csrf", csrf2.as_str()),
            ("verzoek", legal.as_str()),
            ("besluit", "confirm"),
            ("informeren", "ja"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Schrijf de melder uit"));
    let r = bureau2
        .post(app.url(&format!("/zaken/{id}/identiteit-besluit")))
        .form(&[
            ("csrf", csrf2.as_str()),
            ("verzoek", legal.as_str()),
            ("besluit", "confirm"),
            ("informeren", "ja"),
            (
                "uitleg",
                "Wij moeten uw naam geven aan de officier van justitie.",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        get_text(&director, melder.clone())
            .await
            .contains("Petra Pieters")
    );
    assert_eq!(
        notified(&app, &email_of(Role::Director), "case.identity_disclosed").await,
        1
    );
    let html = get_text(&reporter, app.url("/o/alpha/melden/postbus/zaak")).await;
    assert!(html.contains("Wij moeten uw naam geven aan de officier van justitie."));
    assert!(html.contains("Vordering officier van justitie, art. 126nd Sv"));
    assert!(
        !html.contains("Voor het besluit over maatregelen"),
        "a declined request is not the reporter's"
    );

    // A person the case names is refused, whatever their roles.
    let r = office
        .post(app.url(&format!("/zaken/{id}/betrokkene")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", "0"),
            ("email", email_of(Role::Investigator).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        investigator
            .get(melder.clone())
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // Every step is on the audit trail; the reporter's answer as 'reporter'.
    let actions = case_actions(&app).await;
    let identity: Vec<&str> = actions
        .iter()
        .filter(|(a, _)| a.starts_with("case.identity_"))
        .map(|(a, _)| a.as_str())
        .collect();
    for wanted in [
        "case.identity_viewed",
        "case.identity_requested",
        "case.identity_consent_asked",
        "case.identity_consent_given",
        "case.identity_declined",
        "case.identity_disclosed_legal",
    ] {
        assert!(identity.contains(&wanted), "{wanted} in {identity:?}");
    }
    assert!(actions.contains(&(
        "case.identity_consent_given".to_string(),
        "reporter".to_string()
    )));
}

#[tokio::test]
async fn the_reporter_corrects_the_minutes_before_confirming_them() {
    let app = TestApp::spawn(sqlite().await).await;
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let csrf = app.csrf(&office).await;
    let r = office
        .post(app.url("/zaken/nieuw"))
        .multipart(
            Multi::new()
                .text("csrf", csrf.clone())
                .text("kanaal", "meeting")
                .text("soort", "report")
                .text("onderwerp", "Gesprek")
                .text("melding", "Verslag: de melder zag contant geld wisselen.")
                .text("identiteit", "anonymous"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let receipt = r.text().await.unwrap();
    let code = receipt
        .split("data-code=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let reporter = mailbox(&app, &code).await;
    let zaak = app.url("/o/alpha/melden/postbus/zaak");
    let html = get_text(&reporter, zaak.clone()).await;
    assert!(html.contains("Correctie voorstellen"));
    assert!(html.contains("Het verslag klopt"));
    let mcsrf = hidden(&html, "csrf");
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/correctie"))
        .form(&[("csrf", mcsrf.as_str()), ("correctie", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/correctie"))
        .form(&[
            ("csrf", mcsrf.as_str()),
            ("correctie", "Het waren bonnen, geen contant geld."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = get_text(&reporter, zaak.clone()).await;
    assert!(html.contains("wacht op een antwoord van de behandelaar"));
    assert!(
        !html.contains("Het verslag klopt"),
        "not while a correction waits"
    );
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/verslag"))
        .form(&[("csrf", mcsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(
        notified(
            &app,
            &email_of(Role::IntegrityOffice),
            "case.minutes_correction"
        )
        .await,
        1
    );

    // The handler answers: first not taken over, with the reason.
    let list = get_text(&office, app.url("/zaken")).await;
    let id = list
        .split("href=\"/zaken/")
        .filter_map(|x| x.split('"').next()?.parse::<i64>().ok())
        .next()
        .unwrap();
    let page = get_text(&office, app.url(&format!("/zaken/{id}"))).await;
    assert!(page.contains("Het waren bonnen, geen contant geld."));
    let correction = hidden(&page, "correctie");
    let version = hidden(&page, "versie");
    let answer =
        |besluit: &'static str, antwoord: &'static str, verslag: &'static str, version: String| {
            let office = office.clone();
            let csrf = csrf.clone();
            let correction = correction.clone();
            let url = app.url(&format!("/zaken/{id}/verslag-antwoord"));
            async move {
                office
                    .post(url)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("versie", version.as_str()),
                        ("correctie", correction.as_str()),
                        ("besluit", besluit),
                        ("antwoord", antwoord),
                        ("verslag", verslag),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
    assert_eq!(
        answer("afwijzen", "", "", version.clone()).await.status(),
        422
    );
    assert_eq!(
        answer(
            "afwijzen",
            "U noemde toen geld; dat laten wij staan.",
            "",
            version.clone()
        )
        .await
        .status(),
        303
    );
    let html = get_text(&reporter, zaak.clone()).await;
    assert!(html.contains("U noemde toen geld; dat laten wij staan."));
    assert!(html.contains("niet overgenomen"));
    assert!(html.contains("Het verslag klopt"));
    // Proposed again, and taken over: the minutes change, the old ones stay.
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/correctie"))
        .form(&[
            ("csrf", mcsrf.as_str()),
            ("correctie", "Echt: het waren bonnen."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = get_text(&office, app.url(&format!("/zaken/{id}"))).await;
    let correction2 = page
        .split("name=\"correctie\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(correction2, correction);
    let r = office
        .post(app.url(&format!("/zaken/{id}/verslag-antwoord")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", hidden(&page, "versie").as_str()),
            ("correctie", correction2.as_str()),
            ("besluit", "overnemen"),
            ("antwoord", "Aangepast."),
            ("verslag", "Verslag: de melder zag bonnen wisselen."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = get_text(&office, app.url(&format!("/zaken/{id}"))).await;
    assert!(page.contains("Verslag: de melder zag bonnen wisselen."));
    assert!(page.contains("Het verslag daarvoor"));
    let html = get_text(&reporter, zaak.clone()).await;
    assert!(html.contains("Verslag: de melder zag bonnen wisselen."));
    let r = reporter
        .post(app.url("/o/alpha/melden/postbus/verslag"))
        .form(&[("csrf", mcsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = get_text(&reporter, zaak.clone()).await;
    assert!(html.contains("Verslag bevestigd"));
    assert!(!html.contains("Correctie voorstellen"));
    let actions = case_actions(&app).await;
    let count = |a: &str| actions.iter().filter(|(x, _)| x == a).count();
    assert_eq!(count("case.minutes_correction_proposed"), 2);
    assert_eq!(count("case.minutes_correction_answered"), 2);
    assert_eq!(count("case.minutes_confirmed"), 1);
    assert!(actions.contains(&(
        "case.minutes_correction_proposed".to_string(),
        "reporter".to_string()
    )));
}

#[tokio::test]
async fn reporters_are_told_their_organisation_s_texts() {
    let app = TestApp::spawn(sqlite().await).await;
    // Maastricht (alpha): the preset's defaults, with their sources.
    let public = get_text(&TestApp::client(), app.url("/o/alpha/melden")).await;
    for wanted in [
        "Goed om te weten",
        "Bureau Integriteit",
        "Huis voor Klokkenluiders",
        "rechtstreeks",
        "benadeeld",
        "vertrouwenspersoon",
        "Bron: Gedragscode ambtelijke organisatie Maastricht",
        "Wbk art. 2c",
    ] {
        assert!(public.contains(wanted), "{wanted}");
    }
    let english = TestApp::client()
        .get(app.url("/o/alpha/melden"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Good to know"));
    assert!(english.contains("you may do so directly"));
    // Dalfsen (beta): its own defaults.
    let beta = get_text(&TestApp::client(), app.url("/o/beta/melden")).await;
    assert!(beta.contains("college van burgemeester en wethouders"));
    assert!(!beta.contains("Bureau Integriteit"));
    // The staff form and the staff entry tell the same.
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    assert!(
        get_text(&employee, app.url("/melden"))
            .await
            .contains("Huis voor Klokkenluiders")
    );
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    assert!(
        get_text(&office, app.url("/zaken/nieuw"))
            .await
            .contains("Huis voor Klokkenluiders")
    );

    // Who may set the organisation's own texts.
    let edit = app.url("/organisatie/meldpunt-informatie");
    assert_eq!(
        employee.get(edit.clone()).send().await.unwrap().status(),
        403
    );
    let investigator = app.signed_in(&email_of(Role::Investigator)).await;
    assert_eq!(
        investigator
            .get(edit.clone())
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let admin = app.signed_in(&email_of(Role::Admin)).await;
    assert_eq!(admin.get(edit.clone()).send().await.unwrap().status(), 200);
    let page = get_text(&office, edit.clone()).await;
    let csrf = hidden(&page, "csrf");
    let version = hidden(&page, "versie");
    assert_eq!(version, "0");
    // Both languages or neither.
    let r = office
        .post(edit.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("mondeling-nl", "Bel het Meldpunt: 043 350 40 00."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Vul de tekst in het Nederlands en het Engels in")
    );
    let r = office
        .post(edit.clone())
        .header("accept-language", "en")
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", version.as_str()),
            ("mondeling-en", "Call us."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let save = [
        ("csrf", csrf.as_str()),
        ("versie", "0"),
        ("mondeling-nl", "Bel het Meldpunt: 043 350 40 00."),
        (
            "mondeling-en",
            "Call the reporting point: +31 43 350 40 00.",
        ),
        ("mondeling-bron", "Regeling melden Maastricht, art. 4"),
    ];
    let r = office.post(edit.clone()).form(&save).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = office.post(edit.clone()).form(&save).send().await.unwrap();
    assert_eq!(r.status(), 409, "saved on top of an old version");
    let public = get_text(&TestApp::client(), app.url("/o/alpha/melden")).await;
    assert!(public.contains("Bel het Meldpunt: 043 350 40 00."));
    assert!(public.contains("Bron: Regeling melden Maastricht, art. 4"));
    assert!(
        !public.contains("U kunt ook mondeling melden"),
        "the default gave way"
    );
    assert!(
        public.contains("Huis voor Klokkenluiders"),
        "other topics keep theirs"
    );
    let english = TestApp::client()
        .get(app.url("/o/alpha/melden"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Call the reporting point: +31 43 350 40 00."));
    let (_, code) = public_report(&app, report_form("Iets met de kas", "anonymous")).await;
    let reporter = mailbox(&app, &code).await;
    assert!(
        get_text(&reporter, app.url("/o/alpha/melden/postbus/zaak"))
            .await
            .contains("Bel het Meldpunt: 043 350 40 00.")
    );
    let beta = get_text(&TestApp::client(), app.url("/o/beta/melden")).await;
    assert!(
        !beta.contains("043 350 40 00"),
        "another organisation keeps its own"
    );
    let mut conn = app.db.store.conn().await.unwrap();
    let rows = integer_store::testing::audit_rows(&mut conn, "organisation").await;
    assert_eq!(
        rows.iter()
            .filter(|(a, _)| a == "meldpunt.info_set")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_signed_in_reporter_answers_on_their_own_report_page() {
    let app = TestApp::spawn(sqlite().await).await;
    let employee = app.signed_in(&email_of(Role::Employee)).await;
    let ecsrf = app.csrf(&employee).await;
    let r = employee
        .post(app.url("/melden"))
        .multipart(
            Multi::new()
                .text("csrf", ecsrf.clone())
                .text("onderwerp", "Offertes")
                .text(
                    "melding",
                    "Offertes worden steeds aan dezelfde partij gegund.",
                )
                .text("identiteit", "confidential"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mine = get_text(&employee, app.url("/melden")).await;
    let id: i64 = mine
        .split("href=\"/melden/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // A handler asks for consent to tell the director who decides: the
    // question goes to the reporter at once.
    let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
    let csrf = app.csrf(&office).await;
    let r = office
        .post(app.url(&format!("/zaken/{id}/team")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("versie", "0"),
            ("email", email_of(Role::Director).as_str()),
            ("rol", "decider"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let director_id = app.id(&email_of(Role::Director)).0.to_string();
    let r = office
        .post(app.url(&format!("/zaken/{id}/identiteit-aanvragen")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("grondslag", "consent"),
            ("ontvanger_lid", director_id.as_str()),
            ("reden", "Voor het besluit over maatregelen"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let own = get_text(&employee, app.url(&format!("/melden/{id}"))).await;
    assert!(own.contains("Wij vragen uw toestemming"));
    assert!(own.contains("Alpha director"));
    let request = hidden(&own, "verzoek");
    // Only on one's own report.
    let other = app.signed_in(&email_of(Role::Manager)).await;
    let mcsrf = app.csrf(&other).await;
    let r = other
        .post(app.url(&format!("/melden/{id}/toestemming")))
        .form(&[
            ("csrf", mcsrf.as_str()),
            ("verzoek", request.as_str()),
            ("antwoord", "ja"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = employee
        .post(app.url(&format!("/melden/{id}/toestemming")))
        .form(&[
            ("csrf", ecsrf.as_str()),
            ("verzoek", request.as_str()),
            ("antwoord", "nee"),
            ("toelichting", "Liever niet: de directeur kent mij."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let own = get_text(&employee, app.url(&format!("/melden/{id}?beantwoord=1"))).await;
    assert!(own.contains("u weigerde"));
    let page = get_text(&office, app.url(&format!("/zaken/{id}/melder"))).await;
    assert!(page.contains("de melder weigerde"));
    assert!(page.contains("Liever niet: de directeur kent mij."));
    let director = app.signed_in(&email_of(Role::Director)).await;
    let page = get_text(&director, app.url(&format!("/zaken/{id}/melder"))).await;
    assert!(!page.contains("Alpha employee"), "refused: still hidden");
}
