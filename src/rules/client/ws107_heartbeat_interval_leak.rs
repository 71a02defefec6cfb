//! WS107: a heartbeat interval that is not cleared when its socket closes.

use crate::lang::ts::{ClientModel, Handle, HeartbeatKind};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS107",
    name: "heartbeat-interval-leak",
    aliases: &[],
    family: Family::Client,
    severity: Severity::Error,
    summary: "a heartbeat interval whose handle is not kept, or not cleared on the close path",
    doc: include_str!("../../../rules/WS107-heartbeat-interval-leak.md"),
    check: Check::Client(check),
};

fn check(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    for hb in &model.heartbeats {
        let HeartbeatKind::Interval(f) = &hb.kind else {
            continue;
        };
        // A self-rescheduling timeout keeps a new handle every round: not
        // followed.
        if f.uncertain || f.rescheduled {
            continue;
        }
        match &f.handle {
            Handle::Discarded => {
                if f.top_level {
                    continue;
                }
                let d = cx.report(
                    &model.source,
                    hb.callee,
                    "heartbeat interval whose handle is thrown away: nothing can ever clear it",
                );
                d.primary("handle not kept");
                d.help(
                    "each new connection adds another interval that keeps sending on a dead socket; keep it (`heartbeatRef.current = setInterval(...)`) and clearInterval it in the close handler",
                );
            }
            Handle::Kept(paths) => {
                if f.cleared_on_close {
                    continue;
                }
                let leaks = if f.per_connection {
                    model.reconnects || f.cleared_elsewhere.is_empty()
                } else {
                    f.cleared_elsewhere.is_empty()
                };
                let name = &paths[0];
                if !leaks {
                    // Opened again with no close handler to clear it: the
                    // function that sets the handle runs again and drops
                    // the running interval on the floor.
                    let Some((func, why)) = &f.rerun else {
                        continue;
                    };
                    let d = cx.report(
                        &model.source,
                        hb.callee,
                        format!(
                            "heartbeat interval `{name}` leaks when `{func}` runs again ({why} runs it): the new interval overwrites the handle while the old one keeps running"
                        ),
                    );
                    d.primary("handle overwritten here");
                    for s in &f.cleared_elsewhere {
                        d.label(&model.source, *s, "clears only the latest one");
                    }
                    d.help(format!(
                        "every extra run adds an interval nothing can clear any more; call `clearInterval({name})` before starting a new one (or return early while one is running)"
                    ));
                    continue;
                }
                let message = if !f.cleared_elsewhere.is_empty() {
                    format!(
                        "heartbeat interval `{name}` is cleared only on teardown, not when the socket closes: each reconnect starts another one"
                    )
                } else {
                    format!("heartbeat interval `{name}` is never cleared")
                };
                let d = cx.report(&model.source, hb.callee, message);
                d.primary("started here");
                for s in &f.cleared_elsewhere {
                    d.label(&model.source, *s, "cleared here only");
                }
                d.help(format!(
                    "the old interval keeps sending on a dead socket and piles up with every reconnect; call `clearInterval({name})` in the close handler (or in a stopHeartbeat() it calls)"
                ));
            }
            Handle::Elsewhere => {}
        }
    }
}
