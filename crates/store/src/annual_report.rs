//! The annual integrity report's figures, counted in SQL (`GROUP BY`, a
//! fixed number of queries per year whatever the size of the
//! organisation), the narrative the integrity office writes
//! (compare-and-set on `version`), and publishing: the figures and the
//! publishable version frozen as they were, with the audit row in the same
//! transaction. The rules (tables, suppression) are in
//! `integer_domain::annual_report`; docs/ANNUAL-REPORT.md says what every
//! figure means.
//!
//! Cases count by the year they were received (Dutch calendar), in the
//! state they are in when the report is made; declarations by the year
//! they were filed; counsellors' entries by the year of the consultation.

use crate::{Db, Result, StoreError, audit, now};
use integer_domain::annual_report::{
    self as rules, AnnualFigures, Breakdown, ComplaintFigures, CounsellorFigures, DECISIONS,
    DeadlineFigures, DeclarationFigures, ExtraSection, HandlingFigures, Narrative, OUTCOMES,
    RegisterFigures, ReportData, ReportFigures, Row, Table, YearlyCheckFigures,
};
use integer_domain::audit::Credential;
use integer_domain::case::{Category, Channel, Clock, Measure, local_date};
use integer_domain::declaration::GiftDestination;
use integer_domain::org::{OrgId, PersonId};
use integer_domain::policy::Kind;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row as _;
use std::collections::HashMap;

/// How many steps [`report_data`] reports to its progress callback.
pub const STEPS: u64 = 3 * YEAR_STEPS;
const YEAR_STEPS: u64 = 6;

/// Counts per code as a breakdown in the order of `codes`, zeros included;
/// a code not in the list is added to `other` (when given).
fn breakdown(codes: &[&str], found: &HashMap<String, i64>, other: Option<&str>) -> Breakdown {
    let mut out: Breakdown = codes.iter().map(|c| (c.to_string(), 0)).collect();
    for (code, n) in found {
        let target = if codes.contains(&code.as_str()) {
            Some(code.as_str())
        } else {
            other
        };
        if let Some(t) = target
            && let Some(slot) = out.iter_mut().find(|(c, _)| c == t)
        {
            slot.1 += n;
        }
    }
    out
}

fn add(map: &mut HashMap<String, i64>, code: impl Into<String>, n: i64) {
    *map.entry(code.into()).or_insert(0) += n;
}

/// The cases of the year: reports by category, channel and outcome;
/// complaints by outcome; measures; investigations.
async fn case_figures(
    db: &mut Db,
    org: OrgId,
    (start, end): (i64, i64),
    f: &mut AnnualFigures,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT kind, channel, COALESCE(category, '') AS category, \
         CASE WHEN finding IS NOT NULL THEN finding \
              WHEN state IN ('not_pursued', 'referred') THEN state ELSE 'open' END AS outcome, \
         measures, COUNT(*) AS n \
         FROM cases WHERE org_id = $1 AND received_at >= $2 AND received_at < $3 \
         GROUP BY kind, channel, COALESCE(category, ''), \
         CASE WHEN finding IS NOT NULL THEN finding \
              WHEN state IN ('not_pursued', 'referred') THEN state ELSE 'open' END, measures",
    )
    .bind(org.0)
    .bind(start)
    .bind(end)
    .fetch_all(&mut *db)
    .await?;
    let (mut category, mut channel, mut outcome) = (HashMap::new(), HashMap::new(), HashMap::new());
    let (mut complaint_outcome, mut measures) = (HashMap::new(), HashMap::new());
    let (mut reports, mut complaints) = (0, 0);
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let n: i64 = r.try_get("n")?;
        let out: String = r.try_get("outcome")?;
        let codes: String = r.try_get("measures")?;
        for m in codes.split(',').filter(|m| !m.is_empty()) {
            add(&mut measures, m, n);
        }
        if kind == "complaint" {
            complaints += n;
            add(&mut complaint_outcome, out, n);
        } else {
            reports += n;
            add(&mut outcome, out, n);
            let cat: String = r.try_get("category")?;
            add(
                &mut category,
                if cat.is_empty() {
                    "uncategorised".to_string()
                } else {
                    cat
                },
                n,
            );
            add(&mut channel, r.try_get::<String, _>("channel")?, n);
        }
    }
    let mut categories: Vec<&str> = Category::ALL.iter().map(|c| c.code()).collect();
    categories.push("uncategorised");
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.code()).collect();
    let measure_codes: Vec<&str> = Measure::ALL.iter().map(|m| m.code()).collect();
    f.reports = ReportFigures {
        received: reports,
        by_category: breakdown(&categories, &category, Some("other")),
        by_channel: breakdown(&channels, &channel, None),
        by_outcome: breakdown(&OUTCOMES, &outcome, Some("open")),
    };
    f.complaints = ComplaintFigures {
        received: complaints,
        by_outcome: breakdown(&OUTCOMES, &complaint_outcome, Some("open")),
    };
    // A case counts once, as external when any investigator on its team is
    // hired or self-employed.
    let rows = sqlx::query(
        "SELECT CASE WHEN x.external = 1 THEN 'external' ELSE 'internal' END AS code, COUNT(*) AS n \
         FROM (SELECT c.id, MAX(CASE WHEN p.employment_type IN ('hired', 'self_employed') \
               THEN 1 ELSE 0 END) AS external \
               FROM cases c JOIN case_team t ON t.case_id = c.id AND t.role = 'investigator' \
               JOIN people p ON p.id = t.person_id \
               WHERE c.org_id = $1 AND c.received_at >= $2 AND c.received_at < $3 \
               GROUP BY c.id) x \
         GROUP BY CASE WHEN x.external = 1 THEN 'external' ELSE 'internal' END",
    )
    .bind(org.0)
    .bind(start)
    .bind(end)
    .fetch_all(&mut *db)
    .await?;
    let mut investigations = HashMap::new();
    for r in &rows {
        add(
            &mut investigations,
            r.try_get::<String, _>("code")?,
            r.try_get::<i64, _>("n")?,
        );
    }
    f.handling = HandlingFigures {
        measures: breakdown(&measure_codes, &measures, None),
        investigations: breakdown(&["internal", "external"], &investigations, None),
    };
    Ok(())
}

