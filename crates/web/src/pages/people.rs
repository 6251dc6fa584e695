//! The people list (search, pages), a person's page and their roles.

use super::{render, render_status};
use crate::AppState;
use crate::ctx::SignedIn;
use crate::error::{AppError, encode};
use crate::forms::{FieldErrors, Form};
use crate::view::{Layout, PageLink, PeoplePage, PersonPage, PersonRow, RoleChoice};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use integer_domain::Problem;
use integer_domain::audit::Credential;
use integer_domain::authz::{Action, Resource, Scope, Target, decide, may_set_roles};
use integer_domain::org::{PersonId, Role, RoleSet};
use integer_store::{audit, people};

pub const PER_PAGE: i64 = 25;

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    pagina: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let p = &s.user.principal;
    let permit = decide(p, Action::List, Resource::Person, Target::org(p.org))
        .map_err(|_| AppError::Forbidden)?;
    // A page number that is not a number is page 1, not an error page.
    let page_no = q
        .pagina
        .as_deref()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let query: String = q.q.chars().take(100).collect();
    let mut conn = state.store.conn().await?;
    let page = people::list(&mut conn, p.org, permit.scope(), &query, page_no, PER_PAGE).await?;
    let pages = page.pages();
    let href = |n: i64| format!("/organisatie/mensen?q={}&pagina={n}", encode(&query));
    let first = (page_no - 2).max(1);
    let last = (first + 4).min(pages);
    let view = PeoplePage {
        l: Layout::new(&s.ctx, "people-title"),
        query: query.clone(),
        rows: page
            .items
            .iter()
            .map(|i| PersonRow {
                id: i.id.0,
                name: i.name.clone(),
                email: i.email.clone(),
                employee_number: i.employee_number.clone().unwrap_or_default(),
                function_title: i.function_title.clone().unwrap_or_default(),
                unit: i.unit_name.clone().unwrap_or_default(),
            })
            .collect(),
        total: page.total,
        page: page_no,
        pages,
        links: (first..=last)
            .map(|n| PageLink {
                number: n,
                href: href(n),
                current: n == page_no,
            })
            .collect(),
        prev: (page_no > 1).then(|| href(page_no - 1)),
        next: (page_no < pages).then(|| href(page_no + 1)),
        team_only: matches!(permit.scope(), Scope::Team(_)),
    };
    render(&view)
}

/// Loads a person of the caller's organisation and checks the caller may
/// do `action` on it; another organisation's id is simply not found.
async fn load_checked(
    state: &AppState,
    s: &SignedIn,
    id: i64,
    action: Action,
    resource: Resource,
) -> Result<people::Person, AppError> {
    let p = &s.user.principal;
    let mut conn = state.store.conn().await?;
    let person = people::get(&mut conn, p.org, PersonId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let relation = people::relation(&mut conn, p.org, p.person, person.id).await?;
    decide(
        p,
        action,
        resource,
        Target {
            org: p.org,
            relation,
        },
    )
    .map_err(|_| AppError::Forbidden)?;
    Ok(person)
}

#[derive(serde::Deserialize)]
pub struct Saved {
    #[serde(default)]
    opgeslagen: Option<String>,
}

fn person_page(
    s: &SignedIn,
    person: people::Person,
    held: &[Role],
    saved: bool,
    errors: FieldErrors,
) -> PersonPage {
    let p = &s.user.principal;
    let can_edit_roles =
        decide(p, Action::Update, Resource::PersonRoles, Target::org(p.org)).is_ok();
    PersonPage {
        l: Layout::new(&s.ctx, "person-title"),
        employment_key: person.employment_type.label_key(),
        roles: Role::ALL
            .iter()
            .map(|r| RoleChoice {
                code: r.as_str(),
                label_key: r.label_key(),
                held: held.contains(r),
            })
            .collect(),
        person,
        can_edit_roles,
        saved,
        errors,
        declarations: None,
    }
}

pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<Saved>,
) -> Result<Response, AppError> {
    let person = load_checked(&state, &s, id, Action::View, Resource::Person).await?;
    let held = person.roles.clone();
    // The person's declarations, within what the asker may list.
    let p = &s.user.principal;
    let scope = if person.id == p.person {
        Some(Scope::Own(p.person))
    } else {
        decide(p, Action::List, Resource::Declaration, Target::org(p.org))
            .ok()
            .map(|permit| permit.scope())
    };
    let declarations = match scope {
        Some(scope) => {
            let mut conn = state.store.conn().await?;
            let filter = integer_store::declarations::Filter {
                person: Some(person.id),
                ..Default::default()
            };
            let page =
                integer_store::declarations::list(&mut conn, p.org, scope, &filter, 1, 50).await?;
            Some(page.items.iter().map(super::declarations::row).collect())
        }
        None => None,
    };
    let mut view = person_page(
        &s,
        person,
        &held,
        q.opgeslagen.is_some(),
        FieldErrors::default(),
    );
    view.declarations = declarations;
    render(&view)
}

pub async fn set_roles(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
    form: Form,
) -> Result<Response, AppError> {
    form.verify_csrf(&s.user.csrf)?;
    let person = load_checked(&state, &s, id, Action::Update, Resource::PersonRoles).await?;
    let lang = s.ctx.lang;
    let mut errors = FieldErrors::default();
    let mut roles = Vec::new();
    for code in form.all("rol") {
        match Role::parse(code) {
            Ok(r) => roles.push(r),
            Err(p) => errors.add(lang, "rollen", &p),
        }
    }
    // Everyone is an employee: the code of conduct applies to all.
    roles.push(Role::Employee);
    let new_roles = RoleSet::new(roles);
    if !may_set_roles(&s.user.principal, person.id, &new_roles) {
        errors.add(lang, "rollen", &Problem::new("person-error-own-admin"));
    }
    if !errors.is_empty() {
        let held: Vec<Role> = new_roles.iter().collect();
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &person_page(&s, person, &held, false, errors),
        );
    }
    let org = s.user.principal.org;
    let before: Vec<&str> = person.roles.iter().map(|r| r.as_str()).collect();
    let after: Vec<Role> = new_roles.iter().collect();
    let mut tx = state.store.begin_write().await?;
    people::set_roles(&mut tx, org, person.id, &after).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.0),
            s.user.actor(),
            Credential::Session,
            "person.roles_changed",
            "person",
            person.id.0,
            serde_json::json!({"before": before, "after": after.iter().map(|r| r.as_str()).collect::<Vec<_>>()}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/organisatie/mensen/{}?opgeslagen=1", person.id.0)).into_response())
}
