//! The closed vocabularies of the policy language: kinds of declaration,
//! verdicts, approvers, obligation codes, roles. Each value has one stable
//! snake_case code used in the TOML presets and in the JSON contract.

use std::fmt;

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in presets and JSON.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a code; `None` when it is not one of [`Self::ALL`].
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// All codes joined for error messages ("a, b, c").
            pub fn codes() -> String {
                Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum! {
    /// What an employee declares or asks about.
    Kind {
        Gift = "gift",
        Invitation = "invitation",
        Trip = "trip",
        Facility = "facility",
        SideActivity = "side_activity",
        FinancialInterest = "financial_interest",
        PrivateRelationship = "private_relationship",
        PrivateUse = "private_use",
        Expense = "expense",
        HireFormerEmployee = "hire_former_employee",
        /// A (suspected) breach of personal data (*datalek*): a
        /// notification, never a request (AVG art. 33).
        DataLeak = "data_leak",
        /// Using or passing on information one has from one's function:
        /// purpose, confidentiality (also after leaving), information and
        /// help to council members or members of the Provinciale Staten.
        Information = "information",
        /// Software and content on the employer's equipment: illegal
        /// software, offensive texts and images.
        SoftwareContent = "software_content",
    }
}

code_enum! {
    /// The outcome of a decision. The order is from most to least permissive,
    /// so `max` over verdicts gives the strictest.
    Verdict {
        /// Nothing further needed.
        Allowed = "allowed",
        /// Allowed, but it must be reported or registered.
        Report = "report",
        /// Only with the approver's prior consent.
        ApprovalRequired = "approval_required",
        NotAllowed = "not_allowed",
    }
}

code_enum! {
    /// Who approves, receives the report, or decides what happens next.
    Approver {
        Manager = "manager",
        Director = "director",
        Board = "board",
        IntegrityOffice = "integrity_office",
    }
}

code_enum! {
    /// What the employee (or the approver) must do after the verdict.
    /// docs/POLICY.md documents each code.
    Obligation {
        ReportToManager = "report_to_manager",
        ReportToBoard = "report_to_board",
        Register = "register",
        HandIn = "hand_in",
        ShareWithColleagues = "share_with_colleagues",
        ReturnToGiver = "return_to_giver",
        DonateToOrganisation = "donate_to_organisation",
        OrganisationPays = "organisation_pays",
        WrittenPermission = "written_permission",
        WrittenAgreement = "written_agreement",
        Publish = "publish",
        Recuse = "recuse",
        ConsultInDoubt = "consult_in_doubt",
        ConsultDirector = "consult_director",
        /// Data leak: report at once, the 72 hours run from discovery.
        ReportImmediately = "report_immediately",
        /// Data leak: stop it and limit the damage where you can.
        LimitDamage = "limit_damage",
        /// Data leak: the organisation notifies the Autoriteit
        /// Persoonsgegevens within 72 hours unless there is no risk.
        NotifyAuthority = "notify_authority",
        /// Data leak: the organisation informs the people concerned when
        /// the risk to them is high (AVG art. 34).
        InformDataSubjects = "inform_data_subjects",
    }
}

code_enum! {
    /// How strongly accepting something looks like corruption.
    Appearance {
        None = "none",
        Minimal = "minimal",
        Present = "present",
    }
}

code_enum! {
    /// People and bodies named in a preset's reporting section.
    Role {
        Colleagues = "colleagues",
        Manager = "manager",
        Director = "director",
        Board = "board",
        IntegrityOffice = "integrity_office",
        ConfidentialCounsellor = "confidential_counsellor",
    }
}
