//! Per-file cost of each front end on large, socket-heavy files: read from
//! bytes, prefilter, decode, parse, model, every rule, suppressions.
//!
//! `cargo bench` (results in target/criterion/). The inputs are generated
//! here, deterministically; BENCHMARKS.md records the numbers.

use std::fmt::Write as _;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use wslint::settings::Config;

const MB: usize = 1_000_000;

/// A TSX module of about `size` bytes: React hooks with sockets,
/// heartbeats, terminal sets and effects, plus components between them
/// (without JSX when `jsx` is false, for the TypeScript grammar).
fn socket_heavy(size: usize, jsx: bool) -> String {
    let mut s = String::from("import { useEffect, useRef, useState } from \"react\";\n\n");
    let mut i = 0;
    while s.len() < size {
        i += 1;
        let _ = write!(
            s,
            r#"const HEARTBEAT_{i} = {hb}_000;
const TERMINAL_{i} = new Set([1000, 4001, 4003, 4004{extra}]);

export function useFeed{i}(accessToken: string | null, onDenied: (c: number) => void) {{
  const wsRef = useRef<WebSocket | null>(null);
  const beat = useRef<ReturnType<typeof setInterval> | null>(null);
  const [last, setLast] = useState<string | null>(null);
  useEffect(() => {{
    if (!accessToken) return;
    const connect = () => {{
      const ws = new WebSocket(`/ws/feed/{i}?token=${{accessToken}}`);
      wsRef.current = ws;
      ws.onopen = () => {{
        beat.current = setInterval(() => ws.send("ping"), HEARTBEAT_{i});
      }};
      ws.onmessage = (e) => setLast(String(e.data));
      ws.onclose = (event) => {{
        if (beat.current) clearInterval(beat.current);
        if (TERMINAL_{i}.has(event.code)) {{
          if (event.code !== 1000) onDenied(event.code);
          return;
        }}
        setTimeout(connect, 1_000 * {i});
      }};
    }};
    connect();
    return () => wsRef.current?.close(1000);
  }}, [{deps}]);
  return last;
}}

{panel}
"#,
            hb = 15 + i % 15,
            extra = if i % 3 == 0 { "" } else { ", 4403" },
            deps = if i % 4 == 0 { "" } else { "accessToken" },
            panel = if jsx {
                format!(
                    "export function Panel{i}({{ items }}: {{ items: string[] }}) {{\n  return (\n    <ul>\n      {{items.map((x) => (\n        <li key={{x}}>{{x.toUpperCase()}}</li>\n      ))}}\n    </ul>\n  );\n}}\n"
                )
            } else {
                format!(
                    "export function panel{i}(items: string[]): string {{\n  return items.map((x) => `<li>${{x.toUpperCase()}}</li>`).join(\"\");\n}}\n"
                )
            },
        );
    }
    s
}

/// A Python module of about `size` bytes: FastAPI websocket endpoints with
/// keepalive loops, dependencies and HTTP routes.
fn endpoint_heavy_python(size: usize) -> String {
    let mut s = String::from(
        "import asyncio\n\nfrom fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect\n\nrouter = APIRouter(prefix=\"/ws\")\nIDLE = 20\n\n",
    );
    let mut i = 0;
    while s.len() < size {
        i += 1;
        let _ = write!(
            s,
            r#"
async def org_of_{i}(websocket: WebSocket) -> str:
    return websocket.query_params.get("org_id", "")


@router.websocket("/feed{i}/{{item_id}}")
async def feed_{i}(websocket: WebSocket, item_id: str, org_id: str = Depends(org_of_{i})):
    if not item_id:
        await websocket.accept()
        await websocket.close(code=4004)
        return
    await websocket.accept()
    try:
        while True:
            try:
                msg = await asyncio.wait_for(websocket.receive_text(), timeout=IDLE{extra})
                if msg == "ping":
                    await websocket.send_json({{"type": "pong"}})
            except asyncio.TimeoutError:
                await websocket.send_json({{"type": "keepalive"}})
    except WebSocketDisconnect:
        return


@router.websocket("/feed{i}")
async def feed_list_{i}(websocket: WebSocket):
    await websocket.accept()
    while True:
        await websocket.receive_text()
"#,
            extra = if i % 2 == 0 { "" } else { " + 10" },
        );
    }
    s
}

/// An Apache configuration of about `size` bytes: many vhosts with
/// websocket routes, sections and comments.
fn vhost_heavy_apache(size: usize) -> String {
    let mut s = String::from("Timeout 300\n");
    let mut i = 0;
    while s.len() < size {
        i += 1;
        let _ = write!(
            s,
            "# site {i}\n<VirtualHost *:443>\n    ServerName s{i}.example.com\n    ProxyTimeout {t}\n    <IfModule mod_proxy_wstunnel.c>\n        ProxyPass /ws/ ws://10.0.{a}.{b}:8000/ws/ \\\n            timeout={t2}\n    </IfModule>\n    <Location /api/>\n        ProxyPass http://10.0.{a}.{b}:8000/api/\n    </Location>\n    RewriteEngine on\n    RewriteRule ^/live/(.*) \"wss://10.0.{a}.{b}:9443/$1\" [P,L]\n</VirtualHost>\n",
            t = 30 + i % 90,
            t2 = 40 + i % 60,
            a = i / 250 % 250,
            b = i % 250,
        );
    }
    s
}

