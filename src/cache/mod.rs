//! The cache of earlier runs (`.wslint_cache/` at the project root, or
//! `cache.dir`): a run whose inputs are all as they were gives the report
//! it gave then, without reading or parsing anything but the files its
//! diagnostics point at.
//!
//! **What a result depends on.** A run's report is a function of the
//! settings (every configuration value, the rule selection, the paths as
//! given, the current folder, the project root), the wslint build, and
//! what it found on disk: every folder it walked or listed, every file it
//! read (the checked files, the modules their imports reach, the files
//! that include a proxy file, the project's clients and endpoints when a
//! proxy rule needed them, `.gitignore` files, tsconfigs), and every path
//! it looked for and did not find. Every such access goes through
//! [`touch`] (reads in [`crate::read`], lookups through the helpers
//! below), so the record is complete by construction: the cache keys the
//! settings and the build, and keeps the record with the report.
//!
//! **What makes a warm run cheap.** It trusts a path whose `stat`
//! signature (kind, device, inode, size, mtime and ctime in nanoseconds)
//! is the one recorded, as git's index and ruff do, instead of hashing
//! its bytes: a warm run costs one `stat` per touched path and a read of
//! each file a diagnostic points at. The content hash stays the key of
//! truth where the signature cannot be: the text of every file a cached
//! diagnostic shows is read and checked against the BLAKE3 hash of the
//! text the run had, and a mismatch discards the entry. A signature can
//! only lie about a write in the same clock tick as the stat ("racy
//! git"); a run in which any touched path changed at or after the run
//! began (on the file system's clock, from a file the run creates) stores
//! nothing.
//!
//! **Sharing.** Entries are written to a temporary file and renamed into
//! place, so a reader sees a whole entry or none; each carries its key and
//! a BLAKE3 checksum of its bytes, so a truncated, corrupt or foreign
//! entry is ignored and rewritten. Two runs sharing the cache at once
//! each write a whole entry; the last rename wins, and both are right.
//! A folder that cannot be written turns the cache off for the run, with
//! a note.

pub mod codec;
pub mod files;
pub mod snapshot;
pub mod touch;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use codec::{Dec, Enc};
use snapshot::{Sig, Snapshot};
pub use touch::{Recording, touch, touch_read, touch_read_meta};

use crate::{Report, Settings};

/// The cache folder's name at the project root.
pub const DEFAULT_DIR: &str = ".wslint_cache";
/// Bumped when the entry format changes.
const FORMAT: u64 = 1;
const MAGIC: &[u8; 8] = b"WSLCACHE";
/// Entries kept per wslint version: the oldest go first.
const MAX_ENTRIES: usize = 64;

/// The version part of the key: the package version, or
/// `WSLINT_CACHE_VERSION` (for tests of a version change), and the
/// build's own identity (its size and mtime), so that a rebuilt binary
/// never reads what another build wrote.
fn version() -> String {
    let package = std::env::var("WSLINT_CACHE_VERSION")
        .unwrap_or_else(|_| env!("CARGO_PKG_VERSION").to_string());
    let build = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| {
            let s = Sig::of(&m);
            format!("{}-{}", s.size, s.mtime)
        })
        .unwrap_or_default();
    format!("{package}+{build}")
}

/// The folder name of a version: the package version only (entries of
/// other builds of it are told apart by their key).
fn version_dir() -> String {
    let v = std::env::var("WSLINT_CACHE_VERSION")
        .unwrap_or_else(|_| env!("CARGO_PKG_VERSION").to_string());
    v.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Everything of the settings a report depends on.
fn key(settings: &Settings) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    let mut part = |s: &str| {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    part(&format!("format {FORMAT}"));
    part(&version());
    part(&format!("{:?}", settings.config));
    part(&format!("{:?}", settings.selection));
    part(&format!("{:?}", settings.paths));
    part(&format!("{:?}", settings.root));
    part(&format!("{:?}", settings.exclude_root));
    part(&format!("{:?}", settings.config_path));
    part(&format!(
        "{} {}",
        settings.respect_gitignore, settings.force_exclude
    ));
    part(&format!("{:?}", std::env::current_dir().ok()));
    *h.finalize().as_bytes()
}

/// What of the settings a per-file entry depends on: a module's check reads
/// the configuration, the rule selection and the project root (imports
/// resolve inside it), nothing else of them. How other files are shown and
/// which are checked are recorded per entry.
fn file_key(settings: &Settings) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    for s in [
        format!("format {FORMAT}"),
        version(),
        format!("{:?}", settings.config),
        format!("{:?}", settings.selection),
        format!("{:?}", settings.root),
    ] {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    }
    *h.finalize().as_bytes()
}

