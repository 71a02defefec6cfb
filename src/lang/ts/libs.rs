//! The client libraries that open a socket for the application, as call
//! sites: which import makes a `new X(...)` or a call a socket site, where
//! its options are, and each library's defaults with the package they were
//! read from. The model reads this table; the rules read the model.
//!
//! A site is a site only through an import of the library's package (or a
//! `require` of it): the library's own source (its repository, a
//! `node_modules` copy, a vendored bundle) defines these names itself and
//! is never a call site.

use super::SocketKind;

/// `io(...)` of socket.io-client, `createClient(...)` of graphql-ws: the
/// site's kind and which argument holds its options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LibSite {
    pub kind: SocketKind,
    /// Index of the options argument (`io(url, opts)`: 1).
    pub options: u32,
    /// The options are under this key of that argument (Supabase's
    /// `createClient(url, key, { realtime })`): without it, no site.
    pub under: Option<&'static str>,
}

const fn site(kind: SocketKind, options: u32) -> Option<LibSite> {
    Some(LibSite {
        kind,
        options,
        under: None,
    })
}

/// What `new X(...)` constructs when `X` is `imported` of `module`.
pub fn new_site(module: &str, imported: &str) -> Option<LibSite> {
    match (module, imported) {
        // The client class only: `WebSocketServer`, `Server` and
        // `createWebSocketStream` come from the same package.
        ("ws" | "isomorphic-ws", "default" | "*" | "WebSocket") => site(SocketKind::Node, 1),
        ("reconnecting-websocket", _) => site(SocketKind::Reconnecting, 2),
        // `new PartySocket({ host, room })`; its `WebSocket` (and
        // `partysocket/ws`) is reconnecting-websocket's API.
        ("partysocket", "default" | "PartySocket") => site(SocketKind::Reconnecting, 0),
        ("partysocket" | "partysocket/ws", _) => site(SocketKind::Reconnecting, 2),
        ("socket.io-client", "Manager") => site(SocketKind::SocketIo, 1),
        ("phoenix", "Socket") => site(SocketKind::Phoenix, 1),
        // `new LiveSocket("/live", Socket, opts)` builds the phoenix
        // Socket with the same options (phoenix_live_view
        // `assets/js/phoenix_live_view/live_socket.js`).
        ("phoenix_live_view", "LiveSocket") => site(SocketKind::Phoenix, 2),
        ("@supabase/realtime-js", "RealtimeClient") => site(SocketKind::Supabase, 1),
        ("centrifuge", "Centrifuge" | "default") => site(SocketKind::Centrifuge, 1),
        ("robust-websocket", _) => site(SocketKind::Robust, 2),
        _ => None,
    }
}

/// What a call of `imported` of `module` opens (`member`: the method called
/// on it, `io.connect(...)`).
pub fn call_site(module: &str, imported: &str, member: Option<&str>) -> Option<LibSite> {
    match (module, imported, member) {
        ("socket.io-client", "io" | "connect" | "default", None)
        | ("socket.io-client", "default" | "*" | "io", Some("io" | "connect")) => {
            site(SocketKind::SocketIo, 1)
        }
        ("graphql-ws", "createClient", None) | ("graphql-ws", "*", Some("createClient")) => {
            site(SocketKind::GraphqlWs, 0)
        }
        ("@supabase/supabase-js", "createClient", None)
        | ("@supabase/ssr", "createBrowserClient", None) => Some(LibSite {
            kind: SocketKind::Supabase,
            options: 2,
            under: Some("realtime"),
        }),
        ("partysocket/react", "usePartySocket" | "default", None) => {
            site(SocketKind::Reconnecting, 0)
        }
        ("partysocket/react", "useWebSocket", None) | ("partysocket/use-ws", "default", None) => {
            site(SocketKind::Reconnecting, 2)
        }
        _ => None,
    }
}

/// Whether `imported` of `module` is socket.io's server: `new Server(...)`,
/// or (`called`) the package called (`io(server, opts)` of its default).
pub fn is_socketio_server(module: &str, imported: &str, called: bool) -> bool {
    match module {
        "socket.io" => {
            matches!(imported, "Server") || (called && matches!(imported, "default" | "*"))
        }
        _ => false,
    }
}

