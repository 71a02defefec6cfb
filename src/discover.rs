//! Walking the given paths: `.gitignore`/`.ignore` and `files.exclude`
//! honoured (the `ignore` crate, in parallel), language by name.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::gitignore::Gitignore;
use ignore::{WalkBuilder, WalkState};

use crate::lang::{self, Detected};

/// Folders never worth walking into: dependencies, VCS data, caches and
/// build output (as ruff's default excludes). Named paths are still read.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".jj",
    "node_modules",
    "bower_components",
    ".venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".wslint_cache",
    ".tox",
    ".nox",
    ".eggs",
    "site-packages",
    "__pypackages__",
    ".next",
    ".nuxt",
    // Nuxt 3 / Nitro's build output (server and client bundles).
    ".output",
    ".svelte-kit",
    ".turbo",
    ".cache",
    "target",
    "coverage",
];

/// Build output folders that also hold hand-written deployment files
/// (`dist/nginx.conf`, `build/haproxy.cfg`): walked, but only proxy
/// configuration is taken from them; their scripts are generated.
pub const CONFIG_ONLY_DIRS: &[&str] = &["dist", "build"];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// As reached from the given path (`./` dropped).
    pub path: PathBuf,
    /// Canonical and absolute: the key cross-file facts (imports, checked
    /// modules, includes) are matched on. Computed once, without a
    /// `realpath` per walked file (see [`Roots`]).
    pub abs: PathBuf,
    pub detected: DetectedOrd,
    /// Named on the command line rather than found by walking.
    pub explicit: bool,
}

/// What is known once per walked folder, so that a walked entry costs no
/// system call and no parent-by-parent glob match:
///
/// - its canonical form: the walk follows no links and reads no linked
///   file, so a walked file's canonical path is its folder's canonical
///   path joined with the rest of its path (one `realpath` per given
///   folder, not one per file);
/// - its absolute form, which `files.exclude` is matched against;
/// - whether `files.exclude` excludes the folder itself or a folder above
///   it. Below it, each folder was matched as the walk entered it (and
///   skipped if excluded), so an entry is matched alone.
struct Root {
    given: PathBuf,
    canonical: PathBuf,
    absolute: PathBuf,
    excluded: bool,
}

struct Roots(Vec<Root>);

impl Roots {
    fn new(dirs: &[PathBuf], opts: &DiscoverOptions<'_>) -> Roots {
        let mut roots: Vec<Root> = dirs
            .iter()
            .map(|d| Root {
                given: d.clone(),
                canonical: canonical(d),
                absolute: crate::paths::normalize(
                    &std::path::absolute(d).unwrap_or_else(|_| d.clone()),
                ),
                excluded: excluded(opts, d, true),
            })
            .collect();
        // Longest first: a folder given inside another one is matched first.
        roots.sort_by_key(|r| std::cmp::Reverse(r.given.as_os_str().len()));
        Roots(roots)
    }

    /// The root `path` was reached from and the rest of the path below it.
    fn split<'p>(&self, path: &'p Path) -> Option<(&Root, &'p Path)> {
        self.0
            .iter()
            .find_map(|r| Some((r, below(path, &r.given)?)))
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        match self.split(path) {
            Some((root, rest)) if rest.as_os_str().is_empty() => root.canonical.clone(),
            Some((root, rest)) => root.canonical.join(rest),
            None => canonical(path),
        }
    }

    /// [`excluded`] for an entry the walk reached.
    fn excluded(&self, opts: &DiscoverOptions<'_>, path: &Path, is_dir: bool) -> bool {
        if opts.exclude.is_empty() {
            return false;
        }
        let Some((root, rest)) = self.split(path) else {
            return excluded(opts, path, is_dir);
        };
        if root.excluded {
            return true;
        }
        let abs = root.absolute.join(rest);
        match abs.strip_prefix(opts.root) {
            Ok(rel) if !rel.as_os_str().is_empty() => opts.exclude.matched(rel, is_dir).is_ignore(),
            _ => false,
        }
    }
}

/// `path` below `root`, as the walk joined them: a byte prefix and a
/// separator, without splitting either into components (and
/// [`Path::strip_prefix`] for anything else).
fn below<'p>(path: &'p Path, root: &Path) -> Option<&'p Path> {
    if let (Some(p), Some(r)) = (path.to_str(), root.to_str())
        && let Some(rest) = p.strip_prefix(r)
    {
        if rest.is_empty() {
            return Some(Path::new(""));
        }
        if !r.ends_with('/')
            && let Some(rest) = rest.strip_prefix('/')
            && !rest.starts_with('/')
            && !rest.starts_with("./")
        {
            return Some(Path::new(rest));
        }
    }
    path.strip_prefix(root).ok()
}

/// `realpath`, or the absolute, normalized path when that fails.
pub fn canonical(p: &Path) -> PathBuf {
    crate::cache::canonicalize(p).unwrap_or_else(|_| {
        crate::paths::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    })
}

