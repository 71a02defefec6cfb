//! `wslint routes` output: a tree per websocket path for a person, or one
//! JSON document for tools.

use serde_json::{Value as Json, json};

use super::path_text;
use crate::proxy::wspaths::Origin;
use crate::proxy::{Limit, seconds_text};
use crate::routes::{Chain, Chains, ClientSide, Declared, HopRow, Mark, Pos, ServerRow, Value};
use crate::rule::Severity;

/// ANSI styles, or nothing.
struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("1;31", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("1;33", t)
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
}

fn pos_text(p: &Pos) -> String {
    format!("{}:{}", path_text(&p.path), p.line)
}

fn origin_text(o: &Origin) -> &'static str {
    match o {
        Origin::Endpoint => "endpoint",
        Origin::Client => "client",
        Origin::Config => "config",
    }
}

/// The value and where it comes from: "`HEARTBEAT_MS`, web/src/a.ts:4",
/// "nginx's default `proxy_read_timeout`".
fn source_text(v: &Value) -> String {
    match &v.at {
        Some(at) => format!("{}, {}", v.what, pos_text(at)),
        None => v.what.clone(),
    }
}

fn marks_text(style: &Style, marks: &[Mark]) -> String {
    if marks.is_empty() {
        return style.green("✓");
    }
    marks
        .iter()
        .map(|m| {
            let text = format!("{} {} {}", symbol(m.severity), m.code, m.name);
            match m.severity {
                Severity::Error => style.red(&text),
                Severity::Warning => style.yellow(&text),
            }
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn symbol(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✗",
        Severity::Warning => "!",
    }
}

/// "idle 60 s", "lifetime 30 s", "idle ?" (a placeholder).
fn limit_text(limit: Limit, value: Option<&Value>) -> String {
    let what = match limit {
        Limit::Idle => "idle",
        Limit::Lifetime => "lifetime",
    };
    match value {
        Some(v) => format!("{what} {}", seconds_text(v.seconds)),
        None => format!("{what} unknown"),
    }
}

/// One line saying where the connection ends first.
fn verdict(chain: &Chain) -> String {
    let mut parts = Vec::new();
    if let Some(h) = chain.tightest(Limit::Lifetime)
        && let Some(v) = &h.value
    {
        parts.push(format!(
            "ends after {} whatever the traffic at {}",
            seconds_text(v.seconds),
            h.hop
        ));
    }
    if let Some(h) = chain.tightest(Limit::Idle)
        && let Some(v) = &h.value
    {
        parts.push(format!(
            "closes after {} without traffic at {}",
            seconds_text(v.seconds),
            h.hop
        ));
    }
    if parts.is_empty() {
        if chain.hops.is_empty() {
            return "no hop of the project serves it".to_string();
        }
        return "no known timeout".to_string();
    }
    parts.join("; ")
}

/// The tree of every chain, for a person.
pub fn human(chains: &Chains, color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    if chains.chains.is_empty() && chains.unreached.is_empty() {
        out.push_str("No websocket route found: no endpoint, client socket URL, `proxy.websocket_paths` or proxy route that carries websockets.\n");
        return out;
    }
    for chain in &chains.chains {
        chain_text(&style, chain, &mut out);
    }
    if !chains.unreached.is_empty() {
        out.push_str(&style.bold(
            "Websocket routes of the configuration that no websocket path of the project reaches:",
        ));
        out.push('\n');
        for chain in &chains.unreached {
            hop_row(&style, &chain.hops[0]).write("  ", "  ", &style, &mut out);
        }
        out.push('\n');
    }
    if let Some(h) = &chains.heartbeat {
        out.push_str(&format!(
            "Idle timeouts are compared with the client heartbeat of {} ({}).\n",
            seconds_text(h.seconds),
            source_text(h)
        ));
    }
    let broken = chains.chains.iter().filter(|c| c.broken()).count();
    let total = chains.chains.len();
    let plural = if total == 1 { "path" } else { "paths" };
    out.push_str(&match broken {
        0 => format!("{total} websocket {plural}: none crosses a hop that breaks the checklist.\n"),
        n => format!(
            "{total} websocket {plural}, {n} of them with a hop or side that breaks the checklist (✗); `wslint check` says why, `wslint explain CODE` how to fix it.\n"
        ),
    });
    out
}

fn hop_source(h: &HopRow) -> String {
    let at = pos_text(&h.at);
    match &h.value {
        Some(v) if h.default => format!("{} (nothing sets it), route at {at}", v.what),
        Some(v) => source_text(v),
        None => format!("a value wslint cannot read, route at {at}"),
    }
}

/// One row of a chain: who, the value, what it is, the marks, and where
/// the value comes from.
struct Row {
    who: String,
    value: String,
    what: String,
    marks: String,
    source: String,
}

fn chain_text(style: &Style, chain: &Chain, out: &mut String) {
    let status = if chain.broken() {
        style.red("✗")
    } else {
        style.green("✓")
    };
    out.push_str(&format!(
        "{status} {}  {}\n",
        style.bold(&chain.path),
        style.dim(&verdict(chain))
    ));
    let from: Vec<String> = chain.declared.iter().map(declared_text).collect();
    out.push_str(&format!("│  declared by {}\n", from.join("; ")));
    let mut rows: Vec<Row> = vec![client_row(style, &chain.client)];
    for h in &chain.hops {
        rows.push(hop_row(style, h));
    }
    rows.push(server_row(style, chain.server.as_ref()));
    let n = rows.len();
    for (i, r) in rows.into_iter().enumerate() {
        let (branch, cont) = if i + 1 == n {
            ("└─", "  ")
        } else {
            ("├─", "│ ")
        };
        r.write(branch, cont, style, out);
    }
    out.push('\n');
}

impl Row {
    /// Two lines: the row after `branch`, its source after `cont`.
    fn write(&self, branch: &str, cont: &str, style: &Style, out: &mut String) {
        let line = format!("{branch} {:<13} {:<16} {}", self.who, self.value, self.what);
        if self.marks.is_empty() {
            out.push_str(line.trim_end());
        } else {
            out.push_str(&format!("{line}  {}", self.marks));
        }
        out.push('\n');
        out.push_str(&format!(
            "{cont} {:<13} {:<16} {}\n",
            "",
            "",
            style.dim(&self.source)
        ));
    }
}

fn hop_row(style: &Style, h: &HopRow) -> Row {
    Row {
        who: h.layer.as_str().to_string(),
        value: limit_text(h.limit, h.value.as_ref()),
        what: h.text.clone(),
        marks: marks_text(style, &h.marks),
        source: hop_source(h),
    }
}

fn declared_text(d: &Declared) -> String {
    match &d.at {
        Some(at) => format!("{} {}", origin_text(&d.origin), pos_text(at)),
        None => "`proxy.websocket_paths`".to_string(),
    }
}

fn client_row(style: &Style, c: &ClientSide) -> Row {
    let (value, what, marks, source) = match &c.heartbeat {
        Some(v) => (
            format!("heartbeat {}", seconds_text(v.seconds)),
            String::new(),
            marks_text(style, &c.marks),
            source_text(v),
        ),
        None if c.marks.is_empty() => (
            "heartbeat ?".to_string(),
            "no client of the project opens this path".to_string(),
            String::new(),
            "`client.heartbeat_ms` states it for clients outside the project".to_string(),
        ),
        None => (
            "no heartbeat".to_string(),
            String::new(),
            marks_text(style, &c.marks),
            "the hops see traffic only when the server sends".to_string(),
        ),
    };
    Row {
        who: "client".to_string(),
        value,
        what,
        marks,
        source,
    }
}

fn server_row(style: &Style, s: Option<&ServerRow>) -> Row {
    let Some(s) = s else {
        return Row {
            who: "endpoint".to_string(),
            value: String::new(),
            what: "not in the project".to_string(),
            marks: String::new(),
            source: "no websocket endpoint of the project serves this path".to_string(),
        };
    };
    let (value, source) = match &s.keepalive {
        Some(v) => (
            format!("keepalive {}", seconds_text(v.seconds)),
            source_text(v),
        ),
        None => (
            "no keepalive".to_string(),
            format!("endpoint at {}", pos_text(&s.at)),
        ),
    };
    Row {
        who: "endpoint".to_string(),
        value,
        what: format!("`{}`", s.function),
        marks: marks_text(style, &s.marks),
        source,
    }
}

fn pos_json(p: &Pos) -> Json {
    json!({"path": path_text(&p.path), "line": p.line, "column": p.column})
}

fn value_json(v: Option<&Value>) -> Json {
    match v {
        Some(v) => json!({
            "seconds": v.seconds,
            "set_by": v.what,
            "at": v.at.as_ref().map(pos_json),
        }),
        None => Json::Null,
    }
}

fn marks_json(marks: &[Mark]) -> Json {
    Json::Array(
        marks
            .iter()
            .map(|m| {
                json!({
                    "code": m.code,
                    "name": m.name,
                    "severity": m.severity.as_str(),
                    "message": m.message,
                })
            })
            .collect(),
    )
}

fn hop_json(h: &HopRow) -> Json {
    json!({
        "layer": h.layer.as_str(),
        "product": h.product.name(),
        "hop": h.hop,
        "route": h.route,
        "at": pos_json(&h.at),
        "limit": match h.limit { Limit::Idle => "idle", Limit::Lifetime => "lifetime" },
        "value": value_json(h.value.as_ref()),
        "default": h.default,
        "findings": marks_json(&h.marks),
    })
}

fn chain_json(c: &Chain) -> Json {
    json!({
        "path": c.path,
        "broken": c.broken(),
        "declared": c.declared.iter().map(|d| json!({
            "origin": origin_text(&d.origin),
            "at": d.at.as_ref().map(pos_json),
        })).collect::<Vec<_>>(),
        "client": {
            "heartbeat": value_json(c.client.heartbeat.as_ref()),
            "findings": marks_json(&c.client.marks),
        },
        "hops": c.hops.iter().map(hop_json).collect::<Vec<_>>(),
        "endpoint": c.server.as_ref().map(|s| json!({
            "function": s.function,
            "at": pos_json(&s.at),
            "keepalive": value_json(s.keepalive.as_ref()),
            "findings": marks_json(&s.marks),
        })),
    })
}

/// One JSON document: `{"routes": [...], "unreached": [...], "heartbeat"}`.
pub fn json(chains: &Chains) -> String {
    let doc = json!({
        "routes": chains.chains.iter().map(chain_json).collect::<Vec<_>>(),
        "unreached": chains.unreached.iter().map(|c| hop_json(&c.hops[0])).collect::<Vec<_>>(),
        "heartbeat": value_json(chains.heartbeat.as_ref()),
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
    s.push('\n');
    s
}
