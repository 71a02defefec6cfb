//! An HAProxy file on the proxy model. Each backend (or `listen`) is a hop;
//! its websocket routes are the frontends that send it websockets: a
//! `use_backend` whose condition tests the `Upgrade` (or `Connection`)
//! header, a backend whose name names a websocket, or the backend HAProxy
//! picks for a websocket path of the project (`use_backend` rules in
//! order, then `default_backend`). After an upgrade `timeout tunnel`
//! governs; without it, the smaller of the frontend's `timeout client` and
//! the backend's `timeout server`. Each proxy takes its settings from its
//! own section, then from its `defaults` (the one named by `from`, else the
//! last one above it), and HAProxy reads a time without a unit as
//! milliseconds.

use std::collections::HashMap;

use super::parse::{HaproxyFile, Line, Section};
use super::time;
use crate::proxy::WsPath;
use crate::proxy::wspaths::{LazyWsPaths, names_websocket};
use crate::proxy::{
    Carries, Hop, Idle, IdleSource, Loc, Misplaced, MisplacedKind, Product, ProxyModel, Setting,
    WsRoute,
};

/// A timeout value of a proxy, where it is written.
#[derive(Clone)]
struct Timeout<'f> {
    line: &'f Line,
    section: usize,
    raw: String,
    /// Seconds; `None` when unknown or refused.
    seconds: Option<f64>,
    unitless: bool,
}

struct Model<'f> {
    file: &'f HaproxyFile,
    out: ProxyModel,
    /// Section index by name, per kind family: every defaults section of a
    /// name, in file order (a name may be reused further down).
    defaults_by_name: HashMap<&'f str, Vec<usize>>,
    proxies_by_name: HashMap<&'f str, usize>,
    /// For each section, the nearest defaults section above it.
    defaults_above: Vec<Option<usize>>,
}

fn loc(file: &HaproxyFile, line: &Line) -> Loc {
    Loc::new(&file.source, line.span)
}

/// Three-valued truth of a condition for a websocket request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
    fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }
    fn or(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }
}

/// An ACL test: a fetch with its flags and patterns.
#[derive(Clone, Debug)]
struct Test {
    fetch: String,
    patterns: Vec<String>,
    icase: bool,
    method: Option<String>,
    from_file: bool,
}

impl Test {
    fn parse(words: &[String]) -> Option<Test> {
        let fetch = words.first()?.to_ascii_lowercase();
        let mut t = Test {
            fetch,
            patterns: Vec::new(),
            icase: false,
            method: None,
            from_file: false,
        };
        let mut i = 1;
        while i < words.len() {
            let w = &words[i];
            match w.as_str() {
                "-i" => t.icase = true,
                "-m" => {
                    t.method = words.get(i + 1).map(|m| m.to_ascii_lowercase());
                    i += 1;
                }
                "-f" | "-M" => {
                    t.from_file = true;
                    i += 1;
                }
                "-n" | "--" => {}
                _ => t.patterns.push(w.clone()),
            }
            i += 1;
        }
        Some(t)
    }

    /// The header a fetch reads, if it reads one: `hdr(upgrade)`,
    /// `req.hdr(Upgrade)`, `hdr_beg(connection)`.
    fn header(&self) -> Option<String> {
        let f = self.fetch.strip_prefix("req.").unwrap_or(&self.fetch);
        let open = f.find('(')?;
        let base = &f[..open];
        if !(base.starts_with("hdr") || base.starts_with("fhdr")) {
            return None;
        }
        let name = f[open + 1..].trim_end_matches(')');
        Some(
            name.split(',')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase(),
        )
    }

    /// Whether the test reads the `Upgrade` header, or `Connection` for
    /// `upgrade`.
    fn is_upgrade_test(&self) -> bool {
        match self.header().as_deref() {
            Some("upgrade") => true,
            Some("connection") => self
                .patterns
                .iter()
                .any(|p| p.to_ascii_lowercase().contains("upgrade")),
            _ => false,
        }
    }

