//! WS301: a websocket route whose effective timeout is below
//! `apache.proxy_timeout_min_s`. Points at the directive that sets the value
//! and labels the routes it governs.

use crate::lang::apache::ApacheModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::{needed_seconds, too_short};

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
    for group in too_short(model, |s| s < min) {
        let (file, span) = group.at();
        let seconds = group.seconds;
        let message = match group.setting {
            Some(_) => format!(
                "{} gives {} an idle timeout of {seconds} s, below the {min} s minimum",
                group.what(),
                group.routes_text()
            ),
            None => format!(
                "{} gets httpd's default timeout of {seconds} s, below the {min} s minimum",
                group.routes_text()
            ),
        };
        let fix = group.fix(model, needed_seconds(cx));
        let d = cx.report(file, span, message);
        match group.setting {
            Some(_) => d.primary(format!("idle timeout {seconds} s")),
            None => d.primary("no ProxyTimeout or Timeout applies to this route"),
        };
        group.label_routes(model, d);
        d.help(format!(
            "Apache closes a proxied websocket after this many seconds without traffic, and a heartbeat that races the timer loses; {fix}"
        ));
    }
}
