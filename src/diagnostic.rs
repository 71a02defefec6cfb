//! What a rule reports: a code, a message, where, why and what to change.

use crate::rule::Severity;
use crate::source::{LineCol, Source, Span};

/// Whether applying a fix keeps the program's meaning except for the
/// defect (`Safe`, applied by `--fix`), or changes behaviour beyond it
/// (`Unsafe`, applied only with `--unsafe-fixes`), as ruff divides them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    Safe,
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One replacement of a byte range of a file's text (an insertion when the
/// range is empty). The file may be another than the diagnostic's own: a
/// constant defined in another module, the vhost of an included file.
#[derive(Clone, Debug)]
pub struct Edit {
    pub file: Source,
    pub span: Span,
    pub replacement: String,
}

/// What would mend a finding: edits applied together or not at all.
#[derive(Clone, Debug)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, in a few words ("set `HEARTBEAT_MS` to 20_000").
    pub message: String,
    pub edits: Vec<Edit>,
}

/// A secondary location, possibly in another file than the primary one.
#[derive(Clone, Debug)]
pub struct Label {
    pub file: Source,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: Source,
    pub span: Span,
    /// Text under the primary span, if any.
    pub primary_label: Option<String>,
    pub labels: Vec<Label>,
    /// What to change.
    pub help: Option<String>,
    /// Edits that would mend it, when the rule knows them.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn label(&mut self, file: &Source, span: Span, message: impl Into<String>) -> &mut Self {
        let label = Label {
            file: file.clone(),
            span,
            message: message.into(),
        };
        if !self
            .labels
            .iter()
            .any(|l| l.span == label.span && l.file.path == label.file.path)
        {
            self.labels.push(label);
        }
        self
    }

    pub fn primary(&mut self, message: impl Into<String>) -> &mut Self {
        self.primary_label = Some(message.into());
        self
    }

    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches a fix of the given applicability made of `edits`.
    pub fn fix(
        &mut self,
        applicability: Applicability,
        message: impl Into<String>,
        edits: Vec<Edit>,
    ) -> &mut Self {
        self.fix = Some(Fix {
            applicability,
            message: message.into(),
            edits,
        });
        self
    }

    pub fn start(&self) -> LineCol {
        self.file.line_col(self.span.start)
    }

    /// End position, exclusive, as editors and SARIF count it.
    pub fn end(&self) -> LineCol {
        self.file.line_col(self.span.end)
    }

    /// The key diagnostics are sorted and deduplicated by.
    pub fn sort_key(&self) -> (&std::path::Path, usize, usize, &'static str, &str) {
        let start = self.start();
        (
            self.file.path.as_path(),
            start.line,
            start.column,
            self.code,
            self.message.as_str(),
        )
    }
}
