//! The people import: a CSV export of the HR system, parsed and checked line
//! by line. This module is pure; the store applies the result in one
//! transaction. Columns are documented in docs/IMPORT.md.

use crate::Problem;
use crate::org::{EmploymentType, Role};
use crate::values::{
    Email, EmployeeNumber, SalaryScale, parse_date, parse_flag, parse_name, parse_optional_text,
};
use jiff::civil::Date;
use std::collections::HashMap;

/// One column of the import file: its code and the header names accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    EmployeeNumber,
    Email,
    Name,
    FunctionTitle,
    SalaryScale,
    EmploymentType,
    Unit,
    Manager,
    StartDate,
    EndDate,
    TopOfficial,
    DesignatedFunction,
    Roles,
}

impl Column {
    pub const ALL: [Column; 13] = [
        Column::EmployeeNumber,
        Column::Email,
        Column::Name,
        Column::FunctionTitle,
        Column::SalaryScale,
        Column::EmploymentType,
        Column::Unit,
        Column::Manager,
        Column::StartDate,
        Column::EndDate,
        Column::TopOfficial,
        Column::DesignatedFunction,
        Column::Roles,
    ];

    /// The canonical header name (English, as in docs/IMPORT.md).
    pub fn code(self) -> &'static str {
        self.aliases()[0]
    }

    /// Header names accepted for this column: the code first, then Dutch.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::EmployeeNumber => &["employee_number", "personeelsnummer"],
            Column::Email => &["email", "e-mail", "e_mail", "emailadres", "e-mailadres"],
            Column::Name => &["name", "naam"],
            Column::FunctionTitle => &["function_title", "functie"],
            Column::SalaryScale => &["salary_scale", "schaal", "salarisschaal"],
            Column::EmploymentType => &["employment_type", "dienstverband"],
            Column::Unit => &["unit", "eenheid", "afdeling"],
            Column::Manager => &["manager", "leidinggevende"],
            Column::StartDate => &["start_date", "startdatum", "datum_in_dienst"],
            Column::EndDate => &["end_date", "einddatum", "datum_uit_dienst"],
            Column::TopOfficial => &["top_official", "topfunctionaris"],
            Column::DesignatedFunction => &["designated_function", "aangewezen_functie"],
            Column::Roles => &["roles", "rollen"],
        }
    }

    fn from_header(header: &str) -> Option<Column> {
        let h = header.trim().to_lowercase().replace(' ', "_");
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&h.as_str()))
    }
}

/// How a line names its manager: by employee number, or by e-mail address
/// (a value with an `@`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ManagerRef {
    EmployeeNumber(EmployeeNumber),
    Email(Email),
}

/// One valid line of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRecord {
    /// The line in the file where this record starts (the header is line 1).
    pub line: u64,
    pub employee_number: Option<EmployeeNumber>,
    pub email: Email,
    pub name: String,
    pub function_title: Option<String>,
    pub salary_scale: Option<SalaryScale>,
    pub employment_type: EmploymentType,
    /// From the top of the tree down, e.g. `["Directie Ruimte", "Team Wonen"]`.
    pub unit_path: Vec<String>,
    pub manager: Option<ManagerRef>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub top_official: bool,
    pub designated_function: bool,
    /// Roles to add (an import never takes a role away).
    pub roles: Vec<Role>,
}

/// A bad value: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    /// The column's code, or empty when the whole line is wrong.
    pub column: String,
    pub problem: Problem,
}

/// The file as a whole could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub Problem);

#[derive(Debug, Clone, Default)]
pub struct ParsedImport {
    pub records: Vec<PersonRecord>,
    pub errors: Vec<LineError>,
    /// The columns the file has: an update leaves the other fields alone.
    pub columns: Vec<Column>,
}

impl ParsedImport {
    pub fn has(&self, column: Column) -> bool {
        self.columns.contains(&column)
    }
}

