//! The command line: parse arguments, run, render, pick the exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use wslint::registry::{self, Selector};
use wslint::render::{self, Format, RenderOptions};
use wslint::rule::Severity;
use wslint::{Options, Settings};

const AFTER_HELP: &str = "\
Examples:
  wslint                          check the current directory
  wslint check web/ api/ deploy/  check several trees as one project
  wslint --select WS3 deploy/     only the Apache rules
  wslint --format github .        annotations in a GitHub Actions job
  wslint explain WS301            what a rule checks and how to fix it
  wslint --format github --report sarif=wslint.sarif .
                                  annotations, and SARIF for code scanning
  wslint completions bash > ~/.local/share/bash-completion/completions/wslint

Configuration is read from wslint.toml, .wslint.toml or [tool.wslint] in
pyproject.toml, the nearest one from the first path upward.

Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage,
configuration or internal error.";

#[derive(Parser, Debug)]
#[command(
    name = "wslint",
    version,
    about = "Keeps WebSocket connections alive and reconnects sane across React/TypeScript clients, FastAPI servers and Apache proxies.",
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check files and directories (the default command).
    Check(CheckArgs),
    /// List every rule: code, name, default severity, summary.
    Rules,
    /// Show a rule's documentation: what it checks, why, examples, config.
    Explain {
        /// A rule code (WS301) or name (proxy-idle-timeout; former names too).
        rule: String,
    },
    /// Run the language server on standard input and output (LSP), for editors.
    Server,
    /// Show every websocket route of the project: the hops a connection
    /// crosses (load balancer, ingress, proxy, endpoint), each hop's idle
    /// timeout or lifetime and where it comes from, the heartbeats of both
    /// sides, and the hops that break the checklist.
    Routes(RoutesArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug, Clone)]
struct CheckArgs {
    /// Files or directories to check [default: .]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Read this configuration file instead of searching for one.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Run only these rules: codes, prefixes (WS3) or names, comma-separated. Replaces `rules.select`.
    #[arg(long, value_name = "CODES")]
    select: Option<String>,

    /// Skip these rules: codes, prefixes or names, comma-separated. Added to `rules.ignore`.
    #[arg(long, value_name = "CODES")]
    ignore: Option<String>,

    /// Exit with 1 when a finding of this severity or higher is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,

    /// Exit with 0 even when findings are reported (errors still exit with 2).
    #[arg(long)]
    exit_zero: bool,

    /// Apply `files.exclude` and the default excludes to files named on the command line too (for pre-commit).
    #[arg(long)]
    force_exclude: bool,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Also write the report in FORMAT to FILE, from the same run (repeatable): `--report sarif=wslint.sarif`.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_report)]
    report: Vec<ExtraReport>,

    /// Do not honour .gitignore, .ignore and git's exclude files.
    #[arg(long)]
    no_gitignore: bool,

    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,

    /// Do not read or write the cache of earlier runs (.wslint_cache/ at
    /// the project root, or `cache.dir`).
    #[arg(long)]
    no_cache: bool,

    /// Debugging: read, prefilter and parse the files, then stop (no model,
    /// no rule, no cache): the parse floor the benchmark compares with.
    #[arg(long, hide = true)]
    parse_only: bool,

    /// Print findings only, without the closing summary.
    #[arg(long, short = 'q')]
    quiet: bool,

    /// When to colour the human format.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,

    /// Apply the safe fixes of the findings, check again, and report what remains.
    #[arg(long, conflicts_with = "add_ignore")]
    fix: bool,

    /// With `--fix` or `--diff`, apply unsafe fixes too (they change behaviour beyond the finding: review them).
    #[arg(long)]
    unsafe_fixes: bool,

    /// Print a unified diff of what `--fix` would change and write nothing (exit 1 when there is a diff).
    #[arg(long, conflicts_with = "add_ignore")]
    diff: bool,

    /// Insert a `wslint-ignore` comment (with REASON, if given) for every current finding, then report what is left: adopting wslint on an existing codebase.
    #[arg(
        long,
        value_name = "REASON",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    add_ignore: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum RoutesFormat {
    /// A tree per websocket path.
    Human,
    /// One JSON document.
    Json,
}

#[derive(Args, Debug, Clone)]
struct RoutesArgs {
    /// Files or directories of the project [default: .]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RoutesFormat::Human)]
    format: RoutesFormat,

