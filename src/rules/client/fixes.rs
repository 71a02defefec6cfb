//! Edits behind the client rules' fixes that are more than a value:
//! items appended to an array literal (a dependency array, a terminal
//! close-code set), and WS105's guard at the top of an effect.

use crate::diagnostic::Edit;
use crate::lang::ts::{Bound, Deps, Effect, EffectBody, NameRef, Open};
use crate::source::{Source, Span};

/// The edit that appends `items` to the array literal in `span` of `file`
/// (the array itself, or an expression holding one: `new Set([...])`,
/// `[...] as const`), after its last item; `None` when there is no array,
/// or (with `literals_only`) an item that is not a number literal.
pub(crate) fn append_to_array(
    file: &Source,
    span: Span,
    items: &[String],
    literals_only: bool,
) -> Option<Edit> {
    let text = file.text.get(span.start..span.end)?;
    let close = text.rfind(']')?;
    let open = text[..close].rfind('[')?;
    let inside = &text[open + 1..close];
    if inside.contains('[') || inside.contains("//") || inside.contains("/*") {
        return None;
    }
    if literals_only
        && !inside
            .chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == ',' || c.is_whitespace())
    {
        return None;
    }
    let trimmed = inside.trim_end();
    let last = trimmed.trim_end_matches(',').trim_end();
    let (at, text) = if last.is_empty() {
        (open + 1, items.join(", "))
    } else {
        (open + 1 + last.len(), format!(", {}", items.join(", ")))
    };
    Some(Edit {
        file: file.clone(),
        span: Span::new(span.start + at, span.start + at),
        replacement: text,
    })
}

