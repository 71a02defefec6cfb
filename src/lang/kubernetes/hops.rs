//! The ingresses and load balancers of a run's manifests on the proxy
//! model: one model per product (ingress-nginx, AWS ALB, GCP), whose hops
//! are the Ingresses (an ALB IngressGroup is one hop) and whose routes are
//! their paths and default backends.
//!
//! - ingress-nginx: the idle limit is `proxy-read-timeout`, from the
//!   Ingress's `nginx.ingress.kubernetes.io/proxy-read-timeout` annotation,
//!   else the controller ConfigMap's `proxy-read-timeout`, else 60 s. The
//!   controller reads the annotation with Go's `strconv.Atoi` and falls back
//!   to the ConfigMap's value when it fails (`3600s` is not a number:
//!   WS305).
//! - AWS Load Balancer Controller: the ALB's idle timeout,
//!   `idle_timeout.timeout_seconds` in the
//!   `alb.ingress.kubernetes.io/load-balancer-attributes` annotation of any
//!   Ingress of the group, else 60 s.
//! - GKE (GCE ingress): each path goes to a Service port whose backend
//!   service's `timeoutSec` (a BackendConfig named by the Service's
//!   `cloud.google.com/backend-config` annotation, default 30 s) is the
//!   lifetime of every websocket (WS308).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::KubeFile;
use super::resources::{
    Backend, BackendConfig, Ingress, IngressPath, Meta, Objects, PathType, PortRef, Service,
};
use crate::proxy::wspaths::{LazyWsPaths, names_websocket};
use crate::proxy::{
    Carries, Hop, Idle, IdleSource, Limit, Loc, Misplaced, MisplacedKind, Product, ProxyModel,
    Setting, WsRoute,
};

const NGINX_PREFIX: &str = "nginx.ingress.kubernetes.io/";
const NGINX_READ: &str = "nginx.ingress.kubernetes.io/proxy-read-timeout";
const ALB_PREFIX: &str = "alb.ingress.kubernetes.io/";
const ALB_ATTRS: &str = "alb.ingress.kubernetes.io/load-balancer-attributes";
const ALB_GROUP: &str = "alb.ingress.kubernetes.io/group.name";
const BACKEND_CONFIG: [&str; 2] = [
    "cloud.google.com/backend-config",
    "beta.cloud.google.com/backend-config",
];
/// Ingress annotations only GKE's controller reads ("Ingress-GCE
/// Supported Annotations", `kubernetes/ingress-gce` docs): an Ingress
/// that carries one is meant for GCE.
const GCE_INGRESS_ANNOTATIONS: [&str; 3] = [
    "kubernetes.io/ingress.global-static-ip-name",
    "kubernetes.io/ingress.regional-static-ip-name",
    "kubernetes.io/ingress.allow-http",
];
const GCE_INGRESS_PREFIXES: [&str; 2] = ["networking.gke.io/", "ingress.gcp.kubernetes.io/"];

/// The controller that serves an Ingress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Controller {
    Nginx,
    Alb,
    Gce,
}

impl Controller {
    fn product(self) -> Product {
        match self {
            Controller::Nginx => Product::IngressNginx,
            Controller::Alb => Product::AwsAlb,
            Controller::Gce => Product::GcpLb,
        }
    }

    /// A class name or an IngressClass controller, as the controllers
    /// spell them.
    fn from_name(name: &str) -> Option<Controller> {
        let n = name.to_ascii_lowercase();
        if n == "k8s.io/ingress-nginx" || n == "nginx" || n.contains("ingress-nginx") {
            return Some(Controller::Nginx);
        }
        if n == "ingress.k8s.aws/alb" || n == "alb" {
            return Some(Controller::Alb);
        }
        if n == "gce" || n == "gce-internal" || n == "gce-regional-external" {
            return Some(Controller::Gce);
        }
        None
    }
}

/// One path (or default backend) of an Ingress, before it is a route.
struct Candidate<'o> {
    ingress: usize,
    /// Index of the rule (host), `None` for the default backend.
    rule: Option<usize>,
    path: Option<&'o IngressPath>,
    backend: Option<&'o Backend>,
    loc: Loc,
    label: String,
}

struct Run<'o> {
    objects: &'o Objects,
    controllers: Vec<Option<Controller>>,
    /// Each ALB IngressGroup, by name, read once (a group may hold
    /// thousands of Ingresses).
    alb_groups: HashMap<String, AlbGroup>,
    /// The hop of each Ingress in its product's model.
    hop_of: Vec<usize>,
    models: HashMap<Controller, ProxyModel>,
}

