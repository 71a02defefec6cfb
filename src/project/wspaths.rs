//! The project's websocket paths (see [`crate::proxy::wspaths`]): the
//! routes of its websocket endpoints, the client socket URLs that resolve
//! statically, and `proxy.websocket_paths`. Computed once per run, and only
//! when a proxy route needs them; a run on a file list reads the rest of
//! the project for them, as it does for heartbeats.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::Project;
use super::python::{self, ModelledModule};
use crate::lang::python::{Keepalive as Keepalive_, ServerModel, TimeoutValue};
use crate::lang::ts::ClientModel;
use crate::lang::{self, Lang};
use crate::proxy::wspaths::{Keepalive, Origin, ServerSide};
use crate::proxy::{Loc, WsPath};
use crate::rule::HeartbeatFact;
use crate::settings::Config;

/// The websocket paths of `proxy.websocket_paths`.
pub fn config_paths(config: &Config) -> Vec<WsPath> {
    config
        .proxy
        .websocket_paths
        .iter()
        .filter_map(|p| WsPath::new(p, Origin::Config, None))
        .collect()
}

/// The statically known paths of a client module's socket URLs.
pub fn client_paths(model: &ClientModel) -> Vec<WsPath> {
    model
        .sockets
        .iter()
        .filter_map(|s| {
            let (path, span, anchored) = s.url_path.as_ref()?;
            let mut p = WsPath::new(path, Origin::Client, Some(Loc::new(&model.source, *span)))?;
            p.anchored = *anchored;
            Some(p)
        })
        .collect()
}

/// The full paths of the websocket endpoints of `modules`, linked across
/// them (prefixes and inclusions applied). Routes whose prefix is unknown
/// are left out: their path is not the one the proxy sees.
pub fn endpoint_paths(project: &Project, modules: Vec<ModelledModule>) -> Vec<WsPath> {
    if !modules.iter().any(|m| m.model.has_routes()) {
        return Vec::new();
    }
    let linked = python::link_routes(project, modules);
    let mut out = Vec::new();
    for m in &linked.modules {
        for (e, routes) in m.routes.iter().enumerate() {
            let mut server = None;
            for r in routes.iter().filter(|r| r.complete) {
                if let Some(mut p) = WsPath::new(
                    &r.path,
                    Origin::Endpoint,
                    Some(Loc::new(&m.model.source, r.span)),
                ) {
                    let side = server.get_or_insert_with(|| Arc::new(server_side(&m.model, e)));
                    p.server = Some(side.clone());
                    out.push(p);
                }
            }
        }
    }
    out
}

/// How endpoint `e` of `model` keeps its websocket alive: a heartbeat
/// task's period (the fastest), else the longest receive timeout, if every
/// receive has one whose expiry sends something.
fn server_side(model: &ServerModel, e: usize) -> ServerSide {
    let at = |span, origin: &Option<crate::values::Origin>| match origin {
        Some(o) => Loc::new(&o.file, o.span),
        None => Loc::new(&model.source, span),
    };
    let heartbeat = model
        .heartbeats
        .iter()
        .filter(|h| h.endpoint == e)
        .filter_map(|h| match h.period {
            TimeoutValue::Seconds(s) => Some(Keepalive {
                seconds: s,
                at: at(h.value_span, &h.origin),
                what: format!("a task that sends every `{}` s", h.value_text),
            }),
            _ => None,
        })
        .min_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let keepalive = heartbeat.or_else(|| {
        let mut longest: Option<Keepalive> = None;
        for r in model.receives.iter().filter(|r| r.endpoint == e) {
            let t = r.timeout.as_ref()?;
            let (TimeoutValue::Seconds(s), Keepalive_::Sends) = (&t.value, &r.keepalive) else {
                return None;
            };
            if longest.as_ref().is_none_or(|k| *s > k.seconds) {
                longest = Some(Keepalive {
                    seconds: *s,
                    at: at(t.value_span, &t.origin),
                    what: format!("`{}` timeout `{}`", t.callee, t.value_text),
                });
            }
        }
        longest
    });
    let mut watch = Vec::new();
    for r in model.receives.iter().filter(|r| r.endpoint == e) {
        watch.push(Loc::new(&model.source, r.span));
        if let Some(t) = &r.timeout {
            watch.push(Loc::new(&model.source, t.value_span));
            watch.extend(t.origin.as_ref().map(|o| Loc::new(&o.file, o.span)));
        }
    }
    ServerSide {
        function: model.endpoints[e].name.clone(),
        keepalive,
        watch,
    }
}

/// What a client module of the project tells the proxy rules.
#[derive(Clone, Debug, Default)]
pub struct ClientFacts {
    pub heartbeat: Option<HeartbeatFact>,
    pub paths: Vec<WsPath>,
}

impl ClientFacts {
    /// The module's heartbeat and socket paths; `None` when it has neither.
    pub fn of(model: &ClientModel) -> Option<ClientFacts> {
        let facts = ClientFacts {
            heartbeat: super::heartbeat::module_heartbeat(model),
            paths: client_paths(model),
        };
        (facts.heartbeat.is_some() || !facts.paths.is_empty()).then_some(facts)
    }
}

/// The client modules of the project that this run does not check (it
/// checks only part of the project), read for their heartbeat and socket
/// URLs.
pub fn scan_clients(project: &Project, checked: &HashSet<PathBuf>) -> Vec<ClientFacts> {
    project
        .scan(
            &[Lang::TypeScript, Lang::Tsx, Lang::Vue, Lang::Svelte],
            &["websocket"],
        )
        .into_par_iter()
        .filter(|p| !checked.contains(p))
        .filter_map(|p| {
            let lang = match lang::detect(&p) {
                Some(lang::Detected::Known(l)) => l,
                _ => return None,
            };
            let source = project.read(&p)?;
            if !lang.is_component() && lang::looks_minified(&source.text) {
                return None;
            }
            let model = lang::ts::build(&source, lang)?;
            ClientFacts::of(&model)
        })
        .collect()
}

/// The Python modules of the project that this run does not check, with
/// websocket routes or router inclusions, modelled for their routes.
pub fn scan_servers(project: &Project, checked: &HashSet<PathBuf>) -> Vec<ModelledModule> {
    project
        .scan(&[Lang::Python], python::FACT_WORDS)
        .into_par_iter()
        .filter(|p| !checked.contains(p))
        .filter_map(|p| {
            let source = project.read(&p)?;
            let link = python::Link::new(project, &p);
            let model = lang::python::build(&source, Some(&link))?;
            model.has_route_facts().then(|| ModelledModule {
                file: p.clone(),
                model: Arc::new(model),
                checked: false,
            })
        })
        .collect()
}
