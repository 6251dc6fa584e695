//! Browser tests: the real `integer demo` server, driven in headless
//! Chromium through chromedriver (`fantoccini`), with axe-core checking
//! every page that is loaded against WCAG 2.1 A and AA.
//!
//! Needs /usr/bin/chromium, /usr/bin/chromedriver and axe-core under
//! tests/browser/node_modules (scripts/install-browser-deps.sh). Without
//! them the tests print that they were skipped and pass, unless
//! `INTEGER_REQUIRE_BROWSER=1` (as in CI): then they fail.

mod common;

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/browser/node_modules/axe-core/axe.min.js"
);
/// How long to wait for a page, an element or a text to appear.
const WAIT: Duration = Duration::from_secs(10);
/// How long the demo server may take to start (it seeds four organisations).
const SERVER_START: Duration = Duration::from_secs(30);
/// The browser part of one test, after the server and browser have started.
const TEST_LIMIT: Duration = Duration::from_secs(45);

// ---------------------------------------------------------------------------
// The gate
// ---------------------------------------------------------------------------

/// True when Chromium, chromedriver and axe-core are installed. When one is
/// missing: fails under `INTEGER_REQUIRE_BROWSER=1`, else says it skips.
fn browser_available() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER, AXE]
        .into_iter()
        .filter(|p| !Path::new(p).is_file())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("INTEGER_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!(
            "INTEGER_REQUIRE_BROWSER=1, but the browser tests cannot run: missing {}. \
             Run scripts/install-browser-deps.sh",
            missing.join(", ")
        );
    }
    println!(
        "skipped: chromium/chromedriver/axe-core not installed (run scripts/install-browser-deps.sh)"
    );
    false
}

// ---------------------------------------------------------------------------
// Processes: the demo server and chromedriver
// ---------------------------------------------------------------------------

/// A child process that is ended when this guard is dropped (also when a
/// test panics). With `group`, the child leads its own process group and the
/// whole group is ended, so that no browser started by chromedriver is left.
struct Running {
    child: Child,
    group: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.group {
            // Only the group of the process this test started.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `integer demo` on a free port, with its database in a temporary directory.
struct Server {
    url: String,
    _process: Running,
    _dir: tempfile::TempDir,
}

fn start_server() -> Server {
    let dir = tempfile::tempdir().expect("temporary directory for the demo server");
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).expect("server log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_integer"))
        .arg("--database-url")
        .arg(format!("sqlite://{}/x.db", dir.path().display()))
        .args(["demo", "--port", "0", "--data-dir"])
        .arg(dir.path())
        .env_remove("INTEGER_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start `integer demo`");
    let stdout = child.stdout.take().expect("stdout of `integer demo`");
    let process = Running {
        child,
        group: false,
    };

    // Read stdout until the server says where it listens; keep reading
    // afterwards so that the pipe never fills up.
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
    let url = match rx.recv_timeout(SERVER_START) {
        Ok(url) => url,
        Err(e) => panic!(
            "`integer demo` did not print \"listens on http://...\" ({e}); its log:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        ),
    };
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "unexpected address: {url}"
    );
    Server {
        url,
        _process: process,
        _dir: dir,
    }
}

/// A free TCP port on 127.0.0.1 (bound, read, released).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

struct Driver {
    url: String,
    _process: Running,
}

fn start_chromedriver() -> Driver {
    let port = free_port();
    let child = {
        use std::os::unix::process::CommandExt;
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver")
    };
    let process = Running { child, group: true };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < WAIT,
            "chromedriver did not listen on port {port} within {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver {
        url: format!("http://127.0.0.1:{port}"),
        _process: process,
    }
}

async fn connect(driver: &Driver, profile: &Path) -> Client {
    let mut caps = Capabilities::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.display()),
                // A Dutch browser (Accept-Language), as at a Dutch public body.
                "--lang=nl-NL",
                // The Utrecht CSS scrolls smoothly unless reduced motion is
                // asked for; chromedriver would click while still scrolling.
                "--force-prefers-reduced-motion",
                "--window-size=1280,900",
            ],
            "prefs": {"intl.accept_languages": "nl-NL,nl"},
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "start a Chromium session through chromedriver at {}: {e}",
                driver.url
            )
        })
}

