//! Which sockets the module keeps for as long as it runs: it stores the
//! socket for the component's or the object's lifetime, sends it a
//! heartbeat, or keeps state from its messages, and does not hand it to
//! anyone else. A close that such a socket's handlers neither report nor
//! recover from ends it without a word (WS108), whatever the code.

use crate::lang::kind::Kind;
use tree_sitter::Node;

use super::{Module, Registration, span};
use crate::lang::ts::index::{BindKind, NodeExt, is_function, unwrap, visit_bounded};
use crate::lang::ts::{Kept, SocketKind, SocketLife};
use crate::source::Span;

pub(super) fn lifetimes(m: &Module<'_, '_, '_>, regs: &[Registration<'_>]) -> Vec<SocketLife> {
    let mut out = Vec::new();
    let Some(first) = m.sites.first() else {
        return out;
    };
    let uses = Uses::collect(m, {
        let mut r = first.node;
        while let Some(p) = r.parent() {
            r = p;
        }
        r
    });
    let mut writes_page = std::collections::HashMap::new();
    for (i, site) in m.sites.iter().enumerate() {
        if !matches!(site.kind, SocketKind::Browser | SocketKind::Node) {
            continue;
        }
        // Returned to the module itself, which keeps it
        // (`this.websocket = this.connect()`).
        let kept = match kept_by_caller(m, &uses, site.func) {
            Some(path) => Kept::Stored(path.to_string()),
            None => {
                if handed_out(m, &uses, site.node, site.binding.as_deref()) {
                    continue;
                }
                let Some(k) = kept(m, &uses, i, site.node, site.binding.as_deref(), regs) else {
                    continue;
                };
                k
            }
        };
        if close_shows_in_page(m, i, regs, &mut writes_page) {
            continue;
        }
        out.push(SocketLife { socket: i, kept });
    }
    out
}

/// Where the module stores what the function opening the socket returns:
/// `this.websocket = this.connect()`, `wsRef.current = open()`, a module
/// variable. Only for a function whose `return`s hand the socket back.
fn kept_by_caller<'t>(
    m: &Module<'_, '_, 't>,
    uses: &Uses<'t>,
    func: Option<super::FnId>,
) -> Option<&'t str> {
    let f = func?;
    let info = &m.ix.functions[f];
    let name = info.name.or_else(|| m.ix.fn_name(info.node))?;
    let (own, this_own) = (format!("{name}("), format!("this.{name}("));
    uses.copies
        .iter()
        .find(|(l, r)| {
            (r.starts_with(&own) || r.starts_with(&this_own))
                && (l.starts_with("this.")
                    || l.ends_with(".current")
                    || (!l.contains('.')
                        && m.ix.lookup(l, 0).is_some_and(|b| {
                            matches!(b.kind, BindKind::Let | BindKind::Var)
                                && m.ix.fn_at(b.name_node.start_byte()).is_none()
                        })))
        })
        .map(|(l, _)| *l)
}

