//! The policy engine: presets (one per organisation, data in `policies/`)
//! and the pure decision function from (preset, declaration) to a decision.
//!
//! Start with [`decide`] and [`Preset`]; the preset schema, the declaration
//! and decision JSON and the obligation codes are documented in
//! docs/POLICY.md.

mod bundled;
mod condition;
mod declaration;
mod declaration_error;
mod engine;
mod error;
mod load;
mod preset;
mod questions;
mod schema;
mod text;
mod vocab;

pub use bundled::{
    BASELINE_NAME, baseline, bundled_preset, bundled_preset_source, bundled_presets, preset_names,
};
pub use condition::{Condition, NumberTest, Test};
pub use declaration::{
    Declaration, Employee, ITEMS, declaration_from_value, parse_declaration_json,
};
pub use declaration_error::{DeclarationError, Expect, known_fields};
pub use engine::{Decision, Explanation, decide};
pub use error::{PolicyError, Problem};
pub use preset::{Bilingual, Outcome, Preset, Questionnaire, Reporting, RestrictedInterest, Rule};
pub use questions::{AnswerType, EMPLOYEE_FIELDS, Question, answer_type, questions};
pub use text::{Citation, Document, SearchHit, Section, search};
pub use vocab::{Appearance, Approver, Kind, Obligation, Role, Verdict};
