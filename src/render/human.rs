//! miette's graphical report: the snippet with the span underlined, labels,
//! the help line and the rule's doc link. Labels in other files are shown as
//! related snippets of those files.

use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};

use super::{RenderOptions, path_text, summary};
use crate::Report;
use crate::diagnostic::Diagnostic;
use crate::registry;
use crate::rule::Severity;
use crate::source::{Source, Span};

/// Wide enough for most snippets, fixed so that output does not depend on
/// the terminal.
const WIDTH: usize = 100;

/// A file's text for miette. miette decides whether two labels share one
/// snippet by comparing a context's `line_count()` with the next context's
/// first line, but its own `str` implementation counts lines from the start
/// of the file, so every label of a file ends up in one snippet spanning all
/// the lines between them. This reports the lines of the context itself.
struct Text(Arc<str>);

impl SourceCode for Text {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.0.as_ref().read_span(span, before, after)?;
        let data = inner.data();
        let lines = memchr::memchr_iter(b'\n', data).count();
        Ok(Box::new(MietteSpanContents::new(
            data,
            *inner.span(),
            inner.line(),
            inner.column(),
            lines,
        )))
    }
}

struct Snippet {
    message: String,
    severity: miette::Severity,
    source: NamedSource<Text>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Snippet>,
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Snippet {}

impl miette::Diagnostic for Snippet {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

fn named(file: &Source) -> NamedSource<Text> {
    NamedSource::new(path_text(&file.path), Text(file.text.clone()))
}

fn span(s: Span) -> SourceSpan {
    SourceSpan::new(s.start.into(), s.end - s.start)
}

fn snippet(d: &Diagnostic) -> Snippet {
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        d.primary_label.clone(),
        span(d.span),
    )];
    let mut others: Vec<(Source, Vec<LabeledSpan>)> = Vec::new();
    for l in &d.labels {
        let ls = LabeledSpan::new_with_span(Some(l.message.clone()), span(l.span));
        if l.file.path == d.file.path {
            labels.push(ls);
        } else {
            match others.iter_mut().find(|(f, _)| f.path == l.file.path) {
                Some((_, v)) => v.push(ls),
                None => others.push((l.file.clone(), vec![ls])),
            }
        }
    }
    // miette merges the context of each label into the previous one when
    // they overlap, which only works in source order.
    labels.sort_by_key(|l| (l.offset(), l.len()));
    for (_, v) in &mut others {
        v.sort_by_key(|l| (l.offset(), l.len()));
    }
    let mut help = d.help.clone().unwrap_or_default();
    if let Some(fix) = &d.fix {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str(&super::fix_note(fix));
    }
    if let Some(rule) = registry::by_code(d.code) {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str(&format!(
            "docs: `wslint explain {}`, {}",
            rule.code,
            rule.doc_url()
        ));
    }
    // `[*]`: a safe fix is available, as ruff marks it.
    let marker = match d.fix.as_ref().map(|f| f.applicability) {
        Some(crate::diagnostic::Applicability::Safe) => " [*]",
        _ => "",
    };
    Snippet {
        message: format!("{}{marker} {}: {}", d.code, d.name, d.message),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        source: named(&d.file),
        labels,
        help: Some(help),
        related: others
            .into_iter()
            .map(|(file, labels)| Snippet {
                message: format!("see also {}", path_text(&file.path)),
                severity: miette::Severity::Advice,
                source: named(&file),
                labels,
                help: None,
                related: Vec::new(),
            })
            .collect(),
    }
}

pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .with_urls(false)
        .with_show_related_as_nested(true)
        .with_break_words(false)
        // Never split a URL or a rule name at its hyphens.
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
}

pub fn render(report: &Report, opts: RenderOptions) -> String {
    let handler = handler(opts.color);
    let mut out = String::new();
    for d in &report.diagnostics {
        let s = snippet(d);
        if handler.render_report(&mut out, &s).is_err() {
            // A span miette cannot place: fall back to the concise line.
            let at = d.start();
            out.push_str(&format!(
                "{}:{}:{}: {} {}\n",
                path_text(&d.file.path),
                at.line,
                at.column,
                d.code,
                d.message
            ));
        }
        out.push('\n');
    }
    if !opts.quiet {
        out.push_str(&summary(report));
        out.push('\n');
    }
    out
}

/// A configuration that cannot be used: each problem with its line.
pub fn config_error(err: &crate::settings::ConfigError, color: bool) -> String {
    let handler = handler(color);
    let path = path_text(&err.path);
    let mut out = String::new();
    for p in &err.problems {
        let Some(text) = &err.text else {
            out.push_str(&format!("error: {path}: {}\n", p.message));
            continue;
        };
        let file = crate::source::SourceFile::new(err.path.clone(), text.clone());
        let at = file.line_col(p.span.start);
        let s = Snippet {
            message: format!("{path}:{}:{}: {}", at.line, at.column, p.message),
            severity: miette::Severity::Error,
            source: NamedSource::new(path.clone(), Text(text.clone())),
            labels: vec![LabeledSpan::new_primary_with_span(None, span(p.span))],
            help: p.help.clone(),
            related: Vec::new(),
        };
        if handler.render_report(&mut out, &s).is_err() {
            out.push_str(&format!("error: {}", s.message));
        }
        out.push('\n');
    }
    out
}
