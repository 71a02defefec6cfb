//! WS001: a `wslint-ignore` comment that suppresses nothing. Reported by
//! `suppress.rs` after every other rule has run.

use crate::rule::{Check, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS001",
    name: "unused-suppression",
    aliases: &[],
    family: Family::Engine,
    severity: Severity::Warning,
    summary: "a `wslint-ignore` comment that suppresses nothing",
    doc: include_str!("../../../rules/WS001-unused-suppression.md"),
    check: Check::Engine,
};
