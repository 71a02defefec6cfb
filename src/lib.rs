//! wslint: keeps WebSocket connections alive and reconnects sane across a
//! stack of React/TypeScript clients, FastAPI servers and the proxies
//! between them (Apache httpd, nginx, HAProxy).
//!
//! [`run`] takes [`Settings`] and returns a [`Report`]; it never prints.
//! The pipeline, one module each:
//!
//! ```text
//! paths -> discover -> read (prefilter) -> file phase (parse, model, per-file rules)
//!       -> server phase (routes across modules) -> proxy phase (every hop)
//!       -> finish (suppress, sort) -> render
//! ```

pub mod cache;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod lang;
pub mod overlay;
pub mod paths;
pub mod phase;
pub mod project;
pub mod proxy;
pub mod read;
pub mod registry;
pub mod render;
pub mod routes;
pub mod rule;
pub mod rules;
pub mod server;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod values;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use diagnostic::Diagnostic;
use discover::{Candidate, DetectedOrd};
use lang::Lang;
use phase::file::{FileResult, guarded, io_error};
use phase::proxy::ProxyFiles;
use project::wspaths::ClientFacts;
use proxy::wspaths::{LazyWsPaths, WsPaths};
use registry::Selector;
use rule::{Check, Ctx, Severity};
use settings::{Config, ConfigError, RuleSelection};
use suppress::FileSuppressions;

pub use phase::file::install_panic_hook;
pub use read::{BytesError, Overlay, ReadOutcome, decode, read_bytes, read_file};

/// What the command line asks for.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Paths to check; empty = the current directory.
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    /// `--select`: replaces `rules.select` when given.
    pub select: Option<Vec<Selector>>,
    /// `--ignore`: added to `rules.ignore`.
    pub ignore: Vec<Selector>,
    pub no_gitignore: bool,
    pub force_exclude: bool,
    /// Worker threads; `None` = one per core.
    pub jobs: Option<usize>,
    /// Use the cache of earlier runs (`cache.dir`, else `.wslint_cache` at
    /// the project root). Off unless asked for: the command line asks for
    /// it (`--no-cache` does not); a caller that checks text that is not
    /// on disk (an editor's unsaved buffers) must leave it off.
    pub cache: bool,
    /// Debugging and benchmarks: stop after the parse of each file.
    pub parse_only: bool,
}

/// Everything a run needs, resolved.
#[derive(Debug)]
pub struct Settings {
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// The project: where imports, includers and heartbeats are looked for.
    /// Absolute: the folder of a configuration found from the checked
    /// path, else (and always with `--config`) the nearest version-control
    /// root of the checked paths, else the current directory.
    pub root: PathBuf,
    /// What `files.exclude` globs are relative to: the configuration's
    /// folder, else the project root. Absolute.
    pub exclude_root: PathBuf,
    pub paths: Vec<PathBuf>,
    pub selection: RuleSelection,
    pub respect_gitignore: bool,
    pub force_exclude: bool,
    pub jobs: usize,
    /// The cache folder, when the run uses one ([`cache`]).
    pub cache: Option<PathBuf>,
    /// Stop after the parse of each file (`--parse-only`).
    pub parse_only: bool,
    /// Texts read instead of files on disk: the fix engine's edited texts
    /// between rounds, the editor's open documents (`wslint server`).
    pub overlay: Overlay,
    /// The walk of an earlier run over the same disk, for the next one
    /// ([`fix::WalkMemo`]); `None`: every run walks.
    pub walk_memo: Option<fix::WalkMemo>,
}

