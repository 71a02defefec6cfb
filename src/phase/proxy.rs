//! The proxy phase of a run: every product's configuration trees are
//! walked (a root file with everything it includes), put on the proxy
//! model, and checked by the proxy rules. Runs once per run, after the
//! per-file phase, because a tree spans files and its websocket routes may
//! depend on the whole project (its websocket paths, its heartbeat).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::lang::apache::ApacheFile;
use crate::lang::haproxy::HaproxyFile;
use crate::lang::kubernetes::KubeFile;
use crate::lang::nginx::NginxFile;
use crate::lang::terraform::TfFile;
use crate::lang::{self, Lang};
use crate::project::python::ModelledModule;
use crate::project::wspaths::ClientFacts;
use crate::project::{self, Project};
use crate::proxy::ProxyModel;
use crate::proxy::include::IncludeEnv;
use crate::proxy::loader::Loader;
use crate::proxy::wspaths::{LazyWsPaths, Stakes, WsPaths};
use crate::rule::{self, Check};
use crate::rules;
use crate::rules::engine::ws002_io_error::RULE as WS002;
use crate::rules::engine::ws003_file_skipped::RULE as WS003;
use crate::source::Source;
use crate::{ReadOutcome, Settings};

/// A parsed configuration file of one product.
#[derive(Clone)]
pub enum ProxyFile {
    Apache(Arc<ApacheFile>),
    Nginx(Arc<NginxFile>),
    Haproxy(Arc<HaproxyFile>),
    Kubernetes(Arc<KubeFile>),
    Terraform(Arc<TfFile>),
}

impl ProxyFile {
    pub fn lang(&self) -> Lang {
        match self {
            ProxyFile::Apache(_) => Lang::Apache,
            ProxyFile::Nginx(_) => Lang::Nginx,
            ProxyFile::Haproxy(_) => Lang::Haproxy,
            ProxyFile::Kubernetes(_) => Lang::Kubernetes,
            ProxyFile::Terraform(_) => Lang::Terraform,
        }
    }

    /// How many syntax errors its parser found (sections or documents it
    /// could not read included).
    pub fn syntax_errors(&self) -> usize {
        match self {
            ProxyFile::Apache(f) => f.errors.len(),
            ProxyFile::Nginx(f) => f.errors.len(),
            ProxyFile::Haproxy(f) => f.errors.len(),
            ProxyFile::Kubernetes(f) => f.skipped.len(),
            ProxyFile::Terraform(f) => f.skipped.len(),
        }
    }

    /// WS003 for the parts of the file that could matter but cannot be
    /// read (a manifest document that does not parse).
    pub fn skipped(&self) -> Vec<Diagnostic> {
        let (source, skipped) = match self {
            ProxyFile::Kubernetes(f) => (&f.source, &f.skipped),
            ProxyFile::Terraform(f) => (&f.source, &f.skipped),
            _ => return Vec::new(),
        };
        skipped
            .iter()
            .map(|(span, why)| {
                let mut d = WS003.new_diagnostic(source, *span, format!("not checked: {why}"));
                d.help(
                    "fix the syntax, or exclude the file with `files.exclude` if it is generated",
                );
                d
            })
            .collect()
    }
}

/// The configuration files of a run, by product, with canonical paths.
#[derive(Default)]
pub struct ProxyFiles {
    pub apache: Vec<(PathBuf, Arc<ApacheFile>)>,
    pub nginx: Vec<(PathBuf, Arc<NginxFile>)>,
    pub haproxy: Vec<(PathBuf, Arc<HaproxyFile>)>,
    pub kubernetes: Vec<(PathBuf, Arc<KubeFile>)>,
    pub terraform: Vec<(PathBuf, Arc<TfFile>)>,
}

