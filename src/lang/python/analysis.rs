//! Endpoints followed through the functions of the module they call: the
//! receives they run in loops with the timeouts and handlers around them
//! (across calls), their receive loops and whether those answer `"ping"`,
//! the names they use, and the closes that can run before `accept()`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::body::{BoundValue, CallSite, Catch, Facts, RegionId, RegionKind};
use super::flow::{Flow, accepts_by_name};
use super::routes::Found;
use super::symbols::{Callee, FnId, Module};
use super::{
    AcceptFirst, Close, Code, Endpoint, EndpointKind, Heartbeat, Keepalive, PreAccept, Receive,
    ReceiveLoop, Step, Timeout, TimeoutKind, TimeoutValue,
};
use crate::source::Span;

/// How many calls deep an endpoint is followed.
const MAX_CALL_DEPTH: usize = 8;

/// `manager.handle_message`, `router.dispatch`, `on_message`, `process`:
/// the first word of the callee's last name says it handles messages.
fn handler_name(callee: &str) -> bool {
    let name = callee.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let first = name.trim_start_matches('_').split('_').next().unwrap_or("");
    ["handle", "dispatch", "process", "route", "on", "consume"]
        .iter()
        .any(|w| first == *w || (first.starts_with(w) && first.len() <= w.len() + 3 && *w != "on"))
}

pub(crate) struct Result {
    pub endpoints: Vec<Endpoint>,
    pub receives: Vec<Receive>,
    pub loops: Vec<ReceiveLoop>,
    pub heartbeats: Vec<Heartbeat>,
    pub closes: Vec<Close>,
    pub pre_accept: Vec<PreAccept>,
}

/// The receive loops found so far, in the order of `Result::loops`, with
/// the loops of the same function around each.
#[derive(Default)]
struct SeenLoops {
    seen: HashSet<(FnId, RegionId)>,
    enclosing: Vec<Vec<(FnId, RegionId)>>,
}

pub(crate) struct Analysis<'a, 't> {
    m: &'a Module<'t>,
    /// `"ping"` appears at module level (a dispatch table keyed by it).
    module_ping: bool,
    facts: &'a [Facts],
    sends: RefCell<HashMap<FnId, bool>>,
    pings: RefCell<HashMap<FnId, bool>>,
}

/// A call chain from an endpoint: (caller, index of the call in its facts).
type Chain = Vec<(FnId, usize)>;

impl<'a, 't> Analysis<'a, 't> {
    pub(crate) fn new(m: &'a Module<'t>, facts: &'a [Facts]) -> Self {
        let src = m.src;
        let mut module_ping = false;
        for stmt in &m.statements {
            m.flat.walk(
                *stmt,
                |n| !super::syntax::is_scope(n),
                |n| {
                    if super::syntax::string_literal(n, src)
                        .is_some_and(|s| super::body::is_ping(&s))
                    {
                        module_ping = true;
                    }
                },
            );
        }
        Analysis {
            m,
            module_ping,
            facts,
            sends: RefCell::new(HashMap::new()),
            pings: RefCell::new(HashMap::new()),
        }
    }

