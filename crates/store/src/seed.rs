//! Bulk insertion of a synthetic organisation (see
//! `integer_domain::synthetic`), in multi-row statements so that 100,000
//! people take seconds, and a million declarations a few minutes at most.

use crate::people::search_key;
use crate::{Db, Result, flag, now};
use integer_domain::org::OrgId;
use integer_domain::synthetic::{SyntheticDeclaration, SyntheticOrg};
use sqlx::{AssertSqlSafe, Row};

const UNIT_BATCH: usize = 500;
const PEOPLE_BATCH: usize = 500;
const ROLE_BATCH: usize = 2000;

/// Splits `0..len` into runs of at most `max` where no item refers (through
/// `parent`) to an item of its own run: a run's ids must exist before it is
/// inserted.
fn runs(
    len: usize,
    max: usize,
    parent: impl Fn(usize) -> Option<usize>,
) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..len {
        let refers_inside = parent(i).is_some_and(|p| p >= start);
        if i > start && (i - start == max || refers_inside) {
            out.push(start..i);
            start = i;
        }
    }
    if start < len {
        out.push(start..len);
    }
    out
}

/// The `VALUES` rows of a multi-row insert. PostgreSQL gets numbered
/// parameters (`$1`); SQLite gets anonymous ones (`?`, bound in order),
/// because it looks a numbered parameter's name up by walking a list, which
/// makes binding thousands of them quadratic.
fn placeholders(db: &Db, rows: usize, cols: usize) -> String {
    let numbered = !db.backend_name().eq_ignore_ascii_case("sqlite");
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=cols)
                .map(|c| {
                    if numbered {
                        format!("${}", r * cols + c)
                    } else {
                        "?".to_string()
                    }
                })
                .collect();
            format!("({})", cells.join(","))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Inserts the units and people of `org_data` into organisation `org`;
