//! WS201: a receive in an endpoint's loop with no timeout of at most
//! `server.keepalive_max_s`, or whose timeout sends nothing on the
//! websocket. An endpoint whose heartbeat (a loop that sleeps and sends)
//! keeps the socket busy needs neither; a heartbeat slower than the limit
//! is reported instead.

use std::collections::HashSet;

use crate::lang::python::{Heartbeat, Keepalive, Receive, ServerModel, Timeout, TimeoutValue};
use crate::lang::ts::ClientModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};
use crate::values::Origin;

use super::{label_steps, seconds};

pub static RULE: Rule = Rule {
    code: "WS201",
    name: "server-idle-keepalive",
    aliases: &[],
    family: Family::Server,
    severity: Severity::Error,
    summary: "a receive loop with no timeout of at most `server.keepalive_max_s` (20 s), or whose timeout sends no keepalive on the websocket; a socket.io server whose ping interval is above it",
    doc: include_str!("../../../rules/WS201-server-idle-keepalive.md"),
    check: Check::Servers {
        python: check,
        javascript: check_js,
    },
};

const KEEPALIVE: &str = r#"await websocket.send_json({"type": "keepalive"})"#;

fn check(model: &ServerModel, cx: &mut Ctx) {
    let max = cx.config.server.keepalive_max_s;
    socketio_servers(model, cx, max);
    // Endpoints kept busy by a heartbeat of at most `max` (or of a period
    // we cannot tell: never guessed): their receives need no timeout.
    let mut covered = HashSet::new();
    let mut slow: Vec<&Heartbeat> = Vec::new();
    for h in &model.heartbeats {
        match h.period {
            TimeoutValue::Seconds(s) if s > max => slow.push(h),
            _ => {
                covered.insert(h.endpoint);
            }
        }
    }
    let mut reported_slow = HashSet::new();
    for h in slow {
        if covered.contains(&h.endpoint) || !reported_slow.insert(h.span) {
            continue;
        }
        let TimeoutValue::Seconds(s) = h.period else {
            continue;
        };
        too_long(
            cx,
            model,
            max,
            s,
            &h.origin,
            h.value_span,
            None,
            &[],
            "keepalive period",
        );
    }
    let has_heartbeat: HashSet<usize> = model.heartbeats.iter().map(|h| h.endpoint).collect();
    for r in &model.receives {
        if covered.contains(&r.endpoint) {
            continue;
        }
        let beats = has_heartbeat.contains(&r.endpoint);
        match &r.timeout {
            None if !beats => no_timeout(cx, model, max, r),
            None => {}
            Some(t) => {
                if !beats {
                    timeout_value(cx, model, max, r, t);
                }
                keepalive(cx, model, r, t, beats);
            }
        }
    }
}

const PROXIES: &str = "socket.io's heartbeat is the server's ping: while the client is idle nothing else crosses the proxies, and one whose idle timer is shorter than the ping interval drops the socket (in the 2026-03-18 incident a 25 s heartbeat lost to Apache)";

/// python-socketio / python-engineio / Flask-SocketIO servers whose ping
/// interval is above the limit.
fn socketio_servers(model: &ServerModel, cx: &mut Ctx, max: f64) {
    let file = &model.source;
    for srv in &model.socketio_servers {
        let TimeoutValue::Seconds(s) = srv.ping else {
            continue;
        };
        if s <= max {
            continue;
        }
        let limit = seconds(max);
        let (message, primary) = if srv.default {
            (
                format!(
                    "{} server pings every {} s (python-engineio's default `ping_interval`), above the {limit} s keepalive limit",
                    srv.library,
                    seconds(s)
                ),
                "default ping_interval".to_string(),
            )
        } else {
            let from = srv
                .origin
                .as_ref()
                .map(|o| format!(" (`{}`)", o.name))
                .unwrap_or_default();
            (
                format!(
                    "{} server `ping_interval` of {} s{from} exceeds the {limit} s keepalive limit",
                    srv.library,
                    seconds(s)
                ),
                format!("{} s", seconds(s)),
            )
        };
        let d = cx.report(file, srv.value_span, message);
        d.primary(primary);
        if let Some(o) = &srv.origin {
            d.label(&o.file, o.span, "value defined here");
        }
        let fix = match &srv.origin {
            Some(o) if o.file.path != file.path && o.name.contains('.') => format!(
                "make `{}` {limit} or less: its default is in `{}` (check any environment variable that overrides it too)",
                o.name,
                o.file.path.display()
            ),
            Some(o) if o.file.path != file.path => {
                format!("set `{} = {limit}` in `{}`", o.name, o.file.path.display())
            }
            Some(o) if !o.name.contains('.') => format!("set `{} = {limit}`", o.name),
            _ => format!("pass `ping_interval={limit}`"),
        };
        d.help(format!("{PROXIES}; {fix}"));
    }
}