impl Settings {
    /// Finds and reads the configuration, and merges the command line in.
    pub fn from_options(opts: &Options) -> Result<Settings, ConfigError> {
        let paths = if opts.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            opts.paths.clone()
        };
        let config_path = match &opts.config {
            Some(p) => Some(p.clone()),
            None => settings::find_config(&paths[0]),
        };
        let loaded = match &config_path {
            Some(p) => settings::load(p)?,
            None => settings::Loaded::default(),
        };
        let (root, exclude_root) = match (&opts.config, &config_path) {
            // A configuration given by name sets values only: a shared one
            // in a parent folder must not widen the project to that folder.
            (Some(given), _) => (
                project::vcs_root(&paths[0]).unwrap_or_else(|| absolute(Path::new("."))),
                project::find_root(Some(given), &paths[0]),
            ),
            (None, found) => {
                let root = project::find_root(found.as_deref(), &paths[0]);
                (root.clone(), root)
            }
        };
        let selection =
            RuleSelection::new(&loaded.config.rules, opts.select.as_deref(), &opts.ignore);
        let cache = opts.cache.then(|| {
            loaded
                .config
                .cache
                .dir
                .clone()
                .unwrap_or_else(|| root.join(cache::DEFAULT_DIR))
        });
        let jobs = opts
            .jobs
            .filter(|&j| j > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        Ok(Settings {
            config: loaded.config,
            config_path,
            root,
            exclude_root,
            paths,
            selection,
            respect_gitignore: !opts.no_gitignore,
            force_exclude: opts.force_exclude,
            jobs,
            cache,
            parse_only: opts.parse_only,
            overlay: Overlay::default(),
            walk_memo: None,
        })
    }
}

fn absolute(p: &Path) -> PathBuf {
    paths::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by path, line, column, code; deduplicated.
    pub diagnostics: Vec<Diagnostic>,
    /// Files read and checked.
    pub files_checked: usize,
    /// Files named on the command line that are of no kind wslint reads.
    pub files_of_no_kind: usize,
    /// Errors that are not about a file (exit code 2).
    pub errors: Vec<String>,
    /// Modules read only because a checked module imports from them.
    pub dependencies_read: usize,
    /// Notes for the person running wslint (stderr): the cache could not
    /// be used, and why.
    pub notes: Vec<String>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Whether a diagnostic at or above `threshold` was reported.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= threshold)
    }
}

/// Runs every enabled rule whose check reads a model of type `M`.
pub(crate) fn run_rules<M>(
    settings: &Settings,
    facts: &rule::Facts,
    model: &M,
    out: &mut Vec<Diagnostic>,
    pick: impl Fn(Check) -> Option<fn(&M, &mut Ctx)>,
) {
    for rule in settings.selection.rules() {
        if let Some(check) = pick(rule.check) {
            let mut cx = Ctx::new(rule, &settings.config, facts, out);
            check(model, &mut cx);
        }
    }
}

/// Runs every enabled rule over the given paths; with a cache folder, an
/// earlier run's report when nothing it read has changed ([`cache`]).
pub fn run(settings: &Settings) -> Report {
    // A run asked to panic (tests of the panic guard) keeps nothing.
    let Some(dir) = settings
        .cache
        .as_ref()
        .filter(|_| std::env::var_os("WSLINT_DEBUG_PANIC_ON").is_none())
    else {
        return run_uncached(settings, None);
    };
    let mut cache = match cache::Cache::open(settings, dir) {
        Ok(c) => c,
        Err(note) => {
            let mut report = run_uncached(settings, None);
            report.notes.push(note);
            return report;
        }
    };
    // A run that reads texts which are not on disk (the fix engine's
    // rounds) neither takes nor keeps a whole report: its results are not
    // the files'. It takes the per-file entries of the modules that neither
    // are nor depend on such a text, and keeps none.
    if settings.overlay.is_active() {
        let files = cache.files(settings);
        return run_uncached(settings, Some(&files));
    }
    if let Some(mut report) = cache.lookup() {
        report.notes.append(&mut cache.notes);
        return report;
    }
    let recording = cache::Recording::start();
    if let Some(p) = &settings.config_path {
        cache::touch(p);
    }
    cache::touch_global_ignores();
    let files = cache.files(settings);
    let mut report = run_uncached(settings, Some(&files));
    let touched = recording.take();
    drop(recording);
    // A run that hit an internal error is not kept: the next one tries
    // again.
    if report.errors.is_empty() {
        cache.store(touched, &report);
    }
    report.notes.append(&mut cache.notes);
    report
}

