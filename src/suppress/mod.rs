//! `wslint-ignore` comments: which diagnostics they silence, and WS001 for
//! those that silence nothing.
//!
//! - `// wslint-ignore WS101, WS107: reason` (or `#` in Python and Apache,
//!   `{/* ... */}` in JSX) on the reported line silences that line; alone on
//!   its line it silences the next line of code (further comment lines are
//!   skipped, so several suppressions can stack).
//! - `wslint-ignore-file WS101` in the file's first comment block silences
//!   the code in the whole file.
//!
//! [`insert`] makes the edit that adds such a comment for a finding.

pub mod insert;

pub use insert::{Unignorable, ignore_edit, ignore_edits};

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::lang::Lang;
use crate::registry;
use crate::rules::engine::ws001_unused_suppression::RULE as WS001;
use crate::settings::RuleSelection;
use crate::source::{Source, SourceFile, Span};

#[derive(Clone, Debug)]
pub struct Suppression {
    /// The comment, for WS001.
    pub span: Span,
    pub file_level: bool,
    /// The 1-based lines it applies to (empty for file-level ones).
    pub lines: Vec<usize>,
    /// Codes with their spans; `used` marks the ones that silenced something.
    pub codes: Vec<(String, Span)>,
    pub used: Vec<bool>,
    /// Words after the keyword that are not rule codes.
    pub bad: Vec<(String, Span)>,
    /// A file-level suppression outside the first comment block.
    pub misplaced: bool,
}

#[derive(Clone, Debug)]
pub struct FileSuppressions {
    pub file: Source,
    pub items: Vec<Suppression>,
}

static COMMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^:])(//|/\*|#)\s*wslint-ignore(-file)?\b").expect("static regex")
});
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9_-]+").expect("static regex"));

/// Finds the suppressions in a file. Cheap when there are none.
///
/// In a Vue or Svelte component the comments of its `<script>` blocks
/// count, read on the component's suppression view (the file's lines with
/// everything else blanked, at the file's own offsets), and so do HTML
/// comments of the markup: `<!-- wslint-ignore-file CODES: reason -->`
/// (on one line) silences the whole file when no script code comes before
/// it, and is misplaced (WS001) after it; a line-level `<!-- wslint-ignore
/// ... -->` in the markup applies to its own line, where nothing is
/// checked, so it is reported as suppressing nothing.
pub fn scan(file: &Source, lang: Lang) -> Option<FileSuppressions> {
    let text: &str = &file.text;
    memchr::memmem::find(text.as_bytes(), b"wslint-ignore")?;
    let view;
    let mut markup_lines = Vec::new();
    let lines: &SourceFile = match crate::lang::sfc::Framework::of(lang) {
        Some(fw) => {
            let component = crate::lang::sfc::Component::read(text, fw);
            view = SourceFile::new(file.path.clone(), component.suppression_view(text));
            markup_lines = component
                .suppression_comments
                .iter()
                .map(|c| view.line_col(c.start).line)
                .collect();
            &view
        }
        None => file,
    };
    let mut items = Vec::new();
    let mut in_header = true;
    for line_no in 1..=lines.line_count() {
        let line = lines.line_text(line_no).unwrap_or("");
        let line_start = lines.line_start(line_no).unwrap_or(0);
        let trimmed = line.trim_start();
        let is_comment_line = is_comment(trimmed, lang);
        let Some(m) = COMMENT.captures(line) else {
            if !trimmed.is_empty() && !is_comment_line && !trimmed.starts_with("#!") {
                in_header = false;
            }
            continue;
        };
        let leader = m.get(1).expect("group 1");
        // An HTML comment of a component's markup stands for its own line.
        let markup = markup_lines.contains(&line_no);
        let standalone = !markup
            && (line[..leader.start()].trim().is_empty() || line[..leader.start()].trim() == "{");
        // httpd only knows whole-line comments.
        if lang == Lang::Apache && !standalone {
            continue;
        }
        if !lang.takes_comment(leader.as_str()) {
            continue;
        }
        let file_level = m.get(2).is_some();
        let whole = m.get(0).expect("match");
        let after = whole.end();
        // Codes run up to `:` (the reason) or the end of a block comment.
        let rest_end = line[after..]
            .find([':'])
            .or_else(|| line[after..].find("*/"))
            .map(|i| after + i)
            .unwrap_or(line.len());
        let mut codes = Vec::new();
        let mut bad = Vec::new();
        for w in WORD.find_iter(&line[after..rest_end]) {
            let span = Span::new(line_start + after + w.start(), line_start + after + w.end());
            let word = w.as_str();
            match registry::by_code(word) {
                Some(rule) => codes.push((rule.code.to_string(), span)),
                None => bad.push((word.to_string(), span)),
            }
        }
        let comment_start = line_start + leader.start();
        let comment_end = line_start + line.trim_end().len();
        let lines = if file_level {
            Vec::new()
        } else if standalone {
            next_code_line(lines, line_no, lang).into_iter().collect()
        } else {
            vec![line_no]
        };
        let misplaced = file_level && !in_header;
        if !standalone && !markup {
            in_header = false;
        }
        let used = vec![false; codes.len()];
        items.push(Suppression {
            span: Span::new(comment_start, comment_end),
            file_level,
            lines,
            codes,
            used,
            bad,
            misplaced,
        });
    }
    (!items.is_empty()).then(|| FileSuppressions {
        file: file.clone(),
        items,
    })
}

