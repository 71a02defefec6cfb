//! The project: its root, the modules read across files, and where their
//! paths are shown from.
//!
//! Cross-module facts are read lazily: a module is read and parsed only when
//! a module being checked imports a value from it, and then once, however
//! many modules import it ([`Project::module`]). Values are evaluated after
//! parsing, never inside it, with the depth limit of [`crate::values`], so
//! import cycles end and no two threads wait on each other.

pub mod heartbeat;
pub mod python;
pub mod resolve;
pub mod ts;
pub mod wspaths;

use std::any::Any;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ignore::gitignore::Gitignore;
use rayon::prelude::*;

use crate::discover;
use crate::lang::Lang;
use crate::source::Source;

type Slot = Arc<OnceLock<Option<Arc<dyn Any + Send + Sync>>>>;

/// How the project is walked when facts must be found outside the checked
/// paths: as the checked paths are walked.
pub struct WalkOptions {
    pub respect_gitignore: bool,
    pub exclude: Gitignore,
    /// What the exclude globs are relative to (absolute).
    pub exclude_root: PathBuf,
    pub threads: usize,
    /// `files.max_size`: larger files are not read for facts either.
    pub max_size: u64,
    /// Texts read instead of files on disk (see [`crate::overlay`]).
    pub overlay: crate::Overlay,
}

/// What one run knows about the project around the files it checks.
pub struct Project {
    /// Canonical absolute root.
    pub root: PathBuf,
    pub resolver: resolve::Resolver,
    display: DisplayMap,
    modules: Mutex<HashMap<PathBuf, Slot>>,
    /// Some checked path is the root or above it: every file of the project
    /// is checked in this run.
    covers_root: bool,
    walk: WalkOptions,
    /// The project's files by language, walked once, when first needed.
    files: OnceLock<Vec<(PathBuf, Lang)>>,
}

impl Project {
    /// `root` as [`find_root`] gives it; `paths` are the paths given on the
    /// command line (they decide how other files' paths are shown).
    pub fn new(root: &Path, paths: &[PathBuf], walk: WalkOptions) -> Self {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let covers_root = paths.iter().any(|p| {
            p.canonicalize()
                .is_ok_and(|c| c.is_dir() && root.starts_with(&c))
        });
        Project {
            resolver: resolve::Resolver::new(root.clone()),
            root,
            display: DisplayMap::new(paths),
            modules: Mutex::new(HashMap::new()),
            covers_root,
            walk,
            files: OnceLock::new(),
        }
    }

    /// `files.max_size`: files larger than this are not read for facts.
    pub fn max_size(&self) -> u64 {
        self.walk.max_size
    }

    /// Whether this run checks the whole project (then every fact a rule
    /// needs is in a checked file, and [`Project::scan`] is not needed).
    pub fn covers_root(&self) -> bool {
        self.covers_root
    }

    /// Canonical paths of the project's files of `langs` whose bytes contain
    /// one of `needles` (ASCII, case-insensitive): where facts live when the
    /// run checks only some files (a pre-commit file list). The project is
    /// walked once per run, honouring .gitignore and the excludes; each call
    /// reads the files of its languages.
    pub fn scan(&self, langs: &[Lang], needles: &[&str]) -> Vec<PathBuf> {
        let files = self
            .files
            .get_or_init(|| self.walk_files(std::slice::from_ref(&self.root)));
        self.matching(files, langs, needles)
    }