    fn eval(&self, path: &str) -> Tri {
        if self.from_file {
            return Tri::Unknown;
        }
        let (subject, default_method) = if let Some(h) = self.header() {
            let base = self
                .fetch
                .trim_start_matches("req.")
                .split('(')
                .next()
                .unwrap_or("")
                .to_string();
            let value = match h.as_str() {
                "upgrade" => "websocket",
                "connection" => "Upgrade",
                _ => return Tri::Unknown,
            };
            if base.ends_with("_cnt") {
                // `hdr_cnt(upgrade) gt 0`: present.
                return Tri::True;
            }
            let m = base
                .trim_start_matches("fhdr")
                .trim_start_matches("hdr")
                .trim_start_matches('_')
                .to_string();
            (
                value.to_string(),
                if m.is_empty() { "str".into() } else { m },
            )
        } else {
            let f = self.fetch.as_str();
            let (base, m) = match f.split_once('_') {
                Some((b, m)) => (b, m.to_string()),
                None => (f, "str".to_string()),
            };
            match base {
                "path" | "url" | "capture.req.uri" => (path.to_string(), m),
                _ => return Tri::Unknown,
            }
        };
        let method = self.method.clone().unwrap_or(default_method);
        if method == "found" {
            return Tri::True;
        }
        if self.patterns.is_empty() {
            return Tri::Unknown;
        }
        let s = if self.icase {
            subject.to_ascii_lowercase()
        } else {
            subject.clone()
        };
        let any = self.patterns.iter().any(|p| {
            let p = if self.icase {
                p.to_ascii_lowercase()
            } else {
                p.clone()
            };
            match method.as_str() {
                "str" => s == p,
                "beg" => s.starts_with(&p),
                "end" => s.ends_with(&p),
                "sub" => s.contains(&p),
                "dir" => s.split('/').any(|seg| seg == p.trim_matches('/')),
                "reg" => regex::RegexBuilder::new(&p)
                    .case_insensitive(self.icase)
                    .size_limit(1 << 20)
                    .build()
                    .is_ok_and(|r| r.is_match(&subject)),
                _ => false,
            }
        });
        if any { Tri::True } else { Tri::False }
    }
}

/// A condition: terms OR-ed, each a conjunction of (negated) ACLs.
#[derive(Clone, Debug, Default)]
struct Cond {
    /// Alternatives; each a list of (negated, acl name or anonymous test).
    any: Vec<Vec<(bool, Term)>>,
}

#[derive(Clone, Debug)]
enum Term {
    Named(String),
    Anonymous(Test),
}

impl Cond {
    fn parse(words: &[String]) -> Cond {
        let mut any = vec![Vec::new()];
        let mut i = 0;
        let mut negate = false;
        while i < words.len() {
            let w = words[i].as_str();
            match w {
                "||" | "or" => {
                    any.push(Vec::new());
                    negate = false;
                }
                "!" => negate = !negate,
                "{" => {
                    let end = words[i..].iter().position(|x| x == "}").map(|e| i + e);
                    let inner = &words[i + 1..end.unwrap_or(words.len())];
                    if let Some(t) = Test::parse(inner) {
                        any.last_mut()
                            .expect("non-empty")
                            .push((negate, Term::Anonymous(t)));
                    }
                    negate = false;
                    i = end.unwrap_or(words.len());
                }
                _ => {
                    let (neg, name) = match w.strip_prefix('!') {
                        Some(n) => (!negate, n),
                        None => (negate, w),
                    };
                    any.last_mut()
                        .expect("non-empty")
                        .push((neg, Term::Named(name.to_string())));
                    negate = false;
                }
            }
            i += 1;
        }
        Cond { any }
    }
}

/// The ACLs of a proxy: name -> its tests (declarations with the same name
/// are OR-ed).
type Acls = HashMap<String, Vec<Test>>;

fn eval(cond: &Cond, acls: &Acls, path: &str) -> Tri {
    let mut result = Tri::False;
    for conj in &cond.any {
        let mut c = Tri::True;
        for (neg, term) in conj {
            let v = match term {
                Term::Anonymous(t) => t.eval(path),
                Term::Named(n) => match acls.get(n) {
                    Some(tests) => tests.iter().fold(Tri::False, |a, t| a.or(t.eval(path))),
                    // Predefined ACLs (`TRUE`, `HTTP`, `METH_GET`, ...) and
                    // unknown ones.
                    None => match n.as_str() {
                        "TRUE" | "HTTP" | "HTTP_1.1" | "METH_GET" => Tri::True,
                        "FALSE" => Tri::False,
                        _ => Tri::Unknown,
                    },
                },
            };
            c = c.and(if *neg { v.not() } else { v });
        }
        result = result.or(c);
    }
    result
}

