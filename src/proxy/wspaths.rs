//! The project's websocket paths: where a proxy route that its own
//! configuration does not mark as websocket still carries websockets.
//!
//! They come from the routes of the project's websocket endpoints (prefixes
//! and inclusions applied), the client socket URLs whose path resolves
//! statically, and `proxy.websocket_paths`. A path is a pattern
//! (`/ws/jobs/{job_id}`, `/ws/jobs/*`); a proxy route **covers** it when it
//! would serve one of its **samples**, concrete paths with each parameter
//! filled in (`/ws/jobs/1`, `/ws/jobs/x`, a UUID), tried as the product
//! matches paths (nginx prefix, `=`, regex; HAProxy `path_beg`, ...).

use std::sync::OnceLock;

use super::Loc;

/// Where a websocket path comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A websocket endpoint's route.
    Endpoint,
    /// A client's socket URL.
    Client,
    /// `proxy.websocket_paths`.
    Config,
}

/// How an endpoint keeps its websocket alive, as `wslint routes` shows it.
#[derive(Clone, Debug)]
pub struct ServerSide {
    /// The endpoint's function.
    pub function: String,
    /// The longest time the endpoint can stay silent while the client is
    /// idle, when it sends a keepalive at all: a heartbeat task's period,
    /// else the longest receive timeout whose expiry sends something.
    /// `None`: it sends nothing of its own on a timer (or it cannot be
    /// told).
    pub keepalive: Option<Keepalive>,
    /// Where the server rules report on its keepalive: its receives, their
    /// timeouts and the constants that set them.
    pub watch: Vec<Loc>,
}

/// A server keepalive period and where it is set.
#[derive(Clone, Debug)]
pub struct Keepalive {
    pub seconds: f64,
    pub at: Loc,
    /// "`wait_for(..., timeout=IDLE_TIMEOUT_S)`", "a heartbeat task".
    pub what: String,
}

#[derive(Clone, Debug)]
pub struct WsPath {
    /// As written, prefixes applied: `/ws/jobs/{job_id}`, `/live/*`.
    pub pattern: String,
    /// Concrete paths it stands for.
    pub samples: Vec<String>,
    pub origin: Origin,
    /// Where it is declared (the route's path argument, the socket's URL).
    pub at: Option<Loc>,
    /// Known to start at the root. A client URL built on a base the module
    /// does not know (`${WS_BASE}/jobs/${id}`) is taken to start there, but
    /// the base may carry a path of its own.
    pub anchored: bool,
    /// The endpoint behind an [`Origin::Endpoint`] path.
    pub server: Option<std::sync::Arc<ServerSide>>,
}

/// Values a path parameter is tried with: a number, a word, a UUID.
const PARAM_SAMPLES: [&str; 3] = ["1", "x", "123e4567-e89b-12d3-a456-426614174000"];

impl WsPath {
    pub fn new(pattern: &str, origin: Origin, at: Option<Loc>) -> Option<WsPath> {
        let pattern = normalize(pattern)?;
        let samples = samples(&pattern);
        Some(WsPath {
            pattern,
            samples,
            origin,
            at,
            anchored: true,
            server: None,
        })
    }

    /// How messages name it: "`/ws/jobs/{job_id}`, a websocket endpoint's
    /// route".
    pub fn describe(&self) -> String {
        let what = match self.origin {
            Origin::Endpoint => "a websocket endpoint's route",
            Origin::Client => "a client's socket URL",
            Origin::Config => "from `proxy.websocket_paths`",
        };
        format!("`{}`, {what}", self.pattern)
    }

    /// Whether `matches` accepts one of the samples.
    pub fn any(&self, mut matches: impl FnMut(&str) -> bool) -> bool {
        self.samples.iter().any(|s| matches(s))
    }
}

/// A path as the proxies see it: query and fragment dropped, a leading `/`,
/// repeated slashes folded. `None` for what is no path.
fn normalize(p: &str) -> Option<String> {
    let p = p.split(['?', '#']).next().unwrap_or("").trim();
    if !p.starts_with('/') {
        return None;
    }
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    Some(out)
}

/// The concrete paths a pattern stands for: each `{param}` (FastAPI's
/// `{id:int}`, `{rest:path}` too) and each `*` filled in with every
/// [`PARAM_SAMPLES`] value in turn.
fn samples(pattern: &str) -> Vec<String> {
    let has_param = pattern.contains('{') || pattern.contains('*');
    if !has_param {
        return vec![pattern.to_string()];
    }
    PARAM_SAMPLES
        .iter()
        .map(|v| {
            let mut out = String::new();
            let mut rest = pattern;
            loop {
                let brace = rest.find('{');
                let star = rest.find('*');
                let at = match (brace, star) {
                    (Some(b), Some(s)) => b.min(s),
                    (Some(b), None) => b,
                    (None, Some(s)) => s,
                    (None, None) => break,
                };
                out.push_str(&rest[..at]);
                if rest[at..].starts_with('*') {
                    out.push_str(v);
                    rest = &rest[at + 1..];
                    continue;
                }
                let Some(close) = rest[at..].find('}') else {
                    out.push_str(&rest[at..]);
                    rest = "";
                    break;
                };
                let param = &rest[at + 1..at + close];
                if param.ends_with(":path") {
                    out.push_str(v);
                    out.push_str("/x");
                } else {
                    out.push_str(v);
                }
                rest = &rest[at + close + 1..];
            }
            out.push_str(rest);
            out
        })
        .collect()
}