fn clock_code(c: Clock) -> &'static str {
    match c {
        Clock::Met { late: false, .. } => "on_time",
        Clock::Met { late: true, .. } => "late",
        Clock::Overdue { .. } => "overdue",
        Clock::Running { .. } => "running",
        Clock::NotStarted => "not_started",
    }
}

/// The whistleblower act's clocks of the year's reports, on `today`. The
/// due days are stored; whether a day was met is a matter of Dutch calendar
/// days (`Clock`), so the rows (a few columns per report) are read and
/// counted here.
async fn deadline_figures(
    db: &mut Db,
    org: OrgId,
    (start, end): (i64, i64),
    today: Date,
) -> Result<DeadlineFigures> {
    let rows = sqlx::query(
        "SELECT ack_due, acknowledged_at, feedback_due, feedback_at FROM cases \
         WHERE org_id = $1 AND kind = 'report' AND received_at >= $2 AND received_at < $3",
    )
    .bind(org.0)
    .bind(start)
    .bind(end)
    .fetch_all(&mut *db)
    .await?;
    let ts = |s: Option<i64>| s.and_then(|s| Timestamp::from_second(s).ok());
    let (mut ack, mut feedback) = (HashMap::new(), HashMap::new());
    for r in &rows {
        let due: String = r.try_get("ack_due")?;
        let c = Clock::compute(due.parse().ok(), ts(r.try_get("acknowledged_at")?), today);
        add(&mut ack, clock_code(c), 1);
        let due: Option<String> = r.try_get("feedback_due")?;
        let c = Clock::compute(
            due.and_then(|d| d.parse().ok()),
            ts(r.try_get("feedback_at")?),
            today,
        );
        add(&mut feedback, clock_code(c), 1);
    }
    Ok(DeadlineFigures {
        acknowledgement: breakdown(&rules::CLOCK_STATES[..4], &ack, None),
        feedback: breakdown(&rules::CLOCK_STATES, &feedback, None),
    })
}

