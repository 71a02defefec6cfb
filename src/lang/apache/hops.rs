//! An Apache configuration tree on the proxy model: the main server and
//! each `<VirtualHost>` are hops; their websocket routes take the timeout
//! httpd gives them (`timeout=`, the balancer member's, `ProxyTimeout`,
//! `Timeout`, the 60 s default), and an `http://` route that a websocket
//! path of the project reaches is a websocket route that cannot upgrade.

use regex::Regex;

use super::{ApacheModel, Level, Route, RouteKind};
use crate::proxy::wspaths::LazyWsPaths;
use crate::proxy::wspaths::Origin;
use crate::proxy::{
    Carries, Hop, Idle, IdleSource, Misplaced, MisplacedKind, NotUpgraded, Product, ProxyModel,
    Setting, Unfollowed, WsPath, WsRoute,
};

/// The proxy model of one tree. `paths` are asked for only when the tree
/// has `http://` routes a websocket path could reach.
pub fn to_proxy(model: &ApacheModel, paths: &LazyWsPaths<'_>) -> ProxyModel {
    let mut out = ProxyModel::new(Product::Apache);
    // Hop 0 is the main server; hop i + 1 is vhost i.
    out.hops.push(Hop {
        product: Product::Apache,
        name: "the Apache main server".to_string(),
        loc: model
            .routes
            .iter()
            .chain(&model.other_routes)
            .find(|r| r.vhost.is_none())
            .map(|r| r.loc.clone())
            .unwrap_or_else(|| match model.vhosts.first() {
                Some(v) => v.loc.clone(),
                None => crate::proxy::Loc {
                    file: std::sync::Arc::new(crate::source::SourceFile::new(
                        Default::default(),
                        "",
                    )),
                    span: Default::default(),
                },
            }),
    });
    for v in &model.vhosts {
        out.hops.push(Hop {
            product: Product::Apache,
            name: format!("Apache `<VirtualHost {}>`", v.addr),
            loc: v.loc.clone(),
        });
    }
    out.unfollowed = model
        .unfollowed
        .iter()
        .map(|u| Unfollowed {
            loc: u.loc.clone(),
            reason: u.reason.clone(),
        })
        .collect();
    for route in &model.routes {
        let r = ws_route(model, route, Carries::Config);
        out.routes.push(r);
    }
    for m in &model.misplaced {
        let kind = if m
            .directive
            .eq_ignore_ascii_case("ProxyWebsocketIdleTimeout")
        {
            MisplacedKind::Unknown
        } else if m.htaccess {
            MisplacedKind::Htaccess
        } else if let Some((section, at)) = &m.container {
            MisplacedKind::Section {
                section: section.clone(),
                at: at.clone(),
            }
        } else {
            continue;
        };
        out.misplaced.push(Misplaced {
            product: Product::Apache,
            loc: m.loc.clone(),
            directive: m.directive.clone(),
            kind,
        });
    }
    out.syntax = model.syntax.clone();
    // An http:// route a websocket path reaches cannot upgrade (WS307);
    // the paths are looked for only if that, or its timeout, would be
    // reported.
    let at_stake = model
        .other_routes
        .iter()
        .filter(|r| r.kind == RouteKind::Http)
        .any(|r| {
            paths
                .stakes
                .matter(&ws_route(model, r, Carries::Config), true)
        });
    if at_stake || paths.stakes.serves {
        not_upgraded(model, paths, &mut out);
    }
    if paths.stakes.serves {
        fill_serves(model, paths, &mut out);
    }
    out
}

/// [`WsRoute::serves`] of every websocket route: the route httpd selects
/// for each websocket path of the project, in each hop.
fn fill_serves(model: &ApacheModel, paths: &LazyWsPaths<'_>, out: &mut ProxyModel) {
    let mut scopes: Vec<Option<usize>> = vec![None];
    scopes.extend((0..model.vhosts.len()).map(Some));
    for scope in scopes {
        for path in &paths.get().paths {
            for route in reached_by(model, scope, path) {
                for r in out.routes.iter_mut().filter(|r| r.loc.same(&route.loc)) {
                    r.add_serves(path);
                }
            }
        }
    }
}

