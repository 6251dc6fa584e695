//! Translations: every text a person reads comes from `locales/nl.toml` or
//! `locales/en.toml` (flat `key = "text"` files, `{name}` for arguments).
//! Dutch is the first language; English the second.

use crate::Problem;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nl, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header,
    /// honouring q-values; Dutch when nothing matches.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Lang::from_code(primary)
                && q > 0.0
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// All translations of both languages.
#[derive(Debug)]
pub struct Catalog {
    nl: HashMap<String, String>,
    en: HashMap<String, String>,
}

/// The Dutch texts, one file per area so that work on one area does not
/// touch another's file. A key defined twice is an error when parsing.
const NL_SOURCES: &[&str] = &[
    include_str!("../locales/nl.toml"),
    include_str!("../locales/nl-meldpunt.toml"),
    include_str!("../locales/nl-account.toml"),
    include_str!("../locales/nl-counsel.toml"),
    include_str!("../locales/nl-prevention.toml"),
    include_str!("../locales/nl-learning.toml"),
    include_str!("../locales/nl-report.toml"),
    include_str!("../locales/nl-policy.toml"),
    include_str!("../locales/nl-wbk.toml"),
    include_str!("../locales/nl-publication.toml"),
];
const EN_SOURCES: &[&str] = &[
    include_str!("../locales/en.toml"),
    include_str!("../locales/en-meldpunt.toml"),
    include_str!("../locales/en-account.toml"),
    include_str!("../locales/en-counsel.toml"),
    include_str!("../locales/en-prevention.toml"),
    include_str!("../locales/en-learning.toml"),
    include_str!("../locales/en-report.toml"),
    include_str!("../locales/en-policy.toml"),
    include_str!("../locales/en-wbk.toml"),
    include_str!("../locales/en-publication.toml"),
];

impl Catalog {
    /// The catalogue compiled into the binary, parsed once.
    pub fn bundled() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(&NL_SOURCES.join("\n"), &EN_SOURCES.join("\n"))
                .expect("the bundled translation files are valid")
        })
    }

    pub fn parse(nl: &str, en: &str) -> Result<Catalog, String> {
        Ok(Catalog {
            nl: parse_file(nl, "nl")?,
            en: parse_file(en, "en")?,
        })
    }

    fn table(&self, lang: Lang) -> &HashMap<String, String> {
        match lang {
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }

    /// The text for `key`; the key itself when it is missing (a test makes
    /// sure no used key is missing).
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.table(lang).get(key).map(String::as_str).unwrap_or(key)
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.table(lang).contains_key(key)
    }

    /// The text for `key` with `{name}` replaced by the arguments.
    pub fn format(&self, lang: Lang, key: &str, args: &[(&str, String)]) -> String {
        let mut text = self.get(lang, key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn render(&self, lang: Lang, problem: &Problem) -> String {
        let args: Vec<(&str, String)> = problem.args.iter().map(|(k, v)| (*k, v.clone())).collect();
        self.format(lang, problem.key, &args)
    }

    pub fn keys(&self, lang: Lang) -> impl Iterator<Item = &str> {
        self.table(lang).keys().map(String::as_str)
    }
}

fn parse_file(source: &str, name: &str) -> Result<HashMap<String, String>, String> {
    let table: toml::Table =
        toml::from_str(source).map_err(|e| format!("locales/{name}.toml: {e}"))?;
    table
        .into_iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k, s)),
            _ => Err(format!("locales/{name}.toml: {k} is not a string")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let c = Catalog::bundled();
        for key in c.keys(Lang::Nl) {
            assert!(c.has(Lang::En, key), "{key} missing in en.toml");
        }
        for key in c.keys(Lang::En) {
            assert!(c.has(Lang::Nl, key), "{key} missing in nl.toml");
        }
    }

    #[test]
    fn accept_language_honours_quality() {
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,nl;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("de-DE,nl;q=0.5,en;q=0.4"),
            Lang::Nl
        );
        assert_eq!(Lang::from_accept_language("fr"), Lang::Nl);
        assert_eq!(Lang::from_accept_language(""), Lang::Nl);
    }

    #[test]
    fn problems_render_with_arguments() {
        let p = Problem::new("error-salary-scale-invalid").with("value", "19");
        let c = Catalog::bundled();
        assert!(c.render(Lang::Nl, &p).contains("19"));
        assert!(c.render(Lang::En, &p).contains("19"));
        assert_ne!(c.render(Lang::Nl, &p), c.render(Lang::En, &p));
    }
}
