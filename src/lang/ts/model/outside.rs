//! Sockets opened outside React effects (module load, a class field or
//! constructor, a store action, a method or function) with a token read at
//! that moment from somewhere it may be missing: `localStorage` /
//! `sessionStorage`, a store getter (`store.getState()...`, zustand's
//! `get()`), a cookie helper. What WS105 reads for them.

use crate::lang::kind::Kind;
use tree_sitter::Node;

use super::{Module, mentioned, span};
use crate::lang::ts::index::{
    BindKind, NodeExt, is_function, string_content, unwrap, visit_bounded,
};
use crate::lang::ts::{Bound, Effect, Moment, NameRef, Open, OutsideOpen, SocketKind, TokenSource};
use crate::source::Span;
use crate::values::member_path;

/// Calls whose callback is a store: its functions are store actions.
const STORE_FACTORIES: &[&str] = &[
    "create",
    "createStore",
    "defineStore",
    "createSlice",
    "createAsyncThunk",
    "createModel",
    "makeAutoObservable",
];

pub(super) fn outside_opens(m: &Module<'_, '_, '_>, effects: &[Effect]) -> Vec<OutsideOpen> {
    let mut out = Vec::new();
    for site in &m.sites {
        if matches!(site.kind, SocketKind::ReactUseWebSocket) {
            continue;
        }
        // Opened by an effect (directly or through what it calls): WS105's
        // effect check reads it.
        if effects
            .iter()
            .any(|e| e.opens.iter().any(|o| o.span == site.head))
        {
            continue;
        }
        let Some(args) = site.node.f("arguments") else {
            continue;
        };
        let mut reads = Vec::new();
        token_reads(m, args, &mut Vec::new(), &mut reads, 0);
        if reads.is_empty() {
            continue;
        }
        let Some(moment) = moment(m, site.node, site.func) else {
            continue;
        };
        let mut guarded_by = Vec::new();
        for cond in conditions_on_the_way(site.node) {
            mentioned(m, cond, &mut guarded_by, 0);
            // Members of what no path names: `get().isAuthenticated`,
            // `store.getState().auth.token`.
            visit_bounded(cond, 256, |x| {
                if x.k() == "property_identifier" {
                    guarded_by.push(m.text(x).to_string());
                }
                !is_function(x.k())
            });
        }
        for (source, refs) in reads {
            out.push(OutsideOpen {
                open: Open {
                    span: site.head,
                    refs,
                    guarded_by: guarded_by.clone(),
                    via: None,
                },
                moment: moment.clone(),
                source,
            });
        }
    }
    out
}

/// Token reads written inline in the arguments of a socket an effect opens
/// (`new WebSocket(`${URL}?token=${localStorage.getItem("token")}`)`):
/// the effect's check reads them as it reads named tokens.
pub(super) fn add_effect_reads(m: &Module<'_, '_, '_>, effects: &mut [Effect]) {
    for e in effects.iter_mut() {
        for open in &mut e.opens {
            let Some(site) = m.sites.iter().find(|s| s.head == open.span) else {
                continue;
            };
            let Some(args) = site.node.f("arguments") else {
                continue;
            };
            let mut reads = Vec::new();
            token_reads(m, args, &mut Vec::new(), &mut reads, 0);
            for (_, refs) in reads {
                for r in refs {
                    if !open.refs.iter().any(|o| o.path == r.path) {
                        open.refs.push(r);
                    }
                }
            }
        }
    }
}

