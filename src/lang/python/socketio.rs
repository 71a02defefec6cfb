//! socket.io / Engine.IO servers a Python module starts, with their ping
//! interval: python-socketio's `socketio.AsyncServer(...)` /
//! `socketio.Server(...)`, python-engineio's `engineio.AsyncServer(...)` /
//! `engineio.Server(...)`, and Flask-SocketIO's `SocketIO(app, ...)` (or
//! `init_app(app, ...)`), which hands its options to `socketio.Server`.
//! The server sends Engine.IO's heartbeat: its period is WS201's concern.
//!
//! Defaults, read from the packages:
//! - python-engineio 4.15.1 `engineio/base_server.py`:
//!   `def __init__(self, async_mode=None, ping_interval=25, ping_timeout=20, ...)`;
//!   `ping_interval` may be a tuple `(interval, grace_period)`.
//! - python-socketio 5.18.1 `socketio/base_server.py`: every other keyword
//!   goes to `self._engineio_server_class()(**engineio_options)`.
//! - Flask-SocketIO 5.7.0 `flask_socketio/__init__.py`: `init_app` keeps
//!   the keywords (`self.server_options.update(kwargs)`) and makes
//!   `socketio.Server(**self.server_options)`.

use crate::lang::kind::Kind;
use tree_sitter::Node;

use super::symbols::Module;
use super::syntax::{Call, span, unparen};
use super::{SocketIoServer, TimeoutValue};
use crate::values::Value;

/// python-engineio's `ping_interval` default, in seconds.
pub const ENGINEIO_PING_INTERVAL_S: f64 = 25.0;

/// Which server a callee is, by the import it goes through.
fn server_of(m: &Module<'_>, callee: Node<'_>) -> Option<&'static str> {
    let callee = unparen(callee);
    let src = m.src;
    let lib = |module: &str, name: &str| -> Option<&'static str> {
        match (module, name) {
            ("socketio", "AsyncServer" | "Server") => Some("python-socketio"),
            ("engineio", "AsyncServer" | "Server") => Some("python-engineio"),
            ("flask_socketio", "SocketIO") => Some("Flask-SocketIO"),
            _ => None,
        }
    };
    match callee.k() {
        // `AsyncServer(...)` of `from socketio import AsyncServer`
        "identifier" => {
            let local = super::syntax::text(callee, src);
            let i = m.imports.iter().rev().find(|i| i.local == local)?;
            lib(&i.module, i.name.as_deref()?)
        }
        // `socketio.AsyncServer(...)` of `import socketio [as sio]`
        "attribute" => {
            let obj = unparen(callee.field("object")?);
            let attr = super::syntax::text(callee.field("attribute")?, src);
            if obj.k() != "identifier" {
                return None;
            }
            let local = super::syntax::text(obj, src);
            let i = m.imports.iter().rev().find(|i| i.local == local)?;
            match &i.name {
                None => lib(&i.module, attr),
                // `from flask_socketio import SocketIO` is a class, not a module
                Some(n) => lib(&format!("{}.{n}", i.module), attr).or_else(|| lib(n, attr)),
            }
        }
        _ => None,
    }
}

/// The servers a module starts.
pub(crate) fn servers<'t>(m: &Module<'t>, root: Node<'t>) -> Vec<SocketIoServer> {
    let src = m.src;
    // A test's server lives for the test.
    if crate::lang::ts::is_test_path(&m.source.path) {
        return Vec::new();
    }
    let mut calls: Vec<Node<'t>> = Vec::new();
    m.flat.walk(
        root,
        |_| true,
        |n| {
            if n.k() == "call" {
                calls.push(n);
            }
        },
    );
    let mut out = Vec::new();
    for node in &calls {
        let Some(call) = Call::of(*node, src) else {
            continue;
        };
        let Some(library) = server_of(m, call.callee) else {
            continue;
        };
        let mut value = call.kwarg("ping_interval");
        // Flask-SocketIO without the app takes its options in `init_app`.
        if library == "Flask-SocketIO" && value.is_none() {
            value = init_app_ping(m, &calls, *node);
            if value.is_none() && call.args.is_empty() && call.kwarg("app").is_none() {
                continue;
            }
        }
        // `**options`: the interval may be in there.
        if value.is_none() && call.args.iter().any(|a| a.k() == "dictionary_splat") {
            continue;
        }
        let (ping, origin, value_span, default) = match value {
            Some(v) => {
                // `(25, 5)`: the interval and a grace period.
                let v = unparen(v);
                let v = if v.k() == "tuple" {
                    match v.named_child(0) {
                        Some(first) => first,
                        None => continue,
                    }
                } else {
                    v
                };
                let r = m.eval(v);
                let ping = match r.value {
                    Value::Number(n) => TimeoutValue::Seconds(n),
                    _ => TimeoutValue::Unknown,
                };
                (ping, r.origin, span(v), false)
            }
            None => (
                TimeoutValue::Seconds(ENGINEIO_PING_INTERVAL_S),
                None,
                span(call.callee),
                true,
            ),
        };
        out.push(SocketIoServer {
            span: span(call.callee),
            library,
            ping,
            origin,
            value_span,
            default,
        });
    }
    out
}

/// `ping_interval` of an `x.init_app(app, ping_interval=...)` on the name
/// the `SocketIO(...)` call is bound to.
fn init_app_ping<'t>(m: &Module<'t>, calls: &[Node<'t>], ctor: Node<'t>) -> Option<Node<'t>> {
    let parent = ctor.parent()?;
    if parent.k() != "assignment" {
        return None;
    }
    let target = super::syntax::dotted(parent.field("left")?, m.src)?;
    calls.iter().find_map(|n| {
        let c = Call::of(*n, m.src)?;
        if c.name(m.src) != Some("init_app") {
            return None;
        }
        let recv = super::syntax::dotted(c.receiver()?, m.src)?;
        (recv == target).then(|| c.kwarg("ping_interval")).flatten()
    })
}
