//! Every rule has a doc with the sections `wslint explain` promises; each
//! doc's Example fires its rule and its Use instead does not, through the
//! real binary; the README's rule table matches the registry.

mod common;

use wslint::registry;
use wslint::rule::Rule;

const SECTIONS: [&str; 7] = [
    "What it checks",
    "Why",
    "Example",
    "Use instead",
    "Fix",
    "Configuration",
    "When to suppress",
];

/// The fenced blocks of a section: (language, code). A section may show
/// several files (a configuration, a client module and a vhost).
fn blocks(rule: &Rule, section: &str) -> Vec<(String, String)> {
    let text = rule
        .doc_section(section)
        .unwrap_or_else(|| panic!("{}: no `## {section}`", rule.code));
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let (lang, body) = after.split_once('\n').expect("fence line");
        let end = body
            .find("\n```")
            .unwrap_or_else(|| panic!("{}: unclosed block in {section}", rule.code));
        out.push((lang.trim().to_string(), body[..end + 1].to_string()));
        rest = &body[end + 4..];
    }
    assert!(!out.is_empty(), "{}: no code block in {section}", rule.code);
    out
}

fn file_name(lang: &str) -> Option<&'static str> {
    Some(match lang {
        "apache" => "site.conf",
        "nginx" => "nginx/site.conf",
        "haproxy" => "haproxy.cfg",
        "ts" | "typescript" => "example.ts",
        "tsx" => "example.tsx",
        "js" | "javascript" => "example.js",
        "jsx" => "example.jsx",
        "vue" => "Example.vue",
        "svelte" => "Example.svelte",
        "python" | "py" => "example.py",
        "toml" => "wslint.toml",
        "yaml" => "k8s/app.yaml",
        "hcl" | "terraform" => "infra/main.tf",
        _ => return None,
    })
}

const PRODUCTS: [&str; 5] = ["apache", "nginx", "haproxy", "yaml", "hcl"];

/// The cases a section's blocks make: a proxy doc shows one configuration
/// per product, each checked on its own with the section's other files (a
/// client module, a wslint.toml); other docs are one case.
fn cases(blocks: &[(String, String)]) -> Vec<Vec<(String, String)>> {
    let (products, shared): (Vec<_>, Vec<_>) = blocks
        .iter()
        .cloned()
        .partition(|(lang, _)| PRODUCTS.contains(&lang.as_str()));
    if products.is_empty() {
        return vec![shared];
    }
    products
        .into_iter()
        .map(|p| {
            let mut case = shared.clone();
            case.push(p);
            case
        })
        .collect()
}

/// Whether the files of `blocks` make the rule fire; `None` when they are
/// not files (a terminal session).
fn fires(rule: &Rule, blocks: &[(String, String)]) -> Option<bool> {
    let files: Vec<(&str, &str)> = blocks
        .iter()
        .map(|(lang, code)| Some((file_name(lang)?, code.as_str())))
        .collect::<Option<_>>()?;
    let t = common::tree(&files);
    let (items, _) = common::json_in(t.path(), &[]);
    Some(items.iter().any(|d| d["code"] == rule.code))
}

#[test]
fn every_rule_has_a_complete_doc() {
    for rule in registry::all() {
        assert!(
            rule.doc
                .starts_with(&format!("# {} {}\n", rule.code, rule.name)),
            "{}: the doc must start with `# {} {}`",
            rule.code,
            rule.code,
            rule.name
        );
        for s in SECTIONS {
            assert!(
                rule.doc_section(s).is_some(),
                "{}: missing `## {s}`",
                rule.code
            );
        }
        let path = common::repo().join(rule.doc_path());
        assert!(path.is_file(), "{} is not {}", rule.code, path.display());
    }
}

#[test]
fn examples_fire_and_their_fixes_do_not() {
    let mut checked = 0;
    for rule in registry::all() {
        let mut fired = false;
        for bad in cases(&blocks(rule, "Example")) {
            match fires(rule, &bad) {
                Some(true) => fired = true,
                Some(false) => panic!("{}: its Example does not fire:\n{bad:?}", rule.code),
                // Only the engine's examples are terminal sessions (an
                // unreadable or oversized file cannot be shown as code).
                None => assert!(
                    ["WS002", "WS003"].contains(&rule.code),
                    "{}: Example in an unknown language",
                    rule.code
                ),
            }
        }
        checked += usize::from(fired);
        for good in cases(&blocks(rule, "Use instead")) {
            if let Some(true) = fires(rule, &good) {
                panic!("{}: its Use instead fires:\n{good:?}", rule.code);
            }
        }
    }
    assert!(checked + 2 >= registry::all().len());
}

