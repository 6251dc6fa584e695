//! `integer export`: the prevention and learning registers of an
//! organisation as CSV or JSON, for the operator (organisation-wide, like
//! `report annual`; the command line is not subject to the authorization
//! rules, see docs/AUTHORIZATION.md). The rows have the same fields as the
//! API's answers (`integer_web::api::*_json`). See docs/PREVENTION.md and
//! docs/LEARNING.md.

use crate::commands::open;
use crate::config::Config;
use anyhow::Context;
use clap::{Args, ValueEnum};
use integer_domain::authz::Scope;
use integer_domain::prevention as rules;
use integer_store::{learning, orgs, prevention, vulnerable};
use integer_web::api;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// No practical limit: the operator gets every row.
const ALL: i64 = 1_000_000_000;

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Organisation slug.
    #[arg(long)]
    org: String,
    /// What to export.
    #[arg(long, value_enum)]
    what: What,
    /// The year (trainings and sessions only; default: this year).
    #[arg(long)]
    year: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Where to write (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// The register of oaths and affirmations of the people in service.
    Oaths,
    /// People not sworn in on time.
    NotSworn,
    /// Hires of the last twelve months (and upcoming ones, and anyone whose screening was started).
    Screening,
    /// People in service who have not acknowledged the code of conduct in force.
    Acknowledgements,
    /// Training records and HR conversations with integrity of a year.
    Trainings,
    /// Moral deliberation sessions and team meetings with integrity of a year.
    Sessions,
    /// The register of vulnerable functions, with the overdue flag.
    Vulnerable,
}

