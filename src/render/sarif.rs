//! SARIF 2.1.0 as GitHub code scanning reads it: rules described from the
//! catalog, one result per diagnostic, labels as related locations.

use serde_json::{Value, json};

use super::path_text;
use crate::Report;
use crate::diagnostic::{Diagnostic, Fix};
use crate::registry;
use crate::rule::{Rule, Severity};
use crate::source::{Source, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A relative path stays relative (GitHub resolves it against the
/// checkout); an absolute one becomes a `file://` URI.
fn uri(path: &std::path::Path) -> String {
    let text = path_text(path);
    let encoded: String = text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    if path.is_absolute() {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

fn location(file: &Source, span: Span) -> Value {
    let (s, e) = (file.line_col(span.start), file.line_col(span.end));
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&file.path) },
            "region": {
                "startLine": s.line,
                "startColumn": s.column,
                "endLine": e.line,
                "endColumn": e.column,
            }
        }
    })
}

fn rule_descriptor(rule: &Rule) -> Value {
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": rule.doc_section("What it checks").unwrap_or(rule.summary) },
        "help": { "text": rule.doc, "markdown": rule.doc },
        "helpUri": rule.doc_url(),
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": { "tags": ["websocket", rule.family.as_str()] },
    })
}

fn result(d: &Diagnostic, rules: &[&Rule]) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let related: Vec<Value> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut loc = location(&l.file, l.span);
            loc["id"] = json!(i + 1);
            loc["message"] = json!({ "text": l.message });
            loc
        })
        .collect();
    let mut r = json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [location(&d.file, d.span)],
    });
    if let Some(i) = rules.iter().position(|r| r.code == d.code) {
        r["ruleIndex"] = json!(i);
    }
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }
    if let Some(f) = &d.fix {
        r["fixes"] = json!([fix(f)]);
    }
    r
}

/// A SARIF `fix`: one `artifactChange` per file, its edits as
/// `replacements` (an insertion is an empty `deletedRegion`).
fn fix(f: &Fix) -> Value {
    let mut changes: Vec<(String, Vec<Value>)> = Vec::new();
    for e in &f.edits {
        let (s, end) = (e.file.line_col(e.span.start), e.file.line_col(e.span.end));
        let replacement = json!({
            "deletedRegion": {
                "startLine": s.line,
                "startColumn": s.column,
                "endLine": end.line,
                "endColumn": end.column,
            },
            "insertedContent": { "text": e.replacement },
        });
        let file = uri(&e.file.path);
        match changes.iter_mut().find(|(u, _)| *u == file) {
            Some((_, v)) => v.push(replacement),
            None => changes.push((file, vec![replacement])),
        }
    }
    json!({
        "description": { "text": f.message },
        "artifactChanges": changes
            .into_iter()
            .map(|(file, replacements)| json!({
                "artifactLocation": { "uri": file },
                "replacements": replacements,
            }))
            .collect::<Vec<_>>(),
        "properties": { "applicability": f.applicability.as_str() },
    })
}

pub fn render(report: &Report) -> String {
    let rules = registry::all();
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "wslint",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": report.diagnostics.iter().map(|d| result(d, rules)).collect::<Vec<_>>(),
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
    s.push('\n');
    s
}
