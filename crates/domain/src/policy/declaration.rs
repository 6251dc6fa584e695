//! The declaration: what an employee asks about ("may I?") or reports, as
//! parsed from JSON. Absent fields mean unknown or false; unknown fields,
//! unknown kinds and negative numbers are rejected with a message in Dutch and
//! English that says what to fix.

use serde::Serialize;
use serde_json::{Map, Value};

use super::vocab::{Appearance, Kind};

/// The employee the declaration is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Employee {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_scale: Option<u32>,
    #[serde(skip_serializing_if = "is_false")]
    pub top_official: bool,
    /// Holds a designated function (*aangewezen functie*, Ambtenarenwet art. 8).
    #[serde(skip_serializing_if = "is_false")]
    pub designated_function: bool,
}

/// One declaration. Field meanings are documented in docs/POLICY.md.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Declaration {
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_eur: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub third_party: Option<String>,
    pub employee: Employee,
    // gift
    #[serde(skip_serializing_if = "is_false")]
    pub sent_to_home_address: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub procurement_ongoing: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub intent_to_influence: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub refusal_would_offend: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub refusal_impractical: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub customary_thank_you: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub prior_permission: bool,
    // invitation, trip, facility
    #[serde(skip_serializing_if = "is_false")]
    pub functional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appearance_of_corruption: Option<Appearance>,
    #[serde(skip_serializing_if = "is_false")]
    pub paid_by_third_party: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub abroad: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub includes_travel_or_stay: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub refusal_makes_work_impossible: bool,
    // side_activity, financial_interest
    #[serde(skip_serializing_if = "is_false")]
    pub paid: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub may_conflict: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub political_board_work: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub supplies_to_employer: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub same_work_for_residents: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_per_week: Option<f64>,
    // hire_former_employee
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months_since_departure: Option<f64>,
    #[serde(skip_serializing_if = "is_false")]
    pub compelling_reasons: bool,
    /// Side activity: it takes so much time or energy that the job
    /// itself suffers (it stands in the way of proper performance).
    #[serde(skip_serializing_if = "is_false")]
    pub hinders_performance: bool,
    // gift
    /// Gift: incidental, not something this giver gives often.
    #[serde(skip_serializing_if = "is_false")]
    pub incidental: bool,
    // private_use
    #[serde(skip_serializing_if = "is_false")]
    pub explicit_permission: bool,
    /// Private use: which of the employer's things (see [`ITEMS`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Private use beyond the code's limit: more than the provider
    /// contract covers, unreasonable costs, excessive or harmful use.
    #[serde(skip_serializing_if = "is_false")]
    pub excessive_use: bool,
    /// Private use for commercial ends (earning money with it).
    #[serde(skip_serializing_if = "is_false")]
    pub commercial_use: bool,
    /// Private use in extreme circumstances, such as a calamity.
    #[serde(skip_serializing_if = "is_false")]
    pub emergency: bool,
    /// Private use: the organisation's interest and a private interest
    /// coincide.
    #[serde(skip_serializing_if = "is_false")]
    pub shared_interest: bool,
    // expense
    /// Expense: the costs are (or can be) reimbursed in another way.
    #[serde(skip_serializing_if = "is_false")]
    pub reimbursed_otherwise: bool,
    // financial_interest
    /// Financial interest: the id of an entry on the employer's list of
    /// interests not allowed for a designated function (the preset's
    /// `[[restricted_interests]]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_interest: Option<String>,
    // information
    /// Information used for something else than the purpose it was
    /// given for (one's work), for oneself or for others.
    #[serde(skip_serializing_if = "is_false")]
    pub outside_purpose: bool,
    /// The information is, or may be, confidential.
    #[serde(skip_serializing_if = "is_false")]
    pub confidential: bool,
    /// The question is about the time after leaving the organisation.
    #[serde(skip_serializing_if = "is_false")]
    pub after_leaving: bool,
    /// Information or help to a council member or a member of the
    /// Provinciale Staten.
    #[serde(skip_serializing_if = "is_false")]
    pub to_council_member: bool,
    /// On one's own initiative, not at the council member's request.
    #[serde(skip_serializing_if = "is_false")]
    pub own_initiative: bool,
    /// Only factual (technical) information, no account of policy.
    #[serde(skip_serializing_if = "is_false")]
    pub factual_only: bool,
    // software_content
    /// Illegal software (unlicensed, pirated).
    #[serde(skip_serializing_if = "is_false")]
    pub illegal_software: bool,
    /// Pornographic, racist, discriminatory, insulting, offensive or
    /// (sexually) intimidating texts or images, or messages that (may)
    /// incite hatred or violence.
    #[serde(skip_serializing_if = "is_false")]
    pub offensive_content: bool,
    // data_leak
    /// Roughly how many people's personal data are concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people_affected: Option<f64>,
    /// Sensitive data: special categories (health, ...), citizen service
    /// numbers, financial data, or data about vulnerable people.
    #[serde(skip_serializing_if = "is_false")]
    pub sensitive_data: bool,
    /// The leak is stopped (absent: not, or not known to be).
    #[serde(skip_serializing_if = "is_false")]
    pub contained: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The things of the employer a private-use question is about: the codes
