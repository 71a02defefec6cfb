//! `wslint routes`: every websocket path of the project with the chain of
//! hops a connection crosses as far as the project declares them (client
//! -> load balancer -> ingress -> proxy -> endpoint), each with its
//! effective idle timeout or lifetime and where it comes from, the
//! heartbeats of both sides, and the findings that break the checklist.
//!
//! Built from what a check run models ([`crate::phase::proxy::Hops`]) and
//! reports: a hop is marked by the proxy rules' own findings on its route,
//! so `routes` and `check` never disagree.

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::phase::proxy::Hops;
use crate::project::wspaths::ClientFacts;
use crate::proxy::wspaths::{Origin, WsPath, shape};
use crate::proxy::{IdleSource, Limit, Loc, Product, ProxyModel, WsRoute};
use crate::rule::{HeartbeatFact, Severity};
use crate::settings::Config;

/// A place in a file, as output shows it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// As reached from the checked path.
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn of(loc: &Loc) -> Pos {
        let lc = loc.file.line_col(loc.span.start);
        Pos {
            path: loc.file.path.clone(),
            line: lc.line,
            column: lc.column,
        }
    }
}

/// A finding that breaks the checklist at one place of a chain.
#[derive(Clone, Debug)]
pub struct Mark {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
}

/// Where a chain's path is declared.
#[derive(Clone, Debug)]
pub struct Declared {
    pub origin: Origin,
    /// `None` for `proxy.websocket_paths`.
    pub at: Option<Pos>,
}

/// The client side of a chain.
#[derive(Clone, Debug)]
pub struct ClientSide {
    /// The longest heartbeat among the clients that open this path, or
    /// `client.heartbeat_ms`; `None` when they send none.
    pub heartbeat: Option<Value>,
    pub marks: Vec<Mark>,
}

/// A number of seconds and where it is set.
#[derive(Clone, Debug)]
pub struct Value {
    pub seconds: f64,
    /// "`HEARTBEAT_MS`", "`timeout tunnel 3600`", "nginx's default
    /// `proxy_read_timeout`".
    pub what: String,
    /// `None` for a product's default.
    pub at: Option<Pos>,
}

/// Where a connection goes through a hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    LoadBalancer,
    Ingress,
    Proxy,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::LoadBalancer => "load balancer",
            Layer::Ingress => "ingress",
            Layer::Proxy => "proxy",
        }
    }
}

/// One hop of a chain: a route of a proxy or load balancer.
#[derive(Clone, Debug)]
pub struct HopRow {
    pub layer: Layer,
    pub product: Product,
    /// "nginx `server app.example.com`".
    pub hop: String,
    /// "`location /ws/`".
    pub route: String,
    /// The route as messages name it: "`location /ws/` of nginx `server
    /// app.example.com`", "HAProxy backend `ws` (reached from frontend
    /// `www`)".
    pub text: String,
    pub at: Pos,
    pub limit: Limit,
    /// The effective idle timeout or lifetime; `seconds` unknown when the
    /// value is a placeholder or cannot be read.
    pub value: Option<Value>,
    /// The value comes from the product's default.
    pub default: bool,
    pub marks: Vec<Mark>,
}

/// The endpoint of a chain.
#[derive(Clone, Debug)]
pub struct ServerRow {
    /// The endpoint's function.
    pub function: String,
    pub at: Pos,
    /// How long it stays silent at most while the client is idle, when it
    /// sends a keepalive at all.
    pub keepalive: Option<Value>,
    pub marks: Vec<Mark>,
}

/// One websocket path of the project and everything it crosses.
#[derive(Clone, Debug)]
pub struct Chain {
    /// `/ws/jobs/{job_id}`; for a route no project path reaches, the
    /// route itself.
    pub path: String,
    pub declared: Vec<Declared>,
    pub client: ClientSide,
    pub hops: Vec<HopRow>,
    pub server: Option<ServerRow>,
}

impl Chain {
    /// Whether something on the chain breaks the checklist (an error).
    pub fn broken(&self) -> bool {
        let errs = |m: &[Mark]| m.iter().any(|m| m.severity == Severity::Error);
        errs(&self.client.marks)
            || self.hops.iter().any(|h| errs(&h.marks))
            || self.server.as_ref().is_some_and(|s| errs(&s.marks))
    }

