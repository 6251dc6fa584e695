//! Learning (see `integer_domain::learning`): training records per person,
//! integrity on the agenda of HR conversations, moral deliberation
//! sessions (*moreel beraad*) and team meetings with integrity on the
//! agenda per unit, a manager's team at a glance, and the year's figures
//! for the annual report.
//!
//! Lists take the caller's [`Scope`]: the organisation, a manager's team
//! (their direct reports, and the units those reports work in), or one's
//! own records. Every change appends its audit row in the caller's
//! transaction; audit rows name records by id, never their contents.

use crate::{Db, Result, StoreError, flag, now};
use integer_domain::authz::Scope;
use integer_domain::learning::{Deliberation, Training};
use integer_domain::org::{OrgId, PersonId, UnitId};
use jiff::civil::Date;
use sqlx::{AssertSqlSafe, Row};

pub use crate::counsellor_log::Author;

/// One training of one person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TrainingRecord {
    pub id: i64,
    pub person: PersonId,
    pub person_name: String,
    /// A code of `integer_domain::learning::TrainingKind`.
    pub kind: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub completed: bool,
    pub version: i64,
}

/// A date on which integrity was on the agenda of a person's HR
/// conversation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HrConversation {
    pub id: i64,
    pub person: PersonId,
    pub person_name: String,
    pub date: String,
}

/// A moral deliberation session of a unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Session {
    pub id: i64,
    pub unit: UnitId,
    pub unit_name: String,
    pub date: String,
    pub attendees: i64,
    pub topics: String,
    /// A code of `integer_domain::learning::Theme`.
    pub theme: Option<String>,
    pub version: i64,
}

/// A team meeting of a unit with integrity on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TeamMeeting {
    pub id: i64,
    pub unit: UnitId,
    pub unit_name: String,
    pub date: String,
}

/// One direct report in a manager's overview.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TeamMember {
    pub person: PersonId,
    pub name: String,
    pub function_title: Option<String>,
    /// The date of the completed introduction training, if any.
    pub introduction: Option<String>,
    /// The date of the last completed e-learning.
    pub last_elearning: Option<String>,
    /// The last HR conversation with integrity on the agenda.
    pub last_hr_conversation: Option<String>,
}

/// The learning figures of one year, for the annual integrity report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LearningFigures {
    /// The calendar year.
    pub year: i64,
    /// People who completed the introduction training on moral judgement in
    /// the year (each counted once).
    pub introduction_completed_in_year: i64,
    /// People in service at the end of the year (started on or before 31
    /// December, or no start date known; not left before 31 December).
    pub in_service_at_year_end: i64,
    /// Of those in service at the end of the year, how many had completed
    /// the introduction training by then (in any year).
    pub introduction_completed_in_service: i64,
    /// Completed e-learnings dated in the year (records; one person may
    /// complete several).
    pub elearnings_completed: i64,
    /// HR conversations with integrity on the agenda held in the year.
    pub hr_conversations: i64,
    /// Moral deliberation sessions held in the year.
    pub deliberation_sessions: i64,
    /// The attendees of those sessions, added up.
    pub deliberation_attendance: i64,
    /// Units with at least one moral deliberation session in the year.
    pub units_with_session: i64,
    /// Team meetings with integrity on the agenda held in the year.
    pub team_meetings: i64,
}

async fn audit_row(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    action: &str,
    object_type: &str,
    id: i64,
    detail: serde_json::Value,
) -> Result<()> {
    crate::audit::append(
        db,
        &crate::audit::event(
            Some(org.0),
            who.actor.clone(),
            who.credential,
            action,
            object_type,
            id,
            detail,
        ),
    )
    .await?;
    Ok(())
}

