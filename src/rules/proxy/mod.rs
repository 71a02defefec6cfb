//! Apache httpd rules. Each reads one configuration tree's [`ApacheModel`].

pub mod ws301_apache_proxy_timeout;
pub mod ws302_apache_proxy_timeout_unset;
pub mod ws303_proxy_timeout_heartbeat_ratio;
pub mod ws304_apache_directive_context;
pub mod ws305_apache_syntax;
pub mod ws306_apache_include_not_followed;

use crate::diagnostic::Diagnostic;
use crate::lang::apache::{ApacheModel, Level, Route, Setting};

/// The timeout a websocket route needs: the fixed minimum, or more when the
/// project's heartbeat asks for it (`heartbeat_ratio` x the heartbeat), so
/// that following one rule's advice does not trip another.
pub(crate) fn needed_seconds(cx: &crate::rule::Ctx) -> u64 {
    let min = cx.config.apache.proxy_timeout_min_s;
    match &cx.facts.heartbeat {
        Some(hb) => min.max((cx.config.apache.heartbeat_ratio * hb.ms / 1000.0).ceil() as u64),
        None => min,
    }
}

/// `<VirtualHost *:443>` or `the main server`.
pub(crate) fn scope_name(model: &ApacheModel, route: &Route) -> String {
    match route.vhost {
        Some(i) => format!("<VirtualHost {}>", model.vhosts[i].addr),
        None => "the main server".to_string(),
    }
}

/// Websocket routes whose effective timeout is known and too short, by the
/// directive that sets it: a finding is reported once at that directive
/// and labels every route it governs.
pub(crate) struct TooShort<'m> {
    /// `None`: httpd's compiled-in default (one group per route).
    pub setting: Option<&'m Setting>,
    pub level: Level,
    pub seconds: u64,
    pub routes: Vec<&'m Route>,
}

/// Groups the routes whose effective timeout `too_short` rejects. Routes on
/// httpd's default are left out where an unread Include may set the value.
pub(crate) fn too_short(model: &ApacheModel, too_short: impl Fn(u64) -> bool) -> Vec<TooShort<'_>> {
    let mut groups: Vec<TooShort<'_>> = Vec::new();
    for route in &model.routes {
        let eff = model.effective(route);
        let Some(seconds) = eff.seconds else { continue };
        if !too_short(seconds) {
            continue;
        }
        match eff.setting {
            Some(setting) => {
                let same = groups.iter_mut().find(|g| {
                    g.setting.is_some_and(|s| {
                        s.loc.file.path == setting.loc.file.path && s.loc.span == setting.loc.span
                    })
                });
                match same {
                    Some(g) => g.routes.push(route),
                    None => groups.push(TooShort {
                        setting: Some(setting),
                        level: eff.level,
                        seconds,
                        routes: vec![route],
                    }),
                }
            }
            None if model.is_incomplete(route) => {}
            None => groups.push(TooShort {
                setting: None,
                level: Level::Default,
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
        let Some(s) = self.setting else {
            return "httpd's default timeout".to_string();
        };
        match self.level {
            Level::RouteParam => format!("`timeout={}` on this ProxyPass", s.raw),
            Level::MemberParam => format!("`timeout={}` on the balancer member", s.raw),
            Level::VHostProxyTimeout | Level::ServerProxyTimeout => {
                format!("`ProxyTimeout {}`", s.raw)
            }
            _ => format!(
                "`Timeout {}` (no ProxyTimeout is set, so proxied connections use it)",
                s.raw
            ),
        }
    }

    /// The change that gives the routes `seconds`: "set `ProxyTimeout 75` or more".
    pub fn fix(&self, model: &ApacheModel, seconds: u64) -> String {
        let scope = scope_name(model, self.routes[0]);
        match self.level {
            Level::RouteParam => format!(
                "raise it to `timeout={seconds}` or more, or drop it so that ProxyTimeout applies"
            ),
            Level::MemberParam => format!("raise it to `timeout={seconds}` or more"),
            Level::VHostProxyTimeout | Level::ServerProxyTimeout => {
                format!("set `ProxyTimeout {seconds}` or more")
            }
            Level::VHostTimeout | Level::ServerTimeout => format!(
                "add `ProxyTimeout {seconds}` (or more) to {scope}: it takes precedence over Timeout for proxied connections"
            ),
            Level::Default => format!("add `ProxyTimeout {seconds}` (or more) to {scope}"),
        }
    }

    /// `websocket route `/ws/ -> ws://b/`` or `3 websocket routes`.
    pub fn routes_text(&self) -> String {
        match self.routes.as_slice() {
            [one] => format!("websocket route `{}`", one.describe()),
            many => format!("{} websocket routes", many.len()),
        }
    }

    /// Labels the routes (and, for a server-level value, the vhosts that
    /// inherit it) on `d`.
    pub fn label_routes(&self, model: &ApacheModel, d: &mut Diagnostic) {
        let Some(setting) = self.setting else {
            return;
        };
        for r in &self.routes {
            // A route's own `timeout=` is the route: no second label.
            if r.loc.span != setting.loc.span || r.loc.file.path != setting.loc.file.path {
                d.label(&r.loc.file, r.loc.span, "websocket route governed by it");
            }
            if matches!(self.level, Level::ServerProxyTimeout | Level::ServerTimeout)
                && let Some(v) = r.vhost
            {
                let vhost = &model.vhosts[v];
                d.label(
                    &vhost.loc.file,
                    vhost.loc.span,
                    "inherits the server-level value",
                );
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