/// Declarations of the year by kind and decision, gifts by destination,
/// and the public register.
async fn declaration_figures(
    db: &mut Db,
    org: OrgId,
    (start, end): (i64, i64),
    f: &mut AnnualFigures,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT kind, status, COUNT(*) AS n FROM declarations \
         WHERE org_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY kind, status",
    )
    .bind(org.0)
    .bind(start)
    .bind(end)
    .fetch_all(&mut *db)
    .await?;
    let (mut kinds, mut decisions) = (HashMap::new(), HashMap::new());
    let mut filed = 0;
    for r in &rows {
        let n: i64 = r.try_get("n")?;
        filed += n;
        add(&mut kinds, r.try_get::<String, _>("kind")?, n);
        let status: String = r.try_get("status")?;
        add(&mut decisions, rules::decision_of(&status), n);
    }
    let rows = sqlx::query(
        "SELECT COALESCE(destination, '') AS code, COUNT(*) AS n FROM declarations \
         WHERE org_id = $1 AND kind = 'gift' AND created_at >= $2 AND created_at < $3 \
         GROUP BY COALESCE(destination, '')",
    )
    .bind(org.0)
    .bind(start)
    .bind(end)
    .fetch_all(&mut *db)
    .await?;
    let mut destinations = HashMap::new();
    let mut gifts = 0;
    for r in &rows {
        let n: i64 = r.try_get("n")?;
        gifts += n;
        add(&mut destinations, r.try_get::<String, _>("code")?, n);
    }
    let kind_codes: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
    let mut destination_codes: Vec<&str> = GiftDestination::ALL.iter().map(|d| d.code()).collect();
    destination_codes.push("none");
    f.declarations = DeclarationFigures {
        filed,
        by_kind: breakdown(&kind_codes, &kinds, None),
        by_decision: breakdown(&DECISIONS, &decisions, Some("open")),
        gifts,
        gift_destinations: breakdown(&destination_codes, &destinations, Some("none")),
    };
    // The register (docs/OPEN-DATA.md): side activities announced for
    // publication, public (confirmed, or the notice period over) before the
    // end of the year, still standing and not ended by then. Whether the
    // person was designated is decided when they are told (a later change
    // of designation is not replayed for past years).
    let since = "(CASE WHEN x.confirmed_at IS NOT NULL AND x.confirmed_at < x.due_at \
                 THEN x.confirmed_at ELSE x.due_at END)";
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS in_register, \
         COUNT(CASE WHEN {since} >= $2 THEN 1 END) AS published_in_year \
         FROM publications x JOIN declarations d ON d.id = x.declaration_id \
         WHERE x.org_id = $1 AND d.kind = 'side_activity' AND {since} < $3 \
         AND d.status IN ('approved', 'approved_with_conditions', 'registered') \
         AND (d.ended_on IS NULL OR d.ended_on > $4)"
    )))
    .bind(org.0)
    .bind(start)
    .bind(end)
    .bind(crate::publication::day(end - 1))
    .fetch_one(&mut *db)
    .await?;
    f.register = RegisterFigures {
        published_in_year: row.try_get("published_in_year")?,
        in_register: row.try_get("in_register")?,
    };
    Ok(())
}

/// The yearly check of the year: people in scope (in the organisation by
/// the end of the year) and their answers.
async fn yearly_check_figures(
    db: &mut Db,
    org: OrgId,
    year: i32,
    (_, end): (i64, i64),
) -> Result<YearlyCheckFigures> {
    let campaign: Option<i64> =
        sqlx::query_scalar("SELECT id FROM check_campaigns WHERE org_id = $1 AND year = $2")
            .bind(org.0)
            .bind(i64::from(year))
            .fetch_optional(&mut *db)
            .await?;
    let codes = ["confirmed", "none", "not_answered"];
    let Some(campaign) = campaign else {
        return Ok(YearlyCheckFigures {
            held: false,
            in_scope: 0,
            answers: breakdown(&codes, &HashMap::new(), None),
        });
    };
    let in_scope: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE org_id = $1 AND created_at < $2")
            .bind(org.0)
            .bind(end)
            .fetch_one(&mut *db)
            .await?;
    let rows = sqlx::query(
        "SELECT response, COUNT(*) AS n FROM check_responses WHERE campaign_id = $1 AND org_id = $2 \
         GROUP BY response",
    )
    .bind(campaign)
    .bind(org.0)
    .fetch_all(&mut *db)
    .await?;
    let mut answers = HashMap::new();
    let mut answered = 0;
    for r in &rows {
        let n: i64 = r.try_get("n")?;
        answered += n;
        add(&mut answers, r.try_get::<String, _>("response")?, n);
    }
    add(&mut answers, "not_answered", (in_scope - answered).max(0));
    Ok(YearlyCheckFigures {
        held: true,
        in_scope: in_scope.max(answered),
        answers: breakdown(&codes, &answers, None),
    })
}

