//! Every fixture against the expectations written in it.
//!
//! A fixture states what it expects in its own comments:
//!
//! - `expect: WS301` (or several, comma-separated): after code, a diagnostic
//!   of that code on the same line; alone on its line (as Apache needs), on
//!   the next line that is not blank and not another expectation;
//! - `near-miss: WS301`: the fixture looks like a WS301 case but is not; the
//!   run over it must report no WS301 at all.
//!
//! Each top-level entry of `fixtures/<family>/` (a file, or a folder for
//! cases with several files or a wslint.toml) is checked by one run of the
//! real binary; a missing or an extra diagnostic fails with file and line.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

static MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(#|//|/\*)\s*(expect|near-miss):\s*(WS\d{3}(?:\s*,\s*WS\d{3})*)").unwrap()
});

#[derive(Default)]
struct Marks {
    /// (path, line, code), with multiplicity.
    expected: BTreeMap<(String, usize, String), usize>,
    near_misses: BTreeSet<String>,
}

fn files_under(p: &Path) -> Vec<PathBuf> {
    if p.is_file() {
        return vec![p.to_path_buf()];
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).unwrap() {
        out.extend(files_under(&e.unwrap().path()));
    }
    out.sort();
    out
}

fn marks(case: &Path) -> Marks {
    let mut m = Marks::default();
    for file in files_under(case) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let rel = file
            .strip_prefix(common::repo())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(c) = MARK.captures(line) else {
                continue;
            };
            let codes: Vec<String> = c[3].split(',').map(|s| s.trim().to_string()).collect();
            if &c[2] == "near-miss" {
                m.near_misses.extend(codes);
                continue;
            }
            let standalone = line[..c.get(1).unwrap().start()].trim().is_empty();
            let target = if standalone {
                (i + 1..lines.len())
                    .find(|&j| {
                        let t = lines[j].trim();
                        !t.is_empty() && !MARK.is_match(t)
                    })
                    .unwrap_or_else(|| panic!("{rel}:{}: expectation with no line after it", i + 1))
            } else {
                i
            };
            for code in codes {
                *m.expected
                    .entry((rel.clone(), target + 1, code))
                    .or_default() += 1;
            }
        }
    }
    m
}