    pub(crate) fn run(&self, found: &[Found], flow: &mut Flow<'_, 't>) -> Result {
        let mut out = Result {
            endpoints: Vec::new(),
            receives: Vec::new(),
            loops: Vec::new(),
            heartbeats: Vec::new(),
            closes: self.closes(),
            pre_accept: Vec::new(),
        };
        let mut seen_receives = HashSet::new();
        let mut seen_loops = SeenLoops::default();
        let mut seen_events = HashSet::new();
        for (ei, e) in found.iter().enumerate() {
            let mut entries: Vec<FnId> = Vec::new();
            entries.extend(e.handler);
            entries.extend(e.deps.iter().map(|(g, _)| *g));
            if let Some(c) = e.class {
                let mut methods: Vec<FnId> = self.m.classes[c].methods.values().copied().collect();
                methods.sort_unstable();
                entries.extend(methods);
            }
            let mut names = e.dep_names.clone();
            let mut refs: Vec<FnId> = Vec::new();
            let mut visited = HashSet::new();
            let mut stack: Vec<(FnId, Chain)> =
                entries.iter().rev().map(|&f| (f, Vec::new())).collect();
            while let Some((f, chain)) = stack.pop() {
                if !visited.insert(f) {
                    continue;
                }
                names.extend(self.facts[f].names.iter().cloned());
                refs.extend(self.facts[f].refs.iter().map(|(g, _)| *g));
                self.receives(
                    ei,
                    e,
                    f,
                    &chain,
                    &mut out,
                    &mut seen_receives,
                    &mut seen_loops,
                );
                if chain.len() >= MAX_CALL_DEPTH {
                    continue;
                }
                let calls = &self.facts[f].calls;
                for (ci, call) in calls.iter().enumerate().rev() {
                    if let Callee::Fn(g) = call.callee
                        && !visited.contains(&g)
                    {
                        let mut next = chain.clone();
                        next.push((f, ci));
                        stack.push((g, next));
                    }
                }
            }
            names.extend(self.handed_on_names(refs, &visited));
            names.extend(self.imported_dep_names(e));
            let mut visited: Vec<FnId> = visited.into_iter().collect();
            visited.sort_unstable();
            for &f in &visited {
                self.heartbeats(ei, f, &mut out.heartbeats);
            }
            // An endpoint that accepts nowhere we can see accepts in a
            // function we cannot see.
            let hidden = !visited.iter().any(|&f| {
                let facts = &self.facts[f];
                !facts.accepts.is_empty()
                    || facts.calls.iter().any(|c| {
                        c.callee == Callee::External
                            && c.passes_ws
                            && accepts_by_name(c.name.rsplit('.').next().unwrap_or(""))
                    })
            });
            for pa in self.pre_accept(ei, e, flow, hidden) {
                if seen_events.insert(pa.span) {
                    out.pre_accept.push(pa);
                }
            }
            out.endpoints.push(Endpoint {
                kind: e.kind,
                name: e.name.clone(),
                span: e.span,
                routes: e.routes.clone(),
                names,
            });
        }
        // A receive loop inside another receive loop of the same function
        // (draining a burst inside the main loop) is part of that loop: one
        // report, at the outer loop, whose body includes the inner one.
        let mut i = 0;
        out.loops.retain(|_| {
            let nested = seen_loops.enclosing[i]
                .iter()
                .any(|k| seen_loops.seen.contains(k));
            i += 1;
            !nested
        });
        out
    }

    /// The names used by the functions an endpoint hands on as values (a
    /// filter passed to a helper, a `functools.partial` of one) and by what
    /// they call or hand on in turn, except those of `visited` (already
    /// counted). They run for the endpoint, wherever they are called.
    fn handed_on_names(
        &self,
        mut stack: Vec<FnId>,
        visited: &HashSet<FnId>,
    ) -> Vec<super::NameUse> {
        let mut out = Vec::new();
        let mut seen: HashSet<FnId> = HashSet::new();
        stack.reverse();
        while let Some(g) = stack.pop() {
            if visited.contains(&g) || !seen.insert(g) || seen.len() > 64 {
                continue;
            }
            let facts = &self.facts[g];
            out.extend(facts.names.iter().cloned());
            for c in facts.calls.iter().rev() {
                if let Callee::Fn(h) = c.callee {
                    stack.push(h);
                }
            }
            stack.extend(facts.refs.iter().rev().map(|(h, _)| *h));
        }
        out
    }

    /// The names the dependencies imported from other modules use, along
    /// their `Depends` chain (`org: Org = Depends(current_org)` where
    /// `current_org` reads `user.org_id`), each at the `Depends(...)` that
    /// brings it in.
    fn imported_dep_names(&self, e: &Found) -> Vec<super::NameUse> {
        let Some(hook) = self.m.hook else {
            return Vec::new();
        };
        let mut out: Vec<super::NameUse> = Vec::new();
        for (dotted, span) in &e.imported_deps {
            let path: Vec<&str> = dotted.split('.').collect();
            let Some(import) = self.m.imports.iter().rev().find(|i| i.local == path[0]) else {
                continue;
            };
            for name in hook.function_names(import, &path, 0) {
                if !out.iter().any(|u| u.name == name) {
                    out.push(super::NameUse {
                        name,
                        span: *span,
                        kind: super::NameKind::Identifier,
                        function: e.name.clone(),
                    });
                }
            }
        }
        out
    }

