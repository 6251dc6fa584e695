//! What the operator sees: the request id on every answer, in the error
//! page and the API's errors; `/metrics` on its own listener, in the
//! Prometheus text format, without personal data.

mod common;

use common::TestApp;
use integer_store::testing::sqlite;
use integer_web::{AppState, WebConfig};

fn request_id(r: &reqwest::Response) -> String {
    r.headers()
        .get("x-request-id")
        .expect("every answer has a request id")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_the_error_page_shows_it() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = TestApp::client();
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    let first = request_id(&r);
    assert_eq!(first.len(), 16, "{first}");
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    assert_ne!(request_id(&r), first, "a new id per request");

    let r = c.get(app.url("/bestaat-niet")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let id = request_id(&r);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("<code>{id}</code>")), "{html}");
    assert!(html.contains("kenmerk"), "{html}");

    let r = c.get(app.url("/api/v1/bestaat-niet")).send().await.unwrap();
    let id = request_id(&r);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());

    // Without a trusted proxy, a client's id is not taken over.
    let r = c
        .get(app.url("/healthz"))
        .header("x-request-id", "van-de-client")
        .send()
        .await
        .unwrap();
    assert_ne!(request_id(&r), "van-de-client");
}

#[tokio::test]
async fn a_trusted_proxy_passes_its_request_id_when_it_is_plain() {
    let config = WebConfig {
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..WebConfig::default()
    };
    let app = TestApp::spawn_with(sqlite().await, config).await;
    let c = TestApp::client();
    let r = c
        .get(app.url("/healthz"))
        .header("x-request-id", "proxy-7f3a.1")
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&r), "proxy-7f3a.1");
    let r = c
        .get(app.url("/healthz"))
        .header("x-request-id", "<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&r).len(), 16, "a strange id is replaced");
}

#[tokio::test]
async fn metrics_are_served_apart_in_the_prometheus_format_without_personal_data() {
    integer_web::metrics::handle();
    let app = TestApp::spawn(sqlite().await).await;
    // The public address has no /metrics.
    let c = TestApp::client();
    let r = c.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404);

    let employee = app
        .signed_in(&common::email_of(integer_domain::org::Role::Employee))
        .await;
    let r = employee
        .get(app.url("/mijn-integriteit"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    c.get(app.url("/healthz")).send().await.unwrap();

    let state = AppState::new(app.db.store.clone(), WebConfig::default())
        .await
        .unwrap();
    let metrics = integer_web::metrics::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, metrics).await.unwrap() });
    let r = c
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text().await.unwrap();
    for expected in [
        "# TYPE integer_http_requests_total counter",
        "route=\"/healthz\"",
        "status=\"200\"",
        "# TYPE integer_http_request_duration_seconds histogram",
        "integer_http_request_duration_seconds_bucket{",
        "integer_db_pool_connections ",
        "integer_db_pool_max_connections ",
        "integer_mail_outbox_backlog ",
        "integer_cases_acknowledgement_overdue{org=\"alpha\"} 0",
        "integer_cases_feedback_overdue{org=\"beta\"} 0",
        "integer_metrics_database_up 1",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    for personal in ["@alpha.nl", "Alpha employee", "Mia Manager"] {
        assert!(!text.contains(personal), "{personal} in:\n{text}");
    }
}

/// Every tile on every role's start page leads to a page that opens; none
/// announces a feature as "coming soon".
#[tokio::test]
async fn every_start_page_tile_leads_somewhere_that_opens() {
    use integer_domain::org::Role;
    let app = TestApp::spawn(sqlite().await).await;
    for role in Role::ALL {
        let c = app.signed_in(&common::email_of(role)).await;
        let html = c
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("Binnenkort"), "{role:?}: {html}");
        let tiles: Vec<&str> = html
            .split("<h3 class=\"integer-tile__title\">")
            .skip(1)
            .collect();
        assert!(!tiles.is_empty(), "{role:?} has tiles");
        for t in tiles {
            let Some(href) = t
                .strip_prefix("<a href=\"")
                .and_then(|rest| rest.split('"').next())
            else {
                continue;
            };
            let r = c.get(app.url(href)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{role:?}: {href}");
        }
    }
}

/// A writer into a shared buffer, for the log test.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_access_log_line_carries_the_request_id() {
    let captured = Captured::default();
    let writer = captured.clone();
    // The only test of this binary that sets the global subscriber.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let config = WebConfig {
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..WebConfig::default()
    };
    let app = TestApp::spawn_with(sqlite().await, config).await;
    let r = TestApp::client()
        .get(app.url("/healthz"))
        .header("x-request-id", "log-test-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&r), "log-test-4711");
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = logs
        .lines()
        .find(|l| l.contains("request_id=log-test-4711"))
        .unwrap_or_else(|| panic!("no line with the request id:\n{logs}"));
    assert!(
        line.contains("route=/healthz") && line.contains("status=200"),
        "{line}"
    );
    assert!(!logs.contains('\u{1b}'), "no colour codes");
}

/// The language switch and the sign-in follow only local paths; payloads
/// that browsers would take to another site, or that break the Location
/// header, lead to the start page (and never to a 500).
#[tokio::test]
async fn redirects_never_leave_the_site() {
    let app = TestApp::spawn(sqlite().await).await;
    let c = TestApp::client();
    for payload in [
        "/%09/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "/%0a/x",
        "/%0d%0aSet-Cookie:%20x=y",
        "https://evil.example",
        "/%252f%252fevil.example",
    ] {
        let r = c
            .get(app.url(&format!("/taal/nl?terug={payload}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{payload}");
        assert_eq!(common::location(&r), "/", "taal: {payload}");
    }
    let r = c
        .get(app.url("/taal/en?terug=/registers%3Fsoort%3Dgift"))
        .send()
        .await
        .unwrap();
    assert_eq!(common::location(&r), "/registers?soort=gift");

    for payload in ["/\n/x", "/\t/evil.example", "//evil.example", "/zaken"] {
        let c = TestApp::client();
        let csrf = app.login_csrf(&c).await;
        let r = c
            .post(app.url("/inloggen"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("organisatie", "alpha"),
                (
                    "email",
                    common::email_of(integer_domain::org::Role::Employee).as_str(),
                ),
                ("wachtwoord", common::PASSWORD),
                ("terug", payload),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "sign-in with {payload:?}");
        let expected = if payload == "/zaken" { "/zaken" } else { "/" };
        assert_eq!(common::location(&r), expected, "sign-in with {payload:?}");
    }
}
