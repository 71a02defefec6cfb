//! A `.tf` file read with hcl-edit into a small owned model: its blocks
//! (`resource`, `variable`, `locals`, ...) with their labels, attributes
//! and nested blocks, each with its byte span, and every attribute value
//! summarized to what the rules can use (a number, a string, a reference,
//! a list of those); anything else is [`Value::Unknown`], never guessed.
//!
//! hcl-edit is a recursive-descent parser: before it runs, a byte scan
//! ([`nesting_depth`]) refuses a file nested deeper than [`MAX_NESTING`]
//! brackets, so that hostile input cannot overflow the stack (hcl-edit
//! bounds its own nesting too, at 64 levels, with a parse error).

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::Element;

use crate::source::{Span, clamp_to_char_boundary};

/// Files nested deeper than this many brackets, braces or parentheses are
/// not parsed.
pub const MAX_NESTING: usize = 128;

/// Nested blocks kept below a top-level block: `resource` > `path_matcher`
/// > `path_rule` needs three; more is never read.
const MAX_BLOCK_DEPTH: usize = 6;

/// Nesting of values kept in a summary (lists of lists); deeper is
/// [`Value::Unknown`].
const MAX_VALUE_DEPTH: usize = 8;

/// What an attribute's value is, as far as it can be known without
/// running Terraform.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`: the same as leaving the argument out.
    Null,
    Number(f64),
    /// A string with no interpolation (a heredoc with none too).
    Str(String),
    Bool(bool),
    /// `var.x`
    Var(String),
    /// `local.y`
    Local(String),
    /// A resource, or one of its attributes: `google_compute_backend_service.ws`,
    /// `.id`, `.self_link`, `[0].id`.
    Ref {
        ty: String,
        name: String,
    },
    List(Vec<Value>),
    Unknown,
}

impl Value {
    /// The number the value stands for: a number, or a string Terraform
    /// converts to one (`"60"`).
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Str(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// `name = value`.
#[derive(Clone, Debug)]
pub struct Attr {
    pub name: String,
    pub value: Value,
    /// The whole `name = value`.
    pub span: Span,
}

/// `ident "label" ... { body }`.
#[derive(Clone, Debug)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    /// The whole block.
    pub span: Span,
    /// `ident "label" ... {`: where a finding about the block points.
    pub head: Span,
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

impl Block {
    /// The last attribute of that name (HCL refuses duplicates; the last
    /// is what a lenient reader would keep).
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().rev().find(|a| a.name == name)
    }

    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }

    pub fn label(&self, i: usize) -> Option<&str> {
        self.labels.get(i).map(String::as_str)
    }
}

/// What a file holds.
#[derive(Clone, Debug, Default)]
pub struct TfBody {
    /// Top-level blocks, in file order.
    pub blocks: Vec<Block>,
    /// Top-level attributes (a `.tfvars` file).
    pub attrs: Vec<Attr>,
}

/// Parses `text`: the model, or where and why it cannot be read.
pub fn parse(text: &str) -> Result<TfBody, (Span, String)> {
    if let Some(at) = too_deep(text) {
        let line = line_of(text, at);
        return Err((
            point(text, at),
            format!("HCL nested deeper than {MAX_NESTING} levels at line {line}: not parsed"),
        ));
    }
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(convert_body(text, &body, 0)),
        Err(e) => {
            let loc = e.location();
            Err((
                point(text, loc.offset()),
                format!("HCL syntax error at line {}: {}", loc.line(), e.message()),
            ))
        }
    }
}

fn point(text: &str, at: usize) -> Span {
    let start = clamp_to_char_boundary(text, at);
    let end = text[start..]
        .char_indices()
        .nth(1)
        .map_or(text.len(), |(i, _)| start + i);
    Span::new(start, end)
}

fn line_of(text: &str, at: usize) -> usize {
    let at = clamp_to_char_boundary(text, at);
    memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count() + 1
}

fn span_of(r: Option<std::ops::Range<usize>>) -> Span {
    r.map(Span::from).unwrap_or_default()
}

fn convert_body(text: &str, body: &Body, depth: usize) -> TfBody {
    let mut out = TfBody::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => out.attrs.push(Attr {
                name: a.key.as_str().to_string(),
                value: summarize(&a.value, 0),
                span: span_of(a.span()),
            }),
            Structure::Block(b) => {
                let span = span_of(b.span());
                // The head ends at the `{` after the last label (labels may
                // hold braces, the identifier cannot).
                let after = b
                    .labels
                    .last()
                    .and_then(|l| l.span())
                    .map_or(span.start, |r| r.end)
                    .clamp(span.start, span.end);
                let head_end = text[after..span.end]
                    .find('{')
                    .map_or(span.end, |i| after + i + 1);
                let inner = if depth < MAX_BLOCK_DEPTH {
                    convert_body(text, &b.body, depth + 1)
                } else {
                    TfBody::default()
                };
                out.blocks.push(Block {
                    ident: b.ident.as_str().to_string(),
                    labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                    span,
                    head: Span::new(span.start, head_end),
                    attrs: inner.attrs,
                    blocks: inner.blocks,
                });
            }
        }
    }
    out
}

