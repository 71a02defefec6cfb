//! A Terraform module's load balancers on the proxy model.
//!
//! The `.tf` files of one directory are one module: `var.x` and `local.y`
//! resolve within it. A sibling file the run did not yield (the prefilter
//! drops a `variables.tf` that names no load balancer) is read through the
//! [`Loader`] only when a reference is not found in the run's files.
//!
//! Two products:
//!
//! - GCP Application Load Balancers: each `google_compute_backend_service`
//!   or `google_compute_region_backend_service` that an HTTP(S) load
//!   balancer uses is a hop. Its `timeout_sec` (provider default 30) is,
//!   for a websocket, the longest the connection may stay open whatever
//!   its traffic: a [`Limit::Lifetime`] (WS308). Which backend services
//!   carry websockets follows the module's url maps: a websocket path of
//!   the project reaches a service through a `path_rule` (a path ending in
//!   `/*` is a prefix, any other is exact, the longest match wins) or a
//!   `path_matcher`'s `default_service`. The url map's own
//!   `default_service` counts only when the map has no `host_rule` and no
//!   `path_matcher`: with host rules, the hosts that match none are not
//!   known to be where the websockets go, and reporting the catch-all
//!   service of every routed map would flag the usual "static site by
//!   default, `/ws/*` elsewhere" layout. A backend service no url map of
//!   the module routes to serves every path (one load balancer, no path
//!   routing), so it carries the project's websocket paths if it has any.
//! - AWS Application Load Balancers: each `aws_lb`/`aws_alb` whose
//!   `load_balancer_type` is `application` (the default) is a hop with one
//!   route, every path; `idle_timeout` (default 60) is an idle limit
//!   (WS301-WS303). Network and gateway load balancers have no such
//!   setting and are never reported.
//!
//! A value that comes from a variable's default or a local is reported
//! where the number is written (the `default = 30` of the variable, the
//! `t = 30` of `locals`), the key to change, with a label at the attribute
//! that takes it. A variable with no default, a function call, anything
//! not written out is unknown and never reported.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Attr, Block, TfFile, Value};
use crate::proxy::loader::Loader;
use crate::proxy::wspaths::{LazyWsPaths, names_websocket};
use crate::proxy::{
    Carries, Hop, Idle, IdleSource, Limit, Loc, Product, ProxyModel, Setting, WsRoute,
};

const GCP_BACKENDS: &[&str] = &[
    "google_compute_backend_service",
    "google_compute_region_backend_service",
];
const GCP_URL_MAPS: &[&str] = &["google_compute_url_map", "google_compute_region_url_map"];
const AWS_LBS: &[&str] = &["aws_lb", "aws_alb"];

/// GCP's `timeout_sec` when unset: "Default is 30 seconds" (provider docs,
/// `website/docs/r/compute_backend_service.html.markdown`).
const GCP_DEFAULT_S: f64 = 30.0;
const GCP_DEFAULT: &str = "GCP's default backend-service timeout";
/// `idle_timeout` when unset: "Default: 60" (AWS provider docs,
/// `website/docs/r/lb.html.markdown`).
const ALB_DEFAULT_S: f64 = 60.0;
const ALB_DEFAULT: &str = "the ALB's default idle timeout";

/// Most sibling files read for one module.
const MAX_SIBLINGS: usize = 256;
/// Most steps from an attribute to the value it ends at (`local.a` ->
/// `local.b` -> `var.c`).
const MAX_STEPS: usize = 16;

pub fn to_proxy(
    files: &[(PathBuf, Arc<TfFile>)],
    loader: &Loader<'_, TfFile>,
    paths: &LazyWsPaths<'_>,
) -> Vec<ProxyModel> {
    let mut modules: BTreeMap<PathBuf, Vec<(PathBuf, Arc<TfFile>)>> = BTreeMap::new();
    for (abs, f) in files {
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        modules
            .entry(dir)
            .or_default()
            .push((abs.clone(), f.clone()));
    }
    let mut out = Vec::new();
    for (dir, mut files) in modules {
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let module = Module {
            dir,
            known: files.iter().map(|(p, _)| p.clone()).collect(),
            files: files.into_iter().map(|(_, f)| f).collect(),
            siblings: OnceCell::new(),
            loader,
        };
        out.extend(gcp(&module, paths));
        out.extend(aws(&module, paths));
    }
    out
}

/// The `.tf` files of one directory.
struct Module<'a, 'l> {
    dir: PathBuf,
    known: HashSet<PathBuf>,
    /// The run's files of the module.
    files: Vec<Arc<TfFile>>,
    /// The module's other `.tf` files, read the first time a reference is
    /// not found in `files`.
    siblings: OnceCell<Vec<Arc<TfFile>>>,
    loader: &'a Loader<'l, TfFile>,
}

/// A resource block of a file.
struct Resource<'m> {
    file: &'m Arc<TfFile>,
    block: &'m Block,
}

impl Resource<'_> {
    fn ty(&self) -> &str {
        self.block.label(0).unwrap_or("")
    }
    fn name(&self) -> &str {
        self.block.label(1).unwrap_or("")
    }
    /// `google_compute_backend_service.ws`.
    fn address(&self) -> String {
        format!("{}.{}", self.ty(), self.name())
    }
    fn loc(&self, span: crate::source::Span) -> Loc {
        Loc::new(&self.file.source, span)
    }
    fn head(&self) -> Loc {
        self.loc(self.block.head)
    }
    /// Whether the resource's name, or its literal `name`, names a
    /// websocket.
    fn names_websocket(&self) -> bool {
        names_websocket(self.name())
            || self
                .block
                .attr("name")
                .and_then(|a| a.value.str())
                .is_some_and(names_websocket)
    }
}

