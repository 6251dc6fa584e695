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

/// A text in Dutch and English.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Bilingual {
    pub nl: String,
    pub en: String,
}

impl Bilingual {
    /// The Dutch text, or the English one.
    pub fn get(&self, dutch: bool) -> &str {
        if dutch { &self.nl } else { &self.en }
    }
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
    /// Set when the rule is the organisation's own addition, not a rule
    /// the cited code states: why the organisation adds it. Every answer
    /// the rule gives says so, so that no answer attributes to a section
    /// what the section does not say.
    pub addition: Option<Bilingual>,
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

/// An interest the employer does not allow for a designated function
/// (Ambtenarenwet art. 8(1)(d)): the employer's own list, for example
/// securities in sectors the function supervises.
#[derive(Debug, Clone, PartialEq)]
pub struct RestrictedInterest {
    /// Stable id, unique in the preset; a declaration names it in
    /// `restricted_interest`.
    pub id: String,
    /// What is not allowed, in plain words.
    pub text: Bilingual,
    /// Where the employer designated it.
    pub citations: Vec<Citation>,
}

/// A set of yes/no questions that answers one flag of a kind: any "yes"
/// makes the flag true (for example a code's control questions for a side
/// activity, answering `may_conflict`).
#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    pub kind: Kind,
    /// The flag it answers.
    pub field: String,
    pub title: Bilingual,
    pub intro: Bilingual,
    pub questions: Vec<Bilingual>,
    /// Where the questions come from.
    pub citations: Vec<Citation>,
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
    /// The employer's list of interests not allowed for designated functions.
    pub restricted_interests: Vec<RestrictedInterest>,
    /// Questionnaires that answer a flag of a kind.
    pub questionnaires: Vec<Questionnaire>,
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

    /// Every citation in the preset (rules, reporting, lists and
    /// questionnaires).
    pub fn citations(&self) -> impl Iterator<Item = &Citation> {
        self.rules
            .iter()
            .flat_map(|r| r.citations.iter())
            .chain(self.reporting.iter().flat_map(|r| r.citations.iter()))
            .chain(
                self.restricted_interests
                    .iter()
                    .flat_map(|r| r.citations.iter()),
            )
            .chain(self.questionnaires.iter().flat_map(|q| q.citations.iter()))
    }

    /// An entry of the restricted-interests list by id.
    pub fn restricted_interest(&self, id: &str) -> Option<&RestrictedInterest> {
        self.restricted_interests.iter().find(|r| r.id == id)
    }

    /// The questionnaire that answers `field` for `kind`, if any.
    pub fn questionnaire(&self, kind: Kind, field: &str) -> Option<&Questionnaire> {
        self.questionnaires
            .iter()
            .find(|q| q.kind == kind && q.field == field)
    }
}
