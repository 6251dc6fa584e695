//! Declarations and the registers. Every change is compare-and-set on the
//! row's `version` and leaves an event in the declaration's history; the
//! caller writes the audit row in the same transaction.

use crate::people::Page;
use crate::{Db, Result, StoreError, now};
use integer_domain::authz::{Relation, Scope};
use integer_domain::declaration::{Outcome, Route, Status};
use integer_domain::org::{OrgId, PersonId, Role, RoleSet, UnitId};
use integer_domain::policy::Approver;
use sqlx::{AssertSqlSafe, Row};

/// A declaration as filed.
#[derive(Debug, Clone)]
pub struct NewDeclaration {
    pub person: PersonId,
    pub filed_by: PersonId,
    pub unit: Option<UnitId>,
    pub kind: String,
    pub status: Status,
    pub route: Option<Route>,
    pub verdict: String,
    pub approver: Option<String>,
    pub obligations: Vec<String>,
    pub preset_version: String,
    /// The answers as the declaration JSON of the policy engine.
    pub answers: String,
    pub description: String,
    pub third_party: Option<String>,
    pub value_cents: Option<i64>,
    pub event_date: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DeclarationRecord {
    pub id: i64,
    pub person_id: PersonId,
    pub person_name: String,
    pub filed_by: PersonId,
    pub unit_name: Option<String>,
    pub kind: String,
    pub status: String,
    pub route_person_id: Option<PersonId>,
    pub route_person_name: Option<String>,
    pub route_queue: Option<String>,
    pub verdict: String,
    pub approver: Option<String>,
    pub obligations: Vec<String>,
    pub preset_version: String,
    pub answers: String,
    pub description: String,
    pub third_party: Option<String>,
    pub value_cents: Option<i64>,
    pub event_date: Option<String>,
    pub outcome: Option<String>,
    pub conditions: Option<String>,
    pub reason: Option<String>,
    pub destination: Option<String>,
    pub decided_by: Option<PersonId>,
    pub decided_at: Option<i64>,
    pub info_response: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl DeclarationRecord {
    pub fn status(&self) -> Status {
        Status::from_code(&self.status).unwrap_or(Status::Registered)
    }

    /// Where it waits: the routed person, or a role's queue.
    pub fn route(&self) -> Option<Route> {
        self.route_person_id.map(Route::Person).or_else(|| {
            self.route_queue
                .as_deref()
                .and_then(Approver::from_code)
                .map(Route::Queue)
        })
    }
}

const SELECT: &str = "SELECT d.id, d.person_id, p.name AS person_name, d.filed_by, u.name AS unit_name, \
    d.kind, d.status, d.route_person_id, r.name AS route_person_name, d.route_queue, d.verdict, d.approver, \
    d.obligations, d.preset_version, d.answers, d.description, d.third_party, d.value_cents, d.event_date, \
    d.outcome, d.conditions, d.reason, d.destination, d.decided_by, d.decided_at, d.info_response, \
    d.created_at, d.updated_at, d.version \
    FROM declarations d JOIN people p ON p.id = d.person_id LEFT JOIN units u ON u.id = d.unit_id \
    LEFT JOIN people r ON r.id = d.route_person_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<DeclarationRecord> {
    let obligations: String = r.try_get("obligations")?;
    Ok(DeclarationRecord {
        id: r.try_get("id")?,
        person_id: PersonId(r.try_get("person_id")?),
        person_name: r.try_get("person_name")?,
        filed_by: PersonId(r.try_get("filed_by")?),
        unit_name: r.try_get("unit_name")?,
        kind: r.try_get("kind")?,
        status: r.try_get("status")?,
        route_person_id: r
            .try_get::<Option<i64>, _>("route_person_id")?
            .map(PersonId),
        route_person_name: r.try_get("route_person_name")?,
        route_queue: r.try_get("route_queue")?,
        verdict: r.try_get("verdict")?,
        approver: r.try_get("approver")?,
        obligations: obligations.split_whitespace().map(str::to_string).collect(),
        preset_version: r.try_get("preset_version")?,
        answers: r.try_get("answers")?,
        description: r.try_get("description")?,
        third_party: r.try_get("third_party")?,
        value_cents: r.try_get("value_cents")?,
        event_date: r.try_get("event_date")?,
        outcome: r.try_get("outcome")?,
        conditions: r.try_get("conditions")?,
        reason: r.try_get("reason")?,
        destination: r.try_get("destination")?,
        decided_by: r.try_get::<Option<i64>, _>("decided_by")?.map(PersonId),
        decided_at: r.try_get("decided_at")?,
        info_response: r.try_get("info_response")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

/// The role whose members work a queue.
pub fn queue_role(queue: Approver) -> Role {
    match queue {
        Approver::Manager => Role::Manager,
        Approver::Director => Role::Director,
        Approver::Board => Role::Board,
        Approver::IntegrityOffice => Role::IntegrityOffice,
    }
}

fn queues_of(roles: &RoleSet) -> Vec<&'static str> {
    Approver::ALL
        .iter()
        .filter(|a| **a != Approver::Manager && roles.has(queue_role(**a)))
        .map(|a| a.code())
        .collect()
}

/// The person's managers, nearest first (for routing one level up).
pub async fn manager_chain(db: &mut Db, org: OrgId, person: PersonId) -> Result<Vec<PersonId>> {
    let mut chain = Vec::new();
    let mut current = person;
    for _ in 0..32 {
        let next: Option<Option<i64>> =
            sqlx::query_scalar("SELECT manager_id FROM people WHERE id = $1 AND org_id = $2")
                .bind(current.0)
                .bind(org.0)
                .fetch_optional(&mut *db)
                .await?;
        match next.flatten() {
            Some(m) if !chain.contains(&PersonId(m)) => {
                chain.push(PersonId(m));
                current = PersonId(m);
            }
            _ => break,
        }
    }
    Ok(chain)
}

pub(crate) async fn event(
    db: &mut Db,
    org: OrgId,
    id: i64,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO declaration_events (org_id, declaration_id, at, actor, action, detail) VALUES ($1,$2,$3,$4,$5,$6)",
    )
    .bind(org.0)
    .bind(id)
    .bind(now())
    .bind(actor)
    .bind(action)
    .bind(detail.to_string())
    .execute(db)
    .await?;
    Ok(())
}

/// Who is told that something waits for them: the routed person, or the
/// members of the queue's role (never the declarant).
pub async fn notify_route(
    db: &mut Db,
    org: OrgId,
    id: i64,
    route: Option<Route>,
    declarant: PersonId,
    kind: &str,
) -> Result<Vec<PersonId>> {
    let people: Vec<PersonId> = match route {
        None => Vec::new(),
        Some(Route::Person(p)) => vec![p],
        Some(Route::Queue(q)) => crate::people::with_role(&mut *db, org, queue_role(q))
            .await?
            .into_iter()
            .map(|(id, _, _)| id)
            .filter(|p| *p != declarant)
            .collect(),
    };
    for p in &people {
        notify(db, org, *p, kind, Some(id)).await?;
    }
    Ok(people)
}

pub async fn notify(
    db: &mut Db,
    org: OrgId,
    person: PersonId,
    kind: &str,
    declaration: Option<i64>,
) -> Result<()> {
    sqlx::query("INSERT INTO notifications (org_id, person_id, at, kind, declaration_id) VALUES ($1,$2,$3,$4,$5)")
        .bind(org.0)
        .bind(person.0)
        .bind(now())
        .bind(kind)
        .bind(declaration)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn insert(db: &mut Db, org: OrgId, d: &NewDeclaration, actor: &str) -> Result<i64> {
    let ts = now();
    let (route_person, route_queue) = match d.route {
        Some(Route::Person(p)) => (Some(p.0), None),
        Some(Route::Queue(q)) => (None, Some(q.code())),
        None => (None, None),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO declarations (org_id, person_id, filed_by, unit_id, kind, status, route_person_id, route_queue, \
         routed_at, verdict, approver, obligations, preset_version, answers, description, third_party, value_cents, \
         event_date, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$9,$9) RETURNING id",
    )
    .bind(org.0)
    .bind(d.person.0)
    .bind(d.filed_by.0)
    .bind(d.unit.map(|u| u.0))
    .bind(&d.kind)
    .bind(d.status.code())
    .bind(route_person)
    .bind(route_queue)
    .bind(ts)
    .bind(&d.verdict)
    .bind(d.approver.clone())
    .bind(d.obligations.join(" "))
    .bind(&d.preset_version)
    .bind(&d.answers)
    .bind(&d.description)
    .bind(d.third_party.clone())
    .bind(d.value_cents)
    .bind(d.event_date.clone())
    .fetch_one(&mut *db)
    .await?;
    event(
        db,
        org,
        id,
        actor,
        "filed",
        serde_json::json!({"status": d.status.code(), "verdict": d.verdict}),
    )
    .await?;
    Ok(id)
}

pub async fn get(db: &mut Db, org: OrgId, id: i64) -> Result<Option<DeclarationRecord>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE d.id = $1 AND d.org_id = $2"
    )))
    .bind(id)
    .bind(org.0)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// How a declaration relates to the asker, for the authorization decision.
