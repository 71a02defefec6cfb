//! The cache of earlier runs (`.wslint_cache/`), through the binary: a
//! result comes from the cache only while everything it depends on is as
//! it was, and the output is byte for byte the output of a run without it.
//!
//! `WSLINT_CACHE_TRACE` makes the binary say on stderr whether the run's
//! entry was used ("cache: hit") or why not; the tests read that to know a
//! warm run was warm. A run whose files changed in the same instant does
//! not store its entry (see `src/cache/mod.rs`), so "warm" below means two
//! runs: the first may create the folder, the second stores.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{bin, repo, stderr, stdout, tree};

fn wslint(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .env("WSLINT_CACHE_TRACE", "1")
        .env_remove("WSLINT_CACHE_VERSION")
        .env_remove("NO_COLOR");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("wslint runs")
}

const ARGS: &[&str] = &["check", ".", "--format", "concise", "--color", "never"];

/// Runs with the cache and without it; asserts the same stdout and exit
/// code, and returns the cached run's stdout and stderr.
fn same_as_uncached(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> (String, String) {
    let cached = wslint(dir, args, envs);
    let mut plain_args = args.to_vec();
    plain_args.push("--no-cache");
    let plain = wslint(dir, &plain_args, envs);
    assert_eq!(
        stdout(&cached),
        stdout(&plain),
        "output with the cache differs from the output without it; stderr:\n{}",
        stderr(&cached)
    );
    assert_eq!(cached.status.code(), plain.status.code());
    (stdout(&cached), stderr(&cached))
}

/// Two runs: after them the entry of `args` is stored.
fn warm(dir: &Path, args: &[&str], envs: &[(&str, &str)]) {
    for _ in 0..2 {
        same_as_uncached(dir, args, envs);
    }
    let (_, err) = same_as_uncached(dir, args, envs);
    assert!(
        err.contains("cache: hit"),
        "not warm after two runs:\n{err}"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else if ft.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn run_entries(dir: &Path) -> Vec<PathBuf> {
    let version_dir = std::fs::read_dir(dir.join(".wslint_cache"))
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.path().is_dir())
        .expect("a version folder")
        .path();
    std::fs::read_dir(version_dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("run-"))
        })
        .collect()
}

const CLIENT: &str = r#"import { useEffect } from "react";
import { HEARTBEAT_MS } from "./config";

export function useFeed(url: string) {
  useEffect(() => {
    const ws = new WebSocket(url);
    const ping = setInterval(() => ws.send("ping"), HEARTBEAT_MS);
    ws.onclose = () => clearInterval(ping);
    return () => ws.close();
  }, [url]);
}
"#;

/// The client with its heartbeat in a constant of its own.
fn local(ms: u32) -> String {
    CLIENT.replace(
        "import { HEARTBEAT_MS } from \"./config\";",
        &format!("const HEARTBEAT_MS = {ms};"),
    )
}

fn config_ts(ms: u32) -> String {
    format!("export const HEARTBEAT_MS = {ms};\n")
}