fn upgrade_cond(cond: &Cond, acls: &Acls) -> bool {
    cond.any.iter().flatten().any(|(neg, t)| {
        !neg && match t {
            Term::Anonymous(t) => t.is_upgrade_test(),
            Term::Named(n) => acls
                .get(n)
                .is_some_and(|ts| ts.iter().any(Test::is_upgrade_test)),
        }
    })
}

/// A `use_backend` rule: the backend and its condition.
struct Rule<'f> {
    backend: &'f str,
    cond: Option<(bool, Cond)>,
    line: &'f Line,
}

impl<'f> Model<'f> {
    fn is_frontend(s: &Section) -> bool {
        s.kind == "frontend" || s.kind == "listen"
    }
    fn is_backend(s: &Section) -> bool {
        s.kind == "backend" || s.kind == "listen"
    }

    /// The defaults section a section takes its settings from.
    fn defaults_of(&self, i: usize) -> Option<usize> {
        let s = &self.file.sections[i];
        // `from` names a defaults section defined above (HAProxy 2.4+).
        if let Some(from) = &s.from {
            return self.named_defaults(from, i);
        }
        if s.kind == "defaults" {
            return None;
        }
        self.defaults_above[i]
    }

    /// The defaults section named `name` defined before section `i`.
    fn named_defaults(&self, name: &str, i: usize) -> Option<usize> {
        let all = self.defaults_by_name.get(name)?;
        let before = all.partition_point(|&j| j < i);
        before.checked_sub(1).map(|k| all[k])
    }

    /// `timeout <what>` of section `i`, else of its defaults chain.
    fn timeout(&self, i: usize, what: &str) -> Option<Timeout<'f>> {
        let mut cur = Some(i);
        let mut hops = 0;
        while let Some(c) = cur {
            hops += 1;
            if hops > 64 {
                break;
            }
            let s = &self.file.sections[c];
            let found = s.lines.iter().rev().find(|l| {
                let kw = l.keyword();
                (kw == "timeout" && l.word(1).is_some_and(|w| w.eq_ignore_ascii_case(what)))
                    || (what == "client" && kw == "clitimeout")
                    || (what == "server" && kw == "srvtimeout")
            });
            if let Some(l) = found {
                let at = if l.keyword() == "timeout" { 2 } else { 1 };
                let w = l.words.get(at);
                let raw = w.map(|w| w.text.clone()).unwrap_or_default();
                let placeholder = w.is_some_and(|w| w.placeholder);
                let parsed = if placeholder {
                    None
                } else {
                    time::parse(&raw).ok().map(|t| t.seconds)
                };
                // `0` is no timeout at all: that side is kept open forever.
                let parsed = parsed.map(|s| if s == 0.0 { f64::INFINITY } else { s });
                return Some(Timeout {
                    line: l,
                    section: c,
                    unitless: !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()),
                    raw,
                    seconds: parsed,
                });
            }
            cur = self.defaults_of(c);
        }
        None
    }

    fn section_name(&self, i: usize) -> String {
        let s = &self.file.sections[i];
        match &s.name {
            Some(n) => format!("{} `{n}`", s.kind),
            None => format!("`{}`", s.kind),
        }
    }

    fn acls(&self, i: usize) -> Acls {
        let mut acls: Acls = HashMap::new();
        for l in &self.file.sections[i].lines {
            if l.keyword() != "acl" {
                continue;
            }
            let Some(name) = l.word(1) else { continue };
            let rest: Vec<String> = l.words[2..].iter().map(|w| w.text.clone()).collect();
            if let Some(t) = Test::parse(&rest) {
                acls.entry(name.to_string()).or_default().push(t);
            }
        }
        acls
    }

    fn rules(&self, i: usize) -> Vec<Rule<'f>> {
        let mut out = Vec::new();
        for l in &self.file.sections[i].lines {
            if l.keyword() != "use_backend" {
                continue;
            }
            let Some(backend) = l.words.get(1).map(|w| w.text.as_str()) else {
                continue;
            };
            let cond = l.words.get(2).and_then(|w| match w.text.as_str() {
                "if" | "unless" => Some((
                    w.text == "unless",
                    Cond::parse(
                        &l.words[3..]
                            .iter()
                            .map(|w| w.text.clone())
                            .collect::<Vec<_>>(),
                    ),
                )),
                _ => None,
            });
            out.push(Rule {
                backend,
                cond,
                line: l,
            });
        }
        out
    }

    fn default_backend(&self, i: usize) -> Option<&'f str> {
        let mut cur = Some(i);
        let mut n = 0;
        while let Some(c) = cur {
            n += 1;
            if n > 64 {
                break;
            }
            if let Some(l) = self.file.sections[c]
                .lines
                .iter()
                .rev()
                .find(|l| l.keyword() == "default_backend")
            {
                return l.word(1);
            }
            cur = self.defaults_of(c);
        }
        None
    }
}

