//! Builds a module's [`ClientModel`] from its [`Index`]: socket sites and
//! the paths they are stored under, their handlers and what those do on
//! which close codes, heartbeats, effects, close-code sets, `close(code)`.

use crate::lang::kind::Kind;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::lang::Lang;
use crate::lang::sfc::{Component, Framework};
use crate::source::{Source, Span};
use crate::values::{Resolved, Scope, Value, member_path};

use super::flow::{CallGraph, Cond, Descend, Role, SetTable, Visitor, Walk};
use super::hooks::{self, EffectKind};
use super::index::{BindKind, FnId, Index, NodeExt, is_function, unwrap, visit_bounded};
use super::libs::{self, LibSite};
use super::names;
use super::scope::{ImportResolver, ModuleScope, NoImports, property};
use super::{
    Bound, ClientModel, CloseCall, CloseHandler, CodeCheck, CodeSet, DefinedElsewhere, Deps,
    Effect, EffectBody, Export, Handle, HandlerKind, Heartbeat, HeartbeatKind, Import,
    IntervalFacts, NameRef, Open, Point, SetRole, SocketKind, SocketSite, TerminalEvent, Via,
};

mod library;
mod lifetime;
mod outside;

/// react-use-websocket's `DEFAULT_HEARTBEAT.interval` (4.13.0,
/// `src/lib/constants.ts`).
pub const RUW_DEFAULT_HEARTBEAT_MS: f64 = 25_000.0;

fn span(n: Node<'_>) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}

/// The callee a function returning this socket is passed to: `new
/// WebSocket(...)` as the body or a `return` of a function that is an
/// argument of a call, or the value of a property of an object argument.
fn factory_for(ix: &Index<'_>, site: Node<'_>) -> Option<String> {
    let mut n = site;
    // Up to the function that returns it.
    let func = loop {
        let p = n.parent()?;
        match p.k() {
            "parenthesized_expression" | "as_expression" | "non_null_expression" => n = p,
            "return_statement" => {
                let mut q = p;
                break loop {
                    q = q.parent()?;
                    if is_function(q.k()) {
                        break q;
                    }
                };
            }
            k if is_function(k) => break p,
            _ => return None,
        }
    };
    // `{ createWS: () => ... }` and `{ createWS() { ... } }`.
    let mut holder = func.parent()?;
    if holder.k() == "pair" {
        holder = holder.parent()?;
    }
    if holder.k() == "object" {
        holder = holder.parent()?;
    }
    if holder.k() != "arguments" {
        return None;
    }
    let call = holder.parent()?;
    let callee = call.field("function")?;
    Some(ix.text(callee).to_string())
}

/// A socket site while building.
struct SiteRec<'t> {
    node: Node<'t>,
    head: Span,
    kind: SocketKind,
    binding: Option<String>,
    /// The key of that path ([`Index::path_key`]).
    key: Option<String>,
    func: Option<FnId>,
    /// react-use-websocket / reconnecting-websocket options object.
    options: Option<Node<'t>>,
}

/// What the whole module knows, shared by the passes below.
struct Module<'c, 'a, 't> {
    ix: &'c Index<'t>,
    scope: &'c ModuleScope<'a, 't>,
    sites: Vec<SiteRec<'t>>,
    socket_paths: HashSet<String>,
    /// Local names of react-use-websocket's `sendMessage`/`sendJsonMessage`.
    send_fns: HashSet<&'t str>,
    /// Local names of its `getWebSocket`.
    get_ws_fns: HashSet<&'t str>,
    /// Paths holding a `useWebSocket(...)` result.
    hook_paths: HashSet<String>,
    /// The module imports Node's `ws`.
    node_ws: bool,
    /// Plain copies of one path into another: `rhs` -> every `lhs`.
    copies: HashMap<String, Vec<String>>,
    /// Site index by the path it is stored under.
    site_by_binding: HashMap<String, usize>,
    graph: CallGraph,
    /// A component's scripts whose top level runs once per instance
    /// (Vue's `<script setup>`, Svelte's instance script).
    instance: Vec<std::ops::Range<usize>>,
}