pub async fn relation(
    db: &mut Db,
    org: OrgId,
    asker: PersonId,
    roles: &RoleSet,
    d: &DeclarationRecord,
) -> Result<Relation> {
    if d.person_id == asker {
        return Ok(Relation::Own);
    }
    // The approver stays the approver after deciding: a late second
    // decision is then told that the first one won (the decision itself is
    // compare-and-set on the version and the status).
    let standing_in = match d.route_person_id {
        Some(manager) if manager != asker => crate::deputies::standing_in_for(&mut *db, org, asker)
            .await?
            .contains(&manager),
        _ => false,
    };
    let routed_here = standing_in
        || d.route_person_id == Some(asker)
        || d.route_queue
            .as_deref()
            .is_some_and(|q| queues_of(roles).contains(&q));
    if routed_here {
        return Ok(Relation::Approver);
    }
    crate::people::relation(db, org, asker, d.person_id).await
}

/// Records a decision. Fails with `Conflict` when the declaration changed
/// since the decider saw it (another decision won).
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &mut Db,
    org: OrgId,
    id: i64,
    expected_version: i64,
    outcome: Outcome,
    conditions: Option<&str>,
    reason: Option<&str>,
    destination: Option<&str>,
    by: PersonId,
) -> Result<()> {
    let ts = now();
    let done = sqlx::query(
        "UPDATE declarations SET status = $1, outcome = $2, conditions = $3, reason = $4, destination = $5, \
         decided_by = $6, decided_at = $7, updated_at = $7, version = version + 1 \
         WHERE id = $8 AND org_id = $9 AND version = $10 AND status = 'submitted'",
    )
    .bind(outcome.status().code())
    .bind(outcome.code())
    .bind(conditions.map(str::to_string))
    .bind(reason.map(str::to_string))
    .bind(destination.map(str::to_string))
    .bind(by.0)
    .bind(ts)
    .bind(id)
    .bind(org.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("declaration changed".into()));
    }
    event(
        db,
        org,
        id,
        &format!("person:{}", by.0),
        outcome.code(),
        serde_json::json!({"conditions": conditions, "reason": reason, "destination": destination}),
    )
    .await
}

