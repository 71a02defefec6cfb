//! Where an import points: TypeScript/JavaScript specifiers (relative paths
//! with or without extension, `index` files, `tsconfig.json`/`jsconfig.json`
//! `baseUrl` and `paths`) and Python modules (relative imports, package
//! roots found from `__init__.py`, the project root and `src/` layouts).
//!
//! Only files inside the project root are resolved: a package in
//! `node_modules` or `site-packages` is not project code.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::paths::normalize;

/// Extensions tried, in order, for a TypeScript/JavaScript specifier.
const TS_EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "d.ts", "js", "jsx", "mjs", "cjs"];
/// Single-file components, whose `<script>` blocks are modules.
const COMPONENT_EXTENSIONS: &[&str] = &["vue", "svelte"];
/// How many `extends` a tsconfig chain may follow.
const MAX_EXTENDS: usize = 8;

/// `paths` and `baseUrl` of the tsconfig/jsconfig that governs a folder.
#[derive(Clone, Debug, Default)]
struct TsConfig {
    /// Absolute; where non-relative specifiers and `paths` targets resolve.
    base: Option<PathBuf>,
    /// `("@/*", ["src/*"])`, in file order.
    paths: Vec<(String, Vec<String>)>,
}

/// A folder's tsconfig, if any, and the paths looked at to find it.
type FoundConfig = (Option<TsConfig>, Arc<Vec<PathBuf>>);

pub struct Resolver {
    root: PathBuf,
    /// tsconfig governing each folder, by folder, with the paths looked at
    /// to find and read it (every use depends on them: see [`crate::cache`]).
    ts_configs: Mutex<HashMap<PathBuf, FoundConfig>>,
}

