//! The second factor: time-based one-time passwords (TOTP, RFC 6238) as
//! authenticator apps compute them: HMAC-SHA1, 6 digits, a 30-second step,
//! and one step of clock drift either way. Also the secret (20 random
//! bytes), its base32 form (RFC 4648, no padding) for typing, and the
//! `otpauth://` URI that apps read from a link or QR code.
//!
//! Which roles must use it is decided in [`crate::authz::requires_second_factor`];
//! this module only knows the arithmetic. Replay protection needs the last
//! accepted step, which the caller stores and passes to [`verify`].

use crate::Problem;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Digits in a code.
pub const DIGITS: usize = 6;
/// Seconds per time step (RFC 6238's default, what every app uses).
pub const STEP_SECS: i64 = 30;
/// Steps of clock drift accepted either side of the current one.
pub const DRIFT_STEPS: i64 = 1;
/// Length of a new secret: 160 bits, as RFC 4226 recommends for HMAC-SHA1.
pub const SECRET_BYTES: usize = 20;
/// The issuer shown in the authenticator app.
pub const ISSUER: &str = "Integer";

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A fresh random secret.
pub fn generate_secret() -> Vec<u8> {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    bytes.to_vec()
}

/// Base32 (RFC 4648 alphabet) without padding, upper case.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32_ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32_ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 as people type it: any case, spaces and dashes between
/// blocks, padding optional. `None` for any other character, or for left-
/// over bits that are not zero (a truncated or mistyped value).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.trim_end_matches('=').chars() {
        if c == ' ' || c == '-' {
            continue;
        }
        let upper = c.to_ascii_uppercase();
        let value = BASE32_ALPHABET.iter().position(|&a| a as char == upper)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    if buffer & ((1 << bits) - 1) != 0 {
        return None;
    }
    Some(out)
}

/// The secret in blocks of four characters, for typing it over.
pub fn grouped(base32: &str) -> String {
    base32
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The time step of a moment (Unix seconds).
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The code for a time step (HOTP of RFC 4226 with the step as counter).
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation (RFC 4226 section 5.3).
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", binary % 10u32.pow(DIGITS as u32))
}

/// The code for a moment (Unix seconds).
pub fn code_at(secret: &[u8], unix_secs: i64) -> String {
    code_at_step(secret, step_at(unix_secs))
}

/// Reads a code as typed: spaces are ignored, anything but six digits is a
/// mistake the person is told about.
pub fn parse_code(input: &str) -> Result<String, Problem> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if code.is_empty() {
        return Err(Problem::new("second-factor-error-missing"));
    }
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::new("second-factor-error-format"));
    }
    Ok(code)
}

/// Checks a code against the steps around `unix_secs` and returns the step
/// it belongs to. Steps at or before `last_step` (the last accepted one)
/// are refused: a code works once.
pub fn verify(secret: &[u8], code: &str, unix_secs: i64, last_step: Option<i64>) -> Option<i64> {
    let now = step_at(unix_secs);
    let mut matched = None;
    // All candidate steps are computed, so the time taken does not tell
    // which one matched.
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        let fresh = last_step.is_none_or(|last| step > last);
        if same_code(&code_at_step(secret, step), code) && fresh && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

/// Compares two codes in time independent of where they differ.
fn same_code(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The URI authenticator apps enrol from:
/// `otpauth://totp/Integer:{email}?secret=...&issuer=Integer`.
pub fn otpauth_uri(email: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{ISSUER}:{}?secret={}&issuer={ISSUER}",
        percent_encode(email),
        base32_encode(secret)
    )
}

/// Percent-encodes all but RFC 3986's unreserved characters (and `@`,
/// which apps show as is in the label).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238 appendix B, SHA1 column (8 digits there; the last six are
    /// the 6-digit code).
    #[test]
    fn rfc6238_sha1_vectors() {
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(RFC_SECRET, time), &eight[2..], "time {time}");
        }
    }

    /// RFC 4226 appendix D: HOTP values for counters 0 to 9.
    #[test]
    fn rfc4226_hotp_vectors() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(code_at_step(RFC_SECRET, counter as i64), *code);
        }
    }

    #[test]
    fn base32_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(
            base32_encode(RFC_SECRET),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
    }

    #[test]
    fn base32_round_trips_every_length() {
        for len in 0..=40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let encoded = base32_encode(&bytes);
            assert!(!encoded.contains('='));
            assert_eq!(base32_decode(&encoded).unwrap(), bytes, "length {len}");
            assert_eq!(
                base32_decode(&grouped(&encoded).to_lowercase()).unwrap(),
                bytes
            );
        }
        let secret = generate_secret();
        assert_eq!(secret.len(), SECRET_BYTES);
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn base32_refuses_what_is_not_base32() {
        assert_eq!(base32_decode("MZXW1"), None);
        assert_eq!(base32_decode("MZ!W"), None);
        // Non-zero left-over bits: a mistyped last character.
        assert_eq!(base32_decode("MZ"), None);
        assert_eq!(base32_decode("MY======").unwrap(), b"f");
    }

    #[test]
    fn grouped_in_blocks_of_four() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(grouped(""), "");
    }

    #[test]
    fn verify_accepts_one_step_of_drift_and_refuses_replays() {
        let t = 1_111_111_111;
        let now = step_at(t);
        for drift in [-1, 0, 1] {
            let code = code_at_step(RFC_SECRET, now + drift);
            assert_eq!(verify(RFC_SECRET, &code, t, None), Some(now + drift));
        }
        for drift in [-2, 2] {
            let code = code_at_step(RFC_SECRET, now + drift);
            assert_eq!(verify(RFC_SECRET, &code, t, None), None);
        }
        let code = code_at_step(RFC_SECRET, now);
        assert_eq!(verify(RFC_SECRET, &code, t, Some(now)), None);
        assert_eq!(verify(RFC_SECRET, &code, t, Some(now + 1)), None);
        assert_eq!(verify(RFC_SECRET, &code, t, Some(now - 1)), Some(now));
        assert_eq!(verify(RFC_SECRET, "000000", t, None), None);
    }

    #[test]
    fn codes_are_parsed_as_typed() {
        assert_eq!(parse_code(" 123 456 ").unwrap(), "123456");
        assert_eq!(
            parse_code("").unwrap_err().key,
            "second-factor-error-missing"
        );
        for bad in ["12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(
                parse_code(bad).unwrap_err().key,
                "second-factor-error-format"
            );
        }
    }

    #[test]
    fn otpauth_uri_names_issuer_and_account() {
        assert_eq!(
            otpauth_uri("jan.de+vries@alpha.nl", RFC_SECRET),
            "otpauth://totp/Integer:jan.de%2Bvries@alpha.nl\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Integer"
        );
    }
}
