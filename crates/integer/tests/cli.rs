//! The `integer` command line, run as a real process against a SQLite file.

mod common;

use common::start_server;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "a long enough password";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("integer.db")
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.db().display())
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_integer"));
        c.env_remove("INTEGER_CONFIG")
            .env("INTEGER_DATABASE_URL", self.url())
            .env("INTEGER__LOG__LEVEL", "warn")
            .current_dir(self.dir.path());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    fn admin(&self) {
        let pw = self.file("pw", PASSWORD);
        let out = self.run(&[
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
            pw.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out));
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn count_people(env: &Env) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = integer_store::Store::connect(&env.url(), &Default::default())
            .await
            .unwrap();
        let mut conn = store.conn().await.unwrap();
        integer_store::testing::count(&mut conn, "people").await
    })
}

fn sql(env: &Env, statements: &[&'static str]) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = integer_store::Store::connect(&env.url(), &Default::default())
            .await
            .unwrap();
        let mut conn = store.conn().await.unwrap();
        for s in statements {
            integer_store::testing::execute(&mut conn, s).await;
        }
    })
}

#[test]
fn unknown_database_scheme_is_refused_without_creating_a_file() {
    let env = Env::new();
    let out = env
        .cmd()
        .env("INTEGER_DATABASE_URL", "mysql://localhost/integer")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Unknown database URL scheme 'mysql'"),
        "{}",
        text(&out)
    );
    let out = env
        .cmd()
        .args(["--database-url", "integer.db", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Onbekend soort database-adres"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_dir(env.dir.path()).unwrap().count(),
        0,
        "no file was created"
    );
}

