//! The e-mail outbox: in-app notifications (the `notifications` table) that
//! still have to be mailed. The database is the queue, so any number of
//! server instances can send and nothing is lost when one stops.
//!
//! A notification waits while `mailed_at` and `mail_gave_up_at` are both
//! empty. An instance claims a batch by setting `mail_claimed_until` (a
//! lease) with compare-and-set, so two instances never hold the same one;
//! the lease value is the claim's token when it reports back. A failure
//! sets `mail_claimed_until` to the time of the next try (back-off) and
//! keeps the error; after the last attempt, or a permanent error, the
//! notification is given up with its error kept. Delivery is at least
//! once: an instance that stops between sending and reporting leaves the
//! lease to expire, and the mail goes again.
//!
//! The outbox works across organisations on purpose (it is the server's
//! job, not a person's request). What it returns is only what a mail may
//! say: the recipient's address, the organisation's name, the kind of
//! event and the declaration's id for the link. Never a declaration's
//! content.

use crate::{Db, Result};
use integer_domain::org::{OrgId, PersonId};
use sqlx::Row;

/// How the outbox claims, retries and gives up. Times in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRules {
    /// Notifications per claim.
    pub batch: i64,
    /// How long a claim holds; longer than sending a batch can take.
    pub lease_secs: i64,
    /// Attempts before giving up (the first send counts).
    pub max_attempts: i64,
    /// Wait after the first failure; it doubles with every further one.
    pub first_retry_secs: i64,
    pub max_retry_secs: i64,
    /// Notifications older than this are not mailed any more (e-mail was
    /// off, or the server was down): a mail about a long-past event
    /// confuses more than it helps; the notification stays in the app.
    pub max_age_secs: i64,
}

impl Default for OutboxRules {
    fn default() -> Self {
        OutboxRules {
            batch: 20,
            lease_secs: 300,
            max_attempts: 8,
            first_retry_secs: 60,
            max_retry_secs: 3600,
            max_age_secs: 72 * 3600,
        }
    }
}

impl OutboxRules {
    /// The wait after the `attempt`-th failed attempt (1-based).
    pub fn backoff(&self, attempt: i64) -> i64 {
        let doublings = u32::try_from((attempt - 1).clamp(0, 30)).unwrap_or(30);
        self.first_retry_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_retry_secs)
    }
}

/// A claimed notification: what is needed to write its mail, and nothing
/// more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMail {
    pub id: i64,
    pub org: OrgId,
    pub org_name: String,
    pub person: PersonId,
    /// The recipient's address as stored with the person.
    pub email: String,
    /// The notification kind, e.g. `declaration.to_decide`.
    pub kind: String,
    pub declaration: Option<i64>,
    /// This attempt's number (1 for the first).
    pub attempt: i64,
    /// The claim's lease; it identifies the claim when reporting back.
    pub lease: i64,
}

impl PendingMail {
    /// The page the mail links to (a path under the server's base URL).
    pub fn link_path(&self) -> String {
        match self.declaration {
            Some(id) => format!("/verklaringen/{id}"),
            None if self.kind.starts_with("case.") => "/zaken".to_string(),
            None => "/".to_string(),
        }
    }
}

/// Where a notification's mail stands (for operators and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailState {
    pub mailed_at: Option<i64>,
    pub attempts: i64,
    pub error: Option<String>,
    pub claimed_until: Option<i64>,
    pub gave_up_at: Option<i64>,
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Tried again after this time (Unix seconds).
    RetryAfter(i64),
    /// No more attempts; the error is kept.
    GaveUp,
    /// The claim had expired and another instance may hold it now; nothing
    /// was recorded.
    ClaimLost,
}

/// Errors are kept for operators; long server answers are cut.
const MAX_ERROR_CHARS: usize = 500;

const PENDING: &str = "mailed_at IS NULL AND mail_gave_up_at IS NULL";

/// Gives up the pending notifications created before `created_before`, so
/// that they are never mailed; returns how many.
pub async fn expire(db: &mut Db, created_before: i64, now: i64) -> Result<u64> {
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE notifications SET mail_gave_up_at = $1, mail_claimed_until = NULL, \
         mail_error = 'not mailed: too old when e-mail could be sent' \
         WHERE {PENDING} AND at < $2"
    )))
    .bind(now)
    .bind(created_before)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Claims up to `rules.batch` pending notifications, oldest first, for
