//! The bytes of a cache entry: a small length-prefixed binary encoding
//! (paths are bytes, not always UTF-8), and a run's [`Report`] in it.
//!
//! Diagnostics point into source files. An entry names each file once
//! with how to get its text back: empty (a file reported as unreadable or
//! skipped), read again from disk and checked against the BLAKE3 hash of
//! the text the run had, or kept in the entry when reading it again would
//! not give that text. A file whose text does not match makes the entry
//! unusable: it is never trusted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::Report;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label};
use crate::registry;
use crate::rule::Severity;
use crate::source::{Source, SourceFile, Span};

#[derive(Default)]
pub struct Enc {
    pub buf: Vec<u8>,
}

impl Enc {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i128(&mut self, v: i128) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.buf.extend_from_slice(b);
    }
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    pub fn path(&mut self, p: &Path) {
        self.bytes(p.as_os_str().as_encoded_bytes());
    }
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
}

pub struct Dec<'a> {
    buf: &'a [u8],
}

impl<'a> Dec<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Dec { buf }
    }
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.buf.len() < n {
            return None;
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Some(head)
    }
    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub fn i128(&mut self) -> Option<i128> {
        Some(i128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }
    /// A count, bounded by what is left (a corrupt length cannot make a
    /// huge allocation).
    pub fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.buf.len()).then_some(n)
    }
    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }
    pub fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
    pub fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }
    pub fn path(&mut self) -> Option<PathBuf> {
        let b = self.bytes()?;
        // Written by `Enc::path` from an `OsStr` on this platform.
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            Some(PathBuf::from(std::ffi::OsStr::from_bytes(b)))
        }
        #[cfg(not(unix))]
        {
            Some(PathBuf::from(std::str::from_utf8(b).ok()?))
        }
    }
    pub fn opt_string(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }
    pub fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }
}

/// How a file's text comes back.
const TEXT_EMPTY: u8 = 0;
const TEXT_REREAD: u8 = 1;
const TEXT_INLINE: u8 = 2;
/// The file a per-file entry is about: the caller has its text (its hash
/// is the entry's key).
const TEXT_OWN: u8 = 3;

/// The text of `path` as a run reads a file it checks.
fn reread(path: &Path, max_size: u64) -> Option<Arc<str>> {
    match crate::read_file(path, path, None, max_size) {
        crate::ReadOutcome::Text { source, .. } => Some(source.text.clone()),
        _ => None,
    }
}

/// Gives each distinct source file a number.
#[derive(Default)]
pub struct Files {
    index: HashMap<*const SourceFile, u64>,
    list: Vec<Source>,
}

impl Files {
    pub fn id(&mut self, f: &Source) -> u64 {
        let key = Arc::as_ptr(f);
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.list.len() as u64;
        self.index.insert(key, i);
        self.list.push(f.clone());
        i
    }

    /// Writes the table: each file's path and how to get its text back.
    /// `own` is the file a per-file entry is about.
    pub fn encode(&self, max_size: u64, own: Option<&Source>, e: &mut Enc) {
        e.u64(self.list.len() as u64);
        for f in &self.list {
            e.path(&f.path);
            if own.is_some_and(|o| o.path == f.path && o.text == f.text) {
                e.u8(TEXT_OWN);
            } else if f.text.is_empty() {
                e.u8(TEXT_EMPTY);
            } else if reread(&f.path, max_size).is_some_and(|t| t == f.text) {
                e.u8(TEXT_REREAD);
                e.buf
                    .extend_from_slice(blake3::hash(f.text.as_bytes()).as_bytes());
            } else {
                e.u8(TEXT_INLINE);
                e.str(&f.text);
            }
        }
    }
}

/// The files of a table [`Files::encode`] wrote; `None` when a file's text
/// is no longer the one recorded.
pub fn decode_files(d: &mut Dec<'_>, max_size: u64, own: Option<&Source>) -> Option<Vec<Source>> {
    let n = d.len()?;
    let mut files: Vec<Source> = Vec::with_capacity(n);
    for _ in 0..n {
        let path = d.path()?;
        let text: Arc<str> = match d.u8()? {
            TEXT_OWN => {
                let own = own?;
                if own.path != path {
                    return None;
                }
                files.push(own.clone());
                continue;
            }
            TEXT_EMPTY => Arc::from(""),
            TEXT_REREAD => {
                let want: [u8; 32] = d.take(32)?.try_into().ok()?;
                let text = reread(&path, max_size)?;
                if *blake3::hash(text.as_bytes()).as_bytes() != want {
                    return None;
                }
                text
            }
            TEXT_INLINE => Arc::from(d.str()?),
            _ => return None,
        };
        files.push(Arc::new(SourceFile::new(path, text)));
    }
    Some(files)
}

