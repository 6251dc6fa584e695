//! The preset file as written (TOML), before validation. Every table denies
//! unknown keys, so a typo is reported with its location instead of being
//! silently ignored. docs/POLICY.md documents this schema.

use serde::Deserialize;
use toml::{Spanned, Table};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPreset {
    pub preset: Spanned<RawHeader>,
    pub reporting: Option<Spanned<RawReporting>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RawRule>>,
    #[serde(default)]
    pub restricted_interests: Vec<Spanned<RawRestrictedInterest>>,
    #[serde(default)]
    pub questionnaires: Vec<Spanned<RawQuestionnaire>>,
    #[serde(default)]
    pub documents: Vec<Spanned<RawDocument>>,
}

/// A text in both languages: `{ nl = "...", en = "..." }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBilingual {
    pub nl: String,
    pub en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRestrictedInterest {
    pub id: String,
    pub nl: String,
    pub en: String,
    #[serde(default)]
    pub cite: Vec<Spanned<RawCitation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQuestionnaire {
    pub kind: String,
    pub field: String,
    pub title: RawBilingual,
    pub intro: RawBilingual,
    pub questions: Vec<RawBilingual>,
    #[serde(default)]
    pub cite: Vec<Spanned<RawCitation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHeader {
    pub name: String,
    pub organisation: String,
    pub version: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReporting {
    pub channels: Vec<String>,
    #[serde(default)]
    pub advice: Vec<String>,
    pub managers_report_to: Option<String>,
    pub violations_decided_by: String,
    pub cite: Vec<Spanned<RawCitation>>,
    pub nl: String,
    pub en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub id: String,
    pub kinds: Vec<String>,
    #[serde(default)]
    pub when: Table,
    pub verdict: Option<String>,
    pub approver: Option<String>,
    #[serde(default)]
    pub obligations: Vec<String>,
    #[serde(default)]
    pub cite: Vec<Spanned<RawCitation>>,
    pub nl: String,
    pub en: String,
    #[serde(default, rename = "continue")]
    pub continues: bool,
    #[serde(default)]
    pub silent: bool,
    /// The organisation's own addition, with the reason.
    pub addition: Option<RawBilingual>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCitation {
    pub document: String,
    pub section: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDocument {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub sections: Vec<RawSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSection {
    pub id: String,
    pub title: String,
    pub text: String,
}