/// Whether every person belongs to the organisation.
async fn all_in_org(db: &mut Db, org: OrgId, people: &[PersonId]) -> Result<bool> {
    for p in people {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM people WHERE id = $1 AND org_id = $2")
                .bind(p.0)
                .bind(org.0)
                .fetch_optional(&mut *db)
                .await?;
        if found.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Records one training for each of `people` (the bulk form), one audit
/// row each. Every person must belong to the organisation, or nothing is
/// recorded (`NotFound`).
pub async fn add_trainings(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    t: &Training,
    people: &[PersonId],
) -> Result<Vec<i64>> {
    if people.is_empty() || !all_in_org(db, org, people).await? {
        return Err(StoreError::NotFound);
    }
    let at = now();
    let mut ids = Vec::with_capacity(people.len());
    for p in people {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO training_records (org_id, person_id, kind, title, held_on, year, \
             completed, recorded_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(org.0)
        .bind(p.0)
        .bind(t.kind.code())
        .bind(&t.title)
        .bind(t.date.to_string())
        .bind(i64::from(t.date.year()))
        .bind(flag(t.completed))
        .bind(who.person.0)
        .bind(at)
        .fetch_one(&mut *db)
        .await?;
        audit_row(
            db,
            org,
            who,
            "training.recorded",
            "training",
            id,
            serde_json::json!({ "person": p.0, "kind": t.kind.code() }),
        )
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// The SQL condition on `p` (people) for a scope, with the id bound as `$2`.
fn scope_sql(scope: Scope) -> (&'static str, i64) {
    match scope {
        // Ids start at 1, so `p.id > 0` keeps every row.
        Scope::Organisation => ("p.id > $2", 0),
        Scope::Team(m) => ("p.manager_id = $2", m.0),
        Scope::Own(p) => ("p.id = $2", p.0),
    }
}

/// Training records `scope` may see, newest first: of one person
/// (`person`), or of everyone in scope in `year`.
pub async fn trainings(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    person: Option<PersonId>,
    year: Option<i64>,
    limit: i64,
) -> Result<Vec<TrainingRecord>> {
    let (cond, id) = scope_sql(scope);
    // Fixed strings of this module; values are bound.
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT t.id, t.person_id, p.name, t.kind, t.title, t.held_on, t.completed, t.version \
         FROM training_records t JOIN people p ON p.id = t.person_id \
         WHERE t.org_id = $1 AND {cond} AND ($3 = 0 OR t.person_id = $3) \
         AND ($4 = 0 OR t.year = $4) ORDER BY t.held_on DESC, t.id DESC LIMIT $5"
    )))
    .bind(org.0)
    .bind(id)
    .bind(person.map_or(0, |p| p.0))
    .bind(year.unwrap_or(0))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TrainingRecord {
                id: r.try_get("id")?,
                person: PersonId(r.try_get("person_id")?),
                person_name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                date: r.try_get("held_on")?,
                completed: r.try_get::<i64, _>("completed")? != 0,
                version: r.try_get("version")?,
            })
        })
        .collect()
}

/// Marks a training completed (or not), compare-and-set on `version`; a
/// training is only marked completed on or after its date.
pub async fn set_completed(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    id: i64,
    expected_version: i64,
    completed: bool,
    today: Date,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE training_records SET completed = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND org_id = $4 AND version = $5 AND ($1 = 0 OR held_on <= $6)",
    )
    .bind(flag(completed))
    .bind(now())
    .bind(id)
    .bind(org.0)
    .bind(expected_version)
    .bind(today.to_string())
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("training changed".into()));
    }
    audit_row(
        db,
        org,
        who,
        "training.completed_set",
        "training",
        id,
        serde_json::json!({ "completed": completed }),
    )
    .await
}

/// Records that integrity was on the agenda of the person's HR
/// conversation on `date` (once per person and day: `Conflict`).
pub async fn add_hr_conversation(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    person: PersonId,
    date: Date,
) -> Result<i64> {
    if !all_in_org(db, org, &[person]).await? {
        return Err(StoreError::NotFound);
    }
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM hr_conversations WHERE person_id = $1 AND held_on = $2")
            .bind(person.0)
            .bind(date.to_string())
            .fetch_optional(&mut *db)
            .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict("hr conversation exists".into()));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO hr_conversations (org_id, person_id, held_on, year, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org.0)
    .bind(person.0)
    .bind(date.to_string())
    .bind(i64::from(date.year()))
    .bind(who.person.0)
    .bind(now())
    .fetch_one(&mut *db)
    .await?;
    audit_row(
        db,
        org,
        who,
        "hr_conversation.recorded",
        "hr_conversation",
        id,
        serde_json::json!({ "person": person.0 }),
    )
    .await?;
    Ok(id)
}

