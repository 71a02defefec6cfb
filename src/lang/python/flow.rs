//! The paths before `websocket.accept()`: which `close(code=...)` and
//! `raise WebSocketException(...)` an endpoint (or a helper or dependency
//! it runs) can reach while the connection is not yet accepted.
//!
//! The state at a point is "some path reaches here without an accept"
//! (`Some(true)`), "every path that reaches here accepted" (`Some(false)`),
//! or "no path reaches here" (`None`). Branches join, loops run until the
//! state settles, `try` handlers start from the state before the body (a
//! `try` whose first statement is the accept counts as accepted in them).

use crate::lang::kind::Kind;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use tree_sitter::Node;

use super::body::{CallKind, CloseKind, Cx, WsCx};
use super::symbols::{Callee, FnId, Module};
use super::syntax::{self, Call, MAX_NESTING, span, text, unawait};
use super::{Code, Step};
use crate::source::Span;

type St = Option<bool>;

fn join(a: St, b: St) -> St {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) => Some(x || y),
    }
}

/// A close or raise on a path before the accept.
#[derive(Clone)]
pub(crate) struct Event {
    pub span: Span,
    pub kind: CloseKind,
    /// The code, if any.
    pub code: Option<Code>,
    /// The calls that lead from the analysed function to it.
    pub via: Vec<Step>,
}

pub(crate) struct Summary {
    pub events: Vec<Event>,
    /// Every normal exit has accepted.
    pub accepts: bool,
}

pub(crate) struct Flow<'a, 't> {
    m: &'a Module<'t>,
    ws: &'a [WsCx],
    class_attrs: &'a [HashSet<String>],
    memo: HashMap<(FnId, bool), Rc<Summary>>,
    active: HashSet<FnId>,
}

impl<'a, 't> Flow<'a, 't> {
    pub(crate) fn new(
        m: &'a Module<'t>,
        ws: &'a [WsCx],
        class_attrs: &'a [HashSet<String>],
    ) -> Self {
        Flow {
            m,
            ws,
            class_attrs,
            memo: HashMap::new(),
            active: HashSet::new(),
        }
    }

    /// Function `f` run on a connection not yet accepted. `hidden`: the
    /// endpoint accepts nowhere we can see, so any function we cannot see
    /// that gets the websocket may be the one that accepts.
    pub(crate) fn summary(&mut self, f: FnId, hidden: bool) -> Rc<Summary> {
        if let Some(s) = self.memo.get(&(f, hidden)) {
            return s.clone();
        }
        if self.active.len() > 16 || !self.active.insert(f) {
            return Rc::new(Summary {
                events: Vec::new(),
                accepts: false,
            });
        }
        let mut w = Walk {
            flow: self,
            f,
            hidden,
            events: Vec::new(),
            returns: None,
            breaks: Vec::new(),
            conts: Vec::new(),
        };
        let body = w.flow.m.functions[f].body();
        let out = match body {
            Some(b) => w.block(b, Some(true), 0),
            None => Some(true),
        };
        let accepts = join(out, w.returns) == Some(false);
        let mut events = w.events;
        events.sort_by_key(|e| e.span);
        events.dedup_by_key(|e| e.span);
        let s = Rc::new(Summary { events, accepts });
        self.active.remove(&f);
        self.memo.insert((f, hidden), s.clone());
        s
    }
}

/// Names of functions we cannot see that, given the websocket, probably
/// accept it: a name that says accept, connect or handshake anywhere
/// (`manager.connect(websocket)`, `safe_accept(ws)`), or that starts with
/// the verb of a function that takes over the connection (`handler.start()`,
/// `serve_socket(ws)`, `handle(websocket)`, `run(ws)`, `open_session(ws)`).
/// Words are split at `_` and camelCase humps; class names (constructors)
/// never accept.
pub(crate) fn accepts_by_name(name: &str) -> bool {
    if name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return false;
    }
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in name.chars() {
        if (c == '_' || c.is_ascii_uppercase()) && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if c != '_' {
            cur.push(c.to_ascii_lowercase());
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let anywhere = |w: &String| {
        w.starts_with("accept") || w.starts_with("connect") || w.starts_with("handshake")
    };
    let verb = words.first().is_some_and(|w| {
        [
            "start",
            "serve",
            "open",
            "handle",
            "run",
            "upgrade",
            "establish",
            "attach",
            "join",
        ]
        .iter()
        .any(|v| w == v || (w.starts_with(v) && w.len() <= v.len() + 3))
    });
    words.iter().any(anywhere) || verb
}

struct Walk<'w, 'a, 't> {
    flow: &'w mut Flow<'a, 't>,
    f: FnId,
    hidden: bool,
    events: Vec<Event>,
    returns: St,
    breaks: Vec<St>,
    conts: Vec<St>,
}