/// Extensions of files a web server serves as they are.
const STATIC_EXTS: &[&str] = &[
    "js", "mjs", "css", "map", "html", "htm", "json", "png", "jpg", "svg", "ico", "wasm", "txt",
];

/// Whether a location's path or a backend's name names a websocket: a segment such as `ws`,
/// `websocket`, `socket.io`, `sockjs` or `cable`.
pub fn names_websocket(path: &str) -> bool {
    const WORDS: &[&str] = &[
        "ws",
        "wss",
        "websocket",
        "websockets",
        "socket.io",
        "sockjs",
        "sockjs-node",
        "cable",
    ];
    // A static file under such a path (`/socket.io/socket.io.js`) is none.
    let last = path
        .trim_end_matches(['$', '/'])
        .rsplit('/')
        .next()
        .unwrap_or("");
    if let Some((_, ext)) = last.rsplit_once('.')
        && STATIC_EXTS.contains(&ext.to_ascii_lowercase().as_str())
    {
        return false;
    }
    path.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_'))
        .any(|seg| {
            let seg = seg.trim_matches('.').to_ascii_lowercase();
            // The segment, or one of its `-`/`_`-separated words
            // (`chat-ws`, `ws_backend`, `bk-websocket`).
            WORDS.contains(&seg.as_str()) || seg.split(['-', '_']).any(|w| WORDS.contains(&w))
        })
}

