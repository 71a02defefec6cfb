//! Where the endpoints of a module are and which paths they serve:
//! `@<router>.websocket(path)` / `.websocket_route(path)` on functions and
//! classes, `WebSocketRoute(path, endpoint)` in route tables (with the
//! prefixes of the `Mount`s around them), `<router>.add_websocket_route`,
//! `APIRouter(prefix=...)` and `include_router(router, prefix=...)` of the
//! same module; `WebSocketEndpoint` subclasses; functions with a parameter
//! annotated `WebSocket` that nothing in the module calls; and the
//! dependencies (`Depends(...)`) each endpoint declares.

use crate::lang::kind::Kind;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::symbols::{Callee, ClassId, FnId, Module};
use super::syntax::{self, Call, span, text, unparen};
use super::{
    Declared, EndpointKind, Inclusion as InclusionFact, NameKind, NameUse, Route, RouterDecl,
};
use crate::source::Span;
use crate::values::Value;

/// Constructors of applications and routers.
const ROUTER_CTORS: [&str; 4] = ["APIRouter", "FastAPI", "Starlette", "Router"];

/// An endpoint as found, before analysis.
pub(crate) struct Found {
    pub kind: EndpointKind,
    pub name: String,
    pub span: Span,
    /// The handler function, for function endpoints.
    pub handler: Option<FnId>,
    pub class: Option<ClassId>,
    pub routes: Vec<Route>,
    /// Dependencies: the function and the `Depends(...)` that declares it.
    pub deps: Vec<(FnId, Span)>,
    /// Registered the Starlette way (`websocket_route`, `WebSocketRoute`,
    /// `add_websocket_route`): the first parameter is the websocket,
    /// annotated or not. FastAPI finds it by its annotation only.
    pub positional_ws: bool,
    /// The names in the decorator's and the router's `dependencies=[...]`
    /// (`Depends(require_org_id)`), which the handler's body does not hold.
    pub dep_names: Vec<NameUse>,
    /// Dependencies imported from another module (`Depends(current_org)`
    /// with `from .deps import current_org`): the dotted name as written
    /// and the `Depends(...)` call, in the decorator, the router, the
    /// handler's signature or a dependency's of this module.
    pub imported_deps: Vec<(String, Span)>,
}

struct RouterDef<'t> {
    /// `APIRouter(prefix=...)`: `None` when it cannot be resolved.
    prefix: Option<String>,
    deps: Vec<Node<'t>>,
}

struct Inclusion {
    parent: String,
    /// `None`: not resolvable.
    prefix: Option<String>,
}

pub(crate) struct Finder<'a, 't> {
    m: &'a Module<'t>,
    routers: HashMap<String, RouterDef<'t>>,
    /// Names bound to a `FastAPI()`/`Starlette()` anywhere (apps have no prefix).
    apps: HashSet<String>,
    inclusions: HashMap<String, Vec<Inclusion>>,
    /// Every call of the module, in source order.
    calls: Vec<Node<'t>>,
    /// What the project step reads: routers bound, inclusions made.
    decls: Vec<RouterDecl>,
    included: Vec<InclusionFact>,
}

/// `APIRouter(prefix=...)`, `FastAPI()`...: whether it is an application,
/// and its prefix (`None`: not resolvable), read with `string`.
pub(crate) fn router_ctor<'t>(
    call: &Call<'t>,
    src: &'t str,
    string: impl Fn(Node<'t>) -> Option<String>,
) -> Option<(bool, Option<String>)> {
    let name = call.name(src)?;
    if !ROUTER_CTORS.contains(&name) {
        return None;
    }
    let prefix = match call.kwarg("prefix") {
        Some(p) => string(p),
        None => Some(String::new()),
    };
    Some((matches!(name, "FastAPI" | "Starlette"), prefix))
}

