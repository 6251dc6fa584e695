//! "Mag dit?", the code of conduct pages and the policy API, through the
//! real application.

mod common;

use common::{TestApp, email_of};
use integer_domain::org::Role;
use integer_store::testing::sqlite;

#[tokio::test]
async fn an_employee_is_guided_one_question_at_a_time() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Employee)).await;
    let start = c
        .get(app.url("/mag-dit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(start.contains("Een geschenk") && start.contains("name=\"soort\""));
    // Alpha uses the Maastricht preset: the first gift question is the value.
    let q1 = c
        .get(app.url("/mag-dit/vragen?soort=gift"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(q1.contains("geschatte waarde"), "{q1}");
    assert!(q1.contains("vraag 1 van"), "progress shown");
    // A bad number is explained on the same screen.
    for bad in ["dertig", "-5"] {
        let r = c
            .get(app.url(&format!("/mag-dit/vragen?soort=gift&value_eur={bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("integer-error-summary") && html.contains("aria-invalid=\"true\""),
            "{bad}"
        );
    }
    // Dutch decimals are fine, and the next question follows.
    let q2 = c
        .get(app.url("/mag-dit/vragen?soort=gift&value_eur=12,50"))
        .send()
        .await
        .unwrap();
    assert_eq!(q2.status(), 200);
    let q2 = q2.text().await.unwrap();
    assert!(
        q2.contains("vraag 2 van") && q2.contains("name=\"value_eur\" value=\"12,50\""),
        "answers are carried"
    );
    let unknown = c
        .get(app.url("/mag-dit/vragen?soort=omkoping"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 422);
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("Kies waar het om gaat")
    );
}

#[tokio::test]
async fn the_answer_names_the_rule_and_links_to_its_text() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Employee)).await;
    // Answer everything a gift may need: a EUR 30 bunch of flowers.
    let q = "soort=gift&value_eur=30&customary_thank_you=ja&sent_to_home_address=nee&procurement_ongoing=nee\
             &intent_to_influence=nee&refusal_would_offend=nee&refusal_impractical=nee&prior_permission=nee";
    let r = c
        .get(app.url(&format!("/mag-dit/vragen?{q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("data-verdict=\"report\""), "{html}");
    assert!(html.contains("Lever het in"), "what to do next");
    let link = html
        .split("href=\"/gedragscode/")
        .nth(1)
        .expect("a link to the rule's text");
    let target = format!("/gedragscode/{}", link.split('"').next().unwrap());
    let doc = c
        .get(app.url(target.split('#').next().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200);
    let anchor = target.split('#').nth(1).unwrap();
    assert!(
        doc.text()
            .await
            .unwrap()
            .contains(&format!("id=\"{anchor}\"")),
        "the cited section exists"
    );
    // In English too.
    let en = c
        .get(app.url(&format!("/mag-dit/vragen?{q}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Allowed, but report it"));
}

#[tokio::test]
async fn the_code_of_conduct_can_be_read_and_searched() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Board)).await;
    let index = c
        .get(app.url("/gedragscode"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("Gemeente Maastricht"));
    let found = c
        .get(app.url("/gedragscode?q=geschenk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        found.contains("resultaten") && found.contains("/gedragscode/maastricht"),
        "{found}"
    );
    let none = c
        .get(app.url("/gedragscode?q=zzzqqq"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(none.contains("0 resultaten"));
    assert_eq!(
        c.get(app.url("/gedragscode/bestaat-niet"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Signed-out visitors are sent to sign in.
    let anon = TestApp::client()
        .get(app.url("/gedragscode"))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 303);
}

#[tokio::test]
async fn the_policy_api_explains_bad_input() {
    let app = TestApp::spawn(sqlite().await).await;
    let mut conn = app.db.store.conn().await.unwrap();
    let (_, token) =
        integer_store::tokens::create(&mut conn, app.alpha, app.id(&email_of(Role::Employee)), "t")
            .await
            .unwrap();
    drop(conn);
    let c = TestApp::client();
    let post = |body: &'static str| {
        c.post(app.url("/api/v1/policy/check"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let ok: serde_json::Value =
        post(r#"{"org":"dalfsen","declaration":{"kind":"gift","value_eur":75}}"#)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(ok["verdict"], "not_allowed");
    for (body, code) in [
        ("{oops", "malformed_json"),
        ("[]", "not_an_object"),
        (
            r#"{"org":"dalfsen","declaration":{"kind":"gift"},"x":1}"#,
            "unknown_field",
        ),
        (
            r#"{"org":"atlantis","declaration":{"kind":"gift"}}"#,
            "unknown_preset",
        ),
        (r#"{"org":"dalfsen"}"#, "missing_declaration"),
        (
            r#"{"org":"dalfsen","declaration":{"kind":"bribe"}}"#,
            "unknown_kind",
        ),
        (
            r#"{"org":"dalfsen","declaration":{"kind":"gift","colour":"red"}}"#,
            "unknown_field",
        ),
        (
            r#"{"org":"dalfsen","declaration":{"kind":"gift","value_eur":-1}}"#,
            "negative_value",
        ),
    ] {
        let r = post(body).await.unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"], code, "{body}");
        assert!(
            !v["message"]["nl"].as_str().unwrap().is_empty()
                && !v["message"]["en"].as_str().unwrap().is_empty()
        );
    }
    let r = TestApp::client()
        .post(app.url("/api/v1/policy/check"))
        .json(&serde_json::json!({"org":"dalfsen","declaration":{"kind":"gift"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn an_admin_changes_the_rules_and_may_i_follows() {
    for db in integer_store::testing::both().await {
        let app = TestApp::spawn(db).await;
        let admin = app.signed_in(&email_of(Role::Admin)).await;
        let html = admin
            .get(app.url("/organisatie/gedragsregels"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("nog niet aangepast"));
        let source = integer_domain::policy::bundled_preset_source("maastricht").unwrap();
        let csrf = app.csrf(&admin).await;
        let post = |body: String, revision: &'static str| {
            admin
                .post(app.url("/organisatie/gedragsregels"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("revisie", revision),
                    ("bron", body.as_str()),
                ])
                .send()
        };
        // A broken file is refused with its location; nothing is stored.
        let broken = source.replacen("version = \"2025.1\"", "version = 2025", 1);
        let r = post(broken, "0").await.unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Regel ") && html.contains("er is niets opgeslagen"),
            "{html}"
        );
        // Raise the gift threshold to EUR 100: a EUR 75 thank-you becomes an exception.
        let changed = source
            .replace("value_eur = { below = 50 }", "value_eur = { below = 100 }")
            .replace(
                "value_eur = { at_least = 50, unknown = true }",
                "value_eur = { at_least = 100, unknown = true }",
            );
        assert_ne!(changed, source);
        let r = post(changed.clone(), "0").await.unwrap();
        assert_eq!(r.status(), 303);
        // Editing on top of an old revision is refused (compare-and-set).
        let r = post(changed.clone(), "0").await.unwrap();
        assert_eq!(r.status(), 409);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("intussen een nieuwe versie")
        );

        let employee = app.signed_in(&email_of(Role::Employee)).await;
        let q = "soort=gift&value_eur=75&customary_thank_you=ja&sent_to_home_address=nee&procurement_ongoing=nee\
                 &intent_to_influence=nee&refusal_would_offend=nee&refusal_impractical=nee&prior_permission=nee";
        let html = employee
            .get(app.url(&format!("/mag-dit/vragen?{q}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("data-verdict=\"report\""),
            "the new threshold applies: {html}"
        );
        assert!(
            html.contains("2025.1+r1"),
            "the decision names the revision"
        );
        let audit = admin
            .get(app.url("/organisatie/audit"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(audit.contains("policy.preset_changed"));
        // Only an admin may change the rules; another organisation is untouched.
        let hr = app.signed_in(&email_of(Role::Hr)).await;
        assert_eq!(
            hr.get(app.url("/organisatie/gedragsregels"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        let mut conn = app.db.store.conn().await.unwrap();
        assert!(
            integer_store::presets::latest(&mut conn, app.beta)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn a_side_activity_is_checked_with_the_six_control_questions() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Employee)).await;
    let preset = integer_domain::policy::bundled_preset("maastricht").unwrap();
    let questions =
        integer_domain::policy::questions(preset, integer_domain::policy::Kind::SideActivity);
    assert!(questions.iter().any(|q| q.field == "may_conflict"));
    // Walk the questions; at may_conflict the six control questions appear.
    let mut query = String::from("soort=side_activity");
    for q in &questions {
        let r = c
            .get(app.url(&format!("/mag-dit/vragen?{query}")))
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        if q.field == "may_conflict" {
            assert!(
                html.contains("Zes controlevragen") && html.contains("name=\"controle_6\""),
                "{html}"
            );
            // Half an answer is not enough.
            let r = c
                .get(app.url(&format!("/mag-dit/vragen?{query}&controle_1=nee")))
                .send()
                .await
                .unwrap();
            assert!(r.text().await.unwrap().contains("Zes controlevragen"));
            // One "yes" (the same network) means it may conflict.
            query.push_str("&controle_1=nee&controle_2=ja&controle_3=nee&controle_4=nee&controle_5=nee&controle_6=nee");
        } else {
            let v = match q.answer {
                integer_domain::policy::AnswerType::Flag => "nee",
                integer_domain::policy::AnswerType::Number => "4",
                integer_domain::policy::AnswerType::Appearance => "none",
            };
            query.push_str(&format!("&{}={v}", q.field));
        }
    }
    let html = c
        .get(app.url(&format!("/mag-dit/vragen?{query}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"uitkomst\""), "{html}");
    // The same with may_conflict given directly gives the same decision.
    let direct = query.replace("controle_2=ja", "controle_2=nee") + "&may_conflict=ja";
    let direct_html = c
        .get(app.url(&format!("/mag-dit/vragen?{direct}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let verdict = |h: &str| {
        h.split("data-verdict=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(verdict(&html), verdict(&direct_html));
    // Filed, the six answers are kept with the declaration.
    let csrf = app.csrf(&c).await;
    let mut form: Vec<(String, String)> = query
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    form.push(("csrf".into(), csrf));
    form.push(("omschrijving".into(), "Voorzitter voetbalvereniging".into()));
    let r = c
        .post(app.url("/verklaringen"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let detail = c
        .get(app.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        detail.contains("hetzelfde netwerk"),
        "the control answers are shown: {detail}"
    );
}
