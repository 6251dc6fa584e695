//! Encryption at rest for the reporting point.
//!
//! Two levels of keys:
//! - the **installation key** (32 bytes) lives outside the database (a key
//!   file or the environment); it only wraps case keys;
//! - every case has its own random **case key**, stored wrapped by the
//!   installation key. Report text, messages, notes, the reporter's identity
//!   and attachments are sealed with the case key.
//!
//! The cipher is XChaCha20-Poly1305 with a random 192-bit nonce per value.
//! The associated data binds each value to its case and field, so a value
//! copied into another case or another column does not decrypt. Destroying a
//! case key makes all of the case's values unreadable (crypto-shredding).
//!
//! Sealed layout: `[format version = 1] [nonce: 24 bytes] [ciphertext+tag]`.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

const FORMAT: u8 = 1;
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the installation key must be 32 bytes, written as 64 hexadecimal characters")]
    BadKey,
    #[error(
        "this case key was wrapped with installation key {found}, but the configured key is {configured}"
    )]
    WrongKey { found: String, configured: String },
    #[error("a sealed value could not be opened (wrong key, wrong case or field, or damaged)")]
    Open,
}

/// The installation key. Never stored in the database; its version (a
/// fingerprint) is stored beside every wrapped case key.
#[derive(Clone)]
pub struct InstallationKey {
    key: [u8; 32],
}

impl std::fmt::Debug for InstallationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InstallationKey({})", self.version())
    }
}

impl InstallationKey {
    pub fn generate() -> InstallationKey {
        InstallationKey {
            key: rand::random(),
        }
    }

    pub fn from_bytes(key: [u8; 32]) -> InstallationKey {
        InstallationKey { key }
    }

    /// Parses the key as written in a key file or the environment: 64
    /// hexadecimal characters (surrounding white space is ignored).
    pub fn parse(text: &str) -> Result<InstallationKey, CryptoError> {
        let bytes = hex::decode(text.trim()).map_err(|_| CryptoError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(InstallationKey { key })
    }

    /// The text to write into a key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.key)
    }

    /// A short fingerprint that names this key without revealing it.
    pub fn version(&self) -> String {
        let digest = Sha256::digest([b"integer-key-version:".as_slice(), &self.key].concat());
        hex::encode(&digest[..4])
    }

    /// A keyed hash (for lookups that must not reveal what they stand for,
    /// such as "this case names person 42").
    pub fn tag(&self, purpose: &str, value: &str) -> String {
        // HMAC-like construction over SHA-256 with a derived sub-key; the
        // key never equals the input, so length extension does not apply to
        // how it is used (equality lookups of fixed-form inputs).
        let sub = Sha256::digest([b"integer-tag:".as_slice(), &self.key].concat());
        let mut inner = Sha256::new();
        inner.update(sub);
        inner.update(purpose.as_bytes());
        inner.update([0u8]);
        inner.update(value.as_bytes());
        let first = inner.finalize();
        let outer = Sha256::digest([&sub[..], &first[..]].concat());
        hex::encode(&outer[..16])
    }

    /// A key check value: a known text sealed with this key, stored in the
    /// database so that a server started with another key (a wrong, old or
    /// newly created one) refuses to start instead of accepting reports it
    /// could never open again. It reveals nothing about the key.
    pub fn check_value(&self) -> String {
        hex::encode(seal_with(&self.key, KEY_CHECK_AAD, KEY_CHECK_TEXT))
    }

    /// Whether `stored` (from [`InstallationKey::check_value`]) was made
    /// with this key.
    pub fn matches_check(&self, stored: &str) -> bool {
        hex::decode(stored.trim())
            .ok()
            .and_then(|sealed| open_with(&self.key, KEY_CHECK_AAD, &sealed).ok())
            .is_some_and(|plain| plain == KEY_CHECK_TEXT)
    }

    /// Wraps a case key for storage.
    pub fn wrap(&self, case_id: i64, case_key: &CaseKey) -> Vec<u8> {
        seal_with(&self.key, &wrap_aad(case_id), &case_key.key)
    }

    /// Unwraps a stored case key; `version` is what was stored beside it.
    pub fn unwrap(
        &self,
        case_id: i64,
        version: &str,
        wrapped: &[u8],
    ) -> Result<CaseKey, CryptoError> {
        if version != self.version() {
            return Err(CryptoError::WrongKey {
                found: version.to_string(),
                configured: self.version(),
            });
        }
        let bytes = open_with(&self.key, &wrap_aad(case_id), wrapped)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Open)?;
        Ok(CaseKey { key })
    }
}

const KEY_CHECK_AAD: &[u8] = b"integer:key-check";
const KEY_CHECK_TEXT: &[u8] = b"integer installation key check v1";

fn wrap_aad(case_id: i64) -> Vec<u8> {
    format!("integer:case-key:{case_id}").into_bytes()
}

