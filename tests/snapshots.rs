//! Snapshots of every output format over `fixtures/render`, and of the
//! demo's findings. `cargo insta review` after an intended change.

mod common;

fn render(args: &[&str]) -> String {
    let mut all = vec!["check", "fixtures/render", "--color", "never"];
    all.extend_from_slice(args);
    let out = common::run_in(&common::repo(), &all);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    common::stdout(&out)
}

#[test]
fn human() {
    insta::assert_snapshot!(render(&[]));
}

#[test]
fn concise() {
    insta::assert_snapshot!(render(&["--format", "concise"]));
}

#[test]
fn json() {
    insta::assert_snapshot!(render(&["--format", "json"]));
}

#[test]
fn github() {
    insta::assert_snapshot!(render(&["--format", "github"]));
}

#[test]
fn sarif() {
    let mut sarif: serde_json::Value =
        serde_json::from_str(&render(&["--format", "sarif"])).unwrap();
    // Rule descriptors carry whole docs and the version: shown by id only
    // (tests/cli.rs validates them against the schema).
    let driver = &mut sarif["runs"][0]["tool"]["driver"];
    driver["semanticVersion"] = "[version]".into();
    let ids: Vec<serde_json::Value> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    driver["rules"] = ids.into();
    insta::assert_snapshot!(serde_json::to_string_pretty(&sarif).unwrap());
}

#[test]
fn demo_findings() {
    let out = common::run_in(
        &common::repo(),
        &["check", "fixtures/demo", "--format", "concise"],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(common::stdout(&out));
}

/// `wslint routes` over the demo: every websocket path with the hops it
/// crosses, for a person.
#[test]
fn demo_routes() {
    let out = common::run_in(
        &common::repo(),
        &["routes", "fixtures/demo", "--color", "never"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    insta::assert_snapshot!(common::stdout(&out));
}

/// The same as one JSON document.
#[test]
fn demo_routes_json() {
    let out = common::run_in(
        &common::repo(),
        &["routes", "fixtures/demo", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    insta::assert_snapshot!(common::stdout(&out));
}

/// The human output on Vue and Svelte components: snippets, labels and
/// help in the `.vue`/`.svelte` files as written (multi-byte markup before
/// the script, a value defined in the other `<script>` block).
#[test]
fn component_human() {
    let out = common::run_in(
        &common::repo(),
        &["check", "fixtures/render-components", "--color", "never"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    insta::assert_snapshot!(common::stdout(&out));
}
