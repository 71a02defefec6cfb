//! nginx configuration as `ngx_conf_read_token` reads it: words separated
//! by whitespace, `;` ending a directive, `{ ... }` blocks, `#` comments
//! from the start of a word to the end of the line, single- and
//! double-quoted words with `\` escapes, and `$var` / `${var}` variables
//! (the `{` of `${` opens no block).
//!
//! Also, as real repositories hold them: template placeholders (Jinja
//! `{{ }}` / `{% %}` / `{# #}`, ERB `<%= %>` / `<% %>`, and, in templated
//! copies, envsubst's `${VAR}`) are words whose value is unknown, not
//! syntax; OpenResty's `*_by_lua_block { ... }` bodies are Lua and are
//! skipped whole.
//!
//! The tree is an arena built with an explicit stack, so any depth of
//! nesting neither recurses nor overflows.

use crate::lang::template::{self, Tag};
use crate::source::{Source, Span};

pub type NodeId = usize;

/// The name of the node a placeholder alone on its line becomes.
pub const PLACEHOLDER: &str = "#placeholder";

#[derive(Clone, Debug)]
pub struct Word {
    /// Quotes removed, escapes decoded.
    pub text: String,
    /// As written, quotes included.
    pub span: Span,
    pub quoted: bool,
    /// Holds a template placeholder: its value is unknown.
    pub placeholder: bool,
    /// The word is one placeholder and nothing else on its line: the
    /// template expands it to configuration of its own.
    pub alone: bool,
}

#[derive(Clone, Debug)]
pub struct Node {
    /// The first word (the directive's name), lowercased for matching.
    pub lname: String,
    pub name: Word,
    pub args: Vec<Word>,
    /// From the name to the `;`, or to the `{` of a block.
    pub span: Span,
    /// `Some` for blocks, with their children in order.
    pub children: Option<Vec<NodeId>>,
    /// The block's closing `}` (or the end of the file when it is missing).
    pub end: Option<Span>,
    /// Template statements inside its arguments (`{% if %}a{% else %}b{%
    /// endif %}`): the words are alternatives, not one value each.
    pub templated: bool,
    /// Template statements between a block's children: which of them the
    /// deployed file holds depends on the template's data.
    pub branched: bool,
}

impl Node {
    pub fn is_block(&self) -> bool {
        self.children.is_some()
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|w| w.text.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug)]
pub struct NginxFile {
    pub source: Source,
    pub nodes: Vec<Node>,
    pub top: Vec<NodeId>,
    pub errors: Vec<SyntaxError>,
    /// Template statements (`{% if %}`, `<% %>`) shape the file: its block
    /// structure is the template engine's business, so brace errors are
    /// not reported.
    pub templated: bool,
}

impl NginxFile {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    pub fn children(&self, id: Option<NodeId>) -> &[NodeId] {
        match id {
            None => &self.top,
            Some(i) => self.nodes[i].children.as_deref().unwrap_or(&[]),
        }
    }
}

enum Tok {
    Word(Word),
    Semi(Span),
    Open(Span),
    Close(Span),
    /// A template statement (skipped as syntax, but it tells the parser
    /// the file's shape depends on the template).
    Statement,
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
    /// `${VAR}` is a template placeholder (an envsubst template), not an
    /// nginx variable.
    envsubst: bool,
    templated: bool,
    errors: Vec<SyntaxError>,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c')
}

/// The escape `\\n` as `ngx_conf_read_token` decodes it: quotes, backslash
/// and `\\t \\r \\n`; any other escape is kept as written.
fn unescape(n: u8, text: &mut Vec<u8>) {
    match n {
        b'"' | b'\'' | b'\\' => text.push(n),
        b't' => text.push(b'\t'),
        b'r' => text.push(b'\r'),
        b'n' => text.push(b'\n'),
        _ => {
            text.push(b'\\');
            text.push(n);
        }
    }
}

impl<'a> Lexer<'a> {
    fn tag(&self, at: usize) -> Option<Tag> {
        template::tag_at(self.b, at, self.envsubst)
    }

