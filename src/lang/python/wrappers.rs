//! Receive loops behind wrappers: `async for msg in channel` where
//! `channel` is an instance of a class (of this module, or imported from
//! another module of the project) whose `__anext__` or `__aiter__` reaches
//! a receive on a websocket (`self.websocket.receive_text()`, through the
//! methods and functions of its module it calls, such as `self.recv()`).
//! Such a loop is a receive loop at the `async for`, as if it iterated
//! `websocket.iter_text()`.

use std::collections::HashSet;

use super::body::{Facts, PingSite, ReceiveSite, RegionId, RegionKind, WrapperClass};
use super::symbols::{Callee, ClassId, FnId, Module};
use super::{Imports, body, wsvars};

/// The methods `async for` runs, in the order they are looked at.
pub const ITER_METHODS: [&str; 2] = ["__anext__", "__aiter__"];

/// What iterating over an instance of a wrapper class receives.
#[derive(Clone, Debug)]
pub struct Wrapper {
    /// `Channel.__anext__`: the method the loop runs.
    pub method: String,
    /// `self.websocket.receive_text()`: the first receive it reaches.
    pub receive: String,
    /// Every receive it reaches is bounded by a timeout in the wrapper's
    /// own code (`asyncio.wait_for(self.recv(), 20)`), which then owns the
    /// keepalive.
    pub bounded: bool,
    /// It compares what it receives with `"ping"` and answers there.
    pub answers_ping: bool,
    /// The file that defines it, when it is another module.
    pub place: Option<String>,
}

impl Wrapper {
    /// `` `Channel.__anext__` in app/channel.py awaits `self.ws.receive_text()` ``.
    pub fn describe(&self) -> String {
        let place = self
            .place
            .as_ref()
            .map(|p| format!(" in {p}"))
            .unwrap_or_default();
        format!("`{}`{place} awaits `{}`", self.method, self.receive)
    }
}

fn in_bound(facts: &Facts, region: Option<RegionId>) -> bool {
    facts
        .path(region)
        .iter()
        .any(|&g| matches!(facts.regions[g].kind, RegionKind::Bound(_)))
}

/// Whether `facts` compare something with `"ping"` and answer it.
fn answers_ping(facts: &Facts) -> bool {
    facts.pings.iter().any(|p| {
        p.guard.is_none_or(|g| {
            facts.sends.iter().any(|s| facts.within(s.region, g))
                || facts.replies.iter().any(|s| facts.within(s.region, g))
        })
    })
}

/// What running the first of `methods` that class `c` of `m` has (with
/// what it calls) receives, if it reaches a receive: [`ITER_METHODS`] for
/// `async for`, a method's name for a call.
pub(crate) fn wrapper(
    m: &Module<'_>,
    facts: &[Facts],
    c: ClassId,
    methods: &[&str],
) -> Option<Wrapper> {
    for &name in methods {
        let Some(start) = m.method(c, name, 0) else {
            continue;
        };
        let mut visited: HashSet<FnId> = HashSet::new();
        let mut stack = vec![(start, false)];
        let mut first: Option<String> = None;
        let mut bounded = true;
        let mut ping = false;
        while let Some((f, outer_bound)) = stack.pop() {
            if !visited.insert(f) || visited.len() > 64 {
                continue;
            }
            let fx = &facts[f];
            for r in &fx.receives {
                first.get_or_insert_with(|| r.call.clone());
                // A receive handed to `create_task` is bounded out of sight;
                // `return self.ws.iter_text()` is not bounded at all.
                let opaque = r.opaque && !r.call.contains(".iter_");
                bounded &= outer_bound || opaque || in_bound(fx, r.region);
            }
            ping |= answers_ping(fx);
            for call in fx.calls.iter().rev() {
                if let Callee::Fn(g) = call.callee {
                    stack.push((g, outer_bound || in_bound(fx, call.region)));
                }
            }
        }
        if let Some(receive) = first {
            return Some(Wrapper {
                method: format!("{}.{name}", m.classes[c].name),
                receive,
                bounded,
                answers_ping: ping,
                place: None,
            });
        }
    }
    None
}

/// The facts of every function of `m`, as a module read for another one's
/// imports has them (no endpoints of its own).
pub(crate) fn module_facts(m: &Module<'_>) -> Vec<Facts> {
    let (ws, class_attrs) = wsvars::websockets(m, &[]);
    (0..m.functions.len())
        .map(|f| {
            body::facts(&body::Cx {
                m,
                f,
                ws: &ws[f],
                class_attrs: &class_attrs,
            })
        })
        .collect()
}

/// Turns every `async for` over a wrapper that receives into a receive of
/// its loop (at the iterable), and a wrapper that answers `"ping"` into an
/// answer in that loop.
pub(crate) fn resolve(m: &Module<'_>, hook: Option<&dyn Imports>, facts: &mut [Facts]) {
    let mut found: Vec<(usize, usize, Wrapper)> = Vec::new();
    for (f, fx) in facts.iter().enumerate() {
        for (i, w) in fx.wrapper_uses.iter().enumerate() {
            let method = w.method.as_deref().map(|m| [m]);
            let methods: &[&str] = match &method {
                Some(one) => one,
                None => &ITER_METHODS,
            };
            let info = match &w.class {
                WrapperClass::Local(c) => wrapper(m, facts, *c, methods),
                WrapperClass::Imported(dotted) => {
                    let path: Vec<&str> = dotted.split('.').collect();
                    let import = m.imports.iter().rev().find(|i| i.local == path[0]);
                    match (hook, import) {
                        (Some(h), Some(import)) => h.wrapper(import, &path, methods, 0),
                        _ => None,
                    }
                }
            };
            if let Some(info) = info {
                found.push((f, i, info));
            }
        }
    }
    for (f, i, info) in found {
        let fx = &mut facts[f];
        let w = &fx.wrapper_uses[i];
        let (span, region) = (w.span, w.region);
        fx.receives.push(ReceiveSite {
            span,
            call: w.text.clone(),
            region,
            opaque: info.bounded || w.opaque,
            iter: w.method.is_none(),
            wrapper: Some(info.describe()),
        });
        if info.answers_ping {
            fx.pings.push(PingSite {
                span,
                region,
                guard: None,
            });
        }
    }
}
