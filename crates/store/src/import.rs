//! Applying a people import in the caller's transaction: people are matched
//! on employee number, else e-mail (updated, never duplicated); managers are
//! resolved after everyone in the file exists, so a manager may appear after
//! the people who report to them. A preview is the same run, rolled back.

use crate::people::search_key;
use crate::{Db, Result, flag, now, units};
use integer_domain::Problem;
use integer_domain::import::{Column, LineError, ManagerRef, ParsedImport, PersonRecord};
use integer_domain::org::{OrgId, PersonId, UnitId};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// Lines left out because they (or their manager line) were bad.
    pub skipped: usize,
    #[serde(skip)]
    pub errors: Vec<LineError>,
}

struct Existing {
    by_email: HashMap<String, i64>,
    by_number: HashMap<String, i64>,
    number_of: HashMap<i64, String>,
    manager_of: HashMap<i64, Option<i64>>,
}

async fn load_existing(db: &mut Db, org: OrgId) -> Result<Existing> {
    let rows =
        sqlx::query("SELECT id, email, employee_number, manager_id FROM people WHERE org_id = $1")
            .bind(org.0)
            .fetch_all(db)
            .await?;
    let mut e = Existing {
        by_email: HashMap::new(),
        by_number: HashMap::new(),
        number_of: HashMap::new(),
        manager_of: HashMap::new(),
    };
    for r in rows {
        let id: i64 = r.try_get("id")?;
        e.by_email.insert(r.try_get("email")?, id);
        if let Some(n) = r.try_get::<Option<String>, _>("employee_number")? {
            e.number_of.insert(id, n.clone());
            e.by_number.insert(n, id);
        }
        e.manager_of.insert(id, r.try_get("manager_id")?);
    }
    Ok(e)
}

fn line_error(rec: &PersonRecord, column: &str, problem: Problem) -> LineError {
    LineError {
        line: rec.line,
        column: column.to_string(),
        problem,
    }
}

/// Which existing person a record is (by employee number, else e-mail), or
/// an error when the two point at different people.
fn match_existing(
    rec: &PersonRecord,
    ex: &Existing,
) -> std::result::Result<Option<i64>, LineError> {
    let by_number = rec
        .employee_number
        .as_ref()
        .and_then(|n| ex.by_number.get(n.as_str()).copied());
    let by_email = ex.by_email.get(rec.email.as_str()).copied();
    match (by_number, by_email) {
        (Some(a), Some(b)) if a != b => Err(line_error(
            rec,
            "email",
            Problem::new("import-error-email-taken"),
        )),
        (Some(a), _) => Ok(Some(a)),
        (None, Some(b)) => {
            // Same e-mail, but the file gives another employee number than
            // the one on record: that is a different person.
            if rec.employee_number.is_some() && ex.number_of.contains_key(&b) {
                Err(line_error(
                    rec,
                    "email",
                    Problem::new("import-error-email-taken"),
                ))
            } else {
                Ok(Some(b))
            }
        }
        (None, None) => Ok(None),
    }
}

/// Where a manager reference points: a line of the file or a person on record.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Node {
    Line(usize),
    Person(i64),
}

