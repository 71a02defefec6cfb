//! WS106: an effect that opens a socket with an access token but does not
//! list the token in its dependency array.

use crate::lang::ts::{Bound, ClientModel, Deps};
use crate::rule::{Check, Ctx, Family, Rule, Severity};
use crate::source::Span;

use super::ws105_token_null_guard::tokens;

pub static RULE: Rule = Rule {
    code: "WS106",
    name: "token-effect-deps",
    aliases: &[],
    family: Family::Client,
    severity: Severity::Error,
    summary: "an effect that opens a socket with an access token but leaves the token out of its dependency array",
    doc: include_str!("../../../rules/WS106-token-effect-deps.md"),
    check: Check::Client(check),
};

/// Whether a dependency list covers `path` (`auth` covers `auth.token`).
fn covers(list: &[String], path: &str) -> bool {
    list.iter()
        .any(|d| d == path || path.starts_with(&format!("{d}.")))
}

fn with(list: &[String], add: &str) -> String {
    let mut items: Vec<&str> = list.iter().map(String::as_str).collect();
    items.push(add);
    format!("[{}]", items.join(", "))
}

/// Safe: the effect runs again when the token changes, as it must.
fn add_dep(
    d: &mut crate::diagnostic::Diagnostic,
    file: &crate::source::Source,
    deps: Span,
    token: &str,
) {
    if let Some(edit) = super::fixes::append_to_array(file, deps, &[token.to_string()], false) {
        d.fix(
            crate::diagnostic::Applicability::Safe,
            format!("add `{token}` to the dependency array"),
            vec![edit],
        );
    }
}

fn check(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    let cfg = &cx.config.client;
    let mut reported: Vec<Span> = Vec::new();
    for e in &model.effects {
        let Deps::List(deps_span, deps) = &e.deps else {
            continue;
        };
        for open in &e.opens {
            for token in tokens(open, cfg) {
                if token.bound != Bound::Component || covers(deps, &token.path) {
                    continue;
                }
                // Reached through a component-level function: the effect
                // depends on the function, the function on the token.
                if let Some(via) = &open.via
                    && covers(deps, &via.name)
                {
                    let Some(Deps::List(cb_span, cb_deps)) = &via.deps else {
                        continue;
                    };
                    if covers(cb_deps, &token.path) || reported.contains(cb_span) {
                        continue;
                    }
                    reported.push(*cb_span);
                    let d = cx.report(
                            &model.source,
                            *cb_span,
                            format!(
                                "`{}` opens the socket with `{}` but its useCallback dependencies do not list it",
                                via.name, token.path
                            ),
                        );
                    d.primary("dependencies");
                    d.label(&model.source, token.span, "token read here");
                    d.help(format!(
                            "the effect that calls `{}` then never sees a new token and keeps a socket opened with the old (or null) one; list it: `{}`",
                            via.name,
                            with(cb_deps, &token.path)
                        ));
                    add_dep(d, &model.source, *cb_span, &token.path);
                    continue;
                }
                if reported.contains(deps_span) {
                    continue;
                }
                reported.push(*deps_span);
                let through = open
                    .via
                    .as_ref()
                    .map(|v| format!(" (through `{}`)", v.name))
                    .unwrap_or_default();
                let d = cx.report(
                    &model.source,
                    *deps_span,
                    format!(
                        "effect opens a socket with `{}`{through} but its dependency array does not list it",
                        token.path
                    ),
                );
                d.primary("dependencies");
                d.label(&model.source, token.span, "token read here");
                d.help(format!(
                    "after sign-in or a token refresh the effect does not run again, so the socket keeps the old (or null) token; list it: `{}`",
                    with(deps, &token.path)
                ));
                add_dep(d, &model.source, *deps_span, &token.path);
            }
        }
    }
}
