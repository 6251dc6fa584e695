//! Tagged, accessible PDF documents (PDF/A-2a and PDF/UA-1) from a simple
//! document model: headings, paragraphs, tables with header cells and
//! captions, and bar charts with a text alternative. Used for the annual
//! integrity report. Fonts (DejaVu Sans, free licence in `fonts/`) are
//! compiled in and embedded, so the PDF looks the same everywhere.
//!
//! Layout is done here in two passes: first every line, cell and bar is
//! placed on a page, then the pages are drawn and each piece of content is
//! tied to its place in the tag tree (headings, paragraphs, table rows and
//! cells, figures), in reading order; page numbers are artifacts.

pub mod annual;

use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use std::collections::HashMap;
use std::num::NonZeroU16;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.0;
const LEADING: f32 = 1.4;

/// A document to render.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub title: String,
    /// BCP 47 language of the text, such as `nl-NL`.
    pub lang: String,
    pub author: String,
    /// "Pagina" / "Page" before the page number.
    pub page_label: String,
    /// The creation date (year, month, day), required by PDF/A.
    pub created: (u16, u8, u8),
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// Level 1 to 3.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(String),
    Table {
        caption: String,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        /// Right-aligned (numeric) columns.
        numeric: Vec<bool>,
    },
    /// A horizontal bar chart; `alt` is read instead of the picture.
    Bars {
        title: String,
        alt: String,
        bars: Vec<Bar>,
    },
}

/// One bar: its label, its length (0 for a hidden count) and the text
/// beside it (the number, or "< 5").
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

struct Fonts {
    regular: Font,
    bold: Font,
    regular_ref: skrifa::FontRef<'static>,
    bold_ref: skrifa::FontRef<'static>,
}

impl Fonts {
    fn load() -> Fonts {
        Fonts {
            regular: Font::new(REGULAR.to_vec().into(), 0).expect("the bundled font loads"),
            bold: Font::new(BOLD.to_vec().into(), 0).expect("the bundled font loads"),
            regular_ref: skrifa::FontRef::new(REGULAR).expect("the bundled font parses"),
            bold_ref: skrifa::FontRef::new(BOLD).expect("the bundled font parses"),
        }
    }

    fn width(&self, text: &str, bold: bool, size: f32) -> f32 {
        let font = if bold {
            &self.bold_ref
        } else {
            &self.regular_ref
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(size * 0.6)
            })
            .sum()
    }

    /// Breaks `text` into lines no wider than `max` (words longer than a
    /// line are cut).
    fn wrap(&self, text: &str, bold: bool, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, bold, size) <= max || line.is_empty() {
                    line = candidate;
                    // A single word wider than the line: cut it.
                    while self.width(&line, bold, size) > max && line.chars().count() > 1 {
                        let mut head = String::new();
                        for c in line.chars() {
                            if self.width(&format!("{head}{c}"), bold, size) > max {
                                break;
                            }
                            head.push(c);
                        }
                        let rest: String = line.chars().skip(head.chars().count().max(1)).collect();
                        lines.push(head);
                        line = rest;
                    }
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// What a piece of content belongs to in the tag tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Owner {
    Block(usize),
    Caption(usize),
    Cell(usize, usize, usize),
}

#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
        color: (u8, u8, u8),
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: (u8, u8, u8),
    },
}

struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<(Owner, Op)>>,
    y: f32,
    /// (level, text, page, y) of every heading, for the bookmarks.
    headings: Vec<(u8, String, usize, f32)>,
}