/// treat them differently (a phone within the contract, the service car
/// exclusively for business).
pub const ITEMS: &[&str] = &[
    "mobile_phone",
    "tablet_laptop",
    "email_internet",
    "service_car",
    "other",
];

/// The type of a field that a preset rule may test in its `when` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldType {
    Flag,
    Number,
    Appearance,
    /// One of a fixed list of codes.
    Choice(&'static [&'static str]),
    /// An id on one of the preset's own lists (`restricted_interest`).
    Listed,
}

/// A field's value as a condition sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FieldValue<'a> {
    Flag(bool),
    Number(Option<f64>),
    Appearance(Option<Appearance>),
    Text(Option<&'a str>),
}

/// Every field a rule may test. The employee's fields are tested by their
/// own name (`salary_scale`, not `employee.salary_scale`).
pub(crate) const CONDITION_FIELDS: &[(&str, FieldType)] = &[
    ("value_eur", FieldType::Number),
    ("salary_scale", FieldType::Number),
    ("top_official", FieldType::Flag),
    ("designated_function", FieldType::Flag),
    ("sent_to_home_address", FieldType::Flag),
    ("procurement_ongoing", FieldType::Flag),
    ("intent_to_influence", FieldType::Flag),
    ("refusal_would_offend", FieldType::Flag),
    ("refusal_impractical", FieldType::Flag),
    ("customary_thank_you", FieldType::Flag),
    ("incidental", FieldType::Flag),
    ("prior_permission", FieldType::Flag),
    ("functional", FieldType::Flag),
    ("appearance_of_corruption", FieldType::Appearance),
    ("paid_by_third_party", FieldType::Flag),
    ("abroad", FieldType::Flag),
    ("includes_travel_or_stay", FieldType::Flag),
    ("refusal_makes_work_impossible", FieldType::Flag),
    ("paid", FieldType::Flag),
    ("may_conflict", FieldType::Flag),
    ("political_board_work", FieldType::Flag),
    ("supplies_to_employer", FieldType::Flag),
    ("same_work_for_residents", FieldType::Flag),
    ("hinders_performance", FieldType::Flag),
    ("hours_per_week", FieldType::Number),
    ("months_since_departure", FieldType::Number),
    ("compelling_reasons", FieldType::Flag),
    ("item", FieldType::Choice(ITEMS)),
    ("explicit_permission", FieldType::Flag),
    ("excessive_use", FieldType::Flag),
    ("commercial_use", FieldType::Flag),
    ("emergency", FieldType::Flag),
    ("shared_interest", FieldType::Flag),
    ("reimbursed_otherwise", FieldType::Flag),
    ("restricted_interest", FieldType::Listed),
    ("outside_purpose", FieldType::Flag),
    ("confidential", FieldType::Flag),
    ("after_leaving", FieldType::Flag),
    ("to_council_member", FieldType::Flag),
    ("own_initiative", FieldType::Flag),
    ("factual_only", FieldType::Flag),
    ("illegal_software", FieldType::Flag),
    ("offensive_content", FieldType::Flag),
    ("people_affected", FieldType::Number),
    ("sensitive_data", FieldType::Flag),
    ("contained", FieldType::Flag),
];

