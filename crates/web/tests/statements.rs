//! The accessibility statement and the privacy statement through the real
//! application: the footer link on every page, the default statement for
//! everyone, an administrator's edits (audited), others refused, bad input
//! answered in Dutch (and English) without changing anything, and the
//! organisation's privacy statement on the public report form, the receipt,
//! the mailbox sign-in and the mailbox.

mod common;

use common::{TestApp, email_of, hidden, location};
use integer_domain::org::Role;
use integer_store::testing::{audit_rows, both};
use reqwest::Client;
use reqwest::multipart::Form as Multi;

const A11Y_FORM: &str = "/organisatie/toegankelijkheid";
const PRIVACY_FORM: &str = "/organisatie/privacy";
const FOOTER_LINK: &str = "href=\"/toegankelijkheid\"";
/// The default privacy text says the statement is not yet published.
const NOT_PUBLISHED: &str = "nog geen eigen privacyverklaring gepubliceerd";

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

/// The accessibility form with these values (others empty).
fn a11y_form<'a>(
    csrf: &'a str,
    version: &'a str,
    status: &'a str,
    email: &'a str,
    url: &'a str,
    date: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("versie", version),
        ("status", status),
        ("organisatie", "Gemeente Alpha"),
        ("email", email),
        ("webadres", url),
        ("beoordeeld_op", date),
        ("methode", ""),
        (
            "beperkingen",
            "De PDF van het jaarverslag heeft nog geen tags.",
        ),
    ]
}