    /// Read this configuration file instead of searching for one.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Do not honour .gitignore, .ignore and git's exclude files.
    #[arg(long)]
    no_gitignore: bool,

    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,

    /// When to colour the human format.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// An extra report: `--report FORMAT=FILE`.
#[derive(Clone, Debug)]
struct ExtraReport {
    format: Format,
    path: PathBuf,
}

fn parse_report(spec: &str) -> Result<ExtraReport, String> {
    let formats = || {
        Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((format, path)) = spec.split_once('=') else {
        return Err(format!(
            "expected FORMAT=FILE, e.g. sarif=wslint.sarif (formats: {})",
            formats()
        ));
    };
    let format = Format::from_str(format, false)
        .map_err(|_| format!("unknown format `{format}` (formats: {})", formats()))?;
    if path.is_empty() {
        return Err("the FILE after `=` is empty".into());
    }
    Ok(ExtraReport {
        format,
        path: PathBuf::from(path),
    })
}

fn main() -> ExitCode {
    wslint::install_panic_hook();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Rules) => rules(),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Server) => server(),
        Some(Command::Check(args)) => check(args),
        Some(Command::Routes(args)) => routes(args),
        None => check(cli.check),
    }
}

fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "wslint", &mut script);
    print(&String::from_utf8_lossy(&script))
}

fn server() -> ExitCode {
    match wslint::server::serve_stdio() {
        Ok(true) => ExitCode::SUCCESS,
        // `exit` without `shutdown`, or the editor closed the pipe.
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: wslint server: {e}");
            ExitCode::from(2)
        }
    }
}

fn rules() -> ExitCode {
    let mut out = String::new();
    for r in registry::all() {
        out.push_str(&format!(
            "{}  {:<32} {:<8} {}\n",
            r.code,
            r.name,
            r.severity.as_str(),
            r.summary
        ));
    }
    print(&out)
}

fn explain(code: &str) -> ExitCode {
    match registry::lookup(code) {
        Some(rule) => print(rule.doc),
        None => {
            eprintln!("error: unknown rule `{code}`; `wslint rules` lists them");
            ExitCode::from(2)
        }
    }
}

fn print(s: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`wslint rules | head`) is not an error.
    let _ = stdout.write_all(s.as_bytes());
    let _ = stdout.flush();
    ExitCode::SUCCESS
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// The settings of a run from the command line, or the exit code of a
/// usage or configuration error (said on stderr).
fn settings(options: Options, color: Color) -> Result<Settings, ExitCode> {
    // A path that does not exist is a mistake on the command line, not a
    // finding about a file.
    for p in &options.paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(usage_error(&format!(
                "path `{}` does not exist",
                p.display()
            )));
        }
    }
    let stderr_color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    Settings::from_options(&options).map_err(|e| {
        eprint!(
            "{}",
            render::config_error(&e, stderr_color && color != Color::Never)
        );
        ExitCode::from(2)
    })
}

/// Whether to colour output going to `output` (stdout when `None`).
fn use_color(color: Color, output: Option<&PathBuf>) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

fn routes(args: RoutesArgs) -> ExitCode {
    let options = Options {
        paths: args.paths.clone(),
        config: args.config.clone(),
        no_gitignore: args.no_gitignore,
        jobs: args.jobs,
        ..Options::default()
    };
    let settings = match settings(options, args.color) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (report, chains) = wslint::routes(&settings);
    for e in &report.errors {
        eprintln!("error: {e}");
    }
    let chains = chains.unwrap_or_default();
    let text = match args.format {
        RoutesFormat::Human => render::routes::human(&chains, use_color(args.color, None)),
        RoutesFormat::Json => render::routes::json(&chains),
    };
    print(&text);
    if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// Writes the report to `--output`'s file, or standard output.
fn emit(output: Option<&std::path::Path>, text: &str) -> Result<(), ExitCode> {
    match output {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|e| usage_error(&format!("cannot write {}: {e}", path.display()))),
        None => {
            print(text);
            Ok(())
        }
    }
}

/// `error: cannot write PATH: why` lines.
fn write_failures(failed: &[(PathBuf, String)]) -> String {
    failed
        .iter()
        .map(|(path, why)| format!("error: cannot write {}: {why}\n", path.display()))
        .collect()
}

