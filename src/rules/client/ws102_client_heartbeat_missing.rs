//! WS102: a socket site in a module that sends no heartbeat at all.

use crate::lang::ts::libs::LibHeartbeat;
use crate::lang::ts::{ClientModel, SocketKind};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::{duration, ts_number};

pub static RULE: Rule = Rule {
    code: "WS102",
    name: "client-heartbeat-missing",
    aliases: &[],
    family: Family::Client,
    severity: Severity::Error,
    summary: "a socket opened in a module that sends no heartbeat at all",
    doc: include_str!("../../../rules/WS102-client-heartbeat-missing.md"),
    check: Check::Client(check),
};

fn check(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    if !model.heartbeats.is_empty() || model.heartbeat_elsewhere || model.truncated {
        return;
    }
    let max = cx.config.client.heartbeat_max_ms;
    let every = duration(max as f64);
    for site in &model.sockets {
        // Made by a factory handed to another function, which opens and
        // keeps it (and sends its heartbeat, or is reported where it is).
        if site.factory_for.is_some() {
            continue;
        }
        // The server pings (socket.io, centrifuge), or the library sends a
        // heartbeat of its own by default (phoenix, Supabase realtime).
        match site.kind.heartbeat() {
            LibHeartbeat::Server
            | LibHeartbeat::Option {
                default: Some(_), ..
            } => continue,
            _ => {}
        }
        let (message, fix) = match site.kind {
            SocketKind::ReactUseWebSocket => (
                "useWebSocket without a heartbeat: react-use-websocket sends none unless its `heartbeat` option is set".to_string(),
                format!(
                    "pass `heartbeat: {{ message: 'ping', returnMessage: 'pong', interval: {} }}`",
                    ts_number(max)
                ),
            ),
            SocketKind::GraphqlWs => (
                "graphql-ws client without `keepAlive`: it sends no ping unless `keepAlive` is set (its default is 0, off)".to_string(),
                format!(
                    "pass `keepAlive: {}` to `createClient` (a ping that many milliseconds after the last message)",
                    ts_number(max)
                ),
            ),
            SocketKind::Robust => (
                "socket opened with no heartbeat: robust-websocket sends none, and nothing in this module pings it".to_string(),
                format!(
                    "send a ping every {every} or less: `setInterval(() => ws.send('ping'), {})` started on open and cleared on close",
                    ts_number(max)
                ),
            ),
            SocketKind::Reconnecting => (
                "socket opened with no heartbeat: reconnecting-websocket sends none, and nothing in this module pings it".to_string(),
                format!(
                    "send a ping every {every} or less: `setInterval(() => ws.send('ping'), {})` started on open and cleared on close",
                    ts_number(max)
                ),
            ),
            _ => (
                "socket opened with no heartbeat: nothing in this module sends on it periodically".to_string(),
                format!(
                    "send a ping every {every} or less: `setInterval(() => ws.send('ping'), {})` started on open and cleared on close",
                    ts_number(max)
                ),
            ),
        };
        let d = cx.report(&model.source, site.span, message);
        d.primary("socket opened here");
        d.help(format!(
            "proxies close sockets that stay idle past their timeout (Apache ProxyTimeout, nginx and AWS ALB 60 s); {fix}"
        ));
    }
}
