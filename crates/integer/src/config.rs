//! Configuration: defaults, then a TOML file (`--config`), then environment
//! variables `INTEGER__SECTION__KEY`. A key ending in `_file` (in the file or
//! the environment) names a file whose contents become the key without
//! `_file`, so that secrets can come from mounted secret files. `Debug`
//! never shows a secret or a database password.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::fmt;
use std::path::Path;

/// A value that must never be printed.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "\"[redacted]\""
        })
    }
}

/// A database URL whose password is hidden in `Debug` and `Display`.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: String) -> DatabaseUrl {
        DatabaseUrl(url)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let Some((scheme, rest)) = url.split_once("://") else {
            return url.clone();
        };
        let (authority, tail) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let Some((userinfo, host)) = authority.rsplit_once('@') else {
            return url.clone();
        };
        let user = userinfo.split(':').next().unwrap_or("");
        let mut out = format!("{scheme}://{user}");
        if userinfo.contains(':') {
            out.push_str(":***");
        }
        // Query parameters may carry a password too.
        let tail = match tail.split_once('?') {
            Some((path, query)) => {
                let q: Vec<String> = query
                    .split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                        _ => kv.to_string(),
                    })
                    .collect();
                format!("{path}?{}", q.join("&"))
            }
            None => tail.to_string(),
        };
        format!("{out}@{host}{tail}")
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub session: SessionConfig,
    pub security: SecurityConfig,
    pub log: LogConfig,
    pub smtp: SmtpConfig,
    pub metrics: MetricsConfig,
    pub audit: AuditConfig,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Where checkpoints of the audit trail are appended
    /// (`checkpoints.log`): a directory the database's users cannot
    /// rewrite. Empty with SQLite: `audit-checkpoints` beside the database;
    /// empty with PostgreSQL: checkpoints go to the log only.
    pub checkpoint_dir: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Where `/metrics` (Prometheus text format) is served, apart from the
    /// public address, e.g. `127.0.0.1:9464`. Empty: off.
    pub bind: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub bind: String,
    /// Set when served over TLS (behind a proxy): cookies get `Secure`.
    pub secure_cookies: bool,
    pub max_body_bytes: usize,
    pub max_import_bytes: usize,
    /// The reverse proxies and load balancers in front of Integer:
    /// addresses or networks (`10.0.0.0/8`), as a list or comma-separated.
    /// From them `X-Forwarded-For` and `X-Request-Id` are believed.
    #[serde(deserialize_with = "proxies")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Replaced by `trusted_proxies`; `true` is refused with a message that
    /// says so (`false` changes nothing).
    #[serde(default)]
    pub trust_forwarded_for: Option<bool>,
}

/// A list of addresses or networks, as a TOML array or one string with
/// commas (from the environment). A bare address is a /32 or /128 network.
fn proxies<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        List(Vec<String>),
        One(String),
    }
    let items = match Raw::deserialize(d)? {
        Raw::List(items) => items,
        Raw::One(text) => text.split(',').map(str::to_string).collect(),
    };
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "server.trusted_proxies: '{s}' is geen adres of netwerk / is not an address or network"
                    ))
                })
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: DatabaseUrl,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    pub idle_timeout_minutes: i64,
    pub absolute_timeout_hours: i64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    pub login_max_failures_per_account: i64,
    pub login_max_failures_per_ip: i64,
    pub login_window_minutes: i64,
    /// The installation key that wraps every case key of the reporting
    /// point: 64 hexadecimal characters (`integer key generate`). Give it
    /// as `key_file` (or `INTEGER__SECURITY__KEY_FILE`) in production.
    /// Empty with SQLite: a key file beside the database, made on first
    /// start. Empty with PostgreSQL: the server refuses to start.
    #[serde(default)]
    pub key: Secret,
    /// The key of the audit trail's hash chain: 64 hexadecimal characters
    /// (`integer key generate`). Give it as `audit_key_file` in production.
    /// Empty with SQLite: `audit.key` beside the database, made on first
    /// start (only while the trail has no keyed rows). Empty with
    /// PostgreSQL: Integer refuses to start.
    #[serde(default)]
    pub audit_key: Secret,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter such as `info` or `integer=debug,info`.
    pub level: String,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on the same host or a closed network.
    None,
    /// Plain connect, then STARTTLS, which is required (usually port 587).
    Starttls,
    /// TLS from the first byte, "SMTPS" (usually port 465).
    Tls,
}

