//! Writes a deterministic benchmark corpus: a monorepo-shaped tree of
//! TypeScript/TSX/JavaScript and Python of real-world shapes and sizes, a few
//! per cent Apache, nginx and HAProxy configuration (and `.conf`/`.cfg`
//! files of other programs, which must cost a look only), about 1 % of files with
//! WebSocket clients or endpoints (good and bad), a `node_modules/` and a
//! `.git/` that must be skipped, and a few large generated bundles.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --files 50000 --out /tmp/corpus [--seed 42]
//! ```
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
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--files" => files = v.parse().expect("--files N"),
            "--out" => out = PathBuf::from(v),
            "--seed" => seed = v.parse().expect("--seed N"),
            _ => {
                eprintln!("usage: gen_corpus --files N --out DIR [--seed N]");
                std::process::exit(2);
            }
        }
    }
    if out.exists() {
        fs::remove_dir_all(&out).expect("remove the old corpus");
    }
    let mut rng = Rng(seed);
    let mut written = 0usize;
    let mut counts = [0usize; 10];
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
        "wrote {written} files to {}: {} socket clients, {} endpoints, {} Apache, {} nginx, {} HAProxy, {} other .conf/.cfg, {} Python, {} TS/TSX/Vue/Svelte, {} JS, {} skipped (node_modules/.git), {bundles} bundles",
        out.display(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[8],
        counts[9],
        counts[4],
        counts[5],
        counts[6],
        counts[7]
    );
}
