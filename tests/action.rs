//! The GitHub Action: `action.yml` run step by step as the runner runs a
//! composite action (see `action/harness.rs`), in a fresh workspace holding a
//! sample repository, with this checkout as `GITHUB_ACTION_PATH`. Checked:
//! the annotations, the outputs, the SARIF file (against the SARIF 2.1.0
//! schema), the step summary and the exit status, for clean, failing and
//! warning-only samples; inputs that would run a command if a shell ever
//! evaluated them; and the build from source on a cache miss followed by a
//! cache hit.
//!
//! Apart from that last test, the cache is pre-seeded with the wslint that
//! `cargo test` built, so the suite does not build a release binary for each
//! case.

mod common;
#[path = "action/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

use common::ship::{copy_tree, find_named, release_build_env, require, samples};
use harness::{Action, Annotation, Cache, Outcome, Run, Runner};

const LEGACY: &str = "deploy/apache2/sites-enabled/legacy.conf";
const WS301_MESSAGE: &str = "`ProxyTimeout 30` gives websocket route `/ws/ -> ws://127.0.0.1:8001/ws/` of Apache `<VirtualHost *:443>` an idle timeout of 30 s, below the 60 s minimum";

fn action() -> Action {
    Action::load(&common::repo().join("action.yml"))
}

/// A job's folders, laid out as on a hosted runner.
struct Job {
    root: tempfile::TempDir,
    runner: Runner,
}

impl Job {
    /// A workspace holding the given sample trees, and a cache that already
    /// holds this build of wslint.
    fn new(sample_sets: &[&str]) -> Job {
        let root = tempfile::tempdir().expect("temp dir");
        let cache = Cache {
            dir: root.path().join("_cache"),
            prebuilt: Some(PathBuf::from(common::bin())),
        };
        Job::with_cache(root, sample_sets, cache)
    }

    fn with_cache(root: tempfile::TempDir, sample_sets: &[&str], cache: Cache) -> Job {
        require(
            "jq",
            "the action reads wslint's JSON report with jq, which GitHub's runners have; \
             install it (apt-get install jq)",
        );
        let workspace = root.path().join("work/app/app");
        let temp = root.path().join("work/_temp");
        let tool_cache = root.path().join("hostedtoolcache");
        for dir in [&workspace, &temp, &tool_cache, &cache.dir] {
            std::fs::create_dir_all(dir).unwrap();
        }
        for set in sample_sets {
            copy_tree(&samples().join(set), &workspace);
        }
        let runner = Runner {
            action_path: common::repo(),
            workspace,
            temp,
            tool_cache,
            cache,
            env: Vec::new(),
        };
        Job { root, runner }
    }

