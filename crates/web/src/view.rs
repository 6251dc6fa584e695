//! View models: what each template needs, nothing more. Every text comes
//! from the translation files through [`Layout::t`].

use crate::ctx::Ctx;
use crate::forms::FieldErrors;
use askama::Template;
use integer_domain::authz::{Action, Resource, may};
use integer_domain::i18n::{Catalog, Lang};

pub struct NavItem {
    pub href: &'static str,
    pub label_key: &'static str,
    pub current: bool,
    /// A count shown after the label (unread messages).
    pub count: Option<i64>,
}

/// The frame around every page: language, header, navigation.
pub struct Layout {
    pub lang: Lang,
    pub title: String,
    pub path: String,
    pub user_name: Option<String>,
    pub org_name: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub demo: bool,
}

impl Layout {
    pub fn new(ctx: &Ctx, title_key: &str) -> Layout {
        let catalog = Catalog::bundled();
        let mut nav = Vec::new();
        if let Some(user) = &ctx.user {
            let p = &user.principal;
            let items: [(&'static str, &'static str, bool); 13] = [
                ("/", "nav-home", true),
                (
                    "/mag-dit",
                    "nav-mayi",
                    may(p, Action::View, Resource::PolicyCheck),
                ),
                (
                    "/gedragscode",
                    "nav-code",
                    may(p, Action::View, Resource::CodeOfConduct),
                ),
                ("/verklaringen", "nav-mine", true),
                ("/berichten", "nav-messages", true),
                (
                    "/beoordelen",
                    "nav-inbox",
                    p.roles.has_any(&[
                        integer_domain::org::Role::Manager,
                        integer_domain::org::Role::Director,
                        integer_domain::org::Role::Board,
                        integer_domain::org::Role::IntegrityOffice,
                    ]),
                ),
                (
                    "/registers",
                    "nav-register",
                    may(p, Action::List, Resource::Declaration)
                        || may(p, Action::List, Resource::DataLeak),
                ),
                (
                    "/organisatie/eenheden",
                    "nav-units",
                    may(p, Action::List, Resource::Unit),
                ),
                (
                    "/organisatie/mensen",
                    "nav-people",
                    may(p, Action::List, Resource::Person),
                ),
                (
                    "/organisatie/import",
                    "nav-import",
                    may(p, Action::Import, Resource::PeopleImport),
                ),
                (
                    "/organisatie/audit",
                    "nav-audit",
                    may(p, Action::View, Resource::AuditTrail),
                ),
                (
                    "/organisatie/gedragsregels",
                    "nav-preset",
                    may(p, Action::Update, Resource::Organisation),
                ),
                (
                    "/organisatie/aangewezen-functies",
                    "nav-designation",
                    may(p, Action::View, Resource::Designation),
                ),
            ];
            // The counsellors' log; its counts for the integrity office
            // (counsellors reach them from the log).
            let counsel: [(&'static str, &'static str, bool); 2] = [
                (
                    "/vertrouwenspersoon",
                    "nav-counsel-log",
                    may(p, Action::List, Resource::CounsellorLog),
                ),
                (
                    "/vertrouwenspersoon/cijfers",
                    "nav-counsel-counts",
                    may(p, Action::View, Resource::CounsellorCounts)
                        && !may(p, Action::List, Resource::CounsellorLog),
                ),
            ];
            // The reporting point: everyone may report; case handlers see
            // the cases they are on.
            let meldpunt: [(&'static str, &'static str, bool); 3] = [
                (
                    "/melden",
                    "nav-report",
                    may(p, Action::Create, Resource::Report),
                ),
                ("/zaken", "nav-cases", may(p, Action::List, Resource::Case)),
                (
                    "/organisatie/meldpunt-informatie",
                    "nav-meldpunt-info",
                    may(p, Action::Update, Resource::ReportingInfo),
                ),
            ];
            // Prevention (docs/PREVENTION.md): the oath register, screening,
            // who read the code of conduct, and their settings.
            let prevention: [(&'static str, &'static str, bool); 4] = [
                (
                    "/organisatie/eed",
                    "nav-oath",
                    may(p, Action::List, Resource::Oath),
                ),
                (
                    "/organisatie/screening",
                    "nav-screening",
                    may(p, Action::List, Resource::Screening),
                ),
                (
                    "/organisatie/gedragscode-gelezen",
                    "nav-code-ack",
                    may(p, Action::List, Resource::CodeAcknowledgement),
                ),
                (
                    "/organisatie/preventie-instellingen",
                    "nav-prevention-settings",
                    may(p, Action::Update, Resource::Organisation),
                ),
            ];
            // Learning (docs/LEARNING.md): one's own trainings, the records,
            // moral deliberation, a manager's team, vulnerable functions.
            let learning: [(&'static str, &'static str, bool); 5] = [
                ("/mijn-integriteit", "nav-learning-mine", true),
                (
                    "/organisatie/trainingen",
                    "nav-learning-trainings",
                    may(p, Action::List, Resource::Training),
                ),
                (
                    "/organisatie/moreel-beraad",
                    "nav-learning-deliberation",
                    may(p, Action::List, Resource::MoralDeliberation),
                ),
                (
                    "/team/integriteit",
                    "nav-learning-team",
                    may(p, Action::View, Resource::TeamOverview),
                ),
                (
                    "/organisatie/kwetsbare-functies",
                    "nav-vulnerable",
                    may(p, Action::List, Resource::VulnerableFunction),
                ),
            ];
            // The statements (administrators): the installation's
            // accessibility statement and the organisation's privacy
            // statement for the reporting point.
            let statements: [(&'static str, &'static str, bool); 2] = [
                (
                    "/organisatie/toegankelijkheid",
                    "nav-accessibility",
                    may(p, Action::Update, Resource::Organisation),
                ),
                (
                    "/organisatie/privacy",
                    "nav-privacy",
                    may(p, Action::Update, Resource::Organisation),
                ),
            ];
            let items = items
                .into_iter()
                .chain(statements)
                .chain(counsel)
                .chain(meldpunt)
                .chain(prevention)
                .chain(learning)
                // The annual integrity report.
                .chain([(
                    "/jaarverslag",
                    "nav-annual-report",
                    may(p, Action::View, Resource::AnnualReport),
                )]);
            let here = ctx.path.split('?').next().unwrap_or("/");
            for (href, label_key, allowed) in items {
                if allowed {
                    let current = if href == "/" {
                        here == "/"
                    } else {
                        here.starts_with(href)
                    };
                    nav.push(NavItem {
                        href,
                        label_key,
                        current,
                        count: (href == "/berichten" && user.unread > 0).then_some(user.unread),
                    });
                }
            }
        }
        Layout {
            lang: ctx.lang,
            title: catalog.get(ctx.lang, title_key).to_string(),
            path: ctx.path.clone(),
            user_name: ctx.user.as_ref().map(|u| u.name.clone()),
            org_name: ctx.user.as_ref().map(|u| u.org.name.clone()),
            csrf: ctx
                .user
                .as_ref()
                .map(|u| u.csrf.clone())
                .unwrap_or_default(),
            nav,
            demo: ctx.demo,
        }
    }

