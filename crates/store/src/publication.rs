//! The public register of side activities (docs/OPEN-DATA.md): the
//! organisation's designated functions, who is told that their side
//! activity will be published, the person's confirmation and correction of
//! the text, the end of a side activity, and what the register shows.
//!
//! Publication follows designation (Ambtenarenwet 2017, article 8): an
//! approved or registered side activity of a person in a designated
//! function is published; designation alone decides (a preset's `publish`
//! obligation only informs the employee). The person is told and shown the exact text ([`sync`]); it
//! is public once they confirm it or the organisation's notice period has
//! passed, whichever comes first ([`register`]). The person may correct
//! the text, never refuse it. An entry leaves the register when the side
//! activity ends or is withdrawn, when a new decision is pending, and when
//! its person is no longer designated or has left.

use crate::{Db, Result, StoreError, audit, flag, now};
use integer_domain::audit::Credential;
use integer_domain::designation::{self as rules, Designation, Ground, Holder};
use integer_domain::org::{OrgId, PersonId};
use sqlx::{AssertSqlSafe, Row};

/// Statuses whose side activities may be public.
pub const PUBLIC_STATUSES: [&str; 3] = ["approved", "approved_with_conditions", "registered"];

/// `d.status IN (...)` for [`PUBLIC_STATUSES`].
const IN_PUBLIC_STATUS: &str = "d.status IN ('approved', 'approved_with_conditions', 'registered')";

/// Who changes something: the audit row's actor (`person:ID`, `cli`).
#[derive(Debug, Clone)]
pub struct By {
    pub actor: String,
    pub credential: Credential,
}

/// One line of the public register: only what may be public.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicEntry {
    /// `None` when the organisation does not publish names.
    pub name: Option<String>,
    pub function_title: Option<String>,
    pub activity: String,
    pub organisation: Option<String>,
    pub paid: bool,
    pub conditions: Option<String>,
    /// `YYYY-MM-DD`
    pub approved_on: String,
    /// `YYYY-MM-DD`: the last confirmation, else the approval.
    pub reviewed_on: String,
}

/// A Unix time as its UTC date, `YYYY-MM-DD`.
pub fn day(ts: i64) -> String {
    jiff::Timestamp::from_second(ts)
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date()
                .to_string()
        })
        .unwrap_or_default()
}

/// Builds the public entry for a declaration (also for the preview the
/// person sees before it is published).
#[allow(clippy::too_many_arguments)]
pub fn entry(
    publish_names: bool,
    name: &str,
    function_title: Option<&str>,
    activity: &str,
    organisation: Option<&str>,
    answers: &str,
    conditions: Option<&str>,
    approved_at: i64,
    reviewed_at: Option<i64>,
) -> PublicEntry {
    let paid = serde_json::from_str::<serde_json::Value>(answers)
        .ok()
        .and_then(|v| v.get("paid").and_then(|p| p.as_bool()))
        .unwrap_or(false);
    PublicEntry {
        name: publish_names.then(|| name.to_string()),
        function_title: function_title.map(str::to_string),
        activity: activity.to_string(),
        organisation: organisation.map(str::to_string),
        paid,
        conditions: conditions.map(str::to_string),
        approved_on: day(approved_at),
        reviewed_on: day(reviewed_at.unwrap_or(approved_at)),
    }
}

/// The organisation's publication settings: (publish names, escalation days).
pub async fn settings(db: &mut Db, org: OrgId) -> Result<(bool, i64)> {
    let row = sqlx::query("SELECT publish_names, escalation_days FROM organisations WHERE id = $1")
        .bind(org.0)
        .fetch_one(db)
        .await?;
    Ok((
        row.try_get::<i64, _>("publish_names")? != 0,
        row.try_get("escalation_days")?,
    ))
}

pub async fn set_settings(
    db: &mut Db,
    org: OrgId,
    publish_names: bool,
    escalation_days: i64,
) -> Result<()> {
    sqlx::query("UPDATE organisations SET publish_names = $1, escalation_days = $2 WHERE id = $3")
        .bind(crate::flag(publish_names))
        .bind(escalation_days)
        .bind(org.0)
        .execute(db)
        .await?;
    Ok(())
}

// --- Designation ----------------------------------------------------------

