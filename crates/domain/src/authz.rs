//! Who may do what: the one place where access is decided.
//!
//! Deny by default: a (resource, action) pair that has no rule in [`RULES`] is
//! refused for everyone, and nobody reaches an object of another
//! organisation, whatever their roles. Handlers ask [`decide`] and receive a
//! [`Permit`] whose [`Scope`] the repository uses to filter lists, so that a
//! list never shows more than the caller may see.

use crate::org::{OrgId, PersonId, Role, RoleSet};

/// The signed-in person (or API token holder) asking.
#[derive(Debug, Clone)]
pub struct Principal {
    pub org: OrgId,
    pub person: PersonId,
    pub roles: RoleSet,
}

/// What is being accessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// The personal start page.
    Home,
    /// The organisation's settings (name, preset).
    Organisation,
    /// The units tree.
    Unit,
    /// A person's record.
    Person,
    /// A person's role memberships.
    PersonRoles,
    /// Importing people from a CSV file.
    PeopleImport,
    /// The audit trail and its verification.
    AuditTrail,
    /// The organisation's code of conduct (reading and searching).
    CodeOfConduct,
    /// Asking the policy engine "may I?" (page and API).
    PolicyCheck,
    /// A declaration (gift, side activity, ...) and the registers.
    Declaration,
    /// A manager's deputy while they are away (always their own).
    Deputy,
    /// The yearly check of side activities and interests.
    YearlyCheck,
    /// Filing a report of suspected wrongdoing as a signed-in person.
    Report,
    /// A case of the reporting point (a report and its handling, or a
    /// complaint about undesirable behaviour). Need to know: the case team.
    Case,
    /// The reporter's identity, kept apart from the case.
    CaseIdentity,
    /// Opening a case one is not on, with a written reason (break glass).
    CaseEmergency,
    /// The confidential counsellors' log of consultations (no names).
    CounsellorLog,
    /// The counts from the counsellors' log, for the yearly report.
    CounsellorCounts,
    /// Data-leak declarations (AVG art. 33): besides the integrity office,
    /// the privacy officer keeps these.
    DataLeak,
    /// The register of oaths and affirmations (*eed of belofte*).
    Oath,
    /// Screening at hiring: VOG, references, diplomas, the signed
    /// integrity declaration.
    Screening,
    /// A person's acknowledgement of the current code of conduct.
    CodeAcknowledgement,
    /// Training records (introduction training, e-learnings) and integrity
    /// in the HR conversation cycle.
    Training,
    /// Moral deliberation sessions (*moreel beraad*) and integrity on team
    /// meeting agendas, per team.
    MoralDeliberation,
    /// Vulnerable functions and processes, risks and measures, per unit.
    VulnerableFunction,
    /// A manager's overview of their team's integrity state.
    TeamOverview,
    /// The annual integrity report (*jaarverslag integriteit*).
    AnnualReport,
    /// The organisation's designated functions (*aangewezen functies*):
    /// whose side activities are published.
    Designation,
    /// The public text of a side activity in a designated function: the
    /// person confirms or corrects it (never refuses it); whoever may see
    /// the declaration sees it and its corrections.
    Publication,
    /// What a reporter is told about the reporting point (handling and
    /// terms, oral reports, the counsellor, the external route, the
    /// protection): the organisation's own texts over the preset's.
    ReportingInfo,
}

impl Resource {
    pub const ALL: [Resource; 30] = [
        Resource::Home,
        Resource::Organisation,
        Resource::Unit,
        Resource::Person,
        Resource::PersonRoles,
        Resource::PeopleImport,
        Resource::AuditTrail,
        Resource::CodeOfConduct,
        Resource::PolicyCheck,
        Resource::Declaration,
        Resource::Deputy,
        Resource::YearlyCheck,
        Resource::Report,
        Resource::Case,
        Resource::CaseIdentity,
        Resource::CaseEmergency,
        Resource::CounsellorLog,
        Resource::CounsellorCounts,
        Resource::DataLeak,
        Resource::Oath,
        Resource::Screening,
        Resource::CodeAcknowledgement,
        Resource::Training,
        Resource::MoralDeliberation,
        Resource::VulnerableFunction,
        Resource::TeamOverview,
        Resource::AnnualReport,
        Resource::Designation,
        Resource::Publication,
        Resource::ReportingInfo,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    View,
    List,
    Create,
    Update,
    Import,
    Verify,
    /// Decide on a request (approve, refuse, ...).
    Decide,
    /// Export a register (CSV, JSON, ODS).
    Export,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::View,
        Action::List,
        Action::Create,
        Action::Update,
        Action::Import,
        Action::Verify,
        Action::Decide,
        Action::Export,
    ];
}

