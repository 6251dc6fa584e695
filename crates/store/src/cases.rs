//! The reporting point's cases. This module is the only place that seals
//! and opens case content: callers pass plain text and the installation
//! key, and never see a sealed value or a case key. Changes of state are
//! compare-and-set on the row's `version`; the caller writes the audit row
//! in the same transaction.

use crate::{Db, Result, StoreError, now};
use integer_domain::authz::Relation;
use integer_domain::case::{
    CaseKind, Channel, Clock, Finding, IdentityMode, Measure, State, TeamRole, acknowledgement_due,
    feedback_due, local_date,
};
use integer_domain::crypto::{CaseKey, InstallationKey};
use integer_domain::org::{OrgId, PersonId};
use jiff::Timestamp;
use sqlx::Row;

/// What the reporter tells about themselves (named or confidential).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// The signed-in person who reported, when they gave their name.
    pub person_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewFile {
    pub name: String,
    pub mime: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct NewCase {
    pub kind: CaseKind,
    pub channel: Channel,
    pub identity_mode: IdentityMode,
    pub category: Option<String>,
    pub title: String,
    pub body: String,
    pub identity: Option<Identity>,
    /// Keyed tag of a signed-in reporter who gave their name.
    pub reporter_tag: Option<String>,
    pub created_by: Option<PersonId>,
    pub received_at: i64,
    /// Deterministic Argon2id hash of the receipt code.
    pub receipt_hash: String,
    pub named: Vec<PersonId>,
    pub files: Vec<NewFile>,
    pub team: Vec<(PersonId, TeamRole)>,
    pub alternate: bool,
}

#[derive(Debug, Clone)]
pub struct Created {
    pub id: i64,
    pub number: String,
}

/// A case as its team reads it.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub id: i64,
    pub org: OrgId,
    pub number: String,
    pub kind: CaseKind,
    pub channel: Channel,
    pub identity_mode: IdentityMode,
    pub state: State,
    pub category: Option<String>,
    pub finding: Option<Finding>,
    pub measures: Vec<Measure>,
    pub alternate: bool,
    pub received_at: i64,
    pub ack_due: String,
    pub acknowledged_at: Option<i64>,
    pub feedback_due: Option<String>,
    pub feedback_at: Option<i64>,
    pub person_informed_at: Option<i64>,
    pub person_informed_delay: Option<String>,
    pub minutes_confirmed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub retention_until: Option<String>,
    pub title: String,
    pub body: String,
    pub exit_reason: Option<String>,
    pub created_by: Option<PersonId>,
    pub version: i64,
}

impl CaseRecord {
    /// The acknowledgement clock on `today`.
    pub fn ack_clock(&self, today: jiff::civil::Date) -> Clock {
        Clock::compute(
            self.ack_due.parse().ok(),
            self.acknowledged_at.map(ts),
            today,
        )
    }

    /// The feedback clock (three months after the acknowledgement).
    pub fn feedback_clock(&self, today: jiff::civil::Date) -> Clock {
        Clock::compute(
            self.feedback_due.as_deref().and_then(|d| d.parse().ok()),
            self.feedback_at.map(ts),
            today,
        )
    }
}

pub(crate) fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A case in a list: enough for the office's overview and clocks.
#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub id: i64,
    pub number: String,
    pub kind: CaseKind,
    pub state: State,
    pub title: String,
    pub received_at: i64,
    pub ack_due: String,
    pub acknowledged_at: Option<i64>,
    pub feedback_due: Option<String>,
    pub feedback_at: Option<i64>,
    pub role: Option<TeamRole>,
}

impl CaseSummary {
    pub fn ack_clock(&self, today: jiff::civil::Date) -> Clock {
        Clock::compute(
            self.ack_due.parse().ok(),
            self.acknowledged_at.map(ts),
            today,
        )
    }
    pub fn feedback_clock(&self, today: jiff::civil::Date) -> Clock {
        Clock::compute(
            self.feedback_due.as_deref().and_then(|d| d.parse().ok()),
            self.feedback_at.map(ts),
            today,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    FromReporter,
    ToReporter,
    Note,
    System,
}

impl EntryKind {
    pub fn code(&self) -> &'static str {
        match self {
            EntryKind::FromReporter => "from_reporter",
            EntryKind::ToReporter => "to_reporter",
            EntryKind::Note => "note",
            EntryKind::System => "system",
        }
    }
    fn from_code(c: &str) -> EntryKind {
        match c {
            "from_reporter" => EntryKind::FromReporter,
            "to_reporter" => EntryKind::ToReporter,
            "note" => EntryKind::Note,
            _ => EntryKind::System,
        }
    }
    /// Whether the reporter sees it in their mailbox.
    pub fn for_reporter(&self) -> bool {
        matches!(self, EntryKind::FromReporter | EntryKind::ToReporter)
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub kind: EntryKind,
    pub author_id: Option<PersonId>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: i64,
    pub files: Vec<FileMeta>,
}

#[derive(Debug, Clone)]
pub struct FileMeta {
    pub id: i64,
    pub entry_id: Option<i64>,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub from_reporter: bool,
}

#[derive(Debug, Clone)]
pub struct TeamMember {
    pub person: PersonId,
    pub name: String,
    pub role: TeamRole,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub due_on: String,
    pub done_at: Option<i64>,
}

pub(crate) async fn case_key(db: &mut Db, key: &InstallationKey, case_id: i64) -> Result<CaseKey> {
    let row = sqlx::query("SELECT key_version, wrapped FROM case_keys WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(&mut *db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let version: String = row.try_get("key_version")?;
    let wrapped: Vec<u8> = row.try_get("wrapped")?;
    key.unwrap(case_id, &version, &wrapped)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("case {case_id}: {e}")))
}

pub(crate) fn open(k: &CaseKey, case_id: i64, field: &str, sealed: &[u8]) -> Result<String> {
    k.open_str(case_id, field, sealed)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("case {case_id} {field}: {e}")))
}

pub(crate) fn open_opt(
    k: &CaseKey,
    case_id: i64,
    field: &str,
    sealed: Option<Vec<u8>>,
) -> Result<Option<String>> {
    sealed.map(|s| open(k, case_id, field, &s)).transpose()
}