    /// A layout for pages shown without a request context (error pages).
    pub fn bare(lang: Lang, title_key: &str) -> Layout {
        Layout {
            lang,
            title: Catalog::bundled().get(lang, title_key).to_string(),
            path: "/".into(),
            user_name: None,
            org_name: None,
            csrf: String::new(),
            nav: Vec::new(),
            demo: false,
        }
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        // The catalogue lives for the whole program.
        let catalog: &'static Catalog = Catalog::bundled();
        match catalog.has(self.lang, key) {
            true => catalog.get(self.lang, key),
            false => key,
        }
    }

    /// A text with arguments, e.g. `tf("people-count", &[("n", "12")])`.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, v.to_string())).collect();
        Catalog::bundled().format(self.lang, key, &args)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn switch_href(&self, code: &str) -> String {
        format!("/taal/{code}?terug={}", crate::error::encode(&self.path))
    }

    pub fn is_lang(&self, code: &str) -> bool {
        self.lang.code() == code
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub l: Layout,
    pub key: String,
    /// Shown so that a complaint can be found in the logs.
    pub request_id: Option<String>,
}

impl ErrorPage {
    pub fn new(lang: Lang, key: &str) -> ErrorPage {
        ErrorPage {
            l: Layout::bare(lang, key),
            key: key.to_string(),
            request_id: None,
        }
    }

