//! The confidential counsellors' log (*logboek vertrouwenspersoon*): one
//! entry per consultation, with structured fields only and never a name or
//! a free text (a free text invites names). Only counts leave the log, for
//! the counsellor's yearly report to the integrity coordinator.
//!
//! This module owns the code lists (topic, kind of undesirable behaviour,
//! who came, what was done), the checks on an entry as a counsellor enters
//! it, and the rule on corrections (only within the year of the entry).

use crate::Problem;
use jiff::civil::Date;

macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order the form and the counts show them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code, stored in the database and used in forms.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

code_list! {
    /// What the consultation was about.
    Topic {
        /// A question about integrity (may I ...?, a dilemma).
        IntegrityQuestion = "integrity_question",
        /// A concern about suspected wrongdoing.
        IntegrityConcern = "integrity_concern",
        /// Undesirable behaviour; the entry names its kind.
        UndesirableBehaviour = "undesirable_behaviour",
        Other = "other",
    }
}

code_list! {
    /// The kinds of undesirable behaviour (*ongewenste omgangsvormen*,
    /// DOMAIN.md section 4).
    BehaviourKind {
        Intimidation = "intimidation",
        SexualHarassment = "sexual_harassment",
        Discrimination = "discrimination",
        Bullying = "bullying",
        AggressionViolence = "aggression_violence",
        Other = "other",
    }
}

code_list! {
    /// Who came to the counsellor.
    Visitor {
        Employee = "employee",
        Manager = "manager",
        /// Someone from outside the organisation.
        Outsider = "outsider",
    }
}

code_list! {
    /// What the counsellor did; a consultation may have several.
    CounselAction {
        Listening = "listening",
        Advice = "advice",
        Referral = "referral",
        Mediation = "mediation",
        ComplaintFiled = "complaint_filed",
        ReportFiled = "report_filed",
    }
}

/// The most contacts one entry may count (a long-running matter is
/// recorded again as a follow-up).
pub const MAX_CONTACTS: u32 = 50;

/// A checked entry of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consultation {
    pub date: Date,
    pub topic: Topic,
    /// Only for undesirable behaviour, and then required.
    pub behaviour: Option<BehaviourKind>,
    pub visitor: Visitor,
    /// At least one, each once, in the order of [`CounselAction::ALL`].
    pub actions: Vec<CounselAction>,
    /// Number of contacts in this consultation, 1 to [`MAX_CONTACTS`].
    pub contacts: u32,
    /// The first contact about this matter, or a follow-up.
    pub first_contact: bool,
}

/// An entry as typed into the form, before checking. The values are the
/// codes of the lists above; `contact` is `first` or `follow_up`.
#[derive(Debug, Clone, Default)]
pub struct ConsultationInput<'a> {
    pub date: &'a str,
    pub topic: &'a str,
    pub behaviour: &'a str,
    pub visitor: &'a str,
    pub actions: Vec<&'a str>,
    pub contacts: &'a str,
    pub contact: &'a str,
}

/// Form field names, so that problems land next to the right field.
pub mod field {
    pub const DATE: &str = "datum";
    pub const TOPIC: &str = "onderwerp";
    pub const BEHAVIOUR: &str = "soort";
    pub const VISITOR: &str = "wie";
    pub const ACTIONS: &str = "actie";
    pub const CONTACTS: &str = "contacten";
    pub const CONTACT: &str = "contact";
}

/// Checks an entry; `today` is the date in the Netherlands. Returns every
/// problem, keyed by form field.
pub fn parse_consultation(
    input: &ConsultationInput<'_>,
    today: Date,
) -> Result<Consultation, Vec<(&'static str, Problem)>> {
    let mut problems = Vec::new();
    let date = match input.date.trim() {
        "" => {
            problems.push((field::DATE, Problem::new("counsel-error-date-missing")));
            None
        }
        raw => match crate::values::parse_date(raw) {
            Ok(d) if d > today => {
                problems.push((field::DATE, Problem::new("counsel-error-date-future")));
                None
            }
            Ok(d) => Some(d),
            Err(p) => {
                problems.push((field::DATE, p));
                None
            }
        },
    };
    let topic = match input.topic.trim() {
        "" => {
            problems.push((field::TOPIC, Problem::new("counsel-error-topic-missing")));
            None
        }
        code => Topic::from_code(code).or_else(|| {
            problems.push((field::TOPIC, Problem::new("counsel-error-topic-missing")));
            None
        }),
    };
    let behaviour = match (topic, input.behaviour.trim()) {
        (Some(Topic::UndesirableBehaviour), "") => {
            problems.push((
                field::BEHAVIOUR,
                Problem::new("counsel-error-behaviour-missing"),
            ));
            None
        }
        // Without a valid topic, only the topic is named.
        (None, _) | (_, "") => None,
        (Some(Topic::UndesirableBehaviour), code) => BehaviourKind::from_code(code).or_else(|| {
            problems.push((
                field::BEHAVIOUR,
                Problem::new("counsel-error-behaviour-missing"),
            ));
            None
        }),
        // A kind is only recorded for undesirable behaviour.
        (_, _) => {
            problems.push((
                field::BEHAVIOUR,
                Problem::new("counsel-error-behaviour-without-topic"),
            ));
            None
        }
    };
    let visitor = Visitor::from_code(input.visitor.trim());
    if visitor.is_none() {
        problems.push((
            field::VISITOR,
            Problem::new("counsel-error-visitor-missing"),
        ));
    }
    let mut actions = Vec::new();
    let mut unknown_action = false;
    for raw in &input.actions {
        match CounselAction::from_code(raw.trim()) {
            Some(a) if !actions.contains(&a) => actions.push(a),
            Some(_) => {}
            None => unknown_action = true,
        }
    }
    actions.sort();
    if actions.is_empty() || unknown_action {
        problems.push((
            field::ACTIONS,
            Problem::new("counsel-error-actions-missing"),
        ));
    }
    let contacts = match input.contacts.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_CONTACTS).contains(&n) => Some(n),
        _ => {
            problems.push((
                field::CONTACTS,
                Problem::new("counsel-error-contacts").with("max", MAX_CONTACTS.to_string()),
            ));
            None
        }
    };
    let first_contact = match input.contact.trim() {
        "first" => Some(true),
        "follow_up" => Some(false),
        _ => {
            problems.push((
                field::CONTACT,
                Problem::new("counsel-error-contact-missing"),
            ));
            None
        }
    };
    match (date, topic, visitor, contacts, first_contact) {
        (Some(date), Some(topic), Some(visitor), Some(contacts), Some(first_contact))
            if problems.is_empty() =>
        {
            Ok(Consultation {
                date,
                topic,
                behaviour,
                visitor,
                actions,
                contacts,
                first_contact,
            })
        }
        _ => Err(problems),
    }
}