/// Files a new case with everything that came with it, in the caller's
/// transaction: when that commits, the report is complete.
pub async fn create(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    new: &NewCase,
) -> Result<Created> {
    let received = ts(new.received_at);
    let year = local_date(received).year() as i64;
    sqlx::query(
        "INSERT INTO case_numbers (org_id, year, last) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
    )
    .bind(org.0)
    .bind(year)
    .execute(&mut *db)
    .await?;
    let last: i64 = sqlx::query_scalar(
        "UPDATE case_numbers SET last = last + 1 WHERE org_id = $1 AND year = $2 RETURNING last",
    )
    .bind(org.0)
    .bind(year)
    .fetch_one(&mut *db)
    .await?;
    let number = format!("{year}-{last:04}");
    // The row first (its id binds every sealed value), then the content.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (org_id, number, kind, channel, identity_mode, state, category, alternate, \
         received_at, ack_due, feedback_due, title, body, created_by, reporter_tag, updated_at) \
         VALUES ($1,$2,$3,$4,$5,'received',$6,$7,$8,$9,$10,$11,$11,$12,$13,$8) RETURNING id",
    )
    .bind(org.0)
    .bind(&number)
    .bind(new.kind.code())
    .bind(new.channel.code())
    .bind(new.identity_mode.code())
    .bind(new.category.clone())
    .bind(i64::from(new.alternate))
    .bind(new.received_at)
    .bind(acknowledgement_due(received).to_string())
    // The 3-month clock runs also when nobody acknowledges (directive
    // 2019/1937 art. 9(1)(f)); an acknowledgement in time moves it earlier.
    .bind(feedback_due(received, None).to_string())
    .bind(Vec::<u8>::new())
    .bind(new.created_by.map(|p| p.0))
    .bind(new.reporter_tag.clone())
    .fetch_one(&mut *db)
    .await?;
    let k = CaseKey::generate();
    sqlx::query("INSERT INTO case_keys (case_id, key_version, wrapped) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(key.version())
        .bind(key.wrap(id, &k))
        .execute(&mut *db)
        .await?;
    sqlx::query("UPDATE cases SET title = $1, body = $2 WHERE id = $3")
        .bind(k.seal_str(id, "title", &new.title))
        .bind(k.seal_str(id, "body", &new.body))
        .bind(id)
        .execute(&mut *db)
        .await?;
    if let Some(identity) = &new.identity {
        let json = serde_json::to_string(identity).map_err(anyhow::Error::from)?;
        sqlx::query("INSERT INTO case_identities (case_id, sealed) VALUES ($1, $2)")
            .bind(id)
            .bind(k.seal_str(id, "identity", &json))
            .execute(&mut *db)
            .await?;
    }
    sqlx::query("INSERT INTO case_mailboxes (case_id, org_id, receipt_hash, created_at) VALUES ($1,$2,$3,$4)")
        .bind(id)
        .bind(org.0)
        .bind(&new.receipt_hash)
        .bind(new.received_at)
        .execute(&mut *db)
        .await?;
    for person in &new.named {
        add_named_with(db, key, &k, org, id, *person).await?;
    }
    for (person, role) in &new.team {
        sqlx::query(
            "INSERT INTO case_team (case_id, person_id, role, added_by, added_at) VALUES ($1,$2,$3,NULL,$4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(person.0)
        .bind(role.code())
        .bind(new.received_at)
        .execute(&mut *db)
        .await?;
    }
    if !new.files.is_empty() {
        let entry = insert_entry(db, &k, id, EntryKind::FromReporter, None, "").await?;
        for f in &new.files {
            insert_file(db, &k, id, Some(entry), f, true).await?;
        }
    }
    Ok(Created { id, number })
}

/// The keyed tag that says "this case names that person" without the
/// person's id being readable in the database.
pub fn named_tag(key: &InstallationKey, org: OrgId, person: PersonId) -> String {
    key.tag("named", &format!("{}:{}", org.0, person.0))
}

/// The keyed tag of a reporter who gave their name while signed in.
pub fn reporter_tag(key: &InstallationKey, org: OrgId, person: PersonId) -> String {
    key.tag("reporter", &format!("{}:{}", org.0, person.0))
}

async fn add_named_with(
    db: &mut Db,
    key: &InstallationKey,
    k: &CaseKey,
    org: OrgId,
    case_id: i64,
    person: PersonId,
) -> Result<()> {
    sqlx::query("INSERT INTO case_named (case_id, tag, sealed_person) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING")
        .bind(case_id)
        .bind(named_tag(key, org, person))
        .bind(k.seal_str(case_id, "named", &person.0.to_string()))
        .execute(&mut *db)
        .await?;
    // A named person leaves the team at once.
    sqlx::query("DELETE FROM case_team WHERE case_id = $1 AND person_id = $2")
        .bind(case_id)
        .bind(person.0)
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Records that the case names `person` as involved.
pub async fn add_named(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
    person: PersonId,
) -> Result<()> {
    let k = case_key(db, key, case_id).await?;
    add_named_with(db, key, &k, org, case_id, person).await
}

/// The people the case names (for the team).
pub async fn named(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
) -> Result<Vec<(PersonId, String)>> {
    let k = case_key(db, key, case_id).await?;
    let rows = sqlx::query("SELECT sealed_person FROM case_named WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(&mut *db)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = open(
            &k,
            case_id,
            "named",
            &r.try_get::<Vec<u8>, _>("sealed_person")?,
        )?
        .parse()
        .map_err(|_| StoreError::Other(anyhow::anyhow!("bad named person")))?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM people WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *db)
            .await?;
        out.push((PersonId(id), name.unwrap_or_default()));
    }
    Ok(out)
}

/// How a person stands to a case: named (never allowed), on the team, or
/// nothing. `None` when the case does not exist in the organisation.
pub async fn relation(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
    person: PersonId,
) -> Result<Option<Relation>> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE id = $1 AND org_id = $2")
            .bind(case_id)
            .bind(org.0)
            .fetch_optional(&mut *db)
            .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let named: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM case_named WHERE case_id = $1 AND tag = $2")
            .bind(case_id)
            .bind(named_tag(key, org, person))
            .fetch_optional(&mut *db)
            .await?;
    if named.is_some() {
        return Ok(Some(Relation::Named));
    }
    let on_team: Option<String> =
        sqlx::query_scalar("SELECT role FROM case_team WHERE case_id = $1 AND person_id = $2")
            .bind(case_id)
            .bind(person.0)
            .fetch_optional(&mut *db)
            .await?;
    Ok(Some(match on_team.as_deref().map(TeamRole::from_code) {
        None => Relation::None,
        Some(Some(role)) if role.handles_report() => Relation::CaseHandler,
        Some(Some(_)) => Relation::CaseTeam,
        Some(None) => return Err(bad("case_team.role")),
    }))
}

