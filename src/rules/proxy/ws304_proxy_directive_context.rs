//! WS304: a timeout directive where the product refuses or ignores it:
//! Apache `ProxyTimeout`/`Timeout` in per-directory sections or
//! `.htaccess`, `ProxyWebsocketIdleTimeout` (no httpd 2.4 release knows
//! it); nginx timeouts and `proxy_set_header` inside `if`, `upstream` or
//! `map`; HAProxy timeouts on the side of a proxy that has none.

use crate::proxy::{MisplacedKind, Product, ProxyModel};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS304",
    name: "proxy-directive-context",
    aliases: &["apache-directive-context"],
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "a timeout directive where the product refuses or ignores it: Apache <Location>/<Directory>/<Proxy>/.htaccess or ProxyWebsocketIdleTimeout, nginx `if`/`upstream`/`map`, HAProxy's wrong side",
    doc: include_str!("../../../rules/WS304-proxy-directive-context.md"),
    check: Check::Proxy(check),
};

fn check(model: &ProxyModel, cx: &mut Ctx) {
    for m in &model.misplaced {
        match (&m.kind, m.product) {
            (MisplacedKind::Unknown, _) => {
                let d = cx.report(
                    &m.loc.file,
                    m.loc.span,
                    format!(
                        "`{}` exists in no httpd 2.4 release (only on the 2.5 development trunk): httpd 2.4 refuses to start with \"Invalid command\"",
                        m.directive
                    ),
                );
                d.help("remove it; keep idle websockets open with a client heartbeat of at most 20 s and `ProxyTimeout 60` (or more) on the vhost");
            }
            (MisplacedKind::Htaccess, _) => {
                let canonical = apache_canonical(&m.directive);
                let d = cx.report(
                    &m.loc.file,
                    m.loc.span,
                    format!(
                        "`{}` is not allowed in .htaccess: httpd answers every request under this directory with 500 Internal Server Error (\"{canonical} not allowed here\")",
                        m.directive
                    ),
                );
                d.help(format!(
                    "{}; .htaccess files cannot set server timeouts",
                    apache_fix(canonical)
                ));
            }
            (MisplacedKind::Section { section, at }, Product::Apache) => {
                let canonical = apache_canonical(&m.directive);
                let d = cx.report(
                    &m.loc.file,
                    m.loc.span,
                    format!(
                        "`{}` is not allowed inside `{section}`: httpd refuses to start (\"{canonical} not allowed here\"), so this value is never applied",
                        m.directive
                    ),
                );
                d.label(&at.file, at.span, "per-directory section opened here");
                d.help(apache_fix(canonical));
                move_fix(
                    d,
                    &m.loc,
                    at,
                    &format!("the enclosing scope of `{section}`"),
                );
            }
            (MisplacedKind::Section { section, at }, Product::Nginx) => {
                let d = cx.report(
                    &m.loc.file,
                    m.loc.span,
                    format!(
                        "`{}` is not allowed inside `{section}`: `nginx -t` fails (\"directive is not allowed here\"), so this value is never applied",
                        m.directive
                    ),
                );
                d.label(&at.file, at.span, "block opened here");
                d.help(format!(
                    "move it to the enclosing `location`, `server` or `http` block: `{}` is taken only there",
                    m.directive
                ));
            }
            (MisplacedKind::Section { section, at }, Product::Haproxy) => {
                let d = cx.report(
                    &m.loc.file,
                    m.loc.span,
                    format!(
                        "`{}` is not a `{section}` keyword: HAProxy refuses the configuration",
                        m.directive
                    ),
                );
                d.label(&at.file, at.span, "section opened here");
                d.help("move it to `defaults`, or to the frontend, backend or listen section it is meant for");
            }
            (MisplacedKind::Section { section, at }, product) => {
                let d = cx.report(
                    &m.loc.file,
                    m.loc.span,
                    format!(
                        "`{}` has no effect in `{section}`: {} does not read it there",
                        m.directive,
                        product.name()
                    ),
                );
                d.label(&at.file, at.span, "declared here");
                d.help("move it to the resource that configures the route");
            }
            (MisplacedKind::Refused { why }, _) => {
                let d = cx.report(
                    &m.loc.file,
                    m.loc.span,
                    format!("`{}` is refused here: {why}", m.directive),
                );
                d.help("remove it from this block; set the HTTP proxy's timeouts in its `location`, `server` or `http` block");
            }
            (MisplacedKind::Ignored { why }, product) => {
                let d = cx.report(
                    &m.loc.file,
                    m.loc.span,
                    format!("`{}` has no effect here: {why}", m.directive),
                );
                d.help(match product {
                    Product::Nginx => {
                        "move it into the `location`, `server` or `http` block it is meant for"
                    }
                    _ => "move it to the section whose side of the connection it governs",
                });
            }
        }
    }
}

/// Unsafe: the value then applies to everything the enclosing block serves,
/// not only what the section matched.
fn move_fix(
    d: &mut crate::diagnostic::Diagnostic,
    directive: &crate::proxy::Loc,
    section: &crate::proxy::Loc,
    to: &str,
) {
    if let Some(edits) = super::fixes::move_out(directive, section) {
        d.fix(
            crate::diagnostic::Applicability::Unsafe,
            format!("move it above the section, into {to}"),
            edits,
        );
    }
}

fn apache_canonical(directive: &str) -> &'static str {
    if directive.eq_ignore_ascii_case("timeout") {
        "Timeout"
    } else {
        "ProxyTimeout"
    }
}

fn apache_fix(canonical: &str) -> &'static str {
    if canonical == "ProxyTimeout" {
        "move it to the enclosing <VirtualHost> or the main server, where it applies to every proxied connection; for a single route use `ProxyPass ... timeout=N`"
    } else {
        "move it to the enclosing <VirtualHost> or the main server"
    }
}
