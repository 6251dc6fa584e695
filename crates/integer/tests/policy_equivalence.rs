//! The command line, the API and the "Mag dit?" page give the same decision
//! for the same input: one shared table (crates/domain/tests/fixtures/
//! policy_cases.json) run through all three against the real binary.

use serde_json::{Value, json};
mod common;

use std::io::Write;
use std::process::{Command, Stdio};

const PASSWORD: &str = "a long enough password";
/// Every field the "Mag dit?" page can ask (the page reads only those its
/// preset needs; the rest of the query is ignored).
const FLAGS: &[&str] = &[
    "sent_to_home_address",
    "procurement_ongoing",
    "intent_to_influence",
    "refusal_would_offend",
    "refusal_impractical",
    "customary_thank_you",
    "prior_permission",
    "functional",
    "paid_by_third_party",
    "abroad",
    "includes_travel_or_stay",
    "refusal_makes_work_impossible",
    "paid",
    "may_conflict",
    "political_board_work",
    "supplies_to_employer",
    "same_work_for_residents",
    "compelling_reasons",
    "explicit_permission",
    "sensitive_data",
    "contained",
    "hinders_performance",
    "incidental",
    "excessive_use",
    "commercial_use",
    "emergency",
    "shared_interest",
    "reimbursed_otherwise",
    "outside_purpose",
    "confidential",
    "after_leaving",
    "to_council_member",
    "own_initiative",
    "factual_only",
    "illegal_software",
    "offensive_content",
];
/// Fields answered with a code or an id (absent: left empty).
const TEXTS: &[&str] = &["item", "restricted_interest"];
const NUMBERS: &[&str] = &[
    "value_eur",
    "hours_per_week",
    "months_since_departure",
    "people_affected",
];

fn integer(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_integer"));
    c.env_remove("INTEGER_CONFIG")
        .env(
            "INTEGER_DATABASE_URL",
            format!("sqlite://{}/integer.db", dir.display()),
        )
        .env("INTEGER__LOG__LEVEL", "warn")
        // The key the test writes with in-process too.
        .env(
            "INTEGER__SECURITY__AUDIT_KEY",
            integer_store::audit::TEST_KEY_HEX,
        )
        // Many sign-ins from one address in this test.
        .env("INTEGER__SECURITY__LOGIN_MAX_FAILURES_PER_IP", "1000")
        .current_dir(dir);
    c
}