/// How a person stands to the reporter's identity of a case: as to the
/// case ([`relation`]), except that a team member who does not handle it
/// is an [`Relation::IdentityRecipient`] when the reporter's consent
/// covers them: a named reporter agreed to the team knowing (not to a
/// coordinator who broke the glass), or the reporter consented in writing
/// to a request naming them, or a second handler confirmed a legal
/// obligation for them. Who may then read it is `authz`'s decision.
pub async fn identity_relation(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
    person: PersonId,
) -> Result<Option<Relation>> {
    let relation = relation(db, key, org, case_id, person).await?;
    if relation != Some(Relation::CaseTeam) {
        return Ok(relation);
    }
    let named_mode: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM cases c JOIN case_team t ON t.case_id = c.id \
         WHERE c.id = $1 AND c.identity_mode = 'named' AND t.person_id = $2 AND t.role <> 'emergency'",
    )
    .bind(case_id)
    .bind(person.0)
    .fetch_optional(&mut *db)
    .await?;
    let disclosed = crate::case_disclosures::disclosed_to(db, case_id, person).await?;
    Ok(Some(if named_mode.is_some() || disclosed {
        Relation::IdentityRecipient
    } else {
        Relation::CaseTeam
    }))
}

const CASE_COLUMNS: &str = "id, org_id, number, kind, channel, identity_mode, state, category, finding, measures, \
    alternate, received_at, ack_due, acknowledged_at, feedback_due, feedback_at, person_informed_at, \
    person_informed_delay, minutes_confirmed_at, closed_at, retention_until, title, body, exit_reason, \
    created_by, version";

fn bad(what: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!("unknown code in cases.{what}"))
}

/// Opens a case for its team.
pub async fn get(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
) -> Result<Option<CaseRecord>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE id = $1 AND org_id = $2"
    )))
    .bind(case_id)
    .bind(org.0)
    .fetch_optional(&mut *db)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let k = case_key(db, key, case_id).await?;
    let measures: String = r.try_get("measures")?;
    let finding: Option<String> = r.try_get("finding")?;
    Ok(Some(CaseRecord {
        id: case_id,
        org,
        number: r.try_get("number")?,
        kind: CaseKind::from_code(&r.try_get::<String, _>("kind")?).ok_or_else(|| bad("kind"))?,
        channel: Channel::from_code(&r.try_get::<String, _>("channel")?)
            .ok_or_else(|| bad("channel"))?,
        identity_mode: IdentityMode::from_code(&r.try_get::<String, _>("identity_mode")?)
            .ok_or_else(|| bad("identity_mode"))?,
        state: State::from_code(&r.try_get::<String, _>("state")?).ok_or_else(|| bad("state"))?,
        category: r.try_get("category")?,
        finding: finding.as_deref().and_then(Finding::from_code),
        measures: measures.split(',').filter_map(Measure::from_code).collect(),
        alternate: r.try_get::<i64, _>("alternate")? != 0,
        received_at: r.try_get("received_at")?,
        ack_due: r.try_get("ack_due")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        feedback_due: r.try_get("feedback_due")?,
        feedback_at: r.try_get("feedback_at")?,
        person_informed_at: r.try_get("person_informed_at")?,
        person_informed_delay: open_opt(
            &k,
            case_id,
            "person_informed_delay",
            r.try_get("person_informed_delay")?,
        )?,
        minutes_confirmed_at: r.try_get("minutes_confirmed_at")?,
        closed_at: r.try_get("closed_at")?,
        retention_until: r.try_get("retention_until")?,
        title: open(&k, case_id, "title", &r.try_get::<Vec<u8>, _>("title")?)?,
        body: open(&k, case_id, "body", &r.try_get::<Vec<u8>, _>("body")?)?,
        exit_reason: open_opt(&k, case_id, "exit_reason", r.try_get("exit_reason")?)?,
        created_by: r.try_get::<Option<i64>, _>("created_by")?.map(PersonId),
        version: r.try_get("version")?,
    }))
}

async fn summaries(
    db: &mut Db,
    key: &InstallationKey,
    rows: Vec<sqlx::any::AnyRow>,
) -> Result<Vec<CaseSummary>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let k = case_key(db, key, id).await?;
        let role: Option<String> = r.try_get("role")?;
        out.push(CaseSummary {
            id,
            number: r.try_get("number")?,
            kind: CaseKind::from_code(&r.try_get::<String, _>("kind")?)
                .ok_or_else(|| bad("kind"))?,
            state: State::from_code(&r.try_get::<String, _>("state")?)
                .ok_or_else(|| bad("state"))?,
            title: open(&k, id, "title", &r.try_get::<Vec<u8>, _>("title")?)?,
            received_at: r.try_get("received_at")?,
            ack_due: r.try_get("ack_due")?,
            acknowledged_at: r.try_get("acknowledged_at")?,
            feedback_due: r.try_get("feedback_due")?,
            feedback_at: r.try_get("feedback_at")?,
            role: role.as_deref().and_then(TeamRole::from_code),
        });
    }
    Ok(out)
}

/// The cases a person is on the team of (never one that names them).
pub async fn list_for(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    person: PersonId,
) -> Result<Vec<CaseSummary>> {
    let rows = sqlx::query(
        "SELECT c.id, c.number, c.kind, c.state, c.title, c.received_at, c.ack_due, c.acknowledged_at, \
         c.feedback_due, c.feedback_at, t.role FROM cases c JOIN case_team t ON t.case_id = c.id \
         WHERE c.org_id = $1 AND t.person_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM case_named n WHERE n.case_id = c.id AND n.tag = $3) \
         ORDER BY c.received_at DESC, c.id DESC",
    )
    .bind(org.0)
    .bind(person.0)
    .bind(named_tag(key, org, person))
    .fetch_all(&mut *db)
    .await?;
    summaries(db, key, rows).await
}

/// The reports a signed-in person filed under their own name.
pub async fn list_reported_by(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    person: PersonId,
) -> Result<Vec<CaseSummary>> {
    let rows = sqlx::query(
        "SELECT id, number, kind, state, title, received_at, ack_due, acknowledged_at, feedback_due, feedback_at, \
         NULL AS role FROM cases WHERE org_id = $1 AND reporter_tag = $2 ORDER BY received_at DESC, id DESC",
    )
    .bind(org.0)
    .bind(reporter_tag(key, org, person))
    .fetch_all(&mut *db)
    .await?;
    summaries(db, key, rows).await
}

