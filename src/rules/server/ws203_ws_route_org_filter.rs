//! WS203: a websocket route that does no org filtering while a sibling
//! route of the same resource does, or a route matching
//! `server.org_scoped_routes` that does none.

use regex::Regex;

use std::collections::HashMap;

use crate::lang::python::{Endpoint, EndpointKind, NameUse, Route};
use crate::project::python::{LinkedModule, ServerProject};
use crate::rule::{Check, Ctx, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS203",
    name: "ws-route-org-filter",
    aliases: &[],
    family: Family::Server,
    severity: Severity::Error,
    summary: "a websocket route with no org filtering while a sibling route does, or one of `server.org_scoped_routes`",
    doc: include_str!("../../../rules/WS203-ws-route-org-filter.md"),
    check: Check::ServerProject(check),
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

/// Whether `path` matches a `server.org_scoped_routes` pattern: the
/// pattern's segments against the route's last segments (a suffix of the
/// path at a segment boundary, so the prefixes an application mounts the
/// route under do not matter: `/api/v1/ws/jobs` matches `/ws/jobs`,
/// `/api/v1/news/jobs` does not), a `{...}` in the pattern (`{*}`, `{id}`)
/// matching any one path-parameter segment, other segments literally;
/// trailing slashes ignored. The pattern `/` matches the root only.
pub(crate) fn scoped(pattern: &str, path: &str) -> bool {
    let segments = |s: &str| -> Vec<String> {
        s.trim_matches('/')
            .split('/')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let p = segments(pattern);
    let r = segments(path);
    if p.is_empty() {
        return r.is_empty();
    }
    r.len() >= p.len()
        && p.iter()
            .zip(&r[r.len() - p.len()..])
            .all(|(a, b)| if is_param(a) { is_param(b) } else { a == b })
}

/// Trims a module's model to what the project phases read, keeping of its
/// names those this rule looks for: those that match the org pattern, none
/// when the rule is off.
pub(crate) fn keep_for_project(
    settings: &crate::Settings,
    model: &mut crate::lang::python::ServerModel,
) {
    if settings.selection.rules().any(|r| r.code == RULE.code) {
        let re = &settings.config.server.org_filter_pattern;
        model.keep_for_project(|n| org_name(re, n));
    } else {
        model.keep_for_project(|_| false);
    }
}

fn org_use<'m>(re: &Regex, e: &'m Endpoint) -> Option<&'m NameUse> {
    e.names.iter().find(|n| org_name(re, &n.name))
}

/// Routes are siblings when their family, completeness and root agree.
type FamilyKey<'a> = (String, bool, &'a str);

/// A routed endpoint of some module, with where it filters by org.
struct Routed<'a> {
    module: &'a LinkedModule,
    endpoint: &'a Endpoint,
    routes: &'a [Route],
    filter: Option<&'a NameUse>,
}

/// `line 12` in the same file, `app/routes/jobs.py:12` in another.
fn place(module: &LinkedModule, other: &LinkedModule, offset: usize) -> String {
    let line = other.model.source.line_col(offset).line;
    if std::sync::Arc::ptr_eq(&module.model, &other.model) {
        format!("line {line}")
    } else {
        format!("{}:{line}", other.model.source.path.display())
    }
}