pub fn to_proxy(files: &[(PathBuf, Arc<KubeFile>)], paths: &LazyWsPaths<'_>) -> Vec<ProxyModel> {
    let mut sorted: Vec<&(PathBuf, Arc<KubeFile>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut objects = Objects::default();
    for (_, f) in sorted {
        objects.read(f);
    }
    if objects.ingresses.is_empty() && objects.services.is_empty() {
        return Vec::new();
    }
    let mut run = Run {
        objects: &objects,
        controllers: Vec::new(),
        alb_groups: HashMap::new(),
        hop_of: Vec::new(),
        models: HashMap::new(),
    };
    run.controllers = objects
        .ingresses
        .iter()
        .map(|i| controller(&objects, i))
        .collect();
    for (i, ing) in objects.ingresses.iter().enumerate() {
        if run.controllers[i] == Some(Controller::Alb)
            && let Some(g) = ing.meta.annotation(ALB_GROUP).and_then(|f| f.value.clone())
        {
            let group = run.alb_groups.entry(g).or_default();
            if group.decider.is_none() && sets_alb_idle(ing) {
                group.decider = Some(i);
            }
            group.inserted |= ing.meta.annotations_inserted;
        }
    }
    run.hops();
    run.misplaced();
    run.routes(paths);
    let mut out: Vec<ProxyModel> = run.models.into_values().collect();
    out.sort_by_key(|m| m.product);
    out.retain(|m| !m.hops.is_empty() || !m.misplaced.is_empty() || !m.syntax.is_empty());
    out
}

/// Which controller serves `ing`: its class (through an IngressClass of
/// the run when there is one), else the annotations it carries, else the
/// run's default IngressClass, else GKE's when it carries an annotation
/// only GKE reads or a Service it routes to names a BackendConfig (GKE's
/// controller serves an Ingress with no class).
fn controller(objects: &Objects, ing: &Ingress) -> Option<Controller> {
    if let Some(class) = ing.class.as_ref().and_then(|c| c.value.as_deref()) {
        let by_class = objects
            .classes
            .iter()
            .find(|c| c.meta.name.as_deref() == Some(class))
            .and_then(|c| c.controller.as_deref())
            .and_then(Controller::from_name);
        if let Some(c) = by_class.or_else(|| Controller::from_name(class)) {
            return Some(c);
        }
        // A class of another controller (traefik, nginx.org's).
        if objects
            .classes
            .iter()
            .any(|c| c.meta.name.as_deref() == Some(class))
        {
            return None;
        }
    }
    let meta = &ing.meta;
    if meta.has_prefix("nginx.org/") {
        return None;
    }
    if meta.has_prefix(NGINX_PREFIX) {
        return Some(Controller::Nginx);
    }
    if meta.has_prefix(ALB_PREFIX) {
        return Some(Controller::Alb);
    }
    if ing.class.is_some() {
        // Templated or unknown class, no annotation to tell.
        return None;
    }
    if let Some(c) = objects
        .classes
        .iter()
        .filter(|c| c.is_default)
        .find_map(|c| c.controller.as_deref().and_then(Controller::from_name))
    {
        return Some(c);
    }
    let gke_only = meta.annotations.iter().any(|(k, _)| {
        GCE_INGRESS_ANNOTATIONS.contains(&k.as_str())
            || GCE_INGRESS_PREFIXES.iter().any(|p| k.starts_with(p))
    });
    if gke_only {
        return Some(Controller::Gce);
    }
    let backends = ing
        .rules
        .iter()
        .flat_map(|r| r.paths.iter().filter_map(|p| p.backend.as_ref()))
        .chain(ing.default_backend.as_ref());
    for b in backends {
        if let Some(s) = service(objects, meta, b)
            && BACKEND_CONFIG
                .iter()
                .any(|k| s.meta.annotation(k).is_some())
        {
            return Some(Controller::Gce);
        }
    }
    None
}

/// The Service a backend names: by its name, or, when the name is
/// templated, the Service templated with the same expression (in a chart,
/// `{{ .Values.ws.name }}` renders the same in both).
fn service<'o>(objects: &'o Objects, from: &Meta, b: &Backend) -> Option<&'o Service> {
    let (name, template) = (b.service.as_deref(), b.service_template.as_deref());
    objects
        .services
        .iter()
        .find(|s| s.meta.is_named(name, template) && s.meta.same_namespace(from))
}

