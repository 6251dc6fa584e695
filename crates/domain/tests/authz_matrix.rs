//! The authorization matrix: every role x resource x action x relation,
//! against a table written out here by hand (not derived from the rules),
//! including attempts on another organisation's objects.

use integer_domain::authz::{Action, Principal, Relation, Resource, Scope, Target, decide};
use integer_domain::org::{OrgId, PersonId, Role, RoleSet};

const OWN_ORG: OrgId = OrgId(1);
const OTHER_ORG: OrgId = OrgId(2);
const ME: PersonId = PersonId(10);

/// Who may, per (resource, action): one letter per role in the order of
/// `Role::ALL` (employee, manager, integrity_office, counsellor, hr,
/// director, board, investigator, privacy_officer, admin).
/// `O` organisation-wide, `T` team (manager: direct reports), `S` only own
/// record / own team depending on relation, `W` own or (manager) a direct
/// report's, `I` involved: own, a direct report's (manager) or to decide,
/// `P` only when it waits for the asker's decision, `M` only one's own,
/// `R` only the rows the asker is on (their cases, their log entries),
/// `C` only on the team of that case (handling it or not), `H` only when
/// the asker handles that case (owner, member, committee), `V` only a
/// handler or a team member the reporter's consent (or the law) covers,
/// `-` denied. Whatever the letter, a case that names the asker is denied
/// (relation `Named`).
const EXPECTED: &[(Resource, Action, &str)] = &[
    (Resource::Home, Action::View, "OOOOOOOOOO"),
    (Resource::Organisation, Action::View, "---------O"),
    (Resource::Organisation, Action::Update, "---------O"),
    (Resource::Unit, Action::List, "OOOOOOOOOO"),
    (Resource::Unit, Action::View, "OOOOOOOOOO"),
    (Resource::Unit, Action::Create, "---------O"),
    (Resource::Unit, Action::Update, "---------O"),
    (Resource::Person, Action::List, "-TO-OO---O"),
    (Resource::Person, Action::View, "SSOSOOSSSO"),
    (Resource::Person, Action::Create, "----O----O"),
    (Resource::Person, Action::Update, "----O----O"),
    (Resource::PersonRoles, Action::View, "SSOSOOSSSO"),
    (Resource::PersonRoles, Action::Update, "---------O"),
    (Resource::PeopleImport, Action::Import, "----O----O"),
    (Resource::AuditTrail, Action::View, "--------OO"),
    (Resource::AuditTrail, Action::Verify, "--------OO"),
    (Resource::CodeOfConduct, Action::View, "OOOOOOOOOO"),
    (Resource::PolicyCheck, Action::View, "OOOOOOOOOO"),
    (Resource::Declaration, Action::Create, "WWWWWWWWWW"),
    (Resource::Declaration, Action::View, "IIOIOIIIII"),
    (Resource::Declaration, Action::List, "-TO-O-----"),
    (Resource::Declaration, Action::Decide, "PPPPPPPPPP"),
    (Resource::Declaration, Action::Update, "MMMMMMMMMM"),
    (Resource::Declaration, Action::Export, "--O-------"),
    (Resource::Deputy, Action::Create, "-O--------"),
    (Resource::Deputy, Action::Update, "-O--------"),
    (Resource::YearlyCheck, Action::View, "OOOOOOOOOO"),
    (Resource::YearlyCheck, Action::Update, "OOOOOOOOOO"),
    (Resource::YearlyCheck, Action::Create, "--O-------"),
    (Resource::YearlyCheck, Action::List, "--O-------"),
    (Resource::Report, Action::Create, "OOOOOOOOOO"),
    (Resource::Case, Action::Create, "--OO------"),
    (Resource::Case, Action::List, "--RRRRRR--"),
    (Resource::Case, Action::View, "CCCCCCCCCC"),
    (Resource::Case, Action::Update, "CCCCCCCCCC"),
    (Resource::Case, Action::Decide, "-----C----"),
    (Resource::CaseIdentity, Action::View, "VVVVVVVVVV"),
    (Resource::CaseIdentity, Action::Create, "CCCCCCCCCC"),
    (Resource::CaseIdentity, Action::Decide, "HHHHHHHHHH"),
    (Resource::CaseEmergency, Action::Create, "--O-------"),
    (Resource::CounsellorLog, Action::Create, "---O------"),
    (Resource::CounsellorLog, Action::List, "---R------"),
    (Resource::CounsellorLog, Action::Update, "---R------"),
    (Resource::DataLeak, Action::List, "--O-----O-"),
    (Resource::DataLeak, Action::View, "--O-----O-"),
    (Resource::Oath, Action::View, "SSOSOSSSSS"),
    (Resource::Oath, Action::List, "-TO-O-----"),
    (Resource::Oath, Action::Create, "----O-----"),
    (Resource::Oath, Action::Update, "----O-----"),
    (Resource::Screening, Action::View, "----O-----"),
    (Resource::Screening, Action::List, "----O-----"),
    (Resource::Screening, Action::Create, "----O-----"),
    (Resource::Screening, Action::Update, "----O-----"),
    (Resource::CodeAcknowledgement, Action::Create, "OOOOOOOOOO"),
    (Resource::CodeAcknowledgement, Action::View, "SSOSOSSSSS"),
    (Resource::CodeAcknowledgement, Action::List, "-TO-O-----"),
    (Resource::Training, Action::View, "SSOSOSSSSS"),
    (Resource::Training, Action::List, "-TO-O-----"),
    (Resource::Training, Action::Create, "--O-O-----"),
    (Resource::Training, Action::Update, "--O-O-----"),
    (Resource::MoralDeliberation, Action::List, "-TO-------"),
    (Resource::MoralDeliberation, Action::Create, "-TO-------"),
    (Resource::MoralDeliberation, Action::Update, "-TO-------"),
    (Resource::VulnerableFunction, Action::List, "--O-OO----"),
    (Resource::VulnerableFunction, Action::View, "--O-OO----"),
    (Resource::VulnerableFunction, Action::Create, "--O-------"),
    (Resource::VulnerableFunction, Action::Update, "--O-------"),
    (Resource::TeamOverview, Action::View, "-TO-O-----"),
    (Resource::AnnualReport, Action::View, "--O--OO---"),
    (Resource::AnnualReport, Action::Update, "--O-------"),
    (Resource::AnnualReport, Action::Export, "--O--OO---"),
    (Resource::CounsellorCounts, Action::View, "--OO------"),
    (Resource::Designation, Action::View, "--O-O----O"),
    (Resource::Designation, Action::Update, "---------O"),
    (Resource::Publication, Action::View, "IIOIOIIIII"),
    (Resource::Publication, Action::Update, "MMMMMMMMMM"),
    (Resource::ReportingInfo, Action::Update, "--O------O"),
];