/// `rules.lease_secs`. Compare-and-set: a row is claimed only if it is
/// still pending and nobody's claim holds it, checked again in the UPDATE
/// itself, so concurrent instances get disjoint batches. Each claim counts
/// as an attempt, so a mail that makes the sender crash is not retried for
/// ever. Notifications older than `rules.max_age_secs` are given up first.
pub async fn claim(db: &mut Db, rules: &OutboxRules, now: i64) -> Result<Vec<PendingMail>> {
    expire(&mut *db, now - rules.max_age_secs, now).await?;
    let lease = now + rules.lease_secs;
    let free = "(mail_claimed_until IS NULL OR mail_claimed_until < $2)";
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE notifications SET mail_claimed_until = $1, mail_attempts = mail_attempts + 1 \
         WHERE id IN (SELECT id FROM notifications WHERE {PENDING} AND {free} \
                      ORDER BY at, id LIMIT $3) \
           AND {PENDING} AND {free} \
         RETURNING id, org_id, person_id, kind, declaration_id, mail_attempts, \
           (SELECT p.email FROM people p WHERE p.id = notifications.person_id) AS email, \
           (SELECT o.name FROM organisations o WHERE o.id = notifications.org_id) AS org_name"
    )))
    .bind(lease)
    .bind(now)
    .bind(rules.batch)
    .fetch_all(db)
    .await?;
    let mut claimed = rows
        .iter()
        .map(|r| {
            Ok(PendingMail {
                id: r.try_get("id")?,
                org: OrgId(r.try_get("org_id")?),
                org_name: r.try_get("org_name")?,
                person: PersonId(r.try_get("person_id")?),
                email: r.try_get("email")?,
                kind: r.try_get("kind")?,
                declaration: r.try_get("declaration_id")?,
                attempt: r.try_get("mail_attempts")?,
                lease,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// Records that the mail was handed to the SMTP server. Returns `false`
/// when the claim had been lost (it expired and another instance took it).
pub async fn mark_sent(db: &mut Db, mail: &PendingMail, now: i64) -> Result<bool> {
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE notifications SET mailed_at = $1, mail_claimed_until = NULL \
         WHERE id = $2 AND mail_claimed_until = $3 AND {PENDING}"
    )))
    .bind(now)
    .bind(mail.id)
    .bind(mail.lease)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: try again later with back-off, or give up
/// after the last attempt or on a `permanent` error (e.g. the server
/// refused the address).
pub async fn record_failure(
    db: &mut Db,
    mail: &PendingMail,
    error: &str,
    permanent: bool,
    rules: &OutboxRules,
    now: i64,
) -> Result<AfterFailure> {
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let (query, outcome) = if permanent || mail.attempt >= rules.max_attempts {
        let query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE notifications SET mail_gave_up_at = $1, mail_claimed_until = NULL, mail_error = $2 \
             WHERE id = $3 AND mail_claimed_until = $4 AND {PENDING}"
        )))
        .bind(now);
        (query, AfterFailure::GaveUp)
    } else {
        let retry = now + rules.backoff(mail.attempt);
        // The next try's time takes the lease's place: nobody claims it
        // before then.
        let query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE notifications SET mail_claimed_until = $1, mail_error = $2 \
             WHERE id = $3 AND mail_claimed_until = $4 AND {PENDING}"
        )))
        .bind(retry);
        (query, AfterFailure::RetryAfter(retry))
    };
    let done = query
        .bind(error)
        .bind(mail.id)
        .bind(mail.lease)
        .execute(db)
        .await?;
    Ok(if done.rows_affected() == 1 {
        outcome
    } else {
        AfterFailure::ClaimLost
    })
}

/// The mail state of one notification.
pub async fn state(db: &mut Db, notification: i64) -> Result<MailState> {
    let r = sqlx::query(
        "SELECT mailed_at, mail_attempts, mail_error, mail_claimed_until, mail_gave_up_at \
         FROM notifications WHERE id = $1",
    )
    .bind(notification)
    .fetch_one(db)
    .await?;
    Ok(MailState {
        mailed_at: r.try_get("mailed_at")?,
        attempts: r.try_get("mail_attempts")?,
        error: r.try_get("mail_error")?,
        claimed_until: r.try_get("mail_claimed_until")?,
        gave_up_at: r.try_get("mail_gave_up_at")?,
    })
}

/// How many notifications wait for mail, were mailed, and were given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    pub pending: i64,
    pub mailed: i64,
    pub gave_up: i64,
}

pub async fn counts(db: &mut Db) -> Result<OutboxCounts> {
    let r = sqlx::query(
        "SELECT \
           COALESCE(SUM(CASE WHEN mailed_at IS NULL AND mail_gave_up_at IS NULL THEN 1 ELSE 0 END), 0) AS pending, \
           COALESCE(SUM(CASE WHEN mailed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS mailed, \
           COALESCE(SUM(CASE WHEN mail_gave_up_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS gave_up \
         FROM notifications",
    )
    .fetch_one(db)
    .await?;
    Ok(OutboxCounts {
        pending: r.try_get("pending")?,
        mailed: r.try_get("mailed")?,
        gave_up: r.try_get("gave_up")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_limit() {
        let rules = OutboxRules::default();
        assert_eq!(rules.backoff(1), 60);
        assert_eq!(rules.backoff(2), 120);
        assert_eq!(rules.backoff(3), 240);
        assert_eq!(rules.backoff(7), 3600);
        assert_eq!(rules.backoff(100), 3600);
        assert_eq!(rules.backoff(0), 60);
    }
}
