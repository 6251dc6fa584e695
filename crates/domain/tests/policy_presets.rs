//! The bundled presets load, validate, and every citation resolves to text.

use integer_domain::policy::{
    BASELINE_NAME, Kind, Outcome, Preset, baseline, bundled_preset, bundled_preset_source,
    bundled_presets, preset_names,
};

#[test]
fn the_four_presets_are_bundled_under_their_names() {
    assert_eq!(
        preset_names(),
        [
            "leidschendam-voorburg",
            "maastricht",
            "dalfsen",
            "provincie-limburg"
        ]
    );
    assert_eq!(bundled_presets().len(), 4);
    for name in preset_names() {
        let preset = bundled_preset(name).expect("bundled");
        assert_eq!(preset.name, name);
        assert!(!preset.version.is_empty());
        assert_eq!(preset.digest.len(), 64);
        // The source re-parses to the same preset: what the editor starts from is what runs.
        let source = bundled_preset_source(name).expect("source");
        assert_eq!(&Preset::from_toml_str(name, source).expect("valid"), preset);
    }
    assert!(bundled_preset("utrecht").is_none());
    assert_eq!(baseline().name, BASELINE_NAME);
}

#[test]
fn every_citation_of_every_preset_names_an_existing_section() {
    for preset in bundled_presets().iter().chain([baseline()]) {
        let mut count = 0;
        for citation in preset.citations() {
            let section = preset.resolve(citation).unwrap_or_else(|| {
                panic!("{}: citation {:?} does not resolve", preset.name, citation)
            });
            assert!(!section.text.trim().is_empty());
            count += 1;
        }
        assert!(count > 5, "{} cites too little", preset.name);
    }
}

#[test]
fn every_deciding_rule_cites_and_explains_in_both_languages() {
    for preset in bundled_presets().iter().chain([baseline()]) {
        for rule in &preset.rules {
            assert!(
                !rule.nl.trim().is_empty() && !rule.en.trim().is_empty(),
                "{}",
                rule.id
            );
            match rule.outcome {
                Outcome::Decide { .. } => assert!(!rule.citations.is_empty(), "{}", rule.id),
                Outcome::Silent => assert!(rule.citations.is_empty(), "{}", rule.id),
            }
        }
    }
}

#[test]
fn every_preset_cites_its_own_seed_for_every_kind_it_does_not_leave_to_the_baseline() {
    for preset in bundled_presets() {
        let own: Vec<&str> = preset.documents.iter().map(|d| d.id.as_str()).collect();
        for &kind in Kind::ALL {
            let rules: Vec<_> = preset.rules_for(kind).collect();
            assert!(!rules.is_empty(), "{} has no rule for {kind}", preset.name);
            let silent = rules
                .iter()
                .any(|r| r.outcome == Outcome::Silent && r.when.is_empty());
            if !silent {
                assert!(
                    rules.iter().any(|r| r
                        .citations
                        .iter()
                        .any(|c| own.contains(&c.document.as_str()))),
                    "{}: no rule for {kind} cites the seed",
                    preset.name
                );
            }
        }
    }
}

#[test]
fn reporting_channels_and_who_decides_differ_per_organisation() {
    use integer_domain::policy::Role::*;
    let r = |name| bundled_preset(name).unwrap().reporting.clone().unwrap();
    assert_eq!(r("maastricht").managers_report_to, Some(IntegrityOffice));
    assert_eq!(r("maastricht").violations_decided_by, Director);
    assert_eq!(
        r("leidschendam-voorburg").channels,
        vec![Manager, IntegrityOffice]
    );
    assert_eq!(r("dalfsen").violations_decided_by, Board);
    assert_eq!(r("dalfsen").managers_report_to, None);
    assert!(r("dalfsen").channels.contains(&ConfidentialCounsellor));
    assert_eq!(r("provincie-limburg").managers_report_to, Some(Director));
    assert_eq!(r("provincie-limburg").channels, vec![Manager, Director]);
}

#[test]
fn the_bundled_text_can_be_read_and_searched() {
    let m = bundled_preset("maastricht").unwrap();
    let gifts = m
        .section("maastricht-gedragscode-ambtelijke-organisatie", "3.2")
        .unwrap();
    assert!(gifts.text.contains("minder dan 50 euro"));
    // OCR slips are corrected in the bundled text.
    for preset in bundled_presets() {
        for (_, s) in preset.sections() {
            for slip in [
                "ledereen",
                "belangenverstremgeling",
                "PRAKTHK",
                "financiéle",
                "Funcities",
            ] {
                assert!(
                    !s.text.contains(slip),
                    "{}: {} contains {slip}",
                    preset.name,
                    s.id
                );
            }
        }
    }
    let hits = m.search("AANHANGWAGEN");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].section.id, "5.uitleg");
    assert!(hits[0].snippet.to_lowercase().contains("aanhangwagen"));
    let lv = bundled_preset("leidschendam-voorburg").unwrap();
    assert!(
        lv.search("privé terreinen")
            .iter()
            .any(|h| h.section.id == "3.nevenfuncties")
    );
    assert!(lv.search("   ").is_empty());
    // The baseline's law texts resolve from every preset.
    assert!(lv.section("ambtenarenwet-2017", "8.1.e").is_some());
}
