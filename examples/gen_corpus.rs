//! Writes a deterministic benchmark corpus: a monorepo-shaped tree of
//! TypeScript/TSX/JavaScript and Python of real-world shapes and sizes, a few
//! per cent Apache, nginx and HAProxy configuration (and `.conf`/`.cfg`
//! files of other programs, which must cost a look only), YAML (CI,
//! compose, Helm values, Deployments, a few Kubernetes ingresses) and
//! Terraform (mostly buckets and databases, a few load balancers), about 1 % of files with
//! WebSocket clients or endpoints (good and bad), a `node_modules/` and a
//! `.git/` that must be skipped, and a few large generated bundles.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --files 50000 --out /tmp/corpus [--seed 42]
//! cargo run --release --example gen_corpus -- --dense [--mb 40] --out /tmp/dense
//! ```
//!
//! `--dense` writes the other corpus: about 40 MB in which every file is
//! websocket code (see [`dense`]).
//!
//! The same arguments always give byte-identical trees.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// splitmix64: tiny, fast, and good enough to vary names and sizes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

const NOUNS: &[&str] = &[
    "user", "order", "invoice", "job", "report", "team", "project", "billing", "audit", "session",
    "upload", "export", "search", "profile", "settings", "metric", "alert", "comment", "task",
    "file",
];
const VERBS: &[&str] = &[
    "load", "save", "fetch", "update", "render", "format", "parse", "validate", "compute", "sync",
];

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(VERBS), capitalize(rng.pick(NOUNS)))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A React component of a few hundred lines: state, effects, handlers, JSX.
fn tsx_component(rng: &mut Rng) -> String {
    let noun = capitalize(rng.pick(NOUNS));
    let mut s = format!(
        "import {{ useEffect, useMemo, useState }} from \"react\";\nimport {{ api }} from \"../lib/api\";\n\nexport interface {noun}Row {{\n  id: string;\n  name: string;\n  updatedAt: string;\n}}\n\nexport function {noun}Table({{ orgId }}: {{ orgId: string }}) {{\n  const [rows, setRows] = useState<{noun}Row[]>([]);\n  const [filter, setFilter] = useState(\"\");\n"
    );
    for _ in 0..rng.range(2, 8) {
        let f = name(rng);
        let _ = write!(
            s,
            "\n  useEffect(() => {{\n    let cancelled = false;\n    api.get(`/{}/${{orgId}}`).then((r) => {{\n      if (!cancelled) setRows(r.data);\n    }});\n    return () => {{\n      cancelled = true;\n    }};\n  }}, [orgId]);\n\n  const {f} = useMemo(() => rows.filter((r) => r.name.includes(filter)), [rows, filter]);\n",
            rng.pick(NOUNS)
        );
    }
    let _ = write!(
        s,
        "\n  return (\n    <div className=\"table\">\n      <input value={{filter}} onChange={{(e) => setFilter(e.target.value)}} />\n      <table>\n        <tbody>\n          {{rows.map((r) => (\n            <tr key={{r.id}}>\n              <td>{{r.name}}</td>\n              <td>{{new Date(r.updatedAt).toLocaleString()}}</td>\n            </tr>\n          ))}}\n        </tbody>\n      </table>\n    </div>\n  );\n}}\n"
    );
    s
}

/// A TypeScript utility module: types, pure functions, a polling interval.
fn ts_module(rng: &mut Rng) -> String {
    let mut s = String::from("import { z } from \"zod\";\n\n");
    for _ in 0..rng.range(3, 25) {
        let f = name(rng);
        let n = rng.pick(NOUNS);
        let _ = write!(
            s,
            "export const {n}Schema_{f} = z.object({{ id: z.string(), count: z.number().int() }});\n\nexport function {f}(items: Array<{{ id: string; count: number }}>, limit = {}): number {{\n  let total = 0;\n  for (const item of items.slice(0, limit)) {{\n    if (item.count > 0) total += item.count;\n  }}\n  return total;\n}}\n\n",
            rng.range(10, 500)
        );
    }
    if rng.chance(100) {
        s.push_str(
            "export function startPolling(load: () => void) {\n  const id = setInterval(load, 60_000);\n  return () => clearInterval(id);\n}\n",
        );
    }
    s
}

/// Plain JavaScript (CommonJS or ESM).
fn js_module(rng: &mut Rng) -> String {
    let mut s = String::from("\"use strict\";\n\n");
    for _ in 0..rng.range(3, 20) {
        let f = name(rng);
        let _ = write!(
            s,
            "function {f}(input, options = {{}}) {{\n  const out = [];\n  for (const [k, v] of Object.entries(input)) {{\n    if (options.skip && options.skip.includes(k)) continue;\n    out.push(`${{k}}=${{encodeURIComponent(String(v))}}`);\n  }}\n  return out.join(\"&\");\n}}\n\nmodule.exports.{f} = {f};\n\n"
        );
    }
    s
}

/// A Python service module: models, functions, an HTTP route or two.
fn py_module(rng: &mut Rng) -> String {
    let mut s = String::from(
        "from __future__ import annotations\n\nimport asyncio\nimport logging\nfrom dataclasses import dataclass\n\nfrom fastapi import APIRouter, Depends, HTTPException\n\nlog = logging.getLogger(__name__)\nrouter = APIRouter(prefix=\"/api\")\n\n",
    );
    for _ in 0..rng.range(2, 15) {
        let n = rng.pick(NOUNS);
        let f = name(rng);
        let _ = write!(
            s,
            "@dataclass\nclass {}:\n    id: str\n    org_id: str\n    count: int = 0\n\n\nasync def {f}(items: list[{}], limit: int = {}) -> int:\n    total = 0\n    for item in items[:limit]:\n        if item.count > 0:\n            total += item.count\n    await asyncio.sleep(0)\n    return total\n\n\n@router.get(\"/{n}s/{{item_id}}\")\nasync def get_{n}_{f}(item_id: str):\n    if not item_id:\n        raise HTTPException(status_code=404)\n    return {{\"id\": item_id}}\n\n\n",
            capitalize(n),
            capitalize(n),
            rng.range(10, 200)
        );
    }
    if rng.chance(200) {
        s.push_str(
            "\nasync def fetch_with_timeout(client, url):\n    return await asyncio.wait_for(client.get(url), timeout=30)\n",
        );
    }
    s
}

/// A React hook with a WebSocket: good (20 s heartbeat, full terminal set,
/// token guard) or bad (30 s heartbeat, reconnect on everything).
fn ts_socket_client(rng: &mut Rng, good: bool) -> String {
    let noun = rng.pick(NOUNS);
    let hb = if good { "20_000" } else { "30_000" };
    let codes = if good {
        "1000, 4001, 4003, 4004, 4403"
    } else {
        "1000, 4001"
    };
    let guard = if good {
        "    if (!accessToken) return;\n"
    } else {
        ""
    };
    let deps = if good { "[accessToken]" } else { "[]" };
    format!(
        "import {{ useEffect, useRef }} from \"react\";\nimport {{ toast }} from \"../lib/toast\";\n\nconst HEARTBEAT_MS = {hb};\nconst TERMINAL_CLOSE_CODES = new Set([{codes}]);\n\nexport function use{}Socket(accessToken: string | null) {{\n  const wsRef = useRef<WebSocket | null>(null);\n  const heartbeatRef = useRef<ReturnType<typeof setInterval> | null>(null);\n\n  useEffect(() => {{\n{guard}    const connect = () => {{\n      const ws = new WebSocket(`/ws/{noun}?token=${{accessToken}}`);\n      wsRef.current = ws;\n      ws.onopen = () => {{\n        heartbeatRef.current = setInterval(() => ws.send(\"ping\"), HEARTBEAT_MS);\n      }};\n      ws.onclose = (event) => {{\n        if (heartbeatRef.current) clearInterval(heartbeatRef.current);\n        if (TERMINAL_CLOSE_CODES.has(event.code)) {{\n          if (event.code !== 1000) toast(`disconnected (${{event.code}})`);\n          return;\n        }}\n        setTimeout(connect, 2_000);\n      }};\n    }};\n    connect();\n    return () => wsRef.current?.close();\n  }}, {deps});\n}}\n",
        capitalize(noun)
    )
}

