//! Helpers shared by the tests that drive the real `integer` binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the server when the test ends, also on a panic.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on a free port; returns the server and its base URL.
pub fn start_server(mut command: Command) -> (Server, String) {
    let mut child = command
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("server prints its address").unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .expect("address")
        .trim()
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    (Server(child), format!("http://{addr}"))
}

/// A browser-like client signed in through the real sign-in form.
pub async fn signed_in(base: &str, org: &str, email: &str, password: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = c
        .get(format!("{base}/inloggen"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"csrf\" value=\"";
    let i = html.find(marker).expect("sign-in form") + marker.len();
    let csrf = html[i..].split('"').next().unwrap().to_string();
    let r = c
        .post(format!("{base}/inloggen"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("organisatie", org),
            ("email", email),
            ("wachtwoord", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in of {email} in {org}");
    let next = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if next.starts_with("/inloggen/tweede-stap") {
        pass_second_factor(&c, base, &format!("{org}/{email}"), &next).await;
    }
    c
}

/// Sensitive roles enrol a second factor at their first sign-in and enter a
/// code at every later one. Done here as a person would: the key read from
/// the enrolment page, the code computed with `integer_domain::totp`.
async fn pass_second_factor(c: &reqwest::Client, base: &str, who: &str, path: &str) {
    let html = c
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let enrolling = html.contains("action=\"/inloggen/tweede-stap/instellen\"");
    let account = format!("{base} {who}");
    if enrolling {
        let marker = "<code id=\"sleutel\" translate=\"no\">";
        let i = html.find(marker).expect("the key on the enrolment page") + marker.len();
        let grouped = html[i..].split('<').next().unwrap();
        let secret = integer_domain::totp::base32_decode(grouped).expect("a base32 key");
        authenticator::add(&account, secret);
    }
    let code = authenticator::fresh_code(&account).await;
    let marker = "name=\"csrf\" value=\"";
    let i = html.find(marker).expect("the step's form") + marker.len();
    let csrf = html[i..].split('"').next().unwrap().to_string();
    let action = if enrolling {
        "/inloggen/tweede-stap/instellen"
    } else {
        "/inloggen/tweede-stap"
    };
    let r = c
        .post(format!("{base}{action}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("terug", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "second factor of {who}");
}

/// A stand-in for the authenticator apps of the people these tests sign in
/// as: their keys, and the last step each used (a code works once).
pub mod authenticator {
    use integer_domain::totp;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};

    /// Per account: the key and the last step a code was made for.
    type Accounts = Mutex<HashMap<String, (Vec<u8>, Option<i64>)>>;

    fn accounts() -> &'static Accounts {
        static ACCOUNTS: OnceLock<Accounts> = OnceLock::new();
        ACCOUNTS.get_or_init(Default::default)
    }

    pub fn add(account: &str, secret: Vec<u8>) {
        accounts()
            .lock()
            .unwrap()
            .insert(account.to_string(), (secret, None));
    }

    /// A code of a step after the last one used: the current step, or the
    /// next (the server accepts one step ahead); waits when both were used.
    pub async fn fresh_code(account: &str) -> String {
        loop {
            let now = jiff::Timestamp::now().as_second();
            let current = totp::step_at(now);
            {
                let mut all = accounts().lock().unwrap();
                let (secret, last) = all
                    .get_mut(account)
                    .unwrap_or_else(|| panic!("{account} enrolled outside this test process"));
                let step = last.map_or(current, |l| current.max(l + 1));
                if step <= current + 1 {
                    *last = Some(step);
                    return totp::code_at_step(secret, step);
                }
            }
            let wait = (current + 1) * totp::STEP_SECS - now;
            tokio::time::sleep(std::time::Duration::from_secs(wait.max(1) as u64)).await;
        }
    }
}