    fn workspace(&self) -> &Path {
        &self.runner.workspace
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.workspace().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn run(&self, inputs: &[(&str, &str)]) -> Run {
        self.runner.run(&action(), inputs)
    }
}

fn sarif_validator() -> jsonschema::Validator {
    // As in tests/cli.rs: the schema's `language` pattern ends in `]?$`, a
    // literal `]` that ECMAScript accepts and Rust's regex engine does not.
    let text = include_str!("data/sarif-2.1.0-rtm.5.json")
        .replace(r#"{2}-[a-zA-Z]{2}]?$"#, r#"{2}-[a-zA-Z]{2}\\]?$"#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::new(&schema).expect("schema compiles")
}

fn valid_sarif(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("no SARIF at {}: {e}", path.display()));
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
    sarif
}

fn count(annotations: &[Annotation], level: &str) -> usize {
    annotations.iter().filter(|a| a.level == level).count()
}

fn ws301(run: &Run) -> &Annotation {
    run.annotations
        .iter()
        .find(|a| a.properties.get("title").map(String::as_str) == Some("WS301 proxy-idle-timeout"))
        .unwrap_or_else(|| panic!("no WS301 annotation; log:\n{}", run.log()))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The steps ran as on a cache hit: nothing built, the lint step ran.
fn assert_cached_build(run: &Run) {
    assert_eq!(
        run.step("Locate the wslint build").outcome,
        Outcome::Success
    );
    assert_eq!(
        run.step("Restore a cached wslint build").outcome,
        Outcome::Success
    );
    assert_eq!(run.step("Build wslint").outcome, Outcome::Skipped);
    assert_eq!(run.step("Cache the wslint build").outcome, Outcome::Skipped);
    assert_eq!(run.cache_hits.len(), 1, "{:?}", run.cache_hits);
}

#[test]
fn action_declares_the_contract() {
    let action = action();
    let inputs: Vec<(&str, Option<&str>)> = action
        .inputs
        .iter()
        .map(|i| (i.name.as_str(), i.default.as_deref()))
        .collect();
    assert_eq!(
        inputs,
        vec![
            ("paths", Some(".")),
            ("args", Some("")),
            ("format", Some("github")),
            ("sarif-file", Some("")),
            ("fail-on", Some("error")),
            ("working-directory", Some(".")),
        ]
    );
    let outputs: Vec<&str> = action.outputs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(outputs, vec!["errors", "warnings", "sarif-file"]);
    // Every input reaches a script through `env:` and through nothing else.
    for input in &action.inputs {
        let reference = format!("${{{{ inputs.{} }}}}", input.name);
        let in_env = action
            .steps
            .iter()
            .flat_map(|s| &s.env)
            .filter(|(_, v)| v.contains(&reference))
            .count();
        assert_eq!(in_env, 1, "{} is passed through env: once", input.name);
        for step in &action.steps {
            let elsewhere = step
                .condition
                .iter()
                .chain(&step.working_directory)
                .chain(match &step.body {
                    harness::Body::Uses { with, .. } => with.iter().map(|(_, v)| v).collect(),
                    harness::Body::Run { .. } => Vec::new(),
                });
            for text in elsewhere {
                assert!(!text.contains("inputs."), "{}: {text}", step.name);
            }
        }
    }
    // The build is `cargo install --locked --path "$GITHUB_ACTION_PATH"`,
    // cached with actions/cache's restore and save halves.
    let install = std::fs::read_to_string(common::repo().join("action/install.sh")).unwrap();
    assert!(
        install.contains(r#"cargo install --locked --path "${GITHUB_ACTION_PATH:?}""#),
        "{install}"
    );
    let uses: Vec<&str> = action
        .steps
        .iter()
        .filter_map(|s| match &s.body {
            harness::Body::Uses { action, .. } => Some(action.as_str()),
            harness::Body::Run { .. } => None,
        })
        .collect();
    assert_eq!(
        uses,
        vec!["actions/cache/restore@v4", "actions/cache/save@v4"]
    );
}

#[test]
fn failing_sample_fails_with_annotations_outputs_sarif_and_summary() {
    let job = Job::new(&["clean", "failing"]);
    let run = job.run(&[("sarif-file", "reports/wslint.sarif")]);
    assert_cached_build(&run);
    // The step fails with wslint's exit code.
    assert_eq!(run.exit_code, 1, "{}", run.log());
    let lint = run.step("Run wslint");
    assert_eq!((lint.outcome, lint.exit_code), (Outcome::Failure, Some(1)));

    // Annotations: the Apache finding where it is, with its message.
    let a = ws301(&run);
    assert_eq!(a.level, "error");
    assert_eq!(a.properties["file"], LEGACY);
    assert_eq!(
        (
            a.properties["line"].as_str(),
            a.properties["col"].as_str(),
            a.properties["endLine"].as_str(),
            a.properties["endColumn"].as_str()
        ),
        ("4", "5", "4", "20")
    );
    assert!(a.message.starts_with(WS301_MESSAGE), "{}", a.message);
    assert!(a.message.contains("\nhelp: "), "{}", a.message);
    for a in &run.annotations {
        let file = &a.properties["file"];
        assert!(job.workspace().join(file).is_file(), "annotation on {file}");
    }
    assert!(run.other_commands.is_empty(), "{:?}", run.other_commands);
    assert!(run.env_additions.is_empty(), "{:?}", run.env_additions);

    // Outputs: the counts match the annotations, the SARIF file is named.
    let errors = count(&run.annotations, "error");
    let warnings = count(&run.annotations, "warning");
    assert!(errors >= 1);
    assert_eq!(run.outputs["errors"], errors.to_string());
    assert_eq!(run.outputs["warnings"], warnings.to_string());
    let sarif_path = job.workspace().join("reports/wslint.sarif");
    assert_eq!(
        run.outputs["sarif-file"],
        sarif_path.display().to_string(),
        "{}",
        run.log()
    );

    // SARIF: valid, one result per finding, paths relative to the repository.
    let sarif = valid_sarif(&sarif_path);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), errors + warnings);
    assert_eq!(
        results.iter().filter(|r| r["level"] == "error").count(),
        errors
    );
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "WS301")
        .expect("a WS301 result");
    let location = &r["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], LEGACY);
    assert_eq!(location["region"]["startLine"], 4);

    // The summary: counts, then a row per finding.
    let s = &run.summary;
    assert!(s.starts_with("### wslint\n"), "{s}");
    assert!(
        s.contains(&format!(
            "**{}, {}**",
            plural(errors, "error"),
            plural(warnings, "warning")
        )),
        "{s}"
    );
    assert!(s.contains("| Severity | Rule | Location | Message |\n|---|---|---|---|\n"));
    let row = s
        .lines()
        .find(|l| l.contains(&format!("`{LEGACY}:4:5`")))
        .unwrap_or_else(|| panic!("no row for {LEGACY}:\n{s}"));
    assert!(row.starts_with("| error | [WS301]("), "{row}");
    assert!(row.contains("proxy-idle-timeout"), "{row}");
    assert!(
        row.contains("an idle timeout of 30 s, below the 60 s minimum |"),
        "{row}"
    );
    assert_eq!(
        s.lines().filter(|l| l.starts_with("| error ")).count(),
        errors
    );

    // wslint stays on PATH for later steps.
    let bin = run
        .path_additions
        .iter()
        .find(|p| p.join("wslint").is_file())
        .expect("the wslint build's bin/ added to GITHUB_PATH");
    assert!(bin.starts_with(&job.runner.tool_cache), "{}", bin.display());
}

#[test]
fn clean_sample_passes() {
    let job = Job::new(&["clean"]);
    let run = job.run(&[]);
    assert_cached_build(&run);
    assert_eq!(run.exit_code, 0, "{}", run.log());
    assert_eq!(run.step("Run wslint").outcome, Outcome::Success);
    assert!(run.annotations.is_empty(), "{:?}", run.annotations);
    assert_eq!(run.outputs["errors"], "0");
    assert_eq!(run.outputs["warnings"], "0");
    assert_eq!(run.outputs["sarif-file"], "");
    assert_eq!(run.summary, "### wslint\n\nNo problems found.\n");

    // A clean SARIF report is valid too.
    let run = job.run(&[("sarif-file", "wslint.sarif")]);
    assert_eq!(run.exit_code, 0, "{}", run.log());
    let sarif = valid_sarif(&job.workspace().join("wslint.sarif"));
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn warnings_pass_unless_fail_on_warning() {
    let job = Job::new(&["warning"]);
    let run = job.run(&[]);
    assert_eq!(run.exit_code, 0, "{}", run.log());
    assert_eq!(run.outputs["errors"], "0");
    assert_eq!(run.outputs["warnings"], "1");
    assert_eq!(run.annotations.len(), 1);
    let a = &run.annotations[0];
    assert_eq!(a.level, "warning");
    assert_eq!(a.properties["title"], "WS302 proxy-idle-timeout-unset");
    assert_eq!(
        a.properties["file"],
        "deploy/apache2/sites-available/status.conf"
    );
    assert!(
        run.summary.contains("**0 errors, 1 warning**"),
        "{}",
        run.summary
    );

    let run = job.run(&[("fail-on", "warning")]);
    assert_eq!(run.exit_code, 1, "{}", run.log());
    assert_eq!(run.step("Run wslint").exit_code, Some(1));
    assert_eq!(run.outputs["warnings"], "1");
}

#[test]
fn other_formats_print_the_report_without_workflow_commands() {
    let job = Job::new(&["clean", "failing", "warning"]);
    let github = job.run(&[]);
    let errors = count(&github.annotations, "error");
    assert!(errors >= 1);

    let run = job.run(&[("format", "concise")]);
    assert_eq!(run.exit_code, 1, "{}", run.log());
    let stdout = run.stdout();
    assert!(
        stdout.contains(&format!("{LEGACY}:4:5: WS301 {WS301_MESSAGE}")),
        "{stdout}"
    );
    // The report is printed inside ::stop-commands::, so nothing in it can
    // act as a workflow command.
    assert!(run.annotations.is_empty(), "{:?}", run.annotations);
    assert!(stdout.contains("::stop-commands::wslint-"), "{stdout}");
    assert_eq!(run.outputs, github.outputs, "same counts in any format");

    let run = job.run(&[("format", "human")]);
    assert_eq!(run.exit_code, 1);
    assert!(run.stdout().contains("WS301 [*] proxy-idle-timeout"));
    assert!(run.annotations.is_empty());
    let run = job.run(&[("format", "json")]);
    assert_eq!(run.exit_code, 1);
    assert!(run.stdout().contains("\"code\": \"WS301\""));
    assert_eq!(run.outputs["errors"], errors.to_string());
}

#[test]
fn args_are_passed_to_wslint() {
    // Only WS302 left: the failing sample's findings are all other rules
    // (now WS301, later the client and server ones too).
    let job = Job::new(&["failing", "warning"]);
    let run = job.run(&[("args", "--select WS301,WS302\n  --ignore WS301 ")]);
    assert_eq!(run.exit_code, 0, "{}", run.log());
    assert_eq!(run.outputs["errors"], "0");
    assert_eq!(run.outputs["warnings"], "1");
    // The log shows the command, shell-quoted (`,` comes out as `\,`).
    assert!(
        run.stdout().contains(" --ignore WS301 -- ."),
        "{}",
        run.log()
    );
}

#[test]
fn working_directory_and_paths_report_paths_from_the_repository_root() {
    let job = Job::new(&[]);
    let legacy = std::fs::read_to_string(samples().join("failing").join(LEGACY)).unwrap();
    job.write(&format!("services/edge/{LEGACY}"), &legacy);
    job.write("services/edge/my configs/old.conf", &legacy);
    job.write("services/edge/unchecked/other.conf", &legacy);
    job.write(&format!("services/other/{LEGACY}"), &legacy);
    let run = job.run(&[
        ("working-directory", "services/edge"),
        ("paths", "./deploy/../deploy/apache2\n  my configs  \n"),
        ("sarif-file", "wslint.sarif"),
    ]);
    assert_eq!(run.exit_code, 1, "{}", run.log());
    // Absolute paths, which the runner turns into repository paths.
    let files: Vec<&str> = run
        .annotations
        .iter()
        .map(|a| a.properties["file"].as_str())
        .collect();
    let ws = job.workspace().display().to_string();
    assert_eq!(
        files,
        vec![
            format!("{ws}/services/edge/{LEGACY}"),
            format!("{ws}/services/edge/my configs/old.conf"),
        ]
    );
    assert_eq!(run.outputs["errors"], "2");
    // The summary shows them from the repository root.
    assert!(
        run.summary
            .contains(&format!("`services/edge/{LEGACY}:4:5`")),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("`services/edge/my configs/old.conf:4:5`")
    );
    // SARIF next to the working directory, with file:// URIs that
    // upload-sarif makes relative to the checkout.
    let sarif_path = job.workspace().join("services/edge/wslint.sarif");
    assert_eq!(run.outputs["sarif-file"], sarif_path.display().to_string());
    let sarif = valid_sarif(&sarif_path);
    let uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(uri.ends_with(&format!("/services/edge/{LEGACY}")), "{uri}");

    // The whole working directory, by default.
    let run = job.run(&[("working-directory", "services/other")]);
    assert_eq!(run.exit_code, 1);
    assert_eq!(
        run.annotations[0].properties["file"],
        format!("{ws}/services/other/{LEGACY}")
    );

    // Whitespace-separated paths on one line.
    let run = job.run(&[("paths", "services/edge/deploy  services/other")]);
    assert_eq!(run.exit_code, 1);
    let files: Vec<&str> = run
        .annotations
        .iter()
        .map(|a| a.properties["file"].as_str())
        .collect();
    assert_eq!(
        files,
        vec![
            format!("services/edge/{LEGACY}"),
            format!("services/other/{LEGACY}"),
        ]
    );
}

#[test]
fn usage_and_configuration_errors_fail_with_2() {
    let job = Job::new(&["clean"]);
    let run = job.run(&[("args", "--no-such-flag")]);
    assert_eq!(run.exit_code, 2, "{}", run.log());
    let lint = run.step("Run wslint");
    assert_eq!(lint.exit_code, Some(2));
    assert!(lint.stderr.contains("--no-such-flag"), "{}", lint.stderr);
    assert_eq!(run.outputs["errors"], "");
    assert_eq!(run.outputs["warnings"], "");
    assert!(
        run.summary
            .contains("wslint stopped with exit code 2 before writing a report"),
        "{}",
        run.summary
    );

    job.write("wslint.toml", "[client]\nheartbeat_max = 15000\n");
    let run = job.run(&[]);
    assert_eq!(run.exit_code, 2, "{}", run.log());
    assert!(
        run.step("Run wslint")
            .stderr
            .contains("unknown key `heartbeat_max`")
    );

    let run = job.run(&[("working-directory", "no/such/dir")]);
    assert_eq!(run.exit_code, 2);
    assert_eq!(run.annotations.len(), 1);
    assert_eq!(
        run.annotations[0].message,
        "working-directory 'no/such/dir' is not a directory"
    );
}

#[test]
fn inputs_are_data_never_shell_code() {
    const NASTY: &str =
        "$(touch pwned) `touch pwned` ; touch pwned && touch pwned | touch pwned\ntouch pwned";
    let cases: &[(&str, &str, i32)] = &[
        // Words taken as paths that do not exist: a usage error (exit 2),
        // never a command.
        ("args", NASTY, 2),
        ("paths", NASTY, 2),
        ("format", NASTY, 2),
        ("fail-on", NASTY, 2),
        ("working-directory", NASTY, 2),
        (
            "sarif-file",
            "$(touch pwned);touch pwned`touch pwned`.sarif",
            0,
        ),
    ];
    for (input, value, expected) in cases {
        let job = Job::new(&["clean"]);
        let run = job.run(&[(input, value)]);
        let mut found = find_named(job.root.path(), "pwned");
        found.extend(
            [common::repo(), common::repo().join("action")]
                .iter()
                .map(|d| d.join("pwned"))
                .filter(|p| p.exists()),
        );
        assert!(
            found.is_empty(),
            "input {input} ran a command: {found:?}\n{}",
            run.log()
        );
        assert_eq!(run.exit_code, *expected, "input {input}: {}", run.log());
        if *input == "sarif-file" {
            // The value is a file name like any other.
            let file = job.workspace().join(value);
            assert!(file.is_file(), "{}", run.log());
            assert_eq!(run.outputs["sarif-file"], file.display().to_string());
        }
        if *input == "working-directory" {
            let message = &run.annotations[0].message;
            assert!(message.contains("touch pwned\ntouch pwned"), "{message}");
        }
    }
}

/// The one test that builds: a cache miss runs `cargo install --locked
/// --path $GITHUB_ACTION_PATH` (into a target folder kept under target/, so
/// the release build is made once and reused; unoptimised, see
/// `release_build_env`), saves the build, and the next job restores it
/// instead of building.
#[test]
fn builds_from_source_on_a_miss_then_reuses_the_cached_build() {
    require(
        "cargo",
        "the action builds wslint with cargo install; install Rust",
    );
    let cache_dir = tempfile::tempdir().unwrap();
    let job_with = |root: tempfile::TempDir| {
        let cache = Cache {
            dir: cache_dir.path().to_path_buf(),
            prebuilt: None,
        };
        let mut job = Job::with_cache(root, &["clean", "failing"], cache);
        job.runner.env = release_build_env();
        job
    };

    let started = std::time::Instant::now();
    let first = job_with(tempfile::tempdir().unwrap());
    let run = first.run(&[]);
    eprintln!("cache miss, build and lint: {:?}", started.elapsed());
    let build = run.step("Build wslint");
    assert_eq!(build.outcome, Outcome::Success, "{}", run.log());
    assert!(
        build.stderr.contains("Installed package `wslint")
            || build.stderr.contains("Replaced package `wslint"),
        "{}",
        build.stderr
    );
    assert!(run.cache_hits.is_empty());
    assert_eq!(run.cache_saves.len(), 1, "{}", run.log());
    let key = &run.cache_saves[0];
    let prefix = format!(
        "wslint-{}-{}-{}--",
        env!("CARGO_PKG_VERSION"),
        match std::env::consts::OS {
            "linux" => "Linux",
            "macos" => "macOS",
            _ => "Windows",
        },
        if cfg!(target_arch = "x86_64") {
            "X64"
        } else {
            "ARM64"
        }
    );
    let hash = key.strip_prefix(&prefix).unwrap_or_else(|| panic!("{key}"));
    assert!(
        hash.len() == 32 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{key}"
    );
    assert_eq!(run.exit_code, 1, "{}", run.log());
    assert!(ws301(&run).message.starts_with(WS301_MESSAGE));

    // A later job on a fresh machine: the same key, restored, not rebuilt.
    let second = job_with(tempfile::tempdir().unwrap());
    let run = second.run(&[]);
    assert_cached_build(&run);
    assert_eq!(&run.cache_hits[0], key);
    assert!(run.cache_saves.is_empty());
    assert_eq!(run.exit_code, 1, "{}", run.log());
    assert!(ws301(&run).message.starts_with(WS301_MESSAGE));
    drop(first);
}

/// The workflows of the README, as a team would copy them: each wslint
/// step's `with:` runs through the action on the failing sample, and the
/// code-scanning one has the permission and the file the upload needs.
#[test]
fn readme_workflows_work() {
    let workflows = common::ship::readme_yaml("uses: wslint/wslint@");
    assert!(
        workflows.len() >= 2,
        "a workflow with and one without SARIF"
    );
    let mut uploads = 0;
    for text in workflows {
        let doc = &yaml_rust2::YamlLoader::load_from_str(&text).expect("valid YAML")[0];
        let jobs = doc["jobs"].as_hash().expect("jobs");
        for job_spec in jobs.values() {
            let steps = job_spec["steps"].as_vec().expect("steps");
            let mut sarif_input = None;
            for step in steps {
                let uses = step["uses"].as_str().unwrap_or_default();
                let with: Vec<(String, String)> = step["with"]
                    .as_hash()
                    .map(|h| {
                        h.iter()
                            .map(|(k, v)| {
                                (
                                    k.as_str().unwrap().to_string(),
                                    v.as_str().unwrap().to_string(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if uses.starts_with("wslint/wslint@") {
                    let job = Job::new(&["clean", "failing"]);
                    let inputs: Vec<(&str, &str)> =
                        with.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    let run = job.run(&inputs);
                    assert_eq!(run.exit_code, 1, "{text}\n{}", run.log());
                    ws301(&run);
                    sarif_input = with.iter().find(|(k, _)| k == "sarif-file").map(|(_, v)| {
                        valid_sarif(&job.workspace().join(v));
                        v.clone()
                    });
                }
                if uses.starts_with("github/codeql-action/upload-sarif@") {
                    uploads += 1;
                    let file = with.iter().find(|(k, _)| k == "sarif_file").unwrap();
                    assert_eq!(Some(&file.1), sarif_input.as_ref(), "{text}");
                    let condition = step["if"].as_str().unwrap_or_default();
                    assert!(condition.contains("!cancelled()"), "{text}");
                    assert_eq!(
                        doc["permissions"]["security-events"].as_str(),
                        Some("write"),
                        "{text}"
                    );
                }
            }
        }
    }
    assert_eq!(uploads, 1, "one workflow uploads SARIF");
}
