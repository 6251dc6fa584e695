//! Prevention records (docs/PREVENTION.md): the organisation's settings,
//! the register of oaths and affirmations, screening at hiring, the
//! acknowledgements of the code of conduct, the code review reminders, and
//! the year's figures for the annual report.
//!
//! Every change appends its audit row in the caller's transaction; edits of
//! a row two people could change at once are compare-and-set on `version`
//! (0: the row does not exist yet). Lists take the permit's [`Scope`] and
//! filter in SQL.

use crate::{Db, Result, StoreError, audit, flag, now};
use integer_domain::audit::Credential;
use integer_domain::authz::Scope;
use integer_domain::org::{EmploymentType, OrgId, PersonId, Role};
use integer_domain::prevention::{
    self as rules, Oath, Screening, Settings, next_review, review_reminder_due,
};
use jiff::ToSpan;
use jiff::civil::Date;
use sqlx::{AssertSqlSafe, Row};

/// Who makes a change, for the audit row.
#[derive(Debug, Clone)]
pub struct By {
    pub person: PersonId,
    pub actor: String,
    pub credential: Credential,
}

fn date_of(raw: Option<String>) -> Option<Date> {
    raw.and_then(|d| d.parse().ok())
}

fn text(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The SQL condition (on `people p`) and its value for a scope; the value
/// is bound as the given placeholder.
fn scope_clause(scope: Scope, placeholder: usize) -> (String, Option<i64>) {
    match scope {
        Scope::Organisation => (String::new(), None),
        Scope::Team(m) => (format!(" AND p.manager_id = ${placeholder}"), Some(m.0)),
        Scope::Own(p) => (format!(" AND p.id = ${placeholder}"), Some(p.0)),
    }
}

// --- Settings -------------------------------------------------------------

/// The settings in force and their version (0: never saved, the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSettings {
    pub settings: Settings,
    pub version: i64,
}

pub async fn settings(db: &mut Db, org: OrgId) -> Result<StoredSettings> {
    let row = sqlx::query(
        "SELECT oath_days, code_reviewed_on, review_years, version FROM prevention_settings \
         WHERE org_id = $1",
    )
    .bind(org.0)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else {
        return Ok(StoredSettings {
            settings: Settings::default(),
            version: 0,
        });
    };
    Ok(StoredSettings {
        settings: Settings {
            oath_days: r.try_get("oath_days")?,
            code_reviewed_on: date_of(r.try_get("code_reviewed_on")?),
            review_years: r.try_get("review_years")?,
        },
        version: r.try_get("version")?,
    })
}

/// Saves the settings on top of `expected` (compare-and-set).
pub async fn set_settings(
    db: &mut Db,
    org: OrgId,
    by: &By,
    expected: i64,
    s: &Settings,
) -> Result<()> {
    let done = if expected == 0 {
        sqlx::query(
            "INSERT INTO prevention_settings (org_id, oath_days, code_reviewed_on, review_years, \
             version, updated_at) VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org.0)
        .bind(s.oath_days)
        .bind(text(s.code_reviewed_on))
        .bind(s.review_years)
        .bind(now())
        .execute(&mut *db)
        .await?
    } else {
        sqlx::query(
            "UPDATE prevention_settings SET oath_days = $1, code_reviewed_on = $2, \
             review_years = $3, version = version + 1, updated_at = $4 \
             WHERE org_id = $5 AND version = $6",
        )
        .bind(s.oath_days)
        .bind(text(s.code_reviewed_on))
        .bind(s.review_years)
        .bind(now())
        .bind(org.0)
        .bind(expected)
        .execute(&mut *db)
        .await?
    };
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("settings changed".into()));
    }
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            by.actor.clone(),
            by.credential,
            "prevention.settings_changed",
            "organisation",
            org.0,
            serde_json::json!({
                "oath_days": s.oath_days,
                "code_reviewed_on": text(s.code_reviewed_on),
                "review_years": s.review_years,
            }),
        ),
    )
    .await?;
    Ok(())
}

// --- Oath or affirmation --------------------------------------------------