/// Parses a people CSV (UTF-8, `,` or `;` separated, header on line 1).
pub fn parse_people_csv(bytes: &[u8]) -> Result<ParsedImport, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text =
        std::str::from_utf8(bytes).map_err(|_| FileError(Problem::new("import-error-not-utf8")))?;
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim().is_empty() {
        return Err(FileError(Problem::new("import-error-empty")));
    }
    // Dutch spreadsheet programs write `;` between columns.
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| FileError(Problem::new("import-error-header")))?
        .clone();

    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut unknown = Vec::new();
    for h in headers.iter() {
        let col = Column::from_header(h);
        if col.is_none() && !h.trim().is_empty() {
            unknown.push(h.trim().to_string());
        }
        if let Some(c) = col
            && columns.contains(&Some(c))
        {
            return Err(FileError(
                Problem::new("import-error-duplicate-column").with("column", h.trim()),
            ));
        }
        columns.push(col);
    }
    if !unknown.is_empty() {
        return Err(FileError(
            Problem::new("import-error-unknown-columns").with("columns", unknown.join(", ")),
        ));
    }
    for required in [Column::Email, Column::Name] {
        if !columns.contains(&Some(required)) {
            return Err(FileError(
                Problem::new("import-error-missing-column").with("column", required.code()),
            ));
        }
    }

    let mut parsed = ParsedImport {
        columns: columns.iter().flatten().copied().collect(),
        ..Default::default()
    };
    let mut seen_email: HashMap<String, u64> = HashMap::new();
    let mut seen_number: HashMap<String, u64> = HashMap::new();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                parsed.errors.push(LineError {
                    line,
                    column: String::new(),
                    problem: Problem::new("import-error-line-unreadable"),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if record.len() > columns.len() {
            parsed.errors.push(LineError {
                line,
                column: String::new(),
                problem: Problem::new("import-error-too-many-values")
                    .with("found", record.len().to_string())
                    .with("expected", columns.len().to_string()),
            });
            continue;
        }
        let mut values: HashMap<Column, &str> = HashMap::new();
        for (i, value) in record.iter().enumerate() {
            if let Some(Some(col)) = columns.get(i) {
                values.insert(*col, value);
            }
        }
        match parse_line(line, &values) {
            Ok(rec) => {
                let mut duplicate = false;
                if let Some(first) = seen_email.insert(rec.email.as_str().to_string(), line) {
                    parsed
                        .errors
                        .push(duplicate_error(line, Column::Email, first));
                    duplicate = true;
                }
                if let Some(n) = &rec.employee_number
                    && let Some(first) = seen_number.insert(n.as_str().to_string(), line)
                {
                    parsed
                        .errors
                        .push(duplicate_error(line, Column::EmployeeNumber, first));
                    duplicate = true;
                }
                if !duplicate {
                    parsed.records.push(rec);
                }
            }
            Err(mut errors) => parsed.errors.append(&mut errors),
        }
    }
    if parsed.records.is_empty() && parsed.errors.is_empty() {
        return Err(FileError(Problem::new("import-error-no-lines")));
    }
    Ok(parsed)
}

fn duplicate_error(line: u64, column: Column, first: u64) -> LineError {
    LineError {
        line,
        column: column.code().to_string(),
        problem: Problem::new("import-error-duplicate-in-file").with("first", first.to_string()),
    }
}

