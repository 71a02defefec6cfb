//! Source files as the rules see them: the path as reached from the checked
//! path, the decoded text, and a line index for byte offset -> line:column.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range in a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug)]
pub struct SourceFile {
    /// The path as reached from the path given on the command line.
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Made on the first question about lines: many files are checked and
    /// never asked one (no finding), and those with findings are kept until
    /// the report, so the offsets are as small as the text allows.
    line_starts: std::sync::OnceLock<LineStarts>,
}

/// Byte offsets of line starts: 4 bytes each below 4 GiB of text.
#[derive(Debug)]
enum LineStarts {
    Small(Box<[u32]>),
    Large(Box<[usize]>),
}

impl LineStarts {
    fn new(text: &str) -> Self {
        let starts = line_starts(text);
        if u32::try_from(text.len()).is_ok() {
            LineStarts::Small(starts.iter().map(|&s| s as u32).collect())
        } else {
            LineStarts::Large(starts.into_boxed_slice())
        }
    }

    fn len(&self) -> usize {
        match self {
            LineStarts::Small(v) => v.len(),
            LineStarts::Large(v) => v.len(),
        }
    }

    fn get(&self, i: usize) -> Option<usize> {
        match self {
            LineStarts::Small(v) => v.get(i).map(|&s| s as usize),
            LineStarts::Large(v) => v.get(i).copied(),
        }
    }

    /// The index of the line holding `offset`.
    fn line_of(&self, offset: usize) -> usize {
        let found = match self {
            // `offset` is within the text, so it fits.
            LineStarts::Small(v) => v.binary_search(&(offset as u32)),
            LineStarts::Large(v) => v.binary_search(&offset),
        };
        match found {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }
}

pub type Source = Arc<SourceFile>;

impl SourceFile {
    /// `text` must already be decoded, with any byte-order mark removed.
    pub fn new(path: PathBuf, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path,
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn starts(&self) -> &LineStarts {
        self.line_starts.get_or_init(|| LineStarts::new(&self.text))
    }

    /// Line starts are after `\n`, after `\r\n`, and after a lone `\r`.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = clamp_to_char_boundary(&self.text, offset.min(self.text.len()));
        let starts = self.starts();
        let line = starts.line_of(offset);
        let start = starts.get(line).unwrap_or(0);
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of the start of the 1-based `line`.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts().get(line.checked_sub(1)?)
    }

    /// The text of the 1-based `line` without its line ending.
    pub fn line_text(&self, line: usize) -> Option<&str> {
        let start = self.line_start(line)?;
        let end = self.starts().get(line).unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    pub fn line_count(&self) -> usize {
        self.starts().len()
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while let Some(pos) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
        let at = i + pos;
        if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            starts.push(at + 2);
            i = at + 2;
        } else {
            starts.push(at + 1);
            i = at + 1;
        }
        if i >= bytes.len() {
            break;
        }
    }
    starts
}

pub fn clamp_to_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_handles_crlf_lone_cr_and_multibyte() {
        let f = SourceFile::new("x".into(), "ab\r\ncd\ref\néx");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(4), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_col(7), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_col(10), LineCol { line: 4, column: 1 });
        // 'x' follows the two-byte 'é'
        assert_eq!(f.line_col(12), LineCol { line: 4, column: 2 });
        assert_eq!(f.line_text(2), Some("cd"));
        assert_eq!(f.line_text(4), Some("éx"));
        assert_eq!(f.line_count(), 4);
    }

    #[test]
    fn offsets_inside_a_char_or_past_the_end_are_clamped() {
        let f = SourceFile::new("x".into(), "é");
        assert_eq!(f.line_col(1), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(99), LineCol { line: 1, column: 2 });
    }
}
