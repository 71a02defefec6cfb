//! One check of one open document, on a thread of its own: the run the
//! command line would make on that file, reading the editor's open
//! documents through an [`Overlay`], cancellable, and never unwinding into
//! the server.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::diagnostic::Diagnostic;
use crate::overlay::Overlay;
use crate::registry::Selector;
use crate::settings::{self, ConfigError};
use crate::{Options, Settings};

/// What the editor's client settings add to the configuration files
/// (`initializationOptions`, `workspace/didChangeConfiguration`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientSettings {
    /// A configuration file to read instead of searching for one.
    pub config: Option<PathBuf>,
    pub select: Option<Vec<Selector>>,
    pub ignore: Vec<Selector>,
}

impl ClientSettings {
    /// From `{"wslint": {...}}` or the inner object itself: `config` (a
    /// path), `select` and `ignore` (comma-separated strings or arrays).
    /// What cannot be read is said in the error; the rest still applies.
    pub fn from_json(value: &serde_json::Value) -> (ClientSettings, Vec<String>) {
        let obj = value.get("wslint").unwrap_or(value);
        let mut errors = Vec::new();
        let mut out = ClientSettings::default();
        if let Some(c) = obj.get("config").and_then(|c| c.as_str())
            && !c.is_empty()
        {
            out.config = Some(PathBuf::from(c));
        }
        let list = |key: &str, errors: &mut Vec<String>| -> Option<Vec<Selector>> {
            let v = obj.get(key)?;
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                serde_json::Value::Null => return None,
                _ => {
                    errors.push(format!("`{key}` must be a string or a list of strings"));
                    return None;
                }
            };
            if text.trim().is_empty() {
                return None;
            }
            match Selector::parse_list(&text) {
                Ok(s) => Some(s),
                Err(e) => {
                    errors.push(format!("`{key}`: {e}"));
                    None
                }
            }
        };
        out.select = list("select", &mut errors);
        out.ignore = list("ignore", &mut errors).unwrap_or_default();
        (out, errors)
    }
}

/// A check to run.
pub struct Job {
    pub id: u64,
    /// The document, canonical.
    pub abs: PathBuf,
    /// Every open document's text, by canonical path.
    pub docs: Arc<HashMap<PathBuf, Arc<str>>>,
    pub cancel: Arc<AtomicBool>,
    pub client: ClientSettings,
}

/// What a check gave.
pub enum Outcome {
    Checked {
        /// The document's findings (the run's findings about other files
        /// are dropped: only the checked file's are reported).
        diagnostics: Vec<Diagnostic>,
        /// Errors the run reported (an internal error in a file, ...).
        errors: Vec<String>,
        /// The files the check read: when one of them changes, the
        /// document is checked again.
        read: HashSet<PathBuf>,
        /// The configuration file the settings came from (absolute).
        config_path: Option<PathBuf>,
        elapsed: Duration,
    },
    /// The configuration the document falls under cannot be used.
    Config(ConfigError),
    /// A configuration file open in the editor, validated as it stands.
    ConfigText(Vec<settings::Problem>),
    Cancelled,
    /// The check panicked outside the pipeline's own guards.
    Panicked(String),
}

/// Test-only switches, read once: `WSLINT_DEBUG_CHECK_DELAY_MS` holds each
/// check that long before it starts (cancellation stays prompt), so the
/// protocol tests can overlap a check with later messages;
/// `WSLINT_DEBUG_SERVER_PANIC_ON=<file name>` panics in the server's check
/// of that file, outside the pipeline's per-file guard.
struct Debug {
    delay: Option<Duration>,
    panic_on: Option<std::ffi::OsString>,
}

static DEBUG: std::sync::LazyLock<Debug> = std::sync::LazyLock::new(|| Debug {
    delay: std::env::var("WSLINT_DEBUG_CHECK_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis),
    panic_on: std::env::var_os("WSLINT_DEBUG_SERVER_PANIC_ON"),
});

/// Runs `job`; a panic becomes [`Outcome::Panicked`].
pub fn run(job: &Job) -> Outcome {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(job))).unwrap_or_else(
        |payload| Outcome::Panicked(crate::phase::file::panic_message(payload.as_ref())),
    )
}

fn check(job: &Job) -> Outcome {
    let start = Instant::now();
    if let Some(delay) = DEBUG.delay {
        while start.elapsed() < delay {
            if job.cancel.load(Ordering::Relaxed) {
                return Outcome::Cancelled;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    if let Some(name) = &DEBUG.panic_on
        && job.abs.file_name() == Some(name.as_os_str())
    {
        panic!("WSLINT_DEBUG_SERVER_PANIC_ON asked for a panic");
    }
    if let Some(problems) = config_document(job) {
        return Outcome::ConfigText(problems);
    }
    let options = Options {
        paths: vec![job.abs.clone()],
        config: job.client.config.clone(),
        select: job.client.select.clone(),
        ignore: job.client.ignore.clone(),
        ..Options::default()
    };
    let mut settings = match Settings::from_options(&options) {
        Ok(s) => s,
        Err(e) => return Outcome::Config(e),
    };
    let overlay = Overlay::editor(job.docs.clone(), job.cancel.clone());
    settings.overlay = overlay.clone();
    let report = match job.docs.get(&job.abs) {
        // A buffer not saved yet has no file for the walk to find: it is
        // checked on its own, without the project's facts, until saved.
        Some(text) if !job.abs.exists() => {
            let mut report = crate::check_in_memory(
                &job.abs.to_string_lossy(),
                text.as_bytes(),
                settings.config.clone(),
            );
            report
                .diagnostics
                .retain(|d| settings.selection.is_enabled(d.code));
            report
        }
        _ => crate::run(&settings),
    };
    if overlay.cancelled() {
        return Outcome::Cancelled;
    }
    let diagnostics = report
        .diagnostics
        .into_iter()
        .filter(|d| same_file(&d.file.path, &job.abs))
        .collect();
    Outcome::Checked {
        diagnostics,
        errors: report.errors,
        read: overlay.paths_read(),
        config_path: settings
            .config_path
            .as_deref()
            .and_then(|p| std::path::absolute(p).ok())
            .map(|p| crate::paths::normalize(&p)),
        elapsed: start.elapsed(),
    }
}

/// A configuration file open in the editor is checked as configuration:
/// its text as it stands, with the problems `wslint check` would refuse.
fn config_document(job: &Job) -> Option<Vec<settings::Problem>> {
    let name = job.abs.file_name()?.to_str()?;
    if !settings::CONFIG_FILES.contains(&name) {
        return None;
    }
    let text = job.docs.get(&job.abs)?;
    let is_pyproject = name == "pyproject.toml";
    if is_pyproject && !text.contains("tool.wslint") {
        return Some(Vec::new());
    }
    let base = job.abs.parent().unwrap_or(Path::new("/"));
    Some(
        settings::parse(text, is_pyproject, base)
            .err()
            .unwrap_or_default(),
    )
}

fn same_file(shown: &Path, abs: &Path) -> bool {
    shown == abs || std::path::absolute(shown).is_ok_and(|p| crate::paths::normalize(&p) == abs)
}
