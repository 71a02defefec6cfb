//! The per-file phase: one file read, decoded, told apart (a configuration
//! file by its content), parsed once, modelled once, and checked by every
//! per-file rule. What later phases need from it (a configuration tree's
//! file, a server model, a heartbeat, socket paths) is kept in the result.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use crate::cache::files::{FileCache, Parts};
use crate::cache::touch::Frame;
use crate::diagnostic::Diagnostic;
use crate::discover::{Candidate, DetectedOrd};
use crate::lang::{self, Lang};
use crate::phase::proxy::ProxyFile;
use crate::project::wspaths::ClientFacts;
use crate::project::{self, Project};
use crate::rule::{self, Check};
use crate::rules::engine::ws002_io_error::RULE as WS002;
use crate::rules::engine::ws003_file_skipped::RULE as WS003;
use crate::source::{Source, SourceFile, Span};
use crate::suppress::{self, FileSuppressions};
use crate::{ReadOutcome, Settings, decode, read_file, run_rules};

/// One file after reading, parsing and its per-file rules.
#[derive(Clone, Default)]
pub struct FileResult {
    pub checked: bool,
    /// Named on the command line, and of no kind wslint reads (a `.conf`
    /// whose content is no proxy's).
    pub no_kind: bool,
    /// Checking it panicked (the diagnostic says so).
    pub panicked: bool,
    /// A client module's heartbeat (WS303) and socket URL paths.
    pub client: Option<ClientFacts>,
    pub diagnostics: Vec<Diagnostic>,
    pub suppressions: Option<FileSuppressions>,
    /// A proxy configuration file, for the proxy phase.
    pub proxy: Option<ProxyFile>,
    /// A Python module's model, kept for the project-level server rules.
    pub server: Option<Arc<lang::python::ServerModel>>,
}

impl FileResult {
    /// The result of a file whose reading or checking panicked
    /// ([`guarded`]): the diagnostic that says so.
    pub fn panicked(d: Box<Diagnostic>) -> FileResult {
        FileResult {
            diagnostics: vec![*d],
            panicked: true,
            ..FileResult::default()
        }
    }
}

fn skipped(path: &Path, message: String, help: &str) -> Diagnostic {
    let file = Arc::new(SourceFile::new(path.to_path_buf(), ""));
    let mut d = WS003.new_diagnostic(&file, Span::default(), message);
    d.help(help);
    d
}

fn too_large_warning(path: &Path, size: u64, max_size: u64) -> Diagnostic {
    skipped(
        path,
        format!("not checked: the file is {size} bytes, over `files.max_size` ({max_size} bytes)"),
        "raise `files.max_size` to check it, or exclude it with `files.exclude` if it is generated",
    )
}

fn minified_warning(path: &Path, source: &Source) -> Diagnostic {
    skipped(
        path,
        format!(
            "not checked: the file looks minified ({} bytes on {} lines); generated code is checked in its sources",
            source.text.len(),
            source.line_count()
        ),
        "exclude generated bundles with `files.exclude` (or .gitignore)",
    )
}

