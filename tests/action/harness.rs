//! A small GitHub Actions runner for a composite action, enough to run
//! `action.yml` the way the real runner does and to fail loudly on anything
//! it does not model:
//!
//! - the action is read from YAML; a `run:` body holding `${{` is refused
//!   (script injection), as are step keys, `uses:` actions and expressions
//!   this runner does not know;
//! - `${{ ... }}` in `env:`, `with:`, `if:` and the outputs is evaluated
//!   with the `inputs`, `steps.<id>.outputs`/`outcome`, `runner` and
//!   `github` contexts, `==`, `!=`, `!`, `&&`, `||` and literals, with
//!   GitHub's loose equality (case-insensitive strings);
//! - each `run:` step is `bash --noprofile --norc -eo pipefail {0}` (what
//!   `shell: bash` means), in `GITHUB_WORKSPACE`, with the runner's variables,
//!   the inputs as `INPUT_<NAME>` and the step's `env:`; fresh
//!   `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH`, `GITHUB_STATE` and
//!   `GITHUB_STEP_SUMMARY` files per step, read back afterwards (both the
//!   `name=value` and the `name<<DELIMITER` forms) and carried to the
//!   following steps;
//! - workflow commands on standard output (`::error ...::`, honouring
//!   `::stop-commands::`) are parsed into annotations;
//! - `actions/cache/restore` and `actions/cache/save` are simulated with a
//!   folder per key; a test can pre-seed a hit with an already built wslint;
//! - a failing step fails the action and skips the steps after it; the
//!   action's outputs are evaluated at the end either way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

// ---------------------------------------------------------------------------
// The action file

pub struct Action {
    pub inputs: Vec<Input>,
    /// Output name and its `value:` template.
    pub outputs: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

pub struct Input {
    pub name: String,
    pub default: Option<String>,
    pub required: bool,
}

pub struct Step {
    pub id: Option<String>,
    pub name: String,
    pub condition: Option<String>,
    pub env: Vec<(String, String)>,
    pub working_directory: Option<String>,
    pub body: Body,
}

pub enum Body {
    Run {
        shell: String,
        script: String,
    },
    Uses {
        action: String,
        with: Vec<(String, String)>,
    },
}

fn scalar(y: &Yaml, what: &str) -> String {
    match y {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Null => String::new(),
        other => panic!("action.yml: {what} is not a scalar: {other:?}"),
    }
}

fn mapping<'a>(y: &'a Yaml, what: &str) -> Vec<(String, &'a Yaml)> {
    match y {
        Yaml::Hash(h) => h.iter().map(|(k, v)| (scalar(k, what), v)).collect(),
        Yaml::BadValue => Vec::new(),
        other => panic!("action.yml: {what} is not a mapping: {other:?}"),
    }
}

fn check_keys(map: &[(String, &Yaml)], allowed: &[&str], what: &str) {
    for (k, _) in map {
        assert!(
            allowed.contains(&k.as_str()),
            "action.yml: `{k}` in {what} is not modelled by this test runner (known: {allowed:?})"
        );
    }
}

impl Action {
    pub fn load(path: &Path) -> Action {
        let text = std::fs::read_to_string(path).expect("read action.yml");
        Action::parse(&text)
    }

