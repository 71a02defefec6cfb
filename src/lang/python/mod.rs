//! Python: parse (tree-sitter-python, one parser per thread) and the
//! endpoint model the server rules read.
//!
//! The model is computed once per module, while the syntax tree is alive,
//! and holds plain data: the module's imports and constants, its websocket
//! endpoints with their routes, every receive an endpoint runs in a loop
//! with the timeout and handler around it, every receive loop with whether
//! it answers `"ping"`, every close code, and every close that can run
//! before `accept()`. Rules read it; they never walk the tree.
//!
//! - `symbols`: definitions, bindings, imports, the value scope, calls.
//! - `routes`: endpoints, routes, prefixes, dependencies.
//! - `body`: what each function does with its websocket.
//! - `flow`: the paths before `accept()`.
//! - `analysis`: endpoints followed through the functions they call.

mod analysis;
mod body;
mod flow;
mod routes;
mod symbols;
mod syntax;

use std::cell::RefCell;
use std::collections::HashSet;

use tree_sitter::{Parser, Tree};

use crate::source::{Source, Span};
use crate::values::{Origin, Resolved};

pub use body::CloseKind;

/// `from .settings import IDLE_TIMEOUT as T`: local `T`, module
/// `.settings`, name `Some("IDLE_TIMEOUT")`; `import a.b as c`: local `c`,
/// module `a.b`, name `None`.
#[derive(Clone, Debug)]
pub struct Import {
    pub local: String,
    pub module: String,
    pub name: Option<String>,
    pub span: Span,
}

/// A module-level name bound once, with its value.
#[derive(Clone, Debug)]
pub struct Constant {
    pub name: String,
    /// The value expression.
    pub span: Span,
    pub value: Resolved,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    /// A function registered as a websocket route (decorator, route table,
    /// `add_websocket_route`).
    Route,
    /// A `WebSocketEndpoint` class (or a class registered as a route).
    Class,
    /// A function with a parameter annotated `WebSocket` that nothing in the
    /// module calls: registered or called elsewhere.
    Annotated,
}

/// A path an endpoint serves, prefixes folded in.
#[derive(Clone, Debug)]
pub struct Route {
    pub path: String,
    /// The path argument where the route is declared.
    pub span: Span,
    /// False when a prefix could not be resolved (a router from another
    /// module, a computed prefix): `path` then lacks it.
    pub complete: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Identifier,
    Attribute,
    Keyword,
    Parameter,
    /// A string literal that reads as a name (`row["org_id"]`).
    String,
}

/// A name an endpoint's code uses (first use per function).
#[derive(Clone, Debug)]
pub struct NameUse {
    pub name: String,
    pub span: Span,
    pub kind: NameKind,
    /// The function it is used in.
    pub function: String,
}

#[derive(Clone, Debug)]
pub struct Endpoint {
    pub kind: EndpointKind,
    pub name: String,
    /// The function's or class's name.
    pub span: Span,
    pub routes: Vec<Route>,
    /// Names used by the handler, what it calls in this module, and its
    /// dependencies.
    pub names: Vec<NameUse>,
}

/// One call on the way from an endpoint to a site in a helper.
#[derive(Clone, Debug)]
pub struct Step {
    pub span: Span,
    pub label: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// `wait_for`, `asyncio.timeout`, `async_timeout.timeout`,
    /// `anyio.fail_after`: raise `TimeoutError`.
    Raises,
    /// `anyio.move_on_after`: leaves the block silently.
    MoveOn,
}

