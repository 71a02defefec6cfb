//! Insertions into a manifest for fixes: a `key: value` entry added to a
//! block mapping of one object (`metadata.annotations`, `spec`), creating
//! the mappings on the way that are missing, in the file's own
//! indentation; or text appended to a one-line scalar. Only where the
//! result is certain: block mappings (not flow `{...}`), no block scalar
//! (`|`, `>`) at the end of the mapping, no template placeholder anywhere
//! in the file (a Helm value or `${VAR}` may set the very key).

use super::yaml::{Node, Value};
use super::{KubeFile, parse};
use crate::source::{Source, Span};

/// An insertion (an empty span) or a replacement of `file`'s text.
pub type Change = (Span, String);

/// The document of `file` holding byte `inside`, parsed anew, with the
/// file (placeholders refuse every change).
fn document(file: &Source, inside: usize) -> Option<(KubeFile, usize)> {
    let kf = parse(file.clone());
    if !kf.placeholders.is_empty()
        || file.text.contains("{{")
        || file.text.contains("{%")
        || file.text.contains("<%")
    {
        return None;
    }
    let i = kf
        .docs
        .iter()
        .position(|d| d.span.start <= inside && inside <= d.span.end)?;
    Some((kf, i))
}

/// Where a line starts, and the column `offset` is at on it.
fn column(text: &str, offset: usize) -> (usize, usize) {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    (start, text[start..offset].chars().count())
}

/// The start of the line after the one holding `offset` (the text's end
/// when it is the last line, which then needs a line break first).
fn next_line(text: &str, offset: usize) -> (usize, bool) {
    match text[offset..].find('\n') {
        Some(i) => (offset + i + 1, false),
        None => (text.len(), true),
    }
}