/// Whether `person` filed this case under their own name while signed in.
pub async fn is_reporter(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
    person: PersonId,
) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE id = $1 AND org_id = $2 AND reporter_tag = $3",
    )
    .bind(case_id)
    .bind(org.0)
    .bind(reporter_tag(key, org, person))
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

async fn insert_entry(
    db: &mut Db,
    k: &CaseKey,
    case_id: i64,
    kind: EntryKind,
    author: Option<PersonId>,
    body: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO case_entries (case_id, kind, author_id, body, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id",
    )
    .bind(case_id)
    .bind(kind.code())
    .bind(author.map(|p| p.0))
    .bind(Vec::<u8>::new())
    .bind(now())
    .fetch_one(&mut *db)
    .await?;
    sqlx::query("UPDATE case_entries SET body = $1 WHERE id = $2")
        .bind(k.seal_str(case_id, &format!("entry:{id}"), body))
        .bind(id)
        .execute(&mut *db)
        .await?;
    Ok(id)
}

async fn insert_file(
    db: &mut Db,
    k: &CaseKey,
    case_id: i64,
    entry: Option<i64>,
    f: &NewFile,
    from_reporter: bool,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO case_files (case_id, entry_id, name, mime, size, content, from_reporter, created_at) \
         VALUES ($1,$2,$3,$4,$5,$3,$6,$7) RETURNING id",
    )
    .bind(case_id)
    .bind(entry)
    .bind(Vec::<u8>::new())
    .bind(&f.mime)
    .bind(f.content.len() as i64)
    .bind(i64::from(from_reporter))
    .bind(now())
    .fetch_one(&mut *db)
    .await?;
    sqlx::query("UPDATE case_files SET name = $1, content = $2 WHERE id = $3")
        .bind(k.seal_str(case_id, &format!("file-name:{id}"), &f.name))
        .bind(k.seal(case_id, &format!("file:{id}"), &f.content))
        .bind(id)
        .execute(&mut *db)
        .await?;
    Ok(id)
}

/// Adds a message, note or system line, with files.
pub async fn add_entry(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
    kind: EntryKind,
    author: Option<PersonId>,
    body: &str,
    files: &[NewFile],
) -> Result<i64> {
    let k = case_key(db, key, case_id).await?;
    let entry = insert_entry(db, &k, case_id, kind.clone(), author, body).await?;
    for f in files {
        insert_file(
            db,
            &k,
            case_id,
            Some(entry),
            f,
            kind == EntryKind::FromReporter,
        )
        .await?;
    }
    touch(db, case_id).await?;
    Ok(entry)
}

pub(crate) async fn touch(db: &mut Db, case_id: i64) -> Result<()> {
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(case_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The entries of a case, oldest first; `reporter_view` leaves out notes
/// and system lines and author names.
pub async fn entries(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
    reporter_view: bool,
) -> Result<Vec<Entry>> {
    let k = case_key(db, key, case_id).await?;
    let rows = sqlx::query(
        "SELECT e.id, e.kind, e.author_id, p.name AS author_name, e.body, e.created_at FROM case_entries e \
         LEFT JOIN people p ON p.id = e.author_id WHERE e.case_id = $1 ORDER BY e.id",
    )
    .bind(case_id)
    .fetch_all(&mut *db)
    .await?;
    let all_files = files(db, key, case_id).await?;
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let kind = EntryKind::from_code(&r.try_get::<String, _>("kind")?);
        if reporter_view && !kind.for_reporter() {
            continue;
        }
        out.push(Entry {
            id,
            kind,
            author_id: r.try_get::<Option<i64>, _>("author_id")?.map(PersonId),
            author_name: if reporter_view {
                None
            } else {
                r.try_get("author_name")?
            },
            body: open(
                &k,
                case_id,
                &format!("entry:{id}"),
                &r.try_get::<Vec<u8>, _>("body")?,
            )?,
            created_at: r.try_get("created_at")?,
            files: all_files
                .iter()
                .filter(|f| f.entry_id == Some(id))
                .cloned()
                .collect(),
        });
    }
    Ok(out)
}

/// The files of a case (names opened, contents not).
pub async fn files(db: &mut Db, key: &InstallationKey, case_id: i64) -> Result<Vec<FileMeta>> {
    let k = case_key(db, key, case_id).await?;
    let rows = sqlx::query("SELECT id, entry_id, name, mime, size, from_reporter FROM case_files WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&mut *db)
        .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(FileMeta {
                id,
                entry_id: r.try_get("entry_id")?,
                name: open(
                    &k,
                    case_id,
                    &format!("file-name:{id}"),
                    &r.try_get::<Vec<u8>, _>("name")?,
                )?,
                mime: r.try_get("mime")?,
                size: r.try_get("size")?,
                from_reporter: r.try_get::<i64, _>("from_reporter")? != 0,
            })
        })
        .collect()
}

/// One file's name, type and content, opened.
pub async fn file(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
    file_id: i64,
) -> Result<Option<(FileMeta, Vec<u8>)>> {
    let row = sqlx::query("SELECT id, entry_id, name, mime, size, content, from_reporter FROM case_files WHERE id = $1 AND case_id = $2")
        .bind(file_id)
        .bind(case_id)
        .fetch_optional(&mut *db)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let k = case_key(db, key, case_id).await?;
    let meta = FileMeta {
        id: file_id,
        entry_id: r.try_get("entry_id")?,
        name: open(
            &k,
            case_id,
            &format!("file-name:{file_id}"),
            &r.try_get::<Vec<u8>, _>("name")?,
        )?,
        mime: r.try_get("mime")?,
        size: r.try_get("size")?,
        from_reporter: r.try_get::<i64, _>("from_reporter")? != 0,
    };
    let content = k
        .open(
            case_id,
            &format!("file:{file_id}"),
            &r.try_get::<Vec<u8>, _>("content")?,
        )
        .map_err(|e| StoreError::Other(anyhow::anyhow!("case {case_id} file {file_id}: {e}")))?;
    Ok(Some((meta, content)))
}

