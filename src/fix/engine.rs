//! The fix engine behind `--fix`, `--unsafe-fixes` and `--diff`.
//!
//! A round checks the project (with the texts edited so far standing in
//! for the files, [`crate::Overlay`]), takes every applicable fix whose
//! edits touch no edit already taken (a fix is all its edits or none, in
//! whatever files they are), applies them, and refuses the fixes of a file
//! that parses worse afterwards. Rounds go on while they change something,
//! at most [`MAX_ROUNDS`]: fixes that overlapped wait for the next round,
//! which sees the text the first one made. Nothing is written until the
//! rounds are done, and then only with `write`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::fix::{apply, syntax};
use crate::{Overlay, Report, Settings, discover, run};

/// Rounds of fixes at most: enough for fixes that overlap a few deep.
pub const MAX_ROUNDS: usize = 8;

/// Set, its text is appended to the first edit of every fix: how the tests
/// prove that a fix leaving a file unparseable is refused, with the real
/// rules, parsers and engine (as `WSLINT_DEBUG_PANIC_ON` proves that a
/// panic costs one file).
static DEBUG_APPEND: LazyLock<Option<String>> =
    LazyLock::new(|| std::env::var("WSLINT_DEBUG_FIX_APPEND").ok());

#[derive(Clone, Copy, Debug)]
pub struct FixOptions {
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// Write the fixed files (`--fix`); without it only compute (`--diff`).
    pub write: bool,
}

/// One file the fixes change.
#[derive(Clone, Debug)]
pub struct Changed {
    /// As the run shows it.
    pub path: PathBuf,
    pub before: Arc<str>,
    pub after: Arc<str>,
}

/// A fix that was not applied, and why.
#[derive(Clone, Debug)]
pub struct Refused {
    pub code: &'static str,
    pub path: PathBuf,
    pub line: usize,
    pub why: String,
}

#[derive(Debug, Default)]
pub struct FixOutcome {
    /// Fixes applied (or, without `write`, that would be).
    pub applied: usize,
    pub rounds: usize,
    /// Files changed, in path order, with their texts before and after.
    pub changed: Vec<Changed>,
    pub refused: Vec<Refused>,
    /// Files that could not be written, and why (`write` only).
    pub failed: Vec<(PathBuf, String)>,
    /// The check of the fixed texts: what remains.
    pub report: Report,
}

/// Whether a fix is applied with these options.
pub fn applies(fix: &Fix, unsafe_fixes: bool) -> bool {
    fix.applicability == Applicability::Safe || unsafe_fixes
}

/// A file the rounds edit: its text as first read, and now.
struct Text {
    display: PathBuf,
    original: Arc<str>,
    current: Arc<str>,
}

