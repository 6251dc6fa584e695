//! What a reporter is told about the reporting point, on the public form,
//! the staff form and the mailbox: how a report is handled and within
//! which terms, that it can also be made by phone or in a meeting, the
//! confidential counsellor, the external route, and the protection against
//! retaliation (Wbk art. 2 lid 2; directive 2019/1937 art. 9; every text
//! cites its own source).
//!
//! The defaults are data: one file per bundled preset in
//! `policies/meldpunt/<preset>.toml`, every text in Dutch and English with
//! its source (the law, the directive, the organisation's own regulation in
//! the seeds). `policies/meldpunt/wet.toml` holds the statutory baseline for
//! an organisation whose preset has no file of its own. An organisation
//! overrides a text in the database (the store's `meldpunt_info`); this
//! module checks such an override.

use crate::Problem;
use crate::case::code_list;
use crate::i18n::Lang;
use serde::Deserialize;

code_list!(
    /// The subjects a reporter is told about.
    InfoTopic {
        /// How a report is handled, by whom, and within which terms.
        Handling = "handling",
        /// Reporting by phone or in a meeting, on request, and how.
        Oral = "oral",
        /// The confidential counsellor and how to reach them.
        Counsellor = "counsellor",
        /// The external route: the Huis voor Klokkenluiders and the other
        /// competent authorities, also directly.
        External = "external",
        /// The protection against retaliation (*benadeling*) and where to
        /// turn when it happens.
        Protection = "protection",
    }
);

impl InfoTopic {
    /// The form field prefix (Dutch, like every form field).
    pub fn field(self) -> &'static str {
        match self {
            InfoTopic::Handling => "behandeling",
            InfoTopic::Oral => "mondeling",
            InfoTopic::Counsellor => "vertrouwenspersoon",
            InfoTopic::External => "extern",
            InfoTopic::Protection => "bescherming",
        }
    }

    /// The heading's translation key.
    pub fn title_key(self) -> String {
        format!("meldpunt-info-{}", self.code())
    }
}

/// One text in both languages, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub nl: String,
    pub en: String,
    /// Document and section, in Dutch.
    pub source: String,
    /// Document and section, in English.
    pub source_en: String,
}

impl Topic {
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }

    pub fn source(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.source,
            Lang::En => &self.source_en,
        }
    }
}

/// The default texts of one preset (`policies/meldpunt/<preset>.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeldpuntTexts {
    /// The preset's name (or `wet` for the statutory baseline).
    pub preset: String,
    pub handling: Topic,
    pub oral: Topic,
    pub counsellor: Topic,
    pub external: Topic,
    pub protection: Topic,
}

impl MeldpuntTexts {
    pub fn topic(&self, t: InfoTopic) -> &Topic {
        match t {
            InfoTopic::Handling => &self.handling,
            InfoTopic::Oral => &self.oral,
            InfoTopic::Counsellor => &self.counsellor,
            InfoTopic::External => &self.external,
            InfoTopic::Protection => &self.protection,
        }
    }
}

/// The name of the statutory baseline.
pub const BASELINE: &str = "wet";

const SOURCES: [(&str, &str); 5] = [
    (
        "leidschendam-voorburg",
        include_str!("../../../policies/meldpunt/leidschendam-voorburg.toml"),
    ),
    (
        "maastricht",
        include_str!("../../../policies/meldpunt/maastricht.toml"),
    ),
    (
        "dalfsen",
        include_str!("../../../policies/meldpunt/dalfsen.toml"),
    ),
    (
        "provincie-limburg",
        include_str!("../../../policies/meldpunt/provincie-limburg.toml"),
    ),
    (
        BASELINE,
        include_str!("../../../policies/meldpunt/wet.toml"),
    ),
];

/// Parses one file of defaults.
pub fn parse(source: &str) -> Result<MeldpuntTexts, String> {
    toml::from_str(source).map_err(|e| e.to_string())
}

fn all() -> &'static [MeldpuntTexts] {
    static PARSED: std::sync::OnceLock<Vec<MeldpuntTexts>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(name, src)| {
                let texts =
                    parse(src).unwrap_or_else(|e| panic!("policies/meldpunt/{name}.toml: {e}"));
                assert_eq!(texts.preset, *name, "policies/meldpunt/{name}.toml: preset");
                texts
            })
            .collect()
    })
}

/// The defaults of a preset; the statutory baseline for a preset without
/// a file of its own.
pub fn for_preset(preset: &str) -> &'static MeldpuntTexts {
    let all = all();
    all.iter()
        .find(|t| t.preset == preset)
        .or_else(|| all.iter().find(|t| t.preset == BASELINE))
        .expect("the statutory baseline is bundled")
}

/// The longest text an organisation may set for one topic and language.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The longest source an organisation may give.
pub const MAX_SOURCE_CHARS: usize = 300;

/// An organisation's own text for a topic, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub nl: String,
    pub en: String,
    /// Its source (the organisation's regulation and section), if given.
    pub source: String,
}

