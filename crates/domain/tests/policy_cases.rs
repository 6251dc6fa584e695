//! The shared decision table (fixtures/policy_cases.json): every case is
//! decided by the engine and must give the expected verdict, approver and
//! obligations. The CLI, API and web tests reuse the same table.

use integer_domain::policy::{bundled_preset, decide, declaration_from_value};
use serde_json::Value;

const CASES: &str = include_str!("fixtures/policy_cases.json");

#[test]
fn every_case_in_the_shared_table_decides_as_expected() {
    let cases: Vec<Value> = serde_json::from_str(CASES).expect("fixture is JSON");
    assert!(cases.len() > 100);
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let preset = bundled_preset(case["preset"].as_str().unwrap()).expect("known preset");
        let decl = declaration_from_value(&case["declaration"]).expect("valid declaration");
        let decision = decide(preset, &decl).to_json();
        let expect = &case["expect"];
        for key in ["verdict", "approver", "obligations"] {
            if decision[key] != expect[key] {
                failures.push(format!(
                    "case {i} ({} {}): {key} is {} but expected {} (rules {:?})",
                    case["preset"],
                    case["declaration"],
                    decision[key],
                    expect[key],
                    decide(preset, &decl).rule_ids
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_covers_every_preset_and_every_kind() {
    let cases: Vec<Value> = serde_json::from_str(CASES).unwrap();
    for preset in integer_domain::policy::preset_names() {
        for kind in integer_domain::policy::Kind::ALL {
            assert!(
                cases
                    .iter()
                    .any(|c| c["preset"] == preset && c["declaration"]["kind"] == kind.code()),
                "no case for {preset} {kind}"
            );
        }
    }
}
