//! WS304: `ProxyTimeout`/`Timeout` where httpd refuses them (per-directory
//! sections, `.htaccess`), and `ProxyWebsocketIdleTimeout`, which no httpd
//! 2.4 release knows.

use crate::lang::apache::ApacheModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS304",
    name: "apache-directive-context",
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "ProxyTimeout/Timeout where httpd refuses it (<Location>, <Directory>, <Proxy>, .htaccess), or ProxyWebsocketIdleTimeout",
    doc: include_str!("../../../rules/WS304-apache-directive-context.md"),
    check: Check::Apache(check),
};

fn check(model: &ApacheModel, cx: &mut Ctx) {
    for m in &model.misplaced {
        let lname = m.directive.to_ascii_lowercase();
        if lname == "proxywebsocketidletimeout" {
            let d = cx.report(
                &m.loc.file,
                m.loc.span,
                format!(
                    "`{}` exists in no httpd 2.4 release (only on the 2.5 development trunk): httpd 2.4 refuses to start with \"Invalid command\"",
                    m.directive
                ),
            );
            d.help("remove it; keep idle websockets open with a client heartbeat of at most 20 s and `ProxyTimeout 60` (or more) on the vhost");
            continue;
        }
        let canonical = if lname == "timeout" {
            "Timeout"
        } else {
            "ProxyTimeout"
        };
        let fix = if canonical == "ProxyTimeout" {
            "move it to the enclosing <VirtualHost> or the main server, where it applies to every proxied connection; for a single route use `ProxyPass ... timeout=N`"
        } else {
            "move it to the enclosing <VirtualHost> or the main server"
        };
        if m.htaccess {
            let d = cx.report(
                &m.loc.file,
                m.loc.span,
                format!(
                    "`{}` is not allowed in .htaccess: httpd answers every request under this directory with 500 Internal Server Error (\"{canonical} not allowed here\")",
                    m.directive
                ),
            );
            d.help(format!("{fix}; .htaccess files cannot set server timeouts"));
            continue;
        }
        let Some((section, loc)) = &m.container else {
            continue;
        };
        let d = cx.report(
            &m.loc.file,
            m.loc.span,
            format!(
                "`{}` is not allowed inside `{section}`: httpd refuses to start (\"{canonical} not allowed here\"), so this value is never applied",
                m.directive
            ),
        );
        d.label(&loc.file, loc.span, "per-directory section opened here");
        d.help(fix);
    }
}
