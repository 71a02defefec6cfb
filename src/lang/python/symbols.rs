//! What a module defines and imports: functions (with their parameters and
//! enclosing class or function), classes (methods, class attributes),
//! module-level constants, local bindings of each function, and imports.
//! Also the one [`Scope`] through which static values are resolved, and
//! the resolution of a call to the function of this module it runs.

use crate::lang::kind::Kind;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Node;

use super::syntax::{self, Call, MAX_NESTING, span, text, unparen};
use super::{Import, Imports};
use crate::source::{Source, Span};
use crate::values::{self, Origin, Resolved, Scope, Value};

pub(crate) type FnId = usize;
pub(crate) type ClassId = usize;

pub(crate) struct Param<'t> {
    pub name: String,
    pub node: Node<'t>,
    pub annotation: Option<Node<'t>>,
    pub default: Option<Node<'t>>,
    /// Annotated `WebSocket` (see [`syntax::is_websocket_annotation`]).
    pub ws_annotated: bool,
    /// `*args` / `**kwargs`.
    pub splat: bool,
}

pub(crate) struct FnInfo<'t> {
    pub node: Node<'t>,
    pub name: String,
    pub name_span: Span,
    /// The class whose body defines it (a method).
    pub class: Option<ClassId>,
    /// The function whose body defines it (a closure).
    pub parent: Option<FnId>,
    pub params: Vec<Param<'t>>,
    /// Decorator expressions, outermost first.
    pub decorators: Vec<Node<'t>>,
    /// Every call in its body (not in nested functions or classes).
    pub calls: Vec<Node<'t>>,
}

impl<'t> FnInfo<'t> {
    pub(crate) fn body(&self) -> Option<Node<'t>> {
        self.node.field("body")
    }

    /// Whether its first parameter is `self`/`cls` of a method.
    pub(crate) fn is_bound_method(&self) -> bool {
        self.class.is_some()
            && self
                .params
                .first()
                .is_some_and(|p| p.name == "self" || p.name == "cls")
    }
}

pub(crate) struct ClassInfo<'t> {
    pub name: String,
    pub name_span: Span,
    /// Base classes as written.
    pub bases: Vec<String>,
    pub decorators: Vec<Node<'t>>,
    pub methods: HashMap<String, FnId>,
    /// Class-level `NAME = value`.
    pub attrs: HashMap<String, Binding<'t>>,
    /// Names assigned as `self.NAME = ...` in some method.
    pub self_assigned: HashSet<String>,
}

/// A name's definition in one scope.
#[derive(Clone, Copy)]
pub(crate) enum Binding<'t> {
    /// Bound once: `NAME = value` (the value node).
    Value(Node<'t>),
    /// Bound more than once, or by something other than a plain assignment
    /// (a parameter, a loop, an import, `+=`): its value is unknown.
    Ambiguous,
}

fn bind<'t>(map: &mut HashMap<String, Binding<'t>>, name: &str, value: Option<Node<'t>>) {
    match (map.get(name), value) {
        (None, Some(v)) => {
            map.insert(name.to_string(), Binding::Value(v));
        }
        _ => {
            map.insert(name.to_string(), Binding::Ambiguous);
        }
    }
}

pub(crate) struct Module<'t> {
    /// The tree's named nodes in pre-order, for every pass after this one.
    pub(crate) flat: syntax::Flat<'t>,
    pub src: &'t str,
    pub source: Source,
    pub functions: Vec<FnInfo<'t>>,
    pub classes: Vec<ClassInfo<'t>>,
    /// Functions in source order.
    by_start: Vec<FnId>,
    /// Module-level functions by name (the last definition wins, as in Python).
    pub module_fns: HashMap<String, FnId>,
    /// Closures by (enclosing function, name).
    nested: HashMap<(FnId, String), FnId>,
    /// The names of every closure (any scope), to tell cheaply that a
    /// name is none.
    nested_names: HashSet<String>,
    pub class_by_name: HashMap<String, ClassId>,
    /// Module-level bindings.
    pub consts: HashMap<String, Binding<'t>>,
    /// The assignment target of each module-level single binding, for spans.
    pub const_targets: HashMap<String, Node<'t>>,
    /// Module-level `x = ClassName(...)` for classes of this module.
    pub instances: HashMap<String, ClassId>,
    pub imports: Vec<Import>,
    /// `from M import *`: the modules as written (`.base`).
    pub star_imports: Vec<String>,
    /// What imported names are read through (the project); `None`: unknown.
    pub hook: Option<&'t dyn Imports>,
    /// Bindings local to each function (parameters included, as Ambiguous).
    pub locals: Vec<HashMap<String, Binding<'t>>>,
    /// Every module-level statement (inside `if`/`try`/`with` blocks too).
    pub statements: Vec<Node<'t>>,
}

