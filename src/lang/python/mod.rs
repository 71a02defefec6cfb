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
//! - `wsvars`: which names hold the websocket in each function.
//! - `analysis`: endpoints followed through the functions they call.
//! - `parsed`: a module read for what it defines, when another imports it.
//!
//! Imported names are read through an [`Imports`] hook (the project's, in
//! `project::python`); this front end knows one module at a time.

mod analysis;
mod body;
mod flow;
mod parsed;
mod routes;
mod socketio;
mod symbols;
mod syntax;
mod wrappers;
mod wsvars;

use std::cell::RefCell;

use tree_sitter::{Parser, Tree};

use crate::source::{Source, Span};
use crate::values::{Origin, Resolved};

pub use body::CloseKind;
pub use parsed::ParsedModule;
pub use wrappers::Wrapper;

/// A prefix and a path joined as Starlette joins them.
pub fn join_path(prefix: &str, path: &str) -> String {
    routes::join(prefix, path)
}

/// Values of imported names, read from the other modules of the project.
pub trait Imports: Sync {
    /// The value of `path` (`["settings", "WS_IDLE"]`, first the local
    /// name) read through `import`, evaluated in the module that defines it
    /// with `depth` carried on (so import cycles end at
    /// [`crate::values::MAX_DEPTH`]); its origin points at that definition.
    fn value(&self, import: &Import, path: &[&str], depth: u32) -> Resolved;

    /// The names the function `path` reaches through `import` uses (a
    /// dependency imported from another module: `Depends(current_org)`),
    /// with those of the functions of its module it calls or hands on and
    /// of its own `Depends(...)` chain, across modules; `depth` as for
    /// [`Imports::value`]. Empty when it cannot be found.
    fn function_names(&self, _import: &Import, _path: &[&str], _depth: u32) -> Vec<String> {
        Vec::new()
    }

    /// What running the first of `methods` an instance of the class `path`
    /// reaches through `import` has receives (`async for msg in channel`
    /// runs `__anext__`, with `channel = Channel(websocket)` and `from
    /// .channel import Channel`; `channel.recv()` runs `recv`), if it
    /// reaches a receive on a websocket. `None` when it cannot be found or
    /// receives nothing.
    fn wrapper(
        &self,
        _import: &Import,
        _path: &[&str],
        _methods: &[&str],
        _depth: u32,
    ) -> Option<Wrapper> {
        None
    }
}

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

/// A module-level name bound once, with its value as the module alone
/// tells it (imported names unknown).
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
    /// What `path` is relative to: two routes can be compared only when
    /// their roots are equal (the same application, or the same router
    /// whose prefix is unknown). In one module's model: `""` for complete
    /// paths, the router's name for incomplete ones; the project step
    /// (`project::python::link_routes`) puts application names here.
    pub root: String,
    /// `@router.websocket(path)` on a router named in this module: the
    /// router and the path as declared, from which the project step
    /// recomputes the full path across modules.
    pub declared: Option<Declared>,
}

#[derive(Clone, Debug)]
pub struct Declared {
    /// The router's name as written (`router`, `jobs_router`).
    pub router: String,
    /// The path argument's value, no prefix.
    pub path: String,
}

/// A router or application a module binds: `router = APIRouter(prefix=
/// "/jobs")`, `app = FastAPI()`.
#[derive(Clone, Debug)]
pub struct RouterDecl {
    pub name: String,
    /// `FastAPI()` / `Starlette()`: served at the root unless mounted.
    pub app: bool,
    /// `None` when it cannot be resolved.
    pub prefix: Option<String>,
}

/// `parent.include_router(child, prefix=...)` or `parent.mount(path, child)`.
#[derive(Clone, Debug)]
pub struct Inclusion {
    /// Dotted names as written (`app`, `jobs.router`).
    pub parent: String,
    pub child: String,
    /// `None` when it cannot be resolved.
    pub prefix: Option<String>,
    pub span: Span,
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
    /// A receive behind a wrapper class (`async for m in channel`,
    /// `channel.recv()`): what it receives (`` `Channel.__anext__` awaits
    /// `self.ws.receive_text()` ``).
    pub wrapper: Option<String>,
    /// `async for`: the loop is the receive.
    pub iter: bool,
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
    /// As [`Receive::wrapper`].
    pub wrapper: Option<String>,
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
    /// How the accept can move up to run before this close (WS205's fix).
    pub accept_first: Option<AcceptFirst>,
}

