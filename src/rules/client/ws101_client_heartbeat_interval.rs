//! WS101: a heartbeat whose period is above `client.heartbeat_max_ms`.

use crate::diagnostic::{Applicability, Edit};
use crate::lang::ts::libs::LibHeartbeat;
use crate::lang::ts::{ClientModel, Heartbeat, HeartbeatKind, SocketKind};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::{duration, ts_number};

pub static RULE: Rule = Rule {
    code: "WS101",
    name: "client-heartbeat-interval",
    aliases: &[],
    family: Family::Client,
    severity: Severity::Error,
    summary: "a client heartbeat period above `client.heartbeat_max_ms` (20 s), library defaults included",
    doc: include_str!("../../../rules/WS101-client-heartbeat-interval.md"),
    check: Check::Client(check),
};

const WHY: &str =
    "proxies drop sockets idle past their timer (Apache's idle timer raced a 25 s heartbeat)";

fn check(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    let max_ms = cx.config.client.heartbeat_max_ms;
    let max = max_ms as f64;
    // A timer that sends every 60 s next to one that pings every 15 s is
    // not the keepalive: the socket is kept alive by the fast one.
    let kept_alive = model.heartbeats.iter().any(|h| {
        matches!(h.kind, HeartbeatKind::Interval(_)) && h.period.number().is_some_and(|p| p <= max)
    });
    for hb in &model.heartbeats {
        if kept_alive && matches!(hb.kind, HeartbeatKind::Interval(_)) {
            continue;
        }
        let Some(ms) = hb.period.number() else {
            continue;
        };
        if ms <= max {
            continue;
        }
        let limit = duration(max);
        let origin = hb
            .period
            .origin
            .as_ref()
            .filter(|o| o.span != hb.span || o.file.path != model.source.path);
        let (message, primary, fix) = match hb.kind {
            HeartbeatKind::Interval(_) => (
                format!("heartbeat every {} exceeds the {limit} limit", duration(ms)),
                "heartbeat interval".to_string(),
                match origin {
                    Some(o) => set_to(&o.name, max_ms),
                    None => format!("ping every {} ms or less", ts_number(max_ms)),
                },
            ),
            HeartbeatKind::Library {
                default_interval: true,
                library: SocketKind::ReactUseWebSocket,
            } => (
                format!(
                    "react-use-websocket's default heartbeat pings every {} (its DEFAULT_HEARTBEAT.interval), above the {limit} limit",
                    duration(ms)
                ),
                "library default interval".to_string(),
                format!(
                    "give the interval: `heartbeat: {{ message: 'ping', returnMessage: 'pong', interval: {} }}`",
                    ts_number(max_ms)
                ),
            ),
            HeartbeatKind::Library {
                default_interval: false,
                library: SocketKind::ReactUseWebSocket,
            } => (
                format!(
                    "react-use-websocket heartbeat every {} exceeds the {limit} limit",
                    duration(ms)
                ),
                "heartbeat interval".to_string(),
                match origin {
                    Some(o) => set_to(&o.name, max_ms),
                    None => format!("set `interval: {}`", ts_number(max_ms)),
                },
            ),
            HeartbeatKind::Library {
                default_interval,
                library,
            } => {
                let name = library.library().unwrap_or("the library");
                let key = match library.heartbeat() {
                    LibHeartbeat::Option { key, .. } => key,
                    _ => "heartbeat",
                };
                if default_interval {
                    (
                        format!(
                            "{name} sends its heartbeat every {} by default (`{key}` not set), above the {limit} limit",
                            duration(ms)
                        ),
                        "library default interval".to_string(),
                        format!("pass `{key}: {}`", ts_number(max_ms)),
                    )
                } else {
                    (
                        format!(
                            "{name} `{key}` of {} exceeds the {limit} limit",
                            duration(ms)
                        ),
                        "heartbeat interval".to_string(),
                        match origin {
                            Some(o) => set_to(&o.name, max_ms),
                            None => format!("set `{key}: {}`", ts_number(max_ms)),
                        },
                    )
                }
            }
        };
        let value_fix = value_fix(model, hb, ms, max_ms);
        let d = cx.report(&model.source, hb.span, message);
        d.primary(primary);
        if let Some((edit, what)) = value_fix {
            let to = edit.replacement.clone();
            d.fix(
                Applicability::Safe,
                format!("set {what} to `{to}`"),
                vec![edit],
            );
        }
        if let Some(o) = origin {
            d.label(&o.file, o.span, "value defined here");
        }
        d.help(format!("{WHY}; {fix}"));
    }
}

/// The edit that sets the period where it is written (the constant's value,
/// in the module that defines it, or the delay argument) to `max_ms`, in the
/// literal's own style; `None` for a value that is not literal arithmetic
/// (a name of a name, a call, an environment variable) or the library's
/// default.
fn value_fix(model: &ClientModel, hb: &Heartbeat, ms: f64, max_ms: u64) -> Option<(Edit, String)> {
    if matches!(
        hb.kind,
        HeartbeatKind::Library {
            default_interval: true,
            ..
        }
    ) {
        return None;
    }
    let (file, span, what) = match &hb.period.origin {
        Some(o) => (&o.file, o.span, format!("`{}`", o.name)),
        None => (&model.source, hb.span, "the interval".to_string()),
    };
    let text = file.text.get(span.start..span.end)?;
    let replacement = crate::fix::literal::rewrite(text, ms, max_ms)?;
    Some((
        Edit {
            file: file.clone(),
            span,
            replacement,
        },
        what,
    ))
}

/// `set HEARTBEAT_MS = 20_000`; for a value with no name of its own (`export
/// default 30_000`), `make the default export 20_000`.
fn set_to(name: &str, max_ms: u64) -> String {
    let is_path = name.split('.').all(|p| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    });
    if is_path {
        format!("set {name} = {}", ts_number(max_ms))
    } else {
        format!("make {name} {}", ts_number(max_ms))
    }
}
