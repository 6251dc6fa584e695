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

/// Every rule of every bundled preset is exercised by the table: a case it
/// decides (or, for a silent rule, a case it hands to the baseline), and,
/// for a rule with conditions, a case of the same kind it does not decide.
/// A rule that tests the organisation's own list of restricted interests
/// can only fire when the list has entries; the bundled presets have none
/// (the seeds give no list), so policy_scenarios.rs covers those with a
/// list of its own.
#[test]
fn every_rule_of_every_preset_is_exercised_both_ways() {
    use integer_domain::policy::{Outcome, Test};
    let cases: Vec<Value> = serde_json::from_str(CASES).unwrap();
    let decided: Vec<(String, String, integer_domain::policy::Decision)> = cases
        .iter()
        .map(|case| {
            let name = case["preset"].as_str().unwrap().to_string();
            let preset = bundled_preset(&name).unwrap();
            let decl = declaration_from_value(&case["declaration"]).unwrap();
            (name, decl.kind.code().to_string(), decide(preset, &decl))
        })
        .collect();
    let mut missing = Vec::new();
    for name in integer_domain::policy::preset_names() {
        let preset = bundled_preset(name).unwrap();
        for rule in &preset.rules {
            let listed = rule.when.iter().any(|c| c.test == Test::Listed(true));
            if listed && preset.restricted_interests.is_empty() {
                continue;
            }
            let fires = |d: &integer_domain::policy::Decision| match rule.outcome {
                Outcome::Silent => d.used_baseline && d.explanation.nl.contains(rule.nl.trim()),
                Outcome::Decide { .. } => d.rule_ids.contains(&rule.id),
            };
            let same_kind = |(p, k, _): &&(String, String, _)| {
                p == name && rule.kinds.iter().any(|kind| kind.code() == k)
            };
            if !decided.iter().filter(same_kind).any(|(_, _, d)| fires(d)) {
                missing.push(format!("{name}: no case is decided by `{}`", rule.id));
            }
            if !rule.when.is_empty() && !decided.iter().filter(same_kind).any(|(_, _, d)| !fires(d))
            {
                missing.push(format!(
                    "{name}: every case of its kind is decided by `{}`",
                    rule.id
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
