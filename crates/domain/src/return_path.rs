//! Where a person may be sent back to after signing in, a second factor or
//! a language switch: only a path on this site. The one place that decides
//! it, so that no redirect opens the way to another site.
//!
//! A return path is accepted when, as given and after percent-decoding
//! (repeated, so that double encoding is seen through):
//! - it starts with a single `/`, not followed by `/` or `\`;
//! - it holds no `\`, no control character and no white space anywhere,
//!   except that a decoded query (after `?`) may hold a space: a search
//!   such as `?q=de%20vries` stays, encoded, as it was;
//! - it is at most [`MAX_LEN`] bytes long.
//!
//! Since it starts with `/`, it has no scheme (`https:`, `javascript:`) and
//! no host. Anything else becomes the start page, `/`.

use percent_encoding::percent_decode_str;

pub const MAX_LEN: usize = 2048;
/// The start page: where a refused return path leads.
pub const START: &str = "/";

/// `raw` when it is a safe local path, else `/`.
pub fn safe_return_path(raw: &str) -> String {
    if is_safe(raw) {
        raw.to_string()
    } else {
        START.to_string()
    }
}

fn is_safe(raw: &str) -> bool {
    if raw.len() > MAX_LEN {
        return false;
    }
    let mut current = raw.to_string();
    // Decode until nothing changes (at most a few rounds: each round of
    // encoding adds "%25" and makes the text longer).
    for round in 0..4 {
        if !plain_local_path(&current, round > 0) {
            return false;
        }
        let Ok(decoded) = percent_decode_str(&current).decode_utf8() else {
            // Bytes that are not UTF-8 once decoded: nothing a link of ours
            // would hold.
            return false;
        };
        if decoded == current {
            return true;
        }
        current = decoded.into_owned();
    }
    // Still changing after several rounds: refused.
    false
}

/// `decoded`: `s` is a decoded form, whose query may hold spaces.
fn plain_local_path(s: &str, decoded: bool) -> bool {
    let mut chars = s.chars();
    let path_end = if decoded {
        s.find(['?', '#']).unwrap_or(s.len())
    } else {
        s.len()
    };
    let (path, rest) = s.split_at(path_end);
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        && !rest
            .chars()
            .any(|c| c == '\\' || c.is_control() || (c.is_whitespace() && c != ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_kept() {
        for ok in [
            "/",
            "/zaken",
            "/zaken/12?tab=berichten",
            "/registers?soort=gift&pagina=2",
            "/mag-dit/vragen?soort=gift&value_eur=30",
            "/organisatie/mensen?q=de%20vries",
            "/o/maastricht/melden",
            "/verklaringen/3#geschiedenis",
        ] {
            assert_eq!(safe_return_path(ok), ok, "{ok}");
        }
    }

    /// The known open-redirect payloads, as given and encoded once and twice.
    #[test]
    fn everything_that_could_leave_the_site_becomes_the_start_page() {
        let payloads = [
            "",
            "zaken",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/%2f%2fevil.example",
            "/%2F/evil.example",
            "/%5cevil.example",
            "/%5c%5cevil.example",
            "/%0d%0aSet-Cookie:%20x=y",
            "/%0a/x",
            "/\r\nLocation: https://evil.example",
            "/%20/evil.example",
            "/%c0%af/evil.example",
            "https://evil.example",
            "https:evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/%252f%252fevil.example",
            "/%25252f%25252fevil.example",
            "/%2509/evil.example",
            "/%250d%250a",
            "/\u{00a0}/evil.example",
            "/\u{2028}",
            " /zaken",
            "/zaken ",
        ];
        for p in payloads {
            assert_eq!(safe_return_path(p), "/", "{p:?}");
        }
        assert_eq!(safe_return_path(&format!("/{}", "a".repeat(MAX_LEN))), "/");
    }
}
