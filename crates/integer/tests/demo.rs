//! `integer demo`, run as a real process: every demo organisation whose
//! designation covers someone publishes side activities in its public
//! register (docs/OPEN-DATA.md). Maastricht designates top officials and
//! Provincie Limburg scale 14 and up (their codes); Leidschendam-Voorburg
//! and Dalfsen designate nothing by default, but their buyers and permit
//! officers are designated one by one in the personnel record.

mod common;

use common::Server;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

/// How long the demo may take to seed four organisations and listen.
const START: Duration = Duration::from_secs(120);

#[tokio::test]
async fn the_demo_publishes_side_activities_in_every_organisation_that_designates() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_integer"))
        .arg("--database-url")
        .arg(format!("sqlite://{}/x.db", dir.path().display()))
        .args(["demo", "--port", "0", "--data-dir"])
        .arg(dir.path())
        .env_remove("INTEGER_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start `integer demo`");
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(at) = line.find("listens on ")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(line[at + "listens on ".len()..].trim().to_string());
            }
        }
    });
    let base = rx
        .recv_timeout(START)
        .expect("`integer demo` says where it listens");
    for slug in [
        "maastricht",
        "provincie-limburg",
        "leidschendam-voorburg",
        "dalfsen",
    ] {
        let v: serde_json::Value = reqwest::get(format!("{base}/o/{slug}/nevenfuncties.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let entries = v["entries"].as_array().expect("entries");
        assert!(!entries.is_empty(), "{slug}: {v}");
        assert!(v["updated"].is_string(), "{slug}");
        for e in entries {
            assert!(
                e["activity"].as_str().is_some_and(|a| !a.is_empty()),
                "{slug}: {e}"
            );
        }
    }
}
