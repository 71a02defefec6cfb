//! Which sockets the module keeps for as long as it runs: it stores the
//! socket for the component's or the object's lifetime, sends it a
//! heartbeat, or keeps state from its messages, and does not hand it to
//! anyone else. A close that such a socket's handlers neither report nor
//! recover from ends it without a word (WS108), whatever the code.

use tree_sitter::Node;

use super::{Module, Registration, span};
use crate::lang::ts::index::{BindKind, NodeExt, is_function, unwrap, visit_bounded};
use crate::lang::ts::{Kept, SocketKind, SocketLife};

pub(super) fn lifetimes(m: &Module<'_, '_, '_>, regs: &[Registration<'_>]) -> Vec<SocketLife> {
    let mut out = Vec::new();
    for (i, site) in m.sites.iter().enumerate() {
        if !matches!(site.kind, SocketKind::Browser | SocketKind::Node) {
            continue;
        }
        if handed_out(m, site.node, site.binding.as_deref()) {
            continue;
        }
        let Some(kept) = kept(m, i, site.node, site.binding.as_deref(), regs) else {
            continue;
        };
        if close_shows_in_page(m, i, regs) {
            continue;
        }
        out.push(SocketLife { socket: i, kept });
    }
    out
}

/// Why the module keeps the socket, if it does.
fn kept(
    m: &Module<'_, '_, '_>,
    i: usize,
    node: Node<'_>,
    binding: Option<&str>,
    regs: &[Registration<'_>],
) -> Option<Kept> {
    let binding = binding?;
    // A heartbeat: `setInterval(() => ws.send(...), ...)`.
    let sends: Vec<String> = [".send(", "?.send(", ".ping("]
        .iter()
        .map(|s| format!("{binding}{s}"))
        .collect();
    for c in &m.ix.calls {
        if !matches!(c.name, Some("setInterval")) {
            continue;
        }
        let Some(cb) = c.node.f("arguments").and_then(|a| a.named_child(0)) else {
            continue;
        };
        let text = m.text(cb);
        if sends.iter().any(|s| text.contains(s.as_str())) {
            return Some(Kept::Heartbeat(span(c.node)));
        }
    }
    // Stored for the object's or the component's lifetime.
    if binding.starts_with("this.") || binding.ends_with(".current") {
        return Some(Kept::Stored(binding.to_string()));
    }
    if !binding.contains('.')
        && let Some(b) = m.ix.lookup(binding, node.start_byte())
        && matches!(b.kind, BindKind::Let | BindKind::Var)
        && m.ix.fn_at(b.name_node.start_byte()).is_none()
    {
        return Some(Kept::Stored(binding.to_string()));
    }
    // `setSocket(ws)`: React state, kept while the component lives.
    for c in &m.ix.calls {
        if let Some(name) = c.name
            && is_state_setter(name)
            && let Some(a) = c.node.f("arguments").and_then(|a| a.named_child(0))
            && m.text(a) == binding
        {
            return Some(Kept::Stored(format!("{name}({binding})")));
        }
    }
    // State kept from its messages, by a handler that does not close it
    // (a one-shot request closes the socket once it has its answer).
    regs.iter()
        .filter(|r| r.event == "message" && r.site == Some(i))
        .find(|r| !closes(m, r, binding) && keeps_state(m, r))
        .map(|r| Kept::Messages(r.at))
}

/// Whether the close path writes to the page (`status.textContent =
/// "Offline"`, `el.style.opacity = ...`, `classList.add(...)`, `alert(...)`),
/// in its handlers or the module functions they run: the user sees that
/// the connection ended.
fn close_shows_in_page(m: &Module<'_, '_, '_>, i: usize, regs: &[Registration<'_>]) -> bool {
    let roots = regs
        .iter()
        .filter(|r| r.event == "close" && r.site.is_none_or(|s| s == i))
        .map(|r| r.func);
    m.graph.reach(roots).into_iter().any(|f| {
        let Some(body) = m.ix.functions[f].node.f("body") else {
            return false;
        };
        let mut found = false;
        visit_bounded(body, 4096, |x| {
            match x.kind() {
                "assignment_expression" => {
                    let left = x.f("left").map(|l| m.text(l)).unwrap_or("");
                    found |= [
                        ".innerText",
                        ".textContent",
                        ".innerHTML",
                        ".style.",
                        ".className",
                        ".hidden",
                    ]
                    .iter()
                    .any(|p| left.contains(p));
                }
                "call_expression" => {
                    let callee = x.f("function").map(|c| m.text(c)).unwrap_or("");
                    found |= callee.contains(".classList.")
                        || matches!(callee, "alert" | "window.alert");
                }
                _ => {}
            }
            !found && !is_function(x.kind())
        });
        found
    })
}