impl<'t> Walk<'_, '_, 't> {
    fn cx(&self) -> Cx<'_, 't> {
        Cx {
            m: self.flow.m,
            f: self.f,
            ws: &self.flow.ws[self.f],
            class_attrs: self.flow.class_attrs,
        }
    }

    fn block(&mut self, n: Node<'t>, mut s: St, depth: u32) -> St {
        if depth > MAX_NESTING {
            return s;
        }
        let mut c = n.walk();
        let stmts: Vec<Node<'t>> = n.named_children(&mut c).collect();
        for stmt in stmts {
            if s.is_none() {
                break;
            }
            s = self.stmt(stmt, s, depth + 1);
        }
        s
    }

    fn field_block(&mut self, n: Node<'t>, field: &str, s: St, depth: u32) -> St {
        match n.field(field) {
            Some(b) => self.block(b, s, depth),
            None => s,
        }
    }

    fn stmt(&mut self, n: Node<'t>, s: St, depth: u32) -> St {
        if depth > MAX_NESTING {
            return s;
        }
        match n.k() {
            "comment"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "pass_statement"
            | "import_statement"
            | "import_from_statement" => s,
            "block" => self.block(n, s, depth),
            "return_statement" => {
                let s = self.expr(n, s);
                self.returns = join(self.returns, s);
                None
            }
            "raise_statement" => {
                if s == Some(true) {
                    let raised = n.named_child(0).map(unawait);
                    if let Some(call) = raised.and_then(|r| Call::of(r, self.flow.m.src))
                        && self.cx().classify(&call) == CallKind::WsException
                    {
                        let code = call.arg(0, "code").map(|c| self.code(c));
                        self.events.push(Event {
                            span: span(n),
                            kind: CloseKind::Exception,
                            code,
                            via: Vec::new(),
                        });
                    }
                }
                self.expr(n, s);
                None
            }
            "break_statement" => {
                if let Some(b) = self.breaks.last_mut() {
                    *b = join(*b, s);
                }
                None
            }
            "continue_statement" => {
                if let Some(c) = self.conts.last_mut() {
                    *c = join(*c, s);
                }
                None
            }
            "if_statement" => {
                let mut cond = n.field("condition").map_or(s, |c| self.expr(c, s));
                let mut out = self.field_block(n, "consequence", cond, depth);
                let mut has_else = false;
                let mut c = n.walk();
                let alts: Vec<Node<'t>> = n.children_by_field_name("alternative", &mut c).collect();
                for alt in alts {
                    match alt.k() {
                        "elif_clause" => {
                            cond = alt.field("condition").map_or(cond, |c| self.expr(c, cond));
                            out = join(out, self.field_block(alt, "consequence", cond, depth));
                        }
                        _ => {
                            has_else = true;
                            out = join(out, self.field_block(alt, "body", cond, depth));
                        }
                    }
                }
                if !has_else {
                    out = join(out, cond);
                }
                out
            }
            "while_statement" | "for_statement" => {
                let head = n.field("condition").or_else(|| n.field("right"));
                let s = head.map_or(s, |h| self.expr(h, s));
                let infinite = n.k() == "while_statement"
                    && head.is_some_and(|h| matches!(text(h, self.flow.m.src), "True" | "1"));
                self.breaks.push(None);
                self.conts.push(None);
                let mut body_out = self.field_block(n, "body", s, depth);
                let again = join(body_out, self.conts.last().copied().flatten());
                if again == Some(true) && s != Some(true) {
                    body_out = join(body_out, self.field_block(n, "body", Some(true), depth));
                }
                self.conts.pop();
                let breaks = self.breaks.pop().flatten();
                let mut out = if infinite {
                    breaks
                } else {
                    join(join(s, body_out), breaks)
                };
                if let Some(alt) = n.field("alternative") {
                    out = self.field_block(alt, "body", out, depth);
                }
                out
            }
            "try_statement" => self.try_statement(n, s, depth),
            "with_statement" => {
                let mut c = n.walk();
                let clause = n.named_children(&mut c).find(|k| k.k() == "with_clause");
                let s = clause.map_or(s, |cl| self.expr(cl, s));
                self.field_block(n, "body", s, depth)
            }
            "match_statement" => {
                let mut c = n.walk();
                let subjects: Vec<Node<'t>> = n.children_by_field_name("subject", &mut c).collect();
                let mut s = s;
                for sub in subjects {
                    s = self.expr(sub, s);
                }
                let mut out = s;
                if let Some(body) = n.field("body") {
                    let mut c = body.walk();
                    let cases: Vec<Node<'t>> = body
                        .named_children(&mut c)
                        .filter(|k| k.k() == "case_clause")
                        .collect();
                    for case in cases {
                        out = join(out, self.field_block(case, "consequence", s, depth));
                    }
                }
                out
            }
            _ => self.expr(n, s),
        }
    }

