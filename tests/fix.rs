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
/// The project's files and their bytes (wslint's own cache folder, which
/// any run may write, is not the project's).
fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walk(dir) {
        if e.strip_prefix(dir).unwrap().starts_with(".wslint_cache") {
            continue;
        }
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
            fixture("kubernetes/bad-nginx-read-timeout-30/manifests.yaml"),
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
            fixture("kubernetes/bad-nginx-read-timeout-30/manifests.yaml"),
        ),
        (
            "deploy/k8s/alb.yaml",
            fixture("kubernetes/bad-alb-idle-30/manifests.yaml"),
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

/// The client and server fixtures whose findings have fixes, with a
/// constant and a close-code set that another module imports.
fn code_tree() -> tempfile::TempDir {
    let mut files: Vec<(String, String)> = [
        "client/ws101-bad-hook-const.ts",
        "client/ws101-bad-default-param.js",
        "client/ws103-bad-set-missing-code.ts",
        "client/ws106-bad-deps-missing.tsx",
        "client/ws106-bad-usecallback-deps.tsx",
        "client/ws109-bad-close-codes.ts",
        "server/bad-slow-heartbeat-task.py",
    ]
    .iter()
    .map(|f| (format!("src/{}", f.rsplit('/').next().unwrap()), fixture(f)))
    .collect();
    files.push((
        "src/config.ts".into(),
        "export const HEARTBEAT_MS = 30 * 1000;\nexport const TERMINAL_CLOSE_CODES = new Set([1000, 4001]);\n".into(),
    ));
    files.push((
        "src/socket.ts".into(),
        "import { HEARTBEAT_MS, TERMINAL_CLOSE_CODES } from './config';\n\
         export function open(url: string) {\n\
         \x20 const ws = new WebSocket(url);\n\
         \x20 const timer = setInterval(() => ws.send('ping'), HEARTBEAT_MS);\n\
         \x20 ws.onclose = (event) => {\n\
         \x20   clearInterval(timer);\n\
         \x20   if (TERMINAL_CLOSE_CODES.has(event.code)) return;\n\
         \x20   setTimeout(() => open(url), 1000);\n\
         \x20 };\n\
         }\n"
        .into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    tree(&refs)
}

#[test]
fn client_and_server_fixes_mend_their_findings_once() {
    let t = code_tree();
    let (items, _) = json_in(t.path(), &["."]);
    let fixable: Vec<(String, String)> = items
        .iter()
        .filter(|d| !d["fix"].is_null())
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["fix"]["applicability"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (code, applicability) in [
        ("WS101", "safe"),
        ("WS103", "safe"),
        ("WS106", "safe"),
        ("WS109", "unsafe"),
        ("WS201", "safe"),
    ] {
        assert!(
            fixable.contains(&(code.to_string(), applicability.to_string())),
            "{code} has no {applicability} fix: {fixable:?}"
        );
    }
    // The imported constant and set are fixed where they are defined.
    let ws101 = items
        .iter()
        .find(|d| d["code"] == "WS101" && d["path"] == "src/socket.ts")
        .unwrap();
    assert_eq!(ws101["fix"]["edits"][0]["path"], "src/config.ts");
    assert_eq!(ws101["fix"]["edits"][0]["replacement"], "20 * 1000");

    let untouched = snapshot_tree(t.path());
    let out = run_in(t.path(), &["check", "--diff", "--unsafe-fixes", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(snapshot_tree(t.path()), untouched);
    insta::assert_snapshot!("diff_client_server", stdout(&out));

    // Safe fixes only: WS109's stays.
    let before: Vec<(String, String)> = common::found(&items);
    run_in(t.path(), &["check", "--fix", "."]);
    let after_safe = codes_in(t.path());
    assert!(
        after_safe.iter().any(|(_, c)| c == "WS109"),
        "{after_safe:?}"
    );
    let out = run_in(t.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    let after = codes_in(t.path());
    for (path, code) in &after {
        assert!(
            before.contains(&(path.clone(), code.clone())),
            "--fix made a new finding: {path} {code}\n{}",
            stderr(&out)
        );
    }
    for code in ["WS101", "WS103", "WS106", "WS109", "WS201"] {
        let left: Vec<_> = after.iter().filter(|(_, c)| c == code).collect();
        let fixable_left: Vec<_> = items
            .iter()
            .filter(|d| d["code"] == code && d["fix"].is_null())
            .collect();
        assert_eq!(left.len(), fixable_left.len(), "{code} left: {left:?}");
    }
    assert!(read(t.path(), "src/config.ts").contains("new Set([1000, 4001, 4003, 4004, 4403])"));
    let fixed = snapshot_tree(t.path());
    let out = run_in(t.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert!(
        stderr(&out).contains("Fixed 0 findings"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot_tree(t.path()), fixed);
}