/// A library's heartbeat, as its options set it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LibHeartbeat {
    /// The application sends it (`setInterval`): the plain rules apply.
    App,
    /// react-use-websocket's `heartbeat` option (read apart).
    ReactUseWebSocket,
    /// The server pings (socket.io's Engine.IO, Centrifugo): no client
    /// heartbeat to check (WS201 checks socket.io servers).
    Server,
    /// An option in milliseconds; `default` when absent (`None`: off).
    Option {
        key: &'static str,
        default: Option<f64>,
    },
}

/// phoenix 1.8.17 `assets/js/phoenix/socket.js`:
/// `this.heartbeatIntervalMs = opts.heartbeatIntervalMs || 30000`.
pub const PHOENIX_HEARTBEAT_MS: f64 = 30_000.0;
/// @supabase/realtime-js 2.119.2 `dist/main/RealtimeClient.js`:
/// `CONNECTION_TIMEOUTS.HEARTBEAT_INTERVAL: 25000`.
pub const SUPABASE_HEARTBEAT_MS: f64 = 25_000.0;

/// engine.io 6.6.13 `build/server.js` (socket.io 4.8.4's engine):
/// `pingInterval: 25000`, `pingTimeout: 20000`.
pub const ENGINE_IO_PING_INTERVAL_MS: f64 = 25_000.0;

/// graphql-ws 6.4.2 `dist/client.js` `shouldRetryConnectOrThrow`: the
/// close codes it never retries, whatever `shouldRetry` says: its own
/// fatal codes (4500, 4005, 4400, 4004, 4401, 4406, 4409, 4429), every
/// 1000-1999 code but 1001, 1005, 1006, 1012, 1013, 1014
/// (`isFatalInternalCloseCode`), and 1000, after which it reconnects only
/// while subscriptions are still open (what no option changes).
pub fn graphql_ws_fatal() -> Vec<f64> {
    let mut v: Vec<f64> = (1000..=1999)
        .filter(|c| !matches!(c, 1001 | 1005 | 1006 | 1012 | 1013 | 1014))
        .map(f64::from)
        .collect();
    v.extend([
        4004.0, 4005.0, 4400.0, 4401.0, 4406.0, 4409.0, 4429.0, 4500.0,
    ]);
    v
}

/// robust-websocket 1.0.0 `robust-websocket.js`: `reconnect(event)` never
/// reconnects after 1000 (unless `shouldReconnect.handle1000`), and the
/// default `shouldReconnect` returns nothing for 1008 and 1011.
pub const ROBUST_OWN_STOP: &[f64] = &[1000.0];
pub const ROBUST_DEFAULT_STOP: &[f64] = &[1000.0, 1008.0, 1011.0];

impl SocketKind {
    /// How messages name the library (`None` for the browser's socket).
    pub fn library(self) -> Option<&'static str> {
        Some(match self {
            SocketKind::Browser => return None,
            SocketKind::Node => "ws",
            SocketKind::Reconnecting => "reconnecting-websocket",
            SocketKind::ReactUseWebSocket => "react-use-websocket",
            SocketKind::SocketIo => "socket.io-client",
            SocketKind::Phoenix => "phoenix",
            SocketKind::GraphqlWs => "graphql-ws",
            SocketKind::Supabase => "Supabase realtime",
            SocketKind::Centrifuge => "centrifuge-js",
            SocketKind::Robust => "robust-websocket",
        })
    }

    /// Where its heartbeat comes from.
    pub fn heartbeat(self) -> LibHeartbeat {
        match self {
            SocketKind::Browser
            | SocketKind::Node
            | SocketKind::Reconnecting
            | SocketKind::Robust => LibHeartbeat::App,
            SocketKind::ReactUseWebSocket => LibHeartbeat::ReactUseWebSocket,
            SocketKind::SocketIo | SocketKind::Centrifuge => LibHeartbeat::Server,
            SocketKind::Phoenix => LibHeartbeat::Option {
                key: "heartbeatIntervalMs",
                default: Some(PHOENIX_HEARTBEAT_MS),
            },
            SocketKind::Supabase => LibHeartbeat::Option {
                key: "heartbeatIntervalMs",
                default: Some(SUPABASE_HEARTBEAT_MS),
            },
            // graphql-ws 6.4.2 `dist/client.js`: `keepAlive = 0`, a ping
            // only `if (isFinite(keepAlive) && keepAlive > 0)`.
            SocketKind::GraphqlWs => LibHeartbeat::Option {
                key: "keepAlive",
                default: None,
            },
        }
    }

    /// A library that opens the socket for the application (not the
    /// browser's or Node's socket, nor a thin reconnecting wrapper).
    pub fn is_protocol_client(self) -> bool {
        matches!(
            self,
            SocketKind::SocketIo
                | SocketKind::Phoenix
                | SocketKind::GraphqlWs
                | SocketKind::Supabase
                | SocketKind::Centrifuge
        )
    }
}

