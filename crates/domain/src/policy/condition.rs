//! Conditions in a rule's `when` table: each key names a declaration field and
//! says which values match. A rule applies when all of its conditions match.

use toml::Value;

use super::declaration::{Declaration, FieldType, FieldValue, field_type};
use super::vocab::Appearance;

/// A comparison on a number field. Absent numbers are unknown: they match
/// only when `unknown = true` (a preset sets this where an unknown value
/// must be treated as possibly above a limit, e.g. a gift's value).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NumberTest {
    pub above: Option<f64>,
    pub below: Option<f64>,
    pub at_least: Option<f64>,
    pub at_most: Option<f64>,
    pub unknown: bool,
}

impl NumberTest {
    fn matches(&self, value: Option<f64>) -> bool {
        let Some(v) = value else { return self.unknown };
        self.above.is_none_or(|x| v > x)
            && self.below.is_none_or(|x| v < x)
            && self.at_least.is_none_or(|x| v >= x)
            && self.at_most.is_none_or(|x| v <= x)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// The flag equals this value (an absent flag is false).
    Flag(bool),
    Number(NumberTest),
    /// The level is one of these (an absent level matches none).
    Appearance(Vec<Appearance>),
    /// The code is one of these (an absent code matches none).
    Choice(Vec<String>),
    /// `true`: the value is an id on the preset's own list (for
    /// `restricted_interest`, its `[[restricted_interests]]`); `false`:
    /// it is absent or not on the list.
    Listed(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: String,
    pub test: Test,
}

impl Condition {
    /// Whether the declaration meets this condition, with no lists (a
    /// `listed` test sees an empty list).
    pub fn matches(&self, decl: &Declaration) -> bool {
        self.matches_with(decl, &[])
    }

    /// Whether the declaration meets this condition; `listed` holds the
    /// ids on the organisation's own list that a `listed` test looks in.
    pub fn matches_with(&self, decl: &Declaration, listed: &[&str]) -> bool {
        match (&self.test, decl.field(&self.field)) {
            (Test::Flag(want), Some(FieldValue::Flag(have))) => *want == have,
            (Test::Number(test), Some(FieldValue::Number(have))) => test.matches(have),
            (Test::Appearance(levels), Some(FieldValue::Appearance(have))) => {
                have.is_some_and(|h| levels.contains(&h))
            }
            (Test::Choice(codes), Some(FieldValue::Text(have))) => {
                have.is_some_and(|h| codes.iter().any(|c| c == h))
            }
            (Test::Listed(want), Some(FieldValue::Text(have))) => {
                *want == have.is_some_and(|h| listed.contains(&h))
            }
            // Validation guarantees field and test agree; a mismatch never matches.
            _ => false,
        }
    }

    /// Builds a condition from one `when` entry, or says (en, nl) what is wrong.
    pub(crate) fn from_toml(field: &str, value: &Value) -> Result<Condition, (String, String)> {
        let Some(kind) = field_type(field) else {
            let known = super::declaration::CONDITION_FIELDS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ");
            return Err((
                format!("unknown field `{field}` in `when`; use one of: {known}"),
                format!("onbekend veld `{field}` in `when`; gebruik een van: {known}"),
            ));
        };
        let test = match kind {
            FieldType::Flag => Test::Flag(value.as_bool().ok_or_else(|| {
                (
                    format!("`{field}` must be true or false"),
                    format!("`{field}` moet true of false zijn"),
                )
            })?),
            FieldType::Number => Test::Number(number_test(field, value)?),
            FieldType::Appearance => Test::Appearance(levels(field, value)?),
            FieldType::Choice(codes) => Test::Choice(choices(field, value, codes)?),
            FieldType::Listed => Test::Listed(listed(field, value)?),
        };
        Ok(Condition {
            field: field.to_owned(),
            test,
        })
    }
}

fn number_test(field: &str, value: &Value) -> Result<NumberTest, (String, String)> {
    let shape = || {
        (
            format!(
                "`{field}` must be a table like {{ above = 50 }} with above, below, at_least, at_most and optionally unknown = true"
            ),
            format!(
                "`{field}` moet een tabel zijn zoals {{ above = 50 }} met above, below, at_least, at_most en eventueel unknown = true"
            ),
        )
    };
    let table = value.as_table().ok_or_else(shape)?;
    let mut test = NumberTest::default();
    let mut has_comparison = false;
    for (key, v) in table {
        if key == "unknown" {
            test.unknown = v.as_bool().ok_or_else(shape)?;
            continue;
        }
        let n = match v {
            Value::Integer(i) => *i as f64,
            Value::Float(f) => *f,
            _ => return Err(shape()),
        };
        let slot = match key.as_str() {
            "above" => &mut test.above,
            "below" => &mut test.below,
            "at_least" => &mut test.at_least,
            "at_most" => &mut test.at_most,
            _ => return Err(shape()),
        };
        *slot = Some(n);
        has_comparison = true;
    }
    if !has_comparison {
        return Err(shape());
    }
    Ok(test)
}

fn levels(field: &str, value: &Value) -> Result<Vec<Appearance>, (String, String)> {
    let bad = || {
        (
            format!(
                "`{field}` must be one of {} or a list of them",
                Appearance::codes()
            ),
            format!(
                "`{field}` moet een van {} zijn, of een lijst daarvan",
                Appearance::codes()
            ),
        )
    };
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let levels = items
        .into_iter()
        .map(|v| v.as_str().and_then(Appearance::from_code).ok_or_else(bad))
        .collect::<Result<Vec<_>, _>>()?;
    if levels.is_empty() {
        return Err(bad());
    }
    Ok(levels)
}

fn choices(field: &str, value: &Value, codes: &[&str]) -> Result<Vec<String>, (String, String)> {
    let all = codes.join(", ");
    let bad = || {
        (
            format!("`{field}` must be one of {all} or a list of them"),
            format!("`{field}` moet een van {all} zijn, of een lijst daarvan"),
        )
    };
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let picked = items
        .into_iter()
        .map(|v| {
            v.as_str()
                .filter(|c| codes.contains(c))
                .map(str::to_owned)
                .ok_or_else(bad)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if picked.is_empty() {
        return Err(bad());
    }
    Ok(picked)
}

fn listed(field: &str, value: &Value) -> Result<bool, (String, String)> {
    value
        .as_table()
        .filter(|t| t.len() == 1)
        .and_then(|t| t.get("listed"))
        .and_then(Value::as_bool)
        .ok_or_else(|| {
            (
                format!("`{field}` must be {{ listed = true }} or {{ listed = false }}"),
                format!("`{field}` moet {{ listed = true }} of {{ listed = false }} zijn"),
            )
        })
}