    pub fn text_key(&self) -> String {
        format!("{}-text", self.key)
    }
}

pub struct OrgOption {
    pub slug: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub l: Layout,
    pub orgs: Vec<OrgOption>,
    pub email: String,
    pub back_to: String,
    pub login_csrf: String,
    pub errors: FieldErrors,
    pub form_error: Option<String>,
}

pub struct Tile {
    pub title_key: &'static str,
    pub text_key: &'static str,
    /// `None`: the feature is not available yet.
    pub href: Option<String>,
}

pub struct TileGroup {
    pub title_key: &'static str,
    pub tiles: Vec<Tile>,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub l: Layout,
    pub roles: Vec<&'static str>,
    pub groups: Vec<TileGroup>,
}

pub struct TreeRow {
    pub name: String,
    pub kind_key: &'static str,
    pub people: i64,
    /// Opening `<ul>` tags before this row and closing after, flattened so
    /// that the template needs no recursion.
    pub open: usize,
    pub close: usize,
    pub has_children: bool,
}

pub struct UnitOption {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "units.html")]
pub struct UnitsPage {
    pub l: Layout,
    pub rows: Vec<TreeRow>,
    pub can_create: bool,
    pub parents: Vec<UnitOption>,
    pub name: String,
    pub kind: String,
    pub errors: FieldErrors,
    pub created: bool,
}

pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub employee_number: String,
    pub function_title: String,
    pub unit: String,
}

pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "people.html")]
pub struct PeoplePage {
    pub l: Layout,
    pub query: String,
    pub rows: Vec<PersonRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub links: Vec<PageLink>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub team_only: bool,
}

pub struct RoleChoice {
    pub code: &'static str,
    pub label_key: &'static str,
    pub held: bool,
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub l: Layout,
    pub person: integer_store::people::Person,
    pub employment_key: &'static str,
    pub roles: Vec<RoleChoice>,
    pub can_edit_roles: bool,
    pub saved: bool,
    pub errors: FieldErrors,
    /// The person's declarations, for those who may see them (HR's
    /// personnel file, the manager, the person); `None`: not shown.
    pub declarations: Option<Vec<DeclarationRow>>,
}

impl PersonPage {
    pub fn yes_no(&self, b: &bool) -> &'static str {
        self.l.t(if *b { "yes" } else { "no" })
    }
}

pub struct ImportErrorRow {
    pub line: u64,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub l: Layout,
    pub errors: FieldErrors,
    pub file_error: Option<String>,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
pub struct ImportPreviewPage {
    pub l: Layout,
    pub import_id: i64,
    pub file_name: String,
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
    pub line_errors: Vec<ImportErrorRow>,
    /// After applying: the result instead of the preview.
    pub applied: bool,
}

pub struct AuditRowView {
    /// Emergency access to a case: shown so that it stands out.
    pub alert: bool,
    /// The written reason of an emergency access.
    pub note: String,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub credential: String,
    pub action: String,
    pub object: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub l: Layout,
    pub rows: Vec<AuditRowView>,
    pub older: Option<String>,
}

pub struct KindChoice {
    pub code: &'static str,
    pub label_key: String,
    pub text_key: String,
}

#[derive(Template)]
#[template(path = "mayi_kind.html")]
pub struct MayIKindPage {
    pub l: Layout,
    pub kinds: Vec<KindChoice>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "mayi_question.html")]
pub struct MayIQuestionPage {
    pub l: Layout,
    pub kind: &'static str,
    pub kind_key: String,
    pub field: &'static str,
    pub label_key: String,
    pub help_key: String,
    /// `flag`, `number`, `appearance`, `choice` (one of `options`) or
    /// `control` (the preset's questionnaire).
    pub answer: &'static str,
    pub value: String,
    /// For a choice: (value, label) in the page's language.
    pub options: Vec<(String, String)>,
    /// For a questionnaire: its title, introduction and source.
    pub control_title: String,
    pub control_intro: String,
    pub control_sources: Vec<CitationView>,
    /// For a questionnaire: (number, answer so far, question).
    pub controls: Vec<(usize, String, String)>,
    pub number: usize,
    pub total: usize,
    pub hidden: Vec<(String, String)>,
    pub back: String,
    pub error: Option<String>,
}