/// Option keys whose values are read when the socket connects: the token
/// read in a function there (`auth: (cb) => cb({ token })`) is read at the
/// opening as much as one written inline.
pub const CONNECT_TIME_KEYS: &[&str] = &[
    "auth",
    "params",
    "connectionParams",
    "query",
    "headers",
    "extraHeaders",
    "accessToken",
    "authToken",
    "token",
    "getToken",
];

/// Whether a path is a copy of someone else's code: a package manager's
/// folder or a vendored one (`node_modules/`, `vendor/`, `third_party/`,
/// `site-packages/`). The library's own source is not a call site, and a
/// copy of another project is not the project's to fix.
pub fn is_dependency_path(path: &std::path::Path) -> bool {
    path.components().any(|c| {
        let s = c.as_os_str().to_string_lossy().to_ascii_lowercase();
        matches!(
            s.as_str(),
            "node_modules"
                | "bower_components"
                | "jspm_packages"
                | "web_modules"
                | "vendor"
                | "vendors"
                | "vendored"
                | "third_party"
                | "third-party"
                | "thirdparty"
                | "site-packages"
                | "dist-packages"
        )
    })
}

/// npm packages whose source is one of the libraries wslint reads at
/// their call sites (or what they are built on): their own repository is
/// not a call site of them.
const LIBRARY_PACKAGES: &[&str] = &[
    "socket.io-client",
    "socket.io",
    "engine.io-client",
    "engine.io",
    "phoenix",
    "phoenix_live_view",
    "graphql-ws",
    "@supabase/realtime-js",
    "@supabase/supabase-js",
    "centrifuge",
    "robust-websocket",
    "reconnecting-websocket",
    "partysocket",
    "react-use-websocket",
];

/// Whether the nearest `package.json` above `file` (at most eight folders
/// up) names one of the libraries: the file is that library's own source.
pub fn in_library_package(file: &std::path::Path) -> bool {
    for dir in file.ancestors().skip(1).take(8) {
        let manifest = dir.join("package.json");
        if let Ok(text) = crate::cache::read_to_string(&manifest) {
            let name = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string));
            return name.is_some_and(|n| LIBRARY_PACKAGES.contains(&n.as_str()));
        }
        if crate::cache::exists(&dir.join(".git")) {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_by_import() {
        assert_eq!(
            new_site("phoenix", "Socket").map(|s| s.kind),
            Some(SocketKind::Phoenix)
        );
        assert_eq!(new_site("phoenix", "Channel"), None);
        assert_eq!(
            call_site("socket.io-client", "default", Some("connect")).map(|s| s.kind),
            Some(SocketKind::SocketIo)
        );
        assert_eq!(call_site("socket.io-client", "Manager", None), None);
        assert_eq!(
            call_site("@supabase/supabase-js", "createClient", None).and_then(|s| s.under),
            Some("realtime")
        );
        assert!(is_socketio_server("socket.io", "Server", false));
        assert!(!is_socketio_server("socket.io", "default", false));
        assert!(!is_socketio_server("socket.io-client", "Server", false));
    }

    #[test]
    fn dependency_paths() {
        use std::path::Path;
        assert!(is_dependency_path(Path::new(
            "web/node_modules/socket.io-client/build/esm/socket.js"
        )));
        assert!(is_dependency_path(Path::new("assets/vendor/phoenix.js")));
        assert!(!is_dependency_path(Path::new("web/src/vendorSocket.ts")));
        let fatal = graphql_ws_fatal();
        assert!(fatal.contains(&1000.0) && fatal.contains(&4401.0));
        assert!(!fatal.contains(&4403.0) && !fatal.contains(&1006.0));
    }
}
