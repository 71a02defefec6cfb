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
    let help = match model.product {
        Product::Apache => passes("`apachectl configtest`"),
        Product::Nginx => passes("`nginx -t`"),
        Product::Haproxy => passes("`haproxy -c -f FILE`"),
        Product::IngressNginx | Product::AwsAlb | Product::GcpLb => format!(
            "write the value as {} reads it; until then the rules read the route as the product does, on its default",
            model.product.name()
        ),
    };
    for (loc, message) in &model.syntax {
        let d = cx.report(&loc.file, loc.span, message.clone());
        d.help(help.clone());
    }
}

fn passes(test: &str) -> String {
    format!("fix it so that {test} passes; the rules below it read the file as the proxy would")
}
