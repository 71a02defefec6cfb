//! WS104: a reconnect on a close path that terminal codes reach.

use crate::lang::ts::{ClientModel, CloseHandler, HandlerKind, TerminalEvent};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::{Paths, code_list};

pub static RULE: Rule = Rule {
    code: "WS104",
    name: "reconnect-on-terminal-code",
    aliases: &[],
    family: Family::Client,
    severity: Severity::Error,
    summary: "a reconnect in a close handler on a path no terminal-code check excludes",
    doc: include_str!("../../../rules/WS104-reconnect-on-terminal-code.md"),
    check: Check::Client(check),
};

fn check(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    let cfg = &cx.config.client;
    let paths = Paths {
        sets: &model.code_sets,
    };
    let mut seen = Vec::new();
    for h in &model.close_handlers {
        if h.truncated {
            continue;
        }
        if let HandlerKind::Terminal(ev) = h.kind {
            library_final(model, cx, &paths, h, ev, &mut seen);
            continue;
        }
        let library = h
            .socket
            .and_then(|i| model.sockets.get(i))
            .and_then(|s| s.kind.library())
            .unwrap_or("reconnecting-websocket");
        for p in &h.reconnects {
            if seen.contains(&p.span) {
                continue;
            }
            let reached: Vec<u16> = cfg
                .terminal_close_codes
                .iter()
                .copied()
                .filter(|c| paths.reconnect_reaches(h, p, *c, true))
                .collect();
            if reached.is_empty() {
                continue;
            }
            seen.push(p.span);
            let codes = code_list(&reached);
            let (message, primary, help) = match h.kind {
                HandlerKind::Library if library == "phoenix" => (
                    format!("phoenix's Socket reconnects after every close it did not ask for, terminal codes included: {codes}"),
                    "reconnects on its own",
                    "stop it for terminal codes: `socket.onClose((e) => { if (TERMINAL_CLOSE_CODES.has(e.code)) socket.disconnect(); })` (disconnect() cancels the scheduled reconnect)".to_string(),
                ),
                HandlerKind::Library => (
                    format!("{library} reconnects after every close, terminal codes included: {codes}"),
                    "reconnects on its own",
                    "stop it for terminal codes: `rws.addEventListener('close', (e) => { if (TERMINAL_CLOSE_CODES.has(e.code)) rws.close(); })` (its close() ends the retries)".to_string(),
                ),
                HandlerKind::ShouldReconnect if p.what.starts_with("the imported ") => (
                    format!("{}, so it reconnects after terminal close codes: {codes}", p.what),
                    "options imported here",
                    "return false for them: `shouldReconnect: (e) => !TERMINAL_CLOSE_CODES.has(e.code)` where the options are defined".to_string(),
                ),
                HandlerKind::ShouldReconnect => (
                    match returned(&model.source.text, p.span) {
                        Some(v) if v != "true" => format!(
                            "{} returns `{v}`, which lets it reconnect after terminal close codes: {codes}",
                            p.what
                        ),
                        _ => format!("{} returns true after terminal close codes: {codes}", p.what),
                    },
                    "reconnect decided here",
                    "return false for them: `shouldReconnect: (e) => !TERMINAL_CLOSE_CODES.has(e.code)`".to_string(),
                ),
                _ if p.what.contains("a dependency of the effect that opens the socket") => (
                    format!("{}: the effect runs again and reopens the socket after terminal close codes: {codes}", p.what),
                    "reconnect through state",
                    "leave the state alone for terminal codes: `if (TERMINAL_CLOSE_CODES.has(event.code)) return;` before changing it".to_string(),
                ),
                _ => (
                    format!("`{}` reopens the socket after terminal close codes: {codes}", p.what),
                    "reconnect",
                    "skip it for terminal codes: `if (TERMINAL_CLOSE_CODES.has(event.code)) return;` before it, or `if (!isTerminal) scheduleReconnect();`".to_string(),
                ),
            };
            let d = cx.report(&model.source, p.span, message);
            d.primary(primary);
            if h.span != p.span && h.kind != HandlerKind::Library {
                d.label(&model.source, h.span, "in this close handler");
            }
            d.help(format!(
                "a permanent failure (signed out, no access, gone) then turns into a reconnect storm; {help}"
            ));
        }
    }
}

