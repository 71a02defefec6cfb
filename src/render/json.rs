use serde_json::{Value, json};

use super::path_text;
use crate::Report;
use crate::diagnostic::{Diagnostic, Fix};
use crate::registry;

fn item(d: &Diagnostic) -> Value {
    let (start, end) = (d.start(), d.end());
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| {
            let (s, e) = (l.file.line_col(l.span.start), l.file.line_col(l.span.end));
            json!({
                "path": path_text(&l.file.path),
                "line": s.line,
                "column": s.column,
                "end_line": e.line,
                "end_column": e.column,
                "message": l.message,
            })
        })
        .collect();
    json!({
        "code": d.code,
        "name": d.name,
        "severity": d.severity.as_str(),
        "message": d.message,
        "path": path_text(&d.file.path),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "help": d.help,
        "labels": labels,
        "url": registry::by_code(d.code).map(|r| r.doc_url()),
        "fix": d.fix.as_ref().map(fix),
    })
}

/// `{"applicability", "message", "edits": [{"path", "line", "column",
/// "end_line", "end_column", "replacement"}]}`; positions 1-based, the end
/// exclusive, an insertion where start and end are equal.
fn fix(f: &Fix) -> Value {
    let edits: Vec<Value> = f
        .edits
        .iter()
        .map(|e| {
            let (s, end) = (e.file.line_col(e.span.start), e.file.line_col(e.span.end));
            json!({
                "path": path_text(&e.file.path),
                "line": s.line,
                "column": s.column,
                "end_line": end.line,
                "end_column": end.column,
                "replacement": e.replacement,
            })
        })
        .collect();
    json!({
        "applicability": f.applicability.as_str(),
        "message": f.message,
        "edits": edits,
    })
}

pub fn render(report: &Report) -> String {
    let items: Vec<Value> = report.diagnostics.iter().map(item).collect();
    let mut s = serde_json::to_string_pretty(&Value::Array(items)).expect("JSON values serialize");
    s.push('\n');
    s
}
