//! The Python side of the project model: what a module's imports point at,
//! and the routes of routers included across modules. The only code that
//! knows about more than one Python module.
//!
//! - Values: [`Link`] is the [`Imports`] hook of one module. An imported
//!   name is found in the module it comes from (relative and absolute
//!   imports, `from . import settings`, `import app.settings as s`,
//!   re-exports through `__init__.py` and `from x import *`, a package's
//!   submodules) and evaluated there, in that module's scope, with the
//!   depth carried on: import cycles end at [`values::MAX_DEPTH`]. Each
//!   module is read and parsed once per run ([`Project::module`]), and only
//!   when a value is asked of it; evaluations are never cached, so results do
//!   not depend on which thread asked first.
//! - Routes: [`link_routes`] joins the routers every modelled module binds
//!   and includes (`app.include_router(jobs.router, prefix="/ws")`,
//!   `parent.include_router(child)`, `app.mount("/v1", sub)`) into full
//!   paths, and says which application each path is served by.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Project;
use crate::lang::python::{
    Import, Imports, Inclusion, ParsedModule, Route, RouterDecl, ServerModel, Wrapper,
};
use crate::values::{self, Resolved};

/// What a Python file must contain for its routes or routers to matter to
/// modules checked elsewhere (it includes routers, or declares websocket
/// routes that may be siblings): scanned for when the run checks only some
/// files. A file that only mentions websockets is not modelled.
pub const FACT_WORDS: &[&str] = &[
    "include_router",
    ".mount(",
    ".websocket(",
    "websocket_route",
    "websocketroute(",
];

/// How many inclusions deep a router's prefixes are followed.
const MAX_INCLUSION_DEPTH: u32 = 8;
/// How many full prefixes one router may have (a router included under
/// several parents, each included under several...).
const MAX_BASES: usize = 64;

/// The imports hook of one module of the project.
pub struct Link<'p> {
    project: &'p Project,
    /// Canonical.
    file: PathBuf,
}

impl<'p> Link<'p> {
    pub fn new(project: &'p Project, file: &Path) -> Link<'p> {
        Link {
            project,
            file: canonical(file),
        }
    }
}

fn canonical(file: &Path) -> PathBuf {
    crate::cache::canonicalize(file).unwrap_or_else(|_| {
        crate::paths::normalize(&std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf()))
    })
}

impl Imports for Link<'_> {
    fn value(&self, import: &Import, path: &[&str], depth: u32) -> Resolved {
        let Some((file, rest)) = target(self.project, &self.file, import, path) else {
            return Resolved::unknown();
        };
        let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
        attribute(self.project, &file, &rest, depth + 1).unwrap_or_else(Resolved::unknown)
    }

    fn function_names(&self, import: &Import, path: &[&str], depth: u32) -> Vec<String> {
        if depth > values::MAX_DEPTH {
            return Vec::new();
        }
        let Some((file, rest)) = self.definition(import, path) else {
            return Vec::new();
        };
        let [name] = rest.as_slice() else {
            return Vec::new();
        };
        let Some(m) = parsed(self.project, &file) else {
            return Vec::new();
        };
        let link = Link {
            project: self.project,
            file,
        };
        m.function_names(name, &link, depth + 1)
    }

    fn wrapper(
        &self,
        import: &Import,
        path: &[&str],
        methods: &[&str],
        depth: u32,
    ) -> Option<Wrapper> {
        if depth > values::MAX_DEPTH {
            return None;
        }
        // `Channel` or a factory of it (`Channel.open`): the class is the
        // first name the module binds.
        let (file, rest) = self.definition(import, path)?;
        let name = rest.first()?;
        let m = parsed(self.project, &file)?;
        let place = self.project.display(&file).display().to_string();
        let link = Link {
            project: self.project,
            file,
        };
        m.wrapper(name, methods, &link, depth + 1, place)
    }
}

impl Link<'_> {
    /// The module file that defines what `path` names through `import`,
    /// and the names to read there: `from . import deps` + `deps.
    /// current_org` is `current_org` in `deps.py` (a submodule of a package
    /// that does not bind the name itself).
    fn definition(&self, import: &Import, path: &[&str]) -> Option<(PathBuf, Vec<String>)> {
        let (mut file, rest) = target(self.project, &self.file, import, path)?;
        let mut rest = rest.as_slice();
        while let [first, more @ ..] = rest
            && !more.is_empty()
        {
            let binds = parsed(self.project, &file).is_some_and(|m| m.binds(first));
            if binds || !is_package(&file) {
                break;
            }
            file = self.project.resolver.python(&file, first, 1)?;
            rest = more;
        }
        Some((file, rest.to_vec()))
    }
}

