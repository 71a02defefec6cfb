//! HAProxy configuration as its line parser reads it: one keyword and its
//! arguments per line, `#` comments outside quotes, double quotes (with
//! `\` escapes and `${VAR}` expansion) and single quotes (literal), `\`
//! escapes outside quotes, and sections that run from their keyword
//! (`global`, `defaults`, `frontend`, `backend`, `listen`, ...) to the next.
//! Template placeholders (`{{ }}`, `<%= %>`, `${VAR}` left for the
//! environment) are words whose value is unknown.

use crate::lang::template::{self, Tag};
use crate::source::{Source, Span};

#[derive(Clone, Debug)]
pub struct Word {
    pub text: String,
    pub span: Span,
    /// Holds a placeholder or an environment variable: its value is unknown.
    pub placeholder: bool,
}

#[derive(Clone, Debug)]
pub struct Line {
    pub words: Vec<Word>,
    /// The line, from its first word to its last.
    pub span: Span,
}

impl Line {
    pub fn word(&self, i: usize) -> Option<&str> {
        self.words.get(i).map(|w| w.text.as_str())
    }

    /// The first word, lowercased.
    pub fn keyword(&self) -> String {
        self.word(0).unwrap_or("").to_ascii_lowercase()
    }
}

/// Keywords that open a section.
pub const SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "peers",
    "resolvers",
    "userlist",
    "cache",
    "program",
    "http-errors",
    "ring",
    "mailers",
    "crt-store",
    "traces",
    "log-forward",
    "fcgi-app",
    "namespace_list",
    "acme",
];

#[derive(Clone, Debug)]
pub struct Section {
    /// `frontend`, `backend`, `listen`, `defaults`, ... (lowercase).
    pub kind: String,
    pub name: Option<String>,
    /// `from <defaults>`.
    pub from: Option<String>,
    pub head: Line,
    pub lines: Vec<Line>,
}

#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug)]
pub struct HaproxyFile {
    pub source: Source,
    pub sections: Vec<Section>,
    /// Lines before the first section.
    pub orphans: Vec<Line>,
    pub errors: Vec<SyntaxError>,
    pub templated: bool,
}

/// Splits one line into words; `None` words for a comment-only line.
fn words(
    text: &str,
    start: usize,
    errors: &mut Vec<SyntaxError>,
    templated: &mut bool,
) -> Vec<Word> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'#' {
            break;
        }
        let ws = i;
        let mut t = Vec::new();
        let mut placeholder = false;
        while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
            let c = b[i];
            if c == b'#' {
                break;
            }
            match template::tag_at(b, i, false) {
                Some(Tag::Placeholder(end)) => {
                    t.extend_from_slice(&b[i..end]);
                    placeholder = true;
                    i = end;
                    continue;
                }
                Some(Tag::Statement(end)) => {
                    *templated = true;
                    if t.is_empty() {
                        i = end;
                        continue;
                    }
                    placeholder = true;
                    break;
                }
                None => {}
            }
            match c {
                b'\\' if i + 1 < b.len() => {
                    t.push(b[i + 1]);
                    i += 2;
                }
                b'"' => {
                    let open = i;
                    i += 1;
                    let mut closed = false;
                    while i < b.len() {
                        match b[i] {
                            b'\\' if i + 1 < b.len() => {
                                t.push(b[i + 1]);
                                i += 2;
                            }
                            b'"' => {
                                closed = true;
                                i += 1;
                                break;
                            }
                            b'$' if b.get(i + 1) == Some(&b'{') => {
                                placeholder = true;
                                t.push(b'$');
                                i += 1;
                            }
                            x => {
                                t.push(x);
                                i += 1;
                            }
                        }
                    }
                    if !closed {
                        errors.push(SyntaxError {
                            span: Span::new(start + open, start + open + 1),
                            message: "unmatched double quote: HAProxy refuses the line".into(),
                        });
                    }
                }
                b'\'' => {
                    let open = i;
                    i += 1;
                    let mut closed = false;
                    while i < b.len() {
                        if b[i] == b'\'' {
                            closed = true;
                            i += 1;
                            break;
                        }
                        t.push(b[i]);
                        i += 1;
                    }
                    if !closed {
                        errors.push(SyntaxError {
                            span: Span::new(start + open, start + open + 1),
                            message: "unmatched single quote: HAProxy refuses the line".into(),
                        });
                    }
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    placeholder = true;
                    t.push(c);
                    i += 1;
                }
                _ => {
                    t.push(c);
                    i += 1;
                }
            }
        }
        out.push(Word {
            text: String::from_utf8_lossy(&t).into_owned(),
            span: Span::new(start + ws, start + i),
            placeholder,
        });
    }
    out
}

pub fn parse(source: Source) -> HaproxyFile {
    let text: &str = &source.text;
    let mut errors = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    let mut orphans = Vec::new();
    let mut templated = false;
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let ws = words(line, start, &mut errors, &mut templated);
        let (Some(first), Some(last)) = (ws.first(), ws.last()) else {
            continue;
        };
        templated |= ws.iter().any(|w| w.placeholder && !w.text.starts_with('$'));
        let span = Span::new(first.span.start, last.span.end);
        let l = Line { words: ws, span };
        let kw = l.keyword();
        if SECTIONS.contains(&kw.as_str()) {
            let mut name = l.word(1).map(str::to_string);
            let mut from = None;
            if name.as_deref() == Some("from") {
                name = None;
                from = l.word(2).map(str::to_string);
            } else if l.word(2) == Some("from") {
                from = l.word(3).map(str::to_string);
            }
            sections.push(Section {
                kind: kw,
                name,
                from,
                head: l,
                lines: Vec::new(),
            });
            continue;
        }
        match sections.last_mut() {
            Some(s) => s.lines.push(l),
            None => orphans.push(l),
        }
    }
    HaproxyFile {
        source,
        sections,
        orphans,
        errors,
        templated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn parse_text(t: &str) -> HaproxyFile {
        parse(Arc::new(SourceFile::new("haproxy.cfg".into(), t)))
    }

    #[test]
    fn sections_and_words() {
        let f = parse_text(
            "global\n  maxconn 100 # comment\ndefaults web from base\n  timeout client 30s\nbackend ws\n  server a \"10.0.0.1:80\" check\n  http-request set-header X 'a b'\n",
        );
        assert_eq!(f.sections.len(), 3);
        assert_eq!(f.sections[1].name.as_deref(), Some("web"));
        assert_eq!(f.sections[1].from.as_deref(), Some("base"));
        assert_eq!(f.sections[0].lines[0].words.len(), 2);
        assert_eq!(f.sections[2].lines[0].word(2), Some("10.0.0.1:80"));
        assert_eq!(f.sections[2].lines[1].word(3), Some("a b"));
    }

    #[test]
    fn escapes_and_placeholders() {
        let f = parse_text(
            "backend b\n  timeout tunnel {{ tunnel }}\n  acl x path_beg /a\\ b\n  timeout server \"${T}\"\n",
        );
        let l = &f.sections[0].lines;
        assert!(l[0].words[2].placeholder);
        assert_eq!(l[1].word(3), Some("/a b"));
        assert!(l[2].words[2].placeholder);
    }

    #[test]
    fn defaults_from_without_name() {
        let f = parse_text("defaults from base\n");
        assert_eq!(f.sections[0].name, None);
        assert_eq!(f.sections[0].from.as_deref(), Some("base"));
    }
}
