//! The reporting point (*Meldpunt*): reports of suspected wrongdoing and
//! complaints about undesirable behaviour, handled as cases.
//!
//! Pure rules: the case states and which step may follow which, what each
//! step asks for, the code lists the annual report counts by, the clocks of
//! the whistleblower act (Wet bescherming klokkenluiders), receipt codes for
//! anonymous reporters and the check of uploaded attachments.

use crate::Problem;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan, tz::TimeZone};

macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use code_list;

code_list!(
    /// A report of suspected wrongdoing, or a complaint about undesirable
    /// behaviour (handled by the complaints committee).
    CaseKind { Report = "report", Complaint = "complaint" }
);

code_list!(
    /// How the report reached the organisation.
    Channel {
        WebPublic = "web_public",
        WebEmployee = "web_employee",
        Phone = "phone",
        Meeting = "meeting",
        Letter = "letter",
        Email = "email",
        Counsellor = "counsellor",
        Manager = "manager",
    }
);

impl Channel {
    /// Channels a staff member may enter a report for.
    pub const STAFF_ENTRY: &'static [Channel] = &[
        Channel::Phone,
        Channel::Meeting,
        Channel::Letter,
        Channel::Email,
        Channel::Counsellor,
        Channel::Manager,
    ];
}

code_list!(
    /// Who may know the reporter: everyone handling the case (named), the
    /// integrity office only (confidential), or nobody (anonymous).
    IdentityMode { Named = "named", Confidential = "confidential", Anonymous = "anonymous" }
);

code_list!(
    /// The category code list (after the BIOS typology). Organisations map
    /// their own categories onto it.
    Category {
        Corruption = "corruption",
        Fraud = "fraud",
        Waste = "waste",
        MisuseOfPowers = "misuse_of_powers",
        UndesirableBehaviour = "undesirable_behaviour",
        IncompatibleFunctions = "incompatible_functions",
        MisuseOfInformation = "misuse_of_information",
        PrivateMisconduct = "private_misconduct",
        Gifts = "gifts",
        Other = "other",
    }
);

code_list!(
    /// The director's decision after an investigation.
    Finding { Proven = "proven", PartlyProven = "partly_proven", NotProven = "not_proven" }
);

code_list!(
    /// Measures after a decision.
    Measure {
        Conversation = "conversation",
        Warning = "warning",
        Disciplinary = "disciplinary",
        Dismissal = "dismissal",
        PoliceReport = "police_report",
        CultureInvestigation = "culture_investigation",
        RiskAnalysis = "risk_analysis",
    }
);

code_list!(
    /// Who is on a case team and as what.
    TeamRole {
        Owner = "owner",
        Member = "member",
        Investigator = "investigator",
        Committee = "committee",
        Decider = "decider",
        Emergency = "emergency",
    }
);

code_list!(
    /// A correction the reporter proposes to the minutes of an oral report
    /// before confirming them (directive 2019/1937 art. 18 lid 2 to 4: the
    /// reporter can check, rectify and agree the minutes; Wbk art. 2 lid 2
    /// sub c). A handler accepts it (and writes the minutes anew) or
    /// answers why not; either way the reporter reads the answer and may
    /// propose again before confirming.
    CorrectionState { Pending = "pending", Accepted = "accepted", Rejected = "rejected" }
);

impl TeamRole {
    /// Whether this place on the team is one of "the persons who receive
    /// and handle the report" (Wbk art. 1a lid 1; directive 2019/1937 art.
    /// 16 lid 1: "the authorised staff members competent to receive or
    /// follow up on reports"): the owner, the members and the complaints
    /// committee. An investigator, the director who decides on measures
    /// and a coordinator who broke the glass are on the team but do not
    /// handle the report: a reporter's identity reaches them only with the
    /// reporter's consent or under a legal obligation.
    pub fn handles_report(self) -> bool {
        matches!(
            self,
            TeamRole::Owner | TeamRole::Member | TeamRole::Committee
        )
    }

    /// Whether a team member in this role can be named as the recipient of
    /// a disclosure: on the team, outside the handling circle, and not there
    /// by emergency access.
    pub fn may_receive_disclosure(self) -> bool {
        !self.handles_report() && self != TeamRole::Emergency
    }
}