/// Notes about the cache for the person running wslint (stderr).
fn trace(notes: &mut Vec<String>, what: impl FnOnce() -> String) {
    if std::env::var_os("WSLINT_CACHE_TRACE").is_some() {
        notes.push(format!("cache: {}", what()));
    }
}

/// The cache of one run.
pub struct Cache {
    /// The cache folder (what snapshots leave out).
    top: PathBuf,
    /// Its folder for this wslint version.
    dir: PathBuf,
    key: [u8; 32],
    /// The temporary file this run writes its entry into; its mtime is the
    /// file system's clock when the run began.
    temp: PathBuf,
    start: i128,
    max_size: u64,
    pub notes: Vec<String>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The text of the `.gitignore` the cache writes into its folder.
const GITIGNORE: &str = "# Written by wslint: its cache is never committed.\n*\n";
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by wslint.\n# For information about cache directory tags see https://bford.info/cachedir/\n";

impl Cache {
    /// Opens (creating it if needed) the cache folder `top` for a run with
    /// `settings`. `Err` is a note saying why the run goes on uncached.
    pub fn open(settings: &Settings, top: &Path) -> Result<Cache, String> {
        let fail = |what: &str, e: std::io::Error| {
            format!(
                "cannot use the cache folder {} ({what}: {e}); checking without the cache",
                top.display()
            )
        };
        let dir = top.join(version_dir());
        let created = !top.exists();
        std::fs::create_dir_all(&dir).map_err(|e| fail("create", e))?;
        for (name, text) in [(".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)] {
            let p = top.join(name);
            if !p.exists() {
                write_atomic(top, &p, text.as_bytes()).map_err(|e| fail("write", e))?;
            }
        }
        let temp = dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let mut start = start_time(&temp).map_err(|e| fail("write", e))?;
        // Creating the folder changed the one above it (the project root,
        // usually): wait for the file system's clock to pass that change,
        // or this first run could not keep its entry (it would look like a
        // change in the same instant as the run). Once per cache folder, a
        // few milliseconds at most.
        if created && let Some(parent) = top.parent() {
            let changed = Sig::now(parent).mtime;
            for _ in 0..100 {
                if start > changed {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
                start = start_time(&temp).map_err(|e| fail("write", e))?;
            }
        }
        let mut notes = Vec::new();
        trace(&mut notes, || format!("open {}", dir.display()));
        Ok(Cache {
            top: top.to_path_buf(),
            dir,
            key: key(settings),
            temp,
            start,
            max_size: settings.config.files.max_size,
            notes,
        })
    }

    /// The per-file entries, for the file phase of a run this cache missed.
    ///
    /// A run reading texts that stand in for files (the fix engine's
    /// rounds) takes an entry only when neither the module nor anything it
    /// depended on is one of them (the module's own text is its key), and
    /// keeps nothing: its results are not the files'.
    pub fn files(&self, settings: &Settings) -> files::FileCache {
        files::FileCache {
            dir: self.dir.join("files"),
            top: self.top.clone(),
            settings: file_key(settings),
            start: self.start,
            max_size: self.max_size,
            overlay: settings.overlay.clone(),
            prints: std::sync::Mutex::default(),
        }
    }

    fn entry_path(&self) -> PathBuf {
        let hex: String = self.key[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("run-{hex}"))
    }

    /// The report of an earlier run with the same settings whose inputs
    /// are all as they were.
    pub fn lookup(&mut self) -> Option<Report> {
        let path = self.entry_path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(_) => {
                trace(&mut self.notes, || "miss (no entry)".into());
                return None;
            }
        };
        let Some(body) = self.verified(&bytes) else {
            trace(&mut self.notes, || {
                "miss (entry corrupt, truncated or of another key; rewritten)".into()
            });
            return None;
        };
        let mut d = Dec::new(body);
        let Some(snapshot) = Snapshot::decode(&mut d) else {
            trace(&mut self.notes, || "miss (entry unreadable)".into());
            return None;
        };
        if let Some(changed) = snapshot.changed() {
            let changed = changed.display().to_string();
            trace(&mut self.notes, || format!("miss ({changed} changed)"));
            return None;
        }
        match codec::decode_report(&mut d, self.max_size) {
            Some(report) if d.is_empty() => {
                let n = snapshot.entries.len();
                trace(&mut self.notes, || format!("hit ({n} paths unchanged)"));
                Some(report)
            }
            _ => {
                trace(&mut self.notes, || {
                    "miss (a reported file's text is not the one recorded)".into()
                });
                None
            }
        }
    }

    /// The body of an entry: its magic, format, key and checksum checked.
    fn verified<'b>(&self, bytes: &'b [u8]) -> Option<&'b [u8]> {
        let (rest, sum) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
        if blake3::hash(rest).as_bytes() != sum {
            return None;
        }
        let rest = rest.strip_prefix(MAGIC)?;
        let (format, rest) = rest.split_at_checked(8)?;
        if u64::from_le_bytes(format.try_into().ok()?) != FORMAT {
            return None;
        }
        let (key, rest) = rest.split_at_checked(32)?;
        (key == self.key).then_some(rest)
    }

