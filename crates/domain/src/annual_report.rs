//! The annual integrity report (*jaarverslag integriteit*, LV policy 2.3):
//! the figures of one organisation and year in typed sections, the tables
//! they make, the suppression of small counts for the publishable version,
//! the narrative the integrity office writes, and the report as CSV and
//! JSON. Pure: the store computes [`AnnualFigures`], the web layer and the
//! command line show a [`Document`]. See docs/ANNUAL-REPORT.md.
//!
//! - [`suppression`]: counts from 1 to 4 become "< 5", and whatever would
//!   let a reader work them out is hidden too.
//! - [`chart`]: hand-written SVG bar charts with a text alternative.

pub mod chart;
pub mod suppression;

use crate::Problem;
use crate::i18n::{Catalog, Lang};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use suppression::{Shown, ShownTable, suppress};

/// A count per code, in the order of its code list (zeros included).
pub type Breakdown = Vec<(String, i64)>;

/// Reports of suspected wrongdoing (cases of kind `report`) received in the
/// year, by category, channel and outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFigures {
    pub received: i64,
    /// Category codes, then `uncategorised`.
    pub by_category: Breakdown,
    pub by_channel: Breakdown,
    /// [`OUTCOMES`].
    pub by_outcome: Breakdown,
}

/// Measures and investigations of all cases (reports and complaints)
/// received in the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlingFigures {
    /// Cases per measure (one case may have several); `police_report` is
    /// the number of police reports.
    pub measures: Breakdown,
    /// `internal`, `external`: cases with an investigator on the team;
    /// external when an investigator is hired or self-employed.
    pub investigations: Breakdown,
}

/// The clocks of the whistleblower act for the reports of the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineFigures {
    /// [`CLOCK_STATES`] without `not_started`: acknowledgement within 7 days.
    pub acknowledgement: Breakdown,
    /// [`CLOCK_STATES`]: information on the follow-up within 3 months.
    pub feedback: Breakdown,
}

/// Complaints about undesirable behaviour received in the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintFigures {
    pub received: i64,
    /// [`OUTCOMES`].
    pub by_outcome: Breakdown,
}

/// Declarations filed in the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationFigures {
    pub filed: i64,
    pub by_kind: Breakdown,
    /// [`DECISIONS`].
    pub by_decision: Breakdown,
    /// Gift declarations of the year.
    pub gifts: i64,
    /// Destination codes, then `none` (not decided or not recorded).
    pub gift_destinations: Breakdown,
}

/// Side activities in the public register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterFigures {
    /// Entries that became public in the year (the person's consent).
    pub published_in_year: i64,
    /// Entries in the register at the end of the year (or now, for the
    /// current year).
    pub in_register: i64,
}

/// The yearly check (*jaarlijkse actualisatie*) of the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearlyCheckFigures {
    pub held: bool,
    /// People of the organisation by the end of the year.
    pub in_scope: i64,
    /// `confirmed`, `none`, `not_answered`.
    pub answers: Breakdown,
}

/// The confidential counsellors' counts of the year (all counsellors).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounsellorFigures {
    pub consultations: i64,
    pub contacts: i64,
    /// `first`, `follow_up`.
    pub by_contact: Breakdown,
    pub by_topic: Breakdown,
    pub by_behaviour: Breakdown,
    pub by_visitor: Breakdown,
    /// One consultation counts for every action taken.
    pub by_action: Breakdown,
}

/// A section another module contributes (prevention, learning, vulnerable
/// functions): its tables, made by that module's `year_figures`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraSection {
    pub id: String,
    pub title_key: String,
    pub tables: Vec<Table>,
}

/// Every figure of one organisation and year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualFigures {
    pub year: i32,
    pub reports: ReportFigures,
    pub handling: HandlingFigures,
    pub deadlines: DeadlineFigures,
    pub complaints: ComplaintFigures,
    pub declarations: DeclarationFigures,
    pub register: RegisterFigures,
    pub yearly_check: YearlyCheckFigures,
    pub counsellors: CounsellorFigures,
    #[serde(default)]
    pub extra: Vec<ExtraSection>,
}

