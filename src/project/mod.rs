//! The project: its root, and (later stages) the facts read across modules
//! and files.

pub mod resolve;

use std::path::{Path, PathBuf};

/// Markers of a version-control root.
const VCS_MARKERS: [&str; 4] = [".git", ".hg", ".jj", ".svn"];

/// The project root: the folder of the configuration file when there is
/// one, else the nearest version-control root above `start`, else `start`
/// itself (its folder, for a file). Absolute and normalized.
pub fn find_root(config: Option<&Path>, start: &Path) -> PathBuf {
    let abs = |p: &Path| {
        crate::paths::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    };
    if let Some(config) = config {
        let dir = config
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return abs(dir);
    }
    let start = abs(start);
    let start_dir = if start.is_dir() {
        start.clone()
    } else {
        start
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| start.clone())
    };
    let mut dir = Some(start_dir.as_path());
    while let Some(d) = dir {
        if VCS_MARKERS.iter().any(|m| d.join(m).exists()) {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    start_dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_config_then_vcs_then_start() {
        let t = tempfile::tempdir().unwrap();
        let base = t.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("repo/.git")).unwrap();
        std::fs::create_dir_all(base.join("repo/web/src")).unwrap();
        std::fs::create_dir_all(base.join("loose/dir")).unwrap();
        std::fs::write(base.join("repo/web/wslint.toml"), "").unwrap();
        assert_eq!(
            find_root(
                Some(&base.join("repo/web/wslint.toml")),
                &base.join("repo/web/src")
            ),
            base.join("repo/web")
        );
        assert_eq!(
            find_root(None, &base.join("repo/web/src")),
            base.join("repo")
        );
        assert_eq!(
            find_root(None, &base.join("loose/dir")),
            base.join("loose/dir")
        );
    }
}