fn parse_line(line: u64, values: &HashMap<Column, &str>) -> Result<PersonRecord, Vec<LineError>> {
    let mut errors = Vec::new();
    let get = |c: Column| values.get(&c).copied().unwrap_or("");
    let mut check = |col: Column, r: Result<(), Problem>| {
        if let Err(problem) = r {
            errors.push(LineError {
                line,
                column: col.code().to_string(),
                problem,
            });
        }
    };
    let out = |col: Column| move |p: Problem| (col, p);

    let email = Email::parse(get(Column::Email)).map_err(out(Column::Email));
    let name = parse_name(get(Column::Name), "error-name-missing").map_err(out(Column::Name));
    let employee_number = optional(get(Column::EmployeeNumber), EmployeeNumber::parse)
        .map_err(out(Column::EmployeeNumber));
    let function_title =
        parse_optional_text(get(Column::FunctionTitle), 200).map_err(out(Column::FunctionTitle));
    let salary_scale =
        optional(get(Column::SalaryScale), SalaryScale::parse).map_err(out(Column::SalaryScale));
    let employment_type =
        EmploymentType::parse(get(Column::EmploymentType)).map_err(out(Column::EmploymentType));
    let unit_path = parse_unit_path(get(Column::Unit)).map_err(out(Column::Unit));
    let manager = optional(get(Column::Manager), |v| {
        if v.contains('@') {
            Email::parse(v).map(ManagerRef::Email)
        } else {
            EmployeeNumber::parse(v).map(ManagerRef::EmployeeNumber)
        }
    })
    .map_err(out(Column::Manager));
    let start_date = optional(get(Column::StartDate), parse_date).map_err(out(Column::StartDate));
    let end_date = optional(get(Column::EndDate), parse_date).map_err(out(Column::EndDate));
    let top_official = parse_flag(get(Column::TopOfficial)).map_err(out(Column::TopOfficial));
    let designated =
        parse_flag(get(Column::DesignatedFunction)).map_err(out(Column::DesignatedFunction));
    let roles = parse_roles(get(Column::Roles)).map_err(out(Column::Roles));

    macro_rules! take {
        ($r:expr) => {
            match $r {
                Ok(v) => Some(v),
                Err((col, problem)) => {
                    check(col, Err(problem));
                    None
                }
            }
        };
    }
    let email = take!(email);
    let name = take!(name);
    let employee_number = take!(employee_number);
    let function_title = take!(function_title);
    let salary_scale = take!(salary_scale);
    let employment_type = take!(employment_type);
    let unit_path = take!(unit_path);
    let manager = take!(manager);
    let start_date = take!(start_date);
    let end_date = take!(end_date);
    let top_official = take!(top_official);
    let designated = take!(designated);
    let roles = take!(roles);

    if let (Some(Some(start)), Some(Some(end))) = (start_date, end_date)
        && end < start
    {
        check(Column::EndDate, Err(Problem::new("error-end-before-start")));
    }
    if let (Some(Some(ManagerRef::Email(m))), Some(e)) = (&manager, &email)
        && m == e
    {
        check(
            Column::Manager,
            Err(Problem::new("import-error-own-manager")),
        );
    }
    if let (Some(Some(ManagerRef::EmployeeNumber(m))), Some(Some(n))) = (&manager, &employee_number)
        && m == n
    {
        check(
            Column::Manager,
            Err(Problem::new("import-error-own-manager")),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PersonRecord {
        line,
        employee_number: employee_number.flatten(),
        email: email.expect("checked"),
        name: name.expect("checked"),
        function_title: function_title.flatten(),
        salary_scale: salary_scale.flatten(),
        employment_type: employment_type.expect("checked"),
        unit_path: unit_path.expect("checked"),
        manager: manager.flatten(),
        start_date: start_date.flatten(),
        end_date: end_date.flatten(),
        top_official: top_official.expect("checked"),
        designated_function: designated.expect("checked"),
        roles: roles.expect("checked"),
    })
}

fn optional<T>(
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, Problem>,
) -> Result<Option<T>, Problem> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some)
    }
}

/// `Directie Ruimte / Afdeling Wonen / Team Vergunningen`, top first.
pub fn parse_unit_path(raw: &str) -> Result<Vec<String>, Problem> {
    if raw.trim().is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = raw.split('/').map(str::trim).collect();
    if parts.len() > 8 {
        return Err(Problem::new("import-error-unit-too-deep").with("max", "8"));
    }
    parts
        .into_iter()
        .map(|p| parse_name(p, "import-error-unit-empty-part"))
        .collect()
}

