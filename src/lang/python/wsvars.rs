//! Which names hold the websocket in each function: the parameters
//! annotated `WebSocket`, a Starlette route's first parameter, a
//! `WebSocketEndpoint` method's `websocket`, the parameters this module's
//! calls pass it to, closure variables, aliases (`ws = websocket`), the
//! objects it was handed to (`manager.connect(websocket)`,
//! `v = Validator(websocket)`), and the `self.X` attributes assigned from it.

use crate::lang::kind::Kind;
use std::collections::HashSet;

use super::body::{self, WsCx};
use super::routes::Found;
use super::symbols::{self, Module};
use super::syntax::{self, Call};

/// Whether a call passes one of `names` as an argument.
fn passes_name(call: &Call<'_>, names: &HashSet<String>, src: &str) -> bool {
    call.args
        .iter()
        .chain(call.kwargs.iter().map(|(_, v)| v))
        .any(|a| {
            let a = syntax::unparen(*a);
            a.k() == "identifier" && names.contains(syntax::text(a, src))
        })
}

/// Which names hold the websocket in each function, and which `self.X`
/// attributes in each class: the parameters annotated `WebSocket`, a route
/// handler's first parameter, a `WebSocketEndpoint` method's `websocket`,
/// the parameters the websocket is passed to by calls in this module,
/// closure variables, and aliases (`ws = websocket`).
pub(crate) fn websockets(m: &Module<'_>, found: &[Found]) -> (Vec<WsCx>, Vec<HashSet<String>>) {
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
        if let Some(h) = e.handler.filter(|_| e.positional_ws)
            && params[h].is_empty()
        {
            let info = &m.functions[h];
            let skip = usize::from(info.is_bound_method());
            if info.params.get(skip).is_some_and(|p| !p.splat) {
                params[h].insert(skip);
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
    // A wrapper's constructor: `__init__(self, websocket)` takes the
    // websocket by its name, annotated or not (the class may be built in
    // another module).
    for (f, info) in m.functions.iter().enumerate() {
        if info.name == "__init__" && info.class.is_some() {
            for (i, p) in info.params.iter().enumerate().skip(1) {
                if !p.splat && p.annotation.is_none() && body::ws_like(&p.name) {
                    params[f].insert(i);
                }
            }
        }
    }
    // Parents before their closures.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&f| m.functions[f].node.start_byte());
    let mut ws: Vec<WsCx> = vec![WsCx::default(); n];
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
                    m.flat.walk(
                        body,
                        |x| !syntax::is_scope(x),
                        |x| {
                            // `manager.connect(websocket)`: the manager now
                            // holds it.
                            if x.k() == "call" {
                                if let Some(call) = syntax::Call::of(x, src) {
                                    let root = call.receiver().map(syntax::unparen);
                                    let gets_ws = passes_name(&call, &names, src);
                                    if let Some(r) = root.filter(|r| r.k() == "identifier")
                                        && gets_ws
                                        && !names.contains(syntax::text(r, src))
                                    {
                                        holders.insert(syntax::text(r, src).to_string());
                                    }
                                }
                                return;
                            }
                            if x.k() != "assignment" {
                                return;
                            }
                            let (Some(l), Some(r)) = (x.field("left"), x.field("right")) else {
                                return;
                            };
                            let r = syntax::unawait(r);
                            match (l.k(), r.k()) {
                                ("identifier", "identifier")
                                    if names.contains(syntax::text(r, src)) =>
                                {
                                    names.insert(syntax::text(l, src).to_string());
                                }
                                ("identifier", "call") => {
                                    if let Some(call) = syntax::Call::of(r, src)
                                        && passes_name(&call, &names, src)
                                    {
                                        holders.insert(syntax::text(l, src).to_string());
                                    }
                                }
                                ("attribute", "identifier")
                                    if names.contains(syntax::text(r, src)) =>
                                {
                                    let obj = l.field("object").map(|o| syntax::text(o, src));
                                    if matches!(obj, Some("self" | "cls"))
                                        && let (Some(c), Some(a)) =
                                            (m.class_of_method(f), syntax::last_name(l, src))
                                    {
                                        class_attrs[c].insert(a.to_string());
                                    }
                                }
                                _ => {}
                            }
                        },
                    );
                }
            }
            ws[f] = WsCx { names, holders };
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
                // `Channel(websocket)` passes it to `Channel.__init__`,
                // after `self`.
                let (g, ctor) = match m.resolve_call(f, &call) {
                    symbols::Callee::Fn(g) => (g, false),
                    symbols::Callee::Class(c) => match m.method(c, "__init__", 0) {
                        Some(g) => (g, true),
                        None => continue,
                    },
                    symbols::Callee::External => continue,
                };
                for a in call.args.iter().chain(call.kwargs.iter().map(|(_, v)| v)) {
                    if cx.is_ws(*a, true) {
                        let param = if ctor {
                            m.ctor_param_of_arg(g, &call, *a)
                        } else {
                            m.param_of_arg(g, &call, *a)
                        };
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
