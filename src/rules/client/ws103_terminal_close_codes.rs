//! WS103: a reconnecting client with no terminal close-code set, or a
//! terminal set (or check) that lacks configured terminal codes.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Applicability, Edit};
use crate::lang::ts::{
    ClientModel, DefinedElsewhere, HandlerKind, SetRole, SocketKind, is_test_path, names,
};
use crate::rule::{Check, Ctx, Family, Rule, Severity};
use crate::source::Span;
use crate::values::Origin;

use super::{Paths, code_list, plain_list, terminal_like};

pub static RULE: Rule = Rule {
    code: "WS103",
    name: "terminal-close-codes",
    aliases: &[],
    family: Family::Client,
    severity: Severity::Error,
    summary: "a reconnecting client with no terminal close-code set, or a set lacking any of `client.terminal_close_codes`",
    doc: include_str!("../../../rules/WS103-terminal-close-codes.md"),
    check: Check::Client(check),
};

/// (where, message, help, labels, the definition in another module, the
/// fix: the missing codes added to the set literal)
type Report = (
    Span,
    String,
    String,
    Vec<(Span, &'static str)>,
    Option<Origin>,
    Option<Edit>,
);

const WHY: &str = "after a permanent failure (signed out, no access, gone) a client that reconnects hammers the server and the auth service forever";

fn check(model: &ClientModel, cx: &mut Ctx) {
    if model.is_test_module() {
        return;
    }
    let cfg = &cx.config.client;
    let codes: Vec<u16> = cfg.terminal_close_codes.clone();
    let tl = terminal_like(cfg);
    let paths = Paths {
        sets: &model.code_sets,
    };
    let is_terminal_set = |i: usize| {
        model
            .code_sets
            .get(i)
            .is_some_and(|s| s.role == SetRole::Terminal)
    };
    // Sets a reconnecting handler relies on: the codes it still reconnects
    // after, and where.
    let mut relied: BTreeMap<usize, (BTreeSet<u16>, Vec<Span>)> = BTreeMap::new();
    let mut reports: Vec<Report> = Vec::new();
    for h in &model.close_handlers {
        // A library's final event has the library's own terminal set.
        if h.truncated || h.reconnects.is_empty() || matches!(h.kind, HandlerKind::Terminal(_)) {
            continue;
        }
        let by_value: Vec<u16> = codes
            .iter()
            .copied()
            .filter(|c| paths.reconnects(h, *c, false))
            .collect();
        let structural: Vec<u16> = codes
            .iter()
            .copied()
            .filter(|c| paths.reconnects(h, *c, true))
            .collect();
        let sets: Vec<usize> = h
            .checks
            .iter()
            .flat_map(|c| c.sets.iter().copied())
            .filter(|i| is_terminal_set(*i))
            .collect();
        let inline: Vec<&crate::lang::ts::CodeCheck> = h
            .checks
            .iter()
            .filter(|c| c.numbers.iter().any(|n| tl(*n)))
            .collect();
        for s in &sets {
            let e = relied.entry(*s).or_default();
            if let Some(c) = h.checks.iter().find(|c| c.sets.contains(s)) {
                e.1.push(c.span);
            }
        }
        if by_value.is_empty() {
            continue;
        }
        // Codes a terminal check claims but does not hold.
        let gaps: Vec<u16> = by_value
            .iter()
            .copied()
            .filter(|c| !structural.contains(c))
            .collect();
        for c in &gaps {
            let lacking: Vec<usize> = sets
                .iter()
                .copied()
                .filter(|s| {
                    model.code_sets[*s]
                        .codes
                        .as_ref()
                        .is_some_and(|v| !v.contains(&f64::from(*c)))
                })
                .collect();
            for s in lacking {
                relied.entry(s).or_default().0.insert(*c);
            }
        }
        if sets.is_empty() && inline.is_empty() && !structural.is_empty() {
            // No terminal check at all.
            let set = format!(
                "`const TERMINAL_CLOSE_CODES = new Set([{}])`",
                plain_list(&codes)
            );
            let library = h.socket.and_then(|i| model.sockets.get(i)).map(|s| s.kind);
            let (what, fix) = match h.kind {
                HandlerKind::Library if library == Some(SocketKind::Phoenix) => (
                    "phoenix's Socket reconnects after every close it did not ask for, with no terminal close-code set".to_string(),
                    format!(
                        "define {set} and call `socket.disconnect()` in `socket.onClose((event) => ...)` when `TERMINAL_CLOSE_CODES.has(event.code)` (it cancels the scheduled reconnect)"
                    ),
                ),
                HandlerKind::Library => (
                    "reconnecting-websocket reconnects with no terminal close-code set".to_string(),
                    format!(
                        "define {set} and call `rws.close()` in its close listener when `TERMINAL_CLOSE_CODES.has(event.code)`"
                    ),
                ),
                HandlerKind::ShouldReconnect => (
                    format!(
                        "{} reconnects with no terminal close-code set",
                        h.reconnects.first().map_or("shouldReconnect", |p| p.what.as_str())
                    ),
                    format!("define {set} and return `!TERMINAL_CLOSE_CODES.has(event.code)`"),
                ),
                _ => (
                    "this close handler reconnects with no terminal close-code set".to_string(),
                    format!(
                        "define {set} and skip the reconnect when `TERMINAL_CLOSE_CODES.has(event.code)`"
                    ),
                ),
            };
            reports.push((
                h.span,
                format!("{what}: it retries after {}", code_list(&by_value)),
                format!("{WHY}; {fix}"),
                Vec::new(),
                None,
                None,
            ));
        }
    }
    for (i, set) in model.code_sets.iter().enumerate() {
        if set.role != SetRole::Terminal || !(set.by_name || set.tested) {
            continue;
        }
        let Some(values) = &set.codes else {
            continue;
        };
        if set
            .defined_elsewhere
            .as_ref()
            .is_some_and(|d| reported_where_defined(d, values))
        {
            continue;
        }
        let missing: Vec<u16> = match relied.get(&i) {
            Some((gaps, _)) => gaps.iter().copied().collect(),
            None => {
                if !looks_like_close_codes(values) {
                    continue;
                }
                codes
                    .iter()
                    .copied()
                    .filter(|c| !values.contains(&f64::from(*c)))
                    .collect()
            }
        };
        if missing.is_empty() {
            continue;
        }
        if let Some(b) = &set.builtin {
            let labels: Vec<(Span, &'static str)> = relied
                .get(&i)
                .map(|(_, at)| at.iter().map(|s| (*s, "decided here")).collect())
                .unwrap_or_default();
            reports.push((
                set.name_span,
                format!(
                    "the client reconnects after {}: {} leave them out",
                    code_list(&missing),
                    b.what
                ),
                format!("{WHY}; {}", b.fix),
                labels,
                None,
                None,
            ));
            continue;
        }
        let name = set
            .name
            .as_deref()
            .map_or("this terminal close-code set".to_string(), |n| {
                format!("`{n}`")
            });
        let (labels, tail) = match relied.get(&i) {
            Some((_, at)) => (
                at.iter().map(|s| (*s, "tested here")).collect(),
                if missing.len() == 1 {
                    ": the client reconnects after it"
                } else {
                    ": the client reconnects after them"
                },
            ),
            None => (Vec::new(), ""),
        };
        let mut all: Vec<u16> = values
            .iter()
            .filter(|v| (0.0..=65535.0).contains(*v) && v.fract() == 0.0)
            .map(|v| *v as u16)
            .collect();
        all.extend(missing.iter().copied());
        all.sort_unstable();
        all.dedup();
        // Where the literal is written: this module, or the one it is
        // imported from.
        let (file, value) = match &set.defined_elsewhere {
            Some(d) => (&d.origin.file, d.origin.span),
            None => (&model.source, set.value_span),
        };
        let added: Vec<String> = missing.iter().map(u16::to_string).collect();
        let edit = super::fixes::append_to_array(file, value, &added, true);
        reports.push((
            set.name_span,
            format!("{name} lacks {}{tail}", code_list(&missing)),
            format!(
                "{WHY}; add {}: `[{}]`",
                plain_list(&missing),
                plain_list(&all)
            ),
            labels,
            set.defined_elsewhere.as_ref().map(|d| d.origin.clone()),
            edit,
        ));
    }
    reports.sort_by_key(|r| r.0);
    reports.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    for (span, message, help, labels, defined, edit) in reports {
        let d = cx.report(&model.source, span, message);
        if let Some(edit) = edit {
            let added = edit.replacement.trim_start_matches(", ").to_string();
            d.fix(
                Applicability::Safe,
                format!("add {added} to the set"),
                vec![edit],
            );
        }
        for (s, l) in labels {
            if s != span {
                d.label(&model.source, s, l);
            }
        }
        if let Some(o) = defined {
            d.label(&o.file, o.span, "defined here");
        }
        d.help(help);
    }
}

/// Whether the module that defines an imported set reports it itself in
/// this run: it is checked, and the set is a module-level constant named
/// as terminal whose codes are close codes (what a module reports about
/// its own sets without a handler relying on them). Then the importing
/// module does not report it again, so each incomplete set is reported
/// once per run: at its definition when that module is checked, else at
/// each checked module that imports it, labelled with the definition.
fn reported_where_defined(d: &DefinedElsewhere, values: &[f64]) -> bool {
    let name = d.origin.name.as_str();
    d.checked
        && !is_test_path(&d.origin.file.path)
        && !name.contains('.')
        && names::is_terminal_set_name(name)
        && !names::is_retry_set_name(name)
        && looks_like_close_codes(values)
}

/// `[401, 403]` named `FATAL_STATUS_CODES` are HTTP statuses, not close
/// codes.
fn looks_like_close_codes(values: &[f64]) -> bool {
    !values.is_empty() && values.iter().all(|v| (1000.0..=4999.0).contains(v))
}
