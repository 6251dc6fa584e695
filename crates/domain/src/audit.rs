//! The audit trail: append-only rows, each holding the hash of the row
//! before it, so that changing, removing or inserting a row breaks the chain
//! at that row. The store writes a row in the same transaction as the change
//! it records; [`ChainVerifier`] checks a sequence of rows.
//!
//! The chain is keyed: a row's hash is an HMAC-SHA256 under the [`AuditKey`],
//! which lives outside the database (a key file beside the installation
//! key). Someone who can write to the database but has not the key cannot
//! recompute the hashes after changing, removing or inserting a row.
//! A [`Checkpoint`] (sequence number, hash, time, and a MAC under the same
//! key), written outside the database, anchors the head so that a cut tail
//! is seen too. Databases from before the key hold a plain SHA-256 chain
//! ([`legacy_row_hash`]), which the store checks and re-keys once.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that the first row points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How the actor proved who they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// A signed-in browser session.
    Session,
    /// A personal API token.
    ApiToken,
    /// The `integer` command line, run by whoever has access to the server.
    Cli,
    /// Someone without an account (a failed sign-in, later: a public report).
    Anonymous,
    /// The system itself (migrations, scheduled jobs).
    System,
}

impl Credential {
    pub fn as_str(self) -> &'static str {
        match self {
            Credential::Session => "session",
            Credential::ApiToken => "api_token",
            Credential::Cli => "cli",
            Credential::Anonymous => "anonymous",
            Credential::System => "system",
        }
    }

    pub fn parse(raw: &str) -> Option<Credential> {
        Some(match raw {
            "session" => Credential::Session,
            "api_token" => Credential::ApiToken,
            "cli" => Credential::Cli,
            "anonymous" => Credential::Anonymous,
            "system" => Credential::System,
            _ => return None,
        })
    }
}

/// What an audit row says, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub org_id: Option<i64>,
    /// `person:<id>`, `cli`, `system` or `anonymous`; never a name.
    pub actor: String,
    pub credential: Credential,
    /// A dotted code such as `person.roles_changed`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// Extra facts as JSON; never report contents or secrets.
    pub detail: String,
}

/// A stored row: the event, its place in the chain and its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    /// Unix time in microseconds.
    pub at: i64,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The key of the audit chain: 32 random bytes, written as 64 hexadecimal
/// characters, kept outside the database. Never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey([redacted])")
    }
}

/// An audit key that is not 64 hexadecimal characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an audit key is 64 hexadecimal characters")]
pub struct BadAuditKey;

impl AuditKey {
    pub fn generate() -> AuditKey {
        AuditKey(rand::random())
    }

    pub fn parse(text: &str) -> Result<AuditKey, BadAuditKey> {
        let bytes = hex::decode(text.trim()).map_err(|_| BadAuditKey)?;
        Ok(AuditKey(bytes.try_into().map_err(|_| BadAuditKey)?))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn mac(&self) -> Hmac<sha2_11::Sha256> {
        <Hmac<sha2_11::Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length")
    }
}

/// Every field of a row, each length-prefixed so that no two different
/// rows serialise alike.
fn row_fields(seq: i64, at: i64, event: &AuditEvent, prev_hash: &str, mut feed: impl FnMut(&[u8])) {
    let org = event.org_id.map(|o| o.to_string()).unwrap_or_default();
    let fields: [&str; 10] = [
        prev_hash,
        &seq.to_string(),
        &at.to_string(),
        &org,
        &event.actor,
        event.credential.as_str(),
        &event.action,
        &event.object_type,
        &event.object_id,
        &event.detail,
    ];
    for field in fields {
        feed(&(field.len() as u64).to_be_bytes());
        feed(field.as_bytes());
    }
}

/// The hash of a row: HMAC-SHA256 under the audit key over the previous
/// hash and every field.
pub fn row_hash(key: &AuditKey, seq: i64, at: i64, event: &AuditEvent, prev_hash: &str) -> String {
    let mut mac = key.mac();
    row_fields(seq, at, event, prev_hash, |b| mac.update(b));
    hex::encode(mac.finalize().into_bytes())
}

/// The hash of a row of a chain from before the audit key: plain SHA-256
/// over the same fields. Only for checking such a chain before it is
/// re-keyed.
pub fn legacy_row_hash(seq: i64, at: i64, event: &AuditEvent, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    row_fields(seq, at, event, prev_hash, |b| h.update(b));
    hex::encode(h.finalize())
}

/// What is wrong with the chain, at the first row where it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The row's contents no longer match its hash.
    Changed { seq: i64 },
    /// One or more rows before this one are missing.
    Removed { after_seq: i64, next_seq: i64 },
    /// A row that was not written by the chain (it does not link to the row
    /// before it).
    Inserted { seq: i64 },
    /// The last rows are missing: the chain head (or the latest checkpoint)
    /// says more were written.
    TailRemoved { last_seq: i64, head_seq: i64 },
    /// The row the checkpoint names has another hash: the history up to it
    /// was rewritten.
    CheckpointMismatch { seq: i64 },
    /// The checkpoint was not made with this audit key.
    ForgedCheckpoint,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Changed { seq } => write!(f, "row {seq} was changed"),
            ChainBreak::Removed {
                after_seq,
                next_seq,
            } => {
                write!(f, "rows between {after_seq} and {next_seq} were removed")
            }
            ChainBreak::Inserted { seq } => write!(f, "row {seq} was inserted"),
            ChainBreak::TailRemoved { last_seq, head_seq } => write!(
                f,
                "rows after {last_seq} were removed (the chain head is at {head_seq})"
            ),
            ChainBreak::CheckpointMismatch { seq } => write!(
                f,
                "row {seq} differs from the checkpoint: the history up to it was rewritten"
            ),
            ChainBreak::ForgedCheckpoint => {
                write!(f, "the checkpoint was not made with this audit key")
            }
        }
    }
}