impl AnnualFigures {
    /// Nothing happened in the year (or nothing was recorded): no cases,
    /// declarations, consultations, yearly check or publications. (The
    /// prevention sections count people in service, which is never zero.)
    pub fn is_empty(&self) -> bool {
        self.reports.received == 0
            && self.complaints.received == 0
            && self.declarations.filed == 0
            && self.counsellors.consultations == 0
            && !self.yearly_check.held
            && self.register.published_in_year == 0
    }
}

/// What a report is made of, exactly: the year and the two before it.
/// Published reports keep this as it was (their snapshot).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportData {
    /// The day the figures were computed (`YYYY-MM-DD`).
    pub made_on: String,
    pub figures: AnnualFigures,
    /// Year - 1, then year - 2.
    pub earlier: Vec<AnnualFigures>,
}

/// How a case ended, or that it has not yet.
pub const OUTCOMES: [&str; 6] = [
    "proven",
    "partly_proven",
    "not_proven",
    "not_pursued",
    "referred",
    "open",
];
/// Where a clock stands.
pub const CLOCK_STATES: [&str; 5] = ["on_time", "late", "overdue", "running", "not_started"];
/// The decision groups of declarations.
pub const DECISIONS: [&str; 6] = [
    "approved",
    "approved_with_conditions",
    "refused",
    "registered",
    "open",
    "withdrawn",
];

/// The decision group of a declaration status.
pub fn decision_of(status: &str) -> &'static str {
    match status {
        "approved" => "approved",
        "approved_with_conditions" => "approved_with_conditions",
        "refused" => "refused",
        "registered" => "registered",
        "withdrawn" => "withdrawn",
        _ => "open",
    }
}

/// The sections in the order of the report, with their titles.
pub const SECTIONS: [(&str, &str); 8] = [
    ("reports", "report-section-reports"),
    ("handling", "report-section-handling"),
    ("deadlines", "report-section-deadlines"),
    ("complaints", "report-section-complaints"),
    ("declarations", "report-section-declarations"),
    ("register", "report-section-register"),
    ("yearly_check", "report-section-yearly_check"),
    ("counsellors", "report-section-counsellors"),
];

/// One row of a table: a code, the key of its label, its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub code: String,
    pub label_key: String,
    pub value: i64,
    /// The quantity this cell equals elsewhere in the report (the gifts
    /// cell of the declarations by kind is the total of the gifts table):
    /// suppressed in one place, suppressed in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// A table of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub section: String,
    pub id: String,
    pub caption_key: String,
    pub head_key: String,
    pub rows: Vec<Row>,
    /// `Some(quantity)` when the rows add up to a total shown beneath them;
    /// tables with the same quantity share that total.
    pub total: Option<String>,
    /// Shown as a bar chart as well.
    pub chart: bool,
}

impl Row {
    /// A figure labelled `report-figure-{code}`.
    pub fn figure(code: &str, value: i64) -> Row {
        Row {
            code: code.into(),
            label_key: format!("report-figure-{code}"),
            value,
            link: None,
        }
    }
}

impl Table {
    /// A table of a section another module contributes; its caption is
    /// `report-table-{section}-{id}`. Rows that split a whole (with and
    /// without a VOG) get a `total`, so that suppression protects their
    /// difference too.
    pub fn new(
        section: &str,
        id: &str,
        head_key: &str,
        rows: Vec<Row>,
        total: Option<&str>,
    ) -> Table {
        table(T {
            section,
            id,
            head: head_key,
            rows,
            total,
            chart: false,
        })
    }

    pub fn total_value(&self) -> i64 {
        self.rows.iter().map(|r| r.value).sum()
    }
}