    pub fn parse(text: &str) -> Action {
        let docs = YamlLoader::load_from_str(text).expect("action.yml is valid YAML");
        assert_eq!(docs.len(), 1, "action.yml holds one document");
        let top = mapping(&docs[0], "the top level");
        check_keys(
            &top,
            &[
                "name",
                "description",
                "author",
                "branding",
                "inputs",
                "outputs",
                "runs",
            ],
            "the top level",
        );
        let get = |key: &str| top.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
        for key in ["name", "description", "runs"] {
            assert!(get(key).is_some(), "action.yml lacks `{key}`");
        }
        let inputs = get("inputs")
            .map(|y| mapping(y, "inputs"))
            .unwrap_or_default()
            .into_iter()
            .map(|(name, spec)| {
                let spec = mapping(spec, &format!("input `{name}`"));
                check_keys(
                    &spec,
                    &["description", "required", "default"],
                    &format!("input `{name}`"),
                );
                let field = |k: &str| spec.iter().find(|(key, _)| key == k).map(|(_, v)| *v);
                Input {
                    default: field("default").map(|v| scalar(v, "a default")),
                    required: field("required").is_some_and(|v| matches!(v, Yaml::Boolean(true))),
                    name,
                }
            })
            .collect();
        let outputs = get("outputs")
            .map(|y| mapping(y, "outputs"))
            .unwrap_or_default()
            .into_iter()
            .map(|(name, spec)| {
                let spec = mapping(spec, &format!("output `{name}`"));
                check_keys(
                    &spec,
                    &["description", "value"],
                    &format!("output `{name}`"),
                );
                let value = spec
                    .iter()
                    .find(|(k, _)| k == "value")
                    .map(|(_, v)| scalar(v, "an output value"))
                    .unwrap_or_else(|| {
                        panic!("output `{name}` of a composite action needs `value`")
                    });
                (name, value)
            })
            .collect();
        let runs = mapping(get("runs").unwrap(), "runs");
        check_keys(&runs, &["using", "steps"], "runs");
        let using = runs
            .iter()
            .find(|(k, _)| k == "using")
            .map(|(_, v)| scalar(v, "using"));
        assert_eq!(using.as_deref(), Some("composite"), "a composite action");
        let steps = match runs.iter().find(|(k, _)| k == "steps").map(|(_, v)| *v) {
            Some(Yaml::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, s)| parse_step(i, s))
                .collect(),
            _ => panic!("runs.steps is not a list"),
        };
        Action {
            inputs,
            outputs,
            steps,
        }
    }
}

fn parse_step(index: usize, y: &Yaml) -> Step {
    let what = format!("step {}", index + 1);
    let map = mapping(y, &what);
    check_keys(
        &map,
        &[
            "id",
            "name",
            "if",
            "shell",
            "run",
            "env",
            "uses",
            "with",
            "working-directory",
        ],
        &what,
    );
    let field = |k: &str| map.iter().find(|(key, _)| key == k).map(|(_, v)| *v);
    let text = |k: &str| field(k).map(|v| scalar(v, k));
    let pairs = |k: &str| {
        field(k)
            .map(|v| mapping(v, k))
            .unwrap_or_default()
            .into_iter()
            .map(|(name, v)| (name, scalar(v, k)))
            .collect::<Vec<_>>()
    };
    let body = match (text("run"), text("uses")) {
        (Some(script), None) => {
            assert!(
                !script.contains("${{"),
                "action.yml {what}: `${{{{` inside `run:` is interpolated into the script \
                 before the shell sees it (script injection); pass the value through `env:`"
            );
            let shell = text("shell").unwrap_or_else(|| {
                panic!("action.yml {what}: a composite `run:` step needs `shell:`")
            });
            assert!(field("with").is_none(), "{what}: `with:` on a run step");
            Body::Run { shell, script }
        }
        (None, Some(action)) => {
            assert!(field("shell").is_none(), "{what}: `shell:` on a uses step");
            Body::Uses {
                action,
                with: pairs("with"),
            }
        }
        _ => panic!("action.yml {what}: exactly one of `run:` and `uses:`"),
    };
    Step {
        name: text("name").unwrap_or_else(|| what.clone()),
        id: text("id"),
        condition: text("if"),
        env: pairs("env"),
        working_directory: text("working-directory"),
        body,
    }
}

// ---------------------------------------------------------------------------
// Expressions

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
        }
    }

    fn text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => n.to_string(),
            Value::Str(s) => s.clone(),
        }
    }

    fn number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Num(n) => *n,
            Value::Str(s) if s.trim().is_empty() => 0.0,
            Value::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        }
    }

    /// GitHub's `==`: strings compare case-insensitively; other mixed types
    /// compare as numbers.
    fn loose_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a.eq_ignore_ascii_case(b),
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (a, b) => a.number() == b.number(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Skipped,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Skipped => "skipped",
        }
    }
}