pub(crate) fn field_type(name: &str) -> Option<FieldType> {
    CONDITION_FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
}

impl Declaration {
    /// A declaration of `kind` with every other field unknown or false.
    pub fn new(kind: Kind) -> Self {
        Declaration {
            kind,
            value_eur: None,
            third_party: None,
            employee: Employee::default(),
            sent_to_home_address: false,
            procurement_ongoing: false,
            intent_to_influence: false,
            refusal_would_offend: false,
            refusal_impractical: false,
            customary_thank_you: false,
            prior_permission: false,
            functional: false,
            appearance_of_corruption: None,
            paid_by_third_party: false,
            abroad: false,
            includes_travel_or_stay: false,
            refusal_makes_work_impossible: false,
            paid: false,
            may_conflict: false,
            political_board_work: false,
            supplies_to_employer: false,
            same_work_for_residents: false,
            hours_per_week: None,
            months_since_departure: None,
            compelling_reasons: false,
            hinders_performance: false,
            incidental: false,
            explicit_permission: false,
            item: None,
            excessive_use: false,
            commercial_use: false,
            emergency: false,
            shared_interest: false,
            reimbursed_otherwise: false,
            restricted_interest: None,
            outside_purpose: false,
            confidential: false,
            after_leaving: false,
            to_council_member: false,
            own_initiative: false,
            factual_only: false,
            illegal_software: false,
            offensive_content: false,
            people_affected: None,
            sensitive_data: false,
            contained: false,
        }
    }