/// Fixes what it can; see the module doc.
pub fn fix(settings: &Settings, opts: FixOptions) -> FixOutcome {
    CANONICAL.with_borrow_mut(HashMap::clear);
    let mut texts: BTreeMap<PathBuf, Text> = BTreeMap::new();
    let mut out = FixOutcome::default();
    // Fixes refused once are not tried again: (code, path, line, message).
    let mut given_up: HashSet<(String, PathBuf, usize, String)> = HashSet::new();
    let memo = crate::fix::WalkMemo::default();
    let mut round_settings = settings_with(settings, &texts, &memo);
    let mut report = run(&round_settings);
    debug_append(&mut report);
    while out.rounds < MAX_ROUNDS {
        let candidates: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| applies(f, opts.unsafe_fixes) && !f.edits.is_empty())
                    && !given_up.contains(&key(d))
            })
            .collect();
        if candidates.is_empty() {
            break;
        }
        let taken = choose(&candidates, &texts);
        let refused_before = out.refused.len();
        // Apply, then refuse every fix that touches a file whose parse got
        // worse, and apply again without them, until none does.
        let mut kept: Vec<&Diagnostic> = taken;
        let mut new_texts;
        loop {
            new_texts = edited(&kept, &texts);
            let broken: HashSet<PathBuf> = new_texts
                .iter()
                .filter(|(abs, (display, text))| {
                    let before = current_text(abs, &texts, &kept);
                    syntax::worse(display, &before, text)
                })
                .map(|(abs, _)| abs.clone())
                .collect();
            if broken.is_empty() {
                break;
            }
            kept.retain(|d| {
                let touches = fix_files(d).iter().any(|f| broken.contains(f));
                if touches {
                    let at = d.start();
                    out.refused.push(Refused {
                        code: d.code,
                        path: d.file.path.clone(),
                        line: at.line,
                        why: format!(
                            "the fix ({}) would leave {} unparseable, so it was not applied",
                            d.fix.as_ref().map_or("", |f| f.message.as_str()),
                            fix_files_display(d).join(", ")
                        ),
                    });
                    given_up.insert(key(d));
                }
                !touches
            });
        }
        let mut changed_any = false;
        for (abs, (display, text)) in new_texts {
            // The text the first edit of a file was made on is its original.
            let before = current_text(&abs, &texts, &kept);
            let entry = texts.entry(abs).or_insert_with(|| Text {
                display,
                original: before.clone(),
                current: before,
            });
            if *entry.current != *text {
                changed_any = true;
            }
            entry.current = text;
        }
        out.applied += kept.len();
        out.rounds += 1;
        if changed_any {
            round_settings = settings_with(settings, &texts, &memo);
            report = run(&round_settings);
            debug_append(&mut report);
        } else if kept.is_empty() && refused_before == out.refused.len() {
            break;
        }
    }
    for text in texts.values() {
        if *text.original != *text.current {
            out.changed.push(Changed {
                path: text.display.clone(),
                before: text.original.clone(),
                after: text.current.clone(),
            });
        }
    }
    out.changed.sort_by(|a, b| a.path.cmp(&b.path));
    if opts.write {
        for c in &out.changed {
            if let Err(why) = apply::write_back(&c.path, &c.before, &c.after) {
                out.failed.push((c.path.clone(), why));
            }
        }
    }
    out.report = report;
    out
}

fn debug_append(report: &mut Report) {
    let Some(extra) = DEBUG_APPEND.as_deref() else {
        return;
    };
    for d in &mut report.diagnostics {
        if let Some(e) = d.fix.as_mut().and_then(|f| f.edits.first_mut()) {
            e.replacement.push_str(extra);
        }
    }
}

fn key(d: &Diagnostic) -> (String, PathBuf, usize, String) {
    (
        d.code.to_string(),
        d.file.path.clone(),
        d.start().line,
        d.message.clone(),
    )
}

fn settings_with(
    settings: &Settings,
    texts: &BTreeMap<PathBuf, Text>,
    memo: &crate::fix::WalkMemo,
) -> Settings {
    let map: HashMap<PathBuf, Arc<str>> = texts
        .iter()
        .map(|(abs, t)| (abs.clone(), t.current.clone()))
        .collect();
    Settings {
        config: settings.config.clone(),
        config_path: settings.config_path.clone(),
        root: settings.root.clone(),
        exclude_root: settings.exclude_root.clone(),
        paths: settings.paths.clone(),
        selection: settings.selection.clone(),
        respect_gitignore: settings.respect_gitignore,
        force_exclude: settings.force_exclude,
        jobs: settings.jobs,
        // The first round is a plain run (the cache's whole report when
        // nothing changed); later rounds read edited texts, and take only
        // the per-file entries of modules no edit reaches.
        cache: settings.cache.clone(),
        parse_only: settings.parse_only,
        overlay: Overlay::new(map),
        // Nothing is written before the rounds end: each round reads what
        // the first one walked, the edited files from the overlay.
        walk_memo: Some(memo.clone()),
    }
}

thread_local! {
    /// Canonical paths already asked for in this run of [`fix`]: each
    /// costs a `readlink` per path component, and every round asks again
    /// for the files of every fix.
    static CANONICAL: std::cell::RefCell<HashMap<PathBuf, PathBuf>> =
        std::cell::RefCell::new(HashMap::new());
}