/// Moves a case on (compare-and-set). The caller checked the transition.
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
    expected_version: i64,
    to: State,
    reason: Option<&str>,
    finding: Option<Finding>,
    measures: &[Measure],
    retention_years: i16,
) -> Result<()> {
    let k = case_key(db, key, case_id).await?;
    let t = now();
    let closing = to.is_final();
    let retention = closing.then(|| {
        local_date(ts(t))
            .checked_add(jiff::Span::new().years(retention_years))
            .map(|d| d.to_string())
            .unwrap_or_default()
    });
    let measure_codes = measures
        .iter()
        .map(|m| m.code())
        .collect::<Vec<_>>()
        .join(",");
    let done = sqlx::query(
        "UPDATE cases SET state = $1, \
         exit_reason = COALESCE($2, exit_reason), finding = COALESCE($3, finding), \
         measures = CASE WHEN $4 = '' THEN measures ELSE $4 END, \
         closed_at = CASE WHEN $5 = 1 THEN $6 ELSE closed_at END, \
         retention_until = COALESCE($7, retention_until), \
         updated_at = $6, version = version + 1 \
         WHERE id = $8 AND org_id = $9 AND version = $10",
    )
    .bind(to.code())
    .bind(
        reason
            .filter(|r| !r.trim().is_empty())
            .map(|r| k.seal_str(case_id, "exit_reason", r)),
    )
    .bind(finding.map(|f| f.code()))
    .bind(measure_codes)
    .bind(i64::from(closing))
    .bind(t)
    .bind(retention)
    .bind(case_id)
    .bind(org.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("case changed".into()));
    }
    Ok(())
}

/// Sets one of the case's clock or step fields (compare-and-set).
pub async fn mark(
    db: &mut Db,
    org: OrgId,
    case_id: i64,
    expected_version: i64,
    what: Mark,
) -> Result<()> {
    let t = now();
    let received: Option<i64> =
        sqlx::query_scalar("SELECT received_at FROM cases WHERE id = $1 AND org_id = $2")
            .bind(case_id)
            .bind(org.0)
            .fetch_optional(&mut *db)
            .await?;
    let received = received.ok_or(StoreError::NotFound)?;
    let done = match what {
        // The 3-month clock now runs from the acknowledgement, unless it
        // came after the 7 days (then it stays where it was).
        Mark::Acknowledged => sqlx::query(
            "UPDATE cases SET acknowledged_at = $1, feedback_due = $2, updated_at = $1, version = version + 1 \
             WHERE id = $3 AND org_id = $4 AND version = $5 AND acknowledged_at IS NULL",
        )
        .bind(t)
        .bind(feedback_due(ts(received), Some(ts(t))).to_string()),
        Mark::FeedbackGiven => sqlx::query(
            "UPDATE cases SET feedback_at = $1, updated_at = $1, version = version + 1 \
             WHERE id = $2 AND org_id = $3 AND version = $4 AND feedback_at IS NULL AND acknowledged_at IS NOT NULL",
        )
        .bind(t),
        // Not while a correction the reporter proposed waits for an answer.
        Mark::MinutesConfirmed => sqlx::query(
            "UPDATE cases SET minutes_confirmed_at = $1, updated_at = $1, version = version + 1 \
             WHERE id = $2 AND org_id = $3 AND version = $4 AND minutes_confirmed_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM case_minutes_corrections m \
             WHERE m.case_id = cases.id AND m.state = 'pending')",
        )
        .bind(t),
    }
    .bind(case_id)
    .bind(org.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("case changed".into()));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Acknowledged,
    FeedbackGiven,
    MinutesConfirmed,
}

/// Records that the person concerned was informed (on `at`), or why that
/// waits (Limburg 8: not when the investigation would suffer).
pub async fn person_informed(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
    expected_version: i64,
    at: Option<i64>,
    delay_reason: Option<&str>,
) -> Result<()> {
    let k = case_key(db, key, case_id).await?;
    let done = sqlx::query(
        "UPDATE cases SET person_informed_at = $1, person_informed_delay = $2, updated_at = $3, version = version + 1 \
         WHERE id = $4 AND org_id = $5 AND version = $6",
    )
    .bind(at)
    .bind(delay_reason.map(|r| k.seal_str(case_id, "person_informed_delay", r)))
    .bind(now())
    .bind(case_id)
    .bind(org.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("case changed".into()));
    }
    Ok(())
}

pub async fn set_category(
    db: &mut Db,
    org: OrgId,
    case_id: i64,
    expected_version: i64,
    category: Option<&str>,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE cases SET category = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND org_id = $4 AND version = $5",
    )
    .bind(category.map(str::to_string))
    .bind(now())
    .bind(case_id)
    .bind(org.0)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("case changed".into()));
    }
    Ok(())
}

pub async fn team(db: &mut Db, case_id: i64) -> Result<Vec<TeamMember>> {
    let rows = sqlx::query(
        "SELECT t.person_id, p.name, t.role FROM case_team t JOIN people p ON p.id = t.person_id \
         WHERE t.case_id = $1 ORDER BY t.added_at, p.name",
    )
    .bind(case_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TeamMember {
                person: PersonId(r.try_get("person_id")?),
                name: r.try_get("name")?,
                role: TeamRole::from_code(&r.try_get::<String, _>("role")?)
                    .ok_or_else(|| bad("team.role"))?,
            })
        })
        .collect()
}

/// Puts someone on the team (or changes their role). Refused for a person
/// the case names.
pub async fn set_team_member(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    case_id: i64,
    person: PersonId,
    role: TeamRole,
    by: PersonId,
) -> Result<()> {
    if relation(db, key, org, case_id, person).await? == Some(Relation::Named) {
        return Err(StoreError::Conflict("named person".into()));
    }
    sqlx::query("DELETE FROM case_team WHERE case_id = $1 AND person_id = $2")
        .bind(case_id)
        .bind(person.0)
        .execute(&mut *db)
        .await?;
    sqlx::query("INSERT INTO case_team (case_id, person_id, role, added_by, added_at) VALUES ($1,$2,$3,$4,$5)")
        .bind(case_id)
        .bind(person.0)
        .bind(role.code())
        .bind(by.0)
        .bind(now())
        .execute(&mut *db)
        .await?;
    touch(db, case_id).await
}

pub async fn remove_team_member(db: &mut Db, case_id: i64, person: PersonId) -> Result<()> {
    sqlx::query("DELETE FROM case_team WHERE case_id = $1 AND person_id = $2")
        .bind(case_id)
        .bind(person.0)
        .execute(&mut *db)
        .await?;
    touch(db, case_id).await
}