/// The component examples of the docs that show them (`## In components:
/// example` fires, `## In components: use instead` does not), as `.vue`
/// and `.svelte` files.
#[test]
fn component_examples_fire_and_their_fixes_do_not() {
    let mut shown = Vec::new();
    for rule in registry::all() {
        if rule.doc_section("In components: example").is_none() {
            continue;
        }
        shown.push(rule.code);
        let bad = blocks(rule, "In components: example");
        assert_eq!(
            fires(rule, &bad),
            Some(true),
            "{}: its component example does not fire:\n{bad:?}",
            rule.code
        );
        let good = blocks(rule, "In components: use instead");
        assert_eq!(
            fires(rule, &good),
            Some(false),
            "{}: its component fix fires:\n{good:?}",
            rule.code
        );
    }
    assert_eq!(shown, ["WS105", "WS107"]);
}

/// Each doc's `## Fix` starts with `Safe`, `Unsafe` or `None`, and says
/// what the rule offers on the fixtures: a rule whose doc says `None`
/// offers no fix there, and one that says `Safe` or `Unsafe` offers fixes
/// of that kind only, on some fixture.
#[test]
fn fix_sections_say_what_the_rules_offer() {
    let (items, _) = common::json_in(&common::repo(), &["--exit-zero", "fixtures"]);
    for rule in registry::all() {
        let said = rule.doc_section("Fix").unwrap();
        let kind = said.split([' ', '.', ':']).next().unwrap();
        let offered: std::collections::BTreeSet<&str> = items
            .iter()
            .filter(|d| d["code"] == rule.code)
            .filter_map(|d| d["fix"]["applicability"].as_str())
            .collect();
        let want: Vec<&str> = match kind {
            "Safe" => vec!["safe"],
            "Unsafe" => vec!["unsafe"],
            "None" => vec![],
            other => panic!("{}: `## Fix` starts with `{other}`", rule.code),
        };
        assert_eq!(
            offered.into_iter().collect::<Vec<_>>(),
            want,
            "{}: its doc's Fix says {kind}",
            rule.code
        );
    }
}

#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    for rule in registry::all() {
        let row = format!(
            "| {} | {} | {} |",
            rule.code,
            rule.name,
            rule.severity.as_str()
        );
        assert!(readme.contains(&row), "README.md lacks the row `{row} ...`");
    }
}

#[test]
fn proxy_docs_show_every_product_they_apply_to() {
    // `yaml` is Kubernetes manifests (ingress-nginx, the AWS Load Balancer
    // Controller, GKE), `hcl` Terraform (`aws_lb`, GCP backend services).
    // WS306 and WS307 do not apply to them: no include to miss, no upgrade
    // header to forget (their docs say why).
    let products: &[(&str, &[&str])] = &[
        ("WS301", &["apache", "nginx", "haproxy", "yaml", "hcl"]),
        ("WS302", &["apache", "nginx", "yaml", "hcl"]),
        ("WS303", &["apache", "nginx", "haproxy", "yaml", "hcl"]),
        ("WS304", &["apache", "nginx", "haproxy", "yaml"]),
        ("WS305", &["apache", "nginx", "haproxy", "yaml", "hcl"]),
        ("WS306", &["apache", "nginx"]),
        ("WS307", &["apache", "nginx"]),
        ("WS308", &["yaml", "hcl"]),
    ];
    for (code, want) in products {
        let rule = registry::by_code(code).unwrap();
        for section in ["Example", "Use instead"] {
            let langs: Vec<String> = blocks(rule, section).into_iter().map(|(l, _)| l).collect();
            for p in *want {
                assert!(
                    langs.iter().any(|l| l == p),
                    "{code}: `## {section}` has no {p} block"
                );
            }
        }
        let what = rule.doc_section("What it checks").unwrap();
        for p in *want {
            let name = match *p {
                "apache" => "Apache",
                "nginx" => "nginx",
                "haproxy" => "HAProxy",
                "yaml" => "Kubernetes",
                _ => "Terraform",
            };
            assert!(
                what.contains(name),
                "{code}: What it checks never names {name}"
            );
        }
    }
}
