//! A line parser for Apache httpd configuration, as `ap_cfg_getline` and
//! `ap_getword_conf` read it: `\` continuations, whole-line `#` comments,
//! single and double quotes, case-insensitive names and nested sections.
//!
//! The tree is an arena (`Vec<Node>` with child indices) built with an
//! explicit stack, so any nesting depth neither recurses nor overflows.

use crate::source::{Source, Span};

pub type NodeId = usize;

#[derive(Clone, Debug)]
pub struct Arg {
    /// The word with quotes removed and `\"`/`\'` unescaped.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Node {
    /// As written (`ProxyTimeout`, `VirtualHost`).
    pub name: String,
    /// Lowercase, for matching.
    pub lname: String,
    pub args: Vec<Arg>,
    /// The whole logical line of a directive, or a section's opening tag.
    pub span: Span,
    /// `Some` for sections, with their children in order.
    pub children: Option<Vec<NodeId>>,
}

impl Node {
    pub fn is_section(&self) -> bool {
        self.children.is_some()
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|a| a.text.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug)]
pub struct ApacheFile {
    pub source: Source,
    pub nodes: Vec<Node>,
    pub top: Vec<NodeId>,
    pub errors: Vec<SyntaxError>,
    /// A template (`{% if %}`, `<% %>` blocks): its section structure is
    /// the template engine's business, not httpd's.
    pub templated: bool,
}

impl ApacheFile {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }
}

/// A logical line: its text with continuations joined, and for every byte of
/// it the offset in the source it came from.
struct Logical {
    text: String,
    map: Vec<usize>,
}

impl Logical {
    fn span(&self, start: usize, end: usize) -> Span {
        if start >= end || start >= self.map.len() {
            let at = self.map.get(start).copied().unwrap_or(0);
            return Span::new(at, at);
        }
        Span::new(self.map[start], self.map[end - 1] + 1)
    }
}

/// Whether a line is a template tag of its own: `Some(true)` for a
/// statement, `Some(false)` for a placeholder standing alone.
fn template_line(body: &str) -> Option<bool> {
    use crate::lang::template::{Tag, tag_at};
    match tag_at(body.as_bytes(), 0, false)? {
        Tag::Statement(_) => Some(true),
        Tag::Placeholder(end) if body[end.min(body.len())..].trim().is_empty() => Some(false),
        Tag::Placeholder(_) => None,
    }
}

pub fn parse(source: Source) -> ApacheFile {
    let mut file = ApacheFile {
        source: source.clone(),
        nodes: Vec::new(),
        top: Vec::new(),
        errors: Vec::new(),
        templated: crate::lang::template::has_statements(&source.text),
    };
    // Open sections: node id.
    let mut stack: Vec<NodeId> = Vec::new();
    let text: &str = &source.text;
    let mut pos = 0;
    while pos < text.len() {
        let (logical, next) = read_logical(text, pos, &mut file.errors);
        pos = next;
        let line = logical.text.as_str();
        let start = line.len() - line.trim_start().len();
        let end = line.trim_end().len();
        if start >= end {
            continue;
        }
        let body = &line[start..end];
        if body.starts_with('#') {
            continue;
        }
        // A template line (`<% if @ssl %>`, `{% for %}`, `{{ end }}`, or a
        // placeholder alone on its line) is the template engine's.
        if let Some(tag) = template_line(body) {
            file.templated |= tag;
            continue;
        }
        if let Some(rest) = body.strip_prefix("</") {
            let name = rest.trim_end_matches('>').trim();
            close_section(&mut file, &mut stack, name, logical.span(start, end));
            continue;
        }
        let node = if body.starts_with('<') {
            let inner_end = if body.ends_with('>') {
                end - 1
            } else {
                file.errors.push(SyntaxError {
                    span: logical.span(start, end),
                    message: "section tag is missing its closing `>`".into(),
                });
                end
            };
            let (name_start, name_end) = word_bounds(line, start + 1, inner_end);
            let name = line[name_start..name_end].to_string();
            let args = split_args(&logical, name_end, inner_end);
            Node {
                lname: name.to_ascii_lowercase(),
                name,
                args,
                span: logical.span(start, end),
                children: Some(Vec::new()),
            }
        } else {
            let (name_start, name_end) = word_bounds(line, start, end);
            let name = line[name_start..name_end].to_string();
            let args = split_args(&logical, name_end, end);
            Node {
                lname: name.to_ascii_lowercase(),
                name,
                args,
                span: logical.span(start, end),
                children: None,
            }
        };
        let is_section = node.is_section();
        let id = file.nodes.len();
        file.nodes.push(node);
        match stack.last() {
            Some(&parent) => file.nodes[parent]
                .children
                .as_mut()
                .expect("stack holds sections")
                .push(id),
            None => file.top.push(id),
        }
        if is_section {
            stack.push(id);
        }
    }
    for id in stack.into_iter().rev() {
        let node = &file.nodes[id];
        file.errors.push(SyntaxError {
            span: node.span,
            message: format!("`<{}>` is never closed: httpd refuses to start", node.name),
        });
    }
    file.errors.sort_by_key(|e| e.span);
    file
}

