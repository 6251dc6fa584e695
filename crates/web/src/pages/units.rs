//! The units tree, and creating a unit.

use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::forms::{FieldErrors, Form};
use crate::view::{Layout, TreeRow, UnitOption, UnitsPage};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Resource, Target, decide, may};
use integer_domain::org::{UnitId, UnitKind};
use integer_domain::values::parse_name;
use integer_store::units::{self, Unit, UnitNode};
use integer_store::{StoreError, audit};

fn flatten<'a>(nodes: &'a [UnitNode], depth: usize, rows: &mut Vec<(usize, &'a Unit, bool)>) {
    for n in nodes {
        rows.push((depth, &n.unit, !n.children.is_empty()));
        flatten(&n.children, depth + 1, rows);
    }
}

/// The tree as rows with the list tags to open and close around each.
fn tree_rows(units: &[Unit]) -> Vec<TreeRow> {
    let tree = units::tree(units);
    let mut flat = Vec::new();
    flatten(&tree, 0, &mut flat);
    let mut rows = Vec::with_capacity(flat.len());
    for (i, (depth, unit, has_children)) in flat.iter().enumerate() {
        let prev_depth = if i == 0 { 0 } else { flat[i - 1].0 };
        let next_depth = flat.get(i + 1).map(|n| n.0).unwrap_or(0);
        rows.push(TreeRow {
            name: unit.name.clone(),
            kind_key: unit.kind.label_key(),
            people: unit.people,
            open: usize::from(*depth > prev_depth),
            close: if *has_children {
                0
            } else {
                depth.saturating_sub(next_depth)
            },
            has_children: *has_children,
        });
    }
    rows
}

#[derive(serde::Deserialize)]
pub struct Created {
    #[serde(default)]
    aangemaakt: Option<String>,
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    name: &str,
    kind: &str,
    parent: Option<i64>,
    errors: FieldErrors,
    created: bool,
) -> Result<UnitsPage, AppError> {
    let p = &s.user.principal;
    decide(p, Action::List, Resource::Unit, Target::org(p.org)).map_err(|_| AppError::Forbidden)?;
    let mut conn = state.store.conn().await?;
    let all = units::list(&mut conn, p.org).await?;
    let parents = all
        .iter()
        .map(|u| UnitOption {
            id: u.id.0,
            label: units::path_of(&all, u.id),
            selected: Some(u.id.0) == parent,
        })
        .collect();
    Ok(UnitsPage {
        l: Layout::new(&s.ctx, "units-title"),
        rows: tree_rows(&all),
        can_create: may(p, Action::Create, Resource::Unit),
        parents,
        name: name.to_string(),
        kind: kind.to_string(),
        errors,
        created,
    })
}

pub async fn tree(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<Created>,
) -> Result<Response, AppError> {
    let page = page(
        &state,
        &s,
        "",
        "department",
        None,
        FieldErrors::default(),
        q.aangemaakt.is_some(),
    )
    .await?;
    render(&page)
}

pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let p = &s.user.principal;
    decide(p, Action::Create, Resource::Unit, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    let lang = s.ctx.lang;
    let mut errors = FieldErrors::default();
    let name = parse_name(form.get("naam"), "error-name-missing")
        .map_err(|e| errors.add(lang, "naam", &e))
        .ok();
    let kind = UnitKind::parse(form.get("soort"))
        .map_err(|e| errors.add(lang, "soort", &e))
        .ok();
    let parent_raw = form.get("bovenliggend").trim();
    let parent = if parent_raw.is_empty() {
        Some(None)
    } else {
        match parent_raw.parse::<i64>() {
            Ok(id) => Some(Some(UnitId(id))),
            Err(_) => {
                errors.add(lang, "bovenliggend", &Problem::new("units-error-parent"));
                None
            }
        }
    };
    if let (Some(name), Some(kind), Some(parent)) = (name.clone(), kind, parent)
        && errors.is_empty()
    {
        let mut tx = state.store.begin_write().await?;
        match units::create(&mut tx, p.org, parent, &name, kind).await {
            Ok(id) => {
                audit::append(
                    &mut tx,
                    &audit::event(
                        Some(p.org.0),
                        s.user.actor(),
                        Credential::Session,
                        "unit.created",
                        "unit",
                        id.0,
                        serde_json::json!({"kind": kind.as_str()}),
                    ),
                )
                .await?;
                tx.commit().await?;
                return Ok(Redirect::to("/organisatie/eenheden?aangemaakt=1").into_response());
            }
            Err(StoreError::Conflict(_)) => {
                errors.add(lang, "naam", &Problem::new("units-error-exists"))
            }
            Err(StoreError::NotFound) => {
                errors.add(lang, "bovenliggend", &Problem::new("units-error-parent"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let parent_id = parent_raw.parse::<i64>().ok();
    let page = page(
        &state,
        &s,
        form.get("naam"),
        form.get("soort"),
        parent_id,
        errors,
        false,
    )
    .await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
