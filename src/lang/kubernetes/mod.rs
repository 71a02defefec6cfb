//! Kubernetes manifests: a YAML reader with positions ([`yaml`]), the
//! resources wslint reads ([`resources`]) and the hops they declare on the
//! proxy model ([`hops`]).
//!
//! A file holds any number of documents; each is parsed on its own, so a
//! document that does not parse (WS003) costs only itself. Helm chart
//! templates are read where the YAML survives the placeholders: a
//! placeholder alone on its line (`{{- toYaml .Values.x | nindent 4 }}`,
//! an `include`) inserts a block wslint cannot know and is dropped, control
//! flow (`{{- if }}`, `{{- end }}`) is dropped, and a placeholder inside a
//! value makes the value unknown, never guessed. `${VAR}` (envsubst,
//! Flux) makes a value unknown too.

pub mod hops;
pub mod resources;
pub mod yaml;

use crate::lang::template::{Tag, tag_at};
use crate::source::{Source, Span};

pub use yaml::Node;

/// A parsed manifest file.
#[derive(Debug)]
pub struct KubeFile {
    pub source: Source,
    /// The documents that parsed, in order.
    pub docs: Vec<Node>,
    /// Spans of template placeholders and `${VAR}`s: a value overlapping
    /// one is unknown.
    pub placeholders: Vec<Span>,
    /// Placeholders alone on their line (`{{- toYaml .Values.x | nindent 4
    /// }}`, an `include`): each inserts keys wslint cannot know where it
    /// stands.
    pub inserted: Vec<Inserted>,
    /// Parts that could matter but cannot be read (a syntax error, a Helm
    /// template whose YAML does not survive its placeholders), with why:
    /// WS003 at each.
    pub skipped: Vec<(Span, String)>,
}

/// A placeholder alone on its line, and the key it inserts into.
#[derive(Debug)]
pub struct Inserted {
    pub span: Span,
    /// Where the key of the mapping it stands in starts (the nearest line
    /// above it that is indented less): `annotations:` for a `toYaml` of
    /// annotations. `None` at the top level.
    pub parent: Option<usize>,
}

impl KubeFile {
    /// Whether a placeholder alone on its line inserts keys into the
    /// mapping of the key starting at `key` (a [`Node`]'s span start).
    pub fn inserts_into(&self, key: usize) -> bool {
        self.inserted.iter().any(|i| i.parent == Some(key))
    }

    /// Whether the value of `node` is a placeholder's (unknown).
    pub fn is_placeholder(&self, node: &Node) -> bool {
        let s = node.span;
        self.placeholders
            .iter()
            .any(|p| p.start < s.end.max(s.start + 1) && s.start < p.end)
    }
}

pub fn parse(source: Source) -> KubeFile {
    let Untemplated {
        text,
        placeholders,
        inserted,
        templated,
    } = untemplate(&source.text);
    let inserted = inserted
        .into_iter()
        .map(|span| Inserted {
            span,
            parent: parent_key(
                &text,
                span.start,
                indent_filter(&source.text[span.start..span.end]),
            ),
        })
        .collect();
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for (start, end) in documents(&text) {
        let chunk = &text[start..end];
        if chunk.trim().is_empty() {
            continue;
        }
        match yaml::parse_document(chunk, start) {
            Ok(Some(root)) => docs.push(root),
            Ok(None) => {}
            Err(e) => {
                // Only a document that looks like a manifest matters.
                if !looks_like_manifest(chunk) {
                    continue;
                }
                // At the end of the text, the error is the last line's.
                let mut line = source.line_col(e.at).line;
                while line > 1 && source.line_text(line).is_none_or(|l| l.trim().is_empty()) {
                    line -= 1;
                }
                let why = if templated {
                    format!(
                        "this document's YAML does not survive its template placeholders (line {line}: {})",
                        e.message
                    )
                } else {
                    format!("YAML error at line {line}: {}", e.message)
                };
                let at = source.line_start(line).unwrap_or(start);
                let line_end = source.text[at..]
                    .find(['\n', '\r'])
                    .map_or(source.text.len(), |i| at + i);
                skipped.push((Span::new(at, line_end), why));
            }
        }
    }
    KubeFile {
        source,
        docs,
        placeholders,
        inserted,
        skipped,
    }
}