impl Resolver {
    /// `root` must be absolute and normalized.
    pub fn new(root: PathBuf) -> Self {
        Resolver {
            root,
            ts_configs: Mutex::new(HashMap::new()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn inside(&self, p: &Path) -> bool {
        p.starts_with(&self.root)
            && !p
                .components()
                .any(|c| c.as_os_str() == "node_modules" || c.as_os_str() == "site-packages")
    }

    /// The file a TypeScript/JavaScript `specifier` imported from `from`
    /// (an absolute file path) names, if it is project code.
    pub fn ts(&self, from: &Path, specifier: &str) -> Option<PathBuf> {
        let dir = from.parent()?;
        if specifier.starts_with("./")
            || specifier.starts_with("../")
            || specifier == "."
            || specifier == ".."
        {
            return self.ts_file(&normalize(&dir.join(specifier)));
        }
        if specifier.starts_with('/') {
            return None;
        }
        let config = self.ts_config(dir)?;
        for (pattern, targets) in &config.paths {
            let Some(star) = match_pattern(pattern, specifier) else {
                continue;
            };
            let base = config.base.as_ref()?;
            for t in targets {
                let target = t.replacen('*', star, 1);
                if let Some(found) = self.ts_file(&normalize(&base.join(target))) {
                    return Some(found);
                }
            }
        }
        let base = config.base.as_ref()?;
        self.ts_file(&normalize(&base.join(specifier)))
    }

    /// `p` as a file: itself, with an extension, `.js` standing for `.ts`
    /// (TypeScript's ESM convention), or a folder's `index`.
    fn ts_file(&self, p: &Path) -> Option<PathBuf> {
        if !self.inside(p) {
            return None;
        }
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        // A component is imported by its full name (`./Chat.vue`), as
        // bundlers resolve it: `./Chat` never means `Chat.vue`.
        if (TS_EXTENSIONS.contains(&ext) || COMPONENT_EXTENSIONS.contains(&ext))
            && crate::cache::is_file(p)
        {
            return Some(p.to_path_buf());
        }
        // `./ws.js` in TypeScript source means `./ws.ts`.
        if matches!(ext, "js" | "jsx" | "mjs" | "cjs") {
            let stem = p.with_extension("");
            let ts = match ext {
                "mjs" => "mts",
                "cjs" => "cts",
                "jsx" => "tsx",
                _ => "ts",
            };
            for e in [ts, "tsx"] {
                let c = stem.with_extension(e);
                if crate::cache::is_file(&c) {
                    return Some(c);
                }
            }
        }
        for e in TS_EXTENSIONS {
            let c = PathBuf::from(format!("{}.{e}", p.display()));
            if crate::cache::is_file(&c) {
                return Some(c);
            }
        }
        if crate::cache::is_dir(p) {
            for e in TS_EXTENSIONS {
                let c = p.join(format!("index.{e}"));
                if crate::cache::is_file(&c) {
                    return Some(c);
                }
            }
        }
        None
    }

    /// The tsconfig/jsconfig nearest above `dir`, inside the project.
    fn ts_config(&self, dir: &Path) -> Option<TsConfig> {
        let mut cache = self.ts_configs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((hit, looked_at)) = cache.get(dir) {
            crate::cache::touch::touch_all(looked_at.iter());
            return hit.clone();
        }
        crate::cache::touch::start_frame();
        let mut found = None;
        let mut d = Some(dir);
        while let Some(cur) = d {
            if !cur.starts_with(&self.root) {
                break;
            }
            if let Some((hit, looked_at)) = cache.get(cur) {
                crate::cache::touch::touch_all(looked_at.iter());
                found = hit.clone();
                break;
            }
            let candidate = ["tsconfig.json", "jsconfig.json"]
                .iter()
                .map(|n| cur.join(n))
                .find(|p| crate::cache::is_file(p));
            if let Some(path) = candidate {
                found = read_ts_config(&path, 0);
                break;
            }
            d = cur.parent();
        }
        let looked_at = crate::cache::touch::end_frame()
            .touched
            .into_keys()
            .collect();
        cache.insert(dir.to_path_buf(), (found.clone(), Arc::new(looked_at)));
        found
    }

    /// The file of Python module `module` (dotted, possibly empty) imported
    /// from `from` with `level` leading dots (0 = absolute).
    pub fn python(&self, from: &Path, module: &str, level: usize) -> Option<PathBuf> {
        let parts: Vec<&str> = module.split('.').filter(|p| !p.is_empty()).collect();
        if level > 0 {
            let mut base = from.parent()?.to_path_buf();
            for _ in 1..level {
                base = base.parent()?.to_path_buf();
            }
            return self.py_module(&base, &parts);
        }
        for root in self.python_roots(from) {
            if let Some(found) = self.py_module(&root, &parts) {
                return Some(found);
            }
        }
        None
    }

    /// The folder above the top-level package `from` belongs to (its own
    /// folder when it is in no package): where the modules that import it
    /// by an absolute name usually live.
    pub fn python_package_parent(&self, from: &Path) -> PathBuf {
        self.python_roots(from)
            .into_iter()
            .next()
            .unwrap_or_else(|| self.root.clone())
    }

    /// Folders an absolute import is resolved from: the folder above the
    /// package `from` belongs to, the project root, and its `src/`.
    fn python_roots(&self, from: &Path) -> Vec<PathBuf> {
        let mut roots = Vec::new();
        let mut top = from.parent().map(Path::to_path_buf);
        while let Some(dir) = top.clone() {
            if crate::cache::is_file(&dir.join("__init__.py"))
                && dir.starts_with(&self.root)
                && dir != self.root
            {
                top = dir.parent().map(Path::to_path_buf);
            } else {
                break;
            }
        }
        roots.extend(top);
        roots.push(self.root.clone());
        roots.push(self.root.join("src"));
        roots.dedup();
        roots
    }

    fn py_module(&self, base: &Path, parts: &[&str]) -> Option<PathBuf> {
        let mut p = base.to_path_buf();
        for part in parts {
            p.push(part);
        }
        let p = normalize(&p);
        if !self.inside(&p) {
            return None;
        }
        for candidate in [
            p.with_extension("py"),
            p.with_extension("pyi"),
            p.join("__init__.py"),
        ] {
            if !parts.is_empty() && crate::cache::is_file(&candidate) {
                return Some(candidate);
            }
        }
        if parts.is_empty() {
            let init = p.join("__init__.py");
            return crate::cache::is_file(&init).then_some(init);
        }
        None
    }
}

/// `@/*` against `@/lib/ws` -> `Some("lib/ws")`; exact patterns match whole.
fn match_pattern<'s>(pattern: &str, specifier: &'s str) -> Option<&'s str> {
    match pattern.split_once('*') {
        Some((prefix, suffix)) => {
            let rest = specifier.strip_prefix(prefix)?.strip_suffix(suffix)?;
            Some(rest)
        }
        None => (pattern == specifier).then_some(""),
    }
}

/// Reads a tsconfig/jsconfig (JSON with comments and trailing commas),
/// following `extends` to files inside the same tree.
fn read_ts_config(path: &Path, depth: usize) -> Option<TsConfig> {
    if depth > MAX_EXTENDS {
        return None;
    }
    let text = crate::cache::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&strip_jsonc(&text)).ok()?;
    let dir = path.parent()?;
    let mut config = match json.get("extends").and_then(|e| e.as_str()) {
        Some(parent) if parent.starts_with('.') => {
            let p = normalize(&dir.join(parent));
            // TypeScript tries the name as written, then with `.json`.
            let p = if crate::cache::is_file(&p) {
                p
            } else {
                PathBuf::from(format!("{}.json", p.display()))
            };
            read_ts_config(&p, depth + 1).unwrap_or_default()
        }
        _ => TsConfig::default(),
    };
    let options = json.get("compilerOptions");
    if let Some(base) = options
        .and_then(|o| o.get("baseUrl"))
        .and_then(|b| b.as_str())
    {
        config.base = Some(normalize(&dir.join(base)));
    }
    if let Some(paths) = options
        .and_then(|o| o.get("paths"))
        .and_then(|p| p.as_object())
    {
        // Without baseUrl, `paths` are relative to the config (TS 4.1+).
        if config.base.is_none() {
            config.base = Some(dir.to_path_buf());
        }
        config.paths = paths
            .iter()
            .map(|(k, v)| {
                let targets = v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                (k.clone(), targets)
            })
            .collect();
    }
    Some(config)
}