code_list!(
    /// The states of a case. `NotPursued` and `Referred` are exits.
    State {
        Received = "received",
        Intake = "intake",
        PreliminaryInquiry = "preliminary_inquiry",
        Investigation = "investigation",
        Decision = "decision",
        Measures = "measures",
        Aftercare = "aftercare",
        Closed = "closed",
        NotPursued = "not_pursued",
        Referred = "referred",
    }
);

impl State {
    /// The steps that may follow this one.
    pub fn next(self) -> &'static [State] {
        use State::*;
        match self {
            Received => &[Intake, NotPursued, Referred],
            Intake => &[PreliminaryInquiry, Investigation, NotPursued, Referred],
            PreliminaryInquiry => &[Investigation, Decision, NotPursued, Referred],
            Investigation => &[Decision, Referred],
            Decision => &[Measures, Aftercare, Closed],
            Measures => &[Aftercare, Closed],
            Aftercare => &[Closed],
            Closed | NotPursued | Referred => &[],
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, State::Closed | State::NotPursued | State::Referred)
    }
}

/// What a person asks for when moving a case on.
#[derive(Debug, Default, Clone)]
pub struct TransitionInput {
    pub reason: String,
    pub finding: Option<Finding>,
    pub measures: Vec<Measure>,
}

/// Who is moving the case on, as far as the rules care.
#[derive(Debug, Clone, Copy)]
pub struct Mover {
    /// Holds the director role and is on the case team.
    pub may_decide: bool,
}

/// Checks a transition; returns the problems per form field.
pub fn check_transition(
    from: State,
    to: State,
    input: &TransitionInput,
    mover: Mover,
) -> Vec<(&'static str, Problem)> {
    let mut problems = Vec::new();
    if !from.next().contains(&to) {
        problems.push(("naar", Problem::new("case-error-transition")));
        return problems;
    }
    match to {
        State::NotPursued | State::Referred if input.reason.trim().is_empty() => {
            problems.push(("reden", Problem::new("case-error-reason")));
        }
        State::Decision => {
            if !mover.may_decide {
                problems.push(("naar", Problem::new("case-error-director")));
            }
            if input.finding.is_none() {
                problems.push(("bevinding", Problem::new("case-error-finding")));
            }
        }
        State::Measures if input.measures.is_empty() => {
            problems.push(("maatregel", Problem::new("case-error-measures")));
        }
        _ => {}
    }
    if input.reason.chars().count() > 4000 {
        problems.push((
            "reden",
            Problem::new("error-text-too-long").with("max", "4000"),
        ));
    }
    problems
}

/// The time zone the law's days are counted in.
pub fn amsterdam() -> TimeZone {
    TimeZone::get("Europe/Amsterdam").expect("the bundled time zone database has Europe/Amsterdam")
}

/// The calendar day (in the Netherlands) of a moment.
pub fn local_date(at: Timestamp) -> Date {
    at.to_zoned_datetime(amsterdam()).date()
}

/// Acknowledgement of receipt is due within 7 days of receipt (Wbk art. 2
/// lid 2, the procedure's acknowledgement of receipt; directive
/// 2019/1937 art. 9 lid 1 sub b): the last day.
pub fn acknowledgement_due(received: Timestamp) -> Date {
    local_date(received)
        .checked_add(7.days())
        .expect("dates stay in range")
}

/// Information on the assessment and follow-up is due within 3 months of
/// the acknowledgement or, when none was sent, of the end of the 7-day
/// period after receipt (directive 2019/1937 art. 9 lid 1 sub f, which Wbk
/// art. 2 lid 2 implements). So the clock runs from the day of receipt
/// onwards whether or not anyone acknowledged: it starts at the
/// acknowledgement, and at the latest when the acknowledgement was due.
/// A late acknowledgement gives the organisation no more time than none
/// at all would have. Month ends clamp: 30 November plus three months is
/// 28 February.
pub fn feedback_due(received: Timestamp, acknowledged: Option<Timestamp>) -> Date {
    let latest_start = acknowledgement_due(received);
    let start = acknowledged
        .map(local_date)
        .map_or(latest_start, |ack| ack.min(latest_start));
    start.checked_add(3.months()).expect("dates stay in range")
}

