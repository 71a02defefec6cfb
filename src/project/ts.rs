//! TypeScript/JavaScript across modules: the values a module imports.
//!
//! [`ProjectImports`] is the [`ImportResolver`] of a checked module: an
//! imported name is found by resolving the specifier ([`Resolver::ts`]:
//! relative paths, `index` files, tsconfig/jsconfig `baseUrl` and `paths`),
//! reading and parsing the target once per run ([`Project::module`] caches
//! the tree with its index), and following what the target exports:
//!
//! - `export const/let/var/function/class/enum`, `export { a as b }`,
//!   `export default NAME`, `export default <expression>`;
//! - `export { X } from`, `export { default as X } from`, `export * as ns
//!   from`, and `export * from` (each target in order, the first that
//!   exports the name wins);
//! - a name imported and exported again (`import { X } from './a'; export
//!   { X }`), and namespace imports (`import * as cfg`, read as
//!   `cfg.WS.HEARTBEAT_MS`);
//! - CommonJS: `module.exports = { ... }`, `module.exports.X = ...`,
//!   `exports.X = ...` at module level, read by `require('./m')` (as a
//!   namespace), `const { X } = require('./m')`, `require('./m').X`, and by
//!   ES imports of such a module (its `module.exports` is the default
//!   export, its properties the named ones).
//!
//! The binding found is evaluated in its own module's scope, with a resolver
//! for that module, so the value's origin (the "value defined here" label)
//! is in the file that defines it, and that module's own imports resolve
//! from where it is. Every hop adds to the evaluator's depth, so import
//! cycles end at [`values::MAX_DEPTH`]; re-export chains remember the
//! (module, name) pairs they visited, so `export *` cycles end at once.
//! Only parses are cached: values are evaluated again for each use, so no
//! result depends on which thread got somewhere first.
//!
//! What cannot be found (a package in `node_modules`, an alias no tsconfig
//! declares, a `.json` module, a dynamic `require`) is unknown, never a
//! guess.

use crate::lang::kind::Kind;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use self_cell::self_cell;
use tree_sitter::Tree;

use crate::discover::{Candidate, DetectedOrd};
use crate::lang::ts::index::Index;
use crate::lang::ts::scope::{ImportResolver, ModuleScope};
use crate::lang::ts::{self as client, ClientModel};
use crate::lang::{self, Detected, Lang};
use crate::source::Source;
use crate::values::{self, Resolved, member_path};

use super::Project;

/// A module's text with its tree.
pub struct Parsed {
    pub source: Source,
    pub lang: Lang,
    pub tree: Tree,
}

type Ix<'a> = Index<'a>;

self_cell!(
    /// One TypeScript/JavaScript module read and parsed for the names it
    /// exports: the tree and its index, cached once per run in [`Project`].
    pub struct TsModule {
        owner: Parsed,
        #[covariant]
        dependent: Ix,
    }
);

impl TsModule {
    fn parse(source: Source, lang: Lang) -> Option<TsModule> {
        let tree = client::parse(&source.text, lang)?;
        Some(TsModule::new(Parsed { source, lang, tree }, |p| {
            Index::build(&p.tree, &p.source.text)
        }))
    }
}

/// The grammar a module path is parsed with, if it is TypeScript or
/// JavaScript.
fn ts_lang(path: &Path) -> Option<Lang> {
    match lang::detect(path)? {
        Detected::Known(l) if l.is_client() => Some(l),
        _ => None,
    }
}

/// How many (module, name) steps one chase through re-exports may take.
const MAX_HOPS: usize = 256;

/// The files a run checks, for telling whether a module that defines an
/// imported value is checked in the same run.
pub struct CheckedFiles<'a> {
    candidates: &'a [Candidate],
    /// The TypeScript/JavaScript candidates by file name, built on the
    /// first lookup: a run with no imports never pays for it.
    /// (Owned keys and indexes: a borrow here would make the struct
    /// invariant in `'a`.)
    by_name: std::sync::OnceLock<HashMap<std::ffi::OsString, Vec<usize>>>,
}

impl<'a> CheckedFiles<'a> {
    pub fn new(candidates: &'a [Candidate]) -> Self {
        CheckedFiles {
            candidates,
            by_name: std::sync::OnceLock::new(),
        }
    }