/// A FastAPI websocket endpoint: good (20 s keepalive) or bad (none).
fn py_socket_endpoint(rng: &mut Rng, good: bool) -> String {
    let noun = rng.pick(NOUNS);
    let receive = if good {
        "            try:\n                msg = await asyncio.wait_for(websocket.receive_text(), timeout=20.0)\n                if msg == \"ping\":\n                    await websocket.send_json({\"type\": \"pong\"})\n            except asyncio.TimeoutError:\n                await websocket.send_json({\"type\": \"keepalive\"})\n"
    } else {
        "            msg = await websocket.receive_text()\n            log.debug(\"got %s\", msg)\n"
    };
    format!(
        "import asyncio\nimport logging\n\nfrom fastapi import APIRouter, WebSocket, WebSocketDisconnect\n\nlog = logging.getLogger(__name__)\nrouter = APIRouter(prefix=\"/ws\")\n\n\n@router.websocket(\"/{noun}s/{{item_id}}\")\nasync def {noun}_updates(websocket: WebSocket, item_id: str, org_id: str):\n    await websocket.accept()\n    try:\n        while True:\n{receive}    except WebSocketDisconnect:\n        log.info(\"client left\")\n"
    )
}

/// A file of an application whose sockets a library opens: a socket.io
/// client or server (Node), a python-socketio server, a phoenix socket;
/// half of them with the library's default heartbeat, half with a 15 s one.
/// Returns (path, text, kind: 0 client, 1 server).
fn library_socket_file(rng: &mut Rng, app: u64, n: usize) -> (String, String, usize) {
    let noun = rng.pick(NOUNS);
    let good = rng.chance(500);
    match rng.below(4) {
        0 => {
            let auth = if good {
                "    if (!accessToken) return;\n"
            } else {
                ""
            };
            (
                format!("apps/web-{app}/src/realtime/{noun}Socket{n}.tsx"),
                format!(
                    "import {{ useEffect }} from \"react\";\nimport {{ io }} from \"socket.io-client\";\nimport {{ toast }} from \"../lib/toast\";\n\nexport function use{}Feed(accessToken: string | null) {{\n  useEffect(() => {{\n{auth}    const socket = io(\"/{noun}s\", {{ auth: {{ token: accessToken }} }});\n    socket.on(\"connect_error\", (err) => {{\n      if (!socket.active) toast(err.message);\n    }});\n    socket.on(\"disconnect\", (reason) => {{\n      if (reason === \"io server disconnect\") toast(\"signed out\");\n    }});\n    return () => {{\n      socket.disconnect();\n    }};\n  }}, [accessToken]);\n}}\n",
                    capitalize(noun)
                ),
                0,
            )
        }
        1 => {
            let ping = if good { ", pingInterval: 15_000" } else { "" };
            (
                format!("services/realtime-{app}/src/{noun}-{n}.ts"),
                format!(
                    "import {{ createServer }} from \"node:http\";\nimport {{ Server }} from \"socket.io\";\n\nconst httpServer = createServer();\nexport const io = new Server(httpServer, {{ cors: {{ origin: \"*\" }}{ping} }});\nio.on(\"connection\", (socket) => {{\n  socket.join(\"{noun}\");\n}});\nhttpServer.listen(3000);\n"
                ),
                1,
            )
        }
        2 => {
            let ping = if good { ", ping_interval=15" } else { "" };
            (
                format!("services/svc-{app}/app/sio_{noun}_{n}.py"),
                format!(
                    "import socketio\nfrom fastapi import FastAPI\n\nsio = socketio.AsyncServer(async_mode=\"asgi\", cors_allowed_origins=\"*\"{ping})\napp = FastAPI()\nasgi_app = socketio.ASGIApp(sio, other_asgi_app=app)\n\n\n@sio.event\nasync def {noun}(sid, data):\n    await sio.emit(\"{noun}\", data)\n"
                ),
                1,
            )
        }
        _ => {
            let hb = if good {
                "heartbeatIntervalMs: 15_000, "
            } else {
                ""
            };
            (
                format!("apps/web-{app}/assets/js/{noun}_socket_{n}.js"),
                format!(
                    "import {{ Socket }} from \"phoenix\";\n\nconst socket = new Socket(\"/socket\", {{ {hb}params: {{ token: window.userToken }} }});\nsocket.connect();\nexport const channel = socket.channel(\"{noun}:lobby\", {{}});\nchannel.join();\n"
                ),
                0,
            )
        }
    }
}

fn apache_vhost(rng: &mut Rng, ws: bool) -> String {
    let host = rng.pick(NOUNS);
    let timeout = if rng.chance(500) { 30 } else { 120 };
    let route = if ws {
        format!("    ProxyTimeout {timeout}\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n")
    } else {
        String::new()
    };
    format!(
        "<VirtualHost *:443>\n    ServerName {host}.example.com\n    DocumentRoot /var/www/{host}\n    SSLEngine on\n    ProxyPreserveHost On\n{route}    ProxyPass /api/ http://127.0.0.1:8000/api/\n    ProxyPassReverse /api/ http://127.0.0.1:8000/api/\n    ErrorLog ${{APACHE_LOG_DIR}}/{host}-error.log\n</VirtualHost>\n"
    )
}

fn nginx_conf(rng: &mut Rng, ws: bool) -> String {
    let host = rng.pick(NOUNS);
    let timeout = if rng.chance(500) { "30s" } else { "1h" };
    // Half the websocket locations lose the server's upgrade headers by
    // setting one of their own.
    let ws_location = if ws {
        let own = if rng.chance(500) {
            "        proxy_set_header Host $host;\n"
        } else {
            ""
        };
        format!(
            "    location /ws/ {{\n        proxy_pass http://backend;\n{own}        proxy_read_timeout {timeout};\n    }}\n"
        )
    } else {
        String::new()
    };
    format!(
        "upstream backend {{\n    server 127.0.0.1:8000;\n    keepalive 16;\n}}\nserver {{\n    listen 443 ssl;\n    server_name {host}.example.com;\n    ssl_certificate /etc/ssl/{host}.pem;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection $connection_upgrade;\n    location / {{\n        root /var/www/{host};\n        try_files $uri /index.html;\n    }}\n    location /api/ {{\n        proxy_pass http://backend;\n        proxy_read_timeout 60s;\n    }}\n{ws_location}}}\n"
    )
}

