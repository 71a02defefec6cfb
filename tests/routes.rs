//! `wslint routes`: the chain of hops of every websocket path, through the
//! real binary. Snapshots of its output over the demo are in
//! tests/snapshots.rs.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

fn routes_json(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["routes", "--format", "json"];
    all.extend_from_slice(args);
    let out = common::run_in(dir, &all);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "wslint {all:?} printed no JSON ({e}):\n{}",
            common::stdout(&out)
        )
    })
}

/// (code, message) of every finding on a hop of any chain.
fn hop_findings(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let hops = doc["routes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["hops"].as_array().unwrap().iter())
        .chain(doc["unreached"].as_array().unwrap().iter());
    for h in hops {
        for f in h["findings"].as_array().unwrap() {
            out.insert((
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

/// `routes` marks a hop exactly where `check` reports on a route: every
/// timeout, lifetime and upgrade finding of `check` is on some hop of
/// `routes`, and `routes` marks nothing `check` does not report, over
/// every proxy product's fixtures.
#[test]
fn marks_are_the_findings_of_check() {
    let repo = common::repo();
    for dir in [
        "fixtures/demo",
        "fixtures/apache",
        "fixtures/nginx",
        "fixtures/haproxy",
        "fixtures/kubernetes",
        "fixtures/terraform",
    ] {
        let (items, _) = common::json_in(&repo, &[dir]);
        let check: BTreeSet<(String, String)> = items
            .iter()
            .filter(|d| {
                matches!(
                    d["code"].as_str(),
                    Some("WS301" | "WS302" | "WS303" | "WS307" | "WS308")
                )
            })
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(!check.is_empty(), "{dir}: no route finding to compare");
        let doc = routes_json(&repo, &[dir]);
        let routes: BTreeSet<(String, String)> = hop_findings(&doc)
            .into_iter()
            .filter(|(code, _)| code != "WS305")
            .collect();
        let missing: Vec<_> = check.difference(&routes).collect();
        let extra: Vec<_> = routes.difference(&check).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{dir}: findings of check on no hop of routes: {missing:#?}\nmarks of routes check does not report: {extra:#?}"
        );
    }
}

/// A chain from the client to the endpoint through a GKE Ingress and an
/// nginx proxy: each hop with its value and where it is set, the client's
/// heartbeat, the endpoint's keepalive, and the verdict.
#[test]
fn a_chain_from_client_to_endpoint() {
    let dir = common::tree(&[
        (
            "web/src/live.ts",
            r#"
const PING_MS = 25_000;
export function open(id: string) {
  const ws = new WebSocket(`wss://app.example.com/ws/jobs/${id}`);
  const t = setInterval(() => ws.send("ping"), PING_MS);
  ws.onclose = () => clearInterval(t);
  return ws;
}
"#,
        ),
        (
            "api/main.py",
            r#"
import asyncio
from fastapi import FastAPI, WebSocket

app = FastAPI()

@app.websocket("/ws/jobs/{job_id}")
async def job(websocket: WebSocket, job_id: str):
    await websocket.accept()
    while True:
        try:
            msg = await asyncio.wait_for(websocket.receive_text(), timeout=20)
            if msg == "ping":
                await websocket.send_json({"type": "pong"})
        except asyncio.TimeoutError:
            await websocket.send_json({"type": "keepalive"})
"#,
        ),
        (
            "k8s/ingress.yaml",
            r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app
  annotations:
    kubernetes.io/ingress.class: gce
spec:
  rules:
    - http:
        paths:
          - path: /ws/*
            pathType: ImplementationSpecific
            backend:
              service:
                name: api
                port:
                  number: 8000
---
apiVersion: v1
kind: Service
metadata:
  name: api
  annotations:
    cloud.google.com/backend-config: '{"default": "ws"}'
spec:
  ports:
    - port: 8000
---
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata:
  name: ws
spec:
  timeoutSec: 3600
"#,
        ),
        (
            "deploy/nginx/nginx.conf",
            r#"events {}
http {
    server {
        listen 80;
        location / {
            proxy_pass http://api:8000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 70s;
        }
    }
}
"#,
        ),
    ]);
    let doc = routes_json(dir.path(), &[]);
    let chains = doc["routes"].as_array().unwrap();
    assert_eq!(chains.len(), 1, "{doc:#}");
    let c = &chains[0];
    assert_eq!(c["path"], "/ws/jobs/{job_id}");
    assert_eq!(c["client"]["heartbeat"]["seconds"], 25.0);
    assert_eq!(c["client"]["findings"][0]["code"], "WS101");
    assert_eq!(c["client"]["heartbeat"]["set_by"], "`PING_MS`");
    assert_eq!(c["endpoint"]["function"], "job");
    assert_eq!(c["endpoint"]["keepalive"]["seconds"], 20.0);
    let hops = c["hops"].as_array().unwrap();
    let layers: Vec<&str> = hops.iter().map(|h| h["layer"].as_str().unwrap()).collect();
    assert_eq!(layers, ["load balancer", "proxy"], "{doc:#}");
    assert_eq!(hops[0]["limit"], "lifetime");
    assert_eq!(hops[0]["value"]["seconds"], 3600.0);
    assert_eq!(hops[0]["findings"], serde_json::json!([]));
    assert_eq!(hops[1]["product"], "nginx");
    assert_eq!(hops[1]["value"]["seconds"], 70.0);
    assert_eq!(hops[1]["value"]["at"]["path"], "deploy/nginx/nginx.conf");
    assert_eq!(hops[1]["value"]["at"]["line"], 10);
    let codes: Vec<&str> = hops[1]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // 70 s: above the 60 s minimum, below 3 x the 25 s heartbeat.
    assert_eq!(codes, ["WS303"], "{doc:#}");
    assert_eq!(c["broken"], true);

    let out = common::run_in(dir.path(), &["routes", "--color", "never"]);
    let text = common::stdout(&out);
    assert!(
        text.contains("closes after 70 s without traffic at nginx `server"),
        "{text}"
    );
    assert!(text.contains("lifetime 3600 s"), "{text}");
    assert!(
        text.contains("✗ WS303 proxy-timeout-heartbeat-ratio"),
        "{text}"
    );
}

/// A path no hop of the project serves, and a project with no websocket
/// at all, are said as such.
#[test]
fn paths_without_hops_and_projects_without_websockets() {
    let dir = common::tree(&[(
        "api/main.py",
        r#"
from fastapi import FastAPI, WebSocket

app = FastAPI()

@app.websocket("/ws/feed")
async def feed(websocket: WebSocket):
    await websocket.accept()
    async for msg in websocket.iter_text():
        await websocket.send_text(msg)
"#,
    )]);
    let doc = routes_json(dir.path(), &[]);
    let c = &doc["routes"][0];
    assert_eq!(c["path"], "/ws/feed");
    assert_eq!(c["hops"], serde_json::json!([]));
    assert_eq!(c["endpoint"]["keepalive"], Value::Null);
    assert_eq!(c["endpoint"]["findings"][0]["code"], "WS201");
    let out = common::run_in(dir.path(), &["routes", "--color", "never"]);
    let text = common::stdout(&out);
    assert!(text.contains("no hop of the project serves it"), "{text}");

    let empty = common::tree(&[("README.md", "nothing here\n")]);
    let out = common::run_in(empty.path(), &["routes"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        common::stdout(&out).starts_with("No websocket route found"),
        "{}",
        common::stdout(&out)
    );
}

/// Usage and configuration errors exit with 2, as `check`'s do.
#[test]
fn usage_errors() {
    let dir = common::tree(&[("wslint.toml", "[proxy]\nidle_timeout_min_s = \"x\"\n")]);
    let out = common::run_in(dir.path(), &["routes"]);
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    let out = common::run_in(dir.path(), &["routes", "no/such/path"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("no/such/path"));
}
