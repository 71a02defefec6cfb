//! WS108: a terminal close (other than 1000) that surfaces nothing.

use crate::lang::ts::{ClientModel, CloseHandler, HandlerKind, Kept, SetRole, TerminalEvent};
use crate::rule::{Check, Ctx, Family, Rule, Severity};
use crate::source::Span;

use super::{Paths, code_list, terminal_like};

pub static RULE: Rule = Rule {
    code: "WS108",
    name: "silent-terminal-close",
    aliases: &[],
    family: Family::Client,
    severity: Severity::Warning,
    summary: "a terminal-close branch (codes other than 1000) that tells the user nothing",
    doc: include_str!("../../../rules/WS108-silent-terminal-close.md"),
    check: Check::Client(check),
};

fn check(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    let cfg = &cx.config.client;
    let tl = terminal_like(cfg);
    let paths = Paths {
        sets: &model.code_sets,
    };
    // Handlers of one socket decide together (react-use-websocket's
    // shouldReconnect and onClose).
    let mut groups: Vec<Vec<&CloseHandler>> = Vec::new();
    library_final(model, cx, &paths);
    for h in &model.close_handlers {
        if matches!(h.kind, HandlerKind::Terminal(_)) {
            continue;
        }
        match h.socket.and_then(|s| {
            groups
                .iter()
                .position(|g| g.first().and_then(|x| x.socket) == Some(s))
        }) {
            Some(i) => groups[i].push(h),
            None => groups.push(vec![h]),
        }
    }
    kept_sockets(model, cx, &groups);
    for group in groups {
        if group.iter().any(|h| h.truncated) {
            continue;
        }
        let surfacing: Vec<&&CloseHandler> = group
            .iter()
            .filter(|h| matches!(h.kind, HandlerKind::Close | HandlerKind::OnCloseOption))
            .collect();
        if surfacing.is_empty() {
            continue;
        }
        // The first condition that tests for terminal codes.
        let check_at: Option<Span> = group
            .iter()
            .flat_map(|h| h.checks.iter())
            .find(|c| {
                c.sets.iter().any(|s| {
                    model
                        .code_sets
                        .get(*s)
                        .is_some_and(|s| s.role == SetRole::Terminal)
                }) || c.numbers.iter().any(|n| tl(*n) && *n != 1000.0)
            })
            .map(|c| c.span);
        let Some(at) = check_at else {
            continue;
        };
        let silent: Vec<u16> = cfg
            .terminal_close_codes
            .iter()
            .copied()
            .filter(|c| *c != 1000)
            .filter(|c| !group.iter().any(|h| paths.reconnects(h, *c, true)))
            .filter(|c| {
                !surfacing
                    .iter()
                    .any(|h| h.surfaces.iter().any(|p| paths.may_reach(p, *c, true)))
            })
            .collect();
        if silent.is_empty() {
            continue;
        }
        let logs: Vec<&str> = surfacing
            .iter()
            .flat_map(|h| h.silent.iter())
            .filter(|p| p.what.starts_with("console."))
            .map(|p| p.what.as_str())
            .collect();
        let only = match logs.first() {
            Some(l) => format!(" (only `{l}`)"),
            None => String::new(),
        };
        let d = cx.report(
            &model.source,
            at,
            if silent.len() == 1 {
                format!(
                    "terminal close code {} ends the connection without telling the user{only}",
                    code_list(&silent)
                )
            } else {
                format!(
                    "terminal close codes {} end the connection without telling the user{only}",
                    code_list(&silent)
                )
            },
        );
        d.primary("terminal-code check");
        d.help(
            "the page just stops updating and nobody knows why; surface it, e.g. `onTerminalClose(event.code, event.reason)` to show a toast (sign in again, no access, not found)",
        );
    }
}