/// A case's data key. Lives in memory only while a request handles the case.
pub struct CaseKey {
    key: [u8; 32],
}

impl CaseKey {
    pub fn generate() -> CaseKey {
        CaseKey {
            key: rand::random(),
        }
    }

    /// Seals `plain` as field `field` of case `case_id`.
    pub fn seal(&self, case_id: i64, field: &str, plain: &[u8]) -> Vec<u8> {
        seal_with(&self.key, &field_aad(case_id, field), plain)
    }

    pub fn seal_str(&self, case_id: i64, field: &str, plain: &str) -> Vec<u8> {
        self.seal(case_id, field, plain.as_bytes())
    }

    pub fn open(&self, case_id: i64, field: &str, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        open_with(&self.key, &field_aad(case_id, field), sealed)
    }

    pub fn open_str(
        &self,
        case_id: i64,
        field: &str,
        sealed: &[u8],
    ) -> Result<String, CryptoError> {
        String::from_utf8(self.open(case_id, field, sealed)?).map_err(|_| CryptoError::Open)
    }
}

fn field_aad(case_id: i64, field: &str) -> Vec<u8> {
    format!("integer:case:{case_id}:{field}").into_bytes()
}

fn seal_with(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce_bytes: [u8; NONCE_LEN] = rand::random();
    let nonce = XNonce::from(nonce_bytes);
    let sealed = cipher
        .encrypt(&nonce, Payload { msg: plain, aad })
        .expect("encryption of an in-memory buffer does not fail");
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(FORMAT);
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&sealed);
    out
}

fn open_with(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != FORMAT {
        return Err(CryptoError::Open);
    }
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce_bytes: [u8; NONCE_LEN] = sealed[1..1 + NONCE_LEN].try_into().expect("length checked");
    let nonce = XNonce::from(nonce_bytes);
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed[1 + NONCE_LEN..],
                aad,
            },
        )
        .map_err(|_| CryptoError::Open)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_check_value_names_its_key_only() {
        let key = InstallationKey::generate();
        let check = key.check_value();
        assert!(key.matches_check(&check));
        assert!(!InstallationKey::generate().matches_check(&check));
        assert!(!key.matches_check("not hex"));
        assert!(!key.matches_check(""));
        // Sealed with a fresh nonce each time, and never the key itself.
        assert_ne!(check, key.check_value());
        assert!(!check.contains(&key.to_hex()));
    }

    #[test]
    fn values_round_trip_and_are_bound_to_case_and_field() {
        let install = InstallationKey::generate();
        let key = CaseKey::generate();
        let sealed = key.seal_str(7, "body", "de wethouder kreeg een auto");
        assert!(!sealed.windows(9).any(|w| w == b"wethouder"));
        assert_eq!(
            key.open_str(7, "body", &sealed).unwrap(),
            "de wethouder kreeg een auto"
        );
        assert_eq!(key.open_str(8, "body", &sealed), Err(CryptoError::Open));
        assert_eq!(key.open_str(7, "title", &sealed), Err(CryptoError::Open));
        // Two seals of the same text differ (random nonce).
        assert_ne!(
            sealed,
            key.seal_str(7, "body", "de wethouder kreeg een auto")
        );
        // Wrapping: the same key comes back only for the same case and key.
        let wrapped = install.wrap(7, &key);
        let back = install.unwrap(7, &install.version(), &wrapped).unwrap();
        assert_eq!(
            back.open_str(7, "body", &sealed).unwrap(),
            "de wethouder kreeg een auto"
        );
        assert!(install.unwrap(8, &install.version(), &wrapped).is_err());
        let other = InstallationKey::generate();
        assert!(matches!(
            other.unwrap(7, &install.version(), &wrapped),
            Err(CryptoError::WrongKey { .. })
        ));
    }

    #[test]
    fn damaged_values_do_not_open() {
        let key = CaseKey::generate();
        let mut sealed = key.seal_str(1, "body", "tekst");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(key.open(1, "body", &sealed), Err(CryptoError::Open));
        assert_eq!(key.open(1, "body", &[1, 2, 3]), Err(CryptoError::Open));
    }

    #[test]
    fn keys_parse_from_hex_and_tags_are_stable() {
        let k = InstallationKey::generate();
        let again = InstallationKey::parse(&format!("  {}\n", k.to_hex())).unwrap();
        assert_eq!(k.version(), again.version());
        assert_eq!(k.tag("named", "1:42"), again.tag("named", "1:42"));
        assert_ne!(k.tag("named", "1:42"), k.tag("named", "1:43"));
        assert_ne!(k.tag("named", "1:42"), k.tag("reporter", "1:42"));
        assert_eq!(
            InstallationKey::parse("abc").unwrap_err(),
            CryptoError::BadKey
        );
    }
}