impl<'a, 't> Finder<'a, 't> {
    pub(crate) fn new(m: &'a Module<'t>, root: Node<'t>) -> Self {
        let src = m.src;
        let mut calls = Vec::new();
        m.flat.walk(
            root,
            |_| true,
            |n| {
                if n.k() == "call" {
                    calls.push(n);
                }
            },
        );
        let mut f = Finder {
            m,
            routers: HashMap::new(),
            apps: HashSet::new(),
            inclusions: HashMap::new(),
            calls,
            decls: Vec::new(),
            included: Vec::new(),
        };
        for &c in &f.calls {
            let Some(call) = Call::of(c, src) else {
                continue;
            };
            if let Some((app, prefix)) = router_ctor(&call, src, |p| string_value(m, p)) {
                let Some(target) = assigned_name(c, src) else {
                    continue;
                };
                if app {
                    f.apps.insert(target.to_string());
                }
                if !f.decls.iter().any(|d| d.name == target) {
                    f.decls.push(RouterDecl {
                        name: target.to_string(),
                        app,
                        prefix: prefix.clone(),
                    });
                }
                let deps = call
                    .kwarg("dependencies")
                    .map(|d| depends_calls(d, src))
                    .unwrap_or_default();
                // A module-level router; a local one (in create_app())
                // only if no module-level one has its name.
                if m.enclosing_fn(c).is_none() || !f.routers.contains_key(target) {
                    f.routers
                        .insert(target.to_string(), RouterDef { prefix, deps });
                }
            }
        }
        for &c in &f.calls {
            let Some(call) = Call::of(c, src) else {
                continue;
            };
            let (child, prefix) = match call.name(src) {
                Some("include_router") => (call.arg(0, "router"), call.kwarg("prefix")),
                Some("mount") => (call.arg(1, "app"), call.arg(0, "path")),
                _ => continue,
            };
            let (Some(child), Some(parent)) = (child, call.receiver()) else {
                continue;
            };
            let prefix = match prefix {
                Some(p) => string_value(m, p),
                None => Some(String::new()),
            };
            if let (Some(child), Some(parent)) =
                (syntax::dotted(child, src), syntax::dotted(parent, src))
            {
                f.included.push(InclusionFact {
                    parent,
                    child,
                    prefix: prefix.clone(),
                    span: span(c),
                });
            }
            if unparen(child).k() != "identifier" {
                continue;
            }
            f.inclusions
                .entry(text(unparen(child), src).to_string())
                .or_default()
                .push(Inclusion {
                    parent: text(parent, src).to_string(),
                    prefix,
                });
        }
        f
    }

    /// The full prefixes under which router `name`'s routes are served;
    /// `None` for one that cannot be told.
    fn prefixes(&self, name: &str, depth: u32) -> Vec<Option<String>> {
        if depth > 8 {
            return vec![None];
        }
        let own = match self.routers.get(name) {
            Some(r) => r.prefix.clone(),
            None if self.apps.contains(name) => Some(String::new()),
            // Defined in another module: its prefix is unknown here.
            None => None,
        };
        let Some(incs) = self.inclusions.get(name) else {
            return vec![own];
        };
        let mut out = Vec::new();
        for inc in incs {
            for p in self.prefixes(&inc.parent, depth + 1) {
                out.push(match (p, &inc.prefix, &own) {
                    (Some(p), Some(i), Some(o)) => Some(format!("{p}{i}{o}")),
                    _ => None,
                });
            }
        }
        out
    }