/// The employee withdraws their declaration (compare-and-set).
pub async fn withdraw(
    db: &mut Db,
    org: OrgId,
    id: i64,
    person: PersonId,
    expected_version: i64,
    reason: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE declarations SET status = 'withdrawn', updated_at = $1, version = version + 1 \
         WHERE id = $2 AND org_id = $3 AND person_id = $4 AND version = $5 AND status <> 'withdrawn'",
    )
    .bind(now())
    .bind(id)
    .bind(org.0)
    .bind(person.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("declaration changed".into()));
    }
    event(
        db,
        org,
        id,
        &format!("person:{}", person.0),
        "withdrawn",
        serde_json::json!({"reason": reason}),
    )
    .await
}

/// The employee answers a request for information; it goes back to the
/// approver (compare-and-set).
pub async fn respond(
    db: &mut Db,
    org: OrgId,
    id: i64,
    person: PersonId,
    expected_version: i64,
    text: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE declarations SET status = 'submitted', info_response = $1, updated_at = $2, routed_at = $2, \
         version = version + 1 \
         WHERE id = $3 AND org_id = $4 AND person_id = $5 AND version = $6 AND status = 'info_requested'",
    )
    .bind(text)
    .bind(now())
    .bind(id)
    .bind(org.0)
    .bind(person.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("declaration changed".into()));
    }
    event(
        db,
        org,
        id,
        &format!("person:{}", person.0),
        "information_added",
        serde_json::json!({}),
    )
    .await
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct EventRecord {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

pub async fn events(db: &mut Db, org: OrgId, id: i64) -> Result<Vec<EventRecord>> {
    let rows = sqlx::query(
        "SELECT at, actor, action, detail FROM declaration_events WHERE declaration_id = $1 AND org_id = $2 ORDER BY id",
    )
    .bind(id)
    .bind(org.0)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EventRecord {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub unit: Option<UnitId>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
    pub min_cents: Option<i64>,
    pub max_cents: Option<i64>,
    /// Matches the person's name, the description and the third party.
    pub query: String,
    /// Only this person's declarations ("mijn meldingen").
    pub person: Option<PersonId>,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Where a page starts when it is reached through the page links: right
/// after (older than) the last row of the page before it, or right before
/// (newer than) the first row of the page after it, as (created_at, id).
/// Such a page costs the same however deep it is; without one the page
/// number counts rows from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStart {
    After(i64, i64),
    Before(i64, i64),
}

impl PageStart {
    /// The cursor of a row, as the page links carry it: `created_at.id`.
    pub fn cursor(d: &impl Listed) -> String {
        let (created_at, id) = d.position();
        format!("{created_at}.{id}")
    }

    fn parse(cursor: &str) -> Option<(i64, i64)> {
        let (at, id) = cursor.split_once('.')?;
        Some((at.parse().ok()?, id.parse().ok()?))
    }

    pub fn after(cursor: &str) -> Option<PageStart> {
        PageStart::parse(cursor).map(|(at, id)| PageStart::After(at, id))
    }

    pub fn before(cursor: &str) -> Option<PageStart> {
        PageStart::parse(cursor).map(|(at, id)| PageStart::Before(at, id))
    }
}

/// A bound value of a query built from the filters that are set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Arg {
    Int(i64),
    Text(String),
}

/// The conditions of a register query and their values, numbered `$1`...
#[derive(Debug, Default)]
struct Conditions {
    sql: Vec<String>,
    args: Vec<Arg>,
}

impl Conditions {
    /// Adds a value; returns its placeholder.
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    fn bind<'q>(
        &'q self,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for a in &self.args {
            q = match a {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(s) => q.bind(s.as_str()),
            };
        }
        q
    }
}

