//! Changing files through the binary: `--add-ignore` (suppression
//! comments for every finding), `--fix`, `--unsafe-fixes` and `--diff`.

mod common;

use std::path::Path;

use common::{json_in, repo, run_in, stderr, stdout, tree, walk};

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(repo().join("fixtures").join(rel)).expect("fixture")
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).expect("read")
}

/// Every file of the tree, path and bytes, in order.
fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walk(dir) {
        out.push((
            e.strip_prefix(dir).unwrap().display().to_string(),
            std::fs::read(&e).unwrap(),
        ));
    }
    out.sort();
    out
}

#[test]
fn add_ignore_silences_every_finding_once_in_each_syntax() {
    let apache_crlf = fixture("apache/bad-vhost-proxytimeout.conf").replace('\n', "\r\n");
    let jsx = "export function Panel() {\n  return (\n    <div>\n      <button onClick={() => { const ws = new WebSocket(\"wss://x/ws\"); ws.close(1001); }} />\n    </div>\n  );\n}\n";
    let files = [
        ("web/useJobs.ts", fixture("client/ws101-bad-hook-const.ts")),
        ("web/Panel.jsx", jsx.to_string()),
        ("api/chat.py", fixture("server/bad-close-before-accept.py")),
        (
            "deploy/nginx/site.conf",
            fixture("nginx/bad-short-read-timeout.conf"),
        ),
        ("deploy/apache/site.conf", apache_crlf.clone()),
        (
            "deploy/k8s/ingress.yaml",
            fixture("kubernetes/bad-nginx-read-timeout-30.yaml"),
        ),
        ("deploy/tf/alb.tf", fixture("terraform/bad-alb-idle-30.tf")),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let t = tree(&refs);
    let (before, _) = json_in(t.path(), &["."]);
    let mut with_findings: Vec<&str> = before.iter().map(|d| d["path"].as_str().unwrap()).collect();
    with_findings.dedup();
    assert_eq!(with_findings.len(), files.len(), "{before:#?}");

    let out = run_in(t.path(), &["check", "--add-ignore=adopted in #16", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("No problems found"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains(&format!("for {} findings in 7 files", before.len())),
        "{}",
        stderr(&out)
    );
    // Each syntax's comment, where its product honours it.
    assert!(
        read(t.path(), "web/Panel.jsx")
            .contains("\n      {/* wslint-ignore WS102, WS109: adopted in #16 */}\n      <button")
    );
    assert!(read(t.path(), "api/chat.py").contains("    # wslint-ignore WS205: adopted in #16\n"));
    assert!(read(t.path(), "deploy/nginx/site.conf").contains(
        "        # wslint-ignore WS301: adopted in #16\n        proxy_read_timeout 30s;"
    ));
    let apache = read(t.path(), "deploy/apache/site.conf");
    assert!(
        apache.contains("# wslint-ignore WS301: adopted in #16\r\n"),
        "{apache}"
    );
    assert_eq!(
        apache.matches('\n').count(),
        apache.matches("\r\n").count(),
        "CRLF kept: {apache:?}"
    );
    assert!(read(t.path(), "deploy/k8s/ingress.yaml").contains(
        "    # wslint-ignore WS301: adopted in #16\n    nginx.ingress.kubernetes.io/proxy-read-timeout"
    ));
    assert!(read(t.path(), "deploy/tf/alb.tf").contains("# wslint-ignore WS301"));

    // Again: nothing to add, nothing written.
    let first = snapshot_tree(t.path());
    let out = run_in(t.path(), &["check", "--add-ignore", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Added 0 suppression comments"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot_tree(t.path()), first);
    let (after, out) = json_in(t.path(), &["."]);
    assert!(after.is_empty(), "{after:#?}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn add_ignore_extends_a_comment_already_there_and_leaves_engine_findings() {
    let t = tree(&[
        (
            "site.conf",
            "<VirtualHost *:443>\n    # wslint-ignore WS302: reviewed\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n",
        ),
        ("nginx.conf", "this is not nginx at all\n"),
    ]);
    let out = run_in(
        t.path(),
        &[
            "check",
            "--add-ignore",
            "--format",
            "concise",
            "site.conf",
            "nginx.conf",
        ],
    );
    assert_eq!(
        read(t.path(), "site.conf"),
        "<VirtualHost *:443>\n    # wslint-ignore WS302, WS301: reviewed\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n"
    );
    let err = stderr(&out);
    assert!(
        err.contains("nginx.conf:1:1: WS003 left as it is: an engine finding"),
        "{err}"
    );
    // What is left is reported as the check reports it: WS003 is a warning.
    assert!(stdout(&out).contains("WS003"), "{}", stdout(&out));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read(t.path(), "nginx.conf"), "this is not nginx at all\n");
}

/// Proxy files with a finding each whose safe fix sets a value, one of
/// them CRLF.
fn proxy_tree() -> tempfile::TempDir {
    let apache = fixture("apache/bad-vhost-proxytimeout.conf").replace('\n', "\r\n");
    let files = [
        ("deploy/apache/site.conf", apache),
        (
            "deploy/nginx/site.conf",
            fixture("nginx/bad-short-read-timeout.conf"),
        ),
        (
            "deploy/haproxy/haproxy.cfg",
            fixture("haproxy/bad-tunnel-milliseconds/haproxy.cfg"),
        ),
        (
            "deploy/k8s/ingress.yaml",
            fixture("kubernetes/bad-nginx-read-timeout-30.yaml"),
        ),
        (
            "deploy/k8s/alb.yaml",
            fixture("kubernetes/bad-alb-idle-30.yaml"),
        ),
        ("deploy/tf/alb.tf", fixture("terraform/bad-alb-idle-30.tf")),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    tree(&refs)
}

fn codes_in(dir: &Path) -> Vec<(String, String)> {
    common::found(&json_in(dir, &["."]).0)
}

#[test]
fn fix_mends_every_proxy_value_and_a_second_fix_changes_nothing() {
    let t = proxy_tree();
    let before = codes_in(t.path());
    assert_eq!(
        before.iter().filter(|(_, c)| c == "WS301").count(),
        6,
        "{before:?}"
    );
    let out = run_in(t.path(), &["check", "--fix", "--format", "concise", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("Fixed 6 findings in 6 files."),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).starts_with("No problems found"),
        "{}",
        stdout(&out)
    );
    // Each product's syntax, and nothing new.
    assert!(read(t.path(), "deploy/apache/site.conf").contains("    ProxyTimeout 60\r\n"));
    assert!(read(t.path(), "deploy/nginx/site.conf").contains("proxy_read_timeout 60s; # expect"));
    assert!(read(t.path(), "deploy/haproxy/haproxy.cfg").contains("timeout tunnel 60s\n"));
    assert!(read(t.path(), "deploy/k8s/ingress.yaml").contains("proxy-read-timeout: \"60\""));
    assert!(read(t.path(), "deploy/k8s/alb.yaml").contains("idle_timeout.timeout_seconds=60 "));
    assert!(read(t.path(), "deploy/tf/alb.tf").contains("idle_timeout       = 60 "));
    let apache = read(t.path(), "deploy/apache/site.conf");
    assert_eq!(apache.matches('\n').count(), apache.matches("\r\n").count());
    assert!(codes_in(t.path()).is_empty());

    let fixed = snapshot_tree(t.path());
    let out = run_in(t.path(), &["check", "--fix", "."]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("Fixed 0 findings in 0 files."),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot_tree(t.path()), fixed);
    let out = run_in(t.path(), &["check", "--diff", "."]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
}

#[test]
fn diff_prints_what_fix_would_change_and_writes_nothing() {
    let t = proxy_tree();
    let untouched = snapshot_tree(t.path());
    let out = run_in(t.path(), &["check", "--diff", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(snapshot_tree(t.path()), untouched);
    assert!(stderr(&out).contains("Would fix 6 findings in 6 files."));
    insta::assert_snapshot!("diff_proxy", stdout(&out));
}

#[test]
fn unsafe_fixes_wait_for_their_flag() {
    let t = tree(&[
        ("site.conf", &fixture("apache/bad-no-timeout.conf")),
        (
            "nginx/site.conf",
            &fixture("nginx/bad-default-read-timeout.conf"),
        ),
        (
            "apache2.conf",
            &fixture("apache/bad-location-proxytimeout.conf"),
        ),
    ]);
    let untouched = snapshot_tree(t.path());
    let (items, _) = json_in(t.path(), &["."]);
    let unsafe_fixes: Vec<&str> = items
        .iter()
        .filter(|d| d["fix"]["applicability"] == "unsafe")
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        unsafe_fixes,
        ["WS304", "WS304", "WS304", "WS304", "WS302", "WS302"],
        "{items:#?}"
    );
    let out = run_in(t.path(), &["check", "--fix", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(snapshot_tree(t.path()), untouched);
    assert!(
        stdout(&out).contains("6 fixable with `--fix --unsafe-fixes`"),
        "{}",
        stdout(&out)
    );

    let out = run_in(t.path(), &["check", "--diff", "--unsafe-fixes", "."]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("diff_unsafe_proxy", stdout(&out));
    let out = run_in(t.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(codes_in(t.path()).is_empty());
    let fixed = snapshot_tree(t.path());
    run_in(t.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert_eq!(snapshot_tree(t.path()), fixed);
}

#[test]
fn a_fix_that_would_break_parsing_is_refused() {
    let t = proxy_tree();
    let untouched = snapshot_tree(t.path());
    // Every fix's edit gets an unclosed section or block after it.
    let out = std::process::Command::new(common::bin())
        .args([
            "check",
            "--fix",
            "--format",
            "concise",
            "deploy/apache",
            "deploy/nginx",
        ])
        .current_dir(t.path())
        .env("WSLINT_DEBUG_FIX_APPEND", "\n<Location /x>\nlocation /y {")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("deploy/apache/site.conf:6: WS301 not fixed: the fix (set `ProxyTimeout 30` to `60`) would leave deploy/apache/site.conf unparseable"),
        "{err}"
    );
    assert!(
        err.contains("deploy/nginx/site.conf:15: WS301 not fixed"),
        "{err}"
    );
    assert!(err.contains("Fixed 0 findings in 0 files."), "{err}");
    assert_eq!(snapshot_tree(t.path()), untouched);
    // The findings are still reported, with their fixes.
    assert_eq!(stdout(&out).matches("WS301").count(), 2, "{}", stdout(&out));
}
