//! HAProxy: the parser ([`parse`]) and a file on the proxy model
//! ([`hops`]). HAProxy has no include directive: each file is a tree.

pub mod hops;
pub mod parse;
pub mod time;

pub use parse::HaproxyFile;

use crate::source::Source;

pub fn parse(source: Source) -> HaproxyFile {
    parse::parse(source)
}

/// HAProxy keywords common enough to recognise a file by.
const KEYWORDS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "bind",
    "mode",
    "balance",
    "server",
    "timeout",
    "option",
    "acl",
    "use_backend",
    "default_backend",
    "maxconn",
    "log",
    "stats",
    "http-request",
    "http-response",
    "tcp-request",
    "retries",
    "daemon",
    "chroot",
    "cookie",
];

/// How many lines of `text` read as HAProxy (a known keyword, no `;` or
/// `{` ending), and whether a section keyword opens one.
pub fn score(text: &str) -> (usize, bool) {
    let mut yes = 0;
    let mut section = false;
    for line in text.lines().take(2_000) {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.ends_with(';') || l.ends_with('{') {
            continue;
        }
        let mut words = l.split_whitespace();
        let first = words.next().unwrap_or("").to_ascii_lowercase();
        let second = words.next();
        if KEYWORDS.contains(&first.as_str()) {
            yes += 1;
            // Apache's `Listen 443` is no section: HAProxy's takes a name.
            let named = second.is_some_and(|w| {
                w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && !w.contains(':')
            });
            let head = match first.as_str() {
                "global" | "defaults" => true,
                "frontend" | "backend" | "listen" => named,
                _ => false,
            };
            if head && !line.starts_with([' ', '\t']) {
                section = true;
            }
        }
    }
    (yes, section)
}