async fn counsellor_figures(db: &mut Db, org: OrgId, year: i32) -> Result<CounsellorFigures> {
    let c = crate::counsellor_log::counts(db, org, i64::from(year)).await?;
    Ok(CounsellorFigures {
        consultations: c.consultations,
        contacts: c.contacts,
        by_contact: vec![
            ("first".into(), c.first_contacts),
            ("follow_up".into(), c.consultations - c.first_contacts),
        ],
        by_topic: c.by_topic,
        by_behaviour: c.by_behaviour,
        by_visitor: c.by_visitor,
        by_action: c.by_action,
    })
}

/// The sections of the prevention modules: oath, screening and the code of
/// conduct (`prevention`), training and moral deliberation (`learning`),
/// vulnerable functions (`vulnerable`), each from that module's
/// `year_figures`. Parts of a whole are tables with a total, so that the
/// publishable version also protects what is missing (hires without a VOG).
async fn extra_sections(db: &mut Db, org: OrgId, year: i32) -> Result<Vec<ExtraSection>> {
    let y = i64::from(year);
    let p = crate::prevention::year_figures(db, org, y).await?;
    let l = crate::learning::year_figures(db, org, y).await?;
    let v = crate::vulnerable::year_figures(db, org, y).await?;
    let fig = Row::figure;
    let head = "report-head-figure";
    let prevention = ExtraSection {
        id: "prevention".into(),
        title_key: "report-section-prevention".into(),
        tables: vec![
            Table::new(
                "prevention",
                "oath",
                head,
                vec![
                    fig("people_in_service", p.people_in_service),
                    fig("oaths_taken", p.oaths_taken),
                    fig("sworn_in_at_year_end", p.sworn_in_at_year_end),
                    fig("oath_overdue_at_year_end", p.oath_overdue_at_year_end),
                    fig("code_acknowledged", p.code_acknowledged),
                ],
                None,
            ),
            Table::new(
                "prevention",
                "vog",
                head,
                vec![
                    fig("vog_received", p.hires_vog_received),
                    fig("vog_missing", (p.hires - p.hires_vog_received).max(0)),
                ],
                Some("hires"),
            ),
            Table::new(
                "prevention",
                "declaration",
                head,
                vec![
                    fig("declaration_signed", p.hires_declaration_signed),
                    fig(
                        "declaration_missing",
                        (p.hires - p.hires_declaration_signed).max(0),
                    ),
                ],
                Some("hires"),
            ),
        ],
    };
    let learning = ExtraSection {
        id: "learning".into(),
        title_key: "report-section-learning".into(),
        tables: vec![
            Table::new(
                "learning",
                "introduction",
                head,
                vec![
                    fig("introduction_done", l.introduction_completed_in_service),
                    fig(
                        "introduction_missing",
                        (l.in_service_at_year_end - l.introduction_completed_in_service).max(0),
                    ),
                ],
                Some("in_service_at_year_end"),
            ),
            Table::new(
                "learning",
                "activities",
                head,
                vec![
                    fig(
                        "introduction_completed_in_year",
                        l.introduction_completed_in_year,
                    ),
                    fig("elearnings_completed", l.elearnings_completed),
                    fig("hr_conversations", l.hr_conversations),
                    fig("team_meetings", l.team_meetings),
                    fig("deliberation_sessions", l.deliberation_sessions),
                    fig("deliberation_attendance", l.deliberation_attendance),
                    fig("units_with_session", l.units_with_session),
                ],
                None,
            ),
        ],
    };
    let vulnerable = ExtraSection {
        id: "vulnerable".into(),
        title_key: "report-section-vulnerable".into(),
        tables: vec![
            Table::new(
                "vulnerable",
                "area",
                "report-head-area",
                v.by_area
                    .iter()
                    .map(|(code, n)| Row {
                        code: code.clone(),
                        label_key: format!("vulnerable-area-{code}"),
                        value: *n,
                        link: None,
                    })
                    .collect(),
                Some("vulnerable_entries"),
            ),
            Table::new(
                "vulnerable",
                "designated",
                head,
                vec![
                    fig("designated_financial", v.designated_financial),
                    fig("designated_publication", v.designated_publication),
                ],
                None,
            ),
            Table::new(
                "vulnerable",
                "reviews",
                head,
                vec![
                    fig("reviewed_on_time", v.reviewed_on_time),
                    fig("reviewed_late", (v.reviews - v.reviewed_on_time).max(0)),
                    fig("review_overdue", v.overdue_at_year_end),
                ],
                None,
            ),
        ],
    };
    Ok(vec![prevention, learning, vulnerable])
}

