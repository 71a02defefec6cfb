//! The last stage: suppressions applied (and WS001 for those that silence
//! nothing), severities from the configuration, diagnostics sorted and
//! deduplicated.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::rules;
use crate::settings::RuleSelection;
use crate::source::Span;
use crate::suppress::FileSuppressions;

/// Applies suppressions, adds WS001, applies severities, sorts, dedups.
pub fn finish(
    diagnostics: Vec<Diagnostic>,
    mut suppressions: BTreeMap<PathBuf, FileSuppressions>,
    selection: &RuleSelection,
) -> Vec<Diagnostic> {
    let mut kept: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        if !selection.is_enabled(d.code) {
            continue;
        }
        if let Some(s) = suppressions.get_mut(&d.file.path)
            && s.silences(&d)
        {
            continue;
        }
        kept.push(d);
    }
    if selection.is_enabled(rules::engine::ws001_unused_suppression::RULE.code) {
        for s in suppressions.values() {
            kept.extend(s.unused(selection));
        }
    }
    for d in &mut kept {
        if let Some(sev) = selection.severity(d.code) {
            d.severity = sev;
        }
        d.labels
            .sort_by(|a, b| (&a.file.path, a.span).cmp(&(&b.file.path, b.span)));
    }
    kept.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.span.end.cmp(&b.span.end))
    });
    // The same file reached from two configuration trees reports once, with
    // the labels of both.
    let mut out: Vec<Diagnostic> = Vec::with_capacity(kept.len());
    let mut index: HashMap<(PathBuf, Span, &'static str, String), usize> = HashMap::new();
    for d in kept {
        let key = (d.file.path.clone(), d.span, d.code, d.message.clone());
        match index.get(&key) {
            Some(&i) => {
                for l in d.labels {
                    if !out[i]
                        .labels
                        .iter()
                        .any(|x| x.file.path == l.file.path && x.span == l.span)
                    {
                        out[i].labels.push(l);
                    }
                }
            }
            None => {
                index.insert(key, out.len());
                out.push(d);
            }
        }
    }
    out
}
