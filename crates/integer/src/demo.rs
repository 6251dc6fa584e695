//! `integer demo`: a fresh database with one demo organisation per bundled
//! preset, people in every role, and accounts whose password is `demo`
//! (accepted only while the server runs in demo mode).

use crate::commands::{seed_org, serve_store};
use crate::config::Config;
use integer_domain::org::{BUNDLED_PRESETS, Role};
use integer_domain::values::Slug;
use integer_store::{Store, people};
use std::path::PathBuf;
use std::process::ExitCode;

const DEMO_PEOPLE: usize = 80;

fn org_name(preset: &str) -> &'static str {
    match preset {
        "leidschendam-voorburg" => "Gemeente Leidschendam-Voorburg",
        "maastricht" => "Gemeente Maastricht",
        "dalfsen" => "Gemeente Dalfsen",
        "provincie-limburg" => "Provincie Limburg",
        _ => "Demo-organisatie",
    }
}

/// The demo account of each role: (role, the mailbox name).
const ACCOUNTS: [(Role, &str); 10] = [
    (Role::Employee, "medewerker"),
    (Role::Manager, "leidinggevende"),
    (Role::IntegrityOffice, "integriteit"),
    (Role::Counsellor, "vertrouwenspersoon"),
    (Role::Hr, "hr"),
    (Role::Director, "directeur"),
    (Role::Board, "bestuur"),
    (Role::Investigator, "onderzoeker"),
    (Role::PrivacyOfficer, "fg"),
    (Role::Admin, "beheerder"),
];

pub async fn run(
    mut config: Config,
    port: u16,
    data_dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let dir = match data_dir {
        Some(d) => d,
        None => std::env::temp_dir().join(format!("integer-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let db = dir.join("demo.db");
    // A fresh demo every time. Everything the demo writes, its installation
    // key included, stays in its own data directory: the key is the one
    // beside the demo database (see `Config::key_source`).
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    config.database.url = crate::config::DatabaseUrl::new(format!("sqlite://{}", db.display()));
    let (store, key): (Store, _) = crate::commands::open_with_key(&config).await?;
    println!("Demogegevens in / demo data in {}", dir.display());
    let demo_hash =
        tokio::task::spawn_blocking(|| integer_web::security::hash_password("demo")).await??;

    println!("Demo-accounts (wachtwoord / password: demo):");
    for preset in BUNDLED_PRESETS {
        let slug = Slug::parse(preset)?;
        let (org, ids) = seed_org(
            &store,
            &slug,
            DEMO_PEOPLE,
            preset,
            org_name(preset),
            true,
            false,
        )
        .await?;
        let mut tx = store.begin_write().await?;
        let mut used = Vec::new();
        let mut accounts = Vec::new();
        println!("\n  {} ({})", org.name, org.slug);
        for (role, mailbox) in ACCOUNTS {
            // The first person with this role (for the employee: someone
            // with no other role) who has no demo account yet.
            let mut chosen = None;
            // The demo manager is the demo employee's own manager, so that
            // a declaration of the one lands in the inbox of the other.
            if role == Role::Manager
                && let Some(employee) = used.first()
                && let Some(p) =
                    people::get(&mut tx, org.id, integer_domain::org::PersonId(*employee)).await?
            {
                chosen = p.manager_id.map(|m| m.0).filter(|m| !used.contains(m));
            }
            for id in ids.iter().filter(|_| chosen.is_none()) {
                let roles = people::roles(&mut tx, integer_domain::org::PersonId(*id)).await?;
                let fits = if role == Role::Employee {
                    roles == vec![Role::Employee]
                } else {
                    roles.contains(&role)
                };
                if fits && !used.contains(id) {
                    chosen = Some(*id);
                    break;
                }
            }
            let Some(id) = chosen else { continue };
            used.push(id);
            accounts.push((role, id));
            let email = format!("{mailbox}@{}.demo", org.slug);
            integer_store::people::set_demo_account(
                &mut tx,
                org.id,
                integer_domain::org::PersonId(id),
                &email,
                &demo_hash,
            )
            .await?;
            println!("    {:<20} {email}", mailbox);
        }
        tx.commit().await?;
        // A lived-in organisation: declarations in every state, cases,
        // published side activities, trainings, last year's draft report.
        crate::demo_data::populate(&store, &org, &ids, &accounts, &key).await?;
    }
    println!(
        "\n  Integriteit, vertrouwenspersoon, onderzoeker en directeur stellen bij de eerste\n  \
         keer inloggen een tweede stap in (authenticator-app). / These roles set up a\n  \
         second factor (authenticator app) at their first sign-in."
    );
    println!();
    let bind = format!("127.0.0.1:{port}");
    let mut web = config.web(true);
    web.installation_key = Some(key);
    serve_store(store, web, &bind).await?;
    Ok(ExitCode::SUCCESS)
}
