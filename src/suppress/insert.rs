//! The edit that silences a finding where it is: a `wslint-ignore` comment
//! in its file's syntax, one that [`super::scan`] honours, on its own line
//! above the reported line (indented as that line), or the code added to a
//! `wslint-ignore` comment that already applies to the line.
//!
//! - TypeScript/JavaScript: `// wslint-ignore WS101: reason`; in JSX
//!   children, where `//` would be text, `{/* wslint-ignore WS101: reason */}`.
//! - Python, YAML, Terraform, HAProxy, Apache httpd, nginx: `# ...`, always
//!   on its own line (httpd forbids comments after a directive).
//!
//! Engine findings (WS001-WS003) carry no comment, and neither does a line
//! a new line cannot go above without changing the program: inside a
//! string or template literal, a YAML block scalar, a Terraform heredoc,
//! after a `\` continuation. Every edit is checked before it is offered: the
//! text with it applied must carry a suppression of each code for the
//! reported line and, for TypeScript and Python, parse as well as before.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Edit};
use crate::lang::{self, Lang};
use crate::source::{Source, SourceFile, Span};

/// Why a finding cannot carry a suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unignorable {
    /// WS001-WS003: about a comment, a read or a skipped file.
    Engine,
    /// The file is of no kind wslint reads, or the finding has no line.
    NoPlace,
    /// A comment line above would change or break the program.
    Inside(&'static str),
    /// The comment would not silence the finding (checked on the result).
    NotHonoured,
}

impl fmt::Display for Unignorable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unignorable::Engine => f.write_str(
                "an engine finding (a comment, a read, a skipped file) takes no suppression comment",
            ),
            Unignorable::NoPlace => f.write_str("the finding has no line a comment can go above"),
            Unignorable::Inside(what) => {
                write!(f, "a comment above this line would land inside {what}")
            }
            Unignorable::NotHonoured => {
                f.write_str("no comment wslint would honour fits on this line")
            }
        }
    }
}

/// The edit that silences `d` where it is, with `reason` after the codes.
pub fn ignore_edit(d: &Diagnostic, reason: Option<&str>) -> Result<Edit, Unignorable> {
    if is_engine(d.code) {
        return Err(Unignorable::Engine);
    }
    line_edit(&d.file, d.start().line, &[d.code], reason)
}

/// A finding that could not carry a comment, and why.
pub type Left<'d> = (&'d Diagnostic, Unignorable);