fn run_uncached(settings: &Settings, files: Option<&cache::files::FileCache>) -> Report {
    in_pool(settings, false, files).0
}

/// Runs every enabled rule over the given paths, and models every route
/// of every hop with the project's websocket paths it serves, for
/// `wslint routes`: the report says which hops break the checklist.
pub fn routes(settings: &Settings) -> (Report, Option<routes::Chains>) {
    let (report, hops) = in_pool(settings, true, None);
    let chains = hops.map(|h| routes::Chains::new(h, &report.diagnostics, &settings.config));
    (report, chains)
}

fn in_pool(
    settings: &Settings,
    routes: bool,
    files: Option<&cache::files::FileCache>,
) -> (Report, Option<phase::proxy::Hops>) {
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            let report = Report {
                errors: vec![format!("cannot start worker threads: {e}")],
                ..Report::default()
            };
            return (report, None);
        }
    };
    pool.install(|| run_in_pool(settings, routes, files))
}

/// What the per-file phase leaves for the project-wide phases.
#[derive(Default)]
struct Gathered {
    files_checked: usize,
    files_of_no_kind: usize,
    errors: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    suppressions: BTreeMap<PathBuf, FileSuppressions>,
    proxy: ProxyFiles,
    clients: Vec<ClientFacts>,
    servers: Vec<project::python::ModelledModule>,
    /// Canonical paths of the checked Python and client modules.
    python_checked: HashSet<PathBuf>,
    client_checked: HashSet<PathBuf>,
}

fn gather(candidates: &[Candidate], results: Vec<FileResult>) -> Gathered {
    let mut g = Gathered::default();
    for (candidate, r) in candidates.iter().zip(results) {
        let known = |l: Lang| candidate.detected == DetectedOrd::Known(l);
        if r.checked && known(Lang::Python) {
            g.python_checked.insert(candidate.abs.clone());
        }
        if r.checked && matches!(candidate.detected, DetectedOrd::Known(l) if l.is_client()) {
            g.client_checked.insert(candidate.abs.clone());
        }
        if let Some(model) = r.server {
            g.servers.push(project::python::ModelledModule {
                file: candidate.abs.clone(),
                model,
                checked: true,
            });
        }
        g.files_checked += usize::from(r.checked);
        g.files_of_no_kind += usize::from(r.no_kind);
        if r.panicked {
            g.errors.push(format!(
                "internal error while checking {}; see the WS002 diagnostic",
                candidate.path.display()
            ));
        }
        g.diagnostics.extend(r.diagnostics);
        if let Some(s) = r.suppressions {
            g.suppressions.insert(s.file.path.clone(), s);
        }
        if let Some(f) = r.proxy {
            g.proxy.push(candidate.abs.clone(), f);
        }
        g.clients.extend(r.client);
    }
    g
}