/// The main nginx.conf of a deploy folder: includes its conf.d.
fn nginx_main() -> String {
    "user www-data;\nworker_processes auto;\nevents {\n    worker_connections 1024;\n}\nhttp {\n    include /etc/nginx/mime.types;\n    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n    proxy_read_timeout 300s;\n    include /etc/nginx/conf.d/*.conf;\n}\n".to_string()
}

fn haproxy_cfg(rng: &mut Rng) -> String {
    let tunnel = if rng.chance(300) { "3600" } else { "1h" };
    let name = rng.pick(NOUNS);
    format!(
        "global\n    maxconn 4096\n    log stdout format raw local0\n\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n    timeout tunnel {tunnel}\n\nfrontend www\n    bind :443 ssl crt /etc/ssl/{name}.pem\n    acl is_ws hdr(Upgrade) -i websocket\n    acl is_api path_beg /api/\n    use_backend ws_{name} if is_ws\n    use_backend api if is_api\n    default_backend web\n\nbackend ws_{name}\n    server app1 10.0.0.1:8000 check\n\nbackend api\n    balance roundrobin\n    server api1 10.0.0.2:8000 check\n\nbackend web\n    server web1 10.0.0.3:8080 check\n"
    )
}

/// Configuration of other programs under names wslint looks at.
fn other_conf(rng: &mut Rng) -> (String, String) {
    if rng.chance(500) {
        (
            "supervisord".to_string(),
            "[supervisord]\nnodaemon=true\n\n[program:api]\ncommand=/usr/bin/uvicorn app:app\nautorestart=true\n".to_string(),
        )
    } else {
        (
            "setup".to_string(),
            "[metadata]\nname = svc\nversion = 1.0\n\n[options]\npackages = find:\n".to_string(),
        )
    }
}

/// Writes `n` Vue and Svelte components into the apps of the tree, with a
/// random stream of their own; returns how many.
fn components(out: &Path, n: usize, apps: u64, seed: u64) -> usize {
    let mut rng = Rng(seed ^ 0x5F0C_0A11_5FC0_FFEE);
    for i in 0..n {
        let app = rng.below(apps);
        let (path, text) = component_file(&mut rng, app, i);
        write(&out.join(path), &text);
    }
    n
}

/// A Vue (two in three) or Svelte single-file component of a web app: a
/// template or markup of a few dozen lines, a script with state, fetches and
/// lifecycle hooks, a style; one in a hundred opens a socket (good: 20 s
/// heartbeat cleared on close, terminal set; bad: 30 s, cleared on unmount
/// only). Returns (path, text); paths end in `{n}`.
fn component_file(rng: &mut Rng, app: u64, n: usize) -> (String, String) {
    let noun = rng.pick(NOUNS);
    let comp = format!("{}{}", capitalize(noun), capitalize(rng.pick(VERBS)));
    let vue = rng.below(3) < 2;
    let socket = rng.chance(10);
    let good = rng.chance(500);
    let mut markup = String::new();
    for i in 0..rng.range(4, 20) {
        let _ = write!(
            markup,
            "    <div class=\"row row-{i}\">\n      <span class=\"label\">{} {i}</span>\n      <button type=\"button\">{}</button>\n    </div>\n",
            rng.pick(NOUNS),
            rng.pick(VERBS)
        );
    }
    let mut script = String::new();
    for _ in 0..rng.range(2, 8) {
        let f = name(rng);
        let _ = write!(
            script,
            "async function {f}(id: string) {{\n  const res = await fetch(`/api/{}/${{id}}`);\n  if (!res.ok) throw new Error(`{f} failed: ${{res.status}}`);\n  return res.json();\n}}\n\n",
            rng.pick(NOUNS)
        );
    }
    let (hb, clear_on_close, tell) = if good {
        (
            "20_000",
            "    clearInterval(ping);\n",
            "      if (event.code !== 1000) alert(`disconnected (${event.code})`);\n",
        )
    } else {
        ("30_000", "", "")
    };
    let live = format!(
        "const TERMINAL_CLOSE_CODES = new Set([1000, 4001, 4003, 4004, 4403]);\nlet ws: WebSocket | undefined;\nlet ping: ReturnType<typeof setInterval> | undefined;\n\nfunction connect() {{\n  ws = new WebSocket(`/ws/{noun}`);\n  ws.onopen = () => {{\n    ping = setInterval(() => ws?.send(\"ping\"), {hb});\n  }};\n  ws.onclose = (event) => {{\n{clear_on_close}    if (TERMINAL_CLOSE_CODES.has(event.code)) {{\n{tell}      return;\n    }}\n    setTimeout(connect, 2_000);\n  }};\n}}\n\n"
    );
    let (path, text) = if vue {
        let (import, mount, unmount) = if socket {
            (
                "import { onBeforeUnmount, onMounted, ref } from \"vue\";\n",
                format!("{live}onMounted(connect);\n"),
                "onBeforeUnmount(() => {\n  clearInterval(ping);\n  ws?.close();\n});\n",
            )
        } else {
            (
                "import { computed, onMounted, ref } from \"vue\";\n",
                "onMounted(() => {\n  loading.value = false;\n});\n".to_string(),
                "",
            )
        };
        (
            format!("apps/web-{app}/src/components/{comp}{n}.vue"),
            format!(
                "<template>\n  <section class=\"{noun}\">\n{markup}  </section>\n</template>\n\n<script setup lang=\"ts\">\n{import}\nconst props = defineProps<{{ id: string }}>();\nconst loading = ref(true);\n\n{script}{mount}{unmount}</script>\n\n<style scoped>\n.{noun} {{ display: grid; gap: 8px; }}\n.row {{ display: flex; }}\n</style>\n"
            ),
        )
    } else {
        let (import, mount) = if socket {
            (
                "  import { onDestroy, onMount } from \"svelte\";\n",
                format!(
                    "{live}onMount(connect);\nonDestroy(() => {{\n  clearInterval(ping);\n  ws?.close();\n}});\n"
                ),
            )
        } else {
            (
                "  import { onMount } from \"svelte\";\n",
                "onMount(() => {\n  loading = false;\n});\n".to_string(),
            )
        };
        (
            format!("apps/web-{app}/src/routes/{noun}/{comp}{n}.svelte"),
            format!(
                "<script lang=\"ts\">\n{import}  export let id: string;\n  let loading = true;\n\n{script}{mount}</script>\n\n{{#if loading}}\n  <p>Loading {noun} {{id}}</p>\n{{:else}}\n  <section class=\"{noun}\">\n{markup}  </section>\n{{/if}}\n\n<style>\n  .{noun} {{ display: grid; }}\n</style>\n"
            ),
        )
    };
    (path, text)
}

/// A minified bundle of `bytes` bytes on one line; with `socket`, it
/// contains a bundled WebSocket client (so it passes the prefilter).
fn bundle(rng: &mut Rng, bytes: usize, socket: bool) -> String {
    let mut s = String::with_capacity(bytes + 256);
    s.push_str("!function(e,t){\"use strict\";");
    let mut i = 0u64;
    while s.len() < bytes {
        i += 1;
        let _ = write!(
            s,
            "var a{i}=function(n,r){{return n&&r?n.map(function(o){{return o*{}+r}}):[]}};",
            rng.range(1, 99)
        );
        if socket && i.is_multiple_of(5000) {
            s.push_str("var s=new WebSocket(e.url);s.onclose=function(){setTimeout(function(){t(e)},1e3)};");
        }
    }
    s.push_str("}(window,function(){});\n");
    s
}

