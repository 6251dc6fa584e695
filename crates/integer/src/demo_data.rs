//! Example data for the demo organisations (`integer demo`), so that the
//! registers, the public register, the reporting point and the annual
//! report are not empty the first time someone looks, while the demo
//! accounts' own inboxes and lists stay small enough to follow the
//! walk-through.
//!
//! [`populate`] fills one demo organisation after its people and demo
//! accounts exist, in one write transaction, through the store functions
//! the web pages and the command line use (their audit rows are written
//! with the actor `cli`, as the other commands do):
//!
//! - about fifty declarations of every kind and in every status, filed over
//!   last year and this year. They are backdated, so they go in through the
//!   bulk writer of `integer seed` (`integer_store::seed::insert_declarations`),
//!   each with the verdict, approver, obligations and route that the
//!   organisation's preset gives for its answers, as "Mag dit?" would. The
//!   demo employee has three of their own (waiting with their manager,
//!   approved, refused); two or three requests wait in the demo manager's
//!   inbox, and at most one in a queue of the director, the board or the
//!   integrity office;
//! - side activities of people in designated functions (the organisation's
//!   designation: its preset's default in `policies/designation/`, and
//!   people designated one by one), approved, announced for publication and
//!   confirmed by the person, so that they are in the public register;
//! - five reporting-point cases in different steps on the demo integrity
//!   office's list (`cases::create` and the steps the case page takes), and
//!   older fictitious cases (`cases::seed_synthetic`, handled by a
//!   colleague) so that last year's report counts reports;
//! - trainings, moral deliberation sessions, a team meeting, oaths and
//!   entries in the counsellor's log;
//! - a drafted (saved, unpublished) annual report for last year.
//!
//! Everything is fictitious and the same for the same organisation (the
//! choices come from a generator seeded by the slug); dates follow today.

use anyhow::{Context, anyhow, bail};
use integer_domain::annual_report::{Narrative, year_bounds};
use integer_domain::audit::Credential;
use integer_domain::authz::Scope;
use integer_domain::case::{
    CaseKind, Category, Channel, Finding, IdentityMode, Measure, Mover, State, TeamRole,
    TransitionInput, check_transition, local_date,
};
use integer_domain::counsel::{Consultation, Topic, Visitor};
use integer_domain::crypto::InstallationKey;
use integer_domain::declaration::{self as decl, GiftDestination, Outcome, Route, Status};
use integer_domain::learning::{Deliberation, Theme, Training, TrainingKind};
use integer_domain::org::{OrgId, PersonId, Role, UnitId};
use integer_domain::policy::{self, AnswerType, Approver, Kind, Obligation, Preset, Verdict};
use integer_domain::prevention::{BodyKind, Oath, OathKind};
use integer_domain::synthetic::SyntheticDeclaration;
use integer_store::orgs::Organisation;
use integer_store::people::{self as staff, Person};
use integer_store::{
    Db, Store, annual_report, audit, cases, counsellor_log, declarations, learning, prevention,
    publication, seed as seeding,
};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
/// Declarations spread over last year and this year, besides the ones the
/// walk-through needs.
const BULK_DECLARATIONS: usize = 36;
/// Older fictitious cases (before this year), for the annual report.
const HISTORY_CASES: usize = 12;
/// Requests from the demo manager's other reports that wait in their inbox.
const TEAM_WAITING: usize = 2;
/// The actor of the audit rows: the command line made the demo.
const ACTOR: &str = "cli";

// --- What people declare ---------------------------------------------------

/// An answer to one of "Mag dit?"'s questions.
#[derive(Debug, Clone, Copy)]
enum Fact {
    Flag(bool),
    Number(f64),
    Appearance(&'static str),
    /// A code of a choice (`item`).
    Text(&'static str),
}

/// A declaration as somebody would file it: the facts they know (only the
/// ones the preset asks for are kept) and the texts.
#[derive(Debug)]
struct Template {
    kind: Kind,
    facts: &'static [(&'static str, Fact)],
    description: &'static str,
    third_party: Option<&'static str>,
}

static GIFT_SMALL: Template = Template {
    kind: Kind::Gift,
    facts: &[
        ("value_eur", Fact::Number(20.0)),
        ("customary_thank_you", Fact::Flag(true)),
        ("incidental", Fact::Flag(true)),
        ("appearance_of_corruption", Fact::Appearance("none")),
    ],
    description: "Doos bonbons van een bewonersvereniging na een informatieavond",
    third_party: Some("Bewonersvereniging De Hoek"),
};
static GIFT_WINE: Template = Template {
    kind: Kind::Gift,
    facts: &[("value_eur", Fact::Number(35.0))],
    description: "Fles wijn van een leverancier na de oplevering van een project",
    third_party: Some("Installatiebedrijf Smit"),
};
static GIFT_XMAS: Template = Template {
    kind: Kind::Gift,
    facts: &[("value_eur", Fact::Number(75.0))],
    description: "Kerstpakket van een adviesbureau",
    third_party: Some("Adviesbureau Noord"),
};
static GIFT_BIG: Template = Template {
    kind: Kind::Gift,
    facts: &[("value_eur", Fact::Number(150.0))],
    description: "Dinerbon van een aannemer",
    third_party: Some("Bouwbedrijf Van Dam BV"),
};
static INV_FUNC: Template = Template {
    kind: Kind::Invitation,
    facts: &[
        ("value_eur", Fact::Number(60.0)),
        ("functional", Fact::Flag(true)),
        ("paid_by_third_party", Fact::Flag(true)),
        ("appearance_of_corruption", Fact::Appearance("none")),
    ],
    description: "Uitnodiging voor een congres over de Omgevingswet",
    third_party: Some("Kamer van Koophandel"),
};
static INV_FOOTBALL: Template = Template {
    kind: Kind::Invitation,
    facts: &[
        ("value_eur", Fact::Number(120.0)),
        ("functional", Fact::Flag(false)),
        ("paid_by_third_party", Fact::Flag(true)),
        ("appearance_of_corruption", Fact::Appearance("minimal")),
    ],
    description: "Kaarten voor een voetbalwedstrijd in een skybox",
    third_party: Some("ICT Partners BV"),
};
static TRIP: Template = Template {
    kind: Kind::Trip,
    facts: &[
        ("value_eur", Fact::Number(900.0)),
        ("functional", Fact::Flag(true)),
        ("abroad", Fact::Flag(true)),
        ("paid_by_third_party", Fact::Flag(true)),
        ("includes_travel_or_stay", Fact::Flag(true)),
        ("appearance_of_corruption", Fact::Appearance("none")),
    ],
    description: "Studiereis naar Kopenhagen over fietsbeleid, reis en hotel betaald door de organisator",
    third_party: Some("Stichting Fietsstad"),
};
static FACILITY: Template = Template {
    kind: Kind::Facility,
    facts: &[
        ("value_eur", Fact::Number(400.0)),
        ("functional", Fact::Flag(true)),
        ("appearance_of_corruption", Fact::Appearance("minimal")),
    ],
    description: "Gratis softwarelicentie aangeboden door een leverancier",
    third_party: Some("ICT Partners BV"),
};
static SIDE_VOLUNTEER: Template = Template {
    kind: Kind::SideActivity,
    facts: &[
        ("paid", Fact::Flag(false)),
        ("hours_per_week", Fact::Number(2.0)),
    ],
    description: "Vrijwilliger bij de voedselbank",
    third_party: Some("Stichting Voedselbank"),
};
static SIDE_TEACH: Template = Template {
    kind: Kind::SideActivity,
    facts: &[
        ("paid", Fact::Flag(true)),
        ("hours_per_week", Fact::Number(4.0)),
    ],
    description: "Docent bestuursrecht aan een hogeschool, één avond per week",
    third_party: Some("Hogeschool Zuid"),
};
static SIDE_BOARD: Template = Template {
    kind: Kind::SideActivity,
    facts: &[
        ("paid", Fact::Flag(false)),
        ("hours_per_week", Fact::Number(2.0)),
    ],
    description: "Penningmeester van een muziekvereniging",
    third_party: Some("Muziekvereniging Harmonie"),
};
static SIDE_SUPERVISORY: Template = Template {
    kind: Kind::SideActivity,
    facts: &[
        ("paid", Fact::Flag(true)),
        ("hours_per_week", Fact::Number(2.0)),
    ],
    description: "Lid raad van toezicht van een woningcorporatie",
    third_party: Some("Woningcorporatie Thuis"),
};
static SIDE_MUSEUM: Template = Template {
    kind: Kind::SideActivity,
    facts: &[
        ("paid", Fact::Flag(false)),
        ("hours_per_week", Fact::Number(1.0)),
    ],
    description: "Bestuurslid van een museumstichting",
    third_party: Some("Stichting Streekmuseum"),
};
static FIN: Template = Template {
    kind: Kind::FinancialInterest,
    facts: &[("may_conflict", Fact::Flag(false))],
    description: "Aandelen in een beursgenoteerd bouwbedrijf",
    third_party: Some("Bouwbedrijf Van Dam BV"),
};
static REL: Template = Template {
    kind: Kind::PrivateRelationship,
    facts: &[("may_conflict", Fact::Flag(true))],
    description: "Partner werkt bij een leverancier van de afdeling",
    third_party: None,
};
static PRIVATE_USE: Template = Template {
    kind: Kind::PrivateUse,
    facts: &[
        ("item", Fact::Text("service_car")),
        ("explicit_permission", Fact::Flag(false)),
    ],
    description: "Dienstauto gebruiken voor een verhuizing in het weekend",
    third_party: None,
};
static EXPENSE: Template = Template {
    kind: Kind::Expense,
    facts: &[("functional", Fact::Flag(true))],
    description: "Werklunch met een externe partij na een projectoverleg",
    third_party: None,
};
static HIRE: Template = Template {
    kind: Kind::HireFormerEmployee,
    facts: &[
        ("months_since_departure", Fact::Number(8.0)),
        ("compelling_reasons", Fact::Flag(true)),
    ],
    description: "Inhuur van een oud-medewerker als interim-projectleider",
    third_party: Some("Interim Partners BV"),
};
static LEAK: Template = Template {
    kind: Kind::DataLeak,
    facts: &[
        ("people_affected", Fact::Number(1.0)),
        ("sensitive_data", Fact::Flag(false)),
        ("contained", Fact::Flag(true)),
    ],
    description: "E-mail met een bijlage over een inwoner naar de verkeerde ontvanger gestuurd",
    third_party: None,
};