#[test]
fn output_is_byte_identical_with_and_without_the_cache_over_the_fixture_tree() {
    let t = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("fixtures"), t.path());
    for format in ["concise", "json", "human", "sarif"] {
        let args = ["check", ".", "--format", format, "--color", "never"];
        // Cold (creates the folder), cold (stores), warm (hit).
        let mut outputs = Vec::new();
        for _ in 0..3 {
            outputs.push(same_as_uncached(t.path(), &args, &[]));
        }
        assert!(
            outputs[2].1.contains("cache: hit"),
            "{format}: the third run did not use the cache:\n{}",
            outputs[2].1
        );
        assert!(
            outputs.iter().all(|o| o.0 == outputs[0].0),
            "{format}: cold and warm output differ"
        );
        assert!(!outputs[0].0.is_empty());
    }
    // The folder tells git to ignore it.
    let ignore = std::fs::read_to_string(t.path().join(".wslint_cache/.gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
}

#[test]
fn a_changed_file_is_checked_again() {
    let t = tree(&[
        ("src/useFeed.ts", CLIENT),
        ("src/config.ts", &config_ts(30_000)),
    ]);
    warm(t.path(), ARGS, &[]);
    let (before, _) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(before.contains("WS101"), "{before}");
    // The client now pings with a literal that is short enough.
    std::fs::write(
        t.path().join("src/useFeed.ts"),
        CLIENT.replace("HEARTBEAT_MS);", "15_000);"),
    )
    .unwrap();
    let (after, err) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(!after.contains("WS101"), "{after}");
    assert!(err.contains("cache: miss"), "{err}");
}

#[test]
fn a_changed_imported_constant_is_seen_by_the_module_that_imports_it() {
    let t = tree(&[
        ("src/useFeed.ts", CLIENT),
        ("src/config.ts", &config_ts(30_000)),
    ]);
    warm(t.path(), ARGS, &[]);
    // Also warm for the client named alone: its own entry, and its
    // per-file entry, depend on config.ts.
    let one = &["check", "src/useFeed.ts", "--format", "concise"];
    warm(t.path(), one, &[]);
    let (before, _) = same_as_uncached(t.path(), one, &[]);
    assert!(before.contains("WS101"), "{before}");

    std::fs::write(t.path().join("src/config.ts"), config_ts(20_000)).unwrap();
    for args in [ARGS, one] {
        let (after, err) = same_as_uncached(t.path(), args, &[]);
        assert!(!after.contains("WS101"), "{args:?}: {after}");
        assert!(err.contains("cache: miss"), "{err}");
    }
    // And back: the old value is not served from an entry of the new one.
    std::fs::write(t.path().join("src/config.ts"), config_ts(30_000)).unwrap();
    let (again, _) = same_as_uncached(t.path(), one, &[]);
    assert!(again.contains("WS101"), "{again}");
}

/// Rewrites every file under `dir` (but the cache) with the bytes it
/// holds, through a new file renamed over it: what a fresh checkout of
/// the same commit, or a branch switch there and back, leaves (new
/// inodes, new times, the same content).
fn rewrite_in_place(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_name() == ".wslint_cache" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            rewrite_in_place(&path);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            let temp = path.with_extension("rewrite-tmp");
            std::fs::write(&temp, bytes).unwrap();
            std::fs::rename(&temp, &path).unwrap();
        }
    }
}

