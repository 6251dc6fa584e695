//! The register of vulnerable functions and processes (*kwetsbare
//! functies*) per unit: area, risks, measures, owner and review date, the
//! designation for financial-interest reporting and for publication of side
//! activities, the review history, who holds a function, and the year's
//! figures for the annual report.
//!
//! A person holds a vulnerable function when their function title equals
//! the entry's name (case and surrounding spaces aside) and they work in
//! the entry's unit. Every change appends its audit row in the caller's
//! transaction, compare-and-set on `version`.

use crate::{Db, Result, StoreError, flag, now};
use integer_domain::learning::{RiskArea, VulnerableFunction};
use integer_domain::org::{OrgId, PersonId, UnitId};
use jiff::civil::Date;
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;

pub use crate::counsellor_log::Author;

/// One entry of the register.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub unit: UnitId,
    pub unit_name: String,
    pub name: String,
    /// A code of `integer_domain::learning::RiskArea`.
    pub area: String,
    pub risks: String,
    pub measures: String,
    pub owner: PersonId,
    pub owner_name: String,
    /// The next review is due on this date (`YYYY-MM-DD`).
    pub review_on: String,
    pub financial: bool,
    pub publication: bool,
    /// The day it was entered.
    pub created_on: String,
    pub version: i64,
}

/// A review done.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Review {
    pub reviewed_on: String,
    pub due_on: String,
    pub next_on: String,
}

/// The register's figures of one year, for the annual integrity report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct VulnerableFigures {
    /// The calendar year.
    pub year: i64,
    /// Entries in the register at the end of the year (entered on or
    /// before 31 December).
    pub entries: i64,
    /// Of those, designated for financial-interest reporting.
    pub designated_financial: i64,
    /// Of those, designated for publication of side activities.
    pub designated_publication: i64,
    /// Reviews done in the year.
    pub reviews: i64,
    /// Reviews done in the year on or before the date they were due.
    pub reviewed_on_time: i64,
    /// Entries whose review, due on or before 31 December, had not been
    /// done by the end of the year.
    pub overdue_at_year_end: i64,
    /// Entries at the end of the year per area, every area (zero included)
    /// in the order of `RiskArea::ALL`.
    pub by_area: Vec<(String, i64)>,
}

const SELECT: &str = "SELECT v.id, v.unit_id, u.name AS unit_name, v.name, v.area, v.risks, \
    v.measures, v.owner_id, o.name AS owner_name, v.review_on, v.financial, v.publication, \
    v.created_on, v.version FROM vulnerable_functions v JOIN units u ON u.id = v.unit_id \
    JOIN people o ON o.id = v.owner_id";

fn entry_from(r: &sqlx::any::AnyRow) -> Result<Entry> {
    Ok(Entry {
        id: r.try_get("id")?,
        unit: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        name: r.try_get("name")?,
        area: r.try_get("area")?,
        risks: r.try_get("risks")?,
        measures: r.try_get("measures")?,
        owner: PersonId(r.try_get("owner_id")?),
        owner_name: r.try_get("owner_name")?,
        review_on: r.try_get("review_on")?,
        financial: r.try_get::<i64, _>("financial")? != 0,
        publication: r.try_get::<i64, _>("publication")? != 0,
        created_on: r.try_get("created_on")?,
        version: r.try_get("version")?,
    })
}

