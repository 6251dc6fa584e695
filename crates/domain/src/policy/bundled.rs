//! The presets shipped with Integer, read from the repository's `policies/`
//! directory at compile time, and the Ambtenarenwet baseline that the engine
//! falls back on where a code of conduct is silent.

use std::sync::OnceLock;

use super::load::load;
use super::preset::Preset;

/// Name of the baseline preset (not an organisation; not in [`preset_names`]).
pub const BASELINE_NAME: &str = "ambtenarenwet-baseline";

const BASELINE_SOURCE: &str = include_str!("ambtenarenwet-baseline.toml");

const SOURCES: [(&str, &str); 4] = [
    (
        "leidschendam-voorburg",
        include_str!("../../../../policies/leidschendam-voorburg.toml"),
    ),
    (
        "maastricht",
        include_str!("../../../../policies/maastricht.toml"),
    ),
    ("dalfsen", include_str!("../../../../policies/dalfsen.toml")),
    (
        "provincie-limburg",
        include_str!("../../../../policies/provincie-limburg.toml"),
    ),
];

/// The names of the bundled presets, in a stable order.
pub fn preset_names() -> Vec<&'static str> {
    SOURCES.iter().map(|(name, _)| *name).collect()
}

/// The TOML source of a bundled preset, e.g. to start editing from it.
pub fn bundled_preset_source(name: &str) -> Option<&'static str> {
    SOURCES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// All bundled presets, parsed and validated once.
///
/// # Panics
/// If a bundled file is invalid. The test suite loads every bundled file,
/// so this is a build defect, never a runtime condition.
pub fn bundled_presets() -> &'static [Preset] {
    static PRESETS: OnceLock<Vec<Preset>> = OnceLock::new();
    PRESETS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(name, source)| {
                Preset::from_toml_str(name, source)
                    .unwrap_or_else(|e| panic!("bundled preset is invalid: {e}"))
            })
            .collect()
    })
}

/// One bundled preset by name.
pub fn bundled_preset(name: &str) -> Option<&'static Preset> {
    bundled_presets().iter().find(|p| p.name == name)
}

/// The Ambtenarenwet baseline.
///
/// # Panics
/// If the bundled baseline is invalid (a build defect; tests load it).
pub fn baseline() -> &'static Preset {
    static BASELINE: OnceLock<Preset> = OnceLock::new();
    BASELINE.get_or_init(|| {
        load(BASELINE_NAME, BASELINE_SOURCE, None)
            .unwrap_or_else(|e| panic!("bundled baseline is invalid: {e}"))
    })
}
