//! The project model through the binary: runs on part of a project (a
//! pre-commit file list, one folder) report only on what they check, but
//! read the facts they need from the rest of the project.

mod common;

use common::{found, json_in, tree};

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

/// The project's websocket paths: a file list naming only a proxy file
/// finds them in the rest of the project (an endpoint's route, a client's
/// socket URL) and reports what a whole-tree run reports.
#[test]
fn a_file_list_finds_the_websocket_paths_of_the_project() {
    for case in ["bad-project-path", "bad-client-url-path"] {
        let dir = common::repo().join("fixtures/nginx").join(case);
        let (whole, _) = json_in(&dir, &[]);
        let (listed, _) = json_in(&dir, &["deploy/site.conf"]);
        let proxy: Vec<_> = found(&whole)
            .into_iter()
            .filter(|(p, _)| p == "deploy/site.conf")
            .collect();
        assert!(!proxy.is_empty(), "{case}: {whole:?}");
        assert_eq!(found(&listed), proxy, "{case}");
    }
    // The same kind of location, reached by the endpoint's path, with the
    // server's upgrade headers inherited and a long timeout: nothing to
    // report, from a file list as from the whole tree.
    let t = tree(&[
        ("wslint.toml", ""),
        (
            "api/main.py",
            "from fastapi import FastAPI, WebSocket\napp = FastAPI()\n\n@app.websocket(\"/api/v1/ws\")\nasync def ws(websocket: WebSocket):\n    await websocket.accept()\n",
        ),
        (
            "deploy/site.conf",
            "server {\n    listen 80;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection upgrade;\n    location /api/ {\n        proxy_pass http://b;\n        proxy_read_timeout 600s;\n    }\n}\n",
        ),
    ]);
    let (items, _) = json_in(t.path(), &["deploy/site.conf"]);
    assert!(items.is_empty(), "{items:?}");
    std::fs::write(
        t.path().join("deploy/site.conf"),
        "server {\n    listen 80;\n    location /api/ {\n        proxy_pass http://b;\n        proxy_read_timeout 600s;\n    }\n}\n",
    )
    .unwrap();
    let (items, _) = json_in(t.path(), &["deploy/site.conf"]);
    assert_eq!(
        found(&items),
        vec![("deploy/site.conf".into(), "WS307".into())]
    );
    // Listed in the configuration, the websocket paths are the project's
    // for a file list: the endpoint is not looked for. The whole tree still
    // reads it, since it checks that module anyway.
    std::fs::write(
        t.path().join("wslint.toml"),
        "[proxy]\nwebsocket_paths = [\"/live/*\"]\n",
    )
    .unwrap();
    let (items, _) = json_in(t.path(), &["deploy/site.conf"]);
    assert!(items.is_empty(), "{items:?}");
    let (items, _) = json_in(t.path(), &[]);
    assert_eq!(
        found(&items),
        vec![("deploy/site.conf".into(), "WS307".into())]
    );
}

/// A pre-commit run naming one manifest reads the manifests beside it: the
/// Service and BackendConfig that give a GKE Ingress its 3600 s timeout
/// live in another file. Their own findings are not reported.
#[test]
fn a_file_list_reads_the_manifests_beside_it() {
    const INGRESS: &str = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app\n  annotations:\n    kubernetes.io/ingress.class: gce\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /ws/*\n            pathType: ImplementationSpecific\n            backend:\n              service:\n                name: api\n                port:\n                  number: 8000\n";
    const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  annotations:\n    cloud.google.com/backend-config: '{\"default\": \"ws\"}'\nspec:\n  ports:\n    - port: 8000\n---\napiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: ws\nspec:\n  timeoutSec: 3600\n";
    let t = tree(&[
        ("wslint.toml", ""),
        ("k8s/base/ingress.yaml", INGRESS),
        ("k8s/base/service.yaml", SERVICE),
        // Another app's short-lived ingress, not named: not reported.
        (
            "k8s/other/ingress.yaml",
            &INGRESS
                .replace("name: app", "name: other")
                .replace("name: api", "name: other-api"),
        ),
    ]);
    let (items, _) = json_in(t.path(), &["k8s/base/ingress.yaml"]);
    assert!(items.is_empty(), "{items:?}");
    // On its own, the Ingress's Service is unknown: GCP's 30 s default.
    let alone = tree(&[("ingress.yaml", INGRESS)]);
    let (items, _) = json_in(alone.path(), &["ingress.yaml"]);
    assert_eq!(found(&items), vec![("ingress.yaml".into(), "WS308".into())]);
    // The whole project: only the other app's ingress.
    let (items, _) = json_in(t.path(), &[]);
    assert_eq!(
        found(&items),
        vec![("k8s/other/ingress.yaml".into(), "WS308".into())]
    );
}

/// The longest client heartbeat of the project may be a component's: a file
/// list naming only a vhost reads the `.vue`/`.svelte` files for it, and
/// the label points into the component.
#[test]
fn a_file_list_reads_the_heartbeat_of_a_component() {
    let vue = "<template><p>jobs</p></template>\n<script setup lang=\"ts\">\nconst HEARTBEAT_MS = 25_000;\nconst ws = new WebSocket(\"/ws/jobs\");\nconst t = setInterval(() => ws.send(\"ping\"), HEARTBEAT_MS);\nws.onclose = () => clearInterval(t);\n</script>\n";
    let svelte = "<script>\n  const ws = new WebSocket(\"/ws/feed\");\n  const t = setInterval(() => ws.send(\"ping\"), 10_000);\n  ws.onclose = () => clearInterval(t);\n</script>\n";
    let t = tree(&[
        ("wslint.toml", "[client]\nheartbeat_max_ms = 30000\n"),
        ("web/src/Jobs.vue", vue),
        ("web/src/Feed.svelte", svelte),
        (
            "deploy/apache2/sites-enabled/jobs.conf",
            "<VirtualHost *:443>\n    ProxyTimeout 60\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n",
        ),
    ]);
    // The file list, and the whole project (whose components have findings
    // of their own).
    for args in [&["deploy/apache2/sites-enabled/jobs.conf"][..], &[]] {
        let (mut items, _) = json_in(t.path(), args);
        items.retain(|d| d["path"] == "deploy/apache2/sites-enabled/jobs.conf");
        assert_eq!(
            found(&items),
            vec![(
                "deploy/apache2/sites-enabled/jobs.conf".into(),
                "WS303".into()
            )],
            "{args:?}"
        );
        let label = items[0]["labels"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(label["path"], "web/src/Jobs.vue");
        assert_eq!(label["line"], 3);
    }
}