/// Checks an organisation's texts for one topic: both languages or
/// neither (then the preset's default applies), within the lengths.
/// Returns `None` for "use the default".
pub fn check_override(
    topic: InfoTopic,
    nl: &str,
    en: &str,
    source: &str,
) -> Result<Option<Override>, Vec<(String, Problem)>> {
    let (nl, en, source) = (nl.trim(), en.trim(), source.trim());
    let f = |suffix: &str| format!("{}-{suffix}", topic.field());
    let mut problems = Vec::new();
    if nl.is_empty() && en.is_empty() {
        if !source.is_empty() {
            problems.push((f("nl"), Problem::new("meldpunt-info-error-source-only")));
            return Err(problems);
        }
        return Ok(None);
    }
    for (lang, text) in [("nl", nl), ("en", en)] {
        if text.is_empty() {
            problems.push((f(lang), Problem::new("meldpunt-info-error-both")));
        } else if text.chars().count() > MAX_TEXT_CHARS {
            problems.push((
                f(lang),
                Problem::new("error-text-too-long").with("max", MAX_TEXT_CHARS.to_string()),
            ));
        }
    }
    if source.chars().count() > MAX_SOURCE_CHARS {
        problems.push((
            f("bron"),
            Problem::new("error-text-too-long").with("max", MAX_SOURCE_CHARS.to_string()),
        ));
    }
    if problems.is_empty() {
        Ok(Some(Override {
            nl: nl.to_string(),
            en: en.to_string(),
            source: source.to_string(),
        }))
    } else {
        Err(problems)
    }
}

/// A text's paragraphs (separated by a blank line).
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::BUNDLED_PRESETS;

    #[test]
    fn every_preset_has_every_text_in_both_languages_with_a_source() {
        for name in BUNDLED_PRESETS.iter().copied().chain([BASELINE]) {
            let texts = for_preset(name);
            assert_eq!(texts.preset, name, "{name} has a file of its own");
            for topic in InfoTopic::ALL {
                let t = texts.topic(*topic);
                for (what, value) in [
                    ("nl", &t.nl),
                    ("en", &t.en),
                    ("source", &t.source),
                    ("source_en", &t.source_en),
                ] {
                    assert!(
                        value.trim().chars().count() >= 20,
                        "{name} {}: {what} is missing or too short",
                        topic.code()
                    );
                    assert!(
                        value.chars().count() <= MAX_TEXT_CHARS,
                        "{name} {}: {what} is longer than an organisation may write",
                        topic.code()
                    );
                }
                // Dutch first, English second: not the same text twice.
                assert_ne!(t.nl.trim(), t.en.trim(), "{name} {}", topic.code());
            }
        }
    }

    #[test]
    fn the_law_is_cited_where_the_law_says_it() {
        for name in BUNDLED_PRESETS.iter().copied().chain([BASELINE]) {
            let t = for_preset(name);
            assert!(t.handling.source.contains("Wbk"), "{name}");
            assert!(t.handling.source.contains("2019/1937 art. 9"), "{name}");
            assert!(t.oral.source.contains("art. 18"), "{name}: minutes");
            assert!(
                t.counsellor.source.contains("Wbk art. 2 lid 2 sub g"),
                "{name}"
            );
            assert!(t.external.source.contains("Wbk art. 2c"), "{name}");
            assert!(t.external.source.contains("art. 10"), "{name}: directly");
            assert!(t.protection.source.contains("Wbk art. 17da"), "{name}");
            // The reporter may go to the Huis directly (directive art. 10),
            // also where an organisation's older code said otherwise.
            assert!(t.external.nl.contains("rechtstreeks"), "{name}");
            assert!(t.external.en.contains("directly"), "{name}");
            assert!(t.external.nl.contains("Huis voor Klokkenluiders"), "{name}");
        }
    }

    #[test]
    fn an_unknown_preset_gets_the_statutory_baseline() {
        assert_eq!(for_preset("waterschap-nergens").preset, BASELINE);
    }

    #[test]
    fn an_organisation_s_text_is_bilingual_or_left_to_the_default() {
        assert_eq!(check_override(InfoTopic::Oral, " ", "", ""), Ok(None));
        assert_eq!(
            check_override(
                InfoTopic::Oral,
                "Bel 14 043.",
                "Call 14 043.",
                "Regeling art. 4"
            ),
            Ok(Some(Override {
                nl: "Bel 14 043.".into(),
                en: "Call 14 043.".into(),
                source: "Regeling art. 4".into()
            }))
        );
        let e = check_override(InfoTopic::Oral, "Bel 14 043.", "", "").unwrap_err();
        assert_eq!(e[0].0, "mondeling-en");
        assert_eq!(e[0].1.key, "meldpunt-info-error-both");
        let e = check_override(InfoTopic::External, "", "", "Regeling").unwrap_err();
        assert_eq!(e[0].1.key, "meldpunt-info-error-source-only");
        let e = check_override(
            InfoTopic::Handling,
            &"x".repeat(MAX_TEXT_CHARS + 1),
            "y",
            &"z".repeat(MAX_SOURCE_CHARS + 1),
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["behandeling-nl", "behandeling-bron"]);
    }

    #[test]
    fn a_bad_file_is_refused_with_its_reason() {
        assert!(parse("preset = \"x\"").is_err());
        let mut one = include_str!("../../../policies/meldpunt/wet.toml").to_string();
        one.push_str("\n[extra]\nnl = \"a\"\n");
        assert!(parse(&one).unwrap_err().contains("extra"));
    }
}
