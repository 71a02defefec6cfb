//! Configuration: `wslint.toml`, `.wslint.toml` or `[tool.wslint]` in
//! `pyproject.toml`, found from the checked path upward (or given with
//! `--config`), validated key by key so that every mistake points at its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use regex::Regex;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::registry::{self, Selector};
use crate::rule::{Rule, Severity};
use crate::source::Span;

/// Names of the files a configuration is read from, in order of preference
/// within one directory.
pub const CONFIG_FILES: [&str; 3] = ["wslint.toml", ".wslint.toml", "pyproject.toml"];

/// Bounds on numeric keys: outside them a value is a mistake, not a policy.
const MAX_HEARTBEAT_MS: i64 = 3_600_000;
const MAX_SECONDS: i64 = 86_400;
const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub heartbeat_max_ms: u64,
    /// The client heartbeat, stated for projects whose client lives in
    /// another repository (WS303 compares the proxy timeout with it).
    pub heartbeat_ms: Option<u64>,
    pub terminal_close_codes: Vec<u16>,
    pub token_pattern: Regex,
}

#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub keepalive_max_s: f64,
    pub org_filter_pattern: Regex,
    pub org_scoped_routes: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct ProxyConfig {
    /// WS301: the least idle timeout of a websocket route at any hop.
    pub idle_timeout_min_s: u64,
    /// WS303: the idle timeout must be this many client heartbeats.
    pub heartbeat_ratio: f64,
    /// WS308: the least lifetime of a load balancer that ends every
    /// websocket after a fixed time.
    pub lifetime_min_s: u64,
    /// Paths that carry websockets besides the project's endpoints and
    /// client URLs (`/live/*`).
    pub websocket_paths: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct ApacheConfig {
    /// Absolute; `None` = resolve Include paths from the including file's folder.
    pub server_root: Option<PathBuf>,
}

#[derive(Clone, Debug, Default)]
pub struct RulesConfig {
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    /// `None` = switched off.
    pub severity: BTreeMap<&'static str, Option<Severity>>,
}

#[derive(Clone, Debug)]
pub struct FilesConfig {
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are not checked (WS003).
    pub max_size: u64,
}

/// The default `files.max_size`: 5 MiB, room for a large generated module,
/// a bound on what one file can cost.
pub const DEFAULT_MAX_SIZE: u64 = 5 * 1024 * 1024;
const MAX_MAX_SIZE: i64 = 1 << 30;

#[derive(Clone, Debug)]
pub struct Config {
    pub client: ClientConfig,
    pub server: ServerConfig,
    pub proxy: ProxyConfig,
    pub apache: ApacheConfig,
    pub rules: RulesConfig,
    pub files: FilesConfig,
    pub cache: CacheConfig,
}

/// `[cache]`: where the results of earlier runs are kept.
#[derive(Clone, Debug, Default)]
pub struct CacheConfig {
    /// Absolute (relative values are taken from the configuration file's
    /// folder); `None` = `.wslint_cache` at the project root.
    pub dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client: ClientConfig {
                heartbeat_max_ms: 20_000,
                heartbeat_ms: None,
                terminal_close_codes: vec![1000, 4001, 4003, 4004, 4403],
                token_pattern: Regex::new(r"(?i)^(access_?token|auth_?token|id_?token|token|jwt)$")
                    .expect("default token pattern"),
            },
            server: ServerConfig {
                keepalive_max_s: 20.0,
                org_filter_pattern: Regex::new(r"(?i)\b(org|organization|tenant)_?id\b")
                    .expect("default org pattern"),
                org_scoped_routes: vec!["/ws/jobs".into(), "/ws/jobs/{*}".into()],
            },
            proxy: ProxyConfig {
                idle_timeout_min_s: 60,
                heartbeat_ratio: 3.0,
                lifetime_min_s: 3600,
                websocket_paths: Vec::new(),
            },
            apache: ApacheConfig { server_root: None },
            rules: RulesConfig::default(),
            files: FilesConfig {
                exclude: Vec::new(),
                max_size: DEFAULT_MAX_SIZE,
            },
            cache: CacheConfig::default(),
        }
    }
}