// ---------------------------------------------------------------------
// The dense corpus (`--dense`): every file is websocket code, of the
// shapes and sizes real products have. Three projects side by side, one
// per language family, so that `scripts/bench.sh` can time each against
// the parse alone of the same files:
//
//   clients/  React hooks, socket classes, context providers (TSX), plain
//             JavaScript clients, and the constants modules they import;
//   servers/  FastAPI routers with websocket endpoints, connection
//             managers, and the application modules that include them;
//   deploy/   Apache, nginx and HAProxy front ends, Kubernetes ingresses
//             and Terraform load balancers, each routing websockets.
//
// Vue and Svelte single-file components belong in `clients/` once wslint
// reads them: add a row to `DENSE_CLIENTS` (a share and a writer) and
// nothing else changes.
// ---------------------------------------------------------------------

const MSG_TYPES: &[&str] = &[
    "snapshot",
    "delta",
    "presence",
    "typing",
    "ack",
    "error",
    "progress",
    "log",
    "metric",
    "notification",
    "cursor",
    "heartbeat",
];

/// A constants module a client app imports its socket settings from.
fn dense_ws_config(rng: &mut Rng) -> String {
    let hb = if rng.chance(600) { "20_000" } else { "30_000" };
    format!(
        "// Socket settings shared by every client of this app.\nexport const HEARTBEAT_MS = {hb};\nexport const RECONNECT_BASE_MS = 1_000;\nexport const RECONNECT_MAX_MS = 30_000;\nexport const TERMINAL_CLOSE_CODES = new Set([1000, 4001, 4003, 4004{}]);\nexport const WS_BASE = \"/ws\";\n\nexport function backoff(attempt: number): number {{\n  return Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);\n}}\n",
        if rng.chance(500) { ", 4403" } else { "" }
    )
}

/// The `switch` of message handlers every realistic client has: most of
/// a client's size is what it does with messages.
fn dense_message_switch(rng: &mut Rng, indent: &str, on: &str) -> String {
    let mut s = format!("{indent}switch (msg.type) {{\n");
    for _ in 0..rng.range(3, 12) {
        let t = rng.pick(MSG_TYPES);
        let n = rng.pick(NOUNS);
        let _ = write!(
            s,
            "{indent}  case \"{t}\": {{\n{indent}    const items = Array.isArray(msg.payload) ? msg.payload : [msg.payload];\n{indent}    for (const item of items) {{\n{indent}      if (item && typeof item === \"object\" && \"id\" in item) {{\n{indent}        {on}(\"{n}\", item);\n{indent}      }}\n{indent}    }}\n{indent}    break;\n{indent}  }}\n"
        );
    }
    let _ = write!(
        s,
        "{indent}  default:\n{indent}    console.debug(\"unhandled\", msg.type);\n{indent}}}\n"
    );
    s
}

/// A React hook (TypeScript) with one socket: imported settings, a
/// heartbeat, terminal close codes, backoff; good or with defects.
fn dense_hook(rng: &mut Rng) -> String {
    let noun = capitalize(rng.pick(NOUNS));
    let guard = if rng.chance(700) {
        "    if (!accessToken) return;\n"
    } else {
        ""
    };
    let deps = if rng.chance(700) {
        "[accessToken, channel]"
    } else {
        "[channel]"
    };
    let terminal = if rng.chance(800) {
        "        if (TERMINAL_CLOSE_CODES.has(event.code)) {\n          setStatus(\"closed\");\n          return;\n        }\n"
    } else {
        ""
    };
    let mut s = format!(
        "import {{ useCallback, useEffect, useRef, useState }} from \"react\";\nimport {{ HEARTBEAT_MS, TERMINAL_CLOSE_CODES, WS_BASE, backoff }} from \"../lib/wsConfig\";\n\ntype Status = \"idle\" | \"open\" | \"closed\" | \"reconnecting\";\n\ninterface Message {{\n  type: string;\n  payload: unknown;\n  seq?: number;\n}}\n\nexport function use{noun}Channel(channel: string, accessToken: string | null) {{\n  const wsRef = useRef<WebSocket | null>(null);\n  const beatRef = useRef<ReturnType<typeof setInterval> | null>(null);\n  const attemptRef = useRef(0);\n  const [status, setStatus] = useState<Status>(\"idle\");\n  const [items, setItems] = useState<Record<string, unknown[]>>({{}});\n\n  const apply = useCallback((kind: string, item: unknown) => {{\n    setItems((prev) => ({{ ...prev, [kind]: [...(prev[kind] ?? []), item].slice(-500) }}));\n  }}, []);\n\n  useEffect(() => {{\n{guard}    let stopped = false;\n    const connect = () => {{\n      const ws = new WebSocket(`${{WS_BASE}}/{}/${{channel}}?token=${{accessToken}}`);\n      wsRef.current = ws;\n      ws.onopen = () => {{\n        attemptRef.current = 0;\n        setStatus(\"open\");\n        beatRef.current = setInterval(() => ws.send(JSON.stringify({{ type: \"ping\" }})), HEARTBEAT_MS);\n      }};\n      ws.onmessage = (e) => {{\n        const msg = JSON.parse(String(e.data)) as Message;\n",
        rng.pick(NOUNS)
    );
    s.push_str(&dense_message_switch(rng, "        ", "apply"));
    let _ = write!(
        s,
        "      }};\n      ws.onclose = (event) => {{\n        if (beatRef.current) clearInterval(beatRef.current);\n{terminal}        if (stopped) return;\n        setStatus(\"reconnecting\");\n        setTimeout(connect, backoff(attemptRef.current++));\n      }};\n    }};\n    connect();\n    return () => {{\n      stopped = true;\n      wsRef.current?.close(1000);\n    }};\n  }}, {deps});\n\n  const send = useCallback((type: string, payload: unknown) => {{\n    wsRef.current?.send(JSON.stringify({{ type, payload }}));\n  }}, []);\n\n  return {{ status, items, send }};\n}}\n"
    );
    // Helpers around the hook, as real hooks files have.
    for _ in 0..rng.range(0, 6) {
        let f = name(rng);
        let _ = write!(
            s,
            "\nexport function {f}(items: Record<string, unknown[]>, kind: string): number {{\n  const list = items[kind] ?? [];\n  let n = 0;\n  for (const item of list) {{\n    if (item && typeof item === \"object\") n += 1;\n  }}\n  return n;\n}}\n"
        );
    }
    s
}