/// Where a clock stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// No due day known (a clock that does not apply to the case).
    NotStarted,
    /// Done on the given day; `late` when after the due day.
    Met { on: Date, due: Date, late: bool },
    /// Running; due on the given day.
    Running { due: Date, days_left: i64 },
    /// Past its due day and not done.
    Overdue { due: Date, days_over: i64 },
}

impl Clock {
    pub fn compute(due: Option<Date>, done: Option<Timestamp>, today: Date) -> Clock {
        let Some(due) = due else {
            return Clock::NotStarted;
        };
        match done {
            Some(at) => {
                let on = local_date(at);
                Clock::Met {
                    on,
                    due,
                    late: on > due,
                }
            }
            None if today > due => Clock::Overdue {
                due,
                days_over: days_between(due, today),
            },
            None => Clock::Running {
                due,
                days_left: days_between(today, due),
            },
        }
    }

    pub fn is_overdue(&self) -> bool {
        matches!(self, Clock::Overdue { .. })
    }

    /// Running and due within `days` days (this week: 7).
    pub fn due_within(&self, days: i64) -> bool {
        matches!(self, Clock::Running { days_left, .. } if *days_left <= days)
    }
}

fn days_between(from: Date, to: Date) -> i64 {
    (to - from).get_days() as i64
}

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or
/// copied by hand survives.
const RECEIPT_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 20 symbols of 5 bits: 100 bits of entropy.
const RECEIPT_SYMBOLS: usize = 20;

/// A new receipt code, `XXXX-XXXX-XXXX-XXXX-XXXX`.
pub fn new_receipt_code() -> String {
    let bytes: [u8; RECEIPT_SYMBOLS] = rand::random();
    let mut out = String::with_capacity(RECEIPT_SYMBOLS + 4);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(RECEIPT_ALPHABET[(*b & 31) as usize] as char);
    }
    out
}

/// The canonical form of a typed receipt code (case, spaces and dashes
/// ignored; O read as 0, I and L as 1), or `None` when it cannot be one.
pub fn normalize_receipt_code(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(RECEIPT_SYMBOLS);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\t' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !RECEIPT_ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        out.push(c);
    }
    (out.len() == RECEIPT_SYMBOLS).then_some(out)
}

/// The largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// The most attachments per upload.
pub const MAX_ATTACHMENTS: usize = 5;
/// The longest report or message text.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Checks an uploaded file: its content must be of a type we accept and
/// match its name's extension, so that a program named `foto.jpg` is
/// refused. Returns the content type to store.
pub fn check_attachment(name: &str, bytes: &[u8]) -> Result<&'static str, Problem> {
    if bytes.is_empty() {
        return Err(Problem::new("case-error-file-empty").with("name", name));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Problem::new("case-error-file-size")
            .with("name", name)
            .with("max", (MAX_ATTACHMENT_BYTES / 1024 / 1024).to_string()));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let sniffed: Option<(&'static str, &'static [&'static str])> = if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", &["pdf"]))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", &["png"]))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", &["jpg", "jpeg"]))
    } else if bytes.starts_with(b"PK\x03\x04") {
        // Office documents are ZIP files; the extension says which.
        match ext.as_str() {
            "docx" => Some((
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                &["docx"],
            )),
            "xlsx" => Some((
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &["xlsx"],
            )),
            "odt" => Some(("application/vnd.oasis.opendocument.text", &["odt"])),
            "ods" => Some(("application/vnd.oasis.opendocument.spreadsheet", &["ods"])),
            _ => None,
        }
    } else if std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) {
        Some(("text/plain; charset=utf-8", &["txt", "csv", "eml"]))
    } else {
        None
    };
    match sniffed {
        Some((mime, exts)) if exts.contains(&ext.as_str()) => Ok(mime),
        _ => Err(Problem::new("case-error-file-type").with("name", name)),
    }
}

/// A file name safe to show and to offer for download: no path, no control
/// characters, at most 120 characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    if cleaned.trim().is_empty() {
        "bijlage".to_string()
    } else {
        cleaned
    }
}

