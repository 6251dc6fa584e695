//! Prevention at the start of employment and around the code of conduct
//! (DOMAIN.md section 5, docs/PREVENTION.md): the oath or affirmation
//! (*eed of belofte*, Ambtenarenwet 2017 art. 7) and when it is overdue,
//! screening at hiring (VOG, references, diplomas, the signed integrity
//! declaration) and which items a hire still lacks, the acknowledgement of
//! the code of conduct in force, and the code's review date.
//!
//! Pure rules and input checks; the store keeps the records and the web
//! layer shows them.

use crate::Problem;
use crate::org::EmploymentType;
use jiff::ToSpan;
use jiff::civil::Date;

/// Days after the start date within which the oath or affirmation must be
/// taken, unless the organisation sets another number. Leidschendam-
/// Voorburg takes it at the end of the introduction training for new
/// staff (integrity policy 2019, ch. 4 "Afleggen eed of belofte"); the
/// seeds set no number of days, so the default gives three months.
pub const DEFAULT_OATH_DAYS: i64 = 90;
/// The most days an organisation may set.
pub const MAX_OATH_DAYS: i64 = 730;

/// Years between reviews of the code of conduct, unless the organisation
/// sets another number: Maastricht's code says it is looked at again "at
/// least every 2 years" (Gedragscode ambtelijke organisatie, introduction
/// "Regels die houvast bieden").
pub const DEFAULT_REVIEW_YEARS: i64 = 2;
/// The most years an organisation may set.
pub const MAX_REVIEW_YEARS: i64 = 10;

/// Days before the review date that the integrity office is reminded.
pub const REVIEW_REMINDER_DAYS: i64 = 30;

/// The longest "before whom" text (a name and a function).
pub const MAX_BEFORE_WHOM: usize = 200;

/// Form field names, shared by the pages and their error messages.
pub mod field {
    pub const KIND: &str = "soort";
    pub const DATE: &str = "datum";
    pub const BEFORE_WHOM: &str = "ten_overstaan";
    pub const VOG_REQUESTED: &str = "vog_aangevraagd";
    pub const VOG_RECEIVED: &str = "vog_ontvangen";
    pub const REFERENCES: &str = "referenties";
    pub const DIPLOMAS: &str = "diplomas";
    pub const DECLARATION: &str = "verklaring";
    pub const FORMER: &str = "oud_medewerker";
    pub const LEFT_ON: &str = "uit_dienst";
    pub const COMPELLING: &str = "zwaarwegend";
    pub const OATH_DAYS: &str = "eed_dagen";
    pub const REVIEWED_ON: &str = "code_vastgesteld";
    pub const REVIEW_YEARS: &str = "herzien_jaren";
}

/// Oath (*eed*) or affirmation (*belofte*): the same promise, with or
/// without an appeal to God.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OathKind {
    Oath,
    Affirmation,
}

impl OathKind {
    pub const ALL: [OathKind; 2] = [OathKind::Oath, OathKind::Affirmation];

    /// The stable code, stored and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            OathKind::Oath => "oath",
            OathKind::Affirmation => "affirmation",
        }
    }

    pub fn from_code(code: &str) -> Option<OathKind> {
        match code.trim() {
            "oath" | "eed" => Some(OathKind::Oath),
            "affirmation" | "belofte" => Some(OathKind::Affirmation),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            OathKind::Oath => "prevention-oath-kind-oath",
            OathKind::Affirmation => "prevention-oath-kind-affirmation",
        }
    }
}

/// The kind of public body, which decides the oath's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Gemeente,
    Provincie,
    Waterschap,
}

impl BodyKind {
    /// From a preset's name: presets are named after the body
    /// (`provincie-...`, `waterschap-...`); anything else is a
    /// municipality, the common case.
    pub fn of_preset(name: &str) -> BodyKind {
        if name.starts_with("provincie-") {
            BodyKind::Provincie
        } else if name.starts_with("waterschap-") || name.starts_with("hoogheemraadschap-") {
            BodyKind::Waterschap
        } else {
            BodyKind::Gemeente
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            BodyKind::Gemeente => "gemeente",
            BodyKind::Provincie => "provincie",
            BodyKind::Waterschap => "waterschap",
        }
    }
}