/// A socket class (TypeScript): connection, heartbeat, backoff, a queue of
/// messages sent while closed, typed listeners.
fn dense_socket_class(rng: &mut Rng) -> String {
    let noun = capitalize(rng.pick(NOUNS));
    let hb = if rng.chance(600) {
        "HEARTBEAT_MS"
    } else {
        "45_000"
    };
    let mut s = format!(
        "import {{ HEARTBEAT_MS, TERMINAL_CLOSE_CODES, backoff }} from \"../lib/wsConfig\";\n\ntype Listener = (payload: unknown) => void;\n\nexport class {noun}Socket {{\n  private ws: WebSocket | null = null;\n  private beat: ReturnType<typeof setInterval> | null = null;\n  private attempt = 0;\n  private closedByUs = false;\n  private queue: string[] = [];\n  private listeners = new Map<string, Set<Listener>>();\n\n  constructor(private readonly url: string, private readonly token: () => string | null) {{}}\n\n  connect(): void {{\n    const token = this.token();\n    if (!token) return;\n    this.closedByUs = false;\n    this.ws = new WebSocket(`${{this.url}}?token=${{token}}`);\n    this.ws.onopen = () => {{\n      this.attempt = 0;\n      this.beat = setInterval(() => this.ws?.send(\"ping\"), {hb});\n      for (const m of this.queue.splice(0)) this.ws?.send(m);\n    }};\n    this.ws.onmessage = (e) => this.dispatch(String(e.data));\n    this.ws.onclose = (event) => {{\n      if (this.beat) clearInterval(this.beat);\n      if (this.closedByUs || TERMINAL_CLOSE_CODES.has(event.code)) return;\n      setTimeout(() => this.connect(), backoff(this.attempt++));\n    }};\n  }}\n\n  close(): void {{\n    this.closedByUs = true;\n    this.ws?.close(1000);\n  }}\n\n  on(type: string, listener: Listener): () => void {{\n    const set = this.listeners.get(type) ?? new Set<Listener>();\n    set.add(listener);\n    this.listeners.set(type, set);\n    return () => set.delete(listener);\n  }}\n\n  send(type: string, payload: unknown): void {{\n    const text = JSON.stringify({{ type, payload }});\n    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);\n    else this.queue.push(text);\n  }}\n\n  private dispatch(raw: string): void {{\n    let msg: {{ type: string; payload: unknown }};\n    try {{\n      msg = JSON.parse(raw);\n    }} catch {{\n      return;\n    }}\n    const emit = (kind: string, item: unknown) => {{\n      for (const l of this.listeners.get(kind) ?? []) l(item);\n    }};\n"
    );
    s.push_str(&dense_message_switch(rng, "    ", "emit"));
    s.push_str("  }\n");
    for _ in 0..rng.range(1, 8) {
        let f = name(rng);
        let _ = write!(
            s,
            "\n  {f}(ids: string[], limit = {}): void {{\n    for (const id of ids.slice(0, limit)) {{\n      this.send(\"{f}\", {{ id, at: Date.now() }});\n    }}\n  }}\n",
            rng.range(5, 200)
        );
    }
    s.push_str("}\n");
    s
}

/// A context provider (TSX) that owns the app's socket, and components
/// that read from it.
fn dense_provider(rng: &mut Rng) -> String {
    let noun = capitalize(rng.pick(NOUNS));
    let mut s = format!(
        "import {{ createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode }} from \"react\";\nimport {{ HEARTBEAT_MS, TERMINAL_CLOSE_CODES, WS_BASE, backoff }} from \"../lib/wsConfig\";\n\ninterface {noun}State {{\n  connected: boolean;\n  events: Array<{{ type: string; payload: unknown }}>;\n}}\n\nconst {noun}Context = createContext<{noun}State>({{ connected: false, events: [] }});\n\nexport function {noun}Provider({{ token, children }}: {{ token: string | null; children: ReactNode }}) {{\n  const [state, setState] = useState<{noun}State>({{ connected: false, events: [] }});\n  const socket = useRef<WebSocket | null>(null);\n  useEffect(() => {{\n    if (!token) return;\n    let attempt = 0;\n    let timer: ReturnType<typeof setInterval> | undefined;\n    const open = () => {{\n      const ws = new WebSocket(`${{WS_BASE}}/{}?token=${{token}}`);\n      socket.current = ws;\n      ws.onopen = () => {{\n        attempt = 0;\n        setState((s) => ({{ ...s, connected: true }}));\n        timer = setInterval(() => ws.send(\"ping\"), HEARTBEAT_MS);\n      }};\n      ws.onmessage = (e) => {{\n        const msg = JSON.parse(String(e.data));\n        const push = (type: string, payload: unknown) =>\n          setState((s) => ({{ ...s, events: [...s.events, {{ type, payload }}].slice(-200) }}));\n",
        rng.pick(NOUNS)
    );
    s.push_str(&dense_message_switch(rng, "        ", "push"));
    s.push_str("      };\n      ws.onclose = (event) => {\n        clearInterval(timer);\n        setState((s) => ({ ...s, connected: false }));\n        if (TERMINAL_CLOSE_CODES.has(event.code)) return;\n        setTimeout(open, backoff(attempt++));\n      };\n    };\n    open();\n    return () => socket.current?.close(1000);\n  }, [token]);\n  return <");
    let _ = write!(
        s,
        "{noun}Context.Provider value={{state}}>{{children}}</{noun}Context.Provider>;\n}}\n\nexport const use{noun} = () => useContext({noun}Context);\n"
    );
    for _ in 0..rng.range(1, 6) {
        let c = capitalize(&name(rng));
        let _ = write!(
            s,
            "\nexport function {c}() {{\n  const {{ connected, events }} = use{noun}();\n  const rows = useMemo(() => events.filter((e) => e.type !== \"heartbeat\"), [events]);\n  return (\n    <section className=\"panel\">\n      <header>{{connected ? \"live\" : \"offline\"}}</header>\n      <ul>\n        {{rows.map((e, i) => (\n          <li key={{i}}>\n            <b>{{e.type}}</b> {{JSON.stringify(e.payload)}}\n          </li>\n        ))}}\n      </ul>\n    </section>\n  );\n}}\n"
        );
    }
    s
}

/// A plain JavaScript client (ESM), as older apps and scripts have.
fn dense_js_client(rng: &mut Rng) -> String {
    let noun = rng.pick(NOUNS);
    let mut s = format!(
        "const HEARTBEAT_MS = {};\nconst TERMINAL = new Set([1000, 4001, 4003]);\n\nexport function open{}Feed(url, onEvent) {{\n  let ws;\n  let beat;\n  let attempt = 0;\n  let stopped = false;\n  function connect() {{\n    ws = new WebSocket(url);\n    ws.onopen = () => {{\n      attempt = 0;\n      beat = setInterval(() => ws.send(\"ping\"), HEARTBEAT_MS);\n    }};\n    ws.onmessage = (e) => {{\n      const msg = JSON.parse(e.data);\n",
        if rng.chance(500) { "15000" } else { "25000" },
        capitalize(noun)
    );
    s.push_str(&dense_message_switch(rng, "      ", "onEvent"));
    s.push_str("    };\n    ws.onclose = (event) => {\n      clearInterval(beat);\n      if (stopped || TERMINAL.has(event.code)) return;\n      setTimeout(connect, Math.min(30000, 1000 * 2 ** attempt++));\n    };\n  }\n  connect();\n  return () => {\n    stopped = true;\n    ws.close(1000);\n  };\n}\n");
    s
}

