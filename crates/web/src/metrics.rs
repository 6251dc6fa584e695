//! `/metrics` in the Prometheus text format, for the operator's monitoring:
//! requests by route and status, latencies as histograms, the database
//! pool, the e-mail outbox backlog and the whistleblower act's overdue
//! clocks per organisation (counts only). No personal data: labels are
//! route patterns, methods, status codes and organisation slugs.
//!
//! Served on a separate address (`metrics.bind`), never on the public one;
//! off when that is empty. Counters are per instance, as Prometheus expects
//! when it scrapes each instance.

use crate::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

pub const REQUESTS: &str = "integer_http_requests_total";
pub const DURATION: &str = "integer_http_request_duration_seconds";

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder once and returns its handle.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(DURATION.to_string()),
                    &[
                        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                    ],
                )
                .expect("fixed, non-empty buckets")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may be set already (a test process that
            // started earlier): then this handle renders nothing new, which
            // is harmless.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Records one answered request.
pub fn record_request(method: &str, route: &str, status: u16, seconds: f64) {
    metrics::counter!(
        REQUESTS,
        "method" => method.to_string(),
        "route" => route.to_string(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        DURATION,
        "method" => method.to_string(),
        "route" => route.to_string()
    )
    .record(seconds);
}

/// The metrics listener's router.
pub fn router(state: AppState) -> Router {
    // Make sure the recorder exists before the first request is counted.
    handle();
    Router::new()
        .route("/metrics", get(render))
        .with_state(state)
}

async fn render(State(state): State<AppState>) -> Response {
    let pool = state.store.pool();
    metrics::gauge!("integer_db_pool_connections").set(f64::from(pool.size()));
    metrics::gauge!("integer_db_pool_idle_connections").set(pool.num_idle() as f64);
    metrics::gauge!("integer_db_pool_max_connections")
        .set(f64::from(pool.options().get_max_connections()));
    match gather(&state).await {
        Ok(()) => metrics::gauge!("integer_metrics_database_up").set(1.0),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: database figures unavailable");
            metrics::gauge!("integer_metrics_database_up").set(0.0);
        }
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
        .into_response()
}

/// Figures read from the database at scrape time.
async fn gather(state: &AppState) -> anyhow::Result<()> {
    let mut conn = state.store.conn().await?;
    let backlog = integer_store::notifications::mail_backlog(&mut conn).await?;
    metrics::gauge!("integer_mail_outbox_backlog").set(backlog as f64);
    let today = integer_domain::case::local_date(jiff::Timestamp::now());
    for o in integer_store::cases::overdue_clock_counts(&mut conn, today).await? {
        metrics::gauge!("integer_cases_acknowledgement_overdue", "org" => o.org_slug.clone())
            .set(o.acknowledgement as f64);
        metrics::gauge!("integer_cases_feedback_overdue", "org" => o.org_slug)
            .set(o.feedback as f64);
    }
    Ok(())
}