/// The texts of the oath and the affirmation for one kind of body, with
/// where they come from (`policies/oath/*.toml`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct OathTexts {
    pub organisation_kind: String,
    /// The source, in Dutch.
    pub source: String,
    /// The source, in English.
    pub source_en: String,
    pub oath: String,
    pub affirmation: String,
}

impl OathTexts {
    /// The paragraphs of the oath or the affirmation.
    pub fn paragraphs(&self, kind: OathKind) -> Vec<&str> {
        let text = match kind {
            OathKind::Oath => &self.oath,
            OathKind::Affirmation => &self.affirmation,
        };
        text.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }
}

const OATH_SOURCES: [(BodyKind, &str); 3] = [
    (
        BodyKind::Gemeente,
        include_str!("../../../policies/oath/gemeente.toml"),
    ),
    (
        BodyKind::Provincie,
        include_str!("../../../policies/oath/provincie.toml"),
    ),
    (
        BodyKind::Waterschap,
        include_str!("../../../policies/oath/waterschap.toml"),
    ),
];

/// The bundled texts for a kind of body (parsed once).
pub fn oath_texts(kind: BodyKind) -> &'static OathTexts {
    static PARSED: std::sync::OnceLock<Vec<(BodyKind, OathTexts)>> = std::sync::OnceLock::new();
    let all = PARSED.get_or_init(|| {
        OATH_SOURCES
            .iter()
            .map(|(k, src)| {
                let texts: OathTexts = toml::from_str(src).expect("bundled oath texts parse");
                (*k, texts)
            })
            .collect()
    });
    all.iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, t)| t)
        .expect("every body kind has texts")
}

/// The last day to take the oath: the start date plus the set days.
pub fn oath_due(start: Date, days: i64) -> Date {
    start.checked_add(days.days()).unwrap_or(start)
}

/// Whether someone is overdue for the oath on `today`: they started, the
/// set days have passed, they have not taken it, and they have not left.
pub fn oath_overdue(
    start: Option<Date>,
    end: Option<Date>,
    sworn: bool,
    days: i64,
    today: Date,
) -> bool {
    let Some(start) = start else { return false };
    !sworn && oath_due(start, days) < today && end.is_none_or(|e| e >= today)
}

/// People who started before this date (and did not take the oath) are
/// overdue on `today`: the store compares start dates as text with it.
pub fn overdue_before(today: Date, days: i64) -> Date {
    today.checked_sub(days.days()).unwrap_or(today)
}

/// An oath or affirmation as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oath {
    pub kind: OathKind,
    pub taken_on: Date,
    /// Before whom: a name and a function, as free text.
    pub before_whom: String,
}

fn required_date(raw: &str, missing: &'static str, today: Date) -> Result<Date, Problem> {
    if raw.trim().is_empty() {
        return Err(Problem::new(missing));
    }
    let date = crate::values::parse_date(raw)?;
    if date > today {
        return Err(Problem::new("prevention-error-future").with("date", date.to_string()));
    }
    Ok(date)
}

fn optional_date(raw: &str, today: Date) -> Result<Option<Date>, Problem> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let date = crate::values::parse_date(raw)?;
    if date > today {
        return Err(Problem::new("prevention-error-future").with("date", date.to_string()));
    }
    Ok(Some(date))
}

/// Checks an oath as HR enters it: a kind, a date not in the future, and
/// before whom.
pub fn parse_oath(
    kind: &str,
    date: &str,
    before_whom: &str,
    today: Date,
) -> Result<Oath, Vec<(&'static str, Problem)>> {
    let mut problems = Vec::new();
    let kind = OathKind::from_code(kind);
    if kind.is_none() {
        problems.push((field::KIND, Problem::new("prevention-error-kind")));
    }
    let taken_on = required_date(date, "prevention-error-date-missing", today)
        .map_err(|p| problems.push((field::DATE, p)))
        .ok();
    let before = before_whom.trim();
    if before.is_empty() {
        problems.push((field::BEFORE_WHOM, Problem::new("prevention-error-before")));
    } else if before.chars().count() > MAX_BEFORE_WHOM {
        problems.push((
            field::BEFORE_WHOM,
            Problem::new("prevention-error-too-long").with("max", MAX_BEFORE_WHOM.to_string()),
        ));
    }
    match (kind, taken_on) {
        (Some(kind), Some(taken_on)) if problems.is_empty() => Ok(Oath {
            kind,
            taken_on,
            before_whom: before.to_string(),
        }),
        _ => Err(problems),
    }
}