/// Why the module keeps the socket, if it does.
fn kept(
    m: &Module<'_, '_, '_>,
    uses: &Uses<'_>,
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
    if let Some((at, _)) = uses
        .intervals
        .iter()
        .find(|(_, text)| sends.iter().any(|s| text.contains(s.as_str())))
    {
        return Some(Kept::Heartbeat(*at));
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
    // `setSocket(ws)`: React state, kept while the component lives; and
    // a store's or a class component's state (`set({ socket: ws })`,
    // `this.setState({ ws })`).
    if let Some((name, _)) = uses.setters.iter().find(|(_, a)| *a == binding) {
        return Some(Kept::Stored(format!("{name}({binding})")));
    }
    if let Some(name) = uses
        .state_objects
        .iter()
        .find(|(_, held)| held.contains(&binding))
        .map(|(n, _)| *n)
    {
        return Some(Kept::Stored(format!("{name}({{ .. }})")));
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
fn close_shows_in_page(
    m: &Module<'_, '_, '_>,
    i: usize,
    regs: &[Registration<'_>],
    memo: &mut std::collections::HashMap<super::FnId, bool>,
) -> bool {
    let roots = regs
        .iter()
        .filter(|r| r.event == "close" && r.site.is_none_or(|s| s == i))
        .map(|r| r.func);
    m.graph
        .reach(roots)
        .into_iter()
        .any(|f| *memo.entry(f).or_insert_with(|| writes_page(m, f)))
}

/// Whether function `f`'s own body writes to the page.
fn writes_page(m: &Module<'_, '_, '_>, f: super::FnId) -> bool {
    {
        let Some(body) = m.ix.functions[f].node.f("body") else {
            return false;
        };
        let mut found = false;
        visit_bounded(body, 4096, |x| {
            match x.k() {
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
            !found && !is_function(x.k())
        });
        found
    }
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
        match x.k() {
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

/// What the module hands on, collected in one walk: the values of its
/// `return`s (and the members of returned objects), and names passed as
/// arguments (except to a state setter) or returned by an arrow.
struct Uses<'t> {
    /// (position of the `return`, text of a returned value).
    returned: Vec<(usize, &'t str)>,
    /// (position, name) of a name handed to a call or returned by an arrow.
    handed: Vec<(usize, &'t str)>,
    /// (left, right) of every assignment: the paths a value is copied to.
    copies: Vec<(&'t str, &'t str)>,
    /// `setInterval` calls: the call and its callback's text.
    intervals: Vec<(Span, &'t str)>,
    /// State setter calls: the setter and its first argument's text.
    setters: Vec<(&'t str, &'t str)>,
    /// `set({ socket: ws })`, `setState({ ws })`: the call and the values of
    /// its object argument.
    state_objects: Vec<(&'t str, Vec<&'t str>)>,
}

impl<'t> Uses<'t> {
    /// A `return`'s value, and the members of a returned object.
    fn returned_by(&mut self, m: &Module<'_, '_, 't>, x: Node<'t>) {
        let Some(v) = x.named_child(0).map(unwrap) else {
            return;
        };
        let at = x.start_byte();
        self.returned.push((at, m.text(v)));
        if v.k() == "object" {
            let mut c = v.walk();
            for p in v.named_children(&mut c) {
                match p.k() {
                    "pair" => {
                        if let Some(val) = p.f("value") {
                            self.returned.push((at, m.text(unwrap(val))));
                        }
                    }
                    "shorthand_property_identifier" => self.returned.push((at, m.text(p))),
                    _ => {}
                }
            }
        }
    }

    fn collect(m: &Module<'_, '_, 't>, root: Node<'t>) -> Uses<'t> {
        let mut u = Uses {
            returned: Vec::new(),
            handed: Vec::new(),
            copies: Vec::new(),
            intervals: Vec::new(),
            setters: Vec::new(),
            state_objects: Vec::new(),
        };
        for c in &m.ix.calls {
            match c.name {
                Some("setInterval") => {
                    if let Some(cb) = c.node.f("arguments").and_then(|a| a.named_child(0)) {
                        u.intervals.push((span(c.node), m.text(cb)));
                    }
                }
                Some(name @ ("set" | "setState" | "$patch")) => {
                    if let Some(o) = c.node.f("arguments").and_then(|a| a.named_child(0))
                        && unwrap(o).k() == "object"
                    {
                        let o = unwrap(o);
                        let mut cur = o.walk();
                        let held = o
                            .named_children(&mut cur)
                            .filter_map(|p| match p.k() {
                                "pair" => p.f("value").map(|v| m.text(unwrap(v))),
                                "shorthand_property_identifier" => Some(m.text(p)),
                                _ => None,
                            })
                            .collect();
                        u.state_objects.push((name, held));
                    }
                }
                Some(name) if is_state_setter(name) => {
                    if let Some(a) = c.node.f("arguments").and_then(|a| a.named_child(0)) {
                        u.setters.push((name, m.text(a)));
                    }
                }
                _ => {}
            }
        }
        for a in &m.ix.assignments {
            if let (Some(l), Some(r)) = (a.node.f("left"), a.node.f("right")) {
                u.copies.push((m.text(l), m.text(unwrap(r))));
            }
        }
        // Names handed to calls, and arrows that return a name (from the
        // index); returns from one cursor walk of the tree.
        for c in &m.ix.calls {
            if c.name.is_some_and(is_state_setter) {
                continue;
            }
            if let Some(args) = c.node.f("arguments") {
                let mut cur = args.walk();
                for a in args.named_children(&mut cur) {
                    let a = unwrap(a);
                    if a.k() == "identifier" {
                        u.handed.push((a.start_byte(), m.text(a)));
                    }
                }
            }
        }
        for f in &m.ix.functions {
            if f.node.k() == "arrow_function"
                && let Some(b) = f.body.map(unwrap)
                && b.k() == "identifier"
            {
                u.handed.push((b.start_byte(), m.text(b)));
            }
        }
        let mut cur = root.walk();
        'walk: loop {
            let x = cur.node();
            if x.k() == "return_statement" {
                u.returned_by(m, x);
            }
            if cur.goto_first_child() {
                continue;
            }
            while !cur.goto_next_sibling() {
                if !cur.goto_parent() {
                    break 'walk;
                }
            }
        }
        u
    }
}

/// Whether the socket goes to someone else, who then owns its ends: it is
/// returned, exported, resolved, or passed to a call other than a state
/// setter of the module (`setSocket(ws)` keeps it).
fn handed_out(
    m: &Module<'_, '_, '_>,
    uses: &Uses<'_>,
    node: Node<'_>,
    binding: Option<&str>,
) -> bool {
    // `return new WebSocket(...)`, `() => new WebSocket(...)`,
    // `resolve(new WebSocket(...))`; and the outermost function around it
    // (the hook or the class), else the module.
    let mut outer = None;
    let mut program = node;
    let mut direct = true;
    let mut n = node;
    while let Some(p) = n.parent() {
        if direct {
            match p.k() {
                "parenthesized_expression" | "as_expression" | "non_null_expression" => {}
                "return_statement" | "arguments" => return true,
                k if is_function(k) => return true,
                _ => direct = false,
            }
        }
        if is_function(p.k()) || p.k() == "class_body" {
            outer = Some(p);
        }
        program = p;
        n = p;
    }
    let Some(binding) = binding else {
        return false;
    };
    if m.ix.exports.iter().any(|(_, local)| local == binding) {
        return true;
    }
    // Returned under a path it is copied to (`wsRef.current = ws; ...
    // return wsRef.current`), or as a property of what is returned.
    let mut aliases = vec![binding];
    aliases.extend(
        uses.copies
            .iter()
            .filter(|(_, r)| *r == binding)
            .map(|(l, _)| *l),
    );
    let root = outer.unwrap_or(program);
    let (from, to) = (root.start_byte(), root.end_byte());
    if uses
        .returned
        .iter()
        .any(|(at, t)| (from..to).contains(at) && aliases.contains(t))
    {
        return true;
    }
    if binding.contains('.') {
        return false;
    }
    // Uses of a local name in its scope: as an argument, an arrow's value.
    let scope =
        m.ix.lookup(binding, node.start_byte())
            .map_or((0, usize::MAX), |b| b.scope);
    uses.handed
        .iter()
        .any(|(at, t)| *t == binding && scope.0 <= *at && *at < scope.1)
}

/// `setSocket`, `setWs`: a React state setter.
fn is_state_setter(name: &str) -> bool {
    name.strip_prefix("set")
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c.is_ascii_uppercase())
}
