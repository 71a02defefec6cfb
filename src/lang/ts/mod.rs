//! TypeScript/JavaScript: parse (tree-sitter-typescript, one parser per
//! grammar and thread) and the socket model the client rules read.
//!
//! The model is computed once per module ([`build`]) and holds no tree:
//! socket sites with their close handlers and what those handlers do under
//! which conditions, heartbeats with their resolved periods, close-code
//! sets, React effects that open sockets, `close(code)` calls, imports and
//! exported constants. Rules apply the configuration to it.

mod flow;
pub mod hooks;
pub(crate) mod index;
pub mod libs;
pub mod mention;
mod model;
pub mod names;
pub(crate) mod scope;
mod url;

use std::cell::RefCell;

use tree_sitter::{Parser, Tree};

use crate::lang::Lang;
use crate::lang::sfc::{Component, Framework};
use crate::source::{Source, Span};
use crate::values::{Origin, Resolved};

pub use flow::{CmpOp, Cond, Guard, Reading, Tri, path};
pub use scope::{ImportResolver, NoImports};

use index::Index;

/// What the client rules read about one module.
#[derive(Debug)]
pub struct ClientModel {
    pub source: Source,
    pub lang: Lang,
    /// `import` and `require` bindings, for the cross-module project model.
    pub imports: Vec<Import>,
    /// Exported constants with their values as far as this module knows.
    pub exports: Vec<Export>,
    pub sockets: Vec<SocketSite>,
    pub heartbeats: Vec<Heartbeat>,
    pub close_handlers: Vec<CloseHandler>,
    /// Sets of close codes: named like `TERMINAL_CLOSE_CODES`, or tested
    /// against a close code.
    pub code_sets: Vec<CodeSet>,
    pub effects: Vec<Effect>,
    /// Sockets opened outside effects with a token read when they open.
    pub outside_opens: Vec<OutsideOpen>,
    /// Sockets the module keeps and hands to no one (WS108).
    pub kept_sockets: Vec<SocketLife>,
    pub close_calls: Vec<CloseCall>,
    /// socket.io servers the module starts (`new Server(httpServer, opts)`
    /// of `socket.io`), for WS201.
    pub socketio_servers: Vec<SocketIoServer>,
    /// Some close path of the module reopens a socket (a close handler that
    /// reconnects, reconnecting-websocket, react-use-websocket's
    /// `shouldReconnect`).
    pub reconnects: bool,
    /// A socket of the module is handed to a function of another module that
    /// may keep it alive (named like a keepalive, or imported from the same
    /// project): its heartbeat may live there.
    pub heartbeat_elsewhere: bool,
    /// Parts of the module were too deep to model.
    pub truncated: bool,
}