/// `employee; manager` (separated by `;`, `,` or `|`).
pub fn parse_roles(raw: &str) -> Result<Vec<Role>, Problem> {
    raw.split([';', ',', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Role::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_and_dutch_headers() {
        let csv = "personeelsnummer;e-mail;naam;schaal;eenheid;leidinggevende;rollen\n\
                   100;a@x.nl;Anna de Vries;14;Directie / Team A;;manager\n\
                   101;b@x.nl;Bram Jansen;8;Directie / Team A;100;\n";
        let parsed = parse_people_csv(csv.as_bytes()).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(parsed.records[1].line, 3);
        assert_eq!(parsed.records[0].unit_path, vec!["Directie", "Team A"]);
        assert_eq!(
            parsed.records[1].manager,
            Some(ManagerRef::EmployeeNumber(
                EmployeeNumber::parse("100").unwrap()
            ))
        );
    }

    #[test]
    fn every_bad_value_is_reported_with_line_and_column() {
        let csv = "email,name,salary_scale,start_date,end_date,employment_type,top_official,roles\n\
                   ok@x.nl,Ok,10,2020-01-01,,,,\n\
                   bad,Bad,19,2020-13-01,,piraat,misschien,koning\n\
                   ok@x.nl,Dup,,,,,,\n\
                   late@x.nl,Late,,2020-05-01,2020-01-01,,,\n";
        let parsed = parse_people_csv(csv.as_bytes()).unwrap();
        assert_eq!(parsed.records.len(), 1);
        let cols: Vec<(u64, &str)> = parsed
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        for expected in [
            (3, "email"),
            (3, "salary_scale"),
            (3, "start_date"),
            (3, "employment_type"),
            (3, "top_official"),
            (3, "roles"),
            (4, "email"),
            (5, "end_date"),
        ] {
            assert!(cols.contains(&expected), "missing {expected:?} in {cols:?}");
        }
    }

    #[test]
    fn file_level_problems() {
        assert!(parse_people_csv(b"").is_err());
        assert!(parse_people_csv(b"email,naam,shoe_size\n").is_err());
        assert!(parse_people_csv(b"name\nAnna\n").is_err());
        assert!(parse_people_csv(b"email,name\n").is_err());
        assert!(parse_people_csv(&[0xff, 0xfe, 0x00]).is_err());
    }
}

#[cfg(test)]
mod every_column {
    use super::*;

    /// One bad value in each column, each reported on its own line with
    /// its column and a message in both languages.
    #[test]
    fn every_column_rejects_a_bad_value() {
        let header = "employee_number,email,name,function_title,salary_scale,employment_type,unit,manager,start_date,end_date,top_official,designated_function,roles";
        let good = [
            "1",
            "a@x.nl",
            "A",
            "Jurist",
            "10",
            "ambtenaar",
            "Directie",
            "",
            "2020-01-01",
            "",
            "nee",
            "nee",
            "employee",
        ];
        let long = "x".repeat(201);
        let bad: [(usize, &str, &str); 13] = [
            (0, "employee_number", "nr 1"),
            (1, "email", "geen-adres"),
            (2, "name", ""),
            (3, "function_title", long.as_str()),
            (4, "salary_scale", "19"),
            (5, "employment_type", "piraat"),
            (6, "unit", "Directie //"),
            (7, "manager", "chef baas"),
            (8, "start_date", "31-02-2020"),
            (9, "end_date", "2019-01-01"),
            (10, "top_official", "misschien"),
            (11, "designated_function", "soms"),
            (12, "roles", "koning"),
        ];
        let mut csv = format!("{header}\n");
        for (i, (col, _, value)) in bad.iter().enumerate() {
            let mut cells: Vec<String> = good.iter().map(|s| s.to_string()).collect();
            cells[0] = format!("{}", 100 + i);
            cells[1] = format!("p{i}@x.nl");
            cells[*col] = value.to_string();
            csv.push_str(&cells.join(","));
            csv.push('\n');
        }
        let parsed = parse_people_csv(csv.as_bytes()).unwrap();
        let catalog = crate::i18n::Catalog::bundled();
        for (i, (_, column, _)) in bad.iter().enumerate() {
            let line = i as u64 + 2;
            let err = parsed
                .errors
                .iter()
                .find(|e| e.line == line && e.column == *column)
                .unwrap_or_else(|| {
                    panic!("no error for {column} on line {line}: {:?}", parsed.errors)
                });
            for lang in crate::i18n::Lang::ALL {
                assert!(
                    catalog.has(lang, err.problem.key),
                    "{} missing",
                    err.problem.key
                );
            }
        }
        assert!(parsed.records.is_empty());
    }
}