/// How the rows of a chain are hashed.
#[derive(Debug, Clone)]
pub enum ChainHash {
    /// Keyed (every chain since the audit key).
    Keyed(AuditKey),
    /// Plain SHA-256: a chain from before the audit key, checked once
    /// before it is re-keyed.
    Legacy,
}

impl ChainHash {
    pub fn row_hash(&self, seq: i64, at: i64, event: &AuditEvent, prev_hash: &str) -> String {
        match self {
            ChainHash::Keyed(key) => row_hash(key, seq, at, event, prev_hash),
            ChainHash::Legacy => legacy_row_hash(seq, at, event, prev_hash),
        }
    }
}

/// Streams rows in `seq` order and stops at the first break.
#[derive(Debug)]
pub struct ChainVerifier {
    hash: ChainHash,
    checkpoint: Option<Checkpoint>,
    last_seq: i64,
    last_hash: String,
    pub rows_checked: u64,
}

impl ChainVerifier {
    pub fn new(hash: ChainHash) -> ChainVerifier {
        ChainVerifier {
            hash,
            checkpoint: None,
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            rows_checked: 0,
        }
    }

    /// Also checks the chain against `checkpoint` (made with the audit
    /// key): the row it names must have its hash, and the chain must reach
    /// it.
    pub fn with_checkpoint(mut self, checkpoint: Checkpoint) -> Result<ChainVerifier, ChainBreak> {
        let ChainHash::Keyed(key) = &self.hash else {
            return Err(ChainBreak::ForgedCheckpoint);
        };
        if !checkpoint.is_authentic(key) {
            return Err(ChainBreak::ForgedCheckpoint);
        }
        self.checkpoint = Some(checkpoint);
        Ok(self)
    }

    pub fn check(&mut self, row: &AuditRow) -> Result<(), ChainBreak> {
        if row.seq <= self.last_seq {
            return Err(ChainBreak::Inserted { seq: row.seq });
        }
        let recomputed = self
            .hash
            .row_hash(row.seq, row.at, &row.event, &row.prev_hash);
        if recomputed != row.hash {
            return Err(ChainBreak::Changed { seq: row.seq });
        }
        if row.prev_hash != self.last_hash {
            // A gap in the numbering means rows went missing; no gap means
            // this row was put in (or the row before it was replaced whole).
            return Err(if row.seq > self.last_seq + 1 {
                ChainBreak::Removed {
                    after_seq: self.last_seq,
                    next_seq: row.seq,
                }
            } else {
                ChainBreak::Inserted { seq: row.seq }
            });
        }
        if row.seq != self.last_seq + 1 {
            return Err(ChainBreak::Inserted { seq: row.seq });
        }
        if let Some(cp) = &self.checkpoint
            && cp.seq == row.seq
            && cp.hash != row.hash
        {
            return Err(ChainBreak::CheckpointMismatch { seq: row.seq });
        }
        self.last_seq = row.seq;
        self.last_hash = row.hash.clone();
        self.rows_checked += 1;
        Ok(())
    }