/// How the object relates to the one asking, as loaded by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The organisation as a whole, or an object with no personal tie.
    None,
    /// The asker's own record.
    Own,
    /// A record of someone the asker manages directly.
    DirectReport,
    /// A request waiting for the asker's decision: routed to them, or to a
    /// queue of a role they hold (never their own request).
    Approver,
    /// A case the asker is on the team of without handling the report
    /// (investigator, the director who decides, emergency access).
    CaseTeam,
    /// A case the asker handles: owner, member or complaints committee on
    /// its team, "the persons who receive and handle the report" (Wbk art.
    /// 1a; `TeamRole::handles_report`).
    CaseHandler,
    /// On the case team without handling it, and the reporter's identity
    /// may be made known to the asker: the reporter chose to be named to
    /// the team, or gave written consent to a request naming the asker, or
    /// a legal obligation was confirmed for them.
    IdentityRecipient,
    /// A case that names the asker as involved. Nothing is ever allowed on
    /// it, whatever else holds.
    Named,
}

/// The object of a request: the organisation it belongs to and its relation
/// to the asker.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub org: OrgId,
    pub relation: Relation,
}

impl Target {
    pub fn org(org: OrgId) -> Target {
        Target {
            org,
            relation: Relation::None,
        }
    }
}

/// Which rows a permitted request may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything of the organisation.
    Organisation,
    /// The people the given person manages directly.
    Team(PersonId),
    /// Only the given person's own record.
    Own(PersonId),
}

/// Proof that [`decide`] allowed a request; only this module makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    scope: Scope,
}

