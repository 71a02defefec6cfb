//! WS306: an include wslint did not read: outside the scanned tree, no
//! match, a template placeholder, or past the nesting and glob limits. What
//! it would set is unknown, so WS302 and WS307 stay quiet for the routes it
//! could affect; WS306 says so, and only then: an unread include that
//! changes no verdict is not reported.

use crate::proxy::ProxyModel;
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS306",
    name: "proxy-include-not-followed",
    aliases: &["apache-include-not-followed"],
    family: Family::Proxy,
    severity: Severity::Warning,
    summary: "an Include/include wslint did not read (outside the scanned tree, missing, or past a limit) that may set what a websocket route needs",
    doc: include_str!("../../../rules/WS306-proxy-include-not-followed.md"),
    check: Check::Proxy(check),
};

fn check(model: &ProxyModel, cx: &mut Ctx) {
    for (i, u) in model.unfollowed.iter().enumerate() {
        // A read error was reported as WS002 already.
        if u.reason.is_empty() {
            continue;
        }
        // The websocket routes whose idle timeout it could set and that
        // have none of their own, or whose upgrade headers it could hold:
        // WS302 and WS307 were held back for them.
        let held_back = model
            .routes
            .iter()
            .any(|r| r.idle.is_default() && r.unknown_from.contains(&i))
            || model.upgrade_unknown_from.contains(&i);
        if !held_back {
            continue;
        }
        let d = cx.report(
            &u.loc.file,
            u.loc.span,
            format!(
                "include not followed: {}; what it may set for the websocket routes it reaches is unknown to wslint",
                u.reason
            ),
        );
        d.help("check the tree that holds the included files too, set `apache.server_root` (Apache) to where they live, or suppress this if they are deployed separately");
    }
}