#[derive(Clone, Debug)]
pub enum TimeoutValue {
    Seconds(f64),
    /// `timeout=None`: waits forever.
    NoneLiteral,
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Timeout {
    pub kind: TimeoutKind,
    /// The `wait_for(...)` or `timeout(...)` call.
    pub call: Span,
    pub callee: String,
    pub value: TimeoutValue,
    /// Where the value came from (a constant's definition).
    pub origin: Option<Origin>,
    pub value_span: Span,
    pub value_text: String,
}

/// What happens when a receive's timeout fires.
#[derive(Clone, Debug)]
pub enum Keepalive {
    /// Something is sent on the websocket (by the handler, or by the loop
    /// it goes on with).
    Sends,
    /// Nothing is sent: `span` is the handler (or the `move_on_after` block).
    Silent { span: Span, what: String },
    /// No handler in the endpoint catches the `TimeoutError`.
    Uncaught,
    /// Cannot be told (no timeout, a handler for a name we cannot see).
    Unknown,
}

/// A receive an endpoint awaits in a loop.
#[derive(Clone, Debug)]
pub struct Receive {
    pub span: Span,
    /// `websocket.receive_text()`.
    pub call: String,
    /// The function it is in.
    pub function: String,
    /// Index into [`ServerModel::endpoints`].
    pub endpoint: usize,
    pub via: Vec<Step>,
    /// The innermost timeout around it, if any.
    pub timeout: Option<Timeout>,
    pub keepalive: Keepalive,
}

/// Something that sends on an endpoint's websocket on a timer, whatever
/// the client does: a loop that sleeps and sends and does not receive
/// (often a task started next to the receive loop), or a call handing the
/// websocket to a keepalive/heartbeat/ping function we cannot see.
#[derive(Clone, Debug)]
pub struct Heartbeat {
    pub endpoint: usize,
    /// The loop header, or the call.
    pub span: Span,
    /// The loop's sleep (the longest, when it has several).
    pub period: TimeoutValue,
    pub origin: Option<Origin>,
    pub value_span: Span,
    pub value_text: String,
}

/// A loop that receives from the websocket.
#[derive(Clone, Debug)]
pub struct ReceiveLoop {
    /// `while True` / `async for msg in websocket.iter_text()`.
    pub span: Span,
    pub receive: Span,
    pub call: String,
    /// The function the loop is in.
    pub function: String,
    pub endpoint: usize,
    pub via: Vec<Step>,
    pub answers_ping: bool,
    /// A comparison with `"ping"` in it whose branch sends nothing back.
    pub unanswered_ping: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Code {
    pub value: Resolved,
    pub span: Span,
    pub text: String,
}

/// `websocket.close(...)` or `WebSocketException(...)`, anywhere in the module.
#[derive(Clone, Debug)]
pub struct Close {
    pub kind: CloseKind,
    pub span: Span,
    pub code: Option<Code>,
}

/// A close with a code, or a `raise WebSocketException`, that can run
/// before the endpoint accepts the connection.
#[derive(Clone, Debug)]
pub struct PreAccept {
    pub kind: CloseKind,
    pub span: Span,
    pub code: Option<Code>,
    pub endpoint: usize,
    pub via: Vec<Step>,
    /// The endpoint's own `accept()`, if it has one.
    pub accept: Option<Span>,
}

/// What the server rules read about one module.
pub struct ServerModel {
    pub source: Source,
    pub imports: Vec<Import>,
    pub constants: Vec<Constant>,
    pub endpoints: Vec<Endpoint>,
    pub receives: Vec<Receive>,
    pub receive_loops: Vec<ReceiveLoop>,
    pub heartbeats: Vec<Heartbeat>,
    pub closes: Vec<Close>,
    pub pre_accept: Vec<PreAccept>,
}

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses Python with this thread's parser (made on first use).
fn parse(text: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into()).ok()?;
            *slot = Some(p);
        }
        slot.as_mut()?.parse(text, None)
    })
}

/// Builds the model of one module; `None` when it cannot be parsed.
pub fn build(source: &Source) -> Option<ServerModel> {
    let text = source.text.clone();
    let tree = parse(&text)?;
    let root = tree.root_node();
    let m = symbols::Module::collect(root, &text, source);
    let found = routes::Finder::new(&m, root).find();
    let (ws, class_attrs) = websockets(&m, &found);
    let facts: Vec<body::Facts> = (0..m.functions.len())
        .map(|f| {
            body::facts(&body::Cx {
                m: &m,
                f,
                ws: &ws[f],
                class_attrs: &class_attrs,
            })
        })
        .collect();
    let mut flow = flow::Flow::new(&m, &ws, &class_attrs);
    let a = analysis::Analysis::new(&m, &facts);
    let result = a.run(&found, &mut flow);

    let mut constants: Vec<Constant> = m
        .consts
        .iter()
        .filter_map(|(name, b)| match b {
            symbols::Binding::Value(v) => Some(Constant {
                name: name.clone(),
                span: syntax::span(*v),
                value: m.eval(*m.const_targets.get(name)?),
            }),
            symbols::Binding::Ambiguous => None,
        })
        .collect();
    constants.sort_by_key(|c| c.span);
    Some(ServerModel {
        source: source.clone(),
        imports: m.imports.clone(),
        constants,
        endpoints: result.endpoints,
        receives: result.receives,
        receive_loops: result.loops,
        heartbeats: result.heartbeats,
        closes: result.closes,
        pre_accept: result.pre_accept,
    })
}

