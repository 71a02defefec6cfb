//! WS105: an effect that opens a socket with an access token and no early
//! return while the token is missing.

use crate::lang::ts::names::words;
use crate::lang::ts::{Bound, ClientModel, Moment, NameRef, Open, OutsideOpen, TokenSource};
use crate::rule::{Check, Ctx, Family, Rule, Severity};
use crate::settings::ClientConfig;

pub static RULE: Rule = Rule {
    code: "WS105",
    name: "token-null-guard",
    aliases: &[],
    family: Family::Client,
    severity: Severity::Error,
    summary: "an effect (React's, or a Vue or Svelte hook) that opens a socket with an access token and no early return on a missing token",
    doc: include_str!("../../../rules/WS105-token-null-guard.md"),
    check: Check::Client(check),
};

/// The token references of an opening that matter: names matching
/// `client.token_pattern` that may be null.
pub(crate) fn tokens<'a>(open: &'a Open, cfg: &ClientConfig) -> Vec<&'a NameRef> {
    let mut out: Vec<&NameRef> = Vec::new();
    for r in &open.refs {
        if !cfg.token_pattern.is_match(&r.name) || r.non_null || r.bound == Bound::Global {
            continue;
        }
        if r.path.split('.').any(|p| p == "current") {
            continue;
        }
        if !out.iter().any(|o| o.path == r.path) {
            out.push(r);
        }
    }
    out
}

/// Whether a guard on the way reads the token (or its object, or an
/// authentication flag standing for it).
fn guarded(open: &Open, token: &NameRef, cfg: &ClientConfig) -> bool {
    let root = token.path.split('.').next().unwrap_or(&token.path);
    open.guarded_by.iter().any(|g| {
        g == &token.path
            || g == root
            || token.path.starts_with(&format!("{g}."))
            || g.starts_with(&format!("{}.", token.path))
            || cfg
                .token_pattern
                .is_match(g.rsplit('.').next().unwrap_or(g))
            || words(g.rsplit('.').next().unwrap_or(g)).iter().any(|w| {
                matches!(
                    w.as_str(),
                    "authenticated"
                        | "authed"
                        | "auth"
                        | "session"
                        | "user"
                        | "logged"
                        | "signed"
                        | "credentials"
                        | "token"
                        | "unauthenticated"
                )
            })
    })
}

fn check(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    let cfg = &cx.config.client;
    for e in &model.effects {
        if e.truncated {
            continue;
        }
        for open in &e.opens {
            let Some(token) = tokens(open, cfg)
                .into_iter()
                .find(|t| !guarded(open, t, cfg))
            else {
                continue;
            };
            let d = cx.report(
                &model.source,
                open.span,
                format!(
                    "socket opened with `{}` and no check that it is there: before sign-in or after logout it is null, and the server refuses the connection",
                    token.path
                ),
            );
            d.primary("opened here");
            d.label(&model.source, token.span, "token read here");
            d.label(&model.source, e.span, "in this effect");
            d.help(format!(
                "a null token is rejected with 4001, which a terminal-code client never retries, so the socket stays down after the token arrives; return early while it is missing: `if (!{}) return;` at the top of the effect",
                token.path
            ));
        }
    }
    // Reported once per socket: the first unchecked read.
    let mut reported = std::collections::HashSet::new();
    for o in &model.outside_opens {
        let Some(token) = tokens(&o.open, cfg)
            .into_iter()
            .find(|t| !guarded(&o.open, t, cfg))
        else {
            continue;
        };
        if !reported.insert(o.open.span) {
            continue;
        }
        report_outside(model, cx, o, token);
    }
}

fn report_outside(model: &ClientModel, cx: &mut Ctx, o: &OutsideOpen, token: &NameRef) {
    let when = match &o.moment {
        Moment::ModuleLoad => "when the module loads".to_string(),
        Moment::ComponentSetup => "when the component is created".to_string(),
        Moment::ClassField => "when the object is created (a class field)".to_string(),
        Moment::Constructor => "when the object is constructed".to_string(),
        Moment::StoreAction(n) => format!("when the store action `{n}` runs"),
        Moment::Function(n) => format!("when `{n}` runs"),
    };
    let (from, why) = match &o.source {
        TokenSource::Storage(s) => (
            format!("`{s}`"),
            "before sign-in, after logout or in a fresh tab the key is absent and `getItem` returns null",
        ),
        TokenSource::Store => (
            "the store".to_string(),
            "the store holds no token until sign-in completes, and none after logout",
        ),
        TokenSource::Cookie => (
            "a cookie".to_string(),
            "the cookie is absent before sign-in and once it expires",
        ),
    };
    let d = cx.report(
        &model.source,
        o.open.span,
        format!(
            "socket opened {when} with `{}` read from {from} and no check that it is there: {why}, so the server refuses the connection",
            token.path
        ),
    );
    d.primary("opened here");
    d.label(&model.source, token.span, "token read here");
    d.help(format!(
        "a missing token is rejected with 4001, which a terminal-code client never retries; open the socket only once the token is there (`if (!{}) return;` before opening, or open it from the sign-in path)",
        token.path
    ));
}
