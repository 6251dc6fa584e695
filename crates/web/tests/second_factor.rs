//! The second factor (TOTP) for the integrity office, counsellors,
//! investigators and directors: nothing after the password alone, enrolment,
//! codes that work once, throttling, an administrator's reset, and a role
//! change that takes effect at the next request. On SQLite and (when
//! reachable) PostgreSQL.

mod common;

use common::{PASSWORD, TestApp, email_of, enrolment_secret, hidden, location};
use integer_domain::org::Role;
use integer_domain::totp;
use integer_store::testing::{both, count};
use integer_web::WebConfig;
use reqwest::Client;

const ENROL: &str = "/inloggen/tweede-stap/instellen";
const STEP: &str = "/inloggen/tweede-stap";

/// Signs in with the password only; returns where the server sends us.
async fn password_only(app: &TestApp, client: &Client, email: &str) -> String {
    let r = app.try_sign_in(client, "alpha", email, PASSWORD).await;
    assert_eq!(r.status(), 303, "password of {email}");
    location(&r)
}

async fn get(app: &TestApp, client: &Client, path: &str) -> reqwest::Response {
    client.get(app.url(path)).send().await.unwrap()
}

async fn post_code(
    app: &TestApp,
    client: &Client,
    action: &str,
    csrf: &str,
    code: &str,
) -> reqwest::Response {
    client
        .post(app.url(action))
        .form(&[("csrf", csrf), ("code", code), ("terug", "/verklaringen")])
        .send()
        .await
        .unwrap()
}

/// A six-digit code that is valid for none of the accepted steps.
fn wrong_code(secret: &[u8]) -> String {
    let now = integer_store::now();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| totp::verify(secret, c, now, None).is_none())
        .unwrap()
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    let mut conn = app.db.store.conn().await.unwrap();
    count(&mut conn, &format!("audit_log WHERE action = '{action}'")).await
}

#[tokio::test]
async fn password_alone_reaches_no_page() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let c = TestApp::client();
        let next = password_only(&app, &c, &email_of(Role::Counsellor)).await;
        assert!(next.starts_with(ENROL), "{next}");
        for path in [
            "/",
            "/verklaringen",
            "/berichten",
            "/beoordelen",
            "/registers",
            "/mag-dit",
            "/gedragscode",
            "/organisatie/mensen",
        ] {
            let r = get(&app, &c, path).await;
            assert_eq!(r.status(), 303, "{path}");
            assert!(location(&r).starts_with("/inloggen?terug="), "{path}");
        }
        // The sign-in page sends the half-signed-in session on to the step,
        // keeping where it was going.
        let r = get(&app, &c, "/inloggen?terug=%2Fverklaringen").await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), format!("{ENROL}?terug=%2Fverklaringen"));
        // A state-changing form is refused too.
        let csrf = hidden(&get(&app, &c, ENROL).await.text().await.unwrap(), "csrf");
        let r = c
            .post(app.url("/berichten/gelezen"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert!(location(&r).starts_with("/inloggen"));
        // The step page shows no navigation and no name.
        let html = get(&app, &c, ENROL).await.text().await.unwrap();
        assert!(!html.contains("integer-nav"), "{html}");
        assert!(!html.contains("Alpha counsellor"), "{html}");
    }
}

#[tokio::test]
async fn sensitive_roles_are_asked_and_others_are_not() {
    let app = TestApp::spawn(integer_store::testing::sqlite().await).await;
    for role in Role::ALL {
        let c = TestApp::client();
        let next = password_only(&app, &c, &email_of(role)).await;
        let sensitive = integer_domain::authz::SECOND_FACTOR_ROLES.contains(&role);
        if sensitive {
            assert!(next.starts_with(ENROL), "{role:?}: {next}");
            assert_eq!(get(&app, &c, "/").await.status(), 303, "{role:?}");
        } else {
            assert_eq!(next, "/", "{role:?}");
            let home = get(&app, &c, "/").await;
            assert_eq!(home.status(), 200, "{role:?}");
        }
    }
}