    /// Whether the TypeScript/JavaScript file at `path` (as shown, or
    /// absolute) is among the files the run checks. Only candidates with
    /// the same file name are compared (discovery does not follow links).
    pub fn contains(&self, path: &Path) -> bool {
        let answer = self.lookup(path);
        crate::cache::touch::checked_answer(path, answer);
        answer
    }

    fn lookup(&self, path: &Path) -> bool {
        let Ok(target) = crate::cache::canonicalize(path) else {
            return false;
        };
        let Some(name) = target.file_name() else {
            return false;
        };
        let by_name = self.by_name.get_or_init(|| {
            let mut map: HashMap<std::ffi::OsString, Vec<usize>> = HashMap::new();
            for (i, c) in self.candidates.iter().enumerate() {
                if matches!(c.detected, DetectedOrd::Known(l) if l.is_client())
                    && let Some(n) = c.path.file_name()
                {
                    map.entry(n.to_owned()).or_default().push(i);
                }
            }
            map
        });
        by_name
            .get(name)
            .is_some_and(|found| found.iter().any(|&i| self.candidates[i].abs == target))
    }
}

/// Resolves the imports of one module through the project.
pub struct ProjectImports<'p> {
    project: &'p Project,
    /// Canonical path of the importing module.
    from: PathBuf,
    checked: &'p CheckedFiles<'p>,
}

impl<'p> ProjectImports<'p> {
    /// The resolver for the module at `from` (canonical).
    pub fn new(project: &'p Project, from: PathBuf, checked: &'p CheckedFiles<'p>) -> Self {
        ProjectImports {
            project,
            from,
            checked,
        }
    }

    /// The answer `at` gives about the export `imported` of `module`: its
    /// module-level binding, or the default export's expression; names
    /// imported and exported again, and re-exports, are followed.
    fn in_export<R>(
        &self,
        module: &str,
        imported: &str,
        depth: u32,
        at: &dyn Fn(&Index<'_>, ExportedAs<'_, '_>) -> Option<R>,
    ) -> Option<R> {
        if depth > values::MAX_DEPTH {
            return None;
        }
        let target = self.target(module)?;
        let lang = ts_lang(&target)?;
        let parsed = self
            .project
            .module::<TsModule>(&target, |source| TsModule::parse(source, lang))?;
        let ix = parsed.borrow_dependent();
        let here = self.for_module(&target);
        if let Some((_, local)) = ix.exports.iter().find(|(e, _)| e == imported) {
            let b = ix.module_binding(local)?;
            if let Some((m, i)) = &b.import {
                return here.in_export(m, i, depth + 1, at);
            }
            at(ix, ExportedAs::Binding(b))
        } else if imported == "default"
            && let Some(v) = ix.default_export
        {
            at(ix, ExportedAs::Default(v))
        } else if let Some(r) = ix.reexports.iter().find(|r| r.name == imported) {
            here.in_export(&r.module, &r.imported, depth + 1, at)
        } else {
            None
        }
    }

    fn for_module(&self, from: &Path) -> ProjectImports<'p> {
        ProjectImports {
            project: self.project,
            from: from.to_path_buf(),
            checked: self.checked,
        }
    }

    /// The canonical file `specifier` names from this module.
    fn target(&self, specifier: &str) -> Option<PathBuf> {
        let p = self.project.resolver.ts(&self.from, specifier)?;
        ts_lang(&p)?;
        Some(crate::cache::canonicalize(&p).unwrap_or(p))
    }