/// One item of screening at hiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreeningItem {
    VogRequested,
    VogReceived,
    References,
    Diplomas,
    Declaration,
}

impl ScreeningItem {
    pub const ALL: [ScreeningItem; 5] = [
        ScreeningItem::VogRequested,
        ScreeningItem::VogReceived,
        ScreeningItem::References,
        ScreeningItem::Diplomas,
        ScreeningItem::Declaration,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ScreeningItem::VogRequested => "vog_requested",
            ScreeningItem::VogReceived => "vog_received",
            ScreeningItem::References => "references",
            ScreeningItem::Diplomas => "diplomas",
            ScreeningItem::Declaration => "declaration",
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            ScreeningItem::VogRequested => field::VOG_REQUESTED,
            ScreeningItem::VogReceived => field::VOG_RECEIVED,
            ScreeningItem::References => field::REFERENCES,
            ScreeningItem::Diplomas => field::DIPLOMAS,
            ScreeningItem::Declaration => field::DECLARATION,
        }
    }

    pub fn label_key(self) -> String {
        format!("prevention-screening-{}", self.code())
    }
}

/// Which items apply to a hire. Leidschendam-Voorburg's integrity policy
/// (2019, ch. 3 HR and ch. 4 "Aanstellingsbeleid"): references and
/// diplomas are checked and a VOG is requested when a new employee joins;
/// hired staff and interns sign the integrity declaration instead. The
/// others who work for the body without being its employee (volunteers,
/// the seconded, the self-employed) sign the declaration too.
pub fn required_items(employment: EmploymentType) -> &'static [ScreeningItem] {
    match employment {
        EmploymentType::CivilServant => &[
            ScreeningItem::VogRequested,
            ScreeningItem::VogReceived,
            ScreeningItem::References,
            ScreeningItem::Diplomas,
        ],
        EmploymentType::Hired
        | EmploymentType::Intern
        | EmploymentType::Volunteer
        | EmploymentType::Seconded
        | EmploymentType::SelfEmployed => &[ScreeningItem::Declaration],
    }
}

/// The screening dates of one hire (each `None` until done), and whether
/// they are a former employee.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Screening {
    pub vog_requested: Option<Date>,
    pub vog_received: Option<Date>,
    pub references: Option<Date>,
    pub diplomas: Option<Date>,
    pub declaration: Option<Date>,
    /// When a former employee left the organisation before this hire.
    pub former_left_on: Option<Date>,
    /// Compelling reasons to hire a former employee (the Maastricht rule).
    pub compelling_reasons: bool,
}

impl Screening {
    pub fn date_of(&self, item: ScreeningItem) -> Option<Date> {
        match item {
            ScreeningItem::VogRequested => self.vog_requested,
            ScreeningItem::VogReceived => self.vog_received,
            ScreeningItem::References => self.references,
            ScreeningItem::Diplomas => self.diplomas,
            ScreeningItem::Declaration => self.declaration,
        }
    }

    /// The items that apply and are not done yet.
    pub fn open_items(&self, employment: EmploymentType) -> Vec<ScreeningItem> {
        required_items(employment)
            .iter()
            .copied()
            .filter(|i| self.date_of(*i).is_none())
            .collect()
    }
}

/// The screening form as entered (all text, from the form).
#[derive(Debug, Clone, Default)]
pub struct ScreeningInput<'a> {
    pub vog_requested: &'a str,
    pub vog_received: &'a str,
    pub references: &'a str,
    pub diplomas: &'a str,
    pub declaration: &'a str,
    pub former: bool,
    pub left_on: &'a str,
    pub compelling: bool,
}

