//! A module read because another one imports from it: its syntax tree and
//! what it defines (the same [`Module`] index a checked module gets), kept
//! together so the project can cache it once per run and evaluate in it as
//! often as importers ask. Nothing is evaluated when it is parsed.

use tree_sitter::Tree;

use super::routes::{path_string, router_ctor};
use super::symbols::{Binding, Module};
use super::syntax::{Call, unparen};
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
