//! The client heartbeat a proxy timeout must cover (WS303): the longest
//! heartbeat among the project's client modules, or `client.heartbeat_ms`.

use std::sync::Arc;

use crate::lang::ts::ClientModel;
use crate::rule::HeartbeatFact;
use crate::settings::Config;
use crate::source::{Source, SourceFile, Span};

/// The heartbeat of one module: its fastest sender is what keeps its socket
/// alive (a slower periodic send beside a ping is not the keepalive; test
/// and mock modules have none, see [`ClientModel::heartbeat_periods`]).
pub fn module_heartbeat(model: &ClientModel) -> Option<HeartbeatFact> {
    model
        .heartbeat_periods()
        .into_iter()
        .filter(|p| p.ms > 0.0)
        .min_by(|a, b| a.ms.total_cmp(&b.ms).then(a.site.cmp(&b.site)))
        .map(|p| {
            let (file, span, name) = match p.origin {
                Some(o) => (o.file.clone(), o.span, format!("`{}`", o.name)),
                None if p.library_default => (
                    model.source.clone(),
                    p.site,
                    format!(
                        "{}'s default",
                        p.library.and_then(|l| l.library()).unwrap_or("the library")
                    ),
                ),
                None => (
                    model.source.clone(),
                    p.site,
                    "the interval's delay".to_string(),
                ),
            };
            HeartbeatFact {
                ms: p.ms,
                file,
                span,
                name,
            }
        })
}

/// The heartbeat a proxy timeout must cover: `client.heartbeat_ms` when the
/// configuration states one (it is authoritative: the client may live in
/// another repository, or the team pins the value it reviews), else the
/// longest of `found` (in path order on ties, so the result does not depend
/// on thread order).
pub fn longest(
    found: impl IntoIterator<Item = HeartbeatFact>,
    config: &Config,
    config_path: Option<&std::path::Path>,
) -> Option<HeartbeatFact> {
    if let Some(ms) = config.client.heartbeat_ms {
        return configured(ms as f64, config_path);
    }
    let mut all: Vec<HeartbeatFact> = found.into_iter().collect();
    all.sort_by(|a, b| {
        b.ms.total_cmp(&a.ms)
            .then_with(|| a.file.path.cmp(&b.file.path))
            .then(a.span.cmp(&b.span))
    });
    all.into_iter().next()
}

/// `client.heartbeat_ms` as a fact, located at its line in the
/// configuration file when that can be read.
fn configured(ms: f64, config_path: Option<&std::path::Path>) -> Option<HeartbeatFact> {
    let path = config_path.unwrap_or(std::path::Path::new("wslint.toml"));
    let text = crate::cache::read_to_string(path).unwrap_or_default();
    let span = text
        .match_indices("heartbeat_ms")
        .find(|(i, _)| {
            let before = &text[..*i];
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            before[line_start..].trim().is_empty()
        })
        .map(|(i, m)| {
            let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
            Span::new(i, end.max(i + m.len()))
        })
        .unwrap_or_default();
    let file: Source = Arc::new(SourceFile::new(path.to_path_buf(), text));
    Some(HeartbeatFact {
        ms,
        file,
        span,
        name: "`client.heartbeat_ms`".to_string(),
    })
}