/// `.settings` -> (1, "settings"); `app.core` -> (0, "app.core").
fn split_module(module: &str) -> (usize, &str) {
    let rest = module.trim_start_matches('.');
    (module.len() - rest.len(), rest)
}

/// The module file `path` (local name first) reaches through `import`,
/// and the attribute path to read there: `from .settings import IDLE` +
/// `["IDLE"]` -> (`settings.py`, `["IDLE"]`); `import app.settings as s`
/// + `["s", "IDLE"]` -> (`app/settings.py`, `["IDLE"]`). `from pkg import
/// sub` in a package without `__init__.py` reaches `pkg/sub.py` directly.
fn target(
    project: &Project,
    from: &Path,
    import: &Import,
    path: &[&str],
) -> Option<(PathBuf, Vec<String>)> {
    let (level, module) = split_module(&import.module);
    let tail = path.iter().skip(1).map(|s| s.to_string());
    match &import.name {
        Some(name) => {
            if let Some(file) = project.resolver.python(from, module, level) {
                let mut rest = vec![name.clone()];
                rest.extend(tail);
                return Some((file, rest));
            }
            let sub = if module.is_empty() {
                name.clone()
            } else {
                format!("{module}.{name}")
            };
            let file = project.resolver.python(from, &sub, level)?;
            Some((file, tail.collect()))
        }
        None => {
            let file = project.resolver.python(from, module, level)?;
            Some((file, tail.collect()))
        }
    }
}

fn parsed(project: &Project, file: &Path) -> Option<Arc<ParsedModule>> {
    project.module(file, ParsedModule::parse)
}

fn is_package(file: &Path) -> bool {
    file.file_name().is_some_and(|n| n == "__init__.py")
}

/// `path` read as attributes of the module in `file`: a name it binds
/// (evaluated there), one of its `import *`, or a submodule of a package.
/// `None` when nothing there binds `path[0]`.
fn attribute(project: &Project, file: &Path, path: &[&str], depth: u32) -> Option<Resolved> {
    if depth > values::MAX_DEPTH {
        return Some(Resolved::unknown());
    }
    // A module object itself has no static value.
    let [first, rest @ ..] = path else {
        return Some(Resolved::unknown());
    };
    let m = parsed(project, file)?;
    if m.binds(first) {
        let link = Link {
            project,
            file: file.to_path_buf(),
        };
        return Some(m.value(path, &link, depth));
    }
    for star in m.star_imports() {
        let (level, module) = split_module(star);
        if let Some(f) = project.resolver.python(file, module, level)
            && let Some(r) = attribute(project, &f, path, depth + 1)
        {
            return Some(r);
        }
    }
    if is_package(file)
        && let Some(sub) = project.resolver.python(file, first, 1)
    {
        return attribute(project, &sub, rest, depth + 1);
    }
    None
}

/// How many lines one import statement may span for [`imports_name`].
const MAX_IMPORT_LINES: usize = 200;

/// Whether the module in `file` may bind `name` through an import (or
/// has an `import *`), told from its bytes without parsing. An unreadable
/// file may (parsing it then says it cannot be read).
fn may_import(project: &Project, file: &Path, name: &str) -> bool {
    match project.read_bytes(file) {
        Ok(bytes) => imports_name(&String::from_utf8_lossy(&bytes), name),
        Err(_) => true,
    }
}

/// Every statement with an `import` word (any indentation, after a `;`,
/// parenthesized or continued with `\` over lines) is looked at for `name`
/// as a word, or `*`. Conservative: a wrong "may" costs a parse, never a
/// miss.
fn imports_name(text: &str, name: &str) -> bool {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if !has_word(line, "import") {
            continue;
        }
        let mut stmt = String::from(line);
        let mut depth = parens(line);
        let mut more = line.trim_end().ends_with('\\');
        let mut n = 0;
        while (depth > 0 || more) && n < MAX_IMPORT_LINES {
            let Some(next) = lines.next() else { break };
            stmt.push(' ');
            stmt.push_str(next);
            depth += parens(next);
            more = next.trim_end().ends_with('\\');
            n += 1;
        }
        if stmt.contains('*') || has_word(&stmt, name) {
            return true;
        }
    }
    false
}

