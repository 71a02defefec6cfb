//! Insertions into a `.tf` file for fixes: an argument added to a
//! top-level block, on the line after its opening, in the block's
//! indentation and with its `=` aligned as `terraform fmt` aligns the
//! arguments that follow it. Verified by parsing the result: the block
//! then has the argument with that value and nothing else changed.

use super::parse::{Block, Value, parse};
use crate::source::{Source, Span};

/// An insertion (an empty span) into `file`'s text.
pub type Change = (Span, String);

fn eol(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

fn indent(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// `name = number` added to the top-level block whose head is `head`,
/// when the block does not set `name` (not even to `null`).
pub fn add_attribute(file: &Source, head: Span, name: &str, number: u64) -> Option<Change> {
    let text: &str = &file.text;
    let body = parse(text).ok()?;
    let block = body.blocks.iter().find(|b| b.head == head)?;
    if block.attr(name).is_some() {
        return None;
    }
    // The head ends its line with `{`; the block goes on below it.
    let head_end = block.head.end;
    let line_end = text[head_end..].find('\n').map(|i| head_end + i)?;
    // Nothing after the `{` but a line comment.
    let after = text[head_end..line_end].trim();
    let comment = after.starts_with('#') || after.starts_with("//");
    if !(after.is_empty() || comment) || !text[..head_end].trim_end().ends_with('{') {
        return None;
    }
    let at = line_end + 1;
    if at >= block.span.end {
        return None;
    }
    let head_line_start = text[..block.head.start].rfind('\n').map_or(0, |i| i + 1);
    let head_indent = indent(&text[head_line_start..block.head.start]);
    let next = text[at..].lines().next().unwrap_or("");
    let child = if indent(next).len() > head_indent.len() && !next.trim_start().starts_with('}') {
        indent(next).to_string()
    } else {
        format!("{head_indent}  ")
    };
    // `terraform fmt` aligns the `=` of consecutive arguments.
    let pad = match next.trim_start().split_once('=') {
        Some((key, _))
            if indent(next) == child
                && !key.trim().is_empty()
                && key
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && key.len() > name.len() =>
        {
            key.len() - name.len()
        }
        _ => 1,
    };
    let change = (
        Span::new(at, at),
        format!("{child}{name}{}= {number}{}", " ".repeat(pad), eol(text)),
    );
    verified(text, block, &change, name, number).then_some(change)
}

/// Whether the file parses after `change` with `block` holding `name =
/// number` besides what it held.
fn verified(text: &str, block: &Block, change: &Change, name: &str, number: u64) -> bool {
    let (span, with) = change;
    let mut new = text.to_string();
    new.replace_range(span.start..span.end, with);
    let Ok(after) = parse(&new) else {
        return false;
    };
    let Some(b) = after
        .blocks
        .iter()
        .find(|b| b.head.start == block.head.start && b.labels == block.labels)
    else {
        return false;
    };
    let values = |b: &Block| -> Vec<(String, Value)> {
        b.attrs
            .iter()
            .filter(|a| a.name != name)
            .map(|a| (a.name.clone(), a.value.clone()))
            .collect()
    };
    b.attr(name).map(|a| &a.value) == Some(&Value::Number(number as f64))
        && values(b) == values(block)
        && b.blocks.len() == block.blocks.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn add(text: &str, name: &str, n: u64) -> Option<String> {
        let f: Source = Arc::new(SourceFile::new("main.tf".into(), text));
        let body = parse(text).unwrap();
        let (span, with) = add_attribute(&f, body.blocks[0].head, name, n)?;
        let mut out = text.to_string();
        out.replace_range(span.start..span.end, &with);
        Some(out)
    }

    #[test]
    fn the_argument_lands_aligned_in_the_block() {
        let t = "resource \"aws_lb\" \"ws\" {\n  name               = \"ws\"\n  load_balancer_type = \"application\"\n}\n";
        assert_eq!(
            add(t, "idle_timeout", 60).unwrap(),
            "resource \"aws_lb\" \"ws\" {\n  idle_timeout       = 60\n  name               = \"ws\"\n  load_balancer_type = \"application\"\n}\n"
        );
        let t = "resource \"google_compute_backend_service\" \"ws\" {\r\n\tname = \"ws\"\r\n}\r\n";
        assert_eq!(
            add(t, "timeout_sec", 3600).unwrap(),
            "resource \"google_compute_backend_service\" \"ws\" {\r\n\ttimeout_sec = 3600\r\n\tname = \"ws\"\r\n}\r\n"
        );
    }

    #[test]
    fn a_block_that_sets_it_or_opens_on_one_line_gets_nothing() {
        let t = "resource \"aws_lb\" \"ws\" {\n  idle_timeout = null\n}\n";
        assert_eq!(add(t, "idle_timeout", 60), None);
        let t = "resource \"aws_lb\" \"ws\" { name = \"ws\" }\n";
        assert_eq!(add(t, "idle_timeout", 60), None);
    }
}
