//! An nginx tree on the proxy model. Each `server` block is a hop; its
//! proxying locations that carry websockets are its routes: a location that
//! forwards the `Upgrade` header itself, one whose path names a websocket
//! (`/ws/`, `/socket.io/`), or one that nginx's location matching sends a
//! websocket path of the project to. A route's idle limit is
//! `proxy_read_timeout`, the nearest one from the location up through its
//! parents, the server and `http` (nginx merges each level into the next,
//! wherever the directive sits in its block), default 60 s.
//! `proxy_send_timeout` only bounds a blocked write and is no idle limit.
//!
//! The product's traps: timeouts where nginx does not take them (WS304),
//! what `nginx -t` refuses (WS305), unread includes (WS306), and
//! websocket locations that cannot upgrade (WS307): no `Upgrade` or
//! `Connection: upgrade` header, remembering that a level with any
//! `proxy_set_header` of its own inherits none from above, or HTTP/1.0 to
//! the upstream.

use std::collections::HashMap;

use regex::Regex;

use super::duration;
use super::tree::{Block, Ctx, Dir, Tree};
use crate::proxy::wspaths::{LazyWsPaths, Origin, names_websocket};
use crate::proxy::{
    Carries, Hop, Idle, IdleSource, Loc, Misplaced, MisplacedKind, NotUpgraded, Product,
    ProxyModel, Setting, Unfollowed, WsPath, WsRoute,
};

/// nginx's `proxy_read_timeout` when nothing sets it
/// (`ngx_conf_merge_msec_value(..., 60000)` in ngx_http_proxy_module.c).
pub const DEFAULT_READ_TIMEOUT_S: f64 = 60.0;

/// Directives that only `http`, `server` and `location` take.
const HTTP_LEVEL: &[&str] = &[
    "proxy_read_timeout",
    "proxy_send_timeout",
    "proxy_connect_timeout",
    "proxy_set_header",
    "proxy_http_version",
];
const TIMEOUTS: &[&str] = &[
    "proxy_read_timeout",
    "proxy_send_timeout",
    "proxy_connect_timeout",
    "keepalive_timeout",
    "send_timeout",
    "client_body_timeout",
    "client_header_timeout",
];

/// How a location matches, from its arguments.
#[derive(Clone, Debug)]
enum Match {
    Exact(String),
    Prefix { path: String, noregex: bool },
    Regex { re: Option<Regex>, written: String },
    Named,
}

fn location_match(block: &Block) -> Match {
    let Some(head) = &block.head else {
        return Match::Named;
    };
    let n = head.node();
    let a0 = n.arg(0).unwrap_or("");
    let a1 = n.arg(1);
    let (modifier, path) = match a1 {
        Some(p) => (a0, p.to_string()),
        None => {
            // The unspaced forms: `=/x`, `~*\.php$`, `^~/static/`.
            for m in ["^~", "~*", "=", "~"] {
                if let Some(rest) = a0.strip_prefix(m)
                    && !rest.is_empty()
                    && !(m == "~" && rest.starts_with('*'))
                {
                    return build_match(m, rest.to_string());
                }
            }
            ("", a0.to_string())
        }
    };
    build_match(modifier, path)
}

fn build_match(modifier: &str, path: String) -> Match {
    match modifier {
        "=" => Match::Exact(path),
        "^~" => Match::Prefix {
            path,
            noregex: true,
        },
        "~" | "~*" => Match::Regex {
            re: location_regex(&path, modifier == "~*"),
            written: path,
        },
        _ if path.starts_with('@') => Match::Named,
        _ => Match::Prefix {
            path,
            noregex: false,
        },
    }
}

