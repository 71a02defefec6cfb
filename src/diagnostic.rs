//! What a rule reports: a code, a message, where, why and what to change.

use crate::rule::Severity;
use crate::source::{LineCol, Source, Span};

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
