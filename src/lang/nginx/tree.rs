//! One nginx configuration tree: a root file with its `include`s expanded
//! in place, as a tree of blocks (`http` -> `server` -> `location`, ...)
//! each holding its directives. Inheritance is read off this tree
//! ([`super::hops`]), so a directive's position inside a block does not
//! matter, and an `http`-level value set in an included file reaches every
//! server.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::parse::{NginxFile, Node, NodeId};
use crate::proxy::include::{self, IncludeEnv, MAX_FILES_PER_TREE, MAX_INCLUDE_DEPTH, Resolved};
use crate::proxy::{Loc, Unfollowed};
use crate::source::Span;

pub type Loader<'a> = crate::proxy::loader::Loader<'a, NginxFile>;

/// The context a block opens, as nginx names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    Main,
    Events,
    Http,
    Server,
    Location,
    /// `if` (in a server or a location).
    If,
    LimitExcept,
    Upstream,
    /// `map`, `geo`, `split_clients`, `types`, `charset_map`: entries, not
    /// directives.
    Entries,
    /// `stream`, `mail` and what is inside them: not HTTP proxying.
    Other,
}

impl Ctx {
    fn child(self, lname: &str) -> Ctx {
        if matches!(self, Ctx::Other | Ctx::Entries) {
            return self;
        }
        match lname {
            "http" => Ctx::Http,
            "events" => Ctx::Events,
            "server" if matches!(self, Ctx::Http | Ctx::Main) => Ctx::Server,
            "location" => Ctx::Location,
            "if" => Ctx::If,
            "limit_except" => Ctx::LimitExcept,
            "upstream" => Ctx::Upstream,
            "map" | "geo" | "split_clients" | "types" | "charset_map" | "match" => Ctx::Entries,
            _ => Ctx::Other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Ctx::Main => "main",
            Ctx::Events => "events",
            Ctx::Http => "http",
            Ctx::Server => "server",
            Ctx::Location => "location",
            Ctx::If => "if",
            Ctx::LimitExcept => "limit_except",
            Ctx::Upstream => "upstream",
            Ctx::Entries => "map",
            Ctx::Other => "stream",
        }
    }
}

/// A directive of the tree: the file it is written in and its node.
#[derive(Clone, Debug)]
pub struct Dir {
    pub file: Arc<NginxFile>,
    pub id: NodeId,
}

impl Dir {
    pub fn node(&self) -> &Node {
        self.file.node(self.id)
    }

    pub fn loc(&self) -> Loc {
        Loc::new(&self.file.source, self.node().span)
    }

    pub fn arg_loc(&self, i: usize) -> Loc {
        let n = self.node();
        Loc::new(&self.file.source, n.args.get(i).map_or(n.span, |w| w.span))
    }
}

#[derive(Clone, Debug)]
pub struct Block {
    pub ctx: Ctx,
    /// The directive that opens it; `None` for the root.
    pub head: Option<Dir>,
    pub parent: Option<usize>,
    /// Simple directives at this level, in reading order.
    pub dirs: Vec<Dir>,
    /// Blocks opened at this level, in reading order.
    pub children: Vec<usize>,
    /// Includes at this level that were not read ([`Tree::unfollowed`]).
    pub unfollowed: Vec<usize>,
    /// `include proxy_params` (Debian's packaged file, not in the tree):
    /// it sets `proxy_set_header` Host, X-Real-IP, X-Forwarded-For and
    /// X-Forwarded-Proto at this level.
    pub packaged_headers: Option<Loc>,
}

impl Block {
    pub fn name(&self) -> Option<&str> {
        self.head.as_ref().map(|d| d.node().name.text.as_str())
    }

    /// The directives named `lname` at this level.
    pub fn all<'a>(&'a self, lname: &'a str) -> impl Iterator<Item = &'a Dir> + 'a {
        self.dirs.iter().filter(move |d| d.node().lname == lname)
    }

    pub fn get(&self, lname: &str) -> Option<&Dir> {
        self.dirs.iter().find(|d| d.node().lname == lname)
    }
}

#[derive(Debug, Default)]
pub struct Tree {
    /// `blocks[0]` is the root: the file's own context.
    pub blocks: Vec<Block>,
    pub syntax: Vec<(Loc, String)>,
    pub unfollowed: Vec<Unfollowed>,
    /// Canonical paths of the files read.
    pub files: BTreeSet<PathBuf>,
    /// The root file's canonical path.
    pub root: PathBuf,
}

