//! WS303: a websocket route whose effective idle timeout is below
//! `proxy.heartbeat_ratio` x the longest client heartbeat of the project
//! (or `client.heartbeat_ms`), at every hop. Labels the timeout and the
//! heartbeat's definition, usually in two files.

use crate::proxy::{ProxyModel, seconds_text};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::too_short;

pub static RULE: Rule = Rule {
    code: "WS303",
    name: "proxy-timeout-heartbeat-ratio",
    aliases: &[],
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "a websocket route whose idle timeout at some hop is below `proxy.heartbeat_ratio` (3) x the project's longest client heartbeat",
    doc: include_str!("../../../rules/WS303-proxy-timeout-heartbeat-ratio.md"),
    check: Check::Proxy(check),
};

fn check(model: &ProxyModel, cx: &mut Ctx) {
    let Some(hb) = cx.facts.heartbeat.clone() else {
        return;
    };
    let ratio = cx.config.proxy.heartbeat_ratio;
    let needed = (ratio * hb.ms / 1000.0).ceil() as u64;
    // Below the fixed minimum the timeout is WS301's finding, and a route on
    // the product's default is WS302's; both suggest a value that covers the
    // heartbeat too.
    let min = cx.config.proxy.idle_timeout_min_s as f64;
    for group in too_short(model, |s| s >= min && s < needed as f64) {
        if group.setting.is_none() {
            continue;
        }
        let (file, span) = group.at();
        let seconds = seconds_text(group.seconds);
        let heartbeat = seconds_text(hb.ms / 1000.0);
        let message = format!(
            "{} gives {} {seconds} of idle time{}, less than {ratio} x the {heartbeat} client heartbeat ({needed} s)",
            group.what(),
            group.routes_text(model),
            group.note(),
        );
        let fix = group.fix(needed);
        let to = super::needed_seconds(cx).max(needed);
        let d = cx.report(file, span, message);
        group.attach_fix(model, to, d);
        d.primary(format!("idle timeout {seconds}"));
        group.label_routes(d);
        d.label(
            &hb.file,
            hb.span,
            format!("client heartbeat every {heartbeat} ({})", hb.name),
        );
        d.help(format!(
            "one late or lost ping must not close the socket: the proxy has to wait out {ratio} heartbeats; {fix}, or send the heartbeat more often"
        ));
    }
}