    /// The heartbeats in function `f`: loops that sleep and send and do
    /// not receive, and calls that hand the websocket to a keepalive we
    /// cannot see.
    fn heartbeats(&self, ei: usize, f: FnId, out: &mut Vec<Heartbeat>) {
        let facts = &self.facts[f];
        for (r, region) in facts.regions.iter().enumerate() {
            let RegionKind::Loop { header } = region.kind else {
                continue;
            };
            let sleeps: Vec<_> = facts
                .sleeps
                .iter()
                .filter(|s| facts.within(s.0.region, r))
                .collect();
            if sleeps.is_empty()
                || facts.receives.iter().any(|x| facts.within(x.region, r))
                || !self.region_sends(f, r, None)
            {
                continue;
            }
            let mut best: Option<&(
                super::body::Site,
                crate::values::Resolved,
                crate::source::Span,
                String,
            )> = None;
            let mut unknown = false;
            for s in &sleeps {
                match s.1.number() {
                    Some(n) => {
                        if best.is_none_or(|b| b.1.number().is_some_and(|m| n > m)) {
                            best = Some(s);
                        }
                    }
                    None => unknown = true,
                }
            }
            let (period, origin, value_span, value_text) = match best {
                Some(b) if !unknown => (
                    TimeoutValue::Seconds(b.1.number().unwrap_or_default()),
                    b.1.origin.clone(),
                    b.2,
                    b.3.clone(),
                ),
                _ => (TimeoutValue::Unknown, None, header, String::new()),
            };
            out.push(Heartbeat {
                endpoint: ei,
                span: header,
                period,
                origin,
                value_span,
                value_text,
            });
        }
        for c in &facts.calls {
            let name = c.name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            let keepalive = ["keepalive", "keep_alive", "heartbeat", "ping"]
                .iter()
                .any(|w| name.contains(w));
            if c.callee == Callee::External && c.passes_ws && keepalive {
                out.push(Heartbeat {
                    endpoint: ei,
                    span: c.span,
                    period: TimeoutValue::Unknown,
                    origin: None,
                    value_span: c.span,
                    value_text: String::new(),
                });
            }
        }
    }

    /// Every close and `WebSocketException` of the module's functions.
    fn closes(&self) -> Vec<Close> {
        let mut out: Vec<Close> = self
            .facts
            .iter()
            .flat_map(|f| f.closes.iter())
            .map(|c| Close {
                kind: c.kind,
                span: c.span,
                code: c.code.as_ref().map(|(value, span, text)| Code {
                    value: value.clone(),
                    span: *span,
                    text: text.clone(),
                }),
            })
            .collect();
        out.sort_by_key(|c| c.span);
        out.dedup_by_key(|c| c.span);
        out
    }

    fn steps(&self, chain: &[(FnId, usize)]) -> Vec<Step> {
        chain
            .iter()
            .map(|&(cf, ci)| {
                let call = &self.facts[cf].calls[ci];
                Step {
                    span: call.span,
                    label: format!(
                        "reached through this call in `{}`",
                        self.m.functions[cf].name
                    ),
                }
            })
            .collect()
    }

    /// The regions around a site of `f` reached through `chain`, outermost first.
    fn regions(
        &self,
        chain: &[(FnId, usize)],
        f: FnId,
        region: Option<RegionId>,
    ) -> Vec<(FnId, RegionId)> {
        let mut out = Vec::new();
        for &(cf, ci) in chain {
            let facts = &self.facts[cf];
            out.extend(
                facts
                    .path(facts.calls[ci].region)
                    .into_iter()
                    .map(|r| (cf, r)),
            );
        }
        out.extend(self.facts[f].path(region).into_iter().map(|r| (f, r)));
        out
    }

    fn kind(&self, (f, r): (FnId, RegionId)) -> &RegionKind {
        &self.facts[f].regions[r].kind
    }