impl Tree {
    /// The blocks from `b` up to the root.
    pub fn ancestry(&self, b: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(b), move |&i| self.blocks[i].parent)
    }
}

/// Files nginx packages ship beside `nginx.conf` that set nothing a proxy
/// rule reads: an `include` of one that is not in the tree costs nothing.
const PACKAGED_INERT: &[&str] = &[
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "scgi_params",
    "uwsgi_params",
    "koi-utf",
    "koi-win",
    "win-utf",
    // Certbot's `/etc/letsencrypt/options-ssl-nginx.conf`, which `certbot
    // --nginx` adds to every server it configures: `ssl_*` directives only
    // (certbot-nginx/certbot_nginx/_internal/tls_configs/).
    "options-ssl-nginx.conf",
];

/// Where packaged nginx keeps its configuration: an absolute include under
/// one of these is looked for under the folder of the tree's `nginx.conf`
/// (a repository holds `deploy/nginx/nginx.conf` and `deploy/nginx/conf.d/`,
/// deployed as `/etc/nginx/...`).
const CONF_PREFIXES: &[&str] = &[
    "/etc/nginx/",
    "/usr/local/nginx/conf/",
    "/usr/local/etc/nginx/",
    "/opt/homebrew/etc/nginx/",
    "/usr/local/openresty/nginx/conf/",
];

/// Resolves an `include` argument as the deployed nginx would see it:
/// relative paths from the configuration folder (`dirs`: the root file's,
/// then the one above a `conf.d`-style folder). An absolute path is read as
/// written when it is in the tree; else, since a repository holds the files
/// nginx is deployed with under paths of its own (`deploy/nginx/conf.d/`
/// for `/etc/nginx/conf.d/`, `defaults/meet.conf` for
/// `/run/web/config/nginx/meet.conf`), it is looked for under those folders
/// by its trailing components: the part after a packaged prefix
/// (`/etc/nginx/`), then shorter and shorter tails down to the file name (a
/// glob keeps its folder: `conf.d/*.conf`, never a bare `*.conf`).
pub fn resolve_include(arg: &str, dirs: &[&Path], env: &IncludeEnv) -> Resolved {
    let first = include::resolve(arg, dirs, env);
    if matches!(first, Resolved::Files(_)) || !arg.starts_with('/') {
        return first;
    }
    let mut tails: Vec<&str> = CONF_PREFIXES
        .iter()
        .filter_map(|p| arg.strip_prefix(p))
        .collect();
    let parts: Vec<&str> = arg.trim_start_matches('/').split('/').collect();
    let min = if include::has_wildcard(parts.last().unwrap_or(&"")) {
        2
    } else {
        1
    };
    let mut offset = 1;
    for k in 1..parts.len() {
        offset += parts[k - 1].len() + 1;
        if parts.len() - k >= min {
            tails.push(&arg[offset..]);
        }
    }
    for tail in tails {
        let r = include::resolve(tail, dirs, env);
        if matches!(r, Resolved::Files(_)) {
            return r;
        }
    }
    first
}

/// Folders whose files nginx's stock configuration includes from the
/// configuration folder: a root file in one of them resolves relative
/// includes from the folder above.
const CONF_SUBDIRS: &[&str] = &[
    "conf.d",
    "sites-enabled",
    "sites-available",
    "http.d",
    "servers",
    "vhosts.d",
    "templates",
];

/// The context a root file is read in: `main` when it opens `http`, the
/// `server` context when its top holds `location` blocks (a snippet), else
/// `http` (a `conf.d` file of `server` blocks).
pub fn root_context(file: &NginxFile) -> Ctx {
    let top: Vec<&str> = file
        .top
        .iter()
        .map(|&i| file.node(i).lname.as_str())
        .collect();
    if top
        .iter()
        .any(|n| matches!(*n, "http" | "events" | "worker_processes" | "stream"))
    {
        Ctx::Main
    } else if top
        .iter()
        .any(|n| matches!(*n, "server" | "upstream" | "map"))
    {
        Ctx::Http
    } else if top.contains(&"location") {
        Ctx::Server
    } else {
        Ctx::Http
    }
}

enum Frame {
    Nodes {
        file: Arc<NginxFile>,
        parent: Option<NodeId>,
        next: usize,
        block: usize,
        file_root: bool,
    },
    Includes {
        loc: Loc,
        targets: Vec<PathBuf>,
        next: usize,
        block: usize,
    },
}