fn parens(line: &str) -> i32 {
    line.bytes()
        .map(|b| match b {
            b'(' => 1,
            b')' => -1,
            _ => 0,
        })
        .sum()
}

/// Whether `word` stands in `s` with no identifier character touching it.
fn has_word(s: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    s.match_indices(word).any(|(i, _)| {
        s[..i].chars().next_back().is_none_or(|c| !ident(c))
            && s[i + word.len()..].chars().next().is_none_or(|c| !ident(c))
    })
}

/// A module-level binding: (canonical file, name).
type Key = (PathBuf, String);

/// An inclusion of a router: into `parent` (`None`: into something that
/// cannot be told), with the `prefix=` given (`None`: not resolvable).
type Edge = (Option<Key>, Option<String>);

/// One way a router's routes are served: `prefix` + the route's path,
/// relative to `root`.
#[derive(Clone, PartialEq)]
struct Base {
    root: String,
    prefix: String,
    complete: bool,
}

/// One modelled module for [`link_routes`].
#[derive(Clone)]
pub struct ModelledModule {
    /// Canonical.
    pub file: PathBuf,
    pub model: Arc<ServerModel>,
    /// Reported on; `false`: read for facts only (a run on a file list).
    pub checked: bool,
}

/// A module with its routes as the whole project serves them.
pub struct LinkedModule {
    pub model: Arc<ServerModel>,
    pub checked: bool,
    /// Per endpoint (as in `model.endpoints`), its routes with full paths.
    pub routes: Vec<Vec<Route>>,
}

/// What the project-level server rules read: every modelled module, in
/// path order.
pub struct ServerProject {
    pub modules: Vec<LinkedModule>,
}

struct Linker<'a> {
    project: &'a Project,
    modules: &'a [ModelledModule],
    by_file: HashMap<&'a Path, usize>,
    /// Each router's inclusions.
    edges: HashMap<Key, Vec<Edge>>,
    /// Some inclusion's router cannot be told (`for r in routers:
    /// app.include_router(r)`): a router included nowhere we can see may
    /// be included there.
    opaque: bool,
    /// Each router's bases, once computed (a router included by many
    /// parents, each included by many, is not walked again per path).
    memo: RefCell<HashMap<Key, Vec<Base>>>,
    /// The routers whose bases are being computed: an inclusion cycle.
    visiting: RefCell<HashSet<Key>>,
}

/// Full route paths across modules: each route declared on a router gets
/// the prefixes of every inclusion chain that serves it, up to the
/// application. A router no module includes is served at its own prefix
/// relative to its module (as one module alone reads it), unless some
/// inclusion cannot be told (then its routes are incomplete); a prefix
/// that cannot be resolved anywhere on the chain leaves the path
/// incomplete, relative to the router below it. Never guessed.
pub fn link_routes(project: &Project, mut modules: Vec<ModelledModule>) -> ServerProject {
    modules.sort_by(|a, b| a.model.source.path.cmp(&b.model.source.path));
    let linked = {
        let mut l = Linker {
            project,
            modules: &modules,
            by_file: modules
                .iter()
                .enumerate()
                .map(|(i, m)| (m.file.as_path(), i))
                .collect(),
            edges: HashMap::new(),
            opaque: false,
            memo: RefCell::new(HashMap::new()),
            visiting: RefCell::new(HashSet::new()),
        };
        // The router each route is declared on: where linking starts.
        let keys: Vec<Vec<Vec<Option<Key>>>> = modules.iter().map(|m| l.route_keys(m)).collect();
        let mut seeds: Vec<Key> = keys.iter().flatten().flatten().flatten().cloned().collect();
        seeds.sort();
        seeds.dedup();
        l.collect_edges(&seeds);
        modules
            .iter()
            .zip(&keys)
            .map(|(m, k)| l.routes_of(m, k))
            .collect::<Vec<_>>()
    };
    ServerProject {
        modules: modules
            .into_iter()
            .zip(linked)
            .map(|(m, routes)| LinkedModule {
                model: m.model,
                checked: m.checked,
                routes,
            })
            .collect(),
    }
}

