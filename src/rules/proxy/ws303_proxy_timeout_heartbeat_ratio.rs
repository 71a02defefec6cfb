//! WS303: a websocket route whose effective proxy timeout is below
//! `apache.heartbeat_ratio` x the longest client heartbeat of the project
//! (or `client.heartbeat_ms`). Labels the timeout and the heartbeat's
//! definition, usually in two files.

use crate::lang::apache::ApacheModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::too_short;

pub static RULE: Rule = Rule {
    code: "WS303",
    name: "proxy-timeout-heartbeat-ratio",
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "a websocket route whose Apache timeout is below `apache.heartbeat_ratio` (3) x the project's longest client heartbeat",
    doc: include_str!("../../../rules/WS303-proxy-timeout-heartbeat-ratio.md"),
    check: Check::Apache(check),
};

/// `25 s`, `12.5 s`.
fn seconds_text(ms: f64) -> String {
    let s = ms / 1000.0;
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

fn check(model: &ApacheModel, cx: &mut Ctx) {
    let Some(hb) = cx.facts.heartbeat.clone() else {
        return;
    };
    let ratio = cx.config.apache.heartbeat_ratio;
    let needed = (ratio * hb.ms / 1000.0).ceil() as u64;
    // Below the fixed minimum the timeout is WS301's finding, and a route on
    // httpd's default is WS302's; both suggest a value that covers the
    // heartbeat too.
    let min = cx.config.apache.proxy_timeout_min_s;
    for group in too_short(model, |s| s >= min && s < needed) {
        if group.setting.is_none() {
            continue;
        }
        let (file, span) = group.at();
        let seconds = group.seconds;
        let heartbeat = seconds_text(hb.ms);
        let message = format!(
            "{} gives {} {seconds} s of idle time, less than {ratio} x the {heartbeat} client heartbeat ({needed} s)",
            group.what(),
            group.routes_text(),
        );
        let fix = group.fix(model, needed);
        let d = cx.report(file, span, message);
        d.primary(format!("idle timeout {seconds} s"));
        group.label_routes(model, d);
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
