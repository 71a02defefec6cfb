//! Proxy rules. Each reads one configuration tree's [`ProxyModel`],
//! whatever the product (Apache httpd, nginx, HAProxy).

mod fixes;
pub mod ws301_proxy_idle_timeout;
pub mod ws302_proxy_idle_timeout_unset;
pub mod ws303_proxy_timeout_heartbeat_ratio;
pub mod ws304_proxy_directive_context;
pub mod ws305_proxy_config_syntax;
pub mod ws306_proxy_include_not_followed;
pub mod ws307_proxy_upgrade_not_forwarded;
pub mod ws308_lb_connection_lifetime;

use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

/// The proxy rules whose findings depend on which routes carry websockets.
pub struct ProxyRules {
    pub ws301: &'static Rule,
    pub ws302: &'static Rule,
    pub ws303: &'static Rule,
    pub ws307: &'static Rule,
    pub ws308: &'static Rule,
}

pub static RULES: ProxyRules = ProxyRules {
    ws301: &ws301_proxy_idle_timeout::RULE,
    ws302: &ws302_proxy_idle_timeout_unset::RULE,
    ws303: &ws303_proxy_timeout_heartbeat_ratio::RULE,
    ws307: &ws307_proxy_upgrade_not_forwarded::RULE,
    ws308: &ws308_lb_connection_lifetime::RULE,
};
use crate::proxy::{Carries, Limit, Product, ProxyModel, Setting, WsRoute};

/// The idle timeout a websocket route needs: the fixed minimum, or more
/// when the project's heartbeat asks for it (`heartbeat_ratio` x the
/// heartbeat), so that following one rule's advice does not trip another.
pub(crate) fn needed_seconds(cx: &crate::rule::Ctx) -> u64 {
    let min = cx.config.proxy.idle_timeout_min_s;
    match &cx.facts.heartbeat {
        Some(hb) => min.max((cx.config.proxy.heartbeat_ratio * hb.ms / 1000.0).ceil() as u64),
        None => min,
    }
}

/// Websocket routes whose known idle timeout is too short, by the
/// directive that sets it: a finding is reported once at that directive
/// and labels every route it governs.
pub(crate) struct TooShort<'m> {
    pub product: Product,
    /// `None`: the product's default (one group per route).
    pub setting: Option<&'m Setting>,
    pub seconds: f64,
    pub routes: Vec<&'m WsRoute>,
}

/// Groups the routes whose effective timeout `too_short` rejects. Routes
/// on the product's default are left out where an unread file may set the
/// value.
pub(crate) fn too_short(model: &ProxyModel, too_short: impl Fn(f64) -> bool) -> Vec<TooShort<'_>> {
    let mut groups: Vec<TooShort<'_>> = Vec::new();
    for route in model.routes.iter().filter(|r| r.limit == Limit::Idle) {
        let Some(seconds) = route.idle.seconds else {
            continue;
        };
        if !too_short(seconds) {
            continue;
        }
        match route.idle.setting() {
            Some(setting) => {
                let same = groups
                    .iter_mut()
                    .find(|g| g.setting.is_some_and(|s| s.loc.same(&setting.loc)));
                match same {
                    Some(g) => {
                        if !g.routes.iter().any(|r| r.loc.same(&route.loc)) {
                            g.routes.push(route);
                        }
                    }
                    None => groups.push(TooShort {
                        product: model.product,
                        setting: Some(setting),
                        seconds,
                        routes: vec![route],
                    }),
                }
            }
            None if route.incomplete => {}
            None => groups.push(TooShort {
                product: model.product,
                setting: None,
                seconds,
                routes: vec![route],
            }),
        }
    }
    groups
}

