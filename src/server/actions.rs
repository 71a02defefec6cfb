//! Answers from a document's findings: code actions (each finding's fix,
//! and a suppression comment) and hover (the rule's doc).

use std::collections::BTreeMap;
use std::path::Path;

use lsp_types as lsp;

use super::Finding;
use super::convert;
use crate::diagnostic::{Applicability, Edit};

/// How edits name their files.
pub struct EditTarget<'a> {
    /// The editor takes versioned document edits (`documentChanges`).
    pub versioned: bool,
    /// The URI of a file as a diagnostic shows its path.
    pub uri_of: &'a dyn Fn(&Path) -> lsp::Uri,
    /// The version of an open document.
    pub version_of: &'a dyn Fn(&lsp::Uri) -> Option<i32>,
}

/// The quick fixes for the findings on the asked lines: each fix (an
/// unsafe one says so and is never preferred), then for each finding the
/// comment that silences it there.
pub fn code_actions(
    params: &lsp::CodeActionParams,
    findings: &[Finding],
    target: &EditTarget<'_>,
) -> Vec<lsp::CodeActionOrCommand> {
    if let Some(only) = &params.context.only
        && !only.iter().any(|k| {
            lsp::CodeActionKind::QUICKFIX
                .as_str()
                .starts_with(k.as_str())
        })
    {
        return Vec::new();
    }
    // By line: the cursor anywhere on a reported line offers its actions,
    // as the editor shows the finding on the line.
    let lines = |r: &lsp::Range| {
        lsp::Range::new(
            lsp::Position::new(r.start.line, 0),
            lsp::Position::new(r.end.line, u32::MAX),
        )
    };
    let hits: Vec<&Finding> = findings
        .iter()
        .filter(|f| convert::overlaps(&lines(&f.lsp.range), &lines(&params.range)))
        .collect();
    let mut actions = Vec::new();
    for f in &hits {
        let d = &f.diagnostic;
        if let Some(fix) = &d.fix {
            let safe = fix.applicability == Applicability::Safe;
            let title = if safe {
                format!("Fix {}: {}", d.code, fix.message)
            } else {
                format!(
                    "Fix {} (unsafe: changes behaviour beyond the finding): {}",
                    d.code, fix.message
                )
            };
            actions.push(action(title, f, workspace_edit(&fix.edits, target), safe));
        }
    }
    for f in &hits {
        if let Ok(edit) = crate::suppress::ignore_edit(&f.diagnostic, None) {
            let title = format!(
                "Ignore {} here (add a `wslint-ignore` comment)",
                f.diagnostic.code
            );
            actions.push(action(
                title,
                f,
                workspace_edit(std::slice::from_ref(&edit), target),
                false,
            ));
        }
    }
    actions
}

fn action(
    title: String,
    f: &Finding,
    edit: lsp::WorkspaceEdit,
    preferred: bool,
) -> lsp::CodeActionOrCommand {
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![f.lsp.clone()]),
        edit: Some(edit),
        is_preferred: Some(preferred),
        ..Default::default()
    })
}

/// Edits grouped by file, in the order of their files' first edit.
fn workspace_edit(edits: &[Edit], target: &EditTarget<'_>) -> lsp::WorkspaceEdit {
    let mut by_file: BTreeMap<String, (lsp::Uri, Vec<lsp::TextEdit>)> = BTreeMap::new();
    for e in edits {
        let uri = (target.uri_of)(&e.file.path);
        by_file
            .entry(uri.as_str().to_string())
            .or_insert_with(|| (uri, Vec::new()))
            .1
            .push(lsp::TextEdit {
                range: convert::range(&e.file, e.span),
                new_text: e.replacement.clone(),
            });
    }
    if target.versioned {
        let changes = by_file
            .into_values()
            .map(|(uri, edits)| lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    version: (target.version_of)(&uri),
                    uri,
                },
                edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
            })
            .collect();
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(changes)),
            ..Default::default()
        }
    } else {
        lsp::WorkspaceEdit {
            changes: Some(by_file.into_values().collect()),
            ..Default::default()
        }
    }
}

/// The docs of the rules whose findings are under the cursor, as
/// `wslint explain` prints them.
pub fn hover(params: &lsp::TextDocumentPositionParams, findings: &[Finding]) -> Option<lsp::Hover> {
    let at = lsp::Range::new(params.position, params.position);
    let hits: Vec<&Finding> = findings
        .iter()
        .filter(|f| convert::overlaps(&f.lsp.range, &at))
        .collect();
    let first = hits.first()?;
    let mut codes: Vec<&'static str> = Vec::new();
    for f in &hits {
        if !codes.contains(&f.diagnostic.code) {
            codes.push(f.diagnostic.code);
        }
    }
    let docs: Vec<&str> = codes
        .iter()
        .filter_map(|c| crate::registry::by_code(c))
        .map(|r| r.doc)
        .collect();
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: docs.join("\n\n---\n\n"),
        }),
        range: Some(first.lsp.range),
    })
}
