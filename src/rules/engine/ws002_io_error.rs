//! WS002: a file that could not be read or decoded; the run goes on.
//! Reported by the engine (`lib.rs`) while reading files.

use crate::rule::{Check, Family, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "WS002",
    name: "io-error",
    aliases: &[],
    family: Family::Engine,
    severity: Severity::Error,
    summary: "a file that could not be read or decoded; the run goes on",
    doc: include_str!("../../../rules/WS002-io-error.md"),
    check: Check::Engine,
};