#[derive(Clone, Debug)]
pub struct StepRecord {
    pub outcome: Outcome,
    pub outputs: BTreeMap<String, String>,
}

pub struct Contexts<'a> {
    pub inputs: &'a BTreeMap<String, String>,
    pub steps: &'a BTreeMap<String, StepRecord>,
    pub runner: &'a BTreeMap<String, String>,
    pub github: &'a BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Num(f64),
    Dot,
    Op(&'static str),
    LParen,
    RParen,
}

fn tokenize(expr: &str) -> Vec<Token> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                assert!(i < chars.len(), "unterminated string in `{expr}`");
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        s.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                s.push(chars[i]);
                i += 1;
            }
            out.push(Token::Str(s));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let n: String = chars[start..i].iter().collect();
            out.push(Token::Num(n.parse().expect("a number")));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-')
            {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = match two.as_str() {
                "==" => Some("=="),
                "!=" => Some("!="),
                "&&" => Some("&&"),
                "||" => Some("||"),
                _ => None,
            };
            if let Some(op) = op {
                out.push(Token::Op(op));
                i += 2;
                continue;
            }
            out.push(match c {
                '.' => Token::Dot,
                '!' => Token::Op("!"),
                '(' => Token::LParen,
                ')' => Token::RParen,
                _ => panic!(
                    "`{c}` in expression `{expr}` is not modelled by this test runner (index \
                     access, comparisons other than ==/!=, functions)"
                ),
            });
            i += 1;
        }
    }
    out
}

struct Parser<'a, 'c> {
    tokens: Vec<Token>,
    at: usize,
    expr: &'a str,
    cx: &'a Contexts<'c>,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn or(&mut self) -> Value {
        let mut left = self.and();
        while self.peek() == Some(&Token::Op("||")) {
            self.at += 1;
            let right = self.and();
            left = if left.truthy() { left } else { right };
        }
        left
    }

    fn and(&mut self) -> Value {
        let mut left = self.equality();
        while self.peek() == Some(&Token::Op("&&")) {
            self.at += 1;
            let right = self.equality();
            left = if left.truthy() { right } else { left };
        }
        left
    }

    fn equality(&mut self) -> Value {
        let left = self.unary();
        match self.peek() {
            Some(Token::Op("==")) => {
                self.at += 1;
                let right = self.unary();
                Value::Bool(left.loose_eq(&right))
            }
            Some(Token::Op("!=")) => {
                self.at += 1;
                let right = self.unary();
                Value::Bool(!left.loose_eq(&right))
            }
            _ => left,
        }
    }

    fn unary(&mut self) -> Value {
        if self.peek() == Some(&Token::Op("!")) {
            self.at += 1;
            return Value::Bool(!self.unary().truthy());
        }
        self.primary()
    }

    fn primary(&mut self) -> Value {
        let expr = self.expr;
        match self.next() {
            Some(Token::Str(s)) => Value::Str(s),
            Some(Token::Num(n)) => Value::Num(n),
            Some(Token::LParen) => {
                let v = self.or();
                assert_eq!(self.next(), Some(Token::RParen), "`)` in `{expr}`");
                v
            }
            Some(Token::Ident(first)) => {
                match first.as_str() {
                    "true" => return Value::Bool(true),
                    "false" => return Value::Bool(false),
                    "null" => return Value::Null,
                    _ => {}
                }
                assert!(
                    self.peek() != Some(&Token::LParen),
                    "function `{first}()` in `{expr}` is not modelled by this test runner"
                );
                let mut path = vec![first];
                while self.peek() == Some(&Token::Dot) {
                    self.at += 1;
                    match self.next() {
                        Some(Token::Ident(p)) => path.push(p),
                        other => panic!("a property name after `.` in `{expr}`, got {other:?}"),
                    }
                }
                self.lookup(&path)
            }
            other => panic!("unexpected {other:?} in `{expr}`"),
        }
    }