/// Only the filters that are set become SQL, so that the database can pick
/// the index that fits them (kind, status, unit, person, or none: the
/// register's order itself).
fn conditions(org: OrgId, scope: Scope, f: &Filter) -> Conditions {
    let mut c = Conditions::default();
    let org_arg = c.arg(Arg::Int(org.0));
    c.sql.push(format!("d.org_id = {org_arg}"));
    match scope {
        Scope::Organisation => {}
        Scope::Team(p) => {
            let a = c.arg(Arg::Int(p.0));
            c.sql.push(format!(
                "d.person_id IN (SELECT id FROM people WHERE org_id = {org_arg} AND manager_id = {a})"
            ));
        }
        Scope::Own(p) => {
            let a = c.arg(Arg::Int(p.0));
            c.sql.push(format!("d.person_id = {a}"));
        }
    }
    if let Some(kind) = &f.kind {
        let a = c.arg(Arg::Text(kind.clone()));
        c.sql.push(format!("d.kind = {a}"));
    }
    if let Some(status) = &f.status {
        let a = c.arg(Arg::Text(status.clone()));
        c.sql.push(format!("d.status = {a}"));
    }
    if let Some(unit) = f.unit {
        // The unit and every unit below it.
        let a = c.arg(Arg::Int(unit.0));
        c.sql.push(format!(
            "d.unit_id IN (WITH RECURSIVE below(id) AS (\
             SELECT id FROM units WHERE id = {a} AND org_id = {org_arg} \
             UNION ALL SELECT u.id FROM units u JOIN below b ON u.org_id = {org_arg} AND u.parent_id = b.id) \
             SELECT id FROM below)"
        ));
    }
    if let Some(from) = f.from {
        let a = c.arg(Arg::Int(from));
        c.sql.push(format!("d.created_at >= {a}"));
    }
    if let Some(until) = f.until {
        let a = c.arg(Arg::Int(until));
        c.sql.push(format!("d.created_at < {a}"));
    }
    if let Some(min) = f.min_cents {
        let a = c.arg(Arg::Int(min));
        c.sql.push(format!("d.value_cents >= {a}"));
    }
    if let Some(max) = f.max_cents {
        let a = c.arg(Arg::Int(max));
        c.sql.push(format!("d.value_cents <= {a}"));
    }
    let query = f.query.trim().to_lowercase();
    if !query.is_empty() {
        let a = c.arg(Arg::Text(format!("%{}%", escape_like(&query))));
        c.sql.push(format!(
            "(d.person_id IN (SELECT id FROM people WHERE org_id = {org_arg} AND search_key LIKE {a} ESCAPE '\\') \
             OR LOWER(d.description) LIKE {a} ESCAPE '\\' \
             OR LOWER(COALESCE(d.third_party, '')) LIKE {a} ESCAPE '\\')"
        ));
    }
    if let Some(p) = f.person {
        let a = c.arg(Arg::Int(p.0));
        c.sql.push(format!("d.person_id = {a}"));
    }
    c
}

