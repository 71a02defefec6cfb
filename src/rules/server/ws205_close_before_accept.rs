//! WS205: `websocket.close(code=...)` or `raise WebSocketException(...)` on
//! a path before `websocket.accept()`.

use crate::diagnostic::{Applicability, Edit};
use crate::lang::python::{CloseKind, ServerModel};
use crate::rule::{Check, Ctx, Family, Rule, Severity};
use crate::source::Span;

use super::{describe_code, label_steps};

pub static RULE: Rule = Rule {
    code: "WS205",
    name: "close-before-accept",
    aliases: &[],
    family: Family::Server,
    severity: Severity::Error,
    summary: "a websocket closed with a code (or WebSocketException raised) before accept(): the client sees 1006, not the code",
    doc: include_str!("../../../rules/WS205-close-before-accept.md"),
    check: Check::Server(check),
};

fn check(model: &ServerModel, cx: &mut Ctx) {
    let file = &model.source;
    for p in &model.pre_accept {
        let endpoint = &model.endpoints[p.endpoint].name;
        let described = p.code.as_ref().and_then(describe_code);
        let with = described
            .as_ref()
            .map_or("a code".to_string(), |c| format!("code {c}"));
        let what = match p.kind {
            CloseKind::Close => format!("close with {with}"),
            CloseKind::Exception => format!("`raise WebSocketException` with {with}"),
        };
        // The code alone for the rest of the message: `4001`, `1008`.
        let code = match p.code.as_ref().and_then(|c| c.value.number()) {
            Some(n) => super::seconds(n),
            None => "the code".to_string(),
        };
        let d = cx.report(
            file,
            p.span,
            format!(
                "{what} before `{endpoint}` accepts the connection: the server refuses the handshake with HTTP 403 and the client sees 1006, not {code}"
            ),
        );
        d.primary("runs before accept()");
        label_steps(d, model, &p.via);
        if let Some(a) = p.accept {
            d.label(file, a, "the connection is accepted only here");
        }
        d.help(format!(
            "call `await websocket.accept()` first, then close with {code}: a client that stops reconnecting on {code} reconnects forever on 1006"
        ));
        // Unsafe: the client now sees the connection open before it is
        // closed, and what runs between the old and the new place of the
        // accept runs on an accepted connection.
        if let Some(m) = &p.accept_first {
            d.fix(
                Applicability::Unsafe,
                "move the accept up, before the first statement that can close before it",
                vec![
                    Edit {
                        file: file.clone(),
                        span: Span::new(m.insert_at, m.insert_at),
                        replacement: m.line.clone(),
                    },
                    Edit {
                        file: file.clone(),
                        span: m.remove,
                        replacement: String::new(),
                    },
                ],
            );
        }
    }
}