/// "Service `ws:8000`".
fn backend_text(b: Option<&Backend>) -> String {
    let Some(b) = b else {
        return "no backend".to_string();
    };
    let name = b
        .service
        .as_deref()
        .or(b.service_template.as_deref())
        .unwrap_or("(templated)");
    match &b.port {
        Some(PortRef::Number(n)) => format!("Service `{name}:{n}`"),
        Some(PortRef::Name(n)) => format!("Service `{name}:{n}`"),
        None => format!("Service `{name}`"),
    }
}

impl<'o> Run<'o> {
    fn model(&mut self, c: Controller) -> &mut ProxyModel {
        self.models
            .entry(c)
            .or_insert_with(|| ProxyModel::new(c.product()))
    }

    fn hops(&mut self) {
        let objects = self.objects;
        let mut groups: HashMap<String, usize> = HashMap::new();
        for (i, ing) in objects.ingresses.iter().enumerate() {
            let Some(c) = self.controllers[i] else {
                self.hop_of.push(usize::MAX);
                continue;
            };
            let group = (c == Controller::Alb)
                .then(|| ing.meta.annotation(ALB_GROUP).and_then(|f| f.value.clone()))
                .flatten();
            if let Some(g) = &group
                && let Some(&h) = groups.get(g)
            {
                self.hop_of.push(h);
                continue;
            }
            let name = match (c, &group) {
                (Controller::Alb, Some(g)) => format!("AWS ALB of IngressGroup `{g}`"),
                (Controller::Alb, None) => format!("AWS ALB of Ingress {}", ing.meta.display()),
                (Controller::Nginx, _) => format!("ingress-nginx Ingress {}", ing.meta.display()),
                (Controller::Gce, _) => {
                    format!("GCP load balancer of Ingress {}", ing.meta.display())
                }
            };
            let model = self.model(c);
            let h = model.hops.len();
            model.hops.push(Hop {
                product: c.product(),
                name,
                loc: ing.meta.loc.clone(),
            });
            if let Some(g) = group {
                groups.insert(g, h);
            }
            self.hop_of.push(h);
        }
    }

    /// Timeout annotations where the controller does not read them (WS304).
    fn misplaced(&mut self) {
        let objects = self.objects;
        for (i, ing) in objects.ingresses.iter().enumerate() {
            let Some(c) = self.controllers[i] else {
                continue;
            };
            let served = c.product().name();
            for (key, f) in &ing.meta.annotations {
                let backend_config = BACKEND_CONFIG.contains(&key.as_str());
                let foreign = backend_config
                    || match c {
                        Controller::Nginx => key == ALB_ATTRS,
                        Controller::Alb | Controller::Gce => key == NGINX_READ,
                    };
                if !foreign {
                    continue;
                }
                let why = match c {
                    // GKE: "associate a BackendConfig with a Service" by this
                    // annotation on the Service; ingress-gce reads it from
                    // Services only.
                    Controller::Gce if backend_config => format!(
                        "this Ingress is served by the {served}, which reads `{key}` from the Service each path goes to, never from the Ingress: the BackendConfig named here is not applied"
                    ),
                    _ if backend_config => format!(
                        "`{key}` is GKE's, read from Services; this Ingress is served by {served}, which ignores it"
                    ),
                    Controller::Gce => format!(
                        "this Ingress is served by the {served}, which reads the websocket's timeout from the BackendConfig of each Service (`spec.timeoutSec`), not from another controller's annotations"
                    ),
                    _ => format!(
                        "this Ingress is served by {served}, which does not read another controller's annotations"
                    ),
                };
                self.model(c).misplaced.push(Misplaced {
                    product: c.product(),
                    loc: f.loc.clone(),
                    directive: key.clone(),
                    kind: MisplacedKind::Ignored { why },
                });
            }
        }
        for s in &objects.services {
            let Some(f) = s.meta.annotation(NGINX_READ) else {
                continue;
            };
            self.model(Controller::Nginx).misplaced.push(Misplaced {
                product: Product::IngressNginx,
                loc: f.loc.clone(),
                directive: NGINX_READ.to_string(),
                kind: MisplacedKind::Ignored {
                    why: "ingress-nginx reads its annotations from Ingress objects, not from the Service".to_string(),
                },
            });
        }
    }