/// A location's regex, compiled once per thread for each distinct
/// pattern: configurations repeat the same few (`~* \.(js|css)$`,
/// `^/ws/(.*)$`) in every server, and compiling is most of a regex
/// location's cost. Clones share the compiled program.
fn location_regex(pattern: &str, caseless: bool) -> Option<regex::Regex> {
    thread_local! {
        static COMPILED: std::cell::RefCell<HashMap<(String, bool), Option<regex::Regex>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    COMPILED.with_borrow_mut(|compiled| {
        let key = (pattern.to_string(), caseless);
        if let Some(re) = compiled.get(&key) {
            return re.clone();
        }
        let re = regex::RegexBuilder::new(pattern)
            .case_insensitive(caseless)
            .size_limit(1 << 20)
            .build()
            .ok();
        // Bounded: a generated configuration of distinct patterns does not
        // grow it without end.
        if compiled.len() >= 4096 {
            compiled.clear();
        }
        compiled.insert(key, re.clone());
        re
    })
}

impl Match {
    fn is_match(&self, uri: &str) -> bool {
        match self {
            Match::Exact(p) => uri == p,
            Match::Prefix { path, .. } => uri.starts_with(path.as_str()),
            Match::Regex { re, .. } => re.as_ref().is_some_and(|r| r.is_match(uri)),
            Match::Named => false,
        }
    }

    /// The path as the location writes it.
    fn text(&self) -> &str {
        match self {
            Match::Exact(p) | Match::Prefix { path: p, .. } => p,
            Match::Regex { written, .. } => written,
            Match::Named => "",
        }
    }
}

/// The location nginx serves `uri` from, among the locations below
/// `server` (`ngx_http_core_find_location`): an exact match ends the
/// search; else the longest prefix, then its nested locations; then, from
/// the innermost level out, the regular expressions of each level in
/// order, unless the prefix that led there is `^~`. A regex location's own
/// nested locations are searched in turn. Iterative: nesting depth costs
/// no stack.
/// The URI of a `proxy_pass` that has one (`http://app/` gives `/`,
/// `http://app:8000/api/` gives `/api/`): nginx then replaces the part of
/// the request path the location's prefix matched with it. `None` when the
/// path is passed unchanged (`proxy_pass http://app;`) or cannot be told
/// (a variable).
fn proxy_pass_uri(d: &Dir) -> Option<String> {
    let target = d.node().arg(0)?;
    if target.contains('$') {
        return None;
    }
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    let slash = rest.find('/')?;
    Some(rest[slash..].to_string())
}

fn select(tree: &Tree, matches: &HashMap<usize, Match>, server: usize, uri: &str) -> Option<usize> {
    let mut level = server;
    let mut found: Option<usize> = None;
    'outer: loop {
        // Descend through the static (exact and prefix) matches.
        let mut chain: Vec<(usize, bool)> = Vec::new(); // (level, noregex of its match)
        let mut cur = level;
        loop {
            let mut best: Option<(usize, usize, bool)> = None; // (block, len, noregex)
            for &c in &tree.blocks[cur].children {
                let Some(m) = matches.get(&c) else { continue };
                match m {
                    Match::Exact(p) if p == uri => return Some(c),
                    Match::Prefix { path, noregex }
                        if uri.starts_with(path.as_str())
                            && best.is_none_or(|(_, l, _)| path.len() > l) =>
                    {
                        best = Some((c, path.len(), *noregex));
                    }
                    _ => {}
                }
            }
            match best {
                Some((b, _, noregex)) => {
                    chain.push((cur, noregex));
                    found = Some(b);
                    cur = b;
                }
                None => {
                    chain.push((cur, false));
                    break;
                }
            }
        }
        // Regexes, innermost level first.
        for &(lvl, noregex) in chain.iter().rev() {
            if noregex {
                continue;
            }
            for &c in &tree.blocks[lvl].children {
                if let Some(m @ Match::Regex { .. }) = matches.get(&c)
                    && m.is_match(uri)
                {
                    found = Some(c);
                    level = c;
                    // Its nested locations, if any, are searched next.
                    if tree.blocks[c]
                        .children
                        .iter()
                        .any(|x| matches.contains_key(x))
                    {
                        continue 'outer;
                    }
                    return found;
                }
            }
        }
        return found;
    }
}

/// Whether a `proxy_set_header Upgrade ...` forwards the client's upgrade:
/// `$http_upgrade`, the literal `websocket`, or a value a template fills in
/// (`proxy_set_header Upgrade "";` clears it).
fn forwards_upgrade(d: &Dir) -> bool {
    let n = d.node();
    let v = n.arg(1).unwrap_or("").to_ascii_lowercase();
    v.contains("$http_upgrade")
        || v.contains("websocket")
        || n.args.get(1).is_some_and(|w| w.placeholder)
        || (v.contains('$') && !v.contains("$http_"))
}

/// A header set of one level: `proxy_set_header` name -> value words.
struct Headers<'t> {
    /// The level that defines the set in effect.
    level: usize,
    dirs: Vec<&'t Dir>,
    /// Debian's `proxy_params` is included at that level.
    packaged: bool,
    /// Unread includes at that level or below it (a missing header may be
    /// in one of them).
    unknown: Vec<usize>,
    /// Template statements decide which of its lines the deployed file has.
    branched: bool,
}