#[test]
fn admin_create_refuses_weak_passwords_and_unknown_presets() {
    let env = Env::new();
    let pw = env.file("pw", "short");
    let out = env.run(&[
        "admin",
        "create",
        "--org",
        "x-org",
        "--org-name",
        "X",
        "--preset",
        "dalfsen",
        "--email",
        "a@x.nl",
        "--name",
        "A",
        "--password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("minstens 12") && text(&out).contains("at least 12"),
        "{}",
        text(&out)
    );
    let pw = env.file("pw2", PASSWORD);
    let out = env.run(&[
        "admin",
        "create",
        "--org",
        "x-org",
        "--org-name",
        "X",
        "--preset",
        "utopia",
        "--email",
        "a@x.nl",
        "--name",
        "A",
        "--password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("unknown preset 'utopia'"),
        "{}",
        text(&out)
    );
    let out = env.run(&[
        "admin",
        "create",
        "--org",
        "nieuw",
        "--email",
        "a@x.nl",
        "--name",
        "A",
        "--password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("--org-name"), "{}", text(&out));
}

#[test]
fn serve_signs_in_answers_the_api_and_stops_on_sigterm() {
    let env = Env::new();
    env.admin();
    let out = env.run(&[
        "token",
        "create",
        "--org",
        "testgem",
        "--user",
        "beheer@test.nl",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("int_"), "{token}");

    let (mut server, base) = start_server(env.cmd());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        assert_eq!(
            c.get(format!("{base}/readyz"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let c = common::signed_in(&base, "testgem", "beheer@test.nl", PASSWORD).await;
        let me: serde_json::Value = c
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["organisation"]["preset"], "dalfsen");
    });
    // Graceful shutdown on SIGTERM.
    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            assert!(status.success(), "exit status after SIGTERM: {status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn import_people_is_all_or_nothing_unless_skipping() {
    let env = Env::new();
    env.admin();
    let csv = env.file(
        "mensen.csv",
        "personeelsnummer;e-mail;naam;schaal;eenheid;leidinggevende\n\
         200;bram@test.nl;Bram;9;Directie / Team B;201\n\
         201;anna@test.nl;Anna;19;Directie;\n\
         202;cor@test.nl;Cor;8;Directie / Team B;\n",
    );
    let out = env.run(&[
        "import",
        "people",
        "--org",
        "testgem",
        csv.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(
        t.contains("regel/line 3, kolom/column salary_scale")
            && t.contains("not a valid salary scale"),
        "{t}"
    );
    assert!(
        t.contains("regel/line 2, kolom/column manager"),
        "Bram's manager line is bad: {t}"
    );
    assert_eq!(count_people(&env), 1, "nothing imported");

    let out = env.run(&[
        "import",
        "people",
        "--org",
        "testgem",
        "--skip-invalid",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1 created"), "{}", text(&out));
    assert_eq!(count_people(&env), 2);
    let out = env.run(&[
        "import",
        "people",
        "--org",
        "testgem",
        "--skip-invalid",
        csv.to_str().unwrap(),
    ]);
    assert!(
        text(&out).contains("0 created, 1 updated"),
        "{}",
        text(&out)
    );
    assert_eq!(count_people(&env), 2, "never duplicates");
    let out = env.run(&[
        "import",
        "people",
        "--org",
        "nergens",
        csv.to_str().unwrap(),
    ]);
    assert!(!out.status.success() && text(&out).contains("does not exist"));
}

#[test]
fn audit_verify_names_the_changed_row() {
    let env = Env::new();
    env.admin();
    let out = env.run(&["seed", "--org", "seeded", "--people", "50"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = env.run(&["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("audit trail intact"));
    sql(
        &env,
        &[
            "DROP TRIGGER audit_log_no_update",
            "UPDATE audit_log SET actor = 'person:1' WHERE seq = 2",
        ],
    );
    let out = env.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("row 2 was changed") && text(&out).contains("rij 2 is gewijzigd"),
        "{}",
        text(&out)
    );
}

#[test]
fn audit_verify_notices_removed_rows() {
    let env = Env::new();
    env.admin();
    env.run(&["seed", "--org", "seeded", "--people", "10"]);
    sql(
        &env,
        &[
            "DROP TRIGGER audit_log_no_delete",
            "DELETE FROM audit_log WHERE seq = 2",
        ],
    );
    let out = env.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("rows between 1 and 3 were removed"),
        "{}",
        text(&out)
    );
}

#[test]
fn seed_fills_only_an_empty_organisation() {
    let env = Env::new();
    let out = env.run(&[
        "seed",
        "--org",
        "groot",
        "--people",
        "2000",
        "--preset",
        "provincie-limburg",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(count_people(&env), 2000);
    let out = env.run(&["seed", "--org", "groot", "--people", "10"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("already has people"));
}

#[test]
fn backup_and_restore() {
    let env = Env::new();
    env.admin();
    env.run(&["seed", "--org", "seeded", "--people", "300"]);
    let copy = env.dir.path().join("kopie.db");
    let out = env.run(&["backup", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    // A backup never overwrites.
    let out = env.run(&["backup", copy.to_str().unwrap()]);
    assert!(!out.status.success());
    // Restore: put the copy in place of a database and use it.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored = restored_dir.path().join("integer.db");
    std::fs::copy(&copy, &restored).unwrap();
    // The keys are kept apart from backups; a restore puts the database
    // back beside them (docs/OPERATIONS.md). Without the audit key the
    // trail cannot be checked: verify says so.
    let out = env
        .cmd()
        .env(
            "INTEGER_DATABASE_URL",
            format!("sqlite://{}", restored.display()),
        )
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("audit.key"), "{}", text(&out));
    std::fs::copy(
        env.dir.path().join("audit.key"),
        restored_dir.path().join("audit.key"),
    )
    .unwrap();
    let restored_url = format!("sqlite://{}", restored.display());
    let out = env
        .cmd()
        .env("INTEGER_DATABASE_URL", &restored_url)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let other = Env { dir: restored_dir };
    assert_eq!(count_people(&other), 301);
    assert!(Path::new(&copy).exists());
}

#[test]
fn admin_password_from_standard_input() {
    let env = Env::new();
    let mut child = env
        .cmd()
        .args([
            "admin",
            "create",
            "--org",
            "stdin",
            "--org-name",
            "Stdin",
            "--preset",
            "maastricht",
            "--email",
            "s@x.nl",
            "--name",
            "S",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn policy_export_and_set_make_a_new_revision() {
    let env = Env::new();
    env.admin();
    let out = env.run(&["policy", "export", "--org", "testgem"]);
    assert!(out.status.success());
    let source = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(source.contains("[preset]") && source.contains("dalfsen"));
    let edited = env.file(
        "regels.toml",
        &source.replacen("version = \"2025.2\"", "version = \"2026.1\"", 1),
    );
    let out = env.run(&[
        "policy",
        "set",
        "--org",
        "testgem",
        edited.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("revision 1"));
    let out = env.run(&["policy", "export", "--org", "testgem"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("version = \"2026.1\""));
    let broken = env.file("kapot.toml", "[preset]\nname = 1\n");
    let out = env.run(&[
        "policy",
        "set",
        "--org",
        "testgem",
        broken.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("kapot.toml:"), "{}", text(&out));
    let out = env.run(&["audit", "verify"]);
    assert!(out.status.success());
}

#[test]
fn reading_commands_refuse_a_database_that_does_not_exist() {
    let env = Env::new();
    for args in [vec!["audit", "verify"], vec!["backup", "kopie.db"]] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains("bestaat niet") && text(&out).contains("does not exist"),
            "{args:?}: {}",
            text(&out)
        );
        assert!(!env.db().exists(), "{args:?} created no empty database");
    }
    assert!(!env.dir.path().join("kopie.db").exists());
}

#[test]
fn wrong_use_of_the_command_line_exits_2() {
    let env = Env::new();
    for args in [
        vec!["bestaat-niet"],
        vec!["seed", "--org"],
        vec!["serve", "--onbekend"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    }
    let out = env.run(&["--help"]);
    assert!(out.status.success());
}

#[test]
fn a_checkpoint_outside_the_database_shows_a_cut_tail() {
    let env = Env::new();
    env.admin();
    env.run(&["seed", "--org", "seeded", "--people", "10"]);
    let out = env.run(&["audit", "checkpoint"]);
    assert!(out.status.success(), "{}", text(&out));
    let log = env.dir.path().join("audit-checkpoints/checkpoints.log");
    let written = std::fs::read_to_string(&log).unwrap();
    assert!(
        written.starts_with("integer-audit-checkpoint v1 seq="),
        "{written}"
    );
    let out = env.run(&["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("checkpoint row"), "{}", text(&out));
    // Someone with write access removes the newest rows and sets the head
    // back: the chain itself looks whole, the checkpoint does not agree.
    sql(
        &env,
        &[
            "DROP TRIGGER audit_log_no_delete",
            "DELETE FROM audit_log WHERE seq > 1",
            "UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_log WHERE seq = 1)",
        ],
    );
    let out = env.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("rows after 1 were removed"),
        "{}",
        text(&out)
    );
    // A checkpoint line copied from the system log works as well; one made
    // without the key is refused.
    let copied = env.file(
        "syslog",
        &format!("Dec  6 04:00:00 host integer[1]: {written}"),
    );
    let out = env.run(&["audit", "verify", "--checkpoint", copied.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let forged = written.replace("seq=", "seq=1").replace("mac=", "mac=00");
    let forged = env.file("forged", &forged);
    let out = env.run(&["audit", "verify", "--checkpoint", forged.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("not made with this audit key"),
        "{}",
        text(&out)
    );
}