#[derive(Clone, Debug)]
pub struct Import {
    pub local: String,
    /// The module specifier as written (`./config`, `react-use-websocket`).
    pub module: String,
    /// The exported name, `default`, or `*` for a namespace import.
    pub imported: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Export {
    /// The name other modules import.
    pub name: String,
    /// Its declaration in this module.
    pub span: Span,
    pub value: Resolved,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketKind {
    /// The browser's `WebSocket`.
    Browser,
    /// `ws` / `isomorphic-ws` on Node: other close-code rules apply.
    Node,
    /// reconnecting-websocket or partysocket: reconnects on every close
    /// not requested through its `close()`.
    Reconnecting,
    /// react-use-websocket's `useWebSocket(url, options)`.
    ReactUseWebSocket,
    /// socket.io-client's `io(url, opts)`, `new Manager(...)`,
    /// `manager.socket(...)`: the server pings, socket.io reconnects by
    /// itself except after its final reasons.
    SocketIo,
    /// phoenix's `new Socket(url, opts)` (and phoenix_live_view's
    /// `LiveSocket`): a heartbeat of its own, reconnects after every close
    /// it did not ask for.
    Phoenix,
    /// graphql-ws's `createClient({...})`: pings only with `keepAlive`,
    /// retries what its fatal close codes and `shouldRetry` let through.
    GraphqlWs,
    /// Supabase realtime: `new RealtimeClient(url, opts)`, or
    /// `createClient(url, key, { realtime })`.
    Supabase,
    /// centrifuge-js's `new Centrifuge(url, opts)`: the server pings, and
    /// it stops by itself on its terminal bands.
    Centrifuge,
    /// robust-websocket's `new RobustWebSocket(url, protocols, opts)`:
    /// reconnects when its `shouldReconnect` returns a delay.
    Robust,
}

#[derive(Clone, Debug)]
pub struct SocketSite {
    /// `new WebSocket`, `useWebSocket`: where findings about the site point.
    pub span: Span,
    /// The whole expression.
    pub expr: Span,
    pub kind: SocketKind,
    /// What it is stored in (`ws`, `wsRef.current`, `this.socket`).
    pub binding: Option<String>,
    /// The path of its URL as far as it resolves statically, unknown parts
    /// as `*` (`/ws/jobs/*`), the URL argument, and whether the path is
    /// anchored (its origin is known to end where it starts).
    pub url_path: Option<(String, Span, bool)>,
    /// The call a factory of this socket is handed to
    /// (`connectWS({ createWS: () => new WebSocket(url) })`): that function
    /// opens and keeps the socket.
    pub factory_for: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Heartbeat {
    /// The delay argument, or the react-use-websocket option.
    pub span: Span,
    /// The `setInterval(...)` call or the `useWebSocket(...)` call.
    pub call: Span,
    /// Its callee (`setInterval`, `window.setInterval`, `useWebSocket`).
    pub callee: Span,
    /// The period in milliseconds, with where it was defined.
    pub period: Resolved,
    /// The period as written (`HEARTBEAT_MS`, `20 * 1000`).
    pub written: String,
    pub kind: HeartbeatKind,
}

#[derive(Clone, Debug)]
pub enum HeartbeatKind {
    /// `setInterval(() => ws.send(...), period)`, or a `setTimeout` that
    /// sends and schedules itself again.
    Interval(IntervalFacts),
    /// A library's heartbeat option (react-use-websocket's `heartbeat`,
    /// phoenix's `heartbeatIntervalMs`, graphql-ws's `keepAlive`);
    /// `default_interval` when the period is the library's default
    /// (`heartbeat: true`, no `interval`, no `heartbeatIntervalMs`).
    Library {
        default_interval: bool,
        library: SocketKind,
    },
}

#[derive(Clone, Debug)]
pub struct IntervalFacts {
    /// A `setTimeout` that schedules itself again rather than a
    /// `setInterval`: its handle changes every round.
    pub rescheduled: bool,
    pub handle: Handle,
    /// Started each time a socket opens (in an open handler, or in the
    /// function that creates the socket), so each reconnect starts another.
    pub per_connection: bool,
    /// At module top level: one interval for the page's lifetime.
    pub top_level: bool,
    /// A `clearInterval(handle)` on the close path (a close handler or a
    /// function it calls).
    pub cleared_on_close: bool,
    /// Other places that clear it (effect cleanup, `disconnect()`).
    pub cleared_elsewhere: Vec<Span>,
    /// Whether the walks that looked for the clear stopped early.
    pub uncertain: bool,
    /// The function that sets it can run again (a UI event handler, a
    /// non-socket listener, a timer, a public class method runs it) and
    /// overwrites the handle without clearing the running interval first:
    /// (that function's name, what runs it again).
    pub rerun: Option<(String, &'static str)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handle {
    /// `setInterval(...)` as a statement: nothing can clear it.
    Discarded,
    /// Stored in a variable or member (all the paths it is stored under).
    Kept(Vec<String>),
    /// Returned, pushed into a collection, passed on: not followed.
    Elsewhere,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandlerKind {
    /// `ws.onclose = ...`, `addEventListener('close', ...)`, `.on('close', ...)`.
    Close,
    /// react-use-websocket's `onClose` option.
    OnCloseOption,
    /// react-use-websocket's `shouldReconnect` option: its `return`s are the
    /// reconnects.
    ShouldReconnect,
    /// reconnecting-websocket's own reconnect after every close; its
    /// `close()` calls in close listeners are what stops it.
    Library,
    /// A library's event for a close it does not recover from by itself
    /// (socket.io's `disconnect` and `connect_error`, centrifuge's
    /// `disconnected`): a reconnect there undoes the library's decision.
    Terminal(TerminalEvent),
}

/// The events a library fires when it has given up on a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminalEvent {
    /// socket.io `disconnect` with reason `"io server disconnect"`.
    SocketIoDisconnect,
    /// socket.io `connect_error` with `socket.active === false` (the
    /// server's middleware refused the connection).
    SocketIoConnectError,
    /// centrifuge `disconnected`: every one is final.
    CentrifugeDisconnected,
}

impl TerminalEvent {
    /// How the handler's conditions are read on the library's final path.
    pub fn reading<'a>(self, sets: &'a [CodeSet]) -> Reading<'a> {
        let mut r = Reading::on_library_path(sets);
        match self {
            TerminalEvent::SocketIoDisconnect => {
                r.reason = Some("io server disconnect");
                r.active = Some(false);
            }
            TerminalEvent::SocketIoConnectError => r.active = Some(false),
            TerminalEvent::CentrifugeDisconnected => {}
        }
        r
    }

    /// The event as the application listens to it.
    pub fn event(self) -> &'static str {
        match self {
            TerminalEvent::SocketIoDisconnect => "disconnect",
            TerminalEvent::SocketIoConnectError => "connect_error",
            TerminalEvent::CentrifugeDisconnected => "disconnected",
        }
    }
}

/// A call (or `return`) with the conditions under which it happens.
#[derive(Clone, Debug)]
pub struct Point {
    pub span: Span,
    /// What is called, as written (`scheduleReconnect`, `toast.error`).
    pub what: String,
    pub guards: Vec<Guard>,
}

#[derive(Clone, Debug)]
pub struct CloseHandler {
    /// Where the handler is attached (`ws.onclose`, `'close'`,
    /// `shouldReconnect`) or the reconnecting socket.
    pub span: Span,
    pub kind: HandlerKind,
    /// The socket site it is attached to (index into `sockets`), if known.
    pub socket: Option<usize>,
    /// Calls that reopen the socket.
    pub reconnects: Vec<Point>,
    /// reconnecting-websocket: `close()` calls that stop its reconnect.
    pub stops: Vec<Point>,
    /// Calls that may tell the user (a toast, a callback, an unknown function).
    pub surfaces: Vec<Point>,
    /// Calls that tell nobody (`console.*`, timers, teardown).
    pub silent: Vec<Point>,
    /// Conditions of the handler that test the close code against sets or
    /// numbers.
    pub checks: Vec<CodeCheck>,
    pub truncated: bool,
}

impl CloseHandler {
    /// A handler that reconnects after every close, at one point: a library
    /// that reconnects by itself, an imported `shouldReconnect` that always
    /// returns true.
    pub(crate) fn always_reconnects(
        span: Span,
        kind: HandlerKind,
        socket: usize,
        at: Span,
        what: String,
    ) -> CloseHandler {
        CloseHandler {
            span,
            kind,
            socket: Some(socket),
            reconnects: vec![Point {
                span: at,
                what,
                guards: Vec::new(),
            }],
            stops: Vec::new(),
            surfaces: Vec::new(),
            silent: Vec::new(),
            checks: Vec::new(),
            truncated: false,
        }
    }
}

/// A condition that tests the close code.
#[derive(Clone, Debug)]
pub struct CodeCheck {
    pub span: Span,
    /// Code sets it tests membership in (indices into `code_sets`).
    pub sets: Vec<usize>,
    /// Numbers it compares the code with by `===`/`!==`.
    pub numbers: Vec<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetRole {
    /// Codes after which the client stops.
    Terminal,
    /// Codes after which it reconnects (`RETRYABLE_CODES`).
    Retry,
}

#[derive(Clone, Debug)]
pub struct CodeSet {
    pub name: Option<String>,
    /// The name at its declaration, or the literal.
    pub name_span: Span,
    pub value_span: Span,
    pub codes: Option<Vec<f64>>,
    pub role: SetRole,
    /// Named like a terminal set (`TERMINAL_CLOSE_CODES`).
    pub by_name: bool,
    /// Tested against a close code somewhere in the module.
    pub tested: bool,
    /// The set's value is defined in another module (imported, directly or
    /// through re-exports); `name_span` is then where this module names it.
    pub defined_elsewhere: Option<DefinedElsewhere>,
    /// A library's own stop codes (graphql-ws's fatal close codes,
    /// robust-websocket's default `shouldReconnect`), as messages name
    /// them; `name_span` is the site or the option that decides.
    pub builtin: Option<Builtin>,
}

/// A library's own terminal set.
#[derive(Clone, Debug)]
pub struct Builtin {
    /// `graphql-ws's fatal close codes`.
    pub what: &'static str,
    /// How to add codes to it (`return false from shouldRetry for them`).
    pub fix: &'static str,
}

/// A value this module reads from another module.
#[derive(Clone, Debug)]
pub struct DefinedElsewhere {
    /// Its definition there.
    pub origin: Origin,
    /// The run checks that module with the client rules too (it is among
    /// the files checked and passes the prefilter), so what that module
    /// reports about its own definitions is reported there.
    pub checked: bool,
}

#[derive(Clone, Debug)]
pub enum Deps {
    /// No dependency array: the effect runs after every render.
    Missing,
    /// Not an array literal.
    Unknown,
    /// The array's span and its entries as written (`?.` read as `.`).
    List(Span, Vec<String>),
    /// A Vue or Svelte hook, which takes no dependency array: a mount hook
    /// runs once, `watchEffect` and `$effect` track what they read.
    Framework,
}

#[derive(Clone, Debug)]
pub struct Effect {
    /// `useEffect`.
    pub span: Span,
    pub deps: Deps,
    pub opens: Vec<Open>,
    pub truncated: bool,
    /// The callback, when it is written inline (`() => { ... }`,
    /// `function () { ... }`): where a guard can go (WS105's fix).
    pub body: Option<EffectBody>,
}

/// The body of an effect's inline callback.
#[derive(Clone, Debug)]
pub struct EffectBody {
    /// The `{ ... }` block, or an expression-bodied arrow's expression.
    pub span: Span,
    pub block: bool,
    /// The block's statements (comments left out), each with the names it
    /// declares (`const token = ...`, `let { token } = ...`).
    pub statements: Vec<(Span, Vec<String>)>,
    /// Whether the effect runs again when what a guard in it reads
    /// changes: React's (once its dependency array lists it), Vue's
    /// `watchEffect` and Svelte's `$effect` (they track what they read);
    /// not a mount hook (`onMounted`, `onMount`), nor `watch(source, ...)`.
    pub reruns: bool,
}

/// A socket opened by an effect (directly or through functions it calls).
#[derive(Clone, Debug)]
pub struct Open {
    /// `new WebSocket` of the opening.
    pub span: Span,
    /// Names the socket's arguments read (through local constants too).
    pub refs: Vec<NameRef>,
    /// Names and paths the conditions on the way to the opening read.
    pub guarded_by: Vec<String>,
    /// The component-level function the effect reaches the opening through
    /// (`connect` of `useCallback`), if any.
    pub via: Option<Via>,
}

/// A socket opened outside a React effect, with a token read at that
/// moment from somewhere it may be missing (one per read).
#[derive(Clone, Debug)]
pub struct OutsideOpen {
    /// The socket, the names the read goes by (storage key or member, the
    /// constants it is bound to) and the conditions on the way to it.
    pub open: Open,
    pub moment: Moment,
    pub source: TokenSource,
}

/// A socket the module keeps for as long as it runs.
#[derive(Clone, Debug)]
pub struct SocketLife {
    /// Index in [`ClientModel::sockets`].
    pub socket: usize,
    pub kept: Kept,
}

/// Why a socket is the module's to keep.
#[derive(Clone, Debug)]
pub enum Kept {
    /// It sends the socket a heartbeat (the `setInterval` call).
    Heartbeat(Span),
    /// It is stored for the object's or component's lifetime (`this.ws`,
    /// `wsRef.current`, a module variable, a state setter).
    Stored(String),
    /// A message handler keeps state from it (the handler).
    Messages(Span),
}

/// When a socket outside an effect opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Moment {
    ModuleLoad,
    /// The top level of a component's instance script (Vue's `<script
    /// setup>`, Svelte's instance `<script>`): each time one is created.
    ComponentSetup,
    ClassField,
    Constructor,
    /// A function of a store (`create(...)`, `defineStore(...)`).
    StoreAction(String),
    /// A function or method, when it runs.
    Function(String),
}

/// Where a token read outside an effect comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// `localStorage` or `sessionStorage`.
    Storage(String),
    /// A store getter: `store.getState()`, zustand's `get()`.
    Store,
    /// A cookie helper or `document.cookie`.
    Cookie,
}