/// A location assessed as a websocket route.
struct Assessed {
    route: WsRoute,
    not_upgraded: Option<NotUpgraded>,
    upgrade_unknown: Vec<usize>,
}

struct Builder<'t> {
    tree: &'t Tree,
    out: ProxyModel,
    matches: HashMap<usize, Match>,
    /// `map` results: variable -> its possible values.
    maps: HashMap<String, Vec<String>>,
}

/// The proxy model of one tree. `paths` are asked for only when a server
/// has proxying locations whose own configuration does not say websocket.
pub fn to_proxy(tree: &Tree, paths: &LazyWsPaths<'_>) -> ProxyModel {
    let mut b = Builder {
        tree,
        out: ProxyModel::new(Product::Nginx),
        matches: HashMap::new(),
        maps: HashMap::new(),
    };
    b.out.syntax = tree.syntax.clone();
    b.out.unfollowed = tree
        .unfollowed
        .iter()
        .map(|u| Unfollowed {
            loc: u.loc.clone(),
            reason: u.reason.clone(),
        })
        .collect();
    for (i, block) in tree.blocks.iter().enumerate() {
        if block.ctx == Ctx::Location {
            b.matches.insert(i, location_match(block));
        }
        b.check_level(i);
        if block.name() == Some("map")
            && let Some(var) = block.head.as_ref().and_then(|h| h.node().arg(1))
        {
            let values = block
                .dirs
                .iter()
                .filter_map(|d| d.node().arg(0).map(str::to_ascii_lowercase))
                .collect();
            b.maps
                .insert(var.trim_start_matches('$').to_string(), values);
        }
    }
    let servers: Vec<usize> = tree
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, bl)| bl.ctx == Ctx::Server)
        .map(|(i, _)| i)
        .collect();
    for server in servers {
        b.server(server, paths);
    }
    b.out
}

/// The blocks below `b` (locations and the `if`/`limit_except` blocks in
/// them), depth first, without recursion.
fn descendants(tree: &Tree, b: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack: Vec<usize> = tree.blocks[b].children.iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        out.push(i);
        stack.extend(tree.blocks[i].children.iter().rev());
    }
    out
}

impl<'t> Builder<'t> {
    fn check_level(&mut self, i: usize) {
        let block = &self.tree.blocks[i];
        let mut seen: HashMap<&str, &Dir> = HashMap::new();
        for d in &block.dirs {
            let n = d.node();
            let name = n.lname.as_str();
            if !HTTP_LEVEL.contains(&name) && !TIMEOUTS.contains(&name) {
                continue;
            }
            // `stream` and `mail` have proxy directives of their own
            // (`proxy_connect_timeout`, `proxy_timeout`): only those of
            // HTTP's they lack are misplaced there.
            if block.ctx == Ctx::Other
                && !matches!(
                    name,
                    "proxy_read_timeout"
                        | "proxy_send_timeout"
                        | "proxy_set_header"
                        | "proxy_http_version"
                )
            {
                continue;
            }
            let allowed = match block.ctx {
                Ctx::Http | Ctx::Server | Ctx::Location => true,
                // `keepalive_timeout` etc. are core directives of the same
                // levels; `if` takes none of these.
                _ => false,
            };
            if !allowed && HTTP_LEVEL.contains(&name) {
                let section = match &block.head {
                    Some(h) => {
                        let hn = h.node();
                        let args: Vec<&str> = hn.args.iter().map(|w| w.text.as_str()).collect();
                        if args.is_empty() {
                            format!("{} {{}}", hn.name.text)
                        } else {
                            format!("{} {}", hn.name.text, args.join(" "))
                        }
                    }
                    None => block.ctx.name().to_string(),
                };
                let block_name = block.name().unwrap_or("map").to_string();
                let why = match block.ctx {
                    Ctx::Entries => Some(format!(
                        "inside `{block_name}` it is read as an entry of the block (a source value and its result), not as a directive: it sets nothing"
                    )),
                    _ => None,
                };
                let refused = (block.ctx == Ctx::Other).then(|| {
                    "it is no directive of nginx's `stream` and `mail` modules (there the idle limit is `proxy_timeout`), and `nginx -t` fails with \"unknown directive\"".to_string()
                });
                self.out.misplaced.push(Misplaced {
                    product: Product::Nginx,
                    loc: d.loc(),
                    directive: n.name.text.clone(),
                    kind: match (why, &block.head) {
                        _ if refused.is_some() => MisplacedKind::Refused {
                            why: refused.unwrap_or_default(),
                        },
                        (Some(why), _) => MisplacedKind::Ignored { why },
                        (None, Some(h)) => MisplacedKind::Section {
                            section,
                            at: h.loc(),
                        },
                        (None, None) => MisplacedKind::Section {
                            section,
                            at: d.loc(),
                        },
                    },
                });
                continue;
            }
            if !allowed {
                continue;
            }
            // Arguments under template control flow are alternatives, and a
            // placeholder may stand for several words.
            if n.templated || n.args.iter().any(|w| w.placeholder) {
                continue;
            }
            if TIMEOUTS.contains(&name) {
                if n.args.len() != 1 && name != "keepalive_timeout" {
                    self.arity(d, "one time value");
                    continue;
                }
                // A `$` in a time nginx takes no variable in is a template's
                // (`${PROXY_READ_TIMEOUT}` filled in by envsubst): unknown.
                if let Some(w) = n.args.first()
                    && !w.placeholder
                    && !w.text.contains('$')
                    && let Err(e) = duration::parse(&w.text)
                {
                    self.out.syntax.push((
                        d.arg_loc(0),
                        format!("{e}: `nginx -t` fails with \"invalid value\""),
                    ));
                }
                if let Some(prev) = seen.insert(name, d)
                    && name.starts_with("proxy_")
                {
                    let _ = prev;
                    self.out.syntax.push((
                        d.loc(),
                        format!("`{}` is duplicate in this block: `nginx -t` fails (\"is duplicate\"); keep one", n.name.text),
                    ));
                }
            } else if name == "proxy_set_header" && n.args.len() != 2 {
                self.arity(d, "a header name and a value");
            } else if name == "proxy_http_version" && n.args.len() != 1 {
                self.arity(d, "one version");
            }
        }
    }