/// E-mail for notifications (see docs/OPERATIONS.md, "E-mail").
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// Empty: no authentication.
    pub username: String,
    /// From `password_file` in production.
    pub password: Secret,
    /// The sender, e.g. `Integer <integriteit@gemeente.nl>`.
    pub from: String,
    /// Where people reach Integer, e.g. `https://integer.gemeente.nl`: the
    /// links in the mails start with it.
    pub base_url: String,
    /// How often an instance looks for mail to send.
    pub poll_seconds: u64,
    /// Time-out for one conversation with the SMTP server.
    pub timeout_seconds: u64,
    /// Wait after a failed attempt; it doubles with every further failure
    /// (at most an hour).
    pub retry_seconds: i64,
    /// Attempts before a mail is given up (its error is kept).
    pub max_attempts: i64,
    /// Notifications older than this are not mailed any more.
    pub max_age_hours: i64,
}

const DEFAULTS: &str = r#"
[server]
bind = "127.0.0.1:8080"
secure_cookies = false
max_body_bytes = 1048576
max_import_bytes = 20971520
trusted_proxies = []

[database]
url = "sqlite://data/integer.db"
max_connections = 8
acquire_timeout_secs = 5

[session]
idle_timeout_minutes = 30
absolute_timeout_hours = 12

[security]
login_max_failures_per_account = 5
login_max_failures_per_ip = 50
login_window_minutes = 15
key = ""
audit_key = ""

[log]
format = "text"
level = "info"

[metrics]
bind = ""

[audit]
checkpoint_dir = ""

[smtp]
enabled = false
host = ""
port = 587
tls = "starttls"
username = ""
password = ""
from = ""
base_url = ""
poll_seconds = 5
timeout_seconds = 30
retry_seconds = 60
max_attempts = 8
max_age_hours = 72
"#;

/// Loads the configuration: defaults, the file, the environment, then the
/// `--database-url` override (checked last, so that it can replace a bad
/// URL from the file).
#[cfg(test)]
pub fn load(file: Option<&Path>, env: &[(String, String)]) -> anyhow::Result<Config> {
    load_with(file, env, None)
}

pub fn load_with(
    file: Option<&Path>,
    env: &[(String, String)],
    database_url: Option<&str>,
) -> anyhow::Result<Config> {
    let mut table: toml::Table = toml::from_str(DEFAULTS).expect("defaults are valid TOML");
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("configuratiebestand / config file {}", path.display()))?;
        let from_file: toml::Table = toml::from_str(&text)
            .with_context(|| format!("configuratiebestand / config file {}", path.display()))?;
        merge(&mut table, from_file);
    }
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("INTEGER__") else {
            continue;
        };
        let parts: Vec<String> = rest.split("__").map(|p| p.to_lowercase()).collect();
        if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) {
            bail!("{name}: gebruik INTEGER__SECTIE__SLEUTEL / use INTEGER__SECTION__KEY");
        }
        let section = table
            .entry(parts[0].clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(section) = section else {
            bail!("{name}: not a section")
        };
        section.insert(parts[1].clone(), env_value(value));
    }
    resolve_files(&mut table)?;
    if let Some(url) = database_url
        && let Some(toml::Value::Table(db)) = table.get_mut("database")
    {
        db.insert("url".into(), toml::Value::String(url.to_string()));
    }
    let config: Config = toml::Value::Table(table)
        .try_into()
        .context("configuratie ongeldig / invalid configuration")?;
    integer_store::backend_for_url(config.database.url.expose())?;
    if config.server.trust_forwarded_for == Some(true) {
        bail!(
            "server.trust_forwarded_for bestaat niet meer: noem de proxy's in server.trusted_proxies, \
             bijvoorbeeld [\"10.0.0.2\"] / server.trust_forwarded_for is gone: list your proxies in \
             server.trusted_proxies, for example [\"10.0.0.2\"]"
        );
    }
    Ok(config)
}

