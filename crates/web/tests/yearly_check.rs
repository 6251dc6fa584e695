//! The yearly check through the real application.

mod common;

use common::{TestApp, email_of, hidden};
use integer_domain::org::Role;
use integer_store::testing::both;

#[tokio::test]
async fn the_integrity_office_runs_the_yearly_check() {
    for db in both().await {
        let app = TestApp::spawn(db).await;
        let office = app.signed_in(&email_of(Role::IntegrityOffice)).await;
        let employee = app.signed_in(&email_of(Role::Employee)).await;
        // Before a campaign there is nothing to answer.
        let html = employee
            .get(app.url("/actualisatie"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Er loopt op dit moment geen"));
        let csrf = app.csrf(&office).await;
        for bad in ["twintig", "1999"] {
            let r = office
                .post(app.url("/actualisatie/beheer/start"))
                .form(&[("csrf", csrf.as_str()), ("jaar", bad)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{bad}");
        }
        let r = office
            .post(app.url("/actualisatie/beheer/start"))
            .form(&[("csrf", csrf.as_str()), ("jaar", "2026")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = office
            .post(app.url("/actualisatie/beheer/start"))
            .form(&[("csrf", csrf.as_str()), ("jaar", "2026")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "one campaign per year");
        assert!(r.text().await.unwrap().contains("al gestart"));

        // The employee has nothing registered and says so (a nil return).
        let html = employee
            .get(app.url("/actualisatie"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Jaarlijkse actualisatie 2026"));
        let csrf_e = hidden(&html, "csrf");
        let r = employee
            .post(app.url("/actualisatie"))
            .form(&[("csrf", csrf_e.as_str()), ("antwoord", "geen")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let html = employee
            .get(app.url("/actualisatie"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("data-answer=\"none\""));
        let again = employee
            .post(app.url("/actualisatie"))
            .form(&[("csrf", csrf_e.as_str()), ("antwoord", "bevestigd")])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 409, "one answer per year");

        // Progress and reminders: only those who did not answer are reminded.
        let html = office
            .get(app.url("/actualisatie/beheer"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("data-answered=\"1\""), "{html}");
        let people: i64 = html
            .split("data-people=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let r = office
            .post(app.url("/actualisatie/beheer/herinneren"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(
            location,
            format!("/actualisatie/beheer?herinnerd={}", people - 1)
        );
        let html = office
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Eerdere jaren") && html.contains("2026"));
        // Only the integrity office manages it.
        assert_eq!(
            employee
                .get(app.url("/actualisatie/beheer"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        let r = employee
            .post(app.url("/actualisatie/beheer/start"))
            .form(&[("csrf", csrf_e.as_str()), ("jaar", "2027")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
}