fn rows(prefix: &str, b: &Breakdown, own: &[(&str, &str)]) -> Vec<Row> {
    b.iter()
        .map(|(code, value)| Row {
            code: code.clone(),
            label_key: own
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, k)| k.to_string())
                .unwrap_or_else(|| format!("{prefix}{code}")),
            value: *value,
            link: None,
        })
        .collect()
}

struct T<'a> {
    section: &'a str,
    id: &'a str,
    head: &'a str,
    rows: Vec<Row>,
    total: Option<&'a str>,
    chart: bool,
}

fn table(t: T<'_>) -> Table {
    let id = format!("{}.{}", t.section, t.id);
    Table {
        section: t.section.into(),
        caption_key: format!("report-table-{}-{}", t.section, t.id),
        head_key: t.head.into(),
        id,
        rows: t.rows,
        total: t.total.map(str::to_string),
        chart: t.chart,
    }
}

const OUTCOME_LABELS: [(&str, &str); 6] = [
    ("proven", "case-finding-proven"),
    ("partly_proven", "case-finding-partly_proven"),
    ("not_proven", "case-finding-not_proven"),
    ("not_pursued", "case-state-not_pursued"),
    ("referred", "case-state-referred"),
    ("open", "report-outcome-open"),
];

/// The tables of a year's figures, in the order of the report.
pub fn tables(f: &AnnualFigures) -> Vec<Table> {
    let mut kinds = rows("kind-", &f.declarations.by_kind, &[]);
    for r in &mut kinds {
        if r.code == "gift" {
            r.link = Some("gifts".into());
        }
    }
    let mut topics = rows("counsel-topic-", &f.counsellors.by_topic, &[]);
    for r in &mut topics {
        if r.code == "undesirable_behaviour" {
            r.link = Some("counsel_behaviour".into());
        }
    }
    let scalar = |code: &str, value: i64| Row {
        code: code.into(),
        label_key: format!("report-figure-{code}"),
        value,
        link: None,
    };
    let mut out = vec![
        table(T {
            section: "reports",
            id: "category",
            head: "report-head-category",
            rows: rows(
                "case-category-",
                &f.reports.by_category,
                &[("uncategorised", "report-uncategorised")],
            ),
            total: Some("reports"),
            chart: true,
        }),
        table(T {
            section: "reports",
            id: "channel",
            head: "report-head-channel",
            rows: rows("case-channel-", &f.reports.by_channel, &[]),
            total: Some("reports"),
            chart: true,
        }),
        table(T {
            section: "reports",
            id: "outcome",
            head: "report-head-outcome",
            rows: rows("", &f.reports.by_outcome, &OUTCOME_LABELS),
            total: Some("reports"),
            chart: true,
        }),
        table(T {
            section: "handling",
            id: "measures",
            head: "report-head-measure",
            rows: rows("case-measure-", &f.handling.measures, &[]),
            total: None,
            chart: false,
        }),
        table(T {
            section: "handling",
            id: "investigations",
            head: "report-head-investigation",
            rows: rows("report-investigation-", &f.handling.investigations, &[]),
            total: Some("investigations"),
            chart: false,
        }),
        table(T {
            section: "deadlines",
            id: "acknowledgement",
            head: "report-head-clock",
            rows: rows("report-clock-", &f.deadlines.acknowledgement, &[]),
            total: Some("reports"),
            chart: true,
        }),
        table(T {
            section: "deadlines",
            id: "feedback",
            head: "report-head-clock",
            rows: rows("report-clock-", &f.deadlines.feedback, &[]),
            total: Some("reports"),
            chart: true,
        }),
        table(T {
            section: "complaints",
            id: "outcome",
            head: "report-head-outcome",
            rows: rows("", &f.complaints.by_outcome, &OUTCOME_LABELS),
            total: Some("complaints"),
            chart: false,
        }),
        table(T {
            section: "declarations",
            id: "kind",
            head: "report-head-kind",
            rows: kinds,
            total: Some("declarations"),
            chart: true,
        }),
        table(T {
            section: "declarations",
            id: "decision",
            head: "report-head-decision",
            rows: rows(
                "status-",
                &f.declarations.by_decision,
                &[("open", "report-decision-open")],
            ),
            total: Some("declarations"),
            chart: false,
        }),
        table(T {
            section: "declarations",
            id: "gifts",
            head: "report-head-destination",
            rows: rows(
                "destination-",
                &f.declarations.gift_destinations,
                &[("none", "report-destination-none")],
            ),
            total: Some("gifts"),
            chart: false,
        }),
        table(T {
            section: "register",
            id: "entries",
            head: "report-head-figure",
            rows: vec![
                scalar("published_in_year", f.register.published_in_year),
                scalar("in_register", f.register.in_register),
            ],
            total: None,
            chart: false,
        }),
        table(T {
            section: "yearly_check",
            id: "answers",
            head: "report-head-answer",
            rows: rows("report-check-", &f.yearly_check.answers, &[]),
            total: Some("check"),
            chart: false,
        }),
        table(T {
            section: "counsellors",
            id: "contact",
            head: "report-head-contact",
            rows: rows("counsel-contact-", &f.counsellors.by_contact, &[]),
            total: Some("consultations"),
            chart: false,
        }),
        table(T {
            section: "counsellors",
            id: "contacts",
            head: "report-head-figure",
            rows: vec![scalar("contacts", f.counsellors.contacts)],
            total: None,
            chart: false,
        }),
        table(T {
            section: "counsellors",
            id: "topic",
            head: "report-head-topic",
            rows: topics,
            total: Some("consultations"),
            chart: true,
        }),
        table(T {
            section: "counsellors",
            id: "behaviour",
            head: "report-head-behaviour",
            rows: rows("counsel-behaviour-", &f.counsellors.by_behaviour, &[]),
            total: Some("counsel_behaviour"),
            chart: false,
        }),
        table(T {
            section: "counsellors",
            id: "visitor",
            head: "report-head-visitor",
            rows: rows("counsel-visitor-", &f.counsellors.by_visitor, &[]),
            total: Some("consultations"),
            chart: false,
        }),
        table(T {
            section: "counsellors",
            id: "action",
            head: "report-head-action",
            rows: rows("counsel-action-", &f.counsellors.by_action, &[]),
            total: None,
            chart: false,
        }),
    ];
    for s in &f.extra {
        out.extend(s.tables.iter().cloned());
    }
    out
}

