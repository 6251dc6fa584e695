//! Synthetic organisations for demos, tests and benchmarks: fictitious Dutch
//! names, units and a manager hierarchy, the same every time for the same
//! slug and size; and, on top of one, years of declarations
//! ([`declarations`]).

use crate::declaration::{GiftDestination, Outcome, Status};
use crate::org::{EmploymentType, Role, UnitKind};
use crate::policy::{Approver, Kind, Verdict};

const FIRST_NAMES: &[&str] = &[
    "Anna",
    "Bram",
    "Cor",
    "Daan",
    "Eva",
    "Femke",
    "Gijs",
    "Hanna",
    "Ilse",
    "Jan",
    "Kees",
    "Lotte",
    "Maarten",
    "Noor",
    "Olaf",
    "Pien",
    "Quinten",
    "Roos",
    "Sander",
    "Tess",
    "Ufuk",
    "Vera",
    "Wouter",
    "Xandra",
    "Yara",
    "Zeynep",
    "Ahmed",
    "Bas",
    "Charlotte",
    "Dirk",
    "Esther",
    "Fatima",
    "Gert",
    "Henk",
    "Iris",
    "Joost",
    "Karin",
    "Lars",
    "Mila",
    "Niels",
    "Olga",
    "Priya",
    "Rik",
    "Saskia",
    "Thijs",
    "Ulla",
    "Vincent",
    "Willemijn",
    "Youssef",
    "Zoë",
    "Aylin",
    "Bart",
    "Chantal",
    "Dewi",
    "Emre",
    "Floor",
    "Guus",
    "Hatice",
    "Ingrid",
    "Jeroen",
    "Kim",
    "Luuk",
    "Marloes",
    "Nadia",
    "Oscar",
    "Petra",
    "Ruben",
    "Sanne",
    "Tim",
    "Vanessa",
    "Wim",
    "Yvonne",
];

const SURNAMES: &[&str] = &[
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Bruin",
    "van der Heijden",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "van de Ven",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "van Dam",
    "van der Wal",
    "Prins",
    "Blom",
    "Huisman",
    "Peeters",
    "de Jong",
    "Yilmaz",
    "El Amrani",
    "Kaya",
    "Bouzid",
    "Nguyen",
    "Wijnands",
    "Frissen",
    "Ramakers",
    "Lemmens",
    "Hermans",
    "Claessens",
    "Bongers",
    "Kuipers",
    "Nijland",
    "Scholten",
    "Eshuis",
    "Groothuis",
    "Mensink",
    "ter Horst",
    "Oude Luttikhuis",
    "Vaessen",
];

const DIRECTORATES: &[&str] = &[
    "Ruimte",
    "Samenleving",
    "Bedrijfsvoering",
    "Dienstverlening",
    "Economie en Cultuur",
    "Veiligheid",
    "Financiën",
    "Publiekszaken",
    "Wonen",
    "Mobiliteit",
    "Natuur en Water",
    "Bestuur en Strategie",
];

const TOPICS: &[&str] = &[
    "Vergunningen",
    "Handhaving",
    "Inkoop",
    "Subsidies",
    "Belastingen",
    "Beheer Openbare Ruimte",
    "Jeugd",
    "Zorg",
    "Werk en Inkomen",
    "Burgerzaken",
    "ICT",
    "Informatiebeheer",
    "Communicatie",
    "Juridische Zaken",
    "Personeel en Organisatie",
    "Grondzaken",
    "Projecten",
    "Onderwijs",
    "Sport",
    "Cultuur",
    "Archief",
    "Control",
    "Facilitair",
    "Klantcontact",
];

/// A unit to create; `parent` indexes into [`SyntheticOrg::units`].
#[derive(Debug, Clone)]
pub struct SyntheticUnit {
    pub parent: Option<usize>,
    pub name: String,
    pub kind: UnitKind,
}

