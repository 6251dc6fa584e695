//! The annual integrity report on SQLite and PostgreSQL: a fixed small data
//! set with every figure computed by hand, the year's boundaries in Dutch
//! time, tenancy, an empty year, the narrative (compare-and-set) and
//! publishing, which freezes the report against later changes.

use integer_domain::annual_report::{
    self as rules, AnnualFigures, Narrative, Shown, Version, document,
};
use integer_domain::audit::Credential;
use integer_domain::case::{CaseKind, Channel, IdentityMode, TeamRole};
use integer_domain::counsel::{ConsultationInput, parse_consultation};
use integer_domain::crypto::InstallationKey;
use integer_domain::declaration::Status;
use integer_domain::org::{OrgId, PersonId, Role};
use integer_domain::values::Slug;
use integer_store::annual_report::{self as report, Author};
use integer_store::cases::{self, NewCase};
use integer_store::counsellor_log;
use integer_store::declarations::{self, NewDeclaration};
use integer_store::testing::{TestDb, add_person, audit_rows, both};
use integer_store::{Db, Store, StoreError, orgs, yearly_check};
use jiff::civil::{Date, date};

const TODAY: Date = date(2026, 3, 1);

fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_second()
}

async fn org(store: &Store, slug: &str) -> OrgId {
    let mut tx = store.begin_write().await.unwrap();
    let id = orgs::create(
        &mut tx,
        &Slug::parse(slug).unwrap(),
        slug,
        "maastricht",
        false,
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    id
}

/// A case as filed; what happened next is set with [`handled`].
#[allow(clippy::too_many_arguments)]
async fn case(
    store: &Store,
    key: &InstallationKey,
    org: OrgId,
    kind: CaseKind,
    channel: Channel,
    category: Option<&str>,
    received: &str,
    team: Vec<(PersonId, TeamRole)>,
) -> i64 {
    let mut tx = store.begin_write().await.unwrap();
    let created = cases::create(
        &mut tx,
        key,
        org,
        &NewCase {
            kind,
            channel,
            identity_mode: IdentityMode::Anonymous,
            category: category.map(str::to_string),
            title: "Titel".into(),
            body: "Inhoud".into(),
            identity: None,
            reporter_tag: None,
            created_by: None,
            received_at: at(received),
            receipt_hash: format!("{}-{received}-{}", org.0, rand_suffix()),
            named: Vec::new(),
            files: Vec::new(),
            team,
            alternate: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    created.id
}

fn rand_suffix() -> String {
    integer_store::random_token()[..8].to_string()
}

/// Sets the handling of a case as it stands (steps are tested elsewhere).
#[allow(clippy::too_many_arguments)]
async fn handled(
    db: &mut Db,
    id: i64,
    state: &str,
    finding: Option<&str>,
    measures: &str,
    acknowledged: Option<&str>,
    feedback_due: Option<&str>,
    feedback: Option<&str>,
) {
    sqlx::query(
        "UPDATE cases SET state = $1, finding = $2, measures = $3, acknowledged_at = $4, \
         feedback_due = $5, feedback_at = $6 WHERE id = $7",
    )
    .bind(state)
    .bind(finding)
    .bind(measures)
    .bind(acknowledged.map(at))
    .bind(feedback_due)
    .bind(feedback.map(at))
    .bind(id)
    .execute(db)
    .await
    .unwrap();
}

/// A declaration filed through the store, then dated and decided as the
/// data set needs.
#[allow(clippy::too_many_arguments)]
async fn declaration(
    store: &Store,
    org: OrgId,
    person: PersonId,
    kind: &str,
    status: &str,
    destination: Option<&str>,
    obligations: &[&str],
    created: &str,
    published: Option<&str>,
) -> i64 {
    let mut tx = store.begin_write().await.unwrap();
    let id = declarations::insert(
        &mut tx,
        org,
        &NewDeclaration {
            person,
            filed_by: person,
            unit: None,
            kind: kind.into(),
            status: Status::Registered,
            route: None,
            verdict: "report".into(),
            approver: None,
            obligations: obligations.iter().map(|o| o.to_string()).collect(),
            preset_version: "test".into(),
            answers: "{}".into(),
            description: "iets".into(),
            third_party: None,
            value_cents: None,
            event_date: None,
        },
        "test",
    )
    .await
    .unwrap();
    sqlx::query(
        "UPDATE declarations SET status = $1, destination = $2, created_at = $3, published_at = $4 \
         WHERE id = $5",
    )
    .bind(status)
    .bind(destination)
    .bind(at(created))
    .bind(published.map(at))
    .bind(id)
    .execute(&mut *tx)
    .await
    .unwrap();
    // Published: the person was told and confirmed the text then.
    if let Some(p) = published {
        sqlx::query(
            "INSERT INTO publications (declaration_id, org_id, person_id, informed_at, due_at, \
             confirmed_at, version) VALUES ($1, $2, $3, $4, $5, $4, 1)",
        )
        .bind(id)
        .bind(org.0)
        .bind(person.0)
        .bind(at(p))
        .bind(at(p) + 14 * 86_400)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    id
}

#[allow(clippy::too_many_arguments)]
async fn consultation(
    store: &Store,
    org: OrgId,
    counsellor: PersonId,
    day: &str,
    topic: &str,
    behaviour: &str,
    visitor: &str,
    actions: &[&str],
    contacts: &str,
    contact: &str,
) {
    let c = parse_consultation(
        &ConsultationInput {
            date: day,
            topic,
            behaviour,
            visitor,
            actions: actions.to_vec(),
            contacts,
            contact,
        },
        TODAY,
    )
    .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    counsellor_log::add(
        &mut tx,
        org,
        &counsellor_log::Author {
            person: counsellor,
            actor: format!("person:{}", counsellor.0),
            credential: Credential::Session,
        },
        &c,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn b(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(c, n)| (c.to_string(), *n)).collect()
}

/// The fixed data set of organisation "jv-a" (and some of "jv-b", which
/// must not count).
async fn data_set(store: &Store, key: &InstallationKey) -> (OrgId, PersonId) {
    use CaseKind::{Complaint, Report};
    use TeamRole::Investigator;
    let a = org(store, "jv-a").await;
    let other = org(store, "jv-b").await;
    let office = add_person(store, a, "Olga", "olga@a.nl", Role::IntegrityOffice, None).await;
    let inside = add_person(store, a, "Ivo", "ivo@a.nl", Role::Investigator, None).await;
    let outside = add_person(store, a, "Bureau", "bureau@a.nl", Role::Investigator, None).await;
    let e1 = add_person(store, a, "Eva", "eva@a.nl", Role::Employee, None).await;
    let e2 = add_person(store, a, "Emma", "emma@a.nl", Role::Employee, None).await;
    let e3 = add_person(store, a, "Eric", "eric@a.nl", Role::Employee, None).await;
    let vp = add_person(store, a, "Vera", "vera@a.nl", Role::Counsellor, None).await;
    let dir = add_person(store, a, "Dirk", "dirk@a.nl", Role::Director, None).await;
    let late = add_person(store, a, "Nieuw", "nieuw@a.nl", Role::Employee, None).await;
    let b_person = add_person(store, other, "Bea", "bea@b.nl", Role::Employee, None).await;
    let mut c = store.conn().await.unwrap();
    // Eight people by the end of 2025; one joined in 2026. The external
    // bureau is hired.
    sqlx::query("UPDATE people SET created_at = $1 WHERE org_id = $2")
        .bind(at("2025-01-15T09:00:00Z"))
        .bind(a.0)
        .execute(&mut *c)
        .await
        .unwrap();
    sqlx::query("UPDATE people SET created_at = $1 WHERE id = $2")
        .bind(at("2026-02-01T09:00:00Z"))
        .bind(late.0)
        .execute(&mut *c)
        .await
        .unwrap();
    sqlx::query("UPDATE people SET employment_type = 'hired' WHERE id = $1")
        .bind(outside.0)
        .execute(&mut *c)
        .await
        .unwrap();
    drop(c);

    // Reports of 2025.
    let r1 = case(
        store,
        key,
        a,
        Report,
        Channel::WebPublic,
        Some("fraud"),
        "2025-02-10T10:00:00Z",
        vec![(inside, Investigator)],
    )
    .await;
    let r2 = case(
        store,
        key,
        a,
        Report,
        Channel::Email,
        Some("fraud"),
        "2025-03-01T10:00:00Z",
        vec![],
    )
    .await;
    let r3 = case(
        store,
        key,
        a,
        Report,
        Channel::Phone,
        None,
        "2025-12-30T10:00:00Z",
        vec![],
    )
    .await;
    let r4 = case(
        store,
        key,
        a,
        Report,
        Channel::WebPublic,
        Some("corruption"),
        "2025-06-01T10:00:00Z",
        vec![(outside, Investigator), (inside, Investigator)],
    )
    .await;
    let r5 = case(
        store,
        key,
        a,
        Report,
        Channel::WebEmployee,
        Some("eigen_categorie"),
        "2025-11-20T10:00:00Z",
        vec![],
    )
    .await;
    // 00:30 on 1 January 2025 in Amsterdam: still 2024 in UTC.
    let r6 = case(
        store,
        key,
        a,
        Report,
        Channel::Letter,
        Some("fraud"),
        "2024-12-31T23:30:00Z",
        vec![(inside, Investigator)],
    )
    .await;
    // 00:30 on 1 January 2026 in Amsterdam: not 2025.
    case(
        store,
        key,
        a,
        Report,
        Channel::Letter,
        Some("fraud"),
        "2025-12-31T23:30:00Z",
        vec![],
    )
    .await;
    // 2024, and another organisation.
    case(
        store,
        key,
        a,
        Report,
        Channel::Email,
        Some("waste"),
        "2024-05-05T10:00:00Z",
        vec![],
    )
    .await;
    case(
        store,
        key,
        other,
        Report,
        Channel::Email,
        Some("fraud"),
        "2025-05-05T10:00:00Z",
        vec![],
    )
    .await;
    // Complaints of 2025.
    let c1 = case(
        store,
        key,
        a,
        Complaint,
        Channel::WebEmployee,
        Some("undesirable_behaviour"),
        "2025-04-01T10:00:00Z",
        vec![],
    )
    .await;
    let c2 = case(
        store,
        key,
        a,
        Complaint,
        Channel::Meeting,
        None,
        "2025-05-01T10:00:00Z",
        vec![],
    )
    .await;
    let mut c = store.conn().await.unwrap();
    handled(
        &mut c,
        r1,
        "measures",
        Some("proven"),
        "warning,police_report",
        Some("2025-02-12T10:00:00Z"),
        Some("2025-05-12"),
        Some("2025-05-01T10:00:00Z"),
    )
    .await;
    handled(
        &mut c,
        r2,
        "not_pursued",
        None,
        "",
        Some("2025-03-12T10:00:00Z"),
        Some("2025-06-12"),
        Some("2025-07-01T10:00:00Z"),
    )
    .await;
    handled(&mut c, r3, "received", None, "", None, None, None).await;
    handled(
        &mut c,
        r4,
        "investigation",
        None,
        "",
        Some("2025-06-02T10:00:00Z"),
        Some("2025-09-02"),
        None,
    )
    .await;
    handled(
        &mut c,
        r5,
        "referred",
        None,
        "",
        Some("2025-11-21T10:00:00Z"),
        Some("2026-04-01"),
        None,
    )
    .await;
    handled(
        &mut c,
        r6,
        "closed",
        Some("not_proven"),
        "",
        None,
        None,
        None,
    )
    .await;
    handled(
        &mut c,
        c1,
        "closed",
        Some("partly_proven"),
        "conversation",
        Some("2025-04-02T10:00:00Z"),
        Some("2025-07-02"),
        Some("2025-06-01T10:00:00Z"),
    )
    .await;
    handled(&mut c, c2, "intake", None, "", None, None, None).await;
    drop(c);

    // Declarations.
    let d = |kind, status, dest, obl: &'static [&'static str], created, published| {
        declaration(store, a, e1, kind, status, dest, obl, created, published)
    };
    d(
        "gift",
        "approved",
        Some("hand_in"),
        &[],
        "2025-02-01T10:00:00Z",
        None,
    )
    .await;
    d(
        "gift",
        "approved",
        Some("share_with_colleagues"),
        &[],
        "2025-03-01T10:00:00Z",
        None,
    )
    .await;
    d(
        "gift",
        "registered",
        None,
        &[],
        "2025-04-01T10:00:00Z",
        None,
    )
    .await;
    d(
        "gift",
        "refused",
        Some("return_to_giver"),
        &[],
        "2025-05-01T10:00:00Z",
        None,
    )
    .await;
    d(
        "side_activity",
        "approved",
        None,
        &["publish"],
        "2025-05-10T10:00:00Z",
        Some("2025-06-01T10:00:00Z"),
    )
    .await;
    d(
        "side_activity",
        "submitted",
        None,
        &["publish"],
        "2025-07-01T10:00:00Z",
        None,
    )
    .await;
    d(
        "financial_interest",
        "withdrawn",
        None,
        &[],
        "2025-08-01T10:00:00Z",
        None,
    )
    .await;
    d(
        "data_leak",
        "registered",
        None,
        &[],
        "2025-09-01T10:00:00Z",
        None,
    )
    .await;
    d(
        "invitation",
        "info_requested",
        None,
        &[],
        "2025-12-31T22:30:00Z",
        None,
    )
    .await;
    // Not 2025: 00:30 on 1 January 2026 in Amsterdam; 2024 (still in the
    // register); another organisation.
    d(
        "gift",
        "approved",
        Some("keep"),
        &[],
        "2025-12-31T23:30:00Z",
        None,
    )
    .await;
    d(
        "side_activity",
        "approved",
        None,
        &["register", "publish"],
        "2024-02-01T10:00:00Z",
        Some("2024-03-01T10:00:00Z"),
    )
    .await;
    declaration(
        store,
        other,
        b_person,
        "gift",
        "approved",
        Some("keep"),
        &[],
        "2025-02-01T10:00:00Z",
        None,
    )
    .await;

    // The yearly check of 2025.
    let mut tx = store.begin_write().await.unwrap();
    let campaign = yearly_check::start(&mut tx, a, 2025, office).await.unwrap();
    yearly_check::respond(&mut tx, a, campaign, e1, "confirmed")
        .await
        .unwrap();
    yearly_check::respond(&mut tx, a, campaign, e2, "confirmed")
        .await
        .unwrap();
    yearly_check::respond(&mut tx, a, campaign, e3, "none")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The counsellors' log.
    consultation(
        store,
        a,
        vp,
        "2025-03-01",
        "undesirable_behaviour",
        "bullying",
        "employee",
        &["listening", "advice"],
        "2",
        "first",
    )
    .await;
    consultation(
        store,
        a,
        vp,
        "2025-04-01",
        "integrity_question",
        "",
        "manager",
        &["advice"],
        "1",
        "first",
    )
    .await;
    consultation(
        store,
        a,
        vp,
        "2025-05-01",
        "undesirable_behaviour",
        "intimidation",
        "employee",
        &["listening"],
        "3",
        "follow_up",
    )
    .await;
    consultation(
        store,
        a,
        vp,
        "2024-05-01",
        "other",
        "",
        "outsider",
        &["referral"],
        "1",
        "first",
    )
    .await;
    let _ = dir;
    (a, office)
}

fn expected_2025() -> AnnualFigures {
    use integer_domain::annual_report::*;
    AnnualFigures {
        year: 2025,
        reports: ReportFigures {
            received: 6,
            by_category: b(&[
                ("corruption", 1),
                ("fraud", 3),
                ("waste", 0),
                ("misuse_of_powers", 0),
                ("undesirable_behaviour", 0),
                ("incompatible_functions", 0),
                ("misuse_of_information", 0),
                ("private_misconduct", 0),
                ("gifts", 0),
                ("other", 1),
                ("uncategorised", 1),
            ]),
            by_channel: b(&[
                ("web_public", 2),
                ("web_employee", 1),
                ("phone", 1),
                ("meeting", 0),
                ("letter", 1),
                ("email", 1),
                ("counsellor", 0),
                ("manager", 0),
            ]),
            by_outcome: b(&[
                ("proven", 1),
                ("partly_proven", 0),
                ("not_proven", 1),
                ("not_pursued", 1),
                ("referred", 1),
                ("open", 2),
            ]),
        },
        handling: HandlingFigures {
            measures: b(&[
                ("conversation", 1),
                ("warning", 1),
                ("disciplinary", 0),
                ("dismissal", 0),
                ("police_report", 1),
                ("culture_investigation", 0),
                ("risk_analysis", 0),
            ]),
            investigations: b(&[("internal", 2), ("external", 1)]),
        },
        deadlines: DeadlineFigures {
            acknowledgement: b(&[("on_time", 3), ("late", 1), ("overdue", 2), ("running", 0)]),
            feedback: b(&[
                ("on_time", 1),
                ("late", 1),
                ("overdue", 1),
                ("running", 1),
                ("not_started", 2),
            ]),
        },
        complaints: ComplaintFigures {
            received: 2,
            by_outcome: b(&[
                ("proven", 0),
                ("partly_proven", 1),
                ("not_proven", 0),
                ("not_pursued", 0),
                ("referred", 0),
                ("open", 1),
            ]),
        },
        declarations: DeclarationFigures {
            filed: 9,
            by_kind: b(&[
                ("gift", 4),
                ("invitation", 1),
                ("trip", 0),
                ("facility", 0),
                ("side_activity", 2),
                ("financial_interest", 1),
                ("private_relationship", 0),
                ("private_use", 0),
                ("expense", 0),
                ("hire_former_employee", 0),
                ("data_leak", 1),
                ("information", 0),
                ("software_content", 0),
            ]),
            by_decision: b(&[
                ("approved", 3),
                ("approved_with_conditions", 0),
                ("refused", 1),
                ("registered", 2),
                ("open", 2),
                ("withdrawn", 1),
            ]),
            gifts: 4,
            gift_destinations: b(&[
                ("keep", 0),
                ("share_with_colleagues", 1),
                ("raffle", 0),
                ("hand_in", 1),
                ("return_to_giver", 1),
                ("donate", 0),
                ("none", 1),
            ]),
        },
        register: RegisterFigures {
            published_in_year: 1,
            in_register: 2,
        },
        yearly_check: YearlyCheckFigures {
            held: true,
            in_scope: 8,
            answers: b(&[("confirmed", 2), ("none", 1), ("not_answered", 5)]),
        },
        counsellors: CounsellorFigures {
            consultations: 3,
            contacts: 6,
            by_contact: b(&[("first", 2), ("follow_up", 1)]),
            by_topic: b(&[
                ("integrity_question", 1),
                ("integrity_concern", 0),
                ("undesirable_behaviour", 2),
                ("other", 0),
            ]),
            by_behaviour: b(&[
                ("intimidation", 1),
                ("sexual_harassment", 0),
                ("discrimination", 0),
                ("bullying", 1),
                ("aggression_violence", 0),
                ("other", 0),
            ]),
            by_visitor: b(&[("employee", 2), ("manager", 1), ("outsider", 0)]),
            by_action: b(&[
                ("listening", 2),
                ("advice", 2),
                ("referral", 0),
                ("mediation", 0),
                ("complaint_filed", 0),
                ("report_filed", 0),
            ]),
        },
        extra: Vec::new(),
    }
}

fn no_progress(_: &str) {}

#[tokio::test]
async fn every_figure_of_a_fixed_data_set_on_both_databases() {
    for TestDb { store, name, .. } in both().await {
        let key = InstallationKey::generate();
        let (a, _) = data_set(&store, &key).await;
        let mut c = store.conn().await.unwrap();
        let data = report::report_data(&mut c, a, 2025, TODAY, &no_progress)
            .await
            .unwrap();
        let mut figures = data.figures.clone();
        // The prevention modules' sections (their own figures are tested
        // with those modules): nine people without a start date are in
        // service, none sworn in or trained; no vulnerable functions.
        let extra: Vec<(String, Vec<i64>)> = figures
            .extra
            .iter()
            .flat_map(|s| s.tables.iter())
            .map(|t| (t.id.clone(), t.rows.iter().map(|r| r.value).collect()))
            .collect();
        let e = |id: &str, v: &[i64]| (id.to_string(), v.to_vec());
        assert_eq!(
            extra,
            [
                e("prevention.oath", &[9, 0, 0, 0, 0]),
                e("prevention.vog", &[0, 0]),
                e("prevention.declaration", &[0, 0]),
                e("learning.introduction", &[0, 9]),
                e("learning.activities", &[0, 0, 0, 0, 0, 0, 0]),
                e("vulnerable.area", &[0, 0, 0, 0, 0, 0]),
                e("vulnerable.designated", &[0, 0]),
                e("vulnerable.reviews", &[0, 0, 0]),
            ],
            "{name}"
        );
        figures.extra.clear();
        assert_eq!(figures, expected_2025(), "{name}");
        assert_eq!(data.made_on, "2026-03-01");

        // The two years before: one report and one declaration (the side
        // activity still in the register) in 2024, one consultation;
        // nothing in 2023.
        let y2024 = &data.earlier[0];
        assert_eq!(y2024.year, 2024);
        assert_eq!(y2024.reports.received, 1, "{name}");
        assert_eq!(y2024.declarations.filed, 1, "{name}");
        assert_eq!(y2024.register.in_register, 1, "{name}");
        assert_eq!(y2024.register.published_in_year, 1, "{name}");
        assert_eq!(y2024.counsellors.consultations, 1, "{name}");
        assert!(!y2024.yearly_check.held);
        let y2023 = &data.earlier[1];
        assert_eq!(y2023.year, 2023);
        assert!(y2023.is_empty(), "{name}: {y2023:?}");

        // Trends, internal: reports, complaints, declarations, gifts,
        // consultations for 2023, 2024, 2025.
        let internal = document(&data, &Narrative::default(), Version::Internal);
        let trend = |doc: &rules::Document, code: &str| -> Vec<Shown> {
            doc.trends
                .iter()
                .find(|t| t.code == code)
                .unwrap()
                .values
                .iter()
                .map(|(_, s)| *s)
                .collect()
        };
        use Shown::{Exact, Hidden, Small};
        assert_eq!(trend(&internal, "reports"), [Exact(0), Exact(1), Exact(6)]);
        assert_eq!(
            trend(&internal, "complaints"),
            [Exact(0), Exact(0), Exact(2)]
        );
        assert_eq!(
            trend(&internal, "declarations"),
            [Exact(0), Exact(1), Exact(9)]
        );
        assert_eq!(trend(&internal, "gifts"), [Exact(0), Exact(0), Exact(4)]);
        assert_eq!(
            trend(&internal, "consultations"),
            [Exact(0), Exact(1), Exact(3)]
        );

        // Publishable: every small count "< 5"; the reports' total (6) can
        // no longer be shown, since all its non-zero cells are small.
        let public = document(&data, &Narrative::default(), Version::Publishable);
        let table = |id: &str| public.tables.iter().find(|t| t.id == id).unwrap();
        let category = table("reports.category");
        assert_eq!(category.rows[1].shown, Small, "fraud: 3");
        assert_eq!(category.total, Some(Hidden));
        assert_eq!(table("reports.channel").total, Some(Hidden), "shared total");
        assert_eq!(table("declarations.kind").rows[0].shown, Small, "gifts: 4");
        assert_eq!(table("declarations.kind").total, Some(Hidden));
        assert_eq!(table("declarations.decision").total, Some(Hidden));
        assert_eq!(table("declarations.gifts").total, Some(Small));
        // 2 and 1 are small; with the 5 hidden as well, 8 - 5 would still
        // narrow them down: the total goes.
        assert_eq!(table("yearly_check.answers").rows[2].shown, Hidden);
        assert_eq!(table("yearly_check.answers").total, Some(Hidden));
        assert_eq!(table("handling.investigations").total, Some(Small));
        assert_eq!(trend(&public, "reports"), [Exact(0), Small, Hidden]);
        assert!(!public.empty);
    }
}

#[tokio::test]
async fn a_year_without_data_is_all_zeros() {
    for TestDb { store, name, .. } in both().await {
        let a = org(&store, "leeg").await;
        let mut c = store.conn().await.unwrap();
        let f = report::figures(&mut c, a, 2019, TODAY, &no_progress)
            .await
            .unwrap();
        assert!(f.is_empty(), "{name}");
        assert_eq!(f.reports.by_category.len(), 11);
        assert!(f.reports.by_category.iter().all(|(_, n)| *n == 0));
        assert_eq!(
            f.yearly_check.answers,
            b(&[("confirmed", 0), ("none", 0), ("not_answered", 0)])
        );
        let data = report::report_data(&mut c, a, 2019, TODAY, &no_progress)
            .await
            .unwrap();
        assert!(document(&data, &Narrative::default(), Version::Publishable).empty);
    }
}

#[tokio::test]
async fn narrative_is_compare_and_set_and_publishing_freezes_the_report() {
    for TestDb { store, name, .. } in both().await {
        let key = InstallationKey::generate();
        let (a, office) = data_set(&store, &key).await;
        let who = Author {
            person: Some(office),
            actor: format!("person:{}", office.0),
            credential: Credential::Session,
        };
        let text = Narrative {
            introduction: "Een rustig jaar.".into(),
            ..Default::default()
        };
        let mut tx = store.begin_write().await.unwrap();
        assert_eq!(
            report::save_narrative(&mut tx, a, 2025, 0, &text, &who)
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();
        // A second writer who also started from nothing loses.
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            matches!(
                report::save_narrative(&mut tx, a, 2025, 0, &text, &who).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}"
        );
        drop(tx);
        let better = Narrative {
            outlook: "Meer moreel beraad.".into(),
            ..text.clone()
        };
        let mut tx = store.begin_write().await.unwrap();
        assert_eq!(
            report::save_narrative(&mut tx, a, 2025, 1, &better, &who)
                .await
                .unwrap(),
            2
        );
        tx.commit().await.unwrap();

        // Publishing with a stale version is refused; with the current one
        // it freezes the figures and the narrative.
        let mut tx = store.begin_write().await.unwrap();
        let data = report::report_data(&mut tx, a, 2025, TODAY, &no_progress)
            .await
            .unwrap();
        assert!(matches!(
            report::publish(&mut tx, a, 2025, 1, &data, &who).await,
            Err(StoreError::Conflict(_))
        ));
        let public = report::publish(&mut tx, a, 2025, 2, &data, &who)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(public.narrative, better);

        // Later changes: a new report in 2025 and a new gift.
        case(
            &store,
            &key,
            a,
            CaseKind::Report,
            Channel::Email,
            Some("fraud"),
            "2025-08-08T10:00:00Z",
            vec![],
        )
        .await;
        let mut c = store.conn().await.unwrap();
        let live = report::report_data(&mut c, a, 2025, TODAY, &no_progress)
            .await
            .unwrap();
        assert_eq!(live.figures.reports.received, 7, "{name}");
        let saved = report::get(&mut c, a, 2025).await.unwrap().unwrap();
        assert!(saved.published_at.is_some());
        assert_eq!(
            saved.data.as_ref().unwrap(),
            &data,
            "the exact figures as they were"
        );
        assert_eq!(saved.data.as_ref().unwrap().figures.reports.received, 6);
        assert_eq!(saved.public_document().unwrap().unwrap(), public, "{name}");
        assert_eq!(saved.narrative, better);
        drop(c);

        // A published report does not change any more.
        let mut tx = store.begin_write().await.unwrap();
        assert!(matches!(
            report::save_narrative(&mut tx, a, 2025, saved.version, &text, &who).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            report::publish(&mut tx, a, 2025, saved.version, &live, &who).await,
            Err(StoreError::Conflict(_))
        ));
        drop(tx);
        let mut c = store.conn().await.unwrap();
        let rows = audit_rows(&mut c, "annual_report").await;
        let actions: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            actions,
            [
                "annual_report.narrative_saved",
                "annual_report.narrative_saved",
                "annual_report.published"
            ],
            "{name}"
        );
    }
}