/// A FastAPI router with several websocket endpoints (receive loops with
/// or without keepalive, org filters, a connection manager) and the HTTP
/// routes around them.
fn dense_router(rng: &mut Rng) -> String {
    let mut s = String::from(
        "import asyncio\nimport json\nimport logging\nfrom typing import Any\n\nfrom fastapi import APIRouter, Depends, HTTPException, Query, WebSocket, WebSocketDisconnect\n\nfrom ..deps import current_org\nfrom ..settings import KEEPALIVE_S\n\nlog = logging.getLogger(__name__)\nrouter = APIRouter()\n\n\nclass ConnectionManager:\n    def __init__(self) -> None:\n        self.active: dict[str, set[WebSocket]] = {}\n\n    async def join(self, room: str, websocket: WebSocket) -> None:\n        await websocket.accept()\n        self.active.setdefault(room, set()).add(websocket)\n\n    def leave(self, room: str, websocket: WebSocket) -> None:\n        self.active.get(room, set()).discard(websocket)\n\n    async def broadcast(self, room: str, message: dict[str, Any]) -> None:\n        for ws in list(self.active.get(room, ())):\n            try:\n                await ws.send_json(message)\n            except WebSocketDisconnect:\n                self.leave(room, ws)\n\n\nmanager = ConnectionManager()\n\n",
    );
    for _ in 0..rng.range(2, 7) {
        let n = rng.pick(NOUNS);
        let f = name(rng);
        let good = rng.chance(600);
        let filter = if rng.chance(700) {
            ", org_id: str = Depends(current_org)"
        } else {
            ""
        };
        let body = if good {
            "            try:\n                raw = await asyncio.wait_for(websocket.receive_text(), timeout=KEEPALIVE_S)\n            except asyncio.TimeoutError:\n                await websocket.send_json({\"type\": \"keepalive\"})\n                continue\n"
        } else {
            "            raw = await websocket.receive_text()\n"
        };
        let _ = write!(
            s,
            "@router.websocket(\"/ws/{n}s/{{item_id}}\")\nasync def {n}_{f}_socket(websocket: WebSocket, item_id: str{filter}):\n    await manager.join(item_id, websocket)\n    try:\n        while True:\n{body}            msg = json.loads(raw)\n            kind = msg.get(\"type\")\n            if kind == \"ping\":\n                await websocket.send_json({{\"type\": \"pong\"}})\n            elif kind == \"subscribe\":\n                await manager.broadcast(item_id, {{\"type\": \"presence\", \"id\": item_id}})\n            else:\n                log.debug(\"ignored %s\", kind)\n    except WebSocketDisconnect:\n        manager.leave(item_id, websocket)\n\n\n@router.get(\"/{n}s/{{item_id}}\")\nasync def get_{n}_{f}(item_id: str, limit: int = Query({}, le=500)):\n    if not item_id:\n        raise HTTPException(status_code=404)\n    rows = [{{\"id\": item_id, \"n\": i}} for i in range(limit)]\n    total = 0\n    for row in rows:\n        if row[\"n\"] % 2:\n            total += row[\"n\"]\n    return {{\"id\": item_id, \"total\": total}}\n\n\n",
            rng.range(10, 200)
        );
    }
    s
}

/// The application module of a service: its routers included under
/// prefixes.
fn dense_app(routers: &[String]) -> String {
    let mut s = String::from("from fastapi import FastAPI\n\n");
    for r in routers {
        let _ = writeln!(s, "from .routers import {r}");
    }
    s.push_str("\napp = FastAPI()\n");
    for r in routers {
        let _ = writeln!(s, "app.include_router({r}.router, prefix=\"/api\")");
    }
    s
}

fn dense_service_support() -> [(&'static str, &'static str); 3] {
    [
        ("settings.py", "KEEPALIVE_S = 20.0\nMAX_ROOMS = 1000\n"),
        (
            "deps.py",
            "from fastapi import Header, HTTPException\n\n\nasync def current_org(x_org_id: str = Header(...)) -> str:\n    if not x_org_id:\n        raise HTTPException(status_code=401)\n    return x_org_id\n",
        ),
        ("__init__.py", ""),
    ]
}

type Writer = fn(&mut Rng) -> String;

/// Client files of the dense corpus: per mille, folder, extension, writer.
/// Vue (`.vue`) and Svelte (`.svelte`) components go here as rows once
/// wslint reads them.
const DENSE_CLIENTS: &[(u64, &str, &str, Writer)] = &[
    (380, "hooks", "ts", dense_hook),
    (280, "services", "ts", dense_socket_class),
    (200, "providers", "tsx", dense_provider),
    (140, "legacy", "js", dense_js_client),
];

/// Writes the dense corpus of about `mb` megabytes into `out`; returns
/// the number of files.
fn dense(out: &Path, mb: usize, seed: u64) -> usize {
    let mut rng = Rng(seed);
    let target = mb * 1_000_000;
    let (mut bytes, mut files) = (0usize, 0usize);
    let mut put = |path: PathBuf, text: &str| {
        write(&out.join(path), text);
        bytes += text.len();
        files += 1;
        bytes
    };
    for project in ["clients", "servers", "deploy"] {
        put(
            PathBuf::from(project).join("wslint.toml"),
            "[files]\nexclude = []\n",
        );
    }
    put(PathBuf::from("wslint.toml"), "[files]\nexclude = []\n");
    let mut i = 0usize;
    // Byte shares: clients 55 %, servers 35 %, deploy 10 %.
    loop {
        i += 1;
        let roll = rng.below(100);
        let total = if roll < 55 {
            let app = i % 40;
            let base = PathBuf::from(format!("clients/app-{app}/src"));
            if !out.join(&base).join("lib/wsConfig.ts").exists() {
                put(base.join("lib/wsConfig.ts"), &dense_ws_config(&mut rng));
            }
            let mut pick = rng.below(1000);
            let &(_, dir, ext, writer) = DENSE_CLIENTS
                .iter()
                .find(|(share, ..)| {
                    let hit = pick < *share;
                    pick = pick.saturating_sub(*share);
                    hit
                })
                .unwrap_or(&DENSE_CLIENTS[0]);
            let text = writer(&mut rng);
            put(
                base.join(format!("{dir}/{}{i}.{ext}", rng.pick(NOUNS))),
                &text,
            )
        } else if roll < 90 {
            let svc = i % 24;
            let base = PathBuf::from(format!("servers/svc-{svc}/app"));
            if !out.join(&base).join("settings.py").exists() {
                for (name, text) in dense_service_support() {
                    put(base.join(name), text);
                }
                put(base.join("routers/__init__.py"), "");
            }
            let router = format!("{}_{i}", rng.pick(NOUNS));
            let total = put(
                base.join(format!("routers/{router}.py")),
                &dense_router(&mut rng),
            );
            // Every few routers, the app module that includes them.
            if rng.chance(150) {
                put(base.join(format!("main_{i}.py")), &dense_app(&[router]));
            }
            total
        } else {
            let env = i % 12;
            match rng.below(5) {
                0 => put(
                    PathBuf::from(format!("deploy/env-{env}/apache2/site-{i}.conf")),
                    &apache_vhost(&mut rng, true),
                ),
                1 => put(
                    PathBuf::from(format!("deploy/env-{env}/nginx/conf.d/site-{i}.conf")),
                    &nginx_conf(&mut rng, true),
                ),
                2 => put(
                    PathBuf::from(format!("deploy/env-{env}/haproxy/haproxy-{i}.cfg")),
                    &haproxy_cfg(&mut rng),
                ),
                3 => put(
                    PathBuf::from(format!("deploy/env-{env}/k8s/ingress-{i}.yaml")),
                    &k8s_ingress(&mut rng, true),
                ),
                _ => put(
                    PathBuf::from(format!("deploy/env-{env}/terraform/lb-{i}.tf")),
                    &tf_lb(&mut rng),
                ),
            }
        };
        if total >= target {
            break;
        }
    }
    files
}