    fn lookup(&self, path: &[String]) -> Value {
        let cx = self.cx;
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        match p.as_slice() {
            ["inputs", name] => Value::Str(
                cx.inputs
                    .get(*name)
                    .unwrap_or_else(|| panic!("`inputs.{name}` is not a declared input"))
                    .clone(),
            ),
            ["steps", id, rest @ ..] => {
                let step = cx.steps.get(*id).unwrap_or_else(|| {
                    panic!("`steps.{id}` refers to no earlier step with that id")
                });
                match rest {
                    ["outputs", name] => step
                        .outputs
                        .get(*name)
                        .map_or(Value::Null, |v| Value::Str(v.clone())),
                    ["outcome"] | ["conclusion"] => Value::Str(step.outcome.as_str().into()),
                    _ => panic!("`steps.{id}.{}` is not modelled", rest.join(".")),
                }
            }
            ["runner", key] => Value::Str(
                cx.runner
                    .get(*key)
                    .unwrap_or_else(|| panic!("`runner.{key}` is not modelled"))
                    .clone(),
            ),
            ["github", key] => Value::Str(
                cx.github
                    .get(*key)
                    .unwrap_or_else(|| panic!("`github.{key}` is not modelled"))
                    .clone(),
            ),
            _ => panic!(
                "`{}` in `{}` is not a context this test runner models",
                path.join("."),
                self.expr
            ),
        }
    }
}

pub fn evaluate(expr: &str, cx: &Contexts<'_>) -> Value {
    let mut parser = Parser {
        tokens: tokenize(expr),
        at: 0,
        expr,
        cx,
    };
    let v = parser.or();
    assert!(parser.peek().is_none(), "trailing tokens in `{expr}`");
    v
}

/// Replaces each `${{ expr }}` in `text` by its value, once (a value holding
/// `${{` is not evaluated again).
pub fn interpolate(text: &str, cx: &Contexts<'_>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after
            .find("}}")
            .unwrap_or_else(|| panic!("unterminated `${{{{` in `{text}`"));
        out.push_str(&evaluate(&after[..end], cx).text());
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// An `if:` holds an expression with or without `${{ }}` around it.
fn condition(text: &str, cx: &Contexts<'_>) -> bool {
    let t = text.trim();
    match t.strip_prefix("${{").and_then(|r| r.strip_suffix("}}")) {
        Some(inner) if !inner.contains("${{") => evaluate(inner, cx).truthy(),
        _ if t.contains("${{") => !interpolate(t, cx).is_empty(),
        _ => evaluate(t, cx).truthy(),
    }
}

// ---------------------------------------------------------------------------
// Workflow commands and file commands

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// `error`, `warning` or `notice`.
    pub level: String,
    pub properties: BTreeMap<String, String>,
    pub message: String,
}

fn unescape_data(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

fn unescape_property(s: &str) -> String {
    unescape_data(&s.replace("%3A", ":").replace("%2C", ","))
}

/// Annotations and the other workflow commands on a step's standard output,
/// honouring `::stop-commands::TOKEN` ... `::TOKEN::`.
pub fn workflow_commands(stdout: &str) -> (Vec<Annotation>, Vec<String>) {
    let mut annotations = Vec::new();
    let mut others = Vec::new();
    let mut stopped: Option<String> = None;
    for line in stdout.lines() {
        let line = line.trim_start();
        let Some(rest) = line.strip_prefix("::") else {
            continue;
        };
        let Some(end) = rest.find("::") else {
            continue;
        };
        let (head, message) = (&rest[..end], &rest[end + 2..]);
        if let Some(token) = &stopped {
            if head == token && message.is_empty() {
                stopped = None;
            }
            continue;
        }
        let (command, props) = head.split_once(' ').unwrap_or((head, ""));
        match command {
            "error" | "warning" | "notice" => {
                let properties = props
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        (k.trim().to_string(), unescape_property(v))
                    })
                    .collect();
                annotations.push(Annotation {
                    level: command.to_string(),
                    properties,
                    message: unescape_data(message),
                });
            }
            "stop-commands" => stopped = Some(message.to_string()),
            _ => others.push(line.to_string()),
        }
    }
    (annotations, others)
}

