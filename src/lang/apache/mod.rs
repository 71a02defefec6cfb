//! Apache httpd: the parser, Include expansion, and the vhost model the
//! proxy rules read (websocket routes and the settings their timeouts come
//! from).

pub mod hops;
pub mod parse;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use parse::{ApacheFile, Arg, Node, NodeId};

pub use crate::proxy::Loc;
use crate::proxy::include::{self, IncludeEnv, MAX_FILES_PER_TREE, MAX_INCLUDE_DEPTH, Resolved};
use crate::source::Span;

/// The loader Apache trees read their includes through.
pub type Loader<'a> = crate::proxy::loader::Loader<'a, ApacheFile>;

/// httpd's compiled-in `Timeout` (core.xml: `TimeOut 60`).
pub const HTTPD_DEFAULT_TIMEOUT_S: u64 = 60;

/// A timeout value and the directive (or ProxyPass parameter) that set it.
#[derive(Clone, Debug)]
pub struct Setting {
    pub loc: Loc,
    /// `ProxyTimeout`, `Timeout` or `timeout=` as written.
    pub directive: String,
    /// The argument as written, after `${VAR}` substitution.
    pub raw: String,
    /// Seconds as httpd reads them (`atoi`); `None` when unknown (an
    /// undefined variable) or refused by httpd.
    pub seconds: Option<u64>,
}

/// The settings of the main server or of one `<VirtualHost>`.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub proxy_timeout: Option<Setting>,
    pub timeout: Option<Setting>,
    /// An Include in this scope was not read: its settings are unknown.
    pub incomplete: bool,
}

#[derive(Clone, Debug)]
pub struct VHost {
    /// The `<VirtualHost ...>` tag.
    pub loc: Loc,
    /// Its address argument(s), e.g. `*:443`.
    pub addr: String,
    pub scope: Scope,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteKind {
    /// `ProxyPass`/`ProxyPassMatch` to ws:// or wss://.
    ProxyPass,
    /// `ProxyPass ... upgrade=websocket`.
    Upgrade,
    /// `ProxyPass` to a `balancer://` whose members are ws:// or wss://.
    Balancer,
    /// `RewriteRule ... ws://... [P]`.
    Rewrite,
    /// `ProxyPass` to http:// or https:// with no `upgrade=websocket`: a
    /// websocket route only when it serves a websocket path of the
    /// project, and then one that cannot upgrade (WS307).
    Http,
    /// `ProxyPass /path !`: not proxied.
    Excluded,
}

/// A proxy route: a directive that sends a path to a backend.
#[derive(Clone, Debug)]
pub struct Route {
    pub loc: Loc,
    pub kind: RouteKind,
    /// The local path or pattern, when there is one.
    pub path: Option<String>,
    /// `path` is a regular expression (`ProxyPassMatch`, `RewriteRule`,
    /// `<LocationMatch>`).
    pub regex: bool,
    /// The backend URL.
    pub target: String,
    /// Index into [`ApacheModel::vhosts`]; `None` = the main server.
    pub vhost: Option<usize>,
    /// The route's own `timeout=`.
    pub timeout_param: Option<Setting>,
    /// The smallest `timeout=` of the balancer members it goes to.
    pub member_timeout: Option<Setting>,
    /// Where it sits in httpd's reading order: the first route that
    /// matches a path serves it.
    pub order: usize,
}

impl Route {
    /// `/ws/ -> ws://backend:8000/ws/`, for labels and messages.
    pub fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("{p} -> {}", self.target),
            None => self.target.clone(),
        }
    }
}

/// Where an effective timeout comes from, most specific first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    RouteParam,
    MemberParam,
    VHostProxyTimeout,
    ServerProxyTimeout,
    VHostTimeout,
    ServerTimeout,
    Default,
}

#[derive(Clone, Debug)]
pub struct Effective<'a> {
    pub level: Level,
    /// `None` for httpd's default.
    pub setting: Option<&'a Setting>,
    /// `None` when the value is unknown.
    pub seconds: Option<u64>,
}

/// A directive in a place httpd refuses it, or one it does not know.
#[derive(Clone, Debug)]
pub struct Misplaced {
    pub loc: Loc,
    pub directive: String,
    /// The section it sits in (`<Location /ws>`), if that is the problem.
    pub container: Option<(String, Loc)>,
    /// In an `.htaccess` file.
    pub htaccess: bool,
}

/// An Include that was not read.
#[derive(Clone, Debug)]
pub struct Unfollowed {
    pub loc: Loc,
    pub reason: String,
    /// The scope it would have set values in (`None` = the main server).
    pub vhost: Option<usize>,
}