    fn routes_for(
        &self,
        router: Option<Node<'t>>,
        path: Option<Node<'t>>,
        at: Node<'t>,
    ) -> Vec<Route> {
        let src = self.m.src;
        let path_value = path.and_then(|p| string_value(self.m, p));
        let prefixes = match router.map(unparen) {
            Some(r) if r.k() == "identifier" => self.prefixes(text(r, src), 0),
            Some(_) => vec![None],
            None => vec![Some(String::new())],
        };
        let route_span = path.map(span).unwrap_or_else(|| span(at));
        let router_name = router
            .map(unparen)
            .filter(|r| r.k() == "identifier")
            .map(|r| text(r, src).to_string());
        let declared = match (&router_name, &path_value) {
            (Some(r), Some(v)) => Some(Declared {
                router: r.clone(),
                path: v.clone(),
            }),
            _ => None,
        };
        let mut out = Vec::new();
        for p in prefixes {
            let (path, complete) = match (&p, &path_value) {
                (Some(p), Some(v)) => (join(p, v), true),
                (None, Some(v)) => (v.clone(), false),
                _ => continue,
            };
            if !out.iter().any(|r: &Route| r.path == path) {
                out.push(Route {
                    path,
                    span: route_span,
                    complete,
                    root: if complete {
                        String::new()
                    } else {
                        router_name.clone().unwrap_or_else(|| "?".into())
                    },
                    declared: declared.clone(),
                });
            }
        }
        out
    }

    /// The routers the module binds and the inclusions it makes.
    pub(crate) fn facts(&self) -> (Vec<RouterDecl>, Vec<InclusionFact>) {
        (self.decls.clone(), self.included.clone())
    }

