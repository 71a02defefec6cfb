//! Edits onto text, and text back onto disk.
//!
//! Edits of one file are applied in offset order; one that overlaps an
//! edit already taken is left out (its fix waits for the next round).
//! A file is written only if it still holds the text the run read, keeps
//! its UTF-8 byte-order mark, and is replaced atomically (a temporary file
//! beside it, renamed over it, with its permissions).

use std::path::Path;

use crate::diagnostic::Edit;
use crate::source::Span;

/// `text` with `edits` applied (their spans index `text`), in order of
/// their position; edits must not overlap ([`overlaps`] tells). Two
/// insertions at one offset land in the order given.
pub fn apply(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<(usize, &Edit)> = edits.iter().copied().enumerate().collect();
    sorted.sort_by_key(|(i, e)| (e.span.start, e.span.end, *i));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (_, e) in sorted {
        let start = e.span.start.clamp(at, text.len());
        out.push_str(&text[at..start]);
        out.push_str(&e.replacement);
        at = e.span.end.clamp(start, text.len());
    }
    out.push_str(&text[at..]);
    out
}

/// Whether two spans of one file touch the same bytes, or an insertion
/// falls strictly inside a replaced range. Two insertions at the same
/// offset do not overlap; neither do adjacent ranges.
pub fn overlaps(a: Span, b: Span) -> bool {
    if a.start == a.end || b.start == b.end {
        let (point, range) = if a.start == a.end { (a, b) } else { (b, a) };
        return point.start > range.start && point.start < range.end;
    }
    a.start < b.end && b.start < a.end
}

/// Whether every span lies on character boundaries of `text`.
pub fn in_bounds(text: &str, span: Span) -> bool {
    span.start <= span.end
        && span.end <= text.len()
        && text.is_char_boundary(span.start)
        && text.is_char_boundary(span.end)
}

/// Why a file was not written.
pub type WriteError = String;

/// The file's text as a run reads it, with the bytes that precede it (a
/// UTF-8 byte-order mark) — or why it cannot be rewritten faithfully.
pub fn read_back(path: &Path) -> Result<(Vec<u8>, String), WriteError> {
    let bytes = std::fs::read(path).map_err(|e| crate::discover::io_message(&e))?;
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err("a UTF-16 file is not rewritten".into());
    }
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(body) => (b"\xEF\xBB\xBF".to_vec(), body),
        None => (Vec::new(), &bytes[..]),
    };
    let text = std::str::from_utf8(body)
        .map_err(|_| "the file is not valid UTF-8, so it is not rewritten".to_string())?;
    Ok((bom, text.to_string()))
}

/// Replaces `path`'s text `expected` (what the run read) with `new`,
/// atomically. Refused when the file changed since it was read.
pub fn write_back(path: &Path, expected: &str, new: &str) -> Result<(), WriteError> {
    let (bom, current) = read_back(path)?;
    if current != expected {
        return Err("the file changed on disk while wslint ran".into());
    }
    let mut bytes = bom;
    bytes.extend_from_slice(new.as_bytes());
    write_atomic(path, &bytes).map_err(|e| crate::discover::io_message(&e))
}

/// Writes `bytes` to a temporary file beside `path` and renames it over
/// `path`, keeping `path`'s permissions. A symbolic link is followed: the
/// file it points at is replaced, the link stays.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.wslint-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    // No fsync: the rename is what makes the write atomic for readers, and
    // syncing each of a few hundred fixed files costs more than the check.
    let written = file
        .write_all(bytes)
        .and_then(|()| std::fs::set_permissions(&tmp, permissions))
        .and_then(|()| std::fs::rename(&tmp, &target));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn edit(start: usize, end: usize, r: &str) -> Edit {
        Edit {
            file: Arc::new(SourceFile::new("x".into(), "")),
            span: Span::new(start, end),
            replacement: r.into(),
        }
    }

    #[test]
    fn edits_apply_in_offset_order() {
        let a = edit(4, 6, "20000");
        let b = edit(0, 0, "// x\n");
        let c = edit(0, 0, "// y\n");
        assert_eq!(apply("t = 30;", &[&a, &b, &c]), "// x\n// y\nt = 20000;");
    }

    #[test]
    fn overlap_rules() {
        assert!(overlaps(Span::new(0, 5), Span::new(4, 8)));
        assert!(!overlaps(Span::new(0, 4), Span::new(4, 8)));
        assert!(!overlaps(Span::new(3, 3), Span::new(3, 3)));
        assert!(overlaps(Span::new(3, 3), Span::new(2, 5)));
        assert!(!overlaps(Span::new(2, 2), Span::new(2, 5)));
    }

    #[test]
    fn atomic_write_keeps_the_bom_and_refuses_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.conf");
        std::fs::write(&p, b"\xEF\xBB\xBFTimeout 5\n").unwrap();
        write_back(&p, "Timeout 5\n", "Timeout 60\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"\xEF\xBB\xBFTimeout 60\n");
        assert!(write_back(&p, "Timeout 5\n", "Timeout 90\n").is_err());
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1);
    }
}
