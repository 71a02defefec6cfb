//! A module read because another one imports from it: its syntax tree and
//! what it defines (the same [`Module`] index a checked module gets), kept
//! together so the project can cache it once per run and evaluate in it as
//! often as importers ask. Nothing is evaluated when it is parsed.

use tree_sitter::Tree;

use std::collections::HashSet;

use super::body::{self, WsCx};
use super::routes::{depends_calls, path_string, router_ctor};
use super::symbols::{Binding, Callee, Module};
use super::syntax::{Call, dotted, unparen};
use super::{Import, Imports, RouterDecl};
use crate::source::Source;
use crate::values::Resolved;

struct Owner {
    source: Source,
    tree: Tree,
}

self_cell::self_cell!(
    struct Cell {
        owner: Owner,
        #[covariant]
        dependent: Module,
    }
);

/// A parsed module, indexed, ready to answer what a name is bound to.
pub struct ParsedModule(Cell);

impl ParsedModule {
    /// `None` when tree-sitter gives up.
    pub fn parse(source: Source) -> Option<ParsedModule> {
        let tree = super::parse(&source.text)?;
        Some(ParsedModule(Cell::new(Owner { source, tree }, |o| {
            Module::collect(o.tree.root_node(), &o.source.text, &o.source)
        })))
    }

    pub fn source(&self) -> &Source {
        &self.0.borrow_owner().source
    }

    pub fn imports(&self) -> &[Import] {
        &self.0.borrow_dependent().imports
    }

    /// `from M import *`: the modules as written.
    pub fn star_imports(&self) -> &[String] {
        &self.0.borrow_dependent().star_imports
    }

    /// Whether the module binds `name` at module level (an assignment, a
    /// def, a class, an import).
    pub fn binds(&self, name: &str) -> bool {
        self.0.borrow_dependent().consts.contains_key(name)
    }

    /// The value of module-level `path` (`["IDLE"]`, `["settings",
    /// "ws_idle"]`), its own imports read through `imports`.
    pub fn value(&self, path: &[&str], imports: &dyn Imports, depth: u32) -> Resolved {
        self.0
            .borrow_dependent()
            .scope_with(imports)
            .global(path, depth)
    }

    /// The names the module-level function `name` uses, with those of the
    /// functions of this module it calls or hands on and of its
    /// `Depends(...)` chain (imported links read through `imports`); a
    /// name this module imports is followed there.
    pub fn function_names(&self, name: &str, imports: &dyn Imports, depth: u32) -> Vec<String> {
        if depth > crate::values::MAX_DEPTH {
            return Vec::new();
        }
        let m = self.0.borrow_dependent();
        let Some(&start) = m.module_fns.get(name) else {
            return match m.imports.iter().rev().find(|i| i.local == name) {
                Some(i) => imports.function_names(i, &[name], depth + 1),
                None => Vec::new(),
            };
        };
        let ws = WsCx::default();
        let class_attrs = vec![HashSet::new(); m.classes.len()];
        let mut out: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![start];
        while let Some(f) = stack.pop() {
            if !seen.insert(f) || seen.len() > 64 {
                continue;
            }
            let facts = body::facts(&body::Cx {
                m,
                f,
                ws: &ws,
                class_attrs: &class_attrs,
            });
            out.extend(facts.names.into_iter().map(|n| n.name));
            stack.extend(facts.calls.iter().filter_map(|c| match c.callee {
                Callee::Fn(g) => Some(g),
                _ => None,
            }));
            stack.extend(facts.refs.iter().map(|(g, _)| *g));
            for p in &m.functions[f].params {
                for d in [p.annotation, p.default]
                    .into_iter()
                    .flatten()
                    .flat_map(|n| depends_calls(n, m.src))
                {
                    let Some(target) = Call::of(d, m.src)
                        .and_then(|c| c.arg(0, "dependency"))
                        .map(unparen)
                        .and_then(|t| dotted(t, m.src))
                    else {
                        continue;
                    };
                    let path: Vec<&str> = target.split('.').collect();
                    if let Some(&g) = m.module_fns.get(path[0]) {
                        stack.push(g);
                    } else if let Some(i) = m.imports.iter().rev().find(|i| i.local == path[0]) {
                        out.extend(imports.function_names(i, &path, depth + 1));
                    }
                }
            }
        }
        let mut unique = HashSet::new();
        out.retain(|n| unique.insert(n.clone()));
        out
    }

    /// What running the first of `methods` an instance of the class `name`
    /// of this module has receives (a name it imports is followed there); `place` names this
    /// file in the description.
    pub fn wrapper(
        &self,
        name: &str,
        methods: &[&str],
        imports: &dyn Imports,
        depth: u32,
        place: String,
    ) -> Option<super::Wrapper> {
        if depth > crate::values::MAX_DEPTH {
            return None;
        }
        let m = self.0.borrow_dependent();
        let Some(&c) = m.class_by_name.get(name) else {
            let i = m.imports.iter().rev().find(|i| i.local == name)?;
            return imports.wrapper(i, &[name], methods, depth + 1);
        };
        // Only a class with one of the methods is worth modelling.
        methods.iter().find(|n| m.method(c, n, 0).is_some())?;
        let facts = super::wrappers::module_facts(m);
        let mut w = super::wrappers::wrapper(m, &facts, c, methods)?;
        w.place = Some(place);
        Some(w)
    }

    /// `name = APIRouter(prefix=...)` / `FastAPI()` at module level.
    pub fn router(&self, name: &str, imports: &dyn Imports, depth: u32) -> Option<RouterDecl> {
        let m = self.0.borrow_dependent();
        let Some(Binding::Value(v)) = m.consts.get(name) else {
            return None;
        };
        let call = Call::of(unparen(*v), m.src)?;
        let scope = m.scope_with(imports);
        let eval = |e: tree_sitter::Node<'_>| {
            crate::values::eval(e, m.src, &crate::values::PYTHON, &scope, depth + 1)
        };
        let (app, prefix) = router_ctor(&call, m.src, |p| path_string(p, m.src, &eval))?;
        Some(RouterDecl {
            name: name.to_string(),
            app,
            prefix,
        })
    }
}