    fn next(&mut self) -> Option<Tok> {
        loop {
            while self.pos < self.b.len() && is_space(self.b[self.pos]) {
                self.pos += 1;
            }
            if self.pos >= self.b.len() {
                return None;
            }
            if let Some(Tag::Statement(end)) = self.tag(self.pos) {
                self.templated = true;
                self.pos = end;
                return Some(Tok::Statement);
            }
            let c = self.b[self.pos];
            match c {
                b'#' => {
                    let end = memchr::memchr(b'\n', &self.b[self.pos..])
                        .map_or(self.b.len(), |i| self.pos + i);
                    self.pos = end;
                    continue;
                }
                b';' => {
                    self.pos += 1;
                    return Some(Tok::Semi(Span::new(self.pos - 1, self.pos)));
                }
                b'{' if self.tag(self.pos).is_none() => {
                    self.pos += 1;
                    return Some(Tok::Open(Span::new(self.pos - 1, self.pos)));
                }
                b'}' => {
                    self.pos += 1;
                    return Some(Tok::Close(Span::new(self.pos - 1, self.pos)));
                }
                b'"' | b'\'' => return Some(Tok::Word(self.quoted(c))),
                _ => return Some(Tok::Word(self.word())),
            }
        }
    }

    fn quoted(&mut self, q: u8) -> Word {
        let start = self.pos;
        self.pos += 1;
        let mut text = Vec::new();
        let mut placeholder = false;
        let mut closed = false;
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            if c == b'\\' && self.pos + 1 < self.b.len() {
                unescape(self.b[self.pos + 1], &mut text);
                self.pos += 2;
                continue;
            }
            if c == q {
                self.pos += 1;
                closed = true;
                break;
            }
            if let Some(Tag::Placeholder(end) | Tag::Statement(end)) = self.tag(self.pos) {
                placeholder = true;
                text.extend_from_slice(&self.b[self.pos..end.min(self.b.len())]);
                self.pos = end.min(self.b.len());
                continue;
            }
            text.push(c);
            self.pos += 1;
        }
        if !closed {
            self.errors.push(SyntaxError {
                span: Span::new(start, start + 1),
                message: format!(
                    "unexpected end of file in a {} string opened here: nginx refuses the file",
                    if q == b'"' {
                        "double-quoted"
                    } else {
                        "single-quoted"
                    }
                ),
            });
        } else if self.pos < self.b.len() {
            let n = self.b[self.pos];
            if !(is_space(n) || n == b';' || n == b'{' || n == b'}' || n == b')') {
                self.errors.push(SyntaxError {
                    span: Span::new(self.pos, self.pos + 1),
                    message: format!(
                        "unexpected `{}` right after a quoted string: nginx refuses the file (put a space or `;` after the closing quote)",
                        char::from(n)
                    ),
                });
            }
        }
        Word {
            text: String::from_utf8_lossy(&text).into_owned(),
            span: Span::new(start, self.pos),
            quoted: true,
            placeholder,
            alone: false,
        }
    }

    fn word(&mut self) -> Word {
        let start = self.pos;
        let mut text = Vec::new();
        let mut placeholder = false;
        // Inside `${...}`: braces belong to the variable.
        let mut in_var = false;
        while self.pos < self.b.len() {
            match self.tag(self.pos) {
                Some(Tag::Placeholder(end)) => {
                    placeholder = true;
                    let end = end.min(self.b.len());
                    text.extend_from_slice(&self.b[self.pos..end]);
                    self.pos = end;
                    continue;
                }
                // A statement inside a word (`ssl{{ if .H2 }} http2{{ end }}`)
                // ends it; the word is then only partly known.
                Some(Tag::Statement(_)) => {
                    placeholder = true;
                    break;
                }
                None => {}
            }
            let c = self.b[self.pos];
            if in_var {
                text.push(c);
                self.pos += 1;
                if c == b'}' {
                    in_var = false;
                }
                continue;
            }
            if is_space(c) || c == b';' || c == b'{' || c == b'}' {
                break;
            }
            if c == b'$' && self.b.get(self.pos + 1) == Some(&b'{') {
                in_var = true;
                text.extend_from_slice(b"${");
                self.pos += 2;
                continue;
            }
            if c == b'\\' && self.pos + 1 < self.b.len() {
                unescape(self.b[self.pos + 1], &mut text);
                self.pos += 2;
                continue;
            }
            text.push(c);
            self.pos += 1;
        }
        // One placeholder tag and nothing else on its line?
        let whole_tag = matches!(self.tag(start), Some(Tag::Placeholder(end)) if end == self.pos);
        let line_start = self.b[..start]
            .iter()
            .rev()
            .take_while(|&&c| c != b'\n')
            .all(|c| c.is_ascii_whitespace());
        let rest = &self.b[self.pos..];
        let line_end = rest
            .iter()
            .take_while(|&&c| c != b'\n')
            .all(|c| c.is_ascii_whitespace());
        Word {
            text: String::from_utf8_lossy(&text).into_owned(),
            span: Span::new(start, self.pos),
            quoted: false,
            placeholder,
            alone: whole_tag && line_start && line_end,
        }
    }

    /// Skips the Lua body of a `*_by_lua_block` whose `{` was just read:
    /// up to its matching `}`, past Lua strings, long brackets and
    /// comments. Returns the closing brace, if any.
    fn skip_lua(&mut self) -> Option<Span> {
        let mut depth = 1usize;
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return Some(Span::new(self.pos - 1, self.pos));
                    }
                }
                b'"' | b'\'' => {
                    self.pos += 1;
                    while self.pos < self.b.len() && self.b[self.pos] != c {
                        if self.b[self.pos] == b'\\' {
                            self.pos += 1;
                        }
                        if self.b.get(self.pos) == Some(&b'\n') {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                b'-' if self.b[self.pos..].starts_with(b"--") => {
                    self.pos += 2;
                    if let Some(level) = self.long_bracket() {
                        self.skip_long(level);
                    } else {
                        self.pos = memchr::memchr(b'\n', &self.b[self.pos..])
                            .map_or(self.b.len(), |i| self.pos + i);
                    }
                    continue;
                }
                b'[' => {
                    if let Some(level) = self.long_bracket() {
                        self.skip_long(level);
                        continue;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        None
    }

    /// At `[[` or `[=*[`: moves past it and returns its level.
    fn long_bracket(&mut self) -> Option<usize> {
        let rest = &self.b[self.pos..];
        if rest.first() != Some(&b'[') {
            return None;
        }
        let eq = rest[1..].iter().take_while(|&&c| c == b'=').count();
        if rest.get(1 + eq) != Some(&b'[') {
            return None;
        }
        self.pos += eq + 2;
        Some(eq)
    }

    fn skip_long(&mut self, level: usize) {
        let mut close = vec![b']'];
        close.extend(std::iter::repeat_n(b'=', level));
        close.push(b']');
        self.pos = memchr::memmem::find(&self.b[self.pos..], &close)
            .map_or(self.b.len(), |i| self.pos + i + close.len());
    }
}

/// Parses an nginx file. `envsubst`: the file is a template whose `${VAR}`
/// an envsubst step fills in (the official image's `templates/*.template`).
pub fn parse_with(source: Source, envsubst: bool) -> NginxFile {
    let text: &str = &source.text;
    let mut lx = Lexer {
        b: text.as_bytes(),
        pos: 0,
        envsubst,
        templated: false,
        errors: Vec::new(),
    };
    let mut nodes: Vec<Node> = Vec::new();
    let mut top: Vec<NodeId> = Vec::new();
    // Open blocks.
    let mut stack: Vec<NodeId> = Vec::new();
    // Words of the directive being read.
    let mut words: Vec<Word> = Vec::new();
    let mut errors: Vec<SyntaxError> = Vec::new();
    let push = |nodes: &mut Vec<Node>, top: &mut Vec<NodeId>, stack: &[NodeId], node: Node| {
        let id = nodes.len();
        nodes.push(node);
        match stack.last() {
            Some(&p) => nodes[p].children.as_mut().expect("block").push(id),
            None => top.push(id),
        }
        id
    };
    // The directive being read has template statements among its words.
    let mut in_template = false;
    while let Some(tok) = lx.next() {
        match tok {
            Tok::Statement => {
                if words.is_empty() {
                    if let Some(&b) = stack.last() {
                        nodes[b].branched = true;
                    }
                } else {
                    in_template = true;
                }
            }
            // A placeholder alone on its line: the template puts
            // configuration there; kept as a node of its own.
            Tok::Word(w) if words.is_empty() && w.alone => {
                push(
                    &mut nodes,
                    &mut top,
                    &stack,
                    Node {
                        lname: PLACEHOLDER.to_string(),
                        span: w.span,
                        name: w,
                        args: Vec::new(),
                        children: None,
                        end: None,
                        templated: true,
                        branched: false,
                    },
                );
            }
            Tok::Word(mut w) => {
                if in_template {
                    w.placeholder = true;
                }
                words.push(w)
            }
            Tok::Semi(s) => {
                if words.is_empty() {
                    errors.push(SyntaxError {
                        span: s,
                        message: "unexpected `;`: nginx refuses the file".into(),
                    });
                    continue;
                }
                let name = words.remove(0);
                let span = Span::new(name.span.start, s.end);
                push(
                    &mut nodes,
                    &mut top,
                    &stack,
                    Node {
                        lname: name.text.to_ascii_lowercase(),
                        name,
                        args: std::mem::take(&mut words),
                        span,
                        children: None,
                        end: None,
                        templated: std::mem::take(&mut in_template),
                        branched: false,
                    },
                );
            }
            Tok::Open(s) => {
                if words.is_empty() {
                    errors.push(SyntaxError {
                        span: s,
                        message: "unexpected `{`: a block needs a name before it".into(),
                    });
                    // Read it as an anonymous block so that its `}` balances.
                    words.push(Word {
                        text: String::new(),
                        span: s,
                        quoted: false,
                        placeholder: false,
                        alone: false,
                    });
                }
                let name = words.remove(0);
                let lname = name.text.to_ascii_lowercase();
                let span = Span::new(name.span.start, s.end);
                let lua = lname.ends_with("_by_lua_block");
                let id = push(
                    &mut nodes,
                    &mut top,
                    &stack,
                    Node {
                        lname,
                        name,
                        args: std::mem::take(&mut words),
                        span,
                        children: Some(Vec::new()),
                        end: None,
                        templated: std::mem::take(&mut in_template),
                        branched: false,
                    },
                );
                if lua {
                    match lx.skip_lua() {
                        Some(close) => nodes[id].end = Some(close),
                        None => errors.push(SyntaxError {
                            span,
                            message: "unexpected end of file: this Lua block is never closed"
                                .into(),
                        }),
                    }
                } else {
                    stack.push(id);
                }
            }
            Tok::Close(s) => {
                in_template = false;
                if !words.is_empty() {
                    let last = words.last().expect("non-empty").span;
                    errors.push(SyntaxError {
                        span: Span::new(words[0].span.start, last.end),
                        message: format!(
                            "`{}` is missing its `;` before `}}`: nginx refuses the file (unexpected \"}}\")",
                            words[0].text
                        ),
                    });
                    words.clear();
                }
                match stack.pop() {
                    Some(id) => nodes[id].end = Some(s),
                    None => errors.push(SyntaxError {
                        span: s,
                        message: "unexpected `}`: no block is open here, nginx refuses the file"
                            .into(),
                    }),
                }
            }
        }
    }
    if let (Some(first), Some(last)) = (words.first(), words.last()) {
        errors.push(SyntaxError {
            span: Span::new(first.span.start, last.span.end),
            message: format!(
                "unexpected end of file after `{}`: it is missing its `;`, nginx refuses the file",
                first.text
            ),
        });
    }
    // One report for the outermost block left open, however many are.
    if let Some(&outer) = stack.first() {
        let n = &nodes[outer];
        let more = match stack.len() {
            1 => String::new(),
            2 => " (and 1 block inside it)".to_string(),
            k => format!(" (and {} blocks inside it)", k - 1),
        };
        errors.push(SyntaxError {
            span: n.span,
            message: format!(
                "unexpected end of file: `{}` block opened here is never closed with `}}`{more}",
                n.name.text
            ),
        });
    }
    let templated = lx.templated;
    errors.extend(lx.errors);
    if lx.templated {
        // Template statements may open and close blocks in branches.
        errors.retain(|e| !e.message.contains('}') && !e.message.contains('{'));
    }
    errors.sort_by_key(|e| e.span);
    NginxFile {
        source,
        nodes,
        top,
        errors,
        templated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn parse(text: &str) -> NginxFile {
        parse_with(Arc::new(SourceFile::new("t.conf".into(), text)), false)
    }

    fn names(f: &NginxFile, id: Option<NodeId>) -> Vec<String> {
        f.children(id)
            .iter()
            .map(|&i| f.node(i).name.text.clone())
            .collect()
    }

    #[test]
    fn directives_blocks_and_comments() {
        let f = parse(
            "user www; # a comment\nhttp {\n  server {\n    location /ws/ { proxy_pass http://b;#x\n }\n  }\n}\n",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(names(&f, None), vec!["user", "http"]);
        let http = f.top[1];
        let server = f.children(Some(http))[0];
        let loc = f.children(Some(server))[0];
        assert_eq!(f.node(loc).arg(0), Some("/ws/"));
        assert_eq!(names(&f, Some(loc)), vec!["proxy_pass"]);
    }

    #[test]
    fn quotes_escapes_and_variables() {
        let f = parse(
            "add_header X \"a \\\"b\\\" c\";\nset $a '${host}x';\nreturn 200 ${scheme}://$host;\nlocation ~ ^/a{2}$ {}\n",
        );
        let n: Vec<&Node> = f.top.iter().map(|&i| f.node(i)).collect();
        assert_eq!(n[0].args[1].text, "a \"b\" c");
        assert_eq!(n[1].args[1].text, "${host}x");
        assert_eq!(n[2].args[1].text, "${scheme}://$host");
        // `{` after a word opens the block: `^/a{2}$` is read as `^/a` + block.
        assert!(!f.errors.is_empty() || n.len() >= 4);
    }

    #[test]
    fn hash_inside_a_word_is_not_a_comment() {
        let f = parse("set $a b#c;\n");
        assert_eq!(f.node(f.top[0]).args[1].text, "b#c");
    }

    #[test]
    fn unbalanced_braces_and_missing_semicolons() {
        let f = parse("http {\n server {\n");
        assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
        assert!(f.errors[0].message.contains("and 1 block inside it"));
        let f = parse("}\n");
        assert!(f.errors[0].message.contains("unexpected `}`"));
        let f = parse("location / { proxy_pass http://b }\n");
        assert!(f.errors[0].message.contains("missing its `;`"));
        let f = parse("proxy_read_timeout 60");
        assert!(f.errors[0].message.contains("end of file"));
    }

    #[test]
    fn templates_are_words() {
        let f = parse(
            "{% if ws %}\nlocation /ws/ {\n  proxy_read_timeout {{ ws_timeout }};\n}\n{% endif %}\n",
        );
        assert!(f.templated);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let loc = f.top[0];
        let t = f.node(f.children(Some(loc))[0]);
        assert!(t.args[0].placeholder);
        let f = parse_with(
            Arc::new(SourceFile::new(
                "t.conf.template".into(),
                "proxy_read_timeout ${WS_TIMEOUT};\n",
            )),
            true,
        );
        assert!(f.node(f.top[0]).args[0].placeholder);
    }

    #[test]
    fn lua_blocks_are_skipped() {
        let f = parse(
            "location / {\n content_by_lua_block {\n  local t = { a = \"}\" } -- }\n  ngx.say([[ } ]])\n }\n proxy_pass http://b;\n}\n",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(
            names(&f, Some(f.top[0])),
            vec!["content_by_lua_block", "proxy_pass"]
        );
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let text = "a {".repeat(100_000) + &"}".repeat(100_000);
        let f = parse(&text);
        assert!(f.errors.is_empty());
        assert_eq!(f.nodes.len(), 100_000);
    }
}