    fn arity(&mut self, d: &Dir, wants: &str) {
        let n = d.node();
        let hint = if n.args.len() > 1 {
            " (is a `;` missing at the end of a line?)"
        } else {
            ""
        };
        self.out.syntax.push((
            d.loc(),
            format!(
                "`{}` takes {wants}, found {}{hint}: `nginx -t` fails with \"invalid number of arguments\"",
                n.name.text,
                n.args.len()
            ),
        ));
    }

    fn hop_name(&self, server: usize) -> String {
        let block = &self.tree.blocks[server];
        if block.head.is_none() {
            let file = self
                .tree
                .root
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            return format!("the nginx `server` that includes `{file}`");
        }
        let name = block
            .get("server_name")
            .and_then(|d| {
                d.node()
                    .args
                    .iter()
                    .find(|w| w.text != "_" && !w.text.is_empty())
            })
            .map(|w| w.text.clone());
        match name {
            Some(n) => format!("nginx `server {n}`"),
            None => match block.get("listen").and_then(|d| d.node().arg(0)) {
                Some(l) => format!("nginx `server` (listen {l})"),
                None => "nginx `server`".to_string(),
            },
        }
    }

    /// The location's own blocks that handle its requests (`if`,
    /// `limit_except`) besides itself.
    fn own_levels(&self, loc: usize) -> Vec<usize> {
        let mut v = vec![loc];
        v.extend(
            self.tree.blocks[loc]
                .children
                .iter()
                .copied()
                .filter(|&c| matches!(self.tree.blocks[c].ctx, Ctx::If | Ctx::LimitExcept)),
        );
        v
    }