/// Counts of the register, kept per organisation and its declarations'
/// generation: `declaration_generations` gets a new random number in the
/// same transaction as every insert, update or delete of the
/// organisation's declarations (triggers, migration 5), so a count found
/// under the current generation is exact. Counting a million rows on every
/// page view would cost more than the rest of the page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CountKey {
    org: i64,
    generation: i64,
    sql: String,
    args: Vec<Arg>,
}

static COUNTS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<CountKey, i64>>> =
    std::sync::LazyLock::new(Default::default);
/// Beyond this many kept counts, all are forgotten.
const COUNTS_KEPT: usize = 10_000;

async fn generation(db: &mut Db, org: OrgId) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT generation FROM declaration_generations WHERE org_id = $1")
            .bind(org.0)
            .fetch_optional(db)
            .await?,
    )
}

/// `COUNT(*)` of the declarations matching `c`, from the kept counts when
/// nothing changed since.
async fn count(db: &mut Db, org: OrgId, c: &Conditions) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM declarations d WHERE {}",
        c.sql.join(" AND ")
    );
    let before = generation(&mut *db, org).await?;
    let key = before.map(|generation| CountKey {
        org: org.0,
        generation,
        sql: sql.clone(),
        args: c.args.clone(),
    });
    if let Some(k) = &key
        && let Some(n) = COUNTS.lock().ok().and_then(|m| m.get(k).copied())
    {
        return Ok(n);
    }
    let n: i64 = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .fetch_one(&mut *db)
        .await?
        .try_get("n")?;
    // Kept only when nothing changed while counting.
    if let Some(k) = key
        && generation(&mut *db, org).await? == before
        && let Ok(mut m) = COUNTS.lock()
    {
        if m.len() >= COUNTS_KEPT {
            m.clear();
        }
        m.insert(k, n);
    }
    Ok(n)
}

/// A row of the register, by its place in the register's order.
pub trait Listed {
    /// (created_at, id): the register is newest first by these.
    fn position(&self) -> (i64, i64);
}

impl Listed for DeclarationRecord {
    fn position(&self) -> (i64, i64) {
        (self.created_at, self.id)
    }
}

/// What a list of declarations shows of each (the register's and "mijn
/// meldingen"'s lines): fewer columns than [`DeclarationRecord`] to read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeclarationLine {
    pub id: i64,
    pub person_name: String,
    pub unit_name: Option<String>,
    pub kind: String,
    pub status: String,
    pub value_cents: Option<i64>,
    pub description: String,
    pub created_at: i64,
    pub version: i64,
}

impl Listed for DeclarationLine {
    fn position(&self) -> (i64, i64) {
        (self.created_at, self.id)
    }
}