    /// Stores `report` with the state of every path the run `touched`.
    pub fn store(&mut self, touched: touch::Touched, report: &Report) {
        let snapshot = Snapshot::take(touched, &self.top);
        if let Some(p) = snapshot.racy(self.start) {
            let p = p.display().to_string();
            trace(&mut self.notes, || {
                format!("not stored ({p} changed while the run went on)")
            });
            return;
        }
        let mut e = Enc::default();
        e.buf.extend_from_slice(MAGIC);
        e.u64(FORMAT);
        e.buf.extend_from_slice(&self.key);
        snapshot.encode(&mut e);
        codec::encode_report(report, self.max_size, &mut e);
        let sum = blake3::hash(&e.buf);
        e.buf.extend_from_slice(sum.as_bytes());
        let written = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.temp)
            .and_then(|mut f| f.write_all(&e.buf))
            .and_then(|()| std::fs::rename(&self.temp, self.entry_path()));
        match written {
            Ok(()) => {
                let n = snapshot.entries.len();
                trace(&mut self.notes, || format!("stored ({n} paths)"));
                self.prune();
            }
            Err(err) => self.notes.push(format!(
                "cannot write to the cache folder {}: {err}",
                self.dir.display()
            )),
        }
    }

    /// Keeps the newest [`MAX_ENTRIES`] entries (a pre-commit hook names
    /// new files on every commit).
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut runs: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("run-"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        if runs.len() <= MAX_ENTRIES {
            return;
        }
        runs.sort();
        for (_, p) in &runs[..runs.len() - MAX_ENTRIES] {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        // Gone already when the entry was stored.
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// Creates (or truncates) `temp` and gives its mtime: the file system's
/// clock now.
fn start_time(temp: &Path) -> std::io::Result<i128> {
    let file = std::fs::File::create(temp)?;
    Ok(Sig::of(&file.metadata()?).mtime)
}

/// Writes `bytes` to `path` through a temporary file in `dir` renamed into
/// place.
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

// Lookups that a result may depend on, recorded for the cache.

/// [`Path::is_file`], recorded.
pub fn is_file(p: &Path) -> bool {
    touch(p);
    p.is_file()
}

/// [`Path::is_dir`], recorded.
pub fn is_dir(p: &Path) -> bool {
    touch(p);
    p.is_dir()
}

/// [`Path::exists`], recorded.
pub fn exists(p: &Path) -> bool {
    touch(p);
    p.exists()
}

/// [`std::fs::canonicalize`], recorded (the path and the one it names).
pub fn canonicalize(p: &Path) -> std::io::Result<PathBuf> {
    touch(p);
    let c = std::fs::canonicalize(p)?;
    touch(&c);
    Ok(c)
}

/// [`std::fs::read_dir`], recorded (a folder's mtime changes with its
/// entries).
pub fn read_dir(p: &Path) -> std::io::Result<std::fs::ReadDir> {
    touch(p);
    std::fs::read_dir(p)
}

/// [`std::fs::read_to_string`], recorded.
pub fn read_to_string(p: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(p).inspect_err(|_| touch(p))?;
    touch_read(p, &f);
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s)?;
    Ok(s)
}

/// The files that decide what a walk of `dir` skips: its `.gitignore` and
/// `.ignore`, recorded (whether they exist, and their state).
pub fn touch_ignore_files(dir: &Path) {
    if touch::recording() {
        touch(&dir.join(".gitignore"));
        touch(&dir.join(".ignore"));
        touch(&dir.join(".git/info/exclude"));
    }
}

/// The git configuration and global ignore files a walk may read.
pub fn touch_global_ignores() {
    if !touch::recording() {
        return;
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        touch(&home.join(".gitconfig"));
        touch(&home.join(".config/git/ignore"));
        touch(&home.join(".config/git/config"));
    }
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from) {
        touch(&xdg.join("git/ignore"));
        touch(&xdg.join("git/config"));
    }
}