/// Starts the demo server, chromedriver and Chromium, runs `test` with the
/// browser and the server's base URL, and always closes the browser and
/// ends the processes, also when `test` panics or takes too long.
async fn with_browser<F, Fut>(test: F)
where
    F: FnOnce(Client, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if !browser_available() {
        return;
    }
    let server = start_server();
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().expect("temporary Chromium profile");
    let client = connect(&driver, profile.path()).await;

    let task = tokio::spawn(test(client.clone(), server.url.clone()));
    let abort = task.abort_handle();
    let outcome = tokio::time::timeout(TEST_LIMIT, task).await;
    if outcome.is_err() {
        abort.abort();
    }
    let _ = client.close().await;
    drop(driver);
    drop(server);
    drop(profile);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Ok(Err(e)) => panic!("the browser test did not finish: {e}"),
        Err(_) => panic!("the browser test took longer than {TEST_LIMIT:?}"),
    }
}

// ---------------------------------------------------------------------------
// Accessibility
// ---------------------------------------------------------------------------

fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE
        .get_or_init(|| std::fs::read_to_string(AXE).unwrap_or_else(|e| panic!("read {AXE}: {e}")))
}

const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
  .then(function (result) {
    done({passes: result.passes.length, violations: result.violations.map(function (v) {
      return {
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map(function (n) {
          return {target: n.target, html: n.html, summary: n.failureSummary};
        })
      };
    })});
  })
  .catch(function (e) { done({error: String(e)}); });
"#;

/// Runs axe-core (WCAG 2.1 A and AA) on the page that is loaded now and
/// fails with every violation found.
async fn check_a11y(client: &Client, page_name: &str) {
    // For looking at the pages: INTEGER_SCREENSHOTS=DIR keeps a PNG of each.
    if let Ok(dir) = std::env::var("INTEGER_SCREENSHOTS")
        && let Ok(png) = client.screenshot().await
    {
        let name: String = page_name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        let _ = std::fs::write(Path::new(&dir).join(format!("{name}.png")), png);
    }
    let violations = axe_violations(client, page_name).await;
    if violations.is_empty() {
        return;
    }
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    let mut report = format!(
        "{page_name} ({url}): axe-core found {} accessibility violation(s) (WCAG 2.1 A/AA):\n",
        violations.len()
    );
    for v in &violations {
        report.push_str(&format!(
            "\n- {} [{}]: {} ({})\n",
            text(&v["id"]),
            text(&v["impact"]),
            text(&v["help"]),
            text(&v["helpUrl"])
        ));
        for n in v["nodes"].as_array().into_iter().flatten() {
            report.push_str(&format!(
                "    at {}\n      {}\n      {}\n",
                n["target"],
                text(&n["html"]),
                text(&n["summary"]).replace('\n', "\n      ")
            ));
        }
    }
    panic!("{report}");
}