/// One mistake in a configuration file.
#[derive(Clone, Debug)]
pub struct Problem {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// A configuration that could not be used; exit code 2.
#[derive(Clone, Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    /// The file's text, when it could be read.
    pub text: Option<Arc<str>>,
    pub problems: Vec<Problem>,
}

impl ConfigError {
    fn io(path: &Path, err: &std::io::Error) -> Self {
        ConfigError {
            path: path.to_path_buf(),
            text: None,
            problems: vec![Problem {
                span: Span::default(),
                message: format!("cannot read configuration file: {err}"),
                help: None,
            }],
        }
    }
}

/// A configuration and where it came from.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub config: Config,
    /// The file read, if any.
    pub path: Option<PathBuf>,
}

/// Whether folder `dir` holds a wslint configuration of its own (a
/// `pyproject.toml` only when it has a `[tool.wslint]` table).
pub fn has_own_config(dir: &Path) -> bool {
    CONFIG_FILES.iter().any(|name| {
        let candidate = dir.join(name);
        if *name != "pyproject.toml" {
            return crate::cache::is_file(&candidate);
        }
        crate::cache::touch(&candidate);
        std::fs::read(&candidate)
            .is_ok_and(|bytes| memchr::memmem::find(&bytes, b"tool.wslint").is_some())
    })
}

/// Finds the nearest configuration from `start` (a file or directory) upward.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in CONFIG_FILES {
            let candidate = d.join(name);
            if !candidate.is_file() {
                continue;
            }
            if name == "pyproject.toml" {
                // Only a pyproject.toml that configures wslint counts.
                match std::fs::read(&candidate) {
                    Ok(bytes) if memchr::memmem::find(&bytes, b"tool.wslint").is_some() => {}
                    _ => continue,
                }
            }
            return Some(relative_to_cwd(&candidate));
        }
        dir = d.parent();
    }
    None
}

/// `candidate` relative to the current directory when it lies below it, so
/// that messages name it as the user sees it.
fn relative_to_cwd(candidate: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| candidate.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| candidate.to_path_buf())
}

/// Reads and validates a configuration file.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError::io(path, &e))?;
    let text: Arc<str> = match String::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(e) => {
            return Err(ConfigError {
                path: path.to_path_buf(),
                text: None,
                problems: vec![Problem {
                    span: Span::default(),
                    message: format!(
                        "configuration file is not valid UTF-8 (byte {})",
                        e.utf8_error().valid_up_to()
                    ),
                    help: None,
                }],
            });
        }
    };
    let base = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    match parse(&text, is_pyproject, &base) {
        Ok(config) => Ok(Loaded {
            config,
            path: Some(path.to_path_buf()),
        }),
        Err(problems) => Err(ConfigError {
            path: path.to_path_buf(),
            text: Some(text),
            problems,
        }),
    }
}

/// Parses configuration text. `base` resolves relative paths in it.
pub fn parse(text: &str, is_pyproject: bool, base: &Path) -> Result<Config, Vec<Problem>> {
    let doc = DeTable::parse(text).map_err(|e| {
        vec![Problem {
            span: e.span().map(Span::from).unwrap_or_default(),
            message: format!("invalid TOML: {}", e.message().trim_end()),
            help: None,
        }]
    })?;
    let mut v = Validator {
        problems: Vec::new(),
        config: Config::default(),
        base,
        set: BTreeMap::new(),
    };
    let root = doc.get_ref();
    if is_pyproject {
        let wslint = root
            .get("tool")
            .and_then(|t| t.get_ref().as_table())
            .and_then(|t| t.get("wslint"));
        if let Some(section) = wslint
            && let Some(table) = v.table(section, "tool.wslint")
        {
            v.top(table, "tool.wslint.");
        }
    } else {
        v.top(root, "");
    }
    v.aliases();
    if v.problems.is_empty() {
        Ok(v.config)
    } else {
        v.problems.sort_by_key(|p| p.span);
        Err(v.problems)
    }
}