#[derive(Clone, Debug)]
pub struct Via {
    pub name: String,
    pub span: Span,
    /// The `useCallback` dependencies, when it is one.
    pub deps: Option<Deps>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Declared inside the effect (or the function it reached).
    Local,
    /// Declared in the component around the effect: props, state, hooks.
    Component,
    /// Module level or imported: not reactive.
    Module,
    /// Not declared in this module (a global).
    Global,
}

#[derive(Clone, Debug)]
pub struct NameRef {
    /// The last name (`accessToken` of `auth.accessToken`).
    pub name: String,
    /// The whole path (`auth.accessToken`).
    pub path: String,
    pub span: Span,
    pub bound: Bound,
    /// Declared with a type that excludes null and undefined.
    pub non_null: bool,
}

#[derive(Clone, Debug)]
pub struct CloseCall {
    /// The code argument.
    pub span: Span,
    pub code: Resolved,
    /// On a socket of Node's `ws` (which accepts 1000-1014 but 1004-1006),
    /// or in server code of another runtime (Bun, Deno, Workers): the
    /// browser's rule does not apply.
    pub node_ws: bool,
}

/// A socket.io server a JavaScript module starts, with its ping interval.
#[derive(Clone, Debug)]
pub struct SocketIoServer {
    /// `new Server`, or the call.
    pub span: Span,
    /// The ping interval in milliseconds (`pingInterval`, or Engine.IO's
    /// default), with where it was defined.
    pub ping: Resolved,
    /// Where the value is written (the option), or the call for the default.
    pub at: Span,
    pub default: bool,
}