const LINE_SELECT: &str = "SELECT d.id, p.name AS person_name, u.name AS unit_name, d.kind, d.status, \
    d.value_cents, d.description, d.created_at, d.version \
    FROM declarations d JOIN people p ON p.id = d.person_id LEFT JOIN units u ON u.id = d.unit_id";

fn line_from_row(r: &sqlx::any::AnyRow) -> Result<DeclarationLine> {
    Ok(DeclarationLine {
        id: r.try_get("id")?,
        person_name: r.try_get("person_name")?,
        unit_name: r.try_get("unit_name")?,
        kind: r.try_get("kind")?,
        status: r.try_get("status")?,
        value_cents: r.try_get("value_cents")?,
        description: r.try_get("description")?,
        created_at: r.try_get("created_at")?,
        version: r.try_get("version")?,
    })
}

/// The register: declarations the caller may see (by `scope`), filtered,
/// newest first, a page at a time (by page number).
pub async fn list(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    f: &Filter,
    page: i64,
    per_page: i64,
) -> Result<Page<DeclarationRecord>> {
    page_of(
        db,
        org,
        scope,
        f,
        (page, per_page),
        None,
        (SELECT, from_row),
    )
    .await
}

/// The register as [`list`], a page reached from its neighbour through
/// `start` when given (the page number is then only shown). A page past the
/// last one is the last one.
#[allow(clippy::too_many_arguments)]
pub async fn list_at(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    f: &Filter,
    page: i64,
    per_page: i64,
    start: Option<PageStart>,
) -> Result<Page<DeclarationRecord>> {
    page_of(
        db,
        org,
        scope,
        f,
        (page, per_page),
        start,
        (SELECT, from_row),
    )
    .await
}

/// The lines of a register page, as [`list_at`] (for the pages that show
/// only the lines).
#[allow(clippy::too_many_arguments)]
pub async fn lines_at(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    f: &Filter,
    page: i64,
    per_page: i64,
    start: Option<PageStart>,
) -> Result<Page<DeclarationLine>> {
    page_of(
        db,
        org,
        scope,
        f,
        (page, per_page),
        start,
        (LINE_SELECT, line_from_row),
    )
    .await
}

