//! WS202: a receive loop that never answers a client `"ping"`.

use crate::lang::python::ServerModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::label_steps;

pub static RULE: Rule = Rule {
    code: "WS202",
    name: "server-ping-reply",
    aliases: &[],
    family: Family::Server,
    severity: Severity::Warning,
    summary: "a websocket receive loop that never answers a client \"ping\"",
    doc: include_str!("../../../rules/WS202-server-ping-reply.md"),
    check: Check::Server(check),
};

fn check(model: &ServerModel, cx: &mut Ctx) {
    let file = &model.source;
    for l in &model.receive_loops {
        if l.answers_ping {
            continue;
        }
        let endpoint = &model.endpoints[l.endpoint].name;
        let owner = if &l.function == endpoint {
            format!("`{endpoint}`")
        } else {
            format!("`{}` (run by `{endpoint}`)", l.function)
        };
        let d = cx.report(
            file,
            l.span,
            format!("this receive loop of {owner} never answers a client \"ping\""),
        );
        d.primary("receive loop");
        match &l.wrapper {
            Some(w) => d.label(
                file,
                l.receive,
                format!("receives here (`{}`: {w})", l.call),
            ),
            None => d.label(file, l.receive, format!("receives here (`{}`)", l.call)),
        };
        if let Some(p) = l.unanswered_ping {
            d.label(file, p, "compared with \"ping\", but nothing is sent back");
        }
        label_steps(d, model, &l.via);
        d.help(
            r#"answer the client's heartbeat so it can tell a live server from a dead socket: `if msg == "ping": await websocket.send_json({"type": "pong"})`"#,
        );
    }
}