/// A pattern with every parameter written `*`, for comparing shapes.
pub(crate) fn shape(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|seg| {
            if seg.contains('{') || seg.contains('*') {
                "*"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The set of websocket paths of a run, sorted and deduplicated.
#[derive(Clone, Debug, Default)]
pub struct WsPaths {
    pub paths: Vec<WsPath>,
}

impl WsPaths {
    pub fn new(mut paths: Vec<WsPath>) -> WsPaths {
        // A client path on an unknown base that an endpoint's route ends with
        // is that route (`${WS_BASE}/jobs/${id}` of `/ws/jobs/{job_id}`).
        let endpoints: Vec<String> = paths
            .iter()
            .filter(|p| p.origin == Origin::Endpoint)
            .map(|p| shape(&p.pattern))
            .collect();
        // A client URL or configured path of the same shape as an
        // endpoint's route (`/ws/jobs/*` of `/ws/jobs/{job_id}`) is that
        // route.
        paths.retain(|p| {
            p.origin == Origin::Endpoint || {
                let tail = shape(&p.pattern);
                !endpoints.iter().any(|e| {
                    *e == tail || (!p.anchored && e.ends_with(&tail) && e.len() > tail.len())
                })
            }
        });
        paths.sort_by(|a, b| {
            (&a.pattern, &a.origin)
                .cmp(&(&b.pattern, &b.origin))
                .then_with(|| {
                    let key = |p: &WsPath| p.at.as_ref().map(|l| (l.file.path.clone(), l.span));
                    key(a).cmp(&key(b))
                })
        });
        paths.dedup_by(|a, b| a.pattern == b.pattern);
        WsPaths { paths }
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// What would be reported of a route if it carried websockets: the
/// project's websocket paths are looked for only when some route that
/// nothing marks as websocket would be (a short or unset timeout, an
/// upgrade that cannot happen), since finding them may cost a walk of the
/// project.
#[derive(Clone, Copy, Debug)]
pub struct Stakes {
    /// Idle timeouts below this many seconds are reported (WS301, WS303).
    pub min_idle_s: f64,
    /// Routes on the product's default are reported (WS302).
    pub unset: bool,
    /// Routes that cannot upgrade are reported (WS307).
    pub upgrade: bool,
    /// Connection lifetimes below this many seconds are reported (WS308).
    pub min_lifetime_s: f64,
    /// Every route is wanted with the project paths it serves
    /// ([`super::WsRoute::serves`]), whatever would be reported: the paths
    /// are computed and each product matches them against every route.
    pub serves: bool,
}

impl Stakes {
    /// Everything matters (in-memory checks, tests).
    pub const ALL: Stakes = Stakes {
        min_idle_s: f64::INFINITY,
        unset: true,
        upgrade: true,
        min_lifetime_s: f64::INFINITY,
        serves: false,
    };

    /// Everything, with the paths each route serves (`wslint routes`).
    pub const ROUTES: Stakes = Stakes {
        serves: true,
        ..Stakes::ALL
    };

    /// Whether `route` would be reported if it carried websockets.
    pub fn matter(&self, route: &super::WsRoute, cannot_upgrade: bool) -> bool {
        if route.limit == super::Limit::Lifetime {
            // A default lifetime (GCP's 30 s) is reported like a set one.
            return route.idle.seconds.is_some_and(|s| s < self.min_lifetime_s);
        }
        (self.upgrade && cannot_upgrade)
            || (self.unset && route.idle.is_default() && !route.incomplete)
            || route.idle.seconds.is_some_and(|s| s < self.min_idle_s)
    }
}

/// The project's websocket paths, computed the first time a product asks
/// (a route its configuration does not mark as websocket, and that would be
/// reported if it carried one), then shared by every tree of the run.
pub struct LazyWsPaths<'a> {
    cell: OnceLock<WsPaths>,
    compute: Box<dyn Fn() -> WsPaths + Sync + 'a>,
    pub stakes: Stakes,
}

impl<'a> LazyWsPaths<'a> {
    pub fn new(stakes: Stakes, compute: impl Fn() -> WsPaths + Sync + 'a) -> Self {
        LazyWsPaths {
            cell: OnceLock::new(),
            compute: Box::new(compute),
            stakes,
        }
    }

    /// Already known paths (tests, in-memory checks).
    pub fn known(paths: WsPaths) -> LazyWsPaths<'static> {
        let cell = OnceLock::new();
        let _ = cell.set(paths);
        LazyWsPaths {
            cell,
            compute: Box::new(WsPaths::default),
            stakes: Stakes::ALL,
        }
    }

    pub fn get(&self) -> &WsPaths {
        self.cell.get_or_init(|| (self.compute)())
    }

    /// Whether they were needed in this run.
    pub fn computed(&self) -> bool {
        self.cell.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_names() {
        assert!(names_websocket("/ws/"));
        assert!(names_websocket("/api/ws"));
        assert!(names_websocket("^/socket.io/"));
        assert!(names_websocket("/cable"));
        assert!(names_websocket("/chat-ws/"));
        assert!(names_websocket("ws_backend"));
        assert!(names_websocket("bk-websocket"));
        assert!(names_websocket("ft_websockets"));
        assert!(!names_websocket("aws-backend"));
        assert!(!names_websocket("news_feed"));
        assert!(!names_websocket("/news/"));
        assert!(!names_websocket("/api/"));
        assert!(!names_websocket("/wsdl"));
        assert!(!names_websocket("/pad/socket.io/socket.io.js"));
    }

    #[test]
    fn a_client_path_on_an_unknown_base_is_the_route_it_ends() {
        let endpoint = WsPath::new("/ws/jobs/{job_id}", Origin::Endpoint, None).unwrap();
        let mut client = WsPath::new("/jobs/*", Origin::Client, None).unwrap();
        client.anchored = false;
        let mut other = WsPath::new("/notifications", Origin::Client, None).unwrap();
        other.anchored = false;
        let anchored = WsPath::new("/jobs/*", Origin::Client, None).unwrap();
        let same = WsPath::new("/ws/jobs/*", Origin::Client, None).unwrap();
        let paths = WsPaths::new(vec![endpoint, client, other, same]);
        let patterns: Vec<&str> = paths.paths.iter().map(|p| p.pattern.as_str()).collect();
        assert_eq!(patterns, vec!["/notifications", "/ws/jobs/{job_id}"]);
        let endpoint = WsPath::new("/ws/jobs/{job_id}", Origin::Endpoint, None).unwrap();
        let paths = WsPaths::new(vec![endpoint, anchored]);
        assert_eq!(paths.paths.len(), 2, "an anchored path is its own");
    }

    #[test]
    fn samples_fill_parameters() {
        let p = WsPath::new("/ws/jobs/{job_id}", Origin::Endpoint, None).unwrap();
        assert_eq!(p.samples[0], "/ws/jobs/1");
        assert_eq!(p.samples[1], "/ws/jobs/x");
        let p = WsPath::new("/live/*", Origin::Config, None).unwrap();
        assert_eq!(p.samples[0], "/live/1");
        let p = WsPath::new("/files/{rest:path}", Origin::Endpoint, None).unwrap();
        assert_eq!(p.samples[1], "/files/x/x");
        let p = WsPath::new("/ws//jobs?token=1", Origin::Client, None).unwrap();
        assert_eq!(p.samples, vec!["/ws/jobs"]);
        assert!(WsPath::new("ws", Origin::Client, None).is_none());
    }
}
