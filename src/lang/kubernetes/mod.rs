//! Kubernetes manifests: a YAML reader with positions ([`yaml`]), the
//! resources wslint reads ([`resources`]) and the hops they declare on the
//! proxy model ([`hops`]).

pub mod hops;

use crate::source::Source;

/// A parsed manifest file.
#[derive(Debug)]
pub struct KubeFile {
    pub source: Source,
    /// Parts that could matter but cannot be read (a syntax error, a Helm
    /// template whose YAML does not survive its placeholders), with why:
    /// WS003 at each.
    pub skipped: Vec<(crate::source::Span, String)>,
}

pub fn parse(source: Source) -> KubeFile {
    KubeFile {
        source,
        skipped: Vec::new(),
    }
}
