//! Bad input is rejected with a message that says what to fix, in Dutch and
//! English: malformed JSON, unknown kind or field, negative values, and
//! invalid preset files (with the location of the problem).

use integer_domain::policy::{
    DeclarationError, Preset, bundled_preset_source, parse_declaration_json,
};

fn err(json: &str) -> DeclarationError {
    parse_declaration_json(json).expect_err("must be rejected")
}

#[test]
fn malformed_json_names_line_and_column() {
    let e = err("{\"kind\": \"gift\",\n \"value_eur\": }");
    assert_eq!(e.code(), "malformed_json");
    assert!(
        matches!(e, DeclarationError::Malformed { line: 2, .. }),
        "{e:?}"
    );
    assert!(e.message_en().contains("line 2"));
    assert!(e.message_nl().contains("regel 2"));
    assert_eq!(err("[1, 2]").code(), "not_an_object");
    assert_eq!(err("").code(), "malformed_json");
}

#[test]
fn unknown_or_missing_kind_lists_the_kinds() {
    let e = err(r#"{"kind": "bribe"}"#);
    assert_eq!(
        e,
        DeclarationError::UnknownKind {
            kind: "bribe".into()
        }
    );
    assert!(e.message_en().contains("\"bribe\"") && e.message_en().contains("side_activity"));
    assert!(e.message_nl().contains("Onbekende soort"));
    assert_eq!(err(r#"{"value_eur": 3}"#), DeclarationError::MissingKind);
    assert_eq!(err(r#"{"kind": 3}"#).code(), "wrong_type");
}

#[test]
fn unknown_fields_are_errors_also_inside_employee() {
    let e = err(r#"{"kind": "gift", "valeu_eur": 30}"#);
    assert_eq!(
        e,
        DeclarationError::UnknownField {
            field: "valeu_eur".into()
        }
    );
    assert!(
        e.message_en().contains("value_eur"),
        "lists the known fields"
    );
    assert!(e.to_string().contains("Unknown field \"valeu_eur\""));
    let e = err(r#"{"kind": "gift", "employee": {"scale": 14}}"#);
    assert_eq!(e.field(), Some("employee.scale"));
}

#[test]
fn negative_values_are_rejected() {
    for field in ["value_eur", "hours_per_week", "months_since_departure"] {
        let e = err(&format!(r#"{{"kind": "gift", "{field}": -1}}"#));
        assert_eq!(e.code(), "negative_value");
        assert_eq!(e.field(), Some(field));
        assert!(e.message_nl().contains("niet negatief"));
    }
    let e = err(r#"{"kind": "side_activity", "employee": {"salary_scale": -14}}"#);
    assert_eq!(e.field(), Some("employee.salary_scale"));
    assert_eq!(
        err(r#"{"kind": "side_activity", "employee": {"salary_scale": 13.5}}"#).code(),
        "wrong_type"
    );
}

#[test]
fn wrong_types_and_values_say_what_is_expected() {
    let e = err(r#"{"kind": "gift", "prior_permission": "yes"}"#);
    assert!(e.message_en().contains("true or false"), "{e}");
    let e = err(r#"{"kind": "invitation", "appearance_of_corruption": "some"}"#);
    assert_eq!(e.code(), "invalid_value");
    assert!(e.message_en().contains("none, minimal, present"));
    // null is the same as absent.
    assert!(parse_declaration_json(r#"{"kind": "gift", "value_eur": null}"#).is_ok());
}

fn preset_err(source: &str) -> integer_domain::policy::PolicyError {
    Preset::from_toml_str("test", source).expect_err("must be rejected")
}

const MINIMAL: &str = r#"
[preset]
name = "test"
organisation = "Test"
version = "1"

[reporting]
channels = ["manager"]
violations_decided_by = "director"
cite = [{ document = "code", section = "1" }]
nl = "Meld bij je leidinggevende."
en = "Report to your manager."

[[rules]]
id = "all"
kinds = ["gift", "invitation", "trip", "facility", "side_activity", "financial_interest", "private_relationship", "private_use", "expense", "hire_former_employee", "data_leak"]
verdict = "not_allowed"
cite = [{ document = "code", section = "1" }]
nl = "Nee."
en = "No."

[[documents]]
id = "code"
title = "Code"

[[documents.sections]]
id = "1"
title = "Artikel 1"
text = "Alles is verboden."
"#;

#[test]
fn a_minimal_preset_loads() {
    let p = Preset::from_toml_str("test", MINIMAL).expect("valid");
    assert_eq!(p.rules.len(), 1);
}

#[test]
fn toml_syntax_errors_are_located() {
    let e = preset_err("[preset]\nname = \"test\"\nversion = \n");
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].line, Some(3));
    assert!(e.to_string().contains("3:"), "{e}");
}

#[test]
fn unknown_keys_in_a_preset_are_located() {
    let bad = MINIMAL.replace(
        "verdict = \"not_allowed\"",
        "verdict = \"not_allowed\"\nverdikt = \"x\"",
    );
    let e = preset_err(&bad);
    assert!(e.problems[0].reason_en.contains("verdikt"), "{e}");
    assert!(e.problems[0].line.is_some());
}

#[test]
fn a_citation_to_a_missing_section_is_located_by_key_path_and_line() {
    let bad = MINIMAL.replace(
        "verdict = \"not_allowed\"\ncite = [{ document = \"code\", section = \"1\" }]",
        "verdict = \"not_allowed\"\ncite = [{ document = \"code\", section = \"9.9\" }]",
    );
    let e = preset_err(&bad);
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    assert_eq!(p.path, "rules[0] (id `all`).cite[0]");
    assert_eq!(p.line, Some(18), "the line of the citation itself");
    assert!(
        p.reason_en
            .contains("section `9.9` does not exist in `code`")
    );
    assert!(p.reason_nl.contains("sectie `9.9` bestaat niet"));
}

#[test]
fn every_problem_is_reported_at_once() {
    let bad = MINIMAL
        .replace("verdict = \"not_allowed\"", "verdict = \"maybe\"\napprover = \"boss\"\nobligations = [\"pray\"]\nwhen = { colour = true, value_eur = 5 }")
        .replace("channels = [\"manager\"]", "channels = [\"mayor\"]");
    let e = preset_err(&bad);
    let all = e.message_en();
    for needle in [
        "unknown verdict `maybe`",
        "unknown approver `boss`",
        "unknown obligation `pray`",
        "unknown field `colour`",
        "`value_eur` must be a table",
        "unknown role `mayor`",
    ] {
        assert!(all.contains(needle), "missing {needle} in {all}");
    }
    assert!(e.message_nl().contains("onbekend verdict `maybe`"));
}

#[test]
fn a_kind_without_a_catch_all_and_unreachable_rules_are_errors() {
    let bad = MINIMAL.replace(
        "kinds = [\"gift\", \"invitation\"",
        "when = { paid = true }\nkinds = [\"gift\", \"invitation\"",
    );
    let e = preset_err(&bad);
    assert!(
        e.message_en()
            .contains("no rule decides `gift` in every case"),
        "{e}"
    );
    let twice = format!(
        "{MINIMAL}\n[[rules]]\nid = \"late\"\nkinds = [\"gift\"]\nverdict = \"allowed\"\ncite = [{{ document = \"code\", section = \"1\" }}]\nnl = \"Ja.\"\nen = \"Yes.\"\n"
    );
    // The appended rule lands after [[documents]]; TOML still attaches it to `rules`.
    let e = preset_err(&twice);
    assert!(
        e.message_en()
            .contains("rule `late` can never apply to `gift`"),
        "{e}"
    );
}

#[test]
fn the_preset_name_must_match() {
    let source = bundled_preset_source("dalfsen").unwrap();
    let e = Preset::from_toml_str("dalfsen-copy", source).expect_err("name differs");
    assert!(e.message_en().contains("make them equal"));
}

#[test]
fn a_silent_rule_may_not_decide() {
    let bad = MINIMAL.replace(
        "verdict = \"not_allowed\"",
        "silent = true\nverdict = \"not_allowed\"",
    );
    let e = preset_err(&bad);
    assert!(
        e.message_en().contains("a silent rule has no verdict"),
        "{e}"
    );
}

#[test]
fn an_item_must_be_one_of_the_known_things() {
    let e = err(r#"{"kind": "private_use", "item": "yacht"}"#);
    assert_eq!(e.code(), "invalid_value");
    assert!(e.message_en().contains("service_car"), "{e}");
    assert_eq!(
        err(r#"{"kind": "private_use", "item": 3}"#).code(),
        "wrong_type"
    );
    let ok = parse_declaration_json(r#"{"kind": "private_use", "item": "mobile_phone"}"#).unwrap();
    assert_eq!(ok.item.as_deref(), Some("mobile_phone"));
}

#[test]
fn conditions_on_items_and_lists_are_checked() {
    let bad = MINIMAL.replace(
        "verdict = \"not_allowed\"",
        "when = { item = \"yacht\", restricted_interest = \"bouw\" }\nverdict = \"not_allowed\"",
    );
    let e = preset_err(&bad);
    let all = e.message_en();
    assert!(all.contains("`item` must be one of mobile_phone"), "{all}");
    assert!(
        all.contains("`restricted_interest` must be { listed = true }"),
        "{all}"
    );
}

#[test]
fn an_addition_says_why_and_only_on_a_deciding_rule() {
    let bad = MINIMAL.replace(
        "verdict = \"not_allowed\"",
        "silent = true\naddition = { nl = \"Omdat.\", en = \"Because.\" }",
    );
    let e = preset_err(&bad);
    assert!(
        e.message_en()
            .contains("a silent rule cannot be an addition"),
        "{e}"
    );
    let empty = MINIMAL.replace(
        "verdict = \"not_allowed\"",
        "verdict = \"not_allowed\"\naddition = { nl = \"\", en = \"Because.\" }",
    );
    let e = preset_err(&empty);
    assert!(
        e.message_en().contains("Dutch (`nl`) and English (`en`)"),
        "{e}"
    );
    assert!(e.problems[0].path.ends_with(".addition"), "{e}");
}

#[test]
fn restricted_interests_need_an_id_of_their_own_and_a_citation() {
    let bad = format!(
        "{MINIMAL}\n[[restricted_interests]]\nid = \"bouw\"\nnl = \"Aandelen in bouwbedrijven\"\nen = \"Shares in construction companies\"\n\n[[restricted_interests]]\nid = \"bouw\"\nnl = \"Nog eens\"\nen = \"Again\"\ncite = [{{ document = \"code\", section = \"1\" }}]\n"
    );
    let e = preset_err(&bad);
    let all = e.message_en();
    assert!(all.contains("cite where the employer designated"), "{all}");
    assert!(all.contains("`bouw` is empty or used twice"), "{all}");
    assert!(e.message_nl().contains("verwijs naar waar de werkgever"));
}

#[test]
fn a_questionnaire_answers_a_yes_no_question_of_a_known_kind() {
    let bad = format!(
        "{MINIMAL}\n[[questionnaires]]\nkind = \"hobby\"\nfield = \"value_eur\"\ntitle = {{ nl = \"T\", en = \"T\" }}\nintro = {{ nl = \"I\", en = \"I\" }}\nquestions = []\n"
    );
    let e = preset_err(&bad);
    let all = e.message_en();
    for needle in [
        "unknown kind `hobby`",
        "`value_eur` is not a yes/no question",
        "at least one question",
        "cite the section the questions come from",
    ] {
        assert!(all.contains(needle), "missing {needle} in {all}");
    }
}
