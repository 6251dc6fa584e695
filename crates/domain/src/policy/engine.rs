//! The decision engine: a pure function from (preset, declaration) to a
//! decision. It knows no organisation; everything that differs between
//! organisations is in the preset.
//!
//! Rules for the declaration's kind are walked in order. A matching rule
//! contributes its verdict, approver, obligations, citations and text; a
//! rule with `continue = true` lets the walk go on, any other matching rule
//! ends it. A matching `silent` rule hands the rest of the walk to the
//! Ambtenarenwet baseline. The verdict is the strictest one contributed.

use serde::{Deserialize, Serialize};

use super::condition::Test;
use super::declaration::Declaration;
use super::preset::{Bilingual, Outcome, Preset, Rule};
use super::text::Citation;
use super::vocab::{Approver, Obligation, Verdict};

/// The explanation of a decision in plain words, in Dutch and English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub nl: String,
    pub en: String,
}

/// The decision, serialised exactly as the JSON contract of issue 3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub approver: Option<Approver>,
    pub obligations: Vec<Obligation>,
    pub citations: Vec<Citation>,
    pub explanation: Explanation,
    pub preset_version: String,
    /// Ids of the rules that decided, in order (not part of the JSON).
    #[serde(skip)]
    pub rule_ids: Vec<String>,
    /// Whether the Ambtenarenwet baseline decided (not part of the JSON).
    #[serde(skip)]
    pub used_baseline: bool,
    /// The reasons of the rules that decided and are the organisation's
    /// own additions, not rules the cited code states (not part of the
    /// JSON; the explanation says it in words).
    #[serde(skip)]
    pub additions: Vec<Bilingual>,
    /// The explanation without the notes on additions, for a page that
    /// shows `additions` on their own (not part of the JSON).
    #[serde(skip)]
    pub rules_explanation: Explanation,
}

const BASELINE_NL: &str = "Daarom geldt de wettelijke basisregel:";
const BASELINE_EN: &str = "So the statutory baseline applies:";
/// For a kind the preset has no rule for at all.
const NO_RULE_NL: &str = "Deze gedragsregels zeggen hier niets over.";
const NO_RULE_EN: &str = "These rules of conduct say nothing about this.";
const ADDITION_NL: &str = "Dit is een eigen aanvulling van de organisatie; de aangehaalde tekst zegt het niet zelf. Waarom:";
const ADDITION_EN: &str =
    "This is the organisation's own addition; the cited text does not say it itself. Why:";
const LISTED_NL: &str = "Op de lijst van de werkgever:";
const LISTED_EN: &str = "On the employer's list:";

enum Walk<'a> {
    /// A final rule matched.
    Decided,
    /// A silent rule matched: the baseline takes over.
    Silent(&'a Rule),
    /// No final rule matched (validation makes this unreachable).
    Exhausted,
}

fn walk<'a>(
    preset: &'a Preset,
    decl: &Declaration,
    listed: &[&str],
    matched: &mut Vec<&'a Rule>,
) -> Walk<'a> {
    for rule in preset.rules_for(decl.kind) {
        if !rule.when.iter().all(|c| c.matches_with(decl, listed)) {
            continue;
        }
        if rule.outcome == Outcome::Silent {
            return Walk::Silent(rule);
        }
        matched.push(rule);
        if !rule.continues {
            return Walk::Decided;
        }
    }
    Walk::Exhausted
}

