//! Durability of the reporting point: reports are sent concurrently while
//! the server is killed (SIGKILL) at random moments. After a restart every
//! report whose receipt was returned is there and decrypts, and no half
//! report exists.

mod common;

use common::start_server;
use std::process::Command;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_integer"));
        c.env_remove("INTEGER_CONFIG")
            .env(
                "INTEGER_DATABASE_URL",
                format!("sqlite://{}", self.dir.path().join("integer.db").display()),
            )
            .env(
                "INTEGER__SECURITY__KEY_FILE",
                self.dir.path().join("sleutel.key"),
            )
            .env("INTEGER__LOG__LEVEL", "warn")
            .current_dir(self.dir.path());
        c
    }
}

/// A little pseudo-random number (no extra dependency): the low bits of the
/// clock.
fn jitter(max_ms: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    nanos % max_ms
}

fn receipt(html: &str) -> Option<String> {
    Some(
        html.split("data-code=\"")
            .nth(1)?
            .split('"')
            .next()?
            .to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_reports_survive_sigkill() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let out = env
        .cmd()
        .env_remove("INTEGER__SECURITY__KEY_FILE")
        .args(["key", "generate"])
        .arg(env.dir.path().join("sleutel.key"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::write(env.dir.path().join("pw"), PASSWORD).unwrap();
    let out = env
        .cmd()
        .args([
            "admin",
            "create",
            "--org",
            "testgem",
            "--org-name",
            "Gemeente Test",
            "--preset",
            "dalfsen",
            "--email",
            "beheer@test.nl",
            "--name",
            "Beheer Der",
            "--password-file",
        ])
        .arg(env.dir.path().join("pw"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    let client = reqwest::Client::new();
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    let mut sent = 0;
    for round in 0..5 {
        let (mut server, base) = start_server(env.cmd());
        // Eight writers send reports one after the other until the server
        // is gone, so the kill always lands in the middle of some of them.
        let mut tasks = Vec::new();
        for w in 0..8 {
            let client = client.clone();
            let url = format!("{base}/o/testgem/melden");
            tasks.push(tokio::spawn(async move {
                let mut acked = Vec::new();
                let mut sent = 0;
                for i in 0.. {
                    let phrase = format!("durability-{round}-{w}-{i}-geheim");
                    sent += 1;
                    let form = reqwest::multipart::Form::new()
                        .text("melding", phrase.clone())
                        .text("identiteit", "anonymous");
                    let Ok(r) = client.post(&url).multipart(form).send().await else {
                        break;
                    };
                    if r.status() != 200 {
                        break;
                    }
                    let Ok(html) = r.text().await else { break };
                    match receipt(&html) {
                        Some(code) => acked.push((code, phrase)),
                        None => break,
                    }
                }
                (sent, acked)
            }));
        }
        tokio::time::sleep(Duration::from_millis(300 + jitter(1500))).await;
        server.0.kill().unwrap();
        server.0.wait().unwrap();
        for t in tasks {
            let (n, acked) = t.await.unwrap();
            sent += n;
            acknowledged.extend(acked);
        }
    }
    // Some reports were answered, and the kills cut others off.
    assert!(!acknowledged.is_empty(), "no receipt came back at all");
    assert!(acknowledged.len() < sent, "no kill landed during a burst");

    // Restart: every acknowledged report opens with its receipt and shows
    // its text (so it decrypts).
    let (_server, base) = start_server(env.cmd());
    for (code, phrase) in &acknowledged {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = c
            .post(format!("{base}/o/testgem/melden/postbus"))
            .form(&[("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            303,
            "receipt {code} of {phrase} no longer opens"
        );
        let html = c
            .get(format!("{base}/o/testgem/melden/postbus/zaak"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(phrase.as_str()), "{phrase} lost");
    }

    // No half report: every case has its key, its mailbox and its text.
    let url = format!("sqlite://{}", env.dir.path().join("integer.db").display());
    let store = integer_store::Store::connect(
        &url,
        &integer_store::PoolSettings {
            max_connections: 1,
            acquire_timeout: Duration::from_secs(10),
        },
    )
    .await
    .unwrap();
    let mut conn = store.conn().await.unwrap();
    let cases = integer_store::testing::count(&mut conn, "cases").await;
    let half = integer_store::testing::count(
        &mut conn,
        "cases c WHERE NOT EXISTS (SELECT 1 FROM case_keys k WHERE k.case_id = c.id) \
         OR NOT EXISTS (SELECT 1 FROM case_mailboxes m WHERE m.case_id = c.id) \
         OR length(c.body) = 0 OR length(c.title) = 0",
    )
    .await;
    assert_eq!(half, 0, "half reports");
    assert!(cases >= acknowledged.len() as i64);
    eprintln!(
        "sent {sent}, acknowledged {}, stored {cases}",
        acknowledged.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_and_shredding_from_the_command_line() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let key = env.dir.path().join("sleutel.key");
    let new_key = env.dir.path().join("nieuw.key");
    for file in [&key, &new_key] {
        let out = env
            .cmd()
            .env_remove("INTEGER__SECURITY__KEY_FILE")
            .args(["key", "generate"])
            .arg(file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    std::fs::write(env.dir.path().join("pw"), PASSWORD).unwrap();
    let out = env
        .cmd()
        .args([
            "admin",
            "create",
            "--org",
            "testgem",
            "--org-name",
            "Gemeente Test",
            "--preset",
            "dalfsen",
            "--email",
            "beheer@test.nl",
            "--name",
            "Beheer Der",
            "--password-file",
        ])
        .arg(env.dir.path().join("pw"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let code = {
        let (_server, base) = start_server(env.cmd());
        let form = reqwest::multipart::Form::new()
            .text("melding", "roteren-geheim")
            .text("identiteit", "anonymous");
        let html = reqwest::Client::new()
            .post(format!("{base}/o/testgem/melden"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        receipt(&html).expect("a receipt")
    };
    let out = env
        .cmd()
        .args(["key", "rotate", "--new-key-file"])
        .arg(&new_key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 zaaksleutels"));
    // With the new key the report still opens.
    let mut cmd = env.cmd();
    cmd.env("INTEGER__SECURITY__KEY_FILE", &new_key);
    let (_server, base) = start_server(cmd);
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c
        .post(format!("{base}/o/testgem/melden/postbus"))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = c
        .get(format!("{base}/o/testgem/melden/postbus/zaak"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("roteren-geheim"));
    // Nothing has reached its retention date: the dry run lists nothing.
    let out = env
        .cmd()
        .args(["cases", "shred", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 zaken"));
}

#[tokio::test]
async fn seed_adds_sealed_cases() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let key = env.dir.path().join("sleutel.key");
    let out = env
        .cmd()
        .env_remove("INTEGER__SECURITY__KEY_FILE")
        .args(["key", "generate"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = env
        .cmd()
        .args([
            "seed",
            "--org",
            "proef",
            "--people",
            "60",
            "--declarations-per-person",
            "0",
            "--cases",
            "150",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let url = format!("sqlite://{}", env.dir.path().join("integer.db").display());
    let store = integer_store::Store::connect(
        &url,
        &integer_store::PoolSettings {
            max_connections: 1,
            acquire_timeout: Duration::from_secs(10),
        },
    )
    .await
    .unwrap();
    let mut conn = store.conn().await.unwrap();
    assert_eq!(integer_store::testing::count(&mut conn, "cases").await, 150);
    assert_eq!(
        integer_store::testing::count(&mut conn, "case_keys").await,
        150
    );
    // Sealed with the configured key: they open with it.
    let installation =
        integer_domain::crypto::InstallationKey::parse(&std::fs::read_to_string(&key).unwrap())
            .unwrap();
    let org = integer_store::orgs::by_slug(&mut conn, "proef")
        .await
        .unwrap()
        .unwrap();
    let first = integer_store::cases::get(&mut conn, &installation, org.id, 1)
        .await
        .unwrap()
        .unwrap();
    assert!(first.body.contains("Fictieve melding"));
}

/// Runs a command that must refuse to start: it may not run longer than
/// 60 seconds (a server that starts is killed, and the test fails).
fn run_refused(mut cmd: Command) -> std::process::Output {
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "started instead of refusing: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    out
}

/// What a refused start must leave as it was.
async fn database_state(env: &Env) -> (i64, Option<String>, i64, i64) {
    let url = format!("sqlite://{}", env.dir.path().join("integer.db").display());
    let store = integer_store::Store::connect(&url, &integer_store::PoolSettings::default())
        .await
        .unwrap();
    let mut conn = store.conn().await.unwrap();
    let audit = integer_store::testing::count(&mut conn, "audit_log").await;
    let check: Option<String> =
        sqlx::query_scalar("SELECT key_check FROM installation WHERE id = 1")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    let cases = integer_store::testing::count(&mut conn, "cases").await;
    let migrations = integer_store::testing::count(&mut conn, "integer_migrations").await;
    drop(conn);
    store.close().await;
    (audit, check, cases, migrations)
}

#[tokio::test]
async fn a_wrong_missing_or_old_key_refuses_to_start_and_writes_nothing() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let dir = env.dir.path();
    for name in ["sleutel.key", "nieuw.key", "ander.key"] {
        let out = env
            .cmd()
            .env_remove("INTEGER__SECURITY__KEY_FILE")
            .args(["key", "generate"])
            .arg(dir.join(name))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let out = env
        .cmd()
        .args(["seed", "--org", "proef", "--people", "10"])
        .args(["--declarations-per-person", "0", "--cases", "3"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let before = database_state(&env).await;
    assert!(before.1.is_some(), "the key check is recorded");
    assert_eq!(before.2, 3);

    // Another key.
    let mut serve = env.cmd();
    serve
        .env("INTEGER__SECURITY__KEY_FILE", dir.join("ander.key"))
        .args(["serve", "--bind", "127.0.0.1:0"]);
    let out = run_refused(serve);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("hoort niet bij deze database") && said.contains("does not belong"),
        "{said}"
    );
    assert_eq!(database_state(&env).await, before);

    // No key configured and none beside the database: never a new one.
    let mut serve = env.cmd();
    serve
        .env_remove("INTEGER__SECURITY__KEY_FILE")
        .args(["serve", "--bind", "127.0.0.1:0"]);
    let out = run_refused(serve);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("ontbreekt") && said.contains("is missing"),
        "{said}"
    );
    assert!(!dir.join("installation.key").exists(), "no key was made up");
    assert_eq!(database_state(&env).await, before);

    // After rotation the old key is refused, by the server and by seed.
    let out = env
        .cmd()
        .args(["key", "rotate", "--new-key-file"])
        .arg(dir.join("nieuw.key"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let rotated = database_state(&env).await;
    assert_ne!(rotated.1, before.1, "rotation replaced the check");
    let mut serve = env.cmd();
    serve.args(["serve", "--bind", "127.0.0.1:0"]);
    let out = run_refused(serve);
    assert!(String::from_utf8_lossy(&out.stderr).contains("oude sleutel"));
    let mut seed = env.cmd();
    seed.args(["seed", "--org", "nog-een", "--people", "5"])
        .args(["--declarations-per-person", "0", "--cases", "1"]);
    run_refused(seed);
    assert_eq!(database_state(&env).await, rotated);
}