#[tokio::test]
async fn enrolment_needs_a_correct_code() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let c = TestApp::client();
        let email = email_of(Role::Counsellor);
        password_only(&app, &c, &email).await;
        let page = get(&app, &c, ENROL).await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Tweede stap instellen"), "{html}");
        assert!(
            html.contains("otpauth://totp/Integer:counsellor@alpha.nl?secret=")
                && html.contains(";issuer=Integer\""),
            "{html}"
        );
        assert!(
            html.contains("<svg role=\"img\" aria-label=\""),
            "no QR code"
        );
        assert!(html.contains("<label class=\"utrecht-form-label\" for=\"code\">"));
        assert!(
            html.contains("autocomplete=\"one-time-code\"")
                && html.contains("inputmode=\"numeric\"")
        );
        let secret = enrolment_secret(&html);
        assert_eq!(secret.len(), totp::SECRET_BYTES);
        // The key shown is in blocks of four.
        let grouped = totp::grouped(&totp::base32_encode(&secret));
        assert!(html.contains(&grouped) && grouped.contains(' '));
        // Reloading shows the same key (an app may have scanned it).
        let again = get(&app, &c, ENROL).await.text().await.unwrap();
        assert_eq!(enrolment_secret(&again), secret);
        let csrf = hidden(&html, "csrf");

        // No CSRF token: refused.
        let r = post_code(
            &app,
            &c,
            ENROL,
            "",
            &totp::code_at(&secret, integer_store::now()),
        )
        .await;
        assert_eq!(r.status(), 403);

        // Not six digits: said so at the field; not a guess, not counted.
        let r = post_code(&app, &c, ENROL, &csrf, "12ab").await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("precies zes cijfers"), "{html}");
        assert!(html.contains("aria-describedby=\"code-uitleg code-fout\""));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(
            html.contains("href=\"#code\""),
            "error summary links to the field"
        );

        // A wrong code: a clear message, audited, still not enrolled.
        let r = post_code(&app, &c, ENROL, &csrf, &wrong_code(&secret)).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Deze code klopt niet"), "{html}");
        assert!(html.contains("id=\"code-fout\""));
        assert_eq!(audited(&app, "second_factor.failed").await, 1);
        assert!(!app.second_factor(&email).await.unwrap().is_enrolled());
        assert_eq!(get(&app, &c, "/").await.status(), 303);

        // The right code: enrolled, audited, and on to where we were going.
        let code = totp::code_at(&secret, integer_store::now());
        let r = post_code(&app, &c, ENROL, &csrf, &code).await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/verklaringen");
        assert!(app.second_factor(&email).await.unwrap().is_enrolled());
        assert_eq!(audited(&app, "second_factor.enrolled").await, 1);
        let home = get(&app, &c, "/").await;
        assert_eq!(home.status(), 200);
        assert!(home.text().await.unwrap().contains("Alpha counsellor"));
        // The step pages are done with.
        let r = get(&app, &c, STEP).await;
        assert_eq!(r.status(), 303);

        // The next sign-in asks for a code, not a new enrolment.
        let c2 = TestApp::client();
        let next = password_only(&app, &c2, &email).await;
        assert!(next.starts_with(STEP) && !next.starts_with(ENROL), "{next}");
        let r = get(&app, &c2, ENROL).await;
        assert_eq!(r.status(), 303, "no second enrolment");
        assert!(location(&r).starts_with(STEP));
        let html = get(&app, &c2, STEP).await.text().await.unwrap();
        assert!(html.contains("Code uit uw app"), "{html}");
        assert!(!html.contains("otpauth://"), "the key is never shown again");
    }
}

#[tokio::test]
async fn a_code_works_once() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let email = email_of(Role::IntegrityOffice);
        app.signed_in(&email).await;
        let factor = app.second_factor(&email).await.unwrap();
        let used = factor.last_step.expect("a step was accepted");
        let c = TestApp::client();
        password_only(&app, &c, &email).await;
        let html = get(&app, &c, STEP).await.text().await.unwrap();
        let csrf = hidden(&html, "csrf");
        let replay = totp::code_at_step(&factor.secret, used);
        let r = post_code(&app, &c, STEP, &csrf, &replay).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Deze code is al gebruikt"), "{html}");
        assert_eq!(get(&app, &c, "/").await.status(), 303);
        assert_eq!(audited(&app, "second_factor.failed").await, 1);
        // A fresh code gets through, and is not accepted a second time.
        let fresh = app.fresh_code(&email, &factor.secret).await;
        let r = post_code(&app, &c, STEP, &csrf, &fresh).await;
        assert_eq!(r.status(), 303);
        assert_eq!(get(&app, &c, "/").await.status(), 200);
        assert_eq!(audited(&app, "second_factor.verified").await, 1);
        let c3 = TestApp::client();
        password_only(&app, &c3, &email).await;
        let html = get(&app, &c3, STEP).await.text().await.unwrap();
        let r = post_code(&app, &c3, STEP, &hidden(&html, "csrf"), &fresh).await;
        assert_eq!(r.status(), 422);
    }
}

#[tokio::test]
async fn wrong_codes_are_throttled() {
    for db in both().await {
        let config = WebConfig {
            login_max_failures_per_account: 3,
            ..WebConfig::default()
        };
        let app = TestApp::spawn_with(db, config).await;
        let email = email_of(Role::Investigator);
        app.signed_in(&email).await;
        let secret = app.second_factor(&email).await.unwrap().secret;
        let c = TestApp::client();
        password_only(&app, &c, &email).await;
        let csrf = hidden(&get(&app, &c, STEP).await.text().await.unwrap(), "csrf");
        for _ in 0..3 {
            let r = post_code(&app, &c, STEP, &csrf, &wrong_code(&secret)).await;
            assert_eq!(r.status(), 422);
        }
        assert_eq!(audited(&app, "second_factor.failed").await, 3);
        // Now even the right code waits.
        let right = app.fresh_code(&email, &secret).await;
        let r = post_code(&app, &c, STEP, &csrf, &right).await;
        assert_eq!(r.status(), 429);
        let html = r.text().await.unwrap();
        assert!(html.contains("Te veel onjuiste codes"), "{html}");
        assert_eq!(get(&app, &c, "/").await.status(), 303);
        // A new password sign-in does not lift it.
        let c2 = TestApp::client();
        password_only(&app, &c2, &email).await;
        let csrf2 = hidden(&get(&app, &c2, STEP).await.text().await.unwrap(), "csrf");
        let r = post_code(&app, &c2, STEP, &csrf2, &right).await;
        assert_eq!(r.status(), 429);
    }
}

