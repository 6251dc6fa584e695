//! Errors in a preset file, each located (line and column where known, and
//! the key path) and explained in English and Dutch.

use std::fmt;

/// One thing wrong with a preset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key path, e.g. `rules[3].cite[0].section` (empty for syntax errors).
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub reason_en: String,
    pub reason_nl: String,
}

impl Problem {
    fn location(&self) -> String {
        let mut parts = Vec::new();
        if let Some(line) = self.line {
            match self.column {
                Some(col) => parts.push(format!("{line}:{col}")),
                None => parts.push(format!("{line}")),
            }
        }
        if !self.path.is_empty() {
            parts.push(self.path.clone());
        }
        parts.join(" ")
    }
}

/// Why a preset could not be loaded. Holds every problem found, so that
/// `integer policy validate` can list them all at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub preset: String,
    pub problems: Vec<Problem>,
}

impl PolicyError {
    pub fn message_en(&self) -> String {
        self.render(|p| &p.reason_en, "problem(s) in preset")
    }

    pub fn message_nl(&self) -> String {
        self.render(|p| &p.reason_nl, "fout(en) in preset")
    }

    fn render(&self, reason: impl Fn(&Problem) -> &String, what: &str) -> String {
        let mut out = format!("{} {what} `{}`:", self.problems.len(), self.preset);
        for p in &self.problems {
            out.push_str(&format!("\n  {}: {}", p.location(), reason(p)));
        }
        out
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for PolicyError {}

/// Converts a byte offset into a 1-based (line, column).
pub(crate) fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