impl<'t> Module<'_, '_, 't> {
    fn text(&self, n: Node<'_>) -> &'t str {
        self.ix.text(n)
    }

    /// Whether `at` is in a component script whose top level runs once per
    /// component instance.
    fn in_instance_script(&self, at: usize) -> bool {
        self.instance.iter().any(|r| r.contains(&at))
    }

    /// The path of an expression as written (`wsRef.current`).
    fn path(&self, n: Node<'_>) -> Option<String> {
        member_path(unwrap(n), self.ix.src, &crate::values::TYPESCRIPT).map(|p| p.join("."))
    }

    /// The path of an expression as the program means it (what its root
    /// name is declared as): for telling paths apart.
    fn key(&self, n: Node<'_>) -> Option<String> {
        self.ix.path_key(n)
    }

    /// Whether an expression is a WebSocket: a path a socket is stored
    /// under, a socket-like name, `getWebSocket()`.
    fn is_socket(&self, n: Node<'_>) -> bool {
        let n = unwrap(n);
        if n.k() == "call_expression" {
            return self
                .ix
                .call_name(n)
                .is_some_and(|c| self.get_ws_fns.contains(c) || c == "getWebSocket");
        }
        self.key(n).is_some_and(|k| self.socket_paths.contains(&k))
            || self.path(n).is_some_and(|p| names::is_socket_name(&p))
    }

    /// The receiver of `receiver.method(...)` when the method is one of
    /// `methods` and the receiver a socket.
    fn socket_call<'n>(
        &self,
        call: Node<'n>,
        name: Option<&str>,
        methods: &[&str],
    ) -> Option<Node<'n>> {
        if !methods.contains(&name?) {
            return None;
        }
        let callee = unwrap(call.f("function")?);
        let obj = callee.f("object")?;
        self.is_socket(obj).then_some(obj)
    }

    /// `x.send(...)`, `x.ping()` on a socket; react-use-websocket's
    /// `sendMessage(...)`.
    fn is_send(&self, call: Node<'_>) -> bool {
        let Some(callee) = call.f("function").map(unwrap) else {
            return false;
        };
        match callee.k() {
            "identifier" => self.send_fns.contains(self.text(callee)),
            "member_expression" => {
                let prop = callee.f("property").map(|p| self.text(p)).unwrap_or("");
                let Some(obj) = callee.f("object") else {
                    return false;
                };
                match prop {
                    "send" | "ping" => self.is_socket(obj),
                    "sendMessage" | "sendJsonMessage" => {
                        self.key(obj).is_some_and(|k| self.hook_paths.contains(&k))
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// What a `new X(...)` constructs, if a socket.
    fn socket_kind(&self, new: Node<'_>) -> Option<SocketKind> {
        self.new_site(new).map(|s| s.kind)
    }

    /// What a `new X(...)` constructs, if a socket, with where its options are.
    fn new_site(&self, new: Node<'_>) -> Option<LibSite> {
        let ctor = unwrap(new.f("constructor")?);
        let plain = |kind| {
            Some(LibSite {
                kind,
                options: 2,
                under: None,
            })
        };
        match ctor.k() {
            "identifier" => {
                let name = self.text(ctor);
                match self.ix.lookup(name, ctor.start_byte()) {
                    Some(_) => {
                        let (module, imported) = self.imported(ctor)?;
                        libs::new_site(&module, &imported)
                    }
                    None => match name {
                        "WebSocket" => plain(SocketKind::Browser),
                        "ReconnectingWebSocket" => plain(SocketKind::Reconnecting),
                        _ => None,
                    },
                }
            }
            "member_expression" => {
                let p = self.path(ctor)?;
                if matches!(
                    p.as_str(),
                    "window.WebSocket" | "globalThis.WebSocket" | "self.WebSocket"
                ) {
                    return plain(SocketKind::Browser);
                }
                // `new Phoenix.Socket(...)` of `import * as Phoenix`.
                let (root, member) = p.split_once('.')?;
                let obj = unwrap(ctor.f("object")?);
                if obj.k() != "identifier" || member.contains('.') {
                    return None;
                }
                let _ = root;
                let (module, imported) = self.imported(obj)?;
                matches!(imported.as_str(), "*" | "default")
                    .then(|| libs::new_site(&module, member))
                    .flatten()
            }
            _ => None,
        }
    }

    /// The import an identifier is bound to: `import`, or `require(...)`
    /// (whole, or destructured: `const { io } = require("socket.io-client")`).
    fn imported(&self, ident: Node<'_>) -> Option<(String, String)> {
        let b = self.ix.lookup(self.text(ident), ident.start_byte())?;
        if let Some(i) = &b.import {
            return Some(i.clone());
        }
        if !self.ix.is_constant(b) {
            return None;
        }
        // `require("x")`, and `await import("x")`.
        let required = |v: Node<'_>| {
            let v = unwrap(v);
            (v.k() == "call_expression"
                && (self.ix.call_name(v) == Some("require")
                    || v.f("function").is_some_and(|f| f.k() == "import")))
            .then(|| {
                let arg = v.f("arguments")?.named_child(0)?;
                super::index::string_content(arg, self.ix.src)
            })
            .flatten()
        };
        match (&b.destructured, b.value) {
            (Some((src, keys)), _) if keys.len() == 1 => {
                Some((required(*src)?, keys[0].to_string()))
            }
            (None, Some(v)) => Some((required(v)?, "default".to_string())),
            _ => None,
        }
    }

    /// What a call opens, if a library's socket (`io(url, opts)`,
    /// `createClient({...})`, `usePartySocket({...})`).
    fn call_site(&self, call: Node<'_>) -> Option<LibSite> {
        let f = unwrap(call.f("function")?);
        let (ident, member) = match f.k() {
            "identifier" => (f, None),
            "member_expression" => {
                let o = unwrap(f.f("object")?);
                if o.k() != "identifier" {
                    return None;
                }
                (o, Some(self.text(f.f("property")?)))
            }
            _ => return None,
        };
        let (module, imported) = self.imported(ident)?;
        let mut site = libs::call_site(&module, &imported, member)?;
        // `io({ ... })`: the options come first.
        if site.kind == SocketKind::SocketIo
            && let Some(first) = call.f("arguments").and_then(|a| a.named_child(0))
            && options_object(self, first).is_some()
        {
            site.options = 0;
        }
        Some(site)
    }

    /// Whether a call is react-use-websocket's `useWebSocket`.
    fn is_use_websocket(&self, call: Node<'_>) -> bool {
        let Some(f) = call.f("function").map(unwrap) else {
            return false;
        };
        if f.k() != "identifier" {
            return false;
        }
        let Some(b) = self.ix.lookup(self.text(f), f.start_byte()) else {
            return false;
        };
        matches!(&b.import, Some((m, i)) if m.starts_with("react-use-websocket")
            && (i == "default" || i == "useWebSocket"))
    }
}

/// Whether the module is server code with sockets of a runtime that is not
/// a browser (Bun, Deno, Cloudflare Workers, a `ws` server): its close-code
/// rules are not the browser's.
fn server_side(src: &str) -> bool {
    [
        "Bun.serve",
        "Deno.upgradeWebSocket",
        "Deno.serve",
        "WebSocketPair",
        "WebSocketServer",
        "upgradeWebSocket(",
    ]
    .iter()
    .any(|w| memchr::memmem::find(src.as_bytes(), w.as_bytes()).is_some())
}

/// Where the value of an expression goes: the node it is the value of,
/// past parentheses, `as`, `await`, `!`.
fn consumer(n: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let mut cur = n;
    for _ in 0..16 {
        let p = cur.parent()?;
        match p.k() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "await_expression"
            | "type_assertion" => cur = p,
            _ => return Some((p, cur)),
        }
    }
    None
}

/// Registers the code set an expression denotes (a name, a member, a
/// literal); returns its index in the table.
pub(super) fn register_set<'t>(
    ix: &Index<'t>,
    scope: &ModuleScope<'_, 't>,
    sets: &mut SetTable,
    object: Node<'t>,
) -> usize {
    let object = unwrap(object);
    let resolved = scope.value(object);
    let codes = match resolved.value {
        Value::Numbers(v) => Some(v),
        _ => None,
    };
    let (name, name_span, value_span) = match object.k() {
        "identifier" => {
            let text = ix.text(object);
            match ix.lookup(text, object.start_byte()) {
                Some(b) => (
                    Some(text.to_string()),
                    span(b.name_node),
                    b.value.map_or(span(b.name_node), span),
                ),
                None => (Some(text.to_string()), span(object), span(object)),
            }
        }
        "member_expression" => {
            let p = member_path(object, ix.src, &crate::values::TYPESCRIPT).map(|p| p.join("."));
            let at = resolved
                .origin
                .as_ref()
                .filter(|o| o.file.path == scope.file.path)
                .map_or(span(object), |o| o.span);
            (p, at, at)
        }
        _ => (None, span(object), span(object)),
    };
    if let Some(i) = sets.sets.iter().position(|s| s.name_span == name_span) {
        sets.sets[i].tested = true;
        return i;
    }
    let by_name = name
        .as_deref()
        .is_some_and(|n| names::is_terminal_set_name(base(n)));
    let role = set_role(name.as_deref(), codes.as_deref());
    let defined_elsewhere = resolved
        .origin
        .filter(|o| o.file.path != scope.file.path)
        .map(|origin| DefinedElsewhere {
            checked: scope.imports.is_checked(&origin.file),
            origin,
        });
    sets.sets.push(CodeSet {
        name,
        name_span,
        value_span,
        codes,
        role,
        by_name,
        tested: true,
        defined_elsewhere,
        builtin: None,
    });
    sets.sets.len() - 1
}

fn base(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn set_role(name: Option<&str>, codes: Option<&[f64]>) -> SetRole {
    if let Some(n) = name.map(base) {
        if names::is_retry_set_name(n) {
            return SetRole::Retry;
        }
        if names::is_terminal_set_name(n) {
            return SetRole::Terminal;
        }
    }
    // A set holding a code that only a network blip or a restart produces
    // (going away, no status, abnormal, restart, try again later, bad
    // gateway) lists what to retry (or what is not an error), not what ends
    // the session.
    let transient = |c: &f64| matches!(*c as i64, 1001 | 1005 | 1006 | 1012 | 1013 | 1014);
    match codes {
        Some(c) if c.iter().any(transient) => SetRole::Retry,
        _ => SetRole::Terminal,
    }
}

/// Builds the model from a module's index (`ix.src` holds `source.text`).
pub(super) fn build(
    source: &Source,
    lang: Lang,
    ix: &Index<'_>,
    imports: &dyn ImportResolver,
) -> ClientModel {
    let src: &str = ix.src;
    let scope = ModuleScope {
        ix,
        file: source,
        imports,
    };
    let mut m = Module {
        ix,
        scope: &scope,
        sites: Vec::new(),
        socket_paths: HashSet::new(),
        send_fns: HashSet::new(),
        get_ws_fns: HashSet::new(),
        hook_paths: HashSet::new(),
        node_ws: ix
            .imports
            .iter()
            .any(|i| matches!(i.module.as_str(), "ws" | "isomorphic-ws"))
            || server_side(src),
        copies: copies(ix),
        site_by_binding: HashMap::new(),
        graph: CallGraph::build(ix),
        instance: Framework::of(lang)
            .map(|fw| Component::read(src, fw).instance_ranges())
            .unwrap_or_default(),
    };
    find_sites(&mut m);
    alias_sockets(&mut m);
    let mut sets = SetTable::default();

    let (regs, unseen_open) = registrations(&m);
    let mut close_handlers = Vec::new();
    // What the close handlers clear, for WS107 (None: a walk was cut short).
    let mut cleared_on_close: Option<HashSet<String>> = Some(HashSet::new());
    for r in &regs {
        if let Some((h, cleared)) = analyse_handler(&m, &mut sets, r) {
            if h.truncated {
                cleared_on_close = None;
            }
            if let Some(c) = cleared_on_close.as_mut() {
                for k in cleared {
                    c.insert(display(&k));
                    c.insert(k);
                }
            }
            close_handlers.push(h);
        }
    }
    library_reconnects(&m, &regs, &mut close_handlers);
    library::policies(&m, &mut sets, &mut close_handlers);

    let mut heartbeats = heartbeats(&m, &mut sets, &regs, cleared_on_close);
    library::heartbeats(&m, &mut heartbeats);
    let socketio_servers = library::socketio_servers(&m);
    let mut effects = effects(&m, &mut sets);
    outside::add_effect_reads(&m, &mut effects);
    let outside_opens = outside::outside_opens(&m, &effects);
    let kept_sockets = lifetime::lifetimes(&m, &regs);
    let close_calls = close_calls(&m);
    named_and_tested_sets(&m, &mut sets);

    let reconnects = close_handlers.iter().any(|h| !h.reconnects.is_empty());
    let heartbeat_elsewhere = unseen_open || heartbeat_elsewhere(&m);
    // As far as this module knows: other modules are read only for values
    // a rule needs.
    let own = ModuleScope {
        ix,
        file: source,
        imports: &NoImports,
    };
    let exports = ix
        .exports
        .iter()
        .filter_map(|(name, local)| {
            let b = ix
                .bindings
                .get(local.as_str())?
                .iter()
                .find(|b| ix.fn_at(b.name_node.start_byte()).is_none())?;
            let value = match b.value {
                Some(v) if ix.is_constant(b) && b.kind != BindKind::Function => own.value(v),
                _ => Resolved::unknown(),
            };
            Some(Export {
                name: name.clone(),
                span: span(b.name_node),
                value,
            })
        })
        .collect();
    let imports_out = ix
        .imports
        .iter()
        .map(|i| Import {
            local: i.local.clone(),
            module: i.module.clone(),
            imported: i.imported.clone(),
            span: Span::new(i.start, i.end),
        })
        .collect();
    let sockets = m
        .sites
        .iter()
        .map(|s| SocketSite {
            span: s.head,
            expr: span(s.node),
            kind: s.kind,
            binding: s.binding.clone(),
            url_path: library::url_path(&m, s, &own),
            factory_for: factory_for(ix, s.node),
        })
        .collect();
    let truncated = ix.truncated;
    ClientModel {
        source: source.clone(),
        lang,
        imports: imports_out,
        exports,
        sockets,
        heartbeats,
        close_handlers,
        code_sets: sets.sets,
        effects,
        outside_opens,
        kept_sockets,
        close_calls,
        socketio_servers,
        reconnects,
        heartbeat_elsewhere,
        truncated,
    }
}

fn find_sites<'t>(m: &mut Module<'_, '_, 't>) {
    let ix = m.ix;
    for s in &ix.news {
        let Some(lib) = m.new_site(s.node) else {
            continue;
        };
        let kind = lib.kind;
        let head_end = s
            .node
            .f("constructor")
            .map_or(s.node.end_byte(), |c| c.end_byte());
        let (binding, key) = storage(m, s.node).unzip();
        let options = match kind {
            SocketKind::Browser | SocketKind::Node => None,
            _ => s
                .node
                .f("arguments")
                .and_then(|a| a.named_child(lib.options)),
        };
        m.sites.push(SiteRec {
            node: s.node,
            head: Span::new(s.node.start_byte(), head_end),
            kind,
            binding,
            key,
            func: s.func,
            options,
        });
    }
    library::call_sites(m);
    let hook_locals: Vec<&str> = ix
        .imports
        .iter()
        .filter(|i| i.module.starts_with("react-use-websocket"))
        .map(|i| i.local.as_str())
        .collect();
    for c in &ix.calls {
        if !c.name.is_some_and(|n| hook_locals.contains(&n)) || !m.is_use_websocket(c.node) {
            continue;
        }
        let head = c.node.f("function").map_or(span(c.node), span);
        let options = c.node.f("arguments").and_then(|a| a.named_child(1));
        // `const { sendMessage, getWebSocket } = useWebSocket(...)`
        let mut binding = None;
        let mut key = None;
        if let Some((p, _)) = consumer(c.node)
            && p.k() == "variable_declarator"
            && let Some(name) = p.f("name")
        {
            if name.k() == "object_pattern" {
                hook_names(m, name);
            } else if name.k() == "identifier" {
                binding = Some(m.text(name).to_string());
                key = m.key(name);
            }
        }
        if let Some(k) = &key {
            m.hook_paths.insert(k.clone());
        }
        m.sites.push(SiteRec {
            node: c.node,
            head,
            kind: SocketKind::ReactUseWebSocket,
            binding,
            key,
            func: c.func,
            options,
        });
    }
    m.sites.sort_by_key(|s| s.node.start_byte());
}

fn hook_names<'t>(m: &mut Module<'_, '_, 't>, pattern: Node<'t>) {
    let mut c = pattern.walk();
    let children: Vec<Node<'t>> = pattern.named_children(&mut c).collect();
    for child in children {
        let (key, local) = match child.k() {
            "shorthand_property_identifier_pattern" => (m.text(child), m.text(child)),
            "pair_pattern" => {
                let (Some(k), Some(v)) = (child.f("key"), child.f("value")) else {
                    continue;
                };
                if v.k() != "identifier" {
                    continue;
                }
                (m.text(k), m.text(v))
            }
            _ => continue,
        };
        match key {
            "sendMessage" | "sendJsonMessage" => {
                m.send_fns.insert(local);
            }
            "getWebSocket" => {
                m.get_ws_fns.insert(local);
            }
            _ => {}
        }
    }
}

/// The path an expression's value is stored under, as written and as a
/// key: `const ws = ...`, `wsRef.current = ...`, `this.ws = ...`.
fn storage(m: &Module<'_, '_, '_>, n: Node<'_>) -> Option<(String, String)> {
    let (p, child) = consumer(n)?;
    let target = match p.k() {
        "variable_declarator" => {
            let name = p.f("name")?;
            (name.k() == "identifier" && p.f("value")?.id() == child.id()).then_some(name)?
        }
        "assignment_expression" => {
            let right = p.f("right")?;
            if right.id() != child.id() {
                return None;
            }
            p.f("left")?
        }
        _ => return None,
    };
    Some((m.path(target)?, m.key(target)?))
}

/// Paths a socket reaches through plain copies (`wsRef.current = ws`).
fn alias_sockets(m: &mut Module<'_, '_, '_>) {
    for s in &m.sites {
        if let Some(k) = &s.key
            && s.kind != SocketKind::ReactUseWebSocket
        {
            m.socket_paths.insert(k.clone());
        }
    }
    let mut todo: Vec<String> = m.socket_paths.iter().cloned().collect();
    let mut rounds = 0;
    while let Some(p) = todo.pop() {
        rounds += 1;
        if rounds > 10_000 {
            break;
        }
        for lhs in m.copies.get(&p).into_iter().flatten() {
            if m.socket_paths.insert(lhs.clone()) {
                todo.push(lhs.clone());
            }
        }
    }
    for (i, s) in m.sites.iter().enumerate() {
        if let Some(k) = &s.key {
            m.site_by_binding.entry(k.clone()).or_insert(i);
        }
    }
}