pub async fn add_task(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
    title: &str,
    due_on: &str,
    by: PersonId,
) -> Result<i64> {
    let k = case_key(db, key, case_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO case_tasks (case_id, title, due_on, created_by, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id",
    )
    .bind(case_id)
    .bind(k.seal_str(case_id, "task", title))
    .bind(due_on)
    .bind(by.0)
    .bind(now())
    .fetch_one(&mut *db)
    .await?;
    Ok(id)
}

pub async fn finish_task(db: &mut Db, case_id: i64, task_id: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE case_tasks SET done_at = $1 WHERE id = $2 AND case_id = $3 AND done_at IS NULL",
    )
    .bind(now())
    .bind(task_id)
    .bind(case_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn tasks(db: &mut Db, key: &InstallationKey, case_id: i64) -> Result<Vec<Task>> {
    let k = case_key(db, key, case_id).await?;
    let rows = sqlx::query("SELECT id, title, due_on, done_at FROM case_tasks WHERE case_id = $1 ORDER BY done_at IS NOT NULL, due_on, id")
        .bind(case_id)
        .fetch_all(&mut *db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Task {
                id: r.try_get("id")?,
                title: open(&k, case_id, "task", &r.try_get::<Vec<u8>, _>("title")?)?,
                due_on: r.try_get("due_on")?,
                done_at: r.try_get("done_at")?,
            })
        })
        .collect()
}

/// The reporter's identity, opened. The caller asked `authz` first
/// (`CaseIdentity` / `View` with [`identity_relation`]).
pub async fn identity(
    db: &mut Db,
    key: &InstallationKey,
    case_id: i64,
) -> Result<Option<Identity>> {
    let sealed: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT sealed FROM case_identities WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(&mut *db)
            .await?;
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let k = case_key(db, key, case_id).await?;
    let json = open(&k, case_id, "identity", &sealed)?;
    Ok(Some(
        serde_json::from_str(&json).map_err(anyhow::Error::from)?,
    ))
}

pub async fn has_identity(db: &mut Db, case_id: i64) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT case_id FROM case_identities WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// The case a receipt hash opens, if any.
pub async fn mailbox_case(db: &mut Db, org: OrgId, receipt_hash: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT case_id FROM case_mailboxes WHERE org_id = $1 AND receipt_hash = $2",
    )
    .bind(org.0)
    .bind(receipt_hash)
    .fetch_optional(db)
    .await?)
}

pub async fn open_mailbox_session(
    db: &mut Db,
    org: OrgId,
    case_id: i64,
    token_hash: &str,
    ttl_secs: i64,
) -> Result<()> {
    let t = now();
    sqlx::query("DELETE FROM case_mailbox_sessions WHERE expires_at < $1")
        .bind(t)
        .execute(&mut *db)
        .await?;
    sqlx::query("INSERT INTO case_mailbox_sessions (token_hash, case_id, org_id, expires_at) VALUES ($1,$2,$3,$4)")
        .bind(token_hash)
        .bind(case_id)
        .bind(org.0)
        .bind(t + ttl_secs)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn mailbox_session(db: &mut Db, org: OrgId, token_hash: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT case_id FROM case_mailbox_sessions WHERE token_hash = $1 AND org_id = $2 AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(org.0)
    .bind(now())
    .fetch_optional(db)
    .await?)
}

pub async fn close_mailbox_session(db: &mut Db, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM case_mailbox_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Who receives new reports (`intake`) and who handles reports about the
/// integrity office or the director (`alternate`).
pub async fn handlers(db: &mut Db, org: OrgId, kind: &str) -> Result<Vec<PersonId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM case_handlers WHERE org_id = $1 AND kind = $2 ORDER BY person_id",
    )
    .bind(org.0)
    .bind(kind)
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(PersonId).collect())
}

pub async fn set_handlers(db: &mut Db, org: OrgId, kind: &str, people: &[PersonId]) -> Result<()> {
    sqlx::query("DELETE FROM case_handlers WHERE org_id = $1 AND kind = $2")
        .bind(org.0)
        .bind(kind)
        .execute(&mut *db)
        .await?;
    for p in people {
        sqlx::query("INSERT INTO case_handlers (org_id, person_id, kind) VALUES ($1,$2,$3)")
            .bind(org.0)
            .bind(p.0)
            .bind(kind)
            .execute(&mut *db)
            .await?;
    }
    Ok(())
}

/// A case whose retention ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub id: i64,
    pub org: OrgId,
    pub number: String,
    pub retention_until: String,
}

/// Cases whose retention period ended before `today`.
pub async fn expired(db: &mut Db, today: jiff::civil::Date) -> Result<Vec<Expired>> {
    let rows = sqlx::query(
        "SELECT id, org_id, number, retention_until FROM cases \
         WHERE retention_until IS NOT NULL AND retention_until <> '' AND retention_until < $1 ORDER BY id",
    )
    .bind(today.to_string())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Expired {
                id: r.try_get("id")?,
                org: OrgId(r.try_get("org_id")?),
                number: r.try_get("number")?,
                retention_until: r.try_get("retention_until")?,
            })
        })
        .collect()
}

/// Crypto-shredding: destroys the case key first (after which nothing of
/// the case can be read, also not from a backup), then deletes the rows.
pub async fn shred(db: &mut Db, case_id: i64) -> Result<()> {
    for table in [
        "case_reminders",
        "case_keys",
        "case_identities",
        "case_mailboxes",
        "case_mailbox_sessions",
        "case_files",
        "case_entries",
        "case_team",
        "case_named",
        "case_tasks",
        "case_identity_requests",
        "case_minutes_corrections",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE case_id = $1"
        )))
        .bind(case_id)
        .execute(&mut *db)
        .await?;
    }
    sqlx::query("DELETE FROM cases WHERE id = $1")
        .bind(case_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Re-wraps every case key from `old` to `new` (key rotation); returns how
/// many keys were re-wrapped. Run in one transaction: all or nothing.
pub async fn rewrap_all(
    db: &mut Db,
    old: &InstallationKey,
    new: &InstallationKey,
) -> Result<usize> {
    let rows = sqlx::query("SELECT case_id, key_version, wrapped FROM case_keys ORDER BY case_id")
        .fetch_all(&mut *db)
        .await?;
    let mut n = 0;
    for r in rows {
        let id: i64 = r.try_get("case_id")?;
        let version: String = r.try_get("key_version")?;
        if version == new.version() {
            continue;
        }
        let wrapped: Vec<u8> = r.try_get("wrapped")?;
        let k = old
            .unwrap(id, &version, &wrapped)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("case {id}: {e}")))?;
        sqlx::query("UPDATE case_keys SET key_version = $1, wrapped = $2 WHERE case_id = $3")
            .bind(new.version())
            .bind(new.wrap(id, &k))
            .bind(id)
            .execute(&mut *db)
            .await?;
        n += 1;
    }
    Ok(n)
}