fn resources_in<'m>(
    files: &'m [Arc<TfFile>],
    types: &'m [&str],
) -> impl Iterator<Item = Resource<'m>> + 'm {
    files.iter().flat_map(move |file| {
        file.body
            .blocks
            .iter()
            .filter(move |b| {
                b.ident == "resource" && b.label(0).is_some_and(|t| types.contains(&t))
            })
            .map(move |block| Resource { file, block })
    })
}

/// Where a value ends up, and how it got there.
struct Resolved {
    value: Value,
    /// The attribute that writes it (`None` for what is written nowhere).
    at: Option<(Arc<TfFile>, Attr)>,
    /// How messages name that attribute: "`timeout_sec = 30`", "`default =
    /// 30` of `variable \"t\"`".
    what: String,
    /// What to change, with `{s}` for the number.
    fix: Option<String>,
    /// The attributes it goes through (`timeout_sec = var.t`), labelled.
    via: Vec<(Loc, String)>,
}

impl<'l> Module<'_, 'l> {
    fn resources<'m>(&'m self, types: &'m [&str]) -> impl Iterator<Item = Resource<'m>> + 'm {
        resources_in(&self.files, types)
    }

    fn siblings(&self, from: &Loc) -> &[Arc<TfFile>] {
        self.siblings.get_or_init(|| {
            let Ok(entries) = crate::cache::read_dir(&self.dir) else {
                return Vec::new();
            };
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "tf") && crate::cache::is_file(p))
                .filter_map(|p| crate::cache::canonicalize(&p).ok())
                .filter(|p| !self.known.contains(p))
                .collect();
            found.sort();
            found.truncate(MAX_SIBLINGS);
            found
                .iter()
                .filter_map(|p| self.loader.load(p, from))
                .collect()
        })
    }

    /// The first block found by `pick` in the run's files, then in the
    /// siblings.
    fn find(
        &self,
        from: &Loc,
        pick: impl Fn(&TfFile) -> Option<Attr>,
    ) -> Option<(Arc<TfFile>, Attr)> {
        let hit =
            |files: &[Arc<TfFile>]| files.iter().find_map(|f| pick(f).map(|a| (f.clone(), a)));
        hit(&self.files).or_else(|| hit(self.siblings(from)))
    }

    /// `variable "x"`: its `default`, or `None` when the variable is not
    /// found. A variable with no default has value unknown.
    fn variable(&self, name: &str, from: &Loc) -> Option<(Arc<TfFile>, Option<Attr>)> {
        // Found with or without a default: first look for the block.
        let block_of = |f: &TfFile| -> Option<Option<Attr>> {
            f.body
                .blocks
                .iter()
                .find(|b| b.ident == "variable" && b.label(0) == Some(name))
                .map(|b| b.attr("default").cloned())
        };
        let hit = |files: &[Arc<TfFile>]| {
            files
                .iter()
                .find_map(|f| block_of(f).map(|d| (f.clone(), d)))
        };
        hit(&self.files).or_else(|| hit(self.siblings(from)))
    }

    fn local(&self, name: &str, from: &Loc) -> Option<(Arc<TfFile>, Attr)> {
        self.find(from, |f| {
            f.body
                .blocks
                .iter()
                .filter(|b| b.ident == "locals")
                .find_map(|b| b.attr(name).cloned())
        })
    }

    /// Follows `attr` of `res` through variables and locals to the value
    /// it ends at.
    fn resolve(&self, res: &Resource<'_>, attr: &Attr) -> Resolved {
        let mut file = res.file.clone();
        let mut at = attr.clone();
        let mut via = Vec::new();
        let mut what = attr_text(&file, &at);
        let mut fix = Some(format!(
            "set `{} = {{s}}` on `{}`",
            attr.name,
            res.address()
        ));
        for _ in 0..MAX_STEPS {
            let here = Loc::new(&file.source, at.span);
            match at.value.clone() {
                Value::Var(x) => {
                    let Some((vf, default)) = self.variable(&x, &here) else {
                        return unknown(file, at, what, via);
                    };
                    let Some(default) = default else {
                        return unknown(file, at, what, via);
                    };
                    via.push((here, format!("`{}` takes `var.{x}`", at.name)));
                    what = format!("{} of `variable \"{x}\"`", attr_text(&vf, &default));
                    fix = Some(format!(
                        "set the default of `variable \"{x}\"` to {{s}} (and any value passed for it)"
                    ));
                    file = vf;
                    at = default;
                }
                Value::Local(y) => {
                    let Some((lf, def)) = self.local(&y, &here) else {
                        return unknown(file, at, what, via);
                    };
                    via.push((here, format!("`{}` takes `local.{y}`", at.name)));
                    what = format!("`local.{y}` ({})", attr_text(&lf, &def));
                    fix = Some(format!("set `{y} = {{s}}` in `locals`"));
                    file = lf;
                    at = def;
                }
                value => {
                    return Resolved {
                        value,
                        at: Some((file, at)),
                        what,
                        fix,
                        via,
                    };
                }
            }
        }
        unknown(file, at, what, via)
    }

    /// The value of `key` on `res` (`None` when unset or `null`).
    fn value(&self, res: &Resource<'_>, key: &str) -> Option<Value> {
        let attr = res.block.attr(key)?;
        match self.resolve(res, attr).value {
            Value::Null => None,
            v => Some(v),
        }
    }

    /// The timeout `key` of `res`: set (literally, or through variables
    /// and locals), or the product's default.
    fn timeout(&self, res: &Resource<'_>, key: &str, default: (f64, &str)) -> Idle {
        let default_fix = format!("set `{key} = {{s}}` on `{}`", res.address());
        let Some(attr) = res.block.attr(key) else {
            return Idle {
                source: IdleSource::Default {
                    what: default.1.to_string(),
                },
                seconds: Some(default.0),
                fix: default_fix,
                via: Vec::new(),
            };
        };
        let r = self.resolve(res, attr);
        if r.value == Value::Null {
            // `null` is the argument left out.
            return Idle {
                source: IdleSource::Default {
                    what: default.1.to_string(),
                },
                seconds: Some(default.0),
                fix: default_fix,
                via: r.via,
            };
        }
        let seconds = r.value.number();
        let (file, at) = r.at.expect("a known value is written somewhere");
        Idle {
            source: IdleSource::Set(Setting {
                loc: Loc::new(&file.source, at.span),
                what: r.what,
                seconds,
                note: None,
            }),
            seconds,
            fix: r.fix.unwrap_or(default_fix),
            via: r.via,
        }
    }
}

