//! wslint: keeps WebSocket connections alive and reconnects sane across a
//! stack of React/TypeScript clients, FastAPI servers and Apache proxies.
//!
//! [`run`] takes [`Settings`] and returns a [`Report`]; it never prints.
//! The stages: discover -> prefilter -> parse -> model -> rules ->
//! suppress -> sort. Rendering is in [`render`].

pub mod diagnostic;
pub mod discover;
pub mod lang;
pub mod paths;
pub mod project;
pub mod registry;
pub mod render;
pub mod rule;
pub mod rules;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod values;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use rayon::prelude::*;

use diagnostic::Diagnostic;
use discover::{Candidate, DetectedOrd};
use lang::Lang;
use lang::apache::include::IncludeEnv;
use lang::apache::{ApacheFile, Loader, Walker};
use registry::Selector;
use rule::{Check, Ctx, Severity};
use rules::engine::ws002_io_error::RULE as WS002;
use settings::{Config, ConfigError, RuleSelection};
use source::{Source, SourceFile, Span};
use suppress::FileSuppressions;

/// Bytes looked at for a NUL to tell a binary file.
const BINARY_SNIFF_BYTES: usize = 8 * 1024;

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
}

/// Everything a run needs, resolved.
#[derive(Debug)]
pub struct Settings {
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// Absolute: the configuration's folder, else the first path's.
    pub root: PathBuf,
    pub paths: Vec<PathBuf>,
    pub selection: RuleSelection,
    pub respect_gitignore: bool,
    pub force_exclude: bool,
    pub jobs: usize,
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
        let root = project::find_root(config_path.as_deref(), &paths[0]);
        let selection =
            RuleSelection::new(&loaded.config.rules, opts.select.as_deref(), &opts.ignore);
        let jobs = opts
            .jobs
            .filter(|&j| j > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        Ok(Settings {
            config: loaded.config,
            config_path,
            root,
            paths,
            selection,
            respect_gitignore: !opts.no_gitignore,
            force_exclude: opts.force_exclude,
            jobs,
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
    /// Errors that are not about a file (exit code 2).
    pub errors: Vec<String>,
    /// Modules read only because a checked module imports from them.
    pub dependencies_read: usize,
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

/// One file after reading, parsing and its per-file rules.
#[derive(Default)]
struct FileResult {
    checked: bool,
    /// Checking it panicked (the diagnostic says so).
    panicked: bool,
    /// The heartbeat of a client module, for WS303.
    heartbeat: Option<rule::HeartbeatFact>,
    diagnostics: Vec<Diagnostic>,
    suppressions: Option<FileSuppressions>,
    apache: Option<Arc<ApacheFile>>,
    /// A Python module's model, kept for the project-level server rules.
    server: Option<Arc<lang::python::ServerModel>>,
}

/// Reads a file as wslint reads every file: never a FIFO or a device, at
/// most `max_size` bytes, BOM dropped, UTF-16 with a BOM decoded, invalid
/// UTF-8 reported and read lossily.
pub enum ReadOutcome {
    Text {
        source: Source,
        /// Byte offset of the first invalid UTF-8 sequence, if any.
        invalid_utf8_at: Option<usize>,
    },
    /// The bytes did not pass the prefilter, or the file is binary.
    Irrelevant,
    /// Over `max_size` bytes (and, with a filter, it could matter).
    TooLarge(u64),
    Failed(String),
}

pub fn read_file(path: &Path, display: &Path, filter: Option<Lang>, max_size: u64) -> ReadOutcome {
    match read_bytes(path, max_size) {
        Ok(bytes) => decode(&bytes, display, filter),
        Err(BytesError::TooLarge(size)) => too_large(path, size, filter),
        Err(BytesError::Failed(message)) => ReadOutcome::Failed(message),
    }
}

/// Why [`read_bytes`] gave no bytes.
pub enum BytesError {
    /// Over the size limit: this many bytes.
    TooLarge(u64),
    /// Not a regular file, or an I/O error; the message says which.
    Failed(String),
}

/// A regular file's bytes, at most `max_size` of them: one path lookup
/// (open, then ask the open file what it is), never a FIFO or a device.
/// Every read of a file of the scanned tree goes through here.
pub fn read_bytes(path: &Path, max_size: u64) -> Result<Vec<u8>, BytesError> {
    let failed = |e: std::io::Error| BytesError::Failed(discover::io_message(&e));
    let file = open_for_reading(path).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    if !meta.is_file() {
        return Err(BytesError::Failed(
            "not a regular file (FIFOs, sockets and devices are never read)".into(),
        ));
    }
    if meta.len() > max_size {
        return Err(BytesError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    // It grew since it was looked at.
    if bytes.len() as u64 > max_size {
        return Err(BytesError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens a file without ever blocking: a FIFO opened for reading waits for
/// a writer, so it is opened non-blocking and then refused as not a
/// regular file (regular files ignore the flag).
#[cfg(unix)]
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::File::open(path)
}

/// What [`read_file`] makes of a file's bytes: the prefilter (with
/// `filter`), binary detection, BOM, UTF-16 and UTF-8 decoding.
pub fn decode(bytes: &[u8], display: &Path, filter: Option<Lang>) -> ReadOutcome {
    let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    if let Some(lang) = filter
        && !utf16
        && !lang::prefilter(lang, bytes)
    {
        return ReadOutcome::Irrelevant;
    }
    if utf16 {
        let text = decode_utf16(bytes);
        if let Some(lang) = filter
            && !lang::prefilter(lang, text.as_bytes())
        {
            return ReadOutcome::Irrelevant;
        }
        return ReadOutcome::Text {
            source: Arc::new(SourceFile::new(display.to_path_buf(), text)),
            invalid_utf8_at: None,
        };
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)]).is_some() {
        return ReadOutcome::Irrelevant;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, invalid_utf8_at) = match std::str::from_utf8(body) {
        Ok(s) => (s.to_string(), None),
        Err(e) => (
            String::from_utf8_lossy(body).into_owned(),
            Some(e.valid_up_to() + (bytes.len() - body.len())),
        ),
    };
    ReadOutcome::Text {
        source: Arc::new(SourceFile::new(display.to_path_buf(), text)),
        invalid_utf8_at,
    }
}

/// A file over the size limit is worth a warning only if it could matter:
/// its bytes are searched as they stream past, never held.
fn too_large(path: &Path, size: u64, filter: Option<Lang>) -> ReadOutcome {
    let relevant = match filter {
        Some(lang) => std::fs::File::open(path)
            .map(|f| lang::prefilter_stream(lang, std::io::BufReader::new(f)))
            .unwrap_or(true),
        None => true,
    };
    if relevant {
        ReadOutcome::TooLarge(size)
    } else {
        ReadOutcome::Irrelevant
    }
}

/// UTF-16 (little or big endian, by its BOM) as a string; unpaired
/// surrogates become U+FFFD.
fn decode_utf16(bytes: &[u8]) -> String {
    let big = bytes.starts_with(b"\xFE\xFF");
    let units = bytes[2..].chunks_exact(2).map(|c| {
        if big {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

fn too_large_warning(path: &Path, size: u64, max_size: u64) -> Diagnostic {
    let file = Arc::new(SourceFile::new(path.to_path_buf(), ""));
    let mut d = rules::engine::ws003_file_skipped::RULE.new_diagnostic(
        &file,
        Span::default(),
        format!("not checked: the file is {size} bytes, over `files.max_size` ({max_size} bytes)"),
    );
    d.help(
        "raise `files.max_size` to check it, or exclude it with `files.exclude` if it is generated",
    );
    d
}

fn minified_warning(path: &Path, source: &Source) -> Diagnostic {
    let file = Arc::new(SourceFile::new(path.to_path_buf(), ""));
    let mut d = rules::engine::ws003_file_skipped::RULE.new_diagnostic(
        &file,
        Span::default(),
        format!(
            "not checked: the file looks minified ({} bytes on {} lines); generated code is checked in its sources",
            source.text.len(),
            source.line_count()
        ),
    );
    d.help("exclude generated bundles with `files.exclude` (or .gitignore)");
    d
}

fn io_error(path: &Path, message: String) -> Diagnostic {
    let file = Arc::new(SourceFile::new(path.to_path_buf(), ""));
    let mut d = WS002.new_diagnostic(&file, Span::default(), message);
    d.help("fix the file or its permissions, or exclude it with `files.exclude`");
    d
}

fn invalid_utf8(source: &Source, at: usize) -> Diagnostic {
    let mut d = WS002.new_diagnostic(
        source,
        Span::new(0, 0),
        format!("invalid UTF-8 at byte {at}; the file was checked with the invalid bytes replaced"),
    );
    d.help("save the file as UTF-8");
    d
}

fn process(
    candidate: &Candidate,
    settings: &Settings,
    project: &project::Project,
    checked: &project::ts::CheckedFiles<'_>,
) -> FileResult {
    process_with(candidate, settings, project, checked, None)
}

/// [`process`], with the file's bytes given rather than read (`preloaded`).
fn process_with(
    candidate: &Candidate,
    settings: &Settings,
    project: &project::Project,
    checked: &project::ts::CheckedFiles<'_>,
    preloaded: Option<&[u8]>,
) -> FileResult {
    if let Some(name) = DEBUG_PANIC.as_ref()
        && candidate.path.file_name() == Some(name.as_os_str())
    {
        panic!("WSLINT_DEBUG_PANIC_ON asked for a panic");
    }
    let lang = match candidate.detected {
        DetectedOrd::Known(l) => l,
        DetectedOrd::MaybeApache => Lang::Apache,
    };
    let max_size = settings.config.files.max_size;
    let outcome = match preloaded {
        Some(bytes) if bytes.len() as u64 > max_size => ReadOutcome::TooLarge(bytes.len() as u64),
        Some(bytes) => decode(bytes, &candidate.path, Some(lang)),
        None => read_file(&candidate.path, &candidate.path, Some(lang), max_size),
    };
    let (source, invalid) = match outcome {
        ReadOutcome::Text {
            source,
            invalid_utf8_at,
        } => (source, invalid_utf8_at),
        ReadOutcome::Irrelevant => return FileResult::default(),
        ReadOutcome::TooLarge(size) => {
            return FileResult {
                diagnostics: vec![too_large_warning(&candidate.path, size, max_size)],
                ..FileResult::default()
            };
        }
        ReadOutcome::Failed(message) => {
            return FileResult {
                diagnostics: vec![io_error(&candidate.path, message)],
                ..FileResult::default()
            };
        }
    };
    if candidate.detected == DetectedOrd::MaybeApache && !lang::looks_like_apache(&source.text) {
        return FileResult::default();
    }
    if matches!(lang, Lang::TypeScript | Lang::Tsx) && lang::looks_minified(&source.text) {
        return FileResult {
            diagnostics: vec![minified_warning(&candidate.path, &source)],
            ..FileResult::default()
        };
    }
    let mut result = FileResult {
        checked: true,
        suppressions: suppress::scan(&source, lang),
        ..FileResult::default()
    };
    if let Some(at) = invalid {
        result.diagnostics.push(invalid_utf8(&source, at));
    }
    match lang {
        Lang::Apache => {
            result.apache = Some(Arc::new(lang::apache::parse::parse(source)));
        }
        Lang::TypeScript | Lang::Tsx => {
            // Imported values resolve through the project.
            let abs = std::fs::canonicalize(&candidate.path)
                .unwrap_or_else(|_| absolute(&candidate.path));
            if let Some(model) = project::ts::build(project, checked, &abs, &source, lang) {
                run_rules(
                    settings,
                    &rule::NO_FACTS,
                    &model,
                    &mut result.diagnostics,
                    |c| match c {
                        Check::Client(f) => Some(f),
                        _ => None,
                    },
                );
                result.heartbeat = project::heartbeat::module_heartbeat(&model);
            }
        }
        Lang::Python => {
            let link = project::python::Link::new(project, &candidate.path);
            if let Some(model) = lang::python::build(&source, Some(&link)) {
                run_rules(
                    settings,
                    &rule::NO_FACTS,
                    &model,
                    &mut result.diagnostics,
                    |c| match c {
                        Check::Server(f) => Some(f),
                        _ => None,
                    },
                );
                if model.has_route_facts() {
                    result.server = Some(Arc::new(model));
                }
            }
        }
    }
    result
}

/// Runs every enabled rule whose check reads a model of type `M`.
fn run_rules<M>(
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

/// Runs every enabled rule over the given paths.
pub fn run(settings: &Settings) -> Report {
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            return Report {
                errors: vec![format!("cannot start worker threads: {e}")],
                ..Report::default()
            };
        }
    };
    pool.install(|| run_in_pool(settings))
}

fn run_in_pool(settings: &Settings) -> Report {
    let exclude = match settings::exclude_matcher(&settings.root, &settings.config.files.exclude) {
        Ok(m) => m,
        Err(e) => {
            return Report {
                errors: vec![e],
                ..Report::default()
            };
        }
    };
    let walk = discover::discover(&discover::DiscoverOptions {
        paths: &settings.paths,
        respect_gitignore: settings.respect_gitignore,
        force_exclude: settings.force_exclude,
        threads: settings.jobs,
        exclude: &exclude,
        root: &settings.root,
    });
    let mut diagnostics: Vec<Diagnostic> = walk
        .errors
        .iter()
        .map(|e| io_error(&e.path, e.message.clone()))
        .collect();

    let project = project::Project::new(
        &settings.root,
        &settings.paths,
        project::WalkOptions {
            respect_gitignore: settings.respect_gitignore,
            exclude: exclude.clone(),
            threads: settings.jobs,
            max_size: settings.config.files.max_size,
        },
    );
    let checked = project::ts::CheckedFiles::new(&walk.candidates);
    let results: Vec<FileResult> = walk
        .candidates
        .par_iter()
        .map(|c| {
            guarded(&c.path, || process(c, settings, &project, &checked)).unwrap_or_else(|d| {
                FileResult {
                    diagnostics: vec![*d],
                    panicked: true,
                    ..FileResult::default()
                }
            })
        })
        .collect();

    let mut files_checked = 0;
    let mut errors = Vec::new();
    let mut suppressions: BTreeMap<PathBuf, FileSuppressions> = BTreeMap::new();
    let mut apache_files: Vec<(PathBuf, Arc<ApacheFile>)> = Vec::new();
    let mut heartbeats = Vec::new();
    let mut server_models: Vec<project::python::ModelledModule> = Vec::new();
    let mut python_checked: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for (candidate, r) in walk.candidates.iter().zip(results) {
        if r.checked
            && !project.covers_root()
            && candidate.detected == DetectedOrd::Known(Lang::Python)
        {
            python_checked.insert(canonical(&candidate.path));
        }
        if let Some(model) = r.server {
            server_models.push(project::python::ModelledModule {
                file: canonical(&candidate.path),
                model,
                checked: true,
            });
        }
        files_checked += usize::from(r.checked);
        if r.panicked {
            errors.push(format!(
                "internal error while checking {}; see the WS002 diagnostic",
                candidate.path.display()
            ));
        }
        diagnostics.extend(r.diagnostics);
        if let Some(s) = r.suppressions {
            suppressions.insert(s.file.path.clone(), s);
        }
        if let Some(a) = r.apache {
            apache_files.push((canonical(&candidate.path), a));
        }
        heartbeats.extend(r.heartbeat);
    }

    let mut facts_read = 0;
    match guarded(&settings.root, || {
        let mut out = Vec::new();
        let read = server_phase(settings, &project, server_models, &python_checked, &mut out);
        (out, read)
    }) {
        Ok((out, read)) => {
            diagnostics.extend(out);
            facts_read = read;
        }
        Err(d) => {
            errors.push("internal error while linking the Python routes".to_string());
            diagnostics.push(*d);
        }
    }

    // A run on part of the project (a pre-commit file list, one folder)
    // still reads the facts its files depend on from the rest of it: the
    // configuration files that include its Apache files, and the client
    // heartbeat an Apache timeout must cover.
    let mut context_files = Vec::new();
    if !project.covers_root() && !apache_files.is_empty() {
        context_files = apache_context(&project, &apache_files);
        // A configured heartbeat is the project's: nothing to look for.
        if settings.config.client.heartbeat_ms.is_none()
            && settings
                .selection
                .is_enabled(rules::proxy::ws303_proxy_timeout_heartbeat_ratio::RULE.code)
        {
            let checked: std::collections::HashSet<PathBuf> = walk
                .candidates
                .iter()
                .filter_map(|c| std::fs::canonicalize(&c.path).ok())
                .collect();
            heartbeats.extend(project_heartbeats(&project, &checked));
        }
    }
    let facts = rule::Facts {
        heartbeat: project::heartbeat::longest(
            heartbeats,
            &settings.config,
            settings.config_path.as_deref(),
        ),
    };

    let extra = match guarded(&settings.root, || {
        let mut out = Vec::new();
        let mut files = apache_files.clone();
        files.extend(context_files);
        let extra = apache_phase(settings, &project, &facts, &files, &mut out);
        (out, extra)
    }) {
        Ok((out, extra)) => {
            diagnostics.extend(out);
            extra
        }
        Err(d) => {
            errors.push("internal error while checking the Apache configuration".to_string());
            diagnostics.push(*d);
            Vec::new()
        }
    };
    // Only the files this run checks are reported on: not the files read for
    // their facts, nor files outside the given paths reached by an Include.
    let given: Vec<PathBuf> = settings
        .paths
        .iter()
        .map(|p| discover::display_path(p))
        .collect();
    // Compared as bytes: hashing a Path walks its components.
    let checked: std::collections::HashSet<&std::ffi::OsStr> = walk
        .candidates
        .iter()
        .map(|c| c.path.as_os_str())
        .chain(walk.errors.iter().map(|e| e.path.as_os_str()))
        .collect();
    diagnostics.retain(|d| {
        let path = d.file.path.as_path();
        checked.contains(path.as_os_str()) || given.iter().any(|g| within(path, g))
    });
    for file in extra {
        let path = file.source.path.as_path();
        if given.iter().any(|g| within(path, g)) {
            files_checked += 1;
        }
        if let Some(s) = suppress::scan(&file.source, Lang::Apache) {
            suppressions.entry(s.file.path.clone()).or_insert(s);
        }
    }

    let diagnostics = finish(diagnostics, suppressions, &settings.selection);
    Report {
        diagnostics,
        files_checked,
        errors,
        dependencies_read: project.modules_read() + facts_read,
    }
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
        paths: Vec::new(),
        selection,
        respect_gitignore: false,
        force_exclude: false,
        jobs: 1,
    };
    let project = project::Project::new(
        &root,
        &[],
        project::WalkOptions {
            respect_gitignore: false,
            exclude: ignore::gitignore::Gitignore::empty(),
            threads: 1,
            max_size,
        },
    );
    let candidate = Candidate {
        path: path.clone(),
        detected: detected.into(),
        explicit: true,
    };
    let checked = project::ts::CheckedFiles::new(std::slice::from_ref(&candidate));
    let r = process_with(&candidate, &settings, &project, &checked, Some(bytes));
    let mut diagnostics = r.diagnostics;
    let mut suppressions = BTreeMap::new();
    if let Some(s) = r.suppressions {
        suppressions.insert(s.file.path.clone(), s);
    }
    let facts = rule::Facts {
        heartbeat: project::heartbeat::longest(r.heartbeat, &settings.config, None),
    };
    if let Some(model) = r.server {
        let file = root.join(&path);
        let modelled = vec![project::python::ModelledModule {
            file: file.clone(),
            model,
            checked: true,
        }];
        let checked = std::collections::HashSet::from([file]);
        server_phase(&settings, &project, modelled, &checked, &mut diagnostics);
    }
    if let Some(a) = r.apache {
        apache_phase(
            &settings,
            &project,
            &facts,
            &[(root.join(&path), a)],
            &mut diagnostics,
        );
    }
    Report {
        diagnostics: finish(diagnostics, suppressions, &settings.selection),
        files_checked: usize::from(r.checked),
        errors: Vec::new(),
        dependencies_read: 0,
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| absolute(p))
}

/// Links the routes of every modelled Python module across modules and
/// runs the project-level server rules (WS203). When the run checks only
/// some files, the modules that include routers (or declare sibling
/// routes) elsewhere in the project are modelled for their facts only and
/// reported on nowhere. Returns how many such modules were read.
fn server_phase(
    settings: &Settings,
    project: &project::Project,
    mut models: Vec<project::python::ModelledModule>,
    checked: &std::collections::HashSet<PathBuf>,
    out: &mut Vec<Diagnostic>,
) -> usize {
    let enabled = settings
        .selection
        .rules()
        .any(|r| matches!(r.check, Check::ServerProject(_)));
    // WS203 reports at routes: a run whose checked modules have none has
    // nothing to link (a main.py that only includes routers, say).
    if !enabled || !models.iter().any(|m| m.model.has_routes()) {
        return 0;
    }
    let mut read = 0;
    if !project.covers_root() {
        // The modules that include a checked router live in its package
        // or beside it: the folder above its top-level package.
        let dirs: Vec<PathBuf> = checked
            .iter()
            .map(|f| project.resolver.python_package_parent(f))
            .collect();
        let found = project.scan_in(&dirs, &[Lang::Python], project::python::FACT_WORDS);
        let extra: Vec<project::python::ModelledModule> = found
            .par_iter()
            .filter(|p| !checked.contains(*p))
            .filter_map(|p| {
                let source = project.read(p)?;
                let link = project::python::Link::new(project, p);
                let model = lang::python::build(&source, Some(&link))?;
                Some(project::python::ModelledModule {
                    file: p.clone(),
                    model: Arc::new(model),
                    checked: false,
                })
            })
            .collect();
        read = extra.len();
        models.extend(extra.into_iter().filter(|m| m.model.has_route_facts()));
    }
    let linked = project::python::link_routes(project, models);
    run_rules(settings, &rule::NO_FACTS, &linked, out, |c| match c {
        Check::ServerProject(f) => Some(f),
        _ => None,
    });
    read
}

thread_local! {
    /// Where the last panic on this thread happened, for the report.
    static PANIC_AT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Installs a panic hook that records where a panic happened instead of
/// printing it: [`guarded`] turns it into a diagnostic. Call once, from
/// `main`.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        PANIC_AT.with(|p| *p.borrow_mut() = Some(at));
    }));
}

/// Runs `f`; a panic becomes a WS002 diagnostic on `path` asking for a bug
/// report, and the run goes on with the other files.
fn guarded<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, Box<Diagnostic>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = PANIC_AT
            .with(|p| p.borrow_mut().take())
            .map(|at| format!(" at {at}"))
            .unwrap_or_default();
        let mut d = io_error(
            path,
            format!("internal error while checking this file: {message}{at}"),
        );
        d.help(format!(
            "this is a bug in wslint {}; please report it with this file at {}/issues",
            env!("CARGO_PKG_VERSION"),
            env!("CARGO_PKG_REPOSITORY")
        ));
        Box::new(d)
    })
}

/// Set to a file name, makes checking that file panic: how the tests prove
/// that a panic costs one file, not the run.
static DEBUG_PANIC: LazyLock<Option<std::ffi::OsString>> =
    LazyLock::new(|| std::env::var_os("WSLINT_DEBUG_PANIC_ON"));

/// Builds each Apache configuration tree and runs the proxy rules on it.
/// Returns the files read only through includes.
/// Whether `path` (as shown) lies in the given path `given` (as shown).
fn within(path: &Path, given: &Path) -> bool {
    if given == Path::new(".") {
        return !path.is_absolute() && !path.starts_with("..");
    }
    path.starts_with(given)
}

/// Apache files of the project, outside the checked ones, that include
/// others: the context the checked files are read in (a vhost inherits the
/// main configuration's timeouts).
fn apache_context(
    project: &project::Project,
    checked: &[(PathBuf, Arc<ApacheFile>)],
) -> Vec<(PathBuf, Arc<ApacheFile>)> {
    let known: std::collections::HashSet<&PathBuf> = checked.iter().map(|(p, _)| p).collect();
    // The files that include a vhost sit a folder or two above it
    // (apache2/apache2.conf includes apache2/sites-enabled/*.conf).
    let dirs: Vec<PathBuf> = checked
        .iter()
        .filter_map(|(p, _)| p.ancestors().nth(3).map(Path::to_path_buf))
        .collect();
    project
        .scan_in(&dirs, &[Lang::Apache], &["include"])
        .into_par_iter()
        .filter(|p| !known.contains(p))
        .filter_map(|p| {
            let source = project.read(&p)?;
            if !lang::looks_like_apache(&source.text) {
                return None;
            }
            Some((p, Arc::new(lang::apache::parse::parse(source))))
        })
        .collect()
}

/// The heartbeats of the project's client modules that this run does not
/// check (it checks only part of the project).
fn project_heartbeats(
    project: &project::Project,
    checked: &std::collections::HashSet<PathBuf>,
) -> Vec<rule::HeartbeatFact> {
    project
        .scan(&[Lang::TypeScript, Lang::Tsx], &["websocket"])
        .into_par_iter()
        .filter(|p| !checked.contains(p))
        .filter_map(|p| {
            let lang = match lang::detect(&p) {
                Some(lang::Detected::Known(l)) => l,
                _ => return None,
            };
            let source = project.read(&p)?;
            if lang::looks_minified(&source.text) {
                return None;
            }
            let model = lang::ts::build(&source, lang)?;
            project::heartbeat::module_heartbeat(&model)
        })
        .collect()
}

fn apache_phase(
    settings: &Settings,
    project: &project::Project,
    facts: &rule::Facts,
    files: &[(PathBuf, Arc<ApacheFile>)],
    out: &mut Vec<Diagnostic>,
) -> Vec<Arc<ApacheFile>> {
    if files.is_empty() {
        return Vec::new();
    }
    let mut allowed: Vec<PathBuf> = settings
        .paths
        .iter()
        .filter_map(|p| {
            let abs = std::fs::canonicalize(p).ok()?;
            if abs.is_dir() {
                Some(abs)
            } else {
                abs.parent().map(Path::to_path_buf)
            }
        })
        .collect();
    allowed.extend(std::fs::canonicalize(&settings.root).ok());
    let server_root = settings
        .config
        .apache
        .server_root
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok());
    allowed.extend(server_root.clone());
    let env = IncludeEnv {
        allowed,
        server_root,
    };
    let read = |abs: &Path| -> Result<Source, String> {
        match read_file(
            abs,
            &project.display(abs),
            None,
            settings.config.files.max_size,
        ) {
            ReadOutcome::Text { source, .. } => Ok(source),
            ReadOutcome::Irrelevant => Err("binary file".into()),
            ReadOutcome::TooLarge(size) => Err(format!(
                "it is {size} bytes, over `files.max_size` ({} bytes)",
                settings.config.files.max_size
            )),
            ReadOutcome::Failed(m) => Err(m),
        }
    };
    let loader = Loader::new(files.iter().cloned(), &read);

    let mut visited: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    let mut order: Vec<usize> = lang::apache::roots(files, &env);
    // Files only reachable through an include cycle become roots in turn.
    let mut next_unvisited = 0;
    loop {
        for &i in &order {
            let (abs, file) = &files[i];
            if visited.contains(abs) {
                continue;
            }
            let (model, seen) = Walker::new(&loader, &env).run(abs, file.clone());
            visited.extend(seen);
            run_rules(settings, facts, &model, out, |c| match c {
                Check::Apache(f) => Some(f),
                _ => None,
            });
        }
        order.clear();
        while next_unvisited < files.len() {
            let i = next_unvisited;
            next_unvisited += 1;
            if !visited.contains(&files[i].0) {
                order.push(i);
                break;
            }
        }
        if order.is_empty() {
            break;
        }
    }
    for (loc, message) in loader
        .failures
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
    {
        let mut d = WS002.new_diagnostic(
            &loc.file,
            loc.span,
            format!("included file could not be read: {message}"),
        );
        d.help("fix the file or its permissions");
        out.push(d);
    }
    loader.extra.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// Applies suppressions, adds WS001, applies severities, sorts, dedups.
fn finish(
    diagnostics: Vec<Diagnostic>,
    mut suppressions: BTreeMap<PathBuf, FileSuppressions>,
    selection: &RuleSelection,
) -> Vec<Diagnostic> {
    let mut kept: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        if !selection.is_enabled(d.code) {
            continue;
        }
        if let Some(s) = suppressions.get_mut(&d.file.path)
            && s.silences(&d)
        {
            continue;
        }
        kept.push(d);
    }
    if selection.is_enabled(rules::engine::ws001_unused_suppression::RULE.code) {
        for s in suppressions.values() {
            kept.extend(s.unused(selection));
        }
    }
    for d in &mut kept {
        if let Some(sev) = selection.severity(d.code) {
            d.severity = sev;
        }
        d.labels
            .sort_by(|a, b| (&a.file.path, a.span).cmp(&(&b.file.path, b.span)));
    }
    kept.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.span.end.cmp(&b.span.end))
    });
    // The same file reached from two configuration trees reports once, with
    // the labels of both.
    let mut out: Vec<Diagnostic> = Vec::with_capacity(kept.len());
    let mut index: HashMap<(PathBuf, Span, &'static str, String), usize> = HashMap::new();
    for d in kept {
        let key = (d.file.path.clone(), d.span, d.code, d.message.clone());
        match index.get(&key) {
            Some(&i) => {
                for l in d.labels {
                    if !out[i]
                        .labels
                        .iter()
                        .any(|x| x.file.path == l.file.path && x.span == l.span)
                    {
                        out[i].labels.push(l);
                    }
                }
            }
            None => {
                index.insert(key, out.len());
                out.push(d);
            }
        }
    }
    out
}