/// socket.io servers in Node (`new Server(httpServer, { pingInterval })`).
fn check_js(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    let max_s = cx.config.server.keepalive_max_s;
    let max_ms = max_s * 1000.0;
    for srv in &model.socketio_servers {
        let Some(ms) = srv.ping.number() else {
            continue;
        };
        if ms <= max_ms {
            continue;
        }
        let limit = seconds(max_s);
        let every = seconds(ms / 1000.0);
        let origin = srv.ping.origin.as_ref().filter(|o| o.span != srv.at);
        let message = if srv.default {
            format!(
                "socket.io server pings every {every} s (Engine.IO's default `pingInterval`), above the {limit} s keepalive limit"
            )
        } else {
            format!(
                "socket.io server `pingInterval` of {every} s exceeds the {limit} s keepalive limit"
            )
        };
        let d = cx.report(&model.source, srv.at, message);
        d.primary(if srv.default {
            "default pingInterval"
        } else {
            "ping interval"
        });
        if let Some(o) = origin {
            d.label(&o.file, o.span, "value defined here");
        }
        let value = crate::rules::client::ts_number((max_ms.max(0.0)) as u64);
        let fix = match origin {
            Some(o) => format!("set {} = {value}", o.name),
            None => format!("pass `pingInterval: {value}`"),
        };
        d.help(format!("{PROXIES}; {fix}"));
    }
}

/// `websocket.receive_text()` in `f`, or in `f` reached from `endpoint`.
fn where_(model: &ServerModel, r: &Receive) -> String {
    let endpoint = &model.endpoints[r.endpoint].name;
    if &r.function == endpoint {
        format!("`{endpoint}`")
    } else {
        format!("`{}` (run by `{endpoint}`)", r.function)
    }
}

fn no_timeout(cx: &mut Ctx, model: &ServerModel, max: f64, r: &Receive) {
    let file = &model.source;
    if let Some(w) = r.wrapper.as_ref().filter(|_| r.iter) {
        // `async for msg in channel` over a wrapper of the websocket.
        let d = cx.report(
            file,
            r.span,
            format!(
                "`async for` over `{}` waits in a loop with no timeout ({w}): {} sends nothing while the client is idle",
                r.call,
                where_(model, r)
            ),
        );
        d.primary("waits with no timeout");
        label_steps(d, model, &r.via);
        d.help(format!(
            "proxies drop a websocket idle past their timer; in the wrapper, bound the receive with `asyncio.wait_for(..., timeout={})` and send a keepalive in `except asyncio.TimeoutError:`, or run a heartbeat task next to this loop ({KEEPALIVE})",
            seconds(max)
        ));
        return;
    }
    let d = cx.report(
        file,
        r.span,
        format!(
            "`{}` waits in a loop with no timeout{}: {} sends nothing while the client is idle",
            r.call,
            r.wrapper
                .as_ref()
                .map(|w| format!(" ({w})"))
                .unwrap_or_default(),
            where_(model, r)
        ),
    );
    d.primary("waits with no timeout");
    label_steps(d, model, &r.via);
    // `async for m in websocket.iter_text()` cannot be bounded as it is:
    // suggest the receive it wraps.
    let call = match r.call.rsplit_once(".iter_") {
        Some((recv, kind)) => format!("{recv}.receive_{kind}"),
        None => r.call.clone(),
    };
    let how = if call == r.call {
        "bound the wait with"
    } else {
        "loop over"
    };
    d.help(format!(
        "proxies drop a websocket idle past their timer; {how} `asyncio.wait_for({call}, timeout={})` and send a keepalive in `except asyncio.TimeoutError:` ({KEEPALIVE})",
        seconds(max)
    ));
}