/// Whether a message handler does more than log: a call other than
/// `console.*`/`JSON.*`, or an assignment.
fn keeps_state(m: &Module<'_, '_, '_>, r: &Registration<'_>) -> bool {
    let f = m.ix.functions[r.func].node;
    let Some(body) = f.f("body") else {
        return false;
    };
    let mut found = false;
    visit_bounded(body, 4096, |x| {
        match x.kind() {
            "assignment_expression" | "augmented_assignment_expression" | "update_expression" => {
                found = true;
            }
            "call_expression" => {
                let callee = x.f("function").map(|c| m.text(c)).unwrap_or("");
                if !(callee.starts_with("console.") || callee.starts_with("JSON.")) {
                    found = true;
                }
            }
            _ => {}
        }
        !found
    });
    found
}

fn closes(m: &Module<'_, '_, '_>, r: &Registration<'_>, binding: &str) -> bool {
    let f = m.ix.functions[r.func].node;
    let text = m.text(f);
    text.contains(&format!("{binding}.close(")) || text.contains(&format!("{binding}?.close("))
}

/// Whether the socket goes to someone else, who then owns its ends: it is
/// returned, exported, resolved, or passed to a call other than a state
/// setter of the module (`setSocket(ws)` keeps it).
fn handed_out(m: &Module<'_, '_, '_>, node: Node<'_>, binding: Option<&str>) -> bool {
    // `return new WebSocket(...)`, `() => new WebSocket(...)`,
    // `resolve(new WebSocket(...))`.
    let mut n = node;
    while let Some(p) = n.parent() {
        match p.kind() {
            "parenthesized_expression" | "as_expression" | "non_null_expression" => n = p,
            "return_statement" | "arguments" => return true,
            k if is_function(k) => return true,
            _ => break,
        }
    }
    let Some(binding) = binding else {
        return false;
    };
    if m.ix.exports.iter().any(|(_, local)| local == binding) {
        return true;
    }
    // Returned under a path it is copied to (`wsRef.current = ws; ...
    // return wsRef.current`), or as a property of what is returned.
    let mut aliases = vec![binding.to_string()];
    for a in &m.ix.assignments {
        if let (Some(l), Some(r)) = (a.node.f("left"), a.node.f("right"))
            && m.text(r) == binding
        {
            aliases.push(m.text(l).to_string());
        }
    }
    let returned = |x: Node<'_>| {
        let t = m.text(unwrap(x));
        aliases.iter().any(|a| a == t)
    };
    // Within the outermost function around the socket (the hook or the
    // class), else the module.
    let mut outer = None;
    let mut program = node;
    let mut p = node.parent();
    while let Some(n) = p {
        if is_function(n.kind()) || n.kind() == "class_body" {
            outer = Some(n);
        }
        program = n;
        p = n.parent();
    }
    let root = outer.unwrap_or(program);
    let mut by_return = false;
    visit_bounded(root, 200_000, |x| {
        if by_return {
            return false;
        }
        if x.kind() == "return_statement"
            && let Some(v) = x.named_child(0).map(unwrap)
        {
            by_return = returned(v)
                || (v.kind() == "object"
                    && v.named_children(&mut v.walk()).any(|p| match p.kind() {
                        "pair" => p.f("value").is_some_and(returned),
                        "shorthand_property_identifier" => aliases.iter().any(|a| a == m.text(p)),
                        _ => false,
                    }));
            return false;
        }
        true
    });
    if by_return {
        return true;
    }
    if binding.contains('.') {
        return false;
    }
    // Uses of a local name: in a return, or as an argument.
    let scope =
        m.ix.lookup(binding, node.start_byte())
            .map_or((0, usize::MAX), |b| b.scope);
    // The smallest node holding the name's scope (its block, for a local).
    let root = {
        let mut r = node;
        while (r.start_byte() > scope.0 || r.end_byte() < scope.1)
            && let Some(p) = r.parent()
        {
            r = p;
        }
        r
    };
    let mut out = false;
    visit_bounded(root, 200_000, |x| {
        if out || x.end_byte() <= scope.0 || x.start_byte() >= scope.1 {
            return false;
        }
        if x.kind() != "identifier" || m.text(x) != binding {
            return true;
        }
        let mut c = x;
        while let Some(p) = c.parent() {
            match p.kind() {
                "parenthesized_expression" | "as_expression" | "non_null_expression" => c = p,
                "return_statement" => {
                    out = true;
                    break;
                }
                "arguments" => {
                    let setter = p
                        .parent()
                        .and_then(|call| m.ix.call_name(call))
                        .is_some_and(is_state_setter);
                    out |= !setter;
                    break;
                }
                "arrow_function" if p.f("body").map(|b| b.id()) == Some(c.id()) => {
                    out = true;
                    break;
                }
                _ => break,
            }
        }
        false
    });
    out
}

/// `setSocket`, `setWs`: a React state setter.
fn is_state_setter(name: &str) -> bool {
    name.strip_prefix("set")
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c.is_ascii_uppercase())
}
