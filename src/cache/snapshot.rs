//! The state of every path a run touched, as `stat` tells it: what a warm
//! run compares instead of reading the files again.
//!
//! A path's signature is its kind, device, inode, size, and modification
//! and change times in nanoseconds (as git's index keeps them). A file
//! written in place keeps its inode but gets a new mtime and ctime; a file
//! replaced by a rename gets a new inode; a folder whose entries change
//! gets a new mtime. The one way a change can keep a signature is a write
//! in the same clock tick as the stat that recorded it ("racy git"): an
//! entry is not stored at all when any path it depends on changed at or
//! after the run began, on the file system's own clock.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::codec::{Dec, Enc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sig {
    /// 0 missing, 1 file, 2 folder, 3 other.
    pub kind: u8,
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    /// Nanoseconds since the epoch.
    pub mtime: i128,
    pub ctime: i128,
}

impl Sig {
    pub const MISSING: Sig = Sig {
        kind: 0,
        dev: 0,
        ino: 0,
        size: 0,
        mtime: 0,
        ctime: 0,
    };

    #[cfg(unix)]
    pub fn of(m: &std::fs::Metadata) -> Sig {
        use std::os::unix::fs::MetadataExt;
        let kind = if m.is_file() {
            1
        } else if m.is_dir() {
            2
        } else {
            3
        };
        Sig {
            kind,
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
            ctime: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
        }
    }

    #[cfg(not(unix))]
    pub fn of(m: &std::fs::Metadata) -> Sig {
        let nanos = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128)
        };
        Sig {
            kind: if m.is_file() {
                1
            } else if m.is_dir() {
                2
            } else {
                3
            },
            dev: 0,
            ino: 0,
            size: m.len(),
            mtime: nanos(m.modified()),
            ctime: nanos(m.created()),
        }
    }

    /// The path's signature now (following links, as reading does).
    pub fn now(path: &Path) -> Sig {
        std::fs::metadata(path).map_or(Sig::MISSING, |m| Sig::of(&m))
    }

    /// Changed at or after `since` (nanoseconds, on the file system's
    /// clock): a later change in the same tick could keep this signature.
    pub fn racy(&self, since: i128) -> bool {
        self.kind != 0 && (self.mtime >= since || self.ctime >= since)
    }
}

/// Every touched path with its signature, sorted by path.
#[derive(Default)]
pub struct Snapshot {
    pub entries: Vec<(PathBuf, Sig)>,
}

impl Snapshot {
    /// The signatures of `touched` now, except for files whose signature
    /// was taken when they were read. Paths inside `skip` (the cache
    /// folder) are left out: writing the cache changes them.
    pub fn take(touched: super::touch::Touched, skip: &Path) -> Snapshot {
        let mut entries: Vec<(PathBuf, Option<Sig>)> = touched
            .into_iter()
            .filter(|(p, _)| !under(p, skip))
            .collect();
        entries.par_iter_mut().for_each(|(p, sig)| {
            if sig.is_none() {
                *sig = Some(Sig::now(p));
            }
        });
        let mut entries: Vec<(PathBuf, Sig)> = entries
            .into_iter()
            .map(|(p, s)| (p, s.unwrap_or(Sig::MISSING)))
            .collect();
        entries.par_sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
        Snapshot { entries }
    }

    /// [`Snapshot::take`] on this thread alone (for the few paths of one
    /// file's check, inside a worker).
    pub fn take_serial(touched: super::touch::Touched, skip: &Path) -> Snapshot {
        let mut entries: Vec<(PathBuf, Sig)> = touched
            .into_iter()
            .filter(|(p, _)| !under(p, skip))
            .map(|(p, s)| {
                let s = s.unwrap_or_else(|| Sig::now(&p));
                (p, s)
            })
            .collect();
        entries.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
        Snapshot { entries }
    }

    /// A path that changed at or after `since`, if any.
    pub fn racy(&self, since: i128) -> Option<&Path> {
        self.entries
            .iter()
            .find(|(_, s)| s.racy(since))
            .map(|(p, _)| p.as_path())
    }