pub struct CitationView {
    pub href: String,
    pub label: String,
    pub document: String,
}

#[derive(Template)]
#[template(path = "mayi_result.html")]
pub struct MayIResultPage {
    pub l: Layout,
    pub kind_key: String,
    pub verdict: &'static str,
    pub verdict_key: String,
    /// The alert style: ok, info, warning or error.
    pub alert: &'static str,
    pub approver: &'static str,
    pub approver_key: Option<String>,
    pub obligations: Vec<&'static str>,
    pub explanation: String,
    pub citations: Vec<CitationView>,
    /// Why the organisation added a rule the cited text does not state,
    /// one per such rule that decided.
    pub additions: Vec<String>,
    pub preset_version: String,
    pub back: String,
    pub filing: FilingForm,
    /// A side activity of someone in a designated function: it will be
    /// published (the designation decides, not the preset).
    pub publication_notice: Option<String>,
}

pub struct DocumentLink {
    pub href: String,
    pub title: String,
    pub sections: usize,
}

pub struct SearchHitView {
    pub href: String,
    pub label: String,
    pub document: String,
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "code_index.html")]
pub struct CodeIndexPage {
    pub l: Layout,
    pub organisation: String,
    pub version: String,
    pub documents: Vec<DocumentLink>,
    pub query: String,
    pub searched: bool,
    pub hits: Vec<SearchHitView>,
}

pub struct SectionView {
    pub anchor: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
}

#[derive(Template)]
#[template(path = "code_document.html")]
pub struct CodeDocumentPage {
    pub l: Layout,
    pub title: String,
    pub sections: Vec<SectionView>,
}

pub struct PresetProblemView {
    pub location: String,
    pub path: String,
    pub reason: String,
}

pub struct RevisionView {
    pub revision: i64,
    pub digest: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "preset_edit.html")]
pub struct PresetEditPage {
    pub l: Layout,
    pub base: String,
    pub revision: i64,
    pub version: String,
    /// The revision this edit builds on (compare-and-set).
    pub expected: i64,
    pub source: String,
    pub problems: Vec<PresetProblemView>,
    pub message_key: Option<&'static str>,
    pub history: Vec<RevisionView>,
    pub publish_names: bool,
    pub escalation_days: String,
    pub settings_errors: FieldErrors,
}

pub struct TeamOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// The form under a "Mag dit?" answer that files it as a declaration.
#[derive(Default)]
pub struct FilingForm {
    pub hidden: Vec<(String, String)>,
    /// Direct reports a manager may file for (empty for everyone else).
    pub team: Vec<TeamOption>,
    pub description: String,
    pub third_party: String,
    pub event_date: String,
    pub errors: FieldErrors,
}

pub struct DeclarationRow {
    pub id: i64,
    pub person: String,
    pub kind_key: String,
    pub status_key: String,
    pub status: String,
    pub created: String,
    pub value: String,
    pub unit: String,
    pub description: String,
    pub version: i64,
}

#[derive(Template)]
#[template(path = "declarations.html")]
pub struct DeclarationsPage {
    pub l: Layout,
    /// "mine" or "register".
    pub mode: &'static str,
    pub rows: Vec<DeclarationRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub filters: RegisterFilters,
    pub can_export: bool,
    pub export_query: String,
    pub filed: bool,
}

