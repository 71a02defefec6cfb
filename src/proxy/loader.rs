//! Reads the configuration files a tree includes but discovery did not
//! yield, parses each once, and caches every parsed file by its canonical
//! path: one loader per product and run, shared by all its trees.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::Loc;
use crate::source::Source;

/// How a file of the scanned tree is read (size cap, decoding): the error
/// says why it could not be.
pub type ReadFn<'a> = &'a (dyn Fn(&Path) -> Result<Source, String> + Sync);

pub struct Loader<'a, F> {
    cache: Mutex<HashMap<PathBuf, Option<Arc<F>>>>,
    read: ReadFn<'a>,
    parse: fn(Source) -> F,
    /// Files read through includes, for suppression scanning.
    pub extra: Mutex<Vec<Source>>,
    /// Read failures of included files, at the include that names them.
    pub failures: Mutex<Vec<(Loc, String)>>,
}

impl<'a, F> Loader<'a, F> {
    pub fn new(
        known: impl IntoIterator<Item = (PathBuf, Arc<F>)>,
        read: ReadFn<'a>,
        parse: fn(Source) -> F,
    ) -> Self {
        Loader {
            cache: Mutex::new(known.into_iter().map(|(p, f)| (p, Some(f))).collect()),
            read,
            parse,
            extra: Mutex::new(Vec::new()),
            failures: Mutex::new(Vec::new()),
        }
    }

    /// The parsed file at canonical `abs`, read the first time it is asked
    /// for; `None` (and a failure recorded at `from`) when it cannot be read.
    pub fn load(&self, abs: &Path, from: &Loc) -> Option<Arc<F>> {
        if let Some(hit) = lock(&self.cache).get(abs) {
            return hit.clone();
        }
        let loaded = match (self.read)(abs) {
            Ok(source) => {
                lock(&self.extra).push(source.clone());
                Some(Arc::new((self.parse)(source)))
            }
            Err(message) => {
                lock(&self.failures).push((from.clone(), message));
                None
            }
        };
        lock(&self.cache).insert(abs.to_path_buf(), loaded.clone());
        loaded
    }

    pub fn take_extra(&self) -> Vec<Source> {
        std::mem::take(&mut lock(&self.extra))
    }

    pub fn take_failures(&self) -> Vec<(Loc, String)> {
        std::mem::take(&mut lock(&self.failures))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