/// The designation in force for an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDesignation {
    pub designation: Designation,
    /// 0 while the preset's default applies (nothing saved yet).
    pub version: i64,
    /// The organisation's preset, whose default applies at version 0.
    pub preset: String,
}

/// The organisation's designation: its own, or its preset's default.
pub async fn designation(db: &mut Db, org: OrgId) -> Result<StoredDesignation> {
    let preset: String = sqlx::query_scalar("SELECT preset FROM organisations WHERE id = $1")
        .bind(org.0)
        .fetch_optional(&mut *db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let row = sqlx::query(
        "SELECT top_officials, from_salary_scale, function_titles, notice_days, version \
         FROM designations WHERE org_id = $1",
    )
    .bind(org.0)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else {
        return Ok(StoredDesignation {
            designation: rules::default_for(&preset),
            version: 0,
            preset,
        });
    };
    let titles: String = r.try_get("function_titles")?;
    let scale: Option<i64> = r.try_get("from_salary_scale")?;
    Ok(StoredDesignation {
        designation: Designation {
            top_officials: r.try_get::<i64, _>("top_officials")? != 0,
            from_salary_scale: scale.and_then(|s| u8::try_from(s).ok()),
            function_titles: titles
                .lines()
                .filter(|t| !t.trim().is_empty())
                .map(str::to_string)
                .collect(),
            notice_days: r.try_get("notice_days")?,
        },
        version: r.try_get("version")?,
        preset,
    })
}

/// Saves the designation on top of `expected` (compare-and-set: 0 while
/// the preset's default applies), audits it, and tells the people it newly
/// covers ([`sync`]), all in the caller's transaction. Returns how many
/// side activities were announced.
pub async fn set_designation(
    db: &mut Db,
    org: OrgId,
    by: &By,
    expected: i64,
    d: &Designation,
) -> Result<usize> {
    let t = now();
    let titles = d.function_titles.join("\n");
    let scale = d.from_salary_scale.map(i64::from);
    let done = if expected == 0 {
        sqlx::query(
            "INSERT INTO designations (org_id, top_officials, from_salary_scale, function_titles, \
             notice_days, version, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, 1, $6, $7) \
             ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org.0)
        .bind(flag(d.top_officials))
        .bind(scale)
        .bind(&titles)
        .bind(d.notice_days)
        .bind(t)
        .bind(&by.actor)
        .execute(&mut *db)
        .await?
    } else {
        sqlx::query(
            "UPDATE designations SET top_officials = $1, from_salary_scale = $2, \
             function_titles = $3, notice_days = $4, version = version + 1, updated_at = $5, \
             updated_by = $6 WHERE org_id = $7 AND version = $8",
        )
        .bind(flag(d.top_officials))
        .bind(scale)
        .bind(&titles)
        .bind(d.notice_days)
        .bind(t)
        .bind(&by.actor)
        .bind(org.0)
        .bind(expected)
        .execute(&mut *db)
        .await?
    };
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("designation changed".into()));
    }
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            by.actor.clone(),
            by.credential,
            "designation.changed",
            "organisation",
            org.0,
            serde_json::json!({
                "top_officials": d.top_officials,
                "from_salary_scale": d.from_salary_scale,
                "function_titles": d.function_titles,
                "notice_days": d.notice_days,
                "version": expected + 1,
            }),
        ),
    )
    .await?;
    Ok(sync(db, org, None, by).await?.len())
}

/// A person the designation covers, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignatedPerson {
    pub id: PersonId,
    pub name: String,
    pub function_title: Option<String>,
    pub salary_scale: Option<i64>,
    pub ground: Ground,
}

/// The facts designation reads, from a row with the person's columns.
struct Facts {
    function_title: Option<String>,
    salary_scale: Option<i64>,
    top_official: bool,
    designated_function: bool,
    end_date: Option<String>,
}

impl Facts {
    fn of(r: &sqlx::any::AnyRow) -> Result<Facts> {
        Ok(Facts {
            function_title: r.try_get("function_title")?,
            salary_scale: r.try_get("salary_scale")?,
            top_official: r.try_get::<i64, _>("top_official")? != 0,
            designated_function: r.try_get::<i64, _>("designated_function")? != 0,
            end_date: r.try_get("end_date")?,
        })
    }

