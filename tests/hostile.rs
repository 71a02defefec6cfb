//! Hostile and broken input: every case is built at test time, and each
//! checks the diagnostic, the exit code, that the other files of the run
//! are still checked, and that the run ends within a bound.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{bin, json_in, tree};

const BAD_VHOST: &str = "<VirtualHost *:443>\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n";
/// A client module with a 30 s heartbeat (WS101 on line 3).
const BAD_CLIENT: &str = "export function open(url: string) {\n  const ws = new WebSocket(url);\n  const t = setInterval(() => ws.send(\"ping\"), 30_000);\n  ws.onclose = () => clearInterval(t);\n}\n";
/// How long any one of these runs may take, even in a debug build.
const BOUND: Duration = Duration::from_secs(60);

/// Runs `wslint check --format json ARGS` in `dir` within [`BOUND`].
fn timed(dir: &Path, args: &[&str]) -> (Vec<serde_json::Value>, std::process::Output) {
    let start = Instant::now();
    let r = json_in(dir, args);
    assert!(start.elapsed() < BOUND, "took {:?}", start.elapsed());
    r
}

#[test]
fn mutually_including_files_do_not_explode() {
    // Thirty files that each include all thirty: without a budget the walk
    // is 30! paths long.
    let mut files: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("conf/f{i:02}.conf"),
                "Include *.conf\nProxyTimeout 5\n".to_string(),
            )
        })
        .collect();
    files.push(("z-site.conf".into(), BAD_VHOST.into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let t = tree(&refs);
    let (items, out) = timed(t.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let got = common::found(&items);
    // Each Include line is reported once as recursive; the other file is
    // still checked.
    assert_eq!(
        got.iter().filter(|(_, c)| c == "WS305").count(),
        30,
        "{got:?}"
    );
    assert!(got.contains(&("z-site.conf".into(), "WS301".into())));
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 100_000;
    let ts = format!(
        "const x = {}1{};\nexport function open(url: string) {{\n  const ws = new WebSocket(url);\n  setInterval(() => ws.send(\"ping\"), 30_000);\n}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let py = format!(
        "x = {}1{}\n\n@app.websocket(\"/ws\")\nasync def ws(websocket: WebSocket):\n    await websocket.accept()\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let apache = format!(
        "{}ProxyTimeout 30\n{}<VirtualHost *:80>\nProxyPass /ws ws://b/\n</VirtualHost>\n",
        "<IfModule x>\n".repeat(depth),
        "</IfModule>\n".repeat(depth)
    );
    let braces = format!(
        "export const y = {}0{};\n",
        "{a:".repeat(depth),
        "}".repeat(depth)
    );
    let t = tree(&[
        ("deep.ts", &ts),
        ("deep.py", &py),
        ("deep.conf", &apache),
        ("braces.js", &format!("// WebSocket\n{braces}")),
        ("z.ts", BAD_CLIENT),
    ]);
    let (items, out) = timed(t.path(), &[]);
    assert_ne!(out.status.code(), Some(2), "{}", common::stderr(&out));
    let got = common::found(&items);
    assert!(
        got.contains(&("deep.conf".into(), "WS301".into())),
        "{got:?}"
    );
    assert!(got.contains(&("z.ts".into(), "WS101".into())), "{got:?}");
}

#[test]
fn encodings_and_line_endings_keep_positions_right() {
    let t = tree(&[("z.ts", BAD_CLIENT)]);
    let dir = t.path();
    // A BOM, CRLF, lone CR: the ProxyTimeout stays on line 3, column 5.
    std::fs::write(dir.join("bom.conf"), "\u{feff}# x\n<VirtualHost *:443>\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://b/ws/\n</VirtualHost>\n").unwrap();
    std::fs::write(dir.join("crlf.conf"), "# x\r\n<VirtualHost *:443>\r\n    ProxyTimeout 30\r\n    ProxyPass /ws/ ws://b/ws/\r\n</VirtualHost>\r\n").unwrap();
    std::fs::write(dir.join("cr.conf"), "# x\r<VirtualHost *:443>\r    ProxyTimeout 30\r    ProxyPass /ws/ ws://b/ws/\r</VirtualHost>\r").unwrap();
    // UTF-16 with a BOM is decoded.
    let utf16: Vec<u8> = std::iter::once(0xFEFFu16)
        .chain(BAD_CLIENT.encode_utf16())
        .flat_map(|u| u.to_le_bytes())
        .collect();
    std::fs::write(dir.join("utf16.ts"), utf16).unwrap();
    // Invalid UTF-8: reported with its offset, the rest still checked.
    let mut latin1 = b"// caf\xe9 ".to_vec();
    latin1.extend_from_slice(BAD_CLIENT.as_bytes());
    std::fs::write(dir.join("latin1.ts"), latin1).unwrap();
    // Binary and empty files are skipped without a word.
    std::fs::write(
        dir.join("video.ts"),
        b"G\x40\x00\x10\x00\x00WebSocket\x00\xff",
    )
    .unwrap();
    std::fs::write(dir.join("empty.ts"), b"").unwrap();
    std::fs::write(dir.join("empty.conf"), b"").unwrap();
    let (items, out) = timed(dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let at: Vec<(String, String, u64, u64)> = items
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    for f in ["bom.conf", "crlf.conf", "cr.conf"] {
        assert!(
            at.contains(&(f.into(), "WS301".into(), 3, 5)),
            "{f}: {at:?}"
        );
    }
    assert!(
        at.contains(&("utf16.ts".into(), "WS101".into(), 3, 48)),
        "{at:?}"
    );
    assert!(
        at.contains(&("latin1.ts".into(), "WS101".into(), 3, 48)),
        "{at:?}"
    );
    let invalid = items
        .iter()
        .find(|d| d["path"] == "latin1.ts" && d["code"] == "WS002")
        .unwrap();
    assert!(
        invalid["message"]
            .as_str()
            .unwrap()
            .contains("invalid UTF-8 at byte 6")
    );
    assert!(at.contains(&("z.ts".into(), "WS101".into(), 3, 48)));
    assert!(
        !at.iter()
            .any(|a| a.0.starts_with("video") || a.0.starts_with("empty")),
        "{at:?}"
    );
}

#[test]
fn minified_bundles_and_files_over_the_limit_are_reported_not_parsed() {
    // A 5 MB single-line bundle with a socket: generated code, reported as
    // not checked (parsing it would cost seconds for findings at column
    // 368,449 of vendored code).
    let mut bundle = String::from("!function(){var s=new WebSocket(u);");
    while bundle.len() < 5_000_000 {
        bundle.push_str("var a=function(n,r){return n&&r?n.map(function(o){return o*2+r}):[]};");
    }
    bundle.push_str("}();\n");
    // A large module of ordinary lines is checked, however long.
    let mut big = String::new();
    while big.len() < 2_000_000 {
        big.push_str("export const double = (n: number): number => n * 2;\n");
    }
    big.push_str(BAD_CLIENT);
    let t = tree(&[
        ("vendor/bundle.min.js", &bundle),
        ("big.ts", &big),
        ("z.ts", BAD_CLIENT),
    ]);
    let (items, out) = timed(t.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let got = common::found(&items);
    assert!(
        got.contains(&("vendor/bundle.min.js".into(), "WS003".into())),
        "{got:?}"
    );
    let msg = items.iter().find(|d| d["code"] == "WS003").unwrap()["message"].clone();
    assert!(msg.as_str().unwrap().contains("looks minified"), "{msg}");
    assert!(got.contains(&("big.ts".into(), "WS101".into())), "{got:?}");
    assert!(got.contains(&("z.ts".into(), "WS101".into())), "{got:?}");
    // With a 1 MB limit the module is not read, and said so; a large file
    // that cannot matter is skipped silently.
    std::fs::write(
        t.path().join("wslint.toml"),
        "[files]\nmax_size = 1000000\n",
    )
    .unwrap();
    std::fs::write(t.path().join("data.js"), "x".repeat(2_000_000)).unwrap();
    let (items, out) = timed(t.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let got = common::found(&items);
    assert!(got.contains(&("big.ts".into(), "WS003".into())), "{got:?}");
    assert!(!got.iter().any(|g| g.0 == "data.js"), "{got:?}");
    assert!(got.contains(&("z.ts".into(), "WS101".into())));
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_and_the_run_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    // Root reads everything: run the binary as nobody (setpriv).
    if std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("setpriv unavailable; skipped");
        return;
    }
    let t = tree(&[
        ("ok/site.conf", BAD_VHOST),
        ("locked/site.conf", BAD_VHOST),
        ("secret.conf", BAD_VHOST),
    ]);
    let dir = t.path();
    let set = |p: &str, mode: u32| {
        std::fs::set_permissions(dir.join(p), std::fs::Permissions::from_mode(mode)).unwrap()
    };
    for d in [".", "ok", "locked"] {
        set(d, 0o755);
    }
    set("ok/site.conf", 0o644);
    set("locked/site.conf", 0o644);
    set("locked", 0o000);
    set("secret.conf", 0o000);
    let start = Instant::now();
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            bin(),
            "check",
            "--format",
            "json",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(start.elapsed() < BOUND);
    set("locked", 0o755);
    if out.status.code() == Some(126) || out.stdout.is_empty() {
        eprintln!(
            "nobody cannot run the binary here; skipped: {}",
            common::stderr(&out)
        );
        return;
    }
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let got = common::found(&items);
    assert!(got.contains(&("locked".into(), "WS002".into())), "{got:?}");
    assert!(
        got.contains(&("secret.conf".into(), "WS002".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("ok/site.conf".into(), "WS301".into())),
        "{got:?}"
    );
    let msg = items.iter().find(|d| d["path"] == "secret.conf").unwrap()["message"].clone();
    assert_eq!(msg, "permission denied");
    assert_eq!(out.status.code(), Some(1));
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_not_followed() {
    let outside = tree(&[("bad.conf", BAD_VHOST)]);
    let t = tree(&[(
        "site/ok.conf",
        "<VirtualHost *:80>\nProxyTimeout 90\nProxyPass /ws ws://b/\n</VirtualHost>\n",
    )]);
    let dir = t.path();
    // A loop back to the root, and links out of the tree.
    std::os::unix::fs::symlink(dir, dir.join("site/loop")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.join("site/out")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("bad.conf"),
        dir.join("site/linked.conf"),
    )
    .unwrap();
    let (items, out) = timed(dir, &[]);
    assert!(items.is_empty(), "{items:?}");
    assert_eq!(out.status.code(), Some(0));
}

#[cfg(target_os = "linux")]
#[test]
fn paths_that_are_not_utf8_are_checked_and_shown() {
    use std::os::unix::ffi::OsStrExt;
    let t = tree(&[]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.conf");
    std::fs::write(t.path().join(name), BAD_VHOST).unwrap();
    let (items, _) = timed(t.path(), &[]);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["path"], "caf\u{fffd}.conf");
    assert_eq!(items[0]["code"], "WS301");
}

#[test]
fn apache_files_that_httpd_would_refuse() {
    let t = tree(&[
        (
            "etc.conf",
            "Include /etc/apache2/*.conf\n<VirtualHost *:80>\nProxyPass /ws ws://b/\n</VirtualHost>\n",
        ),
        (
            "escape.conf",
            "Include ../../../../../../etc/passwd\n<VirtualHost *:80>\nProxyPass /ws ws://b/\n</VirtualHost>\n",
        ),
        (
            "eof.conf",
            "<VirtualHost *:80>\nProxyTimeout 90\nProxyPass /ws ws://b/\n</VirtualHost>\nTimeout 300 \\",
        ),
        (
            "unbalanced.conf",
            "<VirtualHost *:80>\n<Location /ws>\nProxyPass ws://b/\n</VirtualHost>\n",
        ),
        (
            "numbers.conf",
            "<VirtualHost *:80>\nProxyTimeout 99999999999999999999\nProxyPass /a ws://b/ timeout=-1\nProxyPass /b ws://b/ timeout=60s\nProxyPass /c ws://b/ timeout=1min\n</VirtualHost>\n",
        ),
    ]);
    let (items, out) = timed(t.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let msgs: Vec<(String, String, String)> = items
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().into(),
                d["code"].as_str().unwrap().into(),
                d["message"].as_str().unwrap().into(),
            )
        })
        .collect();
    let has = |path: &str, code: &str, text: &str| {
        msgs.iter()
            .any(|m| m.0 == path && m.1 == code && m.2.contains(text))
    };
    assert!(
        has("etc.conf", "WS306", "outside the scanned tree"),
        "{msgs:#?}"
    );
    assert!(
        has("escape.conf", "WS306", "outside the scanned tree"),
        "{msgs:#?}"
    );
    assert!(
        has("eof.conf", "WS305", "at the end of the file"),
        "{msgs:#?}"
    );
    assert!(
        has("unbalanced.conf", "WS305", "is not closed"),
        "{msgs:#?}"
    );
    assert!(
        has(
            "numbers.conf",
            "WS305",
            "`99999999999999999999` is not a number"
        ),
        "{msgs:#?}"
    );
    assert!(
        has("numbers.conf", "WS305", "`-1` is not a number"),
        "{msgs:#?}"
    );
    assert!(
        has("numbers.conf", "WS305", "`60s` is read by httpd as 60 s"),
        "{msgs:#?}"
    );
    assert!(
        has("numbers.conf", "WS305", "`1min` is read by httpd as 1 s"),
        "{msgs:#?}"
    );
    assert!(has("numbers.conf", "WS301", "timeout=1min"), "{msgs:#?}");
}

#[test]
fn absurd_configuration_values_are_refused_by_key() {
    for (text, key) in [
        (
            "[client]\nheartbeat_max_ms = -1\n",
            "client.heartbeat_max_ms",
        ),
        (
            "[client]\nheartbeat_max_ms = 1e30\n",
            "client.heartbeat_max_ms",
        ),
        (
            "[client]\nterminal_close_codes = []\n",
            "client.terminal_close_codes",
        ),
        (
            "[client]\nterminal_close_codes = [999, 70000]\n",
            "client.terminal_close_codes",
        ),
        ("[server]\nkeepalive_max_s = 0\n", "server.keepalive_max_s"),
        (
            "[server]\norg_filter_pattern = \"(a+)+$\\\\\"\n",
            "server.org_filter_pattern",
        ),
        (
            "[client]\ntoken_pattern = \"x{1000}{1000}{1000}\"\n",
            "client.token_pattern",
        ),
        (
            "[apache]\nheartbeat_ratio = 0.5\n",
            "apache.heartbeat_ratio",
        ),
        ("[files]\nmax_size = 0\n", "files.max_size"),
    ] {
        let t = tree(&[("wslint.toml", text), ("site.conf", BAD_VHOST)]);
        let out = common::run_in(t.path(), &["--color", "never"]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = common::stderr(&out);
        assert!(err.contains(key), "{text}: {err}");
        assert!(err.contains("wslint.toml:"), "{text}: {err}");
    }
}

/// An nginx websocket location with a 30 s read timeout (WS301 on line 6).
const BAD_NGINX: &str = "server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://b;\n        proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection upgrade; proxy_http_version 1.1;\n        proxy_read_timeout 30s;\n    }\n}\n";
/// An HAProxy websocket backend whose tunnel timeout is 3.6 s (WS301).
const BAD_HAPROXY: &str = "defaults\n    mode http\n    timeout client 30s\n    timeout server 30s\n    timeout tunnel 3600\nfrontend www\n    bind :80\n    use_backend ws if { hdr(upgrade) -i websocket }\nbackend ws\n    server a 127.0.0.1:8000\n";

#[test]
fn nginx_and_haproxy_files_that_would_break_a_parser() {
    let depth = 100_000;
    // 100,000 nested blocks, opened and closed; then as many left open.
    let nested = format!(
        "{}{}\n{BAD_NGINX}",
        "location /a {\n".repeat(depth),
        "}\n".repeat(depth)
    );
    let unclosed = format!(
        "server {{\n{}proxy_pass http://b;\n",
        "location /a {\n".repeat(depth)
    );
    // A 5 MB file (under the limit, so it is read whole) of directives.
    let mut big = String::from("http {\n");
    while big.len() < 5_000_000 {
        big.push_str("    map $a $b { default 1; 'x' 2; }\n    proxy_set_header X-A $host;\n");
    }
    big.push_str("}\n");
    // Braces, quotes and Lua that never close; invalid UTF-8; a NUL later.
    let mut t = vec![
        ("nested/nginx.conf", nested.as_str()),
        ("unclosed/nginx.conf", unclosed.as_str()),
        ("big/nginx.conf", big.as_str()),
        (
            "quote/nginx.conf",
            "server {\n    proxy_pass http://b;\n    server_name \"never closed;\n",
        ),
        (
            "lua/nginx.conf",
            "server {\n    proxy_pass http://b;\n    content_by_lua_block {\n        local s = [[\n",
        ),
        ("braces/nginx.conf", "}}}}\n{{{{\n;;;;\nproxy_pass x;\n"),
        (
            "ha/haproxy.cfg",
            "defaults\n    timeout tunnel \"1h\n    timeout client 99999999999999999999s\nbackend\nfrontend www from\n    use_backend\n    use_backend ws if { { { !\n",
        ),
        ("z/nginx.conf", BAD_NGINX),
        ("z/haproxy.cfg", BAD_HAPROXY),
    ];
    let deep_ha = format!(
        "defaults\n    timeout tunnel 1h\nfrontend www\n    use_backend ws if {}\nbackend ws\n",
        "! ".repeat(depth)
    );
    t.push(("deep/haproxy.cfg", deep_ha.as_str()));
    let t = tree(&t);
    std::fs::write(
        t.path().join("latin1/nginx.conf"),
        b"# caf\xe9\nserver {\n    location /ws/ {\n        proxy_pass http://b;\n        proxy_read_timeout 20s;\n    }\n}\n",
    )
    .unwrap_or_else(|_| {
        std::fs::create_dir_all(t.path().join("latin1")).unwrap();
        std::fs::write(
            t.path().join("latin1/nginx.conf"),
            b"# caf\xe9\nserver {\n    location /ws/ {\n        proxy_pass http://b;\n        proxy_read_timeout 20s;\n    }\n}\n",
        )
        .unwrap();
    });
    let (items, out) = timed(t.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let got = common::found(&items);
    // Counted, so that a failure prints a short table.
    let mut counts: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for g in &got {
        *counts.entry(g.clone()).or_default() += 1;
    }
    let has = |path: &str, code: &str| counts.contains_key(&(path.to_string(), code.to_string()));
    assert!(has("nested/nginx.conf", "WS301"), "{counts:?}");
    // 100,000 blocks left open are one finding, not 100,000.
    assert_eq!(
        counts.get(&("unclosed/nginx.conf".into(), "WS305".into())),
        Some(&1),
        "{counts:?}"
    );
    assert!(has("quote/nginx.conf", "WS305"), "{counts:?}");
    assert!(has("lua/nginx.conf", "WS305"), "{counts:?}");
    // Braces alone are not nginx: named nginx.conf, it is said so.
    assert!(
        has("braces/nginx.conf", "WS305") || has("braces/nginx.conf", "WS003"),
        "{counts:?}"
    );
    assert!(has("ha/haproxy.cfg", "WS305"), "{counts:?}");
    assert!(has("latin1/nginx.conf", "WS002"), "{counts:?}");
    assert!(has("latin1/nginx.conf", "WS301"), "{counts:?}");
    assert!(has("z/nginx.conf", "WS301"), "{counts:?}");
    assert!(has("z/haproxy.cfg", "WS301"), "{counts:?}");
    assert!(!got.iter().any(|g| g.0 == "big/nginx.conf"), "{counts:?}");
}

#[test]
fn nginx_includes_that_loop_or_explode() {
    // Thirty files that each include every other: one report per include
    // line, and the walk stays bounded.
    let mut files: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("conf.d/f{i:02}.conf"),
                "include conf.d/*.conf;\nproxy_read_timeout 5s;\n".to_string(),
            )
        })
        .collect();
    files.push(("site/nginx.conf".into(), BAD_NGINX.into()));
    // Includes that lead out of the tree, or nowhere.
    files.push((
        "escape/nginx.conf".into(),
        "include ../../../../../../etc/passwd;\nserver {\n    location /ws/ {\n        proxy_pass http://b;\n    }\n}\n".into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let t = tree(&refs);
    let (items, out) = timed(t.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let got = common::found(&items);
    assert!(
        got.iter().filter(|(_, c)| c == "WS305").count() >= 1,
        "{got:?}"
    );
    assert!(
        got.contains(&("site/nginx.conf".into(), "WS301".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("escape/nginx.conf".into(), "WS306".into())),
        "{got:?}"
    );
}

/// A Vue component whose `<script setup>` holds [`BAD_CLIENT`]'s socket:
/// WS101 on the line of `setInterval` (the script starts on line 2).
fn component(before: &str, after: &str) -> String {
    format!("{before}<script setup lang=\"ts\">\n{BAD_CLIENT}</script>\n{after}")
}

#[test]
fn broken_and_huge_components() {
    let n = 100_000;
    // 100,000 nested elements (and as many stray closing tags), Svelte
    // blocks, and an expression that never ends: linear, no stack.
    let nested = component(
        &format!(
            "<template>{}{}</template>{}\n",
            "<div>".repeat(n),
            "</div>".repeat(n),
            "</span>".repeat(n)
        ),
        &format!("<template>{}</template>", "<div>".repeat(n)),
    );
    let svelte = format!(
        "{}{}<script>new WebSocket(u)</script>{}\n<script lang=\"ts\">\n{BAD_CLIENT}</script>\n",
        "<div>".repeat(n),
        "{#if a}".repeat(n),
        "{/if}</div>".repeat(n)
    );
    let unending = format!(
        "<p>{{`${{{}\n<script>\n{BAD_CLIENT}</script>\n",
        "{`${".repeat(n)
    );
    // About 5 MB of markup before the script.
    let huge = component(&"<p>websocket ünïcødé</p>\n".repeat(180_000), "");
    assert!(huge.len() > 5_000_000 && huge.len() < 5 * 1024 * 1024);
    // Invalid UTF-8 in the template: reported, and the script's positions
    // are the file's (each invalid byte becomes a 3-byte U+FFFD).
    let mut latin1 = b"<template><p>caf\xe9 \xff</p></template>\n".to_vec();
    latin1.extend_from_slice(component("", "").as_bytes());
    // `</script>` in a string ends the block, as for Vue, Svelte and
    // browsers: the rest of the script is markup, and what is before it is
    // still read.
    let in_string = "<script>\nconst ws = new WebSocket(u);\nconst t = setInterval(() => ws.send(\"</script>\"), 30_000);\n</script>\n";
    let t = tree(&[
        ("nested.vue", &nested),
        ("nested.svelte", &svelte),
        ("unending.svelte", &unending),
        ("huge.vue", &huge),
        ("string.vue", in_string),
        (
            "open.vue",
            "<template>websocket</template>\n<script setup lang=\"ts\"\n",
        ),
        ("unclosed.svelte", &format!("<script>\n{BAD_CLIENT}")),
        ("z.ts", BAD_CLIENT),
    ]);
    std::fs::write(t.path().join("latin1.vue"), latin1).unwrap();
    let (items, out) = timed(t.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let at: Vec<(String, String, u64, u64)> = items
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let ws101 = |f: &str, line: u64| (f.to_string(), "WS101".to_string(), line, 48);
    for (f, line) in [
        ("nested.vue", 5),
        ("nested.svelte", 5),
        ("huge.vue", 180_004),
        ("latin1.vue", 5),
        ("unclosed.svelte", 4),
        ("z.ts", 3),
    ] {
        assert!(at.contains(&ws101(f, line)), "{f}: {at:?}");
    }
    // The nested `<script>` of the Svelte markup is not the component's.
    assert!(
        !at.iter().any(|a| a.0 == "nested.svelte" && a.1 == "WS102"),
        "{at:?}"
    );
    // An expression that never ends swallows the rest of the markup.
    assert!(!at.iter().any(|a| a.0 == "unending.svelte"), "{at:?}");
    // The block ends inside the string: the socket is read, the interval
    // call is cut short (its delay is not there) and not reported.
    assert!(
        at.contains(&("string.vue".into(), "WS102".into(), 2, 12)),
        "{at:?}"
    );
    let invalid = items
        .iter()
        .find(|d| d["path"] == "latin1.vue" && d["code"] == "WS002")
        .unwrap();
    assert!(
        invalid["message"]
            .as_str()
            .unwrap()
            .contains("invalid UTF-8 at byte 16")
    );
    let open = items
        .iter()
        .find(|d| d["path"] == "open.vue")
        .expect("the unterminated tag is reported");
    assert_eq!(open["code"], "WS003");
    assert!(
        open["message"]
            .as_str()
            .unwrap()
            .contains("line 2 never ends")
    );
}

/// An ingress-nginx Ingress whose websocket route has a 30 s read timeout
/// (WS301 on the annotation, line 7 of the document).
fn bad_ingress(name: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  annotations:\n    kubernetes.io/ingress.class: nginx\n    nginx.ingress.kubernetes.io/proxy-read-timeout: \"30\"\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /ws\n            pathType: Prefix\n            backend:\n              service:\n                name: ws\n                port:\n                  number: 80\n"
    )
}

/// Counts of (path, code), and the messages of each.
fn tally(items: &[serde_json::Value]) -> std::collections::BTreeMap<(String, String), Vec<String>> {
    let mut out: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    for d in items {
        out.entry((
            d["path"].as_str().unwrap().to_string(),
            d["code"].as_str().unwrap().to_string(),
        ))
        .or_default()
        .push(d["message"].as_str().unwrap().to_string());
    }
    out
}

#[test]
fn kubernetes_manifests_that_would_break_a_reader() {
    let header = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: deep\nspec:\n  rules: ";
    let depth = 100_000;
    // Billion laughs: ten aliases of ten aliases, nine levels deep, in a
    // document that is otherwise a real Ingress (aliases are not followed).
    let mut laughs = String::from("    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        laughs.push_str(&format!(
            "    a{i}: &a{i} [{}]\n",
            vec![prev; 10].join(", ")
        ));
    }
    let bomb = bad_ingress("bomb").replace("spec:\n", &format!("spec:\n  laughs:\n{laughs}"));
    let flow = format!("{header}{}{}\n", "[".repeat(depth), "]".repeat(depth));
    let maps = format!("{header}{}1{}\n", "{a: ".repeat(depth), "}".repeat(depth));
    // Block nesting: each `- ` opens a sequence inside the one before.
    let block = format!("{header}\n    {}x\n", "- ".repeat(depth));
    // 5 MB of documents that mention an ingress (so none is dropped
    // unread), then the bad Ingress: just under `files.max_size` (5 MiB),
    // so read whole; one byte over it, not read, and said so.
    let filler = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler\ndata:\n  INGRESS_HOST: example.com\n";
    let limit = 5 * 1024 * 1024;
    let tail = format!("---\n{}", bad_ingress("tail"));
    let mut under = String::new();
    while under.len() + filler.len() + tail.len() < limit {
        under.push_str(filler);
    }
    under.push_str(&"#".repeat(limit - 2 - under.len() - tail.len()));
    under.push('\n');
    under.push_str(&tail);
    assert_eq!(under.len(), limit - 1);
    let over = format!("{under}##\n");
    // A Helm template that is placeholders and control flow through and
    // through, even where keys and whole blocks should be.
    let helm = "{{- range .Values.x }}\n{{ .a }}: {{ .b }}\n{{ include \"x\" . }}\n{{- end }}\napiVersion: {{ .v }}\nkind: {{ .k }}\nmetadata:\n  name: {{ .n }}\n  annotations:\n    {{ .k1 }}: {{ .v1 }}\n    nginx.ingress.kubernetes.io/proxy-read-timeout: {{ .t }}\nspec:\n  {{ .s }}:\n    - {{ .r }}\n  rules: {{ toYaml .rules }}\n{{ .everything }}\n{{\n";
    // Thousands of Ingresses sharing one ALB: each route's group is not
    // read again for every other route.
    let mut group = String::new();
    for i in 0..12_000 {
        group.push_str(&format!(
            "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i{i}\n  annotations:\n    alb.ingress.kubernetes.io/group.name: g\nspec:\n  ingressClassName: alb\n  rules:\n    - http:\n        paths:\n          - path: /ws/{i}\n            pathType: Prefix\n            backend:\n              service:\n                name: ws\n                port:\n                  number: 80\n"
        ));
    }
    // Two runs, so that each stays well within the bound on a busy machine.
    let t = tree(&[
        ("bomb.yaml", &bomb),
        ("deep-flow.yaml", &flow),
        ("deep-maps.yaml", &maps),
        ("deep-block.yaml", &block),
        ("chart/templates/all.yaml", helm),
        ("z.yaml", &bad_ingress("z")),
    ]);
    let dir = t.path();
    let mut latin1 = b"# caf\xe9\n".to_vec();
    latin1.extend_from_slice(bad_ingress("latin1").as_bytes());
    std::fs::write(dir.join("latin1.yaml"), latin1).unwrap();
    std::fs::write(
        dir.join("binary.yaml"),
        b"\x00\x01kind: Ingress\x00\xff\xfe".repeat(100),
    )
    .unwrap();
    let (items, out) = timed(dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let got = tally(&items);
    let has = |p: &str, c: &str| got.contains_key(&(p.to_string(), c.to_string()));
    let message = |p: &str, c: &str| got[&(p.to_string(), c.to_string())].join(" | ");
    assert!(has("bomb.yaml", "WS301"), "{got:?}");
    for deep in ["deep-flow.yaml", "deep-maps.yaml", "deep-block.yaml"] {
        assert_eq!(
            got.get(&(deep.to_string(), "WS003".to_string()))
                .map(Vec::len),
            Some(1),
            "{deep}: {got:?}"
        );
        let m = message(deep, "WS003");
        assert!(
            m.contains("nested deeper than") || m.contains("recursion limit"),
            "{m}"
        );
    }
    assert!(
        message("latin1.yaml", "WS002").contains("invalid UTF-8 at byte 5"),
        "{got:?}"
    );
    assert!(has("latin1.yaml", "WS301"), "{got:?}");
    assert!(!got.keys().any(|(p, _)| p == "binary.yaml"), "{got:?}");
    assert!(
        !got.keys()
            .any(|(p, c)| p.starts_with("chart/") && c != "WS003"),
        "{got:?}"
    );
    assert!(has("z.yaml", "WS301"), "{got:?}");

    let t = tree(&[
        ("under.yaml", &under),
        ("over.yaml", &over),
        ("group.yaml", &group),
        ("z.yaml", &bad_ingress("z")),
    ]);
    let (items, out) = timed(t.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let got = tally(&items);
    let has = |p: &str, c: &str| got.contains_key(&(p.to_string(), c.to_string()));
    let message = |p: &str, c: &str| got[&(p.to_string(), c.to_string())].join(" | ");
    assert!(has("under.yaml", "WS301"), "{got:?}");
    assert!(
        message("over.yaml", "WS003").contains("over `files.max_size`"),
        "{got:?}"
    );
    assert!(!has("over.yaml", "WS301"), "{got:?}");
    // One finding for the group's default, labelling every route.
    assert_eq!(
        got.get(&("group.yaml".to_string(), "WS302".to_string()))
            .map(Vec::len),
        Some(1),
        "{got:?}"
    );
    assert!(message("group.yaml", "WS302").contains("12000 websocket routes"));
    assert!(has("z.yaml", "WS301"), "{got:?}");
}

#[test]
fn terraform_files_that_would_break_a_reader() {
    let depth = 100_000;
    let lb = |body: &str| format!("resource \"aws_lb\" \"x\" {{\n{body}\n}}\n");
    let bad_lb = "resource \"aws_lb\" \"ws\" {\n  idle_timeout = 30\n}\n";
    let lists = lb(&format!(
        "  tags = {}1{}",
        "[".repeat(depth),
        "]".repeat(depth)
    ));
    let blocks = lb(&format!("{}{}", "b {\n".repeat(depth), "}\n".repeat(depth)));
    let interpolations = lb(&format!("  name = \"{}\"", "${\"".repeat(depth)));
    // 5 MB of backend services, then an ALB with a 30 s idle timeout.
    let mut huge = String::new();
    let mut i = 0;
    while huge.len() < 5_000_000 {
        huge.push_str(&format!(
            "resource \"google_compute_backend_service\" \"b{i}\" {{\n  name        = \"b{i}\"\n  timeout_sec = 3600\n}}\n"
        ));
        i += 1;
    }
    huge.push_str(bad_lb);
    let heredoc =
        "resource \"aws_lb\" \"ws\" {\n  description = <<EOT\nnever closed\n  idle_timeout = 30\n";
    let indented = "resource \"aws_lb\" \"ws\" {\n  description = <<-EOT\n  ${\"\n";
    let t = tree(&[
        ("deep/lists.tf", &lists),
        ("deep/blocks.tf", &blocks),
        ("deep/interpolations.tf", &interpolations),
        ("huge/main.tf", &huge),
        ("heredoc/main.tf", heredoc),
        ("heredoc/indented.tf", indented),
        ("z/main.tf", bad_lb),
    ]);
    let dir = t.path();
    std::fs::create_dir_all(dir.join("latin1")).unwrap();
    let mut latin1 = b"# caf\xe9\n".to_vec();
    latin1.extend_from_slice(bad_lb.as_bytes());
    std::fs::write(dir.join("latin1/main.tf"), latin1).unwrap();
    let (items, out) = timed(dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let got = tally(&items);
    let message = |p: &str, c: &str| {
        got.get(&(p.to_string(), c.to_string()))
            .map(|m| m.join(" | "))
            .unwrap_or_default()
    };
    for deep in ["deep/lists.tf", "deep/blocks.tf", "deep/interpolations.tf"] {
        assert!(
            message(deep, "WS003").contains("HCL nested deeper than 128 levels"),
            "{deep}: {got:?}"
        );
    }
    for unterminated in ["heredoc/main.tf", "heredoc/indented.tf"] {
        assert!(
            message(unterminated, "WS003").contains("HCL syntax error at line 3"),
            "{unterminated}: {got:?}"
        );
    }
    assert!(!message("huge/main.tf", "WS301").is_empty(), "{got:?}");
    assert!(
        message("latin1/main.tf", "WS002").contains("invalid UTF-8 at byte 5"),
        "{got:?}"
    );
    assert!(!message("latin1/main.tf", "WS301").is_empty(), "{got:?}");
    assert!(!message("z/main.tf", "WS301").is_empty(), "{got:?}");
    // Nothing else: no finding about the broken files beyond WS003.
    assert!(
        got.keys()
            .all(|(p, c)| !(p.starts_with("deep/") || p.starts_with("heredoc/")) || c == "WS003"),
        "{got:?}"
    );
}
