//! The Python project model from the outside: runs on a file list (as
//! pre-commit runs wslint) still read the facts they need from the rest of
//! the project and report only on the files given; imported modules are
//! read only when a value is needed from them.

mod common;

use std::path::Path;

use common::{json_in, repo, tree};

/// Copies `fixtures/projects/<case>` into a new temporary directory.
fn copy_case(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo().join("fixtures/projects").join(case), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn summary(items: &[serde_json::Value]) -> Vec<(String, u64, String)> {
    items
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn label_paths(d: &serde_json::Value) -> Vec<String> {
    d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["path"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn one_routes_file_gets_its_prefix_from_the_module_that_includes_it() {
    let t = copy_case("py-router-included-with-prefix");
    // A problem in a file not given must not be reported.
    let detail = t.path().join("app/routes/job_detail.py");
    let text = std::fs::read_to_string(&detail).unwrap();
    std::fs::write(
        &detail,
        format!("{text}\n\nasync def close_bad(websocket: WebSocket):\n    await websocket.close(code=1006)\n"),
    )
    .unwrap();
    let (items, out) = json_in(t.path(), &["app/routes/jobs.py"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert_eq!(
        summary(&items),
        vec![("app/routes/jobs.py".to_string(), 10, "WS203".to_string())]
    );
    let d = &items[0];
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("`/ws/jobs`") && message.contains("`/ws/jobs/{job_id}`"),
        "{message}"
    );
    assert!(message.contains("app/routes/job_detail.py:13"), "{message}");
    assert!(
        label_paths(d).contains(&"app/routes/job_detail.py".to_string()),
        "the sibling is labelled in its own file: {d}"
    );

    // The whole project reports the stray close in job_detail.py too.
    let (all, _) = json_in(t.path(), &["."]);
    assert!(
        summary(&all)
            .iter()
            .any(|(p, _, c)| p == "app/routes/job_detail.py" && c == "WS204"),
        "{all:?}"
    );
}

#[test]
fn a_file_list_without_the_including_module_still_finds_it() {
    // pre-commit passes the staged files: here the routes file and an
    // unrelated one, never main.py.
    let t = copy_case("py-router-scoped-route-through-include");
    std::fs::write(
        t.path().join("app/feed.py"),
        "async def all_jobs():\n    yield {}\n",
    )
    .unwrap();
    let (items, _) = json_in(t.path(), &["--force-exclude", "app/ws.py", "app/feed.py"]);
    assert_eq!(
        summary(&items),
        vec![("app/ws.py".to_string(), 11, "WS203".to_string())]
    );
    assert!(items[0]["message"].as_str().unwrap().contains("`/ws/jobs`"));
    // Without main.py in the project, the route is `/jobs`: not scoped.
    std::fs::remove_file(t.path().join("app/main.py")).unwrap();
    let (items, _) = json_in(t.path(), &["app/ws.py"]);
    assert!(items.is_empty(), "{items:?}");
}

#[test]
fn an_imported_timeout_is_labelled_where_it_is_defined() {
    let t = copy_case("py-timeout-from-settings");
    for args in [&["app/routes/jobs.py"][..], &["."][..]] {
        let (items, _) = json_in(t.path(), args);
        assert_eq!(
            summary(&items),
            vec![("app/routes/jobs.py".to_string(), 17, "WS201".to_string())],
            "{args:?}"
        );
        let labels = items[0]["labels"].as_array().unwrap();
        let defined = labels
            .iter()
            .find(|l| l["message"] == "value defined here")
            .unwrap_or_else(|| panic!("no definition label: {labels:?}"));
        assert_eq!(defined["path"], "app/settings.py");
        assert_eq!(defined["line"], 3);
    }
}

/// The report of a library run over `dir`.
fn run_lib(dir: &Path, paths: &[&str]) -> wslint::Report {
    let cwd = std::env::current_dir().unwrap();
    let opts = wslint::Options {
        paths: paths.iter().map(|p| dir.join(p)).collect(),
        jobs: Some(4),
        ..wslint::Options::default()
    };
    let settings = wslint::Settings::from_options(&opts).unwrap();
    let report = wslint::run(&settings);
    assert_eq!(std::env::current_dir().unwrap(), cwd);
    report
}

#[test]
fn only_modules_a_needed_value_comes_from_are_read() {
    let mut files: Vec<(String, String)> = vec![
        ("wslint.toml".into(), String::new()),
        ("app/__init__.py".into(), String::new()),
        ("app/settings.py".into(), "IDLE = 30\nUNUSED = 1\n".into()),
        ("app/helpers.py".into(), "def helper():\n    return 1\n".into()),
        (
            "app/ws.py".into(),
            "import asyncio\nfrom fastapi import FastAPI, WebSocket\nfrom .settings import IDLE\nfrom .helpers import helper\nfrom . import other_0\napp = FastAPI()\n\n@app.websocket('/ws/feed')\nasync def feed(websocket: WebSocket):\n    await websocket.accept()\n    helper()\n    while True:\n        try:\n            await asyncio.wait_for(websocket.receive_text(), timeout=IDLE)\n        except asyncio.TimeoutError:\n            await websocket.send_json({})\n".into(),
        ),
    ];
    for i in 0..300 {
        files.push((
            format!("app/other_{i}.py"),
            format!("VALUE_{i} = {i}\nfrom .settings import IDLE\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let t = tree(&refs);
    for paths in [&["."][..], &["app/ws.py"][..]] {
        let report = run_lib(t.path(), paths);
        let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"WS201"), "{paths:?}: {codes:?}");
        assert_eq!(
            report.dependencies_read, 1,
            "{paths:?}: only settings.py is read for a value"
        );
    }
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let t = copy_case("py-router-included-with-prefix");
    let run = |jobs: &str| {
        let out = common::run_in(
            t.path(),
            &[
                "check",
                "--format",
                "json",
                "--jobs",
                jobs,
                "app/routes/jobs.py",
            ],
        );
        out.stdout
    };
    let one = run("1");
    for _ in 0..3 {
        assert_eq!(run("8"), one);
    }
}

#[test]
fn a_file_list_reads_imported_dependencies_and_wrappers_where_they_are_defined() {
    // The dependency chain that yields the org lives in app/core/orgs.py,
    // re-exported by app/deps.py; only the routes file is given.
    let t = copy_case("py-org-filter-through-dependency-chain");
    let (items, _) = json_in(t.path(), &["app/routes/jobs.py"]);
    assert!(items.is_empty(), "{items:?}");
    // The same chain without the tenant: both routes are reported.
    let orgs = t.path().join("app/core/orgs.py");
    let text = std::fs::read_to_string(&orgs).unwrap();
    std::fs::write(&orgs, text.replace(", tenant_id=user.org", "")).unwrap();
    let (items, _) = json_in(t.path(), &["app/routes/jobs.py"]);
    assert_eq!(
        summary(&items),
        vec![
            ("app/routes/jobs.py".to_string(), 15, "WS203".to_string()),
            ("app/routes/jobs.py".to_string(), 22, "WS203".to_string()),
        ]
    );

    // The wrapper iterated in main.py is defined in app/realtime/channel.py.
    let t = copy_case("py-receive-loop-behind-imported-wrapper");
    let (items, _) = json_in(t.path(), &["app/main.py"]);
    let ws201: Vec<_> = items.iter().filter(|d| d["code"] == "WS201").collect();
    assert_eq!(ws201.len(), 5, "{items:?}");
    assert!(
        ws201[0]["message"].as_str().unwrap().contains(
            "`Channel.__anext__` in app/realtime/channel.py awaits `self._ws.receive_text()`"
        ),
        "{:?}",
        ws201[0]["message"]
    );
}