    /// [`Project::scan`] limited to the folders `dirs` (inside the root):
    /// for facts that live near the files that need them (the Apache files
    /// that include a vhost, the module that includes a router), so that a
    /// file list costs a few folders rather than the whole tree.
    pub fn scan_in(&self, dirs: &[PathBuf], langs: &[Lang], needles: &[&str]) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = dirs
            .iter()
            .map(|d| {
                if d.starts_with(&self.root) {
                    d.clone()
                } else {
                    self.root.clone()
                }
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        // A folder inside another one is walked with it.
        let outer: Vec<PathBuf> = dirs
            .iter()
            .filter(|d| !dirs.iter().any(|o| o != *d && d.starts_with(o)))
            .cloned()
            .collect();
        if outer.contains(&self.root) {
            return self.scan(langs, needles);
        }
        let files = self.walk_files(&outer);
        self.matching(&files, langs, needles)
    }

    fn walk_files(&self, dirs: &[PathBuf]) -> Vec<(PathBuf, Lang)> {
        let walk = discover::discover(&discover::DiscoverOptions {
            paths: dirs,
            respect_gitignore: self.walk.respect_gitignore,
            force_exclude: true,
            threads: self.walk.threads,
            exclude: &self.walk.exclude,
            root: &self.walk.exclude_root,
            skip_nested_projects: true,
        });
        walk.candidates
            .into_iter()
            .map(|c| (c.path, c.detected.filter_lang()))
            .collect()
    }

    fn matching(
        &self,
        files: &[(PathBuf, Lang)],
        langs: &[Lang],
        needles: &[&str],
    ) -> Vec<PathBuf> {
        // One automaton for all the needles, built once per scan.
        let Ok(ac) = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(needles)
        else {
            return Vec::new();
        };
        let mut found: Vec<PathBuf> = files
            .par_iter()
            .filter(|(_, l)| langs.contains(l))
            .filter(|(p, _)| self.read_bytes(p).is_ok_and(|bytes| ac.is_match(&bytes)))
            .map(|(p, _)| p.clone())
            .collect();
        found.sort();
        found
    }

    /// `abs` as it is shown: as reached from a given path, else relative to
    /// the current directory, else absolute.
    pub fn display(&self, abs: &Path) -> PathBuf {
        let shown = self.display.display(abs);
        crate::cache::touch::shown_answer(abs, &shown);
        shown
    }

    /// Reads a project file as every checked file is read (size cap, no
    /// FIFOs, BOM dropped, invalid UTF-8 replaced). `None` when it cannot
    /// be read or is binary: its facts are then unknown.
    pub fn read(&self, abs: &Path) -> Option<Source> {
        match self
            .walk
            .overlay
            .read_file(abs, &self.display(abs), None, self.walk.max_size)
        {
            crate::ReadOutcome::Text { source, .. } => Some(source),
            _ => None,
        }
    }

    /// A project file's bytes, as [`crate::read_bytes`] reads them (through
    /// the overlay of open documents).
    pub fn read_bytes(
        &self,
        abs: &Path,
    ) -> Result<std::borrow::Cow<'static, [u8]>, crate::BytesError> {
        self.walk.overlay.read_bytes(abs, self.walk.max_size)
    }

    /// The module at `abs` (a path the resolver gave), read and parsed by
    /// `parse` the first time any thread asks for it; later callers, and
    /// callers on other threads at the same time, get the same value.
    /// `parse` must not call `module` itself (evaluate after, not inside).
    /// `None` when the file cannot be read or `parse` gives up.
    pub fn module<T: Send + Sync + 'static>(
        &self,
        abs: &Path,
        parse: impl FnOnce(Source) -> Option<T>,
    ) -> Option<Arc<T>> {
        let slot = {
            let mut modules = self.modules.lock().unwrap_or_else(|p| p.into_inner());
            modules.entry(abs.to_path_buf()).or_default().clone()
        };
        // Every use depends on the file, not only the one that read it
        // (for the cache's per-file entries).
        crate::cache::touch(abs);
        let value = slot.get_or_init(|| {
            let source = self.read(abs)?;
            parse(source).map(|t| Arc::new(t) as Arc<dyn Any + Send + Sync>)
        });
        value.clone()?.downcast::<T>().ok()
    }

    /// The module at `abs` if some thread already read and parsed it, without
    /// reading it: a checked file that another module imported first reuses
    /// that parse instead of parsing again.
    pub fn cached<T: Send + Sync + 'static>(&self, abs: &Path) -> Option<Arc<T>> {
        let slot = {
            let modules = self.modules.lock().unwrap_or_else(|p| p.into_inner());
            modules.get(abs)?.clone()
        };
        slot.get()?.clone()?.downcast::<T>().ok()
    }

    /// How many modules were read as dependencies (for tests of laziness).
    pub fn modules_read(&self) -> usize {
        let modules = self.modules.lock().unwrap_or_else(|p| p.into_inner());
        modules
            .values()
            .filter(|s| s.get().is_some_and(Option::is_some))
            .count()
    }
}