/// The proxy model of one file. `paths` are asked for only when a frontend
/// sends traffic to a backend that nothing marks as websocket.
pub fn to_proxy(file: &HaproxyFile, paths: &LazyWsPaths<'_>) -> ProxyModel {
    let mut m = Model {
        file,
        out: ProxyModel::new(Product::Haproxy),
        defaults_by_name: HashMap::new(),
        proxies_by_name: HashMap::new(),
        defaults_above: Vec::with_capacity(file.sections.len()),
    };
    let mut last_defaults = None;
    if !file.templated {
        for e in &file.errors {
            m.out
                .syntax
                .push((Loc::new(&file.source, e.span), e.message.clone()));
        }
    }
    for (i, s) in file.sections.iter().enumerate() {
        m.defaults_above.push(last_defaults);
        if s.kind == "defaults" {
            last_defaults = Some(i);
        }
        if let Some(n) = &s.name {
            if s.kind == "defaults" {
                m.defaults_by_name.entry(n.as_str()).or_default().push(i);
            } else if Model::is_backend(s) {
                m.proxies_by_name.insert(n.as_str(), i);
            }
        }
    }
    check_sections(&mut m);
    // Hops: every backend-capable section, in file order.
    let mut hop_of: HashMap<usize, usize> = HashMap::new();
    for (i, s) in file.sections.iter().enumerate() {
        if Model::is_backend(s) {
            hop_of.insert(i, m.out.hops.len());
            m.out.hops.push(Hop {
                product: Product::Haproxy,
                name: format!("HAProxy {}", m.section_name(i)),
                loc: loc(file, &s.head),
            });
        }
    }
    // (frontend, backend) -> why it carries websockets.
    let mut carried: Vec<(usize, usize, Carries, Option<&Line>)> = Vec::new();
    let mut need_paths: Vec<usize> = Vec::new();
    for (f, s) in file.sections.iter().enumerate() {
        if !Model::is_frontend(s) {
            continue;
        }
        let acls = m.acls(f);
        let rules = m.rules(f);
        let mut unmarked = false;
        for r in &rules {
            let line = r.line;
            let Some(&b) = m.proxies_by_name.get(r.backend) else {
                continue;
            };
            if r.cond
                .as_ref()
                .is_some_and(|(unless, c)| !unless && upgrade_cond(c, &acls))
            {
                carried.push((f, b, Carries::Config, Some(line)));
            } else if names_websocket(r.backend) {
                carried.push((f, b, Carries::Named, Some(line)));
            } else {
                unmarked = true;
            }
        }
        match m.default_backend(f) {
            Some(name) => {
                if let Some(&b) = m.proxies_by_name.get(name) {
                    if names_websocket(name) {
                        carried.push((f, b, Carries::Named, None));
                    } else {
                        unmarked = true;
                    }
                }
            }
            // A `listen` serves what no rule sends elsewhere itself.
            None if s.kind == "listen" => {
                if s.name.as_deref().is_some_and(names_websocket) {
                    carried.push((f, f, Carries::Named, None));
                } else {
                    unmarked = true;
                }
            }
            None => {}
        }
        if unmarked {
            need_paths.push(f);
        }
    }
    // Worth finding the project's paths only if a route they could make a
    // websocket route would be reported.
    let at_stake = need_paths.iter().any(|&f| {
        let mut backends: Vec<usize> = m
            .rules(f)
            .iter()
            .filter_map(|r| m.proxies_by_name.get(r.backend).copied())
            .collect();
        backends.extend(
            m.default_backend(f)
                .and_then(|n| m.proxies_by_name.get(n).copied()),
        );
        if file.sections[f].kind == "listen" {
            backends.push(f);
        }
        backends.into_iter().any(|b| {
            assess(&m, f, b, 0, Carries::Config, None)
                .is_some_and(|r| paths.stakes.matter(&r, false))
        })
    });
    if at_stake {
        let ws = paths.get();
        for &f in &need_paths {
            let acls = m.acls(f);
            let rules = m.rules(f);
            for p in &ws.paths {
                if let Some(b) = chosen(&m, f, &acls, &rules, p)
                    && !carried.iter().any(|(ff, bb, _, _)| *ff == f && *bb == b)
                {
                    carried.push((f, b, Carries::Path(p.clone()), None));
                }
            }
        }
    }
    for (f, b, carries, line) in carried {
        let Some(&hop) = hop_of.get(&b) else { continue };
        if let Some(mut r) = assess(&m, f, b, hop, carries, line) {
            if paths.stakes.serves {
                let acls = m.acls(f);
                let rules = m.rules(f);
                for p in &paths.get().paths {
                    if chosen(&m, f, &acls, &rules, p) == Some(b) {
                        r.add_serves(p);
                    }
                }
            }
            m.out.routes.push(r);
        }
    }
    m.out
}