/// When the socket's arguments are evaluated.
fn moment(m: &Module<'_, '_, '_>, node: Node<'_>, func: Option<super::FnId>) -> Option<Moment> {
    let Some(f) = func else {
        // A class field's initializer runs when the object is created.
        let mut p = node.parent();
        while let Some(n) = p {
            if matches!(n.k(), "public_field_definition" | "field_definition") {
                return Some(Moment::ClassField);
            }
            p = n.parent();
        }
        if m.in_instance_script(node.start_byte()) {
            return Some(Moment::ComponentSetup);
        }
        return Some(Moment::ModuleLoad);
    };
    let info = &m.ix.functions[f];
    let fnode = info.node;
    let name = info.name.or_else(|| m.ix.fn_name(fnode)).unwrap_or("");
    if fnode.k() == "method_definition" && name == "constructor" {
        return Some(Moment::Constructor);
    }
    // A function inside a store factory's callback (`create((set, get) =>
    // ({ connect() { ... } }))`, `defineStore("ws", { actions: { ... } })`).
    let mut p = fnode.parent();
    while let Some(n) = p {
        if n.k() == "call_expression"
            && m.ix
                .call_name(n)
                .is_some_and(|c| STORE_FACTORIES.contains(&c))
        {
            return Some(Moment::StoreAction(name.to_string()));
        }
        p = n.parent();
    }
    // A React component or hook that opens a socket while it renders, or a
    // function of any kind: when it runs.
    if name.is_empty() {
        return None;
    }
    Some(Moment::Function(name.to_string()))
}

/// The token reads among the names an expression is made of, following
/// local constants (`const token = localStorage.getItem("token")`). Each
/// read comes with the names it goes by: the storage key or member it is
/// read as, and the constants it is bound to on the way.
fn token_reads<'t>(
    m: &Module<'_, '_, 't>,
    n: Node<'t>,
    via: &mut Vec<(String, Span)>,
    out: &mut Vec<(TokenSource, Vec<NameRef>)>,
    depth: u32,
) {
    if depth > 4 {
        return;
    }
    visit_bounded(n, 512, |x| {
        let x = unwrap(x);
        if let Some((source, name)) = read_of(m, x) {
            let mut refs = vec![name_ref(name, span(x))];
            refs.extend(via.iter().map(|(v, s)| name_ref(v.clone(), *s)));
            out.push((source, refs));
            return false;
        }
        if x.k() == "identifier" {
            let t = m.text(x);
            if let Some(b) = m.ix.lookup(t, x.start_byte())
                && matches!(b.kind, BindKind::Const | BindKind::Let | BindKind::Var)
                && m.ix.is_constant(b)
                && let Some(v) = b.value
                && !is_function(unwrap(v).k())
                && v.id() != n.id()
            {
                via.push((t.to_string(), span(x)));
                token_reads(m, v, via, out, depth + 1);
                via.pop();
            }
            return false;
        }
        !is_function(x.k())
    });
}

fn name_ref(name: String, span: Span) -> NameRef {
    NameRef {
        path: name.clone(),
        name,
        span,
        bound: Bound::Local,
        non_null: false,
    }
}

/// Whether `x` reads a value that may be missing, and the name it reads.
fn read_of(m: &Module<'_, '_, '_>, x: Node<'_>) -> Option<(TokenSource, String)> {
    match x.k() {
        // `localStorage.getItem("token")`, `Cookies.get("jwt")`,
        // `getCookie("token")`.
        "call_expression" => {
            let callee = unwrap(x.f("function")?);
            let key = x
                .f("arguments")
                .and_then(|a| a.named_child(0))
                .and_then(|a| string_content(unwrap(a), m.ix.src));
            let path = member_path(callee, m.ix.src, &crate::values::TYPESCRIPT)?;
            let last = path.last()?.as_str();
            let object = path.len().checked_sub(2).map(|i| path[i].as_str());
            if last == "getItem" && object.is_some_and(is_storage) {
                return Some((
                    TokenSource::Storage(object?.to_string()),
                    key.unwrap_or_default(),
                ));
            }
            let cookie_object = object.is_some_and(|o| {
                let o = o.to_ascii_lowercase();
                o == "cookies" || o == "cookie" || o == "jscookie" || o == "cookiestore"
            });
            if (last == "get" && cookie_object)
                || (path.len() == 1
                    && matches!(last, "getCookie" | "readCookie" | "getCookieValue"))
            {
                return Some((TokenSource::Cookie, key.unwrap_or_default()));
            }
            None
        }
        // `localStorage.token`, `store.getState().auth.token`,
        // `get().accessToken` (zustand), `localStorage["token"]`.
        "member_expression" | "subscript_expression" => {
            let name = match x.k() {
                "member_expression" => m.text(x.f("property")?).to_string(),
                _ => string_content(unwrap(x.f("index")?), m.ix.src)?,
            };
            let object = unwrap(x.f("object")?);
            if object.k() == "identifier" && is_storage(m.text(object)) {
                return Some((TokenSource::Storage(m.text(object).to_string()), name));
            }
            if object.k() == "member_expression"
                && object.f("property").is_some_and(|p| is_storage(m.text(p)))
            {
                let p = m.text(object.f("property")?).to_string();
                return Some((TokenSource::Storage(p), name));
            }
            if from_store(m, object) {
                return Some((TokenSource::Store, name));
            }
            None
        }
        _ => None,
    }
}