/// Maps absolute paths back to paths as reached from the given ones.
pub struct DisplayMap {
    roots: Vec<(PathBuf, PathBuf)>,
    cwd: Option<PathBuf>,
}

impl DisplayMap {
    pub fn new(paths: &[PathBuf]) -> Self {
        let mut roots: Vec<(PathBuf, PathBuf)> = paths
            .iter()
            .filter(|p| p.is_dir())
            .filter_map(|p| {
                Some((
                    std::fs::canonicalize(p).ok()?,
                    crate::discover::display_path(p),
                ))
            })
            .collect();
        // Longest first, so nested given paths win.
        roots.sort_by_key(|(abs, _)| std::cmp::Reverse(abs.components().count()));
        DisplayMap {
            roots,
            cwd: std::env::current_dir()
                .ok()
                .and_then(|d| d.canonicalize().ok()),
        }
    }

    pub fn display(&self, abs: &Path) -> PathBuf {
        for (root, shown) in &self.roots {
            if let Ok(rest) = abs.strip_prefix(root) {
                if rest.as_os_str().is_empty() {
                    return shown.clone();
                }
                return crate::discover::display_path(&shown.join(rest));
            }
        }
        if let Some(rest) = self.cwd.as_ref().and_then(|c| abs.strip_prefix(c).ok()) {
            return rest.to_path_buf();
        }
        abs.to_path_buf()
    }
}

/// Markers of a version-control root.
const VCS_MARKERS: [&str; 4] = [".git", ".hg", ".jj", ".svn"];

/// The nearest version-control root at or above `start` (a file or a
/// folder), absolute and normalized.
pub fn vcs_root(start: &Path) -> Option<PathBuf> {
    let start = crate::paths::normalize(&std::path::absolute(start).ok()?);
    let dir = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    dir.ancestors()
        .find(|d| VCS_MARKERS.iter().any(|m| d.join(m).exists()))
        .map(Path::to_path_buf)
}

/// The project root: the folder of the configuration file when there is
/// one, else the nearest version-control root above `start`, else `start`
/// itself (its folder, for a file). Absolute and normalized.
pub fn find_root(config: Option<&Path>, start: &Path) -> PathBuf {
    let abs = |p: &Path| {
        crate::paths::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    };
    if let Some(config) = config {
        let dir = config
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return abs(dir);
    }
    let start = abs(start);
    let start_dir = if start.is_dir() {
        start.clone()
    } else {
        start
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| start.clone())
    };
    let mut dir = Some(start_dir.as_path());
    while let Some(d) = dir {
        if VCS_MARKERS.iter().any(|m| d.join(m).exists()) {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    start_dir
}

/// Test support: `files` (relative path, text) written into a new
/// temporary folder; the folder (kept alive by the guard) and its
/// canonical path.
#[cfg(test)]
pub(crate) fn temp_tree(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    (dir, root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_config_then_vcs_then_start() {
        let t = tempfile::tempdir().unwrap();
        let base = t.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("repo/.git")).unwrap();
        std::fs::create_dir_all(base.join("repo/web/src")).unwrap();
        std::fs::create_dir_all(base.join("loose/dir")).unwrap();
        std::fs::write(base.join("repo/web/wslint.toml"), "").unwrap();
        assert_eq!(
            find_root(
                Some(&base.join("repo/web/wslint.toml")),
                &base.join("repo/web/src")
            ),
            base.join("repo/web")
        );
        assert_eq!(
            find_root(None, &base.join("repo/web/src")),
            base.join("repo")
        );
        assert_eq!(
            find_root(None, &base.join("loose/dir")),
            base.join("loose/dir")
        );
    }
}