/// Plain copies of one path into another, in the module: `const ws =
/// wsRef.current` -> (`ws`, `wsRef.current`), `ref.current = id`.
fn copies(ix: &Index<'_>) -> HashMap<String, Vec<String>> {
    let path = |n: Node<'_>| ix.path_key(n);
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for d in ix.declarators.iter().chain(ix.assignments.iter()) {
        let (lhs, rhs) = if d.node.k() == "variable_declarator" {
            (
                d.node
                    .f("name")
                    .filter(|n| n.k() == "identifier")
                    .and_then(path),
                d.node.f("value"),
            )
        } else {
            (d.node.f("left").and_then(path), d.node.f("right"))
        };
        if let (Some(l), Some(r)) = (lhs, rhs.and_then(path)) {
            out.entry(r).or_default().push(l);
        }
    }
    out
}

/// A handler attached to a socket.
struct Registration<'t> {
    /// `ws.onclose`, `'close'`, the option key.
    at: Span,
    event: &'static str,
    func: FnId,
    kind: HandlerKind,
    /// The socket site it belongs to, when known.
    site: Option<usize>,
    /// Its first parameter is the close code (`ws.on('close', (code) =>`).
    code_first: bool,
    /// A decision function (`shouldReconnect`, `shouldRetry`): how
    /// messages name it.
    decision: &'static str,
    _node: Node<'t>,
}

fn event_name(s: &str) -> Option<&'static str> {
    Some(match s {
        "close" => "close",
        "open" => "open",
        "message" => "message",
        "error" => "error",
        _ => return None,
    })
}

fn site_of(m: &Module<'_, '_, '_>, receiver: Option<&str>) -> Option<usize> {
    let r = receiver?;
    m.site_by_binding
        .get(r)
        .copied()
        .or_else(|| (m.sites.len() == 1).then_some(0))
}

/// The handlers attached to the module's sockets; the flag says an open
/// handler is attached that this module cannot see into (imported, a
/// callback option): a heartbeat may start there.
fn registrations<'t>(m: &Module<'_, '_, 't>) -> (Vec<Registration<'t>>, bool) {
    let ix = m.ix;
    let mut out = Vec::new();
    let unseen_open = std::cell::Cell::new(false);
    // `ws.onclose = handler`
    for a in &ix.assignments {
        let (Some(left), Some(right)) = (a.node.f("left").map(unwrap), a.node.f("right")) else {
            continue;
        };
        if left.k() != "member_expression" {
            continue;
        }
        let Some(prop) = left.f("property") else {
            continue;
        };
        let Some(event) = m.text(prop).strip_prefix("on").and_then(event_name) else {
            continue;
        };
        let Some(obj) = left.f("object") else {
            continue;
        };
        if !m.is_socket(obj) {
            continue;
        }
        let Some(func) = ix.resolve_fn_ref(right, a.func) else {
            if event == "open" && !matches!(unwrap(right).k(), "null" | "undefined") {
                unseen_open.set(true);
            }
            continue;
        };
        out.push(Registration {
            at: span(left),
            event,
            func,
            kind: HandlerKind::Close,
            site: site_of(m, m.key(obj).as_deref()),
            code_first: false,
            decision: "shouldReconnect",
            _node: a.node,
        });
    }
    // `ws.addEventListener('close', handler)`, `ws.on('close', handler)`
    for c in &ix.calls {
        let name = c.name;
        let Some(obj) = m.socket_call(c.node, name, &["addEventListener", "on", "once"]) else {
            continue;
        };
        let Some(args) = c.node.f("arguments") else {
            continue;
        };
        let (Some(ev), Some(h)) = (args.named_child(0), args.named_child(1)) else {
            continue;
        };
        let Some(event) = super::index::string_content(ev, ix.src)
            .as_deref()
            .and_then(event_name)
        else {
            continue;
        };
        let Some(func) = ix.resolve_fn_ref(h, c.func) else {
            if event == "open" {
                unseen_open.set(true);
            }
            continue;
        };
        out.push(Registration {
            at: span(ev),
            event,
            func,
            kind: HandlerKind::Close,
            site: site_of(m, m.key(obj).as_deref()),
            code_first: name != Some("addEventListener") && m.node_ws,
            decision: "shouldReconnect",
            _node: c.node,
        });
    }
    // react-use-websocket options
    for (i, s) in m.sites.iter().enumerate() {
        if s.kind != SocketKind::ReactUseWebSocket {
            continue;
        }
        let Some(opts) = s.options else {
            continue;
        };
        for (key, event, kind) in [
            ("onOpen", "open", HandlerKind::Close),
            ("onClose", "close", HandlerKind::OnCloseOption),
            ("shouldReconnect", "close", HandlerKind::ShouldReconnect),
        ] {
            let Opt::Found(p, value) = option(m, opts, key, 0) else {
                continue;
            };
            let Some(func) = ix.resolve_fn_ref(value, s.func) else {
                continue;
            };
            out.push(Registration {
                at: p.f("key").or_else(|| p.f("name")).map_or(span(p), span),
                event,
                func,
                kind,
                site: Some(i),
                code_first: false,
                decision: "shouldReconnect",
                _node: p,
            });
        }
    }
    library::registrations(m, &mut out);
    (out, unseen_open.get())
}

/// The object literal an options argument is (directly, or a constant).
fn options_object<'t>(m: &Module<'_, '_, 't>, n: Node<'t>) -> Option<Node<'t>> {
    let n = unwrap(n);
    match n.k() {
        "object" => Some(n),
        "identifier" | "shorthand_property_identifier" => {
            let b = m.ix.lookup(m.text(n), n.start_byte())?;
            if !m.ix.is_constant(b) {
                return None;
            }
            let v = unwrap(b.value?);
            (v.k() == "object").then_some(v)
        }
        _ => None,
    }
}

/// Where an option of a library's options argument comes from.
#[derive(Clone, Copy)]
enum Opt<'t> {
    /// The property (a `pair`, a shorthand, a method) and its value (the
    /// shorthand or the method itself when it has no `value`).
    Found(Node<'t>, Node<'t>),
    /// No layer of the options sets it.
    Absent,
    /// Something this module cannot read may set it (an imported object, a
    /// spread of one, a call it cannot follow): the holder, to read
    /// through its name.
    Unknown(Node<'t>),
}

/// Option `key` of an options argument as the library sees it: an object
/// literal (the last property written wins, spreads read in place), a
/// constant bound to one, the object a function of the module returns
/// (`makeOptions(token)`, `useMemo(() => ({...}), [])`), through any mix
/// of those.
fn option<'t>(m: &Module<'_, '_, 't>, n: Node<'t>, key: &str, depth: u32) -> Opt<'t> {
    let n = unwrap(n);
    if depth > 8 {
        return Opt::Unknown(n);
    }
    match n.k() {
        "object" => {
            let mut found = Opt::Absent;
            let mut c = n.walk();
            for p in n.named_children(&mut c) {
                match p.k() {
                    "pair" => {
                        if let Some(k) = p.f("key")
                            && k.k() != "computed_property_name"
                            && super::index::key_text(k, m.ix.src) == key
                            && let Some(v) = p.f("value")
                        {
                            found = Opt::Found(p, v);
                        }
                    }
                    "shorthand_property_identifier" if m.text(p) == key => {
                        found = Opt::Found(p, p);
                    }
                    "method_definition" if p.f("name").is_some_and(|k| m.text(k) == key) => {
                        found = Opt::Found(p, p);
                    }
                    // A spread that sets the key overrides what is above
                    // it; one this module cannot read overrides nothing
                    // written explicitly (the explicit key is what the
                    // author meant), and is the answer only without one.
                    "spread_element" => match p.named_child(0) {
                        Some(arg) => match option(m, arg, key, depth + 1) {
                            Opt::Absent => {}
                            Opt::Unknown(_) if matches!(found, Opt::Found(..)) => {}
                            other => found = other,
                        },
                        None if matches!(found, Opt::Found(..)) => {}
                        None => found = Opt::Unknown(p),
                    },
                    _ => {}
                }
            }
            found
        }
        "identifier" | "shorthand_property_identifier" => {
            match m.ix.lookup(m.text(n), n.start_byte()) {
                Some(b) if m.ix.is_constant(b) && b.import.is_none() => match b.value {
                    Some(v) => option(m, v, key, depth + 1),
                    None => Opt::Unknown(n),
                },
                _ => Opt::Unknown(n),
            }
        }
        "call_expression" => {
            let f = if m.ix.call_name(n) == Some("useMemo") {
                m.ix.first_callback(n, m.ix.fn_at(n.start_byte()))
                    .map(|(f, _)| f)
            } else {
                m.ix.resolve_callee(n, m.ix.fn_at(n.start_byte()))
            };
            match f.and_then(|f| returned_value(m.ix, f)) {
                Some(v) => option(m, v, key, depth + 1),
                None => Opt::Unknown(n),
            }
        }
        _ => Opt::Unknown(n),
    }
}

/// What a function returns when it has one `return` (or an expression
/// body): the options a `makeOptions(...)` builds.
fn returned_value<'t>(ix: &Index<'t>, f: FnId) -> Option<Node<'t>> {
    let body = ix.functions[f].body?;
    if body.k() != "statement_block" {
        return Some(body);
    }
    let mut returns = Vec::new();
    visit_bounded(body, 4096, |n| {
        if n.k() == "return_statement" {
            returns.push(n);
            return false;
        }
        !is_function(n.k())
    });
    match returns.as_slice() {
        [r] => r.named_child(0).filter(|v| v.k() != "comment"),
        _ => None,
    }
}

/// Classifies what a close handler does.
struct HandlerVisitor<'m, 'c, 'a, 't> {
    m: &'m Module<'c, 'a, 't>,
    kind: HandlerKind,
    reconnects: Vec<Point>,
    stops: Vec<Point>,
    surfaces: Vec<Point>,
    silent: Vec<Point>,
    /// Reconnect-named calls walked into: (call id, reconnects before).
    pending: Vec<(usize, usize)>,
    /// Keys of the paths `clearInterval`/`clearTimeout` clear on this path.
    cleared: Vec<String>,
    /// Calls that hand a function of the module to another function
    /// (`handleReconnect(ref, connect)`, `queue.push(connect)`).
    handed: HashSet<usize>,
    /// The dependency list of the React effect that opens the handler's
    /// socket: a state setter of one of them re-runs the effect.
    effect_deps: Vec<String>,
    /// What a `ShouldReconnect` handler is called (`shouldRetry`).
    decision: &'static str,
}

impl<'t> HandlerVisitor<'_, '_, '_, 't> {
    /// `setWaiting(...)` where `[waiting, setWaiting] = useState(...)` and
    /// `waiting` is a dependency of the effect that opens the socket: the
    /// effect runs again and opens a new one.
    fn reruns_effect(&self, call: Node<'t>, name: &str) -> Option<&'t str> {
        if self.effect_deps.is_empty() || !name.starts_with("set") {
            return None;
        }
        let b = self.m.ix.lookup(name, call.start_byte())?;
        let pattern = b.name_node.parent().filter(|p| p.k() == "array_pattern")?;
        let state = self.m.text(pattern.named_child(0)?);
        self.effect_deps.iter().any(|d| d == state).then_some(state)
    }

    fn point(&self, w: &Walk<'_, '_, 't>, node: Node<'t>, what: &str) -> Point {
        Point {
            span: w.point_span(node),
            what: what.to_string(),
            guards: w.snapshot(),
        }
    }

    fn callee_text(&self, call: Node<'t>) -> String {
        call.f("function")
            .map(|f| self.m.text(unwrap(f)).replace("?.", ".").replace('!', ""))
            .unwrap_or_default()
    }

    /// A call as a reader names it: `scheduleReconnect()`,
    /// `setTimeout(connect)`.
    fn describe(&self, call: Node<'t>) -> String {
        let callee = self.callee_text(call);
        if self.handed.contains(&call.id())
            && let Some(args) = call.f("arguments")
        {
            let a = self.m.text(args);
            if a.len() <= 48 && !a.contains('\n') {
                return format!("{callee}{a}");
            }
            return format!("{callee}(...)");
        }
        let first = call
            .f("arguments")
            .and_then(|a| a.named_child(0))
            .map(unwrap);
        match first {
            Some(f)
                if matches!(
                    f.k(),
                    "identifier" | "member_expression" | "call_expression"
                ) && is_timer_or_scheduler(self.m.ix.call_name(call).unwrap_or("")) =>
            {
                let arg = self.m.text(f);
                let arg = arg.strip_suffix(".bind(this)").unwrap_or(arg);
                format!("{callee}({arg})")
            }
            _ => format!("{callee}()"),
        }
    }
}