    /// The value of `path` under `name` exported by the module at `target`.
    /// `None` when that module does not export the name (so an `export *`
    /// search goes on); `Some(unknown)` when it does but the value is not
    /// known.
    fn export_in(
        &self,
        target: &Path,
        name: &str,
        path: &[&str],
        depth: u32,
        seen: &mut Vec<(PathBuf, String)>,
    ) -> Option<Resolved> {
        if depth > values::MAX_DEPTH || seen.len() >= MAX_HOPS {
            return Some(Resolved::unknown());
        }
        let key = (target.to_path_buf(), name.to_string());
        if seen.contains(&key) {
            return None;
        }
        seen.push(key);
        let lang = ts_lang(target)?;
        let module = self
            .project
            .module::<TsModule>(target, |source| TsModule::parse(source, lang))?;
        let ix = module.borrow_dependent();
        let here = self.for_module(target);
        let scope = ModuleScope {
            ix,
            file: &module.borrow_owner().source,
            imports: &here,
        };
        if name == "*" {
            // A namespace: the first element of the path is the name.
            let [first, rest @ ..] = path else {
                return Some(Resolved::unknown());
            };
            return Some(
                self.export_in(target, first, rest, depth + 1, seen)
                    .unwrap_or_else(Resolved::unknown),
            );
        }
        if let Some((_, local)) = ix.exports.iter().find(|(e, _)| e == name) {
            return Some(
                scope
                    .exported(local, path, depth + 1)
                    .unwrap_or_else(Resolved::unknown),
            );
        }
        if name == "default"
            && let Some(v) = ix.default_export
        {
            return Some(scope.value_at(v, path, "the default export", depth + 1));
        }
        if let Some(r) = ix.reexports.iter().find(|r| r.name == name) {
            let Some(t) = here.target(&r.module) else {
                return Some(Resolved::unknown());
            };
            return Some(
                here.export_in(&t, &r.imported, path, depth + 1, seen)
                    .unwrap_or_else(Resolved::unknown),
            );
        }
        if let Some(r) = commonjs(ix, &scope, name, path, depth + 1) {
            return Some(r);
        }
        if name == "default" {
            // `export *` does not re-export a default.
            return None;
        }
        for spec in &ix.star_exports {
            let Some(t) = here.target(spec) else {
                continue;
            };
            if let Some(r) = here.export_in(&t, name, path, depth + 1, seen) {
                return Some(r);
            }
        }
        None
    }
}

/// What a CommonJS module exports under `name`: `exports.NAME = ...`,
/// `module.exports.NAME = ...`, a property of `module.exports = { ... }`
/// (`default` is the whole object). Module-level assignments only.
fn commonjs(
    ix: &Index<'_>,
    scope: &ModuleScope<'_, '_>,
    name: &str,
    path: &[&str],
    depth: u32,
) -> Option<Resolved> {
    let mut whole = None;
    let mut named = None;
    for a in ix.assignments.iter().filter(|a| a.func.is_none()) {
        let (Some(left), Some(right)) = (a.node.field("left"), a.node.field("right")) else {
            continue;
        };
        let Some(target) = member_path(left, ix.src, &values::TYPESCRIPT) else {
            continue;
        };
        match target
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["module", "exports"] => whole = Some(right),
            ["module", "exports", n] | ["exports", n] if *n == name => named = Some(right),
            _ => {}
        }
    }
    let shown = |keys: &[&str]| keys.join(".");
    if name == "default" && whole.is_none() {
        // The default import of a module that only assigns `exports.X`
        // is its exports object: `codes.X` reads `exports.X`.
        let [first, rest @ ..] = path else {
            return None;
        };
        return commonjs(ix, scope, first, rest, depth);
    }
    if let Some(v) = named {
        let mut full = vec![name];
        full.extend_from_slice(path);
        return Some(scope.value_at(v, path, &shown(&full), depth));
    }
    let v = whole?;
    if name == "default" {
        let mut full = vec!["module.exports"];
        full.extend_from_slice(path);
        return Some(scope.value_at(v, path, &shown(&full), depth));
    }
    let mut full = vec![name];
    full.extend_from_slice(path);
    Some(scope.value_at(v, &full, &shown(&full), depth))
}