// ---------------------------------------------------------------------
// Kubernetes manifests and Terraform (both corpora).
// ---------------------------------------------------------------------

/// A Kubernetes Ingress with its Service: ingress-nginx with a timeout
/// annotation, or GKE with a BackendConfig; with or without a websocket
/// path.
fn k8s_ingress(rng: &mut Rng, ws: bool) -> String {
    let app = rng.pick(NOUNS);
    let ws_path = if ws {
        format!(
            "          - path: /ws\n            pathType: Prefix\n            backend:\n              service:\n                name: {app}-ws\n                port:\n                  number: 8000\n"
        )
    } else {
        String::new()
    };
    if rng.chance(500) {
        let timeout = if rng.chance(500) { "60" } else { "3600" };
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {app}\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-read-timeout: \"{timeout}\"\n    nginx.ingress.kubernetes.io/proxy-send-timeout: \"{timeout}\"\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: {app}.example.com\n      http:\n        paths:\n{ws_path}          - path: /api\n            pathType: Prefix\n            backend:\n              service:\n                name: {app}-api\n                port:\n                  number: 8000\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {app}-ws\nspec:\n  selector:\n    app: {app}\n  ports:\n    - port: 8000\n      targetPort: 8000\n"
        )
    } else {
        let timeout = if rng.chance(500) { 30 } else { 86_400 };
        format!(
            "apiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: {app}-backend\nspec:\n  timeoutSec: {timeout}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {app}-ws\n  annotations:\n    cloud.google.com/backend-config: '{{\"default\": \"{app}-backend\"}}'\nspec:\n  type: NodePort\n  selector:\n    app: {app}\n  ports:\n    - port: 8000\n      targetPort: 8000\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {app}\n  annotations:\n    kubernetes.io/ingress.class: gce\nspec:\n  rules:\n    - http:\n        paths:\n{ws_path}"
        )
    }
}

/// YAML that is not an ingress: CI workflows, docker-compose files, Helm
/// values (whose `ingress:` section is usually off), Deployments.
fn yaml_ordinary(rng: &mut Rng) -> (String, String) {
    let app = rng.pick(NOUNS);
    match rng.below(4) {
        0 => (
            format!(".github/workflows/{app}.yml"),
            format!(
                "name: {app}\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    timeout-minutes: 20\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n      - run: npm ci\n      - run: npm test -- --coverage\n"
            ),
        ),
        1 => (
            "docker-compose.yml".to_string(),
            format!(
                "services:\n  {app}:\n    build: .\n    ports:\n      - \"8000:8000\"\n    environment:\n      DATABASE_URL: postgres://db/{app}\n    depends_on:\n      - db\n  db:\n    image: postgres:16\n    volumes:\n      - data:/var/lib/postgresql/data\nvolumes:\n  data: {{}}\n"
            ),
        ),
        2 => (
            format!("charts/{app}/values.yaml"),
            format!(
                "replicaCount: 2\nimage:\n  repository: registry.example.com/{app}\n  tag: \"1.4.2\"\nservice:\n  type: ClusterIP\n  port: 8000\ningress:\n  enabled: false\n  className: nginx\n  hosts:\n    - host: {app}.example.com\n      paths:\n        - path: /\n          pathType: Prefix\nresources:\n  limits:\n    cpu: 500m\n    memory: 512Mi\n"
            ),
        ),
        _ => (
            format!("k8s/{app}-deployment.yaml"),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        app: {app}\n    spec:\n      containers:\n        - name: {app}\n          image: registry.example.com/{app}:1.4.2\n          ports:\n            - containerPort: 8000\n          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: 8000\n"
            ),
        ),
    }
}

/// A Terraform load balancer: a GCP backend service with its URL map, or
/// an AWS application load balancer.
fn tf_lb(rng: &mut Rng) -> String {
    let app = rng.pick(NOUNS);
    if rng.chance(500) {
        let timeout = if rng.chance(500) { 30 } else { 86_400 };
        format!(
            "variable \"ws_timeout\" {{\n  default = {timeout}\n}}\n\nresource \"google_compute_backend_service\" \"{app}_ws\" {{\n  name        = \"{app}-ws\"\n  protocol    = \"HTTP\"\n  timeout_sec = var.ws_timeout\n  backend {{\n    group = google_compute_instance_group.{app}.id\n  }}\n}}\n\nresource \"google_compute_backend_service\" \"{app}_web\" {{\n  name     = \"{app}-web\"\n  protocol = \"HTTP\"\n}}\n\nresource \"google_compute_url_map\" \"{app}\" {{\n  name            = \"{app}\"\n  default_service = google_compute_backend_service.{app}_web.id\n  path_matcher {{\n    name            = \"paths\"\n    default_service = google_compute_backend_service.{app}_web.id\n    path_rule {{\n      paths   = [\"/ws/*\"]\n      service = google_compute_backend_service.{app}_ws.id\n    }}\n  }}\n  host_rule {{\n    hosts        = [\"{app}.example.com\"]\n    path_matcher = \"paths\"\n  }}\n}}\n"
        )
    } else {
        let idle = if rng.chance(500) { 60 } else { 3600 };
        format!(
            "resource \"aws_lb\" \"{app}\" {{\n  name               = \"{app}\"\n  load_balancer_type = \"application\"\n  idle_timeout       = {idle}\n  subnets            = var.public_subnets\n}}\n\nresource \"aws_lb_listener\" \"{app}\" {{\n  load_balancer_arn = aws_lb.{app}.arn\n  port              = 443\n  protocol          = \"HTTPS\"\n  default_action {{\n    type             = \"forward\"\n    target_group_arn = aws_lb_target_group.{app}.arn\n  }}\n}}\n"
        )
    }
}

/// Terraform that holds no load balancer: buckets, IAM, databases.
fn tf_ordinary(rng: &mut Rng) -> String {
    let app = rng.pick(NOUNS);
    match rng.below(3) {
        0 => format!(
            "resource \"google_storage_bucket\" \"{app}\" {{\n  name     = \"{app}-assets\"\n  location = \"EU\"\n  uniform_bucket_level_access = true\n  lifecycle_rule {{\n    condition {{\n      age = 30\n    }}\n    action {{\n      type = \"Delete\"\n    }}\n  }}\n}}\n"
        ),
        1 => format!(
            "resource \"aws_s3_bucket\" \"{app}\" {{\n  bucket = \"{app}-uploads\"\n}}\n\nresource \"aws_iam_role\" \"{app}\" {{\n  name               = \"{app}\"\n  assume_role_policy = data.aws_iam_policy_document.assume.json\n}}\n"
        ),
        _ => format!(
            "variable \"{app}_tier\" {{\n  default = \"db-f1-micro\"\n}}\n\nresource \"google_sql_database_instance\" \"{app}\" {{\n  name             = \"{app}\"\n  database_version = \"POSTGRES_16\"\n  settings {{\n    tier = var.{app}_tier\n  }}\n}}\n"
        ),
    }
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create directory");
    }
    fs::write(path, text).expect("write file");
}