/// JSON with comments and trailing commas, as tsconfig allows, made JSON.
fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if c == b'\\' && i + 1 < bytes.len() {
                out.push_str(&text[i..i + 2]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_string = false;
            }
            let end = next_boundary(text, i);
            out.push_str(&text[i..end]);
            i = end;
            continue;
        }
        match c {
            b'"' => {
                in_string = true;
                out.push('"');
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b',' => {
                // A comma followed only by whitespace/comments and a closer.
                let rest = strip_jsonc_lookahead(&text[i + 1..]);
                if !(rest.starts_with('}') || rest.starts_with(']')) {
                    out.push(',');
                }
                i += 1;
            }
            _ => {
                let end = next_boundary(text, i);
                out.push_str(&text[i..end]);
                i = end;
            }
        }
    }
    out
}

fn strip_jsonc_lookahead(s: &str) -> &str {
    let mut rest = s;
    loop {
        let t = rest.trim_start();
        if let Some(after) = t.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = t.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return t;
        }
    }
}

fn next_boundary(s: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < s.len() && !s.is_char_boundary(j) {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Resolver) {
        let (dir, root) = crate::project::temp_tree(files);
        (dir, Resolver::new(root))
    }

    #[test]
    fn typescript_specifiers() {
        let (d, r) = project(&[
            (
                "web/tsconfig.json",
                "{\n // comment\n \"compilerOptions\": { \"baseUrl\": \".\", \"paths\": { \"@/*\": [\"src/*\"], \"~config\": [\"src/config/index.ts\"], }, },\n}\n",
            ),
            ("web/src/hooks/useWs.ts", ""),
            ("web/src/lib/ws.ts", ""),
            ("web/src/lib/esm.ts", ""),
            ("web/src/config/index.ts", ""),
            ("web/src/consts/index.tsx", ""),
            ("web/node_modules/lib/index.js", ""),
        ]);
        let root = d.path().canonicalize().unwrap();
        let from = root.join("web/src/hooks/useWs.ts");
        let p = |s: &str| {
            r.ts(&from, s)
                .map(|p| p.strip_prefix(&root).unwrap().to_string_lossy().to_string())
        };
        assert_eq!(p("../lib/ws").as_deref(), Some("web/src/lib/ws.ts"));
        assert_eq!(p("../lib/ws.ts").as_deref(), Some("web/src/lib/ws.ts"));
        assert_eq!(p("../lib/esm.js").as_deref(), Some("web/src/lib/esm.ts"));
        assert_eq!(p("../consts").as_deref(), Some("web/src/consts/index.tsx"));
        assert_eq!(p("@/lib/ws").as_deref(), Some("web/src/lib/ws.ts"));
        assert_eq!(p("~config").as_deref(), Some("web/src/config/index.ts"));
        assert_eq!(
            p("src/lib/ws").as_deref(),
            Some("web/src/lib/ws.ts"),
            "baseUrl"
        );
        assert_eq!(p("lib"), None, "node_modules is not project code");
        assert_eq!(p("react"), None);
        assert_eq!(p("../missing"), None);
    }

    #[test]
    fn tsconfig_extends_and_paths_without_base_url() {
        let (d, r) = project(&[
            (
                "tsconfig.base.json",
                "{ \"compilerOptions\": { \"paths\": { \"@app/*\": [\"app/*\"] } } }",
            ),
            ("tsconfig.json", "{ \"extends\": \"./tsconfig.base\" }"),
            ("app/a.ts", ""),
            ("app/ws/socket.ts", ""),
        ]);
        let root = d.path().canonicalize().unwrap();
        let got = r.ts(&root.join("app/a.ts"), "@app/ws/socket").unwrap();
        assert_eq!(got, root.join("app/ws/socket.ts"));
    }

    #[test]
    fn python_modules() {
        let (d, r) = project(&[
            ("pyproject.toml", ""),
            ("src/api/__init__.py", ""),
            ("src/api/settings.py", ""),
            ("src/api/routes/__init__.py", ""),
            ("src/api/routes/ws.py", ""),
            ("scripts/tool.py", ""),
            ("scripts/helpers.py", ""),
        ]);
        let root = d.path().canonicalize().unwrap();
        let ws = root.join("src/api/routes/ws.py");
        let rel = |p: Option<PathBuf>| {
            p.map(|p| p.strip_prefix(&root).unwrap().to_string_lossy().to_string())
        };
        assert_eq!(
            rel(r.python(&ws, "settings", 2)).as_deref(),
            Some("src/api/settings.py")
        );
        assert_eq!(
            rel(r.python(&ws, "", 1)).as_deref(),
            Some("src/api/routes/__init__.py")
        );
        assert_eq!(
            rel(r.python(&ws, "api.settings", 0)).as_deref(),
            Some("src/api/settings.py")
        );
        assert_eq!(
            rel(r.python(&ws, "api.routes", 0)).as_deref(),
            Some("src/api/routes/__init__.py")
        );
        assert_eq!(
            rel(r.python(&root.join("scripts/tool.py"), "helpers", 0)).as_deref(),
            Some("scripts/helpers.py")
        );
        assert_eq!(r.python(&ws, "fastapi", 0), None);
    }

    #[test]
    fn jsonc() {
        let s = strip_jsonc("{ \"a\": \"x // not a comment\", /* c */ \"b\": [1, 2,], }");
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"], "x // not a comment");
        assert_eq!(v["b"][1], 2);
    }
}