#[test]
fn a_fresh_checkout_of_the_same_files_keeps_the_per_file_entries() {
    let t = tree(&[
        ("src/useFeed.ts", CLIENT),
        ("src/config.ts", &config_ts(30_000)),
    ]);
    let one = &["check", "src/useFeed.ts", "--format", "concise"];
    warm(t.path(), one, &[]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    rewrite_in_place(t.path());
    // The run's entry depends on every signature: a miss. The module's
    // own entry depends on config.ts, whose signature changed and whose
    // bytes did not: taken, by content.
    let (out, err) = same_as_uncached(t.path(), one, &[]);
    assert!(out.contains("WS101"), "{out}");
    assert!(err.contains("cache: miss"), "{err}");
    assert!(
        err.contains("cache: file entry (by content) for src/useFeed.ts"),
        "{err}"
    );
    // The same size and other bytes: checked again, never served.
    std::fs::write(t.path().join("src/config.ts"), config_ts(20_000)).unwrap();
    let (out, err) = same_as_uncached(t.path(), one, &[]);
    assert!(!out.contains("WS101"), "{out}");
    assert!(!err.contains("cache: file entry"), "{err}");
}

#[test]
fn a_new_module_and_a_deleted_one_change_the_result() {
    let t = tree(&[("src/useFeed.ts", CLIENT)]);
    warm(t.path(), ARGS, &[]);
    // The import resolves to nothing: the heartbeat is unknown.
    let (before, _) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(!before.contains("WS101"), "{before}");
    std::fs::write(t.path().join("src/config.ts"), config_ts(30_000)).unwrap();
    let (after, _) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(after.contains("WS101"), "{after}");
    warm(t.path(), ARGS, &[]);
    std::fs::remove_file(t.path().join("src/config.ts")).unwrap();
    let (gone, _) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(!gone.contains("WS101"), "{gone}");
}

#[test]
fn a_changed_config_is_a_different_run() {
    let t = tree(&[
        ("src/useFeed.ts", CLIENT),
        ("src/config.ts", &config_ts(30_000)),
        ("wslint.toml", "[client]\nheartbeat_max_ms = 20000\n"),
    ]);
    warm(t.path(), ARGS, &[]);
    let (before, _) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(before.contains("WS101"), "{before}");
    std::fs::write(
        t.path().join("wslint.toml"),
        "[client]\nheartbeat_max_ms = 40000\n",
    )
    .unwrap();
    let (after, err) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(!after.contains("WS101"), "{after}");
    assert!(err.contains("cache: miss"), "{err}");
    // The rule selection on the command line is part of the key too.
    std::fs::write(
        t.path().join("wslint.toml"),
        "[client]\nheartbeat_max_ms = 20000\n",
    )
    .unwrap();
    warm(t.path(), ARGS, &[]);
    let mut ignored = ARGS.to_vec();
    ignored.extend(["--ignore", "WS101"]);
    let (quiet, _) = same_as_uncached(t.path(), &ignored, &[]);
    assert!(!quiet.contains("WS101"), "{quiet}");
}

#[test]
fn another_version_never_reads_what_this_one_wrote() {
    let t = tree(&[
        ("src/useFeed.ts", CLIENT),
        ("src/config.ts", &config_ts(30_000)),
    ]);
    let v1 = [("WSLINT_CACHE_VERSION", "1.0.0-test")];
    let v2 = [("WSLINT_CACHE_VERSION", "2.0.0-test")];
    warm(t.path(), ARGS, &v1);
    let (_, err) = same_as_uncached(t.path(), ARGS, &v2);
    assert!(err.contains("cache: miss (no entry)"), "{err}");
    assert!(t.path().join(".wslint_cache/1.0.0-test").is_dir());
    assert!(t.path().join(".wslint_cache/2.0.0-test").is_dir());
    // Both are kept: going back to the first version finds its entry.
    let (_, err) = same_as_uncached(t.path(), ARGS, &v1);
    assert!(err.contains("cache: hit"), "{err}");
}

#[test]
fn a_truncated_corrupt_or_foreign_entry_is_ignored_and_rewritten() {
    let t = tree(&[
        ("src/useFeed.ts", CLIENT),
        ("src/config.ts", &config_ts(30_000)),
    ]);
    warm(t.path(), ARGS, &[]);
    let entries = run_entries(t.path());
    assert_eq!(
        entries.len(),
        1,
        "{entries:?} in {:?}",
        walk_files(&t.path().join(".wslint_cache"))
    );
    let entry = &entries[0];
    let good = std::fs::read(entry).unwrap();

    // Truncated.
    std::fs::write(entry, &good[..good.len() / 2]).unwrap();
    let (_, err) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(err.contains("cache: miss (entry corrupt"), "{err}");
    let (_, err) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(err.contains("cache: hit"), "not rewritten:\n{err}");

    // One byte flipped in the middle.
    let mut flipped = std::fs::read(entry).unwrap();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xFF;
    std::fs::write(entry, &flipped).unwrap();
    let (_, err) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(err.contains("cache: miss (entry corrupt"), "{err}");

    // Empty, and another run's entry (a valid file of another key) under
    // this name.
    std::fs::write(entry, b"").unwrap();
    same_as_uncached(t.path(), ARGS, &[]);
    let other = &["check", ".", "--format", "concise", "--ignore", "WS303"];
    warm(t.path(), other, &[]);
    let others: Vec<PathBuf> = run_entries(t.path())
        .into_iter()
        .filter(|p| p != entry)
        .collect();
    assert_eq!(others.len(), 1);
    std::fs::copy(&others[0], entry).unwrap();
    let (_, err) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(err.contains("cache: miss (entry corrupt"), "{err}");

    // Per-file entries too: every one of them truncated, and a run that
    // cannot use its own entry (a file changed) takes none of them.
    let files = t.path().join(".wslint_cache");
    let mut n = 0;
    for e in walk_files(&files) {
        if e.components().any(|c| c.as_os_str() == "files") {
            let bytes = std::fs::read(&e).unwrap();
            std::fs::write(&e, &bytes[..bytes.len().saturating_sub(7)]).unwrap();
            n += 1;
        }
    }
    assert!(n > 0, "no per-file entries were written");
    std::fs::write(t.path().join("src/other.ts"), "export const X = 1;\n").unwrap();
    let (out, _) = same_as_uncached(t.path(), ARGS, &[]);
    assert!(out.contains("WS101"), "{out}");
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn concurrent_runs_share_the_cache() {
    let t = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("fixtures/client"), &t.path().join("client"));
    copy_tree(&repo().join("fixtures/server"), &t.path().join("server"));
    let expected = stdout(&wslint(
        t.path(),
        &["check", ".", "--format", "concise", "--no-cache"],
        &[],
    ));
    assert!(!expected.is_empty());
    // Four runs at once, twice over: cold, then some of them warm.
    for _ in 0..2 {
        let children: Vec<_> = (0..4)
            .map(|_| {
                Command::new(bin())
                    .args(["check", ".", "--format", "concise"])
                    .current_dir(t.path())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert_eq!(stdout(&out), expected, "stderr:\n{}", stderr(&out));
        }
    }
    // What they left is whole: a later run takes it.
    let (out, err) = same_as_uncached(t.path(), &["check", ".", "--format", "concise"], &[]);
    assert_eq!(out, expected);
    assert!(err.contains("cache: hit"), "{err}");
    // No temporary file is left behind.
    let leftovers: Vec<PathBuf> = walk_files(&t.path().join(".wslint_cache"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_cache_folder_that_cannot_be_written_leaves_the_run_uncached_with_a_note() {
    let t = tree(&[
        ("src/useFeed.ts", CLIENT),
        ("src/config.ts", &config_ts(30_000)),
    ]);
    let cache = t.path().join(".wslint_cache");
    std::fs::create_dir_all(&cache).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    // Permission bits do not bind root (CI runs as root): then a cache
    // folder below a regular file stands for one that cannot be written.
    let bits_bind = std::fs::write(cache.join("probe"), "").is_err();
    if !bits_bind {
        std::fs::write(t.path().join("blocker"), "").unwrap();
        std::fs::write(
            t.path().join("wslint.toml"),
            "[cache]\ndir = \"blocker/cache\"\n",
        )
        .unwrap();
    }
    for _ in 0..2 {
        let (out, err) = same_as_uncached(t.path(), ARGS, &[]);
        assert!(out.contains("WS101"), "{out}");
        assert!(
            err.contains("note: cannot use the cache folder")
                && err.contains("checking without the cache"),
            "{err}"
        );
        assert!(!err.contains("cache: hit"), "{err}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn cache_dir_moves_the_cache_and_no_cache_reads_and_writes_nothing() {
    let t = tree(&[
        ("web/src/useFeed.ts", CLIENT),
        ("web/src/config.ts", &config_ts(30_000)),
        ("web/wslint.toml", "[cache]\ndir = \"../tmp/lint-cache\"\n"),
    ]);
    let web = t.path().join("web");
    let (_, err) = same_as_uncached(&web, ARGS, &[]);
    assert!(err.contains("cache: open"), "{err}");
    assert!(t.path().join("tmp/lint-cache/.gitignore").is_file());
    assert!(!web.join(".wslint_cache").exists());

    let t = tree(&[("src/useFeed.ts", CLIENT)]);
    let out = wslint(
        t.path(),
        &["check", ".", "--format", "concise", "--no-cache"],
        &[],
    );
    assert!(!stderr(&out).contains("cache:"), "{}", stderr(&out));
    assert!(!t.path().join(".wslint_cache").exists());
}

#[test]
fn a_proxy_file_named_alone_sees_a_changed_client_heartbeat() {
    // WS303 compares the vhost's timeout with the project's heartbeat,
    // which lives in a client the run does not check.
    let vhost = "<VirtualHost *:443>\n    ServerName app.example.com\n    ProxyTimeout 60\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n";
    let t = tree(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("deploy/apache2/app.conf", vhost),
        ("web/src/useFeed.ts", &local(25_000)),
    ]);
    let args = &["check", "deploy/apache2/app.conf", "--format", "concise"];
    warm(t.path(), args, &[]);
    let (before, _) = same_as_uncached(t.path(), args, &[]);
    assert!(before.contains("WS303"), "{before}");
    std::fs::write(t.path().join("web/src/useFeed.ts"), local(10_000)).unwrap();
    let (after, err) = same_as_uncached(t.path(), args, &[]);
    assert!(err.contains("cache: miss"), "{err}");
    assert_ne!(before, after, "the heartbeat change did not reach WS303");
}
