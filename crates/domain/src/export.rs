//! One writer for every CSV and ODS file the system produces (registers,
//! the public register, the counsellors' counts, the annual report, the
//! command line's exports), so that no export can carry a formula into a
//! spreadsheet.
//!
//! A CSV cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage
//! return would be run as a formula by Excel or LibreOffice (CSV
//! injection): [`neutralise`] puts an apostrophe before it, which the
//! spreadsheet shows as text. ODS cells are typed: text cells are never
//! formulas, so they stay as they are ([`ods::spreadsheet`]).

pub mod ods;

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as a spreadsheet shows it, never as a formula. A plain number
/// (`-12.5`) stays a number.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if is_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Whether a cell as written would be taken for a formula (for tests of
/// every export).
pub fn is_formula(cell: &str) -> bool {
    cell.starts_with(FORMULA_START) && !is_plain_number(cell)
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
        && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// A CSV file: a header and rows, every cell neutralised.
pub struct CsvWriter {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvWriter {
    pub fn new<S: AsRef<str>>(header: &[S]) -> CsvWriter {
        let mut w = CsvWriter {
            writer: csv::Writer::from_writer(Vec::new()),
        };
        w.row(header);
        w
    }

    /// Adds a row. Writing to memory does not fail.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        self.writer
            .write_record(cells.iter().map(|c| neutralise(c.as_ref()).into_owned()))
            .expect("writing CSV to memory does not fail");
    }

    pub fn finish(self) -> Vec<u8> {
        self.writer
            .into_inner()
            .expect("flushing CSV to memory does not fail")
    }
}

/// A whole CSV file at once.
pub fn csv<S: AsRef<str>>(header: &[&str], rows: &[Vec<S>]) -> Vec<u8> {
    let mut w = CsvWriter::new(header);
    for r in rows {
        w.row(r);
    }
    w.finish()
}

/// Bidirectional-text controls (U+202A-U+202E, U+2066-U+2069, U+200E,
/// U+200F, U+061C): a file name such as `invoice\u{202e}fdp.exe` would show
/// as `invoiceexe.pdf`.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

/// A file name as it may be shown and stored: no bidirectional controls,
/// no control characters, no path, at most 200 characters; `bestand` when
/// nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !is_bidi_control(*c) && !c.is_control())
        .take(200)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        "bestand".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_text_stays() {
        for f in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-",
            "+A1",
        ] {
            assert_eq!(neutralise(f), format!("'{f}"));
            assert!(!is_formula(&neutralise(f)));
        }
        for t in ["Gemeente", "", "3", "a=b", "'al", "-12.5", "+3", "-0"] {
            assert_eq!(neutralise(t), t);
        }
    }

    #[test]
    fn the_csv_writer_neutralises_every_cell() {
        let bytes = csv(&["naam", "waarde"], &[vec!["=1+1", "Jan, \"de\" Vries"]]);
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "naam,waarde\n'=1+1,\"Jan, \"\"de\"\" Vries\"\n");
    }

    #[test]
    fn file_names_lose_bidi_controls_and_paths() {
        assert_eq!(clean_file_name("factuur\u{202e}fdp.exe"), "factuurfdp.exe");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\temp\\brief.pdf"), "brief.pdf");
        assert_eq!(clean_file_name("\u{2067}\u{2069}"), "bestand");
        assert_eq!(clean_file_name("a\nb.txt"), "ab.txt");
        assert_eq!(clean_file_name("notulen.pdf"), "notulen.pdf");
    }
}
