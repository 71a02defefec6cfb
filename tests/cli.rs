//! The binary: every flag, format and exit code, configuration discovery and
//! errors, suppressions, and files that cannot be read.

mod common;

use common::{json_in, run_in, stderr, stdout, tree};

const BAD_VHOST: &str = "<VirtualHost *:443>\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n";
const GOOD_VHOST: &str = "<VirtualHost *:443>\n    ProxyTimeout 90\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n";
/// Only a warning (WS302): no timeout anywhere.
const UNSET_VHOST: &str =
    "<VirtualHost *:80>\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n";

fn codes(items: &[serde_json::Value]) -> Vec<String> {
    items
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn help_lists_every_flag_and_the_exit_codes() {
    let t = tree(&[]);
    let out = run_in(t.path(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for flag in [
        "--format",
        "--config",
        "--select",
        "--ignore",
        "--fail-on",
        "--exit-zero",
        "--force-exclude",
        "--output",
        "--no-gitignore",
        "--jobs",
        "--no-cache",
        "--quiet",
        "--color",
        "explain",
        "rules",
        "check",
        "Exit codes",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
    let out = run_in(t.path(), &["check", "--help"]);
    assert!(stdout(&out).contains("--fail-on"));
    let out = run_in(t.path(), &["--version"]);
    assert!(stdout(&out).starts_with("wslint "));
}

#[test]
fn rules_and_explain() {
    let t = tree(&[]);
    let out = run_in(t.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for rule in wslint::registry::all() {
        assert!(
            text.contains(rule.code) && text.contains(rule.name),
            "{} missing",
            rule.code
        );
    }
    let out = run_in(t.path(), &["explain", "WS301"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("# WS301 proxy-idle-timeout"));
    let out = run_in(t.path(), &["explain", "apache-proxy-timeout-unset"]);
    assert!(stdout(&out).starts_with("# WS302"));
    let out = run_in(t.path(), &["explain", "WS999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown rule `WS999`"));
}

#[test]
fn exit_codes_follow_fail_on_and_exit_zero() {
    let bad = tree(&[("site.conf", BAD_VHOST)]);
    let good = tree(&[("site.conf", GOOD_VHOST)]);
    let warn = tree(&[("site.conf", UNSET_VHOST)]);
    assert_eq!(run_in(good.path(), &[]).status.code(), Some(0));
    assert_eq!(run_in(bad.path(), &[]).status.code(), Some(1));
    assert_eq!(run_in(bad.path(), &["check", "."]).status.code(), Some(1));
    assert_eq!(run_in(bad.path(), &["--exit-zero"]).status.code(), Some(0));
    assert_eq!(run_in(warn.path(), &[]).status.code(), Some(0));
    assert_eq!(
        run_in(warn.path(), &["--fail-on", "warning"]).status.code(),
        Some(1)
    );
    assert_eq!(
        run_in(warn.path(), &["--fail-on", "error"]).status.code(),
        Some(0)
    );
    // Usage errors exit with 2.
    assert_eq!(
        run_in(good.path(), &["--fail-on", "bogus"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run_in(good.path(), &["--format", "xml"]).status.code(),
        Some(2)
    );
    let out = run_in(good.path(), &["--select", "WS9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--select: unknown rule selector `WS9`"));
    // --exit-zero does not hide a broken configuration.
    let broken = tree(&[
        ("wslint.toml", "[client]\nbogus = 1\n"),
        ("site.conf", BAD_VHOST),
    ]);
    assert_eq!(
        run_in(broken.path(), &["--exit-zero"]).status.code(),
        Some(2)
    );
}

#[test]
fn select_and_ignore_take_codes_prefixes_and_names() {
    let t = tree(&[("site.conf", BAD_VHOST), ("other.conf", UNSET_VHOST)]);
    let all = codes(&json_in(t.path(), &[]).0);
    assert_eq!(all, vec!["WS302", "WS301"]);
    assert_eq!(
        codes(&json_in(t.path(), &["--select", "WS301"]).0),
        vec!["WS301"]
    );
    assert_eq!(
        codes(&json_in(t.path(), &["--select", "apache-proxy-timeout-unset"]).0),
        vec!["WS302"]
    );
    assert_eq!(
        codes(&json_in(t.path(), &["--select", "WS3", "--ignore", "WS302"]).0),
        vec!["WS301"]
    );
    assert!(codes(&json_in(t.path(), &["--ignore", "WS30"]).0).is_empty());
    assert_eq!(codes(&json_in(t.path(), &["--select", "ALL"]).0).len(), 2);
}

#[test]
fn config_rules_select_ignore_and_severity() {
    let t = tree(&[
        (
            "wslint.toml",
            "[rules]\nseverity = { WS302 = \"error\", WS301 = \"warning\" }\n",
        ),
        ("site.conf", BAD_VHOST),
        ("other.conf", UNSET_VHOST),
    ]);
    let (items, out) = json_in(t.path(), &[]);
    let sev: Vec<_> = items
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(sev, vec![("WS302", "error"), ("WS301", "warning")]);
    assert_eq!(out.status.code(), Some(1));

    let t = tree(&[
        ("wslint.toml", "[rules]\nselect = [\"WS302\"]\n"),
        ("site.conf", BAD_VHOST),
        ("other.conf", UNSET_VHOST),
    ]);
    assert_eq!(codes(&json_in(t.path(), &[]).0), vec!["WS302"]);
    // --select replaces rules.select; --ignore adds to rules.ignore.
    assert_eq!(
        codes(&json_in(t.path(), &["--select", "WS301"]).0),
        vec!["WS301"]
    );
    let t = tree(&[
        ("wslint.toml", "[rules]\nignore = [\"WS302\"]\n"),
        ("site.conf", BAD_VHOST),
        ("other.conf", UNSET_VHOST),
    ]);
    assert_eq!(codes(&json_in(t.path(), &[]).0), vec!["WS301"]);
    assert!(codes(&json_in(t.path(), &["--ignore", "WS301"]).0).is_empty());
    let t = tree(&[
        ("wslint.toml", "[rules]\nseverity = { WS301 = \"off\" }\n"),
        ("site.conf", BAD_VHOST),
    ]);
    assert!(codes(&json_in(t.path(), &[]).0).is_empty());
}

#[test]
fn config_is_found_upward_and_in_pyproject() {
    let strict = "[apache]\nproxy_timeout_min_s = 120\n";
    // 90 s passes the default minimum but not 120.
    for name in ["wslint.toml", ".wslint.toml"] {
        let t = tree(&[(name, strict), ("deploy/apache/site.conf", GOOD_VHOST)]);
        let (items, _) = json_in(t.path(), &["deploy/apache"]);
        assert_eq!(codes(&items), vec!["WS301"], "{name} was not found");
    }
    let t = tree(&[
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\n[tool.wslint.apache]\nproxy_timeout_min_s = 120\n",
        ),
        ("deploy/site.conf", GOOD_VHOST),
    ]);
    assert_eq!(
        codes(&json_in(&t.path().join("deploy"), &[]).0),
        vec!["WS301"]
    );
    // A pyproject.toml without [tool.wslint] is not a configuration: the
    // search goes on upward.
    let t = tree(&[
        ("wslint.toml", strict),
        ("svc/pyproject.toml", "[project]\nname = \"svc\"\n"),
        ("svc/site.conf", GOOD_VHOST),
    ]);
    assert_eq!(codes(&json_in(t.path(), &["svc"]).0), vec!["WS301"]);
    // The nearest wins, and --config overrides the search.
    let t = tree(&[
        ("wslint.toml", strict),
        ("svc/wslint.toml", "[apache]\nproxy_timeout_min_s = 60\n"),
        ("svc/site.conf", GOOD_VHOST),
        ("other.toml", strict),
    ]);
    assert!(codes(&json_in(t.path(), &["svc"]).0).is_empty());
    assert_eq!(
        codes(&json_in(t.path(), &["svc", "--config", "other.toml"]).0),
        vec!["WS301"]
    );
}

#[test]
fn config_errors_name_file_line_and_key() {
    let t = tree(&[(
        "wslint.toml",
        "[client]\nheartbeat_max = 15000\n\n[server]\norg_filter_pattern = \"(org\"\n\n[apache]\nproxy_timeout_min_s = \"60\"\n",
    )]);
    let out = run_in(t.path(), &["--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("wslint.toml:2:1: unknown key `heartbeat_max` in [client]"),
        "{err}"
    );
    assert!(err.contains("did you mean `heartbeat_max_ms`?"), "{err}");
    assert!(
        err.contains(
            "wslint.toml:5:22: `server.org_filter_pattern` is not a valid regular expression"
        ),
        "{err}"
    );
    assert!(
        err.contains("wslint.toml:8:23: `apache.proxy_timeout_min_s` must be an integer"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());

    let t = tree(&[("wslint.toml", "[client\n")]);
    let out = run_in(t.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("wslint.toml:1:"), "{}", stderr(&out));
    assert!(stderr(&out).contains("invalid TOML"));

    let t = tree(&[]);
    let out = run_in(t.path(), &["--config", "missing.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("missing.toml: cannot read configuration file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn output_file_quiet_and_color() {
    let t = tree(&[("site.conf", BAD_VHOST)]);
    let out = run_in(t.path(), &["--format", "concise", "--output", "report.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let report = std::fs::read_to_string(t.path().join("report.txt")).unwrap();
    assert!(report.starts_with("site.conf:2:5: WS301 "), "{report}");
    assert!(report.contains("Found 1 error"));

    let quiet = stdout(&run_in(t.path(), &["--format", "concise", "--quiet"]));
    assert_eq!(quiet.lines().count(), 1);

    let plain = stdout(&run_in(t.path(), &[]));
    assert!(!plain.contains('\u{1b}'), "piped output is not coloured");
    let colored = stdout(&run_in(t.path(), &["--color", "always"]));
    assert!(colored.contains('\u{1b}'));
    let never = stdout(&run_in(t.path(), &["--color", "never"]));
    assert_eq!(never, plain);
}

#[test]
fn formats_carry_the_contract_fields() {
    let t = tree(&[("site.conf", BAD_VHOST)]);
    let concise = stdout(&run_in(t.path(), &["--format", "concise", "-q"]));
    assert_eq!(
        concise,
        "site.conf:2:5: WS301 `ProxyTimeout 30` gives websocket route `/ws/ -> ws://127.0.0.1:8000/ws/` of Apache `<VirtualHost *:443>` an idle timeout of 30 s, below the 60 s minimum\n"
    );
    let (items, _) = json_in(t.path(), &[]);
    let d = &items[0];
    for key in [
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
    ] {
        assert!(!d[key].is_null(), "json lacks {key}");
    }
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(2), Some(20))
    );
    assert_eq!(d["path"], "site.conf");
    assert_eq!(d["labels"][0]["line"], 3);

    let gh = stdout(&run_in(t.path(), &["--format", "github"]));
    assert!(
        gh.starts_with("::error file=site.conf,line=2,col=5,endLine=2,endColumn=20,title=WS301 proxy-idle-timeout::`ProxyTimeout 30` gives"),
        "{gh}"
    );
    assert!(gh.contains("%0Ahelp: "), "help follows the message: {gh}");

    let human = stdout(&run_in(t.path(), &[]));
    // `[*]`: a safe fix is available; the help line says what it does.
    assert!(human.contains("WS301 [*] proxy-idle-timeout"), "{human}");
    assert!(
        human.contains("fix: set `ProxyTimeout 30` to `60` (`wslint check --fix`)"),
        "{human}"
    );
    assert!(human.contains("[site.conf:2:5]"));
    assert!(human.contains("help:"));
    assert!(human.contains("wslint explain WS301"));
}

#[test]
fn sarif_validates_against_the_schema() {
    // The schema's `language` pattern ends in `]?$`, a literal `]` that
    // ECMAScript accepts and Rust's regex engine does not: escape it.
    let text = include_str!("data/sarif-2.1.0-rtm.5.json")
        .replace(r#"{2}-[a-zA-Z]{2}]?$"#, r#"{2}-[a-zA-Z]{2}\\]?$"#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    let t = tree(&[
        ("a b/site.conf", BAD_VHOST),
        ("a b/main.conf", "Timeout 20\nInclude site2.conf\n"),
        ("a b/site2.conf", UNSET_VHOST),
        ("a b/site3.conf", UNSET_VHOST),
    ]);
    let out = run_in(t.path(), &["--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
    let run = &sarif["runs"][0];
    // The fixes validated too: WS301's safe one and WS302's unsafe one.
    let fixes: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["fixes"][0]["properties"]["applicability"].as_str())
        .collect();
    assert!(
        fixes.contains(&"safe") && fixes.contains(&"unsafe"),
        "{fixes:?}"
    );
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        wslint::registry::all().len()
    );
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 2);
    let uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("a%20b/"), "{uri}");
    // A label in another file becomes a related location.
    assert!(results.iter().any(|r| {
        r["relatedLocations"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
    }));
    // Clean runs are valid too.
    let clean = tree(&[("site.conf", GOOD_VHOST)]);
    let out = run_in(clean.path(), &["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(validator.is_valid(&sarif));
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn gitignore_and_excludes() {
    let t = tree(&[
        (".gitignore", "generated/\n"),
        ("generated/site.conf", BAD_VHOST),
        ("vendor/site.conf", BAD_VHOST),
        ("node_modules/pkg/site.conf", BAD_VHOST),
        ("wslint.toml", "[files]\nexclude = [\"vendor/\"]\n"),
        ("site.conf", GOOD_VHOST),
    ]);
    assert!(codes(&json_in(t.path(), &[]).0).is_empty());
    let (items, _) = json_in(t.path(), &["--no-gitignore"]);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["path"], "generated/site.conf");
    // Named files are checked even when excluded, unless --force-exclude.
    let (items, _) = json_in(
        t.path(),
        &["vendor/site.conf", "node_modules/pkg/site.conf"],
    );
    assert_eq!(items.len(), 2);
    let (items, out) = json_in(
        t.path(),
        &[
            "--force-exclude",
            "vendor/site.conf",
            "node_modules/pkg/site.conf",
        ],
    );
    assert!(items.is_empty());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn output_is_identical_across_job_counts() {
    let repo = common::repo();
    let one = run_in(
        &repo,
        &[
            "check",
            "fixtures/apache",
            "fixtures/demo",
            "--format",
            "json",
            "--jobs",
            "1",
        ],
    );
    for jobs in ["2", "8"] {
        let many = run_in(
            &repo,
            &[
                "check",
                "fixtures/apache",
                "fixtures/demo",
                "--format",
                "json",
                "--jobs",
                jobs,
            ],
        );
        assert_eq!(
            one.stdout, many.stdout,
            "--jobs {jobs} differs from --jobs 1"
        );
    }
    assert!(one.stdout.len() > 1000);
}

#[test]
fn suppressions_and_unused_ones() {
    let t = tree(&[
        (
            "line.conf",
            "<VirtualHost *:443>\n    # wslint-ignore WS301: probe\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://b/ws/\n</VirtualHost>\n",
        ),
        (
            "stacked.conf",
            "<VirtualHost *:443>\n    # wslint-ignore WS301: probe\n    # (reviewed 2026-05)\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://b/ws/\n</VirtualHost>\n",
        ),
        (
            "file.conf",
            "# Probe endpoints.\n# wslint-ignore-file WS301: probes\n<VirtualHost *:443>\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://b/ws/\n</VirtualHost>\n",
        ),
    ]);
    let (items, out) = json_in(t.path(), &[]);
    assert!(items.is_empty(), "{items:?}");
    assert_eq!(out.status.code(), Some(0));

    let t = tree(&[(
        "unused.conf",
        "# wslint-ignore WS301\nTimeout 300\n# wslint-ignore WS999, all\n# wslint-ignore\nKeepAlive On\n<VirtualHost *:443>\n    ProxyTimeout 90\n    ProxyPass /ws/ ws://b/ws/\n</VirtualHost>\n# wslint-ignore-file WS302\n",
    )]);
    let (items, out) = json_in(t.path(), &[]);
    let got: Vec<_> = items
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got.len(), 5, "{got:#?}");
    assert!(got.iter().all(|g| g.0 == "WS001"));
    assert!(
        got[0]
            .2
            .contains("`wslint-ignore WS301` suppresses nothing")
    );
    assert!(
        got[1]
            .2
            .contains("`WS999` in `wslint-ignore` is not a wslint rule code")
    );
    assert!(got[2].2.contains("`all` in `wslint-ignore`"));
    assert!(got[3].2.contains("without rule codes"));
    assert!(got[4].2.contains("not in the file's first comment block"));
    // Warnings only: exit 0 unless --fail-on warning.
    assert_eq!(out.status.code(), Some(0));
    assert!(codes(&json_in(t.path(), &["--ignore", "WS001"]).0).is_empty());
}

#[test]
fn unreadable_and_broken_files_are_reported_and_the_run_goes_on() {
    let t = tree(&[("site.conf", BAD_VHOST)]);
    std::fs::write(t.path().join("latin1.conf"), b"# caf\xe9\n<VirtualHost *:80>\n    ProxyTimeout 20\n    ProxyPass /ws ws://b/\n</VirtualHost>\n").unwrap();
    // A path that does not exist is a usage error, named on stderr.
    let out = run_in(t.path(), &[".", "missing-dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: path `missing-dir` does not exist\n");
    assert!(stdout(&out).is_empty());
    let (items, out) = json_in(t.path(), &["."]);
    let got: Vec<_> = items
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        got.iter().any(|g| g.0 == "latin1.conf"
            && g.1 == "WS002"
            && g.2.contains("invalid UTF-8 at byte 5")),
        "{got:#?}"
    );
    // The rest of the broken file and the other files are still checked.
    assert!(
        got.iter().any(|g| g.0 == "latin1.conf" && g.1 == "WS301"),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|g| g.0 == "site.conf" && g.1 == "WS301"),
        "{got:#?}"
    );
}

#[cfg(unix)]
#[test]
fn fifos_are_never_opened() {
    let t = tree(&[("site.conf", BAD_VHOST)]);
    let fifo = t.path().join("pipe.conf");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("mkfifo unavailable; skipped");
        return;
    }
    // Walking skips it; naming it reports it. Either way the run ends.
    let (items, _) = json_in(t.path(), &[]);
    assert_eq!(codes(&items), vec!["WS301"]);
    let (items, _) = json_in(t.path(), &["pipe.conf", "site.conf"]);
    assert_eq!(codes(&items), vec!["WS002", "WS301"]);
    assert!(items[0]["message"].as_str().unwrap().contains("FIFO"));
}

#[test]
fn nginx_conf_files_are_read_as_nginx_not_apache() {
    let t = tree(&[
        (
            "nginx/site.conf",
            "server {\n  listen 80;\n  location /ws {\n    proxy_pass http://b;\n    proxy_read_timeout 10s;\n    include snippets/proxy.conf;\n  }\n}\n",
        ),
        (
            "sites-enabled/default",
            "server {\n\tlisten 80;\n\tproxy_read_timeout 5;\n}\n",
        ),
    ]);
    let (items, _) = json_in(t.path(), &[]);
    let got: Vec<(&str, u64, &str)> = items
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap(),
            )
        })
        .collect();
    // The short read timeout of a location named for websockets, and the
    // unread include that may hold its upgrade headers (WS307 held back);
    // nothing Apache, and nothing for a server with no websocket route.
    assert_eq!(
        got,
        vec![
            ("nginx/site.conf", 5, "WS301"),
            ("nginx/site.conf", 6, "WS306")
        ],
        "{items:#?}"
    );
    let summary = stdout(&run_in(t.path(), &["--format", "concise"]));
    assert!(
        summary.ends_with(
            "Found 1 error and 1 warning in 1 file (2 checked). 1 fixable with `--fix`.\n"
        ),
        "{summary}"
    );
}

#[test]
fn includes_are_checked_in_context_and_never_outside_the_tree() {
    let outside = tree(&[("secret.conf", "ProxyTimeout 10\n")]);
    let outside_path = outside.path().join("secret.conf");
    let t = tree(&[
        ("apache2.conf", "Timeout 300\nInclude sites/*.conf\n"),
        (
            "sites/app.conf",
            "<VirtualHost *:443>\n    ProxyPass /ws/ ws://b/ws/\n</VirtualHost>\n",
        ),
        (
            "other/main.conf",
            &format!(
                "Include {}\n<VirtualHost *:80>\n    ProxyPass /ws/ ws://b/ws/\n</VirtualHost>\n",
                outside_path.display()
            ),
        ),
    ]);
    // sites/app.conf inherits Timeout 300 from apache2.conf: no WS302.
    let (items, _) = json_in(t.path(), &["apache2.conf", "sites"]);
    assert!(items.is_empty(), "{items:?}");
    // Checked alone, the vhost has nothing to inherit.
    let (items, _) = json_in(t.path(), &["sites/app.conf"]);
    assert_eq!(codes(&items), vec!["WS302"]);
    // The file outside the tree is reported, not read: its 10 s would fire
    // WS301, and the unknown value holds WS302 back.
    let (items, _) = json_in(t.path(), &["other"]);
    let got: Vec<_> = items
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(got, vec![("other/main.conf", "WS306")]);
    assert!(
        items[0]["message"]
            .as_str()
            .unwrap()
            .contains("is outside the scanned tree")
    );
}

#[test]
fn a_panic_costs_one_file_not_the_run() {
    let t = tree(&[("a.conf", BAD_VHOST), ("b.conf", BAD_VHOST)]);
    let out = std::process::Command::new(common::bin())
        .args(["check", "--format", "json"])
        .current_dir(t.path())
        .env("WSLINT_DEBUG_PANIC_ON", "a.conf")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "an internal error exits with 2");
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<_> = items
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(got, vec![("a.conf", "WS002"), ("b.conf", "WS301")]);
    assert!(
        items[0]["message"]
            .as_str()
            .unwrap()
            .contains("internal error")
    );
    assert!(
        items[0]["help"]
            .as_str()
            .unwrap()
            .contains("please report it")
    );
    assert!(stderr(&out).contains("internal error while checking a.conf"));
}

/// A file named on the command line is checked, reported (WS003) with the
/// reason, or counted as of no kind: never dropped without a word.
#[test]
fn named_files_are_never_dropped_without_a_word() {
    let t = tree(&[
        ("README.md", "# notes\n"),
        ("supervisord.conf", "[program:api]\ncommand=/usr/bin/api\n"),
        (
            "deploy/nginx.conf",
            "this is not nginx syntax at all\nnor anything else\n",
        ),
        (
            "roles/web/templates/site.conf.j2",
            "server {\n    listen {{ port }};\n    location /ws/ {\n        proxy_pass http://b;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n        proxy_read_timeout 30s;\n    }\n}\n",
        ),
        ("web/plain.ts", "export const x = 1;\n"),
    ]);
    std::fs::write(t.path().join("blob.conf"), b"\x00\x01ProxyTimeout 30\x00").unwrap();
    let args = [
        "--format",
        "concise",
        "README.md",
        "supervisord.conf",
        "deploy/nginx.conf",
        "roles/web/templates/site.conf.j2",
        "web/plain.ts",
        "blob.conf",
    ];
    let mut all = vec!["check"];
    all.extend_from_slice(&args);
    let out = run_in(t.path(), &all);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        vec![
            "blob.conf:1:1: WS003 not checked: the file is binary (a NUL byte in its first 8 KiB)",
            "deploy/nginx.conf:1:1: WS003 not checked: its name says nginx configuration, but its content is not nginx (nor another proxy's) syntax",
            "roles/web/templates/site.conf.j2:8:9: WS301 `proxy_read_timeout 30s` gives `location /ws/` of nginx `server` (listen {{ port }}) an idle timeout of 30 s, below the 60 s minimum",
            "Found 1 error and 2 warnings in 3 files (2 checked; 2 files of no kind wslint reads). 1 fixable with `--fix`.",
        ],
        "{text}"
    );
}

/// `--config FILE` sets values; the project is the version-control root
/// of the checked paths, not the folder the shared configuration lives in.
#[test]
fn a_config_given_by_name_sets_values_not_the_project() {
    let t = tree(&[
        // A configuration shared by the repositories of a folder.
        ("wslint.toml", "[files]\nexclude = [\"repo/vendor/\"]\n"),
        // Another project beside this one: its heartbeat is not this
        // project's.
        (
            "other/web/slow.ts",
            "const ws = new WebSocket('wss://h/ws');\nsetInterval(() => ws.send('ping'), 60_000);\n",
        ),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        (
            "repo/web/socket.ts",
            "const ws = new WebSocket('wss://h/ws');\nsetInterval(() => ws.send('ping'), 30_000);\n",
        ),
        (
            "repo/deploy/site.conf",
            "<VirtualHost *:443>\n    ProxyTimeout 70\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n",
        ),
        (
            "repo/vendor/site.conf",
            "<VirtualHost *:443>\n    ProxyTimeout 5\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n",
        ),
    ]);
    let repo = t.path().join("repo");
    let (items, out) = json_in(
        &repo,
        &["--config", "../wslint.toml", "deploy/site.conf", "vendor"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let got: Vec<(&str, &str)> = items
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    // The repository's 30 s heartbeat needs 90 s: WS303 on the vhost, its
    // label in repo/web; the excluded vendor folder (relative to the
    // configuration's folder) is not walked.
    assert_eq!(got, vec![("deploy/site.conf", "WS303")], "{items:#?}");
    let labels = items[0]["labels"].to_string();
    assert!(labels.contains("web/socket.ts"), "{labels}");
    assert!(!labels.contains("slow.ts"), "{labels}");
}

/// A Vue component's findings are at the file's own lines and columns:
/// multi-byte markup before the script, the value's label in the other
/// `<script>` block, CRLF line endings alike.
#[test]
fn component_positions_are_the_files() {
    let vue = "<!-- Живой чат · 実時間 · 💬 -->\n<template>\n  <p :title=\"`☃ ${n}`\">{{ n }} — ✓</p>\n</template>\n<script lang=\"ts\">\nexport const HEARTBEAT_MS = 30_000;\n</script>\n<script setup lang=\"ts\">\nconst ws = new WebSocket(\"/ws/ünï\"); const n = 1;\nconst t = setInterval(() => ws.send(\"☃☃\"), HEARTBEAT_MS);\nws.onclose = () => clearInterval(t);\n</script>\n";
    let svelte = "<p>{\"<script>\"} — ☃</p>\n<script>\n  const ws = new WebSocket(\"/ws\");\n  const t = setInterval(() => ws.send(\"ping\"), 25_000);\n  ws.onclose = () => clearInterval(t);\n</script>\n";
    // The frameworks' build output is not walked.
    let built = "const ws = new WebSocket(u);\nsetInterval(() => ws.send(\"p\"), 30_000);\n";
    let t = tree(&[
        ("Chat.vue", vue),
        ("crlf/Chat.vue", &vue.replace('\n', "\r\n")),
        ("Feed.svelte", svelte),
        (".output/server/chunks/app.mjs", built),
        (".nuxt/dist/client/Chat.js", built),
        (".svelte-kit/output/client/feed.js", built),
    ]);
    let (items, out) = json_in(t.path(), &["--select", "WS101"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(items.len(), 3, "{items:?}");
    let at = |path: &str| {
        items
            .iter()
            .find(|d| d["path"] == path)
            .unwrap_or_else(|| panic!("{path}: {items:?}"))
    };
    for path in ["Chat.vue", "crlf/Chat.vue"] {
        let d = at(path);
        // `HEARTBEAT_MS` after `const t = setInterval(() => ws.send("☃☃"), `.
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(10), Some(44)),
            "{d}"
        );
        assert_eq!(d["end_column"].as_u64(), Some(56), "{d}");
        let label = &d["labels"][0];
        assert_eq!(label["path"], path);
        assert_eq!(
            (label["line"].as_u64(), label["column"].as_u64()),
            (Some(6), Some(29))
        );
        assert_eq!(label["message"], "value defined here");
    }
    let d = at("Feed.svelte");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(48))
    );
    // Every format points there too.
    let out = run_in(
        t.path(),
        &[
            "check", "--format", "concise", "--select", "WS101", "Chat.vue",
        ],
    );
    assert!(
        stdout(&out).starts_with("Chat.vue:10:44: WS101"),
        "{}",
        stdout(&out)
    );
}

/// Fixes and added suppressions land in a component's `<script>` blocks,
/// in the script's comment syntax, and the component still parses.
#[test]
fn component_fixes_and_ignores_go_in_the_script() {
    let vue = "<template><p>☃</p></template>\n<script lang=\"ts\">\nexport const HEARTBEAT_MS = 30_000;\n</script>\n<script setup lang=\"ts\">\nconst ws = new WebSocket(\"/ws\");\nconst t = setInterval(() => ws.send(\"p\"), HEARTBEAT_MS);\nws.onclose = () => clearInterval(t);\n</script>\n";
    let t = tree(&[("wslint.toml", ""), ("A.vue", vue), ("B.vue", vue)]);
    let out = run_in(t.path(), &["check", "--fix", "--select", "WS101", "A.vue"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fixed = std::fs::read_to_string(t.path().join("A.vue")).unwrap();
    assert_eq!(fixed, vue.replace("30_000", "20_000"));
    let out = run_in(
        t.path(),
        &[
            "check",
            "--add-ignore=measured",
            "--select",
            "WS101",
            "B.vue",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ignored = std::fs::read_to_string(t.path().join("B.vue")).unwrap();
    assert!(
        ignored.contains("\n// wslint-ignore WS101: measured\nconst t = setInterval"),
        "{ignored}"
    );
}