fn run_in_pool(
    settings: &Settings,
    routes: bool,
    files: Option<&cache::files::FileCache>,
) -> (Report, Option<phase::proxy::Hops>) {
    let exclude =
        match settings::exclude_matcher(&settings.exclude_root, &settings.config.files.exclude) {
            Ok(m) => m,
            Err(e) => {
                let report = Report {
                    errors: vec![e],
                    ..Report::default()
                };
                return (report, None);
            }
        };
    // Discover, and read each file as the walk finds it (the prefilter
    // stops most of them there); or take an earlier run's walk, reading
    // again only the files the overlay stands in for.
    let read = |c: &Candidate| {
        guarded(&c.path, || phase::file::read(c, settings, None))
            .unwrap_or_else(|d| phase::file::Stage::Done(FileResult::panicked(d)))
    };
    let earlier = settings.walk_memo.as_ref().and_then(fix::WalkMemo::get);
    let mut walk = match &earlier {
        Some(m) => m.rewalk(&settings.overlay, &read),
        None => discover::discover_visit(
            &discover::DiscoverOptions {
                paths: &settings.paths,
                respect_gitignore: settings.respect_gitignore,
                force_exclude: settings.force_exclude,
                threads: settings.jobs,
                exclude: &exclude,
                root: &settings.exclude_root,
                skip_nested_projects: false,
            },
            &read,
        ),
    };
    let project = project::Project::new(
        &settings.root,
        &settings.paths,
        project::WalkOptions {
            respect_gitignore: settings.respect_gitignore,
            exclude: exclude.clone(),
            exclude_root: settings.exclude_root.clone(),
            threads: settings.jobs,
            max_size: settings.config.files.max_size,
            overlay: settings.overlay.clone(),
        },
    );

    // Each file with text on its own, in parallel.
    let checked = project::ts::CheckedFiles::new(&walk.candidates);
    let check = |c: &Candidate, stage| {
        guarded(&c.path, || {
            phase::file::check(c, settings, &project, &checked, stage, files)
        })
        .unwrap_or_else(FileResult::panicked)
    };
    // With a memo, the first round keeps what it did and a later one
    // checks only what an edit can change.
    let visited = std::mem::take(&mut walk.visited);
    let record = settings.walk_memo.as_ref().filter(|_| earlier.is_none());
    let results = fix::memo::check_files(
        &walk,
        visited,
        earlier.as_deref(),
        record,
        &settings.overlay,
        &check,
    );
    let mut g = gather(&walk.candidates, results);
    g.diagnostics.extend(
        walk.errors
            .iter()
            .map(|e| io_error(&e.path, e.message.clone())),
    );
    g.files_of_no_kind += walk.no_kind.len();
    if settings.parse_only {
        let report = Report {
            diagnostics: phase::finish::finish(g.diagnostics, g.suppressions, &settings.selection),
            files_checked: g.files_checked,
            files_of_no_kind: g.files_of_no_kind,
            errors: g.errors,
            ..Report::default()
        };
        return (report, None);
    }

    // Server routes across modules.
    let mut facts_read = 0;
    match guarded(&settings.root, || {
        let mut out = Vec::new();
        let read = phase::server::run(
            settings,
            &project,
            g.servers.clone(),
            &g.python_checked,
            &mut out,
        );
        (out, read)
    }) {
        Ok((out, read)) => {
            g.diagnostics.extend(out);
            facts_read = read;
        }
        Err(d) => {
            g.errors
                .push("internal error while linking the Python routes".to_string());
            g.diagnostics.push(*d);
        }
    }

    // Every hop.
    let mut extra = Vec::new();
    let mut hops = None;
    let found = phase::proxy::Found {
        files: std::mem::take(&mut g.proxy),
        clients: &g.clients,
        servers: &g.servers,
        python_checked: &g.python_checked,
        client_checked: &g.client_checked,
    };
    match guarded(&settings.root, || {
        let mut out = Vec::new();
        let outcome = phase::proxy::phase(settings, &project, found, routes, &mut out);
        (out, outcome)
    }) {
        Ok((out, outcome)) => {
            g.diagnostics.extend(out);
            extra = outcome.extra;
            hops = outcome.hops;
        }
        Err(d) => {
            g.errors
                .push("internal error while checking the proxy configuration".to_string());
            g.diagnostics.push(*d);
        }
    }

    // Only the files this run checks are reported on: not the files read for
    // their facts, nor files outside the given paths reached by an include.
    let given: Vec<PathBuf> = settings
        .paths
        .iter()
        .map(|p| discover::display_path(p))
        .collect();
    // Compared as bytes: hashing a Path walks its components.
    let checked: HashSet<&std::ffi::OsStr> = walk
        .candidates
        .iter()
        .map(|c| c.path.as_os_str())
        .chain(walk.errors.iter().map(|e| e.path.as_os_str()))
        .collect();
    g.diagnostics.retain(|d| {
        let path = d.file.path.as_path();
        checked.contains(path.as_os_str()) || given.iter().any(|gp| within(path, gp))
    });
    for source in extra {
        let path = source.path.as_path();
        if given.iter().any(|gp| within(path, gp)) {
            g.files_checked += 1;
        }
        let lang = lang::detect(path)
            .map(|d| DetectedOrd::from(d).filter_lang())
            .filter(|l| l.is_proxy())
            .unwrap_or(Lang::Apache);
        if let Some(s) = suppress::scan(&source, lang) {
            g.suppressions.entry(s.file.path.clone()).or_insert(s);
        }
    }

    let diagnostics = phase::finish::finish(g.diagnostics, g.suppressions, &settings.selection);
    let report = Report {
        diagnostics,
        files_checked: g.files_checked,
        files_of_no_kind: g.files_of_no_kind,
        errors: g.errors,
        dependencies_read: project.modules_read() + facts_read,
        notes: Vec::new(),
    };
    (report, hops)
}

