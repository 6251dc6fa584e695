//! Learning and prevention: training records (the introduction training on
//! moral judgement, e-learnings, other courses), integrity in the HR
//! conversation cycle, moral deliberation sessions (*moreel beraad*) and
//! integrity on the agenda of team meetings (Leidschendam-Voorburg
//! integrity policy 2019, ch. 2 "Leeractiviteiten en trainingen"), and the
//! register of vulnerable functions and processes with their risks and
//! measures (LV ch. 4 "Beoordelen en overzicht kwetsbare functies").
//!
//! This module owns the code lists and the checks on what a person types;
//! every check returns [`Problem`]s keyed by form field.

use crate::Problem;
use crate::values::{parse_date, parse_optional_text};
use jiff::civil::Date;

macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order forms and counts show them.
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
    /// What kind of training a record is about.
    TrainingKind {
        /// The introduction training on moral judgement at the start of
        /// employment (LV: followed by the oath or affirmation).
        Introduction = "introduction",
        Elearning = "elearning",
        /// Any other course about integrity.
        Course = "course",
    }
}

code_list! {
    /// The optional theme of a moral deliberation session.
    Theme {
        Gifts = "gifts",
        SideActivities = "side_activities",
        Information = "information",
        ConflictsOfInterest = "conflicts_of_interest",
        Behaviour = "behaviour",
        Other = "other",
    }
}

code_list! {
    /// The area of a vulnerable function or process.
    RiskArea {
        Procurement = "procurement",
        Permits = "permits",
        Cash = "cash",
        SensitiveInformation = "sensitive_information",
        Enforcement = "enforcement",
        Other = "other",
    }
}

/// Most attendees one session may count.
pub const MAX_ATTENDEES: u32 = 1000;
/// Most characters of the dilemma topics of a session.
pub const MAX_TOPICS: usize = 500;
/// Most characters of a training title or a function name.
pub const MAX_TITLE: usize = 200;
/// Most characters of the risks or the measures of a vulnerable function.
pub const MAX_RISK_TEXT: usize = 4000;

/// Form field names, so that problems land next to the right field.
pub mod field {
    pub const KIND: &str = "soort";
    pub const TITLE: &str = "titel";
    pub const DATE: &str = "datum";
    pub const COMPLETED: &str = "afgerond";
    /// The people of a bulk training (picked or typed).
    pub const PEOPLE: &str = "deelnemers";
    pub const PERSON: &str = "persoon";
    pub const UNIT: &str = "eenheid";
    pub const ATTENDEES: &str = "aanwezigen";
    pub const TOPICS: &str = "onderwerpen";
    pub const THEME: &str = "thema";
    pub const NAME: &str = "naam";
    pub const AREA: &str = "gebied";
    pub const RISKS: &str = "risicos";
    pub const MEASURES: &str = "maatregelen";
    pub const OWNER: &str = "eigenaar";
    pub const REVIEW: &str = "herziening";
    pub const REVIEWED: &str = "herzien_op";
}