/// A person's oath or affirmation as registered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OathRecord {
    pub id: i64,
    pub person: PersonId,
    /// `oath` or `affirmation`.
    pub kind: String,
    pub taken_on: String,
    pub before_whom: String,
    pub recorded_by: Option<String>,
    pub recorded_at: i64,
    pub version: i64,
}

pub async fn oath_of(db: &mut Db, org: OrgId, person: PersonId) -> Result<Option<OathRecord>> {
    let row = sqlx::query(
        "SELECT o.id, o.person_id, o.kind, o.taken_on, o.before_whom, r.name AS recorded_by, \
         o.recorded_at, o.version FROM oaths o LEFT JOIN people r ON r.id = o.recorded_by \
         WHERE o.org_id = $1 AND o.person_id = $2",
    )
    .bind(org.0)
    .bind(person.0)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(OathRecord {
            id: r.try_get("id")?,
            person: PersonId(r.try_get("person_id")?),
            kind: r.try_get("kind")?,
            taken_on: r.try_get("taken_on")?,
            before_whom: r.try_get("before_whom")?,
            recorded_by: r.try_get("recorded_by")?,
            recorded_at: r.try_get("recorded_at")?,
            version: r.try_get("version")?,
        })
    })
    .transpose()
}

/// Records a person's oath (`expected` 0) or corrects it (compare-and-set
/// on the version shown). The person must belong to the organisation.
pub async fn record_oath(
    db: &mut Db,
    org: OrgId,
    by: &By,
    person: PersonId,
    expected: i64,
    oath: &Oath,
) -> Result<i64> {
    person_of(db, org, person).await?;
    let t = now();
    let id: Option<i64> = if expected == 0 {
        sqlx::query_scalar(
            "INSERT INTO oaths (org_id, person_id, kind, taken_on, before_whom, recorded_by, \
             recorded_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) \
             ON CONFLICT (person_id) DO NOTHING RETURNING id",
        )
        .bind(org.0)
        .bind(person.0)
        .bind(oath.kind.code())
        .bind(oath.taken_on.to_string())
        .bind(&oath.before_whom)
        .bind(by.person.0)
        .bind(t)
        .fetch_optional(&mut *db)
        .await?
    } else {
        sqlx::query_scalar(
            "UPDATE oaths SET kind = $1, taken_on = $2, before_whom = $3, recorded_by = $4, \
             recorded_at = $5, version = version + 1 \
             WHERE org_id = $6 AND person_id = $7 AND version = $8 RETURNING id",
        )
        .bind(oath.kind.code())
        .bind(oath.taken_on.to_string())
        .bind(&oath.before_whom)
        .bind(by.person.0)
        .bind(t)
        .bind(org.0)
        .bind(person.0)
        .bind(expected)
        .fetch_optional(&mut *db)
        .await?
    };
    let id = id.ok_or_else(|| StoreError::Conflict("oath changed".into()))?;
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            by.actor.clone(),
            by.credential,
            if expected == 0 {
                "oath.recorded"
            } else {
                "oath.corrected"
            },
            "oath",
            id,
            serde_json::json!({
                "person": person.0,
                "kind": oath.kind.code(),
                "taken_on": oath.taken_on.to_string(),
            }),
        ),
    )
    .await?;
    Ok(id)
}

async fn person_of(db: &mut Db, org: OrgId, person: PersonId) -> Result<()> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE id = $1 AND org_id = $2")
            .bind(person.0)
            .bind(org.0)
            .fetch_optional(db)
            .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

/// One person in the oath register or on the overdue list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OathRow {
    pub person: PersonId,
    pub name: String,
    pub unit: Option<String>,
    pub start_date: Option<String>,
    /// `oath` or `affirmation`; `None` when not sworn in.
    pub kind: Option<String>,
    pub taken_on: Option<String>,
    pub before_whom: Option<String>,
}

const OATH_ROW: &str = "SELECT p.id, p.name, u.name AS unit, p.start_date, o.kind, o.taken_on, \
    o.before_whom FROM people p LEFT JOIN units u ON u.id = p.unit_id \
    LEFT JOIN oaths o ON o.person_id = p.id";