fn eol(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Whether a map is written in block style, keys on lines of their own.
fn block_map(text: &str, n: &Node) -> bool {
    matches!(n.value, Value::Map(_)) && !text[n.span.start..].starts_with('{')
}

/// The column of a block map's keys.
fn key_column(text: &str, n: &Node) -> Option<usize> {
    let (k, _) = n.entries().first()?;
    Some(column(text, k.span.start).1)
}

/// The file's indentation step: how much deeper the first nested block
/// mapping of the document sits than its parent's keys (2 when none
/// tells).
fn step(text: &str, root: &Node) -> usize {
    for (k, v) in root.entries() {
        if block_map(text, v)
            && let Some(child) = key_column(text, v)
        {
            let parent = column(text, k.span.start).1;
            if child > parent {
                return child - parent;
            }
        }
    }
    2
}

/// A value that spans lines the parser does not give the end of: a block
/// scalar, or a quoted or plain scalar folded over lines.
fn open_ended(text: &str, v: &Node) -> bool {
    match &v.value {
        Value::Scalar { .. } => {
            let written = &text[v.span.start..v.span.end];
            written.starts_with('|') || written.starts_with('>')
        }
        Value::Map(entries) => entries.last().is_some_and(|(_, v)| open_ended(text, v)),
        Value::Seq(items) => items.last().is_some_and(|v| open_ended(text, v)),
        Value::Alias => false,
    }
}

/// `key: value` under the mapping at `path` of the document of `file`
/// holding byte `inside`, after that mapping's last entry; the mappings of
/// `path` that are missing are created (`annotations:` under
/// `metadata:`). `None` when `key` is there already, or the place is not
/// a block mapping that can be appended to.
pub fn add_entry(
    file: &Source,
    inside: usize,
    path: &[&str],
    key: &str,
    value: &str,
) -> Option<Change> {
    let (kf, i) = document(file, inside)?;
    let change = entry_at(file, &kf.docs[i], path, key, value)?;
    verified(file, &kf, i, &change, |old, new| {
        // The new tree, without the entry (and the mappings made for it),
        // is the old one; the entry reads back as written.
        let mut new = new.clone();
        let added = remove_entry(&mut new, path, key)?;
        (summary(&new) == summary(old) && added.text() == Some(unquoted(value))).then_some(())
    })
    .then_some(change)
}

/// `value` as YAML reads it back when it is quoted.
fn unquoted(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// Whether `change` leaves the file's documents as they were but for what
/// `same` accepts of document `i` (old, new).
fn verified(
    file: &Source,
    kf: &KubeFile,
    i: usize,
    change: &Change,
    same: impl Fn(&Node, &Node) -> Option<()>,
) -> bool {
    let (span, with) = change;
    let mut text = file.text.to_string();
    text.replace_range(span.start..span.end, with);
    let after = parse(std::sync::Arc::new(crate::source::SourceFile::new(
        file.path.clone(),
        text,
    )));
    after.docs.len() == kf.docs.len()
        && after.skipped.len() == kf.skipped.len()
        && kf
            .docs
            .iter()
            .zip(&after.docs)
            .enumerate()
            .all(|(j, (old, new))| {
                if j == i {
                    same(old, new).is_some()
                } else {
                    summary(old) == summary(new)
                }
            })
}

/// A node's content without positions. An entry whose value is empty
/// (`annotations:`, `{}`) reads as no entry, as Kubernetes reads it.
fn summary(n: &Node) -> String {
    let empty = |v: &Node| match &v.value {
        Value::Scalar { text, plain: true } => text.is_empty(),
        Value::Map(e) => e.is_empty(),
        _ => false,
    };
    match &n.value {
        Value::Scalar { text, plain } => format!("{plain}{text:?}"),
        Value::Alias => "*".into(),
        Value::Seq(items) => format!(
            "[{}]",
            items.iter().map(summary).collect::<Vec<_>>().join(",")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .filter(|(_, v)| !empty(v))
                .map(|(k, v)| format!("{}:{}", summary(k), summary(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// Takes `key` out of the mapping at `path` of `root`, and the mappings
/// on the way that it leaves empty; the value taken.
fn remove_entry(root: &mut Node, path: &[&str], key: &str) -> Option<Node> {
    let Value::Map(entries) = &mut root.value else {
        return None;
    };
    match path.split_first() {
        None => {
            let i = entries.iter().position(|(k, _)| k.str() == Some(key))?;
            Some(entries.remove(i).1)
        }
        Some((first, rest)) => {
            let i = entries.iter().position(|(k, _)| k.str() == Some(first))?;
            remove_entry(&mut entries[i].1, rest, key)
        }
    }
}

/// The insertion [`add_entry`] makes, before it is verified.
fn entry_at(file: &Source, root: &Node, path: &[&str], key: &str, value: &str) -> Option<Change> {
    let text: &str = &file.text;
    if !block_map(text, root) {
        return None;
    }
    let step = step(text, root);
    let nl = eol(text);
    // Descend as far as the path exists.
    let mut node = root;
    let mut depth = 0;
    while depth < path.len() {
        match node.entry(path[depth]) {
            Some((_, v)) if block_map(text, v) => {
                node = v;
                depth += 1;
            }
            // `annotations:` with nothing after it: the entries go under it.
            Some((k, v)) if matches!(&v.value, Value::Scalar { text, plain: true } if text.is_empty()) =>
            {
                let col = column(text, k.span.start).1;
                let (at, need_break) = next_line(text, k.span.end);
                let mut out = String::new();
                if need_break {
                    out.push_str(nl);
                }
                let mut ind = col + step;
                for seg in &path[depth + 1..] {
                    out.push_str(&format!("{}{seg}:{nl}", " ".repeat(ind)));
                    ind += step;
                }
                out.push_str(&format!("{}{key}: {value}{nl}", " ".repeat(ind)));
                return Some((Span::new(at, at), out));
            }
            Some(_) => return None,
            None => break,
        }
    }
    if depth == path.len() && node.entry(key).is_some() {
        return None;
    }
    if open_ended(text, node) {
        return None;
    }
    let col = key_column(text, node)?;
    let (at, need_break) = next_line(text, node.span.end);
    let mut out = String::new();
    if need_break {
        out.push_str(nl);
    }
    let mut ind = col;
    for seg in &path[depth..] {
        out.push_str(&format!("{}{seg}:{nl}", " ".repeat(ind)));
        ind += step;
    }
    out.push_str(&format!("{}{key}: {value}{nl}", " ".repeat(ind)));
    Some((Span::new(at, at), out))
}

/// `suffix` appended to the one-line scalar at `path` of the document of
/// `file` holding byte `inside` (inside its quotes when it is quoted).
pub fn append_to_scalar(
    file: &Source,
    inside: usize,
    path: &[&str],
    suffix: &str,
) -> Option<Change> {
    let (kf, i) = document(file, inside)?;
    let text: &str = &file.text;
    let v = kf.docs[i].at(path)?;
    v.text()?;
    let written = &text[v.span.start..v.span.end];
    if written.contains('\n') || written.starts_with('|') || written.starts_with('>') {
        return None;
    }
    let at = match written.chars().next()? {
        '"' | '\'' if written.len() >= 2 && written.ends_with(&written[..1]) => v.span.end - 1,
        '"' | '\'' => return None,
        _ => v.span.end,
    };
    let change = (Span::new(at, at), suffix.to_string());
    let before = v.text()?.to_string();
    verified(file, &kf, i, &change, |old, new| {
        let mut old = old.clone();
        let mut new = new.clone();
        let a = remove_entry(&mut old, &path[..path.len() - 1], path[path.len() - 1])?;
        let b = remove_entry(&mut new, &path[..path.len() - 1], path[path.len() - 1])?;
        (summary(&old) == summary(&new)
            && a.text() == Some(before.as_str())
            && b.text() == Some(format!("{before}{suffix}").as_str()))
        .then_some(())
    })
    .then_some(change)
}

/// The scalar at `path` of the document of `file` holding byte `inside`
/// (`["kind"]`).
pub fn scalar_at(file: &Source, inside: usize, path: &[&str]) -> Option<String> {
    let (kf, i) = document(file, inside)?;
    kf.docs[i].at(path)?.text().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn apply(text: &str, change: Option<Change>) -> Option<String> {
        let (span, with) = change?;
        let mut out = text.to_string();
        out.replace_range(span.start..span.end, &with);
        Some(out)
    }

    fn add(text: &str, path: &[&str], key: &str, value: &str) -> Option<String> {
        let f: Source = Arc::new(SourceFile::new("m.yaml".into(), text));
        let at = text.find("name:").unwrap_or(0);
        apply(text, add_entry(&f, at, path, key, value))
    }

    #[test]
    fn entries_go_after_the_last_one_in_the_file_indentation() {
        let t = "apiVersion: v1\nkind: Ingress\nmetadata:\n    name: web\n    annotations:\n        a: \"1\"\n        b:\n            - x\nspec: {}\n";
        assert_eq!(
            add(t, &["metadata", "annotations"], "k", "\"60\"").unwrap(),
            "apiVersion: v1\nkind: Ingress\nmetadata:\n    name: web\n    annotations:\n        a: \"1\"\n        b:\n            - x\n        k: \"60\"\nspec: {}\n"
        );
    }

    #[test]
    fn missing_mappings_are_created() {
        let t =
            "kind: Ingress\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  rules: []\n";
        assert_eq!(
            add(t, &["metadata", "annotations"], "k", "\"60\"").unwrap(),
            "kind: Ingress\nmetadata:\n  name: web\n  labels:\n    app: web\n  annotations:\n    k: \"60\"\nspec:\n  rules: []\n"
        );
        let t = "kind: BackendConfig\nmetadata:\n  name: ws\n";
        assert_eq!(
            add(t, &["spec"], "timeoutSec", "3600").unwrap(),
            "kind: BackendConfig\nmetadata:\n  name: ws\nspec:\n  timeoutSec: 3600\n"
        );
        let t = "kind: Ingress\r\nmetadata:\r\n  name: web\r\n  annotations:\r\nspec: {}\r\n";
        assert_eq!(
            add(t, &["metadata", "annotations"], "k", "\"60\"").unwrap(),
            "kind: Ingress\r\nmetadata:\r\n  name: web\r\n  annotations:\r\n    k: \"60\"\r\nspec: {}\r\n"
        );
    }

    #[test]
    fn uncertain_places_get_nothing() {
        // Flow style, a key already there, a block scalar last, a template.
        let flow = "kind: Ingress\nmetadata:\n  name: web\n  annotations: {a: b}\n";
        assert_eq!(add(flow, &["metadata", "annotations"], "k", "1"), None);
        let there = "kind: Ingress\nmetadata:\n  name: web\n  annotations:\n    k: \"30\"\n";
        assert_eq!(add(there, &["metadata", "annotations"], "k", "1"), None);
        let block = "kind: Ingress\nmetadata:\n  name: web\n  annotations:\n    s: |\n      line one\n      line two\n";
        assert_eq!(add(block, &["metadata", "annotations"], "k", "1"), None);
        let helm =
            "kind: Ingress\nmetadata:\n  name: {{ .Release.Name }}\n  annotations:\n    a: b\n";
        assert_eq!(add(helm, &["metadata", "annotations"], "k", "1"), None);
    }

    #[test]
    fn scalars_are_appended_to_inside_their_quotes() {
        let t = "kind: Ingress\nmetadata:\n  name: web\n  annotations:\n    attrs: \"a=1\"\n    plain: a=1\n";
        let f: Source = Arc::new(SourceFile::new("m.yaml".into(), t));
        let got = apply(
            t,
            append_to_scalar(&f, 20, &["metadata", "annotations", "attrs"], ",b=2"),
        );
        assert!(got.unwrap().contains("attrs: \"a=1,b=2\"\n"));
        let got = apply(
            t,
            append_to_scalar(&f, 20, &["metadata", "annotations", "plain"], ",b=2"),
        );
        assert!(got.unwrap().contains("plain: a=1,b=2\n"));
    }
}