/// What an expression is, as far as the rules care.
fn summarize(e: &Expression, depth: usize) -> Value {
    if depth > MAX_VALUE_DEPTH {
        return Value::Unknown;
    }
    match e {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => n.value().as_f64().map_or(Value::Unknown, Value::Number),
        Expression::String(s) => Value::Str(s.value().clone()),
        Expression::Array(a) => Value::List(a.iter().map(|e| summarize(e, depth + 1)).collect()),
        Expression::Parenthesis(p) => summarize(p.inner(), depth + 1),
        // `"${var.x}"` (Terraform 0.11 style) is `var.x`; a template that
        // is all literal text is that text.
        Expression::StringTemplate(t) => template(t.iter(), depth),
        Expression::HeredocTemplate(h) => template(h.template.iter(), depth),
        Expression::Traversal(t) => traversal(&t.expr, &t.operators),
        _ => Value::Unknown,
    }
}

fn template<'a>(mut elements: impl Iterator<Item = &'a Element>, depth: usize) -> Value {
    let Some(first) = elements.next() else {
        return Value::Str(String::new());
    };
    let mut text = String::new();
    match first {
        Element::Interpolation(i) => {
            // Only a lone interpolation keeps its value's type.
            return if elements.next().is_none() {
                summarize(&i.expr, depth + 1)
            } else {
                Value::Unknown
            };
        }
        Element::Literal(l) => text.push_str(l.value()),
        Element::Directive(_) => return Value::Unknown,
    }
    for e in elements {
        match e {
            Element::Literal(l) => text.push_str(l.value()),
            _ => return Value::Unknown,
        }
    }
    Value::Str(text)
}

fn traversal(root: &Expression, ops: &[hcl_edit::Decorated<TraversalOperator>]) -> Value {
    let Expression::Variable(root) = root else {
        return Value::Unknown;
    };
    let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
        _ => None,
    };
    let Some(first) = attr(0) else {
        return Value::Unknown;
    };
    match root.as_str() {
        // `var.x.y` reads into an object: unknown.
        "var" if ops.len() == 1 => Value::Var(first),
        "local" if ops.len() == 1 => Value::Local(first),
        "var" | "local" | "data" | "module" | "path" | "terraform" | "each" | "count" | "self" => {
            Value::Unknown
        }
        ty => Value::Ref {
            ty: ty.to_string(),
            name: first,
        },
    }
}

/// Where the file is nested deeper than [`MAX_NESTING`], if it is: brackets,
/// braces and parentheses counted outside comments, quoted strings and
/// heredocs, with the interpolations of quoted strings (`"${ ... }"`)
/// counted as levels of their own.
pub fn too_deep(text: &str) -> Option<usize> {
    nesting_depth(text, MAX_NESTING)
}