fn hop_of(route: &Route) -> usize {
    route.vhost.map_or(0, |i| i + 1)
}

fn scope_name(model: &ApacheModel, route: &Route) -> String {
    match route.vhost {
        Some(i) => format!("<VirtualHost {}>", model.vhosts[i].addr),
        None => "the main server".to_string(),
    }
}

fn ws_route(model: &ApacheModel, route: &Route, carries: Carries) -> WsRoute {
    let eff = model.effective(route);
    let scope = scope_name(model, route);
    let fix = match eff.level {
        Level::RouteParam => {
            "raise it to `timeout={s}` or more, or drop it so that ProxyTimeout applies".to_string()
        }
        Level::MemberParam => "raise it to `timeout={s}` or more".to_string(),
        Level::VHostProxyTimeout | Level::ServerProxyTimeout => {
            "set `ProxyTimeout {s}` or more".to_string()
        }
        Level::VHostTimeout | Level::ServerTimeout => format!(
            "add `ProxyTimeout {{s}}` (or more) to {scope}: it takes precedence over Timeout for proxied connections"
        ),
        Level::Default => format!("add `ProxyTimeout {{s}}` (or more) to {scope}"),
    };
    let source = match eff.setting {
        Some(s) => IdleSource::Set(Setting {
            loc: s.loc.clone(),
            what: match eff.level {
                Level::RouteParam => format!("`timeout={}` on this ProxyPass", s.raw),
                Level::MemberParam => format!("`timeout={}` on the balancer member", s.raw),
                Level::VHostProxyTimeout | Level::ServerProxyTimeout => {
                    format!("`ProxyTimeout {}`", s.raw)
                }
                _ => format!(
                    "`Timeout {}` (no ProxyTimeout is set, so proxied connections use it)",
                    s.raw
                ),
            },
            seconds: s.seconds.map(|n| n as f64),
            note: None,
        }),
        None => IdleSource::Default {
            what: "httpd's default timeout".to_string(),
        },
    };
    let mut via = Vec::new();
    if matches!(eff.level, Level::ServerProxyTimeout | Level::ServerTimeout)
        && let Some(v) = route.vhost
    {
        via.push((
            model.vhosts[v].loc.clone(),
            "inherits the server-level value".to_string(),
        ));
    }
    WsRoute {
        hop: hop_of(route),
        loc: route.loc.clone(),
        label: format!("`{}`", route.describe()),
        carries,
        limit: crate::proxy::Limit::Idle,
        idle: Idle {
            source,
            seconds: eff.seconds.map(|n| n as f64),
            fix,
            via,
        },
        incomplete: model.is_incomplete(route),
        unknown_from: model
            .unfollowed
            .iter()
            .enumerate()
            .filter(|(_, u)| u.vhost.is_none() || u.vhost == route.vhost)
            .map(|(i, _)| i)
            .collect(),
        serves: Vec::new(),
    }
}

/// Whether `route` serves `path` (a sample), as mod_proxy and mod_rewrite
/// match: a URL-path prefix, or a regular expression. A pattern the
/// `regex` crate cannot read (PCRE look-around) matches nothing.
fn serves(route: &Route, path: &str) -> bool {
    let Some(p) = &route.path else {
        return false;
    };
    if route.regex {
        // mod_rewrite's `!pattern` matches what the pattern does not.
        let (negated, p) = match p.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, p.as_str()),
        };
        return Regex::new(p).is_ok_and(|re| re.is_match(path) != negated);
    }
    path.starts_with(p.as_str())
}

/// The route httpd sends `path` to in a hop: mod_rewrite's `[P]` rules
/// first, then the ProxyPass routes in reading order, the vhost's before
/// the main server's.
fn select<'m>(model: &'m ApacheModel, vhost: Option<usize>, path: &str) -> Option<&'m Route> {
    let mut candidates: Vec<&Route> = model
        .routes
        .iter()
        .chain(&model.other_routes)
        .filter(|r| r.vhost == vhost || r.vhost.is_none())
        .collect();
    candidates.sort_by_key(|r| {
        (
            r.kind != RouteKind::Rewrite,
            r.vhost.is_none() && vhost.is_some(),
            r.order,
        )
    });
    candidates.into_iter().find(|r| serves(r, path))
}