/// A person to create; `manager` indexes into [`SyntheticOrg::people`] and
/// always points at an earlier person, `unit` into the units.
#[derive(Debug, Clone)]
pub struct SyntheticPerson {
    pub name: String,
    pub email: String,
    pub employee_number: String,
    pub function_title: String,
    pub salary_scale: u8,
    pub employment_type: EmploymentType,
    pub unit: Option<usize>,
    pub manager: Option<usize>,
    pub start_date: String,
    pub top_official: bool,
    pub designated_function: bool,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, Default)]
pub struct SyntheticOrg {
    pub units: Vec<SyntheticUnit>,
    pub people: Vec<SyntheticPerson>,
}

/// splitmix64: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn email_part(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'ë' | 'é' | 'è' => Some('e'),
            ' ' | '\'' => None,
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Generates an organisation of `size` people for `slug`.
pub fn generate(slug: &str, size: usize) -> SyntheticOrg {
    let seed = slug.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    let mut rng = Rng(seed);
    let mut org = SyntheticOrg::default();
    if size == 0 {
        return org;
    }
    // About 12 per team, 8 teams per department, up to 12 directorates.
    let teams = (size / 13).max(1);
    let departments = teams.div_ceil(8).max(1);
    let directorates = departments.div_ceil(4).clamp(1, DIRECTORATES.len());

    for name in DIRECTORATES.iter().take(directorates) {
        org.units.push(SyntheticUnit {
            parent: None,
            name: format!("Directie {name}"),
            kind: UnitKind::Directorate,
        });
    }
    for p in 0..departments {
        let parent = p % directorates;
        org.units.push(SyntheticUnit {
            parent: Some(parent),
            name: format!(
                "Afdeling {} {}",
                TOPICS[p % TOPICS.len()],
                p / TOPICS.len() + 1
            ),
            kind: UnitKind::Department,
        });
    }
    for t in 0..teams {
        let parent = directorates + t % departments;
        org.units.push(SyntheticUnit {
            parent: Some(parent),
            name: format!("Team {} {}", TOPICS[(t * 7 + 3) % TOPICS.len()], t + 1),
            kind: UnitKind::Team,
        });
    }

    let person = |rng: &mut Rng,
                  n: usize,
                  title: &str,
                  scale: (u8, u8),
                  unit: Option<usize>,
                  manager: Option<usize>| {
        let first = rng.pick(FIRST_NAMES);
        let last = rng.pick(SURNAMES);
        let employment = match rng.below(100) {
            0..=85 => EmploymentType::CivilServant,
            86..=93 => EmploymentType::Hired,
            94..=95 => EmploymentType::Intern,
            96 => EmploymentType::Volunteer,
            97 => EmploymentType::Seconded,
            _ => EmploymentType::SelfEmployed,
        };
        let year = 1990 + rng.below(36);
        let month = 1 + rng.below(12);
        let day = 1 + rng.below(28);
        SyntheticPerson {
            name: format!("{first} {last}"),
            email: format!(
                "{}.{}.{}@{}.example",
                email_part(first),
                email_part(last),
                n + 1,
                slug
            ),
            employee_number: format!("E{:06}", n + 1),
            function_title: title.to_string(),
            salary_scale: scale.0 + rng.below(usize::from(scale.1 - scale.0) + 1) as u8,
            employment_type: employment,
            unit,
            manager,
            start_date: format!("{year:04}-{month:02}-{day:02}"),
            top_official: false,
            designated_function: false,
            roles: vec![Role::Employee],
        }
    };

    // The hierarchy, top down, so that every manager comes before their staff.
    let mut top = person(&mut rng, 0, "Algemeen directeur", (17, 18), None, None);
    top.top_official = true;
    top.designated_function = true;
    top.roles.push(Role::Director);
    top.roles.push(Role::Manager);
    org.people.push(top);
    let mut director_of = Vec::new();
    for d in 0..directorates.min(size.saturating_sub(1)) {
        let n = org.people.len();
        let mut p = person(&mut rng, n, "Directeur", (15, 16), Some(d), Some(0));
        p.top_official = true;
        p.designated_function = true;
        p.roles.extend([Role::Manager, Role::Director]);
        org.people.push(p);
        director_of.push(n);
    }
    let mut head_of = Vec::new();
    for dep in 0..departments {
        if org.people.len() >= size {
            break;
        }
        let n = org.people.len();
        let manager = director_of.get(dep % directorates).copied().or(Some(0));
        let mut p = person(
            &mut rng,
            n,
            "Afdelingshoofd",
            (12, 14),
            Some(directorates + dep),
            manager,
        );
        p.roles.push(Role::Manager);
        org.people.push(p);
        head_of.push(n);
    }
    let mut lead_of = Vec::new();
    for t in 0..teams {
        if org.people.len() >= size {
            break;
        }
        let n = org.people.len();
        let manager = head_of.get(t % departments.max(1)).copied().or(Some(0));
        let mut p = person(
            &mut rng,
            n,
            "Teamleider",
            (10, 12),
            Some(directorates + departments + t),
            manager,
        );
        p.roles.push(Role::Manager);
        org.people.push(p);
        lead_of.push(n);
    }
    const TITLES: &[&str] = &[
        "Beleidsmedewerker",
        "Adviseur",
        "Medewerker",
        "Senior adviseur",
        "Projectleider",
        "Inkoper",
        "Vergunningverlener",
        "Handhaver",
        "Jurist",
        "Medewerker klantcontact",
    ];
    let mut t = 0;
    while org.people.len() < size {
        let n = org.people.len();
        let title = rng.pick(TITLES);
        let (unit, manager) = match lead_of.get(t % lead_of.len().max(1)) {
            Some(lead) => (Some(directorates + departments + t % teams), Some(*lead)),
            None => (None, Some(0)),
        };
        let mut p = person(&mut rng, n, title, (4, 11), unit, manager);
        // Buyers and permit officers hold designated functions.
        p.designated_function = matches!(title, "Inkoper" | "Vergunningverlener");
        org.people.push(p);
        t += 1;
    }

    // The special roles, spread over ordinary staff.
    let staff_start = 1 + director_of.len() + head_of.len() + lead_of.len();
    let special = [
        Role::IntegrityOffice,
        Role::IntegrityOffice,
        Role::Hr,
        Role::Hr,
        Role::Counsellor,
        Role::Counsellor,
        Role::PrivacyOfficer,
        Role::Investigator,
        Role::Board,
        Role::Admin,
    ];
    for (i, role) in special.iter().enumerate() {
        let idx = staff_start + i * 7;
        if let Some(p) = org.people.get_mut(idx) {
            p.roles.push(*role);
        }
    }
    org
}

