use serde_json::{Value, json};

use super::path_text;
use crate::Report;
use crate::diagnostic::Diagnostic;
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
    })
}

pub fn render(report: &Report) -> String {
    let items: Vec<Value> = report.diagnostics.iter().map(item).collect();
    let mut s = serde_json::to_string_pretty(&Value::Array(items)).expect("JSON values serialize");
    s.push('\n');
    s
}
