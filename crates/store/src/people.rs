//! People of an organisation and their role memberships. Every query is
//! filtered by organisation; lists are filtered by the caller's
//! [`Scope`] from the authorization module.

use crate::{Db, Result, StoreError, flag, now};
use integer_domain::authz::{Relation, Scope};
use integer_domain::org::{EmploymentType, OrgId, PersonId, Role, UnitId};
use integer_domain::values::{Email, EmployeeNumber, SalaryScale};
use jiff::civil::Date;
use sqlx::{AssertSqlSafe, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub email: String,
    pub employee_number: Option<String>,
    pub function_title: Option<String>,
    pub salary_scale: Option<i64>,
    pub employment_type: EmploymentType,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub manager_id: Option<PersonId>,
    pub manager_name: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub top_official: bool,
    pub designated_function: bool,
    pub roles: Vec<Role>,
}

/// The fields of a person as entered (form, import, seed).
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFields {
    pub name: String,
    pub email: Email,
    pub employee_number: Option<EmployeeNumber>,
    pub function_title: Option<String>,
    pub salary_scale: Option<SalaryScale>,
    pub employment_type: EmploymentType,
    pub unit_id: Option<UnitId>,
    pub manager_id: Option<PersonId>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub top_official: bool,
    pub designated_function: bool,
}

/// What the search box matches: name, e-mail and employee number, lower-case.
pub fn search_key(name: &str, email: &str, employee_number: Option<&str>) -> String {
    format!("{} {} {}", name, email, employee_number.unwrap_or("")).to_lowercase()
}

const SELECT_PERSON: &str = "SELECT p.id, p.name, p.email, p.employee_number, p.function_title, \
    p.salary_scale, p.employment_type, p.unit_id, u.name AS unit_name, p.manager_id, \
    m.name AS manager_name, p.start_date, p.end_date, p.top_official, p.designated_function \
    FROM people p LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN people m ON m.id = p.manager_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Person> {
    let employment: String = r.try_get("employment_type")?;
    Ok(Person {
        id: PersonId(r.try_get("id")?),
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        employee_number: r.try_get("employee_number")?,
        function_title: r.try_get("function_title")?,
        salary_scale: r.try_get("salary_scale")?,
        employment_type: EmploymentType::parse(&employment).unwrap_or(EmploymentType::CivilServant),
        unit_id: r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId),
        unit_name: r.try_get("unit_name")?,
        manager_id: r.try_get::<Option<i64>, _>("manager_id")?.map(PersonId),
        manager_name: r.try_get("manager_name")?,
        start_date: r.try_get("start_date")?,
        end_date: r.try_get("end_date")?,
        top_official: r.try_get::<i64, _>("top_official")? != 0,
        designated_function: r.try_get::<i64, _>("designated_function")? != 0,
        roles: Vec::new(),
    })
}

/// Checks that the unit and the manager belong to the same organisation.
async fn check_references(db: &mut Db, org: OrgId, f: &PersonFields) -> Result<()> {
    if let Some(u) = f.unit_id {
        let owner: Option<i64> = sqlx::query_scalar("SELECT org_id FROM units WHERE id = $1")
            .bind(u.0)
            .fetch_optional(&mut *db)
            .await?;
        if owner != Some(org.0) {
            return Err(StoreError::Conflict("unit of another organisation".into()));
        }
    }
    if let Some(m) = f.manager_id {
        let owner: Option<i64> = sqlx::query_scalar("SELECT org_id FROM people WHERE id = $1")
            .bind(m.0)
            .fetch_optional(&mut *db)
            .await?;
        if owner != Some(org.0) {
            return Err(StoreError::Conflict(
                "manager of another organisation".into(),
            ));
        }
    }
    Ok(())
}

pub async fn insert(db: &mut Db, org: OrgId, f: &PersonFields) -> Result<PersonId> {
    check_references(db, org, f).await?;
    let ts = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (org_id, name, email, employee_number, function_title, salary_scale, \
         employment_type, unit_id, manager_id, start_date, end_date, top_official, \
         designated_function, search_key, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$15) RETURNING id",
    )
    .bind(org.0)
    .bind(&f.name)
    .bind(f.email.as_str())
    .bind(f.employee_number.as_ref().map(|n| n.as_str().to_string()))
    .bind(f.function_title.clone())
    .bind(f.salary_scale.map(|s| i64::from(s.get())))
    .bind(f.employment_type.as_str())
    .bind(f.unit_id.map(|u| u.0))
    .bind(f.manager_id.map(|m| m.0))
    .bind(f.start_date.map(|d| d.to_string()))
    .bind(f.end_date.map(|d| d.to_string()))
    .bind(flag(f.top_official))
    .bind(flag(f.designated_function))
    .bind(search_key(
        &f.name,
        f.email.as_str(),
        f.employee_number.as_ref().map(|n| n.as_str()),
    ))
    .bind(ts)
    .fetch_one(&mut *db)
    .await?;
    add_roles(db, org, PersonId(id), &[Role::Employee]).await?;
    Ok(PersonId(id))
}