/// The order of the bulk declarations: gifts and invitations most often,
/// every kind at least once.
static BULK_ORDER: [&Template; 24] = [
    &GIFT_SMALL,
    &INV_FUNC,
    &GIFT_XMAS,
    &SIDE_VOLUNTEER,
    &GIFT_WINE,
    &INV_FOOTBALL,
    &GIFT_BIG,
    &FACILITY,
    &SIDE_TEACH,
    &FIN,
    &GIFT_SMALL,
    &INV_FUNC,
    &TRIP,
    &EXPENSE,
    &GIFT_XMAS,
    &SIDE_BOARD,
    &PRIVATE_USE,
    &GIFT_WINE,
    &REL,
    &INV_FOOTBALL,
    &HIRE,
    &GIFT_BIG,
    &LEAK,
    &EXPENSE,
];

/// What becomes of a declaration that needs a decision, in turn.
const DECIDED_CYCLE: [Fate; 12] = [
    Fate::Approved,
    Fate::Approved,
    Fate::Conditions,
    Fate::Refused,
    Fate::Approved,
    Fate::Withdrawn,
    Fate::Approved,
    Fate::Conditions,
    Fate::Approved,
    Fate::Refused,
    Fate::Approved,
    Fate::Approved,
];

const DESTINATIONS: [GiftDestination; 6] = [
    GiftDestination::Keep,
    GiftDestination::ShareWithColleagues,
    GiftDestination::Raffle,
    GiftDestination::HandIn,
    GiftDestination::Donate,
    GiftDestination::Keep,
];

fn conditions_for(kind: Kind) -> &'static str {
    match kind {
        Kind::Gift => "Het geschenk wordt met het team gedeeld.",
        Kind::SideActivity => {
            "Alleen buiten werktijd, en niet betrokken bij besluiten over subsidies of opdrachten aan deze organisatie."
        }
        Kind::Invitation | Kind::Trip => "De organisatie betaalt de reis- en verblijfkosten zelf.",
        _ => "Melden als de omstandigheden veranderen.",
    }
}

fn refusal_for(kind: Kind) -> &'static str {
    match kind {
        Kind::Gift => "De waarde is te hoog; het geschenk gaat terug naar de gever.",
        Kind::Invitation | Kind::Trip => {
            "Er loopt een aanbesteding met deze partij; dat geeft de schijn van belangenverstrengeling."
        }
        Kind::SideActivity => "De nevenwerkzaamheid raakt aan het eigen werkterrein.",
        Kind::PrivateUse => "Middelen van de organisatie zijn niet voor privégebruik.",
        _ => "Dat geeft de schijn van belangenverstrengeling.",
    }
}

fn question_for(kind: Kind) -> &'static str {
    match kind {
        Kind::Invitation | Kind::Trip => {
            "Wie betaalt de reis en het verblijf precies? Stuur de uitnodiging mee."
        }
        Kind::SideActivity => "Hoeveel uur per week kost het, en valt het binnen werktijd?",
        Kind::Gift => "Wie is de gever precies, en loopt er een aanbesteding met deze partij?",
        _ => "Kunt u de offerte of het verzoek meesturen?",
    }
}

/// The answers as the web application stores them: the kind, the person's
/// own facts from the personnel record, and an answer to every question the
/// preset asks for this kind (an unknown yes/no is "no"; an unknown number
/// is left out, as "don't know" is).
fn answers(preset: &Preset, t: &Template, person: &Person) -> Value {
    let mut map = Map::new();
    map.insert("kind".into(), json!(t.kind.code()));
    map.insert(
        "employee".into(),
        json!({
            "salary_scale": person.salary_scale,
            "top_official": person.top_official,
            "designated_function": person.designated_function,
        }),
    );
    for q in policy::questions(preset, t.kind) {
        let given = t
            .facts
            .iter()
            .find(|(field, _)| *field == q.field)
            .map(|(_, fact)| *fact);
        let value = match (given, q.answer) {
            (Some(Fact::Flag(b)), _) => json!(b),
            (Some(Fact::Number(n)), _) => json!(n),
            (Some(Fact::Appearance(a)), _) => json!(a),
            (Some(Fact::Text(code)), _) => json!(code),
            (None, AnswerType::Flag) => json!(false),
            (None, _) => continue,
        };
        map.insert(q.field.to_string(), value);
    }
    Value::Object(map)
}

/// A declaration as the engine decided it and the application routed it.
#[derive(Debug, Clone)]
struct Filed {
    answers: String,
    value_cents: Option<i64>,
    verdict: Verdict,
    approver: Option<Approver>,
    obligations: Vec<Obligation>,
    preset_version: String,
    /// Where it waits for a decision; `None` when it is only registered.
    route: Option<Route>,
}

/// Decides and routes a template for a person, as `POST /verklaringen` does.
async fn file(
    db: &mut Db,
    org: OrgId,
    preset: &Preset,
    person: &Person,
    t: &Template,
) -> anyhow::Result<Filed> {
    let value = answers(preset, t, person);
    let declaration = policy::declaration_from_value(&value)
        .map_err(|e| anyhow!("demo declaration ({}): {}", t.kind.code(), e.code()))?;
    let decision = policy::decide(preset, &declaration);
    let status = decl::initial_status(decision.verdict, decision.approver);
    let route = match (status, decision.approver) {
        (Status::Submitted, Some(approver)) => {
            let chain = declarations::manager_chain(&mut *db, org, person.id).await?;
            Some(decl::route(approver, person.id, &chain))
        }
        _ => None,
    };
    let value_cents = value
        .get("value_eur")
        .and_then(Value::as_f64)
        .map(|e| (e * 100.0).round() as i64);
    Ok(Filed {
        answers: value.to_string(),
        value_cents,
        verdict: decision.verdict,
        approver: decision.approver,
        obligations: decision.obligations,
        preset_version: decision.preset_version,
        route,
    })
}

