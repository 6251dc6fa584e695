//! E-mail through a real SMTP server: `aiosmtpd` (PyPI) on 127.0.0.1 with its
//! Mailbox handler, which writes every message it receives to a maildir.
//! The real `integer serve` sends to it. Without aiosmtpd the test is
//! skipped with a note, unless `INTEGER_REQUIRE_SMTP=1` (as in CI).

mod common;

use common::{signed_in, start_server};
use integer_domain::org::Role;
use integer_store::{PoolSettings, Store, mail_outbox, orgs, testing};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "a long enough password";
const BASE_URL: &str = "https://integer.gemeente-test.nl";
/// What the employee writes: it must never appear in a mail.
const DESCRIPTION: &str = "Bos bloemen van bloemist Geheimzinnig";
const THIRD_PARTY: &str = "Mevr. Jansen";

/// A EUR 30 bunch of flowers, answered for the Maastricht preset (as in
/// crates/web/tests/declarations.rs): it waits for the manager's decision.
const FLOWERS: &[(&str, &str)] = &[
    ("soort", "gift"),
    ("value_eur", "30"),
    ("customary_thank_you", "ja"),
    ("sent_to_home_address", "nee"),
    ("procurement_ongoing", "nee"),
    ("intent_to_influence", "nee"),
    ("refusal_would_offend", "nee"),
    ("refusal_impractical", "nee"),
    ("prior_permission", "nee"),
    ("appearance_of_corruption", "minimal"),
];