/// [`Detected`] with an order, so candidates sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DetectedOrd {
    Known(lang::Lang),
    /// A configuration file whose content decides its product; the one its
    /// name says, if any.
    Config(Option<lang::Lang>),
}

impl From<Detected> for DetectedOrd {
    fn from(d: Detected) -> Self {
        match d {
            Detected::Known(l) => DetectedOrd::Known(l),
            Detected::Config { expect } => DetectedOrd::Config(expect),
        }
    }
}

impl DetectedOrd {
    /// The language the prefilter reads it as.
    pub fn filter_lang(self) -> lang::Lang {
        match self {
            DetectedOrd::Known(l) => l,
            DetectedOrd::Config(l) => l.unwrap_or(lang::Lang::Apache),
        }
    }
}

/// A path that could not be walked.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

pub struct Walk<R = ()> {
    pub candidates: Vec<Candidate>,
    /// What the visitor of [`discover_visit`] gave for each candidate, in
    /// the same order.
    pub visited: Vec<R>,
    pub errors: Vec<WalkError>,
    /// Files named on the command line that are of no kind wslint reads
    /// (a README): counted in the summary, not dropped without a word.
    pub no_kind: Vec<PathBuf>,
}

impl<R> Walk<R> {
    /// The same walk with nothing visited yet.
    pub fn without_visits<S>(&self) -> Walk<S> {
        Walk {
            candidates: self.candidates.clone(),
            visited: Vec::new(),
            errors: self.errors.clone(),
            no_kind: self.no_kind.clone(),
        }
    }
}

pub struct DiscoverOptions<'a> {
    pub paths: &'a [PathBuf],
    pub respect_gitignore: bool,
    pub force_exclude: bool,
    pub threads: usize,
    /// `files.exclude`, anchored at the project root.
    pub exclude: &'a Gitignore,
    /// Absolute project root the exclude globs are relative to.
    pub root: &'a Path,
    /// Skip folders below the given ones that hold a wslint configuration
    /// of their own: another project, whose facts are not this one's.
    pub skip_nested_projects: bool,
}

/// Drops a leading `./` so paths read as users type them.
pub fn display_path(p: &Path) -> PathBuf {
    let stripped = p.strip_prefix(".").unwrap_or(p);
    if stripped.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        stripped.to_path_buf()
    }
}

fn excluded(opts: &DiscoverOptions<'_>, path: &Path, is_dir: bool) -> bool {
    if opts.exclude.is_empty() {
        return false;
    }
    let Ok(abs) = std::path::absolute(path) else {
        return false;
    };
    let abs = crate::paths::normalize(&abs);
    match abs.strip_prefix(opts.root) {
        Ok(rel) if !rel.as_os_str().is_empty() => opts
            .exclude
            .matched_path_or_any_parents(rel, is_dir)
            .is_ignore(),
        _ => false,
    }
}

/// Whether one of the `depth` folders above `path` (below the walked root)
/// is a [`CONFIG_ONLY_DIRS`] folder.
fn in_config_only_dir(path: &Path, depth: usize) -> bool {
    // Most paths name none of the folders anywhere: one byte search says so
    // without splitting the path into components.
    let bytes = path.as_os_str().as_encoded_bytes();
    if !CONFIG_ONLY_DIRS
        .iter()
        .any(|d| memchr::memmem::find(bytes, d.as_bytes()).is_some())
    {
        return false;
    }
    path.ancestors()
        .skip(1)
        .take(depth.saturating_sub(1))
        .filter_map(|a| a.file_name()?.to_str())
        .any(|n| CONFIG_ONLY_DIRS.contains(&n))
}

fn default_excluded(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| DEFAULT_EXCLUDES.contains(&n))
}

pub fn discover(opts: &DiscoverOptions<'_>) -> Walk {
    discover_visit(opts, &|_| ())
}