/// The first of `candidates` (not in `skip`) whose filing `fits`.
async fn first_fitting(
    db: &mut Db,
    org: OrgId,
    preset: &Preset,
    person: &Person,
    candidates: &[&'static Template],
    skip: &[&'static Template],
    fits: impl Fn(&Filed) -> bool,
) -> anyhow::Result<Option<(&'static Template, Filed)>> {
    for t in candidates {
        if skip.iter().any(|s| std::ptr::eq(*s, *t)) {
            continue;
        }
        let filed = file(&mut *db, org, preset, person, t).await?;
        if fits(&filed) {
            return Ok(Some((*t, filed)));
        }
    }
    Ok(None)
}

/// Who decides a routed declaration: the routed manager, else a member of
/// the queue's role (a director when the queue is empty), never the
/// declarant.
async fn decider(
    db: &mut Db,
    org: OrgId,
    declarant: PersonId,
    route: Option<Route>,
) -> anyhow::Result<Option<PersonId>> {
    Ok(match route {
        None => None,
        Some(Route::Person(p)) => Some(p),
        Some(Route::Queue(q)) => {
            let mut found = None;
            for role in [declarations::queue_role(q), Role::Director] {
                found = staff::with_role(&mut *db, org, role)
                    .await?
                    .into_iter()
                    .map(|(id, _, _)| id)
                    .find(|id| *id != declarant);
                if found.is_some() {
                    break;
                }
            }
            found
        }
    })
}

/// What becomes of a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Registered,
    Waiting,
    InfoAsked,
    Approved,
    Conditions,
    Refused,
    Withdrawn,
}

impl Fate {
    fn status(self) -> Status {
        match self {
            Fate::Registered => Status::Registered,
            Fate::Waiting => Status::Submitted,
            Fate::InfoAsked => Status::InfoRequested,
            Fate::Approved => Status::Approved,
            Fate::Conditions => Status::ApprovedWithConditions,
            Fate::Refused => Status::Refused,
            Fate::Withdrawn => Status::Withdrawn,
        }
    }

    fn outcome(self) -> Option<Outcome> {
        match self {
            Fate::InfoAsked => Some(Outcome::AskInformation),
            Fate::Approved => Some(Outcome::Approve),
            Fate::Conditions => Some(Outcome::ApproveWithConditions),
            Fate::Refused => Some(Outcome::Refuse),
            Fate::Registered | Fate::Waiting | Fate::Withdrawn => None,
        }
    }
}

/// A declaration to insert; `person`, `route_person` and `decider` index
/// into the organisation's people (the `people` of [`populate`]).
struct Planned {
    person: usize,
    template: &'static Template,
    filed: Filed,
    fate: Fate,
    created_at: i64,
    route_person: Option<usize>,
    decider: Option<usize>,
}

impl Planned {
    /// The fate the declaration can have: one that is only registered
    /// stays registered (or withdrawn); one that waits gets a decision only
    /// when somebody can decide it.
    fn fate(&self) -> Fate {
        let fate = match (self.filed.route.is_some(), self.fate) {
            (false, Fate::Withdrawn) => Fate::Withdrawn,
            (false, _) => Fate::Registered,
            (true, Fate::Registered) => Fate::Approved,
            (true, f) => f,
        };
        if fate.outcome().is_some() && self.decider.is_none() {
            Fate::Withdrawn
        } else {
            fate
        }
    }

    fn declaration(&self, nth: usize, now: i64) -> SyntheticDeclaration {
        let f = &self.filed;
        let kind = self.template.kind;
        let fate = self.fate();
        let decided_at = (self.created_at + (1 + (nth % 9) as i64) * DAY).min(now - HOUR);
        let mut d = SyntheticDeclaration {
            person: self.person,
            filed_by: self.person,
            kind,
            status: fate.status(),
            route_person: self.route_person,
            route_queue: match f.route {
                Some(Route::Queue(q)) => Some(q),
                _ => None,
            },
            verdict: f.verdict,
            approver: f.approver,
            obligations: intern(
                f.obligations
                    .iter()
                    .map(|o| o.code())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            preset_version: f.preset_version.clone(),
            answers: f.answers.clone(),
            description: self.template.description,
            third_party: self.template.third_party,
            value_cents: f.value_cents,
            event_date: Some(annual_report::day(self.created_at - (nth % 5) as i64 * DAY)),
            outcome: None,
            conditions: None,
            reason: None,
            destination: None,
            decided_by: None,
            decided_at: None,
            created_at: self.created_at,
            updated_at: self.created_at,
            version: 1,
        };
        if fate == Fate::Withdrawn {
            d.updated_at = decided_at;
            d.version = 2;
        }
        if let Some(outcome) = fate.outcome() {
            d.outcome = Some(outcome);
            d.decided_by = self.decider;
            d.decided_at = Some(decided_at);
            d.updated_at = decided_at;
            d.version = 2;
            match outcome {
                Outcome::ApproveWithConditions => d.conditions = Some(conditions_for(kind)),
                Outcome::Refuse => d.reason = Some(refusal_for(kind)),
                Outcome::AskInformation => d.reason = Some(question_for(kind)),
                Outcome::Approve => {}
            }
            if kind == Kind::Gift {
                d.destination = match outcome {
                    Outcome::Refuse => Some(GiftDestination::ReturnToGiver),
                    Outcome::ApproveWithConditions => Some(GiftDestination::ShareWithColleagues),
                    Outcome::Approve => Some(DESTINATIONS[nth % DESTINATIONS.len()]),
                    Outcome::AskInformation => None,
                };
            }
        }
        d
    }
}

/// A `&'static str` for a text made at run time (the obligations of a
/// synthetic declaration are static strings); each distinct text is kept
/// once, and there are only a few.
fn intern(text: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{LazyLock, Mutex};
    static KEPT: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&k) = kept.get(text.as_str()) {
        return k;
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    kept.insert(leaked);
    leaked
}

/// splitmix64, seeded by the slug: the same choices every time.
struct Rng(u64);

impl Rng {
    fn new(slug: &str) -> Rng {
        Rng(slug.bytes().fold(0x5EED_DE30_CBF2_9CE4_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
        }))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Collects the declarations of one organisation.
struct Planner<'a> {
    org: OrgId,
    preset: &'static Preset,
    persons: &'a [Person],
    index: HashMap<i64, usize>,
    planned: Vec<Planned>,
}

impl Planner<'_> {
    fn index_of(&self, p: PersonId) -> anyhow::Result<usize> {
        self.index
            .get(&p.0)
            .copied()
            .ok_or_else(|| anyhow!("person {} is not one of the organisation's people", p.0))
    }

    async fn file(&self, db: &mut Db, who: usize, t: &'static Template) -> anyhow::Result<Filed> {
        file(db, self.org, self.preset, &self.persons[who], t).await
    }

    async fn add(
        &mut self,
        db: &mut Db,
        who: usize,
        template: &'static Template,
        filed: Filed,
        fate: Fate,
        created_at: i64,
    ) -> anyhow::Result<()> {
        let declarant = self.persons[who].id;
        let decided_by = match decider(db, self.org, declarant, filed.route).await? {
            Some(p) => Some(self.index_of(p)?),
            None => None,
        };
        let route_person = match filed.route {
            Some(Route::Person(p)) => Some(self.index_of(p)?),
            _ => None,
        };
        self.planned.push(Planned {
            person: who,
            template,
            filed,
            fate,
            created_at,
            route_person,
            decider: decided_by,
        });
        Ok(())
    }
}

// --- Audit -----------------------------------------------------------------

async fn audit_row(
    db: &mut Db,
    org: OrgId,
    action: &str,
    object_type: &str,
    id: i64,
    detail: Value,
) -> anyhow::Result<()> {
    audit::append(
        db,
        &audit::event(
            Some(org.0),
            ACTOR,
            Credential::Cli,
            action,
            object_type,
            id,
            detail,
        ),
    )
    .await?;
    Ok(())
}

// --- The organisation ------------------------------------------------------

/// Fills one demo organisation with example data (see the module comment).
/// `people` are its people's ids in the order `seed_org` returned them;
/// `accounts` names the person that got each demo account; `key` is the
/// installation key the demo server runs with (case content is sealed with
/// it).
pub async fn populate(
    store: &Store,
    org: &Organisation,
    people: &[i64],
    accounts: &[(Role, i64)],
    key: &InstallationKey,
) -> anyhow::Result<()> {
    let preset = policy::bundled_preset(&org.preset)
        .ok_or_else(|| anyhow!("organisation {} names an unknown preset", org.slug))?;
    let now = integer_store::now();
    let today = local_date(Timestamp::from_second(now)?);
    let year = i32::from(today.year());
    let account = |role: Role| {
        accounts
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, id)| PersonId(*id))
    };
    let account_ids: Vec<i64> = accounts.iter().map(|(_, id)| *id).collect();

    let mut tx = store.begin_write().await?;
    let mut persons = Vec::with_capacity(people.len());
    for id in people {
        let p = staff::get(&mut tx, org.id, PersonId(*id))
            .await?
            .ok_or_else(|| anyhow!("person {id} is not in {}", org.slug))?;
        persons.push(p);
    }
    let mut rng = Rng::new(&org.slug);

    // Declarations, public register.
    let (filed, published) = declarations_of(
        &mut tx,
        org,
        preset,
        &persons,
        people,
        accounts,
        &account_ids,
        &mut rng,
        (now, year),
    )
    .await
    .context("demo declarations")?;

    // The reporting point.
    let mut case_count = 0;
    if let Some(office) = account(Role::IntegrityOffice) {
        case_count = cases_of(
            &mut tx,
            key,
            org.id,
            (now, year),
            office,
            account(Role::Investigator),
            account(Role::Director),
        )
        .await
        .context("demo cases")?;
    } else {
        tracing::debug!(org = %org.slug, "no integrity office account: no demo cases");
    }

    // Learning and prevention.
    let learned = learning_of(&mut tx, org, &persons, accounts, &account_ids, (now, year))
        .await
        .context("demo trainings")?;

    // The counsellor's log.
    let mut consultations = 0;
    if let Some(counsellor) = account(Role::Counsellor) {
        consultations = counsellor_log_of(&mut tx, org.id, counsellor, (now, year))
            .await
            .context("demo counsellor's log")?;
    }

    // Last year's report, drafted by the integrity office.
    let writer = account(Role::IntegrityOffice);
    let narrative = draft_narrative(&org.name, year - 1);
    annual_report::save_narrative(
        &mut tx,
        org.id,
        year - 1,
        0,
        &narrative,
        &annual_report::Author {
            person: writer,
            actor: ACTOR.to_string(),
            credential: Credential::Cli,
        },
    )
    .await
    .context("demo annual report")?;

    audit_row(
        &mut tx,
        org.id,
        "organisation.demo_data",
        "organisation",
        org.id.0,
        json!({
            "declarations": filed,
            "published": published,
            "cases": case_count,
            "trainings": learned.trainings,
            "sessions": learned.sessions,
            "oaths": learned.oaths,
            "consultations": consultations,
            "annual_report": year - 1,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The declarations of the organisation; returns how many were filed and
/// how many side activities were published.
#[allow(clippy::too_many_arguments)]
async fn declarations_of(
    db: &mut Db,
    org: &Organisation,
    preset: &'static Preset,
    persons: &[Person],
    people: &[i64],
    accounts: &[(Role, i64)],
    account_ids: &[i64],
    rng: &mut Rng,
    (now, year): (i64, i32),
) -> anyhow::Result<(usize, usize)> {
    let account = |role: Role| {
        accounts
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, id)| PersonId(*id))
    };
    let mut plan = Planner {
        org: org.id,
        preset,
        persons,
        index: people.iter().enumerate().map(|(i, id)| (*id, i)).collect(),
        planned: Vec::new(),
    };
    let (last_start, this_start) = year_bounds(year - 1);
    // Everyone without a demo account files the bulk of the declarations.
    let pool: Vec<usize> = (0..persons.len())
        .filter(|i| !account_ids.contains(&persons[*i].id.0))
        .collect();
    if pool.is_empty() {
        bail!(
            "organisation {} has nobody without a demo account",
            org.slug
        );
    }
    let employee = account(Role::Employee)
        .map(|p| plan.index_of(p))
        .transpose()?;
    let manager = account(Role::Manager);

    // 1. The bulk: decided or registered, over last year and this year until
    //    three weeks ago (nothing of it waits in anybody's inbox).
    let hist_end = (now - 21 * DAY).max(last_start + DAY);
    let span = hist_end - last_start;
    let mut decided_turn = 0;
    let mut registered_turn = 0;
    for i in 0..BULK_DECLARATIONS {
        let template = BULK_ORDER[i % BULK_ORDER.len()];
        let who = pool[rng.below(pool.len())];
        let created_at = last_start
            + (i as i64 + 1) * span / (BULK_DECLARATIONS as i64 + 1)
            + rng.below(8) as i64 * HOUR;
        let filed = plan.file(&mut *db, who, template).await?;
        let fate = if filed.route.is_some() {
            decided_turn += 1;
            DECIDED_CYCLE[(decided_turn - 1) % DECIDED_CYCLE.len()]
        } else {
            registered_turn += 1;
            if registered_turn % 7 == 4 {
                Fate::Withdrawn
            } else {
                Fate::Registered
            }
        };
        plan.add(&mut *db, who, template, filed, fate, created_at)
            .await?;
    }

    // 2. Two requests where the approver asked for more information: back
    //    with the declarant, in nobody's inbox.
    let info_candidates = [&TRIP, &SIDE_TEACH, &GIFT_BIG, &PRIVATE_USE, &HIRE, &EXPENSE];
    let mut asked = 0;
    for attempt in 0..12 {
        if asked == 2 {
            break;
        }
        let who = pool[rng.below(pool.len())];
        let t = info_candidates[(attempt + asked) % info_candidates.len()];
        let filed = plan.file(&mut *db, who, t).await?;
        if filed.route.is_some() {
            let created_at = now - (9 + 6 * asked as i64) * DAY;
            plan.add(&mut *db, who, t, filed, Fate::InfoAsked, created_at)
                .await?;
            asked += 1;
        }
    }

    // 3. At most two requests waiting in a queue (the director's, the
    //    board's or the integrity office's), each in another one.
    let queue_candidates = [&TRIP, &HIRE, &FIN, &REL, &SIDE_BOARD, &LEAK];
    let mut queues: Vec<Approver> = Vec::new();
    for attempt in 0..12 {
        if queues.len() == 2 {
            break;
        }
        let who = pool[rng.below(pool.len())];
        let t = queue_candidates[attempt % queue_candidates.len()];
        let filed = plan.file(&mut *db, who, t).await?;
        if let Some(Route::Queue(q)) = filed.route
            && !queues.contains(&q)
        {
            let created_at = now - (3 + 2 * queues.len() as i64) * DAY;
            queues.push(q);
            plan.add(&mut *db, who, t, filed, Fate::Waiting, created_at)
                .await?;
        }
    }

    // 4. The demo employee's own: one waiting with their manager, one
    //    approved last year, one refused this year.
    if let Some(e) = employee {
        let person = &persons[e];
        let mut used: Vec<&'static Template> = Vec::new();
        let waiting_candidates = [
            &GIFT_BIG,
            &INV_FOOTBALL,
            &PRIVATE_USE,
            &SIDE_TEACH,
            &EXPENSE,
            &GIFT_XMAS,
        ];
        let mut waiting = first_fitting(
            &mut *db,
            org.id,
            preset,
            person,
            &waiting_candidates,
            &used,
            |f| manager.is_some_and(|m| f.route == Some(Route::Person(m))),
        )
        .await?;
        if waiting.is_none() {
            waiting = first_fitting(
                &mut *db,
                org.id,
                preset,
                person,
                &waiting_candidates,
                &used,
                |f| f.route.is_some(),
            )
            .await?;
        }
        if let Some((t, filed)) = waiting {
            used.push(t);
            plan.add(&mut *db, e, t, filed, Fate::Waiting, now - 2 * DAY)
                .await?;
        }
        let approved_candidates = [
            &SIDE_VOLUNTEER,
            &GIFT_XMAS,
            &EXPENSE,
            &INV_FOOTBALL,
            &SIDE_TEACH,
            &GIFT_BIG,
        ];
        if let Some((t, filed)) = first_fitting(
            &mut *db,
            org.id,
            preset,
            person,
            &approved_candidates,
            &used,
            |f| f.route.is_some(),
        )
        .await?
        {
            used.push(t);
            let created_at = last_start + (this_start - last_start) * 5 / 9 + 10 * HOUR;
            plan.add(&mut *db, e, t, filed, Fate::Approved, created_at)
                .await?;
        }
        let refused_candidates = [
            &INV_FOOTBALL,
            &GIFT_BIG,
            &PRIVATE_USE,
            &GIFT_XMAS,
            &SIDE_TEACH,
            &EXPENSE,
        ];
        if let Some((t, filed)) = first_fitting(
            &mut *db,
            org.id,
            preset,
            person,
            &refused_candidates,
            &used,
            |f| f.route.is_some(),
        )
        .await?
        {
            plan.add(&mut *db, e, t, filed, Fate::Refused, now - 45 * DAY)
                .await?;
        }
    }

    // 5. The demo manager's inbox: besides the employee's request, two from
    //    other people of their team.
    if let Some(m) = manager {
        let team: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|i| persons[*i].manager_id == Some(m))
            .collect();
        let candidates = [
            &GIFT_BIG,
            &PRIVATE_USE,
            &INV_FOOTBALL,
            &EXPENSE,
            &GIFT_XMAS,
            &SIDE_TEACH,
        ];
        let mut used: Vec<&'static Template> = Vec::new();
        for who in team {
            if used.len() == TEAM_WAITING {
                break;
            }
            if let Some((t, filed)) = first_fitting(
                &mut *db,
                org.id,
                preset,
                &persons[who],
                &candidates,
                &used,
                |f| f.route == Some(Route::Person(m)),
            )
            .await?
            {
                let created_at = now - (1 + 3 * used.len() as i64) * DAY - 3 * HOUR;
                used.push(t);
                plan.add(&mut *db, who, t, filed, Fate::Waiting, created_at)
                    .await?;
            }
        }
    }

    // 6. Side activities of people in designated functions (the
    //    organisation's designation; top officials, high salary scales and
    //    people designated one by one first), approved last year; they go
    //    in the public register below.
    let designation = integer_domain::designation::default_for(&org.preset);
    let today = publication::day(now);
    let covered = |p: &Person| {
        designation.covers(&integer_domain::designation::Holder {
            function_title: p.function_title.as_deref(),
            salary_scale: p.salary_scale,
            top_official: p.top_official,
            designated_function: p.designated_function,
            left: p.end_date.as_deref().is_some_and(|e| e < today.as_str()),
        })
    };
    let mut senior: Vec<usize> = (0..persons.len())
        .filter(|i| Some(*i) != employee && manager != Some(persons[*i].id))
        .filter(|i| {
            let p = &persons[*i];
            covered(p)
                || p.top_official
                || p.designated_function
                || p.salary_scale.unwrap_or(0) >= 14
        })
        .collect();
    senior.sort_by_key(|i| {
        let p = &persons[*i];
        (
            std::cmp::Reverse(covered(p)),
            std::cmp::Reverse(p.top_official),
            std::cmp::Reverse(p.salary_scale.unwrap_or(0)),
            std::cmp::Reverse(p.designated_function),
            *i,
        )
    });
    let mut chosen: Vec<usize> = senior
        .iter()
        .copied()
        .filter(|i| covered(&persons[*i]))
        .take(4)
        .collect();
    if chosen.is_empty() {
        // Nobody is designated: their side activities are still declared
        // and approved, and the public register stays empty.
        tracing::debug!(
            org = %org.slug,
            preset = %org.preset,
            "nobody holds a designated function: the public register stays empty"
        );
        chosen = senior.iter().copied().take(3).collect();
    }
    for (j, who) in chosen.iter().copied().enumerate() {
        let templates: Vec<&'static Template> = match j {
            0 => vec![&SIDE_SUPERVISORY, &SIDE_TEACH],
            1 => vec![&SIDE_BOARD],
            2 => vec![&SIDE_VOLUNTEER],
            _ => vec![&SIDE_MUSEUM],
        };
        for (k, t) in templates.iter().copied().enumerate() {
            let filed = plan.file(&mut *db, who, t).await?;
            let fate = if j == 1 {
                Fate::Conditions
            } else {
                Fate::Approved
            };
            let created_at = last_start + ((j * 2 + k) as i64 + 1) * 40 * DAY + 9 * HOUR;
            plan.add(&mut *db, who, t, filed, fate, created_at).await?;
        }
    }

    // Every status should be there; say so when the preset made one
    // impossible.
    let fates: Vec<Fate> = plan.planned.iter().map(Planned::fate).collect();
    for status in Status::ALL {
        if !fates.iter().any(|f| f.status() == status) {
            tracing::debug!(org = %org.slug, status = status.code(), "no demo declaration in this status");
        }
    }

    // In, oldest first.
    plan.planned.sort_by_key(|p| p.created_at);
    let rows: Vec<SyntheticDeclaration> = plan
        .planned
        .iter()
        .enumerate()
        .map(|(nth, p)| p.declaration(nth, now))
        .collect();
    let filed =
        seeding::insert_declarations(&mut *db, org.id, people, rows.into_iter(), &|_: usize| {})
            .await?;

    // Those that wait: their approvers are told, as at filing.
    let waiting = declarations::list(
        &mut *db,
        org.id,
        Scope::Organisation,
        &declarations::Filter {
            status: Some(Status::Submitted.code().to_string()),
            ..Default::default()
        },
        1,
        200,
    )
    .await?;
    for d in &waiting.items {
        declarations::notify_route(
            &mut *db,
            org.id,
            d.id,
            d.route(),
            d.person_id,
            "declaration.to_decide",
        )
        .await?;
    }

    // The public register: the people in designated functions are told
    // (as after an approval) and confirm the text, so it is public now.
    let by = publication::By {
        actor: ACTOR.to_string(),
        credential: Credential::Cli,
    };
    let announced = publication::sync(&mut *db, org.id, None, &by).await?;
    for id in &announced {
        let x = publication::get(&mut *db, org.id, *id)
            .await?
            .ok_or_else(|| anyhow!("publication {id} was just announced"))?;
        publication::confirm(&mut *db, org.id, *id, x.person_id, x.version).await?;
        audit_row(
            &mut *db,
            org.id,
            "publication.confirmed",
            "declaration",
            *id,
            json!({}),
        )
        .await?;
    }
    let published = announced.len();
    Ok((filed, published))
}

