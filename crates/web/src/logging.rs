//! One log line per request: method, the route's pattern (never the
//! concrete path or query, which can hold names or search terms), status
//! and duration. No personal data, no secrets.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

pub async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".to_string());
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::warn!(%method, %route, status, ms, "request");
    } else {
        tracing::info!(%method, %route, status, ms, "request");
    }
    response
}
