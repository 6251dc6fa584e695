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
    c
}