    /// Every endpoint of the module.
    pub(crate) fn find(&self) -> Vec<Found> {
        let m = self.m;
        let src = m.src;
        let mut found: Vec<Found> = Vec::new();
        let mut by_fn: HashMap<FnId, usize> = HashMap::new();
        let mut by_class: HashMap<ClassId, usize> = HashMap::new();
        // The endpoint of a function or class, made on first sight.
        let mut endpoint = |found: &mut Vec<Found>, callee: Callee| -> Option<usize> {
            let (map, key, make): (&mut HashMap<usize, usize>, usize, Found) = match callee {
                Callee::Fn(f) => (&mut by_fn, f, function_endpoint(m, f)),
                Callee::Class(c) => (&mut by_class, c, class_endpoint(m, c)),
                Callee::External => return None,
            };
            Some(*map.entry(key).or_insert_with(|| {
                found.push(make);
                found.len() - 1
            }))
        };

        // Decorated functions and classes.
        for (f, info) in m.functions.iter().enumerate() {
            for d in &info.decorators {
                if let Some((routes, deps, positional)) = self.route_decorator(*d) {
                    let Some(i) = endpoint(&mut found, Callee::Fn(f)) else {
                        continue;
                    };
                    found[i].positional_ws |= positional;
                    found[i].routes.extend(routes);
                    found[i].deps.extend(self.resolve_deps(f, &deps));
                    let names = self.dep_names(&deps, &info.name);
                    found[i].dep_names.extend(names);
                    let imported = self.imported_deps(&deps);
                    found[i].imported_deps.extend(imported);
                }
            }
        }
        for (c, class) in m.classes.iter().enumerate() {
            for d in &class.decorators {
                if let Some((routes, _, _)) = self.route_decorator(*d) {
                    let Some(i) = endpoint(&mut found, Callee::Class(c)) else {
                        continue;
                    };
                    found[i].routes.extend(routes);
                }
            }
        }

        // Route tables and add_*_route calls.
        for &c in &self.calls {
            let Some(call) = Call::of(c, src) else {
                continue;
            };
            let name = call.name(src);
            let positional = matches!(name, Some("WebSocketRoute" | "add_websocket_route"));
            let (routes, target) = match name {
                Some("WebSocketRoute" | "APIWebSocketRoute") => {
                    let path = call.arg(0, "path");
                    let value = path.and_then(|p| string_value(m, p));
                    let mut routes = Vec::new();
                    for prefix in self.mount_prefixes(c, 0) {
                        let (p, complete) = match (prefix, &value) {
                            (Some(pre), Some(v)) => (join(&pre, v), true),
                            (None, Some(v)) => (v.clone(), false),
                            _ => continue,
                        };
                        routes.push(Route {
                            path: p,
                            span: path.map(span).unwrap_or_else(|| span(c)),
                            complete,
                            root: if complete { String::new() } else { "?".into() },
                            declared: None,
                        });
                    }
                    (routes, call.arg(1, "endpoint"))
                }
                Some("add_websocket_route" | "add_api_websocket_route") => (
                    self.routes_for(call.receiver(), call.arg(0, "path"), c),
                    call.arg(1, "endpoint"),
                ),
                _ => continue,
            };
            let Some(target) = target.map(unparen).filter(|e| e.k() == "identifier") else {
                continue;
            };
            let from = m.enclosing_fn(c);
            let target = self.resolve_name(from, text(target, src));
            if let Some(i) = target.and_then(|t| endpoint(&mut found, t)) {
                found[i].routes.extend(routes);
                found[i].positional_ws |= positional;
            }
        }
        let class_endpoints: HashSet<ClassId> = by_class.keys().copied().collect();
        let routed_fns: HashSet<FnId> = by_fn.keys().copied().collect();

        // WebSocketEndpoint subclasses without a route in this module.
        let mut class_endpoints = class_endpoints;
        for (c, class) in m.classes.iter().enumerate() {
            let is_endpoint = class
                .bases
                .iter()
                .any(|b| b.rsplit('.').next() == Some("WebSocketEndpoint"));
            if is_endpoint && class_endpoints.insert(c) {
                found.push(class_endpoint(m, c));
            }
        }

        // Dependencies declared in each handler's signature.
        for e in &mut found {
            if let Some(f) = e.handler {
                let mut deps = Vec::new();
                self.signature_deps(f, &mut deps, &mut HashSet::new(), 0);
                for d in deps {
                    if !e.deps.iter().any(|(g, _)| *g == d.0) {
                        e.deps.push(d);
                    }
                }
                // The imported dependencies of the handler's signature and
                // of its dependencies' signatures.
                let fns: Vec<FnId> = std::iter::once(f)
                    .chain(e.deps.iter().map(|(g, _)| *g))
                    .collect();
                for g in fns {
                    let calls: Vec<Node<'t>> = self.m.functions[g]
                        .params
                        .iter()
                        .flat_map(|p| [p.annotation, p.default])
                        .flatten()
                        .flat_map(|n| depends_calls(n, self.m.src))
                        .collect();
                    for d in self.imported_deps(&calls) {
                        if !e.imported_deps.contains(&d) {
                            e.imported_deps.push(d);
                        }
                    }
                }
            }
        }

        // Functions with a parameter annotated WebSocket that nothing here
        // calls or depends on: endpoints registered elsewhere (or helpers
        // called from other modules).
        let referenced = self.referenced();
        for (f, info) in m.functions.iter().enumerate() {
            if routed_fns.contains(&f)
                || referenced.contains(&f)
                || !info.params.iter().any(|p| p.ws_annotated)
                || info.class.is_some_and(|c| class_endpoints.contains(&c))
            {
                continue;
            }
            let mut e = function_endpoint(m, f);
            e.kind = EndpointKind::Annotated;
            let mut deps = Vec::new();
            self.signature_deps(f, &mut deps, &mut HashSet::new(), 0);
            e.deps = deps;
            found.push(e);
        }
        for e in &mut found {
            e.routes.sort_by_key(|r| r.span);
            e.routes.dedup_by(|a, b| a.path == b.path);
        }
        found
    }

