//! WS301: a websocket route whose effective timeout is below
//! `apache.proxy_timeout_min_s`. Points at the directive that sets the value
//! and labels the routes it governs.

use crate::lang::apache::{ApacheModel, Level, Route, Setting};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::scope_name;

pub static RULE: Rule = Rule {
    code: "WS301",
    name: "apache-proxy-timeout",
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "a websocket route whose effective Apache timeout is below `apache.proxy_timeout_min_s` (60 s)",
    doc: include_str!("../../../rules/WS301-apache-proxy-timeout.md"),
    check: Check::Apache(check),
};

fn check(model: &ApacheModel, cx: &mut Ctx) {
    let min = cx.config.apache.proxy_timeout_min_s;
    // Routes governed by the same directive are reported once, at it.
    let mut groups: Vec<(&Setting, Level, Vec<&Route>)> = Vec::new();
    for route in &model.routes {
        let eff = model.effective(route);
        let Some(seconds) = eff.seconds else { continue };
        if seconds >= min {
            continue;
        }
        match eff.setting {
            Some(setting) => {
                let same = groups.iter_mut().find(|(s, _, _)| {
                    s.loc.file.path == setting.loc.file.path && s.loc.span == setting.loc.span
                });
                match same {
                    Some((_, _, routes)) => routes.push(route),
                    None => groups.push((setting, eff.level, vec![route])),
                }
            }
            None => {
                if model.is_incomplete(route) {
                    continue;
                }
                let d = cx.report(
                    &route.loc.file,
                    route.loc.span,
                    format!(
                        "websocket route `{}` gets httpd's default timeout of {seconds} s, below the {min} s minimum",
                        route.describe()
                    ),
                );
                d.primary("no ProxyTimeout or Timeout applies to this route")
                    .help(format!(
                        "Apache closes a proxied websocket after this many seconds without traffic; add `ProxyTimeout {min}` (or more) to {}",
                        scope_name(model, route)
                    ));
            }
        }
    }
    for (setting, level, routes) in groups {
        let seconds = setting.seconds.unwrap_or_default();
        let route = routes[0];
        let (what, fix) = match level {
            Level::RouteParam => (
                format!("`timeout={}` on this ProxyPass", setting.raw),
                format!(
                    "raise it to `timeout={min}` or more, or drop it so that ProxyTimeout applies"
                ),
            ),
            Level::MemberParam => (
                format!("`timeout={}` on the balancer member", setting.raw),
                format!("raise it to `timeout={min}` or more"),
            ),
            Level::VHostProxyTimeout | Level::ServerProxyTimeout => (
                format!("`ProxyTimeout {}`", setting.raw),
                format!("set `ProxyTimeout {min}` or more"),
            ),
            Level::VHostTimeout | Level::ServerTimeout => (
                format!(
                    "`Timeout {}` (no ProxyTimeout is set, so proxied connections use it)",
                    setting.raw
                ),
                format!(
                    "add `ProxyTimeout {min}` (or more) to {}: it takes precedence over Timeout for proxied connections",
                    scope_name(model, route)
                ),
            ),
            Level::Default => unreachable!("defaults have no setting"),
        };
        let count = if routes.len() == 1 {
            format!("websocket route `{}`", route.describe())
        } else {
            format!("{} websocket routes", routes.len())
        };
        let d = cx.report(
            &setting.loc.file,
            setting.loc.span,
            format!(
                "{what} gives {count} an idle timeout of {seconds} s, below the {min} s minimum"
            ),
        );
        d.primary(format!("idle timeout {seconds} s"));
        for r in &routes {
            d.label(&r.loc.file, r.loc.span, "websocket route governed by it");
            // A server-level value reaches a vhost by inheritance: show where.
            if matches!(level, Level::ServerProxyTimeout | Level::ServerTimeout)
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
        d.help(format!(
            "Apache closes a proxied websocket after this many seconds without traffic, and a heartbeat that races the timer loses; {fix}"
        ));
    }
}