// --- The reporting point ---------------------------------------------------

async fn case_now(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    id: i64,
) -> anyhow::Result<(State, i64)> {
    let c = cases::get(&mut *db, key, org, id)
        .await?
        .ok_or_else(|| anyhow!("demo case {id} vanished"))?;
    Ok((c.state, c.version))
}

async fn open_case(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    new: &cases::NewCase,
) -> anyhow::Result<i64> {
    let created = cases::create(&mut *db, key, org, new).await?;
    audit_row(
        db,
        org,
        "case.received",
        "case",
        created.id,
        json!({"number": created.number, "channel": new.channel.code(), "kind": new.kind.code(),
            "files": new.files.len(), "alternate": new.alternate}),
    )
    .await?;
    Ok(created.id)
}

async fn acknowledge(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    id: i64,
    by: PersonId,
) -> anyhow::Result<()> {
    let (_, version) = case_now(&mut *db, key, org, id).await?;
    cases::mark(&mut *db, org, id, version, cases::Mark::Acknowledged).await?;
    cases::add_entry(
        &mut *db,
        key,
        id,
        cases::EntryKind::ToReporter,
        Some(by),
        "Dank voor uw melding. Wij hebben haar ontvangen en laten u binnen drie maanden weten \
         hoe wij haar beoordelen en wat er verder mee gebeurt.",
        &[],
    )
    .await?;
    audit_row(db, org, "case.acknowledged", "case", id, json!({})).await
}