fn is_storage(name: &str) -> bool {
    matches!(name, "localStorage" | "sessionStorage")
}

/// Whether a member chain starts at a store getter: `X.getState()` or
/// zustand's `get()` (a parameter of the store's callback).
fn from_store(m: &Module<'_, '_, '_>, mut n: Node<'_>) -> bool {
    for _ in 0..8 {
        n = unwrap(n);
        match n.k() {
            "member_expression" | "subscript_expression" => match n.f("object") {
                Some(o) => n = o,
                None => return false,
            },
            "call_expression" => {
                let Some(callee) = n.f("function").map(unwrap) else {
                    return false;
                };
                return match callee.k() {
                    "member_expression" => callee
                        .f("property")
                        .is_some_and(|p| m.text(p) == "getState"),
                    "identifier" => {
                        m.text(callee) == "get"
                            && m.ix
                                .lookup("get", callee.start_byte())
                                .is_some_and(|b| b.kind == BindKind::Param)
                    }
                    _ => false,
                };
            }
            _ => return false,
        }
    }
    false
}

/// The conditions that must hold for `node` to run, from its enclosing
/// function (or the module) down: `if (c) { .. }` around it, `c ? .. : ..`,
/// `c && ..`, and early exits before it in an enclosing block (`if (!c)
/// return;`, `if (!c) throw ...`).
fn conditions_on_the_way(node: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut child = node;
    while let Some(parent) = child.parent() {
        match parent.k() {
            "if_statement" => {
                if parent.f("condition").map(|c| c.id()) != Some(child.id())
                    && let Some(c) = parent.f("condition")
                {
                    out.push(c);
                }
            }
            "ternary_expression" => {
                if parent.f("condition").map(|c| c.id()) != Some(child.id())
                    && let Some(c) = parent.f("condition")
                {
                    out.push(c);
                }
            }
            "binary_expression" => {
                let op = parent.f("operator").map(|o| o.k());
                if matches!(op, Some("&&" | "||"))
                    && parent.f("right").map(|r| r.id()) == Some(child.id())
                    && let Some(l) = parent.f("left")
                {
                    out.push(l);
                }
            }
            "statement_block" | "program" | "class_body" => {
                let mut c = parent.walk();
                for s in parent.named_children(&mut c) {
                    if s.start_byte() >= child.start_byte() {
                        break;
                    }
                    if s.k() == "if_statement"
                        && s.f("consequence").is_some_and(exits)
                        && let Some(cond) = s.f("condition")
                    {
                        out.push(cond);
                    }
                }
            }
            _ => {}
        }
        if is_function(parent.k()) {
            break;
        }
        child = parent;
    }
    out
}

/// Whether a statement leaves the block: `return`, `throw`, or a block
/// that ends with one.
fn exits(s: Node<'_>) -> bool {
    exits_within(s, 0)
}

fn exits_within(s: Node<'_>, depth: u32) -> bool {
    if depth > 32 {
        return false;
    }
    match s.k() {
        "return_statement" | "throw_statement" | "continue_statement" | "break_statement" => true,
        "statement_block" | "else_clause" => {
            let mut c = s.walk();
            let last = s
                .named_children(&mut c)
                .filter(|n| n.k() != "comment")
                .last();
            last.is_some_and(|l| exits_within(l, depth + 1))
        }
        _ => false,
    }
}