/// WS105's guard, `if (!token) return;`, where the token it reads is
/// there and the socket is not opened yet: at the top of the effect for a
/// token of the component (a prop, a state value, a hook's result; in a
/// Vue or Svelte component, its script's `ref`, `$props()` or `$store`),
/// when the effect runs again once the token changes (React's, with the
/// token added to the dependency array when the array lacks it; Vue's
/// `watchEffect`, Svelte's `$effect`), or the guard would keep the socket
/// down for good; right after the statement of the effect that declares a
/// local token (`const token = localStorage.getItem(...)`). The token is
/// written as it is read at the socket (`auth?.accessToken`,
/// `token.value`, `$token`). `None` where no such place is certain: a
/// callback that is not written inline, a dependency array that is not a
/// literal, a mount hook, a token read from storage inline, a declaration
/// nested in other code, an expression body over several lines. Returns
/// the edits and the guard.
pub(crate) fn guard_effect(
    file: &Source,
    component: bool,
    effect: &Effect,
    open: &Open,
    unguarded: &[&NameRef],
) -> Option<(Vec<Edit>, String)> {
    let body = effect.body.as_ref()?;
    for t in unguarded {
        let Some(expr) = written_path(file, t) else {
            continue;
        };
        let guard = format!("if (!{expr}) return{}", semicolon(file));
        match t.bound {
            // A token that arrives later must run the effect again, or the
            // guard keeps the socket down for good. A component's script
            // top level is the component's own state (`ref`, `$props()`,
            // a `$store`).
            Bound::Module if !component => {}
            Bound::Component | Bound::Module if body.reruns => {
                let mut edits = vec![top_of(file, body, &guard)?];
                match &effect.deps {
                    Deps::List(span, list) if !covers(list, &t.path) => {
                        edits.push(append_to_array(
                            file,
                            *span,
                            std::slice::from_ref(&expr),
                            false,
                        )?);
                    }
                    Deps::List(..) | Deps::Missing | Deps::Framework => {}
                    Deps::Unknown => return None,
                }
                return Some((edits, guard));
            }
            Bound::Component | Bound::Module => return None,
            Bound::Local if !expr.contains('.') => {
                let decl = body
                    .statements
                    .iter()
                    .find(|(s, names)| s.end <= open.span.start && names.contains(&expr));
                if let Some((decl, _)) = decl
                    && let Some(edit) = after(file, *decl, &guard)
                {
                    return Some((vec![edit], guard));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether a dependency list covers `path` (`auth` covers `auth.token`).
pub(crate) fn covers(list: &[String], path: &str) -> bool {
    list.iter()
        .any(|d| d == path || path.starts_with(&format!("{d}.")))
}

/// The token as written where it is read, when that is a plain path
/// (`token`, `auth.accessToken`, `auth?.accessToken`, `token.value`).
fn written_path(file: &Source, t: &NameRef) -> Option<String> {
    let text = file.text.get(t.span.start..t.span.end)?;
    let ident = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    let plain = text.replace("?.", ".");
    (plain.split('.').all(ident) && plain == t.path).then(|| text.to_string())
}

/// `;` when the module ends its statements with one.
fn semicolon(file: &Source) -> &'static str {
    let ends = file
        .text
        .lines()
        .filter(|l| l.trim_end().ends_with(';'))
        .count();
    if ends > 0 { ";" } else { "" }
}

fn eol(file: &Source) -> &'static str {
    match file.text.find('\n') {
        Some(i) if i > 0 && file.text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The start of the line holding `offset`, and whether only whitespace
/// precedes `offset` on it.
fn line_of(text: &str, offset: usize) -> (usize, bool) {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    (start, text[start..offset].trim().is_empty())
}

/// One level of the module's indentation: a tab, or the fewest spaces
/// any line is indented by (2 when none is).
fn indent_unit(text: &str) -> String {
    if text.lines().any(|l| l.starts_with('\t')) {
        return "\t".into();
    }
    let n = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .filter(|&n| n > 0)
        .min()
        .unwrap_or(2);
    " ".repeat(n.min(8))
}

/// The guard at the top of the effect's body: on a line of its own right
/// after the `{`, at the first statement's indentation (before the
/// statement on a one-line body); an expression body becomes a block
/// that returns it.
fn top_of(file: &Source, body: &EffectBody, guard: &str) -> Option<Edit> {
    let text: &str = &file.text;
    if !body.block {
        let expr = text.get(body.span.start..body.span.end)?;
        if expr.contains('\n') {
            return None;
        }
        let (line, _) = line_of(text, body.span.start);
        let base: String = text[line..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let unit = indent_unit(text);
        let (nl, semi) = (eol(file), semicolon(file));
        return Some(Edit {
            file: file.clone(),
            span: body.span,
            replacement: format!(
                "{{{nl}{base}{unit}{guard}{nl}{base}{unit}return {expr}{semi}{nl}{base}}}"
            ),
        });
    }
    let (first, _) = body.statements.first()?;
    let (line, alone) = line_of(text, first.start);
    let (open_line, _) = line_of(text, body.span.start);
    // Above any comment that leads the body, on the line after the `{`.
    let after_open = text[body.span.start..].find('\n')? + body.span.start + 1;
    let (at, replacement) = if line == open_line {
        (first.start, format!("{guard} "))
    } else if alone && after_open <= line {
        (
            after_open,
            format!("{}{guard}{}", &text[line..first.start], eol(file)),
        )
    } else {
        return None;
    };
    Some(Edit {
        file: file.clone(),
        span: Span::new(at, at),
        replacement,
    })
}

/// The guard right after the statement at `decl`: on the next line at its
/// indentation when it ends its line, else after it on the same line.
fn after(file: &Source, decl: Span, guard: &str) -> Option<Edit> {
    let text: &str = &file.text;
    let (line, alone) = line_of(text, decl.start);
    let line_end = text[decl.end..]
        .find('\n')
        .map_or(text.len(), |i| decl.end + i);
    let rest = text[decl.end..line_end].trim();
    let (at, replacement) = if rest.is_empty() || rest.starts_with("//") {
        if !alone || line_end == text.len() {
            return None;
        }
        (
            line_end + 1,
            format!("{}{guard}{}", &text[line..decl.start], eol(file)),
        )
    } else {
        (decl.end, format!(" {guard}"))
    };
    Some(Edit {
        file: file.clone(),
        span: Span::new(at, at),
        replacement,
    })
}
