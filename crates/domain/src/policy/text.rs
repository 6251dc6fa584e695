//! The bundled text of a code of conduct: documents made of sections, so
//! that every citation resolves to readable text, and a simple search.

use serde::Serialize;

/// One section of a source document (an article, a rule, an explanation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub text: String,
}

/// A source document, identified by the file stem of its seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub id: String,
    pub title: String,
    pub sections: Vec<Section>,
}

impl Document {
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }
}

/// A search result: where the query was found and a snippet around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit<'a> {
    pub document: &'a str,
    pub section: &'a Section,
    pub snippet: String,
}

/// Case-insensitive substring search over section titles and texts.
pub fn search<'a>(documents: &'a [Document], query: &str) -> Vec<SearchHit<'a>> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for doc in documents {
        for section in &doc.sections {
            if let Some(at) = find_lowercase(&section.text, &needle) {
                hits.push(SearchHit {
                    document: &doc.id,
                    section,
                    snippet: snippet(&section.text, at, needle.len()),
                });
            } else if section.title.to_lowercase().contains(&needle) {
                hits.push(SearchHit {
                    document: &doc.id,
                    section,
                    snippet: snippet(&section.text, 0, 0),
                });
            }
        }
    }
    hits
}

/// Byte offset in `haystack` where the lowercased needle starts. Lowercasing
/// can change byte lengths, so offsets are mapped back char by char.
fn find_lowercase(haystack: &str, needle: &str) -> Option<usize> {
    let mut lowered = String::with_capacity(haystack.len());
    let mut origin = Vec::with_capacity(haystack.len());
    for (i, c) in haystack.char_indices() {
        for l in c.to_lowercase() {
            let before = lowered.len();
            lowered.push(l);
            origin.extend(std::iter::repeat_n(i, lowered.len() - before));
        }
    }
    lowered.find(needle).map(|at| origin[at])
}

/// About 80 characters either side of the match, cut at char boundaries.
fn snippet(text: &str, at: usize, len: usize) -> String {
    const CONTEXT: usize = 80;
    let mut start = at.saturating_sub(CONTEXT);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + len + CONTEXT).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(text[start..end].trim());
    if end < text.len() {
        out.push('…');
    }
    out.replace('\n', " ")
}

/// A pointer from a rule or decision to a section of a source document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    /// The file stem of the source document, e.g.
    /// `voorbeeldstad-gedragscode`.
    pub document: String,
    /// The section id within that document, e.g. `3.2`.
    pub section: String,
}
