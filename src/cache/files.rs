//! Per-file entries: what checking one TypeScript, JavaScript or Python
//! module gave (its diagnostics, its heartbeat and socket paths for the
//! proxy rules), keyed by the BLAKE3 hash of its text, its language, how
//! it is shown, and the run's settings and build. A run whose whole
//! entry misses (some file of the tree changed) still takes every module
//! whose text and dependencies are unchanged from here, and parses only
//! the others.
//!
//! An entry keeps what the check touched besides the module itself (the
//! modules its imports reach, the paths looked at to resolve them, the
//! tsconfig that maps them) with their signatures, and whether each file
//! asked about was checked in that run: it is used only while all of
//! these are unchanged. A Python module whose routes the server phase
//! links across modules is not kept (that phase needs its model).
//!
//! "Unchanged" is the `stat` signature first, and what the path holds when
//! that differs: a fresh checkout of the same commit (a CI job that
//! restores `.wslint_cache`) gives every file a new inode and new times
//! and the same bytes. Each dependency that is a file keeps the BLAKE3
//! hash of its bytes, each folder that of its sorted entry names and
//! kinds; a dependency whose signature changed is unchanged when its kind
//! and that hash are. A symbolic link, or anything but a file or a folder,
//! has no such fallback.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::codec::{self, Dec, Enc, Files};
use super::snapshot::{Sig, Snapshot};
use super::touch::Frame;
use crate::discover::Candidate;
use crate::lang::Lang;
use crate::project::ts::CheckedFiles;
use crate::project::wspaths::ClientFacts;
use crate::proxy::wspaths::Origin;
use crate::proxy::{Loc, WsPath};
use crate::rule::HeartbeatFact;
use crate::source::Source;

const MAGIC: &[u8; 8] = b"WSLFILE2";

/// What a file's check gives that a later run can take as it is.
#[derive(Default)]
pub struct Parts {
    pub diagnostics: Vec<crate::diagnostic::Diagnostic>,
    /// A client module's heartbeat and socket paths.
    pub client: Option<ClientFacts>,
}

/// The per-file entries of one run's cache.
pub struct FileCache {
    pub(super) dir: PathBuf,
    pub(super) top: PathBuf,
    pub(super) settings: [u8; 32],
    pub(super) start: i128,
    pub(super) max_size: u64,
    /// Texts standing in for files in this run: entries that depend on one
    /// are not taken, and nothing is stored.
    pub(super) overlay: crate::Overlay,
    /// What each dependency holds, hashed once per run ([`fingerprint`]).
    pub(super) prints: Mutex<HashMap<PathBuf, Option<[u8; 32]>>>,
}

/// What `p` holds, as a hash: a file's bytes (up to `max_size`), a
/// folder's sorted entry names with their kinds. `None` for a symbolic
/// link, anything else, or what cannot be read: no fallback for it.
fn fingerprint(p: &Path, max_size: u64) -> Option<[u8; 32]> {
    let meta = std::fs::symlink_metadata(p).ok()?;
    if meta.is_file() {
        if meta.len() > max_size {
            return None;
        }
        return Some(*blake3::hash(&std::fs::read(p).ok()?).as_bytes());
    }
    if !meta.is_dir() {
        return None;
    }
    let mut names: Vec<(std::ffi::OsString, bool)> = std::fs::read_dir(p)
        .ok()?
        .map(|e| {
            let e = e.ok()?;
            Some((e.file_name(), e.file_type().ok()?.is_dir()))
        })
        .collect::<Option<_>>()?;
    names.sort();
    let mut h = blake3::Hasher::new();
    for (name, dir) in &names {
        let bytes = name.as_encoded_bytes();
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
        h.update(&[u8::from(*dir)]);
    }
    Some(*h.finalize().as_bytes())
}

