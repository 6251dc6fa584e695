//! One log line per request: method, the route's pattern (never the
//! concrete path or query, which can hold names or search terms), status
//! and duration. No personal data, no secrets.
//!
//! Every request has a request id: taken from the `X-Request-Id` header
//! when the request comes from a trusted proxy (`server.trusted_proxies`)
//! and the value is well-formed, generated otherwise. It is in every log line of
//! the request (a tracing span), in the `X-Request-Id` response header and
//! on the error page, so that a user's complaint can be found in the logs.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request's id, in the request's and the response's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// A request id from a proxy is used only when it is short and plain.
pub fn acceptable_request_id(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn new_request_id() -> String {
    let bytes: [u8; 8] = rand::random();
    hex::encode(bytes)
}

pub async fn request_id(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let from_proxy = peer
        .is_some_and(|ip| crate::security::is_trusted_proxy(&state.config.trusted_proxies, ip))
        .then(|| req.headers().get(REQUEST_ID_HEADER))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map(str::to_string);
    let id = from_proxy.unwrap_or_else(new_request_id);
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(req).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

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
    let seconds = started.elapsed().as_secs_f64();
    crate::metrics::record_request(method.as_str(), &route, status, seconds);
    let ms = seconds * 1000.0;
    if status >= 500 {
        tracing::warn!(%method, %route, status, ms, "request");
    } else {
        tracing::info!(%method, %route, status, ms, "request");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_from_a_proxy_must_be_plain() {
        assert!(acceptable_request_id("3f2a9c-17_x.1"));
        assert!(!acceptable_request_id(""));
        assert!(!acceptable_request_id(&"a".repeat(65)));
        for bad in ["a b", "a\nb", "<script>", "a/b", "é"] {
            assert!(!acceptable_request_id(bad), "{bad}");
        }
        assert_eq!(new_request_id().len(), 16);
        assert!(acceptable_request_id(&new_request_id()));
    }
}