fn close_section(file: &mut ApacheFile, stack: &mut Vec<NodeId>, name: &str, span: Span) {
    let lname = name.to_ascii_lowercase();
    match stack.iter().rposition(|&id| file.nodes[id].lname == lname) {
        Some(at) => {
            // Sections opened after the one being closed were never closed.
            for &id in &stack[at + 1..] {
                let open = &file.nodes[id];
                file.errors.push(SyntaxError {
                    span: open.span,
                    message: format!(
                        "`<{}>` is not closed before `</{name}>`: httpd refuses to start",
                        open.name
                    ),
                });
            }
            stack.truncate(at);
        }
        None => {
            let message = match stack.last() {
                Some(&open) => format!(
                    "`</{name}>` does not match the open `<{}>`: httpd refuses to start",
                    file.nodes[open].name
                ),
                None => format!("`</{name}>` closes a section that was never opened"),
            };
            file.errors.push(SyntaxError { span, message });
        }
    }
}

/// Reads one logical line starting at `pos`; returns it and the position of
/// the next one. A line ending in a single `\` continues on the next line.
fn read_logical(text: &str, mut pos: usize, errors: &mut Vec<SyntaxError>) -> (Logical, usize) {
    let bytes = text.as_bytes();
    let mut logical = Logical {
        text: String::new(),
        map: Vec::new(),
    };
    loop {
        let line_end = memchr::memchr2(b'\n', b'\r', &bytes[pos..])
            .map(|i| pos + i)
            .unwrap_or(bytes.len());
        let next = if line_end >= bytes.len() {
            bytes.len()
        } else if bytes[line_end] == b'\r' && bytes.get(line_end + 1) == Some(&b'\n') {
            line_end + 2
        } else {
            line_end + 1
        };
        let content = &text[pos..line_end];
        let continues = content.ends_with('\\') && !content.ends_with("\\\\");
        let keep = if continues {
            &content[..content.len() - 1]
        } else {
            content
        };
        logical.text.push_str(keep);
        logical.map.extend(pos..pos + keep.len());
        if continues && next >= bytes.len() {
            errors.push(SyntaxError {
                span: Span::new(line_end - 1, line_end),
                message: "line continuation `\\` at the end of the file".into(),
            });
        }
        pos = next;
        if !continues || pos >= bytes.len() {
            return (logical, pos);
        }
    }
}

/// The first whitespace-delimited word in `line[start..end]`.
fn word_bounds(line: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &line[start..end];
    let lead = s.len() - s.trim_start().len();
    let word_len = s[lead..]
        .find(|c: char| c.is_whitespace())
        .unwrap_or(s.len() - lead);
    (start + lead, start + lead + word_len)
}