    fn candidates(&self, i: usize) -> Vec<Candidate<'o>> {
        let ing = &self.objects.ingresses[i];
        let mut out = Vec::new();
        for (r, rule) in ing.rules.iter().enumerate() {
            for p in &rule.paths {
                let path = p.path.as_deref().unwrap_or("(templated)");
                let host = rule
                    .host
                    .as_deref()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                out.push(Candidate {
                    ingress: i,
                    rule: Some(r),
                    path: Some(p),
                    backend: p.backend.as_ref(),
                    loc: p.loc.clone(),
                    label: format!("`{host}{path}` -> {}", backend_text(p.backend.as_ref())),
                });
            }
        }
        if let Some(b) = &ing.default_backend {
            out.push(Candidate {
                ingress: i,
                rule: None,
                path: None,
                backend: Some(b),
                loc: b.loc.clone(),
                label: format!("default backend -> {}", backend_text(Some(b))),
            });
        }
        out
    }

    fn routes(&mut self, paths: &LazyWsPaths<'_>) {
        let objects = self.objects;
        // (ingress, candidate, carries)
        let mut unmarked: Vec<(usize, Vec<Candidate<'o>>)> = Vec::new();
        let mut carried: Vec<(Candidate<'o>, Carries)> = Vec::new();
        for i in 0..objects.ingresses.len() {
            let Some(_) = self.controllers[i] else {
                continue;
            };
            let cands = self.candidates(i);
            let mut rest = Vec::new();
            for cand in cands {
                let named = cand
                    .path
                    .and_then(|p| p.path.as_deref())
                    .is_some_and(names_websocket)
                    || cand
                        .backend
                        .and_then(|b| b.service.as_deref())
                        .is_some_and(names_websocket);
                if named {
                    carried.push((cand, Carries::Named));
                } else {
                    rest.push(cand);
                }
            }
            if !rest.is_empty() {
                unmarked.push((i, rest));
            }
        }
        let at_stake = unmarked.iter().any(|(_, cands)| {
            cands.iter().any(|c| {
                let r = self.assess(c, Carries::Config, false);
                paths.stakes.matter(&r, false)
            })
        });
        if at_stake {
            let ws = paths.get();
            for (i, cands) in unmarked {
                let c = self.controllers[i].expect("controller");
                let all = self.candidates(i);
                for cand in cands {
                    let hit = ws.paths.iter().find(|p| {
                        p.samples
                            .iter()
                            .any(|s| serves(c, &self.objects.ingresses[i], &all, &cand, s))
                    });
                    if let Some(p) = hit {
                        carried.push((cand, Carries::Path(p.clone())));
                    }
                }
            }
        }
        for (cand, carries) in carried {
            let mut route = self.assess(&cand, carries, true);
            let c = self.controllers[cand.ingress].expect("controller");
            if paths.stakes.serves {
                let ing = &self.objects.ingresses[cand.ingress];
                let all = self.candidates(cand.ingress);
                for p in &paths.get().paths {
                    if p.samples.iter().any(|s| serves(c, ing, &all, &cand, s)) {
                        route.add_serves(p);
                    }
                }
            }
            self.model(c).routes.push(route);
        }
        for m in self.models.values_mut() {
            m.routes.sort_by(|a, b| {
                (a.hop, &a.loc.file.path, a.loc.span).cmp(&(b.hop, &b.loc.file.path, b.loc.span))
            });
        }
    }

    /// The candidate as a route; `report` records what the controller
    /// misreads (WS305) on the way.
    fn assess(&mut self, cand: &Candidate<'o>, carries: Carries, report: bool) -> WsRoute {
        let c = self.controllers[cand.ingress].expect("controller");
        let (idle, limit, syntax) = match c {
            Controller::Nginx => nginx_idle(self.objects, cand),
            Controller::Alb => alb_idle(self.objects, cand, self.alb_decider(cand.ingress)),
            Controller::Gce => gce_lifetime(self.objects, cand),
        };
        if report {
            let m = self.model(c);
            for s in syntax {
                if !m.syntax.iter().any(|(l, _)| l.same(&s.0)) {
                    m.syntax.push(s);
                }
            }
        }
        // A default where a template inserts annotations is not known to
        // be the default: the chart's values may set the timeout there.
        let incomplete = idle.is_default() && self.annotations_inserted(cand.ingress);
        WsRoute {
            hop: self.hop_of[cand.ingress],
            loc: cand.loc.clone(),
            label: cand.label.clone(),
            carries,
            limit,
            idle,
            incomplete,
            unknown_from: Vec::new(),
            serves: Vec::new(),
        }
    }

    /// The ALB IngressGroup of Ingress `i`, if it has one.
    fn alb_group(&self, i: usize) -> Option<&AlbGroup> {
        let ing = &self.objects.ingresses[i];
        if self.controllers[i] != Some(Controller::Alb) {
            return None;
        }
        let g = ing.meta.annotation(ALB_GROUP)?.value.as_deref()?;
        self.alb_groups.get(g)
    }

    /// The Ingress whose attributes decide the idle timeout of Ingress
    /// `i`'s ALB: the first of its IngressGroup that sets it, or itself.
    fn alb_decider(&self, i: usize) -> Option<usize> {
        match self.alb_group(i) {
            Some(g) => g.decider,
            None => sets_alb_idle(&self.objects.ingresses[i]).then_some(i),
        }
    }

    /// Whether a template inserts annotations into the Ingress, or into
    /// any Ingress of its ALB's IngressGroup.
    fn annotations_inserted(&self, i: usize) -> bool {
        self.objects.ingresses[i].meta.annotations_inserted
            || self.alb_group(i).is_some_and(|g| g.inserted)
    }
}

/// What wslint needs of an ALB IngressGroup.
#[derive(Default)]
struct AlbGroup {
    /// The first Ingress of the group that sets the idle timeout.
    decider: Option<usize>,
    /// A template inserts annotations into one of its Ingresses.
    inserted: bool,
}

/// The `idle_timeout.timeout_seconds` entry of an attributes value.
fn idle_entry(attributes: &str) -> Option<&str> {
    attributes.split(',').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k.trim() == "idle_timeout.timeout_seconds").then(|| v.trim())
    })
}