/// Every figure of `year`, with the clocks as they stand on `today`.
pub async fn figures(
    db: &mut Db,
    org: OrgId,
    year: i32,
    today: Date,
    step: &(dyn Fn(&str) + Sync),
) -> Result<AnnualFigures> {
    let bounds = rules::year_bounds(year);
    let mut f = AnnualFigures {
        year,
        ..Default::default()
    };
    step("cases");
    case_figures(db, org, bounds, &mut f).await?;
    step("deadlines");
    f.deadlines = deadline_figures(db, org, bounds, today).await?;
    step("declarations");
    declaration_figures(db, org, bounds, &mut f).await?;
    step("yearly_check");
    f.yearly_check = yearly_check_figures(db, org, year, bounds).await?;
    step("counsellors");
    f.counsellors = counsellor_figures(db, org, year).await?;
    step("prevention");
    f.extra = extra_sections(db, org, year).await?;
    Ok(f)
}

/// The report's data: `year` and the two years before it, made on `today`.
/// `step` is called [`STEPS`] times (for a progress bar).
pub async fn report_data(
    db: &mut Db,
    org: OrgId,
    year: i32,
    today: Date,
    step: &(dyn Fn(&str) + Sync),
) -> Result<ReportData> {
    let figures = figures(db, org, year, today, step).await?;
    let mut earlier = Vec::with_capacity(2);
    for y in [year - 1, year - 2] {
        earlier.push(self::figures(db, org, y, today, step).await?);
    }
    Ok(ReportData {
        made_on: today.to_string(),
        figures,
        earlier,
    })
}

/// The stored state of a year's report: its narrative, and once published
/// the frozen figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: i64,
    pub narrative: Narrative,
    pub version: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
    pub published_by: Option<PersonId>,
    /// The exact [`ReportData`] as it was when published.
    pub data: Option<ReportData>,
    /// The publishable `Document` as it was when published (JSON).
    pub public_json: Option<String>,
}

impl Saved {
    /// The publishable version as it was published.
    pub fn public_document(&self) -> Result<Option<rules::Document>> {
        self.public_json
            .as_deref()
            .map(|j| serde_json::from_str(j).map_err(|e| StoreError::Other(e.into())))
            .transpose()
    }
}

/// A year's stored report, if the office wrote or published one.
pub async fn get(db: &mut Db, org: OrgId, year: i32) -> Result<Option<Saved>> {
    let row = sqlx::query(
        "SELECT id, introduction, cases_text, prevention_text, outlook_text, version, updated_at, \
         published_at, published_by, figures_json, public_json \
         FROM annual_reports WHERE org_id = $1 AND year = $2",
    )
    .bind(org.0)
    .bind(i64::from(year))
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let figures: Option<String> = r.try_get("figures_json")?;
    Ok(Some(Saved {
        id: r.try_get("id")?,
        narrative: Narrative {
            introduction: r.try_get("introduction")?,
            cases: r.try_get("cases_text")?,
            prevention: r.try_get("prevention_text")?,
            outlook: r.try_get("outlook_text")?,
        },
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
        published_at: r.try_get("published_at")?,
        published_by: r.try_get::<Option<i64>, _>("published_by")?.map(PersonId),
        data: figures
            .map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Other(e.into())))
            .transpose()?,
        public_json: r.try_get("public_json")?,
    }))
}

/// Who writes, for the audit row.
#[derive(Debug, Clone)]
pub struct Author {
    pub person: Option<PersonId>,
    pub actor: String,
    pub credential: Credential,
}

async fn audit_row(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    action: &str,
    id: i64,
    year: i32,
) -> Result<()> {
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            who.actor.clone(),
            who.credential,
            action,
            "annual_report",
            id,
            serde_json::json!({"year": year}),
        ),
    )
    .await?;
    Ok(())
}