/// Every relation a store can report.
const RELATIONS: [Relation; 8] = [
    Relation::None,
    Relation::Own,
    Relation::DirectReport,
    Relation::Approver,
    Relation::CaseTeam,
    Relation::CaseHandler,
    Relation::IdentityRecipient,
    Relation::Named,
];

fn principal(role: Role) -> Principal {
    // Everyone is an employee too, as in the application.
    Principal {
        org: OWN_ORG,
        person: ME,
        roles: RoleSet::new(vec![Role::Employee, role]),
    }
}

fn expected(resource: Resource, action: Action, role: Role, relation: Relation) -> Option<Scope> {
    let row = EXPECTED
        .iter()
        .find(|(r, a, _)| *r == resource && *a == action);
    let (_, _, letters) = row?;
    let i = Role::ALL.iter().position(|r| *r == role).unwrap();
    // An employee who also holds another role gets the more generous of
    // the two letters.
    let letter_of = |idx: usize| letters.as_bytes()[idx];
    let letters_to_try = [letter_of(i), letter_of(0)];
    let scope_of = |l: u8| match (l, relation) {
        (_, Relation::Named) => None,
        (b'O', _) => Some(Scope::Organisation),
        (b'T', _) => Some(Scope::Team(ME)),
        (b'S', Relation::Own) => Some(Scope::Own(ME)),
        (b'S', Relation::DirectReport) if role == Role::Manager => Some(Scope::Team(ME)),
        (b'W', Relation::Own) => Some(Scope::Own(ME)),
        (b'W', Relation::DirectReport) if role == Role::Manager => Some(Scope::Team(ME)),
        (b'I', Relation::Own | Relation::Approver) => Some(Scope::Own(ME)),
        (b'I', Relation::DirectReport) if role == Role::Manager => Some(Scope::Team(ME)),
        (b'P', Relation::Approver) => Some(Scope::Own(ME)),
        (b'M', Relation::Own) => Some(Scope::Own(ME)),
        (b'R', _) => Some(Scope::Own(ME)),
        (b'C', Relation::CaseTeam | Relation::CaseHandler | Relation::IdentityRecipient) => {
            Some(Scope::Own(ME))
        }
        (b'H', Relation::CaseHandler) => Some(Scope::Own(ME)),
        (b'V', Relation::CaseHandler | Relation::IdentityRecipient) => Some(Scope::Own(ME)),
        _ => None,
    };
    let scopes: Vec<Scope> = letters_to_try.iter().filter_map(|l| scope_of(*l)).collect();
    scopes
        .iter()
        .find(|s| **s == Scope::Organisation)
        .or_else(|| scopes.iter().find(|s| matches!(s, Scope::Team(_))))
        .or(scopes.first())
        .copied()
}