impl Layout<'_> {
    fn bottom() -> f32 {
        PAGE_H - MARGIN
    }

    fn ensure(&mut self, height: f32) {
        if self.pages.is_empty() || self.y + height > Self::bottom() {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn push(&mut self, owner: Owner, op: Op) {
        self.pages.last_mut().expect("a page").push((owner, op));
    }

    fn text_block(&mut self, owner: Owner, text: &str, size: f32, bold: bool, space_after: f32) {
        let line_h = size * LEADING;
        for line in self.fonts.wrap(text, bold, size, PAGE_W - 2.0 * MARGIN) {
            self.ensure(line_h);
            self.y += line_h;
            if !line.is_empty() {
                self.push(
                    owner,
                    Op::Text {
                        x: MARGIN,
                        y: self.y - size * 0.3,
                        size,
                        bold,
                        text: line,
                        color: (0x1a, 0x1a, 0x1a),
                    },
                );
            }
        }
        self.y += space_after;
    }

    fn table(
        &mut self,
        b: usize,
        caption: &str,
        header: &[String],
        rows: &[Vec<String>],
        numeric: &[bool],
    ) {
        let size = BODY - 1.0;
        let line_h = size * LEADING;
        let pad = 4.0;
        let cols = header.len().max(1);
        let avail = PAGE_W - 2.0 * MARGIN;
        // Column widths: proportional to the widest content, at least a
        // fair share of what is left.
        let mut want: Vec<f32> = (0..cols)
            .map(|c| {
                std::iter::once(
                    header
                        .get(c)
                        .map(|h| self.fonts.width(h, true, size))
                        .unwrap_or(0.0),
                )
                .chain(rows.iter().map(|r| {
                    r.get(c)
                        .map(|v| self.fonts.width(v, false, size))
                        .unwrap_or(0.0)
                }))
                .fold(0.0, f32::max)
                    + 2.0 * pad
            })
            .collect();
        let total: f32 = want.iter().sum();
        if total > avail {
            let scale = avail / total;
            for w in &mut want {
                *w = (*w * scale).max(40.0);
            }
        }
        let widths = want;
        self.ensure(line_h * 3.0);
        self.y += line_h;
        self.push(
            Owner::Caption(b),
            Op::Text {
                x: MARGIN,
                y: self.y - size * 0.3,
                size,
                bold: true,
                text: caption.to_string(),
                color: (0x1a, 0x1a, 0x1a),
            },
        );
        self.y += 2.0;
        let header_row: Vec<String> = header.to_vec();
        let all_rows: Vec<(bool, &Vec<String>)> = std::iter::once((true, &header_row))
            .chain(rows.iter().map(|r| (false, r)))
            .collect();
        for (ri, (is_header, row)) in all_rows.into_iter().enumerate() {
            let wrapped: Vec<Vec<String>> = (0..cols)
                .map(|c| {
                    let text = row.get(c).map(String::as_str).unwrap_or("");
                    self.fonts
                        .wrap(text, is_header, size, widths[c] - 2.0 * pad)
                })
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * line_h + pad;
            self.ensure(h);
            if is_header {
                self.push(
                    Owner::Cell(b, ri, usize::MAX),
                    Op::Rect {
                        x: MARGIN,
                        y: self.y,
                        w: widths.iter().sum(),
                        h,
                        color: (0xe6, 0xe9, 0xef),
                    },
                );
            } else {
                self.push(
                    Owner::Cell(b, ri, usize::MAX),
                    Op::Rect {
                        x: MARGIN,
                        y: self.y + h - 0.5,
                        w: widths.iter().sum(),
                        h: 0.5,
                        color: (0x8a, 0x8f, 0x98),
                    },
                );
            }
            let mut x = MARGIN;
            for (c, cell_lines) in wrapped.iter().enumerate() {
                for (li, line) in cell_lines.iter().enumerate() {
                    if line.is_empty() {
                        continue;
                    }
                    let w = self.fonts.width(line, is_header, size);
                    let right = numeric.get(c).copied().unwrap_or(false);
                    let tx = if right {
                        x + widths[c] - pad - w
                    } else {
                        x + pad
                    };
                    self.push(
                        Owner::Cell(b, ri, c),
                        Op::Text {
                            x: tx,
                            y: self.y + (li as f32 + 1.0) * line_h - size * 0.3,
                            size,
                            bold: is_header,
                            text: line.clone(),
                            color: (0x1a, 0x1a, 0x1a),
                        },
                    );
                }
                x += widths[c];
            }
            self.y += h;
        }
        self.y += 10.0;
    }

    fn bars(&mut self, b: usize, title: &str, bars: &[Bar]) {
        let size = BODY - 1.0;
        let row_h = size * 1.9;
        let label_w = bars
            .iter()
            .map(|bar| self.fonts.width(&bar.label, false, size))
            .fold(60.0, f32::max)
            .min(200.0);
        let max = bars
            .iter()
            .map(|bar| bar.value)
            .fold(0.0, f64::max)
            .max(1.0);
        let chart_w = PAGE_W - 2.0 * MARGIN - label_w - 50.0;
        self.ensure(size * LEADING + row_h * bars.len().min(4) as f32);
        self.y += size * LEADING;
        self.push(
            Owner::Block(b),
            Op::Text {
                x: MARGIN,
                y: self.y - size * 0.3,
                size,
                bold: true,
                text: title.to_string(),
                color: (0x1a, 0x1a, 0x1a),
            },
        );
        self.y += 4.0;
        for Bar { label, value, text } in bars {
            self.ensure(row_h);
            let label = self
                .fonts
                .wrap(label, false, size, label_w)
                .into_iter()
                .next()
                .unwrap_or_default();
            self.push(
                Owner::Block(b),
                Op::Text {
                    x: MARGIN,
                    y: self.y + row_h * 0.65,
                    size,
                    bold: false,
                    text: label,
                    color: (0x1a, 0x1a, 0x1a),
                },
            );
            let w = (chart_w * (*value / max) as f32).max(if *value > 0.0 { 1.0 } else { 0.0 });
            if w > 0.0 {
                self.push(
                    Owner::Block(b),
                    Op::Rect {
                        x: MARGIN + label_w + 8.0,
                        y: self.y + row_h * 0.2,
                        w,
                        h: row_h * 0.6,
                        color: (0x15, 0x42, 0x73),
                    },
                );
            }
            self.push(
                Owner::Block(b),
                Op::Text {
                    x: MARGIN + label_w + 12.0 + w,
                    y: self.y + row_h * 0.65,
                    size,
                    bold: false,
                    text: text.clone(),
                    color: (0x1a, 0x1a, 0x1a),
                },
            );
            self.y += row_h;
        }
        self.y += 10.0;
    }
}

/// Renders the document as a tagged PDF/A-2a and PDF/UA-1 file.
pub fn render(doc: &Doc) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load();
    let mut layout = Layout {
        fonts: &fonts,
        pages: Vec::new(),
        y: MARGIN,
        headings: Vec::new(),
    };
    layout.ensure(0.0);
    for (b, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading { level, text } => {
                let size = match level {
                    1 => 20.0,
                    2 => 14.0,
                    _ => 11.5,
                };
                // Keep a heading with what follows.
                layout.ensure(size * LEADING + 3.0 * BODY * LEADING);
                layout.y += if *level == 1 { 0.0 } else { 6.0 };
                let at = (layout.pages.len() - 1, layout.y);
                layout.headings.push((*level, text.clone(), at.0, at.1));
                layout.text_block(Owner::Block(b), text, size, true, 4.0);
            }
            Block::Paragraph(text) => layout.text_block(Owner::Block(b), text, BODY, false, 6.0),
            Block::Table {
                caption,
                header,
                rows,
                numeric,
            } => layout.table(b, caption, header, rows, numeric),
            Block::Bars { title, bars, .. } => layout.bars(b, title, bars),
        }
    }
    let pages = std::mem::take(&mut layout.pages);
    let headings = std::mem::take(&mut layout.headings);
    let page_count = pages.len();

    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_A)
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..Default::default()
    };
    let mut document = Document::new_with(settings);
    let mut ids: HashMap<Owner, Vec<Identifier>> = HashMap::new();
    for (n, ops) in pages.into_iter().enumerate() {
        let mut page = document.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4"));
        let mut surface = page.surface();
        for (owner, op) in ops {
            let tag = match op {
                Op::Text { .. } => ContentTag::Span(SpanTag::empty()),
                Op::Rect { .. } => ContentTag::Artifact(Artifact::new(ArtifactType::Other, None)),
            };
            let figure = matches!(owner, Owner::Block(_)) && matches!(op, Op::Rect { .. });
            let tag = if figure { ContentTag::Other } else { tag };
            let id = surface.start_tagged(tag);
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                    color,
                } => {
                    surface.set_fill(Some(Fill {
                        paint: rgb::Color::new(color.0, color.1, color.2).into(),
                        ..Default::default()
                    }));
                    let font = if bold {
                        fonts.bold.clone()
                    } else {
                        fonts.regular.clone()
                    };
                    surface.draw_text(
                        Point::from_xy(x, y),
                        font,
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Rect { x, y, w, h, color } => {
                    surface.set_fill(Some(Fill {
                        paint: rgb::Color::new(color.0, color.1, color.2).into(),
                        ..Default::default()
                    }));
                    let mut pb = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(x, y, w.max(0.1), h.max(0.1)) {
                        pb.push_rect(rect);
                    }
                    if let Some(path) = pb.finish() {
                        surface.draw_path(&path);
                    }
                }
            }
            surface.end_tagged();
            if !op_is_artifact(&owner, figure) {
                ids.entry(owner).or_default().push(id);
            }
        }
        // The page number: an artifact, not part of the reading order.
        surface.start_tagged(ContentTag::Artifact(Artifact::new(
            ArtifactType::PageNumber,
            None,
        )));
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(0x55, 0x55, 0x55).into(),
            ..Default::default()
        }));
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_H - MARGIN / 2.0),
            fonts.regular.clone(),
            8.0,
            &format!("{} {} / {}", doc.page_label, n + 1, page_count),
            false,
            TextDirection::Auto,
        );
        surface.end_tagged();
        surface.finish();
        page.finish();
    }

    // The tag tree, in reading order.
    let mut tree = TagTree::new();
    for (b, block) in doc.blocks.iter().enumerate() {
        let take = |ids: &mut HashMap<Owner, Vec<Identifier>>, o: Owner| {
            ids.remove(&o).unwrap_or_default()
        };
        match block {
            Block::Heading { level, text } => {
                let mut g = TagGroup::new(Tag::Hn(
                    NonZeroU16::new((*level).clamp(1, 6) as u16).expect("non-zero"),
                    Some(text.clone()),
                ));
                for id in take(&mut ids, Owner::Block(b)) {
                    g.push(id);
                }
                tree.push(g);
            }
            Block::Paragraph(_) => {
                let mut g = TagGroup::new(Tag::P);
                for id in take(&mut ids, Owner::Block(b)) {
                    g.push(id);
                }
                tree.push(g);
            }
            Block::Table { header, rows, .. } => {
                let mut table = TagGroup::new(Tag::Table);
                let mut caption = TagGroup::new(Tag::Caption);
                for id in take(&mut ids, Owner::Caption(b)) {
                    caption.push(id);
                }
                table.push(caption);
                for ri in 0..=rows.len() {
                    let mut tr = TagGroup::new(Tag::TR);
                    for c in 0..header.len().max(1) {
                        let cell_ids = take(&mut ids, Owner::Cell(b, ri, c));
                        let mut cell = if ri == 0 {
                            TagGroup::new(Tag::TH(TableHeaderScope::Column))
                        } else {
                            TagGroup::new(Tag::TD)
                        };
                        for id in cell_ids {
                            cell.push(id);
                        }
                        tr.push(cell);
                    }
                    table.push(tr);
                }
                tree.push(table);
            }
            Block::Bars { alt, .. } => {
                let mut g = TagGroup::new(Tag::Figure(Some(alt.clone())));
                for id in take(&mut ids, Owner::Block(b)) {
                    g.push(id);
                }
                tree.push(g);
            }
        }
    }
    document.set_tag_tree(tree);
    document.set_outline(outline(&headings));
    document.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .language(doc.lang.clone())
            .authors(vec![doc.author.clone()])
            .creator("Integer".to_string())
            .creation_date(
                krilla::metadata::DateTime::new(doc.created.0)
                    .month(doc.created.1)
                    .day(doc.created.2),
            ),
    );
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