async fn audit_row(db: &mut Db, org: OrgId, who: &Author, action: &str, id: i64) -> Result<()> {
    crate::audit::append(
        db,
        &crate::audit::event(
            Some(org.0),
            who.actor.clone(),
            who.credential,
            action,
            "vulnerable_function",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    Ok(())
}

/// Unit and owner must both belong to the organisation.
async fn check_refs(db: &mut Db, org: OrgId, unit: UnitId, owner: PersonId) -> Result<()> {
    let unit_ok: Option<i64> =
        sqlx::query_scalar("SELECT id FROM units WHERE id = $1 AND org_id = $2")
            .bind(unit.0)
            .bind(org.0)
            .fetch_optional(&mut *db)
            .await?;
    let owner_ok: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE id = $1 AND org_id = $2")
            .bind(owner.0)
            .bind(org.0)
            .fetch_optional(&mut *db)
            .await?;
    if unit_ok.is_none() || owner_ok.is_none() {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Enters a vulnerable function of `unit`, first review due on `review_on`;
/// `today` is the day it is entered.
#[allow(clippy::too_many_arguments)]
pub async fn add(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    unit: UnitId,
    owner: PersonId,
    f: &VulnerableFunction,
    review_on: Date,
    today: Date,
) -> Result<i64> {
    check_refs(db, org, unit, owner).await?;
    let at = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO vulnerable_functions (org_id, unit_id, name, area, risks, measures, \
         owner_id, review_on, financial, publication, created_on, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(org.0)
    .bind(unit.0)
    .bind(&f.name)
    .bind(f.area.code())
    .bind(&f.risks)
    .bind(&f.measures)
    .bind(owner.0)
    .bind(review_on.to_string())
    .bind(flag(f.financial))
    .bind(flag(f.publication))
    .bind(today.to_string())
    .bind(at)
    .fetch_one(&mut *db)
    .await?;
    audit_row(db, org, who, "vulnerable.added", id).await?;
    Ok(id)
}

/// Changes an entry (not its review date: that moves only with a review),
/// compare-and-set on `version`.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    id: i64,
    expected_version: i64,
    unit: UnitId,
    owner: PersonId,
    f: &VulnerableFunction,
) -> Result<()> {
    check_refs(db, org, unit, owner).await?;
    let done = sqlx::query(
        "UPDATE vulnerable_functions SET unit_id = $1, name = $2, area = $3, risks = $4, \
         measures = $5, owner_id = $6, financial = $7, publication = $8, updated_at = $9, \
         version = version + 1 WHERE id = $10 AND org_id = $11 AND version = $12",
    )
    .bind(unit.0)
    .bind(&f.name)
    .bind(f.area.code())
    .bind(&f.risks)
    .bind(&f.measures)
    .bind(owner.0)
    .bind(flag(f.financial))
    .bind(flag(f.publication))
    .bind(now())
    .bind(id)
    .bind(org.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("entry changed".into()));
    }
    audit_row(db, org, who, "vulnerable.updated", id).await
}

/// Records a review done on `reviewed_on` and sets the next review date,
/// compare-and-set on `version`.
pub async fn review(
    db: &mut Db,
    org: OrgId,
    who: &Author,
    id: i64,
    expected_version: i64,
    reviewed_on: Date,
    next: Date,
) -> Result<()> {
    let due: Option<String> = sqlx::query_scalar(
        "SELECT review_on FROM vulnerable_functions WHERE id = $1 AND org_id = $2 AND version = $3",
    )
    .bind(id)
    .bind(org.0)
    .bind(expected_version)
    .fetch_optional(&mut *db)
    .await?;
    let Some(due) = due else {
        return Err(StoreError::Conflict("entry changed".into()));
    };
    let done = sqlx::query(
        "UPDATE vulnerable_functions SET review_on = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND org_id = $4 AND version = $5",
    )
    .bind(next.to_string())
    .bind(now())
    .bind(id)
    .bind(org.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("entry changed".into()));
    }
    sqlx::query(
        "INSERT INTO vulnerable_reviews (org_id, function_id, reviewed_on, due_on, next_on, \
         reviewed_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(org.0)
    .bind(id)
    .bind(reviewed_on.to_string())
    .bind(&due)
    .bind(next.to_string())
    .bind(who.person.0)
    .bind(now())
    .execute(&mut *db)
    .await?;
    audit_row(db, org, who, "vulnerable.reviewed", id).await
}

/// The whole register, by unit and name.
pub async fn list(db: &mut Db, org: OrgId) -> Result<Vec<Entry>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE v.org_id = $1 ORDER BY u.name, v.name, v.id"
    )))
    .bind(org.0)
    .fetch_all(db)
    .await?;
    rows.iter().map(entry_from).collect()
}

/// Entries whose review date has passed on `today`, oldest first.
pub async fn overdue(db: &mut Db, org: OrgId, today: Date) -> Result<Vec<Entry>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE v.org_id = $1 AND v.review_on < $2 ORDER BY v.review_on, v.id"
    )))
    .bind(org.0)
    .bind(today.to_string())
    .fetch_all(db)
    .await?;
    rows.iter().map(entry_from).collect()
}

/// One entry of the organisation (`None` for another organisation's id).
pub async fn get(db: &mut Db, org: OrgId, id: i64) -> Result<Option<Entry>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE v.id = $1 AND v.org_id = $2"
    )))
    .bind(id)
    .bind(org.0)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(entry_from).transpose()
}