    #[allow(clippy::too_many_arguments)]
    fn receives(
        &self,
        ei: usize,
        e: &Found,
        f: FnId,
        chain: &[(FnId, usize)],
        out: &mut Result,
        seen_receives: &mut HashSet<(usize, usize)>,
        seen_loops: &mut SeenLoops,
    ) {
        for r in &self.facts[f].receives {
            let list = self.regions(chain, f, r.region);
            let loop_at = list
                .iter()
                .rposition(|&x| matches!(self.kind(x), RegionKind::Loop { .. }));
            if let Some(li) = loop_at {
                let (lf, lr) = list[li];
                if seen_loops.seen.insert((lf, lr)) {
                    let RegionKind::Loop { header } = self.kind((lf, lr)) else {
                        continue;
                    };
                    let (answers_ping, unanswered_ping) = self.loop_answers_ping(lf, lr);
                    out.loops.push(ReceiveLoop {
                        span: *header,
                        receive: r.span,
                        call: r.call.clone(),
                        // The function the loop is in, which may have
                        // called the one that receives.
                        function: self.m.functions[lf].name.clone(),
                        endpoint: ei,
                        via: self.steps(chain),
                        wrapper: r.wrapper.clone(),
                        answers_ping,
                        unanswered_ping,
                    });
                    // The loops of the same function around this one: if one
                    // of them receives too, it is the one reported.
                    seen_loops.enclosing.push(
                        list[..li]
                            .iter()
                            .copied()
                            .filter(|&(xf, xr)| {
                                xf == lf && matches!(self.kind((xf, xr)), RegionKind::Loop { .. })
                            })
                            .collect(),
                    );
                }
            }
            if r.opaque || (loop_at.is_none() && !r.iter) {
                continue;
            }
            if !seen_receives.insert((r.span.start, r.span.end)) {
                continue;
            }
            let bound_at = list
                .iter()
                .rposition(|&x| matches!(self.kind(x), RegionKind::Bound(_)));
            let (timeout, keepalive) = match bound_at {
                None => (None, Keepalive::Unknown),
                Some(bi) => {
                    let (bf, br) = list[bi];
                    let RegionKind::Bound(b) = self.kind((bf, br)) else {
                        continue;
                    };
                    let bound = &self.facts[bf].bounds[*b];
                    let (value, origin) = match &bound.value {
                        BoundValue::NoneLiteral => (TimeoutValue::NoneLiteral, None),
                        BoundValue::Known(res) => (
                            res.number()
                                .map_or(TimeoutValue::Unknown, TimeoutValue::Seconds),
                            res.origin.clone(),
                        ),
                    };
                    let timeout = Timeout {
                        kind: bound.kind,
                        call: bound.call,
                        callee: bound.callee.clone(),
                        value,
                        origin,
                        value_span: bound.value_span,
                        value_text: bound.value_text.clone(),
                    };
                    let keepalive = self.keepalive(e, &list, bi, bound.kind, bound.call);
                    (Some(timeout), keepalive)
                }
            };
            out.receives.push(Receive {
                span: r.span,
                call: r.call.clone(),
                function: self.m.functions[f].name.clone(),
                endpoint: ei,
                via: self.steps(chain),
                wrapper: r.wrapper.clone(),
                iter: r.iter,
                timeout,
                keepalive,
            });
        }
    }