/// HR conversations with integrity that `scope` may see, newest first.
pub async fn hr_conversations(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    person: Option<PersonId>,
    year: Option<i64>,
    limit: i64,
) -> Result<Vec<HrConversation>> {
    let (cond, id) = scope_sql(scope);
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT h.id, h.person_id, p.name, h.held_on FROM hr_conversations h \
         JOIN people p ON p.id = h.person_id \
         WHERE h.org_id = $1 AND {cond} AND ($3 = 0 OR h.person_id = $3) \
         AND ($4 = 0 OR h.year = $4) ORDER BY h.held_on DESC, h.id DESC LIMIT $5"
    )))
    .bind(org.0)
    .bind(id)
    .bind(person.map_or(0, |p| p.0))
    .bind(year.unwrap_or(0))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HrConversation {
                id: r.try_get("id")?,
                person: PersonId(r.try_get("person_id")?),
                person_name: r.try_get("name")?,
                date: r.try_get("held_on")?,
            })
        })
        .collect()
}

/// The units a manager records sessions and meetings for: the units their
/// direct reports work in.
pub async fn managed_units(
    db: &mut Db,
    org: OrgId,
    manager: PersonId,
) -> Result<Vec<(UnitId, String)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT u.id, u.name FROM units u JOIN people p ON p.unit_id = u.id \
         WHERE u.org_id = $1 AND p.org_id = $1 AND p.manager_id = $2 ORDER BY u.name, u.id",
    )
    .bind(org.0)
    .bind(manager.0)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok((UnitId(r.try_get("id")?), r.try_get("name")?)))
        .collect()
}

/// The units `scope` may record sessions and meetings for: every unit of
/// the organisation, or the units a manager manages.
pub async fn units_in_scope(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
) -> Result<Vec<(UnitId, String)>> {
    match scope {
        Scope::Organisation => {
            let rows =
                sqlx::query("SELECT id, name FROM units WHERE org_id = $1 ORDER BY name, id")
                    .bind(org.0)
                    .fetch_all(db)
                    .await?;
            rows.iter()
                .map(|r| Ok((UnitId(r.try_get("id")?), r.try_get("name")?)))
                .collect()
        }
        Scope::Team(m) => managed_units(db, org, m).await,
        Scope::Own(_) => Ok(Vec::new()),
    }
}

/// Whether the unit exists in the organisation.
pub async fn unit_exists(db: &mut Db, org: OrgId, unit: UnitId) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM units WHERE id = $1 AND org_id = $2")
            .bind(unit.0)
            .bind(org.0)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// The condition on a unit column for a scope (`$2` is the manager).
fn unit_scope_sql(scope: Scope, column: &str) -> (String, i64) {
    match scope {
        Scope::Organisation => (format!("{column} > $2"), 0),
        Scope::Team(m) => (
            format!(
                "{column} IN (SELECT r.unit_id FROM people r WHERE r.manager_id = $2 \
                 AND r.unit_id IS NOT NULL)"
            ),
            m.0,
        ),
        // Sessions belong to teams, never to one person.
        Scope::Own(_) => ("1 = 0 AND $2 = 0".to_string(), 0),
    }
}