pub async fn update(db: &mut Db, org: OrgId, id: PersonId, f: &PersonFields) -> Result<()> {
    check_references(db, org, f).await?;
    if f.manager_id == Some(id) {
        return Err(StoreError::Conflict("own manager".into()));
    }
    let done = sqlx::query(
        "UPDATE people SET name = $1, email = $2, employee_number = $3, function_title = $4, \
         salary_scale = $5, employment_type = $6, unit_id = $7, manager_id = $8, start_date = $9, \
         end_date = $10, top_official = $11, designated_function = $12, search_key = $13, \
         updated_at = $14 WHERE id = $15 AND org_id = $16",
    )
    .bind(&f.name)
    .bind(f.email.as_str())
    .bind(f.employee_number.as_ref().map(|n| n.as_str().to_string()))
    .bind(f.function_title.clone())
    .bind(f.salary_scale.map(|s| i64::from(s.get())))
    .bind(f.employment_type.as_str())
    .bind(f.unit_id.map(|u| u.0))
    .bind(f.manager_id.map(|m| m.0))
    .bind(f.start_date.map(|d| d.to_string()))
    .bind(f.end_date.map(|d| d.to_string()))
    .bind(flag(f.top_official))
    .bind(flag(f.designated_function))
    .bind(search_key(
        &f.name,
        f.email.as_str(),
        f.employee_number.as_ref().map(|n| n.as_str()),
    ))
    .bind(now())
    .bind(id.0)
    .bind(org.0)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A person of this organisation, with roles; `None` for an id of another
/// organisation (it does not exist from here).
pub async fn get(db: &mut Db, org: OrgId, id: PersonId) -> Result<Option<Person>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{SELECT_PERSON} WHERE p.id = $1 AND p.org_id = $2"
    )))
    .bind(id.0)
    .bind(org.0)
    .fetch_optional(&mut *db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut person = from_row(&row)?;
    person.roles = roles(db, id).await?;
    Ok(Some(person))
}

pub async fn roles(db: &mut Db, id: PersonId) -> Result<Vec<Role>> {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT role FROM role_memberships WHERE person_id = $1 ORDER BY role")
            .bind(id.0)
            .fetch_all(db)
            .await?;
    let mut roles: Vec<Role> = codes.iter().filter_map(|c| Role::parse(c).ok()).collect();
    roles.sort();
    Ok(roles)
}

/// Replaces a person's roles.
pub async fn set_roles(db: &mut Db, org: OrgId, id: PersonId, new_roles: &[Role]) -> Result<()> {
    sqlx::query("DELETE FROM role_memberships WHERE person_id = $1 AND org_id = $2")
        .bind(id.0)
        .bind(org.0)
        .execute(&mut *db)
        .await?;
    add_roles(db, org, id, new_roles).await
}

