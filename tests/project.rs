//! The project model through the binary: runs on part of a project (a
//! pre-commit file list, one folder) report only on what they check, but
//! read the facts they need from the rest of the project.

mod common;

use common::{json_in, tree};

fn found(items: &[serde_json::Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const CLIENT: &str = "const HEARTBEAT_MS = 25_000;\nconst TERMINAL = new Set([1000, 4001, 4003, 4004, 4403]);\nexport function open(url: string, onTerminal: (c: number) => void) {\n  const ws = new WebSocket(url);\n  const t = setInterval(() => ws.send(\"ping\"), HEARTBEAT_MS);\n  ws.onclose = (e) => {\n    clearInterval(t);\n    if (TERMINAL.has(e.code)) {\n      if (e.code !== 1000) onTerminal(e.code);\n      return;\n    }\n    setTimeout(() => open(url, onTerminal), 1000);\n  };\n}\n";

/// A project: a client with a 25 s heartbeat, an Apache main configuration
/// that includes the vhosts, and a vhost of its own.
fn project() -> tempfile::TempDir {
    tree(&[
        ("wslint.toml", "[client]\nheartbeat_max_ms = 30000\n"),
        ("web/src/socket.ts", CLIENT),
        (
            "deploy/apache2/apache2.conf",
            "Timeout 300\nIncludeOptional sites-enabled/*.conf\n",
        ),
        (
            "deploy/apache2/sites-enabled/jobs.conf",
            "<VirtualHost *:443>\n    ProxyTimeout 60\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n",
        ),
        (
            "deploy/apache2/sites-enabled/status.conf",
            "<VirtualHost *:80>\n    ProxyPass /ws/ ws://127.0.0.1:8001/ws/\n</VirtualHost>\n",
        ),
    ])
}

#[test]
fn a_file_list_reads_the_heartbeat_from_the_rest_of_the_project() {
    let t = project();
    // Only the vhost is named, as pre-commit names a staged file: the 25 s
    // heartbeat comes from web/src/socket.ts, which is not checked.
    let (items, out) = json_in(t.path(), &["deploy/apache2/sites-enabled/jobs.conf"]);
    assert_eq!(
        found(&items),
        vec![(
            "deploy/apache2/sites-enabled/jobs.conf".into(),
            "WS303".into()
        )]
    );
    assert_eq!(out.status.code(), Some(1));
    let label = &items[0]["labels"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(label["path"], "web/src/socket.ts");
    assert_eq!(label["line"], 1);
}

#[test]
fn a_file_list_reads_the_including_configuration() {
    let t = project();
    // status.conf sets no timeout: on its own it would be WS302, but the
    // main configuration that includes it sets Timeout 300.
    let (items, _) = json_in(t.path(), &["deploy/apache2/sites-enabled/status.conf"]);
    assert!(items.is_empty(), "{items:?}");
    // Without a project around it (no wslint.toml, no VCS root), there is
    // nothing to inherit.
    let alone = tree(&[(
        "status.conf",
        "<VirtualHost *:80>\n    ProxyPass /ws/ ws://127.0.0.1:8001/ws/\n</VirtualHost>\n",
    )]);
    let (items, _) = json_in(alone.path(), &["status.conf"]);
    assert_eq!(found(&items), vec![("status.conf".into(), "WS302".into())]);
}

#[test]
fn only_the_checked_files_are_reported_on() {
    let t = tree(&[
        ("wslint.toml", ""),
        ("apache2.conf", "ProxyTimeout 20\nInclude sites/*.conf\n"),
        (
            "sites/app.conf",
            "<VirtualHost *:443>\n    <Location /ws>\n        ProxyTimeout 600\n    </Location>\n    ProxyPass /ws/ ws://b/ws/\n</VirtualHost>\n",
        ),
    ]);
    // The whole project: both files' findings.
    let (items, _) = json_in(t.path(), &[]);
    assert_eq!(
        found(&items),
        vec![
            ("apache2.conf".into(), "WS301".into()),
            ("sites/app.conf".into(), "WS304".into())
        ]
    );
    // One file: only its findings, though the other is read for context.
    let (items, _) = json_in(t.path(), &["sites/app.conf"]);
    assert_eq!(
        found(&items),
        vec![("sites/app.conf".into(), "WS304".into())]
    );
    let (items, _) = json_in(t.path(), &["apache2.conf"]);
    assert_eq!(found(&items), vec![("apache2.conf".into(), "WS301".into())]);
}

#[test]
fn the_whole_project_needs_no_second_walk() {
    // WS303 in a full run takes the heartbeat from the checked modules.
    let t = project();
    let (items, _) = json_in(t.path(), &[]);
    assert_eq!(
        found(&items),
        vec![(
            "deploy/apache2/sites-enabled/jobs.conf".into(),
            "WS303".into()
        )]
    );
}