    /// `@x.websocket(path)` / `@x.websocket_route(path)`: its routes and
    /// the `dependencies=[...]` of the decorator and the router.
    fn route_decorator(&self, d: Node<'t>) -> Option<(Vec<Route>, Vec<Node<'t>>, bool)> {
        let src = self.m.src;
        let call = Call::of(unparen(d), src)?;
        let positional = match call.name(src) {
            Some("websocket") => false,
            Some("websocket_route") => true,
            _ => return None,
        };
        let router = call.receiver()?;
        let routes = self.routes_for(Some(router), call.arg(0, "path"), d);
        let mut deps = call
            .kwarg("dependencies")
            .map(|d| depends_calls(d, src))
            .unwrap_or_default();
        if unparen(router).k() == "identifier"
            && let Some(r) = self.routers.get(text(unparen(router), src))
        {
            deps.extend(r.deps.iter().copied());
        }
        Some((routes, deps, positional))
    }

    /// The names a list of `Depends(...)` calls uses.
    fn dep_names(&self, deps: &[Node<'t>], function: &str) -> Vec<NameUse> {
        let src = self.m.src;
        let mut out: Vec<NameUse> = Vec::new();
        for &d in deps {
            self.m.flat.walk(
                d,
                |_| true,
                |n| {
                    let name = match n.k() {
                        "identifier" => Some(n),
                        "attribute" => n.field("attribute"),
                        _ => None,
                    };
                    if let Some(name) = name {
                        let t = text(name, src);
                        if !out.iter().any(|u| u.name == t) {
                            out.push(NameUse {
                                name: t.to_string(),
                                span: span(name),
                                kind: NameKind::Identifier,
                                function: function.to_string(),
                            });
                        }
                    }
                },
            );
        }
        out
    }

    /// The prefixes of the `Mount(prefix, routes=[...])` calls around a
    /// route, including `Mount(prefix, routes=NAME)` of a list assigned to
    /// `NAME` that holds it.
    fn mount_prefixes(&self, route: Node<'t>, depth: u32) -> Vec<Option<String>> {
        if depth > 8 {
            return vec![None];
        }
        let src = self.m.src;
        let mut acc: Option<String> = Some(String::new());
        let mut cur = route;
        while let Some(p) = cur.parent() {
            if p.k() == "call"
                && let Some(call) = Call::of(p, src)
                && call.name(src) == Some("Mount")
                && cur.k() == "argument_list"
            {
                let pre = call.arg(0, "path").and_then(|a| string_value(self.m, a));
                acc = match (pre, acc) {
                    (Some(pre), Some(a)) => Some(format!("{pre}{a}")),
                    _ => None,
                };
            }
            if p.k() == "assignment" {
                let Some(left) = p.field("left").filter(|l| l.k() == "identifier") else {
                    break;
                };
                let name = text(left, src);
                let mut out = Vec::new();
                for &c in &self.calls {
                    let Some(call) = Call::of(c, src) else {
                        continue;
                    };
                    if call.name(src) != Some("Mount") {
                        continue;
                    }
                    let uses = call
                        .kwarg("routes")
                        .or_else(|| call.args.get(1).copied())
                        .is_some_and(|r| {
                            unparen(r).k() == "identifier" && text(unparen(r), src) == name
                        });
                    if !uses {
                        continue;
                    }
                    let pre = call.arg(0, "path").and_then(|a| string_value(self.m, a));
                    for outer in self.mount_prefixes(c, depth + 1) {
                        out.push(match (outer, &pre, &acc) {
                            (Some(o), Some(p), Some(a)) => Some(format!("{o}{p}{a}")),
                            _ => None,
                        });
                    }
                }
                if !out.is_empty() {
                    return out;
                }
                break;
            }
            if syntax::is_scope(p) || p.k() == "module" {
                break;
            }
            cur = p;
        }
        vec![acc]
    }

    fn resolve_name(&self, from: Option<FnId>, name: &str) -> Option<Callee> {
        let m = self.m;
        let mut scope = from;
        while let Some(s) = scope {
            if let Some(g) = m.nested_fn(s, name) {
                return Some(Callee::Fn(g));
            }
            scope = m.functions[s].parent;
        }
        if let Some(&f) = m.module_fns.get(name) {
            return Some(Callee::Fn(f));
        }
        m.class_by_name.get(name).map(|&c| Callee::Class(c))
    }

    /// `Depends(f)` / `Security(f)` calls whose `f` is imported (`f`,
    /// `deps.f` for an imported `deps`): the dotted name and the call.
    fn imported_deps(&self, calls: &[Node<'t>]) -> Vec<(String, Span)> {
        let src = self.m.src;
        calls
            .iter()
            .filter_map(|&c| {
                let call = Call::of(c, src)?;
                let target = call.arg(0, "dependency").map(unparen)?;
                let dotted = syntax::dotted(target, src)?;
                let root = dotted.split('.').next().unwrap_or("");
                (!self.m.module_fns.contains_key(root)
                    && self.m.imports.iter().any(|i| i.local == root))
                .then(|| (dotted.to_string(), span(c)))
            })
            .collect()
    }

    /// `Depends(f)` / `Security(f)` calls -> the functions of this module.
    fn resolve_deps(&self, from: FnId, calls: &[Node<'t>]) -> Vec<(FnId, Span)> {
        let src = self.m.src;
        let mut out = Vec::new();
        for &c in calls {
            let Some(call) = Call::of(c, src) else {
                continue;
            };
            let Some(target) = call.arg(0, "dependency").map(unparen) else {
                continue;
            };
            if target.k() != "identifier" {
                continue;
            }
            let scope = self.m.functions[from].parent;
            if let Some(Callee::Fn(g)) = self.resolve_name(scope, text(target, src)) {
                out.push((g, span(c)));
            }
        }
        out
    }

    /// The dependencies in `f`'s signature, and theirs, recursively.
    fn signature_deps(
        &self,
        f: FnId,
        out: &mut Vec<(FnId, Span)>,
        seen: &mut HashSet<FnId>,
        depth: u32,
    ) {
        if depth > 8 || !seen.insert(f) {
            return;
        }
        let mut calls = Vec::new();
        for p in &self.m.functions[f].params {
            for n in [p.annotation, p.default].into_iter().flatten() {
                calls.extend(depends_calls(n, self.m.src));
            }
        }
        for (g, s) in self.resolve_deps(f, &calls) {
            if !out.iter().any(|(x, _)| *x == g) {
                out.push((g, s));
            }
            self.signature_deps(g, out, seen, depth + 1);
        }
    }

    /// Functions something else in the module calls or depends on.
    fn referenced(&self) -> HashSet<FnId> {
        let m = self.m;
        let src = m.src;
        let mut out = HashSet::new();
        for (f, info) in m.functions.iter().enumerate() {
            for &c in &info.calls {
                if let Some(call) = Call::of(c, src)
                    && let Callee::Fn(g) = m.resolve_call(f, &call)
                    && g != f
                {
                    out.insert(g);
                }
            }
            let mut deps = Vec::new();
            self.signature_deps(f, &mut deps, &mut HashSet::new(), 0);
            out.extend(deps.into_iter().map(|(g, _)| g).filter(|&g| g != f));
        }
        for &c in &self.calls {
            if m.enclosing_fn(c).is_some() {
                continue;
            }
            if let Some(call) = Call::of(c, src) {
                for a in call.args.iter().chain(call.kwargs.iter().map(|(_, v)| v)) {
                    let a = unparen(*a);
                    if a.k() == "identifier"
                        && let Some(&g) = m.module_fns.get(text(a, src))
                    {
                        out.insert(g);
                    }
                }
            }
        }
        out
    }
}

fn function_endpoint(m: &Module<'_>, f: FnId) -> Found {
    let info = &m.functions[f];
    Found {
        kind: EndpointKind::Route,
        name: info.name.clone(),
        span: info.name_span,
        handler: Some(f),
        class: None,
        routes: Vec::new(),
        deps: Vec::new(),
        positional_ws: false,
        dep_names: Vec::new(),
        imported_deps: Vec::new(),
    }
}

fn class_endpoint(m: &Module<'_>, c: ClassId) -> Found {
    let class = &m.classes[c];
    Found {
        kind: EndpointKind::Class,
        name: class.name.clone(),
        span: class.name_span,
        handler: None,
        class: Some(c),
        routes: Vec::new(),
        deps: Vec::new(),
        positional_ws: false,
        dep_names: Vec::new(),
        imported_deps: Vec::new(),
    }
}

/// `Depends(...)` and `Security(...)` calls in an expression.
pub(crate) fn depends_calls<'t>(n: Node<'t>, src: &str) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    syntax::walk(
        n,
        |m| !syntax::is_scope(m),
        |m| {
            let is_dep = m.k() == "call"
                && m.field("function")
                    .and_then(|c| syntax::last_name(c, src))
                    .is_some_and(|name| matches!(name, "Depends" | "Security"));
            if is_dep {
                out.push(m);
            }
        },
    );
    out
}

/// The name a call's value is assigned to: `router = APIRouter(...)`.
fn assigned_name<'t>(call: Node<'t>, src: &'t str) -> Option<&'t str> {
    let p = syntax::parent_unparen(call)?;
    if p.k() != "assignment" {
        return None;
    }
    let left = p.field("left")?;
    (left.k() == "identifier").then(|| text(left, src))
}

fn string_value(m: &Module<'_>, n: Node<'_>) -> Option<String> {
    path_string(n, m.src, &|e| m.eval(e))
}

/// A path or prefix as a string: a string's value, also `A + "/ws"` and
/// f-strings (`f"{settings.API_V1_STR}/ws"`) whose parts are known
/// (strings, integers); `eval` resolves names.
pub(crate) fn path_string(
    n: Node<'_>,
    src: &str,
    eval: &dyn Fn(Node<'_>) -> crate::values::Resolved,
) -> Option<String> {
    path_string_at(n, src, eval, 0)
}

fn path_string_at(
    n: Node<'_>,
    src: &str,
    eval: &dyn Fn(Node<'_>) -> crate::values::Resolved,
    depth: u32,
) -> Option<String> {
    if depth > syntax::MAX_NESTING {
        return None;
    }
    let n = unparen(n);
    let as_text = |v: Value| match v {
        Value::Str(s) => Some(s),
        Value::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(format!("{}", x as i64)),
        _ => None,
    };
    match n.k() {
        "binary_operator" => {
            let op = n.field("operator")?;
            if op.k() != "+" {
                return None;
            }
            let l = path_string_at(n.field("left")?, src, eval, depth + 1)?;
            let r = path_string_at(n.field("right")?, src, eval, depth + 1)?;
            Some(l + &r)
        }
        "string" if text(n, src).starts_with(['f', 'F']) => {
            let mut out = String::new();
            let mut c = n.walk();
            for part in n.named_children(&mut c) {
                match part.k() {
                    "string_start" | "string_end" => {}
                    "string_content" => {
                        // `{{` / `}}` are literal braces.
                        let t = text(part, src);
                        if t.contains('\\') {
                            return None;
                        }
                        out.push_str(&t.replace("{{", "{").replace("}}", "}"));
                    }
                    "interpolation" => {
                        if part.field("type_conversion").is_some()
                            || part.field("format_specifier").is_some()
                        {
                            return None;
                        }
                        let e = part.field("expression")?;
                        out.push_str(&as_text(eval(e).value)?);
                    }
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => match eval(n).value {
            Value::Str(s) => Some(s),
            _ => None,
        },
    }
}

/// Joins a prefix and a path as Starlette does (plain concatenation), with
/// one slash between.
pub(crate) fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        return path.to_string();
    }
    match (prefix.ends_with('/'), path.starts_with('/')) {
        (true, true) => format!("{prefix}{}", &path[1..]),
        (false, false) if !path.is_empty() => format!("{prefix}/{path}"),
        _ => format!("{prefix}{path}"),
    }
}