pub fn io_error(path: &Path, message: String) -> Diagnostic {
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

/// Set to a file name, makes checking that file panic: how the tests prove
/// that a panic costs one file, not the run.
static DEBUG_PANIC: LazyLock<Option<std::ffi::OsString>> =
    LazyLock::new(|| std::env::var_os("WSLINT_DEBUG_PANIC_ON"));

/// A file after reading: done with (nothing to check, or a reason not
/// to), or text of a language to check.
#[derive(Clone)]
pub enum Stage {
    Done(FileResult),
    Text {
        source: Source,
        lang: Lang,
        invalid_utf8_at: Option<usize>,
    },
}

/// Checks one file; `preloaded` gives its bytes instead of reading them.
pub fn process(
    candidate: &Candidate,
    settings: &Settings,
    project: &Project,
    checked: &project::ts::CheckedFiles<'_>,
    preloaded: Option<&[u8]>,
) -> FileResult {
    let stage = read(candidate, settings, preloaded);
    check(candidate, settings, project, checked, stage, None)
}

/// Reads one file and tells what it is: the part of checking a file that
/// needs nothing from the others, so it runs as the walk finds the file.
pub fn read(candidate: &Candidate, settings: &Settings, preloaded: Option<&[u8]>) -> Stage {
    if let Some(name) = DEBUG_PANIC.as_ref()
        && candidate.path.file_name() == Some(name.as_os_str())
    {
        panic!("WSLINT_DEBUG_PANIC_ON asked for a panic");
    }
    // A configuration file named on the command line is told by its
    // content even when no proxy word is in it: it is checked, reported,
    // or counted as of no kind, never dropped without a word.
    let filter = match candidate.detected {
        DetectedOrd::Config(_) if candidate.explicit => None,
        d => Some(d.filter_lang()),
    };
    let max_size = settings.config.files.max_size;
    // An editor's unsaved text stands for the file on disk.
    let open = match settings.overlay.text(&candidate.abs) {
        Ok(open) => open,
        Err(_) => {
            return Stage::Done(FileResult {
                diagnostics: vec![io_error(&candidate.path, crate::overlay::CANCELLED.into())],
                ..FileResult::default()
            });
        }
    };
    let preloaded = preloaded.or(open.as_deref().map(str::as_bytes));
    let outcome = match preloaded {
        Some(bytes) if bytes.len() as u64 > max_size => ReadOutcome::TooLarge(bytes.len() as u64),
        Some(bytes) => decode(bytes, &candidate.path, filter),
        None if candidate.explicit => read_file(&candidate.path, &candidate.path, filter, max_size),
        None => crate::read::read_walked(&candidate.path, &candidate.path, filter, max_size),
    };
    let (source, invalid) = match outcome {
        ReadOutcome::Text {
            source,
            invalid_utf8_at,
        } => (source, invalid_utf8_at),
        // Nothing a rule reads: looked at, and clean.
        ReadOutcome::Irrelevant => {
            return Stage::Done(FileResult {
                checked: candidate.explicit,
                ..FileResult::default()
            });
        }
        ReadOutcome::Binary if candidate.explicit => {
            return Stage::Done(FileResult {
                diagnostics: vec![skipped(
                    &candidate.path,
                    "not checked: the file is binary (a NUL byte in its first 8 KiB)".into(),
                    "name only text files, or exclude it with `files.exclude`",
                )],
                ..FileResult::default()
            });
        }
        ReadOutcome::Binary => return Stage::Done(FileResult::default()),
        ReadOutcome::TooLarge(size) => {
            return Stage::Done(FileResult {
                diagnostics: vec![too_large_warning(&candidate.path, size, max_size)],
                ..FileResult::default()
            });
        }
        ReadOutcome::Failed(message) => {
            return Stage::Done(FileResult {
                diagnostics: vec![io_error(&candidate.path, message)],
                ..FileResult::default()
            });
        }
    };
    let lang = match candidate.detected {
        DetectedOrd::Known(l) => l,
        DetectedOrd::Config(expect) => {
            match (lang::classify_config(&candidate.path, &source.text), expect) {
                (Some(l), _) => l,
                (None, Some(expected)) => {
                    return Stage::Done(FileResult {
                        diagnostics: vec![skipped(
                            &candidate.path,
                            format!(
                                "not checked: its name says {} configuration, but its content is not {} (nor another proxy's) syntax",
                                expected.product(),
                                expected.product()
                            ),
                            "if it is generated or in another format, exclude it with `files.exclude`",
                        )],
                        ..FileResult::default()
                    });
                }
                (None, None) => {
                    return Stage::Done(FileResult {
                        no_kind: candidate.explicit,
                        ..FileResult::default()
                    });
                }
            }
        }
    };
    if let Some(fw) = lang::sfc::Framework::of(lang)
        && let Some(at) = lang::sfc::Component::read(&source.text, fw).unterminated_tag
    {
        let line = source.line_col(at).line;
        return Stage::Done(FileResult {
            diagnostics: vec![skipped(
                &candidate.path,
                format!(
                    "not checked: the `<script` tag at line {line} never ends (no `>`), so its script cannot be read; {} refuses the file too",
                    fw.name()
                ),
                "close the tag (`<script setup lang=\"ts\">`)",
            )],
            ..FileResult::default()
        });
    }
    if matches!(lang, Lang::TypeScript | Lang::Tsx) && lang::looks_minified(&source.text) {
        return Stage::Done(FileResult {
            diagnostics: vec![minified_warning(&candidate.path, &source)],
            ..FileResult::default()
        });
    }
    Stage::Text {
        source,
        lang,
        invalid_utf8_at: invalid,
    }
}

/// Parses, models and checks a file [`read`] found text in.
pub fn check(
    candidate: &Candidate,
    settings: &Settings,
    project: &Project,
    checked: &project::ts::CheckedFiles<'_>,
    stage: Stage,
    cache: Option<&FileCache>,
) -> FileResult {
    let (source, lang, invalid) = match stage {
        Stage::Done(r) => return r,
        Stage::Text {
            source,
            lang,
            invalid_utf8_at,
        } => (source, lang, invalid_utf8_at),
    };
    let mut result = FileResult {
        checked: true,
        suppressions: suppress::scan(&source, lang),
        ..FileResult::default()
    };
    if let Some(at) = invalid {
        result.diagnostics.push(invalid_utf8(&source, at));
    }
    if settings.parse_only {
        parse_only(lang, source);
        return result;
    }
    // A copy of someone else's code (`node_modules/`, `vendor/`): a
    // library's own source is not a call site of it, and a dependency is
    // not the project's to fix. Named on the command line, it is read
    // and reported clean.
    if (lang.is_client() || lang == Lang::Python) && dependency_copy(candidate, settings) {
        return result;
    }
    match lang {
        Lang::Apache | Lang::Nginx | Lang::Haproxy | Lang::Kubernetes | Lang::Terraform => {
            result.proxy = crate::phase::proxy::parse(lang, source);
            if let Some(p) = &result.proxy {
                result.diagnostics.extend(p.skipped());
            }
        }
        Lang::TypeScript | Lang::Tsx | Lang::Vue | Lang::Svelte | Lang::Python => {
            let cached = cache.and_then(|fc| fc.lookup(candidate, lang, &source, checked, project));
            let parts = match cached {
                Some(parts) => parts,
                None => {
                    let frame = cache.map(|_| Frame::start());
                    let parts = check_module(
                        candidate,
                        settings,
                        project,
                        checked,
                        &source,
                        lang,
                        &mut result,
                    );
                    if let (Some(fc), Some(frame)) = (cache, frame) {
                        let frame = frame.end();
                        // The server phase needs the model of a module with
                        // routes: it is not kept.
                        if result.server.is_none() {
                            fc.store(candidate, lang, &source, &parts, frame);
                        }
                    }
                    parts
                }
            };
            result.diagnostics.extend(parts.diagnostics);
            result.client = parts.client;
        }
    }
    result
}

/// Models a TypeScript/JavaScript or Python module and runs the per-file
/// rules on it; a Python model with route facts goes into `result` for the
/// server phase.
fn check_module(
    candidate: &Candidate,
    settings: &Settings,
    project: &Project,
    checked: &project::ts::CheckedFiles<'_>,
    source: &Source,
    lang: Lang,
    result: &mut FileResult,
) -> Parts {
    let mut parts = Parts::default();
    if lang == Lang::Python {
        let link = project::python::Link::new(project, &candidate.path);
        if let Some(mut model) = lang::python::build(source, Some(&link)) {
            run_rules(
                settings,
                &rule::NO_FACTS,
                &model,
                &mut parts.diagnostics,
                |c| match c {
                    Check::Server(f) | Check::Servers { python: f, .. } => Some(f),
                    _ => None,
                },
            );
            if model.has_route_facts() {
                crate::rules::server::ws203_ws_route_org_filter::keep_for_project(
                    settings, &mut model,
                );
                result.server = Some(Arc::new(model));
            }
        }
        return parts;
    }
    // Imported values resolve through the project.
    let abs = candidate.abs.clone();
    if let Some(model) = project::ts::build(project, checked, &abs, source, lang)
        && !lang::ts::libs::in_library_package(&abs)
    {
        run_rules(
            settings,
            &rule::NO_FACTS,
            &model,
            &mut parts.diagnostics,
            |c| match c {
                Check::Client(f) | Check::Servers { javascript: f, .. } => Some(f),
                _ => None,
            },
        );
        parts.client = ClientFacts::of(&model);
    }
    parts
}

/// `--parse-only`: the parse a check starts with, and nothing after it
/// (the floor the benchmark compares a whole run with).
fn parse_only(lang: Lang, source: Source) {
    match lang {
        l if l.is_client() => {
            std::hint::black_box(lang::ts::parse(&source.text, lang));
        }
        Lang::Python => {
            std::hint::black_box(lang::python::parse(&source.text));
        }
        _ => {
            std::hint::black_box(crate::phase::proxy::parse(lang, source));
        }
    }
}

/// Whether a module lies in a dependency's or vendored folder below the
/// project root (folders above the root, whatever their names, do not
/// count: a project may well live in `~/vendor/app`).
fn dependency_copy(candidate: &Candidate, settings: &Settings) -> bool {
    use lang::ts::libs::is_dependency_path;
    // Below the root, and in a path given relative to where wslint runs
    // (`node_modules/x/index.js`, whose folder is the root when no
    // version control marks one).
    candidate
        .abs
        .strip_prefix(&settings.root)
        .is_ok_and(is_dependency_path)
        || (candidate.path.is_relative() && is_dependency_path(&candidate.path))
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

/// What a panic said.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Runs `f`; a panic becomes a WS002 diagnostic on `path` asking for a bug
/// report, and the run goes on with the other files.
pub fn guarded<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, Box<Diagnostic>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let message = panic_message(payload.as_ref());
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