struct Validator<'b> {
    problems: Vec<Problem>,
    config: Config,
    base: &'b Path,
    /// Keys that take part in an alias, by full name, with their spans.
    set: BTreeMap<String, std::ops::Range<usize>>,
}

/// Former keys that still set a `[proxy]` value: (old, new).
const ALIASES: [(&str, &str); 2] = [
    ("apache.proxy_timeout_min_s", "proxy.idle_timeout_min_s"),
    ("apache.heartbeat_ratio", "proxy.heartbeat_ratio"),
];

type Item<'i> = Spanned<DeValue<'i>>;

impl Validator<'_> {
    fn problem(&mut self, span: std::ops::Range<usize>, message: String, help: Option<String>) {
        self.problems.push(Problem {
            span: span.into(),
            message,
            help,
        });
    }

    fn table<'a, 'i>(&mut self, item: &'a Item<'i>, key: &str) -> Option<&'a DeTable<'i>> {
        match item.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.problem(
                    item.span(),
                    format!("`{key}` must be a table, found {}", type_name(other)),
                    None,
                );
                None
            }
        }
    }

    /// Reports unknown keys of `table` and returns the known ones.
    fn keys<'a, 'i>(
        &mut self,
        table: &'a DeTable<'i>,
        prefix: &str,
        known: &[&str],
    ) -> Vec<(&'a str, &'a Item<'i>)> {
        let mut out = Vec::new();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            if known.contains(&name) {
                out.push((name, value));
            } else {
                let help = match suggest(name, known) {
                    Some(s) => format!("did you mean `{s}`? known keys: {}", known.join(", ")),
                    None => format!("known keys: {}", known.join(", ")),
                };
                let section = prefix.trim_end_matches('.');
                let message = if section.is_empty() {
                    format!("unknown section `{name}`")
                } else {
                    format!("unknown key `{name}` in [{section}]")
                };
                self.problem(key.span(), message, Some(help));
            }
        }
        out
    }

    fn top(&mut self, root: &DeTable<'_>, prefix: &str) {
        for (section, value) in self.keys(
            root,
            prefix,
            &[
                "client", "server", "proxy", "apache", "rules", "files", "cache",
            ],
        ) {
            let path = format!("{prefix}{section}");
            let Some(table) = self.table(value, &path) else {
                continue;
            };
            let prefix = format!("{path}.");
            match section {
                "client" => self.client(table, &prefix),
                "server" => self.server(table, &prefix),
                "proxy" => self.proxy(table, &prefix),
                "apache" => self.apache(table, &prefix),
                "rules" => self.rules(table, &prefix),
                "files" => self.files(table, &prefix),
                "cache" => self.cache(table, &prefix),
                _ => unreachable!("keys() returns known keys only"),
            }
        }
    }

    fn client(&mut self, table: &DeTable<'_>, prefix: &str) {
        let known = [
            "heartbeat_max_ms",
            "heartbeat_ms",
            "terminal_close_codes",
            "token_pattern",
        ];
        for (key, value) in self.keys(table, prefix, &known) {
            let full = format!("{prefix}{key}");
            match key {
                "heartbeat_max_ms" => {
                    if let Some(n) = self.int(value, &full, 1, MAX_HEARTBEAT_MS) {
                        self.config.client.heartbeat_max_ms = n as u64;
                    }
                }
                "heartbeat_ms" => {
                    if let Some(n) = self.int(value, &full, 1, MAX_HEARTBEAT_MS) {
                        self.config.client.heartbeat_ms = Some(n as u64);
                    }
                }
                "terminal_close_codes" => {
                    if let Some(codes) = self.close_codes(value, &full) {
                        self.config.client.terminal_close_codes = codes;
                    }
                }
                "token_pattern" => {
                    if let Some(re) = self.regex(value, &full) {
                        self.config.client.token_pattern = re;
                    }
                }
                _ => unreachable!(),
            }
        }
    }

    fn server(&mut self, table: &DeTable<'_>, prefix: &str) {
        let known = ["keepalive_max_s", "org_filter_pattern", "org_scoped_routes"];
        for (key, value) in self.keys(table, prefix, &known) {
            let full = format!("{prefix}{key}");
            match key {
                "keepalive_max_s" => {
                    if let Some(n) = self.number(value, &full, MAX_SECONDS as f64) {
                        self.config.server.keepalive_max_s = n;
                    }
                }
                "org_filter_pattern" => {
                    if let Some(re) = self.regex(value, &full) {
                        self.config.server.org_filter_pattern = re;
                    }
                }
                "org_scoped_routes" => {
                    if let Some(routes) = self.strings(value, &full) {
                        let mut ok = Vec::new();
                        for (route, span) in routes {
                            if route.starts_with('/') {
                                ok.push(route);
                            } else {
                                self.problem(
                                    span,
                                    format!("`{full}`: route `{route}` must start with `/`"),
                                    Some(
                                        "write routes as FastAPI paths, e.g. \"/ws/jobs/{*}\""
                                            .into(),
                                    ),
                                );
                            }
                        }
                        self.config.server.org_scoped_routes = ok;
                    }
                }
                _ => unreachable!(),
            }
        }
    }

    /// The idle timeout minimum and heartbeat ratio, under their name in
    /// `[proxy]` or their former one in `[apache]`.
    fn proxy_value(&mut self, value: &Item<'_>, full: &str, key: &str) {
        self.set.insert(
            full.trim_start_matches("tool.wslint.").to_string(),
            value.span(),
        );
        match key {
            "idle_timeout_min_s" | "proxy_timeout_min_s" => {
                if let Some(n) = self.int(value, full, 1, MAX_SECONDS) {
                    self.config.proxy.idle_timeout_min_s = n as u64;
                }
            }
            "heartbeat_ratio" => {
                if let Some(n) = self.number(value, full, 100.0) {
                    if n < 1.0 {
                        self.problem(
                            value.span(),
                            format!("`{full}` must be at least 1, found {n}"),
                            Some("the proxy timeout must exceed the heartbeat; 3 is the checklist's margin".into()),
                        );
                    } else {
                        self.config.proxy.heartbeat_ratio = n;
                    }
                }
            }
            _ => unreachable!(),
        }
    }

    fn proxy(&mut self, table: &DeTable<'_>, prefix: &str) {
        let known = [
            "idle_timeout_min_s",
            "heartbeat_ratio",
            "lifetime_min_s",
            "websocket_paths",
        ];
        for (key, value) in self.keys(table, prefix, &known) {
            let full = format!("{prefix}{key}");
            match key {
                "idle_timeout_min_s" | "heartbeat_ratio" => self.proxy_value(value, &full, key),
                "lifetime_min_s" => {
                    if let Some(n) = self.int(value, &full, 1, 7 * MAX_SECONDS) {
                        self.config.proxy.lifetime_min_s = n as u64;
                    }
                }
                "websocket_paths" => {
                    if let Some(paths) = self.strings(value, &full) {
                        let mut ok = Vec::new();
                        for (path, span) in paths {
                            if path.starts_with('/') {
                                ok.push(path);
                            } else {
                                self.problem(
                                    span,
                                    format!("`{full}`: path `{path}` must start with `/`"),
                                    Some("write paths as the browser requests them, e.g. \"/live/*\" or \"/ws/jobs/{id}\"".into()),
                                );
                            }
                        }
                        self.config.proxy.websocket_paths = ok;
                    }
                }
                _ => unreachable!(),
            }
        }
    }

    fn apache(&mut self, table: &DeTable<'_>, prefix: &str) {
        let known = ["proxy_timeout_min_s", "heartbeat_ratio", "server_root"];
        for (key, value) in self.keys(table, prefix, &known) {
            let full = format!("{prefix}{key}");
            match key {
                "proxy_timeout_min_s" | "heartbeat_ratio" => self.proxy_value(value, &full, key),
                "server_root" => {
                    if let Some(s) = self.string(value, &full) {
                        self.config.apache.server_root = if s.is_empty() {
                            None
                        } else {
                            Some(crate::paths::normalize(&self.base.join(s)))
                        };
                    }
                }
                _ => unreachable!(),
            }
        }
    }

    /// A value set under both its former and its current name is a mistake:
    /// which one wins would be a guess.
    fn aliases(&mut self) {
        for (old, new) in ALIASES {
            if let (Some(span), Some(_)) = (self.set.get(old).cloned(), self.set.get(new)) {
                self.problem(
                    span,
                    format!("`{old}` is the former name of `{new}`, which is also set"),
                    Some(format!("keep only `{new}`")),
                );
            }
        }
    }

    fn rules(&mut self, table: &DeTable<'_>, prefix: &str) {
        for (key, value) in self.keys(table, prefix, &["select", "ignore", "severity"]) {
            let full = format!("{prefix}{key}");
            match key {
                "select" | "ignore" => {
                    let Some(items) = self.strings(value, &full) else {
                        continue;
                    };
                    let mut selectors = Vec::new();
                    for (item, span) in items {
                        match Selector::parse(&item) {
                            Ok(s) => selectors.push(s),
                            Err(e) => {
                                self.problem(span, format!("`{full}`: {e}"), Some(selector_help()))
                            }
                        }
                    }
                    if key == "select" {
                        self.config.rules.select = selectors;
                    } else {
                        self.config.rules.ignore = selectors;
                    }
                }
                "severity" => {
                    let Some(t) = self.table(value, &full) else {
                        continue;
                    };
                    for (code, level) in t.iter() {
                        let code_str = code.get_ref().as_ref();
                        let Some(rule) = registry::by_code(code_str) else {
                            self.problem(
                                code.span(),
                                format!("`{full}`: unknown rule code `{code_str}`"),
                                Some("run `wslint rules` for the list of codes".into()),
                            );
                            continue;
                        };
                        let level_str = level.get_ref().as_str();
                        let parsed = match level_str {
                            Some("off") => Some(None),
                            Some(s) => Severity::parse(s).map(Some),
                            None => None,
                        };
                        match parsed {
                            Some(sev) => {
                                self.config.rules.severity.insert(rule.code, sev);
                            }
                            None => self.problem(
                                level.span(),
                                format!(
                                    "`{full}.{code_str}` must be \"error\", \"warning\" or \"off\", found {}",
                                    describe(level.get_ref())
                                ),
                                None,
                            ),
                        }
                    }
                }
                _ => unreachable!(),
            }
        }
    }

    fn files(&mut self, table: &DeTable<'_>, prefix: &str) {
        for (key, value) in self.keys(table, prefix, &["exclude", "max_size"]) {
            let full = format!("{prefix}{key}");
            if key == "max_size" {
                if let Some(n) = self.int(value, &full, 1, MAX_MAX_SIZE) {
                    self.config.files.max_size = n as u64;
                }
                continue;
            }
            let Some(items) = self.strings(value, &full) else {
                continue;
            };
            let mut ok = Vec::new();
            for (glob, span) in items {
                match globset::Glob::new(&glob) {
                    Ok(_) => ok.push(glob),
                    Err(e) => self.problem(
                        span,
                        format!("`{full}`: invalid glob `{glob}`: {}", e.kind()),
                        None,
                    ),
                }
            }
            self.config.files.exclude = ok;
        }
    }

    fn cache(&mut self, table: &DeTable<'_>, prefix: &str) {
        for (key, value) in self.keys(table, prefix, &["dir"]) {
            let full = format!("{prefix}{key}");
            if let Some(s) = self.string(value, &full) {
                if s.is_empty() {
                    self.problem(
                        value.span(),
                        format!("`{full}` is empty"),
                        Some("remove the key to keep the cache in `.wslint_cache` at the project root, or pass `--no-cache`".into()),
                    );
                } else {
                    self.config.cache.dir = Some(crate::paths::normalize(&self.base.join(s)));
                }
            }
        }
    }

    fn int(&mut self, item: &Item<'_>, key: &str, min: i64, max: i64) -> Option<i64> {
        let parsed = match item.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        match parsed {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) => {
                self.problem(
                    item.span(),
                    format!("`{key}` must be between {min} and {max}, found {n}"),
                    None,
                );
                None
            }
            None => {
                self.problem(
                    item.span(),
                    format!(
                        "`{key}` must be an integer between {min} and {max}, found {}",
                        describe(item.get_ref())
                    ),
                    None,
                );
                None
            }
        }
    }

    /// A positive number, integer or float, at most `max`.
    fn number(&mut self, item: &Item<'_>, key: &str, max: f64) -> Option<f64> {
        let parsed = match item.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match parsed {
            Some(n) if n.is_finite() && n > 0.0 && n <= max => Some(n),
            Some(_) => {
                self.problem(
                    item.span(),
                    format!(
                        "`{key}` must be greater than 0 and at most {max}, found {}",
                        describe(item.get_ref())
                    ),
                    None,
                );
                None
            }
            None => {
                self.problem(
                    item.span(),
                    format!(
                        "`{key}` must be a number, found {}",
                        describe(item.get_ref())
                    ),
                    None,
                );
                None
            }
        }
    }

    fn string(&mut self, item: &Item<'_>, key: &str) -> Option<String> {
        match item.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.problem(
                    item.span(),
                    format!("`{key}` must be a string, found {}", describe(other)),
                    None,
                );
                None
            }
        }
    }

    fn strings(
        &mut self,
        item: &Item<'_>,
        key: &str,
    ) -> Option<Vec<(String, std::ops::Range<usize>)>> {
        let DeValue::Array(items) = item.get_ref() else {
            self.problem(
                item.span(),
                format!(
                    "`{key}` must be an array of strings, found {}",
                    describe(item.get_ref())
                ),
                None,
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for it in items.iter() {
            match it.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), it.span())),
                other => {
                    ok = false;
                    self.problem(
                        it.span(),
                        format!("`{key}` must hold strings only, found {}", describe(other)),
                        None,
                    );
                }
            }
        }
        ok.then_some(out)
    }

    fn close_codes(&mut self, item: &Item<'_>, key: &str) -> Option<Vec<u16>> {
        let DeValue::Array(items) = item.get_ref() else {
            self.problem(
                item.span(),
                format!(
                    "`{key}` must be an array of close codes, found {}",
                    describe(item.get_ref())
                ),
                None,
            );
            return None;
        };
        if items.is_empty() {
            self.problem(
                item.span(),
                format!("`{key}` must not be empty"),
                Some("list the close codes after which a client must not reconnect, e.g. [1000, 4001, 4003, 4004, 4403]".into()),
            );
            return None;
        }
        let mut codes = Vec::new();
        let mut ok = true;
        for it in items.iter() {
            let n = match it.get_ref() {
                DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
                _ => None,
            };
            match n {
                Some(n) if (1000..=4999).contains(&n) => codes.push(n as u16),
                _ => {
                    ok = false;
                    self.problem(
                        it.span(),
                        format!(
                            "`{key}`: {} is not a WebSocket close code (1000-4999)",
                            describe(it.get_ref())
                        ),
                        None,
                    );
                }
            }
        }
        codes.sort_unstable();
        codes.dedup();
        ok.then_some(codes)
    }

    fn regex(&mut self, item: &Item<'_>, key: &str) -> Option<Regex> {
        let s = self.string(item, key)?;
        match regex::RegexBuilder::new(&s)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(re) => Some(re),
            Err(e) => {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or("").trim();
                let last = last.strip_prefix("error: ").unwrap_or(last).to_string();
                self.problem(
                    item.span(),
                    format!("`{key}` is not a valid regular expression: {last}"),
                    Some(
                        "the syntax is Rust's `regex` crate (no look-around or back-references)"
                            .into(),
                    ),
                );
                None
            }
        }
    }
}