/// The edits that silence every finding of `diagnostics`: one per reported
/// line (its codes together in one comment), in path and offset order.
pub fn ignore_edits<'d>(
    diagnostics: &'d [Diagnostic],
    reason: Option<&str>,
) -> (Vec<Edit>, Vec<Left<'d>>) {
    let mut lines: BTreeMap<(&std::path::Path, usize), (Source, Vec<&'d Diagnostic>)> =
        BTreeMap::new();
    let mut left = Vec::new();
    for d in diagnostics {
        if is_engine(d.code) {
            left.push((d, Unignorable::Engine));
            continue;
        }
        lines
            .entry((d.file.path.as_path(), d.start().line))
            .or_insert_with(|| (d.file.clone(), Vec::new()))
            .1
            .push(d);
    }
    let mut edits = Vec::new();
    for ((_, line), (file, ds)) in lines {
        let mut codes: Vec<&str> = ds.iter().map(|d| d.code).collect();
        codes.sort_unstable();
        codes.dedup();
        match line_edit(&file, line, &codes, reason) {
            Ok(e) => edits.push(e),
            Err(why) => left.extend(ds.into_iter().map(|d| (d, why.clone()))),
        }
    }
    (edits, left)
}

fn is_engine(code: &str) -> bool {
    matches!(code, "WS001" | "WS002" | "WS003")
}

/// The edit that silences `codes` on the 1-based `line` of `file`.
pub fn line_edit(
    file: &Source,
    line: usize,
    codes: &[&str],
    reason: Option<&str>,
) -> Result<Edit, Unignorable> {
    let lang = lang::of_file(&file.path, &file.text).ok_or(Unignorable::NoPlace)?;
    let line_start = file.line_start(line).ok_or(Unignorable::NoPlace)?;
    if file.text.is_empty() {
        return Err(Unignorable::NoPlace);
    }
    let edit = match existing(file, lang, line, codes)? {
        Some(edit) => edit,
        None => {
            let jsx = blocked(file, lang, line, line_start)?;
            let text = file.line_text(line).unwrap_or("");
            let indent = &text[..text.len() - text.trim_start().len()];
            let comment = comment(lang, jsx, codes, reason);
            Edit {
                file: file.clone(),
                span: Span::new(line_start, line_start),
                replacement: format!("{indent}{comment}{}", line_ending(file, line)),
            }
        }
    };
    verify(file, lang, line, codes, &edit)?;
    Ok(edit)
}

/// The code added to a `wslint-ignore` comment that already applies to the
/// line, if there is one.
fn existing(
    file: &Source,
    lang: Lang,
    line: usize,
    codes: &[&str],
) -> Result<Option<Edit>, Unignorable> {
    let Some(found) = super::scan(file, lang) else {
        return Ok(None);
    };
    let Some(s) = found
        .items
        .iter()
        .find(|s| !s.file_level && !s.misplaced && s.lines.contains(&line))
    else {
        return Ok(None);
    };
    let missing: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|c| !s.codes.iter().any(|(have, _)| have == c))
        .collect();
    if missing.is_empty() {
        return Err(Unignorable::NotHonoured);
    }
    let last_word = s.codes.iter().chain(&s.bad).map(|(_, span)| span.end).max();
    let (at, text) = match last_word {
        Some(end) => (end, format!(", {}", missing.join(", "))),
        None => {
            let comment = &file.text[s.span.start..s.span.end];
            let keyword = comment
                .find("wslint-ignore")
                .ok_or(Unignorable::NotHonoured)?;
            (
                s.span.start + keyword + "wslint-ignore".len(),
                format!(" {}", missing.join(", ")),
            )
        }
    };
    Ok(Some(Edit {
        file: file.clone(),
        span: Span::new(at, at),
        replacement: text,
    }))
}

/// Why a new line cannot go above `line`; otherwise whether it goes into
/// JSX children (where a comment is `{/* */}`).
fn blocked(file: &Source, lang: Lang, line: usize, line_start: usize) -> Result<bool, Unignorable> {
    let previous = (line > 1)
        .then(|| file.line_text(line - 1))
        .flatten()
        .unwrap_or("");
    match lang {
        // A component's findings are in its `<script>` blocks.
        Lang::TypeScript | Lang::Tsx | Lang::Vue | Lang::Svelte => {
            ts_context(file, lang, line_start)
        }
        Lang::Python => {
            if previous.trim_end().ends_with('\\') {
                return Err(Unignorable::Inside("a `\\` continuation"));
            }
            python_context(file, line_start).map(|()| false)
        }
        Lang::Apache if previous.trim_end().ends_with('\\') => {
            Err(Unignorable::Inside("a `\\` continuation"))
        }
        Lang::Kubernetes if in_block_scalar(file, line) => {
            Err(Unignorable::Inside("a YAML block scalar"))
        }
        Lang::Terraform if in_heredoc(file, line) => Err(Unignorable::Inside("a heredoc")),
        _ => Ok(false),
    }
}

/// Where the line break before `at` lies in a TypeScript/JavaScript tree:
/// in a string, template or comment (no place for a line), in JSX
/// children (`true`), or in code.
fn ts_context(file: &Source, lang: Lang, at: usize) -> Result<bool, Unignorable> {
    if at == 0 {
        return Ok(false);
    }
    let Some(tree) = lang::ts::parse(&file.text, lang) else {
        return Ok(false);
    };
    let mut node = tree.root_node().descendant_for_byte_range(at - 1, at);
    while let Some(n) = node {
        match n.kind() {
            "string" | "template_string" | "string_fragment" => {
                return Err(Unignorable::Inside("a string"));
            }
            "comment" if n.start_byte() < at - 1 && n.end_byte() > at => {
                return Err(Unignorable::Inside("a block comment"));
            }
            "regex" => return Err(Unignorable::Inside("a regular expression")),
            "jsx_element" => return Ok(true),
            "jsx_opening_element"
            | "jsx_closing_element"
            | "jsx_self_closing_element"
            | "jsx_expression" => return Ok(false),
            _ => {}
        }
        node = n.parent();
    }
    Ok(false)
}