fn cli_decision(dir: &std::path::Path, preset: &str, declaration: &Value) -> Value {
    let mut child = integer(dir)
        .args(["policy", "check", "--org", preset])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(declaration.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn web_query(declaration: &Value) -> String {
    let d = declaration.as_object().unwrap();
    let mut q = format!("soort={}", d["kind"].as_str().unwrap());
    for f in FLAGS {
        let yes = d.get(*f).and_then(Value::as_bool).unwrap_or(false);
        q.push_str(&format!("&{f}={}", if yes { "ja" } else { "nee" }));
    }
    for f in NUMBERS {
        let v = d
            .get(*f)
            .and_then(Value::as_f64)
            .map(|n| n.to_string())
            .unwrap_or_default();
        q.push_str(&format!("&{f}={v}"));
    }
    for f in TEXTS {
        let v = d.get(*f).and_then(Value::as_str).unwrap_or("");
        q.push_str(&format!("&{f}={v}"));
    }
    let level = d
        .get("appearance_of_corruption")
        .and_then(Value::as_str)
        .unwrap_or("");
    q.push_str(&format!("&appearance_of_corruption={level}"));
    q
}

/// Reads the decision codes the result page carries.
fn page_decision(html: &str) -> (String, String, Vec<String>) {
    let attr = |name: &str| {
        let marker = format!("{name}=\"");
        let i = html
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in page:\n{html}"))
            + marker.len();
        html[i..].split('"').next().unwrap().to_string()
    };
    let obligations = attr("data-obligations")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    (attr("data-verdict"), attr("data-approver"), obligations)
}

fn codes(decision: &Value) -> (String, String, Vec<String>) {
    (
        decision["verdict"].as_str().unwrap().to_string(),
        decision["approver"].as_str().unwrap_or("").to_string(),
        decision["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap().to_string())
            .collect(),
    )
}

#[test]
fn cli_api_and_page_agree_on_every_shared_case() {
    let table: Vec<Value> = serde_json::from_str(include_str!(
        "../../domain/tests/fixtures/policy_cases.json"
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, PASSWORD).unwrap();
    let presets = [
        "leidschendam-voorburg",
        "maastricht",
        "dalfsen",
        "provincie-limburg",
    ];
    let mut tokens = Vec::new();
    for preset in presets {
        let email = format!("admin@{preset}.nl");
        let out = integer(dir.path())
            .args([
                "admin",
                "create",
                "--org",
                preset,
                "--org-name",
                preset,
                "--preset",
                preset,
            ])
            .args([
                "--email",
                &email,
                "--name",
                "Beheerder",
                "--password-file",
                pw.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = integer(dir.path())
            .args(["token", "create", "--org", preset, "--user", &email])
            .output()
            .unwrap();
        tokens.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    let (_server, base) = common::start_server(integer(dir.path()));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db_url = format!("sqlite://{}/integer.db", dir.path().display());
        integer_store::audit::use_test_key();
        let store = integer_store::Store::connect(&db_url, &Default::default())
            .await
            .unwrap();
        let api = reqwest::Client::new();
        // A signed-in browser per organisation.
        let mut browsers = Vec::new();
        for preset in presets {
            let c = common::signed_in(&base, preset, &format!("admin@{preset}.nl"), PASSWORD).await;
            browsers.push(c);
        }
        for (n, case) in table.iter().enumerate() {
            let preset = case["preset"].as_str().unwrap();
            let declaration = &case["declaration"];
            let idx = presets.iter().position(|p| *p == preset).unwrap();
            let expected = (
                case["expect"]["verdict"].as_str().unwrap().to_string(),
                case["expect"]["approver"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                case["expect"]["obligations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o.as_str().unwrap().to_string())
                    .collect::<Vec<_>>(),
            );

            let cli = cli_decision(dir.path(), preset, declaration);
            let api_answer: Value = api
                .post(format!("{base}/api/v1/policy/check"))
                .bearer_auth(&tokens[idx])
                .json(&json!({"org": preset, "declaration": declaration}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(
                cli, api_answer,
                "case {n}: CLI and API give the whole same decision"
            );

            // The page takes the employee's facts from the personnel record.
            let employee = declaration.get("employee").cloned().unwrap_or(json!({}));
            let mut conn = store.conn().await.unwrap();
            integer_store::testing::set_employee_facts(
                &mut conn,
                &format!("admin@{preset}.nl"),
                employee.get("salary_scale").and_then(Value::as_i64),
                employee
                    .get("top_official")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                employee
                    .get("designated_function")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            )
            .await;
            drop(conn);
            let r = browsers[idx]
                .get(format!("{base}/mag-dit/vragen?{}", web_query(declaration)))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "case {n}");
            let page = page_decision(&r.text().await.unwrap());

            assert_eq!(
                codes(&cli),
                expected,
                "case {n} ({preset}): CLI vs the table"
            );
            assert_eq!(page, expected, "case {n} ({preset}): page vs the table");
        }
    });
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (input, expect) in [
        ("{not json", "JSON"),
        (r#"{"kind":"bribe"}"#, "bribe"),
        (r#"{"kind":"gift","colour":"red"}"#, "colour"),
        (r#"{"kind":"gift","value_eur":-5}"#, "-5"),
    ] {
        let mut child = integer(dir.path())
            .args(["policy", "check", "--org", "dalfsen"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success(), "{input}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{input}: {err}");
    }
    let out = integer(dir.path())
        .args(["policy", "check", "--org", "atlantis"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown preset 'atlantis'"));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\nversion = 3\n[[rules]]\nid = \"a\"\n").unwrap();
    let out = integer(dir.path())
        .args(["policy", "validate", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:"), "located: {err}");
    let out = integer(dir.path())
        .args(["policy", "list"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
}
