//! Server rules (Python FastAPI/Starlette). Each reads one module's
//! [`ServerModel`], except WS203, which reads every module's routes linked
//! across modules ([`ServerProject`]).
//!
//! [`ServerModel`]: crate::lang::python::ServerModel
//! [`ServerProject`]: crate::project::python::ServerProject

pub mod ws201_server_idle_keepalive;
pub mod ws202_server_ping_reply;
pub mod ws203_ws_route_org_filter;
pub mod ws204_invalid_server_close_code;
pub mod ws205_close_before_accept;

use crate::diagnostic::Diagnostic;
use crate::lang::python::{Code, ServerModel, Step};

/// `30`, `20.5`.
pub(crate) fn seconds(s: f64) -> String {
    if s.fract() == 0.0 && s.abs() < 1e15 {
        format!("{}", s as i64)
    } else {
        format!("{s}")
    }
}

/// Labels the calls that lead from the endpoint to a site in a helper.
pub(crate) fn label_steps(d: &mut Diagnostic, model: &ServerModel, via: &[Step]) {
    for s in via {
        d.label(&model.source, s.span, s.label.clone());
    }
}

/// A close code for a message: `4001`, `1008 (`status.WS_1008_POLICY_VIOLATION`)`,
/// `` `code` `` when unknown; `None` for a long expression.
pub(crate) fn describe_code(code: &Code) -> Option<String> {
    let text = code.text.split_whitespace().collect::<Vec<_>>().join(" ");
    match code.value.number() {
        Some(n) if n.fract() == 0.0 => {
            let shown = (n as i64).to_string();
            Some(if text == shown || text.replace('_', "") == shown {
                shown
            } else {
                format!("{shown} (`{}`)", short(&text))
            })
        }
        _ if text.len() <= 40 => Some(format!("`{text}`")),
        _ => None,
    }
}

fn short(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_string()
    } else {
        let head: String = text.chars().take(37).collect();
        format!("{head}...")
    }
}