/// Checks every case of `fixtures/<family>`; returns the codes seen fired
/// and the near-misses declared, for the coverage test.
fn check_family(family: &str) -> (BTreeSet<String>, BTreeMap<String, usize>) {
    let root = common::repo().join("fixtures").join(family);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        // The family's README and the configuration that makes it a project
        // of its own are not cases.
        .filter(|p| {
            p.file_name()
                .is_none_or(|n| n != "README.md" && n != "wslint.toml")
        })
        .collect();
    entries.sort();
    let mut failures = Vec::new();
    let mut fired = BTreeSet::new();
    let mut near = BTreeMap::new();
    for case in entries {
        let rel = case
            .strip_prefix(common::repo())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let m = marks(&case);
        let (items, out) = common::json_in(&common::repo(), &[&rel]);
        let mut got: BTreeMap<(String, usize, String), usize> = BTreeMap::new();
        for d in &items {
            let key = (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() as usize,
                d["code"].as_str().unwrap().to_string(),
            );
            *got.entry(key).or_default() += 1;
        }
        if out.status.code() == Some(2) {
            failures.push(format!("{rel}: exit code 2: {}", common::stderr(&out)));
        }
        for (key, n) in &m.expected {
            let g = got.get(key).copied().unwrap_or(0);
            if g < *n {
                failures.push(format!(
                    "{}:{}: missing {} (expected {n}, got {g})",
                    key.0, key.1, key.2
                ));
            }
        }
        for (key, n) in &got {
            let e = m.expected.get(key).copied().unwrap_or(0);
            if *n > e {
                let message = items
                    .iter()
                    .find(|d| {
                        d["path"] == key.0.as_str()
                            && d["line"] == key.1
                            && d["code"] == key.2.as_str()
                    })
                    .map(|d| d["message"].as_str().unwrap().to_string())
                    .unwrap_or_default();
                failures.push(format!(
                    "{}:{}: unexpected {}: {message}",
                    key.0, key.1, key.2
                ));
            }
        }
        for code in &m.near_misses {
            if got.keys().any(|k| &k.2 == code) {
                failures.push(format!("{rel}: near-miss for {code} fired"));
            }
            *near.entry(code.clone()).or_default() += 1;
        }
        fired.extend(m.expected.keys().map(|k| k.2.clone()));
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
    (fired, near)
}

/// Checks `fixtures/<dir>` and that every rule of `family` fires in some
/// case and has at least two near-miss cases (`only`: just those codes).
fn check_family_coverage(
    dir: &str,
    family: wslint::rule::Family,
    only: Option<&[&str]>,
) -> BTreeSet<String> {
    let (fired, near) = check_family(dir);
    for rule in wslint::registry::all() {
        if rule.family != family || only.is_some_and(|o| !o.contains(&rule.code)) {
            continue;
        }
        assert!(
            fired.contains(rule.code),
            "no {dir} fixture fires {}",
            rule.code
        );
        assert!(
            near.get(rule.code).copied().unwrap_or(0) >= 2,
            "{dir}: {} needs at least two near-miss fixtures, has {:?}",
            rule.code,
            near.get(rule.code)
        );
    }
    fired
}

/// The proxy rules of the products that proxy (WS308 is the load
/// balancers' lifetime).
const PROXY_HOPS: &[&str] = &[
    "WS301", "WS302", "WS303", "WS304", "WS305", "WS306", "WS307",
];

#[test]
fn apache_fixtures_match_their_expectations() {
    let fired = check_family_coverage("apache", wslint::rule::Family::Proxy, Some(PROXY_HOPS));
    assert!(fired.contains("WS001"));
}

#[test]
fn nginx_fixtures_match_their_expectations() {
    let fired = check_family_coverage("nginx", wslint::rule::Family::Proxy, Some(PROXY_HOPS));
    assert!(fired.contains("WS001"));
}

#[test]
fn haproxy_fixtures_match_their_expectations() {
    // HAProxy has no include directive and never upgrades by headers it
    // could drop; with no timeout at all it closes nothing idle (WS302).
    check_family_coverage(
        "haproxy",
        wslint::rule::Family::Proxy,
        Some(&["WS301", "WS303", "WS304", "WS305"]),
    );
}

#[test]
fn kubernetes_fixtures_match_their_expectations() {
    // Manifests have no includes and no upgrade headers to drop.
    check_family_coverage(
        "kubernetes",
        wslint::rule::Family::Proxy,
        Some(&["WS301", "WS302", "WS303", "WS304", "WS305", "WS308"]),
    );
}

#[test]
fn terraform_fixtures_match_their_expectations() {
    check_family_coverage(
        "terraform",
        wslint::rule::Family::Proxy,
        Some(&["WS301", "WS302", "WS303", "WS308"]),
    );
}

#[test]
fn client_fixtures_match_their_expectations() {
    check_family_coverage("client", wslint::rule::Family::Client, None);
}

#[test]
fn component_fixtures_match_their_expectations() {
    // Vue and Svelte components: the client rules through their `<script>`
    // blocks. WS106 is about React's dependency arrays: Vue's and Svelte's
    // hooks have none, so it has near-misses only; WS109 reads
    // `close(code)` calls, which components hold like any module.
    let fired = check_family_coverage(
        "components",
        wslint::rule::Family::Client,
        Some(&[
            "WS101", "WS102", "WS103", "WS104", "WS105", "WS107", "WS108",
        ]),
    );
    assert!(fired.contains("WS001"));
    let (_, near) = check_family("components");
    assert!(near.get("WS106").copied().unwrap_or(0) >= 2);
}

#[test]
fn server_fixtures_match_their_expectations() {
    check_family_coverage("server", wslint::rule::Family::Server, None);
}

#[test]
fn project_fixtures_match_their_expectations() {
    // Cross-file cases: every rule that reads a value or a route across
    // modules has cases here; coverage per family is checked above. Each
    // case is a project of its own (its wslint.toml is its root).
    let root = common::repo().join("fixtures/projects");
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            assert!(
                p.join("wslint.toml").is_file(),
                "{} needs a wslint.toml",
                p.display()
            );
        }
    }
    check_family("projects");
}