fn python_context(file: &Source, at: usize) -> Result<(), Unignorable> {
    if at == 0 {
        return Ok(());
    }
    let Some(tree) = lang::python::parse(&file.text) else {
        return Ok(());
    };
    let mut node = tree.root_node().descendant_for_byte_range(at - 1, at);
    while let Some(n) = node {
        if matches!(
            n.kind(),
            "string" | "string_content" | "concatenated_string"
        ) {
            return Err(Unignorable::Inside("a string"));
        }
        node = n.parent();
    }
    Ok(())
}

fn indent_of(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// Whether `line` of a YAML file is inside a block scalar (`key: |`): a
/// comment line there would be part of the string.
fn in_block_scalar(file: &Source, line: usize) -> bool {
    let own = indent_of(file.line_text(line).unwrap_or(""));
    for l in (1..line).rev() {
        let text = file.line_text(l).unwrap_or("");
        if text.trim().is_empty() {
            continue;
        }
        if indent_of(text) < own {
            let head = text.split(" #").next().unwrap_or(text).trim_end();
            let indicator = head
                .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
                .trim_end();
            return (indicator.ends_with('|') || indicator.ends_with('>'))
                && (indicator.len() == 1
                    || indicator[..indicator.len() - 1].ends_with([':', ' ', '-']));
        }
    }
    false
}

/// Whether `line` of a Terraform file is inside a heredoc (`<<EOF`).
fn in_heredoc(file: &Source, line: usize) -> bool {
    let mut open: Option<String> = None;
    for l in 1..line {
        let text = file.line_text(l).unwrap_or("");
        match &open {
            Some(tag) if text.trim() == tag => open = None,
            Some(_) => {}
            None => {
                if let Some(i) = text.find("<<") {
                    let tag: String = text[i + 2..]
                        .trim_start_matches(['-', '~'])
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !tag.is_empty() {
                        open = Some(tag);
                    }
                }
            }
        }
    }
    open.is_some()
}

/// The comment text, without indentation or line ending.
fn comment(lang: Lang, jsx: bool, codes: &[&str], reason: Option<&str>) -> String {
    let codes = codes.join(", ");
    let reason = reason
        .map(|r| r.replace(['\n', '\r'], " ").replace("*/", "* /"))
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let body = match &reason {
        Some(r) => format!("wslint-ignore {codes}: {r}"),
        None => format!("wslint-ignore {codes}"),
    };
    match lang {
        l if l.is_client() && jsx => format!("{{/* {body} */}}"),
        l if l.is_client() => format!("// {body}"),
        _ => format!("# {body}"),
    }
}

/// The line ending of `line` (else of the line before it), so a CRLF file
/// stays CRLF.
fn line_ending(file: &Source, line: usize) -> &'static str {
    let ending = |l: usize| -> Option<&'static str> {
        let start = file.line_start(l)?;
        let text = file.line_text(l)?;
        let rest = &file.text[start + text.len()..];
        if rest.starts_with("\r\n") {
            Some("\r\n")
        } else if rest.starts_with('\r') {
            Some("\r")
        } else if rest.starts_with('\n') {
            Some("\n")
        } else {
            None
        }
    };
    ending(line)
        .or_else(|| line.checked_sub(1).and_then(ending))
        .unwrap_or("\n")
}

