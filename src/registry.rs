//! The static list of rules; lookup by code, name or prefix.
//!
//! Adding a rule: write `src/rules/<family>/<code>_<name>.rs`, its doc in
//! `rules/`, and add it to [`RULES`] below.

use crate::rule::Rule;
use crate::rules::{client, engine, proxy, server};

static RULES: &[&Rule] = &[
    // Engine
    &engine::ws001_unused_suppression::RULE,
    &engine::ws002_io_error::RULE,
    &engine::ws003_file_skipped::RULE,
    // Client: TypeScript / JavaScript
    &client::ws101_client_heartbeat_interval::RULE,
    &client::ws102_client_heartbeat_missing::RULE,
    &client::ws103_terminal_close_codes::RULE,
    &client::ws104_reconnect_on_terminal_code::RULE,
    &client::ws105_token_null_guard::RULE,
    &client::ws106_token_effect_deps::RULE,
    &client::ws107_heartbeat_interval_leak::RULE,
    &client::ws108_silent_terminal_close::RULE,
    &client::ws109_invalid_client_close_code::RULE,
    // Server: Python
    &server::ws201_server_idle_keepalive::RULE,
    &server::ws202_server_ping_reply::RULE,
    &server::ws203_ws_route_org_filter::RULE,
    &server::ws204_invalid_server_close_code::RULE,
    &server::ws205_close_before_accept::RULE,
    // Proxy: every hop (Apache httpd, nginx, HAProxy)
    &proxy::ws301_proxy_idle_timeout::RULE,
    &proxy::ws302_proxy_idle_timeout_unset::RULE,
    &proxy::ws303_proxy_timeout_heartbeat_ratio::RULE,
    &proxy::ws304_proxy_directive_context::RULE,
    &proxy::ws305_proxy_config_syntax::RULE,
    &proxy::ws306_proxy_include_not_followed::RULE,
    &proxy::ws307_proxy_upgrade_not_forwarded::RULE,
    &proxy::ws308_lb_connection_lifetime::RULE,
];

/// Every rule, sorted by code.
pub fn all() -> &'static [&'static Rule] {
    RULES
}

pub fn by_code(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code))
}

/// A code, its name, or a former name.
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    by_code(code_or_name).or_else(|| by_name(code_or_name))
}

/// A rule by its name or a former name (`apache-proxy-timeout` is WS301).
pub fn by_name(name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.name == name || r.aliases.contains(&name))
}

/// One entry of `--select`, `--ignore`, `rules.select` or `rules.ignore`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    All,
    /// A code or a code prefix (`WS1`, `WS30`, `WS301`).
    Prefix(String),
    /// A rule name (`apache-proxy-timeout`).
    Name(&'static str),
}

impl Selector {
    pub fn parse(s: &str) -> Result<Selector, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("ALL") {
            return Ok(Selector::All);
        }
        let upper = s.to_ascii_uppercase();
        if upper.starts_with("WS")
            && upper[2..].chars().all(|c| c.is_ascii_digit())
            && RULES.iter().any(|r| r.code.starts_with(&upper))
        {
            return Ok(Selector::Prefix(upper));
        }
        if let Some(rule) = by_name(s) {
            return Ok(Selector::Name(rule.name));
        }
        Err(format!("unknown rule selector `{s}`"))
    }

    /// Parses a comma-separated list, as `--select` and `--ignore` take it.
    pub fn parse_list(s: &str) -> Result<Vec<Selector>, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(Selector::parse)
            .collect()
    }

    pub fn matches(&self, rule: &Rule) -> bool {
        match self {
            Selector::All => true,
            Selector::Prefix(p) => rule.code.starts_with(p.as_str()),
            Selector::Name(n) => rule.name == *n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_sorted() {
        let codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
        let names: HashSet<_> = RULES
            .iter()
            .flat_map(|r| std::iter::once(r.name).chain(r.aliases.iter().copied()))
            .collect();
        let count: usize = RULES.iter().map(|r| 1 + r.aliases.len()).sum();
        assert_eq!(names.len(), count, "names and former names are unique");
    }

    #[test]
    fn selectors() {
        let ws301 = by_code("WS301").unwrap();
        let ws001 = by_code("WS001").unwrap();
        assert!(Selector::parse("WS3").unwrap().matches(ws301));
        assert!(!Selector::parse("WS3").unwrap().matches(ws001));
        assert!(Selector::parse("ws301").unwrap().matches(ws301));
        assert!(
            Selector::parse("apache-proxy-timeout")
                .unwrap()
                .matches(ws301),
            "a former name still selects its rule"
        );
        assert!(
            Selector::parse("proxy-idle-timeout")
                .unwrap()
                .matches(ws301)
        );
        assert_eq!(lookup("apache-syntax").map(|r| r.code), Some("WS305"));
        assert!(Selector::parse("ALL").unwrap().matches(ws001));
        assert!(Selector::parse("WS9").is_err());
        assert!(Selector::parse("nope").is_err());
        assert_eq!(
            Selector::parse_list("WS3, WS9,").unwrap_err(),
            "unknown rule selector `WS9`".to_string()
        );
        assert_eq!(Selector::parse_list("WS3, WS001,").unwrap().len(), 2);
    }
}