type Reader<T> = (&'static str, fn(&sqlx::any::AnyRow) -> Result<T>);

async fn page_of<T: Listed>(
    db: &mut Db,
    org: OrgId,
    scope: Scope,
    f: &Filter,
    (page, per_page): (i64, i64),
    start: Option<PageStart>,
    (select, read): Reader<T>,
) -> Result<Page<T>> {
    let per_page = per_page.max(1);
    let mut c = conditions(org, scope, f);
    let total = count(&mut *db, org, &c).await?;
    let pages = ((total + per_page - 1) / per_page).max(1);
    let page = page.clamp(1, pages);
    // LIMIT is written as a number: SQLite prepares a statement again
    // whenever a bound LIMIT is bound anew (it plans with its value).
    let limit = per_page;
    // A manager's team is a few people: their declarations are found
    // through the person index and then sorted ("+" keeps the planner from
    // walking the whole register in date order instead).
    let newest = if matches!(scope, Scope::Team(_)) {
        "+d.created_at DESC, d.id DESC"
    } else {
        "d.created_at DESC, d.id DESC"
    };
    let sql = match start {
        // A page by number beyond the first: the ids are counted off an
        // index alone, then only the page's rows are read with their names.
        None if page > 1 => {
            let offset = c.arg(Arg::Int((page - 1) * per_page));
            format!(
                "{select} WHERE d.id IN (SELECT d.id FROM declarations d WHERE {} \
                 ORDER BY {newest} LIMIT {limit} OFFSET {offset}) ORDER BY d.created_at DESC, d.id DESC",
                c.sql.join(" AND ")
            )
        }
        None => format!(
            "{select} WHERE {} ORDER BY {newest} LIMIT {limit}",
            c.sql.join(" AND ")
        ),
        Some(PageStart::After(at, id)) => {
            let (at, id) = (c.arg(Arg::Int(at)), c.arg(Arg::Int(id)));
            format!(
                "{select} WHERE {} AND d.created_at <= {at} AND (d.created_at < {at} OR d.id < {id}) \
                 ORDER BY {newest} LIMIT {limit}",
                c.sql.join(" AND ")
            )
        }
        Some(PageStart::Before(at, id)) => {
            let (at, id) = (c.arg(Arg::Int(at)), c.arg(Arg::Int(id)));
            let oldest = if matches!(scope, Scope::Team(_)) {
                "+d.created_at, d.id"
            } else {
                "d.created_at, d.id"
            };
            format!(
                "{select} WHERE d.id IN (SELECT d.id FROM declarations d WHERE {} AND d.created_at >= {at} \
                 AND (d.created_at > {at} OR d.id > {id}) ORDER BY {oldest} LIMIT {limit}) \
                 ORDER BY d.created_at DESC, d.id DESC",
                c.sql.join(" AND ")
            )
        }
    };
    let rows = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .fetch_all(&mut *db)
        .await?;
    let items = rows.iter().map(read).collect::<Result<Vec<_>>>()?;
    // Fewer newer rows than a page before the cursor (rows came or went
    // since the link was made): the top page, counted from the top.
    if matches!(start, Some(PageStart::Before(..))) && (items.len() as i64) < per_page {
        return Box::pin(page_of(
            db,
            org,
            scope,
            f,
            (1, per_page),
            None,
            (select, read),
        ))
        .await;
    }
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The units the register's unit filter offers, with their paths (top
/// first), in path order: from the top down, whole levels while they fit in
/// `max` (every unit of a small organisation, the top levels of a large
/// one). The filter also matches the units below the chosen one, and takes
/// any unit of the organisation in the URL.
pub async fn unit_choices(db: &mut Db, org: OrgId, max: usize) -> Result<Vec<(UnitId, String)>> {
    // (id, parent, name, number of children), a level at a time.
    let mut units: Vec<(i64, Option<i64>, String)> = Vec::new();
    let mut parents: Vec<i64> = Vec::new();
    loop {
        // The ids are numbers from the database, written into the SQL.
        let under = if units.is_empty() {
            "u.parent_id IS NULL".to_string()
        } else {
            let ids: Vec<String> = parents.iter().map(i64::to_string).collect();
            format!("u.parent_id IN ({})", ids.join(","))
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT u.id, u.parent_id, u.name, \
             (SELECT COUNT(*) FROM units c WHERE c.org_id = $1 AND c.parent_id = u.id) AS children \
             FROM units u WHERE u.org_id = $1 AND {under} ORDER BY u.name, u.id LIMIT {max}"
        )))
        .bind(org.0)
        .fetch_all(&mut *db)
        .await?;
        let mut children = 0_i64;
        parents.clear();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            children += r.try_get::<i64, _>("children")?;
            parents.push(id);
            units.push((id, r.try_get("parent_id")?, r.try_get("name")?));
        }
        let room = max.saturating_sub(units.len());
        if children == 0 || !usize::try_from(children).is_ok_and(|n| n <= room) {
            break;
        }
    }
    let by_id: std::collections::HashMap<i64, (Option<i64>, &str)> = units
        .iter()
        .map(|(id, parent, name)| (*id, (*parent, name.as_str())))
        .collect();
    let mut choices: Vec<(UnitId, String)> = units
        .iter()
        .map(|(id, _, _)| {
            let mut names = Vec::new();
            let mut current = Some(*id);
            while let Some((parent, name)) = current.and_then(|c| by_id.get(&c)) {
                names.push(*name);
                current = *parent;
                if names.len() > 32 {
                    break;
                }
            }
            names.reverse();
            (UnitId(*id), names.join(" / "))
        })
        .collect();
    choices.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.0.cmp(&b.0.0)));
    choices.truncate(max);
    Ok(choices)
}