/// A heartbeat period that keeps a module's sockets alive, as
/// [`ClientModel::heartbeat_periods`] gives it.
#[derive(Clone, Debug)]
pub struct HeartbeatPeriod<'m> {
    /// The period in milliseconds.
    pub ms: f64,
    /// The heartbeat in this module ([`ClientModel::source`]): the delay
    /// argument of the timer, or react-use-websocket's `heartbeat` option
    /// (`heartbeat: true`, the object, or its `interval`).
    pub site: Span,
    /// Where the value is written when it comes from a named definition
    /// (`const HEARTBEAT_MS = 25_000`), possibly in another module: the
    /// file is `origin.file`, whose path is shown as the run shows paths.
    /// `None` for a literal at the site and for the library default.
    pub origin: Option<&'m Origin>,
    /// A library's default period (react-use-websocket's 25 s with
    /// `heartbeat: true`, phoenix's 30 s without `heartbeatIntervalMs`).
    pub library_default: bool,
    /// The library whose option or default it is, if any.
    pub library: Option<SocketKind>,
}

impl ClientModel {
    /// Whether the module is a test, a mock or a fake (by its path): its
    /// sockets are short-lived by design, and the client rules skip it.
    pub fn is_test_module(&self) -> bool {
        is_test_path(&self.source.path)
    }