/// The reviews of an entry, newest first.
pub async fn reviews(db: &mut Db, org: OrgId, id: i64) -> Result<Vec<Review>> {
    let rows = sqlx::query(
        "SELECT reviewed_on, due_on, next_on FROM vulnerable_reviews \
         WHERE function_id = $1 AND org_id = $2 ORDER BY reviewed_on DESC, id DESC",
    )
    .bind(id)
    .bind(org.0)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Review {
                reviewed_on: r.try_get("reviewed_on")?,
                due_on: r.try_get("due_on")?,
                next_on: r.try_get("next_on")?,
            })
        })
        .collect()
}

/// Who holds the entry's function: people of its unit whose function title
/// is its name. (id, name, e-mail), by name.
pub async fn holders(db: &mut Db, org: OrgId, id: i64) -> Result<Vec<(PersonId, String, String)>> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.email FROM vulnerable_functions v JOIN people p \
         ON p.unit_id = v.unit_id AND LOWER(TRIM(p.function_title)) = LOWER(TRIM(v.name)) \
         WHERE v.id = $1 AND v.org_id = $2 AND p.org_id = $2 ORDER BY p.name, p.id",
    )
    .bind(id)
    .bind(org.0)
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

/// Everyone who holds a designated vulnerable function of their unit:
/// (person, designated for financial-interest reporting, designated for
/// publication of side activities), each person once (a person holding
/// several entries gets the designations of all), by id. For other modules
/// (declarations, the yearly check, the public register).
pub async fn designated_people(db: &mut Db, org: OrgId) -> Result<Vec<(PersonId, bool, bool)>> {
    let rows = sqlx::query(
        "SELECT p.id, MAX(v.financial) AS financial, MAX(v.publication) AS publication \
         FROM vulnerable_functions v JOIN people p \
         ON p.unit_id = v.unit_id AND LOWER(TRIM(p.function_title)) = LOWER(TRIM(v.name)) \
         WHERE v.org_id = $1 AND p.org_id = $1 AND (v.financial = 1 OR v.publication = 1) \
         GROUP BY p.id ORDER BY p.id",
    )
    .bind(org.0)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                PersonId(r.try_get("id")?),
                r.try_get::<i64, _>("financial")? != 0,
                r.try_get::<i64, _>("publication")? != 0,
            ))
        })
        .collect()
}

/// The register's figures of `year`, from the entries and their review
/// history (small per organisation, so computed here rather than in SQL).
pub async fn year_figures(db: &mut Db, org: OrgId, year: i64) -> Result<VulnerableFigures> {
    let year_end = format!("{year:04}-12-31");
    let year_start = format!("{year:04}-01-01");
    let entries = list(db, org).await?;
    let rows = sqlx::query(
        "SELECT function_id, reviewed_on, due_on FROM vulnerable_reviews WHERE org_id = $1 \
         ORDER BY reviewed_on, id",
    )
    .bind(org.0)
    .fetch_all(db)
    .await?;
    let mut history: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
    let mut figures = VulnerableFigures {
        year,
        ..Default::default()
    };
    for r in &rows {
        let function: i64 = r.try_get("function_id")?;
        let reviewed: String = r.try_get("reviewed_on")?;
        let due: String = r.try_get("due_on")?;
        if reviewed >= year_start && reviewed <= year_end {
            figures.reviews += 1;
            if reviewed <= due {
                figures.reviewed_on_time += 1;
            }
        }
        history.entry(function).or_default().push((reviewed, due));
    }
    let mut by_area: BTreeMap<&str, i64> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.created_on <= year_end) {
        figures.entries += 1;
        figures.designated_financial += i64::from(e.financial);
        figures.designated_publication += i64::from(e.publication);
        *by_area.entry(e.area.as_str()).or_default() += 1;
        // The date in force at the end of the year: what the first review
        // after the year found due, or else today's date.
        let due_at_year_end = history
            .get(&e.id)
            .and_then(|h| h.iter().find(|(reviewed, _)| *reviewed > year_end))
            .map_or(e.review_on.as_str(), |(_, due)| due.as_str());
        if due_at_year_end <= year_end.as_str() {
            figures.overdue_at_year_end += 1;
        }
    }
    figures.by_area = RiskArea::ALL
        .iter()
        .map(|a| {
            (
                a.code().to_string(),
                by_area.get(a.code()).copied().unwrap_or(0),
            )
        })
        .collect();
    Ok(figures)
}
