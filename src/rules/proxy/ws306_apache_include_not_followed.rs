//! WS306: an `Include` wslint did not read: outside the scanned tree, no
//! match, or past the nesting and glob limits. What it would set is unknown,
//! so WS302 stays quiet for the routes it could affect.

use crate::lang::apache::ApacheModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS306",
    name: "apache-include-not-followed",
    family: Family::Proxy,
    severity: Severity::Warning,
    summary: "an Include wslint did not read (outside the scanned tree, missing, or past a limit)",
    doc: include_str!("../../../rules/WS306-apache-include-not-followed.md"),
    check: Check::Apache(check),
};

fn check(model: &ApacheModel, cx: &mut Ctx) {
    for u in &model.unfollowed {
        let d = cx.report(
            &u.loc.file,
            u.loc.span,
            format!(
                "Include not followed: {}; timeouts it may set are unknown to wslint",
                u.reason
            ),
        );
        d.help("check the tree that holds the included files too, set `apache.server_root` to where they live, or suppress this if they are deployed separately");
    }
}