    /// What is sent when the timeout at `list[bi]` fires.
    fn keepalive(
        &self,
        e: &Found,
        list: &[(FnId, RegionId)],
        bi: usize,
        kind: TimeoutKind,
        call: crate::source::Span,
    ) -> Keepalive {
        let (bf, br) = list[bi];
        let enclosing_loop = |upto: usize| {
            list[..upto]
                .iter()
                .rposition(|&x| matches!(self.kind(x), RegionKind::Loop { .. }))
        };
        if kind == TimeoutKind::MoveOn {
            // The block is left silently; the loop must send something.
            return match enclosing_loop(bi) {
                Some(li) => {
                    let (lf, lr) = list[li];
                    let exclude = (lf == bf).then_some(br);
                    if self.loop_keeps_sending(lf, lr, exclude, None) {
                        Keepalive::Sends
                    } else {
                        Keepalive::Silent {
                            span: call,
                            what: "the loop sends nothing after the block times out".into(),
                        }
                    }
                }
                None => Keepalive::Unknown,
            };
        }
        let try_at = list[..bi]
            .iter()
            .rposition(|&x| matches!(self.kind(x), RegionKind::Try { catch: Some(_) }));
        let Some(ti) = try_at else {
            return match e.kind {
                EndpointKind::Annotated => Keepalive::Unknown,
                _ => Keepalive::Uncaught,
            };
        };
        let (tf, tr) = list[ti];
        let RegionKind::Try {
            catch: Some((h, catch)),
        } = self.kind((tf, tr))
        else {
            return Keepalive::Unknown;
        };
        if *catch == Catch::Maybe {
            return Keepalive::Unknown;
        }
        let handler = &self.facts[tf].handlers[*h];
        if self.region_sends(tf, handler.region, None) {
            return Keepalive::Sends;
        }
        // A handler that lets the loop go on: the loop's own sends (not the
        // replies to a ping) may serve as the keepalive; after a
        // `continue`, only those before the `try`.
        let facts = &self.facts[tf];
        let exits = facts
            .exits
            .iter()
            .any(|s| facts.within(s.region, handler.region));
        let continues = facts
            .continues
            .iter()
            .any(|s| facts.within(s.region, handler.region));
        if !exits && let Some(li) = enclosing_loop(ti) {
            let (lf, lr) = list[li];
            let before = if continues && lf == tf {
                Some(facts.regions[tr].start)
            } else {
                None
            };
            let exclude = (lf == tf).then_some(handler.region);
            if self.loop_keeps_sending(lf, lr, exclude, before) {
                return Keepalive::Sends;
            }
        }
        Keepalive::Silent {
            span: handler.span,
            what: format!(
                "`except {}` sends nothing on the websocket",
                handler.caught.trim_end_matches(':')
            ),
        }
    }

    /// Whether code in region `r` of `f` (not in `exclude`) sends on the
    /// websocket: directly, through a function of this module that does, or
    /// by handing the websocket to a function we cannot see.
    fn region_sends(&self, f: FnId, r: RegionId, exclude: Option<RegionId>) -> bool {
        let facts = &self.facts[f];
        let inside =
            |region| facts.within(region, r) && !exclude.is_some_and(|x| facts.within(region, x));
        facts.sends.iter().any(|s| inside(s.region))
            || facts
                .calls
                .iter()
                .any(|c| inside(c.region) && self.call_sends(c, f, 0))
    }

    /// Whether a call sends on the websocket: a function of this module
    /// that does, or one we cannot see that gets the websocket.
    fn call_sends(&self, c: &CallSite, from: FnId, depth: usize) -> bool {
        match c.callee {
            Callee::External => c.passes_ws,
            Callee::Fn(g) => g != from && self.fn_sends(g, depth + 1),
            Callee::Class(_) => false,
        }
    }

    /// `compute(f)` once per function, `false` while it is being computed
    /// (a cycle) or past the call depth.
    fn memo(
        &self,
        cache: &RefCell<HashMap<FnId, bool>>,
        f: FnId,
        depth: usize,
        compute: impl FnOnce() -> bool,
    ) -> bool {
        if let Some(&v) = cache.borrow().get(&f) {
            return v;
        }
        if depth > MAX_CALL_DEPTH {
            return false;
        }
        cache.borrow_mut().insert(f, false);
        let v = compute();
        cache.borrow_mut().insert(f, v);
        v
    }

    /// Whether loop `r` of `f` sends on every pass: a send (or a sending
    /// call) in it, not in `exclude`, not in a ping branch, and starting
    /// before `before` when given.
    fn loop_keeps_sending(
        &self,
        f: FnId,
        r: RegionId,
        exclude: Option<RegionId>,
        before: Option<usize>,
    ) -> bool {
        let facts = &self.facts[f];
        let in_ping_branch = |region: Option<RegionId>| {
            facts.path(region).iter().any(|&g| {
                matches!(facts.regions[g].kind, RegionKind::Guard) && facts.within(Some(g), r)
            })
        };
        let counts = |region: Option<RegionId>, start: usize| {
            facts.within(region, r)
                && !exclude.is_some_and(|x| facts.within(region, x))
                && !in_ping_branch(region)
                && before.is_none_or(|b| start < b)
        };
        facts.sends.iter().any(|s| counts(s.region, s.span.start))
            || facts
                .calls
                .iter()
                .any(|c| counts(c.region, c.span.start) && self.call_sends(c, f, 0))
    }

