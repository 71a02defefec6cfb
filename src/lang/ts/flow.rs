//! Paths through a handler: which calls happen under which conditions.
//!
//! A [`Walk`] goes through a function's statements and expressions in
//! order, keeping the conditions that must hold to get where it is (`if`,
//! `else`, early `return`, `&&`, `||`, `?:`, `switch`). Calls to functions
//! of the same module are walked into (with the close event and other
//! arguments bound to their parameters), as are callbacks passed to calls
//! (`setTimeout(() => ...)`); functions merely defined or attached as other
//! handlers are not. A [`Visitor`] sees every call, `new`, function
//! reference and `return` with the conditions in force.
//!
//! Conditions on the close code compile to [`Cond`], a small expression
//! over "the close code" that rules evaluate per configured code.

use crate::lang::kind::Kind;
use tree_sitter::Node;

use crate::source::Span;
use crate::values::{Value, member_path};

use super::index::{FnId, Index, NodeExt, is_function, param_pattern, unwrap, visit_bounded};
use super::scope::ModuleScope;
use super::{CodeSet, SetRole};

/// Comparison of the close code with a number: `code <op> n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn parse(op: &str) -> Option<CmpOp> {
        Some(match op {
            "===" | "==" => CmpOp::Eq,
            "!==" | "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => return None,
        })
    }

    /// `n <op> code` as `code <flipped> n`.
    fn flip(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            o => o,
        }
    }

    fn apply(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }
}

/// A condition as far as the close code decides it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Known(bool),
    /// Not decidable statically; `on_code`: it reads the close event, so it
    /// may well be a terminal-code check wslint cannot see into.
    Unknown {
        on_code: bool,
    },
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    /// The code is in `ClientModel::code_sets[i]`.
    InSet(usize),
    Cmp(CmpOp, f64),
    /// socket.io's disconnect reason is this string
    /// (`reason === "io server disconnect"`).
    Reason(String),
    /// socket.io's `socket.active`: it will reconnect by itself.
    Active,
}

/// Three-valued truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Maybe { on_code: bool },
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            m => m,
        }
    }

    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, x) | (x, Tri::Yes) => x,
            (Tri::Maybe { on_code: a }, Tri::Maybe { on_code: b }) => {
                Tri::Maybe { on_code: a || b }
            }
        }
    }

    fn or(self, other: Tri) -> Tri {
        self.not().and(other.not()).not()
    }
}

/// How a condition is read for one close code.
pub struct Reading<'a> {
    pub code: f64,
    /// Read membership in a terminal set as what the set claims to be: it
    /// holds for every terminal code. Whether the set is complete is WS103's
    /// question, not whether the reconnect is guarded (WS104).
    pub structural: bool,
    pub sets: &'a [CodeSet],
    /// On a library's final path: socket.io's disconnect reason, if known.
    pub reason: Option<&'a str>,
    /// socket.io's `socket.active` there, if known.
    pub active: Option<bool>,
}

