//! What a run reads instead of the disk: texts that stand in for files
//! (the fix engine's edited texts between its rounds; the unsaved text of
//! the files open in an editor, for `wslint server`), and, for the editor,
//! whether the check is still wanted and which files it read.
//!
//! Every read of a file the checked files depend on (the checked file
//! itself, an imported module, a client heartbeat found by a project scan,
//! an included proxy file) asks the run's [`Overlay`] first: a text it
//! holds stands for the file on disk, so an unsaved constant in another
//! buffer counts. A plain command-line run has the empty overlay, which
//! costs one branch per read.
//!
//! The editor's overlay answers its two other needs, since every read
//! passes through it: a check that a newer edit made stale is cancelled
//! (its remaining reads fail at once, and the server drops its result), and
//! the files a check read are recorded, so that the server knows which open
//! documents to check again when one of those files changes.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::lang::Lang;
use crate::read::{self, BytesError, ReadOutcome};

/// Texts by canonical absolute path, and for an editor's check a
/// cancellation flag and a log of the paths read. Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Overlay {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    docs: Arc<HashMap<PathBuf, Arc<str>>>,
    cancel: Option<Arc<AtomicBool>>,
    read: Option<Mutex<HashSet<PathBuf>>>,
}

impl std::fmt::Debug for Overlay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            None => f.write_str("Overlay(none)"),
            Some(i) => write!(f, "Overlay({} documents)", i.docs.len()),
        }
    }
}

/// What a cancelled check's reads fail with.
pub const CANCELLED: &str = "the check was cancelled";

/// The check reading through the overlay was cancelled.
#[derive(Debug)]
pub struct Cancelled;

impl Overlay {
    /// `texts` (keyed by canonical absolute path) read in place of the disk.
    pub fn new(texts: HashMap<PathBuf, Arc<str>>) -> Self {
        if texts.is_empty() {
            return Overlay::default();
        }
        Overlay {
            inner: Some(Arc::new(Inner {
                docs: Arc::new(texts),
                cancel: None,
                read: None,
            })),
        }
    }

    /// An editor's check: `docs` (keyed by canonical absolute path) read in
    /// place of the disk, every read recorded, and once `cancel` is set,
    /// every further read fails.
    pub fn editor(docs: Arc<HashMap<PathBuf, Arc<str>>>, cancel: Arc<AtomicBool>) -> Self {
        Overlay {
            inner: Some(Arc::new(Inner {
                docs,
                cancel: Some(cancel),
                read: Some(Mutex::new(HashSet::new())),
            })),
        }
    }

    /// Whether any text stands in for a file (the cache is then not used).
    pub fn is_active(&self) -> bool {
        self.inner.is_some()
    }

    /// The text standing in for the file at canonical path `abs` (not
    /// recorded as read).
    pub fn get(&self, abs: &Path) -> Option<&str> {
        self.inner.as_ref()?.docs.get(abs).map(|t| &**t)
    }

    /// Whether the check reading through this overlay was cancelled.
    pub fn cancelled(&self) -> bool {
        self.inner
            .as_ref()
            .and_then(|i| i.cancel.as_ref())
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// The paths read so far (canonical, as the readers asked for them);
    /// recorded by an editor's overlay only.
    pub fn paths_read(&self) -> HashSet<PathBuf> {
        match self.inner.as_ref().and_then(|i| i.read.as_ref()) {
            Some(read) => read.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            None => HashSet::new(),
        }
    }

    /// What to read for `abs`: `Err` when cancelled, `Ok(Some(text))` for an
    /// open document, `Ok(None)` for the disk. Records the read.
    fn lookup(&self, abs: &Path) -> Result<Option<Arc<str>>, Cancelled> {
        let Some(i) = &self.inner else {
            return Ok(None);
        };
        if i.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Cancelled);
        }
        if let Some(read) = &i.read {
            read.lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(abs.to_path_buf());
        }
        Ok(i.docs.get(abs).cloned())
    }

    /// An open document's text standing for `abs`, for a reader that
    /// decodes bytes itself. `Err` when the check was cancelled.
    pub fn text(&self, abs: &Path) -> Result<Option<Arc<str>>, Cancelled> {
        self.lookup(abs)
    }

    /// [`read::read_file`] through the overlay (`abs` canonical).
    pub fn read_file(
        &self,
        abs: &Path,
        display: &Path,
        filter: Option<Lang>,
        max_size: u64,
    ) -> ReadOutcome {
        match self.lookup(abs) {
            Err(Cancelled) => ReadOutcome::Failed(CANCELLED.into()),
            Ok(Some(text)) if text.len() as u64 > max_size => {
                ReadOutcome::TooLarge(text.len() as u64)
            }
            Ok(Some(text)) => read::decode(text.as_bytes(), display, filter),
            Ok(None) => read::read_file(abs, display, filter, max_size),
        }
    }

    /// [`read::read_bytes`] through the overlay (`abs` canonical).
    pub fn read_bytes(&self, abs: &Path, max_size: u64) -> Result<Cow<'static, [u8]>, BytesError> {
        match self
            .lookup(abs)
            .map_err(|_| BytesError::Failed(CANCELLED.into()))?
        {
            Some(text) if text.len() as u64 > max_size => {
                Err(BytesError::TooLarge(text.len() as u64))
            }
            Some(text) => Ok(Cow::Owned(text.as_bytes().to_vec())),
            None => read::read_bytes(abs, max_size).map(Cow::Owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_documents_stand_for_the_disk_and_reads_are_logged() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let open = root.join("open.ts");
        let closed = root.join("closed.ts");
        std::fs::write(&open, "on disk").unwrap();
        std::fs::write(&closed, "closed").unwrap();
        let docs = HashMap::from([(open.clone(), Arc::from("unsaved"))]);
        let cancel = Arc::new(AtomicBool::new(false));
        let o = Overlay::editor(Arc::new(docs), cancel.clone());
        assert_eq!(&*o.read_bytes(&open, 100).ok().unwrap(), b"unsaved");
        assert_eq!(&*o.read_bytes(&closed, 100).ok().unwrap(), b"closed");
        assert!(matches!(
            o.read_bytes(&open, 3),
            Err(BytesError::TooLarge(7))
        ));
        match o.read_file(&open, &open, None, 100) {
            ReadOutcome::Text { source, .. } => assert_eq!(&*source.text, "unsaved"),
            _ => panic!("expected text"),
        }
        assert_eq!(
            o.paths_read(),
            HashSet::from([open.clone(), closed.clone()])
        );
        cancel.store(true, Ordering::Relaxed);
        assert!(o.cancelled());
        assert!(
            matches!(o.read_file(&closed, &closed, None, 100), ReadOutcome::Failed(m) if m == CANCELLED)
        );
    }

    #[test]
    fn texts_alone_stand_for_the_disk_without_a_log() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().canonicalize().unwrap().join("a");
        std::fs::write(&f, "disk").unwrap();
        let o = Overlay::new(HashMap::from([(f.clone(), Arc::from("edited"))]));
        assert_eq!(o.get(&f), Some("edited"));
        assert_eq!(&*o.read_bytes(&f, 100).ok().unwrap(), b"edited");
        assert!(o.paths_read().is_empty() && !o.cancelled());
    }

    #[test]
    fn the_empty_overlay_reads_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a");
        std::fs::write(&f, "x").unwrap();
        let o = Overlay::default();
        assert_eq!(&*o.read_bytes(&f, 10).ok().unwrap(), b"x");
        assert!(!o.cancelled());
        assert!(o.paths_read().is_empty());
    }
}