/// The indentation a Helm placeholder gives what it inserts: the `N` of
/// its `indent N` or `nindent N`.
fn indent_filter(tag: &str) -> Option<usize> {
    let mut words = tag.split(|c: char| c.is_whitespace() || c == '|');
    while let Some(w) = words.next() {
        if w == "indent" || w == "nindent" {
            return words.find(|w| !w.is_empty())?.parse().ok();
        }
    }
    None
}

/// The start of the key on the nearest line above `at` that is indented
/// less than what the placeholder at `at` inserts (its `indent N`, else
/// its own column; blank lines, which template tags leave, are skipped):
/// the mapping a placeholder alone on its line inserts into.
fn parent_key(text: &str, at: usize, filter: Option<usize>) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = filter.unwrap_or(at - line_start);
    if indent == 0 {
        return None;
    }
    let mut end = line_start;
    // At most this many lines up: a mapping's key is near its values.
    for _ in 0..1000 {
        if end == 0 {
            return None;
        }
        let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end - 1];
        end = start;
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let own = line.len() - body.len();
        if own < indent {
            let key = body.strip_prefix("- ").map_or(body, str::trim_start);
            return Some(start + (line.len() - key.len()));
        }
    }
    None
}

/// Whether a document has the keys of a Kubernetes object.
fn looks_like_manifest(text: &str) -> bool {
    let key = |k: &str| {
        text.lines()
            .any(|l| l.trim_start().starts_with(k) && l.trim_start()[k.len()..].starts_with(':'))
    };
    key("kind") && key("apiVersion")
}

/// Byte ranges of the documents of a stream, split at `---` lines.
fn documents(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let is_marker =
            line.starts_with("---") && line[3..].chars().next().is_none_or(|c| c.is_whitespace());
        if is_marker {
            out.push((start, at));
            // The marker line may carry content (`--- # comment`, `--- !tag`).
            start = at + 3;
        }
        at += line.len();
    }
    out.push((start, text.len()));
    out
}

/// A file's text with its template tags neutralised.
struct Untemplated<'t> {
    /// Byte for byte the file's length: offsets stay those of the file.
    text: std::borrow::Cow<'t, str>,
    /// Placeholders inside a line's YAML.
    placeholders: Vec<Span>,
    /// Placeholders alone on their line.
    inserted: Vec<Span>,
    /// Whether there were tags at all.
    templated: bool,
}