/// Callees that take a function without ever running it: logging, taking
/// a listener off.
fn never_runs(callee: &str) -> bool {
    let root = callee.split('.').next().unwrap_or(callee);
    let last = callee.rsplit('.').next().unwrap_or(callee);
    matches!(
        root,
        "console" | "logger" | "log" | "Logger" | "Sentry" | "debug"
    ) || matches!(
        last,
        "removeEventListener"
            | "removeListener"
            | "off"
            | "unsubscribe"
            | "clearTimeout"
            | "clearInterval"
    )
}

/// Whether a call passes a function of the module (by name or inline).
fn hands_fn<'t>(w: &Walk<'_, '_, 't>, call: Node<'t>) -> bool {
    let Some(args) = call.f("arguments") else {
        return false;
    };
    let mut c = args.walk();
    args.named_children(&mut c).any(|a| {
        let a = unwrap(a);
        matches!(
            a.k(),
            "identifier" | "member_expression" | "call_expression"
        ) && w.fn_target(a).is_some()
            || is_function(a.k())
    })
}

fn is_timer_or_scheduler(name: &str) -> bool {
    matches!(
        name,
        "setTimeout" | "requestAnimationFrame" | "queueMicrotask" | "setImmediate" | "then"
    )
}

fn is_timer(name: &str) -> bool {
    matches!(
        name,
        "setTimeout" | "setInterval" | "clearTimeout" | "clearInterval" | "requestAnimationFrame"
    )
}

impl<'t> Visitor<'t> for HandlerVisitor<'_, '_, '_, 't> {
    fn call(&mut self, w: &mut Walk<'_, '_, 't>, call: Node<'t>, target: Option<FnId>) -> Descend {
        let m = self.m;
        let name = m.ix.call_name(call).unwrap_or("");
        let text = self.callee_text(call);
        if is_timer(name) {
            if name.starts_with("clear") {
                if let Some(k) = call
                    .f("arguments")
                    .and_then(|a| a.named_child(0))
                    .and_then(|a| clear_path(w, a))
                {
                    self.cleared.push(k);
                }
                let p = self.point(w, call, &text);
                self.silent.push(p);
            }
            return Descend::Skip;
        }
        // `ws.close()`: for reconnecting-websocket, what stops it
        // (phoenix's `socket.disconnect()`).
        if m.socket_call(call, Some(name), &["close", "terminate", "disconnect"])
            .is_some()
        {
            let p = self.point(w, call, &text);
            self.stops.push(p.clone());
            self.silent.push(p);
            return Descend::Skip;
        }
        // socket.io's `socket.connect()` / `socket.open()`, a new `io(...)`.
        if m.call_site(call).is_some()
            || m.socket_call(call, Some(name), &["connect", "open"])
                .is_some()
        {
            let what = self.describe(call);
            let p = self.point(w, call, &what);
            self.reconnects.push(p);
            return Descend::Skip;
        }
        let target_name = target.and_then(|f| m.ix.functions[f].name);
        let reconnect_named =
            names::is_reconnect_name(name) || target_name.is_some_and(names::is_reconnect_name);
        // A function of the module handed to a helper of the module: the
        // helper's body says whether it runs it.
        let hands = target.is_some() && hands_fn(w, call);
        if hands && !w.inlined() {
            self.handed.insert(call.id());
        }
        if reconnect_named {
            if target.is_some() {
                if !hands {
                    self.pending.push((call.id(), self.reconnects.len()));
                }
                return Descend::Into;
            }
            let what = self.describe(call);
            let p = self.point(w, call, &what);
            self.reconnects.push(p);
            return Descend::Skip;
        }
        if target.is_some() {
            return Descend::Into;
        }
        if m.is_send(call) {
            return Descend::Skip;
        }
        if let Some(state) = self.reruns_effect(call, name) {
            // One point per state a handler changes.
            let what = format!(
                "`{name}` changes `{state}`, a dependency of the effect that opens the socket"
            );
            if !self.reconnects.iter().any(|p| p.what == what) {
                let p = self.point(w, call, &what);
                self.reconnects.push(p);
            }
            return Descend::Skip;
        }
        let p = self.point(w, call, &text);
        if names::is_silent_call(&text) {
            self.silent.push(p);
        } else {
            self.surfaces.push(p);
        }
        Descend::Skip
    }

    fn after_call(&mut self, w: &mut Walk<'_, '_, 't>, call: Node<'t>, _inlined: bool) {
        if let Some(i) = self.pending.iter().rposition(|(id, _)| *id == call.id()) {
            let (_, before) = self.pending.remove(i);
            // Walked into a reconnect-named function and found nothing
            // that reopens a socket in it: the call itself is the reconnect.
            if self.reconnects.len() == before {
                let what = self.describe(call);
                let p = self.point(w, call, &what);
                self.reconnects.push(p);
            }
        }
    }

    fn fn_ref(&mut self, w: &mut Walk<'_, '_, 't>, sched: Node<'t>, target: FnId) -> Descend {
        let name = self.m.ix.functions[target].name.unwrap_or("");
        if names::is_reconnect_name(name) {
            self.pending.push((sched.id(), self.reconnects.len()));
        }
        let _ = w;
        Descend::Into
    }

    /// A function of the module handed to one that is not
    /// (`queue.push(connect)`, `backoff.retry(this.open)`): that function
    /// runs it later, as a scheduler would, unless it only logs it.
    fn fn_arg(&mut self, w: &mut Walk<'_, '_, 't>, call: Node<'t>, target: FnId) -> Descend {
        if never_runs(&self.callee_text(call)) {
            return Descend::Skip;
        }
        if !w.inlined() {
            self.handed.insert(call.id());
        }
        self.fn_ref(w, call, target)
    }

    fn new_expr(&mut self, w: &mut Walk<'_, '_, 't>, node: Node<'t>) {
        if let Some(kind) = self.m.socket_kind(node) {
            // Found inside a function the handler calls: name that call.
            let what = match w.anchor() {
                Some(a) if a.k() == "call_expression" => self.describe(a),
                _ => match kind {
                    SocketKind::Reconnecting => "new ReconnectingWebSocket".into(),
                    SocketKind::Browser | SocketKind::Node => "new WebSocket".into(),
                    _ => format!(
                        "new {}",
                        node.f("constructor").map_or("", |c| self.m.text(c))
                    ),
                },
            };
            let p = self.point(w, node, &what);
            self.reconnects.push(p);
        }
    }

    fn ret(&mut self, w: &mut Walk<'_, '_, 't>, value: Option<Node<'t>>) {
        if self.kind != HandlerKind::ShouldReconnect {
            return;
        }
        let Some(v) = value else { return };
        let cond = w.compile(v, 0);
        if cond == Cond::Known(false) {
            return;
        }
        let mut p = self.point(w, v, self.decision);
        p.span = Span::new(v.start_byte(), v.end_byte());
        p.guards.push(super::Guard {
            cond: cond.clone(),
            positive: true,
            span: p.span,
        });
        w.note(cond, v);
        self.reconnects.push(p);
    }
}

/// The dependency list of the `useEffect`/`useLayoutEffect` whose callback
/// opens the socket at `site` (empty when none, or not a literal list).
fn opening_effect_deps(m: &Module<'_, '_, '_>, site: Node<'_>) -> Vec<String> {
    let at = site.start_byte();
    for c in &m.ix.calls {
        if !matches!(c.name, Some("useEffect" | "useLayoutEffect")) {
            continue;
        }
        let Some((f, args)) = m.ix.first_callback(c.node, c.func) else {
            continue;
        };
        let n = m.ix.functions[f].node;
        if !(n.start_byte() <= at && at < n.end_byte()) {
            continue;
        }
        if let Deps::List(_, items) = deps_of(m, args.named_child(1)) {
            return items;
        }
    }
    Vec::new()
}

/// What a close handler does; also the paths it clears (keys), for WS107.
fn analyse_handler(
    m: &Module<'_, '_, '_>,
    sets: &mut SetTable,
    r: &Registration<'_>,
) -> Option<(CloseHandler, Vec<String>)> {
    if r.event != "close" {
        return None;
    }
    let mut v = HandlerVisitor {
        m,
        kind: r.kind,
        reconnects: Vec::new(),
        stops: Vec::new(),
        surfaces: Vec::new(),
        silent: Vec::new(),
        pending: Vec::new(),
        cleared: Vec::new(),
        handed: HashSet::new(),
        effect_deps: r
            .site
            .and_then(|i| m.sites.get(i))
            .map(|s| opening_effect_deps(m, s.node))
            .unwrap_or_default(),
        decision: r.decision,
    };
    let mut w = Walk::new(m.ix, m.scope, sets);
    w.reads_active = r.kind == HandlerKind::Terminal(TerminalEvent::SocketIoConnectError);
    let first = if r.code_first {
        Role::Code
    } else if r.kind == HandlerKind::Terminal(TerminalEvent::SocketIoDisconnect) {
        Role::Reason
    } else {
        Role::Event
    };
    w.run(r.func, Some(first), &mut v);
    let truncated = w.truncated;
    let conds = std::mem::take(&mut w.conds);
    drop(w);
    let mut checks: Vec<CodeCheck> = Vec::new();
    for (c, at) in &conds {
        let mut sets = Vec::new();
        let mut numbers = Vec::new();
        c.atoms(&mut sets, &mut numbers);
        if (sets.is_empty() && numbers.is_empty()) || checks.iter().any(|x| x.span == *at) {
            continue;
        }
        sets.sort_unstable();
        sets.dedup();
        checks.push(CodeCheck {
            span: *at,
            sets,
            numbers,
        });
    }
    let handler = CloseHandler {
        span: r.at,
        kind: r.kind,
        socket: r.site,
        reconnects: v.reconnects,
        stops: v.stops,
        surfaces: v.surfaces,
        silent: v.silent,
        checks,
        truncated,
    };
    Some((handler, v.cleared))
}