impl Linker<'_> {
    /// The inclusions that lead to `seeds` (the routers websocket routes
    /// are declared on), and from them on up to the applications: only
    /// those are followed, so the project's other routers cost a look at
    /// their import lines, not a parse.
    fn collect_edges(&mut self, seeds: &[Key]) {
        let mut by_child: HashMap<Key, Vec<(&Path, &Inclusion)>> = HashMap::new();
        for m in self.modules {
            for inc in &m.model.inclusions {
                let first = inc.child.split('.').next().unwrap_or("");
                let imported = m.model.imports.iter().any(|i| i.local == first);
                // A loop variable, a parameter, a router built by a call:
                // any router may be behind it.
                let opaque = !imported
                    && (inc.child.contains('.')
                        || !m.model.routers.iter().any(|r| r.name == inc.child));
                if opaque {
                    self.opaque = true;
                    continue;
                }
                // `None`: imported from outside the project, not ours.
                if let Some(child) = self.resolve(&m.file, &inc.child) {
                    by_child.entry(child).or_default().push((&m.file, inc));
                }
            }
        }
        let mut seen: HashSet<Key> = seeds.iter().cloned().collect();
        let mut queue: Vec<Key> = seeds.to_vec();
        while let Some(key) = queue.pop() {
            let Some(incs) = by_child.get(&key) else {
                continue;
            };
            for (file, inc) in incs {
                let parent = self.resolve(file, &inc.parent);
                if let Some(p) = &parent
                    && seen.insert(p.clone())
                {
                    queue.push(p.clone());
                }
                let e = self.edges.entry(key.clone()).or_default();
                let edge = (parent, inc.prefix.clone());
                if !e.contains(&edge) {
                    e.push(edge);
                }
            }
        }
    }

    /// The binding a dotted name of module `file` stands for, following
    /// imports and re-exports; `None` when it leaves the project or cannot
    /// be told.
    fn resolve(&self, file: &Path, dotted: &str) -> Option<Key> {
        let path: Vec<&str> = dotted.split('.').collect();
        self.locate(file, &path, 0)
    }

    fn locate(&self, file: &Path, path: &[&str], depth: u32) -> Option<Key> {
        if depth > values::MAX_DEPTH {
            return None;
        }
        let [first, rest @ ..] = path else {
            return None;
        };
        // A modelled module answers from its model: no second parse.
        let (import, binds, stars): (Option<Import>, bool, Vec<String>) =
            match self.by_file.get(file) {
                Some(&i) => {
                    let model = &self.modules[i].model;
                    let import = model.imports.iter().rev().find(|i| i.local == *first);
                    let binds = import.is_some()
                        || model.routers.iter().any(|r| r.name == *first)
                        || rest.is_empty();
                    (import.cloned(), binds, Vec::new())
                }
                // A module that imports no `first` (by its bytes) binds it
                // itself, if at all: no parse needed to say where.
                None if !may_import(self.project, file, first) => {
                    (None, !is_package(file) || rest.is_empty(), Vec::new())
                }
                None => {
                    let m = parsed(self.project, file)?;
                    let import = m.imports().iter().rev().find(|i| i.local == *first);
                    (import.cloned(), m.binds(first), m.star_imports().to_vec())
                }
            };
        if let Some(i) = import {
            let (f, rest) = target(self.project, file, &i, path)?;
            let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
            return self.locate(&f, &rest, depth + 1);
        }
        if binds {
            return rest
                .is_empty()
                .then(|| (file.to_path_buf(), first.to_string()));
        }
        for star in &stars {
            let (level, module) = split_module(star);
            if let Some(f) = self.project.resolver.python(file, module, level)
                && let Some(k) = self.locate(&f, path, depth + 1)
            {
                return Some(k);
            }
        }
        if is_package(file) {
            let sub = self.project.resolver.python(file, first, 1)?;
            return self.locate(&sub, rest, depth + 1);
        }
        None
    }

    /// The router or application bound at `key`, if it is one.
    fn decl(&self, key: &Key) -> Option<RouterDecl> {
        match self.by_file.get(key.0.as_path()) {
            Some(&i) => self.modules[i]
                .model
                .routers
                .iter()
                .find(|r| r.name == key.1)
                .cloned(),
            None => {
                let m = parsed(self.project, &key.0)?;
                let link = Link {
                    project: self.project,
                    file: key.0.clone(),
                };
                m.router(&key.1, &link, 0)
            }
        }
    }

    fn display(&self, file: &Path) -> String {
        match self.by_file.get(file) {
            Some(&i) => self.modules[i].model.source.path.display().to_string(),
            None => self.project.display(file).display().to_string(),
        }
    }

    fn key_name(&self, key: &Key) -> String {
        format!("{}:{}", self.display(&key.0), key.1)
    }

    /// Every way the routes of router `key` are served (at most
    /// [`MAX_BASES`]); an inclusion cycle or a chain deeper than
    /// [`MAX_INCLUSION_DEPTH`] leaves the paths relative to the router.
    fn bases(&self, key: &Key, depth: u32) -> Vec<Base> {
        if let Some(b) = self.memo.borrow().get(key) {
            return b.clone();
        }
        if depth > MAX_INCLUSION_DEPTH || self.visiting.borrow().contains(key) {
            let own = self.decl(key).and_then(|d| d.prefix);
            return vec![Base {
                root: self.key_name(key),
                prefix: own.clone().unwrap_or_default(),
                complete: false,
            }];
        }
        self.visiting.borrow_mut().insert(key.clone());
        let out = self.compute_bases(key, depth);
        self.visiting.borrow_mut().remove(key);
        self.memo.borrow_mut().insert(key.clone(), out.clone());
        out
    }

    fn compute_bases(&self, key: &Key, depth: u32) -> Vec<Base> {
        let decl = self.decl(key);
        let Some(own) = decl.as_ref().and_then(|d| d.prefix.clone()) else {
            // Its own prefix is unknown: paths relative to the router.
            return vec![Base {
                root: self.key_name(key),
                prefix: String::new(),
                complete: false,
            }];
        };
        let relative = || Base {
            root: self.key_name(key),
            prefix: own.clone(),
            complete: false,
        };
        let incs = self.edges.get(key).map(Vec::as_slice).unwrap_or(&[]);
        if incs.is_empty() {
            let app = decl.as_ref().is_some_and(|d| d.app);
            if !app && self.opaque {
                return vec![relative()];
            }
            // Served by its module, as that module alone reads it.
            return vec![Base {
                root: self.display(&key.0),
                prefix: own,
                complete: true,
            }];
        }
        let mut out: Vec<Base> = Vec::new();
        for (parent, prefix) in incs {
            let found = match (parent, prefix) {
                (Some(p), Some(pre)) => self
                    .bases(p, depth + 1)
                    .into_iter()
                    .map(|b| Base {
                        root: b.root,
                        prefix: format!("{}{pre}{own}", b.prefix),
                        complete: b.complete,
                    })
                    .collect(),
                _ => vec![relative()],
            };
            for b in found {
                if out.len() < MAX_BASES && !out.contains(&b) {
                    out.push(b);
                }
            }
        }
        out
    }

    /// The router each route of each endpoint of `m` is declared on.
    fn route_keys(&self, m: &ModelledModule) -> Vec<Vec<Option<Key>>> {
        m.model
            .endpoints
            .iter()
            .map(|e| {
                e.routes
                    .iter()
                    .map(|r| self.resolve(&m.file, &r.declared.as_ref()?.router))
                    .collect()
            })
            .collect()
    }

    /// The routes of each endpoint of `m` as the project serves them;
    /// `keys` as [`Linker::route_keys`] gives them.
    fn routes_of(&self, m: &ModelledModule, keys: &[Vec<Option<Key>>]) -> Vec<Vec<Route>> {
        let shown = m.model.source.path.display().to_string();
        m.model
            .endpoints
            .iter()
            .zip(keys)
            .map(|(e, keys)| {
                let mut out: Vec<Route> = Vec::new();
                for (r, key) in e.routes.iter().zip(keys) {
                    let key = r.declared.as_ref().zip(key.clone());
                    let linked: Vec<Route> = match key {
                        Some((d, key)) => self
                            .bases(&key, 0)
                            .into_iter()
                            .map(|b| Route {
                                path: crate::lang::python::join_path(&b.prefix, &d.path),
                                span: r.span,
                                complete: b.complete,
                                root: b.root,
                                declared: r.declared.clone(),
                            })
                            .collect(),
                        // As the module alone reads it, rooted in it.
                        None => vec![Route {
                            root: if r.root.is_empty() {
                                shown.clone()
                            } else {
                                format!("{shown}:{}", r.root)
                            },
                            ..r.clone()
                        }],
                    };
                    for l in linked {
                        if !out
                            .iter()
                            .any(|o| o.path == l.path && o.root == l.root && o.span == l.span)
                        {
                            out.push(l);
                        }
                    }
                }
                out
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::python::{ServerModel, TimeoutValue, build};
    use crate::project::WalkOptions;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let (dir, root) = crate::project::temp_tree(files);
        let p = Project::new(
            &root,
            std::slice::from_ref(&root),
            WalkOptions {
                respect_gitignore: false,
                exclude: ignore::gitignore::Gitignore::empty(),
                exclude_root: root.to_path_buf(),
                threads: 1,
                max_size: crate::settings::DEFAULT_MAX_SIZE,
                overlay: Default::default(),
            },
        );
        (dir, p)
    }

    fn model(p: &Project, rel: &str) -> ServerModel {
        let file = p.root.join(rel);
        let source = p.read(&file).unwrap();
        build(&source, Some(&Link::new(p, &file))).unwrap()
    }

    /// The timeouts of `rel`'s receives, in order.
    fn timeouts(p: &Project, rel: &str) -> Vec<Option<f64>> {
        model(p, rel)
            .receives
            .iter()
            .map(|r| match r.timeout.as_ref().map(|t| &t.value) {
                Some(TimeoutValue::Seconds(s)) => Some(*s),
                _ => None,
            })
            .collect()
    }

    /// An endpoint receiving with each timeout expression in turn.
    fn endpoint(imports: &str, timeouts: &[&str]) -> String {
        let mut s = format!(
            "import asyncio\nfrom fastapi import FastAPI, WebSocket\n{imports}\napp = FastAPI()\n\n@app.websocket('/ws')\nasync def ws(websocket: WebSocket):\n    await websocket.accept()\n    while True:\n        try:\n"
        );
        for t in timeouts {
            s.push_str(&format!(
                "            await asyncio.wait_for(websocket.receive_text(), timeout={t})\n"
            ));
        }
        s.push_str(
            "        except asyncio.TimeoutError:\n            await websocket.send_json({})\n",
        );
        s
    }

    #[test]
    fn import_lines_are_read_for_a_name() {
        let yes = [
            "from .jobs import router\n",
            "from .jobs import (\n    other,\n    router as r,\n)\n",
            "from .jobs import other, \\\n    router\n",
            "x = 1; from .jobs import router\n",
            "if TYPE_CHECKING:\n    import router\n",
            "from .jobs import *\n",
        ];
        for t in yes {
            assert!(imports_name(t, "router"), "{t:?}");
        }
        let no = [
            "from polar.kit.routing import APIRouter\nrouter = APIRouter()\n",
            "import routers\nfrom x import my_router\n",
            "router = make()\n",
        ];
        for t in no {
            assert!(!imports_name(t, "router"), "{t:?}");
        }
    }

    #[test]
    fn module_names_split_into_level_and_path() {
        assert_eq!(split_module(".settings"), (1, "settings"));
        assert_eq!(split_module(".."), (2, ""));
        assert_eq!(split_module("app.core"), (0, "app.core"));
    }

    #[test]
    fn imported_values_in_every_shape() {
        let ws = endpoint(
            "from .settings import IDLE_TIMEOUT\nfrom app.settings import OTHER as Y\nimport app.settings as s\nfrom . import settings\nfrom app import IDLE\nimport app.settings\nfrom .core.config import settings as conf\nfrom .stars import STAR\nfrom vendor.lib import T\nfrom .settings import MISSING",
            &[
                "IDLE_TIMEOUT",
                "Y",
                "s.IDLE_TIMEOUT",
                "settings.IDLE_TIMEOUT",
                "IDLE",
                "app.settings.OTHER",
                "conf.ws_idle",
                "STAR",
                "T",
                "MISSING",
            ],
        );
        let (_d, p) = project(&[
            ("app/__init__.py", "from .config import IDLE\n"),
            ("app/config.py", "IDLE = 12\n"),
            (
                "app/settings.py",
                "IDLE_TIMEOUT = 30\nOTHER = IDLE_TIMEOUT // 2\n",
            ),
            ("app/core/__init__.py", ""),
            (
                "app/core/config.py",
                "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    ws_idle: float = 25.0\n\nsettings = Settings()\n",
            ),
            (
                "app/stars.py",
                "from .settings import *\nSTAR = IDLE_TIMEOUT + 1\n",
            ),
            ("app/ws.py", &ws),
        ]);
        assert_eq!(
            timeouts(&p, "app/ws.py"),
            vec![
                Some(30.0),
                Some(15.0),
                Some(30.0),
                Some(30.0),
                Some(12.0),
                Some(15.0),
                Some(25.0),
                Some(31.0),
                None,
                None
            ]
        );
        let m = model(&p, "app/ws.py");
        let origin = |i: usize| {
            let o = m.receives[i]
                .timeout
                .as_ref()
                .unwrap()
                .origin
                .clone()
                .unwrap();
            (
                o.file
                    .path
                    .strip_prefix(&p.root)
                    .unwrap()
                    .display()
                    .to_string(),
                o.file.line_col(o.span.start).line,
                o.name,
            )
        };
        assert_eq!(
            origin(0),
            ("app/settings.py".into(), 1, "IDLE_TIMEOUT".into())
        );
        assert_eq!(
            origin(6),
            ("app/core/config.py".into(), 4, "settings.ws_idle".into())
        );
    }

    #[test]
    fn imported_settings_class_and_its_bases() {
        let ws = endpoint(
            "from .config import Settings, Child\nsettings = Settings()\nchild = Child(ws_idle=8)\nother = Child()",
            &["settings.ws_idle", "child.ws_idle", "other.ws_idle"],
        );
        let (_d, p) = project(&[
            ("app/__init__.py", ""),
            ("app/base.py", "class Base:\n    ws_idle = 22\n"),
            (
                "app/config.py",
                "from .base import Base\n\nclass Settings(Base):\n    pass\n\nclass Child(Settings):\n    pass\n",
            ),
            ("app/ws.py", &ws),
        ]);
        assert_eq!(
            timeouts(&p, "app/ws.py"),
            vec![Some(22.0), Some(8.0), Some(22.0)]
        );
    }

    #[test]
    fn import_cycles_end() {
        let ws = endpoint("from .a import X", &["X"]);
        let (_d, p) = project(&[
            ("app/__init__.py", ""),
            ("app/a.py", "from .b import Y\nX = Y + Y\n"),
            ("app/b.py", "from .a import X\nY = X + X\n"),
            ("app/ws.py", &ws),
        ]);
        assert_eq!(timeouts(&p, "app/ws.py"), vec![None]);
        assert_eq!(p.modules_read(), 2);
    }

    #[test]
    fn only_imported_modules_are_read() {
        let ws = endpoint("from .settings import T\nfrom .other import U", &["T"]);
        let (_d, p) = project(&[
            ("app/__init__.py", ""),
            ("app/settings.py", "T = 10\n"),
            ("app/other.py", "U = 1\n"),
            ("app/unrelated.py", "V = 1\n"),
            ("app/ws.py", &ws),
        ]);
        assert_eq!(timeouts(&p, "app/ws.py"), vec![Some(10.0)]);
        assert_eq!(p.modules_read(), 1, "only settings.py: nothing reads U");
    }

    fn linked(p: &Project, rels: &[&str]) -> Vec<(String, Vec<(String, bool)>)> {
        let modules = rels
            .iter()
            .map(|r| {
                let file = p.root.join(r);
                ModelledModule {
                    model: Arc::new(model(p, r)),
                    file,
                    checked: true,
                }
            })
            .collect();
        let sp = link_routes(p, modules);
        let mut out = Vec::new();
        for m in &sp.modules {
            for (e, routes) in m.model.endpoints.iter().zip(&m.routes) {
                out.push((
                    e.name.clone(),
                    routes
                        .iter()
                        .map(|r| (r.path.clone(), r.complete))
                        .collect(),
                ));
            }
        }
        out
    }

    const JOBS: &str = "from fastapi import APIRouter, WebSocket\nrouter = APIRouter(prefix='/jobs')\n\n@router.websocket('')\nasync def jobs(websocket: WebSocket): ...\n\n@router.websocket('/{job_id}')\nasync def job(websocket: WebSocket, job_id: str): ...\n";

    #[test]
    fn routers_included_across_modules() {
        let (_d, p) = project(&[
            ("app/__init__.py", ""),
            (
                "app/routes/__init__.py",
                "from .jobs import router as jobs_router\n",
            ),
            ("app/routes/jobs.py", JOBS),
            (
                "app/api.py",
                "from fastapi import APIRouter\nfrom .routes import jobs_router\nfrom .settings import settings\napi = APIRouter()\napi.include_router(jobs_router, prefix=f'{settings.WS}/x')\n",
            ),
            (
                "app/settings.py",
                "class S:\n    WS = '/ws'\nsettings = S()\n",
            ),
            (
                "app/main.py",
                "from fastapi import FastAPI\nfrom app import api\napp = FastAPI()\napp.include_router(api.api, prefix='/v1')\n",
            ),
        ]);
        let got = linked(&p, &["app/routes/jobs.py", "app/api.py", "app/main.py"]);
        assert_eq!(
            got,
            vec![
                ("jobs".into(), vec![("/v1/ws/x/jobs".into(), true)]),
                ("job".into(), vec![("/v1/ws/x/jobs/{job_id}".into(), true)]),
            ]
        );
    }

    #[test]
    fn unknown_prefixes_and_opaque_inclusions_stay_incomplete() {
        for main in [
            // A prefix read from the environment.
            "from fastapi import FastAPI\nfrom . import jobs\nimport os\napp = FastAPI()\napp.include_router(jobs.router, prefix=os.environ['P'])\n",
            // Routers included through a loop: any may be behind `r`.
            "from fastapi import FastAPI\napp = FastAPI()\ndef setup(routers):\n    for r in routers:\n        app.include_router(r)\n",
        ] {
            let (_d, p) = project(&[
                ("app/__init__.py", ""),
                ("app/jobs.py", JOBS),
                ("app/main.py", main),
            ]);
            let got = linked(&p, &["app/jobs.py", "app/main.py"]);
            assert_eq!(got[0].1, vec![("/jobs".to_string(), false)], "{main}");
            let alone = linked(&p, &["app/jobs.py"]);
            assert_eq!(alone[0].1, vec![("/jobs".to_string(), true)]);
        }
    }

    #[test]
    fn inclusion_fan_out_and_cycles_stay_cheap() {
        // 8 levels of 12 routers, each including all 12 of the level
        // below: 12^8 inclusion paths, walked once per router.
        let mut files: Vec<(String, String)> = vec![("app/__init__.py".into(), String::new())];
        for k in 0..8 {
            let mut t = String::from("from fastapi import APIRouter\n");
            if k > 0 {
                t.push_str(&format!("from . import l{}\n", k - 1));
            }
            for i in 0..12 {
                t.push_str(&format!("r{i} = APIRouter(prefix='/l{k}r{i}')\n"));
            }
            if k > 0 {
                for i in 0..12 {
                    for j in 0..12 {
                        t.push_str(&format!("r{i}.include_router(l{}.r{j})\n", k - 1));
                    }
                }
            }
            files.push((format!("app/l{k}.py"), t));
        }
        files.push((
            "app/ws.py".into(),
            "from fastapi import APIRouter, WebSocket\nfrom .l0 import r0\nloop = APIRouter()\nloop.include_router(loop, prefix='/again')\n\n@r0.websocket('/jobs')\nasync def a(websocket: WebSocket): ...\n\n@loop.websocket('/x')\nasync def b(websocket: WebSocket): ...\n".into(),
        ));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (_d, p) = project(&refs);
        let mut rels: Vec<String> = (0..8).map(|k| format!("app/l{k}.py")).collect();
        rels.push("app/ws.py".into());
        let rels: Vec<&str> = rels.iter().map(String::as_str).collect();
        let got = linked(&p, &rels);
        let a = &got.iter().find(|(n, _)| n == "a").unwrap().1;
        assert!(!a.is_empty() && a.len() <= MAX_BASES, "{}", a.len());
        assert!(a[0].0.starts_with("/l7r0/l6r0/"), "{:?}", a[0]);
        let b = &got.iter().find(|(n, _)| n == "b").unwrap().1;
        // A router included in itself: relative to itself, never complete.
        assert_eq!(b, &vec![("/again/x".to_string(), false)]);
    }
}