/// The text with template tags neutralised, byte for byte (offsets stay
/// those of the file), with where the placeholders are.
fn untemplate(text: &str) -> Untemplated<'_> {
    let b = text.as_bytes();
    let mut placeholders: Vec<Span> = Vec::new();
    // `${VAR}`: left as is (YAML reads it), but unknown.
    let mut i = 0;
    while let Some(off) = memchr::memmem::find(&b[i..], b"${") {
        let at = i + off;
        let end = memchr::memchr(b'}', &b[at..]).map_or(b.len(), |e| at + e + 1);
        placeholders.push(Span::new(at, end));
        i = at + 2;
    }
    if !text.contains("{{") && !text.contains("{%") && !text.contains("<%") {
        return Untemplated {
            text: std::borrow::Cow::Borrowed(text),
            placeholders,
            inserted: Vec::new(),
            templated: false,
        };
    }
    let mut inserted = Vec::new();
    let mut out = b.to_vec();
    let mut i = 0;
    let mut any = false;
    while let Some(off) = memchr::memchr2(b'{', b'<', &b[i..]) {
        let at = i + off;
        let Some(tag) = tag_at(b, at, false) else {
            i = at + 1;
            continue;
        };
        any = true;
        let end = match tag {
            Tag::Placeholder(e) | Tag::Statement(e) => e.min(b.len()),
        };
        let line_start = b[..at]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let line_end = memchr::memchr(b'\n', &b[end..]).map_or(b.len(), |p| end + p);
        let alone = b[line_start..at].iter().all(|c| c.is_ascii_whitespace())
            && b[end..line_end].iter().all(|c| c.is_ascii_whitespace());
        let fill = match tag {
            Tag::Placeholder(_) if !alone => {
                placeholders.push(Span::new(at, end));
                b'_'
            }
            Tag::Placeholder(_) => {
                inserted.push(Span::new(at, end));
                b' '
            }
            Tag::Statement(_) => b' ',
        };
        for c in &mut out[at..end] {
            if *c != b'\n' && *c != b'\r' {
                *c = fill;
            }
        }
        i = end.max(at + 1);
    }
    // Only ASCII bytes were written over whole tags, which start and end
    // on ASCII delimiters: still UTF-8.
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Untemplated {
        text: std::borrow::Cow::Owned(text),
        placeholders,
        inserted,
        templated: any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn file(text: &str) -> KubeFile {
        parse(Arc::new(SourceFile::new("x.yaml".into(), text)))
    }

    #[test]
    fn documents_are_parsed_one_by_one() {
        let f = file(
            "apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: [oops\n--- # third\napiVersion: v1\nkind: ConfigMap\n",
        );
        assert_eq!(f.docs.len(), 2);
        assert_eq!(f.skipped.len(), 1);
        assert!(f.skipped[0].1.contains("YAML error"), "{:?}", f.skipped);
        assert_eq!(f.docs[1].get("kind").unwrap().str(), Some("ConfigMap"));
    }

    #[test]
    fn helm_templates_are_read_leniently() {
        let t = "{{- if .Values.ingress.enabled }}\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {{ include \"app.fullname\" . }}-ws\n  annotations:\n    {{- toYaml .Values.ingress.annotations | nindent 4 }}\n    nginx.ingress.kubernetes.io/proxy-read-timeout: {{ .Values.timeout | quote }}\nspec:\n  rules: []\n{{- end }}\n";
        let f = file(t);
        assert!(f.skipped.is_empty(), "{:?}", f.skipped);
        let doc = &f.docs[0];
        let v = doc
            .at(&[
                "metadata",
                "annotations",
                "nginx.ingress.kubernetes.io/proxy-read-timeout",
            ])
            .unwrap();
        assert!(f.is_placeholder(v));
        let name = doc.at(&["metadata", "name"]).unwrap();
        assert!(f.is_placeholder(name));
        assert_eq!(doc.get("kind").unwrap().str(), Some("Ingress"));
    }

    #[test]
    fn a_template_that_breaks_the_yaml_is_named() {
        let f = file("apiVersion: v1\nkind: Service\nmetadata:\n  labels: {{ .x }}: [\n");
        assert_eq!(f.skipped.len(), 1);
        assert!(f.skipped[0].1.contains("template placeholders"));
    }

    #[test]
    fn placeholders_alone_on_their_line_insert_into_their_parent_key() {
        let t = "apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n    {{- include \"x\" . | nindent 4 }}\n  annotations:\n    {{- toYaml .Values.a | nindent 4 }}\n{{ toYaml .Values.b | indent 4 }}\n{{- include \"doc\" . }}\n";
        let f = file(t);
        let parents: Vec<Option<&str>> = f
            .inserted
            .iter()
            .map(|i| i.parent.map(|p| &t[p..p + t[p..].find(':').unwrap()]))
            .collect();
        assert_eq!(
            parents,
            vec![
                Some("labels"),
                Some("annotations"),
                Some("annotations"),
                None
            ]
        );
        let doc = &f.docs[0];
        let (k, _) = doc.at(&["metadata"]).unwrap().entry("annotations").unwrap();
        assert!(f.inserts_into(k.span.start));
        assert_eq!(indent_filter("{{- toYaml . | nindent 8 }}"), Some(8));
        assert_eq!(indent_filter("{{ toYaml .|indent 2 }}"), Some(2));
        assert_eq!(indent_filter("{{ include \"x\" . }}"), None);
    }

    #[test]
    fn envsubst_values_are_unknown() {
        let f = file("apiVersion: v1\nkind: ConfigMap\ndata:\n  proxy-read-timeout: ${TIMEOUT}\n");
        let v = f.docs[0].at(&["data", "proxy-read-timeout"]).unwrap();
        assert!(f.is_placeholder(v));
    }
}