#[tokio::test]
async fn every_page_links_the_statement_and_the_default_is_shown() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let visitor = TestApp::client();
        for path in [
            "/inloggen",
            "/toegankelijkheid",
            "/o/alpha/melden",
            "/o/alpha/melden/postbus",
            "/o/alpha/privacy",
        ] {
            let (status, html) = page(&app, &visitor, path).await;
            assert_eq!(status, 200, "{path}");
            assert!(html.contains(FOOTER_LINK), "no footer link on {path}");
            assert!(html.contains("Toegankelijkheidsverklaring"), "{path}");
        }
        // The error pages have the footer too.
        let (status, html) = page(&app, &visitor, "/bestaat-niet").await;
        assert_eq!(status, 404);
        assert!(html.contains(FOOTER_LINK));
        // The start page of a signed-in employee.
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        let (status, html) = page(&app, &employee, "/").await;
        assert_eq!(status, 200);
        assert!(html.contains(FOOTER_LINK));
        // Employees do not get the administrator's links.
        assert!(!html.contains(&format!("href=\"{A11Y_FORM}\"")));
        assert!(!html.contains(&format!("href=\"{PRIVACY_FORM}\"")));

        // The default statement, without an account.
        let (status, html) = page(&app, &visitor, "/toegankelijkheid").await;
        assert_eq!(status, 200);
        assert!(html.contains("Voldoet gedeeltelijk (B)"), "{html}");
        assert!(html.contains("WCAG 2.1 niveau AA"));
        assert!(html.contains("axe-core"));
        assert!(html.contains("nog geen contactadres ingesteld"));
        assert!(html.contains("standaardverklaring"));
        assert!(!html.contains("href=\"/organisatie/toegankelijkheid\""));
        // In English.
        let html = visitor
            .get(app.url("/toegankelijkheid"))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<html lang=\"en\""));
        assert!(html.contains("Partially compliant (B)"), "{html}");
        assert!(html.contains("has not yet set a contact"));
        assert!(html.contains("Accessibility statement"));
        // A signed-in employee reads it too.
        let (status, _) = page(&app, &employee, "/toegankelijkheid").await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn an_administrator_edits_the_statement_and_bad_input_changes_nothing() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let admin = app.signed_in(&email_of(Role::Admin)).await;
        let (status, html) = page(&app, &admin, "/").await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("href=\"{A11Y_FORM}\"")), "nav link");
        assert!(
            html.contains(&format!("href=\"{PRIVACY_FORM}\"")),
            "nav link"
        );
        let (status, html) = page(&app, &admin, A11Y_FORM).await;
        assert_eq!(status, 200);
        assert_eq!(hidden(&html, "versie"), "0");
        // The default status is chosen.
        assert!(
            html.contains("value=\"partially_compliant\" checked"),
            "{html}"
        );
        let csrf = hidden(&html, "csrf");

        // A bad e-mail address: the Dutch message, the form again, nothing
        // stored.
        let form = a11y_form(&csrf, "0", "compliant", "geen-adres", "", "");
        let (status, html) = post(&app, &admin, A11Y_FORM, &form).await;
        assert_eq!(status, 422);
        assert!(html.contains("Er is een probleem"), "{html}");
        // `'geen-adres' is geen geldig e-mailadres` (the quotes escaped).
        assert!(html.contains("geen-adres"), "{html}");
        assert!(html.contains("is geen geldig e-mailadres"), "{html}");
        assert!(html.contains("href=\"#email\""));
        assert!(html.contains("value=\"geen-adres\""), "the value is kept");
        // Other bad input: an unknown status, a web address without
        // http(s), a date in the future, a text too long.
        let long = "x".repeat(201);
        let mut form = a11y_form(
            &csrf,
            "0",
            "fantastisch",
            "",
            "javascript:alert(1)",
            "2999-01-01",
        );
        form[3] = ("organisatie", long.as_str());
        let (status, html) = post(&app, &admin, A11Y_FORM, &form).await;
        assert_eq!(status, 422);
        for field in ["status", "organisatie", "webadres", "beoordeeld_op"] {
            assert!(
                html.contains(&format!("href=\"#{field}\"")),
                "{field}: {html}"
            );
        }
        assert!(html.contains("Kies een status uit de lijst."));
        assert!(html.contains("is geen geldig webadres"));
        assert!(html.contains("ligt in de toekomst"));
        assert!(html.contains("hoogstens 200 tekens"));
        // The same mistake in English.
        let r = admin
            .post(app.url(A11Y_FORM))
            .header("accept-language", "en")
            .form(&a11y_form(&csrf, "0", "compliant", "geen-adres", "", ""))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("is not a valid e-mail address"), "{html}");
        assert!(html.contains("There is a problem"));
        // Nothing changed.
        let (_, public) = page(&app, &TestApp::client(), "/toegankelijkheid").await;
        assert!(public.contains("Voldoet gedeeltelijk (B)"));
        assert!(!public.contains("Gemeente Alpha"));
        let mut conn = app.db.store.conn().await.unwrap();
        assert!(
            audit_rows(&mut conn, "accessibility_statement")
                .await
                .is_empty()
        );
        drop(conn);
        // Without the CSRF token: refused.
        let form = a11y_form("fout", "0", "compliant", "", "", "");
        let (status, _) = post(&app, &admin, A11Y_FORM, &form).await;
        assert_eq!(status, 403);

        // A good statement is saved and shown to everyone.
        let form = a11y_form(
            &csrf,
            "0",
            "compliant",
            "Toegankelijkheid@Alpha.nl",
            "https://www.alpha.nl/contact",
            "2025-03-31",
        );
        let (status, to) = post(&app, &admin, A11Y_FORM, &form).await;
        assert_eq!(status, 303);
        assert_eq!(to, "/organisatie/toegankelijkheid?opgeslagen=1");
        let (status, html) = page(&app, &admin, &to).await;
        assert_eq!(status, 200);
        assert!(html.contains("De verklaring is opgeslagen."));
        assert_eq!(hidden(&html, "versie"), "1");
        let (status, public) = page(&app, &TestApp::client(), "/toegankelijkheid").await;
        assert_eq!(status, 200);
        assert!(public.contains("Voldoet volledig (A)"), "{public}");
        assert!(public.contains("Gemeente Alpha wil dat iedereen Integer kan gebruiken"));
        assert!(public.contains("href=\"mailto:toegankelijkheid@alpha.nl\""));
        assert!(public.contains("href=\"https://www.alpha.nl/contact\""));
        assert!(public.contains("2025-03-31"));
        assert!(public.contains("De PDF van het jaarverslag heeft nog geen tags."));
        assert!(!public.contains("nog geen contactadres ingesteld"));
        assert!(!public.contains("standaardverklaring"));
        // The administrator gets a link to the form from the statement.
        let (_, html) = page(&app, &admin, "/toegankelijkheid").await;
        assert!(html.contains("href=\"/organisatie/toegankelijkheid\""));
        // Audited, without personal data.
        let mut conn = app.db.store.conn().await.unwrap();
        let rows = audit_rows(&mut conn, "accessibility_statement").await;
        drop(conn);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "accessibility_statement.changed");
        assert!(rows[0].1.contains("compliant"));

        // A form on top of an old version is refused and changes nothing.
        let form = a11y_form(&csrf, "0", "not_compliant", "", "", "");
        let (status, html) = post(&app, &admin, A11Y_FORM, &form).await;
        assert_eq!(status, 409);
        assert!(html.contains("intussen gewijzigd"));
        let (_, public) = page(&app, &TestApp::client(), "/toegankelijkheid").await;
        assert!(public.contains("Voldoet volledig (A)"));

        // The administrator of another organisation may edit it too (one
        // statement per installation), on top of the current version.
        let beta = app.signed_in("admin@beta.nl").await;
        let (status, html) = page(&app, &beta, A11Y_FORM).await;
        assert_eq!(status, 200);
        assert!(html.contains("value=\"toegankelijkheid@alpha.nl\""));
        let beta_csrf = hidden(&html, "csrf");
        let form = a11y_form(&beta_csrf, "1", "partially_compliant", "", "", "");
        let (status, _) = post(&app, &beta, A11Y_FORM, &form).await;
        assert_eq!(status, 303);
        let (_, public) = page(&app, &TestApp::client(), "/toegankelijkheid").await;
        assert!(public.contains("Voldoet gedeeltelijk (B)"));
        assert!(public.contains("nog geen contactadres ingesteld"));
    }
}

