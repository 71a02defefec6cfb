//! What a run looked at on disk: every folder it listed, every file it
//! read, every path whose existence it asked about. A cached result is
//! valid only while all of these are as they were ([`super::snapshot`]).
//!
//! The record is kept while a cached run is going on. It is process-wide
//! (walks run on threads of their own, and rayon steals work across
//! files), and every run that is recording gets every path any of them
//! touches: two runs at once in one process record more than they need,
//! never less.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use super::snapshot::Sig;

/// What is known about a touched path when it was touched: its signature
/// when it was read through an open file (taken from that file, so it
/// describes the bytes read), else nothing yet (stat at the end).
pub type Touched = HashMap<PathBuf, Option<Sig>>;

static ACTIVE: AtomicUsize = AtomicUsize::new(0);
static RECORDS: RwLock<Vec<Arc<Mutex<Touched>>>> = RwLock::new(Vec::new());

/// A run's record; ends when dropped.
pub struct Recording {
    touched: Arc<Mutex<Touched>>,
}

impl Recording {
    pub fn start() -> Recording {
        let touched = Arc::new(Mutex::new(HashMap::new()));
        RECORDS
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(touched.clone());
        ACTIVE.fetch_add(1, Ordering::SeqCst);
        Recording { touched }
    }

    /// What was touched so far.
    pub fn take(&self) -> Touched {
        std::mem::take(&mut *self.touched.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let mut records = RECORDS.write().unwrap_or_else(|p| p.into_inner());
        records.retain(|r| !Arc::ptr_eq(r, &self.touched));
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether some run is recording (one atomic load: the cost of every
/// [`touch`] when none is).
#[inline]
pub fn recording() -> bool {
    ACTIVE.load(Ordering::Relaxed) > 0
}

/// Frames opened on threads while no run records: the fix engine's rounds
/// keep what each file's check read without a whole record
/// ([`crate::fix::WalkMemo`]).
static FRAMED: AtomicUsize = AtomicUsize::new(0);

/// Whether a touch must be recorded somewhere: a run records, or some
/// thread has a frame open.
#[inline]
fn wanted() -> bool {
    recording() || FRAMED.load(Ordering::Relaxed) > 0
}

fn insert(t: &mut Touched, path: &Path, sig: Option<Sig>) {
    match t.get_mut(path) {
        // A signature taken from a read file is kept: it describes what
        // was read.
        Some(Some(_)) => {}
        Some(slot) => *slot = sig,
        None => {
            t.insert(path.to_path_buf(), sig);
        }
    }
}

fn add(path: &Path, sig: Option<Sig>) {
    let records = RECORDS.read().unwrap_or_else(|p| p.into_inner());
    for r in records.iter() {
        insert(&mut r.lock().unwrap_or_else(|p| p.into_inner()), path, sig);
    }
    drop(records);
    FRAMES.with(|f| {
        if let Some(top) = f.borrow_mut().last_mut() {
            insert(&mut top.touched, path, sig);
        }
    });
}

/// What one piece of work (one file's check) touched, on its own thread:
/// the dependencies of a per-file entry. Work on a file runs on one
/// thread from start to end (nothing in it waits on the pool), so a
/// thread's innermost frame is the file's.
#[derive(Default)]
pub struct Frame {
    pub touched: Touched,
    /// Whether files were among the ones the run checks, as asked
    /// ([`crate::project::ts::CheckedFiles`]): an answer of the run, not
    /// of the disk.
    pub checked: Vec<(PathBuf, bool)>,
    /// How files were shown (an answer of the run: the given paths and
    /// the current folder decide it).
    pub shown: Vec<(PathBuf, PathBuf)>,
}

thread_local! {
    static FRAMES: std::cell::RefCell<Vec<Frame>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Starts recording what this thread touches into a new frame; end it
/// with [`end_frame`].
pub fn start_frame() {
    FRAMED.fetch_add(1, Ordering::SeqCst);
    FRAMES.with(|f| f.borrow_mut().push(Frame::default()));
}

/// A frame ended when dropped (a panic in the work it records does not
/// leave it on the thread).
pub struct FrameGuard {
    ended: bool,
}

impl Frame {
    pub fn start() -> FrameGuard {
        start_frame();
        FrameGuard { ended: false }
    }
}

impl FrameGuard {
    pub fn end(mut self) -> Frame {
        self.ended = true;
        end_frame()
    }
}

impl Drop for FrameGuard {
    fn drop(&mut self) {
        if !self.ended {
            end_frame();
        }
    }
}

/// Ends the innermost frame; what it recorded is also added to the frame
/// around it, if any.
pub fn end_frame() -> Frame {
    FRAMED.fetch_sub(1, Ordering::SeqCst);
    FRAMES.with(|f| {
        let mut frames = f.borrow_mut();
        let frame = frames.pop().unwrap_or_default();
        if let Some(outer) = frames.last_mut() {
            for (p, s) in &frame.touched {
                insert(&mut outer.touched, p, *s);
            }
            outer.checked.extend(frame.checked.iter().cloned());
            outer.shown.extend(frame.shown.iter().cloned());
        }
        frame
    })
}

/// A file asked about as checked or not in this run.
pub fn checked_answer(path: &Path, answer: bool) {
    if wanted() {
        FRAMES.with(|f| {
            if let Some(top) = f.borrow_mut().last_mut() {
                top.checked.push((path.to_path_buf(), answer));
            }
        });
    }
}

/// A file shown as `shown` in this run.
pub fn shown_answer(abs: &Path, shown: &Path) {
    if wanted() {
        FRAMES.with(|f| {
            if let Some(top) = f.borrow_mut().last_mut() {
                top.shown.push((abs.to_path_buf(), shown.to_path_buf()));
            }
        });
    }
}

/// Records `paths` again (a result computed once per run and reused: what
/// it depended on is a dependency of every use).
pub fn touch_all<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) {
    if wanted() {
        for p in paths {
            add(p, None);
        }
    }
}

/// A path whose existence, kind or listing a result may depend on (a
/// folder walked or listed, a file looked for, a path resolved).
#[inline]
pub fn touch(path: &Path) {
    if wanted() {
        add(path, None);
    }
}

/// A file read through `file`, which is still open: its signature is
/// taken from the open file, so it is the one of the bytes read.
#[inline]
pub fn touch_read(path: &Path, file: &std::fs::File) {
    if recording() {
        add(path, file.metadata().ok().map(|m| Sig::of(&m)));
    } else if wanted() {
        add(path, None);
    }
}

/// [`touch_read`] with the metadata already taken from the open file.
#[inline]
pub fn touch_read_meta(path: &Path, meta: &std::fs::Metadata) {
    if wanted() {
        add(path, Some(Sig::of(meta)));
    }
}