/// A reconnect in a library's handler for a close it gave up on (socket.io's
/// `"io server disconnect"` and refused `connect_error`, centrifuge's
/// `disconnected`): the application undoes the library's decision.
fn library_final(
    model: &ClientModel,
    cx: &mut Ctx,
    paths: &Paths<'_>,
    h: &CloseHandler,
    ev: TerminalEvent,
    seen: &mut Vec<crate::source::Span>,
) {
    let reading = ev.reading(&model.code_sets);
    for p in &h.reconnects {
        if seen.contains(&p.span) || !paths.reaches_on(p, &reading) {
            continue;
        }
        seen.push(p.span);
        let (message, help) = match ev {
            TerminalEvent::SocketIoDisconnect => (
                format!(
                    "`{}` reconnects after the server disconnected the socket (\"io server disconnect\"), which socket.io treats as final",
                    p.what
                ),
                "the server ends a socket on purpose (signed out, no access, banned): reconnecting by hand turns that into a reconnect storm; reconnect only for other reasons (`if (reason !== \"io server disconnect\") ...`, socket.io already does for transport closes) and tell the user",
            ),
            TerminalEvent::SocketIoConnectError => (
                format!(
                    "`{}` reconnects after a connect_error that socket.io does not retry (`socket.active` is false: the server's middleware refused the connection)",
                    p.what
                ),
                "a middleware refusal (bad or missing token, no access) fails again on every retry; reconnect only while `socket.active` is true is what socket.io does by itself, so check `if (!socket.active)` and tell the user instead (sign in again)",
            ),
            TerminalEvent::CentrifugeDisconnected => (
                format!(
                    "`{}` reconnects in a `disconnected` handler, after centrifuge gave up on a terminal disconnect code",
                    p.what
                ),
                "centrifuge reconnects by itself after transient closes and fires `disconnected` only for codes it treats as final (3500-3999, 4500-4999, `disconnect()`); tell the user instead, or reconnect only for the codes you mean (`if (ctx.code === ...)`)",
            ),
        };
        let d = cx.report(&model.source, p.span, message);
        d.primary("reconnect");
        if h.span != p.span {
            d.label(
                &model.source,
                h.span,
                format!("in this `{}` handler", ev.event()),
            );
        }
        d.help(help.to_string());
    }
}

/// The value a `shouldReconnect` returns, as written, when it is short
/// enough to quote in a message.
fn returned(text: &str, span: crate::source::Span) -> Option<&str> {
    let v = text.get(span.start..span.end)?.trim();
    (v.len() <= 40 && !v.contains('\n')).then_some(v)
}

#[cfg(test)]
mod tests {
    fn messages(src: &str) -> Vec<String> {
        let report = crate::check_in_memory(
            "feed.tsx",
            src.as_bytes(),
            crate::settings::Config::default(),
        );
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == "WS104")
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn should_reconnect_quotes_what_it_returns() {
        let src = r#"import useWebSocket from "react-use-websocket";
export function Feed({ canRetry }: { canRetry: boolean }) {
  useWebSocket("/ws", { heartbeat: true, shouldReconnect: (e) => canRetry });
  useWebSocket("/ws2", { heartbeat: true, shouldReconnect: () => true });
  return null;
}
"#;
        let got = messages(src);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0].starts_with("shouldReconnect returns `canRetry`, which lets it reconnect"),
            "{got:?}"
        );
        assert!(
            got[1].starts_with("shouldReconnect returns true after terminal close codes"),
            "{got:?}"
        );
    }
}