impl TooShort<'_> {
    /// What sets the value, for messages: "`ProxyTimeout 30`".
    pub fn what(&self) -> String {
        match self.setting {
            Some(s) => s.what.clone(),
            None => match &self.routes[0].idle.source {
                crate::proxy::IdleSource::Default { what } => what.clone(),
                crate::proxy::IdleSource::Set(s) => s.what.clone(),
            },
        }
    }

    /// A remark on how the product reads the value (HAProxy's
    /// milliseconds), with a leading separator, or nothing.
    pub fn note(&self) -> String {
        match self.setting.and_then(|s| s.note.as_deref()) {
            Some(n) => format!(" ({n})"),
            None => String::new(),
        }
    }

    /// The change that gives the routes `seconds`.
    pub fn fix(&self, seconds: u64) -> String {
        self.routes[0].idle.fix_for(seconds)
    }

    /// Attaches the safe fix that rewrites the setting's value to
    /// `seconds`, where it can be edited.
    pub fn attach_fix(&self, model: &ProxyModel, seconds: u64, d: &mut Diagnostic) {
        let Some(setting) = self.setting else {
            return;
        };
        if let Some(edit) = fixes::set_seconds(model.product, setting, seconds) {
            let to = edit.replacement.clone();
            d.fix(
                crate::diagnostic::Applicability::Safe,
                format!("set {} to `{to}`", setting.what),
                vec![edit],
            );
        }
    }

    /// "`location /ws/` of nginx `server app`" or "3 websocket routes of
    /// Apache `<VirtualHost *:443>`".
    pub fn routes_text(&self, model: &ProxyModel) -> String {
        match self.routes.as_slice() {
            [one] => route_text(model, one),
            many => {
                let hop = &model.hops[many[0].hop].name;
                if many.iter().all(|r| r.hop == many[0].hop) {
                    format!("{} websocket routes of {hop}", many.len())
                } else {
                    format!("{} websocket routes", many.len())
                }
            }
        }
    }

    /// Labels the routes, and where the value reaches them through, on `d`.
    pub fn label_routes(&self, d: &mut Diagnostic) {
        let Some(setting) = self.setting else {
            return;
        };
        for r in &self.routes {
            // How the value reaches the route, said at the route when that
            // is where it is written.
            let mut text = route_label(r, self.product);
            for (loc, via) in &r.idle.via {
                if loc.same(&r.loc) {
                    text = format!("{text}; {via}");
                } else {
                    d.label(&loc.file, loc.span, via.clone());
                }
            }
            // A route's own parameter is the route: no second label.
            if !r.loc.same(&setting.loc) {
                d.label(&r.loc.file, r.loc.span, text);
            }
        }
    }

    /// Where the finding is reported: the directive, or the route itself.
    pub fn at(&self) -> (&crate::source::Source, crate::source::Span) {
        match self.setting {
            Some(s) => (&s.loc.file, s.loc.span),
            None => (&self.routes[0].loc.file, self.routes[0].loc.span),
        }
    }
}

/// "websocket route `/ws/ -> ws://b/` of Apache `<VirtualHost *:443>`",
/// "`location /ws/` of nginx `server app.example.com`".
pub(crate) fn route_text(model: &ProxyModel, route: &WsRoute) -> String {
    let hop = &model.hops[route.hop].name;
    match model.product {
        crate::proxy::Product::Apache => format!("websocket route {} of {hop}", route.label),
        crate::proxy::Product::Nginx => format!("{} of {hop}", route.label),
        crate::proxy::Product::Haproxy if route.label.is_empty() => hop.clone(),
        crate::proxy::Product::Haproxy => format!("{hop} (reached from {})", route.label),
        crate::proxy::Product::IngressNginx
        | crate::proxy::Product::AwsAlb
        | crate::proxy::Product::GcpLb => format!("route {} of {hop}", route.label),
    }
}

/// The label at a route: why it is a websocket route.
pub(crate) fn route_label(route: &WsRoute, product: Product) -> String {
    match &route.carries {
        Carries::Config => "websocket route governed by it".to_string(),
        Carries::Named => match product {
            Product::Apache | Product::Nginx | Product::Haproxy => {
                "websocket route (its path names a websocket) governed by it".to_string()
            }
            // A load balancer or an ingress named for websockets, or a
            // path rule or Service so named.
            Product::IngressNginx | Product::AwsAlb | Product::GcpLb => {
                "websocket route (its path or name says websocket) governed by it".to_string()
            }
        },
        Carries::Path(p) => format!("serves {}, governed by it", p.describe()),
    }
}
