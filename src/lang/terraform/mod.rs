//! Terraform: the HCL parser ([`parse`]) and a module's load balancers on
//! the proxy model ([`hops`]).

pub mod hops;

use crate::source::Source;

/// A parsed `.tf` file.
#[derive(Debug)]
pub struct TfFile {
    pub source: Source,
    /// Parts that could matter but cannot be read (a syntax error, a Helm
    /// template whose YAML does not survive its placeholders), with why:
    /// WS003 at each.
    pub skipped: Vec<(crate::source::Span, String)>,
}

pub fn parse(source: Source) -> TfFile {
    TfFile {
        source,
        skipped: Vec::new(),
    }
}
