//! Designated functions (*aangewezen functies*) and the publication of
//! their side activities (Ambtenarenwet 2017, article 8; docs/OPEN-DATA.md).
//!
//! The employer designates the functions whose side activities are made
//! public. Publication for them is a legal duty, not a matter of consent:
//! the person sees the exact text before it appears and may correct it,
//! but cannot keep a registered side activity out of the public register.
//!
//! Designation alone decides: a preset's `publish` obligation only tells
//! the employee (in "Mag dit?") that the side activity will be made public;
//! it never publishes by itself, because an obligation frozen in a decision
//! cannot follow a person who stops being designated.
//!
//! This module owns the rules, free of storage and HTTP:
//! - [`Designation`]: an organisation's setting (top officials, salary
//!   scale from N up, function titles) and whom it covers ([`Holder`]);
//!   people designated one by one carry the `designated_function` flag of
//!   their personnel record, which always counts;
//! - the defaults per bundled preset, as data citing the code of conduct
//!   (`policies/designation/<preset>.toml`, [`bundled_default`]);
//! - the checks on the administrator's form ([`parse_form`]) and on the
//!   person's correction of the public text ([`check_public_text`]);
//! - when a side activity becomes public ([`due_at`], [`is_public`]).

use crate::Problem;
use crate::policy::Citation;
use std::sync::OnceLock;

/// Days between telling the person and publication, unless the
/// organisation sets another number. The law makes publication a duty, so
/// it never waits for the person longer than this; confirming the text
/// publishes it at once. Two weeks leave time to read and correct it.
pub const DEFAULT_NOTICE_DAYS: i64 = 14;
/// The most days an organisation may set (0: publish at once, with the
/// person told).
pub const MAX_NOTICE_DAYS: i64 = 60;
/// The most function titles an organisation may designate.
pub const MAX_FUNCTION_TITLES: usize = 200;
/// The longest function title.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest public description of a side activity after a correction.
pub const MAX_PUBLIC_ACTIVITY_CHARS: usize = 300;
/// The longest public "where" after a correction.
pub const MAX_PUBLIC_ORGANISATION_CHARS: usize = 200;

const DAY: i64 = 86_400;

/// Problems with a form, per field (the field's name and the problem).
pub type FieldProblems = Vec<(&'static str, Problem)>;

/// Form field names, shared by the pages and their error messages.
pub mod field {
    pub const TOP_OFFICIALS: &str = "topfunctionarissen";
    pub const FROM_SCALE: &str = "vanaf_schaal";
    pub const FUNCTION_TITLES: &str = "functies";
    pub const NOTICE_DAYS: &str = "dagen";
    pub const PUBLIC_ACTIVITY: &str = "activiteit";
    pub const PUBLIC_ORGANISATION: &str = "organisatie";
}

/// An organisation's designation: whose side activities are published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Designation {
    /// Top officials (*topfunctionarissen*) are designated.
    pub top_officials: bool,
    /// Everyone in this salary scale or higher is designated.
    pub from_salary_scale: Option<u8>,
    /// These function titles are designated (compared without regard to
    /// case and spacing).
    pub function_titles: Vec<String>,
    /// Days from telling the person to publication.
    pub notice_days: i64,
}

impl Default for Designation {
    /// Nothing designated organisation-wide (people designated one by one
    /// still count).
    fn default() -> Self {
        Designation {
            top_officials: false,
            from_salary_scale: None,
            function_titles: Vec::new(),
            notice_days: DEFAULT_NOTICE_DAYS,
        }
    }
}

/// The facts of a personnel record that designation looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Holder<'a> {
    pub function_title: Option<&'a str>,
    pub salary_scale: Option<i64>,
    pub top_official: bool,
    /// Designated one by one (the personnel record's flag).
    pub designated_function: bool,
    /// The employment ended (the end date passed): nobody is designated
    /// after leaving.
    pub left: bool,
}

/// Why someone is designated; the first that holds, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    /// Designated one by one in the personnel record.
    Individual,
    TopOfficial,
    SalaryScale(u8),
    FunctionTitle,
}

