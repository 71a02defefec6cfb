//! What one function body does with its websocket, recorded once per
//! function: receives, sends, closes, accepts, calls, the loops, timeouts
//! and `try` handlers around them (as a tree of regions), comparisons with
//! `"ping"`, and the names it uses (for org filtering).

use crate::lang::kind::Kind;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::symbols::{self, Callee, ClassId, FnId, Module};
use super::syntax::{self, Call, MAX_NESTING, span, text, unawait, unparen};
use super::{NameKind, NameUse, TimeoutKind};
use crate::source::Span;
use crate::values::Resolved;

pub(crate) type RegionId = usize;

/// Which names hold the websocket in each function.
#[derive(Default, Clone)]
pub(crate) struct WsCx {
    /// Parameters, aliases and closure variables that hold it.
    pub names: HashSet<String>,
    /// Variables holding an object built with it (`v = Validator(websocket)`).
    pub holders: HashSet<String>,
}

/// Everything the classification of a call needs to know.
pub(crate) struct Cx<'a, 't> {
    pub m: &'a Module<'t>,
    pub f: FnId,
    pub ws: &'a WsCx,
    /// `self.X` attributes that hold the websocket, per class.
    pub class_attrs: &'a [HashSet<String>],
}

impl Cx<'_, '_> {
    fn class(&self) -> Option<ClassId> {
        self.m.class_of_method(self.f)
    }

    /// Whether `n` is this function's websocket. `strict`: only names known
    /// to hold it; otherwise also names that say so (`ws`, `self.websocket`,
    /// `conn_ws`).
    pub(crate) fn is_ws(&self, n: Node<'_>, strict: bool) -> bool {
        let n = unparen(n);
        let src = self.m.src;
        match n.k() {
            "identifier" => {
                let t = text(n, src);
                self.ws.names.contains(t) || (!strict && ws_like(t))
            }
            "attribute" => {
                let obj = n.field("object").map(unparen);
                let attr = syntax::last_name(n, src).unwrap_or("");
                let via_self = obj.is_some_and(|o| matches!(text(o, src), "self" | "cls"));
                if via_self
                    && let Some(c) = self.class()
                    && self.class_attrs[c].contains(attr)
                {
                    return true;
                }
                !strict && ws_like(attr)
            }
            _ => false,
        }
    }

    /// Whether `n` is the websocket or an object built with it.
    pub(crate) fn holds_ws(&self, n: Node<'_>) -> bool {
        let n = unparen(n);
        self.is_ws(n, false)
            || (n.k() == "identifier" && self.ws.holders.contains(text(n, self.m.src)))
    }

    /// Whether a call hands the websocket to its callee (as an argument, or
    /// as the receiver of a method of an object built with it).
    pub(crate) fn passes_ws(&self, call: &Call<'_>) -> bool {
        call.args
            .iter()
            .chain(call.kwargs.iter().map(|(_, v)| v))
            .any(|a| self.holds_ws(*a))
            || call.receiver().is_some_and(|r| self.holds_ws(r))
    }

    pub(crate) fn classify(&self, call: &Call<'_>) -> CallKind {
        let src = self.m.src;
        let Some(name) = call.name(src) else {
            return CallKind::Other;
        };
        let recv = call.receiver();
        let on_ws = |strict| recv.is_some_and(|r| self.is_ws(r, strict));
        match name {
            "receive_text" | "receive_json" | "receive_bytes" if on_ws(false) => CallKind::Receive,
            "receive" if on_ws(true) => CallKind::Receive,
            "iter_text" | "iter_json" | "iter_bytes" if on_ws(false) => CallKind::Iter,
            "send_text" | "send_json" | "send_bytes" | "send" if on_ws(false) => CallKind::Send,
            "close" if on_ws(false) => CallKind::Close,
            "accept" if on_ws(false) => CallKind::Accept,
            "wait_for" => CallKind::WaitFor,
            "WebSocketException" => CallKind::WsException,
            "sleep" if self.async_module(call, name) => CallKind::Sleep,
            _ => match self.timeout_context(call, name) {
                Some(kind) => CallKind::TimeoutCtx(kind),
                None => CallKind::Other,
            },
        }
    }

    /// `asyncio.timeout(T)`, `async_timeout.timeout(T)`,
    /// `anyio.fail_after(T)`, `anyio.move_on_after(T)` (also trio's, the
    /// `_at` deadline forms, and these names imported bare).
    fn timeout_context(&self, call: &Call<'_>, name: &str) -> Option<TimeoutKind> {
        let kind = match name {
            "timeout" | "timeout_at" | "fail_after" | "fail_at" => TimeoutKind::Raises,
            "move_on_after" | "move_on_at" => TimeoutKind::MoveOn,
            _ => return None,
        };
        self.async_module(call, name).then_some(kind)
    }

