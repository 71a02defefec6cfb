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
