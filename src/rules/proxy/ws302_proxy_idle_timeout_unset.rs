//! WS302: a hop whose websocket routes take their idle timeout from the
//! product's default: nothing sets it anywhere they inherit from.

use crate::proxy::{Limit, Product, ProxyModel, WsRoute, seconds_text};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::needed_seconds;

pub static RULE: Rule = Rule {
    code: "WS302",
    name: "proxy-idle-timeout-unset",
    aliases: &["apache-proxy-timeout-unset"],
    family: Family::Proxy,
    severity: Severity::Warning,
    summary: "a websocket route whose idle timeout at some hop comes from the product's default: nothing sets it anywhere it inherits from",
    doc: include_str!("../../../rules/WS302-proxy-idle-timeout-unset.md"),
    check: Check::Proxy(check),
};

fn check(model: &ProxyModel, cx: &mut Ctx) {
    let needed = needed_seconds(cx);
    // One report per hop.
    let mut hops: Vec<usize> = Vec::new();
    for route in &model.routes {
        if route.limit == Limit::Idle
            && route.idle.is_default()
            && !route.incomplete
            && !hops.contains(&route.hop)
        {
            hops.push(route.hop);
        }
    }
    for hop_i in hops {
        let routes: Vec<&WsRoute> = model
            .routes
            .iter()
            .filter(|r| {
                r.hop == hop_i && r.limit == Limit::Idle && r.idle.is_default() && !r.incomplete
            })
            .collect();
        let hop = &model.hops[hop_i];
        let first = routes[0];
        let what = match &first.idle.source {
            crate::proxy::IdleSource::Default { what } => what.clone(),
            crate::proxy::IdleSource::Set(s) => s.what.clone(),
        };
        let value = first.idle.seconds.map(seconds_text).unwrap_or_default();
        // Apache reports at the vhost, the others at the route.
        let (file, span) = match model.product {
            Product::Apache if hop_i > 0 => (&hop.loc.file, hop.loc.span),
            _ => (&first.loc.file, first.loc.span),
        };
        let (routes_text, has, its) = match routes.as_slice() {
            [one] => (super::route_text(model, one), "has", "its"),
            many => (
                format!("{} websocket routes of {}", many.len(), hop.name),
                "have",
                "their",
            ),
        };
        // Where else the value may come from, outside the repository.
        let elsewhere = match model.product {
            Product::Apache | Product::Nginx | Product::Haproxy => {
                " or whatever the deployed server's own files set"
            }
            Product::IngressNginx => {
                " or the `proxy-read-timeout` of the controller's ConfigMap in the cluster"
            }
            // Nothing but the load balancer's own setting changes it.
            Product::AwsAlb | Product::GcpLb => "",
        };
        let d = cx.report(
            file,
            span,
            format!(
                "{routes_text} {has} no idle timeout set or inherited: {its} limit is {what} ({value}){elsewhere}"
            ),
        );
        for r in &routes {
            d.label(
                &r.loc.file,
                r.loc.span,
                "websocket route with no configured idle timeout",
            );
        }
        d.help(format!(
            "pin the value where it is reviewed: {}",
            first.idle.fix_for(needed)
        ));
        // Unsafe: it changes the timeout the deployed server had from its
        // own files or packaging.
        if let Some((edit, directive)) =
            super::fixes::add_timeout(model.product, hop, first, needed)
        {
            d.fix(
                crate::diagnostic::Applicability::Unsafe,
                format!("add `{directive}` to {}", hop.name),
                vec![edit],
            );
        }
    }
}
