//! `Include`/`IncludeOptional` targets: globs resolved as httpd does
//! (sorted, directories read whole), confined to the scanned tree.

use std::path::{Component, Path, PathBuf};

use crate::paths::{is_within, normalize};

/// Limits that keep a hostile tree from costing more than a real one.
pub const MAX_INCLUDE_DEPTH: usize = 32;
pub const MAX_MATCHES: usize = 1_000;
/// Files read, counting repeats, while walking one configuration tree:
/// includes that include each other otherwise expand factorially.
pub const MAX_FILES_PER_TREE: usize = 4_096;

/// Where includes may be read from.
#[derive(Clone, Debug, Default)]
pub struct IncludeEnv {
    /// Canonical absolute directories wslint may read.
    pub allowed: Vec<PathBuf>,
    /// Canonical absolute `apache.server_root`, when configured.
    pub server_root: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Canonical absolute paths of the files to read, in httpd's order.
    Files(Vec<PathBuf>),
    /// Nothing matched.
    Missing,
    /// Not read, with the reason.
    NotFollowed(String),
}

/// The files of an include cycle, by name: `a.conf -> b.conf -> a.conf`,
/// from where `target` is first in `chain` (the files being read).
pub fn cycle_text(chain: &[PathBuf], at: usize, target: &Path) -> String {
    chain[at..]
        .iter()
        .map(PathBuf::as_path)
        .chain(std::iter::once(target))
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Resolves an Include argument. `dirs` are the folders a relative path is
/// tried against, in order (the including file's, then the root file's).
pub fn resolve(arg: &str, dirs: &[&Path], env: &IncludeEnv) -> Resolved {
    let arg_path = Path::new(arg);
    let bases: Vec<PathBuf> = if arg_path.is_absolute() {
        vec![normalize(arg_path)]
    } else if let Some(root) = &env.server_root {
        vec![normalize(&root.join(arg_path))]
    } else {
        dirs.iter().map(|d| normalize(&d.join(arg_path))).collect()
    };
    let mut outside = None;
    for base in &bases {
        match expand(base, env) {
            Ok(files) if !files.is_empty() => return Resolved::Files(files),
            Ok(_) => {}
            Err(reason) => outside = Some(reason),
        }
    }
    match outside {
        Some(reason) => Resolved::NotFollowed(reason),
        None => Resolved::Missing,
    }
}

/// The files `pattern` names. Errors when it points outside the allowed tree.
fn expand(pattern: &Path, env: &IncludeEnv) -> Result<Vec<PathBuf>, String> {
    // The part before the first wildcard must lie inside the tree; nothing
    // outside it is listed or read.
    let mut fixed = PathBuf::new();
    let mut rest: Vec<String> = Vec::new();
    for c in pattern.components() {
        let s = c.as_os_str().to_string_lossy().to_string();
        if rest.is_empty() && !has_wildcard(&s) {
            match c {
                Component::Normal(_) | Component::RootDir | Component::Prefix(_) => fixed.push(c),
                _ => fixed.push(c.as_os_str()),
            }
        } else {
            rest.push(s);
        }
    }
    let anchor = nearest_existing(&fixed);
    let canonical_anchor =
        crate::cache::canonicalize(anchor).unwrap_or_else(|_| anchor.to_path_buf());
    if !env.allowed.iter().any(|r| is_within(&canonical_anchor, r)) {
        return Err(format!(
            "`{}` is outside the scanned tree",
            pattern.display()
        ));
    }
    // Each match is kept with whether it is canonical already: a match
    // reached from a canonical folder through no link needs no `realpath`.
    let mut current = match crate::cache::canonicalize(&fixed) {
        Ok(c) => vec![(c, true)],
        Err(_) => vec![(fixed, false)],
    };
    for (i, part) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        let matcher = globset::GlobBuilder::new(part)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid wildcard `{part}`: {}", e.kind()))?
            .compile_matcher();
        let mut next = Vec::new();
        for (dir, dir_canonical) in &current {
            let Ok(entries) = crate::cache::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<_> = entries
                .filter_map(Result::ok)
                .filter(|e| matcher.is_match(Path::new(&e.file_name())))
                .map(|e| {
                    let kind = e.file_type().ok();
                    (e.file_name(), kind)
                })
                .collect();
            names.sort_by(|a, b| a.0.cmp(&b.0));
            for (n, kind) in names {
                let p = dir.join(n);
                let link = kind.is_none_or(|k| k.is_symlink());
                let is_dir = if link {
                    crate::cache::is_dir(&p)
                } else {
                    kind.is_some_and(|k| k.is_dir())
                };
                if last || is_dir {
                    next.push((p, *dir_canonical && !link));
                }
                if next.len() > MAX_MATCHES {
                    return Err(format!(
                        "`{}` matches more than {MAX_MATCHES} files",
                        pattern.display()
                    ));
                }
            }
        }
        current = next;
    }
    let mut files = Vec::new();
    for (p, is_canonical) in current {
        let canonical = if is_canonical {
            p
        } else {
            let Ok(c) = crate::cache::canonicalize(&p) else {
                continue;
            };
            if !env.allowed.iter().any(|r| is_within(&c, r)) {
                return Err(format!(
                    "`{}` leads outside the scanned tree (through a symbolic link)",
                    p.display()
                ));
            }
            c
        };
        if crate::cache::is_dir(&canonical) {
            collect_dir(&canonical, &mut files, env)?;
        } else if crate::cache::is_file(&canonical) {
            files.push(canonical);
        }
        if files.len() > MAX_MATCHES {
            return Err(format!(
                "`{}` matches more than {MAX_MATCHES} files",
                pattern.display()
            ));
        }
    }
    Ok(files)
}