fn is_comment(trimmed: &str, lang: Lang) -> bool {
    if lang == Lang::Terraform {
        trimmed.starts_with('#') || trimmed.starts_with("//") || trimmed.starts_with("/*")
    } else if lang.is_hash_commented() {
        trimmed.starts_with('#')
    } else {
        trimmed.starts_with("//")
            || trimmed.starts_with("/*")
            || trimmed.starts_with('*')
            || trimmed.starts_with("{/*")
    }
}

/// The first line after `line_no` that is neither blank nor a comment.
fn next_code_line(file: &SourceFile, line_no: usize, lang: Lang) -> Option<usize> {
    (line_no + 1..=file.line_count()).find(|&l| {
        let t = file.line_text(l).unwrap_or("").trim_start();
        !t.is_empty() && !is_comment(t, lang)
    })
}

impl FileSuppressions {
    /// Whether `d` is silenced; marks the suppression used.
    pub fn silences(&mut self, d: &Diagnostic) -> bool {
        let line = d.start().line;
        let mut hit = false;
        for s in &mut self.items {
            if s.misplaced || !(s.file_level || s.lines.contains(&line)) {
                continue;
            }
            for (i, (code, _)) in s.codes.iter().enumerate() {
                if code == d.code {
                    s.used[i] = true;
                    hit = true;
                }
            }
        }
        hit
    }

    /// WS001 for every code that silenced nothing and could have: its rule
    /// ran in this run. Codes of rules switched off are left alone.
    pub fn unused(&self, selection: &RuleSelection) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for s in &self.items {
            let keyword = if s.file_level {
                "wslint-ignore-file"
            } else {
                "wslint-ignore"
            };
            if s.codes.is_empty() && s.bad.is_empty() {
                let mut d = WS001.new_diagnostic(
                    &self.file,
                    s.span,
                    format!("`{keyword}` without rule codes suppresses nothing"),
                );
                d.help("name the codes to silence, e.g. `wslint-ignore WS301: reason`");
                out.push(d);
            }
            for (word, span) in &s.bad {
                let mut d = WS001.new_diagnostic(
                    &self.file,
                    *span,
                    format!("`{word}` in `{keyword}` is not a wslint rule code"),
                );
                d.help(
                    "use the codes `wslint rules` lists, comma-separated, then `:` and the reason",
                );
                out.push(d);
            }
            for (i, (code, span)) in s.codes.iter().enumerate() {
                if s.used[i] || !selection.is_enabled(code) {
                    continue;
                }
                let (message, help) = if s.misplaced {
                    (
                        format!(
                            "`wslint-ignore-file {code}` is not in the file's first comment block, so it suppresses nothing"
                        ),
                        "move it into the comments at the top of the file",
                    )
                } else if s.file_level {
                    (
                        format!(
                            "`wslint-ignore-file {code}` suppresses nothing: no {code} diagnostic in this file"
                        ),
                        "remove it",
                    )
                } else {
                    (
                        format!(
                            "`wslint-ignore {code}` suppresses nothing: no {code} diagnostic on this line or the next"
                        ),
                        "remove it, or move it onto the reported line or the line above it",
                    )
                };
                let mut d = WS001.new_diagnostic(&self.file, *span, message);
                d.help(help);
                out.push(d);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn scan_str(text: &str, lang: Lang) -> Vec<Suppression> {
        let f = Arc::new(SourceFile::new("t".into(), text));
        scan(&f, lang).map(|s| s.items).unwrap_or_default()
    }

    #[test]
    fn line_and_next_line_forms() {
        let s = scan_str(
            "a\n// wslint-ignore WS301, WS302: reason\n// another comment\n\nb // wslint-ignore WS304\n",
            Lang::Tsx,
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].lines, vec![5]);
        assert_eq!(
            s[0].codes.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
            vec!["WS301", "WS302"]
        );
        assert_eq!(s[1].lines, vec![5]);
    }

    #[test]
    fn file_level_only_in_the_header() {
        let s = scan_str(
            "#!/bin/x\n# wslint-ignore-file WS301\nTimeout 5\n# wslint-ignore-file WS302\n",
            Lang::Apache,
        );
        assert!(!s[0].misplaced && s[0].file_level);
        assert!(s[1].misplaced);
    }

    #[test]
    fn apache_needs_whole_line_comments_and_bad_codes_are_kept() {
        let s = scan_str(
            "Timeout 5 # wslint-ignore WS301\n  # wslint-ignore WS999, WS301\nTimeout 5\n",
            Lang::Apache,
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].bad[0].0, "WS999");
        assert_eq!(s[0].lines, vec![3]);
    }

    #[test]
    fn urls_are_not_comments() {
        assert!(scan_str("const u = 'http://wslint-ignore WS301'\n", Lang::Tsx).is_empty());
    }
}