/// Decides a declaration under a preset.
pub fn decide(preset: &Preset, decl: &Declaration) -> Decision {
    // The organisation's own list is what `listed` tests look in, also in
    // the baseline (Ambtenarenwet art. 8(1)(d) forbids what the employer
    // designated).
    let listed: Vec<&str> = preset
        .restricted_interests
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    let mut own = Vec::new();
    let mut fallback = Vec::new();
    let silent = match walk(preset, decl, &listed, &mut own) {
        Walk::Decided => None,
        Walk::Silent(rule) => Some(Some(rule)),
        Walk::Exhausted => Some(None),
    };
    if silent.is_some() {
        walk(super::bundled::baseline(), decl, &listed, &mut fallback);
    }
    // The list entry a matching `listed` test found: named in the
    // explanation and cited.
    let entry = decl
        .restricted_interest
        .as_deref()
        .and_then(|id| preset.restricted_interest(id))
        .filter(|_| {
            own.iter().chain(fallback.iter()).any(|r| {
                r.when
                    .iter()
                    .any(|c| c.field == "restricted_interest" && c.test == Test::Listed(true))
            })
        });

    let contributions = own
        .iter()
        .chain(fallback.iter())
        .filter_map(|r| match &r.outcome {
            Outcome::Decide {
                verdict,
                approver,
                obligations,
            } => Some((*r, *verdict, *approver, obligations)),
            Outcome::Silent => None,
        });
    let mut verdict = Verdict::Allowed;
    let mut approvers = Vec::new();
    let mut obligations = Vec::new();
    let mut citations = Vec::new();
    let mut rule_ids = Vec::new();
    for (rule, v, a, obs) in contributions {
        verdict = verdict.max(v);
        approvers.push((v, a));
        for o in obs {
            if !obligations.contains(o) {
                obligations.push(*o);
            }
        }
        for c in &rule.citations {
            if !citations.contains(c) {
                citations.push(c.clone());
            }
        }
        rule_ids.push(rule.id.clone());
    }
    if let Some(entry) = entry {
        for c in &entry.citations {
            if !citations.contains(c) {
                citations.push(c.clone());
            }
        }
    }
    // The approver of the strictest contribution; failing that, any named one.
    let approver = approvers
        .iter()
        .find(|(v, a)| *v == verdict && a.is_some())
        .or_else(|| approvers.iter().find(|(_, a)| a.is_some()))
        .and_then(|(_, a)| *a);

    // Each sentence, and whether it is a note on an addition.
    let mut nl: Vec<(String, bool)> = Vec::new();
    let mut en: Vec<(String, bool)> = Vec::new();
    let mut additions = Vec::new();
    let mut say = |r: &Rule, nl: &mut Vec<(String, bool)>, en: &mut Vec<(String, bool)>| {
        nl.push((r.nl.trim().to_owned(), false));
        en.push((r.en.trim().to_owned(), false));
        if let Some(why) = &r.addition {
            nl.push((format!("({ADDITION_NL} {})", why.nl), true));
            en.push((format!("({ADDITION_EN} {})", why.en), true));
            additions.push(why.clone());
        }
    };
    for r in &own {
        say(r, &mut nl, &mut en);
    }
    if let Some(note) = silent {
        match note {
            Some(rule) => {
                nl.push((rule.nl.trim().to_owned(), false));
                en.push((rule.en.trim().to_owned(), false));
            }
            None => {
                nl.push((NO_RULE_NL.to_owned(), false));
                en.push((NO_RULE_EN.to_owned(), false));
            }
        }
        nl.push((BASELINE_NL.to_owned(), false));
        en.push((BASELINE_EN.to_owned(), false));
        for r in &fallback {
            say(r, &mut nl, &mut en);
        }
    }
    if let Some(entry) = entry {
        nl.push((format!("{LISTED_NL} {}", entry.text.nl), false));
        en.push((format!("{LISTED_EN} {}", entry.text.en), false));
    }

    Decision {
        verdict,
        approver,
        obligations,
        citations,
        explanation: Explanation {
            nl: join(&nl, true),
            en: join(&en, true),
        },
        rules_explanation: Explanation {
            nl: join(&nl, false),
            en: join(&en, false),
        },
        preset_version: preset.version.clone(),
        rule_ids,
        used_baseline: silent.is_some(),
        additions,
    }
}

/// The sentences joined, with or without the notes on additions.
fn join(sentences: &[(String, bool)], with_additions: bool) -> String {
    sentences
        .iter()
        .filter(|(_, note)| with_additions || !note)
        .map(|(s, _)| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Decision {
    /// The decision as the JSON value of the contract.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
