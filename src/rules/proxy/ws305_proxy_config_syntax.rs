//! WS305: configuration the product refuses or reads differently than it
//! is written: unbalanced sections or braces, a missing `;`, a recursive
//! include, timeout values that are not durations the product accepts.

use crate::proxy::{Product, ProxyModel};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS305",
    name: "proxy-config-syntax",
    aliases: &["apache-syntax"],
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "proxy configuration the product refuses or misreads: unbalanced sections or braces, a missing `;`, recursive includes, timeouts that are not durations it accepts",
    doc: include_str!("../../../rules/WS305-proxy-config-syntax.md"),
    check: Check::Proxy(check),
};

fn check(model: &ProxyModel, cx: &mut Ctx) {
    let test = match model.product {
        Product::Apache => "`apachectl configtest`",
        Product::Nginx => "`nginx -t`",
        Product::Haproxy => "`haproxy -c -f FILE`",
    };
    for (loc, message) in &model.syntax {
        let d = cx.report(&loc.file, loc.span, message.clone());
        d.help(format!(
            "fix it so that {test} passes; the rules below it read the file as the proxy would"
        ));
    }
}