/// Which names hold the websocket in each function, and which `self.X`
/// attributes in each class: the parameters annotated `WebSocket`, a route
/// handler's first parameter, a `WebSocketEndpoint` method's `websocket`,
/// the parameters the websocket is passed to by calls in this module,
/// closure variables, and aliases (`ws = websocket`).
fn websockets(
    m: &symbols::Module<'_>,
    found: &[routes::Found],
) -> (Vec<body::WsCx>, Vec<HashSet<String>>) {
    let src = m.src;
    let n = m.functions.len();
    let mut params: Vec<HashSet<usize>> = m
        .functions
        .iter()
        .map(|f| {
            f.params
                .iter()
                .enumerate()
                .filter(|(_, p)| p.ws_annotated)
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    for e in found {
        if let Some(h) = e.handler.filter(|_| e.positional_ws) {
            if params[h].is_empty() {
                let info = &m.functions[h];
                let skip = usize::from(info.is_bound_method());
                if info.params.get(skip).is_some_and(|p| !p.splat) {
                    params[h].insert(skip);
                }
            }
        }
        if let Some(c) = e.class {
            for (name, &f) in &m.classes[c].methods {
                let info = &m.functions[f];
                for (i, p) in info.params.iter().enumerate() {
                    let by_position = i == 1
                        && matches!(name.as_str(), "on_connect" | "on_receive" | "on_disconnect");
                    if by_position || p.name == "websocket" {
                        params[f].insert(i);
                    }
                }
            }
        }
    }
    // Parents before their closures.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&f| m.functions[f].node.start_byte());
    let mut ws: Vec<body::WsCx> = vec![body::WsCx::default(); n];
    let mut class_attrs: Vec<HashSet<String>> = vec![HashSet::new(); m.classes.len()];
    for _round in 0..8 {
        for &f in &order {
            let info = &m.functions[f];
            let mut names: HashSet<String> = params[f]
                .iter()
                .map(|&i| info.params[i].name.clone())
                .collect();
            if let Some(p) = info.parent {
                for name in &ws[p].names {
                    if !m.locals[f].contains_key(name) {
                        names.insert(name.clone());
                    }
                }
            }
            let mut holders = HashSet::new();
            if let Some(body) = info.body() {
                for _ in 0..2 {
                    syntax::walk(
                        body,
                        |x| !syntax::is_scope(x),
                        |x| {
                            // `manager.connect(websocket)`: the manager now
                            // holds it.
                            if x.kind() == "call" {
                                if let Some(call) = syntax::Call::of(x, src) {
                                    let root = call.receiver().map(syntax::unparen);
                                    let gets_ws = call
                                        .args
                                        .iter()
                                        .chain(call.kwargs.iter().map(|(_, v)| v))
                                        .any(|a| {
                                            let a = syntax::unparen(*a);
                                            a.kind() == "identifier"
                                                && names.contains(syntax::text(a, src))
                                        });
                                    if let Some(r) = root.filter(|r| r.kind() == "identifier") {
                                        if gets_ws && !names.contains(syntax::text(r, src)) {
                                            holders.insert(syntax::text(r, src).to_string());
                                        }
                                    }
                                }
                                return;
                            }
                            if x.kind() != "assignment" {
                                return;
                            }
                            let (Some(l), Some(r)) = (
                                x.child_by_field_name("left"),
                                x.child_by_field_name("right"),
                            ) else {
                                return;
                            };
                            let r = syntax::unawait(r);
                            match (l.kind(), r.kind()) {
                                ("identifier", "identifier")
                                    if names.contains(syntax::text(r, src)) =>
                                {
                                    names.insert(syntax::text(l, src).to_string());
                                }
                                ("identifier", "call") => {
                                    if let Some(call) = syntax::Call::of(r, src) {
                                        let gets_ws = call
                                            .args
                                            .iter()
                                            .chain(call.kwargs.iter().map(|(_, v)| v))
                                            .any(|a| {
                                                let a = syntax::unparen(*a);
                                                a.kind() == "identifier"
                                                    && names.contains(syntax::text(a, src))
                                            });
                                        if gets_ws {
                                            holders.insert(syntax::text(l, src).to_string());
                                        }
                                    }
                                }
                                ("attribute", "identifier")
                                    if names.contains(syntax::text(r, src)) =>
                                {
                                    let obj = l
                                        .child_by_field_name("object")
                                        .map(|o| syntax::text(o, src));
                                    if matches!(obj, Some("self" | "cls")) {
                                        if let (Some(c), Some(a)) =
                                            (m.class_of_method(f), syntax::last_name(l, src))
                                        {
                                            class_attrs[c].insert(a.to_string());
                                        }
                                    }
                                }
                                _ => {}
                            }
                        },
                    );
                }
            }
            ws[f] = body::WsCx { names, holders };
        }
        let mut changed = false;
        for (f, wsf) in ws.iter().enumerate() {
            let cx = body::Cx {
                m,
                f,
                ws: wsf,
                class_attrs: &class_attrs,
            };
            for &c in &m.functions[f].calls {
                let Some(call) = syntax::Call::of(c, src) else {
                    continue;
                };
                let symbols::Callee::Fn(g) = m.resolve_call(f, &call) else {
                    continue;
                };
                for a in call.args.iter().chain(call.kwargs.iter().map(|(_, v)| v)) {
                    if cx.is_ws(*a, true) {
                        let param = m.param_of_arg(g, &call, *a);
                        // A parameter typed as something else (`Request |
                        // WebSocket`, a protocol class) is not taken as the
                        // websocket, even when one is passed.
                        let untyped = |p: usize| {
                            let q = &m.functions[g].params[p];
                            q.annotation.is_none() || q.ws_annotated
                        };
                        if let Some(p) = param.filter(|&p| untyped(p)) {
                            changed |= params[g].insert(p);
                        }
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    (ws, class_attrs)
}

#[cfg(test)]
mod tests;