impl<'t> Module<'t> {
    pub(crate) fn collect(root: Node<'t>, src: &'t str, source: &Source) -> Module<'t> {
        let mut m = Module {
            flat: syntax::Flat::new(root),
            src,
            source: source.clone(),
            functions: Vec::new(),
            classes: Vec::new(),
            by_start: Vec::new(),
            module_fns: HashMap::new(),
            nested: HashMap::new(),
            nested_names: HashSet::new(),
            class_by_name: HashMap::new(),
            consts: HashMap::new(),
            const_targets: HashMap::new(),
            instances: HashMap::new(),
            imports: Vec::new(),
            star_imports: Vec::new(),
            hook: None,
            locals: Vec::new(),
            statements: Vec::new(),
        };
        m.collect_definitions(root);
        m.collect_module_level(root);
        for f in 0..m.functions.len() {
            let locals = m.collect_locals(f);
            m.locals.push(locals);
        }
        m
    }

    /// Functions and classes, with their nesting; iterative.
    fn collect_definitions(&mut self, root: Node<'t>) {
        // (node, enclosing function, class whose body this is)
        let mut stack: Vec<(Node<'t>, Option<FnId>, Option<ClassId>, u32)> =
            vec![(root, None, None, 0)];
        while let Some((n, fun, class, depth)) = stack.pop() {
            if depth > MAX_NESTING * 4 {
                continue;
            }
            let (def, decorators) = match n.k() {
                "decorated_definition" => {
                    let mut c = n.walk();
                    let decorators: Vec<Node<'t>> = n
                        .named_children(&mut c)
                        .filter(|d| d.k() == "decorator")
                        .filter_map(|d| d.named_child(0))
                        .collect();
                    match n.field("definition") {
                        Some(d) => (d, decorators),
                        None => continue,
                    }
                }
                _ => (n, Vec::new()),
            };
            match def.k() {
                "function_definition" => {
                    let id = self.add_function(def, fun, class, decorators);
                    if let Some(body) = def.field("body") {
                        stack.push((body, Some(id), None, depth + 1));
                    }
                }
                "class_definition" => {
                    let id = self.add_class(def, decorators);
                    if fun.is_none() && class.is_none() {
                        self.class_by_name.insert(self.classes[id].name.clone(), id);
                    }
                    if let Some(body) = def.field("body") {
                        stack.push((body, fun, Some(id), depth + 1));
                    }
                }
                _ => {
                    let mut c = def.walk();
                    let children: Vec<Node<'t>> = def.named_children(&mut c).collect();
                    // Compound statements keep the class context (a method
                    // under `if TYPE_CHECKING:` is still a method).
                    let keep_class = matches!(
                        def.k(),
                        "block"
                            | "if_statement"
                            | "else_clause"
                            | "elif_clause"
                            | "try_statement"
                            | "except_clause"
                            | "finally_clause"
                            | "with_statement"
                            | "module"
                    );
                    for ch in children.into_iter().rev() {
                        stack.push((ch, fun, if keep_class { class } else { None }, depth + 1));
                    }
                }
            }
        }
        // Stack order visits definitions in source order only roughly; make
        // "last definition wins" follow the source.
        let mut order: Vec<FnId> = (0..self.functions.len()).collect();
        order.sort_by_key(|&f| self.functions[f].node.start_byte());
        self.by_start = order.clone();
        for f in order {
            let info = &self.functions[f];
            match (info.parent, info.class) {
                (None, None) => {
                    self.module_fns.insert(info.name.clone(), f);
                }
                (None, Some(c)) => {
                    self.classes[c].methods.insert(info.name.clone(), f);
                }
                (Some(p), None) => {
                    self.nested.insert((p, info.name.clone()), f);
                    self.nested_names.insert(info.name.clone());
                }
                _ => {}
            }
        }
    }

    fn add_function(
        &mut self,
        def: Node<'t>,
        parent: Option<FnId>,
        class: Option<ClassId>,
        decorators: Vec<Node<'t>>,
    ) -> FnId {
        let src = self.src;
        let name_node = def.field("name");
        let mut params = Vec::new();
        if let Some(ps) = def.field("parameters") {
            let mut c = ps.walk();
            for p in ps.named_children(&mut c) {
                if let Some(param) = param(p, src) {
                    params.push(param);
                }
            }
        }
        let mut calls = Vec::new();
        if let Some(body) = def.field("body") {
            self.flat.walk(
                body,
                |n| !syntax::is_scope(n),
                |n| {
                    if n.k() == "call" {
                        calls.push(n);
                    }
                },
            );
        }
        let id = self.functions.len();
        self.functions.push(FnInfo {
            node: def,
            name: name_node
                .map(|n| text(n, src).to_string())
                .unwrap_or_default(),
            name_span: name_node.map(span).unwrap_or_else(|| span(def)),
            class,
            parent,
            params,
            decorators,
            calls,
        });
        id
    }

    fn add_class(&mut self, def: Node<'t>, decorators: Vec<Node<'t>>) -> ClassId {
        let src = self.src;
        let name_node = def.field("name");
        let mut bases = Vec::new();
        if let Some(sup) = def.field("superclasses") {
            let mut c = sup.walk();
            for b in sup.named_children(&mut c) {
                if b.k() != "keyword_argument" {
                    bases.push(text(b, src).to_string());
                }
            }
        }
        let mut attrs = HashMap::new();
        let mut self_assigned = HashSet::new();
        if let Some(body) = def.field("body") {
            let mut c = body.walk();
            for stmt in body.named_children(&mut c) {
                if stmt.k() == "expression_statement"
                    && let Some(a) = stmt.named_child(0).filter(|a| a.k() == "assignment")
                {
                    record_assignment(a, src, &mut attrs, None);
                }
            }
            self.flat.walk(
                body,
                |n| n.k() != "class_definition",
                |n| {
                    if matches!(n.k(), "assignment" | "augmented_assignment")
                        && let Some(left) = n.field("left")
                    {
                        self_targets(left, src, &mut self_assigned);
                    }
                },
            );
        }
        let id = self.classes.len();
        self.classes.push(ClassInfo {
            name: name_node
                .map(|n| text(n, src).to_string())
                .unwrap_or_default(),
            name_span: name_node.map(span).unwrap_or_else(|| span(def)),
            bases,
            decorators,
            methods: HashMap::new(),
            attrs,
            self_assigned,
        });
        id
    }

    /// Module-level bindings, imports and instances; statements under
    /// module-level `if`/`try`/`with` count (their bindings become
    /// ambiguous when bound twice).
    fn collect_module_level(&mut self, root: Node<'t>) {
        let src = self.src;
        let mut stack = vec![(root, 0u32)];
        while let Some((n, depth)) = stack.pop() {
            if depth > MAX_NESTING {
                continue;
            }
            let mut c = n.walk();
            let children: Vec<Node<'t>> = n.named_children(&mut c).collect();
            for stmt in children.into_iter().rev() {
                match stmt.k() {
                    "block" | "if_statement" | "elif_clause" | "else_clause" | "try_statement"
                    | "except_clause" | "finally_clause" | "with_statement" => {
                        stack.push((stmt, depth + 1))
                    }
                    _ => {}
                }
            }
            let mut c = n.walk();
            for stmt in n.named_children(&mut c) {
                match stmt.k() {
                    "expression_statement" => {
                        self.statements.push(stmt);
                        if let Some(a) = stmt.named_child(0).filter(|a| a.k() == "assignment") {
                            record_assignment(
                                a,
                                src,
                                &mut self.consts,
                                Some(&mut self.const_targets),
                            );
                            self.record_instance(a);
                        } else if let Some(a) = stmt
                            .named_child(0)
                            .filter(|a| a.k() == "augmented_assignment")
                            && let Some(l) = a.field("left")
                        {
                            bind(&mut self.consts, text(l, src), None);
                        }
                    }
                    "import_statement" | "import_from_statement" => {
                        self.record_import(stmt);
                    }
                    "for_statement" => {
                        if let Some(l) = stmt.field("left") {
                            for name in target_names(l, src) {
                                bind(&mut self.consts, name, None);
                            }
                        }
                    }
                    "function_definition" | "class_definition" | "decorated_definition" => {
                        let def = if stmt.k() == "decorated_definition" {
                            stmt.field("definition")
                        } else {
                            Some(stmt)
                        };
                        if let Some(name) = def.and_then(|d| d.field("name")) {
                            // A def shadows a constant of the same name.
                            bind(&mut self.consts, text(name, src), None);
                        }
                    }
                    _ => {}
                }
            }
        }
        self.statements.sort_by_key(|s| s.start_byte());
    }

    fn record_instance(&mut self, a: Node<'t>) {
        let (Some(left), Some(right)) = (a.field("left"), a.field("right")) else {
            return;
        };
        if left.k() != "identifier" {
            return;
        }
        if let Some(call) = Call::of(unparen(right), self.src)
            && let Some(&c) = self.class_by_name.get(syntax::text(call.callee, self.src))
        {
            self.instances.insert(text(left, self.src).to_string(), c);
        }
    }

    fn record_import(&mut self, stmt: Node<'t>) {
        let src = self.src;
        let module = stmt.field("module_name").map(|m| text(m, src).to_string());
        let mut c = stmt.walk();
        if let Some(m) = &module
            && stmt
                .named_children(&mut c)
                .any(|n| n.k() == "wildcard_import")
        {
            self.star_imports.push(m.clone());
        }
        let mut c = stmt.walk();
        for name in stmt.children_by_field_name("name", &mut c) {
            let (dotted, alias) = match name.k() {
                "aliased_import" => (
                    name.field("name").map(|n| text(n, src)),
                    name.field("alias").map(|n| text(n, src)),
                ),
                _ => (Some(text(name, src)), None),
            };
            let Some(dotted) = dotted else { continue };
            let import = match &module {
                // from M import N [as A]
                Some(m) => Import {
                    local: alias.unwrap_or(dotted).to_string(),
                    module: m.clone(),
                    name: Some(dotted.to_string()),
                    span: span(name),
                },
                // import a.b [as A]: without an alias the local name is `a`
                None => Import {
                    local: alias
                        .unwrap_or_else(|| dotted.split('.').next().unwrap_or(dotted))
                        .to_string(),
                    module: match alias {
                        Some(_) => dotted.to_string(),
                        None => dotted.split('.').next().unwrap_or(dotted).to_string(),
                    },
                    name: None,
                    span: span(name),
                },
            };
            bind(&mut self.consts, &import.local, None);
            self.imports.push(import);
        }
    }

    /// Names bound in function `f`'s body and parameters.
    fn collect_locals(&self, f: FnId) -> HashMap<String, Binding<'t>> {
        let src = self.src;
        let info = &self.functions[f];
        let mut map = HashMap::new();
        for p in &info.params {
            bind(&mut map, &p.name, None);
        }
        let Some(body) = info.body() else { return map };
        let mut declared_global = HashSet::new();
        self.flat.walk(
            body,
            |n| {
                !syntax::is_scope(n)
                    && !matches!(
                        n.k(),
                        "list_comprehension"
                            | "set_comprehension"
                            | "dictionary_comprehension"
                            | "generator_expression"
                    )
            },
            |n| match n.k() {
                "assignment" => record_assignment(n, src, &mut map, None),
                "augmented_assignment" => {
                    if let Some(l) = n.field("left") {
                        for name in target_names(l, src) {
                            bind(&mut map, name, None);
                        }
                    }
                }
                "for_statement" => {
                    if let Some(l) = n.field("left") {
                        for name in target_names(l, src) {
                            bind(&mut map, name, None);
                        }
                    }
                }
                "as_pattern_target" | "named_expression" => {
                    let target = if n.k() == "named_expression" {
                        n.field("name")
                    } else {
                        n.named_child(0)
                    };
                    if let Some(t) = target {
                        for name in target_names(t, src) {
                            bind(&mut map, name, None);
                        }
                    }
                }
                "function_definition" | "class_definition" => {
                    if let Some(name) = n.field("name") {
                        bind(&mut map, text(name, src), None);
                    }
                }
                "import_statement" | "import_from_statement" => {
                    let mut c = n.walk();
                    for name in n.children_by_field_name("name", &mut c) {
                        let local = match name.k() {
                            "aliased_import" => name.field("alias"),
                            _ => Some(name),
                        };
                        if let Some(l) = local {
                            let t = text(l, src);
                            bind(&mut map, t.split('.').next().unwrap_or(t), None);
                        }
                    }
                }
                "global_statement" | "nonlocal_statement" => {
                    let mut c = n.walk();
                    for name in n.named_children(&mut c) {
                        declared_global.insert(text(name, src).to_string());
                    }
                }
                _ => {}
            },
        );
        for g in declared_global {
            map.remove(&g);
        }
        map
    }

    /// The function whose definition holds `n` (not counting `n` itself).
    /// By byte ranges, not `Node::parent` (which tree-sitter computes from
    /// the root each time): the last function starting before `n`, or the
    /// first of its enclosing functions that contains `n`.
    pub(crate) fn enclosing_fn(&self, n: Node<'_>) -> Option<FnId> {
        let (start, end) = (n.start_byte(), n.end_byte());
        let i = self
            .by_start
            .partition_point(|&f| self.functions[f].node.start_byte() <= start);
        let mut cand = self.by_start[..i].last().copied();
        while let Some(f) = cand {
            let def = self.functions[f].node;
            let contains = def.start_byte() <= start && end <= def.end_byte();
            if contains && def.id() != n.id() {
                return Some(f);
            }
            cand = self.functions[f].parent;
        }
        None
    }

    /// The function of this module a call runs, if it can be told.
    pub(crate) fn resolve_call(&self, from: FnId, call: &Call<'t>) -> Callee {
        self.resolve_callee(from, call.callee)
    }

    /// The function of this module an expression names, as a callee or a
    /// value (`belongs_to`, `self.filter_for`, `hub.filter_for`).
    pub(crate) fn resolve_callee(&self, from: FnId, callee: Node<'t>) -> Callee {
        let src = self.src;
        let callee = unparen(callee);
        match callee.k() {
            "identifier" => {
                let name = text(callee, src);
                // A closure defined in this function or an enclosing one.
                let mut scope = Some(from);
                while let Some(s) = scope {
                    if let Some(g) = self.nested_fn(s, name) {
                        return Callee::Fn(g);
                    }
                    if self.locals[s].contains_key(name) {
                        // A local that is not a def: a variable, unknown.
                        return Callee::External;
                    }
                    scope = self.functions[s].parent;
                }
                if let Some(&g) = self.module_fns.get(name) {
                    return Callee::Fn(g);
                }
                if let Some(&c) = self.class_by_name.get(name) {
                    return Callee::Class(c);
                }
                Callee::External
            }
            "attribute" => {
                let Some(obj) = callee.field("object").map(unparen) else {
                    return Callee::External;
                };
                let Some(method) = syntax::last_name(callee, src) else {
                    return Callee::External;
                };
                let class = match (obj.k(), text(obj, src)) {
                    ("identifier", "self" | "cls") => self.class_of_method(from),
                    ("identifier", name) => self.local_instance(from, name).or_else(|| {
                        self.instances
                            .get(name)
                            .or_else(|| self.class_by_name.get(name))
                            .copied()
                    }),
                    // `JobView(user).filter_for`: a method of the instance
                    // just built.
                    ("call", _) => obj
                        .field("function")
                        .map(unparen)
                        .filter(|c| c.k() == "identifier")
                        .and_then(|c| self.class_by_name.get(text(c, src)).copied()),
                    _ => None,
                };
                match class.and_then(|c| self.method(c, method, 0)) {
                    Some(g) => Callee::Fn(g),
                    None => Callee::External,
                }
            }
            _ => Callee::External,
        }
    }

    /// The class of a local `x = ClassName(...)` bound once in `from` (or
    /// an enclosing function).
    fn local_instance(&self, from: FnId, name: &str) -> Option<ClassId> {
        let mut scope = Some(from);
        while let Some(s) = scope {
            // A parameter annotated with a class of the module
            // (`channel: Channel`).
            if let Some(p) = self.functions[s].params.iter().find(|p| p.name == name) {
                let a = p.annotation.map(|a| match a.k() {
                    "type" => a.named_child(0).unwrap_or(a),
                    _ => a,
                })?;
                let a = unparen(a);
                return (a.k() == "identifier")
                    .then(|| self.class_by_name.get(text(a, self.src)).copied())
                    .flatten();
            }
            match self.locals[s].get(name) {
                Some(Binding::Value(v)) => {
                    let call = Call::of(syntax::unawait(*v), self.src)?;
                    let callee = unparen(call.callee);
                    return (callee.k() == "identifier")
                        .then(|| self.class_by_name.get(text(callee, self.src)).copied())
                        .flatten();
                }
                Some(Binding::Ambiguous) => return None,
                None => scope = self.functions[s].parent,
            }
        }
        None
    }

    /// A function defined in `scope`'s body (a closure) named `name`.
    /// Whether `name` may name a function of the module (a module-level
    /// def or a closure somewhere): a cheap test before [`Self::resolve_callee`].
    pub(crate) fn may_name_fn(&self, name: &str) -> bool {
        self.module_fns.contains_key(name) || self.nested_names.contains(name)
    }

    pub(crate) fn nested_fn(&self, scope: FnId, name: &str) -> Option<FnId> {
        self.nested.get(&(scope, name.to_string())).copied()
    }

    /// The class `f` is a method of (or the method enclosing `f`).
    pub(crate) fn class_of_method(&self, mut f: FnId) -> Option<ClassId> {
        for _ in 0..MAX_NESTING {
            let info = &self.functions[f];
            if let Some(c) = info.class {
                return Some(c);
            }
            f = info.parent?;
        }
        None
    }

    /// A method of class `c` or of a base class defined in this module.
    pub(crate) fn method(&self, c: ClassId, name: &str, depth: u32) -> Option<FnId> {
        if depth > 8 {
            return None;
        }
        let class = &self.classes[c];
        if let Some(&m) = class.methods.get(name) {
            return Some(m);
        }
        class.bases.iter().find_map(|b| {
            self.class_by_name
                .get(b.as_str())
                .and_then(|&bc| self.method(bc, name, depth + 1))
        })
    }

    /// The argument of `call` that binds parameter `p` of `callee`.
    pub(crate) fn param_of_arg(
        &self,
        callee: FnId,
        call: &Call<'t>,
        arg: Node<'t>,
    ) -> Option<usize> {
        let info = &self.functions[callee];
        let offset = usize::from(info.is_bound_method() && unparen(call.callee).k() == "attribute");
        self.param_at(callee, call, arg, offset)
    }

    /// The parameter of `__init__` (`init`) that an argument of the
    /// constructor call `call` binds (`self` skipped).
    pub(crate) fn ctor_param_of_arg(
        &self,
        init: FnId,
        call: &Call<'t>,
        arg: Node<'t>,
    ) -> Option<usize> {
        self.param_at(init, call, arg, 1)
    }

    /// The parameter of `f` an argument of `call` binds, positional
    /// arguments shifted by `offset` (a bound `self`).
    fn param_at(&self, f: FnId, call: &Call<'t>, arg: Node<'t>, offset: usize) -> Option<usize> {
        let info = &self.functions[f];
        if let Some((k, _)) = call.kwargs.iter().find(|(_, v)| v.id() == arg.id()) {
            return info.params.iter().position(|p| p.name == *k);
        }
        let pos = call.args.iter().position(|a| a.id() == arg.id())?;
        if call.args[..pos]
            .iter()
            .any(|a| matches!(a.k(), "list_splat" | "dictionary_splat"))
        {
            return None;
        }
        let i = pos + offset;
        (i < info.params.len() && !info.params[i].splat).then_some(i)
    }

    /// The value scope as seen from anywhere in this module.
    pub(crate) fn scope(&self) -> PyScope<'_, 't> {
        PyScope {
            module: self,
            hook: self.hook,
        }
    }

    /// The value scope with imported names read through `hook` (a module
    /// read for another one's imports has no hook of its own).
    pub(crate) fn scope_with<'m>(&'m self, hook: &'m dyn Imports) -> PyScope<'m, 't> {
        PyScope {
            module: self,
            hook: Some(hook),
        }
    }

    /// Evaluates an expression of this module.
    pub(crate) fn eval(&self, n: Node<'_>) -> Resolved {
        values::eval(n, self.src, &values::PYTHON, &self.scope(), 0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Callee {
    /// A function or method of this module.
    Fn(FnId),
    /// A class of this module (its constructor).
    Class(ClassId),
    /// Anything else: imported, a variable, a builtin.
    External,
}

fn param<'t>(p: Node<'t>, src: &'t str) -> Option<Param<'t>> {
    let (name_node, annotation, default, splat) = match p.k() {
        "identifier" => (Some(p), None, None, false),
        "typed_parameter" => {
            let inner = p.named_child(0)?;
            let splat = inner.k() != "identifier";
            let name = if splat {
                inner.named_child(0)
            } else {
                Some(inner)
            };
            (name, p.field("type"), None, splat)
        }
        "default_parameter" => (p.field("name"), None, p.field("value"), false),
        "typed_default_parameter" => (p.field("name"), p.field("type"), p.field("value"), false),
        "list_splat_pattern" | "dictionary_splat_pattern" => (p.named_child(0), None, None, true),
        _ => return None,
    };
    let name_node = name_node?;
    Some(Param {
        name: text(name_node, src).to_string(),
        node: p,
        annotation,
        default,
        ws_annotated: annotation.is_some_and(|a| syntax::is_websocket_annotation(text(a, src))),
        splat,
    })
}

/// Records `a = b = value`, `NAME: T = value`; tuple targets are ambiguous.
fn record_assignment<'t>(
    a: Node<'t>,
    src: &'t str,
    map: &mut HashMap<String, Binding<'t>>,
    mut targets: Option<&mut HashMap<String, Node<'t>>>,
) {
    let mut cur = a;
    let mut lefts = Vec::new();
    // `a = b = v` nests: assignment(left a, right assignment(left b, right v))
    let value = loop {
        if let Some(l) = cur.field("left") {
            lefts.push(l);
        }
        match cur.field("right") {
            Some(r) if r.k() == "assignment" => cur = r,
            other => break other,
        }
    };
    for l in lefts {
        if l.k() == "identifier" {
            let name = text(l, src);
            bind(map, name, value);
            if let Some(t) = targets.as_deref_mut() {
                t.insert(name.to_string(), l);
            }
        } else {
            for name in target_names(l, src) {
                bind(map, name, None);
            }
        }
    }
}

/// The names a target binds: `a`, `a, b`, `(a, [b, *c])`.
fn target_names<'t>(n: Node<'t>, src: &'t str) -> Vec<&'t str> {
    let mut out = Vec::new();
    syntax::walk(
        n,
        |m| !matches!(m.k(), "attribute" | "subscript"),
        |m| {
            if m.k() == "identifier"
                && !matches!(m.parent().map(|p| p.k()), Some("attribute" | "subscript"))
            {
                out.push(text(m, src));
            }
        },
    );
    out
}

/// `self.X` targets of an assignment.
fn self_targets(left: Node<'_>, src: &str, out: &mut HashSet<String>) {
    syntax::walk(
        left,
        |_| true,
        |m| {
            if m.k() == "attribute" {
                let obj = m.field("object").map(|o| text(o, src));
                if matches!(obj, Some("self" | "cls"))
                    && let Some(a) = m.field("attribute")
                {
                    out.insert(text(a, src).to_string());
                }
            }
        },
    );
}

/// Starlette's `WS_1006_ABNORMAL_CLOSURE` and friends (`starlette.status`,
/// re-exported as `fastapi.status`): the code is in the name.
static STARLETTE_WS_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^WS_(\d{4})_[A-Z0-9_]+$").expect("static regex"));

pub(crate) fn starlette_code(name: &str) -> Option<f64> {
    STARLETTE_WS_CODE
        .captures(name)
        .and_then(|c| c[1].parse::<f64>().ok())
}

/// The value scope of a module: function locals bound once, module
/// constants bound once, class attributes (`Class.NAME`, `self.NAME` when no
/// method assigns it, inherited from bases of this module or imported ones,
/// pydantic `Field(default)`), attributes of module-level instances
/// (`settings = Settings()`: the field's default, or the keyword the call
/// passes), Starlette's status constants, and imported names through the
/// [`Imports`] hook (unknown without one).
pub(crate) struct PyScope<'m, 't> {
    module: &'m Module<'t>,
    hook: Option<&'m dyn Imports>,
}

impl PyScope<'_, '_> {
    fn resolve_binding(&self, binding: Binding<'_>, name: &str, depth: u32) -> Resolved {
        match binding {
            Binding::Value(v) => self.defined(v, name, depth),
            Binding::Ambiguous => Resolved::unknown(),
        }
    }

    /// The value of expression `v`, defined as `name` (the origin).
    fn defined(&self, v: Node<'_>, name: &str, depth: u32) -> Resolved {
        let r = values::eval(v, self.module.src, &values::PYTHON, self, depth + 1);
        Resolved {
            value: r.value,
            origin: Some(Origin {
                file: self.module.source.clone(),
                span: span(v),
                name: name.to_string(),
            }),
        }
    }

    fn imported(&self, name: &str) -> Option<&Import> {
        self.module.imports.iter().rev().find(|i| i.local == name)
    }

    /// The value of `path` read through `import` (`IDLE_TIMEOUT` from
    /// `from .settings import IDLE_TIMEOUT`, `config.IDLE` from `import
    /// config`): what the project's hook finds, else unknown.
    fn imported_value(&self, import: &Import, path: &[&str], depth: u32) -> Resolved {
        match self.hook {
            Some(h) if depth <= values::MAX_DEPTH => h.value(import, path, depth + 1),
            _ => Resolved::unknown(),
        }
    }

    /// A name the module binds through none of its statements: one of
    /// its `from M import *` may bind it.
    fn star_imported(&self, name: &str, depth: u32) -> Resolved {
        for module in self.module.star_imports.iter().rev() {
            let import = Import {
                local: name.to_string(),
                module: module.clone(),
                name: Some(name.to_string()),
                span: crate::source::Span::default(),
            };
            let r = self.imported_value(&import, &[name], depth);
            if r.is_known() {
                return r;
            }
        }
        Resolved::unknown()
    }

    /// `path` read at module level: an import, a constant, `Class.ATTR`,
    /// `instance.ATTR`, and chains of them through instances held by
    /// attributes (`settings.api.v1.prefix`). Function locals are not
    /// looked at.
    pub(crate) fn global(&self, path: &[&str], depth: u32) -> Resolved {
        let m = self.module;
        let [first, rest @ ..] = path else {
            return Resolved::unknown();
        };
        if let Some(i) = self.imported(first) {
            // `from starlette.status import WS_1006_ABNORMAL_CLOSURE`
            if rest.is_empty()
                && let Some(code) = starlette_code(first)
                && i.module.ends_with("status")
            {
                return Resolved::of(Value::Number(code));
            }
            return self.imported_value(i, path, depth);
        }
        if rest.is_empty() {
            return match m.consts.get(*first) {
                Some(b) => self.resolve_binding(*b, first, depth),
                None => self.star_imported(first, depth),
            };
        }
        let name = path.join(".");
        if let Some(&c) = m.class_by_name.get(*first) {
            return self
                .class_attr(c, rest, &name, depth)
                .unwrap_or_else(Resolved::unknown);
        }
        match m.consts.get(*first) {
            Some(Binding::Value(v)) => self.instance_attr(*v, rest, &name, depth),
            _ => Resolved::unknown(),
        }
    }

    /// Attribute chain `rest` of class `c` (its first attribute as the
    /// class defines it or inherits it); `None` when no class of the chain
    /// defines the first attribute.
    fn class_attr(&self, c: ClassId, rest: &[&str], name: &str, depth: u32) -> Option<Resolved> {
        if depth > values::MAX_DEPTH {
            return Some(Resolved::unknown());
        }
        let [attr, more @ ..] = rest else {
            return Some(Resolved::unknown());
        };
        let m = self.module;
        let class = &m.classes[c];
        match class.attrs.get(*attr) {
            Some(Binding::Value(v)) => return Some(self.field_value(*v, more, name, depth)),
            Some(Binding::Ambiguous) => return Some(Resolved::unknown()),
            None => {}
        }
        for base in &class.bases {
            let parts: Vec<&str> = base.split('.').collect();
            if let [one] = parts.as_slice()
                && let Some(&bc) = m.class_by_name.get(*one)
            {
                if bc != c
                    && let Some(r) = self.class_attr(bc, rest, name, depth + 1)
                {
                    return Some(r);
                }
                continue;
            }
            if let Some(i) = self.imported(parts[0]) {
                let mut path = parts.clone();
                path.extend_from_slice(rest);
                let r = self.imported_value(i, &path, depth);
                if r.is_known() {
                    return Some(r);
                }
            }
        }
        None
    }

    /// A class attribute's value, and then the chain `more` read from the
    /// instance it holds (`api: ApiPrefix = ApiPrefix()`). Pydantic's
    /// `Field(default, ...)` / `Field(default=...)` is its default.
    fn field_value(&self, v: Node<'_>, more: &[&str], name: &str, depth: u32) -> Resolved {
        let src = self.module.src;
        let v = match Call::of(unparen(v), src) {
            Some(call) if call.name(src) == Some("Field") => match call.arg(0, "default") {
                Some(d) if d.k() != "ellipsis" => d,
                _ => return Resolved::unknown(),
            },
            _ => v,
        };
        if more.is_empty() {
            self.defined(v, name, depth)
        } else {
            self.instance_attr(v, more, name, depth + 1)
        }
    }

    /// Attribute chain `rest` of the instance `v` builds: `Settings()`,
    /// `config.Settings(...)`, `get_settings()` of a factory of this module
    /// that returns a `Settings()`. A keyword the call passes wins over the
    /// class's default; positional or unpacked arguments make it unknown.
    fn instance_attr(&self, v: Node<'_>, rest: &[&str], name: &str, depth: u32) -> Resolved {
        let m = self.module;
        let src = m.src;
        let [attr, more @ ..] = rest else {
            return Resolved::unknown();
        };
        if depth > values::MAX_DEPTH {
            return Resolved::unknown();
        }
        let Some(call) = Call::of(syntax::unawait(v), src) else {
            return Resolved::unknown();
        };
        if let Some(k) = call.kwarg(attr) {
            return if more.is_empty() {
                self.defined(k, name, depth)
            } else {
                self.instance_attr(k, more, name, depth + 1)
            };
        }
        let splat = call
            .args
            .iter()
            .any(|a| matches!(a.k(), "list_splat" | "dictionary_splat"));
        if splat || !call.args.is_empty() {
            return Resolved::unknown();
        }
        let callee = unparen(call.callee);
        let Some(path) = values::member_path(callee, src, &values::PYTHON) else {
            return Resolved::unknown();
        };
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        if let [one] = refs.as_slice() {
            let class = m.class_by_name.get(*one).copied().or_else(|| {
                let f = *m.module_fns.get(*one)?;
                self.factory_class(f)
            });
            if let Some(c) = class {
                if m.classes[c].self_assigned.contains(*attr) {
                    return Resolved::unknown();
                }
                return self
                    .class_attr(c, rest, name, depth + 1)
                    .unwrap_or_else(Resolved::unknown);
            }
        }
        match self.imported(refs[0]) {
            Some(i) => {
                let mut p = refs.clone();
                p.extend_from_slice(rest);
                let r = self.imported_value(i, &p, depth);
                Resolved {
                    value: r.value,
                    origin: r.origin.map(|o| Origin {
                        name: name.to_string(),
                        ..o
                    }),
                }
            }
            None => Resolved::unknown(),
        }
    }

    /// The class of this module a factory function returns: its return
    /// annotation (`-> Settings`), or its one `return Settings()`.
    fn factory_class(&self, f: FnId) -> Option<ClassId> {
        let m = self.module;
        let info = &m.functions[f];
        if let Some(ret) = info.node.field("return_type")
            && let Some(&c) = m
                .class_by_name
                .get(text(ret, m.src).trim_matches(['"', '\'']))
        {
            return Some(c);
        }
        let mut returns = Vec::new();
        m.flat.walk(
            info.body()?,
            |n| !syntax::is_scope(n),
            |n| {
                if n.k() == "return_statement" {
                    returns.push(n);
                }
            },
        );
        let [r] = returns.as_slice() else { return None };
        let call = Call::of(unparen(r.named_child(0)?), m.src)?;
        let callee = unparen(call.callee);
        if callee.k() != "identifier" || !call.args.is_empty() || !call.kwargs.is_empty() {
            return None;
        }
        m.class_by_name.get(text(callee, m.src)).copied()
    }
}

impl Scope for PyScope<'_, '_> {
    fn identifier(&self, name: &str, at: Node<'_>, depth: u32) -> Resolved {
        let m = self.module;
        let mut scope = m.enclosing_fn(at);
        while let Some(f) = scope {
            if let Some(b) = m.locals[f].get(name) {
                return self.resolve_binding(*b, name, depth);
            }
            scope = m.functions[f].parent;
        }
        self.global(&[name], depth)
    }

    fn member(&self, path: &[&str], at: Node<'_>, depth: u32) -> Resolved {
        let m = self.module;
        let [first, .., last] = path else {
            return Resolved::unknown();
        };
        if let Some(code) = starlette_code(last) {
            // status.WS_1006_..., starlette.status.WS_1006_...
            if path[path.len() - 2] == "status" {
                return Resolved::of(Value::Number(code));
            }
        }
        if matches!(*first, "self" | "cls") {
            let class = m
                .enclosing_fn(at)
                .and_then(|f| m.class_of_method(f))
                .filter(|&c| !m.classes[c].self_assigned.contains(path[1]));
            return match (class, path.len()) {
                (Some(c), 2) => self
                    .class_attr(c, &path[1..], &path.join("."), depth)
                    .unwrap_or_else(Resolved::unknown),
                _ => Resolved::unknown(),
            };
        }
        let local = m
            .enclosing_fn(at)
            .is_some_and(|f| m.locals[f].contains_key(*first));
        if local {
            return Resolved::unknown();
        }
        self.global(path, depth)
    }
}