fn selector_help() -> String {
    "use a code (WS301), a prefix (WS3), a rule name (proxy-idle-timeout; former names too) or ALL; `wslint rules` lists them".into()
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// A short rendering of a value for messages: `-1`, `"abc"`, `a table`.
fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("{:?}", s.as_ref()),
        DeValue::Integer(i) => format!("{i}"),
        DeValue::Float(f) => format!("{f}"),
        DeValue::Boolean(b) => format!("{b}"),
        other => type_name(other).to_string(),
    }
}

/// The known key closest to `name`, if close enough to be a typo: one it
/// is the beginning of (`heartbeat_max` -> `heartbeat_max_ms`), else the
/// nearest by edit distance.
fn suggest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    if let Some(k) = known
        .iter()
        .filter(|k| name.len() >= 3 && k.starts_with(name))
        .min_by_key(|k| k.len())
    {
        return Some(k);
    }
    known
        .iter()
        .map(|k| (levenshtein(name, k), *k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Which rules run and at which severity, after config and command line.
#[derive(Clone, Debug)]
pub struct RuleSelection {
    enabled: Vec<(&'static Rule, Severity)>,
}

impl RuleSelection {
    pub fn new(
        rules: &RulesConfig,
        cli_select: Option<&[Selector]>,
        cli_ignore: &[Selector],
    ) -> Self {
        let select = cli_select.unwrap_or(&rules.select);
        let mut enabled = Vec::new();
        for rule in registry::all().iter().copied() {
            let selected = select.is_empty() || select.iter().any(|s| s.matches(rule));
            let ignored = rules
                .ignore
                .iter()
                .chain(cli_ignore)
                .any(|s| s.matches(rule));
            if !selected || ignored {
                continue;
            }
            let severity = match rules.severity.get(rule.code) {
                Some(None) => continue,
                Some(Some(s)) => *s,
                None => rule.severity,
            };
            enabled.push((rule, severity));
        }
        RuleSelection { enabled }
    }

    pub fn severity(&self, code: &str) -> Option<Severity> {
        self.enabled
            .iter()
            .find(|(r, _)| r.code == code)
            .map(|(_, s)| *s)
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        self.severity(code).is_some()
    }

    pub fn rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        self.enabled.iter().map(|(r, _)| *r)
    }
}

/// `files.exclude` globs with gitignore semantics, anchored at the project root.
pub fn exclude_matcher(root: &Path, globs: &[String]) -> Result<Gitignore, String> {
    let mut builder = GitignoreBuilder::new(root);
    for glob in globs {
        builder
            .add_line(None, glob)
            .map_err(|e| format!("files.exclude: {e}"))?;
    }
    builder.build().map_err(|e| format!("files.exclude: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        parse(text, false, Path::new("/p"))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn defaults_match_the_contract() {
        let c = parse("", false, Path::new("/p")).unwrap();
        assert_eq!(c.client.heartbeat_max_ms, 20_000);
        assert_eq!(
            c.client.terminal_close_codes,
            vec![1000, 4001, 4003, 4004, 4403]
        );
        assert!(c.client.token_pattern.is_match("accessToken"));
        assert!(!c.client.token_pattern.is_match("tokenizer"));
        assert_eq!(c.server.keepalive_max_s, 20.0);
        assert!(c.server.org_filter_pattern.is_match("org_id"));
        assert_eq!(c.proxy.idle_timeout_min_s, 60);
        assert_eq!(c.proxy.heartbeat_ratio, 3.0);
        assert_eq!(c.proxy.lifetime_min_s, 3600);
        assert!(c.proxy.websocket_paths.is_empty());
        assert!(c.apache.server_root.is_none());
    }

    #[test]
    fn every_key_is_read() {
        let c = parse(
            r#"
[client]
heartbeat_max_ms = 15_000
heartbeat_ms = 12_000
terminal_close_codes = [1000, 4001]
token_pattern = "^tok$"
[server]
keepalive_max_s = 12.5
org_filter_pattern = "tenant"
org_scoped_routes = ["/ws/a"]
[proxy]
idle_timeout_min_s = 120
heartbeat_ratio = 4
lifetime_min_s = 7200
websocket_paths = ["/live/*"]
[apache]
server_root = "etc/apache2"
[rules]
select = ["WS3"]
ignore = ["WS302"]
severity = { WS301 = "warning", WS304 = "off" }
[files]
exclude = ["vendor/**"]
max_size = 1_000_000
"#,
            false,
            Path::new("/p"),
        )
        .unwrap();
        assert_eq!(c.client.heartbeat_max_ms, 15_000);
        assert_eq!(c.client.heartbeat_ms, Some(12_000));
        assert_eq!(c.client.terminal_close_codes, vec![1000, 4001]);
        assert_eq!(c.server.keepalive_max_s, 12.5);
        assert_eq!(c.server.org_scoped_routes, vec!["/ws/a"]);
        assert_eq!(c.proxy.idle_timeout_min_s, 120);
        assert_eq!(c.proxy.heartbeat_ratio, 4.0);
        assert_eq!(c.proxy.lifetime_min_s, 7200);
        assert_eq!(c.proxy.websocket_paths, vec!["/live/*"]);
        assert_eq!(
            c.apache.server_root.as_deref(),
            Some(Path::new("/p/etc/apache2"))
        );
        assert_eq!(c.rules.select.len(), 1);
        assert_eq!(
            c.rules.severity.get("WS301"),
            Some(&Some(Severity::Warning))
        );
        assert_eq!(c.rules.severity.get("WS304"), Some(&None));
        assert_eq!(c.files.exclude, vec!["vendor/**"]);
        assert_eq!(c.files.max_size, 1_000_000);
    }

    #[test]
    fn mistakes_are_named() {
        let p = problems("[client]\nheartbeat_max_msx = 1\n");
        assert_eq!(p, vec!["unknown key `heartbeat_max_msx` in [client]"]);
        let p = problems("[client]\nheartbeat_max_ms = -1\n");
        assert_eq!(
            p,
            vec!["`client.heartbeat_max_ms` must be between 1 and 3600000, found -1"]
        );
        let p = problems("[client]\nheartbeat_max_ms = 1e30\n");
        assert!(p[0].contains("must be an integer"), "{p:?}");
        let p = problems("[client]\nterminal_close_codes = []\n");
        assert_eq!(p, vec!["`client.terminal_close_codes` must not be empty"]);
        let p = problems("[server]\norg_filter_pattern = \"(\"\n");
        assert!(
            p[0].starts_with("`server.org_filter_pattern` is not a valid regular expression"),
            "{p:?}"
        );
        let p = problems("[rules]\nseverity = { WS999 = \"error\" }\n");
        assert!(p[0].contains("unknown rule code `WS999`"), "{p:?}");
        let p = problems("[rules]\nselect = [\"XX1\"]\n");
        assert_eq!(p.len(), 1, "{p:?}");
        let p = problems("client = 3\n");
        assert_eq!(p, vec!["`client` must be a table, found an integer"]);
    }

    #[test]
    fn pyproject_reads_only_tool_wslint() {
        let c = parse(
            "[project]\nname = \"x\"\n[tool.ruff]\nline-length = 1\n[tool.wslint.apache]\nproxy_timeout_min_s = 90\n",
            true,
            Path::new("/p"),
        )
        .unwrap();
        assert_eq!(c.proxy.idle_timeout_min_s, 90);
        let p = parse("[tool.wslint]\nbogus = 1\n", true, Path::new("/p")).unwrap_err();
        assert_eq!(p[0].message, "unknown key `bogus` in [tool.wslint]");
    }

    #[test]
    fn former_apache_keys_are_aliases() {
        let c = parse(
            "[apache]\nproxy_timeout_min_s = 90\nheartbeat_ratio = 4\n",
            false,
            Path::new("/p"),
        )
        .unwrap();
        assert_eq!(c.proxy.idle_timeout_min_s, 90);
        assert_eq!(c.proxy.heartbeat_ratio, 4.0);
        let p = problems("[proxy]\nidle_timeout_min_s = 60\n[apache]\nproxy_timeout_min_s = 90\n");
        assert_eq!(
            p,
            vec![
                "`apache.proxy_timeout_min_s` is the former name of `proxy.idle_timeout_min_s`, which is also set"
            ]
        );
        let p = problems("[proxy]\nwebsocket_paths = [\"live\"]\n");
        assert!(p[0].contains("must start with `/`"), "{p:?}");
    }

    #[test]
    fn typos_get_a_suggestion() {
        let p = parse("[apache]\nproxy_timeout_min = 60\n", false, Path::new("/p")).unwrap_err();
        assert!(
            p[0].help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `proxy_timeout_min_s`?")
        );
    }
}
