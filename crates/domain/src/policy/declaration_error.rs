//! Errors in a declaration, each with a Dutch and an English message that
//! says what to fix.

use super::declaration::CONDITION_FIELDS;
use super::vocab::Kind;

/// What a field should have held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Flag,
    Number,
    WholeNumber,
    Text,
    Object,
    Appearance,
}

impl Expect {
    fn nl(self) -> &'static str {
        match self {
            Expect::Flag => "true of false",
            Expect::Number => "een getal",
            Expect::WholeNumber => "een geheel getal",
            Expect::Text => "een tekst",
            Expect::Object => "een object ({...})",
            Expect::Appearance => "\"none\", \"minimal\" of \"present\"",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Expect::Flag => "true or false",
            Expect::Number => "a number",
            Expect::WholeNumber => "a whole number",
            Expect::Text => "a text",
            Expect::Object => "an object ({...})",
            Expect::Appearance => "\"none\", \"minimal\" or \"present\"",
        }
    }
}

/// Why a declaration was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.message_en())]
pub enum DeclarationError {
    /// The text is not valid JSON.
    Malformed {
        line: usize,
        column: usize,
        reason: String,
    },
    /// The JSON is valid but not an object.
    NotAnObject,
    MissingKind,
    UnknownKind {
        kind: String,
    },
    UnknownField {
        field: String,
    },
    WrongType {
        field: String,
        expected: Expect,
    },
    InvalidValue {
        field: String,
        value: String,
        expected: String,
    },
    Negative {
        field: String,
        value: f64,
    },
}

/// Field names a declaration may contain (top level).
pub fn known_fields() -> Vec<&'static str> {
    let employee = ["salary_scale", "top_official", "designated_function"];
    let mut names = vec!["kind", "third_party", "employee"];
    names.extend(
        CONDITION_FIELDS
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| !employee.contains(n)),
    );
    names
}

impl DeclarationError {
    /// A stable machine-readable code, e.g. for an API error body.
    pub fn code(&self) -> &'static str {
        match self {
            DeclarationError::Malformed { .. } => "malformed_json",
            DeclarationError::NotAnObject => "not_an_object",
            DeclarationError::MissingKind => "missing_kind",
            DeclarationError::UnknownKind { .. } => "unknown_kind",
            DeclarationError::UnknownField { .. } => "unknown_field",
            DeclarationError::WrongType { .. } => "wrong_type",
            DeclarationError::InvalidValue { .. } => "invalid_value",
            DeclarationError::Negative { .. } => "negative_value",
        }
    }

    /// The field at fault, if one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            DeclarationError::UnknownField { field }
            | DeclarationError::WrongType { field, .. }
            | DeclarationError::InvalidValue { field, .. }
            | DeclarationError::Negative { field, .. } => Some(field),
            DeclarationError::UnknownKind { .. } | DeclarationError::MissingKind => Some("kind"),
            _ => None,
        }
    }

    pub fn message_nl(&self) -> String {
        match self {
            DeclarationError::Malformed { line, column, reason } => format!(
                "De melding is geen geldige JSON (regel {line}, kolom {column}: {reason}). Controleer haakjes, aanhalingstekens en komma's."
            ),
            DeclarationError::NotAnObject => {
                "De melding moet een JSON-object zijn, bijvoorbeeld {\"kind\": \"gift\", \"value_eur\": 30}.".into()
            }
            DeclarationError::MissingKind => format!(
                "Het veld \"kind\" ontbreekt. Geef aan waar de melding over gaat: {}.",
                Kind::codes()
            ),
            DeclarationError::UnknownKind { kind } => format!(
                "Onbekende soort \"{kind}\" in het veld \"kind\". Gebruik een van: {}.",
                Kind::codes()
            ),
            DeclarationError::UnknownField { field } => format!(
                "Onbekend veld \"{field}\". Haal het weg of gebruik een van: {}.",
                known_fields().join(", ")
            ),
            DeclarationError::WrongType { field, expected } => {
                format!("Het veld \"{field}\" moet {} zijn.", expected.nl())
            }
            DeclarationError::InvalidValue { field, value, expected } => format!(
                "Ongeldige waarde \"{value}\" voor \"{field}\". Gebruik een van: {expected}."
            ),
            DeclarationError::Negative { field, value } => format!(
                "Het veld \"{field}\" mag niet negatief zijn (nu {value}). Vul 0 of een positief getal in."
            ),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            DeclarationError::Malformed { line, column, reason } => format!(
                "The declaration is not valid JSON (line {line}, column {column}: {reason}). Check brackets, quotes and commas."
            ),
            DeclarationError::NotAnObject => {
                "The declaration must be a JSON object, for example {\"kind\": \"gift\", \"value_eur\": 30}.".into()
            }
            DeclarationError::MissingKind => format!(
                "The field \"kind\" is missing. Say what the declaration is about: {}.",
                Kind::codes()
            ),
            DeclarationError::UnknownKind { kind } => format!(
                "Unknown kind \"{kind}\" in the field \"kind\". Use one of: {}.",
                Kind::codes()
            ),
            DeclarationError::UnknownField { field } => format!(
                "Unknown field \"{field}\". Remove it or use one of: {}.",
                known_fields().join(", ")
            ),
            DeclarationError::WrongType { field, expected } => {
                format!("The field \"{field}\" must be {}.", expected.en())
            }
            DeclarationError::InvalidValue { field, value, expected } => format!(
                "Invalid value \"{value}\" for \"{field}\". Use one of: {expected}."
            ),
            DeclarationError::Negative { field, value } => format!(
                "The field \"{field}\" must not be negative (it is {value}). Enter 0 or a positive number."
            ),
        }
    }
}
