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
        let next = location(&r);
        if next.starts_with("/inloggen/tweede-stap") {
            self.pass_second_factor(&client, email, &next).await;
        }
        client
    }

    /// Completes the second factor the way a person would: enrolment
    /// through the real page (the key read from it) and a code from
    /// `integer_domain::totp`, or the code step. Each code is of a step after
    /// the last accepted one (replay protection), so the same person may
    /// sign in again within 30 seconds.
    pub async fn pass_second_factor(&self, client: &Client, email: &str, step_path: &str) {
        let html = client
            .get(self.url(step_path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let enrolling = html.contains("action=\"/inloggen/tweede-stap/instellen\"");
        let secret = if enrolling {
            enrolment_secret(&html)
        } else {
            self.second_factor(email).await.expect("enrolled").secret
        };
        let code = self.fresh_code(email, &secret).await;
        let action = if enrolling {
            "/inloggen/tweede-stap/instellen"
        } else {
            "/inloggen/tweede-stap"
        };
        let r = client
            .post(self.url(action))
            .form(&[
                ("csrf", hidden(&html, "csrf").as_str()),
                ("code", code.as_str()),
                ("terug", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            303,
            "second factor of {email} failed: {}",
            r.text().await.unwrap_or_default()
        );
    }

    /// The stored second factor of a person of alpha (or beta).
    pub async fn second_factor(&self, email: &str) -> Option<integer_store::totp::SecondFactor> {
        let org = if email.ends_with("@beta.nl") {
            self.beta
        } else {
            self.alpha
        };
        let mut conn = self.db.store.conn().await.unwrap();
        // Also people a test added itself (not in `ids`).
        let (id, _) = people::credentials(&mut conn, org, email)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no person {email}"));
        integer_store::totp::get(&mut conn, org, id).await.unwrap()
    }

    /// A code for the current step, or the next one when the current step
    /// was used already (the server accepts one step ahead); waits for the
    /// step to pass when both were used.
    pub async fn fresh_code(&self, email: &str, secret: &[u8]) -> String {
        use integer_domain::totp;
        loop {
            let last = self.second_factor(email).await.and_then(|f| f.last_step);
            let now = integer_store::now();
            let current = totp::step_at(now);
            let step = last.map_or(current, |l| current.max(l + 1));
            if step <= current + 1 {
                return totp::code_at_step(secret, step);
            }
            let wait = (current + 1) * totp::STEP_SECS - now;
            tokio::time::sleep(std::time::Duration::from_secs(wait.max(1) as u64)).await;
        }
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

/// Where a redirect goes.
pub fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The key shown on the enrolment page (in blocks of four), decoded.
pub fn enrolment_secret(html: &str) -> Vec<u8> {
    let marker = "<code id=\"sleutel\" translate=\"no\">";
    let start = html.find(marker).expect("the key on the enrolment page") + marker.len();
    let grouped = html[start..].split('<').next().unwrap();
    integer_domain::totp::base32_decode(grouped).expect("a base32 key")
}