#[tokio::test]
async fn an_administrator_resets_and_the_person_enrols_again() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let email = email_of(Role::Director);
        let director = app.signed_in(&email).await;
        let old_secret = app.second_factor(&email).await.unwrap().secret;
        assert_eq!(get(&app, &director, "/").await.status(), 200);
        let id = app.id(&email).0;

        // Only administrators see the button and may use it.
        let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
        let office_csrf = app.csrf(&office).await;
        let r = office
            .post(app.url(&format!("/organisatie/mensen/{id}/tweede-stap/herstellen")))
            .form(&[("csrf", office_csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        let admin = app.signed_in(&email_of(Role::Admin)).await;
        let person = get(&app, &admin, &format!("/organisatie/mensen/{id}"))
            .await
            .text()
            .await
            .unwrap();
        let action = format!("action=\"/organisatie/mensen/{id}/tweede-stap/herstellen\"");
        assert!(person.contains(&action), "{person}");
        let status = get(
            &app,
            &admin,
            &format!("/organisatie/mensen/{id}/tweede-stap"),
        )
        .await
        .text()
        .await
        .unwrap();
        assert!(status.contains("Ingesteld op"), "{status}");
        // Without the CSRF token: refused.
        let r = admin
            .post(app.url(&format!("/organisatie/mensen/{id}/tweede-stap/herstellen")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert!(app.second_factor(&email).await.is_some());
        let r = admin
            .post(app.url(&format!("/organisatie/mensen/{id}/tweede-stap/herstellen")))
            .form(&[("csrf", hidden(&person, "csrf").as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let done = get(&app, &admin, &location(&r)).await.text().await.unwrap();
        assert!(done.contains("is gewist"), "{done}");
        assert!(done.contains("Niet ingesteld"), "{done}");
        assert_eq!(audited(&app, "second_factor.reset").await, 1);
        assert!(app.second_factor(&email).await.is_none());

        // The director's running session must enrol again before going on.
        let r = get(&app, &director, "/").await;
        assert_eq!(r.status(), 303);
        let r = get(&app, &director, &location(&r)).await;
        assert!(location(&r).starts_with(ENROL), "{}", location(&r));
        // And so does a new sign-in, with a new key.
        let c = TestApp::client();
        let next = password_only(&app, &c, &email).await;
        assert!(next.starts_with(ENROL), "{next}");
        let html = get(&app, &c, ENROL).await.text().await.unwrap();
        assert_ne!(enrolment_secret(&html), old_secret);
        app.pass_second_factor(&c, &email, &next).await;
        assert_eq!(get(&app, &c, "/").await.status(), 200);
    }
}

#[tokio::test]
async fn a_new_sensitive_role_takes_effect_at_the_next_request() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let email = email_of(Role::Manager);
        let manager = app.signed_in(&email).await;
        assert_eq!(get(&app, &manager, "/").await.status(), 200);

        let admin = app.signed_in(&email_of(Role::Admin)).await;
        let csrf = app.csrf(&admin).await;
        let id = app.id(&email).0;
        let r = admin
            .post(app.url(&format!("/organisatie/mensen/{id}/rollen")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("rol", "manager"),
                ("rol", "counsellor"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);

        let r = get(&app, &manager, "/").await;
        assert_eq!(r.status(), 303);
        let r = get(&app, &manager, &location(&r)).await;
        let next = location(&r);
        assert!(next.starts_with(ENROL), "{next}");
        app.pass_second_factor(&manager, &email, &next).await;
        assert_eq!(get(&app, &manager, "/").await.status(), 200);
    }
}

#[tokio::test]
async fn cancelling_ends_the_half_signed_in_session() {
    let app = TestApp::spawn(integer_store::testing::sqlite().await).await;
    let c = TestApp::client();
    password_only(&app, &c, &email_of(Role::Counsellor)).await;
    let html = get(&app, &c, ENROL).await.text().await.unwrap();
    assert!(html.contains("Annuleren en uitloggen"));
    let r = c
        .post(app.url("/inloggen/tweede-stap/annuleren"))
        .form(&[("csrf", hidden(&html, "csrf").as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/inloggen");
    // No session left: the step sends us to the sign-in form itself.
    let r = get(&app, &c, ENROL).await;
    assert_eq!(r.status(), 303);
    let page = get(&app, &c, &location(&r)).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("wachtwoord"));
}