fn oath_row(r: &sqlx::any::AnyRow) -> Result<OathRow> {
    Ok(OathRow {
        person: PersonId(r.try_get("id")?),
        name: r.try_get("name")?,
        unit: r.try_get("unit")?,
        start_date: r.try_get("start_date")?,
        kind: r.try_get("kind")?,
        taken_on: r.try_get("taken_on")?,
        before_whom: r.try_get("before_whom")?,
    })
}

/// The oath register: people in service on `today` within the scope, with
/// their oath if any, by name; at most `limit`.
pub async fn oath_register(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    today: Date,
    limit: i64,
) -> Result<Vec<OathRow>> {
    let (clause, value) = scope_clause(scope, 4);
    let sql = format!(
        "{OATH_ROW} WHERE p.org_id = $1 AND (p.end_date IS NULL OR p.end_date >= $2){clause} \
         ORDER BY p.name, p.id LIMIT $3"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql))
        .bind(org.0)
        .bind(today.to_string())
        .bind(limit);
    if let Some(v) = value {
        q = q.bind(v);
    }
    q.fetch_all(db).await?.iter().map(oath_row).collect()
}

/// People not sworn in within the set days: in service on `today`, started
/// before `started_before` (see `prevention::overdue_before`), without an
/// oath; longest waiting first; at most `limit`.
pub async fn not_sworn(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    started_before: Date,
    today: Date,
    limit: i64,
) -> Result<Vec<OathRow>> {
    let (clause, value) = scope_clause(scope, 5);
    let sql = format!(
        "{OATH_ROW} WHERE p.org_id = $1 AND (p.end_date IS NULL OR p.end_date >= $2) \
         AND p.start_date IS NOT NULL AND p.start_date < $3 AND o.id IS NULL{clause} \
         ORDER BY p.start_date, p.name, p.id LIMIT $4"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql))
        .bind(org.0)
        .bind(today.to_string())
        .bind(started_before.to_string())
        .bind(limit);
    if let Some(v) = value {
        q = q.bind(v);
    }
    q.fetch_all(db).await?.iter().map(oath_row).collect()
}

// --- Screening at hiring --------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningRecord {
    pub screening: Screening,
    pub version: i64,
    pub updated_at: i64,
}

const SCREENING_COLUMNS: &str = "s.vog_requested_on, s.vog_received_on, \
    s.references_checked_on, s.diplomas_checked_on, s.declaration_signed_on, s.former_left_on, \
    s.compelling_reasons";

fn screening_from(r: &sqlx::any::AnyRow) -> Result<Screening> {
    Ok(Screening {
        vog_requested: date_of(r.try_get("vog_requested_on")?),
        vog_received: date_of(r.try_get("vog_received_on")?),
        references: date_of(r.try_get("references_checked_on")?),
        diplomas: date_of(r.try_get("diplomas_checked_on")?),
        declaration: date_of(r.try_get("declaration_signed_on")?),
        former_left_on: date_of(r.try_get("former_left_on")?),
        compelling_reasons: r
            .try_get::<Option<i64>, _>("compelling_reasons")?
            .unwrap_or(0)
            != 0,
    })
}

