//! `wslint check --add-ignore[=REASON]`: a suppression comment for every
//! current finding, so that a team adopting wslint gates only new findings
//! from then on. A second run adds nothing: the findings are silenced.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, Edit};
use crate::fix::apply;
use crate::{Report, Settings, run};

/// What `--add-ignore` did.
#[derive(Debug, Default)]
pub struct IgnoreOutcome {
    /// Comments inserted or extended.
    pub comments: usize,
    /// Findings they silence.
    pub findings: usize,
    /// Files written.
    pub files: usize,
    /// Findings that could not carry a comment, and why.
    pub left: Vec<(Diagnostic, String)>,
    /// Files that could not be written, and why.
    pub failed: Vec<(PathBuf, String)>,
    /// The check after the comments were written.
    pub report: Report,
}

/// Runs the check, writes a comment for every finding that can carry one,
/// and checks again.
pub fn add_ignores(settings: &Settings, reason: Option<&str>) -> IgnoreOutcome {
    let before = run(settings);
    let (edits, left) = crate::suppress::ignore_edits(&before.diagnostics, reason);
    let mut out = IgnoreOutcome {
        left: left
            .into_iter()
            .map(|(d, why)| (d.clone(), why.to_string()))
            .collect(),
        ..IgnoreOutcome::default()
    };
    let mut by_file: BTreeMap<PathBuf, Vec<&Edit>> = BTreeMap::new();
    for e in &edits {
        by_file.entry(e.file.path.clone()).or_default().push(e);
    }
    for (path, edits) in by_file {
        let file = &edits[0].file;
        let new = apply::apply(&file.text, &edits);
        match apply::write_back(&path, &file.text, &new) {
            Ok(()) => {
                out.files += 1;
                out.comments += edits.len();
                out.findings += before
                    .diagnostics
                    .iter()
                    .filter(|d| d.file.path == path && !out.left.iter().any(|(l, _)| same(l, d)))
                    .count();
            }
            Err(why) => out.failed.push((path, why)),
        }
    }
    out.report = if out.files > 0 { run(settings) } else { before };
    out
}

fn same(a: &Diagnostic, b: &Diagnostic) -> bool {
    a.sort_key() == b.sort_key()
}
