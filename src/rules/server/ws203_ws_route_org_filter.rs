//! WS203: a websocket route that does no org filtering while a sibling
//! route of the same resource does, or a route matching
//! `server.org_scoped_routes` that does none.

use regex::Regex;

use crate::lang::python::{Endpoint, EndpointKind, NameUse, Route, ServerModel};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

use super::line;

pub static RULE: Rule = Rule {
    code: "WS203",
    name: "ws-route-org-filter",
    family: Family::Server,
    severity: Severity::Error,
    summary: "a websocket route with no org filtering while a sibling route does, or one of `server.org_scoped_routes`",
    doc: include_str!("../../../rules/WS203-ws-route-org-filter.md"),
    check: Check::Server(check),
};

/// Whether `name` matches the org pattern, as a whole or in one of its
/// `_`-separated parts (`org_id` in `current_org_id`, `require_tenant_id`).
pub(crate) fn org_name(re: &Regex, name: &str) -> bool {
    if re.is_match(name) {
        return true;
    }
    let cuts: Vec<usize> = std::iter::once(0)
        .chain(name.match_indices('_').map(|(i, _)| i + 1))
        .collect();
    let ends: Vec<usize> = name
        .match_indices('_')
        .map(|(i, _)| i)
        .chain(std::iter::once(name.len()))
        .collect();
    cuts.iter().any(|&a| {
        ends.iter()
            .any(|&b| b > a && (a, b) != (0, name.len()) && re.is_match(&name[a..b]))
    })
}

/// The family a route belongs to: its path without trailing `{param}`
/// segments (`/ws/jobs/{job_id}` -> `/ws/jobs`).
pub(crate) fn family(path: &str) -> String {
    let mut segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    while segs.len() > 1 && segs.last().is_some_and(|s| is_param(s)) {
        segs.pop();
    }
    let f = segs.join("/");
    if f.is_empty() { "/".into() } else { f }
}

fn is_param(seg: &str) -> bool {
    seg.len() >= 2 && seg.starts_with('{') && seg.ends_with('}')
}

/// Whether `path` matches a `server.org_scoped_routes` pattern: segment by
/// segment, a `{...}` in the pattern (`{*}`, `{id}`) matching any one
/// path-parameter segment, other segments literally; trailing slashes
/// ignored.
pub(crate) fn scoped(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let r: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    p.len() == r.len()
        && p.iter()
            .zip(&r)
            .all(|(a, b)| if is_param(a) { is_param(b) } else { a == b })
}

fn org_use<'m>(re: &Regex, e: &'m Endpoint) -> Option<&'m NameUse> {
    e.names.iter().find(|n| org_name(re, &n.name))
}

fn check(model: &ServerModel, cx: &mut Ctx) {
    let re = &cx.config.server.org_filter_pattern;
    let file = &model.source;
    let routed: Vec<(usize, &Endpoint, Option<&NameUse>)> = model
        .endpoints
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind != EndpointKind::Annotated && !e.routes.is_empty())
        .map(|(i, e)| (i, e, org_use(re, e)))
        .collect();
    for &(i, e, filter) in &routed {
        if filter.is_some() {
            continue;
        }
        for route in &e.routes {
            let fam = family(&route.path);
            let sibling: Option<(&Route, &NameUse)> = routed.iter().find_map(|&(j, other, f)| {
                let f = f?;
                if j == i {
                    return None;
                }
                other
                    .routes
                    .iter()
                    .find(|s| {
                        s.path != route.path
                            && s.complete == route.complete
                            && family(&s.path) == fam
                    })
                    .map(|s| (s, f))
            });
            if let Some((s, f)) = sibling {
                let d = cx.report(
                    file,
                    route.span,
                    format!(
                        "websocket route `{}` does no org filtering, but its sibling `{}` does (`{}`, line {})",
                        route.path,
                        s.path,
                        f.name,
                        line(model, f.span.start)
                    ),
                );
                d.primary("no org filtering");
                d.label(file, s.span, format!("sibling route `{}`", s.path));
                d.label(file, f.span, format!("filters by `{}` here", f.name));
                d.help(format!(
                    "filter `{}` by the caller's org as `{}` does; without it any authenticated user receives every tenant's data",
                    e.name, s.path
                ));
                continue;
            }
            if !route.complete {
                continue;
            }
            if let Some(p) = cx
                .config
                .server
                .org_scoped_routes
                .iter()
                .find(|p| scoped(p, &route.path))
            {
                let d = cx.report(
                    file,
                    route.span,
                    format!(
                        "websocket route `{}` matches `server.org_scoped_routes` (`{p}`) but does no org filtering",
                        route.path
                    ),
                );
                d.primary("no org filtering");
                d.help(format!(
                    "filter what `{}` sends by the caller's org (a name matching `server.org_filter_pattern`, e.g. `org_id=user.org_id`); without it any authenticated user receives every tenant's data",
                    e.name
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_scopes() {
        assert_eq!(family("/ws/jobs/{job_id}"), "/ws/jobs");
        assert_eq!(family("/ws/jobs/"), "/ws/jobs");
        assert_eq!(family("/ws/jobs/{id}/logs"), "/ws/jobs/{id}/logs");
        assert_eq!(family("/{id}"), "/");
        assert!(scoped("/ws/jobs/{*}", "/ws/jobs/{job_id:int}"));
        assert!(scoped("/ws/jobs", "/ws/jobs/"));
        assert!(!scoped("/ws/jobs/{*}", "/ws/jobs/active"));
        assert!(!scoped("/ws/jobs", "/ws/jobs/{id}"));
    }

    #[test]
    fn org_names() {
        let re = Regex::new(r"(?i)\b(org|organization|tenant)_?id\b").unwrap();
        for yes in [
            "org_id",
            "orgId",
            "tenant_id",
            "current_org_id",
            "require_tenant_id_dep",
            "organization_id",
        ] {
            assert!(org_name(&re, yes), "{yes}");
        }
        for no in ["organization_identity", "job_id", "orgs", "origin_id"] {
            assert!(!org_name(&re, no), "{no}");
        }
    }
}