/// Checks the screening form: dates valid and not in the future; a VOG
/// cannot arrive before it was requested; a former employee needs the date
/// they left.
pub fn parse_screening(
    input: &ScreeningInput<'_>,
    today: Date,
) -> Result<Screening, Vec<(&'static str, Problem)>> {
    let mut problems = Vec::new();
    let mut date = |f: &'static str, raw: &str| {
        optional_date(raw, today)
            .map_err(|p| problems.push((f, p)))
            .ok()
            .flatten()
    };
    let mut s = Screening {
        vog_requested: date(field::VOG_REQUESTED, input.vog_requested),
        vog_received: date(field::VOG_RECEIVED, input.vog_received),
        references: date(field::REFERENCES, input.references),
        diplomas: date(field::DIPLOMAS, input.diplomas),
        declaration: date(field::DECLARATION, input.declaration),
        former_left_on: None,
        compelling_reasons: false,
    };
    if input.former {
        s.former_left_on = date(field::LEFT_ON, input.left_on);
        s.compelling_reasons = input.compelling;
    }
    if input.former && input.left_on.trim().is_empty() {
        problems.push((
            field::LEFT_ON,
            Problem::new("prevention-error-left-missing"),
        ));
    }
    match (s.vog_requested, s.vog_received) {
        (None, Some(_)) if !problems.iter().any(|(f, _)| *f == field::VOG_REQUESTED) => {
            problems.push((
                field::VOG_RECEIVED,
                Problem::new("prevention-error-vog-not-requested"),
            ));
        }
        (Some(requested), Some(received)) if received < requested => problems.push((
            field::VOG_RECEIVED,
            Problem::new("prevention-error-vog-order")
                .with("requested", requested.to_string())
                .with("received", received.to_string()),
        )),
        _ => {}
    }
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(problems)
    }
}

/// Whole months from leaving to being hired again (what the policy
/// engine's `months_since_departure` asks), never negative.
pub fn months_between(left: Date, hired: Date) -> i64 {
    if hired <= left {
        return 0;
    }
    let mut months =
        i64::from(hired.year() - left.year()) * 12 + i64::from(hired.month() - left.month());
    if hired.day() < left.day() {
        months -= 1;
    }
    months.max(0)
}

/// The next review of the code of conduct: the date it was adopted or last
/// reviewed plus the interval.
pub fn next_review(reviewed_on: Date, years: i64) -> Date {
    reviewed_on
        .checked_add(years.years())
        .unwrap_or(reviewed_on)
}

/// Whether the reminder for a review on `due` should go out on `today`.
pub fn review_reminder_due(due: Date, today: Date) -> bool {
    due.checked_sub(REVIEW_REMINDER_DAYS.days())
        .is_ok_and(|from| today >= from)
}

/// The organisation's prevention settings as entered by an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub oath_days: i64,
    pub code_reviewed_on: Option<Date>,
    pub review_years: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            oath_days: DEFAULT_OATH_DAYS,
            code_reviewed_on: None,
            review_years: DEFAULT_REVIEW_YEARS,
        }
    }
}

/// Checks the settings form.
pub fn parse_settings(
    oath_days: &str,
    reviewed_on: &str,
    review_years: &str,
    today: Date,
) -> Result<Settings, Vec<(&'static str, Problem)>> {
    let mut problems = Vec::new();
    let days = match oath_days.trim().parse::<i64>() {
        Ok(n) if (1..=MAX_OATH_DAYS).contains(&n) => n,
        _ => {
            problems.push((
                field::OATH_DAYS,
                Problem::new("prevention-error-days").with("max", MAX_OATH_DAYS.to_string()),
            ));
            0
        }
    };
    let reviewed = optional_date(reviewed_on, today)
        .map_err(|p| problems.push((field::REVIEWED_ON, p)))
        .ok()
        .flatten();
    let years = match review_years.trim().parse::<i64>() {
        Ok(n) if (1..=MAX_REVIEW_YEARS).contains(&n) => n,
        _ => {
            problems.push((
                field::REVIEW_YEARS,
                Problem::new("prevention-error-years").with("max", MAX_REVIEW_YEARS.to_string()),
            ));
            0
        }
    };
    if problems.is_empty() {
        Ok(Settings {
            oath_days: days,
            code_reviewed_on: reviewed,
            review_years: years,
        })
    } else {
        Err(problems)
    }
}