/// Open cases of the organisation with their clocks, for reminders and the
/// office's deadline list (no content).
#[derive(Debug, Clone)]
pub struct ClockRow {
    pub id: i64,
    pub org: OrgId,
    pub number: String,
    pub ack_due: String,
    pub acknowledged_at: Option<i64>,
    pub feedback_due: Option<String>,
    pub feedback_at: Option<i64>,
}

pub async fn open_clocks(db: &mut Db) -> Result<Vec<ClockRow>> {
    let rows = sqlx::query(
        "SELECT id, org_id, number, ack_due, acknowledged_at, feedback_due, feedback_at FROM cases \
         WHERE (acknowledged_at IS NULL OR feedback_at IS NULL) \
         AND state NOT IN ('closed', 'not_pursued', 'referred') ORDER BY id",
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ClockRow {
                id: r.try_get("id")?,
                org: OrgId(r.try_get("org_id")?),
                number: r.try_get("number")?,
                ack_due: r.try_get("ack_due")?,
                acknowledged_at: r.try_get("acknowledged_at")?,
                feedback_due: r.try_get("feedback_due")?,
                feedback_at: r.try_get("feedback_at")?,
            })
        })
        .collect()
}

/// The owner (or else every member) of a case: who gets reminders.
pub async fn owners(db: &mut Db, case_id: i64) -> Result<Vec<PersonId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM case_team WHERE case_id = $1 AND role IN ('owner') \
         UNION SELECT person_id FROM case_team WHERE case_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM case_team WHERE case_id = $1 AND role = 'owner')",
    )
    .bind(case_id)
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(PersonId).collect())
}

/// One reminder sent about a case's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub case_id: i64,
    pub number: String,
    /// `acknowledgement` or `feedback`.
    pub clock: &'static str,
    /// `due_soon` or `overdue`.
    pub stage: &'static str,
    pub to: Vec<PersonId>,
}

/// Sends (as in-app notifications, which the mailer turns into e-mail)
/// the reminders that are due on `today`: to the case's owner when a clock
/// is two days (acknowledgement) or seven days (feedback) from its end,
/// and when it has run out to the whole case team (escalation). Each
/// (case, clock, stage) once; the insert is the lock, so several instances
/// may run this.
pub async fn send_reminders(db: &mut Db, today: jiff::civil::Date) -> Result<Vec<Reminder>> {
    let mut sent = Vec::new();
    for row in open_clocks(&mut *db).await? {
        let ack = Clock::compute(row.ack_due.parse().ok(), row.acknowledged_at.map(ts), today);
        let feedback = Clock::compute(
            row.feedback_due.as_deref().and_then(|d| d.parse().ok()),
            row.feedback_at.map(ts),
            today,
        );
        for (clock, c, soon) in [("acknowledgement", ack, 2), ("feedback", feedback, 7)] {
            let stage = if c.is_overdue() {
                "overdue"
            } else if c.due_within(soon) {
                "due_soon"
            } else {
                continue;
            };
            let claimed = sqlx::query(
                "INSERT INTO case_reminders (case_id, clock, stage, sent_at) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
            )
            .bind(row.id)
            .bind(clock)
            .bind(stage)
            .bind(now())
            .execute(&mut *db)
            .await?;
            if claimed.rows_affected() != 1 {
                continue;
            }
            // Due soon: the owner. Run out: the whole team (escalation).
            // Named people are never on a team, so never told.
            let mut to = if stage == "overdue" {
                team(&mut *db, row.id)
                    .await?
                    .into_iter()
                    .map(|m| m.person)
                    .collect()
            } else {
                owners(&mut *db, row.id).await?
            };
            to.sort_by_key(|p| p.0);
            to.dedup();
            for p in &to {
                crate::declarations::notify(&mut *db, row.org, *p, "case.deadline", None).await?;
            }
            crate::audit::append(
                &mut *db,
                &crate::audit::event(
                    Some(row.org.0),
                    "system",
                    integer_domain::audit::Credential::System,
                    "case.reminder",
                    "case",
                    row.id,
                    serde_json::json!({"clock": clock, "stage": stage, "to": to.iter().map(|p| p.0).collect::<Vec<_>>()}),
                ),
            )
            .await?;
            sent.push(Reminder {
                case_id: row.id,
                number: row.number.clone(),
                clock,
                stage,
                to,
            });
        }
    }
    Ok(sent)
}

