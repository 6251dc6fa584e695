//! Security measures that do not depend on who is asking: response headers,
//! CSRF tokens, password hashing and the throttling keys of sign-in.

use crate::AppState;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// A CSP without inline script or style, no framing, no referrer leaks.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    if state.config.secure_cookies {
        // Served over TLS: browsers must keep using it.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes); call it on the
/// blocking pool.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt: [u8; 16] = rand::random();
    let hash = Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hash: {e}"))?;
    Ok(hash.to_string())
}

/// Checks a password against a stored hash; call it on the blocking pool.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The throttling key of an account or address, hashed with the
/// installation's pepper so that no address or e-mail is stored.
pub fn throttle_key(pepper: &str, kind: &str, value: &str) -> String {
    integer_store::sha256_hex(&format!("{pepper}\u{1f}{kind}\u{1f}{value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn constant_time_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("", ""));
        assert!(!same_secret("abc", "abcd"));
    }
}

/// Whether `addr` is one of the trusted proxies.
pub fn is_trusted_proxy(trusted: &[ipnet::IpNet], addr: std::net::IpAddr) -> bool {
    trusted.iter().any(|net| net.contains(&addr))
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy;
/// then the rightmost `X-Forwarded-For` entry that is not a trusted proxy
/// (entries left of it were written by the client and may be anything).
/// When every entry is trusted, the leftmost one.
pub fn client_address(
    trusted: &[ipnet::IpNet],
    headers: &axum::http::HeaderMap,
    peer: std::net::IpAddr,
) -> std::net::IpAddr {
    if !is_trusted_proxy(trusted, peer) {
        return peer;
    }
    let mut hops: Vec<std::net::IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return peer;
        };
        for entry in text.split(',') {
            match entry.trim().parse::<std::net::IpAddr>() {
                Ok(ip) => hops.push(ip),
                // Not an address: what lies left of it cannot be trusted, and
                // neither can it; the proxy itself is the best we know.
                Err(_) => hops.clear(),
            }
        }
    }
    let mut client = peer;
    for hop in hops.iter().rev() {
        client = *hop;
        if !is_trusted_proxy(trusted, *hop) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod proxy_tests {
    use super::*;
    use axum::http::HeaderMap;

    fn nets(list: &[&str]) -> Vec<ipnet::IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn xff(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", value.parse().unwrap());
        h
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_address() {
        let trusted = nets(&["10.0.0.0/8", "192.0.2.1/32"]);
        let lb: std::net::IpAddr = "10.0.0.5".parse().unwrap();
        // A spoofed leftmost entry is not believed.
        assert_eq!(
            client_address(&trusted, &xff("6.6.6.6, 203.0.113.9"), lb),
            "203.0.113.9".parse::<std::net::IpAddr>().unwrap()
        );
        // Through two trusted hops.
        assert_eq!(
            client_address(&trusted, &xff("203.0.113.9, 192.0.2.1"), lb),
            "203.0.113.9".parse::<std::net::IpAddr>().unwrap()
        );
        // A peer that is not a proxy: its header is ignored.
        let direct: std::net::IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(client_address(&trusted, &xff("1.2.3.4"), direct), direct);
        // No header, or garbage: the proxy's own address.
        assert_eq!(client_address(&trusted, &HeaderMap::new(), lb), lb);
        assert_eq!(client_address(&trusted, &xff("1.2.3.4, nonsense"), lb), lb);
        // Nothing trusted: always the peer.
        assert_eq!(client_address(&[], &xff("1.2.3.4"), lb), lb);
    }
}