/// One configuration tree: a root file with everything it includes.
#[derive(Clone, Debug, Default)]
pub struct ApacheModel {
    pub server: Scope,
    pub vhosts: Vec<VHost>,
    /// Websocket routes (and, once balancers are linked, the balancer
    /// routes whose members are websocket backends).
    pub routes: Vec<Route>,
    /// Other proxy routes (http:// targets, `!` exclusions): websocket
    /// routes only when a project websocket path reaches them.
    pub other_routes: Vec<Route>,
    /// Balancer members of this tree, and routes to balancers, until
    /// [`link_balancers`] joins them across the trees of a run.
    members: Vec<Member>,
    pending: Vec<PendingBalancer>,
    pub misplaced: Vec<Misplaced>,
    /// Syntax errors, include cycles and values httpd misreads or refuses.
    pub syntax: Vec<(Loc, String)>,
    pub unfollowed: Vec<Unfollowed>,
}

impl ApacheModel {
    fn scope_mut(&mut self, vhost: Option<usize>) -> &mut Scope {
        match vhost {
            Some(i) => &mut self.vhosts[i].scope,
            None => &mut self.server,
        }
    }

    /// The route's effective timeout: its `timeout=`, then the balancer
    /// member's, the vhost's ProxyTimeout, the server's ProxyTimeout, the
    /// vhost's Timeout, the server's Timeout, httpd's default.
    pub fn effective<'a>(&'a self, route: &'a Route) -> Effective<'a> {
        let vhost = route.vhost.map(|i| &self.vhosts[i].scope);
        let chain = [
            (Level::RouteParam, route.timeout_param.as_ref()),
            (Level::MemberParam, route.member_timeout.as_ref()),
            (
                Level::VHostProxyTimeout,
                vhost.and_then(|s| s.proxy_timeout.as_ref()),
            ),
            (
                Level::ServerProxyTimeout,
                self.server.proxy_timeout.as_ref(),
            ),
            (Level::VHostTimeout, vhost.and_then(|s| s.timeout.as_ref())),
            (Level::ServerTimeout, self.server.timeout.as_ref()),
        ];
        for (level, setting) in chain {
            if let Some(s) = setting {
                return Effective {
                    level,
                    setting: Some(s),
                    seconds: s.seconds,
                };
            }
        }
        Effective {
            level: Level::Default,
            setting: None,
            seconds: Some(HTTPD_DEFAULT_TIMEOUT_S),
        }
    }

    /// Whether a setting the route inherits may come from an unread Include.
    pub fn is_incomplete(&self, route: &Route) -> bool {
        self.server.incomplete || route.vhost.is_some_and(|i| self.vhosts[i].scope.incomplete)
    }
}

/// How httpd reads a number: `atoi`, i.e. leading digits, the rest ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Number {
    Plain(u64),
    /// Leading digits followed by something httpd silently drops (`1min`).
    Truncated(u64),
    /// Not a number httpd can read (empty, negative, overflowing).
    Invalid,
}

pub fn parse_number(s: &str) -> Number {
    let t = s.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Number::Invalid;
    }
    // httpd stores seconds in an int; anything past i32 overflows.
    match t[..digits].parse::<u64>() {
        Ok(n) if n <= i32::MAX as u64 => {
            if digits == t.len() {
                Number::Plain(n)
            } else {
                Number::Truncated(n)
            }
        }
        _ => Number::Invalid,
    }
}

/// Template placeholders of the tools that generate httpd configuration
/// (Jinja/Go `{{ }}`, ERB `<%= %>`, Ansible/Salt `{% %}`, autoconf `@@X@@`).
pub fn is_template(s: &str) -> bool {
    ["{{", "{%", "<%", "@@"].iter().any(|m| s.contains(m))
}

/// The files among `files` that no other file of the set includes: each is
/// checked as its own configuration tree, the rest through it.
pub fn roots(files: &[(PathBuf, Arc<ApacheFile>)], env: &IncludeEnv) -> Vec<usize> {
    let mut included: HashSet<PathBuf> = HashSet::new();
    for (abs, file) in files {
        let dir = abs.parent().unwrap_or(Path::new("/"));
        for node in &file.nodes {
            if node.lname != "include" && node.lname != "includeoptional" {
                continue;
            }
            let Some(arg) = node.arg(0) else { continue };
            if arg.contains("${") {
                continue;
            }
            if let Resolved::Files(targets) = include::resolve(arg, &[dir], env) {
                included.extend(targets.into_iter().filter(|t| t != abs));
            }
        }
    }
    (0..files.len())
        .filter(|&i| !included.contains(&files[i].0))
        .collect()
}

/// One level of the walk: the nodes of a file or section, or the targets of
/// an Include still to be read (entered one at a time, so that the files
/// on the stack are exactly the chain of includes being read).
enum Frame {
    Nodes {
        file: Arc<ApacheFile>,
        abs_dir: Arc<Path>,
        /// `None` = the file's top level.
        parent: Option<NodeId>,
        next: usize,
        ctx: WalkCtx,
        /// This frame is a file's top level (the root or an included file).
        file_root: bool,
    },
    Includes {
        loc: Loc,
        targets: Vec<PathBuf>,
        next: usize,
        ctx: WalkCtx,
    },
}

