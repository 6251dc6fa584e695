//! The audit trail: append-only rows, each holding the SHA-256 hash of the
//! row before it, so that changing, removing or inserting a row breaks the
//! chain at that row. The store writes a row in the same transaction as the
//! change it records; [`verify_chain`] checks a sequence of rows.

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

/// The hash of a row: SHA-256 over the previous hash and every field, each
/// length-prefixed so that no two different rows serialise alike.
pub fn row_hash(seq: i64, at: i64, event: &AuditEvent, prev_hash: &str) -> String {
    let mut h = Sha256::new();
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
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
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
    /// The last rows are missing: the chain head says more were written.
    TailRemoved { last_seq: i64, head_seq: i64 },
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
        }
    }
}

/// Streams rows in `seq` order and stops at the first break.
#[derive(Debug)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: String,
    pub rows_checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            rows_checked: 0,
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, row: &AuditRow) -> Result<(), ChainBreak> {
        if row.seq <= self.last_seq {
            return Err(ChainBreak::Inserted { seq: row.seq });
        }
        let recomputed = row_hash(row.seq, row.at, &row.event, &row.prev_hash);
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
        self.last_seq = row.seq;
        self.last_hash = row.hash.clone();
        self.rows_checked += 1;
        Ok(())
    }

    /// Checks the end of the chain against the head the store keeps.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainBreak> {
        if head_seq != self.last_seq || head_hash != self.last_hash {
            return Err(ChainBreak::TailRemoved {
                last_seq: self.last_seq,
                head_seq,
            });
        }
        Ok(())
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
                let hash = row_hash(seq, 1000 + seq, &event, &prev);
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

    fn verify(rows: &[AuditRow], head: (i64, &str)) -> Result<(), ChainBreak> {
        let mut v = ChainVerifier::default();
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
        forged.hash = row_hash(forged.seq, forged.at, &forged.event, &forged.prev_hash);
        inserted[2] = forged;
        assert_eq!(
            verify(&inserted, (head.0, &head.1)),
            Err(ChainBreak::Inserted { seq: 3 })
        );
    }
}