/// A declaration to create; `person`, `filed_by`, `route_person` and
/// `decided_by` index into [`SyntheticOrg::people`]. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticDeclaration {
    pub person: usize,
    pub filed_by: usize,
    pub kind: Kind,
    pub status: Status,
    pub route_person: Option<usize>,
    pub route_queue: Option<Approver>,
    pub verdict: Verdict,
    pub approver: Option<Approver>,
    /// Obligation codes, space-separated (as the store keeps them).
    pub obligations: &'static str,
    pub preset_version: String,
    /// The answers as the policy engine's declaration JSON.
    pub answers: String,
    pub description: &'static str,
    pub third_party: Option<&'static str>,
    pub value_cents: Option<i64>,
    pub event_date: Option<String>,
    pub outcome: Option<Outcome>,
    pub conditions: Option<&'static str>,
    pub reason: Option<&'static str>,
    pub destination: Option<GiftDestination>,
    pub decided_by: Option<usize>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Compare-and-set version: 1 as filed, one more per change.
    pub version: i64,
}

const YEARS_OF_DECLARATIONS: i64 = 5;
const DAY: i64 = 86_400;
/// Declarations younger than this may still wait for a decision.
const OPEN_WINDOW_DAYS: i64 = 90;

const GIFTS: &[&str] = &[
    "Bos bloemen van een inwoner",
    "Fles wijn van een leverancier",
    "Kerstpakket van een adviesbureau",
    "Boekenbon na een presentatie",
    "Doos bonbons van een bewonersvereniging",
    "Taart voor het team na afronding van een project",
    "Relatiegeschenk: pen en notitieboek",
    "Dinerbon van een aannemer",
];
const INVITATIONS: &[&str] = &[
    "Uitnodiging voor een congres over de Omgevingswet",
    "Diner met een projectontwikkelaar",
    "Kaarten voor een voetbalwedstrijd",
    "Nieuwjaarsreceptie van de Kamer van Koophandel",
    "Opening van een nieuw bedrijfspand",
    "Theatervoorstelling aangeboden door een leverancier",
];
const TRIPS: &[&str] = &[
    "Studiereis naar Kopenhagen over fietsbeleid",
    "Werkbezoek aan een partnerstad in Duitsland",
    "Congres in Brussel, reis en hotel betaald door de organisator",
];
const FACILITIES: &[&str] = &[
    "Gebruik van een vergaderzaal bij een adviesbureau",
    "Gratis softwarelicentie aangeboden door een leverancier",
];
const SIDE_ACTIVITIES: &[&str] = &[
    "Bestuurslid van de plaatselijke voetbalvereniging",
    "Docent aan een hogeschool, een avond per week",
    "Lid van de gemeenteraad in een andere gemeente",
    "Vrijwilliger bij de voedselbank",
    "Eigen bedrijf in webdesign",
    "Penningmeester van een muziekvereniging",
];
const INTERESTS: &[&str] = &[
    "Aandelen in een bouwbedrijf",
    "Belang in een vastgoedfonds",
    "Aankoop van grond in een ontwikkelgebied",
];
const RELATIONSHIPS: &[&str] = &[
    "Partner werkt bij een leverancier van de afdeling",
    "Familielid solliciteert op een vacature in het team",
];
const PRIVATE_USE: &[&str] = &[
    "Dienstauto gebruiken voor een verhuizing",
    "Laptop van de zaak mee op vakantie",
];
const DATA_LEAKS: &[&str] = &[
    "E-mail met een bijlage over een inwoner naar de verkeerde ontvanger gestuurd",
    "Usb-stick met een presentielijst in de trein verloren",
];
const EXPENSES: &[&str] = &[
    "Verlenging van een dienstreis met twee vrije dagen",
    "Werklunch met een externe partij",
];
const INFORMATION: &[&str] = &[
    "Een raadslid vraagt om de planning van de herinrichting van het marktplein",
    "Gegevens uit een subsidiedossier voor een presentatie bij een vereniging",
];
const SOFTWARE: &[&str] = &[
    "Een app voor het plannen van vergaderingen op de werktelefoon",
    "Een gratis pdf-programma op de werklaptop",
];
const HIRES: &[&str] = &[
    "Inhuur van een oud-medewerker als interim-projectleider",
    "Opdracht aan het adviesbureau van een oud-collega",
];
const THIRD_PARTIES: &[&str] = &[
    "Bouwbedrijf Van Dam BV",
    "Adviesbureau Noord",
    "Stichting Cultuurfonds",
    "Woningcorporatie Thuis",
    "Kamer van Koophandel",
    "Voetbalvereniging VV Oost",
    "Hogeschool Zuid",
    "Installatiebedrijf Smit",
    "ICT Partners BV",
    "Bewonersvereniging De Hoek",
];
const CONDITIONS: &[&str] = &[
    "Alleen buiten werktijd.",
    "Niet betrokken zijn bij dossiers van deze partij.",
    "Melden als de omstandigheden veranderen.",
    "Het geschenk wordt met het team gedeeld.",
];
const REFUSALS: &[&str] = &[
    "Schijn van belangenverstrengeling.",
    "Er loopt een aanbesteding met deze partij.",
    "De waarde is te hoog.",
];
const QUESTIONS_BACK: &[&str] = &[
    "Wie is de gever precies?",
    "Hoeveel uur per week kost het?",
    "Is er een offerte of uitnodiging om mee te sturen?",
];
/// Gift values in euros, cheap ones more often.
const GIFT_VALUES: &[i64] = &[
    10, 10, 15, 15, 20, 20, 25, 25, 30, 30, 35, 40, 50, 60, 75, 100, 150, 250,
];