/// Applies the import. With `skip_invalid` false the caller must roll back
/// when the report has errors (nothing may be written then); the run goes on
/// so that the report lists every bad line at once.
pub async fn apply(
    db: &mut Db,
    org: OrgId,
    parsed: &ParsedImport,
    skip_invalid: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<ImportReport> {
    let mut report = ImportReport {
        errors: parsed.errors.clone(),
        ..Default::default()
    };
    let ex = load_existing(db, org).await?;
    let records = &parsed.records;

    // Match every line to a person on record (or none: a new person).
    let mut matched: Vec<Option<i64>> = Vec::with_capacity(records.len());
    let mut bad: HashSet<usize> = HashSet::new();
    for (i, rec) in records.iter().enumerate() {
        match match_existing(rec, &ex) {
            Ok(m) => matched.push(m),
            Err(e) => {
                report.errors.push(e);
                matched.push(None);
                bad.insert(i);
            }
        }
    }

    // Resolve managers: a line of the file first, then a person on record.
    let mut line_by_number: HashMap<&str, usize> = HashMap::new();
    let mut line_by_email: HashMap<&str, usize> = HashMap::new();
    for (i, rec) in records.iter().enumerate() {
        if let Some(n) = &rec.employee_number {
            line_by_number.insert(n.as_str(), i);
        }
        line_by_email.insert(rec.email.as_str(), i);
    }
    let mut manager: Vec<Option<Node>> = vec![None; records.len()];
    for (i, rec) in records.iter().enumerate() {
        let Some(mref) = &rec.manager else { continue };
        let node = match mref {
            ManagerRef::EmployeeNumber(n) => line_by_number
                .get(n.as_str())
                .map(|l| Node::Line(*l))
                .or_else(|| ex.by_number.get(n.as_str()).map(|id| Node::Person(*id))),
            ManagerRef::Email(e) => line_by_email
                .get(e.as_str())
                .map(|l| Node::Line(*l))
                .or_else(|| ex.by_email.get(e.as_str()).map(|id| Node::Person(*id))),
        };
        match node {
            Some(node) => manager[i] = Some(node),
            None => {
                let value = match mref {
                    ManagerRef::EmployeeNumber(n) => n.as_str().to_string(),
                    ManagerRef::Email(e) => e.as_str().to_string(),
                };
                report.errors.push(line_error(
                    rec,
                    "manager",
                    Problem::new("import-error-manager-unknown").with("value", value),
                ));
                bad.insert(i);
            }
        }
    }

    // No one may end up managing themselves through a chain.
    let line_of_person: HashMap<i64, usize> = matched
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.map(|id| (id, i)))
        .collect();
    for (i, rec) in records.iter().enumerate() {
        if bad.contains(&i) || manager[i].is_none() {
            continue;
        }
        let mut seen = HashSet::new();
        let mut cur = Node::Line(i);
        let mut cycle = false;
        for _ in 0..10_000 {
            if !seen.insert(cur) {
                cycle = true;
                break;
            }
            // The file decides the manager of a line; the record of anyone else.
            let next = match cur {
                Node::Line(l) => manager[l].or_else(|| {
                    matched[l]
                        .and_then(|id| ex.manager_of.get(&id).copied().flatten().map(Node::Person))
                }),
                Node::Person(id) => match line_of_person.get(&id) {
                    Some(l) => Some(Node::Line(*l)),
                    None => ex.manager_of.get(&id).copied().flatten().map(Node::Person),
                },
            };
            let Some(next) = next else { break };
            // A person on record who is also a line of the file is that line.
            cur = match next {
                Node::Person(id) => line_of_person
                    .get(&id)
                    .map(|l| Node::Line(*l))
                    .unwrap_or(next),
                n => n,
            };
            if cur == Node::Line(i) {
                cycle = true;
                break;
            }
        }
        if cycle {
            report.errors.push(line_error(
                rec,
                "manager",
                Problem::new("import-error-manager-cycle"),
            ));
            bad.insert(i);
        }
    }

    // A line whose manager line is bad cannot be linked either.
    loop {
        let more: Vec<usize> = (0..records.len())
            .filter(|i| !bad.contains(i))
            .filter(|i| matches!(manager[*i], Some(Node::Line(l)) if bad.contains(&l)))
            .collect();
        if more.is_empty() {
            break;
        }
        for i in more {
            report.errors.push(line_error(
                &records[i],
                "manager",
                Problem::new("import-error-manager-line-bad"),
            ));
            bad.insert(i);
        }
    }
    report
        .errors
        .sort_by(|a, b| a.line.cmp(&b.line).then(a.column.cmp(&b.column)));
    let unparsable: std::collections::BTreeSet<u64> =
        parsed.errors.iter().map(|e| e.line).collect();
    report.skipped = bad.len() + unparsable.len();
    if !report.errors.is_empty() && !skip_invalid {
        return Ok(report);
    }

    // Write: people first (without managers), then the manager links.
    let mut unit_cache: HashMap<Vec<String>, Option<UnitId>> = HashMap::new();
    let mut ids: Vec<Option<i64>> = vec![None; records.len()];
    let ts = now();
    for (i, rec) in records.iter().enumerate() {
        if bad.contains(&i) {
            continue;
        }
        let unit = match unit_cache.get(&rec.unit_path) {
            Some(u) => *u,
            None => {
                let u = units::find_or_create_path(db, org, &rec.unit_path).await?;
                unit_cache.insert(rec.unit_path.clone(), u);
                u
            }
        };
        let key = search_key(
            &rec.name,
            rec.email.as_str(),
            rec.employee_number.as_ref().map(|n| n.as_str()),
        );
        let id = match matched[i] {
            Some(id) => {
                // Only the columns in the file change; an empty employee
                // number, unit or manager keeps what is on record.
                let number = rec
                    .employee_number
                    .as_ref()
                    .map(|n| n.as_str().to_string())
                    .or_else(|| ex.number_of.get(&id).cloned());
                let key = search_key(&rec.name, rec.email.as_str(), number.as_deref());
                let has = |c: Column| flag(parsed.has(c));
                sqlx::query(
                    "UPDATE people SET name = $1, email = $2, employee_number = COALESCE($3, employee_number), \
                     function_title = CASE WHEN $16 = 1 THEN $4 ELSE function_title END, \
                     salary_scale = CASE WHEN $17 = 1 THEN $5 ELSE salary_scale END, \
                     employment_type = CASE WHEN $18 = 1 THEN $6 ELSE employment_type END, \
                     unit_id = COALESCE($7, unit_id), \
                     start_date = CASE WHEN $19 = 1 THEN $8 ELSE start_date END, \
                     end_date = CASE WHEN $20 = 1 THEN $9 ELSE end_date END, \
                     top_official = CASE WHEN $21 = 1 THEN $10 ELSE top_official END, \
                     designated_function = CASE WHEN $22 = 1 THEN $11 ELSE designated_function END, \
                     search_key = $12, updated_at = $13 WHERE id = $14 AND org_id = $15",
                )
                .bind(&rec.name)
                .bind(rec.email.as_str())
                .bind(rec.employee_number.as_ref().map(|n| n.as_str().to_string()))
                .bind(rec.function_title.clone())
                .bind(rec.salary_scale.map(|s| i64::from(s.get())))
                .bind(rec.employment_type.as_str())
                .bind(unit.map(|u| u.0))
                .bind(rec.start_date.map(|d| d.to_string()))
                .bind(rec.end_date.map(|d| d.to_string()))
                .bind(flag(rec.top_official))
                .bind(flag(rec.designated_function))
                .bind(&key)
                .bind(ts)
                .bind(id)
                .bind(org.0)
                .bind(has(Column::FunctionTitle))
                .bind(has(Column::SalaryScale))
                .bind(has(Column::EmploymentType))
                .bind(has(Column::StartDate))
                .bind(has(Column::EndDate))
                .bind(has(Column::TopOfficial))
                .bind(has(Column::DesignatedFunction))
                .execute(&mut *db)
                .await?;
                report.updated += 1;
                id
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO people (org_id, name, email, employee_number, function_title, salary_scale, \
                     employment_type, unit_id, start_date, end_date, top_official, designated_function, \
                     search_key, created_at, updated_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14) RETURNING id",
                )
                .bind(org.0)
                .bind(&rec.name)
                .bind(rec.email.as_str())
                .bind(rec.employee_number.as_ref().map(|n| n.as_str().to_string()))
                .bind(rec.function_title.clone())
                .bind(rec.salary_scale.map(|s| i64::from(s.get())))
                .bind(rec.employment_type.as_str())
                .bind(unit.map(|u| u.0))
                .bind(rec.start_date.map(|d| d.to_string()))
                .bind(rec.end_date.map(|d| d.to_string()))
                .bind(flag(rec.top_official))
                .bind(flag(rec.designated_function))
                .bind(&key)
                .bind(ts)
                .fetch_one(&mut *db)
                .await?;
                report.created += 1;
                id
            }
        };
        let mut roles = rec.roles.clone();
        roles.push(integer_domain::org::Role::Employee);
        crate::people::add_roles(db, org, PersonId(id), &roles).await?;
        ids[i] = Some(id);
        progress(i + 1);
    }
    for (i, node) in manager.iter().enumerate() {
        let (Some(id), Some(node)) = (ids[i], node) else {
            continue;
        };
        let manager_id = match node {
            Node::Line(l) => ids[*l],
            Node::Person(p) => Some(*p),
        };
        sqlx::query("UPDATE people SET manager_id = $1 WHERE id = $2 AND org_id = $3")
            .bind(manager_id)
            .bind(id)
            .bind(org.0)
            .execute(&mut *db)
            .await?;
    }
    Ok(report)
}

