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

use std::path::PathBuf;

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

const MAGIC: &[u8; 8] = b"WSLFILE1";

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
        if deps.entries.iter().any(|(p, sig)| Sig::now(p) != *sig) {
            return None;
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