    fn fn_sends(&self, f: FnId, depth: usize) -> bool {
        self.memo(&self.sends, f, depth, || {
            let facts = &self.facts[f];
            !facts.sends.is_empty() || facts.calls.iter().any(|c| self.call_sends(c, f, depth))
        })
    }

    /// Whether loop `lr` of `f` answers a `"ping"`, and a ping comparison in
    /// it that does not.
    fn loop_answers_ping(&self, f: FnId, lr: RegionId) -> (bool, Option<crate::source::Span>) {
        if self.module_ping {
            return (true, None);
        }
        let facts = &self.facts[f];
        let mut unanswered = None;
        for p in &facts.pings {
            if !facts.within(p.region, lr) && !p.guard.is_some_and(|g| facts.within(Some(g), lr)) {
                continue;
            }
            if self.ping_answered(f, p.guard) {
                return (true, None);
            }
            unanswered.get_or_insert(p.span);
        }
        let via_call = facts.calls.iter().any(|c| {
            facts.within(c.region, lr)
                && match c.callee {
                    Callee::Fn(g) => self.fn_answers_ping(g, 0),
                    // A message handler we cannot see, with the websocket
                    // at hand, may answer it.
                    Callee::External => c.passes_ws && handler_name(&c.name),
                    Callee::Class(_) => false,
                }
        });
        (via_call, if via_call { None } else { unanswered })
    }

    fn ping_answered(&self, f: FnId, guard: Option<RegionId>) -> bool {
        let Some(g) = guard else { return true };
        let facts = &self.facts[f];
        self.region_sends(f, g, None) || facts.replies.iter().any(|s| facts.within(s.region, g))
    }

    fn fn_answers_ping(&self, f: FnId, depth: usize) -> bool {
        self.memo(&self.pings, f, depth, || {
            let facts = &self.facts[f];
            facts.pings.iter().any(|p| self.ping_answered(f, p.guard))
                || facts.calls.iter().any(|c| {
                    matches!(c.callee, Callee::Fn(g) if g != f && self.fn_answers_ping(g, depth + 1))
                })
        })
    }

    /// Closes and raises that can run before the endpoint accepts.
    fn pre_accept(
        &self,
        ei: usize,
        e: &Found,
        flow: &mut Flow<'_, 't>,
        hidden: bool,
    ) -> Vec<PreAccept> {
        let mut entries: Vec<(FnId, Option<Step>)> = Vec::new();
        let mut accept = None;
        for (g, span) in &e.deps {
            entries.push((
                *g,
                Some(Step {
                    span: *span,
                    label: format!(
                        "dependency `{}` runs before the endpoint",
                        self.m.functions[*g].name
                    ),
                }),
            ));
        }
        match (e.kind, e.handler, e.class) {
            (EndpointKind::Route, Some(h), _) => {
                accept = self.facts[h].accepts.first().copied();
                entries.push((h, None));
            }
            (EndpointKind::Annotated, Some(h), _) => {
                // Only a function that accepts itself is known to run
                // before the accept; a helper may run after it.
                accept = self.facts[h].accepts.first().copied();
                if accept.is_none() {
                    return Vec::new();
                }
                entries.push((h, None));
            }
            (EndpointKind::Class, _, Some(c)) => {
                // Starlette's WebSocketEndpoint accepts in its default
                // on_connect; an override runs before any accept.
                if let Some(on_connect) = self.m.method(c, "on_connect", 0) {
                    accept = self.facts[on_connect].accepts.first().copied();
                    entries.push((on_connect, None));
                }
            }
            _ => {}
        }
        let mut out = Vec::new();
        for (f, step) in entries {
            let summary = flow.summary(f, hidden);
            // The endpoint's own function can accept earlier: before each
            // close it runs, or the call in it that reaches one.
            let accept_first = match (&step, accept) {
                (None, Some(a)) => {
                    let anchors: Vec<Span> = summary
                        .events
                        .iter()
                        .map(|ev| ev.via.first().map_or(ev.span, |s| s.span))
                        .collect();
                    self.accept_first(f, a, &anchors)
                }
                _ => None,
            };
            for ev in &summary.events {
                let mut via: Vec<Step> = step.iter().cloned().collect();
                via.extend(ev.via.iter().cloned());
                out.push(PreAccept {
                    kind: ev.kind,
                    span: ev.span,
                    code: ev.code.clone(),
                    endpoint: ei,
                    via,
                    accept,
                    accept_first: accept_first.clone(),
                });
            }
        }
        out
    }

