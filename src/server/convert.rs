//! Between wslint's values and the protocol's: `file:` URIs and paths, byte
//! offsets and positions (lines and UTF-16 code units, as LSP counts them;
//! wslint's own columns count Unicode scalars), diagnostics.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types as lsp;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::diagnostic::Diagnostic;
use crate::rule::Severity;
use crate::source::{SourceFile, clamp_to_char_boundary};

/// The path a `file:` URI names (`file:///a/b`, `file://localhost/a/b`),
/// percent-decoded; `None` for other schemes and other hosts.
pub fn uri_to_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s
        .strip_prefix("file://")
        .or_else(|| s.strip_prefix("FILE://"))?;
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if rest[..i].eq_ignore_ascii_case("localhost") => &rest[i..],
        _ => return None,
    };
    // A query or fragment is no part of a file's path.
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes: Vec<u8> = percent_decode_str(path).collect();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        let s = String::from_utf8(bytes).ok()?;
        // `/C:/x` on Windows.
        let s = s
            .strip_prefix('/')
            .filter(|r| r.get(1..2) == Some(":"))
            .unwrap_or(&s);
        Some(PathBuf::from(s))
    }
}

/// What is left as is in a path written into a URI: unreserved characters
/// and the separator.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> lsp::Uri {
    let text = path.to_string_lossy();
    let text = text.replace('\\', "/");
    let lead = if text.starts_with('/') { "" } else { "/" };
    let encoded = utf8_percent_encode(&text, PATH).to_string();
    lsp::Uri::from_str(&format!("file://{lead}{encoded}"))
        .unwrap_or_else(|_| lsp::Uri::from_str("file:///").expect("a valid URI"))
}

/// The position of byte `offset` of `file`'s text: 0-based line, and
/// UTF-16 code units from the line's start.
pub fn position(file: &SourceFile, offset: usize) -> lsp::Position {
    let offset = clamp_to_char_boundary(&file.text, offset);
    let lc = file.line_col(offset);
    let start = file.line_start(lc.line).unwrap_or(0).min(offset);
    lsp::Position {
        line: (lc.line - 1) as u32,
        character: file.text[start..offset].encode_utf16().count() as u32,
    }
}

pub fn range(file: &SourceFile, span: crate::source::Span) -> lsp::Range {
    lsp::Range {
        start: position(file, span.start),
        end: position(file, span.end),
    }
}

/// Whether two ranges share a position (an empty one touching counts).
pub fn overlaps(a: &lsp::Range, b: &lsp::Range) -> bool {
    let key = |p: &lsp::Position| (p.line, p.character);
    key(&a.start) <= key(&b.end) && key(&b.start) <= key(&a.end)
}

/// A diagnostic as the protocol carries it. `uri_of` gives the URI of a
/// file a label points into (the editor's own for an open document).
pub fn diagnostic(d: &Diagnostic, uri_of: &dyn Fn(&Path) -> lsp::Uri) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|l| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri_of(&l.file.path),
                range: range(&l.file, l.span),
            },
            message: l.message.clone(),
        })
        .collect();
    let href = crate::registry::by_code(d.code)
        .and_then(|r| lsp::Uri::from_str(&r.doc_url()).ok())
        .map(|href| lsp::CodeDescription { href });
    lsp::Diagnostic {
        range: range(&d.file, d.span),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: href,
        source: Some("wslint".into()),
        message: format!("{}: {message}", d.name),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> lsp::Uri {
        lsp::Uri::from_str(s).unwrap()
    }

    #[test]
    fn positions_count_utf16_code_units() {
        // 'é' is one scalar and one UTF-16 unit; '😀' is one scalar and two
        // UTF-16 units (four bytes); CRLF ends a line.
        let f = SourceFile::new("x".into(), "é😀ab\r\n😀x");
        let at = |s: &str| f.text.find(s).unwrap();
        assert_eq!(position(&f, at("a")), lsp::Position::new(0, 3));
        assert_eq!(position(&f, at("b")), lsp::Position::new(0, 4));
        assert_eq!(position(&f, at("x")), lsp::Position::new(1, 2));
        // Past the end, and inside a character: clamped.
        assert_eq!(position(&f, 999), lsp::Position::new(1, 3));
        assert_eq!(position(&f, 1), lsp::Position::new(0, 0));
    }

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let p = Path::new("/tmp/a dir/ünï#1.ts");
        let u = path_to_uri(p);
        assert_eq!(u.as_str(), "file:///tmp/a%20dir/%C3%BCn%C3%AF%231.ts");
        assert_eq!(uri_to_path(&u).unwrap(), p);
        assert_eq!(
            uri_to_path(&uri("file://localhost/x/y%3Az")).unwrap(),
            Path::new("/x/y:z")
        );
        assert_eq!(uri_to_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(uri_to_path(&uri("file://server/share/x")), None);
    }

    #[test]
    fn ranges_overlap_when_they_touch() {
        let r = |a, b, c, d| lsp::Range::new(lsp::Position::new(a, b), lsp::Position::new(c, d));
        assert!(overlaps(&r(1, 2, 1, 5), &r(1, 5, 1, 5)));
        assert!(overlaps(&r(1, 2, 1, 5), &r(0, 0, 3, 0)));
        assert!(!overlaps(&r(1, 2, 1, 5), &r(1, 6, 1, 9)));
    }
}