/// Adds roles a person does not hold yet.
pub async fn add_roles(db: &mut Db, org: OrgId, id: PersonId, new_roles: &[Role]) -> Result<()> {
    for role in new_roles {
        sqlx::query(
            "INSERT INTO role_memberships (org_id, person_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (person_id, role) DO NOTHING",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(role.as_str())
        .execute(&mut *db)
        .await?;
    }
    Ok(())
}

/// One line of the people list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonSummary {
    pub id: PersonId,
    pub name: String,
    pub email: String,
    pub employee_number: Option<String>,
    pub function_title: Option<String>,
    pub unit_name: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// The people the caller may see, matching `query`, sorted by name.
pub async fn list(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    query: &str,
    page: i64,
    per_page: i64,
) -> Result<Page<PersonSummary>> {
    let (scope_sql, scope_id) = match scope {
        // Ids start at 1, so `p.id > 0` keeps every row; each arm uses $3.
        Scope::Organisation => (" AND p.id > $3", 0),
        Scope::Team(p) => (" AND p.manager_id = $3", p.0),
        Scope::Own(p) => (" AND p.id = $3", p.0),
    };
    let pattern = format!("%{}%", escape_like(&query.trim().to_lowercase()));
    let filter = format!("p.org_id = $1 AND p.search_key LIKE $2 ESCAPE '\\'{scope_sql}");
    let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM people p WHERE {filter}"
    )))
    .bind(org.0)
    .bind(&pattern)
    .bind(scope_id)
    .fetch_one(&mut *db)
    .await?;
    let page = page.max(1);
    // The dynamic parts are fixed strings of this module; values are bound.
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.id, p.name, p.email, p.employee_number, p.function_title, u.name AS unit_name \
         FROM people p LEFT JOIN units u ON u.id = p.unit_id WHERE {filter} \
         ORDER BY p.name, p.id LIMIT $4 OFFSET $5"
    )))
    .bind(org.0)
    .bind(&pattern)
    .bind(scope_id)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(db)
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(PersonSummary {
                id: PersonId(r.try_get("id")?),
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                employee_number: r.try_get("employee_number")?,
                function_title: r.try_get("function_title")?,
                unit_name: r.try_get("unit_name")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// How `subject` relates to `asker`, for the authorization decision.
pub async fn relation(
    db: &mut Db,
    org: OrgId,
    asker: PersonId,
    subject: PersonId,
) -> Result<Relation> {
    if asker == subject {
        return Ok(Relation::Own);
    }
    let manager: Option<Option<i64>> =
        sqlx::query_scalar("SELECT manager_id FROM people WHERE id = $1 AND org_id = $2")
            .bind(subject.0)
            .bind(org.0)
            .fetch_optional(db)
            .await?;
    Ok(match manager {
        Some(Some(m)) if m == asker.0 => Relation::DirectReport,
        _ => Relation::None,
    })
}

/// For sign-in: the person with this e-mail in this organisation and their
/// password hash (if they have an account).
pub async fn credentials(
    db: &mut Db,
    org: OrgId,
    email: &str,
) -> Result<Option<(PersonId, Option<String>)>> {
    let row = sqlx::query("SELECT id, password_hash FROM people WHERE org_id = $1 AND email = $2")
        .bind(org.0)
        .bind(email)
        .fetch_optional(db)
        .await?;
    row.map(|r| Ok((PersonId(r.try_get("id")?), r.try_get("password_hash")?)))
        .transpose()
}

pub async fn set_password_hash(db: &mut Db, org: OrgId, id: PersonId, hash: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE people SET password_hash = $1, updated_at = $2 WHERE id = $3 AND org_id = $4",
    )
    .bind(hash)
    .bind(now())
    .bind(id.0)
    .bind(org.0)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn by_email(db: &mut Db, org: OrgId, email: &str) -> Result<Option<PersonId>> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE org_id = $1 AND email = $2")
            .bind(org.0)
            .bind(email)
            .fetch_optional(db)
            .await?;
    Ok(id.map(PersonId))
}

pub async fn by_employee_number(db: &mut Db, org: OrgId, number: &str) -> Result<Option<PersonId>> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE org_id = $1 AND employee_number = $2")
            .bind(org.0)
            .bind(number)
            .fetch_optional(db)
            .await?;
    Ok(id.map(PersonId))
}

pub async fn count(db: &mut Db, org: OrgId) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE org_id = $1")
            .bind(org.0)
            .fetch_one(db)
            .await?,
    )
}

/// People holding `role`, for pickers and for the demo's account list.
pub async fn with_role(
    db: &mut Db,
    org: OrgId,
    role: Role,
) -> Result<Vec<(PersonId, String, String)>> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.email FROM people p JOIN role_memberships r ON r.person_id = p.id \
         WHERE p.org_id = $1 AND r.role = $2 ORDER BY p.name",
    )
    .bind(org.0)
    .bind(role.as_str())
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

/// Demo mode only: gives a seeded person a memorable address and the demo
/// password hash.
pub async fn set_demo_account(
    db: &mut Db,
    org: OrgId,
    id: PersonId,
    email: &str,
    hash: &str,
) -> Result<()> {
    let row = sqlx::query("SELECT name, employee_number FROM people WHERE id = $1 AND org_id = $2")
        .bind(id.0)
        .bind(org.0)
        .fetch_one(&mut *db)
        .await?;
    let name: String = row.try_get("name")?;
    let number: Option<String> = row.try_get("employee_number")?;
    sqlx::query("UPDATE people SET email = $1, password_hash = $2, search_key = $3 WHERE id = $4 AND org_id = $5")
        .bind(email)
        .bind(hash)
        .bind(search_key(&name, email, number.as_deref()))
        .bind(id.0)
        .bind(org.0)
        .execute(db)
        .await?;
    Ok(())
}