    /// The heartbeat periods that keep this module's sockets alive, with
    /// imported constants resolved (when the model was built with the
    /// project's resolver, as every checked module is): what a rule
    /// comparing proxy timeouts with the client heartbeat (WS303) reads.
    ///
    /// - every react-use-websocket `heartbeat` with a known period, its
    ///   library default included;
    /// - of the timers that send on a socket, the shortest known period: a
    ///   slower periodic send next to a faster ping is not what keeps the
    ///   socket alive (WS101 reads it the same way).
    ///
    /// Periods wslint cannot resolve are left out (never guessed), and a
    /// test or mock module has none. In source order.
    pub fn heartbeat_periods(&self) -> Vec<HeartbeatPeriod<'_>> {
        if self.is_test_module() {
            return Vec::new();
        }
        let shortest_timer = self
            .heartbeats
            .iter()
            .filter(|h| matches!(h.kind, HeartbeatKind::Interval(_)))
            .filter_map(|h| h.period.number().map(|ms| (ms, h.span)))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.heartbeats
            .iter()
            .filter_map(|h| {
                let ms = h.period.number()?;
                let (library_default, library) = match h.kind {
                    HeartbeatKind::Interval(_) => {
                        if shortest_timer.is_none_or(|(_, at)| at != h.span) {
                            return None;
                        }
                        (false, None)
                    }
                    HeartbeatKind::Library {
                        default_interval,
                        library,
                    } => (default_interval, Some(library)),
                };
                Some(HeartbeatPeriod {
                    ms,
                    site: h.span,
                    origin: h.period.origin.as_ref(),
                    library_default,
                    library,
                })
            })
            .collect()
    }
}

/// Whether a module is a test, a mock or a fake by its path (`*.test.*`,
/// `__tests__/`, `__mocks__/`, `e2e/`, `fake*`/`mock*` files).
pub fn is_test_path(path: &std::path::Path) -> bool {
    let path = path
        .to_string_lossy()
        .replace('\\', "/")
        .to_ascii_lowercase();
    let mut segments = path.split('/').peekable();
    let mut file = "";
    let mut in_test_dir = false;
    while let Some(seg) = segments.next() {
        if segments.peek().is_none() {
            file = seg;
        } else if matches!(
            seg,
            "test"
                | "tests"
                | "__tests__"
                | "__mocks__"
                | "mocks"
                | "spec"
                | "e2e"
                | "cypress"
                | "playwright"
                | "testing"
                | "test-utils"
        ) {
            in_test_dir = true;
        }
    }
    let stem = file.split('.').next().unwrap_or(file);
    in_test_dir
        || [".test.", ".spec.", ".stories.", ".e2e."]
            .iter()
            .any(|m| file.contains(m))
        || stem.starts_with("fake")
        || stem.starts_with("mock")
        || stem.ends_with("mock")
        || stem.ends_with("fake")
}

