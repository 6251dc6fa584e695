//! Which questions "Mag dit?" must ask for a kind under a preset: the
//! declaration fields that the rules for that kind test (and the
//! baseline's, where the preset is silent), plus the facts a notification
//! of that kind must always contain, in a fixed order. The employee's own
//! facts (salary scale, top official, designated function) come from the
//! personnel record and are never asked.

use super::declaration::{CONDITION_FIELDS, FieldType};
use super::preset::{Outcome, Preset};
use super::vocab::Kind;

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerType {
    /// Yes or no.
    Flag,
    /// A number of zero or more (euros, hours, months).
    Number,
    /// none / minimal / present.
    Appearance,
    /// One of a fixed list of codes (the options).
    Choice(&'static [&'static str]),
    /// One entry of the preset's own list (restricted interests), or none.
    Listed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The declaration field this question fills.
    pub field: &'static str,
    pub answer: AnswerType,
}

/// Fields about the employee, taken from the personnel record.
pub const EMPLOYEE_FIELDS: [&str; 3] = ["salary_scale", "top_official", "designated_function"];

/// Facts asked for a kind whatever the rules test, because the
/// notification itself needs them: a data-leak notification describes the
/// approximate number of people concerned, the kind of data and the
/// measures taken (AVG art. 33(3)).
const NOTIFICATION_FACTS: &[(Kind, &[&str])] = &[(
    Kind::DataLeak,
    &["people_affected", "sensitive_data", "contained"],
)];

/// The questions for `kind` under `preset`, in the order of the
/// declaration's fields. A question about the preset's own list is asked
/// only when the list has entries.
pub fn questions(preset: &Preset, kind: Kind) -> Vec<Question> {
    let mut used: Vec<&str> = NOTIFICATION_FACTS
        .iter()
        .filter(|(k, _)| *k == kind)
        .flat_map(|(_, fields)| fields.iter().copied())
        .collect();
    let mut silent = false;
    for rule in preset.rules_for(kind) {
        silent |= rule.outcome == Outcome::Silent;
        used.extend(rule.when.iter().map(|c| c.field.as_str()));
    }
    if silent {
        for rule in super::bundled::baseline().rules_for(kind) {
            used.extend(rule.when.iter().map(|c| c.field.as_str()));
        }
    }
    CONDITION_FIELDS
        .iter()
        .filter(|(name, _)| used.contains(name) && !EMPLOYEE_FIELDS.contains(name))
        .filter(|(_, t)| *t != FieldType::Listed || !preset.restricted_interests.is_empty())
        .map(|(field, t)| Question {
            field,
            answer: answer_of(*t),
        })
        .collect()
}

fn answer_of(t: FieldType) -> AnswerType {
    match t {
        FieldType::Flag => AnswerType::Flag,
        FieldType::Number => AnswerType::Number,
        FieldType::Appearance => AnswerType::Appearance,
        FieldType::Choice(options) => AnswerType::Choice(options),
        FieldType::Listed => AnswerType::Listed,
    }
}

/// The type of an answerable field, for reading a submitted answer.
pub fn answer_type(field: &str) -> Option<AnswerType> {
    CONDITION_FIELDS
        .iter()
        .find(|(n, _)| *n == field)
        .map(|(_, t)| answer_of(*t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{bundled_preset, bundled_presets};

    #[test]
    fn gifts_ask_the_value_and_never_the_employee_facts() {
        for preset in bundled_presets() {
            let qs = questions(preset, Kind::Gift);
            // Asked exactly when a gift rule tests the value (one code of
            // conduct names no amount at all).
            let tests_value = preset
                .rules_for(Kind::Gift)
                .any(|r| r.when.iter().any(|c| c.field == "value_eur"));
            assert_eq!(
                qs.iter().any(|q| q.field == "value_eur"),
                tests_value,
                "{}",
                preset.name
            );
            assert!(qs.iter().all(|q| !EMPLOYEE_FIELDS.contains(&q.field)));
        }
    }

    #[test]
    fn most_presets_ask_the_value_of_a_gift() {
        let asking = bundled_presets()
            .iter()
            .filter(|p| {
                questions(p, Kind::Gift)
                    .iter()
                    .any(|q| q.field == "value_eur")
            })
            .count();
        assert!(asking >= 3, "{asking}");
    }

    #[test]
    fn a_data_leak_always_asks_what_the_notification_needs() {
        for preset in bundled_presets() {
            let fields: Vec<&str> = questions(preset, Kind::DataLeak)
                .iter()
                .map(|q| q.field)
                .collect();
            assert_eq!(
                fields,
                ["people_affected", "sensitive_data", "contained"],
                "{}",
                preset.name
            );
        }
    }

    #[test]
    fn presets_ask_different_questions() {
        let all: Vec<Vec<Question>> = crate::policy::preset_names()
            .iter()
            .map(|n| questions(bundled_preset(n).unwrap(), Kind::Gift))
            .collect();
        assert!(
            all.windows(2).any(|w| w[0] != w[1]),
            "the presets differ, so do their questions"
        );
    }
}