/// Whether an Ingress's `load-balancer-attributes` decides its ALB's idle
/// timeout: a template value, or one with an `idle_timeout` entry.
fn sets_alb_idle(ing: &Ingress) -> bool {
    ing.meta
        .annotation(ALB_ATTRS)
        .is_some_and(|f| f.value.as_deref().is_none_or(|v| idle_entry(v).is_some()))
}

type Syntax = Vec<(Loc, String)>;

/// A whole number of seconds as Go's `strconv.Atoi` reads it.
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn nginx_idle(objects: &Objects, cand: &Candidate<'_>) -> (Idle, Limit, Syntax) {
    let ing = &objects.ingresses[cand.ingress];
    let mut syntax = Vec::new();
    let name = ing.meta.display();
    let fix = format!(
        "set the annotation `{NGINX_READ}: \"{{s}}\"` on Ingress {name} (whole seconds, quoted)"
    );
    let config_map = objects.config_maps.iter().find(|m| {
        m.meta
            .name
            .as_deref()
            .is_none_or(|n| n.contains("nginx") || n.contains("ingress"))
    });
    let fallback = |syntax: &mut Syntax| -> (IdleSource, Option<f64>, Vec<(Loc, String)>) {
        if let Some(cm) = config_map
            && let Some(f) = &cm.proxy_read_timeout
        {
            let seconds = match f.value.as_deref() {
                None => None,
                Some(v) => match atoi(v.trim()) {
                    Some(n) => Some(n as f64),
                    None => {
                        syntax.push((
                            f.loc.clone(),
                            format!(
                                "ingress-nginx reads `proxy-read-timeout` as a whole number of seconds: `{v}` is not one, so the controller cannot load this ConfigMap's value"
                            ),
                        ));
                        return (
                            IdleSource::Default {
                                what: "ingress-nginx's default `proxy-read-timeout`".into(),
                            },
                            Some(60.0),
                            Vec::new(),
                        );
                    }
                },
            };
            let via = vec![(
                ing.meta.loc.clone(),
                format!(
                    "Ingress {name} sets no `proxy-read-timeout` annotation: the controller ConfigMap's value applies"
                ),
            )];
            return (
                IdleSource::Set(Setting {
                    loc: f.loc.clone(),
                    what: format!(
                        "the controller ConfigMap's `proxy-read-timeout: {}`",
                        f.value.as_deref().unwrap_or("?")
                    ),
                    seconds,
                    note: None,
                }),
                seconds,
                via,
            );
        }
        (
            IdleSource::Default {
                what: "ingress-nginx's default `proxy-read-timeout`".into(),
            },
            Some(60.0),
            Vec::new(),
        )
    };
    let (source, seconds, via) = match ing.meta.annotation(NGINX_READ) {
        Some(f) => match f.value.as_deref() {
            None => (
                IdleSource::Set(Setting {
                    loc: f.loc.clone(),
                    what: "`proxy-read-timeout` (a template value)".into(),
                    seconds: None,
                    note: None,
                }),
                None,
                Vec::new(),
            ),
            Some(v) => match atoi(v.trim()) {
                Some(n) => (
                    IdleSource::Set(Setting {
                        loc: f.loc.clone(),
                        what: format!("`proxy-read-timeout: \"{v}\"`"),
                        seconds: Some(n as f64),
                        note: None,
                    }),
                    Some(n as f64),
                    Vec::new(),
                ),
                None => {
                    let (src, secs, via) = fallback(&mut Vec::new());
                    let applies = match &src {
                        IdleSource::Set(_) => "the controller ConfigMap's value".to_string(),
                        IdleSource::Default { .. } => "its default (60 s)".to_string(),
                    };
                    syntax.push((
                        f.loc.clone(),
                        format!(
                            "ingress-nginx reads `proxy-read-timeout` as a whole number of seconds (Go's `strconv.Atoi`): `{v}` is not one, so the controller ignores the annotation and uses {applies}"
                        ),
                    ));
                    (src, secs, via)
                }
            },
        },
        None => fallback(&mut syntax),
    };
    (
        Idle {
            source,
            seconds,
            fix,
            via,
        },
        Limit::Idle,
        syntax,
    )
}

