//! WS308: a load balancer that ends every websocket after a fixed
//! lifetime, whatever the traffic, shorter than `proxy.lifetime_min_s`:
//! GCP backend services (`timeoutSec`, default 30 s). A heartbeat does not
//! help; the value has to be raised.

use crate::proxy::{IdleSource, Limit, ProxyModel, WsRoute, seconds_text};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS308",
    name: "lb-connection-lifetime",
    aliases: &[],
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "a load balancer that ends every websocket after a fixed lifetime shorter than `proxy.lifetime_min_s` (3600 s): GCP backend services (`timeoutSec`, default 30 s)",
    doc: include_str!("../../../rules/WS308-lb-connection-lifetime.md"),
    check: Check::Proxy(check),
};

fn check(model: &ProxyModel, cx: &mut Ctx) {
    let min = cx.config.proxy.lifetime_min_s;
    // One finding per setting (a BackendConfig, a backend service), or per
    // route on the default, labelling every route it governs.
    let mut groups: Vec<(&WsRoute, Vec<&WsRoute>)> = Vec::new();
    for route in model.routes.iter().filter(|r| r.limit == Limit::Lifetime) {
        let Some(seconds) = route.idle.seconds else {
            continue;
        };
        if seconds >= min as f64 {
            continue;
        }
        let same = groups.iter_mut().find(|(first, _)| {
            match (first.idle.setting(), route.idle.setting()) {
                (Some(a), Some(b)) => a.loc.same(&b.loc),
                (None, None) => {
                    first.hop == route.hop
                        && first
                            .idle
                            .via
                            .first()
                            .map(|v| &v.0)
                            .zip(route.idle.via.first().map(|v| &v.0))
                            .is_some_and(|(a, b)| a.same(b))
                }
                _ => false,
            }
        });
        match same {
            Some((_, routes)) => {
                if !routes.iter().any(|r| r.loc.same(&route.loc)) {
                    routes.push(route);
                }
            }
            None => groups.push((route, vec![route])),
        }
    }
    for (first, routes) in groups {
        let seconds = seconds_text(first.idle.seconds.unwrap_or_default());
        let hop = &model.hops[first.hop];
        let routes_text = match routes.as_slice() {
            [one] => super::route_text(model, one),
            many => format!("{} websocket routes of {}", many.len(), hop.name),
        };
        let fix = first.idle.fix_for(min);
        match &first.idle.source {
            IdleSource::Set(setting) => {
                let d = cx.report(
                    &setting.loc.file,
                    setting.loc.span,
                    format!(
                        "{} ends every websocket of {routes_text} after {seconds}, whatever the traffic, below the {min} s minimum",
                        setting.what
                    ),
                );
                d.primary(format!("connection lifetime {seconds}"));
                for r in &routes {
                    if !r.loc.same(&setting.loc) {
                        d.label(&r.loc.file, r.loc.span, "websocket route it ends");
                    }
                }
                for (loc, via) in &first.idle.via {
                    d.label(&loc.file, loc.span, via.clone());
                }
                d.help(format!(
                    "this timeout is the longest a websocket may stay open, not an idle limit: no heartbeat keeps it alive, and every client reconnects each {seconds}; {fix}"
                ));
                if let Some(edit) = super::fixes::set_seconds(model.product, setting, min) {
                    let to = edit.replacement.clone();
                    unsafe_fix(d, format!("set {} to `{to}`", setting.what), edit);
                }
            }
            IdleSource::Default { what } => {
                let d = cx.report(
                    &first.loc.file,
                    first.loc.span,
                    format!(
                        "{routes_text} ends every websocket after {what} ({seconds}), whatever the traffic, below the {min} s minimum"
                    ),
                );
                d.primary("no lifetime is set for this route");
                for r in routes.iter().skip(1) {
                    d.label(&r.loc.file, r.loc.span, "websocket route it ends");
                }
                for (loc, via) in &first.idle.via {
                    d.label(&loc.file, loc.span, via.clone());
                }
                d.help(format!(
                    "the backend-service timeout is the longest a websocket may stay open, not an idle limit: no heartbeat keeps it alive; {fix}"
                ));
                if let Some((edit, message)) = super::fixes::add_lifetime(hop, first, min) {
                    unsafe_fix(d, message, edit);
                }
            }
        }
    }
}

/// Unsafe: a backend service's timeout is also how long GCP waits for the
/// response to any HTTP request it serves, so raising it to an hour
/// changes more than the websockets' lifetime.
fn unsafe_fix(
    d: &mut crate::diagnostic::Diagnostic,
    message: String,
    edit: crate::diagnostic::Edit,
) {
    d.fix(
        crate::diagnostic::Applicability::Unsafe,
        message,
        vec![edit],
    );
}