pub async fn screening_of(
    db: &mut Db,
    org: OrgId,
    person: PersonId,
) -> Result<Option<ScreeningRecord>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SCREENING_COLUMNS}, s.version, s.updated_at FROM screenings s \
         WHERE s.org_id = $1 AND s.person_id = $2"
    )))
    .bind(org.0)
    .bind(person.0)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(ScreeningRecord {
            screening: screening_from(&r)?,
            version: r.try_get("version")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
}

/// Saves a person's screening (compare-and-set on `expected`; 0: first).
pub async fn save_screening(
    db: &mut Db,
    org: OrgId,
    by: &By,
    person: PersonId,
    expected: i64,
    s: &Screening,
) -> Result<()> {
    person_of(db, org, person).await?;
    let t = now();
    let done = if expected == 0 {
        sqlx::query(
            "INSERT INTO screenings (person_id, org_id, vog_requested_on, vog_received_on, \
             references_checked_on, diplomas_checked_on, declaration_signed_on, former_left_on, \
             compelling_reasons, version, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11) \
             ON CONFLICT (person_id) DO NOTHING",
        )
        .bind(person.0)
        .bind(org.0)
        .bind(text(s.vog_requested))
        .bind(text(s.vog_received))
        .bind(text(s.references))
        .bind(text(s.diplomas))
        .bind(text(s.declaration))
        .bind(text(s.former_left_on))
        .bind(flag(s.compelling_reasons))
        .bind(by.person.0)
        .bind(t)
        .execute(&mut *db)
        .await?
    } else {
        sqlx::query(
            "UPDATE screenings SET vog_requested_on = $1, vog_received_on = $2, \
             references_checked_on = $3, diplomas_checked_on = $4, declaration_signed_on = $5, \
             former_left_on = $6, compelling_reasons = $7, version = version + 1, \
             updated_by = $8, updated_at = $9 \
             WHERE org_id = $10 AND person_id = $11 AND version = $12",
        )
        .bind(text(s.vog_requested))
        .bind(text(s.vog_received))
        .bind(text(s.references))
        .bind(text(s.diplomas))
        .bind(text(s.declaration))
        .bind(text(s.former_left_on))
        .bind(flag(s.compelling_reasons))
        .bind(by.person.0)
        .bind(t)
        .bind(org.0)
        .bind(person.0)
        .bind(expected)
        .execute(&mut *db)
        .await?
    };
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("screening changed".into()));
    }
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            by.actor.clone(),
            by.credential,
            "screening.saved",
            "screening",
            person.0,
            serde_json::json!({
                "vog_requested": text(s.vog_requested),
                "vog_received": text(s.vog_received),
                "references": text(s.references),
                "diplomas": text(s.diplomas),
                "declaration": text(s.declaration),
                "former_left_on": text(s.former_left_on),
                "compelling_reasons": s.compelling_reasons,
            }),
        ),
    )
    .await?;
    Ok(())
}

/// A hire and their screening so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hire {
    pub person: PersonId,
    pub name: String,
    pub employment: EmploymentType,
    pub start_date: Option<String>,
    pub screening: Screening,
}

/// Hires to screen: people in service on `today` who started on or after
/// `since` (or start later), or whose screening was started; by start
/// date, newest first; at most `limit`.
pub async fn hires(
    db: &mut Db,
    org: OrgId,
    since: Date,
    today: Date,
    limit: i64,
) -> Result<Vec<Hire>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.id, p.name, p.employment_type, p.start_date, {SCREENING_COLUMNS} \
         FROM people p LEFT JOIN screenings s ON s.person_id = p.id \
         WHERE p.org_id = $1 AND (p.end_date IS NULL OR p.end_date >= $2) \
         AND (p.start_date >= $3 OR s.person_id IS NOT NULL) \
         ORDER BY p.start_date DESC, p.name, p.id LIMIT $4"
    )))
    .bind(org.0)
    .bind(today.to_string())
    .bind(since.to_string())
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let employment: String = r.try_get("employment_type")?;
            Ok(Hire {
                person: PersonId(r.try_get("id")?),
                name: r.try_get("name")?,
                employment: EmploymentType::parse(&employment)
                    .unwrap_or(EmploymentType::CivilServant),
                start_date: r.try_get("start_date")?,
                screening: screening_from(r)?,
            })
        })
        .collect()
}

// --- Code of conduct acknowledgements -------------------------------------

/// A person's latest acknowledgement of the code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Acknowledgement {
    pub preset_version: String,
    pub digest: String,
    pub at: i64,
}

