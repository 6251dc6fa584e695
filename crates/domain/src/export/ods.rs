//! A minimal OpenDocument spreadsheet (.ods) writer for register exports:
//! one sheet of text cells. An ODS file is a ZIP archive whose first entry
//! is the uncompressed `mimetype`; every entry here is stored uncompressed,
//! which the format allows and which keeps this small and dependency-free.

/// CRC-32 (IEEE) as ZIP needs it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Writes a ZIP archive of stored entries, in order.
fn zip(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let local = |buf: &mut Vec<u8>, central_entry: bool| {
            if central_entry {
                buf.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
                buf.extend_from_slice(&20u16.to_le_bytes()); // made by
            } else {
                buf.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
            }
            buf.extend_from_slice(&20u16.to_le_bytes()); // version needed
            buf.extend_from_slice(&0u16.to_le_bytes()); // flags
            buf.extend_from_slice(&0u16.to_le_bytes()); // stored
            buf.extend_from_slice(&0u16.to_le_bytes()); // time
            buf.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&size.to_le_bytes());
            buf.extend_from_slice(&size.to_le_bytes());
            buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central_entry {
                buf.extend_from_slice(&0u16.to_le_bytes()); // comment
                buf.extend_from_slice(&0u16.to_le_bytes()); // disk
                buf.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                buf.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                buf.extend_from_slice(&offset.to_le_bytes());
            }
            buf.extend_from_slice(name.as_bytes());
        };
        local(&mut out, false);
        out.extend_from_slice(data);
        local(&mut central, true);
    }
    let central_offset = out.len() as u32;
    let central_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A spreadsheet with a header row and text cells.
pub fn spreadsheet(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    content.push_str(&format!(
        "<table:table table:name=\"{}\">",
        xml_escape(sheet)
    ));
    let mut row = |cells: &mut dyn Iterator<Item = &str>| {
        content.push_str("<table:table-row>");
        for cell in cells {
            content.push_str(&format!(
                "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                xml_escape(cell)
            ));
        }
        content.push_str("</table:table-row>");
    };
    row(&mut header.iter().copied());
    for r in rows {
        row(&mut r.iter().map(String::as_str));
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        ),
        ("META-INF/manifest.xml", manifest.as_bytes().to_vec()),
        ("content.xml", content.into_bytes()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_a_known_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn mimetype_comes_first_and_values_are_escaped() {
        let ods = spreadsheet("Register", &["a", "b"], &[vec!["<x>&".into(), "y".into()]]);
        assert_eq!(&ods[0..4], b"PK\x03\x04");
        assert_eq!(&ods[30..38], b"mimetype");
        assert!(
            ods.windows(46)
                .any(|w| w == b"application/vnd.oasis.opendocument.spreadsheet")
        );
        let text = String::from_utf8_lossy(&ods);
        assert!(text.contains("&lt;x&gt;&amp;") && !text.contains("<x>&"));
    }
}