thread_local! {
    static PARSERS: RefCell<(Option<Parser>, Option<Parser>)> = const { RefCell::new((None, None)) };
}

/// Parses with this thread's parser for `lang`'s grammar. A Vue or Svelte
/// component is parsed as its scripts' view (`lang::sfc`): the tree's
/// offsets are `text`'s, and nothing outside the `<script>` blocks is in it.
pub fn parse(text: &str, lang: Lang) -> Option<Tree> {
    if let Some(fw) = Framework::of(lang) {
        let component = Component::read(text, fw);
        let ranges = component.parse_ranges();
        if ranges.is_empty() {
            return parse_grammar("", component.grammar(), &[]);
        }
        return parse_grammar(&component.view(text), component.grammar(), &ranges);
    }
    parse_grammar(text, lang, &[])
}

/// Parses `text`, only its `ranges` when there are any (the lexer skips
/// the rest, so a component's markup costs nothing however large; the
/// tree's offsets are `text`'s).
fn parse_grammar(text: &str, lang: Lang, ranges: &[std::ops::Range<usize>]) -> Option<Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let (slot, language) = match lang {
            Lang::TypeScript => (&mut parsers.0, tree_sitter_typescript::LANGUAGE_TYPESCRIPT),
            _ => (&mut parsers.1, tree_sitter_typescript::LANGUAGE_TSX),
        };
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&language.into()).ok()?;
            *slot = Some(p);
        }
        let parser = slot.as_mut()?;
        if ranges.is_empty() {
            return parser.parse(text, None);
        }
        let included = ranges_with_points(text, ranges);
        parser.set_included_ranges(&included).ok()?;
        let tree = parser.parse(text, None);
        // The parser is this thread's for every file.
        let _ = parser.set_included_ranges(&[]);
        tree
    })
}

/// Byte ranges of `text` as tree-sitter's ranges, with their rows and
/// columns (bytes since the last `\n`, as tree-sitter counts them).
fn ranges_with_points(text: &str, ranges: &[std::ops::Range<usize>]) -> Vec<tree_sitter::Range> {
    let bytes = text.as_bytes();
    let mut row = 0;
    let mut line_start = 0;
    let mut at = 0;
    let mut point = |to: usize| {
        for i in memchr::memchr_iter(b'\n', &bytes[at..to]) {
            row += 1;
            line_start = at + i + 1;
        }
        at = to;
        tree_sitter::Point::new(row, to - line_start)
    };
    ranges
        .iter()
        .map(|r| {
            let start_point = point(r.start);
            let end_point = point(r.end);
            tree_sitter::Range {
                start_byte: r.start,
                end_byte: r.end,
                start_point,
                end_point,
            }
        })
        .collect()
}

/// Builds the model of one module; `None` when it holds nothing to check
/// (no socket site, no close-code set, no heartbeat, no `close(code)`).
pub fn build(source: &Source, lang: Lang) -> Option<ClientModel> {
    build_with(source, lang, &NoImports)
}

/// [`build`] with imported values resolved by `imports`.
pub fn build_with(
    source: &Source,
    lang: Lang,
    imports: &dyn ImportResolver,
) -> Option<ClientModel> {
    let text: &str = &source.text;
    let tree = parse(text, lang)?;
    let ix = Index::build(&tree, text);
    build_indexed(source, lang, &ix, imports)
}