/// The backend frontend `f` sends websocket path `p` to: the first rule
/// some sample of it takes, else the default backend (a `listen` serves
/// what no rule sends elsewhere itself).
fn chosen(m: &Model<'_>, f: usize, acls: &Acls, rules: &[Rule<'_>], p: &WsPath) -> Option<usize> {
    let hit = p.samples.iter().find_map(|sample| {
        rules.iter().find_map(|r| {
            let hit = match &r.cond {
                None => Tri::True,
                Some((unless, c)) => {
                    let v = eval(c, acls, sample);
                    if *unless { v.not() } else { v }
                }
            };
            (hit == Tri::True).then(|| m.proxies_by_name.get(r.backend).copied())?
        })
    });
    hit.or_else(|| match m.default_backend(f) {
        Some(n) => m.proxies_by_name.get(n).copied(),
        None if m.file.sections[f].kind == "listen" => Some(f),
        None => None,
    })
}

/// The route from frontend `f` to backend `b` as a websocket route; `None`
/// when no timeout applies at all (HAProxy then closes nothing idle).
fn assess(
    m: &Model<'_>,
    f: usize,
    b: usize,
    hop: usize,
    carries: Carries,
    line: Option<&Line>,
) -> Option<WsRoute> {
    let file = m.file;
    // The hop is the backend; the route, the frontend it is reached from.
    let label = if f == b {
        String::new()
    } else {
        m.section_name(f)
    };
    let route_loc = match line {
        Some(l) => loc(file, l),
        None => loc(file, &file.sections[b].head),
    };
    let tunnel = m.timeout(b, "tunnel");
    let client = m.timeout(f, "client");
    let server = m.timeout(b, "server");
    let mut via = Vec::new();
    let note_ms = |t: &Timeout<'_>| {
        t.unitless.then(|| {
            format!(
                "HAProxy reads a number without a unit as milliseconds: `{}` is {}",
                t.raw,
                crate::proxy::seconds_text(t.seconds.unwrap_or(0.0))
            )
        })
    };
    let (chosen, what, fix) = match (&tunnel, &client, &server) {
        (Some(t), _, _) => (
            Some(t.clone()),
            format!("`timeout tunnel {}`", t.raw),
            "raise it to `timeout tunnel {s}s` or more (with a unit: without one HAProxy reads milliseconds)".to_string(),
        ),
        (None, c, s) => {
            let pick = match (c, s) {
                (Some(c), Some(s)) => {
                    if s.seconds.unwrap_or(f64::MAX) < c.seconds.unwrap_or(f64::MAX) {
                        Some(s.clone())
                    } else {
                        Some(c.clone())
                    }
                }
                (Some(c), None) => Some(c.clone()),
                (None, Some(s)) => Some(s.clone()),
                (None, None) => None,
            };
            match pick {
                Some(t) => {
                    let kind = if std::ptr::eq(t.line, c.as_ref().map_or(std::ptr::null(), |c| c.line)) {
                        "client"
                    } else {
                        "server"
                    };
                    (
                        Some(t.clone()),
                        format!(
                            "`timeout {kind} {}` (no `timeout tunnel` is set, so an upgraded connection keeps the smaller of `timeout client` and `timeout server`)",
                            t.raw
                        ),
                        format!(
                            "add `timeout tunnel {{s}}s` (or more) to {} or its `defaults`: it governs a connection once it is upgraded",
                            m.section_name(b)
                        ),
                    )
                }
                // No timeout at all: HAProxy keeps idle connections open
                // forever (and warns about it); no idle limit to report.
                None => return None,
            }
        }
    };
    let t = chosen.expect("chosen");
    if t.section != b && t.section != f {
        via.push((
            loc(file, &file.sections[b].head),
            format!("takes `timeout` from {}", m.section_name(t.section)),
        ));
    }
    let setting = Setting {
        loc: loc(file, t.line),
        what,
        seconds: t.seconds,
        note: note_ms(&t),
    };
    Some(WsRoute {
        hop,
        loc: route_loc,
        label,
        carries,
        limit: crate::proxy::Limit::Idle,
        idle: Idle {
            source: IdleSource::Set(setting),
            seconds: t.seconds,
            fix,
            via,
        },
        incomplete: false,
        unknown_from: Vec::new(),
        serves: Vec::new(),
    })
}

