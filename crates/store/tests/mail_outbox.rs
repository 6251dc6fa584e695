//! The e-mail outbox on SQLite and PostgreSQL alike: claims are exclusive,
//! a sent mail is not sent again, failures back off and give up with their
//! error kept, old notifications are not mailed, and a claim carries only
//! what a mail may say.

use integer_domain::declaration::{Route, Status};
use integer_domain::org::{OrgId, PersonId, Role};
use integer_domain::values::Slug;
use integer_store::declarations::{self, NewDeclaration};
use integer_store::mail_outbox::{self, AfterFailure, OutboxCounts, OutboxRules, PendingMail};
use integer_store::testing::{add_person, both};
use integer_store::{Store, orgs};
use std::collections::BTreeSet;

const SECRET_DESCRIPTION: &str = "Bos bloemen van leverancier Geheim BV";

struct Town {
    org: OrgId,
    manager: PersonId,
    employee: PersonId,
    declaration: i64,
}

/// An organisation with a manager and an employee whose declaration waits
/// for the manager: the manager and the employee each have a notification.
async fn town(store: &Store) -> Town {
    let mut tx = store.begin_write().await.unwrap();
    let org = orgs::create(
        &mut tx,
        &Slug::parse("postkamer").unwrap(),
        "Gemeente Postkamer",
        "maastricht",
        false,
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    let manager = add_person(
        store,
        org,
        "Mia Manager",
        "mia@postkamer.nl",
        Role::Manager,
        None,
    )
    .await;
    let employee = add_person(
        store,
        org,
        "Eva Employee",
        "eva@postkamer.nl",
        Role::Employee,
        None,
    )
    .await;
    let mut tx = store.begin_write().await.unwrap();
    let declaration = declarations::insert(
        &mut tx,
        org,
        &NewDeclaration {
            person: employee,
            filed_by: manager,
            unit: None,
            kind: "gift".into(),
            status: Status::Submitted,
            route: Some(Route::Person(manager)),
            verdict: "allowed_with_declaration".into(),
            approver: Some("manager".into()),
            obligations: vec![],
            preset_version: "test".into(),
            answers: "{}".into(),
            description: SECRET_DESCRIPTION.into(),
            third_party: Some("Geheim BV".into()),
            value_cents: Some(3000),
            event_date: None,
        },
        "test",
    )
    .await
    .unwrap();
    declarations::notify(
        &mut tx,
        org,
        manager,
        "declaration.to_decide",
        Some(declaration),
    )
    .await
    .unwrap();
    declarations::notify(
        &mut tx,
        org,
        employee,
        "declaration.filed_for_you",
        Some(declaration),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Town {
        org,
        manager,
        employee,
        declaration,
    }
}

async fn notify_many(store: &Store, town: &Town, n: usize) {
    let mut tx = store.begin_write().await.unwrap();
    for _ in 0..n {
        declarations::notify(
            &mut tx,
            town.org,
            town.employee,
            "declaration.decided",
            None,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn claim(store: &Store, rules: &OutboxRules, now: i64) -> Vec<PendingMail> {
    let mut conn = store.conn().await.unwrap();
    mail_outbox::claim(&mut conn, rules, now).await.unwrap()
}

async fn counts(store: &Store) -> OutboxCounts {
    let mut conn = store.conn().await.unwrap();
    mail_outbox::counts(&mut conn).await.unwrap()
}

#[tokio::test]
async fn two_instances_never_claim_the_same_notification() {
    for db in both().await {
        let store = &db.store;
        let town = town(store).await;
        notify_many(store, &town, 8).await;
        let rules = OutboxRules {
            batch: 3,
            ..OutboxRules::default()
        };
        let now = integer_store::now();
        // Two instances claim at the same moment, round after round, until
        // nothing is left.
        let mut seen = BTreeSet::new();
        let mut total = 0;
        for _ in 0..20 {
            let (a, b) = tokio::join!(claim(store, &rules, now), claim(store, &rules, now));
            let a: BTreeSet<i64> = a.iter().map(|m| m.id).collect();
            let b: BTreeSet<i64> = b.iter().map(|m| m.id).collect();
            assert!(a.is_disjoint(&b), "{}: {a:?} and {b:?} overlap", db.name);
            assert!(a.len() <= 3 && b.len() <= 3, "{}: batch size", db.name);
            total += a.len() + b.len();
            seen.extend(a);
            seen.extend(b);
            if total == 10 {
                break;
            }
        }
        assert_eq!(total, 10, "{}: every notification once", db.name);
        assert_eq!(seen.len(), 10, "{}", db.name);
        // While the claims hold, nobody gets them again.
        assert!(
            claim(store, &rules, now + 1).await.is_empty(),
            "{}",
            db.name
        );
        assert_eq!(counts(store).await.pending, 10, "{}", db.name);
        // A claim whose instance went away expires, and the mail goes after
        // all (at least once), as a second attempt.
        let again = claim(store, &rules, now + rules.lease_secs + 1).await;
        assert_eq!(again.len(), 3, "{}", db.name);
        assert!(again.iter().all(|m| m.attempt == 2), "{}", db.name);
    }
}

#[tokio::test]
async fn a_claim_carries_only_what_a_mail_may_say() {
    for db in both().await {
        let store = &db.store;
        let town = town(store).await;
        let now = integer_store::now();
        let claimed = claim(store, &OutboxRules::default(), now).await;
        assert_eq!(claimed.len(), 2, "{}", db.name);
        let to_manager = claimed
            .iter()
            .find(|m| m.person == town.manager)
            .expect("the manager's notification");
        assert_eq!(to_manager.email, "mia@postkamer.nl");
        assert_eq!(to_manager.org, town.org);
        assert_eq!(to_manager.org_name, "Gemeente Postkamer");
        assert_eq!(to_manager.kind, "declaration.to_decide");
        assert_eq!(to_manager.declaration, Some(town.declaration));
        assert_eq!(
            to_manager.link_path(),
            format!("/verklaringen/{}", town.declaration)
        );
        assert_eq!(to_manager.attempt, 1);
        let to_employee = claimed.iter().find(|m| m.person == town.employee).unwrap();
        assert_eq!(to_employee.email, "eva@postkamer.nl");
        assert_eq!(to_employee.kind, "declaration.filed_for_you");
        // Nothing of the declaration's content travels with the claim.
        let shown = format!("{claimed:?}");
        assert!(!shown.contains("Geheim"), "{}: {shown}", db.name);
        assert!(!shown.contains("3000"), "{}: {shown}", db.name);
    }
}

#[tokio::test]
async fn a_sent_mail_is_not_sent_again_and_a_lost_claim_cannot_report() {
    for db in both().await {
        let store = &db.store;
        let _town = town(store).await;
        let rules = OutboxRules {
            batch: 1,
            ..OutboxRules::default()
        };
        let now = integer_store::now();
        let mut conn = store.conn().await.unwrap();

        let first = claim(store, &rules, now).await.remove(0);
        assert!(
            mail_outbox::mark_sent(&mut conn, &first, now + 1)
                .await
                .unwrap()
        );
        let state = mail_outbox::state(&mut conn, first.id).await.unwrap();
        assert_eq!(state.mailed_at, Some(now + 1), "{}", db.name);
        assert_eq!(state.attempts, 1);
        assert_eq!(state.claimed_until, None);

        // Instance A claims the second, stalls past its lease; B takes it.
        let a = claim(store, &rules, now).await.remove(0);
        assert_ne!(a.id, first.id);
        let later = now + rules.lease_secs + 1;
        let b = claim(store, &rules, later).await.remove(0);
        assert_eq!(b.id, a.id, "{}: the expired claim is taken over", db.name);
        assert_eq!(b.attempt, 2);
        assert!(
            !mail_outbox::mark_sent(&mut conn, &a, later).await.unwrap(),
            "{}: A's claim is gone",
            db.name
        );
        assert_eq!(
            mail_outbox::record_failure(&mut conn, &a, "timeout", false, &rules, later)
                .await
                .unwrap(),
            AfterFailure::ClaimLost
        );
        assert!(mail_outbox::mark_sent(&mut conn, &b, later).await.unwrap());
        assert!(
            !mail_outbox::mark_sent(&mut conn, &b, later).await.unwrap(),
            "{}: only once",
            db.name
        );

        // Long after, nothing is claimed again.
        assert!(claim(store, &rules, later + 86_400).await.is_empty());
        assert_eq!(
            counts(store).await,
            OutboxCounts {
                pending: 0,
                mailed: 2,
                gave_up: 0
            },
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn failures_back_off_then_give_up_keeping_the_error() {
    for db in both().await {
        let store = &db.store;
        let _town = town(store).await;
        let rules = OutboxRules {
            batch: 1,
            max_attempts: 3,
            first_retry_secs: 60,
            ..OutboxRules::default()
        };
        let t0 = integer_store::now();
        let mut conn = store.conn().await.unwrap();

        let m = claim(store, &rules, t0).await.remove(0);
        let id = m.id;
        let after = mail_outbox::record_failure(
            &mut conn,
            &m,
            "421 4.3.0 try again later",
            false,
            &rules,
            t0,
        )
        .await
        .unwrap();
        assert_eq!(after, AfterFailure::RetryAfter(t0 + 60), "{}", db.name);
        // The other notification goes meanwhile; this one waits its turn.
        let other = claim(store, &rules, t0 + 30).await;
        assert_eq!(other.len(), 1);
        assert_ne!(other[0].id, id);
        mail_outbox::mark_sent(&mut conn, &other[0], t0 + 30)
            .await
            .unwrap();
        assert!(
            claim(store, &rules, t0 + 59).await.is_empty(),
            "{}",
            db.name
        );

        let m = claim(store, &rules, t0 + 61).await.remove(0);
        assert_eq!((m.id, m.attempt), (id, 2), "{}", db.name);
        let after = mail_outbox::record_failure(
            &mut conn,
            &m,
            "connection refused",
            false,
            &rules,
            t0 + 61,
        )
        .await
        .unwrap();
        assert_eq!(after, AfterFailure::RetryAfter(t0 + 61 + 120), "doubles");
        assert!(claim(store, &rules, t0 + 180).await.is_empty());

        let m = claim(store, &rules, t0 + 182).await.remove(0);
        assert_eq!(m.attempt, 3);
        let long_error = format!("554 {}", "x".repeat(2000));
        let after =
            mail_outbox::record_failure(&mut conn, &m, &long_error, false, &rules, t0 + 182)
                .await
                .unwrap();
        assert_eq!(after, AfterFailure::GaveUp, "{}", db.name);
        let state = mail_outbox::state(&mut conn, id).await.unwrap();
        assert_eq!(state.gave_up_at, Some(t0 + 182));
        assert_eq!(state.mailed_at, None);
        assert_eq!(state.attempts, 3);
        let error = state.error.expect("the error is kept");
        assert!(error.starts_with("554 x"), "{error}");
        assert_eq!(error.chars().count(), 500, "long answers are cut");
        assert!(claim(store, &rules, t0 + 86_400).await.is_empty());
        assert_eq!(
            counts(store).await,
            OutboxCounts {
                pending: 0,
                mailed: 1,
                gave_up: 1
            }
        );
    }
}

#[tokio::test]
async fn a_permanent_error_gives_up_at_once() {
    for db in both().await {
        let store = &db.store;
        let _town = town(store).await;
        let rules = OutboxRules {
            batch: 1,
            ..OutboxRules::default()
        };
        let now = integer_store::now();
        let mut conn = store.conn().await.unwrap();
        let m = claim(store, &rules, now).await.remove(0);
        let after = mail_outbox::record_failure(
            &mut conn,
            &m,
            "550 5.1.1 recipient unknown",
            true,
            &rules,
            now,
        )
        .await
        .unwrap();
        assert_eq!(after, AfterFailure::GaveUp, "{}", db.name);
        let state = mail_outbox::state(&mut conn, m.id).await.unwrap();
        assert_eq!(state.attempts, 1);
        assert_eq!(state.error.as_deref(), Some("550 5.1.1 recipient unknown"));
        // The other one is still pending.
        assert_eq!(counts(store).await.pending, 1, "{}", db.name);
    }
}

#[tokio::test]
async fn old_notifications_are_not_mailed() {
    for db in both().await {
        let store = &db.store;
        let town = town(store).await;
        let rules = OutboxRules::default();
        // E-mail comes on four days after the notifications were made.
        let later = integer_store::now() + 4 * 86_400;
        assert!(claim(store, &rules, later).await.is_empty(), "{}", db.name);
        let c = counts(store).await;
        assert_eq!((c.pending, c.mailed, c.gave_up), (0, 0, 2), "{}", db.name);
        let mut conn = store.conn().await.unwrap();
        let first: i64 = sqlx::query_scalar("SELECT MIN(id) FROM notifications")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let state = mail_outbox::state(&mut conn, first).await.unwrap();
        assert_eq!(state.attempts, 0);
        assert!(state.error.unwrap().contains("too old"));
        // A new one goes as usual.
        notify_many(store, &town, 1).await;
        let fresh = claim(store, &rules, integer_store::now()).await;
        assert_eq!(fresh.len(), 1, "{}", db.name);
        assert_eq!(fresh[0].attempt, 1);
    }
}
