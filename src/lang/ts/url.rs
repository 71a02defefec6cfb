//! The path of a socket URL, as far as it resolves statically: string
//! literals, template literals and `+` concatenations of them, constants
//! of the module (and imported ones that resolve to strings), and `new
//! URL(path, base)`. Unknown parts become `*`; a leading unknown part is
//! taken as the origin (`${WS_BASE}/ws/jobs/${id}` is `/ws/jobs/*`).

use crate::lang::kind::Kind;
use tree_sitter::Node;

use super::index::Index;
use super::scope::ModuleScope;
use crate::values::Value;

/// How deep constants are followed.
const MAX_DEPTH: u32 = 8;

/// The URL path of a socket opened with `arg` as its URL, if it resolves
/// to one that names more than the root, and whether it is anchored (the
/// origin is known to end where the path starts: `wss://host/...`, `/...`,
/// `${proto}//${host}/...`) rather than taken to (`${WS_BASE}/...`).
pub fn socket_path(arg: Node<'_>, scope: &ModuleScope<'_, '_>) -> Option<(String, bool)> {
    let text = flatten(arg, scope, 0)?;
    let anchored = !text.starts_with('*') || text.starts_with("*//") || text.starts_with("*://");
    path_of(&text).map(|p| (p, anchored))
}

/// The text of a URL expression, with `*` for what is unknown.
fn flatten(node: Node<'_>, scope: &ModuleScope<'_, '_>, depth: u32) -> Option<String> {
    if depth > MAX_DEPTH {
        return Some("*".into());
    }
    let ix: &Index<'_> = scope.ix;
    let src = ix.src.as_bytes();
    match node.k() {
        "string" => {
            let t = node.utf8_text(src).ok()?;
            Some(
                t.get(1..t.len().saturating_sub(1))
                    .unwrap_or("")
                    .to_string(),
            )
        }
        "template_string" => {
            let mut out = String::new();
            let mut c = node.walk();
            for part in node.children(&mut c) {
                match part.k() {
                    "string_fragment" => out.push_str(part.utf8_text(src).ok()?),
                    "template_substitution" => {
                        let inner = part.named_child(0);
                        let v = inner.and_then(|n| flatten(n, scope, depth + 1));
                        out.push_str(v.as_deref().unwrap_or("*"));
                    }
                    _ => {}
                }
            }
            Some(out)
        }
        "binary_expression" => {
            let op = node.field("operator")?.utf8_text(src).ok()?;
            let l = node.field("left")?;
            let r = node.field("right")?;
            // `ENV_URL ?? \`wss://${host}/ws\``: what the module falls back to
            // is the URL it writes down.
            if op == "??" || op == "||" {
                return match flatten(l, scope, depth + 1) {
                    Some(t) if t != "*" => Some(t),
                    _ => flatten(r, scope, depth + 1),
                };
            }
            if op != "+" {
                return Some("*".into());
            }
            Some(format!(
                "{}{}",
                flatten(l, scope, depth + 1).unwrap_or_else(|| "*".into()),
                flatten(r, scope, depth + 1).unwrap_or_else(|| "*".into())
            ))
        }
        "parenthesized_expression" | "as_expression" | "non_null_expression" => {
            flatten(node.named_child(0)?, scope, depth + 1)
        }
        "new_expression" => {
            // `new URL(path, base)`: the path, resolved against an origin.
            let ctor = node.field("constructor")?;
            if ctor.utf8_text(src).ok()? != "URL" {
                return Some("*".into());
            }
            let args = node.field("arguments")?;
            let first = args.named_child(0)?;
            let p = flatten(first, scope, depth + 1)?;
            if p.starts_with('/') {
                Some(format!("*{p}"))
            } else {
                Some(p)
            }
        }
        "identifier" => {
            if let Value::Str(s) = scope.value(node).value {
                return Some(s);
            }
            let name = node.utf8_text(src).ok()?;
            let b = ix.lookup(name, node.start_byte())?;
            if !ix.is_constant(b) {
                return Some("*".into());
            }
            match b.value {
                Some(v) => flatten(v, scope, depth + 1),
                None => Some("*".into()),
            }
        }
        _ => match scope.value(node).value {
            Value::Str(s) => Some(s),
            _ => Some("*".into()),
        },
    }
}

/// The path of a URL text: after `scheme://host`, or after a leading
/// unknown origin; `None` when no path is known beyond `/`.
pub fn path_of(url: &str) -> Option<String> {
    let mut rest = url.trim();
    if let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        rest = after.find('/').map_or("", |j| &after[j..]);
    } else if let Some(r) = rest.strip_prefix('*') {
        rest = r;
        // `${protocol}//${host}/ws`: an authority follows.
        if let Some(auth) = rest.strip_prefix("//") {
            rest = auth.find('/').map_or("", |j| &auth[j..]);
        }
        // `${host}:8000/ws`: a port.
        if let Some(port) = rest.strip_prefix(':') {
            rest = port.find('/').map_or("", |j| &port[j..]);
        }
    }
    if !rest.starts_with('/') {
        return None;
    }
    let path = rest.split(['?', '#']).next().unwrap_or("");
    // Only the root, or nothing known past it: every path would match.
    if path.trim_matches(['/', '*']).is_empty() {
        return None;
    }
    Some(path.to_string())
}

#[cfg(test)]
mod tests {
    use super::path_of;

    #[test]
    fn paths_of_urls() {
        assert_eq!(path_of("wss://h/ws/jobs").as_deref(), Some("/ws/jobs"));
        assert_eq!(path_of("*/ws/jobs/*").as_deref(), Some("/ws/jobs/*"));
        assert_eq!(path_of("*//*/ws?token=*").as_deref(), Some("/ws"));
        assert_eq!(path_of("ws://*:8000/live").as_deref(), Some("/live"));
        assert_eq!(path_of("/ws").as_deref(), Some("/ws"));
        assert_eq!(path_of("*"), None);
        assert_eq!(path_of("wss://h/"), None);
        assert_eq!(path_of("*/*"), None);
        assert_eq!(path_of("ws"), None);
    }
}