#[allow(clippy::too_many_arguments)]
async fn step(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    id: i64,
    by: PersonId,
    to: State,
    reason: &str,
    finding: Option<Finding>,
    measures: &[Measure],
) -> anyhow::Result<()> {
    let (from, version) = case_now(&mut *db, key, org, id).await?;
    let input = TransitionInput {
        reason: reason.to_string(),
        finding,
        measures: measures.to_vec(),
    };
    let problems = check_transition(from, to, &input, Mover { may_decide: true });
    if !problems.is_empty() {
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        bail!(
            "demo case {id}: {} -> {} refused ({})",
            from.code(),
            to.code(),
            fields.join(", ")
        );
    }
    let retention = cases::settings(&mut *db, org).await?.retention_years;
    cases::transition(
        &mut *db,
        key,
        org,
        id,
        version,
        to,
        Some(reason),
        finding,
        measures,
        retention,
    )
    .await?;
    cases::add_entry(
        &mut *db,
        key,
        id,
        cases::EntryKind::System,
        Some(by),
        to.code(),
        &[],
    )
    .await?;
    audit_row(
        db,
        org,
        "case.state_changed",
        "case",
        id,
        json!({"from": from.code(), "to": to.code(), "finding": finding.map(|f| f.code()),
            "measures": measures.iter().map(|m| m.code()).collect::<Vec<_>>()}),
    )
    .await
}

