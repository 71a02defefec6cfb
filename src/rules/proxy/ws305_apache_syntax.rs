//! WS305: Apache configuration that httpd refuses or reads differently than
//! it is written: unbalanced sections, a continuation at the end of a file,
//! a recursive Include, timeout values that are not plain seconds.

use crate::lang::apache::ApacheModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS305",
    name: "apache-syntax",
    family: Family::Proxy,
    severity: Severity::Error,
    summary: "Apache configuration httpd refuses or misreads: unbalanced sections, recursive Include, timeouts that are not plain seconds",
    doc: include_str!("../../../rules/WS305-apache-syntax.md"),
    check: Check::Apache(check),
};

fn check(model: &ApacheModel, cx: &mut Ctx) {
    for (loc, message) in &model.syntax {
        let d = cx.report(&loc.file, loc.span, message.clone());
        d.help("fix it so that `apachectl configtest` passes; the rules below it read the file as httpd would");
    }
}
