//! The server phase: every modelled Python module's routes linked across
//! modules (routers included elsewhere, prefixes), and the project-level
//! server rules (WS203) run on them.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::lang::{self, Lang};
use crate::project::{self, Project};
use crate::rule::{self, Check};
use crate::{Settings, run_rules};

/// Links the routes of every modelled Python module across modules and
/// runs the project-level server rules (WS203). When the run checks only
/// some files, the modules that include routers (or declare sibling
/// routes) elsewhere in the project are modelled for their facts only and
/// reported on nowhere. Returns how many such modules were read.
pub fn run(
    settings: &Settings,
    project: &Project,
    mut models: Vec<project::python::ModelledModule>,
    checked: &HashSet<PathBuf>,
    out: &mut Vec<Diagnostic>,
) -> usize {
    let enabled = settings
        .selection
        .rules()
        .any(|r| matches!(r.check, Check::ServerProject(_)));
    // WS203 reports at routes: a run whose checked modules have none has
    // nothing to link (a main.py that only includes routers, say).
    if !enabled || !models.iter().any(|m| m.model.has_routes()) {
        return 0;
    }
    let mut read = 0;
    if !project.covers_root() {
        // The modules that include a checked router live in its package
        // or beside it: the folder above its top-level package.
        let dirs: Vec<PathBuf> = checked
            .iter()
            .map(|f| project.resolver.python_package_parent(f))
            .collect();
        let found = project.scan_in(&dirs, &[Lang::Python], project::python::FACT_WORDS);
        let extra: Vec<project::python::ModelledModule> = found
            .par_iter()
            .filter(|p| !checked.contains(*p))
            .filter_map(|p| {
                let source = project.read(p)?;
                let link = project::python::Link::new(project, p);
                let mut model = lang::python::build(&source, Some(&link))?;
                crate::rules::server::ws203_ws_route_org_filter::keep_for_project(
                    settings, &mut model,
                );
                Some(project::python::ModelledModule {
                    file: p.clone(),
                    model: Arc::new(model),
                    checked: false,
                })
            })
            .collect();
        read = extra.len();
        models.extend(extra.into_iter().filter(|m| m.model.has_route_facts()));
    }
    let linked = project::python::link_routes(project, models);
    run_rules(settings, &rule::NO_FACTS, &linked, out, |c| match c {
        Check::ServerProject(f) => Some(f),
        _ => None,
    });
    read
}