/// The `idle_timeout.timeout_seconds` of an ALB's attributes: the first
/// Ingress of the group that sets it.
fn alb_idle(
    objects: &Objects,
    cand: &Candidate<'_>,
    decider: Option<usize>,
) -> (Idle, Limit, Syntax) {
    let ing = &objects.ingresses[cand.ingress];
    let group = ing.meta.annotation(ALB_GROUP).and_then(|f| f.value.clone());
    let mut syntax = Vec::new();
    let fix = format!(
        "set `{ALB_ATTRS}: idle_timeout.timeout_seconds={{s}}` on Ingress {}",
        ing.meta.display()
    );
    let Some((m, f)) = decider
        .map(|d| &objects.ingresses[d])
        .and_then(|m| Some((m, m.meta.annotation(ALB_ATTRS)?)))
    else {
        return (
            Idle {
                source: IdleSource::Default {
                    what: "the ALB's default idle timeout".into(),
                },
                seconds: Some(60.0),
                fix,
                via: Vec::new(),
            },
            Limit::Idle,
            syntax,
        );
    };
    let Some(raw) = f.value.as_deref().and_then(idle_entry) else {
        return (
            Idle {
                source: IdleSource::Set(Setting {
                    loc: f.loc.clone(),
                    what: "`load-balancer-attributes` (a template value)".into(),
                    seconds: None,
                    note: None,
                }),
                seconds: None,
                fix,
                via: Vec::new(),
            },
            Limit::Idle,
            syntax,
        );
    };
    let seconds = match atoi(raw) {
        Some(n) if (1..=4000).contains(&n) => Some(n as f64),
        _ => {
            syntax.push((
                f.loc.clone(),
                format!(
                    "`idle_timeout.timeout_seconds={raw}` is not an idle timeout the ALB accepts (whole seconds, 1 to 4000): the controller fails to apply it"
                ),
            ));
            None
        }
    };
    let mut via = Vec::new();
    if !std::ptr::eq(m, ing) {
        via.push((
            ing.meta.loc.clone(),
            format!(
                "shares its ALB with Ingress {} (IngressGroup `{}`)",
                m.meta.display(),
                group.as_deref().unwrap_or("")
            ),
        ));
    }
    (
        Idle {
            source: IdleSource::Set(Setting {
                loc: f.loc.clone(),
                what: format!("`idle_timeout.timeout_seconds={raw}`"),
                seconds,
                note: None,
            }),
            seconds,
            fix,
            via,
        },
        Limit::Idle,
        syntax,
    )
}

/// The BackendConfig a Service names for a port: the `ports` entry for its
/// number or name, else `default`.
fn backend_config_name(s: &Service, port: Option<&PortRef>) -> Option<(String, Loc)> {
    let f = BACKEND_CONFIG.iter().find_map(|k| s.meta.annotation(k))?;
    let json: serde_json::Value = serde_json::from_str(f.value.as_deref()?).ok()?;
    let mut keys: Vec<String> = Vec::new();
    match port {
        Some(PortRef::Number(n)) => {
            keys.push(n.to_string());
            keys.extend(
                s.ports
                    .iter()
                    .filter(|p| p.port == Some(*n))
                    .filter_map(|p| p.name.clone()),
            );
        }
        Some(PortRef::Name(n)) => {
            keys.push(n.clone());
            keys.extend(
                s.ports
                    .iter()
                    .filter(|p| p.name.as_deref() == Some(n))
                    .filter_map(|p| p.port.map(|n| n.to_string())),
            );
        }
        None => {}
    }
    let by_port = keys
        .iter()
        .find_map(|k| json.get("ports")?.get(k)?.as_str().map(str::to_string));
    let name = by_port.or_else(|| json.get("default")?.as_str().map(str::to_string))?;
    Some((name, f.loc.clone()))
}

