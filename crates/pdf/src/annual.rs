//! The annual integrity report as a PDF: the same document the HTML page
//! shows (one version: internal or publishable), laid out as headings,
//! the narrative, tables with their totals, charts and the trends.

use crate::{Bar, Block, Doc};
use integer_domain::annual_report::suppression::Shown;
use integer_domain::annual_report::{Document, Version, display, section_ids, section_title};
use integer_domain::i18n::{Catalog, Lang};

/// The PDF's document model of a report.
pub fn doc(report: &Document, organisation: &str, lang: Lang, created: (u16, u8, u8)) -> Doc {
    let c = Catalog::bundled();
    let t = |key: &str| c.get(lang, key).to_string();
    let title = format!("{} {} — {}", t("report-title"), report.year, organisation);
    let mut blocks = vec![Block::Heading {
        level: 1,
        text: title.clone(),
    }];
    blocks.push(Block::Paragraph(match report.version {
        Version::Internal => t("report-intro"),
        Version::Publishable => c.format(
            lang,
            "report-public-intro",
            &[
                ("org", organisation.to_string()),
                ("year", report.year.to_string()),
            ],
        ),
    }));
    blocks.push(Block::Paragraph(c.format(
        lang,
        "report-made-on",
        &[("date", report.made_on.clone())],
    )));
    if report.version == Version::Publishable {
        blocks.push(Block::Paragraph(t("report-legend")));
    }
    if report.empty {
        blocks.push(Block::Paragraph(t("report-empty")));
    }
    let narrative = &report.narrative;
    if !narrative.introduction.trim().is_empty() {
        blocks.push(Block::Heading {
            level: 2,
            text: t("report-narrative-introduction"),
        });
        blocks.push(Block::Paragraph(narrative.introduction.clone()));
    }
    for section in section_ids(report) {
        let tables: Vec<_> = report
            .tables
            .iter()
            .filter(|tb| tb.section == section)
            .collect();
        if tables.is_empty() {
            continue;
        }
        blocks.push(Block::Heading {
            level: 2,
            text: t(&section_title(report, &section)),
        });
        if section == "cases" && !narrative.cases.trim().is_empty() {
            blocks.push(Block::Paragraph(narrative.cases.clone()));
        }
        for table in tables {
            let mut rows: Vec<Vec<String>> = table
                .rows
                .iter()
                .map(|r| vec![t(&r.label_key), display(r.shown, c, lang)])
                .collect();
            if let Some(total) = table.total {
                rows.push(vec![t("report-total"), display(total, c, lang)]);
            }
            blocks.push(Block::Table {
                caption: t(&table.caption_key),
                header: vec![t(&table.head_key), t("report-number")],
                rows,
                numeric: vec![false, true],
            });
            if table.chart {
                let bars: Vec<Bar> = table
                    .rows
                    .iter()
                    .map(|r| Bar {
                        label: t(&r.label_key),
                        value: match r.shown {
                            Shown::Exact(n) => n as f64,
                            _ => 0.0,
                        },
                        text: display(r.shown, c, lang),
                    })
                    .collect();
                let alt = bars
                    .iter()
                    .map(|b| format!("{}: {}", b.label, b.text))
                    .collect::<Vec<_>>()
                    .join("; ");
                blocks.push(Block::Bars {
                    title: t(&table.caption_key),
                    alt,
                    bars,
                });
            }
        }
    }
    if !narrative.prevention.trim().is_empty() {
        blocks.push(Block::Heading {
            level: 2,
            text: t("report-narrative-prevention"),
        });
        blocks.push(Block::Paragraph(narrative.prevention.clone()));
    }
    if !report.trends.is_empty() {
        blocks.push(Block::Heading {
            level: 2,
            text: t("report-trends-title"),
        });
        let years: Vec<String> = report
            .trends
            .first()
            .map(|r| r.values.iter().map(|(y, _)| y.to_string()).collect())
            .unwrap_or_default();
        let mut header = vec![t("report-figure")];
        header.extend(years.iter().cloned());
        let rows = report
            .trends
            .iter()
            .map(|r| {
                let mut row = vec![t(&r.label_key)];
                row.extend(r.values.iter().map(|(_, v)| display(*v, c, lang)));
                row
            })
            .collect();
        let mut numeric = vec![false];
        numeric.extend(years.iter().map(|_| true));
        blocks.push(Block::Table {
            caption: t("report-trends-caption"),
            header,
            rows,
            numeric,
        });
    }
    if !narrative.outlook.trim().is_empty() {
        blocks.push(Block::Heading {
            level: 2,
            text: t("report-narrative-outlook"),
        });
        blocks.push(Block::Paragraph(narrative.outlook.clone()));
    }
    Doc {
        title,
        lang: match lang {
            Lang::Nl => "nl-NL".into(),
            Lang::En => "en-GB".into(),
        },
        author: organisation.to_string(),
        page_label: t("pdf-page"),
        created,
        blocks,
    }
}