/// `1 file`, `2 files`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `--fix` (`write`) and `--diff`: the fix engine's rounds, with what it
/// did, refused and could not write said on stderr.
fn fix(settings: &Settings, unsafe_fixes: bool, write: bool) -> wslint::fix::FixOutcome {
    let mut outcome = wslint::fix::fix(
        settings,
        wslint::fix::FixOptions {
            unsafe_fixes,
            write,
        },
    );
    let mut note = String::new();
    for r in &outcome.refused {
        note.push_str(&format!(
            "{}:{}: {} not fixed: {}\n",
            r.path.display(),
            r.line,
            r.code,
            r.why
        ));
    }
    note.push_str(&write_failures(&outcome.failed));
    let files = plural(outcome.changed.len(), "file");
    let findings = plural(outcome.applied, "finding");
    note.push_str(&if write {
        format!("Fixed {findings} in {files}.\n")
    } else {
        format!("Would fix {findings} in {files}.\n")
    });
    eprint!("{note}");
    outcome.report.errors.extend(
        outcome
            .failed
            .iter()
            .map(|(p, why)| format!("cannot write {}: {why}", p.display())),
    );
    outcome
}

/// `--diff`: the diff on stdout (or `--output`); exit 1 when there is one.
fn diff(settings: &Settings, args: &CheckArgs) -> ExitCode {
    let outcome = fix(settings, args.unsafe_fixes, false);
    for e in &outcome.report.errors {
        eprintln!("error: {e}");
    }
    let text = wslint::fix::diff::unified(&outcome.changed);
    if let Err(code) = emit(args.output.as_deref(), &text) {
        return code;
    }
    if !outcome.report.errors.is_empty() {
        ExitCode::from(2)
    } else if text.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `--add-ignore`: writes the comments, says what it did and what it left
/// on stderr, and gives the report of the check that follows.
fn add_ignore(settings: &Settings, reason: &str) -> wslint::Report {
    let reason = Some(reason).filter(|r| !r.trim().is_empty());
    let outcome = wslint::fix::add_ignores(settings, reason);
    let mut note = String::new();
    for (d, why) in &outcome.left {
        let at = d.start();
        note.push_str(&format!(
            "{}:{}:{}: {} left as it is: {why}\n",
            d.file.path.display(),
            at.line,
            at.column,
            d.code
        ));
    }
    note.push_str(&write_failures(&outcome.failed));
    note.push_str(&format!(
        "Added {} for {} in {}.\n",
        plural(outcome.comments, "suppression comment"),
        plural(outcome.findings, "finding"),
        plural(outcome.files, "file")
    ));
    eprint!("{note}");
    let mut report = outcome.report;
    report.errors.extend(
        outcome
            .failed
            .iter()
            .map(|(p, why)| format!("cannot write {}: {why}", p.display())),
    );
    report
}

fn check(args: CheckArgs) -> ExitCode {
    let select = match args.select.as_deref().map(Selector::parse_list).transpose() {
        Ok(s) => s,
        Err(e) => return usage_error(&format!("--select: {e}")),
    };
    let ignore = match args.ignore.as_deref().map(Selector::parse_list).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return usage_error(&format!("--ignore: {e}")),
    };
    let options = Options {
        paths: args.paths.clone(),
        config: args.config.clone(),
        select,
        ignore,
        no_gitignore: args.no_gitignore,
        force_exclude: args.force_exclude,
        jobs: args.jobs,
        cache: !args.no_cache && !args.parse_only,
        parse_only: args.parse_only,
    };
    let settings = match settings(options, args.color) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.diff {
        return diff(&settings, &args);
    }
    let report = match &args.add_ignore {
        Some(reason) => add_ignore(&settings, reason),
        None if args.fix => fix(&settings, args.unsafe_fixes, true).report,
        None => wslint::run(&settings),
    };
    for n in &report.notes {
        eprintln!("note: {n}");
    }
    for e in &report.errors {
        eprintln!("error: {e}");
    }
    let color = use_color(args.color, args.output.as_ref());
    let text = render::render(
        args.format,
        &report,
        RenderOptions {
            color,
            quiet: args.quiet,
        },
    );
    if let Err(code) = emit(args.output.as_deref(), &text) {
        return code;
    }
    for extra in &args.report {
        let text = render::render(
            extra.format,
            &report,
            RenderOptions {
                color: false,
                quiet: args.quiet,
            },
        );
        if let Err(e) = std::fs::write(&extra.path, text.as_bytes()) {
            return usage_error(&format!("cannot write {}: {e}", extra.path.display()));
        }
    }
    if !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    if report.fails(threshold) && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
