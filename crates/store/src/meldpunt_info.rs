//! What an organisation tells its reporters, where it differs from its
//! preset's defaults (`integer_domain::meldpunt_texts`): per topic a Dutch
//! and an English text and, optionally, their source. No row means the
//! defaults. Saves replace all of the organisation's texts at once,
//! compare-and-set on `version` (0: never saved), and append their audit
//! row in the caller's transaction. Values arrive checked
//! (`meldpunt_texts::check_override`).

use crate::statements::By;
use crate::{Db, Result, StoreError, audit, now};
use integer_domain::meldpunt_texts::{InfoTopic, Override};
use integer_domain::org::OrgId;
use sqlx::Row;

/// The organisation's own texts, and the version to save on top of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    pub texts: Vec<(InfoTopic, Override)>,
    /// 0 when never saved.
    pub version: i64,
}

impl Stored {
    pub fn get(&self, topic: InfoTopic) -> Option<&Override> {
        self.texts.iter().find(|(t, _)| *t == topic).map(|(_, o)| o)
    }
}

pub async fn get(db: &mut Db, org: OrgId) -> Result<Stored> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT version FROM meldpunt_info WHERE org_id = $1")
            .bind(org.0)
            .fetch_optional(&mut *db)
            .await?;
    let rows = sqlx::query(
        "SELECT topic, text_nl, text_en, source FROM meldpunt_info_texts WHERE org_id = $1",
    )
    .bind(org.0)
    .fetch_all(&mut *db)
    .await?;
    let mut texts = Vec::new();
    for r in rows {
        // A topic this version does not know (from a newer one) is left out.
        let Some(topic) = InfoTopic::from_code(&r.try_get::<String, _>("topic")?) else {
            continue;
        };
        texts.push((
            topic,
            Override {
                nl: r.try_get("text_nl")?,
                en: r.try_get("text_en")?,
                source: r.try_get("source")?,
            },
        ));
    }
    texts.sort_by_key(|(t, _)| InfoTopic::ALL.iter().position(|x| x == t));
    Ok(Stored {
        texts,
        version: version.unwrap_or(0),
    })
}

/// Replaces the organisation's texts on top of version `expected`; a save
/// in the meantime is a [`StoreError::Conflict`]. Audited as
/// `meldpunt.info_set` with the topics that have the organisation's own
/// text (the texts themselves are public and stay out of the trail).
pub async fn set(
    db: &mut Db,
    by: &By,
    expected: i64,
    texts: &[(InfoTopic, Override)],
) -> Result<()> {
    let org = by.org;
    let t = now();
    let done = if expected == 0 {
        sqlx::query(
            "INSERT INTO meldpunt_info (org_id, version, updated_at, updated_by) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org.0)
        .bind(t)
        .bind(&by.actor)
        .execute(&mut *db)
        .await?
    } else {
        sqlx::query(
            "UPDATE meldpunt_info SET version = version + 1, updated_at = $1, updated_by = $2 \
             WHERE org_id = $3 AND version = $4",
        )
        .bind(t)
        .bind(&by.actor)
        .bind(org.0)
        .bind(expected)
        .execute(&mut *db)
        .await?
    };
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("reporting point texts changed".into()));
    }
    sqlx::query("DELETE FROM meldpunt_info_texts WHERE org_id = $1")
        .bind(org.0)
        .execute(&mut *db)
        .await?;
    for (topic, o) in texts {
        sqlx::query(
            "INSERT INTO meldpunt_info_texts (org_id, topic, text_nl, text_en, source) VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(org.0)
        .bind(topic.code())
        .bind(&o.nl)
        .bind(&o.en)
        .bind(&o.source)
        .execute(&mut *db)
        .await?;
    }
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            by.actor.clone(),
            by.credential,
            "meldpunt.info_set",
            "organisation",
            org.0,
            serde_json::json!({
                "own": texts.iter().map(|(t, _)| t.code()).collect::<Vec<_>>(),
                "version": expected + 1,
            }),
        ),
    )
    .await?;
    Ok(())
}
