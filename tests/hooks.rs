//! The pre-commit hooks, run by the real pre-commit: this test installs it
//! from PyPI into a virtualenv under target/ (kept between runs) and calls
//! `pre-commit try-repo <this checkout>` in temporary git repositories with
//! staged client, server and Apache files, as a developer's commit would.
//!
//! `try-repo` runs every hook of `.pre-commit-hooks.yaml`: `wslint` and
//! `wslint-project` (`language: rust`: pre-commit runs `cargo install` of
//! this checkout; `CARGO_TARGET_DIR` points at a folder under target/ so the
//! release build is made once, unoptimised, and then only wslint itself is
//! recompiled),
//! and `wslint-system`, which finds wslint on PATH: there, a wrapper around
//! the wslint `cargo test` built, which logs how it is called.
//!
//! `try-repo` uses a throw-away pre-commit store, so each call builds its
//! environment again; the test makes two calls.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::ship::{
    copy_tree, path_without_wslint, persistent, release_build_env, require, samples,
};
use yaml_rust2::{Yaml, YamlLoader};

/// The pre-commit version the hooks are tested with.
const PRE_COMMIT: &str = "4.7.0";
const LEGACY: &str = "deploy/apache2/sites-enabled/legacy.conf";
const WS301_MESSAGE: &str = "WS301 [*] proxy-idle-timeout: `ProxyTimeout 30` gives websocket route";

/// `pre-commit`, installed on first use into target/tmp/pre-commit-venv.
fn pre_commit() -> &'static Path {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let venv = persistent("pre-commit-venv");
        let exe = venv.join("bin/pre-commit");
        let version = |exe: &Path| {
            Command::new(exe)
                .arg("--version")
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        };
        if version(&exe).as_deref() == Some(&format!("pre-commit {PRE_COMMIT}")) {
            return exe;
        }
        let python = require(
            "python3",
            "pre-commit is a Python program; install Python 3 with venv and pip",
        );
        let run = |cmd: &mut Command, what: &str| {
            let out = cmd
                .output()
                .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
            assert!(
                out.status.success(),
                "{what} failed ({}): the hooks test installs pre-commit {PRE_COMMIT} from PyPI \
                 and needs to reach it.\nstdout:\n{}\nstderr:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(
            Command::new(python)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "python3 -m venv",
        );
        run(
            Command::new(venv.join("bin/python")).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("pre-commit=={PRE_COMMIT}"),
            ]),
            "pip install pre-commit",
        );
        assert_eq!(
            version(&exe).as_deref(),
            Some(format!("pre-commit {PRE_COMMIT}").as_str())
        );
        exe
    })
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=wslint tests",
            "-c",
            "user.email=tests@wslint.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(std::env::vars().filter(|(k, _)| !k.starts_with("GIT_")))
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A project repository: `committed` sample sets in its first commit, then
/// `staged` ones copied over and staged.
struct Project {
    dir: tempfile::TempDir,
    /// Where the `wslint` on PATH logs its arguments, one call a line.
    calls: PathBuf,
}

impl Project {
    fn new(committed: &[&str], staged: &[&str]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        std::fs::create_dir_all(&root).unwrap();
        git(&root, &["init", "-q"]);
        for set in committed {
            copy_tree(&samples().join(set), &root);
        }
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "the project"]);
        for set in staged {
            copy_tree(&samples().join(set), &root);
        }
        let project = Project {
            calls: dir.path().join("wslint-calls.log"),
            dir,
        };
        // The wslint that `wslint-system` finds: a logging wrapper.
        let bin = project.dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let wrapper = bin.join("wslint");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
                project.calls.display(),
                common::bin()
            ),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        project
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.root().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn stage_all(&self) {
        git(&self.root(), &["add", "-A"]);
    }

    /// `pre-commit try-repo <this checkout>`: every hook, on the staged files.
    fn try_repo(&self) -> Hooks {
        require(
            "cargo",
            "the `wslint` and `wslint-project` hooks (language: rust) build wslint with cargo",
        );
        let checkout = common::repo();
        assert_tracked(&checkout, ".pre-commit-hooks.yaml");
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            path_without_wslint()
        );
        let out = Command::new(pre_commit())
            .args(["try-repo", "--color", "never"])
            .arg(&checkout)
            .current_dir(self.root())
            .env_clear()
            .envs(std::env::vars().filter(|(k, _)| !k.starts_with("GIT_") && k != "SKIP"))
            .env("PATH", path)
            .env("PRE_COMMIT_HOME", persistent("pre-commit-home"))
            .envs(release_build_env())
            .output()
            .expect("pre-commit runs");
        Hooks::parse(out, &self.calls)
    }
}

/// `try-repo` takes uncommitted changes to tracked files only.
fn assert_tracked(checkout: &Path, file: &str) {
    let out = Command::new("git")
        .args(["ls-files", "--error-unmatch", file])
        .current_dir(checkout)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{file} is not tracked by git in {}: pre-commit try-repo would not see it (git add it)",
        checkout.display()
    );
}