pub async fn acknowledgement_of(
    db: &mut Db,
    org: OrgId,
    person: PersonId,
) -> Result<Option<Acknowledgement>> {
    let row = sqlx::query(
        "SELECT preset_version, digest, acknowledged_at FROM code_acknowledgements \
         WHERE org_id = $1 AND person_id = $2 ORDER BY acknowledged_at DESC, id DESC LIMIT 1",
    )
    .bind(org.0)
    .bind(person.0)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Acknowledgement {
            preset_version: r.try_get("preset_version")?,
            digest: r.try_get("digest")?,
            at: r.try_get("acknowledged_at")?,
        })
    })
    .transpose()
}

/// Records that `by.person` read this version of the code; once per
/// version (a second click changes nothing). Returns whether it was new.
pub async fn acknowledge(
    db: &mut Db,
    org: OrgId,
    by: &By,
    preset_version: &str,
    digest: &str,
) -> Result<bool> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO code_acknowledgements (org_id, person_id, preset_version, digest, \
         acknowledged_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (person_id, digest) DO NOTHING RETURNING id",
    )
    .bind(org.0)
    .bind(by.person.0)
    .bind(preset_version)
    .bind(digest)
    .bind(now())
    .fetch_optional(&mut *db)
    .await?;
    let Some(id) = id else { return Ok(false) };
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            by.actor.clone(),
            by.credential,
            "code.acknowledged",
            "code_acknowledgement",
            id,
            serde_json::json!({"version": preset_version, "digest": digest}),
        ),
    )
    .await?;
    Ok(true)
}

/// Someone who has not acknowledged the code in force.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unacknowledged {
    pub person: PersonId,
    pub name: String,
    pub unit: Option<String>,
    /// The version they acknowledged last, if any.
    pub last_version: Option<String>,
}

