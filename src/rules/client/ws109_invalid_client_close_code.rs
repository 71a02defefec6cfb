//! WS109: `ws.close(code)` with a code the browser (or Node's `ws`) rejects.

use crate::lang::ts::ClientModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::meaning;

pub static RULE: Rule = Rule {
    code: "WS109",
    name: "invalid-client-close-code",
    aliases: &[],
    family: Family::Client,
    severity: Severity::Error,
    summary: "`ws.close(code)` with a code the browser rejects (only 1000 and 3000-4999 are allowed)",
    doc: include_str!("../../../rules/WS109-invalid-client-close-code.md"),
    check: Check::Client(check),
};

fn browser_ok(n: f64) -> bool {
    n == 1000.0 || (3000.0..=4999.0).contains(&n)
}

/// Node's `ws` (`lib/validation.js` `isValidStatusCode`): 1000-1014 but
/// 1004-1006, and 3000-4999.
fn node_ok(n: f64) -> bool {
    browser_ok(n) || ((1000.0..=1014.0).contains(&n) && !(1004.0..=1006.0).contains(&n))
}

fn check(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    for call in &model.close_calls {
        // WebIDL clamps fractions; those are not worth a finding.
        let Some(n) = call.code.number().filter(|n| n.fract() == 0.0) else {
            continue;
        };
        let ok = if call.node_ws {
            node_ok(n)
        } else {
            browser_ok(n)
        };
        if ok {
            continue;
        }
        let shown = format!("{}", n as i64);
        let what = match (0.0..=65535.0)
            .contains(&n)
            .then(|| meaning(n as u16))
            .flatten()
        {
            Some(m) => format!("{shown} ({m})"),
            None => shown.clone(),
        };
        let message = if call.node_ws {
            format!(
                "close code {what} is rejected by the `ws` library: close() accepts 1000-1014 except 1004-1006, and 3000-4999"
            )
        } else {
            format!(
                "close code {what} is rejected by the browser: WebSocket.close() accepts only 1000 or 3000-4999 and throws InvalidAccessError otherwise"
            )
        };
        let d = cx.report(&model.source, call.span, message);
        d.primary("close code");
        if let Some(o) = call
            .code
            .origin
            .as_ref()
            .filter(|o| o.span != call.span || o.file.path != model.source.path)
        {
            d.label(&o.file, o.span, "value defined here");
        }
        d.help(
            "the call throws and the socket is never closed; use 1000 for a normal close, or an application code in 4000-4999 (4000 for \"client going away\")",
        );
        // Unsafe: the server then sees a normal closure, where the code
        // may have meant something to it.
        let written = model.source.text.get(call.span.start..call.span.end);
        if written
            .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
        {
            d.fix(
                crate::diagnostic::Applicability::Unsafe,
                "close with 1000 (normal closure)",
                vec![crate::diagnostic::Edit {
                    file: model.source.clone(),
                    span: call.span,
                    replacement: "1000".into(),
                }],
            );
        }
    }
}