    /// The hop with the shortest idle timeout, and the one with the
    /// shortest lifetime: where the connection ends first.
    pub fn tightest(&self, limit: Limit) -> Option<&HopRow> {
        self.hops
            .iter()
            .filter(|h| h.limit == limit)
            .filter_map(|h| Some((h.value.as_ref()?.seconds, h)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, h)| h)
    }
}

/// Every chain of the project.
#[derive(Clone, Debug, Default)]
pub struct Chains {
    /// One per websocket path of the project, by path.
    pub chains: Vec<Chain>,
    /// Websocket routes of hops that no websocket path of the project
    /// reaches (their configuration says websocket), one chain each.
    pub unreached: Vec<Chain>,
    /// The heartbeat WS303 compares every hop with.
    pub heartbeat: Option<Value>,
}

impl Chains {
    pub fn new(hops: Hops, diagnostics: &[Diagnostic], config: &Config) -> Chains {
        let heartbeat = hops.heartbeat.as_ref().map(heartbeat_value);
        let mut chains: Vec<Chain> = Vec::new();
        for path in &hops.paths.paths {
            let mut rows: Vec<HopRow> = Vec::new();
            for model in &hops.models {
                for route in model
                    .routes
                    .iter()
                    .filter(|r| r.serves.contains(&path.pattern))
                {
                    rows.push(hop_row(model, route, diagnostics));
                }
            }
            sort_rows(&mut rows);
            chains.push(Chain {
                path: path.pattern.clone(),
                declared: declared(path, &hops.clients),
                client: client_side(path, &hops.clients, config, diagnostics),
                hops: rows,
                server: path.server.as_ref().and_then(|s| {
                    let at = path.at.as_ref()?;
                    let keepalive = s.keepalive.as_ref().map(|k| Value {
                        seconds: k.seconds,
                        what: k.what.clone(),
                        at: Some(Pos::of(&k.at)),
                    });
                    let watch: Vec<&Loc> = s.watch.iter().collect();
                    let mut m = marks_at(diagnostics, &watch);
                    m.retain(|m| m.code == "WS201");
                    Some(ServerRow {
                        function: s.function.clone(),
                        at: Pos::of(at),
                        keepalive,
                        marks: m,
                    })
                }),
            });
        }
        let mut unreached: Vec<Chain> = Vec::new();
        for model in &hops.models {
            for route in model.routes.iter().filter(|r| r.serves.is_empty()) {
                unreached.push(Chain {
                    path: route.label.clone(),
                    declared: Vec::new(),
                    client: ClientSide {
                        heartbeat: None,
                        marks: Vec::new(),
                    },
                    hops: vec![hop_row(model, route, diagnostics)],
                    server: None,
                });
            }
        }
        unreached.sort_by(|a, b| a.hops[0].at.cmp(&b.hops[0].at));
        Chains {
            chains,
            unreached,
            heartbeat,
        }
    }

    /// Whether some chain breaks the checklist.
    pub fn broken(&self) -> bool {
        self.chains.iter().chain(&self.unreached).any(Chain::broken)
    }
}

fn heartbeat_value(h: &HeartbeatFact) -> Value {
    Value {
        seconds: h.ms / 1000.0,
        what: h.name.clone(),
        at: Some(Pos::of(&Loc::new(&h.file, h.span))),
    }
}

/// The proxy findings at any of `locs`: the finding's own place, or one of
/// its labels (a WS301 at a shared directive labels each route it governs).
fn marks_at(diagnostics: &[Diagnostic], locs: &[&Loc]) -> Vec<Mark> {
    let at = |file: &crate::source::Source, span: crate::source::Span| {
        locs.iter()
            .any(|l| l.span == span && l.file.path == file.path)
    };
    let mut out: Vec<Mark> = Vec::new();
    for d in diagnostics {
        if at(&d.file, d.span) || d.labels.iter().any(|l| at(&l.file, l.span)) {
            if out
                .iter()
                .any(|m| m.code == d.code && m.message == d.message)
            {
                continue;
            }
            out.push(Mark {
                code: d.code,
                name: d.name,
                severity: d.severity,
                message: d.message.clone(),
            });
        }
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(b.code)));
    out
}

