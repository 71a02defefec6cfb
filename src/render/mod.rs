//! Pure functions from a sorted report to bytes, one module per format.

mod concise;
mod github;
mod human;
mod json;
pub mod routes;
mod sarif;

use std::path::Path;

use crate::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with the span underlined, labels and a help line.
    Human,
    /// `path:line:col: CODE message`, one line each.
    Concise,
    /// One JSON array of objects.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// ANSI colours (human format only).
    pub color: bool,
    /// Omit the closing summary line.
    pub quiet: bool,
}

pub fn render(format: Format, report: &Report, opts: RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, opts),
        Format::Concise => concise::render(report, opts),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}

/// A path as text with `/` separators, whatever the platform.
pub(crate) fn path_text(p: &Path) -> String {
    let s = p.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// `Found 2 errors and 1 warning in 3 files (12 checked).`
pub(crate) fn summary(report: &Report) -> String {
    let errors = report.count(crate::rule::Severity::Error);
    let warnings = report.count(crate::rule::Severity::Warning);
    let checked = report.files_checked;
    let files_word = if checked == 1 { "file" } else { "files" };
    let no_kind = match report.files_of_no_kind {
        0 => String::new(),
        1 => "; 1 file of no kind wslint reads".to_string(),
        n => format!("; {n} files of no kind wslint reads"),
    };
    if errors == 0 && warnings == 0 {
        return match no_kind.is_empty() {
            true => format!("No problems found in {checked} checked {files_word}."),
            false => format!(
                "No problems found in {checked} checked {files_word} ({}).",
                &no_kind[2..]
            ),
        };
    }
    let mut files: Vec<&Path> = report
        .diagnostics
        .iter()
        .map(|d| d.file.path.as_path())
        .collect();
    files.dedup();
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let counts = match (errors, warnings) {
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    };
    format!(
        "Found {counts} in {} ({checked} checked{no_kind}).{}",
        plural(files.len(), "file"),
        fixable(report)
    )
}

/// How many findings have a fix: ` 2 fixable with `--fix` (1 more with
/// `--unsafe-fixes`).`, or nothing.
fn fixable(report: &Report) -> String {
    let (safe, unsafe_) = report
        .diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .fold((0, 0), |(s, u), f| match f.applicability {
            crate::diagnostic::Applicability::Safe => (s + 1, u),
            crate::diagnostic::Applicability::Unsafe => (s, u + 1),
        });
    match (safe, unsafe_) {
        (0, 0) => String::new(),
        (s, 0) => format!(" {s} fixable with `--fix`."),
        (0, u) => format!(" {u} fixable with `--fix --unsafe-fixes`."),
        (s, u) => format!(" {s} fixable with `--fix` ({u} more with `--unsafe-fixes`)."),
    }
}

/// How a fix is shown beside its finding: what it does, and the flags
/// that apply it.
pub(crate) fn fix_note(fix: &crate::diagnostic::Fix) -> String {
    match fix.applicability {
        crate::diagnostic::Applicability::Safe => {
            format!("fix: {} (`wslint check --fix`)", fix.message)
        }
        crate::diagnostic::Applicability::Unsafe => format!(
            "unsafe fix: {} (`wslint check --fix --unsafe-fixes`; review it: it changes behaviour beyond the finding)",
            fix.message
        ),
    }
}

pub use human::config_error;