impl ProxyFiles {
    pub fn push(&mut self, abs: PathBuf, file: ProxyFile) {
        match file {
            ProxyFile::Apache(f) => self.apache.push((abs, f)),
            ProxyFile::Nginx(f) => self.nginx.push((abs, f)),
            ProxyFile::Haproxy(f) => self.haproxy.push((abs, f)),
            ProxyFile::Kubernetes(f) => self.kubernetes.push((abs, f)),
            ProxyFile::Terraform(f) => self.terraform.push((abs, f)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.apache.is_empty()
            && self.nginx.is_empty()
            && self.haproxy.is_empty()
            && self.kubernetes.is_empty()
            && self.terraform.is_empty()
    }

    fn extend(&mut self, other: ProxyFiles) {
        self.apache.extend(other.apache);
        self.nginx.extend(other.nginx);
        self.haproxy.extend(other.haproxy);
        self.kubernetes.extend(other.kubernetes);
        self.terraform.extend(other.terraform);
    }
}

/// What the phase read beyond the run's files, and what it modelled.
#[derive(Default)]
pub struct Read {
    /// Files read only through includes (their suppressions count).
    pub extra: Vec<Source>,
    /// One model per configuration tree, whatever the product.
    pub models: Vec<ProxyModel>,
}

/// What the per-file phase found that the proxy phase reads.
pub struct Found<'a> {
    pub files: ProxyFiles,
    /// The client modules the run checked, with a heartbeat or socket URL.
    pub clients: &'a [ClientFacts],
    /// The Python modules the run modelled.
    pub servers: &'a [ModelledModule],
    /// Canonical paths of the checked Python and client modules.
    pub python_checked: &'a HashSet<PathBuf>,
    pub client_checked: &'a HashSet<PathBuf>,
}

/// Every hop of the project, as `wslint routes` shows them.
pub struct Hops {
    pub models: Vec<ProxyModel>,
    /// The project's websocket paths (endpoint paths carry their server
    /// side).
    pub paths: WsPaths,
    /// Every client module of the project with a heartbeat or socket URL.
    pub clients: Vec<ClientFacts>,
    /// The heartbeat WS303 compares timeouts with.
    pub heartbeat: Option<rule::HeartbeatFact>,
}

/// What the phase leaves for the end of the run.
#[derive(Default)]
pub struct Outcome {
    pub extra: Vec<Source>,
    /// With `routes`: every hop, route and websocket path.
    pub hops: Option<Hops>,
}

/// The proxy phase of a run: the facts the proxy rules need from the rest
/// of the project (the longest client heartbeat, the project's websocket
/// paths), each read only when needed, then every tree of every product.
/// A run on part of the project (a pre-commit file list, one folder) reads
/// them from the rest of it. With `routes`, every route is modelled with
/// the paths it serves, and the hops are returned.
pub fn phase(
    settings: &Settings,
    project: &Project,
    found: Found<'_>,
    routes: bool,
    out: &mut Vec<Diagnostic>,
) -> Outcome {
    if found.files.is_empty() && !routes {
        return Outcome::default();
    }
    let clients: OnceLock<Vec<ClientFacts>> = OnceLock::new();
    let project_clients = || {
        clients.get_or_init(|| {
            if project.covers_root() {
                Vec::new()
            } else {
                project::wspaths::scan_clients(project, found.client_checked)
            }
        })
    };
    let config = &settings.config;
    let enabled = |r: &rule::Rule| settings.selection.is_enabled(r.code);
    let proxy_rules = &rules::proxy::RULES;
    let mut heartbeats: Vec<rule::HeartbeatFact> = found
        .clients
        .iter()
        .filter_map(|c| c.heartbeat.clone())
        .collect();
    if !project.covers_root()
        && config.client.heartbeat_ms.is_none()
        && (routes || enabled(proxy_rules.ws303))
    {
        heartbeats.extend(project_clients().iter().filter_map(|c| c.heartbeat.clone()));
    }
    let facts = rule::Facts {
        heartbeat: project::heartbeat::longest(heartbeats, config, settings.config_path.as_deref()),
    };
    let stakes = if routes {
        Stakes::ROUTES
    } else {
        let mut min_idle_s = 0.0_f64;
        if enabled(proxy_rules.ws301) {
            min_idle_s = config.proxy.idle_timeout_min_s as f64;
        }
        if enabled(proxy_rules.ws303)
            && let Some(hb) = &facts.heartbeat
        {
            min_idle_s = min_idle_s.max(config.proxy.heartbeat_ratio * hb.ms / 1000.0);
        }
        Stakes {
            min_idle_s,
            unset: enabled(proxy_rules.ws302),
            upgrade: enabled(proxy_rules.ws307),
            min_lifetime_s: if enabled(proxy_rules.ws308) {
                config.proxy.lifetime_min_s as f64
            } else {
                0.0
            },
            serves: false,
        }
    };
    // Listed in the configuration, the websocket paths are what a file
    // list takes for the rest of the project: nothing more is read for
    // them (as with a pinned heartbeat).
    let pinned = !config.proxy.websocket_paths.is_empty();
    let paths = LazyWsPaths::new(stakes, || {
        let mut all = project::wspaths::config_paths(config);
        all.extend(found.clients.iter().flat_map(|c| c.paths.iter().cloned()));
        let mut servers = found.servers.to_vec();
        if !pinned {
            all.extend(
                project_clients()
                    .iter()
                    .flat_map(|c| c.paths.iter().cloned()),
            );
            if !project.covers_root() {
                servers.extend(project::wspaths::scan_servers(
                    project,
                    found.python_checked,
                ));
            }
        }
        all.extend(project::wspaths::endpoint_paths(project, servers));
        WsPaths::new(all)
    });
    let read = run(settings, project, &facts, found.files, &paths, out);
    let hops = routes.then(|| Hops {
        models: read.models,
        paths: paths.get().clone(),
        clients: found
            .clients
            .iter()
            .chain(project_clients())
            .cloned()
            .collect(),
        heartbeat: facts.heartbeat.clone(),
    });
    Outcome {
        extra: read.extra,
        hops,
    }
}

/// Parses a configuration file as `lang`.
pub fn parse(lang: Lang, source: Source) -> Option<ProxyFile> {
    match lang {
        Lang::Apache => Some(ProxyFile::Apache(Arc::new(lang::apache::parse::parse(
            source,
        )))),
        Lang::Nginx => Some(ProxyFile::Nginx(Arc::new(lang::nginx::parse(source)))),
        Lang::Haproxy => Some(ProxyFile::Haproxy(Arc::new(lang::haproxy::parse(source)))),
        Lang::Kubernetes => Some(ProxyFile::Kubernetes(Arc::new(lang::kubernetes::parse(
            source,
        )))),
        Lang::Terraform => Some(ProxyFile::Terraform(Arc::new(lang::terraform::parse(
            source,
        )))),
        _ => None,
    }
}

/// Runs the proxy rules over every tree of `files`. When the run checks
/// only part of the project, the files that include the checked ones are
/// read from the project first: the context the checked files are read in
/// (a vhost inherits the main configuration's timeouts, a `conf.d` server
/// the `http` block's).
pub fn run(
    settings: &Settings,
    project: &Project,
    facts: &rule::Facts,
    mut files: ProxyFiles,
    paths: &LazyWsPaths<'_>,
    out: &mut Vec<Diagnostic>,
) -> Read {
    if files.is_empty() {
        return Read::default();
    }
    if !project.covers_root() {
        let context = context(project, &files);
        files.extend(context);
    }
    let env = include_env(settings);
    let read = |abs: &Path| -> Result<Source, String> {
        match settings.overlay.read_file(
            abs,
            &project.display(abs),
            None,
            settings.config.files.max_size,
        ) {
            ReadOutcome::Text { source, .. } => Ok(source),
            ReadOutcome::Irrelevant | ReadOutcome::Binary => Err("binary file".into()),
            ReadOutcome::TooLarge(size) => Err(format!(
                "it is {size} bytes, over `files.max_size` ({} bytes)",
                settings.config.files.max_size
            )),
            ReadOutcome::Failed(m) => Err(m),
        }
    };
    let mut models: Vec<ProxyModel> = Vec::new();
    let mut extra = Vec::new();
    let mut failures = Vec::new();

    if !files.apache.is_empty() {
        let loader = Loader::new(
            files.apache.iter().cloned(),
            &read,
            lang::apache::parse::parse,
        );
        let roots = lang::apache::roots(&files.apache, &env);
        let mut trees = forest(&files.apache, roots, |abs, file| {
            lang::apache::Walker::new(&loader, &env).run(abs, file)
        });
        lang::apache::link_balancers(&mut trees);
        models.extend(trees.iter().map(|t| lang::apache::hops::to_proxy(t, paths)));
        extra.extend(loader.take_extra());
        failures.extend(loader.take_failures());
    }
    if !files.nginx.is_empty() {
        let loader = Loader::new(files.nginx.iter().cloned(), &read, lang::nginx::parse);
        let roots = lang::nginx::roots(&files.nginx, &env);
        let trees = forest(&files.nginx, roots, |abs, file| {
            lang::nginx::tree::Walker::new(&loader, &env).run(abs, file)
        });
        models.extend(trees.iter().map(|t| lang::nginx::hops::to_proxy(t, paths)));
        extra.extend(loader.take_extra());
        failures.extend(loader.take_failures());
    }
    if !files.haproxy.is_empty() {
        models.extend(
            files
                .haproxy
                .iter()
                .map(|(_, f)| lang::haproxy::hops::to_proxy(f, paths)),
        );
    }
    if !files.kubernetes.is_empty() {
        models.extend(lang::kubernetes::hops::to_proxy(&files.kubernetes, paths));
    }
    if !files.terraform.is_empty() {
        let loader = Loader::new(
            files.terraform.iter().cloned(),
            &read,
            lang::terraform::parse,
        );
        models.extend(lang::terraform::hops::to_proxy(
            &files.terraform,
            &loader,
            paths,
        ));
        extra.extend(loader.take_extra());
        failures.extend(loader.take_failures());
    }

    for model in &models {
        crate::run_rules(settings, facts, model, out, |c| match c {
            Check::Proxy(f) => Some(f),
            _ => None,
        });
    }
    for (loc, message) in failures {
        let mut d = WS002.new_diagnostic(
            &loc.file,
            loc.span,
            format!("included file could not be read: {message}"),
        );
        d.help("fix the file or its permissions");
        out.push(d);
    }
    Read { extra, models }
}

/// Where includes may be read from: the checked paths, the project root
/// and `apache.server_root`.
fn include_env(settings: &Settings) -> IncludeEnv {
    let mut allowed: Vec<PathBuf> = settings
        .paths
        .iter()
        .filter_map(|p| {
            let abs = crate::cache::canonicalize(p).ok()?;
            if crate::cache::is_dir(&abs) {
                Some(abs)
            } else {
                abs.parent().map(Path::to_path_buf)
            }
        })
        .collect();
    allowed.extend(std::fs::canonicalize(&settings.root).ok());
    let server_root = settings
        .config
        .apache
        .server_root
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok());
    allowed.extend(server_root.clone());
    IncludeEnv {
        allowed,
        server_root,
    }
}