impl Permit {
    pub fn scope(&self) -> Scope {
        self.scope
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied;

/// Who a rule lets in.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// Every signed-in member of the organisation.
    Member,
    /// Holders of any of these roles, organisation-wide.
    Roles(&'static [Role]),
    /// Organisation-wide for these roles; otherwise managers for their direct
    /// reports and everyone for their own record.
    RolesTeamOrSelf(&'static [Role]),
    /// Organisation-wide for these roles; otherwise managers see their team.
    RolesOrTeam(&'static [Role]),
    /// One's own record, or (for a manager) a direct report's.
    OwnOrTeam,
    /// Organisation-wide for these roles; otherwise the person it is about,
    /// their manager, and whoever must decide it.
    RolesOrInvolved(&'static [Role]),
    /// Only whoever must decide it.
    AssignedApprover,
    /// Only the person it is about.
    OwnOnly,
    /// Holders of these roles, but only for the rows they are on the team
    /// of (lists of cases).
    RolesOwnRows(&'static [Role]),
    /// Only members of the case team (handling it or not).
    CaseTeam,
    /// Only members of the case team who also hold one of these roles.
    CaseTeamWithRole(&'static [Role]),
    /// Only those who handle the case (owner, members, committee).
    CaseHandler,
    /// Those who may know the reporter's identity: the handlers, and a
    /// team member the reporter's consent (or the law) covers.
    IdentityReader,
}

const ADMIN: &[Role] = &[Role::Admin];
const PEOPLE_ADMINS: &[Role] = &[Role::Admin, Role::Hr];
/// Roles that need to look people up across the organisation: to route a
/// declaration or a report, for personnel files, and for decisions.
const PEOPLE_READERS: &[Role] = &[Role::Admin, Role::Hr, Role::IntegrityOffice, Role::Director];
/// The registers are kept by the integrity office; HR sees declarations in
/// personnel files.
const REGISTER_READERS: &[Role] = &[Role::IntegrityOffice, Role::Hr];
const INTEGRITY_OFFICE: &[Role] = &[Role::IntegrityOffice];
const MANAGERS: &[Role] = &[Role::Manager];
/// The privacy officer reads the audit trail, never case contents.
const AUDIT_READERS: &[Role] = &[Role::Admin, Role::PrivacyOfficer];
/// Roles that can be on a case team and so list "my cases". Anyone else
/// put on a team (a complaints committee member) reaches the case itself
/// through the team relation.
const CASE_HANDLERS: &[Role] = &[
    Role::IntegrityOffice,
    Role::Investigator,
    Role::Director,
    Role::Board,
    Role::Counsellor,
    Role::Hr,
];
/// Staff who enter a report received by phone, letter or in a meeting, or
/// (counsellors) pass one on with the reporter's consent.
const CASE_INTAKE: &[Role] = &[Role::IntegrityOffice, Role::Counsellor];
/// The decision on a case is the director's.
const DIRECTORS: &[Role] = &[Role::Director];
/// What a reporter is told: the integrity office keeps it, an
/// administrator may set it up.
const REPORTING_INFO_EDITORS: &[Role] = &[Role::IntegrityOffice, Role::Admin];
const COUNSELLORS: &[Role] = &[Role::Counsellor];
/// HR keeps the personnel side of prevention (oath, training); the
/// integrity office follows it.
const PREVENTION_READERS: &[Role] = &[Role::Hr, Role::IntegrityOffice];
const HR: &[Role] = &[Role::Hr];
/// Vulnerable functions and risk analyses: the office keeps them; HR and the
/// director read them.
const RISK_READERS: &[Role] = &[Role::IntegrityOffice, Role::Hr, Role::Director];
/// The internal annual report: the office writes it, the director sends it
/// to the board and the works council.
const REPORT_READERS: &[Role] = &[Role::IntegrityOffice, Role::Director, Role::Board];
/// Data leaks are kept by the privacy officer (the FG) as well.
const DATA_LEAK_READERS: &[Role] = &[Role::IntegrityOffice, Role::PrivacyOfficer];
const COUNSELLOR_COUNT_READERS: &[Role] = &[Role::Counsellor, Role::IntegrityOffice];
/// The designation is the employer's (the administrator sets it); the
/// integrity office keeps the public register and HR the personnel data
/// it reads (function titles, salary scales), so both may read it.
const DESIGNATION_READERS: &[Role] = &[Role::Admin, Role::IntegrityOffice, Role::Hr];

/// Roles that must sign in with a second factor (TOTP): they see reports,
/// identities and consultations.
pub const SECOND_FACTOR_ROLES: &[Role] = &[
    Role::IntegrityOffice,
    Role::Counsellor,
    Role::Investigator,
    Role::Director,
];

/// Whether someone with these roles must use a second factor.
pub fn requires_second_factor(roles: &RoleSet) -> bool {
    roles.has_any(SECOND_FACTOR_ROLES)
}

/// The rules. Anything not listed is denied.
#[rustfmt::skip]
const RULES: &[(Resource, Action, Who)] = &[
    (Resource::Home, Action::View, Who::Member),
    (Resource::Organisation, Action::View, Who::Roles(ADMIN)),
    (Resource::Organisation, Action::Update, Who::Roles(ADMIN)),
    (Resource::Unit, Action::List, Who::Member),
    (Resource::Unit, Action::View, Who::Member),
    (Resource::Unit, Action::Create, Who::Roles(ADMIN)),
    (Resource::Unit, Action::Update, Who::Roles(ADMIN)),
    (Resource::Person, Action::List, Who::RolesOrTeam(PEOPLE_READERS)),
    (Resource::Person, Action::View, Who::RolesTeamOrSelf(PEOPLE_READERS)),
    (Resource::Person, Action::Create, Who::Roles(PEOPLE_ADMINS)),
    (Resource::Person, Action::Update, Who::Roles(PEOPLE_ADMINS)),
    (Resource::PersonRoles, Action::View, Who::RolesTeamOrSelf(PEOPLE_READERS)),
    (Resource::PersonRoles, Action::Update, Who::Roles(ADMIN)),
    (Resource::PeopleImport, Action::Import, Who::Roles(PEOPLE_ADMINS)),
    (Resource::AuditTrail, Action::View, Who::Roles(AUDIT_READERS)),
    (Resource::AuditTrail, Action::Verify, Who::Roles(AUDIT_READERS)),
    (Resource::CodeOfConduct, Action::View, Who::Member),
    (Resource::PolicyCheck, Action::View, Who::Member),
    (Resource::Declaration, Action::Create, Who::OwnOrTeam),
    (Resource::Declaration, Action::View, Who::RolesOrInvolved(REGISTER_READERS)),
    (Resource::Declaration, Action::List, Who::RolesOrTeam(REGISTER_READERS)),
    (Resource::Declaration, Action::Decide, Who::AssignedApprover),
    (Resource::Declaration, Action::Update, Who::OwnOnly),
    (Resource::Declaration, Action::Export, Who::Roles(INTEGRITY_OFFICE)),
    (Resource::Deputy, Action::Create, Who::Roles(MANAGERS)),
    (Resource::Deputy, Action::Update, Who::Roles(MANAGERS)),
    (Resource::YearlyCheck, Action::View, Who::Member),
    (Resource::YearlyCheck, Action::Update, Who::Member),
    (Resource::YearlyCheck, Action::Create, Who::Roles(INTEGRITY_OFFICE)),
    (Resource::YearlyCheck, Action::List, Who::Roles(INTEGRITY_OFFICE)),
    (Resource::Report, Action::Create, Who::Member),
    (Resource::Case, Action::Create, Who::Roles(CASE_INTAKE)),
    (Resource::Case, Action::List, Who::RolesOwnRows(CASE_HANDLERS)),
    (Resource::Case, Action::View, Who::CaseTeam),
    (Resource::Case, Action::Update, Who::CaseTeam),
    (Resource::Case, Action::Decide, Who::CaseTeamWithRole(DIRECTORS)),
    // Wbk art. 1a: the handlers may know the identity; anyone on the team
    // may ask for it to be disclosed (to whom and why); a handler decides
    // to put the question to the reporter, or confirms a legal obligation.
    (Resource::CaseIdentity, Action::View, Who::IdentityReader),
    (Resource::CaseIdentity, Action::Create, Who::CaseTeam),
    (Resource::CaseIdentity, Action::Decide, Who::CaseHandler),
    (Resource::CaseEmergency, Action::Create, Who::Roles(INTEGRITY_OFFICE)),
    (Resource::CounsellorLog, Action::Create, Who::Roles(COUNSELLORS)),
    (Resource::CounsellorLog, Action::List, Who::RolesOwnRows(COUNSELLORS)),
    (Resource::CounsellorLog, Action::Update, Who::RolesOwnRows(COUNSELLORS)),
    (Resource::DataLeak, Action::List, Who::Roles(DATA_LEAK_READERS)),
    (Resource::DataLeak, Action::View, Who::Roles(DATA_LEAK_READERS)),
    (Resource::Oath, Action::View, Who::RolesTeamOrSelf(PREVENTION_READERS)),
    (Resource::Oath, Action::List, Who::RolesOrTeam(PREVENTION_READERS)),
    (Resource::Oath, Action::Create, Who::Roles(HR)),
    (Resource::Oath, Action::Update, Who::Roles(HR)),
    (Resource::Screening, Action::View, Who::Roles(HR)),
    (Resource::Screening, Action::List, Who::Roles(HR)),
    (Resource::Screening, Action::Create, Who::Roles(HR)),
    (Resource::Screening, Action::Update, Who::Roles(HR)),
    (Resource::CodeAcknowledgement, Action::Create, Who::Member),
    (Resource::CodeAcknowledgement, Action::View, Who::RolesTeamOrSelf(PREVENTION_READERS)),
    (Resource::CodeAcknowledgement, Action::List, Who::RolesOrTeam(PREVENTION_READERS)),
    (Resource::Training, Action::View, Who::RolesTeamOrSelf(PREVENTION_READERS)),
    (Resource::Training, Action::List, Who::RolesOrTeam(PREVENTION_READERS)),
    (Resource::Training, Action::Create, Who::Roles(PREVENTION_READERS)),
    (Resource::Training, Action::Update, Who::Roles(PREVENTION_READERS)),
    (Resource::MoralDeliberation, Action::List, Who::RolesOrTeam(INTEGRITY_OFFICE)),
    (Resource::MoralDeliberation, Action::Create, Who::RolesOrTeam(INTEGRITY_OFFICE)),
    (Resource::MoralDeliberation, Action::Update, Who::RolesOrTeam(INTEGRITY_OFFICE)),
    (Resource::VulnerableFunction, Action::List, Who::Roles(RISK_READERS)),
    (Resource::VulnerableFunction, Action::View, Who::Roles(RISK_READERS)),
    (Resource::VulnerableFunction, Action::Create, Who::Roles(INTEGRITY_OFFICE)),
    (Resource::VulnerableFunction, Action::Update, Who::Roles(INTEGRITY_OFFICE)),
    (Resource::TeamOverview, Action::View, Who::RolesOrTeam(PREVENTION_READERS)),
    (Resource::AnnualReport, Action::View, Who::Roles(REPORT_READERS)),
    (Resource::AnnualReport, Action::Update, Who::Roles(INTEGRITY_OFFICE)),
    (Resource::AnnualReport, Action::Export, Who::Roles(REPORT_READERS)),
    (Resource::CounsellorCounts, Action::View, Who::Roles(COUNSELLOR_COUNT_READERS)),
    (Resource::Designation, Action::View, Who::Roles(DESIGNATION_READERS)),
    (Resource::Designation, Action::Update, Who::Roles(ADMIN)),
    (Resource::Publication, Action::View, Who::RolesOrInvolved(REGISTER_READERS)),
    (Resource::Publication, Action::Update, Who::OwnOnly),
    (Resource::ReportingInfo, Action::Update, Who::Roles(REPORTING_INFO_EDITORS)),
];

/// Decides whether `who` may perform `action` on `resource` at `target`.
pub fn decide(
    who: &Principal,
    action: Action,
    resource: Resource,
    target: Target,
) -> Result<Permit, Denied> {
    // Tenancy first: no role reaches into another organisation.
    if target.org != who.org {
        return Err(Denied);
    }
    // A person named in a case never reaches it, whatever their roles.
    if target.relation == Relation::Named {
        return Err(Denied);
    }
    let rule = RULES
        .iter()
        .find(|(r, a, _)| *r == resource && *a == action)
        .map(|(_, _, w)| *w)
        .ok_or(Denied)?;
    let scope = match rule {
        Who::Member => Some(Scope::Organisation),
        Who::Roles(roles) => who.roles.has_any(roles).then_some(Scope::Organisation),
        Who::RolesOrTeam(roles) => {
            if who.roles.has_any(roles) {
                Some(Scope::Organisation)
            } else if who.roles.has(Role::Manager) {
                Some(Scope::Team(who.person))
            } else {
                None
            }
        }
        Who::OwnOrTeam => match target.relation {
            Relation::Own => Some(Scope::Own(who.person)),
            Relation::DirectReport if who.roles.has(Role::Manager) => Some(Scope::Team(who.person)),
            _ => None,
        },
        Who::RolesOrInvolved(roles) => {
            if who.roles.has_any(roles) {
                Some(Scope::Organisation)
            } else {
                match target.relation {
                    Relation::Own | Relation::Approver => Some(Scope::Own(who.person)),
                    Relation::DirectReport if who.roles.has(Role::Manager) => {
                        Some(Scope::Team(who.person))
                    }
                    _ => None,
                }
            }
        }
        Who::AssignedApprover => {
            (target.relation == Relation::Approver).then_some(Scope::Own(who.person))
        }
        Who::OwnOnly => (target.relation == Relation::Own).then_some(Scope::Own(who.person)),
        Who::RolesOwnRows(roles) => who.roles.has_any(roles).then_some(Scope::Own(who.person)),
        Who::CaseTeam => on_team(target.relation).then_some(Scope::Own(who.person)),
        Who::CaseTeamWithRole(roles) => {
            (on_team(target.relation) && who.roles.has_any(roles)).then_some(Scope::Own(who.person))
        }
        Who::CaseHandler => {
            (target.relation == Relation::CaseHandler).then_some(Scope::Own(who.person))
        }
        Who::IdentityReader => matches!(
            target.relation,
            Relation::CaseHandler | Relation::IdentityRecipient
        )
        .then_some(Scope::Own(who.person)),
        Who::RolesTeamOrSelf(roles) => {
            if who.roles.has_any(roles) {
                Some(Scope::Organisation)
            } else {
                match target.relation {
                    Relation::Own => Some(Scope::Own(who.person)),
                    Relation::DirectReport if who.roles.has(Role::Manager) => {
                        Some(Scope::Team(who.person))
                    }
                    _ => None,
                }
            }
        }
    };
    scope.map(|scope| Permit { scope }).ok_or(Denied)
}

/// Whether a relation puts the asker on the case team.
fn on_team(relation: Relation) -> bool {
    matches!(
        relation,
        Relation::CaseTeam | Relation::CaseHandler | Relation::IdentityRecipient
    )
}

/// Convenience for navigation: may this person do this at all (on the
/// organisation as a whole)? Never use it instead of [`decide`] on an object.
pub fn may(who: &Principal, action: Action, resource: Resource) -> bool {
    decide(who, action, resource, Target::org(who.org)).is_ok()
}

/// Whether an admin may change roles so that `new_roles` results for
/// `subject`: nobody removes their own admin role (that would lock the
/// organisation out of its own administration).
pub fn may_set_roles(who: &Principal, subject: PersonId, new_roles: &RoleSet) -> bool {
    !(subject == who.person && who.roles.has(Role::Admin) && !new_roles.has(Role::Admin))
}