/// The figures followed over the years, each the total of a quantity.
pub const TRENDS: [(&str, &str); 5] = [
    ("reports", "report-trend-reports"),
    ("complaints", "report-trend-complaints"),
    ("declarations", "report-trend-declarations"),
    ("gifts", "report-trend-gifts"),
    ("consultations", "report-trend-consultations"),
];

/// One figure over the years, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendRow {
    pub code: String,
    pub label_key: String,
    pub values: Vec<(i32, Shown)>,
}

/// Which version of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Version {
    /// Exact, for the organisation.
    Internal,
    /// Small counts suppressed, for the public.
    Publishable,
}

impl Version {
    pub fn code(self) -> &'static str {
        match self {
            Version::Internal => "internal",
            Version::Publishable => "publishable",
        }
    }
}

/// The narrative sections the integrity office writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    pub introduction: String,
    pub cases: String,
    pub prevention: String,
    pub outlook: String,
}

/// The longest narrative section.
pub const MAX_NARRATIVE_CHARS: usize = 10_000;

/// The form fields of the narrative, with their title keys.
pub const NARRATIVE_FIELDS: [(&str, &str); 4] = [
    ("inleiding", "report-narrative-introduction"),
    ("meldingen", "report-narrative-cases"),
    ("preventie", "report-narrative-prevention"),
    ("vooruitblik", "report-narrative-outlook"),
];

impl Narrative {
    /// The text of a form field.
    pub fn field(&self, name: &str) -> &str {
        match name {
            "inleiding" => &self.introduction,
            "meldingen" => &self.cases,
            "preventie" => &self.prevention,
            _ => &self.outlook,
        }
    }