impl Ground {
    /// The translation key that names the ground.
    pub fn label_key(self) -> &'static str {
        match self {
            Ground::Individual => "designation-ground-individual",
            Ground::TopOfficial => "designation-ground-top-official",
            Ground::SalaryScale(_) => "designation-ground-scale",
            Ground::FunctionTitle => "designation-ground-function",
        }
    }
}

/// A function title as compared: lower case, single spaces.
pub fn title_key(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Designation {
    /// Why `h` is designated, or `None`.
    pub fn ground(&self, h: &Holder) -> Option<Ground> {
        if h.left {
            return None;
        }
        if h.designated_function {
            return Some(Ground::Individual);
        }
        if self.top_officials && h.top_official {
            return Some(Ground::TopOfficial);
        }
        if let (Some(from), Some(scale)) = (self.from_salary_scale, h.salary_scale)
            && scale >= i64::from(from)
        {
            return Some(Ground::SalaryScale(from));
        }
        if let Some(title) = h.function_title {
            let key = title_key(title);
            if !key.is_empty() && self.function_titles.iter().any(|t| title_key(t) == key) {
                return Some(Ground::FunctionTitle);
            }
        }
        None
    }

    pub fn covers(&self, h: &Holder) -> bool {
        self.ground(h).is_some()
    }

    /// The function titles as the form shows them: one per line.
    pub fn titles_text(&self) -> String {
        self.function_titles.join("\n")
    }
}

/// When a side activity becomes public: `notice_days` after the person was
/// told.
pub fn due_at(informed_at: i64, notice_days: i64) -> i64 {
    informed_at + notice_days.clamp(0, MAX_NOTICE_DAYS) * DAY
}

/// Whether a side activity the person was told about is public at `now`:
/// they confirmed the text, or the notice period is over.
pub fn is_public(confirmed_at: Option<i64>, due_at: i64, now: i64) -> bool {
    confirmed_at.is_some() || due_at <= now
}

/// When it became (or becomes) public.
pub fn public_since(confirmed_at: Option<i64>, due_at: i64) -> i64 {
    confirmed_at.map_or(due_at, |c| c.min(due_at))
}

/// Checks the administrator's form. Problems come per field, in Dutch and
/// English through their keys.
pub fn parse_form(
    top_officials: &str,
    from_scale: &str,
    function_titles: &str,
    notice_days: &str,
) -> Result<Designation, FieldProblems> {
    let mut problems = Vec::new();
    let from_salary_scale = match from_scale.trim() {
        "" => None,
        raw => match crate::values::SalaryScale::parse(raw) {
            Ok(s) => Some(s.get()),
            Err(_) => {
                problems.push((
                    field::FROM_SCALE,
                    Problem::new("designation-error-scale")
                        .with("min", crate::values::SalaryScale::MIN.to_string())
                        .with("max", crate::values::SalaryScale::MAX.to_string()),
                ));
                None
            }
        },
    };
    let mut titles: Vec<String> = Vec::new();
    for line in function_titles.lines() {
        let title = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            continue;
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            problems.push((
                field::FUNCTION_TITLES,
                Problem::new("designation-error-title-long")
                    .with("max", MAX_TITLE_CHARS.to_string()),
            ));
            break;
        }
        if !titles.iter().any(|t| title_key(t) == title_key(&title)) {
            titles.push(title);
        }
    }
    if titles.len() > MAX_FUNCTION_TITLES {
        problems.push((
            field::FUNCTION_TITLES,
            Problem::new("designation-error-titles-many")
                .with("max", MAX_FUNCTION_TITLES.to_string()),
        ));
    }
    let notice = match notice_days.trim().parse::<i64>() {
        Ok(n) if (0..=MAX_NOTICE_DAYS).contains(&n) => n,
        _ => {
            problems.push((
                field::NOTICE_DAYS,
                Problem::new("designation-error-days").with("max", MAX_NOTICE_DAYS.to_string()),
            ));
            0
        }
    };
    if problems.is_empty() {
        Ok(Designation {
            top_officials: matches!(top_officials.trim(), "ja" | "yes" | "on" | "true"),
            from_salary_scale,
            function_titles: titles,
            notice_days: notice,
        })
    } else {
        Err(problems)
    }
}