fn unknown(file: Arc<TfFile>, at: Attr, what: String, via: Vec<(Loc, String)>) -> Resolved {
    Resolved {
        value: Value::Unknown,
        at: Some((file, at)),
        what,
        fix: None,
        via,
    }
}

/// "`timeout_sec = 30`" (with the backticks), as written when it is short and on one line.
fn attr_text(file: &TfFile, a: &Attr) -> String {
    let text = file.source.text.get(a.span.start..a.span.end).unwrap_or("");
    let value = text.split_once('=').map_or("", |(_, v)| v.trim());
    if text.len() <= 80 && !text.contains('\n') && !value.is_empty() {
        // Alignment padding dropped: `idle_timeout       = 30`.
        format!("`{} = {value}`", a.name)
    } else {
        format!("`{} = …`", a.name)
    }
}

/// Whether a backend service is one of an HTTP(S) (Application) load
/// balancer, whose `timeout_sec` bounds a websocket's life. Provider docs:
/// the global resource's `load_balancing_scheme` defaults to `EXTERNAL`
/// (the classic Application Load Balancer) and its `protocol` to `HTTP`;
/// the region resource's scheme defaults to `INTERNAL` (a passthrough
/// Network Load Balancer), and only its `*_MANAGED` schemes are
/// Application Load Balancers. `INTERNAL_SELF_MANAGED` is Cloud Service
/// Mesh, with timeouts of its own. A scheme or protocol that does not
/// resolve leaves the service out.
fn is_http_lb(m: &Module<'_, '_>, res: &Resource<'_>) -> bool {
    let regional = res.ty() == "google_compute_region_backend_service";
    let scheme = match m.value(res, "load_balancing_scheme") {
        None if regional => "INTERNAL".to_string(),
        None => "EXTERNAL".to_string(),
        Some(Value::Str(s)) => s.to_ascii_uppercase(),
        Some(_) => return false,
    };
    let protocol = match m.value(res, "protocol") {
        None => "HTTP".to_string(),
        Some(Value::Str(s)) => s.to_ascii_uppercase(),
        Some(_) => return false,
    };
    let http = matches!(protocol.as_str(), "HTTP" | "HTTPS" | "HTTP2");
    let scheme_ok = match scheme.as_str() {
        "EXTERNAL_MANAGED" | "INTERNAL_MANAGED" => true,
        "EXTERNAL" => !regional,
        _ => false,
    };
    http && scheme_ok
}

/// Network endpoint group resources; a serverless one points at Cloud Run,
/// App Engine or Cloud Functions.
const GCP_NEGS: &[&str] = &[
    "google_compute_region_network_endpoint_group",
    "google_compute_network_endpoint_group",
    "google_compute_global_network_endpoint_group",
];

/// Whether a backend service's backends are serverless NEGs. GCP refuses
/// `timeout_sec` on such a service ("Timeout sec is not supported for a
/// backend service with Serverless network endpoint groups"), and the
/// request timeout of the Cloud Run service (or App Engine, Cloud
/// Functions) bounds a websocket instead, which is not read: the service
/// is no hop.
fn is_serverless(m: &Module<'_, '_>, res: &Resource<'_>) -> bool {
    let backends = res.block.blocks("backend").chain(
        res.block
            .blocks("dynamic")
            .filter(|d| d.label(0) == Some("backend"))
            .flat_map(|d| d.blocks("content")),
    );
    backends.filter_map(|b| b.attr("group")).any(|group| {
        let Value::Ref { ty, name } = m.resolve(res, group).value else {
            return false;
        };
        if !GCP_NEGS.contains(&ty.as_str()) {
            return false;
        }
        let here = res.head();
        let found = resources_in(&m.files, GCP_NEGS)
            .find(|r| r.ty() == ty && r.name() == name)
            .map(|r| (r.file.clone(), r.block.clone()))
            .or_else(|| {
                resources_in(m.siblings(&here), GCP_NEGS)
                    .find(|r| r.ty() == ty && r.name() == name)
                    .map(|r| (r.file.clone(), r.block.clone()))
            });
        let Some((file, neg)) = found else {
            return false;
        };
        let neg = Resource {
            file: &file,
            block: &neg,
        };
        let kind = m
            .value(&neg, "network_endpoint_type")
            .and_then(|v| v.str().map(str::to_ascii_uppercase));
        kind.as_deref() == Some("SERVERLESS")
            || [
                "cloud_run",
                "app_engine",
                "cloud_function",
                "serverless_deployment",
            ]
            .iter()
            .any(|b| neg.block.blocks(b).next().is_some())
    })
}

