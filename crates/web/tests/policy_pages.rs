//! "Mag dit?", the code of conduct pages and the policy API, through the
//! real application.

mod common;

use common::{PASSWORD, TestApp, email_of, location, password_hash};
use integer_domain::org::{EmploymentType, Role};
use integer_domain::policy::Kind;
use integer_domain::values::{Email, Slug};
use integer_store::orgs;
use integer_store::people::{self, PersonFields};
use integer_store::testing::sqlite;
use reqwest::{Client, RequestBuilder, Url};

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
    // Answer everything a gift may need: a EUR 30 bunch of flowers, with a
    // minimal appearance of corruption (Maastricht 3.2, exception b).
    let q = "soort=gift&value_eur=30&customary_thank_you=ja&sent_to_home_address=nee&procurement_ongoing=nee\
             &intent_to_influence=nee&refusal_would_offend=nee&refusal_impractical=nee&prior_permission=nee\
             &appearance_of_corruption=minimal";
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
        let broken = source.replacen("version = \"2025.2\"", "version = 2025", 1);
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
                 &intent_to_influence=nee&refusal_would_offend=nee&refusal_impractical=nee&prior_permission=nee\
                 &appearance_of_corruption=minimal";
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
            html.contains("2025.2+r1"),
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
                integer_domain::policy::AnswerType::Choice(options) => options[0],
                integer_domain::policy::AnswerType::Listed => "",
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

