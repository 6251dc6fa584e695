//! `integer policy list | validate FILE | check --org PRESET`: the policy
//! engine on the command line, reading and writing JSON.

use anyhow::{Context, anyhow};
use integer_domain::policy::{self, Preset};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

pub fn list() -> ExitCode {
    for preset in policy::bundled_presets() {
        println!(
            "{}\t{}\t{}",
            preset.name, preset.version, preset.organisation
        );
    }
    ExitCode::SUCCESS
}

/// Reports every problem with its location, in Dutch and English.
pub fn validate(file: &Path) -> anyhow::Result<ExitCode> {
    let source = std::fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
    let name = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("preset");
    match Preset::from_toml_str(name, &source) {
        Ok(preset) => {
            println!(
                "{}: in orde / valid ({} regels/rules, {} secties/sections, versie/version {})",
                file.display(),
                preset.rules.len(),
                preset.sections().count(),
                preset.version
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            for p in &e.problems {
                let at = match (p.line, p.column) {
                    (Some(l), Some(c)) => format!("{}:{l}:{c}", file.display()),
                    (Some(l), None) => format!("{}:{l}", file.display()),
                    _ => file.display().to_string(),
                };
                let path = if p.path.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", p.path)
                };
                eprintln!("{at}{path}: {} / {}", p.reason_nl, p.reason_en);
            }
            eprintln!("{} fout(en) / problem(s)", e.problems.len());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A bundled preset by name, or a clear error listing the names.
pub fn preset_by_name(name: &str) -> anyhow::Result<&'static Preset> {
    policy::bundled_preset(name).ok_or_else(|| {
        let names = policy::preset_names().join(", ");
        anyhow!("onbekende preset '{name}', kies uit: {names} / unknown preset '{name}', choose from: {names}")
    })
}

/// Reads one declaration (JSON) on standard input, prints the decision.
pub fn check(org: &str, preset_file: Option<&Path>) -> anyhow::Result<ExitCode> {
    let owned;
    let preset: &Preset = match preset_file {
        Some(file) => {
            let source =
                std::fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
            owned = Preset::from_toml_str(org, &source)
                .map_err(|e| anyhow!("{}\n{}", e.message_nl(), e.message_en()))?;
            &owned
        }
        None => preset_by_name(org)?,
    };
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let declaration = match policy::parse_declaration_json(&input) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{} / {}", e.message_nl(), e.message_en());
            return Ok(ExitCode::from(2));
        }
    };
    let decision = policy::decide(preset, &declaration);
    println!("{}", serde_json::to_string_pretty(&decision)?);
    Ok(ExitCode::SUCCESS)
}

async fn organisation(
    store: &integer_store::Store,
    slug: &str,
) -> anyhow::Result<integer_store::orgs::Organisation> {
    let mut conn = store.conn().await?;
    integer_store::orgs::by_slug(&mut conn, slug)
        .await?
        .ok_or_else(|| {
            anyhow!("organisatie '{slug}' bestaat niet / organisation '{slug}' does not exist")
        })
}

/// Prints the TOML in force: the newest revision, or the bundled preset.
pub async fn export(config: crate::config::Config, slug: &str) -> anyhow::Result<ExitCode> {
    let store = crate::commands::open(&config).await?;
    let org = organisation(&store, slug).await?;
    let mut conn = store.conn().await?;
    let source = match integer_store::presets::latest(&mut conn, org.id).await? {
        Some(rev) => rev.source,
        None => policy::bundled_preset_source(&org.preset)
            .ok_or_else(|| anyhow!("unknown preset '{}'", org.preset))?
            .to_string(),
    };
    print!("{source}");
    Ok(ExitCode::SUCCESS)
}

/// Validates FILE and stores it as the organisation's next revision.
pub async fn set(
    config: crate::config::Config,
    slug: &str,
    file: &Path,
) -> anyhow::Result<ExitCode> {
    let source = std::fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
    let store = crate::commands::open(&config).await?;
    let org = organisation(&store, slug).await?;
    let preset = match Preset::from_toml_str(&org.preset, &source) {
        Ok(p) => p,
        Err(_) => return validate(file),
    };
    let mut tx = store.begin_write().await?;
    let current = integer_store::presets::latest(&mut tx, org.id)
        .await?
        .map(|r| r.revision)
        .unwrap_or(0);
    let revision =
        integer_store::presets::save(&mut tx, org.id, current, &source, &preset.digest, "cli")
            .await?;
    integer_store::audit::append(
        &mut tx,
        &integer_store::audit::event(
            Some(org.id.0),
            "cli",
            integer_domain::audit::Credential::Cli,
            "policy.preset_changed",
            "preset_revision",
            revision,
            serde_json::json!({"revision": revision, "digest": preset.digest, "version": preset.version}),
        ),
    )
    .await?;
    tx.commit().await?;
    println!(
        "Versie {revision} van de regels van {slug} geldt nu / revision {revision} of {slug}'s rules is now in force"
    );
    Ok(ExitCode::SUCCESS)
}
