//! Organisations (tenants).

use crate::{Db, Result, StoreError, flag, now};
use integer_domain::org::OrgId;
use integer_domain::values::Slug;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Organisation {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub preset: String,
    pub is_demo: bool,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Organisation> {
    Ok(Organisation {
        id: OrgId(r.try_get("id")?),
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        preset: r.try_get("preset")?,
        is_demo: r.try_get::<i64, _>("is_demo")? != 0,
    })
}

pub async fn create(
    db: &mut Db,
    slug: &Slug,
    name: &str,
    preset: &str,
    is_demo: bool,
) -> Result<Organisation> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organisations (slug, name, preset, is_demo, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(slug.as_str())
    .bind(name)
    .bind(preset)
    .bind(flag(is_demo))
    .bind(now())
    .fetch_one(db)
    .await?;
    Ok(Organisation {
        id: OrgId(id),
        slug: slug.as_str().to_string(),
        name: name.to_string(),
        preset: preset.to_string(),
        is_demo,
    })
}

pub async fn by_slug(db: &mut Db, slug: &str) -> Result<Option<Organisation>> {
    let row =
        sqlx::query("SELECT id, slug, name, preset, is_demo FROM organisations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(db)
            .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get(db: &mut Db, id: OrgId) -> Result<Organisation> {
    let row =
        sqlx::query("SELECT id, slug, name, preset, is_demo FROM organisations WHERE id = $1")
            .bind(id.0)
            .fetch_optional(db)
            .await?;
    row.as_ref()
        .map(from_row)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

pub async fn list(db: &mut Db) -> Result<Vec<Organisation>> {
    let rows =
        sqlx::query("SELECT id, slug, name, preset, is_demo FROM organisations ORDER BY name")
            .fetch_all(db)
            .await?;
    rows.iter().map(from_row).collect()
}