/// A file uploaded in the web interface, kept until it is applied, so that
/// the preview and the confirmation may reach different server instances.
pub async fn save_pending(
    db: &mut Db,
    org: OrgId,
    by: PersonId,
    file_name: &str,
    content: &[u8],
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO people_imports (org_id, created_by, file_name, content, status, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
    )
    .bind(org.0)
    .bind(by.0)
    .bind(file_name)
    .bind(content.to_vec())
    .bind(now())
    .fetch_one(db)
    .await?)
}

/// A pending upload of this organisation: (file name, content).
pub async fn load_pending(db: &mut Db, org: OrgId, id: i64) -> Result<Option<(String, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT file_name, content FROM people_imports WHERE id = $1 AND org_id = $2 AND status = 'pending'",
    )
    .bind(id)
    .bind(org.0)
    .fetch_optional(db)
    .await?;
    row.map(|r| Ok((r.try_get("file_name")?, r.try_get("content")?)))
        .transpose()
}

/// Compare-and-set: only a pending upload can be applied, and only once.
pub async fn mark_applied(db: &mut Db, org: OrgId, id: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE people_imports SET status = 'applied', content = $1 WHERE id = $2 AND org_id = $3 AND status = 'pending'",
    )
    .bind(Vec::<u8>::new())
    .bind(id)
    .bind(org.0)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