/// Walks every tree of `files`: each root in turn, then the files only an
/// include cycle reaches (they become roots in turn). A file met in one
/// tree is not walked again as a root.
fn forest<F, M>(
    files: &[(PathBuf, Arc<F>)],
    roots: Vec<usize>,
    mut walk: impl FnMut(&Path, Arc<F>) -> (M, BTreeSet<PathBuf>),
) -> Vec<M> {
    let mut models = Vec::new();
    let mut visited: HashSet<PathBuf> = HashSet::new();
    let mut order = roots;
    let mut next_unvisited = 0;
    loop {
        for &i in &order {
            let (abs, file) = &files[i];
            if visited.contains(abs) {
                continue;
            }
            let (model, seen) = walk(abs, file.clone());
            visited.extend(seen);
            models.push(model);
        }
        order.clear();
        while next_unvisited < files.len() {
            let i = next_unvisited;
            next_unvisited += 1;
            if !visited.contains(&files[i].0) {
                order.push(i);
                break;
            }
        }
        if order.is_empty() {
            break;
        }
    }
    models
}

/// Configuration files of the project, outside the checked ones, that the
/// checked ones are read with: the files that include a vhost or a
/// `conf.d` server sit a folder or two above it (`apache2/apache2.conf`
/// includes `apache2/sites-enabled/*.conf`, `nginx/nginx.conf` includes
/// `nginx/conf.d/*.conf`), and the manifests beside an Ingress hold the
/// Services, BackendConfigs, IngressClasses and controller ConfigMaps it
/// is read with (`k8s/base/ingress.yaml` next to `k8s/base/service.yaml`).
fn context(project: &Project, checked: &ProxyFiles) -> ProxyFiles {
    let mut known: HashSet<&PathBuf> = checked.apache.iter().map(|(p, _)| p).collect();
    known.extend(checked.nginx.iter().map(|(p, _)| p));
    known.extend(checked.kubernetes.iter().map(|(p, _)| p));
    let dirs = |paths: Vec<&PathBuf>| -> Vec<PathBuf> {
        paths
            .into_iter()
            .filter_map(|p| p.ancestors().nth(3).map(Path::to_path_buf))
            .collect()
    };
    let mut out = ProxyFiles::default();
    for (lang, paths, words) in [
        (
            Lang::Apache,
            checked.apache.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            &["include"][..],
        ),
        (
            Lang::Nginx,
            checked.nginx.iter().map(|(p, _)| p).collect(),
            &["include"][..],
        ),
        (
            Lang::Kubernetes,
            checked.kubernetes.iter().map(|(p, _)| p).collect(),
            lang::KUBERNETES_WORDS,
        ),
    ] {
        if paths.is_empty() {
            continue;
        }
        let langs: &[Lang] = if lang == Lang::Kubernetes {
            &[Lang::Kubernetes]
        } else {
            lang::PROXY_LANGS
        };
        let found: Vec<(PathBuf, ProxyFile)> = project
            .scan_in(&dirs(paths), langs, words)
            .into_par_iter()
            .filter(|p| !known.contains(p))
            .filter_map(|p| {
                let source = project.read(&p)?;
                // Manifests are known by their name; configuration files by
                // their content.
                if lang != Lang::Kubernetes && lang::classify_config(&p, &source.text)? != lang {
                    return None;
                }
                Some((p, parse(lang, source)?))
            })
            .collect();
        for (p, f) in found {
            out.push(p, f);
        }
    }
    out
}