pub struct Walker<'l, 'a> {
    loader: &'l Loader<'a>,
    env: IncludeEnv,
    tree: Tree,
    /// Canonical paths of the files being read, root first.
    chain: Vec<PathBuf>,
    cycles_reported: HashSet<(PathBuf, Span)>,
    entered: usize,
    resolved: HashMap<(String, PathBuf), Resolved>,
    /// Folders relative includes are resolved from: the root file's, and
    /// the one above a `conf.d`-style folder.
    bases: Vec<PathBuf>,
}

impl<'l, 'a> Walker<'l, 'a> {
    pub fn new(loader: &'l Loader<'a>, env: &IncludeEnv) -> Self {
        Walker {
            loader,
            // `apache.server_root` is Apache's.
            env: IncludeEnv {
                allowed: env.allowed.clone(),
                server_root: None,
            },
            tree: Tree::default(),
            chain: Vec::new(),
            cycles_reported: HashSet::new(),
            entered: 0,
            resolved: HashMap::new(),
            bases: Vec::new(),
        }
    }

    /// The tree rooted at `root` (canonical `abs`), with the canonical
    /// paths of every file it read.
    pub fn run(mut self, abs: &Path, root: Arc<NginxFile>) -> (Tree, BTreeSet<PathBuf>) {
        self.tree.root = abs.to_path_buf();
        let dir = abs.parent().unwrap_or(Path::new("/")).to_path_buf();
        self.bases.push(dir.clone());
        if dir
            .file_name()
            .is_some_and(|n| CONF_SUBDIRS.iter().any(|d| n == *d))
            && let Some(up) = dir.parent()
        {
            self.bases.push(up.to_path_buf());
        }
        self.tree.blocks.push(Block {
            ctx: root_context(&root),
            head: None,
            parent: None,
            dirs: Vec::new(),
            children: Vec::new(),
            unfollowed: Vec::new(),
            packaged_headers: None,
        });
        let mut stack = Vec::new();
        self.enter_file(&mut stack, abs, root, 0);
        while let Some(frame) = stack.last_mut() {
            match frame {
                Frame::Includes {
                    loc,
                    targets,
                    next,
                    block,
                } => {
                    let Some(target) = targets.get(*next).cloned() else {
                        stack.pop();
                        continue;
                    };
                    *next += 1;
                    let (loc, block) = (loc.clone(), *block);
                    self.enter_target(&mut stack, &target, &loc, block);
                }
                Frame::Nodes {
                    file,
                    parent,
                    next,
                    block,
                    file_root,
                } => {
                    let ids = file.children(*parent);
                    let Some(&id) = ids.get(*next) else {
                        if *file_root {
                            self.chain.pop();
                        }
                        stack.pop();
                        continue;
                    };
                    *next += 1;
                    let (file, block) = (file.clone(), *block);
                    let node = file.node(id);
                    if node.is_block() {
                        let ctx = self.tree.blocks[block].ctx.child(&node.lname);
                        let b = self.tree.blocks.len();
                        self.tree.blocks.push(Block {
                            ctx,
                            head: Some(Dir {
                                file: file.clone(),
                                id,
                            }),
                            parent: Some(block),
                            dirs: Vec::new(),
                            children: Vec::new(),
                            unfollowed: Vec::new(),
                            packaged_headers: None,
                        });
                        self.tree.blocks[block].children.push(b);
                        stack.push(Frame::Nodes {
                            file,
                            parent: Some(id),
                            next: 0,
                            block: b,
                            file_root: false,
                        });
                    } else if node.lname == "include"
                        && !matches!(self.tree.blocks[block].ctx, Ctx::Other)
                    {
                        self.include(&mut stack, &file, id, block);
                    } else if node.lname == super::parse::PLACEHOLDER {
                        let loc = Loc::new(&file.source, node.span);
                        let reason = format!(
                            "`{}` is filled in by the template with configuration of its own",
                            node.name.text
                        );
                        self.unfollowed(block, loc, reason);
                    } else {
                        self.tree.blocks[block].dirs.push(Dir { file, id });
                    }
                }
            }
        }
        let files = self.tree.files.clone();
        (self.tree, files)
    }