    /// `today` is `YYYY-MM-DD`: someone whose end date is before it left.
    fn holder(&self, today: &str) -> Holder<'_> {
        Holder {
            function_title: self.function_title.as_deref(),
            salary_scale: self.salary_scale,
            top_official: self.top_official,
            designated_function: self.designated_function,
            left: self.end_date.as_deref().is_some_and(|e| e < today),
        }
    }
}

/// The SQL that narrows people down to those the designation may cover
/// (`p` is `people`); the exact test is [`Designation::ground`]. Binds
/// `$n` (top officials flag), `$n+1` (scale), `$n+2` (titles flag).
fn candidates(n: usize) -> String {
    format!(
        "(p.designated_function = 1 OR p.top_official = ${} OR p.salary_scale >= ${} \
         OR (${} = 1 AND p.function_title IS NOT NULL))",
        n,
        n + 1,
        n + 2
    )
}

fn candidate_args(d: &Designation) -> (i64, i64, i64) {
    (
        if d.top_officials { 1 } else { -1 },
        d.from_salary_scale.map_or(i64::MAX, i64::from),
        flag(!d.function_titles.is_empty()),
    )
}

/// Everyone the designation covers now, by name: at most `limit`, and how
/// many in all.
pub async fn designated_people(
    db: &mut Db,
    org: OrgId,
    d: &Designation,
    limit: usize,
) -> Result<(Vec<DesignatedPerson>, usize)> {
    let (top, scale, titles) = candidate_args(d);
    let sql = format!(
        "SELECT p.id, p.name, p.function_title, p.salary_scale, p.top_official, \
         p.designated_function, p.end_date FROM people p WHERE p.org_id = $1 AND {} \
         ORDER BY p.name, p.id",
        candidates(2)
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(org.0)
        .bind(top)
        .bind(scale)
        .bind(titles)
        .fetch_all(db)
        .await?;
    let today = day(now());
    let mut out = Vec::new();
    let mut total = 0;
    for r in &rows {
        let facts = Facts::of(r)?;
        let Some(ground) = d.ground(&facts.holder(&today)) else {
            continue;
        };
        total += 1;
        if out.len() < limit {
            out.push(DesignatedPerson {
                id: PersonId(r.try_get("id")?),
                name: r.try_get("name")?,
                function_title: facts.function_title.clone(),
                salary_scale: facts.salary_scale,
                ground,
            });
        }
    }
    Ok((out, total))
}

/// Why a person is designated now (`None`: not designated), by the
/// organisation's designation.
pub async fn ground_of(
    db: &mut Db,
    org: OrgId,
    person: &crate::people::Person,
) -> Result<Option<Ground>> {
    let d = designation(db, org).await?.designation;
    let facts = Facts {
        function_title: person.function_title.clone(),
        salary_scale: person.salary_scale,
        top_official: person.top_official,
        designated_function: person.designated_function,
        end_date: person.end_date.clone(),
    };
    Ok(d.ground(&facts.holder(&day(now()))))
}

// --- Telling the person ---------------------------------------------------

/// Tells the people whose standing side activities must be published and
/// were not announced yet (of one person, or of the whole organisation):
/// each gets a publication with the notice period of the organisation's
/// designation, a message, an event in the declaration's history and an
/// audit row. Safe to run at any time and concurrently (a side activity is
/// announced once). Returns the declarations announced.
pub async fn sync(db: &mut Db, org: OrgId, person: Option<PersonId>, by: &By) -> Result<Vec<i64>> {
    let d = designation(&mut *db, org).await?.designation;
    let t = now();
    let today = day(t);
    let (top, scale, titles) = candidate_args(&d);
    let sql = format!(
        "SELECT d.id, d.person_id, p.function_title, p.salary_scale, \
         p.top_official, p.designated_function, p.end_date \
         FROM declarations d JOIN people p ON p.id = d.person_id \
         WHERE d.org_id = $1 AND d.kind = 'side_activity' AND {IN_PUBLIC_STATUS} \
         AND (d.ended_on IS NULL OR d.ended_on > $2) \
         AND ($3 = 0 OR d.person_id = $3) \
         AND {} \
         AND NOT EXISTS (SELECT 1 FROM publications x WHERE x.declaration_id = d.id) \
         ORDER BY d.id",
        candidates(4)
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(org.0)
        .bind(&today)
        .bind(person.map_or(0, |p| p.0))
        .bind(top)
        .bind(scale)
        .bind(titles)
        .fetch_all(&mut *db)
        .await?;
    let due = rules::due_at(t, d.notice_days);
    let mut announced = Vec::new();
    for r in &rows {
        let facts = Facts::of(r)?;
        let Some(ground) = d.ground(&facts.holder(&today)) else {
            continue;
        };
        let id: i64 = r.try_get("id")?;
        let owner = PersonId(r.try_get("person_id")?);
        let done = sqlx::query(
            "INSERT INTO publications (declaration_id, org_id, person_id, informed_at, due_at, version) \
             VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (declaration_id) DO NOTHING",
        )
        .bind(id)
        .bind(org.0)
        .bind(owner.0)
        .bind(t)
        .bind(due)
        .execute(&mut *db)
        .await?;
        if done.rows_affected() != 1 {
            continue;
        }
        crate::declarations::notify(&mut *db, org, owner, "publication.to_review", Some(id))
            .await?;
        let detail = serde_json::json!({"due": day(due), "ground": ground_code(ground)});
        crate::declarations::event(
            &mut *db,
            org,
            id,
            &by.actor,
            "publication_announced",
            detail.clone(),
        )
        .await?;
        audit::append(
            &mut *db,
            &audit::event(
                Some(org.0),
                by.actor.clone(),
                by.credential,
                "publication.announced",
                "declaration",
                id,
                detail,
            ),
        )
        .await?;
        announced.push(id);
    }
    Ok(announced)
}

fn ground_code(g: Ground) -> &'static str {
    match g {
        Ground::Individual => "individual",
        Ground::TopOfficial => "top_official",
        Ground::SalaryScale(_) => "salary_scale",
        Ground::FunctionTitle => "function_title",
    }
}

/// [`sync`] for every organisation (the periodic job): catches people who
/// became designated through a change of their personnel record.
pub async fn sync_all(db: &mut Db, by: &By) -> Result<usize> {
    let orgs: Vec<i64> = sqlx::query_scalar("SELECT id FROM organisations ORDER BY id")
        .fetch_all(&mut *db)
        .await?;
    let mut n = 0;
    for org in orgs {
        n += sync(db, OrgId(org), None, by).await?.len();
    }
    Ok(n)
}

// --- One side activity's publication --------------------------------------

/// The publication of one side activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub declaration_id: i64,
    pub person_id: PersonId,
    /// The corrected text; used only when `corrected_at` is set.
    pub public_activity: Option<String>,
    pub public_organisation: Option<String>,
    pub informed_at: i64,
    pub due_at: i64,
    pub seen_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub corrected_at: Option<i64>,
    pub version: i64,
}