impl<'a> Reading<'a> {
    /// The paths taken after close code `code`.
    pub fn code(code: f64, structural: bool, sets: &'a [CodeSet]) -> Reading<'a> {
        Reading {
            code,
            structural,
            sets,
            reason: None,
            active: None,
        }
    }

    /// A library's final path, whatever the code (set the reason and the
    /// `active` flag it comes with): a condition on the code is one wslint
    /// cannot decide there.
    pub fn on_library_path(sets: &'a [CodeSet]) -> Reading<'a> {
        Reading {
            code: f64::NAN,
            structural: true,
            sets,
            reason: None,
            active: None,
        }
    }
}

fn tri(b: bool) -> Tri {
    if b { Tri::Yes } else { Tri::No }
}

impl Cond {
    pub fn eval(&self, r: &Reading<'_>) -> Tri {
        match self {
            Cond::Known(b) => {
                if *b {
                    Tri::Yes
                } else {
                    Tri::No
                }
            }
            Cond::Unknown { on_code } => Tri::Maybe { on_code: *on_code },
            Cond::Not(c) => c.eval(r).not(),
            Cond::And(a, b) => a.eval(r).and(b.eval(r)),
            Cond::Or(a, b) => a.eval(r).or(b.eval(r)),
            Cond::InSet(_) | Cond::Cmp(..) if r.code.is_nan() => Tri::Maybe { on_code: true },
            Cond::Reason(s) => match r.reason {
                Some(x) => tri(x == s),
                None => Tri::Maybe { on_code: true },
            },
            Cond::Active => match r.active {
                Some(a) => tri(a),
                None => Tri::Maybe { on_code: true },
            },
            Cond::InSet(i) => {
                let Some(set) = r.sets.get(*i) else {
                    return Tri::Maybe { on_code: true };
                };
                if r.structural && set.role == SetRole::Terminal {
                    return Tri::Yes;
                }
                match &set.codes {
                    Some(codes) => {
                        if codes.contains(&r.code) {
                            Tri::Yes
                        } else {
                            Tri::No
                        }
                    }
                    None => Tri::Maybe { on_code: true },
                }
            }
            // Comparisons are read as written, also structurally: `code !==
            // 1000` inside a terminal branch excludes 1000, and `if (code
            // === 4001) return;` guards 4001 only.
            Cond::Cmp(op, n) => {
                if op.apply(r.code, *n) {
                    Tri::Yes
                } else {
                    Tri::No
                }
            }
        }
    }

    /// The sets and compared numbers this condition reads.
    pub fn atoms(&self, sets: &mut Vec<usize>, numbers: &mut Vec<f64>) {
        let mut stack = vec![self];
        while let Some(c) = stack.pop() {
            match c {
                Cond::Not(a) => stack.push(a),
                Cond::And(a, b) | Cond::Or(a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                Cond::InSet(i) => sets.push(*i),
                Cond::Cmp(CmpOp::Eq | CmpOp::Ne, n) => numbers.push(*n),
                _ => {}
            }
        }
    }
}

/// A condition that holds (or, `positive == false`, fails) on a path.
#[derive(Clone, Debug)]
pub struct Guard {
    pub cond: Cond,
    pub positive: bool,
    pub span: Span,
}

/// Whether a path with these guards is taken for one close code.
pub fn path(guards: &[Guard], r: &Reading<'_>) -> Tri {
    let mut acc = Tri::Yes;
    for g in guards {
        let v = g.cond.eval(r);
        acc = acc.and(if g.positive { v } else { v.not() });
        if acc == Tri::No {
            break;
        }
    }
    acc
}

/// What a name stands for inside a walked function.
#[derive(Clone, Debug)]
pub enum Role {
    /// The close event (`event`, `e`).
    Event,
    /// The close code (`code` of `({ code }) =>`, `.on('close', (code) =>`).
    Code,
    /// An argument passed in as a path (`clear(heartbeatRef)` binds
    /// `ref` -> `heartbeatRef`).
    Path(String),
    /// A function of the module passed in (`handleReconnect(ref, connect)`
    /// binds `reconnect` -> `connect`, `withBackoff(() => this.open())` its
    /// parameter to the arrow): calling the parameter runs it.
    Fn(FnId),
    /// socket.io's disconnect reason (`socket.on("disconnect", (reason) =>`).
    Reason,
}

struct Frame<'t> {
    func: Option<FnId>,
    roles: Vec<(&'t str, Role)>,
}

/// A guard while walking: the condition node is kept for visitors that
/// read it (the token-null guard).
#[derive(Clone, Debug)]
pub struct WGuard<'t> {
    pub cond: Cond,
    pub positive: bool,
    pub node: Node<'t>,
}

pub enum Descend {
    Into,
    Skip,
}

pub trait Visitor<'t> {
    /// A call; `target` is the function of this module it calls, if known.
    fn call(&mut self, w: &mut Walk<'_, '_, 't>, call: Node<'t>, target: Option<FnId>) -> Descend;
    /// After a call the visitor let the walk go into: `inlined` is false when
    /// the walk could not (a cycle, too deep).
    fn after_call(&mut self, _w: &mut Walk<'_, '_, 't>, _call: Node<'t>, _inlined: bool) {}
    /// A function passed by reference to a scheduler (`setTimeout(connect, 1000)`).
    fn fn_ref(&mut self, w: &mut Walk<'_, '_, 't>, sched: Node<'t>, target: FnId) -> Descend {
        self.call(w, sched, Some(target))
    }
    /// A function of the module handed by reference to a function that is
    /// not (a package's, or one this walk cannot follow): `queue.push(connect)`.
    /// `Into` walks it there, as if the callee ran it.
    fn fn_arg(&mut self, _w: &mut Walk<'_, '_, 't>, _call: Node<'t>, _target: FnId) -> Descend {
        Descend::Skip
    }
    fn new_expr(&mut self, _w: &mut Walk<'_, '_, 't>, _node: Node<'t>) {}
    /// A `return` (or an arrow's expression body) of the walked function
    /// itself, not of a function walked into.
    fn ret(&mut self, _w: &mut Walk<'_, '_, 't>, _value: Option<Node<'t>>) {}
}

/// Code sets found while compiling conditions, deduplicated by span.
#[derive(Default)]
pub struct SetTable {
    pub sets: Vec<CodeSet>,
}

/// How far walks go before they stop (and say so).
const BUDGET: usize = 20_000;
const MAX_INLINE: usize = 5;
/// Statements and expressions nested deeper than this (inlined functions
/// included) are not followed; the walk says it is incomplete.
const MAX_NESTING: usize = 128;

pub struct Walk<'c, 'a, 't> {
    pub ix: &'c Index<'t>,
    pub scope: &'c ModuleScope<'a, 't>,
    pub sets: &'c mut SetTable,
    pub guards: Vec<WGuard<'t>>,
    frames: Vec<Frame<'t>>,
    /// The outermost call a walk into a function went through: where
    /// points found inside are reported.
    anchor: Option<Node<'t>>,
    /// Callback nesting (`setTimeout(() => ...)`) inside the current frame.
    nested: usize,
    budget: usize,
    depth: usize,
    /// The walk stopped early somewhere: absence of a thing proves nothing.
    pub truncated: bool,
    /// Every condition compiled on the way, with where it is written.
    pub conds: Vec<(Cond, Span)>,
    /// In a socket.io `connect_error` handler: `x.active` is
    /// [`Cond::Active`].
    pub reads_active: bool,
}

impl<'c, 'a, 't> Walk<'c, 'a, 't> {
    pub fn new(ix: &'c Index<'t>, scope: &'c ModuleScope<'a, 't>, sets: &'c mut SetTable) -> Self {
        Walk {
            ix,
            scope,
            sets,
            guards: Vec::new(),
            frames: Vec::new(),
            anchor: None,
            nested: 0,
            budget: BUDGET,
            depth: 0,
            truncated: false,
            conds: Vec::new(),
            reads_active: false,
        }
    }

    /// Records a condition a visitor compiled itself.
    pub fn note(&mut self, cond: Cond, at: Node<'_>) {
        self.conds
            .push((cond, Span::new(at.start_byte(), at.end_byte())));
    }

    /// Walks function `f` as a handler whose first parameter is `first`.
    pub fn run(&mut self, f: FnId, first: Option<Role>, v: &mut dyn Visitor<'t>) {
        let mut roles = Vec::new();
        if let Some(role) = first
            && let Some(p) = self.ix.functions[f].params.first()
        {
            self.bind_role(param_pattern(*p), role, &mut roles);
        }
        self.frames.push(Frame {
            func: Some(f),
            roles,
        });
        self.body(f, v);
        self.frames.pop();
    }

