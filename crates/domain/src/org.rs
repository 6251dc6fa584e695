//! Organisations (tenants), their units, people and role memberships.

use crate::Problem;
use serde::{Deserialize, Serialize};

/// Database id of an organisation. Every other record belongs to exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitId(pub i64);

/// The presets Integer ships; an organisation names one (or, later, its own).
pub const BUNDLED_PRESETS: [&str; 4] = [
    "leidschendam-voorburg",
    "maastricht",
    "dalfsen",
    "provincie-limburg",
];

/// A role a person holds in their organisation. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Employee,
    Manager,
    IntegrityOffice,
    Counsellor,
    Hr,
    Director,
    Board,
    Investigator,
    PrivacyOfficer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Employee,
        Role::Manager,
        Role::IntegrityOffice,
        Role::Counsellor,
        Role::Hr,
        Role::Director,
        Role::Board,
        Role::Investigator,
        Role::PrivacyOfficer,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Employee => "employee",
            Role::Manager => "manager",
            Role::IntegrityOffice => "integrity_office",
            Role::Counsellor => "counsellor",
            Role::Hr => "hr",
            Role::Director => "director",
            Role::Board => "board",
            Role::Investigator => "investigator",
            Role::PrivacyOfficer => "privacy_officer",
            Role::Admin => "admin",
        }
    }

    /// Accepts the code (`integrity_office`) and the Dutch word used on screens
    /// and in HR exports (`integriteitsbureau`).
    pub fn parse(raw: &str) -> Result<Role, Problem> {
        let value = raw.trim().to_lowercase().replace(['-', ' '], "_");
        let role = match value.as_str() {
            "employee" | "medewerker" => Role::Employee,
            "manager" | "leidinggevende" => Role::Manager,
            "integrity_office" | "integriteitsbureau" | "meldpunt" => Role::IntegrityOffice,
            "counsellor" | "vertrouwenspersoon" => Role::Counsellor,
            "hr" | "hr_adviseur" => Role::Hr,
            "director" | "directeur" | "directie" => Role::Director,
            "board" | "bestuur" => Role::Board,
            "investigator" | "onderzoeker" => Role::Investigator,
            "privacy_officer" | "fg" | "functionaris_gegevensbescherming" => Role::PrivacyOfficer,
            "admin" | "beheerder" => Role::Admin,
            _ => return Err(Problem::new("error-role-unknown").with("value", raw.trim())),
        };
        Ok(role)
    }

    /// Translation key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Employee => "role-employee",
            Role::Manager => "role-manager",
            Role::IntegrityOffice => "role-integrity_office",
            Role::Counsellor => "role-counsellor",
            Role::Hr => "role-hr",
            Role::Director => "role-director",
            Role::Board => "role-board",
            Role::Investigator => "role-investigator",
            Role::PrivacyOfficer => "role-privacy_officer",
            Role::Admin => "role-admin",
        }
    }
}

/// The set of roles one person holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSet(Vec<Role>);

impl RoleSet {
    pub fn new(mut roles: Vec<Role>) -> Self {
        roles.sort();
        roles.dedup();
        RoleSet(roles)
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How a person works for the organisation. The code of conduct applies to
/// all of them (hired staff, interns and volunteers included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    CivilServant,
    Hired,
    Intern,
    Volunteer,
    Seconded,
    SelfEmployed,
}

impl EmploymentType {
    pub const ALL: [EmploymentType; 6] = [
        EmploymentType::CivilServant,
        EmploymentType::Hired,
        EmploymentType::Intern,
        EmploymentType::Volunteer,
        EmploymentType::Seconded,
        EmploymentType::SelfEmployed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmploymentType::CivilServant => "civil_servant",
            EmploymentType::Hired => "hired",
            EmploymentType::Intern => "intern",
            EmploymentType::Volunteer => "volunteer",
            EmploymentType::Seconded => "seconded",
            EmploymentType::SelfEmployed => "self_employed",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            EmploymentType::CivilServant => "employment-civil_servant",
            EmploymentType::Hired => "employment-hired",
            EmploymentType::Intern => "employment-intern",
            EmploymentType::Volunteer => "employment-volunteer",
            EmploymentType::Seconded => "employment-seconded",
            EmploymentType::SelfEmployed => "employment-self_employed",
        }
    }

    /// Accepts the code and the Dutch words of HR exports; empty means
    /// civil servant (the common case).
    pub fn parse(raw: &str) -> Result<EmploymentType, Problem> {
        let value = raw.trim().to_lowercase().replace(['-', ' '], "_");
        let kind = match value.as_str() {
            "" | "civil_servant" | "ambtenaar" | "medewerker" => EmploymentType::CivilServant,
            "hired" | "inhuur" | "inhuurkracht" | "extern" => EmploymentType::Hired,
            "intern" | "stagiair" | "stagiaire" => EmploymentType::Intern,
            "volunteer" | "vrijwilliger" => EmploymentType::Volunteer,
            "seconded" | "gedetacheerd" | "gedetacheerde" => EmploymentType::Seconded,
            "self_employed" | "zzp" | "zzp'er" | "zzper" => EmploymentType::SelfEmployed,
            _ => {
                return Err(Problem::new("error-employment-type-unknown").with("value", raw.trim()));
            }
        };
        Ok(kind)
    }
}

/// The kind of a unit in the organisation tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Directorate,
    Department,
    Team,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Directorate => "directorate",
            UnitKind::Department => "department",
            UnitKind::Team => "team",
        }
    }

    pub fn parse(raw: &str) -> Result<UnitKind, Problem> {
        match raw.trim().to_lowercase().as_str() {
            "directorate" | "directie" => Ok(UnitKind::Directorate),
            "department" | "afdeling" => Ok(UnitKind::Department),
            "team" => Ok(UnitKind::Team),
            _ => Err(Problem::new("error-unit-kind-unknown").with("value", raw.trim())),
        }
    }

    /// The kind a unit gets from its depth when an import creates it.
    pub fn for_depth(depth: usize) -> UnitKind {
        match depth {
            0 => UnitKind::Directorate,
            1 => UnitKind::Department,
            _ => UnitKind::Team,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            UnitKind::Directorate => "unit-kind-directorate",
            UnitKind::Department => "unit-kind-department",
            UnitKind::Team => "unit-kind-team",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert_eq!(Role::parse("Vertrouwenspersoon").unwrap(), Role::Counsellor);
        assert!(Role::parse("koning").is_err());
    }

    #[test]
    fn employment_codes_round_trip() {
        for kind in EmploymentType::ALL {
            assert_eq!(EmploymentType::parse(kind.as_str()).unwrap(), kind);
        }
        assert_eq!(
            EmploymentType::parse("ZZP").unwrap(),
            EmploymentType::SelfEmployed
        );
        assert!(EmploymentType::parse("piraat").is_err());
    }
}