async fn note(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    id: i64,
    by: PersonId,
    text: &str,
) -> anyhow::Result<()> {
    cases::add_entry(
        &mut *db,
        key,
        id,
        cases::EntryKind::Note,
        Some(by),
        text,
        &[],
    )
    .await?;
    audit_row(db, org, "case.note_added", "case", id, json!({})).await
}

/// A message to the reporter that is the information on the assessment and
/// follow-up (the three-month clock).
async fn feedback(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    id: i64,
    by: PersonId,
    text: &str,
) -> anyhow::Result<()> {
    cases::add_entry(
        &mut *db,
        key,
        id,
        cases::EntryKind::ToReporter,
        Some(by),
        text,
        &[],
    )
    .await?;
    let (_, version) = case_now(&mut *db, key, org, id).await?;
    cases::mark(&mut *db, org, id, version, cases::Mark::FeedbackGiven).await?;
    audit_row(
        db,
        org,
        "case.message_sent",
        "case",
        id,
        json!({"feedback": true}),
    )
    .await
}

async fn join_team(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    id: i64,
    person: PersonId,
    role: TeamRole,
    by: PersonId,
) -> anyhow::Result<()> {
    cases::set_team_member(&mut *db, key, org, id, person, role, by).await?;
    audit_row(
        db,
        org,
        "case.team_changed",
        "case",
        id,
        json!({"person": person.0, "role": role.code()}),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
fn new_case(
    kind: CaseKind,
    channel: Channel,
    identity_mode: IdentityMode,
    category: Option<Category>,
    (title, body): (&str, &str),
    reporter: Option<(&str, &str)>,
    created_by: Option<PersonId>,
    received_at: i64,
    team: Vec<(PersonId, TeamRole)>,
) -> cases::NewCase {
    cases::NewCase {
        kind,
        channel,
        identity_mode,
        category: category.map(|c| c.code().to_string()),
        title: title.to_string(),
        body: body.to_string(),
        identity: reporter.map(|(name, email)| cases::Identity {
            name: name.to_string(),
            email: email.to_string(),
            phone: String::new(),
            person_id: None,
        }),
        reporter_tag: None,
        created_by,
        received_at,
        // Like the seeded cases: a code nobody holds, so the reporter's
        // mailbox of a demo case cannot be opened.
        receipt_hash: integer_store::random_token(),
        named: Vec::new(),
        files: Vec::new(),
        team,
        alternate: false,
    }
}

/// Older cases for the report, then five cases in different steps on the
/// demo integrity office's list. Returns how many cases there are.
async fn cases_of(
    db: &mut Db,
    key: &InstallationKey,
    org: OrgId,
    (now, year): (i64, i32),
    office: PersonId,
    investigator: Option<PersonId>,
    director: Option<PersonId>,
) -> anyhow::Result<usize> {
    let office_people: Vec<PersonId> = staff::with_role(&mut *db, org, Role::IntegrityOffice)
        .await?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    // The years before this one, handled by a colleague of the demo account
    // (their list stays the demo's five). First, so that this year's case
    // numbers follow on from the seeded ones' counters.
    let colleagues: Vec<PersonId> = office_people
        .iter()
        .copied()
        .filter(|p| *p != office)
        .collect();
    let handlers = if colleagues.is_empty() {
        vec![office]
    } else {
        colleagues
    };
    let this_start = year_bounds(year).0;
    cases::seed_synthetic(
        &mut *db,
        key,
        org,
        HISTORY_CASES,
        this_start - 1,
        &handlers,
        &|_: usize| {},
    )
    .await?;

    let today = local_date(Timestamp::from_second(now)?);
    let chief = director.unwrap_or(office);
    let owner = vec![(office, TeamRole::Owner)];

    // 1. Received two days ago through the public form, not acknowledged
    //    yet: due this week. Like every public report it went to the intake
    //    team (the integrity office), who were told.
    let mut intake: Vec<(PersonId, TeamRole)> = office_people
        .iter()
        .map(|p| (*p, TeamRole::Member))
        .collect();
    if !intake.iter().any(|(p, _)| *p == office) {
        intake.push((office, TeamRole::Member));
    }
    let _received = open_case(
        db,
        key,
        org,
        &new_case(
            CaseKind::Report,
            Channel::WebPublic,
            IdentityMode::Anonymous,
            None,
            (
                "Aanbesteding groenonderhoud lijkt op maat geschreven",
                "Ik werk bij een hoveniersbedrijf in de regio. In de aanbesteding voor het \
                 groenonderhoud staan eisen waaraan maar één bedrijf kan voldoen, en dat bedrijf \
                 is van een familielid van iemand die bij de aanbesteding betrokken is. Ik wil \
                 anoniem blijven. (Fictieve melding voor de demo.)",
            ),
            None,
            None,
            now - 2 * DAY - 5 * HOUR,
            intake.clone(),
        ),
    )
    .await?;
    for (p, _) in &intake {
        declarations::notify(&mut *db, org, *p, "case.new", None).await?;
    }

    // 2. Taken by phone four days ago, acknowledged, in intake.
    let c2 = open_case(
        db,
        key,
        org,
        &new_case(
            CaseKind::Report,
            Channel::Phone,
            IdentityMode::Confidential,
            Some(Category::MisuseOfInformation),
            (
                "Inwonersgegevens opgezocht zonder aanleiding",
                "Telefonisch gemeld: een medewerker zou de gegevens van een buurman hebben \
                 opgezocht in de basisregistratie personen, zonder aanvraag of dossier. De melder \
                 hoorde het van een collega en wil vertrouwelijk blijven. (Fictieve melding voor de \
                 demo.)",
            ),
            Some(("R. de Wit", "")),
            Some(office),
            now - 4 * DAY,
            owner.clone(),
        ),
    )
    .await?;
    acknowledge(db, key, org, c2, office).await?;
    step(db, key, org, c2, office, State::Intake, "", None, &[]).await?;
    note(
        db,
        key,
        org,
        c2,
        office,
        "De raadpleeglogging van de basisregistratie opvragen bij Informatiebeheer.",
    )
    .await?;

    // 3. By e-mail six days ago, under investigation, with the demo
    //    investigator on the team and a task.
    let c3 = open_case(
        db,
        key,
        org,
        &new_case(
            CaseKind::Report,
            Channel::Email,
            IdentityMode::Named,
            Some(Category::Fraud),
            (
                "Reiskostendeclaraties kloppen niet met de agenda",
                "Per e-mail gemeld door een collega van Financiën: in de declaraties van één \
                 medewerker staan dienstreizen op dagen zonder afspraken buiten de deur. Het gaat \
                 om ongeveer twintig declaraties in een half jaar. (Fictieve melding voor de demo.)",
            ),
            Some(("K. Bakker", "k.bakker@example.invalid")),
            Some(office),
            now - 6 * DAY,
            owner.clone(),
        ),
    )
    .await?;
    acknowledge(db, key, org, c3, office).await?;
    step(db, key, org, c3, office, State::Intake, "", None, &[]).await?;
    step(
        db,
        key,
        org,
        c3,
        office,
        State::Investigation,
        "De stukken zijn duidelijk genoeg voor een onderzoek zonder vooronderzoek.",
        None,
        &[],
    )
    .await?;
    if let Some(inv) = investigator
        && inv != office
    {
        join_team(db, key, org, c3, inv, TeamRole::Investigator, office).await?;
    }
    let due = today.saturating_add(14.days()).to_string();
    let task = cases::add_task(
        &mut *db,
        key,
        c3,
        "Gesprek met de betrokkene plannen",
        &due,
        office,
    )
    .await?;
    audit_row(
        db,
        org,
        "case.task_added",
        "case",
        c3,
        json!({"task": task, "due": due}),
    )
    .await?;

    // 4. Through a counsellor, decided by the director: partly proven,
    //    with measures, and the reporter informed.
    let c4 = open_case(
        db,
        key,
        org,
        &new_case(
            CaseKind::Report,
            Channel::Counsellor,
            IdentityMode::Confidential,
            Some(Category::Gifts),
            (
                "Geschenken van een leverancier niet gemeld",
                "Via de vertrouwenspersoon: een inkoper zou meermaals dinerbonnen en kaarten voor \
                 evenementen hebben aangenomen van een leverancier met een raamcontract, zonder ze \
                 te melden. (Fictieve melding voor de demo.)",
            ),
            Some(("S. Visser", "")),
            Some(office),
            now - 6 * DAY + 3 * HOUR,
            owner.clone(),
        ),
    )
    .await?;
    if chief != office {
        join_team(db, key, org, c4, chief, TeamRole::Decider, office).await?;
    }
    acknowledge(db, key, org, c4, office).await?;
    step(db, key, org, c4, office, State::Intake, "", None, &[]).await?;
    step(
        db,
        key,
        org,
        c4,
        office,
        State::PreliminaryInquiry,
        "Eerst nagaan wat er in het register van geschenken staat.",
        None,
        &[],
    )
    .await?;
    note(
        db,
        key,
        org,
        c4,
        office,
        "In het register staan geen meldingen van deze leverancier; twee geschenken zijn met \
         bonnen aangetoond.",
    )
    .await?;
    step(
        db,
        key,
        org,
        c4,
        chief,
        State::Decision,
        "Twee geschenken zijn aangenomen en niet gemeld; voor de overige is geen bewijs.",
        Some(Finding::PartlyProven),
        &[],
    )
    .await?;
    step(
        db,
        key,
        org,
        c4,
        chief,
        State::Measures,
        "Een gesprek met de medewerker en een risicoanalyse van het inkoopproces.",
        None,
        &[Measure::Conversation, Measure::RiskAnalysis],
    )
    .await?;
    feedback(
        db,
        key,
        org,
        c4,
        office,
        "Wij hebben uw melding onderzocht. Een deel ervan is aangetoond en er zijn maatregelen \
         genomen. Meer kunnen wij daarover niet zeggen.",
    )
    .await?;

    // 5. A complaint taken in a meeting: not proven, the reporter informed,
    //    closed.
    let c5 = open_case(
        db,
        key,
        org,
        &new_case(
            CaseKind::Complaint,
            Channel::Meeting,
            IdentityMode::Named,
            Some(Category::UndesirableBehaviour),
            (
                "Klacht over intimiderend gedrag in het teamoverleg",
                "In een gesprek verteld: een teamleider zou een medewerker in het teamoverleg \
                 herhaaldelijk hebben uitgelachen en gedreigd met een slechte beoordeling. \
                 (Fictieve klacht voor de demo.)",
            ),
            Some(("A. Smit", "a.smit@example.invalid")),
            Some(office),
            now - 5 * DAY,
            owner.clone(),
        ),
    )
    .await?;
    if chief != office {
        join_team(db, key, org, c5, chief, TeamRole::Decider, office).await?;
    }
    acknowledge(db, key, org, c5, office).await?;
    step(db, key, org, c5, office, State::Intake, "", None, &[]).await?;
    step(
        db,
        key,
        org,
        c5,
        office,
        State::PreliminaryInquiry,
        "Gesprekken met de klager, de teamleider en twee collega's.",
        None,
        &[],
    )
    .await?;
    step(
        db,
        key,
        org,
        c5,
        chief,
        State::Decision,
        "De gesprekken bevestigen het beeld niet.",
        Some(Finding::NotProven),
        &[],
    )
    .await?;
    feedback(
        db,
        key,
        org,
        c5,
        office,
        "Wij hebben uw klacht onderzocht en met de betrokkenen gesproken. De klacht is niet \
         aangetoond. U kunt altijd terecht bij de vertrouwenspersoon.",
    )
    .await?;
    step(
        db,
        key,
        org,
        c5,
        office,
        State::Closed,
        "Afgesloten na de terugkoppeling aan de klager.",
        None,
        &[],
    )
    .await?;

    Ok(HISTORY_CASES + 5)
}

// --- Learning and prevention ------------------------------------------------

struct Learned {
    trainings: usize,
    sessions: usize,
    oaths: usize,
}

/// Whether the person had started by `day` (or no start date is known).
fn started_by(p: &Person, day: Date) -> bool {
    p.start_date
        .as_deref()
        .and_then(|s| s.parse::<Date>().ok())
        .is_none_or(|s| s <= day)
}

/// Trainings with their participants, moral deliberation sessions and a
/// team meeting of the demo manager's team, and oaths after the
/// introduction training.
async fn learning_of(
    db: &mut Db,
    org: &Organisation,
    persons: &[Person],
    accounts: &[(Role, i64)],
    account_ids: &[i64],
    (now, _): (i64, i32),
) -> anyhow::Result<Learned> {
    let account = |role: Role| {
        accounts
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, id)| PersonId(*id))
    };
    let mut learned = Learned {
        trainings: 0,
        sessions: 0,
        oaths: 0,
    };
    let Some(recorder) = account(Role::Hr)
        .or(account(Role::IntegrityOffice))
        .or(account(Role::Admin))
    else {
        return Ok(learned);
    };
    let who = learning::Author {
        person: recorder,
        actor: ACTOR.to_string(),
        credential: Credential::Cli,
    };
    let today = local_date(Timestamp::from_second(now)?);
    let last = today.year() - 1;
    let employee = account(Role::Employee);
    let manager = account(Role::Manager);
    // The demo employee and their colleagues first, then the others.
    let mut order: Vec<&Person> = Vec::new();
    order.extend(persons.iter().filter(|p| Some(p.id) == employee));
    order.extend(
        persons
            .iter()
            .filter(|p| Some(p.id) != employee && manager.is_some() && p.manager_id == manager),
    );
    order.extend(persons.iter().filter(|p| {
        Some(p.id) != employee
            && !(manager.is_some() && p.manager_id == manager)
            && !account_ids.contains(&p.id.0)
    }));

    // The introduction training on moral judgement, last spring.
    let intro_day = Date::new(last, 3, 12)?;
    let intro: Vec<PersonId> = order
        .iter()
        .filter(|p| started_by(p, intro_day))
        .take(12)
        .map(|p| p.id)
        .collect();
    if !intro.is_empty() {
        let t = Training {
            kind: TrainingKind::Introduction,
            title: "Introductietraining moreel oordeelsvermogen".to_string(),
            date: intro_day,
            completed: true,
        };
        learned.trainings += learning::add_trainings(&mut *db, org.id, &who, &t, &intro)
            .await?
            .len();
    }

    // An e-learning a month ago, for the demo manager too.
    let elearning_day = local_date(Timestamp::from_second(now - 30 * DAY)?);
    let mut elearners: Vec<PersonId> = manager.into_iter().collect();
    elearners.extend(
        order
            .iter()
            .filter(|p| started_by(p, elearning_day))
            .take(19)
            .map(|p| p.id),
    );
    if !elearners.is_empty() {
        let t = Training {
            kind: TrainingKind::Elearning,
            title: "E-learning Integriteit in de praktijk: geschenken en uitnodigingen".to_string(),
            date: elearning_day,
            completed: true,
        };
        learned.trainings += learning::add_trainings(&mut *db, org.id, &who, &t, &elearners)
            .await?
            .len();
    }

    // A course for managers, planned next month.
    let mut managers: Vec<PersonId> = manager.into_iter().collect();
    managers.extend(
        persons
            .iter()
            .filter(|p| p.roles.contains(&Role::Manager) && Some(p.id) != manager)
            .take(7)
            .map(|p| p.id),
    );
    if !managers.is_empty() {
        let t = Training {
            kind: TrainingKind::Course,
            title: "Moreel beraad leiden: training voor leidinggevenden".to_string(),
            date: today.saturating_add(30.days()),
            completed: false,
        };
        learned.trainings += learning::add_trainings(&mut *db, org.id, &who, &t, &managers)
            .await?
            .len();
    }

    // Oaths and affirmations a week after the introduction training.
    let before_whom = match BodyKind::of_preset(&org.preset) {
        BodyKind::Gemeente => "de gemeentesecretaris",
        BodyKind::Provincie => "de provinciesecretaris",
        BodyKind::Waterschap => "de secretaris-directeur",
    };
    let by = prevention::By {
        person: recorder,
        actor: ACTOR.to_string(),
        credential: Credential::Cli,
    };
    let oath_day = intro_day.saturating_add(7.days());
    for (i, person) in intro.iter().take(8).enumerate() {
        let oath = Oath {
            kind: if i % 3 == 2 {
                OathKind::Affirmation
            } else {
                OathKind::Oath
            },
            taken_on: oath_day,
            before_whom: before_whom.to_string(),
        };
        prevention::record_oath(&mut *db, org.id, &by, *person, 0, &oath).await?;
        learned.oaths += 1;
    }

    // Moral deliberation and a team meeting in the demo manager's team
    // (recorded by the manager), and a session elsewhere (by the office).
    let Some(m) = manager else {
        return Ok(learned);
    };
    let by_manager = learning::Author {
        person: m,
        actor: ACTOR.to_string(),
        credential: Credential::Cli,
    };
    let team_size = persons.iter().filter(|p| p.manager_id == Some(m)).count();
    let attendees = u32::try_from(team_size.clamp(1, 12)).unwrap_or(1);
    let units = learning::managed_units(&mut *db, org.id, m).await?;
    let team_unit: Option<UnitId> = units.first().map(|(u, _)| *u);
    if let Some(unit) = team_unit {
        let sessions = [
            Deliberation {
                date: Date::new(last, 6, 19)?,
                attendees,
                topics: "Een leverancier biedt na een project een etentje aan: ga je erop in? \
                         En wat doe je als een bekende aan de balie om voorrang vraagt?"
                    .to_string(),
                theme: Some(Theme::Gifts),
            },
            Deliberation {
                date: local_date(Timestamp::from_second(now - 20 * DAY)?),
                attendees: attendees.saturating_sub(2).max(1),
                topics: "Een bestuursfunctie bij een vereniging in de eigen gemeente: wanneer \
                         schuurt dat met het werk?"
                    .to_string(),
                theme: Some(Theme::SideActivities),
            },
        ];
        for d in &sessions {
            learning::add_session(&mut *db, org.id, &by_manager, unit, d).await?;
            learned.sessions += 1;
        }
        let meeting_day = local_date(Timestamp::from_second(now - 10 * DAY)?);
        learning::add_team_meeting(&mut *db, org.id, &by_manager, unit, meeting_day).await?;
    }
    let other_unit = learning::units_in_scope(&mut *db, org.id, Scope::Organisation)
        .await?
        .into_iter()
        .map(|(u, _)| u)
        .find(|u| Some(*u) != team_unit);
    if let (Some(unit), Some(office)) = (other_unit, account(Role::IntegrityOffice)) {
        let by_office = learning::Author {
            person: office,
            actor: ACTOR.to_string(),
            credential: Credential::Cli,
        };
        let d = Deliberation {
            date: Date::new(last, 11, 5)?,
            attendees: 8,
            topics:
                "Vertrouwelijke informatie in een klein dorp: wat vertel je thuis over je werk?"
                    .to_string(),
            theme: Some(Theme::Information),
        };
        learning::add_session(&mut *db, org.id, &by_office, unit, &d).await?;
        learned.sessions += 1;
    }
    Ok(learned)
}