impl Publication {
    /// The text that appears: the person's correction, else the
    /// declaration's description and third party.
    pub fn text<'a>(
        &'a self,
        description: &'a str,
        third_party: Option<&'a str>,
    ) -> (&'a str, Option<&'a str>) {
        match (&self.corrected_at, &self.public_activity) {
            (Some(_), Some(activity)) => (activity.as_str(), self.public_organisation.as_deref()),
            _ => (description, third_party),
        }
    }

    pub fn is_public(&self, now: i64) -> bool {
        rules::is_public(self.confirmed_at, self.due_at, now)
    }

    /// When it became (or becomes) public.
    pub fn public_since(&self) -> i64 {
        rules::public_since(self.confirmed_at, self.due_at)
    }
}

pub async fn get(db: &mut Db, org: OrgId, declaration: i64) -> Result<Option<Publication>> {
    let row = sqlx::query(
        "SELECT declaration_id, person_id, public_activity, public_organisation, informed_at, \
         due_at, seen_at, confirmed_at, corrected_at, version FROM publications \
         WHERE declaration_id = $1 AND org_id = $2",
    )
    .bind(declaration)
    .bind(org.0)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Publication {
            declaration_id: r.try_get("declaration_id")?,
            person_id: PersonId(r.try_get("person_id")?),
            public_activity: r.try_get("public_activity")?,
            public_organisation: r.try_get("public_organisation")?,
            informed_at: r.try_get("informed_at")?,
            due_at: r.try_get("due_at")?,
            seen_at: r.try_get("seen_at")?,
            confirmed_at: r.try_get("confirmed_at")?,
            corrected_at: r.try_get("corrected_at")?,
            version: r.try_get("version")?,
        })
    })
    .transpose()
}