    /// Problems per form field: each section at most 10,000 characters.
    pub fn check(&self) -> Vec<(&'static str, Problem)> {
        NARRATIVE_FIELDS
            .iter()
            .filter(|(f, _)| self.field(f).chars().count() > MAX_NARRATIVE_CHARS)
            .map(|(f, _)| {
                (
                    *f,
                    Problem::new("error-text-too-long")
                        .with("max", MAX_NARRATIVE_CHARS.to_string()),
                )
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        NARRATIVE_FIELDS
            .iter()
            .all(|(f, _)| self.field(f).trim().is_empty())
    }
}

/// A report ready to show: the tables of one version, the trends, the
/// narrative. The publishable one is what a published report keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub year: i32,
    pub version: Version,
    pub made_on: String,
    /// No data in the year: the report says so.
    pub empty: bool,
    pub tables: Vec<ShownTable>,
    pub trends: Vec<TrendRow>,
    pub narrative: Narrative,
    /// Extra sections' ids and titles, after [`SECTIONS`].
    #[serde(default)]
    pub extra_sections: Vec<(String, String)>,
}

fn shown_tables(f: &AnnualFigures, version: Version) -> Vec<ShownTable> {
    let t = tables(f);
    match version {
        Version::Internal => suppression::exact(&t),
        Version::Publishable => suppress(&t),
    }
}

/// The total of a quantity as a version shows it.
fn total_of(shown: &[ShownTable], key: &str) -> Shown {
    for t in shown {
        if t.total_key.as_deref() == Some(key)
            && let Some(total) = t.total
        {
            return total;
        }
    }
    Shown::Exact(0)
}

/// Builds the document of a version from the exact figures.
pub fn document(data: &ReportData, narrative: &Narrative, version: Version) -> Document {
    let tables = shown_tables(&data.figures, version);
    let mut years: Vec<&AnnualFigures> = data.earlier.iter().collect();
    years.reverse();
    years.push(&data.figures);
    let per_year: Vec<(i32, Vec<ShownTable>)> = years
        .iter()
        .map(|f| {
            if f.year == data.figures.year {
                (f.year, tables.clone())
            } else {
                (f.year, shown_tables(f, version))
            }
        })
        .collect();
    let trends = TRENDS
        .iter()
        .map(|(code, label)| TrendRow {
            code: code.to_string(),
            label_key: label.to_string(),
            values: per_year
                .iter()
                .map(|(y, t)| (*y, total_of(t, code)))
                .collect(),
        })
        .collect();
    Document {
        year: data.figures.year,
        version,
        made_on: data.made_on.clone(),
        empty: data.figures.is_empty(),
        tables,
        trends,
        narrative: narrative.clone(),
        extra_sections: data
            .figures
            .extra
            .iter()
            .map(|s| (s.id.clone(), s.title_key.clone()))
            .collect(),
    }
}

/// Midnight of 1 January of `year` in the Netherlands, and of the next
/// year, as Unix seconds: the year's half-open range.
pub fn year_bounds(year: i32) -> (i64, i64) {
    let start = |y: i32| {
        jiff::civil::date(y as i16, 1, 1)
            .to_zoned_datetime(crate::case::amsterdam())
            .map(|z| z.timestamp().as_second())
            .unwrap_or(0)
    };
    (start(year), start(year + 1))
}

/// The first year a report can be about.
pub const FIRST_YEAR: i64 = 2000;

/// Checks the year asked for: not before 2000, not in the future.
pub fn check_year(raw: &str, today: Date) -> Result<i32, Problem> {
    let raw = raw.trim();
    let year: i64 = raw
        .parse()
        .map_err(|_| Problem::new("report-error-year").with("value", raw))?;
    if year > i64::from(today.year()) {
        return Err(Problem::new("report-error-future").with("year", year.to_string()));
    }
    if year < FIRST_YEAR {
        return Err(Problem::new("report-error-year").with("value", raw));
    }
    Ok(year as i32)
}

/// Only a year that has ended can be published.
pub fn check_publishable_year(year: i32, today: Date) -> Result<(), Problem> {
    if year >= i32::from(today.year()) {
        return Err(Problem::new("report-error-not-ended").with("year", year.to_string()));
    }
    Ok(())
}

/// How a shown count reads.
pub fn display(shown: Shown, catalog: &Catalog, lang: Lang) -> String {
    match shown {
        Shown::Exact(n) => n.to_string(),
        Shown::Small => "< 5".to_string(),
        Shown::Hidden => catalog.get(lang, "report-hidden").to_string(),
    }
}

fn shown_json(shown: Shown, catalog: &Catalog, lang: Lang) -> Value {
    json!({
        "value": match shown { Shown::Exact(n) => json!(n), _ => Value::Null },
        "shown": display(shown, catalog, lang),
    })
}

/// The section title of a section id.
pub fn section_title(doc: &Document, id: &str) -> String {
    SECTIONS
        .iter()
        .find(|(s, _)| *s == id)
        .map(|(_, k)| k.to_string())
        .or_else(|| {
            doc.extra_sections
                .iter()
                .find(|(s, _)| s == id)
                .map(|(_, k)| k.clone())
        })
        .unwrap_or_else(|| id.to_string())
}

/// The section ids of a document, in order.
pub fn section_ids(doc: &Document) -> Vec<String> {
    let mut ids: Vec<String> = SECTIONS.iter().map(|(s, _)| s.to_string()).collect();
    ids.extend(doc.extra_sections.iter().map(|(s, _)| s.clone()));
    ids
}

/// Who the report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef<'a> {
    pub slug: &'a str,
    pub name: &'a str,
}