// --- The counsellor's log ----------------------------------------------------

/// Consultations of the demo counsellor, last year and this year.
async fn counsellor_log_of(
    db: &mut Db,
    org: OrgId,
    counsellor: PersonId,
    (now, year): (i64, i32),
) -> anyhow::Result<usize> {
    use integer_domain::counsel::BehaviourKind as B;
    use integer_domain::counsel::CounselAction as A;
    let who = counsellor_log::Author {
        person: counsellor,
        actor: ACTOR.to_string(),
        credential: Credential::Cli,
    };
    let last = i16::try_from(year - 1)?;
    let at = |days_ago: i64| -> anyhow::Result<Date> {
        Ok(local_date(Timestamp::from_second(now - days_ago * DAY)?))
    };
    // (day, topic, behaviour, visitor, actions, contacts, first contact)
    type Entry = (Date, Topic, Option<B>, Visitor, Vec<A>, u32, bool);
    let entries: Vec<Entry> = vec![
        (
            Date::new(last, 2, 14)?,
            Topic::IntegrityQuestion,
            None,
            Visitor::Employee,
            vec![A::Advice],
            1,
            true,
        ),
        (
            Date::new(last, 4, 3)?,
            Topic::UndesirableBehaviour,
            Some(B::Intimidation),
            Visitor::Employee,
            vec![A::Listening, A::Advice],
            2,
            true,
        ),
        (
            Date::new(last, 5, 22)?,
            Topic::UndesirableBehaviour,
            Some(B::Intimidation),
            Visitor::Employee,
            vec![A::Listening, A::Mediation],
            1,
            false,
        ),
        (
            Date::new(last, 9, 10)?,
            Topic::IntegrityConcern,
            None,
            Visitor::Manager,
            vec![A::Advice, A::Referral],
            1,
            true,
        ),
        (
            Date::new(last, 10, 29)?,
            Topic::UndesirableBehaviour,
            Some(B::Bullying),
            Visitor::Employee,
            vec![A::Listening, A::ComplaintFiled],
            3,
            true,
        ),
        (
            Date::new(last, 12, 2)?,
            Topic::Other,
            None,
            Visitor::Outsider,
            vec![A::Referral],
            1,
            true,
        ),
        (
            at(50)?,
            Topic::IntegrityQuestion,
            None,
            Visitor::Employee,
            vec![A::Advice],
            1,
            true,
        ),
        (
            at(12)?,
            Topic::IntegrityConcern,
            None,
            Visitor::Employee,
            vec![A::Listening, A::ReportFiled],
            2,
            true,
        ),
    ];
    let mut n = 0;
    for (date, topic, behaviour, visitor, actions, contacts, first_contact) in entries {
        let c = Consultation {
            date,
            topic,
            behaviour,
            visitor,
            actions,
            contacts,
            first_contact,
        };
        counsellor_log::add(&mut *db, org, &who, &c).await?;
        n += 1;
    }
    Ok(n)
}