fn hop_row(model: &ProxyModel, route: &WsRoute, diagnostics: &[Diagnostic]) -> HopRow {
    let hop = model.hop(route);
    let mut locs: Vec<&Loc> = vec![&route.loc];
    if let Some(s) = route.idle.setting() {
        locs.push(&s.loc);
    }
    let mut marks = marks_at(diagnostics, &locs);
    // Only what is about the route: its timeout, lifetime and upgrade.
    marks.retain(|m| {
        matches!(
            m.code,
            "WS301" | "WS302" | "WS303" | "WS305" | "WS307" | "WS308"
        )
    });
    let (value, default) = match &route.idle.source {
        IdleSource::Set(s) => (
            s.seconds.map(|seconds| Value {
                seconds,
                what: s.what.clone(),
                at: Some(Pos::of(&s.loc)),
            }),
            false,
        ),
        IdleSource::Default { what } => (
            route.idle.seconds.map(|seconds| Value {
                seconds,
                what: what.clone(),
                at: None,
            }),
            true,
        ),
    };
    HopRow {
        layer: layer(hop.product),
        product: hop.product,
        hop: hop.name.clone(),
        route: route.label.clone(),
        text: crate::rules::proxy::route_text(model, route),
        at: Pos::of(&route.loc),
        limit: route.limit,
        value,
        default,
        marks,
    }
}

fn layer(p: Product) -> Layer {
    match p {
        Product::GcpLb | Product::AwsAlb => Layer::LoadBalancer,
        Product::IngressNginx => Layer::Ingress,
        Product::Apache | Product::Nginx | Product::Haproxy => Layer::Proxy,
    }
}

/// In the order a connection usually meets them: load balancers, then
/// ingress controllers, then proxies (HAProxy in front of nginx in front of
/// Apache); then by file and line.
fn sort_rows(rows: &mut [HopRow]) {
    let rank = |p: Product| match p {
        Product::GcpLb => 0,
        Product::AwsAlb => 1,
        Product::IngressNginx => 2,
        Product::Haproxy => 3,
        Product::Nginx => 4,
        Product::Apache => 5,
    };
    rows.sort_by(|a, b| {
        (rank(a.product), &a.at)
            .cmp(&(rank(b.product), &b.at))
            .then_with(|| a.route.cmp(&b.route))
    });
}

/// Whether a client's socket path is `path`: the same pattern, or (a URL on
/// a base the client module does not know) the end of it.
fn opens(client: &WsPath, path: &WsPath) -> bool {
    if client.pattern == path.pattern {
        return true;
    }
    let (c, p) = (shape(&client.pattern), shape(&path.pattern));
    c == p || (!client.anchored && p.ends_with(&c) && p.len() > c.len())
}

fn declared(path: &WsPath, clients: &[ClientFacts]) -> Vec<Declared> {
    let mut out = vec![Declared {
        origin: path.origin.clone(),
        at: path.at.as_ref().map(Pos::of),
    }];
    for c in clients {
        for p in c.paths.iter().filter(|p| opens(p, path)) {
            let d = Declared {
                origin: Origin::Client,
                at: p.at.as_ref().map(Pos::of),
            };
            if !out.iter().any(|o| o.origin == d.origin && o.at == d.at) {
                out.push(d);
            }
        }
    }
    out.sort_by(|a, b| (&a.origin, &a.at).cmp(&(&b.origin, &b.at)));
    out
}

fn client_side(
    path: &WsPath,
    clients: &[ClientFacts],
    config: &Config,
    diagnostics: &[Diagnostic],
) -> ClientSide {
    let openers: Vec<&ClientFacts> = clients
        .iter()
        .filter(|c| c.paths.iter().any(|p| opens(p, path)))
        .collect();
    // What the client sends: the slowest heartbeat of the clients that open
    // this path; `client.heartbeat_ms` when it is stated.
    let heartbeat: Option<&HeartbeatFact> = openers
        .iter()
        .filter_map(|c| c.heartbeat.as_ref())
        .max_by(|a, b| a.ms.total_cmp(&b.ms));
    let mut marks = Vec::new();
    let value = match config.client.heartbeat_ms {
        Some(ms) => Some(Value {
            seconds: ms as f64 / 1000.0,
            what: "`client.heartbeat_ms`".to_string(),
            at: None,
        }),
        None => heartbeat.map(heartbeat_value),
    };
    if let Some(h) = heartbeat {
        marks = marks_at(diagnostics, &[&Loc::new(&h.file, h.span)]);
        marks.retain(|m| m.code == "WS101");
    }
    if config.client.heartbeat_ms.is_none() && heartbeat.is_none() && !openers.is_empty() {
        marks.push(Mark {
            code: "WS102",
            name: "client-heartbeat-missing",
            severity: Severity::Error,
            message: "the clients that open this path send no heartbeat".to_string(),
        });
    }
    ClientSide {
        heartbeat: value,
        marks,
    }
}
