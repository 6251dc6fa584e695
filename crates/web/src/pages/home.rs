//! The personal start page: tiles for what each of the person's roles does.
//! A tile links to its page when the person may open it; every feature a
//! tile names exists.

use super::render;
use crate::ctx::SignedIn;
use crate::error::AppError;
use crate::view::{HomePage, Layout, Tile, TileGroup};
use axum::response::Response;
use integer_domain::authz::{Action, Resource, Target, decide, may};
use integer_domain::org::Role;

fn tile(title_key: &'static str, text_key: &'static str, href: Option<String>) -> Tile {
    Tile {
        title_key,
        text_key,
        href,
    }
}

pub async fn home(s: SignedIn) -> Result<Response, AppError> {
    let p = &s.user.principal;
    decide(p, Action::View, Resource::Home, Target::org(p.org)).map_err(|_| AppError::Forbidden)?;
    let link = |allowed: bool, href: &str| allowed.then(|| href.to_string());
    let mut groups = vec![TileGroup {
        title_key: "home-group-everyone",
        tiles: vec![
            tile(
                "tile-may-i",
                "tile-may-i-text",
                link(may(p, Action::View, Resource::PolicyCheck), "/mag-dit"),
            ),
            tile(
                "tile-declare",
                "tile-declare-text",
                Some("/verklaringen".into()),
            ),
            tile(
                "tile-check",
                "tile-check-text",
                Some("/actualisatie".into()),
            ),
            tile(
                "tile-report",
                "tile-report-text",
                link(may(p, Action::Create, Resource::Report), "/melden"),
            ),
            tile(
                "tile-code",
                "tile-code-text",
                link(
                    may(p, Action::View, Resource::CodeOfConduct),
                    "/gedragscode",
                ),
            ),
            tile(
                "tile-my-details",
                "tile-my-details-text",
                Some(format!("/organisatie/mensen/{}", p.person.0)),
            ),
        ],
    }];
    let people = may(p, Action::List, Resource::Person);
    let cases = link(may(p, Action::List, Resource::Case), "/zaken");
    let annual_report = link(may(p, Action::View, Resource::AnnualReport), "/jaarverslag");
    if p.roles.has(Role::Manager) {
        groups.push(TileGroup {
            title_key: "role-manager",
            tiles: vec![
                tile(
                    "tile-approvals",
                    "tile-approvals-text",
                    Some("/beoordelen".into()),
                ),
                tile(
                    "tile-my-team",
                    "tile-my-team-text",
                    link(people, "/organisatie/mensen"),
                ),
            ],
        });
    }
    if p.roles.has(Role::IntegrityOffice) {
        groups.push(TileGroup {
            title_key: "role-integrity_office",
            tiles: vec![
                tile(
                    "tile-registers",
                    "tile-registers-text",
                    link(may(p, Action::List, Resource::Declaration), "/registers"),
                ),
                tile(
                    "tile-check-admin",
                    "tile-check-admin-text",
                    link(
                        may(p, Action::List, Resource::YearlyCheck),
                        "/actualisatie/beheer",
                    ),
                ),
                tile("tile-cases", "tile-cases-text", cases.clone()),
                tile(
                    "tile-annual-report",
                    "tile-annual-report-text",
                    annual_report.clone(),
                ),
                tile(
                    "tile-people",
                    "tile-people-text",
                    link(people, "/organisatie/mensen"),
                ),
            ],
        });
    }
    if p.roles.has(Role::Counsellor) {
        groups.push(TileGroup {
            title_key: "role-counsellor",
            tiles: vec![tile(
                "tile-counsellor-log",
                "tile-counsellor-log-text",
                link(
                    may(p, Action::List, Resource::CounsellorLog),
                    "/vertrouwenspersoon",
                ),
            )],
        });
    }
    if p.roles.has(Role::Hr) {
        groups.push(TileGroup {
            title_key: "role-hr",
            tiles: vec![
                tile(
                    "tile-people",
                    "tile-people-text",
                    link(people, "/organisatie/mensen"),
                ),
                tile(
                    "tile-import",
                    "tile-import-text",
                    link(
                        may(p, Action::Import, Resource::PeopleImport),
                        "/organisatie/import",
                    ),
                ),
                tile(
                    "tile-oath",
                    "tile-oath-text",
                    link(may(p, Action::List, Resource::Oath), "/organisatie/eed"),
                ),
            ],
        });
    }
    if p.roles.has(Role::Director) {
        groups.push(TileGroup {
            title_key: "role-director",
            tiles: vec![
                tile("tile-decisions", "tile-decisions-text", cases.clone()),
                tile(
                    "tile-annual-report",
                    "tile-annual-report-text",
                    annual_report.clone(),
                ),
            ],
        });
    }
    if p.roles.has(Role::Board) {
        groups.push(TileGroup {
            title_key: "role-board",
            tiles: vec![tile(
                "tile-board-queue",
                "tile-board-queue-text",
                Some("/beoordelen".into()),
            )],
        });
    }
    if p.roles.has(Role::Investigator) {
        groups.push(TileGroup {
            title_key: "role-investigator",
            tiles: vec![tile(
                "tile-investigations",
                "tile-investigations-text",
                cases.clone(),
            )],
        });
    }
    if p.roles.has(Role::PrivacyOfficer) {
        groups.push(TileGroup {
            title_key: "role-privacy_officer",
            tiles: vec![tile(
                "tile-audit",
                "tile-audit-text",
                link(
                    may(p, Action::View, Resource::AuditTrail),
                    "/organisatie/audit",
                ),
            )],
        });
    }
    if p.roles.has(Role::Admin) {
        groups.push(TileGroup {
            title_key: "role-admin",
            tiles: vec![
                tile(
                    "tile-units",
                    "tile-units-text",
                    link(
                        may(p, Action::List, Resource::Unit),
                        "/organisatie/eenheden",
                    ),
                ),
                tile(
                    "tile-people",
                    "tile-people-text",
                    link(people, "/organisatie/mensen"),
                ),
                tile(
                    "tile-import",
                    "tile-import-text",
                    link(
                        may(p, Action::Import, Resource::PeopleImport),
                        "/organisatie/import",
                    ),
                ),
                tile(
                    "tile-audit",
                    "tile-audit-text",
                    link(
                        may(p, Action::View, Resource::AuditTrail),
                        "/organisatie/audit",
                    ),
                ),
                tile(
                    "tile-preset",
                    "tile-preset-text",
                    link(
                        may(p, Action::Update, Resource::Organisation),
                        "/organisatie/gedragsregels",
                    ),
                ),
            ],
        });
    }
    let page = HomePage {
        l: Layout::new(&s.ctx, "home-title"),
        roles: p.roles.iter().map(|r| r.label_key()).collect(),
        groups,
    };
    render(&page)
}
