//! WS307: a websocket route a proxy cannot upgrade: nginx without
//! `proxy_set_header Upgrade $http_upgrade` and a `Connection` header that
//! carries `upgrade` (a level with any `proxy_set_header` of its own
//! inherits none from above), or speaking HTTP/1.0 to the upstream; Apache
//! proxying a websocket path of the project to `http://` with neither
//! `upgrade=websocket` nor a `ws://` route.

use crate::proxy::ProxyModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS307",
    name: "proxy-upgrade-not-forwarded",
    aliases: &[],
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "a websocket route a proxy cannot upgrade: nginx without the Upgrade/Connection headers (or on HTTP/1.0), Apache to http:// without upgrade=websocket",
    doc: include_str!("../../../rules/WS307-proxy-upgrade-not-forwarded.md"),
    check: Check::Proxy(check),
};

fn check(model: &ProxyModel, cx: &mut Ctx) {
    for n in &model.not_upgraded {
        let d = cx.report(&n.loc.file, n.loc.span, n.message.clone());
        d.primary("websocket route that cannot upgrade");
        for (loc, text) in &n.labels {
            d.label(&loc.file, loc.span, text.clone());
        }
        d.help(n.help.clone());
    }
}