/// WS304 and WS305 of the file: timeouts in sections that do not apply
/// them, values HAProxy refuses, unknown `from` sections.
fn check_sections(m: &mut Model<'_>) {
    let file = m.file;
    for (i, s) in file.sections.iter().enumerate() {
        if let Some(from) = &s.from
            && m.named_defaults(from, i).is_none()
        {
            m.out.syntax.push((
                loc(file, &s.head),
                format!(
                    "`from {from}` names no `defaults` section defined above it: HAProxy refuses the configuration"
                ),
            ));
        }
        for l in &s.lines {
            let kw = l.keyword();
            if kw != "timeout" && kw != "clitimeout" && kw != "srvtimeout" && kw != "contimeout" {
                continue;
            }
            let (what, at) = if kw == "timeout" {
                (l.word(1).unwrap_or("").to_ascii_lowercase(), 2)
            } else {
                (
                    kw.trim_end_matches("timeout")
                        .replace("cli", "client")
                        .replace("srv", "server")
                        .replace("con", "connect"),
                    1,
                )
            };
            if kw != "timeout" {
                m.out.syntax.push((
                    loc(file, l),
                    format!("`{kw}` was removed from HAProxy (2.1 and later refuse it): write `timeout {what}`"),
                ));
            }
            match l.words.get(at) {
                None => m
                    .out
                    .syntax
                    .push((loc(file, l), format!("`timeout {what}` needs a time value"))),
                Some(w) if !w.placeholder => match time::parse(&w.text) {
                    Err(e) => m.out.syntax.push((Loc::new(&file.source, w.span), e)),
                    Ok(time::Time {
                        warning: Some(warning),
                        ..
                    }) => m.out.syntax.push((Loc::new(&file.source, w.span), warning)),
                    Ok(_) => {}
                },
                _ => {}
            }
            let frontend_only = s.kind == "frontend";
            let backend_only = s.kind == "backend";
            let ignored = match what.as_str() {
                "tunnel" | "server" | "connect" | "queue" | "server-fin" | "check"
                    if frontend_only =>
                {
                    Some(
                        "a frontend has no backend side, so HAProxy ignores it (with a warning); set it in the backend or in `defaults`",
                    )
                }
                "client" | "client-fin" if backend_only => Some(
                    "a backend has no client side, so HAProxy ignores it (with a warning); set it in the frontend or in `defaults`",
                ),
                _ => None,
            };
            if let Some(why) = ignored {
                m.out.misplaced.push(Misplaced {
                    product: Product::Haproxy,
                    loc: loc(file, l),
                    directive: format!("timeout {what}"),
                    kind: MisplacedKind::Ignored {
                        why: why.to_string(),
                    },
                });
            } else if s.kind == "global" {
                m.out.misplaced.push(Misplaced {
                    product: Product::Haproxy,
                    loc: loc(file, l),
                    directive: format!("timeout {what}"),
                    kind: MisplacedKind::Section {
                        section: "global".to_string(),
                        at: loc(file, &s.head),
                    },
                });
            }
        }
    }
}