/// `progress` is told how many people are in. Returns the people's ids in
/// the order of `org_data.people`.
pub async fn insert(
    db: &mut Db,
    org: OrgId,
    org_data: &SyntheticOrg,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<i64>> {
    let ts = now();
    // Units: parents always come before children in the synthetic data.
    let mut unit_ids: Vec<i64> = Vec::with_capacity(org_data.units.len());
    for run in runs(org_data.units.len(), UNIT_BATCH, |i| {
        org_data.units[i].parent
    }) {
        let chunk = &org_data.units[run];
        let sql = format!(
            "INSERT INTO units (org_id, parent_id, name, kind, created_at) VALUES {} RETURNING id",
            placeholders(db, chunk.len(), 5)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for u in chunk {
            q = q
                .bind(org.0)
                .bind(u.parent.map(|p| unit_ids[p]))
                .bind(&u.name)
                .bind(u.kind.as_str())
                .bind(ts);
        }
        let rows = q.fetch_all(&mut *db).await?;
        // RETURNING gives the rows in insertion order on both backends for a
        // single multi-row VALUES statement.
        for r in rows {
            unit_ids.push(r.try_get("id")?);
        }
    }

    let mut person_ids: Vec<i64> = Vec::with_capacity(org_data.people.len());
    let mut by_number = std::collections::HashMap::new();
    for run in runs(org_data.people.len(), PEOPLE_BATCH, |i| {
        org_data.people[i].manager
    }) {
        let chunk = &org_data.people[run];
        let sql = format!(
            "INSERT INTO people (org_id, name, email, employee_number, function_title, salary_scale, \
             employment_type, unit_id, manager_id, start_date, top_official, designated_function, \
             search_key, created_at, updated_at) VALUES {} RETURNING id, employee_number",
            placeholders(db, chunk.len(), 15)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for p in chunk {
            q = q
                .bind(org.0)
                .bind(&p.name)
                .bind(&p.email)
                .bind(&p.employee_number)
                .bind(&p.function_title)
                .bind(i64::from(p.salary_scale))
                .bind(p.employment_type.as_str())
                .bind(p.unit.map(|u| unit_ids[u]))
                .bind(p.manager.map(|m| person_ids[m]))
                .bind(&p.start_date)
                .bind(flag(p.top_official))
                .bind(flag(p.designated_function))
                .bind(search_key(&p.name, &p.email, Some(&p.employee_number)))
                .bind(ts)
                .bind(ts);
        }
        for r in q.fetch_all(&mut *db).await? {
            let number: String = r.try_get("employee_number")?;
            by_number.insert(number, r.try_get::<i64, _>("id")?);
        }
        for p in chunk {
            person_ids.push(by_number[&p.employee_number]);
        }
        progress(person_ids.len());
    }

    let memberships: Vec<(i64, &str)> = org_data
        .people
        .iter()
        .zip(&person_ids)
        .flat_map(|(p, id)| p.roles.iter().map(move |r| (*id, r.as_str())))
        .collect();
    for chunk in memberships.chunks(ROLE_BATCH) {
        let sql = format!(
            "INSERT INTO role_memberships (org_id, person_id, role) VALUES {}",
            placeholders(db, chunk.len(), 3)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (id, role) in chunk {
            q = q.bind(org.0).bind(*id).bind(*role);
        }
        q.execute(&mut *db).await?;
    }
    Ok(person_ids)
}

/// Rows per multi-row statement for declarations (28 columns: 28,000
/// parameters, below SQLite's 32,766 and PostgreSQL's 65,535).
const DECLARATION_BATCH: usize = 1000;
const DECLARATION_COLUMNS: usize = 28;
/// Rows per statement for their "filed" events (6 columns).
const EVENT_BATCH: usize = 4000;

/// Inserts synthetic declarations (see
/// `integer_domain::synthetic::declarations`) for the people of a seeded
/// organisation; `person_ids` are the ids [`insert`] returned, in the
/// order of the synthetic people. Each declaration gets the "filed" event
/// of its history (decisions leave none: the declaration's own columns say
/// who decided and when). `progress` is told how many are in. Returns how
/// many were inserted.
pub async fn insert_declarations(
    db: &mut Db,
    org: OrgId,
    person_ids: &[i64],
    declarations: impl Iterator<Item = SyntheticDeclaration>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<usize> {
    // The unit of each person, as the web application records it.
    let mut unit_of = std::collections::HashMap::with_capacity(person_ids.len());
    for r in sqlx::query("SELECT id, unit_id FROM people WHERE org_id = $1")
        .bind(org.0)
        .fetch_all(&mut *db)
        .await?
    {
        unit_of.insert(
            r.try_get::<i64, _>("id")?,
            r.try_get::<Option<i64>, _>("unit_id")?,
        );
    }
    let mut done = 0;
    let mut batch = Vec::with_capacity(DECLARATION_BATCH);
    let mut declarations = declarations.peekable();
    while declarations.peek().is_some() {
        batch.clear();
        batch.extend(declarations.by_ref().take(DECLARATION_BATCH));
        let sql = format!(
            "INSERT INTO declarations (org_id, person_id, filed_by, unit_id, kind, status, route_person_id, \
             route_queue, routed_at, verdict, approver, obligations, preset_version, answers, description, \
             third_party, value_cents, event_date, outcome, conditions, reason, destination, decided_by, \
             decided_at, info_response, created_at, updated_at, version) VALUES {} RETURNING id",
            placeholders(db, batch.len(), DECLARATION_COLUMNS)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for d in &batch {
            let person = person_ids[d.person];
            q = q
                .bind(org.0)
                .bind(person)
                .bind(person_ids[d.filed_by])
                .bind(unit_of.get(&person).copied().flatten())
                .bind(d.kind.code())
                .bind(d.status.code())
                .bind(d.route_person.map(|i| person_ids[i]))
                .bind(d.route_queue.map(|a| a.code()))
                .bind(d.created_at)
                .bind(d.verdict.code())
                .bind(d.approver.map(|a| a.code()))
                .bind(d.obligations)
                .bind(d.preset_version.as_str())
                .bind(d.answers.as_str())
                .bind(d.description)
                .bind(d.third_party)
                .bind(d.value_cents)
                .bind(d.event_date.as_deref())
                .bind(d.outcome.map(|o| o.code()))
                .bind(d.conditions)
                .bind(d.reason)
                .bind(d.destination.map(|g| g.code()))
                .bind(d.decided_by.map(|i| person_ids[i]))
                .bind(d.decided_at)
                .bind(None::<String>)
                .bind(d.created_at)
                .bind(d.updated_at)
                .bind(d.version);
        }
        let ids: Vec<i64> = q
            .fetch_all(&mut *db)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        // The "filed" event, as `declarations::insert` writes it.
        let events: Vec<(i64, &SyntheticDeclaration)> = ids.into_iter().zip(&batch).collect();
        for chunk in events.chunks(EVENT_BATCH) {
            let sql = format!(
                "INSERT INTO declaration_events (org_id, declaration_id, at, actor, action, detail) VALUES {}",
                placeholders(db, chunk.len(), 6)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (id, d) in chunk {
                let first = if d.approver.is_some() {
                    "submitted"
                } else {
                    "registered"
                };
                q = q
                    .bind(org.0)
                    .bind(*id)
                    .bind(d.created_at)
                    .bind(format!("person:{}", person_ids[d.filed_by]))
                    .bind("filed")
                    .bind(format!(
                        r#"{{"status":"{first}","verdict":"{}"}}"#,
                        d.verdict.code()
                    ));
            }
            q.execute(&mut *db).await?;
        }
        done += batch.len();
        progress(done);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn runs_never_hold_their_own_parents() {
        let parents = [None, Some(0), Some(0), Some(1), None, Some(4)];
        let r = runs(parents.len(), 10, |i| parents[i]);
        assert_eq!(r, vec![0..1, 1..3, 3..5, 5..6]);
        assert_eq!(runs(5, 2, |_| None), vec![0..2, 2..4, 4..5]);
    }
}
