//! `integer report annual`: the annual integrity report of an organisation
//! and a year as a file (HTML, CSV or JSON), internal or publishable, with a
//! progress bar while the figures are counted. A published report is
//! written from its frozen snapshot. See docs/ANNUAL-REPORT.md.

use crate::commands::open;
use crate::config::Config;
use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use integer_domain::annual_report::{self as rules, OrgRef, Version};
use integer_domain::i18n::{Catalog, Lang};
use integer_store::{annual_report as store, orgs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The annual integrity report (jaarverslag integriteit) of an organisation and a year.
    Annual {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// The year the report is about (not in the future).
        #[arg(long)]
        year: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
        format: ReportFormat,
        /// Where to write the report.
        #[arg(long)]
        out: PathBuf,
        /// The publishable version: counts from 1 to 4 as "< 5".
        #[arg(long)]
        publishable: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Html,
    Csv,
    Json,
    /// Tagged PDF (PDF/A-2a, PDF/UA-1).
    Pdf,
}

pub async fn run(config: Config, command: ReportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReportCommand::Annual {
            org,
            year,
            format,
            out,
            publishable,
        } => annual(config, &org, &year, format, &out, publishable).await,
    }
}

/// Bad input: said in both languages, exit code 2.
fn refuse(problem: &integer_domain::Problem) -> ExitCode {
    let c = Catalog::bundled();
    eprintln!(
        "{} / {}",
        c.render(Lang::Nl, problem),
        c.render(Lang::En, problem)
    );
    ExitCode::from(2)
}

async fn annual(
    config: Config,
    slug: &str,
    year: &str,
    format: ReportFormat,
    out: &Path,
    publishable: bool,
) -> anyhow::Result<ExitCode> {
    let today = integer_domain::case::local_date(jiff::Timestamp::now());
    let year = match rules::check_year(year, today) {
        Ok(y) => y,
        Err(p) => return Ok(refuse(&p)),
    };
    let store = open(&config).await?;
    let mut conn = store.conn().await?;
    let Some(org) = orgs::by_slug(&mut conn, slug).await? else {
        eprintln!("organisatie '{slug}' bestaat niet / organisation '{slug}' does not exist");
        return Ok(ExitCode::from(2));
    };
    let saved = store::get(&mut conn, org.id, year).await?;
    let bar = ProgressBar::new(store::STEPS);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("jaarverslag");
    let data = match saved.as_ref().and_then(|s| s.data.clone()) {
        Some(frozen) => frozen,
        None => {
            store::report_data(&mut conn, org.id, year, today, &|step| {
                bar.set_message(step.to_string());
                bar.inc(1);
            })
            .await?
        }
    };
    bar.finish_and_clear();
    let version = if publishable {
        Version::Publishable
    } else {
        Version::Internal
    };
    let narrative = saved
        .as_ref()
        .map(|s| s.narrative.clone())
        .unwrap_or_default();
    let frozen_public = match (&saved, version) {
        (Some(s), Version::Publishable) => s.public_document()?,
        _ => None,
    };
    let doc = frozen_public.unwrap_or_else(|| rules::document(&data, &narrative, version));
    let published = saved.as_ref().and_then(|s| s.published_at).map(store::day);
    let bytes: Vec<u8> = match format {
        ReportFormat::Pdf => integer_web::pages::annual_report::pdf(&doc, &org.name, Lang::Nl)?,
        ReportFormat::Csv => rules::to_csv(&doc)?.into_bytes(),
        ReportFormat::Json => {
            let mut value = rules::to_json(
                &doc,
                OrgRef {
                    slug: &org.slug,
                    name: &org.name,
                },
                published.as_deref(),
                Lang::Nl,
            );
            if version == Version::Internal {
                value["figures"] = serde_json::to_value(&data.figures)?;
            }
            serde_json::to_string_pretty(&value)?.into_bytes()
        }
        ReportFormat::Html => {
            integer_web::pages::annual_report::standalone_html(&doc, &org.name, Lang::Nl)?
                .into_bytes()
        }
    };
    std::fs::write(out, bytes).with_context(|| format!("{}", out.display()))?;
    println!(
        "Jaarverslag {year} van {slug} geschreven naar {} / annual report {year} of {slug} written to {}",
        out.display(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