impl FileCache {
    fn key(&self, c: &Candidate, lang: Lang, source: &Source) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(&self.settings);
        h.update(format!("{lang:?} {}", c.explicit).as_bytes());
        h.update(&(c.path.as_os_str().len() as u64).to_le_bytes());
        h.update(c.path.as_os_str().as_encoded_bytes());
        h.update(blake3::hash(source.text.as_bytes()).as_bytes());
        *h.finalize().as_bytes()
    }

    /// [`fingerprint`] of `p`, once per run.
    fn print(&self, p: &Path) -> Option<[u8; 32]> {
        if let Some(known) = self.prints.lock().unwrap_or_else(|e| e.into_inner()).get(p) {
            return *known;
        }
        let print = fingerprint(p, self.max_size);
        self.prints
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p.to_path_buf(), print);
        print
    }

    /// Whether the dependency `p`, recorded as `sig` holding `print`, is as
    /// it was: the same signature, else the same kind holding the same.
    fn unchanged(&self, p: &Path, sig: &Sig, print: Option<[u8; 32]>) -> Option<bool> {
        let now = Sig::now(p);
        if now == *sig {
            return Some(false);
        }
        let same = now.kind == sig.kind
            && (sig.kind != 1 || now.size == sig.size)
            && print.is_some()
            && self.print(p) == print;
        same.then_some(true)
    }

    fn path(&self, key: &[u8; 32]) -> PathBuf {
        let hex: String = key[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(&hex[..2]).join(&hex[2..])
    }

    /// The parts an earlier check of this text gave, if everything it
    /// depended on is unchanged.
    pub fn lookup(
        &self,
        c: &Candidate,
        lang: Lang,
        source: &Source,
        checked: &CheckedFiles<'_>,
        project: &crate::project::Project,
    ) -> Option<Parts> {
        let key = self.key(c, lang, source);
        let bytes = std::fs::read(self.path(&key)).ok()?;
        let (rest, sum) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
        if blake3::hash(rest).as_bytes() != sum {
            return None;
        }
        let rest = rest.strip_prefix(MAGIC)?;
        let (k, rest) = rest.split_at_checked(32)?;
        if k != key {
            return None;
        }
        let mut d = Dec::new(rest);
        let deps = Snapshot::decode(&mut d)?;
        let mut by_content = false;
        for (p, sig) in &deps.entries {
            let print = match d.u8()? {
                0 => None,
                1 => Some(<[u8; 32]>::try_from(d.take(32)?).ok()?),
                _ => return None,
            };
            by_content |= self.unchanged(p, sig, print)?;
        }
        if self.overlay.is_active()
            && deps.entries.iter().any(|(p, _)| {
                self.overlay.get(p).is_some()
                    || self.overlay.get(&crate::discover::canonical(p)).is_some()
            })
        {
            return None;
        }
        for _ in 0..d.len()? {
            let p = d.path()?;
            let answer = d.u8()? == 1;
            if checked.contains(&p) != answer {
                return None;
            }
        }
        for _ in 0..d.len()? {
            let abs = d.path()?;
            let shown = d.path()?;
            if project.display(&abs) != shown {
                return None;
            }
        }
        let files = codec::decode_files(&mut d, self.max_size, Some(source))?;
        let diagnostics = codec::decode_diagnostics(&mut d, &files)?;
        let heartbeat = match d.u8()? {
            0 => None,
            1 => Some(HeartbeatFact {
                ms: f64::from_bits(d.u64()?),
                file: codec::file(&mut d, &files)?,
                span: codec::dec_span(&mut d)?,
                name: d.string()?,
            }),
            _ => return None,
        };
        let mut socket_paths = Vec::new();
        for _ in 0..d.len()? {
            let pattern = d.string()?;
            let mut samples = Vec::new();
            for _ in 0..d.len()? {
                samples.push(d.string()?);
            }
            let origin = match d.u8()? {
                0 => Origin::Endpoint,
                1 => Origin::Client,
                2 => Origin::Config,
                _ => return None,
            };
            let at = match d.u8()? {
                0 => None,
                1 => Some(Loc {
                    file: codec::file(&mut d, &files)?,
                    span: codec::dec_span(&mut d)?,
                }),
                _ => return None,
            };
            let anchored = d.u8()? == 1;
            socket_paths.push(WsPath {
                pattern,
                samples,
                origin,
                at,
                anchored,
                // Only an endpoint's path has one; no entry holds those.
                server: None,
            });
        }
        let client = match d.u8()? {
            0 => None,
            1 => Some(ClientFacts {
                heartbeat,
                paths: socket_paths,
            }),
            _ => return None,
        };
        if !d.is_empty() {
            return None;
        }
        // The run's own record: what this result depends on.
        super::touch::touch_all(deps.entries.iter().map(|(p, _)| p));
        if std::env::var_os("WSLINT_CACHE_TRACE").is_some() {
            let how = if by_content { " (by content)" } else { "" };
            eprintln!("cache: file entry{how} for {}", c.path.display());
        }
        Some(Parts {
            diagnostics,
            client,
        })
    }

    /// Keeps what checking `source` gave, with what the check touched
    /// (`frame`); nothing when a dependency changed while the run went on.
    pub fn store(&self, c: &Candidate, lang: Lang, source: &Source, parts: &Parts, frame: Frame) {
        if self.overlay.is_active() {
            return;
        }
        let empty = ClientFacts::default();
        let client = parts.client.as_ref().unwrap_or(&empty);
        if client.paths.iter().any(|p| p.server.is_some()) {
            return;
        }
        let key = self.key(c, lang, source);
        let Frame {
            mut touched,
            mut checked,
            mut shown,
        } = frame;
        checked.sort();
        checked.dedup();
        shown.sort();
        shown.dedup();
        // The module itself is the key; its own path is no dependency.
        touched.remove(c.path.as_path());
        touched.remove(c.abs.as_path());
        let deps = Snapshot::take_serial(touched, &self.top);
        if deps.racy(self.start).is_some() {
            return;
        }
        let mut e = Enc::default();
        e.buf.extend_from_slice(MAGIC);
        e.buf.extend_from_slice(&key);
        deps.encode(&mut e);
        for (p, sig) in &deps.entries {
            match matches!(sig.kind, 1 | 2).then(|| self.print(p)).flatten() {
                Some(print) => {
                    e.u8(1);
                    e.buf.extend_from_slice(&print);
                }
                None => e.u8(0),
            }
        }
        e.u64(checked.len() as u64);
        for (p, answer) in &checked {
            e.path(p);
            e.u8(u8::from(*answer));
        }
        e.u64(shown.len() as u64);
        for (abs, shown) in &shown {
            e.path(abs);
            e.path(shown);
        }
        let mut files = Files::default();
        let mut body = Enc::default();
        codec::encode_diagnostics(&parts.diagnostics, &mut files, &mut body);
        match &client.heartbeat {
            None => body.u8(0),
            Some(h) => {
                body.u8(1);
                body.u64(h.ms.to_bits());
                body.u64(files.id(&h.file));
                codec::span(&mut body, h.span);
                body.str(&h.name);
            }
        }
        body.u64(client.paths.len() as u64);
        for p in &client.paths {
            body.str(&p.pattern);
            body.u64(p.samples.len() as u64);
            for s in &p.samples {
                body.str(s);
            }
            body.u8(match p.origin {
                Origin::Endpoint => 0,
                Origin::Client => 1,
                Origin::Config => 2,
            });
            match &p.at {
                None => body.u8(0),
                Some(l) => {
                    body.u8(1);
                    body.u64(files.id(&l.file));
                    codec::span(&mut body, l.span);
                }
            }
            body.u8(u8::from(p.anchored));
        }
        body.u8(u8::from(parts.client.is_some()));
        files.encode(self.max_size, Some(source), &mut e);
        e.buf.extend_from_slice(&body.buf);
        let sum = blake3::hash(&e.buf);
        e.buf.extend_from_slice(sum.as_bytes());
        let path = self.path(&key);
        if let Some(parent) = path.parent()
            && std::fs::create_dir_all(parent).is_ok()
        {
            let _ = super::write_atomic(parent, &path, &e.buf);
        }
    }
}