    /// Checks the end of the chain against the head the store keeps and
    /// the checkpoint, if any.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainBreak> {
        if let Some(cp) = &self.checkpoint
            && self.last_seq < cp.seq
        {
            return Err(ChainBreak::TailRemoved {
                last_seq: self.last_seq,
                head_seq: cp.seq,
            });
        }
        if head_seq != self.last_seq || head_hash != self.last_hash {
            return Err(ChainBreak::TailRemoved {
                last_seq: self.last_seq,
                head_seq,
            });
        }
        Ok(())
    }

    /// The hash of the last row checked.
    pub fn last(&self) -> (i64, &str) {
        (self.last_seq, &self.last_hash)
    }
}

/// A checkpoint of the chain's head, written outside the database (a file
/// in an append-only directory, the system log) so that a cut tail or a
/// rewritten history is seen even by someone who could write the database.
/// One line of text: `integer-audit-checkpoint v1 seq=.. hash=.. at=.. mac=..`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// Unix seconds.
    pub at: i64,
    pub mac: String,
}

const CHECKPOINT_PREFIX: &str = "integer-audit-checkpoint v1";

impl Checkpoint {
    pub fn new(key: &AuditKey, seq: i64, hash: &str, at: i64) -> Checkpoint {
        Checkpoint {
            seq,
            hash: hash.to_string(),
            at,
            mac: Self::mac_of(key, seq, hash, at),
        }
    }