    /// The value of a condition field; `None` for a name that is not one.
    pub(crate) fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        use FieldValue::{Flag, Number};
        Some(match name {
            "value_eur" => Number(self.value_eur),
            "salary_scale" => Number(self.employee.salary_scale.map(f64::from)),
            "top_official" => Flag(self.employee.top_official),
            "designated_function" => Flag(self.employee.designated_function),
            "sent_to_home_address" => Flag(self.sent_to_home_address),
            "procurement_ongoing" => Flag(self.procurement_ongoing),
            "intent_to_influence" => Flag(self.intent_to_influence),
            "refusal_would_offend" => Flag(self.refusal_would_offend),
            "refusal_impractical" => Flag(self.refusal_impractical),
            "customary_thank_you" => Flag(self.customary_thank_you),
            "prior_permission" => Flag(self.prior_permission),
            "functional" => Flag(self.functional),
            "appearance_of_corruption" => FieldValue::Appearance(self.appearance_of_corruption),
            "paid_by_third_party" => Flag(self.paid_by_third_party),
            "abroad" => Flag(self.abroad),
            "includes_travel_or_stay" => Flag(self.includes_travel_or_stay),
            "refusal_makes_work_impossible" => Flag(self.refusal_makes_work_impossible),
            "paid" => Flag(self.paid),
            "may_conflict" => Flag(self.may_conflict),
            "political_board_work" => Flag(self.political_board_work),
            "supplies_to_employer" => Flag(self.supplies_to_employer),
            "same_work_for_residents" => Flag(self.same_work_for_residents),
            "hours_per_week" => Number(self.hours_per_week),
            "months_since_departure" => Number(self.months_since_departure),
            "compelling_reasons" => Flag(self.compelling_reasons),
            "hinders_performance" => Flag(self.hinders_performance),
            "incidental" => Flag(self.incidental),
            "explicit_permission" => Flag(self.explicit_permission),
            "item" => FieldValue::Text(self.item.as_deref()),
            "excessive_use" => Flag(self.excessive_use),
            "commercial_use" => Flag(self.commercial_use),
            "emergency" => Flag(self.emergency),
            "shared_interest" => Flag(self.shared_interest),
            "reimbursed_otherwise" => Flag(self.reimbursed_otherwise),
            "restricted_interest" => FieldValue::Text(self.restricted_interest.as_deref()),
            "outside_purpose" => Flag(self.outside_purpose),
            "confidential" => Flag(self.confidential),
            "after_leaving" => Flag(self.after_leaving),
            "to_council_member" => Flag(self.to_council_member),
            "own_initiative" => Flag(self.own_initiative),
            "factual_only" => Flag(self.factual_only),
            "illegal_software" => Flag(self.illegal_software),
            "offensive_content" => Flag(self.offensive_content),
            "people_affected" => Number(self.people_affected),
            "sensitive_data" => Flag(self.sensitive_data),
            "contained" => Flag(self.contained),
            _ => return None,
        })
    }

    fn flag_mut(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "sent_to_home_address" => &mut self.sent_to_home_address,
            "procurement_ongoing" => &mut self.procurement_ongoing,
            "intent_to_influence" => &mut self.intent_to_influence,
            "refusal_would_offend" => &mut self.refusal_would_offend,
            "refusal_impractical" => &mut self.refusal_impractical,
            "customary_thank_you" => &mut self.customary_thank_you,
            "prior_permission" => &mut self.prior_permission,
            "functional" => &mut self.functional,
            "paid_by_third_party" => &mut self.paid_by_third_party,
            "abroad" => &mut self.abroad,
            "includes_travel_or_stay" => &mut self.includes_travel_or_stay,
            "refusal_makes_work_impossible" => &mut self.refusal_makes_work_impossible,
            "paid" => &mut self.paid,
            "may_conflict" => &mut self.may_conflict,
            "political_board_work" => &mut self.political_board_work,
            "supplies_to_employer" => &mut self.supplies_to_employer,
            "same_work_for_residents" => &mut self.same_work_for_residents,
            "compelling_reasons" => &mut self.compelling_reasons,
            "hinders_performance" => &mut self.hinders_performance,
            "incidental" => &mut self.incidental,
            "explicit_permission" => &mut self.explicit_permission,
            "excessive_use" => &mut self.excessive_use,
            "commercial_use" => &mut self.commercial_use,
            "emergency" => &mut self.emergency,
            "shared_interest" => &mut self.shared_interest,
            "reimbursed_otherwise" => &mut self.reimbursed_otherwise,
            "outside_purpose" => &mut self.outside_purpose,
            "confidential" => &mut self.confidential,
            "after_leaving" => &mut self.after_leaving,
            "to_council_member" => &mut self.to_council_member,
            "own_initiative" => &mut self.own_initiative,
            "factual_only" => &mut self.factual_only,
            "illegal_software" => &mut self.illegal_software,
            "offensive_content" => &mut self.offensive_content,
            "sensitive_data" => &mut self.sensitive_data,
            "contained" => &mut self.contained,
            _ => return None,
        })
    }

    fn number_mut(&mut self, name: &str) -> Option<&mut Option<f64>> {
        Some(match name {
            "value_eur" => &mut self.value_eur,
            "hours_per_week" => &mut self.hours_per_week,
            "months_since_departure" => &mut self.months_since_departure,
            "people_affected" => &mut self.people_affected,
            _ => return None,
        })
    }
}

use super::declaration_error::DeclarationError;

