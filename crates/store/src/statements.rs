//! The statements an installation and its organisations publish: the
//! accessibility statement (*toegankelijkheidsverklaring*, one per
//! installation) and the privacy statement of each organisation (GDPR
//! art. 13), shown on the public report form and the reporter's mailbox.
//!
//! No row means the defaults (the pages say what they are). Saves are
//! compare-and-set on `version` (0: no row yet) and append their audit row
//! in the caller's transaction. Values arrive validated (the page checks
//! them); the database checks the status once more.

use crate::{Db, Result, StoreError, audit, now};
use integer_domain::audit::Credential;
use integer_domain::org::OrgId;
use sqlx::Row;

/// Who saves, for the audit row and `updated_by`.
#[derive(Debug, Clone)]
pub struct By {
    /// The organisation of the person saving (the audit row's).
    pub org: OrgId,
    /// `person:ID`, never a name.
    pub actor: String,
    pub credential: Credential,
}

// --- Accessibility statement ----------------------------------------------

/// The statuses of the Dutch model statement (A to D).
pub const ACCESSIBILITY_STATUSES: [&str; 4] = [
    "compliant",
    "partially_compliant",
    "first_measures",
    "not_compliant",
];

/// The installation's accessibility statement as entered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Accessibility {
    /// One of [`ACCESSIBILITY_STATUSES`].
    pub status: String,
    /// Who is responsible for the installation (may be empty).
    pub organisation: String,
    pub contact_email: Option<String>,
    pub contact_url: Option<String>,
    /// `YYYY-MM-DD`
    pub evaluated_on: Option<String>,
    /// How it was evaluated; `None`: the standard method.
    pub method: Option<String>,
    pub limitations: Option<String>,
}

/// The statement in force, when one was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccessibility {
    pub statement: Accessibility,
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// The saved statement; `None`: never saved (the page shows the default).
pub async fn accessibility(db: &mut Db) -> Result<Option<StoredAccessibility>> {
    let row = sqlx::query(
        "SELECT status, organisation, contact_email, contact_url, evaluated_on, method, \
         limitations, version, updated_at, updated_by FROM accessibility_statement WHERE id = 1",
    )
    .fetch_optional(db)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    Ok(Some(StoredAccessibility {
        statement: Accessibility {
            status: r.try_get("status")?,
            organisation: r.try_get("organisation")?,
            contact_email: r.try_get("contact_email")?,
            contact_url: r.try_get("contact_url")?,
            evaluated_on: r.try_get("evaluated_on")?,
            method: r.try_get("method")?,
            limitations: r.try_get("limitations")?,
        },
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
        updated_by: r.try_get("updated_by")?,
    }))
}

/// Saves the statement on top of version `expected` (0: none yet); a
/// statement changed in the meantime is a [`StoreError::Conflict`].
pub async fn set_accessibility(
    db: &mut Db,
    by: &By,
    expected: i64,
    s: &Accessibility,
) -> Result<()> {
    if !ACCESSIBILITY_STATUSES.contains(&s.status.as_str()) {
        return Err(StoreError::Other(anyhow::anyhow!(
            "unknown accessibility status"
        )));
    }
    let done = if expected == 0 {
        sqlx::query(
            "INSERT INTO accessibility_statement (id, status, organisation, contact_email, \
             contact_url, evaluated_on, method, limitations, version, updated_at, updated_by) \
             VALUES (1, $1, $2, $3, $4, $5, $6, $7, 1, $8, $9) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&s.status)
        .bind(&s.organisation)
        .bind(s.contact_email.clone())
        .bind(s.contact_url.clone())
        .bind(s.evaluated_on.clone())
        .bind(s.method.clone())
        .bind(s.limitations.clone())
        .bind(now())
        .bind(&by.actor)
        .execute(&mut *db)
        .await?
    } else {
        sqlx::query(
            "UPDATE accessibility_statement SET status = $1, organisation = $2, \
             contact_email = $3, contact_url = $4, evaluated_on = $5, method = $6, \
             limitations = $7, version = version + 1, updated_at = $8, updated_by = $9 \
             WHERE id = 1 AND version = $10",
        )
        .bind(&s.status)
        .bind(&s.organisation)
        .bind(s.contact_email.clone())
        .bind(s.contact_url.clone())
        .bind(s.evaluated_on.clone())
        .bind(s.method.clone())
        .bind(s.limitations.clone())
        .bind(now())
        .bind(&by.actor)
        .bind(expected)
        .execute(&mut *db)
        .await?
    };
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(
            "accessibility statement changed".into(),
        ));
    }
    audit::append(
        db,
        &audit::event(
            Some(by.org.0),
            by.actor.clone(),
            by.credential,
            "accessibility_statement.changed",
            "accessibility_statement",
            1,
            serde_json::json!({
                "status": s.status,
                "contact_email": s.contact_email.is_some(),
                "contact_url": s.contact_url.is_some(),
                "evaluated_on": s.evaluated_on,
                "version": expected + 1,
            }),
        ),
    )
    .await?;
    Ok(())
}

// --- Privacy statement ------------------------------------------------------

/// An organisation's privacy statement: a link to its own, a text, or both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Privacy {
    pub url: Option<String>,
    pub text: Option<String>,
}

impl Privacy {
    /// Nothing set: the pages show the default text.
    pub fn is_empty(&self) -> bool {
        self.url.is_none() && self.text.is_none()
    }
}

/// The statement in force and its version (0: never saved).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredPrivacy {
    pub statement: Privacy,
    pub version: i64,
}

pub async fn privacy(db: &mut Db, org: OrgId) -> Result<StoredPrivacy> {
    let row = sqlx::query("SELECT url, text, version FROM privacy_statement WHERE org_id = $1")
        .bind(org.0)
        .fetch_optional(db)
        .await?;
    let Some(r) = row else {
        return Ok(StoredPrivacy::default());
    };
    Ok(StoredPrivacy {
        statement: Privacy {
            url: r.try_get("url")?,
            text: r.try_get("text")?,
        },
        version: r.try_get("version")?,
    })
}

/// Saves the organisation's statement on top of version `expected` (0: none
/// yet); both empty brings back the default text.
pub async fn set_privacy(db: &mut Db, by: &By, expected: i64, s: &Privacy) -> Result<()> {
    let org = by.org;
    let done = if expected == 0 {
        sqlx::query(
            "INSERT INTO privacy_statement (org_id, url, text, version, updated_at, updated_by) \
             VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org.0)
        .bind(s.url.clone())
        .bind(s.text.clone())
        .bind(now())
        .bind(&by.actor)
        .execute(&mut *db)
        .await?
    } else {
        sqlx::query(
            "UPDATE privacy_statement SET url = $1, text = $2, version = version + 1, \
             updated_at = $3, updated_by = $4 WHERE org_id = $5 AND version = $6",
        )
        .bind(s.url.clone())
        .bind(s.text.clone())
        .bind(now())
        .bind(&by.actor)
        .bind(org.0)
        .bind(expected)
        .execute(&mut *db)
        .await?
    };
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("privacy statement changed".into()));
    }
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            by.actor.clone(),
            by.credential,
            "privacy_statement.changed",
            "privacy_statement",
            org.0,
            serde_json::json!({
                "url": s.url,
                "text_chars": s.text.as_ref().map(|t| t.chars().count()),
                "version": expected + 1,
            }),
        ),
    )
    .await?;
    Ok(())
}