    /// The locations of `server` a websocket path of the project reaches:
    /// the one nginx selects for it, and, for an endpoint's route (a path
    /// as the upstream sees it), each prefix location whose `proxy_pass`
    /// URI replaces the location's prefix to give that path
    /// (`location /api/ { proxy_pass http://app/; }` sends `/api/ws/jobs`
    /// to `/ws/jobs`), when nginx selects that location for the path the
    /// browser asks for.
    fn reached_by<'p>(
        &self,
        server: usize,
        locations: &[usize],
        path: &'p WsPath,
    ) -> Vec<(&'p WsPath, usize)> {
        let mut out: Vec<(&'p WsPath, usize)> = Vec::new();
        if let Some(l) = path
            .samples
            .iter()
            .find_map(|s| select(self.tree, &self.matches, server, s))
        {
            out.push((path, l));
        }
        if path.origin != Origin::Endpoint {
            return out;
        }
        for &l in locations {
            let Some(Match::Prefix { path: prefix, .. }) = self.matches.get(&l) else {
                continue;
            };
            // A `rewrite` in the location changes the URI itself: nginx
            // then passes the rewritten one, and the prefix is not replaced.
            if self.tree.blocks[l].get("rewrite").is_some() {
                continue;
            }
            let Some(uri) = self.proxies(l).and_then(proxy_pass_uri) else {
                continue;
            };
            let reaches = path.samples.iter().any(|s| {
                s.strip_prefix(uri.as_str()).is_some_and(|rest| {
                    let browser = format!("{prefix}{rest}");
                    select(self.tree, &self.matches, server, &browser) == Some(l)
                })
            });
            if reaches && !out.iter().any(|(_, o)| *o == l) {
                out.push((path, l));
            }
        }
        out
    }

    fn proxies(&self, loc: usize) -> Option<&'t Dir> {
        self.own_levels(loc)
            .into_iter()
            .find_map(|l| self.tree.blocks[l].get("proxy_pass"))
    }

    /// The nearest level from `loc` up that sets `lname`, with the unread
    /// includes passed on the way (any of them may set it closer).
    fn nearest(&self, loc: usize, lname: &str) -> (Option<(usize, &'t Dir)>, Vec<usize>) {
        let mut unknown = Vec::new();
        for lvl in self.levels(loc) {
            let block = &self.tree.blocks[lvl];
            unknown.extend(block.unfollowed.iter().copied());
            if let Some(d) = block.get(lname) {
                return (Some((lvl, d)), unknown);
            }
        }
        (None, unknown)
    }

    /// The levels a location inherits proxy settings from, itself first:
    /// its parent locations, the server, `http`. The main level takes none
    /// of them (WS304), so what is written there reaches nothing.
    fn levels(&self, loc: usize) -> impl Iterator<Item = usize> + '_ {
        self.tree.ancestry(loc).filter(|&l| {
            matches!(
                self.tree.blocks[l].ctx,
                Ctx::Location | Ctx::Server | Ctx::Http
            )
        })
    }

    /// The `proxy_set_header` set in effect at `loc`: the nearest level
    /// with any; `Err` with the unread includes when one of them may hold
    /// the set in effect.
    fn headers(&self, loc: usize) -> Result<Option<Headers<'t>>, Vec<usize>> {
        let mut unknown = Vec::new();
        for lvl in self.levels(loc) {
            let block = &self.tree.blocks[lvl];
            let dirs: Vec<&Dir> = block.all("proxy_set_header").collect();
            unknown.extend(block.unfollowed.iter().copied());
            if !dirs.is_empty() || block.packaged_headers.is_some() {
                return Ok(Some(Headers {
                    level: lvl,
                    dirs,
                    packaged: block.packaged_headers.is_some(),
                    // An unread include or a template branch at this level
                    // may hold more of the set.
                    unknown: unknown.clone(),
                    branched: block.head.as_ref().is_some_and(|h| h.node().branched),
                }));
            }
            if !unknown.is_empty() {
                return Err(unknown);
            }
        }
        Ok(None)
    }

    fn header<'h>(h: &'h Headers<'t>, name: &str) -> Option<&'h &'t Dir> {
        h.dirs.iter().rev().find(|d| {
            d.node()
                .arg(0)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Whether a `Connection` value carries `upgrade`: literally, through
    /// `$http_connection`, or through a `map` with an `upgrade` result.
    fn connection_upgrades(&self, value: &str) -> bool {
        let v = value.to_ascii_lowercase();
        if v.split([',', ' ']).any(|w| w.trim() == "upgrade") {
            return true;
        }
        if v.contains("$http_connection") {
            return true;
        }
        // A variable of a `map` in this tree carries what its results do; one
        // defined elsewhere (a map in an nginx.conf this run does not read)
        // is unknown, so it is taken to carry it.
        v.split('$').skip(1).any(|var| {
            let name: String = var
                .trim_start_matches('{')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            match self.maps.get(&name) {
                Some(vals) => vals.iter().any(|x| x == "upgrade"),
                None => !name.starts_with("http_") && !name.is_empty(),
            }
        })
    }

    fn level_name(&self, lvl: usize) -> String {
        let block = &self.tree.blocks[lvl];
        match &block.head {
            Some(h) => {
                let n = h.node();
                let args: Vec<&str> = n.args.iter().map(|w| w.text.as_str()).collect();
                if n.lname == "location" {
                    format!("`location {}`", args.join(" "))
                } else if n.lname == "server" {
                    "the `server` block".to_string()
                } else {
                    format!("the `{}` block", n.name.text)
                }
            }
            None => match block.ctx {
                Ctx::Http => "the top of this file (http context)".to_string(),
                Ctx::Server => "the top of this file (server context)".to_string(),
                _ => "the top of this file".to_string(),
            },
        }
    }

    fn server(&mut self, server: usize, paths: &LazyWsPaths<'_>) {
        let hop = self.out.hops.len();
        let head_loc = self.tree.blocks[server]
            .head
            .as_ref()
            .map(Dir::loc)
            .or_else(|| {
                self.tree.blocks[server]
                    .dirs
                    .first()
                    .map(Dir::loc)
                    .or_else(|| {
                        self.tree.blocks[server]
                            .children
                            .first()
                            .and_then(|&c| self.tree.blocks[c].head.as_ref().map(Dir::loc))
                    })
            });
        let Some(head_loc) = head_loc else { return };
        let name = self.hop_name(server);
        self.out.hops.push(Hop {
            product: Product::Nginx,
            name,
            loc: head_loc,
        });
        let snippet = self.tree.blocks[server].head.is_none();
        let locations: Vec<usize> = descendants(self.tree, server)
            .into_iter()
            .filter(|&i| self.tree.blocks[i].ctx == Ctx::Location)
            .filter(|i| !matches!(self.matches.get(i), Some(Match::Named) | None))
            .collect();
        let proxying = locations
            .iter()
            .filter(|&&l| self.proxies(l).is_some())
            .count();
        let mut carried: Vec<(usize, Carries)> = Vec::new();
        // Proxying locations nothing marks as websocket: they carry one only
        // if a websocket path of the project reaches them, which is worth
        // finding out only if such a route would be reported.
        let mut candidates = false;
        for &l in &locations {
            if self.proxies(l).is_none() {
                continue;
            }
            // `internal` locations serve only nginx's own subrequests
            // (`auth_request`), never a browser's websocket.
            if self.tree.blocks[l].get("internal").is_some() {
                continue;
            }
            let own_upgrade = self.own_levels(l).into_iter().any(|lvl| {
                self.tree.blocks[lvl].all("proxy_set_header").any(|d| {
                    d.node()
                        .arg(0)
                        .is_some_and(|n| n.eq_ignore_ascii_case("upgrade"))
                        && forwards_upgrade(d)
                })
            });
            let text = self.matches[&l].text().to_string();
            // Upgrade headers it inherits say websocket for the location
            // that takes every path (`location /`) or the server's only
            // proxying location; elsewhere they are the server's blanket
            // setting, and a websocket path of the project must reach it.
            let inherits_upgrade = !own_upgrade
                && (text == "/" || proxying == 1)
                && matches!(
                    self.headers(l),
                    Ok(Some(h)) if Self::header(&h, "upgrade").is_some_and(|d| forwards_upgrade(d))
                );
            if own_upgrade || inherits_upgrade {
                carried.push((l, Carries::Config));
            } else if names_websocket(&text) {
                carried.push((l, Carries::Named));
            } else if !candidates {
                let a = self.route(hop, l, Carries::Config, snippet);
                candidates = paths.stakes.matter(&a.route, a.not_upgraded.is_some());
            }
        }
        // The locations each websocket path of the project reaches, when
        // that is worth knowing.
        let reached: Vec<(&WsPath, usize)> = if candidates || paths.stakes.serves {
            paths
                .get()
                .paths
                .iter()
                .flat_map(|path| self.reached_by(server, &locations, path))
                .collect()
        } else {
            Vec::new()
        };
        if candidates {
            for &(path, l) in &reached {
                if self.proxies(l).is_none() || carried.iter().any(|(c, _)| *c == l) {
                    continue;
                }
                carried.push((l, Carries::Path(path.clone())));
            }
        }
        carried.sort_by_key(|(l, _)| *l);
        for (l, carries) in carried {
            let a = self.route(hop, l, carries, snippet);
            self.record(a);
        }
        if paths.stakes.serves {
            for (path, l) in reached {
                let Some(head) = self.tree.blocks[l].head.as_ref() else {
                    continue;
                };
                let at = head.loc();
                for r in self.out.routes.iter_mut() {
                    if r.hop == hop && r.loc.same(&at) {
                        r.add_serves(path);
                    }
                }
            }
        }
    }

    /// The websocket route `loc` would be, with its WS307 finding and the
    /// unread includes that held one back; nothing is recorded yet.
    fn route(&self, hop: usize, loc: usize, carries: Carries, snippet: bool) -> Assessed {
        let block = &self.tree.blocks[loc];
        let head = block.head.as_ref().expect("a location has a head");
        let label = {
            let n = head.node();
            let args: Vec<&str> = n.args.iter().map(|w| w.text.as_str()).collect();
            format!("`location {}`", args.join(" "))
        };
        let (found, unknown_from) = self.nearest(loc, "proxy_read_timeout");
        let mut via = Vec::new();
        let (source, seconds, fix) = match found {
            Some((lvl, d)) => {
                let n = d.node();
                let raw = n.arg(0).unwrap_or("").to_string();
                let placeholder = n.args.first().is_some_and(|w| w.placeholder);
                let seconds = if placeholder {
                    None
                } else {
                    duration::parse(&raw).ok()
                };
                let fix = if lvl == loc {
                    "raise it to `proxy_read_timeout {s}s` or more".to_string()
                } else {
                    via.push((
                        head.loc(),
                        format!(
                            "inherits `proxy_read_timeout` from {}",
                            self.level_name(lvl)
                        ),
                    ));
                    format!(
                        "raise it to `proxy_read_timeout {{s}}s` or more, or set `proxy_read_timeout {{s}}s;` in {label} only"
                    )
                };
                (
                    IdleSource::Set(Setting {
                        loc: d.loc(),
                        what: format!("`proxy_read_timeout {raw}`"),
                        seconds,
                        note: None,
                    }),
                    seconds,
                    fix,
                )
            }
            None => (
                IdleSource::Default {
                    what: "nginx's default `proxy_read_timeout`".to_string(),
                },
                Some(DEFAULT_READ_TIMEOUT_S),
                format!("add `proxy_read_timeout {{s}}s;` to {label}"),
            ),
        };
        let route_loc = head.loc();
        let incomplete = !unknown_from.is_empty() || snippet;
        let (not_upgraded, upgrade_unknown) = self.upgrade(hop, loc, &label, &carries, snippet);
        Assessed {
            route: WsRoute {
                hop,
                loc: route_loc.clone(),
                label: label.clone(),
                carries,
                limit: crate::proxy::Limit::Idle,
                idle: Idle {
                    source,
                    seconds,
                    fix,
                    via,
                },
                incomplete,
                unknown_from,
                serves: Vec::new(),
            },
            not_upgraded,
            upgrade_unknown,
        }
    }

    fn record(&mut self, a: Assessed) {
        self.out.routes.push(a.route);
        self.out.not_upgraded.extend(a.not_upgraded);
        self.out.upgrade_unknown_from.extend(a.upgrade_unknown);
    }

    /// WS307: what a websocket location needs to upgrade.
    fn upgrade(
        &self,
        hop: usize,
        loc: usize,
        label: &str,
        carries: &Carries,
        snippet: bool,
    ) -> (Option<NotUpgraded>, Vec<usize>) {
        let mut held: Vec<usize> = Vec::new();
        let head = self.tree.blocks[loc].head.as_ref().expect("location");
        let at = head.loc();
        let why = match carries {
            Carries::Config => String::new(),
            Carries::Named => " (its path names a websocket)".to_string(),
            Carries::Path(p) => format!(" (it serves {})", p.describe()),
        };
        let mut labels: Vec<(Loc, String)> = Vec::new();
        if let Carries::Path(WsPath { at: Some(a), .. }) = carries {
            labels.push((
                a.clone(),
                "websocket path served by this location".to_string(),
            ));
        }
        let hop_name = self.out.hops[hop].name.clone();
        let mut problems: Vec<String> = Vec::new();
        let mut help: Vec<String> = Vec::new();
        match self.headers(loc) {
            Err(unknown) => {
                if !snippet {
                    held.extend(unknown);
                }
            }
            Ok(None) if snippet => {}
            Ok(headers) => {
                let (up, conn) = match &headers {
                    Some(h) => (Self::header(h, "upgrade"), Self::header(h, "connection")),
                    None => (None, None),
                };
                let up_ok = up.is_some_and(|d| forwards_upgrade(d));
                let conn_ok = conn.is_some_and(|d| {
                    d.node().args.get(1).is_some_and(|w| w.placeholder)
                        || self.connection_upgrades(d.node().arg(1).unwrap_or(""))
                });
                let uncertain = headers
                    .as_ref()
                    .is_some_and(|h| h.branched || !h.unknown.is_empty());
                if (!up_ok || !conn_ok) && uncertain {
                    held.extend(
                        headers
                            .as_ref()
                            .map(|h| h.unknown.clone())
                            .unwrap_or_default(),
                    );
                } else if !up_ok || !conn_ok {
                    // Headers set above that this level's own set hides.
                    let hidden = headers.as_ref().and_then(|h| {
                        self.tree.ancestry(h.level).skip(1).find_map(|lvl| {
                            let b = &self.tree.blocks[lvl];
                            b.all("proxy_set_header")
                                .find(|d| {
                                    d.node()
                                        .arg(0)
                                        .is_some_and(|n| n.eq_ignore_ascii_case("upgrade"))
                                })
                                .map(|d| (lvl, d))
                        })
                    });
                    let missing = match (up_ok, conn_ok) {
                        (false, false) => {
                            "`proxy_set_header Upgrade $http_upgrade` and `proxy_set_header Connection \"upgrade\"`"
                        }
                        (false, true) => "`proxy_set_header Upgrade $http_upgrade`",
                        _ => {
                            "a `Connection` header that carries `upgrade` (`proxy_set_header Connection \"upgrade\"` or `$connection_upgrade` from a `map`)"
                        }
                    };
                    match (&headers, hidden) {
                        (Some(h), Some((lvl, d))) => {
                            let own = h
                                .dirs
                                .first()
                                .map(|d| d.loc())
                                .unwrap_or_else(|| at.clone());
                            let what = if h.packaged {
                                "`include proxy_params` (its `proxy_set_header` lines)".to_string()
                            } else {
                                "its own `proxy_set_header`".to_string()
                            };
                            problems.push(format!(
                                "{what} at {} hides the `Upgrade`/`Connection` headers set in {}: nginx inherits `proxy_set_header` only into a level that sets none, so {missing} never reach the upstream",
                                self.level_name(h.level),
                                self.level_name(lvl)
                            ));
                            labels.push((own, "this level's own proxy_set_header".to_string()));
                            labels.push((
                                d.loc(),
                                "not inherited below a level with its own proxy_set_header"
                                    .to_string(),
                            ));
                            help.push(format!(
                                "repeat the `Upgrade` and `Connection` headers in {}",
                                self.level_name(h.level)
                            ));
                        }
                        _ => {
                            problems.push(format!("it sends no {missing}"));
                            if let Some(d) = up.filter(|_| !up_ok) {
                                labels.push((
                                    d.loc(),
                                    "does not forward the client's Upgrade".to_string(),
                                ));
                            }
                            if let Some(d) = conn.filter(|_| !conn_ok) {
                                labels.push((d.loc(), "Connection without `upgrade`".to_string()));
                            }
                            help.push(format!("add `proxy_set_header Upgrade $http_upgrade;` and `proxy_set_header Connection $connection_upgrade;` (with the `map $http_upgrade $connection_upgrade` of nginx's websocket guide) to {label}"));
                        }
                    }
                }
            }
        }
        let (version, version_unknown) = self.nearest(loc, "proxy_http_version");
        let version_text = version.map(|(_, d)| d.node().arg(0).unwrap_or("").to_string());
        match version_text.as_deref() {
            Some("1.1") | Some("2") | Some("2.0") => {}
            Some(v)
                if version
                    .is_some_and(|(_, d)| d.node().args.first().is_some_and(|w| w.placeholder)) =>
            {
                let _ = v;
            }
            Some(v) => {
                problems.push(format!("`proxy_http_version {v}` speaks HTTP/{v} to the upstream, which cannot upgrade a connection"));
                if let Some((_, d)) = version {
                    labels.push((d.loc(), "HTTP/1.0 has no Upgrade".to_string()));
                }
                help.push("set `proxy_http_version 1.1;`".to_string());
            }
            None if snippet => {}
            None if !version_unknown.is_empty() => {
                held.extend(version_unknown);
            }
            None => {
                problems.push("it sets no `proxy_http_version 1.1`, and nginx before 1.29.7 speaks HTTP/1.0 to the upstream, which cannot upgrade".to_string());
                help.push(format!("add `proxy_http_version 1.1;` to {label}"));
            }
        }
        if problems.is_empty() {
            return (None, held);
        }
        let finding = NotUpgraded {
            hop,
            loc: at,
            message: format!(
                "{label} of {hop_name}{why} cannot upgrade websockets: {}",
                problems.join("; and ")
            ),
            help: help.join("; "),
            labels,
        };
        (Some(finding), held)
    }
}