/// Splits `logical.text[start..end]` into words as `ap_getword_conf` does.
fn split_args(logical: &Logical, start: usize, end: usize) -> Vec<Arg> {
    let line = &logical.text[..end];
    let bytes = line.as_bytes();
    let mut args = Vec::new();
    let mut i = start;
    while i < end {
        while i < end && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= end {
            break;
        }
        let word_start = i;
        let quote = bytes[i];
        let mut text = String::new();
        if quote == b'"' || quote == b'\'' {
            i += 1;
            let mut closed = false;
            while i < end {
                let c = bytes[i];
                if c == b'\\' && i + 1 < end && bytes[i + 1] == quote {
                    text.push(quote as char);
                    i += 2;
                    continue;
                }
                if c == quote {
                    closed = true;
                    i += 1;
                    break;
                }
                let ch_end = next_char(line, i);
                text.push_str(&line[i..ch_end]);
                i = ch_end;
            }
            let _ = closed;
        } else {
            while i < end && !bytes[i].is_ascii_whitespace() {
                let ch_end = next_char(line, i);
                text.push_str(&line[i..ch_end]);
                i = ch_end;
            }
        }
        args.push(Arg {
            text,
            span: logical.span(word_start, i),
        });
    }
    args
}

fn next_char(s: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < s.len() && !s.is_char_boundary(j) {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn parse_str(s: &str) -> ApacheFile {
        parse(Arc::new(SourceFile::new("t.conf".into(), s)))
    }

    #[test]
    fn directives_sections_comments_and_quotes() {
        let f = parse_str(
            "# comment\nTimeout 300\n<VirtualHost *:443>\n  ProxyPass \"/ws app\" 'ws://b/x y' timeout=5\n</virtualhost>\n",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.top.len(), 2);
        let t = f.node(f.top[0]);
        assert_eq!((t.lname.as_str(), t.arg(0)), ("timeout", Some("300")));
        let vh = f.node(f.top[1]);
        assert_eq!(vh.lname, "virtualhost");
        assert_eq!(vh.arg(0), Some("*:443"));
        let pp = f.node(vh.children.as_ref().unwrap()[0]);
        let args: Vec<_> = pp.args.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(args, vec!["/ws app", "ws://b/x y", "timeout=5"]);
        assert_eq!(
            &f.source.text[pp.args[1].span.start..pp.args[1].span.end],
            "'ws://b/x y'"
        );
    }

    #[test]
    fn continuations_join_lines_and_keep_spans() {
        let f = parse_str("ProxyPass /ws/ \\\n    ws://backend/ws/ \\\r\n    timeout=90\n");
        assert!(f.errors.is_empty());
        let pp = f.node(f.top[0]);
        assert_eq!(pp.args.len(), 3);
        let t = &pp.args[2];
        assert_eq!(&f.source.text[t.span.start..t.span.end], "timeout=90");
        assert_eq!(f.source.line_col(t.span.start).line, 3);
    }

    #[test]
    fn a_continued_comment_swallows_the_next_line() {
        let f = parse_str("# a comment \\\nProxyTimeout 5\nTimeout 9\n");
        assert_eq!(f.top.len(), 1);
        assert_eq!(f.node(f.top[0]).lname, "timeout");
    }

    #[test]
    fn unbalanced_sections_are_errors() {
        let f = parse_str(
            "<VirtualHost *:80>\n<Location /x>\n</VirtualHost>\n</Location>\n<IfModule x>\n",
        );
        let msgs: Vec<_> = f.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("`<Location>` is not closed"));
        assert!(msgs[1].contains("never opened"));
        assert!(msgs[2].contains("`<IfModule>` is never closed"));
    }

    #[test]
    fn continuation_at_eof_is_an_error() {
        let f = parse_str("Timeout 30 \\");
        assert_eq!(f.errors.len(), 1);
        assert_eq!(f.node(f.top[0]).arg(0), Some("30"));
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let depth = 100_000;
        let mut s = String::new();
        for _ in 0..depth {
            s.push_str("<IfModule x>\n");
        }
        s.push_str("Timeout 5\n");
        for _ in 0..depth {
            s.push_str("</IfModule>\n");
        }
        let f = parse_str(&s);
        assert!(f.errors.is_empty());
        assert_eq!(f.nodes.len(), depth + 1);
    }
}