const GCP_DEFAULT: &str = "GCP's default backend-service timeout";

fn gce_lifetime(objects: &Objects, cand: &Candidate<'_>) -> (Idle, Limit, Syntax) {
    let ing = &objects.ingresses[cand.ingress];
    let mut syntax = Vec::new();
    let default = |fix: String, via: Vec<(Loc, String)>| Idle {
        source: IdleSource::Default {
            what: GCP_DEFAULT.into(),
        },
        seconds: Some(30.0),
        fix,
        via,
    };
    let Some(b) = cand.backend else {
        return (default(String::new(), Vec::new()), Limit::Lifetime, syntax);
    };
    let Some(svc) = service(objects, &ing.meta, b) else {
        let name = b.service.as_deref().unwrap_or("?");
        let fix = format!(
            "give Service `{name}` a BackendConfig with `spec.timeoutSec: {{s}}` (annotation `cloud.google.com/backend-config`)"
        );
        // A templated Service name no Service of the run is templated
        // with: unknown, not the default. A Service named as written that
        // no checked file declares has no `backend-config` (the prefilter
        // keeps every file that names one), or is declared outside the
        // repository: the default.
        let mut idle = default(fix, Vec::new());
        if b.service.is_none() {
            idle.seconds = None;
        }
        return (idle, Limit::Lifetime, syntax);
    };
    let svc_name = svc.meta.display();
    let Some((config, named_at)) = backend_config_name(svc, b.port.as_ref()) else {
        let fix = format!(
            "add a BackendConfig with `spec.timeoutSec: {{s}}` and name it in Service {svc_name}'s `cloud.google.com/backend-config` annotation"
        );
        let via = vec![(
            svc.meta.loc.clone(),
            format!("Service {svc_name} names no BackendConfig for this port"),
        )];
        let mut idle = default(fix, via);
        // An annotation wslint cannot read, or annotations a template
        // inserts: unknown.
        if svc.meta.annotations_inserted
            || BACKEND_CONFIG
                .iter()
                .any(|k| svc.meta.annotation(k).is_some())
        {
            idle.seconds = None;
        }
        return (idle, Limit::Lifetime, syntax);
    };
    let found: Option<&BackendConfig> = objects.backend_configs.iter().find(|c| {
        c.meta.name.as_deref() == Some(config.as_str()) && c.meta.same_namespace(&svc.meta)
    });
    let Some(bc) = found else {
        // Declared outside the run: unknown.
        let mut idle = default(
            format!("set `spec.timeoutSec: {{s}}` in BackendConfig `{config}`"),
            Vec::new(),
        );
        idle.seconds = None;
        return (idle, Limit::Lifetime, syntax);
    };
    let fix = format!("set `timeoutSec: {{s}}` in the `spec` of BackendConfig `{config}`");
    let named = (
        named_at,
        format!("Service {svc_name} uses BackendConfig `{config}` for this port"),
    );
    let Some(f) = &bc.timeout else {
        let via = vec![
            named,
            (
                bc.meta.loc.clone(),
                format!("BackendConfig `{config}` sets no `timeoutSec`"),
            ),
        ];
        return (default(fix, via), Limit::Lifetime, syntax);
    };
    let seconds = match f.value.as_deref() {
        None => None,
        Some(v) => match atoi(v.trim()) {
            Some(n) => Some(n as f64),
            None => {
                syntax.push((
                    f.loc.clone(),
                    format!(
                        "`timeoutSec` is an integer number of seconds: `{v}` is not one, and the BackendConfig is rejected"
                    ),
                ));
                None
            }
        },
    };
    (
        Idle {
            source: IdleSource::Set(Setting {
                loc: f.loc.clone(),
                what: format!(
                    "`timeoutSec: {}` of BackendConfig `{config}`",
                    f.value.as_deref().unwrap_or("?")
                ),
                seconds,
                note: None,
            }),
            seconds,
            fix,
            via: vec![named],
        },
        Limit::Lifetime,
        syntax,
    )
}