impl What {
    fn code(self) -> &'static str {
        match self {
            What::Oaths => "oaths",
            What::NotSworn => "not-sworn",
            What::Screening => "screening",
            What::Acknowledgements => "acknowledgements",
            What::Trainings => "trainings",
            What::Sessions => "sessions",
            What::Vulnerable => "vulnerable",
        }
    }

    /// The CSV columns, in order (the JSON rows have the same fields).
    fn columns(self) -> &'static [&'static str] {
        match self {
            What::Oaths | What::NotSworn => &[
                "person_id",
                "name",
                "unit",
                "start_date",
                "due",
                "overdue",
                "kind",
                "taken_on",
                "before_whom",
            ],
            What::Screening => &[
                "person_id",
                "name",
                "employment_type",
                "start_date",
                "vog_requested",
                "vog_received",
                "references",
                "diplomas",
                "declaration",
                "required",
                "open",
                "complete",
                "former_left_on",
                "compelling_reasons",
            ],
            What::Acknowledgements => &["person_id", "name", "unit", "last_version"],
            What::Trainings => &[
                "record",
                "id",
                "person_id",
                "person",
                "kind",
                "title",
                "date",
                "completed",
            ],
            What::Sessions => &[
                "record",
                "id",
                "unit_id",
                "unit",
                "date",
                "attendees",
                "topics",
                "theme",
            ],
            What::Vulnerable => &[
                "id",
                "unit_id",
                "unit",
                "name",
                "area",
                "risks",
                "measures",
                "owner_id",
                "owner",
                "review_on",
                "overdue",
                "financial",
                "publication",
                "created_on",
            ],
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// Bad input: said in both languages, exit code 2.
fn refuse(nl: &str, en: &str) -> ExitCode {
    eprintln!("{nl} / {en}");
    ExitCode::from(2)
}

/// A row tagged with what it is (`training`, `hr_conversation`, ...).
fn tagged(mut row: Value, record: &str) -> Value {
    row["record"] = json!(record);
    row
}

pub async fn run(config: Config, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let what = args.what;
    let year = match (&args.year, what) {
        (None, _) => None,
        (Some(raw), What::Trainings | What::Sessions) => match api::parse_year(Some(raw)) {
            Some(y) => Some(y),
            None => {
                return Ok(refuse(
                    &format!("--year moet een jaartal zijn tussen 1900 en 2200, niet '{raw}'"),
                    &format!("--year must be a year between 1900 and 2200, not '{raw}'"),
                ));
            }
        },
        (Some(_), _) => {
            return Ok(refuse(
                "--year hoort alleen bij trainings en sessions",
                "--year only applies to trainings and sessions",
            ));
        }
    };
    let store = open(&config).await?;
    let mut conn = store.conn().await?;
    let slug = args.org.as_str();
    let Some(org) = orgs::by_slug(&mut conn, slug).await? else {
        return Ok(refuse(
            &format!("organisatie '{slug}' bestaat niet"),
            &format!("organisation '{slug}' does not exist"),
        ));
    };
    let today = integer_domain::counsel::today();
    let scope = Scope::Organisation;
    let year = year.unwrap_or_else(|| i64::from(today.year()));
    let mut head = json!({
        "organisation": org.slug,
        "what": what.code(),
        "generated_on": today.to_string(),
    });
    let rows: Vec<Value> = match what {
        What::Oaths | What::NotSworn => {
            let days = prevention::settings(&mut conn, org.id)
                .await?
                .settings
                .oath_days;
            head["oath_days"] = json!(days);
            let list = if what == What::Oaths {
                prevention::oath_register(&mut conn, org.id, scope, today, ALL).await?
            } else {
                let before = rules::overdue_before(today, days);
                prevention::not_sworn(&mut conn, org.id, scope, before, today, ALL).await?
            };
            list.iter()
                .map(|r| api::oath_row_json(r, days, today))
                .collect()
        }
        What::Screening => {
            let since = today.checked_sub(jiff::ToSpan::years(1)).unwrap_or(today);
            head["since"] = json!(since.to_string());
            let hires = prevention::hires(&mut conn, org.id, since, today, ALL).await?;
            hires.iter().map(api::hire_json).collect()
        }
        What::Acknowledgements => {
            let effective = integer_web::preset::effective(&mut conn, org.id, &org.preset).await?;
            head["version"] = json!(effective.preset.version);
            head["digest"] = json!(effective.preset.digest);
            let (list, _) = prevention::not_acknowledged(
                &mut conn,
                org.id,
                scope,
                &effective.preset.digest,
                today,
                ALL,
            )
            .await?;
            list.iter().map(api::unacknowledged_json).collect()
        }
        What::Trainings => {
            head["year"] = json!(year);
            let trainings =
                learning::trainings(&mut conn, org.id, scope, None, Some(year), ALL).await?;
            let hr =
                learning::hr_conversations(&mut conn, org.id, scope, None, Some(year), ALL).await?;
            trainings
                .iter()
                .map(|t| tagged(api::training_json(t), "training"))
                .chain(
                    hr.iter()
                        .map(|h| tagged(api::hr_conversation_json(h), "hr_conversation")),
                )
                .collect()
        }
        What::Sessions => {
            head["year"] = json!(year);
            let sessions = learning::sessions(&mut conn, org.id, scope, year).await?;
            let meetings = learning::team_meetings(&mut conn, org.id, scope, year).await?;
            sessions
                .iter()
                .map(|s| tagged(api::session_json(s), "session"))
                .chain(
                    meetings
                        .iter()
                        .map(|m| tagged(api::meeting_json(m), "team_meeting")),
                )
                .collect()
        }
        What::Vulnerable => {
            let entries = vulnerable::list(&mut conn, org.id).await?;
            entries
                .iter()
                .map(|e| api::vulnerable_json(e, today))
                .collect()
        }
    };
    drop(conn);
    store.close().await;
    let count = rows.len();
    let bytes = match args.format {
        Format::Json => {
            head["rows"] = Value::Array(rows);
            let mut text = serde_json::to_string_pretty(&head)?;
            text.push('\n');
            text.into_bytes()
        }
        Format::Csv => to_csv(what.columns(), &rows)?,
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("{}", path.display()))?;
            println!(
                "{count} regels ({}) van {slug} geschreven naar {} / {count} rows ({}) of {slug} written to {}",
                what.code(),
                path.display(),
                what.code(),
                path.display()
            );
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The rows as CSV with a header; lists are joined with "; ", empty values
/// stay empty, and text a spreadsheet would run as a formula gets a `'`
/// (the one CSV writer, `integer_domain::export`).
fn to_csv(columns: &[&str], rows: &[Value]) -> anyhow::Result<Vec<u8>> {
    let mut w = integer_domain::export::CsvWriter::new(columns);
    for row in rows {
        let cells: Vec<String> = columns.iter().map(|c| cell(&row[*c])).collect();
        w.row(&cells);
    }
    Ok(w.finish())
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        Value::Object(_) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_flat_and_formulas_inert() {
        assert_eq!(cell(&json!(null)), "");
        assert_eq!(cell(&json!(true)), "true");
        assert_eq!(cell(&json!(12)), "12");
        assert_eq!(cell(&json!(["a", "b"])), "a; b");
        assert_eq!(cell(&json!("2025-01-02")), "2025-01-02");
        let csv = to_csv(&["a"], &[json!({"a": "=SUM(A1)"})]).unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "a\n'=SUM(A1)\n");
    }
}
