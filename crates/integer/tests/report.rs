//! `integer report annual` as a real process against a SQLite file: JSON,
//! CSV (internal and publishable), HTML, and bad input (an unknown
//! organisation, a year in the future) with exit code 2.

use integer_domain::case::{CaseKind, Channel, IdentityMode};
use integer_domain::crypto::InstallationKey;
use integer_store::cases::{self, NewCase};
use integer_store::{PoolSettings, Store, orgs};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cmd(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_integer"));
    c.env_remove("INTEGER_CONFIG")
        .env(
            "INTEGER_DATABASE_URL",
            format!("sqlite://{}", dir.join("integer.db").display()),
        )
        .env("INTEGER__LOG__LEVEL", "warn")
        // The key the test writes with in-process too.
        .env(
            "INTEGER__SECURITY__AUDIT_KEY",
            integer_store::audit::TEST_KEY_HEX,
        )
        .current_dir(dir);
    c
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn last_year() -> i32 {
    i32::from(integer_domain::case::local_date(jiff::Timestamp::now()).year()) - 1
}

/// An organisation with three reports of fraud last year.
async fn setup(dir: &Path) {
    let pw = dir.join("pw");
    std::fs::write(&pw, "a long enough password").unwrap();
    let out = cmd(dir)
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
        .arg(&pw)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let url = format!("sqlite://{}", dir.join("integer.db").display());
    integer_store::audit::use_test_key();
    let store = Store::connect(&url, &PoolSettings::default())
        .await
        .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    let org = orgs::by_slug(&mut tx, "testgem").await.unwrap().unwrap();
    let received = format!("{}-05-01T10:00:00Z", last_year())
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    let key = InstallationKey::generate();
    for i in 0..3 {
        cases::create(
            &mut tx,
            &key,
            org.id,
            &NewCase {
                kind: CaseKind::Report,
                channel: Channel::Email,
                identity_mode: IdentityMode::Anonymous,
                category: Some("fraud".into()),
                title: "t".into(),
                body: "b".into(),
                identity: None,
                reporter_tag: None,
                created_by: None,
                received_at: received,
                receipt_hash: format!("cli-{i}"),
                named: Vec::new(),
                files: Vec::new(),
                team: Vec::new(),
                alternate: false,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    store.close().await;
}

fn report(dir: &Path, args: &[&str]) -> (Output, PathBuf) {
    let out_file = dir.join("verslag.out");
    let _ = std::fs::remove_file(&out_file);
    let out = cmd(dir)
        .args(["report", "annual"])
        .args(args)
        .arg("--out")
        .arg(&out_file)
        .output()
        .unwrap();
    (out, out_file)
}

#[tokio::test]
async fn the_annual_report_as_json_csv_and_html() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path()).await;
    let year = last_year().to_string();

    let (out, file) = report(
        dir.path(),
        &["--org", "testgem", "--year", &year, "--format", "json"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("annual report"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["version"], "internal");
    assert_eq!(json["organisation"]["slug"], "testgem");
    assert_eq!(json["figures"]["reports"]["received"], 3);
    assert_eq!(
        json["figures"]["reports"]["by_channel"][5],
        serde_json::json!(["email", 3])
    );

    let (out, file) = report(
        dir.path(),
        &["--org", "testgem", "--year", &year, "--format", "csv"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(csv.starts_with("section,figure,year,value,version\n"));
    assert!(
        csv.contains(&format!(
            "reports,reports.category.fraud,{year},3,internal\n"
        )),
        "{csv}"
    );

    let (out, file) = report(
        dir.path(),
        &[
            "--org",
            "testgem",
            "--year",
            &year,
            "--format",
            "csv",
            "--publishable",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(
        csv.contains(&format!(
            "reports,reports.category.fraud,{year},< 5,publishable\n"
        )),
        "{csv}"
    );
    assert!(!csv.contains(",3,"), "{csv}");

    let (out, file) = report(
        dir.path(),
        &["--org", "testgem", "--year", &year, "--format", "html"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Gemeente Test"));
    assert!(html.contains("<svg") && html.contains("role=\"img\""));
    assert!(!html.contains("/static/"), "self-contained");

    // A year without data is a report with zeros, not an error.
    let (out, file) = report(
        dir.path(),
        &["--org", "testgem", "--year", "2004", "--format", "json"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["empty"], true);
}

#[tokio::test]
async fn unknown_organisation_and_future_year_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path()).await;
    let (out, file) = report(
        dir.path(),
        &[
            "--org",
            "bestaat-niet",
            "--year",
            "2025",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(
        "organisatie 'bestaat-niet' bestaat niet / organisation 'bestaat-niet' does not exist"
    ));
    assert!(!file.exists());
    let future = (last_year() + 2).to_string();
    let (out, _) = report(
        dir.path(),
        &["--org", "testgem", "--year", &future, "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("ligt in de toekomst"), "{}", text(&out));
    assert!(text(&out).contains("is in the future"));
}

/// The PDF: read back with Poppler (pdftotext, pdftoppm), as a reader's
/// program would. Poppler is required under `INTEGER_REQUIRE_POPPLER=1`.
#[tokio::test]
async fn the_annual_report_as_a_tagged_pdf() {
    let poppler = Command::new("pdftotext").arg("-v").output().is_ok()
        && Command::new("pdftoppm").arg("-v").output().is_ok();
    if !poppler {
        assert_ne!(
            std::env::var("INTEGER_REQUIRE_POPPLER").as_deref(),
            Ok("1"),
            "INTEGER_REQUIRE_POPPLER=1 but poppler-utils is missing"
        );
        println!("skipped: poppler-utils not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path()).await;
    let year = last_year().to_string();
    for (version, shown) in [(None, "3"), (Some("--publishable"), "< 5")] {
        let mut args = vec!["--org", "testgem", "--year", &year, "--format", "pdf"];
        args.extend(version);
        let (out, file) = report(dir.path(), &args);
        assert!(out.status.success(), "{}", text(&out));
        let bytes = std::fs::read(&file).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(
            String::from_utf8_lossy(&bytes).contains("StructTreeRoot"),
            "tagged"
        );
        let text_out = Command::new("pdftotext")
            .arg(&file)
            .arg("-")
            .output()
            .unwrap();
        assert!(text_out.status.success());
        let body = String::from_utf8_lossy(&text_out.stdout);
        let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Jaarverslag integriteit"), "{body}");
        assert!(flat.contains("Gemeente Test"), "{body}");
        assert!(flat.contains("Fraude"), "{body}");
        // The three fraud reports: exact inside, "< 5" in public.
        // (pdftotext may drop the space of "< 5".)
        assert!(
            body.lines()
                .any(|l| l.trim() == shown || l.trim() == shown.replace(' ', "")),
            "{shown} in {version:?}: {body}"
        );
        if version.is_some() {
            assert!(
                !body.lines().any(|l| l.trim() == "3"),
                "no exact 3 in public"
            );
        }
        let png = dir.path().join("pagina");
        let draw = Command::new("pdftoppm")
            .args(["-png", "-r", "30", "-f", "1", "-l", "1"])
            .arg(&file)
            .arg(&png)
            .output()
            .unwrap();
        assert!(draw.status.success(), "{draw:?}");
    }
}