/// People in service on `today` within the scope who have not
/// acknowledged the version with this digest, by name; at most `limit`.
/// Also returns how many there are in all.
pub async fn not_acknowledged(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    digest: &str,
    today: Date,
    limit: i64,
) -> Result<(Vec<Unacknowledged>, i64)> {
    let (clause, value) = scope_clause(scope, 5);
    let filter = format!(
        "FROM people p LEFT JOIN units u ON u.id = p.unit_id \
         WHERE p.org_id = $1 AND (p.end_date IS NULL OR p.end_date >= $2) \
         AND NOT EXISTS (SELECT 1 FROM code_acknowledgements a WHERE a.person_id = p.id \
         AND a.digest = $3){clause}"
    );
    let sql = format!(
        "SELECT p.id, p.name, u.name AS unit, (SELECT a.preset_version FROM code_acknowledgements a \
         WHERE a.person_id = p.id ORDER BY a.acknowledged_at DESC, a.id DESC LIMIT 1) AS last_version \
         {filter} ORDER BY p.name, p.id LIMIT $4"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql))
        .bind(org.0)
        .bind(today.to_string())
        .bind(digest)
        .bind(limit);
    if let Some(v) = value {
        q = q.bind(v);
    }
    let rows = q.fetch_all(&mut *db).await?;
    // The count query has no LIMIT: its scope value is the fourth value.
    let (clause4, _) = scope_clause(scope, 4);
    let count_sql = format!(
        "SELECT COUNT(*) FROM people p WHERE p.org_id = $1 \
         AND (p.end_date IS NULL OR p.end_date >= $2) \
         AND NOT EXISTS (SELECT 1 FROM code_acknowledgements a WHERE a.person_id = p.id \
         AND a.digest = $3){clause4}"
    );
    let mut c = sqlx::query_scalar(AssertSqlSafe(count_sql))
        .bind(org.0)
        .bind(today.to_string())
        .bind(digest);
    if let Some(v) = value {
        c = c.bind(v);
    }
    let total: i64 = c.fetch_one(db).await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(Unacknowledged {
                person: PersonId(r.try_get("id")?),
                name: r.try_get("name")?,
                unit: r.try_get("unit")?,
                last_version: r.try_get("last_version")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((list, total))
}

// --- Code review reminders ------------------------------------------------

/// Tells the integrity office of every organisation whose code of conduct
/// is due for review (from 30 days before the date) — once per review
/// date; returns how many organisations were reminded. Run by the periodic
/// job (`integer escalate`).
pub async fn send_review_reminders(db: &mut Db, today: Date) -> Result<usize> {
    let rows = sqlx::query(
        "SELECT org_id, code_reviewed_on, review_years FROM prevention_settings \
         WHERE code_reviewed_on IS NOT NULL ORDER BY org_id",
    )
    .fetch_all(&mut *db)
    .await?;
    let mut due = Vec::new();
    for r in &rows {
        let org = OrgId(r.try_get("org_id")?);
        let Some(reviewed) = date_of(r.try_get("code_reviewed_on")?) else {
            continue;
        };
        let next = next_review(reviewed, r.try_get("review_years")?);
        if review_reminder_due(next, today) {
            due.push((org, next));
        }
    }
    let mut sent = 0;
    for (org, next) in due {
        let claimed = sqlx::query(
            "INSERT INTO code_review_reminders (org_id, due_on, sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, due_on) DO NOTHING",
        )
        .bind(org.0)
        .bind(next.to_string())
        .bind(now())
        .execute(&mut *db)
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        let office = crate::people::with_role(&mut *db, org, Role::IntegrityOffice).await?;
        for (person, _, _) in &office {
            crate::declarations::notify(&mut *db, org, *person, "code.review_due", None).await?;
        }
        audit::append(
            &mut *db,
            &audit::event(
                Some(org.0),
                "system",
                Credential::System,
                "code.review_reminded",
                "organisation",
                org.0,
                serde_json::json!({"due_on": next.to_string(), "notified": office.len()}),
            ),
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

// --- The year's figures ---------------------------------------------------

/// Prevention figures of one organisation and calendar year, for the
/// annual integrity report. Exact counts: suppressing small numbers is the
/// report's job. "In service" on a day means: start date on or before it
/// (or unknown) and end date on or after it (or none).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PreventionFigures {
    pub year: i64,
    /// People in service on at least one day of the year.
    pub people_in_service: i64,
    /// Oaths and affirmations taken in the year (by date taken).
    pub oaths_taken: i64,
    /// People in service on 31 December who had taken the oath or
    /// affirmation on or before that day (in any year).
    pub sworn_in_at_year_end: i64,
    /// People in service on 31 December with a known start date, whose
    /// set days for the oath (the organisation's current setting) had
    /// passed by then without an oath taken on or before that day.
    pub oath_overdue_at_year_end: i64,
    /// People whose start date is in the year.
    pub hires: i64,
    /// Of those hires: how many have a VOG received date.
    pub hires_vog_received: i64,
    /// Of those hires: how many signed the integrity declaration.
    pub hires_declaration_signed: i64,
    /// People in service on 31 December who acknowledged the version of
    /// the code of conduct in force at the end of the year (the newest
    /// revision saved by then, else the bundled preset), by then.
    pub code_acknowledged: i64,
    /// The number of days for the oath used above.
    pub oath_days: i64,
}

async fn count(db: &mut Db, sql: &'static str, org: OrgId, args: &[&str]) -> Result<i64> {
    let mut q = sqlx::query_scalar(sql).bind(org.0);
    for a in args {
        q = q.bind(a.to_string());
    }
    Ok(q.fetch_one(db).await?)
}

/// The digest of the code in force at the end of `at` (Unix seconds).
async fn digest_in_force(db: &mut Db, org: OrgId, at: i64) -> Result<Option<String>> {
    let revised: Option<String> = sqlx::query_scalar(
        "SELECT digest FROM preset_revisions WHERE org_id = $1 AND created_at <= $2 \
         ORDER BY revision DESC LIMIT 1",
    )
    .bind(org.0)
    .bind(at)
    .fetch_optional(&mut *db)
    .await?;
    if revised.is_some() {
        return Ok(revised);
    }
    let base = crate::orgs::get(db, org).await?.preset;
    Ok(integer_domain::policy::bundled_preset(&base).map(|p| p.digest.clone()))
}

/// The year's prevention figures (see [`PreventionFigures`]).
pub async fn year_figures(db: &mut Db, org: OrgId, year: i64) -> Result<PreventionFigures> {
    let y = i16::try_from(year).map_err(|_| StoreError::Other(anyhow::anyhow!("year {year}")))?;
    let first = Date::new(y, 1, 1).map_err(|e| StoreError::Other(e.into()))?;
    let last = Date::new(y, 12, 31).map_err(|e| StoreError::Other(e.into()))?;
    let (first_s, last_s) = (first.to_string(), last.to_string());
    let oath_days = settings(db, org).await?.settings.oath_days;
    let cutoff = rules::overdue_before(last, oath_days).to_string();
    let people_in_service = count(
        db,
        "SELECT COUNT(*) FROM people WHERE org_id = $1 \
         AND (start_date IS NULL OR start_date <= $2) AND (end_date IS NULL OR end_date >= $3)",
        org,
        &[&last_s, &first_s],
    )
    .await?;
    let oaths_taken = count(
        db,
        "SELECT COUNT(*) FROM oaths WHERE org_id = $1 AND taken_on >= $2 AND taken_on <= $3",
        org,
        &[&first_s, &last_s],
    )
    .await?;
    let sworn_in_at_year_end = count(
        db,
        "SELECT COUNT(*) FROM people p WHERE p.org_id = $1 \
         AND (p.start_date IS NULL OR p.start_date <= $2) \
         AND (p.end_date IS NULL OR p.end_date >= $2) \
         AND EXISTS (SELECT 1 FROM oaths o WHERE o.person_id = p.id AND o.taken_on <= $2)",
        org,
        &[&last_s],
    )
    .await?;
    let oath_overdue_at_year_end = count(
        db,
        "SELECT COUNT(*) FROM people p WHERE p.org_id = $1 \
         AND p.start_date IS NOT NULL AND p.start_date < $3 \
         AND (p.end_date IS NULL OR p.end_date >= $2) \
         AND NOT EXISTS (SELECT 1 FROM oaths o WHERE o.person_id = p.id AND o.taken_on <= $2)",
        org,
        &[&last_s, &cutoff],
    )
    .await?;
    let hires_where = "FROM people p LEFT JOIN screenings s ON s.person_id = p.id \
         WHERE p.org_id = $1 AND p.start_date >= $2 AND p.start_date <= $3";
    let mut hire_counts = Vec::new();
    for extra in [
        "",
        " AND s.vog_received_on IS NOT NULL",
        " AND s.declaration_signed_on IS NOT NULL",
    ] {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) {hires_where}{extra}"
        )))
        .bind(org.0)
        .bind(&first_s)
        .bind(&last_s)
        .fetch_one(&mut *db)
        .await?;
        hire_counts.push(n);
    }
    let end_at = last
        .checked_add(1.day())
        .ok()
        .and_then(|d| d.to_zoned_datetime(amsterdam()).ok())
        .map(|z| z.timestamp().as_second() - 1)
        .unwrap_or(i64::MAX);
    let code_acknowledged = match digest_in_force(db, org, end_at).await? {
        None => 0,
        Some(digest) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM people p WHERE p.org_id = $1 \
             AND (p.start_date IS NULL OR p.start_date <= $2) \
             AND (p.end_date IS NULL OR p.end_date >= $2) \
             AND EXISTS (SELECT 1 FROM code_acknowledgements a WHERE a.person_id = p.id \
             AND a.digest = $3 AND a.acknowledged_at <= $4)",
            )
            .bind(org.0)
            .bind(&last_s)
            .bind(digest)
            .bind(end_at)
            .fetch_one(&mut *db)
            .await?
        }
    };
    Ok(PreventionFigures {
        year,
        people_in_service,
        oaths_taken,
        sworn_in_at_year_end,
        oath_overdue_at_year_end,
        hires: hire_counts[0],
        hires_vog_received: hire_counts[1],
        hires_declaration_signed: hire_counts[2],
        code_acknowledged,
        oath_days,
    })
}

fn amsterdam() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap_or(jiff::tz::TimeZone::UTC)
}