/// The six control questions are Maastricht's: they come from its preset,
/// with a link to the section they are taken from, and another
/// organisation asks "may it conflict?" as one plain question.
#[tokio::test]
async fn the_control_questions_come_from_the_preset_that_has_them() {
    let app = TestApp::spawn(sqlite().await).await;
    for (preset, has_questionnaire) in [
        ("maastricht", true),
        ("dalfsen", false),
        ("leidschendam-voorburg", false),
        ("provincie-limburg", false),
    ] {
        let c = employee_under(&app, preset).await;
        let questions = integer_domain::policy::questions(
            integer_domain::policy::bundled_preset(preset).unwrap(),
            Kind::SideActivity,
        );
        // Answer "no" up to may_conflict; the next screen asks it.
        let mut query = String::from("soort=side_activity");
        for q in questions.iter().take_while(|q| q.field != "may_conflict") {
            query.push_str(&format!("&{}=nee", q.field));
        }
        let html = c
            .get(app.url(&format!("/mag-dit/vragen?{query}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            html.contains("name=\"controle_6\""),
            has_questionnaire,
            "{preset}: {html}"
        );
        assert_eq!(
            html.contains("Zes controlevragen"),
            has_questionnaire,
            "{preset}"
        );
        if has_questionnaire {
            assert!(
                html.contains(
                    "href=\"/gedragscode/maastricht-gedragscode-ambtelijke-organisatie#s-2.uitleg\""
                ),
                "the source is cited: {html}"
            );
            assert!(html.contains("Houdt de gemeente toezicht"), "{html}");
        } else {
            assert!(html.contains("name=\"may_conflict\""), "{preset}: {html}");
            assert!(!html.contains("Maastricht"), "{preset}: {html}");
        }
    }
}

/// The employer's list of interests not allowed for designated functions:
/// an admin adds it to the rules, "Mag dit?" offers it, answers from it and
/// the filed declaration keeps the entry's text.
#[tokio::test]
async fn a_designated_official_is_answered_from_the_employers_list() {
    for db in integer_store::testing::both().await {
        let app = TestApp::spawn(db).await;
        let admin = app.signed_in(&email_of(Role::Admin)).await;
        let source = integer_domain::policy::bundled_preset_source("maastricht").unwrap();
        let at = source.find("[[documents]]").unwrap();
        let list = "[[restricted_interests]]\nid = \"bouw\"\n\
                    nl = \"Aandelen in bouwbedrijven die voor de gemeente werken\"\n\
                    en = \"Shares in construction companies working for the municipality\"\n\
                    cite = [{ document = \"ambtenarenwet-2017\", section = \"8.1.d\" }]\n\n";
        let changed = format!("{}{list}{}", &source[..at], &source[at..]);
        let csrf = app.csrf(&admin).await;
        let r = admin
            .post(app.url("/organisatie/gedragsregels"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("revisie", "0"),
                ("bron", changed.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let mut conn = app.db.store.conn().await.unwrap();
        integer_store::testing::set_employee_facts(
            &mut conn,
            &email_of(Role::Employee),
            None,
            false,
            true,
        )
        .await;
        drop(conn);
        let c = app.signed_in(&email_of(Role::Employee)).await;
        let base = "soort=financial_interest&intent_to_influence=nee&may_conflict=nee";
        let question = c
            .get(app.url(&format!("/mag-dit/vragen?{base}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            question.contains("name=\"restricted_interest\" value=\"bouw\"")
                && question.contains("Aandelen in bouwbedrijven")
                && question.contains("Geen van deze"),
            "{question}"
        );
        let answer = c
            .get(app.url(&format!("/mag-dit/vragen?{base}&restricted_interest=bouw")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(answer.contains("data-verdict=\"not_allowed\""), "{answer}");
        assert!(
            answer.contains("Op de lijst van de werkgever: Aandelen in bouwbedrijven"),
            "{answer}"
        );
        assert!(answer.contains("#s-8.1.d"), "the article is cited");
        // None of these: the report of a designated function.
        let none = c
            .get(app.url(&format!("/mag-dit/vragen?{base}&restricted_interest=")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(none.contains("data-verdict=\"report\""), "{none}");
        // An id that is not on the list is refused on the question's screen.
        let r = c
            .get(app.url(&format!("/mag-dit/vragen?{base}&restricted_interest=zorg")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        // Filed, the declaration keeps the entry's text.
        let csrf = app.csrf(&c).await;
        let r = c
            .post(app.url("/verklaringen"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("soort", "financial_interest"),
                ("intent_to_influence", "nee"),
                ("may_conflict", "nee"),
                ("restricted_interest", "bouw"),
                ("omschrijving", "Aandelen Bouwbedrijf Van Dam"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let detail = c
            .get(app.url(&location(&r)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            detail.contains("Aandelen in bouwbedrijven die voor de gemeente werken"),
            "{detail}"
        );
    }
}

/// A rule the organisation added says so on the answer, with the reason.
#[tokio::test]
async fn an_organisations_own_addition_is_shown_as_such() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = app.signed_in(&email_of(Role::Employee)).await;
    let q = "soort=gift&value_eur=20&sent_to_home_address=nee&procurement_ongoing=ja\
             &intent_to_influence=nee&refusal_would_offend=ja&refusal_impractical=nee&prior_permission=nee\
             &appearance_of_corruption=none";
    let html = c
        .get(app.url(&format!("/mag-dit/vragen?{q}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-verdict=\"not_allowed\""), "{html}");
    assert!(html.contains("id=\"aanvulling\""), "{html}");
    assert!(
        html.contains("Eigen aanvulling van de organisatie"),
        "{html}"
    );
    assert!(
        html.contains("noemt geschenken tijdens een inkoop niet"),
        "{html}"
    );
    // A rule the code states carries no such notice.
    let plain = c
        .get(app.url("/mag-dit/vragen?soort=gift&value_eur=75&sent_to_home_address=nee&procurement_ongoing=nee\
             &intent_to_influence=nee&refusal_would_offend=nee&refusal_impractical=nee&prior_permission=nee\
             &appearance_of_corruption=none"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        plain.contains("data-verdict=\"not_allowed\"") && !plain.contains("id=\"aanvulling\""),
        "{plain}"
    );
}

// "Mag dit?" as a browser walks it: nothing below builds a URL or a form by
// hand. Each page's form is read from the HTML (action, method, hidden
// fields, radio buttons, check boxes, selects, text fields), answered, and
// sent the way a browser sends it; redirects and links are followed.

/// Every kind, in every bundled preset, once answering "yes" or the first
/// option everywhere and once "no" or the last option: every question is
/// asked exactly once, the answer follows, "back" and "next" lead to the
/// same answer, and the filing form files the declaration.
#[tokio::test]
async fn every_kind_is_walked_and_filed_as_a_browser_does_in_every_preset() {
    let app = TestApp::spawn(sqlite().await).await;
    for preset in integer_domain::policy::bundled_presets() {
        let c = employee_under(&app, &preset.name).await;
        let start = load(&c, c.get(app.url("/mag-dit"))).await;
        assert_eq!(start.status, 200, "{}", preset.name);
        let kinds: Vec<String> = main_form(&start, &preset.name)
            .controls
            .iter()
            .filter(|x| x.kind == "radio")
            .map(|x| x.value.clone())
            .collect();
        assert!(
            kinds.iter().any(|k| k == "side_activity") && kinds.len() >= 11,
            "{}: {kinds:?}",
            preset.name
        );
        for kind in &kinds {
            let k = Kind::from_code(kind).unwrap_or_else(|| panic!("unknown kind {kind}"));
            let questions = integer_domain::policy::questions(preset, k).len();
            for yes in [true, false] {
                let what = format!(
                    "{}, {kind}, {}",
                    preset.name,
                    if yes { "yes/first" } else { "no/last" }
                );
                walk_and_file(&app, &c, kind, questions, yes, &what).await;
            }
        }
    }
}

/// An employee of a new organisation under the bundled preset `preset`,
/// signed in.
async fn employee_under(app: &TestApp, preset: &str) -> Client {
    let slug = format!("walk-{preset}");
    let email = format!("employee@{slug}.nl");
    let mut tx = app.db.store.begin_write().await.unwrap();
    let org = orgs::create(
        &mut tx,
        &Slug::parse(&slug).unwrap(),
        &format!("Organisatie {preset}"),
        preset,
        false,
    )
    .await
    .unwrap()
    .id;
    let fields = PersonFields {
        name: format!("Werknemer {preset}"),
        email: Email::parse(&email).unwrap(),
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
    people::add_roles(&mut tx, org, id, &[Role::Employee])
        .await
        .unwrap();
    people::set_password_hash(&mut tx, org, id, password_hash())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let c = TestApp::client();
    let r = app.try_sign_in(&c, &slug, &email, PASSWORD).await;
    assert_eq!(r.status(), 303, "sign-in under {preset}");
    assert!(
        !location(&r).starts_with("/inloggen"),
        "no second step for an employee: {}",
        location(&r)
    );
    c
}

async fn walk_and_file(
    app: &TestApp,
    c: &Client,
    kind: &str,
    questions: usize,
    yes: bool,
    what: &str,
) {
    // The start page: choose what happened.
    let start = load(c, c.get(app.url("/mag-dit"))).await;
    let mut form = main_form(&start, what);
    assert!(
        form.controls
            .iter()
            .any(|x| x.kind == "radio" && x.name == "soort" && x.value == kind),
        "{what}"
    );
    for x in form.controls.iter_mut().filter(|x| x.kind == "radio") {
        x.checked = x.value == kind;
    }
    let mut page = submit(c, &start, &form).await;
    // One screen per question, each asked once, until the answer.
    let mut asked = 0;
    let mut last_question = start.url.clone();
    while element_attr(&page.html, "uitkomst", "data-verdict").is_none() {
        assert_eq!(page.status, 200, "{what}: {}\n{}", page.url, page.html);
        asked += 1;
        assert!(
            asked <= questions,
            "{what}: screen {asked} of {questions} questions; the walk loops at {}\n{}",
            page.url,
            page.html
        );
        let mut form = main_form(&page, what);
        assert_eq!(form.method, "get", "{what}");
        answer(&mut form, yes);
        last_question = page.url.clone();
        page = submit(c, &page, &form).await;
    }
    assert_eq!(page.status, 200, "{what}: {}", page.html);
    assert_eq!(asked, questions, "{what}: every question asked once");
    let verdict = element_attr(&page.html, "uitkomst", "data-verdict").unwrap();
    assert!(!verdict.is_empty(), "{what}");

    // "Back" opens the last question with the answers so far; answered
    // again, it gives the same answer.
    if questions > 0 {
        let back = links(&page.html)
            .into_iter()
            .filter_map(|href| page.url.join(&href).ok())
            // Not the skip link to this page's own content.
            .filter(|u| {
                let mut own = u.clone();
                own.set_fragment(None);
                own != page.url
            })
            .find(|u| u.path() == last_question.path())
            .unwrap_or_else(|| panic!("{what}: a link back to the questions"));
        let prev = load(c, c.get(back)).await;
        assert_eq!(prev.status, 200, "{what}");
        assert!(
            element_attr(&prev.html, "uitkomst", "data-verdict").is_none(),
            "{what}: back is the last question"
        );
        let mut form = main_form(&prev, what);
        answer(&mut form, yes);
        let again = submit(c, &prev, &form).await;
        assert_eq!(
            element_attr(&again.html, "uitkomst", "data-verdict").as_deref(),
            Some(verdict.as_str()),
            "{what}: back and next again: {}",
            again.html
        );
    }

    // File it with the form under the answer.
    let mut filing = main_form(&page, what);
    assert_eq!(filing.method, "post", "{what}");
    answer(&mut filing, yes);
    let filed = submit(c, &page, &filing).await;
    assert_eq!(filed.status, 200, "{what}: {}", filed.html);
    assert!(
        filed.url.path().starts_with("/verklaringen/"),
        "{what}: filed and shown, not {}\n{}",
        filed.url,
        filed.html
    );
}

/// A page as the browser ends up on it.
struct Page {
    url: Url,
    status: u16,
    html: String,
}

/// Sends the request and follows redirects (with a GET, as browsers do
/// after a 303).
async fn load(c: &Client, request: RequestBuilder) -> Page {
    let mut request = request;
    for _ in 0..10 {
        let r = request.send().await.unwrap();
        let url = r.url().clone();
        if r.status().is_redirection() {
            let to = url.join(&location(&r)).unwrap();
            request = c.get(to);
            continue;
        }
        let status = r.status().as_u16();
        return Page {
            url,
            status,
            html: r.text().await.unwrap(),
        };
    }
    panic!("too many redirects");
}

/// Submits `form` of `page` with its first submit button, as a browser does.
async fn submit(c: &Client, page: &Page, form: &HtmlForm) -> Page {
    let mut target = page.url.join(&form.action).unwrap();
    let pairs = entries(form);
    if form.method == "post" {
        load(c, c.post(target).form(&pairs)).await
    } else {
        // A GET form replaces the action's query with its fields.
        target.set_fragment(None);
        target.set_query(None);
        {
            let mut query = target.query_pairs_mut();
            for (name, value) in &pairs {
                query.append_pair(name, value);
            }
        }
        load(c, c.get(target)).await
    }
}

/// The page's one form besides signing out.
fn main_form(page: &Page, what: &str) -> HtmlForm {
    let mut found: Vec<HtmlForm> = forms(&page.html)
        .into_iter()
        .filter(|f| f.action != "/uitloggen")
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{what}: one form on {}\n{}",
        page.url,
        page.html
    );
    found.remove(0)
}

/// Answers a form: the first (`yes`) or last radio button of every group,
/// every check box on or off, the first or last option of every select; an
/// amount where an amount is asked (left empty for "no"); a description in
/// an empty text area. Other text fields keep what the page put in them.
fn answer(form: &mut HtmlForm, yes: bool) {
    let mut groups: Vec<String> = Vec::new();
    for x in &form.controls {
        if x.kind == "radio" && !groups.contains(&x.name) {
            groups.push(x.name.clone());
        }
    }
    for group in &groups {
        let members: Vec<usize> = form
            .controls
            .iter()
            .enumerate()
            .filter(|(_, x)| x.kind == "radio" && x.name == *group)
            .map(|(i, _)| i)
            .collect();
        let pick = if yes {
            members[0]
        } else {
            members[members.len() - 1]
        };
        for i in members {
            form.controls[i].checked = i == pick;
        }
    }
    for x in &mut form.controls {
        let (tag, kind) = (x.tag.clone(), x.kind.clone());
        match (tag.as_str(), kind.as_str()) {
            ("input", "checkbox") => x.checked = yes,
            ("select", _) => {
                let n = x.options.len();
                for (i, option) in x.options.iter_mut().enumerate() {
                    option.1 = if yes { i == 0 } else { i + 1 == n };
                }
            }
            ("textarea", _) if x.value.trim().is_empty() => {
                x.value = "Ingevuld zoals in een browser.".to_string();
            }
            ("input", "text" | "number") if attr(&x.attrs, "inputmode") == Some("decimal") => {
                x.value = if yes {
                    "250".to_string()
                } else {
                    String::new()
                };
            }
            _ => {}
        }
    }
}

/// One field of a form.
#[derive(Debug, Clone)]
struct Control {
    /// `input`, `select`, `textarea` or `button`.
    tag: String,
    /// The type of an input or button, lower-case; empty otherwise.
    kind: String,
    name: String,
    value: String,
    checked: bool,
    disabled: bool,
    /// A select's options: value and whether selected.
    options: Vec<(String, bool)>,
    attrs: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
struct HtmlForm {
    action: String,
    /// `get` or `post`.
    method: String,
    controls: Vec<Control>,
}

/// What a browser sends for a form submitted with its first submit button
/// (the HTML "form data set"), in document order.
fn entries(form: &HtmlForm) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut submitter_seen = false;
    for x in &form.controls {
        let is_submit = match x.tag.as_str() {
            "button" => x.kind == "submit",
            "input" => x.kind == "submit" || x.kind == "image",
            _ => false,
        };
        if is_submit {
            if !submitter_seen && !x.name.is_empty() && !x.disabled {
                out.push((x.name.clone(), x.value.clone()));
            }
            submitter_seen = true;
            continue;
        }
        if x.name.is_empty() || x.disabled {
            continue;
        }
        match (x.tag.as_str(), x.kind.as_str()) {
            ("button", _) | ("input", "reset" | "button" | "file") => {}
            ("input", "radio" | "checkbox") => {
                if x.checked {
                    let value = attr(&x.attrs, "value").unwrap_or("on");
                    out.push((x.name.clone(), value.to_string()));
                }
            }
            ("select", _) => {
                if attr(&x.attrs, "multiple").is_some() {
                    for (value, _) in x.options.iter().filter(|o| o.1) {
                        out.push((x.name.clone(), value.clone()));
                    }
                } else if let Some((value, _)) =
                    x.options.iter().find(|o| o.1).or(x.options.first())
                {
                    out.push((x.name.clone(), value.clone()));
                }
            }
            _ => out.push((x.name.clone(), x.value.clone())),
        }
    }
    out
}

/// The forms of a page with their fields.
fn forms(html: &str) -> Vec<HtmlForm> {
    let mut found = Vec::new();
    let mut form: Option<HtmlForm> = None;
    let mut select: Option<Control> = None;
    // An open option: its text, its value attribute, whether selected.
    let mut option: Option<(String, Option<String>, bool)> = None;
    let mut textarea: Option<Control> = None;
    fn close_option(
        option: &mut Option<(String, Option<String>, bool)>,
        select: &mut Option<Control>,
    ) {
        if let (Some((text, value, selected)), Some(s)) = (option.take(), select.as_mut()) {
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            s.options.push((value.unwrap_or(text), selected));
        }
    }
    for token in tokens(html) {
        match token {
            Token::Start { name, attrs } => match name.as_str() {
                "form" => {
                    form = Some(HtmlForm {
                        action: attr(&attrs, "action").unwrap_or_default().to_string(),
                        method: attr(&attrs, "method").unwrap_or("get").to_ascii_lowercase(),
                        controls: Vec::new(),
                    });
                }
                "input" | "button" => {
                    if let Some(f) = form.as_mut() {
                        f.controls.push(control(&name, &attrs));
                    }
                }
                "select" => select = Some(control(&name, &attrs)),
                "option" => {
                    close_option(&mut option, &mut select);
                    option = Some((
                        String::new(),
                        attr(&attrs, "value").map(str::to_string),
                        attr(&attrs, "selected").is_some(),
                    ));
                }
                "textarea" => textarea = Some(control(&name, &attrs)),
                _ => {}
            },
            Token::Text(text) => {
                if let Some(o) = option.as_mut() {
                    o.0.push_str(&decode(&text));
                }
                if let Some(t) = textarea.as_mut() {
                    t.value.push_str(&decode(&text));
                }
            }
            Token::End(name) => match name.as_str() {
                "option" | "optgroup" => close_option(&mut option, &mut select),
                "select" => {
                    close_option(&mut option, &mut select);
                    if let (Some(s), Some(f)) = (select.take(), form.as_mut()) {
                        f.controls.push(s);
                    }
                }
                "textarea" => {
                    if let (Some(mut t), Some(f)) = (textarea.take(), form.as_mut()) {
                        // A newline right after the start tag is not content.
                        if let Some(rest) = t.value.strip_prefix("\r\n") {
                            t.value = rest.to_string();
                        } else if let Some(rest) = t.value.strip_prefix('\n') {
                            t.value = rest.to_string();
                        }
                        f.controls.push(t);
                    }
                }
                "form" => {
                    if let Some(f) = form.take() {
                        found.push(f);
                    }
                }
                _ => {}
            },
        }
    }
    found
}

fn control(tag: &str, attrs: &[(String, String)]) -> Control {
    let kind = match tag {
        "input" => attr(attrs, "type").unwrap_or("text").to_ascii_lowercase(),
        "button" => attr(attrs, "type").unwrap_or("submit").to_ascii_lowercase(),
        _ => String::new(),
    };
    Control {
        tag: tag.to_string(),
        kind,
        name: attr(attrs, "name").unwrap_or_default().to_string(),
        value: attr(attrs, "value").unwrap_or_default().to_string(),
        checked: attr(attrs, "checked").is_some(),
        disabled: attr(attrs, "disabled").is_some(),
        options: Vec::new(),
        attrs: attrs.to_vec(),
    }
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The `href` of every link on the page.
fn links(html: &str) -> Vec<String> {
    tokens(html)
        .into_iter()
        .filter_map(|t| match t {
            Token::Start { name, attrs } if name == "a" => attr(&attrs, "href").map(str::to_string),
            _ => None,
        })
        .collect()
}

/// An attribute of the element with this id.
fn element_attr(html: &str, id: &str, name: &str) -> Option<String> {
    tokens(html).into_iter().find_map(|t| match t {
        Token::Start { attrs, .. } if attr(&attrs, "id") == Some(id) => {
            attr(&attrs, name).map(str::to_string)
        }
        _ => None,
    })
}

enum Token {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End(String),
    /// Text as written (entities not yet decoded).
    Text(String),
}

/// A small HTML tokenizer: start tags with their attributes (any order,
/// double, single or no quotes, entities decoded), end tags and text;
/// comments and doctypes are skipped, and the content of script, style,
/// title and textarea is text.
fn tokens(html: &str) -> Vec<Token> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let flush = |out: &mut Vec<Token>, from: usize, to: usize| {
        if to > from {
            out.push(Token::Text(html[from..to].to_string()));
        }
    };
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied().unwrap_or(b' ');
        if html[i..].starts_with("<!--") {
            flush(&mut out, text_start, i);
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            text_start = i;
        } else if next == b'!' || next == b'?' {
            flush(&mut out, text_start, i);
            i = html[i..].find('>').map_or(b.len(), |e| i + e + 1);
            text_start = i;
        } else if next == b'/' {
            let s = i + 2;
            let mut e = s;
            while e < b.len() && b[e].is_ascii_alphanumeric() {
                e += 1;
            }
            if e == s {
                i += 1;
                continue;
            }
            flush(&mut out, text_start, i);
            out.push(Token::End(html[s..e].to_ascii_lowercase()));
            i = html[e..].find('>').map_or(b.len(), |g| e + g + 1);
            text_start = i;
        } else if next.is_ascii_alphabetic() {
            flush(&mut out, text_start, i);
            let s = i + 1;
            let mut e = s;
            while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'-') {
                e += 1;
            }
            let name = html[s..e].to_ascii_lowercase();
            let (attrs, after) = attributes(html, e);
            i = after;
            text_start = i;
            let raw = matches!(name.as_str(), "script" | "style" | "title" | "textarea");
            out.push(Token::Start {
                name: name.clone(),
                attrs,
            });
            if raw {
                let close = format!("</{name}");
                let end = html[i..]
                    .to_ascii_lowercase()
                    .find(&close)
                    .map_or(b.len(), |p| i + p);
                flush(&mut out, i, end);
                i = end;
                text_start = i;
            }
        } else {
            i += 1;
        }
    }
    flush(&mut out, text_start, b.len());
    out
}

/// The attributes of a start tag from just after its name; returns them
/// and the position after the tag's `>`.
fn attributes(html: &str, from: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    let mut i = from;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, i);
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let s = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[s..i].to_ascii_lowercase();
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = String::new();
        if j < b.len() && b[j] == b'=' {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                let quote = b[j] as char;
                let vs = j + 1;
                let ve = html[vs..].find(quote).map_or(b.len(), |p| vs + p);
                value = decode(&html[vs..ve]);
                i = (ve + 1).min(b.len());
            } else {
                let vs = j;
                while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                    j += 1;
                }
                value = decode(&html[vs..j]);
                i = j;
            }
        }
        // Else a boolean attribute (`checked`): present, value empty.
        if !name.is_empty() && !attrs.iter().any(|(k, _)| *k == name) {
            attrs.push((name, value));
        }
    }
}

/// Decodes character references (`&amp;`, `&quot;`, `&#39;`, `&#x27;`...).
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let decoded = rest.find(';').filter(|&e| e <= 10).and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    if let Some(hex) = entity
                        .strip_prefix("#x")
                        .or_else(|| entity.strip_prefix("#X"))
                    {
                        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                    } else if let Some(dec) = entity.strip_prefix('#') {
                        dec.parse::<u32>().ok().and_then(char::from_u32)
                    } else {
                        None
                    }
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn the_form_reader_reads_what_a_browser_reads() {
    let html = r#"<!doctype html><html><body>
<form method="post" action="/uitloggen"><button>Uit</button></form>
<form class=f ACTION='/x?a=1' novalidate>
  <!-- <input name="commented" value="no"> -->
  <input type="hidden" value="a&amp;b &quot;c&quot; &#x27;d&#39;" name="h">
  <input name=plain value=1>
  <input type="radio" name="r" value="ja" checked><input type="radio" name="r" value="nee">
  <input type="checkbox" name="c">
  <input type="checkbox" name="off" value="x">
  <input type="text" name="gone" disabled value="z">
  <select name="s"><option>  Eerste   optie </option><option value="2" selected>Twee</option></select>
  <textarea name="t">
regel &lt;1&gt;</textarea>
  <button type="submit">Verder</button>
  <a href="/terug?x=1&amp;y=2">Vorige</a>
</form>
</body></html>"#;
    let found = forms(html);
    assert_eq!(found.len(), 2);
    let f = &found[1];
    assert_eq!((f.action.as_str(), f.method.as_str()), ("/x?a=1", "get"));
    let mut f = f.clone();
    f.controls
        .iter_mut()
        .filter(|x| x.name == "c")
        .for_each(|x| x.checked = true);
    assert_eq!(
        entries(&f),
        [
            ("h", "a&b \"c\" 'd'"),
            ("plain", "1"),
            ("r", "ja"),
            ("c", "on"),
            ("s", "2"),
            ("t", "regel <1>"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    answer(&mut f, false);
    let sent = entries(&f);
    assert!(sent.contains(&("r".to_string(), "nee".to_string())));
    assert!(!sent.iter().any(|(k, _)| k == "c" || k == "off"));
    assert!(sent.contains(&("s".to_string(), "2".to_string())));
    answer(&mut f, true);
    assert!(entries(&f).contains(&("s".to_string(), "Eerste optie".to_string())));
    assert_eq!(links(html), ["/terug?x=1&y=2"]);
}