/// Environment values are strings; numbers and booleans are recognised.
fn env_value(raw: &str) -> toml::Value {
    if let Ok(i) = raw.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    match raw {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => toml::Value::String(raw.to_string()),
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// `password_file = "/run/secrets/db"` becomes `password = "<contents>"`.
fn resolve_files(table: &mut toml::Table) -> anyhow::Result<()> {
    for (_, section) in table.iter_mut() {
        let toml::Value::Table(section) = section else {
            continue;
        };
        let file_keys: Vec<String> = section
            .keys()
            .filter(|k| k.ends_with("_file"))
            .cloned()
            .collect();
        for key in file_keys {
            let Some(toml::Value::String(path)) = section.remove(&key) else {
                bail!("{key}: verwacht een pad / expected a path");
            };
            let contents = std::fs::read_to_string(&path)
                .with_context(|| format!("{key}: kan {path} niet lezen / cannot read {path}"))?;
            let target = key.trim_end_matches("_file").to_string();
            section.insert(
                target,
                toml::Value::String(contents.trim_end_matches(['\n', '\r']).to_string()),
            );
        }
    }
    Ok(())
}

impl Config {
    pub fn web(&self, demo_mode: bool) -> integer_web::WebConfig {
        integer_web::WebConfig {
            secure_cookies: self.server.secure_cookies,
            demo_mode,
            idle_timeout_secs: self.session.idle_timeout_minutes * 60,
            absolute_timeout_secs: self.session.absolute_timeout_hours * 3600,
            max_body_bytes: self.server.max_body_bytes,
            max_import_bytes: self.server.max_import_bytes,
            login_max_failures_per_account: self.security.login_max_failures_per_account,
            login_max_failures_per_ip: self.security.login_max_failures_per_ip,
            login_window_secs: self.security.login_window_minutes * 60,
            trusted_proxies: self.server.trusted_proxies.clone(),
            installation_key: None,
        }
    }

    /// Where the installation key comes from: the configuration, or (SQLite
    /// only) `installation.key` beside the database file. Reads the file
    /// when it exists; never creates one (see `commands::open_with_key`,
    /// which decides that with the database's key check).
    pub fn key_source(&self) -> anyhow::Result<KeySource<integer_domain::crypto::InstallationKey>> {
        self.key_from(
            &self.security.key,
            "installation.key",
            |t| integer_domain::crypto::InstallationKey::parse(t).map_err(|e| e.to_string()),
            "security.key",
            "Geen installatiesleutel: zet security.key_file (maak er een met `integer key generate`). / \
             No installation key: set security.key_file (make one with `integer key generate`).",
        )
    }

    /// Where the audit key comes from: the configuration, or (SQLite only)
    /// `audit.key` beside the database file. Never creates one (see
    /// `commands::load_audit_key`).
    pub fn audit_key_source(&self) -> anyhow::Result<KeySource<integer_domain::audit::AuditKey>> {
        self.key_from(
            &self.security.audit_key,
            "audit.key",
            |t| integer_domain::audit::AuditKey::parse(t).map_err(|e| e.to_string()),
            "security.audit_key",
            "Geen auditsleutel: zet security.audit_key_file (maak er een met `integer key \
             generate`), op elke server dezelfde. / No audit key: set security.audit_key_file \
             (make one with `integer key generate`), the same on every server.",
        )
    }

    /// A key from the configuration (`setting`), or else from `file_name`
    /// beside a SQLite database (read when it exists); with PostgreSQL and
    /// nothing configured, `missing`.
    fn key_from<K>(
        &self,
        configured: &Secret,
        file_name: &str,
        parse: impl Fn(&str) -> Result<K, String>,
        setting: &str,
        missing: &str,
    ) -> anyhow::Result<KeySource<K>> {
        let configured = configured.expose().trim();
        if !configured.is_empty() {
            return parse(configured).map(KeySource::Configured).map_err(|e| {
                anyhow::anyhow!(
                    "{setting} is ongeldig: gebruik 64 hexadecimale tekens (integer key generate) / \
                     {setting} is invalid: {e}"
                )
            });
        }
        let Some(file) = self.beside_database(file_name) else {
            anyhow::bail!("{missing}");
        };
        match std::fs::read_to_string(&file) {
            Ok(text) => parse(&text)
                .map(|key| KeySource::File(file.clone(), Some(key)))
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(KeySource::File(file, None)),
            Err(e) => Err(anyhow::anyhow!("{}: {e}", file.display())),
        }
    }

    /// A file beside the SQLite database; `None` for PostgreSQL.
    fn beside_database(&self, name: &str) -> Option<std::path::PathBuf> {
        let db = integer_store::sqlite_path(self.database.url.expose())?;
        Some(
            db.parent()
                .map(|d| d.join(name))
                .unwrap_or_else(|| std::path::PathBuf::from(name)),
        )
    }

    /// Where audit checkpoints are appended, if anywhere.
    pub fn checkpoint_dir(&self) -> Option<std::path::PathBuf> {
        let configured = self.audit.checkpoint_dir.trim();
        if !configured.is_empty() {
            return Some(std::path::PathBuf::from(configured));
        }
        self.beside_database("audit-checkpoints")
    }

    pub fn pool(&self) -> integer_store::PoolSettings {
        integer_store::PoolSettings {
            max_connections: self.database.max_connections,
            acquire_timeout: std::time::Duration::from_secs(self.database.acquire_timeout_secs),
        }
    }
}

/// Where a key (the installation key, the audit key) was found.
pub enum KeySource<K> {
    /// The configuration (`security.key`, `security.audit_key`, or their
    /// `_file` forms).
    Configured(K),
    /// The key file beside a SQLite database, and its key when it exists.
    File(std::path::PathBuf, Option<K>),
}

/// Writes a secret file readable by its owner only.
pub fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod proxy_config_tests {
    use super::*;

    #[test]
    fn trusted_proxies_from_a_file_or_the_environment() {
        let env = vec![(
            "INTEGER__SERVER__TRUSTED_PROXIES".to_string(),
            "10.0.0.0/8, 192.0.2.7".to_string(),
        )];
        let c = load_with(None, &env, None).unwrap();
        assert_eq!(
            c.server.trusted_proxies,
            vec![
                "10.0.0.0/8".parse::<ipnet::IpNet>().unwrap(),
                "192.0.2.7/32".parse().unwrap()
            ]
        );
        let bad = vec![(
            "INTEGER__SERVER__TRUSTED_PROXIES".to_string(),
            "proxy.example".to_string(),
        )];
        let err = format!("{:#}", load_with(None, &bad, None).unwrap_err());
        assert!(err.contains("proxy.example"), "{err}");
        let old = vec![(
            "INTEGER__SERVER__TRUST_FORWARDED_FOR".to_string(),
            "true".to_string(),
        )];
        let err = format!("{:#}", load_with(None, &old, None).unwrap_err());
        assert!(err.contains("trusted_proxies"), "{err}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("integer.toml");
        std::fs::write(
            &file,
            "[server]\nbind = \"0.0.0.0:9000\"\n[session]\nidle_timeout_minutes = 10\n",
        )
        .unwrap();
        let c = load(
            Some(&file),
            &env(&[("INTEGER__SESSION__IDLE_TIMEOUT_MINUTES", "5")]),
        )
        .unwrap();
        assert_eq!(c.server.bind, "0.0.0.0:9000");
        assert_eq!(c.session.idle_timeout_minutes, 5);
        assert_eq!(c.session.absolute_timeout_hours, 12);
    }

    #[test]
    fn secrets_come_from_files_and_never_show_in_debug() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("key");
        std::fs::write(&secret, "s3cr3t-installation-key\n").unwrap();
        let db = dir.path().join("db");
        std::fs::write(
            &db,
            "postgres://integer:hunter2@db.internal:5432/integer?password=hunter3\n",
        )
        .unwrap();
        let smtp = dir.path().join("smtp");
        std::fs::write(&smtp, "smtp-pa55word\n").unwrap();
        let c = load(
            None,
            &env(&[
                ("INTEGER__SECURITY__KEY_FILE", secret.to_str().unwrap()),
                ("INTEGER__DATABASE__URL_FILE", db.to_str().unwrap()),
                ("INTEGER__SMTP__PASSWORD_FILE", smtp.to_str().unwrap()),
                ("INTEGER__SMTP__USERNAME", "integer-mailer"),
            ]),
        )
        .unwrap();
        assert_eq!(c.security.key.expose(), "s3cr3t-installation-key");
        assert!(c.database.url.expose().contains("hunter2"));
        assert_eq!(c.smtp.password.expose(), "smtp-pa55word");
        let shown = format!("{c:?} {:#?} {} {:?}", c, c.database.url, c.smtp);
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(!shown.contains("pa55word"), "{shown}");
        assert!(shown.contains("integer-mailer"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("hunter3"), "{shown}");
        assert!(
            shown.contains("integer:***@db.internal:5432/integer"),
            "{shown}"
        );
    }

    #[test]
    fn smtp_is_off_by_default_and_set_from_the_environment() {
        let c = load(None, &[]).unwrap();
        assert!(!c.smtp.enabled);
        assert_eq!(c.smtp.tls, SmtpTls::Starttls);
        let c = load(
            None,
            &env(&[
                ("INTEGER__SMTP__ENABLED", "true"),
                ("INTEGER__SMTP__HOST", "smtp.gemeente.nl"),
                ("INTEGER__SMTP__PORT", "465"),
                ("INTEGER__SMTP__TLS", "tls"),
            ]),
        )
        .unwrap();
        assert!(c.smtp.enabled);
        assert_eq!(c.smtp.host, "smtp.gemeente.nl");
        assert_eq!((c.smtp.port, c.smtp.tls), (465, SmtpTls::Tls));
        let err = load(None, &env(&[("INTEGER__SMTP__TLS", "ssl")])).unwrap_err();
        assert!(format!("{err:#}").contains("ssl"), "{err:#}");
    }

    #[test]
    fn unknown_database_scheme_is_refused() {
        let err = load(None, &env(&[("INTEGER__DATABASE__URL", "mysql://x/y")])).unwrap_err();
        assert!(
            format!("{err:#}").contains("Unknown database URL scheme"),
            "{err:#}"
        );
        let err = load(None, &env(&[("INTEGER__DATABASE__URL", "integer.db")])).unwrap_err();
        assert!(format!("{err:#}").contains("Onbekend"), "{err:#}");
    }

    #[test]
    fn the_command_line_url_wins_over_a_bad_one() {
        let vars = env(&[("INTEGER__DATABASE__URL", "mysql://x/y")]);
        let c = load_with(None, &vars, Some("sqlite://data/x.db")).unwrap();
        assert_eq!(c.database.url.expose(), "sqlite://data/x.db");
    }

    #[test]
    fn typos_are_refused() {
        let err = load(None, &env(&[("INTEGER__SERVER__BIMD", "x")])).unwrap_err();
        assert!(format!("{err:#}").contains("bimd"), "{err:#}");
        assert!(load(None, &env(&[("INTEGER__SERVER", "x")])).is_err());
    }
}