/// Unix seconds to the civil (UTC) year, month and day (Howard Hinnant's
/// algorithm).
fn civil(unix: i64) -> (i64, i64, i64) {
    let z = unix.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Unix seconds to a `YYYY-MM-DD` date (UTC).
fn civil_date(unix: i64) -> String {
    let (year, month, day) = civil(unix);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Generates `per_person` declarations per person on average (exactly
/// `people × per_person` in total), filed over the five years before `now`,
/// oldest first. The same slug, organisation, count and `now` give the same
/// declarations. Mostly gifts, invitations and side activities; most are
/// decided or only registered, and the younger ones may still wait with the
/// declarant's manager or in the director's, board's or integrity office's
/// queue, routed as the web application routes them.
pub fn declarations<'a>(
    slug: &str,
    org: &'a SyntheticOrg,
    per_person: usize,
    now: i64,
) -> impl Iterator<Item = SyntheticDeclaration> + 'a {
    let seed = slug.bytes().fold(0x8422_2325_CBF2_9CE4_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    let mut rng = Rng(seed);
    let total = org.people.len() * per_person;
    let holders = |role: Role| -> Vec<usize> {
        let found: Vec<usize> = org
            .people
            .iter()
            .enumerate()
            .filter(|(_, p)| p.roles.contains(&role))
            .map(|(i, _)| i)
            .collect();
        if found.is_empty() { vec![0] } else { found }
    };
    let queue_members = [
        holders(Role::Director),
        holders(Role::Board),
        holders(Role::IntegrityOffice),
    ];
    let span = YEARS_OF_DECLARATIONS * 365 * DAY;
    let start = now - span;
    (0..total).map(move |j| {
        let person = rng.below(org.people.len());
        let p = &org.people[person];
        // Oldest first, about evenly over the years.
        let created_at = (start + (j as i64) * span / (total as i64) + rng.below(3600) as i64)
            .min(now - 60);
        let kind = match rng.below(1000) {
            0..=379 => Kind::Gift,
            380..=629 => Kind::Invitation,
            630..=779 => Kind::SideActivity,
            780..=819 => Kind::Trip,
            820..=849 => Kind::Facility,
            850..=889 => Kind::FinancialInterest,
            890..=909 => Kind::PrivateRelationship,
            910..=929 => Kind::PrivateUse,
            930..=979 => Kind::Expense,
            980..=989 => Kind::DataLeak,
            990..=993 => Kind::Information,
            994..=996 => Kind::SoftwareContent,
            _ => Kind::HireFormerEmployee,
        };
        let yes_no = |rng: &mut Rng, percent_yes: usize| rng.below(100) < percent_yes;
        let mut value_cents = None;
        // What the engine would have said, by kind: verdict, approver,
        // obligations, the answers and the texts.
        let (verdict, approver, obligations, answers, texts) = match kind {
            Kind::Gift => {
                let euros = GIFT_VALUES[rng.below(GIFT_VALUES.len())];
                value_cents = Some(euros * 100);
                let answers = format!(r#"{{"kind":"gift","value_eur":{euros}}}"#);
                if euros <= 25 {
                    (Verdict::Report, None, "register", answers, GIFTS)
                } else if euros <= 50 {
                    (
                        Verdict::Report,
                        Some(Approver::Manager),
                        "report_to_manager register",
                        answers,
                        GIFTS,
                    )
                } else {
                    (
                        Verdict::ApprovalRequired,
                        Some(Approver::Manager),
                        "hand_in register",
                        answers,
                        GIFTS,
                    )
                }
            }
            Kind::Invitation => {
                let functional = yes_no(&mut rng, 70);
                let answers = format!(
                    r#"{{"kind":"invitation","functional":{functional},"paid_by_third_party":true}}"#
                );
                if functional {
                    (Verdict::Report, None, "register", answers, INVITATIONS)
                } else {
                    (
                        Verdict::ApprovalRequired,
                        Some(Approver::Manager),
                        "organisation_pays",
                        answers,
                        INVITATIONS,
                    )
                }
            }
            Kind::Trip => (
                Verdict::ApprovalRequired,
                Some(Approver::Director),
                "organisation_pays",
                r#"{"kind":"trip","abroad":true,"paid_by_third_party":true}"#.to_string(),
                TRIPS,
            ),
            Kind::Facility => (
                Verdict::Report,
                None,
                "register",
                r#"{"kind":"facility","functional":true}"#.to_string(),
                FACILITIES,
            ),
            Kind::SideActivity => {
                let paid = yes_no(&mut rng, 40);
                let hours = 1 + rng.below(8);
                let answers = format!(
                    r#"{{"kind":"side_activity","paid":{paid},"may_conflict":false,"hours_per_week":{hours}}}"#
                );
                let (approver, obligations) = if p.top_official {
                    (Approver::Board, "publish written_permission")
                } else if p.designated_function {
                    (Approver::IntegrityOffice, "publish written_permission")
                } else {
                    (Approver::Manager, "written_permission")
                };
                (
                    Verdict::ApprovalRequired,
                    Some(approver),
                    obligations,
                    answers,
                    SIDE_ACTIVITIES,
                )
            }
            Kind::FinancialInterest => (
                Verdict::Report,
                Some(Approver::IntegrityOffice),
                "register",
                r#"{"kind":"financial_interest","may_conflict":false}"#.to_string(),
                INTERESTS,
            ),
            Kind::PrivateRelationship => (
                Verdict::Report,
                Some(Approver::IntegrityOffice),
                "recuse",
                r#"{"kind":"private_relationship","may_conflict":true}"#.to_string(),
                RELATIONSHIPS,
            ),
            Kind::PrivateUse => (
                Verdict::ApprovalRequired,
                Some(Approver::Manager),
                "written_permission",
                r#"{"kind":"private_use","explicit_permission":false}"#.to_string(),
                PRIVATE_USE,
            ),
            Kind::Expense => (
                Verdict::ApprovalRequired,
                Some(Approver::Manager),
                "consult_in_doubt",
                r#"{"kind":"expense","functional":true}"#.to_string(),
                EXPENSES,
            ),
            Kind::DataLeak => (
                Verdict::Report,
                Some(Approver::Manager),
                "report_immediately report_to_manager notify_authority register",
                r#"{"kind":"data_leak","people_affected":1,"contained":true}"#.to_string(),
                DATA_LEAKS,
            ),
            Kind::Information => (
                Verdict::ApprovalRequired,
                Some(Approver::Manager),
                "consult_director",
                r#"{"kind":"information","to_council_member":true}"#.to_string(),
                INFORMATION,
            ),
            Kind::SoftwareContent => (
                Verdict::Allowed,
                None,
                "consult_in_doubt",
                r#"{"kind":"software_content"}"#.to_string(),
                SOFTWARE,
            ),
            Kind::HireFormerEmployee => {
                let months = 3 + rng.below(30);
                (
                    Verdict::ApprovalRequired,
                    Some(Approver::Director),
                    "written_agreement",
                    format!(
                        r#"{{"kind":"hire_former_employee","months_since_departure":{months},"compelling_reasons":true}}"#
                    ),
                    HIRES,
                )
            }
        };
        let description = rng.pick(texts);
        let third_party = match kind {
            Kind::PrivateUse
            | Kind::Expense
            | Kind::PrivateRelationship
            | Kind::DataLeak
            | Kind::Information
            | Kind::SoftwareContent => None,
            _ => Some(rng.pick(THIRD_PARTIES)),
        };
        // Routed as the application routes: the manager (nobody decides
        // their own), else the director's queue; or the approver's queue.
        let (route_person, route_queue) = match approver {
            None => (None, None),
            Some(Approver::Manager) => match p.manager.filter(|m| *m != person) {
                Some(m) => (Some(m), None),
                None => (None, Some(Approver::Director)),
            },
            Some(queue) => (None, Some(queue)),
        };
        let decider = |rng: &mut Rng| match (route_person, route_queue) {
            (Some(m), _) => m,
            (None, Some(q)) => {
                let members = match q {
                    Approver::Board => &queue_members[1],
                    Approver::IntegrityOffice => &queue_members[2],
                    _ => &queue_members[0],
                };
                let pick = members[rng.below(members.len())];
                if pick != person {
                    pick
                } else {
                    members
                        .iter()
                        .copied()
                        .find(|m| *m != person)
                        .unwrap_or((person + 1) % org.people.len())
                }
            }
            (None, None) => 0,
        };
        let age = now - created_at;
        let decided_at = (created_at + DAY + rng.below(14) as i64 * DAY).min(now - 1);
        let mut d = SyntheticDeclaration {
            person,
            // Now and then a manager files for a team member.
            filed_by: match p.manager {
                Some(m) if rng.below(100) < 5 => m,
                _ => person,
            },
            kind,
            status: Status::Registered,
            route_person,
            route_queue,
            verdict,
            approver,
            obligations,
            // The bundled presets are at 2025.1; older declarations name the
            // version of their year.
            preset_version: format!("{}.1", civil(created_at).0.min(2025)),
            answers,
            description,
            third_party,
            value_cents,
            event_date: Some(civil_date(created_at - rng.below(14) as i64 * DAY)),
            outcome: None,
            conditions: None,
            reason: None,
            destination: None,
            decided_by: None,
            decided_at: None,
            created_at,
            updated_at: created_at,
            version: 1,
        };
        let roll = rng.below(100);
        if approver.is_none() {
            // Only registered; now and then withdrawn.
            if roll < 2 {
                d.status = Status::Withdrawn;
                d.updated_at = decided_at;
                d.version = 2;
            }
            return d;
        }
        if age < OPEN_WINDOW_DAYS * DAY && roll < 55 {
            d.status = Status::Submitted;
            return d;
        }
        let (status, outcome) = if age < OPEN_WINDOW_DAYS * DAY && roll < 65 {
            (Status::InfoRequested, Some(Outcome::AskInformation))
        } else {
            match rng.below(100) {
                0..=77 => (Status::Approved, Some(Outcome::Approve)),
                78..=89 => (
                    Status::ApprovedWithConditions,
                    Some(Outcome::ApproveWithConditions),
                ),
                90..=96 => (Status::Refused, Some(Outcome::Refuse)),
                _ => (Status::Withdrawn, None),
            }
        };
        d.status = status;
        d.outcome = outcome;
        d.updated_at = decided_at;
        d.version = 2;
        if outcome.is_some() {
            d.decided_by = Some(decider(&mut rng));
            d.decided_at = Some(decided_at);
        }
        match outcome {
            Some(Outcome::ApproveWithConditions) => d.conditions = Some(rng.pick(CONDITIONS)),
            Some(Outcome::Refuse) => d.reason = Some(rng.pick(REFUSALS)),
            Some(Outcome::AskInformation) => d.reason = Some(rng.pick(QUESTIONS_BACK)),
            _ => {}
        }
        if kind == Kind::Gift {
            d.destination = match outcome {
                Some(Outcome::Refuse) => Some(GiftDestination::ReturnToGiver),
                Some(Outcome::Approve | Outcome::ApproveWithConditions) => {
                    Some(match rng.below(20) {
                        0..=7 => GiftDestination::Keep,
                        8..=12 => GiftDestination::ShareWithColleagues,
                        13..=14 => GiftDestination::Raffle,
                        15..=16 => GiftDestination::HandIn,
                        17..=18 => GiftDestination::ReturnToGiver,
                        _ => GiftDestination::Donate,
                    })
                }
                _ => None,
            };
        }
        d
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_well_formed() {
        let a = generate("dalfsen", 500);
        let b = generate("dalfsen", 500);
        assert_eq!(a.people.len(), 500);
        assert_eq!(a.people[123].name, b.people[123].name);
        for (i, p) in a.people.iter().enumerate() {
            if let Some(m) = p.manager {
                assert!(m < i, "manager comes first");
            }
            if let Some(u) = p.unit {
                assert!(u < a.units.len());
            }
        }
        let emails: std::collections::HashSet<_> = a.people.iter().map(|p| &p.email).collect();
        assert_eq!(emails.len(), 500);
        for role in Role::ALL {
            assert!(
                a.people.iter().any(|p| p.roles.contains(&role)),
                "{role:?} present"
            );
        }
    }

    #[test]
    fn declarations_are_deterministic_and_routed_like_real_ones() {
        let org = generate("dalfsen", 400);
        let now = 1_790_000_000;
        let a: Vec<_> = declarations("dalfsen", &org, 10, now).collect();
        let b: Vec<_> = declarations("dalfsen", &org, 10, now).collect();
        assert_eq!(a.len(), 4000);
        assert_eq!(a, b);
        let five_years = YEARS_OF_DECLARATIONS * 365 * DAY;
        let mut kinds = std::collections::HashSet::new();
        let mut waiting_with_manager = 0;
        let mut in_queue = 0;
        for d in &a {
            kinds.insert(d.kind);
            assert!(d.created_at >= now - five_years && d.created_at < now);
            assert!(d.updated_at >= d.created_at && d.updated_at < now);
            let answers: serde_json::Value = serde_json::from_str(&d.answers).unwrap();
            assert_eq!(answers["kind"], d.kind.code());
            if d.kind == Kind::Gift {
                let cents = d.value_cents.expect("a gift has a value");
                assert_eq!(answers["value_eur"].as_i64(), Some(cents / 100));
            }
            // The routing the application would have chosen.
            match d.approver {
                None => {
                    assert!(d.route_person.is_none() && d.route_queue.is_none());
                    assert!(matches!(d.status, Status::Registered | Status::Withdrawn));
                }
                Some(Approver::Manager) => match org.people[d.person].manager {
                    Some(m) => assert_eq!(d.route_person, Some(m)),
                    None => assert_eq!(d.route_queue, Some(Approver::Director)),
                },
                Some(q) => assert_eq!(d.route_queue, Some(q)),
            }
            if d.status == Status::Submitted {
                assert!(now - d.created_at < OPEN_WINDOW_DAYS * DAY);
                assert!(d.outcome.is_none() && d.decided_by.is_none());
                if d.route_person.is_some() {
                    waiting_with_manager += 1;
                } else {
                    in_queue += 1;
                }
            }
            if let Some(by) = d.decided_by {
                assert_ne!(by, d.person, "nobody decides their own");
                assert!(d.outcome.is_some() && d.decided_at.is_some());
            }
        }
        assert_eq!(kinds.len(), Kind::ALL.len(), "every kind occurs");
        assert!(waiting_with_manager > 0 && in_queue > 0);
        let open = a.iter().filter(|d| d.status.is_open()).count();
        assert!(open * 20 < a.len(), "most are decided or registered");
        assert_eq!(declarations("dalfsen", &org, 0, now).count(), 0);
        assert_eq!(declarations("x", &generate("x", 0), 10, now).count(), 0);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
        assert_eq!(civil_date(1_735_689_599), "2024-12-31");
        assert_eq!(civil_date(1_735_689_600), "2025-01-01");
    }

    #[test]
    fn tiny_organisations() {
        for n in 0..20 {
            assert_eq!(generate("x", n).people.len(), n);
        }
    }
}