/// reconnecting-websocket reconnects after every close its `close()` did
/// not ask for: a handler of its own whose one reconnect is the socket,
/// stopped by `close()` calls in its close listeners.
fn library_reconnects(
    m: &Module<'_, '_, '_>,
    regs: &[Registration<'_>],
    out: &mut Vec<CloseHandler>,
) {
    imported_should_reconnect(m, out);
    for (i, s) in m.sites.iter().enumerate() {
        if !matches!(s.kind, SocketKind::Reconnecting | SocketKind::Phoenix) {
            continue;
        }
        // phoenix_live_view's LiveSocket: its socket's close listeners are
        // reached through `liveSocket.getSocket()`, which is not read;
        // only its heartbeat is checked (WS103's doc).
        if s.kind == SocketKind::Phoenix
            && s.node
                .f("constructor")
                .map(unwrap)
                .filter(|c| c.k() == "identifier")
                .and_then(|c| m.imported(c))
                .is_some_and(|(module, _)| module == "phoenix_live_view")
        {
            continue;
        }
        if let Some(o) = s.options
            && let Opt::Found(p, v) = option(m, o, "maxRetries", 0)
            && p.k() == "pair"
            && m.scope.value(v).value == Value::Number(0.0)
        {
            continue;
        }
        let mut h = CloseHandler::always_reconnects(
            s.head,
            HandlerKind::Library,
            i,
            s.head,
            m.text(
                s.node
                    .f("constructor")
                    .or(s.node.f("function"))
                    .unwrap_or(s.node),
            )
            .to_string(),
        );
        let mine = |site: Option<usize>| site == Some(i) || (site.is_none() && m.sites.len() == 1);
        for r in regs.iter().filter(|r| r.event == "close") {
            if !mine(r.site) {
                continue;
            }
            if let Some(other) = out
                .iter()
                .find(|o| o.span == r.at && o.kind == HandlerKind::Close)
            {
                h.stops.extend(other.stops.iter().cloned());
                h.checks.extend(other.checks.iter().cloned());
                h.truncated |= other.truncated;
            }
        }
        out.push(h);
    }
}

/// react-use-websocket options imported from another module of the project
/// whose `shouldReconnect` always returns `true` (`export const options =
/// { shouldReconnect: () => true }`): the socket reconnects after every
/// close, as if the function were written inline.
fn imported_should_reconnect(m: &Module<'_, '_, '_>, out: &mut Vec<CloseHandler>) {
    for (i, s) in m.sites.iter().enumerate() {
        if s.kind != SocketKind::ReactUseWebSocket {
            continue;
        }
        let Some(o) = s.options else {
            continue;
        };
        let Opt::Unknown(holder) = option(m, o, "shouldReconnect", 0) else {
            continue;
        };
        let holder = match holder.k() {
            "spread_element" => match holder.named_child(0) {
                Some(a) => unwrap(a),
                None => continue,
            },
            _ => holder,
        };
        if holder.k() != "identifier" {
            continue;
        }
        let Some((module, imported)) =
            m.ix.lookup(m.text(holder), holder.start_byte())
                .and_then(|b| b.import.clone())
        else {
            continue;
        };
        if m.scope
            .imports
            .returns_constant(&module, &imported, &["shouldReconnect"], 0)
            != Some(Value::Bool(true))
        {
            continue;
        }
        out.push(CloseHandler::always_reconnects(
            span(holder),
            HandlerKind::ShouldReconnect,
            i,
            span(holder),
            format!(
                "the imported `{}.shouldReconnect` always returns true",
                m.text(holder)
            ),
        ));
    }
}

/// Collects `clearInterval`/`clearTimeout` arguments as paths.
struct ClearVisitor {
    cleared: Vec<(String, Span)>,
}

impl<'t> Visitor<'t> for ClearVisitor {
    fn call(&mut self, w: &mut Walk<'_, '_, 't>, call: Node<'t>, target: Option<FnId>) -> Descend {
        let name = w.ix.call_name(call).unwrap_or("");
        if matches!(name, "clearInterval" | "clearTimeout") {
            if let Some(arg) = call.f("arguments").and_then(|a| a.named_child(0))
                && let Some(p) = clear_path(w, arg)
            {
                self.cleared.push((p, w.point_span(call)));
            }
            return Descend::Skip;
        }
        if target.is_some() {
            Descend::Into
        } else {
            Descend::Skip
        }
    }
}

/// `x`, `ref.current!`, `this.timer ?? undefined`, `this.timer as number`.
fn clear_path(w: &Walk<'_, '_, '_>, arg: Node<'_>) -> Option<String> {
    let mut a = unwrap(arg);
    if a.k() == "binary_expression" {
        a = unwrap(a.f("left")?);
    }
    w.path(a)
}

/// Whether a call is the global timer `name` (`setInterval`,
/// `window.setInterval`, `globalThis.setTimeout`), not a function of the
/// module that happens to share its name.
fn is_timer_call(m: &Module<'_, '_, '_>, call: Node<'_>, name: &str) -> bool {
    let Some(f) = call.f("function").map(unwrap) else {
        return false;
    };
    match f.k() {
        "identifier" => m.text(f) == name && m.ix.lookup(name, f.start_byte()).is_none(),
        "member_expression" => m.path(f).is_some_and(|p| {
            p.strip_suffix(name)
                .is_some_and(|root| matches!(root, "window." | "globalThis." | "self."))
        }),
        _ => false,
    }
}

fn heartbeats(
    m: &Module<'_, '_, '_>,
    sets: &mut SetTable,
    regs: &[Registration<'_>],
    on_close: Option<HashSet<String>>,
) -> Vec<Heartbeat> {
    let ix = m.ix;
    let mut out = Vec::new();
    // The intervals whose callback sends on a socket.
    let mut intervals = Vec::new();
    let mut sends = vec![None; ix.functions.len()];
    for c in &ix.calls {
        let timer = match c.name {
            Some(n @ ("setInterval" | "setTimeout")) if is_timer_call(m, c.node, n) => n,
            _ => continue,
        };
        let Some((f, args)) = ix.first_callback(c.node, c.func) else {
            continue;
        };
        // Does the callback send on a socket (itself, in callbacks it
        // passes, or through functions of the module it calls)?
        if !m
            .graph
            .any_call(f, &mut sends, &|i| m.is_send(ix.calls[i].node))
        {
            continue;
        }
        // A timeout is a heartbeat when it schedules itself again
        // (`const ping = () => { ws.send("ping"); setTimeout(ping, ms) }`).
        // So is one re-armed whenever a message arrives: a function that
        // clears the pending timeout and sets it again, run by the message
        // handler (an idle ping `ms` after the last message; a one-off
        // `setTimeout(() => ws.send(ack), 50)` in a handler is none).
        let rescheduled = timer == "setTimeout";
        if rescheduled
            && !c.func.is_some_and(|g| {
                m.graph.reach([f]).contains(&g)
                    || (m.text(ix.functions[g].node).contains("clearTimeout(")
                        && regs
                            .iter()
                            .filter(|r| r.event == "message")
                            .any(|r| m.graph.reach([r.func]).contains(&g)))
            })
        {
            continue;
        }
        if let Some(delay) = args.named_child(1).filter(|d| d.k() != "comment") {
            intervals.push((c, delay, rescheduled));
        }
    }
    // Clears on the close path, and elsewhere (only worth the walks when
    // there is a heartbeat interval).
    let uncertain = on_close.is_none();
    let on_close = on_close.unwrap_or_default();
    let mut elsewhere: HashMap<String, Vec<Span>> = HashMap::new();
    let mut per_conn = HashSet::new();
    // What runs again, and what each of those runs (once per module).
    let mut reruns: Vec<(HashSet<FnId>, &'static str)> = Vec::new();
    if !intervals.is_empty() {
        reruns = rerun_roots(m)
            .into_iter()
            .map(|(f, why)| (m.graph.reach([f]), why))
            .collect();
        // Keyed and as written (see `text_matches` below).
        for (k, at) in clears_elsewhere(m, sets) {
            elsewhere.entry(display(&k)).or_default().push(at);
            elsewhere.entry(k).or_default().push(at);
        }
        per_conn = per_connection_fns(m, regs);
    }

    for (c, delay, rescheduled) in intervals {
        let (handle, keys) = interval_handle(m, c.node, c.func);
        // A component's instance script runs once per instance, not once
        // per page: its top level is not the page's.
        let top_level = c.func.is_none() && !m.in_instance_script(c.node.start_byte());
        let per_connection = c.func.is_some_and(|f| {
            let mut cur = Some(f);
            let mut steps = 0;
            while let Some(x) = cur {
                if per_conn.contains(&x) {
                    return true;
                }
                steps += 1;
                if steps > 64 {
                    break;
                }
                cur = ix.functions[x].parent;
            }
            false
        });
        // Paths are compared by key; as written too, unless the root is a
        // React ref or `this` (whose identity the key already captures): a
        // handle kept on an object re-fetched under the same name
        // (`clients.get(socket)`) or passed through helper parameters is
        // the same handle, and missing that would report a leak that is not.
        let mut paths = keys.clone();
        if text_matches(m, c.node) {
            paths.extend(keys.iter().map(|k| display(k)));
        }
        let cleared_on_close = paths.iter().any(|p| on_close.contains(p));
        let mut cleared_elsewhere: Vec<Span> = paths
            .iter()
            .flat_map(|p| elsewhere.get(p).into_iter().flatten().copied())
            .collect();
        cleared_elsewhere.sort();
        cleared_elsewhere.dedup();
        let rerun = match &handle {
            Handle::Kept(_) if !cleared_on_close => {
                rerun_without_clear(m, sets, c.node, c.func, &paths, &reruns, regs)
            }
            _ => None,
        };
        out.push(Heartbeat {
            span: span(delay),
            call: span(c.node),
            callee: c.node.f("function").map_or(span(c.node), span),
            period: m.scope.value(delay),
            written: m.text(delay).to_string(),
            kind: HeartbeatKind::Interval(IntervalFacts {
                rescheduled,
                handle,
                per_connection,
                top_level,
                cleared_on_close,
                cleared_elsewhere,
                uncertain,
                rerun,
            }),
        });
    }
    // react-use-websocket's `heartbeat` option.
    for s in &m.sites {
        if s.kind != SocketKind::ReactUseWebSocket {
            continue;
        }
        let unknown = |o: Node<'_>| Heartbeat {
            span: span(o),
            call: span(s.node),
            callee: s.head,
            period: Resolved::unknown(),
            written: m.text(o).to_string(),
            kind: HeartbeatKind::Library {
                default_interval: false,
                library: SocketKind::ReactUseWebSocket,
            },
        };
        let Some(o) = s.options else {
            continue;
        };
        // Options wslint cannot see into may well set a heartbeat; read
        // through their names when they come from another module.
        let through = |holder: Node<'_>, out: &mut Vec<Heartbeat>| match heartbeat_through(
            m,
            holder,
            &["heartbeat"],
            None,
        ) {
            Through::On(h) => out.push(h.at(s.node, s.head)),
            Through::Off => {}
            Through::Unknown => out.push(unknown(o)),
        };
        // Options written inline, in a constant, spread from a module
        // object or returned by a function of the module read alike.
        let (p, value) = match option(m, o, "heartbeat", 0) {
            Opt::Found(p, v) => (p, v),
            Opt::Absent => continue,
            Opt::Unknown(holder) if holder.k() == "spread_element" => {
                out.push(unknown(o));
                continue;
            }
            Opt::Unknown(holder) => {
                through(holder, &mut out);
                continue;
            }
        };
        if p.k() == "method_definition" {
            continue;
        }
        let v = unwrap(value);
        let resolved = if v.k() == "shorthand_property_identifier" {
            m.scope.identifier(m.text(v), v, 0)
        } else {
            m.scope.value(v)
        };
        let (period, written, default_interval, at) = match &resolved.value {
            Value::Bool(false) => continue,
            Value::Bool(true) => (
                Resolved::of(Value::Number(RUW_DEFAULT_HEARTBEAT_MS)),
                m.text(p).to_string(),
                true,
                span(p),
            ),
            _ => {
                let obj = options_object(m, v);
                match obj {
                    Some(o) => match property(o, "interval", ix.src) {
                        Some(ip) => {
                            let iv = ip.f("value").unwrap_or(ip);
                            let mut period = m.scope.value(iv);
                            if matches!(v.k(), "identifier" | "shorthand_property_identifier") {
                                // `heartbeat: HEARTBEAT`: report at the use,
                                // label the interval's definition.
                                if period.is_known() && period.origin.is_none() {
                                    period.origin = Some(crate::values::Origin {
                                        file: m.scope.file.clone(),
                                        span: span(iv),
                                        name: format!("{}.interval", m.text(v)),
                                    });
                                }
                                (period, m.text(v).to_string(), false, span(v))
                            } else {
                                (period, m.text(iv).to_string(), false, span(iv))
                            }
                        }
                        None => (
                            Resolved::of(Value::Number(RUW_DEFAULT_HEARTBEAT_MS)),
                            m.text(p).to_string(),
                            true,
                            span(p),
                        ),
                    },
                    None => match heartbeat_through(m, v, &[], Some(&resolved)) {
                        Through::On(h) => {
                            out.push(h.at(s.node, s.head));
                            continue;
                        }
                        _ => (Resolved::unknown(), m.text(v).to_string(), false, span(p)),
                    },
                }
            }
        };
        out.push(Heartbeat {
            span: at,
            call: span(s.node),
            callee: s.head,
            period,
            written,
            kind: HeartbeatKind::Library {
                default_interval,
                library: SocketKind::ReactUseWebSocket,
            },
        });
    }
    out
}

/// react-use-websocket's `heartbeat` where this module cannot see the
/// object that holds it (an imported options object, a spread of one, an
/// imported heartbeat object), read through its name.
enum Through {
    On(Found),
    /// `heartbeat: false`.
    Off,
    Unknown,
}

/// A heartbeat found through a name, before it is tied to its call.
struct Found {
    span: Span,
    period: Resolved,
    written: String,
    default_interval: bool,
}

impl Found {
    fn at(self, call: Node<'_>, head: Span) -> Heartbeat {
        Heartbeat {
            span: self.span,
            call: span(call),
            callee: head,
            period: self.period,
            written: self.written,
            kind: HeartbeatKind::Library {
                default_interval: self.default_interval,
                library: SocketKind::ReactUseWebSocket,
            },
        }
    }
}

/// Reads `holder.<keys>` (the heartbeat, `heartbeat: true` or an object)
/// and `holder.<keys>.interval`; `value` is the heartbeat's value when
/// `keys` is empty (already evaluated).
fn heartbeat_through(
    m: &Module<'_, '_, '_>,
    holder: Node<'_>,
    keys: &[&str],
    value: Option<&Resolved>,
) -> Through {
    let holder = unwrap(holder);
    let Some(path) = member_path(holder, m.ix.src, &crate::values::TYPESCRIPT) else {
        return Through::Unknown;
    };
    let mut full: Vec<&str> = path.iter().map(String::as_str).collect();
    full.extend_from_slice(keys);
    let hb = match value {
        Some(v) => v.clone(),
        None if full.len() > 1 => m.scope.member(&full, holder, 0),
        None => m.scope.value(holder),
    };
    let written = m.text(holder).to_string();
    match hb.value {
        Value::Bool(false) => return Through::Off,
        Value::Bool(true) => {
            let mut period = Resolved::of(Value::Number(RUW_DEFAULT_HEARTBEAT_MS));
            period.origin = hb.origin;
            return Through::On(Found {
                span: span(holder),
                period,
                written,
                default_interval: true,
            });
        }
        _ => {}
    }
    full.push("interval");
    let period = m.scope.member(&full, holder, 0);
    if period.number().is_some() {
        return Through::On(Found {
            span: span(holder),
            period,
            written,
            default_interval: false,
        });
    }
    Through::Unknown
}

/// Where a `setInterval` handle goes, with the keys of the paths it is
/// kept under.
fn interval_handle(
    m: &Module<'_, '_, '_>,
    call: Node<'_>,
    func: Option<FnId>,
) -> (Handle, Vec<String>) {
    let kept = |keys: Vec<String>| {
        (
            Handle::Kept(keys.iter().map(|k| display(k)).collect()),
            keys,
        )
    };
    let Some((p, child)) = consumer(call) else {
        return (Handle::Elsewhere, Vec::new());
    };
    match p.k() {
        "expression_statement" => (Handle::Discarded, Vec::new()),
        "unary_expression" if p.f("operator").map(|o| o.k()) == Some("void") => {
            (Handle::Discarded, Vec::new())
        }
        "variable_declarator" | "assignment_expression" => match storage(m, call) {
            Some((_, key)) => kept(with_aliases(m, key)),
            None => (Handle::Elsewhere, Vec::new()),
        },
        "return_statement" | "arrow_function" => {
            if p.k() == "arrow_function" && p.f("body").map(|b| b.id()) != Some(child.id()) {
                return (Handle::Elsewhere, Vec::new());
            }
            // One level up: where the callers store what it returns.
            let Some(f) = func else {
                return (Handle::Elsewhere, Vec::new());
            };
            let mut keys = Vec::new();
            let mut discarded = false;
            for c in &m.ix.calls {
                if m.ix.resolve_callee(c.node, c.func) != Some(f) {
                    continue;
                }
                match consumer(c.node).map(|(p, _)| p.k()) {
                    Some("expression_statement") => discarded = true,
                    _ => match storage(m, c.node) {
                        Some((_, key)) => keys.extend(with_aliases(m, key)),
                        None => return (Handle::Elsewhere, Vec::new()),
                    },
                }
            }
            if !keys.is_empty() {
                kept(keys)
            } else if discarded {
                (Handle::Discarded, Vec::new())
            } else {
                (Handle::Elsewhere, Vec::new())
            }
        }
        _ => (Handle::Elsewhere, Vec::new()),
    }
}

/// Whether the handle of a `setInterval` call may be matched by its path
/// as written: not when it is kept on `this` or on a React ref.
fn text_matches(m: &Module<'_, '_, '_>, call: Node<'_>) -> bool {
    let Some((p, _)) = consumer(call) else {
        return false;
    };
    let target = match p.k() {
        "assignment_expression" => p.f("left"),
        "variable_declarator" => p.f("name"),
        _ => None,
    };
    let Some(mut root) = target.map(unwrap) else {
        return true;
    };
    for _ in 0..64 {
        match root.k() {
            "member_expression" => match root.f("object") {
                Some(o) => root = unwrap(o),
                None => break,
            },
            _ => break,
        }
    }
    match root.k() {
        "this" => false,
        "identifier" => {
            let is_ref =
                m.ix.lookup(m.text(root), root.start_byte())
                    .and_then(|b| b.value)
                    .map(unwrap)
                    .filter(|v| v.k() == "call_expression")
                    .and_then(|v| m.ix.call_name(v))
                    .is_some_and(|n| matches!(n, "useRef" | "createRef"));
            !is_ref
        }
        _ => true,
    }
}

/// A path key as written: `heartbeatRef@812.current` -> `heartbeatRef.current`.
fn display(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut skip = false;
    for c in key.chars() {
        match c {
            '@' | '#' => skip = true,
            '.' => {
                skip = false;
                out.push(c);
            }
            _ if skip && c.is_ascii_digit() => {}
            _ => {
                skip = false;
                out.push(c);
            }
        }
    }
    out
}

/// `key` and the keys of the paths it is copied to (`heartbeatRef.current = id`).
fn with_aliases(m: &Module<'_, '_, '_>, key: String) -> Vec<String> {
    let mut out = vec![key];
    for l in m.copies.get(&out[0]).cloned().unwrap_or_default() {
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// Clears outside the close path: every `clearInterval(x)` as written, and
/// what effect cleanups and teardown methods clear through helpers.
fn clears_elsewhere(m: &Module<'_, '_, '_>, sets: &mut SetTable) -> Vec<(String, Span)> {
    let ix = m.ix;
    let mut out = Vec::new();
    let mut roots: Vec<FnId> = Vec::new();
    for c in &ix.calls {
        let name = c.name.unwrap_or("");
        if matches!(name, "clearInterval" | "clearTimeout")
            && let Some(arg) = c.node.f("arguments").and_then(|a| a.named_child(0))
        {
            let mut a = unwrap(arg);
            if a.k() == "binary_expression"
                && let Some(l) = a.f("left")
            {
                a = unwrap(l);
            }
            if let Some(k) = m.key(a) {
                out.push((k, span(c.node)));
            }
        }
        // Effect cleanups (the function `useEffect`, `onMount` or `$effect`
        // returns) and teardown hooks (`onBeforeUnmount`, `onDestroy`).
        if let Some((hook, _, cb)) = hooks::effect_call(ix, c.node, c.func)
            && hooks::returns_cleanup(hook)
        {
            roots.extend(effect_cleanups(ix, cb));
        }
        roots.extend(hooks::teardown_call(ix, c.node, c.func));
    }
    // Vue's options API: `beforeUnmount() { ... }` and the like.
    for (f, info) in ix.functions.iter().enumerate() {
        if hooks::object_method_name(ix, info.node).is_some_and(hooks::is_teardown_method) {
            roots.push(f);
        }
    }
    for class in &ix.classes {
        for (name, node) in &class.methods {
            let w = names::words(name);
            let teardown = w.first().is_some_and(|f| {
                matches!(
                    f.as_str(),
                    "disconnect"
                        | "close"
                        | "stop"
                        | "destroy"
                        | "cleanup"
                        | "dispose"
                        | "teardown"
                        | "unmount"
                        | "shutdown"
                        | "component"
                        | "disconnected"
                        | "ng"
                )
            }) || hooks::is_teardown_method(name);
            if teardown && let Some(&f) = ix.fn_of_node.get(&node.id()) {
                roots.push(f);
            }
        }
    }
    for f in roots {
        let mut v = ClearVisitor {
            cleared: Vec::new(),
        };
        let mut w = Walk::new(ix, m.scope, sets);
        w.run(f, None, &mut v);
        out.extend(v.cleared);
    }
    out
}

/// Functions that can run more than once, with what runs them: UI event
/// handlers (`onClick={open}`), listeners on what is not a socket
/// (`window.addEventListener("online", ...)`), timer callbacks, public
/// class methods.
fn rerun_roots(m: &Module<'_, '_, '_>) -> Vec<(FnId, &'static str)> {
    let ix = m.ix;
    let mut out = Vec::new();
    visit_bounded(ix.tree.root_node(), 200_000, |n| {
        if n.k() == "jsx_attribute"
            && let Some(name) = n.named_child(0)
            && m.text(name)
                .strip_prefix("on")
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_uppercase()))
            && let Some(v) = n.named_child(1).filter(|v| v.k() == "jsx_expression")
            && let Some(e) = v.named_child(0)
            && let Some(f) = ix.resolve_fn_ref(e, ix.fn_at(e.start_byte()))
        {
            out.push((f, "a UI event handler"));
        }
        true
    });
    for c in &ix.calls {
        match c.name {
            Some("addEventListener" | "on") => {
                if m.socket_call(c.node, c.name, &["addEventListener", "on"])
                    .is_some()
                {
                    continue;
                }
                if let Some(h) = c.node.f("arguments").and_then(|a| a.named_child(1))
                    && let Some(f) = ix.resolve_fn_ref(h, c.func)
                {
                    out.push((f, "an event listener"));
                }
            }
            Some(n @ ("setInterval" | "setTimeout")) if is_timer_call(m, c.node, n) => {
                if let Some((f, _)) = ix.first_callback(c.node, c.func) {
                    out.push((f, "a timer"));
                }
            }
            _ => {}
        }
    }
    for class in &ix.classes {
        for (name, node) in &class.methods {
            // Framework lifecycle methods run once per instance (or
            // between teardowns): not "any caller, any number of times".
            let lifecycle = name.starts_with("component")
                || name.starts_with("ng")
                || matches!(
                    *name,
                    "connectedCallback"
                        | "mounted"
                        | "created"
                        | "beforeMount"
                        | "firstUpdated"
                        | "onMount"
                        | "onInit"
                );
            if *name == "constructor" || name.starts_with('#') || lifecycle {
                continue;
            }
            let private = |x: Node<'_>| {
                let mut c = x.walk();
                x.children(&mut c)
                    .any(|ch| ch.k() == "accessibility_modifier" && m.text(ch) != "public")
            };
            if private(*node)
                || node
                    .parent()
                    .is_some_and(|p| p.k() != "class_body" && private(p))
            {
                continue;
            }
            if let Some(&f) = ix.fn_of_node.get(&node.id()) {
                out.push((f, "a public method"));
            }
        }
    }
    out
}