impl ImportResolver for ProjectImports<'_> {
    fn resolve(&self, module: &str, imported: &str, path: &[&str], depth: u32) -> Resolved {
        if depth > values::MAX_DEPTH {
            return Resolved::unknown();
        }
        let Some(target) = self.target(module) else {
            return Resolved::unknown();
        };
        let mut seen = Vec::new();
        self.export_in(&target, imported, path, depth, &mut seen)
            .unwrap_or_else(Resolved::unknown)
    }

    fn calls_param(&self, module: &str, imported: &str, index: usize, depth: u32) -> Option<bool> {
        self.in_export(module, imported, depth, &|ix, export| {
            let f = match export {
                ExportedAs::Binding(b) => ix.binding_fn(b)?,
                ExportedAs::Default(v) => ix.resolve_fn_ref(v, None)?,
            };
            param_used(ix, f, index)
        })
    }

    fn returns_constant(
        &self,
        module: &str,
        imported: &str,
        path: &[&str],
        depth: u32,
    ) -> Option<values::Value> {
        self.in_export(module, imported, depth, &|ix, export| {
            let value = match export {
                ExportedAs::Binding(b) => b.value?,
                ExportedAs::Default(v) => v,
            };
            // Down the object literal to the function.
            let mut n = client::index::unwrap(value);
            for key in path {
                if n.k() != "object" {
                    return None;
                }
                let p = client::scope::property(n, key, ix.src)?;
                n = match p.k() {
                    "pair" => client::index::unwrap(p.field("value")?),
                    "method_definition" => p,
                    _ => return None,
                };
            }
            if !client::index::is_function(n.k()) {
                return None;
            }
            client::scope::constant_return(n, ix.src)
        })
    }

    fn is_checked(&self, file: &Source) -> bool {
        let Some(lang) = ts_lang(&file.path) else {
            return false;
        };
        // The in-memory test first; the lookup costs path resolution.
        lang::prefilter(lang, file.text.as_bytes()) && self.checked.contains(&file.path)
    }
}

