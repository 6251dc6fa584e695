//! Integer's domain: the types, rules and decisions of an integrity system for
//! Dutch public bodies. This crate knows neither HTTP nor a database driver;
//! a newcomer starts reading here.
//!
//! - [`org`]: organisations, units, people and their roles.
//! - [`values`]: parsed input values (e-mail, slug, salary scale, ...): parse,
//!   don't validate.
//! - [`authz`]: the one module that decides who may do what.
//! - [`audit`]: the tamper-evident audit trail (SHA-256 chain).
//! - [`import`]: the people import (CSV), pure parsing and validation.
//! - [`i18n`]: the translation catalogue every screen and message uses.
//! - [`policy`]: the policy presets and the decision engine.
//! - [`case`]: the reporting point's cases: states, clocks, receipt codes.
//! - [`disclosure`]: disclosing a reporter's identity (consent, the law).
//! - [`meldpunt_texts`]: what a reporter is told, per preset.
//! - [`counsel`]: the confidential counsellors' log (no names, only counts).
//! - [`designation`]: designated functions and the publication of their
//!   side activities (Ambtenarenwet 2017 art. 8).
//! - [`crypto`]: encryption at rest (installation key, per-case keys).
//! - [`totp`]: one-time codes for the second factor (RFC 6238).

pub mod annual_report;
pub mod audit;
pub mod authz;
pub mod case;
pub mod counsel;
pub mod crypto;
pub mod declaration;
pub mod designation;
pub mod disclosure;
pub mod export;
pub mod i18n;
pub mod import;
pub mod learning;
pub mod meldpunt_texts;
pub mod org;
pub mod policy;
pub mod prevention;
pub mod return_path;
pub mod synthetic;
pub mod totp;
pub mod values;

/// A problem with a value a person entered, as a translation key with
/// arguments, so that the same error reads well in Dutch and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(key: &'static str) -> Self {
        Problem {
            key,
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let catalog = i18n::Catalog::bundled();
        write!(f, "{}", catalog.render(i18n::Lang::En, self))
    }
}

impl std::error::Error for Problem {}
