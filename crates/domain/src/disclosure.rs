//! Disclosing a reporter's identity beyond the persons who receive and
//! handle the report.
//!
//! Wbk art. 1a (since 18 February 2023) and directive 2019/1937 art. 16:
//! whoever handles a report does not make the reporter's identity known
//! without the reporter's express, written consent; the only exception is
//! an obligation under the law in an investigation or judicial proceedings
//! (for example a court order), and then the reporter is told beforehand,
//! with the reasons in writing, unless that would endanger the
//! investigation or the proceedings (art. 16 lid 3).
//!
//! Who handles the report is [`crate::case::TeamRole::handles_report`]:
//! the owner, the members and the complaints committee of the case team.
//! Everyone else (an investigator, the director who decides on measures,
//! HR, the police, an external bureau) is "outside", and a request to
//! disclose to them goes through the states below:
//!
//! ```text
//!            consent, asked by a handler
//! request ───────────────────────────────→ asked ──→ consented (the reporter: yes)
//!    │                                       ↑   └─→ refused   (the reporter: no)
//!    └→ pending ──(a handler: ask)───────────┘
//!          ├──(a handler: decline)──→ declined
//!          └──(another handler, basis legal: confirm)──→ legal
//! ```
//!
//! Pure rules and input checks; the store keeps the requests (reasons,
//! recipients and grounds sealed with the case key) and the web layer asks
//! `authz` who may do what.

use crate::Problem;
use crate::case::code_list;

code_list!(
    /// On what ground the identity would be disclosed.
    Basis {
        /// The reporter's express, written consent (Wbk art. 1a lid 1).
        Consent = "consent",
        /// An obligation under the law in an investigation or judicial
        /// proceedings, such as a court order (Wbk art. 1a lid 2;
        /// directive 2019/1937 art. 16 lid 2).
        Legal = "legal",
    }
);

code_list!(
    /// Where a request to disclose the identity stands.
    DisclosureState {
        /// Waiting for a handler's decision (a request from outside the
        /// handling circle, or one on a legal obligation).
        Pending = "pending",
        /// Put to the reporter, who answers in the mailbox.
        Asked = "asked",
        /// A handler did not put it to the reporter.
        Declined = "declined",
        /// The reporter gave their consent in writing: the recipient may
        /// know the identity.
        Consented = "consented",
        /// The reporter refused.
        Refused = "refused",
        /// Disclosed under a legal obligation, confirmed by a second
        /// handler, with its ground.
        Legal = "legal",
        /// Approved by a second person under the rule before this one (no
        /// consent was asked): kept as history, it no longer opens the
        /// identity.
        Lapsed = "lapsed",
    }
);

impl DisclosureState {
    /// Whether the identity may be made known to the recipient.
    pub fn discloses(self) -> bool {
        matches!(self, DisclosureState::Consented | DisclosureState::Legal)
    }

    /// Whether the request still waits for someone.
    pub fn is_open(self) -> bool {
        matches!(self, DisclosureState::Pending | DisclosureState::Asked)
    }
}

code_list!(
    /// A handler's decision on a pending request.
    Decision {
        /// Put the question to the reporter (basis consent).
        Ask = "ask",
        /// Do not disclose and do not ask.
        Decline = "decline",
        /// Confirm the legal obligation (basis legal).
        Confirm = "confirm",
    }
);

/// Form field names, shared by the pages, the API and the error messages.
pub mod field {
    pub const BASIS: &str = "grondslag";
    pub const RECIPIENT: &str = "ontvanger";
    pub const RECIPIENT_MEMBER: &str = "ontvanger_lid";
    pub const REASON: &str = "reden-identiteit";
    pub const GROUND: &str = "grond";
    pub const DECISION: &str = "besluit";
    pub const EXPLANATION: &str = "uitleg";
    pub const WHY_NOT: &str = "niet_vooraf";
    pub const ANSWER: &str = "antwoord";
    pub const NOTE: &str = "toelichting";
}

/// The shortest reason or ground a person must write.
pub const MIN_REASON_CHARS: usize = 10;
/// The longest reason, ground, explanation or note.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The longest description of a recipient.
pub const MAX_RECIPIENT_CHARS: usize = 200;

/// The state a new request starts in. A handler asking for consent puts
/// the question to the reporter at once: the reporter decides, no second
/// person is needed to ask. A request from someone outside the handling
/// circle waits for a handler, and a disclosure without consent (a legal
/// obligation) always waits for a second handler.
pub fn initial_state(basis: Basis, requester_handles: bool) -> DisclosureState {
    match (basis, requester_handles) {
        (Basis::Consent, true) => DisclosureState::Asked,
        _ => DisclosureState::Pending,
    }
}

/// A handler's decision on a request: which state follows, or why not.
/// The store checks that the decider is not the requester.
pub fn decide(
    state: DisclosureState,
    basis: Basis,
    decision: Decision,
) -> Result<DisclosureState, Problem> {
    if state != DisclosureState::Pending {
        return Err(Problem::new("disclosure-error-not-pending"));
    }
    match (basis, decision) {
        (_, Decision::Decline) => Ok(DisclosureState::Declined),
        (Basis::Consent, Decision::Ask) => Ok(DisclosureState::Asked),
        (Basis::Legal, Decision::Confirm) => Ok(DisclosureState::Legal),
        _ => Err(Problem::new("disclosure-error-decision")),
    }
}