fn main() {
    let mut files: usize = 50_000;
    let mut out = PathBuf::from("corpus");
    let mut seed: u64 = 42;
    let mut dense_mb: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--dense" {
            dense_mb.get_or_insert(40);
            continue;
        }
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--files" => files = v.parse().expect("--files N"),
            "--out" => out = PathBuf::from(v),
            "--seed" => seed = v.parse().expect("--seed N"),
            "--mb" => dense_mb = Some(v.parse().expect("--mb N")),
            _ => {
                eprintln!(
                    "usage: gen_corpus --files N --out DIR [--seed N]\n       gen_corpus --dense [--mb N] --out DIR [--seed N]"
                );
                std::process::exit(2);
            }
        }
    }
    if out.exists() {
        fs::remove_dir_all(&out).expect("remove the old corpus");
    }
    if let Some(mb) = dense_mb {
        let n = dense(&out, mb, seed);
        eprintln!(
            "wrote {n} files ({mb} MB of websocket code) to {}",
            out.display()
        );
        return;
    }
    let mut rng = Rng(seed);
    let mut written = 0usize;
    let mut counts = [0usize; 14];
    // Skipped trees: about 10 % of the files.
    let skipped = files / 10;
    for i in 0..skipped {
        let (dir, text) = if i % 5 == 0 {
            (
                format!(".git/objects/{:02x}", i % 256),
                format!("{:x}\n", rng.next()),
            )
        } else {
            let pkg = format!("pkg-{}", i % 97);
            // node_modules holds socket libraries too: must never be read.
            let text = if i % 50 == 0 {
                ts_socket_client(&mut rng, false)
            } else {
                js_module(&mut rng)
            };
            (format!("node_modules/{pkg}/lib"), text)
        };
        write(&out.join(dir).join(format!("f{i}.js")), &text);
        written += 1;
    }
    counts[7] = skipped;
    let mut nginx_mains = std::collections::BTreeSet::new();
    // The edge load balancer: there is one HAProxy configuration whatever
    // the size (the benchmark times a pre-commit run naming it).
    write(
        &out.join("deploy/haproxy/haproxy-edge.cfg"),
        &haproxy_cfg(&mut rng),
    );
    written += 1;
    counts[8] += 1;
    // A few large generated bundles, one of them with a bundled socket.
    let bundles = (files / 10_000).max(1);
    for b in 0..bundles {
        let size = rng.range(1_000_000, 5_000_000) as usize;
        write(
            &out.join(format!("apps/web/public/vendor/bundle-{b}.min.js")),
            &bundle(&mut rng, size, b == 0),
        );
        written += 1;
    }
    let apps = (files / 2_000).max(1);
    // ~6 %: Vue and Svelte components, from a generator of their own (the
    // rest of the tree is what it would be without them, minus its tail).
    let components = components(&out, files / 16, apps as u64, seed);
    written += components;
    counts[5] += components;
    while written < files {
        let app = rng.below(apps as u64);
        let roll = rng.below(1000);
        let (path, text, kind) = if roll < 10 {
            // ~1 %: sockets, half of them client hooks, half endpoints.
            let good = rng.chance(500);
            if rng.chance(500) {
                (
                    format!(
                        "apps/web-{app}/src/hooks/use{}Socket{written}.ts",
                        capitalize(rng.pick(NOUNS))
                    ),
                    ts_socket_client(&mut rng, good),
                    0,
                )
            } else {
                (
                    format!("services/svc-{app}/app/ws_{}_{written}.py", rng.pick(NOUNS)),
                    py_socket_endpoint(&mut rng, good),
                    1,
                )
            }
        } else if roll < 15 {
            // ~0.5 %: sockets opened by client libraries (socket.io,
            // phoenix) and socket.io servers (Node, python-socketio).
            library_socket_file(&mut rng, app, written)
        } else if roll < 40 {
            // ~2.5 %: server configuration, Apache, nginx and HAProxy, and
            // other programs' `.conf`/`.cfg` files.
            let which = rng.below(100);
            if which < 50 {
                let ws = rng.chance(300);
                (
                    format!("deploy/apache2/sites-available/site-{written}.conf"),
                    apache_vhost(&mut rng, ws),
                    2,
                )
            } else if which < 80 {
                let ws = rng.chance(300);
                let env = app % 8;
                if nginx_mains.insert(env) {
                    write(
                        &out.join(format!("deploy/env-{env}/nginx/nginx.conf")),
                        &nginx_main(),
                    );
                    written += 1;
                    counts[3] += 1;
                }
                (
                    format!("deploy/env-{env}/nginx/conf.d/site-{written}.conf"),
                    nginx_conf(&mut rng, ws),
                    3,
                )
            } else if which < 90 {
                (
                    format!("deploy/haproxy/haproxy-{written}.cfg"),
                    haproxy_cfg(&mut rng),
                    8,
                )
            } else {
                let (stem, text) = other_conf(&mut rng);
                let ext = if stem == "setup" { "cfg" } else { "conf" };
                (
                    format!("services/svc-{app}/{stem}-{written}.{ext}"),
                    text,
                    9,
                )
            }
        } else if roll < 70 {
            // ~3 %: YAML. Mostly CI workflows, compose files, Helm values
            // and Deployments; about one in twelve an Ingress (with its
            // Service or a GKE BackendConfig), some routing a websocket.
            if rng.chance(80) {
                let ws = rng.chance(400);
                (
                    format!("deploy/k8s/app-{app}/ingress-{written}.yaml"),
                    k8s_ingress(&mut rng, ws),
                    11,
                )
            } else {
                let (file, text) = yaml_ordinary(&mut rng);
                (format!("services/svc-{app}/ops-{written}/{file}"), text, 10)
            }
        } else if roll < 80 {
            // ~1 %: Terraform, about one file in seven a load balancer.
            if rng.chance(150) {
                (
                    format!("infra/terraform/env-{}/lb-{written}.tf", app % 4),
                    tf_lb(&mut rng),
                    13,
                )
            } else {
                (
                    format!("infra/terraform/env-{}/main-{written}.tf", app % 4),
                    tf_ordinary(&mut rng),
                    12,
                )
            }
        } else if roll < 400 {
            (
                format!("services/svc-{app}/app/{}_{written}.py", rng.pick(NOUNS)),
                py_module(&mut rng),
                4,
            )
        } else if roll < 700 {
            (
                format!(
                    "apps/web-{app}/src/components/{}{written}.tsx",
                    capitalize(rng.pick(NOUNS))
                ),
                tsx_component(&mut rng),
                5,
            )
        } else if roll < 880 {
            (
                format!("apps/web-{app}/src/lib/{}{written}.ts", rng.pick(NOUNS)),
                ts_module(&mut rng),
                5,
            )
        } else {
            (
                format!(
                    "packages/pkg-{}/src/{}{written}.js",
                    app % 20,
                    rng.pick(NOUNS)
                ),
                js_module(&mut rng),
                6,
            )
        };
        write(&out.join(path), &text);
        counts[kind] += 1;
        written += 1;
    }
    write(&out.join(".gitignore"), "coverage/\n*.log\n");
    eprintln!(
        "wrote {written} files to {}: {} socket clients, {} endpoints, {} Apache, {} nginx, {} HAProxy, {} other .conf/.cfg, {} YAML ({} ingresses), {} Terraform ({} load balancers), {} Python, {} TS/TSX/Vue/Svelte, {} JS, {} skipped (node_modules/.git), {bundles} bundles",
        out.display(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[8],
        counts[9],
        counts[10] + counts[11],
        counts[11],
        counts[12] + counts[13],
        counts[13],
        counts[4],
        counts[5],
        counts[6],
        counts[7]
    );
}
