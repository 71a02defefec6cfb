//! Sources the language server's tests open: a client hook, a module
//! importing its heartbeat, an nginx websocket location.

/// A client module with a heartbeat of `ms` (as written), and text that is
/// not ASCII before the reported name on its line.
pub fn hook(ms: &str) -> String {
    format!(
        r#"const HEARTBEAT_MS = {ms};

export function connect(url: string): WebSocket {{
  const ws = new WebSocket(url);
  let timer: ReturnType<typeof setInterval> | undefined;
  ws.onopen = () => {{
    timer = setInterval(() => ws.send("😀 é"), HEARTBEAT_MS);
  }};
  ws.onclose = () => clearInterval(timer);
  return ws;
}}
"#
    )
}

/// A client module whose heartbeat is imported from `./constants`.
pub const SOCKET: &str = r#"import { HEARTBEAT_MS } from "./constants";

export function connect(url: string): WebSocket {
  const ws = new WebSocket(url);
  const ping = setInterval(() => ws.send("ping"), HEARTBEAT_MS);
  ws.onclose = () => clearInterval(ping);
  return ws;
}
"#;

/// An nginx websocket location whose read timeout is 30 s (WS301).
pub const NGINX_SHORT: &str = "server {
    listen 443 ssl;
    location /ws/ {
        proxy_pass http://127.0.0.1:8000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection \"upgrade\";
        proxy_read_timeout 30s;
    }
}
";
