//! Stories of people using the real application over HTTP, on SQLite and
//! (when reachable) PostgreSQL.

mod common;

use common::{PASSWORD, TestApp, email_of, hidden};
use integer_domain::org::Role;
use integer_store::testing::{both, sqlite};
use reqwest::header;

#[tokio::test]
async fn signing_in_and_out() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let c = TestApp::client();
        // Wrong password and unknown account: one message, same status.
        let wrong = app
            .try_sign_in(&c, "alpha", &email_of(Role::Employee), "wrong password!")
            .await;
        assert_eq!(wrong.status(), 401);
        let wrong_text = wrong.text().await.unwrap();
        assert!(
            wrong_text.contains("E-mailadres of wachtwoord onjuist"),
            "{wrong_text}"
        );
        let unknown = app
            .try_sign_in(&c, "alpha", "nobody@alpha.nl", "wrong password!")
            .await;
        assert_eq!(unknown.status(), 401);
        assert!(
            unknown
                .text()
                .await
                .unwrap()
                .contains("E-mailadres of wachtwoord onjuist")
        );
        // The right organisation matters: alpha's employee is unknown in beta.
        let other_org = app
            .try_sign_in(&c, "beta", &email_of(Role::Employee), PASSWORD)
            .await;
        assert_eq!(other_org.status(), 401);

        let ok = app
            .try_sign_in(&c, "alpha", &email_of(Role::Employee), PASSWORD)
            .await;
        assert_eq!(ok.status(), 303);
        let cookie = ok
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|v| v.starts_with("integer_session="))
            .expect("session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let home = c.get(app.url("/")).send().await.unwrap();
        assert_eq!(home.status(), 200);
        let html = home.text().await.unwrap();
        assert!(
            html.contains("Alpha employee") && html.contains("Uitloggen"),
            "{html}"
        );

        // Signing out needs the CSRF token.
        let refused = c.post(app.url("/uitloggen")).send().await.unwrap();
        assert_eq!(refused.status(), 403);
        let csrf = hidden(&html, "csrf");
        let out = c
            .post(app.url("/uitloggen"))
            .form(&[("csrf", csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 303);
        let after = c.get(app.url("/")).send().await.unwrap();
        assert_eq!(after.status(), 303);
        assert!(
            after.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/inloggen")
        );
    }
}

fn set_cookie_value(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

/// Session fixation: a session id the browser already had is replaced at
/// sign-in, and the old one stops working.
#[tokio::test]
async fn a_new_session_id_at_every_sign_in() {
    let app = TestApp::spawn(sqlite().await).await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let page = plain.get(app.url("/inloggen")).send().await.unwrap();
        let login_cookie = set_cookie_value(&page, "integer_csrf");
        let csrf = hidden(&page.text().await.unwrap(), "csrf");
        let mut cookie = format!("integer_csrf={login_cookie}");
        if let Some(old) = sessions.last() {
            cookie.push_str(&format!("; integer_session={old}"));
        }
        let email = email_of(Role::Hr);
        let r = plain
            .post(app.url("/inloggen"))
            .header(header::COOKIE, cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("organisatie", "alpha"),
                ("email", email.as_str()),
                ("wachtwoord", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        sessions.push(set_cookie_value(&r, "integer_session"));
    }
    assert_ne!(sessions[0], sessions[1]);
    let old = plain
        .get(app.url("/"))
        .header(header::COOKIE, format!("integer_session={}", sessions[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 303, "the old session no longer works");
    let new = plain
        .get(app.url("/"))
        .header(header::COOKIE, format!("integer_session={}", sessions[1]))
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 200);
    let mut conn = app.db.store.conn().await.unwrap();
    assert_eq!(
        integer_store::testing::count(&mut conn, "sessions").await,
        1
    );
}

#[tokio::test]
async fn sign_in_is_throttled_per_account() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = TestApp::client();
    for _ in 0..5 {
        let r = app
            .try_sign_in(&c, "alpha", &email_of(Role::Director), "not the password")
            .await;
        assert_eq!(r.status(), 401);
    }
    // Even the right password waits now.
    let r = app
        .try_sign_in(&c, "alpha", &email_of(Role::Director), PASSWORD)
        .await;
    assert_eq!(r.status(), 429);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Te veel mislukte pogingen")
    );
    // Another account is not affected.
    let r = app
        .try_sign_in(&c, "alpha", &email_of(Role::Board), PASSWORD)
        .await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn sign_in_without_csrf_token_is_refused() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = TestApp::client();
    let r = c
        .post(app.url("/inloggen"))
        .form(&[
            ("organisatie", "alpha"),
            ("email", email_of(Role::Admin).as_str()),
            ("wachtwoord", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Geen toegang"));
}

#[tokio::test]
async fn sign_in_form_explains_bad_input() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = TestApp::client();
    let csrf = app.login_csrf(&c).await;
    let r = c
        .post(app.url("/inloggen"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("organisatie", "nope"),
            ("email", "geen-adres"),
            ("wachtwoord", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for expected in [
        "Kies uw organisatie",
        "geen geldig e-mailadres",
        "Vul uw wachtwoord in",
        "integer-error-summary",
    ] {
        assert!(html.contains(expected), "missing {expected}");
    }
}

/// Who gets what, page by page: the authorization matrix over HTTP.
#[tokio::test]
async fn every_role_sees_exactly_its_pages() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let employee = app.id(&email_of(Role::Employee));
        let counsellor = app.id(&email_of(Role::Counsellor));
        let beta_person = app.id("employee@beta.nl");
        for role in Role::ALL {
            let me = app.id(&email_of(role));
            let c = app.signed_in(&email_of(role)).await;
            let readers = matches!(
                role,
                Role::Admin | Role::Hr | Role::IntegrityOffice | Role::Director
            );
            let get = |path: String| {
                let c = c.clone();
                let url = app.url(&path);
                async move { c.get(url).send().await.unwrap().status().as_u16() }
            };
            let expect = |ok: bool| if ok { 200 } else { 403 };
            assert_eq!(get("/".into()).await, 200, "{role:?} home");
            assert_eq!(
                get("/organisatie/eenheden".into()).await,
                200,
                "{role:?} units"
            );
            assert_eq!(
                get("/organisatie/mensen".into()).await,
                expect(readers || role == Role::Manager),
                "{role:?} people list"
            );
            assert_eq!(
                get(format!("/organisatie/mensen/{}", me.0)).await,
                200,
                "{role:?} own record"
            );
            assert_eq!(
                get(format!("/organisatie/mensen/{}", employee.0)).await,
                expect(readers || role == Role::Manager || role == Role::Employee),
                "{role:?} the manager's report"
            );
            assert_eq!(
                get(format!("/organisatie/mensen/{}", counsellor.0)).await,
                expect(readers || role == Role::Counsellor),
                "{role:?} someone else"
            );
            // Another organisation's person does not exist from here.
            assert_eq!(
                get(format!("/organisatie/mensen/{}", beta_person.0)).await,
                404,
                "{role:?} cross-org"
            );
            assert_eq!(
                get("/organisatie/import".into()).await,
                expect(matches!(role, Role::Admin | Role::Hr)),
                "{role:?} import"
            );
            assert_eq!(
                get("/organisatie/audit".into()).await,
                expect(matches!(role, Role::Admin | Role::PrivacyOfficer)),
                "{role:?} audit"
            );

            let csrf = app.csrf(&c).await;
            let unit = c
                .post(app.url("/organisatie/eenheden"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("naam", &format!("Team {}", role.as_str())),
                    ("soort", "team"),
                    ("bovenliggend", ""),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert_eq!(
                unit,
                if role == Role::Admin { 303 } else { 403 },
                "{role:?} create unit"
            );
            let roles = c
                .post(app.url(&format!("/organisatie/mensen/{}/rollen", counsellor.0)))
                .form(&[("csrf", csrf.as_str()), ("rol", "counsellor")])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert_eq!(
                roles,
                if role == Role::Admin { 303 } else { 403 },
                "{role:?} set roles"
            );
            let cross = c
                .post(app.url(&format!("/organisatie/mensen/{}/rollen", beta_person.0)))
                .form(&[("csrf", csrf.as_str()), ("rol", "admin")])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert_eq!(cross, 404, "{role:?} cross-org roles");
        }
    }
}

#[tokio::test]
async fn a_manager_lists_only_their_team() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Manager)).await;
    let html = c
        .get(app.url("/organisatie/mensen"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Alpha employee"));
    assert!(!html.contains("Alpha counsellor"));
    let admin = app.signed_in(&email_of(Role::Admin)).await;
    let html = admin
        .get(app.url("/organisatie/mensen?q=alpha+c"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Alpha counsellor") && !html.contains("Alpha employee"),
        "search filters"
    );
    assert!(!html.contains("Beta persoon"), "never another organisation");
}

#[tokio::test]
async fn state_changing_forms_need_the_csrf_token() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Admin)).await;
    for form in [
        vec![("naam", "X"), ("soort", "team")],
        vec![("csrf", "wrong"), ("naam", "X"), ("soort", "team")],
    ] {
        let r = c
            .post(app.url("/organisatie/eenheden"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    let target = app.id(&email_of(Role::Board));
    let r = c
        .post(app.url(&format!("/organisatie/mensen/{}/rollen", target.0)))
        .form(&[("rol", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn unit_form_rejects_bad_values() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Admin)).await;
    let csrf = app.csrf(&c).await;
    let cases: [(&str, &str, &str, &str); 4] = [
        ("", "team", "", "Vul een naam in"),
        ("Team X", "koninkrijk", "", "geen bekend soort eenheid"),
        ("Team X", "team", "abc", "Kies een bestaande eenheid"),
        ("Team X", "team", "999999", "Kies een bestaande eenheid"),
    ];
    for (name, kind, parent, message) in cases {
        let r = c
            .post(app.url("/organisatie/eenheden"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("naam", name),
                ("soort", kind),
                ("bovenliggend", parent),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{name}/{kind}/{parent}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(message) && html.contains("aria-invalid=\"true\""),
            "{message}"
        );
    }
    let ok = c
        .post(app.url("/organisatie/eenheden"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("naam", "Directie Ruimte"),
            ("soort", "directorate"),
            ("bovenliggend", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let dup = c
        .post(app.url("/organisatie/eenheden"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("naam", "Directie Ruimte"),
            ("soort", "directorate"),
            ("bovenliggend", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 422);
    assert!(dup.text().await.unwrap().contains("bestaat al"));
}

#[tokio::test]
async fn roles_form_rejects_bad_values_and_self_lockout() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Admin)).await;
    let csrf = app.csrf(&c).await;
    let board = app.id(&email_of(Role::Board));
    let r = c
        .post(app.url(&format!("/organisatie/mensen/{}/rollen", board.0)))
        .form(&[("csrf", csrf.as_str()), ("rol", "koning")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("geen bekende rol"));
    let me = app.id(&email_of(Role::Admin));
    let r = c
        .post(app.url(&format!("/organisatie/mensen/{}/rollen", me.0)))
        .form(&[("csrf", csrf.as_str()), ("rol", "hr")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("eigen beheerdersrol"));
    // A valid change is saved and audited.
    let r = c
        .post(app.url(&format!("/organisatie/mensen/{}/rollen", board.0)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("rol", "board"),
            ("rol", "investigator"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = c
        .get(app.url(&format!("/organisatie/mensen/{}", board.0)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("De rollen zijn opgeslagen") || html.contains("Onderzoeker"));
    let audit = c
        .get(app.url("/organisatie/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("person.roles_changed"));
}

fn multipart_csv(csrf: &str, csv: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .part(
            "bestand",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                .file_name("mensen.csv")
                .mime_str("text/csv")
                .unwrap(),
        )
}

#[tokio::test]
async fn importing_people_in_the_web_interface() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let c = app.signed_in(&email_of(Role::Hr)).await;
        let csrf = app.csrf(&c).await;
        let csv = "employee_number;email;name;salary_scale;unit;manager\n\
                   100;anna@alpha.nl;Anna Import;11;Directie / Team A;\n\
                   101;bram@alpha.nl;Bram Import;19;Directie / Team A;100\n\
                   102;cor@alpha.nl;Cor Import;8;Directie / Team A;100\n";
        let r = c
            .post(app.url("/organisatie/import"))
            .multipart(multipart_csv(&csrf, csv))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("salary_scale") && html.contains("is geen geldige salarisschaal"),
            "{html}"
        );
        let id: i64 = html
            .split("/organisatie/import/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // Nothing is written while a line is bad...
        let r = c
            .post(app.url(&format!("/organisatie/import/{id}/toepassen")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let people = c
            .get(app.url("/organisatie/mensen?q=import"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(people.contains("0 gevonden"), "nothing imported yet");
        // ...unless asked to skip the bad lines.
        let r = c
            .post(app.url(&format!("/organisatie/import/{id}/toepassen")))
            .form(&[("csrf", csrf.as_str()), ("sla_over", "ja")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Import uitgevoerd"));
        let people = c
            .get(app.url("/organisatie/mensen?q=import"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(people.contains("2 gevonden"), "{people}");
        // An applied upload cannot be applied again.
        let again = c
            .post(app.url(&format!("/organisatie/import/{id}/toepassen")))
            .form(&[("csrf", csrf.as_str()), ("sla_over", "ja")])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 404);
        // Another organisation's admin cannot reach the upload either.
        let beta = app.signed_in("admin@beta.nl").await;
        let beta_csrf = app.csrf(&beta).await;
        let r = beta
            .post(app.url(&format!("/organisatie/import/{id}/toepassen")))
            .form(&[("csrf", beta_csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
}

#[tokio::test]
async fn import_rejects_bad_files_and_missing_csrf() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Admin)).await;
    let csrf = app.csrf(&c).await;
    for (csv, message) in [
        ("", "Kies een CSV-bestand"),
        (
            "naam,schoenmaat\nAnna,42\n",
            "Onbekende kolommen: schoenmaat",
        ),
        ("name\nAnna\n", "De verplichte kolom"),
        ("email,name\n", "geen mensen"),
    ] {
        let r = c
            .post(app.url("/organisatie/import"))
            .multipart(multipart_csv(&csrf, csv))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{csv}");
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
    let r = c
        .post(app.url("/organisatie/import"))
        .multipart(multipart_csv("", "email,name\na@b.nl,A\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Admin)).await;
    let csrf = app.csrf(&c).await;
    let big = "x".repeat(2 * 1024 * 1024);
    let r = c
        .post(app.url("/organisatie/eenheden"))
        .form(&[("csrf", csrf.as_str()), ("naam", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("Te groot"));
}

#[tokio::test]
async fn database_unavailable_gives_a_503_page() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Admin)).await;
    app.db.store.close().await;
    let r = c.get(app.url("/organisatie/mensen")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Tijdelijk niet beschikbaar")
    );
    let r = TestApp::client()
        .get(app.url("/inloggen"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(
        TestApp::client()
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
    assert_eq!(
        TestApp::client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = TestApp::spawn(sqlite().await).await;
    for path in ["/inloggen", "/bestaat-niet", "/static/app.css", "/healthz"] {
        let r = TestApp::client().get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
    }
}

#[tokio::test]
async fn friendly_error_pages_in_the_visitors_language() {
    let app = TestApp::spawn(sqlite().await).await;
    let r = TestApp::client()
        .get(app.url("/bestaat-niet"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let html = r.text().await.unwrap();
    assert!(html.contains("Pagina niet gevonden") && html.contains("lang=\"nl\""));
    let r = TestApp::client()
        .get(app.url("/bestaat-niet"))
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn language_switch_and_accept_language() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = TestApp::client();
    let nl = c
        .get(app.url("/inloggen"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(nl.contains("lang=\"nl\"") && nl.contains("Inloggen"));
    let en = c
        .get(app.url("/inloggen"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("lang=\"en\"") && en.contains("Sign in"));
    let r = c
        .get(app.url("/taal/en?terug=/inloggen"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()[header::LOCATION], "/inloggen");
    let en = c
        .get(app.url("/inloggen"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("lang=\"en\""),
        "the switch wins over the header"
    );
    // Only local paths are followed.
    let r = c
        .get(app.url("/taal/nl?terug=//evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[header::LOCATION], "/");
    assert_eq!(
        c.get(app.url("/taal/fr")).send().await.unwrap().status(),
        404
    );
}

#[tokio::test]
async fn api_with_personal_tokens() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let mut conn = app.db.store.conn().await.unwrap();
        let (_, admin_token) = integer_store::tokens::create(
            &mut conn,
            app.alpha,
            app.id(&email_of(Role::Admin)),
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
        let c = TestApp::client();
        let me: serde_json::Value = c
            .get(app.url("/api/v1/me"))
            .bearer_auth(&admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["organisation"]["slug"], "alpha");
        assert!(
            me["roles"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("admin"))
        );
        let people: serde_json::Value = c
            .get(app.url("/api/v1/people?q=alpha"))
            .bearer_auth(&admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(people["total"], 10);
        let r = c
            .get(app.url("/api/v1/people"))
            .bearer_auth(&employee_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = c
            .get(app.url(&format!("/api/v1/people/{}", app.id("employee@beta.nl").0)))
            .bearer_auth(&admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let r = c.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"], "error-401");
        assert!(
            body["message"]["nl"]
                .as_str()
                .unwrap()
                .contains("API-token")
        );
        let r = c
            .get(app.url("/api/v1/me"))
            .bearer_auth("int_forged")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
}

#[tokio::test]
async fn pages_are_audited_with_their_actor() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::PrivacyOfficer)).await;
    let html = c
        .get(app.url("/organisatie/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("session.signed_in"));
    let v = integer_store::audit::verify(&app.db.store).await.unwrap();
    assert!(v.result.is_ok() && v.rows_checked >= 2);
}

#[tokio::test]
async fn an_internal_error_gives_the_500_page_without_details() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Employee)).await;
    // A stored revision that no longer loads is an internal error.
    let mut conn = app.db.store.conn().await.unwrap();
    integer_store::presets::save(&mut conn, app.alpha, 0, "this is not toml [", "x", "test")
        .await
        .unwrap();
    drop(conn);
    let r = c.get(app.url("/mag-dit")).send().await.unwrap();
    assert_eq!(r.status(), 500);
    let html = r.text().await.unwrap();
    assert!(html.contains("Er ging iets mis"));
    assert!(
        !html.contains("toml") && !html.contains("revision"),
        "no internals leak"
    );
}

#[tokio::test]
async fn behind_tls_cookies_are_secure_and_ip_throttling_applies() {
    let config = integer_web::WebConfig {
        secure_cookies: true,
        login_max_failures_per_ip: 3,
        ..Default::default()
    };
    let app = TestApp::spawn_with(sqlite().await, config).await;
    let c = TestApp::client();
    let r = app
        .try_sign_in(&c, "alpha", &email_of(Role::Hr), PASSWORD)
        .await;
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("integer_session="))
        .unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(r.headers().contains_key(header::STRICT_TRANSPORT_SECURITY));
    // Failures on different accounts from one address add up.
    for role in [Role::Board, Role::Director, Role::Counsellor] {
        let other = TestApp::client();
        assert_eq!(
            app.try_sign_in(&other, "alpha", &email_of(role), "wrong!")
                .await
                .status(),
            401
        );
    }
    let other = TestApp::client();
    let r = app
        .try_sign_in(&other, "alpha", &email_of(Role::Investigator), PASSWORD)
        .await;
    assert_eq!(r.status(), 429, "the address is throttled");
}