#[derive(Clone, Debug, Default)]
struct WalkCtx {
    vhost: Option<usize>,
    /// The innermost per-directory section (`<Location>`, `<Directory>`, ...).
    dir_section: Option<(String, Loc)>,
    /// The path of the enclosing `<Location>`/`<LocationMatch>`.
    location: Option<String>,
    /// That path is a regular expression (`<LocationMatch>`, `<Location ~>`).
    location_regex: bool,
    /// The `balancer://` name of the enclosing `<Proxy>`.
    balancer: Option<String>,
    htaccess: bool,
}

#[derive(Clone, Debug)]
struct Member {
    balancer: String,
    url: String,
    timeout: Option<Setting>,
}

#[derive(Clone, Debug)]
struct PendingBalancer {
    route: Route,
    balancer: String,
    upgrade: bool,
    /// From a `RewriteRule ... [P]`, not a ProxyPass.
    rewrite: bool,
}

/// Walks one configuration tree in httpd's reading order.
pub struct Walker<'l, 'a> {
    loader: &'l Loader<'a>,
    env: &'l IncludeEnv,
    model: ApacheModel,
    vars: HashMap<String, String>,
    /// Canonical paths of the files being read, root first.
    chain: Vec<PathBuf>,
    members: Vec<Member>,
    pending: Vec<PendingBalancer>,
    /// Every file of the tree (for its syntax errors).
    seen: BTreeSet<PathBuf>,
    /// Include lines already reported as recursive.
    cycles_reported: HashSet<(PathBuf, Span)>,
    /// Files entered so far, repeats included.
    entered: usize,
    /// Include arguments already resolved, by argument and folder.
    resolved: HashMap<(String, PathBuf), Resolved>,
    /// Routes met so far, for their reading order.
    order: usize,
}

impl<'l, 'a> Walker<'l, 'a> {
    pub fn new(loader: &'l Loader<'a>, env: &'l IncludeEnv) -> Self {
        Walker {
            loader,
            env,
            model: ApacheModel::default(),
            vars: HashMap::new(),
            chain: Vec::new(),
            members: Vec::new(),
            pending: Vec::new(),
            seen: BTreeSet::new(),
            cycles_reported: HashSet::new(),
            entered: 0,
            resolved: HashMap::new(),
            order: 0,
        }
    }

    /// Builds the model of the tree rooted at `root` (canonical `abs`).
    /// Returns it with the canonical paths of every file it read.
    pub fn run(mut self, abs: &Path, root: Arc<ApacheFile>) -> (ApacheModel, BTreeSet<PathBuf>) {
        let htaccess = abs.file_name().is_some_and(|n| n == ".htaccess");
        let root_dir: Arc<Path> = Arc::from(abs.parent().unwrap_or(Path::new("/")));
        let mut stack = vec![];
        self.enter_file(
            &mut stack,
            abs,
            root,
            root_dir.clone(),
            WalkCtx {
                htaccess,
                ..WalkCtx::default()
            },
        );
        while let Some(frame) = stack.last_mut() {
            let (file, abs_dir, id, ctx) = match frame {
                Frame::Includes {
                    loc,
                    targets,
                    next,
                    ctx,
                } => {
                    let Some(target) = targets.get(*next).cloned() else {
                        stack.pop();
                        continue;
                    };
                    *next += 1;
                    let (loc, ctx) = (loc.clone(), ctx.clone());
                    self.enter_target(&mut stack, &target, &loc, ctx);
                    continue;
                }
                Frame::Nodes {
                    file,
                    abs_dir,
                    parent,
                    next,
                    ctx,
                    file_root,
                } => {
                    let ids = match parent {
                        None => &file.top,
                        Some(p) => file.nodes[*p].children.as_ref().expect("section"),
                    };
                    let Some(&id) = ids.get(*next) else {
                        if *file_root {
                            self.chain.pop();
                        }
                        stack.pop();
                        continue;
                    };
                    *next += 1;
                    (file.clone(), abs_dir.clone(), id, ctx.clone())
                }
            };
            let node = file.node(id);
            if node.is_section() {
                if let Some(ctx) = self.section(&file, node, ctx) {
                    stack.push(Frame::Nodes {
                        file: file.clone(),
                        abs_dir,
                        parent: Some(id),
                        next: 0,
                        ctx,
                        file_root: false,
                    });
                }
            } else if node.lname == "include" || node.lname == "includeoptional" {
                self.include(&mut stack, &file, node, &abs_dir, &root_dir, ctx);
            } else {
                self.directive(&file, node, &ctx);
            }
        }
        self.model.members = std::mem::take(&mut self.members);
        self.model.pending = std::mem::take(&mut self.pending);
        (self.model, self.seen)
    }