/// Problems keyed by form field.
pub type Problems = Vec<(&'static str, Problem)>;

/// Today's date in the Netherlands.
pub fn today() -> Date {
    let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap_or(jiff::tz::TimeZone::UTC);
    tz.to_datetime(jiff::Timestamp::now()).date()
}

/// A required date of something that already happened: not after `today`.
pub fn parse_past_date(
    raw: &str,
    today: Date,
    name: &'static str,
    problems: &mut Problems,
) -> Option<Date> {
    match raw.trim() {
        "" => {
            problems.push((name, Problem::new("learning-error-date-missing")));
            None
        }
        raw => match parse_date(raw) {
            Ok(d) if d > today => {
                problems.push((
                    name,
                    Problem::new("learning-error-date-future").with("today", today.to_string()),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(p) => {
                problems.push((name, p));
                None
            }
        },
    }
}

fn required_text(
    raw: &str,
    max: usize,
    missing: &'static str,
    name: &'static str,
    problems: &mut Problems,
) -> Option<String> {
    match parse_optional_text(raw, max) {
        Ok(Some(t)) => Some(t),
        Ok(None) => {
            problems.push((name, Problem::new(missing)));
            None
        }
        Err(p) => {
            problems.push((name, p));
            None
        }
    }
}

/// A checked training: one training, for one or more people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    pub kind: TrainingKind,
    pub title: String,
    pub date: Date,
    pub completed: bool,
}

/// A training as typed; `completed` is `ja` or `nee`.
#[derive(Debug, Clone, Default)]
pub struct TrainingInput<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub date: &'a str,
    pub completed: &'a str,
}

/// Checks a training. A training not yet completed may lie ahead (it is
/// planned); a completed one cannot be in the future.
pub fn parse_training(input: &TrainingInput<'_>, today: Date) -> Result<Training, Problems> {
    let mut problems = Vec::new();
    let kind = TrainingKind::from_code(input.kind.trim());
    if kind.is_none() {
        problems.push((field::KIND, Problem::new("learning-error-kind-missing")));
    }
    let title = required_text(
        input.title,
        MAX_TITLE,
        "learning-error-title-missing",
        field::TITLE,
        &mut problems,
    );
    let completed = match input.completed.trim() {
        "ja" => Some(true),
        "nee" => Some(false),
        _ => {
            problems.push((
                field::COMPLETED,
                Problem::new("learning-error-completed-missing"),
            ));
            None
        }
    };
    let date = if completed == Some(false) {
        // Planned: any valid date.
        match input.date.trim() {
            "" => {
                problems.push((field::DATE, Problem::new("learning-error-date-missing")));
                None
            }
            raw => parse_date(raw)
                .map_err(|p| problems.push((field::DATE, p)))
                .ok(),
        }
    } else {
        parse_past_date(input.date, today, field::DATE, &mut problems)
    };
    match (kind, title, date, completed) {
        (Some(kind), Some(title), Some(date), Some(completed)) if problems.is_empty() => {
            Ok(Training {
                kind,
                title,
                date,
                completed,
            })
        }
        _ => Err(problems),
    }
}

/// A checked moral deliberation session (the unit is checked by the caller
/// against what the person may record for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliberation {
    pub date: Date,
    pub attendees: u32,
    /// The dilemmas discussed, as topics without names.
    pub topics: String,
    pub theme: Option<Theme>,
}

#[derive(Debug, Clone, Default)]
pub struct DeliberationInput<'a> {
    pub date: &'a str,
    pub attendees: &'a str,
    pub topics: &'a str,
    pub theme: &'a str,
}

/// Checks a session: in the past, 1 to [`MAX_ATTENDEES`] attendees, topics
/// of at most [`MAX_TOPICS`] characters, a theme from the list or none.
pub fn parse_deliberation(
    input: &DeliberationInput<'_>,
    today: Date,
) -> Result<Deliberation, Problems> {
    let mut problems = Vec::new();
    let date = parse_past_date(input.date, today, field::DATE, &mut problems);
    let attendees = match input.attendees.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_ATTENDEES).contains(&n) => Some(n),
        _ => {
            problems.push((
                field::ATTENDEES,
                Problem::new("learning-error-attendees").with("max", MAX_ATTENDEES.to_string()),
            ));
            None
        }
    };
    let topics = required_text(
        input.topics,
        MAX_TOPICS,
        "learning-error-topics-missing",
        field::TOPICS,
        &mut problems,
    );
    let theme = match input.theme.trim() {
        "" => None,
        code => Theme::from_code(code).or_else(|| {
            problems.push((field::THEME, Problem::new("learning-error-theme")));
            None
        }),
    };
    match (date, attendees, topics) {
        (Some(date), Some(attendees), Some(topics)) if problems.is_empty() => Ok(Deliberation {
            date,
            attendees,
            topics,
            theme,
        }),
        _ => Err(problems),
    }
}

/// A checked entry of the register of vulnerable functions and processes
/// (the unit and the owner are resolved by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VulnerableFunction {
    pub name: String,
    pub area: RiskArea,
    pub risks: String,
    pub measures: String,
    /// Designated for reporting financial interests.
    pub financial: bool,
    /// Designated for publishing side activities.
    pub publication: bool,
}

#[derive(Debug, Clone, Default)]
pub struct VulnerableInput<'a> {
    pub name: &'a str,
    pub area: &'a str,
    pub risks: &'a str,
    pub measures: &'a str,
    pub financial: bool,
    pub publication: bool,
}

/// Checks an entry: a name, an area from the list, the risks and the
/// measures.
pub fn parse_vulnerable(input: &VulnerableInput<'_>) -> Result<VulnerableFunction, Problems> {
    let mut problems = Vec::new();
    let name = required_text(
        input.name,
        MAX_TITLE,
        "vulnerable-error-name-missing",
        field::NAME,
        &mut problems,
    );
    let area = RiskArea::from_code(input.area.trim());
    if area.is_none() {
        problems.push((field::AREA, Problem::new("vulnerable-error-area-missing")));
    }
    let risks = required_text(
        input.risks,
        MAX_RISK_TEXT,
        "vulnerable-error-risks-missing",
        field::RISKS,
        &mut problems,
    );
    let measures = required_text(
        input.measures,
        MAX_RISK_TEXT,
        "vulnerable-error-measures-missing",
        field::MEASURES,
        &mut problems,
    );
    match (name, area, risks, measures) {
        (Some(name), Some(area), Some(risks), Some(measures)) if problems.is_empty() => {
            Ok(VulnerableFunction {
                name,
                area,
                risks,
                measures,
                financial: input.financial,
                publication: input.publication,
            })
        }
        _ => Err(problems),
    }
}

