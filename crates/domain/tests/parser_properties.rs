//! Property tests of every parser of outside input in the domain: the
//! people CSV, the policy-check JSON, preset TOML, receipt codes and return
//! paths. Whatever comes in: no panic, and every refusal is a message in
//! Dutch and English.
//!
//! CI runs the default number of cases per property (256); a longer run:
//! `PROPTEST_CASES=50000 cargo test -p integer-domain --test parser_properties`.

use integer_domain::case::normalize_receipt_code;
use integer_domain::i18n::{Catalog, Lang};
use integer_domain::import::parse_people_csv;
use integer_domain::policy::{Preset, bundled_preset_source, parse_declaration_json, preset_names};
use integer_domain::return_path::safe_return_path;
use proptest::prelude::*;

/// Both languages have the refusal's text (not the bare key).
fn explained(problem: &integer_domain::Problem) -> bool {
    let c = Catalog::bundled();
    c.has(Lang::Nl, problem.key) && c.has(Lang::En, problem.key)
}

/// Text that looks like input: the characters that break naive parsers.
fn tricky_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just(",".to_string()),
            Just(";".to_string()),
            Just("\"".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\u{feff}".to_string()),
            Just("=".to_string()),
            Just("é".to_string()),
            Just("\u{202e}".to_string()),
            Just(" ".to_string()),
            Just("\0".to_string()),
            "[a-zA-Z0-9@._-]{0,12}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

const CSV_HEADERS: &str = "personeelsnummer,naam,email,functie,schaal,dienstverband,eenheid,leidinggevende,in_dienst,uit_dienst,rollen";

proptest! {
    #[test]
    fn the_people_csv_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        match parse_people_csv(&bytes) {
            Ok(parsed) => {
                for e in &parsed.errors {
                    prop_assert!(explained(&e.problem), "{:?}", e.problem);
                }
            }
            Err(e) => prop_assert!(explained(&e.0), "{:?}", e.0),
        }
    }

    #[test]
    fn the_people_csv_explains_every_bad_line(rows in proptest::collection::vec(
        proptest::collection::vec(tricky_text(), 0..13), 0..8)) {
        let mut text = String::from(CSV_HEADERS);
        for row in &rows {
            text.push('\n');
            text.push_str(&row.join(","));
        }
        match parse_people_csv(text.as_bytes()) {
            Ok(parsed) => {
                for e in &parsed.errors {
                    prop_assert!(explained(&e.problem), "{:?}", e.problem);
                    prop_assert!(e.line >= 1, "{e:?}");
                }
            }
            Err(e) => prop_assert!(explained(&e.0), "{:?}", e.0),
        }
    }

    #[test]
    fn the_policy_check_json_never_panics(text in ".{0,300}") {
        if let Err(e) = parse_declaration_json(&text) {
            prop_assert!(!e.message_nl().is_empty() && !e.message_en().is_empty());
        }
    }

    #[test]
    fn the_policy_check_json_explains_bad_values(
        kind in prop_oneof![Just("gift"), Just("invitation"), Just("side_activity"), Just("nonsense"), Just("")],
        fields in proptest::collection::vec((
            prop_oneof![
                Just("value_eur".to_string()),
                Just("prior_permission".to_string()),
                Just("appearance".to_string()),
                Just("salary_scale".to_string()),
                Just("hours_per_week".to_string()),
                "[a-z_]{1,12}",
            ],
            prop_oneof![
                Just(serde_json::Value::Null),
                any::<bool>().prop_map(serde_json::Value::from),
                any::<i64>().prop_map(serde_json::Value::from),
                any::<f64>().prop_map(|f| serde_json::json!(f)),
                tricky_text().prop_map(serde_json::Value::from),
                Just(serde_json::json!([1, "x"])),
                Just(serde_json::json!({"a": {}})),
            ],
        ), 0..8),
    ) {
        let mut object = serde_json::Map::new();
        object.insert("kind".into(), kind.into());
        for (k, v) in fields {
            object.insert(k, v);
        }
        let text = serde_json::Value::Object(object).to_string();
        if let Err(e) = parse_declaration_json(&text) {
            prop_assert!(!e.message_nl().is_empty() && !e.message_en().is_empty());
        }
    }

    #[test]
    fn preset_toml_never_panics(text in ".{0,400}") {
        if let Err(e) = Preset::from_toml_str("proef", &text) {
            prop_assert!(!e.message_nl().is_empty() && !e.message_en().is_empty());
        }
    }

    /// A bundled preset with one line dropped or one character changed:
    /// accepted or refused with a message, never a panic.
    #[test]
    fn a_damaged_preset_is_refused_with_a_reason(
        which in 0..4usize,
        line in any::<prop::sample::Index>(),
        replacement in prop_oneof![Just(""), Just("="), Just("["), Just("\""), Just("x = ["), Just("verdict = \"maybe\"")],
    ) {
        let name = preset_names()[which];
        let source = bundled_preset_source(name).unwrap();
        let mut lines: Vec<&str> = source.lines().collect();
        let i = line.index(lines.len());
        lines[i] = replacement;
        let damaged = lines.join("\n");
        if let Err(e) = Preset::from_toml_str(name, &damaged) {
            prop_assert!(!e.message_nl().is_empty() && !e.message_en().is_empty());
        }
    }

    #[test]
    fn receipt_codes_are_read_or_refused(typed in ".{0,40}") {
        if let Some(code) = normalize_receipt_code(&typed) {
            prop_assert_eq!(code.len(), 20);
            prop_assert!(code.chars().all(|c| c.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn return_paths_stay_on_the_site(raw in prop_oneof![".{0,60}", "/[/\\\\%0-9a-fA-F.:? \t\n]{0,30}"]) {
        let safe = safe_return_path(&raw);
        prop_assert!(safe == raw || safe == "/");
        let mut chars = safe.chars();
        prop_assert_eq!(chars.next(), Some('/'));
        prop_assert!(!matches!(chars.next(), Some('/') | Some('\\')));
        prop_assert!(!safe.chars().any(|c| c.is_control() || c == '\\'));
    }
}
