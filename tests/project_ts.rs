//! The TypeScript/JavaScript project model end to end: what is read, where
//! labels land, and where an imported terminal set is reported whether or
//! not its defining module is checked in the same run.

mod common;

use std::path::PathBuf;

use serde_json::Value;

const SOCKET: &str = r#"import { HEARTBEAT_MS } from "./config";
import { formatStatus } from "./util/format";

export function connect(url: string, show: (s: string) => void): WebSocket {
  const ws = new WebSocket(url);
  const ping = setInterval(() => ws.send("ping"), HEARTBEAT_MS);
  ws.onclose = (e) => {
    clearInterval(ping);
    show(formatStatus(e.code));
  };
  return ws;
}
"#;

/// A project with `unrelated` TypeScript files nobody imports, a socket
/// module, the barrel and the module its heartbeat comes from, and a module
/// it imports only a function from.
fn big_project(unrelated: usize) -> tempfile::TempDir {
    let mut files: Vec<(String, String)> = (0..unrelated)
        .map(|i| {
            (
                format!("src/feature{}/part{i}.ts", i % 17),
                format!("export const VALUE_{i} = {i};\nexport function f{i}() {{ return VALUE_{i}; }}\n"),
            )
        })
        .collect();
    files.push(("src/socket.ts".into(), SOCKET.into()));
    files.push((
        "src/config/index.ts".into(),
        "export * from \"./timing\";\n".into(),
    ));
    files.push((
        "src/config/timing.ts".into(),
        "export const HEARTBEAT_MS = 30_000;\n".into(),
    ));
    files.push((
        "src/util/format.ts".into(),
        "export const formatStatus = (code: number) => `closed (${code})`;\n".into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    common::tree(&refs)
}

#[test]
fn only_the_modules_a_value_comes_from_are_read() {
    let dir = big_project(400);
    let settings = wslint::Settings::from_options(&wslint::Options {
        paths: vec![dir.path().to_path_buf()],
        jobs: Some(4),
        ..wslint::Options::default()
    })
    .expect("settings");
    let report = wslint::run(&settings);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["WS101"]);
    // config/index.ts and config/timing.ts: not util/format.ts (only a
    // function is imported from it), not the 400 others.
    assert_eq!(report.dependencies_read, 2);
    assert_eq!(report.files_checked, 1);
}

#[test]
fn the_value_label_lands_in_the_defining_file() {
    let dir = big_project(3);
    let (items, out) = common::json_in(dir.path(), &["src"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(items.len(), 1, "{items:#?}");
    let d = &items[0];
    assert_eq!(d["code"], "WS101");
    assert_eq!(d["path"], "src/socket.ts");
    assert_eq!(d["line"], 6);
    let labels = d["labels"].as_array().unwrap();
    let label = labels
        .iter()
        .find(|l| l["message"] == "value defined here")
        .expect("a value label");
    assert_eq!(label["path"], "src/config/timing.ts");
    assert_eq!(label["line"], 1);
    assert_eq!(label["column"], 29);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("set HEARTBEAT_MS = 20_000"),
        "{}",
        d["help"]
    );
}

fn case(name: &str) -> PathBuf {
    common::repo().join("fixtures/projects").join(name)
}

/// (path, line, labels as `path:line message`) of each WS103.
fn ws103(items: &[Value]) -> Vec<(String, u64, Vec<String>)> {
    items
        .iter()
        .filter(|d| d["code"] == "WS103")
        .map(|d| {
            let labels = d["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    format!(
                        "{}:{} {}",
                        l["path"].as_str().unwrap(),
                        l["line"],
                        l["message"].as_str().unwrap()
                    )
                })
                .collect();
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                labels,
            )
        })
        .collect()
}

#[test]
fn an_imported_terminal_set_is_reported_once_per_run() {
    let dir = case("ts-imported-terminal-set");
    // The whole project: at the definition, once.
    let (items, _) = common::json_in(&dir, &["."]);
    let at_definition = ("src/lib/closeCodes.ts".to_string(), 3, Vec::<String>::new());
    let alerts = (
        "src/alertsFeed.ts".to_string(),
        2,
        vec![
            "src/alertsFeed.ts:9 tested here".to_string(),
            "src/lib/closeCodes.ts:6 defined here".to_string(),
        ],
    );
    assert_eq!(ws103(&items), [alerts.clone(), at_definition.clone()]);

    // A pre-commit style file list with the defining module: still there.
    let (items, _) = common::json_in(&dir, &["src/jobsFeed.ts", "src/lib/closeCodes.ts"]);
    assert_eq!(ws103(&items), [at_definition]);

    // Without it: at the import, labelled with the definition.
    let (items, _) = common::json_in(&dir, &["src/jobsFeed.ts"]);
    assert_eq!(
        ws103(&items),
        [(
            "src/jobsFeed.ts".to_string(),
            1,
            vec![
                "src/jobsFeed.ts:8 tested here".to_string(),
                "src/lib/closeCodes.ts:3 defined here".to_string(),
            ],
        )]
    );
}

#[test]
fn cross_module_output_does_not_depend_on_threads() {
    let dir = common::repo().join("fixtures/projects");
    let run = |jobs: &str| {
        let out = common::run_in(&dir, &["check", "--format", "json", "--jobs", jobs, "."]);
        common::stdout(&out)
    };
    let one = run("1");
    assert!(one.contains("WS101"));
    for _ in 0..3 {
        assert_eq!(run("8"), one);
    }
}