fn check(project: &ServerProject, cx: &mut Ctx) {
    let re = &cx.config.server.org_filter_pattern;
    let routed: Vec<Routed> = project
        .modules
        .iter()
        .flat_map(|m| {
            m.model
                .endpoints
                .iter()
                .zip(&m.routes)
                .filter(|(e, routes)| e.kind != EndpointKind::Annotated && !routes.is_empty())
                .map(move |(e, routes)| Routed {
                    module: m,
                    endpoint: e,
                    routes,
                    filter: org_use(re, e),
                })
        })
        .collect();
    // The routes of endpoints that do filter, by family, completeness and
    // root: each unfiltered route looks up its siblings instead of scanning
    // every route of the project.
    let mut filtering: HashMap<FamilyKey<'_>, Vec<(usize, &Route)>> = HashMap::new();
    for (j, o) in routed.iter().enumerate() {
        if o.filter.is_none() {
            continue;
        }
        for s in o.routes {
            filtering
                .entry((family(&s.path), s.complete, s.root.as_str()))
                .or_default()
                .push((j, s));
        }
    }
    for (i, r) in routed.iter().enumerate() {
        if !r.module.checked || r.filter.is_some() {
            continue;
        }
        let file = &r.module.model.source;
        for route in r.routes {
            let key = (family(&route.path), route.complete, route.root.as_str());
            // A sibling served by the same application (or under the same
            // unknown prefix); one of the same module first, else the first
            // endpoint in order.
            let mut seen = std::collections::HashSet::new();
            let sibling = filtering
                .get(&key)
                .into_iter()
                .flatten()
                .filter(|&&(j, s)| j != i && s.path != route.path)
                // An endpoint's first route of the family, as before.
                .filter(|&&(j, _)| seen.insert(j))
                .map(|&(j, s)| {
                    let o = &routed[j];
                    (o, s, o.filter.expect("indexed only when filtering"))
                })
                .min_by_key(|(o, _, _)| !std::sync::Arc::ptr_eq(&o.module.model, &r.module.model));
            if let Some((o, s, f)) = sibling {
                let other = &o.module.model.source;
                let d = cx.report(
                    file,
                    route.span,
                    format!(
                        "websocket route `{}` does no org filtering, but its sibling `{}` does (`{}`, {})",
                        route.path,
                        s.path,
                        f.name,
                        place(r.module, o.module, f.span.start)
                    ),
                );
                d.primary("no org filtering");
                d.label(other, s.span, format!("sibling route `{}`", s.path));
                d.label(other, f.span, format!("filters by `{}` here", f.name));
                d.help(format!(
                    "filter `{}` by the caller's org as `{}` does; without it any authenticated user receives every tenant's data",
                    r.endpoint.name, s.path
                ));
                continue;
            }
            // A path under a prefix that cannot be resolved is the known
            // end of the real one: a pattern that matches that end matches
            // whatever the prefix is (`/ws/jobs` under `os.environ[...]`);
            // one longer than it cannot be told (`/jobs` may be
            // `/ws/jobs`), nor can the root.
            if let Some(p) = cx.config.server.org_scoped_routes.iter().find(|p| {
                scoped(p, &route.path) && (route.complete || !p.trim_matches('/').is_empty())
            }) {
                let d = cx.report(
                    file,
                    route.span,
                    format!(
                        "websocket route `{}`{} matches `server.org_scoped_routes` (`{p}`) but does no org filtering",
                        route.path,
                        if route.complete {
                            ""
                        } else {
                            " (under a prefix wslint cannot resolve)"
                        }
                    ),
                );
                d.primary("no org filtering");
                d.help(format!(
                    "filter what `{}` sends by the caller's org (a name matching `server.org_filter_pattern`, e.g. `org_id=user.org_id`); without it any authenticated user receives every tenant's data",
                    r.endpoint.name
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
        // Whatever prefix the application mounts the route under.
        assert!(scoped("/ws/jobs", "/api/v1/ws/jobs"));
        assert!(scoped("/ws/jobs/{*}", "/api/v1/ws/jobs/{job_id}"));
        assert!(scoped("/ws/jobs", "/api/v1/ws/jobs/"));
        // At a segment boundary only, and the whole pattern.
        assert!(!scoped("/ws/jobs", "/api/v1/news/jobs"));
        assert!(!scoped("/ws/jobs", "/api/v1/ws/jobs/{job_id}"));
        assert!(!scoped("/ws/jobs/{*}", "/jobs/{job_id}"));
        assert!(!scoped("/ws/jobs", "/jobs"));
        assert!(scoped("/", "/"));
        assert!(!scoped("/", "/ws"));
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