/// An nginx configuration of about `size` bytes: an `http` block with a
/// `map`, upstreams and many servers with websocket and API locations.
fn server_heavy_nginx(size: usize) -> String {
    let mut s = String::from(
        "events { worker_connections 1024; }\nhttp {\n    proxy_read_timeout 300s;\n    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        ''      close;\n    }\n",
    );
    let mut i = 0;
    while s.len() < size {
        i += 1;
        let _ = write!(
            s,
            "    # site {i}\n    upstream app{i} {{ server 10.0.{a}.{b}:8000; keepalive 16; }}\n    server {{\n        listen 443 ssl;\n        server_name s{i}.example.com;\n        location /ws/ {{\n            proxy_pass http://app{i};\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n            proxy_read_timeout {t}s;\n        }}\n        location ~* ^/live{v}/(.*)$ {{\n            proxy_pass http://app{i};\n            proxy_set_header Host $host;\n        }}\n        location /api/ {{ proxy_pass http://app{i}/api/; }}\n    }}\n",
            t = 30 + i % 90,
            v = i % 16,
            a = i / 250 % 250,
            b = i % 250,
        );
    }
    s.push_str("}\n");
    s
}

/// An HAProxy configuration of about `size` bytes: defaults and many
/// frontend/backend pairs routing websockets by header and path ACLs.
fn proxy_heavy_haproxy(size: usize) -> String {
    let mut s = String::from(
        "global\n    maxconn 4096\n\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n",
    );
    let mut i = 0;
    while s.len() < size {
        i += 1;
        let _ = write!(
            s,
            "\nfrontend fe{i}\n    bind :{port}\n    acl is_ws hdr(Upgrade) -i websocket\n    acl ws_path path_beg /ws/\n    use_backend ws{i} if is_ws or ws_path\n    default_backend api{i}\n\nbackend ws{i}\n    timeout tunnel {t}s\n    server a 10.0.{a}.{b}:8000 check\n\nbackend api{i}\n    server a 10.0.{a}.{b}:8001\n",
            port = 10000 + i % 50000,
            t = 30 + i % 90,
            a = i / 250 % 250,
            b = i % 250,
        );
    }
    s
}

fn bench(c: &mut Criterion) {
    let config = Config::default();
    let cases = [
        ("tsx_1mb_socket_heavy", "feed.tsx", socket_heavy(MB, true)),
        ("ts_1mb_socket_heavy", "feed.ts", socket_heavy(MB, false)),
        (
            "python_1mb_endpoints",
            "feeds.py",
            endpoint_heavy_python(MB),
        ),
        ("apache_1mb_vhosts", "sites.conf", vhost_heavy_apache(MB)),
        ("nginx_1mb_servers", "nginx.conf", server_heavy_nginx(MB)),
        (
            "haproxy_1mb_frontends",
            "haproxy.cfg",
            proxy_heavy_haproxy(MB),
        ),
    ];
    let mut group = c.benchmark_group("per_file");
    group.sample_size(10);
    for (id, name, text) in &cases {
        // Each case is real work: the file is read as its kind and rules fire.
        let report = wslint::check_in_memory(name, text.as_bytes(), config.clone());
        assert!(
            report.files_checked == 1 && !report.diagnostics.is_empty(),
            "{id}: checked {}, {} findings",
            report.files_checked,
            report.diagnostics.len()
        );
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(*id, |b| {
            b.iter(|| wslint::check_in_memory(name, text.as_bytes(), config.clone()))
        });
    }
    // The grammar's share: tree-sitter's parse alone of the same files, the
    // floor under the whole pipeline above (BENCHMARKS.md).
    let grammars: [(&str, tree_sitter::Language, &str); 3] = [
        (
            "tsx_1mb_parse_only",
            tree_sitter_typescript::LANGUAGE_TSX.into(),
            &cases[0].2,
        ),
        (
            "ts_1mb_parse_only",
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            &cases[1].2,
        ),
        (
            "python_1mb_parse_only",
            tree_sitter_python::LANGUAGE.into(),
            &cases[2].2,
        ),
    ];
    for (id, language, text) in grammars {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&language)
            .expect("a grammar of this build");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(id, |b| b.iter(|| parser.parse(text, None)));
    }
    // The floor every irrelevant file pays: the prefilter on 1 MB.
    let plain = "export const value = compute(input);\n".repeat(MB / 37);
    group.throughput(Throughput::Bytes(plain.len() as u64));
    group.bench_function("prefilter_1mb_irrelevant", |b| {
        b.iter(|| wslint::check_in_memory("plain.ts", plain.as_bytes(), config.clone()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