/// Parses one declaration from JSON text.
pub fn parse_declaration_json(text: &str) -> Result<Declaration, DeclarationError> {
    let value: Value = serde_json::from_str(text).map_err(|e| DeclarationError::Malformed {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    declaration_from_value(&value)
}

/// Builds a declaration from an already parsed JSON value (the API receives
/// it inside `{"org": ..., "declaration": {...}}`).
pub fn declaration_from_value(value: &Value) -> Result<Declaration, DeclarationError> {
    let object = value.as_object().ok_or(DeclarationError::NotAnObject)?;
    let kind = match object.get("kind") {
        None | Some(Value::Null) => return Err(DeclarationError::MissingKind),
        Some(Value::String(code)) => Kind::from_code(code)
            .ok_or_else(|| DeclarationError::UnknownKind { kind: code.clone() })?,
        Some(_) => return Err(wrong_type("kind", Expect::Text)),
    };
    let mut decl = Declaration::new(kind);
    for (key, value) in object {
        if key == "kind" || value.is_null() {
            continue;
        }
        match key.as_str() {
            "third_party" => {
                let text = value
                    .as_str()
                    .ok_or_else(|| wrong_type(key, Expect::Text))?;
                decl.third_party = Some(text.to_owned());
            }
            "employee" => decl.employee = employee(value)?,
            "item" => {
                let code = value
                    .as_str()
                    .ok_or_else(|| wrong_type(key, Expect::Text))?;
                if !ITEMS.contains(&code) {
                    return Err(DeclarationError::InvalidValue {
                        field: key.clone(),
                        value: code.to_owned(),
                        expected: ITEMS.join(", "),
                    });
                }
                decl.item = Some(code.to_owned());
            }
            "restricted_interest" => {
                let id = value
                    .as_str()
                    .ok_or_else(|| wrong_type(key, Expect::Text))?;
                // Which ids exist is the preset's business; an id that is
                // not on its list simply matches no `listed` condition.
                decl.restricted_interest = Some(id.trim().to_owned()).filter(|s| !s.is_empty());
            }
            "appearance_of_corruption" => {
                let code = value
                    .as_str()
                    .ok_or_else(|| wrong_type(key, Expect::Appearance))?;
                let level =
                    Appearance::from_code(code).ok_or_else(|| DeclarationError::InvalidValue {
                        field: key.clone(),
                        value: code.to_owned(),
                        expected: Appearance::codes(),
                    })?;
                decl.appearance_of_corruption = Some(level);
            }
            name => {
                if let Some(slot) = decl.number_mut(name) {
                    *slot = Some(non_negative(name, value)?);
                } else if let Some(slot) = decl.flag_mut(name) {
                    *slot = value
                        .as_bool()
                        .ok_or_else(|| wrong_type(name, Expect::Flag))?;
                } else {
                    return Err(DeclarationError::UnknownField {
                        field: name.to_owned(),
                    });
                }
            }
        }
    }
    Ok(decl)
}

fn employee(value: &Value) -> Result<Employee, DeclarationError> {
    let object: &Map<String, Value> = value
        .as_object()
        .ok_or_else(|| wrong_type("employee", Expect::Object))?;
    let mut employee = Employee::default();
    for (key, value) in object {
        if value.is_null() {
            continue;
        }
        let path = format!("employee.{key}");
        match key.as_str() {
            "salary_scale" => {
                let n = non_negative(&path, value)?;
                if n.fract() != 0.0 || n > f64::from(u32::MAX) {
                    return Err(wrong_type(&path, Expect::WholeNumber));
                }
                // Checked above: a whole number within u32's range.
                employee.salary_scale = Some(n as u32);
            }
            "top_official" => {
                employee.top_official = value
                    .as_bool()
                    .ok_or_else(|| wrong_type(&path, Expect::Flag))?
            }
            "designated_function" => {
                employee.designated_function = value
                    .as_bool()
                    .ok_or_else(|| wrong_type(&path, Expect::Flag))?
            }
            _ => return Err(DeclarationError::UnknownField { field: path }),
        }
    }
    Ok(employee)
}

fn non_negative(field: &str, value: &Value) -> Result<f64, DeclarationError> {
    let n = value
        .as_f64()
        .ok_or_else(|| wrong_type(field, Expect::Number))?;
    if n < 0.0 {
        return Err(DeclarationError::Negative {
            field: field.to_owned(),
            value: n,
        });
    }
    Ok(n)
}

use super::declaration_error::Expect;

fn wrong_type(field: &str, expected: Expect) -> DeclarationError {
    DeclarationError::WrongType {
        field: field.to_owned(),
        expected,
    }
}