    fn enter_file(
        &mut self,
        stack: &mut Vec<Frame>,
        abs: &Path,
        file: Arc<ApacheFile>,
        abs_dir: Arc<Path>,
        ctx: WalkCtx,
    ) {
        if self.seen.insert(abs.to_path_buf()) && !file.templated {
            for e in &file.errors {
                self.model.syntax.push((
                    Loc {
                        file: file.source.clone(),
                        span: e.span,
                    },
                    e.message.clone(),
                ));
            }
        }
        self.chain.push(abs.to_path_buf());
        stack.push(Frame::Nodes {
            file,
            abs_dir,
            parent: None,
            next: 0,
            ctx,
            file_root: true,
        });
    }

    /// Reads one Include target in place, unless it is already being read.
    fn enter_target(&mut self, stack: &mut Vec<Frame>, target: &Path, loc: &Loc, ctx: WalkCtx) {
        if let Some(at) = self.chain.iter().position(|p| p == target) {
            // One report per Include line, however many paths reach it.
            if !self
                .cycles_reported
                .insert((loc.file.path.clone(), loc.span))
            {
                return;
            }
            let cycle = include::cycle_text(&self.chain, at, target);
            self.model.syntax.push((
                loc.clone(),
                format!("recursive Include ({}): httpd refuses to start", cycle),
            ));
            return;
        }
        self.entered += 1;
        if self.entered > MAX_FILES_PER_TREE {
            if self.entered == MAX_FILES_PER_TREE + 1 {
                self.unfollowed(
                    ctx.vhost,
                    loc.clone(),
                    format!("includes expand to more than {MAX_FILES_PER_TREE} files; the rest is not read"),
                );
            } else {
                self.scope_incomplete(ctx.vhost);
            }
            return;
        }
        let Some(included) = self.loader.load(target, loc) else {
            self.model.scope_mut(ctx.vhost).incomplete = true;
            return;
        };
        let dir: Arc<Path> = Arc::from(target.parent().unwrap_or(Path::new("/")));
        self.enter_file(stack, target, included, dir, ctx);
    }

    fn loc(file: &ApacheFile, span: Span) -> Loc {
        Loc {
            file: file.source.clone(),
            span,
        }
    }