/// What waits for this person's decision: routed to them, or in a queue of
/// a role they hold (never their own declarations).
pub async fn inbox(
    db: &mut Db,
    org: OrgId,
    person: PersonId,
    roles: &RoleSet,
    limit: i64,
) -> Result<Vec<DeclarationRecord>> {
    let queues = queues_of(roles);
    // Requests routed to the person, or to managers they stand in for.
    let mut routed_to = vec![person];
    routed_to.extend(crate::deputies::standing_in_for(&mut *db, org, person).await?);
    routed_to.truncate(20);
    // Only the queues the person works are in the SQL: the usual inbox, a
    // manager's, is one indexed lookup that PostgreSQL plans once. LIMIT is
    // written as a number (a bound one makes SQLite prepare the statement
    // every time).
    let limit = limit.max(1);
    let mut c = Conditions::default();
    let org_arg = c.arg(Arg::Int(org.0));
    let me = c.arg(Arg::Int(person.0));
    let to: Vec<String> = routed_to.iter().map(|p| c.arg(Arg::Int(p.0))).collect();
    let to = to.join(", ");
    let sql = if queues.is_empty() {
        format!(
            "{SELECT} WHERE d.org_id = {org_arg} AND d.status = 'submitted' AND d.route_person_id IN ({to}) \
             AND d.person_id <> {me} ORDER BY d.routed_at, d.id LIMIT {limit}"
        )
    } else {
        // Two sources: the oldest `limit` ids of both (each from its own
        // index), then their rows.
        let queues: Vec<String> = queues
            .iter()
            .map(|q| c.arg(Arg::Text((*q).to_string())))
            .collect();
        let queues = queues.join(", ");
        format!(
            "{SELECT} WHERE d.id IN (SELECT id FROM (\
             SELECT id, routed_at FROM declarations WHERE org_id = {org_arg} AND status = 'submitted' \
             AND route_person_id IN ({to}) AND person_id <> {me} \
             UNION ALL SELECT id, routed_at FROM declarations WHERE org_id = {org_arg} AND status = 'submitted' \
             AND route_queue IN ({queues}) AND person_id <> {me}) w ORDER BY routed_at, id LIMIT {limit}) \
             ORDER BY d.routed_at, d.id"
        )
    };
    let q = c.bind(sqlx::query(AssertSqlSafe(sql)));
    let rows = q.fetch_all(db).await?;
    rows.iter().map(from_row).collect()
}

/// The employee corrects the description, the third party or the date,
/// with a reason; the old values stay in the history. A decided request
/// goes back to its approver, since the decision was about the old text.
#[allow(clippy::too_many_arguments)]
pub async fn amend(
    db: &mut Db,
    org: OrgId,
    id: i64,
    person: PersonId,
    expected_version: i64,
    description: &str,
    third_party: Option<&str>,
    event_date: Option<&str>,
    reason: &str,
) -> Result<Status> {
    let Some(before) = get(&mut *db, org, id).await? else {
        return Err(StoreError::NotFound);
    };
    let reopen = matches!(
        before.status(),
        Status::Approved | Status::ApprovedWithConditions | Status::Refused
    ) && (before.route_person_id.is_some() || before.route_queue.is_some());
    let status = if reopen {
        Status::Submitted
    } else {
        before.status()
    };
    let t = now();
    let done = sqlx::query(
        "UPDATE declarations SET description = $1, third_party = $2, event_date = $3, status = $4, \
         outcome = CASE WHEN $5 = 1 THEN NULL ELSE outcome END, \
         decided_by = CASE WHEN $5 = 1 THEN NULL ELSE decided_by END, \
         decided_at = CASE WHEN $5 = 1 THEN NULL ELSE decided_at END, \
         routed_at = CASE WHEN $5 = 1 THEN $6 ELSE routed_at END, \
         updated_at = $6, version = version + 1 \
         WHERE id = $7 AND org_id = $8 AND person_id = $9 AND version = $10 AND status <> 'withdrawn'",
    )
    .bind(description)
    .bind(third_party.map(str::to_string))
    .bind(event_date.map(str::to_string))
    .bind(status.code())
    .bind(crate::flag(reopen))
    .bind(t)
    .bind(id)
    .bind(org.0)
    .bind(person.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("declaration changed".into()));
    }
    event(
        db,
        org,
        id,
        &format!("person:{}", person.0),
        "amended",
        serde_json::json!({
            "reason": reason,
            "before": {"description": before.description, "third_party": before.third_party, "event_date": before.event_date},
            "reopened": reopen,
        }),
    )
    .await?;
    Ok(status)
}
