//! The proxy model: every hop between the browser and the endpoint, on one
//! shape whatever the product. A configuration tree (a root file with
//! everything it includes) gives a [`ProxyModel`]: its **hops** (an Apache
//! `<VirtualHost>`, an nginx `server`, an HAProxy backend), their
//! **websocket routes** with the **effective idle timeout** of each and
//! where it comes from (the directive that sets it, or the product's
//! default), and the product's own traps (directives in the wrong place,
//! syntax, unread includes, upgrades that cannot happen).
//!
//! Each product fills the model in its folder under `src/lang/`; the proxy
//! rules (WS301-WS307) read only this model. [`crate::phase::proxy`] runs
//! every product over the files of a run.

pub mod include;
pub mod loader;
pub mod wspaths;

use crate::source::{Source, Span};

pub use wspaths::{WsPath, WsPaths};

/// A place in a configuration file.
#[derive(Clone, Debug)]
pub struct Loc {
    pub file: Source,
    pub span: Span,
}

impl Loc {
    pub fn new(file: &Source, span: Span) -> Loc {
        Loc {
            file: file.clone(),
            span,
        }
    }

    pub fn same(&self, other: &Loc) -> bool {
        self.span == other.span && self.file.path == other.file.path
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Product {
    Apache,
    Nginx,
    Haproxy,
    /// The ingress-nginx controller, configured by Kubernetes manifests.
    IngressNginx,
    /// An AWS Application Load Balancer (Load Balancer Controller
    /// annotations, or Terraform's `aws_lb`).
    AwsAlb,
    /// A GCP external Application Load Balancer's backend services (GKE
    /// `BackendConfig`, Terraform's `google_compute_backend_service`).
    GcpLb,
}

impl Product {
    pub fn name(self) -> &'static str {
        match self {
            Product::Apache => "Apache",
            Product::Nginx => "nginx",
            Product::Haproxy => "HAProxy",
            Product::IngressNginx => "ingress-nginx",
            Product::AwsAlb => "AWS ALB",
            Product::GcpLb => "GCP load balancer",
        }
    }
}

/// What a route's timeout bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Time without traffic: a heartbeat keeps the socket open (WS301-WS303).
    Idle,
    /// The whole life of the connection, whatever the traffic: GCP's
    /// backend-service timeout for websockets (WS308).
    Lifetime,
}

/// One proxy a websocket crosses: a `<VirtualHost>`, an nginx `server`, an
/// HAProxy `backend` or `listen`.
#[derive(Clone, Debug)]
pub struct Hop {
    pub product: Product,
    /// How messages name it: "Apache `<VirtualHost *:443>`", "nginx
    /// `server app.example.com`", "HAProxy backend `ws`".
    pub name: String,
    pub loc: Loc,
}

/// A value that sets an idle timeout, where it is written.
#[derive(Clone, Debug)]
pub struct Setting {
    /// The directive or key (its whole line).
    pub loc: Loc,
    /// How messages name it: "`proxy_read_timeout 30s`", "`timeout=30` on
    /// this ProxyPass", "`timeout tunnel 3600`".
    pub what: String,
    /// `None` when unknown: a template placeholder, an undefined variable, a
    /// value the product refuses (WS305 says so).
    pub seconds: Option<f64>,
    /// A remark on how the product reads the value, for messages: "HAProxy
    /// reads a number without a unit as milliseconds".
    pub note: Option<String>,
}

/// Where a route's idle timeout comes from.
#[derive(Clone, Debug)]
pub enum IdleSource {
    /// A directive or key of the tree sets it.
    Set(Setting),
    /// Nothing sets it anywhere the route inherits from.
    Default {
        /// "httpd's default timeout", "nginx's default `proxy_read_timeout`".
        what: String,
    },
}

/// The effective idle timeout of a websocket route at one hop.
#[derive(Clone, Debug)]
pub struct Idle {
    pub source: IdleSource,
    /// `None` when unknown.
    pub seconds: Option<f64>,
    /// What to change to give the route `{s}` seconds, with `{s}` standing
    /// for the number: "set `proxy_read_timeout {s}s` in this location".
    pub fix: String,
    /// Labels for places the value reaches the route through: "inherits the
    /// http-level value" on the `server` block.
    pub via: Vec<(Loc, String)>,
}

impl Idle {
    pub fn setting(&self) -> Option<&Setting> {
        match &self.source {
            IdleSource::Set(s) => Some(s),
            IdleSource::Default { .. } => None,
        }
    }

    pub fn is_default(&self) -> bool {
        matches!(self.source, IdleSource::Default { .. })
    }

    /// The fix text for `seconds`.
    pub fn fix_for(&self, seconds: u64) -> String {
        self.fix.replace("{s}", &seconds.to_string())
    }
}