/// Whether the function that starts an interval (`setInterval` call `call`
/// in `func`) can run again and then overwrites the handle (`paths`) with
/// the old interval still running: no `clearInterval` of it before the
/// `setInterval` (in that function, or in the one that opens the socket
/// when the interval starts in its open handler).
fn rerun_without_clear(
    m: &Module<'_, '_, '_>,
    sets: &mut SetTable,
    call: Node<'_>,
    func: Option<FnId>,
    paths: &[String],
    roots: &[(HashSet<FnId>, &'static str)],
    regs: &[Registration<'_>],
) -> Option<(String, &'static str)> {
    let g = func?;
    // The functions that open the sockets whose open handlers start it.
    let openers: Vec<FnId> = regs
        .iter()
        .filter(|r| r.event == "open" && m.graph.reach([r.func]).contains(&g))
        .filter_map(|r| r.site.and_then(|i| m.sites.get(i)).and_then(|s| s.func))
        .collect();
    let name_of = |f: FnId| {
        let info = &m.ix.functions[f];
        info.name
            .or_else(|| {
                let p = info.node.parent()?;
                match p.k() {
                    "variable_declarator" => p.f("name").map(|n| m.text(n)),
                    "pair" | "public_field_definition" => {
                        p.f("key").or_else(|| p.f("name")).map(|n| m.text(n))
                    }
                    _ => None,
                }
            })
            .unwrap_or("the function")
            .to_string()
    };
    // The function itself runs again, or it is an open handler of a socket
    // that a function running again opens.
    let mut walked: Vec<(FnId, bool)> = Vec::new();
    let mut found = None;
    for (reach, why) in roots {
        if reach.contains(&g) {
            found = Some((name_of(g), *why));
            walked = vec![(g, true)];
            break;
        }
        if let Some(&s) = openers.iter().find(|f| reach.contains(f)) {
            found = Some((name_of(s), *why));
            walked = vec![(g, true), (s, false)];
            break;
        }
    }
    let found = found?;
    for (f, before_only) in walked {
        let mut v = ClearBefore {
            target: call.id(),
            before_only,
            done: false,
            cleared: Vec::new(),
            paths: paths.to_vec(),
            guarded: false,
        };
        let mut w = Walk::new(m.ix, m.scope, sets);
        w.run(f, None, &mut v);
        if w.truncated || v.guarded {
            return None;
        }
        let hit = v
            .cleared
            .iter()
            .any(|k| paths.contains(k) || paths.contains(&display(k)));
        if hit {
            return None;
        }
    }
    Some(found)
}

/// The paths cleared before a given `setInterval` call is reached (or
/// anywhere, when `before_only` is false).
struct ClearBefore {
    target: usize,
    before_only: bool,
    done: bool,
    cleared: Vec<String>,
    /// The handle's paths: a `setInterval` under a condition on the handle
    /// (`if (this.pingTimer) return;`, `if (!pingRef.current)`) starts
    /// none while one runs.
    paths: Vec<String>,
    guarded: bool,
}

impl<'t> Visitor<'t> for ClearBefore {
    fn call(&mut self, w: &mut Walk<'_, '_, 't>, call: Node<'t>, target: Option<FnId>) -> Descend {
        if call.id() == self.target && self.before_only {
            self.done = true;
            let paths = &self.paths;
            self.guarded = w.guards.iter().any(|g| {
                let mut hit = false;
                visit_bounded(g.node, 256, |x| {
                    if matches!(x.k(), "identifier" | "member_expression")
                        && w.path(x)
                            .is_some_and(|k| paths.contains(&k) || paths.contains(&display(&k)))
                    {
                        hit = true;
                    }
                    !hit
                });
                hit
            });
        }
        if self.done {
            return Descend::Skip;
        }
        let name = w.ix.call_name(call).unwrap_or("");
        if matches!(name, "clearInterval" | "clearTimeout") {
            if let Some(arg) = call.f("arguments").and_then(|a| a.named_child(0))
                && let Some(p) = clear_path(w, arg)
            {
                self.cleared.push(p);
            }
            return Descend::Skip;
        }
        if target.is_some() {
            Descend::Into
        } else {
            Descend::Skip
        }
    }
}

/// The cleanup functions an effect callback returns.
fn effect_cleanups(ix: &Index<'_>, cb: FnId) -> Vec<FnId> {
    let mut out = Vec::new();
    let Some(body) = ix.functions[cb].body else {
        return out;
    };
    visit_bounded(body, 4096, |n| {
        if n.k() == "return_statement" {
            if let Some(f) = n
                .named_child(0)
                .and_then(|v| ix.resolve_fn_ref(v, Some(cb)))
            {
                out.push(f);
            }
            return false;
        }
        !is_function(n.k())
    });
    out
}

/// Functions that run once per connection: open handlers, functions that
/// create a socket, and what they run.
fn per_connection_fns(m: &Module<'_, '_, '_>, regs: &[Registration<'_>]) -> HashSet<FnId> {
    let roots = regs
        .iter()
        .filter(|r| r.event == "open")
        .map(|r| r.func)
        .chain(
            m.sites
                .iter()
                .filter(|s| s.kind != SocketKind::ReactUseWebSocket)
                .filter_map(|s| s.func),
        );
    m.graph.reach(roots)
}

/// Names the socket's arguments read, resolving local constants.
struct EffectVisitor<'m, 'c, 'a, 't> {
    m: &'m Module<'c, 'a, 't>,
    effect: Node<'t>,
    opens: Vec<Open>,
    via: Vec<(usize, FnId)>,
}

impl<'t> Visitor<'t> for EffectVisitor<'_, '_, '_, 't> {
    fn call(&mut self, w: &mut Walk<'_, '_, 't>, call: Node<'t>, target: Option<FnId>) -> Descend {
        match target {
            Some(f) => {
                if !w.inlined() {
                    self.via.push((call.id(), f));
                }
                Descend::Into
            }
            None => {
                // `io(url, { auth: { token } })` in the effect.
                if let Some(site) = self.m.sites.iter().find(|s| s.node.id() == call.id())
                    && site.kind.is_protocol_client()
                {
                    self.open(w, call, site.head);
                }
                Descend::Skip
            }
        }
    }

    fn after_call(&mut self, _w: &mut Walk<'_, '_, 't>, call: Node<'t>, _inlined: bool) {
        if self.via.last().is_some_and(|(id, _)| *id == call.id()) {
            self.via.pop();
        }
    }

    fn fn_ref(&mut self, w: &mut Walk<'_, '_, 't>, sched: Node<'t>, target: FnId) -> Descend {
        self.call(w, sched, Some(target))
    }

    fn new_expr(&mut self, w: &mut Walk<'_, '_, 't>, node: Node<'t>) {
        if self.m.socket_kind(node).is_none() {
            return;
        }
        let head_end = node
            .f("constructor")
            .map_or(node.end_byte(), |c| c.end_byte());
        self.open(w, node, Span::new(node.start_byte(), head_end));
    }
}

impl<'t> EffectVisitor<'_, '_, '_, 't> {
    /// The socket `node` opens (at `head`), with the names its arguments
    /// read and the conditions on the way.
    fn open(&mut self, w: &mut Walk<'_, '_, 't>, node: Node<'t>, head: Span) {
        let m = self.m;
        // Names declared in the effect, or in the functions it went
        // through to get here, are its own.
        let mut locals = vec![(self.effect.start_byte(), self.effect.end_byte())];
        for (_, f) in &self.via {
            let n = m.ix.functions[*f].node;
            locals.push((n.start_byte(), n.end_byte()));
        }
        if let Some(f) = w.current_fn() {
            let n = m.ix.functions[f].node;
            locals.push((n.start_byte(), n.end_byte()));
        }
        let mut refs = Vec::new();
        if let Some(args) = node.f("arguments") {
            name_refs(m, args, &locals, &mut refs, 0);
        }
        let mut guarded_by = Vec::new();
        for g in &w.guards {
            mentioned(m, g.node, &mut guarded_by, 0);
        }
        // A component-level function the effect called on the way here.
        let via = self.via.first().and_then(|&(_, f)| {
            let info = &m.ix.functions[f];
            let fnode = info.node;
            let inside_effect = fnode.start_byte() >= self.effect.start_byte()
                && fnode.end_byte() <= self.effect.end_byte();
            if inside_effect || info.parent.is_none() {
                return None;
            }
            // `const connect = useCallback(...)`: the declarator's name.
            let name = info.name.or_else(|| m.ix.fn_name(fnode))?;
            let deps = usecallback_deps(m, fnode);
            Some(Via {
                name: name.to_string(),
                span: span(fnode),
                deps,
            })
        });
        self.opens.push(Open {
            span: head,
            refs,
            guarded_by,
            via,
        });
    }
}

/// The dependency list of the `useCallback` a function is wrapped in.
fn usecallback_deps(m: &Module<'_, '_, '_>, f: Node<'_>) -> Option<Deps> {
    let args = f.parent()?;
    if args.k() != "arguments" {
        return None;
    }
    let call = args.parent()?;
    if m.ix.call_name(call) != Some("useCallback") {
        return None;
    }
    Some(deps_of(m, args.named_child(1)))
}

fn deps_of(m: &Module<'_, '_, '_>, n: Option<Node<'_>>) -> Deps {
    match n.map(unwrap) {
        None => Deps::Missing,
        Some(a) if a.k() == "array" => {
            let mut c = a.walk();
            let items = a
                .named_children(&mut c)
                .filter(|x| x.k() != "comment")
                .map(|x| m.text(x).replace("?.", ".").replace('!', ""))
                .collect();
            Deps::List(span(a), items)
        }
        Some(_) => Deps::Unknown,
    }
}

/// Identifiers and member paths an expression reads, following local
/// constants (`const url = `...${token}``).
fn name_refs<'t>(
    m: &Module<'_, '_, 't>,
    n: Node<'t>,
    effect: &[(usize, usize)],
    out: &mut Vec<NameRef>,
    depth: u32,
) {
    if depth > 4 {
        return;
    }
    let is_callee = |x: Node<'_>| {
        x.parent().is_some_and(|p| {
            p.k() == "call_expression" && p.f("function").map(|f| f.id()) == Some(x.id())
        })
    };
    visit_bounded(n, 512, |x| match x.k() {
        // A callee's name is not read as a value.
        "identifier" => {
            if !is_callee(x) {
                name_ref(m, x, effect, out, depth);
            }
            false
        }
        "member_expression" => {
            if is_callee(x) {
                // `encodeURIComponent(token)`, `base.concat(token)`: the
                // object and the arguments are read, not the method.
                return true;
            }
            match member_path(x, m.ix.src, &crate::values::TYPESCRIPT) {
                Some(parts) if parts.first().map(String::as_str) != Some("this") => {
                    name_ref(m, x, effect, out, depth);
                    false
                }
                _ => true,
            }
        }
        // `auth: (cb) => cb({ token })`: run when the socket connects.
        k if is_function(k) => x
            .parent()
            .filter(|p| p.k() == "pair")
            .and_then(|p| p.f("key"))
            .is_some_and(|key| libs::CONNECT_TIME_KEYS.contains(&m.text(key))),
        _ => true,
    });
}

