//! Declarations (*meldingen en aanvragen*): what an employee declares or
//! asks permission for, the state it is in, who decides it, and the
//! decisions that move it on. Pure rules; the store keeps them and the web
//! layer shows them.
//!
//! A declaration starts from the policy engine's decision on its answers:
//! - `approval_required`, or `report` with an approver: it waits for that
//!   approver (status `submitted`);
//! - `allowed`, `not_allowed`, or `report` without an approver: it is only
//!   registered (status `registered`).

use crate::Problem;
use crate::org::PersonId;
use crate::policy::{Approver, Verdict};

/// Where a declaration is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waiting for the approver.
    Submitted,
    /// The approver asked the employee for more information.
    InfoRequested,
    Approved,
    ApprovedWithConditions,
    Refused,
    /// Recorded in the register; nobody needs to decide.
    Registered,
    /// Withdrawn by the employee.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Submitted,
        Status::InfoRequested,
        Status::Approved,
        Status::ApprovedWithConditions,
        Status::Refused,
        Status::Registered,
        Status::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::InfoRequested => "info_requested",
            Status::Approved => "approved",
            Status::ApprovedWithConditions => "approved_with_conditions",
            Status::Refused => "refused",
            Status::Registered => "registered",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Waiting for someone to act.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Submitted | Status::InfoRequested)
    }
}

/// What an approver decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Approve,
    ApproveWithConditions,
    Refuse,
    AskInformation,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Approve,
        Outcome::ApproveWithConditions,
        Outcome::Refuse,
        Outcome::AskInformation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Approve => "approve",
            Outcome::ApproveWithConditions => "approve_with_conditions",
            Outcome::Refuse => "refuse",
            Outcome::AskInformation => "ask_information",
        }
    }

    pub fn from_code(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code)
    }

    /// The status a decision leads to.
    pub fn status(self) -> Status {
        match self {
            Outcome::Approve => Status::Approved,
            Outcome::ApproveWithConditions => Status::ApprovedWithConditions,
            Outcome::Refuse => Status::Refused,
            Outcome::AskInformation => Status::InfoRequested,
        }
    }
}

/// What happens to a gift (the approver decides; DOMAIN.md section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiftDestination {
    Keep,
    ShareWithColleagues,
    Raffle,
    HandIn,
    ReturnToGiver,
    Donate,
}

impl GiftDestination {
    pub const ALL: [GiftDestination; 6] = [
        GiftDestination::Keep,
        GiftDestination::ShareWithColleagues,
        GiftDestination::Raffle,
        GiftDestination::HandIn,
        GiftDestination::ReturnToGiver,
        GiftDestination::Donate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GiftDestination::Keep => "keep",
            GiftDestination::ShareWithColleagues => "share_with_colleagues",
            GiftDestination::Raffle => "raffle",
            GiftDestination::HandIn => "hand_in",
            GiftDestination::ReturnToGiver => "return_to_giver",
            GiftDestination::Donate => "donate",
        }
    }

    pub fn from_code(code: &str) -> Option<GiftDestination> {
        GiftDestination::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// The first status, from the engine's verdict and approver.
pub fn initial_status(verdict: Verdict, approver: Option<Approver>) -> Status {
    match (verdict, approver) {
        (Verdict::ApprovalRequired, _) | (Verdict::Report, Some(_)) => Status::Submitted,
        _ => Status::Registered,
    }
}

/// Where a declaration waits: with one manager, or in a role's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Person(PersonId),
    Queue(Approver),
}

/// Routes to the approver the decision names. A manager approver is the
/// declarant's own manager; nobody decides their own declaration, so it
/// goes one level up the `managers` chain (the declarant's manager first).
/// Without a manager in the chain it goes to the director's queue.
pub fn route(approver: Approver, declarant: PersonId, managers: &[PersonId]) -> Route {
    match approver {
        Approver::Manager => managers
            .iter()
            .copied()
            .find(|m| *m != declarant)
            .map(Route::Person)
            .unwrap_or(Route::Queue(Approver::Director)),
        other => Route::Queue(other),
    }
}

/// Checks a decision against the declaration's state and asks for what the
/// decision needs: a reason to refuse or ask, conditions to approve with
/// conditions. Returns the problems keyed by form field.
pub fn check_decision(
    current: Status,
    outcome: Outcome,
    conditions: &str,
    reason: &str,
) -> Vec<(&'static str, Problem)> {
    let mut problems = Vec::new();
    if current != Status::Submitted {
        problems.push(("besluit", Problem::new("decl-error-not-open")));
    }
    match outcome {
        Outcome::ApproveWithConditions if conditions.trim().is_empty() => {
            problems.push(("voorwaarden", Problem::new("decl-error-conditions")));
        }
        Outcome::Refuse | Outcome::AskInformation if reason.trim().is_empty() => {
            problems.push(("toelichting", Problem::new("decl-error-reason")));
        }
        _ => {}
    }
    for (field, text) in [("voorwaarden", conditions), ("toelichting", reason)] {
        if text.chars().count() > 4000 {
            problems.push((
                field,
                Problem::new("error-text-too-long").with("max", "4000"),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_status_follows_the_verdict() {
        assert_eq!(
            initial_status(Verdict::ApprovalRequired, Some(Approver::Manager)),
            Status::Submitted
        );
        assert_eq!(
            initial_status(Verdict::Report, Some(Approver::Manager)),
            Status::Submitted
        );
        assert_eq!(initial_status(Verdict::Report, None), Status::Registered);
        assert_eq!(initial_status(Verdict::Allowed, None), Status::Registered);
        assert_eq!(
            initial_status(Verdict::NotAllowed, None),
            Status::Registered
        );
    }

    #[test]
    fn nobody_decides_their_own_declaration() {
        let (me, boss, big_boss) = (PersonId(1), PersonId(2), PersonId(3));
        assert_eq!(
            route(Approver::Manager, me, &[boss, big_boss]),
            Route::Person(boss)
        );
        // A manager's own declaration goes to their manager.
        assert_eq!(
            route(Approver::Manager, boss, &[big_boss]),
            Route::Person(big_boss)
        );
        // A self-managed record (data error) still goes one up.
        assert_eq!(
            route(Approver::Manager, me, &[me, boss]),
            Route::Person(boss)
        );
        assert_eq!(
            route(Approver::Manager, me, &[]),
            Route::Queue(Approver::Director)
        );
        assert_eq!(
            route(Approver::Board, me, &[boss]),
            Route::Queue(Approver::Board)
        );
    }

    #[test]
    fn decisions_ask_for_what_they_need() {
        assert!(check_decision(Status::Submitted, Outcome::Approve, "", "").is_empty());
        assert_eq!(
            check_decision(Status::Submitted, Outcome::Refuse, "", " ")[0].0,
            "toelichting"
        );
        assert_eq!(
            check_decision(Status::Submitted, Outcome::ApproveWithConditions, "", "")[0].0,
            "voorwaarden"
        );
        assert_eq!(
            check_decision(Status::Approved, Outcome::Approve, "", "")[0].0,
            "besluit"
        );
        for code in [
            "approve",
            "approve_with_conditions",
            "refuse",
            "ask_information",
        ] {
            assert_eq!(Outcome::from_code(code).unwrap().code(), code);
        }
    }
}
