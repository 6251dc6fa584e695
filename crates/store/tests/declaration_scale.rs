//! Seeded declarations and the register at scale, on SQLite and PostgreSQL:
//! the bulk insert, keyset pages against numbered pages, the kept counts
//! (exact after every change), the unit filter with the units below, the
//! unit choices, and the inbox.

use integer_domain::authz::Scope;
use integer_domain::declaration::{Outcome, Route, Status};
use integer_domain::org::{OrgId, PersonId, RoleSet, UnitId};
use integer_domain::synthetic;
use integer_domain::values::Slug;
use integer_store::declarations::{self as decl, Filter, NewDeclaration, PageStart};
use integer_store::testing::{TestDb, both};
use integer_store::{Store, orgs, seed};

const NOW: i64 = 1_790_000_000;

async fn seeded(store: &Store, people: usize) -> (OrgId, synthetic::SyntheticOrg, Vec<i64>) {
    let mut tx = store.begin_write().await.unwrap();
    let org = orgs::create(
        &mut tx,
        &Slug::parse("scale").unwrap(),
        "Scale",
        "maastricht",
        false,
    )
    .await
    .unwrap()
    .id;
    let data = synthetic::generate("scale", people);
    let ids = seed::insert(&mut tx, org, &data, &|_| {}).await.unwrap();
    let n = seed::insert_declarations(
        &mut tx,
        org,
        &ids,
        synthetic::declarations("scale", &data, 10, NOW),
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(n, people * 10);
    tx.commit().await.unwrap();
    (org, data, ids)
}

/// The ids of the whole register, newest first, straight from SQL.
async fn all_ids(store: &Store, org: OrgId, extra: &str) -> Vec<i64> {
    let mut conn = store.conn().await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM declarations WHERE org_id = $1 {extra} ORDER BY created_at DESC, id DESC"
    )))
    .bind(org.0)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn keyset_pages_match_numbered_pages_and_counts_stay_exact() {
    for TestDb { store, name, .. } in both().await {
        let (org, data, ids) = seeded(&store, 300).await;
        let everything = all_ids(&store, org, "").await;
        assert_eq!(everything.len(), 3000, "{name}");
        let mut conn = store.conn().await.unwrap();
        let all = Filter::default();

        // Following the "next" cursors visits every row once, in order, and
        // each page equals the numbered page.
        let mut seen = Vec::new();
        let mut start = None;
        let mut page_no = 1;
        loop {
            let page = decl::lines_at(
                &mut conn,
                org,
                Scope::Organisation,
                &all,
                page_no,
                100,
                start,
            )
            .await
            .unwrap();
            assert_eq!(page.total, 3000, "{name}");
            let numbered = decl::list(&mut conn, org, Scope::Organisation, &all, page_no, 100)
                .await
                .unwrap();
            let a: Vec<i64> = page.items.iter().map(|d| d.id).collect();
            let b: Vec<i64> = numbered.items.iter().map(|d| d.id).collect();
            assert_eq!(a, b, "{name}: page {page_no}");
            seen.extend(a);
            let Some(last) = page.items.last() else { break };
            if page_no == page.pages() {
                break;
            }
            start = PageStart::after(&PageStart::cursor(last));
            page_no += 1;
        }
        assert_eq!(seen, everything, "{name}");

        // "Previous" from page 3 is page 2; from page 2 it is the top page.
        let page3 = decl::lines_at(&mut conn, org, Scope::Organisation, &all, 3, 100, None)
            .await
            .unwrap();
        let before = PageStart::before(&PageStart::cursor(&page3.items[0]));
        let page2 = decl::lines_at(&mut conn, org, Scope::Organisation, &all, 2, 100, before)
            .await
            .unwrap();
        assert_eq!(page2.items[0].id, everything[100], "{name}");
        let page2_first = PageStart::before(&PageStart::cursor(&page2.items[0]));
        let top = decl::lines_at(
            &mut conn,
            org,
            Scope::Organisation,
            &all,
            1,
            100,
            page2_first,
        )
        .await
        .unwrap();
        assert_eq!(top.items[0].id, everything[0], "{name}");
        // A page past the last is the last.
        let past = decl::list(&mut conn, org, Scope::Organisation, &all, 99, 100)
            .await
            .unwrap();
        assert_eq!(past.page, 30, "{name}");
        assert_eq!(past.items.last().map(|d| d.id), everything.last().copied());

        // A filter's count, then a new declaration and a decision: the
        // counts follow at once.
        let gifts = Filter {
            kind: Some("gift".into()),
            from: Some(NOW - 2 * 365 * 86_400),
            ..Default::default()
        };
        let expected = all_ids(
            &store,
            org,
            &format!(
                "AND kind = 'gift' AND created_at >= {}",
                NOW - 2 * 365 * 86_400
            ),
        )
        .await
        .len() as i64;
        let count = |f: Filter, scope: Scope| {
            let store = store.clone();
            async move {
                let mut conn = store.conn().await.unwrap();
                decl::list(&mut conn, org, scope, &f, 1, 25)
                    .await
                    .unwrap()
                    .total
            }
        };
        assert_eq!(count(gifts.clone(), Scope::Organisation).await, expected);
        assert_eq!(count(gifts.clone(), Scope::Organisation).await, expected);
        let employee = PersonId(ids[data.people.len() - 1]);
        let manager = PersonId(ids[data.people[data.people.len() - 1].manager.unwrap()]);
        let mut tx = store.begin_write().await.unwrap();
        let id = decl::insert(
            &mut tx,
            org,
            &NewDeclaration {
                person: employee,
                filed_by: employee,
                unit: None,
                kind: "gift".into(),
                status: Status::Submitted,
                route: Some(Route::Person(manager)),
                verdict: "report".into(),
                approver: Some("manager".into()),
                obligations: vec![],
                preset_version: "2025.1".into(),
                answers: r#"{"kind":"gift","value_eur":30}"#.into(),
                description: "Bos bloemen".into(),
                third_party: None,
                value_cents: Some(3000),
                event_date: None,
            },
            "test",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            count(gifts.clone(), Scope::Organisation).await,
            expected + 1,
            "{name}"
        );
        let submitted = Filter {
            status: Some("submitted".into()),
            ..Default::default()
        };
        let waiting = count(submitted.clone(), Scope::Organisation).await;
        let mut tx = store.begin_write().await.unwrap();
        decl::decide(
            &mut tx,
            org,
            id,
            1,
            Outcome::Approve,
            None,
            None,
            None,
            manager,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            count(submitted, Scope::Organisation).await,
            waiting - 1,
            "{name}"
        );
        // The employee's own list and the manager's team.
        let own = all_ids(&store, org, &format!("AND person_id = {}", employee.0)).await;
        let mut conn = store.conn().await.unwrap();
        let mine = decl::lines_at(
            &mut conn,
            org,
            Scope::Own(employee),
            &Filter {
                person: Some(employee),
                ..Default::default()
            },
            1,
            100,
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            mine.items.iter().map(|d| d.id).collect::<Vec<_>>(),
            own,
            "{name}"
        );
        let team = decl::list(&mut conn, org, Scope::Team(manager), &all, 1, 1000)
            .await
            .unwrap();
        let reports: Vec<i64> = data
            .people
            .iter()
            .zip(&ids)
            .filter(|(p, _)| p.manager.map(|m| ids[m]) == Some(manager.0))
            .map(|(_, id)| *id)
            .collect();
        assert!(!team.items.is_empty(), "{name}");
        assert!(
            team.items.iter().all(|d| reports.contains(&d.person_id.0)),
            "{name}"
        );
        assert_eq!(team.total, team.items.len() as i64, "{name}");
    }
}