/// Whether a GCP path rule pattern takes `path`: `/ws/*` is a prefix (it
/// takes `/ws/` and below), anything else is exact. Returns the length
/// the longest-match order compares.
fn gcp_match(pattern: &str, path: &str) -> Option<usize> {
    match pattern.strip_suffix('*') {
        Some(prefix) if prefix.ends_with('/') => path.starts_with(prefix).then_some(prefix.len()),
        _ => (pattern == path).then_some(pattern.len() + 1),
    }
}

/// One way a url map sends traffic to a backend service.
#[derive(Clone)]
struct UrlRoute {
    /// The backend service it reaches (`type`, `name`).
    service: (String, String),
    kind: UrlRouteKind,
    /// Where it is written (the `paths` of a rule, the `default_service`).
    loc: Loc,
    /// A `timeout` of its own in the route's `route_action` (or the
    /// matcher's or map's `default_route_action`), which overrides the
    /// backend service's `timeout_sec` for it ("This value can be
    /// overridden in the PathMatcher configuration of the UrlMap", Compute
    /// API `BackendService.timeoutSec`): where, as its lifetime is not
    /// read.
    overridden: Option<Loc>,
}

/// The `action` block (`route_action`, `default_route_action`) of a block
/// that sets a `timeout`, where it is.
fn sets_timeout(res: &Resource<'_>, b: &Block, action: &str) -> Option<Loc> {
    b.blocks(action)
        .find(|a| a.blocks("timeout").next().is_some() || a.attr("timeout").is_some())
        .map(|a| res.loc(a.head))
}

#[derive(Clone)]
enum UrlRouteKind {
    /// A `path_rule` of a `path_matcher`, with its paths.
    Rule { matcher: usize, paths: Vec<String> },
    /// A `path_matcher`'s `default_service`.
    MatcherDefault { matcher: usize },
    /// The url map's `default_service`, with no host rules or matchers.
    MapDefault,
    /// Any other reference to the service (a `host_rule`-guarded map's
    /// `default_service`, route rules, weighted services): routed, but not
    /// known to carry websockets.
    Other,
}

/// A url map's routes, by path matcher.
struct UrlMap {
    routes: Vec<UrlRoute>,
    /// Path matchers whose routing is read: they have path rules only (no
    /// `route_rules`, whose matching is not modelled).
    readable: Vec<bool>,
    /// The map's name, for labels: `google_compute_url_map.main`.
    address: String,
}

fn service_of(
    m: &Module<'_, '_>,
    res: &Resource<'_>,
    attr: Option<&Attr>,
) -> Option<(String, String)> {
    let r = m.resolve(res, attr?);
    match r.value {
        Value::Ref { ty, name } if GCP_BACKENDS.contains(&ty.as_str()) => Some((ty, name)),
        _ => None,
    }
}

fn read_url_map(m: &Module<'_, '_>, res: &Resource<'_>) -> UrlMap {
    let b = res.block;
    let mut routes = Vec::new();
    let mut readable = Vec::new();
    let dynamic = |ident: &'static str| {
        b.blocks("dynamic")
            .filter(move |d| d.label(0) == Some(ident))
    };
    let has_matchers = b.blocks("host_rule").next().is_some()
        || b.blocks("path_matcher").next().is_some()
        || dynamic("host_rule").next().is_some()
        || dynamic("path_matcher").next().is_some();
    // Path matchers made by `dynamic` blocks: the services they name are
    // routed, but which paths reach them is not read.
    for d in dynamic("path_matcher") {
        for s in service_refs(m, res, d) {
            routes.push(UrlRoute {
                service: s,
                kind: UrlRouteKind::Other,
                loc: res.loc(d.head),
                overridden: None,
            });
        }
    }
    if let Some(s) = service_of(m, res, b.attr("default_service")) {
        routes.push(UrlRoute {
            service: s,
            kind: if has_matchers {
                UrlRouteKind::Other
            } else {
                UrlRouteKind::MapDefault
            },
            loc: res.loc(b.attr("default_service").expect("read above").span),
            overridden: sets_timeout(res, b, "default_route_action"),
        });
    }
    for (mi, pm) in b.blocks("path_matcher").enumerate() {
        readable.push(pm.blocks("route_rules").next().is_none());
        if let Some(s) = service_of(m, res, pm.attr("default_service")) {
            routes.push(UrlRoute {
                service: s,
                kind: UrlRouteKind::MatcherDefault { matcher: mi },
                loc: res.loc(pm.attr("default_service").expect("read above").span),
                overridden: sets_timeout(res, pm, "default_route_action"),
            });
        }
        for rule in pm.blocks("path_rule") {
            let Some(s) = service_of(m, res, rule.attr("service")) else {
                continue;
            };
            let paths_attr = rule.attr("paths");
            let paths = match paths_attr.map(|a| &a.value) {
                Some(Value::List(items)) => items
                    .iter()
                    .filter_map(|v| v.str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            routes.push(UrlRoute {
                service: s,
                kind: UrlRouteKind::Rule { matcher: mi, paths },
                loc: res.loc(paths_attr.map_or(rule.head, |a| a.span)),
                overridden: sets_timeout(res, rule, "route_action"),
            });
        }
        // Services named in route rules are routed, matching unknown.
        for rr in pm.blocks("route_rules") {
            for s in service_refs(m, res, rr) {
                routes.push(UrlRoute {
                    service: s,
                    kind: UrlRouteKind::Other,
                    loc: res.loc(rr.head),
                    overridden: None,
                });
            }
        }
    }
    UrlMap {
        routes,
        readable,
        address: res.address(),
    }
}

/// Every backend service a block's attributes name, nested blocks too.
fn service_refs(m: &Module<'_, '_>, res: &Resource<'_>, b: &Block) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in &b.attrs {
        if let Some(s) = service_of(m, res, Some(a)) {
            out.push(s);
        }
    }
    for inner in &b.blocks {
        out.extend(service_refs(m, res, inner));
    }
    out
}