/// The public text of a side activity after the person's correction:
/// the activity, and where it takes place (required when the declaration
/// names it: `organisation_required`). The person may reword it, never
/// remove it.
pub fn check_public_text(
    activity: &str,
    organisation: &str,
    organisation_required: bool,
) -> Result<(String, Option<String>), FieldProblems> {
    let mut problems = Vec::new();
    let activity = activity.split_whitespace().collect::<Vec<_>>().join(" ");
    if activity.is_empty() {
        problems.push((
            field::PUBLIC_ACTIVITY,
            Problem::new("publication-error-activity-empty"),
        ));
    } else if activity.chars().count() > MAX_PUBLIC_ACTIVITY_CHARS {
        problems.push((
            field::PUBLIC_ACTIVITY,
            Problem::new("error-text-too-long").with("max", MAX_PUBLIC_ACTIVITY_CHARS.to_string()),
        ));
    }
    let organisation = organisation
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if organisation.is_empty() && organisation_required {
        problems.push((
            field::PUBLIC_ORGANISATION,
            Problem::new("publication-error-organisation-empty"),
        ));
    } else if organisation.chars().count() > MAX_PUBLIC_ORGANISATION_CHARS {
        problems.push((
            field::PUBLIC_ORGANISATION,
            Problem::new("error-text-too-long")
                .with("max", MAX_PUBLIC_ORGANISATION_CHARS.to_string()),
        ));
    }
    if problems.is_empty() {
        Ok((activity, (!organisation.is_empty()).then_some(organisation)))
    } else {
        Err(problems)
    }
}

// --- The defaults per bundled preset -----------------------------------------

/// A bundled preset's default designation, with the sections of the code
/// of conduct it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetDesignation {
    /// The preset's name (the file stem).
    pub preset: String,
    pub designation: Designation,
    /// At least one; each resolves in the preset's documents or the
    /// Ambtenarenwet baseline.
    pub citations: Vec<Citation>,
    /// The rule in plain words.
    pub nl: String,
    pub en: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    designation: RawDesignation,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDesignation {
    preset: String,
    #[serde(default)]
    top_officials: bool,
    #[serde(default)]
    from_salary_scale: Option<u8>,
    #[serde(default)]
    function_titles: Vec<String>,
    #[serde(default)]
    notice_days: Option<i64>,
    cite: Vec<Citation>,
    nl: String,
    en: String,
}

/// Why a designation file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("designation {name}: {reason}")]
pub struct DesignationFileError {
    pub name: String,
    pub reason: String,
}

impl PresetDesignation {
    /// Parses and checks a designation file; `name` is the file stem.
    pub fn from_toml_str(name: &str, source: &str) -> Result<Self, DesignationFileError> {
        let fail = |reason: String| DesignationFileError {
            name: name.to_string(),
            reason,
        };
        let raw: RawFile = toml::from_str(source).map_err(|e| fail(e.message().to_string()))?;
        let d = raw.designation;
        if d.preset != name {
            return Err(fail(format!(
                "preset is {:?}, the file is {name:?}",
                d.preset
            )));
        }
        if d.cite.is_empty() {
            return Err(fail("cite needs at least one section".into()));
        }
        if d.nl.trim().is_empty() || d.en.trim().is_empty() {
            return Err(fail("nl and en must say what is designated".into()));
        }
        let titles = d.function_titles.join("\n");
        let scale = d
            .from_salary_scale
            .map(|s| s.to_string())
            .unwrap_or_default();
        let notice = d.notice_days.unwrap_or(DEFAULT_NOTICE_DAYS).to_string();
        let yes = if d.top_officials { "ja" } else { "" };
        let designation = parse_form(yes, &scale, &titles, &notice).map_err(|problems| {
            fail(
                problems
                    .iter()
                    .map(|(f, p)| format!("{f}: {p}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        Ok(PresetDesignation {
            preset: d.preset,
            designation,
            citations: d.cite,
            nl: d.nl,
            en: d.en,
        })
    }
}

const SOURCES: [(&str, &str); 4] = [
    (
        "leidschendam-voorburg",
        include_str!("../../../policies/designation/leidschendam-voorburg.toml"),
    ),
    (
        "maastricht",
        include_str!("../../../policies/designation/maastricht.toml"),
    ),
    (
        "dalfsen",
        include_str!("../../../policies/designation/dalfsen.toml"),
    ),
    (
        "provincie-limburg",
        include_str!("../../../policies/designation/provincie-limburg.toml"),
    ),
];

/// Every bundled default, parsed once.
///
/// # Panics
/// If a bundled file is invalid: a build defect that the tests catch.
pub fn bundled_defaults() -> &'static [PresetDesignation] {
    static DEFAULTS: OnceLock<Vec<PresetDesignation>> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(name, source)| {
                PresetDesignation::from_toml_str(name, source)
                    .unwrap_or_else(|e| panic!("bundled designation is invalid: {e}"))
            })
            .collect()
    })
}

