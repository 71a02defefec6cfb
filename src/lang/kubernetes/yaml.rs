//! YAML documents with positions, built from yaml-rust2's event stream.
//!
//! yaml-rust2's own loader gives no positions and expands aliases by
//! copying (an "alias bomb" of a few hundred bytes then takes gigabytes).
//! This reader keeps a byte span for every node, records an alias as an
//! [`Value::Alias`] without following it (its value is unknown, never
//! guessed), and stops at [`MAX_DEPTH`] levels of nesting.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::source::Span;

/// Nesting deeper than this is refused: no manifest needs it.
pub const MAX_DEPTH: usize = 200;

#[derive(Clone, Debug)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug)]
pub enum Value {
    /// A scalar as written (quotes removed); `plain` when unquoted.
    Scalar {
        text: String,
        plain: bool,
    },
    Map(Vec<(Node, Node)>),
    Seq(Vec<Node>),
    /// `*anchor`: not followed.
    Alias,
}

impl Node {
    /// The value at `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key and value at `key` of a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The value at a path of mapping keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }

    pub fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A scalar that is not YAML's null (`~`, `null`, or nothing).
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, plain: true }
                if text.is_empty() || text == "~" || text.eq_ignore_ascii_case("null") =>
            {
                None
            }
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(i) => i,
            _ => &[],
        }
    }
}

/// A YAML error, at a byte offset of the text.
#[derive(Debug)]
pub struct Error {
    pub at: usize,
    pub message: String,
}

/// Character offsets (yaml-rust2's markers count characters) to byte
/// offsets of `text`.
struct Offsets<'t> {
    text: &'t str,
    /// Byte offset of each character, when the text is not ASCII.
    bytes: Option<Vec<u32>>,
}

impl<'t> Offsets<'t> {
    fn new(text: &'t str) -> Self {
        let bytes =
            (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i as u32).collect());
        Offsets { text, bytes }
    }

    fn byte(&self, m: &Marker) -> usize {
        match &self.bytes {
            None => m.index().min(self.text.len()),
            Some(b) => b.get(m.index()).map_or(self.text.len(), |&i| i as usize),
        }
    }

    /// Where a scalar that starts at byte `start` ends: its text when it
    /// is written as is, else the end of a quoted string or of the line.
    fn scalar_end(&self, start: usize, value: &str, style: TScalarStyle) -> usize {
        let rest = &self.text[start..];
        let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        match style {
            TScalarStyle::Plain if rest.starts_with(value) && !value.is_empty() => {
                start + value.len()
            }
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let q = if style == TScalarStyle::SingleQuoted {
                    '\''
                } else {
                    '"'
                };
                let body = &rest[1.min(rest.len())..line_end.max(1.min(rest.len()))];
                let mut escaped = false;
                for (i, c) in body.char_indices() {
                    if q == '"' && c == '\\' && !escaped {
                        escaped = true;
                        continue;
                    }
                    if c == q && !escaped {
                        return start + 1 + i + 1;
                    }
                    escaped = false;
                }
                start + line_end
            }
            _ => start + rest[..line_end].trim_end().len(),
        }
    }
}

enum Open {
    Map(Vec<(Node, Node)>, Option<Node>, usize),
    Seq(Vec<Node>, usize),
}

/// Parses one YAML document (the text between two `---`), returning its
/// root node (`None` for an empty document). Spans are offsets of `text`
/// plus `base`.
pub fn parse_document(text: &str, base: usize) -> Result<Option<Node>, Error> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let span = |start: usize, end: usize| Span::new(base + start, base + end);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| Error {
            at: base + offsets.byte(e.marker()),
            message: e.info().to_string(),
        })?;
        let at = offsets.byte(&mark);
        let node = match event {
            Event::StreamEnd => break,
            Event::DocumentStart | Event::DocumentEnd | Event::StreamStart | Event::Nothing => {
                continue;
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Error {
                        at: base + at,
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(match event {
                    Event::MappingStart(..) => Open::Map(Vec::new(), None, at),
                    _ => Open::Seq(Vec::new(), at),
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(Open::Map(entries, _, start)) => {
                    let end = entries.last().map_or(start, |(_, v)| v.span.end - base);
                    Node {
                        span: span(start, end.max(start)),
                        value: Value::Map(entries),
                    }
                }
                Some(Open::Seq(items, start)) => {
                    let end = items.last().map_or(start, |v| v.span.end - base);
                    Node {
                        span: span(start, end.max(start)),
                        value: Value::Seq(items),
                    }
                }
                None => continue,
            },
            Event::Scalar(text, style, _, _) => {
                let end = offsets.scalar_end(at, &text, style);
                Node {
                    span: span(at, end),
                    value: Value::Scalar {
                        text,
                        plain: style == TScalarStyle::Plain,
                    },
                }
            }
            Event::Alias(_) => Node {
                span: span(at, at + 1),
                value: Value::Alias,
            },
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::Seq(items, _)) => items.push(node),
            Some(Open::Map(entries, key, _)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_have_byte_spans() {
        let text = "kind: Ingress\nmetadata:\n  name: \"wé b\"\n  labels: {a: b}\nitems:\n  - x\n";
        let root = parse_document(text, 0).unwrap().unwrap();
        assert_eq!(root.get("kind").unwrap().str(), Some("Ingress"));
        let name = root.at(&["metadata", "name"]).unwrap();
        assert_eq!(&text[name.span.start..name.span.end], "\"wé b\"");
        let items = root.get("items").unwrap().items();
        assert_eq!(items[0].str(), Some("x"));
        assert_eq!(
            root.at(&["metadata", "labels", "a"]).unwrap().str(),
            Some("b")
        );
    }

    #[test]
    fn aliases_are_not_followed() {
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        let root = parse_document(bomb, 0).unwrap().unwrap();
        assert!(matches!(
            root.get("d").unwrap().items()[0].value,
            Value::Alias
        ));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_document(&deep, 0).is_err());
        let mut block = String::new();
        for i in 0..1000 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        assert!(parse_document(&block, 0).is_err());
    }

    #[test]
    fn errors_have_positions() {
        let e = parse_document("a: b\n  c: d: e\n", 10).unwrap_err();
        assert!(e.at >= 10, "{e:?}");
    }
}
