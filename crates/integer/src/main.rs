//! `integer`: the server and the command line of Integer, the integrity
//! system for Dutch public bodies. Each subcommand lives in `commands`.

mod commands;
mod config;
mod demo;
mod demo_data;
mod export_cmd;
mod mail;
mod policy_cmd;
mod report_cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "integer",
    version,
    about = "Integer: integriteitssysteem voor overheden / integrity system for public bodies"
)]
struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, env = "INTEGER_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL (sqlite://PATH or postgres://...); overrides the configuration.
    #[arg(long, global = true, env = "INTEGER_DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the web server (runs migrations first).
    Serve {
        /// Address to listen on; overrides the configuration.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Start a demo server on 127.0.0.1 with a fresh database and demo accounts (password: demo).
    Demo {
        /// Port on 127.0.0.1 to listen on.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Where to keep the demo database (default: a new temporary directory).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Apply database migrations.
    Migrate,
    /// Administrator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Import data.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Create a synthetic organisation (fictitious people, units, managers).
    Seed {
        /// Organisation slug; created when it does not exist.
        #[arg(long)]
        org: String,
        /// Number of people.
        #[arg(long)]
        people: usize,
        /// Declarations per person on average, filed over the last five years (0: none).
        #[arg(long, default_value_t = 10)]
        declarations_per_person: usize,
        /// Fictitious reporting-point cases over the last five years (0: none).
        #[arg(long, default_value_t = 0)]
        cases: usize,
        /// Policy preset of a new organisation.
        #[arg(long, default_value = "maastricht")]
        preset: String,
        /// Name of a new organisation (default: derived from the slug).
        #[arg(long)]
        name: Option<String>,
    },
    /// Personal API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Online backup of a SQLite database to FILE.
    Backup {
        /// The backup file to write (must not exist).
        file: PathBuf,
    },
    /// Pass requests that waited longer than the organisation's set number
    /// of days on to the next manager (the server also does this itself).
    Escalate,
    /// Policy presets and the decision engine.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// The installation key of the reporting point's encryption.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Reports: the annual integrity report.
    Report {
        #[command(subcommand)]
        command: report_cmd::ReportCommand,
    },
    /// Export a prevention or learning register as CSV or JSON (organisation-wide).
    Export(export_cmd::ExportArgs),
    /// Reporting-point cases.
    Cases {
        #[command(subcommand)]
        command: CasesCommand,
    },
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    /// Write a new random installation key to FILE (readable by its owner only).
    Generate {
        /// The key file to write (must not exist).
        file: PathBuf,
    },
    /// Re-wrap every case key with the key in NEW_KEY_FILE (all or nothing);
    /// then point security.key_file at it.
    Rotate {
        /// The new key (from `integer key generate`).
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum CasesCommand {
    /// Destroy the keys and delete the data of cases whose retention ended.
    Shred {
        /// Only list what would go.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// Print the bundled presets (name, version, organisation).
    List,
    /// Check a preset file; every problem is reported with its location.
    Validate {
        /// The preset file (TOML).
        file: PathBuf,
    },
    /// Read one declaration (JSON) on standard input and print the decision (JSON).
    Check {
        /// Preset name (see `integer policy list`).
        #[arg(long)]
        org: String,
        /// Use this preset file instead of the bundled preset.
        #[arg(long)]
        preset_file: Option<PathBuf>,
    },
    /// Print the preset in force for an organisation (to edit it in a file).
    Export {
        /// Organisation slug.
        #[arg(long)]
        org: String,
    },
    /// Validate FILE and make it the organisation's preset (a new, audited revision).
    Set {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// The preset file (TOML).
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create (or promote) an administrator; creates the organisation when
    /// --org-name and --preset are given. The password is read from
    /// --password-file or from standard input.
    Create {
        /// Organisation slug (lower case letters, digits and hyphens).
        #[arg(long)]
        org: String,
        /// The administrator's e-mail address (their sign-in name).
        #[arg(long)]
        email: String,
        /// The administrator's full name.
        #[arg(long)]
        name: String,
        /// Name of a new organisation (creates it, with --preset).
        #[arg(long)]
        org_name: Option<String>,
        /// Policy preset of a new organisation (see `integer policy list`).
        #[arg(long)]
        preset: Option<String>,
        /// File whose first line is the password (at least 12 characters).
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// Import people from a CSV file (columns: docs/IMPORT.md).
    People {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// The CSV file.
        file: PathBuf,
        /// Import the good lines and leave out the bad ones.
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create a token for a person; it is printed once.
    Create {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// The person's e-mail address.
        #[arg(long)]
        user: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Check the keyed hash chain, and the latest checkpoint; names the first
    /// row that was changed, removed or inserted, or a cut tail.
    Verify {
        /// Check against the checkpoint in this file (its last checkpoint
        /// line; a copy from the system log will do) instead of the latest
        /// one in audit.checkpoint_dir.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Write a checkpoint of the chain's head (signed with the audit key) to
    /// audit.checkpoint_dir and the log; the server does this daily.
    Checkpoint,
}

/// Exit codes: 0 done, 1 error (including a damaged audit trail), 2 wrong
/// use of the command line (clap's own code). Documented in
/// docs/OPERATIONS.md.
fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokio: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Fout / Error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    // The policy commands need neither configuration nor a database.
    if let Command::Policy { command } = &cli.command {
        match command {
            PolicyCommand::List => return Ok(policy_cmd::list()),
            PolicyCommand::Validate { file } => return policy_cmd::validate(file),
            PolicyCommand::Check { org, preset_file } => {
                return policy_cmd::check(org, preset_file.as_deref());
            }
            PolicyCommand::Export { .. } | PolicyCommand::Set { .. } => {}
        }
    }
    let env: Vec<(String, String)> = std::env::vars().collect();
    let config = config::load_with(cli.config.as_deref(), &env, cli.database_url.as_deref())?;
    commands::init_logging(&config);
    use commands as c;
    match cli.command {
        Command::Serve { bind } => c::serve(config, bind).await,
        Command::Demo { port, data_dir } => demo::run(config, port, data_dir).await,
        Command::Migrate => c::migrate(config).await,
        Command::Admin {
            command:
                AdminCommand::Create {
                    org,
                    email,
                    name,
                    org_name,
                    preset,
                    password_file,
                },
        } => c::admin_create(config, &org, &email, &name, org_name, preset, password_file).await,
        Command::Import {
            command:
                ImportCommand::People {
                    org,
                    file,
                    skip_invalid,
                },
        } => c::import_people(config, &org, &file, skip_invalid).await,
        Command::Seed {
            org,
            people,
            declarations_per_person,
            cases,
            preset,
            name,
        } => {
            c::seed(
                config,
                &org,
                people,
                declarations_per_person,
                cases,
                &preset,
                name,
            )
            .await
        }
        Command::Token {
            command: TokenCommand::Create { org, user, name },
        } => c::token_create(config, &org, &user, &name).await,
        Command::Audit {
            command: AuditCommand::Verify { checkpoint },
        } => c::audit_verify(config, checkpoint.as_deref()).await,
        Command::Audit {
            command: AuditCommand::Checkpoint,
        } => c::audit_checkpoint(config).await,
        Command::Backup { file } => c::backup(config, &file).await,
        Command::Escalate => c::escalate_command(config).await,
        Command::Key {
            command: KeyCommand::Generate { file },
        } => c::key_generate(&file),
        Command::Key {
            command: KeyCommand::Rotate { new_key_file },
        } => c::key_rotate(config, &new_key_file).await,
        Command::Cases {
            command: CasesCommand::Shred { dry_run },
        } => c::cases_shred(config, dry_run).await,
        Command::Report { command } => report_cmd::run(config, command).await,
        Command::Export(args) => export_cmd::run(config, args).await,
        Command::Policy {
            command: PolicyCommand::Export { org },
        } => policy_cmd::export(config, &org).await,
        Command::Policy {
            command: PolicyCommand::Set { org, file },
        } => policy_cmd::set(config, &org, &file).await,
        Command::Policy { .. } => unreachable!("handled above"),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every subcommand and every flag or argument says what it is for.
    #[test]
    fn every_flag_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                let name = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_name() != "help" {
                    missing.push(name.clone());
                }
                walk(sub, &name, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "integer", &mut missing);
        assert!(missing.is_empty(), "without help text: {missing:?}");
        Cli::command().debug_assert();
    }
}