#[tokio::test]
async fn only_administrators_edit_the_statements() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        for role in [Role::Employee, Role::Hr, Role::Manager] {
            let client = app.signed_in(&email_of(role)).await;
            let csrf = app.csrf(&client).await;
            for path in [A11Y_FORM, PRIVACY_FORM] {
                let (status, _) = page(&app, &client, path).await;
                assert_eq!(status, 403, "{role:?} GET {path}");
            }
            let form = a11y_form(&csrf, "0", "compliant", "", "", "");
            let (status, _) = post(&app, &client, A11Y_FORM, &form).await;
            assert_eq!(status, 403, "{role:?}");
            let form = [
                ("csrf", csrf.as_str()),
                ("versie", "0"),
                ("webadres", "https://www.alpha.nl/privacy"),
                ("tekst", ""),
            ];
            let (status, _) = post(&app, &client, PRIVACY_FORM, &form).await;
            assert_eq!(status, 403, "{role:?}");
        }
        // Without an account: to the sign-in page.
        let visitor = TestApp::client();
        let r = visitor.get(app.url(A11Y_FORM)).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert!(location(&r).starts_with("/inloggen"));
        // Nothing changed.
        let (_, public) = page(&app, &visitor, "/toegankelijkheid").await;
        assert!(public.contains("Voldoet gedeeltelijk (B)"));
        let (_, html) = page(&app, &visitor, "/o/alpha/melden").await;
        assert!(html.contains(NOT_PUBLISHED));
        assert!(!html.contains("https://www.alpha.nl/privacy"));
    }
}