impl UrlMap {
    /// The route a request for `path` takes in path matcher `mi`.
    fn pick(&self, mi: usize, path: &str) -> Option<&UrlRoute> {
        let mut best: Option<(usize, &UrlRoute)> = None;
        let mut default = None;
        for r in &self.routes {
            match &r.kind {
                UrlRouteKind::Rule { matcher, paths } if *matcher == mi => {
                    for p in paths {
                        if let Some(len) = gcp_match(p, path)
                            && best.is_none_or(|(l, _)| len > l)
                        {
                            best = Some((len, r));
                        }
                    }
                }
                UrlRouteKind::MatcherDefault { matcher } if *matcher == mi => default = Some(r),
                _ => {}
            }
        }
        best.map(|(_, r)| r).or(default)
    }

    /// The routes websocket path samples take: each path matcher read in
    /// turn, or the map's default when it has none.
    fn routes_for<'a>(&'a self, sample: &str) -> Vec<&'a UrlRoute> {
        let mut out: Vec<&UrlRoute> = self
            .routes
            .iter()
            .filter(|r| matches!(r.kind, UrlRouteKind::MapDefault))
            .collect();
        for (mi, readable) in self.readable.iter().enumerate() {
            if *readable && let Some(r) = self.pick(mi, sample) {
                out.push(r);
            }
        }
        out
    }
}

/// How a route through a url map is named; the backend service is the
/// hop's name: "`/ws/*` in google_compute_url_map.main".
fn route_label(r: &UrlRoute, pattern: Option<&str>, map: &str) -> String {
    match &r.kind {
        UrlRouteKind::Rule { paths, .. } => {
            let shown = pattern
                .map(str::to_string)
                .or_else(|| paths.first().cloned())
                .unwrap_or_default();
            format!("`{shown}` in {map}")
        }
        UrlRouteKind::MatcherDefault { .. } => match pattern {
            Some(p) => format!("`{p}` (a path matcher's default in {map})"),
            None => format!("a path matcher's default in {map}"),
        },
        UrlRouteKind::MapDefault => format!("every path ({map}'s default service)"),
        UrlRouteKind::Other => map.to_string(),
    }
}

fn gcp(m: &Module<'_, '_>, paths: &LazyWsPaths<'_>) -> Option<ProxyModel> {
    let backends: Vec<Resource<'_>> = m
        .resources(GCP_BACKENDS)
        .filter(|r| is_http_lb(m, r))
        .collect();
    if backends.is_empty() {
        return None;
    }
    let maps: Vec<UrlMap> = m
        .resources(GCP_URL_MAPS)
        .map(|r| read_url_map(m, &r))
        .collect();
    let sibling_maps: OnceCell<Vec<UrlMap>> = OnceCell::new();
    let mut out = ProxyModel::new(Product::GcpLb);
    for (hop, b) in backends.iter().enumerate() {
        out.hops.push(Hop {
            product: Product::GcpLb,
            name: format!("GCP backend service `{}`", b.address()),
            loc: b.head(),
        });
        let key = (b.ty().to_string(), b.name().to_string());
        let address = b.address();
        let idle = if is_serverless(m, b) {
            // Bounded by the serverless product's own request timeout.
            Idle {
                source: IdleSource::Default {
                    what: "the request timeout of the serverless backend (Cloud Run's), not read"
                        .into(),
                },
                seconds: None,
                fix: String::new(),
                via: Vec::new(),
            }
        } else {
            m.timeout(b, "timeout_sec", (GCP_DEFAULT_S, GCP_DEFAULT))
        };
        let mine: Vec<(&UrlMap, &UrlRoute)> = maps
            .iter()
            .flat_map(|u| u.routes.iter().map(move |r| (u, r)))
            .filter(|(_, r)| r.service == key)
            .collect();
        // A route whose url-map rule sets a timeout of its own has that
        // lifetime, which is not read.
        let route_on =
            |r: Option<&UrlRoute>, carries: Carries, label: String, extra: Vec<(Loc, String)>| {
                let mut idle = idle.clone();
                idle.via.extend(extra);
                if let Some(at) = r.and_then(|r| r.overridden.as_ref()) {
                    idle.source = IdleSource::Set(Setting {
                        loc: at.clone(),
                        what: "the `timeout` of this route's `route_action`".into(),
                        seconds: None,
                        note: None,
                    });
                    idle.seconds = None;
                }
                WsRoute {
                    hop,
                    loc: b.head(),
                    label,
                    carries,
                    limit: Limit::Lifetime,
                    idle,
                    incomplete: false,
                    unknown_from: Vec::new(),
                    serves: Vec::new(),
                }
            };
        let route = |carries: Carries, label: String, extra: Vec<(Loc, String)>| {
            route_on(None, carries, label, extra)
        };
        // A path rule whose path names a websocket (one with a timeout of
        // its own last).
        let named_rule = mine
            .iter()
            .filter_map(|(u, r)| match &r.kind {
                UrlRouteKind::Rule { paths, .. } => paths
                    .iter()
                    .find(|p| names_websocket(p))
                    .map(|p| (u, *r, p.clone())),
                _ => None,
            })
            .min_by_key(|(_, r, _)| r.overridden.is_some());
        if let Some((u, r, p)) = named_rule {
            out.routes.push(route_on(
                Some(r),
                Carries::Named,
                route_label(r, Some(&p), &u.address),
                vec![(r.loc.clone(), format!("sends `{p}` to {address}"))],
            ));
            continue;
        }
        if b.names_websocket() {
            let label = match mine.first() {
                Some((u, r)) => route_label(r, None, &u.address),
                None => "every path".to_string(),
            };
            out.routes.push(route(Carries::Named, label, Vec::new()));
            continue;
        }
        // Only worth the project's websocket paths if the route would be
        // reported.
        let candidate = route(Carries::Config, String::new(), Vec::new());
        if !paths.stakes.matter(&candidate, false) {
            continue;
        }
        let ws = paths.get();
        let Some(first) = ws.paths.first() else {
            continue;
        };
        // A url map in a file the run did not check (a partial run) may
        // route it: the module's other files are read before deciding that
        // none does.
        let unrouted = mine.is_empty() && {
            let maps = sibling_maps.get_or_init(|| {
                resources_in(m.siblings(&b.head()), GCP_URL_MAPS)
                    .map(|r| read_url_map(m, &r))
                    .collect()
            });
            !maps
                .iter()
                .any(|u| u.routes.iter().any(|r| r.service == key))
        };
        let maps: Vec<&UrlMap> = maps
            .iter()
            .chain(sibling_maps.get().into_iter().flatten())
            .collect();
        if unrouted {
            // No url map of the module routes to it: every path.
            out.routes.push(route(
                Carries::Path(first.clone()),
                "every path".to_string(),
                Vec::new(),
            ));
            continue;
        }
        let reached = ws.paths.iter().find_map(|p| {
            maps.iter().find_map(|u| {
                p.samples.iter().find_map(|s| {
                    u.routes_for(s)
                        .into_iter()
                        .find(|r| r.service == key)
                        .map(|r| (p, u, r))
                })
            })
        });
        if let Some((p, u, r)) = reached {
            out.routes.push(route_on(
                Some(r),
                Carries::Path(p.clone()),
                route_label(r, Some(&p.pattern), &u.address),
                vec![(r.loc.clone(), format!("sends `{}` to {address}", p.pattern))],
            ));
        }
    }
    if paths.stakes.serves {
        // The paths each backend service's url map rules send it; a service
        // no url map of the module routes to takes every path.
        let siblings = sibling_maps.get_or_init(|| {
            resources_in(m.siblings(&backends[0].head()), GCP_URL_MAPS)
                .map(|r| read_url_map(m, &r))
                .collect()
        });
        let all_maps: Vec<&UrlMap> = maps.iter().chain(siblings).collect();
        for route in &mut out.routes {
            let b = &backends[route.hop];
            let key = (b.ty().to_string(), b.name().to_string());
            let routed = all_maps
                .iter()
                .any(|u| u.routes.iter().any(|r| r.service == key));
            for p in &paths.get().paths {
                let reached = !routed
                    || all_maps.iter().any(|u| {
                        p.samples
                            .iter()
                            .any(|s| u.routes_for(s).iter().any(|r| r.service == key))
                    });
                if reached {
                    route.add_serves(p);
                }
            }
        }
    }
    Some(out)
}