fn canonical(p: &Path) -> PathBuf {
    CANONICAL.with_borrow_mut(|seen| {
        seen.entry(p.to_path_buf())
            .or_insert_with(|| discover::canonical(p))
            .clone()
    })
}

/// The canonical paths of the files a fix edits.
fn fix_files(d: &Diagnostic) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = d
        .fix
        .iter()
        .flat_map(|f| &f.edits)
        .map(|e| canonical(&e.file.path))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn fix_files_display(d: &Diagnostic) -> Vec<String> {
    let mut v: Vec<String> = d
        .fix
        .iter()
        .flat_map(|f| &f.edits)
        .map(|e| e.file.path.display().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The fixes of a round: in path and position order, each whose edits are
/// within their files' texts and overlap no edit taken before it. An edit
/// equal to one taken (two findings about one constant) is not an overlap.
fn choose<'d>(
    candidates: &[&'d Diagnostic],
    texts: &BTreeMap<PathBuf, Text>,
) -> Vec<&'d Diagnostic> {
    let mut taken: Vec<&Diagnostic> = Vec::new();
    let mut spans: HashMap<PathBuf, Vec<&Edit>> = HashMap::new();
    let mut sorted = candidates.to_vec();
    sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    'fixes: for d in sorted {
        let fix = d.fix.as_ref().expect("filtered on fixes");
        for e in &fix.edits {
            let abs = canonical(&e.file.path);
            // The edit indexes the text the run read; it must be the one
            // the rounds hold.
            if let Some(t) = texts.get(&abs)
                && *t.current != *e.file.text
            {
                continue 'fixes;
            }
            if !apply::in_bounds(&e.file.text, e.span) {
                continue 'fixes;
            }
            for other in spans.get(&abs).into_iter().flatten() {
                let same = other.span == e.span && other.replacement == e.replacement;
                if !same && apply::overlaps(other.span, e.span) {
                    continue 'fixes;
                }
                if !same && other.span == e.span && e.span.start == e.span.end {
                    // Two different insertions at one point: the second
                    // waits, so the order is the next round's choice.
                    continue 'fixes;
                }
            }
        }
        for e in &fix.edits {
            spans.entry(canonical(&e.file.path)).or_default().push(e);
        }
        taken.push(d);
    }
    taken
}

/// The texts of the files the fixes edit, with the fixes applied: canonical
/// path -> (path as shown, text).
fn edited(
    fixes: &[&Diagnostic],
    texts: &BTreeMap<PathBuf, Text>,
) -> BTreeMap<PathBuf, (PathBuf, Arc<str>)> {
    let mut by_file: BTreeMap<PathBuf, (PathBuf, Arc<str>, Vec<&Edit>)> = BTreeMap::new();
    for d in fixes {
        for e in &d.fix.as_ref().expect("fixes").edits {
            let abs = canonical(&e.file.path);
            let entry = by_file.entry(abs.clone()).or_insert_with(|| {
                let base = texts
                    .get(&abs)
                    .map_or_else(|| e.file.text.clone(), |t| t.current.clone());
                (e.file.path.clone(), base, Vec::new())
            });
            // One edit made by two findings is applied once.
            if !entry
                .2
                .iter()
                .any(|o| o.span == e.span && o.replacement == e.replacement)
            {
                entry.2.push(e);
            }
        }
    }
    by_file
        .into_iter()
        .map(|(abs, (display, base, edits))| {
            let text: Arc<str> = apply::apply(&base, &edits).into();
            (abs, (display, text))
        })
        .collect()
}

/// The text of `abs` before this round's edits.
fn current_text(abs: &Path, texts: &BTreeMap<PathBuf, Text>, fixes: &[&Diagnostic]) -> Arc<str> {
    if let Some(t) = texts.get(abs) {
        return t.current.clone();
    }
    fixes
        .iter()
        .flat_map(|d| &d.fix.as_ref().expect("fixes").edits)
        .find(|e| canonical(&e.file.path) == abs)
        .map(|e| e.file.text.clone())
        .unwrap_or_else(|| Arc::from(""))
}
