//! A validated policy preset: one organisation's code of conduct as rules
//! the engine runs, plus the code's text that the rules cite.

use super::condition::Condition;
use super::text::{Citation, Document, SearchHit, Section, search};
use super::vocab::{Approver, Kind, Obligation, Role, Verdict};

/// What a rule does when its conditions match.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The rule decides (or, with `continue`, contributes to) the decision.
    Decide {
        verdict: Verdict,
        approver: Option<Approver>,
        obligations: Vec<Obligation>,
    },
    /// The code of conduct is silent here: the engine falls back to the
    /// Ambtenarenwet baseline and says so.
    Silent,
}

/// One rule of a preset.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub kinds: Vec<Kind>,
    /// All must match (an empty list always matches).
    pub when: Vec<Condition>,
    pub outcome: Outcome,
    /// When true the engine keeps evaluating later rules after this one.
    pub continues: bool,
    pub citations: Vec<Citation>,
    pub nl: String,
    pub en: String,
}

impl Rule {
    pub fn applies_to(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }

    /// A rule without conditions that stops evaluation: the catch-all.
    pub fn is_catch_all(&self) -> bool {
        self.when.is_empty() && !self.continues
    }
}

/// Where to report suspected wrongdoing and who decides on a violation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reporting {
    /// Where an employee reports a suspected violation.
    pub channels: Vec<Role>,
    /// Where an employee can go for advice.
    pub advice: Vec<Role>,
    /// Where managers must pass suspected violations on; `None` when the
    /// code of conduct does not say.
    pub managers_report_to: Option<Role>,
    pub violations_decided_by: Role,
    pub citations: Vec<Citation>,
    pub nl: String,
    pub en: String,
}

/// A validated preset. Build one with [`Preset::from_toml_str`] or take a
/// bundled one from [`super::bundled_preset`].
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub name: String,
    pub organisation: String,
    pub version: String,
    pub reporting: Option<Reporting>,
    pub rules: Vec<Rule>,
    pub documents: Vec<Document>,
    /// SHA-256 of the source text, hex: identifies the exact file a stored
    /// decision used, even if someone forgot to bump `version`.
    pub digest: String,
}

impl Preset {
    /// The rules that apply to `kind`, in evaluation order.
    pub fn rules_for(&self, kind: Kind) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.applies_to(kind))
    }

    /// The sections of this preset's own documents.
    pub fn sections(&self) -> impl Iterator<Item = (&Document, &Section)> {
        self.documents
            .iter()
            .flat_map(|d| d.sections.iter().map(move |s| (d, s)))
    }

    /// A section by document and id: this preset's documents first, then the
    /// Ambtenarenwet baseline (which every preset may cite).
    pub fn section(&self, document: &str, id: &str) -> Option<&Section> {
        self.documents
            .iter()
            .chain(super::bundled::baseline().documents.iter())
            .find(|d| d.id == document)
            .and_then(|d| d.section(id))
    }

    /// The section a citation points to.
    pub fn resolve(&self, citation: &Citation) -> Option<&Section> {
        self.section(&citation.document, &citation.section)
    }

    /// Case-insensitive search over this preset's own documents.
    pub fn search(&self, query: &str) -> Vec<SearchHit<'_>> {
        search(&self.documents, query)
    }

    /// Every citation in the preset (rules and reporting).
    pub fn citations(&self) -> impl Iterator<Item = &Citation> {
        self.rules
            .iter()
            .flat_map(|r| r.citations.iter())
            .chain(self.reporting.iter().flat_map(|r| r.citations.iter()))
    }
}