fn timeout_value(cx: &mut Ctx, model: &ServerModel, max: f64, r: &Receive, t: &Timeout) {
    let file = &model.source;
    match t.value {
        TimeoutValue::NoneLiteral => {
            let d = cx.report(
                file,
                t.value_span,
                format!(
                    "`{}` with a timeout of None never times out: {} sends nothing while the client is idle",
                    t.callee,
                    where_(model, r)
                ),
            );
            d.primary("no timeout");
            d.label(file, r.span, "the receive it waits for");
            label_steps(d, model, &r.via);
            d.help(format!(
                "use a timeout of {} s or less and send a keepalive when it fires ({KEEPALIVE})",
                seconds(max)
            ));
        }
        TimeoutValue::Seconds(s) if s > max => {
            too_long(
                cx,
                model,
                max,
                s,
                &t.origin,
                t.value_span,
                Some(r),
                &r.via,
                "receive timeout",
            );
        }
        _ => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn too_long(
    cx: &mut Ctx,
    model: &ServerModel,
    max: f64,
    s: f64,
    origin: &Option<Origin>,
    span: crate::source::Span,
    r: Option<&Receive>,
    via: &[crate::lang::python::Step],
    what: &str,
) {
    let file = &model.source;
    let limit = seconds(max);
    let from = origin
        .as_ref()
        .map(|o| format!(" (`{}`)", o.name))
        .unwrap_or_default();
    let d = cx.report(
        file,
        span,
        format!(
            "{what} of {} s{from} exceeds the {limit} s keepalive limit",
            seconds(s)
        ),
    );
    d.primary(format!("{} s", seconds(s)));
    if let Some(o) = origin {
        d.label(&o.file, o.span, "value defined here");
    }
    if let Some(r) = r {
        d.label(file, r.span, "the receive it bounds");
    }
    label_steps(d, model, via);
    let fix = match origin {
        Some(o) if o.file.path != file.path => {
            let there = o.file.path.display();
            if o.name.contains('.') {
                // A settings attribute: its default is there, and the
                // environment may override it at run time.
                format!(
                    "make `{}` {limit} s or less: its default is in `{there}` (check any environment variable that overrides it too)",
                    o.name
                )
            } else {
                format!("set `{} = {limit}` in `{there}`", o.name)
            }
        }
        Some(o) if !o.name.contains('.') => format!("set `{} = {limit}`", o.name),
        _ => format!("use {limit} s or less"),
    };
    d.help(format!(
        "the server stays silent for up to {} s while the client is idle, and a proxy timer that races it drops the socket (in the 2026-03-18 incident a 25 s heartbeat lost to Apache); {fix}",
        seconds(s)
    ));
    // Safe: the value where it is written (the constant, in the module
    // that defines it, or the argument), in its own style. A settings
    // attribute is not: the environment may set it.
    let (at, where_) = match origin {
        Some(o) if o.name.contains('.') => return,
        Some(o) => ((&o.file, o.span), format!("`{}`", o.name)),
        None => ((file, span), "the timeout".to_string()),
    };
    if max.fract() == 0.0
        && let Some(text) = at.0.text.get(at.1.start..at.1.end)
        && let Some(new) = crate::fix::literal::rewrite(text, s, max as u64)
    {
        d.fix(
            crate::diagnostic::Applicability::Safe,
            format!("set {where_} to `{new}`"),
            vec![crate::diagnostic::Edit {
                file: at.0.clone(),
                span: at.1,
                replacement: new,
            }],
        );
    }
}

fn keepalive(cx: &mut Ctx, model: &ServerModel, r: &Receive, t: &Timeout, beats: bool) {
    let file = &model.source;
    match &r.keepalive {
        Keepalive::Silent { span, what } if !beats => {
            let d = cx.report(
                file,
                *span,
                format!(
                    "{what}: when `{}` times out, the idle client gets no keepalive",
                    r.call
                ),
            );
            d.primary("sends nothing");
            d.label(file, t.call, "the receive timeout");
            label_steps(d, model, &r.via);
            d.help(format!(
                "send a keepalive frame when the timeout fires ({KEEPALIVE}) and go on receiving; a timeout alone keeps no proxy timer from firing"
            ));
        }
        Keepalive::Uncaught => {
            let after = match t.value {
                TimeoutValue::Seconds(s) => format!("{} s", seconds(s)),
                _ => "the timeout".to_string(),
            };
            let endpoint = &model.endpoints[r.endpoint].name;
            let d = cx.report(
                file,
                t.call,
                format!(
                    "nothing in `{endpoint}` catches the TimeoutError of this receive timeout: the endpoint ends and the connection drops after {after} of client silence"
                ),
            );
            d.primary("raises TimeoutError");
            d.label(file, r.span, "the receive it bounds");
            label_steps(d, model, &r.via);
            d.help(format!(
                "catch it inside the loop and send a keepalive: `except asyncio.TimeoutError: {KEEPALIVE}`"
            ));
        }
        _ => {}
    }
}