/// A library's handler for a close it gives up on (socket.io's
/// `"io server disconnect"` and refused `connect_error`, centrifuge's
/// `disconnected`) that on that path neither reconnects nor tells anyone:
/// one report per socket and event.
fn library_final(model: &ClientModel, cx: &mut Ctx, paths: &Paths<'_>) {
    let mut groups: Vec<(Option<usize>, TerminalEvent, Vec<&CloseHandler>)> = Vec::new();
    for h in &model.close_handlers {
        let HandlerKind::Terminal(ev) = h.kind else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|(s, e, _)| *e == ev && s.is_some() && *s == h.socket)
        {
            Some(g) => g.2.push(h),
            None => groups.push((h.socket, ev, vec![h])),
        }
    }
    for (_, ev, handlers) in groups {
        if handlers.iter().any(|h| h.truncated) {
            continue;
        }
        let reading = ev.reading(&model.code_sets);
        let acts = handlers.iter().any(|h| {
            h.reconnects.iter().any(|p| paths.reaches_on(p, &reading))
                || h.surfaces.iter().any(|p| paths.may_reach_on(p, &reading))
        });
        if acts {
            continue;
        }
        let logs: Vec<&str> = handlers
            .iter()
            .flat_map(|h| h.silent.iter())
            .filter(|p| p.what.starts_with("console.") && paths.may_reach_on(p, &reading))
            .map(|p| p.what.as_str())
            .collect();
        let only = match logs.first() {
            Some(l) => format!(" (only `{l}`)"),
            None => String::new(),
        };
        let message = match ev {
            TerminalEvent::SocketIoDisconnect => format!(
                "when the server disconnects the socket (\"io server disconnect\") socket.io does not reconnect, and this handler tells the user nothing{only}"
            ),
            TerminalEvent::SocketIoConnectError => format!(
                "a connect_error that socket.io does not retry (the server's middleware refused the connection) ends the socket, and this handler tells the user nothing{only}"
            ),
            TerminalEvent::CentrifugeDisconnected => format!(
                "centrifuge's `disconnected` (a disconnect it does not recover from) tells the user nothing{only}"
            ),
        };
        let d = cx.report(&model.source, handlers[0].span, message);
        d.primary(format!("`{}` handler", ev.event()));
        d.help(
            "the page just stops updating and nobody knows why; surface it, e.g. show a toast from the handler (sign in again, no access) with the error's message",
        );
    }
}

/// A socket the module keeps (heartbeat, stored for its lifetime, state
/// from its messages) and hands to no one, whose close handling, if any,
/// compares no code, never reconnects and tells nobody: every terminal
/// code ends it silently.
fn kept_sockets(model: &ClientModel, cx: &mut Ctx, groups: &[Vec<&CloseHandler>]) {
    if model.truncated || model.reconnects {
        return;
    }
    // A close handler wslint cannot tie to a socket may be this one's.
    if model
        .close_handlers
        .iter()
        .filter(|h| !matches!(h.kind, HandlerKind::Terminal(_)))
        .any(|h| h.socket.is_none() || h.truncated)
    {
        return;
    }
    let cfg = &cx.config.client;
    let codes: Vec<u16> = cfg
        .terminal_close_codes
        .iter()
        .copied()
        .filter(|c| *c != 1000)
        .collect();
    if codes.is_empty() {
        return;
    }
    for life in &model.kept_sockets {
        let Some(site) = model.sockets.get(life.socket) else {
            continue;
        };
        let handlers: Vec<&CloseHandler> = groups
            .iter()
            .filter(|g| g.first().and_then(|h| h.socket) == Some(life.socket))
            .flat_map(|g| g.iter().copied())
            .collect();
        // A handler that compares codes is the check above's to judge;
        // one that reconnects or surfaces anything is not silent.
        if handlers
            .iter()
            .any(|h| !h.checks.is_empty() || !h.reconnects.is_empty() || !h.surfaces.is_empty())
        {
            continue;
        }
        let name = site.binding.as_deref().unwrap_or("the socket");
        let why = match &life.kept {
            Kept::Heartbeat(_) => "it sends a heartbeat".to_string(),
            Kept::Stored(at) if at == name => {
                "it is stored for the lifetime of its owner".to_string()
            }
            Kept::Stored(at) => format!("it is kept with `{at}`"),
            Kept::Messages(_) => "state is kept from its messages".to_string(),
        };
        let ending = if handlers.is_empty() {
            "its close is never handled"
        } else {
            "its close handler neither reconnects nor tells the user"
        };
        let d = cx.report(
            &model.source,
            site.span,
            format!(
                "`{name}` is kept for as long as the page runs ({why}), but {ending}: a terminal close ({}) ends it silently",
                code_list(&codes)
            ),
        );
        d.primary("opened here");
        match &life.kept {
            Kept::Heartbeat(at) => {
                d.label(&model.source, *at, "heartbeat");
            }
            Kept::Messages(at) => {
                d.label(&model.source, *at, "message handler");
            }
            Kept::Stored(_) => {}
        }
        for h in &handlers {
            d.label(&model.source, h.span, "close handled here, silently");
        }
        d.help(
            "handle the close: on a terminal code tell the user (`onTerminalClose(event.code, event.reason)` for a toast: sign in again, no access, not found), on others reconnect with backoff",
        );
    }
}