fn name_ref<'t>(
    m: &Module<'_, '_, 't>,
    x: Node<'t>,
    effect: &[(usize, usize)],
    out: &mut Vec<NameRef>,
    depth: u32,
) {
    let Some(parts) = member_path(x, m.ix.src, &crate::values::TYPESCRIPT) else {
        return;
    };
    let Some(first) = parts.first() else {
        return;
    };
    // What the value is called: Vue's refs are read through `.value`
    // (`token.value`), Svelte's stores with a `$` (`$token`).
    let mut name = parts.last().cloned().unwrap_or_default();
    if name == "value" && parts.len() >= 2 {
        name = parts[parts.len() - 2].clone();
    }
    let name = name.trim_start_matches('$').to_string();
    let path = parts.join(".");
    // `$token` reads the store `token` (a Svelte auto-subscription).
    let binding = m.ix.lookup(first, x.start_byte()).or_else(|| {
        let store = first.strip_prefix('$')?;
        m.ix.lookup(store, x.start_byte())
    });
    let bound = match binding {
        None => Bound::Global,
        Some(b) if b.kind == BindKind::Import => Bound::Module,
        Some(b) if b.scope.0 == 0 && b.scope.1 == usize::MAX => Bound::Module,
        Some(b) => {
            let pos = b.name_node.start_byte();
            if effect.iter().any(|(s, e)| *s <= pos && pos < *e) {
                Bound::Local
            } else if m.ix.fn_at(pos).is_none() && b.kind != BindKind::Param {
                Bound::Module
            } else {
                Bound::Component
            }
        }
    };
    // Declared with a type that excludes null: its own annotation, the
    // member's in the type of the parameter it is destructured from, or a
    // Vue prop's in `defineProps<T>()` (`props.token`).
    let vue_prop = match (parts.as_slice(), binding) {
        ([_, member], Some(b)) => b
            .value
            .and_then(|v| hooks::vue_props_type(m.ix, v))
            .and_then(|t| m.ix.member_type(t, &[member.as_str()])),
        _ => None,
    };
    let non_null = vue_prop.is_some_and(|(t, optional)| !optional && !nullable(m.text(t)))
        || parts.len() == 1
            && binding.is_some_and(|b| {
                let own_optional = b
                    .name_node
                    .parent()
                    .is_some_and(|p| p.k() == "optional_parameter");
                let declared = match (b.ty, &b.member_of) {
                    (Some(t), _) => Some((t, own_optional)),
                    (None, Some((t, keys))) => m.ix.member_type(*t, keys),
                    _ => None,
                };
                declared.is_some_and(|(t, optional)| !optional && !nullable(m.text(t)))
            });
    out.push(NameRef {
        name,
        path,
        span: span(x),
        bound,
        non_null,
    });
    // A local constant: what it is made of.
    if parts.len() == 1
        && let Some(b) = binding
        && matches!(b.kind, BindKind::Const | BindKind::Let | BindKind::Var)
        && m.ix.is_constant(b)
        && let Some(v) = b.value
        && !is_function(unwrap(v).k())
    {
        name_refs(m, v, effect, out, depth + 1);
    }
}