#[derive(Default)]
pub struct RegisterFilters {
    pub kind: String,
    pub status: String,
    pub unit: String,
    pub from: String,
    pub until: String,
    pub min: String,
    pub max: String,
    pub q: String,
    pub kinds: Vec<(&'static str, String)>,
    pub statuses: Vec<(&'static str, String)>,
    pub units: Vec<(i64, String)>,
    pub errors: FieldErrors,
}

pub struct DeputyView {
    pub id: i64,
    pub name: String,
    pub from: String,
    pub until: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub l: Layout,
    pub rows: Vec<DeclarationRow>,
    pub done: Option<String>,
    pub can_deputise: bool,
    pub deputies: Vec<DeputyView>,
    pub errors: FieldErrors,
    pub deputy_email: String,
    pub deputy_from: String,
    pub deputy_until: String,
}

pub struct AnswerView {
    /// The question, in the page's language.
    pub question: String,
    pub answer: String,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action_key: String,
}

#[derive(Template)]
#[template(path = "declaration.html")]
pub struct DeclarationPage {
    pub l: Layout,
    pub d: integer_store::declarations::DeclarationRecord,
    pub kind_key: String,
    pub status_key: String,
    pub verdict_key: String,
    pub route: String,
    pub value: String,
    pub answers: Vec<AnswerView>,
    pub events: Vec<EventView>,
    pub can_decide: bool,
    pub can_withdraw: bool,
    pub can_respond: bool,
    pub is_gift: bool,
    pub errors: FieldErrors,
    pub notice_key: Option<&'static str>,
    /// The side activity's publication in the public register, for those
    /// who may see it.
    pub publication: Option<PublicationView>,
    /// Reporting that a side activity ended.
    pub end: EndView,
    /// The decision form's values when it comes back with errors.
    pub chosen: String,
    pub conditions: String,
    pub reason: String,
}

/// A side activity's publication, as its declaration's page shows it.
#[derive(Debug, Clone)]
pub struct PublicationView {
    /// Exactly what appears (or will appear) in the public register.
    pub entry: integer_store::publication::PublicEntry,
    /// Why it is published; `None` when it no longer is (the person is no
    /// longer designated or left).
    pub basis: Option<String>,
    pub public: bool,
    /// The day it became (or becomes) public, `YYYY-MM-DD`.
    pub since: String,
    pub informed: String,
    pub seen: Option<String>,
    /// The day the person last corrected the text.
    pub corrected: Option<String>,
    /// The declaration's own text, shown beside a correction.
    pub original_activity: String,
    pub original_organisation: Option<String>,
    /// The person may confirm or correct it.
    pub can_act: bool,
    pub version: i64,
    /// The correction form's values.
    pub form_activity: String,
    pub form_organisation: String,
}

/// Reporting that a side activity ended.
#[derive(Debug, Clone, Default)]
pub struct EndView {
    pub can_end: bool,
    pub ended_on: Option<String>,
    /// The form's value when it comes back with an error.
    pub date: String,
}

impl DeclarationPage {
    pub fn obligation_key(&self, code: &String) -> String {
        format!("obligation-{code}")
    }

    pub fn outcome_key(&self) -> String {
        format!("outcome-{}", self.d.outcome.clone().unwrap_or_default())
    }

    pub fn destination_key(&self) -> String {
        format!(
            "destination-{}",
            self.d.destination.clone().unwrap_or_default()
        )
    }
}

#[derive(Template)]
#[template(path = "public_register.html")]
pub struct PublicRegisterPage {
    pub l: Layout,
    pub organisation: String,
    pub slug: String,
    pub updated: String,
    pub entries: Vec<integer_store::publication::PublicEntry>,
}

#[derive(Template)]
#[template(path = "check.html")]
pub struct CheckPage {
    pub l: Layout,
    pub year: Option<i64>,
    pub answered: Option<String>,
    pub rows: Vec<DeclarationRow>,
    pub done: bool,
    pub errors: FieldErrors,
}

pub struct CheckProgressRow {
    pub unit: String,
    pub people: i64,
    pub answered: i64,
    pub percent: i64,
}

pub struct CheckYearRow {
    pub year: i64,
    pub answered: i64,
    pub none: i64,
    pub percent: i64,
}

#[derive(Template)]
#[template(path = "check_admin.html")]
pub struct CheckAdminPage {
    pub l: Layout,
    pub year: Option<i64>,
    pub next_year: i64,
    pub total_people: i64,
    pub total_answered: i64,
    pub progress: Vec<CheckProgressRow>,
    pub history: Vec<CheckYearRow>,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

pub struct MessageRow {
    pub at: String,
    pub text_key: String,
    pub href: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "messages.html")]
pub struct MessagesPage {
    pub l: Layout,
    pub rows: Vec<MessageRow>,
}