/// Injects axe-core into the page that is loaded now and returns the
/// violations of WCAG 2.1 A and AA it finds.
async fn axe_violations(client: &Client, page_name: &str) -> Vec<Value> {
    client
        .execute(axe_source(), vec![])
        .await
        .unwrap_or_else(|e| panic!("{page_name}: inject axe-core: {e}"));
    let result = client
        .execute_async(AXE_RUN, vec![])
        .await
        .unwrap_or_else(|e| panic!("{page_name}: run axe-core: {e}"));
    if let Some(error) = result.get("error") {
        panic!("{page_name}: axe-core failed: {error}");
    }
    // A run that checked nothing would pass too: make sure rules ran.
    assert!(
        result["passes"].as_u64().unwrap_or(0) > 0,
        "{page_name}: axe-core checked nothing: {result}"
    );
    match result.get("violations") {
        Some(Value::Array(v)) => v.clone(),
        _ => panic!("{page_name}: unexpected answer from axe-core: {result}"),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Page helpers
// ---------------------------------------------------------------------------

async fn open(client: &Client, url: &str) {
    client
        .goto(url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
}

async fn find(client: &Client, css: &str) -> fantoccini::elements::Element {
    match client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => panic!("no element `{css}` on {}: {e}", page_url(client).await),
    }
}

async fn click(client: &Client, css: &str) {
    let element = find(client, css).await;
    if let Err(e) = element.click().await {
        // Say what is in the way (an element click intercepted).
        let cover = client
            .execute(
                "const r = arguments[0].getBoundingClientRect();\n\
                 const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);\n\
                 return [JSON.stringify(r), window.innerWidth + 'x' + window.innerHeight, e ? e.outerHTML.slice(0, 300) : null];",
                vec![serde_json::to_value(&element).unwrap_or_default()],
            )
            .await;
        panic!("click `{css}`: {e}\nin the way: {cover:?}");
    }
}

async fn type_into(client: &Client, css: &str, value: &str) {
    find(client, css)
        .await
        .send_keys(value)
        .await
        .unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
}

async fn page_url(client: &Client) -> String {
    client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default()
}

/// The visible text of the first element matching `css` (empty if none).
async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until the first element matching `css` has exactly the text
/// `expected` (a page load after a click or a redirect).
async fn wait_for_text(client: &Client, css: &str, expected: &str) {
    let started = Instant::now();
    loop {
        let seen = text_of(client, css).await;
        if seen.trim() == expected {
            return;
        }
        if started.elapsed() > WAIT {
            panic!(
                "`{css}` should read {expected:?} but reads {seen:?} on {}",
                page_url(client).await
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the browser is on `path` with `query_part` in the query.
async fn wait_for_url(client: &Client, path: &str, query_part: &str) {
    let started = Instant::now();
    loop {
        let url = client.current_url().await.expect("current URL");
        if url.path() == path && url.query().unwrap_or("").contains(query_part) {
            return;
        }
        if started.elapsed() > WAIT {
            panic!("expected {path}?…{query_part}… but the browser is on {url}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `<html lang>` is `lang`.
async fn wait_for_lang(client: &Client, lang: &str) {
    find(client, &format!("html[lang=\"{lang}\"]")).await;
}

async fn body_text(client: &Client) -> String {
    text_of(client, "body").await
}

/// Signs in on /inloggen (checking that page) and waits for the start page.
async fn sign_in(client: &Client, base: &str, email: &str) {
    open(client, &format!("{base}/inloggen")).await;
    wait_for_text(client, "h1", "Inloggen").await;
    check_a11y(client, "inloggen").await;
    // The demo accounts are mailbox@<organisation slug>.demo.
    let org = email
        .split('@')
        .nth(1)
        .and_then(|d| d.strip_suffix(".demo"))
        .expect("a demo account");
    find(client, "#organisatie")
        .await
        .select_by_value(org)
        .await
        .unwrap_or_else(|e| panic!("choose the organisation {org}: {e}"));
    type_into(client, "#email", email).await;
    type_into(client, "#wachtwoord", "demo").await;
    click(client, "form[action=\"/inloggen\"] button[type=\"submit\"]").await;
    second_factor(client, &format!("{base} {email}")).await;
    wait_for_text(client, "h1", "Start").await;
}

/// Sensitive roles set up a second factor at their first sign-in (the key
/// typed over from the page) and enter a code at every later one.
async fn second_factor(client: &Client, account: &str) {
    let started = Instant::now();
    let path = loop {
        let url = client.current_url().await.expect("current URL");
        if url.path() != "/inloggen" {
            break url.path().to_string();
        }
        if started.elapsed() > WAIT {
            panic!("still on the sign-in page after signing in as {account}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let form = match path.as_str() {
        "/inloggen/tweede-stap/instellen" => {
            wait_for_text(client, "h1", "Tweede stap instellen").await;
            check_a11y(client, "tweede stap instellen").await;
            let grouped = text_of(client, "#sleutel").await;
            let secret = integer_domain::totp::base32_decode(&grouped).expect("a base32 key");
            common::authenticator::add(account, secret);
            "/inloggen/tweede-stap/instellen"
        }
        "/inloggen/tweede-stap" => {
            wait_for_text(client, "h1", "Code uit uw app").await;
            check_a11y(client, "tweede stap").await;
            "/inloggen/tweede-stap"
        }
        _ => return,
    };
    let code = common::authenticator::fresh_code(account).await;
    type_into(client, "#code", &code).await;
    click(
        client,
        &format!("form[action=\"{form}\"] button[type=\"submit\"]"),
    )
    .await;
}

/// The cell texts of every body row of the table inside the region
/// labelled by `caption_id`.
async fn table_rows(client: &Client, caption_id: &str) -> Vec<Vec<String>> {
    let rows = client
        .find_all(Locator::Css(&format!(
            "[aria-labelledby=\"{caption_id}\"] tbody tr"
        )))
        .await
        .unwrap_or_default();
    let mut out = Vec::new();
    for row in rows {
        let mut cells = Vec::new();
        for cell in row
            .find_all(Locator::Css("th, td"))
            .await
            .unwrap_or_default()
        {
            cells.push(cell.text().await.unwrap_or_default().trim().to_string());
        }
        out.push(cells);
    }
    out
}

/// The number in the counts table of the import pages, by row header.
async fn import_count(client: &Client, label: &str) -> String {
    table_rows(client, "telling-titel")
        .await
        .into_iter()
        .find(|r| r.first().map(String::as_str) == Some(label))
        .and_then(|r| r.get(1).cloned())
        .unwrap_or_else(|| panic!("no row {label:?} in the import counts"))
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

#[tokio::test]
async fn employee_signs_in_switches_language_and_signs_out() {
    with_browser(|client, base| async move {
        let c = &client;
        sign_in(c, &base, "medewerker@maastricht.demo").await;
        find(c, "html[lang=\"nl\"]").await;
        let body = body_text(c).await;
        assert!(
            body.contains("Uw rollen: Medewerker"),
            "roles line missing on the start page:\n{body}"
        );
        assert!(body.contains("Uitloggen"), "no sign-out button:\n{body}");
        check_a11y(c, "start (nl)").await;

        // To English and back.
        click(c, "nav.integer-lang a[hreflang=\"en\"]").await;
        wait_for_lang(c, "en").await;
        wait_for_text(c, "h1", "Start").await;
        let body = body_text(c).await;
        assert!(
            body.contains("Your roles: Employee"),
            "start page not in English:\n{body}"
        );
        assert!(
            body.contains("Sign out"),
            "sign-out button not in English:\n{body}"
        );
        let current = find(c, "nav.integer-lang a[hreflang=\"en\"]").await;
        assert_eq!(
            current
                .attr("aria-current")
                .await
                .expect("aria-current")
                .as_deref(),
            Some("true")
        );
        check_a11y(c, "start (en)").await;

        click(c, "nav.integer-lang a[hreflang=\"nl\"]").await;
        wait_for_lang(c, "nl").await;
        let body = body_text(c).await;
        assert!(
            body.contains("Uw rollen: Medewerker"),
            "start page not back in Dutch:\n{body}"
        );
        check_a11y(c, "start (nl, terug)").await;

        // Sign out.
        let button = "form[action=\"/uitloggen\"] button[type=\"submit\"]";
        assert_eq!(text_of(c, button).await, "Uitloggen");
        click(c, button).await;
        wait_for_text(c, "h1", "Inloggen").await;
        let url = client.current_url().await.expect("current URL");
        assert_eq!(url.path(), "/inloggen");
        find(c, "#wachtwoord").await;
        assert!(
            !body_text(c).await.contains("Uitloggen"),
            "still signed in after signing out"
        );
        check_a11y(c, "inloggen (na uitloggen)").await;

        // The start page now sends the visitor to the sign-in page.
        open(c, &format!("{base}/")).await;
        wait_for_text(c, "h1", "Inloggen").await;
        let url = client.current_url().await.expect("current URL");
        assert_eq!(
            url.path(),
            "/inloggen",
            "visiting / after signing out went to {url}"
        );
        check_a11y(c, "inloggen (na /)").await;
    })
    .await;
}

#[tokio::test]
async fn admin_imports_csv_and_sees_the_bad_line() {
    let files = tempfile::tempdir().expect("temporary directory for the CSV file");
    let csv: PathBuf = files.path().join("medewerkers.csv");
    std::fs::write(
        &csv,
        "employee_number,email,name,salary_scale,unit,manager\n\
         BT-9001,anna.browsertest@maastricht.demo,Anna Browsertest,11,Directie Browsertest / Team Import,\n\
         BT-9002,bram.browsertest@maastricht.demo,Bram Browsertest,19,Directie Browsertest / Team Import,BT-9001\n\
         BT-9003,cor.browsertest@maastricht.demo,Cor Browsertest,8,Directie Browsertest / Team Import,BT-9001\n",
    )
    .expect("write the CSV file");
    let csv = csv.canonicalize().expect("absolute path of the CSV file");

    with_browser(|client, base| async move {
        let c = &client;
        sign_in(c, &base, "beheerder@maastricht.demo").await;
        check_a11y(c, "start (beheerder)").await;

        open(c, &format!("{base}/organisatie/import")).await;
        wait_for_text(c, "h1", "Medewerkers importeren").await;
        check_a11y(c, "import").await;
        type_into(c, "#bestand", &csv.display().to_string()).await;
        click(
            c,
            "form[action=\"/organisatie/import\"] button[type=\"submit\"]",
        )
        .await;

        // The preview: the bad line with its column and reason.
        wait_for_text(c, "h1", "Voorbeeld van de import").await;
        let errors = table_rows(c, "fouten-tabel").await;
        assert_eq!(
            errors.len(),
            1,
            "expected exactly one bad line, got {errors:?}"
        );
        let row = &errors[0];
        assert_eq!(
            row.first().map(String::as_str),
            Some("3"),
            "line of the error: {row:?}"
        );
        assert_eq!(
            row.get(1).map(String::as_str),
            Some("salary_scale"),
            "column of the error: {row:?}"
        );
        let reason = row.get(2).cloned().unwrap_or_default();
        assert!(
            reason.contains("19"),
            "the reason should mention 19: {reason:?}"
        );
        assert_eq!(import_count(c, "Nieuwe medewerkers").await, "2");
        check_a11y(c, "import: voorbeeld").await;

        // Skip the bad line and apply.
        click(c, "#sla-over").await;
        assert!(
            find(c, "#sla-over")
                .await
                .is_selected()
                .await
                .expect("checkbox state"),
            "the skip checkbox should be ticked"
        );
        click(c, "form[action$=\"/toepassen\"] button[type=\"submit\"]").await;
        wait_for_text(c, "h1", "Import uitgevoerd").await;
        assert_eq!(import_count(c, "Nieuwe medewerkers").await, "2");
        check_a11y(c, "import: uitgevoerd").await;

        // The two good lines are now people.
        open(c, &format!("{base}/organisatie/mensen?q=Browsertest")).await;
        wait_for_text(c, "h1", "Medewerkers").await;
        let names: Vec<String> = table_rows(c, "mensen-titel")
            .await
            .into_iter()
            .filter_map(|r| r.into_iter().next())
            .collect();
        assert_eq!(
            names,
            ["Anna Browsertest", "Cor Browsertest"],
            "people after the import"
        );
        check_a11y(c, "mensen (na import)").await;
    })
    .await;
    drop(files);
}

#[tokio::test]
async fn units_and_people_pages_are_accessible() {
    with_browser(|client, base| async move {
        let c = &client;
        sign_in(c, &base, "beheerder@maastricht.demo").await;

        open(c, &format!("{base}/organisatie/eenheden")).await;
        wait_for_text(c, "h1", "Eenheden").await;
        find(c, "ul.integer-tree li").await;
        check_a11y(c, "eenheden").await;

        open(c, &format!("{base}/organisatie/mensen")).await;
        wait_for_text(c, "h1", "Medewerkers").await;
        check_a11y(c, "mensen").await;
        let first = table_rows(c, "mensen-titel").await;
        let name = first
            .first()
            .and_then(|r| r.first())
            .cloned()
            .expect("the demo organisation has people");

        // Search for that person and open their page.
        type_into(c, "#zoek", &name).await;
        click(c, "form[role=\"search\"] button[type=\"submit\"]").await;
        wait_for_url(c, "/organisatie/mensen", "q=").await;
        wait_for_text(c, "h1", "Medewerkers").await;
        let found = table_rows(c, "mensen-titel").await;
        assert!(
            found.iter().any(|r| r.first() == Some(&name)),
            "searching for {name:?} did not find them: {found:?}"
        );
        check_a11y(c, "mensen (zoeken)").await;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText(&name))
            .await
            .unwrap_or_else(|e| panic!("no link {name:?} in the search results: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click the link {name:?}: {e}"));
        wait_for_text(c, "h1", &name).await;
        find(c, "dl.utrecht-data-list").await;
        check_a11y(c, "medewerker").await;

        open(c, &format!("{base}/organisatie/audit")).await;
        wait_for_text(c, "h1", "Audittrail").await;
        assert!(
            !table_rows(c, "audit-tabel").await.is_empty(),
            "the audit trail should list at least the sign-in"
        );
        check_a11y(c, "audittrail").await;

        open(c, &format!("{base}/bestaat-niet")).await;
        wait_for_text(c, "h1", "Pagina niet gevonden").await;
        check_a11y(c, "404").await;

        // The check itself works: an image without a text alternative is
        // reported.
        client
            .execute(
                "const img = document.createElement('img'); img.src = '/static/app.css'; document.querySelector('main').appendChild(img);",
                vec![],
            )
            .await
            .expect("add an image without alt");
        let found = axe_violations(c, "404 met fout").await;
        assert!(
            found.iter().any(|v| v["id"] == "image-alt"),
            "axe-core should report image-alt, found: {found:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn employee_asks_may_i_and_reads_the_rule() {
    with_browser(|client, base| async move {
        let c = &client;
        sign_in(c, &base, "medewerker@dalfsen.demo").await;
        click(c, "nav.integer-nav a[href=\"/mag-dit\"]").await;
        wait_for_text(c, "h1", "Mag dit?").await;
        check_a11y(c, "mag dit: soort").await;
        click(c, "#soort-gift").await;
        let mut last_url = page_url(c).await;
        click(c, "form button[type=\"submit\"]").await;
        // Answer each question the Dalfsen preset asks; the value first.
        let mut screens = 0;
        loop {
            // Wait for the next page to replace the one just submitted.
            let started = Instant::now();
            while page_url(c).await == last_url {
                assert!(started.elapsed() < WAIT, "no new page after {last_url}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            last_url = page_url(c).await;
            if find_opt(c, "#uitkomst").await {
                break;
            }
            screens += 1;
            assert!(screens < 20, "too many questions");
            check_a11y(c, &format!("mag dit: vraag {screens}")).await;
            let field = find(c, "#antwoord").await;
            let kind = field.attr("type").await.expect("type").unwrap_or_default();
            let name = field.attr("name").await.expect("name").unwrap_or_default();
            if kind == "text" {
                type_into(c, "#antwoord", if name == "value_eur" { "30" } else { "" }).await;
            } else if name == "customary_thank_you" {
                click(c, "#antwoord").await;
            } else if kind == "radio" && find_opt(c, "#antwoord-nee").await {
                click(c, "#antwoord-nee").await;
            } else {
                click(c, "#antwoord").await;
            }
            click(c, "form button[type=\"submit\"]").await;
        }
        assert!(screens >= 1);
        check_a11y(c, "mag dit: antwoord").await;
        let verdict = find(c, "#uitkomst")
            .await
            .attr("data-verdict")
            .await
            .expect("verdict");
        assert_eq!(
            verdict.as_deref(),
            Some("report"),
            "a EUR 30 gift in Dalfsen is kept and registered"
        );
        // The rule's text is one click away.
        click(c, "main a[href^=\"/gedragscode/\"]").await;
        find(c, "main section[id^=\"s-\"]").await;
        check_a11y(c, "gedragscode: document").await;
        open(c, &format!("{base}/gedragscode?q=geschenk")).await;
        check_a11y(c, "gedragscode: zoeken").await;
    })
    .await;
}

/// A side activity through "Mag dit?" in Chromium, clicking what a person
/// clicks: the subject, every question (the six control questions of
/// Maastricht's code included), and the filing form under the answer. The
/// walk used to loop after the control questions in every browser.
#[tokio::test]
async fn a_side_activity_is_filed_through_may_i_in_the_browser() {
    with_browser(|client, base| async move {
        let c = &client;
        sign_in(c, &base, "medewerker@maastricht.demo").await;
        click(c, "nav.integer-nav a[href=\"/mag-dit\"]").await;
        wait_for_text(c, "h1", "Mag dit?").await;
        click(c, "#soort-side_activity").await;
        let mut last_url = page_url(c).await;
        click(c, "form button[type=\"submit\"]").await;
        let mut screens = 0;
        let mut control_questions = 0;
        loop {
            // Wait for the next page to replace the one just submitted.
            let started = Instant::now();
            while page_url(c).await == last_url {
                assert!(started.elapsed() < WAIT, "no new page after {last_url}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            last_url = page_url(c).await;
            if find_opt(c, "#uitkomst").await {
                break;
            }
            screens += 1;
            assert!(screens < 15, "the walk loops: screen {screens}");
            find(c, "form[action=\"/mag-dit/vragen\"]").await;
            if find_opt(c, "input[type=\"radio\"][name=\"controle_1\"]").await {
                control_questions += 1;
            }
            // Every radio group: "no" where offered, else its last choice.
            let radios = c
                .find_all(Locator::Css("main form input[type=\"radio\"]"))
                .await
                .expect("radios");
            // (group name, its "no" or else its last choice)
            let mut chosen: Vec<(String, bool, fantoccini::elements::Element)> = Vec::new();
            for r in radios {
                let name = r.attr("name").await.ok().flatten().unwrap_or_default();
                let is_no = r.attr("value").await.ok().flatten().as_deref() == Some("nee");
                match chosen.iter_mut().find(|(n, _, _)| *n == name) {
                    Some(slot) if !slot.1 => *slot = (name, is_no, r),
                    Some(_) => {}
                    None => chosen.push((name, is_no, r)),
                }
            }
            for (_, _, r) in chosen {
                r.click().await.expect("choose an answer");
            }
            for t in c
                .find_all(Locator::Css("main form input[inputmode=\"decimal\"]"))
                .await
                .expect("numbers")
            {
                t.send_keys("4").await.expect("type a number");
            }
            check_a11y(c, &format!("mag dit: nevenwerkzaamheid {screens}")).await;
            click(c, "main form button[type=\"submit\"]").await;
        }
        assert_eq!(control_questions, 1, "the control questions, asked once");
        type_into(c, "#omschrijving", "Bestuurslid van de hockeyclub").await;
        click(c, "form[action=\"/verklaringen\"] button[type=\"submit\"]").await;
        find(c, "#verklaring").await;
        assert!(body_text(c).await.contains("Bestuurslid van de hockeyclub"));
        check_a11y(c, "nevenwerkzaamheid: ingediend").await;
    })
    .await;
}

/// Whether an element is on the page now (no waiting).
async fn find_opt(client: &Client, css: &str) -> bool {
    client.find(fantoccini::Locator::Css(css)).await.is_ok()
}

#[tokio::test]
async fn an_employee_declares_flowers_and_the_manager_approves() {
    with_browser(|client, base| async move {
        let c = &client;
        sign_in(c, &base, "medewerker@maastricht.demo").await;
        // A EUR 30 bunch of flowers as a thank-you: answered in the URL,
        // then filed with the form under the answer.
        let answers = "soort=gift&value_eur=30&customary_thank_you=ja&sent_to_home_address=nee\
                       &procurement_ongoing=nee&intent_to_influence=nee&refusal_would_offend=nee\
                       &refusal_impractical=nee&prior_permission=nee&appearance_of_corruption=minimal";
        open(c, &format!("{base}/mag-dit/vragen?{answers}")).await;
        find(c, "#uitkomst").await;
        type_into(c, "#omschrijving", "Bos bloemen van een inwoner").await;
        type_into(c, "#derde", "Mevrouw Jansen").await;
        click(c, "form[action=\"/verklaringen\"] button[type=\"submit\"]").await;
        find(c, "#verklaring").await;
        check_a11y(c, "verklaring: ingediend").await;
        let status = find(c, "#verklaring")
            .await
            .attr("data-status")
            .await
            .expect("status");
        assert_eq!(status.as_deref(), Some("submitted"));
        open(c, &format!("{base}/verklaringen")).await;
        check_a11y(c, "mijn meldingen").await;
        click(c, "form[action=\"/uitloggen\"] button[type=\"submit\"]").await;
        wait_for_text(c, "h1", "Inloggen").await;

        // The manager approves it from the inbox, in one click.
        sign_in(c, &base, "leidinggevende@maastricht.demo").await;
        click(c, "nav.integer-nav a[href=\"/beoordelen\"]").await;
        wait_for_text(c, "h1", "Beoordelen").await;
        check_a11y(c, "beoordelen").await;
        assert!(body_text(c).await.contains("Bos bloemen van een inwoner"));
        // The demo manager has other requests waiting too: approve this one.
        c.find(Locator::XPath(
            "//li[contains(@class, 'integer-inbox__item')][contains(., 'Bos bloemen van een inwoner')]\
             //form//button[@type='submit']",
        ))
        .await
        .expect("the flowers in the inbox")
        .click()
        .await
        .expect("approve in one click");
        find(c, ".utrecht-alert--ok").await;
        assert!(!body_text(c).await.contains("Bos bloemen van een inwoner"));
        check_a11y(c, "beoordelen: besloten").await;
        click(c, "form[action=\"/uitloggen\"] button[type=\"submit\"]").await;
        wait_for_text(c, "h1", "Inloggen").await;

        // The integrity office finds it in the register.
        sign_in(c, &base, "integriteit@maastricht.demo").await;
        open(c, &format!("{base}/registers?soort=gift")).await;
        check_a11y(c, "registers").await;
        let cell = find(c, "td[data-status]")
            .await
            .attr("data-status")
            .await
            .expect("status");
        assert_eq!(cell.as_deref(), Some("approved"));
        click(c, "td a[href^=\"/verklaringen/\"]").await;
        find(c, "#verklaring").await;
        check_a11y(c, "verklaring: register").await;
    })
    .await;
}

#[tokio::test]
async fn an_anonymous_report_with_a_file_is_answered_through_the_mailbox() {
    with_browser(|client, base| async move {
        let c = &client;
        // An outsider reports anonymously on the public form, with a file.
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("bon.pdf");
        std::fs::write(&file, b"%PDF-1.7 kasbon van 12 maart").expect("write the attachment");
        open(c, &format!("{base}/o/maastricht/melden")).await;
        wait_for_text(
            c,
            "h1",
            "Een vermoeden van een misstand of integriteitsschending melden",
        )
        .await;
        check_a11y(c, "meldpunt: formulier").await;
        type_into(c, "#onderwerp", "Kasverschillen").await;
        type_into(
            c,
            "#melding",
            "Bij de balie verdwijnt geregeld contant geld uit de kas.",
        )
        .await;
        find(c, "#bijlage")
            .await
            .send_keys(file.to_str().expect("a path"))
            .await
            .expect("choose the file");
        click(
            c,
            "form[action=\"/o/maastricht/melden\"] button[type=\"submit\"]",
        )
        .await;
        wait_for_text(c, "h1", "Uw melding is ontvangen").await;
        check_a11y(c, "meldpunt: ontvangstcode").await;
        let code = find(c, "#ontvangstcode")
            .await
            .attr("data-code")
            .await
            .expect("attribute")
            .expect("a receipt code");
        assert_eq!(code.len(), 24);

        // The integrity office acknowledges it and asks a question.
        sign_in(c, &base, "integriteit@maastricht.demo").await;
        click(c, "nav.integer-nav a[href=\"/zaken\"]").await;
        wait_for_text(c, "h1", "Zaken").await;
        check_a11y(c, "zaken").await;
        click(c, "td a[href^=\"/zaken/\"]").await;
        find(c, "#melding-tekst").await;
        assert!(body_text(c).await.contains("bon.pdf"));
        check_a11y(c, "zaak").await;
        click(c, "form[action$=\"/ontvangst\"] button[type=\"submit\"]").await;
        wait_for_text(c, "[role=\"status\"]", "Opgeslagen.").await;
        type_into(c, "#tekst", "Om welke dagen gaat het?").await;
        click(c, "form[action$=\"/bericht\"] button[type=\"submit\"]").await;
        wait_for_text(c, "[role=\"status\"]", "Opgeslagen.").await;
        // The reporter page: the handler may open the identity (Wbk art. 1a).
        click(c, "#melder-link").await;
        find(c, "#verzoeken-titel").await;
        check_a11y(c, "zaak: melder").await;
        click(c, "form[action=\"/uitloggen\"] button[type=\"submit\"]").await;
        wait_for_text(c, "h1", "Inloggen").await;

        // The reporter opens the mailbox with the receipt, reads and answers.
        open(c, &format!("{base}/o/maastricht/melden/postbus")).await;
        check_a11y(c, "postbus: code").await;
        type_into(c, "#code", &code.to_lowercase()).await;
        click(
            c,
            "form[action=\"/o/maastricht/melden/postbus\"] button[type=\"submit\"]",
        )
        .await;
        find(c, "#melding-tekst").await;
        let text = body_text(c).await;
        assert!(text.contains("Om welke dagen gaat het?"), "{text}");
        assert!(!text.contains("nog niet"), "receipt acknowledged: {text}");
        check_a11y(c, "postbus").await;
        type_into(c, "#bericht", "Op maandag en donderdag, na sluitingstijd.").await;
        click(
            c,
            "form[action=\"/o/maastricht/melden/postbus/bericht\"] button[type=\"submit\"]",
        )
        .await;
        wait_for_text(c, "[role=\"status\"]", "Uw bericht is verstuurd.").await;
        assert!(body_text(c).await.contains("Op maandag en donderdag"));
        check_a11y(c, "postbus: verstuurd").await;
    })
    .await;
}

/// Opens each page and checks it with axe (the pages of the reporting
/// point, the counsellors' log and prevention, per role).
async fn visit_all(c: &Client, base: &str, account: &str, pages: &[&str]) {
    sign_in(c, base, account).await;
    for page in pages {
        open(c, &format!("{base}{page}")).await;
        find(c, "h1").await;
        check_a11y(c, &format!("{account} {page}")).await;
    }
    click(c, "form[action=\"/uitloggen\"] button[type=\"submit\"]").await;
    wait_for_text(c, "h1", "Inloggen").await;
}

#[tokio::test]
async fn staff_pages_of_the_reporting_point_and_prevention_are_accessible() {
    with_browser(|client, base| async move {
        let c = &client;
        visit_all(
            c,
            &base,
            "medewerker@maastricht.demo",
            &[
                "/melden",
                "/mijn-integriteit",
                "/organisatie/gedragscode-gelezen",
                "/organisatie/eed/tekst",
            ],
        )
        .await;
        visit_all(
            c,
            &base,
            "leidinggevende@maastricht.demo",
            &["/team/integriteit", "/organisatie/moreel-beraad"],
        )
        .await;
        visit_all(
            c,
            &base,
            "hr@maastricht.demo",
            &[
                "/organisatie/eed",
                "/organisatie/screening",
                "/organisatie/trainingen",
                "/organisatie/kwetsbare-functies",
            ],
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn office_and_counsellor_pages_are_accessible() {
    with_browser(|client, base| async move {
        let c = &client;
        // The public register of side activities, without signing in.
        open(c, &format!("{base}/o/maastricht/nevenfuncties")).await;
        wait_for_text(c, "h1", "Register van nevenfuncties").await;
        check_a11y(c, "public register").await;
        visit_all(
            c,
            &base,
            "integriteit@maastricht.demo",
            &[
                "/zaken",
                "/zaken/nieuw",
                "/organisatie/meldpunt-informatie",
                "/vertrouwenspersoon/cijfers",
                "/organisatie/moreel-beraad",
                "/jaarverslag",
                "/organisatie/aangewezen-functies",
            ],
        )
        .await;
        visit_all(
            c,
            &base,
            "vertrouwenspersoon@maastricht.demo",
            &["/vertrouwenspersoon"],
        )
        .await;
        visit_all(
            c,
            &base,
            "beheerder@maastricht.demo",
            &[
                "/organisatie/preventie-instellingen",
                "/organisatie/aangewezen-functies",
            ],
        )
        .await;
    })
    .await;
}