    fn mac_of(key: &AuditKey, seq: i64, hash: &str, at: i64) -> String {
        let mut mac = key.mac();
        mac.update(format!("{CHECKPOINT_PREFIX} seq={seq} hash={hash} at={at}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn is_authentic(&self, key: &AuditKey) -> bool {
        let mut mac = key.mac();
        mac.update(
            format!(
                "{CHECKPOINT_PREFIX} seq={} hash={} at={}",
                self.seq, self.hash, self.at
            )
            .as_bytes(),
        );
        hex::decode(&self.mac).is_ok_and(|tag| mac.verify_slice(&tag).is_ok())
    }

    pub fn line(&self) -> String {
        format!(
            "{CHECKPOINT_PREFIX} seq={} hash={} at={} mac={}",
            self.seq, self.hash, self.at, self.mac
        )
    }

    /// Reads a checkpoint line (also inside a longer log line).
    pub fn parse(line: &str) -> Option<Checkpoint> {
        let rest = &line[line.find(CHECKPOINT_PREFIX)? + CHECKPOINT_PREFIX.len()..];
        let mut seq = None;
        let mut hash = None;
        let mut at = None;
        let mut mac = None;
        for part in rest.split_whitespace() {
            match part.split_once('=') {
                Some(("seq", v)) => seq = v.parse().ok(),
                Some(("hash", v)) => hash = Some(v.to_string()),
                Some(("at", v)) => at = v.parse().ok(),
                Some(("mac", v)) => mac = Some(v.to_string()),
                _ => {}
            }
        }
        Some(Checkpoint {
            seq: seq?,
            hash: hash?,
            at: at?,
            mac: mac?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRow> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let event = AuditEvent {
                    org_id: Some(1),
                    actor: format!("person:{seq}"),
                    credential: Credential::Session,
                    action: "person.updated".into(),
                    object_type: "person".into(),
                    object_id: seq.to_string(),
                    detail: "{}".into(),
                };
                let hash = row_hash(&key(), seq, 1000 + seq, &event, &prev);
                let row = AuditRow {
                    seq,
                    at: 1000 + seq,
                    event,
                    prev_hash: prev.clone(),
                    hash,
                };
                prev = row.hash.clone();
                row
            })
            .collect()
    }

    fn key() -> AuditKey {
        AuditKey::parse(&"ab".repeat(32)).unwrap()
    }

    fn verify(rows: &[AuditRow], head: (i64, &str)) -> Result<(), ChainBreak> {
        let mut v = ChainVerifier::new(ChainHash::Keyed(key()));
        for r in rows {
            v.check(r)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(5);
        assert_eq!(verify(&rows, (5, &rows[4].hash)), Ok(()));
    }

    #[test]
    fn changed_removed_inserted_are_named() {
        let rows = chain(5);
        let head = (5, rows[4].hash.clone());

        let mut changed = rows.clone();
        changed[2].event.action = "person.deleted".into();
        assert_eq!(
            verify(&changed, (head.0, &head.1)),
            Err(ChainBreak::Changed { seq: 3 })
        );

        let mut removed = rows.clone();
        removed.remove(1);
        assert_eq!(
            verify(&removed, (head.0, &head.1)),
            Err(ChainBreak::Removed {
                after_seq: 1,
                next_seq: 3
            })
        );

        let mut tail = rows.clone();
        tail.pop();
        assert_eq!(
            verify(&tail, (head.0, &head.1)),
            Err(ChainBreak::TailRemoved {
                last_seq: 4,
                head_seq: 5
            })
        );

        // A forged row that re-hashes itself but cannot link to the chain.
        let mut inserted = rows.clone();
        let mut forged = inserted[2].clone();
        forged.prev_hash = GENESIS_HASH.into();
        forged.hash = row_hash(
            &key(),
            forged.seq,
            forged.at,
            &forged.event,
            &forged.prev_hash,
        );
        inserted[2] = forged;
        assert_eq!(
            verify(&inserted, (head.0, &head.1)),
            Err(ChainBreak::Inserted { seq: 3 })
        );
    }

    /// Someone who changes a row and recomputes the chain without the key
    /// (plain SHA-256, or another key) is seen at that row.
    #[test]
    fn a_rechained_history_without_the_key_is_seen() {
        let rows = chain(5);
        for hash in [ChainHash::Legacy, ChainHash::Keyed(AuditKey::generate())] {
            let mut forged = rows.clone();
            forged[1].event.detail = "{\"changed\":true}".into();
            let mut prev = forged[0].hash.clone();
            for r in forged.iter_mut().skip(1) {
                r.prev_hash = prev.clone();
                r.hash = hash.row_hash(r.seq, r.at, &r.event, &r.prev_hash);
                prev = r.hash.clone();
            }
            assert_eq!(
                verify(&forged, (5, &forged[4].hash)),
                Err(ChainBreak::Changed { seq: 2 })
            );
        }
    }

    #[test]
    fn a_checkpoint_sees_a_cut_tail_and_a_forgery() {
        let rows = chain(5);
        let cp = Checkpoint::new(&key(), 4, &rows[3].hash, 1_700_000_000);
        assert_eq!(
            Checkpoint::parse(&format!("Dec 6 host integer: {}", cp.line())),
            Some(cp.clone())
        );
        let with = |cp: Checkpoint| ChainVerifier::new(ChainHash::Keyed(key())).with_checkpoint(cp);
        // Intact.
        let mut v = with(cp.clone()).unwrap();
        rows.iter().for_each(|r| v.check(r).unwrap());
        assert_eq!(v.finish(5, &rows[4].hash), Ok(()));
        // The last three rows cut and the head set back: the head agrees,
        // the checkpoint does not.
        let mut v = with(cp.clone()).unwrap();
        rows[..2].iter().for_each(|r| v.check(r).unwrap());
        assert_eq!(
            v.finish(2, &rows[1].hash),
            Err(ChainBreak::TailRemoved {
                last_seq: 2,
                head_seq: 4
            })
        );
        // A checkpoint made without the key.
        let mut forged = cp.clone();
        forged.seq = 2;
        assert_eq!(with(forged).err(), Some(ChainBreak::ForgedCheckpoint));
        // The row the checkpoint names was rewritten by someone with the key.
        let mut other = cp;
        other.hash = "00".repeat(32);
        let other = Checkpoint::new(&key(), other.seq, &other.hash, other.at);
        let mut v = with(other).unwrap();
        let broke = rows.iter().try_for_each(|r| v.check(r));
        assert_eq!(broke, Err(ChainBreak::CheckpointMismatch { seq: 4 }));
    }

    #[test]
    fn audit_keys_parse_and_hide() {
        let k = AuditKey::generate();
        assert_eq!(AuditKey::parse(&k.to_hex()).unwrap(), k);
        assert!(AuditKey::parse("xyz").is_err());
        assert!(!format!("{k:?}").contains(&k.to_hex()));
    }
}