/// `await websocket.accept()` moved up in the endpoint's function, to the
/// line above the first of its statements that can close before it: the
/// line to insert at `insert_at`, and the line it leaves. Every early
/// close of the function gets the same move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptFirst {
    pub insert_at: usize,
    pub line: String,
    pub remove: Span,
}

/// A socket.io / Engine.IO server the module starts, with its ping
/// interval (its default when not given).
#[derive(Clone, Debug)]
pub struct SocketIoServer {
    /// The callee (`socketio.AsyncServer`).
    pub span: Span,
    /// `python-socketio`, `python-engineio`, `Flask-SocketIO`.
    pub library: &'static str,
    /// The ping interval in seconds.
    pub ping: TimeoutValue,
    pub origin: Option<Origin>,
    /// The value (or the callee, for the default).
    pub value_span: Span,
    pub default: bool,
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
    /// Routers and applications the module binds, by name (first binding).
    pub routers: Vec<RouterDecl>,
    /// Routers it includes in others, in source order.
    pub inclusions: Vec<Inclusion>,
    /// socket.io / Engine.IO servers it starts.
    pub socketio_servers: Vec<SocketIoServer>,
}

impl ServerModel {
    /// Whether the project step has anything to read here: routes, or
    /// routers that may be included elsewhere or include others.
    pub fn has_route_facts(&self) -> bool {
        !self.inclusions.is_empty() || self.has_routes()
    }

    /// What the project phases read of a module once its own rules have
    /// run: routes, routers, inclusions, imports, and the keepalive of each
    /// endpoint (its heartbeats and its receives' timeouts, for
    /// `wslint routes` and WS303); of each endpoint's names only those
    /// `keep_name` accepts (their order unchanged). A module with routes is
    /// kept until the server phase, and on endpoint-dense code the facts
    /// only its own rules read were most of the run's memory.
    pub fn keep_for_project(&mut self, keep_name: impl Fn(&str) -> bool) {
        for e in &mut self.endpoints {
            e.names.retain(|n| keep_name(&n.name));
            e.names.shrink_to_fit();
        }
        for r in &mut self.receives {
            r.via = Vec::new();
        }
        self.constants = Vec::new();
        self.receive_loops = Vec::new();
        self.closes = Vec::new();
        self.pre_accept = Vec::new();
        self.socketio_servers = Vec::new();
    }

    /// Whether some endpoint of the module is routed.
    pub fn has_routes(&self) -> bool {
        self.endpoints.iter().any(|e| !e.routes.is_empty())
    }
}

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses Python with this thread's parser (made on first use).
pub(crate) fn parse(text: &str) -> Option<Tree> {
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
/// Imported names are read through `imports` (unknown without it).
pub fn build(source: &Source, imports: Option<&dyn Imports>) -> Option<ServerModel> {
    let text = source.text.clone();
    let tree = parse(&text)?;
    let root = tree.root_node();
    let mut m = symbols::Module::collect(root, &text, source);
    m.hook = imports;
    let finder = routes::Finder::new(&m, root);
    let found = finder.find();
    let (routers, inclusions) = finder.facts();
    let (ws, class_attrs) = wsvars::websockets(&m, &found);
    let mut facts: Vec<body::Facts> = (0..m.functions.len())
        .map(|f| {
            body::facts(&body::Cx {
                m: &m,
                f,
                ws: &ws[f],
                class_attrs: &class_attrs,
            })
        })
        .collect();
    wrappers::resolve(&m, imports, &mut facts);
    let mut flow = flow::Flow::new(&m, &ws, &class_attrs);
    let a = analysis::Analysis::new(&m, &facts);
    let result = a.run(&found, &mut flow);
    let socketio_servers = socketio::servers(&m, root);

    // What the module alone tells: evaluating every constant through the
    // project would read modules no rule needs.
    m.hook = None;
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
        routers,
        inclusions,
        socketio_servers,
    })
}

#[cfg(test)]
mod tests;