/// The next review date: required, and after `after` (the day it is set,
/// or the day of the review).
pub fn parse_review_date(
    raw: &str,
    after: Date,
    name: &'static str,
    problems: &mut Problems,
) -> Option<Date> {
    match raw.trim() {
        "" => {
            problems.push((name, Problem::new("vulnerable-error-review-missing")));
            None
        }
        raw => match parse_date(raw) {
            Ok(d) if d <= after => {
                problems.push((
                    name,
                    Problem::new("vulnerable-error-review-past").with("date", after.to_string()),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(p) => {
                problems.push((name, p));
                None
            }
        },
    }
}

/// A review of an entry: done on `reviewed` (not in the future), next due
/// on `next` (after the review).
pub fn parse_review(reviewed: &str, next: &str, today: Date) -> Result<(Date, Date), Problems> {
    let mut problems = Vec::new();
    let done = parse_past_date(reviewed, today, field::REVIEWED, &mut problems);
    let next = done.and_then(|d| parse_review_date(next, d, field::REVIEW, &mut problems));
    match (done, next) {
        (Some(d), Some(n)) if problems.is_empty() => Ok((d, n)),
        _ => Err(problems),
    }
}

/// Whether a review due on `due` is overdue on `today`.
pub fn review_overdue(due: Date, today: Date) -> bool {
    due < today
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 6, 15).unwrap()
    }

    fn fields(p: &Problems) -> Vec<&'static str> {
        p.iter().map(|(f, _)| *f).collect()
    }

    #[test]
    fn a_planned_training_may_lie_ahead_a_completed_one_not() {
        let mut i = TrainingInput {
            kind: "elearning",
            title: "Integriteit in de praktijk",
            date: "2026-07-01",
            completed: "nee",
        };
        assert!(parse_training(&i, today()).is_ok());
        i.completed = "ja";
        let p = parse_training(&i, today()).unwrap_err();
        assert_eq!(fields(&p), [field::DATE]);
        assert_eq!(p[0].1.key, "learning-error-date-future");
        i.date = "15-06-2026";
        assert_eq!(parse_training(&i, today()).unwrap().date, today());
    }

    #[test]
    fn each_mistake_of_a_session_is_named_at_its_field() {
        let good = DeliberationInput {
            date: "2026-06-01",
            attendees: "8",
            topics: "Cadeau van een leverancier",
            theme: "gifts",
        };
        assert_eq!(
            parse_deliberation(&good, today()).unwrap().theme,
            Some(Theme::Gifts)
        );
        for n in ["0", "1001", "", "acht"] {
            let mut i = good.clone();
            i.attendees = n;
            assert_eq!(
                fields(&parse_deliberation(&i, today()).unwrap_err()),
                [field::ATTENDEES]
            );
        }
        let mut i = good.clone();
        let long = "x".repeat(MAX_TOPICS + 1);
        i.topics = &long;
        i.theme = "weather";
        assert_eq!(
            fields(&parse_deliberation(&i, today()).unwrap_err()),
            [field::TOPICS, field::THEME]
        );
    }

    #[test]
    fn a_vulnerable_function_needs_an_area_and_a_later_review() {
        let i = VulnerableInput {
            name: "Inkoper",
            area: "",
            risks: "Belangenverstrengeling",
            measures: "Vier ogen",
            ..Default::default()
        };
        assert_eq!(fields(&parse_vulnerable(&i).unwrap_err()), [field::AREA]);
        let p = parse_review("2026-06-01", "2026-05-01", today()).unwrap_err();
        assert_eq!(fields(&p), [field::REVIEW]);
        assert!(parse_review("2026-06-01", "2027-06-01", today()).is_ok());
        assert!(review_overdue(Date::new(2026, 6, 14).unwrap(), today()));
        assert!(!review_overdue(today(), today()));
    }

    #[test]
    fn codes_round_trip() {
        for k in TrainingKind::ALL {
            assert_eq!(TrainingKind::from_code(k.code()), Some(*k));
        }
        for t in Theme::ALL {
            assert_eq!(Theme::from_code(t.code()), Some(*t));
        }
        for a in RiskArea::ALL {
            assert_eq!(RiskArea::from_code(a.code()), Some(*a));
        }
    }
}
