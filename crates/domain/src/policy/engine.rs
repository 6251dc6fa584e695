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

use super::declaration::Declaration;
use super::preset::{Outcome, Preset, Rule};
use super::text::Citation;
use super::vocab::{Approver, Obligation, Verdict};

/// The explanation of a decision in plain words, in Dutch and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

const BASELINE_NL: &str = "Daarom geldt de wettelijke basisregel:";
const BASELINE_EN: &str = "So the statutory baseline applies:";

enum Walk<'a> {
    /// A final rule matched.
    Decided,
    /// A silent rule matched: the baseline takes over.
    Silent(&'a Rule),
    /// No final rule matched (validation makes this unreachable).
    Exhausted,
}

fn walk<'a>(preset: &'a Preset, decl: &Declaration, matched: &mut Vec<&'a Rule>) -> Walk<'a> {
    for rule in preset.rules_for(decl.kind) {
        if !rule.when.iter().all(|c| c.matches(decl)) {
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
    let mut own = Vec::new();
    let mut fallback = Vec::new();
    let silent = match walk(preset, decl, &mut own) {
        Walk::Decided => None,
        Walk::Silent(rule) => Some(Some(rule)),
        Walk::Exhausted => Some(None),
    };
    if silent.is_some() {
        walk(super::bundled::baseline(), decl, &mut fallback);
    }

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
    // The approver of the strictest contribution; failing that, any named one.
    let approver = approvers
        .iter()
        .find(|(v, a)| *v == verdict && a.is_some())
        .or_else(|| approvers.iter().find(|(_, a)| a.is_some()))
        .and_then(|(_, a)| *a);

    let mut nl = Vec::new();
    let mut en = Vec::new();
    for r in &own {
        nl.push(r.nl.trim());
        en.push(r.en.trim());
    }
    if let Some(note) = silent {
        if let Some(rule) = note {
            nl.push(rule.nl.trim());
            en.push(rule.en.trim());
        }
        nl.push(BASELINE_NL);
        en.push(BASELINE_EN);
        for r in &fallback {
            nl.push(r.nl.trim());
            en.push(r.en.trim());
        }
    }

    Decision {
        verdict,
        approver,
        obligations,
        citations,
        explanation: Explanation {
            nl: nl.join(" "),
            en: en.join(" "),
        },
        preset_version: preset.version.clone(),
        rule_ids,
        used_baseline: silent.is_some(),
    }
}

impl Decision {
    /// The decision as the JSON value of the contract.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
