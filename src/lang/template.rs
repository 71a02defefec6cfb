//! Template tags in configuration files that a tool fills in before the
//! proxy reads them: Jinja/Ansible/Salt and Liquid (`{{ }}`, `{% %}`,
//! `{# #}`), Go templates and Handlebars (`{{ .Value }}`, `{{ if }}`,
//! `{{ end }}`, `{{/* */}}`, `{{#if}}`), ERB/EPP (`<%= %>`, `<% %>`), and,
//! in envsubst templates, `${VAR}`.
//!
//! A tag is a **placeholder** (it stands for a value: the word holding it
//! is unknown, never guessed) or a **statement** (control flow or a
//! comment: it is not part of the configuration's syntax and is skipped).

/// What a tag at some position is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// A value; the tag ends at the byte offset.
    Placeholder(usize),
    /// Control flow or a comment; the tag ends at the byte offset.
    Statement(usize),
}

/// Words that start a Go template or Handlebars action that is control
/// flow, not a value.
const GO_KEYWORDS: &[&str] = &[
    "if", "else", "end", "range", "with", "define", "block", "template", "break", "continue",
];

/// The tag starting at `at` in `b`, if any. `envsubst`: `${VAR}` is a
/// placeholder (in an nginx file it is otherwise a variable of nginx's).
pub fn tag_at(b: &[u8], at: usize, envsubst: bool) -> Option<Tag> {
    let rest = &b[at..];
    let find = |from: usize, close: &[u8]| {
        memchr::memmem::find(&b[from.min(b.len())..], close)
            .map_or(b.len(), |i| from + i + close.len())
    };
    if rest.starts_with(b"{%") {
        return Some(Tag::Statement(find(at + 2, b"%}")));
    }
    if rest.starts_with(b"{#") {
        return Some(Tag::Statement(find(at + 2, b"#}")));
    }
    if rest.starts_with(b"{{") {
        let end = find(at + 2, b"}}");
        let inner = &b[at + 2..end.saturating_sub(2).max(at + 2)];
        let inner = std::str::from_utf8(inner).unwrap_or("");
        let body = inner.trim_start_matches(['-', '~']).trim_start();
        let word: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let statement = body.starts_with("/*")
            || body.starts_with(['#', '/', '^', '!'])
            || GO_KEYWORDS.contains(&word.as_str())
            // `{{ $x := ... }}`, `{{- $x = ... }}`: an assignment.
            || (body.starts_with('$') && (body.contains(":=") || body.contains(" = ")));
        return Some(if statement {
            Tag::Statement(end)
        } else {
            Tag::Placeholder(end)
        });
    }
    if rest.starts_with(b"<%=") || rest.starts_with(b"<%-=") {
        return Some(Tag::Placeholder(find(at + 3, b"%>")));
    }
    if rest.starts_with(b"<%") {
        return Some(Tag::Statement(find(at + 2, b"%>")));
    }
    if envsubst && rest.starts_with(b"${") {
        return Some(Tag::Placeholder(find(at + 2, b"}")));
    }
    None
}

/// `text` with every tag blanked out, for telling a file's product by its
/// content: a placeholder becomes `x` (it stands for a word), a statement
/// spaces; line breaks are kept.
pub fn blank(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    if !text.contains("{{") && !text.contains("{%") && !text.contains("<%") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match tag_at(b, i, false) {
            Some(Tag::Placeholder(end)) => {
                out.push(b'x');
                out.extend(b[i..end].iter().filter(|&&c| c == b'\n'));
                i = end;
            }
            Some(Tag::Statement(end)) => {
                out.extend(
                    b[i..end]
                        .iter()
                        .map(|&c| if c == b'\n' { b'\n' } else { b' ' }),
                );
                i = end;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Whether `text` holds template statements (its block structure is then
/// the template engine's business).
pub fn has_statements(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(off) = memchr::memchr2(b'{', b'<', &b[i..]) {
        let at = i + off;
        if let Some(Tag::Statement(_)) = tag_at(b, at, false) {
            return true;
        }
        i = at + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str) -> Option<Tag> {
        tag_at(s.as_bytes(), 0, false)
    }

    #[test]
    fn placeholders_and_statements() {
        assert_eq!(tag("{{ ws_timeout }};"), Some(Tag::Placeholder(16)));
        assert_eq!(
            tag("{{ .Env.X | default \"1\" }}"),
            Some(Tag::Placeholder(26))
        );
        assert!(matches!(tag("{{ if .Env.X }}"), Some(Tag::Statement(_))));
        assert!(matches!(tag("{{- end }}"), Some(Tag::Statement(_))));
        assert!(matches!(tag("{{ $v := .Env.X }}"), Some(Tag::Statement(_))));
        assert!(matches!(tag("{{/* note */}}"), Some(Tag::Statement(_))));
        assert!(matches!(tag("{{#if ws}}"), Some(Tag::Statement(_))));
        assert!(matches!(tag("{% if ssl %}"), Some(Tag::Statement(_))));
        assert!(matches!(tag("<% if @ssl %>"), Some(Tag::Statement(_))));
        assert!(matches!(tag("<%= @port %>"), Some(Tag::Placeholder(_))));
        assert_eq!(tag("${X}"), None);
        assert_eq!(tag_at(b"${X}", 0, true), Some(Tag::Placeholder(4)));
        assert!(has_statements("a\n{{ end }}\n"));
        assert_eq!(
            blank("listen {{ port }};\n{% if x %}\nroot /a;"),
            "listen x;\n          \nroot /a;"
        );
        assert!(!has_statements("a {{ x }};\n"));
    }
}
