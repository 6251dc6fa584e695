//! Horizontal bar charts as inline SVG, written by hand (no chart crate):
//! the same text serves the HTML page and, later, the PDF.
//!
//! Accessibility (WCAG 2.1 AA): the SVG has `role="img"`, a `<title>` and a
//! `<desc>` that lists every bar with its value (the text alternative), and
//! is labelled by both. Bars are #01689B on white (contrast 5.9:1, above the
//! 3:1 that graphics need); text is #1A1A1A (16:1). The table beside every
//! chart holds the same figures. Suppressed counts get no bar, only their
//! text ("< 5").

use super::Shown;

/// One bar: its label, how its value is shown, and that value as text.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub shown: Shown,
    pub text: String,
}

const BAR_COLOUR: &str = "#01689B";
const TEXT_COLOUR: &str = "#1A1A1A";
const WIDTH: i64 = 640;
const LABEL_WIDTH: i64 = 250;
const BAR_AREA: i64 = 320;
const ROW: i64 = 26;
const LABEL_CHARS: usize = 34;

/// Escapes text for XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The text alternative: every bar and its value.
pub fn description(bars: &[Bar]) -> String {
    bars.iter()
        .map(|b| format!("{}: {}", b.label, b.text))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A horizontal bar chart. `id` must be unique on the page.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let max = bars
        .iter()
        .filter_map(|b| match b.shown {
            Shown::Exact(n) => Some(n),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * bars.len() as i64 + 8;
    let id = escape(id);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"integer-chart\" role=\"img\" \
         aria-labelledby=\"{id}-titel {id}-beschrijving\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"14\">\
         <title id=\"{id}-titel\">{}</title><desc id=\"{id}-beschrijving\">{}</desc>",
        escape(title),
        escape(&description(bars)),
    );
    svg.push_str(&format!(
        "<rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{height}\" fill=\"#FFFFFF\"/>"
    ));
    for (i, b) in bars.iter().enumerate() {
        let y = 4 + ROW * i as i64;
        let text_y = y + ROW / 2 + 5;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{text_y}\" text-anchor=\"end\" fill=\"{TEXT_COLOUR}\">{}</text>",
            LABEL_WIDTH - 8,
            escape(&short(&b.label)),
        ));
        let width = match b.shown {
            Shown::Exact(n) if n > 0 => (n * BAR_AREA / max).max(2),
            _ => 0,
        };
        if width > 0 {
            svg.push_str(&format!(
                "<rect x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"{width}\" height=\"{}\" fill=\"{BAR_COLOUR}\"/>",
                y + 3,
                ROW - 6,
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{text_y}\" fill=\"{TEXT_COLOUR}\">{}</text>",
            LABEL_WIDTH + width + 6,
            escape(&b.text),
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_a_title_a_text_alternative_and_no_bar_for_suppressed_counts() {
        let bars = [
            Bar {
                label: "Fraude & <diefstal>".into(),
                shown: Shown::Exact(10),
                text: "10".into(),
            },
            Bar {
                label: "Corruptie".into(),
                shown: Shown::Small,
                text: "< 5".into(),
            },
        ];
        let svg = bar_chart("grafiek-1", "Meldingen per categorie", &bars);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"grafiek-1-titel\">Meldingen per categorie</title>"));
        assert!(svg.contains("Fraude &amp; &lt;diefstal&gt;: 10; Corruptie: &lt; 5</desc>"));
        assert_eq!(svg.matches("fill=\"#01689B\"").count(), 1, "one bar");
        assert!(!svg.contains("<script"));
    }
}