    fn try_statement(&mut self, n: Node<'t>, s: St, depth: u32) -> St {
        let body = n.field("body");
        let first_accepts = body
            .and_then(|b| b.named_child(0))
            .is_some_and(|first| self.is_accept_statement(first));
        let body_out = body.map_or(s, |b| self.block(b, s, depth));
        let before = if first_accepts { s.map(|_| false) } else { s };
        let handler_in = join(before, body_out);
        let mut c = n.walk();
        let parts: Vec<Node<'t>> = n.named_children(&mut c).collect();
        let mut handlers_out = None;
        let mut normal_out = body_out;
        let mut fin = None;
        for part in parts {
            match part.k() {
                "except_clause" | "except_group_clause" => {
                    let mut c = part.walk();
                    let block = part.named_children(&mut c).find(|k| k.k() == "block");
                    if let Some(b) = block {
                        handlers_out = join(handlers_out, self.block(b, handler_in, depth));
                    }
                }
                "else_clause" => normal_out = self.field_block(part, "body", body_out, depth),
                "finally_clause" => fin = Some(part),
                _ => {}
            }
        }
        let out = join(normal_out, handlers_out);
        if let Some(f) = fin {
            let mut c = f.walk();
            let block = f.named_children(&mut c).find(|k| k.k() == "block");
            if let Some(b) = block {
                let after = self.block(b, join(out, handler_in), depth);
                return out.and(after);
            }
        }
        out
    }

    fn code(&self, n: Node<'t>) -> Code {
        Code {
            value: self.flow.m.eval(n),
            span: span(n),
            text: text(n, self.flow.m.src).to_string(),
        }
    }

    fn is_accept_statement(&self, stmt: Node<'t>) -> bool {
        if stmt.k() != "expression_statement" {
            return false;
        }
        let Some(e) = stmt.named_child(0).map(unawait) else {
            return false;
        };
        Call::of(e, self.flow.m.src).is_some_and(|c| {
            let cx = self.cx();
            match cx.classify(&c) {
                CallKind::Accept => true,
                CallKind::Other => match self.flow.m.resolve_call(self.f, &c) {
                    Callee::External => {
                        cx.passes_ws(&c)
                            && (self.hidden || c.name(self.flow.m.src).is_some_and(accepts_by_name))
                    }
                    _ => false,
                },
                _ => false,
            }
        })
    }

    /// The calls of an expression (or a simple statement) in the order
    /// they complete.
    fn expr(&mut self, n: Node<'t>, mut s: St) -> St {
        if s.is_none() {
            return s;
        }
        let src = self.flow.m.src;
        let mut calls = Vec::new();
        let mut yields = false;
        self.flow.m.flat.walk(
            n,
            |m| !syntax::is_scope(m) && !matches!(m.k(), "block"),
            |m| match m.k() {
                "call" => calls.push(m),
                "yield" => yields = true,
                _ => {}
            },
        );
        calls.sort_by_key(|c| c.end_byte());
        for c in calls {
            let Some(call) = Call::of(c, src) else {
                continue;
            };
            let kind = self.cx().classify(&call);
            match kind {
                CallKind::Accept => s = s.map(|_| false),
                CallKind::Close if s == Some(true) => {
                    if let Some(code) = call.arg(0, "code") {
                        self.events.push(Event {
                            span: span(c),
                            kind: CloseKind::Close,
                            code: Some(self.code(code)),
                            via: Vec::new(),
                        });
                    }
                }
                CallKind::Other | CallKind::TimeoutCtx(_) => {
                    match self.flow.m.resolve_call(self.f, &call) {
                        Callee::Fn(g) => {
                            if s != Some(true) || g == self.f {
                                continue;
                            }
                            let summary = self.flow.summary(g, self.hidden);
                            let step = Step {
                                span: span(c),
                                label: format!(
                                    "`{}` runs here, before the accept",
                                    self.flow.m.functions[g].name
                                ),
                            };
                            for e in &summary.events {
                                let mut e = e.clone();
                                e.via.insert(0, step.clone());
                                self.events.push(e);
                            }
                            if summary.accepts {
                                s = Some(false);
                            }
                        }
                        Callee::External => {
                            let cx = self.cx();
                            let hidden = self.hidden;
                            if cx.passes_ws(&call)
                                && (hidden || call.name(src).is_some_and(accepts_by_name))
                            {
                                s = s.map(|_| false);
                            }
                        }
                        Callee::Class(_) => {}
                    }
                }
                _ => {}
            }
        }
        // A dependency's code after its `yield` runs after the endpoint.
        if yields {
            s = s.map(|_| false);
        }
        s
    }
}