/// Whether a side activity's publication applies now, and why: it stands
/// (not ended), and its person is designated and has not left.
pub async fn applies(db: &mut Db, org: OrgId, declaration: i64) -> Result<Option<Ground>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT d.ended_on, p.function_title, p.salary_scale, p.top_official, \
         p.designated_function, p.end_date FROM declarations d JOIN people p ON p.id = d.person_id \
         WHERE d.id = $1 AND d.org_id = $2 AND d.kind = 'side_activity' AND {IN_PUBLIC_STATUS}"
    )))
    .bind(declaration)
    .bind(org.0)
    .fetch_optional(&mut *db)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let today = day(now());
    let ended: Option<String> = r.try_get("ended_on")?;
    if ended.is_some_and(|e| e <= today) {
        return Ok(None);
    }
    let facts = Facts::of(&r)?;
    let d = designation(db, org).await?.designation;
    Ok(d.ground(&facts.holder(&today)))
}

/// The person opened the text (the first time counts; not a change, so no
/// new version).
pub async fn mark_seen(db: &mut Db, org: OrgId, declaration: i64, person: PersonId) -> Result<()> {
    sqlx::query(
        "UPDATE publications SET seen_at = $1 WHERE declaration_id = $2 AND org_id = $3 \
         AND person_id = $4 AND seen_at IS NULL",
    )
    .bind(now())
    .bind(declaration)
    .bind(org.0)
    .bind(person.0)
    .execute(db)
    .await?;
    Ok(())
}

/// The person confirms the text: it is public at once (compare-and-set on
/// the publication's version). The caller writes the audit row.
pub async fn confirm(
    db: &mut Db,
    org: OrgId,
    declaration: i64,
    person: PersonId,
    expected_version: i64,
) -> Result<()> {
    let t = now();
    let done = sqlx::query(AssertSqlSafe(format!(
        "UPDATE publications SET confirmed_at = $1, seen_at = COALESCE(seen_at, $1), \
         version = version + 1 \
         WHERE declaration_id = $2 AND org_id = $3 AND person_id = $4 AND version = $5 \
         AND confirmed_at IS NULL AND EXISTS (SELECT 1 FROM declarations d \
         WHERE d.id = publications.declaration_id AND {IN_PUBLIC_STATUS})"
    )))
    .bind(t)
    .bind(declaration)
    .bind(org.0)
    .bind(person.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("publication changed".into()));
    }
    crate::declarations::event(
        db,
        org,
        declaration,
        &format!("person:{}", person.0),
        "publication_confirmed",
        serde_json::json!({}),
    )
    .await
}

/// The person corrects the public text (compare-and-set on the
/// publication's version); the history keeps the text before and after,
/// for the approver and the integrity office. The caller checked the text
/// ([`rules::check_public_text`]) and writes the audit row.
#[allow(clippy::too_many_arguments)]
pub async fn correct(
    db: &mut Db,
    org: OrgId,
    declaration: i64,
    person: PersonId,
    expected_version: i64,
    activity: &str,
    organisation: Option<&str>,
    before: (&str, Option<&str>),
) -> Result<()> {
    let t = now();
    let done = sqlx::query(
        "UPDATE publications SET public_activity = $1, public_organisation = $2, corrected_at = $3, \
         seen_at = COALESCE(seen_at, $3), version = version + 1 \
         WHERE declaration_id = $4 AND org_id = $5 AND person_id = $6 AND version = $7",
    )
    .bind(activity)
    .bind(organisation.map(str::to_string))
    .bind(t)
    .bind(declaration)
    .bind(org.0)
    .bind(person.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("publication changed".into()));
    }
    crate::declarations::event(
        db,
        org,
        declaration,
        &format!("person:{}", person.0),
        "publication_corrected",
        serde_json::json!({
            "before": {"activity": before.0, "organisation": before.1},
            "after": {"activity": activity, "organisation": organisation},
        }),
    )
    .await
}