/// Applies `edit` to a copy and checks that the copy silences every code on
/// the reported line (one further down when a line was inserted), and that
/// it parses no worse than the original.
fn verify(
    file: &Source,
    lang: Lang,
    line: usize,
    codes: &[&str],
    edit: &Edit,
) -> Result<(), Unignorable> {
    let mut text = file.text.to_string();
    text.replace_range(edit.span.start..edit.span.end, &edit.replacement);
    let inserted = edit
        .replacement
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        .max(edit.replacement.matches('\r').count());
    let after = Arc::new(SourceFile::new(file.path.clone(), text));
    let target = line + inserted;
    let found = super::scan(&after, lang).ok_or(Unignorable::NotHonoured)?;
    let honoured = codes.iter().all(|code| {
        found.items.iter().any(|s| {
            !s.file_level
                && !s.misplaced
                && s.lines.contains(&target)
                && s.codes.iter().any(|(c, _)| c == code)
        })
    });
    if !honoured {
        return Err(Unignorable::NotHonoured);
    }
    let broken = |t: &str| match lang {
        l if l.is_client() => lang::ts::parse(t, lang).is_none_or(|t| t.root_node().has_error()),
        Lang::Python => lang::python::parse(t).is_none_or(|t| t.root_node().has_error()),
        _ => false,
    };
    if broken(&after.text) && !broken(&file.text) {
        return Err(Unignorable::NotHonoured);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(name: &str, text: &str, line: usize, codes: &[&str]) -> Result<String, Unignorable> {
        let f: Source = Arc::new(SourceFile::new(name.into(), text));
        let e = line_edit(&f, line, codes, Some("legacy"))?;
        let mut out = text.to_string();
        out.replace_range(e.span.start..e.span.end, &e.replacement);
        Ok(out)
    }

    #[test]
    fn each_syntax_gets_its_comment() {
        assert_eq!(
            apply(
                "a.ts",
                "function f() {\n  setInterval(g, 30000);\n}\n",
                2,
                &["WS101"]
            )
            .unwrap(),
            "function f() {\n  // wslint-ignore WS101: legacy\n  setInterval(g, 30000);\n}\n"
        );
        assert_eq!(
            apply(
                "a.py",
                "async def f(ws):\n    await ws.receive_text()\n",
                2,
                &["WS201"]
            )
            .unwrap(),
            "async def f(ws):\n    # wslint-ignore WS201: legacy\n    await ws.receive_text()\n"
        );
        assert_eq!(
            apply(
                "site.conf",
                "<VirtualHost *:80>\r\n    ProxyTimeout 30\r\n</VirtualHost>\r\n",
                2,
                &["WS301", "WS303"]
            )
            .unwrap(),
            "<VirtualHost *:80>\r\n    # wslint-ignore WS301, WS303: legacy\r\n    ProxyTimeout 30\r\n</VirtualHost>\r\n"
        );
    }

    #[test]
    fn jsx_children_take_a_braced_block_comment() {
        let text = "export const A = () => (\n  <div>\n    <B onClose={() => ws.close(1001)} />\n  </div>\n);\n";
        let out = apply("a.tsx", text, 3, &["WS109"]).unwrap();
        assert!(
            out.contains("\n    {/* wslint-ignore WS109: legacy */}\n    <B"),
            "{out}"
        );
        // Outside JSX children, a line comment.
        let out = apply("a.tsx", "const a = (\n  <B x={1} />\n);\n", 2, &["WS109"]).unwrap();
        assert!(
            out.contains("\n  // wslint-ignore WS109: legacy\n  <B"),
            "{out}"
        );
    }

    #[test]
    fn an_existing_comment_gets_the_code() {
        let text = "// wslint-ignore WS107: old\nsetInterval(g, 30000);\n";
        assert_eq!(
            apply("a.ts", text, 2, &["WS101"]).unwrap(),
            "// wslint-ignore WS107, WS101: old\nsetInterval(g, 30000);\n"
        );
        assert_eq!(
            apply("a.ts", "// wslint-ignore WS101\nx();\n", 2, &["WS101"]),
            Err(Unignorable::NotHonoured)
        );
    }

    #[test]
    fn lines_inside_strings_and_continuations_are_refused() {
        let ts = "const s = `a\n${new WebSocket(u)}`;\n";
        assert_eq!(
            apply("a.ts", ts, 2, &["WS102"]),
            Err(Unignorable::Inside("a string"))
        );
        let conf = "ProxyPass /ws/ \\\n    ws://b/ timeout=5\n";
        assert!(matches!(
            apply("site.conf", conf, 2, &["WS301"]),
            Err(Unignorable::Inside(_))
        ));
        let yaml = "data:\n  x: |\n    proxy-read-timeout: 5\n";
        assert!(in_block_scalar(
            &Arc::new(SourceFile::new("a.yaml".into(), yaml)),
            3
        ));
        let tf = "x = <<EOF\ntimeout_sec = 5\nEOF\ny = 1\n";
        let f: Source = Arc::new(SourceFile::new("a.tf".into(), tf));
        assert!(in_heredoc(&f, 2) && !in_heredoc(&f, 4));
    }
}