// --- The annual report ---------------------------------------------------------

/// The draft narrative of `year`'s report, as the integrity office would
/// start it (public text: no names, no figures, which the tables give).
fn draft_narrative(org_name: &str, year: i32) -> Narrative {
    Narrative {
        introduction: format!(
            "Dit is het jaarverslag integriteit {year} van {org_name} (concept). Het verslag legt \
             verantwoording af over de meldingen van vermoedens van misstanden, de klachten over \
             ongewenst gedrag, de meldingen en aanvragen van medewerkers over geschenken, \
             uitnodigingen en nevenwerkzaamheden, en over wat de organisatie deed om integer \
             handelen te bevorderen.\n\nDit concept wordt aangevuld voordat het verslag wordt \
             gepubliceerd. (Voorbeeldtekst in de demo.)"
        ),
        cases: "Meldingen van vermoedens van misstanden zijn behandeld door het \
                integriteitsbureau, volgens de regeling en de termijnen van de Wet bescherming \
                klokkenluiders: een ontvangstbevestiging binnen zeven dagen en informatie over \
                de beoordeling binnen drie maanden. De tabellen laten zien hoe vaak die termijnen \
                zijn gehaald.\n\nKleine aantallen staan in de openbare versie niet \
                vermeld, zodat niemand herkenbaar is."
            .to_string(),
        prevention: "Nieuwe medewerkers volgden de introductietraining moreel \
                     oordeelsvermogen en legden daarna de eed of belofte af. Teams bespraken \
                     dilemma's in moreel beraad, en integriteit stond op de agenda van \
                     teamoverleggen. Nevenwerkzaamheden, geschenken en uitnodigingen zijn gemeld \
                     en beoordeeld volgens de gedragscode."
            .to_string(),
        outlook: format!(
            "In {} houden alle teams ten minste één keer moreel beraad, volgen alle \
             medewerkers de e-learning over geschenken en uitnodigingen, en wordt het register \
             van kwetsbare functies herzien.",
            year + 1
        ),
    }
}