/// httpd reads every file of an included directory and its subdirectories.
fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>, env: &IncludeEnv) -> Result<(), String> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = crate::cache::read_dir(&d) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        let mut subdirs = Vec::new();
        for p in paths {
            let Ok(canonical) = crate::cache::canonicalize(&p) else {
                continue;
            };
            if !env.allowed.iter().any(|r| is_within(&canonical, r)) {
                continue;
            }
            if crate::cache::is_dir(&canonical) {
                if !is_within(&d, &canonical) {
                    subdirs.push(canonical);
                }
            } else if crate::cache::is_file(&canonical) {
                out.push(canonical);
                if out.len() > MAX_MATCHES {
                    return Err(format!(
                        "`{}` holds more than {MAX_MATCHES} files",
                        dir.display()
                    ));
                }
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(())
}

fn nearest_existing(path: &Path) -> &Path {
    let mut p = path;
    loop {
        if crate::cache::exists(p) {
            return p;
        }
        match p.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => p = parent,
            _ => return p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_are_sorted_and_confined() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("tree/sites")).unwrap();
        std::fs::write(root.join("tree/sites/b.conf"), "").unwrap();
        std::fs::write(root.join("tree/sites/a.conf"), "").unwrap();
        std::fs::write(root.join("tree/sites/c.txt"), "").unwrap();
        std::fs::write(root.join("secret.conf"), "").unwrap();
        let env = IncludeEnv {
            allowed: vec![root.join("tree")],
            server_root: None,
        };
        let dir = root.join("tree");
        match resolve("sites/*.conf", &[&dir], &env) {
            Resolved::Files(f) => assert_eq!(
                f,
                vec![
                    root.join("tree/sites/a.conf"),
                    root.join("tree/sites/b.conf")
                ]
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            resolve("../secret.conf", &[&dir], &env),
            Resolved::NotFollowed(_)
        ));
        assert!(matches!(
            resolve("/etc/apache2/*.conf", &[&dir], &env),
            Resolved::NotFollowed(_)
        ));
        assert_eq!(resolve("sites/*.load", &[&dir], &env), Resolved::Missing);
        match resolve("sites", &[&dir], &env) {
            Resolved::Files(f) => assert_eq!(f.len(), 3),
            other => panic!("{other:?}"),
        }
    }
}