/// The default of a bundled preset.
pub fn bundled_default(preset: &str) -> Option<&'static PresetDesignation> {
    bundled_defaults().iter().find(|d| d.preset == preset)
}

/// The designation an organisation on `preset` has until an administrator
/// changes it: the preset's default, or nothing designated for a preset
/// without one.
pub fn default_for(preset: &str) -> Designation {
    bundled_default(preset)
        .map(|d| d.designation.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::bundled_preset;

    #[test]
    fn all_four_bundled_defaults_load_and_cite_their_code() {
        let names: Vec<&str> = bundled_defaults()
            .iter()
            .map(|d| d.preset.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "leidschendam-voorburg",
                "maastricht",
                "dalfsen",
                "provincie-limburg"
            ]
        );
        for d in bundled_defaults() {
            let preset = bundled_preset(&d.preset).expect("a bundled preset of that name");
            for c in &d.citations {
                assert!(
                    preset.resolve(c).is_some(),
                    "{}: {}#{} does not resolve",
                    d.preset,
                    c.document,
                    c.section
                );
            }
        }
    }

    #[test]
    fn the_defaults_follow_the_codes() {
        // Maastricht, chapter 2, explanation of rule 3: top officials.
        let m = default_for("maastricht");
        assert!(m.top_officials);
        assert_eq!(m.from_salary_scale, None);
        // Provincie Limburg, article 3.5: salary scale 14 and up.
        let l = default_for("provincie-limburg");
        assert!(!l.top_officials);
        assert_eq!(l.from_salary_scale, Some(14));
        // Leidschendam-Voorburg and Dalfsen designate nothing by default.
        for none in ["leidschendam-voorburg", "dalfsen"] {
            let d = default_for(none);
            assert!(!d.top_officials && d.from_salary_scale.is_none());
            assert!(d.function_titles.is_empty());
        }
        assert_eq!(default_for("onbekend"), Designation::default());
    }

    #[test]
    fn who_is_covered_and_why() {
        let d = Designation {
            top_officials: true,
            from_salary_scale: Some(14),
            function_titles: vec!["Concerncontroller".into()],
            notice_days: 14,
        };
        let h = |title: Option<&'static str>, scale, top, flag, left| Holder {
            function_title: title,
            salary_scale: scale,
            top_official: top,
            designated_function: flag,
            left,
        };
        assert_eq!(
            d.ground(&h(None, Some(9), false, true, false)),
            Some(Ground::Individual)
        );
        assert_eq!(
            d.ground(&h(None, None, true, false, false)),
            Some(Ground::TopOfficial)
        );
        assert_eq!(
            d.ground(&h(None, Some(14), false, false, false)),
            Some(Ground::SalaryScale(14))
        );
        assert_eq!(d.ground(&h(None, Some(13), false, false, false)), None);
        assert_eq!(
            d.ground(&h(
                Some("  CONCERNcontroller "),
                Some(10),
                false,
                false,
                false
            )),
            Some(Ground::FunctionTitle)
        );
        assert_eq!(
            d.ground(&h(Some("Controller"), None, false, false, false)),
            None
        );
        // Nobody is designated after leaving.
        assert_eq!(d.ground(&h(None, Some(16), true, true, true)), None);
        // Without an organisation-wide designation only the flag counts.
        let none = Designation::default();
        assert!(!none.covers(&h(Some("Concerncontroller"), Some(18), true, false, false)));
        assert!(none.covers(&h(None, None, false, true, false)));
    }

    #[test]
    fn the_form_is_checked_per_field() {
        let ok = parse_form(
            "ja",
            " 14 ",
            "Inkoper\n\n  inkoper \nGemeentesecretaris",
            "0",
        )
        .unwrap();
        assert!(ok.top_officials);
        assert_eq!(ok.from_salary_scale, Some(14));
        assert_eq!(ok.function_titles, ["Inkoper", "Gemeentesecretaris"]);
        assert_eq!(ok.notice_days, 0);
        let none = parse_form("", "", "", "14").unwrap();
        assert_eq!(none, Designation::default());
        let bad = parse_form("", "19", &"x".repeat(201), "61").unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                field::FROM_SCALE,
                field::FUNCTION_TITLES,
                field::NOTICE_DAYS
            ]
        );
        let many: String = (0..=MAX_FUNCTION_TITLES)
            .map(|i| format!("Functie {i}\n"))
            .collect();
        assert_eq!(
            parse_form("", "", &many, "14").unwrap_err()[0].0,
            field::FUNCTION_TITLES
        );
        assert!(parse_form("", "abc", "", "x").is_err());
    }

    #[test]
    fn the_public_text_can_be_reworded_but_not_removed() {
        assert_eq!(
            check_public_text("  Lid   raad van toezicht ", " ", false),
            Ok(("Lid raad van toezicht".to_string(), None))
        );
        assert_eq!(
            check_public_text("Voorzitter", "Stichting X", true)
                .unwrap()
                .1
                .as_deref(),
            Some("Stichting X")
        );
        assert_eq!(
            check_public_text("   ", "", false).unwrap_err()[0].0,
            field::PUBLIC_ACTIVITY
        );
        // Where it takes place cannot be dropped once declared.
        assert_eq!(
            check_public_text("Voorzitter", " ", true).unwrap_err()[0].0,
            field::PUBLIC_ORGANISATION
        );
        let long = "x".repeat(MAX_PUBLIC_ACTIVITY_CHARS + 1);
        assert!(check_public_text(&long, "", false).is_err());
        let long = "x".repeat(MAX_PUBLIC_ORGANISATION_CHARS + 1);
        assert_eq!(
            check_public_text("a", &long, false).unwrap_err()[0].0,
            field::PUBLIC_ORGANISATION
        );
    }

    #[test]
    fn publication_waits_at_most_the_notice_period() {
        let told = 1_000_000;
        let due = due_at(told, 14);
        assert_eq!(due, told + 14 * DAY);
        assert!(!is_public(None, due, due - 1));
        assert!(is_public(None, due, due));
        assert!(is_public(Some(told + 5), due, told + 6));
        assert_eq!(public_since(Some(told + 5), due), told + 5);
        assert_eq!(public_since(None, due), due);
        // At once, with the person told.
        assert!(is_public(None, due_at(told, 0), told));
    }

    #[test]
    fn a_bad_file_is_refused_with_its_reason() {
        let wrong_name = "[designation]\npreset = \"x\"\ncite = [{ document = \"d\", section = \"1\" }]\nnl = \"a\"\nen = \"b\"\n";
        assert!(PresetDesignation::from_toml_str("y", wrong_name).is_err());
        let no_cite = "[designation]\npreset = \"y\"\ncite = []\nnl = \"a\"\nen = \"b\"\n";
        assert!(PresetDesignation::from_toml_str("y", no_cite).is_err());
        let unknown = "[designation]\npreset = \"y\"\nscale = 3\ncite = [{ document = \"d\", section = \"1\" }]\nnl = \"a\"\nen = \"b\"\n";
        assert!(PresetDesignation::from_toml_str("y", unknown).is_err());
        let bad_scale = "[designation]\npreset = \"y\"\nfrom_salary_scale = 30\ncite = [{ document = \"d\", section = \"1\" }]\nnl = \"a\"\nen = \"b\"\n";
        assert!(PresetDesignation::from_toml_str("y", bad_scale).is_err());
    }
}
