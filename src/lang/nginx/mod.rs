//! nginx: the parser ([`parse`]), the tree of blocks with includes expanded
//! ([`tree`]), and that tree on the proxy model ([`hops`]).

pub mod duration;
pub mod hops;
pub mod parse;
pub mod tree;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use parse::NginxFile;

use crate::proxy::include::{IncludeEnv, Resolved};
use crate::source::Source;

/// Whether a file is an envsubst template (the official image's
/// `templates/*.conf.template`): its `${VAR}` are placeholders, not nginx
/// variables.
pub fn is_envsubst_template(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.contains("template")
        || name.ends_with(".tmpl")
        || name.ends_with(".tpl")
        || path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n == "templates")
}

/// Parses an nginx file (templated copies included).
pub fn parse(source: Source) -> NginxFile {
    let envsubst = is_envsubst_template(&source.path);
    parse::parse_with(source, envsubst)
}

/// The files among `files` that no other file of the set includes: each is
/// a tree of its own, the rest are read through it.
pub fn roots(files: &[(PathBuf, Arc<NginxFile>)], env: &IncludeEnv) -> Vec<usize> {
    let env = IncludeEnv {
        allowed: env.allowed.clone(),
        server_root: None,
    };
    let mut included: HashSet<PathBuf> = HashSet::new();
    for (abs, file) in files {
        let dir = abs.parent().unwrap_or(Path::new("/"));
        let up = dir.parent().unwrap_or(dir);
        for node in &file.nodes {
            if node.lname != "include" || node.is_block() {
                continue;
            }
            let Some(arg) = node.args.first() else {
                continue;
            };
            if arg.placeholder || arg.text.contains('$') {
                continue;
            }
            if let Resolved::Files(targets) = tree::resolve_include(&arg.text, &[dir, up], &env) {
                included.extend(targets.into_iter().filter(|t| t != abs));
            }
        }
    }
    (0..files.len())
        .filter(|&i| !included.contains(&files[i].0))
        .collect()
}

/// nginx directives and blocks common enough to recognise a file by.
const NGINX_NAMES: &[&str] = &[
    "server",
    "location",
    "listen",
    "server_name",
    "proxy_pass",
    "proxy_set_header",
    "proxy_read_timeout",
    "proxy_send_timeout",
    "proxy_http_version",
    "upstream",
    "http",
    "events",
    "worker_processes",
    "worker_connections",
    "root",
    "index",
    "try_files",
    "return",
    "rewrite",
    "include",
    "map",
    "access_log",
    "error_log",
    "ssl_certificate",
    "ssl_certificate_key",
    "add_header",
    "gzip",
    "client_max_body_size",
    "keepalive_timeout",
    "sendfile",
    "user",
    "pid",
    "default_type",
    "fastcgi_pass",
    "uwsgi_pass",
    "grpc_pass",
    "alias",
    "if",
    "set",
    "resolver",
];

/// How many lines of `text` read as nginx (`name args;`, `name args {`,
/// `}`) with a name nginx knows, against lines that do not.
pub fn score(text: &str) -> (usize, usize) {
    let mut yes = 0;
    let mut no = 0;
    for line in text.lines().take(2_000) {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with("{%") || l.starts_with("{#") {
            continue;
        }
        if l == "}" || l == "{" {
            yes += 1;
            continue;
        }
        let first = l
            .split(|c: char| c.is_whitespace() || c == ';' || c == '{')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let shaped = l.ends_with(';') || l.ends_with('{') || l.contains("; #") || l.ends_with('}');
        if shaped && NGINX_NAMES.contains(&first.as_str()) {
            yes += 1;
        } else if !shaped {
            no += 1;
        }
    }
    (yes, no)
}