/// Today's date in the Netherlands, where the log's years are counted.
pub fn today() -> Date {
    let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap_or(jiff::tz::TimeZone::UTC);
    tz.to_datetime(jiff::Timestamp::now()).date()
}

/// Whether the author may still correct an entry dated `entry`: only in
/// the same calendar year, before the yearly report is made.
pub fn correctable(entry: Date, today: Date) -> bool {
    entry.year() == today.year()
}

/// Checks a correction: the entry must still be correctable, and the new
/// date must stay in the entry's year (an entry never moves to another
/// year's report).
pub fn check_correction(
    original: Date,
    corrected: Date,
    today: Date,
) -> Result<(), (&'static str, Problem)> {
    if !correctable(original, today) {
        return Err((field::DATE, Problem::new("counsel-error-closed-year")));
    }
    if corrected.year() != original.year() {
        return Err((
            field::DATE,
            Problem::new("counsel-error-other-year").with("year", original.year().to_string()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 6, 15).unwrap()
    }

    fn good() -> ConsultationInput<'static> {
        ConsultationInput {
            date: "2026-06-01",
            topic: "undesirable_behaviour",
            behaviour: "bullying",
            visitor: "employee",
            actions: vec!["advice", "listening", "advice"],
            contacts: "2",
            contact: "first",
        }
    }

    fn fields_of(input: &ConsultationInput<'_>) -> Vec<&'static str> {
        parse_consultation(input, today())
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect()
    }

    #[test]
    fn a_complete_entry_is_accepted_with_its_actions_once_in_order() {
        let c = parse_consultation(&good(), today()).unwrap();
        assert_eq!(c.behaviour, Some(BehaviourKind::Bullying));
        assert_eq!(
            c.actions,
            vec![CounselAction::Listening, CounselAction::Advice]
        );
        assert_eq!(c.contacts, 2);
        assert!(c.first_contact);
    }

    #[test]
    fn each_mistake_is_named_at_its_field() {
        let mut i = good();
        i.topic = "";
        i.behaviour = "";
        assert_eq!(fields_of(&i), [field::TOPIC]);

        let mut i = good();
        i.topic = "integrity_question";
        assert_eq!(fields_of(&i), [field::BEHAVIOUR], "kind without behaviour");

        let mut i = good();
        i.behaviour = "";
        assert_eq!(fields_of(&i), [field::BEHAVIOUR], "behaviour without kind");

        for contacts in ["0", "51", "", "twee", "-1"] {
            let mut i = good();
            i.contacts = contacts;
            assert_eq!(fields_of(&i), [field::CONTACTS], "{contacts}");
        }

        let mut i = good();
        i.date = "2026-06-16";
        assert_eq!(fields_of(&i), [field::DATE], "future");

        let mut i = good();
        i.actions = vec![];
        i.visitor = "neighbour";
        i.contact = "";
        assert_eq!(
            fields_of(&i),
            [field::VISITOR, field::ACTIONS, field::CONTACT]
        );
    }

    #[test]
    fn corrections_stay_within_the_year() {
        let jan = Date::new(2026, 1, 2).unwrap();
        let dec_last = Date::new(2025, 12, 30).unwrap();
        assert!(check_correction(jan, Date::new(2026, 3, 1).unwrap(), today()).is_ok());
        assert!(check_correction(jan, dec_last, today()).is_err());
        assert!(check_correction(dec_last, dec_last, today()).is_err());
    }

    #[test]
    fn codes_round_trip() {
        for t in Topic::ALL {
            assert_eq!(Topic::from_code(t.code()), Some(*t));
        }
        for k in BehaviourKind::ALL {
            assert_eq!(BehaviourKind::from_code(k.code()), Some(*k));
        }
        for v in Visitor::ALL {
            assert_eq!(Visitor::from_code(v.code()), Some(*v));
        }
        for a in CounselAction::ALL {
            assert_eq!(CounselAction::from_code(a.code()), Some(*a));
        }
    }
}
