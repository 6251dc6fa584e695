//! Values that come from outside (forms, CSV files, the command line), parsed
//! once at the edge into types that can only hold valid values.

use crate::Problem;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// An e-mail address, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, Problem> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(Problem::new("error-email-missing"));
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(Problem::new("error-email-invalid").with("value", raw.trim()));
        };
        let valid = !local.is_empty()
            && local.len() <= 64
            && value.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && !domain.contains('@')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if valid {
            Ok(Email(value))
        } else {
            Err(Problem::new("error-email-invalid").with("value", raw.trim()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The short name of an organisation in URLs: lower-case letters, digits and
/// hyphens, 2 to 60 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Slug, Problem> {
        let value = raw.trim();
        let ok = (2..=60).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !value.starts_with('-')
            && !value.ends_with('-');
        if ok {
            Ok(Slug(value.to_string()))
        } else {
            Err(Problem::new("error-slug-invalid").with("value", value))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's or unit's name: 1 to 200 characters, no control characters.
pub fn parse_name(raw: &str, missing_key: &'static str) -> Result<String, Problem> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Problem::new(missing_key));
    }
    if value.chars().count() > 200 {
        return Err(Problem::new("error-text-too-long").with("max", "200"));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Problem::new("error-text-control"));
    }
    Ok(value.to_string())
}

/// Optional free text of at most `max` characters; empty becomes `None`.
pub fn parse_optional_text(raw: &str, max: usize) -> Result<Option<String>, Problem> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max {
        return Err(Problem::new("error-text-too-long").with("max", max.to_string()));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Problem::new("error-text-control"));
    }
    Ok(Some(value.to_string()))
}

/// An employee number from the HR system: 1 to 32 letters, digits, `-`, `_`
/// or `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmployeeNumber(String);

impl EmployeeNumber {
    pub fn parse(raw: &str) -> Result<EmployeeNumber, Problem> {
        let value = raw.trim();
        let ok = (1..=32).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if ok {
            Ok(EmployeeNumber(value.to_string()))
        } else {
            Err(Problem::new("error-employee-number-invalid").with("value", value))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Salary scale of the Dutch public sector (CAR-UWO / CAO Provincies): 1 to 18.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SalaryScale(u8);

impl SalaryScale {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 18;

    pub fn parse(raw: &str) -> Result<SalaryScale, Problem> {
        let value = raw.trim();
        match value.parse::<u8>() {
            Ok(n) if (Self::MIN..=Self::MAX).contains(&n) => Ok(SalaryScale(n)),
            _ => Err(Problem::new("error-salary-scale-invalid").with("value", value)),
        }
    }

    pub fn new(n: u8) -> Option<SalaryScale> {
        (Self::MIN..=Self::MAX)
            .contains(&n)
            .then_some(SalaryScale(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A calendar date, accepted as `YYYY-MM-DD` or the Dutch `DD-MM-YYYY`.
pub fn parse_date(raw: &str) -> Result<Date, Problem> {
    let value = raw.trim();
    let b = value.as_bytes();
    let dutch = value.is_ascii() && b.len() == 10 && b[2] == b'-' && b[5] == b'-';
    let parsed = if dutch {
        // DD-MM-YYYY, as Dutch spreadsheets write it.
        format!("{}-{}-{}", &value[6..10], &value[3..5], &value[0..2]).parse::<Date>()
    } else {
        value.parse::<Date>()
    };
    match parsed {
        Ok(date) if date.year() >= 1900 && date.year() <= 2200 => Ok(date),
        _ => Err(Problem::new("error-date-invalid").with("value", value)),
    }
}

/// Yes/no as people write it in a spreadsheet; empty is "no".
pub fn parse_flag(raw: &str) -> Result<bool, Problem> {
    match raw.trim().to_lowercase().as_str() {
        "" | "0" | "nee" | "n" | "no" | "false" | "onwaar" => Ok(false),
        "1" | "ja" | "j" | "yes" | "y" | "true" | "waar" | "x" => Ok(true),
        other => Err(Problem::new("error-flag-invalid").with("value", other)),
    }
}

/// A password chosen by a person (not in demo mode): at least 12 characters.
pub fn check_new_password(raw: &str) -> Result<(), Problem> {
    if raw.chars().count() < 12 {
        return Err(Problem::new("error-password-too-short").with("min", "12"));
    }
    if raw.len() > 1024 {
        return Err(Problem::new("error-text-too-long").with("max", "1024"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Jan@Voorbeeld.NL ").unwrap().as_str(),
            "jan@voorbeeld.nl"
        );
        for bad in [
            "",
            "jan",
            "jan@",
            "@x.nl",
            "jan@nl",
            "jan@x..nl",
            "j an@x.nl",
            "a@b@c.nl",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn dates_in_both_notations() {
        assert_eq!(
            parse_date("2024-03-01").unwrap(),
            parse_date("01-03-2024").unwrap()
        );
        assert!(parse_date("31-02-2024").is_err());
        assert!(parse_date("morgen").is_err());
        assert!(parse_date("1800-01-01").is_err());
        // Never a panic on odd input, and both separators must be hyphens.
        assert!(parse_date("01-aé1234").is_err());
        assert!(parse_date("01-03x2024").is_err());
        assert!(parse_date("é1-03-2024").is_err());
    }

    #[test]
    fn salary_scale_range() {
        assert!(SalaryScale::parse("14").is_ok());
        assert!(SalaryScale::parse("0").is_err());
        assert!(SalaryScale::parse("19").is_err());
        assert!(SalaryScale::parse("-1").is_err());
        assert!(SalaryScale::parse("veertien").is_err());
    }

    #[test]
    fn slugs_and_flags() {
        assert!(Slug::parse("provincie-limburg").is_ok());
        assert!(Slug::parse("Provincie Limburg").is_err());
        assert!(Slug::parse("-x").is_err());
        assert!(parse_flag("Ja").unwrap());
        assert!(!parse_flag("").unwrap());
        assert!(parse_flag("misschien").is_err());
    }
}
