//! The real application on port 0 with a fresh database, two organisations,
//! a person in every role, and a signed-in HTTP client per person.

#![allow(dead_code)]

use integer_domain::org::{EmploymentType, OrgId, PersonId, Role};
use integer_domain::values::{Email, Slug};
use integer_store::people::PersonFields;
use integer_store::testing::TestDb;
use integer_store::{Store, orgs, people};
use integer_web::{AppState, WebConfig};
use reqwest::{Client, Response, redirect};
use std::collections::HashMap;
use std::sync::OnceLock;

pub const PASSWORD: &str = "correct horse battery staple";

pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| integer_web::security::hash_password(PASSWORD).unwrap())
}

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub alpha: OrgId,
    pub beta: OrgId,
    /// Person ids by e-mail.
    pub ids: HashMap<String, PersonId>,
}

fn fields(name: &str, email: &str, manager: Option<PersonId>) -> PersonFields {
    PersonFields {
        name: name.to_string(),
        email: Email::parse(email).unwrap(),
        employee_number: None,
        function_title: None,
        salary_scale: None,
        employment_type: EmploymentType::CivilServant,
        unit_id: None,
        manager_id: manager,
        start_date: None,
        end_date: None,
        top_official: false,
        designated_function: false,
    }
}

async fn add(
    store: &Store,
    org: OrgId,
    name: &str,
    email: &str,
    role: Role,
    manager: Option<PersonId>,
) -> PersonId {
    let mut tx = store.begin_write().await.unwrap();
    let id = people::insert(&mut tx, org, &fields(name, email, manager))
        .await
        .unwrap();
    people::add_roles(&mut tx, org, id, &[role]).await.unwrap();
    people::set_password_hash(&mut tx, org, id, password_hash())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

pub fn email_of(role: Role) -> String {
    format!("{}@alpha.nl", role.as_str().replace('_', "-"))
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> TestApp {
        Self::spawn_with(db, WebConfig::default()).await
    }

    pub async fn spawn_with(db: TestDb, config: WebConfig) -> TestApp {
        let store = db.store.clone();
        let mut tx = store.begin_write().await.unwrap();
        let alpha = orgs::create(
            &mut tx,
            &Slug::parse("alpha").unwrap(),
            "Gemeente Alpha",
            "maastricht",
            false,
        )
        .await
        .unwrap()
        .id;
        let beta = orgs::create(
            &mut tx,
            &Slug::parse("beta").unwrap(),
            "Gemeente Beta",
            "dalfsen",
            false,
        )
        .await
        .unwrap()
        .id;
        tx.commit().await.unwrap();
        let mut ids = HashMap::new();
        let manager = add(
            &store,
            alpha,
            "Mia Manager",
            &email_of(Role::Manager),
            Role::Manager,
            None,
        )
        .await;
        ids.insert(email_of(Role::Manager), manager);
        for role in Role::ALL {
            if role == Role::Manager {
                continue;
            }
            let mgr = (role == Role::Employee).then_some(manager);
            let id = add(
                &store,
                alpha,
                &format!("Alpha {}", role.as_str()),
                &email_of(role),
                role,
                mgr,
            )
            .await;
            ids.insert(email_of(role), id);
        }
        for (email, role) in [
            ("admin@beta.nl", Role::Admin),
            ("employee@beta.nl", Role::Employee),
        ] {
            let id = add(&store, beta, "Beta persoon", email, role, None).await;
            ids.insert(email.to_string(), id);
        }
        let state = AppState::new(store, config).await.unwrap();
        let app = integer_web::router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        TestApp {
            base: format!("http://{addr}"),
            db,
            alpha,
            beta,
            ids,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn id(&self, email: &str) -> PersonId {
        self.ids[email]
    }

    /// A client that keeps cookies and does not follow redirects.
    pub fn client() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// The sign-in form's CSRF token (and its cookie in the client).
    pub async fn login_csrf(&self, client: &Client) -> String {
        let html = client
            .get(self.url("/inloggen"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        hidden(&html, "csrf")
    }

    pub async fn try_sign_in(
        &self,
        client: &Client,
        org: &str,
        email: &str,
        password: &str,
    ) -> Response {
        let csrf = self.login_csrf(client).await;
        client
            .post(self.url("/inloggen"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("organisatie", org),
                ("email", email),
                ("wachtwoord", password),
                ("terug", "/"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// A signed-in client for a person of alpha (or beta for `@beta.nl`).
    pub async fn signed_in(&self, email: &str) -> Client {
        let client = Self::client();
        let org = if email.ends_with("@beta.nl") {
            "beta"
        } else {
            "alpha"
        };
        let r = self.try_sign_in(&client, org, email, PASSWORD).await;
        assert_eq!(
            r.status(),
            303,
            "sign-in of {email} failed: {}",
            r.text().await.unwrap_or_default()
        );
        client
    }

    /// The session's CSRF token, read from a page's forms.
    pub async fn csrf(&self, client: &Client) -> String {
        let html = client
            .get(self.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        hidden(&html, "csrf")
    }
}

/// The value of the first hidden input with this name.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}