/// `name=value` lines and `name<<DELIMITER` blocks, as the runner reads
/// `GITHUB_OUTPUT` and `GITHUB_ENV`.
pub fn file_commands(text: &str, file: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let heredoc = line
            .split_once("<<")
            .filter(|(name, _)| !name.contains('='));
        if let Some((name, delimiter)) = heredoc {
            let mut value = Vec::new();
            loop {
                let l = lines.next().unwrap_or_else(|| {
                    panic!(
                        "{file}: no closing `{delimiter}` for `{name}` (the runner fails the step)"
                    )
                });
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            out.push((name.to_string(), value.join("\n")));
        } else {
            let (name, value) = line.split_once('=').unwrap_or_else(|| {
                panic!("{file}: invalid line `{line}` (the runner fails the step)")
            });
            out.push((name.to_string(), value.to_string()));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The runner

/// The cache service: one folder per key.
pub struct Cache {
    pub dir: PathBuf,
    /// When set, a restore that finds nothing is served this wslint binary
    /// as `bin/wslint` under the key, as if an earlier run had saved a build.
    pub prebuilt: Option<PathBuf>,
}

pub struct Runner {
    /// `GITHUB_ACTION_PATH`: the checkout of the action.
    pub action_path: PathBuf,
    pub workspace: PathBuf,
    pub temp: PathBuf,
    pub tool_cache: PathBuf,
    pub cache: Cache,
    /// Extra variables for every step (the job's `env:`).
    pub env: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct StepRun {
    pub name: String,
    pub outcome: Outcome,
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug)]
pub struct Run {
    pub steps: Vec<StepRun>,
    /// 0 when every step passed, else the failing step's exit code.
    pub exit_code: i32,
    pub outputs: BTreeMap<String, String>,
    pub summary: String,
    pub annotations: Vec<Annotation>,
    /// Workflow commands other than annotations (groups, masks, ...).
    pub other_commands: Vec<String>,
    pub path_additions: Vec<PathBuf>,
    pub env_additions: BTreeMap<String, String>,
    /// Keys the simulated cache restored, and keys it saved.
    pub cache_hits: Vec<String>,
    pub cache_saves: Vec<String>,
}

impl Run {
    pub fn stdout(&self) -> String {
        self.steps.iter().map(|s| s.stdout.as_str()).collect()
    }

    pub fn log(&self) -> String {
        let mut log = String::new();
        for s in &self.steps {
            log.push_str(&format!(
                "--- {} ({:?}, exit {:?})\n{}{}",
                s.name, s.outcome, s.exit_code, s.stdout, s.stderr
            ));
        }
        log
    }

    pub fn step(&self, name: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no step `{name}`; log:\n{}", self.log()))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    crate::common::ship::copy_tree(from, to);
}

fn runner_os() -> &'static str {
    match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        other => panic!("no runner for {other}"),
    }
}

fn runner_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "X64",
        "aarch64" => "ARM64",
        "x86" => "X86",
        other => other,
    }
}