/// [`build_with`] from a module already parsed and indexed (`ix.src` must
/// be `source.text`): how a checked module reuses the parse the project
/// cached when another module imported from it first.
pub(crate) fn build_indexed(
    source: &Source,
    lang: Lang,
    ix: &Index<'_>,
    imports: &dyn ImportResolver,
) -> Option<ClientModel> {
    let model = model::build(source, lang, ix, imports);
    let empty = model.sockets.is_empty()
        && model.code_sets.is_empty()
        && model.heartbeats.is_empty()
        && model.close_calls.is_empty()
        && model.close_handlers.is_empty()
        && model.socketio_servers.is_empty()
        && model.exports.is_empty();
    (!empty).then_some(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    /// Builds the model on a thread with a small stack (rayon's workers have
    /// 2 MiB): deep input must neither overflow nor panic.
    fn survives(name: &str, text: String) {
        let lang = if name.ends_with(".ts") {
            Lang::TypeScript
        } else {
            Lang::Tsx
        };
        let src = Arc::new(SourceFile::new(name.into(), text));
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let _ = build(&src, lang);
            })
            .expect("thread");
        assert!(handle.join().is_ok(), "{name} panicked");
    }

    fn model(name: &str, text: &str) -> ClientModel {
        let lang = if name.ends_with(".ts") {
            Lang::TypeScript
        } else {
            Lang::Tsx
        };
        let src = Arc::new(SourceFile::new(name.into(), text));
        build(&src, lang).expect("a model")
    }

    /// The codes of `codes` for which the handler's first reconnect is taken.
    fn reconnects_on(m: &ClientModel, h: usize, structural: bool, codes: &[f64]) -> Vec<f64> {
        let h = &m.close_handlers[h];
        codes
            .iter()
            .copied()
            .filter(|c| {
                let r = Reading::code(*c, structural, &m.code_sets);
                h.reconnects.iter().any(|p| {
                    matches!(
                        path(&p.guards, &r),
                        Tri::Yes | Tri::Maybe { on_code: false }
                    )
                })
            })
            .collect()
    }

    const CODES: [f64; 4] = [1000.0, 1006.0, 4001.0, 4403.0];

    #[test]
    fn close_paths_per_code() {
        let m = model(
            "a.ts",
            "const T = new Set([1000, 4001]);\nconst ws = new WebSocket(u);\nws.onclose = (event) => {\n  const isTerminal = T.has(event.code);\n  if (!isTerminal) scheduleReconnect();\n};\n",
        );
        assert_eq!(m.close_handlers.len(), 1);
        // By value the set lacks 4403; read as the terminal set it claims
        // to be, it excludes every terminal code.
        assert_eq!(reconnects_on(&m, 0, false, &CODES), [1006.0, 4403.0]);
        assert_eq!(reconnects_on(&m, 0, true, &CODES), Vec::<f64>::new());

        let m = model(
            "b.ts",
            "const ws = new WebSocket(u);\nws.addEventListener('close', ({ code }) => {\n  switch (code) {\n    case 1000:\n    case 4001:\n      return;\n  }\n  setTimeout(connect, 1000);\n});\nfunction connect() { new WebSocket(u); }\n",
        );
        assert_eq!(reconnects_on(&m, 0, false, &CODES), [1006.0, 4403.0]);

        // A local copy of the event, through a type assertion.
        let m = model(
            "c.ts",
            "const ws = new WebSocket(u);\nws.onclose = (event) => {\n  const evt = <{ code?: number }>event;\n  if (evt.code !== 1000) reconnect();\n};\n",
        );
        assert_eq!(
            reconnects_on(&m, 0, false, &CODES),
            [1006.0, 4001.0, 4403.0]
        );

        // A condition on the event wslint cannot read guards every code.
        let m = model(
            "d.ts",
            "const ws = new WebSocket(u);\nws.onclose = (e) => { if (!e.wasClean) reconnect(); };\n",
        );
        assert_eq!(reconnects_on(&m, 0, false, &CODES), Vec::<f64>::new());
    }

    #[test]
    fn library_defaults_and_handles() {
        let m = model(
            "e.tsx",
            "import useWebSocket from 'react-use-websocket';\nexport const useFeed = (url: string) => useWebSocket(url, { heartbeat: { message: 'ping' }, shouldReconnect: () => true });\n",
        );
        assert_eq!(m.heartbeats.len(), 1);
        assert_eq!(m.heartbeats[0].period.number(), Some(25_000.0));
        assert!(matches!(
            m.heartbeats[0].kind,
            HeartbeatKind::Library {
                default_interval: true,
                ..
            }
        ));
        assert!(m.reconnects);

        // Cleared through a helper that takes the ref: the walk binds the
        // helper's parameter to the argument.
        let m = model(
            "f.ts",
            "function stop(ref) { clearInterval(ref.current); }\nconst pingRef = { current: 0 };\nconst ws = new WebSocket(u);\nws.onopen = () => { pingRef.current = setInterval(() => ws.send('p'), 1000); };\nws.onclose = () => stop(pingRef);\n",
        );
        let HeartbeatKind::Interval(f) = &m.heartbeats[0].kind else {
            panic!("an interval");
        };
        assert_eq!(f.handle, Handle::Kept(vec!["pingRef.current".into()]));
        assert!(f.cleared_on_close);
        assert!(f.per_connection);
    }

    #[test]
    fn heartbeat_periods_for_proxy_rules() {
        let m = model(
            "p.ts",
            "const PING = 15_000;\nconst ws = new WebSocket(u);\nsetInterval(() => ws.send('p'), PING);\nsetInterval(() => ws.send('s'), 60_000);\nsetInterval(() => ws.send('x'), later());\n",
        );
        let p = m.heartbeat_periods();
        assert_eq!(p.len(), 1, "the shortest timer only: {p:?}");
        assert_eq!(p[0].ms, 15_000.0);
        assert!(!p[0].library_default);
        let o = p[0].origin.expect("named");
        assert_eq!(
            (o.name.as_str(), &m.source.text[o.span.start..o.span.end]),
            ("PING", "15_000")
        );
        assert_eq!(&m.source.text[p[0].site.start..p[0].site.end], "PING");

        let m = model(
            "r.tsx",
            "import useWebSocket from 'react-use-websocket';\nexport const useA = (u: string) => useWebSocket(u, { heartbeat: true });\nexport const useB = (u: string) => useWebSocket(u, { heartbeat: { interval: 10_000 } });\n",
        );
        let p: Vec<(f64, bool)> = m
            .heartbeat_periods()
            .iter()
            .map(|h| (h.ms, h.library_default))
            .collect();
        assert_eq!(p, [(25_000.0, true), (10_000.0, false)]);

        let m = model(
            "src/__tests__/socket.ts",
            "const ws = new WebSocket(u);\nsetInterval(() => ws.send('p'), 90_000);\n",
        );
        assert!(m.heartbeat_periods().is_empty());
    }

    #[test]
    fn library_sites_connect_to_their_paths() {
        let m = model(
            "s.ts",
            "import { io } from \"socket.io-client\";\nimport { Socket } from \"phoenix\";\nexport const a = io(\"https://api.example.com/chat\");\nexport const b = io({ path: \"/rt/\" });\nexport const c = new Socket(\"/socket\", {});\n",
        );
        let paths: Vec<(SocketKind, String)> = m
            .sockets
            .iter()
            .map(|s| (s.kind, s.url_path.clone().map(|p| p.0).unwrap_or_default()))
            .collect();
        assert_eq!(
            paths,
            [
                (SocketKind::SocketIo, "/socket.io/".to_string()),
                (SocketKind::SocketIo, "/rt/".to_string()),
                (SocketKind::Phoenix, "/socket/websocket".to_string()),
            ]
        );
    }

    #[test]
    fn deep_and_broken_input() {
        let n = 20_000;
        let handler = |inner: String| {
            format!(
                "const ws = new WebSocket(u);\nws.onclose = (e) => {{ {inner} }};\nsetInterval(() => ws.send('p'), 30000);\n"
            )
        };
        survives(
            "ifs.ts",
            handler(format!(
                "{} reconnect(); {}",
                "if (e.code !== 1000) { ".repeat(n),
                "}".repeat(n)
            )),
        );
        survives(
            "blocks.ts",
            handler(format!(
                "{}setTimeout(connect, 1);{}",
                "{".repeat(n),
                "}".repeat(n)
            )),
        );
        survives(
            "arrows.tsx",
            handler(format!(
                "{}connect(){}",
                "(() => ".repeat(n),
                ")()".repeat(n)
            )),
        );
        survives(
            "sum.ts",
            format!(
                "const HB = {}1;\nconst ws = new WebSocket(u);\nsetInterval(() => ws.send('p'), HB);\n",
                "1 + ".repeat(n * 5)
            ),
        );
        survives(
            "objects.ts",
            format!(
                "const C = {}1{};\nconst ws = new WebSocket(u);\nsetInterval(() => ws.send('p'), C{});\n",
                "{ a: ".repeat(n),
                " }".repeat(n),
                ".a".repeat(n)
            ),
        );
        survives(
            "parens.ts",
            format!(
                "const ws = new WebSocket(u);\nws.close({}1001{});\n",
                "(".repeat(n),
                ")".repeat(n)
            ),
        );
        survives(
            "broken.tsx",
            "const ws = new WebSocket(`${\nws.onclose = (e => { if (TERMINAL_CLOSE_CODES.has(e.code) { reconnect( }\n<div>{</"
                .to_string(),
        );
        survives(
            "cycle.ts",
            "const x = y;\nconst y = x;\nconst { hb = 5 } = x;\nconst { a: { b } } = y;\nconst ws = new WebSocket(u);\nsetInterval(() => ws.send('p'), hb + b);\n"
                .to_string(),
        );
        survives(
            "chain.ts",
            format!(
                "const ws = new WebSocket(u);\nws.onclose = (e) => {{ {} }};\n",
                "if (e.code === 1) a(); else ".repeat(n) + "connect();"
            ),
        );
    }
}