/// The routes of a hop that a websocket path of the project reaches: the
/// one httpd selects for it, and, for an endpoint's route (a path as the
/// backend sees it), each prefix route whose target path replaces the
/// route's prefix to give that path (`ProxyPass /api/ http://app/` sends
/// `/api/ws/jobs` to `/ws/jobs`), when httpd selects that route for the
/// path the browser asks for.
fn reached_by<'m>(model: &'m ApacheModel, scope: Option<usize>, path: &WsPath) -> Vec<&'m Route> {
    let mut out: Vec<&Route> = path
        .samples
        .iter()
        .find_map(|s| select(model, scope, s))
        .into_iter()
        .collect();
    if path.origin != Origin::Endpoint {
        return out;
    }
    for route in model.routes.iter().chain(&model.other_routes) {
        if route.regex || !(route.vhost == scope || route.vhost.is_none()) {
            continue;
        }
        let (Some(prefix), Some(target_path)) = (&route.path, target_path(&route.target)) else {
            continue;
        };
        let reaches = path.samples.iter().any(|s| {
            s.strip_prefix(target_path).is_some_and(|rest| {
                let browser = format!("{prefix}{rest}");
                select(model, scope, &browser).is_some_and(|r| r.order == route.order)
            })
        });
        if reaches && !out.iter().any(|r| r.order == route.order) {
            out.push(route);
        }
    }
    out
}

/// The path of a backend URL (`http://app:8000/api/` gives `/api/`);
/// `None` when it has none (`http://app:8000`: httpd appends the rest of
/// the request path to it as it is) or it is not a URL.
fn target_path(target: &str) -> Option<&str> {
    let (_, rest) = target.split_once("://")?;
    rest.find('/').map(|i| &rest[i..])
}

/// WS307 for each `http://` route a websocket path of the project reaches
/// without an upgrade, which then also counts as a websocket route.
fn not_upgraded(model: &ApacheModel, paths: &LazyWsPaths<'_>, out: &mut ProxyModel) {
    let paths = paths.get();
    if paths.is_empty() {
        return;
    }
    let mut scopes: Vec<Option<usize>> = vec![None];
    scopes.extend((0..model.vhosts.len()).map(Some));
    // Per http route (by order), the paths it is reached by.
    let mut hits: Vec<(&Route, Vec<&WsPath>)> = Vec::new();
    for scope in scopes {
        for path in &paths.paths {
            for route in reached_by(model, scope, path) {
                if route.kind != RouteKind::Http {
                    continue;
                }
                match hits.iter_mut().find(|(r, _)| r.order == route.order) {
                    Some((_, ps)) => {
                        if !ps.iter().any(|p| p.pattern == path.pattern) {
                            ps.push(path);
                        }
                    }
                    None => hits.push((route, vec![path])),
                }
            }
        }
    }
    for (route, ps) in hits {
        let first = ps[0];
        let more = match ps.len() {
            1 => String::new(),
            n => format!(
                " and {} other websocket path{}",
                n - 1,
                if n == 2 { "" } else { "s" }
            ),
        };
        let hop = &out.hops[hop_of(route)];
        let mut labels = Vec::new();
        if let Some(at) = &first.at {
            labels.push((at.clone(), "websocket path served here".to_string()));
        }
        let path_hint = first
            .pattern
            .split('{')
            .next()
            .unwrap_or("/")
            .trim_end_matches('*');
        let backend = route
            .target
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
            .unwrap_or(&route.target);
        out.not_upgraded.push(NotUpgraded {
            hop: hop_of(route),
            loc: route.loc.clone(),
            message: format!(
                "{} proxies {}{more} to `{}` with neither `upgrade=websocket` nor a `ws://` route: the websocket handshake never upgrades",
                hop.name,
                first.describe(),
                route.target
            ),
            help: format!(
                "add `upgrade=websocket` to this ProxyPass (httpd 2.4.47+), or route the websocket path first: `ProxyPass {path_hint} ws://{backend}{path_hint}`"
            ),
            labels,
        });
        let carried = ws_route(model, route, Carries::Path(first.clone()));
        out.routes.push(carried);
    }
}