/// The reporter's answer to a request put to them.
pub fn answer(state: DisclosureState, consent: bool) -> Result<DisclosureState, Problem> {
    if state != DisclosureState::Asked {
        return Err(Problem::new("disclosure-error-not-asked"));
    }
    Ok(if consent {
        DisclosureState::Consented
    } else {
        DisclosureState::Refused
    })
}

/// A request as written: to whom, why, and (basis legal) the ground.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestText {
    pub recipient: String,
    pub reason: String,
    pub ground: String,
}

fn too_long(text: &str, max: usize) -> bool {
    text.chars().count() > max
}

/// Checks a request: a recipient, a reason of at least 10 characters and,
/// on a legal obligation, its ground (the law, the order, the authority).
pub fn check_request(basis: Basis, t: &RequestText) -> Vec<(&'static str, Problem)> {
    let mut problems = Vec::new();
    let recipient = t.recipient.trim();
    if recipient.is_empty() {
        problems.push((field::RECIPIENT, Problem::new("disclosure-error-recipient")));
    } else if too_long(recipient, MAX_RECIPIENT_CHARS) {
        problems.push((
            field::RECIPIENT,
            Problem::new("error-text-too-long").with("max", MAX_RECIPIENT_CHARS.to_string()),
        ));
    }
    let reason = t.reason.trim();
    if reason.chars().count() < MIN_REASON_CHARS {
        problems.push((field::REASON, Problem::new("case-error-identity-reason")));
    } else if too_long(reason, MAX_TEXT_CHARS) {
        problems.push((
            field::REASON,
            Problem::new("error-text-too-long").with("max", MAX_TEXT_CHARS.to_string()),
        ));
    }
    let ground = t.ground.trim();
    match basis {
        Basis::Legal if ground.chars().count() < MIN_REASON_CHARS => {
            problems.push((field::GROUND, Problem::new("disclosure-error-ground")));
        }
        _ if too_long(ground, MAX_TEXT_CHARS) => problems.push((
            field::GROUND,
            Problem::new("error-text-too-long").with("max", MAX_TEXT_CHARS.to_string()),
        )),
        _ => {}
    }
    problems
}

/// Whether and how the reporter is told of a disclosure under a legal
/// obligation (directive 2019/1937 art. 16 lid 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Informing {
    /// Told beforehand through the mailbox, with this written explanation
    /// of the reasons.
    Beforehand { explanation: String },
    /// Not told beforehand, because that would endanger the investigation
    /// or the proceedings: why.
    NotBeforehand { why: String },
}

/// Reads the informing part of a confirmation: `inform` is the form's
/// choice (`ja`: tell the reporter now; `nee`: not beforehand).
pub fn check_informing(
    inform: &str,
    explanation: &str,
    why_not: &str,
) -> Result<Informing, Vec<(&'static str, Problem)>> {
    let long = |f: &'static str| {
        (
            f,
            Problem::new("error-text-too-long").with("max", MAX_TEXT_CHARS.to_string()),
        )
    };
    match inform {
        "ja" => {
            let e = explanation.trim();
            if e.chars().count() < MIN_REASON_CHARS {
                Err(vec![(
                    field::EXPLANATION,
                    Problem::new("disclosure-error-explanation"),
                )])
            } else if too_long(e, MAX_TEXT_CHARS) {
                Err(vec![long(field::EXPLANATION)])
            } else {
                Ok(Informing::Beforehand {
                    explanation: e.to_string(),
                })
            }
        }
        "nee" => {
            let w = why_not.trim();
            if w.chars().count() < MIN_REASON_CHARS {
                Err(vec![(
                    field::WHY_NOT,
                    Problem::new("disclosure-error-why-not"),
                )])
            } else if too_long(w, MAX_TEXT_CHARS) {
                Err(vec![long(field::WHY_NOT)])
            } else {
                Ok(Informing::NotBeforehand { why: w.to_string() })
            }
        }
        _ => Err(vec![(
            field::EXPLANATION,
            Problem::new("disclosure-error-informing"),
        )]),
    }
}