#[tokio::test]
async fn the_privacy_statement_shows_on_the_report_form_and_the_mailbox() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let visitor = TestApp::client();
        // The default: what the reporting point processes.
        for path in [
            "/o/alpha/melden",
            "/o/alpha/melden/postbus",
            "/o/alpha/privacy",
        ] {
            let (status, html) = page(&app, &visitor, path).await;
            assert_eq!(status, 200, "{path}");
            assert!(html.contains("Privacyverklaring"), "{path}");
            assert!(html.contains(NOT_PUBLISHED), "{path}: {html}");
            assert!(html.contains("5 jaar bewaard"), "{path}");
        }
        let (status, _) = page(&app, &visitor, "/o/bestaat-niet/privacy").await;
        assert_eq!(status, 404);

        let admin = app.signed_in(&email_of(Role::Admin)).await;
        let (status, html) = page(&app, &admin, PRIVACY_FORM).await;
        assert_eq!(status, 200);
        assert_eq!(hidden(&html, "versie"), "0");
        assert!(html.contains("href=\"/o/alpha/privacy\""));
        let csrf = hidden(&html, "csrf");
        // A web address that is not one: the Dutch message, nothing stored.
        let (status, html) = post(
            &app,
            &admin,
            PRIVACY_FORM,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("webadres", "javascript:alert(1)"),
                ("tekst", ""),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("is geen geldig webadres"), "{html}");
        assert!(html.contains("href=\"#webadres\""));
        let (_, html) = page(&app, &visitor, "/o/alpha/melden").await;
        assert!(html.contains(NOT_PUBLISHED));
        assert!(!html.contains("javascript:alert"));
        // A text too long.
        let long = "x".repeat(20_001);
        let (status, html) = post(
            &app,
            &admin,
            PRIVACY_FORM,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("webadres", ""),
                ("tekst", &long),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("href=\"#tekst\""), "{html}");
        let mut conn = app.db.store.conn().await.unwrap();
        assert!(audit_rows(&mut conn, "privacy_statement").await.is_empty());
        drop(conn);

        // The administrator links the organisation's own statement.
        let url = "https://www.alpha.nl/privacy/meldpunt";
        let (status, to) = post(
            &app,
            &admin,
            PRIVACY_FORM,
            &[
                ("csrf", &csrf),
                ("versie", "0"),
                ("webadres", url),
                ("tekst", ""),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(to, "/organisatie/privacy?opgeslagen=1");
        let link = format!("href=\"{url}\"");
        for path in [
            "/o/alpha/melden",
            "/o/alpha/melden/postbus",
            "/o/alpha/privacy",
        ] {
            let r = visitor.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            assert!(
                r.headers().get("set-cookie").is_none(),
                "{path} sets no cookie"
            );
            let html = r.text().await.unwrap();
            assert!(html.contains(&link), "{path}: {html}");
            assert!(!html.contains(NOT_PUBLISHED), "{path}");
        }
        // The signed-in employee's report form shows it as well.
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        let (_, html) = page(&app, &employee, "/melden").await;
        assert!(html.contains(&link));
        // Another organisation keeps its own (the default).
        let (_, html) = page(&app, &visitor, "/o/beta/melden").await;
        assert!(html.contains(NOT_PUBLISHED));
        assert!(!html.contains(&link));

        // A text besides the link: on the receipt and in the mailbox.
        let text = "Wij bewaren meldingen vijf jaar.\n\nVragen? Mail de FG.";
        let (status, _) = post(
            &app,
            &admin,
            PRIVACY_FORM,
            &[
                ("csrf", &csrf),
                ("versie", "1"),
                ("webadres", url),
                ("tekst", text),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let reporter = TestApp::client();
        let r = reporter
            .post(app.url("/o/alpha/melden"))
            .multipart(
                Multi::new()
                    .text("onderwerp", "Keuken")
                    .text("melding", "De wethouder kreeg een keuken.")
                    .text("identiteit", "anonymous"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let receipt = r.text().await.unwrap();
        assert!(
            receipt.contains("Wij bewaren meldingen vijf jaar."),
            "{receipt}"
        );
        assert!(receipt.contains("<details"));
        assert!(receipt.contains(&link));
        let code = receipt
            .split("data-code=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = reporter
            .post(app.url("/o/alpha/melden/postbus"))
            .form(&[("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let (status, html) = page(&app, &reporter, "/o/alpha/melden/postbus/zaak").await;
        assert_eq!(status, 200);
        assert!(html.contains("Wij bewaren meldingen vijf jaar."), "{html}");
        assert!(html.contains(&link));
        // The page shows the text in full.
        let (_, html) = page(&app, &visitor, "/o/alpha/privacy").await;
        assert!(html.contains("Vragen? Mail de FG."));

        // Both emptied: the default again.
        let (status, _) = post(
            &app,
            &admin,
            PRIVACY_FORM,
            &[
                ("csrf", &csrf),
                ("versie", "2"),
                ("webadres", ""),
                ("tekst", ""),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&app, &visitor, "/o/alpha/melden").await;
        assert!(html.contains(NOT_PUBLISHED));
        let mut conn = app.db.store.conn().await.unwrap();
        let rows = audit_rows(&mut conn, "privacy_statement").await;
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|(a, _)| a == "privacy_statement.changed"));
    }
}