/// The report as JSON, labels in `lang`.
pub fn to_json(doc: &Document, org: OrgRef<'_>, published_at: Option<&str>, lang: Lang) -> Value {
    let c = Catalog::bundled();
    let sections: Vec<Value> = section_ids(doc)
        .iter()
        .map(|s| {
            json!({
                "id": s,
                "title": c.get(lang, &section_title(doc, s)),
                "tables": doc.tables.iter().filter(|t| &t.section == s).map(|t| json!({
                    "id": t.id,
                    "caption": c.get(lang, &t.caption_key),
                    "rows": t.rows.iter().map(|r| {
                        let mut v = shown_json(r.shown, c, lang);
                        v["code"] = json!(r.code);
                        v["label"] = json!(c.get(lang, &r.label_key));
                        v
                    }).collect::<Vec<_>>(),
                    "total": t.total.map(|s| shown_json(s, c, lang)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "organisation": {"slug": org.slug, "name": org.name},
        "year": doc.year,
        "version": doc.version.code(),
        "made_on": doc.made_on,
        "published_at": published_at,
        "empty": doc.empty,
        "narrative": {
            "introduction": doc.narrative.introduction,
            "cases": doc.narrative.cases,
            "prevention": doc.narrative.prevention,
            "outlook": doc.narrative.outlook,
        },
        "sections": sections,
        "trends": doc.trends.iter().map(|t| json!({
            "code": t.code,
            "label": c.get(lang, &t.label_key),
            "years": t.values.iter().map(|(y, s)| {
                let mut v = shown_json(*s, c, lang);
                v["year"] = json!(y);
                v
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The report as CSV: one row per figure (section, figure, year, value,
/// version). Suppressed values read `< 5` or `hidden`.
pub fn to_csv(doc: &Document) -> Result<String, csv::Error> {
    let mut w = crate::export::CsvWriter::new(&["section", "figure", "year", "value", "version"]);
    let year = doc.year.to_string();
    let value = |s: Shown| match s {
        Shown::Exact(n) => n.to_string(),
        Shown::Small => "< 5".to_string(),
        Shown::Hidden => "hidden".to_string(),
    };
    for t in &doc.tables {
        for r in &t.rows {
            w.row(&[
                t.section.as_str(),
                &format!("{}.{}", t.id, r.code),
                &year,
                &value(r.shown),
                doc.version.code(),
            ]);
        }
        if let Some(total) = t.total {
            w.row(&[
                t.section.as_str(),
                &format!("{}.total", t.id),
                &year,
                &value(total),
                doc.version.code(),
            ]);
        }
    }
    for t in &doc.trends {
        for (y, s) in &t.values {
            w.row(&[
                "trends",
                &t.code,
                &y.to_string(),
                &value(*s),
                doc.version.code(),
            ]);
        }
    }
    Ok(String::from_utf8_lossy(&w.finish()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn figures(year: i32, reports: i64) -> AnnualFigures {
        let mut f = AnnualFigures {
            year,
            ..Default::default()
        };
        f.reports.received = reports;
        f.reports.by_category = vec![("fraud".into(), reports), ("waste".into(), 0)];
        f.reports.by_channel = vec![("email".into(), reports)];
        f.reports.by_outcome = vec![("open".into(), reports)];
        f
    }

    #[test]
    fn years_in_the_future_or_before_2000_are_refused() {
        let today = date(2026, 3, 1);
        assert_eq!(check_year("2025", today), Ok(2025));
        assert_eq!(check_year(" 2026 ", today), Ok(2026));
        assert_eq!(
            check_year("2027", today).unwrap_err().key,
            "report-error-future"
        );
        assert_eq!(
            check_year("1999", today).unwrap_err().key,
            "report-error-year"
        );
        assert_eq!(
            check_year("twee", today).unwrap_err().key,
            "report-error-year"
        );
        assert!(check_publishable_year(2025, today).is_ok());
        assert_eq!(
            check_publishable_year(2026, today).unwrap_err().key,
            "report-error-not-ended"
        );
    }

    #[test]
    fn a_year_runs_from_dutch_midnight_to_dutch_midnight() {
        let (start, end) = year_bounds(2025);
        // 1 January 2025 00:00 in Amsterdam is 31 December 2024 23:00 UTC.
        assert_eq!(start, 1_735_686_000);
        assert_eq!(end, 1_767_222_000);
    }

    #[test]
    fn narrative_sections_have_a_maximum_length() {
        let mut n = Narrative {
            introduction: "a".repeat(MAX_NARRATIVE_CHARS),
            ..Default::default()
        };
        assert!(n.check().is_empty());
        n.outlook = "é".repeat(MAX_NARRATIVE_CHARS + 1);
        let problems = n.check();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "vooruitblik");
    }

    #[test]
    fn trends_follow_the_suppressed_totals_of_each_year() {
        let data = ReportData {
            made_on: "2026-01-05".into(),
            figures: figures(2025, 12),
            earlier: vec![figures(2024, 3), figures(2023, 0)],
        };
        let internal = document(&data, &Narrative::default(), Version::Internal);
        let reports = &internal.trends[0];
        assert_eq!(
            reports.values,
            vec![
                (2023, Shown::Exact(0)),
                (2024, Shown::Exact(3)),
                (2025, Shown::Exact(12))
            ]
        );
        let public = document(&data, &Narrative::default(), Version::Publishable);
        assert_eq!(
            public.trends[0].values,
            vec![
                (2023, Shown::Exact(0)),
                (2024, Shown::Small),
                (2025, Shown::Exact(12))
            ]
        );
        assert!(!public.empty);
        let csv = to_csv(&public).unwrap();
        assert!(csv.starts_with("section,figure,year,value,version\n"));
        assert!(csv.contains("reports,reports.category.fraud,2025,12,publishable\n"));
        assert!(csv.contains("trends,reports,2024,< 5,publishable\n"));
    }

    #[test]
    fn an_empty_year_says_so() {
        let data = ReportData {
            made_on: "2026-01-05".into(),
            figures: figures(2025, 0),
            earlier: vec![],
        };
        assert!(document(&data, &Narrative::default(), Version::Internal).empty);
    }
}