fn aws(m: &Module<'_, '_>, paths: &LazyWsPaths<'_>) -> Option<ProxyModel> {
    let mut out = ProxyModel::new(Product::AwsAlb);
    for lb in m.resources(AWS_LBS) {
        // "The default value is `application`" (AWS provider docs).
        let application = match m.value(&lb, "load_balancer_type") {
            None => true,
            Some(Value::Str(s)) => s == "application",
            Some(_) => false,
        };
        if !application {
            continue;
        }
        let hop = out.hops.len();
        out.hops.push(Hop {
            product: Product::AwsAlb,
            name: format!("AWS ALB `{}`", lb.address()),
            loc: lb.head(),
        });
        let mut idle = m.timeout(&lb, "idle_timeout", (ALB_DEFAULT_S, ALB_DEFAULT));
        // "The valid range is 1-4000 seconds" (ELBv2 load balancer
        // attribute `idle_timeout.timeout_seconds`): AWS refuses anything
        // else, and the ALB keeps the value it had.
        if let (Some(s), IdleSource::Set(setting)) = (idle.seconds, &mut idle.source)
            && !(s.fract() == 0.0 && (1.0..=4000.0).contains(&s))
        {
            out.syntax.push((
                setting.loc.clone(),
                format!(
                    "{} is not an idle timeout AWS accepts for an ALB (whole seconds, 1 to 4000): the apply fails",
                    setting.what
                ),
            ));
            setting.seconds = None;
            idle.seconds = None;
        }
        let mut route = WsRoute {
            hop,
            loc: lb.head(),
            label: "every path".to_string(),
            carries: Carries::Named,
            limit: Limit::Idle,
            idle,
            incomplete: false,
            unknown_from: Vec::new(),
            serves: Vec::new(),
        };
        if !lb.names_websocket() {
            if !paths.stakes.matter(&route, false) {
                continue;
            }
            let Some(first) = paths.get().paths.first() else {
                continue;
            };
            route.carries = Carries::Path(first.clone());
        }
        if paths.stakes.serves {
            // An ALB with no listener rules read serves every path.
            for p in &paths.get().paths {
                route.add_serves(p);
            }
        }
        out.routes.push(route);
    }
    (!out.hops.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::wspaths::{Origin, WsPath, WsPaths};
    use crate::source::SourceFile;

    fn module_files(dir: &Path, files: &[(&str, &str)]) -> Vec<(PathBuf, Arc<TfFile>)> {
        std::fs::create_dir_all(dir).unwrap();
        let dir = std::fs::canonicalize(dir).unwrap();
        let mut out = Vec::new();
        for (name, text) in files {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            out.push((
                p.clone(),
                Arc::new(super::super::parse(Arc::new(SourceFile::new(p, *text)))),
            ));
        }
        out
    }

    fn read(p: &Path) -> Result<crate::source::Source, String> {
        let text = std::fs::read_to_string(p).map_err(|e| e.to_string())?;
        Ok(Arc::new(SourceFile::new(p.to_path_buf(), text)))
    }

    fn run(files: &[(PathBuf, Arc<TfFile>)], ws: &[&str]) -> Vec<ProxyModel> {
        let loader = Loader::new(files.iter().cloned(), &read, super::super::parse);
        let paths = LazyWsPaths::known(WsPaths::new(
            ws.iter()
                .filter_map(|p| WsPath::new(p, Origin::Config, None))
                .collect(),
        ));
        to_proxy(files, &loader, &paths)
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("wslint-tf-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn default_and_literal_timeouts() {
        let d = tmp("lit");
        let files = module_files(
            &d,
            &[(
                "main.tf",
                r#"
resource "google_compute_backend_service" "ws" {
  name = "ws"
}
resource "google_compute_backend_service" "api" {
  timeout_sec = "45"
}
resource "google_compute_region_backend_service" "l4" {
  name = "ws-l4"
}
"#,
            )],
        );
        let models = run(&files, &["/ws/*"]);
        assert_eq!(models.len(), 1);
        let m = &models[0];
        assert_eq!(m.hops.len(), 2, "the INTERNAL region service is no hop");
        assert_eq!(m.routes.len(), 2);
        assert!(m.routes[0].idle.is_default());
        assert_eq!(m.routes[0].idle.seconds, Some(30.0));
        assert_eq!(m.routes[0].limit, Limit::Lifetime);
        assert_eq!(m.routes[1].idle.seconds, Some(45.0));
        assert_eq!(
            m.routes[1].idle.setting().unwrap().what,
            "`timeout_sec = \"45\"`"
        );
        assert!(matches!(m.routes[1].carries, Carries::Path(_)));
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn values_resolve_through_variables_and_locals_in_sibling_files() {
        let d = tmp("vars");
        let files = module_files(
            &d,
            &[(
                "main.tf",
                r#"
locals {
  lb_idle = var.idle
}
resource "google_compute_backend_service" "ws" {
  timeout_sec = var.ws_timeout
}
resource "aws_lb" "ws" {
  idle_timeout = local.lb_idle
}
resource "aws_alb" "other_ws" {
  idle_timeout = var.nodefault
}
"#,
            )],
        );
        // Not in the run, as the prefilter would drop it.
        std::fs::write(
            d.join("variables.tf"),
            "variable \"ws_timeout\" {\n  default = 40\n}\nvariable \"idle\" {\n  default = \"20\"\n}\nvariable \"nodefault\" {\n  type = number\n}\n",
        )
        .unwrap();
        let models = run(&files, &[]);
        let gcp = &models[0];
        let s = gcp.routes[0].idle.setting().unwrap();
        assert_eq!(s.seconds, Some(40.0));
        assert!(s.loc.file.path.ends_with("variables.tf"));
        assert_eq!(s.what, "`default = 40` of `variable \"ws_timeout\"`");
        assert_eq!(gcp.routes[0].idle.via.len(), 1);
        let aws = &models[1];
        assert_eq!(aws.routes[0].idle.seconds, Some(20.0));
        assert_eq!(aws.routes[0].idle.via.len(), 2, "local, then var");
        assert_eq!(aws.routes[1].idle.seconds, None, "no default: unknown");
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn url_maps_route_websocket_paths_longest_match_first() {
        let d = tmp("urlmap");
        let files = module_files(
            &d,
            &[(
                "main.tf",
                r#"
resource "google_compute_backend_service" "live" {
  timeout_sec = 3600
}
resource "google_compute_backend_service" "app" {
}
resource "google_compute_backend_service" "site" {
}
resource "google_compute_url_map" "m" {
  default_service = google_compute_backend_service.site.id
  host_rule {
    hosts        = ["*"]
    path_matcher = "p"
  }
  path_matcher {
    name            = "p"
    default_service = google_compute_backend_service.app.self_link
    path_rule {
      paths   = ["/live/*"]
      service = google_compute_backend_service.live.id
    }
    path_rule {
      paths   = ["/live/admin", "/static/*"]
      service = google_compute_backend_service.site.id
    }
  }
}
"#,
            )],
        );
        let models = run(&files, &["/live/*"]);
        let m = &models[0];
        let carried: Vec<&str> = m
            .routes
            .iter()
            .map(|r| m.hops[r.hop].name.as_str())
            .collect();
        assert_eq!(
            carried,
            vec!["GCP backend service `google_compute_backend_service.live`"]
        );
        assert_eq!(m.routes[0].label, "`/live/*` in google_compute_url_map.m");
        // A websocket path only the matcher's default takes.
        let models = run(&files, &["/chat"]);
        let m = &models[0];
        assert_eq!(m.routes.len(), 1);
        assert_eq!(
            m.hops[m.routes[0].hop].name,
            "GCP backend service `google_compute_backend_service.app`"
        );
        assert!(gcp_match("/ws/*", "/ws/").is_some());
        assert!(gcp_match("/ws/*", "/ws").is_none());
        assert!(gcp_match("/ws", "/ws/x").is_none());
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn network_load_balancers_and_unknown_types_are_no_hops() {
        let d = tmp("nlb");
        let files = module_files(
            &d,
            &[(
                "main.tf",
                r#"
resource "aws_lb" "ws" {
  load_balancer_type = "network"
}
resource "aws_lb" "ws2" {
  load_balancer_type = var.kind
}
resource "aws_lb" "ws_default" {
  idle_timeout = null
}
"#,
            )],
        );
        let models = run(&files, &[]);
        assert_eq!(models.len(), 1);
        assert_eq!(models[0].hops.len(), 1);
        assert!(models[0].routes[0].idle.is_default());
        assert_eq!(models[0].routes[0].idle.seconds, Some(60.0));
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn project_paths_are_computed_only_when_a_route_would_be_reported() {
        let d = tmp("lazy");
        let files = module_files(
            &d,
            &[(
                "main.tf",
                r#"
resource "google_compute_backend_service" "app" {
  timeout_sec = 7200
}
resource "aws_lb" "app" {
  idle_timeout = 600
}
resource "google_compute_backend_service" "short" {
  timeout_sec = var.unknown
}
"#,
            )],
        );
        let loader = Loader::new(files.iter().cloned(), &read, super::super::parse);
        let stakes = crate::proxy::wspaths::Stakes {
            min_idle_s: 60.0,
            unset: true,
            upgrade: true,
            min_lifetime_s: 3600.0,
            serves: false,
        };
        let paths = LazyWsPaths::new(stakes, WsPaths::default);
        let models = to_proxy(&files, &loader, &paths);
        assert!(!paths.computed(), "nothing short: no walk for paths");
        assert!(models.iter().all(|m| m.routes.is_empty()));
        let short = module_files(
            &d,
            &[(
                "main.tf",
                "resource \"google_compute_backend_service\" \"app\" {}\n",
            )],
        );
        let loader = Loader::new(short.iter().cloned(), &read, super::super::parse);
        let paths = LazyWsPaths::new(stakes, || {
            WsPaths::new(vec![WsPath::new("/ws", Origin::Config, None).unwrap()])
        });
        let models = to_proxy(&short, &loader, &paths);
        assert!(paths.computed());
        assert_eq!(models[0].routes.len(), 1);
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn only_application_load_balancer_backend_services_are_hops() {
        let d = tmp("schemes");
        let files = module_files(
            &d,
            &[(
                "main.tf",
                r#"
resource "google_compute_region_backend_service" "managed" {
  load_balancing_scheme = "INTERNAL_MANAGED"
}
resource "google_compute_region_backend_service" "ext_regional" {
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTP2"
}
resource "google_compute_region_backend_service" "passthrough" {
  load_balancing_scheme = "EXTERNAL"
  protocol              = "HTTP"
}
resource "google_compute_backend_service" "tcp_proxy" {
  protocol = "TCP"
}
resource "google_compute_backend_service" "mesh" {
  load_balancing_scheme = "INTERNAL_SELF_MANAGED"
}
resource "google_compute_backend_service" "classic" {
}
resource "google_compute_backend_service" "unknown" {
  load_balancing_scheme = var.scheme
}
"#,
            )],
        );
        let models = run(&files, &["/ws"]);
        let hops: Vec<&str> = models[0].hops.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            hops,
            vec![
                "GCP backend service `google_compute_region_backend_service.managed`",
                "GCP backend service `google_compute_region_backend_service.ext_regional`",
                "GCP backend service `google_compute_backend_service.classic`",
            ]
        );
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn serverless_backends_and_route_timeouts_are_routes_of_unknown_lifetime() {
        let d = tmp("unknown");
        let files = module_files(
            &d,
            &[(
                "main.tf",
                r#"
resource "google_compute_region_network_endpoint_group" "run" {
  network_endpoint_type = "SERVERLESS"
}
resource "google_compute_backend_service" "ws_run" {
  backend {
    group = google_compute_region_network_endpoint_group.run.id
  }
}
resource "google_compute_backend_service" "live" {
}
resource "google_compute_url_map" "m" {
  path_matcher {
    name = "p"
    path_rule {
      paths   = ["/live/ws"]
      service = google_compute_backend_service.live.id
      route_action {
        timeout {
          seconds = 3600
        }
      }
    }
  }
}
"#,
            )],
        );
        let models = run(&files, &[]);
        let m = &models[0];
        assert_eq!(m.routes.len(), 2, "both are websocket routes");
        assert!(m.routes.iter().all(|r| r.idle.seconds.is_none()));
        let live = m
            .routes
            .iter()
            .find(|r| m.hops[r.hop].name.contains(".live"))
            .unwrap();
        let set = live.idle.setting().expect("set by the route_action");
        assert_eq!(
            &set.loc.file.text[set.loc.span.start..set.loc.span.end],
            "route_action {"
        );
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn a_url_map_outside_the_run_still_routes() {
        let d = tmp("partial");
        let files = module_files(
            &d,
            &[(
                "backends.tf",
                "resource \"google_compute_backend_service\" \"api\" {}\n",
            )],
        );
        std::fs::write(
            d.join("urlmap.tf"),
            r#"
resource "google_compute_url_map" "m" {
  path_matcher {
    name            = "p"
    default_service = google_compute_backend_service.api.id
    path_rule {
      paths   = ["/ws/*"]
      service = google_compute_backend_service.live.id
    }
  }
}
"#,
        )
        .unwrap();
        let models = run(&files, &["/ws/*"]);
        assert!(models[0].routes.is_empty(), "`/ws/*` goes elsewhere");
        let models = run(&files, &["/chat"]);
        assert_eq!(models[0].routes.len(), 1);
        assert!(models[0].routes[0].label.contains("path matcher's default"));
        let _ = std::fs::remove_dir_all(d);
    }
}