/// Whether a request for `sample` reaches `cand` among the Ingress's
/// candidates `all`, as controller `c` matches paths: in the rule (host)
/// of `cand`, an Exact path first, then the longest path that matches;
/// the default backend when some rule has no path for it (or there are no
/// rules).
fn serves(
    c: Controller,
    ing: &Ingress,
    all: &[Candidate<'_>],
    cand: &Candidate<'_>,
    sample: &str,
) -> bool {
    let regex = ing
        .meta
        .annotation("nginx.ingress.kubernetes.io/use-regex")
        .and_then(|f| f.value.as_deref())
        == Some("true");
    let best = |rule: usize| -> Option<usize> {
        let mut best: Option<(usize, (u8, usize))> = None;
        for (i, other) in all.iter().enumerate() {
            if other.rule != Some(rule) {
                continue;
            }
            let Some(p) = other.path else { continue };
            let Some(path) = p.path.as_deref() else {
                continue;
            };
            if !path_matches(c, &p.path_type, path, sample, regex) {
                continue;
            }
            let rank = (u8::from(p.path_type == PathType::Exact), path.len());
            if best.is_none_or(|(_, r)| rank > r) {
                best = Some((i, rank));
            }
        }
        best.map(|(i, _)| i)
    };
    let me = all
        .iter()
        .position(|o| o.loc.same(&cand.loc))
        .unwrap_or(usize::MAX);
    match cand.rule {
        Some(r) => best(r) == Some(me),
        None => ing.rules.is_empty() || (0..ing.rules.len()).any(|r| best(r).is_none()),
    }
}

/// Whether an Ingress path of `path_type` matches a request path.
fn path_matches(
    c: Controller,
    path_type: &PathType,
    path: &str,
    sample: &str,
    regex: bool,
) -> bool {
    // Prefix: element-wise (`/ws` matches `/ws` and `/ws/1`, not `/wsx`).
    let element_prefix = |p: &str| {
        let p = p.trim_end_matches('/');
        p.is_empty() || sample == p || sample.starts_with(&format!("{p}/"))
    };
    match path_type {
        PathType::Exact => sample == path,
        PathType::Prefix => element_prefix(path),
        PathType::ImplementationSpecific => match c {
            // nginx's location: a plain prefix, or a case-insensitive
            // regex with `use-regex`.
            Controller::Nginx if regex => regex::RegexBuilder::new(&format!("^{path}"))
                .case_insensitive(true)
                .build()
                .is_ok_and(|r| r.is_match(sample)),
            Controller::Nginx => sample.starts_with(path),
            // GCE: `/*` ends a prefix, anything else is exact.
            Controller::Gce => match path.strip_suffix('*') {
                Some(prefix) if prefix.ends_with('/') => sample.starts_with(prefix),
                _ => sample == path,
            },
            // ALB: `*` and `?` wildcards.
            Controller::Alb => glob(path, sample),
        },
    }
}

/// `*` (any run) and `?` (one character) wildcards, as ALB path patterns.
fn glob(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_as_each_controller_does() {
        use PathType::*;
        assert!(path_matches(
            Controller::Nginx,
            &Prefix,
            "/ws",
            "/ws/1",
            false
        ));
        assert!(!path_matches(
            Controller::Nginx,
            &Prefix,
            "/ws",
            "/wsx",
            false
        ));
        assert!(path_matches(Controller::Nginx, &Prefix, "/", "/ws", false));
        assert!(path_matches(
            Controller::Nginx,
            &ImplementationSpecific,
            "/ws",
            "/wsx",
            false
        ));
        assert!(path_matches(
            Controller::Nginx,
            &ImplementationSpecific,
            "/ws(/|$)(.*)",
            "/ws/1",
            true
        ));
        assert!(path_matches(
            Controller::Gce,
            &ImplementationSpecific,
            "/ws/*",
            "/ws/1",
            false
        ));
        assert!(!path_matches(
            Controller::Gce,
            &ImplementationSpecific,
            "/ws",
            "/ws/1",
            false
        ));
        assert!(path_matches(
            Controller::Alb,
            &ImplementationSpecific,
            "/ws*",
            "/ws/1",
            false
        ));
        assert!(!path_matches(
            Controller::Alb,
            &Exact,
            "/ws",
            "/ws/1",
            false
        ));
    }

    #[test]
    fn go_atoi() {
        assert_eq!(atoi("3600"), Some(3600));
        assert_eq!(atoi("+5"), Some(5));
        assert_eq!(atoi("3600s"), None);
        assert_eq!(atoi(""), None);
        assert_eq!(atoi("1.5"), None);
    }
}