#[tokio::test]
async fn the_unit_filter_takes_the_units_below_and_the_inbox_what_waits() {
    for TestDb { store, name, .. } in both().await {
        let (org, data, ids) = seeded(&store, 400).await;
        let mut conn = store.conn().await.unwrap();
        let unit_ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM units WHERE org_id = $1 ORDER BY id")
                .bind(org.0)
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        assert_eq!(unit_ids.len(), data.units.len(), "{name}");
        // The first directorate and everything below it.
        let below = |top: usize| -> Vec<i64> {
            (0..data.units.len())
                .filter(|u| {
                    let mut cur = Some(*u);
                    while let Some(c) = cur {
                        if c == top {
                            return true;
                        }
                        cur = data.units[c].parent;
                    }
                    false
                })
                .map(|u| unit_ids[u])
                .collect()
        };
        let subtree = below(0);
        assert!(subtree.len() > 1, "{name}");
        let list: Vec<String> = subtree.iter().map(i64::to_string).collect();
        let expected = all_ids(&store, org, &format!("AND unit_id IN ({})", list.join(","))).await;
        let page = decl::list(
            &mut conn,
            org,
            Scope::Organisation,
            &Filter {
                unit: Some(UnitId(unit_ids[0])),
                ..Default::default()
            },
            1,
            10_000,
        )
        .await
        .unwrap();
        assert_eq!(
            page.items.iter().map(|d| d.id).collect::<Vec<_>>(),
            expected,
            "{name}"
        );

        // Unit choices: all of them when they fit, else whole top levels.
        let every = decl::unit_choices(&mut conn, org, 1000).await.unwrap();
        assert_eq!(every.len(), data.units.len(), "{name}");
        assert!(
            every.windows(2).all(|w| w[0].1 <= w[1].1),
            "{name}: path order"
        );
        let top = data.units.iter().filter(|u| u.parent.is_none()).count();
        let few = decl::unit_choices(&mut conn, org, top + 1).await.unwrap();
        assert_eq!(few.len(), top, "{name}");
        assert!(few.iter().all(|(_, path)| !path.contains(" / ")), "{name}");

        // The inbox of a manager: what waits with them, oldest first.
        let mut waiting: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT route_person_id, routed_at, id FROM declarations \
             WHERE org_id = $1 AND status = 'submitted' AND route_person_id IS NOT NULL",
        )
        .bind(org.0)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        waiting.sort();
        let (busiest, _, _) = *waiting
            .iter()
            .max_by_key(|(m, _, _)| waiting.iter().filter(|(n, _, _)| n == m).count())
            .unwrap();
        let roles = RoleSet::new(
            data.people[ids.iter().position(|id| *id == busiest).unwrap()]
                .roles
                .clone(),
        );
        let inbox = decl::inbox(&mut conn, org, PersonId(busiest), &roles, 200)
            .await
            .unwrap();
        let mine: Vec<i64> = waiting
            .iter()
            .filter(|(m, _, _)| *m == busiest)
            .map(|(_, _, id)| *id)
            .collect();
        assert!(!mine.is_empty(), "{name}");
        for id in &mine {
            assert!(inbox.iter().any(|d| d.id == *id), "{name}");
        }
        assert!(
            inbox
                .iter()
                .all(|d| d.person_id.0 != busiest && d.status == "submitted"),
            "{name}"
        );
    }
}