    /// The first path whose signature is not the recorded one, if any.
    /// Entries are sorted, so the files of a folder are next to each
    /// other: each chunk opens a folder once and asks about its entries by
    /// name (`fstatat`), instead of making the kernel walk every path from
    /// its start (half the system time of a warm run on a large tree).
    pub fn changed(&self) -> Option<&Path> {
        self.entries.par_chunks(1024).find_map_any(|chunk| {
            let mut dirs = DirCache::default();
            chunk
                .iter()
                .find(|(p, sig)| dirs.sig(p) != *sig)
                .map(|(p, _)| p.as_path())
        })
    }

    pub fn encode(&self, e: &mut Enc) {
        e.u64(self.entries.len() as u64);
        for (p, s) in &self.entries {
            e.path(p);
            e.u8(s.kind);
            e.u64(s.dev);
            e.u64(s.ino);
            e.u64(s.size);
            e.i128(s.mtime);
            e.i128(s.ctime);
        }
    }

    pub fn decode(d: &mut Dec<'_>) -> Option<Snapshot> {
        let n = d.len()?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let p = d.path()?;
            let sig = Sig {
                kind: d.u8()?,
                dev: d.u64()?,
                ino: d.u64()?,
                size: d.u64()?,
                mtime: d.i128()?,
                ctime: d.i128()?,
            };
            entries.push((p, sig));
        }
        Some(Snapshot { entries })
    }
}

/// `p` is `dir` or inside it.
fn under(p: &Path, dir: &Path) -> bool {
    let abs;
    let p = if p.is_absolute() {
        p
    } else {
        abs = crate::paths::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
        &abs
    };
    p.starts_with(dir)
}

/// The folder last opened by a chunk of [`Snapshot::changed`].
#[derive(Default)]
struct DirCache {
    #[cfg(unix)]
    open: Option<(PathBuf, std::fs::File)>,
}

impl DirCache {
    /// [`Sig::now`] of `p`, through its folder when that can be opened.
    #[cfg(unix)]
    fn sig(&mut self, p: &Path) -> Sig {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::io::AsRawFd;
        let (Some(parent), Some(name)) = (p.parent(), p.file_name()) else {
            return Sig::now(p);
        };
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if self.open.as_ref().is_none_or(|(d, _)| d != parent) {
            self.open = std::fs::File::open(parent)
                .ok()
                .map(|f| (parent.to_path_buf(), f));
        }
        let (Some((_, dir)), Ok(name)) = (&self.open, std::ffi::CString::new(name.as_bytes()))
        else {
            return Sig::now(p);
        };
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: a valid folder descriptor, a NUL-terminated name, and a
        // buffer of the size fstatat writes; it is read only on success.
        let rc = unsafe { libc::fstatat(dir.as_raw_fd(), name.as_ptr(), st.as_mut_ptr(), 0) };
        if rc != 0 {
            return Sig::MISSING;
        }
        // SAFETY: fstatat succeeded, so it filled the buffer.
        let st = unsafe { st.assume_init() };
        let kind = match st.st_mode & libc::S_IFMT {
            libc::S_IFREG => 1,
            libc::S_IFDIR => 2,
            _ => 3,
        };
        // The field types differ between platforms.
        #[allow(clippy::unnecessary_cast)]
        Sig {
            kind,
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
            size: st.st_size as u64,
            mtime: i128::from(st.st_mtime) * 1_000_000_000 + i128::from(st.st_mtime_nsec),
            ctime: i128::from(st.st_ctime) * 1_000_000_000 + i128::from(st.st_ctime_nsec),
        }
    }

    #[cfg(not(unix))]
    fn sig(&mut self, p: &Path) -> Sig {
        Sig::now(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_relative_stat_is_the_stat_of_the_path() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("a/b");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("x.ts"), "x").unwrap();
        let mut cache = DirCache::default();
        for p in [
            d.join("x.ts"),
            d.clone(),
            d.join("missing.ts"),
            t.path().join("a"),
            t.path().join("nope/x.ts"),
        ] {
            assert_eq!(cache.sig(&p), Sig::now(&p), "{}", p.display());
        }
        let snap = Snapshot {
            entries: vec![(d.join("x.ts"), Sig::now(&d.join("x.ts")))],
        };
        assert!(snap.changed().is_none());
        std::fs::write(d.join("x.ts"), "xy").unwrap();
        assert!(snap.changed().is_some());
    }
}