/// Records a moral deliberation session of `unit`. The caller has checked
/// that the person may record for this unit.
pub async fn add_session(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    unit: UnitId,
    d: &Deliberation,
) -> Result<i64> {
    if !unit_exists(db, org, unit).await? {
        return Err(StoreError::NotFound);
    }
    let at = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO moral_deliberations (org_id, unit_id, held_on, year, attendees, topics, \
         theme, recorded_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(org.0)
    .bind(unit.0)
    .bind(d.date.to_string())
    .bind(i64::from(d.date.year()))
    .bind(i64::from(d.attendees))
    .bind(&d.topics)
    .bind(d.theme.map(|t| t.code()))
    .bind(who.person.0)
    .bind(at)
    .fetch_one(&mut *db)
    .await?;
    audit_row(
        db,
        org,
        who,
        "deliberation.recorded",
        "moral_deliberation",
        id,
        serde_json::json!({ "unit": unit.0 }),
    )
    .await?;
    Ok(id)
}

/// Removes a session recorded by mistake (compare-and-set on `version`),
/// within `scope`.
pub async fn delete_session(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    scope: Scope,
    id: i64,
    expected_version: i64,
) -> Result<()> {
    let (cond, m) = unit_scope_sql(scope, "unit_id");
    let done = sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM moral_deliberations WHERE org_id = $1 AND {cond} AND id = $3 AND version = $4"
    )))
    .bind(org.0)
    .bind(m)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("session changed".into()));
    }
    audit_row(
        db,
        org,
        who,
        "deliberation.deleted",
        "moral_deliberation",
        id,
        serde_json::json!({}),
    )
    .await
}

/// Sessions of `year` that `scope` may see, newest first.
pub async fn sessions(db: &mut Db, org: OrgId, scope: Scope, year: i64) -> Result<Vec<Session>> {
    let (cond, m) = unit_scope_sql(scope, "d.unit_id");
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT d.id, d.unit_id, u.name, d.held_on, d.attendees, d.topics, d.theme, d.version \
         FROM moral_deliberations d JOIN units u ON u.id = d.unit_id \
         WHERE d.org_id = $1 AND {cond} AND d.year = $3 ORDER BY d.held_on DESC, d.id DESC"
    )))
    .bind(org.0)
    .bind(m)
    .bind(year)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Session {
                id: r.try_get("id")?,
                unit: UnitId(r.try_get("unit_id")?),
                unit_name: r.try_get("name")?,
                date: r.try_get("held_on")?,
                attendees: r.try_get("attendees")?,
                topics: r.try_get("topics")?,
                theme: r.try_get("theme")?,
                version: r.try_get("version")?,
            })
        })
        .collect()
}

/// Records a team meeting of `unit` with integrity on the agenda (once per
/// unit and day: `Conflict`).
pub async fn add_team_meeting(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    unit: UnitId,
    date: Date,
) -> Result<i64> {
    if !unit_exists(db, org, unit).await? {
        return Err(StoreError::NotFound);
    }
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM team_meetings WHERE unit_id = $1 AND held_on = $2")
            .bind(unit.0)
            .bind(date.to_string())
            .fetch_optional(&mut *db)
            .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict("team meeting exists".into()));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO team_meetings (org_id, unit_id, held_on, year, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org.0)
    .bind(unit.0)
    .bind(date.to_string())
    .bind(i64::from(date.year()))
    .bind(who.person.0)
    .bind(now())
    .fetch_one(&mut *db)
    .await?;
    audit_row(
        db,
        org,
        who,
        "team_meeting.recorded",
        "team_meeting",
        id,
        serde_json::json!({ "unit": unit.0 }),
    )
    .await?;
    Ok(id)
}

/// Team meetings with integrity of `year` that `scope` may see.
pub async fn team_meetings(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    year: i64,
) -> Result<Vec<TeamMeeting>> {
    let (cond, m) = unit_scope_sql(scope, "t.unit_id");
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT t.id, t.unit_id, u.name, t.held_on FROM team_meetings t \
         JOIN units u ON u.id = t.unit_id \
         WHERE t.org_id = $1 AND {cond} AND t.year = $3 ORDER BY t.held_on DESC, t.id DESC"
    )))
    .bind(org.0)
    .bind(m)
    .bind(year)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TeamMeeting {
                id: r.try_get("id")?,
                unit: UnitId(r.try_get("unit_id")?),
                unit_name: r.try_get("name")?,
                date: r.try_get("held_on")?,
            })
        })
        .collect()
}