/// Saves the narrative (compare-and-set: `expected_version` is the version
/// the writer saw, 0 when nothing was stored yet). A published report
/// cannot change. Returns the new version.
pub async fn save_narrative(
    db: &mut Db,
    org: OrgId,
    year: i32,
    expected_version: i64,
    narrative: &Narrative,
    who: &Author,
) -> Result<i64> {
    let t = now();
    let id: i64 = if expected_version == 0 {
        sqlx::query_scalar(
            "INSERT INTO annual_reports (org_id, year, introduction, cases_text, prevention_text, \
             outlook_text, version, updated_by, updated_at) VALUES ($1,$2,$3,$4,$5,$6,1,$7,$8) \
             ON CONFLICT (org_id, year) DO NOTHING RETURNING id",
        )
        .bind(org.0)
        .bind(i64::from(year))
        .bind(&narrative.introduction)
        .bind(&narrative.cases)
        .bind(&narrative.prevention)
        .bind(&narrative.outlook)
        .bind(who.person.map(|p| p.0))
        .bind(t)
        .fetch_optional(&mut *db)
        .await?
        .ok_or_else(|| StoreError::Conflict("annual report changed".into()))?
    } else {
        sqlx::query_scalar(
            "UPDATE annual_reports SET introduction = $1, cases_text = $2, prevention_text = $3, \
             outlook_text = $4, updated_by = $5, updated_at = $6, version = version + 1 \
             WHERE org_id = $7 AND year = $8 AND version = $9 AND published_at IS NULL RETURNING id",
        )
        .bind(&narrative.introduction)
        .bind(&narrative.cases)
        .bind(&narrative.prevention)
        .bind(&narrative.outlook)
        .bind(who.person.map(|p| p.0))
        .bind(t)
        .bind(org.0)
        .bind(i64::from(year))
        .bind(expected_version)
        .fetch_optional(&mut *db)
        .await?
        .ok_or_else(|| StoreError::Conflict("annual report changed".into()))?
    };
    audit_row(db, org, who, "annual_report.narrative_saved", id, year).await?;
    Ok(expected_version + 1)
}

/// Publishes the report: freezes `data` and the publishable document made
/// from it with the narrative as stored (compare-and-set on the version).
/// Returns the publishable document.
pub async fn publish(
    db: &mut Db,
    org: OrgId,
    year: i32,
    expected_version: i64,
    data: &ReportData,
    who: &Author,
) -> Result<rules::Document> {
    let saved = get(&mut *db, org, year).await?;
    let narrative = saved
        .as_ref()
        .map(|s| s.narrative.clone())
        .unwrap_or_default();
    let current = saved.as_ref().map_or(0, |s| s.version);
    if current != expected_version || saved.as_ref().is_some_and(|s| s.published_at.is_some()) {
        return Err(StoreError::Conflict("annual report changed".into()));
    }
    let public = rules::document(data, &narrative, rules::Version::Publishable);
    let figures_json = serde_json::to_string(data).map_err(|e| StoreError::Other(e.into()))?;
    let public_json = serde_json::to_string(&public).map_err(|e| StoreError::Other(e.into()))?;
    let t = now();
    let person = who.person.map(|p| p.0);
    let id: Option<i64> = if saved.is_none() {
        sqlx::query_scalar(
            "INSERT INTO annual_reports (org_id, year, version, updated_by, updated_at, published_at, \
             published_by, figures_json, public_json) VALUES ($1,$2,1,$3,$4,$4,$3,$5,$6) \
             ON CONFLICT (org_id, year) DO NOTHING RETURNING id",
        )
        .bind(org.0)
        .bind(i64::from(year))
        .bind(person)
        .bind(t)
        .bind(&figures_json)
        .bind(&public_json)
        .fetch_optional(&mut *db)
        .await?
    } else {
        sqlx::query_scalar(
            "UPDATE annual_reports SET published_at = $1, published_by = $2, figures_json = $3, \
             public_json = $4, updated_at = $1, version = version + 1 \
             WHERE org_id = $5 AND year = $6 AND version = $7 AND published_at IS NULL RETURNING id",
        )
        .bind(t)
        .bind(person)
        .bind(&figures_json)
        .bind(&public_json)
        .bind(org.0)
        .bind(i64::from(year))
        .bind(expected_version)
        .fetch_optional(&mut *db)
        .await?
    };
    let id = id.ok_or_else(|| StoreError::Conflict("annual report changed".into()))?;
    audit_row(db, org, who, "annual_report.published", id, year).await?;
    Ok(public)
}

/// The day of a Unix time in the Netherlands, `YYYY-MM-DD`.
pub fn day(ts: i64) -> String {
    Timestamp::from_second(ts)
        .map(|t| local_date(t).to_string())
        .unwrap_or_default()
}