/// What a pre-commit run printed, hook by hook.
struct Hooks {
    out: Output,
    text: String,
    /// Hook name, status (`Passed`, `Failed`, `Skipped`) and its output.
    hooks: Vec<(String, String, String)>,
    /// The calls of the wslint on PATH.
    path_calls: Vec<String>,
}

impl Hooks {
    fn parse(out: Output, calls: &Path) -> Hooks {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut hooks: Vec<(String, String, String)> = Vec::new();
        for line in text.lines() {
            let status = ["Passed", "Failed", "Skipped"]
                .into_iter()
                .find(|s| line.ends_with(s) && line.contains("..."));
            if let Some(status) = status {
                let name = line[..line.find("...").unwrap()].to_string();
                hooks.push((name, status.to_string(), String::new()));
            } else if let Some(last) = hooks.last_mut() {
                last.2.push_str(line);
                last.2.push('\n');
            }
        }
        let path_calls = std::fs::read_to_string(calls)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        Hooks {
            out,
            text,
            hooks,
            path_calls,
        }
    }

    fn hook(&self, name: &str) -> (&str, &str) {
        self.hooks
            .iter()
            .find(|h| h.0 == name)
            .map(|h| (h.1.as_str(), h.2.as_str()))
            .unwrap_or_else(|| panic!("no hook `{name}` in the output:\n{}", self.text))
    }
}

fn manifest() -> Vec<Yaml> {
    let text = std::fs::read_to_string(common::repo().join(".pre-commit-hooks.yaml")).unwrap();
    let docs = YamlLoader::load_from_str(&text).expect(".pre-commit-hooks.yaml is YAML");
    docs[0].as_vec().expect("a list of hooks").clone()
}

#[test]
fn hooks_manifest_ids_entries_and_file_patterns() {
    let hooks = manifest();
    let field = |h: &Yaml, k: &str| h[k].as_str().map(str::to_string);
    let summary: Vec<(Option<String>, Option<String>, Option<String>)> = hooks
        .iter()
        .map(|h| (field(h, "id"), field(h, "language"), field(h, "entry")))
        .collect();
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        summary,
        vec![
            (s("wslint"), s("rust"), s("wslint check --force-exclude")),
            (
                s("wslint-system"),
                s("system"),
                s("wslint check --force-exclude")
            ),
            (s("wslint-project"), s("rust"), s("wslint check")),
        ]
    );
    assert_eq!(hooks[0]["require_serial"].as_bool(), Some(false));
    assert_eq!(hooks[1]["require_serial"].as_bool(), Some(false));
    assert_eq!(hooks[2]["pass_filenames"].as_bool(), Some(false));

    // One pattern for all three; pre-commit searches it (Python `re`, whose
    // syntax this pattern shares with Rust's regex crate).
    let files: Vec<&str> = hooks.iter().map(|h| h["files"].as_str().unwrap()).collect();
    assert!(files.iter().all(|f| *f == files[0]));
    let re = regex::Regex::new(files[0]).expect("the files pattern compiles");
    for path in [
        "web/src/useJobs.ts",
        "web/src/App.tsx",
        "web/lib/a.mts",
        "web/lib/a.cts",
        "web/src/socket.js",
        "web/src/Socket.JSX",
        "web/a.mjs",
        "web/a.cjs",
        "web/src/components/LiveChat.vue",
        "web/src/routes/+page.svelte",
        "web/src/lib/Ticker.SVELTE",
        "api/app/main.py",
        "api/app/stubs.pyi",
        "httpd.conf",
        "deploy/apache2/apache2.conf",
        "deploy/apache2/sites-enabled/000-default.conf",
        "deploy/apache2/sites-available/jobs",
        "etc/httpd/conf.d/websocket",
        "etc/apache2/conf-available/proxy",
        "etc/apache2/conf-enabled/proxy",
        "etc/apache2/vhosts.d/app",
        "legacy/app.vhost",
        "public/.htaccess",
        ".htaccess",
        "deploy/nginx/nginx.conf",
        "deploy/nginx/conf.d/app.conf",
        "etc/nginx/http.d/app",
        "roles/web/templates/nginx.conf.j2",
        "roles/web/templates/site.conf.jinja2",
        "templates/default.conf.template",
        "chef/templates/vhost.conf.erb",
        "haproxy/haproxy.cfg",
        "deploy/haproxy.cfg.j2",
        "site.nginx",
    ] {
        assert!(re.is_match(path), "{path} is not passed to wslint");
        // What the hook passes, wslint reads as one of its kinds.
        assert!(
            wslint::lang::detect(std::path::Path::new(path)).is_some(),
            "{path} is passed but wslint reads no such file"
        );
    }
    for path in [
        "README.md",
        "web/package.json",
        "web/src/styles.css",
        "web/src/App.vue.orig",
        "api/requirements.txt",
        "deploy/nginx/nginx.config",
        "docs/sites-available.md",
        "api/settings.py.j2",
        "roles/web/templates/index.html.j2",
        "deploy/apache2/sites-available/nested/dir/file",
        "web/src/tsconfig.tsbuildinfo",
        "scripts/deploy.sh",
    ] {
        assert!(!re.is_match(path), "{path} is passed to wslint");
        assert!(
            wslint::lang::detect(std::path::Path::new(path)).is_none(),
            "{path} is read by wslint but never passed"
        );
    }
}