/// Bookmarks from the headings: level 2 under the level 1 before it, level
/// 3 under the level 2 before it.
fn outline(headings: &[(u8, String, usize, f32)]) -> krilla::outline::Outline {
    use krilla::destination::XyzDestination;
    use krilla::outline::{Outline, OutlineNode};
    struct Node {
        level: u8,
        text: String,
        page: usize,
        y: f32,
        children: Vec<Node>,
    }
    fn insert(list: &mut Vec<Node>, node: Node) {
        match list.last_mut() {
            Some(last) if last.level < node.level => insert(&mut last.children, node),
            _ => list.push(node),
        }
    }
    fn convert(n: Node) -> OutlineNode {
        let mut o = OutlineNode::new(
            n.text,
            XyzDestination::new(n.page, Point::from_xy(0.0, n.y - 30.0)),
        );
        for c in n.children {
            o.push_child(convert(c));
        }
        o
    }
    let mut roots = Vec::new();
    for (level, text, page, y) in headings {
        insert(
            &mut roots,
            Node {
                level: *level,
                text: text.clone(),
                page: *page,
                y: *y,
                children: Vec::new(),
            },
        );
    }
    let mut outline = Outline::new();
    for n in roots {
        outline.push_child(convert(n));
    }
    outline
}

/// Table rules and header backgrounds are decoration (artifacts); bars of a
/// chart are content of its figure.
fn op_is_artifact(owner: &Owner, figure: bool) -> bool {
    matches!(owner, Owner::Cell(_, _, usize::MAX)) && !figure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_pdf_comes_out() {
        let doc = Doc {
            title: "Jaarverslag integriteit 2026".into(),
            lang: "nl-NL".into(),
            author: "Gemeente Test".into(),
            page_label: "Pagina".into(),
            created: (2026, 11, 23),
            blocks: vec![
                Block::Heading { level: 1, text: "Jaarverslag integriteit 2026".into() },
                Block::Paragraph("Een inleiding met genoeg woorden om over meer dan één regel te lopen, zodat het afbreken van regels ook getest wordt in dit document.".into()),
                Block::Table {
                    caption: "Meldingen naar categorie".into(),
                    header: vec!["Categorie".into(), "Aantal".into()],
                    rows: vec![vec!["Fraude".into(), "12".into()], vec!["Ongewenst gedrag".into(), "< 5".into()]],
                    numeric: vec![false, true],
                },
                Block::Bars { title: "Meldingen".into(), alt: "Fraude 12, ongewenst gedrag minder dan 5".into(), bars: vec![Bar { label: "Fraude".into(), value: 12.0, text: "12".into() }, Bar { label: "Ongewenst gedrag".into(), value: 0.0, text: "< 5".into() }] },
            ],
        };
        let pdf = render(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("StructTreeRoot"));
        assert!(
            text.contains("pdfaid"),
            "PDF/A identification in the XMP metadata"
        );
    }

    #[test]
    fn long_documents_break_pages() {
        let blocks = (0..200)
            .map(|i| Block::Paragraph(format!("Alinea {i} met wat tekst.")))
            .collect();
        let doc = Doc {
            title: "Lang".into(),
            lang: "nl-NL".into(),
            author: "x".into(),
            page_label: "Pagina".into(),
            created: (2026, 11, 23),
            blocks,
        };
        let pdf = render(&doc).unwrap();
        let pages = String::from_utf8_lossy(&pdf)
            .matches("/Type /Page\n")
            .count()
            + String::from_utf8_lossy(&pdf)
                .matches("/Type /Page ")
                .count();
        assert!(pages > 1 || pdf.len() > 10_000);
    }
}