    /// The call in the walked function that led to where the walk is.
    pub fn anchor(&self) -> Option<Node<'t>> {
        self.anchor
    }

    /// Where a point found now is reported: the call in the walked
    /// function that led here, or the node itself.
    pub fn point_span(&self, node: Node<'_>) -> Span {
        self.anchor
            .map_or(Span::new(node.start_byte(), node.end_byte()), |a| {
                Span::new(a.start_byte(), a.end_byte())
            })
    }

    /// Whether the walk is in a function it went into from the handler.
    pub fn inlined(&self) -> bool {
        self.frames.len() > 1
    }

    /// The guards in force, for the model.
    pub fn snapshot(&self) -> Vec<Guard> {
        self.guards
            .iter()
            .map(|g| Guard {
                cond: g.cond.clone(),
                positive: g.positive,
                span: Span::new(g.node.start_byte(), g.node.end_byte()),
            })
            .collect()
    }

    /// The function the walk is in.
    pub fn current_fn(&self) -> Option<FnId> {
        self.frames.last().and_then(|f| f.func)
    }

    fn role(&self, name: &str) -> Option<&Role> {
        self.frames
            .last()?
            .roles
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r)
    }

    fn bind_role(&self, pattern: Node<'t>, role: Role, out: &mut Vec<(&'t str, Role)>) {
        match pattern.k() {
            "identifier" => out.push((self.ix.text(pattern), role)),
            "object_pattern" if matches!(role, Role::Event) => {
                let mut c = pattern.walk();
                for child in pattern.named_children(&mut c) {
                    match child.k() {
                        "shorthand_property_identifier_pattern"
                            if self.ix.text(child) == "code" =>
                        {
                            out.push(("code", Role::Code));
                        }
                        "pair_pattern" => {
                            let key = child.f("key").map(|k| self.ix.text(k));
                            let value = child.f("value");
                            if let (Some("code"), Some(v)) = (key, value)
                                && v.k() == "identifier"
                            {
                                out.push((self.ix.text(v), Role::Code));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn tick(&mut self) -> bool {
        if self.budget == 0 {
            self.truncated = true;
            return false;
        }
        self.budget -= 1;
        true
    }

    fn body(&mut self, f: FnId, v: &mut dyn Visitor<'t>) {
        let Some(body) = self.ix.functions[f].body else {
            return;
        };
        if body.k() == "statement_block" {
            self.block(body, v);
        } else {
            self.expr(body, v);
            if self.nested == 0 && self.frames.len() == 1 {
                v.ret(self, Some(body));
            }
        }
    }

    /// Walks a callback passed to a call, in place, with the guards in force.
    fn callback(&mut self, f: FnId, v: &mut dyn Visitor<'t>) {
        let base = self.guards.len();
        self.nested += 1;
        self.body(f, v);
        self.nested -= 1;
        self.guards.truncate(base);
    }

    /// Walks into function `f` called with `args`.
    fn inline(
        &mut self,
        f: FnId,
        call: Option<Node<'t>>,
        anchor: Node<'t>,
        v: &mut dyn Visitor<'t>,
    ) -> bool {
        if self.frames.len() > MAX_INLINE || self.frames.iter().any(|fr| fr.func == Some(f)) {
            return false;
        }
        let mut roles = Vec::new();
        // A closure sees what its enclosing function's names stand for
        // (`() => this.open(e.code)` handed to a helper and run there).
        if let Some(parent) = self.ix.functions[f].parent
            && let Some(fr) = self.frames.iter().rev().find(|fr| fr.func == Some(parent))
        {
            roles.extend(fr.roles.iter().cloned());
        }
        if let Some(args) = call.and_then(|c| c.f("arguments")) {
            let mut c = args.walk();
            let args: Vec<Node<'t>> = args
                .named_children(&mut c)
                .filter(|a| a.k() != "comment")
                .collect();
            let params = self.ix.functions[f].params.clone();
            for (p, a) in params.iter().zip(args.iter()) {
                if a.k() == "spread_element" {
                    break;
                }
                if let Some(role) = self.role_of(*a) {
                    self.bind_role(param_pattern(*p), role, &mut roles);
                }
            }
        }
        let outer_anchor = self.anchor;
        if self.frames.len() == 1 && self.anchor.is_none() {
            self.anchor = Some(anchor);
        }
        let saved_nested = std::mem::replace(&mut self.nested, 0);
        let base = self.guards.len();
        self.frames.push(Frame {
            func: Some(f),
            roles,
        });
        self.body(f, v);
        self.frames.pop();
        self.guards.truncate(base);
        self.nested = saved_nested;
        self.anchor = outer_anchor;
        true
    }

    /// What an argument is, for the parameter it binds.
    fn role_of(&self, arg: Node<'t>) -> Option<Role> {
        let a = unwrap(arg);
        if a.k() == "identifier"
            && let Some(r) = self.role(self.ix.text(a))
        {
            return Some(r.clone());
        }
        if self.is_code(a, 0) {
            return Some(Role::Code);
        }
        if let Some(f) = self.fn_target(a) {
            return Some(Role::Fn(f));
        }
        self.path(a).map(Role::Path)
    }

    /// The function of the module an expression refers to, parameters
    /// bound to one included.
    pub fn fn_target(&self, n: Node<'t>) -> Option<FnId> {
        let u = unwrap(n);
        if u.k() == "identifier"
            && let Some(r) = self.role(self.ix.text(u))
        {
            return match r {
                Role::Fn(f) => Some(*f),
                _ => None,
            };
        }
        self.ix.resolve_fn_ref(u, self.current_fn())
    }

    /// The key of an expression's path ([`Index::path_key`]), with paths
    /// bound to parameters substituted (`ref.current` in `clearTimer(ref)`
    /// called with `heartbeatRef` is `heartbeatRef@812.current`).
    pub fn path(&self, node: Node<'_>) -> Option<String> {
        let node = unwrap(node);
        let parts = member_path(node, self.ix.src, &crate::values::TYPESCRIPT)?;
        let (first, rest) = parts.split_first()?;
        let root = match self.role(first) {
            Some(Role::Path(p)) => p.clone(),
            Some(_) => return None,
            None => self.ix.root_key(first, node.start_byte()),
        };
        let mut s = root;
        for p in rest {
            s.push('.');
            s.push_str(p);
        }
        Some(s)
    }

    fn block(&mut self, block: Node<'t>, v: &mut dyn Visitor<'t>) -> Exit {
        let mut c = block.walk();
        let stmts: Vec<Node<'t>> = block.named_children(&mut c).collect();
        self.stmts(stmts, v)
    }

    /// Statements in order, until one leaves; the guards they add end with them.
    fn stmts(&mut self, stmts: Vec<Node<'t>>, v: &mut dyn Visitor<'t>) -> Exit {
        let base = self.guards.len();
        let mut exit = Exit::None;
        for s in stmts {
            exit = self.stmt(s, v);
            if exit != Exit::None {
                break;
            }
        }
        self.guards.truncate(base);
        exit
    }

    fn stmt(&mut self, s: Node<'t>, v: &mut dyn Visitor<'t>) -> Exit {
        if !self.tick() {
            return Exit::Return;
        }
        if self.depth > MAX_NESTING {
            self.truncated = true;
            return Exit::Return;
        }
        self.depth += 1;
        let exit = self.stmt_inner(s, v);
        self.depth -= 1;
        exit
    }

    fn stmt_inner(&mut self, s: Node<'t>, v: &mut dyn Visitor<'t>) -> Exit {
        match s.k() {
            "statement_block" => self.block(s, v),
            "if_statement" => self.if_stmt(s, v),
            "return_statement" => {
                let value = s.named_child(0).filter(|n| n.k() != "comment");
                if let Some(val) = value {
                    self.expr(val, v);
                }
                if self.nested == 0 && self.frames.len() == 1 {
                    v.ret(self, value);
                }
                Exit::Return
            }
            "throw_statement" => {
                if let Some(val) = s.named_child(0) {
                    self.expr(val, v);
                }
                Exit::Return
            }
            "break_statement" | "continue_statement" => Exit::Break,
            "expression_statement" => {
                if let Some(e) = s.named_child(0) {
                    self.expr(e, v);
                }
                Exit::None
            }
            "lexical_declaration" | "variable_declaration" => {
                let mut c = s.walk();
                let decls: Vec<Node<'t>> = s.named_children(&mut c).collect();
                for d in decls {
                    if let Some(val) = d.f("value")
                        && super::index::function_value(val, self.ix.src).is_none()
                    {
                        self.expr(val, v);
                    }
                }
                Exit::None
            }
            "switch_statement" => self.switch(s, v),
            "try_statement" => {
                let mut exit = Exit::None;
                if let Some(b) = s.f("body") {
                    exit = self.block(b, v);
                }
                if let Some(h) = s.f("handler") {
                    if let Some(b) = h.f("body") {
                        self.block(b, v);
                    }
                    // The body may not have got to its exit.
                    exit = Exit::None;
                }
                if let Some(f) = s.f("finalizer")
                    && let Some(b) = f.f("body")
                    && self.block(b, v) == Exit::Return
                {
                    return Exit::Return;
                }
                exit
            }
            "for_statement" | "for_in_statement" | "while_statement" | "do_statement" => {
                let base = self.guards.len();
                for field in ["right", "condition", "initializer", "increment"] {
                    if let Some(e) = s.f(field)
                        && e.k() != "lexical_declaration"
                    {
                        self.expr(e, v);
                    }
                }
                if let Some(b) = s.f("body") {
                    self.stmt(b, v);
                }
                self.guards.truncate(base);
                Exit::None
            }
            "labeled_statement" => match s.f("body") {
                Some(b) => {
                    self.stmt(b, v);
                    Exit::None
                }
                None => Exit::None,
            },
            // Definitions run only when called.
            "function_declaration" | "generator_function_declaration" | "class_declaration" => {
                Exit::None
            }
            _ => Exit::None,
        }
    }

    fn if_stmt(&mut self, s: Node<'t>, v: &mut dyn Visitor<'t>) -> Exit {
        let Some(cond_node) = s.f("condition") else {
            return Exit::None;
        };
        self.expr(cond_node, v);
        let cond = self.compile(cond_node, 0);
        self.note(cond.clone(), cond_node);
        let base = self.guards.len();
        self.guards.push(WGuard {
            cond: cond.clone(),
            positive: true,
            node: cond_node,
        });
        let then_exit = match s.f("consequence") {
            Some(c) => self.stmt(c, v),
            None => Exit::None,
        };
        self.guards.truncate(base);
        let else_exit = match s.f("alternative") {
            Some(alt) => {
                self.guards.push(WGuard {
                    cond: cond.clone(),
                    positive: false,
                    node: cond_node,
                });
                let inner = alt.named_child(0).filter(|n| n.k() != "comment");
                let e = match inner {
                    Some(i) => self.stmt(i, v),
                    None => Exit::None,
                };
                self.guards.truncate(base);
                e
            }
            None => Exit::None,
        };
        match (then_exit, else_exit) {
            (Exit::None, Exit::None) => Exit::None,
            (t, Exit::None) => {
                let _ = t;
                // Past `if (c) return;` only `!c` gets here.
                self.guards.push(WGuard {
                    cond,
                    positive: false,
                    node: cond_node,
                });
                Exit::None
            }
            (Exit::None, _) => {
                self.guards.push(WGuard {
                    cond,
                    positive: true,
                    node: cond_node,
                });
                Exit::None
            }
            (a, b) => {
                if a == Exit::Return && b == Exit::Return {
                    Exit::Return
                } else {
                    Exit::Break
                }
            }
        }
    }

    fn switch(&mut self, s: Node<'t>, v: &mut dyn Visitor<'t>) -> Exit {
        let (Some(disc), Some(body)) = (s.f("value"), s.f("body")) else {
            return Exit::None;
        };
        self.expr(disc, v);
        let on_code = self.is_code(unwrap(disc), 0);
        let dep = on_code || self.mentions_event(disc);
        let mut c = body.walk();
        let clauses: Vec<Node<'t>> = body.named_children(&mut c).collect();
        // Values of every case, for `default`.
        let mut all: Vec<f64> = Vec::new();
        let mut all_known = true;
        for cl in &clauses {
            if cl.k() == "switch_case" {
                match cl.f("value").map(|n| self.scope.value(n).value) {
                    Some(Value::Number(n)) => all.push(n),
                    _ => all_known = false,
                }
            }
        }
        let any_of = |vals: &[f64]| -> Cond {
            let mut it = vals.iter();
            let Some(first) = it.next() else {
                return Cond::Known(false);
            };
            it.fold(Cond::Cmp(CmpOp::Eq, *first), |acc, n| {
                Cond::Or(Box::new(acc), Box::new(Cond::Cmp(CmpOp::Eq, *n)))
            })
        };
        let base = self.guards.len();
        let mut pending: Vec<f64> = Vec::new();
        let mut pending_known = true;
        let mut returned: Vec<f64> = Vec::new();
        let mut returned_known = true;
        for cl in &clauses {
            let is_default = cl.k() == "switch_default";
            if !is_default {
                match cl.f("value").map(|n| self.scope.value(n).value) {
                    Some(Value::Number(n)) => pending.push(n),
                    _ => pending_known = false,
                }
            }
            let mut bc = cl.walk();
            let stmts: Vec<Node<'t>> = cl.children_by_field_name("body", &mut bc).collect();
            if stmts.is_empty() && !is_default {
                continue; // falls through into the next case
            }
            let cond = if !on_code {
                Cond::Unknown { on_code: dep }
            } else if is_default {
                if all_known {
                    Cond::Not(Box::new(any_of(&all)))
                } else {
                    Cond::Unknown { on_code: true }
                }
            } else if pending_known {
                any_of(&pending)
            } else {
                Cond::Unknown { on_code: true }
            };
            self.note(cond.clone(), disc);
            self.guards.push(WGuard {
                cond,
                positive: true,
                node: disc,
            });
            let exit = self.stmts(stmts, v);
            self.guards.truncate(base);
            if exit == Exit::Return && !is_default {
                returned.extend(&pending);
                returned_known &= pending_known;
            }
            pending.clear();
            pending_known = true;
        }
        if on_code && returned_known && !returned.is_empty() {
            self.guards.push(WGuard {
                cond: Cond::Not(Box::new(any_of(&returned))),
                positive: true,
                node: disc,
            });
        }
        Exit::None
    }

    fn expr(&mut self, e: Node<'t>, v: &mut dyn Visitor<'t>) {
        if !self.tick() {
            return;
        }
        if self.depth > MAX_NESTING {
            self.truncated = true;
            return;
        }
        self.depth += 1;
        self.expr_inner(e, v);
        self.depth -= 1;
    }

    fn expr_inner(&mut self, e: Node<'t>, v: &mut dyn Visitor<'t>) {
        let kind = e.k();
        if is_function(kind) || matches!(kind, "class" | "comment") || kind.starts_with("jsx") {
            return;
        }
        match kind {
            "call_expression" => self.call(e, v),
            "new_expression" => {
                if let Some(args) = e.f("arguments") {
                    self.args(e, args, false, v);
                }
                v.new_expr(self, e);
            }
            "binary_expression" => {
                let (Some(l), Some(op), Some(r)) = (e.f("left"), e.f("operator"), e.f("right"))
                else {
                    return;
                };
                self.expr(l, v);
                let positive = match op.k() {
                    "&&" => Some(true),
                    "||" => Some(false),
                    _ => None,
                };
                match positive {
                    Some(positive) => {
                        let cond = self.compile(l, 0);
                        self.note(cond.clone(), l);
                        let base = self.guards.len();
                        self.guards.push(WGuard {
                            cond,
                            positive,
                            node: l,
                        });
                        self.expr(r, v);
                        self.guards.truncate(base);
                    }
                    None => self.expr(r, v),
                }
            }
            "ternary_expression" => {
                let Some(c) = e.f("condition") else {
                    return;
                };
                self.expr(c, v);
                let cond = self.compile(c, 0);
                self.note(cond.clone(), c);
                let base = self.guards.len();
                for (field, positive) in [("consequence", true), ("alternative", false)] {
                    if let Some(b) = e.f(field) {
                        self.guards.push(WGuard {
                            cond: cond.clone(),
                            positive,
                            node: c,
                        });
                        self.expr(b, v);
                        self.guards.truncate(base);
                    }
                }
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                if let Some(r) = e.f("right") {
                    self.expr(r, v);
                }
            }
            _ => {
                let mut c = e.walk();
                let children: Vec<Node<'t>> = e.named_children(&mut c).collect();
                for ch in children {
                    self.expr(ch, v);
                }
            }
        }
    }

    fn call(&mut self, call: Node<'t>, v: &mut dyn Visitor<'t>) {
        let Some(callee) = call.f("function") else {
            return;
        };
        let callee_u = unwrap(callee);
        // An immediately invoked function runs here.
        if is_function(callee_u.k()) {
            if let Some(args) = call.f("arguments") {
                self.args(call, args, false, v);
            }
            if let Some(&f) = self.ix.fn_of_node.get(&callee_u.id()) {
                self.callback(f, v);
            }
            return;
        }
        if callee_u.k() == "member_expression"
            && let Some(o) = callee_u.f("object")
        {
            self.expr(o, v);
        }
        let registers = is_registration(super::hooks::callee(self.ix, call).unwrap_or(""));
        let target = if is_function(callee_u.k()) {
            None
        } else {
            self.fn_target(callee_u)
        };
        if let Some(args) = call.f("arguments") {
            self.args_to(call, args, registers, target, v);
        }
        match v.call(self, call, target) {
            Descend::Into => {
                let inlined = match target {
                    Some(f) => self.inline(f, Some(call), call, v),
                    None => false,
                };
                v.after_call(self, call, inlined);
            }
            Descend::Skip => {}
        }
    }

    fn args(&mut self, call: Node<'t>, args: Node<'t>, registers: bool, v: &mut dyn Visitor<'t>) {
        self.args_to(call, args, registers, None, v);
    }

    /// The arguments of a call to `target` (a function of the module, or
    /// `None`): a function handed to a function of the module is walked
    /// where that function calls its parameter, not in place; one handed to
    /// an imported function the project shows never calls it, not at all.
    fn args_to(
        &mut self,
        call: Node<'t>,
        args: Node<'t>,
        registers: bool,
        target: Option<FnId>,
        v: &mut dyn Visitor<'t>,
    ) {
        let scheduler = self.ix.call_name(call).is_some_and(is_scheduler);
        let params = target.map(|f| self.ix.functions[f].params.len());
        let imported = if target.is_none() && !scheduler && !registers {
            self.imported_callee(call)
        } else {
            None
        };
        let mut c = args.walk();
        let list: Vec<Node<'t>> = args
            .named_children(&mut c)
            .filter(|a| a.k() != "comment")
            .collect();
        let spread = list.iter().any(|a| a.k() == "spread_element");
        for (i, a) in list.into_iter().enumerate() {
            let au = unwrap(a);
            // Bound to a parameter of the function walked into next.
            let bound = !spread && params.is_some_and(|n| i < n);
            // Read only for what hands a function over: the module a
            // helper comes from is parsed only when that matters.
            let handed = is_function(au.k())
                || (imported.is_some()
                    && matches!(
                        au.k(),
                        "identifier" | "member_expression" | "call_expression"
                    )
                    && self.fn_target(au).is_some());
            let never_called = handed
                && imported.as_ref().is_some_and(|(m, name)| {
                    self.scope.imports.calls_param(m, name, i, 0) == Some(false)
                });
            if is_function(au.k()) {
                if !registers
                    && !bound
                    && !never_called
                    && let Some(&f) = self.ix.fn_of_node.get(&au.id())
                {
                    self.callback(f, v);
                }
                continue;
            }
            if scheduler && let Some(f) = self.fn_target(au) {
                if let Descend::Into = v.fn_ref(self, call, f) {
                    let inlined = self.inline(f, None, call, v);
                    v.after_call(self, call, inlined);
                }
                continue;
            }
            if target.is_none()
                && !registers
                && !never_called
                && matches!(
                    au.k(),
                    "identifier" | "member_expression" | "call_expression"
                )
                && let Some(f) = self.fn_target(au)
            {
                if let Descend::Into = v.fn_arg(self, call, f) {
                    let inlined = self.inline(f, None, call, v);
                    v.after_call(self, call, inlined);
                }
                continue;
            }
            self.expr(a, v);
        }
    }

    /// `(module, name)` of a call's callee when it is an imported function
    /// (`withBackoff(...)` with `import { withBackoff } from "./retry"`).
    fn imported_callee(&self, call: Node<'t>) -> Option<(String, String)> {
        let f = unwrap(call.f("function")?);
        if f.k() != "identifier" {
            return None;
        }
        let b = self.ix.lookup(self.ix.text(f), f.start_byte())?;
        b.import.clone()
    }

    // ----- conditions -----

    /// Whether `n` is the close code: `event.code` of the event, a `code`
    /// parameter, or a local bound to either.
    pub fn is_code(&self, n: Node<'_>, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        let n = unwrap(n);
        match n.k() {
            "member_expression" => {
                let prop = n.f("property").map(|p| self.ix.text(p));
                let obj = n.f("object").map(unwrap);
                prop == Some("code") && obj.is_some_and(|o| self.is_event(o, depth + 1))
            }
            "identifier" => {
                let name = self.ix.text(n);
                match self.role(name) {
                    Some(Role::Code) => return true,
                    Some(_) => return false,
                    None => {}
                }
                let Some(b) = self.ix.lookup(name, n.start_byte()) else {
                    return false;
                };
                if !self.ix.is_constant(b) {
                    return false;
                }
                if let Some((src, keys)) = &b.destructured {
                    return keys.as_slice() == ["code"] && self.is_event(*src, depth + 1);
                }
                match b.value {
                    Some(v) if b.destructured.is_none() => self.is_code(v, depth + 1),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Whether `n` is socket.io's disconnect reason (the parameter, or a
    /// local constant bound to it).
    fn is_reason(&self, n: Node<'_>) -> bool {
        let n = unwrap(n);
        if n.k() != "identifier" {
            return false;
        }
        let name = self.ix.text(n);
        match self.role(name) {
            Some(Role::Reason) => true,
            Some(_) => false,
            None => self
                .ix
                .lookup(name, n.start_byte())
                .filter(|b| self.ix.is_constant(b) && b.destructured.is_none())
                .and_then(|b| b.value)
                .is_some_and(|v| {
                    unwrap(v).k() == "identifier"
                        && matches!(self.role(self.ix.text(unwrap(v))), Some(Role::Reason))
                }),
        }
    }

    /// Whether `n` is the close event: the handler's parameter, or a local
    /// copy of it (`const evt = event as CloseEvent`).
    fn is_event(&self, n: Node<'_>, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        let n = unwrap(n);
        if n.k() != "identifier" {
            return false;
        }
        let name = self.ix.text(n);
        match self.role(name) {
            Some(Role::Event) => return true,
            Some(_) => return false,
            None => {}
        }
        match self.ix.lookup(name, n.start_byte()) {
            Some(b) if self.ix.is_constant(b) && b.destructured.is_none() => {
                b.value.is_some_and(|v| self.is_event(v, depth + 1))
            }
            _ => false,
        }
    }

    /// Whether an expression reads the close event or code at all.
    pub fn mentions_event(&self, n: Node<'_>) -> bool {
        let mut found = false;
        let complete = visit_bounded(n, 256, |x| {
            if x.k() == "identifier"
                && (self
                    .role(self.ix.text(x))
                    .is_some_and(|r| !matches!(r, Role::Path(_)))
                    || self.is_code(x, 0)
                    || self.is_event(x, 0))
            {
                found = true;
            }
            !found
        });
        // Too big to read through: assume it may.
        found || !complete
    }

    /// Compiles a condition over the close code.
    pub fn compile(&mut self, n: Node<'t>, depth: u32) -> Cond {
        if depth > 12 {
            return Cond::Unknown {
                on_code: self.mentions_event(n),
            };
        }
        let n = unwrap(n);
        match n.k() {
            "true" => Cond::Known(true),
            "false" | "null" | "undefined" => Cond::Known(false),
            "unary_expression" => {
                let op = n.f("operator").map(|o| o.k());
                let arg = n.f("argument");
                match (op, arg) {
                    (Some("!"), Some(a)) => Cond::Not(Box::new(self.compile(a, depth + 1))),
                    _ => self.unknown(n),
                }
            }
            "binary_expression" => {
                let (Some(l), Some(op), Some(r)) = (n.f("left"), n.f("operator"), n.f("right"))
                else {
                    return self.unknown(n);
                };
                match op.k() {
                    "&&" => Cond::And(
                        Box::new(self.compile(l, depth + 1)),
                        Box::new(self.compile(r, depth + 1)),
                    ),
                    "||" => Cond::Or(
                        Box::new(self.compile(l, depth + 1)),
                        Box::new(self.compile(r, depth + 1)),
                    ),
                    o => match CmpOp::parse(o) {
                        Some(op) => self.compare(n, l, op, r),
                        None => self.unknown(n),
                    },
                }
            }
            "call_expression" => self.compile_call(n, depth),
            "member_expression"
                if self.reads_active
                    && n.f("property").map(|p| self.ix.text(p)) == Some("active") =>
            {
                Cond::Active
            }
            "identifier" => {
                let name = self.ix.text(n);
                if self.role(name).is_some() || self.is_code(n, 0) {
                    return Cond::Unknown { on_code: true };
                }
                match self.ix.lookup(name, n.start_byte()) {
                    Some(b) if self.ix.is_constant(b) && b.destructured.is_none() => {
                        match b.value {
                            Some(v) if !is_function(unwrap(v).k()) => self.compile(v, depth + 1),
                            _ => self.unknown(n),
                        }
                    }
                    _ => self.unknown(n),
                }
            }
            _ => self.unknown(n),
        }
    }

    fn unknown(&self, n: Node<'_>) -> Cond {
        Cond::Unknown {
            on_code: self.mentions_event(n),
        }
    }

    fn compare(&mut self, whole: Node<'t>, l: Node<'t>, op: CmpOp, r: Node<'t>) -> Cond {
        let num = |w: &Self, x: Node<'t>| w.scope.value(x).number();
        // `reason === "io server disconnect"`
        for (a, b) in [(l, r), (r, l)] {
            if self.is_reason(a) {
                let Value::Str(s) = self.scope.value(b).value else {
                    return Cond::Unknown { on_code: true };
                };
                return match op {
                    CmpOp::Eq => Cond::Reason(s),
                    CmpOp::Ne => Cond::Not(Box::new(Cond::Reason(s))),
                    _ => Cond::Unknown { on_code: true },
                };
            }
        }
        if self.is_code(l, 0) {
            return match num(self, r) {
                Some(v) => Cond::Cmp(op, v),
                None => Cond::Unknown { on_code: true },
            };
        }
        if self.is_code(r, 0) {
            return match num(self, l) {
                Some(v) => Cond::Cmp(op.flip(), v),
                None => Cond::Unknown { on_code: true },
            };
        }
        // `SET.indexOf(code) !== -1` and friends.
        for (call, other, op) in [(l, r, op), (r, l, op.flip())] {
            let call = unwrap(call);
            if call.k() != "call_expression" || self.ix.call_name(call) != Some("indexOf") {
                continue;
            }
            let Some(set) = self.membership(call) else {
                continue;
            };
            let Some(k) = num(self, other) else {
                return Cond::Unknown { on_code: true };
            };
            let found = match (op, k) {
                (CmpOp::Ne, k) | (CmpOp::Gt, k) if k == -1.0 => Some(true),
                (CmpOp::Ge, 0.0) => Some(true),
                (CmpOp::Eq, -1.0) => Some(false),
                (CmpOp::Lt, 0.0) => Some(false),
                _ => None,
            };
            return match found {
                Some(true) => Cond::InSet(set),
                Some(false) => Cond::Not(Box::new(Cond::InSet(set))),
                None => Cond::Unknown { on_code: true },
            };
        }
        if self.mentions_event(whole) {
            return Cond::Unknown { on_code: true };
        }
        match (num(self, l), num(self, r)) {
            (Some(a), Some(b)) => Cond::Known(op.apply(a, b)),
            _ => Cond::Unknown { on_code: false },
        }
    }

    fn compile_call(&mut self, call: Node<'t>, depth: u32) -> Cond {
        let name = self.ix.call_name(call);
        if matches!(name, Some("has" | "includes"))
            && let Some(set) = self.membership(call)
        {
            return Cond::InSet(set);
        }
        // A predicate of this module: `isTerminal(event.code)`.
        if let Some(f) = self.ix.resolve_callee(call, self.current_fn())
            && self.frames.len() <= MAX_INLINE
            && !self.frames.iter().any(|fr| fr.func == Some(f))
            && let Some(ret) = self.single_return(f)
        {
            let mut roles = Vec::new();
            if let Some(args) = call.f("arguments") {
                let mut c = args.walk();
                let args: Vec<Node<'t>> = args.named_children(&mut c).collect();
                let params = self.ix.functions[f].params.clone();
                for (p, a) in params.iter().zip(args.iter()) {
                    if let Some(role) = self.role_of(*a) {
                        self.bind_role(param_pattern(*p), role, &mut roles);
                    }
                }
            }
            self.frames.push(Frame {
                func: Some(f),
                roles,
            });
            let c = self.compile(ret, depth + 1);
            self.frames.pop();
            return c;
        }
        self.unknown(call)
    }

    /// The expression a function returns, when its body is just that.
    fn single_return(&self, f: FnId) -> Option<Node<'t>> {
        let body = self.ix.functions[f].body?;
        if body.k() != "statement_block" {
            return Some(body);
        }
        let mut c = body.walk();
        let stmts: Vec<Node<'t>> = body
            .named_children(&mut c)
            .filter(|n| n.k() != "comment")
            .collect();
        match stmts.as_slice() {
            [s] if s.k() == "return_statement" => s.named_child(0),
            _ => None,
        }
    }

    /// `SET.has(code)`, `[..].includes(code)`, `SET.indexOf(code)`: the set.
    fn membership(&mut self, call: Node<'t>) -> Option<usize> {
        let args = call.f("arguments")?;
        let arg = args.named_child(0)?;
        if !self.is_code(arg, 0) {
            return None;
        }
        let callee = unwrap(call.f("function")?);
        let object = callee.f("object")?;
        Some(super::model::register_set(
            self.ix, self.scope, self.sets, object,
        ))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    None,
    /// `break`/`continue`: leaves the enclosing loop or case.
    Break,
    /// `return`/`throw`: leaves the function.
    Return,
}

/// Callees that keep a function for later events (handlers, hooks) rather
/// than run it as part of this path.
fn is_registration(name: &str) -> bool {
    matches!(name, "addEventListener" | "on" | "once" | "prependListener")
        || super::hooks::registers(name)
}

/// What each function of a module runs when it runs: the functions of the
/// module it calls, the callbacks it passes to calls (not the handlers it
/// registers), the functions it schedules (`setTimeout(connect)`). Built once
/// per module, for questions that need no conditions (does it send on a
/// socket, what runs per connection).
pub struct CallGraph {
    /// Calls (indices into `Index::calls`) made directly in each function.
    pub calls_in: Vec<Vec<usize>>,
    pub edges: Vec<Vec<FnId>>,
}

impl CallGraph {
    pub fn build(ix: &Index<'_>) -> CallGraph {
        let n = ix.functions.len();
        let mut calls_in = vec![Vec::new(); n];
        let mut edges = vec![Vec::new(); n];
        for (i, c) in ix.calls.iter().enumerate() {
            let Some(f) = c.func else { continue };
            calls_in[f].push(i);
            if let Some(g) = ix.resolve_callee(c.node, Some(f)) {
                edges[f].push(g);
            }
            if c.name.is_some_and(is_scheduler)
                && let Some(args) = c.node.f("arguments")
            {
                let mut cur = args.walk();
                for a in args.named_children(&mut cur) {
                    let a = unwrap(a);
                    if !is_function(a.k()) {
                        edges[f].extend(ix.resolve_fn_ref(a, Some(f)));
                    }
                }
            }
        }
        for (g, info) in ix.functions.iter().enumerate() {
            let Some(p) = info.parent else { continue };
            let mut up = info.node.parent();
            while let Some(u) = up.filter(|u| u.k() == "parenthesized_expression") {
                up = u.parent();
            }
            let Some(args) = up.filter(|u| u.k() == "arguments") else {
                continue;
            };
            let call = args.parent().filter(|c| c.k() == "call_expression");
            if call.is_some_and(|c| !is_registration(super::hooks::callee(ix, c).unwrap_or(""))) {
                edges[p].push(g);
            }
        }
        CallGraph { calls_in, edges }
    }

    /// The functions `roots` run, themselves included.
    pub fn reach(&self, roots: impl IntoIterator<Item = FnId>) -> std::collections::HashSet<FnId> {
        let mut seen = std::collections::HashSet::new();
        let mut todo: Vec<FnId> = roots.into_iter().collect();
        while let Some(f) = todo.pop() {
            if seen.insert(f) {
                todo.extend(self.edges.get(f).into_iter().flatten().copied());
            }
        }
        seen
    }

    /// Whether function `f`, or anything it runs, makes a call that `hit`
    /// accepts.
    pub fn any_call(
        &self,
        f: FnId,
        memo: &mut [Option<bool>],
        hit: &dyn Fn(usize) -> bool,
    ) -> bool {
        for g in self.reach([f]) {
            let found = *memo
                .get_mut(g)
                .map(|m| m.get_or_insert_with(|| self.calls_in[g].iter().any(|&c| hit(c))))
                .unwrap_or(&mut false);
            if found {
                return true;
            }
        }
        false
    }
}

/// Callees that run a function they are given later.
fn is_scheduler(name: &str) -> bool {
    matches!(
        name,
        "setTimeout"
            | "requestAnimationFrame"
            | "queueMicrotask"
            | "setImmediate"
            | "nextTick"
            | "then"
            | "catch"
            | "finally"
            | "requestIdleCallback"
    )
}

impl<'t> Index<'t> {
    /// The function of this module a call calls: `f()` (a declaration, an
    /// arrow or a `useCallback` bound to `f`), `this.m()` (a method of the
    /// enclosing class).
    pub fn resolve_callee(&self, call: Node<'t>, in_fn: Option<FnId>) -> Option<FnId> {
        let f = call.f("function")?;
        self.resolve_fn_ref(f, in_fn)
    }

    /// The function a call is given first (`setInterval(fn, ...)`,
    /// `useEffect(fn, deps)`), with the call's arguments.
    pub fn first_callback(&self, call: Node<'t>, in_fn: Option<FnId>) -> Option<(FnId, Node<'t>)> {
        let args = call.f("arguments")?;
        let f = self.resolve_fn_ref(args.named_child(0)?, in_fn)?;
        Some((f, args))
    }

    /// The function an expression refers to: a name, `this.m`,
    /// `this.m.bind(this)`, an inline function.
    pub fn resolve_fn_ref(&self, n: Node<'t>, in_fn: Option<FnId>) -> Option<FnId> {
        let n = unwrap(n);
        match n.k() {
            k if is_function(k) => self.fn_of_node.get(&n.id()).copied(),
            // `{ onClose }`: the function of that name.
            "identifier" | "shorthand_property_identifier" => {
                let b = self.lookup(self.text(n), n.start_byte())?;
                if !self.is_constant(b) {
                    return None;
                }
                self.binding_fn(b)
            }
            "member_expression" => {
                let obj = unwrap(n.f("object")?);
                if obj.k() != "this" {
                    return None;
                }
                let prop = self.text(n.f("property")?);
                let Some(class) = self
                    .this_class(in_fn)
                    .or_else(|| self.class_at(n.start_byte()))
                else {
                    // A method of an object literal (Vue's options API
                    // included): `this.connect` is its sibling.
                    let m = super::hooks::this_method(self, n, prop)?;
                    return self.fn_of_node.get(&m.id()).copied();
                };
                let m = self.classes[class].methods.get(prop)?;
                self.fn_of_node.get(&m.id()).copied()
            }
            "call_expression" => {
                // `this.m.bind(this)`
                let callee = unwrap(n.f("function")?);
                if callee.k() != "member_expression" {
                    return None;
                }
                let prop = callee.f("property")?;
                if self.text(prop) != "bind" {
                    return None;
                }
                self.resolve_fn_ref(callee.f("object")?, in_fn)
            }
            _ => None,
        }
    }
}
