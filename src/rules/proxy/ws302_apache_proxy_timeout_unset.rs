//! WS302: a websocket-proxying vhost whose timeout comes from httpd's
//! compiled-in default: no ProxyTimeout or Timeout anywhere it inherits from.

use crate::lang::apache::{ApacheModel, HTTPD_DEFAULT_TIMEOUT_S, Level};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS302",
    name: "apache-proxy-timeout-unset",
    family: Family::Proxy,
    severity: Severity::Warning,
    summary: "a websocket-proxying vhost with no ProxyTimeout or Timeout anywhere it inherits from",
    doc: include_str!("../../../rules/WS302-apache-proxy-timeout-unset.md"),
    check: Check::Apache(check),
};

fn check(model: &ApacheModel, cx: &mut Ctx) {
    let min = cx
        .config
        .apache
        .proxy_timeout_min_s
        .max(HTTPD_DEFAULT_TIMEOUT_S);
    // One report per vhost (index) or for the main server (None).
    let mut scopes: Vec<Option<usize>> = Vec::new();
    for route in &model.routes {
        if model.effective(route).level == Level::Default
            && !model.is_incomplete(route)
            && !scopes.contains(&route.vhost)
        {
            scopes.push(route.vhost);
        }
    }
    for scope in scopes {
        let routes: Vec<_> = model
            .routes
            .iter()
            .filter(|r| r.vhost == scope && model.effective(r).level == Level::Default)
            .collect();
        let (file, span, name, place) = match scope {
            Some(i) => {
                let v = &model.vhosts[i];
                (
                    &v.loc.file,
                    v.loc.span,
                    format!("`<VirtualHost {}>`", v.addr),
                    "inside this <VirtualHost>",
                )
            }
            None => (
                &routes[0].loc.file,
                routes[0].loc.span,
                "the main server".to_string(),
                "at the top of this configuration",
            ),
        };
        let d = cx.report(
            file,
            span,
            format!(
                "{name} proxies websockets with no ProxyTimeout or Timeout set or inherited: its idle limit is httpd's default {HTTPD_DEFAULT_TIMEOUT_S} s or whatever the deployed server sets"
            ),
        );
        for r in &routes {
            d.label(
                &r.loc.file,
                r.loc.span,
                "websocket route with no configured timeout",
            );
        }
        d.help(format!(
            "pin the value where it is reviewed: add `ProxyTimeout {min}` (or more) {place}; Debian's apache2.conf sets Timeout 300, upstream's httpd-default.conf 60"
        ));
    }
}