    fn enter_file(
        &mut self,
        stack: &mut Vec<Frame>,
        abs: &Path,
        file: Arc<NginxFile>,
        block: usize,
    ) {
        if self.tree.files.insert(abs.to_path_buf()) {
            for e in &file.errors {
                self.tree
                    .syntax
                    .push((Loc::new(&file.source, e.span), e.message.clone()));
            }
        }
        self.chain.push(abs.to_path_buf());
        stack.push(Frame::Nodes {
            file,
            parent: None,
            next: 0,
            block,
            file_root: true,
        });
    }

    fn enter_target(&mut self, stack: &mut Vec<Frame>, target: &Path, loc: &Loc, block: usize) {
        if let Some(at) = self.chain.iter().position(|p| p == target) {
            if !self
                .cycles_reported
                .insert((loc.file.path.clone(), loc.span))
            {
                return;
            }
            let cycle = include::cycle_text(&self.chain, at, target);
            self.tree.syntax.push((
                loc.clone(),
                format!(
                    "recursive include ({}): nginx never finishes reading its configuration",
                    cycle
                ),
            ));
            return;
        }
        self.entered += 1;
        if self.entered > MAX_FILES_PER_TREE {
            if self.entered == MAX_FILES_PER_TREE + 1 {
                self.unfollowed(
                    block,
                    loc.clone(),
                    format!(
                        "includes expand to more than {MAX_FILES_PER_TREE} files; the rest is not read"
                    ),
                );
            }
            return;
        }
        let Some(included) = self.loader.load(target, loc) else {
            self.unfollowed_silent(block, loc.clone());
            return;
        };
        self.enter_file(stack, target, included, block);
    }

    fn include(&mut self, stack: &mut Vec<Frame>, file: &Arc<NginxFile>, id: NodeId, block: usize) {
        let node = file.node(id);
        let loc = Loc::new(&file.source, node.span);
        let Some(arg) = node.args.first() else {
            self.tree
                .syntax
                .push((loc, "`include` needs a file name or a glob".into()));
            return;
        };
        if arg.placeholder || arg.text.contains('$') {
            self.unfollowed(
                block,
                loc,
                format!("`{}` is a template placeholder or a variable", arg.text),
            );
            return;
        }
        if self.chain.len() > MAX_INCLUDE_DEPTH {
            self.unfollowed(
                block,
                loc,
                format!("includes nest deeper than {MAX_INCLUDE_DEPTH} levels"),
            );
            return;
        }
        let text = arg.text.clone();
        let base = Path::new(&text)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let resolved = self.resolve(&text);
        let targets = match resolved {
            Resolved::Files(t) => t,
            other => {
                // A packaged file nginx installs beside nginx.conf.
                if PACKAGED_INERT.contains(&base.as_str()) {
                    return;
                }
                if base == "proxy_params" {
                    self.tree.blocks[block].packaged_headers = Some(loc);
                    return;
                }
                match other {
                    // nginx reads nothing for a glob that matches nothing.
                    Resolved::Missing if include::has_wildcard(&text) => {}
                    Resolved::Missing => {
                        self.unfollowed(block, loc, format!("`{text}` matches no file"))
                    }
                    Resolved::NotFollowed(reason) => self.unfollowed(block, loc, reason),
                    Resolved::Files(_) => unreachable!(),
                }
                return;
            }
        };
        stack.push(Frame::Includes {
            loc,
            targets,
            next: 0,
            block,
        });
    }

    /// An include argument, resolved once per tree ([`resolve_include`]).
    fn resolve(&mut self, arg: &str) -> Resolved {
        let key = (arg.to_string(), self.bases[0].clone());
        if let Some(r) = self.resolved.get(&key) {
            return r.clone();
        }
        let dirs: Vec<&Path> = self.bases.iter().map(PathBuf::as_path).collect();
        let r = resolve_include(arg, &dirs, &self.env);
        self.resolved.insert(key, r.clone());
        r
    }

    fn unfollowed(&mut self, block: usize, loc: Loc, reason: String) {
        let i = self.tree.unfollowed.len();
        self.tree.unfollowed.push(Unfollowed { loc, reason });
        self.tree.blocks[block].unfollowed.push(i);
    }

    /// An include that could not be read (a WS002 says why): its settings
    /// are unknown, and no WS306 repeats it.
    fn unfollowed_silent(&mut self, block: usize, loc: Loc) {
        let i = self.tree.unfollowed.len();
        self.tree.unfollowed.push(Unfollowed {
            loc,
            reason: String::new(),
        });
        self.tree.blocks[block].unfollowed.push(i);
    }
}
