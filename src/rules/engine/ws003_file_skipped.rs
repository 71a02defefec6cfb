//! WS003: a file that could matter but was not checked because it is larger
//! than `files.max_size`. Reported by the engine (`lib.rs`) while reading.

use crate::rule::{Check, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS003",
    name: "file-skipped",
    aliases: &[],
    family: Family::Engine,
    severity: Severity::Warning,
    summary: "a file that could hold a socket, endpoint or proxy directive but is larger than `files.max_size`",
    doc: include_str!("../../../rules/WS003-file-skipped.md"),
    check: Check::Engine,
};
