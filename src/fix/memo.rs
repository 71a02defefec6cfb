//! The fix engine's rounds share one walk. A round writes nothing until
//! the last and differs from the one before only in the texts of its
//! overlay, so the first round keeps its walk (its files, and what reading
//! each gave) and each file's result with what its check read besides the
//! file. A later round walks nothing, reads again only the files its
//! overlay stands in for, and checks again only those and the files whose
//! check read one of them (a module importing an edited constant); the
//! project-wide phases run in full.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::Overlay;
use crate::cache::touch::Frame;
use crate::discover::{self, Candidate, Walk};
use crate::phase::file::{FileResult, Stage};

/// What the rounds of one `--fix` share ([`crate::Settings::walk_memo`]).
#[derive(Clone, Default)]
pub struct WalkMemo(Arc<Mutex<Option<Arc<Memo>>>>);

pub(crate) struct Memo {
    walk: Walk<Stage>,
    /// Per candidate, its result and the files its check read.
    results: Vec<(FileResult, Vec<PathBuf>)>,
}

impl std::fmt::Debug for WalkMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WalkMemo")
    }
}

impl WalkMemo {
    /// The first round's, once it has run.
    pub(crate) fn get(&self) -> Option<Arc<Memo>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, memo: Memo) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(memo));
    }
}

fn overlaid(overlay: &Overlay, c: &Candidate) -> bool {
    overlay.get(&c.abs).is_some()
}

impl Memo {
    /// The first round's walk, with the files the overlay stands in for
    /// read again (`read`).
    pub(crate) fn rewalk(
        &self,
        overlay: &Overlay,
        read: &(dyn Fn(&Candidate) -> Stage + Sync),
    ) -> Walk<Stage> {
        Walk {
            visited: self
                .walk
                .candidates
                .par_iter()
                .zip(self.walk.visited.par_iter())
                .map(|(c, stage)| {
                    if overlaid(overlay, c) {
                        read(c)
                    } else {
                        stage.clone()
                    }
                })
                .collect(),
            ..self.walk.without_visits()
        }
    }
}

/// Each candidate's check (`check`), in parallel and in order: the whole
/// walk, or with `earlier`, only the files that are or read an overlaid
/// text. With `record` (the first round of a memo), the results and what
/// each check read are kept in it, with `walk` as it was before checking.
pub(crate) fn check_files(
    walk: &Walk<Stage>,
    visited: Vec<Stage>,
    earlier: Option<&Memo>,
    record: Option<&WalkMemo>,
    overlay: &Overlay,
    check: &(dyn Fn(&Candidate, Stage) -> FileResult + Sync),
) -> Vec<FileResult> {
    if let Some(m) = earlier {
        return walk
            .candidates
            .par_iter()
            .zip(visited.into_par_iter())
            .zip(m.results.par_iter())
            .map(|((c, stage), (result, read))| {
                if overlaid(overlay, c) || read.iter().any(|p| overlay.get(p).is_some()) {
                    check(c, stage)
                } else {
                    result.clone()
                }
            })
            .collect();
    }
    let Some(memo) = record else {
        return walk
            .candidates
            .par_iter()
            .zip(visited.into_par_iter())
            .map(|(c, stage)| check(c, stage))
            .collect();
    };
    let before = Walk {
        visited: visited.clone(),
        ..walk.without_visits()
    };
    let framed: Vec<(FileResult, Vec<PathBuf>)> = walk
        .candidates
        .par_iter()
        .zip(visited.into_par_iter())
        .map(|(c, stage)| {
            let frame = Frame::start();
            let result = check(c, stage);
            let mut read: Vec<PathBuf> = frame.end().touched.into_keys().collect();
            // As the overlay names files: canonical too.
            let canonical: Vec<PathBuf> = read.iter().map(|p| discover::canonical(p)).collect();
            read.extend(canonical);
            read.sort();
            read.dedup();
            (result, read)
        })
        .collect();
    let results = framed.iter().map(|(r, _)| r.clone()).collect();
    memo.set(Memo {
        walk: before,
        results: framed,
    });
    results
}