/// The offset where nesting first exceeds `max`.
fn nesting_depth(text: &str, max: usize) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Frame {
        /// `(`, `[`, `{` in code.
        Open,
        /// `${` or `%{` in a quoted string: its `}` returns to the string.
        Interp,
        /// A quoted string.
        Str,
    }
    // The string frames themselves are no levels: `"${"${1}"}"` is two.
    fn levels(stack: &[Frame]) -> usize {
        stack.iter().filter(|f| **f != Frame::Str).count()
    }
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let in_str = stack.last() == Some(&Frame::Str);
        let c = b[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                    // `$${` is a literal `${`.
                    if i > 0 && b[i - 1] == c {
                    } else {
                        stack.push(Frame::Interp);
                        if levels(&stack) > max {
                            return Some(i);
                        }
                        i += 1;
                    }
                }
                b'\n' => {
                    // An unterminated string: let the parser say so.
                    stack.pop();
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => stack.push(Frame::Str),
            b'#' => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |p| i + 2 + p + 1);
            }
            b'<' if b.get(i + 1) == Some(&b'<') => {
                if let Some(end) = heredoc_end(b, i) {
                    i = end;
                    continue;
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                stack.push(Frame::Open);
                if levels(&stack) > max {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p)
}

/// The offset just past a heredoc that starts at `i` (`<<EOF` or
/// `<<-EOF`, its marker alone on a line closing it), or `None` when `<<` is
/// no heredoc.
fn heredoc_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let start = j;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
        j += 1;
    }
    if j == start {
        return None;
    }
    let marker = &b[start..j];
    let mut line = line_end(b, j) + 1;
    while line < b.len() {
        let end = line_end(b, line);
        let content = b[line..end].trim_ascii();
        if content == marker {
            return Some(end);
        }
        line = end + 1;
    }
    Some(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> TfBody {
        parse(text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn resources_with_spans_and_values() {
        let text = r#"
resource "google_compute_backend_service" "ws" {
  name        = "ws-backend"
  timeout_sec = 30
  protocol    = "HTTP"
  port        = "60"
  tags        = ["a", "b"]
  hc          = [google_compute_health_check.hc.id]
  t2          = var.t
  t3          = local.t
  t4          = "${var.t}"
  t5          = max(1, 2)
  t6          = null
  t7          = var.obj.field
}
"#;
        let b = body(text);
        let r = &b.blocks[0];
        assert_eq!(r.ident, "resource");
        assert_eq!(r.labels, vec!["google_compute_backend_service", "ws"]);
        assert_eq!(
            &text[r.head.start..r.head.end],
            r#"resource "google_compute_backend_service" "ws" {"#
        );
        let t = r.attr("timeout_sec").unwrap();
        assert_eq!(&text[t.span.start..t.span.end], "timeout_sec = 30");
        assert_eq!(t.value, Value::Number(30.0));
        assert_eq!(r.attr("port").unwrap().value.number(), Some(60.0));
        assert_eq!(
            r.attr("tags").unwrap().value,
            Value::List(vec![Value::Str("a".into()), Value::Str("b".into())])
        );
        assert_eq!(
            r.attr("hc").unwrap().value,
            Value::List(vec![Value::Ref {
                ty: "google_compute_health_check".into(),
                name: "hc".into()
            }])
        );
        assert_eq!(r.attr("t2").unwrap().value, Value::Var("t".into()));
        assert_eq!(r.attr("t3").unwrap().value, Value::Local("t".into()));
        assert_eq!(r.attr("t4").unwrap().value, Value::Var("t".into()));
        assert_eq!(r.attr("t5").unwrap().value, Value::Unknown);
        assert_eq!(r.attr("t6").unwrap().value, Value::Null);
        assert_eq!(r.attr("t7").unwrap().value, Value::Unknown);
    }

    #[test]
    fn nested_blocks_variables_locals_heredocs() {
        let text = r#"
variable "timeout" {
  type    = number
  default = 3600
}
locals {
  t = var.timeout
  script = <<-EOF
    echo "${var.timeout}" { [ (
  EOF
}
resource "google_compute_url_map" "m" {
  default_service = google_compute_backend_service.api.self_link
  path_matcher {
    name = "p"
    path_rule {
      paths   = ["/ws/*"]
      service = google_compute_backend_service.ws[0].id
    }
  }
}
"#;
        let b = body(text);
        assert_eq!(
            b.blocks[0].attr("default").unwrap().value,
            Value::Number(3600.0)
        );
        assert_eq!(
            b.blocks[1].attr("t").unwrap().value,
            Value::Var("timeout".into())
        );
        assert_eq!(b.blocks[1].attr("script").unwrap().value, Value::Unknown);
        let m = &b.blocks[2];
        let rule = m
            .blocks("path_matcher")
            .next()
            .unwrap()
            .blocks("path_rule")
            .next()
            .unwrap();
        assert_eq!(
            rule.attr("service").unwrap().value,
            Value::Ref {
                ty: "google_compute_backend_service".into(),
                name: "ws".into()
            }
        );
        let plain = body("x = <<EOF\nhello\nEOF\n");
        assert_eq!(plain.attrs[0].value, Value::Str("hello\n".into()));
    }

    #[test]
    fn syntax_errors_say_where() {
        let text = "resource \"aws_lb\" \"x\" {\n  idle_timeout = \n}\n";
        let (span, why) = parse(text).unwrap_err();
        assert!(why.starts_with("HCL syntax error at line "), "{why}");
        assert!(span.start <= text.len());
    }

    #[test]
    fn nesting_is_counted_outside_strings_comments_and_heredocs() {
        assert_eq!(nesting_depth("a = [[[1]]]", 3), None);
        assert!(nesting_depth("a = [[[[1]]]]", 3).is_some());
        assert_eq!(nesting_depth("# [[[[[[\na = \"[[[[[[\"\n", 3), None);
        assert_eq!(nesting_depth("a = <<EOF\n[[[[[[[[\nEOF\n", 3), None);
        assert_eq!(nesting_depth("/* {{{{{{ */ a = 1", 3), None);
        assert!(nesting_depth("a = \"${[[[1]]]}\"", 3).is_some());
        assert_eq!(nesting_depth("a = \"$${[[[[[\"", 3), None);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let deep = format!("a = {}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let (_, why) = parse(&deep).unwrap_err();
        assert!(why.contains("nested deeper"), "{why}");
        let deep_blocks = "b {\n".repeat(10_000);
        assert!(parse(&deep_blocks).is_err());
        let interp = format!("a = \"{}\"", "${\"".repeat(20_000));
        assert!(parse(&interp).is_err());
        // Just under our limit, over hcl-edit's: its own error, no overflow.
        let mid = format!("a = {}1{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(&mid).is_err());
        let huge = format!(
            "a = <<EOF\n{}EOF\n",
            "line of text ${x} [[[\n".repeat(50_000)
        );
        assert!(parse(&huge).is_ok());
        let unterminated = "a = <<EOF\nno end";
        let _ = parse(unterminated);
        for garbage in [
            "\u{0}\u{1}{{{{",
            "resource \"",
            "}}}}]]]]))))",
            "<<",
            "<<-",
            "a = \"\\",
            "/* never closed",
            "x = 1 +",
            "résumé = \"é\" é",
        ] {
            let _ = parse(garbage);
        }
        let ops = format!("a = {}", "1 + ".repeat(5_000) + "1");
        let _ = parse(&ops);
    }
}