/// [`discover`], calling `visit` on each candidate as soon as it is found,
/// on the walking thread: reading a file overlaps walking the rest of the
/// tree, as `rg` does.
pub fn discover_visit<R: Send>(
    opts: &DiscoverOptions<'_>,
    visit: &(dyn Fn(&Candidate) -> R + Sync),
) -> Walk<R> {
    let mut candidates: Vec<(Candidate, R)> = Vec::new();
    let mut errors = Vec::new();
    let mut no_kind = Vec::new();
    let mut dirs = Vec::new();
    for given in opts.paths {
        crate::cache::touch(given);
        let meta = match std::fs::metadata(given) {
            Ok(m) => m,
            Err(e) => {
                errors.push(WalkError {
                    path: display_path(given),
                    message: io_message(&e),
                });
                continue;
            }
        };
        if meta.is_dir() {
            // The ignore files above a walked folder apply to it.
            if crate::cache::touch::recording() {
                for a in canonical(given).ancestors() {
                    crate::cache::touch_ignore_files(a);
                }
            }
            dirs.push(given.clone());
        } else if meta.is_file() {
            if opts.force_exclude
                && (excluded(opts, given, false) || given.ancestors().any(default_excluded))
            {
                continue;
            }
            match lang::detect(given) {
                Some(d) => {
                    let c = Candidate {
                        path: display_path(given),
                        abs: canonical(given),
                        detected: d.into(),
                        explicit: true,
                    };
                    let r = visit(&c);
                    candidates.push((c, r));
                }
                None => no_kind.push(display_path(given)),
            }
        } else {
            errors.push(WalkError {
                path: display_path(given),
                message: "not a regular file or directory (a FIFO, socket or device is never read)"
                    .into(),
            });
        }
    }
    if let Some((first, rest)) = dirs.split_first() {
        let mut builder = WalkBuilder::new(first);
        for d in rest {
            builder.add(d);
        }
        builder
            .hidden(false)
            .follow_links(false)
            .require_git(false)
            .git_ignore(opts.respect_gitignore)
            .git_global(opts.respect_gitignore)
            .git_exclude(opts.respect_gitignore)
            .ignore(opts.respect_gitignore)
            .parents(opts.respect_gitignore)
            .threads(opts.threads);
        let found = Mutex::new(Vec::new());
        let failed = Mutex::new(Vec::new());
        let roots = Roots::new(&dirs, opts);
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let path = error_path(&err).unwrap_or_default();
                        failed
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(WalkError {
                                path: display_path(&path),
                                message: walk_message(&err),
                            });
                        return WalkState::Continue;
                    }
                };
                let Some(ft) = entry.file_type() else {
                    return WalkState::Continue;
                };
                let path = entry.path();
                if ft.is_dir() {
                    if entry.depth() > 0
                        && (default_excluded(path)
                            || roots.excluded(opts, path, true)
                            || (opts.skip_nested_projects && crate::settings::has_own_config(path)))
                    {
                        return WalkState::Skip;
                    }
                    // What the folder holds, and what it ignores, decide
                    // what a walk finds (for the cache).
                    crate::cache::touch(path);
                    crate::cache::touch_ignore_files(path);
                    return WalkState::Continue;
                }
                // Symbolic links, FIFOs, sockets and devices are not read.
                if !ft.is_file() || roots.excluded(opts, path, false) {
                    return WalkState::Continue;
                }
                if let Some(d) = lang::detect(path)
                    && (matches!(d, lang::Detected::Config { .. })
                        || !in_config_only_dir(path, entry.depth()))
                {
                    let c = Candidate {
                        path: display_path(path),
                        abs: roots.canonical(path),
                        detected: d.into(),
                        explicit: false,
                    };
                    let r = visit(&c);
                    found.lock().unwrap_or_else(|p| p.into_inner()).push((c, r));
                }
                WalkState::Continue
            })
        });
        candidates.extend(found.into_inner().unwrap_or_else(|p| p.into_inner()));
        errors.extend(failed.into_inner().unwrap_or_else(|p| p.into_inner()));
    }
    // Any fixed order will do (output is sorted later): byte order is
    // much cheaper than comparing paths component by component. In
    // parallel: tens of thousands of paths with long common prefixes make
    // this the longest serial step between the walk and the checks.
    use rayon::slice::ParallelSliceMut;
    candidates.par_sort_unstable_by(|(a, _), (b, _)| {
        a.path
            .as_os_str()
            .cmp(b.path.as_os_str())
            .then_with(|| a.cmp(b))
    });
    candidates.dedup_by(|(a, _), (b, _)| a.path == b.path);
    let (candidates, visited) = candidates.into_iter().unzip();
    errors.sort();
    errors.dedup();
    no_kind.sort();
    no_kind.dedup();
    Walk {
        candidates,
        visited,
        errors,
        no_kind,
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn walk_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_message(err),
        ignore::Error::Io(e) => io_message(e),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop back to {}", ancestor.display())
        }
        other => other.to_string(),
    }
}

/// `No such file or directory`, without Rust's `(os error 2)`.
pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_strip_prefix_by_components() {
        for (path, root, rest) in [
            ("./a/b.ts", ".", Some("a/b.ts")),
            ("fixtures/x.py", "fixtures", Some("x.py")),
            ("fixtures", "fixtures", Some("")),
            ("fixtures2/x.py", "fixtures", None),
            ("a//b.ts", "a", Some("b.ts")),
            ("a/./b.ts", "a", Some("b.ts")),
            ("/srv/app/x.conf", "/srv/app/", Some("x.conf")),
            ("/x.conf", "/", Some("x.conf")),
        ] {
            let (path, root) = (Path::new(path), Path::new(root));
            assert_eq!(
                below(path, root),
                rest.map(Path::new),
                "{path:?} below {root:?}"
            );
            assert_eq!(below(path, root), path.strip_prefix(root).ok(), "{path:?}");
        }
    }

    #[test]
    fn config_only_dirs_are_found_below_the_root_only() {
        assert!(in_config_only_dir(Path::new("web/dist/app.ts"), 3));
        assert!(!in_config_only_dir(Path::new("dist/web/app.ts"), 2));
        assert!(!in_config_only_dir(Path::new("web/distant/app.ts"), 3));
        assert!(!in_config_only_dir(Path::new("web/app.ts"), 2));
    }
}