#[test]
fn manifest_and_readme_config_are_valid_for_pre_commit() {
    let pre_commit = pre_commit();
    let out = Command::new(pre_commit)
        .arg("validate-manifest")
        .arg(common::repo().join(".pre-commit-hooks.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Each .pre-commit-config.yaml of the README validates, and names hooks
    // that exist.
    let ids: Vec<String> = manifest()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    let configs = common::ship::readme_yaml("repos:");
    assert!(
        !configs.is_empty(),
        "the README shows a .pre-commit-config.yaml"
    );
    let dir = tempfile::tempdir().unwrap();
    for config in configs {
        let path = dir.path().join(".pre-commit-config.yaml");
        std::fs::write(&path, &config).unwrap();
        let out = Command::new(pre_commit)
            .arg("validate-config")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{config}\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let doc = &YamlLoader::load_from_str(&config).unwrap()[0];
        for repo in doc["repos"].as_vec().unwrap() {
            if repo["repo"].as_str() != Some("https://github.com/wslint/wslint") {
                continue;
            }
            for hook in repo["hooks"].as_vec().unwrap() {
                let id = hook["id"].as_str().unwrap();
                assert!(ids.iter().any(|i| i == id), "README names hook `{id}`");
            }
        }
    }
}

/// Bad files staged: every hook fails with wslint's message. The
/// per-file hooks see the staged files only; `wslint-project` sees the
/// whole tree, a committed bad file included.
#[test]
fn staged_bad_files_block_the_commit() {
    let project = Project::new(&["clean"], &["failing"]);
    let old = std::fs::read_to_string(samples().join("failing").join(LEGACY)).unwrap();
    // Committed earlier, not staged now.
    project.write("legacy/old.conf", &old);
    git(&project.root(), &["add", "legacy/old.conf"]);
    git(&project.root(), &["commit", "-q", "-m", "old vhost"]);
    project.write("README.md", "# a project\n");
    project.stage_all();

    let run = project.try_repo();
    assert_eq!(run.out.status.code(), Some(1), "{}", run.text);
    assert!(
        run.text.contains("[INFO] Installing environment for "),
        "the rust hooks build their environment:\n{}",
        run.text
    );
    for name in ["wslint", "wslint (system)"] {
        let (status, output) = run.hook(name);
        assert_eq!(status, "Failed", "{name}:\n{}", run.text);
        assert!(output.contains(WS301_MESSAGE), "{name}:\n{output}");
        assert!(output.contains(&format!("[{LEGACY}:4:5]")), "{output}");
        // The committed file is not staged: not checked.
        assert!(!output.contains("legacy/old.conf"), "{output}");
    }
    let (status, output) = run.hook("wslint (whole project)");
    assert_eq!(status, "Failed", "{}", run.text);
    assert!(output.contains(&format!("[{LEGACY}:4:5]")), "{output}");
    assert!(output.contains("[legacy/old.conf:4:5]"), "{output}");

    // The wslint on PATH served `wslint-system` only, with the staged files
    // that the patterns select.
    assert!(!run.path_calls.is_empty(), "{}", run.text);
    let mut passed: Vec<&str> = Vec::new();
    for call in &run.path_calls {
        let files = call
            .strip_prefix("check --force-exclude ")
            .unwrap_or_else(|| panic!("wslint on PATH called as `{call}`"));
        passed.extend(files.split(' '));
    }
    passed.sort();
    assert_eq!(
        passed,
        vec!["api/app/legacy_ws.py", LEGACY, "web/src/legacySocket.ts",]
    );
}

/// Clean files staged: every hook passes. A staged bad file that the
/// project's `files.exclude` covers stays out, thanks to `--force-exclude`.
#[test]
fn staged_clean_files_pass() {
    let project = Project::new(&["clean"], &[]);
    let old = std::fs::read_to_string(samples().join("failing").join(LEGACY)).unwrap();
    project.write("wslint.toml", "[files]\nexclude = [\"vendor/\"]\n");
    project.write("vendor/apache/legacy.conf", &old);
    // A change to a clean file, staged.
    let ts = "web/src/useJobSocket.ts";
    let text = std::fs::read_to_string(project.root().join(ts)).unwrap();
    project.write(
        ts,
        &format!("{text}\nexport const JOB_SOCKET_VERSION = 2;\n"),
    );
    project.stage_all();

    let run = project.try_repo();
    assert_eq!(run.out.status.code(), Some(0), "{}", run.text);
    for name in ["wslint", "wslint (system)", "wslint (whole project)"] {
        assert_eq!(run.hook(name).0, "Passed", "{name}:\n{}", run.text);
    }
    let mut passed: Vec<&str> = run
        .path_calls
        .iter()
        .flat_map(|c| c.strip_prefix("check --force-exclude ").unwrap().split(' '))
        .collect();
    passed.sort();
    assert_eq!(passed, vec!["vendor/apache/legacy.conf", ts]);
}