pub fn span(e: &mut Enc, s: Span) {
    e.u64(s.start as u64);
    e.u64(s.end as u64);
}

pub fn dec_span(d: &mut Dec<'_>) -> Option<Span> {
    Some(Span::new(d.usize()?, d.usize()?))
}

pub fn file(d: &mut Dec<'_>, files: &[Source]) -> Option<Source> {
    files.get(d.usize()?).cloned()
}

pub fn encode_diagnostics(diagnostics: &[Diagnostic], files: &mut Files, body: &mut Enc) {
    body.u64(diagnostics.len() as u64);
    for d in diagnostics {
        body.str(d.code);
        body.str(d.severity.as_str());
        body.str(&d.message);
        body.u64(files.id(&d.file));
        span(body, d.span);
        body.opt_str(d.primary_label.as_deref());
        body.u64(d.labels.len() as u64);
        for l in &d.labels {
            body.u64(files.id(&l.file));
            span(body, l.span);
            body.str(&l.message);
        }
        body.opt_str(d.help.as_deref());
        match &d.fix {
            None => body.u8(0),
            Some(f) => {
                body.u8(1);
                body.str(f.applicability.as_str());
                body.str(&f.message);
                body.u64(f.edits.len() as u64);
                for ed in &f.edits {
                    body.u64(files.id(&ed.file));
                    span(body, ed.span);
                    body.str(&ed.replacement);
                }
            }
        }
    }
}

pub fn decode_diagnostics(d: &mut Dec<'_>, files: &[Source]) -> Option<Vec<Diagnostic>> {
    let count = d.len()?;
    let mut diagnostics = Vec::with_capacity(count);
    for _ in 0..count {
        let rule = registry::by_code(d.str()?)?;
        let severity = Severity::parse(d.str()?)?;
        let message = d.string()?;
        let f = file(d, files)?;
        let sp = dec_span(d)?;
        let primary_label = d.opt_string()?;
        let mut labels = Vec::new();
        for _ in 0..d.len()? {
            labels.push(Label {
                file: file(d, files)?,
                span: dec_span(d)?,
                message: d.string()?,
            });
        }
        let help = d.opt_string()?;
        let fix = match d.u8()? {
            0 => None,
            1 => {
                let applicability = match d.str()? {
                    "safe" => Applicability::Safe,
                    "unsafe" => Applicability::Unsafe,
                    _ => return None,
                };
                let message = d.string()?;
                let mut edits = Vec::new();
                for _ in 0..d.len()? {
                    edits.push(Edit {
                        file: file(d, files)?,
                        span: dec_span(d)?,
                        replacement: d.string()?,
                    });
                }
                Some(Fix {
                    applicability,
                    message,
                    edits,
                })
            }
            _ => return None,
        };
        diagnostics.push(Diagnostic {
            code: rule.code,
            name: rule.name,
            severity,
            message,
            file: f,
            span: sp,
            primary_label,
            labels,
            help,
            fix,
        });
    }
    Some(diagnostics)
}

/// Encodes `report`; `max_size` is the run's `files.max_size`.
pub fn encode_report(report: &Report, max_size: u64, e: &mut Enc) {
    let mut files = Files::default();
    let mut body = Enc::default();
    encode_diagnostics(&report.diagnostics, &mut files, &mut body);
    body.u64(report.files_checked as u64);
    body.u64(report.files_of_no_kind as u64);
    body.u64(report.errors.len() as u64);
    for err in &report.errors {
        body.str(err);
    }
    body.u64(report.dependencies_read as u64);
    files.encode(max_size, None, e);
    e.buf.extend_from_slice(&body.buf);
}

/// The report `encode_report` wrote; `None` when the bytes are not one, or
/// a file's text is no longer the one the run had.
pub fn decode_report(d: &mut Dec<'_>, max_size: u64) -> Option<Report> {
    let files = decode_files(d, max_size, None)?;
    let diagnostics = decode_diagnostics(d, &files)?;
    let files_checked = d.usize()?;
    let files_of_no_kind = d.usize()?;
    let mut errors = Vec::new();
    for _ in 0..d.len()? {
        errors.push(d.string()?);
    }
    let dependencies_read = d.usize()?;
    Some(Report {
        diagnostics,
        files_checked,
        files_of_no_kind,
        errors,
        dependencies_read,
        ..Report::default()
    })
}