/// Fills an organisation with `n` fictitious cases spread over the five
/// years before `now` (for benchmarks and demos): varied kinds, channels,
/// categories, steps, findings, measures and clocks, sealed like real ones.
/// Their receipt codes are random and never shown, so their mailboxes
/// cannot be opened. `handlers` are put on the teams (round robin).
pub async fn seed_synthetic(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    n: usize,
    now: i64,
    handlers: &[PersonId],
    progress: &(dyn Fn(usize) + Sync),
) -> Result<usize> {
    use integer_domain::case::{Category, Measure};
    // A small deterministic generator: the same data every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ (org.0 as u64);
    let mut next = move |m: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % m.max(1)
    };
    let span = 5 * 365 * 86_400u64;
    let mut counters: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for i in 0..n {
        let received_at = now - next(span) as i64;
        let received = ts(received_at);
        let year = local_date(received).year() as i64;
        let kind = if next(10) == 0 {
            CaseKind::Complaint
        } else {
            CaseKind::Report
        };
        let channel = Channel::ALL[next(Channel::ALL.len() as u64) as usize];
        let identity = IdentityMode::ALL[next(3) as usize];
        let category = Category::ALL[next(Category::ALL.len() as u64) as usize];
        let old = now - received_at > 120 * 86_400;
        let state_pick = if old { next(10) } else { next(4) };
        let st = match state_pick {
            0 => State::Received,
            1 => State::Intake,
            2 => State::NotPursued,
            3 => State::Referred,
            4 => State::Closed,
            5 => State::Aftercare,
            6 => State::Measures,
            _ => State::Closed,
        };
        let decided =
            matches!(st, State::Closed | State::Aftercare | State::Measures) && next(3) != 0;
        let finding = decided.then(|| Finding::ALL[next(3) as usize]);
        let measures: Vec<&str> = if finding.is_some_and(|f| f != Finding::NotProven) {
            (0..1 + next(2))
                .map(|_| Measure::ALL[next(Measure::ALL.len() as u64) as usize].code())
                .collect()
        } else {
            Vec::new()
        };
        // Most acknowledged within 7 days, some late, some not yet.
        let ack_delay = match next(20) {
            0 => None,
            1 | 2 => Some(8 + next(10) as i64),
            _ => Some(next(7) as i64),
        };
        let acknowledged_at = ack_delay
            .map(|d| received_at + d * 86_400)
            .filter(|t| *t <= now && st != State::Received);
        let feedback_due_date = feedback_due(received, acknowledged_at.map(ts)).to_string();
        let feedback_at = acknowledged_at
            .map(|a| a + (30 + next(80) as i64) * 86_400)
            .filter(|t| *t <= now && old);
        let closed_at = st.is_final().then(|| (received_at + 100 * 86_400).min(now));
        let last = counters.entry(year).or_insert(0);
        *last += 1;
        let number = format!("{year}-{:04}", *last);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (org_id, number, kind, channel, identity_mode, state, category, finding, measures, \
             alternate, received_at, ack_due, acknowledged_at, feedback_due, feedback_at, closed_at, \
             title, body, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,0,$10,$11,$12,$13,$14,$15,$16,$16,$10) RETURNING id",
        )
        .bind(org.0)
        .bind(&number)
        .bind(kind.code())
        .bind(channel.code())
        .bind(identity.code())
        .bind(st.code())
        .bind(category.code())
        .bind(finding.map(|f| f.code()))
        .bind(measures.join(","))
        .bind(received_at)
        .bind(acknowledgement_due(received).to_string())
        .bind(acknowledged_at)
        .bind(feedback_due_date)
        .bind(feedback_at)
        .bind(closed_at)
        .bind(Vec::<u8>::new())
        .fetch_one(&mut *db)
        .await?;
        let k = CaseKey::generate();
        sqlx::query("INSERT INTO case_keys (case_id, key_version, wrapped) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(key.version())
            .bind(key.wrap(id, &k))
            .execute(&mut *db)
            .await?;
        sqlx::query("UPDATE cases SET title = $1, body = $2 WHERE id = $3")
            .bind(k.seal_str(id, "title", &format!("Melding {number}")))
            .bind(k.seal_str(
                id,
                "body",
                "Fictieve melding voor een proef; geen echte gegevens.",
            ))
            .bind(id)
            .execute(&mut *db)
            .await?;
        sqlx::query("INSERT INTO case_mailboxes (case_id, org_id, receipt_hash, created_at) VALUES ($1,$2,$3,$4)")
            .bind(id)
            .bind(org.0)
            .bind(crate::random_token())
            .bind(received_at)
            .execute(&mut *db)
            .await?;
        if !handlers.is_empty() {
            sqlx::query("INSERT INTO case_team (case_id, person_id, role, added_by, added_at) VALUES ($1,$2,'owner',NULL,$3)")
                .bind(id)
                .bind(handlers[i % handlers.len()].0)
                .bind(received_at)
                .execute(&mut *db)
                .await?;
        }
        if i % 500 == 0 {
            progress(i);
        }
    }
    for (year, last) in counters {
        sqlx::query(
            "INSERT INTO case_numbers (org_id, year, last) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, year) DO UPDATE SET last = excluded.last",
        )
        .bind(org.0)
        .bind(year)
        .bind(last)
        .execute(&mut *db)
        .await?;
    }
    progress(n);
    Ok(n)
}

/// The reporting point's settings of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Acknowledge receipt at once with the standard message.
    pub auto_acknowledge: bool,
    /// Years a case is kept after it ended, then shredded.
    pub retention_years: i16,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_acknowledge: false,
            retention_years: 5,
        }
    }
}

pub async fn settings(db: &mut Db, org: OrgId) -> Result<Settings> {
    let row = sqlx::query(
        "SELECT auto_acknowledge, retention_years FROM case_settings WHERE org_id = $1",
    )
    .bind(org.0)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some(r) => Settings {
            auto_acknowledge: r.try_get::<i64, _>("auto_acknowledge")? != 0,
            retention_years: r.try_get::<i64, _>("retention_years")?.clamp(1, 100) as i16,
        },
        None => Settings::default(),
    })
}

pub async fn set_settings(db: &mut Db, org: OrgId, s: Settings) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_settings (org_id, auto_acknowledge, retention_years, updated_at) VALUES ($1,$2,$3,$4) \
         ON CONFLICT (org_id) DO UPDATE SET auto_acknowledge = excluded.auto_acknowledge, \
         retention_years = excluded.retention_years, updated_at = excluded.updated_at",
    )
    .bind(org.0)
    .bind(i64::from(s.auto_acknowledge))
    .bind(i64::from(s.retention_years))
    .bind(now())
    .execute(db)
    .await?;
    Ok(())
}

/// Open cases whose whistleblower-act clocks ran out, counted per
/// organisation (for monitoring: counts only, no case data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueClocks {
    pub org_slug: String,
    /// Receipt not acknowledged within 7 days.
    pub acknowledgement: i64,
    /// No information on the follow-up within 3 months.
    pub feedback: i64,
}

pub async fn overdue_clock_counts(
    db: &mut Db,
    today: jiff::civil::Date,
) -> Result<Vec<OverdueClocks>> {
    let today = today.to_string();
    let rows = sqlx::query(
        "SELECT o.slug AS slug, \
           CAST(SUM(CASE WHEN c.acknowledged_at IS NULL AND c.ack_due < $1 THEN 1 ELSE 0 END) AS BIGINT) AS ack, \
           CAST(SUM(CASE WHEN c.feedback_at IS NULL AND c.feedback_due IS NOT NULL \
                          AND c.feedback_due < $1 THEN 1 ELSE 0 END) AS BIGINT) AS feedback \
         FROM organisations o LEFT JOIN cases c ON c.org_id = o.id \
           AND c.state NOT IN ('closed', 'not_pursued', 'referred') \
         GROUP BY o.slug ORDER BY o.slug",
    )
    .bind(today)
    .fetch_all(&mut *db)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(OverdueClocks {
                org_slug: r.try_get("slug")?,
                acknowledgement: r.try_get::<Option<i64>, _>("ack")?.unwrap_or(0),
                feedback: r.try_get::<Option<i64>, _>("feedback")?.unwrap_or(0),
            })
        })
        .collect()
}