/// Why a route carries websockets.
#[derive(Clone, Debug)]
pub enum Carries {
    /// Its configuration says so (a `ws://` target, `upgrade=websocket`,
    /// `proxy_set_header Upgrade`, an ACL on the `Upgrade` header).
    Config,
    /// It serves a websocket path of the project.
    Path(WsPath),
    /// Its path names a websocket (an nginx `location /ws/`).
    Named,
}

/// A route of a hop that carries websockets.
#[derive(Clone, Debug)]
pub struct WsRoute {
    /// Index into [`ProxyModel::hops`].
    pub hop: usize,
    /// The directive or block that makes the route.
    pub loc: Loc,
    /// How messages name it: "`location /ws/`", "`/ws/ -> ws://b/ws/`",
    /// "frontend `www` -> backend `ws`".
    pub label: String,
    pub carries: Carries,
    /// The route's timeout: an idle limit, or (GCP) a lifetime.
    pub limit: Limit,
    pub idle: Idle,
    /// Some setting the route inherits may be in a file that was not read:
    /// a default is then not known to be the default.
    pub incomplete: bool,
    /// The unread includes ([`ProxyModel::unfollowed`]) that may set its
    /// idle timeout.
    pub unknown_from: Vec<usize>,
    /// The project's websocket paths (their patterns) that reach this route
    /// as the product matches paths; filled only when [`Stakes::serves`]
    /// asks for it (`wslint routes`).
    ///
    /// [`Stakes::serves`]: wspaths::Stakes::serves
    pub serves: Vec<String>,
}

impl WsRoute {
    /// Records that `path` reaches the route.
    pub fn add_serves(&mut self, path: &WsPath) {
        if !self.serves.contains(&path.pattern) {
            self.serves.push(path.pattern.clone());
        }
    }
}

/// A timeout directive where the product refuses or ignores it (WS304).
#[derive(Clone, Debug)]
pub struct Misplaced {
    pub product: Product,
    pub loc: Loc,
    pub directive: String,
    pub kind: MisplacedKind,
}

#[derive(Clone, Debug)]
pub enum MisplacedKind {
    /// Inside a section that does not take it (`<Location /ws>`, `if`,
    /// `upstream`), opened at `section`.
    Section { section: String, at: Loc },
    /// In an `.htaccess` file.
    Htaccess,
    /// A directive no release of the product knows
    /// (`ProxyWebsocketIdleTimeout` on httpd 2.4).
    Unknown,
    /// A keyword the section takes but does not apply (HAProxy's
    /// `timeout tunnel` in a frontend), with why.
    Ignored { why: String },
    /// A directive the product refuses there, with why (nginx's
    /// `proxy_read_timeout` in `stream`).
    Refused { why: String },
}

/// An include that was not read (WS306).
#[derive(Clone, Debug)]
pub struct Unfollowed {
    pub loc: Loc,
    /// Why; empty when a read error was already reported (WS002).
    pub reason: String,
}

/// A websocket route the proxy cannot upgrade (WS307).
#[derive(Clone, Debug)]
pub struct NotUpgraded {
    pub hop: usize,
    /// Where the finding points: the location block, the ProxyPass.
    pub loc: Loc,
    pub message: String,
    pub help: String,
    pub labels: Vec<(Loc, String)>,
}

/// One configuration tree of one product.
#[derive(Clone, Debug)]
pub struct ProxyModel {
    pub product: Product,
    pub hops: Vec<Hop>,
    pub routes: Vec<WsRoute>,
    pub misplaced: Vec<Misplaced>,
    /// Syntax the product refuses or misreads, recursive includes, values
    /// that are not durations it accepts (WS305).
    pub syntax: Vec<(Loc, String)>,
    pub unfollowed: Vec<Unfollowed>,
    pub not_upgraded: Vec<NotUpgraded>,
    /// Unread includes that may hide what a route needs to upgrade: WS307
    /// held back for them.
    pub upgrade_unknown_from: Vec<usize>,
}

impl ProxyModel {
    pub fn new(product: Product) -> ProxyModel {
        ProxyModel {
            product,
            hops: Vec::new(),
            routes: Vec::new(),
            misplaced: Vec::new(),
            syntax: Vec::new(),
            unfollowed: Vec::new(),
            not_upgraded: Vec::new(),
            upgrade_unknown_from: Vec::new(),
        }
    }

    pub fn hop(&self, route: &WsRoute) -> &Hop {
        &self.hops[route.hop]
    }
}

/// `25 s`, `12.5 s`, `0.03 s`.
pub fn seconds_text(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        let t = format!("{s:.3}");
        let t = t.trim_end_matches('0').trim_end_matches('.');
        format!("{t} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_written_short() {
        assert_eq!(seconds_text(60.0), "60 s");
        assert_eq!(seconds_text(3.6), "3.6 s");
        assert_eq!(seconds_text(0.03), "0.03 s");
        assert_eq!(seconds_text(12.5), "12.5 s");
    }
}
