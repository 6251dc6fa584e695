//! The preset in force for an organisation: its newest own revision, or the
//! bundled preset it names. Parsed presets are kept in a small cache keyed
//! by the text's digest, so the cache can never disagree with the database
//! (several server instances stay consistent).

use crate::error::AppError;
use integer_domain::org::OrgId;
use integer_domain::policy::{self, Preset};
use integer_store::{Db, presets};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The preset in force and where it comes from.
#[derive(Clone)]
pub struct Effective {
    pub preset: Arc<Preset>,
    /// 0 for the bundled preset, else the organisation's revision number.
    pub revision: i64,
    /// The TOML text in force (to start editing from).
    pub source: String,
}

fn cache() -> &'static Mutex<HashMap<String, Arc<Preset>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Preset>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Parses a stored revision once per digest. Its version becomes
/// `<version in the file>+r<revision>`, so a decision names the exact
/// revision that made it even when the editor did not change the version.
fn parse_revision(base: &str, rev: &presets::Revision) -> Result<Arc<Preset>, AppError> {
    let key = format!("{}:{}", rev.revision, rev.digest);
    if let Some(p) = cache().lock().expect("cache lock").get(&key) {
        return Ok(p.clone());
    }
    let mut preset = Preset::from_toml_str(base, &rev.source).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "stored preset revision {} no longer loads: {e}",
            rev.revision
        ))
    })?;
    preset.version = format!("{}+r{}", preset.version, rev.revision);
    let preset = Arc::new(preset);
    let mut c = cache().lock().expect("cache lock");
    if c.len() > 64 {
        c.clear();
    }
    c.insert(key, preset.clone());
    Ok(preset)
}

pub async fn effective(db: &mut Db, org: OrgId, base: &str) -> Result<Effective, AppError> {
    if let Some(rev) = presets::latest(db, org).await? {
        let preset = parse_revision(base, &rev)?;
        return Ok(Effective {
            preset,
            revision: rev.revision,
            source: rev.source,
        });
    }
    let preset = policy::bundled_preset(base).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("organisation names an unknown preset"))
    })?;
    let source = policy::bundled_preset_source(base)
        .unwrap_or_default()
        .to_string();
    Ok(Effective {
        preset: Arc::new(preset.clone()),
        revision: 0,
        source,
    })
}
