//! The subcommands. Each opens the store, does its work in transactions
//! with audit rows (credential: CLI), and reports in Dutch and English.

use crate::config::Config;
use crate::mail::MailSettings;
use anyhow::{Context, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use integer_domain::audit::Credential;
use integer_domain::i18n::{Catalog, Lang};
use integer_domain::import::parse_people_csv;
use integer_domain::org::{BUNDLED_PRESETS, EmploymentType, Role};
use integer_domain::values::{Email, Slug, check_new_password, parse_name};
use integer_store::people::PersonFields;
use integer_store::{Store, audit, import, migrate, orgs, people, seed as seeding, tokens};
use std::path::Path;
use std::process::ExitCode;

pub fn init_logging(config: &Config) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour codes only for a person at a terminal, never in a log file or
    // the journal.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = if config.log.format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Connects and migrates.
pub async fn open(config: &Config) -> anyhow::Result<Store> {
    let store = open_as_is(config).await?;
    migrate::check(&store).await?;
    load_audit_key(config, &store, true).await?;
    migrate::run(&store).await?;
    key_audit_chain(&store).await?;
    Ok(store)
}

/// Loads the audit key (see `Config::audit_key_source`) into the store.
/// With `may_create`, a key file beside a SQLite database is made when none
/// exists, but only while the trail has no keyed rows: a trail that has
/// them and no key refuses, since a new key would make it look tampered
/// with.
pub async fn load_audit_key(
    config: &Config,
    store: &Store,
    may_create: bool,
) -> anyhow::Result<()> {
    use crate::config::KeySource;
    let key = match config.audit_key_source()? {
        KeySource::Configured(key) | KeySource::File(_, Some(key)) => key,
        KeySource::File(file, None) => {
            let keyed_rows = audit::is_keyed(store).await? && audit::has_rows(store).await?;
            if keyed_rows {
                bail!(
                    "De auditsleutel {} ontbreekt, maar de audittrail van deze database is ermee \
                     vastgelegd. Zet de sleutel terug uit uw sleutelbeheer (of wijs \
                     security.audit_key_file erop); met een nieuwe sleutel lijkt de hele trail \
                     vervalst. / The audit key {} is missing, but this database's audit trail was \
                     written with it. Restore the key from your key custody (or point \
                     security.audit_key_file at it); with a new key the whole trail would look \
                     forged.",
                    file.display(),
                    file.display()
                );
            }
            if !may_create {
                return Ok(());
            }
            let key = integer_domain::audit::AuditKey::generate();
            crate::config::write_private(&file, &key.to_hex())?;
            tracing::warn!(
                file = %file.display(),
                "created an audit key beside the database; keep it apart from backups (see docs/SECURITY.md)"
            );
            key
        }
    };
    audit::set_key(key)
}

/// Keys a trail from before the audit key, once (after the migrations).
async fn key_audit_chain(store: &Store) -> anyhow::Result<()> {
    if let Some(n) = audit::key_legacy_chain(store).await? {
        tracing::info!(rows = n, "the audit trail is now keyed with the audit key");
    }
    Ok(())
}

/// Connects without migrating (a new SQLite database is created).
async fn open_as_is(config: &Config) -> anyhow::Result<Store> {
    Store::connect(config.database.url.expose(), &config.pool())
        .await
        .with_context(|| format!("database {}", config.database.url))
}

/// Connects to a database that must exist already, without changing it:
/// for commands that read (backup, audit verification). A SQLite path that
/// does not exist is an error, never a new empty database.
async fn open_existing(config: &Config) -> anyhow::Result<Store> {
    if let Some(path) = integer_store::sqlite_path(config.database.url.expose())
        && !path.exists()
    {
        bail!(
            "De database {} bestaat niet; controleer database.url (of --database-url). / \
             The database {} does not exist; check database.url (or --database-url).",
            path.display(),
            path.display()
        );
    }
    let store = open_as_is(config).await?;
    migrate::check(&store).await?;
    load_audit_key(config, &store, false).await?;
    Ok(store)
}

/// Connects, checks the installation key against the database before
/// anything is written, migrates, and records the key's check value.
///
/// A key is made (beside a SQLite database) only when the database holds
/// no case keys and no key check yet; a database that has them and a
/// missing, wrong or old key refuses to start with a message that says
/// what to do. So a server can never accept reports it cannot open later.
pub async fn open_with_key(
    config: &Config,
) -> anyhow::Result<(Store, integer_domain::crypto::InstallationKey)> {
    use crate::config::KeySource;
    use integer_domain::crypto::InstallationKey;
    let store = open_as_is(config).await?;
    migrate::check(&store).await?;
    let evidence = integer_store::key_check::evidence(&store).await?;
    let key = match config.key_source()? {
        KeySource::Configured(key) => key,
        KeySource::File(_, Some(key)) => key,
        KeySource::File(file, None) => {
            if evidence.has_key() {
                bail!(
                    "De installatiesleutel {} ontbreekt, maar deze database heeft versleutelde \
                     meldingen. Zet de sleutel terug uit uw sleutelbeheer (of wijs security.key_file \
                     erop); Integer maakt geen nieuwe, want daarmee zijn de bestaande meldingen \
                     niet meer te openen. / The installation key {} is missing, but this database \
                     holds encrypted reports. Restore the key from your key custody (or point \
                     security.key_file at it); Integer makes no new one, which could not open the \
                     existing reports.",
                    file.display(),
                    file.display()
                );
            }
            let key = InstallationKey::generate();
            crate::config::write_private(&file, &key.to_hex())?;
            tracing::warn!(
                file = %file.display(),
                "created an installation key beside the database; keep it apart from backups (see docs/SECURITY.md)"
            );
            key
        }
    };
    if !evidence.accepts(&key) {
        bail!(
            "De installatiesleutel (versie {}) hoort niet bij deze database: het is een andere of \
             een oude sleutel (na `integer key rotate` geldt alleen de nieuwe). Start met de sleutel \
             waarmee de meldingen zijn versleuteld; er is niets gewijzigd. / The installation key \
             (version {}) does not belong to this database: it is another or an old key (after \
             `integer key rotate` only the new one is valid). Start with the key the reports \
             were encrypted with; nothing was changed.",
            key.version(),
            key.version()
        );
    }
    load_audit_key(config, &store, true).await?;
    migrate::run(&store).await?;
    key_audit_chain(&store).await?;
    let mut tx = store.begin_write().await?;
    integer_store::key_check::record_if_absent(&mut tx, &key).await?;
    tx.commit().await?;
    Ok((store, key))
}

pub async fn migrate(config: Config) -> anyhow::Result<ExitCode> {
    let store = open_as_is(&config).await?;
    let n = migrate::run(&store).await?;
    println!("{n} migratie(s) uitgevoerd / migration(s) applied");
    Ok(ExitCode::SUCCESS)
}

/// Runs the web server until SIGTERM or Ctrl-C, finishing requests in flight,
/// with e-mail off (`integer demo`).
pub async fn serve_store(
    store: Store,
    web: integer_web::WebConfig,
    bind: &str,
) -> anyhow::Result<()> {
    serve_store_with_mail(store, web, bind, MailSettings::off()).await
}

/// Runs the web server and, beside it, this instance's mail loop: it sends
/// the notifications' mails from the outbox when SMTP is configured.
pub async fn serve_store_with_mail(
    store: Store,
    web: integer_web::WebConfig,
    bind: &str,
    mail: MailSettings,
) -> anyhow::Result<()> {
    serve_all(store, web, bind, mail, "", None).await
}

/// As [`serve_store_with_mail`], with `/metrics` on `metrics_bind` when it
/// is not empty, and a daily audit checkpoint (into `checkpoint_dir`, when
/// there is one, and the log).
pub async fn serve_all(
    store: Store,
    web: integer_web::WebConfig,
    bind: &str,
    mail: MailSettings,
    metrics_bind: &str,
    checkpoint_dir: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let state = integer_web::AppState::new(store.clone(), web.clone()).await?;
    if !metrics_bind.is_empty() {
        let listener = tokio::net::TcpListener::bind(metrics_bind)
            .await
            .with_context(|| format!("metrics.bind {metrics_bind}"))?;
        let addr = listener.local_addr()?;
        println!("Metrics op / metrics on http://{addr}/metrics");
        let metrics = integer_web::metrics::router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    let app = integer_web::router(state);
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("bind {bind}"))?;
    let addr = listener.local_addr()?;
    println!("Integer luistert op / listens on http://{addr}");
    tracing::info!(%addr, "listening");
    // Expired sessions and old sign-in failures are purged now and then;
    // any instance may do it, the database keeps the state.
    let purge_store = store.clone();
    tokio::spawn(async move {
        let mut last_checkpoint: Option<std::time::Instant> = None;
        loop {
            if last_checkpoint.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(86_400))
            {
                match write_checkpoint(&purge_store, checkpoint_dir.as_deref()).await {
                    Ok(_) => last_checkpoint = Some(std::time::Instant::now()),
                    Err(e) => tracing::warn!(error = %e, "audit checkpoint failed"),
                }
            }
            if let Ok(mut conn) = purge_store.conn().await
                && let Err(e) = integer_store::sessions::purge_expired(
                    &mut conn,
                    web.absolute_timeout_secs,
                    web.login_window_secs,
                )
                .await
            {
                tracing::warn!(error = %e, "purging sessions failed");
            }
            if let Err(e) = escalate(&purge_store).await {
                tracing::warn!(error = %e, "escalation failed");
            }
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        }
    });
    if mail.sender.is_some() {
        tracing::info!("e-mail for notifications is on");
    }
    let mailer = crate::mail::spawn(store.clone(), mail);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    // A mail being sent now keeps its claim; another instance (or the next
    // start) sends it when the claim expires.
    mailer.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

pub async fn serve(config: Config, bind: Option<String>) -> anyhow::Result<ExitCode> {
    let mail = MailSettings::from_config(&config.smtp)?;
    let (store, key) = open_with_key(&config).await?;
    let bind = bind.unwrap_or_else(|| config.server.bind.clone());
    let mut web = config.web(false);
    web.installation_key = Some(key);
    serve_all(
        store,
        web,
        &bind,
        mail,
        &config.metrics.bind,
        config.checkpoint_dir(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

fn read_password(file: Option<&Path>) -> anyhow::Result<String> {
    let raw = match file {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?
        }
        None => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line
        }
    };
    Ok(raw.trim_end_matches(['\n', '\r']).to_string())
}

/// Both languages of a problem, for the terminal.
fn both(problem: &integer_domain::Problem) -> String {
    let c = Catalog::bundled();
    format!(
        "{} / {}",
        c.render(Lang::Nl, problem),
        c.render(Lang::En, problem)
    )
}

fn check_preset(preset: &str) -> anyhow::Result<()> {
    if !BUNDLED_PRESETS.contains(&preset) {
        bail!(
            "onbekende preset '{preset}' / unknown preset '{preset}': {}",
            BUNDLED_PRESETS.join(", ")
        );
    }
    Ok(())
}

pub async fn admin_create(
    config: Config,
    org_slug: &str,
    email: &str,
    name: &str,
    org_name: Option<String>,
    preset: Option<String>,
    password_file: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    let slug = Slug::parse(org_slug).map_err(|p| anyhow!(both(&p)))?;
    let email = Email::parse(email).map_err(|p| anyhow!(both(&p)))?;
    let name = parse_name(name, "error-name-missing").map_err(|p| anyhow!(both(&p)))?;
    let password = read_password(password_file.as_deref())?;
    check_new_password(&password).map_err(|p| anyhow!(both(&p)))?;
    let hash = tokio::task::spawn_blocking(move || integer_web::security::hash_password(&password))
        .await??;
    let store = open(&config).await?;
    let mut tx = store.begin_write().await?;
    let org = match orgs::by_slug(&mut tx, slug.as_str()).await? {
        Some(o) => o,
        None => {
            let (Some(org_name), Some(preset)) = (org_name, preset) else {
                bail!(
                    "organisatie '{slug}' bestaat niet; geef --org-name en --preset om haar aan te maken / \
                     organisation '{slug}' does not exist; give --org-name and --preset to create it"
                );
            };
            check_preset(&preset)?;
            let org = orgs::create(&mut tx, &slug, &org_name, &preset, false).await?;
            audit::append(
                &mut tx,
                &audit::event(
                    Some(org.id.0),
                    "cli",
                    Credential::Cli,
                    "organisation.created",
                    "organisation",
                    org.id.0,
                    serde_json::json!({"preset": preset}),
                ),
            )
            .await?;
            org
        }
    };
    let person = match people::by_email(&mut tx, org.id, email.as_str()).await? {
        Some(id) => id,
        None => {
            let fields = PersonFields {
                name,
                email: email.clone(),
                employee_number: None,
                function_title: None,
                salary_scale: None,
                employment_type: EmploymentType::CivilServant,
                unit_id: None,
                manager_id: None,
                start_date: None,
                end_date: None,
                top_official: false,
                designated_function: false,
            };
            people::insert(&mut tx, org.id, &fields).await?
        }
    };
    people::add_roles(&mut tx, org.id, person, &[Role::Admin]).await?;
    people::set_password_hash(&mut tx, org.id, person, &hash).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.id.0),
            "cli",
            Credential::Cli,
            "admin.created",
            "person",
            person.0,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    println!("Beheerder {email} in {slug} is klaar / administrator {email} in {slug} is ready");
    Ok(ExitCode::SUCCESS)
}

fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

pub async fn import_people(
    config: Config,
    org_slug: &str,
    file: &Path,
    skip_invalid: bool,
) -> anyhow::Result<ExitCode> {
    let content = std::fs::read(file).with_context(|| format!("{}", file.display()))?;
    let parsed = parse_people_csv(&content).map_err(|e| anyhow!(both(&e.0)))?;
    let store = open(&config).await?;
    let mut tx = store.begin_write().await?;
    let org = orgs::by_slug(&mut tx, org_slug).await?.ok_or_else(|| {
        anyhow!("organisatie '{org_slug}' bestaat niet / organisation '{org_slug}' does not exist")
    })?;
    let bar = progress_bar(parsed.records.len() as u64, "import");
    let report = import::apply(&mut tx, org.id, &parsed, skip_invalid, &|n| {
        bar.set_position(n as u64)
    })
    .await?;
    bar.finish_and_clear();
    for e in &report.errors {
        let col = if e.column.is_empty() {
            String::new()
        } else {
            format!(", kolom/column {}", e.column)
        };
        eprintln!("regel/line {}{col}: {}", e.line, both(&e.problem));
    }
    if !report.errors.is_empty() && !skip_invalid {
        tx.rollback().await?;
        eprintln!(
            "{} fout(en); niets geïmporteerd (gebruik --skip-invalid om de goede regels te importeren) / \
             {} error(s); nothing imported (use --skip-invalid to import the good lines)",
            report.errors.len(),
            report.errors.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    audit::append(
        &mut tx,
        &audit::event(Some(org.id.0), "cli", Credential::Cli, "people.imported", "organisation", org.id.0,
            serde_json::json!({"created": report.created, "updated": report.updated, "skipped": report.skipped})),
    )
    .await?;
    // Whoever the import made designated is told their side activities
    // will be published (docs/OPEN-DATA.md).
    integer_store::publication::sync(&mut tx, org.id, None, &cli_by()).await?;
    tx.commit().await?;
    println!(
        "{} nieuw, {} bijgewerkt, {} overgeslagen / {} created, {} updated, {} skipped",
        report.created,
        report.updated,
        report.skipped,
        report.created,
        report.updated,
        report.skipped
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates a synthetic organisation's people; used by `seed` and `demo`.
/// What `seed_org_with` creates.
pub struct SeedSpec<'a> {
    pub slug: &'a Slug,
    pub people: usize,
    /// Declarations per person on average, over five years (0: none).
    pub declarations_per_person: usize,
    pub preset: &'a str,
    pub name: &'a str,
    pub is_demo: bool,
    pub show_progress: bool,
}

/// Seeds people only (the demo: its walk-through files its own
/// declarations, so its inboxes start empty).
pub async fn seed_org(
    store: &Store,
    slug: &Slug,
    people_count: usize,
    preset: &str,
    name: &str,
    is_demo: bool,
    show_progress: bool,
) -> anyhow::Result<(integer_store::orgs::Organisation, Vec<i64>)> {
    seed_org_with(
        store,
        &SeedSpec {
            slug,
            people: people_count,
            declarations_per_person: 0,
            preset,
            name,
            is_demo,
            show_progress,
        },
    )
    .await
}

/// Creates (or fills an empty) organisation with synthetic people and
/// declarations, in one transaction.
pub async fn seed_org_with(
    store: &Store,
    spec: &SeedSpec<'_>,
) -> anyhow::Result<(integer_store::orgs::Organisation, Vec<i64>)> {
    let slug = spec.slug;
    let data = integer_domain::synthetic::generate(slug.as_str(), spec.people);
    let mut tx = store.begin_write().await?;
    let org = match orgs::by_slug(&mut tx, slug.as_str()).await? {
        Some(o) => {
            if people::count(&mut tx, o.id).await? > 0 {
                bail!(
                    "organisatie '{slug}' heeft al mensen; seed vult alleen een lege organisatie / \
                     organisation '{slug}' already has people; seed only fills an empty one"
                );
            }
            o
        }
        None => {
            check_preset(spec.preset)?;
            orgs::create(&mut tx, slug, spec.name, spec.preset, spec.is_demo).await?
        }
    };
    let bar = if spec.show_progress {
        progress_bar(spec.people as u64, "seed")
    } else {
        ProgressBar::hidden()
    };
    let ids = seeding::insert(&mut tx, org.id, &data, &|n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    let wanted = spec.people * spec.declarations_per_person;
    let declarations = if wanted > 0 {
        let bar = if spec.show_progress {
            progress_bar(wanted as u64, "declarations")
        } else {
            ProgressBar::hidden()
        };
        let generated = integer_domain::synthetic::declarations(
            slug.as_str(),
            &data,
            spec.declarations_per_person,
            integer_store::now(),
        );
        let n = seeding::insert_declarations(&mut tx, org.id, &ids, generated, &|n| {
            bar.set_position(n as u64)
        })
        .await?;
        bar.finish_and_clear();
        n
    } else {
        0
    };
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.id.0),
            "cli",
            Credential::Cli,
            "organisation.seeded",
            "organisation",
            org.id.0,
            serde_json::json!({"people": spec.people, "declarations": declarations}),
        ),
    )
    .await?;
    tx.commit().await?;
    if store.backend() == integer_store::Backend::Postgres && declarations > 0 {
        // Fresh statistics for the planner after a bulk load, rather than
        // whenever autovacuum gets to it.
        sqlx::query("ANALYZE").execute(store.pool()).await?;
    }
    Ok((org, ids))
}

pub async fn seed(
    config: Config,
    org_slug: &str,
    count: usize,
    declarations_per_person: usize,
    cases: usize,
    preset: &str,
    name: Option<String>,
) -> anyhow::Result<ExitCode> {
    let slug = Slug::parse(org_slug).map_err(|p| anyhow!(both(&p)))?;
    let name = name.unwrap_or_else(|| format!("Organisatie {slug}"));
    let (store, key) = if cases > 0 {
        let (store, key) = open_with_key(&config).await?;
        (store, Some(key))
    } else {
        (open(&config).await?, None)
    };
    let started = std::time::Instant::now();
    seed_org_with(
        &store,
        &SeedSpec {
            slug: &slug,
            people: count,
            declarations_per_person,
            preset,
            name: &name,
            is_demo: false,
            show_progress: true,
        },
    )
    .await?;
    if let Some(key) = key {
        let mut tx = store.begin_write().await?;
        let org = orgs::by_slug(&mut tx, slug.as_str())
            .await?
            .ok_or_else(|| anyhow!("organisation '{slug}' vanished"))?;
        let mut handlers: Vec<integer_domain::org::PersonId> =
            people::with_role(&mut tx, org.id, Role::IntegrityOffice)
                .await?
                .into_iter()
                .map(|p| p.0)
                .collect();
        if handlers.is_empty() {
            handlers = people::with_role(&mut tx, org.id, Role::Employee)
                .await?
                .into_iter()
                .take(3)
                .map(|p| p.0)
                .collect();
        }
        let bar = progress_bar(cases as u64, "cases");
        integer_store::cases::seed_synthetic(
            &mut tx,
            &key,
            org.id,
            cases,
            integer_store::now(),
            &handlers,
            &|n| bar.set_position(n as u64),
        )
        .await?;
        bar.finish_and_clear();
        tx.commit().await?;
        println!("{cases} meldingen/zaken aangemaakt / cases created");
    }
    let declarations = count * declarations_per_person;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{count} mensen en {declarations} verklaringen aangemaakt in {slug} ({secs:.1} s) / \
         {count} people and {declarations} declarations created in {slug} ({secs:.1} s)"
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn token_create(
    config: Config,
    org_slug: &str,
    user: &str,
    name: &str,
) -> anyhow::Result<ExitCode> {
    let email = Email::parse(user).map_err(|p| anyhow!(both(&p)))?;
    let store = open(&config).await?;
    let mut tx = store.begin_write().await?;
    let org = orgs::by_slug(&mut tx, org_slug).await?.ok_or_else(|| {
        anyhow!("organisatie '{org_slug}' bestaat niet / organisation '{org_slug}' does not exist")
    })?;
    let person = people::by_email(&mut tx, org.id, email.as_str())
        .await?
        .ok_or_else(|| {
            anyhow!("{email} is niet bekend in {org_slug} / {email} is not known in {org_slug}")
        })?;
    let (id, token) = tokens::create(&mut tx, org.id, person, name).await?;
    audit::append(
        &mut tx,
        &audit::event(
            Some(org.id.0),
            "cli",
            Credential::Cli,
            "api_token.created",
            "api_token",
            id,
            serde_json::json!({"person": person.0}),
        ),
    )
    .await?;
    tx.commit().await?;
    eprintln!(
        "Bewaar dit token nu; het wordt niet opnieuw getoond / Keep this token now; it is not shown again:"
    );
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

/// The latest checkpoint line of a file (a checkpoints.log, or a copy of
/// the system log).
fn latest_checkpoint(file: &Path) -> anyhow::Result<Option<integer_domain::audit::Checkpoint>> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow!("{}: {e}", file.display())),
    };
    Ok(text
        .lines()
        .rev()
        .find_map(integer_domain::audit::Checkpoint::parse))
}

pub async fn audit_verify(config: Config, checkpoint: Option<&Path>) -> anyhow::Result<ExitCode> {
    let store = open_existing(&config).await?;
    let file = match checkpoint {
        Some(f) => {
            if !f.exists() {
                bail!(
                    "{} bestaat niet / {} does not exist",
                    f.display(),
                    f.display()
                );
            }
            Some(f.to_path_buf())
        }
        None => config.checkpoint_dir().map(|d| d.join(CHECKPOINT_FILE)),
    };
    let cp = match &file {
        Some(f) => latest_checkpoint(f)?,
        None => None,
    };
    if checkpoint.is_some() && cp.is_none() {
        bail!("geen controlepunt in dit bestand / no checkpoint in this file");
    }
    let keyed = audit::is_keyed(&store).await?;
    let v = audit::verify_against(&store, cp.clone()).await?;
    match v.result {
        Ok(()) => {
            let anchor = match &cp {
                Some(c) => format!(
                    "; controlepunt rij {} / checkpoint row {} ({})",
                    c.seq,
                    c.seq,
                    file.as_ref().map(|f| f.display().to_string()).unwrap_or_default()
                ),
                None => "; geen controlepunt gevonden: een afgeknipt einde is zonder controlepunt niet te \
                         zien (`integer audit checkpoint`) / no checkpoint found: a cut tail cannot be \
                         seen without one"
                    .to_string(),
            };
            let how = if keyed {
                ""
            } else {
                " (keten van voor de auditsleutel / chain from before the audit key)"
            };
            println!(
                "Audittrail in orde: {} rijen gecontroleerd / audit trail intact: {} rows checked{how}{anchor}",
                v.rows_checked, v.rows_checked
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            use integer_domain::audit::ChainBreak;
            let nl = match &e {
                ChainBreak::Changed { seq } => format!("rij {seq} is gewijzigd"),
                ChainBreak::Removed {
                    after_seq,
                    next_seq,
                } => format!("rijen tussen {after_seq} en {next_seq} zijn verwijderd"),
                ChainBreak::Inserted { seq } => format!("rij {seq} is ingevoegd"),
                ChainBreak::TailRemoved { last_seq, head_seq } => {
                    format!("rijen na {last_seq} zijn verwijderd (de keten telt er {head_seq})")
                }
                ChainBreak::CheckpointMismatch { seq } => format!(
                    "rij {seq} wijkt af van het controlepunt: de geschiedenis tot daar is herschreven"
                ),
                ChainBreak::ForgedCheckpoint => {
                    "het controlepunt is niet met deze auditsleutel gemaakt".to_string()
                }
            };
            println!("Audittrail GEBROKEN: {nl} / audit trail BROKEN: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The file in `audit.checkpoint_dir` that checkpoints are appended to.
pub const CHECKPOINT_FILE: &str = "checkpoints.log";

/// Writes a checkpoint of the audit chain's head: appended to
/// `checkpoints.log` in `dir` (when there is one) and logged.
pub async fn write_checkpoint(
    store: &Store,
    dir: Option<&Path>,
) -> anyhow::Result<integer_domain::audit::Checkpoint> {
    use std::io::Write;
    let cp = audit::checkpoint(store).await?;
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| anyhow!("{}: {e}", dir.display()))?;
        let file = dir.join(CHECKPOINT_FILE);
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o640);
        }
        let mut f = options
            .open(&file)
            .map_err(|e| anyhow!("{}: {e}", file.display()))?;
        writeln!(f, "{}", cp.line())?;
        f.sync_all()?;
    }
    tracing::info!(target: "integer::audit", checkpoint = %cp.line(), "audit checkpoint");
    Ok(cp)
}

pub async fn audit_checkpoint(config: Config) -> anyhow::Result<ExitCode> {
    let store = open(&config).await?;
    let dir = config.checkpoint_dir();
    let cp = write_checkpoint(&store, dir.as_deref()).await?;
    println!("{}", cp.line());
    match dir {
        Some(d) => eprintln!(
            "Controlepunt toegevoegd aan / checkpoint appended to {}",
            d.join(CHECKPOINT_FILE).display()
        ),
        None => eprintln!(
            "Geen audit.checkpoint_dir: bewaar de regel hierboven buiten de database / no \
             audit.checkpoint_dir: keep the line above outside the database"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn backup(config: Config, file: &Path) -> anyhow::Result<ExitCode> {
    let store = open_existing(&config).await?;
    integer_store::backup::sqlite_backup(&store, file).await?;
    println!("Kopie gemaakt / backup written: {}", file.display());
    Ok(ExitCode::SUCCESS)
}

/// Moves requests that waited too long one level up (see
/// `integer_store::escalation`); returns how many moved.
/// The command line (and the server's periodic job) as an audit actor.
fn cli_by() -> integer_store::publication::By {
    integer_store::publication::By {
        actor: "cli".to_string(),
        credential: Credential::Cli,
    }
}

pub async fn escalate(store: &Store) -> anyhow::Result<usize> {
    let mut tx = store.begin_write().await?;
    let moved = integer_store::escalation::escalate_overdue(&mut tx).await?;
    // The reporting point's clocks: reminders and escalation by e-mail.
    let today = integer_domain::case::local_date(jiff::Timestamp::now());
    let reminders = integer_store::cases::send_reminders(&mut tx, today).await?;
    // The code of conduct's review date (docs/PREVENTION.md), once per date.
    integer_store::prevention::send_review_reminders(&mut tx, today).await?;
    // People who became designated through a change of their personnel
    // record are told their side activities will be published
    // (docs/OPEN-DATA.md).
    let announced = integer_store::publication::sync_all(&mut tx, &cli_by()).await?;
    tx.commit().await?;
    if announced > 0 {
        tracing::info!(
            count = announced,
            "side activities announced for publication"
        );
    }
    if !reminders.is_empty() {
        tracing::info!(count = reminders.len(), "case deadline reminders sent");
    }
    if !moved.is_empty() {
        tracing::info!(count = moved.len(), "requests escalated");
    }
    Ok(moved.len())
}

pub async fn escalate_command(config: Config) -> anyhow::Result<ExitCode> {
    let store = open(&config).await?;
    let n = escalate(&store).await?;
    println!("{n} aanvraag/aanvragen doorgezet / request(s) escalated");
    Ok(ExitCode::SUCCESS)
}

/// `integer key generate FILE`.
pub fn key_generate(file: &Path) -> anyhow::Result<ExitCode> {
    let key = integer_domain::crypto::InstallationKey::generate();
    crate::config::write_private(file, &key.to_hex())?;
    println!(
        "Nieuwe installatiesleutel {} geschreven naar {} / new installation key written",
        key.version(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `integer key rotate --new-key-file FILE`: re-wraps every case key in one
/// transaction and audits it.
pub async fn key_rotate(config: Config, new_key_file: &Path) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(new_key_file)
        .map_err(|e| anyhow::anyhow!("{}: {e}", new_key_file.display()))?;
    let new = integer_domain::crypto::InstallationKey::parse(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", new_key_file.display()))?;
    let (store, old) = open_with_key(&config).await?;
    let mut tx = store.begin_write().await?;
    let n = integer_store::cases::rewrap_all(&mut tx, &old, &new).await?;
    integer_store::key_check::replace(&mut tx, &new).await?;
    integer_store::audit::append(
        &mut tx,
        &integer_store::audit::event(
            None,
            "cli".to_string(),
            integer_domain::audit::Credential::Cli,
            "key.rotated",
            "installation",
            0,
            serde_json::json!({"from": old.version(), "to": new.version(), "cases": n}),
        ),
    )
    .await?;
    tx.commit().await?;
    println!(
        "{n} zaaksleutels opnieuw verpakt met sleutel {} / case keys re-wrapped. \
         Zet nu security.key_file op {} / now point security.key_file at it.",
        new.version(),
        new_key_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `integer cases shred [--dry-run]`: crypto-shredding of cases whose
/// retention period ended.
pub async fn cases_shred(config: Config, dry_run: bool) -> anyhow::Result<ExitCode> {
    let store = open(&config).await?;
    let today = integer_domain::case::local_date(jiff::Timestamp::now());
    let mut tx = store.begin_write().await?;
    let expired = integer_store::cases::expired(&mut tx, today).await?;
    for e in &expired {
        println!(
            "{} zaak {} (organisatie {}), bewaren tot {}",
            if dry_run {
                "zou gaan / would go:"
            } else {
                "vernietigd / shredded:"
            },
            e.number,
            e.org.0,
            e.retention_until
        );
        if !dry_run {
            integer_store::cases::shred(&mut tx, e.id).await?;
            integer_store::audit::append(
                &mut tx,
                &integer_store::audit::event(
                    Some(e.org.0),
                    "cli".to_string(),
                    integer_domain::audit::Credential::Cli,
                    "case.shredded",
                    "case",
                    e.id,
                    serde_json::json!({"number": e.number, "retention_until": e.retention_until}),
                ),
            )
            .await?;
        }
    }
    if dry_run {
        drop(tx);
    } else {
        tx.commit().await?;
    }
    println!("{} zaken / cases", expired.len());
    Ok(ExitCode::SUCCESS)
}