    /// Substitutes `${VAR}`; `None` when a variable is not defined.
    fn substitute(&self, s: &str) -> Option<String> {
        if !s.contains("${") {
            return Some(s.to_string());
        }
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let end = after.find('}')?;
            out.push_str(self.vars.get(&after[..end])?);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    fn args(&self, node: &Node) -> Vec<Option<String>> {
        node.args.iter().map(|a| self.substitute(&a.text)).collect()
    }

    /// Enters a section; `None` to skip its body.
    fn section(&mut self, file: &ApacheFile, node: &Node, mut ctx: WalkCtx) -> Option<WalkCtx> {
        let loc = Self::loc(file, node.span);
        let label = || {
            let args: Vec<&str> = node.args.iter().map(|a| a.text.as_str()).collect();
            if args.is_empty() {
                format!("<{}>", node.name)
            } else {
                format!("<{} {}>", node.name, args.join(" "))
            }
        };
        match node.lname.as_str() {
            "virtualhost" => {
                if ctx.vhost.is_some() && !file.templated {
                    self.model.syntax.push((
                        loc,
                        "`<VirtualHost>` inside another `<VirtualHost>`: httpd refuses to start"
                            .into(),
                    ));
                    return None;
                }
                let addr = node
                    .args
                    .iter()
                    .map(|a| a.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                self.model.vhosts.push(VHost {
                    loc,
                    addr,
                    scope: Scope::default(),
                });
                ctx.vhost = Some(self.model.vhosts.len() - 1);
            }
            // Macros are templates: their bodies take effect only where used.
            "macro" => return None,
            "location" | "locationmatch" => {
                let tilde = node.arg(0) == Some("~");
                ctx.location = node.arg(usize::from(tilde)).map(str::to_string);
                ctx.location_regex = tilde || node.lname == "locationmatch";
                ctx.dir_section = Some((label(), loc));
            }
            "directory" | "directorymatch" | "files" | "filesmatch" => {
                ctx.dir_section = Some((label(), loc));
            }
            "proxy" | "proxymatch" => {
                let name = self.args(node).into_iter().next().flatten();
                ctx.balancer = name.filter(|n| n.to_ascii_lowercase().starts_with("balancer://"));
                ctx.dir_section = Some((label(), loc));
            }
            // <IfModule>, <IfDefine>, <IfVersion>, <If>, <Limit>, ...: transparent.
            _ => {}
        }
        Some(ctx)
    }

    fn include(
        &mut self,
        stack: &mut Vec<Frame>,
        file: &ApacheFile,
        node: &Node,
        abs_dir: &Arc<Path>,
        root_dir: &Arc<Path>,
        ctx: WalkCtx,
    ) {
        let loc = Self::loc(file, node.span);
        let optional = node.lname == "includeoptional";
        let Some(arg) = node.args.first() else {
            self.model
                .syntax
                .push((loc, format!("`{}` needs a path", node.name)));
            return;
        };
        let Some(arg) = self.substitute(&arg.text) else {
            self.unfollowed(
                ctx.vhost,
                loc,
                format!("`{}` uses an undefined variable", arg.text),
            );
            return;
        };
        if self.chain.len() > MAX_INCLUDE_DEPTH {
            self.unfollowed(
                ctx.vhost,
                loc,
                format!("includes nest deeper than {MAX_INCLUDE_DEPTH} levels"),
            );
            return;
        }
        let dirs: Vec<&Path> = if **abs_dir == **root_dir {
            vec![abs_dir]
        } else {
            vec![abs_dir, root_dir]
        };
        // The same Include line is met again when its file is included
        // from several places: list the directories once.
        let key = (arg.clone(), abs_dir.to_path_buf());
        let resolved = match self.resolved.get(&key) {
            Some(r) => r.clone(),
            None => {
                let r = include::resolve(&arg, &dirs, self.env);
                self.resolved.insert(key, r.clone());
                r
            }
        };
        let targets = match resolved {
            Resolved::Files(t) => t,
            Resolved::Missing => {
                if !optional {
                    self.unfollowed(ctx.vhost, loc, format!("`{arg}` matches no file"));
                }
                return;
            }
            Resolved::NotFollowed(reason) => {
                self.unfollowed(ctx.vhost, loc, reason);
                return;
            }
        };
        stack.push(Frame::Includes {
            loc,
            targets,
            next: 0,
            ctx,
        });
    }

    fn scope_incomplete(&mut self, vhost: Option<usize>) {
        self.model.scope_mut(vhost).incomplete = true;
    }

    fn unfollowed(&mut self, vhost: Option<usize>, loc: Loc, reason: String) {
        self.scope_incomplete(vhost);
        self.model
            .unfollowed
            .push(Unfollowed { loc, reason, vhost });
    }

    fn directive(&mut self, file: &ApacheFile, node: &Node, ctx: &WalkCtx) {
        match node.lname.as_str() {
            "define" => {
                if let Some(name) = node.arg(0) {
                    let value = node
                        .args
                        .get(1)
                        .and_then(|a| self.substitute(&a.text))
                        .unwrap_or_default();
                    self.vars.insert(name.to_string(), value);
                }
            }
            "undefine" => {
                if let Some(name) = node.arg(0) {
                    self.vars.remove(name);
                }
            }
            "proxytimeout" | "timeout" => self.timeout_directive(file, node, ctx),
            "proxywebsocketidletimeout" => self.model.misplaced.push(Misplaced {
                loc: Self::loc(file, node.span),
                directive: node.name.clone(),
                container: None,
                htaccess: ctx.htaccess,
            }),
            "proxypass" | "proxypassmatch" => self.proxy_pass(file, node, ctx),
            "balancermember" => self.balancer_member(file, node, ctx),
            "rewriterule" => self.rewrite_rule(file, node, ctx),
            _ => {}
        }
    }

    /// A timeout value; reports what httpd would refuse or misread.
    fn setting(
        &mut self,
        file: &ApacheFile,
        node: &Node,
        directive: &str,
        arg: &Arg,
        raw: Option<String>,
    ) -> Setting {
        let loc = Self::loc(file, node.span);
        let seconds = match &raw {
            None => None,
            // A template (Jinja, ERB, Go) fills this in later: unknown.
            Some(raw) if is_template(raw) => None,
            Some(raw) => match parse_number(raw) {
                Number::Plain(0) if directive != "Timeout" => {
                    self.model.syntax.push((
                        Self::loc(file, arg.span),
                        format!("`{directive} {raw}`: httpd requires at least 1 second and refuses to start"),
                    ));
                    None
                }
                Number::Plain(n) => Some(n),
                Number::Truncated(n) => {
                    self.model.syntax.push((
                        Self::loc(file, arg.span),
                        format!(
                            "`{raw}` is read by httpd as {n} s: it keeps the leading digits and drops the rest; write the seconds as a plain number"
                        ),
                    ));
                    Some(n)
                }
                Number::Invalid => {
                    self.model.syntax.push((
                        Self::loc(file, arg.span),
                        format!("`{raw}` is not a number of seconds httpd can read"),
                    ));
                    None
                }
            },
        };
        Setting {
            loc,
            directive: directive.to_string(),
            raw: raw.unwrap_or_else(|| arg.text.clone()),
            seconds,
        }
    }

    fn timeout_directive(&mut self, file: &ApacheFile, node: &Node, ctx: &WalkCtx) {
        if ctx.dir_section.is_some() || ctx.htaccess {
            self.model.misplaced.push(Misplaced {
                loc: Self::loc(file, node.span),
                directive: node.name.clone(),
                container: ctx.dir_section.clone(),
                htaccess: ctx.htaccess,
            });
            return;
        }
        let Some(arg) = node.args.first() else {
            self.model.syntax.push((
                Self::loc(file, node.span),
                format!("`{}` needs a number of seconds", node.name),
            ));
            return;
        };
        let directive = if node.lname == "timeout" {
            "Timeout"
        } else {
            "ProxyTimeout"
        };
        let raw = self.substitute(&arg.text);
        let setting = self.setting(file, node, directive, arg, raw);
        let scope = self.model.scope_mut(ctx.vhost);
        // The last one in a scope wins, as httpd reads them.
        if directive == "Timeout" {
            scope.timeout = Some(setting);
        } else {
            scope.proxy_timeout = Some(setting);
        }
    }

    /// `key=value` parameters; the `timeout` one as a setting.
    fn params(
        &mut self,
        file: &ApacheFile,
        node: &Node,
        args: &[Option<String>],
        from: usize,
    ) -> (HashMap<String, String>, Option<Setting>) {
        let mut params = HashMap::new();
        let mut timeout = None;
        for (i, value) in args.iter().enumerate().skip(from) {
            let text = value.clone().unwrap_or_else(|| node.args[i].text.clone());
            let Some((k, v)) = text.split_once('=') else {
                continue;
            };
            let key = k.to_ascii_lowercase();
            if key == "timeout" {
                let raw = value.as_ref().map(|_| v.to_string());
                timeout = Some(self.setting(file, node, "timeout=", &node.args[i], raw));
            }
            params.insert(key, v.to_string());
        }
        (params, timeout)
    }

    fn next_order(&mut self) -> usize {
        self.order += 1;
        self.order
    }

    fn proxy_pass(&mut self, file: &ApacheFile, node: &Node, ctx: &WalkCtx) {
        let args = self.args(node);
        let first = args.first().cloned().flatten().unwrap_or_default();
        let is_match = node.lname == "proxypassmatch";
        // Inside <Location>, the one-argument form: `ProxyPass ws://b/`.
        let (path, url_at, regex) = match &ctx.location {
            Some(loc) if !first.starts_with('/') && first != "!" && !first.starts_with('^') => {
                (Some(loc.clone()), 0, ctx.location_regex || is_match)
            }
            _ => (Some(first.clone()), 1, is_match),
        };
        let Some(Some(url)) = args.get(url_at).cloned() else {
            return;
        };
        let order = self.next_order();
        let mut route = Route {
            loc: Self::loc(file, node.span),
            kind: RouteKind::ProxyPass,
            path,
            regex,
            target: url.clone(),
            vhost: ctx.vhost,
            timeout_param: None,
            member_timeout: None,
            order,
        };
        if url == "!" {
            self.model.other_routes.push(Route {
                kind: RouteKind::Excluded,
                ..route
            });
            return;
        }
        let (params, timeout_param) = self.params(file, node, &args, url_at + 1);
        route.timeout_param = timeout_param;
        let lurl = url.to_ascii_lowercase();
        let upgrade = params.get("upgrade").is_some_and(|v| {
            v.to_ascii_lowercase()
                .split(',')
                .any(|p| p.trim() == "websocket")
        });
        if lurl.starts_with("ws://") || lurl.starts_with("wss://") {
            self.model.routes.push(route);
        } else if lurl.starts_with("balancer://") {
            let balancer = balancer_name(&lurl);
            self.pending.push(PendingBalancer {
                route: Route {
                    kind: RouteKind::Balancer,
                    ..route
                },
                balancer,
                upgrade,
                rewrite: false,
            });
        } else if upgrade {
            self.model.routes.push(Route {
                kind: RouteKind::Upgrade,
                ..route
            });
        } else if lurl.starts_with("http://") || lurl.starts_with("https://") {
            self.model.other_routes.push(Route {
                kind: RouteKind::Http,
                ..route
            });
        }
        // fcgi://, ajp://, unix: and the like speak no websocket at all.
    }

    fn balancer_member(&mut self, file: &ApacheFile, node: &Node, ctx: &WalkCtx) {
        let args = self.args(node);
        let first = args.first().cloned().flatten().unwrap_or_default();
        let (balancer, url_at) = if first.to_ascii_lowercase().starts_with("balancer://") {
            (Some(balancer_name(&first.to_ascii_lowercase())), 1)
        } else {
            (
                ctx.balancer
                    .as_deref()
                    .map(|b| balancer_name(&b.to_ascii_lowercase())),
                0,
            )
        };
        let (Some(balancer), Some(Some(url))) = (balancer, args.get(url_at).cloned()) else {
            return;
        };
        let (_, timeout) = self.params(file, node, &args, url_at + 1);
        self.members.push(Member {
            balancer,
            url,
            timeout,
        });
    }

    fn rewrite_rule(&mut self, file: &ApacheFile, node: &Node, ctx: &WalkCtx) {
        let args = self.args(node);
        let (Some(Some(pattern)), Some(Some(target))) = (args.first(), args.get(1)) else {
            return;
        };
        let lt = target.to_ascii_lowercase();
        let balancer = lt.starts_with("balancer://");
        if !(lt.starts_with("ws://") || lt.starts_with("wss://") || balancer) {
            return;
        }
        let proxied = args.get(2).cloned().flatten().is_some_and(|flags| {
            flags
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(|f| {
                    f.split('=')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase()
                })
                .any(|f| f == "p" || f == "proxy")
        });
        if !proxied {
            return;
        }
        let order = self.next_order();
        let route = Route {
            loc: Self::loc(file, node.span),
            kind: RouteKind::Rewrite,
            path: Some(pattern.clone()),
            regex: true,
            target: target.clone(),
            vhost: ctx.vhost,
            timeout_param: None,
            member_timeout: None,
            order,
        };
        if balancer {
            // A websocket route if the balancer's members are websocket
            // backends; a rewrite to an http balancer is left alone (its
            // RewriteCond usually keeps websockets out of it).
            self.pending.push(PendingBalancer {
                route,
                balancer: balancer_name(&lt),
                upgrade: false,
                rewrite: true,
            });
        } else {
            self.model.routes.push(route);
        }
    }
}

/// Joins the routes to `balancer://` URLs with the members that define the
/// balancers, across every tree of a run: a vhost in one file may use a
/// balancer declared in another (RHEL's `conf.d/` layout). A tree's own
/// members come first. A route whose members are websocket backends (or
/// that says `upgrade=websocket`) becomes a websocket route, governed by
/// the smallest `timeout=` of its members, else by its vhost's timeout; a
/// balancer that no route uses is no route at all.
pub fn link_balancers(models: &mut [ApacheModel]) {
    let all: Vec<Member> = models.iter().flat_map(|m| m.members.clone()).collect();
    for model in models.iter_mut() {
        let own = std::mem::take(&mut model.members);
        for p in std::mem::take(&mut model.pending) {
            let mine: Vec<&Member> = own.iter().filter(|m| m.balancer == p.balancer).collect();
            let members = if mine.is_empty() {
                all.iter().filter(|m| m.balancer == p.balancer).collect()
            } else {
                mine
            };
            let is_ws = |m: &Member| {
                let u = m.url.to_ascii_lowercase();
                u.starts_with("ws://") || u.starts_with("wss://")
            };
            let member_timeout = members
                .iter()
                .filter_map(|m| m.timeout.clone())
                .min_by(|a, b| {
                    a.seconds
                        .unwrap_or(u64::MAX)
                        .cmp(&b.seconds.unwrap_or(u64::MAX))
                });
            let route = Route {
                member_timeout,
                ..p.route
            };
            if p.upgrade || members.iter().any(|m| is_ws(m)) {
                model.routes.push(route);
            } else if !p.rewrite {
                model.other_routes.push(Route {
                    kind: RouteKind::Http,
                    ..route
                });
            }
        }
        model.routes.sort_by_key(|r| r.order);
    }
}

/// `balancer://name/path` -> `balancer://name`.
fn balancer_name(url: &str) -> String {
    let rest = &url["balancer://".len().min(url.len())..];
    // `balancer://ws%{REQUEST_URI}` in a RewriteRule: the name ends there.
    let name = rest.split(['/', '%', '$']).next().unwrap_or("");
    format!("balancer://{name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn model(text: &str) -> ApacheModel {
        let source = Arc::new(SourceFile::new("t.conf".into(), text));
        let file = Arc::new(parse::parse(source));
        let read = |_: &Path| -> Result<crate::source::Source, String> { Err("no".into()) };
        let loader = Loader::new(Vec::new(), &read, parse::parse);
        let env = IncludeEnv::default();
        let mut m = [Walker::new(&loader, &env)
            .run(Path::new("/t/t.conf"), file)
            .0];
        link_balancers(&mut m);
        let [m] = m;
        m
    }

    #[test]
    fn numbers_as_httpd_reads_them() {
        assert_eq!(parse_number("60"), Number::Plain(60));
        assert_eq!(parse_number("60s"), Number::Truncated(60));
        assert_eq!(parse_number("1min"), Number::Truncated(1));
        assert_eq!(parse_number("-5"), Number::Invalid);
        assert_eq!(parse_number("99999999999999999999"), Number::Invalid);
        assert_eq!(parse_number(""), Number::Invalid);
    }

    #[test]
    fn effective_timeout_chain() {
        let m = model(
            "Timeout 300\nProxyTimeout 45\n<VirtualHost *:80>\n ProxyPass /a/ ws://b/a/ timeout=90\n ProxyPass /b/ ws://b/b/\n</VirtualHost>\n<VirtualHost *:81>\n Timeout 10\n ProxyPass /c/ ws://b/c/\n</VirtualHost>\n",
        );
        let e: Vec<_> = m
            .routes
            .iter()
            .map(|r| {
                let e = m.effective(r);
                (e.level, e.seconds)
            })
            .collect();
        assert_eq!(
            e,
            vec![
                (Level::RouteParam, Some(90)),
                (Level::ServerProxyTimeout, Some(45)),
                (Level::ServerProxyTimeout, Some(45)),
            ]
        );
    }

    #[test]
    fn server_settings_after_the_vhost_still_apply() {
        let m = model("<VirtualHost *:80>\nProxyPass /ws ws://b/\n</VirtualHost>\nTimeout 30\n");
        let e = m.effective(&m.routes[0]);
        assert_eq!((e.level, e.seconds), (Level::ServerTimeout, Some(30)));
    }

    #[test]
    fn route_forms() {
        let m = model(
            r#"
<VirtualHost *:80>
  <Location /ws>
    ProxyPass ws://b/ws
  </Location>
  ProxyPass / http://b/ upgrade=websocket
  ProxyPass /http http://b/
  ProxyPass /no !
  ProxyPassMatch ^/(app/ws)$ wss://b/$1
  ProxyPass /lb balancer://cluster/
  <Proxy balancer://cluster>
    BalancerMember ws://b1:8000 timeout=30
    BalancerMember ws://b2:8000
  </Proxy>
  <Proxy balancer://lonely>
    BalancerMember wss://b3
  </Proxy>
  RewriteEngine on
  RewriteRule ^/?(.*) "ws://b/$1" [P,L]
  RewriteRule ^/x ws://b/x [R]
</VirtualHost>
"#,
        );
        let kinds: Vec<_> = m.routes.iter().map(|r| (r.kind, r.path.clone())).collect();
        assert_eq!(
            kinds,
            vec![
                (RouteKind::ProxyPass, Some("/ws".into())),
                (RouteKind::Upgrade, Some("/".into())),
                (RouteKind::ProxyPass, Some("^/(app/ws)$".into())),
                (RouteKind::Balancer, Some("/lb".into())),
                (RouteKind::Rewrite, Some("^/?(.*)".into())),
            ],
            "routes in reading order; a balancer no route uses is no route"
        );
        let other: Vec<_> = m.other_routes.iter().map(|r| r.kind).collect();
        assert_eq!(other, vec![RouteKind::Http, RouteKind::Excluded]);
        let lb = &m.routes[3];
        assert_eq!(m.effective(lb).seconds, Some(30));
        assert_eq!(m.effective(lb).level, Level::MemberParam);
    }

    #[test]
    fn defines_are_substituted() {
        let m = model(
            "Define WS_TIMEOUT 120\n<VirtualHost *:80>\nProxyTimeout ${WS_TIMEOUT}\nProxyPass /ws ws://b/\nProxyTimeout ${UNDEFINED}\n</VirtualHost>\n",
        );
        let e = m.effective(&m.routes[0]);
        assert_eq!(e.seconds, None, "the last ProxyTimeout is unknown");
        let m = model(
            "Define WS_TIMEOUT 120\n<VirtualHost *:80>\nProxyTimeout ${WS_TIMEOUT}\nProxyPass /ws ws://b/\n</VirtualHost>\n",
        );
        assert_eq!(m.effective(&m.routes[0]).seconds, Some(120));
    }

    #[test]
    fn misplaced_directives() {
        let m = model(
            "<VirtualHost *:80>\n<Location /ws>\nProxyTimeout 600\n</Location>\nProxyWebsocketIdleTimeout 60\n</VirtualHost>\n",
        );
        assert_eq!(m.misplaced.len(), 2);
        assert!(m.misplaced[0].container.is_some());
        assert!(m.misplaced[1].container.is_none());
        assert!(
            m.vhosts[0].scope.proxy_timeout.is_none(),
            "refused, so not applied"
        );
    }

    #[test]
    fn macros_are_inert() {
        let m = model("<Macro WS $p>\nProxyPass $p ws://b/\n</Macro>\n");
        assert!(m.routes.is_empty());
    }
}