#[test]
fn every_role_resource_action_and_relation() {
    let mut checked = 0;
    for role in Role::ALL {
        let who = principal(role);
        for resource in Resource::ALL {
            for action in Action::ALL {
                for relation in RELATIONS {
                    let got = decide(
                        &who,
                        action,
                        resource,
                        Target {
                            org: OWN_ORG,
                            relation,
                        },
                    )
                    .ok()
                    .map(|p| p.scope());
                    let want = expected(resource, action, role, relation);
                    assert_eq!(got, want, "{role:?} {action:?} {resource:?} ({relation:?})");
                    // Never into another organisation, whatever the role.
                    let cross = decide(
                        &who,
                        action,
                        resource,
                        Target {
                            org: OTHER_ORG,
                            relation,
                        },
                    );
                    assert!(
                        cross.is_err(),
                        "{role:?} {action:?} {resource:?} crossed into another organisation"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(
        checked,
        Role::ALL.len() * Resource::ALL.len() * Action::ALL.len() * RELATIONS.len()
    );
}

#[test]
fn unlisted_pairs_are_denied_even_for_admins() {
    let admin = principal(Role::Admin);
    for (resource, action) in [
        (Resource::Home, Action::Update),
        (Resource::AuditTrail, Action::Update),
        (Resource::PeopleImport, Action::View),
        (Resource::Person, Action::Verify),
    ] {
        assert!(
            decide(&admin, action, resource, Target::org(OWN_ORG)).is_err(),
            "{resource:?} {action:?}"
        );
    }
}

#[test]
fn nobody_removes_their_own_admin_role() {
    use integer_domain::authz::may_set_roles;
    let admin = principal(Role::Admin);
    assert!(!may_set_roles(
        &admin,
        ME,
        &RoleSet::new(vec![Role::Employee])
    ));
    assert!(may_set_roles(
        &admin,
        ME,
        &RoleSet::new(vec![Role::Employee, Role::Admin])
    ));
    assert!(may_set_roles(
        &admin,
        PersonId(11),
        &RoleSet::new(vec![Role::Employee])
    ));
}