/// What an export is, for [`ProjectImports::in_export`].
enum ExportedAs<'a, 't> {
    Binding(&'a client::index::Binding<'t>),
    Default(tree_sitter::Node<'t>),
}

/// Whether function `f` uses its parameter `index` for anything but
/// logging: calls it, schedules it, passes it on, keeps it. `None` when the
/// parameter is not a plain name or the body is too large to read.
fn param_used(ix: &Index<'_>, f: client::index::FnId, index: usize) -> Option<bool> {
    let info = &ix.functions[f];
    let p = client::index::param_pattern(*info.params.get(index)?);
    if p.k() != "identifier" {
        return None;
    }
    let name = ix.text(p);
    let body = info.body?;
    let mut used = false;
    let complete = client::index::visit_bounded(body, 8192, |n| {
        if used {
            return false;
        }
        if n.k() == "identifier" && ix.text(n) == name {
            // `console.log("retry", connect)` only shows it.
            let logged = n
                .parent()
                .filter(|a| a.k() == "arguments")
                .and_then(|a| a.parent())
                .and_then(|c| c.field("function"))
                .is_some_and(|c| ix.text(c).starts_with("console."));
            used = !logged;
            return false;
        }
        true
    });
    (used || complete).then_some(used)
}

/// The client model of a checked module (`abs` canonical, `source` read as
/// the run reads it), its imports resolved through the project. When
/// another module already imported from it, the cached parse is reused.
pub fn build(
    project: &Project,
    checked: &CheckedFiles<'_>,
    abs: &Path,
    source: &Source,
    lang: Lang,
) -> Option<ClientModel> {
    let imports = ProjectImports::new(project, abs.to_path_buf(), checked);
    if let Some(m) = project.cached::<TsModule>(abs) {
        let parsed = m.borrow_owner();
        if parsed.lang == lang && parsed.source.text == source.text {
            return client::build_indexed(source, lang, m.borrow_dependent(), &imports);
        }
    }
    client::build_with(source, lang, &imports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Value;
    use std::sync::Arc;

    /// A project of `files` in a temporary folder.
    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
        crate::project::temp_tree(files)
    }

    fn new_project(root: &Path) -> Project {
        Project::new(
            root,
            &[root.to_path_buf()],
            super::super::WalkOptions {
                respect_gitignore: false,
                exclude: ignore::gitignore::Gitignore::empty(),
                exclude_root: root.to_path_buf(),
                threads: 1,
                max_size: crate::settings::DEFAULT_MAX_SIZE,
                overlay: Default::default(),
            },
        )
    }

    /// The periods of the heartbeats of `file`, with the file and text of
    /// each period's origin.
    fn periods(root: &Path, file: &str) -> Vec<(Value, Option<(String, String)>)> {
        let project = new_project(root);
        let checked = CheckedFiles::new(&[]);
        let abs = root.join(file);
        let source = project.read(&abs).unwrap();
        let lang = ts_lang(&abs).unwrap();
        let model = build(&project, &checked, &abs, &source, lang).expect("a model");
        model
            .heartbeats
            .iter()
            .map(|h| {
                let o = h.period.origin.as_ref().map(|o| {
                    (
                        o.file
                            .path
                            .file_name()
                            .unwrap()
                            .to_string_lossy()
                            .to_string(),
                        o.file.text[o.span.start..o.span.end].to_string(),
                    )
                });
                (h.period.value.clone(), o)
            })
            .collect()
    }

    const SOCKET: &str = "const ws = new WebSocket(u);\nsetInterval(() => ws.send('p'), PERIOD);\n";

    fn socket(import: &str, period: &str) -> String {
        format!("{import}\n{}", SOCKET.replace("PERIOD", period))
    }

    #[test]
    fn re_exports_two_away() {
        let (_t, root) = project(&[
            (
                "src/config/timing.ts",
                "export const S = 1_000;\nexport const HB = 30 * S;\n",
            ),
            ("src/config/index.ts", "export * from './timing';\n"),
            ("src/lib/index.ts", "export { HB } from '../config';\n"),
            ("src/sock.ts", &socket("import { HB } from './lib';", "HB")),
        ]);
        assert_eq!(
            periods(&root, "src/sock.ts"),
            [(
                Value::Number(30_000.0),
                Some(("timing.ts".into(), "30 * S".into()))
            )]
        );
        // What WS303 reads: the period, the site here, the origin there.
        let project = new_project(&root);
        let checked = CheckedFiles::new(&[]);
        let abs = root.join("src/sock.ts");
        let source = project.read(&abs).unwrap();
        let model = build(&project, &checked, &abs, &source, Lang::TypeScript).unwrap();
        let p = model.heartbeat_periods();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].ms, 30_000.0);
        assert_eq!(&source.text[p[0].site.start..p[0].site.end], "HB");
        let o = p[0].origin.unwrap();
        assert_eq!(
            o.file.path,
            project.display(&root.join("src/config/timing.ts"))
        );
        assert_eq!(o.name, "HB");
    }

    fn n(x: f64) -> Value {
        Value::Number(x)
    }

    /// The period of the single heartbeat of `sock.ts`, whose import line
    /// and period expression are given, next to `files`.
    fn period_of(files: &[(&str, &str)], import: &str, period: &str) -> Value {
        let sock = socket(import, period);
        let mut all: Vec<(&str, &str)> = files.to_vec();
        all.push(("sock.ts", &sock));
        let (_t, root) = project(&all);
        let p = periods(&root, "sock.ts");
        assert_eq!(p.len(), 1, "one heartbeat");
        p[0].0.clone()
    }

    /// `(import, period, value)`: the period of `sock.ts` with that import.
    fn check(files: &[(&str, &str)], cases: &[(&str, &str, Value)]) {
        for (import, period, want) in cases {
            assert_eq!(&period_of(files, import, period), want, "{import} {period}");
        }
    }

    #[test]
    fn named_default_renamed_and_namespace_imports() {
        let cfg = (
            "config.ts",
            "export const HB = 25_000;\nconst LOCAL = 26_000;\nexport { LOCAL as RENAMED };\nexport default 27_000;\nexport const WS = { ping: { ms: 28_000 } } as const;\nexport enum Timing { Fast = 5_000, Slow = 29_000 }\n",
        );
        check(
            &[cfg],
            &[
                ("import { HB } from './config';", "HB", n(25_000.0)),
                ("import { HB as X } from './config.js';", "X", n(25_000.0)),
                (
                    "import { RENAMED } from './config';",
                    "RENAMED",
                    n(26_000.0),
                ),
                ("import hb from './config';", "hb", n(27_000.0)),
                (
                    "import * as cfg from './config';",
                    "cfg.WS.ping.ms",
                    n(28_000.0),
                ),
                ("import { WS } from './config';", "WS.ping.ms", n(28_000.0)),
                (
                    "import { Timing } from './config';",
                    "Timing.Slow",
                    n(29_000.0),
                ),
                ("import * as cfg from './config';", "cfg", Value::Unknown),
                ("import { NOPE } from './config';", "NOPE", Value::Unknown),
            ],
        );
        // Through local constants and objects of the importing module; a
        // default applies where the object lacks the key.
        check(
            &[cfg],
            &[
                (
                    "import { WS, HB } from './config';\nconst C = { ws: WS, hb: HB };",
                    "C.ws.ping.ms + C.hb",
                    n(53_000.0),
                ),
                (
                    "import { WS } from './config';\nconst { ms = 1 } = WS.ping;",
                    "ms",
                    n(28_000.0),
                ),
                (
                    "import { WS } from './config';\nconst { nope = 1_000 } = WS;",
                    "nope",
                    n(1_000.0),
                ),
            ],
        );
    }

    #[test]
    fn re_export_forms() {
        let base = (
            "base.ts",
            "export const A = 21_000;\nexport default 22_000;\n",
        );
        let files = [
            base,
            ("other.ts", "export const B = 23_000;\n"),
            (
                "barrel.ts",
                "export { default as D } from './base';\nexport * as ns from './other';\nexport * from './nothing-here';\nexport * from './base';\nimport { B } from './other';\nexport { B as B2 };\nexport default B;\n",
            ),
        ];
        check(
            &files,
            &[
                ("import { A } from './barrel';", "A", n(21_000.0)),
                ("import { D } from './barrel';", "D", n(22_000.0)),
                ("import { ns } from './barrel';", "ns.B", n(23_000.0)),
                ("import * as b from './barrel';", "b.ns.B", n(23_000.0)),
                ("import { B2 } from './barrel';", "B2", n(23_000.0)),
                ("import d from './barrel';", "d", n(23_000.0)),
            ],
        );
    }

    #[test]
    fn first_star_export_that_has_the_name_wins() {
        let files = [
            ("a.ts", "export const X = 31_000;\n"),
            (
                "b.ts",
                "export const X = 32_000;\nexport const Y = 33_000;\n",
            ),
            ("c.ts", "export * from './a';\nexport * from './b';\n"),
        ];
        check(
            &files,
            &[
                ("import { X } from './c';", "X", n(31_000.0)),
                ("import { Y } from './c';", "Y", n(33_000.0)),
            ],
        );
    }

    #[test]
    fn cycles_end_and_values_resolve_where_they_can() {
        let files = [
            (
                "a.ts",
                "import { B } from './b';\nexport const A = B;\nexport const GOOD = 34_000;\nexport * from './b';\n",
            ),
            (
                "b.ts",
                "import { A, GOOD } from './a';\nexport const B = A + 1;\nexport const VIA = GOOD;\nexport * from './a';\n",
            ),
        ];
        check(
            &files,
            &[
                ("import { A } from './a';", "A", Value::Unknown),
                ("import { VIA } from './b';", "VIA", n(34_000.0)),
                ("import { MISSING } from './a';", "MISSING", Value::Unknown),
            ],
        );
        // A module importing from itself.
        let me = "import { OWN } from './sock';\nexport const OWN = 35_000;\n";
        assert_eq!(period_of(&[], me, "OWN"), n(35_000.0));
    }

    #[test]
    fn aliases_and_what_is_not_project_code() {
        let files = [
            (
                "tsconfig.json",
                "{\n  // comments and trailing commas, as tsc allows\n  \"compilerOptions\": { \"baseUrl\": \".\", \"paths\": { \"@/*\": [\"src/*\"], }, },\n}\n",
            ),
            ("src/lib/ws.ts", "export const HB = 36_000;\n"),
            (
                "node_modules/ws-config/index.js",
                "export const HB = 37_000;\n",
            ),
        ];
        check(
            &files,
            &[
                ("import { HB } from '@/lib/ws';", "HB", n(36_000.0)),
                ("import { HB } from 'ws-config';", "HB", Value::Unknown),
                ("import { HB } from '@/lib/missing';", "HB", Value::Unknown),
                ("import { HB } from '~/lib/ws';", "HB", Value::Unknown),
            ],
        );
    }

    #[test]
    fn commonjs() {
        let files = [
            (
                "whole.js",
                "const HB = 38_000;\nmodule.exports = { HB, ws: { ms: 39_000 } };\n",
            ),
            (
                "named.cjs",
                "exports.HB = 40_000;\nmodule.exports.OTHER = 41_000;\n",
            ),
        ];
        check(
            &files,
            &[
                ("const { HB } = require('./whole');", "HB", n(38_000.0)),
                ("const cfg = require('./whole');", "cfg.ws.ms", n(39_000.0)),
                ("const ms = require('./whole').ws.ms;", "ms", n(39_000.0)),
                ("import cfg from './whole';", "cfg.HB", n(38_000.0)),
                ("import { HB } from './whole';", "HB", n(38_000.0)),
                ("const { HB } = require('./named.cjs');", "HB", n(40_000.0)),
                ("const n = require('./named.cjs');", "n.OTHER", n(41_000.0)),
                ("const { HB } = require(dynamic);", "HB", Value::Unknown),
            ],
        );
    }

    #[test]
    fn each_module_is_parsed_once_and_only_when_needed() {
        let mut files: Vec<(String, String)> = (0..50)
            .map(|i| {
                (
                    format!("unrelated/m{i}.ts"),
                    format!("export const X{i} = {i};\n"),
                )
            })
            .collect();
        files.push((
            "config.ts".into(),
            "export const HB = 42_000;\nexport const UNUSED = 1;\n".into(),
        ));
        files.push(("barrel.ts".into(), "export * from './config';\n".into()));
        files.push((
            "sock.ts".into(),
            "import { HB } from './barrel';\nimport { X1 } from './unrelated/m1';\nconst ws = new WebSocket(u);\nsetInterval(() => ws.send('p'), HB);\nsetInterval(() => ws.send('q'), HB * 2);\n".into(),
        ));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (_t, root) = project(&refs);
        let project = new_project(&root);
        let checked = CheckedFiles::new(&[]);
        let abs = root.join("sock.ts");
        let source = project.read(&abs).unwrap();
        let model = build(&project, &checked, &abs, &source, Lang::TypeScript).unwrap();
        assert_eq!(model.heartbeats[1].period.value, n(84_000.0));
        // barrel.ts and config.ts; not m1.ts (imported, no value needed).
        assert_eq!(project.modules_read(), 2);
        // A checked module another module imported first reuses its parse.
        let config = root.join("config.ts");
        let cached = project.cached::<TsModule>(&config).unwrap();
        let source = project.read(&config).unwrap();
        let model = build(&project, &checked, &config, &source, Lang::TypeScript).unwrap();
        assert!(model.heartbeats.is_empty());
        assert!(Arc::ptr_eq(
            &cached,
            &project.cached::<TsModule>(&config).unwrap()
        ));
    }

    #[test]
    fn long_chains_end_on_a_small_stack() {
        let mut files: Vec<(String, String)> = Vec::new();
        for i in 0..300 {
            files.push((
                format!("v{i}.ts"),
                format!(
                    "import {{ V as N }} from './v{}';\nexport const V = N + 1;\n",
                    i + 1
                ),
            ));
            files.push((
                format!("s{i}.ts"),
                format!("export * from './s{}';\n", i + 1),
            ));
        }
        files.push(("v300.ts".into(), "export const V = 1;\n".into()));
        files.push(("s300.ts".into(), "export const S = 50_000;\n".into()));
        files.push((
            "sock.ts".into(),
            "import { V } from './v0';\nimport { S } from './s0';\nimport { S as T } from './s290';\nconst ws = new WebSocket(u);\nsetInterval(() => ws.send('p'), V);\nsetInterval(() => ws.send('q'), S);\nsetInterval(() => ws.send('r'), T);\n".into(),
        ));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (_t, root) = project(&refs);
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                periods(&root, "sock.ts")
                    .into_iter()
                    .map(|p| p.0)
                    .collect::<Vec<_>>()
            })
            .unwrap();
        // Past the depth limit the value is unknown; ten hops away it is read.
        assert_eq!(
            handle.join().expect("no overflow"),
            [Value::Unknown, Value::Unknown, n(50_000.0)]
        );
    }
}