/// Whether a type as written may hold no value.
fn nullable(t: &str) -> bool {
    ["null", "undefined", "any", "unknown"]
        .iter()
        .any(|w| t.contains(w))
}

/// Names and paths a condition reads (and what local constants in it are
/// made of).
fn mentioned(m: &Module<'_, '_, '_>, n: Node<'_>, out: &mut Vec<String>, depth: u32) {
    if depth > 3 {
        return;
    }
    visit_bounded(n, 256, |x| {
        match x.k() {
            "identifier" => {
                let t = m.text(x);
                out.push(t.to_string());
                let local = m
                    .ix
                    .lookup(t, x.start_byte())
                    .filter(|b| matches!(b.kind, BindKind::Const | BindKind::Let | BindKind::Var));
                if let Some(v) = local.and_then(|b| b.value) {
                    mentioned(m, v, out, depth + 1);
                }
            }
            "member_expression" => out.extend(m.path(x)),
            // `status === "authenticated"` (next-auth)
            "string" => out.extend(super::index::string_content(x, m.ix.src)),
            _ => {}
        }
        true
    });
}

fn effects(m: &Module<'_, '_, '_>, sets: &mut SetTable) -> Vec<Effect> {
    let ix = m.ix;
    let mut out = Vec::new();
    for c in &ix.calls {
        // React's effects, and the Vue and Svelte hooks that play their
        // role (`onMounted`, `onMount`, `watchEffect`, `$effect`).
        let Some((name, kind, f)) = hooks::effect_call(ix, c.node, c.func) else {
            continue;
        };
        let deps = match kind {
            EffectKind::React => deps_of(m, c.node.f("arguments").and_then(|a| a.named_child(1))),
            _ => Deps::Framework,
        };
        let mut v = EffectVisitor {
            m,
            effect: ix.functions[f].node,
            opens: Vec::new(),
            via: Vec::new(),
        };
        let mut w = Walk::new(ix, m.scope, sets);
        w.run(f, None, &mut v);
        let truncated = w.truncated;
        if v.opens.is_empty() {
            continue;
        }
        let head = c.node.f("function").map_or(span(c.node), span);
        let callback = ix.functions[f].node;
        let arg = hooks::effect(name).map_or(0, |(_, arg)| arg);
        let inline = c
            .node
            .f("arguments")
            .and_then(|a| a.named_child(arg))
            .is_some_and(|a| a.id() == callback.id());
        // Runs again when what a guard in it reads changes: React's
        // (through its dependency array), `watchEffect`'s and `$effect`'s
        // (they track it); not a mount hook, nor `watch(source, ...)`.
        let reruns = kind == EffectKind::React || (kind == EffectKind::Tracked && arg == 0);
        out.push(Effect {
            span: head,
            deps,
            opens: v.opens,
            truncated,
            body: inline.then(|| effect_body(m, callback, reruns)).flatten(),
        });
    }
    out
}

/// An inline effect callback's body, with its statements and the names
/// each declares.
fn effect_body(m: &Module<'_, '_, '_>, callback: Node<'_>, reruns: bool) -> Option<EffectBody> {
    let body = callback.f("body")?;
    if body.kind() != "statement_block" {
        return Some(EffectBody {
            span: span(body),
            block: false,
            statements: Vec::new(),
            reruns,
        });
    }
    let mut statements = Vec::new();
    let mut cursor = body.walk();
    for stmt in body.named_children(&mut cursor) {
        if stmt.kind() == "comment" {
            continue;
        }
        let mut names = Vec::new();
        if matches!(stmt.kind(), "lexical_declaration" | "variable_declaration") {
            let mut c = stmt.walk();
            for d in stmt.named_children(&mut c) {
                if d.kind() != "variable_declarator" {
                    continue;
                }
                let Some(name) = d.f("name") else { continue };
                visit_bounded(name, 64, |x| {
                    if matches!(
                        x.kind(),
                        "identifier" | "shorthand_property_identifier_pattern"
                    ) {
                        names.push(m.text(x).to_string());
                    }
                    true
                });
            }
        }
        statements.push((span(stmt), names));
    }
    Some(EffectBody {
        span: span(body),
        block: true,
        statements,
        reruns,
    })
}

fn close_calls(m: &Module<'_, '_, '_>) -> Vec<CloseCall> {
    let ix = m.ix;
    let mut out = Vec::new();
    for c in &ix.calls {
        let Some(obj) = m.socket_call(c.node, c.name, &["close"]) else {
            continue;
        };
        let Some(arg) = c
            .node
            .f("arguments")
            .and_then(|a| a.named_child(0))
            .filter(|a| a.k() != "comment")
        else {
            continue;
        };
        let receiver_node = m
            .key(obj)
            .and_then(|p| m.site_by_binding.get(&p).map(|&i| &m.sites[i]))
            .is_some_and(|s| s.kind == SocketKind::Node);
        out.push(CloseCall {
            span: span(arg),
            code: m.scope.value(arg),
            node_ws: m.node_ws || receiver_node,
        });
    }
    out
}

/// Sets named like terminal sets, and sets tested against a close code
/// anywhere in the module (utility functions included).
fn named_and_tested_sets(m: &Module<'_, '_, '_>, sets: &mut SetTable) {
    let ix = m.ix;
    let mut names_seen: HashMap<usize, ()> = HashMap::new();
    for (name, bs) in &ix.bindings {
        if !names::is_terminal_set_name(name) {
            continue;
        }
        for b in bs {
            let Some(v) = b.value else { continue };
            if !ix.is_constant(b) {
                continue;
            }
            let r = m.scope.value(v);
            let Value::Numbers(codes) = r.value else {
                continue;
            };
            let ns = span(b.name_node);
            if names_seen.insert(ns.start, ()).is_some() {
                continue;
            }
            if let Some(s) = sets.sets.iter_mut().find(|s| s.name_span == ns) {
                s.by_name = true;
                continue;
            }
            sets.sets.push(CodeSet {
                name: Some((*name).to_string()),
                name_span: ns,
                value_span: span(v),
                codes: Some(codes),
                role: SetRole::Terminal,
                by_name: true,
                tested: false,
                defined_elsewhere: None,
                builtin: None,
            });
        }
    }
    for c in &ix.calls {
        if !matches!(c.name, Some("has" | "includes")) {
            continue;
        }
        let Some(arg) = c
            .node
            .f("arguments")
            .and_then(|a| a.named_child(0))
            .map(unwrap)
        else {
            continue;
        };
        let looks_like_code = match arg.k() {
            "member_expression" => arg.f("property").is_some_and(|p| m.text(p) == "code"),
            "identifier" => {
                let w = names::words(m.text(arg));
                w.last().is_some_and(|l| l == "code") && w.len() <= 2
            }
            _ => false,
        };
        if !looks_like_code {
            continue;
        }
        let Some(obj) = c.node.f("function").map(unwrap).and_then(|f| f.f("object")) else {
            continue;
        };
        // Outside a close handler only a set named as terminal says which
        // way it is used (`[1000, 1001, 1006].includes(code)` may as well
        // list the codes that are not errors).
        let named = m
            .path(obj)
            .is_some_and(|p| names::is_terminal_set_name(base(&p)));
        if named {
            register_set(ix, m.scope, sets, obj);
        }
    }
}

/// A socket handed to code this module cannot see that may keep it alive:
/// a helper named like a keepalive (`startHeartbeat(ws)`), or any function
/// imported from the same project (`attachListeners(ws, ...)` from
/// `./attach-listener`).
fn heartbeat_elsewhere(m: &Module<'_, '_, '_>) -> bool {
    let local_imports: HashSet<&str> =
        m.ix.imports
            .iter()
            .filter(|i| {
                ["./", "../", "@/", "~/"]
                    .iter()
                    .any(|p| i.module.starts_with(p))
            })
            .map(|i| i.local.as_str())
            .collect();
    m.ix.calls.iter().any(|c| {
        let Some(name) = c.name else {
            return false;
        };
        let lower = name.to_ascii_lowercase();
        let keepalive = ["heartbeat", "keepalive", "ping", "keep_alive"]
            .iter()
            .any(|k| lower.contains(k));
        if !keepalive && !local_imports.contains(name) {
            return false;
        }
        if m.ix.resolve_callee(c.node, c.func).is_some() {
            return false;
        }
        // A local import only when called by its name, not as `x.name()`.
        let by_name = c
            .node
            .f("function")
            .map(unwrap)
            .is_some_and(|f| f.k() == "identifier");
        if !keepalive && !by_name {
            return false;
        }
        c.node.f("arguments").is_some_and(|a| {
            let mut cur = a.walk();
            a.named_children(&mut cur).any(|x| m.is_socket(x))
        })
    })
}
