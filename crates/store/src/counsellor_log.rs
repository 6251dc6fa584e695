//! The confidential counsellors' log: entries without names (see
//! `integer_domain::counsel`), each counsellor's own list, corrections by
//! the author (compare-and-set on `version`), deletion by the author, and
//! the yearly counts across all counsellors of the organisation. Every
//! change appends its audit row in the caller's transaction; audit rows
//! name the entry by id and never hold its contents.

use crate::{Db, Result, StoreError, audit, flag, now};
use integer_domain::audit::Credential;
use integer_domain::authz::Scope;
use integer_domain::counsel::{BehaviourKind, Consultation, CounselAction, Topic, Visitor};
use integer_domain::org::{OrgId, PersonId};
use sqlx::{AssertSqlSafe, Row};

/// One entry as stored (codes, as in `integer_domain::counsel`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub counsellor: PersonId,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub year: i64,
    pub topic: String,
    pub behaviour: Option<String>,
    pub visitor: String,
    /// In the order of `CounselAction::ALL`.
    pub actions: Vec<String>,
    pub contacts: i64,
    pub first_contact: bool,
    pub version: i64,
}

/// Who writes and how, for the audit row.
#[derive(Debug, Clone)]
pub struct Author {
    pub person: PersonId,
    pub actor: String,
    pub credential: Credential,
}

/// Counts per code for one group, in the order the codes were asked for.
pub type Group = Vec<(String, i64)>;

/// The year's counts, across all counsellors of the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub consultations: i64,
    pub contacts: i64,
    pub first_contacts: i64,
    pub by_topic: Group,
    pub by_behaviour: Group,
    pub by_visitor: Group,
    /// A consultation counts once for every action taken.
    pub by_action: Group,
}

fn action_order(code: &str) -> usize {
    CounselAction::ALL
        .iter()
        .position(|a| a.code() == code)
        .unwrap_or(usize::MAX)
}

async fn insert_actions(db: &mut Db, entry: i64, c: &Consultation) -> Result<()> {
    for a in &c.actions {
        sqlx::query("INSERT INTO counsellor_log_actions (entry_id, action) VALUES ($1, $2)")
            .bind(entry)
            .bind(a.code())
            .execute(&mut *db)
            .await?;
    }
    Ok(())
}

async fn audit_row(db: &mut Db, org: OrgId, who: &Author, action: &str, id: i64) -> Result<()> {
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            who.actor.clone(),
            who.credential,
            action,
            "counsellor_log",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    Ok(())
}

/// Records a consultation by `who` (a counsellor), with its audit row.
pub async fn add(db: &mut Db, org: OrgId, who: &Author, c: &Consultation) -> Result<i64> {
    let t = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO counsellor_log (org_id, counsellor_id, consulted_on, year, topic, behaviour, \
         visitor, contacts, first_contact, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(org.0)
    .bind(who.person.0)
    .bind(c.date.to_string())
    .bind(i64::from(c.date.year()))
    .bind(c.topic.code())
    .bind(c.behaviour.map(|b| b.code()))
    .bind(c.visitor.code())
    .bind(i64::from(c.contacts))
    .bind(flag(c.first_contact))
    .bind(t)
    .fetch_one(&mut *db)
    .await?;
    insert_actions(db, id, c).await?;
    audit_row(db, org, who, "counsel.entry_added", id).await?;
    Ok(id)
}

const COLUMNS: &str = "id, counsellor_id, consulted_on, year, topic, behaviour, visitor, contacts, \
                       first_contact, version";

fn entry_from(r: &sqlx::any::AnyRow) -> Result<Entry> {
    let first: i64 = r.try_get("first_contact")?;
    Ok(Entry {
        id: r.try_get("id")?,
        counsellor: PersonId(r.try_get("counsellor_id")?),
        date: r.try_get("consulted_on")?,
        year: r.try_get("year")?,
        topic: r.try_get("topic")?,
        behaviour: r.try_get("behaviour")?,
        visitor: r.try_get("visitor")?,
        actions: Vec::new(),
        contacts: r.try_get("contacts")?,
        first_contact: first != 0,
        version: r.try_get("version")?,
    })
}

async fn with_actions(db: &mut Db, mut entries: Vec<Entry>) -> Result<Vec<Entry>> {
    for e in &mut entries {
        let mut actions: Vec<String> =
            sqlx::query_scalar("SELECT action FROM counsellor_log_actions WHERE entry_id = $1")
                .bind(e.id)
                .fetch_all(&mut *db)
                .await?;
        actions.sort_by_key(|a| action_order(a));
        e.actions = actions;
    }
    Ok(entries)
}

/// The entries of `year` that `scope` may see, most recent first. A log
/// is only ever listed as one's own: any other scope sees nothing.
pub async fn list(db: &mut Db, org: OrgId, scope: Scope, year: i64) -> Result<Vec<Entry>> {
    let Scope::Own(counsellor) = scope else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM counsellor_log WHERE org_id = $1 AND counsellor_id = $2 \
         AND year = $3 ORDER BY consulted_on DESC, id DESC"
    )))
    .bind(org.0)
    .bind(counsellor.0)
    .bind(year)
    .fetch_all(&mut *db)
    .await?;
    let entries = rows.iter().map(entry_from).collect::<Result<Vec<_>>>()?;
    with_actions(db, entries).await
}

