//! Properties that hold for every preset: raising a gift's value never makes
//! the verdict more permissive; intent to influence is always refused; a
//! data leak is always a report to the manager with the AVG's duties; every
//! decision cites text that exists and explains itself in both languages.

use integer_domain::policy::{
    Approver, Declaration, Kind, Obligation, Verdict, bundled_presets, decide,
    declaration_from_value,
};
use serde_json::{Map, Value, json};

const FLAGS: [&str; 39] = [
    "sent_to_home_address",
    "procurement_ongoing",
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
    "intent_to_influence",
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
    "top_official",
    "designated_function",
    "value_known",
];

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bit(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

fn random_declaration(rng: &mut XorShift, kind: Kind) -> Declaration {
    let mut obj = Map::new();
    obj.insert("kind".into(), json!(kind.code()));
    let mut employee = Map::new();
    for flag in FLAGS {
        let on = rng.bit();
        match flag {
            "top_official" | "designated_function" => {
                employee.insert(flag.into(), json!(on));
            }
            "value_known" if on => {
                obj.insert("value_eur".into(), json!((rng.next() % 200) as f64));
            }
            "value_known" => {}
            _ => {
                obj.insert(flag.into(), json!(on));
            }
        }
    }
    if rng.bit() {
        employee.insert("salary_scale".into(), json!(rng.next() % 18));
    }
    if rng.bit() {
        obj.insert("months_since_departure".into(), json!(rng.next() % 48));
    }
    if rng.bit() {
        obj.insert("people_affected".into(), json!(rng.next() % 5000));
    }
    if rng.bit() {
        let items = integer_domain::policy::ITEMS;
        obj.insert(
            "item".into(),
            json!(items[(rng.next() % items.len() as u64) as usize]),
        );
    }
    let levels = ["none", "minimal", "present"];
    if rng.bit() {
        obj.insert(
            "appearance_of_corruption".into(),
            json!(levels[(rng.next() % 3) as usize]),
        );
    }
    obj.insert("employee".into(), Value::Object(employee));
    declaration_from_value(&Value::Object(obj)).expect("generated declarations are valid")
}

#[test]
fn raising_a_gifts_value_never_makes_the_verdict_more_permissive() {
    let values = [
        0.0, 1.0, 10.0, 29.99, 30.0, 49.0, 49.99, 50.0, 50.01, 51.0, 75.0, 100.0, 1e6,
    ];
    let gift_flags = [
        "sent_to_home_address",
        "procurement_ongoing",
        "refusal_would_offend",
        "refusal_impractical",
        "customary_thank_you",
        "prior_permission",
    ];
    for preset in bundled_presets() {
        for mask in 0..(1u32 << gift_flags.len()) {
            let mut previous = Verdict::Allowed;
            for value in values {
                let mut decl = Declaration::new(Kind::Gift);
                decl.value_eur = Some(value);
                let mut obj = serde_json::to_value(&decl).unwrap();
                for (i, flag) in gift_flags.iter().enumerate() {
                    obj[*flag] = json!(mask & (1 << i) != 0);
                }
                let decl = declaration_from_value(&obj).unwrap();
                let verdict = decide(preset, &decl).verdict;
                assert!(
                    verdict >= previous,
                    "{}: raising the value to {value} with {obj} went from {previous} to {verdict}",
                    preset.name
                );
                previous = verdict;
            }
        }
    }
}

#[test]
fn the_verdict_order_is_not_allowed_over_approval_over_report_over_allowed() {
    assert!(Verdict::NotAllowed > Verdict::ApprovalRequired);
    assert!(Verdict::ApprovalRequired > Verdict::Report);
    assert!(Verdict::Report > Verdict::Allowed);
}

#[test]
fn intent_to_influence_is_always_not_allowed() {
    let mut rng = XorShift(0x1234_5678_9abc_def1);
    for preset in bundled_presets() {
        // A data leak is a notification of something that happened, and
        // using information or software is not an offer; nobody is being
        // influenced.
        let not_offers = [Kind::DataLeak, Kind::Information, Kind::SoftwareContent];
        for &kind in Kind::ALL.iter().filter(|k| !not_offers.contains(k)) {
            for _ in 0..200 {
                let mut decl = random_declaration(&mut rng, kind);
                decl.intent_to_influence = true;
                let decision = decide(preset, &decl);
                assert_eq!(
                    decision.verdict,
                    Verdict::NotAllowed,
                    "{} {decl:?}",
                    preset.name
                );
            }
        }
    }
}

#[test]
fn a_data_leak_is_always_reported_to_the_manager_with_the_avg_duties() {
    let mut rng = XorShift(0xda7a_1eac_0000_0033);
    for preset in bundled_presets() {
        for _ in 0..300 {
            let decl = random_declaration(&mut rng, Kind::DataLeak);
            let d = decide(preset, &decl);
            assert_eq!(d.verdict, Verdict::Report, "{} {decl:?}", preset.name);
            assert_eq!(d.approver, Some(Approver::Manager), "{}", preset.name);
            for o in [
                Obligation::ReportImmediately,
                Obligation::NotifyAuthority,
                Obligation::Register,
            ] {
                assert!(d.obligations.contains(&o), "{}: {o} missing", preset.name);
            }
            assert_eq!(
                d.obligations.contains(&Obligation::LimitDamage),
                !decl.contained,
                "{}",
                preset.name
            );
            assert_eq!(
                d.obligations.contains(&Obligation::InformDataSubjects),
                decl.sensitive_data,
                "{}",
                preset.name
            );
            assert!(
                d.citations
                    .iter()
                    .any(|c| c.document == "algemene-verordening-gegevensbescherming"
                        && c.section == "33.1"),
                "{}",
                preset.name
            );
        }
    }
}

#[test]
fn every_decision_cites_existing_text_and_explains_itself() {
    let mut rng = XorShift(0x0ddb_a11c_afe0_0001);
    for preset in bundled_presets() {
        for &kind in Kind::ALL {
            for _ in 0..300 {
                let decl = random_declaration(&mut rng, kind);
                let d = decide(preset, &decl);
                assert!(!d.citations.is_empty(), "{} {decl:?}", preset.name);
                for c in &d.citations {
                    assert!(preset.resolve(c).is_some(), "{}: {c:?}", preset.name);
                }
                assert!(!d.explanation.nl.is_empty() && !d.explanation.en.is_empty());
                assert_eq!(d.preset_version, preset.version);
                assert!(!d.rule_ids.is_empty());
                if d.used_baseline {
                    assert!(
                        d.explanation.nl.contains("wettelijke basisregel"),
                        "{}",
                        d.explanation.nl
                    );
                    assert!(
                        d.explanation.en.contains("statutory baseline"),
                        "{}",
                        d.explanation.en
                    );
                }
                // A verdict that needs someone names them.
                if d.verdict == Verdict::ApprovalRequired {
                    assert!(d.approver.is_some(), "{} {decl:?}", preset.name);
                }
            }
        }
    }
}
