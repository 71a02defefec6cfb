//! WS306: an `Include` wslint did not read: outside the scanned tree, no
//! match, or past the nesting and glob limits. What it would set is unknown,
//! so WS302 stays quiet for the routes it could affect; WS306 says so, and
//! only then: an unread include that changes no verdict is not reported.

use crate::lang::apache::{ApacheModel, Level};
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
        // The websocket routes whose timeout the include could have set and
        // that have none of their own: WS302 was held back for them.
        let affected: Vec<_> = model
            .routes
            .iter()
            .filter(|r| u.vhost.is_none() || r.vhost == u.vhost)
            .filter(|r| model.effective(r).level == Level::Default)
            .collect();
        if affected.is_empty() {
            continue;
        }
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