    /// Whether the callee comes from asyncio, async_timeout, anyio or trio
    /// (`asyncio.sleep`, `aio.sleep` for `import asyncio as aio`, `sleep`
    /// imported from one of them).
    fn async_module(&self, call: &Call<'_>, name: &str) -> bool {
        let src = self.m.src;
        let module = match unparen(call.callee).k() {
            "attribute" => call
                .receiver()
                .and_then(|r| syntax::dotted(r, src))
                .map(|d| {
                    let root = d.split('.').next().unwrap_or("").to_string();
                    self.m
                        .imports
                        .iter()
                        .rev()
                        .find(|i| i.local == root && i.name.is_none())
                        .map(|i| i.module.clone())
                        .unwrap_or(d)
                }),
            "identifier" => self
                .m
                .imports
                .iter()
                .rev()
                .find(|i| i.local == name && i.name.is_some())
                .map(|i| i.module.clone()),
            _ => None,
        };
        let Some(module) = module else { return false };
        let root = module.split('.').next().unwrap_or("");
        matches!(root, "asyncio" | "async_timeout" | "anyio" | "trio")
    }
}

/// Names that say they hold a websocket.
pub(crate) fn ws_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(n.as_str(), "websocket" | "ws" | "web_socket" | "socket")
        || n.ends_with("_websocket")
        || n.ends_with("_ws")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallKind {
    Receive,
    Iter,
    Send,
    Close,
    Accept,
    WaitFor,
    TimeoutCtx(TimeoutKind),
    WsException,
    Sleep,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Catch {
    /// The clause catches the timeout (`TimeoutError`, `Exception`, ...).
    Yes,
    /// The clause names something that may (a tuple variable, an unknown name).
    Maybe,
    No,
}

pub(crate) enum RegionKind {
    Loop {
        header: Span,
    },
    Bound(usize),
    /// A `try` body; its first clause that may catch the timeout.
    Try {
        catch: Option<(usize, Catch)>,
    },
    /// An `except` clause's body.
    Handler,
    /// The block a comparison with `"ping"` guards.
    Guard,
}

pub(crate) struct Region {
    pub kind: RegionKind,
    pub parent: Option<RegionId>,
    /// Where the statement or block it stands for starts.
    pub start: usize,
}

pub(crate) struct Bound {
    pub kind: TimeoutKind,
    /// The `wait_for(...)` / `timeout(...)` call.
    pub call: Span,
    pub callee: String,
    pub value: BoundValue,
    pub value_span: Span,
    pub value_text: String,
}

pub(crate) enum BoundValue {
    Known(Resolved),
    /// `timeout=None`: no bound at all.
    NoneLiteral,
}

pub(crate) struct Handler {
    /// `except asyncio.TimeoutError:`
    pub span: Span,
    pub caught: String,
    pub region: RegionId,
}

#[derive(Clone, Copy)]
pub(crate) struct Site {
    pub span: Span,
    pub region: Option<RegionId>,
}

pub(crate) struct ReceiveSite {
    pub span: Span,
    /// `websocket.receive_text()` as written (arguments elided).
    pub call: String,
    pub region: Option<RegionId>,
    /// Not awaited where it stands (handed to `create_task`, `gather`, ...):
    /// whatever bounds it is out of sight.
    pub opaque: bool,
    /// `async for m in websocket.iter_text()`: the loop is the receive.
    pub iter: bool,
    /// `async for m in channel` over a wrapper class: what its
    /// `__anext__` receives, described (see `wrappers`).
    pub wrapper: Option<String>,
}

pub(crate) struct CallSite {
    pub span: Span,
    pub callee: Callee,
    /// The callee as written.
    pub name: String,
    pub passes_ws: bool,
    pub region: Option<RegionId>,
}

pub(crate) struct PingSite {
    pub span: Span,
    pub region: Option<RegionId>,
    /// The guarded block, when the string is compared in an `if`/`case`.
    pub guard: Option<RegionId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseKind {
    Close,
    Exception,
}

pub(crate) struct CloseSite {
    pub kind: CloseKind,
    /// The call (`websocket.close(...)`, `WebSocketException(...)`).
    pub span: Span,
    pub code: Option<(Resolved, Span, String)>,
}

#[derive(Default)]
pub(crate) struct Facts {
    pub regions: Vec<Region>,
    pub bounds: Vec<Bound>,
    pub handlers: Vec<Handler>,
    pub receives: Vec<ReceiveSite>,
    pub sends: Vec<Site>,
    /// `return value`, `yield`, assignments: what a ping branch may reply with.
    pub replies: Vec<Site>,
    /// `break`, `return`, `raise`.
    pub exits: Vec<Site>,
    pub continues: Vec<Site>,
    pub calls: Vec<CallSite>,
    pub pings: Vec<PingSite>,
    pub closes: Vec<CloseSite>,
    pub accepts: Vec<Span>,
    /// `asyncio.sleep(T)` (and anyio's, trio's): the delay.
    pub sleeps: Vec<(Site, Resolved, Span, String)>,
    pub names: Vec<NameUse>,
    /// Functions of the module this one hands on as values, to be run by
    /// whoever receives them: `stream(ws, belongs_to)`, `functools.partial(
    /// belongs_to, ...)`, `self.filter_for` as an argument, and those a
    /// live `lambda` calls. Followed for the names they use only.
    pub refs: Vec<(FnId, Span)>,
    /// `async for msg in channel` over an object of a class (of this
    /// module or imported) that may wrap the websocket, and calls of a
    /// method of an imported class's object (`await channel.recv()`):
    /// resolved into receives once every function's facts are known.
    pub wrapper_uses: Vec<WrapperUse>,
}

/// The class an object is an instance of, as far as the module tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WrapperClass {
    Local(ClassId),
    /// The dotted name as written, its first part imported
    /// (`Channel`, `channels.Channel`, `Channel.open` for a factory).
    Imported(String),
}

/// `async for msg in channel` where `channel` is an instance of a class,
/// or `channel.recv()` where it is an instance of an imported class.
pub(crate) struct WrapperUse {
    /// The iterable (`channel`), or the call.
    pub span: Span,
    pub text: String,
    /// The loop's own region, or the call's.
    pub region: Option<RegionId>,
    pub class: WrapperClass,
    /// The method called; `None` for `async for`.
    pub method: Option<String>,
    /// A call not awaited where it stands (handed to `create_task`).
    pub opaque: bool,
}

impl Facts {
    /// Whether region `inner` (or a site in it) lies within `outer`.
    pub(crate) fn within(&self, inner: Option<RegionId>, outer: RegionId) -> bool {
        let mut cur = inner;
        let mut steps = 0;
        while let Some(r) = cur {
            if r == outer {
                return true;
            }
            steps += 1;
            if steps > self.regions.len() {
                return false;
            }
            cur = self.regions[r].parent;
        }
        false
    }

    /// The regions from the outermost to `inner`.
    pub(crate) fn path(&self, inner: Option<RegionId>) -> Vec<RegionId> {
        let mut out = Vec::new();
        let mut cur = inner;
        while let Some(r) = cur {
            if out.len() > self.regions.len() {
                break;
            }
            out.push(r);
            cur = self.regions[r].parent;
        }
        out.reverse();
        out
    }
}

/// Records the facts of function `cx.f`.
pub(crate) fn facts(cx: &Cx<'_, '_>) -> Facts {
    let mut w = Walker {
        cx,
        facts: Facts::default(),
        region: None,
        seen_names: HashSet::new(),
        guarded_strings: HashSet::new(),
        callees: HashSet::new(),
        used: HashMap::new(),
    };
    let info = &cx.m.functions[cx.f];
    for p in &info.params {
        if let Some(name) = param_name_node(p.node) {
            w.name(name, NameKind::Parameter);
        }
        for n in [p.annotation, p.default].into_iter().flatten() {
            w.visit(n, 0);
        }
    }
    if let Some(body) = info.body() {
        w.visit(body, 0);
    }
    w.facts
}

fn param_name_node(p: Node<'_>) -> Option<Node<'_>> {
    match p.k() {
        "identifier" => Some(p),
        "typed_parameter" => p.named_child(0),
        _ => p.field("name"),
    }
}

struct Walker<'c, 'a, 't> {
    cx: &'c Cx<'a, 't>,
    facts: Facts,
    region: Option<RegionId>,
    seen_names: HashSet<String>,
    /// `"ping"` strings already recorded as guarded comparisons.
    guarded_strings: HashSet<usize>,
    /// The callee nodes of the calls seen: a function named there is
    /// called, not handed on.
    callees: HashSet<usize>,
    /// Whether a name is read somewhere in the function besides where it
    /// is bound (cached).
    used: HashMap<String, bool>,
}

impl<'t> Walker<'_, '_, 't> {
    fn src(&self) -> &'t str {
        self.cx.m.src
    }

    fn push(&mut self, kind: RegionKind, start: usize) -> Option<RegionId> {
        let saved = self.region;
        self.facts.regions.push(Region {
            kind,
            parent: saved,
            start,
        });
        self.region = Some(self.facts.regions.len() - 1);
        saved
    }

    fn site(&self, n: Node<'_>) -> Site {
        Site {
            span: span(n),
            region: self.region,
        }
    }

    fn name(&mut self, n: Node<'_>, kind: NameKind) {
        let t = text(n, self.src());
        if t.is_empty() || !self.seen_names.insert(t.to_string()) {
            return;
        }
        self.facts.names.push(NameUse {
            name: t.to_string(),
            span: span(n),
            kind,
            function: self.cx.m.functions[self.cx.f].name.clone(),
        });
    }

    fn children(&mut self, n: Node<'t>, depth: u32) {
        let m = self.cx.m;
        for k in m.flat.children(n) {
            self.visit(k, depth + 1);
        }
    }

    fn visit(&mut self, n: Node<'t>, depth: u32) {
        if depth <= MAX_NESTING && n.k() == "lambda" {
            // A filter handed to a helper (`stream(ws, lambda job:
            // job.org_id == org_id)`) runs as part of the endpoint; one
            // that nothing calls or receives does not.
            if self.live(n) {
                self.lambda_names(n);
            }
            return;
        }
        if depth > MAX_NESTING || syntax::is_scope(n) {
            return;
        }
        match n.k() {
            "comment" => {}
            "expression_statement"
                if n.named_child_count() == 1
                    && n.named_child(0).is_some_and(|c| c.k() == "string") =>
            {
                // A docstring.
            }
            "while_statement" => {
                let cond = n.field("condition");
                if let Some(c) = cond {
                    self.visit(c, depth + 1);
                }
                let header = Span::new(
                    n.start_byte(),
                    cond.map_or(n.start_byte() + 5, |c| c.end_byte()),
                );
                let saved = self.push(RegionKind::Loop { header }, n.start_byte());
                if let Some(b) = n.field("body") {
                    self.visit(b, depth + 1);
                }
                self.region = saved;
                if let Some(a) = n.field("alternative") {
                    self.visit(a, depth + 1);
                }
            }
            "for_statement" => self.for_statement(n, depth),
            "try_statement" => self.try_statement(n, depth),
            "with_statement" => self.with_statement(n, depth),
            "if_statement" | "elif_clause" => self.if_statement(n, depth),
            "case_clause" => {
                let mut c = n.walk();
                let patterns: Vec<Node<'t>> = n
                    .named_children(&mut c)
                    .filter(|p| p.k() == "case_pattern")
                    .collect();
                let pings = patterns
                    .iter()
                    .flat_map(|p| self.ping_strings(*p))
                    .collect::<Vec<_>>();
                self.guarded(n, "consequence", pings, depth);
            }
            "call" => self.call(n, depth),
            "raise_statement" | "return_statement" | "break_statement" => {
                self.facts.exits.push(self.site(n));
                if n.k() == "return_statement" && n.named_child_count() > 0 {
                    self.facts.replies.push(self.site(n));
                }
                self.children(n, depth);
            }
            "continue_statement" => self.facts.continues.push(self.site(n)),
            "yield" | "assignment" | "augmented_assignment" => {
                self.facts.replies.push(self.site(n));
                self.children(n, depth);
            }
            "attribute" => {
                if let Some(o) = n.field("object") {
                    self.visit(o, depth + 1);
                }
                if let Some(a) = n.field("attribute") {
                    self.name(a, NameKind::Attribute);
                }
                self.reference(n);
            }
            "keyword_argument" => {
                if let Some(k) = n.field("name") {
                    self.name(k, NameKind::Keyword);
                }
                if let Some(v) = n.field("value") {
                    self.visit(v, depth + 1);
                }
            }
            "identifier" => {
                self.name(n, NameKind::Identifier);
                self.reference(n);
            }
            "string" => self.string(n),
            _ => self.children(n, depth),
        }
    }

    /// The class `n` (an iterable) is an instance of: a constructor call
    /// (`Channel(websocket)`, `await Channel.open(websocket)`), a local
    /// bound once to one, or a parameter annotated with the class.
    fn wrapper_class(&self, n: Node<'t>) -> Option<WrapperClass> {
        let m = self.cx.m;
        let n = unparen(unawait(unparen(n)));
        match n.k() {
            "call" => self.class_named(n.field("function")?),
            "identifier" => {
                let name = text(n, self.src());
                let mut scope = Some(self.cx.f);
                while let Some(s) = scope {
                    let info = &m.functions[s];
                    if let Some(p) = info.params.iter().find(|p| p.name == name) {
                        return p.annotation.and_then(|a| self.class_named(a));
                    }
                    match m.locals[s].get(name) {
                        Some(symbols::Binding::Value(v)) => {
                            let v = unparen(unawait(unparen(*v)));
                            return (v.k() == "call")
                                .then(|| v.field("function"))
                                .flatten()
                                .and_then(|c| self.class_named(c));
                        }
                        Some(symbols::Binding::Ambiguous) => return None,
                        None => scope = info.parent,
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// `Channel`, `Channel.open`, `channels.Channel`: a class of this module
    /// or an imported name.
    fn class_named(&self, n: Node<'t>) -> Option<WrapperClass> {
        let m = self.cx.m;
        // An annotation is a `type` node around the expression.
        let n = match n.k() {
            "type" => n.named_child(0)?,
            _ => n,
        };
        let dotted = syntax::dotted(unparen(n), self.src())?;
        let first = dotted.split('.').next().unwrap_or("");
        if let Some(&c) = m.class_by_name.get(first) {
            return Some(WrapperClass::Local(c));
        }
        // An imported name is looked up in its module only when some part
        // of it is in CapWords, as classes are named (`Channel`,
        // `realtime.Channel.open`): `async for u in job_updates(...)` does
        // not read the module of `job_updates`. Framework classes are no
        // wrappers of the project's.
        let class_like = dotted
            .split('.')
            .any(|p| p.starts_with(|c: char| c.is_ascii_uppercase()));
        let import = m.imports.iter().rev().find(|i| i.local == first)?;
        let root = import.module.split('.').next().unwrap_or("");
        (class_like && !matches!(root, "fastapi" | "starlette" | "typing" | "collections"))
            .then_some(WrapperClass::Imported(dotted))
    }

    /// `n` (an identifier or attribute that is not a callee) names a
    /// function of the module handed on as a value: a reference, when the
    /// value goes somewhere.
    fn reference(&mut self, n: Node<'t>) {
        if self.callees.contains(&n.id()) {
            return;
        }
        // Most identifiers are no function of the module.
        if n.k() == "identifier" && !self.cx.m.may_name_fn(text(n, self.src())) {
            return;
        }
        if let Callee::Fn(g) = self.cx.m.resolve_callee(self.cx.f, n)
            && g != self.cx.f
            && self.live(n)
        {
            self.facts.refs.push((g, span(n)));
        }
    }

    /// Whether the value of expression `n` goes anywhere: not when it is a
    /// statement of its own (`lambda job: ...` alone on its line) or is
    /// assigned to a name the function never reads; anything else (an
    /// argument, a keyword, a return value, an attribute or item it is
    /// stored in, a name read later) hands it on.
    fn live(&mut self, n: Node<'t>) -> bool {
        let mut cur = n;
        for _ in 0..MAX_NESTING {
            let Some(p) = cur.parent() else { return true };
            match p.k() {
                "expression_statement" => return false,
                "assignment" | "augmented_assignment" => {
                    let right = p.field("right");
                    if right.is_none_or(|r| r.id() != cur.id()) {
                        return true;
                    }
                    return match p.field("left") {
                        Some(l) if l.k() == "identifier" => {
                            let name = text(l, self.src()).to_string();
                            self.read_elsewhere(&name)
                        }
                        _ => true,
                    };
                }
                // `functools.partial(f, ...)` only builds a value: its
                // arguments go where that value goes.
                "argument_list" if p.parent().is_some_and(|c| is_partial(c, self.src())) => {
                    cur = p.parent().unwrap_or(p);
                }
                "argument_list" | "return_statement" | "yield" | "call" => {
                    return true;
                }
                k if k.ends_with("_statement") || k == "block" || k == "module" => return true,
                _ => cur = p,
            }
        }
        true
    }

    /// Whether `name` is read in the function other than as the target it
    /// is bound to (closures and lambdas of the function included).
    fn read_elsewhere(&mut self, name: &str) -> bool {
        if let Some(&v) = self.used.get(name) {
            return v;
        }
        let src = self.src();
        let mut count = 0;
        if let Some(body) = self.cx.m.functions[self.cx.f].body() {
            self.cx.m.flat.walk(
                body,
                |_| true,
                |x| {
                    if x.k() == "identifier" && text(x, src) == name {
                        count += 1;
                    }
                },
            );
        }
        // One occurrence is the assignment's own target.
        let v = count > 1;
        self.used.insert(name.to_string(), v);
        v
    }

    /// The names a live lambda uses (its parameters, identifiers,
    /// attributes, keywords, string keys) and the functions of the module
    /// it calls or names, followed for their names.
    fn lambda_names(&mut self, n: Node<'t>) {
        let mut nodes = Vec::new();
        self.cx.m.flat.walk(n, |_| true, |x| nodes.push(x));
        for x in nodes {
            match x.k() {
                "identifier" => {
                    let kind = match x.parent().map(|p| p.k()) {
                        Some("attribute") => NameKind::Attribute,
                        Some("keyword_argument") => NameKind::Keyword,
                        Some("lambda_parameters") => NameKind::Parameter,
                        _ => NameKind::Identifier,
                    };
                    self.name(x, kind);
                    if let Callee::Fn(g) = self.cx.m.resolve_callee(self.cx.f, x)
                        && g != self.cx.f
                    {
                        self.facts.refs.push((g, span(x)));
                    }
                }
                "attribute" => {
                    if let Callee::Fn(g) = self.cx.m.resolve_callee(self.cx.f, x)
                        && g != self.cx.f
                    {
                        self.facts.refs.push((g, span(x)));
                    }
                }
                "string" => {
                    if let Some(s) = syntax::string_literal(x, self.src())
                        && is_name_like(&s)
                        && self.seen_names.insert(s.clone())
                    {
                        self.facts.names.push(NameUse {
                            name: s,
                            span: span(x),
                            kind: NameKind::String,
                            function: self.cx.m.functions[self.cx.f].name.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
    }

    fn string(&mut self, n: Node<'t>) {
        let Some(s) = syntax::string_literal(n, self.src()) else {
            return;
        };
        // A "ping" the endpoint sends itself (`send_text(json.dumps({"type":
        // "ping"}))`, its own keepalive) answers nothing.
        if is_ping(&s) && !self.guarded_strings.contains(&n.id()) && !sent(n, self.src()) {
            self.facts.pings.push(PingSite {
                span: span(n),
                region: self.region,
                guard: None,
            });
        }
        if is_name_like(&s) && self.seen_names.insert(s.clone()) {
            self.facts.names.push(NameUse {
                name: s,
                span: span(n),
                kind: NameKind::String,
                function: self.cx.m.functions[self.cx.f].name.clone(),
            });
        }
    }

    /// `"ping"` strings compared in `n` (`==`, `in`, a `case` pattern);
    /// negated comparisons (`!=`, `not in`) do not guard the branch.
    fn ping_strings(&self, n: Node<'t>) -> Vec<Node<'t>> {
        let src = self.src();
        let mut out = Vec::new();
        self.cx.m.flat.walk(
            n,
            |m| !syntax::is_scope(m),
            |m| {
                if m.k() != "string" || !syntax::string_literal(m, src).is_some_and(|s| is_ping(&s))
                {
                    return;
                }
                let negated = syntax::parent_unparen(m).is_some_and(|p| {
                    p.k() == "comparison_operator" && {
                        let t = text(p, src);
                        t.contains("!=") || t.contains("not in")
                    }
                });
                if !negated {
                    out.push(m);
                }
            },
        );
        out
    }

    /// Visits field `field` of `n` as the block guarded by `pings`.
    fn guarded(&mut self, n: Node<'t>, field: &str, pings: Vec<Node<'t>>, depth: u32) {
        let saved = self.region;
        if !pings.is_empty() {
            self.push(RegionKind::Guard, n.start_byte());
            let guard = self.region;
            for p in pings {
                self.guarded_strings.insert(p.id());
                self.facts.pings.push(PingSite {
                    span: span(p),
                    region: saved,
                    guard,
                });
            }
        }
        let body = n.field(field);
        let mut c = n.walk();
        let rest: Vec<Node<'t>> = n
            .named_children(&mut c)
            .filter(|k| Some(k.id()) != body.map(|b| b.id()))
            .collect();
        if let Some(b) = body {
            self.visit(b, depth + 1);
        }
        self.region = saved;
        for k in rest {
            self.visit(k, depth + 1);
        }
    }

    fn if_statement(&mut self, n: Node<'t>, depth: u32) {
        let pings = n
            .field("condition")
            .map(|c| self.ping_strings(c))
            .unwrap_or_default();
        self.guarded(n, "consequence", pings, depth);
    }

    fn for_statement(&mut self, n: Node<'t>, depth: u32) {
        let right = n.field("right");
        let body = n.field("body");
        let header = Span::new(
            n.start_byte(),
            right.map_or(n.start_byte() + 3, |r| r.end_byte()),
        );
        let iter_call = right
            .map(unawait)
            .and_then(|r| Call::of(r, self.src()))
            .filter(|c| self.cx.classify(c) == CallKind::Iter);
        if iter_call.is_none()
            && let Some(r) = right
        {
            self.visit(r, depth + 1);
        }
        if let Some(l) = n.field("left") {
            self.visit(l, depth + 1);
        }
        let wrapper = match (iter_call.as_ref(), right) {
            (None, Some(r)) if n.child(0).is_some_and(|c| c.k() == "async") => {
                self.wrapper_class(r).map(|class| (r, class))
            }
            _ => None,
        };
        let saved = self.push(RegionKind::Loop { header }, n.start_byte());
        if let Some((r, class)) = wrapper {
            self.facts.wrapper_uses.push(WrapperUse {
                span: span(r),
                text: text(r, self.src()).to_string(),
                region: self.region,
                class,
                method: None,
                opaque: false,
            });
        }
        if let Some(call) = iter_call {
            self.facts.receives.push(ReceiveSite {
                span: span(call.node),
                call: call_text(&call, self.src()),
                region: self.region,
                opaque: false,
                iter: true,
                wrapper: None,
            });
            for a in call.args.iter().chain(call.kwargs.iter().map(|(_, v)| v)) {
                self.visit(*a, depth + 1);
            }
        }
        if let Some(b) = body {
            self.visit(b, depth + 1);
        }
        self.region = saved;
        if let Some(a) = n.field("alternative") {
            self.visit(a, depth + 1);
        }
    }

    fn try_statement(&mut self, n: Node<'t>, depth: u32) {
        let src = self.src();
        let mut c = n.walk();
        let clauses: Vec<Node<'t>> = n
            .named_children(&mut c)
            .filter(|k| matches!(k.k(), "except_clause" | "except_group_clause"))
            .collect();
        let first = self.facts.handlers.len();
        let mut catch = None;
        for (i, clause) in clauses.iter().enumerate() {
            let (caught, kind) = catches_timeout(*clause, src);
            // `except X as e:` up to its colon.
            let mut cc = clause.walk();
            let colon = clause.children(&mut cc).find(|k| k.k() == ":");
            let header_end = colon.map_or(clause.start_byte() + 6, |k| k.end_byte());
            self.facts.handlers.push(Handler {
                span: Span::new(clause.start_byte(), header_end),
                caught,
                region: 0,
            });
            if catch.is_none() && kind != Catch::No {
                catch = Some((first + i, kind));
            }
        }
        let saved = self.push(RegionKind::Try { catch }, n.start_byte());
        if let Some(b) = n.field("body") {
            self.visit(b, depth + 1);
        }
        self.region = saved;
        for (i, clause) in clauses.iter().enumerate() {
            let saved = self.push(RegionKind::Handler, clause.start_byte());
            self.facts.handlers[first + i].region = self.region.unwrap_or_default();
            if let Some(b) = clause_block(*clause) {
                self.visit(b, depth + 1);
            }
            self.region = saved;
        }
        let mut c = n.walk();
        let rest: Vec<Node<'t>> = n
            .named_children(&mut c)
            .filter(|k| matches!(k.k(), "else_clause" | "finally_clause"))
            .collect();
        for k in rest {
            self.visit(k, depth + 1);
        }
    }

    fn with_statement(&mut self, n: Node<'t>, depth: u32) {
        let src = self.src();
        let saved = self.region;
        let mut items = Vec::new();
        if let Some(clause) = n
            .named_children(&mut n.walk())
            .find(|k| k.k() == "with_clause")
        {
            let mut c = clause.walk();
            items = clause.named_children(&mut c).collect();
        }
        let mut bounds = Vec::new();
        for item in items {
            let Some(value) = item.field("value") else {
                continue;
            };
            // `with x as y` parses as an as_pattern in the item's value.
            let expr = if value.k() == "as_pattern" {
                value.named_child(0).unwrap_or(value)
            } else {
                value
            };
            let call = Call::of(unawait(expr), src);
            let timeout = call.as_ref().and_then(|c| match self.cx.classify(c) {
                CallKind::TimeoutCtx(kind) => Some(kind),
                _ => None,
            });
            match (call, timeout) {
                (Some(call), Some(kind)) => {
                    for a in call.args.iter().chain(call.kwargs.iter().map(|(_, v)| v)) {
                        self.visit(*a, depth + 1);
                    }
                    let arg = call.arg(0, "delay").or_else(|| call.arg(0, "when"));
                    bounds.push(self.bound(&call, kind, arg));
                }
                _ => self.visit(value, depth + 1),
            }
        }
        for b in bounds {
            self.push(RegionKind::Bound(b), n.start_byte());
        }
        if let Some(body) = n.field("body") {
            self.visit(body, depth + 1);
        }
        self.region = saved;
    }

    fn bound(&mut self, call: &Call<'t>, kind: TimeoutKind, arg: Option<Node<'t>>) -> usize {
        let src = self.src();
        let (value, value_span, value_text) = match arg {
            Some(a) if unparen(a).k() == "none" => {
                (BoundValue::NoneLiteral, span(a), "None".to_string())
            }
            Some(a) => (
                BoundValue::Known(self.cx.m.eval(a)),
                span(a),
                text(a, src).to_string(),
            ),
            None => (
                BoundValue::Known(Resolved::unknown()),
                span(call.node),
                String::new(),
            ),
        };
        self.facts.bounds.push(Bound {
            kind,
            call: span(call.node),
            callee: text(call.callee, src).to_string(),
            value,
            value_span,
            value_text,
        });
        self.facts.bounds.len() - 1
    }

    fn call(&mut self, n: Node<'t>, depth: u32) {
        let src = self.src();
        let Some(call) = Call::of(n, src) else {
            return self.children(n, depth);
        };
        let kind = self.cx.classify(&call);
        // Arguments as written (keyword arguments with their names).
        let visit_args = |w: &mut Self| {
            if let Some(list) = n.field("arguments") {
                w.children(list, depth);
            }
        };
        match kind {
            CallKind::Receive | CallKind::Iter => {
                self.facts.receives.push(ReceiveSite {
                    span: span(n),
                    call: call_text(&call, src),
                    region: self.region,
                    opaque: kind == CallKind::Iter || !self.awaited_or_bounded(n),
                    iter: false,
                    wrapper: None,
                });
                visit_args(self);
            }
            CallKind::Send => {
                self.facts.sends.push(self.site(n));
                visit_args(self);
            }
            CallKind::Accept => {
                self.facts.accepts.push(span(n));
                visit_args(self);
            }
            CallKind::Close | CallKind::WsException => {
                let code = call
                    .arg(0, "code")
                    .map(|c| (self.cx.m.eval(c), span(c), text(c, src).to_string()));
                self.facts.closes.push(CloseSite {
                    kind: if kind == CallKind::Close {
                        CloseKind::Close
                    } else {
                        CloseKind::Exception
                    },
                    span: span(n),
                    code,
                });
                visit_args(self);
            }
            CallKind::WaitFor => {
                let awaited = call.arg(0, "fut");
                let timeout = call.arg(1, "timeout");
                let b = self.bound(&call, TimeoutKind::Raises, timeout);
                if let Some(t) = timeout {
                    self.visit(t, depth + 1);
                }
                if let Some(a) = awaited {
                    let saved = self.push(RegionKind::Bound(b), n.start_byte());
                    self.visit(a, depth + 1);
                    self.region = saved;
                }
            }
            CallKind::Sleep => {
                if let Some(d) = call.arg(0, "delay").or_else(|| call.arg(0, "seconds")) {
                    let site = self.site(n);
                    self.facts.sleeps.push((
                        site,
                        self.cx.m.eval(d),
                        span(d),
                        text(d, src).to_string(),
                    ));
                }
                visit_args(self);
            }
            CallKind::TimeoutCtx(_) | CallKind::Other => {
                self.callees.insert(call.callee.id());
                self.callees.insert(unparen(call.callee).id());
                let callee = self.cx.m.resolve_call(self.cx.f, &call);
                if callee == Callee::External
                    && let Some(obj) = call.receiver()
                    && let Some(WrapperClass::Imported(class)) = self.wrapper_class(obj)
                    && let Some(method) = syntax::last_name(call.callee, src)
                {
                    self.facts.wrapper_uses.push(WrapperUse {
                        span: span(n),
                        text: call_text(&call, src),
                        region: self.region,
                        class: WrapperClass::Imported(class),
                        method: Some(method.to_string()),
                        opaque: !self.awaited_or_bounded(n),
                    });
                }
                self.facts.calls.push(CallSite {
                    span: span(n),
                    callee,
                    name: text(call.callee, src).to_string(),
                    passes_ws: self.cx.passes_ws(&call),
                    region: self.region,
                });
                self.visit(call.callee, depth + 1);
                visit_args(self);
            }
        }
    }

    /// A receive that is awaited where it stands, or is what a
    /// `wait_for` waits for.
    fn awaited_or_bounded(&self, n: Node<'t>) -> bool {
        let Some(p) = syntax::parent_unparen(n) else {
            return false;
        };
        match p.k() {
            "await" => true,
            "argument_list" | "keyword_argument" => {
                let call_node = if p.k() == "keyword_argument" {
                    p.parent().and_then(|l| l.parent())
                } else {
                    p.parent()
                };
                call_node
                    .and_then(|c| Call::of(c, self.src()))
                    .filter(|c| self.cx.classify(c) == CallKind::WaitFor)
                    .and_then(|c| c.arg(0, "fut"))
                    .is_some_and(|a| unparen(a).id() == n.id())
            }
            _ => false,
        }
    }
}

fn clause_block(clause: Node<'_>) -> Option<Node<'_>> {
    let mut c = clause.walk();
    clause.named_children(&mut c).find(|k| k.k() == "block")
}

/// `functools.partial(...)` / `partial(...)`.
fn is_partial(call: Node<'_>, src: &str) -> bool {
    call.k() == "call"
        && call
            .field("function")
            .and_then(|c| syntax::last_name(c, src))
            .is_some_and(|n| n == "partial")
}

/// A string that reads as a name (`"org_id"` as a key).
fn is_name_like(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether a string is (part of) what a send call of the statement sends:
/// an argument of `x.send*(...)`.
fn sent(n: Node<'_>, src: &str) -> bool {
    let mut cur = n.parent();
    while let Some(p) = cur {
        if syntax::is_scope(p) || p.k().ends_with("_statement") || p.k() == "block" {
            return false;
        }
        if p.k() == "call"
            && let Some(f) = p.field("function")
            && f.k() == "attribute"
            && f.field("attribute")
                .is_some_and(|a| text(a, src).starts_with("send"))
        {
            return true;
        }
        cur = p.parent();
    }
    false
}

pub(crate) fn is_ping(s: &str) -> bool {
    s.trim().eq_ignore_ascii_case("ping")
}

/// `websocket.receive_text()`.
fn call_text(call: &Call<'_>, src: &str) -> String {
    format!("{}()", text(call.callee, src))
}

/// Whether an `except` clause catches the timeout a `wait_for` or
/// `asyncio.timeout` raises: `TimeoutError` (what `asyncio.TimeoutError`
/// is since Python 3.11), `asyncio.TimeoutError`, `OSError` (its base),
/// `Exception`, `BaseException`, a bare `except:`, or a tuple with one of
/// them. A name that is not an exception class (a tuple variable) may.
pub(crate) fn catches_timeout(clause: Node<'_>, src: &str) -> (String, Catch) {
    let mut c = clause.walk();
    let value = clause.children_by_field_name("value", &mut c).next();
    let Some(value) = value else {
        return ("except:".to_string(), Catch::Yes);
    };
    let value = if value.k() == "as_pattern" {
        value.named_child(0).unwrap_or(value)
    } else {
        value
    };
    let caught = text(value, src).to_string();
    let mut types = Vec::new();
    syntax::walk(
        unparen(value),
        |m| {
            matches!(
                m.k(),
                "tuple" | "parenthesized_expression" | "expression_list"
            )
        },
        |m| {
            if matches!(m.k(), "identifier" | "attribute") {
                types.push(m);
            }
        },
    );
    let mut result = Catch::No;
    for t in types {
        let name = syntax::last_name(t, src).unwrap_or("");
        let verdict = match name {
            "TimeoutError" | "OSError" | "IOError" | "EnvironmentError" | "Exception"
            | "BaseException" => Catch::Yes,
            n if is_exception_class_name(n) => Catch::No,
            _ => Catch::Maybe,
        };
        match verdict {
            Catch::Yes => return (caught, Catch::Yes),
            Catch::Maybe => result = Catch::Maybe,
            Catch::No => {}
        }
    }
    (caught, result)
}

fn is_exception_class_name(n: &str) -> bool {
    n.starts_with(|c: char| c.is_ascii_uppercase())
        && [
            "Error",
            "Exception",
            "Disconnect",
            "Exit",
            "Interrupt",
            "Closed",
            "Warning",
            "Cancelled",
            "Iteration",
            "Timeout",
        ]
        .iter()
        .any(|s| n.ends_with(s))
        && !n.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}