/// Reads the reporter's answer: `ja` or `nee`, with an optional note.
pub fn check_answer(answer: &str, note: &str) -> Result<bool, Vec<(&'static str, Problem)>> {
    let mut problems = Vec::new();
    let consent = match answer {
        "ja" => Some(true),
        "nee" => Some(false),
        _ => {
            problems.push((field::ANSWER, Problem::new("disclosure-error-answer")));
            None
        }
    };
    if too_long(note.trim(), MAX_TEXT_CHARS) {
        problems.push((
            field::NOTE,
            Problem::new("error-text-too-long").with("max", MAX_TEXT_CHARS.to_string()),
        ));
    }
    match consent {
        Some(c) if problems.is_empty() => Ok(c),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handler_asks_the_reporter_at_once_others_wait_for_a_handler() {
        assert_eq!(initial_state(Basis::Consent, true), DisclosureState::Asked);
        assert_eq!(
            initial_state(Basis::Consent, false),
            DisclosureState::Pending
        );
        // No consent: always a second handler, also when a handler asks.
        assert_eq!(initial_state(Basis::Legal, true), DisclosureState::Pending);
        assert_eq!(initial_state(Basis::Legal, false), DisclosureState::Pending);
    }

    #[test]
    fn decisions_follow_the_basis() {
        use DisclosureState::*;
        assert_eq!(decide(Pending, Basis::Consent, Decision::Ask), Ok(Asked));
        assert_eq!(
            decide(Pending, Basis::Consent, Decision::Decline),
            Ok(Declined)
        );
        assert_eq!(decide(Pending, Basis::Legal, Decision::Confirm), Ok(Legal));
        assert_eq!(
            decide(Pending, Basis::Legal, Decision::Decline),
            Ok(Declined)
        );
        // Consent cannot be replaced by a handler's confirmation, and a
        // legal obligation is not put to the reporter as a question.
        assert_eq!(
            decide(Pending, Basis::Consent, Decision::Confirm)
                .unwrap_err()
                .key,
            "disclosure-error-decision"
        );
        assert_eq!(
            decide(Pending, Basis::Legal, Decision::Ask)
                .unwrap_err()
                .key,
            "disclosure-error-decision"
        );
        for s in [Asked, Declined, Consented, Refused, Legal, Lapsed] {
            assert_eq!(
                decide(s, Basis::Consent, Decision::Ask).unwrap_err().key,
                "disclosure-error-not-pending"
            );
        }
    }

    #[test]
    fn only_the_reporter_s_consent_or_the_law_discloses() {
        use DisclosureState::*;
        assert_eq!(answer(Asked, true), Ok(Consented));
        assert_eq!(answer(Asked, false), Ok(Refused));
        assert!(answer(Pending, true).is_err());
        assert!(answer(Consented, false).is_err());
        let disclosing: Vec<_> = DisclosureState::ALL
            .iter()
            .filter(|s| s.discloses())
            .map(|s| s.code())
            .collect();
        assert_eq!(disclosing, ["consented", "legal"]);
        assert!(!Lapsed.discloses(), "an old approval opens nothing");
    }

    #[test]
    fn requests_say_to_whom_why_and_on_which_ground() {
        let ok = RequestText {
            recipient: "De algemeen directeur".into(),
            reason: "Om de melder als getuige te horen".into(),
            ground: String::new(),
        };
        assert!(check_request(Basis::Consent, &ok).is_empty());
        let keys = |p: Vec<(&'static str, Problem)>| {
            p.into_iter().map(|(f, p)| (f, p.key)).collect::<Vec<_>>()
        };
        assert_eq!(
            keys(check_request(Basis::Legal, &ok)),
            [(field::GROUND, "disclosure-error-ground")]
        );
        assert_eq!(
            keys(check_request(
                Basis::Consent,
                &RequestText {
                    recipient: " ".into(),
                    reason: "kort".into(),
                    ground: String::new()
                }
            )),
            [
                (field::RECIPIENT, "disclosure-error-recipient"),
                (field::REASON, "case-error-identity-reason")
            ]
        );
        let long = RequestText {
            recipient: "x".repeat(MAX_RECIPIENT_CHARS + 1),
            ..ok
        };
        assert_eq!(
            keys(check_request(Basis::Consent, &long)),
            [(field::RECIPIENT, "error-text-too-long")]
        );
    }

    #[test]
    fn the_reporter_is_told_beforehand_or_we_write_down_why_not() {
        assert_eq!(
            check_informing("ja", "Het OM vordert uw naam; wij moeten die geven.", ""),
            Ok(Informing::Beforehand {
                explanation: "Het OM vordert uw naam; wij moeten die geven.".into()
            })
        );
        assert_eq!(
            check_informing("nee", "", " Het strafrechtelijk onderzoek loopt nog. "),
            Ok(Informing::NotBeforehand {
                why: "Het strafrechtelijk onderzoek loopt nog.".into()
            })
        );
        assert_eq!(
            check_informing("ja", "", "").unwrap_err()[0].1.key,
            "disclosure-error-explanation"
        );
        assert_eq!(
            check_informing("nee", "", "kort").unwrap_err()[0].1.key,
            "disclosure-error-why-not"
        );
        assert_eq!(
            check_informing("", "", "").unwrap_err()[0].1.key,
            "disclosure-error-informing"
        );
    }

    #[test]
    fn the_answer_is_yes_or_no() {
        assert_eq!(check_answer("ja", ""), Ok(true));
        assert_eq!(check_answer("nee", "Liever niet"), Ok(false));
        assert_eq!(
            check_answer("misschien", "").unwrap_err()[0].1.key,
            "disclosure-error-answer"
        );
        assert_eq!(
            check_answer("ja", &"x".repeat(MAX_TEXT_CHARS + 1)).unwrap_err()[0]
                .1
                .key,
            "error-text-too-long"
        );
    }
}
