//! The units tree of an organisation (directorates, departments, teams).

use crate::{Db, Result, StoreError, now};
use integer_domain::org::{OrgId, UnitId, UnitKind};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unit {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub name: String,
    pub kind: UnitKind,
    /// How many people belong to this unit directly.
    pub people: i64,
}

pub async fn create(
    db: &mut Db,
    org: OrgId,
    parent: Option<UnitId>,
    name: &str,
    kind: UnitKind,
) -> Result<UnitId> {
    if let Some(p) = parent {
        // The parent must belong to the same organisation.
        let owner: Option<i64> = sqlx::query_scalar("SELECT org_id FROM units WHERE id = $1")
            .bind(p.0)
            .fetch_optional(&mut *db)
            .await?;
        if owner != Some(org.0) {
            return Err(StoreError::NotFound);
        }
    }
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM units WHERE org_id = $1 AND COALESCE(parent_id, 0) = $2 AND name = $3",
    )
    .bind(org.0)
    .bind(parent.map(|p| p.0).unwrap_or(0))
    .bind(name)
    .fetch_optional(&mut *db)
    .await?;
    if existing.is_some() {
        return Err(StoreError::Conflict("unit exists".into()));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO units (org_id, parent_id, name, kind, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org.0)
    .bind(parent.map(|p| p.0))
    .bind(name)
    .bind(kind.as_str())
    .bind(now())
    .fetch_one(db)
    .await?;
    Ok(UnitId(id))
}

/// All units of the organisation, with their head counts; build the tree
/// with [`tree`].
pub async fn list(db: &mut Db, org: OrgId) -> Result<Vec<Unit>> {
    let rows = sqlx::query(
        "SELECT u.id, u.parent_id, u.name, u.kind, \
         (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id) AS people \
         FROM units u WHERE u.org_id = $1 ORDER BY u.name, u.id",
    )
    .bind(org.0)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(Unit {
                id: UnitId(r.try_get("id")?),
                parent_id: r.try_get::<Option<i64>, _>("parent_id")?.map(UnitId),
                name: r.try_get("name")?,
                kind: UnitKind::parse(&kind).unwrap_or(UnitKind::Team),
                people: r.try_get("people")?,
            })
        })
        .collect()
}

/// A unit with its children, for display.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitNode {
    pub unit: Unit,
    pub children: Vec<UnitNode>,
}

pub fn tree(units: &[Unit]) -> Vec<UnitNode> {
    fn children_of(units: &[Unit], parent: Option<UnitId>, depth: usize) -> Vec<UnitNode> {
        if depth > 32 {
            return Vec::new();
        }
        units
            .iter()
            .filter(|u| u.parent_id == parent)
            .map(|u| UnitNode {
                unit: u.clone(),
                children: children_of(units, Some(u.id), depth + 1),
            })
            .collect()
    }
    children_of(units, None, 0)
}

/// Finds the unit at `path` (top first), creating what is missing.
pub async fn find_or_create_path(
    db: &mut Db,
    org: OrgId,
    path: &[String],
) -> Result<Option<UnitId>> {
    let mut parent: Option<UnitId> = None;
    for (depth, name) in path.iter().enumerate() {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM units WHERE org_id = $1 AND COALESCE(parent_id, 0) = $2 AND name = $3",
        )
        .bind(org.0)
        .bind(parent.map(|p| p.0).unwrap_or(0))
        .bind(name)
        .fetch_optional(&mut *db)
        .await?;
        parent = Some(match found {
            Some(id) => UnitId(id),
            None => create(&mut *db, org, parent, name, UnitKind::for_depth(depth)).await?,
        });
    }
    Ok(parent)
}

/// A unit's full path, top first, for display.
pub fn path_of(units: &[Unit], id: UnitId) -> String {
    let mut names = Vec::new();
    let mut current = Some(id);
    while let Some(cur) = current {
        let Some(u) = units.iter().find(|u| u.id == cur) else {
            break;
        };
        names.push(u.name.clone());
        current = u.parent_id;
        if names.len() > 32 {
            break;
        }
    }
    names.reverse();
    names.join(" / ")
}