/// Checks the text of a report or message.
pub fn check_text(field: &'static str, text: &str, required: bool) -> Vec<(&'static str, Problem)> {
    let mut problems = Vec::new();
    if required && text.trim().is_empty() {
        problems.push((field, Problem::new("case-error-text-required")));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        problems.push((
            field,
            Problem::new("error-text-too-long").with("max", MAX_TEXT_CHARS.to_string()),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn acknowledgement_counts_dutch_days_across_daylight_saving() {
        // 30 minutes past midnight in Amsterdam on 29 March 2026 is still
        // 28 March in UTC; the day of receipt is the Dutch one.
        assert_eq!(
            acknowledgement_due(at("2026-03-28T23:30:00Z")),
            date(2026, 4, 5)
        );
        // The night summer time ends (25 October 2026).
        assert_eq!(
            acknowledgement_due(at("2026-10-24T22:30:00Z")),
            date(2026, 11, 1)
        );
        assert_eq!(
            acknowledgement_due(at("2026-10-25T01:30:00Z")),
            date(2026, 11, 1)
        );
        // Across a month and a year end.
        assert_eq!(
            acknowledgement_due(at("2026-12-28T10:00:00Z")),
            date(2027, 1, 4)
        );
    }

    #[test]
    fn feedback_is_three_months_after_acknowledgement_clamped_at_month_ends() {
        // Acknowledged within the 7 days: three months from that day.
        let received = at("2026-11-25T09:00:00Z");
        let ack = |s| feedback_due(received, Some(at(s)));
        assert_eq!(ack("2026-11-30T12:00:00Z"), date(2027, 2, 28));
        assert_eq!(ack("2026-11-26T12:00:00Z"), date(2027, 2, 26));
        assert_eq!(
            feedback_due(at("2027-11-28T09:00:00Z"), Some(at("2027-11-30T12:00:00Z"))),
            date(2028, 2, 29)
        );
        assert_eq!(
            feedback_due(at("2026-01-30T09:00:00Z"), Some(at("2026-01-31T12:00:00Z"))),
            date(2026, 4, 30)
        );
        assert_eq!(
            feedback_due(at("2026-03-15T09:00:00Z"), Some(at("2026-03-15T12:00:00Z"))),
            date(2026, 6, 15)
        );
    }

    #[test]
    fn feedback_clock_runs_from_the_end_of_the_seven_days_without_acknowledgement() {
        // Directive 2019/1937 art. 9(1)(f): no acknowledgement sent, so
        // three months from the end of the 7-day period.
        assert_eq!(
            feedback_due(at("2026-04-01T10:00:00Z"), None),
            date(2026, 7, 8)
        );
        // Received on 23 November: the 7 days end on 30 November, and
        // three months later is 28 February (29 in a leap year).
        assert_eq!(
            feedback_due(at("2026-11-23T10:00:00Z"), None),
            date(2027, 2, 28)
        );
        assert_eq!(
            feedback_due(at("2027-11-23T10:00:00Z"), None),
            date(2028, 2, 29)
        );
        // The Dutch day of receipt counts: 00:30 on Sunday 29 March 2026 in
        // Amsterdam is still Saturday in UTC.
        assert_eq!(
            feedback_due(at("2026-03-28T23:30:00Z"), None),
            date(2026, 7, 5)
        );
        // A late acknowledgement does not move the clock past the day it
        // would have had without one.
        assert_eq!(
            feedback_due(at("2026-04-01T10:00:00Z"), Some(at("2026-04-20T10:00:00Z"))),
            date(2026, 7, 8)
        );
        // An acknowledgement on the last day counts from that day, the
        // same as none.
        assert_eq!(
            feedback_due(at("2026-04-01T10:00:00Z"), Some(at("2026-04-08T21:00:00Z"))),
            date(2026, 7, 8)
        );
    }

    #[test]
    fn only_owner_members_and_committee_handle_the_report() {
        let handling: Vec<_> = TeamRole::ALL
            .iter()
            .filter(|r| r.handles_report())
            .map(|r| r.code())
            .collect();
        assert_eq!(handling, ["owner", "member", "committee"]);
    }

    #[test]
    fn clocks_run_meet_and_overdue() {
        let due = date(2026, 4, 5);
        assert_eq!(
            Clock::compute(Some(due), None, date(2026, 4, 1)),
            Clock::Running { due, days_left: 4 }
        );
        assert!(Clock::compute(Some(due), None, date(2026, 4, 1)).due_within(7));
        assert!(!Clock::compute(Some(due), None, date(2026, 4, 5)).is_overdue());
        assert_eq!(
            Clock::compute(Some(due), None, date(2026, 4, 7)),
            Clock::Overdue { due, days_over: 2 }
        );
        assert_eq!(
            Clock::compute(
                Some(due),
                Some(at("2026-04-06T08:00:00Z")),
                date(2026, 5, 1)
            ),
            Clock::Met {
                on: date(2026, 4, 6),
                due,
                late: true
            }
        );
        assert_eq!(
            Clock::compute(None, None, date(2026, 4, 1)),
            Clock::NotStarted
        );
    }

    #[test]
    fn transitions_ask_what_they_need() {
        let mover = Mover { may_decide: false };
        let none = TransitionInput::default();
        assert!(check_transition(State::Received, State::Intake, &none, mover).is_empty());
        assert_eq!(
            check_transition(State::Received, State::Closed, &none, mover)[0]
                .1
                .key,
            "case-error-transition"
        );
        assert_eq!(
            check_transition(State::Intake, State::NotPursued, &none, mover)[0]
                .1
                .key,
            "case-error-reason"
        );
        let keys: Vec<_> = check_transition(State::Investigation, State::Decision, &none, mover)
            .into_iter()
            .map(|(_, p)| p.key)
            .collect();
        assert_eq!(keys, ["case-error-director", "case-error-finding"]);
        let decided = TransitionInput {
            finding: Some(Finding::PartlyProven),
            ..Default::default()
        };
        assert!(
            check_transition(
                State::Investigation,
                State::Decision,
                &decided,
                Mover { may_decide: true }
            )
            .is_empty()
        );
        assert_eq!(
            check_transition(State::Decision, State::Measures, &none, mover)[0]
                .1
                .key,
            "case-error-measures"
        );
        for s in State::ALL {
            if s.is_final() {
                assert!(s.next().is_empty());
            }
        }
    }

    #[test]
    fn receipt_codes_have_100_bits_and_survive_retyping() {
        let code = new_receipt_code();
        assert_eq!(code.len(), 24);
        let canonical = normalize_receipt_code(&code).unwrap();
        assert_eq!(canonical.len(), 20);
        let retyped = code.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(normalize_receipt_code(&retyped).unwrap(), canonical);
        assert_ne!(new_receipt_code(), code);
        assert_eq!(normalize_receipt_code("ABC"), None);
        assert_eq!(normalize_receipt_code("UUUU-UUUU-UUUU-UUUU-UUUU"), None);
        assert_eq!(normalize_receipt_code(&"é".repeat(20)), None);
    }

    #[test]
    fn disguised_and_oversize_attachments_are_refused() {
        assert_eq!(
            check_attachment("a.pdf", b"%PDF-1.7 ...").unwrap(),
            "application/pdf"
        );
        assert!(check_attachment("foto.jpg", b"MZ\x90\x00\x03\x00\x00\x00").is_err());
        assert!(check_attachment("brief.pdf", b"\x89PNG\r\n\x1a\n....").is_err());
        assert!(check_attachment("notitie.txt", "gewone tekst".as_bytes()).is_ok());
        assert!(check_attachment("script.html", b"<script>alert(1)</script>").is_err());
        assert!(check_attachment("x.exe", b"PK\x03\x04zip").is_err());
        assert!(check_attachment("leeg.txt", b"").is_err());
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        assert_eq!(
            check_attachment("groot.txt", &big).unwrap_err().key,
            "case-error-file-size"
        );
        assert_eq!(
            clean_file_name("C:\\temp\\..\\\"rapport\".pdf"),
            "rapport.pdf"
        );
        assert_eq!(clean_file_name("../../"), "bijlage");
    }
}