/// Whether a person must acknowledge the code (again): never did, or the
/// code in force changed since (compared by the text's digest).
pub fn must_acknowledge(current_digest: &str, acknowledged_digest: Option<&str>) -> bool {
    acknowledged_digest != Some(current_digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_oath_is_overdue_after_the_set_days_unless_taken_or_left() {
        let today = date(2025, 6, 1);
        let start = Some(date(2025, 1, 1));
        assert!(oath_overdue(start, None, false, 90, today));
        assert!(!oath_overdue(start, None, true, 90, today));
        assert!(!oath_overdue(
            start,
            Some(date(2025, 5, 1)),
            false,
            90,
            today
        ));
        assert!(!oath_overdue(
            Some(date(2025, 4, 1)),
            None,
            false,
            90,
            today
        ));
        assert!(!oath_overdue(None, None, false, 90, today));
        // The last day itself is not late yet.
        assert!(!oath_overdue(
            Some(date(2025, 3, 3)),
            None,
            false,
            90,
            today
        ));
        assert!(oath_overdue(Some(date(2025, 3, 2)), None, false, 90, today));
        assert_eq!(overdue_before(today, 90), date(2025, 3, 3));
    }

    #[test]
    fn an_oath_needs_kind_date_in_the_past_and_before_whom() {
        let today = date(2025, 6, 1);
        let ok = parse_oath("oath", "2025-05-01", "J. Jansen, gemeentesecretaris", today).unwrap();
        assert_eq!(ok.kind, OathKind::Oath);
        let e = parse_oath("", "2025-07-01", "", today).unwrap_err();
        let keys: Vec<_> = e.iter().map(|(f, p)| (*f, p.key)).collect();
        assert_eq!(
            keys,
            [
                (field::KIND, "prevention-error-kind"),
                (field::DATE, "prevention-error-future"),
                (field::BEFORE_WHOM, "prevention-error-before"),
            ]
        );
        assert!(parse_oath("belofte", "01-05-2025", "X", today).is_ok());
    }

    #[test]
    fn screening_dates_keep_their_order() {
        let today = date(2025, 6, 1);
        let input = ScreeningInput {
            vog_requested: "2025-05-10",
            vog_received: "2025-05-01",
            ..Default::default()
        };
        let e = parse_screening(&input, today).unwrap_err();
        assert_eq!(e[0].1.key, "prevention-error-vog-order");
        let input = ScreeningInput {
            vog_received: "2025-05-01",
            ..Default::default()
        };
        let e = parse_screening(&input, today).unwrap_err();
        assert_eq!(e[0].1.key, "prevention-error-vog-not-requested");
        let input = ScreeningInput {
            former: true,
            ..Default::default()
        };
        let e = parse_screening(&input, today).unwrap_err();
        assert_eq!(
            e[0],
            (
                field::LEFT_ON,
                Problem::new("prevention-error-left-missing")
            )
        );
    }

    #[test]
    fn open_items_depend_on_the_kind_of_employment() {
        let s = Screening {
            vog_requested: Some(date(2025, 1, 1)),
            ..Default::default()
        };
        assert_eq!(
            s.open_items(EmploymentType::CivilServant),
            [
                ScreeningItem::VogReceived,
                ScreeningItem::References,
                ScreeningItem::Diplomas
            ]
        );
        assert_eq!(
            s.open_items(EmploymentType::Intern),
            [ScreeningItem::Declaration]
        );
    }

    #[test]
    fn months_since_leaving() {
        assert_eq!(months_between(date(2023, 6, 15), date(2025, 6, 14)), 23);
        assert_eq!(months_between(date(2023, 6, 15), date(2025, 6, 15)), 24);
        assert_eq!(months_between(date(2025, 6, 15), date(2025, 1, 1)), 0);
    }

    #[test]
    fn review_dates_and_reminders() {
        let next = next_review(date(2024, 3, 1), 2);
        assert_eq!(next, date(2026, 3, 1));
        // 30 days ahead: from 30 January.
        assert!(!review_reminder_due(next, date(2026, 1, 29)));
        assert!(review_reminder_due(next, date(2026, 1, 30)));
    }

    #[test]
    fn every_body_kind_has_both_texts() {
        for kind in [
            BodyKind::Gemeente,
            BodyKind::Provincie,
            BodyKind::Waterschap,
        ] {
            let t = oath_texts(kind);
            assert_eq!(t.organisation_kind, kind.code());
            assert!(t.paragraphs(OathKind::Oath).len() >= 3);
            assert!(t.oath.contains("Ik zweer"));
            assert!(t.affirmation.contains("Dat verklaar en beloof ik"));
            assert!(!t.source.is_empty() && !t.source_en.is_empty());
        }
        assert_eq!(
            BodyKind::of_preset("provincie-limburg"),
            BodyKind::Provincie
        );
        assert_eq!(BodyKind::of_preset("maastricht"), BodyKind::Gemeente);
    }

    #[test]
    fn acknowledging_again_when_the_code_changed() {
        assert!(must_acknowledge("abc", None));
        assert!(must_acknowledge("abc", Some("def")));
        assert!(!must_acknowledge("abc", Some("abc")));
    }
}
