//! Shared by the GitHub Action and pre-commit tests: the sample
//! repositories, a persistent build folder, and tree helpers.

use std::path::{Path, PathBuf};

/// `tests/data/samples/`: `clean/` (a client, a server and an Apache vhost
/// that follow every rule of the contract), `failing/` (an Apache vhost with
/// a 30 s ProxyTimeout, WS301, plus a client and a server as they were before
/// the incident, which the client and server rules will report), and
/// `warning/` (a vhost with no timeout at all, WS302 only).
pub fn samples() -> PathBuf {
    super::repo().join("tests/data/samples")
}

/// A folder under `target/` kept between runs (for builds and installs that
/// would be slow to redo each time).
pub fn persistent(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("create a folder under target/tmp");
    dir
}

/// The `CARGO_TARGET_DIR` shared by the tests that run `cargo install` of
/// this checkout (the action's build step, pre-commit's rust hook): the
/// release build is made once and then reused incrementally.
pub fn release_target_dir() -> PathBuf {
    persistent("ship-cargo-target")
}

/// The environment of a `cargo install` of this checkout made by a test:
/// the shared target folder, and the release profile without optimisation.
/// The tests check that the action and the hooks build and run wslint, not
/// how fast it runs on their few sample files, and an unoptimised build from
/// scratch takes a third of the time (CI starts with an empty target/).
pub fn release_build_env() -> Vec<(String, String)> {
    [
        (
            "CARGO_TARGET_DIR",
            release_target_dir().display().to_string(),
        ),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".to_string()),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false".to_string()),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256".to_string()),
        ("CARGO_TERM_COLOR", "never".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Copies the files under `from` into `to` (created as needed).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file or folder under `root` named `name` (symbolic links are not
/// followed).
pub fn find_named(root: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name() == name {
            found.push(path.clone());
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            found.extend(find_named(&path, name));
        }
    }
    found
}

/// The full path of `program` on PATH, or a test failure that says what is
/// missing and how to get it.
pub fn require(program: &str, how: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{program}` is needed by this test and is not on PATH: {how}"))
}

/// This machine's PATH without any folder holding a `wslint`, so a test
/// decides which wslint, if any, a program can find.
pub fn path_without_wslint() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("wslint").exists())
        .collect();
    std::env::join_paths(kept)
        .expect("PATH joins")
        .into_string()
        .expect("PATH is UTF-8")
}

/// The README's ```yaml blocks that contain `marker`.
pub fn readme_yaml(marker: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(super::repo().join("README.md")).expect("README.md");
    readme
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or_default())
        .filter(|b| b.contains(marker))
        .map(str::to_string)
        .collect()
}