    /// The move of `f`'s accept (at `accept`) to the line above the first
    /// of its statements holding an anchor, when that is certain: the
    /// accept is a statement of `f`'s body of its own, `await
    /// <parameter>.accept()` (with no arguments but literals, which mean
    /// the same anywhere), on a line of its own; every anchor is in a
    /// statement of that body before it (not in a nested function), and
    /// that statement starts its line at the same indentation.
    fn accept_first(&self, f: FnId, accept: Span, anchors: &[Span]) -> Option<AcceptFirst> {
        let info = &self.m.functions[f];
        let body = info.body()?;
        let src = self.m.src;
        // The statement of the body holding `span`.
        let top = |span: Span| -> Option<tree_sitter::Node<'t>> {
            let mut n = info.node.descendant_for_byte_range(span.start, span.end)?;
            loop {
                let p = n.parent()?;
                if p.id() == body.id() {
                    return Some(n);
                }
                if matches!(
                    p.kind(),
                    "function_definition" | "lambda" | "class_definition"
                ) {
                    return None;
                }
                n = p;
            }
        };
        let stmt = top(accept)?;
        let call = stmt
            .named_child(0)
            .filter(|a| a.kind() == "await" && stmt.named_child_count() == 1)?
            .named_child(0)
            .filter(|c| c.kind() == "call")?;
        let func = call.child_by_field_name("function")?;
        let receiver = func.child_by_field_name("object")?;
        let literal_args = call.child_by_field_name("arguments").is_some_and(|args| {
            let mut cursor = args.walk();
            args.named_children(&mut cursor).all(|a| {
                a.kind() == "keyword_argument"
                    && a.child_by_field_name("value")
                        .is_some_and(|v| matches!(v.kind(), "string" | "none" | "integer"))
            })
        });
        let receiver_name = &src[receiver.byte_range()];
        if func.kind() != "attribute"
            || receiver.kind() != "identifier"
            || !info.params.iter().any(|p| p.name == receiver_name)
            || !literal_args
        {
            return None;
        }
        let first = anchors
            .iter()
            .map(|a| top(*a))
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .min_by_key(|n| n.start_byte())?;
        if first.start_byte() >= stmt.start_byte() {
            return None;
        }
        let line_start = |at: usize| src[..at].rfind('\n').map_or(0, |i| i + 1);
        let (a_line, f_line) = (
            line_start(stmt.start_byte()),
            line_start(first.start_byte()),
        );
        let a_indent = &src[a_line..stmt.start_byte()];
        let f_indent = &src[f_line..first.start_byte()];
        let a_end = src[stmt.end_byte()..]
            .find('\n')
            .map_or(src.len(), |i| stmt.end_byte() + i);
        let rest = src[stmt.end_byte()..a_end].trim();
        if a_indent != f_indent
            || !a_indent.chars().all(|c| c == ' ' || c == '\t')
            || !(rest.is_empty() || rest.starts_with('#'))
        {
            return None;
        }
        let eol = if src[..a_end].ends_with('\r') {
            "\r\n"
        } else {
            "\n"
        };
        let moved = src[stmt.start_byte()..a_end].trim_end_matches('\r');
        Some(AcceptFirst {
            insert_at: f_line,
            line: format!("{f_indent}{moved}{eol}"),
            remove: Span::new(a_line, (a_end + 1).min(src.len())),
        })
    }
}