/// One entry that `scope` may see: only its author's own (`None` for
/// another counsellor's entry or another organisation's id).
pub async fn get(db: &mut Db, org: OrgId, scope: Scope, id: i64) -> Result<Option<Entry>> {
    let Scope::Own(counsellor) = scope else {
        return Ok(None);
    };
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM counsellor_log WHERE id = $1 AND org_id = $2 AND counsellor_id = $3"
    )))
    .bind(id)
    .bind(org.0)
    .bind(counsellor.0)
    .fetch_optional(&mut *db)
    .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(with_actions(db, vec![entry_from(&r)?]).await?.pop()),
    }
}

/// Corrects an entry: only its author, only while it is unchanged since
/// `expected_version` was read, and only within the entry's year (the
/// caller checks the rule, `integer_domain::counsel::check_correction`;
/// the year is compared here again so that an entry never moves).
pub async fn correct(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    id: i64,
    expected_version: i64,
    c: &Consultation,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE counsellor_log SET consulted_on = $1, topic = $2, behaviour = $3, visitor = $4, \
         contacts = $5, first_contact = $6, updated_at = $7, version = version + 1 \
         WHERE id = $8 AND org_id = $9 AND counsellor_id = $10 AND version = $11 AND year = $12",
    )
    .bind(c.date.to_string())
    .bind(c.topic.code())
    .bind(c.behaviour.map(|b| b.code()))
    .bind(c.visitor.code())
    .bind(i64::from(c.contacts))
    .bind(flag(c.first_contact))
    .bind(now())
    .bind(id)
    .bind(org.0)
    .bind(who.person.0)
    .bind(expected_version)
    .bind(i64::from(c.date.year()))
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("log entry changed".into()));
    }
    sqlx::query("DELETE FROM counsellor_log_actions WHERE entry_id = $1")
        .bind(id)
        .execute(&mut *db)
        .await?;
    insert_actions(db, id, c).await?;
    audit_row(db, org, who, "counsel.entry_corrected", id).await
}

/// Deletes an entry of its author (compare-and-set on `version`).
pub async fn delete(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    id: i64,
    expected_version: i64,
) -> Result<()> {
    // Only the author's own entry, and only as they last saw it.
    let mine: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM counsellor_log WHERE id = $1 AND org_id = $2 AND counsellor_id = $3 \
         AND version = $4",
    )
    .bind(id)
    .bind(org.0)
    .bind(who.person.0)
    .bind(expected_version)
    .fetch_optional(&mut *db)
    .await?;
    if mine.is_none() {
        return Err(StoreError::Conflict("log entry changed".into()));
    }
    sqlx::query("DELETE FROM counsellor_log_actions WHERE entry_id = $1")
        .bind(id)
        .execute(&mut *db)
        .await?;
    let done = sqlx::query(
        "DELETE FROM counsellor_log WHERE id = $1 AND org_id = $2 AND counsellor_id = $3 \
         AND version = $4",
    )
    .bind(id)
    .bind(org.0)
    .bind(who.person.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("log entry changed".into()));
    }
    audit_row(db, org, who, "counsel.entry_deleted", id).await
}

async fn group(db: &mut Db, sql: String, org: OrgId, year: i64, codes: &[&str]) -> Result<Group> {
    // Built here from fixed column names only.
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(org.0)
        .bind(year)
        .fetch_all(&mut *db)
        .await?;
    let mut found = std::collections::HashMap::new();
    for r in &rows {
        let code: String = r.try_get("code")?;
        let n: i64 = r.try_get("n")?;
        found.insert(code, n);
    }
    Ok(codes
        .iter()
        .map(|c| (c.to_string(), found.get(*c).copied().unwrap_or(0)))
        .collect())
}

/// The counts of `year` over every counsellor of the organisation, each
/// group listing every code (zero included) in the order of its list.
pub async fn counts(db: &mut Db, org: OrgId, year: i64) -> Result<Counts> {
    let topics: Vec<&str> = Topic::ALL.iter().map(|t| t.code()).collect();
    let behaviours: Vec<&str> = BehaviourKind::ALL.iter().map(|b| b.code()).collect();
    let visitors: Vec<&str> = Visitor::ALL.iter().map(|v| v.code()).collect();
    let actions: Vec<&str> = CounselAction::ALL.iter().map(|a| a.code()).collect();
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(contacts), 0) AS BIGINT) AS contacts, \
         CAST(COALESCE(SUM(first_contact), 0) AS BIGINT) AS first FROM counsellor_log \
         WHERE org_id = $1 AND year = $2",
    )
    .bind(org.0)
    .bind(year)
    .fetch_one(&mut *db)
    .await?;
    let by = |column: &str| {
        format!(
            "SELECT {column} AS code, COUNT(*) AS n FROM counsellor_log \
             WHERE org_id = $1 AND year = $2 AND {column} IS NOT NULL GROUP BY {column}"
        )
    };
    Ok(Counts {
        consultations: row.try_get("n")?,
        contacts: row.try_get("contacts")?,
        first_contacts: row.try_get("first")?,
        by_topic: group(db, by("topic"), org, year, &topics).await?,
        by_behaviour: group(db, by("behaviour"), org, year, &behaviours).await?,
        by_visitor: group(db, by("visitor"), org, year, &visitors).await?,
        by_action: group(
            db,
            "SELECT a.action AS code, COUNT(*) AS n FROM counsellor_log_actions a \
             JOIN counsellor_log l ON l.id = a.entry_id \
             WHERE l.org_id = $1 AND l.year = $2 GROUP BY a.action"
                .to_string(),
            org,
            year,
            &actions,
        )
        .await?,
    })
}
