//! Edits behind the client rules' fixes that are more than a value:
//! items appended to an array literal (a dependency array, a terminal
//! close-code set).

use crate::diagnostic::Edit;
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