/// A manager's direct reports with their learning state.
pub async fn team_overview(db: &mut Db, org: OrgId, manager: PersonId) -> Result<Vec<TeamMember>> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.function_title, \
         (SELECT MIN(t.held_on) FROM training_records t WHERE t.person_id = p.id \
          AND t.kind = 'introduction' AND t.completed = 1) AS introduction, \
         (SELECT MAX(t.held_on) FROM training_records t WHERE t.person_id = p.id \
          AND t.kind = 'elearning' AND t.completed = 1) AS elearning, \
         (SELECT MAX(h.held_on) FROM hr_conversations h WHERE h.person_id = p.id) AS hr \
         FROM people p WHERE p.org_id = $1 AND p.manager_id = $2 ORDER BY p.name, p.id",
    )
    .bind(org.0)
    .bind(manager.0)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TeamMember {
                person: PersonId(r.try_get("id")?),
                name: r.try_get("name")?,
                function_title: r.try_get("function_title")?,
                introduction: r.try_get("introduction")?,
                last_elearning: r.try_get("elearning")?,
                last_hr_conversation: r.try_get("hr")?,
            })
        })
        .collect()
}

/// People to pick for a bulk training: of one unit, or of the whole
/// organisation, by name, at most `limit`.
pub async fn people_to_pick(
    db: &mut Db,
    org: OrgId,
    unit: Option<UnitId>,
    limit: i64,
) -> Result<Vec<(PersonId, String, String)>> {
    let rows = sqlx::query(
        "SELECT id, name, email FROM people WHERE org_id = $1 AND ($2 = 0 OR unit_id = $2) \
         ORDER BY name, id LIMIT $3",
    )
    .bind(org.0)
    .bind(unit.map_or(0, |u| u.0))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                PersonId(r.try_get("id")?),
                r.try_get("name")?,
                r.try_get("email")?,
            ))
        })
        .collect()
}

async fn count(db: &mut Db, sql: &'static str, org: OrgId, year: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(sql)
        .bind(org.0)
        .bind(year)
        .fetch_one(db)
        .await?)
}

/// The year's learning figures of the organisation.
pub async fn year_figures(db: &mut Db, org: OrgId, year: i64) -> Result<LearningFigures> {
    let year_end = format!("{year:04}-12-31");
    let in_service = "p.org_id = $1 AND (p.start_date IS NULL OR p.start_date <= $2) \
                      AND (p.end_date IS NULL OR p.end_date >= $2)";
    let in_service_at_year_end: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM people p WHERE {in_service}"
    )))
    .bind(org.0)
    .bind(&year_end)
    .fetch_one(&mut *db)
    .await?;
    let introduction_completed_in_service: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM people p WHERE {in_service} AND EXISTS (SELECT 1 FROM \
         training_records t WHERE t.person_id = p.id AND t.kind = 'introduction' \
         AND t.completed = 1 AND t.held_on <= $2)"
    )))
    .bind(org.0)
    .bind(&year_end)
    .fetch_one(&mut *db)
    .await?;
    let sessions = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(attendees), 0) AS BIGINT) AS attendance, \
         COUNT(DISTINCT unit_id) AS units FROM moral_deliberations \
         WHERE org_id = $1 AND year = $2",
    )
    .bind(org.0)
    .bind(year)
    .fetch_one(&mut *db)
    .await?;
    Ok(LearningFigures {
        year,
        introduction_completed_in_year: count(
            db,
            "SELECT COUNT(DISTINCT person_id) FROM training_records WHERE org_id = $1 \
             AND year = $2 AND kind = 'introduction' AND completed = 1",
            org,
            year,
        )
        .await?,
        in_service_at_year_end,
        introduction_completed_in_service,
        elearnings_completed: count(
            db,
            "SELECT COUNT(*) FROM training_records WHERE org_id = $1 AND year = $2 \
             AND kind = 'elearning' AND completed = 1",
            org,
            year,
        )
        .await?,
        hr_conversations: count(
            db,
            "SELECT COUNT(*) FROM hr_conversations WHERE org_id = $1 AND year = $2",
            org,
            year,
        )
        .await?,
        deliberation_sessions: sessions.try_get("n")?,
        deliberation_attendance: sessions.try_get("attendance")?,
        units_with_session: sessions.try_get("units")?,
        team_meetings: count(
            db,
            "SELECT COUNT(*) FROM team_meetings WHERE org_id = $1 AND year = $2",
            org,
            year,
        )
        .await?,
    })
}