/// The person reports that their side activity ended on `ended_on`
/// (`YYYY-MM-DD`, not in the future): from that day on it is no longer in
/// the public register (compare-and-set on the declaration's version). The
/// caller writes the audit row.
pub async fn end_side_activity(
    db: &mut Db,
    org: OrgId,
    declaration: i64,
    person: PersonId,
    expected_version: i64,
    ended_on: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE declarations SET ended_on = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND org_id = $4 AND person_id = $5 AND version = $6 \
         AND kind = 'side_activity' AND ended_on IS NULL \
         AND status IN ('approved', 'approved_with_conditions', 'registered')",
    )
    .bind(ended_on)
    .bind(now())
    .bind(declaration)
    .bind(org.0)
    .bind(person.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("declaration changed".into()));
    }
    crate::declarations::event(
        db,
        org,
        declaration,
        &format!("person:{}", person.0),
        "ended",
        serde_json::json!({"ended_on": ended_on}),
    )
    .await
}

/// The day a side activity ended, if it did.
pub async fn ended_on(db: &mut Db, org: OrgId, declaration: i64) -> Result<Option<String>> {
    let v: Option<Option<String>> =
        sqlx::query_scalar("SELECT ended_on FROM declarations WHERE id = $1 AND org_id = $2")
            .bind(declaration)
            .bind(org.0)
            .fetch_optional(db)
            .await?;
    Ok(v.flatten())
}

// --- The register ---------------------------------------------------------

/// The public register of an organisation at `now`, by name, and the day it
/// last changed.
pub async fn register(
    db: &mut Db,
    org: OrgId,
    now: i64,
) -> Result<(Vec<PublicEntry>, Option<String>)> {
    let (publish_names, _) = settings(&mut *db, org).await?;
    let d = designation(&mut *db, org).await?.designation;
    let today = day(now);
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.name, p.function_title, p.salary_scale, p.top_official, p.designated_function, \
         p.end_date, d.description, d.third_party, d.answers, d.conditions, \
         COALESCE(d.decided_at, d.created_at) AS approved_at, d.reviewed_at, \
         x.public_activity, x.public_organisation, x.due_at, x.confirmed_at, x.corrected_at \
         FROM publications x JOIN declarations d ON d.id = x.declaration_id \
         JOIN people p ON p.id = d.person_id \
         WHERE x.org_id = $1 AND d.org_id = $1 AND d.kind = 'side_activity' AND {IN_PUBLIC_STATUS} \
         AND (d.ended_on IS NULL OR d.ended_on > $2) \
         AND (x.confirmed_at IS NOT NULL OR x.due_at <= $3) \
         ORDER BY p.name, d.id"
    )))
    .bind(org.0)
    .bind(&today)
    .bind(now)
    .fetch_all(db)
    .await?;
    let mut entries = Vec::new();
    let mut last: Option<i64> = None;
    for r in rows {
        let facts = Facts::of(&r)?;
        if !d.covers(&facts.holder(&today)) {
            continue;
        }
        let approved_at: i64 = r.try_get("approved_at")?;
        let reviewed_at: Option<i64> = r.try_get("reviewed_at")?;
        let due_at: i64 = r.try_get("due_at")?;
        let confirmed_at: Option<i64> = r.try_get("confirmed_at")?;
        let corrected_at: Option<i64> = r.try_get("corrected_at")?;
        let changed = [
            Some(rules::public_since(confirmed_at, due_at)),
            reviewed_at,
            Some(approved_at),
            corrected_at.filter(|c| *c <= now),
        ]
        .into_iter()
        .flatten()
        .max();
        last = last.max(changed);
        let name: String = r.try_get("name")?;
        let description: String = r.try_get("description")?;
        let third: Option<String> = r.try_get("third_party")?;
        let public_activity: Option<String> = r.try_get("public_activity")?;
        let public_organisation: Option<String> = r.try_get("public_organisation")?;
        let (activity, organisation) = match (corrected_at, public_activity) {
            (Some(_), Some(a)) => (a, public_organisation),
            _ => (description, third),
        };
        let answers: String = r.try_get("answers")?;
        let conditions: Option<String> = r.try_get("conditions")?;
        entries.push(entry(
            publish_names,
            &name,
            facts.function_title.as_deref(),
            &activity,
            organisation.as_deref(),
            &answers,
            conditions.as_deref(),
            approved_at,
            reviewed_at,
        ));
    }
    Ok((entries, last.map(day)))
}
