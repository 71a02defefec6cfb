//! What the GitHub Action, the pre-commit hooks and shell users rely on:
//! `--version`, `completions`, and `--report FORMAT=FILE` (every report of
//! one run, written at once).

mod common;

use common::{run_in, stderr, stdout, tree};

const BAD_VHOST: &str = "<VirtualHost *:443>\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n";
const UNSET_VHOST: &str =
    "<VirtualHost *:80>\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n";

#[test]
fn version_names_the_package_version() {
    let t = tree(&[]);
    for flag in ["--version", "-V"] {
        let out = run_in(t.path(), &[flag]);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            stdout(&out),
            format!("wslint {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let t = tree(&[]);
    let script = |shell: &str| {
        let out = run_in(t.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let bash = script("bash");
    assert!(bash.contains("_wslint()"), "{bash}");
    assert!(bash.contains("complete -F _wslint"), "{bash}");
    let zsh = script("zsh");
    assert!(zsh.starts_with("#compdef wslint"), "{zsh}");
    let fish = script("fish");
    assert!(fish.contains("complete -c wslint"), "{fish}");
    for (shell, text) in [("bash", &bash), ("zsh", &zsh), ("fish", &fish)] {
        for word in [
            "check",
            "rules",
            "explain",
            "completions",
            "fail-on",
            "force-exclude",
            "report",
        ] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
        // The value sets are completed too.
        assert!(text.contains("sarif"), "{shell} completions lack formats");
    }
    // The bash script parses.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wslint.bash");
    std::fs::write(&path, &bash).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .expect("bash runs");
    assert!(status.success(), "bash -n rejects the completion script");

    let out = run_in(t.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("possible values"), "{}", stderr(&out));
    let out = run_in(t.path(), &["completions"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn report_writes_other_formats_from_the_same_run() {
    let t = tree(&[("site.conf", BAD_VHOST), ("other.conf", UNSET_VHOST)]);
    let out = run_in(
        t.path(),
        &[
            "check",
            "--format",
            "github",
            "--report",
            "json=report.json",
            "--report",
            "sarif=report.sarif",
            "--report",
            "concise=report.txt",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The main report still goes to standard output, in --format.
    let gh = stdout(&out);
    assert!(gh.starts_with("::warning file=other.conf,"), "{gh}");
    assert!(gh.contains("::error file=site.conf,line=2,"), "{gh}");
    // Each extra report is byte-identical to a run in that format.
    for (format, file) in [
        ("json", "report.json"),
        ("sarif", "report.sarif"),
        ("concise", "report.txt"),
    ] {
        let alone = run_in(t.path(), &["check", "--format", format]);
        let written = std::fs::read(t.path().join(file)).expect("report written");
        assert_eq!(
            String::from_utf8_lossy(&written),
            stdout(&alone),
            "--report {format}= differs from --format {format}"
        );
    }
    // Never coloured, even when the main report is.
    let out = run_in(
        t.path(),
        &["--color", "always", "--report", "human=report.human"],
    );
    assert!(stdout(&out).contains('\u{1b}'));
    let human = std::fs::read_to_string(t.path().join("report.human")).unwrap();
    assert!(human.contains("WS301 [*] proxy-idle-timeout"), "{human}");
    assert!(!human.contains('\u{1b}'), "{human}");
    // --output and --report together.
    let out = run_in(
        t.path(),
        &[
            "--format",
            "concise",
            "-o",
            "main.txt",
            "--report",
            "json=r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(t.path().join("main.txt").is_file() && t.path().join("r.json").is_file());
}

#[test]
fn report_errors_are_usage_errors() {
    let t = tree(&[("site.conf", BAD_VHOST)]);
    for (spec, message) in [
        ("sarif", "expected FORMAT=FILE"),
        ("xml=r.xml", "unknown format `xml`"),
        ("json=", "the FILE after `=` is empty"),
    ] {
        let out = run_in(t.path(), &["--report", spec]);
        assert_eq!(out.status.code(), Some(2), "--report {spec}");
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
    }
    let out = run_in(t.path(), &["--report", "json=missing-dir/r.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot write missing-dir/r.json"),
        "{}",
        stderr(&out)
    );
}
