//! WS301: a websocket route whose effective idle timeout at some hop is
//! below `proxy.idle_timeout_min_s`. Points at the directive or key that
//! sets the value and labels the routes it governs.

use crate::proxy::{ProxyModel, seconds_text};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::{needed_seconds, too_short};

pub static RULE: Rule = Rule {
    code: "WS301",
    name: "proxy-idle-timeout",
    aliases: &["apache-proxy-timeout"],
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "a websocket route whose effective idle timeout at some hop (Apache, nginx, HAProxy) is below `proxy.idle_timeout_min_s` (60 s)",
    doc: include_str!("../../../rules/WS301-proxy-idle-timeout.md"),
    check: Check::Proxy(check),
};

fn check(model: &ProxyModel, cx: &mut Ctx) {
    let min = cx.config.proxy.idle_timeout_min_s;
    for group in too_short(model, |s| s < min as f64) {
        let (file, span) = group.at();
        let seconds = seconds_text(group.seconds);
        let message = match group.setting {
            Some(_) => format!(
                "{} gives {} an idle timeout of {seconds}{}, below the {min} s minimum",
                group.what(),
                group.routes_text(model),
                group.note()
            ),
            None => format!(
                "{} gets {} of {seconds}, below the {min} s minimum",
                group.routes_text(model),
                group.what(),
            ),
        };
        let needed = needed_seconds(cx);
        let fix = group.fix(needed);
        let d = cx.report(file, span, message);
        group.attach_fix(model, needed, d);
        match group.setting {
            Some(_) => d.primary(format!("idle timeout {seconds}")),
            None => d.primary("no idle timeout is set for this route"),
        };
        group.label_routes(d);
        d.help(format!(
            "a proxy closes a websocket after this long without traffic, and a heartbeat that races the timer loses; {fix}"
        ));
    }
}