impl Runner {
    pub fn run(&self, action: &Action, given: &[(&str, &str)]) -> Run {
        for (name, _) in given {
            assert!(
                action.inputs.iter().any(|i| i.name == *name),
                "input `{name}` is not declared in action.yml"
            );
        }
        let mut inputs = BTreeMap::new();
        for input in &action.inputs {
            let value = given
                .iter()
                .find(|(n, _)| *n == input.name)
                .map(|(_, v)| v.to_string())
                .or_else(|| input.default.clone());
            assert!(
                value.is_some() || !input.required,
                "required input `{}` not given",
                input.name
            );
            inputs.insert(input.name.clone(), value.unwrap_or_default());
        }
        let runner_ctx: BTreeMap<String, String> = [
            ("os", runner_os().to_string()),
            ("arch", runner_arch().to_string()),
            ("temp", self.temp.display().to_string()),
            ("tool_cache", self.tool_cache.display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let github_ctx: BTreeMap<String, String> = [
            ("action_path", self.action_path.display().to_string()),
            ("workspace", self.workspace.display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();

        // The runner's own variables, then the machine's (less anything that
        // would let a step see this test's runner rather than its own).
        let mut base: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| {
                !(k.starts_with("GITHUB_")
                    || k.starts_with("RUNNER_")
                    || k.starts_with("INPUT_")
                    || k == "CI"
                    || k == "ImageOS")
            })
            .collect();
        base.insert("PATH".into(), crate::common::ship::path_without_wslint());
        for (k, v) in [
            ("CI", "true".to_string()),
            ("GITHUB_ACTIONS", "true".to_string()),
            ("GITHUB_WORKSPACE", self.workspace.display().to_string()),
            ("GITHUB_ACTION_PATH", self.action_path.display().to_string()),
            ("GITHUB_ACTION", "__wslint".to_string()),
            ("GITHUB_REPOSITORY", "example/app".to_string()),
            ("GITHUB_SERVER_URL", "https://github.com".to_string()),
            ("RUNNER_OS", runner_os().to_string()),
            ("RUNNER_ARCH", runner_arch().to_string()),
            ("RUNNER_TEMP", self.temp.display().to_string()),
            ("RUNNER_TOOL_CACHE", self.tool_cache.display().to_string()),
        ] {
            base.insert(k.to_string(), v);
        }
        for (k, v) in &self.env {
            base.insert(k.clone(), v.clone());
        }
        for (name, value) in &inputs {
            base.insert(
                format!("INPUT_{}", name.replace(' ', "_").to_uppercase()),
                value.clone(),
            );
        }

        let commands_dir = self.temp.join("_runner_file_commands");
        std::fs::create_dir_all(&commands_dir).unwrap();
        let mut records: BTreeMap<String, StepRecord> = BTreeMap::new();
        let mut steps = Vec::new();
        let mut env_additions = BTreeMap::new();
        let mut path_additions: Vec<PathBuf> = Vec::new();
        let mut summary = String::new();
        let mut annotations = Vec::new();
        let mut other_commands = Vec::new();
        let mut cache_hits = Vec::new();
        let mut cache_saves = Vec::new();
        let mut failed: Option<i32> = None;

        for (index, step) in action.steps.iter().enumerate() {
            let cx = Contexts {
                inputs: &inputs,
                steps: &records,
                runner: &runner_ctx,
                github: &github_ctx,
            };
            let skip = failed.is_some()
                || step
                    .condition
                    .as_deref()
                    .is_some_and(|c| !condition(c, &cx));
            if skip {
                if let Some(id) = &step.id {
                    records.insert(
                        id.clone(),
                        StepRecord {
                            outcome: Outcome::Skipped,
                            outputs: BTreeMap::new(),
                        },
                    );
                }
                steps.push(StepRun {
                    name: step.name.clone(),
                    outcome: Outcome::Skipped,
                    exit_code: None,
                    stdout: String::new(),
                    stderr: String::new(),
                });
                continue;
            }
            let step_env: Vec<(String, String)> = step
                .env
                .iter()
                .map(|(k, v)| (k.clone(), interpolate(v, &cx)))
                .collect();
            let (outcome, exit_code, stdout, stderr, outputs) = match &step.body {
                Body::Uses { action, with } => {
                    let with: BTreeMap<String, String> = with
                        .iter()
                        .map(|(k, v)| (k.clone(), interpolate(v, &cx)))
                        .collect();
                    let (outputs, log) =
                        self.uses(action, &with, &mut cache_hits, &mut cache_saves);
                    (Outcome::Success, Some(0), log, String::new(), outputs)
                }
                Body::Run { shell, script } => {
                    assert_eq!(
                        shell, "bash",
                        "step `{}`: only `shell: bash` is modelled",
                        step.name
                    );
                    let files = ["OUTPUT", "ENV", "PATH", "STATE", "STEP_SUMMARY"]
                        .map(|f| commands_dir.join(format!("{f}_{index}")));
                    for f in &files {
                        std::fs::write(f, "").unwrap();
                    }
                    let script_path = self.temp.join(format!("step_{index}.sh"));
                    std::fs::write(&script_path, script).unwrap();
                    let cwd = match &step.working_directory {
                        Some(d) => self.workspace.join(interpolate(d, &cx)),
                        None => self.workspace.clone(),
                    };
                    let mut env = base.clone();
                    env.extend(env_additions.clone());
                    let mut path: Vec<String> = path_additions
                        .iter()
                        .rev()
                        .map(|p| p.display().to_string())
                        .collect();
                    path.push(base["PATH"].clone());
                    env.insert("PATH".into(), path.join(":"));
                    for (f, name) in
                        files
                            .iter()
                            .zip(["OUTPUT", "ENV", "PATH", "STATE", "STEP_SUMMARY"])
                    {
                        env.insert(format!("GITHUB_{name}"), f.display().to_string());
                    }
                    env.extend(step_env.iter().cloned());
                    let out = Command::new("bash")
                        .args(["--noprofile", "--norc", "-eo", "pipefail"])
                        .arg(&script_path)
                        .current_dir(&cwd)
                        .env_clear()
                        .envs(&env)
                        .output()
                        .expect("bash runs");
                    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
                    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                    let (mut found, mut others) = workflow_commands(&stdout);
                    annotations.append(&mut found);
                    other_commands.append(&mut others);
                    let read = |f: &PathBuf| std::fs::read_to_string(f).unwrap();
                    let outputs: BTreeMap<String, String> =
                        file_commands(&read(&files[0]), "GITHUB_OUTPUT")
                            .into_iter()
                            .collect();
                    env_additions.extend(file_commands(&read(&files[1]), "GITHUB_ENV"));
                    for line in read(&files[2]).lines().filter(|l| !l.trim().is_empty()) {
                        path_additions.push(PathBuf::from(line.trim()));
                    }
                    summary.push_str(&read(&files[4]));
                    let code = out.status.code();
                    let outcome = if out.status.success() {
                        Outcome::Success
                    } else {
                        Outcome::Failure
                    };
                    (outcome, code, stdout, stderr, outputs)
                }
            };
            if outcome == Outcome::Failure {
                failed = Some(exit_code.unwrap_or(-1));
            }
            if let Some(id) = &step.id {
                records.insert(id.clone(), StepRecord { outcome, outputs });
            }
            steps.push(StepRun {
                name: step.name.clone(),
                outcome,
                exit_code,
                stdout,
                stderr,
            });
        }

        let cx = Contexts {
            inputs: &inputs,
            steps: &records,
            runner: &runner_ctx,
            github: &github_ctx,
        };
        let outputs = action
            .outputs
            .iter()
            .map(|(name, value)| (name.clone(), interpolate(value, &cx)))
            .collect();
        Run {
            steps,
            exit_code: failed.unwrap_or(0),
            outputs,
            summary,
            annotations,
            other_commands,
            path_additions,
            env_additions,
            cache_hits,
            cache_saves,
        }
    }

    /// The `uses:` actions this runner simulates.
    fn uses(
        &self,
        action: &str,
        with: &BTreeMap<String, String>,
        hits: &mut Vec<String>,
        saves: &mut Vec<String>,
    ) -> (BTreeMap<String, String>, String) {
        let known = |keys: &[&str]| {
            for k in with.keys() {
                assert!(
                    keys.contains(&k.as_str()),
                    "`{k}` for {action} is not modelled by this test runner"
                );
            }
        };
        let arg = |k: &str| {
            let v = with
                .get(k)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| panic!("{action} needs `{k}` (got {with:?})"));
            assert!(!v.contains('\n'), "one cache path only is modelled");
            v.clone()
        };
        let entry = |key: &str| {
            let name: String = key
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            self.cache.dir.join(name)
        };
        let mut outputs = BTreeMap::new();
        match action {
            "actions/cache/restore@v4" => {
                known(&["path", "key"]);
                let (path, key) = (PathBuf::from(arg("path")), arg("key"));
                let stored = entry(&key);
                if let (false, Some(bin)) = (stored.exists(), &self.cache.prebuilt) {
                    std::fs::create_dir_all(stored.join("bin")).unwrap();
                    std::fs::copy(bin, stored.join("bin/wslint"))
                        .expect("copy the prebuilt wslint");
                }
                outputs.insert("cache-primary-key".into(), key.clone());
                if stored.exists() {
                    copy_dir(&stored, &path);
                    outputs.insert("cache-hit".into(), "true".into());
                    outputs.insert("cache-matched-key".into(), key.clone());
                    hits.push(key.clone());
                    (outputs, format!("Cache restored from key: {key}\n"))
                } else {
                    // actions/cache/restore leaves `cache-hit` unset on a miss.
                    (outputs, format!("Cache not found for input keys: {key}\n"))
                }
            }
            "actions/cache/save@v4" => {
                known(&["path", "key"]);
                let (path, key) = (PathBuf::from(arg("path")), arg("key"));
                let stored = entry(&key);
                if !path.exists() {
                    // The real action only warns.
                    return (
                        outputs,
                        format!(
                            "Warning: Path Validation Error: {} does not exist\n",
                            path.display()
                        ),
                    );
                }
                if stored.exists() {
                    return (
                        outputs,
                        format!("Failed to save: cache entry {key} already exists\n"),
                    );
                }
                copy_dir(&path, &stored);
                saves.push(key.clone());
                (outputs, format!("Cache saved with key: {key}\n"))
            }
            other => panic!("`uses: {other}` is not simulated by this test runner"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx_eval(expr: &str) -> Value {
        let inputs = BTreeMap::from([("fail-on".to_string(), "error".to_string())]);
        let steps = BTreeMap::from([(
            "cache".to_string(),
            StepRecord {
                outcome: Outcome::Success,
                outputs: BTreeMap::from([("cache-hit".to_string(), "true".to_string())]),
            },
        )]);
        let empty = BTreeMap::new();
        let cx = Contexts {
            inputs: &inputs,
            steps: &steps,
            runner: &empty,
            github: &empty,
        };
        evaluate(expr, &cx)
    }

    #[test]
    fn expressions() {
        assert_eq!(cx_eval("inputs.fail-on"), Value::Str("error".into()));
        assert_eq!(
            cx_eval("steps.cache.outputs.cache-hit != 'true'"),
            Value::Bool(false)
        );
        assert_eq!(
            cx_eval("steps.cache.outputs.cache-hit == 'TRUE'"),
            Value::Bool(true)
        );
        assert_eq!(
            cx_eval("steps.cache.outputs.missing != 'true'"),
            Value::Bool(true)
        );
        assert_eq!(cx_eval("!steps.cache.outputs.missing"), Value::Bool(true));
        assert_eq!(
            cx_eval("steps.cache.outcome == 'success' && 'x' || 'y'"),
            Value::Str("x".into())
        );
        assert_eq!(
            cx_eval("('a' == 'b') || 'it''s'"),
            Value::Str("it's".into())
        );
    }

    #[test]
    #[should_panic(expected = "not modelled")]
    fn unknown_functions_fail() {
        cx_eval("hashFiles('Cargo.lock')");
    }

    #[test]
    #[should_panic(expected = "script injection")]
    fn expressions_in_run_bodies_fail() {
        Action::parse(
            "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo ${{ inputs.args }}\n",
        );
    }

    #[test]
    fn commands_and_files() {
        let (a, others) = workflow_commands(
            "::error file=a%2Cb.conf,line=2,title=WS301 x%3Ay::msg%0Anext\n::stop-commands::tok\n::error::hidden\n::tok::\n  ::warning::shown\n::group::g\n",
        );
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].properties["file"], "a,b.conf");
        assert_eq!(a[0].properties["title"], "WS301 x:y");
        assert_eq!(a[0].message, "msg\nnext");
        assert_eq!(a[1].message, "shown");
        assert_eq!(others, vec!["::group::g"]);
        let f = file_commands("a=1\nb<<EOF\nx\ny=2\nEOF\nc=\n", "GITHUB_OUTPUT");
        assert_eq!(
            f,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x\ny=2".into()),
                ("c".into(), String::new())
            ]
        );
    }
}
