//! WS104: a reconnect on a close path that terminal codes reach.

use crate::lang::ts::{ClientModel, HandlerKind};
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
                HandlerKind::Library => (
                    format!("reconnecting-websocket reconnects after every close, terminal codes included: {codes}"),
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
                            "shouldReconnect returns `{v}`, which lets it reconnect after terminal close codes: {codes}"
                        ),
                        _ => format!("shouldReconnect returns true after terminal close codes: {codes}"),
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
