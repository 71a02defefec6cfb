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
        let rel = e.strip_prefix(dir).unwrap();
        if rel.components().any(|c| c.as_os_str() == ".wslint_cache") {
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

/// The findings of `code` in a JSON report, with their fixes'
/// applicability (`None`: no fix).
fn fixes_of(items: &[serde_json::Value], code: &str) -> Vec<(String, Option<String>)> {
    items
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            (
                format!("{}:{}", d["path"].as_str().unwrap(), d["line"]),
                d["fix"]["applicability"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// One rule's unsafe fix end to end on a tree: the fixes are offered as
/// unsafe; `--diff --unsafe-fixes` writes nothing and prints `snapshot`;
/// `--fix` alone leaves them (the finding is still there, with its fix);
/// `--fix --unsafe-fixes` mends every finding of `code` that had one and
/// makes no new finding; a second run changes nothing. Returns the tree,
/// fixed.
fn unsafe_fix_case(snapshot: &str, files: &[(&str, String)], code: &str) -> tempfile::TempDir {
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let t = tree(&refs);
    let (before, _) = json_in(t.path(), &["."]);
    let offered = fixes_of(&before, code);
    let fixable = offered.iter().filter(|(_, a)| a.is_some()).count();
    assert!(fixable > 0, "{code}: no fix offered: {before:#?}");
    assert!(
        offered
            .iter()
            .all(|(_, a)| a.as_deref().is_none_or(|a| a == "unsafe")),
        "{code}: {offered:?}"
    );

    let untouched = snapshot_tree(t.path());
    let out = run_in(t.path(), &["check", "--diff", "--unsafe-fixes", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(snapshot_tree(t.path()), untouched);
    insta::assert_snapshot!(snapshot, stdout(&out));

    // Safe fixes only: every unsafe one of `code` is still offered.
    run_in(t.path(), &["check", "--fix", "."]);
    let (after_safe, _) = json_in(t.path(), &["."]);
    assert_eq!(
        fixes_of(&after_safe, code),
        offered,
        "--fix applied an unsafe fix"
    );

    let out = run_in(t.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    let (after, _) = json_in(t.path(), &["."]);
    let left = fixes_of(&after, code);
    assert_eq!(
        left.len(),
        offered.len() - fixable,
        "{code} left after --fix --unsafe-fixes: {left:?}\n{}",
        stderr(&out)
    );
    assert!(left.iter().all(|(_, a)| a.is_none()), "{left:?}");
    // Nothing new: each (path, code) at most as often as before.
    let was = common::found(&before);
    let now = common::found(&after);
    for f in &now {
        let count = |v: &[(String, String)]| v.iter().filter(|x| *x == f).count();
        assert!(
            count(&now) <= count(&was),
            "--fix --unsafe-fixes made a new finding: {f:?}\nbefore {was:?}\nafter {now:?}"
        );
    }
    let fixed = snapshot_tree(t.path());
    let out = run_in(t.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert!(
        stderr(&out).contains("Fixed 0 findings in 0 files."),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot_tree(t.path()), fixed);
    t
}

/// The findings of `code` on a tree, none of them with a fix.
fn no_fix_case(files: &[(&str, String)], code: &str) {
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let t = tree(&refs);
    let (items, _) = json_in(t.path(), &["."]);
    let found = fixes_of(&items, code);
    assert!(!found.is_empty(), "{code} does not fire: {items:#?}");
    assert!(
        found.iter().all(|(_, a)| a.is_none()),
        "{code} offers a fix here: {found:?}"
    );
}

fn owned(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

fn refs(files: &[(String, String)]) -> Vec<(&str, String)> {
    files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect()
}

#[test]
fn ws105_guards_the_effect_in_its_own_style() {
    let files = owned(&[
        (
            "web/useDoc.tsx",
            "import { useEffect, useState } from \"react\";\n\
             import { useSession } from \"./session\";\n\
             \n\
             export function useDoc(docId: string) {\n\
             \x20 const { accessToken } = useSession();\n\
             \x20 const [peers, setPeers] = useState(0);\n\
             \x20 useEffect(() => {\n\
             \x20   // one socket per document\n\
             \x20   const ws = new WebSocket(`/ws/docs/${docId}?token=${accessToken}`);\n\
             \x20   const ping = setInterval(() => ws.send(\"ping\"), 20_000);\n\
             \x20   ws.onmessage = (e) => setPeers(JSON.parse(e.data).peers);\n\
             \x20   ws.onclose = () => { clearInterval(ping); setPeers(0); };\n\
             \x20   return () => ws.close();\n\
             \x20 }, [docId]);\n\
             \x20 return peers;\n\
             }\n",
        ),
        (
            "web/useFeed.js",
            "import { useEffect } from 'react'\n\
             import { follow } from './follow'\n\
             \n\
             export function useFeed({ token }) {\n\
             \tuseEffect(() => follow(new WebSocket(`/ws/feed?token=${token}`)), [token])\n\
             }\n",
        ),
        (
            "web/useInbox.ts",
            &fixture("client/ws105-bad-local-storage.ts").replace('\n', "\r\n"),
        ),
        // Vue's watchEffect and Svelte 5's $effect run again when the token
        // they read changes: the guard is all they need.
        (
            "web/Inbox.vue",
            "<script setup lang=\"ts\">\n\
             import { ref, watchEffect } from \"vue\";\n\
             \n\
             const token = ref<string | null>(null);\n\
             \n\
             watchEffect((onCleanup) => {\n\
             \x20 const ws = new WebSocket(`/ws/inbox?token=${token.value}`);\n\
             \x20 onCleanup(() => ws.close());\n\
             });\n\
             </script>\n\
             \n\
             <template><p>inbox</p></template>\n",
        ),
        (
            "web/Room.svelte",
            &fixture("components/ws105-bad-effect-token.svelte"),
        ),
    ]);
    let t = unsafe_fix_case("diff_ws105", &refs(&files), "WS105");
    assert!(
        read(t.path(), "web/Inbox.vue")
            .contains("watchEffect((onCleanup) => {\n  if (!token.value) return;\n  const ws")
    );
    assert!(
        read(t.path(), "web/Room.svelte")
            .contains("  $effect(() => {\n    if (!accessToken) return;\n    const ws")
    );
    let doc = read(t.path(), "web/useDoc.tsx");
    assert!(
        doc.contains("  useEffect(() => {\n    if (!accessToken) return;\n    // one socket"),
        "{doc}"
    );
    assert!(doc.contains("}, [docId, accessToken]);"), "{doc}");
    let feed = read(t.path(), "web/useFeed.js");
    assert!(
        feed.contains("\tuseEffect(() => {\n\t\tif (!token) return\n\t\treturn follow(new WebSocket(`/ws/feed?token=${token}`))\n\t}, [token])"),
        "{feed}"
    );
    let inbox = read(t.path(), "web/useInbox.ts");
    assert!(
        inbox.contains(
            "localStorage.getItem(\"access_token\");\r\n    if (!accessToken) return;\r\n"
        ),
        "{inbox:?}"
    );
    assert_eq!(inbox.matches('\n').count(), inbox.matches("\r\n").count());
}

#[test]
fn ws105_offers_no_guard_where_its_place_is_not_certain() {
    no_fix_case(
        &[
            // The token read from storage inline: no name to test.
            ("a.tsx", fixture("client/ws105-bad-inline-storage-read.tsx")),
            // A dependency array that is not a literal: the guard would
            // keep the socket down once the token arrives.
            (
                "b.tsx",
                "import { useEffect } from \"react\";\n\
                 export function useB(token: string | null, deps: unknown[]) {\n\
                 \x20 useEffect(() => {\n\
                 \x20   const ws = new WebSocket(`/ws/b?token=${token}`);\n\
                 \x20   return () => ws.close();\n\
                 \x20 }, deps);\n\
                 }\n"
                .to_string(),
            ),
            // Mount hooks run once: a guard there would keep the socket
            // down once the token arrives.
            (
                "d.vue",
                fixture("components/ws105-bad-onmounted-token-ref.vue"),
            ),
            (
                "e.svelte",
                fixture("components/ws105-bad-store-token.svelte"),
            ),
            // The callback is a function of the component, not inline.
            (
                "c.tsx",
                "import { useEffect } from \"react\";\n\
                 export function useC(token: string | null) {\n\
                 \x20 function open() {\n\
                 \x20   const ws = new WebSocket(`/ws/c?token=${token}`);\n\
                 \x20   return () => ws.close();\n\
                 \x20 }\n\
                 \x20 useEffect(open, [token]);\n\
                 }\n"
                .to_string(),
            ),
        ],
        "WS105",
    );
}

#[test]
fn ws205_moves_the_accept_above_the_first_early_close() {
    let files = owned(&[
        ("api/chat.py", &fixture("server/bad-close-before-accept.py")),
        (
            "api/private.py",
            &fixture("server/bad-on-connect-closes.py").replace('\n', "\r\n"),
        ),
        ("api/admin.py", &fixture("server/bad-reject-helper.py")),
    ]);
    let t = unsafe_fix_case("diff_ws205", &refs(&files), "WS205");
    let chat = read(t.path(), "api/chat.py");
    assert!(
        chat.contains(
            "    user = await current_ws_user(websocket)\n    await websocket.accept()\n    if user is None:"
        ),
        "{chat}"
    );
    assert_eq!(chat.matches("accept()").count(), 1, "{chat}");
    let private = read(t.path(), "api/private.py");
    assert!(
        private.contains("    async def on_connect(self, websocket):\r\n        await websocket.accept()\r\n        if websocket"),
        "{private:?}"
    );
    let admin = read(t.path(), "api/admin.py");
    assert!(
        admin.contains("async def admin(websocket: WebSocket):\n    await websocket.accept()\n    if not check_origin"),
        "{admin}"
    );
}

#[test]
fn ws205_offers_no_move_off_a_straight_path() {
    no_fix_case(
        &[
            // The close is in a dependency, run before the body.
            ("a.py", fixture("server/bad-dependency-raises.py")),
            // The accept sits in a branch.
            (
                "b.py",
                "from fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\n\
                 @app.websocket(\"/ws/b\")\n\
                 async def b(websocket: WebSocket, token: str = \"\"):\n\
                 \x20   if not token:\n\
                 \x20       await websocket.close(code=4001)\n\
                 \x20       return\n\
                 \x20   if token.startswith(\"v2\"):\n\
                 \x20       await websocket.accept(subprotocol=\"v2\")\n\
                 \x20   else:\n\
                 \x20       await websocket.accept()\n\
                 \x20   await websocket.send_text(\"hi\")\n"
                    .to_string(),
            ),
            // The accept takes a value computed after the close.
            (
                "c.py",
                "from fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\n\
                 @app.websocket(\"/ws/c\")\n\
                 async def c(websocket: WebSocket):\n\
                 \x20   if \"token\" not in websocket.query_params:\n\
                 \x20       await websocket.close(code=4001)\n\
                 \x20       return\n\
                 \x20   proto = websocket.headers.get(\"sec-websocket-protocol\")\n\
                 \x20   await websocket.accept(subprotocol=proto)\n"
                    .to_string(),
            ),
        ],
        "WS205",
    );
}

/// An Ingress whose default backend is Service `service:80`, with `meta`
/// (indented lines) after its `name` in `metadata`.
fn ingress(name: &str, meta: &str, service: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n{meta}spec:\n  defaultBackend:\n    service:\n      name: {service}\n      port:\n        number: 80\n"
    )
}

#[test]
fn ws302_adds_the_timeout_to_ingresses_and_load_balancers() {
    let files = owned(&[
        // ingress-nginx, with annotations: one more.
        (
            "k8s/chat.yaml",
            &fixture("kubernetes/bad-nginx-default/manifests.yaml"),
        ),
        // ingress-nginx, no annotations at all: the map is created, in the
        // file's four-space indentation.
        (
            "k8s/live.yaml",
            "apiVersion: networking.k8s.io/v1\n\
             kind: Ingress\n\
             metadata:\n\
             \x20   name: live\n\
             \x20   labels:\n\
             \x20       app: live\n\
             spec:\n\
             \x20   ingressClassName: nginx\n\
             \x20   rules:\n\
             \x20       - http:\n\
             \x20             paths:\n\
             \x20                 - path: /ws/\n\
             \x20                   pathType: Prefix\n\
             \x20                   backend:\n\
             \x20                       service:\n\
             \x20                           name: live\n\
             \x20                           port:\n\
             \x20                               number: 80\n",
        ),
        // ALB, no attributes: the annotation is added.
        (
            "k8s/api.yaml",
            &fixture("kubernetes/bad-alb-default/manifests.yaml"),
        ),
        // ALB with attributes but no idle timeout: appended, CRLF kept.
        (
            "k8s/events.yaml",
            &ingress(
                "events",
                "  annotations:\n    kubernetes.io/ingress.class: alb\n    alb.ingress.kubernetes.io/load-balancer-attributes: \"routing.http2.enabled=true\"\n",
                "events-ws",
            )
                .replace('\n', "\r\n"),
        ),
        // Terraform's aws_alb: the argument, aligned.
        ("tf/alb.tf", &fixture("terraform/bad-alb-default.tf")),
    ]);
    let t = unsafe_fix_case("diff_ws302_hops", &refs(&files), "WS302");
    assert!(read(t.path(), "k8s/chat.yaml").contains(
        "    nginx.ingress.kubernetes.io/ssl-redirect: \"true\"\n    nginx.ingress.kubernetes.io/proxy-read-timeout: \"60\"\nspec:"
    ));
    assert!(read(t.path(), "k8s/live.yaml").contains(
        "        app: live\n    annotations:\n        nginx.ingress.kubernetes.io/proxy-read-timeout: \"60\"\nspec:"
    ));
    assert!(read(t.path(), "k8s/api.yaml").contains(
        "    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=60\n"
    ));
    let events = read(t.path(), "k8s/events.yaml");
    assert!(
        events.contains("\"routing.http2.enabled=true,idle_timeout.timeout_seconds=60\"\r\n"),
        "{events:?}"
    );
    assert_eq!(events.matches('\n').count(), events.matches("\r\n").count());
    assert!(
        read(t.path(), "tf/alb.tf").contains(" # expect: WS302\n  idle_timeout = 60\n  name    = ")
    );
}

#[test]
fn ws302_adds_nothing_where_the_place_is_not_certain() {
    no_fix_case(
        &[
            // An IngressGroup: its attributes may be on any member.
            (
                "group.yaml",
                ingress(
                    "ws",
                    "  annotations:\n    kubernetes.io/ingress.class: alb\n    alb.ingress.kubernetes.io/group.name: shared\n",
                    "ws",
                ),
            ),
            // Annotations in flow style.
            (
                "flow.yaml",
                ingress(
                    "socket",
                    "  annotations: {kubernetes.io/ingress.class: nginx}\n",
                    "socket",
                ),
            ),
            // A Helm template: its values may set the annotation.
            (
                "chart/templates/ingress.yaml",
                ingress(
                    "{{ .Release.Name }}-ws",
                    "  annotations:\n    kubernetes.io/ingress.class: nginx\n    {{- with .Values.ingress.annotations }}\n    {{- toYaml . | nindent 4 }}\n    {{- end }}\n",
                    "ws",
                ),
            ),
            // A one-line block.
            (
                "tf/main.tf",
                "resource \"aws_lb\" \"ws\" { name = \"ws\" }\n".to_string(),
            ),
        ],
        "WS302",
    );
}

#[test]
fn ws308_raises_or_adds_the_backend_service_timeout() {
    let files = owned(&[
        (
            "k8s/live.yaml",
            &fixture("kubernetes/bad-gce-backendconfig-no-timeout/manifests.yaml"),
        ),
        (
            "k8s/stream.yaml",
            &fixture("kubernetes/bad-gce-backendconfig-60/manifests.yaml"),
        ),
        (
            "tf/gcp.tf",
            &fixture("terraform/bad-gcp-default-lifetime.tf"),
        ),
        ("tf2/gcp.tf", &fixture("terraform/bad-gcp-timeout-30.tf")),
    ]);
    let t = unsafe_fix_case("diff_ws308", &refs(&files), "WS308");
    assert!(
        read(t.path(), "k8s/live.yaml")
            .contains("  connectionDraining:\n    drainingTimeoutSec: 60\n  timeoutSec: 3600\n---")
    );
    assert!(
        read(t.path(), "tf/gcp.tf")
            .contains("  timeout_sec   = 3600\n  name          = \"ws-backend\"")
    );
    assert!(read(t.path(), "tf2/gcp.tf").contains("timeout_sec = 3600"));
}

#[test]
fn ws308_adds_no_backend_config_of_its_own() {
    // The Service names no BackendConfig: one would have to be created
    // and named in its annotation.
    no_fix_case(
        &[(
            "k8s/app.yaml",
            fixture("kubernetes/bad-gce-default-lifetime/manifests.yaml"),
        )],
        "WS308",
    );
}

#[test]
fn ws304_moves_timeouts_where_nginx_and_haproxy_read_them() {
    let files = owned(&[
        ("nginx/live.conf", &fixture("nginx/bad-timeout-in-if.conf")),
        ("haproxy/haproxy.cfg", &fixture("haproxy/bad-context.cfg")),
    ]);
    let t = unsafe_fix_case("diff_ws304_moves", &refs(&files), "WS304");
    let nginx = read(t.path(), "nginx/live.conf");
    assert!(
        nginx.contains("\t\tproxy_read_timeout 3600s;\n\t\tif ($http_upgrade = \"websocket\") {\n\t\t\t# expect: WS304\n\t\t}"),
        "{nginx}"
    );
    let haproxy = read(t.path(), "haproxy/haproxy.cfg");
    assert!(
        haproxy.contains("backend ws\n    timeout tunnel 2h\n"),
        "{haproxy}"
    );
    assert_eq!(haproxy.matches("timeout tunnel 2h").count(), 1);
}

#[test]
fn ws304_moves_nothing_where_it_would_duplicate_or_guess() {
    no_fix_case(
        &[
            // The location sets proxy_read_timeout already; upstream and
            // map sit in `http`, every server's level.
            (
                "nginx/site.conf",
                fixture("nginx/bad-directive-context.conf"),
            ),
            // A frontend with two backends.
            (
                "haproxy.cfg",
                fixture("haproxy/bad-tunnel-in-frontend-two-backends.cfg"),
            ),
        ],
        "WS304",
    );
}

/// A module's sibling `.tf` (one the run does not check: it names no load
/// balancer) edited in a round is what the next round reads: the fixed
/// value is not reported again, and `--diff` and `--fix` agree.
#[test]
fn terraform_rounds_read_the_edited_sibling() {
    let files = [
        (
            "infra/main.tf",
            "resource \"aws_lb\" \"ws\" {\n  name         = \"ws\"\n  idle_timeout = var.idle\n}\n",
        ),
        (
            "infra/variables.tf",
            "variable \"idle\" {\n  default = 30\n}\n",
        ),
    ];
    let t = tree(&files);
    let out = run_in(t.path(), &["check", "--diff", "--format", "concise", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("+  default = 60"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("Would fix 1 finding in 1 file."),
        "{}",
        stderr(&out)
    );
    let out = run_in(t.path(), &["check", "--fix", "--format", "concise", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with("No problems found"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("Fixed 1 finding in 1 file."),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        read(t.path(), "infra/variables.tf"),
        "variable \"idle\" {\n  default = 60\n}\n"
    );
}

/// `--fix` reads the cache (the first round is a plain run; later rounds
/// take the per-file results of modules no edit reaches) and gives what it
/// gives without it: the same files, the same report, whether the cache is
/// empty, warm from a check, or turned off; an edit to an imported
/// constant is seen by the module that imports it.
#[test]
fn fix_with_the_cache_is_fix_without_it() {
    for make in [code_tree as fn() -> tempfile::TempDir, proxy_tree] {
        let args = [
            "check",
            "--fix",
            "--unsafe-fixes",
            "--format",
            "concise",
            ".",
        ];
        let plain = make();
        let mut no_cache = args.to_vec();
        no_cache.push("--no-cache");
        let expected = run_in(plain.path(), &no_cache);
        for warm in [false, true] {
            let t = make();
            if warm {
                run_in(t.path(), &["check", "."]);
            }
            let out = run_in(t.path(), &args);
            assert_eq!(out.status.code(), expected.status.code());
            assert_eq!(stdout(&out), stdout(&expected), "warm: {warm}");
            assert_eq!(stderr(&out), stderr(&expected), "warm: {warm}");
            assert_eq!(
                snapshot_tree(t.path()),
                snapshot_tree(plain.path()),
                "warm: {warm}"
            );
        }
    }
}