/// Renders with Poppler (`pdftotext`, `pdftoppm`), as a reader's program
/// would. Skipped with a note when Poppler is missing, unless
/// `INTEGER_REQUIRE_POPPLER=1` (as in CI).
#[cfg(test)]
mod poppler {
    use super::*;
    use std::process::Command;

    fn available() -> bool {
        let ok = Command::new("pdftotext").arg("-v").output().is_ok()
            && Command::new("pdftoppm").arg("-v").output().is_ok();
        if !ok && std::env::var("INTEGER_REQUIRE_POPPLER").as_deref() == Ok("1") {
            panic!(
                "INTEGER_REQUIRE_POPPLER=1 but pdftotext/pdftoppm are missing (apt-get install poppler-utils)"
            );
        }
        if !ok {
            println!("skipped: poppler-utils not installed");
        }
        ok
    }

    #[test]
    fn poppler_reads_the_text_and_draws_the_pages() {
        if !available() {
            return;
        }
        let doc = Doc {
            title: "Jaarverslag integriteit 2026".into(),
            lang: "nl-NL".into(),
            author: "Gemeente Test".into(),
            page_label: "Pagina".into(),
            created: (2026, 11, 23),
            blocks: vec![
                Block::Heading {
                    level: 1,
                    text: "Jaarverslag integriteit 2026".into(),
                },
                Block::Table {
                    caption: "Meldingen naar categorie".into(),
                    header: vec!["Categorie".into(), "Aantal".into()],
                    rows: vec![vec![
                        "Fraude, diefstal of verduistering".into(),
                        "1234".into(),
                    ]],
                    numeric: vec![false, true],
                },
            ],
        };
        let dir = std::env::temp_dir().join(format!("integer-pdf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("verslag.pdf");
        std::fs::write(&file, render(&doc).unwrap()).unwrap();
        let out = Command::new("pdftotext")
            .arg(&file)
            .arg("-")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Jaarverslag integriteit 2026"), "{text}");
        assert!(text.contains("Fraude, diefstal of verduistering"), "{text}");
        assert!(text.contains("1234"), "{text}");
        let out = Command::new("pdftoppm")
            .args(["-png", "-r", "40", "-f", "1", "-l", "1"])
            .arg(&file)
            .arg(dir.join("pagina"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let png = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "png"))
            .expect("a rendered page");
        assert!(std::fs::metadata(png.path()).unwrap().len() > 1000);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