fn aiosmtpd_available() -> bool {
    Command::new("python3")
        .args(["-c", "import aiosmtpd.handlers"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The SMTP server process, stopped when the test ends.
struct Smtpd(Child);

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_smtpd(port: u16, maildir: &Path) -> Smtpd {
    let mut child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("aiosmtpd stopped: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "aiosmtpd does not listen"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Smtpd(child)
}

/// A delivered message: its headers (unfolded) and its decoded text.
#[derive(Debug)]
struct Mail {
    headers: Vec<(String, String)>,
    body: String,
}

impl Mail {
    fn parse(raw: &str) -> Mail {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").expect("headers and body");
        let head = head.replace("\n ", " ").replace("\n\t", " ");
        let headers: Vec<(String, String)> = head
            .lines()
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        let mut mail = Mail {
            headers,
            body: String::new(),
        };
        mail.body = match mail.header("content-transfer-encoding") {
            None | Some("7bit") | Some("8bit") => body.to_string(),
            Some("quoted-printable") => decode_quoted_printable(body),
            Some(other) => panic!("unexpected encoding {other}"),
        };
        mail
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The messages in the maildir, oldest first.
fn delivered(maildir: &Path) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .map(|e| e.unwrap().path())
        .map(|p| (std::fs::metadata(&p).unwrap().modified().unwrap(), p))
        .collect();
    files.sort();
    files
        .iter()
        .map(|(_, p)| Mail::parse(&std::fs::read_to_string(p).unwrap()))
        .collect()
}

fn wait_for_mails(maildir: &Path, n: usize) -> Vec<Mail> {
    let started = Instant::now();
    loop {
        let mails = delivered(maildir);
        if mails.len() >= n {
            return mails;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "{} of {n} mails arrived",
            mails.len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn integer(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_integer"));
    c.env_remove("INTEGER_CONFIG")
        .env(
            "INTEGER_DATABASE_URL",
            format!("sqlite://{}/integer.db", dir.display()),
        )
        .env("INTEGER__LOG__LEVEL", "error")
        // The key the test writes with in-process too.
        .env(
            "INTEGER__SECURITY__AUDIT_KEY",
            integer_store::audit::TEST_KEY_HEX,
        )
        .current_dir(dir);
    c
}

async fn csrf(c: &reqwest::Client, base: &str) -> String {
    let html = c.get(format!("{base}/")).send().await.unwrap();
    let html = html.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let i = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[i..].split('"').next().unwrap().to_string()
}

/// The mail state of the newest notification of a person.
async fn mail_state(store: &Store, email: &str) -> mail_outbox::MailState {
    let mut conn = store.conn().await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "SELECT n.id FROM notifications n JOIN people p ON p.id = n.person_id \
         WHERE p.email = $1 ORDER BY n.id DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    mail_outbox::state(&mut conn, id).await.unwrap()
}

#[test]
fn the_manager_is_mailed_a_link_and_never_the_declaration() {
    if !aiosmtpd_available() {
        if std::env::var("INTEGER_REQUIRE_SMTP").is_ok_and(|v| v == "1") {
            panic!(
                "INTEGER_REQUIRE_SMTP=1 but aiosmtpd is missing: python3 -m pip install aiosmtpd"
            );
        }
        eprintln!(
            "note: e-mail test skipped: aiosmtpd is missing (python3 -m pip install aiosmtpd)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("maildir");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, PASSWORD).unwrap();
    let out = integer(dir.path())
        .args([
            "admin",
            "create",
            "--org",
            "testgem",
            "--org-name",
            "Gemeente Test",
            "--preset",
            "maastricht",
            "--email",
            "beheer@test.nl",
            "--name",
            "Beheer Der",
            "--password-file",
        ])
        .arg(&pw)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("sqlite://{}/integer.db", dir.path().display());
    let store = rt.block_on(async {
        integer_store::audit::use_test_key();
        let store = Store::connect(&url, &PoolSettings::default())
            .await
            .unwrap();
        let mut conn = store.conn().await.unwrap();
        let org = orgs::by_slug(&mut conn, "testgem")
            .await
            .unwrap()
            .unwrap()
            .id;
        drop(conn);
        let hash = integer_web::security::hash_password(PASSWORD).unwrap();
        let manager = testing::add_person(
            &store,
            org,
            "Mia Manager",
            "mia@test.nl",
            Role::Manager,
            Some(&hash),
        )
        .await;
        let employee = testing::add_person(
            &store,
            org,
            "Eva Employee",
            "eva@test.nl",
            Role::Employee,
            Some(&hash),
        )
        .await;
        let mut conn = store.conn().await.unwrap();
        testing::set_manager(&mut conn, employee, Some(manager)).await;
        store
    });

    // The SMTP server is not there yet when the declaration is filed: the
    // mail waits in the outbox and goes once the server is up.
    let smtp_port = free_port();
    let mut command = integer(dir.path());
    command
        .env("INTEGER__SMTP__ENABLED", "true")
        .env("INTEGER__SMTP__HOST", "127.0.0.1")
        .env("INTEGER__SMTP__PORT", smtp_port.to_string())
        .env("INTEGER__SMTP__TLS", "none")
        .env(
            "INTEGER__SMTP__FROM",
            "Integer <integriteit@gemeente-test.nl>",
        )
        .env("INTEGER__SMTP__BASE_URL", BASE_URL)
        .env("INTEGER__SMTP__POLL_SECONDS", "1")
        .env("INTEGER__SMTP__RETRY_SECONDS", "1");
    let (_server, base) = start_server(command);

    let id = rt.block_on(async {
        let employee = signed_in(&base, "testgem", "eva@test.nl", PASSWORD).await;
        let token = csrf(&employee, &base).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        form.extend_from_slice(FLOWERS);
        form.extend_from_slice(&[
            ("omschrijving", DESCRIPTION),
            ("derde", THIRD_PARTY),
            ("datum", "01-03-2025"),
        ]);
        let r = employee
            .post(format!("{base}/verklaringen"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let id: i64 = location
            .trim_start_matches("/verklaringen/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // The first attempt fails (nothing listens) and is recorded.
        let started = Instant::now();
        loop {
            let state = mail_state(&store, "mia@test.nl").await;
            if state.attempts >= 1 && state.error.is_some() {
                assert_eq!(state.mailed_at, None);
                assert_eq!(state.gave_up_at, None);
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no failed attempt recorded: {state:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        id
    });
    assert!(delivered(&maildir).is_empty());

    let _smtpd = start_smtpd(smtp_port, &maildir);
    let mails = wait_for_mails(&maildir, 1);
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let mail = &mails[0];
    assert_eq!(mail.header("x-rcptto"), Some("mia@test.nl"), "{mail:#?}");
    assert_eq!(mail.header("to"), Some("mia@test.nl"));
    assert_eq!(
        mail.header("from"),
        Some("Integer <integriteit@gemeente-test.nl>")
    );
    assert_eq!(
        mail.header("subject"),
        Some("Integer: er wacht een melding op uw besluit / a declaration waits for your decision")
    );
    assert_eq!(mail.header("auto-submitted"), Some("auto-generated"));
    let link = format!("{BASE_URL}/verklaringen/{id}");
    assert!(mail.body.contains(&format!("{link}\n")), "{}", mail.body);
    assert!(mail.body.contains("(Gemeente Test)"), "{}", mail.body);
    let dutch = mail.body.find("Er wacht een melding").expect("Dutch text");
    let english = mail.body.find("A declaration").expect("English text");
    assert!(dutch < english, "Dutch first: {}", mail.body);
    assert_no_content(mail);
    let state = rt.block_on(mail_state(&store, "mia@test.nl"));
    assert!(state.mailed_at.is_some(), "{state:?}");

    // The manager decides; the employee hears of it, by link only.
    rt.block_on(async {
        let manager = signed_in(&base, "testgem", "mia@test.nl", PASSWORD).await;
        let token = csrf(&manager, &base).await;
        let r = manager
            .post(format!("{base}/verklaringen/{id}/besluit"))
            .form(&[
                ("csrf", token.as_str()),
                ("versie", "1"),
                ("besluit", "approve"),
                ("bestemming", "hand_in"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
    });
    let mails = wait_for_mails(&maildir, 2);
    let mail = &mails[1];
    assert_eq!(mail.header("x-rcptto"), Some("eva@test.nl"), "{mail:#?}");
    assert_eq!(
        mail.header("subject"),
        Some("Integer: er is besloten over uw melding / a decision was made on your declaration")
    );
    assert!(mail.body.contains(&format!("{link}\n")), "{}", mail.body);
    assert_no_content(mail);

    // Each mail went once.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(delivered(&maildir).len(), 2);
}

/// Nothing of the declaration: no description, no names, no amount, no
/// decision details (in what a person reads: the subject, the addresses
/// and the text).
fn assert_no_content(mail: &Mail) {
    let all = format!(
        "{:?}\n{:?}\n{:?}\n{}",
        mail.header("subject"),
        mail.header("from"),
        mail.header("to"),
        mail.body
    );
    for secret in [
        DESCRIPTION,
        "Geheimzinnig",
        "bloemen",
        THIRD_PARTY,
        "Jansen",
        "Eva",
        "Mia",
        "Manager",
        "Employee",
        "EUR",
        "€",
        "30,",
        "30.",
        "gift",
        "hand_in",
        "Lever",
    ] {
        assert!(!all.contains(secret), "the mail shows {secret:?}:\n{all}");
    }
}