/// Checks one file given as bytes, as [`run`] checks a file on disk: the
/// same decoding, models, rules and suppressions, with `config`. Nothing
/// else is read (no import, include or project fact), and a panic is not
/// caught: for fuzzing, property tests and benchmarks.
pub fn check_in_memory(name: &str, bytes: &[u8], config: Config) -> Report {
    let path = PathBuf::from(name);
    let Some(detected) = lang::detect(&path) else {
        return Report::default();
    };
    // A root that does not exist: nothing outside `bytes` can be read.
    let root = PathBuf::from("/nonexistent/wslint-in-memory");
    let selection = RuleSelection::new(&config.rules, None, &[]);
    let max_size = config.files.max_size;
    let settings = Settings {
        config,
        config_path: None,
        root: root.clone(),
        exclude_root: root.clone(),
        paths: Vec::new(),
        selection,
        respect_gitignore: false,
        force_exclude: false,
        jobs: 1,
        cache: None,
        parse_only: false,
        overlay: Overlay::default(),
        walk_memo: None,
    };
    let project = project::Project::new(
        &root,
        &[],
        project::WalkOptions {
            respect_gitignore: false,
            exclude: ignore::gitignore::Gitignore::empty(),
            exclude_root: root.clone(),
            threads: 1,
            max_size,
            overlay: Overlay::default(),
        },
    );
    let candidate = Candidate {
        abs: discover::canonical(&path),
        path: path.clone(),
        detected: detected.into(),
        explicit: true,
    };
    let checked = project::ts::CheckedFiles::new(std::slice::from_ref(&candidate));
    let r = phase::file::process(&candidate, &settings, &project, &checked, Some(bytes));
    let mut diagnostics = r.diagnostics;
    let mut suppressions = BTreeMap::new();
    if let Some(s) = r.suppressions {
        suppressions.insert(s.file.path.clone(), s);
    }
    let facts = rule::Facts {
        heartbeat: project::heartbeat::longest(
            r.client
                .iter()
                .filter_map(|c| c.heartbeat.clone())
                .collect::<Vec<_>>(),
            &settings.config,
            None,
        ),
    };
    let file = root.join(&path);
    let mut modelled = Vec::new();
    if let Some(model) = r.server {
        modelled.push(project::python::ModelledModule {
            file: file.clone(),
            model,
            checked: true,
        });
        let checked = HashSet::from([file.clone()]);
        phase::server::run(
            &settings,
            &project,
            modelled.clone(),
            &checked,
            &mut diagnostics,
        );
    }
    if let Some(f) = r.proxy {
        let mut files = ProxyFiles::default();
        files.push(file, f);
        let mut known = project::wspaths::config_paths(&settings.config);
        known.extend(r.client.into_iter().flat_map(|c| c.paths));
        known.extend(project::wspaths::endpoint_paths(&project, modelled));
        let paths = LazyWsPaths::known(WsPaths::new(known));
        phase::proxy::run(&settings, &project, &facts, files, &paths, &mut diagnostics);
    }
    Report {
        diagnostics: phase::finish::finish(diagnostics, suppressions, &settings.selection),
        files_checked: usize::from(r.checked),
        files_of_no_kind: usize::from(r.no_kind),
        errors: Vec::new(),
        dependencies_read: 0,
        notes: Vec::new(),
    }
}

/// Whether `path` (as shown) lies in the given path `given` (as shown).
fn within(path: &Path, given: &Path) -> bool {
    if given == Path::new(".") {
        return !path.is_absolute() && !path.starts_with("..");
    }
    path.starts_with(given)
}
