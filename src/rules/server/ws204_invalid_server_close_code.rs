//! WS204: `websocket.close(code=C)` (or `WebSocketException(code=C)`) with
//! a code an endpoint must not send.

use crate::lang::python::{CloseKind, ServerModel};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS204",
    name: "invalid-server-close-code",
    aliases: &[],
    family: Family::Server,
    severity: Severity::Error,
    summary: "a server close code an endpoint must not send: 1005, 1006, 1015, below 1000, 1016-2999, above 4999",
    doc: include_str!("../../../rules/WS204-invalid-server-close-code.md"),
    check: Check::Server(check),
};

/// Why an endpoint must not send `code`, if it must not.
pub(crate) fn forbidden(code: f64) -> Option<&'static str> {
    if code.fract() != 0.0 {
        return None;
    }
    let c = code as i64;
    Some(match c {
        1005 => {
            "1005 (no status received) is reserved for an endpoint to report a close frame without a code; RFC 6455 §7.4.1 forbids sending it"
        }
        1006 => {
            "1006 (abnormal closure) is reserved for a connection lost without a close frame; RFC 6455 §7.4.1 forbids sending it"
        }
        1015 => {
            "1015 (TLS handshake failure) is reserved for a failed TLS handshake; RFC 6455 §7.4.1 forbids sending it"
        }
        _ if c < 1000 => "codes below 1000 are not close codes (RFC 6455 §7.4.2)",
        1016..=2999 => {
            "1016-2999 are reserved for the WebSocket protocol and its extensions (RFC 6455 §7.4.2)"
        }
        _ if c > 4999 => "close codes end at 4999 (RFC 6455 §7.4.2)",
        _ => return None,
    })
}

fn check(model: &ServerModel, cx: &mut Ctx) {
    let file = &model.source;
    for c in &model.closes {
        let Some(code) = &c.code else { continue };
        let Some(n) = code.value.number() else {
            continue;
        };
        let Some(why) = forbidden(n) else { continue };
        let shown = n as i64;
        let described = super::describe_code(code).unwrap_or_else(|| shown.to_string());
        let what = match c.kind {
            CloseKind::Close => "close",
            CloseKind::Exception => "`WebSocketException`",
        };
        let d = cx.report(
            file,
            code.span,
            format!("{what} with code {described}, which an endpoint must not send: {why}"),
        );
        d.primary(format!("code {shown}"));
        if let Some(o) = &code.value.origin {
            d.label(&o.file, o.span, "value defined here");
        }
        d.help(
            "close with 1000 (normal), 1008 (policy violation), 1011 (server error), or a 4000-4999 application code such as 4001/4003; a client never sees a reserved code as sent, and reconnects on what it gets instead",
        );
    }
}
